// SPDX-License-Identifier: GPL-2.0
// commands.h - the subcommands of kbench; main.cpp only parses arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kbench {

struct RunArgs {
  std::string config;
  std::string target = "auto";
  std::string out = "out";
  std::string kernel_args;
  unsigned mem_cap_mb = 0;
  std::vector<std::string> module_params;  // --module-param K=V
  unsigned stall_timeout_s = 300;
  unsigned boot_timeout_s = 120;
  std::string qemu_clock = "host";
  unsigned guest_mem_mb = 2048;
  std::optional<uint32_t> repetitions;  // overrides [run] repetitions
  std::optional<uint64_t> seed;         // overrides [run] seed
  std::string db;                       // history database; empty: History::default_path()
  bool history = true;
  bool selftest = true;
  bool warm_kernel = true;
  uint64_t fuzz_ioctls = 0;
  bool dry_run = false;
  bool verbose = false;  // the full table instead of the short summary
  std::string campaign;  // set by `kbench matrix`: the runs measured together
};

// Exit codes: 0 complete, 3 incomplete or interrupted (results saved), 1 error.
int cmd_run(const RunArgs& args);

// `kbench matrix`: the same config on several kernels, one campaign.
struct MatrixArgs {
  RunArgs run;             // the config and the options of each run; out: where the campaign goes
  std::string kernels;     // "6.1,6.12.107,6.12"
  std::string fail_above;  // "5%": a CI gate over every step
  std::string format = "text";
  bool clock_given = false;  // --qemu-clock given; else icount for QEMU targets
};
// Exit codes: 0, 2 (regressions above --fail-above), 3 (a kernel's run
// incomplete or failed; the others kept), 4 (nothing could be tested).
int cmd_matrix(const MatrixArgs& args);

// `kbench import DIR`: results.json, summary and history entry from the
// run.json and raw.ndjson a run left in DIR (a killed runner's included).
struct ImportArgs {
  std::string dir;
  std::string db;
  bool history = true;
  bool verbose = false;
};
int cmd_import(const ImportArgs& args);

struct ListArgs {
  std::string target = "auto";
  std::string out = "out/list";
};
int cmd_list(const ListArgs& args);

int cmd_history(const std::string& db_path, int limit);

// The Python report package (reports/kbench_report) does the plotting.
int cmd_report(const std::vector<std::string>& results, const std::string& out);
struct CompareArgs {
  std::string base, other;
  std::string fail_above;  // e.g. "5%": a CI gate; empty: none
  std::string format = "text";
  std::string output;  // empty: standard output
};
// The exit code of the comparison: 0, 2 (regressions above the threshold),
// 4 (nothing could be tested); errors are thrown.
int cmd_compare(const CompareArgs& args);
struct AdviseArgs {
  std::string size;
  bool atomic = false;
  bool contiguous = false;
  bool hot = false;               // many objects on a hot path
  bool one_off = false;           // one buffer held long
  bool forward_progress = false;  // must succeed under memory pressure (mempools)
  std::string results;            // a results.json; else a run from the history
  int64_t run = 0;                // 0: the newest run in the history
  std::string db;
};
int cmd_advise(const AdviseArgs& args);
int cmd_show(const std::string& db_path, int64_t id);
int cmd_kernels();
int cmd_export(const std::string& db_path, int64_t id, const std::string& format, const std::string& out);

}  // namespace kbench
