// SPDX-License-Identifier: GPL-2.0
// history.h - every run in a SQLite database: run facts, environment, each
// measurement with its dimensions in columns, its repetitions, and the
// derived figures, so a run can be listed, shown, exported (the same model,
// through the same reporters) and compared across kernels and time.
//
// A run is written in one transaction: a run killed before it is saved
// leaves nothing, an interrupted run is saved whole and marked incomplete.
// The schema is versioned (PRAGMA user_version) and migrated when opened
// for writing; read-only use never writes the file (an older schema is
// migrated in a private in-memory copy) and skips damaged rows, naming them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/results.h"

struct sqlite3;

namespace kbench {

// One row of `kbench history`.
struct RunRow {
  int64_t id = 0;
  std::string started_at;
  std::string target;
  bool emulated = false;
  std::string kernel_release;
  std::string config_path;
  std::string status;  // complete | incomplete
  int64_t configs_planned = 0;
  int64_t measured = 0;
  double wall_seconds = 0;
  nlohmann::json context;
  std::vector<std::string> warnings;
};

class History {
 public:
  enum class Mode { ReadWrite, ReadOnly };

  // $KBENCH_DB, else $XDG_DATA_HOME/kbench/history.sqlite, else
  // ~/.local/share/kbench/history.sqlite.
  static std::string default_path();
  static int latest_schema_version();

  // ReadWrite opens (creating directories and file as needed) and migrates.
  explicit History(const std::string& path, Mode mode = Mode::ReadWrite);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Saves a run in one transaction; returns its id. `before_commit` is for
  // tests that kill a writer in the middle of its transaction.
  int64_t save(const RunResults& results, const RunMeta& meta, double wall_seconds,
               const std::function<void()>& before_commit = nullptr);

  // Newest first; damaged rows are skipped and named in damaged().
  std::vector<RunRow> runs(int limit = 0);
  RunRow run(int64_t id);       // throws Error if there is no such run, or it is damaged
  RunResults load(int64_t id);  // the run's model, as it was saved
  const std::vector<std::string>& damaged() const { return damaged_; }
  int schema_version();
  const std::string& path() const { return path_; }

 private:
  void exec(const std::string& sql);
  void migrate();

  std::string path_;
  sqlite3* db_ = nullptr;
  std::vector<std::string> damaged_;
};

}  // namespace kbench
