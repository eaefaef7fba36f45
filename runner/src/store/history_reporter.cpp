// SPDX-License-Identifier: GPL-2.0
// history_reporter.cpp - the SQLite history as one more reporter.
#include <iostream>

#include "report/reporter.h"
#include "store/history.h"

namespace kbench {
namespace {

class HistoryReporter final : public Reporter {
 public:
  HistoryReporter(std::string path, RunMeta meta, double wall_seconds)
      : path_(std::move(path)), meta_(std::move(meta)), wall_(wall_seconds) {}
  void report(const RunResults& r) override {
    History db(path_);
    const int64_t id = db.save(r, meta_, wall_);
    std::cout << "history: run " << id << (r.complete ? "" : " (incomplete)") << " in " << path_ << "\n";
  }

 private:
  std::string path_;
  RunMeta meta_;
  double wall_;
};

}  // namespace

std::unique_ptr<Reporter> make_history_reporter(const std::string& db_path, const RunMeta& meta, double wall_seconds) {
  return std::make_unique<HistoryReporter>(db_path, meta, wall_seconds);
}

}  // namespace kbench
