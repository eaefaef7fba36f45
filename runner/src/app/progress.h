// SPDX-License-Identifier: GPL-2.0
// progress.h - progress and ETA on stderr: a bar on a terminal, plain
// lines (every 10% or 30 s) otherwise, so logs stay readable.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/job.h"

namespace kbench {

class Progress {
 public:
  explicit Progress(bool is_tty);
  void update(size_t done, size_t total, const Job& current);
  void finish();

 private:
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_line_;
  size_t last_decile_ = 0;
};

std::string format_duration(double seconds);

}  // namespace kbench
