// SPDX-License-Identifier: GPL-2.0
// json_reporter_test.cpp - results.json keeps Google Benchmark's contract.
#include <gtest/gtest.h>

#include <cerrno>
#include <regex>
#include <sstream>

#include "report/reporter.h"

namespace kbench {
namespace {

RunResults sample_results() {
  RunResults r;
  r.emulated = true;
  r.context = {{"json_schema_version", 1}, {"emulated", true}};
  ConfigResult ok;
  ok.job.api = KBENCH_API_KMALLOC;
  ok.job.size = 65536;
  ok.job.ops_per_batch = auto_ops_per_batch(65536);
  ok.status = "ok";
  ok.call = "kmalloc";
  // Two repetitions with medians 20 and 40.
  for (uint32_t i = 0; i < 2; ++i) {
    Repetition rep;
    rep.index = i;
    for (const char* phase : {"alloc", "free"}) {
      PhaseSamples p;
      p.phase = phase;
      p.ns_per_op = {10.0 * (i + 1), 20.0 * (i + 1), 30.0 * (i + 1)};
      p.summary = summarize(p.ns_per_op);
      p.ops = 48;
      rep.phases.push_back(p);
    }
    ok.repetitions.push_back(rep);
  }
  for (const char* phase : {"alloc", "free"}) {
    PhaseStats st;
    st.phase = phase;
    st.pooled = summarize({10, 20, 30, 20, 40, 60});
    st.median_ci = median_ci({10, 20, 30, 20, 40, 60});
    st.rep_medians = summarize({20, 40});
    st.repetitions = 2;
    ok.phases.push_back(st);
  }
  ConfigResult refused;
  refused.job.api = KBENCH_API_VMALLOC;
  refused.job.size = 64;
  refused.job.ops_per_batch = auto_ops_per_batch(64);
  refused.job.gfp = Gfp{KBENCH_GFP_ATOMIC, 0};
  refused.status = "refused";
  refused.err = EOPNOTSUPP;
  refused.reason = "vmalloc may sleep";
  r.configs = {ok, refused};
  return r;
}

TEST(JsonReporter, OneIterationPerRepetitionThenAggregates) {
  const nlohmann::json doc = results_to_gbench_json(sample_results());
  ASSERT_TRUE(doc.contains("context"));
  // 2 phases x (2 iterations + mean, median, stddev, cv)
  ASSERT_EQ(doc["benchmarks"].size(), 12U);
  const std::regex name_re(
      R"([a-z_0-9]+/[0-9]+/[A-Z_0-9|]+/[a-z-]+(:[0-9]+)?(/.+)?/(alloc|free)(_mean|_median|_stddev|_cv)?)");
  for (const auto& b : doc["benchmarks"]) {
    for (const char* k :
         {"name",      "run_name", "run_type",   "repetitions", "threads", "iterations",    "real_time", "cpu_time",
          "time_unit", "api",      "size_bytes", "gfp",         "pattern", "phase",         "failures",  "p50_ns",
          "p90_ns",    "p99_ns",   "p999_ns",    "max_ns",      "min_ns",  "noisy_batches", "emulated"})
      EXPECT_TRUE(b.contains(k)) << k << " in " << b["name"];
    EXPECT_TRUE(std::regex_match(b["name"].get<std::string>(), name_re)) << b["name"];
    EXPECT_EQ(b["time_unit"], "ns");
    EXPECT_EQ(b["repetitions"], 2);
  }
  const auto& it0 = doc["benchmarks"][0];
  EXPECT_EQ(it0["name"], "kmalloc/65536/GFP_KERNEL/pair/alloc");
  EXPECT_EQ(it0["run_type"], "iteration");
  EXPECT_EQ(it0["repetition_index"], 0);
  EXPECT_DOUBLE_EQ(it0["real_time"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(doc["benchmarks"][1]["real_time"].get<double>(), 40.0);
  const auto& median = doc["benchmarks"][3];
  EXPECT_EQ(median["name"], "kmalloc/65536/GFP_KERNEL/pair/alloc_median");
  EXPECT_EQ(median["run_name"], "kmalloc/65536/GFP_KERNEL/pair/alloc");
  EXPECT_EQ(median["run_type"], "aggregate");
  EXPECT_EQ(median["aggregate_name"], "median");
  EXPECT_DOUBLE_EQ(median["real_time"].get<double>(), 30.0);
  EXPECT_TRUE(median.contains("median_ci_low_ns") && median.contains("median_ci_high_ns"));
  EXPECT_EQ(doc["benchmarks"][5]["aggregate_unit"], "percentage");
}

TEST(JsonReporter, RefusedConfigurationsCarryNoTimes) {
  const nlohmann::json doc = results_to_gbench_json(sample_results());
  ASSERT_EQ(doc["kbench_not_measured"].size(), 1U);
  const auto& n = doc["kbench_not_measured"][0];
  EXPECT_EQ(n["status"], "refused");
  EXPECT_EQ(n["reason"], "vmalloc may sleep");
  EXPECT_FALSE(n.contains("real_time"));
}

TEST(ConsoleReporter, SaysEmulatedAndListsMeasurements) {
  std::stringstream out;
  make_console_reporter(out)->report(sample_results());
  const std::string text = out.str();
  EXPECT_EQ(text.rfind("=== EMULATED", 0), 0U) << text;
  EXPECT_NE(text.find("kmalloc/65536/GFP_KERNEL/pair"), std::string::npos);
  EXPECT_NE(text.find("vmalloc may sleep"), std::string::npos);
  EXPECT_EQ(format_ns(812), "812.0 ns");
  EXPECT_EQ(format_ns(12400), "12.40 us");
  EXPECT_EQ(format_ns(3.1e6), "3.10 ms");
}

}  // namespace
}  // namespace kbench
