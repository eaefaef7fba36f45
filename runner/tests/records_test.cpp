// SPDX-License-Identifier: GPL-2.0
// records_test.cpp - the record stream between target and runner, the
// executor's bookkeeping (normalisation, refusals, the dynamic run count),
// and the analysis of whole runs, runs cut short and damaged streams.
#include <gtest/gtest.h>

#include <cmath>

#include <cerrno>
#include <sstream>

#include "analysis/phases.h"
#include "analysis/results.h"
#include "config/sweep.h"
#include "core/error.h"
#include "fake_device.h"
#include "measure/plan.h"
#include "target/target.h"

namespace kbench {
namespace {

using test::FakeDevice;
using test::sample;

class StringSink final : public RecordSink {
 public:
  void write(const nlohmann::json& r) override { out << r.dump() << "\n"; }
  std::stringstream out;
};

// kmalloc in 4-op batches at 100, 200, 300 ns/op (frees 50); vmalloc_32
// refused for a non-default GFP; vmalloc interrupted when asked to.
FakeDevice scripted(bool interrupt_vmalloc = false) {
  return FakeDevice([interrupt_vmalloc](const Job& job, int) {
    RunOutcome o;
    if (job.api == "vmalloc_32" && job.gfp.base != KBENCH_GFP_KERNEL) {
      o.err = EOPNOTSUPP;
      o.reason = "takes no gfp";
      return o;
    }
    if (job.api == "vmalloc" && interrupt_vmalloc) o.err = EINTR;
    o.call = job.api;
    for (uint32_t b = 0; b < (o.err == EINTR ? 1 : job.batches); ++b)
      o.samples.push_back(sample(100ULL * job.ops_per_batch * (b + 1), job.ops_per_batch, 50ULL * job.ops_per_batch,
                                 job.ops_per_batch, b == 0 ? KBENCH_SAMPLE_IRQ : 0U));
    return o;
  });
}

Plan three_jobs() {
  Plan p;
  for (const char* api : {"kmalloc", "vmalloc_32", "vmalloc"}) {
    Job j;
    j.api = api;
    j.size = 64;
    j.gfp = Gfp{KBENCH_GFP_ATOMIC, 0};
    if (std::string(api) == "vmalloc") j.gfp = Gfp{};
    j.ops_per_batch = 4;
    j.batches = 3;
    p.jobs.push_back(j);
  }
  return p;
}

RunResults run_and_analyze(const Plan& plan, Device& dev, const RunMeta& meta = {}) {
  StringSink sink;
  execute_plan(plan, dev, sink, {{"clocksource", "tsc"}}, nullptr, nullptr);
  return analyze(read_records(sink.out), meta);
}

TEST(Records, WholeRunRoundTripsAndAnalyses) {
  FakeDevice dev = scripted();
  StringSink sink;
  execute_plan(three_jobs(), dev, sink, {{"clocksource", "tsc"}}, nullptr, nullptr);
  const RawRun raw = read_records(sink.out);
  EXPECT_TRUE(raw.ended);
  EXPECT_FALSE(raw.interrupted);
  EXPECT_TRUE(raw.bad_records.empty());
  EXPECT_EQ(raw.planned_jobs, 3U);
  EXPECT_EQ(raw.catalog.apis.size(), test::fake_catalog().apis.size());  // the catalog travels with the records
  ASSERT_EQ(raw.jobs.size(), 3U);
  EXPECT_EQ(raw.jobs[1].outcome.err, EOPNOTSUPP);

  RunMeta meta;
  meta.target = "test";
  meta.emulated = true;
  const RunResults r = analyze(raw, meta);
  EXPECT_TRUE(r.complete);
  ASSERT_EQ(r.configs.size(), 3U);
  EXPECT_EQ(r.configs[0].status, "ok");
  EXPECT_EQ(r.configs[1].status, "refused");
  EXPECT_TRUE(r.configs[1].phases.empty());
  ASSERT_EQ(r.configs[0].phases.size(), 2U);
  const PhaseStats& alloc = r.configs[0].phases[0];
  EXPECT_EQ(alloc.phase, "alloc");
  EXPECT_EQ(alloc.unit, "op");
  ASSERT_EQ(alloc.reps.size(), 1U);
  EXPECT_DOUBLE_EQ(alloc.reps[0].summary.median, 200);
  EXPECT_EQ(alloc.reps[0].summary.n, 3U);
  EXPECT_EQ(alloc.reps[0].noisy_batches, 1U);
  EXPECT_EQ(alloc.reps[0].ops, 12U);
  EXPECT_DOUBLE_EQ(alloc.pooled.median, 200);
  EXPECT_EQ(alloc.repetitions, 1U);
  EXPECT_DOUBLE_EQ(r.configs[0].phases[1].pooled.median, 50);
  bool emulated_warning = false, zeroing_warning = false;
  for (const auto& w : r.warnings) {
    emulated_warning |= w.rfind("EMULATED", 0) == 0;
    zeroing_warning |= w.rfind("init_on_alloc=1", 0) == 0;
  }
  EXPECT_TRUE(emulated_warning);
  EXPECT_TRUE(zeroing_warning);
  EXPECT_EQ(r.context["emulated"], true);
  EXPECT_EQ(r.context["kbench_catalog"]["apis"][1]["name"], "kmalloc");
}

TEST(Records, TheAgentDropsOptionsTheApiDoesNotTake) {
  FakeDevice dev = scripted();
  Plan p;
  for (const char* api : {"kmalloc", "mempool_slab"}) {
    Job j;
    j.api = api;
    j.size = 64;
    j.batches = 1;
    j.ops_per_batch = 2;
    j.options = {{"min_nr", 16}, {"hwcache_align", 1}};
    p.jobs.push_back(j);
  }
  const RunResults r = run_and_analyze(p, dev);
  ASSERT_EQ(dev.jobs.size(), 2U);
  EXPECT_TRUE(dev.jobs[0].options.empty()) << "kmalloc takes no option";
  EXPECT_EQ(dev.jobs[1].options, p.jobs[1].options);
  // What the record says is what ran: names follow it.
  EXPECT_EQ(r.configs[0].job.key(), "kmalloc/size:64/gfp:GFP_KERNEL/pattern:pair/n:2/ctx:preempt-on");
  EXPECT_EQ(r.configs[1].job.key(),
            "mempool_slab/size:64/gfp:GFP_KERNEL/pattern:pair/n:2/ctx:preempt-on/min_nr:16/hwcache_align:1");
}

TEST(Records, AnApiTheModuleLacksIsRefusedWithTheReason) {
  Catalog cat = test::fake_catalog();
  Job j;
  j.api = "kmalloc";
  std::string why = normalize_job(j, cat);
  EXPECT_EQ(why, "");
  cat.experiments[KBENCH_EXP_ALLOC].fields ^= KBENCH_FIELD_MODE;  // a module from another tree
  why = normalize_job(j, cat);
  EXPECT_NE(why.find("disagree about what the alloc experiment reads"), std::string::npos) << why;
}

TEST(Records, InterruptedRunKeepsWhatWasMeasured) {
  FakeDevice dev = scripted(true);
  StringSink sink;
  Plan p = three_jobs();
  p.jobs.push_back(p.jobs[0]);  // never reached
  p.jobs.back().size = 128;
  execute_plan(p, dev, sink, {}, nullptr, nullptr);
  EXPECT_EQ(dev.calls, 3);
  const RawRun raw = read_records(sink.out);
  EXPECT_TRUE(raw.interrupted);
  ASSERT_EQ(raw.jobs.size(), 3U);
  const RunResults r = analyze(raw, RunMeta{});
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.configs[2].status, "interrupted");
  EXPECT_EQ(r.configs[2].phases.at(0).pooled.n, 1U);
}

// The records of three_jobs() run to the end on the scripted device.
RawRun three_jobs_recorded() {
  FakeDevice dev = scripted(false);
  StringSink sink;
  execute_plan(three_jobs(), dev, sink, {}, nullptr, nullptr);
  return read_records(sink.out);
}

TEST(Records, WhatTheTargetSawGoWrongMakesTheRunIncompleteAndIsSaid) {
  RawRun raw = three_jobs_recorded();
  ASSERT_TRUE(raw.ended);
  EXPECT_TRUE(analyze(raw, RunMeta{}).complete);
  raw.target_problems.push_back("the guest kernel reported a soft lockup (a CPU stuck in the kernel)");
  const RunResults r = analyze(raw, RunMeta{});
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.configs.size(), 3U) << "every record kept";
  const auto& w = r.warnings;
  EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](const std::string& s) {
    return s.rfind("incomplete run: the guest kernel reported a soft lockup", 0) == 0;
  }));
}

// The planted regression's hook: the module says it is set, the results
// say the figures are not the kernel's; the parameters reach insmod as one.
TEST(Records, ATestHookInTheModuleIsWarnedAbout) {
  RawRun raw = three_jobs_recorded();
  ASSERT_TRUE(raw.module_before);
  auto hooked = [](const RunResults& r) {
    return std::any_of(r.warnings.begin(), r.warnings.end(),
                       [](const std::string& s) { return s.rfind("TEST HOOK: ", 0) == 0; });
  };
  EXPECT_FALSE(hooked(analyze(raw, RunMeta{})));
  raw.module_before->flags |= KBENCH_INFO_TEST_HOOK;
  EXPECT_TRUE(hooked(analyze(raw, RunMeta{})));
  TargetOptions o;
  EXPECT_EQ(module_parameters(o), "");
  o.mem_cap_mb = 64;
  o.module_params = {"test_kmalloc_extra_ns=100"};
  EXPECT_EQ(module_parameters(o), "mem_cap_mb=64 test_kmalloc_extra_ns=100");
}

TEST(Records, RunMetaRoundTripsForImport) {
  RunMeta m;
  m.target = "qemu:6.12";
  m.emulated = true;
  m.config_path = "configs/x.toml";
  m.kbench_version = "1.2";
  m.git_revision = "abc";
  m.date = "2026-12-01T10:00:00+0000";
  m.discard_noisy = true;
  m.repetitions = 7;
  m.target_details = {{"icount", "shift=0,sleep=off"}};
  const RunMeta b = meta_from_json(nlohmann::json::parse(meta_to_json(m).dump()));
  EXPECT_EQ(meta_to_json(b), meta_to_json(m));
  EXPECT_EQ(b.repetitions, 7U);
  EXPECT_TRUE(b.emulated && b.discard_noisy);
  EXPECT_THROW(meta_from_json(nlohmann::json::object()), nlohmann::json::exception) << "a target is required";
}

TEST(Records, StopFlagEndsBeforeTheNextJob) {
  FakeDevice dev = scripted();
  StringSink sink;
  std::atomic<bool> stop{true};
  execute_plan(three_jobs(), dev, sink, {}, nullptr, &stop);
  EXPECT_EQ(dev.calls, 0);
  const RawRun raw = read_records(sink.out);
  EXPECT_TRUE(raw.ended);
  EXPECT_TRUE(raw.interrupted);
}

std::string whole_stream() {
  FakeDevice dev = scripted();
  StringSink sink;
  execute_plan(three_jobs(), dev, sink, {}, nullptr, nullptr);
  return sink.out.str();
}

TEST(Records, TruncatedStreamIsReadUpToTheDamage) {
  std::string text = whole_stream();
  // Cut in the middle of the third job record, as a guest crash would.
  const size_t third = text.find("\"index\":2");
  ASSERT_NE(third, std::string::npos);
  std::stringstream cut(text.substr(0, third + 20));
  const RawRun raw = read_records(cut);
  EXPECT_FALSE(raw.ended);
  EXPECT_EQ(raw.jobs.size(), 2U);
  ASSERT_EQ(raw.bad_records.size(), 1U);
  const RunResults r = analyze(raw, RunMeta{});
  EXPECT_FALSE(r.complete);
  bool incomplete_warning = false;
  for (const auto& w : r.warnings) incomplete_warning |= w.rfind("incomplete run", 0) == 0;
  EXPECT_TRUE(incomplete_warning);
}

// Every line but one is good: the bad one is named by its line number and
// skipped, everything else is kept, and the run is marked incomplete.
TEST(Records, ALineOfAnUnexpectedShapeIsSkippedByLineNumber) {
  const std::string text = whole_stream();
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 5U);  // start, 3 jobs, end
  const std::string job1 = lines[1];
  const std::vector<std::pair<std::string, std::string>> damage = {
      {"42", "not a JSON object"},
      {"null", "not a JSON object"},
      {R"({"type":"job","index":"one"})", "line 3: "},
      {R"({"type":"job","index":1,"config":0,"repetition":0})", "'job' not found"},
      {job1 + job1, "not one whole JSON record"},  // two records merged on one line
      {R"({"type":"job","index":1,"config":99,"repetition":0,"job":{},"outcome":{}})", "configuration 99 of 3"},
      {R"({"type":"surprise"})", "unknown record type 'surprise'"},
  };
  for (const auto& [bad, why] : damage) {
    std::vector<std::string> copy = lines;
    copy.insert(copy.begin() + 2, bad);  // line 3
    std::string joined;
    for (const auto& l : copy) joined += l + "\n";
    std::stringstream s(joined);
    const RawRun raw = read_records(s);
    EXPECT_EQ(raw.jobs.size(), 3U) << bad;
    EXPECT_TRUE(raw.ended) << bad;
    ASSERT_EQ(raw.bad_records.size(), 1U) << bad;
    EXPECT_EQ(raw.bad_records[0].rfind("line 3: ", 0), 0U) << raw.bad_records[0];
    EXPECT_NE(raw.bad_records[0].find(why), std::string::npos) << raw.bad_records[0];
    const RunResults r = analyze(raw, RunMeta{});
    EXPECT_FALSE(r.complete) << bad;
    EXPECT_EQ(r.configs.size(), 3U) << bad;
  }
}

TEST(Plan, InterleavedOrderIsSeededAndKeepsRepetitionsInOrder) {
  std::vector<Job> jobs(4);
  for (uint32_t i = 0; i < jobs.size(); ++i) jobs[i].size = 64 << i;
  const Plan a = make_plan(jobs, 5, true, 42);
  const Plan b = make_plan(jobs, 5, true, 42);
  const Plan c = make_plan(jobs, 5, true, 43);
  ASSERT_EQ(a.order.size(), 20U);
  auto flat = [](const Plan& p) {
    std::vector<uint32_t> v;
    for (const auto& e : p.order) v.push_back(e.config * 100 + e.repetition);
    return v;
  };
  EXPECT_EQ(flat(a), flat(b)) << "same seed, same order";
  EXPECT_NE(flat(a), flat(c)) << "another seed, another order";
  std::vector<uint32_t> next(4, 0);
  bool grouped = true;
  for (size_t i = 0; i < a.order.size(); ++i) {
    EXPECT_EQ(a.order[i].repetition, next[a.order[i].config]++);
    if (i && a.order[i].config != a.order[i - 1].config && next[a.order[i - 1].config] != 5) grouped = false;
  }
  EXPECT_FALSE(grouped) << "interleaving must mix configurations";
  const Plan g = make_plan(jobs, 3, false, 42);
  EXPECT_EQ(g.order[0].config, 0U);
  EXPECT_EQ(g.order[2].config, 0U);
  EXPECT_EQ(g.order[3].config, 1U);
}

// Repetition medians alternate between two values (swing) or stay put: the
// dynamic run count repeats the first to its cap and stops the second.
FakeDevice alternating(double swing) {
  return FakeDevice([swing](const Job& job, int call) {
    RunOutcome o;
    const uint64_t per_op = (call % 2) ? static_cast<uint64_t>(100 * (1 + swing)) : 100;
    for (uint32_t b = 0; b < job.batches; ++b) {
      if (job.experiment == KBENCH_EXP_ACCESS)  // a probe fills its own slot, not "alloc"
        o.samples.push_back(sample(0, 0, per_op * 64, 64));
      else
        o.samples.push_back(sample(per_op * job.ops_per_batch, job.ops_per_batch, 10, job.ops_per_batch));
    }
    return o;
  });
}

TEST(Plan, DynamicRunCountRepeatsUntilCvTargetOrCap) {
  std::vector<Job> jobs(1);
  jobs[0].batches = 2;
  Plan p = make_plan(jobs, 3, true, 1);
  p.cv_target = 0.03;
  p.max_repetitions = 8;
  {
    // 8 % apart: a cv of about 4 %, not clearly above 3 % from so few
    // repetitions: repeated to the cap.
    FakeDevice noisy = alternating(0.08);
    const RunResults r = run_and_analyze(p, noisy);
    EXPECT_EQ(noisy.calls, 8);
    EXPECT_TRUE(r.configs[0].cv_target_missed);
    EXPECT_EQ(r.configs[0].phases[0].repetitions, 8U);
  }
  {
    // 50 % apart (plain TCG): a cv whose 95 % lower bound is above the
    // target already; more runs would not lower it.
    FakeDevice wild = alternating(0.5);
    const RunResults r = run_and_analyze(p, wild);
    EXPECT_EQ(wild.calls, 3);
    EXPECT_TRUE(r.configs[0].cv_target_missed) << "left above the target: flagged";
  }
  {
    FakeDevice steady = alternating(0.0);
    const RunResults r = run_and_analyze(p, steady);
    EXPECT_EQ(steady.calls, 3);
    EXPECT_FALSE(r.configs[0].cv_target_missed);
  }
}

// The bug this guards against: the dynamic run count read only allocation
// samples, so a probe's spread was unknown and every probe was repeated to
// the cap, however steady it was.
TEST(Plan, DynamicRunCountJudgesProbesByTheirOwnFigures) {
  std::vector<Job> jobs(1);
  jobs[0].experiment = KBENCH_EXP_ACCESS;
  jobs[0].api = "vmalloc";
  jobs[0].size = 64 << 12;
  jobs[0].access_mode = KBENCH_ACCESS_MEMSET;
  jobs[0].batches = 2;
  Plan p = make_plan(jobs, 5, true, 1);
  p.cv_target = 0.03;
  p.max_repetitions = 10;
  FakeDevice steady = alternating(0.0);
  const RunResults r = run_and_analyze(p, steady);
  EXPECT_EQ(steady.calls, 5) << "a perfectly steady probe needs no more than its planned repetitions";
  ASSERT_EQ(r.configs[0].phases.size(), 1U);
  EXPECT_EQ(r.configs[0].phases[0].phase, "byte");
  EXPECT_EQ(r.configs[0].phases[0].repetitions, 5U);
  FakeDevice noisy = alternating(0.08);
  run_and_analyze(p, noisy);
  EXPECT_EQ(noisy.calls, 10) << "a noisy probe is repeated to the cap";
}

TEST(Records, RefusedConfigurationsAreAskedOnce) {
  FakeDevice dev = scripted();
  Plan p = make_plan(three_jobs().jobs, 4, true, 7);
  const RunResults r = run_and_analyze(p, dev);
  EXPECT_EQ(dev.calls, 4 + 1 + 4);  // the refused vmalloc_32 once
  EXPECT_EQ(r.configs.size(), 3U);
  for (const auto& c : r.configs) {
    if (c.status == "ok") {
      EXPECT_EQ(c.phases[0].repetitions, 4U);
    }
  }
}

RawRun three_shapes(uint64_t noop, uint64_t kmalloc, uint64_t vmalloc) {
  RawRun raw;
  raw.module_before = ModuleInfo{};
  raw.module_before->clock_khz = 1000000;
  raw.catalog = test::fake_catalog();
  raw.ended = true;
  const std::pair<const char*, uint64_t> apis[] = {{"noop", noop}, {"kmalloc", kmalloc}, {"vmalloc", vmalloc}};
  for (uint32_t i = 0; i < 3; ++i) {
    RawJob rj;
    rj.config = i;
    rj.job.api = apis[i].first;
    rj.job.size = 64;
    rj.job.ops_per_batch = 10;
    const uint64_t t = apis[i].second;
    rj.outcome.samples = {sample(t, 10, t, 10), sample(t, 10, t, 10, KBENCH_SAMPLE_CTX_SWITCH),
                          sample(t * 50, 10, t, 10, KBENCH_SAMPLE_IRQ)};
    raw.jobs.push_back(rj);
  }
  return raw;
}

TEST(Records, HarnessFiguresAndNoisyBatches) {
  // noop at 100 ns, kmalloc at 100.5 ns (within 1 %), vmalloc at 300 ns.
  const RawRun raw = three_shapes(1000, 1005, 3000);
  const RunResults kept = analyze(raw, RunMeta{});
  EXPECT_FALSE(kept.configs[0].phases[0].unreliable) << "noop is the harness itself";
  EXPECT_TRUE(kept.configs[1].phases[0].unreliable);
  EXPECT_FALSE(kept.configs[2].phases[0].unreliable);
  EXPECT_DOUBLE_EQ(kept.configs[2].phases[0].harness_ns, 100);
  EXPECT_EQ(kept.configs[2].phases[0].noisy_batches, 2U);
  EXPECT_EQ(kept.configs[2].phases[0].pooled.n, 3U);
  EXPECT_DOUBLE_EQ(kept.configs[2].phases[0].pooled.max, 15000);

  RunMeta discard;
  discard.discard_noisy = true;
  const RunResults dropped = analyze(raw, discard);
  EXPECT_EQ(dropped.configs[2].phases[0].pooled.n, 1U);
  EXPECT_EQ(dropped.configs[2].phases[0].discarded_batches, 2U);
  EXPECT_DOUBLE_EQ(dropped.configs[2].phases[0].pooled.max, 300);
}

TEST(Records, TheHarnessIsTheNoopOfTheSameLoopShapeOnly) {
  RawRun raw = three_shapes(1000, 2000, 3000);
  raw.jobs[2].job.ops_per_batch = 20;  // vmalloc: another loop shape, no noop of its own
  raw.jobs[2].outcome.samples = {sample(3000ULL * 2, 20, 3000ULL * 2, 20)};
  const RunResults r = analyze(raw, RunMeta{});
  EXPECT_DOUBLE_EQ(r.configs[1].phases[0].harness_ns, 100);
  EXPECT_LT(r.configs[2].phases[0].harness_ns, 0) << "no noop of the same shape: not measured";
}

TEST(Records, TheHarnessIsTheCheapestOfSeveralNoopsOfTheShape) {
  RawRun raw = three_shapes(1000, 2000, 3000);
  RawJob dear = raw.jobs[0];  // another noop of the same loop shape, at twice the cost
  dear.config = 3;
  dear.job.gfp = Gfp{KBENCH_GFP_ATOMIC, 0};
  dear.outcome.samples = {sample(2000, 10, 2000, 10)};
  raw.jobs.push_back(dear);
  const RunResults r = analyze(raw, RunMeta{});
  ASSERT_EQ(r.configs.size(), 4U);
  EXPECT_DOUBLE_EQ(r.configs[1].phases[0].harness_ns, 100) << "the cheaper noop is the harness";
  EXPECT_DOUBLE_EQ(r.configs[3].phases[0].harness_ns, 100);
}

// Two threads, two batches each, clock 1 GHz (1 tick = 1 ns): thread 0's
// phases take 1000 ns per 10 ops, thread 1's 2000; batch 0 starts both
// together (spans [0, 1000] and [0, 2000]), batch 1 one after the other.
RawRun two_threads() {
  RawRun raw = three_shapes(1000, 1000, 1000);
  raw.jobs.resize(2);  // noop and kmalloc
  for (auto& rj : raw.jobs) {
    rj.job.threads = 2;
    rj.outcome.threads = 2;
    kbench_sample t0b0 = sample(1000, 10), t0b1 = sample(1000, 10);
    kbench_sample t1b0 = sample(2000, 10), t1b1 = sample(2000, 10);
    t0b0.begin_ns[0] = 5000, t0b0.end_ns[0] = 6000;
    t1b0.begin_ns[0] = 5000, t1b0.end_ns[0] = 7000;
    t0b1.begin_ns[0] = 10000, t0b1.end_ns[0] = 11000;
    t1b1.begin_ns[0] = 11000, t1b1.end_ns[0] = 13000;
    rj.outcome.samples = {t0b0, t0b1, t1b0, t1b1};  // thread by thread
  }
  return raw;
}

TEST(Records, ThreadsGivePerThreadMediansTheAggregateRateAndTheOverlap) {
  const RunResults r = analyze(two_threads(), RunMeta{});
  const ConfigResult& c = r.configs[1];
  EXPECT_EQ(c.threads, 2U);
  EXPECT_EQ(c.job.key(), "kmalloc/size:64/gfp:GFP_KERNEL/pattern:pair/n:10/ctx:preempt-on/threads:2");
  const PhaseStats& p = c.phases.front();
  EXPECT_EQ(p.threads, 2U);
  EXPECT_EQ(p.pooled.n, 4U) << "every thread's batches";
  EXPECT_EQ(p.thread_medians, (std::vector<double>{100, 200}));
  // Batch 0: 20 ops over [5000, 7000] = 1e7/s, overlap (1000 + 2000) / (2 x 2000);
  // batch 1: 20 ops over [10000, 13000], overlap 3000 / 6000.
  ASSERT_EQ(p.aggregate_ops_per_s.n, 2U);
  EXPECT_DOUBLE_EQ(p.aggregate_ops_per_s.max, 1e7);
  EXPECT_DOUBLE_EQ(p.aggregate_ops_per_s.min, 20 / 3000e-9);
  EXPECT_DOUBLE_EQ(p.overlap.max, 0.75);
  EXPECT_DOUBLE_EQ(p.overlap.min, 0.5);
  // The harness is the noop on as many threads.
  EXPECT_DOUBLE_EQ(p.harness_ns, r.configs[0].phases.front().pooled.median);
}

TEST(Records, ThreadedOutcomesRoundTripWithTheirSpans) {
  const RawRun raw = two_threads();
  const nlohmann::json j = outcome_to_json(raw.jobs[1].outcome);
  EXPECT_EQ(j.at("threads"), 2);
  const RunOutcome back = outcome_from_json(j);
  EXPECT_EQ(back.threads, 2U);
  ASSERT_EQ(back.samples.size(), 4U);
  EXPECT_EQ(back.samples[3].begin_ns[0], 11000U);
  EXPECT_EQ(back.samples[3].end_ns[0], 13000U);
  // What the kernel did meanwhile: the /proc/vmstat counters that moved.
  RunOutcome frag = raw.jobs[1].outcome;
  frag.vmstat = {{"compact_stall", 7}};
  EXPECT_EQ(outcome_from_json(outcome_to_json(frag)).vmstat, frag.vmstat);
  // One thread's records carry no spans.
  RunOutcome one = raw.jobs[1].outcome;
  one.threads = 1;
  EXPECT_EQ(outcome_to_json(one).at("samples").at(0).size(), 6U);
  // Samples that cannot be whole batches of every thread are a damaged record.
  nlohmann::json bad = j;
  bad["samples"].erase(0);
  EXPECT_THROW(outcome_from_json(bad), Error);
}

TEST(Records, TeamSpanIsEveryOpOverFirstBeginToLastEnd) {
  const auto s = team_span({10, 30}, {100, 100}, {1100, 2100});
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->ops_per_s, 40 / 2000e-9);
  EXPECT_DOUBLE_EQ(s->overlap, 3000.0 / 4000);
  // A thread that did not run the phase, or no span recorded: no figure.
  EXPECT_FALSE(team_span({10, 0}, {100, 100}, {1100, 2100}));
  EXPECT_FALSE(team_span({10, 10}, {0, 100}, {1100, 2100}));
  EXPECT_FALSE(team_span({}, {}, {}));
}

TEST(Records, PlanRoundTrip) {
  Plan p = make_plan(three_jobs().jobs, 2, true, 9);
  p.selftest = true;
  p.cv_target = 0.05;
  p.max_repetitions = 6;
  const Plan back = nlohmann::json(p).get<Plan>();
  ASSERT_EQ(back.jobs.size(), 3U);
  ASSERT_EQ(back.order.size(), 6U);
  EXPECT_EQ(back.order[3].config, p.order[3].config);
  EXPECT_EQ(back.seed, 9U);
  EXPECT_EQ(back.max_repetitions, 6U);
  EXPECT_TRUE(back.selftest);
  EXPECT_EQ(back.jobs[2].key(), p.jobs[2].key());
  nlohmann::json bad = p;
  bad["format"] = 99;
  EXPECT_THROW(bad.get<Plan>(), std::exception);
}

}  // namespace
}  // namespace kbench

namespace kbench {
namespace {

// The kernel warm-up. A fake kernel whose vmalloc(1M) pairs cost 2x for
// its first five rounds (5 % apart every other round, as measured on
// 6.12, or agreeing: a plateau), then settle with +0.3 % noise every
// other round. A round is 2 batches of 64
// pairs, pair and split timed: 64 * 1.5 * ns ticks per batch at 1 GHz.
struct StepKernel {
  int round = 0;
  uint64_t slow_ns, fast_ns;
  uint32_t slow_rounds;
  bool slow_noise = false;
  FakeDevice device() {
    return FakeDevice([this](const Job& job, int) {
      RunOutcome o;
      o.call = job.api;
      if (job.sweep != "kernel-warmup") {
        for (uint32_t b = 0; b < job.batches; ++b) o.samples.push_back(sample(100, 1, 50, 1));
        return o;
      }
      EXPECT_EQ(job.api, "vmalloc");
      EXPECT_TRUE(job.steady());
      const uint64_t ns = round < static_cast<int>(slow_rounds)
                              ? slow_ns - (slow_noise ? (round % 2) * slow_ns / 20 : 0)
                              : fast_ns + (round % 2) * fast_ns * 3 / 1000;
      ++round;
      for (uint32_t b = 0; b < job.batches; ++b) o.samples.push_back(sample(ns * 64, 64, ns * 32, 64));
      return o;
    });
  }
  double round_seconds(uint64_t ns) const { return 2 * 64 * 1.5 * static_cast<double>(ns) / 1e9; }
  // A plan run with the warm-up on this kernel; the context's kernel_warmup.
  nlohmann::json warmup(RunResults* out = nullptr) {
    FakeDevice dev = device();
    Plan p = three_jobs();
    p.warm_kernel = true;
    RunResults r = run_and_analyze(p, dev);
    nlohmann::json w = r.context.at("kernel_warmup");
    if (out) *out = std::move(r);
    return w;
  }
};

TEST(Plan, TheKernelWarmupWaitsOutTheStepAndThreeAgreeingRounds) {
  StepKernel k{0, 2'000'000, 1'000'000, 5, true};
  RunResults r;
  const nlohmann::json w = k.warmup(&r);
  EXPECT_TRUE(w.at("settled"));
  const auto rounds = w.at("rounds_ns_per_pair").get<std::vector<double>>();
  // Five slow rounds are 1.9 s busy, past 1.5 s, but never agree; three
  // fast ones end it.
  ASSERT_EQ(rounds.size(), 8U);
  EXPECT_EQ(k.round, 8) << "no round after it settled";
  EXPECT_DOUBLE_EQ(rounds.front(), 2'000'000);
  EXPECT_NEAR(rounds.back(), 1'000'000, 3'000);
  EXPECT_NEAR(w.at("busy_seconds").get<double>(),
              3 * k.round_seconds(2'000'000) + 2 * k.round_seconds(1'900'000) + 3 * k.round_seconds(1'000'000), 0.01);
  EXPECT_NEAR(w.at("last_rounds_spread").get<double>(), 0.003, 1e-4);
  for (const auto& wn : r.warnings) EXPECT_EQ(wn.find("did not settle"), std::string::npos) << wn;
}

TEST(Plan, AnAgreeingPlateauIsNotTakenForSettledBeforeTheKernelWasBusyLongEnough) {
  // Slow rounds of 0.038 s each: five of them agree but are 0.19 s busy, so
  // the warm-up goes on into the fast rounds until 1.5 s have passed.
  StepKernel k{0, 200'000, 100'000, 5};
  const nlohmann::json w = k.warmup();
  EXPECT_TRUE(w.at("settled"));
  const auto rounds = w.at("rounds_ns_per_pair").get<std::vector<double>>();
  const double need = 1.5 - 5 * k.round_seconds(200'000);
  EXPECT_EQ(rounds.size(), 5 + static_cast<size_t>(std::ceil(need / k.round_seconds(100'000))));
  EXPECT_NEAR(rounds.back(), 100'000, 300);
  EXPECT_GE(w.at("busy_seconds").get<double>(), 1.5);
}

TEST(Plan, AKernelThatNeverSettlesIsSaidAndStillMeasured) {
  int round = 0;
  FakeDevice dev([&round](const Job& job, int) {
    RunOutcome o;
    o.call = job.api;
    // 5 % apart every other round, forever.
    const uint64_t ns = job.sweep == "kernel-warmup" ? 1'000'000 + 50'000 * (round++ % 2) : 100;
    for (uint32_t b = 0; b < job.batches; ++b) o.samples.push_back(sample(ns * 4, 4, ns * 2, 4));
    return o;
  });
  Plan p = three_jobs();
  p.warm_kernel = true;
  const RunResults r = run_and_analyze(p, dev);
  EXPECT_FALSE(r.context.at("kernel_warmup").at("settled"));
  EXPECT_EQ(round, 200) << "at most 200 rounds";
  bool said = false;
  for (const auto& wn : r.warnings)
    said |= wn.rfind("the kernel did not settle before measuring (after 200 rounds", 0) == 0;
  EXPECT_TRUE(said);
  EXPECT_FALSE(r.configs.empty());
}

// The fuzzer's record: kept whole in the results, and what it found wrong
// said as warnings.
TEST(Records, TheIoctlFuzzReportIsKeptAndItsFindingsAreSaid) {
  auto with_fuzz = [](const nlohmann::json& result) {
    std::stringstream s(whole_stream() + nlohmann::json{{"type", "fuzz"}, {"result", result}}.dump() + "\n");
    return analyze(read_records(s), RunMeta{});
  };
  const nlohmann::json clean = {{"calls", 20000},
                                {"processes", 2},
                                {"by_errno", {{"0", 800}, {"EINVAL", 19200}}},
                                {"undocumented", nlohmann::json::array()},
                                {"after", {{"outstanding_allocs", 0}, {"live_caches", 0}, {"live_pools", 0}}}};
  RunResults r = with_fuzz(clean);
  EXPECT_EQ(r.fuzz, clean);
  for (const auto& w : r.warnings) EXPECT_EQ(w.find("ioctl fuzz"), std::string::npos) << w;
  EXPECT_TRUE(r.complete);

  nlohmann::json leak = clean;
  leak["after"]["outstanding_allocs"] = 3;
  leak["undocumented"] = {"errno 5"};
  r = with_fuzz(leak);
  int said = 0;
  for (const auto& w : r.warnings) {
    said += w.find("ioctl fuzz: the module holds objects after the fuzz") == 0;
    said += w.find("errnos its ABI does not document: [\"errno 5\"]") != std::string::npos;
  }
  EXPECT_EQ(said, 2);

  std::stringstream bad(whole_stream() + R"({"type":"fuzz","result":42})" + "\n");
  const RawRun raw = read_records(bad);
  ASSERT_EQ(raw.bad_records.size(), 1U);
  EXPECT_NE(raw.bad_records[0].find("not an object"), std::string::npos) << raw.bad_records[0];
}

}  // namespace
}  // namespace kbench
