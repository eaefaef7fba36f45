// SPDX-License-Identifier: GPL-2.0
// derived_test.cpp - every figure kbench derives, recomputed here from the
// raw records of a real run (fixtures/derived-6.12.ndjson, made by
// `kbench run -c runner/tests/fixtures/derived.toml --target qemu:6.12`)
// with formulas written out in the test, independently of the analysis:
// per-phase medians and repetition aggregates, counters per operation, the
// harness of each loop shape, the vmalloc stage breakdown and its fit, the
// zeroing ratio, the huge-mapping expectation, and the export of all of it.
// A change to any of those formulas makes one of these tests fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>

#include "analysis/results.h"
#include "report/reporter.h"

namespace kbench {
namespace {

const RawRun& raw() {
  static const RawRun run = [] {
    std::ifstream in(std::string(KBENCH_SOURCE_DIR) + "/runner/tests/fixtures/derived-6.12.ndjson");
    return read_records(in);
  }();
  return run;
}

const RunResults& results() {
  static const RunResults r = [] {
    RunMeta meta;
    meta.target = "qemu:6.12";
    meta.emulated = true;
    meta.repetitions = 3;
    return analyze(raw(), meta);
  }();
  return r;
}

double khz() { return raw().module_before->clock_khz; }

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ns per op of every batch of a configuration's slot, per repetition.
std::map<uint32_t, std::vector<double>> batches(const std::string& key, size_t slot) {
  std::map<uint32_t, std::vector<double>> out;
  for (const auto& rj : raw().jobs) {
    if (rj.job.key() != key) continue;
    for (const auto& s : rj.outcome.samples)
      if (s.count[slot])
        out[rj.repetition].push_back(static_cast<double>(s.cycles[slot]) * 1e6 / khz() / s.count[slot]);
  }
  return out;
}

size_t slot_of(const ConfigResult& c, const std::string& phase) {
  const auto& slots = raw().catalog.experiment(c.job.experiment)->slots;
  return static_cast<size_t>(std::find(slots.begin(), slots.end(), phase) - slots.begin());
}

TEST(Derived, TheFixtureIsARealCompleteRun) {
  const RunResults& r = results();
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(raw().bad_records.empty());
  EXPECT_EQ(r.context["kernel_release"].get<std::string>().rfind("6.12.", 0), 0U);
  EXPECT_GE(r.configs.size(), 25U);
}

TEST(Derived, PhaseMediansAndRepetitionAggregatesFollowFromTheBatches) {
  size_t phases = 0;
  for (const auto& c : results().configs) {
    for (const auto& p : c.phases) {
      const auto reps = batches(c.job.key(), slot_of(c, p.phase));
      std::vector<double> pooled, medians;
      for (const auto& [index, v] : reps) {
        pooled.insert(pooled.end(), v.begin(), v.end());
        medians.push_back(median_of(v));
      }
      ASSERT_EQ(p.reps.size(), reps.size()) << c.job.key();
      EXPECT_NEAR(p.pooled.median, median_of(pooled), 1e-9 * p.pooled.median) << c.job.key() << " " << p.phase;
      EXPECT_EQ(p.pooled.n, pooled.size());
      EXPECT_DOUBLE_EQ(p.pooled.min, *std::min_element(pooled.begin(), pooled.end()));
      EXPECT_DOUBLE_EQ(p.pooled.max, *std::max_element(pooled.begin(), pooled.end()));
      size_t i = 0;
      for (const auto& [index, v] : reps) {
        EXPECT_EQ(p.reps[i].index, index);
        EXPECT_NEAR(p.reps[i].summary.median, median_of(v), 1e-9 * median_of(v));
        ++i;
      }
      const double mean = std::accumulate(medians.begin(), medians.end(), 0.0) / medians.size();
      double sq = 0;
      for (const double m : medians) sq += (m - mean) * (m - mean);
      const double sd = std::sqrt(sq / (medians.size() - 1));
      EXPECT_NEAR(p.rep_medians.mean, mean, 1e-9 * mean);
      EXPECT_NEAR(p.rep_medians.median, median_of(medians), 1e-9 * mean);
      EXPECT_NEAR(p.rep_medians.stddev, sd, 1e-9 * mean + 1e-12);
      EXPECT_NEAR(p.rep_medians.cv, sd / mean, 1e-9);
      ++phases;
    }
  }
  EXPECT_GT(phases, 40U);
}

TEST(Derived, CountersPerOpAreTheirTotalsOverTheOpsTheyCounted) {
  size_t checked = 0;
  for (const auto& c : results().configs) {
    for (size_t slot = 0; slot < 2 && slot < c.phases.size(); ++slot) {
      double total = 0, ops = 0;
      for (const auto& rj : raw().jobs) {
        if (rj.job.key() != c.job.key() || !rj.outcome.counters) continue;
        const kbench_counter& k = rj.outcome.counters->c[KBENCH_CNT_TASK_CLOCK];
        total += static_cast<double>(slot == 0 ? k.value : k.value2);
        for (const auto& s : rj.outcome.samples) ops += s.count[slot];
      }
      const auto& figs = c.phases[slot].counters;
      const auto it = std::find_if(figs.begin(), figs.end(), [](const auto& f) { return f.name == "task_clock_ns"; });
      if (ops == 0) continue;
      ASSERT_NE(it, figs.end()) << c.job.key();
      EXPECT_NEAR(it->per_op, total / ops, 1e-9 * (total / ops)) << c.job.key() << " slot " << slot;
      ++checked;
    }
    // The counters the emulator lacks are named, never given a value.
    if (!c.counters_unsupported.empty()) {
      for (const auto& p : c.phases)
        for (const auto& f : p.counters) EXPECT_NE(f.name, "dtlb_load_misses") << c.job.key();
    }
  }
  EXPECT_GT(checked, 20U);
  EXPECT_NE(results().context["kbench_counter_reasons"]["dtlb_load_misses"].get<std::string>().find("ENOENT"),
            std::string::npos);
}

TEST(Derived, TheHarnessIsTheCheapestNoopOfTheSameLoopShape) {
  size_t checked = 0;
  for (const auto& c : results().configs) {
    if (c.job.experiment != KBENCH_EXP_ALLOC) continue;
    for (const auto& p : c.phases) {
      double want = -1;
      for (const auto& n : results().configs)
        if (n.job.api == "noop" && n.job.pattern == c.job.pattern && n.job.ops_per_batch == c.job.ops_per_batch &&
            n.job.context == c.job.context)
          for (const auto& np : n.phases)
            if (np.phase == p.phase && (want < 0 || np.pooled.median < want)) want = np.pooled.median;
      EXPECT_DOUBLE_EQ(p.harness_ns, want) << c.job.key() << " " << p.phase;
      const bool unreliable = c.job.api != "noop" && want > 0 && p.pooled.median - want < 0.01 * p.pooled.median;
      EXPECT_EQ(p.unreliable, unreliable) << c.job.key();
      ++checked;
    }
  }
  EXPECT_GT(checked, 20U);
}

TEST(Derived, VmallocStagesAreTheStageMediansAndTheRestIsWhatTheyLeave) {
  const auto& rows = results().vmalloc_stages;
  ASSERT_EQ(rows.size(), 3U);
  std::vector<std::pair<double, double>> xy;
  for (const auto& s : rows) {
    const ConfigResult* c = nullptr;
    for (const auto& x : results().configs)
      if (x.job.experiment == KBENCH_EXP_STAGES && x.job.size == s.size) c = &x;
    ASSERT_NE(c, nullptr);
    auto med = [&](const char* stage) {
      std::vector<double> all;
      for (const auto& [i, v] : batches(c->job.key(), slot_of(*c, stage))) all.insert(all.end(), v.begin(), v.end());
      return median_of(all);
    };
    const double v = med("vmalloc"), pa = med("pages_alloc"), arr = med("page_array"), vm = med("vmap");
    EXPECT_EQ(s.pages, s.size / 4096);
    EXPECT_NEAR(s.vmalloc, v, 1e-9 * v);
    EXPECT_NEAR(s.pages_alloc, pa, 1e-9 * v);
    EXPECT_NEAR(s.page_array, arr, 1e-9 * v);
    EXPECT_NEAR(s.vmap, vm, 1e-9 * v);
    EXPECT_NEAR(s.vfree, med("vfree"), 1e-9 * v);
    EXPECT_NEAR(s.purge, med("purge"), 1e-9 * v);
    EXPECT_NEAR(s.vunmap, med("vunmap"), 1e-9 * v);
    EXPECT_NEAR(s.vm_map_ram, med("vm_map_ram"), 1e-9 * v);
    EXPECT_NEAR(s.rest, v - pa - arr - vm, 1e-9 * v);
    EXPECT_NEAR(s.explained, (pa + arr + vm) / v, 1e-9);
    EXPECT_NEAR(s.overhead, v - pa, 1e-9 * v);
    EXPECT_NEAR(s.vmap_share, vm / (v - pa), 1e-9);
    EXPECT_NEAR(s.page_array_share, arr / (v - pa), 1e-9);
    EXPECT_NEAR(s.rest_share, (v - pa - arr - vm) / (v - pa), 1e-9);
    xy.emplace_back(static_cast<double>(s.pages), vm);
  }
  // Least squares of vmap against pages, by the normal equations.
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, y] : xy) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double n = static_cast<double>(xy.size());
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  EXPECT_NEAR(results().vmap_fit.slope, slope, 1e-9 * slope);
  EXPECT_NEAR(results().vmap_fit.intercept, (sy - slope * sx) / n, 1e-6 * std::abs(sy / n));
  EXPECT_EQ(results().vmap_fit.n, 3U);
}

TEST(Derived, ZeroingIsAllocationBandwidthOverMemsetBandwidthOfTheSameSize) {
  const RunResults& r = results();
  const bool init_on_alloc = r.context["init_on_alloc"].get<bool>();
  auto pooled_median = [](const ConfigResult& c, const char* phase) {
    std::vector<double> all;
    for (const auto& [i, v] : batches(c.job.key(), slot_of(c, phase))) all.insert(all.end(), v.begin(), v.end());
    return median_of(all);
  };
  std::map<uint64_t, double> memset_ns_per_byte;
  for (const auto& c : r.configs)
    if (c.job.experiment == KBENCH_EXP_ACCESS && c.job.access_mode == KBENCH_ACCESS_MEMSET)
      memset_ns_per_byte[c.job.size] = pooled_median(c, "byte");
  ASSERT_EQ(memset_ns_per_byte.size(), 2U);
  size_t expected = 0;
  for (const auto& c : r.configs) {
    if (c.job.experiment != KBENCH_EXP_ALLOC || c.job.pattern != KBENCH_PATTERN_PAIR || c.job.api == "noop" ||
        !memset_ns_per_byte.count(c.job.size))
      continue;
    const bool zeroes = init_on_alloc || c.job.api == "kzalloc" || c.job.api == "vzalloc";
    if (!zeroes || c.phases.empty()) continue;
    ++expected;
    const auto it = std::find_if(r.zeroing.begin(), r.zeroing.end(),
                                 [&](const ZeroingRow& z) { return z.alloc_name == measurement_name(c.job, "alloc"); });
    ASSERT_NE(it, r.zeroing.end()) << c.job.key();
    const double alloc_bpns = static_cast<double>(c.job.size) / pooled_median(c, "alloc");
    const double memset_bpns = 1.0 / memset_ns_per_byte[c.job.size];
    EXPECT_EQ(it->api, c.job.api);
    EXPECT_NEAR(it->alloc_bytes_per_ns, alloc_bpns, 1e-9 * alloc_bpns);
    EXPECT_NEAR(it->memset_bytes_per_ns, memset_bpns, 1e-9 * memset_bpns);
    EXPECT_NEAR(it->fraction_of_limit, alloc_bpns / memset_bpns, 1e-9);
  }
  EXPECT_EQ(r.zeroing.size(), expected) << "no harness, no other size, no other pattern";
  EXPECT_GE(expected, 6U);
}

TEST(Derived, HugeMappingsAreExpectedFromTheRecordedFacts) {
  size_t checked = 0;
  for (const auto& c : results().configs) {
    if (c.job.experiment != KBENCH_EXP_FOOTPRINT) continue;
    if (c.job.api == "kmalloc") {
      EXPECT_FALSE(c.values.contains("huge_vmalloc")) << "kmalloc does not map with huge vmalloc pages";
      continue;
    }
    const auto& h = c.values.at("huge_vmalloc");
    const bool arch = results().context["kconfig"]["CONFIG_HAVE_ARCH_HUGE_VMALLOC"].get<bool>();
    const bool expected = arch && c.job.size >= (2U << 20);  // one NUMA node in the guest
    EXPECT_EQ(h["expected"].get<bool>(), expected) << c.job.key();
    EXPECT_EQ(h["used"].get<bool>(), c.values["pmd_2m"].get<uint64_t>() > 0) << c.job.key();
    if (!expected) {
      EXPECT_NE(h["why_not"].get<std::string>().find("below 2 MiB"), std::string::npos);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2U);
}

TEST(Derived, TheExportCarriesTheModelsFiguresEntryForEntry) {
  const RunResults& r = results();
  const nlohmann::json doc = results_to_gbench_json(r);
  std::map<std::string, const nlohmann::json*> by_name;
  for (const auto& b : doc["benchmarks"]) by_name[b["name"].get<std::string>()] = &b;
  size_t checked = 0;
  for (const auto& c : r.configs) {
    for (const auto& p : c.phases) {
      const std::string name = measurement_name(c.job, p.phase);
      const auto& median = *by_name.at(name + "_median");
      EXPECT_DOUBLE_EQ(median["real_time"].get<double>(), p.rep_medians.median);
      EXPECT_DOUBLE_EQ(median["p50_ns"].get<double>(), p.pooled.median);
      EXPECT_DOUBLE_EQ(median["p99_ns"].get<double>(), p.pooled.p99);
      EXPECT_DOUBLE_EQ(median["median_ci_low_ns"].get<double>(), p.median_ci.low);
      EXPECT_DOUBLE_EQ(median["median_ci_high_ns"].get<double>(), p.median_ci.high);
      EXPECT_DOUBLE_EQ(by_name.at(name + "_mean")->at("real_time").get<double>(), p.rep_medians.mean);
      EXPECT_DOUBLE_EQ(by_name.at(name + "_stddev")->at("real_time").get<double>(), p.rep_medians.stddev);
      EXPECT_DOUBLE_EQ(by_name.at(name + "_cv")->at("real_time").get<double>(), p.rep_medians.cv);
      if (p.harness_ns >= 0) {
        EXPECT_DOUBLE_EQ(median["harness_overhead_ns"].get<double>(), p.harness_ns);
      }
      for (const auto& f : p.counters) EXPECT_DOUBLE_EQ(median["counters_per_op"][f.name].get<double>(), f.per_op);
      // Iteration entries: one per repetition, its median as the time.
      std::vector<double> its;
      for (const auto& b : doc["benchmarks"])
        if (b["name"] == name && b["run_type"] == "iteration") its.push_back(b["real_time"].get<double>());
      ASSERT_EQ(its.size(), p.reps.size()) << name;
      for (size_t i = 0; i < its.size(); ++i) EXPECT_DOUBLE_EQ(its[i], p.reps[i].summary.median);
      ++checked;
    }
  }
  EXPECT_GT(checked, 40U);
  const auto& stages = doc["kbench_vmalloc_stages"]["by_size"];
  ASSERT_EQ(stages.size(), r.vmalloc_stages.size());
  for (size_t i = 0; i < stages.size(); ++i) {
    EXPECT_DOUBLE_EQ(stages[i]["rest_ns"].get<double>(), r.vmalloc_stages[i].rest);
    EXPECT_DOUBLE_EQ(stages[i]["explained"].get<double>(), r.vmalloc_stages[i].explained);
    EXPECT_DOUBLE_EQ(stages[i]["vmap_share_of_overhead"].get<double>(), r.vmalloc_stages[i].vmap_share);
  }
  ASSERT_EQ(doc["kbench_zeroing"].size(), r.zeroing.size());
  for (size_t i = 0; i < r.zeroing.size(); ++i)
    EXPECT_DOUBLE_EQ(doc["kbench_zeroing"][i]["fraction_of_memset"].get<double>(), r.zeroing[i].fraction_of_limit);
  EXPECT_DOUBLE_EQ(doc["kbench_vmalloc_stages"]["vmap_fit"]["ns_per_page"].get<double>(), r.vmap_fit.slope);
}

}  // namespace
}  // namespace kbench
