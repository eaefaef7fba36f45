// SPDX-License-Identifier: GPL-2.0
// qemu_monitor_test.cpp - reading QEMU's `info registers` and the kernel's
// backtrace. The end-to-end test (test_cli.py) stalls a real guest and
// checks the sentence; these pin the parsing.
#include "target/qemu_monitor.h"

#include <gtest/gtest.h>

namespace kbench {
namespace {

// The shape QEMU 7.2 prints for `info registers -a` (two lines per vCPU
// of many): CPU 0 idle, CPU 1 busy in the kernel.
constexpr const char* kTwoCpus =
    "\r\nCPU#0\r\n"
    "RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000001 RDX=0000000000000000\r\n"
    "RIP=ffffffff8f0a1b2e RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\r\n"
    "\r\nCPU#1\r\n"
    "RAX=0000000000000001 RBX=ffff888003a4c000 RCX=0000000000000000 RDX=0000000000000000\r\n"
    "RIP=ffffffffa2a3b4c5 RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0\r\n";

TEST(QemuMonitor, RegistersGiveEachCpusInstructionPointerAndWhetherItIsHalted) {
  const auto cpus = parse_registers(kTwoCpus);
  ASSERT_EQ(cpus.size(), 2U);
  EXPECT_TRUE(cpus[0].halted);
  EXPECT_EQ(cpus[0].rip, 0xffffffff8f0a1b2eULL);
  EXPECT_FALSE(cpus[1].halted);
  EXPECT_EQ(cpus[1].rip, 0xffffffffa2a3b4c5ULL);
  EXPECT_TRUE(parse_registers("(qemu) unknown command").empty());
}

TEST(QemuMonitor, TheFunctionIsReadFromTheKernelsBacktrace) {
  // As 6.12 prints it for sysrq-l (nmi_cpu_backtrace), after other lines.
  const std::string console =
      "[  301.201010] sysrq: Show backtrace of all active CPUs\n"
      "[  301.201544] NMI backtrace for cpu 0\n"
      "[  301.202005] CPU: 0 PID: 97 Comm: kbench-agent Tainted: G           OE      6.12.117+deb12-cloud-amd64\n"
      "[  301.202990] RIP: 0010:clear_page_erms+0x7/0x10\n"
      "[  301.203400] RIP: 0010:other+0x1/0x2\n";
  EXPECT_EQ(backtrace_function(console), "clear_page_erms+0x7");
  EXPECT_EQ(backtrace_function("[    1.0] RIP: 0033:0x7f00\n"), "") << "a user-space RIP names no kernel function";
}

TEST(QemuMonitor, NoMonitorMeansNoSentence) {
  EXPECT_EQ(monitor_command("/nonexistent/monitor.sock", "info registers", 100), "");
  EXPECT_EQ(describe_stall("/nonexistent/monitor.sock", "/nonexistent/console.log"), "");
}

}  // namespace
}  // namespace kbench
