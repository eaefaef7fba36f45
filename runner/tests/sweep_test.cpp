// SPDX-License-Identifier: GPL-2.0
// sweep_test.cpp - expansion of sweeps into jobs.
#include <gtest/gtest.h>

#include <set>

#include "config/config.h"
#include "config/sweep.h"

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
    names.insert(j.name());
    if (j.pattern == KBENCH_PATTERN_PAIR) {
      EXPECT_EQ(j.ops_per_batch, auto_ops_per_batch(j.size));
    }
    EXPECT_EQ(j.mempool_min_nr, j.api == KBENCH_API_MEMPOOL_PAGE ? 16U : 0U);
  }
  EXPECT_EQ(names.size(), jobs.size()) << "names must be unique";
  EXPECT_EQ(jobs.front().name(), "kmalloc/64/GFP_KERNEL/pair");
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
  EXPECT_EQ(jobs[2].name(), "kzalloc/64/GFP_KERNEL/pair");
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
    EXPECT_EQ(jobs[i].api, static_cast<uint32_t>(KBENCH_API_NOOP));
    EXPECT_EQ(jobs[i].sweep, "harness");
  }
  EXPECT_EQ(add_harness_jobs(jobs), 0U) << "idempotent";
}

TEST(Sweep, AutoOpsShrinkWithSize) {
  EXPECT_GT(auto_ops_per_batch(64), auto_ops_per_batch(4096));
  EXPECT_GT(auto_ops_per_batch(4096), auto_ops_per_batch(65536));
  EXPECT_EQ(auto_ops_per_batch(64 << 20), 1U);
}

TEST(Sweep, HwcacheAlignOnlyWhereTheModuleAcceptsIt) {
  const Config c = parse_config("[[sweep]]\napis=[\"kmalloc\",\"kmem_cache\"]\nsizes=[64]\nhwcache_align=true\n", "t");
  const auto jobs = expand_sweeps(c);
  ASSERT_EQ(jobs.size(), 2U);
  EXPECT_FALSE(jobs[0].hwcache_align);
  EXPECT_TRUE(jobs[1].hwcache_align);
}

TEST(Sweep, DefaultConfigCoversTheCoreIssue) {
  const auto jobs = expand_sweeps(load_config(std::string(KBENCH_SOURCE_DIR) + "/configs/default.toml"));
  std::set<uint32_t> apis;
  std::set<uint64_t> sizes, vm_sizes;
  std::set<std::string> gfps;
  for (const auto& j : jobs) {
    apis.insert(j.api);
    sizes.insert(j.size);
    gfps.insert(j.gfp.to_string());
    if (j.api == KBENCH_API_VMALLOC) vm_sizes.insert(j.size);
  }
  EXPECT_EQ(apis.size(), static_cast<size_t>(KBENCH_API_COUNT));
  EXPECT_GE(sizes.size(), 8U);
  EXPECT_EQ(*sizes.begin(), 8U);
  EXPECT_TRUE(sizes.count(4U << 20));
  EXPECT_TRUE(vm_sizes.count(64U << 20));
  EXPECT_GE(gfps.size(), 6U);
}

}  // namespace
}  // namespace kbench
