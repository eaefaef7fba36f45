// SPDX-License-Identifier: GPL-2.0
// environment.h - facts about the machine and kernel a run happens on,
// read inside the target (the host, or the guest), stored with results.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kbench {

// Reads /proc and /sys; a fact that cannot be read is absent, never guessed.
nlohmann::json capture_environment();

// What the CPU under the measurement is: "bare metal"; "VIRTUALIZED" (a
// hypervisor runs the guest on the real CPU: KVM, Xen, Hyper-V, VMware...;
// times include its exits, the PMU is virtual or absent); or "EMULATED"
// (QEMU's TCG translates every instruction: times are not hardware times).
struct Platform {
  std::string label;       // "bare metal", "VIRTUALIZED" or "EMULATED"
  std::string hypervisor;  // "KVM", "TCG", ... ("" on bare metal)
};

// From CPUID's hypervisor bit (leaf 1, ECX bit 31), the vendor signature of
// leaf 0x40000000 ("KVMKVMKVM", "TCGTCGTCGTCG", ...) and DMI's system vendor
// (a hypervisor that hides the bit still names itself there: "QEMU").
Platform classify_platform(bool hypervisor_bit, const std::string& cpuid_signature, const std::string& dmi_vendor);

// The platform of this machine (x86: CPUID; elsewhere DMI alone).
Platform detect_platform();

// First line of a file without its newline, or "" if unreadable.
std::string read_first_line(const std::string& path);

}  // namespace kbench
