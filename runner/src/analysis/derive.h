// SPDX-License-Identifier: GPL-2.0
// derive.h - figures derived from several measurements of a run, one file
// per experiment that has them (derive_<experiment>.cpp). Each reads the
// analysed configurations and the context, and fills its part of the run.
#pragma once

#include "analysis/results.h"

namespace kbench {

// Clean against steady state (experiment "alloc").
void derive_alloc(RunResults& r);
// vmalloc stage rows and the mapping-cost fits (experiment "stages"), with
// the share of the lazy purge from derive_alloc's rows.
void derive_stages(RunResults& r);
// Zeroing allocations against memset of the same size (experiment "access").
void derive_zeroing(RunResults& r);
// Whether huge vmalloc mappings were to be expected (experiment "footprint").
void derive_footprint(RunResults& r);

// Every deriver, in order. Add a new one here.
void derive_all(RunResults& r);

}  // namespace kbench
