// SPDX-License-Identifier: GPL-2.0
// environment.cpp - environment capture, one small reader per fact.
#include "measure/environment.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace kbench {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  return line;
}

namespace {

// "key : value" lines of /proc/cpuinfo, first CPU only.
std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string k = line.substr(0, colon);
    while (!k.empty() && (k.back() == ' ' || k.back() == '\t')) k.pop_back();
    if (k == key) return colon + 2 <= line.size() ? line.substr(colon + 2) : "";
  }
  return {};
}

bool has_word(const std::string& words, const std::string& word) {
  std::istringstream ss(words);
  std::string w;
  while (ss >> w)
    if (w == word) return true;
  return false;
}

// "[always] madvise never" -> "always"; "none (voluntary) full" -> "voluntary"
std::string bracketed(const std::string& s) {
  const bool square = s.find('[') != std::string::npos;
  const auto a = s.find(square ? '[' : '(');
  const auto b = s.find(square ? ']' : ')');
  if (a == std::string::npos || b == std::string::npos || b < a) return s;
  return s.substr(a + 1, b - a - 1);
}

void put_if(nlohmann::json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

long long meminfo_kb(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string k;
  long long v = 0;
  std::string unit;
  while (in >> k >> v) {
    std::getline(in, unit);
    if (k == key + ":") return v;
  }
  return -1;
}

// Hypervisor signatures of CPUID leaf 0x40000000 (EBX, ECX, EDX), as each
// hypervisor documents them.
struct Signature {
  const char* signature;
  const char* name;
};
constexpr std::array<Signature, 10> kSignatures{{{"KVMKVMKVM", "KVM"},
                                                 {"TCGTCGTCGTCG", "TCG"},
                                                 {"Microsoft Hv", "Hyper-V"},
                                                 {"XenVMMXenVMM", "Xen"},
                                                 {"VMwareVMware", "VMware"},
                                                 {"VBoxVBoxVBox", "VirtualBox"},
                                                 {"ACRNACRNACRN", "ACRN"},
                                                 {"bhyve bhyve ", "bhyve"},
                                                 {" lrpepyh  vr", "Parallels"},
                                                 {"QNXQVMBSQG", "QNX"}}};

}  // namespace

Platform classify_platform(bool hypervisor_bit, const std::string& cpuid_signature, const std::string& dmi_vendor) {
  std::string sig = cpuid_signature;
  while (!sig.empty() && sig.back() == '\0') sig.pop_back();
  for (const auto& s : kSignatures)
    if (sig == s.signature) return {std::string(s.name) == "TCG" ? "EMULATED" : "VIRTUALIZED", s.name};
  // A signature no hypervisor documents is named only if it is printable
  // (an unimplemented leaf returns whatever it returns).
  for (const char ch : sig)
    if (ch < 0x20 || ch > 0x7e) {
      sig.clear();
      break;
    }
  if (hypervisor_bit) return {"VIRTUALIZED", sig.empty() ? (dmi_vendor.empty() ? "unknown" : dmi_vendor) : sig};
  // Hypervisors that hide the CPUID bit still name the machine. (Not
  // "Microsoft Corporation": Surface laptops say that on bare metal, and
  // Hyper-V always sets the bit.)
  for (const char* v : {"QEMU", "Xen", "innotek GmbH", "VMware, Inc.", "Parallels"})
    if (dmi_vendor == v) return {"VIRTUALIZED", dmi_vendor};
  return {"bare metal", ""};
}

Platform detect_platform() {
  bool bit = false;
  std::string signature;
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0;
  unsigned b = 0;
  unsigned c = 0;
  unsigned d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) != 0) bit = ((c >> 31) & 1U) != 0;
  if (bit) {
    __cpuid(0x40000000, a, b, c, d);
    std::array<char, 12> v{};
    std::memcpy(v.data(), &b, 4);
    std::memcpy(v.data() + 4, &c, 4);
    std::memcpy(v.data() + 8, &d, 4);
    signature.assign(v.data(), v.size());
  }
#endif
  // Xen guests name it in sysfs too, on every architecture.
  if (!bit && read_first_line("/sys/hypervisor/type") == "xen") return {"VIRTUALIZED", "Xen"};
  return classify_platform(bit, signature, read_first_line("/sys/class/dmi/id/sys_vendor"));
}

nlohmann::json capture_environment() {
  nlohmann::json env;
  utsname u{};
  if (::uname(&u) == 0) {
    env["kernel_release"] = u.release;
    env["kernel_version"] = u.version;
    env["machine"] = u.machine;
    env["host_name"] = u.nodename;
  }
  put_if(env, "cmdline", read_first_line("/proc/cmdline"));
  put_if(env, "cpu_model", cpuinfo_field("model name"));
  put_if(env, "microcode", cpuinfo_field("microcode"));
  const std::string flags = cpuinfo_field("flags");
  if (!flags.empty()) {
    nlohmann::json f;
    for (const char* w : {"hypervisor", "constant_tsc", "nonstop_tsc", "rdtscp", "pdpe1gb", "pcid", "invpcid"})
      f[w] = has_word(flags, w);
    env["cpu_flags"] = f;
    env["virtualized"] = has_word(flags, "hypervisor");
  }
  env["num_cpus"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  const std::string mhz = cpuinfo_field("cpu MHz");
  if (!mhz.empty()) env["mhz_per_cpu"] = static_cast<long>(std::stod(mhz));
  if (const long long kb = meminfo_kb("MemTotal"); kb >= 0) env["mem_total_kb"] = kb;
  if (const long long kb = meminfo_kb("MemAvailable"); kb >= 0) env["mem_available_kb"] = kb;
  put_if(env, "clocksource", read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource"));
  put_if(env, "thp_enabled", bracketed(read_first_line("/sys/kernel/mm/transparent_hugepage/enabled")));
  put_if(env, "thp_defrag", bracketed(read_first_line("/sys/kernel/mm/transparent_hugepage/defrag")));
  put_if(env, "preempt_dynamic", bracketed(read_first_line("/sys/kernel/debug/sched/preempt")));
  put_if(env, "cpufreq_governor", read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
  put_if(env, "kfence_sample_interval", read_first_line("/sys/module/kfence/parameters/sample_interval"));
  put_if(env, "cgroup", read_first_line("/proc/self/cgroup"));
  put_if(env, "smt_active", read_first_line("/sys/devices/system/cpu/smt/active"));
  put_if(env, "numa_nodes_online", read_first_line("/sys/devices/system/node/online"));
  put_if(env, "cpus_online", read_first_line("/sys/devices/system/cpu/online"));
  // Threads per core: how many CPUs share cpu0's core.
  const std::string siblings = read_first_line("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list");
  if (!siblings.empty()) env["threads_per_core"] = siblings.find_first_of(",-") == std::string::npos ? 1 : 2;
  // Turbo: intel_pstate says no_turbo, acpi-cpufreq says boost.
  if (const std::string nt = read_first_line("/sys/devices/system/cpu/intel_pstate/no_turbo"); !nt.empty())
    env["turbo"] = nt == "0";
  else if (const std::string b = read_first_line("/sys/devices/system/cpu/cpufreq/boost"); !b.empty())
    env["turbo"] = b == "1";
  put_if(env, "scaling_driver", read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver"));
  put_if(env, "mem_profiling", read_first_line("/proc/sys/vm/mem_profiling"));
  put_if(env, "nmi_watchdog", read_first_line("/proc/sys/kernel/nmi_watchdog"));
  put_if(env, "numa_balancing", read_first_line("/proc/sys/kernel/numa_balancing"));
  const Platform p = detect_platform();
  env["platform"] = p.label;
  if (!p.hypervisor.empty()) env["hypervisor"] = p.hypervisor;
  put_if(env, "dmi_sys_vendor", read_first_line("/sys/class/dmi/id/sys_vendor"));
  put_if(env, "dmi_product_name", read_first_line("/sys/class/dmi/id/product_name"));
  // SLUB in force: the slab allocator Debian kernels use; sysfs shows it.
  struct stat st {};
  env["slab_allocator"] = ::stat("/sys/kernel/slab", &st) == 0 ? "slub" : "unknown";
  return env;
}

}  // namespace kbench
