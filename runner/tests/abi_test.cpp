// SPDX-License-Identifier: GPL-2.0
// abi_test.cpp - the runner's encoding of the UAPI.
#include <gtest/gtest.h>

#include <cstring>

#include "core/abi.h"
#include "core/error.h"
#include "core/job.h"
#include "device/device.h"

namespace kbench {
namespace {

TEST(Abi, NameTablesMatchTheHeader) {
  EXPECT_EQ(api_names().size(), static_cast<size_t>(KBENCH_API_COUNT));
  EXPECT_EQ(api_names()[KBENCH_API_VMALLOC_HUGE], "vmalloc_huge");
  EXPECT_EQ(api_names()[KBENCH_API_GET_FREE_PAGES], "__get_free_pages");
  EXPECT_EQ(gfp_names()[KBENCH_GFP_HIGHUSER_MOVABLE], "GFP_HIGHUSER_MOVABLE");
  EXPECT_EQ(gfp_mod_names()[3], "__GFP_RETRY_MAYFAIL");
  EXPECT_EQ(pattern_names()[KBENCH_PATTERN_BATCH_SHUFFLED], "batch-shuffled");
  EXPECT_EQ(context_names()[KBENCH_CTX_IRQS_OFF], "irqs-off");
}

TEST(Abi, GfpParsesBaseAndModifiers) {
  const Gfp g = Gfp::parse("GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN");
  EXPECT_EQ(g.base, static_cast<uint32_t>(KBENCH_GFP_KERNEL));
  EXPECT_EQ(g.mods, static_cast<uint32_t>(KBENCH_GFPM_ZERO | KBENCH_GFPM_NOWARN));
  EXPECT_EQ(g.to_string(), "GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN");
  EXPECT_EQ(Gfp::parse(" GFP_ATOMIC ").base, static_cast<uint32_t>(KBENCH_GFP_ATOMIC));
}

TEST(Abi, GfpRejectsWithAHint) {
  try {
    Gfp::parse("GFP_KERNAL");
    FAIL() << "accepted a misspelt flag";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'GFP_KERNEL'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Gfp::parse("__GFP_ZERO"), Error);              // no base
  EXPECT_THROW(Gfp::parse("GFP_KERNEL|GFP_ATOMIC"), Error);   // two bases
  EXPECT_THROW(Gfp::parse("GFP_KERNEL||__GFP_ZERO"), Error);  // empty token
}

TEST(Abi, EncodeRunArgsFillsEveryInputAndZeroesTheRest) {
  Job job;
  job.api = KBENCH_API_MEMPOOL_SLAB;
  job.size = 4096;
  job.gfp = Gfp{KBENCH_GFP_NOFS, KBENCH_GFPM_NORETRY};
  job.pattern = KBENCH_PATTERN_BATCH_SHUFFLED;
  job.context = KBENCH_CTX_PREEMPT_OFF;
  job.ops_per_batch = 512;
  job.batches = 7;
  job.warmup_batches = 2;
  job.mempool_min_nr = 16;
  job.hwcache_align = true;
  job.seed = 99;
  kbench_sample samples[7];
  const kbench_run_args a = encode_run_args(job, false, samples, 7);
  EXPECT_EQ(a.size, sizeof(kbench_run_args));
  EXPECT_EQ(a.abi_version, static_cast<uint32_t>(KBENCH_ABI_VERSION));
  EXPECT_EQ(a.api, static_cast<uint32_t>(KBENCH_API_MEMPOOL_SLAB));
  EXPECT_EQ(a.gfp, static_cast<uint32_t>(KBENCH_GFP_NOFS));
  EXPECT_EQ(a.gfp_mods, static_cast<uint32_t>(KBENCH_GFPM_NORETRY));
  EXPECT_EQ(a.pattern, static_cast<uint32_t>(KBENCH_PATTERN_BATCH_SHUFFLED));
  EXPECT_EQ(a.context, static_cast<uint32_t>(KBENCH_CTX_PREEMPT_OFF));
  EXPECT_EQ(a.flags, static_cast<uint32_t>(KBENCH_RUN_HWCACHE_ALIGN));
  EXPECT_EQ(a.obj_size, 4096U);
  EXPECT_EQ(a.ops_per_batch, 512U);
  EXPECT_EQ(a.nr_batches, 7U);
  EXPECT_EQ(a.warmup_batches, 2U);
  EXPECT_EQ(a.mempool_min_nr, 16U);
  EXPECT_EQ(a.seed, 99U);
  EXPECT_EQ(a.samples_ptr, reinterpret_cast<uintptr_t>(samples));
  EXPECT_EQ(a.samples_len, 7 * sizeof(kbench_sample));
  EXPECT_EQ(a.pad0, 0U);
  const char zeros[sizeof(a.reserved)] = {};
  EXPECT_EQ(std::memcmp(a.reserved, zeros, sizeof(zeros)), 0);

  const kbench_run_args v = encode_run_args(job, true, nullptr, 0);
  EXPECT_EQ(v.flags, static_cast<uint32_t>(KBENCH_RUN_VALIDATE_ONLY | KBENCH_RUN_HWCACHE_ALIGN));
}

TEST(Abi, DecodeRunArgsReadsOutputsAndOnlyDoneSamples) {
  kbench_run_args a{};
  std::strcpy(a.reason, "too big");
  std::strcpy(a.bad_field, "obj_size");
  std::strcpy(a.call, "__vmalloc");
  a.batches_done = 2;
  a.failed_total = 3;
  a.footprint_bytes = 8192;
  a.gfp_nowarn_added = 1;
  kbench_sample s[4] = {{10, 20, 1, 0, 0, 0}, {11, 21, 1, 1, KBENCH_SAMPLE_IRQ, 1}, {}, {}};
  const RunOutcome o = decode_run_args(a, 0, s);
  EXPECT_EQ(o.reason, "too big");
  EXPECT_EQ(o.bad_field, "obj_size");
  EXPECT_EQ(o.call, "__vmalloc");
  EXPECT_EQ(o.failed_total, 3U);
  EXPECT_TRUE(o.nowarn_added);
  ASSERT_EQ(o.samples.size(), 2U);
  EXPECT_EQ(o.samples[1].free_cycles, 21U);
  EXPECT_EQ(o.samples[1].flags, static_cast<uint32_t>(KBENCH_SAMPLE_IRQ));
}

TEST(Job, NamesAreCanonicalAndUnique) {
  Job j;
  j.api = KBENCH_API_KMALLOC;
  j.size = 65536;
  j.gfp = Gfp{KBENCH_GFP_KERNEL, 0};
  j.ops_per_batch = auto_ops_per_batch(65536);
  EXPECT_EQ(j.name(), "kmalloc/65536/GFP_KERNEL/pair");
  j.ops_per_batch = 3;  // not the automatic size: named, so it cannot collide
  EXPECT_EQ(j.name(), "kmalloc/65536/GFP_KERNEL/pair:3");
  j.pattern = KBENCH_PATTERN_BATCH;
  j.ops_per_batch = 64;
  j.context = KBENCH_CTX_IRQS_OFF;
  EXPECT_EQ(j.name(), "kmalloc/65536/GFP_KERNEL/batch:64/irqs-off");
  j.api = KBENCH_API_MEMPOOL_PAGE;
  j.mempool_min_nr = 4;
  EXPECT_EQ(j.name(), "mempool_page/65536/GFP_KERNEL/batch:64/irqs-off/min_nr:4");
}

TEST(Job, SizesParseAndFormat) {
  EXPECT_EQ(parse_size("8"), 8U);
  EXPECT_EQ(parse_size("4K"), 4096U);
  EXPECT_EQ(parse_size("64KiB"), 65536U);
  EXPECT_EQ(parse_size("2M"), 2U << 20);
  EXPECT_EQ(parse_size("1G"), 1ULL << 30);
  EXPECT_THROW(parse_size("4X"), Error);
  EXPECT_THROW(parse_size(""), Error);
  EXPECT_THROW(parse_size("-1"), Error);
  EXPECT_EQ(format_size(65536), "64K");
  EXPECT_EQ(format_size(100), "100");
  EXPECT_EQ(format_size(4U << 20), "4M");
}

TEST(Job, JsonRoundTrip) {
  Job j;
  j.api = KBENCH_API_VMALLOC_HUGE;
  j.size = 4U << 20;
  j.gfp = Gfp{KBENCH_GFP_KERNEL_ACCOUNT, KBENCH_GFPM_NOWARN};
  j.pattern = KBENCH_PATTERN_BATCH;
  j.ops_per_batch = 3;
  j.batches = 5;
  j.sweep = "s";
  const Job back = nlohmann::json(j).get<Job>();
  EXPECT_EQ(back.name(), j.name());
  EXPECT_EQ(back.batches, 5U);
  EXPECT_EQ(back.sweep, "s");
}

}  // namespace
}  // namespace kbench
