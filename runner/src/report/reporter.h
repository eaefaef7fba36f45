// SPDX-License-Identifier: GPL-2.0
// reporter.h - output formats. A new format is a new Reporter in a file of
// its own and one line in the factory (reporters.cpp); nothing in
// measurement, analysis or the history knows about it. `kbench run` and
// `kbench export` use the same reporters on the same model.
#pragma once

#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "analysis/results.h"

namespace kbench {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void report(const RunResults& results) = 0;
};

struct ReporterOptions {
  std::string out_dir;          // json, csv: write DIR/results.<ext>
  std::string file;             // json, csv: write this file instead ("-": `out`)
  std::ostream* out = nullptr;  // console (and "-"); stdout when null
  bool verbose = false;         // console: every measurement, not the short summary
  std::string db_path;          // history
  RunMeta meta;                 // history
  double wall_seconds = 0;      // history
};

// "console", "json", "csv", "history"; throws Error listing the names for another.
std::unique_ptr<Reporter> make_reporter(std::string_view name, const ReporterOptions& options);
std::span<const std::string_view> reporter_names();

// The Google-Benchmark-compatible document, and the CSV text (for tests).
nlohmann::json results_to_gbench_json(const RunResults& results);
std::string results_to_csv(const RunResults& results);

// Writes text to path atomically (a temporary file renamed over it).
void write_file_atomically(const std::string& path, const std::string& text);

// "812.0 ns", "12.40 us", "3.10 ms"
std::string format_ns(double ns);

}  // namespace kbench
