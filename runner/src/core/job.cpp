// SPDX-License-Identifier: GPL-2.0
// job.cpp - job names, sizes, and the JSON form used in plans and raw data.
#include "core/job.h"

#include <charconv>
#include <limits>

#include "core/error.h"

namespace kbench {

bool Job::is_mempool() const {
  return api == KBENCH_API_MEMPOOL_SLAB || api == KBENCH_API_MEMPOOL_KMALLOC || api == KBENCH_API_MEMPOOL_PAGE;
}

std::string Job::name() const {
  // Probes: "footprint/vmalloc/4194304/GFP_KERNEL", "access/.../page-random", "stages/vmalloc/65536".
  if (experiment == kExperimentStages) return "stages/" + std::string(api_name()) + "/" + std::to_string(size);
  if (is_probe()) {
    std::string n = std::string(experiment_names()[experiment]) + "/" + std::string(api_name()) + "/" +
                    std::to_string(size) + "/" + gfp.to_string();
    if (experiment == kExperimentAccess) n += "/" + std::string(access_mode_names()[access_mode]);
    return n;
  }
  std::string n =
      std::string(api_name()) + "/" + std::to_string(size) + "/" + gfp.to_string() + "/" + std::string(pattern_name());
  if (pattern != KBENCH_PATTERN_PAIR || ops_per_batch != auto_ops_per_batch(size))
    n += ":" + std::to_string(ops_per_batch);
  if (context != KBENCH_CTX_PREEMPT_ON) n += "/" + std::string(context_name());
  if (is_mempool()) n += "/min_nr:" + std::to_string(mempool_min_nr);
  if (hwcache_align) n += "/hwcache_align";
  return n;
}

void to_json(nlohmann::json& j, const Job& job) {
  j = nlohmann::json{{"experiment", experiment_names()[job.experiment]},
                     {"access_mode", access_mode_names()[job.access_mode]},
                     {"counters", job.counters},
                     {"raw_event", job.raw_event},
                     {"raw_type", job.raw_type},
                     {"raw_config", job.raw_config},
                     {"api", job.api_name()},
                     {"size", job.size},
                     {"gfp", job.gfp.to_string()},
                     {"pattern", job.pattern_name()},
                     {"context", job.context_name()},
                     {"ops_per_batch", job.ops_per_batch},
                     {"batches", job.batches},
                     {"warmup_batches", job.warmup_batches},
                     {"mempool_min_nr", job.mempool_min_nr},
                     {"hwcache_align", job.hwcache_align},
                     {"seed", job.seed},
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
  job.experiment = id_of(experiment_names(), j.value("experiment", "alloc"), "experiment");
  job.access_mode = id_of(access_mode_names(), j.value("access_mode", "sequential"), "access mode");
  job.counters = j.value("counters", false);
  job.raw_event = j.value("raw_event", std::string());
  job.raw_type = j.value("raw_type", 0U);
  job.raw_config = j.value("raw_config", uint64_t{0});
  job.api = id_of(api_names(), j.at("api").get<std::string>(), "api");
  job.size = j.at("size").get<uint64_t>();
  job.gfp = Gfp::parse(j.at("gfp").get<std::string>());
  job.pattern = id_of(pattern_names(), j.at("pattern").get<std::string>(), "pattern");
  job.context = id_of(context_names(), j.at("context").get<std::string>(), "context");
  job.ops_per_batch = j.at("ops_per_batch").get<uint32_t>();
  job.batches = j.at("batches").get<uint32_t>();
  job.warmup_batches = j.at("warmup_batches").get<uint32_t>();
  job.mempool_min_nr = j.at("mempool_min_nr").get<uint32_t>();
  job.hwcache_align = j.at("hwcache_align").get<bool>();
  job.seed = j.at("seed").get<uint32_t>();
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
