// SPDX-License-Identifier: GPL-2.0
// analyze.cpp - the raw record stream to the model: per configuration and
// phase, statistics over batches and over repetitions, counters per op,
// the harness cost of the same loop shape; then each experiment's derived
// figures and the context with the warnings.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <map>

#include "analysis/checks.h"
#include "analysis/derive.h"
#include "analysis/phases.h"
#include "analysis/results.h"

namespace kbench {

std::string status_of_errno(int err) {
  switch (err) {
    case 0:
      return "ok";
    case EOPNOTSUPP:
    case EFBIG:
    case ETIME:  // a batch past the module's time bound
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

const PhaseStats* find_phase(const ConfigResult& c, const std::string& phase) {
  for (const auto& p : c.phases)
    if (p.phase == phase) return &p;
  return nullptr;
}

double phase_median(const ConfigResult& c, const std::string& phase) {
  const PhaseStats* p = find_phase(c, phase);
  return p ? p->pooled.median : std::nan("");
}

std::pair<uint64_t, uint64_t> hist_bucket_range(size_t b) {
  if (b < 4) return {b, b + 1};
  const unsigned k = static_cast<unsigned>(b / 4 + 1);
  const uint64_t step = uint64_t{1} << (k - 2);
  const uint64_t low = (uint64_t{1} << k) + (b % 4) * step;
  return {low, low + step};
}

SingleOpStats single_op_stats(const std::vector<uint64_t>& hist, uint32_t clock_khz) {
  SingleOpStats s;
  for (const uint64_t n : hist) s.ops += n;
  if (s.ops == 0 || clock_khz == 0) return s;
  auto ns_of = [&](size_t b) {
    const auto [lo, hi] = hist_bucket_range(b);
    return (static_cast<double>(lo) + static_cast<double>(hi)) / 2 * 1e6 / clock_khz;
  };
  // The bucket holding the q-th operation (nearest rank).
  auto at = [&](double q) {
    const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(s.ops)));
    uint64_t seen = 0;
    for (size_t b = 0; b < hist.size(); ++b) {
      seen += hist[b];
      if (seen >= std::max<uint64_t>(rank, 1)) return ns_of(b);
    }
    return ns_of(hist.size() - 1);
  };
  s.p50 = at(0.5);
  s.p90 = at(0.9);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  s.max = at(1.0);
  return s;
}

nlohmann::json meta_to_json(const RunMeta& m) {
  return {{"target", m.target},
          {"emulated", m.emulated},
          {"config_path", m.config_path},
          {"kbench_version", m.kbench_version},
          {"git_revision", m.git_revision},
          {"date", m.date},
          {"discard_noisy", m.discard_noisy},
          {"repetitions", m.repetitions},
          {"target_details", m.target_details},
          {"campaign", m.campaign}};
}

RunMeta meta_from_json(const nlohmann::json& j) {
  RunMeta m;
  m.target = j.at("target").get<std::string>();
  m.emulated = j.at("emulated").get<bool>();
  m.config_path = j.value("config_path", "");
  m.kbench_version = j.value("kbench_version", "");
  m.git_revision = j.value("git_revision", "");
  m.date = j.value("date", "");
  m.discard_noisy = j.value("discard_noisy", false);
  m.repetitions = j.value("repetitions", 0U);
  m.target_details = j.value("target_details", nlohmann::json::object());
  m.campaign = j.value("campaign", "");
  return m;
}

DeferredWork deferred_work(const ConfigResult& c) {
  DeferredWork d;
  if (c.rep_values.empty()) return d;
  auto sum = [&](const char* count, const char* counted) -> std::optional<uint64_t> {
    uint64_t total = 0;
    for (const auto& v : c.rep_values) {
      if (!v.is_object() || v.value(counted, 0) != 1) return std::nullopt;
      total += v.value(count, uint64_t{0});
    }
    return total;
  };
  d.vmap_purges = sum("purges", "purges_counted");
  d.slab_flushes = sum("slab_flushes", "slab_flushes_counted");
  d.vmalloc_fallbacks = sum("vmalloc_fallbacks", "fallbacks_counted");
  d.purge_threshold_bytes = c.rep_values.back().value("purge_threshold_bytes", uint64_t{0});
  return d;
}

Catalog RunResults::catalog() const {
  if (!context.contains("kbench_catalog")) return {};
  return context.at("kbench_catalog").get<Catalog>();
}

const ConfigResult* RunResults::find(const std::string& key) const {
  for (const auto& c : configs)
    if (c.job.key() == key) return &c;
  return nullptr;
}

namespace {

// Counter totals of one configuration, summed over its repetitions: slot 0
// (value) and slot 1 (value2) of each counter, and the operations of those
// slots they are divided by.
struct CounterTotals {
  std::string name;
  bool supported = false;
  bool multiplexed = false;
  double total[KBENCH_COUNTER_SLOTS] = {};
};

struct ConfigAccumulator {
  ConfigResult result;
  std::map<std::string, std::vector<double>> pooled;  // phase -> every kept batch
  // Runs on several CPUs: phase -> per thread, every kept batch; phase ->
  // every batch's aggregate rate.
  std::map<std::string, std::vector<std::vector<double>>> per_thread;
  std::map<std::string, std::vector<double>> aggregate, overlap;
  std::vector<std::string> phase_order;
  std::vector<CounterTotals> counters;
  double counter_ops[KBENCH_COUNTER_SLOTS] = {};
};

void add_counters(ConfigAccumulator& acc, const RawJob& rj, std::map<std::string, std::string>& reasons) {
  if (!rj.outcome.counters) return;
  const kbench_counters& k = *rj.outcome.counters;
  for (const auto& s : rj.outcome.samples)
    for (size_t slot = 0; slot < KBENCH_COUNTER_SLOTS; ++slot) acc.counter_ops[slot] += s.count[slot];
  if (acc.counters.empty()) {
    for (const auto& name : counter_names()) acc.counters.push_back({std::string(name)});
    if (!rj.job.raw_event.empty()) acc.counters.push_back({"raw:" + rj.job.raw_event});
  }
  for (size_t i = 0; i < acc.counters.size(); ++i) {
    CounterTotals& ct = acc.counters[i];
    const kbench_counter& c = i < KBENCH_CNT_COUNT ? k.c[i] : k.raw;
    std::string why;
    if (i >= KBENCH_CNT_COUNT && !rj.outcome.raw_event_error.empty())
      why = "unsupported: " + rj.outcome.raw_event_error;
    else if (c.status != 0)
      why = counter_unsupported_reason(-c.status);
    if (!why.empty()) {
      reasons.emplace(ct.name, why);
      continue;
    }
    ct.supported = true;
    ct.multiplexed = ct.multiplexed || (c.flags & KBENCH_COUNTER_MULTIPLEXED);
    for (size_t slot = 0; slot < KBENCH_COUNTER_SLOTS; ++slot) ct.total[slot] += static_cast<double>(c.value[slot]);
  }
}

// Counters per operation of each phase they were read around, the reasons
// of those that do not exist referenced by name.
void finish_counters(ConfigAccumulator& acc) {
  ConfigResult& c = acc.result;
  if (acc.counters.empty()) return;
  c.counter_scope = c.phases.empty() ? "op" : c.phases.front().unit;
  for (const auto& ct : acc.counters) {
    if (!ct.supported) {
      c.counters_unsupported.push_back(ct.name);
      continue;
    }
    for (auto& p : c.phases) {
      const size_t slot = p.slot;
      // A slot counts only what it was read around: ops, and counts.
      if (slot >= KBENCH_COUNTER_SLOTS || acc.counter_ops[slot] <= 0 || ct.total[slot] <= 0) continue;
      p.counters.push_back({ct.name, ct.total[slot] / acc.counter_ops[slot]});
      p.counters_multiplexed = p.counters_multiplexed || ct.multiplexed;
    }
  }
}

void add_repetition(ConfigAccumulator& acc, const RawJob& rj, const ExperimentInfo& exp, uint32_t khz,
                    bool discard_noisy) {
  ConfigResult& c = acc.result;
  for (const auto& s : rj.outcome.samples) c.failures += s.failed;
  for (auto& ps : phase_samples(rj.outcome, exp, khz, discard_noisy)) {
    if (!acc.pooled.count(ps.phase)) acc.phase_order.push_back(ps.phase);
    auto& pooled = acc.pooled[ps.phase];
    pooled.insert(pooled.end(), ps.ns_per_op.begin(), ps.ns_per_op.end());
    if (!ps.per_thread_ns.empty()) {
      auto& threads = acc.per_thread[ps.phase];
      if (threads.size() < ps.per_thread_ns.size()) threads.resize(ps.per_thread_ns.size());
      for (size_t t = 0; t < ps.per_thread_ns.size(); ++t)
        threads[t].insert(threads[t].end(), ps.per_thread_ns[t].begin(), ps.per_thread_ns[t].end());
      auto& agg = acc.aggregate[ps.phase];
      agg.insert(agg.end(), ps.aggregate_ops_per_s.begin(), ps.aggregate_ops_per_s.end());
      auto& ov = acc.overlap[ps.phase];
      ov.insert(ov.end(), ps.overlap.begin(), ps.overlap.end());
    }
    auto it = std::find_if(c.phases.begin(), c.phases.end(), [&](const auto& p) { return p.phase == ps.phase; });
    if (it == c.phases.end()) {
      PhaseStats st;
      st.slot = ps.slot;
      st.phase = ps.phase;
      st.unit = ps.unit;
      c.phases.push_back(st);
      it = c.phases.end() - 1;
    }
    if (ps.slot < rj.outcome.hist.size()) {
      const auto& h = rj.outcome.hist[ps.slot];
      if (it->hist.size() < h.size()) it->hist.resize(h.size(), 0);
      for (size_t b = 0; b < h.size(); ++b) it->hist[b] += h[b];
    }
    RepetitionStats rep;
    rep.index = rj.repetition;
    rep.summary = summarize(ps.ns_per_op);
    rep.ops = ps.ops;
    rep.noisy_batches = ps.noisy_batches;
    rep.discarded_batches = ps.discarded_batches;
    it->ops += ps.ops;
    it->noisy_batches += ps.noisy_batches;
    it->discarded_batches += ps.discarded_batches;
    it->reps.push_back(rep);
  }
}

void finish_phases(ConfigAccumulator& acc, const RawRun& raw) {
  ConfigResult& c = acc.result;
  std::vector<PhaseStats> kept;
  for (const auto& name : acc.phase_order) {
    auto it = std::find_if(c.phases.begin(), c.phases.end(), [&](const auto& p) { return p.phase == name; });
    PhaseStats st = *it;
    const auto& pooled = acc.pooled[name];
    if (pooled.empty()) continue;
    std::sort(st.reps.begin(), st.reps.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    std::vector<double> medians;
    for (const auto& r : st.reps)
      if (r.summary.n) medians.push_back(r.summary.median);
    st.repetitions = static_cast<uint32_t>(st.reps.size());
    st.pooled = summarize(pooled);
    st.median_ci = median_ci(pooled);
    st.rep_medians = summarize(medians);
    const uint32_t khz = raw.module_before ? raw.module_before->clock_khz : 0;
    st.single_op = single_op_stats(st.hist, khz);
    if (const auto t = acc.per_thread.find(name); t != acc.per_thread.end()) {
      st.threads = static_cast<uint32_t>(t->second.size());
      for (const auto& v : t->second) st.thread_medians.push_back(summarize(v).median);
      st.aggregate_ops_per_s = summarize(acc.aggregate[name]);
      st.overlap = summarize(acc.overlap[name]);
    }
    if (st.single_op.ops && c.values.is_object() && khz) {
      // One clock read lands in each single-op time: trusted below 5 %.
      st.single_op.clock_read_ns = c.values.value("clock_read_ticks", 0.0) * 1e6 / khz;
      st.single_op.reliable = st.single_op.clock_read_ns * 20 <= st.pooled.median;
    }
    kept.push_back(std::move(st));
  }
  c.phases = std::move(kept);
  if (raw.max_repetitions && raw.cv_target > 0 && !c.phases.empty()) {
    const Summary& m = c.phases.front().rep_medians;
    c.cv_target_missed = m.cv > raw.cv_target;  // at the cap, or given up on (measure/plan.cpp)
  }
}

// The harness cost of a configuration's loop shape: the noop with the same
// pattern, batch size and context (noop costs do not depend on size or GFP).
void mark_harness_noise(std::vector<ConfigResult>& configs, const Catalog& catalog) {
  auto is_harness = [&](const ConfigResult& c) {
    const ApiInfo* a = catalog.api(c.job.api);
    return a && a->has(KBENCH_CAP_HARNESS);
  };
  for (auto& c : configs) {
    if (c.job.experiment != KBENCH_EXP_ALLOC) continue;
    for (auto& st : c.phases) {
      for (const auto& n : configs) {
        // The same loop shape; in steady state the module sizes the batches,
        // so the harness is the noop's steady state.
        if (n.job.experiment != KBENCH_EXP_ALLOC || !is_harness(n) || n.job.pattern != c.job.pattern ||
            n.job.context != c.job.context || n.job.steady() != c.job.steady() || n.job.threads != c.job.threads ||
            (!c.job.steady() && n.job.ops_per_batch != c.job.ops_per_batch))
          continue;
        for (const auto& np : n.phases)
          if (np.phase == st.phase && (st.harness_ns < 0 || np.pooled.median < st.harness_ns)) {
            st.harness_ns = np.pooled.median;
            st.harness_ci = np.median_ci;
          }
      }
      st.unreliable = !is_harness(c) && within_harness_noise(st.pooled.median, st.harness_ns);
      if (st.harness_ns >= 0) {
        st.net_ns = st.pooled.median - st.harness_ns;
        st.net_ci.low = st.median_ci.low - st.harness_ci.high;
        st.net_ci.high = st.median_ci.high - st.harness_ci.low;
        st.net_ci.coverage = st.median_ci.coverage * st.harness_ci.coverage;
      }
    }
  }
}

std::vector<ConfigResult> analyze_configs(const RawRun& raw, bool discard_noisy,
                                          std::map<std::string, std::string>& reasons) {
  const uint32_t khz = raw.module_before ? raw.module_before->clock_khz : 0;
  std::vector<ConfigAccumulator> accs;
  std::vector<int> slot;  // config index -> position in accs
  for (const auto& rj : raw.jobs) {
    if (rj.config >= slot.size()) slot.resize(rj.config + 1, -1);
    if (slot[rj.config] < 0) {
      slot[rj.config] = static_cast<int>(accs.size());
      accs.emplace_back();
      accs.back().result.job = rj.job;
    }
    ConfigAccumulator& acc = accs[static_cast<size_t>(slot[rj.config])];
    ConfigResult& c = acc.result;
    // The worst outcome wins: an interrupted repetition marks the config.
    if (c.status.empty() || rj.outcome.err != 0) {
      c.err = rj.outcome.err;
      c.status = status_of_errno(rj.outcome.err);
      c.reason = rj.outcome.reason;
      c.bad_field = rj.outcome.bad_field;
    }
    if (!rj.outcome.call.empty()) c.call = rj.outcome.call;
    c.threads = rj.outcome.threads;
    c.footprint_bytes = std::max(c.footprint_bytes, rj.outcome.footprint_bytes);
    c.nowarn_added = c.nowarn_added || rj.outcome.nowarn_added;
    if (!rj.outcome.values.is_null()) {
      c.values = rj.outcome.values;
      c.rep_values.push_back(rj.outcome.values);
    }
    if (rj.outcome.vmstat.is_object())
      for (const auto& [k, v] : rj.outcome.vmstat.items()) c.vmstat[k] += v.get<uint64_t>();
    if (rj.outcome.interrupts.is_object()) {
      c.ipi_tlb += rj.outcome.interrupts.value("TLB", uint64_t{0});
      c.ipi_cal += rj.outcome.interrupts.value("CAL", uint64_t{0});
    }
    add_counters(acc, rj, reasons);
    const ExperimentInfo* exp = raw.catalog.experiment(rj.job.experiment);
    if (exp && !rj.outcome.samples.empty()) add_repetition(acc, rj, *exp, khz, discard_noisy);
  }
  // Report in the plan's order of configurations, not the shuffled run order.
  std::vector<ConfigResult> configs;
  for (const int pos : slot) {
    if (pos < 0) continue;
    ConfigAccumulator& acc = accs[static_cast<size_t>(pos)];
    finish_phases(acc, raw);
    finish_counters(acc);
    configs.push_back(std::move(acc.result));
  }
  mark_harness_noise(configs, raw.catalog);
  return configs;
}

// A stream that lost its start record has no environment: treat it as empty.
const nlohmann::json& environment_of(const RawRun& raw) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return raw.environment.is_object() ? raw.environment : kEmpty;
}

// EMULATED when the target is (QEMU TCG) or when the machine the host
// target ran on says it is itself a TCG guest.
bool is_emulated(const RawRun& raw, const RunMeta& meta) {
  return meta.emulated || environment_of(raw).value("platform", "") == "EMULATED";
}

void fill_context(RunResults& r, const RawRun& raw, const RunMeta& meta,
                  const std::map<std::string, std::string>& reasons) {
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
  ctx["kbench_schema"] = 2;  // fields per dimension, catalog, compact counters
  ctx["kbench_version"] = meta.kbench_version;
  ctx["kbench_git_revision"] = meta.git_revision;
  ctx["kbench_abi_version"] = raw.module_before ? raw.module_before->abi_version : KBENCH_ABI_VERSION;
  ctx["target"] = meta.target;
  if (!meta.campaign.empty()) ctx["kbench_campaign"] = meta.campaign;
  ctx["emulated"] = is_emulated(raw, meta);
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
  ctx["percentiles"] =
      "min_ns, p50_ns .. p999_ns, max_ns are of batch means (one value per batch of ops_per_batch operations); "
      "single_op_* are of single operations, from the module's histogram of each operation's clock ticks "
      "(within 12.5 %), trusted where single_op_reliable (one clock read below 5 % of an operation)";
  ctx["figures"] =
      "pair: n alloc+free pairs timed as a whole (one clock pair per chunk); alloc, free: the same pairs with "
      "each operation timed. net_ns = p50_ns - harness_overhead_ns, the noop of the same loop shape. "
      "state clean: earlier lazy frees purged first; steady: not, and batches sized by the module to cross "
      "the lazy vmap purge threshold at least twice";
  for (const char* k : {"kernel_release",
                        "kernel_version",
                        "machine",
                        "cmdline",
                        "cpu_model",
                        "microcode",
                        "cpu_flags",
                        "virtualized",
                        "platform",
                        "hypervisor",
                        "dmi_sys_vendor",
                        "dmi_product_name",
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
                        "benchmark_cpu",
                        "kernel_warmup"})
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
  ctx["kbench_catalog"] = raw.catalog;
  ctx["kbench_counter_reasons"] = reasons;
  if (!meta.target_details.is_null()) ctx["target_details"] = meta.target_details;
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

RunResults analyze(const RawRun& raw, const RunMeta& meta) {
  RunResults r;
  r.emulated = is_emulated(raw, meta);
  r.complete = raw.ended && !raw.interrupted && raw.bad_records.empty() && raw.target_problems.empty();
  r.planned_jobs = raw.planned_jobs;
  r.selftest = raw.selftest;
  r.fuzz = raw.fuzz;
  r.module_after = raw.module_after;
  std::map<std::string, std::string> reasons;
  r.configs = analyze_configs(raw, meta.discard_noisy, reasons);
  fill_context(r, raw, meta, reasons);
  derive_all(r);
  r.warnings = run_checks(r, raw, meta);
  r.context["warnings"] = r.warnings;
  return r;
}

}  // namespace kbench
