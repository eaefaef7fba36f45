// SPDX-License-Identifier: GPL-2.0
// environment.h - facts about the machine and kernel a run happens on,
// read inside the target (the host, or the guest), stored with results.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kbench {

// Reads /proc and /sys; a fact that cannot be read is absent, never guessed.
nlohmann::json capture_environment();

// First line of a file without its newline, or "" if unreadable.
std::string read_first_line(const std::string& path);

}  // namespace kbench
