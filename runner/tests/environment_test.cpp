// SPDX-License-Identifier: GPL-2.0
// environment_test.cpp - what a machine is labelled: bare metal,
// VIRTUALIZED or EMULATED, from CPUID and DMI facts.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "measure/environment.h"

namespace kbench {
namespace {

TEST(Platform, QemuTcgIsEmulated) {
  // QEMU's TCG signs leaf 0x40000000 "TCGTCGTCGTCG" and DMI says QEMU.
  const Platform p = classify_platform(true, "TCGTCGTCGTCG", "QEMU");
  EXPECT_EQ(p.label, "EMULATED");
  EXPECT_EQ(p.hypervisor, "TCG");
}

TEST(Platform, KvmAndOtherHypervisorsAreVirtualized) {
  // KVM pads its signature with NULs.
  const Platform kvm = classify_platform(true, std::string("KVMKVMKVM\0\0\0", 12), "QEMU");
  EXPECT_EQ(kvm.label, "VIRTUALIZED");
  EXPECT_EQ(kvm.hypervisor, "KVM");
  EXPECT_EQ(classify_platform(true, "Microsoft Hv", "Microsoft Corporation").hypervisor, "Hyper-V");
  EXPECT_EQ(classify_platform(true, "XenVMMXenVMM", "Xen").hypervisor, "Xen");
  EXPECT_EQ(classify_platform(true, "VMwareVMware", "VMware, Inc.").label, "VIRTUALIZED");
}

TEST(Platform, AnUnknownHypervisorIsStillVirtualized) {
  const Platform p = classify_platform(true, "", "Some Cloud");
  EXPECT_EQ(p.label, "VIRTUALIZED");
  EXPECT_EQ(p.hypervisor, "Some Cloud");
  EXPECT_EQ(classify_platform(true, "", "").hypervisor, "unknown");
}

TEST(Platform, AHiddenHypervisorBitIsCaughtByDmi) {
  EXPECT_EQ(classify_platform(false, "", "QEMU").label, "VIRTUALIZED");
}

TEST(Platform, AnUnprintableSignatureIsNotANameButStillAVm) {
  const std::string junk{'\x01', '\xff', '\x80', 'a', 'b', 'c'};
  const Platform p = classify_platform(true, junk, "");
  EXPECT_EQ(p.label, "VIRTUALIZED");
  EXPECT_EQ(p.hypervisor, "unknown");
}

TEST(Platform, ASurfaceLaptopIsBareMetal) {
  // Microsoft's DMI vendor on its own hardware; Hyper-V sets the CPUID bit.
  EXPECT_EQ(classify_platform(false, "", "Microsoft Corporation").label, "bare metal");
}

TEST(Platform, NoHypervisorIsBareMetal) {
  const Platform p = classify_platform(false, "", "Dell Inc.");
  EXPECT_EQ(p.label, "bare metal");
  EXPECT_EQ(p.hypervisor, "");
}

TEST(Platform, ThisMachineAgreesWithTheKernelsHypervisorFlag) {
  // The kernel's own reading of CPUID (the "hypervisor" flag in
  // /proc/cpuinfo) against kbench's: a VM is never called bare metal.
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  bool flag = false;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) {
      flag = (line + " ").find(" hypervisor ") != std::string::npos;
      break;
    }
  const Platform p = detect_platform();
  if (flag) {
    EXPECT_NE(p.label, "bare metal");
    EXPECT_FALSE(p.hypervisor.empty());
  } else {
    EXPECT_NE(p.hypervisor, "KVM");  // a KVM guest sets the flag
  }
}

}  // namespace
}  // namespace kbench
