// SPDX-License-Identifier: GPL-2.0
// fuzz.cpp - see fuzz.h. Every field of every ioctl is drawn from its
// boundary values (0, 1, the limits and one past them, all ones) or at
// random; pointers are null, unmapped, kernel addresses, misaligned or a
// real buffer; the ioctl's size is too small, exact, larger with a zero or
// a non-zero tail. Work is bounded: a request that would be valid is held
// to 64 MiB of allocations and a few batches, so 20,000 calls take seconds.
#include "measure/fuzz.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "core/abi.h"
#include "measure/errno_names.h"

namespace kbench {
namespace {

// What the ABI documents a request may fail with (kbench.h), and what the
// VFS adds (ENOTTY: not our ioctl; EFAULT: a bad pointer).
constexpr std::array kDocumented = {0, EINVAL, EOPNOTSUPP, EFBIG, EBUSY, EINTR, ETIME, E2BIG, EFAULT, ENOTTY, ENOMEM};

struct Fuzzer {
  std::mt19937_64 rng;
  uint8_t* buf;       // a real, writable buffer of kBuf bytes
  uint8_t* unmapped;  // a page that is not mapped
  static constexpr size_t kBuf = 1 << 22;

  uint64_t pick(std::initializer_list<uint64_t> edges) {
    if (rng() % 4 == 0) return rng();  // random, every bit
    return *(edges.begin() + rng() % edges.size());
  }
  uint64_t pointer() {
    switch (rng() % 6) {
      case 0:
        return 0;
      case 1:
        return reinterpret_cast<uintptr_t>(unmapped);
      case 2:
        return 0xffff888000000000ULL + (rng() & 0xffff000);  // the direct map
      case 3:
        return reinterpret_cast<uintptr_t>(buf) + 1;  // misaligned
      case 4:
        return rng();
      default:
        return reinterpret_cast<uintptr_t>(buf);
    }
  }
  // An ioctl size: too small, exact, or longer (tail zero or not).
  size_t ioc_size(size_t exact, bool* dirty_tail) {
    *dirty_tail = false;
    switch (rng() % 10) {
      case 0:
        return rng() % exact;
      case 1:
        return exact + 8 * (1 + rng() % 16);
      case 2:
        *dirty_tail = true;
        return exact + 8 * (1 + rng() % 16);
      case 3:
        return rng() % 4096;
      default:
        return exact;
    }
  }

  uint32_t nr_apis = 1;  // from KBENCH_IOC_INFO

  // The ioctl with its argument, or (one call in 16) a bad pointer in its
  // place, passed as the integer the kernel receives.
  int call(int fd, unsigned long cmd, uint8_t* arg) {
    const uint64_t p = rng() % 16 ? reinterpret_cast<uintptr_t>(arg) : pointer();
    return ::ioctl(fd, cmd, static_cast<unsigned long>(p)) == 0 ? 0 : errno;
  }

  // Each field of a run request, set to a boundary value or at random.
  void mutate(kbench_run_args* a, unsigned field) {
    switch (field) {
      case 0:
        a->experiment = static_cast<uint32_t>(pick({0, 1, 2, 3, KBENCH_EXP_COUNT, UINT32_MAX}));
        break;
      case 1:
        a->api = static_cast<uint32_t>(pick({0, 1, nr_apis - 1, nr_apis, rng() % nr_apis, UINT32_MAX}));
        break;
      case 2:
        a->gfp = static_cast<uint32_t>(pick({0, 1, KBENCH_GFP_COUNT - 1, KBENCH_GFP_COUNT, UINT32_MAX}));
        break;
      case 3:
        a->gfp_mods = static_cast<uint32_t>(
            pick({0, KBENCH_GFPM_ZERO, KBENCH_GFPM_COMP, KBENCH_GFPM_ALL, KBENCH_GFPM_ALL + 1, UINT32_MAX}));
        break;
      case 4:
        a->obj_size = pick({0, 1, 8, 64, 4095, 4096, 65536, 1 << 20, 4 << 20, (4 << 20) + 1, 1ULL << 32, UINT64_MAX});
        break;
      case 5:
        a->pattern = static_cast<uint32_t>(pick({0, 1, 2, KBENCH_PATTERN_COUNT, UINT32_MAX}));
        break;
      case 6:
        a->context = static_cast<uint32_t>(pick({0, 1, 2, KBENCH_CTX_COUNT, UINT32_MAX}));
        break;
      case 7:
        a->ops_per_batch =
            static_cast<uint32_t>(pick({0, 1, 2, 16, 64, KBENCH_MAX_ATOMIC_OPS, KBENCH_MAX_ATOMIC_OPS + 1,
                                        KBENCH_MAX_OPS_PER_BATCH, KBENCH_MAX_OPS_PER_BATCH + 1}));
        break;
      case 8:
        a->nr_batches = static_cast<uint32_t>(pick({0, 1, 2, 4, KBENCH_MAX_BATCHES, KBENCH_MAX_BATCHES + 1}));
        break;
      case 9:
        a->warmup_batches = static_cast<uint32_t>(pick({0, 1, 2, KBENCH_MAX_BATCHES + 1}));
        break;
      case 10:
        a->mode = static_cast<uint32_t>(pick({0, 1, 2, KBENCH_ACCESS_COUNT, UINT32_MAX}));
        break;
      case 11:
        a->flags = static_cast<uint32_t>(
            pick({0, KBENCH_RUN_VALIDATE_ONLY, KBENCH_RUN_COUNTERS, KBENCH_RUN_STEADY, KBENCH_RUN_HWCACHE_ALIGN,
                  KBENCH_RUN_MERGEABLE, KBENCH_RUN_FLAGS_ALL, KBENCH_RUN_FLAGS_ALL + 1, UINT32_MAX}));
        break;
      case 12:
        a->min_nr = static_cast<uint32_t>(pick({0, 1, 16, 1024, 1 << 20, UINT32_MAX}));
        break;
      case 13:
        a->sample_size = static_cast<uint32_t>(pick({0, 8, sizeof(kbench_sample), sizeof(kbench_sample) + 8, 1 << 20}));
        break;
      case 14:
        a->samples_ptr = pointer();
        break;
      case 15:
        a->samples_len = pick({0, 8, kBuf, UINT64_MAX});
        break;
      case 16:
        a->counters_ptr = pointer();
        break;
      case 17:
        a->raw_type = static_cast<uint32_t>(pick({0, 4, UINT32_MAX})), a->raw_config = rng();
        break;
      case 18:
        a->hist_ptr = pointer();
        break;
      case 19:
        a->hist_len = pick({0, KBENCH_HIST_BUCKETS * 8ULL, kBuf, UINT64_MAX});
        break;
      default:
        a->seed = static_cast<uint32_t>(rng());
        break;
    }
  }
  static constexpr unsigned kFields = 21;

  int run_args(int fd) {
    alignas(8) std::array<uint8_t, 4096> mem{};
    auto* a = reinterpret_cast<kbench_run_args*>(mem.data());
    if (rng() % 2) {
      // A valid request with one to three fields mutated: the checks
      // behind the first one are reached too.
      a->api = static_cast<uint32_t>(rng() % nr_apis);
      a->obj_size = pick({64, 4096, 65536, 1 << 20});
      a->ops_per_batch = 16;
      a->nr_batches = 2;
      a->warmup_batches = 1;
      a->sample_size = sizeof(kbench_sample);
      a->samples_ptr = reinterpret_cast<uintptr_t>(buf);
      a->samples_len = kBuf;
      for (uint64_t k = rng() % 4; k > 0; --k) mutate(a, static_cast<unsigned>(rng() % kFields));
    } else {
      for (unsigned f = 0; f < kFields; ++f) mutate(a, f);
      if (rng() % 2) a->counters_ptr = 0;
      if (rng() % 2) a->hist_ptr = 0;
    }
    if (rng() % 8 == 0) a->pad0 = static_cast<uint32_t>(rng() | 1);      // reserved, not zero
    if (rng() % 8 == 0) a->batches_done = static_cast<uint32_t>(rng());  // out fields set on the way in
    // Bounded work: what might be valid stays small (the limits above are
    // still tried, where something else makes the request invalid).
    const bool in_limits = a->ops_per_batch <= KBENCH_MAX_OPS_PER_BATCH && a->nr_batches <= KBENCH_MAX_BATCHES &&
                           a->warmup_batches <= KBENCH_MAX_BATCHES;
    if (in_limits) {
      a->nr_batches %= 5;
      a->warmup_batches %= 2;
      const uint64_t per = a->obj_size ? std::min<uint64_t>(a->obj_size, 4 << 20) : 1;
      a->ops_per_batch = static_cast<uint32_t>(std::min<uint64_t>(a->ops_per_batch, (64ULL << 20) / per));
      // Steady state sizes its own batches (vmalloc: 8192 ops and more).
      if (a->flags & KBENCH_RUN_STEADY) {
        a->nr_batches = std::min(a->nr_batches, 1U);
        a->warmup_batches = 0;
      }
    }
    bool dirty = false;
    const size_t size = ioc_size(sizeof(kbench_run_args), &dirty);
    if (dirty) mem[sizeof(kbench_run_args) + rng() % (size - sizeof(kbench_run_args))] = 1;
    const unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, KBENCH_IOC_MAGIC, _IOC_NR(KBENCH_IOC_RUN), size);
    return call(fd, cmd, mem.data());
  }

  int info_call(int fd) {
    alignas(8) std::array<uint8_t, 4096> mem{};
    const unsigned nr = static_cast<unsigned>(pick({0x10, 0x11, 0x12, 0x14, 0x00, 0xff}));
    const size_t exact = nr == 0x11   ? sizeof(kbench_api_info)
                         : nr == 0x12 ? sizeof(kbench_experiment_info)
                                      : sizeof(kbench_info);
    auto* id = reinterpret_cast<uint32_t*>(mem.data());
    *id = static_cast<uint32_t>(pick({0, 1, 5, 20, 64, 255, UINT32_MAX}));
    bool dirty = false;
    const size_t size = ioc_size(exact, &dirty);
    if (dirty) mem[exact + rng() % (size - exact)] = 1;
    const unsigned dir = static_cast<unsigned>(pick({_IOC_READ, _IOC_READ | _IOC_WRITE, _IOC_WRITE, _IOC_NONE}));
    const unsigned magic = rng() % 8 ? KBENCH_IOC_MAGIC : static_cast<unsigned>(rng() & 0xff);
    const unsigned long cmd = _IOC(dir, magic, nr, size & _IOC_SIZEMASK);
    return call(fd, cmd, mem.data());
  }
};

// One process's share: counts by errno, written to `out` as "errno count" lines.
std::map<int, uint64_t> fuzz_in_process(const std::string& dev, uint64_t calls, uint64_t seed) {
  std::map<int, uint64_t> counts;
  const int fd = ::open(dev.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    counts[-errno] = 1;
    return counts;
  }
  Fuzzer f{std::mt19937_64(seed), nullptr, nullptr};
  void* b = ::mmap(nullptr, Fuzzer::kBuf + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED) {
    ::close(fd);
    counts[-ENOMEM] = 1;
    return counts;
  }
  kbench_info info{};
  if (::ioctl(fd, KBENCH_IOC_INFO, &info) == 0 && info.nr_apis) f.nr_apis = info.nr_apis;
  f.buf = static_cast<uint8_t*>(b);
  f.unmapped = f.buf + Fuzzer::kBuf;
  ::munmap(f.unmapped, 4096);
  for (uint64_t i = 0; i < calls; ++i) ++counts[f.rng() % 4 ? f.run_args(fd) : f.info_call(fd)];
  ::munmap(f.buf, Fuzzer::kBuf);
  ::close(fd);
  return counts;
}

}  // namespace

nlohmann::json fuzz_device(const std::string& device_path, uint64_t calls, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  int pipefd[2];
  if (::pipe(pipefd) != 0) return {{"error", std::string("pipe: ") + std::strerror(errno)}};
  // A second process fuzzes at the same time: requests meet -EBUSY and
  // each other's objects.
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipefd[0]);
    const auto counts = fuzz_in_process(device_path, calls / 2, seed ^ 0x9e3779b97f4a7c15ULL);
    for (const auto& [e, n] : counts) {
      const int64_t rec[2] = {e, static_cast<int64_t>(n)};
      if (::write(pipefd[1], rec, sizeof rec) != sizeof rec) ::_exit(1);
    }
    ::_exit(0);
  }
  ::close(pipefd[1]);
  auto counts = fuzz_in_process(device_path, calls - (child > 0 ? calls / 2 : 0), seed);
  if (child > 0) {
    int64_t rec[2];
    while (::read(pipefd[0], rec, sizeof rec) == sizeof rec) counts[static_cast<int>(rec[0])] += rec[1];
    ::waitpid(child, nullptr, 0);
  }
  ::close(pipefd[0]);

  nlohmann::json by = nlohmann::json::object();
  nlohmann::json undocumented = nlohmann::json::array();
  uint64_t total = 0;
  for (const auto& [e, n] : counts) {
    total += n;
    const char* name = e == 0 ? "0" : e > 0 ? errno_symbol(e) : nullptr;
    const std::string key = name ? name : (e < 0 ? "open failed: " : "errno ") + std::to_string(e < 0 ? -e : e);
    by[key] = n;
    if (std::find(kDocumented.begin(), kDocumented.end(), e) == kDocumented.end()) undocumented.push_back(key);
  }
  nlohmann::json after = nullptr;
  if (const int fd = ::open(device_path.c_str(), O_RDWR | O_CLOEXEC); fd >= 0) {
    kbench_info info{};
    if (::ioctl(fd, KBENCH_IOC_INFO, &info) == 0)
      after = {{"outstanding_allocs", info.outstanding_allocs},
               {"outstanding_bytes", info.outstanding_bytes},
               {"live_caches", info.live_caches},
               {"live_pools", info.live_pools}};
    ::close(fd);
  }
  return {{"calls", total}, {"processes", child > 0 ? 2 : 1},
          {"seed", seed},   {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()},
          {"by_errno", by}, {"undocumented", undocumented},
          {"after", after}};
}

}  // namespace kbench
