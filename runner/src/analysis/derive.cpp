// SPDX-License-Identifier: GPL-2.0
// derive.cpp - the derivers, and derived figures as JSON.
#include "analysis/derive.h"

namespace kbench {

void derive_all(RunResults& r) {
  derive_alloc(r);
  derive_stages(r);
  derive_zeroing(r);
  derive_footprint(r);
}

namespace {

nlohmann::json fit_json(const LinearFit& f) {
  return nlohmann::json{{"ns_per_page", f.slope}, {"ns_fixed", f.intercept}, {"r2", f.r2}, {"points", f.n}};
}

LinearFit fit_from(const nlohmann::json& j) {
  LinearFit f;
  f.slope = j.value("ns_per_page", 0.0);
  f.intercept = j.value("ns_fixed", 0.0);
  f.r2 = j.value("r2", 0.0);
  f.n = j.value("points", size_t{0});
  return f;
}

}  // namespace

nlohmann::json derived_to_json(const RunResults& r) {
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : r.vmalloc_stages)
    stages.push_back({{"size_bytes", s.size},
                      {"pages", s.pages},
                      {"pages_alloc_ns", s.pages_alloc},
                      {"page_array_ns", s.page_array},
                      {"page_array_share_of_overhead", s.page_array_share},
                      {"vmap_ns", s.vmap},
                      {"vm_map_ram_ns", s.vm_map_ram},
                      {"rest_ns", s.rest},
                      {"vmalloc_ns", s.vmalloc},
                      {"explained", s.explained},
                      {"overhead_ns", s.overhead},
                      {"vmap_share_of_overhead", s.vmap_share},
                      {"rest_share_of_overhead", s.rest_share},
                      {"vunmap_ns", s.vunmap},
                      {"vm_unmap_ram_ns", s.vm_unmap_ram},
                      {"pages_free_ns", s.pages_free},
                      {"vfree_ns", s.vfree},
                      {"purge_ns", s.purge},
                      {"ipi_tlb", s.ipi_tlb},
                      {"ipi_cal", s.ipi_cal},
                      {"clean_vmalloc_pair_ns", s.clean_pair},
                      {"steady_vmalloc_pair_ns", s.steady_pair},
                      {"purge_share_of_steady", s.purge_share}});
  nlohmann::json zeroing = nlohmann::json::array();
  for (const auto& z : r.zeroing)
    zeroing.push_back({{"alloc", z.alloc_name},
                       {"api", z.api},
                       {"memset", z.memset_name},
                       {"size_bytes", z.size},
                       {"alloc_bytes_per_ns", z.alloc_bytes_per_ns},
                       {"memset_bytes_per_ns", z.memset_bytes_per_ns},
                       {"fraction_of_memset", z.fraction_of_limit}});
  nlohmann::json steady = nlohmann::json::array();
  for (const auto& s : r.steady) {
    nlohmann::json row = {{"api", s.api},
                          {"gfp", s.gfp},
                          {"pattern", s.pattern},
                          {"phase", s.phase},
                          {"size_bytes", s.size},
                          {"steady_ops_per_batch", s.steady_ops_per_batch},
                          {"clean_ns", s.clean_ns},
                          {"steady_ns", s.steady_ns},
                          {"net_of_harness", s.net},
                          {"change_vs_clean", s.change},
                          {"extra_share_of_steady", s.extra_share},
                          {"purges_counted", s.purges_counted},
                          {"steady_ops", s.steady_ops},
                          {"purge_threshold_bytes", s.purge_threshold_bytes},
                          {"lazily_freed_bytes", s.lazily_freed_bytes},
                          {"threshold_crossings", s.threshold_crossings}};
    // A count only where one was taken: never a zero for "not counted".
    if (s.purges_counted) row["purges"] = s.purges;
    row["slab_flushes_counted"] = s.slab_flushes_counted;
    if (s.slab_flushes_counted) row["slab_flushes"] = s.slab_flushes;
    steady.push_back(row);
  }
  return {{"kbench_steady_state", steady},
          {"kbench_vmalloc_stages",
           {{"by_size", stages},
            {"rest_is_derived", "rest_ns = vmalloc_ns - pages_alloc_ns - page_array_ns - vmap_ns"},
            {"vmap_fit", fit_json(r.vmap_fit)},
            {"vm_map_ram_fit", fit_json(r.vm_map_ram_fit)}}},
          {"kbench_zeroing", zeroing}};
}

void derived_from_json(const nlohmann::json& j, RunResults& r) {
  const auto& st = j.at("kbench_vmalloc_stages");
  for (const auto& s : st.at("by_size")) {
    StageRow row;
    row.size = s.at("size_bytes");
    row.pages = s.at("pages");
    row.pages_alloc = s.at("pages_alloc_ns");
    row.page_array = s.at("page_array_ns");
    row.page_array_share = s.value("page_array_share_of_overhead", 0.0);
    row.vmap = s.at("vmap_ns");
    row.vm_map_ram = s.at("vm_map_ram_ns");
    row.rest = s.at("rest_ns");
    row.vmalloc = s.at("vmalloc_ns");
    row.explained = s.at("explained");
    row.overhead = s.at("overhead_ns");
    row.vmap_share = s.value("vmap_share_of_overhead", 0.0);
    row.rest_share = s.value("rest_share_of_overhead", 0.0);
    row.vunmap = s.at("vunmap_ns");
    row.vm_unmap_ram = s.at("vm_unmap_ram_ns");
    row.pages_free = s.at("pages_free_ns");
    row.vfree = s.at("vfree_ns");
    row.purge = s.at("purge_ns");
    row.ipi_tlb = s.value("ipi_tlb", uint64_t{0});
    row.ipi_cal = s.value("ipi_cal", uint64_t{0});
    auto num = [&](const char* k) { return s.contains(k) && s[k].is_number() ? s[k].get<double>() : std::nan(""); };
    row.clean_pair = num("clean_vmalloc_pair_ns");
    row.steady_pair = num("steady_vmalloc_pair_ns");
    row.purge_share = num("purge_share_of_steady");
    r.vmalloc_stages.push_back(row);
  }
  r.vmap_fit = fit_from(st.at("vmap_fit"));
  r.vm_map_ram_fit = fit_from(st.at("vm_map_ram_fit"));
  for (const auto& s : j.value("kbench_steady_state", nlohmann::json::array())) {
    SteadyRow row;
    row.api = s.at("api");
    row.gfp = s.at("gfp");
    row.pattern = s.at("pattern");
    row.phase = s.at("phase");
    row.size = s.at("size_bytes");
    row.steady_ops_per_batch = s.at("steady_ops_per_batch");
    row.clean_ns = s.at("clean_ns");
    row.steady_ns = s.at("steady_ns");
    row.net = s.at("net_of_harness");
    row.change = s.at("change_vs_clean");
    row.extra_share = s.at("extra_share_of_steady");
    row.purges_counted = s.at("purges_counted");
    row.purges = s.value("purges", uint64_t{0});
    row.slab_flushes_counted = s.value("slab_flushes_counted", false);
    row.slab_flushes = s.value("slab_flushes", uint64_t{0});
    row.steady_ops = s.at("steady_ops");
    row.purge_threshold_bytes = s.at("purge_threshold_bytes");
    row.lazily_freed_bytes = s.value("lazily_freed_bytes", uint64_t{0});
    row.threshold_crossings = s.value("threshold_crossings", uint64_t{0});
    r.steady.push_back(row);
  }
  for (const auto& z : j.at("kbench_zeroing")) {
    ZeroingRow row;
    row.alloc_name = z.at("alloc");
    row.api = z.value("api", "");
    row.memset_name = z.at("memset");
    row.size = z.at("size_bytes");
    row.alloc_bytes_per_ns = z.at("alloc_bytes_per_ns");
    row.memset_bytes_per_ns = z.at("memset_bytes_per_ns");
    row.fraction_of_limit = z.at("fraction_of_memset");
    r.zeroing.push_back(row);
  }
}

}  // namespace kbench
