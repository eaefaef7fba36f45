// SPDX-License-Identifier: GPL-2.0
// derive_footprint.cpp - for APIs that may map with huge pages (huge_map in
// the catalog): whether PMD mappings were to be expected at this size on
// this kernel, from facts the run recorded, and why not when they were not.
#include "analysis/derive.h"

namespace kbench {

nlohmann::json huge_vmalloc_expectation(const nlohmann::json& ctx, uint64_t size, const nlohmann::json& footprint) {
  const bool arch = ctx.contains("kconfig") && ctx["kconfig"].value("CONFIG_HAVE_ARCH_HUGE_VMALLOC", false);
  const bool disabled = ctx.value("cmdline", std::string()).find("nohugevmalloc") != std::string::npos;
  // vmalloc spreads a NUMA_NO_NODE request over the online nodes: a PMD
  // needs size / nodes >= 2 MiB.
  const std::string nodes_text = ctx.value("numa_nodes_online", std::string("0"));
  uint64_t nodes = 1;
  if (const auto dash = nodes_text.find('-'); dash != std::string::npos)
    nodes = std::stoull(nodes_text.substr(dash + 1)) - std::stoull(nodes_text.substr(0, dash)) + 1;
  std::string why_not;
  if (!arch)
    why_not = "this kernel is built without HAVE_ARCH_HUGE_VMALLOC";
  else if (disabled)
    why_not = "the kernel command line has nohugevmalloc";
  else if (size / nodes < (2U << 20))
    why_not = "size per NUMA node (" + std::to_string(size / nodes) + " bytes over " + std::to_string(nodes) +
              " node(s)) is below 2 MiB";
  const uint64_t pmds = footprint.value("pmd_2m", uint64_t{0});
  const uint64_t puds = footprint.value("pud_1g", uint64_t{0});
  nlohmann::json j = {{"expected", why_not.empty()}, {"used", pmds > 0 || puds > 0}};
  if (!why_not.empty()) j["why_not"] = why_not;
  if (why_not.empty() && pmds == 0)
    j["why_not"] = "an order-9 page allocation failed, so vmalloc fell back to 4 KiB pages";
  return j;
}

void derive_footprint(RunResults& r) {
  const Catalog catalog = r.catalog();
  for (auto& c : r.configs) {
    if (c.job.experiment != KBENCH_EXP_FOOTPRINT || !c.values.is_object()) continue;
    const ApiInfo* api = catalog.api(c.job.api);
    if (api && api->has(KBENCH_CAP_HUGE_MAP))
      c.values["huge_vmalloc"] = huge_vmalloc_expectation(r.context, c.job.size, c.values);
  }
}

}  // namespace kbench
