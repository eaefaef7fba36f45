// SPDX-License-Identifier: GPL-2.0
// options.h - every config key, declared once. One table entry gives a
// key's type, range, default (in TOML syntax, parsed like the file), help,
// where it may appear, and where its value goes: a job, the run settings,
// or (for options of the API) a field of the module's request. Parsing,
// defaults, range checks, did-you-mean hints, `kbench help config` and the
// copy into jobs all come from this table.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/abi.h"
#include "core/job.h"

namespace kbench {

struct RunSettings;

using Value = std::variant<int64_t, bool, double, std::string, Gfp>;

enum class OptType { Int, Bool, Float, String, Size, Gfp, Name, IntOrAuto, IntOrAll };

// Where a key may appear.
inline constexpr unsigned kInRun = 1;       // [run]
inline constexpr unsigned kInSweep = 2;     // [[sweep]]
inline constexpr unsigned kInDefaults = 4;  // [defaults]

struct Option {
  std::string_view key{};
  unsigned where = 0;
  OptType type = OptType::Int;
  bool list = false;                                       // a list in the file: an axis of the sweep
  bool required = false;                                   // every [[sweep]] must give it
  std::string_view def{};                                  // default, in TOML syntax; "" = none (required or unset)
  double lo = 0, hi = 0;                                   // inclusive range of Int, IntOrAuto/All, Float, Size values
  std::span<const std::string_view> (*names)() = nullptr;  // Name: what is allowed
  bool all = false;                                        // Name lists: "all" stands for every name
  uint32_t field = 0;                                      // the KBENCH_FIELD_* it belongs to; 0: every experiment
  std::string_view help{};
  void (*to_job)(Job&, const Value&) = nullptr;
  void (*to_run)(RunSettings&, const Value&) = nullptr;
  // Options of the API (kbench_api_info.options): the job carries them as
  // {job_key, value}, the agent drops them where the API does not take
  // them, and encode() puts them into the request.
  uint32_t api_option = 0;
  std::string_view job_key{};
  void (*encode)(kbench_run_args&, int64_t) = nullptr;
};

std::span<const Option> options();
const Option* find_option(std::string_view key);
// The option of the API with this job key ("min_nr"), or nullptr.
const Option* find_api_option(std::string_view job_key);

// The value of an option as written in its default (`def`); throws if it has none.
Value default_value(const Option& o);

// `kbench help config`: every key with type, default and meaning.
std::string describe_config_keys();

}  // namespace kbench
