// SPDX-License-Identifier: GPL-2.0
// target.h - where a plan runs: this machine ("host"), or a Debian kernel
// booted in QEMU ("qemu:6.1", "qemu:6.12"). Either way the target writes
// the record stream to a file as it goes and the runner analyses that.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "measure/plan.h"

namespace kbench {

// Where the runner finds its pieces.
struct Paths {
  std::string source_dir;  // project root: scripts/, kbench-module/
  std::string cache_dir;   // kernels, module builds, busybox
  bool installed = false;  // an installed kbench (make install), not a source tree
  std::string agent;       // the static kbench-agent for guests
};
Paths default_paths();

struct TargetOptions {
  std::string kernel_args;         // extra guest kernel command line
  unsigned mem_cap_mb = 0;         // module parameter; 0 = the module's default
  unsigned stall_timeout_s = 300;  // no new record for this long: give up
  unsigned boot_timeout_s = 120;   // no first record for this long: give up (QEMU)
  // QEMU guest clock: "host" (TCG follows the host's clock) or "icount"
  // (guest time advances 1 ns per guest instruction: repeatable figures,
  // instruction counts rather than times; one vCPU, as 6.1 hangs at two).
  std::string qemu_clock = "host";
  unsigned guest_mem_mb = 2048;  // QEMU guest RAM
  // More parameters of kbench.ko, K=V each (the test hook
  // test_kmalloc_extra_ns: a planted regression).
  std::vector<std::string> module_params;
};

// What kbench.ko is loaded with, one K=V each (modprobe's arguments).
inline std::vector<std::string> module_parameter_list(const TargetOptions& o) {
  std::vector<std::string> v;
  if (o.mem_cap_mb) v.push_back("mem_cap_mb=" + std::to_string(o.mem_cap_mb));
  v.insert(v.end(), o.module_params.begin(), o.module_params.end());
  return v;
}

// The same as insmod and finit_module take them: "mem_cap_mb=64 k=v".
inline std::string module_parameters(const TargetOptions& o) {
  std::string s;
  for (const auto& p : module_parameter_list(o)) s += (s.empty() ? "" : " ") + p;
  return s;
}

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  virtual bool emulated() const = 0;
  // Runs the plan; records go to raw_path as they arrive (kept even if
  // this throws). Returns what was recorded; throws Error only if nothing
  // could be measured at all.
  virtual RawRun execute(const Plan& plan, const std::string& raw_path, const ProgressFn& progress,
                         const std::atomic<bool>* stop) = 0;
  // Facts about how the target ran (command lines, logs), for the context.
  virtual nlohmann::json details() const { return nullptr; }
};

// Whether this machine can run the host target, and if not, why not.
bool host_target_usable(std::string* why_not);

// "host", "qemu:6.1", "qemu:6.12", or "auto" (host if usable, else
// qemu:6.12, said on stderr). Throws Error for an unknown name.
std::unique_ptr<Target> make_target(const std::string& spec, const Paths& paths, const TargetOptions& opts);

std::unique_ptr<Target> make_host_target(const Paths& paths, const TargetOptions& opts);
std::unique_ptr<Target> make_qemu_target(const std::string& series, const Paths& paths, const TargetOptions& opts);

}  // namespace kbench
