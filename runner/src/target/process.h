// SPDX-License-Identifier: GPL-2.0
// process.h - running helper scripts and the emulator.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace kbench {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout; stderr goes to the user's terminal
};

// Runs argv, capturing stdout; stderr passes through so the user sees
// the helper's own messages. Throws Error if it cannot be started.
CommandResult run_command(const std::vector<std::string>& argv);

// Starts argv with stdout and stderr appended to log_path; returns the pid.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log_path);

// Whether an executable of that name is on PATH.
bool have_program(const std::string& name);

// Trims trailing whitespace (script output).
std::string trim(std::string s);

// A whole file (what a helper script left), empty if it cannot be read.
std::string read_file(const std::string& path);

}  // namespace kbench
