// SPDX-License-Identifier: GPL-2.0
// sweep.cpp - a pure function from Config to jobs, tested on its own. The
// option table says which keys are axes and which dimension each belongs
// to; the experiment says which dimensions it reads.
#include "config/sweep.h"

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>
#include <unordered_set>

#include "core/error.h"
#include "core/experiments.h"

namespace kbench {

namespace {

bool applies(const Option& o, uint32_t fields) { return o.field == 0 || (fields & o.field) != 0; }

// The batch sizes of one pattern: ops_per_batch for pair, batch_sizes else.
std::vector<uint32_t> batch_sizes_of(const SweepBlock& b, uint32_t pattern, uint64_t size) {
  std::vector<uint32_t> out;
  if (pattern == KBENCH_PATTERN_PAIR) {
    const Value& v = b.get("ops_per_batch").front();
    out.push_back(std::holds_alternative<std::string>(v) ? auto_ops_per_batch(size)
                                                         : static_cast<uint32_t>(std::get<int64_t>(v)));
  } else {
    for (const Value& v : b.get("batch_sizes")) out.push_back(static_cast<uint32_t>(std::get<int64_t>(v)));
  }
  return out;
}

uint32_t experiment_of(const SweepBlock& b) {
  return *find_name(experiment_names(), std::get<std::string>(b.get("experiment").front()));
}

// How many jobs a block expands to, before de-duplication.
size_t count_block(const SweepBlock& b) {
  const uint32_t fields = experiment_spec(experiment_of(b)).fields;
  size_t n = 1;
  for (const auto& o : options())
    if (o.list && o.key != "batch_sizes" && o.key != "patterns" && applies(o, fields))
      n *= std::max<size_t>(1, b.get(o.key).size());
  if (!(fields & KBENCH_FIELD_PATTERN)) return n;
  size_t per_pattern = 0;
  for (const Value& p : b.get("patterns"))
    per_pattern += std::get<std::string>(p) == "pair" ? 1 : std::max<size_t>(1, b.get("batch_sizes").size());
  return n * per_pattern;
}

void expand_block(const SweepBlock& b, std::vector<Job>& jobs, std::unordered_set<std::string>& seen) {
  const uint32_t experiment = experiment_of(b);
  const uint32_t fields = experiment_spec(experiment).fields;
  Job base;
  base.experiment = experiment;
  base.sweep = b.name;
  if (!(fields & KBENCH_FIELD_API)) base.api.clear();
  std::vector<const Option*> axes;
  for (const auto& o : options()) {
    if (!applies(o, fields) || o.key == "batch_sizes") continue;
    if (o.list) {
      axes.push_back(&o);
    } else if (o.to_job && !b.get(o.key).empty()) {
      o.to_job(base, b.get(o.key).front());
    } else if (o.api_option && !b.get(o.key).empty()) {
      const Value& v = b.get(o.key).front();
      const int64_t x = std::holds_alternative<bool>(v) ? std::get<bool>(v) : std::get<int64_t>(v);
      if (x) base.options.push_back({std::string(o.job_key), x});
    }
  }
  // The product of the axes, in table order; batch sizes last.
  std::function<void(size_t, Job&)> walk = [&](size_t i, Job& job) {
    if (i == axes.size()) {
      if (!(fields & KBENCH_FIELD_OPS)) {
        if (seen.insert(job.key()).second) jobs.push_back(job);
        return;
      }
      if (job.steady()) {  // the module chooses N
        Job j = job;
        j.ops_per_batch = 0;
        if (seen.insert(j.key()).second) jobs.push_back(std::move(j));
        return;
      }
      for (const uint32_t n : batch_sizes_of(b, job.pattern, job.size)) {
        Job j = job;
        j.ops_per_batch = n;
        if (seen.insert(j.key()).second) jobs.push_back(std::move(j));
      }
      return;
    }
    for (const Value& v : b.get(axes[i]->key)) {
      Job j = job;
      axes[i]->to_job(j, v);
      walk(i + 1, j);
    }
  };
  walk(0, base);
}

}  // namespace

std::vector<Job> expand_sweeps(const Config& config, size_t max_jobs) {
  size_t total = 0;
  for (const auto& b : config.sweeps) {
    total += count_block(b);
    if (total > max_jobs)
      throw Error(b.where + ": the sweeps expand to more than " + std::to_string(max_jobs) + " configurations (" +
                      std::to_string(total) + " up to [[sweep]] '" + b.name + "')",
                  "shorten the lists of this block, or split the config into several runs");
  }
  std::vector<Job> jobs;
  std::unordered_set<std::string> seen;
  for (const auto& b : config.sweeps) expand_block(b, jobs, seen);
  return jobs;
}

size_t add_harness_jobs(std::vector<Job>& jobs) {
  // The loop shape: pattern, batch size (steady state: the module's
  // choice, so the state stands for it), context, threads.
  using Shape = std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, uint32_t>;
  std::set<Shape> have;
  std::vector<std::pair<Shape, uint64_t>> need;  // shape, size of a job with it
  std::set<std::string> names;
  for (const auto& j : jobs) {
    if (j.experiment != KBENCH_EXP_ALLOC) continue;
    const Shape shape{j.pattern, j.ops_per_batch, j.context, j.state, j.threads};
    names.insert(j.key());
    if (j.api == "noop")
      have.insert(shape);
    else if (std::none_of(need.begin(), need.end(), [&](const auto& n) { return n.first == shape; }))
      need.emplace_back(shape, j.size);
  }
  size_t added = 0;
  for (const auto& [shape, size] : need) {
    if (have.count(shape)) continue;
    const auto& [pattern, ops, context, state, threads] = shape;
    Job noop;
    noop.api = "noop";
    noop.size = size;  // noop ignores it; it names the loop shape's siblings
    // Atomic contexts take only non-sleeping GFP; noop ignores the mask.
    noop.gfp = Gfp{context == KBENCH_CTX_PREEMPT_ON ? uint32_t{KBENCH_GFP_KERNEL} : uint32_t{KBENCH_GFP_ATOMIC}, 0};
    noop.pattern = pattern;
    noop.context = context;
    noop.ops_per_batch = ops;
    noop.state = state;
    noop.threads = threads;
    noop.batches = jobs.front().batches;
    noop.warmup_batches = jobs.front().warmup_batches;
    noop.sweep = "harness";
    if (!names.insert(noop.key()).second) continue;  // cannot happen: the shape is in the name
    jobs.push_back(noop);
    have.insert(shape);
    ++added;
  }
  return added;
}

}  // namespace kbench
