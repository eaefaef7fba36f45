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
  ok.status = "ok";
  ok.call = "kmalloc";
  for (const char* phase : {"alloc", "free"}) {
    PhaseResult p;
    p.phase = phase;
    p.ns_per_op = {10, 20, 30};
    p.summary = summarize(p.ns_per_op);
    p.ops = 48;
    ok.phases.push_back(p);
  }
  ConfigResult refused;
  refused.job.api = KBENCH_API_VMALLOC;
  refused.job.size = 64;
  refused.job.gfp = Gfp{KBENCH_GFP_ATOMIC, 0};
  refused.status = "refused";
  refused.err = EOPNOTSUPP;
  refused.reason = "vmalloc may sleep";
  r.configs = {ok, refused};
  return r;
}

TEST(JsonReporter, GoogleBenchmarkFieldsOnEveryTimingEntry) {
  const nlohmann::json doc = results_to_gbench_json(sample_results());
  ASSERT_TRUE(doc.contains("context"));
  ASSERT_EQ(doc["benchmarks"].size(), 2U);
  const std::regex name_re(R"([a-z_0-9]+/[0-9]+/[A-Z_0-9|]+/[a-z-]+(:[0-9]+)?(/.+)?/(alloc|free))");
  for (const auto& b : doc["benchmarks"]) {
    for (const char* k :
         {"name",      "run_name", "run_type",  "repetitions", "repetition_index", "threads", "iterations",
          "real_time", "cpu_time", "time_unit", "api",         "size_bytes",       "gfp",     "pattern",
          "phase",     "failures", "p90_ns",    "p99_ns",      "max_ns",           "emulated"})
      EXPECT_TRUE(b.contains(k)) << k;
    EXPECT_TRUE(std::regex_match(b["name"].get<std::string>(), name_re)) << b["name"];
    EXPECT_EQ(b["time_unit"], "ns");
    EXPECT_EQ(b["run_type"], "iteration");
    EXPECT_DOUBLE_EQ(b["real_time"].get<double>(), 20.0);
  }
  EXPECT_EQ(doc["benchmarks"][0]["name"], "kmalloc/65536/GFP_KERNEL/pair/alloc");
  EXPECT_EQ(doc["benchmarks"][1]["phase"], "free");
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
