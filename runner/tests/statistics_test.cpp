// SPDX-License-Identifier: GPL-2.0
// statistics_test.cpp - descriptive statistics against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "analysis/phases.h"
#include "analysis/results.h"
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

// Against the exact chi-square quantiles (97.5 %: 4 df 11.1433, 9 df
// 19.0228): the bound is cv * sqrt(df / quantile).
TEST(Statistics, CvLowerBoundIsTheChiSquareBound) {
  EXPECT_NEAR(cv_lower_bound(0.10, 5), 0.10 * std::sqrt(4 / 11.1433), 0.0005);
  EXPECT_NEAR(cv_lower_bound(0.20, 10), 0.20 * std::sqrt(9 / 19.0228), 0.0005);
  EXPECT_LT(cv_lower_bound(0.10, 5), cv_lower_bound(0.10, 50)) << "more samples, a tighter bound";
  EXPECT_EQ(cv_lower_bound(0.10, 1), 0);
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

TEST(Statistics, P999OfAThousandValues) {
  std::vector<double> v;
  for (int i = 1; i <= 1000; ++i) v.push_back(i);
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.p999, 999.001);  // rank 0.999 * 999 = 998.001
  EXPECT_DOUBLE_EQ(s.p99, 990.01);
}

TEST(MedianCi, ExactOrderStatistics) {
  // n = 10: P(X <= 1) = 11/1024, coverage 1 - 22/1024 = 0.9785 >= 0.95;
  // k = 2 would give 1 - 2*56/1024 = 0.89. So [x(2), x(9)] (1-based).
  const Interval ci = median_ci({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(ci.low, 2);
  EXPECT_DOUBLE_EQ(ci.high, 9);
  EXPECT_NEAR(ci.coverage, 1 - 22.0 / 1024, 1e-12);
  // n = 5 cannot reach 95 %: [min, max] with its true coverage, 1 - 2/32.
  const Interval small = median_ci({3, 1, 2, 5, 4});
  EXPECT_DOUBLE_EQ(small.low, 1);
  EXPECT_DOUBLE_EQ(small.high, 5);
  EXPECT_NEAR(small.coverage, 0.9375, 1e-12);
  EXPECT_EQ(median_ci({}).coverage, 0);
}

TEST(MedianCi, CoversTheTrueMedianAbout95PercentOfTheTime) {
  // Exponential(1): median ln 2. A skewed distribution, as latencies are.
  std::mt19937_64 rng(12345);
  std::exponential_distribution<double> exp1(1.0);
  const double truth = std::log(2.0);
  for (const size_t n : {20UL, 80UL, 400UL}) {
    int covered = 0;
    const int trials = 2000;
    for (int t = 0; t < trials; ++t) {
      std::vector<double> v(n);
      for (auto& x : v) x = exp1(rng);
      const Interval ci = median_ci(v);
      covered += ci.low <= truth && truth <= ci.high;
    }
    const double rate = static_cast<double>(covered) / trials;
    // Order-statistic intervals are conservative: at least 95 %, by a little.
    EXPECT_GE(rate, 0.94) << "n=" << n;
    EXPECT_LE(rate, 0.995) << "n=" << n;
  }
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
