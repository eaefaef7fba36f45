// SPDX-License-Identifier: GPL-2.0
// results.cpp - raw samples to per-phase statistics, and the run context
// with the warnings about settings that distort what was measured.
#include "report/results.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>

namespace kbench {

double cycles_to_ns_per_op(uint64_t cycles, uint64_t ops, uint32_t clock_khz) {
  if (ops == 0 || clock_khz == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(cycles) * 1e6 / static_cast<double>(clock_khz) / static_cast<double>(ops);
}

std::string status_of_errno(int err) {
  switch (err) {
    case 0:
      return "ok";
    case EOPNOTSUPP:
    case EFBIG:
      return "refused";
    case EINVAL:
      return "invalid";
    case EINTR:
      return "interrupted";
    default:
      return "error";
  }
}

std::string counter_unsupported_reason(int err) {
  switch (err) {
    case ENOENT:
      return "unsupported: no PMU for this event here (perf_event_create_kernel_counter: ENOENT; e.g. QEMU "
             "without KVM, or a VM that hides the PMU)";
    case EOPNOTSUPP:
      return "unsupported: the PMU cannot count this event (EOPNOTSUPP)";
    case EINVAL:
      return "unsupported: the CPU has no such event (EINVAL)";
    case ENODEV:
      return "unsupported: the CPU is offline (ENODEV)";
    case EACCES:
    case EPERM:
      return "unsupported: perf events are not permitted here (perf_event_paranoid or lockdown)";
    default:
      return "unsupported: perf_event_create_kernel_counter failed with errno " + std::to_string(err);
  }
}

bool within_harness_noise(double figure_ns, double harness_ns) {
  return harness_ns > 0 && figure_ns - harness_ns < 0.01 * figure_ns;
}

namespace {

// Probe batches: ns per touch (access; per byte for memset) or per stage.
Repetition analyze_probe_repetition(const RawJob& rj, uint32_t clock_khz) {
  Repetition rep;
  rep.index = rj.repetition;
  rep.err = rj.outcome.err;
  std::vector<std::pair<std::string, size_t>> slots;
  uint64_t per = 1;
  if (rj.job.experiment == kExperimentAccess) {
    slots.emplace_back(rj.job.access_mode == KBENCH_ACCESS_MEMSET ? "byte" : "touch", 0);
    per = rj.outcome.touches;
  } else {
    for (size_t i = 0; i < stage_names().size(); ++i) slots.emplace_back(std::string(stage_names()[i]), i);
  }
  for (const auto& [name, slot] : slots) {
    PhaseSamples p;
    p.phase = name;
    for (const auto& s : rj.outcome.probe_samples) {
      const double ns = cycles_to_ns_per_op(s.cycles[slot], per, clock_khz);
      if (std::isnan(ns)) continue;
      p.ns_per_op.push_back(ns);
      p.ops += per;
    }
    if (p.ns_per_op.empty()) continue;
    p.summary = summarize(p.ns_per_op);
    rep.phases.push_back(std::move(p));
  }
  return rep;
}

// Counter totals and their denominators, summed over repetitions. A
// counter that could not be created keeps its reason and gets no value.
void add_counters(ConfigResult& c, const RawJob& rj) {
  if (!rj.outcome.counters) return;
  const kbench_counters& k = *rj.outcome.counters;
  double ops = 0, ops_free = 0;
  if (rj.job.experiment == kExperimentAccess) {
    ops = static_cast<double>(rj.outcome.touches) * static_cast<double>(rj.outcome.probe_samples.size());
    c.counter_scope = rj.job.access_mode == KBENCH_ACCESS_MEMSET ? "byte" : "touch";
  } else {
    for (const auto& s : rj.outcome.samples) {
      ops += s.ops;
      ops_free += s.ops - s.failed;
    }
    c.counter_scope = rj.job.pattern == KBENCH_PATTERN_PAIR ? "alloc+free pair" : "op";
  }
  if (c.counters.empty())
    for (const auto& name : counter_names()) {
      CounterResult cr;
      cr.name = name;
      c.counters.push_back(std::move(cr));
    }
  const bool has_free = !rj.job.is_probe() && rj.job.pattern != KBENCH_PATTERN_PAIR;
  for (size_t i = 0; i < c.counters.size(); ++i) {
    CounterResult& cr = c.counters[i];
    if (k.c[i].status != 0) {
      cr.supported = false;
      cr.reason = counter_unsupported_reason(-k.c[i].status);
      continue;
    }
    cr.supported = true;
    cr.multiplexed = cr.multiplexed || (k.c[i].flags & KBENCH_COUNTER_MULTIPLEXED);
    cr.total += static_cast<double>(k.c[i].value);
    cr.total_free += static_cast<double>(k.c[i].value2);
    cr.ops += ops;
    cr.ops_free += ops_free;
    cr.per_op = cr.ops > 0 ? cr.total / cr.ops : 0;
    cr.per_op_free = has_free && cr.ops_free > 0 ? cr.total_free / cr.ops_free : -1;
  }
  // The model-specific event, recorded under its name.
  if (!rj.job.raw_event.empty()) {
    const std::string name = "raw:" + rj.job.raw_event;
    auto it = std::find_if(c.counters.begin(), c.counters.end(), [&](const auto& x) { return x.name == name; });
    if (it == c.counters.end()) {
      CounterResult cr;
      cr.name = name;
      c.counters.push_back(std::move(cr));
      it = c.counters.end() - 1;
    }
    const kbench_counter& raw = k.raw;
    if (!rj.outcome.raw_event_error.empty() || raw.status != 0) {
      it->supported = false;
      it->reason = !rj.outcome.raw_event_error.empty() ? "unsupported: " + rj.outcome.raw_event_error
                                                       : counter_unsupported_reason(-raw.status);
    } else {
      it->supported = true;
      it->multiplexed = it->multiplexed || (raw.flags & KBENCH_COUNTER_MULTIPLEXED);
      it->total += static_cast<double>(raw.value);
      it->total_free += static_cast<double>(raw.value2);
      it->ops += ops;
      it->ops_free += ops_free;
      it->per_op = it->ops > 0 ? it->total / it->ops : 0;
      it->per_op_free = has_free && it->ops_free > 0 ? it->total_free / it->ops_free : -1;
    }
  }
}

// Batches of one repetition, split into phases.
Repetition analyze_repetition(const RawJob& rj, uint32_t clock_khz, bool discard_noisy) {
  if (rj.job.is_probe()) return analyze_probe_repetition(rj, clock_khz);
  Repetition rep;
  rep.index = rj.repetition;
  rep.err = rj.outcome.err;
  PhaseSamples alloc, free_;
  alloc.phase = "alloc";
  free_.phase = "free";
  for (const auto& s : rj.outcome.samples) {
    rep.failures += s.failed;
    const bool noisy = s.flags != 0;
    // Only successful allocations are freed.
    const std::pair<PhaseSamples*, double> phases[] = {
        {&alloc, cycles_to_ns_per_op(s.alloc_cycles, s.ops, clock_khz)},
        {&free_, cycles_to_ns_per_op(s.free_cycles, s.ops - s.failed, clock_khz)}};
    for (const auto& [p, ns] : phases) {
      if (std::isnan(ns)) continue;
      p->noisy_batches += noisy;
      if (noisy && discard_noisy) {
        ++p->discarded_batches;
        continue;
      }
      p->ns_per_op.push_back(ns);
      p->ops += p == &alloc ? s.ops : s.ops - s.failed;
    }
  }
  for (PhaseSamples* p : {&alloc, &free_}) {
    if (p->ns_per_op.empty() && !p->discarded_batches) continue;
    p->summary = summarize(p->ns_per_op);
    rep.phases.push_back(std::move(*p));
  }
  return rep;
}

void aggregate_phases(ConfigResult& c) {
  std::vector<std::string> names;
  for (const auto& rep : c.repetitions)
    for (const auto& p : rep.phases)
      if (std::find(names.begin(), names.end(), p.phase) == names.end()) names.push_back(p.phase);
  for (const std::string& name : names) {
    PhaseStats st;
    st.phase = name;
    std::vector<double> pooled, medians;
    for (const auto& rep : c.repetitions) {
      for (const auto& p : rep.phases) {
        if (p.phase != name) continue;
        pooled.insert(pooled.end(), p.ns_per_op.begin(), p.ns_per_op.end());
        if (!p.ns_per_op.empty()) medians.push_back(p.summary.median);
        st.ops += p.ops;
        st.noisy_batches += p.noisy_batches;
        st.discarded_batches += p.discarded_batches;
        ++st.repetitions;
      }
    }
    if (pooled.empty()) continue;
    st.pooled = summarize(pooled);
    st.median_ci = median_ci(pooled);
    st.rep_medians = summarize(medians);
    c.phases.push_back(std::move(st));
  }
}

// The harness cost of a configuration's loop shape: the noop with the same
// pattern, batch size and context (noop costs do not depend on size or GFP).
void mark_harness_noise(std::vector<ConfigResult>& configs) {
  for (auto& c : configs) {
    if (c.job.is_probe()) continue;
    for (auto& st : c.phases) {
      for (const auto& n : configs) {
        if (n.job.api != KBENCH_API_NOOP || n.job.pattern != c.job.pattern ||
            n.job.ops_per_batch != c.job.ops_per_batch || n.job.context != c.job.context)
          continue;
        for (const auto& np : n.phases)
          if (np.phase == st.phase && (st.harness_ns < 0 || np.pooled.median < st.harness_ns))
            st.harness_ns = np.pooled.median;
      }
      st.unreliable = c.job.api != KBENCH_API_NOOP && within_harness_noise(st.pooled.median, st.harness_ns);
    }
  }
}

std::vector<ConfigResult> analyze_configs(const RawRun& raw, uint32_t khz, bool discard_noisy) {
  std::vector<ConfigResult> configs;
  std::vector<int> slot;  // config index -> position in configs
  for (const auto& rj : raw.jobs) {
    if (rj.config >= slot.size()) slot.resize(rj.config + 1, -1);
    if (slot[rj.config] < 0) {
      slot[rj.config] = static_cast<int>(configs.size());
      ConfigResult c;
      c.job = rj.job;
      c.clock_khz = khz;
      configs.push_back(std::move(c));
    }
    ConfigResult& c = configs[slot[rj.config]];
    // The first record explains the configuration, unless a later
    // repetition succeeded where it did not.
    if (c.status.empty() || (c.status != "ok" && rj.outcome.err == 0)) {
      c.err = rj.outcome.err;
      c.status = status_of_errno(rj.outcome.err);
      c.reason = rj.outcome.reason;
      c.bad_field = rj.outcome.bad_field;
    }
    if (!rj.outcome.call.empty()) c.call = rj.outcome.call;
    c.footprint_bytes = std::max(c.footprint_bytes, rj.outcome.footprint_bytes);
    c.nowarn_added = c.nowarn_added || rj.outcome.nowarn_added;
    if (rj.outcome.footprint) c.footprint = rj.outcome.footprint;
    if (rj.outcome.interrupts.is_object()) {
      c.ipi_tlb += rj.outcome.interrupts.value("TLB", uint64_t{0});
      c.ipi_cal += rj.outcome.interrupts.value("CAL", uint64_t{0});
    }
    add_counters(c, rj);
    if (rj.outcome.samples.empty() && rj.outcome.probe_samples.empty()) continue;
    Repetition rep = analyze_repetition(rj, khz, discard_noisy);
    c.failures += rep.failures;
    c.repetitions.push_back(std::move(rep));
  }
  // Report in the plan's order of configurations, not the shuffled run order.
  std::vector<ConfigResult> ordered;
  for (const int pos : slot)
    if (pos >= 0) ordered.push_back(std::move(configs[pos]));
  configs = std::move(ordered);
  for (auto& c : configs) {
    aggregate_phases(c);
    if (raw.max_repetitions && raw.cv_target > 0 && !c.phases.empty()) {
      const Summary& m = c.phases.front().rep_medians;
      c.cv_target_missed = m.n >= raw.max_repetitions && m.cv > raw.cv_target;
    }
  }
  mark_harness_noise(configs);
  return configs;
}

// A stream that lost its start record has no environment: treat it as empty.
const nlohmann::json& environment_of(const RawRun& raw) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return raw.environment.is_object() ? raw.environment : kEmpty;
}

void add_warnings(RunResults& r, const RawRun& raw, const RunMeta& meta) {
  const auto& env = environment_of(raw);
  if (meta.target_details.is_object() && meta.target_details.value("clock", "") == "icount")
    r.warnings.push_back(
        "icount: the guest clock advances 1 ns per guest instruction, so every figure is an instruction count "
        "in disguise; it repeats across boots, and says nothing about time on hardware.");
  if (meta.emulated)
    r.warnings.push_back(
        "EMULATED: measured in QEMU without hardware acceleration (TCG). Times are not "
        "hardware times; compare them only with each other, not with real machines.");
  else if (env.value("virtualized", false))
    r.warnings.push_back("virtualized: the CPU reports a hypervisor; times include its overheads.");
  if (raw.module_before && raw.module_before->init_on_alloc())
    r.warnings.push_back(
        "init_on_alloc=1: the kernel zeroes every allocation, so kmalloc costs about what "
        "kzalloc costs and vmalloc what vzalloc costs (boot with init_on_alloc=0 to measure "
        "without it).");
  if (raw.module_before && raw.module_before->init_on_free())
    r.warnings.push_back("init_on_free=1: the kernel zeroes memory on free; free times include it.");
  const std::string cs = env.value("clocksource", "");
  if (!cs.empty() && cs.rfind("tsc", 0) != 0)
    r.warnings.push_back("clocksource is " + cs +
                         ", not tsc: the kernel does not trust the TSC here (kbench reads the "
                         "TSC directly regardless; kernel time reads cost more).");
  if (raw.module_before && raw.module_before->preempt_model == "rt")
    r.warnings.push_back("PREEMPT_RT kernel: spinlocks sleep; costs differ from non-RT kernels.");
  // Debug options that multiply allocation costs: results describe a debug kernel.
  if (raw.module_before) {
    const uint64_t k = raw.module_before->kconfig;
    const struct {
      uint64_t bit;
      const char* what;
    } debug[] = {
        {KBENCH_KCONFIG_KASAN, "KASAN (every access checked, freed memory quarantined)"},
        {KBENCH_KCONFIG_KCSAN, "KCSAN"},
        {KBENCH_KCONFIG_KMSAN, "KMSAN"},
        {KBENCH_KCONFIG_SLUB_DEBUG_ON, "SLUB_DEBUG_ON (slab debugging on by default: no fast paths)"},
        {KBENCH_KCONFIG_DEBUG_PREEMPT, "DEBUG_PREEMPT (checks on every preempt count change)"},
        {KBENCH_KCONFIG_LOCKDEP, "lockdep"},
        {KBENCH_KCONFIG_DEBUG_KMEMLEAK, "kmemleak (tracks every allocation)"},
        {KBENCH_KCONFIG_DEBUG_PAGEALLOC, "DEBUG_PAGEALLOC"},
        {KBENCH_KCONFIG_DEBUG_VM, "DEBUG_VM"},
        {KBENCH_KCONFIG_DEBUG_OBJECTS, "DEBUG_OBJECTS"},
    };
    for (const auto& d : debug)
      if (k & d.bit) r.warnings.push_back(std::string("debug kernel: ") + d.what + " is built in; costs are inflated.");
  }
  const std::string cmdline = env.value("cmdline", "");
  for (const char* opt : {"slub_debug", "slab_debug", "page_owner=on", "debug_pagealloc=on", "page_poison=1",
                          "kfence.sample_interval", "init_on_free=1", "mitigations=off", "nosmt"})
    if (cmdline.find(opt) != std::string::npos)
      r.warnings.push_back(std::string("kernel command line has ") + opt + ": it changes allocation costs.");
  if (const std::string kf = env.value("kfence_sample_interval", ""); !kf.empty() && kf != "0")
    r.warnings.push_back("KFENCE samples one allocation every " + kf +
                         " ms: those allocations are much slower (outliers in the tails).");
  if (const std::string gov = env.value("cpufreq_governor", ""); !gov.empty() && gov != "performance")
    r.warnings.push_back("CPU frequency governor is " + gov + ", not performance: frequency changes add noise.");
  if (env.value("turbo", false))
    r.warnings.push_back("turbo/boost is on: the CPU clock varies with load and temperature.");
  if (env.value("mem_profiling", "0") == "1")
    r.warnings.push_back("memory allocation profiling is on (vm.mem_profiling=1): every allocation is tagged.");
  if (!raw.ended)
    r.warnings.push_back("incomplete run: the target stopped before the end record; " +
                         std::to_string(raw.jobs.size()) + " of " + std::to_string(raw.planned_jobs) +
                         " configurations were saved.");
  if (raw.interrupted) r.warnings.push_back("interrupted: the run was stopped early; what was measured is kept.");
  size_t unreliable = 0, missed = 0;
  for (const auto& c : r.configs) {
    missed += c.cv_target_missed;
    for (const auto& p : c.phases) unreliable += p.unreliable;
  }
  if (unreliable)
    r.warnings.push_back(std::to_string(unreliable) +
                         " figure(s) are within 1% of the harness cost (the noop loop): they cannot be told "
                         "apart from kbench's own overhead and are marked unreliable.");
  if (missed)
    r.warnings.push_back(std::to_string(missed) +
                         " configuration(s) still varied more than the cv_target after max_repetitions.");
  if (raw.bad_lines) r.warnings.push_back(std::to_string(raw.bad_lines) + " damaged record line(s) were skipped.");
  if (raw.module_after &&
      (raw.module_after->outstanding_allocs || raw.module_after->live_caches || raw.module_after->live_pools))
    r.warnings.push_back("the module reports objects still allocated after the run (a kbench bug).");
}

}  // namespace

LinearFit fit_line(const std::vector<std::pair<double, double>>& xy) {
  LinearFit f;
  f.n = xy.size();
  if (xy.size() < 2) return f;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, y] : xy) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double n = static_cast<double>(xy.size());
  const double den = n * sxx - sx * sx;
  if (den == 0) return f;
  f.slope = (n * sxy - sx * sy) / den;
  f.intercept = (sy - f.slope * sx) / n;
  double ss_res = 0, ss_tot = 0;
  for (const auto& [x, y] : xy) {
    ss_res += (y - (f.intercept + f.slope * x)) * (y - (f.intercept + f.slope * x));
    ss_tot += (y - sy / n) * (y - sy / n);
  }
  f.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
  return f;
}

namespace {

double median_of(const ConfigResult& c, const std::string& phase) {
  for (const auto& p : c.phases)
    if (p.phase == phase) return p.pooled.median;
  return std::nan("");
}

void derive(RunResults& r, bool init_on_alloc) {
  std::vector<std::pair<double, double>> vmap_xy, ram_xy;
  for (const auto& c : r.configs) {
    if (c.job.experiment != kExperimentStages || c.phases.empty()) continue;
    StageRow s;
    s.size = c.job.size;
    s.pages = (c.job.size + 4095) / 4096;
    s.pages_alloc = median_of(c, "pages_alloc");
    s.vmap = median_of(c, "vmap");
    s.vm_map_ram = median_of(c, "vm_map_ram");
    s.vmalloc = median_of(c, "vmalloc");
    s.vunmap = median_of(c, "vunmap");
    s.vm_unmap_ram = median_of(c, "vm_unmap_ram");
    s.pages_free = median_of(c, "pages_free");
    s.vfree = median_of(c, "vfree");
    s.purge = median_of(c, "purge");
    s.page_array = median_of(c, "page_array");
    s.rest = s.vmalloc - s.pages_alloc - s.page_array - s.vmap;
    s.explained = (s.pages_alloc + s.page_array + s.vmap) / s.vmalloc;
    s.overhead = s.vmalloc - s.pages_alloc;
    s.vmap_share = s.overhead > 0 ? s.vmap / s.overhead : std::nan("");
    s.rest_share = s.overhead > 0 ? s.rest / s.overhead : std::nan("");
    s.page_array_share = s.overhead > 0 ? s.page_array / s.overhead : std::nan("");
    s.ipi_tlb = c.ipi_tlb;
    s.ipi_cal = c.ipi_cal;
    vmap_xy.emplace_back(static_cast<double>(s.pages), s.vmap);
    ram_xy.emplace_back(static_cast<double>(s.pages), s.vm_map_ram);
    r.vmalloc_stages.push_back(s);
  }
  r.vmap_fit = fit_line(vmap_xy);
  r.vm_map_ram_fit = fit_line(ram_xy);

  // Zeroing allocations of the same size as a memset probe in this run.
  for (const auto& m : r.configs) {
    if (m.job.experiment != kExperimentAccess || m.job.access_mode != KBENCH_ACCESS_MEMSET || m.phases.empty())
      continue;
    const double memset_bpns = 1.0 / m.phases[0].pooled.median;
    for (const auto& a : r.configs) {
      if (a.job.is_probe() || a.job.size != m.job.size || a.phases.empty()) continue;
      const bool zeroes = a.job.api == KBENCH_API_KZALLOC || a.job.api == KBENCH_API_VZALLOC ||
                          (a.job.gfp.mods & KBENCH_GFPM_ZERO) || (init_on_alloc && a.job.api != KBENCH_API_NOOP);
      if (!zeroes || a.job.pattern != KBENCH_PATTERN_PAIR) continue;
      ZeroingRow z;
      z.alloc_name = a.job.name() + "/alloc";
      z.memset_name = m.job.name();
      z.size = a.job.size;
      z.alloc_bytes_per_ns = static_cast<double>(a.job.size) / median_of(a, "alloc");
      z.memset_bytes_per_ns = memset_bpns;
      z.fraction_of_limit = z.alloc_bytes_per_ns / memset_bpns;
      r.zeroing.push_back(z);
    }
  }
}

}  // namespace

RunResults analyze(const RawRun& raw, const RunMeta& meta) {
  RunResults r;
  r.emulated = meta.emulated;
  r.complete = raw.ended && !raw.interrupted;
  r.planned_jobs = raw.planned_jobs;
  r.selftest = raw.selftest;
  r.module_after = raw.module_after;
  const uint32_t khz = raw.module_before ? raw.module_before->clock_khz : 0;
  r.configs = analyze_configs(raw, khz, meta.discard_noisy);
  derive(r, raw.module_before && raw.module_before->init_on_alloc());
  add_warnings(r, raw, meta);

  nlohmann::json& ctx = r.context;
  const auto& env = environment_of(raw);
  ctx["date"] = meta.date;
  ctx["host_name"] = env.value("host_name", "");
  ctx["executable"] = "kbench";
  ctx["num_cpus"] = env.value("num_cpus", 0);
  ctx["mhz_per_cpu"] = env.value("mhz_per_cpu", 0);
  ctx["cpu_scaling_enabled"] = env.contains("cpufreq_governor");
  ctx["caches"] = nlohmann::json::array();
  ctx["library_build_type"] = "release";
  ctx["json_schema_version"] = 1;
  ctx["kbench_version"] = meta.kbench_version;
  ctx["kbench_git_revision"] = meta.git_revision;
  ctx["kbench_abi_version"] = KBENCH_ABI_VERSION;
  ctx["target"] = meta.target;
  ctx["emulated"] = meta.emulated;
  ctx["config"] = meta.config_path;
  ctx["complete"] = r.complete;
  ctx["order_seed"] = raw.seed;
  ctx["discard_noisy"] = meta.discard_noisy;
  ctx["repetitions"] = meta.repetitions;
  if (raw.max_repetitions) {
    ctx["cv_target"] = raw.cv_target;
    ctx["max_repetitions"] = raw.max_repetitions;
  }
  ctx["time_source"] =
      "per-op wall time measured in the kernel with the module's clock; "
      "real_time = cpu_time = median over batches of ns per op";
  for (const char* k : {"kernel_release",
                        "kernel_version",
                        "machine",
                        "cmdline",
                        "cpu_model",
                        "microcode",
                        "cpu_flags",
                        "virtualized",
                        "mem_total_kb",
                        "mem_available_kb",
                        "clocksource",
                        "thp_enabled",
                        "thp_defrag",
                        "preempt_dynamic",
                        "cpufreq_governor",
                        "scaling_driver",
                        "turbo",
                        "kfence_sample_interval",
                        "cgroup",
                        "smt_active",
                        "threads_per_core",
                        "cpus_online",
                        "numa_nodes_online",
                        "mem_profiling",
                        "nmi_watchdog",
                        "numa_balancing",
                        "slab_allocator",
                        "host_name",
                        "benchmark_cpu"})
    if (env.contains(k)) ctx[k] = env[k];
  if (raw.module_before) {
    const ModuleInfo& m = *raw.module_before;
    ctx["init_on_alloc"] = m.init_on_alloc();
    ctx["init_on_free"] = m.init_on_free();
    ctx["preempt_model"] = m.preempt_model;
    ctx["timer"] = m.clock_name;
    ctx["timer_khz"] = m.clock_khz;
    ctx["hz"] = m.hz;
    ctx["page_size"] = m.page_size;
    ctx["mem_cap_bytes"] = m.mem_cap_bytes;
    ctx["kernel_release"] = m.release;
    ctx["kconfig"] = kconfig_to_json(m.kconfig);
  }
  if (!meta.target_details.is_null()) ctx["target_details"] = meta.target_details;
  ctx["warnings"] = r.warnings;
  return r;
}

}  // namespace kbench
