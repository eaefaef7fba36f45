// SPDX-License-Identifier: GPL-2.0
// sweep.h - expanding a config into the ordered list of jobs to run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "config/config.h"
#include "core/job.h"

namespace kbench {

// A config that expands to more configurations than this is refused with
// the count: it would not finish, and its plan alone would not fit memory.
inline constexpr size_t kMaxJobs = 200000;

// The cartesian product of every sweep block over the dimensions its
// experiment reads, in file order; a job that an earlier block already
// produced (same key) is kept once. Throws Error above max_jobs.
std::vector<Job> expand_sweeps(const Config& config, size_t max_jobs = kMaxJobs);

// The harness cost must be measured in every run: for each loop shape
// (pattern, batch size, context) in jobs without a noop job, append one,
// in a sweep named "harness". Returns how many were added.
size_t add_harness_jobs(std::vector<Job>& jobs);

}  // namespace kbench
