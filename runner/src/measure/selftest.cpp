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
#include <functional>
#include <thread>
#include <vector>

#include "core/abi.h"

namespace kbench {
namespace {

std::string errno_name(int e) {
  switch (e) {
    case 0:
      return "success";
    case EPERM:
      return "EPERM";
    case EACCES:
      return "EACCES";
    case EINVAL:
      return "EINVAL";
    case EPROTO:
      return "EPROTO";
    case ENOTTY:
      return "ENOTTY";
    case EFBIG:
      return "EFBIG";
    case E2BIG:
      return "E2BIG";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    case EINTR:
      return "EINTR";
    default:
      return std::strerror(e);
  }
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

int run_ioctl(int fd, kbench_run_args& a) { return ::ioctl(fd, KBENCH_IOC_RUN, &a) == 0 ? 0 : errno; }

kbench_run_args valid_args() {
  kbench_run_args a{};
  a.size = sizeof(a);
  a.abi_version = KBENCH_ABI_VERSION;
  a.api = KBENCH_API_KMALLOC;
  a.gfp = KBENCH_GFP_KERNEL;
  a.pattern = KBENCH_PATTERN_PAIR;
  a.obj_size = 64;
  a.ops_per_batch = 1;
  a.flags = KBENCH_RUN_VALIDATE_ONLY;
  return a;
}

kbench_info read_info(int fd) {
  kbench_info info{};
  info.size = sizeof(info);
  info.abi_version = KBENCH_ABI_VERSION;
  ::ioctl(fd, KBENCH_IOC_INFO, &info);
  return info;
}

// A run long enough to be interrupted: a mempool over its own cache, 256
// objects held per batch, as many batches as the ABI allows.
kbench_run_args long_run(std::vector<kbench_sample>& samples) {
  kbench_run_args a = valid_args();
  a.flags = 0;
  a.api = KBENCH_API_MEMPOOL_SLAB;
  a.pattern = KBENCH_PATTERN_BATCH;
  a.obj_size = 4096;
  a.ops_per_batch = 256;
  a.nr_batches = KBENCH_MAX_BATCHES;
  a.mempool_min_nr = 16;
  samples.resize(a.nr_batches);
  a.samples_ptr = reinterpret_cast<uintptr_t>(samples.data());
  a.samples_len = samples.size() * sizeof(kbench_sample);
  return a;
}

void on_usr1(int) {}

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
          info.size = sizeof(info);
          info.abi_version = KBENCH_ABI_VERSION;
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
  {
    kbench_run_args a = valid_args();
    check("valid request (validate only)", 0, run_ioctl(fd, a));
  }
  {
    kbench_run_args a = valid_args();
    a.reserved[3] = 1;
    const int e = run_ioctl(fd, a);
    check("non-zero reserved space", EINVAL, e, std::string("bad_field=") + a.bad_field);
    if (e == EINVAL && std::string(a.bad_field) != "reserved") checks.back()["ok"] = false;
  }
  {
    kbench_run_args a = valid_args();
    a.api = KBENCH_API_COUNT;
    const int e = run_ioctl(fd, a);
    check("unknown api id", EINVAL, e, std::string("bad_field=") + a.bad_field);
    if (e == EINVAL && std::string(a.bad_field) != "api") checks.back()["ok"] = false;
  }
  {
    kbench_run_args a = valid_args();
    a.gfp_mods = 1U << 31;
    const int e = run_ioctl(fd, a);
    check("unknown gfp modifier bit", EINVAL, e, std::string("bad_field=") + a.bad_field);
    if (e == EINVAL && std::string(a.bad_field) != "gfp_mods") checks.back()["ok"] = false;
  }
  {
    kbench_run_args a = valid_args();
    a.abi_version = KBENCH_ABI_VERSION + 1;
    check("other ABI version", EPROTO, run_ioctl(fd, a));
  }
  {
    kbench_run_args a = valid_args();
    a.api = KBENCH_API_VMALLOC;
    a.obj_size = 1ULL << 31;  // 2 GiB: over any sane cap
    const int e = run_ioctl(fd, a);
    check("request over the memory cap", EFBIG, e, a.reason);
  }
  {
    kbench_run_args a = valid_args();
    a.flags = 0;
    a.nr_batches = 4;
    a.samples_len = 0;  // too short for 4 samples
    const int e = run_ioctl(fd, a);
    check("sample buffer too short", EINVAL, e, std::string("bad_field=") + a.bad_field);
  }
  {
    kbench_run_args a = valid_args();
    a.raw_config = 0x3c;  // a raw event needs KBENCH_RUN_COUNTERS
    const int e = run_ioctl(fd, a);
    check("raw event without counters", EINVAL, e, std::string("bad_field=") + a.bad_field);
    if (e == EINVAL && std::string(a.bad_field) != "raw_config") checks.back()["ok"] = false;
  }
  {
    const unsigned long bad_cmd = _IOWR(KBENCH_IOC_MAGIC, 0x7f, kbench_run_args);
    kbench_run_args a = valid_args();
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
      kbench_run_args a = long_run(samples);
      const int e = run_ioctl(fd, a);
      if (e == EINTR && (a.batches_done == 0 || a.batches_done >= a.nr_batches)) return 254;
      return e;
    });
    check("a signal interrupts a run, keeping finished batches", EINTR, got);
  }

  // A runner killed in the middle of a run leaves nothing allocated.
  {
    const kbench_info before = read_info(fd);
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<kbench_sample> samples;
      kbench_run_args a = long_run(samples);
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
    checks.push_back(
        {{"name", "SIGKILL in the middle of a run frees everything"},
         {"ok", clean && killed},
         {"expected", "killed mid-run, 0 objects/caches/pools outstanding"},
         {"got", std::string(killed ? "killed mid-run" : "not killed mid-run") + ", " +
                     std::to_string(after.outstanding_allocs) + " objects, " + std::to_string(after.live_caches) +
                     " caches, " + std::to_string(after.live_pools) + " pools outstanding"},
         {"detail", ""}});
  }
  ::close(fd);
  return checks;
}

}  // namespace kbench
