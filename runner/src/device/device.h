// SPDX-License-Identifier: GPL-2.0
// device.h - the module as the runner sees it: facts about the kernel, the
// catalog of its APIs and experiments, and "run this job". KernelDevice
// talks to /dev/kbench; tests put a fake at this boundary.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.h"
#include "core/job.h"

namespace kbench {

struct ModuleInfo {
  uint32_t abi_version = 0;
  uint32_t nr_apis = 0;
  uint32_t nr_experiments = 0;
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
  uint64_t kconfig = 0;       // KBENCH_KCONFIG_* bits
  uint64_t test_hook_ns = 0;  // a planted delay's measured cost (KBENCH_INFO_TEST_HOOK)
  std::string release;
  std::string preempt_model;
  std::string clock_name;

  bool init_on_alloc() const { return flags & KBENCH_INFO_INIT_ON_ALLOC; }
  bool init_on_free() const { return flags & KBENCH_INFO_INIT_ON_FREE; }
  bool test_hook() const { return flags & KBENCH_INFO_TEST_HOOK; }
};
void to_json(nlohmann::json& j, const ModuleInfo& info);
// {"CONFIG_KASAN": false, ...} for every KBENCH_KCONFIG_* bit.
nlohmann::json kconfig_to_json(uint64_t kconfig);
void from_json(const nlohmann::json& j, ModuleInfo& info);
ModuleInfo decode_info(const kbench_info& raw);

struct RunOutcome {
  int err = 0;  // 0 or a positive errno from the ioctl
  std::string reason;
  std::string bad_field;
  std::string call;
  uint64_t footprint_bytes = 0;
  bool nowarn_added = false;
  uint32_t failed_total = 0;
  // One per timed batch; on threads >= 2 CPUs thread by thread: thread t's
  // batch b at t * (samples.size() / threads) + b.
  std::vector<kbench_sample> samples;
  uint32_t threads = 1;                     // CPUs that ran it at once (kbench_run_args.nr_threads)
  nlohmann::json values = nullptr;          // the experiment's named results, or null
  std::optional<kbench_counters> counters;  // when the job asked for them
  // Per sample slot: operations by clock ticks, KBENCH_HIST_BUCKETS buckets
  // (empty where the experiment does not time operations one by one).
  std::vector<std::vector<uint64_t>> hist;
  std::string raw_event_error;  // the job's raw event could not be resolved here: why
  nlohmann::json interrupts;    // /proc/interrupts deltas during the job: {"TLB": n, "CAL": n}
  nlohmann::json vmstat;        // /proc/vmstat compaction and reclaim deltas, those that moved
};

// Fill the ioctl argument for a job (pure: unit-tested without a kernel).
// api_id is the module's id of job.api (from its catalog).
// threads: job.threads with "all" resolved (Job::thread_count).
kbench_run_args encode_run_args(const Job& job, uint32_t api_id, bool validate_only, kbench_sample* samples,
                                size_t nr_samples, kbench_counters* counters = nullptr, uint32_t threads = 1);
// Read the outputs of the ioctl back, given its errno (0 on success).
RunOutcome decode_run_args(const kbench_run_args& args, int err, const kbench_sample* samples,
                           const ExperimentInfo* experiment);

class Device {
 public:
  virtual ~Device() = default;
  virtual ModuleInfo info() = 0;
  virtual Catalog catalog() = 0;
  // Runs a job as it is (the executor normalises it against the catalog).
  virtual RunOutcome run(const Job& job, bool validate_only) = 0;
};

// Opens /dev/kbench; throws Error saying what is missing if it cannot.
std::unique_ptr<Device> open_kernel_device(const std::string& path = "/dev/kbench");

}  // namespace kbench
