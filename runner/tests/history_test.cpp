// SPDX-License-Identifier: GPL-2.0
// history_test.cpp - the SQLite history on real database files: schema
// migrations, concurrent writers, and a writer killed mid-transaction.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "report/reporter.h"
#include "store/history.h"

namespace kbench {
namespace {

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kbench-history-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "sub" / "history.sqlite").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static RunResults results(bool complete, int configs = 3) {
    RunResults r;
    r.complete = complete;
    r.emulated = true;  // as meta() says
    r.context = {{"kernel_release", "6.12.0-test"}, {"order_seed", 77}, {"repetitions", 2}};
    r.warnings = {"EMULATED: test"};
    for (int i = 0; i < configs; ++i) {
      ConfigResult c;
      c.job.api = "kmalloc";
      c.job.size = 64 + 64 * static_cast<uint64_t>(i);
      c.job.ops_per_batch = auto_ops_per_batch(c.job.size);
      c.status = "ok";
      c.call = "kmalloc";
      PhaseStats st;
      st.phase = "alloc";
      st.unit = "op";
      for (uint32_t rep = 0; rep < 2; ++rep) {
        RepetitionStats x;
        x.index = rep;
        x.summary = summarize({10.0 + i + rep, 11.0 + i + rep});
        x.ops = 256;
        st.reps.push_back(x);
      }
      st.pooled = summarize({10.0 + i, 11.0 + i, 12.0 + i});
      st.median_ci = median_ci({10.0 + i, 11.0 + i, 12.0 + i});
      st.rep_medians = summarize({10.5 + i, 11.5 + i});
      st.repetitions = 2;
      st.harness_ns = 2;
      st.counters = {{"task_clock_ns", 9.5}};
      c.phases.push_back(st);
      r.configs.push_back(c);
    }
    ConfigResult refused;
    refused.job.api = "vmalloc";
    refused.job.size = 64;
    refused.job.gfp = Gfp{KBENCH_GFP_ATOMIC, 0};
    refused.job.ops_per_batch = auto_ops_per_batch(64);
    refused.status = "refused";
    refused.reason = "vmalloc may sleep";
    r.configs.push_back(refused);
    StageRow s;
    s.size = 65536;
    s.vmalloc = 100;
    s.vmap = 40;
    r.vmalloc_stages.push_back(s);
    return r;
  }
  static RunMeta meta() {
    RunMeta m;
    m.target = "qemu:6.12";
    m.emulated = true;
    m.config_path = "configs/quick.toml";
    m.kbench_version = "test";
    m.git_revision = "abc";
    m.date = "2026-11-22T00:00:00+0000";
    return m;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(HistoryTest, SavesAndReadsBackARun) {
  History db(path_);
  EXPECT_EQ(db.schema_version(), History::latest_schema_version());
  const int64_t id = db.save(results(true), meta(), 12.5);
  const auto runs = db.runs();
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].id, id);
  EXPECT_EQ(runs[0].status, "complete");
  EXPECT_EQ(runs[0].kernel_release, "6.12.0-test");
  EXPECT_EQ(runs[0].measured, 3);
  EXPECT_TRUE(runs[0].emulated);
  EXPECT_DOUBLE_EQ(runs[0].wall_seconds, 12.5);
  EXPECT_EQ(runs[0].warnings.at(0), "EMULATED: test");
  EXPECT_THROW(db.run(id + 1), Error);
}

// The model goes in and comes out whole: an export of a history run is the
// run as measured, repetitions included, through the same reporters.
TEST_F(HistoryTest, TheModelRoundTripsRepetitionsIncluded) {
  RunResults saved = results(true);
  // One configuration on two CPUs at once, with its per-thread figures.
  saved.configs[1].job.threads = 2;
  saved.configs[1].threads = 2;
  PhaseStats& team = saved.configs[1].phases.at(0);
  team.threads = 2;
  team.thread_medians = {11, 13};
  team.aggregate_ops_per_s = summarize({1e7, 2e7, 3e7});
  team.overlap = summarize({0.5, 0.9});
  saved.configs[1].vmstat = {{"compact_stall", 3}, {"compact_fail", 2}};
  int64_t id = 0;
  {
    History db(path_);
    id = db.save(saved, meta(), 1);
  }
  History ro(path_, History::Mode::ReadOnly);
  const RunResults back = ro.load(id);
  EXPECT_TRUE(ro.damaged().empty());
  EXPECT_EQ(results_to_gbench_json(back).dump(), results_to_gbench_json(saved).dump());
  EXPECT_EQ(results_to_csv(back), results_to_csv(saved));
  ASSERT_EQ(back.configs.size(), 4U);
  ASSERT_EQ(back.configs[1].phases.at(0).reps.size(), 2U);
  EXPECT_DOUBLE_EQ(back.configs[1].phases[0].reps[1].summary.median, 12.5);
  EXPECT_EQ(back.configs[1].threads, 2U);
  EXPECT_EQ(back.configs[1].phases[0].thread_medians, (std::vector<double>{11, 13}));
  EXPECT_DOUBLE_EQ(back.configs[1].phases[0].aggregate_ops_per_s.median, 2e7);
  EXPECT_DOUBLE_EQ(back.configs[1].phases[0].overlap.max, 0.9);
  EXPECT_EQ(back.configs[1].vmstat, saved.configs[1].vmstat);
  EXPECT_EQ(back.configs[3].status, "refused");
  EXPECT_EQ(back.configs[3].job.gfp.base, static_cast<uint32_t>(KBENCH_GFP_ATOMIC));
  ASSERT_EQ(back.vmalloc_stages.size(), 1U);
  EXPECT_DOUBLE_EQ(back.vmalloc_stages[0].vmap, 40);
}

TEST_F(HistoryTest, DimensionsAreColumns) {
  int64_t id = 0;
  {
    History db(path_);
    id = db.save(results(true), meta(), 1);
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT experiment, api, size_bytes, gfp, pattern, ops_per_batch, context, phase, "
                               "config_key FROM measurements WHERE run_id = ?1 AND size_bytes = 128",
                               -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  auto text = [&](int c) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c))); };
  EXPECT_EQ(text(0), "alloc");
  EXPECT_EQ(text(1), "kmalloc");
  EXPECT_EQ(sqlite3_column_int64(st, 2), 128);
  EXPECT_EQ(text(3), "GFP_KERNEL");
  EXPECT_EQ(text(4), "pair");
  EXPECT_EQ(sqlite3_column_int64(st, 5), auto_ops_per_batch(128));
  EXPECT_EQ(text(6), "preempt-on");
  EXPECT_EQ(text(7), "alloc");
  EXPECT_EQ(text(8), "kmalloc/size:128/gfp:GFP_KERNEL/pattern:pair/n:128/ctx:preempt-on");
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT COUNT(*) FROM repetitions WHERE run_id = ?1", -1, &st, nullptr), SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(st, 0), 3 * 2);
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

// One damaged row must not cost every other run.
TEST_F(HistoryTest, ADamagedRowIsNamedAndSkipped) {
  int64_t bad = 0;
  {
    History db(path_);
    db.save(results(true), meta(), 1);
    bad = db.save(results(true), meta(), 1);
    db.save(results(true), meta(), 1);
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  const std::string sql = "UPDATE runs SET warnings_json = '[\"trunc' WHERE id = " + std::to_string(bad);
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  History db(path_, History::Mode::ReadOnly);
  const auto runs = db.runs();
  EXPECT_EQ(runs.size(), 2U);
  ASSERT_EQ(db.damaged().size(), 1U);
  EXPECT_NE(db.damaged()[0].find("run " + std::to_string(bad) + ": warnings_json is not valid JSON"), std::string::npos)
      << db.damaged()[0];
  try {
    db.load(bad);
    FAIL() << "loaded a damaged run";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is damaged"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.load(bad + 1).configs.size(), 4U);
}

// Reading never writes: a read-only file, or one another process holds a
// write transaction on, can still be listed and loaded.
TEST_F(HistoryTest, ReadOnlyUseNeedsNoWriteAccessAndNoMigration) {
  {
    History db(path_);
    db.save(results(true), meta(), 1);
  }
  // Another process holds a write transaction for the duration.
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer,
                         "BEGIN IMMEDIATE; INSERT INTO runs (started_at, target, emulated, kernel_release, "
                         "config_path, status, configs_planned, kbench_version, git_revision, order_seed, "
                         "context_json, warnings_json) VALUES ('x','x',0,'x','x','complete',0,'x','x',0,"
                         "'{}','[]')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  const auto t0 = std::chrono::steady_clock::now();
  {
    History db(path_, History::Mode::ReadOnly);
    EXPECT_EQ(db.runs().size(), 1U) << "the uncommitted run is not seen";
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "a reader must not wait for a writer";
  sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  std::filesystem::permissions(path_, std::filesystem::perms::owner_read, std::filesystem::perm_options::replace);
  if (::geteuid() != 0) {  // root reads and writes regardless of the mode
    History db(path_, History::Mode::ReadOnly);
    EXPECT_EQ(db.runs().size(), 1U);
  }
  EXPECT_THROW(History(dir_.string() + "/missing.sqlite", History::Mode::ReadOnly), Error);
  EXPECT_FALSE(std::filesystem::exists(dir_.string() + "/missing.sqlite")) << "a read created the file";
}

TEST_F(HistoryTest, IncompleteRunsAreMarked) {
  History db(path_);
  db.save(results(false), meta(), 1);
  EXPECT_EQ(db.runs().at(0).status, "incomplete");
}

TEST_F(HistoryTest, MigratesAVersionOneDatabaseKeepingItsRuns) {
  // Build a version-1 database by hand, as an older kbench left it.
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  {
    History current(path_);  // to learn nothing from it but the file location
  }
  std::filesystem::remove(path_);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  const char* v1 = R"sql(
CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, target TEXT NOT NULL, emulated INTEGER NOT NULL,
  kernel_release TEXT NOT NULL, config_path TEXT NOT NULL, status TEXT NOT NULL, configs_planned INTEGER NOT NULL,
  kbench_version TEXT NOT NULL, git_revision TEXT NOT NULL, order_seed INTEGER NOT NULL, context_json TEXT NOT NULL,
  warnings_json TEXT NOT NULL);
CREATE TABLE measurements (run_id INTEGER NOT NULL, name TEXT NOT NULL, api TEXT NOT NULL, size_bytes INTEGER NOT NULL,
  gfp TEXT NOT NULL, pattern TEXT NOT NULL, context TEXT NOT NULL, ops_per_batch INTEGER NOT NULL, phase TEXT NOT NULL,
  call TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, repetitions INTEGER NOT NULL, batches INTEGER NOT NULL,
  noisy_batches INTEGER NOT NULL, failures INTEGER NOT NULL, median_ns REAL, ci_low_ns REAL, ci_high_ns REAL,
  mean_ns REAL, stddev_ns REAL, cv REAL, min_ns REAL, p90_ns REAL, p99_ns REAL, p999_ns REAL, max_ns REAL,
  rep_median_cv REAL, harness_ns REAL, unreliable INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, name));
INSERT INTO runs VALUES (1, '2026-01-01', 'qemu:6.1', 1, '6.1.0-old', 'configs/quick.toml', 'complete', 1, 'old',
  'x', 3, '{}', '[]');
INSERT INTO measurements (run_id, name, api, size_bytes, gfp, pattern, context, ops_per_batch, phase, call, status,
  reason, repetitions, batches, noisy_batches, failures, median_ns) VALUES (1, 'kmalloc/64/GFP_KERNEL/pair/alloc',
  'kmalloc', 64, 'GFP_KERNEL', 'pair', 'preempt-on', 128, 'alloc', 'kmalloc', 'ok', '', 1, 8, 0, 0, 99.5);
PRAGMA user_version = 1;
)sql";
  ASSERT_EQ(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  sqlite3_close(raw);

  {
    // Read-only: migrated in a private copy, the file stays at version 1.
    History ro(path_, History::Mode::ReadOnly);
    EXPECT_EQ(ro.load(1).configs.at(0).phases.at(0).pooled.median, 99.5);
  }
  {
    sqlite3* check = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &check), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(check, "PRAGMA user_version", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 1) << "a read migrated the file";
    sqlite3_finalize(st);
    sqlite3_close(check);
  }
  History db(path_);
  EXPECT_EQ(db.schema_version(), History::latest_schema_version());
  const RunRow old = db.run(1);
  EXPECT_EQ(old.kernel_release, "6.1.0-old");
  EXPECT_DOUBLE_EQ(old.wall_seconds, 0);  // the column version 2 added
  const RunResults r = db.load(1);
  ASSERT_EQ(r.configs.size(), 1U);
  EXPECT_EQ(r.configs[0].job.api, "kmalloc");
  EXPECT_EQ(r.configs[0].job.ops_per_batch, 128U);
  EXPECT_EQ(r.configs[0].job.experiment, static_cast<uint32_t>(KBENCH_EXP_ALLOC));
  ASSERT_EQ(r.configs[0].phases.size(), 1U);
  EXPECT_DOUBLE_EQ(r.configs[0].phases[0].pooled.median, 99.5);
  EXPECT_EQ(r.configs[0].phases[0].discarded_batches, 0U);
  db.save(results(true), meta(), 3);
  EXPECT_EQ(db.runs().size(), 2U);
}

TEST_F(HistoryTest, RefusesADatabaseFromANewerKbench) {
  { History db(path_); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  try {
    History db(path_);
    FAIL() << "opened a schema from the future";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this kbench"), std::string::npos) << e.what();
  }
}

TEST_F(HistoryTest, ConcurrentWritersAllLand) {
  { History init(path_); }
  constexpr int kWriters = 4, kRuns = 10;
  std::vector<pid_t> pids;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      try {
        History db(path_);
        for (int i = 0; i < kRuns; ++i) db.save(results(true, 20), meta(), 1);
      } catch (...) {
        ::_exit(1);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (const pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  History db(path_);
  const auto runs = db.runs();
  EXPECT_EQ(runs.size(), static_cast<size_t>(kWriters * kRuns));
  for (const auto& r : runs) EXPECT_EQ(db.load(r.id).configs.size(), 21U);
}

TEST_F(HistoryTest, AWriterKilledMidTransactionLeavesNothingHalfWritten) {
  {
    History db(path_);
    db.save(results(true), meta(), 1);
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    History db(path_);
    db.save(results(true, 50), meta(), 1, [] { ::raise(SIGKILL); });
    ::_exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  History db(path_);
  const auto runs = db.runs();
  ASSERT_EQ(runs.size(), 1U) << "the killed run must not appear";
  EXPECT_EQ(db.load(runs[0].id).configs.size(), 4U);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
  sqlite3_finalize(st);
  sqlite3_close(raw);
  EXPECT_GT(db.save(results(true), meta(), 1), runs[0].id);
}

}  // namespace
}  // namespace kbench
