// SPDX-License-Identifier: GPL-2.0
// statistics.h - summary statistics of samples (per-batch ns per op).
#pragma once

#include <cstddef>
#include <vector>

namespace kbench {

struct Summary {
  size_t n = 0;
  double min = 0, max = 0, mean = 0, median = 0, p90 = 0, p99 = 0, stddev = 0, cv = 0;
};

// Percentile p in [0, 100] of sorted values, interpolating between the two
// nearest ranks (the "type 7" estimator of R and numpy's default).
double percentile_sorted(const std::vector<double>& sorted, double p);

// n = 0 gives an all-zero Summary with n = 0; n = 1 gives stddev 0.
Summary summarize(std::vector<double> values);

}  // namespace kbench
