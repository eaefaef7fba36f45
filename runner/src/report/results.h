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

// One phase of one repetition: its batches.
struct PhaseSamples {
  std::string phase;               // "alloc" or "free"
  std::vector<double> ns_per_op;   // one value per kept batch
  Summary summary;                 // over those batches
  uint64_t ops = 0;                // timed operations in kept batches
  uint32_t noisy_batches = 0;      // a context switch, interrupt or migration hit the batch
  uint32_t discarded_batches = 0;  // noisy batches left out (only with discard_noisy)
};

struct Repetition {
  uint32_t index = 0;
  int err = 0;
  uint32_t failures = 0;
  std::vector<PhaseSamples> phases;
};

// One phase over all repetitions of a configuration.
struct PhaseStats {
  std::string phase;
  Summary pooled;       // every kept batch of every repetition
  Interval median_ci;   // 95 % order-statistic interval of the pooled median
  Summary rep_medians;  // the repetitions' medians: mean/median/stddev/cv aggregates
  uint32_t repetitions = 0;
  uint64_t ops = 0;
  uint32_t noisy_batches = 0;
  uint32_t discarded_batches = 0;
  double harness_ns = -1;   // the noop cost of the same loop shape; < 0 if not measured
  bool unreliable = false;  // within 1 % of the harness cost
};

// One counter of a configuration, over all its timed batches.
struct CounterResult {
  std::string name;        // "dtlb_load_misses", ...
  bool supported = false;  // false: `reason` says why; no value is reported
  std::string reason;
  bool multiplexed = false;
  double total = 0, total_free = 0, ops = 0, ops_free = 0;  // summed over repetitions
  double per_op = 0;        // total / ops: per alloc (per pair for pair; per touch for access)
  double per_op_free = -1;  // per freed op for batch patterns, else < 0
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
  uint32_t failures = 0;  // allocations that returned NULL, over all repetitions
  uint32_t clock_khz = 0;
  bool cv_target_missed = false;  // dynamic run count hit its cap still above target
  std::vector<Repetition> repetitions;
  std::vector<PhaseStats> phases;  // empty unless something was measured
  std::optional<Footprint> footprint;
  std::vector<CounterResult> counters;  // empty when not asked for
  std::string counter_scope;            // what per_op counts: "alloc+free pair", "op", "touch", "byte"
  uint64_t ipi_tlb = 0, ipi_cal = 0;    // /proc/interrupts deltas over all repetitions
};

// errno of a counter that could not be created, in words.
std::string counter_unsupported_reason(int err);

// What the runner knows that the target does not.
struct RunMeta {
  std::string target;     // "host", "qemu:6.12"
  bool emulated = false;  // true under QEMU TCG: times are not hardware times
  std::string config_path;
  std::string kbench_version;
  std::string git_revision;
  std::string date;               // ISO 8601
  bool discard_noisy = false;     // leave out batches flagged noisy (counted)
  uint32_t repetitions = 0;       // planned per configuration
  nlohmann::json target_details;  // e.g. the qemu command line
};

// vmalloc(size) split into stages (medians, ns per allocation): the pages,
// their array, and vmap (VA range, vm_struct, page tables) are measured;
// `rest` is derived: vmalloc - pages_alloc - page_array - vmap, the
// accounting and checks vmalloc does beyond those.
struct StageRow {
  uint64_t size = 0, pages = 0;
  double pages_alloc = 0, page_array = 0, vmap = 0, vm_map_ram = 0, vmalloc = 0, rest = 0;
  double vunmap = 0, vm_unmap_ram = 0, pages_free = 0, vfree = 0, purge = 0;
  double explained = 0;         // (pages_alloc + page_array + vmap) / vmalloc
  double overhead = 0;          // vmalloc - pages_alloc: what vmalloc adds to the page allocator
  double vmap_share = 0;        // vmap / overhead
  double page_array_share = 0;  // page_array / overhead
  double rest_share = 0;        // rest / overhead
  uint64_t ipi_tlb = 0, ipi_cal = 0;
};

// Least-squares line of mapping time against page count.
struct LinearFit {
  double slope = 0, intercept = 0, r2 = 0;
  size_t n = 0;
};

// A zeroing allocation against memset() of a buffer of the same size.
struct ZeroingRow {
  std::string alloc_name, memset_name;
  uint64_t size = 0;
  double alloc_bytes_per_ns = 0, memset_bytes_per_ns = 0, fraction_of_limit = 0;
};

LinearFit fit_line(const std::vector<std::pair<double, double>>& xy);

struct RunResults {
  nlohmann::json context;  // Google Benchmark context + kbench facts
  std::vector<ConfigResult> configs;
  std::vector<std::string> warnings;  // settings that distort results
  nlohmann::json selftest;
  std::optional<ModuleInfo> module_after;
  bool complete = false;
  bool emulated = false;
  size_t planned_jobs = 0;
  std::vector<StageRow> vmalloc_stages;
  LinearFit vmap_fit, vm_map_ram_fit;  // ns against pages
  std::vector<ZeroingRow> zeroing;
};

RunResults analyze(const RawRun& raw, const RunMeta& meta);

// ns per op of one batch phase; NaN if no op of the phase happened.
double cycles_to_ns_per_op(uint64_t cycles, uint64_t ops, uint32_t clock_khz);

std::string status_of_errno(int err);

// A figure is unreliable when the harness alone costs 99 % of it or more.
bool within_harness_noise(double figure_ns, double harness_ns);

}  // namespace kbench
