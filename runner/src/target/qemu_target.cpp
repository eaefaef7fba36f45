// SPDX-License-Identifier: GPL-2.0
// qemu_target.cpp - measure inside a Debian kernel booted under QEMU (TCG).
//
// The guest is a busybox initramfs holding kbench.ko (built for that
// kernel), the static kbench-agent and the plan. Results come back over a
// second serial port used for data only (ttyS1 -> a file), never by
// scraping the console; the console (ttyS0) is kept as a log and read for
// the init script's KBENCH-INIT markers, panics and oopses.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "target/process.h"
#include "target/qemu_monitor.h"
#include "target/target.h"

namespace kbench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One host thread for both vCPUs. Multi-threaded TCG lets a vCPU run a stale
// copy of kernel text that another vCPU is patching (static keys flip during
// boot): 6.12 guests hit the patcher's int3 and panicked in about one boot in
// eight here, before kbench was even loaded. Single-threaded TCG has no such
// race; the benchmark runs on one vCPU while the other idles, so it costs
// little.
constexpr const char* kAccel = "tcg,thread=single";
constexpr const char* kIcount = "shift=0,sleep=off";

// Lines of the console log containing any of the needles.
std::string grep_lines(const std::string& text, std::initializer_list<const char*> needles, size_t max = 40) {
  std::istringstream in(text);
  std::string line, out;
  size_t n = 0;
  while (std::getline(in, line)) {
    for (const char* needle : needles) {
      if (line.find(needle) != std::string::npos) {
        if (n++ < max) out += "  " + trim(line) + "\n";
        break;
      }
    }
  }
  return out;
}

size_t count_job_records(const std::string& path, size_t* bytes_seen) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  *bytes_seen = static_cast<size_t>(st.st_size);
  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line))
    if (line.rfind("{\"", 0) == 0 && line.find("\"type\":\"job\"") != std::string::npos) ++n;
  return n;
}

// One of kbench's scripts; its standard output, trimmed.
std::string run_script(const Paths& paths, const std::string& name, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {paths.source_dir + "/scripts/" + name};
  argv.insert(argv.end(), args.begin(), args.end());
  const CommandResult r = run_command(argv);
  if (r.exit_code != 0) throw Error(name + " failed (exit " + std::to_string(r.exit_code) + ")");
  return trim(r.out);
}

// The kernel a guest boots and the tree its module is built against: a
// Debian build from the archive (fetch-kernel.sh), or a developer's own
// built tree (bzImage and the tree as KDIR, as when bisecting).
struct GuestKernel {
  std::string image, kdir, release, module_dir;
  // A Debian root with the kernel's own compiler when this machine lacks
  // it (sid's gcc-16 for 7.x), else empty: the module is built there.
  std::string build_root;
  nlohmann::json details;  // what identifies it, for the context
};

GuestKernel debian_kernel(const std::string& series, const Paths& paths) {
  GuestKernel k;
  const std::string dir = run_script(paths, "fetch-kernel.sh", {series, paths.cache_dir + "/kernels"});
  k.image = dir + "/vmlinuz";
  k.kdir = dir + "/kdir";
  k.release = trim(read_file(dir + "/release"));
  k.module_dir = paths.cache_dir + "/modules/" + k.release;
  k.details = {{"kernel_package_version", trim(read_file(dir + "/package_version"))}, {"kernel_series", series}};
  if (fs::exists(dir + "/suite")) k.details["kernel_suite"] = trim(read_file(dir + "/suite"));
  if (fs::exists(dir + "/buildroot")) {
    k.build_root = trim(read_file(dir + "/buildroot"));
    k.details["module_build_root"] = k.build_root;
  }
  return k;
}

GuestKernel tree_kernel(const std::string& path, const Paths& paths) {
  std::error_code ec;
  const fs::path tree = fs::canonical(path, ec);
  if (ec || !fs::is_directory(tree))
    throw Error("no kernel tree at " + path, "qemu:PATH takes a built kernel tree, e.g. --target qemu:$HOME/linux");
  const fs::path image = tree / "arch/x86/boot/bzImage";
  if (!fs::exists(tree / "Makefile") || !fs::exists(tree / ".config"))
    throw Error(path + " is not a configured kernel tree (no Makefile and .config)",
                "configure and build it: make defconfig && make -j$(nproc)");
  if (!fs::exists(tree / "include/config/kernel.release") || !fs::exists(image))
    throw Error(path + " is not built (no " +
                    (fs::exists(image) ? "include/config/kernel.release" : "arch/x86/boot/bzImage") + ")",
                "build it: make -j$(nproc) (bzImage and modules; external modules need Module.symvers)");
  GuestKernel k;
  k.image = image.string();
  k.kdir = tree.string();
  k.release = trim(read_file((tree / "include/config/kernel.release").string()));
  // One module build per tree: a bisect's next step rebuilds it (Kbuild
  // sees the tree's headers change).
  const size_t h = std::hash<std::string>{}(tree.string());
  char tag[17];
  std::snprintf(tag, sizeof tag, "%016zx", h);
  k.module_dir = paths.cache_dir + "/modules/tree-" + std::string(tag, 8) + "-" + k.release;
  k.details = {{"kernel_tree", tree.string()}, {"kernel_series", "tree"}};
  if (fs::exists(tree / ".git")) {
    const CommandResult r = run_command({"git", "-C", tree.string(), "describe", "--always", "--dirty", "--tags"});
    if (r.exit_code == 0) k.details["kernel_tree_revision"] = trim(r.out);
  }
  return k;
}

bool is_tree_spec(const std::string& what) { return what.find('/') != std::string::npos; }

class QemuTarget final : public Target {
 public:
  // series: a Debian series or build (6.12, 6.12.107-rt), fetched when the
  // run starts, or a path to a built kernel tree (it has a '/'), resolved
  // already (kernel).
  QemuTarget(std::string series, Paths paths, TargetOptions opts, std::optional<GuestKernel> kernel)
      : series_(std::move(series)), paths_(std::move(paths)), opts_(std::move(opts)), tree_(std::move(kernel)) {}

  std::string name() const override { return "qemu:" + series_; }
  bool emulated() const override { return true; }
  nlohmann::json details() const override { return details_; }

  RawRun execute(const Plan& plan, const std::string& raw_path, const ProgressFn& progress,
                 const std::atomic<bool>* stop) override {
    if (!have_program("qemu-system-x86_64"))
      throw Error("qemu-system-x86_64 is not installed", "apt-get install qemu-system-x86 (make run installs it)");
    const GuestKernel kernel = tree_ ? *tree_ : debian_kernel(series_, paths_);
    const std::string& release = kernel.release;
    std::cerr << "kbench: guest kernel " << release << "\n";
    std::vector<std::string> build_args = {kernel.kdir, kernel.module_dir};
    if (!kernel.build_root.empty()) build_args.push_back(kernel.build_root);
    const std::string ko = run_script(paths_, "build-module.sh", build_args);
    const std::string busybox = run_script(paths_, "fetch-busybox.sh", {paths_.cache_dir});
    if (::access(paths_.agent.c_str(), X_OK) != 0)
      throw Error("the guest agent " + paths_.agent + " is missing", "build it: make build");

    const fs::path work = fs::path(raw_path).parent_path() / "guest";
    fs::create_directories(work);
    // The module holds at most half of what it finds available; a cap
    // beyond the guest's memory would only let the OOM killer decide.
    if (opts_.guest_mem_mb < 128)
      throw Error("--guest-mem-mb " + std::to_string(opts_.guest_mem_mb) + " is too small to boot",
                  "give the guest 128 MiB or more (256 runs the default config)");
    if (opts_.mem_cap_mb && opts_.mem_cap_mb > opts_.guest_mem_mb / 2)
      throw Error("--mem-cap-mb " + std::to_string(opts_.mem_cap_mb) + " is more than half the guest's memory (" +
                      std::to_string(opts_.guest_mem_mb) + " MiB)",
                  "lower --mem-cap-mb, or raise --guest-mem-mb");
    const fs::path stage = work / "root";
    fs::remove_all(stage);
    fs::create_directories(stage / "bin");
    fs::copy_file(busybox, stage / "bin/busybox");
    fs::copy_file(paths_.source_dir + "/scripts/guest-init.sh", stage / "init");
    fs::copy_file(ko, stage / "kbench.ko");
    fs::copy_file(paths_.agent, stage / "kbench-agent");
    fs::permissions(stage / "init", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    {
      std::ofstream(stage / "plan.json") << nlohmann::json(plan).dump() << "\n";
      std::ofstream params(stage / "kbench.params");
      params << module_parameters(opts_) << "\n";
    }
    const std::string initrd = (work / "initrd.cpio.gz").string();
    if (run_command({paths_.source_dir + "/scripts/mkinitramfs.sh", stage.string(), initrd}).exit_code != 0)
      throw Error("packing the guest initramfs failed");

    const std::string console = (fs::path(raw_path).parent_path() / "guest-console.log").string();
    const bool icount = opts_.qemu_clock == "icount";
    std::string append = "console=ttyS0 panic=-1 loglevel=4";
    if (!opts_.kernel_args.empty()) append += " " + opts_.kernel_args;
    std::vector<std::string> argv = {"qemu-system-x86_64",
                                     "-accel",
                                     kAccel,
                                     "-nodefaults",
                                     "-display",
                                     "none",
                                     "-no-reboot",
                                     "-m",
                                     std::to_string(opts_.guest_mem_mb),
                                     "-smp",
                                     icount ? "1" : "2",
                                     "-kernel",
                                     kernel.image,
                                     "-initrd",
                                     initrd,
                                     "-append",
                                     append,
                                     "-serial",
                                     "file:" + console,
                                     "-serial",
                                     "file:" + raw_path,
                                     "-monitor",
                                     "unix:" + monitor_path(work) + ",server=on,wait=off"};
    // sleep=off: an idle guest's clock jumps to its next timer instead of
    // following the host's, so waits (workqueues, the clocksource watchdog)
    // cost the same on every boot and no host time leaks into a figure.
    if (icount) argv.insert(argv.begin() + 3, {"-icount", kIcount});
    details_ = kernel.details;
    if (fs::exists(kernel.module_dir + "/compiler"))
      details_["module_compiler"] = trim(read_file(kernel.module_dir + "/compiler"));
    details_.update(nlohmann::json{{"kernel_release", release},
                                   {"qemu_command", argv},
                                   {"console_log", console},
                                   {"accel", kAccel},
                                   {"guest_mem_mb", opts_.guest_mem_mb},
                                   {"guest_cpus", icount ? 1 : 2},
                                   {"clock", opts_.qemu_clock}});
    if (!opts_.module_params.empty()) details_["module_params"] = opts_.module_params;
    if (icount) details_["icount"] = kIcount;

    std::cerr << "kbench: booting " << release << " in QEMU (TCG, EMULATED)\n";
    const auto t0 = Clock::now();
    const pid_t pid = spawn_logged(argv, (work / "qemu.log").string());
    std::string failure = wait_for_guest(pid, plan, raw_path, console, work, progress, stop, t0);
    fs::remove(monitor_path(work));
    details_["wall_seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();

    const std::string log = read_file(console);
    if (failure.empty()) failure = diagnose_console(log);
    std::ifstream in(raw_path);
    RawRun run = read_records(in);
    if (!failure.empty()) {
      const std::string dmesg = grep_lines(
          log, {"KBENCH-DMESG", "Kernel panic", "BUG:", "Oops", "RIP:", "WARNING:", "Out of memory", "blocked for"});
      const std::string msg =
          failure + (dmesg.empty() ? "" : "\nkernel messages:\n" + dmesg) + "\nconsole log: " + console;
      if (run.jobs.empty() && !run.module_before) throw Error(msg, "see the console log for the whole boot");
      std::cerr << "kbench: warning: " << msg << "\n";
      details_["failure"] = failure;
      run.target_problems.push_back(failure);
    }
    details_["rmmod_ok"] = log.find("KBENCH-INIT: rmmod ok") != std::string::npos;
    return run;
  }

 private:
  // QEMU's monitor socket: in the run's directory when its path is short
  // enough for a unix socket, else in /tmp.
  static std::string monitor_path(const fs::path& work) {
    const std::string near = (work / "monitor.sock").string();
    return near.size() < 100 ? near : "/tmp/kbench-monitor-" + std::to_string(::getpid()) + ".sock";
  }

  // Returns "" when the guest powered off by itself, else what went wrong.
  std::string wait_for_guest(pid_t pid, const Plan& plan, const std::string& raw_path, const std::string& console,
                             const fs::path& work, const ProgressFn& progress, const std::atomic<bool>* stop,
                             Clock::time_point t0) {
    size_t last_jobs = 0, last_bytes = 0;
    auto last_change = Clock::now();
    for (;;) {
      int status = 0;
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
        return "QEMU exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      }
      size_t bytes = 0;
      const size_t jobs = count_job_records(raw_path, &bytes);
      if (jobs != last_jobs || bytes != last_bytes) {
        last_change = Clock::now();
        if (progress && jobs != last_jobs && !plan.jobs.empty()) {
          // The dynamic run count may add entries: the total grows with them.
          const size_t total = std::max(jobs, plan.order.empty() ? plan.jobs.size() : plan.order.size());
          progress(jobs, total,
                   plan.jobs[plan.order.empty() ? std::min(jobs, plan.jobs.size() - 1)
                                                : plan.order[std::min(jobs, plan.order.size() - 1)].config]);
        }
        last_jobs = jobs;
        last_bytes = bytes;
      }
      const double since_change = std::chrono::duration<double>(Clock::now() - last_change).count();
      std::string why;
      if (stop && stop->load())
        why = "stopped by the user; " + std::to_string(jobs) + " configurations were measured";
      else if (bytes == 0 && std::chrono::duration<double>(Clock::now() - t0).count() > opts_.boot_timeout_s)
        why = "the guest did not start the agent within " + std::to_string(opts_.boot_timeout_s) + " s (boot timeout)";
      else if (bytes != 0 && since_change > opts_.stall_timeout_s) {
        why = "no result from the guest for " + std::to_string(opts_.stall_timeout_s) + " s (stalled)";
        // Which run it was in, and where the guest's CPU was: asked before
        // QEMU is stopped, so the next stall can be understood.
        const size_t at = plan.order.empty() ? jobs : (jobs < plan.order.size() ? plan.order[jobs].config : SIZE_MAX);
        if (jobs == 0 && read_file(raw_path).find("\"type\":\"start\"") == std::string::npos)
          why += " before the first run (the self-test or the kernel warm-up)";
        else if (at < plan.jobs.size())
          why += " while running " + plan.jobs[at].key();
        const std::string cpu = describe_stall(monitor_path(work), console);
        if (!cpu.empty()) why += "; " + cpu;
      }
      if (!why.empty()) {
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 50 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return why;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  // What the guest's console says went wrong, most severe first; "" if
  // nothing. Any of these makes the run incomplete (its figures may be of
  // a kernel in trouble), with the records kept.
  static std::string diagnose_console(const std::string& log) {
    auto has = [&](const char* s) { return log.find(s) != std::string::npos; };
    if (has("KBENCH-INIT: insmod failed")) return "the guest kernel refused to load kbench.ko";
    if (has("Kernel panic")) return "the guest kernel panicked";
    // "BUG: soft lockup" is a lockup, reported below; any other BUG is a bug.
    bool bug = has("Oops");
    for (size_t at = log.find("BUG: "); !bug && at != std::string::npos; at = log.find("BUG: ", at + 1))
      bug = log.compare(at, 17, "BUG: soft lockup") != 0;
    if (bug) return "the guest kernel reported an oops or BUG";
    if (has("soft lockup")) return "the guest kernel reported a soft lockup (a CPU stuck in the kernel)";
    if (has("blocked for more than")) return "the guest kernel reported a hung task";
    if (has("Out of memory: Killed process") || has("KBENCH-INIT: agent exit 137"))
      return "the guest ran out of memory and the kernel killed the agent (OOM); lower --mem-cap-mb or the sizes";
    if (has("WARNING: CPU")) return "the guest kernel printed a WARNING";
    if (!has("KBENCH-INIT: done")) return "the guest stopped before its init script finished";
    return {};
  }

  std::string series_;
  Paths paths_;
  TargetOptions opts_;
  std::optional<GuestKernel> tree_;
  nlohmann::json details_;
};

void check_qemu_options(const TargetOptions& opts) {
  if (opts.qemu_clock != "host" && opts.qemu_clock != "icount")
    throw Error("unknown QEMU clock '" + opts.qemu_clock + "'", "--qemu-clock host (the default) or icount");
}

}  // namespace

std::unique_ptr<Target> make_qemu_target(const std::string& series, const Paths& paths, const TargetOptions& opts) {
  check_qemu_options(opts);
  return std::make_unique<QemuTarget>(series, paths, opts, std::nullopt);
}

std::unique_ptr<Target> make_target(const std::string& spec, const Paths& paths, const TargetOptions& opts) {
  if (spec == "host") return make_host_target(paths, opts);
  // qemu:SERIES: the newest build of a series (6.1, 6.12, 7.2), an exact build
  // (6.12.107, 6.1.0-57), either with -rt for the PREEMPT_RT flavour.
  static const std::regex series(R"(qemu:([0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+)?(-rt)?))");
  if (std::smatch m; std::regex_match(spec, m, series)) return make_qemu_target(m[1].str(), paths, opts);
  // qemu:PATH: a kernel tree the user built (a path has a '/': ./linux).
  if (spec.rfind("qemu:", 0) == 0 && is_tree_spec(spec.substr(5))) {
    check_qemu_options(opts);
    // A tree that is not there or not built: said now, before any boot.
    GuestKernel tree = tree_kernel(spec.substr(5), paths);
    return std::make_unique<QemuTarget>(spec.substr(5), paths, opts, std::move(tree));
  }
  if (spec == "auto" || spec.empty()) {
    std::string why;
    if (host_target_usable(&why)) return make_host_target(paths, opts);
    std::cerr << "kbench: the host target cannot run here (" << why
              << "); using qemu:6.12 instead. Results will be EMULATED.\n";
    return make_qemu_target("6.12", paths, opts);
  }
  throw Error(
      "unknown target '" + spec + "'",
      "targets: host, qemu:6.1, qemu:6.12, qemu:7.2, an exact build such as qemu:6.12.107, any of them with -rt, "
      "qemu:PATH for a kernel tree you built (e.g. qemu:./linux) (default: host if usable, else "
      "qemu:6.12); `kbench kernels` lists what Debian offers");
}

// Where kbench's files are: beside the binary when it is installed
// (PREFIX/bin/kbench, PREFIX/share/kbench, PREFIX/libexec/kbench, so a
// DESTDIR tree works too), else the source tree it was built from; the
// cache of an installed kbench is /var/cache/kbench for root, else the
// user's. KBENCH_HOME and KBENCH_CACHE override.
Paths default_paths() {
  Paths p;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path prefix = ec ? fs::path() : self.parent_path().parent_path();
  p.installed = !ec && fs::exists(prefix / "share/kbench/scripts/build-module.sh");
  const char* home = std::getenv("KBENCH_HOME");
  p.source_dir = home ? home : p.installed ? (prefix / "share/kbench").string() : KBENCH_SOURCE_DIR;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* user = std::getenv("HOME");
  const std::string user_cache = xdg && *xdg ? std::string(xdg) : std::string(user ? user : "/tmp") + "/.cache";
  const char* cache = std::getenv("KBENCH_CACHE");
  p.cache_dir = cache              ? cache
                : !p.installed     ? p.source_dir + "/build/cache"
                : ::geteuid() == 0 ? "/var/cache/kbench"
                                   : user_cache + "/kbench";
  if (p.installed)
    p.agent = (prefix / "libexec/kbench/kbench-agent").string();
  else
    p.agent = (ec ? fs::path(p.source_dir + "/build/runner") : self.parent_path()).string() + "/kbench-agent";
  return p;
}

}  // namespace kbench
