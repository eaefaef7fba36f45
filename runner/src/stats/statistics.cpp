// SPDX-License-Identifier: GPL-2.0
// statistics.cpp - plain descriptive statistics and the order-statistic
// median interval, tested against known vectors and synthetic coverage.
#include "stats/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kbench {

double percentile_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

Summary summarize(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  s.median = percentile_sorted(v, 50);
  s.p90 = percentile_sorted(v, 90);
  s.p99 = percentile_sorted(v, 99);
  s.p999 = percentile_sorted(v, 99.9);
  if (v.size() > 1) {
    double sq = 0;
    for (const double x : v) sq += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(sq / static_cast<double>(v.size() - 1));
  }
  s.cv = s.mean != 0 ? s.stddev / s.mean : 0;
  return s;
}

Interval median_ci(std::vector<double> v, double level) {
  Interval ci;
  const size_t n = v.size();
  if (n == 0) return ci;
  std::sort(v.begin(), v.end());
  // P(X <= j) for X ~ Binomial(n, 1/2), accumulated in log space so large
  // n does not underflow.
  auto log_pmf = [n](size_t j) {
    return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(j) + 1) -
           std::lgamma(static_cast<double>(n - j) + 1) - static_cast<double>(n) * std::log(2.0);
  };
  // The interval [x(k), x(n-1-k)] (0-based) covers the median with
  // probability 1 - 2 P(X <= k). Take the largest k that keeps it >= level.
  double tail = 0;  // P(X <= k)
  size_t best = 0;
  bool found = false;
  for (size_t k = 0; 2 * k + 1 < n; ++k) {
    tail += std::exp(log_pmf(k));
    if (1 - 2 * tail >= level) {
      best = k;
      found = true;
    } else {
      break;
    }
  }
  if (!found) {
    ci.low = v.front();
    ci.high = v.back();
    ci.coverage = n > 1 ? 1 - 2 * std::exp(log_pmf(0)) : 0;
    return ci;
  }
  double below = 0;  // P(X <= best)
  for (size_t k = 0; k <= best; ++k) below += std::exp(log_pmf(k));
  ci.low = v[best];
  ci.high = v[n - 1 - best];
  ci.coverage = 1 - 2 * below;
  return ci;
}

double cv_lower_bound(double cv, size_t n) {
  if (n < 2) return 0;
  const double k = static_cast<double>(n - 1);
  const double z = 1.959964;  // the standard normal's 97.5 % quantile
  const double h = 2.0 / (9.0 * k);
  const double chi2_upper = k * std::pow(1.0 - h + z * std::sqrt(h), 3);  // chi-square's 97.5 % quantile, k df
  return cv * std::sqrt(k / chi2_upper);
}

}  // namespace kbench
