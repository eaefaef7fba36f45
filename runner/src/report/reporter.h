// SPDX-License-Identifier: GPL-2.0
// reporter.h - output formats. A new format is a new Reporter, made by
// make_reporter(); nothing in measurement or statistics knows about it.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "report/results.h"

namespace kbench {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void report(const RunResults& results) = 0;
};

// The console reporter writes to `out`; the JSON one writes DIR/results.json.
// Add a new reporter here and in reporter.cpp.
std::unique_ptr<Reporter> make_console_reporter(std::ostream& out);
std::unique_ptr<Reporter> make_json_reporter(const std::string& out_dir);
// Saves the run in the SQLite history at db_path (store/history.h).
std::unique_ptr<Reporter> make_history_reporter(const std::string& db_path, const RunMeta& meta, double wall_seconds);

// The Google-Benchmark-compatible document (exposed for tests).
nlohmann::json results_to_gbench_json(const RunResults& results);

// "812.0 ns", "12.40 us", "3.10 ms"
std::string format_ns(double ns);

}  // namespace kbench
