// SPDX-License-Identifier: GPL-2.0
// probes_test.cpp - the least-squares fit of the vmalloc stages, raw PMU
// events by name, and why counters are unsupported.
#include <gtest/gtest.h>

#include "analysis/results.h"
#include "config/config.h"
#include "config/sweep.h"
#include "core/error.h"
#include "device/device.h"
#include "measure/raw_event.h"

namespace kbench {
namespace {

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
  j.api = "kmalloc";
  j.raw_type = 4;
  j.raw_config = 0x1234;
  kbench_counters counters{};
  const kbench_run_args a = encode_run_args(j, 1, false, nullptr, 0, &counters);
  EXPECT_EQ(a.raw_config, 0x1234U);
  EXPECT_EQ(a.raw_type, 4U);
  EXPECT_EQ(a.flags, static_cast<uint32_t>(KBENCH_RUN_COUNTERS));
  EXPECT_EQ(encode_run_args(j, 1, false, nullptr, 0, nullptr).raw_config, 0U) << "no counters, no raw event";
}

TEST(Probes, UnsupportedCountersSayWhy) {
  EXPECT_NE(counter_unsupported_reason(ENOENT).find("no PMU"), std::string::npos);
  EXPECT_NE(counter_unsupported_reason(EINVAL).find("unsupported"), std::string::npos);
  EXPECT_NE(counter_unsupported_reason(12345).find("12345"), std::string::npos);
}

}  // namespace
}  // namespace kbench
