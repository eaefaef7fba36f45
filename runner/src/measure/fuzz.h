// SPDX-License-Identifier: GPL-2.0
// fuzz.h - random and boundary-valued ioctls against /dev/kbench, from two
// processes at once, run by the agent after a plan when asked. The module
// must refuse every bad request with a documented errno, stay quiet (the
// guest boots with panic_on_warn=1 in the test) and hold nothing after.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace kbench {

// `calls` ioctls in all, split over two processes, seeded. Returns
// {"calls", "processes", "seed", "seconds", "by_errno": {"0": n, "EINVAL": n,
// ...}, "undocumented": [errno names outside the ABI's list], "after":
// {outstanding_allocs, outstanding_bytes, live_caches, live_pools}}.
nlohmann::json fuzz_device(const std::string& device_path, uint64_t calls, uint64_t seed);

}  // namespace kbench
