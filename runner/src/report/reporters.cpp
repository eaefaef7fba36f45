// SPDX-License-Identifier: GPL-2.0
// reporters.cpp - the one reporter factory. Add a new format here.
#include <array>
#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "report/reporter.h"

namespace kbench {

std::unique_ptr<Reporter> make_console_reporter(const ReporterOptions& o);
std::unique_ptr<Reporter> make_json_reporter(const ReporterOptions& o);
std::unique_ptr<Reporter> make_csv_reporter(const ReporterOptions& o);
std::unique_ptr<Reporter> make_history_reporter(const ReporterOptions& o);

namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<Reporter> (*make)(const ReporterOptions&);
};

constexpr std::array<Entry, 4> kReporters = {{
    {"console", make_console_reporter},
    {"json", make_json_reporter},
    {"csv", make_csv_reporter},
    {"history", make_history_reporter},
}};

constexpr std::array<std::string_view, kReporters.size()> kNames = [] {
  std::array<std::string_view, kReporters.size()> n{};
  for (size_t i = 0; i < kReporters.size(); ++i) n[i] = kReporters[i].name;
  return n;
}();

}  // namespace

std::span<const std::string_view> reporter_names() { return kNames; }

std::unique_ptr<Reporter> make_reporter(std::string_view name, const ReporterOptions& options) {
  for (const auto& e : kReporters)
    if (e.name == name) return e.make(options);
  throw Error("unknown output format '" + std::string(name) + "'", "formats: " + join_names(kNames));
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw Error("cannot write " + tmp, "check that the output directory exists and is writable");
    out << text;
    if (!out) throw Error("writing " + tmp + " failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error("cannot rename " + tmp + " to " + path);
}

}  // namespace kbench
