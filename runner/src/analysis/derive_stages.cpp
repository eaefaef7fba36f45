// SPDX-License-Identifier: GPL-2.0
// derive_stages.cpp - vmalloc(size) split into its stages, per size, and
// the cost of mapping fitted against the page count.
#include <cmath>

#include "analysis/derive.h"

namespace kbench {

void derive_stages(RunResults& r) {
  std::vector<std::pair<double, double>> vmap_xy, ram_xy;
  const uint64_t page = r.context.value("page_size", 4096U);
  const Catalog catalog = r.catalog();
  for (const auto& c : r.configs) {
    if (c.job.experiment != KBENCH_EXP_STAGES || c.phases.empty()) continue;
    StageRow s;
    s.size = c.job.size;
    s.pages = (c.job.size + page - 1) / page;
    s.vmalloc = phase_median(c, "vmalloc");
    s.page_array = phase_median(c, "page_array");
    s.pages_alloc = phase_median(c, "pages_alloc");
    s.vmap = phase_median(c, "vmap");
    s.vunmap = phase_median(c, "vunmap");
    s.vm_map_ram = phase_median(c, "vm_map_ram");
    s.vm_unmap_ram = phase_median(c, "vm_unmap_ram");
    s.pages_free = phase_median(c, "pages_free");
    s.vfree = phase_median(c, "vfree");
    s.purge = phase_median(c, "purge");
    s.rest = s.vmalloc - s.pages_alloc - s.page_array - s.vmap;
    s.explained = (s.pages_alloc + s.page_array + s.vmap) / s.vmalloc;
    s.overhead = s.vmalloc - s.pages_alloc;
    s.vmap_share = s.overhead > 0 ? s.vmap / s.overhead : std::nan("");
    s.rest_share = s.overhead > 0 ? s.rest / s.overhead : std::nan("");
    s.page_array_share = s.overhead > 0 ? s.page_array / s.overhead : std::nan("");
    s.ipi_tlb = c.ipi_tlb;
    s.ipi_cal = c.ipi_cal;
    // The API whose call the stages decompose (vmalloc()), clean and steady.
    for (const auto& st : r.steady) {
      const ApiInfo* api = catalog.api(st.api);
      if (api && api->call == c.call && st.size == s.size && st.gfp == "GFP_KERNEL" && st.pattern == "pair") {
        s.clean_pair = st.clean_ns;
        s.steady_pair = st.steady_ns;
        s.purge_share = st.extra_share;
      }
    }
    vmap_xy.emplace_back(static_cast<double>(s.pages), s.vmap);
    ram_xy.emplace_back(static_cast<double>(s.pages), s.vm_map_ram);
    r.vmalloc_stages.push_back(s);
  }
  r.vmap_fit = fit_line(vmap_xy);
  r.vm_map_ram_fit = fit_line(ram_xy);
}

}  // namespace kbench
