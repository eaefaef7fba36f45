// SPDX-License-Identifier: GPL-2.0
// plan.cpp - plan (de)serialisation, the plan executor and the record reader.
#include "measure/plan.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <istream>

#include "core/error.h"

namespace kbench {

void to_json(nlohmann::json& j, const Plan& plan) {
  j = nlohmann::json{{"format", kRecordFormatVersion},
                     {"validate_only", plan.validate_only},
                     {"selftest", plan.selftest},
                     {"jobs", plan.jobs}};
}

void from_json(const nlohmann::json& j, Plan& plan) {
  if (j.value("format", 0) != kRecordFormatVersion)
    throw Error("plan has format " + std::to_string(j.value("format", 0)) + ", expected " +
                std::to_string(kRecordFormatVersion));
  plan.validate_only = j.at("validate_only");
  plan.selftest = j.at("selftest");
  plan.jobs = j.at("jobs").get<std::vector<Job>>();
}

nlohmann::json outcome_to_json(const RunOutcome& o) {
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : o.samples) samples.push_back({s.alloc_cycles, s.free_cycles, s.ops, s.failed, s.flags, s.cpu});
  return {{"errno", o.err},
          {"error", o.err ? std::strerror(o.err) : ""},
          {"reason", o.reason},
          {"bad_field", o.bad_field},
          {"call", o.call},
          {"footprint_bytes", o.footprint_bytes},
          {"nowarn_added", o.nowarn_added},
          {"failed_total", o.failed_total},
          {"samples", samples}};
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

void execute_plan(const Plan& plan, Device& device, RecordSink& sink, const nlohmann::json& environment,
                  const ProgressFn& progress, const std::atomic<bool>* stop) {
  sink.write({{"type", "start"},
              {"format", kRecordFormatVersion},
              {"environment", environment},
              {"module", device.info()},
              {"jobs", plan.jobs.size()}});
  bool interrupted = false;
  size_t done = 0;
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    if (stop && stop->load()) {
      interrupted = true;
      break;
    }
    const Job& job = plan.jobs[i];
    if (progress) progress(done, plan.jobs.size(), job);
    RunOutcome outcome = device.run(job, plan.validate_only);
    sink.write({{"type", "job"}, {"index", i}, {"job", job}, {"outcome", outcome_to_json(outcome)}});
    ++done;
    if (outcome.err == EINTR) {
      interrupted = true;
      break;
    }
  }
  if (progress && !plan.jobs.empty()) progress(done, plan.jobs.size(), plan.jobs[done ? done - 1 : 0]);
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
    } else if (type == "job") {
      RawJob j;
      j.index = rec.at("index");
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
