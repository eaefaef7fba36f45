// SPDX-License-Identifier: GPL-2.0
// plan.cpp - plan (de)serialisation, the plan executor and the record reader.
#include "measure/plan.h"

#include <sched.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <istream>
#include <map>
#include <random>
#include <sstream>

#include "core/error.h"
#include "measure/raw_event.h"

namespace kbench {

void to_json(nlohmann::json& j, const Plan& plan) {
  nlohmann::json order = nlohmann::json::array();
  for (const auto& e : plan.order) order.push_back({e.config, e.repetition});
  j = nlohmann::json{{"format", kRecordFormatVersion},
                     {"validate_only", plan.validate_only},
                     {"selftest", plan.selftest},
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

double repetition_median(const RunOutcome& outcome) {
  std::vector<double> v;
  for (const auto& s : outcome.samples)
    if (s.ops) v.push_back(static_cast<double>(s.alloc_cycles) / s.ops);
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void from_json(const nlohmann::json& j, Plan& plan) {
  if (j.value("format", 0) != kRecordFormatVersion)
    throw Error("plan has format " + std::to_string(j.value("format", 0)) + ", expected " +
                std::to_string(kRecordFormatVersion));
  plan.validate_only = j.at("validate_only");
  plan.selftest = j.at("selftest");
  plan.seed = j.value("seed", 0ULL);
  plan.cv_target = j.value("cv_target", 0.0);
  plan.max_repetitions = j.value("max_repetitions", 0U);
  plan.jobs = j.at("jobs").get<std::vector<Job>>();
  for (const auto& e : j.at("order")) plan.order.push_back({e.at(0).get<uint32_t>(), e.at(1).get<uint32_t>()});
  for (const auto& e : plan.order)
    if (e.config >= plan.jobs.size()) throw Error("plan order names configuration " + std::to_string(e.config));
}

namespace {

// A counter as [status, flags, value, value2] in the record stream.
nlohmann::json counter_to_json(const kbench_counter& k) { return {k.status, k.flags, k.value, k.value2}; }

kbench_counter counter_from_json(const nlohmann::json& j) {
  kbench_counter k{};
  k.status = j.at(0);
  k.flags = j.at(1);
  k.value = j.at(2);
  k.value2 = j.at(3);
  return k;
}

}  // namespace

nlohmann::json outcome_to_json(const RunOutcome& o) {
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : o.samples) samples.push_back({s.alloc_cycles, s.free_cycles, s.ops, s.failed, s.flags, s.cpu});
  nlohmann::json j = {{"errno", o.err},
                      {"error", o.err ? std::strerror(o.err) : ""},
                      {"reason", o.reason},
                      {"bad_field", o.bad_field},
                      {"call", o.call},
                      {"footprint_bytes", o.footprint_bytes},
                      {"nowarn_added", o.nowarn_added},
                      {"failed_total", o.failed_total},
                      {"samples", samples}};
  if (!o.probe_samples.empty()) {
    nlohmann::json ps = nlohmann::json::array();
    for (const auto& p : o.probe_samples) ps.push_back(std::vector<uint64_t>(std::begin(p.cycles), std::end(p.cycles)));
    j["probe_samples"] = ps;
    j["touches"] = o.touches;
  }
  if (o.footprint) {
    const Footprint& f = *o.footprint;
    j["footprint"] = {{"map_4k", f.map_4k},     {"map_2m", f.map_2m},           {"map_1g", f.map_1g},
                      {"unmapped", f.unmapped}, {"level_shift", f.level_shift}, {"in_vmalloc", f.in_vmalloc}};
  }
  if (o.counters) {
    nlohmann::json c = nlohmann::json::array();
    for (const auto& k : o.counters->c) c.push_back(counter_to_json(k));
    j["counters"] = c;
    j["raw_counter"] = counter_to_json(o.counters->raw);
  }
  if (!o.interrupts.is_null()) j["interrupts"] = o.interrupts;
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
  if (j.contains("probe_samples")) {
    for (const auto& p : j.at("probe_samples")) {
      kbench_probe_sample k{};
      for (size_t i = 0; i < std::size(k.cycles) && i < p.size(); ++i) k.cycles[i] = p.at(i);
      o.probe_samples.push_back(k);
    }
    o.touches = j.value("touches", uint64_t{0});
  }
  if (j.contains("footprint")) {
    const auto& f = j.at("footprint");
    Footprint fp;
    fp.map_4k = f.at("map_4k");
    fp.map_2m = f.at("map_2m");
    fp.map_1g = f.at("map_1g");
    fp.unmapped = f.at("unmapped");
    fp.level_shift = f.at("level_shift");
    fp.in_vmalloc = f.at("in_vmalloc");
    o.footprint = fp;
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
  for (const auto& s : j.at("samples")) {
    kbench_sample k{};
    k.alloc_cycles = s.at(0);
    k.free_cycles = s.at(1);
    k.ops = s.at(2);
    k.failed = s.at(3);
    k.flags = s.at(4);
    k.cpu = s.at(5);
    o.samples.push_back(k);
  }
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

bool refused(int err) { return err == EOPNOTSUPP || err == EFBIG || err == EINVAL; }

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

double cv_of(const std::vector<double>& v) {
  if (v.size() < 2) return std::nan("");
  double mean = 0;
  for (const double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double sq = 0;
  for (const double x : v) sq += (x - mean) * (x - mean);
  return mean > 0 ? std::sqrt(sq / static_cast<double>(v.size() - 1)) / mean : std::nan("");
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

void execute_plan(const Plan& plan, Device& device, RecordSink& sink, const nlohmann::json& environment,
                  const ProgressFn& progress, const std::atomic<bool>* stop) {
  nlohmann::json env = environment.is_object() ? environment : nlohmann::json::object();
  env["benchmark_cpu"] = pin_to_one_cpu();
  std::vector<PlanEntry> order = plan.order;
  if (order.empty())
    for (uint32_t c = 0; c < plan.jobs.size(); ++c) order.push_back({c, 0});
  sink.write({{"type", "start"},
              {"format", kRecordFormatVersion},
              {"environment", env},
              {"module", device.info()},
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
    // A model-specific event is named in the config and resolved here, on
    // the machine whose PMU counts it.
    std::string raw_error;
    if (!job.raw_event.empty() && job.counters) {
      auto it = raw_events.find(job.raw_event);
      if (it == raw_events.end()) it = raw_events.emplace(job.raw_event, resolve_raw_event(job.raw_event)).first;
      job.raw_type = it->second.type;
      job.raw_config = it->second.ok ? it->second.config : 0;
      raw_error = it->second.error;
    }
    const auto ipi_before = read_ipi_counts();
    RunOutcome outcome = device.run(job, plan.validate_only);
    outcome.raw_event_error = raw_error;
    if (!plan.validate_only && !ipi_before.empty()) {
      const auto ipi_after = read_ipi_counts();
      outcome.interrupts = nlohmann::json::object();
      for (const auto& [k, v] : ipi_before) outcome.interrupts[k] = ipi_after.at(k) - v;
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
    if (outcome.err == 0) medians[e.config].push_back(repetition_median(outcome));
    // Dynamic run count: when the planned order is exhausted, add one more
    // round for the configurations still too noisy.
    if (dynamic && i + 1 == order.size()) {
      std::vector<PlanEntry> round;
      for (uint32_t c = 0; c < plan.jobs.size(); ++c) {
        const double cv = cv_of(medians[c]);
        if (!skip[c] && medians[c].size() < plan.max_repetitions && !(cv <= plan.cv_target))
          round.push_back({c, static_cast<uint32_t>(medians[c].size())});
      }
      std::shuffle(round.begin(), round.end(), rng);
      order.insert(order.end(), round.begin(), round.end());
    }
  }
  if (progress && !plan.jobs.empty()) progress(done, done, plan.jobs.front());
  sink.write({{"type", "end"}, {"module", device.info()}, {"jobs_done", done}, {"interrupted", interrupted}});
}

RawRun read_records(std::istream& in) {
  RawRun run;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    nlohmann::json rec;
    try {
      rec = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      ++run.bad_lines;
      continue;
    }
    const std::string type = rec.value("type", "");
    if (type == "start") {
      run.environment = rec.at("environment");
      run.module_before = rec.at("module").get<ModuleInfo>();
      run.planned_jobs = rec.at("jobs");
      run.seed = rec.value("seed", 0ULL);
      run.cv_target = rec.value("cv_target", 0.0);
      run.max_repetitions = rec.value("max_repetitions", 0U);
    } else if (type == "job") {
      RawJob j;
      j.index = rec.at("index");
      j.config = rec.value("config", 0U);
      j.repetition = rec.value("repetition", 0U);
      j.job = rec.at("job").get<Job>();
      j.outcome = outcome_from_json(rec.at("outcome"));
      run.jobs.push_back(std::move(j));
    } else if (type == "selftest") {
      run.selftest = rec.at("checks");
    } else if (type == "end") {
      run.module_after = rec.at("module").get<ModuleInfo>();
      run.interrupted = rec.at("interrupted");
      run.ended = true;
    } else {
      ++run.bad_lines;
    }
  }
  return run;
}

}  // namespace kbench
