// SPDX-License-Identifier: GPL-2.0
// results.h - a run, analysed: what reporters print. Built from the raw
// record stream plus what the runner knows about the target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "device/device.h"
#include "measure/plan.h"
#include "stats/statistics.h"

namespace kbench {

struct PhaseResult {
  std::string phase;              // "alloc" or "free"
  std::vector<double> ns_per_op;  // one value per batch
  Summary summary;
  uint64_t ops = 0;            // timed operations over all batches
  uint32_t noisy_batches = 0;  // a context switch, interrupt or migration hit the batch
};

struct ConfigResult {
  Job job;
  std::string status;  // ok, refused, invalid, interrupted, error
  int err = 0;
  std::string reason;
  std::string bad_field;
  std::string call;
  uint64_t footprint_bytes = 0;
  bool nowarn_added = false;
  uint32_t failures = 0;  // allocations that returned NULL in timed batches
  uint32_t clock_khz = 0;
  std::vector<PhaseResult> phases;  // empty unless something was measured
};

// What the runner knows that the target does not.
struct RunMeta {
  std::string target;     // "host", "qemu:6.12"
  bool emulated = false;  // true under QEMU TCG: times are not hardware times
  std::string config_path;
  std::string kbench_version;
  std::string git_revision;
  std::string date;               // ISO 8601
  nlohmann::json target_details;  // e.g. the qemu command line
};

struct RunResults {
  nlohmann::json context;  // Google Benchmark context + kbench facts
  std::vector<ConfigResult> configs;
  std::vector<std::string> warnings;  // settings that distort results
  nlohmann::json selftest;
  std::optional<ModuleInfo> module_after;
  bool complete = false;
  bool emulated = false;
  size_t planned_jobs = 0;
};

RunResults analyze(const RawRun& raw, const RunMeta& meta);

// ns per op of one batch phase; NaN if no op of the phase happened.
double cycles_to_ns_per_op(uint64_t cycles, uint64_t ops, uint32_t clock_khz);

std::string status_of_errno(int err);

}  // namespace kbench
