// SPDX-License-Identifier: GPL-2.0
// json_reporter_test.cpp - results.json keeps Google Benchmark's contract,
// every entry carries its dimensions as fields, and the reporter factory
// knows every format.
#include <gtest/gtest.h>

#include <cerrno>
#include <regex>
#include <set>
#include <sstream>

#include "core/error.h"
#include "fake_device.h"
#include "report/reporter.h"

namespace kbench {
namespace {

RunResults sample_results() {
  RunResults r;
  r.emulated = true;
  r.context = {{"json_schema_version", 1}, {"emulated", true}, {"kbench_catalog", test::fake_catalog()}};
  ConfigResult ok;
  ok.job.api = "kmalloc";
  ok.job.size = 65536;
  ok.job.ops_per_batch = auto_ops_per_batch(65536);
  ok.job.batches = 3;  // each repetition below: three batch means
  ok.status = "ok";
  ok.call = "kmalloc";
  ok.counters_unsupported = {"cycles"};
  ok.counter_scope = "alloc+free pair";
  uint32_t slot = 1;
  for (const char* phase : {"alloc", "free"}) {
    PhaseStats st;
    st.slot = slot++;
    st.phase = phase;
    st.unit = "op";
    // Two repetitions with medians 20 and 40.
    for (uint32_t i = 0; i < 2; ++i) {
      RepetitionStats rep;
      rep.index = i;
      rep.summary = summarize({10.0 * (i + 1), 20.0 * (i + 1), 30.0 * (i + 1)});
      rep.ops = 48;
      st.reps.push_back(rep);
    }
    st.pooled = summarize({10, 20, 30, 20, 40, 60});
    st.median_ci = median_ci({10, 20, 30, 20, 40, 60});
    st.rep_medians = summarize({20, 40});
    st.repetitions = 2;
    ok.phases.push_back(st);
  }
  ConfigResult refused;
  refused.job.api = "vmalloc";
  refused.job.size = 64;
  refused.job.ops_per_batch = auto_ops_per_batch(64);
  refused.job.gfp = Gfp{KBENCH_GFP_ATOMIC, 0};
  refused.status = "refused";
  refused.err = EOPNOTSUPP;
  refused.reason = "vmalloc may sleep";
  ConfigResult fp;
  fp.job.experiment = KBENCH_EXP_FOOTPRINT;
  fp.job.api = "vmalloc";
  fp.job.size = 65536;
  fp.status = "ok";
  fp.values = {{"pte_4k", 16}, {"in_vmalloc", 1}};
  // The whole pair loop, and the harness of the same loop shape.
  PhaseStats pair = ok.phases[0];
  pair.slot = 0;
  pair.phase = "pair";
  pair.unit = "pair";
  pair.harness_ns = 2;
  pair.net_ns = pair.pooled.median - 2;
  pair.counters = {{"task_clock_ns", 25.5}};
  ok.phases.insert(ok.phases.begin(), pair);
  ConfigResult noop = ok;
  noop.job.api = "noop";
  noop.phases = {pair};
  noop.phases[0].pooled = summarize({2, 2, 2});
  r.configs = {ok, refused, fp, noop};
  return r;
}

TEST(JsonReporter, OneIterationPerRepetitionThenTheMedian) {
  const nlohmann::json doc = results_to_gbench_json(sample_results());
  ASSERT_TRUE(doc.contains("context"));
  // kmalloc's pair phase: 2 iterations + the median; its alloc and free
  // split: the median only (the repetitions in it); the noop's pair phase:
  // 2 iterations + the median.
  ASSERT_EQ(doc["benchmarks"].size(), 8U);
  const std::regex name_re(R"([a-z_0-9]+(/[a-z_]+:[^/]+)+/(pair|alloc|free)(_median)?)");
  // What compare.py reads, on every entry; the iterations no more than
  // that and their own batch counts (a default run stays small).
  const std::set<std::string> gbench = {"name", "run_type", "iterations", "real_time", "cpu_time", "time_unit"};
  const std::set<std::string> iteration = {"repetition_index", "batches", "noisy_batches"};
  // A configuration's fields in its first phase's entry only; the others
  // name it, and the context lists those fields.
  std::map<std::string, nlohmann::json> by_run_name;
  for (const auto& b : doc["benchmarks"])
    if (b["run_type"] == "aggregate") by_run_name[b["run_name"].get<std::string>()] = b;
  const auto& config_fields = doc["context"]["kbench_config_fields"];
  size_t medians = 0, referring = 0;
  for (const auto& b : doc["benchmarks"]) {
    for (const auto& k : gbench) EXPECT_TRUE(b.contains(k)) << k << " in " << b["name"];
    if (b["run_type"] == "aggregate") {
      EXPECT_EQ(b["aggregate_name"], "median") << "mean, stddev and cv are fields of the median entry";
      for (const char* k : {"phase", "unit", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "min_ns", "repetitions",
                            "run_name", "rep_cv", "median_ci_low_ns", "batches"})
        EXPECT_TRUE(b.contains(k)) << k << " in " << b["name"];
      const nlohmann::json* config = &b;
      if (b.contains("config_entry")) {
        ++referring;
        ASSERT_TRUE(by_run_name.count(b["config_entry"].get<std::string>())) << b["config_entry"];
        config = &by_run_name[b["config_entry"].get<std::string>()];
        EXPECT_FALSE(config->contains("config_entry")) << "one step: the entry named states them";
        for (const auto& k : config_fields) EXPECT_FALSE(b.contains(k.get<std::string>())) << k << " twice";
      }
      for (const char* k : {"experiment", "api", "size_bytes", "gfp", "pattern", "ops_per_batch", "context", "emulated",
                            "call", "sweep", "options", "failures"}) {
        EXPECT_TRUE(config->contains(k)) << k << " for " << b["name"];
        EXPECT_NE(std::find(config_fields.begin(), config_fields.end(), k), config_fields.end()) << k;
      }
      EXPECT_TRUE(b.contains("noisy_batches")) << b["name"];
      ++medians;
    } else {
      EXPECT_EQ(b["run_type"], "iteration");
      for (const auto& [k, v] : b.items())
        EXPECT_TRUE(gbench.count(k) || iteration.count(k)) << k << " in " << b["name"] << ": the median's";
      EXPECT_FALSE(b.contains("batches") || b.contains("noisy_batches")) << "the plan's batches, none noisy";
    }
    EXPECT_TRUE(std::regex_match(b["name"].get<std::string>(), name_re)) << b["name"];
    EXPECT_EQ(b["time_unit"], "ns");
    EXPECT_FALSE(b.contains("batch_ns")) << "per-batch samples stay in raw.ndjson";
  }
  EXPECT_EQ(medians, 4U);
  EXPECT_EQ(referring, 2U) << "kmalloc's alloc and free name its pair entry";
  const auto& it0 = doc["benchmarks"][0];
  EXPECT_EQ(it0["name"], "kmalloc/size:64K/gfp:GFP_KERNEL/pattern:pair/n:16/ctx:preempt-on/pair");
  EXPECT_EQ(it0["run_type"], "iteration");
  EXPECT_EQ(it0["repetition_index"], 0);
  const auto& pair_median = doc["benchmarks"][2];
  EXPECT_EQ(pair_median["name"], "kmalloc/size:64K/gfp:GFP_KERNEL/pattern:pair/n:16/ctx:preempt-on/pair_median");
  EXPECT_DOUBLE_EQ(pair_median["net_ns"].get<double>(), 23.0);  // raw 25 - harness 2
  // The alloc split: no iterations, its repetitions in the median entry.
  const auto& median = doc["benchmarks"][3];
  EXPECT_EQ(median["name"], "kmalloc/size:64K/gfp:GFP_KERNEL/pattern:pair/n:16/ctx:preempt-on/alloc_median");
  EXPECT_EQ(median["run_name"], "kmalloc/size:64K/gfp:GFP_KERNEL/pattern:pair/n:16/ctx:preempt-on/alloc");
  EXPECT_EQ(median["run_type"], "aggregate");
  EXPECT_EQ(median["rep_medians_ns"], (nlohmann::json{20.0, 40.0}));
  EXPECT_DOUBLE_EQ(median["real_time"].get<double>(), 30.0);
  EXPECT_NEAR(median["rep_cv"].get<double>(), 14.1421356 / 30, 1e-6);  // sample stddev of 20 and 40, / mean
  EXPECT_FALSE(median.contains("unreliable") || median.contains("discarded_batches")) << "written when true, > 0";
  EXPECT_DOUBLE_EQ(median["p50_ns"].get<double>(), 25.0);  // the pooled median
  EXPECT_TRUE(median.contains("median_ci_low_ns") && median.contains("median_ci_high_ns"));
  // Counters: the value where it exists; the ones unsupported in every
  // entry named once, in the context; per the unit of the loops.
  EXPECT_DOUBLE_EQ(pair_median["counters_per_op"]["task_clock_ns"].get<double>(), 25.5);
  EXPECT_EQ(doc["context"]["kbench_counters_unsupported"], (nlohmann::json{"cycles"}));
  EXPECT_FALSE(pair_median.contains("counters_unsupported"));
  EXPECT_EQ(pair_median["counters_scope"], "alloc+free pair");
  EXPECT_EQ(median["counters_per_op"], nlohmann::json::object());
  EXPECT_EQ(median["counters_scope"], "op");
}

TEST(JsonReporter, AnIterationSaysSoWhenItsBatchesAreNotThePlans) {
  RunResults r = sample_results();
  r.configs[0].phases[0].reps[0].noisy_batches = 1;
  r.configs[0].phases[0].reps[1].summary.n = 2;  // one discarded
  const nlohmann::json doc = results_to_gbench_json(r);
  EXPECT_EQ(doc["benchmarks"][0]["noisy_batches"], 1);
  EXPECT_FALSE(doc["benchmarks"][0].contains("batches"));
  EXPECT_EQ(doc["benchmarks"][1]["batches"], 2);
  EXPECT_FALSE(doc["benchmarks"][1].contains("noisy_batches"));
}

TEST(JsonReporter, ThreadsAreGoogleBenchmarksFieldAndTheTeamFiguresAreTheirs) {
  RunResults r = sample_results();
  ConfigResult& c = r.configs[0];
  c.job.threads = kThreadsAll;
  c.threads = 4;
  for (auto& p : c.phases) {
    p.threads = 4;
    p.thread_medians = {20, 21, 22, 23};
    p.aggregate_ops_per_s = summarize({1e6, 3e6});
    p.overlap = summarize({0.25, 0.75});
  }
  const nlohmann::json doc = results_to_gbench_json(r);
  size_t seen = 0, with_threads = 0;
  for (const auto& b : doc["benchmarks"]) {
    if (b["run_type"] != "aggregate" || b["name"].get<std::string>().rfind("kmalloc/", 0) != 0) continue;
    ++seen;
    EXPECT_NE(b["name"].get<std::string>().find("/threads:all/"), std::string::npos) << b["name"];
    EXPECT_EQ(b["per_thread_p50_ns"], (nlohmann::json{20, 21, 22, 23}));
    EXPECT_DOUBLE_EQ(b["aggregate_ops_per_s"].get<double>(), 2e6);
    EXPECT_DOUBLE_EQ(b["overlap"].get<double>(), 0.5);
    if (b.contains("threads")) {
      EXPECT_EQ(b["threads"], 4) << "an integer, as Google Benchmark writes it";
      ++with_threads;
    }
  }
  EXPECT_EQ(seen, 3U);
  EXPECT_EQ(with_threads, 1U) << "a configuration's fields are in its first phase's entry";
}

TEST(JsonReporter, NumbersKeepSevenSignificantDigits) {
  RunResults r = sample_results();
  r.configs[0].phases[0].pooled.median = 5308.598937988281;
  const nlohmann::json doc = results_to_gbench_json(r);
  EXPECT_EQ(doc["benchmarks"][2]["p50_ns"].dump(), "5308.599");
}

TEST(JsonReporter, RefusedConfigurationsCarryNoTimesAndFootprintsTheirValues) {
  const nlohmann::json doc = results_to_gbench_json(sample_results());
  ASSERT_EQ(doc["kbench_not_measured"].size(), 1U);
  const auto& n = doc["kbench_not_measured"][0];
  EXPECT_EQ(n["status"], "refused");
  EXPECT_EQ(n["reason"], "vmalloc may sleep");
  EXPECT_EQ(n["api"], "vmalloc");
  EXPECT_EQ(n["gfp"], "GFP_ATOMIC");
  EXPECT_FALSE(n.contains("real_time"));
  ASSERT_EQ(doc["kbench_footprint"].size(), 1U);
  EXPECT_EQ(doc["kbench_footprint"][0]["pte_4k"], 16);
  EXPECT_EQ(doc["kbench_footprint"][0]["name"], "footprint/vmalloc/size:64K/gfp:GFP_KERNEL");
}

TEST(Reporters, OneFactoryForEveryFormat) {
  EXPECT_EQ(reporter_names().size(), 4U);
  std::stringstream out;
  ReporterOptions o;
  o.out = &out;
  o.file = "-";
  for (const auto& name : {"json", "csv", "console"}) {
    out.str("");
    make_reporter(name, o)->report(sample_results());
    EXPECT_FALSE(out.str().empty()) << name;
  }
  try {
    make_reporter("xml", o);
    FAIL() << "made an unknown reporter";
  } catch (const Error& e) {
    EXPECT_NE(e.hint().find("console, json, csv, history"), std::string::npos) << e.hint();
  }
}

TEST(CsvReporter, OneRowPerMeasurementWithDimensionsInColumns) {
  const std::string csv = results_to_csv(sample_results());
  std::stringstream in(csv);
  std::string header, row;
  std::getline(in, header);
  const auto columns = std::count(header.begin(), header.end(), ',');
  size_t rows = 0;
  while (std::getline(in, row)) {
    ++rows;
    EXPECT_EQ(std::count(row.begin(), row.end(), ','), columns) << row;
    EXPECT_EQ(row.rfind("2,", 0), 0U) << "the format version leads every row";
  }
  EXPECT_EQ(rows, 3U + 2U + 1U);  // three phases, one refused, one footprint (no phases), the noop
  EXPECT_NE(csv.find(",alloc,kmalloc,65536,GFP_KERNEL,pair,16,preempt-on,,,alloc,op,"), std::string::npos) << csv;
}

TEST(ConsoleReporter, SaysEmulatedShortByDefaultEverythingWhenVerbose) {
  std::stringstream out;
  ReporterOptions o;
  o.out = &out;
  make_reporter("console", o)->report(sample_results());
  std::string text = out.str();
  EXPECT_EQ(text.rfind("=== EMULATED", 0), 0U) << text;
  EXPECT_NE(text.find("cheapest alloc+free pair"), std::string::npos) << text;
  EXPECT_NE(text.find("kmalloc 23.0 ns"), std::string::npos) << text;  // net of the harness
  EXPECT_NE(text.find("harness: 2.0 ns per pair, 8.00% of the cheapest pair measured (kmalloc 64K, 25.0 ns raw)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vmalloc may sleep"), std::string::npos);
  out.str("");
  o.verbose = true;
  make_reporter("console", o)->report(sample_results());
  text = out.str();
  EXPECT_NE(text.find("kmalloc/size:64K/gfp:GFP_KERNEL/pattern:pair/n:16/ctx:preempt-on"), std::string::npos);
  EXPECT_NE(text.find("footprint/vmalloc/size:64K"), std::string::npos) << text;
  EXPECT_EQ(format_ns(812), "812.0 ns");
  EXPECT_EQ(format_ns(12400), "12.40 us");
  EXPECT_EQ(format_ns(3.1e6), "3.10 ms");
}

}  // namespace
}  // namespace kbench
