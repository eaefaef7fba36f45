// SPDX-License-Identifier: GPL-2.0
// host_target.cpp - measure on this machine: load kbench.ko (the one DKMS
// installed for the running kernel when kbench itself is installed, else
// one built against the running kernel's headers, signed where the kernel
// demands it), run the plan in-process, unload it. This is the product's
// main use: real hardware, real times.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <vector>

#include "core/error.h"
#include "device/device.h"
#include "measure/environment.h"
#include "measure/fuzz.h"
#include "measure/selftest.h"
#include "target/module_signing.h"
#include "target/process.h"
#include "target/target.h"

namespace kbench {
namespace {

constexpr const char* kDevice = "/dev/kbench";
// The key pair DKMS (>= 3) makes and signs its modules with.
constexpr const char* kDkmsKey = "/var/lib/dkms/mok.key";
constexpr const char* kDkmsCert = "/var/lib/dkms/mok.pub";

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
    const ModuleSigning signing = read_module_signing();
    details_["lockdown"] = signing.lockdown;
    details_["secure_boot"] = signing.secure_boot;
    details_["module_sig_enforce"] = signing.sig_enforce;
    if (paths_.installed && load_installed(release, signing)) return;
    const std::string kdir = "/lib/modules/" + release + "/build";
    const std::string out = paths_.cache_dir + "/host/" + release;
    std::cerr << "kbench: building kbench.ko for " << release << "\n";
    const CommandResult r = run_command({paths_.source_dir + "/scripts/build-module.sh", kdir, out});
    if (r.exit_code != 0) throw Error("could not build kbench.ko for the running kernel " + release);
    std::string ko = trim(r.out);
    if (exists(out + "/compiler")) details_["module_compiler"] = trim(read_file(out + "/compiler"));
    if (signing.requires_signature() && !module_is_signed(ko)) ko = sign(ko, kdir, out, signing);
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
      if (e == EKEYREJECTED || (e == EPERM && signing.requires_signature()))
        throw Error("the kernel refused kbench.ko's signature (" + signing.why() + "): " + std::strerror(e),
                    std::string("the key that signed it is not enrolled: mokutil --import ") + kDkmsCert +
                        ", reboot and confirm the key in MokManager (or disable Secure Boot)");
      if (e == EPERM)
        throw Error("the kernel refused to load kbench.ko: " + std::string(std::strerror(e)),
                    "check /proc/sys/kernel/modules_disabled and dmesg");
      if (e == ENOEXEC)
        throw Error("kbench.ko does not match the running kernel (" + std::string(std::strerror(e)) + ")",
                    "the headers in " + kdir + " must be those of the running kernel");
      throw Error("loading kbench.ko failed: " + std::string(std::strerror(e)), "see dmesg for the kernel's reason");
    }
    loaded_by_us_ = true;
    details_["module"] = ko;
    wait_for_device();
  }

  // An installed kbench uses the module DKMS built for this kernel (it is
  // rebuilt on kernel upgrades and signed with DKMS's key); false if there
  // is none.
  bool load_installed(const std::string& release, const ModuleSigning& signing) {
    std::string ko;
    for (const char* ext : {"", ".xz", ".zst", ".gz"}) {
      const std::string p = "/lib/modules/" + release + "/updates/dkms/kbench.ko" + ext;
      if (exists(p)) ko = p;
    }
    if (ko.empty()) return false;
    std::vector<std::string> argv = {"modprobe", "kbench"};
    for (const auto& p : module_parameter_list(opts_)) argv.push_back(p);
    if (run_command(argv).exit_code != 0)
      throw Error("modprobe kbench failed for the DKMS module " + ko,
                  signing.requires_signature()
                      ? "this kernel loads only signed modules (" + signing.why() +
                            "): enroll DKMS's key once (mokutil --import " + kDkmsCert +
                            ", reboot, confirm in MokManager)"
                      : "see dmesg; `dkms status kbench` shows whether it was built for " + release);
    loaded_by_us_ = true;
    details_["module"] = ko;
    details_["module_source"] = "dkms";
    wait_for_device();
    return true;
  }

  // Signs a copy of the module with DKMS's key, the one a Secure Boot
  // machine with DKMS has enrolled; refuses with the commands otherwise.
  std::string sign(const std::string& ko, const std::string& kdir, const std::string& out,
                   const ModuleSigning& signing) {
    const std::string tool = kdir + "/scripts/sign-file";
    const std::string how = "sign it with a key the kernel trusts: " + tool + " sha256 KEY CERT " + ko +
                            "; or install kbench with DKMS (make install), which signs with " + kDkmsCert +
                            " (enroll it once: mokutil --import " + kDkmsCert + ", reboot, confirm in MokManager)";
    if (!exists(tool) || !exists(kDkmsKey) || !exists(kDkmsCert))
      throw Error("this kernel loads only signed modules (" + signing.why() + ") and kbench.ko is not signed", how);
    std::string signed_ko = out + "/kbench-signed.ko";
    if (run_command({tool, "sha256", kDkmsKey, kDkmsCert, ko, signed_ko}).exit_code != 0)
      throw Error("signing kbench.ko with " + std::string(kDkmsKey) + " failed", how);
    std::cerr << "kbench: signed kbench.ko with DKMS's key " << kDkmsCert << " (" << signing.why() << ")\n";
    details_["module_signed_with"] = kDkmsCert;
    return signed_ko;
  }

  // udev may take a moment to create the node.
  static void wait_for_device() {
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
