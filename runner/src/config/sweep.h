// SPDX-License-Identifier: GPL-2.0
// sweep.h - expanding a config into the ordered list of jobs to run.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.h"
#include "core/job.h"

namespace kbench {

// Pair-pattern ops per batch when the config says "auto": enough that a
// clock read is cheap against the batch on real hardware, few enough
// that large sizes do not hold much memory or time.
uint32_t auto_ops_per_batch(uint64_t size);

// The cartesian product of every sweep block, in file order; a job that
// an earlier block already produced (same name) is kept once.
std::vector<Job> expand_sweeps(const Config& config);

}  // namespace kbench
