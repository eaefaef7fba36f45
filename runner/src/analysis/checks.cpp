// SPDX-License-Identifier: GPL-2.0
// checks.cpp - one function per condition; add a new check to kChecks.
#include "analysis/checks.h"

#include <cstdio>
#include <functional>

namespace kbench {
namespace {

using Out = std::vector<std::string>;

struct Ctx {
  const RunResults& r;
  const RawRun& raw;
  const RunMeta& meta;
  const nlohmann::json& env;
};

void emulation(const Ctx& c, Out& out) {
  if (c.meta.target_details.is_object() && c.meta.target_details.value("clock", "") == "icount")
    out.push_back(
        "icount: the guest clock advances 1 ns per guest instruction, so every figure is an instruction count in "
        "disguise; it repeats across boots, and says nothing about time on hardware.");
  if (c.meta.emulated)
    out.push_back(
        "EMULATED: measured in QEMU without hardware acceleration (TCG). Times are not hardware times; compare "
        "them only with each other, not with real machines.");
  else if (c.env.value("platform", "") == "VIRTUALIZED" ||
           (!c.env.contains("platform") && c.env.value("virtualized", false)))
    out.push_back("VIRTUALIZED (" + c.env.value("hypervisor", std::string("a hypervisor")) +
                  "): measured in a virtual machine. The real CPU runs the code, but times include the "
                  "hypervisor's exits and two-level page walks, and the PMU is virtual or absent: compare with "
                  "runs on the same kind of VM, not with bare metal.");
}

void zeroing(const Ctx& c, Out& out) {
  if (!c.raw.module_before) return;
  if (c.raw.module_before->init_on_alloc())
    out.push_back(
        "init_on_alloc=1: the kernel zeroes every allocation, so kmalloc costs about what kzalloc costs and "
        "vmalloc what vzalloc costs (boot with init_on_alloc=0 to measure without it).");
  if (c.raw.module_before->init_on_free())
    out.push_back("init_on_free=1: the kernel zeroes memory on free; free times include it.");
}

void clocksource(const Ctx& c, Out& out) {
  const std::string cs = c.env.value("clocksource", "");
  if (!cs.empty() && cs.rfind("tsc", 0) != 0)
    out.push_back("clocksource is " + cs +
                  ", not tsc: the kernel does not trust the TSC here (kbench reads the TSC directly regardless; "
                  "kernel time reads cost more).");
}

void kernel_build(const Ctx& c, Out& out) {
  if (!c.raw.module_before) return;
  if (c.raw.module_before->test_hook())
    out.push_back("TEST HOOK: kbench.ko was loaded with a test parameter (test_kmalloc_extra_ns) that plants " +
                  std::to_string(c.raw.module_before->test_hook_ns) +
                  " ns (measured) in every kmalloc of the kmalloc API: these figures are not the kernel's.");
  if (c.raw.module_before->preempt_model == "rt")
    out.push_back("PREEMPT_RT kernel: spinlocks sleep; costs differ from non-RT kernels.");
  // Debug options that multiply allocation costs: results describe a debug kernel.
  const uint64_t k = c.raw.module_before->kconfig;
  const struct {
    uint64_t bit;
    const char* what;
  } debug[] = {
      {KBENCH_KCONFIG_KASAN, "KASAN (every access checked, freed memory quarantined)"},
      {KBENCH_KCONFIG_KCSAN, "KCSAN"},
      {KBENCH_KCONFIG_KMSAN, "KMSAN"},
      {KBENCH_KCONFIG_SLUB_DEBUG_ON, "SLUB_DEBUG_ON (slab debugging on by default: no fast paths)"},
      {KBENCH_KCONFIG_DEBUG_PREEMPT, "DEBUG_PREEMPT (checks on every preempt count change)"},
      {KBENCH_KCONFIG_LOCKDEP, "lockdep"},
      {KBENCH_KCONFIG_DEBUG_KMEMLEAK, "kmemleak (tracks every allocation)"},
      {KBENCH_KCONFIG_DEBUG_PAGEALLOC, "DEBUG_PAGEALLOC"},
      {KBENCH_KCONFIG_DEBUG_VM, "DEBUG_VM"},
      {KBENCH_KCONFIG_DEBUG_OBJECTS, "DEBUG_OBJECTS"},
  };
  for (const auto& d : debug)
    if (k & d.bit) out.push_back(std::string("debug kernel: ") + d.what + " is built in; costs are inflated.");
}

void command_line(const Ctx& c, Out& out) {
  const std::string cmdline = c.env.value("cmdline", "");
  for (const char* opt : {"slub_debug", "slab_debug", "page_owner=on", "debug_pagealloc=on", "page_poison=1",
                          "kfence.sample_interval", "init_on_free=1", "mitigations=off", "nosmt"})
    if (cmdline.find(opt) != std::string::npos)
      out.push_back(std::string("kernel command line has ") + opt + ": it changes allocation costs.");
  if (const std::string kf = c.env.value("kfence_sample_interval", ""); !kf.empty() && kf != "0")
    out.push_back("KFENCE samples one allocation every " + kf +
                  " ms: those allocations are much slower (outliers in the tails).");
}

void cpu_frequency(const Ctx& c, Out& out) {
  if (const std::string gov = c.env.value("cpufreq_governor", ""); !gov.empty() && gov != "performance")
    out.push_back("CPU frequency governor is " + gov + ", not performance: frequency changes add noise.");
  if (c.env.value("turbo", false)) out.push_back("turbo/boost is on: the CPU clock varies with load and temperature.");
  if (c.env.value("mem_profiling", "0") == "1")
    out.push_back("memory allocation profiling is on (vm.mem_profiling=1): every allocation is tagged.");
}

void completeness(const Ctx& c, Out& out) {
  if (!c.raw.ended)
    out.push_back("incomplete run: the target stopped before the end record; " + std::to_string(c.raw.jobs.size()) +
                  " of " + std::to_string(c.raw.planned_jobs) + " planned runs were saved.");
  if (c.raw.interrupted) out.push_back("interrupted: the run was stopped early; what was measured is kept.");
  for (const auto& p : c.raw.target_problems)
    out.push_back("incomplete run: " + p + " (the console log has the kernel's messages); what was measured is kept.");
  if (!c.raw.bad_records.empty()) {
    std::string first = c.raw.bad_records.front();
    out.push_back(std::to_string(c.raw.bad_records.size()) +
                  " damaged record line(s) of the raw stream were skipped, so the run is incomplete (first: " + first +
                  ").");
  }
}

void figures(const Ctx& c, Out& out) {
  size_t unreliable = 0, missed = 0;
  for (const auto& cfg : c.r.configs) {
    missed += cfg.cv_target_missed;
    for (const auto& p : cfg.phases) unreliable += p.unreliable;
  }
  if (unreliable)
    out.push_back(std::to_string(unreliable) +
                  " figure(s) are within 1% of the harness cost (the noop loop): they cannot be told apart from "
                  "kbench's own overhead and are marked unreliable.");
  if (missed)
    out.push_back(std::to_string(missed) +
                  " configuration(s) varied more than the cv_target: repeated up to max_repetitions, or "
                  "fewer where the spread was clearly larger (its 95 % lower bound above the target).");
}

void leftovers(const Ctx& c, Out& out) {
  const auto& m = c.raw.module_after;
  if (m && (m->outstanding_allocs || m->live_caches || m->live_pools))
    out.push_back("the module reports objects still allocated after the run (a kbench bug).");
}

// The kernel warm-up before the first run (execute_plan) did not settle.
void warmup(const Ctx& c, Out& out) {
  const auto it = c.env.find("kernel_warmup");
  if (it == c.env.end() || it->value("settled", true)) return;
  const auto rounds = it->value("rounds_ns_per_pair", std::vector<double>{});
  std::string why = it->value("reason", "");
  if (why.empty()) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "after %zu rounds of vmalloc(1M) pairs its last three were %.1f %% apart",
                  rounds.size(), 100 * it->value("last_rounds_spread", 0.0));
    why = buf;
  }
  out.push_back("the kernel did not settle before measuring (" + why +
                "): the first runs may read high; repetitions are interleaved, so medians resist it.");
}

// The ioctl fuzzer (fuzz.h) met an errno the ABI does not document, or
// left the module holding something.
void fuzz(const Ctx& c, Out& out) {
  const auto& f = c.raw.fuzz;
  if (!f.is_object()) return;
  if (!f.value("undocumented", nlohmann::json::array()).empty())
    out.push_back("ioctl fuzz: the module answered with errnos its ABI does not document: " + f["undocumented"].dump() +
                  " (a kbench bug).");
  const auto& a = f.value("after", nlohmann::json());
  if (!a.is_object())
    out.push_back("ioctl fuzz: the module could not be asked what it holds after the fuzz.");
  else if (a.value("outstanding_allocs", 0ULL) || a.value("live_caches", 0ULL) || a.value("live_pools", 0ULL))
    out.push_back("ioctl fuzz: the module holds objects after the fuzz: " + a.dump() + " (a kbench bug).");
}

// Add a new check here.
const std::function<void(const Ctx&, Out&)> kChecks[] = {emulation,    zeroing,       clocksource,  kernel_build,
                                                         command_line, cpu_frequency, completeness, figures,
                                                         leftovers,    warmup,        fuzz};

}  // namespace

std::vector<std::string> run_checks(const RunResults& r, const RawRun& raw, const RunMeta& meta) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const Ctx c{r, raw, meta, raw.environment.is_object() ? raw.environment : kEmpty};
  Out out;
  for (const auto& check : kChecks) check(c, out);
  return out;
}

}  // namespace kbench
