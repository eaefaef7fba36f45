// SPDX-License-Identifier: GPL-2.0
// plan.cpp - plan (de)serialisation, the plan executor and the record reader.
#include "measure/plan.h"

#include <sched.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <istream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "analysis/phases.h"
#include "config/options.h"
#include "core/error.h"
#include "core/experiments.h"
#include "measure/raw_event.h"
#include "stats/statistics.h"

namespace kbench {

void to_json(nlohmann::json& j, const Plan& plan) {
  nlohmann::json order = nlohmann::json::array();
  for (const auto& e : plan.order) order.push_back({e.config, e.repetition});
  j = nlohmann::json{{"format", kRecordFormatVersion},
                     {"validate_only", plan.validate_only},
                     {"selftest", plan.selftest},
                     {"warm_kernel", plan.warm_kernel},
                     {"fuzz_calls", plan.fuzz_calls},
                     {"seed", plan.seed},
                     {"cv_target", plan.cv_target},
                     {"max_repetitions", plan.max_repetitions},
                     {"order", order},
                     {"jobs", plan.jobs}};
}

Plan make_plan(std::vector<Job> jobs, uint32_t repetitions, bool interleave, uint64_t seed) {
  Plan plan;
  plan.seed = seed;
  for (uint32_t c = 0; c < jobs.size(); ++c)
    for (uint32_t r = 0; r < std::max(1U, repetitions); ++r) plan.order.push_back({c, r});
  if (interleave) {
    std::mt19937_64 rng(seed);
    std::shuffle(plan.order.begin(), plan.order.end(), rng);
    // Keep repetitions of one configuration in their own order, so
    // repetition r always runs before r + 1.
    std::vector<uint32_t> next(jobs.size(), 0);
    for (auto& e : plan.order) e.repetition = next[e.config]++;
  }
  plan.jobs = std::move(jobs);
  return plan;
}

std::string normalize_job(Job& job, const Catalog& catalog) {
  const ExperimentInfo* e = catalog.experiment(job.experiment);
  if (!e) return "the loaded kbench module has no experiment '" + std::string(job.experiment_name()) + "'";
  if (e->fields != experiment_spec(job.experiment).fields)
    return "the runner and the loaded kbench module disagree about what the " + e->name +
           " experiment reads (built from different trees?)";
  if (!job.reads(KBENCH_FIELD_API)) return {};
  const ApiInfo* api = catalog.api(job.api);
  if (!api) return {};  // the device refuses it with the reason
  std::erase_if(job.options, [&](const ApiOption& o) {
    const Option* opt = find_api_option(o.key);
    return !opt || !api->takes(opt->api_option);
  });
  return {};
}

void from_json(const nlohmann::json& j, Plan& plan) {
  if (j.value("format", 0) != kRecordFormatVersion)
    throw Error("plan has format " + std::to_string(j.value("format", 0)) + ", expected " +
                std::to_string(kRecordFormatVersion));
  plan.validate_only = j.at("validate_only");
  plan.selftest = j.at("selftest");
  plan.warm_kernel = j.value("warm_kernel", false);
  plan.fuzz_calls = j.value("fuzz_calls", uint64_t{0});
  plan.seed = j.value("seed", 0ULL);
  plan.cv_target = j.value("cv_target", 0.0);
  plan.max_repetitions = j.value("max_repetitions", 0U);
  plan.jobs = j.at("jobs").get<std::vector<Job>>();
  for (const auto& e : j.at("order")) plan.order.push_back({e.at(0).get<uint32_t>(), e.at(1).get<uint32_t>()});
  for (const auto& e : plan.order)
    if (e.config >= plan.jobs.size()) throw Error("plan order names configuration " + std::to_string(e.config));
}

namespace {

// A counter as [status, flags, [value per slot...]] in the record stream.
nlohmann::json counter_to_json(const kbench_counter& k) {
  return {k.status, k.flags, std::vector<uint64_t>(std::begin(k.value), std::end(k.value))};
}

kbench_counter counter_from_json(const nlohmann::json& j) {
  kbench_counter k{};
  k.status = j.at(0);
  k.flags = j.at(1);
  const auto& v = j.at(2);
  for (size_t i = 0; i < std::size(k.value) && i < v.size(); ++i) k.value[i] = v.at(i);
  return k;
}

}  // namespace

nlohmann::json outcome_to_json(const RunOutcome& o) {
  // A sample as [flags, cpu, ops, failed, [cycles...], [count...]], the
  // slot arrays cut after the last slot any sample used; on a team of
  // threads also [[begin_ns...], [end_ns...]].
  size_t slots = 0;
  for (const auto& s : o.samples)
    for (size_t i = 0; i < KBENCH_SAMPLE_SLOTS; ++i)
      if (s.count[i]) slots = std::max(slots, i + 1);
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : o.samples) {
    nlohmann::json one = {s.flags,
                          s.cpu,
                          s.ops,
                          s.failed,
                          std::vector<uint64_t>(s.cycles, s.cycles + slots),
                          std::vector<uint32_t>(s.count, s.count + slots)};
    // The phases' spans matter only across the threads of a team.
    if (o.threads > 1)
      one.push_back({std::vector<uint64_t>(std::begin(s.begin_ns), std::end(s.begin_ns)),
                     std::vector<uint64_t>(std::begin(s.end_ns), std::end(s.end_ns))});
    samples.push_back(one);
  }
  nlohmann::json j = {{"errno", o.err},
                      {"error", o.err ? std::strerror(o.err) : ""},
                      {"reason", o.reason},
                      {"bad_field", o.bad_field},
                      {"call", o.call},
                      {"footprint_bytes", o.footprint_bytes},
                      {"nowarn_added", o.nowarn_added},
                      {"failed_total", o.failed_total},
                      {"samples", samples}};
  if (o.threads > 1) j["threads"] = o.threads;
  if (!o.values.is_null()) j["values"] = o.values;
  // Histograms sparse: [[bucket, count], ...] per slot.
  if (!o.hist.empty()) {
    nlohmann::json h = nlohmann::json::array();
    for (const auto& slot : o.hist) {
      nlohmann::json pairs = nlohmann::json::array();
      for (size_t b = 0; b < slot.size(); ++b)
        if (slot[b]) pairs.push_back({b, slot[b]});
      h.push_back(pairs);
    }
    j["hist"] = h;
  }
  if (o.counters) {
    nlohmann::json c = nlohmann::json::array();
    for (const auto& k : o.counters->c) c.push_back(counter_to_json(k));
    j["counters"] = c;
    j["raw_counter"] = counter_to_json(o.counters->raw);
  }
  if (!o.interrupts.is_null()) j["interrupts"] = o.interrupts;
  if (!o.vmstat.is_null()) j["vmstat"] = o.vmstat;
  if (!o.raw_event_error.empty()) j["raw_event_error"] = o.raw_event_error;
  return j;
}

RunOutcome outcome_from_json(const nlohmann::json& j) {
  RunOutcome o;
  o.err = j.at("errno");
  o.reason = j.at("reason");
  o.bad_field = j.at("bad_field");
  o.call = j.at("call");
  o.footprint_bytes = j.at("footprint_bytes");
  o.nowarn_added = j.at("nowarn_added");
  o.failed_total = j.at("failed_total");
  o.threads = j.value("threads", 1U);
  if (j.contains("values")) o.values = j.at("values");
  if (j.contains("hist")) {
    for (const auto& pairs : j.at("hist")) {
      std::vector<uint64_t> slot(KBENCH_HIST_BUCKETS, 0);
      for (const auto& p : pairs) {
        const size_t b = p.at(0).get<size_t>();
        if (b >= slot.size()) throw Error("histogram bucket " + std::to_string(b) + " out of range");
        slot[b] = p.at(1).get<uint64_t>();
      }
      o.hist.push_back(std::move(slot));
    }
  }
  if (j.contains("counters")) {
    kbench_counters c{};
    size_t i = 0;
    for (const auto& k : j.at("counters")) {
      if (i >= std::size(c.c)) break;
      c.c[i++] = counter_from_json(k);
    }
    if (j.contains("raw_counter")) c.raw = counter_from_json(j.at("raw_counter"));
    o.counters = c;
  }
  o.raw_event_error = j.value("raw_event_error", std::string());
  if (j.contains("interrupts")) o.interrupts = j.at("interrupts");
  if (j.contains("vmstat")) o.vmstat = j.at("vmstat");
  for (const auto& s : j.at("samples")) {
    kbench_sample k{};
    k.flags = s.at(0);
    k.cpu = s.at(1);
    k.ops = s.at(2);
    k.failed = s.at(3);
    const auto& cycles = s.at(4);
    const auto& count = s.at(5);
    if (cycles.size() > KBENCH_SAMPLE_SLOTS || count.size() != cycles.size())
      throw Error("a sample has " + std::to_string(cycles.size()) + " slots of cycles and " +
                  std::to_string(count.size()) + " of counts");
    for (size_t i = 0; i < cycles.size(); ++i) {
      k.cycles[i] = cycles.at(i);
      k.count[i] = count.at(i);
    }
    if (s.size() > 6) {
      const auto& begin = s.at(6).at(0);
      const auto& end = s.at(6).at(1);
      for (size_t i = 0; i < KBENCH_SPAN_SLOTS && i < begin.size() && i < end.size(); ++i) {
        k.begin_ns[i] = begin.at(i);
        k.end_ns[i] = end.at(i);
      }
    }
    o.samples.push_back(k);
  }
  if (o.threads == 0 || o.samples.size() % o.threads)
    throw Error(std::to_string(o.samples.size()) + " samples cannot be " + std::to_string(o.threads) +
                " threads' batches");
  return o;
}

FdRecordSink::FdRecordSink(int fd) : fd_(fd) {
  termios tio{};
  if (::isatty(fd_) && ::tcgetattr(fd_, &tio) == 0) {
    ::cfmakeraw(&tio);
    ::tcsetattr(fd_, TCSANOW, &tio);
  }
}

void FdRecordSink::write(const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("writing results failed: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
}

namespace {

// Answers that would be the same next time: the configuration is asked
// once (ETIME: its batch ran past the module's time bound, every time).
bool refused(int err) { return err == EOPNOTSUPP || err == EFBIG || err == EINVAL || err == ETIME; }

// Totals over all CPUs of the /proc/interrupts lines that count TLB
// shootdowns ("TLB") and function-call IPIs, which carry kernel-range
// flushes such as the lazy vmalloc purge ("CAL").
std::map<std::string, uint64_t> read_ipi_counts() {
  std::map<std::string, uint64_t> out;
  std::ifstream in("/proc/interrupts");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string label;
    ss >> label;
    if (label != "TLB:" && label != "CAL:") continue;
    uint64_t total = 0, v = 0;
    while (ss >> v) total += v;
    out[label.substr(0, 3)] = total;
  }
  return out;
}

// The /proc/vmstat counters of compaction and reclaim: what the kernel did
// to serve allocations while a job ran (the fragmented condition above all).
std::map<std::string, uint64_t> read_vmstat() {
  static const std::set<std::string> kKeys = {
      "compact_stall",  "compact_fail",   "compact_success",  "pgscan_kswapd",     "pgscan_direct",
      "pgsteal_kswapd", "pgsteal_direct", "allocstall_dma32", "allocstall_normal", "allocstall_movable"};
  std::map<std::string, uint64_t> out;
  std::ifstream in("/proc/vmstat");
  std::string key;
  uint64_t v = 0;
  while (in >> key >> v)
    if (kKeys.count(key)) out[key] = v;
  return out;
}

}  // namespace

// Pins the calling thread to the highest CPU it may run on (away from CPU 0,
// which takes most housekeeping), so batches do not migrate mid-run.
// Returns that CPU, or -1 if pinning failed (batches then flag migrations).
int pin_to_one_cpu() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return -1;
  for (int cpu = CPU_SETSIZE - 1; cpu >= 0; --cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return ::sched_setaffinity(0, sizeof(one), &one) == 0 ? cpu : -1;
  }
  return -1;
}

// Brings a freshly booted kernel to the state of one that has been running
// before anything is measured. Measured on Debian 6.12 under icount: for
// about the first second of vmalloc(1M)+vfree pairs after boot each costs
// twice what every later one does (6.1 shows no such step; the page
// allocator's per-CPU lists tune themselves from use since 6.7), so the
// first runs of a plan read 1.4-2x high and repetitions disagree. Rounds of
// steady-state vmalloc(1M) pairs run, their figures kept only here, until
// they have kept the kernel busy for kMinBusyS and the last three rounds
// agree within 1 % (a plateau alone is not enough: the slow rounds can
// agree too); at most kMaxRounds rounds or kMaxS seconds of the target's
// clock. Returns what it saw, for the context.
nlohmann::json warm_kernel(Device& device, const Catalog& catalog, uint32_t clock_khz, const std::atomic<bool>* stop) {
  // kMaxS: under plain TCG (no icount) rounds rarely agree within 1 %, and
  // a quick run must stay quick.
  constexpr double kSettled = 0.01, kMinBusyS = 1.5, kMaxS = 5;
  constexpr size_t kAgreeing = 3, kMaxRounds = 200;
  Job job;
  job.api = "vmalloc";
  job.size = 1 << 20;
  job.state = kStateSteady;
  job.batches = 2;
  job.counters = false;
  job.sweep = "kernel-warmup";
  nlohmann::json out = {{"api", "vmalloc"}, {"size_bytes", job.size}, {"state", "steady"}, {"settled", false}};
  const ExperimentInfo* exp = catalog.experiment(job.experiment);
  if (!exp || !normalize_job(job, catalog).empty() || !clock_khz) {
    out["reason"] = "this module cannot run vmalloc(1M) pairs";
    return out;
  }
  std::vector<double> rounds;
  double busy_s = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto spread = [&] {
    const auto [lo, hi] = std::minmax_element(rounds.end() - kAgreeing, rounds.end());
    return *hi / *lo - 1;
  };
  bool settled = false;
  while (!settled && rounds.size() < kMaxRounds && !(stop && stop->load()) &&
         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < kMaxS) {
    const RunOutcome o = device.run(job, false);
    if (o.err) {
      out["reason"] = "vmalloc(1M) failed: " + (o.reason.empty() ? std::string(std::strerror(o.err)) : o.reason);
      break;
    }
    for (const auto& smp : o.samples)
      for (const uint64_t ticks : smp.cycles) busy_s += static_cast<double>(ticks) / clock_khz / 1e3;
    rounds.push_back(headline_median(phase_samples(o, *exp, clock_khz, false)));
    settled = busy_s >= kMinBusyS && rounds.size() >= kAgreeing && spread() < kSettled;
  }
  out["rounds_ns_per_pair"] = rounds;
  out["settled"] = settled;
  out["busy_seconds"] = busy_s;
  out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rounds.size() >= kAgreeing) out["last_rounds_spread"] = spread();
  return out;
}

void execute_plan(const Plan& plan, Device& device, RecordSink& sink, const nlohmann::json& environment,
                  const ProgressFn& progress, const std::atomic<bool>* stop) {
  nlohmann::json env = environment.is_object() ? environment : nlohmann::json::object();
  env["benchmark_cpu"] = pin_to_one_cpu();
  std::vector<PlanEntry> order = plan.order;
  if (order.empty())
    for (uint32_t c = 0; c < plan.jobs.size(); ++c) order.push_back({c, 0});
  const ModuleInfo module = device.info();
  const Catalog catalog = device.catalog();
  if (!plan.validate_only && plan.warm_kernel)
    env["kernel_warmup"] = warm_kernel(device, catalog, module.clock_khz, stop);
  sink.write({{"type", "start"},
              {"format", kRecordFormatVersion},
              {"environment", env},
              {"module", module},
              {"catalog", catalog},
              {"jobs", order.size()},
              {"configs", plan.jobs.size()},
              {"seed", plan.seed},
              {"cv_target", plan.cv_target},
              {"max_repetitions", plan.max_repetitions}});
  const bool dynamic = plan.max_repetitions > 0 && plan.cv_target > 0 && !plan.validate_only;
  std::vector<std::vector<double>> medians(plan.jobs.size());
  std::vector<bool> skip(plan.jobs.size(), false);  // refused once: refused always
  std::mt19937_64 rng(plan.seed ^ 0x5bd1e995ULL);
  std::map<std::string, RawEvent> raw_events;
  bool interrupted = false;
  size_t done = 0;
  for (size_t i = 0; i < order.size() && !interrupted; ++i) {
    const PlanEntry e = order[i];
    if (skip[e.config]) continue;
    if (stop && stop->load()) {
      interrupted = true;
      break;
    }
    Job job = plan.jobs[e.config];
    if (progress) progress(done, order.size(), job);
    RunOutcome outcome;
    if (const std::string why = normalize_job(job, catalog); !why.empty()) {
      outcome.err = EOPNOTSUPP;
      outcome.reason = why;
    } else {
      // A model-specific event is named in the config and resolved here,
      // on the machine whose PMU counts it.
      std::string raw_error;
      const ExperimentInfo* exp = catalog.experiment(job.experiment);
      if (!(exp->flags & KBENCH_EXPF_COUNTERS)) job.counters = false;
      if (!job.raw_event.empty() && job.counters) {
        auto it = raw_events.find(job.raw_event);
        if (it == raw_events.end()) it = raw_events.emplace(job.raw_event, resolve_raw_event(job.raw_event)).first;
        job.raw_type = it->second.type;
        job.raw_config = it->second.ok ? it->second.config : 0;
        raw_error = it->second.error;
      }
      const auto ipi_before = read_ipi_counts();
      const auto vmstat_before = read_vmstat();
      outcome = device.run(job, plan.validate_only);
      outcome.raw_event_error = raw_error;
      // In steady state the module chose the batch size: record what ran.
      if (job.steady() && outcome.values.is_object() && outcome.values.contains("ops_per_batch"))
        job.ops_per_batch = outcome.values["ops_per_batch"].get<uint32_t>();
      if (!plan.validate_only && !ipi_before.empty()) {
        const auto ipi_after = read_ipi_counts();
        outcome.interrupts = nlohmann::json::object();
        for (const auto& [k, v] : ipi_before) outcome.interrupts[k] = ipi_after.at(k) - v;
      }
      if (!plan.validate_only && !vmstat_before.empty()) {
        // Only what changed: most jobs compact and reclaim nothing.
        const auto vmstat_after = read_vmstat();
        for (const auto& [k, v] : vmstat_before)
          if (vmstat_after.count(k) && vmstat_after.at(k) > v) outcome.vmstat[k] = vmstat_after.at(k) - v;
      }
      if (outcome.err == 0)
        medians[e.config].push_back(headline_median(phase_samples(outcome, *exp, module.clock_khz, false)));
    }
    sink.write({{"type", "job"},
                {"index", i},
                {"config", e.config},
                {"repetition", e.repetition},
                {"job", job},
                {"outcome", outcome_to_json(outcome)}});
    ++done;
    if (outcome.err == EINTR) interrupted = true;
    if (refused(outcome.err)) skip[e.config] = true;
    // Dynamic run count: when the planned order is exhausted, add one more
    // round for the configurations still too noisy. The spread is that of
    // the repetitions' headline medians, for every experiment alike.
    if (dynamic && i + 1 == order.size()) {
      std::vector<PlanEntry> round;
      for (uint32_t c = 0; c < plan.jobs.size(); ++c) {
        const Summary m = summarize(medians[c]);
        // Settled, or its spread clearly the machine's (the cv's 95 % lower
        // bound above the target): more repetitions would not bring the
        // cv down, only double the time (plain TCG, every configuration).
        const bool settled = m.n >= 2 && m.cv <= plan.cv_target;
        const bool out_of_reach = cv_lower_bound(m.cv, m.n) > plan.cv_target;
        if (!skip[c] && !medians[c].empty() && medians[c].size() < plan.max_repetitions && !settled && !out_of_reach)
          round.push_back({c, static_cast<uint32_t>(medians[c].size())});
      }
      std::shuffle(round.begin(), round.end(), rng);
      order.insert(order.end(), round.begin(), round.end());
    }
  }
  if (progress && !plan.jobs.empty()) progress(done, done, plan.jobs.front());
  sink.write({{"type", "end"}, {"module", device.info()}, {"jobs_done", done}, {"interrupted", interrupted}});
}

namespace {

// One record line into the run; throws nlohmann::json::exception or Error
// for a record of an unexpected shape.
void read_record(const nlohmann::json& rec, RawRun& run) {
  if (!rec.is_object()) throw Error("not a JSON object");
  const std::string type = rec.at("type").get<std::string>();
  if (type == "start") {
    if (rec.at("format").get<int>() != kRecordFormatVersion)
      throw Error("record format " + std::to_string(rec.at("format").get<int>()) + ", this kbench reads " +
                  std::to_string(kRecordFormatVersion));
    run.environment = rec.at("environment");
    run.module_before = rec.at("module").get<ModuleInfo>();
    run.catalog = rec.at("catalog").get<Catalog>();
    run.planned_jobs = rec.at("jobs");
    run.configs = rec.value("configs", size_t{0});
    run.seed = rec.value("seed", 0ULL);
    run.cv_target = rec.value("cv_target", 0.0);
    run.max_repetitions = rec.value("max_repetitions", 0U);
  } else if (type == "job") {
    RawJob j;
    j.index = rec.at("index");
    j.config = rec.at("config");
    j.repetition = rec.at("repetition");
    if (run.configs && j.config >= run.configs)
      throw Error("configuration " + std::to_string(j.config) + " of " + std::to_string(run.configs) + " announced");
    j.job = rec.at("job").get<Job>();
    j.outcome = outcome_from_json(rec.at("outcome"));
    run.jobs.push_back(std::move(j));
  } else if (type == "selftest") {
    run.selftest = rec.at("checks");
  } else if (type == "fuzz") {
    run.fuzz = rec.at("result");
    if (!run.fuzz.is_object()) throw Error("the fuzz record's result is not an object");
  } else if (type == "end") {
    run.module_after = rec.at("module").get<ModuleInfo>();
    run.interrupted = rec.at("interrupted");
    run.ended = true;
  } else {
    throw Error("unknown record type '" + type + "'");
  }
}

}  // namespace

RawRun read_records(std::istream& in) {
  RawRun run;
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    nlohmann::json rec;
    try {
      rec = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      run.bad_records.push_back("line " + std::to_string(lineno) + ": not one whole JSON record");
      continue;
    }
    try {
      read_record(rec, run);
    } catch (const std::exception& e) {
      std::string what = e.what();
      if (const auto pos = what.find("] "); what.rfind("[json.exception", 0) == 0 && pos != std::string::npos)
        what = what.substr(pos + 2);
      run.bad_records.push_back("line " + std::to_string(lineno) + ": " + what);
    }
  }
  return run;
}

}  // namespace kbench
