// SPDX-License-Identifier: GPL-2.0
// csv_reporter.cpp - one row per measurement (configuration and phase), and
// one per configuration that was not measured, with every dimension in its
// own column. The first line names the columns; the format version is the
// first column of every row, as fio's terse output does it.
#include <cmath>
#include <iostream>
#include <sstream>

#include "report/reporter.h"

namespace kbench {
namespace {

constexpr int kCsvVersion = 2;

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (const char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

std::string num(double v) {
  if (!std::isfinite(v)) return {};
  std::ostringstream o;
  o.precision(10);
  o << v;
  return o.str();
}

std::string options_text(const Job& job) {
  std::string s;
  for (const auto& o : job.options) s += (s.empty() ? "" : ";") + o.key + "=" + std::to_string(o.value);
  return s;
}

std::string dims(const Job& j) {
  const bool api = j.reads(KBENCH_FIELD_API);
  return std::string(j.experiment_name()) + "," + (api ? j.api : "") + "," + std::to_string(j.size) + "," +
         (j.reads(KBENCH_FIELD_GFP) ? field(j.gfp.to_string()) : "") + "," +
         (j.reads(KBENCH_FIELD_PATTERN) ? std::string(j.pattern_name()) : "") + "," +
         (j.reads(KBENCH_FIELD_OPS) ? std::to_string(j.ops_per_batch) : "") + "," +
         (j.reads(KBENCH_FIELD_CONTEXT) ? std::string(j.context_name()) : "") + "," +
         (j.reads(KBENCH_FIELD_MODE) ? std::string(j.access_mode_name()) : "") + "," + field(options_text(j));
}

}  // namespace

std::string results_to_csv(const RunResults& r) {
  std::string out =
      "version,name,experiment,api,size_bytes,gfp,pattern,ops_per_batch,context,access_mode,options,phase,unit,"
      "call,status,repetitions,batches,noisy_batches,failures,median_ns,ci_low_ns,ci_high_ns,mean_ns,stddev_ns,"
      "min_ns,p90_ns,p99_ns,p999_ns,max_ns,rep_median_cv,harness_ns,unreliable,reason\n";
  const std::string v = std::to_string(kCsvVersion) + ",";
  for (const auto& c : r.configs) {
    if (c.phases.empty()) {
      out += v + field(c.job.key()) + "," + dims(c.job) + ",,," + field(c.call) + "," + c.status +
             std::string(18, ',') + field(c.reason) + "\n";
      continue;
    }
    for (const auto& p : c.phases) {
      out += v + field(measurement_name(c.job, p.phase)) + "," + dims(c.job) + "," + p.phase + "," + p.unit + "," +
             field(c.call) + "," + c.status + "," + std::to_string(p.repetitions) + "," + std::to_string(p.pooled.n) +
             "," + std::to_string(p.noisy_batches) + "," + std::to_string(c.failures) + "," + num(p.pooled.median) +
             "," + num(p.median_ci.low) + "," + num(p.median_ci.high) + "," + num(p.pooled.mean) + "," +
             num(p.pooled.stddev) + "," + num(p.pooled.min) + "," + num(p.pooled.p90) + "," + num(p.pooled.p99) + "," +
             num(p.pooled.p999) + "," + num(p.pooled.max) + "," + num(p.rep_medians.cv) + "," +
             num(p.harness_ns >= 0 ? p.harness_ns : std::nan("")) + "," + (p.unreliable ? "1" : "0") + "," +
             field(c.reason) + "\n";
    }
  }
  return out;
}

namespace {

class CsvReporter final : public Reporter {
 public:
  explicit CsvReporter(ReporterOptions o) : o_(std::move(o)) {}
  void report(const RunResults& r) override {
    const std::string text = results_to_csv(r);
    if (o_.file == "-") {
      (o_.out ? *o_.out : std::cout) << text;
      return;
    }
    write_file_atomically(o_.file.empty() ? o_.out_dir + "/results.csv" : o_.file, text);
  }

 private:
  ReporterOptions o_;
};

}  // namespace

std::unique_ptr<Reporter> make_csv_reporter(const ReporterOptions& o) { return std::make_unique<CsvReporter>(o); }

}  // namespace kbench
