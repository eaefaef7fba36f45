// SPDX-License-Identifier: GPL-2.0
// abi_test.cpp - the runner's encoding of the UAPI, the catalog and job names.
#include <gtest/gtest.h>

#include <cstring>

#include "core/abi.h"
#include "core/catalog.h"
#include "core/error.h"
#include "core/job.h"
#include "device/device.h"

namespace kbench {
namespace {

TEST(Abi, NameTablesMatchTheHeaderAndTheModulesList) {
  // The API names come from kbench-module/kbench_apis.h, in its order.
  ASSERT_GE(api_names().size(), 2U);
  EXPECT_EQ(api_names()[0], "noop");
  EXPECT_EQ(gfp_names()[KBENCH_GFP_HIGHUSER_MOVABLE], "GFP_HIGHUSER_MOVABLE");
  EXPECT_EQ(gfp_mod_names()[3], "__GFP_RETRY_MAYFAIL");
  EXPECT_EQ(pattern_names()[KBENCH_PATTERN_BATCH_SHUFFLED], "batch-shuffled");
  EXPECT_EQ(context_names()[KBENCH_CTX_IRQS_OFF], "irqs-off");
  EXPECT_EQ(memory_names()[KBENCH_MEM_DIRECT_OR_VMALLOC], "direct_or_vmalloc");
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

Job pool_job() {
  Job job;
  job.api = "mempool_slab";
  job.size = 4096;
  job.gfp = Gfp{KBENCH_GFP_NOFS, KBENCH_GFPM_NORETRY};
  job.pattern = KBENCH_PATTERN_BATCH_SHUFFLED;
  job.context = KBENCH_CTX_PREEMPT_OFF;
  job.ops_per_batch = 512;
  job.batches = 7;
  job.warmup_batches = 2;
  job.options = {{"min_nr", 16}, {"hwcache_align", 1}};
  job.seed = 99;
  return job;
}

TEST(Abi, EncodeRunArgsFillsEveryInputTheExperimentReadsAndZeroesTheRest) {
  const Job job = pool_job();
  kbench_sample samples[7];
  const kbench_run_args a = encode_run_args(job, 11, false, samples, 7);
  EXPECT_EQ(a.experiment, static_cast<uint32_t>(KBENCH_EXP_ALLOC));
  EXPECT_EQ(a.api, 11U);  // the module's id, not ours
  EXPECT_EQ(a.gfp, static_cast<uint32_t>(KBENCH_GFP_NOFS));
  EXPECT_EQ(a.gfp_mods, static_cast<uint32_t>(KBENCH_GFPM_NORETRY));
  EXPECT_EQ(a.pattern, static_cast<uint32_t>(KBENCH_PATTERN_BATCH_SHUFFLED));
  EXPECT_EQ(a.context, static_cast<uint32_t>(KBENCH_CTX_PREEMPT_OFF));
  EXPECT_EQ(a.flags, static_cast<uint32_t>(KBENCH_RUN_HWCACHE_ALIGN));
  EXPECT_EQ(a.obj_size, 4096U);
  EXPECT_EQ(a.ops_per_batch, 512U);
  EXPECT_EQ(a.nr_batches, 7U);
  EXPECT_EQ(a.warmup_batches, 2U);
  EXPECT_EQ(a.min_nr, 16U);
  EXPECT_EQ(a.seed, 99U);
  EXPECT_EQ(a.mode, 0U);  // alloc does not read it: the module insists on 0
  EXPECT_EQ(a.sample_size, sizeof(kbench_sample));
  EXPECT_EQ(a.samples_ptr, reinterpret_cast<uintptr_t>(samples));
  EXPECT_EQ(a.samples_len, 7 * sizeof(kbench_sample));
  EXPECT_EQ(a.pad0, 0U);

  const kbench_run_args v = encode_run_args(job, 11, true, nullptr, 0);
  EXPECT_EQ(v.flags, static_cast<uint32_t>(KBENCH_RUN_VALIDATE_ONLY | KBENCH_RUN_HWCACHE_ALIGN));
}

TEST(Abi, EncodeLeavesFieldsAProbeDoesNotReadAtZero) {
  Job job = pool_job();
  job.experiment = KBENCH_EXP_STAGES;  // reads only the size and the batches
  const kbench_run_args a = encode_run_args(job, 11, false, nullptr, 0);
  EXPECT_EQ(a.experiment, static_cast<uint32_t>(KBENCH_EXP_STAGES));
  EXPECT_EQ(a.api, 0U);
  EXPECT_EQ(a.gfp, 0U);
  EXPECT_EQ(a.gfp_mods, 0U);
  EXPECT_EQ(a.pattern, 0U);
  EXPECT_EQ(a.context, 0U);
  EXPECT_EQ(a.ops_per_batch, 0U);
  EXPECT_EQ(a.seed, 0U);
  EXPECT_EQ(a.nr_batches, 7U);
  EXPECT_EQ(a.obj_size, 4096U);
  // The options are encoded where the job has them; the agent drops them
  // first where the experiment or API does not take them.
}

TEST(Abi, DecodeRunArgsReadsOutputsOnlyDoneSamplesAndNamedValues) {
  kbench_run_args a{};
  std::strcpy(a.reason, "too big");
  std::strcpy(a.bad_field, "obj_size");
  std::strcpy(a.call, "__vmalloc");
  a.nr_batches = 4;
  a.batches_done = 2;
  a.failed_total = 3;
  a.footprint_bytes = 8192;
  a.nowarn_added = 1;
  a.nr_values = 2;
  a.values[0] = 16;
  a.values[1] = 1;
  kbench_sample s[4]{};
  s[1].cycles[1] = 21;
  s[1].flags = KBENCH_SAMPLE_IRQ;
  ExperimentInfo e;
  e.values = {"pte_4k", "in_vmalloc"};
  const RunOutcome o = decode_run_args(a, 0, s, &e);
  EXPECT_EQ(o.reason, "too big");
  EXPECT_EQ(o.bad_field, "obj_size");
  EXPECT_EQ(o.call, "__vmalloc");
  EXPECT_EQ(o.failed_total, 3U);
  EXPECT_TRUE(o.nowarn_added);
  ASSERT_EQ(o.samples.size(), 2U);
  EXPECT_EQ(o.samples[1].cycles[1], 21U);
  EXPECT_EQ(o.samples[1].flags, static_cast<uint32_t>(KBENCH_SAMPLE_IRQ));
  EXPECT_EQ(o.values, (nlohmann::json{{"pte_4k", 16}, {"in_vmalloc", 1}}));
}

TEST(Abi, ThreadsAreEncodedAndTheirSamplesReadThreadByThread) {
  Job job;
  job.api = "kmalloc";
  job.size = 64;
  job.threads = kThreadsAll;
  job.batches = 3;
  EXPECT_EQ(job.thread_count(4), 4U) << "all: every online CPU";
  std::vector<kbench_sample> buf(3 * 4);
  const kbench_run_args a = encode_run_args(job, 1, false, buf.data(), buf.size(), nullptr, 4);
  EXPECT_EQ(a.nr_threads, 4U);
  EXPECT_EQ(a.samples_len, 12 * sizeof(kbench_sample)) << "every thread's nr_batches";
  // Thread t's batch b at t * nr_batches + b; the least completed count.
  kbench_run_args out = a;
  out.batches_done = 2;
  for (uint32_t t = 0; t < 4; ++t)
    for (uint32_t b = 0; b < 3; ++b) buf[t * 3 + b].cpu = 10 * t + b;
  const RunOutcome o = decode_run_args(out, EINTR, buf.data(), nullptr);
  EXPECT_EQ(o.threads, 4U);
  std::vector<uint32_t> cpus;
  for (const auto& s : o.samples) cpus.push_back(s.cpu);
  EXPECT_EQ(cpus, (std::vector<uint32_t>{0, 1, 10, 11, 20, 21, 30, 31}));
  // An experiment without threads is sent none.
  Job stages;
  stages.experiment = KBENCH_EXP_STAGES;
  stages.size = 65536;
  EXPECT_EQ(encode_run_args(stages, 0, true, nullptr, 0, nullptr, 4).nr_threads, 0U);
}

TEST(Catalog, DecodesTheModulesDescriptorsAndRoundTripsThroughJson) {
  kbench_api_info raw{};
  raw.id = 3;
  raw.memory = KBENCH_MEM_DIRECT_OR_VMALLOC;
  raw.caps = KBENCH_CAP_GFP | KBENCH_CAP_HUGE_MAP;
  raw.options = KBENCH_OPT_MIN_NR;
  raw.max_size = 1 << 20;
  std::strcpy(raw.name, "kvmalloc");
  std::strcpy(raw.family, "kvmalloc");
  std::strcpy(raw.call, "kvmalloc");
  std::strcpy(raw.free_call, "kvfree");
  std::strcpy(raw.note, "falls back to vmalloc");
  kbench_experiment_info ex{};
  ex.id = KBENCH_EXP_ACCESS;
  ex.nr_slots = 2;
  std::strcpy(ex.name, "access");
  std::strcpy(ex.slots[0], "touch");
  std::strcpy(ex.slots[1], "byte");
  std::strcpy(ex.units[0], "touch");
  std::strcpy(ex.units[1], "byte");
  ex.fields = KBENCH_FIELD_API | KBENCH_FIELD_MODE;
  Catalog c;
  c.apis.push_back(decode_api_info(raw));
  c.experiments.push_back(decode_experiment_info(ex));
  const nlohmann::json j = c;
  EXPECT_EQ(j["apis"][0]["caps"], (nlohmann::json{"gfp", "huge_map"}));  // by name, not as bits
  EXPECT_EQ(j["apis"][0]["memory"], "direct_or_vmalloc");
  const Catalog back = j.get<Catalog>();
  ASSERT_NE(back.api("kvmalloc"), nullptr);
  EXPECT_EQ(back.api("kvmalloc")->caps, raw.caps);
  EXPECT_TRUE(back.api("kvmalloc")->maybe_vmalloc());
  EXPECT_TRUE(back.api("kvmalloc")->takes(KBENCH_OPT_MIN_NR));
  EXPECT_EQ(back.api("kvmalloc")->id, 3U);
  EXPECT_EQ(back.api("kmalloc"), nullptr);
  ASSERT_NE(back.experiment(KBENCH_EXP_ACCESS), nullptr);
  EXPECT_EQ(back.experiment(KBENCH_EXP_ACCESS)->slots, (std::vector<std::string>{"touch", "byte"}));
}

TEST(Job, NamesCarryEveryDimensionTheExperimentReadsInAFixedOrder) {
  Job j;
  j.api = "kmalloc";
  j.size = 65536;
  j.ops_per_batch = auto_ops_per_batch(65536);
  // N is always named: the name does not depend on the auto-batch rule.
  EXPECT_EQ(j.key(), "kmalloc/size:64K/gfp:GFP_KERNEL/pattern:pair/n:16/ctx:preempt-on");
  EXPECT_EQ(measurement_name(j, "free"), j.key() + "/free");
  j.pattern = KBENCH_PATTERN_BATCH;
  j.ops_per_batch = 64;
  j.context = KBENCH_CTX_IRQS_OFF;
  j.options = {{"min_nr", 4}};
  EXPECT_EQ(j.key(), "kmalloc/size:64K/gfp:GFP_KERNEL/pattern:batch/n:64/ctx:irqs-off/min_nr:4");
  Job a;
  a.experiment = KBENCH_EXP_ACCESS;
  a.api = "vmalloc";
  a.size = 4 << 20;
  a.access_mode = KBENCH_ACCESS_PAGE_RANDOM;
  a.pattern = KBENCH_PATTERN_BATCH;  // not read by access: not in the name
  EXPECT_EQ(a.key(), "access/vmalloc/size:4M/gfp:GFP_KERNEL/mode:page-random");
  Job s;
  s.experiment = KBENCH_EXP_STAGES;
  s.api = "";
  s.size = 65536;
  EXPECT_EQ(s.key(), "stages/size:64K");
}

TEST(Job, DimensionsAreFieldsForEveryEntry) {
  Job j = pool_job();
  const nlohmann::json d = dimensions_json(j);
  EXPECT_EQ(d["api"], "mempool_slab");
  EXPECT_EQ(d["size_bytes"], 4096);
  EXPECT_EQ(d["gfp"], "GFP_NOFS|__GFP_NORETRY");
  EXPECT_EQ(d["pattern"], "batch-shuffled");
  EXPECT_EQ(d["ops_per_batch"], 512);
  EXPECT_EQ(d["context"], "preempt-off");
  EXPECT_EQ(d["options"], (nlohmann::json{{"min_nr", 16}, {"hwcache_align", 1}}));
  EXPECT_FALSE(d.contains("access_mode"));
  j.experiment = KBENCH_EXP_FOOTPRINT;
  const nlohmann::json f = dimensions_json(j);
  EXPECT_EQ(f["experiment"], "footprint");
  EXPECT_FALSE(f.contains("pattern"));
  EXPECT_FALSE(f.contains("ops_per_batch"));
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
  Job j = pool_job();
  j.sweep = "s";
  j.raw_event = "X";
  const Job back = nlohmann::json(j).get<Job>();
  EXPECT_EQ(back.key(), j.key());
  EXPECT_EQ(back.options, j.options);
  EXPECT_EQ(back.batches, 7U);
  EXPECT_EQ(back.seed, 99U);
  EXPECT_EQ(back.raw_event, "X");
  EXPECT_EQ(back.sweep, "s");
}

}  // namespace
}  // namespace kbench
