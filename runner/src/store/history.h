// SPDX-License-Identifier: GPL-2.0
// history.h - every run in a SQLite database: run facts, environment, and
// each measurement's statistics, so results can be listed, shown, exported
// and compared across kernels and time.
//
// A run is written in one transaction: a run killed before it is saved
// leaves nothing, an interrupted run is saved whole and marked incomplete.
// The schema is versioned (PRAGMA user_version) and migrated on open.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/results.h"

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

// One measured configuration and phase (or a configuration not measured).
struct MeasurementRow {
  std::string name;  // config name, plus /phase when measured
  std::string api, gfp, pattern, context, phase, call, status, reason;
  int64_t size_bytes = 0, ops_per_batch = 0, repetitions = 0, batches = 0, noisy_batches = 0, discarded_batches = 0,
          failures = 0;
  double median_ns = 0, ci_low_ns = 0, ci_high_ns = 0, mean_ns = 0, stddev_ns = 0, cv = 0, min_ns = 0, p90_ns = 0,
         p99_ns = 0, p999_ns = 0, max_ns = 0, rep_median_cv = 0, harness_ns = -1;
  bool unreliable = false;
};

class History {
 public:
  // $KBENCH_DB, else $XDG_DATA_HOME/kbench/history.sqlite, else
  // ~/.local/share/kbench/history.sqlite.
  static std::string default_path();
  static int latest_schema_version();

  // Opens (creating directories and file as needed) and migrates.
  explicit History(const std::string& path);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Saves a run in one transaction; returns its id. `before_commit` is for
  // tests that kill a writer in the middle of its transaction.
  int64_t save(const RunResults& results, const RunMeta& meta, double wall_seconds,
               const std::function<void()>& before_commit = nullptr);

  std::vector<RunRow> runs(int limit = 0);
  RunRow run(int64_t id);  // throws Error if there is no such run
  std::vector<MeasurementRow> measurements(int64_t id);
  int schema_version();
  const std::string& path() const { return path_; }

 private:
  void exec(const std::string& sql);
  void migrate();

  std::string path_;
  sqlite3* db_ = nullptr;
};

// `kbench export`: the run as Google Benchmark JSON (median aggregates, as
// compare.py reads them) or CSV (one row per measurement).
nlohmann::json export_json(const RunRow& run, const std::vector<MeasurementRow>& rows);
std::string export_csv(const std::vector<MeasurementRow>& rows);

}  // namespace kbench
