// SPDX-License-Identifier: GPL-2.0
// abi.h - the runner's view of the module's UAPI: names for the stable ids
// of include/uapi/linux/kbench.h (GFP masks, patterns, contexts, access
// modes, counters), the allocation APIs' names from the module's own list
// (kbench-module/kbench_apis.h), and name lookup with did-you-mean hints.
//
// Nothing else about an API is known here: its family, capabilities,
// memory kind and options come from the module at run time (core/catalog.h).
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "linux/kbench.h"

namespace kbench {

static_assert(sizeof(kbench_info) == 248, "UAPI struct kbench_info changed size");  // 240 before test_hook_ns
static_assert(sizeof(kbench_api_info) == 512, "UAPI struct kbench_api_info changed size");
static_assert(sizeof(kbench_experiment_info) == 824, "UAPI struct kbench_experiment_info changed size");
static_assert(sizeof(kbench_run_args) == 528, "UAPI struct kbench_run_args changed size");  // 520 before condition
static_assert(sizeof(kbench_sample) == 224, "UAPI struct kbench_sample changed size");  // 160 before begin_ns, end_ns
static_assert(sizeof(kbench_counters) == 280, "UAPI struct kbench_counters changed size");

// The APIs of kbench-module/kbench_apis.h, in its order: for checking
// configs before any target is up. A module may lack one (built from
// another tree): it is then refused with that reason on the target.
std::span<const std::string_view> api_names();
std::span<const std::string_view> gfp_names();
std::span<const std::string_view> gfp_mod_names();  // index = bit
std::span<const std::string_view> pattern_names();
std::span<const std::string_view> context_names();
std::span<const std::string_view> access_mode_names();  // enum kbench_access_mode
std::span<const std::string_view> counter_names();      // enum kbench_counter_id
std::span<const std::string_view> memory_names();       // enum kbench_memory
// "clean" (earlier lazy frees purged first) or "steady" (KBENCH_RUN_STEADY).
std::span<const std::string_view> state_names();
std::span<const std::string_view> condition_names();  // enum kbench_condition
inline constexpr uint32_t kStateClean = 0;
inline constexpr uint32_t kStateSteady = 1;
// KBENCH_CAP_* bits by name, e.g. {"nonblock", KBENCH_CAP_NONBLOCK}.
struct NamedBit {
  std::string_view name;
  uint64_t bit;
};
std::span<const NamedBit> cap_names();

std::optional<uint32_t> find_name(std::span<const std::string_view> names, std::string_view name);

// The closest name by edit distance, for "did you mean" hints; empty if none is close.
std::string closest_name(std::span<const std::string_view> names, std::string_view name);

// "a, b, c": for error messages that list what is allowed.
std::string join_names(std::span<const std::string_view> names);

// A base GFP mask plus modifier bits, e.g. GFP_KERNEL|__GFP_ZERO.
struct Gfp {
  uint32_t base = KBENCH_GFP_KERNEL;
  uint32_t mods = 0;

  // Parses "GFP_KERNEL|__GFP_ZERO"; throws Error naming the bad token.
  static Gfp parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const Gfp&) const = default;
};

// Whether a GFP base can sleep (the module decides validity; this is for grouping).
bool gfp_is_blocking(uint32_t base);

}  // namespace kbench
