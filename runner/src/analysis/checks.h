// SPDX-License-Identifier: GPL-2.0
// checks.h - conditions that distort what was measured or make a run
// incomplete, as warnings: one check each, in a table (checks.cpp).
#pragma once

#include <string>
#include <vector>

#include "analysis/results.h"

namespace kbench {

// Every check that applies to this run, in the table's order.
std::vector<std::string> run_checks(const RunResults& r, const RawRun& raw, const RunMeta& meta);

}  // namespace kbench
