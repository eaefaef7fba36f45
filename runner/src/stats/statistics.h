// SPDX-License-Identifier: GPL-2.0
// statistics.h - summary statistics of samples (ns per op), and a
// distribution-free confidence interval for the median.
#pragma once

#include <cstddef>
#include <vector>

namespace kbench {

struct Summary {
  size_t n = 0;
  double min = 0, max = 0, mean = 0, median = 0, p90 = 0, p99 = 0, p999 = 0, stddev = 0, cv = 0;
};

// Percentile p in [0, 100] of sorted values, interpolating between the two
// nearest ranks (the "type 7" estimator of R and numpy's default).
double percentile_sorted(const std::vector<double>& sorted, double p);

// n = 0 gives an all-zero Summary with n = 0; n = 1 gives stddev 0.
Summary summarize(std::vector<double> values);

// The lower bound of a 95 % confidence interval for the coefficient of
// variation of what was sampled, from a sample's cv over n values: the
// chi-square interval of the variance (normal samples), its quantile by
// Wilson and Hilferty (within 1 % from n = 3). When it is above a target,
// the spread is the machine's: more samples would not bring the cv under
// it. 0 for n < 2.
double cv_lower_bound(double cv, size_t n);

struct Interval {
  double low = 0, high = 0;
  double coverage = 0;  // the exact confidence the interval has (>= the level asked, if n allows)
};

// Confidence interval for the median from order statistics: the k-th
// smallest and k-th largest value, with k chosen from Binomial(n, 1/2) so
// that the coverage is at least `level`. Assumes only independent samples
// of a continuous distribution, not normality. For n < 6 no pair of order
// statistics reaches 95 %: the interval is [min, max] and `coverage` says
// what it really is.
Interval median_ci(std::vector<double> values, double level = 0.95);

}  // namespace kbench
