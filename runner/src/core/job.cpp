// SPDX-License-Identifier: GPL-2.0
// job.cpp - job names (the one place they are built), sizes, and the JSON
// form used in plans and raw records.
#include "core/job.h"

#include <charconv>
#include <limits>

#include "core/error.h"
#include "core/experiments.h"

namespace kbench {

std::string_view Job::experiment_name() const { return experiment_spec(experiment).name; }

bool Job::reads(uint32_t field) const { return (experiment_spec(experiment).fields & field) != 0; }

const ApiOption* Job::option(std::string_view k) const {
  for (const auto& o : options)
    if (o.key == k) return &o;
  return nullptr;
}

std::string Job::key() const {
  std::string n;
  if (experiment != KBENCH_EXP_ALLOC) n = std::string(experiment_name()) + "/";
  if (reads(KBENCH_FIELD_API)) n += api + "/";
  n += "size:" + format_size(size);
  if (reads(KBENCH_FIELD_GFP)) n += "/gfp:" + gfp.to_string();
  if (reads(KBENCH_FIELD_MODE)) n += "/mode:" + std::string(access_mode_name());
  if (reads(KBENCH_FIELD_PATTERN)) n += "/pattern:" + std::string(pattern_name());
  // Steady state sizes its batches to the kernel's own thresholds: the
  // state, not a batch size, is what names it.
  if (reads(KBENCH_FIELD_OPS)) n += steady() ? std::string("/state:steady") : "/n:" + std::to_string(ops_per_batch);
  if (reads(KBENCH_FIELD_CONTEXT)) n += "/ctx:" + std::string(context_name());
  for (const auto& o : options) n += "/" + o.key + ":" + std::to_string(o.value);
  // One thread, the calling task, is every figure from before threads
  // existed: only more threads are named.
  if (reads(KBENCH_FIELD_THREADS) && threads != 1) n += "/threads:" + threads_name();
  // Memory as the kernel has it is every figure from before conditions.
  if (reads(KBENCH_FIELD_CONDITION) && condition != KBENCH_COND_NONE) n += "/cond:" + std::string(condition_name());
  return n;
}

std::string Job::threads_name() const { return threads == kThreadsAll ? "all" : std::to_string(threads); }

std::string measurement_name(const Job& job, std::string_view phase) { return job.key() + "/" + std::string(phase); }

nlohmann::json dimensions_json(const Job& job) {
  nlohmann::json d = {{"experiment", job.experiment_name()}, {"size_bytes", job.size}};
  if (job.reads(KBENCH_FIELD_API)) d["api"] = job.api;
  if (job.reads(KBENCH_FIELD_GFP)) d["gfp"] = job.gfp.to_string();
  if (job.reads(KBENCH_FIELD_MODE)) d["access_mode"] = job.access_mode_name();
  if (job.reads(KBENCH_FIELD_PATTERN)) d["pattern"] = job.pattern_name();
  if (job.reads(KBENCH_FIELD_OPS)) {
    d["ops_per_batch"] = job.ops_per_batch;
    d["state"] = job.state_name();
  }
  if (job.reads(KBENCH_FIELD_CONTEXT)) d["context"] = job.context_name();
  if (job.reads(KBENCH_FIELD_CONDITION)) d["condition"] = job.condition_name();
  nlohmann::json opts = nlohmann::json::object();
  for (const auto& o : job.options) opts[o.key] = o.value;
  d["options"] = opts;
  return d;
}

void to_json(nlohmann::json& j, const Job& job) {
  nlohmann::json opts = nlohmann::json::array();
  for (const auto& o : job.options) opts.push_back({o.key, o.value});
  j = nlohmann::json{{"experiment", job.experiment_name()},
                     {"api", job.api},
                     {"size", job.size},
                     {"gfp", job.gfp.to_string()},
                     {"pattern", job.pattern_name()},
                     {"ops_per_batch", job.ops_per_batch},
                     {"state", job.state_name()},
                     {"context", job.context_name()},
                     {"access_mode", job.access_mode_name()},
                     {"options", opts},
                     {"threads", job.threads},
                     {"condition", job.condition_name()},
                     {"batches", job.batches},
                     {"warmup_batches", job.warmup_batches},
                     {"seed", job.seed},
                     {"counters", job.counters},
                     {"raw_event", job.raw_event},
                     {"raw_type", job.raw_type},
                     {"raw_config", job.raw_config},
                     {"sweep", job.sweep}};
}

namespace {
uint32_t id_of(std::span<const std::string_view> names, const std::string& name, const char* what) {
  const auto id = find_name(names, name);
  if (!id) throw Error(std::string("unknown ") + what + " '" + name + "' in job");
  return *id;
}
}  // namespace

void from_json(const nlohmann::json& j, Job& job) {
  job.experiment = id_of(experiment_names(), j.at("experiment").get<std::string>(), "experiment");
  job.api = j.at("api").get<std::string>();
  job.size = j.at("size").get<uint64_t>();
  job.gfp = Gfp::parse(j.at("gfp").get<std::string>());
  job.pattern = id_of(pattern_names(), j.at("pattern").get<std::string>(), "pattern");
  job.ops_per_batch = j.at("ops_per_batch").get<uint32_t>();
  job.state = id_of(state_names(), j.value("state", "clean"), "state");
  job.context = id_of(context_names(), j.at("context").get<std::string>(), "context");
  job.access_mode = id_of(access_mode_names(), j.at("access_mode").get<std::string>(), "access mode");
  job.options.clear();
  for (const auto& o : j.at("options")) job.options.push_back({o.at(0).get<std::string>(), o.at(1).get<int64_t>()});
  job.threads = j.value("threads", 1U);
  job.condition = id_of(condition_names(), j.value("condition", "none"), "condition");
  job.batches = j.at("batches").get<uint32_t>();
  job.warmup_batches = j.at("warmup_batches").get<uint32_t>();
  job.seed = j.at("seed").get<uint32_t>();
  job.counters = j.at("counters").get<bool>();
  job.raw_event = j.at("raw_event").get<std::string>();
  job.raw_type = j.at("raw_type").get<uint32_t>();
  job.raw_config = j.at("raw_config").get<uint64_t>();
  job.sweep = j.value("sweep", "");
}

uint32_t auto_ops_per_batch(uint64_t size) {
  if (size <= 256) return 128;
  if (size <= 4096) return 64;
  if (size <= 65536) return 16;
  if (size <= (1U << 20)) return 4;
  return 1;
}

uint64_t parse_size(std::string_view text) {
  const std::string orig(text);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (!text.empty() && (text.back() == 'B' || text.back() == 'b')) text.remove_suffix(1);
  if (text.size() > 1 && (text.back() == 'i')) text.remove_suffix(1);  // KiB, MiB
  unsigned shift = 0;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      default:
        break;
    }
    if (shift) text.remove_suffix(1);
  }
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    throw Error("bad size '" + orig + "'", "write a byte count such as 64, 4K, 2M or 1G");
  if (value > (std::numeric_limits<uint64_t>::max() >> shift)) throw Error("size '" + orig + "' is too large");
  return value << shift;
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"", "K", "M", "G", "T"};
  unsigned unit = 0;
  while (bytes != 0 && bytes % 1024 == 0 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

}  // namespace kbench
