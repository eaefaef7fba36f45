// SPDX-License-Identifier: GPL-2.0
// abi.cpp - name tables of the UAPI ids, and the module's list of APIs.
#include "core/abi.h"

#include <algorithm>
#include <array>
#include <vector>

#include "core/error.h"

namespace kbench {
namespace {

// Indexed by the UAPI enums. The sizes are the enums' COUNT values, so an
// id added to the header without a name here fails to compile.
#define KBENCH_API(name) #name,
constexpr std::string_view kApis[] = {
#include "kbench_apis.h"
};
#undef KBENCH_API
constexpr std::array<std::string_view, KBENCH_GFP_COUNT> kGfps = {
    "GFP_KERNEL", "GFP_ATOMIC",         "GFP_NOWAIT",          "GFP_NOIO", "GFP_NOFS", "GFP_USER",
    "GFP_DMA32",  "GFP_KERNEL_ACCOUNT", "GFP_HIGHUSER_MOVABLE"};
constexpr std::array<std::string_view, KBENCH_GFPM_COUNT> kGfpMods = {"__GFP_ZERO", "__GFP_NOWARN", "__GFP_NORETRY",
                                                                      "__GFP_RETRY_MAYFAIL", "__GFP_COMP"};
constexpr std::array<std::string_view, 2> kStates = {"clean", "steady"};
constexpr std::array<std::string_view, KBENCH_COND_COUNT> kConditions = {"none", "fragmented"};
constexpr std::array<std::string_view, KBENCH_PATTERN_COUNT> kPatterns = {"pair", "batch", "batch-shuffled",
                                                                          "remote-free"};
constexpr std::array<std::string_view, KBENCH_CTX_COUNT> kContexts = {"preempt-on", "preempt-off", "irqs-off"};
constexpr std::array<std::string_view, KBENCH_ACCESS_COUNT> kAccessModes = {"sequential", "page-stride", "page-random",
                                                                            "memset"};
constexpr std::array<std::string_view, KBENCH_CNT_COUNT> kCounters = {
    "task_clock_ns", "cycles", "instructions", "dtlb_load_misses", "dtlb_store_misses", "itlb_load_misses"};
constexpr std::array<std::string_view, KBENCH_MEM_COUNT> kMemory = {"none", "direct", "vmalloc", "direct_or_vmalloc",
                                                                    "page"};
constexpr NamedBit kCaps[] = {
    {"gfp", KBENCH_CAP_GFP},
    {"nonblock", KBENCH_CAP_NONBLOCK},
    {"dma32", KBENCH_CAP_DMA32},
    {"highmem", KBENCH_CAP_HIGHMEM},
    {"zero", KBENCH_CAP_ZERO},
    {"atomic_ctx", KBENCH_CAP_ATOMIC_CTX},
    {"order", KBENCH_CAP_ORDER},
    {"always_zeroes", KBENCH_CAP_ALWAYS_ZEROES},
    {"huge_map", KBENCH_CAP_HUGE_MAP},
    {"contiguous", KBENCH_CAP_CONTIGUOUS},
    {"harness", KBENCH_CAP_HARNESS},
    {"needs_setup", KBENCH_CAP_NEEDS_SETUP},
    {"reserve", KBENCH_CAP_RESERVE},
    {"comp", KBENCH_CAP_COMP},
    {"lazy_free", KBENCH_CAP_LAZY_FREE},
    {"slab", KBENCH_CAP_SLAB},
};

static_assert(std::all_of(std::begin(kGfps), std::end(kGfps), [](std::string_view n) { return !n.empty(); }),
              "every GFP id of the UAPI needs a name here");
static_assert((1U << kGfpMods.size()) - 1 == KBENCH_GFPM_ALL, "GFP modifier table and mask disagree");

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1);
  std::vector<size_t> cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::span<const std::string_view> api_names() { return kApis; }
std::span<const std::string_view> gfp_names() { return kGfps; }
std::span<const std::string_view> gfp_mod_names() { return kGfpMods; }
std::span<const std::string_view> pattern_names() { return kPatterns; }
std::span<const std::string_view> context_names() { return kContexts; }
std::span<const std::string_view> access_mode_names() { return kAccessModes; }
std::span<const std::string_view> counter_names() { return kCounters; }
std::span<const std::string_view> memory_names() { return kMemory; }
std::span<const std::string_view> state_names() { return kStates; }
std::span<const std::string_view> condition_names() { return kConditions; }
std::span<const NamedBit> cap_names() { return kCaps; }

std::optional<uint32_t> find_name(std::span<const std::string_view> names, std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<uint32_t>(it - names.begin());
}

std::string closest_name(std::span<const std::string_view> names, std::string_view name) {
  std::string best;
  size_t best_dist = std::max<size_t>(2, name.size() / 3) + 1;
  for (const auto& n : names) {
    const size_t d = edit_distance(n, name);
    if (d < best_dist) {
      best_dist = d;
      best = std::string(n);
    }
  }
  return best;
}

std::string join_names(std::span<const std::string_view> names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

Gfp Gfp::parse(std::string_view text) {
  Gfp gfp;
  bool have_base = false;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t bar = text.find('|', pos);
    if (bar == std::string_view::npos) bar = text.size();
    std::string_view tok = text.substr(pos, bar - pos);
    while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
    while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
    pos = bar + 1;
    if (tok.empty()) throw Error("empty GFP flag in '" + std::string(text) + "'");
    if (auto base = find_name(kGfps, tok)) {
      if (have_base)
        throw Error("'" + std::string(text) + "' names two base GFP masks",
                    "use one of " + join_names(kGfps) + ", then modifiers joined with |");
      gfp.base = *base;
      have_base = true;
    } else if (auto mod = find_name(kGfpMods, tok)) {
      gfp.mods |= 1U << *mod;
    } else {
      std::vector<std::string_view> all(kGfps.begin(), kGfps.end());
      all.insert(all.end(), kGfpMods.begin(), kGfpMods.end());
      const std::string near = closest_name(all, tok);
      throw Error(
          "unknown GFP flag '" + std::string(tok) + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)"),
          "base masks: " + join_names(kGfps) + "; modifiers: " + join_names(kGfpMods));
    }
  }
  if (!have_base)
    throw Error("'" + std::string(text) + "' has modifiers but no base GFP mask",
                "start with one of " + join_names(kGfps));
  return gfp;
}

std::string Gfp::to_string() const {
  std::string out(kGfps.at(base));
  for (size_t bit = 0; bit < kGfpMods.size(); ++bit)
    if (mods & (1U << bit)) out += "|" + std::string(kGfpMods[bit]);
  return out;
}

bool gfp_is_blocking(uint32_t base) { return base != KBENCH_GFP_ATOMIC && base != KBENCH_GFP_NOWAIT; }

}  // namespace kbench
