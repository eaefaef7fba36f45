// SPDX-License-Identifier: GPL-2.0
// records_test.cpp - the record stream between target and runner, and its
// analysis: whole runs, runs cut short, damaged lines.
#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

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
  const PhaseResult& alloc = r.configs[0].phases[0];
  EXPECT_EQ(alloc.phase, "alloc");
  EXPECT_EQ(alloc.ns_per_op, (std::vector<double>{100, 200, 300}));
  EXPECT_DOUBLE_EQ(alloc.summary.median, 200);
  EXPECT_EQ(alloc.noisy_batches, 1U);
  EXPECT_EQ(alloc.ops, 12U);
  EXPECT_DOUBLE_EQ(r.configs[0].phases[1].summary.median, 50);
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
  EXPECT_EQ(r.configs[2].phases.at(0).ns_per_op.size(), 1U);
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

TEST(Records, PlanRoundTrip) {
  Plan p = three_jobs();
  p.selftest = true;
  const Plan back = nlohmann::json(p).get<Plan>();
  ASSERT_EQ(back.jobs.size(), 3U);
  EXPECT_TRUE(back.selftest);
  EXPECT_EQ(back.jobs[2].name(), p.jobs[2].name());
  nlohmann::json bad = p;
  bad["format"] = 99;
  EXPECT_THROW(bad.get<Plan>(), std::exception);
}

}  // namespace
}  // namespace kbench
