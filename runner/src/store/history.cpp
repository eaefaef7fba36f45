// SPDX-License-Identifier: GPL-2.0
// history.cpp - the SQLite history: schema migrations, transactional
// writes, reads for history/show/export.
#include "store/history.h"

#include <sqlite3.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/error.h"

namespace kbench {
namespace {

// Append-only: migration i brings the schema from version i to i + 1.
// Never edit one that has shipped; add the next.
constexpr const char* kMigrations[] = {
    // 0 -> 1: runs and their measurements.
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  target TEXT NOT NULL,
  emulated INTEGER NOT NULL,
  kernel_release TEXT NOT NULL,
  config_path TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('complete', 'incomplete')),
  configs_planned INTEGER NOT NULL,
  kbench_version TEXT NOT NULL,
  git_revision TEXT NOT NULL,
  order_seed INTEGER NOT NULL,
  context_json TEXT NOT NULL,
  warnings_json TEXT NOT NULL
);
CREATE TABLE measurements (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  api TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  gfp TEXT NOT NULL,
  pattern TEXT NOT NULL,
  context TEXT NOT NULL,
  ops_per_batch INTEGER NOT NULL,
  phase TEXT NOT NULL,
  call TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  repetitions INTEGER NOT NULL,
  batches INTEGER NOT NULL,
  noisy_batches INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  median_ns REAL, ci_low_ns REAL, ci_high_ns REAL, mean_ns REAL, stddev_ns REAL, cv REAL,
  min_ns REAL, p90_ns REAL, p99_ns REAL, p999_ns REAL, max_ns REAL,
  rep_median_cv REAL,
  harness_ns REAL,
  unreliable INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, name)
);
CREATE INDEX measurements_by_name ON measurements(name);
)sql",
    // 1 -> 2: how long a run took, and noisy batches left out of statistics.
    R"sql(
ALTER TABLE runs ADD COLUMN wall_seconds REAL NOT NULL DEFAULT 0;
ALTER TABLE measurements ADD COLUMN discarded_batches INTEGER NOT NULL DEFAULT 0;
)sql",
};

constexpr int kLatest = static_cast<int>(std::size(kMigrations));

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK)
      throw Error(std::string("history: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    if (std::isfinite(v))
      sqlite3_bind_double(st_, i, v);
    else
      sqlite3_bind_null(st_, i);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(st_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(std::string("history: ") + sqlite3_errmsg(db_));
  }
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  int64_t i64(int c) { return sqlite3_column_int64(st_, c); }
  double dbl(int c) {
    return sqlite3_column_type(st_, c) == SQLITE_NULL ? std::nan("") : sqlite3_column_double(st_, c);
  }
  std::string str(int c) {
    const auto* t = sqlite3_column_text(st_, c);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

RunRow read_run(Stmt& s) {
  RunRow r;
  r.id = s.i64(0);
  r.started_at = s.str(1);
  r.target = s.str(2);
  r.emulated = s.i64(3) != 0;
  r.kernel_release = s.str(4);
  r.config_path = s.str(5);
  r.status = s.str(6);
  r.configs_planned = s.i64(7);
  r.context = nlohmann::json::parse(s.str(8));
  r.warnings = nlohmann::json::parse(s.str(9)).get<std::vector<std::string>>();
  r.wall_seconds = s.dbl(10);
  r.measured = s.i64(11);
  return r;
}

constexpr const char* kRunColumns =
    "SELECT id, started_at, target, emulated, kernel_release, config_path, status, configs_planned, "
    "context_json, warnings_json, wall_seconds, "
    "(SELECT COUNT(DISTINCT substr(name, 1, length(name) - length(phase) - 1)) FROM measurements m "
    " WHERE m.run_id = runs.id AND m.status = 'ok') FROM runs";

}  // namespace

std::string History::default_path() {
  if (const char* p = std::getenv("KBENCH_DB"); p && *p) return p;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/kbench/history.sqlite";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.local/share/kbench/history.sqlite";
}

int History::latest_schema_version() { return kLatest; }

History::History(const std::string& path) : path_(path) {
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("cannot open the history database " + path + ": " + msg,
                "choose another file with --db PATH (or KBENCH_DB)");
  }
  // Concurrent writers wait for each other instead of failing.
  sqlite3_busy_timeout(db_, 30000);
  try {
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA foreign_keys = ON");
    migrate();
  } catch (...) {
    // A throwing constructor runs no destructor: close the handle here.
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

History::~History() { sqlite3_close(db_); }

void History::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error("history database " + path_ + ": " + msg);
  }
}

int History::schema_version() {
  Stmt s(db_, "PRAGMA user_version");
  s.step();
  return static_cast<int>(s.i64(0));
}

void History::migrate() {
  exec("BEGIN IMMEDIATE");
  try {
    int v = schema_version();
    if (v > kLatest)
      throw Error("the history database " + path_ + " has schema version " + std::to_string(v) +
                      ", newer than this kbench understands (" + std::to_string(kLatest) + ")",
                  "use the newer kbench, or another file with --db PATH");
    for (; v < kLatest; ++v) {
      exec(kMigrations[v]);
      exec("PRAGMA user_version = " + std::to_string(v + 1));
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int64_t History::save(const RunResults& r, const RunMeta& meta, double wall_seconds,
                      const std::function<void()>& before_commit) {
  exec("BEGIN IMMEDIATE");
  try {
    Stmt run(db_,
             "INSERT INTO runs (started_at, target, emulated, kernel_release, config_path, status, "
             "configs_planned, kbench_version, git_revision, order_seed, context_json, warnings_json, wall_seconds) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    run.bind(1, meta.date)
        .bind(2, meta.target)
        .bind(3, int64_t{meta.emulated})
        .bind(4, r.context.value("kernel_release", std::string()))
        .bind(5, meta.config_path)
        .bind(6, std::string(r.complete ? "complete" : "incomplete"))
        .bind(7, static_cast<int64_t>(r.configs.size()))
        .bind(8, meta.kbench_version)
        .bind(9, meta.git_revision)
        .bind(10, static_cast<int64_t>(r.context.value("order_seed", uint64_t{0})))
        .bind(11, r.context.dump())
        .bind(12, nlohmann::json(r.warnings).dump())
        .bind(13, wall_seconds);
    run.step();
    const int64_t id = sqlite3_last_insert_rowid(db_);

    Stmt m(db_,
           "INSERT INTO measurements (run_id, name, api, size_bytes, gfp, pattern, context, ops_per_batch, phase, "
           "call, status, reason, repetitions, batches, noisy_batches, failures, median_ns, ci_low_ns, ci_high_ns, "
           "mean_ns, stddev_ns, cv, min_ns, p90_ns, p99_ns, p999_ns, max_ns, rep_median_cv, harness_ns, unreliable, "
           "discarded_batches) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
           "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)");
    for (const auto& c : r.configs) {
      auto common = [&](const std::string& name, const std::string& phase) {
        m.reset();
        m.bind(1, id)
            .bind(2, name)
            .bind(3, std::string(c.job.api_name()))
            .bind(4, static_cast<int64_t>(c.job.size))
            .bind(5, c.job.gfp.to_string())
            .bind(6, std::string(c.job.pattern_name()))
            .bind(7, std::string(c.job.context_name()))
            .bind(8, static_cast<int64_t>(c.job.ops_per_batch))
            .bind(9, phase)
            .bind(10, c.call)
            .bind(11, c.status)
            .bind(12, c.reason)
            .bind(16, static_cast<int64_t>(c.failures));
      };
      if (c.phases.empty()) {
        common(c.job.name(), "");
        m.bind(13, int64_t{0}).bind(14, int64_t{0}).bind(15, int64_t{0}).bind(30, int64_t{0}).bind(31, int64_t{0});
        m.step();
        continue;
      }
      for (const auto& p : c.phases) {
        common(c.job.name() + "/" + p.phase, p.phase);
        m.bind(13, static_cast<int64_t>(p.repetitions))
            .bind(14, static_cast<int64_t>(p.pooled.n))
            .bind(15, static_cast<int64_t>(p.noisy_batches))
            .bind(17, p.pooled.median)
            .bind(18, p.median_ci.low)
            .bind(19, p.median_ci.high)
            .bind(20, p.pooled.mean)
            .bind(21, p.pooled.stddev)
            .bind(22, p.pooled.cv)
            .bind(23, p.pooled.min)
            .bind(24, p.pooled.p90)
            .bind(25, p.pooled.p99)
            .bind(26, p.pooled.p999)
            .bind(27, p.pooled.max)
            .bind(28, p.rep_medians.cv)
            .bind(29, p.harness_ns)
            .bind(30, int64_t{p.unreliable})
            .bind(31, static_cast<int64_t>(p.discarded_batches));
        m.step();
      }
    }
    if (before_commit) before_commit();
    exec("COMMIT");
    return id;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<RunRow> History::runs(int limit) {
  std::string sql = std::string(kRunColumns) + " ORDER BY id DESC";
  if (limit > 0) sql += " LIMIT " + std::to_string(limit);
  Stmt s(db_, sql.c_str());
  std::vector<RunRow> out;
  while (s.step()) out.push_back(read_run(s));
  return out;
}

RunRow History::run(int64_t id) {
  Stmt s(db_, (std::string(kRunColumns) + " WHERE id = ?1").c_str());
  s.bind(1, id);
  if (!s.step())
    throw Error("no run " + std::to_string(id) + " in " + path_, "`kbench history` lists the runs it holds");
  return read_run(s);
}

std::vector<MeasurementRow> History::measurements(int64_t id) {
  Stmt s(db_,
         "SELECT name, api, gfp, pattern, context, phase, call, status, reason, size_bytes, ops_per_batch, "
         "repetitions, batches, noisy_batches, discarded_batches, failures, median_ns, ci_low_ns, ci_high_ns, "
         "mean_ns, stddev_ns, cv, min_ns, p90_ns, p99_ns, p999_ns, max_ns, rep_median_cv, harness_ns, unreliable "
         "FROM measurements WHERE run_id = ?1 ORDER BY rowid");
  s.bind(1, id);
  std::vector<MeasurementRow> out;
  while (s.step()) {
    MeasurementRow m;
    m.name = s.str(0);
    m.api = s.str(1);
    m.gfp = s.str(2);
    m.pattern = s.str(3);
    m.context = s.str(4);
    m.phase = s.str(5);
    m.call = s.str(6);
    m.status = s.str(7);
    m.reason = s.str(8);
    m.size_bytes = s.i64(9);
    m.ops_per_batch = s.i64(10);
    m.repetitions = s.i64(11);
    m.batches = s.i64(12);
    m.noisy_batches = s.i64(13);
    m.discarded_batches = s.i64(14);
    m.failures = s.i64(15);
    m.median_ns = s.dbl(16);
    m.ci_low_ns = s.dbl(17);
    m.ci_high_ns = s.dbl(18);
    m.mean_ns = s.dbl(19);
    m.stddev_ns = s.dbl(20);
    m.cv = s.dbl(21);
    m.min_ns = s.dbl(22);
    m.p90_ns = s.dbl(23);
    m.p99_ns = s.dbl(24);
    m.p999_ns = s.dbl(25);
    m.max_ns = s.dbl(26);
    m.rep_median_cv = s.dbl(27);
    m.harness_ns = s.dbl(28);
    m.unreliable = s.i64(29) != 0;
    out.push_back(std::move(m));
  }
  return out;
}

nlohmann::json export_json(const RunRow& run, const std::vector<MeasurementRow>& rows) {
  nlohmann::json doc;
  doc["context"] = run.context;
  doc["context"]["kbench_history_run"] = run.id;
  doc["context"]["kbench_history_status"] = run.status;
  nlohmann::json benchmarks = nlohmann::json::array();
  nlohmann::json not_measured = nlohmann::json::array();
  for (const auto& m : rows) {
    if (m.status != "ok" || m.phase.empty()) {
      not_measured.push_back({{"name", m.name},
                              {"api", m.api},
                              {"size_bytes", m.size_bytes},
                              {"gfp", m.gfp},
                              {"pattern", m.pattern},
                              {"status", m.status},
                              {"reason", m.reason}});
      continue;
    }
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    // Probe rows are named experiment/api/...: say which, as results.json does.
    const std::string first = m.name.substr(0, m.name.find('/'));
    const bool probe = first == "access" || first == "stages" || first == "footprint";
    benchmarks.push_back({{"name", m.name + "_median"},
                          {"run_name", m.name},
                          {"run_type", "aggregate"},
                          {"aggregate_name", "median"},
                          {"aggregate_unit", "time"},
                          {"repetitions", m.repetitions},
                          {"threads", 1},
                          {"iterations", m.repetitions},
                          {"real_time", m.median_ns},
                          {"cpu_time", m.median_ns},
                          {"time_unit", "ns"},
                          {"api", m.api},
                          {"size_bytes", m.size_bytes},
                          {"gfp", m.gfp},
                          {"pattern", m.pattern},
                          {"context", m.context},
                          {"phase", m.phase},
                          {"call", m.call},
                          {"ops_per_batch", m.ops_per_batch},
                          {"batches", m.batches},
                          {"noisy_batches", m.noisy_batches},
                          {"discarded_batches", m.discarded_batches},
                          {"failures", m.failures},
                          {"p50_ns", num(m.median_ns)},
                          {"median_ci_low_ns", num(m.ci_low_ns)},
                          {"median_ci_high_ns", num(m.ci_high_ns)},
                          {"mean_ns", num(m.mean_ns)},
                          {"stddev_ns", num(m.stddev_ns)},
                          {"min_ns", num(m.min_ns)},
                          {"p90_ns", num(m.p90_ns)},
                          {"p99_ns", num(m.p99_ns)},
                          {"p999_ns", num(m.p999_ns)},
                          {"max_ns", num(m.max_ns)},
                          {"unreliable", m.unreliable},
                          {"emulated", run.emulated},
                          {"experiment", probe ? first : "alloc"}});
    if (first == "access") {
      const auto parts = m.name.rfind('/', m.name.size() - m.phase.size() - 2);
      benchmarks.back()["access_mode"] = m.name.substr(parts + 1, m.name.size() - m.phase.size() - 2 - parts);
    }
  }
  doc["benchmarks"] = std::move(benchmarks);
  doc["kbench_not_measured"] = std::move(not_measured);
  return doc;
}

std::string export_csv(const std::vector<MeasurementRow>& rows) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (const char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  auto num = [](double v) {
    if (!std::isfinite(v)) return std::string();
    std::ostringstream o;
    o.precision(10);
    o << v;
    return o.str();
  };
  std::string out =
      "name,api,size_bytes,gfp,pattern,context,phase,call,status,repetitions,batches,noisy_batches,failures,"
      "median_ns,ci_low_ns,ci_high_ns,mean_ns,stddev_ns,min_ns,p90_ns,p99_ns,p999_ns,max_ns,harness_ns,unreliable,"
      "reason\n";
  for (const auto& m : rows) {
    out += field(m.name) + "," + m.api + "," + std::to_string(m.size_bytes) + "," + field(m.gfp) + "," + m.pattern +
           "," + m.context + "," + m.phase + "," + field(m.call) + "," + m.status + "," +
           std::to_string(m.repetitions) + "," + std::to_string(m.batches) + "," + std::to_string(m.noisy_batches) +
           "," + std::to_string(m.failures) + "," + num(m.median_ns) + "," + num(m.ci_low_ns) + "," +
           num(m.ci_high_ns) + "," + num(m.mean_ns) + "," + num(m.stddev_ns) + "," + num(m.min_ns) + "," +
           num(m.p90_ns) + "," + num(m.p99_ns) + "," + num(m.p999_ns) + "," + num(m.max_ns) + "," +
           num(m.harness_ns >= 0 ? m.harness_ns : std::nan("")) + "," + (m.unreliable ? "1" : "0") + "," +
           field(m.reason) + "\n";
  }
  return out;
}

}  // namespace kbench
