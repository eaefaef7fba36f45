// SPDX-License-Identifier: GPL-2.0
// kernel_device.cpp - /dev/kbench through its ioctls.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <algorithm>

#include <cerrno>
#include <cstring>

#include "config/options.h"
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
                     {"nr_apis", i.nr_apis},
                     {"nr_experiments", i.nr_experiments},
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
                     {"test_hook_ns", i.test_hook_ns},
                     {"release", i.release},
                     {"preempt_model", i.preempt_model},
                     {"clock_name", i.clock_name},
                     {"init_on_alloc", i.init_on_alloc()},
                     {"init_on_free", i.init_on_free()}};
}

void from_json(const nlohmann::json& j, ModuleInfo& i) {
  i.abi_version = j.at("abi_version");
  i.nr_apis = j.value("nr_apis", 0U);
  i.nr_experiments = j.value("nr_experiments", 0U);
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
  i.test_hook_ns = j.value("test_hook_ns", uint64_t{0});
  i.release = j.at("release");
  i.preempt_model = j.at("preempt_model");
  i.clock_name = j.at("clock_name");
}

ModuleInfo decode_info(const kbench_info& r) {
  ModuleInfo i;
  i.abi_version = r.abi_version;
  i.nr_apis = r.nr_apis;
  i.nr_experiments = r.nr_experiments;
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
  i.test_hook_ns = r.test_hook_ns;
  i.release = cstr(r.release, sizeof(r.release));
  i.preempt_model = cstr(r.preempt_model, sizeof(r.preempt_model));
  i.clock_name = cstr(r.clock_name, sizeof(r.clock_name));
  return i;
}

kbench_run_args encode_run_args(const Job& job, uint32_t api_id, bool validate_only, kbench_sample* samples,
                                size_t nr_samples, kbench_counters* counters, uint32_t threads) {
  kbench_run_args a{};  // zeroes pads and every field the experiment does not read
  a.experiment = job.experiment;
  a.obj_size = job.size;
  a.flags = (validate_only ? KBENCH_RUN_VALIDATE_ONLY : 0U) | (counters ? KBENCH_RUN_COUNTERS : 0U) |
            (job.reads(KBENCH_FIELD_OPS) && job.steady() ? KBENCH_RUN_STEADY : 0U);
  if (job.reads(KBENCH_FIELD_API)) a.api = api_id;
  if (job.reads(KBENCH_FIELD_GFP)) {
    a.gfp = job.gfp.base;
    a.gfp_mods = job.gfp.mods;
  }
  if (job.reads(KBENCH_FIELD_PATTERN)) a.pattern = job.pattern;
  if (job.reads(KBENCH_FIELD_CONTEXT)) a.context = job.context;
  if (job.reads(KBENCH_FIELD_OPS)) a.ops_per_batch = job.steady() ? 0 : job.ops_per_batch;
  if (job.reads(KBENCH_FIELD_BATCHES)) {
    a.nr_batches = job.batches;
    a.warmup_batches = job.warmup_batches;
  }
  if (job.reads(KBENCH_FIELD_MODE)) a.mode = job.access_mode;
  if (job.reads(KBENCH_FIELD_SEED)) a.seed = job.seed;
  if (job.reads(KBENCH_FIELD_THREADS)) a.nr_threads = threads;
  if (job.reads(KBENCH_FIELD_CONDITION)) a.condition = job.condition;
  for (const auto& o : job.options)
    if (const Option* opt = find_api_option(o.key)) opt->encode(a, o.value);
  a.counters_ptr = reinterpret_cast<uintptr_t>(counters);
  a.raw_config = counters ? job.raw_config : 0;
  a.raw_type = counters ? job.raw_type : 0;
  a.sample_size = sizeof(kbench_sample);
  a.samples_ptr = reinterpret_cast<uintptr_t>(samples);
  a.samples_len = nr_samples * sizeof(kbench_sample);
  return a;
}

RunOutcome decode_run_args(const kbench_run_args& a, int err, const kbench_sample* samples,
                           const ExperimentInfo* experiment) {
  RunOutcome o;
  o.err = err;
  o.reason = cstr(a.reason, sizeof(a.reason));
  o.bad_field = cstr(a.bad_field, sizeof(a.bad_field));
  o.call = cstr(a.call, sizeof(a.call));
  o.footprint_bytes = a.footprint_bytes;
  o.nowarn_added = a.nowarn_added != 0;
  o.failed_total = a.failed_total;
  // A team's threads each wrote nr_batches slots, the first batches_done valid.
  o.threads = std::max(a.nr_threads, 1U);
  const size_t done = std::min<size_t>(a.batches_done, a.nr_batches);
  if (samples)
    for (size_t t = 0; t < o.threads; ++t)
      o.samples.insert(o.samples.end(), samples + t * a.nr_batches, samples + t * a.nr_batches + done);
  if (experiment && a.nr_values && (err == 0 || err == EINTR)) {
    o.values = nlohmann::json::object();
    for (size_t i = 0; i < std::min<size_t>(a.nr_values, experiment->values.size()); ++i)
      o.values[experiment->values[i]] = a.values[i];
  }
  return o;
}

namespace {

std::vector<std::vector<uint64_t>> split_hist(const std::vector<uint64_t>& flat, size_t slots) {
  std::vector<std::vector<uint64_t>> out(slots);
  for (size_t s = 0; s < slots; ++s)
    out[s].assign(flat.begin() + static_cast<long>(s * KBENCH_HIST_BUCKETS),
                  flat.begin() + static_cast<long>((s + 1) * KBENCH_HIST_BUCKETS));
  return out;
}

class KernelDevice final : public Device {
 public:
  explicit KernelDevice(int fd) : fd_(fd) {}
  ~KernelDevice() override { ::close(fd_); }
  KernelDevice(const KernelDevice&) = delete;
  KernelDevice& operator=(const KernelDevice&) = delete;

  ModuleInfo info() override {
    kbench_info raw{};
    if (::ioctl(fd_, KBENCH_IOC_INFO, &raw) != 0) {
      const int e = errno;
      if (e == ENOTTY)
        throw Error("the loaded kbench module does not answer KBENCH_IOC_INFO (an older module?)",
                    "unload it (rmmod kbench) so kbench can load the module built from this tree");
      throw Error(std::string("KBENCH_IOC_INFO failed: ") + std::strerror(e));
    }
    return decode_info(raw);
  }

  Catalog catalog() override {
    if (!catalog_.empty()) return catalog_;
    const ModuleInfo m = info();
    for (uint32_t id = 0; id < m.nr_apis; ++id) {
      kbench_api_info raw{};
      raw.id = id;
      if (::ioctl(fd_, KBENCH_IOC_API_INFO, &raw) != 0)
        throw Error("KBENCH_IOC_API_INFO of API " + std::to_string(id) + " failed: " + std::strerror(errno));
      catalog_.apis.push_back(decode_api_info(raw));
    }
    for (uint32_t id = 0; id < m.nr_experiments; ++id) {
      kbench_experiment_info raw{};
      raw.id = id;
      if (::ioctl(fd_, KBENCH_IOC_EXPERIMENT_INFO, &raw) != 0)
        throw Error("KBENCH_IOC_EXPERIMENT_INFO of experiment " + std::to_string(id) +
                    " failed: " + std::strerror(errno));
      catalog_.experiments.push_back(decode_experiment_info(raw));
    }
    return catalog_;
  }

  RunOutcome run(const Job& job, bool validate_only) override {
    const Catalog& cat = catalog();
    const ApiInfo* api = job.reads(KBENCH_FIELD_API) ? cat.api(job.api) : nullptr;
    if (job.reads(KBENCH_FIELD_API) && !api) {
      RunOutcome o;
      o.err = EOPNOTSUPP;
      o.reason = "the loaded kbench module has no API '" + job.api + "' (it was built from another tree)";
      return o;
    }
    const ExperimentInfo* exp = cat.experiment(job.experiment);
    const bool has_samples = exp && !exp->slots.empty();
    kbench_counters counters{};
    kbench_counters* cnt = job.counters && !validate_only ? &counters : nullptr;
    const uint32_t threads = job.reads(KBENCH_FIELD_THREADS) ? job.thread_count(info().nr_cpus) : 1;
    std::vector<kbench_sample> buf(validate_only || !has_samples ? 0 : size_t{job.batches} * threads);
    kbench_run_args a = encode_run_args(job, api ? api->id : 0, validate_only, buf.data(), buf.size(), cnt, threads);
    // Single-operation histograms, one per sample slot, where the experiment times ops one by one.
    std::vector<uint64_t> hist;
    if (exp && (exp->flags & KBENCH_EXPF_HIST) && !validate_only) {
      hist.assign(exp->slots.size() * KBENCH_HIST_BUCKETS, 0);
      a.hist_ptr = reinterpret_cast<uintptr_t>(hist.data());
      a.hist_len = hist.size() * sizeof(uint64_t);
    }
    const int rc = ::ioctl(fd_, KBENCH_IOC_RUN, &a);
    RunOutcome o = decode_run_args(a, rc == 0 ? 0 : errno, buf.empty() ? nullptr : buf.data(), exp);
    if (exp && !hist.empty() && (o.err == 0 || o.err == EINTR)) o.hist = split_hist(hist, exp->slots.size());
    if (cnt && (o.err == 0 || o.err == EINTR)) o.counters = counters;
    return o;
  }

 private:
  int fd_;
  Catalog catalog_;
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
