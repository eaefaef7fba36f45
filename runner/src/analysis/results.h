// SPDX-License-Identifier: GPL-2.0
// results.h - a run, analysed: the model every reporter writes and the
// history stores and loads back, so a run exported from the history is
// the run that was measured. Built from the raw record stream (analyze())
// or read from SQLite (store/history.h); never from benchmark names.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.h"
#include "core/job.h"
#include "device/device.h"
#include "measure/plan.h"
#include "stats/statistics.h"

namespace kbench {

// One repetition of one phase: its batches, summarised.
struct RepetitionStats {
  uint32_t index = 0;
  Summary summary;  // over the repetition's kept batches, ns per op
  uint64_t ops = 0;
  uint32_t noisy_batches = 0;
  uint32_t discarded_batches = 0;
};

// Percentiles of single operations, from the module's histogram of
// per-operation clock ticks (log2 buckets, 4 per octave: each figure is
// the middle of its bucket, within 12.5 % of the true value).
struct SingleOpStats {
  uint64_t ops = 0;                                     // 0: not timed one by one
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // ns
  // Whether one clock read is small against one operation (< 5 %): else
  // the tails are mostly the clock's, and only batch means are trusted.
  bool reliable = false;
  double clock_read_ns = 0;
};

// A counter per operation of a phase (only counters that exist here).
struct CounterFigure {
  std::string name;
  double per_op = 0;
};

// One phase over all repetitions of a configuration: one measurement.
struct PhaseStats {
  uint32_t slot = 0;                  // the sample slot
  std::string phase;                  // the slot's name
  std::string unit;                   // per what: "op", "touch", "byte"
  Summary pooled;                     // every kept batch of every repetition
  Interval median_ci;                 // 95 % order-statistic interval of the pooled median
  Summary rep_medians;                // the repetitions' medians: mean/median/stddev/cv aggregates
  std::vector<RepetitionStats> reps;  // in repetition order
  uint32_t repetitions = 0;
  uint64_t ops = 0;
  uint32_t noisy_batches = 0;
  uint32_t discarded_batches = 0;
  double harness_ns = -1;   // the noop cost of the same loop shape; < 0 if not measured
  Interval harness_ci;      // its median's interval
  bool unreliable = false;  // within 1 % of the harness cost
  // raw - harness, with a conservative interval (raw's against the
  // harness's); NaN where no harness of the loop shape was measured.
  double net_ns = std::nan("");
  Interval net_ci;
  std::vector<uint64_t> hist;  // single-op ticks by bucket, summed over repetitions
  SingleOpStats single_op;
  std::vector<CounterFigure> counters;
  bool counters_multiplexed = false;
  // On threads >= 2 CPUs at once: pooled, reps and the percentiles are
  // over every thread's batches (the cost one CPU sees while the others
  // run too); per thread, the median of its batches (thread t on the t-th
  // online CPU); and the aggregate operations per second across the CPUs,
  // one value per batch, with how much the threads overlapped (team_span()).
  uint32_t threads = 1;
  std::vector<double> thread_medians;
  Summary aggregate_ops_per_s;
  Summary overlap;
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
  bool cv_target_missed = false;
  std::vector<PhaseStats> phases;                 // empty unless something was timed
  nlohmann::json values = nullptr;                // the experiment's named results (e.g. a footprint), or null
  std::vector<nlohmann::json> rep_values;         // the same, per repetition
  std::vector<std::string> counters_unsupported;  // names; the reasons are in the context
  std::string counter_scope;                      // what counters count per: "alloc+free pair", "op", "touch"
  uint64_t ipi_tlb = 0, ipi_cal = 0;              // /proc/interrupts deltas over all repetitions
  uint32_t threads = 1;                           // CPUs it ran on at once ("all" resolved on the target)
  std::map<std::string, uint64_t> vmstat;         // /proc/vmstat deltas over all repetitions, those that moved

  bool measured() const { return !phases.empty() || !values.is_null(); }
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
  // The whole vmalloc+vfree pair of this size measured clean and steady
  // (NaN where not both were): the lazy purge's share of the steady cost.
  double clean_pair = std::nan(""), steady_pair = std::nan(""), purge_share = std::nan("");
};

// Least-squares line of mapping time against page count.
struct LinearFit {
  double slope = 0, intercept = 0, r2 = 0;
  size_t n = 0;
};

// A zeroing allocation against memset() of a buffer of the same size.
struct ZeroingRow {
  std::string alloc_name, memset_name, api;
  uint64_t size = 0;
  double alloc_bytes_per_ns = 0, memset_bytes_per_ns = 0, fraction_of_limit = 0;
};

// One configuration measured clean and steady (derive_alloc.cpp): what a
// long-running caller pays beyond a freshly purged kernel, and why.
struct SteadyRow {
  std::string api, gfp, pattern, phase;
  uint64_t size = 0;
  uint32_t steady_ops_per_batch = 0;
  // Net of the harness of each one's loop shape where both have one (net),
  // else raw medians.
  double clean_ns = 0, steady_ns = 0;
  bool net = false;
  double change = 0;       // steady / clean - 1
  double extra_share = 0;  // (steady - clean) / steady: the deferred work's share of the steady cost
  // Lazy vmap purges and slab partial flushes during the steady runs,
  // where kprobes counted them.
  bool purges_counted = false, slab_flushes_counted = false;
  uint64_t purges = 0, slab_flushes = 0, steady_ops = 0;
  uint64_t purge_threshold_bytes = 0;
  // Virtual space the steady runs freed lazily, and how many thresholds
  // that makes: 0 unless every call maps in vmalloc space (not kvmalloc).
  uint64_t lazily_freed_bytes = 0;
  uint64_t threshold_crossings = 0;  // lazily_freed_bytes / purge_threshold_bytes
};

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
  std::string campaign;           // `kbench matrix`: the runs measured together, one name
};

// RunMeta as the run.json beside raw.ndjson (written when a run starts, so
// `kbench import` can analyse what a killed runner left), and back.
nlohmann::json meta_to_json(const RunMeta& m);
RunMeta meta_from_json(const nlohmann::json& j);

struct RunResults {
  nlohmann::json context;  // Google Benchmark context + kbench facts (catalog, counter reasons)
  std::vector<ConfigResult> configs;
  std::vector<std::string> warnings;  // settings that distort results, damaged records
  nlohmann::json selftest;
  nlohmann::json fuzz;  // the ioctl fuzzer's report, null when not run
  std::optional<ModuleInfo> module_after;
  bool complete = false;
  bool emulated = false;
  size_t planned_jobs = 0;
  // Derived figures (analysis/derive_*.cpp).
  std::vector<StageRow> vmalloc_stages;
  LinearFit vmap_fit, vm_map_ram_fit;  // ns against pages
  std::vector<ZeroingRow> zeroing;
  std::vector<SteadyRow> steady;

  Catalog catalog() const;  // from the context
  const ConfigResult* find(const std::string& key) const;
};

RunResults analyze(const RawRun& raw, const RunMeta& meta);

std::string status_of_errno(int err);

// errno of a counter that could not be created, in words.
std::string counter_unsupported_reason(int err);

// A figure is unreliable when the harness alone costs 99 % of it or more.
bool within_harness_noise(double figure_ns, double harness_ns);

LinearFit fit_line(const std::vector<std::pair<double, double>>& xy);

// The deferred work an allocation configuration's runs caused, summed over
// its repetitions from the module's values: a count only where every
// repetition took one (a kprobe on the function doing the work).
struct DeferredWork {
  std::optional<uint64_t> vmap_purges;        // lazy vmap purges (LAZY_FREE APIs)
  std::optional<uint64_t> slab_flushes;       // per-CPU partial slab flushes (SLAB APIs)
  std::optional<uint64_t> vmalloc_fallbacks;  // kvmalloc results in vmalloc space (batch patterns)
  uint64_t purge_threshold_bytes = 0;         // lazy_max_pages() in bytes, LAZY_FREE APIs
};
DeferredWork deferred_work(const ConfigResult& c);

// The median of one phase of a configuration, NaN if it was not measured.
double phase_median(const ConfigResult& c, const std::string& phase);
const PhaseStats* find_phase(const ConfigResult& c, const std::string& phase);

// Single-op percentiles from a histogram of KBENCH_HIST_BUCKETS buckets.
SingleOpStats single_op_stats(const std::vector<uint64_t>& hist, uint32_t clock_khz);
// The tick range [low, high) of a histogram bucket.
std::pair<uint64_t, uint64_t> hist_bucket_range(size_t bucket);

// Derived figures as JSON (results.json's kbench_* sections, the history),
// and back.
nlohmann::json derived_to_json(const RunResults& r);
void derived_from_json(const nlohmann::json& j, RunResults& r);

// Whether huge (PMD) vmalloc mappings were to be expected for this
// footprint, from facts the run recorded, and why not when they were not.
nlohmann::json huge_vmalloc_expectation(const nlohmann::json& ctx, uint64_t size, const nlohmann::json& footprint);

}  // namespace kbench
