# SPDX-License-Identifier: GPL-2.0
"""Many CPUs at once and frees on another CPU (configs/contention.toml), on
Debian 6.1 and 6.12 with two vCPUs: every API gives figures on one CPU and
on both at once, per thread and together; remote-free gives the free of
objects another CPU allocated; the module holds nothing and leaves no
thread after a run or a kill; the two kernels compare under contention.

QEMU runs its vCPUs in one host thread (single-threaded TCG), so the
threads mostly take turns: these tests check the mechanics and that the
figures say how much the threads overlapped, not what contention costs on
real hardware (the host target measures that)."""
import math
import sqlite3
import subprocess

import pytest

from kbtest import ALL_APIS, KERNELS, ROOT, Run, kbench

CONTENTION_SIZES = (64, 4096, 65536)
REMOTE_APIS = ("kmalloc", "kmem_cache", "alloc_pages", "vmalloc", "kvmalloc", "mempool_kmalloc")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """configs/contention.toml on each kernel, into a history of their own."""
    db = tmp_path_factory.mktemp("contention-db") / "history.sqlite"
    out = {}
    for kernel in KERNELS:
        d = tmp_path_factory.mktemp(f"contention-{kernel}")
        proc = kbench("run", "-c", "configs/contention.toml", "--target", f"qemu:{kernel}", "--out", d,
                      "--db", db, timeout=1200)
        out[kernel] = Run(d, proc, 0)
        out[kernel].db = db
    return out


@pytest.fixture(scope="module", params=KERNELS)
def run(request, runs):
    return runs[request.param]


def finite_positive(x):
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.mark.parametrize("api", ALL_APIS)
def test_every_api_has_figures_on_one_cpu_and_on_every_cpu_at_once(run, api):
    cpus = run.results["context"]["num_cpus"]
    assert cpus == 2
    for size in CONTENTION_SIZES:
        alone = run.bench(api=api, size_bytes=size, phase="pair")
        team = run.bench(api=api, size_bytes=size, phase="pair", threads=cpus)
        assert team["name"] == alone["name"].replace("/pair", "/threads:all/pair"), team["name"]
        assert finite_positive(team["p50_ns"]) and finite_positive(alone["p50_ns"])
        # Per thread: each CPU's own median; together: the aggregate rate.
        assert len(team["per_thread_p50_ns"]) == cpus and all(map(finite_positive, team["per_thread_p50_ns"]))
        assert min(team["per_thread_p50_ns"]) <= team["p50_ns"] <= max(team["per_thread_p50_ns"]) * 1.0001
        assert finite_positive(team["aggregate_ops_per_s"]), team
        assert team["aggregate_ops_per_s_min"] <= team["aggregate_ops_per_s"] <= team["aggregate_ops_per_s_max"]
        # One vCPU at a time: the CPUs together do at most what two do alone.
        assert team["aggregate_ops_per_s"] < cpus * 1e9 / min(team["per_thread_p50_ns"]) * 1.5, team
        assert 0 < team["overlap"] <= 1.0, team
        assert team["failures"] == 0 and team["repetitions"] == 3
        if api == "noop":
            continue
        assert team["harness_overhead_ns"] > 0, "the noop on as many CPUs is the harness"


@pytest.mark.parametrize("api", REMOTE_APIS)
def test_remote_free_frees_what_the_other_cpu_allocated(run, api):
    cpus = run.results["context"]["num_cpus"]
    for size in (64, 4096):
        fields = dict(api=api, size_bytes=size, pattern="remote-free", threads=cpus)
        alloc = run.bench(phase="alloc", **fields)
        free = run.bench(phase="free", **fields)
        for b in (alloc, free):
            assert finite_positive(b["p50_ns"]) and len(b["per_thread_p50_ns"]) == cpus, b["name"]
            assert finite_positive(b["aggregate_ops_per_s"]) and 0 < b["overlap"] <= 1.0, b["name"]
        assert alloc["failures"] == 0
        # The same batch allocated on one CPU and freed on the other: as many frees as allocations.
        assert alloc["iterations"] == free["iterations"], (alloc["iterations"], free["iterations"])


def test_nothing_is_refused_and_the_module_holds_nothing_after(run):
    assert run.not_measured == [], run.not_measured[:3]
    after = run.results["kbench_module_after"]
    assert after["outstanding_allocs"] == 0 and after["outstanding_bytes"] == 0
    assert after["live_caches"] == 0 and after["live_pools"] == 0
    checks = {c["name"]: c for c in run.results["kbench_selftest"]}
    kill = [c for name, c in checks.items() if name.startswith("SIGKILL in the middle of a run on 2 CPUs")]
    assert len(kill) == 1 and kill[0]["ok"], kill
    for name in ("more threads than online CPUs", "remote-free on one CPU",
                 "threads asked of an experiment that runs on one CPU"):
        assert checks[name]["ok"], checks[name]
    assert "only 2 CPUs are online" in checks["more threads than online CPUs"]["detail"]


def test_the_summary_says_what_the_threads_did(run):
    out = run.proc.stdout
    assert "contention: " in out and "configurations on 2 CPUs at once" in out, out[-2000:]
    # Measured, not assumed: single-threaded TCG runs the vCPUs in turns.
    assert "overlapped" in out and "took turns" in out, out[-2000:]


def test_the_kernels_compare_under_contention(runs, tmp_path):
    """The cross-kernel comparison takes the configurations on every CPU too."""
    a, b = (runs[k].out / "results.json" for k in KERNELS)
    proc = subprocess.run(["/usr/bin/python3", "-m", "kbench_report", "compare", "--format", "junit",
                           "--output", str(tmp_path / "c.xml"), str(a), str(b)],
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT / "reports"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    xml = (tmp_path / "c.xml").read_text()
    assert "threads:all/pair" in xml and "pattern:remote-free" in xml


def test_the_history_keeps_the_threads(runs):
    """The history's threads column is the count that ran; the name keeps 'all'."""
    con = sqlite3.connect(runs[KERNELS[0]].db)
    team = con.execute("SELECT DISTINCT threads FROM measurements WHERE config_key LIKE '%/threads:all'").fetchall()
    alone = con.execute("SELECT DISTINCT threads FROM measurements WHERE config_key NOT LIKE '%/threads:%'").fetchall()
    con.close()
    assert team == [(2,)] and alone == [(1,)], (team, alone)
