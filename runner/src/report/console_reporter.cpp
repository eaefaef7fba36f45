// SPDX-License-Identifier: GPL-2.0
// console_reporter.cpp - the plain-text summary on stdout: by default a
// short one (banner, warnings, headline figures, counts); with --verbose
// every measurement and the probe tables.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
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

constexpr const char* kEmulatedBanner = "=== EMULATED: QEMU TCG, times are not hardware times ===\n";

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows, size_t left = 2) {
  if (rows.empty()) return;
  std::vector<size_t> w(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < w.size(); ++i) w[i] = std::max(w[i], row[i].size());
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t pad = w[i] - row[i].size();
      if (i >= left) out << std::string(pad, ' ');
      out << row[i];
      if (i < left && i + 1 < row.size()) out << std::string(pad, ' ');
      out << (i + 1 < row.size() ? "  " : "\n");
    }
  }
}

const PhaseStats* phase_of(const ConfigResult& c, const std::string& name) {
  for (const auto& p : c.phases)
    if (p.phase == name) return &p;
  return nullptr;
}

class ConsoleReporter final : public Reporter {
 public:
  explicit ConsoleReporter(const ReporterOptions& o) : out_(o.out ? *o.out : std::cout), verbose_(o.verbose) {}

  // One line on the kernel warm-up when it found a step to wait out.
  void print_warmup(const nlohmann::json& ctx) {
    const auto it = ctx.find("kernel_warmup");
    if (it == ctx.end() || !it->value("settled", false)) return;
    const auto rounds = it->value("rounds_ns_per_pair", std::vector<double>{});
    if (rounds.size() < 2 || rounds.front() <= rounds.back() * 1.01) return;
    char line[256];
    std::snprintf(line, sizeof line,
                  "kernel warm-up: vmalloc(1M) pairs cost %s in the first round and %s once settled (%zu rounds, "
                  "%.1f s); measuring began after\n",
                  format_ns(rounds.front()).c_str(), format_ns(rounds.back()).c_str(), rounds.size(),
                  it->value("seconds", 0.0));
    out_ << line;
  }

  // EMULATED or VIRTUALIZED, first and last, so no figure is read as bare metal's.
  void banner(const RunResults& r) {
    if (r.emulated)
      out_ << kEmulatedBanner;
    else if (r.context.value("platform", "") == "VIRTUALIZED")
      out_ << "=== VIRTUALIZED (" << r.context.value("hypervisor", "hypervisor")
           << "): a virtual machine, not bare metal ===\n";
  }

  void report(const RunResults& r) override {
    const auto& ctx = r.context;
    banner(r);
    out_ << "kernel " << ctx.value("kernel_release", "?") << " | target " << ctx.value("target", "?") << " | cpu "
         << ctx.value("cpu_model", "?") << " | timer " << ctx.value("timer", "?") << "\n";
    for (const auto& w : r.warnings) out_ << "warning: " << w << "\n";
    print_warmup(ctx);
    out_ << "\n";
    if (verbose_) {
      print_measurements(r);
      print_probes(r);
    } else {
      print_headlines(r);
      // Whatever the run's headline table had: these conditions' own lines.
      print_contention(r);
      print_fragmentation(r);
    }
    print_counts(r);
    banner(r);
  }

 private:
  // Configurations run with free memory fragmented: the worst failure
  // rate, kvmalloc's fallbacks, and what the kernel did meanwhile.
  void print_fragmentation(const RunResults& r) {
    size_t n = 0;
    const ConfigResult* worst = nullptr;
    double worst_rate = -1;
    std::map<std::string, uint64_t> vmstat;
    std::string fallbacks;
    for (const auto& c : r.configs) {
      if (c.job.condition != KBENCH_COND_FRAGMENTED) continue;
      ++n;
      for (const auto& [k, v] : c.vmstat) vmstat[k] += v;
      const PhaseStats* p = find_phase(c, "alloc");
      if (!p || !p->ops) continue;
      const double rate = static_cast<double>(c.failures) / static_cast<double>(p->ops);
      if (rate > worst_rate) {
        worst_rate = rate;
        worst = &c;
      }
      const auto fb = deferred_work(c).vmalloc_fallbacks;
      if (fb && *fb && fallbacks.empty())
        fallbacks = "; " + c.job.api + "(" + format_size(c.job.size) + ") fell back to vmalloc " + std::to_string(*fb) +
                    " of " + std::to_string(p->ops) + " times";
    }
    if (!n) return;
    std::string line = "fragmented memory: " + std::to_string(n) + " configurations";
    if (worst) {
      const PhaseStats* p = find_phase(*worst, "alloc");
      line += "; the most failures: " + worst->job.api + "(" + format_size(worst->job.size) + ", " +
              worst->job.gfp.to_string() + ") " + std::to_string(worst->failures) + " of " + std::to_string(p->ops);
    }
    out_ << line << fallbacks << "\n";
    if (!vmstat.empty()) {
      std::string k = "fragmented memory: the kernel meanwhile:";
      for (const auto& [name, v] : vmstat) k += " " + name + " " + std::to_string(v);
      out_ << k << "\n";
    }
  }

  // Configurations on several CPUs at once: how many, the largest change
  // of the cost one CPU sees against the same configuration alone, and how
  // much the threads overlapped.
  void print_contention(const RunResults& r) {
    size_t n = 0;
    const ConfigResult *worst = nullptr, *worst_alone = nullptr;
    double change = 0;
    std::vector<double> overlaps;
    for (const auto& c : r.configs) {
      if (c.threads < 2 || c.phases.empty()) continue;
      ++n;
      const PhaseStats& p = c.phases.front();
      if (p.overlap.n) overlaps.push_back(p.overlap.median);
      Job alone = c.job;
      alone.threads = 1;
      const ConfigResult* a = r.find(alone.key());
      const PhaseStats* ap = a ? find_phase(*a, p.phase) : nullptr;
      if (!ap || !(ap->pooled.median > 0)) continue;
      const double x = p.pooled.median / ap->pooled.median - 1;
      if (!worst || std::abs(x) > std::abs(change)) {
        worst = &c;
        worst_alone = a;
        change = x;
      }
    }
    if (!n) return;
    char line[512];
    std::snprintf(line, sizeof(line), "contention: %zu configurations on %u CPUs at once", n,
                  worst ? worst->threads : r.configs.front().threads);
    out_ << line;
    if (worst) {
      const PhaseStats& p = worst->phases.front();
      std::snprintf(line, sizeof(line), "; the largest change: %s(%s) %s %s per %s alone, %s on each CPU (%+.0f%%)",
                    worst->job.api.c_str(), format_size(worst->job.size).c_str(), worst->job.pattern_name().data(),
                    format_ns(find_phase(*worst_alone, p.phase)->pooled.median).c_str(), p.unit.c_str(),
                    format_ns(p.pooled.median).c_str(), 100 * change);
      out_ << line;
    }
    out_ << "\n";
    if (!overlaps.empty()) {
      const double ov = summarize(overlaps).median;
      std::snprintf(line, sizeof(line), "contention: the threads' phases overlapped %.0f%% (median)%s\n", 100 * ov,
                    r.emulated && ov < 0.75 ? ": the emulated CPUs mostly took turns (single-threaded TCG)" : "");
      out_ << line;
    }
  }

  // The cheapest API of each family per size (an alloc+free pair timed as
  // a whole, GFP_KERNEL, preempt-on, clean), net of the harness, at up to
  // four of the measured sizes; and what the harness is against the
  // cheapest pair measured, from this run.
  void print_headlines(const RunResults& r) {
    const Catalog catalog = r.catalog();
    std::map<std::string, std::map<uint64_t, const ConfigResult*>> best;  // family -> size -> config
    std::set<uint64_t> sizes;
    const ConfigResult* cheapest = nullptr;
    for (const auto& c : r.configs) {
      const PhaseStats* p = find_phase(c, "pair");
      if (c.job.experiment != KBENCH_EXP_ALLOC || !p || c.job.pattern != KBENCH_PATTERN_PAIR || c.job.gfp != Gfp{} ||
          c.job.context != KBENCH_CTX_PREEMPT_ON || c.job.steady() || c.threads != 1)
        continue;
      const ApiInfo* api = catalog.api(c.job.api);
      if (!api) continue;
      if (api->has(KBENCH_CAP_HARNESS)) continue;
      if (!cheapest || p->pooled.median < find_phase(*cheapest, "pair")->pooled.median) cheapest = &c;
      sizes.insert(c.job.size);
      const ConfigResult*& b = best[api->family][c.job.size];
      if (!b || p->pooled.median < find_phase(*b, "pair")->pooled.median) b = &c;
    }
    if (best.empty()) {
      out_ << "(no pair-pattern GFP_KERNEL allocations in this run: see results.json or --verbose)\n";
      return;
    }
    std::vector<uint64_t> cols(sizes.begin(), sizes.end());
    if (cols.size() > 4) {  // smallest, largest, and two evenly between
      const std::vector<uint64_t> all = cols;
      cols = {all.front(), all[all.size() / 3], all[2 * all.size() / 3], all.back()};
    }
    std::vector<std::vector<std::string>> rows = {{"cheapest alloc+free pair"}};
    for (const uint64_t s : cols) rows.front().push_back(format_size(s));
    for (const auto& [family, by_size] : best) {
      std::vector<std::string> row = {family};
      for (const uint64_t s : cols) {
        const auto it = by_size.find(s);
        if (it == by_size.end()) {
          row.emplace_back("-");
          continue;
        }
        const PhaseStats* p = find_phase(*it->second, "pair");
        row.push_back(it->second->job.api + " " + format_ns(std::isnan(p->net_ns) ? p->pooled.median : p->net_ns));
      }
      rows.push_back(row);
    }
    print_table(out_, rows, 1);
    out_ << "(median ns per pair, net of the harness; GFP_KERNEL, clean state, one CPU; --verbose for every "
            "figure)\n";
    // The harness of the cheapest pair's own loop shape, against it.
    if (cheapest && find_phase(*cheapest, "pair")->harness_ns >= 0) {
      const PhaseStats* p = find_phase(*cheapest, "pair");
      char line[256];
      std::snprintf(line, sizeof(line), "harness: %s per pair, %.2f%% of the cheapest pair measured (%s %s, %s raw)\n",
                    format_ns(p->harness_ns).c_str(), 100 * p->harness_ns / p->pooled.median, cheapest->job.api.c_str(),
                    format_size(cheapest->job.size).c_str(), format_ns(p->pooled.median).c_str());
      out_ << line;
    }
    // The largest effects of the deferred work, a few lines at most.
    // One line per API family: its largest change.
    std::map<std::string, const SteadyRow*> by_family;
    for (const auto& s : r.steady) {
      const ApiInfo* api = catalog.api(s.api);
      const SteadyRow*& b = by_family[api ? api->family : s.api];
      if (!b || std::abs(s.change) > std::abs(b->change)) b = &s;
    }
    std::vector<const SteadyRow*> steady;
    steady.reserve(by_family.size());
    for (const auto& [family, row] : by_family) steady.push_back(row);
    std::sort(steady.begin(), steady.end(), [](auto* a, auto* b) { return std::abs(a->change) > std::abs(b->change); });
    if (steady.size() > 4) steady.resize(4);
    for (const SteadyRow* row : steady) {
      const SteadyRow& s = *row;
      char line[512];
      std::string deferred;
      if (s.purges_counted)
        deferred += ", " + std::to_string(s.purges) + " lazy purges" +
                    (s.threshold_crossings ? " for " + std::to_string(s.threshold_crossings) + " threshold crossings"
                                           : std::string());
      if (s.slab_flushes_counted && s.slab_flushes)
        deferred += ", " + std::to_string(s.slab_flushes) + " per-CPU partial slab flushes";
      std::snprintf(line, sizeof(line), "steady state %s(%s%s): %s per %s against %s clean (%+.0f%%)%s\n",
                    s.api.c_str(), format_size(s.size).c_str(), s.pattern == "pair" ? "" : (", " + s.pattern).c_str(),
                    format_ns(s.steady_ns).c_str(), s.phase == "pair" ? "pair" : "alloc+free",
                    format_ns(s.clean_ns).c_str(), 100 * s.change, deferred.c_str());
      out_ << line;
    }
    if (!r.vmalloc_stages.empty()) {
      const StageRow& s = r.vmalloc_stages.back();
      char line[200];
      // Each stage is its own timed loop: their medians need not add up.
      std::snprintf(line, sizeof(line),
                    "vmalloc(%s): %s; its stages timed alone: page allocation %s (%.0f%%), vmap (VA range + page "
                    "tables) %s (%.0f%%)\n",
                    format_size(s.size).c_str(), format_ns(s.vmalloc).c_str(), format_ns(s.pages_alloc).c_str(),
                    100 * s.pages_alloc / s.vmalloc, format_ns(s.vmap).c_str(), 100 * s.vmap / s.vmalloc);
      out_ << line;
    }
  }

  void print_measurements(const RunResults& r) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"configuration", "call", "pair p50", "net", "alloc p50", "95% CI", "alloc p99", "free p50",
                    "free p99", "reps", "batches", "fail", "noisy", ""});
    for (const auto& c : r.configs) {
      if (c.phases.empty() || c.job.experiment != KBENCH_EXP_ALLOC) continue;
      const PhaseStats* p = phase_of(c, "pair");
      const PhaseStats* a = phase_of(c, "alloc");
      const PhaseStats* f = phase_of(c, "free");
      const PhaseStats& any = c.phases.front();
      const double nan = std::nan("");
      std::string flags;
      if ((a && a->unreliable) || (f && f->unreliable)) flags += "~harness ";
      if (c.cv_target_missed) flags += "cv>target";
      rows.push_back({c.job.key(), c.call, format_ns(p ? p->pooled.median : nan), format_ns(p ? p->net_ns : nan),
                      format_ns(a ? a->pooled.median : nan),
                      a ? format_ns(a->median_ci.low) + ".." + format_ns(a->median_ci.high) : "-",
                      format_ns(a ? a->pooled.p99 : nan), format_ns(f ? f->pooled.median : nan),
                      format_ns(f ? f->pooled.p99 : nan), std::to_string(any.repetitions), std::to_string(any.pooled.n),
                      std::to_string(c.failures), std::to_string(any.noisy_batches), flags});
    }
    print_table(out_, rows);
    out_ << "(p50/p99 over every batch of every repetition, in ns per pair or per operation; net: the pair less "
            "the noop loop of the same shape; ~harness: within 1% of the noop loop's cost)\n";
  }

  void print_probes(const RunResults& r) {
    std::vector<std::vector<std::string>> fp = {
        {"page-table footprint", "call", "in", "4K PTEs", "2M PMDs", "1G PUDs"}};
    std::vector<std::vector<std::string>> acc = {{"access after allocation", "p50", "p99", "dTLB load misses"}};
    for (const auto& c : r.configs) {
      if (c.job.experiment == KBENCH_EXP_FOOTPRINT && c.values.is_object())
        fp.push_back({c.job.key(), c.call, c.values.value("in_vmalloc", uint64_t{0}) ? "vmalloc" : "direct map",
                      std::to_string(c.values.value("pte_4k", uint64_t{0})),
                      std::to_string(c.values.value("pmd_2m", uint64_t{0})),
                      std::to_string(c.values.value("pud_1g", uint64_t{0}))});
      if (c.job.experiment == KBENCH_EXP_ACCESS && !c.phases.empty()) {
        const PhaseStats& p = c.phases.front();
        std::string tlb = "-";
        for (const auto& k : p.counters)
          if (k.name == "dtlb_load_misses") tlb = std::to_string(k.per_op) + "/" + p.unit;
        if (std::find(c.counters_unsupported.begin(), c.counters_unsupported.end(), "dtlb_load_misses") !=
            c.counters_unsupported.end())
          tlb = "unsupported";
        acc.push_back({c.job.key(), format_ns(p.pooled.median) + "/" + p.unit, format_ns(p.pooled.p99), tlb});
      }
    }
    if (fp.size() > 1) {
      out_ << "\n";
      print_table(out_, fp);
    }
    if (acc.size() > 1) {
      out_ << "\n";
      print_table(out_, acc);
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
      print_table(out_, st);
      char fit[160];
      std::snprintf(fit, sizeof(fit), "vmap cost fitted against pages: %.1f ns per page + %.1f ns fixed (r2 %.3f)\n",
                    r.vmap_fit.slope, r.vmap_fit.intercept, r.vmap_fit.r2);
      out_ << fit;
    }
  }

  void print_counts(const RunResults& r) {
    size_t measured = 0;
    std::map<std::string, size_t> not_measured;
    for (const auto& c : r.configs) {
      if (c.measured())
        ++measured;
      else
        ++not_measured[c.status];
    }
    out_ << "\n" << measured << " configurations measured";
    for (const auto& [status, n] : not_measured) out_ << ", " << n << " " << status;
    out_ << "\n";
    // Refusals grouped by reason: one line each, not one per configuration.
    std::map<std::string, std::pair<size_t, std::string>> refused;
    for (const auto& c : r.configs) {
      if (c.measured() || c.status != "refused") continue;
      auto& [count, example] = refused[c.reason];
      if (count++ == 0) example = c.job.key();
    }
    const size_t max_reasons = verbose_ ? refused.size() : 5;
    size_t shown = 0;
    for (const auto& [reason, ce] : refused) {
      if (shown++ == max_reasons) {
        out_ << "  ... " << refused.size() - max_reasons << " more refusal reasons (--verbose, or results.json)\n";
        break;
      }
      out_ << "  refused x" << ce.first << " (e.g. " << ce.second << "): " << reason << "\n";
    }
    shown = 0;
    for (const auto& c : r.configs) {
      if (c.measured() || c.status == "refused") continue;
      if (shown++ == (verbose_ ? 20U : 3U)) {
        out_ << "  ... more in results.json (kbench_not_measured)\n";
        break;
      }
      out_ << "  " << c.status << ": " << c.job.key() << ": "
           << (c.reason.empty() ? (c.failures ? "every allocation failed" : c.bad_field) : c.reason) << "\n";
    }
    const auto reasons = r.context.value("kbench_counter_reasons", nlohmann::json::object());
    if (reasons.contains("cycles")) out_ << "hardware counters: " << reasons["cycles"].get<std::string>() << "\n";
    if (r.fuzz.is_object()) {
      const auto& a = r.fuzz.value("after", nlohmann::json::object());
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.1f s", r.fuzz.value("seconds", 0.0));
      out_ << "ioctl fuzz: " << r.fuzz.value("calls", 0ULL) << " calls from " << r.fuzz.value("processes", 0)
           << " processes in " << secs << ": " << r.fuzz.value("by_errno", nlohmann::json::object()).dump()
           << "; the module holds " << (a.is_object() ? a.value("outstanding_allocs", 0ULL) : 0ULL)
           << " objects after\n";
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
  }

  std::ostream& out_;
  bool verbose_;
};

}  // namespace

std::unique_ptr<Reporter> make_console_reporter(const ReporterOptions& o) {
  return std::make_unique<ConsoleReporter>(o);
}

}  // namespace kbench
