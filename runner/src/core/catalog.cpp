// SPDX-License-Identifier: GPL-2.0
// catalog.cpp - the module's descriptors, decoded and as JSON. Capability
// bits are written by name, so the report reads "nonblock", not 0x2.
#include "core/catalog.h"

#include <cstring>

namespace kbench {

namespace {

std::string cstr(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

std::vector<std::string> names_of(const char* table, size_t width, size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.push_back(cstr(table + i * width, width));
  return out;
}

nlohmann::json caps_to_json(uint64_t caps) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : cap_names())
    if (caps & c.bit) j.push_back(c.name);
  return j;
}

uint64_t caps_from_json(const nlohmann::json& j) {
  uint64_t caps = 0;
  for (const auto& n : j)
    for (const auto& c : cap_names())
      if (n.get<std::string>() == c.name) caps |= c.bit;
  return caps;
}

}  // namespace

const ApiInfo* Catalog::api(std::string_view name) const {
  for (const auto& a : apis)
    if (a.name == name) return &a;
  return nullptr;
}

const ExperimentInfo* Catalog::experiment(uint32_t id) const {
  for (const auto& e : experiments)
    if (e.id == id) return &e;
  return nullptr;
}

ApiInfo decode_api_info(const kbench_api_info& r) {
  ApiInfo a;
  a.id = r.id;
  a.name = cstr(r.name, sizeof(r.name));
  a.family = cstr(r.family, sizeof(r.family));
  a.caps = r.caps;
  a.memory = r.memory;
  a.options = r.options;
  a.max_size = r.max_size;
  a.call = cstr(r.call, sizeof(r.call));
  a.free_call = cstr(r.free_call, sizeof(r.free_call));
  a.note = cstr(r.note, sizeof(r.note));
  a.unavailable = cstr(r.unavailable, sizeof(r.unavailable));
  return a;
}

ExperimentInfo decode_experiment_info(const kbench_experiment_info& r) {
  ExperimentInfo e;
  e.id = r.id;
  e.name = cstr(r.name, sizeof(r.name));
  const size_t slots = std::min<size_t>(r.nr_slots, KBENCH_SAMPLE_SLOTS);
  e.slots = names_of(&r.slots[0][0], sizeof(r.slots[0]), slots);
  e.units = names_of(&r.units[0][0], sizeof(r.units[0]), slots);
  e.values = names_of(&r.values[0][0], sizeof(r.values[0]), std::min<size_t>(r.nr_values, KBENCH_VALUE_SLOTS));
  e.fields = r.fields;
  e.flags = r.flags;
  return e;
}

void to_json(nlohmann::json& j, const ApiInfo& a) {
  j = nlohmann::json{{"id", a.id},
                     {"name", a.name},
                     {"family", a.family},
                     {"caps", caps_to_json(a.caps)},
                     {"memory", a.memory < memory_names().size() ? memory_names()[a.memory] : "unknown"},
                     {"options", a.options},
                     {"max_size", a.max_size},
                     {"call", a.call},
                     {"free_call", a.free_call},
                     {"note", a.note},
                     {"unavailable", a.unavailable}};
}

void from_json(const nlohmann::json& j, ApiInfo& a) {
  a.id = j.at("id");
  a.name = j.at("name");
  a.family = j.at("family");
  a.caps = caps_from_json(j.at("caps"));
  a.memory = find_name(memory_names(), j.at("memory").get<std::string>()).value_or(KBENCH_MEM_NONE);
  a.options = j.at("options");
  a.max_size = j.at("max_size");
  a.call = j.at("call");
  a.free_call = j.at("free_call");
  a.note = j.at("note");
  a.unavailable = j.at("unavailable");
}

void to_json(nlohmann::json& j, const ExperimentInfo& e) {
  j = nlohmann::json{{"id", e.id},         {"name", e.name},     {"slots", e.slots}, {"units", e.units},
                     {"values", e.values}, {"fields", e.fields}, {"flags", e.flags}};
}

void from_json(const nlohmann::json& j, ExperimentInfo& e) {
  e.id = j.at("id");
  e.name = j.at("name");
  e.slots = j.at("slots").get<std::vector<std::string>>();
  e.units = j.at("units").get<std::vector<std::string>>();
  e.values = j.at("values").get<std::vector<std::string>>();
  e.fields = j.at("fields");
  e.flags = j.at("flags");
}

void to_json(nlohmann::json& j, const Catalog& c) {
  j = nlohmann::json{{"apis", c.apis}, {"experiments", c.experiments}};
}

void from_json(const nlohmann::json& j, Catalog& c) {
  c.apis = j.at("apis").get<std::vector<ApiInfo>>();
  c.experiments = j.at("experiments").get<std::vector<ExperimentInfo>>();
}

}  // namespace kbench
