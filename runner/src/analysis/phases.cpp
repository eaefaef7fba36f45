// SPDX-License-Identifier: GPL-2.0
// phases.cpp - samples to ns per op, slot by slot.
#include "analysis/phases.h"

#include <cmath>
#include <limits>

#include "stats/statistics.h"

namespace kbench {

double cycles_to_ns_per_op(uint64_t cycles, uint64_t ops, uint32_t clock_khz) {
  if (ops == 0 || clock_khz == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(cycles) * 1e6 / static_cast<double>(clock_khz) / static_cast<double>(ops);
}

std::vector<PhaseSamples> phase_samples(const RunOutcome& o, const ExperimentInfo& e, uint32_t clock_khz,
                                        bool discard_noisy) {
  std::vector<PhaseSamples> out;
  const size_t slots = std::min<size_t>(e.slots.size(), KBENCH_SAMPLE_SLOTS);
  for (size_t slot = 0; slot < slots; ++slot) {
    PhaseSamples p;
    p.slot = static_cast<uint32_t>(slot);
    p.phase = e.slots[slot];
    p.unit = slot < e.units.size() ? e.units[slot] : "op";
    bool timed = false;
    for (const auto& s : o.samples) {
      const double ns = cycles_to_ns_per_op(s.cycles[slot], s.count[slot], clock_khz);
      if (std::isnan(ns)) continue;
      timed = true;
      const bool noisy = s.flags != 0;
      p.noisy_batches += noisy;
      if (noisy && discard_noisy) {
        ++p.discarded_batches;
        continue;
      }
      p.ns_per_op.push_back(ns);
      p.ops += s.count[slot];
    }
    if (timed) out.push_back(std::move(p));
  }
  return out;
}

double headline_median(const std::vector<PhaseSamples>& phases) {
  for (const auto& p : phases)
    if (!p.ns_per_op.empty()) return summarize(p.ns_per_op).median;
  return std::nan("");
}

}  // namespace kbench
