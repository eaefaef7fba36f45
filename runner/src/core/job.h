// SPDX-License-Identifier: GPL-2.0
// job.h - one measured configuration (a "job"), the unit a sweep expands
// into, a plan carries to the target, and a result is reported for.
//
// Every dimension is its own field. Names are built from the fields in one
// place (Job::key, measurement_name), in a fixed order with every
// dimension the experiment reads, for display and for compare.py, which
// matches by name; nothing parses a name back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/abi.h"

namespace kbench {

// An option of the API (kbench_api_info.options), e.g. {"min_nr", 16}: set
// only where the API takes it (the agent drops the others).
struct ApiOption {
  std::string key;
  int64_t value = 0;
  bool operator==(const ApiOption&) const = default;
};

// Job::threads for "all": one thread per online CPU of the target.
inline constexpr uint32_t kThreadsAll = 0;

struct Job {
  // What is measured: the dimensions.
  uint32_t experiment = KBENCH_EXP_ALLOC;
  std::string api = "noop";
  uint64_t size = 0;
  Gfp gfp;
  uint32_t pattern = KBENCH_PATTERN_PAIR;
  uint32_t ops_per_batch = 1;    // N: ops per timed batch (steady state: the module's choice)
  uint32_t state = kStateClean;  // clean or steady (kStateSteady): part of the N dimension
  uint32_t context = KBENCH_CTX_PREEMPT_ON;
  uint32_t access_mode = KBENCH_ACCESS_SEQUENTIAL;
  std::vector<ApiOption> options;         // in the option table's order
  uint32_t threads = 1;                   // CPUs running it at once; kThreadsAll: every online CPU
  uint32_t condition = KBENCH_COND_NONE;  // the state of memory it runs in
  // How it is measured: not part of its name.
  uint32_t batches = 1;
  uint32_t warmup_batches = 0;
  uint32_t seed = 1;
  bool counters = true;   // count TLB misses etc. where the CPU can
  std::string raw_event;  // a model-specific event by libpfm4 name, or ""
  uint32_t raw_type = 0;  // resolved on the target before the run
  uint64_t raw_config = 0;
  std::string sweep;  // the [[sweep]] block it came from, for reports

  // The canonical name of the configuration, without a phase, e.g.
  // "kmalloc/size:64K/gfp:GFP_KERNEL/pattern:pair/n:16/ctx:preempt-on".
  std::string key() const;
  bool reads(uint32_t field) const;  // KBENCH_FIELD_* of its experiment
  std::string_view experiment_name() const;
  std::string_view pattern_name() const { return pattern_names()[pattern]; }
  std::string_view context_name() const { return context_names()[context]; }
  std::string_view access_mode_name() const { return access_mode_names()[access_mode]; }
  std::string_view state_name() const { return state_names()[state]; }
  std::string threads_name() const;  // "2", "all"
  std::string_view condition_name() const { return condition_names()[condition]; }
  bool steady() const { return state == kStateSteady; }
  // The threads the module is asked for, "all" resolved against the CPUs online there.
  uint32_t thread_count(uint32_t nr_cpus) const { return threads == kThreadsAll ? nr_cpus : threads; }
  const ApiOption* option(std::string_view key) const;
};

// key() + "/" + phase: a measurement's name in results.json and the history.
std::string measurement_name(const Job& job, std::string_view phase);

// The dimensions of a job as JSON fields, for results.json entries.
nlohmann::json dimensions_json(const Job& job);

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
