// SPDX-License-Identifier: GPL-2.0
// history_reporter.cpp - the SQLite history as one more reporter.
#include <iostream>

#include "report/reporter.h"
#include "store/history.h"

namespace kbench {
namespace {

class HistoryReporter final : public Reporter {
 public:
  explicit HistoryReporter(ReporterOptions o) : o_(std::move(o)) {}
  void report(const RunResults& r) override {
    const std::string path = o_.db_path.empty() ? History::default_path() : o_.db_path;
    History db(path);
    const int64_t id = db.save(r, o_.meta, o_.wall_seconds);
    (o_.out ? *o_.out : std::cout) << "history: run " << id << (r.complete ? "" : " (incomplete)") << " in " << path
                                   << "\n";
  }

 private:
  ReporterOptions o_;
};

}  // namespace

std::unique_ptr<Reporter> make_history_reporter(const ReporterOptions& o) {
  return std::make_unique<HistoryReporter>(o);
}

}  // namespace kbench
