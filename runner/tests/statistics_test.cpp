// SPDX-License-Identifier: GPL-2.0
// statistics_test.cpp - descriptive statistics against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report/results.h"
#include "stats/statistics.h"

namespace kbench {
namespace {

TEST(Statistics, EmptyAndSingle) {
  const Summary e = summarize({});
  EXPECT_EQ(e.n, 0U);
  const Summary one = summarize({5.0});
  EXPECT_EQ(one.n, 1U);
  EXPECT_DOUBLE_EQ(one.median, 5.0);
  EXPECT_DOUBLE_EQ(one.p99, 5.0);
  EXPECT_DOUBLE_EQ(one.stddev, 0.0);
}

TEST(Statistics, KnownVector) {
  // Unsorted on purpose. Sorted: 1 2 3 4 5 6 7 8 9 10.
  const Summary s = summarize({7, 3, 10, 1, 9, 2, 8, 4, 6, 5});
  EXPECT_EQ(s.n, 10U);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.p90, 9.1);                      // rank 0.9 * 9 = 8.1 -> 9 + 0.1
  EXPECT_DOUBLE_EQ(s.p99, 9.91);                     // rank 8.91
  EXPECT_NEAR(s.stddev, 3.0276503540974917, 1e-12);  // sample stddev
  EXPECT_NEAR(s.cv, 3.0276503540974917 / 5.5, 1e-12);
}

TEST(Statistics, PercentileEnds) {
  const std::vector<double> v = {1, 2, 3};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0), 1);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 100), 3);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 50), 2);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 25), 1.5);
}

TEST(Statistics, ZeroMeanHasNoCv) {
  const Summary s = summarize({-1, 1});
  EXPECT_DOUBLE_EQ(s.mean, 0);
  EXPECT_DOUBLE_EQ(s.cv, 0);
}

TEST(Results, CyclesToNs) {
  // 2000 cycles at 2 GHz (2,000,000 kHz) for 10 ops: 100 ns per op.
  EXPECT_DOUBLE_EQ(cycles_to_ns_per_op(20000, 10, 2000000), 1000.0);
  EXPECT_DOUBLE_EQ(cycles_to_ns_per_op(2000, 10, 2000000), 100.0);
  EXPECT_TRUE(std::isnan(cycles_to_ns_per_op(1, 0, 1000)));
  EXPECT_TRUE(std::isnan(cycles_to_ns_per_op(1, 1, 0)));
}

}  // namespace
}  // namespace kbench
