// SPDX-License-Identifier: GPL-2.0
// sweep_test.cpp - expansion of sweeps into jobs.
#include <gtest/gtest.h>

#include <set>

#include "config/config.h"
#include "config/sweep.h"
#include "core/error.h"
#include "device/device.h"

namespace kbench {
namespace {

TEST(Sweep, CartesianProductWithBatchSizesForBatchPatternsOnly) {
  const Config c = parse_config(R"(
[[sweep]]
apis = ["kmalloc", "mempool_page"]
sizes = [64, 65536]
gfp = ["GFP_KERNEL", "GFP_ATOMIC"]
patterns = ["pair", "batch"]
batch_sizes = [8, 512]
)",
                                "t.toml");
  const auto jobs = expand_sweeps(c);
  // 2 apis x 2 sizes x 2 gfp x (1 pair + 2 batch sizes)
  ASSERT_EQ(jobs.size(), 24U);
  std::set<std::string> names;
  for (const auto& j : jobs) {
    names.insert(j.key());
    if (j.pattern == KBENCH_PATTERN_PAIR) {
      EXPECT_EQ(j.ops_per_batch, auto_ops_per_batch(j.size));
    }
    // The API options as configured: the agent drops them for APIs that
    // do not take them, from the module's catalog.
    ASSERT_NE(j.option("min_nr"), nullptr);
    EXPECT_EQ(j.option("min_nr")->value, 16);
    EXPECT_EQ(j.option("hwcache_align"), nullptr);  // false: not set
  }
  EXPECT_EQ(names.size(), jobs.size()) << "names must be unique";
  EXPECT_EQ(jobs.front().key(), "kmalloc/size:64/gfp:GFP_KERNEL/pattern:pair/n:128/ctx:preempt-on/min_nr:16");
}

TEST(Sweep, ProbesExpandOnlyOverTheDimensionsTheyRead) {
  const Config c = parse_config(R"(
[[sweep]]
experiment = "access"
apis = ["vmalloc"]
sizes = ["4M"]
patterns = ["pair", "batch"]
contexts = ["preempt-on", "irqs-off"]
access_modes = ["sequential", "memset"]
[[sweep]]
experiment = "stages"
apis = ["vmalloc", "kmalloc"]
sizes = ["64K", "1M"]
)",
                                "t.toml");
  const auto jobs = expand_sweeps(c);
  ASSERT_EQ(jobs.size(), 4U);  // 2 modes; 2 sizes (stages read no API)
  EXPECT_EQ(jobs[0].key(), "access/vmalloc/size:4M/gfp:GFP_KERNEL/mode:sequential");
  EXPECT_EQ(jobs[1].access_mode, static_cast<uint32_t>(KBENCH_ACCESS_MEMSET));
  EXPECT_EQ(jobs[2].key(), "stages/size:64K");
  EXPECT_TRUE(jobs[2].options.empty());
}

TEST(Sweep, DuplicatesAcrossBlocksAreKeptOnce) {
  const Config c = parse_config(R"(
[[sweep]]
name = "one"
apis = ["kmalloc"]
sizes = [64, 128]
[[sweep]]
name = "two"
apis = ["kmalloc", "kzalloc"]
sizes = [64]
)",
                                "t.toml");
  const auto jobs = expand_sweeps(c);
  ASSERT_EQ(jobs.size(), 3U);
  EXPECT_EQ(jobs[0].sweep, "one");
  EXPECT_EQ(jobs[2].api, "kzalloc");
}

TEST(Sweep, AConfigThatExpandsTooFarIsRefusedWithTheCount) {
  std::string text = "[[sweep]]\napis = \"all\"\nsizes = [";
  for (int i = 1; i <= 400; ++i) text += std::to_string(i) + ",";
  text += "1024]\ngfp = [\"GFP_KERNEL\", \"GFP_ATOMIC\"]\npatterns = [\"pair\", \"batch\"]\nbatch_sizes = [";
  for (int i = 1; i <= 100; ++i) text += std::to_string(i) + ",";
  text += "128]\n";
  try {
    expand_sweeps(parse_config(text, "t.toml"));
    FAIL() << "expanded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("t.toml:1: the sweeps expand to more than 200000 configurations ("),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(expand_sweeps(parse_config("[[sweep]]\napis=[\"noop\"]\nsizes=[1,2,3]\n", "t"), 3).size(), 3U);
  EXPECT_THROW(expand_sweeps(parse_config("[[sweep]]\napis=[\"noop\"]\nsizes=[1,2,3]\n", "t"), 2), Error);
}

TEST(Sweep, HarnessJobsForEveryLoopShapeWithoutANoop) {
  const Config c = parse_config(R"(
[[sweep]]
apis = ["kmalloc"]
sizes = [64, 4096]
patterns = ["pair", "batch"]
batch_sizes = [8]
[[sweep]]
apis = ["noop", "kmalloc"]
sizes = [64]
gfp = ["GFP_ATOMIC"]
contexts = ["irqs-off"]
)",
                                "t.toml");
  auto jobs = expand_sweeps(c);
  const size_t before = jobs.size();
  // pair (ops 128 at 64 B, 64 at 4 KiB) and batch:8 lack a noop; irqs-off has one.
  EXPECT_EQ(add_harness_jobs(jobs), 3U);
  ASSERT_EQ(jobs.size(), before + 3);
  for (size_t i = before; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].api, "noop");
    EXPECT_EQ(jobs[i].sweep, "harness");
  }
  EXPECT_EQ(add_harness_jobs(jobs), 0U) << "idempotent";
}

TEST(Sweep, AutoOpsShrinkWithSize) {
  EXPECT_GT(auto_ops_per_batch(64), auto_ops_per_batch(4096));
  EXPECT_GT(auto_ops_per_batch(4096), auto_ops_per_batch(65536));
  EXPECT_EQ(auto_ops_per_batch(64 << 20), 1U);
}

TEST(Sweep, DefaultConfigCoversTheCoreIssue) {
  const auto jobs = expand_sweeps(load_config(std::string(KBENCH_SOURCE_DIR) + "/configs/default.toml"));
  std::set<std::string> apis;
  std::set<uint64_t> sizes, vm_sizes;
  std::set<std::string> gfps;
  for (const auto& j : jobs) {
    if (j.experiment != KBENCH_EXP_ALLOC) continue;
    apis.insert(j.api);
    sizes.insert(j.size);
    gfps.insert(j.gfp.to_string());
    if (j.api == "vmalloc") vm_sizes.insert(j.size);
  }
  EXPECT_EQ(apis.size(), api_names().size());
  EXPECT_GE(sizes.size(), 8U);
  EXPECT_EQ(*sizes.begin(), 8U);
  EXPECT_TRUE(sizes.count(4U << 20));
  EXPECT_TRUE(vm_sizes.count(64U << 20));
  EXPECT_GE(gfps.size(), 6U);
}

TEST(Sweep, ConditionsAreAnAxisNamedOnlyWhenMemoryIsNotAsItIs) {
  const Config c = parse_config(R"(
[[sweep]]
apis = ["alloc_pages"]
sizes = ["1M"]
patterns = ["batch"]
batch_sizes = [64]
conditions = ["none", "fragmented"]
)",
                                "t.toml");
  const std::vector<Job> jobs = expand_sweeps(c);
  ASSERT_EQ(jobs.size(), 2U);
  EXPECT_EQ(jobs[0].key(), "alloc_pages/size:1M/gfp:GFP_KERNEL/pattern:batch/n:64/ctx:preempt-on/min_nr:16");
  EXPECT_EQ(jobs[1].key(), jobs[0].key() + "/cond:fragmented");
  EXPECT_EQ(jobs[1].condition, static_cast<uint32_t>(KBENCH_COND_FRAGMENTED));
  // The job's JSON form keeps it; an older one without it is memory as it is.
  nlohmann::json j = jobs[1];
  EXPECT_EQ(j.at("condition"), "fragmented");
  EXPECT_EQ(j.get<Job>().condition, static_cast<uint32_t>(KBENCH_COND_FRAGMENTED));
  j.erase("condition");
  EXPECT_EQ(j.get<Job>().condition, static_cast<uint32_t>(KBENCH_COND_NONE));
  const kbench_run_args a = encode_run_args(jobs[1], 8, true, nullptr, 0);
  EXPECT_EQ(a.condition, static_cast<uint32_t>(KBENCH_COND_FRAGMENTED));
  EXPECT_THROW(parse_config("[[sweep]]\napis = [\"kmalloc\"]\nsizes = [64]\nconditions = [\"fragmnted\"]\n", "t.toml"),
               Error);
}

TEST(Sweep, ThreadsAreAnAxisNamedOnlyAboveOneWithAHarnessOfTheirOwn) {
  const Config c = parse_config(R"(
[[sweep]]
apis = ["kmalloc"]
sizes = [64]
threads = [1, 2, "all"]

[[sweep]]
experiment = "stages"
sizes = ["64K"]
)",
                                "t.toml");
  std::vector<Job> jobs = expand_sweeps(c);
  ASSERT_EQ(jobs.size(), 4U);
  EXPECT_EQ(jobs[0].key(), "kmalloc/size:64/gfp:GFP_KERNEL/pattern:pair/n:128/ctx:preempt-on/min_nr:16");
  EXPECT_EQ(jobs[1].key(), "kmalloc/size:64/gfp:GFP_KERNEL/pattern:pair/n:128/ctx:preempt-on/min_nr:16/threads:2");
  EXPECT_EQ(jobs[2].key(), "kmalloc/size:64/gfp:GFP_KERNEL/pattern:pair/n:128/ctx:preempt-on/min_nr:16/threads:all");
  EXPECT_EQ(jobs[2].threads, kThreadsAll);
  EXPECT_EQ(jobs[3].threads, 1U) << "stages runs on one CPU";
  EXPECT_EQ(add_harness_jobs(jobs), 3U) << "a noop per thread count";
  std::set<uint32_t> noop_threads;
  for (const auto& j : jobs)
    if (j.api == "noop") noop_threads.insert(j.threads);
  EXPECT_EQ(noop_threads, (std::set<uint32_t>{1, 2, kThreadsAll}));
}

}  // namespace
}  // namespace kbench
