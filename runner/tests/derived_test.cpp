// SPDX-License-Identifier: GPL-2.0
// derived_test.cpp - every figure kbench derives, recomputed here from the
// raw records of a real run (fixtures/derived-6.12.ndjson, made by
// `kbench run -c runner/tests/fixtures/derived.toml --target qemu:6.12`)
// with formulas written out in the test, independently of the analysis:
// per-phase medians and repetition aggregates, counters per operation, the
// harness of each loop shape and the figures net of it, single-operation
// percentiles from the module's histograms, clean against steady state,
// the vmalloc stage breakdown and its fit, the zeroing ratio, the
// huge-mapping expectation, and the export of all of it.
// A change to any of those formulas makes one of these tests fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <tuple>

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
    for (const auto& p : c.phases) {
      // Each slot's counts over the operations of that slot's loops.
      const size_t slot = slot_of(c, p.phase);
      double total = 0, ops = 0;
      for (const auto& rj : raw().jobs) {
        if (rj.job.key() != c.job.key() || !rj.outcome.counters) continue;
        const kbench_counter& k = rj.outcome.counters->c[KBENCH_CNT_TASK_CLOCK];
        total += static_cast<double>(k.value[slot]);
        for (const auto& s : rj.outcome.samples) ops += s.count[slot];
      }
      const auto& figs = p.counters;
      const auto it = std::find_if(figs.begin(), figs.end(), [](const auto& f) { return f.name == "task_clock_ns"; });
      if (ops == 0 || total == 0) {
        EXPECT_EQ(it, figs.end()) << c.job.key() << " " << p.phase << ": not read around this phase";
        continue;
      }
      ASSERT_NE(it, figs.end()) << c.job.key() << " " << p.phase;
      EXPECT_NEAR(it->per_op, total / ops, 1e-9 * (total / ops)) << c.job.key() << " " << p.phase;
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

TEST(Derived, TheHarnessIsTheCheapestNoopOfTheSameLoopShapeAndNetIsWhatItLeaves) {
  size_t checked = 0, net = 0;
  for (const auto& c : results().configs) {
    if (c.job.experiment != KBENCH_EXP_ALLOC) continue;
    for (const auto& p : c.phases) {
      // Same pattern and context; the same batch length, except in steady
      // state where the module sizes batches and the harness is the noop's.
      const PhaseStats* want = nullptr;
      for (const auto& n : results().configs)
        if (n.job.api == "noop" && n.job.pattern == c.job.pattern && n.job.context == c.job.context &&
            n.job.steady() == c.job.steady() && (c.job.steady() || n.job.ops_per_batch == c.job.ops_per_batch))
          for (const auto& np : n.phases)
            if (np.phase == p.phase && (!want || np.pooled.median < want->pooled.median)) want = &np;
      ++checked;
      if (!want) {
        EXPECT_LT(p.harness_ns, 0) << c.job.key();
        EXPECT_TRUE(std::isnan(p.net_ns)) << c.job.key();
        continue;
      }
      EXPECT_DOUBLE_EQ(p.harness_ns, want->pooled.median) << c.job.key() << " " << p.phase;
      const bool unreliable = c.job.api != "noop" && p.pooled.median - want->pooled.median < 0.01 * p.pooled.median;
      EXPECT_EQ(p.unreliable, unreliable) << c.job.key();
      EXPECT_DOUBLE_EQ(p.net_ns, p.pooled.median - want->pooled.median) << c.job.key();
      // Conservative: the raw interval's ends against the harness's far ends.
      EXPECT_DOUBLE_EQ(p.net_ci.low, p.median_ci.low - want->median_ci.high);
      EXPECT_DOUBLE_EQ(p.net_ci.high, p.median_ci.high - want->median_ci.low);
      EXPECT_DOUBLE_EQ(p.net_ci.coverage, p.median_ci.coverage * want->median_ci.coverage);
      ++net;
    }
  }
  EXPECT_GT(checked, 20U);
  EXPECT_GT(net, 20U);
}

// The module's histogram of single-operation ticks: 4 buckets per octave,
// exact below 4 ticks; a percentile is the middle of the bucket holding
// the operation of that rank, in ns at the module's clock.
TEST(Derived, SingleOperationPercentilesAreNearestRankBucketsOfTheHistogram) {
  for (size_t b = 0; b < 4; ++b) EXPECT_EQ(hist_bucket_range(b), std::make_pair(uint64_t{b}, uint64_t{b + 1}));
  uint64_t expect_low = 4;
  for (size_t b = 4; b < KBENCH_HIST_BUCKETS; ++b) {
    const auto [lo, hi] = hist_bucket_range(b);
    EXPECT_EQ(lo, expect_low) << b;  // contiguous
    const unsigned octave = 63 - static_cast<unsigned>(__builtin_clzll(lo));
    EXPECT_EQ(hi - lo, uint64_t{1} << (octave - 2)) << b;  // a quarter of the octave
    expect_low = hi;
    if (octave >= 62) break;
  }
  size_t checked = 0;
  for (const auto& c : results().configs) {
    for (const auto& p : c.phases) {
      uint64_t ops = 0;
      for (const auto n : p.hist) ops += n;
      EXPECT_EQ(p.single_op.ops, ops);
      if (!ops) continue;
      auto pct = [&](double q) {
        const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(ops))));
        uint64_t seen = 0;
        for (size_t b = 0; b < p.hist.size(); ++b)
          if ((seen += p.hist[b]) >= rank) {
            const auto [lo, hi] = hist_bucket_range(b);
            return (static_cast<double>(lo) + static_cast<double>(hi)) / 2 * 1e6 / khz();
          }
        return -1.0;
      };
      EXPECT_DOUBLE_EQ(p.single_op.p50, pct(0.5)) << c.job.key();
      EXPECT_DOUBLE_EQ(p.single_op.p90, pct(0.9));
      EXPECT_DOUBLE_EQ(p.single_op.p99, pct(0.99));
      EXPECT_DOUBLE_EQ(p.single_op.p999, pct(0.999));
      EXPECT_DOUBLE_EQ(p.single_op.max, pct(1.0));
      const double clock_ns = c.values.at("clock_read_ticks").get<double>() * 1e6 / khz();
      EXPECT_DOUBLE_EQ(p.single_op.clock_read_ns, clock_ns);
      EXPECT_EQ(p.single_op.reliable, clock_ns <= 0.05 * p.pooled.median) << c.job.key();
      // The histogram counts every timed operation of the slot, in the
      // repetitions that timed operations one by one.
      double counted = 0;
      for (const auto& rj : raw().jobs)
        if (rj.job.key() == c.job.key() && rj.outcome.values.value("single_op_timed", 0) == 1)
          for (const auto& s : rj.outcome.samples) counted += s.count[slot_of(c, p.phase)];
      EXPECT_EQ(static_cast<double>(ops), counted) << c.job.key() << " " << p.phase;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20U);
}

// Clean against steady: the steady configuration beside the clean one of
// the fewest operations per batch, net where both have a harness; the
// purges the module counted; the threshold crossings the sizes imply.
TEST(Derived, SteadyStateIsComparedWithItsCleanCounterpartAndTheDeferredWork) {
  const RunResults& r = results();
  std::map<std::tuple<std::string, uint64_t, std::string>, const SteadyRow*> rows;
  for (const auto& s : r.steady) rows[{s.api, s.size, s.pattern}] = &s;
  ASSERT_EQ(rows.size(), 5U) << "vmalloc and kmalloc pairs at 4K and 64K, kmem_cache 256 batches; never the harness";
  for (const auto& [key, row] : rows) {
    const auto& [api, size, pattern] = key;
    const SteadyRow& s = *row;
    const ConfigResult *steady = nullptr, *clean = nullptr;
    for (const auto& c : r.configs)
      if (c.job.api == api && c.job.size == size && c.job.experiment == KBENCH_EXP_ALLOC &&
          c.job.pattern_name() == pattern)
        (c.job.steady() ? steady : clean) = &c;
    ASSERT_TRUE(steady && clean);
    // Per alloc+free: the pair loop, or a batch's alloc and free of one object.
    const std::vector<const char*> phases =
        pattern == "pair" ? std::vector<const char*>{"pair"} : std::vector<const char*>{"alloc", "free"};
    double steady_net = 0, clean_net = 0;
    for (const char* ph : phases) {
      const PhaseStats* sp = find_phase(*steady, ph);
      const PhaseStats* cp = find_phase(*clean, ph);
      ASSERT_TRUE(sp && cp && std::isfinite(sp->net_ns) && std::isfinite(cp->net_ns)) << api << " " << ph;
      steady_net += sp->net_ns;
      clean_net += cp->net_ns;
    }
    EXPECT_TRUE(s.net);
    EXPECT_EQ(s.phase, pattern == "pair" ? "pair" : "alloc+free");
    EXPECT_DOUBLE_EQ(s.steady_ns, steady_net);
    EXPECT_DOUBLE_EQ(s.clean_ns, clean_net);
    EXPECT_DOUBLE_EQ(s.change, steady_net / clean_net - 1);
    EXPECT_DOUBLE_EQ(s.extra_share, (steady_net - clean_net) / steady_net);
    EXPECT_EQ(s.steady_ops_per_batch, steady->job.ops_per_batch);
    EXPECT_GT(steady->job.ops_per_batch, clean->job.ops_per_batch) << "the module lengthened the batches";
    uint64_t purges = 0, flushes = 0, reps = 0, threshold = 0;
    bool flushes_counted = true;
    for (const auto& rj : raw().jobs)
      if (rj.job.key() == steady->job.key()) {
        purges += rj.outcome.values.at("purges").get<uint64_t>();
        flushes += rj.outcome.values.at("slab_flushes").get<uint64_t>();
        flushes_counted = flushes_counted && rj.outcome.values.at("slab_flushes_counted").get<int>() == 1;
        threshold = rj.outcome.values.at("purge_threshold_bytes").get<uint64_t>();
        ++reps;
      }
    EXPECT_EQ(s.purges, purges);
    EXPECT_EQ(s.slab_flushes_counted, flushes_counted);
    EXPECT_EQ(s.slab_flushes, flushes_counted ? flushes : 0);
    EXPECT_EQ(s.purge_threshold_bytes, threshold);
    if (api != "vmalloc") {
      EXPECT_EQ(threshold, 0U) << api << " frees nothing lazily";
      EXPECT_EQ(s.threshold_crossings, 0U);
      EXPECT_FALSE(s.purges_counted) << "no probe where no purge can happen";
      EXPECT_TRUE(s.slab_flushes_counted) << api << ": 6.12 has __put_partials";
      if (api == "kmem_cache") {
        EXPECT_GT(s.slab_flushes, 0U) << "4096 objects held at once overflow the per-CPU partial list";
      }
      continue;
    }
    EXPECT_FALSE(s.slab_flushes_counted) << "vmalloc is not served from slab caches";
    // lazy_max_pages(): 32 MiB times fls(online CPUs).
    const auto cpus = r.context["num_cpus"].get<unsigned>();
    EXPECT_EQ(threshold, (uint64_t{32} << 20) * (32 - static_cast<unsigned>(__builtin_clz(cpus))));
    // Every pair of warm-up and timed batches, in both loops of the pattern,
    // frees its pages and a guard page of virtual space lazily.
    const uint64_t ops = reps * (steady->job.batches + steady->job.warmup_batches) * steady->job.ops_per_batch * 2;
    EXPECT_EQ(s.lazily_freed_bytes, ops * (size + 4096));
    EXPECT_EQ(s.threshold_crossings, ops * (size + 4096) / threshold);
    EXPECT_TRUE(s.purges_counted);
    EXPECT_NEAR(static_cast<double>(s.purges), static_cast<double>(s.threshold_crossings),
                0.1 * static_cast<double>(s.threshold_crossings));
  }
}

TEST(Derived, VmallocStagesAreTheStageMediansAndTheRestIsWhatTheyLeave) {
  const auto& rows = results().vmalloc_stages;
  ASSERT_EQ(rows.size(), 3U);
  size_t with_steady = 0;
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
    if (v - pa > 0) {
      EXPECT_NEAR(s.vmap_share, vm / (v - pa), 1e-9);
      EXPECT_NEAR(s.page_array_share, arr / (v - pa), 1e-9);
      EXPECT_NEAR(s.rest_share, (v - pa - arr - vm) / (v - pa), 1e-9);
    } else {  // no overhead to share out (noise, or a page allocator slower alone)
      EXPECT_TRUE(std::isnan(s.vmap_share) && std::isnan(s.page_array_share) && std::isnan(s.rest_share));
    }
    // The steady vmalloc() pair of the same size, where one was measured.
    const auto st = std::find_if(results().steady.begin(), results().steady.end(),
                                 [&](const SteadyRow& x) { return x.api == "vmalloc" && x.size == s.size; });
    if (st == results().steady.end()) {
      EXPECT_TRUE(std::isnan(s.purge_share)) << s.size;
    } else {
      EXPECT_DOUBLE_EQ(s.clean_pair, st->clean_ns);
      EXPECT_DOUBLE_EQ(s.steady_pair, st->steady_ns);
      EXPECT_DOUBLE_EQ(s.purge_share, (st->steady_ns - st->clean_ns) / st->steady_ns);
      ++with_steady;
    }
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
  EXPECT_EQ(with_steady, 1U);
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

// Seven significant digits in results.json (json_reporter.cpp).
#define SAME(a, b) EXPECT_NEAR((a), (b), 1e-6 * std::abs(b) + 1e-300)

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
      SAME(median["real_time"].get<double>(), p.rep_medians.median);
      SAME(median["p50_ns"].get<double>(), p.pooled.median);
      SAME(median["p99_ns"].get<double>(), p.pooled.p99);
      SAME(median["median_ci_low_ns"].get<double>(), p.median_ci.low);
      SAME(median["median_ci_high_ns"].get<double>(), p.median_ci.high);
      SAME(median["rep_cv"].get<double>(), p.rep_medians.cv);
      EXPECT_FALSE(by_name.count(name + "_stddev") || by_name.count(name + "_mean")) << "the median entry's";
      if (p.harness_ns >= 0) {
        SAME(median["harness_overhead_ns"].get<double>(), p.harness_ns);
        SAME(median["net_ns"].get<double>(), p.net_ns);
        SAME(median["net_ci_low_ns"].get<double>(), p.net_ci.low);
        SAME(median["net_ci_high_ns"].get<double>(), p.net_ci.high);
      } else {
        EXPECT_FALSE(median.contains("net_ns")) << name;
      }
      EXPECT_EQ(median.contains("single_op_p99_ns"), p.single_op.ops > 0) << name;
      if (p.single_op.ops) {
        SAME(median["single_op_p50_ns"].get<double>(), p.single_op.p50);
        SAME(median["single_op_p99_ns"].get<double>(), p.single_op.p99);
        SAME(median["single_op_max_ns"].get<double>(), p.single_op.max);
        EXPECT_EQ(median["single_op_reliable"].get<bool>(), p.single_op.reliable);
      }
      for (const auto& f : p.counters) SAME(median["counters_per_op"][f.name].get<double>(), f.per_op);
      // The repetitions' medians: one iteration entry each, or (a pair's
      // alloc/free split, which has none) in the median entry.
      const bool split =
          c.job.pattern == KBENCH_PATTERN_PAIR && c.job.experiment == KBENCH_EXP_ALLOC && p.phase != "pair";
      std::vector<double> its;
      if (split) {
        its = median["rep_medians_ns"].get<std::vector<double>>();
      } else {
        EXPECT_FALSE(median.contains("rep_medians_ns")) << name << ": stated once, in the iteration entries";
        for (const auto& b : doc["benchmarks"])
          if (b["name"] == name && b["run_type"] == "iteration") its.push_back(b["real_time"].get<double>());
      }
      ASSERT_EQ(its.size(), p.reps.size()) << name;
      for (size_t i = 0; i < its.size(); ++i) SAME(its[i], p.reps[i].summary.median);
      ++checked;
    }
  }
  EXPECT_GT(checked, 40U);
  const auto& stages = doc["kbench_vmalloc_stages"]["by_size"];
  ASSERT_EQ(stages.size(), r.vmalloc_stages.size());
  // NaN (no figure) is written as null.
  auto same = [](const nlohmann::json& j, double v) {
    return std::isnan(v) ? j.is_null() || std::isnan(j.get<double>()) : j.get<double>() == v;
  };
  for (size_t i = 0; i < stages.size(); ++i) {
    EXPECT_TRUE(same(stages[i]["rest_ns"], r.vmalloc_stages[i].rest));
    EXPECT_TRUE(same(stages[i]["explained"], r.vmalloc_stages[i].explained));
    EXPECT_TRUE(same(stages[i]["vmap_share_of_overhead"], r.vmalloc_stages[i].vmap_share));
    EXPECT_TRUE(same(stages[i]["purge_share_of_steady"], r.vmalloc_stages[i].purge_share));
  }
  ASSERT_EQ(doc["kbench_steady_state"].size(), r.steady.size());
  for (size_t i = 0; i < r.steady.size(); ++i) {
    const auto& j = doc["kbench_steady_state"][i];
    EXPECT_TRUE(same(j["clean_ns"], r.steady[i].clean_ns) && same(j["steady_ns"], r.steady[i].steady_ns));
    EXPECT_TRUE(same(j["change_vs_clean"], r.steady[i].change));
    EXPECT_EQ(j["threshold_crossings"].get<uint64_t>(), r.steady[i].threshold_crossings);
    EXPECT_EQ(j.contains("purges"), r.steady[i].purges_counted) << "no zero for not counted";
  }
  ASSERT_EQ(doc["kbench_zeroing"].size(), r.zeroing.size());
  for (size_t i = 0; i < r.zeroing.size(); ++i)
    EXPECT_DOUBLE_EQ(doc["kbench_zeroing"][i]["fraction_of_memset"].get<double>(), r.zeroing[i].fraction_of_limit);
  EXPECT_DOUBLE_EQ(doc["kbench_vmalloc_stages"]["vmap_fit"]["ns_per_page"].get<double>(), r.vmap_fit.slope);
}

}  // namespace
}  // namespace kbench
