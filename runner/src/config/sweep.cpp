// SPDX-License-Identifier: GPL-2.0
// sweep.cpp - a pure function from Config to jobs, tested on its own.
#include "config/sweep.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_set>

namespace kbench {

namespace {

// Probes ignore patterns and contexts: one job per api x size x gfp (x mode).
void expand_probes(const SweepBlock& b, std::vector<Job>& jobs, std::unordered_set<std::string>& seen) {
  const std::vector<uint32_t> modes =
      b.experiment == kExperimentAccess ? b.access_modes : std::vector<uint32_t>{KBENCH_ACCESS_SEQUENTIAL};
  for (const uint32_t api : b.apis) {
    for (const uint64_t size : b.sizes) {
      for (const Gfp& gfp : b.gfps) {
        for (const uint32_t mode : modes) {
          Job job;
          job.experiment = b.experiment;
          job.access_mode = mode;
          job.api = api;
          job.size = size;
          job.gfp = gfp;
          job.ops_per_batch = 1;
          job.batches = b.experiment == kExperimentFootprint ? 1 : b.batches;
          job.warmup_batches = b.experiment == kExperimentFootprint ? 0 : b.warmup_batches;
          job.seed = b.seed;
          job.sweep = b.name;
          job.counters = b.counters && b.experiment == kExperimentAccess;
          job.raw_event = b.raw_event;
          if (seen.insert(job.name()).second) jobs.push_back(std::move(job));
        }
      }
    }
  }
}

}  // namespace

std::vector<Job> expand_sweeps(const Config& config) {
  std::vector<Job> jobs;
  std::unordered_set<std::string> seen;
  for (const auto& b : config.sweeps) {
    if (b.experiment != kExperimentAlloc) {
      expand_probes(b, jobs, seen);
      continue;
    }
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
                job.counters = b.counters;
                job.raw_event = b.raw_event;
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

size_t add_harness_jobs(std::vector<Job>& jobs) {
  using Shape = std::tuple<uint32_t, uint32_t, uint32_t>;
  std::set<Shape> have;
  std::vector<std::pair<Shape, uint64_t>> need;  // shape, size of a job with it
  std::set<std::string> names;
  for (const auto& j : jobs) {
    if (j.is_probe()) continue;
    const Shape shape{j.pattern, j.ops_per_batch, j.context};
    names.insert(j.name());
    if (j.api == KBENCH_API_NOOP)
      have.insert(shape);
    else if (std::none_of(need.begin(), need.end(), [&](const auto& n) { return n.first == shape; }))
      need.emplace_back(shape, j.size);
  }
  size_t added = 0;
  for (const auto& [shape, size] : need) {
    if (have.count(shape)) continue;
    const auto& [pattern, ops, context] = shape;
    Job noop;
    noop.api = KBENCH_API_NOOP;
    noop.size = size;  // noop ignores it; it names the loop shape's siblings
    // Atomic contexts take only non-sleeping GFP; noop ignores the mask.
    noop.gfp = Gfp{context == KBENCH_CTX_PREEMPT_ON ? uint32_t{KBENCH_GFP_KERNEL} : uint32_t{KBENCH_GFP_ATOMIC}, 0};
    noop.pattern = pattern;
    noop.context = context;
    noop.ops_per_batch = ops;
    noop.batches = jobs.front().batches;
    noop.warmup_batches = jobs.front().warmup_batches;
    noop.sweep = "harness";
    if (!names.insert(noop.name()).second) continue;  // cannot happen: the shape is in the name
    jobs.push_back(noop);
    have.insert(shape);
    ++added;
  }
  return added;
}

}  // namespace kbench
