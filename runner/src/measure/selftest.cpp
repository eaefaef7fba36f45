// SPDX-License-Identifier: GPL-2.0
// selftest.cpp - unprivileged access and malformed requests must fail with
// the documented errno. Privilege drops happen in forked children so the
// agent itself keeps its rights.
#include "measure/selftest.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "core/abi.h"
#include "measure/errno_names.h"

namespace kbench {
namespace {

std::string errno_name(int e) {
  if (e == 0) return "success";
  const char* name = errno_symbol(e);
  return name ? name : std::strerror(e);
}

// Drop every capability but keep uid 0: only the module's own
// CAP_SYS_ADMIN check can then refuse (file mode 0600 still allows root).
bool drop_all_caps() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  return ::syscall(SYS_capset, &hdr, data) == 0;
}

// Runs fn in a child; its exit status carries the errno it observed.
int in_child(const std::function<int()>& fn) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(fn() & 0xff);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

int open_errno(const std::string& dev) {
  const int fd = ::open(dev.c_str(), O_RDWR);
  if (fd >= 0) {
    ::close(fd);
    return 0;
  }
  return errno;
}

int run_ioctl(int fd, kbench_run_args& a, size_t size = sizeof(kbench_run_args)) {
  const unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, KBENCH_IOC_MAGIC, _IOC_NR(KBENCH_IOC_RUN), size);
  return ::ioctl(fd, cmd, &a) == 0 ? 0 : errno;
}

// The module's id of an API, by name (ids are the module's to hand out).
uint32_t api_id(int fd, std::string_view name) {
  kbench_info info{};
  ::ioctl(fd, KBENCH_IOC_INFO, &info);
  for (uint32_t id = 0; id < info.nr_apis; ++id) {
    kbench_api_info ai{};
    ai.id = id;
    if (::ioctl(fd, KBENCH_IOC_API_INFO, &ai) == 0 && name == ai.name) return id;
  }
  return UINT32_MAX;
}

kbench_run_args valid_args(int fd) {
  kbench_run_args a{};
  a.experiment = KBENCH_EXP_ALLOC;
  a.api = api_id(fd, "kmalloc");
  a.gfp = KBENCH_GFP_KERNEL;
  a.pattern = KBENCH_PATTERN_PAIR;
  a.obj_size = 64;
  a.ops_per_batch = 1;
  a.flags = KBENCH_RUN_VALIDATE_ONLY;
  a.sample_size = sizeof(kbench_sample);
  return a;
}

kbench_info read_info(int fd) {
  kbench_info info{};
  ::ioctl(fd, KBENCH_IOC_INFO, &info);
  return info;
}

// A run long enough to be interrupted: a mempool over its own cache, 256
// objects held per batch, as many batches as the ABI allows; on threads
// >= 2 CPUs at once each batch freed by the neighbour CPU (remote-free).
kbench_run_args long_run(int fd, std::vector<kbench_sample>& samples, uint32_t threads = 1) {
  kbench_run_args a = valid_args(fd);
  a.flags = 0;
  a.api = api_id(fd, "mempool_slab");
  a.pattern = threads > 1 ? KBENCH_PATTERN_REMOTE_FREE : KBENCH_PATTERN_BATCH;
  a.obj_size = 4096;
  a.ops_per_batch = 256;
  a.nr_batches = threads > 1 ? KBENCH_MAX_BATCHES / 5 : KBENCH_MAX_BATCHES;
  a.min_nr = 16;
  a.nr_threads = threads;
  samples.resize(size_t{a.nr_batches} * threads);
  a.samples_ptr = reinterpret_cast<uintptr_t>(samples.data());
  a.samples_len = samples.size() * sizeof(kbench_sample);
  return a;
}

void on_usr1(int) {}

// Tasks named like the module's team threads ("kbench/<cpu>") alive now.
size_t module_threads() {
  size_t n = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (comm && std::getline(comm, name) && name.rfind("kbench/", 0) == 0) ++n;
  }
  return n;
}

}  // namespace

nlohmann::json run_device_selftest(const std::string& dev) {
  nlohmann::json checks = nlohmann::json::array();
  auto check = [&](const std::string& name, int expected, int got, const std::string& extra = {}) {
    checks.push_back({{"name", name},
                      {"ok", expected == got},
                      {"expected", errno_name(expected)},
                      {"got", got < 0 ? "child failed" : errno_name(got)},
                      {"detail", extra}});
  };

  check("open without CAP_SYS_ADMIN (uid 0, all capabilities dropped)", EPERM, in_child([&] {
          if (!drop_all_caps()) return 255;
          return open_errno(dev);
        }));
  check("ioctl without CAP_SYS_ADMIN on an fd opened with it", EPERM, in_child([&] {
          const int fd = ::open(dev.c_str(), O_RDWR);
          if (fd < 0 || !drop_all_caps()) return 255;
          kbench_info info{};
          return ::ioctl(fd, KBENCH_IOC_INFO, &info) == 0 ? 0 : errno;
        }));
  check("open as uid 65534 (file mode 0600)", EACCES, in_child([&] {
          if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 255;
          return open_errno(dev);
        }));

  const int fd = ::open(dev.c_str(), O_RDWR);
  if (fd < 0) {
    check("open as root", 0, errno);
    return checks;
  }
  // A request the module must refuse, naming the field it rejects.
  auto check_field = [&](const std::string& name, const std::function<void(kbench_run_args&)>& edit,
                         const std::string& field, int expected = EINVAL) {
    kbench_run_args a = valid_args(fd);
    edit(a);
    const int e = run_ioctl(fd, a);
    check(name, expected, e, std::string("bad_field=") + a.bad_field);
    if (e == expected && std::string(a.bad_field) != field) checks.back()["ok"] = false;
  };
  {
    kbench_run_args a = valid_args(fd);
    check("valid request (validate only)", 0, run_ioctl(fd, a));
  }
  check_field(
      "non-zero padding", [](kbench_run_args& a) { a.pad0 = 1; }, "pad0");
  check_field(
      "unknown api id", [](kbench_run_args& a) { a.api = 1U << 30; }, "api");
  check_field(
      "unknown gfp modifier bit", [](kbench_run_args& a) { a.gfp_mods = 1U << 31; }, "gfp_mods");
  check_field(
      "a field the experiment does not read", [](kbench_run_args& a) { a.mode = 1; }, "mode");
  check_field(
      "an option the API does not take", [](kbench_run_args& a) { a.min_nr = 4; }, "min_nr");
  {
    // mempool_create() kmallocs min_nr pointers: a reserve too large for
    // one kmalloc is refused with the reason, before any pool exists (it
    // was a page-allocator WARN; the fuzzer found it).
    kbench_run_args a = valid_args(fd);
    a.api = api_id(fd, "mempool_kmalloc");
    a.min_nr = 1U << 20;
    const int e = run_ioctl(fd, a);  // before a.reason is read
    check("a mempool reserve too large to index is refused", EOPNOTSUPP, e, a.reason);
  }
  check_field(
      "unknown experiment", [](kbench_run_args& a) { a.experiment = KBENCH_EXP_COUNT; }, "experiment");
  check_field(
      "threads asked of an experiment that runs on one CPU",
      [](kbench_run_args& a) {
        a = kbench_run_args{};
        a.experiment = KBENCH_EXP_STAGES;
        a.obj_size = 65536;
        a.nr_batches = 1;
        a.sample_size = sizeof(kbench_sample);
        a.flags = KBENCH_RUN_VALIDATE_ONLY;
        a.nr_threads = 2;
      },
      "nr_threads");
  check_field(
      "non-zero padding after nr_threads", [](kbench_run_args& a) { a.pad1 = 1; }, "pad1");
  {
    kbench_run_args a = valid_args(fd);
    a.nr_threads = read_info(fd).nr_cpus + 1;
    const int e = run_ioctl(fd, a);  // before a.reason is read
    check("more threads than online CPUs", EOPNOTSUPP, e, a.reason);
  }
  {
    kbench_run_args a = valid_args(fd);
    a.pattern = KBENCH_PATTERN_REMOTE_FREE;
    a.nr_threads = 1;
    const int e = run_ioctl(fd, a);  // before a.reason is read
    check("remote-free on one CPU", EOPNOTSUPP, e, a.reason);
  }
  check_field(
      "raw event without counters", [](kbench_run_args& a) { a.raw_config = 0x3c; }, "raw_config");
  check_field(
      "sample buffer too short",
      [](kbench_run_args& a) {
        a.flags = 0;
        a.nr_batches = 4;
        a.samples_len = 0;
      },
      "samples_len");
  {
    // The stages probe times nothing counters could be read around: it
    // must refuse them rather than return zeros for them.
    kbench_run_args a{};
    kbench_counters counters{};
    a.experiment = KBENCH_EXP_STAGES;
    a.obj_size = 65536;
    a.nr_batches = 1;
    a.sample_size = sizeof(kbench_sample);
    a.flags = KBENCH_RUN_VALIDATE_ONLY | KBENCH_RUN_COUNTERS;
    a.counters_ptr = reinterpret_cast<uintptr_t>(&counters);
    const int e = run_ioctl(fd, a);  // before a.reason is read
    check("counters asked of an experiment that counts nothing", EOPNOTSUPP, e, a.reason);
  }
  {
    kbench_run_args a = valid_args(fd);
    a.api = api_id(fd, "vmalloc");
    a.obj_size = (1ULL << 32) - 4096;  // 4 GiB: over any sane cap
    const int e = run_ioctl(fd, a);
    check("request over the memory cap", EFBIG, e, a.reason);
  }
  // The ABI grows by size: a caller with an older, shorter struct still
  // works; a longer one is accepted only when its unknown tail is zero.
  {
    kbench_sample samples[2]{};
    kbench_run_args a = valid_args(fd);
    a.flags = 0;
    a.nr_batches = 2;
    a.samples_ptr = reinterpret_cast<uintptr_t>(samples);
    a.samples_len = sizeof(samples);
    const int e = run_ioctl(fd, a, KBENCH_RUN_ARGS_SIZE_V0);
    check("a caller with the older, shorter struct (KBENCH_RUN_ARGS_SIZE_V0)", 0, e,
          "batches_done=" + std::to_string(a.batches_done));
    if (e == 0 && (a.batches_done != 2 || samples[1].count[0] != 1)) checks.back()["ok"] = false;
  }
  {
    // Before nr_threads (V2), and with the sample of before begin_ns:
    // samples 160 bytes apart, each filled up to its size only.
    struct Old {
      unsigned char bytes[KBENCH_SAMPLE_SIZE_V0];
    };
    Old samples[3];
    std::memset(samples, 0xa5, sizeof(samples));
    kbench_run_args a = valid_args(fd);
    a.flags = 0;
    a.nr_batches = 2;
    a.sample_size = KBENCH_SAMPLE_SIZE_V0;
    a.samples_ptr = reinterpret_cast<uintptr_t>(samples);
    a.samples_len = 2 * sizeof(Old);
    const int e = run_ioctl(fd, a, KBENCH_RUN_ARGS_SIZE_V2);
    kbench_sample second{};
    std::memcpy(&second, &samples[1], sizeof(Old));
    check("a caller with the struct before nr_threads and the sample before begin_ns", 0, e,
          "batches_done=" + std::to_string(a.batches_done));
    if (e == 0 && (a.batches_done != 2 || second.count[0] != 1 || samples[2].bytes[0] != 0xa5))
      checks.back()["ok"] = false;
  }
  {
    struct {
      kbench_run_args args;
      uint64_t tail[4];
    } longer{};
    longer.args = valid_args(fd);
    check("a longer struct with a zero tail", 0, run_ioctl(fd, longer.args, sizeof(longer)));
    longer.tail[2] = 1;
    check("a longer struct with a non-zero unknown tail", E2BIG, run_ioctl(fd, longer.args, sizeof(longer)));
  }
  {
    // A bad sample buffer is found before the run, not after it.
    kbench_run_args a = valid_args(fd);
    a.flags = 0;
    a.nr_batches = 1000;
    a.ops_per_batch = 64;
    a.samples_ptr = 4096;  // not mapped
    a.samples_len = 1000 * sizeof(kbench_sample);
    const kbench_info before = read_info(fd);
    const int e = run_ioctl(fd, a);
    const kbench_info after = read_info(fd);
    check("an unwritable sample buffer is refused before the run", EFAULT, e,
          "batches_done=" + std::to_string(a.batches_done));
    if (e == EFAULT && (a.batches_done != 0 || after.runs_completed != before.runs_completed))
      checks.back()["ok"] = false;
  }
  {
    const unsigned long bad_cmd = _IOWR(KBENCH_IOC_MAGIC, 0x7f, kbench_run_args);
    kbench_run_args a = valid_args(fd);
    check("unknown ioctl command", ENOTTY, ::ioctl(fd, bad_cmd, &a) == 0 ? 0 : errno);
  }

  // A signal stops a run between batches; the caller gets EINTR and the
  // samples of the batches that finished.
  {
    const int got = in_child([&] {
      struct sigaction sa {};
      sa.sa_handler = on_usr1;  // no SA_RESTART
      ::sigaction(SIGUSR1, &sa, nullptr);
      const pid_t self = ::getpid();
      std::thread([self] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        ::kill(self, SIGUSR1);
      }).detach();
      std::vector<kbench_sample> samples;
      kbench_run_args a = long_run(fd, samples);
      const int e = run_ioctl(fd, a);
      if (e == EINTR && (a.batches_done == 0 || a.batches_done >= a.nr_batches)) return 254;
      return e;
    });
    check("a signal interrupts a run, keeping finished batches", EINTR, got);
  }

  // A runner killed in the middle of a run leaves nothing allocated, and
  // on every CPU at once no thread of the module behind.
  std::vector<uint32_t> teams = {1};
  if (const uint32_t cpus = read_info(fd).nr_cpus; cpus >= 2) teams.push_back(cpus);
  for (const uint32_t threads : teams) {
    const kbench_info before = read_info(fd);
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<kbench_sample> samples;
      kbench_run_args a = long_run(fd, samples, threads);
      ::_exit(run_ioctl(fd, a) & 0xff);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const kbench_info after = read_info(fd);
    const bool clean = after.outstanding_allocs == 0 && after.outstanding_bytes == 0 && after.live_caches == 0 &&
                       after.live_pools == 0;
    const bool killed = WIFSIGNALED(status) && after.runs_interrupted == before.runs_interrupted + 1;
    const size_t left = module_threads();
    checks.push_back({{"name", threads == 1 ? std::string("SIGKILL in the middle of a run frees everything")
                                            : "SIGKILL in the middle of a run on " + std::to_string(threads) +
                                                  " CPUs (remote-free) frees everything and stops every thread"},
                      {"ok", clean && killed && left == 0},
                      {"expected", "killed mid-run, 0 objects/caches/pools outstanding, no kbench/N thread"},
                      {"got", std::string(killed ? "killed mid-run" : "not killed mid-run") + ", " +
                                  std::to_string(after.outstanding_allocs) + " objects, " +
                                  std::to_string(after.live_caches) + " caches, " + std::to_string(after.live_pools) +
                                  " pools outstanding, " + std::to_string(left) + " kbench/N threads"},
                      {"detail", ""}});
  }
  // One batch that would run for minutes (slow operations, no point where
  // the API sleeps): a SIGKILL still ends it within a second, since the
  // module checks for fatal signals between chunks of bounded time.
  {
    const pid_t pid = ::fork();
    if (pid == 0) {
      kbench_sample sample{};
      kbench_run_args a = valid_args(fd);
      a.flags = 0;
      a.api = api_id(fd, "alloc_pages");
      a.gfp = KBENCH_GFP_ATOMIC;
      a.obj_size = 4U << 20;
      a.ops_per_batch = KBENCH_MAX_OPS_PER_BATCH;
      a.nr_batches = 1;
      a.warmup_batches = 0;
      a.samples_ptr = reinterpret_cast<uintptr_t>(&sample);
      a.samples_len = sizeof(sample);
      ::_exit(run_ioctl(fd, a) & 0xff);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto t0 = std::chrono::steady_clock::now();
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const kbench_info after = read_info(fd);
    const bool clean = after.outstanding_allocs == 0 && after.outstanding_bytes == 0;
    const bool prompt = WIFSIGNALED(status) && ms < 1000;
    checks.push_back({{"name", "SIGKILL inside one long batch takes effect within a second"},
                      {"ok", prompt && clean},
                      {"expected", "killed within 1000 ms, 0 objects outstanding"},
                      {"got", std::string(WIFSIGNALED(status) ? "killed" : "exited") + " after " +
                                  std::to_string(static_cast<int>(ms)) + " ms, " +
                                  std::to_string(after.outstanding_allocs) + " objects outstanding"},
                      {"detail", "alloc_pages 4M GFP_ATOMIC, one batch of 65536 pairs"}});
  }
  ::close(fd);
  return checks;
}

}  // namespace kbench
