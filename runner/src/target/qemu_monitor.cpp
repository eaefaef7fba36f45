// SPDX-License-Identifier: GPL-2.0
// qemu_monitor.cpp - see qemu_monitor.h.
#include "target/qemu_monitor.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace kbench {
namespace {

using Clock = std::chrono::steady_clock;

// Reads from fd until `until` appears after `from` in out, or the deadline.
bool read_until(int fd, std::string& out, size_t from, const char* until, Clock::time_point deadline) {
  char buf[4096];
  while (out.find(until, from) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    out.append(buf, static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string monitor_command(const std::string& socket_path, const std::string& command, int timeout_ms) {
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path) return {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  std::string out;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  constexpr const char* kPrompt = "(qemu) ";
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      read_until(fd, out, 0, kPrompt, deadline)) {
    const size_t start = out.size();
    const std::string line = command + "\n";
    if (::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
        read_until(fd, out, start, kPrompt, deadline)) {
      ::close(fd);
      std::string reply = out.substr(start, out.rfind(kPrompt) - start);
      // The monitor echoes the command line (with terminal escapes) first.
      const size_t eol = reply.find('\n');
      return eol == std::string::npos ? std::string() : reply.substr(eol + 1);
    }
  }
  ::close(fd);
  return {};
}

std::vector<GuestCpuState> parse_registers(const std::string& text) {
  // Each vCPU's block has one "RIP=... HLT=n" line.
  static const std::regex line(R"(RIP=([0-9a-fA-F]{16})[^\n]*\bHLT=([01]))");
  std::vector<GuestCpuState> cpus;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it)
    cpus.push_back({std::stoull((*it)[1].str(), nullptr, 16), (*it)[2].str() == "1"});
  return cpus;
}

std::string backtrace_function(const std::string& text) {
  static const std::regex rip(R"(RIP: 0010:([A-Za-z_][\w.]*\+0x[0-9a-f]+)/0x[0-9a-f]+)");
  std::smatch m;
  return std::regex_search(text, m, rip) ? m[1].str() : std::string();
}

std::string describe_stall(const std::string& socket_path, const std::string& console_path) {
  const auto cpus = parse_registers(monitor_command(socket_path, "info registers -a", 3000));
  if (cpus.empty()) return {};
  // The benchmark's CPU, if any is busy; else all are idle.
  const auto busy = std::find_if(cpus.begin(), cpus.end(), [](const GuestCpuState& c) { return !c.halted; });
  const GuestCpuState* cpu = busy == cpus.end() ? &cpus.front() : &*busy;
  auto console_size = [&] {
    std::ifstream in(console_path, std::ios::ate | std::ios::binary);
    return in ? static_cast<size_t>(in.tellg()) : size_t{0};
  };
  const size_t before = console_size();
  // The guest's init enabled every sysrq function; the kernel prints the
  // answer on the console, symbolised by its own kallsyms.
  // Console loglevel 8 first (sysrq-8): the guest boots with loglevel=4,
  // which would keep the backtrace off the console.
  monitor_command(socket_path, "sendkey alt-sysrq-8", 3000);
  monitor_command(socket_path, cpu->halted ? "sendkey alt-sysrq-w" : "sendkey alt-sysrq-l", 3000);
  std::string fn;
  for (int i = 0; i < 50 && fn.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (cpu->halted || console_size() == before) continue;
    std::ifstream in(console_path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(before));
    std::stringstream tail;
    tail << in.rdbuf();
    fn = backtrace_function(tail.str());
  }
  if (cpu->halted)
    return "its CPU was idle (halted): every task in the guest was waiting (sysrq-w listed the blocked ones in the "
           "console log)";
  char rip[32];
  std::snprintf(rip, sizeof rip, "0x%016llx", static_cast<unsigned long long>(cpu->rip));
  return "its CPU was busy " +
         (fn.empty() ? std::string("at ") + rip : "in " + fn + " (sysrq-l's backtrace is in the console log)");
}

}  // namespace kbench
