// SPDX-License-Identifier: GPL-2.0
// json_reporter.cpp - results.json in Google Benchmark's JSON format, so
// compare.py (libbenchmark-tools) can diff two runs.
//
// One "iteration" entry per measured configuration and phase: real_time
// and cpu_time are both the median over batches of ns per op, measured in
// the kernel. Configurations that were refused, invalid or failed are not
// timing entries (compare.py expects times on every entry, and a made-up
// time would be a lie): they are listed in "kbench_not_measured".
#include <fstream>

#include "core/error.h"
#include "report/reporter.h"

namespace kbench {

nlohmann::json results_to_gbench_json(const RunResults& r) {
  nlohmann::json doc;
  doc["context"] = r.context;
  nlohmann::json benchmarks = nlohmann::json::array();
  nlohmann::json not_measured = nlohmann::json::array();
  size_t family = 0;
  for (const auto& c : r.configs) {
    const std::string base = c.job.name();
    if (c.phases.empty()) {
      not_measured.push_back({{"name", base},
                              {"api", c.job.api_name()},
                              {"size_bytes", c.job.size},
                              {"gfp", c.job.gfp.to_string()},
                              {"pattern", c.job.pattern_name()},
                              {"context", c.job.context_name()},
                              {"status", c.status},
                              {"errno", c.err},
                              {"bad_field", c.bad_field},
                              {"reason", c.err == 0 && c.failures ? "every allocation failed" : c.reason}});
      continue;
    }
    for (const auto& p : c.phases) {
      const std::string name = base + "/" + p.phase;
      nlohmann::json b = {{"name", name},
                          {"family_index", family++},
                          {"per_family_instance_index", 0},
                          {"run_name", name},
                          {"run_type", "iteration"},
                          {"repetitions", 1},
                          {"repetition_index", 0},
                          {"threads", 1},
                          {"iterations", p.ops},
                          {"real_time", p.summary.median},
                          {"cpu_time", p.summary.median},
                          {"time_unit", "ns"},
                          {"api", c.job.api_name()},
                          {"size_bytes", c.job.size},
                          {"gfp", c.job.gfp.to_string()},
                          {"pattern", c.job.pattern_name()},
                          {"phase", p.phase},
                          {"context", c.job.context_name()},
                          {"ops_per_batch", c.job.ops_per_batch},
                          {"batches", p.summary.n},
                          {"warmup_batches", c.job.warmup_batches},
                          {"call", c.call},
                          {"sweep", c.job.sweep},
                          {"failures", c.failures},
                          {"noisy_batches", p.noisy_batches},
                          {"footprint_bytes", c.footprint_bytes},
                          {"emulated", r.emulated},
                          {"min_ns", p.summary.min},
                          {"median_ns", p.summary.median},
                          {"mean_ns", p.summary.mean},
                          {"p90_ns", p.summary.p90},
                          {"p99_ns", p.summary.p99},
                          {"max_ns", p.summary.max},
                          {"stddev_ns", p.summary.stddev},
                          {"cv", p.summary.cv},
                          {"batch_ns", p.ns_per_op}};
      if (c.job.is_mempool()) b["mempool_min_nr"] = c.job.mempool_min_nr;
      if (!c.reason.empty()) b["note"] = c.reason;
      benchmarks.push_back(std::move(b));
    }
  }
  doc["benchmarks"] = std::move(benchmarks);
  doc["kbench_not_measured"] = std::move(not_measured);
  doc["kbench_selftest"] = r.selftest;
  if (r.module_after) doc["kbench_module_after"] = *r.module_after;
  return doc;
}

namespace {

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::string dir) : dir_(std::move(dir)) {}
  void report(const RunResults& r) override {
    const std::string path = dir_ + "/results.json";
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp);
      if (!out) throw Error("cannot write " + tmp, "check that --out is a writable directory");
      out << results_to_gbench_json(r).dump(1) << "\n";
      if (!out) throw Error("writing " + tmp + " failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error("cannot rename " + tmp + " to " + path);
  }

 private:
  std::string dir_;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(const std::string& out_dir) {
  return std::make_unique<JsonReporter>(out_dir);
}

}  // namespace kbench
