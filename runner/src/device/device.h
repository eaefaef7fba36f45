// SPDX-License-Identifier: GPL-2.0
// device.h - the module as the runner sees it: facts about the kernel, and
// "run this job". KernelDevice talks to /dev/kbench.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/job.h"

namespace kbench {

struct ModuleInfo {
  uint32_t abi_version = 0;
  uint32_t flags = 0;
  uint32_t clock_khz = 0;
  uint32_t page_size = 0;
  uint32_t max_page_order = 0;
  uint32_t hz = 0;
  uint32_t nr_cpus = 0;
  uint64_t kmalloc_max_size = 0;
  uint64_t kmalloc_max_cache = 0;
  uint64_t mem_cap_bytes = 0;
  uint64_t outstanding_allocs = 0;
  uint64_t outstanding_bytes = 0;
  uint64_t live_caches = 0;
  uint64_t live_pools = 0;
  uint64_t runs_completed = 0;
  uint64_t runs_interrupted = 0;
  uint64_t kconfig = 0;  // KBENCH_KCONFIG_* bits
  std::string release;
  std::string preempt_model;
  std::string clock_name;

  bool init_on_alloc() const { return flags & KBENCH_INFO_INIT_ON_ALLOC; }
  bool init_on_free() const { return flags & KBENCH_INFO_INIT_ON_FREE; }
};
void to_json(nlohmann::json& j, const ModuleInfo& info);
// {"CONFIG_KASAN": false, ...} for every KBENCH_KCONFIG_* bit.
nlohmann::json kconfig_to_json(uint64_t kconfig);
void from_json(const nlohmann::json& j, ModuleInfo& info);
ModuleInfo decode_info(const kbench_info& raw);

// A page-table footprint (KBENCH_PROBE_FOOTPRINT).
struct Footprint {
  uint64_t map_4k = 0, map_2m = 0, map_1g = 0, unmapped = 0;
  uint32_t level_shift = 0;  // smallest mapping seen: 12, 21 or 30
  bool in_vmalloc = false;
};

struct RunOutcome {
  int err = 0;  // 0 or a positive errno from the ioctl
  std::string reason;
  std::string bad_field;
  std::string call;
  uint64_t footprint_bytes = 0;
  bool nowarn_added = false;
  uint32_t failed_total = 0;
  std::vector<kbench_sample> samples;              // allocation runs
  std::vector<kbench_probe_sample> probe_samples;  // access and stages probes
  uint64_t touches = 0;                            // access probes: per batch
  std::optional<Footprint> footprint;
  std::optional<kbench_counters> counters;  // when the job asked for them
  std::string raw_event_error;              // the job's raw event could not be resolved here: why
  nlohmann::json interrupts;                // /proc/interrupts deltas during the job: {"TLB": n, "CAL": n}
};

// Fill the ioctl argument for a job (pure: unit-tested without a kernel).
kbench_run_args encode_run_args(const Job& job, bool validate_only, kbench_sample* samples, size_t nr_samples,
                                kbench_counters* counters = nullptr);
// Read the outputs of the ioctl back, given its errno (0 on success).
RunOutcome decode_run_args(const kbench_run_args& args, int err, const kbench_sample* samples);

kbench_probe_args encode_probe_args(const Job& job, bool validate_only, kbench_probe_sample* samples, size_t nr_samples,
                                    kbench_counters* counters);
RunOutcome decode_probe_args(const kbench_probe_args& args, int err, const kbench_probe_sample* samples);

class Device {
 public:
  virtual ~Device() = default;
  virtual ModuleInfo info() = 0;
  virtual RunOutcome run(const Job& job, bool validate_only) = 0;
};

// Opens /dev/kbench; throws Error saying what is missing if it cannot.
std::unique_ptr<Device> open_kernel_device(const std::string& path = "/dev/kbench");

}  // namespace kbench
