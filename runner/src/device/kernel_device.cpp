// SPDX-License-Identifier: GPL-2.0
// kernel_device.cpp - /dev/kbench through its ioctls.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "device/device.h"

namespace kbench {

namespace {

std::string cstr(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

// Indexed by bit number of KBENCH_KCONFIG_*.
constexpr const char* kKconfigNames[KBENCH_KCONFIG_COUNT] = {"CONFIG_KASAN",
                                                             "CONFIG_KFENCE",
                                                             "CONFIG_SLUB_DEBUG",
                                                             "CONFIG_SLUB_DEBUG_ON",
                                                             "CONFIG_DEBUG_PREEMPT",
                                                             "CONFIG_LOCKDEP",
                                                             "CONFIG_DEBUG_KMEMLEAK",
                                                             "CONFIG_PREEMPT_RT",
                                                             "CONFIG_DEBUG_PAGEALLOC",
                                                             "CONFIG_PAGE_POISONING",
                                                             "CONFIG_SLAB_FREELIST_HARDENED",
                                                             "CONFIG_SLAB_FREELIST_RANDOM",
                                                             "CONFIG_INIT_ON_ALLOC_DEFAULT_ON",
                                                             "CONFIG_MEMCG",
                                                             "CONFIG_DEBUG_VM",
                                                             "CONFIG_KCSAN",
                                                             "CONFIG_KMSAN",
                                                             "CONFIG_DEBUG_OBJECTS",
                                                             "CONFIG_MEM_ALLOC_PROFILING",
                                                             "CONFIG_PREEMPT_DYNAMIC",
                                                             "CONFIG_NUMA",
                                                             "CONFIG_TRANSPARENT_HUGEPAGE",
                                                             "CONFIG_HAVE_ARCH_HUGE_VMALLOC",
                                                             "CONFIG_SLUB_CPU_PARTIAL",
                                                             "CONFIG_SHUFFLE_PAGE_ALLOCATOR",
                                                             "CONFIG_SLAB_MERGE_DEFAULT"};
static_assert(KBENCH_KCONFIG_SLAB_MERGE_DEFAULT == 1ULL << (KBENCH_KCONFIG_COUNT - 1));

}  // namespace

nlohmann::json kconfig_to_json(uint64_t kconfig) {
  nlohmann::json j = nlohmann::json::object();
  for (int bit = 0; bit < KBENCH_KCONFIG_COUNT; ++bit) j[kKconfigNames[bit]] = ((kconfig >> bit) & 1) != 0;
  return j;
}

void to_json(nlohmann::json& j, const ModuleInfo& i) {
  j = nlohmann::json{{"abi_version", i.abi_version},
                     {"flags", i.flags},
                     {"clock_khz", i.clock_khz},
                     {"page_size", i.page_size},
                     {"max_page_order", i.max_page_order},
                     {"hz", i.hz},
                     {"nr_cpus", i.nr_cpus},
                     {"kmalloc_max_size", i.kmalloc_max_size},
                     {"kmalloc_max_cache", i.kmalloc_max_cache},
                     {"mem_cap_bytes", i.mem_cap_bytes},
                     {"outstanding_allocs", i.outstanding_allocs},
                     {"outstanding_bytes", i.outstanding_bytes},
                     {"live_caches", i.live_caches},
                     {"live_pools", i.live_pools},
                     {"runs_completed", i.runs_completed},
                     {"runs_interrupted", i.runs_interrupted},
                     {"kconfig", i.kconfig},
                     {"release", i.release},
                     {"preempt_model", i.preempt_model},
                     {"clock_name", i.clock_name},
                     {"init_on_alloc", i.init_on_alloc()},
                     {"init_on_free", i.init_on_free()}};
}

void from_json(const nlohmann::json& j, ModuleInfo& i) {
  i.abi_version = j.at("abi_version");
  i.flags = j.at("flags");
  i.clock_khz = j.at("clock_khz");
  i.page_size = j.at("page_size");
  i.max_page_order = j.at("max_page_order");
  i.hz = j.at("hz");
  i.nr_cpus = j.at("nr_cpus");
  i.kmalloc_max_size = j.at("kmalloc_max_size");
  i.kmalloc_max_cache = j.at("kmalloc_max_cache");
  i.mem_cap_bytes = j.at("mem_cap_bytes");
  i.outstanding_allocs = j.at("outstanding_allocs");
  i.outstanding_bytes = j.at("outstanding_bytes");
  i.live_caches = j.at("live_caches");
  i.live_pools = j.at("live_pools");
  i.runs_completed = j.at("runs_completed");
  i.runs_interrupted = j.at("runs_interrupted");
  i.kconfig = j.value("kconfig", uint64_t{0});
  i.release = j.at("release");
  i.preempt_model = j.at("preempt_model");
  i.clock_name = j.at("clock_name");
}

ModuleInfo decode_info(const kbench_info& r) {
  ModuleInfo i;
  i.abi_version = r.abi_version;
  i.flags = r.flags;
  i.clock_khz = r.clock_khz;
  i.page_size = r.page_size;
  i.max_page_order = r.max_page_order;
  i.hz = r.hz;
  i.nr_cpus = r.nr_cpus;
  i.kmalloc_max_size = r.kmalloc_max_size;
  i.kmalloc_max_cache = r.kmalloc_max_cache;
  i.mem_cap_bytes = r.mem_cap_bytes;
  i.outstanding_allocs = r.outstanding_allocs;
  i.outstanding_bytes = r.outstanding_bytes;
  i.live_caches = r.live_caches;
  i.live_pools = r.live_pools;
  i.runs_completed = r.runs_completed;
  i.runs_interrupted = r.runs_interrupted;
  i.kconfig = r.kconfig;
  i.release = cstr(r.release, sizeof(r.release));
  i.preempt_model = cstr(r.preempt_model, sizeof(r.preempt_model));
  i.clock_name = cstr(r.clock_name, sizeof(r.clock_name));
  return i;
}

kbench_run_args encode_run_args(const Job& job, bool validate_only, kbench_sample* samples, size_t nr_samples,
                                kbench_counters* counters) {
  kbench_run_args a{};  // zeroes pads and reserved space, as the module demands
  a.size = sizeof(a);
  a.abi_version = KBENCH_ABI_VERSION;
  a.api = job.api;
  a.gfp = job.gfp.base;
  a.gfp_mods = job.gfp.mods;
  a.pattern = job.pattern;
  a.context = job.context;
  a.flags = (validate_only ? KBENCH_RUN_VALIDATE_ONLY : 0U) | (job.hwcache_align ? KBENCH_RUN_HWCACHE_ALIGN : 0U) |
            (counters ? KBENCH_RUN_COUNTERS : 0U);
  a.counters_ptr = reinterpret_cast<uintptr_t>(counters);
  a.raw_config = counters ? job.raw_config : 0;
  a.raw_type = counters ? job.raw_type : 0;
  a.obj_size = job.size;
  a.ops_per_batch = job.ops_per_batch;
  a.nr_batches = job.batches;
  a.warmup_batches = job.warmup_batches;
  a.mempool_min_nr = job.mempool_min_nr;
  a.seed = job.seed;
  a.samples_ptr = reinterpret_cast<uintptr_t>(samples);
  a.samples_len = nr_samples * sizeof(kbench_sample);
  return a;
}

RunOutcome decode_run_args(const kbench_run_args& a, int err, const kbench_sample* samples) {
  RunOutcome o;
  o.err = err;
  o.reason = cstr(a.reason, sizeof(a.reason));
  o.bad_field = cstr(a.bad_field, sizeof(a.bad_field));
  o.call = cstr(a.call, sizeof(a.call));
  o.footprint_bytes = a.footprint_bytes;
  o.nowarn_added = a.gfp_nowarn_added != 0;
  o.failed_total = a.failed_total;
  if (samples) o.samples.assign(samples, samples + a.batches_done);
  return o;
}

kbench_probe_args encode_probe_args(const Job& job, bool validate_only, kbench_probe_sample* samples, size_t nr_samples,
                                    kbench_counters* counters) {
  kbench_probe_args a{};
  a.size = sizeof(a);
  a.abi_version = KBENCH_ABI_VERSION;
  a.kind = job.experiment - 1;
  a.api = job.api;
  a.gfp = job.gfp.base;
  a.gfp_mods = job.gfp.mods;
  a.mode = job.experiment == kExperimentAccess ? job.access_mode : 0;
  a.flags = (validate_only ? KBENCH_RUN_VALIDATE_ONLY : 0U) | (counters ? KBENCH_RUN_COUNTERS : 0U);
  a.obj_size = job.size;
  a.nr_batches = job.experiment == kExperimentFootprint ? 0 : job.batches;
  a.warmup_batches = job.experiment == kExperimentFootprint ? 0 : job.warmup_batches;
  a.seed = job.seed;
  a.samples_ptr = reinterpret_cast<uintptr_t>(samples);
  a.samples_len = nr_samples * sizeof(kbench_probe_sample);
  a.counters_ptr = reinterpret_cast<uintptr_t>(counters);
  a.raw_config = counters ? job.raw_config : 0;
  a.raw_type = counters ? job.raw_type : 0;
  return a;
}

RunOutcome decode_probe_args(const kbench_probe_args& a, int err, const kbench_probe_sample* samples) {
  RunOutcome o;
  o.err = err;
  o.reason = cstr(a.reason, sizeof(a.reason));
  o.bad_field = cstr(a.bad_field, sizeof(a.bad_field));
  o.call = cstr(a.call, sizeof(a.call));
  o.touches = a.touches;
  if (samples) o.probe_samples.assign(samples, samples + a.batches_done);
  if (err == 0 && a.kind == KBENCH_PROBE_FOOTPRINT) {
    Footprint f;
    f.map_4k = a.map_4k;
    f.map_2m = a.map_2m;
    f.map_1g = a.map_1g;
    f.unmapped = a.unmapped;
    f.level_shift = a.level_shift;
    f.in_vmalloc = a.in_vmalloc != 0;
    o.footprint = f;
  }
  return o;
}

namespace {

class KernelDevice final : public Device {
 public:
  explicit KernelDevice(int fd) : fd_(fd) {}
  ~KernelDevice() override { ::close(fd_); }
  KernelDevice(const KernelDevice&) = delete;
  KernelDevice& operator=(const KernelDevice&) = delete;

  ModuleInfo info() override {
    kbench_info raw{};
    raw.size = sizeof(raw);
    raw.abi_version = KBENCH_ABI_VERSION;
    if (::ioctl(fd_, KBENCH_IOC_INFO, &raw) != 0) {
      const int e = errno;
      if (e == EPROTO)
        throw Error("the loaded kbench module speaks another ABI version",
                    "unload it (rmmod kbench) so kbench can load the module built from this tree");
      throw Error(std::string("KBENCH_IOC_INFO failed: ") + std::strerror(e));
    }
    return decode_info(raw);
  }

  RunOutcome run(const Job& job, bool validate_only) override {
    kbench_counters counters{};
    kbench_counters* cnt = job.counters && !validate_only ? &counters : nullptr;
    RunOutcome o;
    if (job.is_probe()) {
      std::vector<kbench_probe_sample> buf(validate_only ? 0 : job.batches);
      kbench_probe_args a = encode_probe_args(job, validate_only, buf.data(), buf.size(), cnt);
      const int rc = ::ioctl(fd_, KBENCH_IOC_PROBE, &a);
      o = decode_probe_args(a, rc == 0 ? 0 : errno, buf.data());
    } else {
      std::vector<kbench_sample> buf(validate_only ? 0 : job.batches);
      kbench_run_args a = encode_run_args(job, validate_only, buf.data(), buf.size(), cnt);
      const int rc = ::ioctl(fd_, KBENCH_IOC_RUN, &a);
      o = decode_run_args(a, rc == 0 ? 0 : errno, buf.data());
    }
    if (cnt && (o.err == 0 || o.err == EINTR)) o.counters = counters;
    return o;
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<Device> open_kernel_device(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT)
      throw Error(path + " does not exist: the kbench module is not loaded",
                  "run kbench as root with --target host (it loads the module), or insmod kbench.ko");
    if (e == EACCES || e == EPERM)
      throw Error("cannot open " + path + ": " + std::strerror(e),
                  "kbench needs root (CAP_SYS_ADMIN): the module can disable preemption and "
                  "hold much memory");
    throw Error("cannot open " + path + ": " + std::strerror(e));
  }
  return std::make_unique<KernelDevice>(fd);
}

}  // namespace kbench
