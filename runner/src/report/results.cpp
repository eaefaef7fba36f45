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

bool within_harness_noise(double figure_ns, double harness_ns) {
  return harness_ns > 0 && figure_ns - harness_ns < 0.01 * figure_ns;
}

namespace {

// Batches of one repetition, split into phases.
Repetition analyze_repetition(const RawJob& rj, uint32_t clock_khz, bool discard_noisy) {
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
  for (const char* name : {"alloc", "free"}) {
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
    if (rj.outcome.samples.empty()) continue;
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

RunResults analyze(const RawRun& raw, const RunMeta& meta) {
  RunResults r;
  r.emulated = meta.emulated;
  r.complete = raw.ended && !raw.interrupted;
  r.planned_jobs = raw.planned_jobs;
  r.selftest = raw.selftest;
  r.module_after = raw.module_after;
  const uint32_t khz = raw.module_before ? raw.module_before->clock_khz : 0;
  r.configs = analyze_configs(raw, khz, meta.discard_noisy);
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
                        "host_name"})
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
