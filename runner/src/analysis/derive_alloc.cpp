// SPDX-License-Identifier: GPL-2.0
// derive_alloc.cpp - configurations measured both clean (earlier lazy frees
// purged first) and steady (nothing purged, batches past the kernel's own
// thresholds): what the deferred work a long-running caller pays adds,
// and how often the lazy vmap purge and the slab partial flush ran for it.
#include <cmath>
#include <string>
#include <vector>

#include "analysis/derive.h"
#include "core/catalog.h"

namespace kbench {

void derive_alloc(RunResults& r) {
  const Catalog catalog = r.catalog();
  for (const auto& s : r.configs) {
    if (s.job.experiment != KBENCH_EXP_ALLOC || !s.job.steady() || s.phases.empty()) continue;
    // The harness itself is what net figures take away, not a finding.
    const ApiInfo* api = catalog.api(s.job.api);
    if (!api || api->has(KBENCH_CAP_HARNESS)) continue;
    // Its clean counterpart: the same configuration in short clean batches
    // (the fewest operations per batch: a freshly purged kernel).
    const ConfigResult* clean = nullptr;
    for (const auto& c : r.configs) {
      Job same = c.job;
      same.state = kStateSteady;
      same.ops_per_batch = s.job.ops_per_batch;
      if (c.job.steady() || same.key() != s.job.key() || c.phases.empty()) continue;
      if (!clean || c.job.ops_per_batch < clean->job.ops_per_batch) clean = &c;
    }
    if (clean) {
      const ConfigResult& c = *clean;
      // Per alloc+free: the whole pair loop, or in batch patterns the
      // allocation and the free of one object (where frees do the work).
      const bool pair = find_phase(s, "pair") && find_phase(c, "pair");
      const std::vector<std::string> phases =
          pair ? std::vector<std::string>{"pair"} : std::vector<std::string>{"alloc", "free"};
      bool missing = false, net = true;
      for (const auto& ph : phases) {
        const PhaseStats* sp = find_phase(s, ph);
        const PhaseStats* cp = find_phase(c, ph);
        missing = missing || !sp || !cp;
        net = net && sp && cp && std::isfinite(sp->net_ns) && std::isfinite(cp->net_ns);
      }
      if (missing) continue;
      SteadyRow row;
      row.api = s.job.api;
      row.gfp = s.job.gfp.to_string();
      row.pattern = std::string(s.job.pattern_name());
      row.phase = pair ? "pair" : "alloc+free";
      row.size = s.job.size;
      row.steady_ops_per_batch = s.job.ops_per_batch;
      // The two loop shapes differ in length, and so in harness.
      row.net = net;
      for (const auto& ph : phases) {
        const PhaseStats* sp = find_phase(s, ph);
        const PhaseStats* cp = find_phase(c, ph);
        row.clean_ns += net ? cp->net_ns : cp->pooled.median;
        row.steady_ns += net ? sp->net_ns : sp->pooled.median;
        row.steady_ops = sp->ops;
      }
      row.change = row.steady_ns / row.clean_ns - 1;
      row.extra_share = (row.steady_ns - row.clean_ns) / row.steady_ns;
      const DeferredWork d = deferred_work(s);
      row.purges_counted = d.vmap_purges.has_value();
      row.purges = d.vmap_purges.value_or(0);
      row.slab_flushes_counted = d.slab_flushes.has_value();
      row.slab_flushes = d.slab_flushes.value_or(0);
      row.purge_threshold_bytes = d.purge_threshold_bytes;
      // Every vmalloc+vfree of the steady runs, warm-up and both loops of
      // the pair pattern included, frees its pages and a guard page of
      // virtual space lazily: how often that crossed the threshold. Only
      // where every call is a vmalloc: kvmalloc decides per call.
      if (row.purge_threshold_bytes && api->memory == KBENCH_MEM_VMALLOC) {
        const uint64_t page = r.context.value("page_size", 4096U);
        const uint64_t loops = s.job.pattern == KBENCH_PATTERN_PAIR ? 2 : 1;
        const uint64_t ops = static_cast<uint64_t>(s.rep_values.size()) * (s.job.batches + s.job.warmup_batches) *
                             s.job.ops_per_batch * loops;
        row.lazily_freed_bytes = ops * ((s.job.size + page - 1) / page * page + page);
        row.threshold_crossings = row.lazily_freed_bytes / row.purge_threshold_bytes;
      }
      r.steady.push_back(row);
    }
  }
}

}  // namespace kbench
