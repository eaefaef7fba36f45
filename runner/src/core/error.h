// SPDX-License-Identifier: GPL-2.0
// error.h - the one exception type of the runner: what went wrong, and a
// hint that tells the user how to fix it. Caught once, in main().
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace kbench {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, std::string hint = {}) : std::runtime_error(what), hint_(std::move(hint)) {}
  const std::string& hint() const { return hint_; }

 private:
  std::string hint_;
};

}  // namespace kbench
