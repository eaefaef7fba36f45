// SPDX-License-Identifier: GPL-2.0
// sweep.cpp - a pure function from Config to jobs, tested on its own.
#include "config/sweep.h"

#include <unordered_set>

namespace kbench {

uint32_t auto_ops_per_batch(uint64_t size) {
  if (size <= 256) return 128;
  if (size <= 4096) return 64;
  if (size <= 65536) return 16;
  if (size <= (1U << 20)) return 4;
  return 1;
}

std::vector<Job> expand_sweeps(const Config& config) {
  std::vector<Job> jobs;
  std::unordered_set<std::string> seen;
  for (const auto& b : config.sweeps) {
    for (const uint32_t api : b.apis) {
      for (const uint64_t size : b.sizes) {
        for (const Gfp& gfp : b.gfps) {
          for (const uint32_t pattern : b.patterns) {
            for (const uint32_t context : b.contexts) {
              std::vector<uint32_t> ops;
              if (pattern == KBENCH_PATTERN_PAIR)
                ops = {b.ops_per_batch.value_or(auto_ops_per_batch(size))};
              else
                ops = b.batch_sizes;
              for (const uint32_t n : ops) {
                Job job;
                job.api = api;
                job.size = size;
                job.gfp = gfp;
                job.pattern = pattern;
                job.context = context;
                job.ops_per_batch = n;
                job.batches = b.batches;
                job.warmup_batches = b.warmup_batches;
                job.mempool_min_nr = job.is_mempool() ? b.mempool_min_nr : 0;
                job.hwcache_align = b.hwcache_align && (api == KBENCH_API_KMEM_CACHE || api == KBENCH_API_MEMPOOL_SLAB);
                job.seed = b.seed;
                job.sweep = b.name;
                if (seen.insert(job.name()).second) jobs.push_back(std::move(job));
              }
            }
          }
        }
      }
    }
  }
  return jobs;
}

}  // namespace kbench
