// SPDX-License-Identifier: GPL-2.0
// phases.cpp - samples to ns per op, slot by slot.
#include "analysis/phases.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stats/statistics.h"

namespace kbench {

double cycles_to_ns_per_op(uint64_t cycles, uint64_t ops, uint32_t clock_khz) {
  if (ops == 0 || clock_khz == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(cycles) * 1e6 / static_cast<double>(clock_khz) / static_cast<double>(ops);
}

std::optional<TeamSpan> team_span(const std::vector<uint64_t>& ops, const std::vector<uint64_t>& begin_ns,
                                  const std::vector<uint64_t>& end_ns) {
  if (ops.empty() || ops.size() != begin_ns.size() || ops.size() != end_ns.size()) return std::nullopt;
  uint64_t first = UINT64_MAX, last = 0, total = 0;
  double own = 0;
  for (size_t t = 0; t < ops.size(); ++t) {
    // A thread that did not run the phase, or a phase without a span.
    if (ops[t] == 0 || begin_ns[t] == 0 || end_ns[t] < begin_ns[t]) return std::nullopt;
    first = std::min(first, begin_ns[t]);
    last = std::max(last, end_ns[t]);
    total += ops[t];
    own += static_cast<double>(end_ns[t] - begin_ns[t]);
  }
  if (last <= first) return std::nullopt;
  const double span = static_cast<double>(last - first);
  return TeamSpan{static_cast<double>(total) / span * 1e9, own / (static_cast<double>(ops.size()) * span)};
}

namespace {

// Per thread and per batch, on samples laid out thread by thread.
void add_thread_figures(PhaseSamples& p, const RunOutcome& o, size_t slot, uint32_t clock_khz, bool discard_noisy) {
  const size_t threads = o.threads;
  if (threads < 2 || o.samples.size() % threads) return;
  const size_t batches = o.samples.size() / threads;
  p.per_thread_ns.assign(threads, {});
  for (size_t t = 0; t < threads; ++t)
    for (size_t b = 0; b < batches; ++b) {
      const kbench_sample& s = o.samples[t * batches + b];
      const double ns = cycles_to_ns_per_op(s.cycles[slot], s.count[slot], clock_khz);
      if (!std::isnan(ns) && !(discard_noisy && s.flags)) p.per_thread_ns[t].push_back(ns);
    }
  if (slot >= KBENCH_SPAN_SLOTS) return;
  for (size_t b = 0; b < batches; ++b) {
    std::vector<uint64_t> ops, begin, end;
    bool noisy = false;
    for (size_t t = 0; t < threads; ++t) {
      const kbench_sample& s = o.samples[t * batches + b];
      ops.push_back(s.count[slot]);
      begin.push_back(s.begin_ns[slot]);
      end.push_back(s.end_ns[slot]);
      noisy = noisy || s.flags;
    }
    const auto span = team_span(ops, begin, end);
    if (!span || (discard_noisy && noisy)) continue;
    p.aggregate_ops_per_s.push_back(span->ops_per_s);
    p.overlap.push_back(span->overlap);
  }
}

}  // namespace

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
    if (!timed) continue;
    add_thread_figures(p, o, slot, clock_khz, discard_noisy);
    out.push_back(std::move(p));
  }
  return out;
}

double headline_median(const std::vector<PhaseSamples>& phases) {
  for (const auto& p : phases)
    if (!p.ns_per_op.empty()) return summarize(p.ns_per_op).median;
  return std::nan("");
}

}  // namespace kbench
