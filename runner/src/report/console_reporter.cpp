// SPDX-License-Identifier: GPL-2.0
// console_reporter.cpp - the plain-text summary on stdout.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

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
        ++not_measured[c.status];
        continue;
      }
      ++measured;
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
