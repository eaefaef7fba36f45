// SPDX-License-Identifier: GPL-2.0
// qemu_monitor.h - asking a stalled guest where its CPU is, through QEMU's
// human monitor on a unix socket, and naming the kernel function there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kbench {

// What `info registers -a` says about one vCPU.
struct GuestCpuState {
  uint64_t rip = 0;
  bool halted = false;  // HLT=1: idle, waiting for an interrupt
};

// Sends one command to the monitor listening on socket_path and returns
// what it printed up to the next prompt ("" if it did not answer within
// timeout_ms).
std::string monitor_command(const std::string& socket_path, const std::string& command, int timeout_ms);

// Parses `info registers -a` output: one state per vCPU, in order.
std::vector<GuestCpuState> parse_registers(const std::string& text);

// The function of the first "RIP: 0010:f+0x1a/0x40" line the kernel
// printed in text (a backtrace), "" if none.
std::string backtrace_function(const std::string& text);

// One sentence on where a stalled guest was, asked through the monitor:
// busy ("its CPU was busy in f+0x1a", from the backtrace the kernel prints
// for sysrq-l) or idle (halted; sysrq-w lists the blocked tasks). Both
// land in the console log. "" when the monitor gave nothing.
std::string describe_stall(const std::string& socket_path, const std::string& console_path);

}  // namespace kbench
