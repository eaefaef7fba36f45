// SPDX-License-Identifier: GPL-2.0
// probes_test.cpp - probe jobs: config, names, ioctl encoding, and the
// least-squares fit of the vmalloc stages.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/sweep.h"
#include "core/error.h"
#include "device/device.h"
#include "measure/raw_event.h"
#include "report/results.h"

namespace kbench {
namespace {

TEST(Probes, SweepsExpandWithoutPatterns) {
  const Config c = parse_config(R"(
[[sweep]]
experiment = "access"
apis = ["vmalloc", "kmalloc"]
sizes = ["4K", "4M"]
patterns = ["pair", "batch"]
access_modes = ["page-random", "memset"]
[[sweep]]
experiment = "footprint"
apis = ["vmalloc_huge"]
sizes = ["4M"]
[[sweep]]
experiment = "stages"
apis = ["vmalloc"]
sizes = ["64K"]
)",
                                "t.toml");
  auto jobs = expand_sweeps(c);
  ASSERT_EQ(jobs.size(), 2U * 2 * 2 + 1 + 1);
  EXPECT_EQ(jobs[0].name(), "access/vmalloc/4096/GFP_KERNEL/page-random");
  EXPECT_EQ(jobs[1].name(), "access/vmalloc/4096/GFP_KERNEL/memset");
  EXPECT_TRUE(jobs[0].counters);
  EXPECT_EQ(jobs[8].name(), "footprint/vmalloc_huge/4194304/GFP_KERNEL");
  EXPECT_FALSE(jobs[8].counters);
  EXPECT_EQ(jobs[9].name(), "stages/vmalloc/65536");
  EXPECT_EQ(add_harness_jobs(jobs), 0U) << "probes have no noop loop shape";
  const Job back = nlohmann::json(jobs[1]).get<Job>();
  EXPECT_EQ(back.name(), jobs[1].name());
  EXPECT_THROW(parse_config("[[sweep]]\nexperiment = \"footprints\"\napis=[\"vmalloc\"]\nsizes=[1]\n", "t"), Error);
}

TEST(Probes, EncodeProbeArgs) {
  Job j;
  j.experiment = kExperimentAccess;
  j.access_mode = KBENCH_ACCESS_PAGE_RANDOM;
  j.api = KBENCH_API_VMALLOC_HUGE;
  j.size = 64 << 20;
  j.batches = 4;
  j.warmup_batches = 1;
  kbench_probe_sample samples[4];
  kbench_counters counters{};
  const kbench_probe_args a = encode_probe_args(j, false, samples, 4, &counters);
  EXPECT_EQ(a.size, sizeof(a));
  EXPECT_EQ(a.kind, static_cast<uint32_t>(KBENCH_PROBE_ACCESS));
  EXPECT_EQ(a.mode, static_cast<uint32_t>(KBENCH_ACCESS_PAGE_RANDOM));
  EXPECT_EQ(a.api, static_cast<uint32_t>(KBENCH_API_VMALLOC_HUGE));
  EXPECT_EQ(a.flags, static_cast<uint32_t>(KBENCH_RUN_COUNTERS));
  EXPECT_EQ(a.counters_ptr, reinterpret_cast<uintptr_t>(&counters));
  EXPECT_EQ(a.nr_batches, 4U);
  EXPECT_EQ(a.samples_len, 4 * sizeof(kbench_probe_sample));
  j.experiment = kExperimentFootprint;
  const kbench_probe_args f = encode_probe_args(j, false, samples, 1, nullptr);
  EXPECT_EQ(f.kind, static_cast<uint32_t>(KBENCH_PROBE_FOOTPRINT));
  EXPECT_EQ(f.mode, 0U) << "only access probes take a mode";
  EXPECT_EQ(f.nr_batches, 0U);
  EXPECT_EQ(f.counters_ptr, 0U);
}

TEST(Probes, DecodeFootprint) {
  kbench_probe_args a{};
  a.kind = KBENCH_PROBE_FOOTPRINT;
  a.map_2m = 2;
  a.level_shift = 21;
  a.in_vmalloc = 1;
  const RunOutcome o = decode_probe_args(a, 0, nullptr);
  ASSERT_TRUE(o.footprint.has_value());
  EXPECT_EQ(o.footprint->map_2m, 2U);
  EXPECT_TRUE(o.footprint->in_vmalloc);
  EXPECT_FALSE(decode_probe_args(a, EOPNOTSUPP, nullptr).footprint.has_value());
}

TEST(Probes, FitLine) {
  // y = 50 x + 2000, exactly.
  const LinearFit f = fit_line({{1, 2050}, {4, 2200}, {16, 2800}, {64, 5200}});
  EXPECT_NEAR(f.slope, 50, 1e-9);
  EXPECT_NEAR(f.intercept, 2000, 1e-9);
  EXPECT_NEAR(f.r2, 1, 1e-12);
  EXPECT_EQ(f.n, 4U);
  const LinearFit one = fit_line({{1, 5}});
  EXPECT_EQ(one.n, 1U);
  EXPECT_EQ(one.slope, 0);
  // Scattered points: r2 below 1.
  EXPECT_LT(fit_line({{1, 1}, {2, 3}, {3, 2}, {4, 5}}).r2, 1);
}

TEST(Probes, RawEventsAreResolvedByNameOrSayWhyNot) {
  const RawEvent bad = resolve_raw_event("NO_SUCH_EVENT_ANYWHERE");
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("libpfm4 cannot resolve 'NO_SUCH_EVENT_ANYWHERE'"), std::string::npos) << bad.error;
  Job j;
  j.api = KBENCH_API_KMALLOC;
  j.raw_type = 4;
  j.raw_config = 0x1234;
  kbench_counters counters{};
  const kbench_run_args a = encode_run_args(j, false, nullptr, 0, &counters);
  EXPECT_EQ(a.raw_config, 0x1234U);
  EXPECT_EQ(a.raw_type, 4U);
  EXPECT_EQ(encode_run_args(j, false, nullptr, 0, nullptr).raw_config, 0U) << "no counters, no raw event";
}

TEST(Probes, UnsupportedCountersSayWhy) {
  EXPECT_NE(counter_unsupported_reason(ENOENT).find("no PMU"), std::string::npos);
  EXPECT_NE(counter_unsupported_reason(EINVAL).find("unsupported"), std::string::npos);
  EXPECT_NE(counter_unsupported_reason(12345).find("12345"), std::string::npos);
}

}  // namespace
}  // namespace kbench
