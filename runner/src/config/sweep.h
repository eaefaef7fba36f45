// SPDX-License-Identifier: GPL-2.0
// sweep.h - expanding a config into the ordered list of jobs to run.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.h"
#include "core/job.h"

namespace kbench {

// The cartesian product of every sweep block, in file order; a job that
// an earlier block already produced (same name) is kept once.
std::vector<Job> expand_sweeps(const Config& config);

// The harness cost must be measured in every run: for each loop shape
// (pattern, batch size, context) in jobs without a noop job, append one,
// in a sweep named "harness". Returns how many were added.
size_t add_harness_jobs(std::vector<Job>& jobs);

}  // namespace kbench
