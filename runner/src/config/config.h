// SPDX-License-Identifier: GPL-2.0
// config.h - a sweep file (configs/*.toml): what to measure and how often.
//
// Every key is declared once, in config/options.cpp; this file holds what
// a parsed config is: the [run] settings and the [[sweep]] blocks, each
// block as the values of every sweep key (given, or from [defaults], or the
// table's default).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/options.h"

namespace kbench {

struct SweepBlock {
  std::string name;
  std::string where;                                 // "file:line" of the block, for messages
  std::map<std::string, std::vector<Value>> values;  // key -> its values (one, for scalar keys)
  std::map<std::string, std::string> given_at;       // key -> "file:line" where the file set it

  // The values of a key (empty if the key has none, e.g. [run]-only keys).
  const std::vector<Value>& get(std::string_view key) const;
  // Where a key was set, or the block's own location.
  const std::string& location(std::string_view key) const;
};

// The [run] table: how often and in what order configurations are
// measured. Its defaults are the option table's; nothing is set here.
struct RunSettings {
  uint32_t repetitions = 0;
  bool interleave = false;
  std::optional<uint64_t> seed;  // of the shuffle; unset: random, recorded
  double cv_target = 0;          // dynamic run count: stop below this CV
  uint32_t max_repetitions = 0;  // dynamic run count cap; 0: off
  bool discard_noisy = false;    // leave out noisy batches (counted)
};

struct Config {
  std::string path;
  std::string description;
  RunSettings run;
  std::vector<SweepBlock> sweeps;
};

// Limits on what is read: a config is a short text file.
inline constexpr size_t kMaxConfigBytes = 1 << 20;

// Throws Error with "file:line: what" and a hint listing what is allowed.
Config load_config(const std::string& path);
Config parse_config(std::string_view text, const std::string& path);

// The default values of every [[sweep]] key, as a block with no name.
SweepBlock default_block();

}  // namespace kbench
