// SPDX-License-Identifier: GPL-2.0
// fake_device.h - a device at the kernel boundary for unit tests: a small
// catalog shaped like the module's, and scripted answers, so the executor,
// the analysis and the reporters can be checked without a guest. The real
// module is tested by the QEMU end-to-end tests.
#pragma once

#include <cerrno>
#include <functional>
#include <string>

#include "core/experiments.h"
#include "device/device.h"

namespace kbench::test {

inline ApiInfo fake_api(uint32_t id, std::string name, std::string family, uint64_t caps, uint32_t memory,
                        uint32_t options = 0) {
  ApiInfo a;
  a.id = id;
  a.name = std::move(name);
  a.family = std::move(family);
  a.caps = caps;
  a.memory = memory;
  a.options = options;
  a.call = a.name;
  a.free_call = "free";
  return a;
}

inline Catalog fake_catalog() {
  Catalog c;
  c.apis = {
      fake_api(0, "noop", "harness", KBENCH_CAP_GFP | KBENCH_CAP_HARNESS, KBENCH_MEM_NONE),
      fake_api(1, "kmalloc", "slab", KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_CONTIGUOUS, KBENCH_MEM_DIRECT),
      fake_api(2, "kzalloc", "slab", KBENCH_CAP_GFP | KBENCH_CAP_ALWAYS_ZEROES, KBENCH_MEM_DIRECT),
      fake_api(3, "vmalloc", "vmalloc", KBENCH_CAP_GFP, KBENCH_MEM_VMALLOC),
      fake_api(4, "vmalloc_huge", "vmalloc", KBENCH_CAP_GFP | KBENCH_CAP_HUGE_MAP, KBENCH_MEM_VMALLOC),
      fake_api(5, "vmalloc_32", "vmalloc", 0, KBENCH_MEM_VMALLOC),
      fake_api(6, "mempool_slab", "mempool", KBENCH_CAP_GFP | KBENCH_CAP_RESERVE, KBENCH_MEM_DIRECT,
               KBENCH_OPT_MIN_NR | KBENCH_OPT_CACHE_ALIGN)};
  for (const auto& spec : experiments()) {
    ExperimentInfo e;
    e.id = spec.id;
    e.name = std::string(spec.name);
    e.fields = spec.fields;
    switch (spec.id) {
      case KBENCH_EXP_ALLOC:
        e.slots = {"alloc", "free"};
        e.units = {"op", "op"};
        e.flags = KBENCH_EXPF_COUNTERS;
        break;
      case KBENCH_EXP_ACCESS:
        e.slots = {"touch", "byte"};
        e.units = {"touch", "byte"};
        e.values = {"touches", "in_vmalloc"};
        e.flags = KBENCH_EXPF_COUNTERS;
        break;
      case KBENCH_EXP_FOOTPRINT:
        e.values = {"pte_4k", "pmd_2m", "pud_1g", "unmapped_pages", "smallest_mapping_bytes", "in_vmalloc"};
        break;
      case KBENCH_EXP_STAGES:
        e.slots = {"vmalloc",    "page_array",   "pages_alloc", "vmap",  "vunmap",
                   "vm_map_ram", "vm_unmap_ram", "pages_free",  "vfree", "purge"};
        e.units = std::vector<std::string>(e.slots.size(), "op");
        break;
      default:
        break;
    }
    c.experiments.push_back(e);
  }
  return c;
}

// One sample: ticks and counts of slots 0 and 1.
inline kbench_sample sample(uint64_t c0, uint32_t n0, uint64_t c1 = 0, uint32_t n1 = 0, uint32_t flags = 0,
                            uint32_t failed = 0) {
  kbench_sample s{};
  s.flags = flags;
  s.ops = n0;
  s.failed = failed;
  s.cycles[0] = c0;
  s.count[0] = n0;
  s.cycles[1] = c1;
  s.count[1] = n1;
  return s;
}

// Answers every job with `answer`, counting calls; 1 tick = 1 ns.
class FakeDevice : public Device {
 public:
  using Answer = std::function<RunOutcome(const Job&, int call)>;
  explicit FakeDevice(Answer answer) : answer_(std::move(answer)) {}
  ModuleInfo info() override {
    ModuleInfo m;
    m.clock_khz = 1000000;
    m.release = "test";
    m.flags = KBENCH_INFO_INIT_ON_ALLOC;
    m.nr_apis = static_cast<uint32_t>(catalog_.apis.size());
    return m;
  }
  Catalog catalog() override { return catalog_; }
  RunOutcome run(const Job& job, bool) override {
    jobs.push_back(job);
    return answer_(job, calls++);
  }
  int calls = 0;
  std::vector<Job> jobs;  // as they reached the device

 private:
  Answer answer_;
  Catalog catalog_ = fake_catalog();
};

}  // namespace kbench::test
