// SPDX-License-Identifier: GPL-2.0
// derive_zeroing.cpp - an allocation that zeroes, in bytes per ns, against
// memset of a buffer of the same size (the access experiment's memset
// mode): how close zeroing comes to the bandwidth limit. Which allocations
// zero is read from the catalog (always_zeroes) and the GFP, or from
// init_on_alloc, which zeroes everything but the harness.
#include "analysis/derive.h"

namespace kbench {

void derive_zeroing(RunResults& r) {
  const Catalog catalog = r.catalog();
  const bool init_on_alloc = r.context.value("init_on_alloc", false);
  for (const auto& m : r.configs) {
    if (m.job.experiment != KBENCH_EXP_ACCESS || m.job.access_mode != KBENCH_ACCESS_MEMSET) continue;
    const double memset_ns_per_byte = phase_median(m, "byte");
    if (!(memset_ns_per_byte > 0)) continue;
    for (const auto& a : r.configs) {
      if (a.job.experiment != KBENCH_EXP_ALLOC || a.job.size != m.job.size || a.job.pattern != KBENCH_PATTERN_PAIR ||
          a.job.context != KBENCH_CTX_PREEMPT_ON)
        continue;
      const ApiInfo* api = catalog.api(a.job.api);
      if (!api || api->has(KBENCH_CAP_HARNESS)) continue;
      const bool zeroes = api->has(KBENCH_CAP_ALWAYS_ZEROES) || (a.job.gfp.mods & KBENCH_GFPM_ZERO) || init_on_alloc;
      const double alloc_ns = phase_median(a, "alloc");
      if (!zeroes || !(alloc_ns > 0)) continue;
      ZeroingRow z;
      z.alloc_name = measurement_name(a.job, "alloc");
      z.api = a.job.api;
      z.memset_name = measurement_name(m.job, "byte");
      z.size = a.job.size;
      z.alloc_bytes_per_ns = static_cast<double>(a.job.size) / alloc_ns;
      z.memset_bytes_per_ns = 1.0 / memset_ns_per_byte;
      z.fraction_of_limit = z.alloc_bytes_per_ns / z.memset_bytes_per_ns;
      r.zeroing.push_back(z);
    }
  }
}

}  // namespace kbench
