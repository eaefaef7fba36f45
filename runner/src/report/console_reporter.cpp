// SPDX-License-Identifier: GPL-2.0
// console_reporter.cpp - the plain-text summary on stdout.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "report/reporter.h"

namespace kbench {

std::string format_ns(double ns) {
  char buf[32];
  if (std::isnan(ns)) return "-";
  if (ns < 1e3)
    std::snprintf(buf, sizeof(buf), "%.1f ns", ns);
  else if (ns < 1e6)
    std::snprintf(buf, sizeof(buf), "%.2f us", ns / 1e3);
  else
    std::snprintf(buf, sizeof(buf), "%.2f ms", ns / 1e6);
  return buf;
}

namespace {

class ConsoleReporter final : public Reporter {
 public:
  explicit ConsoleReporter(std::ostream& out) : out_(out) {}

  void report(const RunResults& r) override {
    const auto& ctx = r.context;
    if (r.emulated) out_ << "=== EMULATED: QEMU TCG, times are not hardware times ===\n";
    out_ << "kernel " << ctx.value("kernel_release", "?") << " | target " << ctx.value("target", "?") << " | cpu "
         << ctx.value("cpu_model", "?") << " | timer " << ctx.value("timer", "?") << "\n";
    for (const auto& w : r.warnings) out_ << "warning: " << w << "\n";
    out_ << "\n";

    std::vector<std::vector<std::string>> rows;
    rows.push_back({"configuration", "call", "alloc p50", "95% CI", "alloc p99", "free p50", "free p99", "reps",
                    "batches", "fail", "noisy", ""});
    size_t measured = 0;
    std::map<std::string, size_t> not_measured;
    for (const auto& c : r.configs) {
      if (c.phases.empty()) {
        if (!c.footprint) ++not_measured[c.status];
        continue;
      }
      ++measured;
      if (c.job.is_probe()) continue;  // probes have their own tables below
      const PhaseStats* a = nullptr;
      const PhaseStats* f = nullptr;
      for (const auto& p : c.phases) (p.phase == "alloc" ? a : f) = &p;
      const PhaseStats& any = a ? *a : *f;
      const double nan = std::nan("");
      std::string flags;
      if ((a && a->unreliable) || (f && f->unreliable)) flags += "~harness ";
      if (c.cv_target_missed) flags += "cv>target";
      rows.push_back({c.job.name(), c.call, format_ns(a ? a->pooled.median : nan),
                      a ? format_ns(a->median_ci.low) + ".." + format_ns(a->median_ci.high) : "-",
                      format_ns(a ? a->pooled.p99 : nan), format_ns(f ? f->pooled.median : nan),
                      format_ns(f ? f->pooled.p99 : nan), std::to_string(any.repetitions), std::to_string(any.pooled.n),
                      std::to_string(c.failures), std::to_string(any.noisy_batches), flags});
    }
    print_table(rows);
    out_ << "(p50/p99 over every batch of every repetition, in ns per operation; ~harness: within 1% of the "
            "noop loop's cost)\n";
    print_probes(r);

    out_ << "\n" << measured << " configurations measured";
    for (const auto& [status, n] : not_measured) out_ << ", " << n << " " << status;
    out_ << "\n";
    // Refusals grouped by reason: one line each, not one per configuration.
    std::map<std::string, std::pair<size_t, std::string>> refused;
    for (const auto& c : r.configs) {
      if (!c.phases.empty() || c.status != "refused") continue;
      auto& [count, example] = refused[c.reason];
      if (count++ == 0) example = c.job.name();
    }
    for (const auto& [reason, ce] : refused)
      out_ << "  refused x" << ce.first << " (e.g. " << ce.second << "): " << reason << "\n";
    size_t shown = 0;
    for (const auto& c : r.configs) {
      if (!c.phases.empty() || c.status == "refused") continue;
      if (shown++ == 20) {
        out_ << "  ... more in results.json (kbench_not_measured)\n";
        break;
      }
      out_ << "  " << c.status << ": " << c.job.name() << ": "
           << (c.reason.empty() ? (c.failures ? "every allocation failed" : c.bad_field) : c.reason) << "\n";
    }
    if (r.selftest.is_array()) {
      size_t ok = 0;
      for (const auto& chk : r.selftest) ok += chk.value("ok", false);
      out_ << "device selftest: " << ok << "/" << r.selftest.size() << " checks passed\n";
      for (const auto& chk : r.selftest)
        if (!chk.value("ok", false))
          out_ << "  FAILED: " << chk.value("name", "") << ": expected " << chk.value("expected", "") << ", got "
               << chk.value("got", "") << "\n";
    }
    if (r.module_after)
      out_ << "after the run the module holds " << r.module_after->outstanding_allocs << " objects, "
           << r.module_after->live_caches << " caches, " << r.module_after->live_pools << " pools\n";
    if (r.emulated) out_ << "=== EMULATED: QEMU TCG, times are not hardware times ===\n";
  }

 private:
  void print_probes(const RunResults& r) {
    std::vector<std::vector<std::string>> fp = {
        {"page-table footprint", "call", "in", "4K PTEs", "2M PMDs", "1G PUDs"}};
    std::vector<std::vector<std::string>> acc = {
        {"access after allocation", "p50 per touch", "p99", "dTLB load misses/touch"}};
    for (const auto& c : r.configs) {
      if (c.footprint)
        fp.push_back({c.job.name(), c.call, c.footprint->in_vmalloc ? "vmalloc" : "direct map",
                      std::to_string(c.footprint->map_4k), std::to_string(c.footprint->map_2m),
                      std::to_string(c.footprint->map_1g)});
      if (c.job.experiment == kExperimentAccess && !c.phases.empty()) {
        std::string tlb = "-";
        for (const auto& k : c.counters)
          if (k.name == "dtlb_load_misses") tlb = k.supported ? std::to_string(k.per_op) : "unsupported";
        const bool bytes = c.job.access_mode == KBENCH_ACCESS_MEMSET;
        char bw[32];
        std::snprintf(bw, sizeof(bw), "%.2f B/ns", 1.0 / c.phases[0].pooled.median);
        acc.push_back({c.job.name(), bytes ? bw : format_ns(c.phases[0].pooled.median),
                       bytes ? "" : format_ns(c.phases[0].pooled.p99), tlb});
      }
    }
    if (fp.size() > 1) {
      out_ << "\n";
      print_table(fp);
    }
    if (acc.size() > 1) {
      out_ << "\n";
      print_table(acc);
    }
    if (!r.vmalloc_stages.empty()) {
      std::vector<std::vector<std::string>> st = {{"vmalloc stages", "pages", "page alloc", "page array", "vmap",
                                                   "rest (derived)", "vmalloc", "explained", "vfree", "purge"}};
      for (const auto& s : r.vmalloc_stages) {
        char ex[16];
        std::snprintf(ex, sizeof(ex), "%.0f%%", s.explained * 100);
        st.push_back({format_size(s.size), std::to_string(s.pages), format_ns(s.pages_alloc), format_ns(s.page_array),
                      format_ns(s.vmap), format_ns(s.rest), format_ns(s.vmalloc), ex, format_ns(s.vfree),
                      format_ns(s.purge)});
      }
      out_ << "\n";
      print_table(st);
      char fit[160];
      std::snprintf(fit, sizeof(fit), "vmap cost fitted against pages: %.1f ns per page + %.1f ns fixed (r2 %.3f)\n",
                    r.vmap_fit.slope, r.vmap_fit.intercept, r.vmap_fit.r2);
      out_ << fit;
    }
    // Counters the CPU does not offer: say so once, never print a 0 for them.
    for (const auto& c : r.configs) {
      for (const auto& k : c.counters) {
        if (k.supported || k.name == "task_clock_ns") continue;
        out_ << "hardware counters: " << k.reason << "\n";
        return;
      }
    }
  }

  void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> w(rows.front().size(), 0);
    for (const auto& row : rows)
      for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
    for (const auto& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        const bool left = i < 2;
        const size_t pad = w[i] - row[i].size();
        if (!left) out_ << std::string(pad, ' ');
        out_ << row[i];
        if (left) out_ << std::string(pad, ' ');
        out_ << (i + 1 < row.size() ? "  " : "\n");
      }
    }
  }

  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Reporter> make_console_reporter(std::ostream& out) { return std::make_unique<ConsoleReporter>(out); }

}  // namespace kbench
