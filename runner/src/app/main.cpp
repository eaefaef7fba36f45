// SPDX-License-Identifier: GPL-2.0
// main.cpp - argument parsing and the one place errors are printed.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/commands.h"
#include "config/config.h"
#include "core/error.h"

namespace {

// The options of a run, shared by `run` and `matrix` (which makes runs).
void add_run_options(CLI::App* cmd, kbench::RunArgs& r) {
  cmd->add_option("-o,--out", r.out, "Output directory for results.json and raw records")->capture_default_str();
  cmd->add_option("--mem-cap-mb", r.mem_cap_mb, "Module memory cap per run in MiB (default: a quarter of RAM)");
  cmd->add_option("--module-param", r.module_params,
                  "Load kbench.ko with K=V too (repeatable). test_kmalloc_extra_ns=N is a test hook: every kmalloc "
                  "of the kmalloc API N ns slower, a planted regression for checking a comparison; the results "
                  "then say they are not the kernel's")
      ->check([](const std::string& v) {
        return v.find('=') == std::string::npos || v.find_first_of(" \t\n") != std::string::npos
                   ? "write K=V without spaces, e.g. test_kmalloc_extra_ns=100"
                   : "";
      });
  cmd->add_option("--kernel-args", r.kernel_args,
                  "Extra guest kernel command line, e.g. init_on_alloc=0 (QEMU targets)");
  cmd->add_option("--stall-timeout", r.stall_timeout_s, "Give up when the target sends nothing for this many seconds")
      ->capture_default_str();
  cmd->add_option("-r,--repetitions", r.repetitions, "Measure each configuration this often (overrides [run])");
  cmd->add_option("--seed", r.seed, "Seed of the interleaved order (overrides [run]; default random, recorded)");
  cmd->add_option("--boot-timeout", r.boot_timeout_s,
                  "Give up when a QEMU guest has not started measuring after this many seconds")
      ->capture_default_str();
  cmd->add_option("--qemu-clock", r.qemu_clock,
                  "QEMU targets: host (default) or icount: guest time counts instructions, so emulated figures "
                  "repeat within about 1% across boots and kernels can be compared (one vCPU)")
      ->capture_default_str();
  cmd->add_option("--guest-mem-mb", r.guest_mem_mb, "QEMU targets: the guest's memory in MiB (recorded)")
      ->capture_default_str();
  cmd->add_flag("!--no-selftest", r.selftest, "Skip the device permission and ABI checks");
  cmd->add_option("--fuzz-ioctls", r.fuzz_ioctls,
                  "After the plan, this many random and boundary-valued ioctls from two processes (e.g. "
                  "20000 with --kernel-args panic_on_warn=1): each must fail with a documented errno, and the "
                  "module must hold nothing after");
  cmd->add_flag("!--no-kernel-warmup", r.warm_kernel,
                "Skip the untimed vmalloc(1M) rounds run until the kernel settles, at most 5 s (a freshly "
                "booted 6.12 pays twice as much for its first ~900 pairs)");
  cmd->add_option("--db", r.db, "History database (default: $KBENCH_DB or ~/.local/share/kbench/history.sqlite)");
  cmd->add_flag("!--no-history", r.history, "Do not save the run in the history database");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "kbench: what kernel memory allocation costs on this machine and kernel.\n\n"
      "It times the kernel's allocation APIs (kmalloc, vmalloc, kvmalloc, alloc_pages, kmem_cache,\n"
      "mempool and more: `kbench list` shows what the module offers on a kernel) inside the kernel,\n"
      "across sizes, GFP flags and allocation patterns, with the kbench module.\n\n"
      "Targets: 'host' runs on this machine (root, a kernel that loads modules, its headers);\n"
      "'qemu:6.1' / 'qemu:6.12' / 'qemu:7.2' (sid) boot a Debian kernel under QEMU without\n"
      "acceleration (7.x's module is built in a cached Debian sid root with its gcc-16): those\n"
      "results are EMULATED, good for comparing kernels with each other, not for real times.\n"
      "An exact build (qemu:6.12.107, qemu:6.1.0-57) or the PREEMPT_RT flavour (qemu:6.12-rt)\n"
      "works too: `kbench kernels` lists what Debian offers and what is cached.\n\n"
      "Examples:\n"
      "  kbench run --config configs/default.toml --out out/       # host if possible, else qemu:6.12\n"
      "  kbench run --config configs/quick.toml --target qemu:6.1 --out out/q61\n"
      "  kbench run --config configs/default.toml --dry-run         # what would run\n"
      "  kbench list --target qemu:6.12                             # which API x GFP this kernel accepts\n"
      "  kbench import out/latest                                   # results of a run that was killed\n"
      "  kbench history                                             # earlier runs (SQLite)\n"
      "  kbench report out/latest/results.json --out out/report    # HTML report with plots\n"
      "  kbench advise --size 256K                                  # which API for a driver?\n"
      "  kbench show 3 ; kbench export 3 --format csv              # one earlier run\n"
      "  kbench help config                                         # every config key"};
  app.require_subcommand(1);
  app.set_version_flag("--version", KBENCH_VERSION);

  kbench::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Measure the sweep of a config; write results.json and a summary.");
  run_cmd->add_option("-c,--config", run.config, "Sweep file, e.g. configs/default.toml")->required();
  run_cmd->add_option(
      "-t,--target", run.target,
      "host | qemu:6.1 | qemu:6.12 | qemu:7.2 | qemu:6.12.107 (an exact build) | any qemu one with -rt | qemu:PATH, a "
      "kernel tree you built (bzImage, and the tree as KDIR; e.g. qemu:./linux); `kbench kernels` lists Debian's "
      "(default: host if usable, else qemu:6.12)");
  add_run_options(run_cmd, run);
  run_cmd->add_flag("-n,--dry-run", run.dry_run, "Print the planned configurations and stop");
  run_cmd->add_flag("-v,--verbose", run.verbose,
                    "Print every measurement, not the short summary (the report and results.json have them all)");

  kbench::MatrixArgs mx;
  auto* matrix_cmd = app.add_subcommand(
      "matrix",
      "The same config on each of several kernels, one campaign in the history: each kernel against the one "
      "before it in version order (U test, Benjamini-Hochberg across the whole matrix, ratio with its interval), "
      "a report with the trends. QEMU targets run under --qemu-clock icount unless told otherwise: only then do "
      "emulated figures repeat (within about 0.2 %) from boot to boot, so two kernels can be told apart at all.");
  matrix_cmd->add_option("-c,--config", mx.run.config, "Sweep file, e.g. configs/quick.toml")->required();
  matrix_cmd
      ->add_option("-k,--kernels", mx.kernels,
                   "Comma-separated targets, e.g. 6.1,6.12.107,6.12,6.12-rt,7.2 (a bare version is qemu:VERSION; "
                   "qemu:PATH trees too)")
      ->required();
  add_run_options(matrix_cmd, mx.run);
  matrix_cmd->add_option("--fail-above", mx.fail_above,
                         "Exit 2 when a step between kernels is a significant regression larger than this, e.g. 5%");
  matrix_cmd->add_option("--format", mx.format, "Each step's comparison as text, ktap or junit")
      ->check(CLI::IsMember({"text", "ktap", "junit"}))
      ->capture_default_str();

  kbench::ImportArgs imp;
  auto* import_cmd = app.add_subcommand(
      "import",
      "Analyse what a run left in its --out directory (raw.ndjson and run.json), e.g. after the runner was killed: "
      "writes results.json, the summary and a history entry, marked incomplete if the run did not end.");
  import_cmd->add_option("dir", imp.dir, "The run's --out directory")->required();
  import_cmd->add_option("--db", imp.db, "History database");
  import_cmd->add_flag("!--no-history", imp.history, "Do not save the run in the history database");
  import_cmd->add_flag("-v,--verbose", imp.verbose, "Print every measurement");

  kbench::ListArgs list;
  auto* list_cmd = app.add_subcommand("list", "Show the APIs and the API x GFP validity matrix of a target's kernel.");
  list_cmd->add_option("-t,--target", list.target, "host | qemu:6.1 | qemu:6.12 | qemu:6.12.107 | ...-rt");
  list_cmd->add_option("-o,--out", list.out, "Where to keep the raw answers")->capture_default_str();

  std::string db;
  int limit = 0;
  auto* history_cmd = app.add_subcommand("history", "List the runs in the history database, newest first.");
  history_cmd->add_option("--db", db, "History database (default: $KBENCH_DB or ~/.local/share/kbench/history.sqlite)");
  history_cmd->add_option("-n,--limit", limit, "Show at most this many runs");

  int64_t run_id = 0;
  auto* show_cmd = app.add_subcommand("show", "Print the summary of one run from the history.");
  show_cmd->add_option("run", run_id, "Run number, as `kbench history` lists it")->required();
  show_cmd->add_option("--db", db, "History database");

  std::string format = "json", export_out;
  auto* export_cmd = app.add_subcommand(
      "export",
      "Write one run from the history as results.json (compare.py reads it, repetitions included), CSV "
      "or the console summary: the same reporters as `kbench run`.");
  export_cmd->add_option("run", run_id, "Run number")->required();
  export_cmd->add_option("-f,--format", format, "json | csv | console")->capture_default_str();
  export_cmd->add_option("-o,--out", export_out, "Output file (default: stdout)");
  export_cmd->add_option("--db", db, "History database");

  std::vector<std::string> report_results;
  std::string report_out = "out/report";
  auto* report_cmd = app.add_subcommand("report", "Write an HTML report with plots of one or more results.json files.");
  report_cmd->add_option("results", report_results, "results.json files (one section each)")->required();
  report_cmd->add_option("-o,--out", report_out, "Directory for index.html and its images")->capture_default_str();

  kbench::CompareArgs cmp;
  auto* compare_cmd = app.add_subcommand(
      "compare",
      "Compare two results.json files (e.g. two kernels): per measurement the ratio with its 95 % interval and a U "
      "test on the repetitions, Benjamini-Hochberg across all of them; regressions first. As a CI gate: "
      "--fail-above 5% exits 2 when a significant regression is larger than 5 % (4: nothing could be tested, 1: "
      "bad input), --format ktap|junit for kselftest, KernelCI or any CI.");
  compare_cmd->add_option("base", cmp.base, "The reference results.json")->required();
  compare_cmd->add_option("other", cmp.other, "The results.json compared with it")->required();
  compare_cmd->add_option("--fail-above", cmp.fail_above,
                          "Exit 2 when a measurement is a significant regression larger than this, e.g. 5%");
  compare_cmd->add_option("--format", cmp.format, "text, ktap (kernel test format) or junit (XML)")
      ->check(CLI::IsMember({"text", "ktap", "junit"}))
      ->capture_default_str();
  compare_cmd->add_option("--output", cmp.output, "Write the comparison there instead of standard output");

  kbench::AdviseArgs adv;
  auto* advise_cmd = app.add_subcommand(
      "advise", "Which allocation API suits a driver: fastest valid API measured, runner-up, trade-offs.");
  advise_cmd->add_option("--size", adv.size, "Bytes per allocation, e.g. 64, 256K, 4M")->required();
  advise_cmd->add_flag("--atomic", adv.atomic, "The caller may not sleep (GFP_ATOMIC/GFP_NOWAIT)");
  advise_cmd->add_flag("--contiguous", adv.contiguous, "Physically contiguous memory is needed (no vmalloc)");
  auto* hot = advise_cmd->add_flag("--hot", adv.hot,
                                   "Many objects of this size on a hot path, per I/O (the default up to 16K): "
                                   "a kmem_cache of its own is considered");
  advise_cmd
      ->add_flag("--one-off", adv.one_off,
                 "One buffer held long, e.g. allocated at probe time (the default above 16K): no kmem_cache")
      ->excludes(hot);
  advise_cmd->add_flag("--forward-progress", adv.forward_progress,
                       "Allocations must succeed under memory pressure: mempools are considered (they are not "
                       "chosen for speed otherwise)");
  advise_cmd->add_option("--results", adv.results, "A results.json to answer from");
  advise_cmd->add_option("--run", adv.run, "A run of the history to answer from (default: the newest)");
  advise_cmd->add_option("--db", adv.db, "History database");

  auto* kernels_cmd = app.add_subcommand(
      "kernels", "List the Debian kernels a QEMU target can boot (cloud and rt builds), and which are cached.");

  auto* help_cmd = app.add_subcommand("help", "Reference: `kbench help config` lists every config key.");
  std::string topic;
  help_cmd->add_option("topic", topic, "config")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*run_cmd) return kbench::cmd_run(run);
    if (*list_cmd) return kbench::cmd_list(list);
    if (*import_cmd) return kbench::cmd_import(imp);
    if (*history_cmd) return kbench::cmd_history(db, limit);
    if (*report_cmd) return kbench::cmd_report(report_results, report_out);
    if (*compare_cmd) return kbench::cmd_compare(cmp);
    if (*matrix_cmd) {
      mx.clock_given = matrix_cmd->count("--qemu-clock") > 0;
      return kbench::cmd_matrix(mx);
    }
    if (*advise_cmd) return kbench::cmd_advise(adv);
    if (*show_cmd) return kbench::cmd_show(db, run_id);
    if (*kernels_cmd) return kbench::cmd_kernels();
    if (*export_cmd) return kbench::cmd_export(db, run_id, format, export_out);
    if (*help_cmd) {
      if (topic != "config") throw kbench::Error("no help topic '" + topic + "'", "topics: config");
      std::cout << kbench::describe_config_keys();
      return 0;
    }
  } catch (const kbench::Error& e) {
    std::cerr << "kbench: error: " << e.what() << "\n";
    if (!e.hint().empty()) std::cerr << "kbench: hint: " << e.hint() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kbench: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
