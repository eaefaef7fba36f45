// SPDX-License-Identifier: GPL-2.0
// phases.h - the samples of one repetition of a job, as nanoseconds per
// operation of each timed slot ("phase"). The one reading of samples:
// the dynamic run count (on the target) and the analysis (on the runner)
// both use it, for every experiment alike.
#pragma once

#include <cstdint>
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
};

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
