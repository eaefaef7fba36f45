// SPDX-License-Identifier: GPL-2.0
// experiments.cpp - one line per experiment. Add a new experiment here.
#include "core/experiments.h"

#include <array>

#include "core/error.h"

namespace kbench {
namespace {

constexpr uint32_t kApiFields = KBENCH_FIELD_API | KBENCH_FIELD_GFP;

constexpr std::array<ExperimentSpec, KBENCH_EXP_COUNT> kExperiments = {{
    {KBENCH_EXP_ALLOC, "alloc",
     kApiFields | KBENCH_FIELD_PATTERN | KBENCH_FIELD_CONTEXT | KBENCH_FIELD_OPS | KBENCH_FIELD_BATCHES |
         KBENCH_FIELD_SEED | KBENCH_FIELD_OPTIONS | KBENCH_FIELD_THREADS | KBENCH_FIELD_CONDITION,
     "time allocation loops (patterns, contexts, batch sizes, threads, conditions)"},
    {KBENCH_EXP_FOOTPRINT, "footprint", kApiFields,
     "count the page-table entries (4 KiB PTE, 2 MiB PMD, 1 GiB PUD) that map one allocation"},
    {KBENCH_EXP_ACCESS, "access", kApiFields | KBENCH_FIELD_BATCHES | KBENCH_FIELD_MODE | KBENCH_FIELD_SEED,
     "time touching allocated memory (see access_modes)"},
    {KBENCH_EXP_STAGES, "stages", KBENCH_FIELD_BATCHES,
     "split vmalloc(size) into page allocation, mapping, bookkeeping, unmapping and the lazy TLB flush"},
}};

constexpr std::array<std::string_view, KBENCH_EXP_COUNT> kNames = [] {
  std::array<std::string_view, KBENCH_EXP_COUNT> n{};
  for (size_t i = 0; i < kExperiments.size(); ++i) n[i] = kExperiments[i].name;
  return n;
}();

static_assert(
    [] {
      for (size_t i = 0; i < kExperiments.size(); ++i)
        if (kExperiments[i].id != i) return false;
      return true;
    }(),
    "kExperiments must be indexed by enum kbench_experiment");

}  // namespace

std::span<const ExperimentSpec> experiments() { return kExperiments; }
std::span<const std::string_view> experiment_names() { return kNames; }

const ExperimentSpec& experiment_spec(uint32_t id) {
  if (id >= kExperiments.size()) throw Error("unknown experiment id " + std::to_string(id));
  return kExperiments[id];
}

}  // namespace kbench
