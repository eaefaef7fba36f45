// SPDX-License-Identifier: GPL-2.0
// plan.h - what a target is asked to do, and the record stream it answers
// with: one JSON object per line (NDJSON), written as each job finishes,
// so a crash or a kill loses at most the job in flight.
//
//   {"type":"start", "environment":{...}, "module":{...}, "catalog":{...}, "jobs":N, "seed":S, ...}
//   {"type":"job", "index":i, "config":c, "repetition":r, "job":{...}, "outcome":{...}}
//   {"type":"selftest", "checks":[...]}                        (if asked)
//   {"type":"end", "module":{...}, "jobs_done":n, "interrupted":bool}
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "device/device.h"

namespace kbench {

inline constexpr int kRecordFormatVersion = 3;

// One run of one configuration: jobs[config], its repetition-th time.
struct PlanEntry {
  uint32_t config = 0;
  uint32_t repetition = 0;
};

struct Plan {
  std::vector<Job> jobs;         // the distinct configurations
  std::vector<PlanEntry> order;  // what to run, in this order
  // Dynamic run count: after `order`, configurations whose repetition
  // medians vary more than cv_target get more repetitions, up to
  // max_repetitions in all. Off when max_repetitions is 0.
  double cv_target = 0;
  uint32_t max_repetitions = 0;
  uint64_t seed = 0;           // of the interleaved order (recorded)
  bool validate_only = false;  // `kbench list`: ask, allocate nothing
  bool selftest = false;       // also run the privilege/ABI checks
  uint64_t fuzz_calls = 0;     // after the plan: this many random ioctls (fuzz.h)
  bool warm_kernel = false;    // untimed vmalloc rounds first, until the kernel settles (warm_kernel)
};

// Each job `repetitions` times; interleaved in a seeded random order, or
// grouped (all repetitions of a job in a row) when interleave is false.
Plan make_plan(std::vector<Job> jobs, uint32_t repetitions, bool interleave, uint64_t seed);

// A job as the module will run it: options its API does not take are
// dropped (their values would be refused). Returns why the job cannot run
// on this module at all, or "".
std::string normalize_job(Job& job, const Catalog& catalog);
void to_json(nlohmann::json& j, const Plan& plan);
void from_json(const nlohmann::json& j, Plan& plan);

nlohmann::json outcome_to_json(const RunOutcome& o);
RunOutcome outcome_from_json(const nlohmann::json& j);

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void write(const nlohmann::json& record) = 0;
};

// Writes one record per line to a file descriptor; a tty is put in raw
// mode first so no byte is translated on the way (the guest's ttyS1).
class FdRecordSink final : public RecordSink {
 public:
  explicit FdRecordSink(int fd);
  void write(const nlohmann::json& record) override;

 private:
  int fd_;
};

using ProgressFn = std::function<void(size_t done, size_t total, const Job& current)>;

// Run before the first job when plan.warm_kernel: untimed rounds of steady
// vmalloc(1M) pairs until they have kept the kernel busy 1.5 s and three
// in a row agree within 1 % (at most 200 rounds or 5 s);
// returns what they cost, for the context's "kernel_warmup".
nlohmann::json warm_kernel(Device& device, const Catalog& catalog, uint32_t clock_khz, const std::atomic<bool>* stop);

// Runs every job of the plan on the device, writing records as it goes.
// Stops early, with an "end" record saying so, when *stop becomes true or
// the module reports that a signal interrupted a run.
void execute_plan(const Plan& plan, Device& device, RecordSink& sink, const nlohmann::json& environment,
                  const ProgressFn& progress, const std::atomic<bool>* stop);

// What a record stream holds once read back.
struct RawJob {
  size_t index = 0;
  uint32_t config = 0;
  uint32_t repetition = 0;
  Job job;
  RunOutcome outcome;
};

struct RawRun {
  nlohmann::json environment;
  Catalog catalog;
  std::optional<ModuleInfo> module_before;
  std::optional<ModuleInfo> module_after;
  size_t planned_jobs = 0;  // plan entries announced at the start
  size_t configs = 0;       // distinct configurations announced
  uint64_t seed = 0;
  double cv_target = 0;
  uint32_t max_repetitions = 0;
  std::vector<RawJob> jobs;
  nlohmann::json selftest;  // null when not run
  nlohmann::json fuzz;      // the ioctl fuzzer's report; null when not run
  bool ended = false;       // an "end" record arrived
  bool interrupted = false;
  // "line N: why" of each line that was skipped: not whole JSON (a crash
  // mid-write, two records on one line) or a record of an unexpected shape.
  std::vector<std::string> bad_records;
  // What the target saw go wrong (an oops, a soft lockup, an OOM kill):
  // the run is incomplete, whatever its records say.
  std::vector<std::string> target_problems;
};

RawRun read_records(std::istream& in);

}  // namespace kbench
