// SPDX-License-Identifier: GPL-2.0
// raw_event.h - model-specific PMU events by name, resolved with libpfm4 on
// the machine that counts them (the host, or inside the guest).
#pragma once

#include <cstdint>
#include <string>

namespace kbench {

struct RawEvent {
  bool ok = false;
  uint32_t type = 0;    // perf_event_attr.type
  uint64_t config = 0;  // perf_event_attr.config
  std::string error;    // why not, when !ok
};

// e.g. "DTLB_LOAD_MISSES.WALK_ACTIVE" on Intel; fails with libpfm4's reason
// where this CPU (or no PMU at all, as under QEMU TCG) lacks the event.
RawEvent resolve_raw_event(const std::string& name);

}  // namespace kbench
