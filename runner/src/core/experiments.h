// SPDX-License-Identifier: GPL-2.0
// experiments.h - the runner's side of each experiment of the UAPI's
// enum kbench_experiment: its name and which job dimensions it reads
// (the KBENCH_FIELD_* bits). Sweeps expand, and names are built, over those
// dimensions only. The module states the same fields in its descriptor;
// the agent checks that the two agree before it runs anything.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/abi.h"

namespace kbench {

struct ExperimentSpec {
  uint32_t id;
  std::string_view name;
  uint32_t fields;  // KBENCH_FIELD_*
  std::string_view help;
};

// Indexed by enum kbench_experiment.
std::span<const ExperimentSpec> experiments();
std::span<const std::string_view> experiment_names();
const ExperimentSpec& experiment_spec(uint32_t id);

}  // namespace kbench
