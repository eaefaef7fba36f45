# SPDX-License-Identifier: GPL-2.0
"""`make run`, the main job: the default sweep on the default target."""
import math
import os
import subprocess

from kbtest import ALL_APIS


def test_make_run_writes_results_and_a_summary(make_run):
    assert (make_run.out / "results.json").exists()
    assert (make_run.out / "raw.ndjson").exists()
    assert "configurations measured" in make_run.proc.stdout
    assert f"results: {make_run.out}/results.json" in make_run.proc.stdout
    ctx = make_run.results["context"]
    assert ctx["complete"] is True
    if not os.path.exists("/proc/modules"):
        # This machine cannot load modules: make run must fall back to QEMU and say so.
        assert ctx["target"] == "qemu:6.12" and ctx["emulated"] is True
        assert "using qemu:6.12 instead" in make_run.proc.stderr
        assert "EMULATED" in make_run.proc.stdout


def test_the_summary_is_short_and_the_results_compact(make_run):
    """About 40 lines of summary (banner, warnings, headline figures, where
    the results are), and a results.json under 5 MB that compare.py reads."""
    out = make_run.proc.stdout.splitlines()
    # kbench's own summary: from its first line (the EMULATED banner or the
    # kernel line) to the report's path; make's and the build's lines aside.
    start = next(i for i, line in enumerate(out) if line.startswith(("=== EMULATED", "kernel ")))
    end = next(i for i, line in enumerate(out) if line.startswith("report: "))
    lines = out[start:end + 1]
    assert len(lines) <= 40, "\n".join(lines)
    size = (make_run.out / "results.json").stat().st_size
    assert size <= 5_000_000, f"results.json is {size / 1e6:.1f} MB"
    proc = subprocess.run(["/usr/bin/python3", "/usr/share/benchmark/compare.py", "--no-color", "benchmarks",
                           str(make_run.out / "results.json"), str(make_run.out / "results.json")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "_pvalue" in proc.stdout, "compare.py ran its U test on the iterations"


def test_make_run_ends_with_the_report(make_run):
    index = make_run.out / "report" / "index.html"
    assert f"report: {index}" in make_run.proc.stdout
    html = index.read_text()
    assert html.count("<img src=") >= 6
    assert "<table class='env'>" in html and "<table class='advice'>" in html
    if make_run.results["context"]["emulated"]:
        assert "class='banner'>EMULATED" in html


def test_default_sweep_covers_every_api_size_and_gfp_set(make_run):
    measured = [b for b in make_run.benchmarks if b.get("aggregate_name") == "median"]  # one per measurement
    apis = {b["api"] for b in measured if b["experiment"] == "alloc"}
    assert apis == set(ALL_APIS), set(ALL_APIS) - apis
    sizes = {b["size_bytes"] for b in measured if b.get("api") == "kmalloc"}
    assert len(sizes) >= 8 and min(sizes) == 8 and 4 << 20 in sizes, sorted(sizes)
    for api in ("vmalloc", "vzalloc", "vmalloc_huge", "vmalloc_32", "kvmalloc"):
        assert 64 << 20 in {b["size_bytes"] for b in measured if b.get("api") == api}, api
    assert len({b["gfp"] for b in measured if "gfp" in b}) >= 6
    for fields, want in (({"api": "kmalloc", "size_bytes": 64, "pattern": "pair"}, {"pair", "alloc", "free"}),
                         ({"api": "vmalloc", "size_bytes": 4096, "pattern": "batch", "ops_per_batch": 64},
                          {"alloc", "free"})):
        phases = {b["phase"] for b in measured if all(b.get(k) == v for k, v in fields.items())
                  and b.get("gfp") == "GFP_KERNEL"}
        assert phases == want, fields
    for b in measured:
        assert math.isfinite(b["real_time"]) and b["real_time"] > 0, b["name"]
    for n in make_run.not_measured:
        assert n["reason"], n
    assert make_run.results["kbench_module_after"]["outstanding_allocs"] == 0
