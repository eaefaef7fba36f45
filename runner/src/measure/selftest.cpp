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

#include <cerrno>
#include <cstring>
#include <functional>

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
    const unsigned long bad_cmd = _IOWR(KBENCH_IOC_MAGIC, 0x7f, kbench_run_args);
    kbench_run_args a = valid_args();
    check("unknown ioctl command", ENOTTY, ::ioctl(fd, bad_cmd, &a) == 0 ? 0 : errno);
  }
  ::close(fd);
  return checks;
}

}  // namespace kbench
