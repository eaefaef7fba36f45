// SPDX-License-Identifier: GPL-2.0
// progress.cpp - the ETA is elapsed time scaled by the fraction done:
// crude but honest, and it settles as the run goes.
#include "app/progress.h"

#include <cstdio>

namespace kbench {

std::string format_duration(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof(buf), "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof(buf), "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else
    std::snprintf(buf, sizeof(buf), "%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) / 60 % 60);
  return buf;
}

Progress::Progress(bool is_tty) : tty_(is_tty), start_(std::chrono::steady_clock::now()), last_line_(start_) {}

void Progress::update(size_t done, size_t total, const Job& current) {
  if (total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = static_cast<double>(done) / static_cast<double>(total);
  const std::string eta = done ? format_duration(elapsed / frac - elapsed) : "?";
  if (tty_) {
    constexpr int kWidth = 24;
    const int fill = static_cast<int>(frac * kWidth);
    std::fprintf(stderr, "\r\033[K[%.*s%*s] %zu/%zu ETA %s  %s", fill, "########################", kWidth - fill, "",
                 done, total, eta.c_str(), current.key().c_str());
    std::fflush(stderr);
    drawn_ = true;
    return;
  }
  const size_t decile = done * 10 / total;
  if (decile > last_decile_ || std::chrono::duration<double>(now - last_line_).count() > 30 || done == total) {
    if (done == total && last_decile_ == 10) return;
    std::fprintf(stderr, "kbench: %zu/%zu configurations (%zu%%), elapsed %s, ETA %s\n", done, total,
                 done * 100 / total, format_duration(elapsed).c_str(), eta.c_str());
    last_decile_ = decile;
    last_line_ = now;
  }
}

void Progress::finish() {
  if (tty_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace kbench
