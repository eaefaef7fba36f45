// SPDX-License-Identifier: GPL-2.0
// json_reporter.cpp - results.json in Google Benchmark's JSON format, so
// compare.py (libbenchmark-tools) can diff two runs.
//
// Per measured configuration and phase: one "iteration" entry per
// repetition (real_time = cpu_time = the median over that repetition's
// batches of ns per op, measured in the kernel), then "aggregate" entries
// (mean, median, stddev, cv of the repetitions' medians). The median entry
// is the measurement: its dimensions as fields, the pooled percentiles, a
// 95 % confidence interval of the median, harness and net, counters. The
// others carry only what compare.py reads, so a default run stays small. Configurations that were
// refused, invalid or failed are not timing entries (compare.py expects
// times on every entry, and a made-up time would be a lie): they are
// listed in "kbench_not_measured". Facts that are the same for every entry
// (why a counter is unsupported, what each API is) are stated once, in the
// context. Per-batch samples stay in raw.ndjson.
#include <cmath>
#include <iostream>
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

nlohmann::json common_fields(const ConfigResult& c, const PhaseStats& st, bool emulated) {
  nlohmann::json b = dimensions_json(c.job);
  b.update(nlohmann::json{{"phase", st.phase},
                          {"unit", st.unit},
                          {"threads", 1},
                          {"call", c.call},
                          {"sweep", c.job.sweep},
                          {"warmup_batches", c.job.warmup_batches},
                          {"failures", c.failures},
                          {"footprint_bytes", c.footprint_bytes},
                          {"emulated", emulated},
                          {"repetitions", st.repetitions},
                          {"unreliable", st.unreliable}});
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
  if (st.unreliable) b["unreliable_reason"] = "within 1% of the harness cost (noop loop)";
  if (!c.reason.empty()) b["note"] = c.reason;
  if (c.job.steady()) {
    // A count only where one was taken: never a zero for "not counted".
    const DeferredWork d = deferred_work(c);
    if (d.vmap_purges) b["purges"] = *d.vmap_purges;
    if (d.slab_flushes) b["slab_flushes"] = *d.slab_flushes;
    if (d.purge_threshold_bytes) b["purge_threshold_bytes"] = d.purge_threshold_bytes;
  }
  // Counters: a value only where the counter exists; otherwise its name,
  // and the reason once in the context.
  if (!c.counters_unsupported.empty() || !st.counters.empty()) {
    nlohmann::json per_op = nlohmann::json::object();
    for (const auto& k : st.counters) per_op[k.name] = k.per_op;
    b["counters_per_op"] = per_op;
    b["counters_unsupported"] = c.counters_unsupported;
    // Each slot's counters are read around its own loops: per its unit.
    b["counters_scope"] = st.unit == "pair" ? "alloc+free pair" : st.unit;
    if (st.counters_multiplexed) b["counters_multiplexed"] = true;
  }
  if (c.ipi_tlb || c.ipi_cal) {
    b["ipi_tlb"] = c.ipi_tlb;
    b["ipi_cal"] = c.ipi_cal;
  }
  return b;
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
  size_t family = 0;
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
    for (const auto& st : c.phases) {
      const std::string name = measurement_name(c.job, st.phase);
      const nlohmann::json common = common_fields(c, st, r.emulated);
      // One iteration entry per repetition: what compare.py's U test compares.
      uint32_t index = 0;
      for (const auto& rep : st.reps) {
        if (!rep.summary.n) continue;
        // What compare.py reads, and the repetition's own batch counts:
        // the dimensions and distributions are the median entry's.
        benchmarks.push_back({{"name", name},
                              {"family_index", family},
                              {"per_family_instance_index", 0},
                              {"run_name", name},
                              {"run_type", "iteration"},
                              {"repetitions", st.repetitions},
                              {"repetition_index", index++},
                              {"threads", 1},
                              {"iterations", rep.ops},
                              {"real_time", rep.summary.median},
                              {"cpu_time", rep.summary.median},
                              {"time_unit", "ns"},
                              {"batches", rep.summary.n},
                              {"noisy_batches", rep.noisy_batches}});
      }
      // Aggregates over the repetitions' medians, as Google Benchmark
      // writes them; each also carries the pooled distribution and the
      // confidence interval of the pooled median.
      const struct {
        const char* name;
        double value;
        const char* unit;
      } aggs[] = {{"mean", st.rep_medians.mean, "time"},
                  {"median", st.rep_medians.median, "time"},
                  {"stddev", st.rep_medians.stddev, "time"},
                  {"cv", st.rep_medians.cv, "percentage"}};
      for (const auto& a : aggs) {
        nlohmann::json b = {{"name", name + "_" + a.name},
                            {"family_index", family},
                            {"per_family_instance_index", 0},
                            {"run_name", name},
                            {"run_type", "aggregate"},
                            {"aggregate_name", a.name},
                            {"aggregate_unit", a.unit},
                            {"iterations", st.repetitions},
                            {"real_time", a.value},
                            {"cpu_time", a.value},
                            {"time_unit", "ns"}};
        b["repetitions"] = st.repetitions;
        b["threads"] = 1;
        if (std::string_view(a.name) != "median") {  // the statistic only; the rest is the median's
          benchmarks.push_back(std::move(b));
          continue;
        }
        b.update(common);
        put_distribution(b, st.pooled);
        b["median_ns"] = st.pooled.median;
        b["median_ci_low_ns"] = st.median_ci.low;
        b["median_ci_high_ns"] = st.median_ci.high;
        b["median_ci_coverage"] = st.median_ci.coverage;
        b["batches"] = st.pooled.n;
        b["noisy_batches"] = st.noisy_batches;
        b["discarded_batches"] = st.discarded_batches;
        if (c.cv_target_missed) b["cv_target_missed"] = true;
        benchmarks.push_back(std::move(b));
      }
      ++family;
    }
  }
  doc["benchmarks"] = std::move(benchmarks);
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
