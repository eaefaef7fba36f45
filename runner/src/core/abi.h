// SPDX-License-Identifier: GPL-2.0
// abi.h - the runner's view of the module's UAPI: symbolic names for the
// ids of include/uapi/linux/kbench.h (the names configs and reports use).
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "linux/kbench.h"

namespace kbench {

static_assert(sizeof(kbench_info) == 272, "UAPI struct kbench_info changed size");
static_assert(sizeof(kbench_run_args) == 392, "UAPI struct kbench_run_args changed size");
static_assert(sizeof(kbench_sample) == 32, "UAPI struct kbench_sample changed size");
static_assert(sizeof(kbench_probe_args) == 424, "UAPI struct kbench_probe_args changed size");
static_assert(sizeof(kbench_probe_sample) == 96, "UAPI struct kbench_probe_sample changed size");
static_assert(sizeof(kbench_counters) == 176, "UAPI struct kbench_counters changed size");

std::span<const std::string_view> api_names();
std::span<const std::string_view> gfp_names();
std::span<const std::string_view> gfp_mod_names();  // index = bit
std::span<const std::string_view> pattern_names();
std::span<const std::string_view> context_names();
std::span<const std::string_view> access_mode_names();  // enum kbench_access_mode
std::span<const std::string_view> stage_names();        // enum kbench_stage
std::span<const std::string_view> counter_names();      // enum kbench_counter_id
// What a job does: time allocation loops, or one of the probes.
std::span<const std::string_view> experiment_names();  // "alloc", then enum kbench_probe_kind + 1

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
