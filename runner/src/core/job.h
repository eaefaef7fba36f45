// SPDX-License-Identifier: GPL-2.0
// job.h - one measured configuration (a "job"), the unit a sweep expands
// into, a plan carries to the target, and a result is reported for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/abi.h"

namespace kbench {

// experiment values: what a job measures.
inline constexpr uint32_t kExperimentAlloc = 0;  // allocation loops (KBENCH_IOC_RUN)
inline constexpr uint32_t kExperimentFootprint = 1 + KBENCH_PROBE_FOOTPRINT;
inline constexpr uint32_t kExperimentAccess = 1 + KBENCH_PROBE_ACCESS;
inline constexpr uint32_t kExperimentStages = 1 + KBENCH_PROBE_STAGES;

struct Job {
  uint32_t experiment = kExperimentAlloc;
  uint32_t access_mode = KBENCH_ACCESS_SEQUENTIAL;  // access probes only
  bool counters = true;                             // count TLB misses etc. where the CPU can
  std::string raw_event;                            // a model-specific event by libpfm4 name, or ""
  uint32_t raw_type = 0;                            // resolved on the target before the run
  uint64_t raw_config = 0;
  uint32_t api = KBENCH_API_NOOP;
  uint64_t size = 0;
  Gfp gfp;
  uint32_t pattern = KBENCH_PATTERN_PAIR;
  uint32_t context = KBENCH_CTX_PREEMPT_ON;
  uint32_t ops_per_batch = 1;
  uint32_t batches = 1;
  uint32_t warmup_batches = 1;
  uint32_t mempool_min_nr = 0;  // 0 for non-mempool APIs (the module insists)
  bool hwcache_align = false;
  uint32_t seed = 1;
  std::string sweep;  // the [[sweep]] block it came from, for reports

  // The canonical name without the phase, e.g. "kmalloc/65536/GFP_KERNEL/pair".
  // Non-default dimensions are appended so names stay unique: the batch size
  // of batch patterns always, of pair only when it is not the automatic one.
  std::string name() const;
  std::string_view api_name() const { return api_names()[api]; }
  std::string_view pattern_name() const { return pattern_names()[pattern]; }
  std::string_view context_name() const { return context_names()[context]; }
  bool is_probe() const { return experiment != kExperimentAlloc; }
  bool is_mempool() const;
};

void to_json(nlohmann::json& j, const Job& job);
void from_json(const nlohmann::json& j, Job& job);

// Pair-pattern ops per batch when the config says "auto": enough that a
// clock read is cheap against the batch on real hardware, few enough that
// large sizes do not hold much memory or time.
uint32_t auto_ops_per_batch(uint64_t size);

// "64", "4K", "2M", "1G" (binary units) to bytes; throws Error on bad text.
uint64_t parse_size(std::string_view text);
// Bytes to the shortest exact form: 65536 -> "64K", 100 -> "100".
std::string format_size(uint64_t bytes);

}  // namespace kbench
