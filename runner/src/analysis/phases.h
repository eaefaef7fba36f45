// SPDX-License-Identifier: GPL-2.0
// phases.h - the samples of one repetition of a job, as nanoseconds per
// operation of each timed slot ("phase"). The one reading of samples:
// the dynamic run count (on the target) and the analysis (on the runner)
// both use it, for every experiment alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.h"
#include "device/device.h"

namespace kbench {

// One phase of one repetition: its batches.
struct PhaseSamples {
  uint32_t slot = 0;               // the sample slot it comes from
  std::string phase;               // the slot's name: "pair", "alloc", "free", "touch", "vmap", ...
  std::string unit;                // what one count is: "op", "touch", "byte"
  std::vector<double> ns_per_op;   // one value per kept batch
  uint64_t ops = 0;                // timed operations in kept batches
  uint32_t noisy_batches = 0;      // a context switch, interrupt or migration hit the batch
  uint32_t discarded_batches = 0;  // noisy batches left out (only with discard_noisy)
  // Runs on threads >= 2 CPUs at once (outcome.threads): each thread's
  // kept batches, and per batch index (of the first KBENCH_SPAN_SLOTS
  // slots) the aggregate rate and the overlap of the threads' phases.
  std::vector<std::vector<double>> per_thread_ns;
  std::vector<double> aggregate_ops_per_s;
  std::vector<double> overlap;
};

// One batch's phase on several CPUs at once, from each thread's operations
// and the CLOCK_MONOTONIC ns its phase began and ended (kbench_sample
// begin_ns, end_ns). The span is from the first begin to the last end.
struct TeamSpan {
  double ops_per_s = 0;  // every thread's operations over the span
  double overlap = 0;    // the threads' own spans over threads x span: 1 all at once, 1/threads one after another
};
std::optional<TeamSpan> team_span(const std::vector<uint64_t>& ops, const std::vector<uint64_t>& begin_ns,
                                  const std::vector<uint64_t>& end_ns);

// ns per op of one batch slot; NaN if no op of it happened.
double cycles_to_ns_per_op(uint64_t cycles, uint64_t ops, uint32_t clock_khz);

// The phases of one repetition, in slot order; slots that timed nothing
// in any batch are left out.
std::vector<PhaseSamples> phase_samples(const RunOutcome& outcome, const ExperimentInfo& experiment, uint32_t clock_khz,
                                        bool discard_noisy);

// The repetition's headline figure: the median of its first phase that
// has values (NaN if none). What the dynamic run count compares.
double headline_median(const std::vector<PhaseSamples>& phases);

}  // namespace kbench
