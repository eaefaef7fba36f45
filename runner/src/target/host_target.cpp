// SPDX-License-Identifier: GPL-2.0
// host_target.cpp - measure on this machine: build kbench.ko against the
// running kernel's headers, load it, run the plan in-process, unload it.
// This is the product's main use: real hardware, real times.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "device/device.h"
#include "measure/environment.h"
#include "measure/fuzz.h"
#include "measure/selftest.h"
#include "target/process.h"
#include "target/target.h"

namespace kbench {
namespace {

constexpr const char* kDevice = "/dev/kbench";

std::string running_release() {
  utsname u{};
  ::uname(&u);
  return u.release;
}

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

class HostTarget final : public Target {
 public:
  HostTarget(Paths paths, TargetOptions opts) : paths_(std::move(paths)), opts_(std::move(opts)) {}
  ~HostTarget() override { unload(); }
  HostTarget(const HostTarget&) = delete;
  HostTarget& operator=(const HostTarget&) = delete;

  std::string name() const override { return "host"; }
  // A host that is itself a QEMU TCG guest measures emulated time too.
  bool emulated() const override { return detect_platform().label == "EMULATED"; }
  nlohmann::json details() const override { return details_; }

  RawRun execute(const Plan& plan, const std::string& raw_path, const ProgressFn& progress,
                 const std::atomic<bool>* stop) override {
    load();
    auto device = open_kernel_device(kDevice);
    const int fd = ::open(raw_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("cannot create " + raw_path + ": " + std::strerror(errno));
    FdRecordSink sink(fd);
    try {
      execute_plan(plan, *device, sink, capture_environment(), progress, stop);
      if (plan.selftest) sink.write({{"type", "selftest"}, {"checks", run_device_selftest(kDevice)}});
      if (plan.fuzz_calls) sink.write({{"type", "fuzz"}, {"result", fuzz_device(kDevice, plan.fuzz_calls, plan.seed)}});
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    device.reset();
    unload();
    std::ifstream in(raw_path);
    return read_records(in);
  }

 private:
  void load() {
    if (!opts_.module_params.empty()) details_["module_params"] = opts_.module_params;
    if (exists(kDevice)) {
      details_["module"] = "already loaded (left loaded afterwards)";
      if (opts_.mem_cap_mb || !opts_.module_params.empty())
        std::cerr << "kbench: warning: kbench.ko is already loaded, so --mem-cap-mb and --module-param do not "
                     "apply (rmmod kbench first)\n";
      return;
    }
    const std::string release = running_release();
    const std::string kdir = "/lib/modules/" + release + "/build";
    const std::string out = paths_.cache_dir + "/host/" + release;
    std::cerr << "kbench: building kbench.ko for " << release << "\n";
    const CommandResult r = run_command({paths_.source_dir + "/scripts/build-module.sh", kdir, out});
    if (r.exit_code != 0) throw Error("could not build kbench.ko for the running kernel " + release);
    const std::string ko = trim(r.out);
    if (exists(out + "/compiler")) details_["module_compiler"] = trim(read_file(out + "/compiler"));
    const int fd = ::open(ko.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open " + ko + ": " + std::strerror(errno));
    const std::string params = module_parameters(opts_);
    const long rc = ::syscall(SYS_finit_module, fd, params.c_str(), 0);
    const int e = errno;
    ::close(fd);
    if (rc != 0) {
      if (e == EEXIST) return;
      if (e == EINVAL && !params.empty())
        throw Error("kbench.ko refused its parameters \"" + params + "\"",
                    "see dmesg for which one (test_kmalloc_extra_ns is at most 100000)");
      if (e == EPERM || e == EKEYREJECTED)
        throw Error("the kernel refused to load kbench.ko: " + std::string(std::strerror(e)),
                    "Secure Boot lockdown rejects unsigned modules: sign it with a MOK key, or "
                    "disable Secure Boot; also check /proc/sys/kernel/modules_disabled");
      if (e == ENOEXEC)
        throw Error("kbench.ko does not match the running kernel (" + std::string(std::strerror(e)) + ")",
                    "the headers in " + kdir + " must be those of the running kernel");
      throw Error("loading kbench.ko failed: " + std::string(std::strerror(e)), "see dmesg for the kernel's reason");
    }
    loaded_by_us_ = true;
    details_["module"] = ko;
    // udev may take a moment to create the node.
    for (int i = 0; i < 50 && !exists(kDevice); ++i) ::usleep(20000);
  }

  void unload() {
    if (!loaded_by_us_) return;
    if (::syscall(SYS_delete_module, "kbench", O_NONBLOCK) != 0)
      std::cerr << "kbench: warning: could not unload kbench: " << std::strerror(errno) << "\n";
    loaded_by_us_ = false;
  }

  Paths paths_;
  TargetOptions opts_;
  bool loaded_by_us_ = false;
  nlohmann::json details_ = nlohmann::json::object();
};

}  // namespace

bool host_target_usable(std::string* why_not) {
  auto no = [&](const std::string& why) {
    if (why_not) *why_not = why;
    return false;
  };
  if (::geteuid() != 0) return no("not running as root");
  if (!exists("/proc/modules")) return no("this kernel cannot load modules (CONFIG_MODULES is off)");
  if (read_first_line("/proc/sys/kernel/modules_disabled") == "1")
    return no("module loading is disabled (/proc/sys/kernel/modules_disabled = 1)");
  if (exists(kDevice)) return true;
  const std::string kdir = "/lib/modules/" + running_release() + "/build";
  if (!exists(kdir + "/Makefile"))
    return no("no headers for the running kernel at " + kdir + " (apt-get install linux-headers-" + running_release() +
              ")");
  return true;
}

std::unique_ptr<Target> make_host_target(const Paths& paths, const TargetOptions& opts) {
  std::string why;
  if (!host_target_usable(&why))
    throw Error("the host target cannot run here: " + why,
                "run as root on a machine whose kernel loads modules, or use --target qemu:6.12");
  return std::make_unique<HostTarget>(paths, opts);
}

}  // namespace kbench
