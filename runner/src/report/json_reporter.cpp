// SPDX-License-Identifier: GPL-2.0
// json_reporter.cpp - results.json in Google Benchmark's JSON format, so
// compare.py (libbenchmark-tools) can diff two runs.
//
// Per measured configuration and phase: one "iteration" entry per
// repetition (real_time = cpu_time = the median over that repetition's
// batches of ns per op, measured in the kernel), then "aggregate" entries
// (mean, median, stddev, cv of the repetitions' medians) carrying the pooled
// percentiles and a 95 % confidence interval of the median. Configurations that were refused, invalid or failed are not
// timing entries (compare.py expects times on every entry, and a made-up
// time would be a lie): they are listed in "kbench_not_measured".
#include <fstream>

#include "core/error.h"
#include "report/reporter.h"

namespace kbench {

namespace {

void put_distribution(nlohmann::json& b, const Summary& s) {
  b["min_ns"] = s.min;
  b["p50_ns"] = s.median;
  b["p90_ns"] = s.p90;
  b["p99_ns"] = s.p99;
  b["p999_ns"] = s.p999;
  b["max_ns"] = s.max;
  b["mean_ns"] = s.mean;
  b["stddev_ns"] = s.stddev;
}

nlohmann::json common_fields(const ConfigResult& c, const PhaseStats& st, bool emulated) {
  nlohmann::json b = {{"api", c.job.api_name()},
                      {"size_bytes", c.job.size},
                      {"gfp", c.job.gfp.to_string()},
                      {"pattern", c.job.pattern_name()},
                      {"phase", st.phase},
                      {"context", c.job.context_name()},
                      {"threads", 1},
                      {"ops_per_batch", c.job.ops_per_batch},
                      {"warmup_batches", c.job.warmup_batches},
                      {"call", c.call},
                      {"sweep", c.job.sweep},
                      {"failures", c.failures},
                      {"footprint_bytes", c.footprint_bytes},
                      {"emulated", emulated},
                      {"repetitions", st.repetitions},
                      {"unreliable", st.unreliable}};
  if (st.harness_ns >= 0) b["harness_overhead_ns"] = st.harness_ns;
  if (st.unreliable) b["unreliable_reason"] = "within 1% of the harness cost (noop loop)";
  if (c.job.is_mempool()) b["mempool_min_nr"] = c.job.mempool_min_nr;
  if (!c.reason.empty()) b["note"] = c.reason;
  if (c.job.is_probe()) b["experiment"] = experiment_names()[c.job.experiment];
  if (c.job.experiment == kExperimentAccess) b["access_mode"] = access_mode_names()[c.job.access_mode];
  // Counters: a value only where the counter exists; otherwise the reason.
  if (!c.counters.empty()) {
    nlohmann::json per_op = nlohmann::json::object(), unsupported = nlohmann::json::object();
    const bool free_phase = st.phase == "free";
    for (const auto& k : c.counters) {
      if (!k.supported) {
        unsupported[k.name] = k.reason;
        continue;
      }
      const double v = free_phase ? k.per_op_free : k.per_op;
      if (v >= 0) per_op[k.name] = v;
      if (k.multiplexed) b["counters_multiplexed"] = true;
    }
    b["counters_per_op"] = per_op;
    b["counters_unsupported"] = unsupported;
    b["counters_scope"] = free_phase ? "freed op" : c.counter_scope;
  }
  if (c.ipi_tlb || c.ipi_cal) {
    b["ipi_tlb"] = c.ipi_tlb;
    b["ipi_cal"] = c.ipi_cal;
  }
  return b;
}

}  // namespace

// Whether huge (PMD) vmalloc mappings were to be expected for this size,
// from facts the run recorded, and why not when they were not used.
nlohmann::json huge_vmalloc_expectation(const nlohmann::json& ctx, uint64_t size, const Footprint& f) {
  const bool arch = ctx.contains("kconfig") && ctx["kconfig"].value("CONFIG_HAVE_ARCH_HUGE_VMALLOC", false);
  const bool disabled = ctx.value("cmdline", std::string()).find("nohugevmalloc") != std::string::npos;
  // vmalloc spreads a NUMA_NO_NODE request over the online nodes: a PMD
  // needs size / nodes >= 2 MiB.
  const std::string nodes_text = ctx.value("numa_nodes_online", std::string("0"));
  uint64_t nodes = 1;
  if (const auto dash = nodes_text.find('-'); dash != std::string::npos)
    nodes = std::stoull(nodes_text.substr(dash + 1)) - std::stoull(nodes_text.substr(0, dash)) + 1;
  std::string why_not;
  if (!arch)
    why_not = "this kernel is built without HAVE_ARCH_HUGE_VMALLOC";
  else if (disabled)
    why_not = "the kernel command line has nohugevmalloc";
  else if (size / nodes < (2U << 20))
    why_not = "size per NUMA node (" + std::to_string(size / nodes) + " bytes over " + std::to_string(nodes) +
              " node(s)) is below 2 MiB";
  nlohmann::json j = {{"expected", why_not.empty()}, {"used", f.map_2m > 0 || f.map_1g > 0}};
  if (!why_not.empty()) j["why_not"] = why_not;
  if (why_not.empty() && f.map_2m == 0)
    j["why_not"] = "an order-9 page allocation failed, so vmalloc fell back to 4 KiB pages";
  return j;
}

nlohmann::json results_to_gbench_json(const RunResults& r) {
  nlohmann::json doc;
  doc["context"] = r.context;
  nlohmann::json benchmarks = nlohmann::json::array();
  nlohmann::json not_measured = nlohmann::json::array();
  size_t family = 0;
  for (const auto& c : r.configs) {
    const std::string base = c.job.name();
    if (c.phases.empty() && c.footprint) continue;  // measured: see kbench_footprint
    if (c.phases.empty()) {
      not_measured.push_back({{"name", base},
                              {"api", c.job.api_name()},
                              {"size_bytes", c.job.size},
                              {"gfp", c.job.gfp.to_string()},
                              {"pattern", c.job.pattern_name()},
                              {"context", c.job.context_name()},
                              {"status", c.status},
                              {"errno", c.err},
                              {"bad_field", c.bad_field},
                              {"reason", c.err == 0 && c.failures ? "every allocation failed" : c.reason}});
      continue;
    }
    for (const auto& st : c.phases) {
      const std::string name = base + "/" + st.phase;
      const nlohmann::json common = common_fields(c, st, r.emulated);
      // One iteration entry per repetition: what compare.py's U test compares.
      uint32_t index = 0;
      for (const auto& rep : c.repetitions) {
        for (const auto& p : rep.phases) {
          if (p.phase != st.phase || p.ns_per_op.empty()) continue;
          nlohmann::json b = {{"name", name},
                              {"family_index", family},
                              {"per_family_instance_index", 0},
                              {"run_name", name},
                              {"run_type", "iteration"},
                              {"repetitions", st.repetitions},
                              {"repetition_index", index++},
                              {"threads", 1},
                              {"iterations", p.ops},
                              {"real_time", p.summary.median},
                              {"cpu_time", p.summary.median},
                              {"time_unit", "ns"}};
          b.update(common);
          b["repetitions"] = st.repetitions;
          put_distribution(b, p.summary);
          b["batches"] = p.summary.n;
          b["noisy_batches"] = p.noisy_batches;
          b["discarded_batches"] = p.discarded_batches;
          b["batch_ns"] = p.ns_per_op;
          benchmarks.push_back(std::move(b));
        }
      }
      // Aggregates over the repetitions' medians, as Google Benchmark
      // writes them; each also carries the pooled distribution and the
      // confidence interval of the pooled median.
      const struct {
        const char* name;
        double value;
        const char* unit;
      } aggs[] = {{"mean", st.rep_medians.mean, "time"},
                  {"median", st.rep_medians.median, "time"},
                  {"stddev", st.rep_medians.stddev, "time"},
                  {"cv", st.rep_medians.cv, "percentage"}};
      for (const auto& a : aggs) {
        nlohmann::json b = {{"name", name + "_" + a.name},
                            {"family_index", family},
                            {"per_family_instance_index", 0},
                            {"run_name", name},
                            {"run_type", "aggregate"},
                            {"repetitions", st.repetitions},
                            {"threads", 1},
                            {"aggregate_name", a.name},
                            {"aggregate_unit", a.unit},
                            {"iterations", st.repetitions},
                            {"real_time", a.value},
                            {"cpu_time", a.value},
                            {"time_unit", "ns"}};
        b.update(common);
        put_distribution(b, st.pooled);
        b["median_ns"] = st.pooled.median;
        b["median_ci_low_ns"] = st.median_ci.low;
        b["median_ci_high_ns"] = st.median_ci.high;
        b["median_ci_coverage"] = st.median_ci.coverage;
        b["batches"] = st.pooled.n;
        b["noisy_batches"] = st.noisy_batches;
        b["discarded_batches"] = st.discarded_batches;
        if (c.cv_target_missed) b["cv_target_missed"] = true;
        benchmarks.push_back(std::move(b));
      }
      ++family;
    }
  }
  doc["benchmarks"] = std::move(benchmarks);
  doc["kbench_not_measured"] = std::move(not_measured);

  nlohmann::json footprints = nlohmann::json::array();
  for (const auto& c : r.configs) {
    if (!c.footprint) continue;
    const Footprint& f = *c.footprint;
    nlohmann::json huge = nullptr;
    if (c.job.api == KBENCH_API_VMALLOC_HUGE || c.job.api == KBENCH_API_KVMALLOC)
      huge = huge_vmalloc_expectation(r.context, c.job.size, f);
    footprints.push_back({{"huge_vmalloc", huge},
                          {"name", c.job.name()},
                          {"api", c.job.api_name()},
                          {"size_bytes", c.job.size},
                          {"gfp", c.job.gfp.to_string()},
                          {"call", c.call},
                          {"in_vmalloc", f.in_vmalloc},
                          {"pte_4k", f.map_4k},
                          {"pmd_2m", f.map_2m},
                          {"pud_1g", f.map_1g},
                          {"unmapped_pages", f.unmapped},
                          {"smallest_mapping_bytes", f.level_shift ? (uint64_t{1} << f.level_shift) : 0}});
  }
  doc["kbench_footprint"] = std::move(footprints);

  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : r.vmalloc_stages)
    stages.push_back({{"size_bytes", s.size},
                      {"pages", s.pages},
                      {"pages_alloc_ns", s.pages_alloc},
                      {"page_array_ns", s.page_array},
                      {"page_array_share_of_overhead", s.page_array_share},
                      {"vmap_ns", s.vmap},
                      {"vm_map_ram_ns", s.vm_map_ram},
                      {"rest_ns", s.rest},
                      {"vmalloc_ns", s.vmalloc},
                      {"explained", s.explained},
                      {"overhead_ns", s.overhead},
                      {"vmap_share_of_overhead", s.vmap_share},
                      {"rest_share_of_overhead", s.rest_share},
                      {"vunmap_ns", s.vunmap},
                      {"vm_unmap_ram_ns", s.vm_unmap_ram},
                      {"pages_free_ns", s.pages_free},
                      {"vfree_ns", s.vfree},
                      {"purge_ns", s.purge},
                      {"ipi_tlb", s.ipi_tlb},
                      {"ipi_cal", s.ipi_cal}});
  auto fit = [](const LinearFit& f) {
    return nlohmann::json{{"ns_per_page", f.slope}, {"ns_fixed", f.intercept}, {"r2", f.r2}, {"points", f.n}};
  };
  doc["kbench_vmalloc_stages"] = {
      {"by_size", stages},
      {"rest_is_derived", "rest_ns = vmalloc_ns - pages_alloc_ns - page_array_ns - vmap_ns"},
      {"vmap_fit", fit(r.vmap_fit)},
      {"vm_map_ram_fit", fit(r.vm_map_ram_fit)}};
  nlohmann::json zeroing = nlohmann::json::array();
  for (const auto& z : r.zeroing)
    zeroing.push_back({{"alloc", z.alloc_name},
                       {"memset", z.memset_name},
                       {"size_bytes", z.size},
                       {"alloc_bytes_per_ns", z.alloc_bytes_per_ns},
                       {"memset_bytes_per_ns", z.memset_bytes_per_ns},
                       {"fraction_of_memset", z.fraction_of_limit}});
  doc["kbench_zeroing"] = std::move(zeroing);
  doc["kbench_selftest"] = r.selftest;
  if (r.module_after) doc["kbench_module_after"] = *r.module_after;
  return doc;
}

namespace {

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::string dir) : dir_(std::move(dir)) {}
  void report(const RunResults& r) override {
    const std::string path = dir_ + "/results.json";
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp);
      if (!out) throw Error("cannot write " + tmp, "check that --out is a writable directory");
      // Compact: a default run has thousands of entries; readers do not care.
      out << results_to_gbench_json(r).dump() << "\n";
      if (!out) throw Error("writing " + tmp + " failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error("cannot rename " + tmp + " to " + path);
  }

 private:
  std::string dir_;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(const std::string& out_dir) {
  return std::make_unique<JsonReporter>(out_dir);
}

}  // namespace kbench
