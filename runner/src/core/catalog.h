// SPDX-License-Identifier: GPL-2.0
// catalog.h - what the module says about its allocation APIs and
// experiments (KBENCH_IOC_API_INFO, KBENCH_IOC_EXPERIMENT_INFO). The module
// is the one source of these facts: the runner, `kbench list`, the report
// and the advisor read them from here, or from results.json's context
// where the agent recorded them, never from lists of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/abi.h"

namespace kbench {

struct ApiInfo {
  uint32_t id = 0;  // what requests carry on this module
  std::string name;
  std::string family;
  uint64_t caps = 0;     // KBENCH_CAP_*
  uint32_t memory = 0;   // enum kbench_memory
  uint32_t options = 0;  // KBENCH_OPT_*
  uint64_t max_size = 0;
  std::string call, free_call, note;
  std::string unavailable;  // why this kernel cannot offer it, or ""

  bool has(uint64_t cap) const { return (caps & cap) != 0; }
  bool takes(uint32_t opt) const { return (options & opt) != 0; }
  // Whether the memory it returns may be in vmalloc space.
  bool maybe_vmalloc() const { return memory == KBENCH_MEM_VMALLOC || memory == KBENCH_MEM_DIRECT_OR_VMALLOC; }
};

struct ExperimentInfo {
  uint32_t id = 0;
  std::string name;
  std::vector<std::string> slots;   // sample slots; slot 0 is the headline figure
  std::vector<std::string> units;   // per slot: "op", "touch", "byte"
  std::vector<std::string> values;  // result value names
  uint32_t fields = 0;              // KBENCH_FIELD_*
  uint32_t flags = 0;               // KBENCH_EXPF_*
};

struct Catalog {
  std::vector<ApiInfo> apis;
  std::vector<ExperimentInfo> experiments;

  const ApiInfo* api(std::string_view name) const;
  const ExperimentInfo* experiment(uint32_t id) const;
  bool empty() const { return apis.empty(); }
};

ApiInfo decode_api_info(const kbench_api_info& raw);
ExperimentInfo decode_experiment_info(const kbench_experiment_info& raw);

void to_json(nlohmann::json& j, const ApiInfo& a);
void from_json(const nlohmann::json& j, ApiInfo& a);
void to_json(nlohmann::json& j, const ExperimentInfo& e);
void from_json(const nlohmann::json& j, ExperimentInfo& e);
void to_json(nlohmann::json& j, const Catalog& c);
void from_json(const nlohmann::json& j, Catalog& c);

}  // namespace kbench
