// SPDX-License-Identifier: GPL-2.0
// records_test.cpp - the record stream between target and runner, and its
// analysis: whole runs, runs cut short, damaged lines.
#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

#include "config/sweep.h"
#include "measure/plan.h"
#include "report/results.h"

namespace kbench {
namespace {

class StringSink final : public RecordSink {
 public:
  void write(const nlohmann::json& r) override { out << r.dump() << "\n"; }
  std::stringstream out;
};

// A device whose answers are scripted: it stands at the kernel boundary so
// the executor's bookkeeping can be checked; the real module is tested by
// the QEMU end-to-end tests.
class ScriptedDevice final : public Device {
 public:
  ModuleInfo info() override {
    ModuleInfo m;
    m.clock_khz = 1000000;  // 1 tick = 1 ns
    m.release = "test";
    m.flags = KBENCH_INFO_INIT_ON_ALLOC;
    return m;
  }
  RunOutcome run(const Job& job, bool) override {
    RunOutcome o;
    ++calls;
    if (job.api == KBENCH_API_VMALLOC_32 && job.gfp.base != KBENCH_GFP_KERNEL) {
      o.err = EOPNOTSUPP;
      o.reason = "takes no gfp";
      return o;
    }
    if (job.api == KBENCH_API_VMALLOC && interrupt_vmalloc) o.err = EINTR;
    o.call = std::string(job.api_name());
    for (uint32_t b = 0; b < (o.err == EINTR ? 1 : job.batches); ++b)
      o.samples.push_back({100ULL * job.ops_per_batch * (b + 1), 50ULL * job.ops_per_batch, job.ops_per_batch, 0,
                           b == 0 ? KBENCH_SAMPLE_IRQ : 0U, 0});
    return o;
  }
  int calls = 0;
  bool interrupt_vmalloc = false;
};

Plan three_jobs() {
  Plan p;
  for (uint32_t api : {KBENCH_API_KMALLOC, KBENCH_API_VMALLOC_32, KBENCH_API_VMALLOC}) {
    Job j;
    j.api = api;
    j.size = 64;
    j.gfp = Gfp{KBENCH_GFP_ATOMIC, 0};
    if (api == KBENCH_API_VMALLOC) j.gfp = Gfp{};
    j.ops_per_batch = 4;
    j.batches = 3;
    p.jobs.push_back(j);
  }
  return p;
}

TEST(Records, WholeRunRoundTripsAndAnalyses) {
  ScriptedDevice dev;
  StringSink sink;
  execute_plan(three_jobs(), dev, sink, {{"clocksource", "tsc"}}, nullptr, nullptr);
  const RawRun raw = read_records(sink.out);
  EXPECT_TRUE(raw.ended);
  EXPECT_FALSE(raw.interrupted);
  EXPECT_EQ(raw.planned_jobs, 3U);
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
  ASSERT_EQ(r.configs[0].repetitions.size(), 1U);
  const PhaseSamples& alloc = r.configs[0].repetitions[0].phases[0];
  EXPECT_EQ(alloc.phase, "alloc");
  EXPECT_EQ(alloc.ns_per_op, (std::vector<double>{100, 200, 300}));
  EXPECT_DOUBLE_EQ(alloc.summary.median, 200);
  EXPECT_EQ(alloc.noisy_batches, 1U);
  EXPECT_EQ(alloc.ops, 12U);
  EXPECT_DOUBLE_EQ(r.configs[0].phases[0].pooled.median, 200);
  EXPECT_EQ(r.configs[0].phases[0].repetitions, 1U);
  EXPECT_DOUBLE_EQ(r.configs[0].phases[1].pooled.median, 50);
  bool emulated_warning = false, zeroing_warning = false;
  for (const auto& w : r.warnings) {
    emulated_warning |= w.rfind("EMULATED", 0) == 0;
    zeroing_warning |= w.rfind("init_on_alloc=1", 0) == 0;
  }
  EXPECT_TRUE(emulated_warning);
  EXPECT_TRUE(zeroing_warning);
  EXPECT_EQ(r.context["emulated"], true);
}

TEST(Records, InterruptedRunKeepsWhatWasMeasured) {
  ScriptedDevice dev;
  dev.interrupt_vmalloc = true;
  StringSink sink;
  Plan p = three_jobs();
  p.jobs.push_back(p.jobs[0]);  // never reached
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

TEST(Records, StopFlagEndsBeforeTheNextJob) {
  ScriptedDevice dev;
  StringSink sink;
  std::atomic<bool> stop{true};
  execute_plan(three_jobs(), dev, sink, {}, nullptr, &stop);
  EXPECT_EQ(dev.calls, 0);
  const RawRun raw = read_records(sink.out);
  EXPECT_TRUE(raw.ended);
  EXPECT_TRUE(raw.interrupted);
}

TEST(Records, TruncatedStreamIsReadUpToTheDamage) {
  ScriptedDevice dev;
  StringSink sink;
  execute_plan(three_jobs(), dev, sink, {}, nullptr, nullptr);
  std::string text = sink.out.str();
  // Cut in the middle of the third job record, as a guest crash would.
  const size_t third = text.find("\"index\":2");
  ASSERT_NE(third, std::string::npos);
  std::stringstream cut(text.substr(0, third + 20));
  const RawRun raw = read_records(cut);
  EXPECT_FALSE(raw.ended);
  EXPECT_EQ(raw.jobs.size(), 2U);
  EXPECT_EQ(raw.bad_lines, 1U);
  const RunResults r = analyze(raw, RunMeta{});
  EXPECT_FALSE(r.complete);
  bool incomplete_warning = false;
  for (const auto& w : r.warnings) incomplete_warning |= w.rfind("incomplete run", 0) == 0;
  EXPECT_TRUE(incomplete_warning);
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

// Repetition medians alternate between two values: its CV stays high, so
// the dynamic run count goes on to its cap; a steady device stops at once.
class AlternatingDevice final : public Device {
 public:
  explicit AlternatingDevice(double swing) : swing_(swing) {}
  ModuleInfo info() override {
    ModuleInfo m;
    m.clock_khz = 1000000;
    return m;
  }
  RunOutcome run(const Job& job, bool) override {
    RunOutcome o;
    const uint64_t per_op = (runs_++ % 2) ? static_cast<uint64_t>(100 * (1 + swing_)) : 100;
    for (uint32_t b = 0; b < job.batches; ++b)
      o.samples.push_back({per_op * job.ops_per_batch, 10, job.ops_per_batch, 0, 0, 0});
    return o;
  }
  int runs_ = 0;

 private:
  double swing_;
};

TEST(Plan, DynamicRunCountRepeatsUntilCvTargetOrCap) {
  std::vector<Job> jobs(1);
  jobs[0].batches = 2;
  Plan p = make_plan(jobs, 3, true, 1);
  p.cv_target = 0.03;
  p.max_repetitions = 8;
  {
    AlternatingDevice noisy(0.5);
    StringSink sink;
    execute_plan(p, noisy, sink, nullptr, nullptr, nullptr);
    EXPECT_EQ(noisy.runs_, 8);
    const RunResults r = analyze(read_records(sink.out), RunMeta{});
    EXPECT_TRUE(r.configs[0].cv_target_missed);
    EXPECT_EQ(r.configs[0].phases[0].repetitions, 8U);
  }
  {
    AlternatingDevice steady(0.0);
    StringSink sink;
    execute_plan(p, steady, sink, nullptr, nullptr, nullptr);
    EXPECT_EQ(steady.runs_, 3);
    const RunResults r = analyze(read_records(sink.out), RunMeta{});
    EXPECT_FALSE(r.configs[0].cv_target_missed);
  }
}

TEST(Records, RefusedConfigurationsAreAskedOnce) {
  ScriptedDevice dev;
  StringSink sink;
  Plan p = make_plan(three_jobs().jobs, 4, true, 7);
  execute_plan(p, dev, sink, nullptr, nullptr, nullptr);
  EXPECT_EQ(dev.calls, 4 + 1 + 4);  // the refused vmalloc_32 once
  const RunResults r = analyze(read_records(sink.out), RunMeta{});
  EXPECT_EQ(r.configs.size(), 3U);
  for (const auto& c : r.configs) {
    if (c.status == "ok") {
      EXPECT_EQ(c.phases[0].repetitions, 4U);
    }
  }
}

TEST(Records, HarnessFiguresAndNoisyBatches) {
  // noop at 100 ns, kmalloc at 100.5 ns (within 1 %), vmalloc at 300 ns.
  RawRun raw;
  raw.module_before = ModuleInfo{};
  raw.module_before->clock_khz = 1000000;
  raw.ended = true;
  const std::pair<uint32_t, uint64_t> apis[] = {
      {KBENCH_API_NOOP, 1000}, {KBENCH_API_KMALLOC, 1005}, {KBENCH_API_VMALLOC, 3000}};
  for (uint32_t i = 0; i < 3; ++i) {
    RawJob rj;
    rj.config = i;
    rj.job.api = apis[i].first;
    rj.job.ops_per_batch = 10;
    rj.outcome.samples = {{apis[i].second, apis[i].second, 10, 0, 0, 0},
                          {apis[i].second, apis[i].second, 10, 0, KBENCH_SAMPLE_CTX_SWITCH, 0},
                          {apis[i].second * 50, apis[i].second, 10, 0, KBENCH_SAMPLE_IRQ, 0}};
    raw.jobs.push_back(rj);
  }
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
  EXPECT_EQ(back.jobs[2].name(), p.jobs[2].name());
  nlohmann::json bad = p;
  bad["format"] = 99;
  EXPECT_THROW(bad.get<Plan>(), std::exception);
}

}  // namespace
}  // namespace kbench
