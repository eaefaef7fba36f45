// SPDX-License-Identifier: GPL-2.0
// selftest.h - checks of the device's permission and ABI rules, run on the
// target against the real module: each check says what it expected and got.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kbench {

// [{"name":..., "ok":bool, "expected":..., "got":...}, ...]
nlohmann::json run_device_selftest(const std::string& device_path);

}  // namespace kbench
