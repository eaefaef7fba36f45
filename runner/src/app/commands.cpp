// SPDX-License-Identifier: GPL-2.0
// commands.cpp - run and list: config -> plan -> target -> analysis -> reporters.
#include "app/commands.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "app/progress.h"
#include "config/config.h"
#include "config/options.h"
#include "config/sweep.h"
#include "core/error.h"
#include "report/reporter.h"
#include "store/history.h"
#include "target/process.h"
#include "target/target.h"

namespace kbench {
namespace {

std::atomic<bool> g_stop{false};

void on_sigint(int) {
  // Second Ctrl-C: leave at once (the target's files hold what was measured).
  if (g_stop.exchange(true)) ::_exit(130);
}

void install_sigint() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a running ioctl returns EINTR after its batch
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", std::localtime(&t));
  return buf;
}

std::string git_revision(const std::string& dir) {
  if (!have_program("git")) return "unknown";
  const CommandResult r = run_command({"git", "-C", dir, "rev-parse", "--short=12", "HEAD"});
  return r.exit_code == 0 ? trim(r.out) : "unknown";
}

TargetOptions target_options(const RunArgs& a) {
  TargetOptions o;
  o.kernel_args = a.kernel_args;
  o.mem_cap_mb = a.mem_cap_mb;
  o.module_params = a.module_params;
  o.stall_timeout_s = a.stall_timeout_s;
  o.boot_timeout_s = a.boot_timeout_s;
  o.qemu_clock = a.qemu_clock;
  o.guest_mem_mb = a.guest_mem_mb;
  return o;
}

// An estimate only from what was measured: an earlier complete run of the
// same config on the same target, scaled by the number of runs planned.
std::string estimate_from_history(const RunArgs& args, const Plan& plan) {
  const std::string path = args.db.empty() ? History::default_path() : args.db;
  if (!std::filesystem::exists(path)) return "estimated time: unknown (no history at " + path + ")";
  History db(path, History::Mode::ReadOnly);
  const std::string target = args.target == "auto" ? "" : args.target;
  for (const auto& r : db.runs(200)) {
    if (r.status != "complete" || r.config_path != args.config || (!target.empty() && r.target != target)) continue;
    const double reps_then = r.context.value("repetitions", 0.0);
    const double entries_then =
        reps_then > 0 ? reps_then * static_cast<double>(r.configs_planned) : static_cast<double>(r.configs_planned);
    const double est = r.wall_seconds * static_cast<double>(plan.order.size()) / std::max(entries_then, 1.0);
    return "estimated time: " + format_duration(est) + " (run " + std::to_string(r.id) + " of this config on " +
           r.target + " took " + format_duration(r.wall_seconds) + ")";
  }
  return "estimated time: unknown (no complete run of " + args.config + " on this target in " + path + ")";
}

void write_run_meta(const std::string& dir, const RunMeta& meta) {
  const std::string path = dir + "/run.json";
  std::ofstream f(path + ".tmp");
  f << meta_to_json(meta).dump(1) << "\n";
  f.close();
  if (!f) throw Error("cannot write " + path);
  std::filesystem::rename(path + ".tmp", path);
}

// Analysis and every reporter, for a run just measured or one imported.
// Exit code 0 complete, 3 incomplete.
int write_results(const RawRun& raw, const RunMeta& meta, const std::string& out, bool history, const std::string& db,
                  bool verbose, double wall) {
  const RunResults results = analyze(raw, meta);
  ReporterOptions ro;
  ro.out_dir = out;
  ro.verbose = verbose;
  ro.db_path = db.empty() ? History::default_path() : db;
  ro.meta = meta;
  ro.wall_seconds = wall;
  make_reporter("json", ro)->report(results);
  make_reporter("console", ro)->report(results);
  if (history) {
    try {
      make_reporter("history", ro)->report(results);
    } catch (const Error& e) {
      // results.json is written: losing the history entry must not lose the run.
      std::cerr << "kbench: warning: not saved in the history: " << e.what() << "\n";
    }
  }
  std::cout << "results: " << out << "/results.json (raw records: " << out << "/raw.ndjson)\n";
  return results.complete ? 0 : 3;
}

}  // namespace

int cmd_run(const RunArgs& args) {
  const Config config = load_config(args.config);
  std::vector<Job> jobs = expand_sweeps(config);
  if (jobs.empty()) throw Error(args.config + ": the sweeps expand to no configuration");
  add_harness_jobs(jobs);
  const RunSettings& rs = config.run;
  const uint64_t seed = args.seed ? *args.seed : rs.seed ? *rs.seed : std::random_device{}();
  const uint32_t reps = args.repetitions.value_or(rs.repetitions);
  Plan plan = make_plan(std::move(jobs), reps, rs.interleave, seed);
  plan.selftest = args.selftest;
  plan.warm_kernel = args.warm_kernel;
  plan.fuzz_calls = args.fuzz_ioctls;
  if (rs.max_repetitions) {
    plan.cv_target = rs.cv_target;
    plan.max_repetitions = std::max(rs.max_repetitions, reps);
  }

  if (args.dry_run) {
    std::map<std::string, size_t> per_api;
    uint64_t batches = 0;
    for (const auto& j : plan.jobs) ++per_api[j.reads(KBENCH_FIELD_API) ? j.api : std::string(j.experiment_name())];
    for (const auto& e : plan.order) batches += plan.jobs[e.config].batches + plan.jobs[e.config].warmup_batches;
    std::cout << plan.jobs.size() << " configurations x " << reps << " repetitions = " << plan.order.size() << " runs, "
              << batches << " batches, from " << args.config << " (order seed " << seed << ")\n";
    for (const auto& [api, n] : per_api) std::cout << "  " << api << ": " << n << "\n";
    std::cout << estimate_from_history(args, plan) << "\n";
    for (const auto& j : plan.jobs) std::cout << j.key() << "\n";
    return 0;
  }

  const Paths paths = default_paths();
  auto target = make_target(args.target, paths, target_options(args));
  std::filesystem::create_directories(args.out);
  const std::string raw_path = args.out + "/raw.ndjson";
  std::cerr << "kbench: " << plan.jobs.size() << " configurations x " << reps << " repetitions from " << args.config
            << " on " << target->name() << (target->emulated() ? " (EMULATED)" : "") << "\n";

  RunMeta meta;
  meta.target = target->name();
  meta.emulated = target->emulated();
  meta.config_path = args.config;
  meta.kbench_version = KBENCH_VERSION;
  meta.git_revision = paths.installed ? "installed" : git_revision(paths.source_dir);
  meta.date = iso_now();
  meta.target_details = target->details();
  meta.discard_noisy = rs.discard_noisy;
  meta.repetitions = reps;
  meta.campaign = args.campaign;
  // Before anything is measured: whatever ends this process, the records
  // it leaves can be imported (`kbench import`).
  write_run_meta(args.out, meta);

  install_sigint();
  const auto t0 = std::chrono::steady_clock::now();
  Progress progress(::isatty(STDERR_FILENO));
  RawRun raw;
  try {
    raw = target->execute(
        plan, raw_path, [&](size_t d, size_t t, const Job& j) { progress.update(d, t, j); }, &g_stop);
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();
  meta.target_details = target->details();  // what booting found out (QEMU's command line, the clock)
  write_run_meta(args.out, meta);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return write_results(raw, meta, args.out, args.history, args.db, args.verbose, wall);
}

int cmd_import(const ImportArgs& args) {
  const std::string meta_path = args.dir + "/run.json";
  const std::string raw_path = args.dir + "/raw.ndjson";
  std::ifstream mf(meta_path);
  if (!mf)
    throw Error("cannot read " + meta_path,
                "import takes the --out directory of a `kbench run` (it holds run.json and raw.ndjson)");
  RunMeta meta;
  try {
    meta = meta_from_json(nlohmann::json::parse(mf));
  } catch (const nlohmann::json::exception& e) {
    throw Error(meta_path + ": not a run description written by kbench (" + e.what() + ")");
  }
  std::ifstream rf(raw_path);
  if (!rf) throw Error("cannot read " + raw_path, "the run wrote nothing before it ended");
  const RawRun raw = read_records(rf);
  if (!raw.module_before)
    throw Error(raw_path + ": no start record: the target never began measuring",
                "nothing to import; the console log beside it (guest-console.log) may say why");
  std::cerr << "kbench: importing " << raw.jobs.size() << " measured runs from " << raw_path
            << (raw.ended ? "" : " (the run ended before its end record: saved as incomplete)") << "\n";
  return write_results(raw, meta, args.dir, args.history, args.db, args.verbose, 0);
}

int cmd_list(const ListArgs& args) {
  // One validate-only request per API x GFP base, per API x modifier and
  // per API x context: the module answers what this kernel accepts, and
  // its catalog says what each API is.
  Plan plan;
  plan.validate_only = true;
  std::vector<ApiOption> options;
  for (const auto& o : kbench::options())
    if (o.api_option && !o.def.empty()) {
      const Value v = default_value(o);
      const int64_t x = std::holds_alternative<bool>(v) ? std::get<bool>(v) : std::get<int64_t>(v);
      if (x) options.push_back({std::string(o.job_key), x});
    }
  auto add = [&](std::string_view api, Gfp gfp, uint32_t context) {
    Job j;
    j.api = std::string(api);
    j.size = 4096;
    j.gfp = gfp;
    j.context = context;
    j.ops_per_batch = 1;
    j.batches = 1;
    j.options = options;
    plan.jobs.push_back(j);
  };
  for (const auto& api : api_names()) {
    for (uint32_t g = 0; g < KBENCH_GFP_COUNT; ++g) add(api, Gfp{g, 0}, KBENCH_CTX_PREEMPT_ON);
    for (uint32_t m = 0; m < gfp_mod_names().size(); ++m)
      add(api, Gfp{KBENCH_GFP_KERNEL, 1U << m}, KBENCH_CTX_PREEMPT_ON);
    add(api, Gfp{KBENCH_GFP_ATOMIC, 0}, KBENCH_CTX_IRQS_OFF);
  }
  const Paths paths = default_paths();
  auto target = make_target(args.target, paths, TargetOptions{});
  std::filesystem::create_directories(args.out);
  RawRun raw = target->execute(plan, args.out + "/raw.ndjson", nullptr, nullptr);
  if (raw.module_before) {
    const auto& m = *raw.module_before;
    std::cout << "kernel " << m.release << " (" << target->name() << "), preempt " << m.preempt_model
              << ", init_on_alloc " << m.init_on_alloc() << ", kmalloc max " << format_size(m.kmalloc_max_size)
              << ", page orders 0.." << m.max_page_order << ", memory cap per run " << format_size(m.mem_cap_bytes)
              << "\n\n";
  }
  std::cout << "APIs (from the module):\n";
  for (const auto& a : raw.catalog.apis) {
    std::string caps;
    for (const auto& c : cap_names())
      if (a.has(c.bit)) caps += (caps.empty() ? "" : ",") + std::string(c.name);
    std::printf("  %-18s %-9s %-18s %s -> %s; %s\n", a.name.c_str(), a.family.c_str(),
                std::string(memory_names()[a.memory]).c_str(), a.call.c_str(), a.free_call.c_str(), caps.c_str());
    if (!a.note.empty()) std::printf("  %-18s   %s\n", "", a.note.c_str());
    if (!a.unavailable.empty()) std::printf("  %-18s   unavailable here: %s\n", "", a.unavailable.c_str());
  }
  std::cout << "\nValidity matrix at 4K (ok = accepted; a number = refused, reason below):\n";
  std::vector<std::string> cols;
  for (const auto& g : gfp_names()) cols.emplace_back(g);
  for (const auto& m : gfp_mod_names()) cols.push_back("+" + std::string(m));
  cols.emplace_back("irqs-off");
  std::map<std::string, int> reason_ids;
  std::vector<std::string> reasons;
  std::vector<std::pair<std::string, std::vector<std::string>>> cells;  // api -> its row, in list order
  for (const auto& rj : raw.jobs) {
    std::string cell = "ok";
    if (rj.outcome.err) {
      std::string why = rj.outcome.reason.empty() ? std::string(strerror(rj.outcome.err)) : rj.outcome.reason;
      auto [it, fresh] = reason_ids.emplace(why, static_cast<int>(reasons.size()) + 1);
      if (fresh) reasons.push_back(why);
      cell = std::to_string(it->second);
    }
    if (cells.empty() || cells.back().first != rj.job.api) cells.push_back({rj.job.api, {}});
    cells.back().second.push_back(cell);
  }
  // Columns are abbreviated: the full names are listed first.
  for (size_t i = 0; i < cols.size(); ++i) std::cout << "  c" << i + 1 << " = " << cols[i] << "\n";
  std::cout << "\n" << std::string(18, ' ');
  for (size_t i = 0; i < cols.size(); ++i) std::printf("%4s", ("c" + std::to_string(i + 1)).c_str());
  std::cout << "\n";
  for (const auto& [api, row] : cells) {
    std::printf("%-18s", api.c_str());
    for (const auto& c : row) std::printf("%4s", c.c_str());
    std::cout << "\n";
  }
  std::cout << "\nRefusal reasons:\n";
  for (size_t i = 0; i < reasons.size(); ++i) std::cout << "  " << i + 1 << ": " << reasons[i] << "\n";
  return 0;
}

}  // namespace kbench

namespace kbench {

int cmd_history(const std::string& db_path, int limit) {
  const std::string path = db_path.empty() ? History::default_path() : db_path;
  if (!std::filesystem::exists(path)) {
    std::cout << "no runs in " << path << " yet: `kbench run` adds one\n";
    return 0;
  }
  History db(path, History::Mode::ReadOnly);
  const auto runs = db.runs(limit);
  for (const auto& d : db.damaged())
    std::cerr << "kbench: warning: skipped a damaged row of the history: " << d << "\n";
  if (runs.empty()) {
    std::cout << "no runs in " << db.path() << " yet: `kbench run` adds one\n";
    return 0;
  }
  std::printf("%5s  %-24s  %-28s  %-10s  %-8s  %-10s  %8s  %s\n", "run", "date", "kernel", "target", "emulated",
              "status", "measured", "config [campaign]");
  for (const auto& r : runs) {
    const std::string campaign = r.context.value("kbench_campaign", "");
    std::printf("%5lld  %-24s  %-28s  %-10s  %-8s  %-10s  %8lld  %s%s\n", static_cast<long long>(r.id),
                r.started_at.c_str(), r.kernel_release.c_str(), r.target.c_str(), r.emulated ? "yes" : "no",
                r.status.c_str(), static_cast<long long>(r.measured), r.config_path.c_str(),
                campaign.empty() ? "" : (" [" + campaign + "]").c_str());
  }
  return 0;
}

namespace {

RunResults load_from_history(const std::string& db_path, int64_t id) {
  History db(db_path.empty() ? History::default_path() : db_path, History::Mode::ReadOnly);
  RunResults r = db.load(id);
  for (const auto& d : db.damaged())
    std::cerr << "kbench: warning: skipped a damaged row of the history: " << d << "\n";
  return r;
}

}  // namespace

int cmd_show(const std::string& db_path, int64_t id) {
  const RunResults r = load_from_history(db_path, id);
  std::cout << "run " << id << " of " << (db_path.empty() ? History::default_path() : db_path) << "\n";
  ReporterOptions ro;
  ro.verbose = true;
  make_reporter("console", ro)->report(r);
  return 0;
}

int cmd_export(const std::string& db_path, int64_t id, const std::string& format, const std::string& out) {
  if (format == "history") throw Error("export writes a file or stdout", "formats: json, csv, console");
  const RunResults r = load_from_history(db_path, id);
  ReporterOptions ro;
  ro.file = out.empty() ? "-" : out;
  ro.verbose = true;
  make_reporter(format, ro)->report(r);
  return 0;
}

}  // namespace kbench

namespace kbench {
namespace {

// Runs `python3 -m kbench_report ARGS` from the source tree and returns its exit code.
int run_report_package(const std::vector<std::string>& args) {
  const Paths paths = default_paths();
  const std::string pkg = paths.source_dir + "/reports";
  const char* old = std::getenv("PYTHONPATH");
  ::setenv("PYTHONPATH", (pkg + (old && *old ? ":" + std::string(old) : "")).c_str(), 1);
  // Debian's python3 has python3-matplotlib; another python3 on PATH may not.
  const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  std::vector<std::string> argv = {python, "-m", "kbench_report"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execvp(cargv[0], cargv.data());
    std::perror("kbench: cannot run python3");
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    throw Error(
        "the report package (" + python + ") was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")",
        sig == SIGILL ? "in a VM, its CPU model lacks an instruction a library uses (numpy's BLAS): try "
                        "another CPU model (QEMU: -cpu max)"
                      : "see dmesg for why (the OOM killer, a crash)");
  }
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (rc == 127 || (rc == 1 && !std::filesystem::exists(pkg)))
    throw Error("the report package could not run", "install python3 and python3-matplotlib (make run does)");
  return rc;
}

}  // namespace

int cmd_report(const std::vector<std::string>& results, const std::string& out) {
  std::vector<std::string> args = {"html"};
  args.insert(args.end(), results.begin(), results.end());
  args.insert(args.end(), {"--out", out});
  return run_report_package(args);
}

int cmd_kernels() {
  const Paths paths = default_paths();
  const CommandResult r = run_command({paths.source_dir + "/scripts/list-kernels.sh", paths.cache_dir + "/kernels"});
  std::cout << r.out;
  if (r.exit_code != 0) throw Error("listing Debian's kernels failed (exit " + std::to_string(r.exit_code) + ")");
  return 0;
}

namespace {

// A gate's threshold as the report package takes it: "5%" (or 0.05).
void check_threshold(const std::string& t) {
  static const std::regex share(R"(([0-9]+(\.[0-9]+)?%)|(0?\.[0-9]+))");
  if (!std::regex_match(t, share))
    throw Error("--fail-above " + t + ": not a share", "write a percentage, e.g. --fail-above 5%");
}

}  // namespace

int cmd_matrix(const MatrixArgs& a) {
  std::vector<std::string> targets;
  std::stringstream list(a.kernels);
  for (std::string k; std::getline(list, k, ',');) {
    k = trim(k);
    if (k.empty()) continue;
    targets.push_back(k == "host" || k.rfind("qemu:", 0) == 0 ? k : "qemu:" + k);
  }
  if (targets.size() < 2)
    throw Error("--kernels names " + std::to_string(targets.size()) + " kernel(s)",
                "a matrix needs two or more, e.g. --kernels 6.1,6.12");
  if (!a.fail_above.empty()) check_threshold(a.fail_above);
  const Paths paths = default_paths();
  // An unknown target or a kernel tree that is not built fails here, before any boot.
  for (const auto& t : targets) make_target(t, paths, TargetOptions{});
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::gmtime(&now));
  const std::string campaign = std::string("matrix-") + stamp;
  const std::string dir = a.run.out + "/" + campaign;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> results;
  std::vector<std::string> failed;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (g_stop.load()) {  // Ctrl-C: what was measured is kept and compared
      for (size_t j = i; j < targets.size(); ++j) failed.push_back(targets[j] + " (not run: stopped)");
      break;
    }
    RunArgs r = a.run;
    r.target = targets[i];
    r.campaign = campaign;
    std::string sub = targets[i].substr(targets[i].rfind(':') + 1);
    for (char& ch : sub)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-') ch = '_';
    r.out = dir + "/";
    r.out += std::to_string(i + 1) + "-" + sub;
    if (!a.clock_given && targets[i] != "host") r.qemu_clock = "icount";
    std::cout << "== matrix " << i + 1 << "/" << targets.size() << ": " << targets[i] << " (" << campaign << ")\n";
    try {
      if (cmd_run(r) != 0) failed.push_back(targets[i] + " (incomplete)");
    } catch (const Error& e) {
      std::cerr << "kbench: matrix: " << targets[i] << " failed: " << e.what() << "\n";
      failed.push_back(targets[i]);
    }
    if (std::filesystem::exists(r.out + "/results.json")) results.push_back(r.out + "/results.json");
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "matrix: " << results.size() << " of " << targets.size() << " kernels measured in "
            << static_cast<int>(wall) << " s";
  if (!failed.empty()) {
    std::cout << "; not complete:";
    for (const auto& f : failed) std::cout << " " << f;
  }
  std::cout << "\n";
  if (results.size() < 2) throw Error("fewer than two kernels were measured: nothing to compare");
  std::vector<std::string> args = {"matrix"};
  args.insert(args.end(), results.begin(), results.end());
  args.insert(args.end(), {"--out", dir, "--format", a.format});
  if (!a.fail_above.empty()) args.insert(args.end(), {"--fail-above", a.fail_above});
  // A regression found outranks a kernel that failed: the gate's answer
  // first; then 3 for a matrix with a hole in it.
  const int rc = run_report_package(args);
  if (rc == 2 || rc == 1) return rc;
  return failed.empty() ? rc : 3;
}

int cmd_compare(const CompareArgs& a) {
  if (!a.fail_above.empty()) check_threshold(a.fail_above);
  std::vector<std::string> args = {"compare", a.base, a.other, "--format", a.format};
  if (!a.fail_above.empty()) args.insert(args.end(), {"--fail-above", a.fail_above});
  if (!a.output.empty()) args.insert(args.end(), {"--output", a.output});
  return run_report_package(args);
}

int cmd_advise(const AdviseArgs& a) {
  std::string results = a.results;
  std::string tmp;
  if (results.empty()) {
    History db(a.db.empty() ? History::default_path() : a.db, History::Mode::ReadOnly);
    int64_t id = a.run;
    if (id == 0) {
      const auto runs = db.runs(1);
      if (runs.empty()) throw Error("no results to advise from", "run `kbench run` first, or pass --results FILE");
      id = runs.front().id;
    }
    const RunRow row = db.run(id);
    tmp = (std::filesystem::temp_directory_path() / ("kbench-advise-" + std::to_string(::getpid()) + ".json")).string();
    std::ofstream(tmp) << results_to_gbench_json(db.load(id)).dump();
    results = tmp;
    std::cout << "from run " << id << " of " << db.path() << " (" << row.kernel_release << ", " << row.target << ")\n";
  }
  std::vector<std::string> args = {"advise", "--size", a.size, "--results", results};
  if (a.atomic) args.emplace_back("--atomic");
  if (a.contiguous) args.emplace_back("--contiguous");
  if (a.hot) args.emplace_back("--hot");
  if (a.one_off) args.emplace_back("--one-off");
  if (a.forward_progress) args.emplace_back("--forward-progress");
  const int rc = run_report_package(args);
  if (!tmp.empty()) std::filesystem::remove(tmp);
  return rc;
}

}  // namespace kbench
