// SPDX-License-Identifier: GPL-2.0
// config.h - a sweep file (configs/*.toml): what to measure.
//
// Every key is declared once in kSweepOptions (config.cpp), which drives
// parsing, the "did you mean" hints and `kbench help config`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/abi.h"

namespace kbench {

struct OptionSpec {
  std::string_view key;
  std::string_view type;
  std::string_view default_value;
  std::string_view help;
};

// The keys of a [[sweep]] block; [defaults] takes the same keys but name.
std::span<const OptionSpec> sweep_options();

struct SweepBlock {
  std::string name;
  std::string where;  // "file:line" of the block, for messages
  std::vector<uint32_t> apis;
  std::vector<uint64_t> sizes;
  std::vector<Gfp> gfps;
  std::vector<uint32_t> patterns;
  std::vector<uint32_t> batch_sizes;  // ops per batch of batch patterns
  std::vector<uint32_t> contexts;
  std::optional<uint32_t> ops_per_batch;  // pair pattern; nullopt = scale with size
  uint32_t batches = 0;
  uint32_t warmup_batches = 0;
  uint32_t mempool_min_nr = 0;
  bool hwcache_align = false;
  uint32_t seed = 0;
  uint32_t experiment = 0;             // kExperiment* of core/job.h
  std::vector<uint32_t> access_modes;  // access probes
  bool counters = true;
  std::string raw_event;  // libpfm4 event name, or ""
};

// The [run] table: how often and in what order configurations are measured.
struct RunSettings {
  uint32_t repetitions = 5;      // each configuration, at least
  bool interleave = true;        // shuffle configurations x repetitions
  std::optional<uint64_t> seed;  // of the shuffle; unset: random, recorded
  double cv_target = 0.03;       // dynamic run count: stop below this CV
  uint32_t max_repetitions = 0;  // dynamic run count cap; 0: off
  bool discard_noisy = false;    // leave out noisy batches (counted)
};

struct Config {
  std::string path;
  std::string description;
  RunSettings run;
  std::vector<SweepBlock> sweeps;
};

// The keys of the [run] table.
std::span<const OptionSpec> run_options();

// Throws Error with "file:line: what" and a hint listing what is allowed.
Config load_config(const std::string& path);
Config parse_config(std::string_view text, const std::string& path);

// `kbench help config`: every key with type, default and meaning.
std::string describe_config_keys();

}  // namespace kbench
