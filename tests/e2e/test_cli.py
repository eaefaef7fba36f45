# SPDX-License-Identifier: GPL-2.0
"""The kbench command line: help that teaches, errors that say where and how to fix."""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kbtest import KBENCH, ROOT, env_with_test_db, kbench


def test_help_teaches_targets_and_examples(kbench_bin):
    out = kbench("--help").stdout
    for word in ("host", "qemu:6.1", "qemu:6.12", "EMULATED", "kbench run --config"):
        assert word in out, word
    keys = kbench("help", "config").stdout
    for key in ("apis", "sizes", "gfp", "patterns", "batch_sizes", "contexts", "mempool_min_nr"):
        assert f"  {key} (" in keys, key


def test_bad_config_names_file_line_and_fix(kbench_bin, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[sweep]]\napis = ["kmalloc"]\nsizes = [64]\ngfp = ["GFP_KERNAL"]\n')
    proc = kbench("run", "--config", cfg, "--target", "qemu:6.12", "--out", tmp_path / "o", check=False)
    assert proc.returncode == 1
    assert f"{cfg}:4: unknown GFP flag 'GFP_KERNAL' (did you mean 'GFP_KERNEL'?)" in proc.stderr
    assert "hint:" in proc.stderr
    assert not (tmp_path / "o").exists(), "nothing may run for a bad config"


def test_unknown_target_is_an_error_with_the_choices(kbench_bin, tmp_path):
    proc = kbench("run", "-c", "configs/quick.toml", "--target", "qemu:latest", "--out", tmp_path, check=False)
    assert proc.returncode == 1
    assert "unknown target 'qemu:latest'" in proc.stderr and "qemu:6.12.107" in proc.stderr
    assert "kbench kernels" in proc.stderr
    # A series Debian does not offer here: said before anything boots.
    proc = kbench("run", "-c", "configs/quick.toml", "--target", "qemu:5.10", "--out", tmp_path / "o", check=False)
    assert proc.returncode == 1
    assert "Debian offers no cloud-amd64 image of 5.10 (neither this machine's apt lists nor sid)" in proc.stderr and "kbench kernels" in proc.stderr


def test_kernels_lists_debians_builds_and_an_exact_one_runs(kbench_bin, tmp_path):
    """`kbench kernels` lists the cloud and rt builds apt offers, each as its
    target name; an exact older build boots, and the results say which
    package it was."""
    out = kbench("kernels").stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("qemu:")}
    builds = [t for t in rows if t.startswith("qemu:6.12.") and not t.endswith("-rt")]
    assert len(builds) >= 3 and any(t.startswith("qemu:6.1.0-") for t in rows) and any(t.endswith("-rt") for t in rows)
    assert any(t.startswith("qemu:7.") and rows[t][3] == "sid" for t in rows), out  # Debian sid's
    exact = sorted(builds, key=lambda t: int(t.split(".")[2]))[0]  # the oldest 6.12 build offered
    cfg = tmp_path / "tiny.toml"
    cfg.write_text('[run]\nrepetitions = 1\n[[sweep]]\napis = ["kmalloc"]\nsizes = ["64"]\n')
    kbench("run", "--config", cfg, "--target", exact, "--out", tmp_path / "o", "--no-history", "--no-selftest",
           "--no-kernel-warmup", timeout=900)
    ctx = json.loads((tmp_path / "o" / "results.json").read_text())["context"]
    kernel, version = rows[exact][1], rows[exact][2]
    # The guest labels itself, from its own CPUID (QEMU's TCG signature):
    # the label the host target gives when the host is itself a TCG guest.
    assert ctx["platform"] == "EMULATED" and ctx["hypervisor"] == "TCG" and ctx["emulated"] is True
    assert ctx["target"] == exact and ctx["kernel_release"] == kernel
    assert ctx["target_details"]["kernel_package_version"] == version and version.startswith(exact[5:])
    assert kbench("kernels").stdout.count(f"{kernel} ") == 1 and f"{version}  " in kbench("kernels").stdout
    assert [r for r in kbench("kernels").stdout.splitlines() if r.startswith(exact + " ")][0].split()[-1] == "yes"


def test_a_kernel_tree_you_built_is_a_target(kbench_bin, tmp_path):
    """--target qemu:PATH boots PATH/arch/x86/boot/bzImage and builds the
    module against PATH, as a developer bisecting has it. The tree here is
    laid out from a Debian kernel's image and headers (no kernel compile in
    CI); a real one is `make defconfig && make -j$(nproc)`."""
    fetch = [str(ROOT / "scripts" / "fetch-kernel.sh"), "6.12", str(ROOT / "build" / "cache" / "kernels")]
    dist = Path(subprocess.run(fetch, capture_output=True, text=True, check=True, timeout=900).stdout.strip())
    tree = tmp_path / "linux"
    tree.mkdir()
    subprocess.run(["cp", "-rL", f"{dist}/kdir/.", str(tree)], check=True)
    # Not built yet: said before anything boots.
    proc = kbench("run", "-c", "configs/quick.toml", "--target", f"qemu:{tree}", "--out", tmp_path / "o", check=False)
    assert proc.returncode == 1 and "is not built (no arch/x86/boot/bzImage)" in proc.stderr, proc.stderr
    (tree / "arch" / "x86" / "boot").mkdir(parents=True)
    shutil.copy(dist / "vmlinuz", tree / "arch" / "x86" / "boot" / "bzImage")
    kbench("run", "-c", "configs/quick.toml", "--target", f"qemu:{tree}", "--out", tmp_path / "o", "-r", "1",
           "--no-history", "--no-selftest", "--no-kernel-warmup", timeout=1200)
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    ctx = res["context"]
    release = (dist / "release").read_text().strip()
    assert ctx["target"] == f"qemu:{tree}" and ctx["kernel_release"] == release and ctx["emulated"] is True
    details = ctx["target_details"]
    assert details["kernel_tree"] == str(tree.resolve()) and details["kernel_series"] == "tree"
    assert "kernel_package_version" not in details, "a tree is no Debian package"
    assert any(b.get("api") == "kmalloc" for b in res["benchmarks"])
    built = list((ROOT / "build" / "cache" / "modules").glob(f"tree-*-{release}/kbench.ko"))
    assert built, "the module was built against the tree, in a cache directory of its own"
    missing = kbench("run", "-c", "configs/quick.toml", "--target", f"qemu:{tmp_path}/nowhere", "--out",
                     tmp_path / "o2", check=False)
    assert missing.returncode == 1 and "no kernel tree at" in missing.stderr


def test_dry_run_plans_without_running(kbench_bin):
    out = kbench("run", "-c", "configs/default.toml", "--dry-run").stdout
    first = out.splitlines()[0]
    assert "from configs/default.toml (order seed " in first and int(first.split()[0]) > 500
    assert " x 5 repetitions = " in first
    assert "vmalloc/size:64M/gfp:GFP_KERNEL/pattern:pair/n:1/ctx:preempt-on" in out


def test_interrupted_run_keeps_what_was_measured(kbench_bin, tmp_path):
    """Ctrl-C during a QEMU run: exit 3, results.json written from what arrived."""
    out = tmp_path / "int"
    db = tmp_path / "int.sqlite"
    proc = subprocess.Popen([str(KBENCH), "run", "-c", "configs/default.toml", "--target", "qemu:6.12",
                             "--out", str(out), "--db", str(db)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env_with_test_db())
    raw = out / "raw.ndjson"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if raw.exists() and raw.read_text().count('"type":"job"') >= 50:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr
    res = json.loads((out / "results.json").read_text())
    assert res["context"]["complete"] is False
    assert len(res["benchmarks"]) >= 50
    assert any("stopped by the user" in w or "incomplete" in w for w in res["context"]["warnings"])
    # The history holds the whole interrupted run, marked incomplete.
    history = kbench("history", "--db", db).stdout.splitlines()
    assert len(history) == 2, history
    row = history[1].split()
    assert row[0] == "1" and "incomplete" in row, row
    assert int(row[row.index("incomplete") + 1]) >= 25  # configurations measured
    shown = kbench("show", "1", "--db", db).stdout
    assert "run 1 of" in shown and "EMULATED" in shown and "incomplete" in shown
    # The export is the run as measured: results.json, entry for entry.
    exported = json.loads(kbench("export", "1", "--db", db).stdout)
    assert exported["context"]["complete"] is False
    assert exported["benchmarks"] == res["benchmarks"]


def _processes_naming(text):
    """PIDs whose command line mentions text."""
    pids = []
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and text in open(f"/proc/{d}/cmdline", "rb").read().decode(errors="replace"):
                pids.append(int(d))
        except OSError:
            pass
    return pids


def test_a_killed_runner_leaves_no_emulator_and_its_records_import(kbench_bin, tmp_path):
    """SIGKILL of `kbench run` mid-run: QEMU dies with it, and `kbench import`
    turns what the guest sent into results.json and an incomplete history row."""
    out = tmp_path / "killed"
    db = tmp_path / "killed.sqlite"
    proc = subprocess.Popen([str(KBENCH), "run", "-c", "configs/default.toml", "--target", "qemu:6.12",
                             "--out", str(out), "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env_with_test_db())
    raw = out / "raw.ndjson"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (raw.exists() and raw.read_text().count('"type":"job"') >= 30):
        time.sleep(0.2)
    assert _processes_naming(str(raw)), "QEMU writes the raw records: it should be running"
    proc.kill()
    proc.wait(timeout=10)
    t0 = time.monotonic()
    while _processes_naming(str(raw)) and time.monotonic() - t0 < 5:
        time.sleep(0.1)
    assert not _processes_naming(str(raw)), "QEMU outlived its runner"
    assert not (out / "results.json").exists()
    imported = kbench("import", out, "--db", db, check=False)
    assert imported.returncode == 3, imported.stderr
    assert "saved as incomplete" in imported.stderr and "EMULATED" in imported.stdout
    res = json.loads((out / "results.json").read_text())
    assert res["context"]["complete"] is False and res["context"]["target"] == "qemu:6.12"
    assert res["context"]["emulated"] is True
    # Every repetition the guest measured before the kill is kept: an
    # iteration entry each (a refused configuration has none; it is listed
    # in kbench_not_measured).
    jobs = [json.loads(line) for line in raw.read_text().splitlines() if '"type":"job"' in line]
    measured = sum(j["outcome"]["errno"] == 0 for j in jobs)
    assert measured >= 10, measured
    assert sum(b["run_type"] == "iteration" for b in res["benchmarks"]) >= measured
    history = kbench("history", "--db", db).stdout.splitlines()
    assert len(history) == 2 and "incomplete" in history[1].split(), history
    # Not a run directory: a clear error, not a traceback.
    bad = kbench("import", tmp_path / "nothing-here", "--db", db, check=False)
    assert bad.returncode == 1 and "run.json" in bad.stderr and "hint:" in bad.stderr


def test_a_batch_that_would_run_for_minutes_is_bounded_and_says_why(kbench_bin, tmp_path):
    """The config that once soft-locked a CPU for 52 s: 65536 order-10
    GFP_ATOMIC allocations in one batch. The module stops it at its batch
    time bound, with the reason; the kernel stays quiet."""
    cfg = tmp_path / "long-batch.toml"
    cfg.write_text('[run]\nrepetitions = 1\n[[sweep]]\napis = ["alloc_pages"]\nsizes = ["4M"]\n'
                   'gfp = ["GFP_ATOMIC"]\nops_per_batch = 65536\nbatches = 1\nwarmup_batches = 0\n')
    t0 = time.monotonic()
    proc = kbench("run", "--config", cfg, "--target", "qemu:6.12", "--out", tmp_path / "o", "--no-selftest",
                  "--no-history", check=False, timeout=300)
    took = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    (n,) = [n for n in res["kbench_not_measured"] if n["api"] == "alloc_pages"]
    assert n["status"] == "refused" and "ran past 30 s" in n["reason"] and "lower ops_per_batch" in n["reason"], n
    console = (tmp_path / "o" / "guest-console.log").read_text()
    for bad in ("soft lockup", "BUG:", "blocked for more than"):
        assert bad not in console, console
    assert took < 120, f"{took:.0f} s: boot, 30 s of batch, and shutdown"


def test_a_stalled_guest_is_named_where_its_cpu_was(kbench_bin, tmp_path):
    """The same long batch with a 3 s stall timeout: the runner gives up,
    keeps the records, and says which run it was in and where the guest's
    CPU was: busy in a kernel function, from the backtrace the kernel
    printed when asked through QEMU's monitor (sysrq-l)."""
    cfg = tmp_path / "long-batch.toml"
    cfg.write_text('[run]\nrepetitions = 1\n[[sweep]]\napis = ["alloc_pages"]\nsizes = ["4M"]\n'
                   'gfp = ["GFP_ATOMIC"]\nops_per_batch = 65536\nbatches = 1\nwarmup_batches = 0\n')
    proc = kbench("run", "--config", cfg, "--target", "qemu:6.12", "--out", tmp_path / "o", "--no-selftest",
                  "--no-history", "--stall-timeout", "3", check=False, timeout=300)
    assert proc.returncode == 3, proc.stderr
    m = re.search(r"\(stalled\) while running (\S+); its CPU was busy in ([A-Za-z_][\w.]*)\+0x[0-9a-f]+ \(sysrq-l",
                  proc.stderr)
    assert m, proc.stderr
    # The batch itself, or the noop of its loop shape if that ran first (the order is random).
    assert m.group(1).split("/")[0] in {"alloc_pages", "noop"} and "/pattern:pair/n:65536/" in m.group(1), m.group(1)
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    assert res["context"]["complete"] is False


def test_twenty_thousand_random_ioctls_find_no_warning_no_leak_and_no_undocumented_errno(kbench_bin, tmp_path):
    """The module's ABI under a fuzzer: random and boundary-valued requests
    (valid ones mutated, and wholly random ones) from two processes at once,
    in a guest that panics on any WARN. Every answer is a documented errno,
    the kernel stays quiet, and the module holds nothing after."""
    cfg = tmp_path / "tiny.toml"
    cfg.write_text('[run]\nrepetitions = 1\n[[sweep]]\napis = ["kmalloc"]\nsizes = ["64"]\n')
    proc = kbench("run", "--config", cfg, "--target", "qemu:6.12", "--out", tmp_path / "o", "--no-history",
                  "--no-kernel-warmup", "--fuzz-ioctls", "20000", "--kernel-args", "panic_on_warn=1", timeout=600)
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    fuzz = res["kbench_ioctl_fuzz"]
    assert fuzz["calls"] == 20000 and fuzz["processes"] == 2, fuzz
    assert fuzz["undocumented"] == [], fuzz
    assert fuzz["after"] == {"outstanding_allocs": 0, "outstanding_bytes": 0, "live_caches": 0, "live_pools": 0}
    # Deep enough to matter: some requests ran, some met the other process
    # (EBUSY), and refusals came from the module's own checks, not only the
    # ioctl's size.
    by = fuzz["by_errno"]
    assert by.get("0", 0) >= 100 and by.get("EBUSY", 0) >= 1 and by.get("EOPNOTSUPP", 0) >= 100, by
    assert by.get("EINVAL", 0) >= 1000 and by.get("E2BIG", 0) >= 100 and by.get("EFAULT", 0) >= 100, by
    assert res["context"]["complete"] is True and "panic_on_warn=1" in res["context"]["cmdline"]
    console = (tmp_path / "o" / "guest-console.log").read_text()
    for bad in ("WARNING:", "BUG:", "Oops", "Kernel panic", "soft lockup"):
        assert bad not in console, bad
    assert "KBENCH-INIT: rmmod ok" in console
    assert "ioctl fuzz: 20000 calls from 2 processes" in proc.stdout


@pytest.mark.xfail(strict=False, reason=(
    "once (CI-like load, 6.12, 2 vCPUs, after 1876 runs) the guest kernel double-faulted in "
    "kmem_cache_alloc_node_noprof under perf_event_create_kernel_counter from kbench_perf_open; "
    "not understood yet, see the stop-17 notes"))
def test_the_default_config_runs_in_a_256_mb_guest(kbench_bin, tmp_path):
    """Every configuration of configs/default.toml (one repetition each: the
    point is memory, not statistics) in a 256 MB guest: the run completes,
    nothing is OOM-killed, what does not fit is refused by the memory rule
    with its reason, and the module holds nothing after."""
    # Every sweep of the default config, one repetition each and no dynamic
    # run count (its extra rounds would double the time for nothing here).
    text = (ROOT / "configs/default.toml").read_text()
    assert "max_repetitions = 10" in text
    cfg = tmp_path / "default-once.toml"
    cfg.write_text(text.replace("max_repetitions = 10", "max_repetitions = 0"))
    proc = kbench("run", "-c", cfg, "--target", "qemu:6.12", "--out", tmp_path / "o",
                  "--guest-mem-mb", "256", "--repetitions", "1", "--no-history", "--no-selftest", timeout=1800)
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    ctx = res["context"]
    assert ctx["complete"] is True and ctx["target_details"]["guest_mem_mb"] == 256
    assert ctx["mem_total_kb"] < 256 * 1024
    measured = {b["run_name"] for b in res["benchmarks"] if b.get("aggregate_name") == "median"}
    assert len(measured) >= 500, len(measured)
    for n in res["kbench_not_measured"]:
        if n["status"] == "refused" and "memory" in n["reason"]:
            assert "MiB" in n["reason"], n
    console = (tmp_path / "o" / "guest-console.log").read_text()
    for bad in ("Out of memory", "oom-kill", "BUG:", "WARNING:", "soft lockup"):
        assert bad not in console, bad
    assert "after the run the module holds 0 objects, 0 caches, 0 pools" in proc.stdout


def test_mem_cap_beyond_the_guest_memory_is_refused_before_booting(kbench_bin, tmp_path):
    proc = kbench("run", "-c", "configs/quick.toml", "--target", "qemu:6.12", "--out", tmp_path / "o",
                  "--guest-mem-mb", "256", "--mem-cap-mb", "100000", check=False, timeout=120)
    assert proc.returncode == 1
    assert "--mem-cap-mb 100000 is more than half the guest's memory (256 MiB)" in proc.stderr
    assert "--guest-mem-mb" in proc.stderr


def test_module_load_failure_is_reported_with_the_kernels_words(kbench_bin, tmp_path):
    # A guest that enforces module signatures refuses the unsigned kbench.ko.
    proc = kbench("run", "-c", "configs/quick.toml", "--target", "qemu:6.12", "--out", tmp_path,
                  "--kernel-args", "module.sig_enforce=1", check=False)
    assert proc.returncode == 1
    assert "the guest kernel refused to load kbench.ko" in proc.stderr
    assert "Loading of unsigned module is rejected" in proc.stderr
    assert "guest-console.log" in proc.stderr


def test_guest_panic_is_reported(kbench_bin, tmp_path):
    # No init to run: the guest kernel panics during boot.
    proc = kbench("run", "-c", "configs/quick.toml", "--target", "qemu:6.1", "--out", tmp_path,
                  "--kernel-args", "rdinit=/nonexistent", check=False, timeout=300)
    assert proc.returncode == 1
    assert "the guest kernel panicked" in proc.stderr
    assert "Kernel panic" in proc.stderr


def test_a_guest_that_never_starts_is_stopped_at_the_boot_timeout(kbench_bin, tmp_path):
    # A shell as init waits for console input that never comes: nothing may hang.
    t0 = time.monotonic()
    proc = kbench("run", "-c", "configs/quick.toml", "--target", "qemu:6.12", "--out", tmp_path,
                  "--kernel-args", "rdinit=/bin/busybox sh", "--boot-timeout", "20", check=False, timeout=180)
    assert proc.returncode == 1
    assert "did not start the agent within 20 s (boot timeout)" in proc.stderr
    assert time.monotonic() - t0 < 90


def test_host_target_says_what_is_missing(kbench_bin, tmp_path):
    usable = os.path.exists("/proc/modules") and os.geteuid() == 0 and \
        os.path.exists(f"/lib/modules/{os.uname().release}/build/Makefile")
    if usable:
        import pytest
        pytest.skip("this machine can run the host target; nothing is missing")
    proc = kbench("run", "-c", "configs/quick.toml", "--target", "host", "--out", tmp_path, check=False)
    assert proc.returncode == 1
    assert "the host target cannot run here:" in proc.stderr
    assert "hint:" in proc.stderr
