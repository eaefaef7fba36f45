// SPDX-License-Identifier: GPL-2.0
// json_reporter.cpp - results.json in Google Benchmark's JSON format, so
// compare.py (libbenchmark-tools) can diff two runs.
//
// Per measured configuration and phase: one "iteration" entry per
// repetition (real_time = cpu_time = the median over that repetition's
// batches of ns per op, measured in the kernel; not for the alloc/free
// split of a pair), then the "median" aggregate over the repetitions'
// medians. The median entry is the measurement: its dimensions as fields,
// the repetitions' cv (their medians are the iteration entries, or
// rep_medians_ns for a pair's split), the pooled percentiles, a
// 95 % confidence interval of the median, harness and net, counters; the
// iterations carry only what compare.py reads. A configuration's own fields
// (dimensions, call, failures, ...) are in its first phase's entry; the
// other phases' entries name it in "config_entry", and the context lists
// those fields in "kbench_config_fields". Configurations that were
// refused, invalid or failed are not timing entries (compare.py expects
// times on every entry, and a made-up time would be a lie): they are
// listed in "kbench_not_measured". Facts that are the same for every entry
// (why a counter is unsupported, what each API is) are stated once, in the
// context. Per-batch samples stay in raw.ndjson.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <optional>
#include <set>
#include <string_view>

#include "core/error.h"
#include "report/reporter.h"

namespace kbench {

namespace {

void put_distribution(nlohmann::json& b, const Summary& s) {
  b["min_ns"] = s.min;
  b["p50_ns"] = s.median;
  b["p90_ns"] = s.p90;
  b["p99_ns"] = s.p99;
  b["p999_ns"] = s.p999;
  b["max_ns"] = s.max;
  b["mean_ns"] = s.mean;
  b["stddev_ns"] = s.stddev;
}

// What is the same for every phase of a configuration: its dimensions and
// what happened to it as a whole. Stated in its first phase's entry only;
// the others name that entry in "config_entry" (the context lists these
// fields), which keeps a default run's results.json under 5 MB.
nlohmann::json config_fields(const ConfigResult& c, bool emulated) {
  nlohmann::json b = dimensions_json(c.job);
  // Google Benchmark's own field: the threads that ran it at once.
  b.update(nlohmann::json{{"threads", c.threads},
                          {"call", c.call},
                          {"sweep", c.job.sweep},
                          {"warmup_batches", c.job.warmup_batches},
                          {"failures", c.failures},
                          {"footprint_bytes", c.footprint_bytes},
                          {"emulated", emulated}});
  if (!c.reason.empty()) b["note"] = c.reason;
  if (c.job.steady()) {
    // A count only where one was taken: never a zero for "not counted".
    const DeferredWork d = deferred_work(c);
    if (d.vmap_purges) b["purges"] = *d.vmap_purges;
    if (d.slab_flushes) b["slab_flushes"] = *d.slab_flushes;
    if (d.purge_threshold_bytes) b["purge_threshold_bytes"] = d.purge_threshold_bytes;
  }
  // Where counters were asked for: those that are not there (an empty list
  // when all are), less the run-wide ones (see hoist_unsupported_counters).
  const bool counted =
      !c.counters_unsupported.empty() ||
      std::any_of(c.phases.begin(), c.phases.end(), [](const auto& st) { return !st.counters.empty(); });
  if (counted) b["counters_unsupported"] = c.counters_unsupported;
  if (c.ipi_tlb || c.ipi_cal) {
    if (c.ipi_tlb) b["ipi_tlb"] = c.ipi_tlb;
    b["ipi_cal"] = c.ipi_cal;
  }
  if (c.cv_target_missed) b["cv_target_missed"] = true;
  if (!c.vmstat.empty()) b["vmstat"] = c.vmstat;
  // What the module counted, summed over the repetitions where every one counted it.
  if (const auto fallbacks = deferred_work(c).vmalloc_fallbacks) b["vmalloc_fallbacks"] = *fallbacks;
  uint64_t held = 0;
  for (const auto& v : c.rep_values)
    if (v.is_object()) held = std::max(held, v.value("frag_pages_held", uint64_t{0}));
  if (c.job.condition == KBENCH_COND_FRAGMENTED && !c.rep_values.empty() && c.rep_values.back().is_object()) {
    // The memory the condition fragmented: the pages it kept, and the free memory before and after.
    const auto& v = c.rep_values.back();
    b["fragment_pages_held"] = held;
    b["fragment_free_before_bytes"] = v.value("frag_free_before_bytes", uint64_t{0});
    b["fragment_free_after_bytes"] = v.value("frag_free_after_bytes", uint64_t{0});
  }
  return b;
}

// What each phase measured.
nlohmann::json phase_fields(const ConfigResult& c, const PhaseStats& st) {
  nlohmann::json b = {{"phase", st.phase}, {"unit", st.unit}, {"repetitions", st.repetitions}};
  if (st.harness_ns >= 0) {
    // raw (the measured figure), harness (the noop of the same loop
    // shape) and net (raw - harness, with a conservative interval).
    b["harness_overhead_ns"] = st.harness_ns;
    if (std::isfinite(st.net_ns)) {
      b["net_ns"] = st.net_ns;
      b["net_ci_low_ns"] = st.net_ci.low;
      b["net_ci_high_ns"] = st.net_ci.high;
    }
  }
  if (st.threads > 1) {
    // p50_ns and the rest are over every thread's batches: the cost one
    // CPU sees while the others run too.
    b["per_thread_p50_ns"] = st.thread_medians;
    // Over each batch's span from the first thread's start to the last
    // one's end: what the CPUs did together. overlap 1: all at once; 1 /
    // threads: one after another (as single-threaded emulation runs them).
    if (st.aggregate_ops_per_s.n) {
      b["aggregate_ops_per_s"] = st.aggregate_ops_per_s.median;
      b["aggregate_ops_per_s_min"] = st.aggregate_ops_per_s.min;
      b["aggregate_ops_per_s_max"] = st.aggregate_ops_per_s.max;
      b["overlap"] = st.overlap.median;
    }
  }
  if (st.single_op.ops) {
    b["single_op_ops"] = st.single_op.ops;
    b["single_op_p50_ns"] = st.single_op.p50;
    b["single_op_p90_ns"] = st.single_op.p90;
    b["single_op_p99_ns"] = st.single_op.p99;
    b["single_op_p999_ns"] = st.single_op.p999;
    b["single_op_max_ns"] = st.single_op.max;
    b["single_op_reliable"] = st.single_op.reliable;
    b["clock_read_ns"] = st.single_op.clock_read_ns;
  }
  if (st.unreliable) {
    b["unreliable"] = true;
    b["unreliable_reason"] = "within 1% of the harness cost (noop loop)";
  }
  // Counters: a value only where the counter exists; otherwise its name
  // (in the configuration's fields), and the reason once in the context.
  if (!c.counters_unsupported.empty() || !st.counters.empty()) {
    nlohmann::json per_op = nlohmann::json::object();
    for (const auto& k : st.counters) per_op[k.name] = k.per_op;
    b["counters_per_op"] = per_op;
    // Each slot's counters are read around its own loops: per its unit.
    b["counters_scope"] = st.unit == "pair" ? "alloc+free pair" : st.unit;
    if (st.counters_multiplexed) b["counters_multiplexed"] = true;
  }
  return b;
}

// Counters unsupported in every entry that has counters (no PMU: all the
// hardware ones) are stated once, in the context; an entry lists only the
// others. An entry with counters_per_op has counters: its unsupported ones
// are the context's and its own.
void hoist_unsupported_counters(nlohmann::json& doc) {
  std::optional<std::vector<std::string>> common;
  for (const auto& b : doc["benchmarks"]) {
    if (!b.contains("counters_unsupported")) continue;
    auto mine = b["counters_unsupported"].get<std::vector<std::string>>();
    std::sort(mine.begin(), mine.end());
    if (!common) {
      common = mine;
      continue;
    }
    std::vector<std::string> both;
    std::set_intersection(common->begin(), common->end(), mine.begin(), mine.end(), std::back_inserter(both));
    common = std::move(both);
  }
  if (!common || common->empty()) return;
  doc["context"]["kbench_counters_unsupported"] = *common;
  for (auto& b : doc["benchmarks"]) {
    if (!b.contains("counters_unsupported")) continue;
    nlohmann::json rest = nlohmann::json::array();
    for (const auto& k : b["counters_unsupported"])
      if (!std::binary_search(common->begin(), common->end(), k.get<std::string>())) rest.push_back(k);
    if (rest.empty())
      b.erase("counters_unsupported");
    else
      b["counters_unsupported"] = std::move(rest);
  }
}

// Seven significant digits: 0.1 ppm, far finer than any figure repeats
// (icount: 0.02 %); the shortest round-trip form of a double has up to 17.
void round_numbers(nlohmann::json& j) {
  if (j.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7g", j.get<double>());
    j = std::strtod(buf, nullptr);
  } else if (j.is_structured()) {
    for (auto& v : j) round_numbers(v);
  }
}

nlohmann::json not_measured_entry(const ConfigResult& c) {
  nlohmann::json n = dimensions_json(c.job);
  n.update(nlohmann::json{{"name", c.job.key()},
                          {"status", c.status},
                          {"errno", c.err},
                          {"bad_field", c.bad_field},
                          {"reason", c.err == 0 && c.failures ? "every allocation failed" : c.reason}});
  return n;
}

}  // namespace

nlohmann::json results_to_gbench_json(const RunResults& r) {
  nlohmann::json doc;
  doc["context"] = r.context;
  nlohmann::json benchmarks = nlohmann::json::array();
  nlohmann::json not_measured = nlohmann::json::array();
  nlohmann::json footprints = nlohmann::json::array();
  std::set<std::string> config_keys;
  for (const auto& c : r.configs) {
    if (c.job.experiment == KBENCH_EXP_FOOTPRINT && c.values.is_object()) {
      nlohmann::json f = dimensions_json(c.job);
      f["name"] = c.job.key();
      f["call"] = c.call;
      f.update(c.values);
      footprints.push_back(std::move(f));
      continue;
    }
    if (c.phases.empty()) {
      not_measured.push_back(not_measured_entry(c));
      continue;
    }
    const nlohmann::json config = config_fields(c, r.emulated);
    for (const auto& k : config.items()) config_keys.insert(k.key());
    const std::string first = measurement_name(c.job, c.phases.front().phase);
    for (const auto& st : c.phases) {
      const std::string name = measurement_name(c.job, st.phase);
      // One iteration entry per repetition, what compare.py's U test
      // compares, for each configuration's own figures; the split of a
      // pair into its alloc and free (the same pairs, each operation
      // timed) carries its repetitions as rep_medians_ns only. Batch
      // counts only where they are not the plan's.
      const bool split =
          c.job.experiment == KBENCH_EXP_ALLOC && c.job.pattern == KBENCH_PATTERN_PAIR && st.phase != "pair";
      nlohmann::json rep_medians = nlohmann::json::array();
      uint32_t index = 0;
      for (const auto& rep : st.reps) {
        if (!rep.summary.n) continue;
        rep_medians.push_back(rep.summary.median);
        if (split) continue;
        nlohmann::json it = {
            {"name", name},          {"run_type", "iteration"},         {"repetition_index", index++},
            {"iterations", rep.ops}, {"real_time", rep.summary.median}, {"cpu_time", rep.summary.median},
            {"time_unit", "ns"}};
        if (rep.summary.n != c.job.batches) it["batches"] = rep.summary.n;
        if (rep.noisy_batches) it["noisy_batches"] = rep.noisy_batches;
        benchmarks.push_back(std::move(it));
      }
      // The median over the repetitions' medians, as Google Benchmark
      // names its aggregate: the measurement. It also carries the
      // repetitions' medians (where there are no iteration entries) and
      // their cv, the pooled distribution of batch means and the
      // confidence interval of the pooled median.
      nlohmann::json b = {{"name", name + "_median"},          {"run_name", name},
                          {"run_type", "aggregate"},           {"aggregate_name", "median"},
                          {"iterations", st.repetitions},      {"real_time", st.rep_medians.median},
                          {"cpu_time", st.rep_medians.median}, {"time_unit", "ns"}};
      if (name == first)
        b.update(config);
      else
        b["config_entry"] = first;
      b.update(phase_fields(c, st));
      if (split) b["rep_medians_ns"] = std::move(rep_medians);
      b["rep_cv"] = st.rep_medians.cv;
      put_distribution(b, st.pooled);
      b["median_ci_low_ns"] = st.median_ci.low;
      b["median_ci_high_ns"] = st.median_ci.high;
      b["median_ci_coverage"] = st.median_ci.coverage;
      b["batches"] = st.pooled.n;
      b["noisy_batches"] = st.noisy_batches;
      if (st.discarded_batches) b["discarded_batches"] = st.discarded_batches;
      benchmarks.push_back(std::move(b));
    }
  }
  doc["benchmarks"] = std::move(benchmarks);
  doc["context"]["kbench_config_fields"] = config_keys;
  hoist_unsupported_counters(doc);
  round_numbers(doc["benchmarks"]);
  doc["kbench_not_measured"] = std::move(not_measured);
  doc["kbench_footprint"] = std::move(footprints);
  doc.update(derived_to_json(r));
  doc["kbench_selftest"] = r.selftest;
  if (!r.fuzz.is_null()) doc["kbench_ioctl_fuzz"] = r.fuzz;
  if (r.module_after) doc["kbench_module_after"] = *r.module_after;
  return doc;
}

namespace {

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(ReporterOptions o) : o_(std::move(o)) {}
  void report(const RunResults& r) override {
    // Compact: a default run has thousands of entries; readers do not care.
    const std::string text = results_to_gbench_json(r).dump() + "\n";
    if (o_.file == "-") {
      (o_.out ? *o_.out : std::cout) << text;
      return;
    }
    write_file_atomically(o_.file.empty() ? o_.out_dir + "/results.json" : o_.file, text);
  }

 private:
  ReporterOptions o_;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(const ReporterOptions& o) { return std::make_unique<JsonReporter>(o); }

}  // namespace kbench
