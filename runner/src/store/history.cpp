// SPDX-License-Identifier: GPL-2.0
// history.cpp - the SQLite history: schema migrations, transactional
// writes of the model, and reading it back.
#include "store/history.h"

#include <sqlite3.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/experiments.h"

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
    // 2 -> 3: every dimension in a column, the repetitions, the derived
    // figures, so the model of a run can be read back whole.
    R"sql(
ALTER TABLE runs ADD COLUMN derived_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN selftest_json TEXT NOT NULL DEFAULT 'null';
ALTER TABLE runs ADD COLUMN module_after_json TEXT NOT NULL DEFAULT 'null';
ALTER TABLE measurements ADD COLUMN experiment TEXT NOT NULL DEFAULT 'alloc';
ALTER TABLE measurements ADD COLUMN access_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE measurements ADD COLUMN options_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE measurements ADD COLUMN threads INTEGER NOT NULL DEFAULT 1;
ALTER TABLE measurements ADD COLUMN unit TEXT NOT NULL DEFAULT 'op';
ALTER TABLE measurements ADD COLUMN config_key TEXT NOT NULL DEFAULT '';
ALTER TABLE measurements ADD COLUMN job_json TEXT;
ALTER TABLE measurements ADD COLUMN config_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE measurements ADD COLUMN phase_json TEXT NOT NULL DEFAULT '{}';
-- Rows of version 2 kept the experiment and the access mode only inside
-- their name, in the naming of that version: read them out this once.
UPDATE measurements SET config_key =
  CASE WHEN phase = '' THEN name ELSE substr(name, 1, length(name) - length(phase) - 1) END;
UPDATE measurements SET experiment = 'access' WHERE name LIKE 'access/%';
UPDATE measurements SET experiment = 'stages' WHERE name LIKE 'stages/%';
UPDATE measurements SET experiment = 'footprint' WHERE name LIKE 'footprint/%';
UPDATE measurements SET access_mode = 'sequential' WHERE experiment = 'access' AND config_key LIKE '%/sequential';
UPDATE measurements SET access_mode = 'page-stride' WHERE experiment = 'access' AND config_key LIKE '%/page-stride';
UPDATE measurements SET access_mode = 'page-random' WHERE experiment = 'access' AND config_key LIKE '%/page-random';
UPDATE measurements SET access_mode = 'memset' WHERE experiment = 'access' AND config_key LIKE '%/memset';
CREATE INDEX measurements_by_config ON measurements(run_id, config_key);
CREATE TABLE repetitions (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  config_key TEXT NOT NULL,
  phase TEXT NOT NULL,
  rep_index INTEGER NOT NULL,
  batches INTEGER NOT NULL,
  ops INTEGER NOT NULL,
  noisy_batches INTEGER NOT NULL,
  discarded_batches INTEGER NOT NULL,
  median_ns REAL, min_ns REAL, p90_ns REAL, p99_ns REAL, p999_ns REAL, max_ns REAL, mean_ns REAL, stddev_ns REAL,
  cv REAL,
  PRIMARY KEY (run_id, config_key, phase, rep_index)
);
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
  bool null(int c) { return sqlite3_column_type(st_, c) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

// A JSON column; a damaged one throws Error naming the column.
nlohmann::json json_column(Stmt& s, int c, const char* column) {
  try {
    return nlohmann::json::parse(s.str(c));
  } catch (const nlohmann::json::exception&) {
    throw Error(std::string(column) + " is not valid JSON");
  }
}

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
  r.context = json_column(s, 8, "context_json");
  const nlohmann::json w = json_column(s, 9, "warnings_json");
  if (!w.is_array()) throw Error("warnings_json is not a list");
  for (const auto& x : w) r.warnings.push_back(x.is_string() ? x.get<std::string>() : x.dump());
  r.wall_seconds = s.dbl(10);
  r.measured = s.i64(11);
  return r;
}

constexpr const char* kRunColumns =
    "SELECT id, started_at, target, emulated, kernel_release, config_path, status, configs_planned, "
    "context_json, warnings_json, wall_seconds, "
    "(SELECT COUNT(DISTINCT config_key) FROM measurements m WHERE m.run_id = runs.id AND m.status = 'ok') FROM runs";

void bind_summary(Stmt& s, int first, const Summary& x) {
  s.bind(first, x.median)
      .bind(first + 1, x.min)
      .bind(first + 2, x.p90)
      .bind(first + 3, x.p99)
      .bind(first + 4, x.p999)
      .bind(first + 5, x.max)
      .bind(first + 6, x.mean)
      .bind(first + 7, x.stddev)
      .bind(first + 8, x.cv);
}

Summary read_summary(Stmt& s, int first, size_t n) {
  Summary x;
  x.n = n;
  x.median = s.dbl(first);
  x.min = s.dbl(first + 1);
  x.p90 = s.dbl(first + 2);
  x.p99 = s.dbl(first + 3);
  x.p999 = s.dbl(first + 4);
  x.max = s.dbl(first + 5);
  x.mean = s.dbl(first + 6);
  x.stddev = s.dbl(first + 7);
  x.cv = s.dbl(first + 8);
  return x;
}

nlohmann::json summary_json(const Summary& x) {
  return {{"n", x.n},       {"min", x.min}, {"median", x.median}, {"p90", x.p90},       {"p99", x.p99},
          {"p999", x.p999}, {"max", x.max}, {"mean", x.mean},     {"stddev", x.stddev}, {"cv", x.cv}};
}

Summary summary_from(const nlohmann::json& j) {
  Summary x;
  auto d = [&](const char* k) { return j.contains(k) && j[k].is_number() ? j[k].get<double>() : std::nan(""); };
  x.n = j.value("n", size_t{0});
  x.min = d("min");
  x.median = d("median");
  x.p90 = d("p90");
  x.p99 = d("p99");
  x.p999 = d("p999");
  x.max = d("max");
  x.mean = d("mean");
  x.stddev = d("stddev");
  x.cv = d("cv");
  return x;
}

// What a configuration carries besides its job and its phases.
nlohmann::json config_json(const ConfigResult& c) {
  return {{"err", c.err},
          {"bad_field", c.bad_field},
          {"footprint_bytes", c.footprint_bytes},
          {"nowarn_added", c.nowarn_added},
          {"cv_target_missed", c.cv_target_missed},
          {"values", c.values},
          {"rep_values", c.rep_values},
          {"counters_unsupported", c.counters_unsupported},
          {"counter_scope", c.counter_scope},
          {"ipi_tlb", c.ipi_tlb},
          {"ipi_cal", c.ipi_cal},
          {"threads", c.threads},
          {"vmstat", c.vmstat}};
}

void config_from(const nlohmann::json& j, ConfigResult& c) {
  c.err = j.value("err", 0);
  c.bad_field = j.value("bad_field", "");
  c.footprint_bytes = j.value("footprint_bytes", uint64_t{0});
  c.nowarn_added = j.value("nowarn_added", false);
  c.cv_target_missed = j.value("cv_target_missed", false);
  c.values = j.value("values", nlohmann::json());
  c.rep_values = j.value("rep_values", std::vector<nlohmann::json>{});
  c.counters_unsupported = j.value("counters_unsupported", std::vector<std::string>{});
  c.counter_scope = j.value("counter_scope", "");
  c.ipi_tlb = j.value("ipi_tlb", uint64_t{0});
  c.ipi_cal = j.value("ipi_cal", uint64_t{0});
  c.threads = j.value("threads", 1U);
  c.vmstat = j.value("vmstat", std::map<std::string, uint64_t>{});
}

nlohmann::json phase_json(const PhaseStats& p) {
  nlohmann::json counters = nlohmann::json::array();
  for (const auto& k : p.counters) counters.push_back({k.name, k.per_op});
  nlohmann::json hist = nlohmann::json::array();
  for (size_t b = 0; b < p.hist.size(); ++b)
    if (p.hist[b]) hist.push_back({b, p.hist[b]});
  nlohmann::json j = {{"slot", p.slot},
                      {"ci_coverage", p.median_ci.coverage},
                      {"rep_medians", summary_json(p.rep_medians)},
                      {"ops", p.ops},
                      {"counters", counters},
                      {"counters_multiplexed", p.counters_multiplexed},
                      {"harness_ci", {p.harness_ci.low, p.harness_ci.high, p.harness_ci.coverage}},
                      {"net", {p.net_ns, p.net_ci.low, p.net_ci.high, p.net_ci.coverage}},
                      {"hist", hist},
                      {"single_op",
                       {p.single_op.ops, p.single_op.p50, p.single_op.p90, p.single_op.p99, p.single_op.p999,
                        p.single_op.max, p.single_op.reliable, p.single_op.clock_read_ns}}};
  if (p.threads > 1) {
    j["threads"] = p.threads;
    j["thread_medians"] = p.thread_medians;
    j["aggregate_ops_per_s"] = summary_json(p.aggregate_ops_per_s);
    j["overlap"] = summary_json(p.overlap);
  }
  return j;
}

void phase_from(const nlohmann::json& j, PhaseStats& p) {
  p.median_ci.coverage = j.value("ci_coverage", 0.0);
  if (j.contains("rep_medians")) p.rep_medians = summary_from(j["rep_medians"]);
  p.ops = j.value("ops", uint64_t{0});
  for (const auto& k : j.value("counters", nlohmann::json::array()))
    p.counters.push_back({k.at(0).get<std::string>(), k.at(1).get<double>()});
  p.counters_multiplexed = j.value("counters_multiplexed", false);
  p.slot = j.value("slot", 0U);
  auto num = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
  if (j.contains("harness_ci")) {
    const auto& h = j["harness_ci"];
    p.harness_ci = {num(h.at(0)), num(h.at(1)), num(h.at(2))};
  }
  if (j.contains("net")) {
    const auto& n = j["net"];
    p.net_ns = num(n.at(0));
    p.net_ci = {num(n.at(1)), num(n.at(2)), num(n.at(3))};
  }
  for (const auto& b : j.value("hist", nlohmann::json::array())) {
    const size_t i = b.at(0).get<size_t>();
    if (p.hist.size() <= i) p.hist.resize(KBENCH_HIST_BUCKETS, 0);
    if (i < p.hist.size()) p.hist[i] = b.at(1).get<uint64_t>();
  }
  p.threads = j.value("threads", 1U);
  p.thread_medians = j.value("thread_medians", std::vector<double>{});
  if (j.contains("aggregate_ops_per_s")) p.aggregate_ops_per_s = summary_from(j["aggregate_ops_per_s"]);
  if (j.contains("overlap")) p.overlap = summary_from(j["overlap"]);
  if (j.contains("single_op")) {
    const auto& s = j["single_op"];
    p.single_op.ops = s.at(0).get<uint64_t>();
    p.single_op.p50 = num(s.at(1));
    p.single_op.p90 = num(s.at(2));
    p.single_op.p99 = num(s.at(3));
    p.single_op.p999 = num(s.at(4));
    p.single_op.max = num(s.at(5));
    p.single_op.reliable = s.at(6).get<bool>();
    p.single_op.clock_read_ns = num(s.at(7));
  }
}

// A job from the dimension columns, for rows written before job_json.
Job legacy_job(Stmt& s) {
  Job j;
  j.experiment = find_name(experiment_names(), s.str(1)).value_or(KBENCH_EXP_ALLOC);
  j.api = s.str(2);
  j.size = static_cast<uint64_t>(s.i64(3));
  try {
    j.gfp = Gfp::parse(s.str(4));
  } catch (const Error&) {
    j.gfp = Gfp{};
  }
  j.pattern = find_name(pattern_names(), s.str(5)).value_or(KBENCH_PATTERN_PAIR);
  j.context = find_name(context_names(), s.str(6)).value_or(KBENCH_CTX_PREEMPT_ON);
  j.ops_per_batch = static_cast<uint32_t>(s.i64(7));
  j.access_mode = find_name(access_mode_names(), s.str(8)).value_or(KBENCH_ACCESS_SEQUENTIAL);
  return j;
}

}  // namespace

std::string History::default_path() {
  if (const char* p = std::getenv("KBENCH_DB"); p && *p) return p;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/kbench/history.sqlite";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.local/share/kbench/history.sqlite";
}

int History::latest_schema_version() { return kLatest; }

History::History(const std::string& path, Mode mode) : path_(path) {
  const bool ro = mode == Mode::ReadOnly;
  if (ro && !std::filesystem::exists(path))
    throw Error("no history database at " + path, "`kbench run` creates it; or choose one with --db PATH");
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!ro && !dir.empty()) std::filesystem::create_directories(dir, ec);
  const int flags = (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("cannot open the history database " + path + ": " + msg,
                "choose another file with --db PATH (or KBENCH_DB)");
  }
  // Concurrent writers wait for each other instead of failing; readers of a
  // WAL database never wait for a writer.
  sqlite3_busy_timeout(db_, 30000);
  try {
    if (ro) {
      const int v = schema_version();
      if (v > kLatest)
        throw Error("the history database " + path_ + " has schema version " + std::to_string(v) +
                        ", newer than this kbench understands (" + std::to_string(kLatest) + ")",
                    "use the newer kbench, or another file with --db PATH");
      if (v < kLatest) {
        // Read an older schema through a migrated private copy in memory:
        // a read never writes the user's file.
        sqlite3* mem = nullptr;
        if (sqlite3_open(":memory:", &mem) != SQLITE_OK) throw Error("history: no memory for a copy of " + path_);
        sqlite3_backup* b = sqlite3_backup_init(mem, "main", db_, "main");
        if (b) {
          sqlite3_backup_step(b, -1);
          sqlite3_backup_finish(b);
        }
        const int rc = sqlite3_errcode(mem);
        sqlite3_close(db_);
        db_ = mem;
        if (rc != SQLITE_OK) throw Error("history: cannot copy " + path_ + ": " + sqlite3_errmsg(mem));
        migrate();
      }
    } else {
      exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA foreign_keys = ON");
      migrate();
    }
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
             "configs_planned, kbench_version, git_revision, order_seed, context_json, warnings_json, wall_seconds, "
             "derived_json, selftest_json, module_after_json) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
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
        .bind(13, wall_seconds)
        .bind(14, derived_to_json(r).dump())
        .bind(15, r.selftest.dump())
        .bind(16, r.module_after ? nlohmann::json(*r.module_after).dump() : std::string("null"));
    run.step();
    const int64_t id = sqlite3_last_insert_rowid(db_);

    Stmt m(db_,
           "INSERT OR REPLACE INTO measurements (run_id, name, experiment, api, size_bytes, gfp, pattern, "
           "ops_per_batch, context, access_mode, options_json, threads, phase, unit, config_key, call, status, "
           "reason, repetitions, batches, noisy_batches, discarded_batches, failures, median_ns, min_ns, p90_ns, "
           "p99_ns, p999_ns, max_ns, mean_ns, stddev_ns, cv, ci_low_ns, ci_high_ns, rep_median_cv, harness_ns, "
           "unreliable, job_json, config_json, phase_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
           "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, "
           "?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40)");
    Stmt rep(db_,
             "INSERT OR REPLACE INTO repetitions (run_id, config_key, phase, rep_index, batches, ops, noisy_batches, "
             "discarded_batches, median_ns, min_ns, p90_ns, p99_ns, p999_ns, max_ns, mean_ns, stddev_ns, cv) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    for (const auto& c : r.configs) {
      const Job& j = c.job;
      const std::string key = j.key();
      const nlohmann::json dims = dimensions_json(j);
      auto common = [&](const std::string& phase, const std::string& unit) {
        m.reset();
        m.bind(1, id)
            .bind(2, phase.empty() ? key : measurement_name(j, phase))
            .bind(3, std::string(j.experiment_name()))
            .bind(4, j.api)
            .bind(5, static_cast<int64_t>(j.size))
            .bind(6, dims.value("gfp", ""))
            .bind(7, dims.value("pattern", ""))
            .bind(8, static_cast<int64_t>(dims.value("ops_per_batch", 0U)))
            .bind(9, dims.value("context", ""))
            .bind(10, dims.value("access_mode", ""))
            .bind(11, dims["options"].dump())
            .bind(12, static_cast<int64_t>(c.threads))
            .bind(13, phase)
            .bind(14, unit)
            .bind(15, key)
            .bind(16, c.call)
            .bind(17, c.status)
            .bind(18, c.reason)
            .bind(23, static_cast<int64_t>(c.failures))
            .bind(38, nlohmann::json(j).dump())
            .bind(39, config_json(c).dump());
      };
      if (c.phases.empty()) {
        common("", "");
        m.bind(19, int64_t{0}).bind(20, int64_t{0}).bind(21, int64_t{0}).bind(22, int64_t{0});
        m.bind(37, int64_t{0}).bind(40, std::string("{}"));
        m.step();
        continue;
      }
      for (const auto& p : c.phases) {
        common(p.phase, p.unit);
        m.bind(19, static_cast<int64_t>(p.repetitions))
            .bind(20, static_cast<int64_t>(p.pooled.n))
            .bind(21, static_cast<int64_t>(p.noisy_batches))
            .bind(22, static_cast<int64_t>(p.discarded_batches));
        bind_summary(m, 24, p.pooled);
        m.bind(33, p.median_ci.low)
            .bind(34, p.median_ci.high)
            .bind(35, p.rep_medians.cv)
            .bind(36, p.harness_ns)
            .bind(37, int64_t{p.unreliable})
            .bind(40, phase_json(p).dump());
        m.step();
        for (const auto& x : p.reps) {
          rep.reset();
          rep.bind(1, id)
              .bind(2, key)
              .bind(3, p.phase)
              .bind(4, static_cast<int64_t>(x.index))
              .bind(5, static_cast<int64_t>(x.summary.n))
              .bind(6, static_cast<int64_t>(x.ops))
              .bind(7, static_cast<int64_t>(x.noisy_batches))
              .bind(8, static_cast<int64_t>(x.discarded_batches));
          bind_summary(rep, 9, x.summary);
          rep.step();
        }
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
  damaged_.clear();
  while (s.step()) {
    try {
      out.push_back(read_run(s));
    } catch (const Error& e) {
      damaged_.push_back("run " + std::to_string(s.i64(0)) + ": " + e.what());
    }
  }
  return out;
}

RunRow History::run(int64_t id) {
  Stmt s(db_, (std::string(kRunColumns) + " WHERE id = ?1").c_str());
  s.bind(1, id);
  if (!s.step())
    throw Error("no run " + std::to_string(id) + " in " + path_, "`kbench history` lists the runs it holds");
  try {
    return read_run(s);
  } catch (const Error& e) {
    throw Error("run " + std::to_string(id) + " in " + path_ + " is damaged: " + e.what(),
                "other runs can still be read; `kbench history` lists them");
  }
}

RunResults History::load(int64_t id) {
  const RunRow row = run(id);
  RunResults r;
  r.context = row.context;
  r.warnings = row.warnings;
  r.complete = row.status == "complete";
  r.emulated = row.emulated;
  r.planned_jobs = static_cast<size_t>(row.configs_planned);
  {
    Stmt s(db_, "SELECT derived_json, selftest_json, module_after_json FROM runs WHERE id = ?1");
    s.bind(1, id);
    s.step();
    try {
      const nlohmann::json derived = json_column(s, 0, "derived_json");
      if (derived.contains("kbench_vmalloc_stages")) derived_from_json(derived, r);
      r.selftest = json_column(s, 1, "selftest_json");
      const nlohmann::json after = json_column(s, 2, "module_after_json");
      if (!after.is_null()) r.module_after = after.get<ModuleInfo>();
    } catch (const std::exception& e) {
      throw Error("run " + std::to_string(id) + " in " + path_ + " is damaged: " + e.what());
    }
  }
  // Repetitions by configuration and phase.
  std::map<std::pair<std::string, std::string>, std::vector<RepetitionStats>> reps;
  {
    Stmt s(db_,
           "SELECT config_key, phase, rep_index, batches, ops, noisy_batches, discarded_batches, median_ns, min_ns, "
           "p90_ns, p99_ns, p999_ns, max_ns, mean_ns, stddev_ns, cv FROM repetitions WHERE run_id = ?1 "
           "ORDER BY rep_index");
    s.bind(1, id);
    while (s.step()) {
      RepetitionStats x;
      x.index = static_cast<uint32_t>(s.i64(2));
      x.summary = read_summary(s, 7, static_cast<size_t>(s.i64(3)));
      x.ops = static_cast<uint64_t>(s.i64(4));
      x.noisy_batches = static_cast<uint32_t>(s.i64(5));
      x.discarded_batches = static_cast<uint32_t>(s.i64(6));
      reps[{s.str(0), s.str(1)}].push_back(x);
    }
  }
  Stmt s(db_,
         "SELECT config_key, experiment, api, size_bytes, gfp, pattern, context, ops_per_batch, access_mode, phase, "
         "unit, call, status, reason, repetitions, batches, noisy_batches, discarded_batches, failures, median_ns, "
         "min_ns, p90_ns, p99_ns, p999_ns, max_ns, mean_ns, stddev_ns, cv, ci_low_ns, ci_high_ns, harness_ns, "
         "unreliable, job_json, config_json, phase_json FROM measurements WHERE run_id = ?1 ORDER BY rowid");
  s.bind(1, id);
  std::map<std::string, size_t> at;  // config key -> position in r.configs
  while (s.step()) {
    const std::string key = s.str(0);
    try {
      auto it = at.find(key);
      if (it == at.end()) {
        ConfigResult c;
        c.job = s.null(32) ? legacy_job(s) : json_column(s, 32, "job_json").get<Job>();
        c.call = s.str(11);
        c.status = s.str(12);
        c.reason = s.str(13);
        c.failures = static_cast<uint32_t>(s.i64(18));
        config_from(json_column(s, 33, "config_json"), c);
        it = at.emplace(key, r.configs.size()).first;
        r.configs.push_back(std::move(c));
      }
      const std::string phase = s.str(9);
      if (phase.empty()) continue;
      PhaseStats p;
      p.phase = phase;
      p.unit = s.str(10);
      p.repetitions = static_cast<uint32_t>(s.i64(14));
      p.noisy_batches = static_cast<uint32_t>(s.i64(16));
      p.discarded_batches = static_cast<uint32_t>(s.i64(17));
      p.pooled = read_summary(s, 19, static_cast<size_t>(s.i64(15)));
      p.median_ci.low = s.dbl(28);
      p.median_ci.high = s.dbl(29);
      p.harness_ns = s.null(30) ? -1 : s.dbl(30);
      p.unreliable = s.i64(31) != 0;
      phase_from(json_column(s, 34, "phase_json"), p);
      p.reps = reps[{key, phase}];
      r.configs[it->second].phases.push_back(std::move(p));
    } catch (const std::exception& e) {
      damaged_.push_back("run " + std::to_string(id) + ", " + key + ": " + e.what());
    }
  }
  return r;
}

}  // namespace kbench
