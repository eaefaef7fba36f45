# SPDX-License-Identifier: GPL-2.0
"""End to end: the real module on real Debian kernels (6.1 and 6.12) in QEMU."""
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kbtest import ALL_APIS, ROOT, kbench


def test_run_is_complete_and_labelled_emulated(quick_run):
    ctx = quick_run.results["context"]
    assert ctx["emulated"] is True
    assert ctx["complete"] is True
    assert ctx["target"] == f"qemu:{quick_run.kernel}"
    assert ctx["kernel_release"].startswith(quick_run.kernel + ".")
    assert ctx["json_schema_version"] == 1
    for key in ("init_on_alloc", "preempt_model", "timer", "clocksource", "cpu_model", "cmdline"):
        assert key in ctx, key
    assert all(b["emulated"] is True for b in quick_run.benchmarks if b.get("aggregate_name") == "median")
    assert "EMULATED" in quick_run.proc.stdout.splitlines()[0]
    assert any(w.startswith("EMULATED") for w in ctx["warnings"])


def test_quick_run_takes_under_a_minute_including_boot(quick_run):
    # The core issue's bound, with kernel and module already cached.
    assert quick_run.seconds < 60, f"quick.toml took {quick_run.seconds:.1f} s"


@pytest.mark.parametrize("api", ALL_APIS)
def test_every_api_gives_positive_finite_times(quick_run, api):
    for size in (64, 4096, 65536):
        for phase in ("pair", "alloc", "free"):
            b = quick_run.bench(api=api, size_bytes=size, phase=phase)
            for key in ("real_time", "min_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns",
                        "median_ci_low_ns", "median_ci_high_ns"):
                assert math.isfinite(b[key]) and b[key] > 0, (b["name"], key, b[key])
            assert b["median_ci_low_ns"] <= b["p50_ns"] <= b["median_ci_high_ns"]
            assert b["repetitions"] == 3 and b["batches"] == 24
            assert b["failures"] == 0 and b["noisy_batches"] >= 0
            its = quick_run.iterations(b)
            if phase == "pair":  # the alloc/free split of a pair has no iteration entries
                assert [i["repetition_index"] for i in its] == [0, 1, 2]
                assert all(i.get("batches", 8) == 8 and i["real_time"] > 0 for i in its)
            else:
                assert its == []
                assert len(b["rep_medians_ns"]) == 3 and all(t > 0 for t in b["rep_medians_ns"])


def test_the_catalog_is_the_modules_and_options_follow_it(quick_run):
    """What each API is comes from the module, and only APIs that take an option carry it."""
    catalog = {a["name"]: a for a in quick_run.results["context"]["kbench_catalog"]["apis"]}
    assert list(catalog) == ALL_APIS
    for name, a in catalog.items():
        assert a["family"] and a["call"] and a["free_call"] and a["memory"], a
    assert "harness" in catalog["noop"]["caps"]
    assert catalog["vmalloc"]["memory"] == "vmalloc" and "contiguous" not in catalog["vmalloc"]["caps"]
    assert catalog["kvmalloc"]["memory"] == "direct_or_vmalloc"
    for b in quick_run.benchmarks:
        if b.get("experiment") == "alloc" and b.get("aggregate_name") == "median":
            takes_min_nr = catalog[b["api"]]["options"] & 1  # KBENCH_OPT_MIN_NR
            assert ("min_nr" in b["options"]) == bool(takes_min_nr), b["name"]


def test_harness_cost_is_measured_and_compared(quick_run):
    # Every loop shape has its noop; every figure says what the harness costs.
    for b in quick_run.benchmarks:
        if b.get("aggregate_name") == "median" and b["api"] != "noop":
            assert b["harness_overhead_ns"] > 0, b["name"]
            assert b.get("unreliable", False) == (b["p50_ns"] - b["harness_overhead_ns"] < 0.01 * b["p50_ns"]), b["name"]
    assert "order_seed" in quick_run.results["context"]


def test_noop_below_kmalloc_below_vmalloc_at_64k(quick_run):
    t = {api: quick_run.bench(api=api, size_bytes=65536)["real_time"] for api in ("noop", "kmalloc", "vmalloc")}
    assert t["noop"] < t["kmalloc"] < t["vmalloc"], t


def test_refused_combinations_are_refused_with_a_reason(quick_run):
    refused = {(n["api"], n["size_bytes"], n["gfp"], n["pattern"]): n for n in quick_run.not_measured}
    for api in ("vmalloc", "vzalloc", "vmalloc_huge", "vmalloc_32"):
        n = refused[(api, 64, "GFP_ATOMIC", "pair")]
        assert n["status"] == "refused"
        assert n["errno"] == 95  # EOPNOTSUPP
        assert api in n["reason"] and len(n["reason"]) > 20, n
    # Nothing else was refused: every other combination of quick.toml is valid.
    assert all(gfp == "GFP_ATOMIC" and api in ("vmalloc", "vzalloc", "vmalloc_huge", "vmalloc_32")
               for api, _, gfp, _ in refused), sorted(refused)


def test_module_holds_nothing_after_the_run_and_unloads(quick_run):
    after = quick_run.results["kbench_module_after"]
    assert after["outstanding_allocs"] == 0
    assert after["outstanding_bytes"] == 0
    assert after["live_caches"] == 0
    assert after["live_pools"] == 0
    # Every repetition of every measured configuration (a run name less its phase).
    configs = {b["run_name"].rsplit("/", 1)[0] for b in quick_run.benchmarks if b.get("aggregate_name") == "median"}
    assert after["runs_completed"] >= 3 * len(configs)
    assert quick_run.results["context"]["target_details"]["rmmod_ok"] is True
    console = (quick_run.out / "guest-console.log").read_text()
    for bad in ("BUG:", "WARNING:", "Oops", "Call Trace", "Unexpected gfp"):
        assert bad not in console, console


def test_device_rejects_the_unprivileged_and_the_malformed(quick_run):
    checks = {c["name"]: c for c in quick_run.results["kbench_selftest"]}
    assert len(checks) >= 20
    assert checks["raw event without counters"]["detail"] == "bad_field=raw_config"
    failed = [c for c in checks.values() if not c["ok"]]
    assert not failed, failed
    assert checks["open without CAP_SYS_ADMIN (uid 0, all capabilities dropped)"]["got"] == "EPERM"
    assert checks["ioctl without CAP_SYS_ADMIN on an fd opened with it"]["got"] == "EPERM"
    assert checks["non-zero padding"]["detail"] == "bad_field=pad0"
    assert checks["a field the experiment does not read"]["detail"] == "bad_field=mode"
    assert checks["counters asked of an experiment that counts nothing"]["got"] == "EOPNOTSUPP"
    # The ABI grows by size: an older, shorter struct works; an unknown non-zero tail is refused.
    assert checks["a caller with the older, shorter struct (KBENCH_RUN_ARGS_SIZE_V0)"]["ok"]
    assert checks["a longer struct with a non-zero unknown tail"]["got"] == "E2BIG"
    assert checks["an unwritable sample buffer is refused before the run"]["got"] == "EFAULT"
    assert checks["a signal interrupts a run, keeping finished batches"]["got"] == "EINTR"
    assert checks["SIGKILL in the middle of a run frees everything"]["ok"]


def test_list_shows_the_validity_matrix_with_reasons(quick_run):
    text = quick_run.listing
    assert f"kernel {quick_run.kernel}." in text
    assert "APIs (from the module):" in text
    assert re.search(r"^  vmalloc +vmalloc +vmalloc +vmalloc -> vfree; ", text, re.M), text
    assert "Refusal reasons:" in text
    assert "vmalloc_32 takes no gfp argument" in text
    assert "GFP_SLAB_BUG_MASK" in text
    row = next(line for line in text.splitlines() if line.startswith("kmalloc "))
    assert row.split()[1] == "ok"  # GFP_KERNEL


def test_compare_py_compares_this_run_with_a_saved_one(tmp_path, quick_run):
    """Google Benchmark's compare.py reads results.json and diffs two runs."""
    compare = Path("/usr/share/benchmark/compare.py")
    if not compare.exists():
        pytest.fail("compare.py missing: apt-get install libbenchmark-tools")
    res = quick_run.out / "results.json"
    # A second "run": the same file with every time doubled, so the diff is known.
    other = json.loads(res.read_text())
    for b in other["benchmarks"]:
        b["real_time"] *= 2
        b["cpu_time"] *= 2
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other))
    dump = tmp_path / "diff.json"
    proc = subprocess.run(["/usr/bin/python3", str(compare), "--no-color", "-d", str(dump), "benchmarks",
                           str(res), str(other_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    name = quick_run.bench(api="kmalloc", size_bytes=65536, phase="pair")["run_name"]
    assert name in proc.stdout
    diff = {d["name"]: d for d in json.loads(dump.read_text())}
    assert len(diff) >= len({b["name"] for b in quick_run.benchmarks})
    change = diff[name]["measurements"][0]["time"]
    assert change == pytest.approx(1.0)  # +100 %


def test_an_api_added_to_the_module_alone_shows_everywhere(quick_run, tmp_path):
    """alloc_pages_exact was added as its adapter and one line of kbench_apis.h only:
    `kbench list`, results.json, the history, the report (with a colour of its own) and the
    advisor all show it, from the module's catalog."""
    api = "alloc_pages_exact"
    assert re.search(rf"^  {api} +pages +direct +alloc_pages_exact -> free_pages_exact; ", quick_run.listing, re.M)
    b = quick_run.bench(api=api, size_bytes=65536)
    assert b["real_time"] > 0 and b["call"] == "alloc_pages_exact"
    # The history: the run's own row holds it.
    run_id = re.search(r"^history: run (\d+) in ", quick_run.proc.stdout, re.M).group(1)
    exported = json.loads(kbench("export", run_id).stdout)
    assert any(e.get("api") == api for e in exported["benchmarks"])
    # The report: the size curve draws it, in a colour no other API has.
    import sys
    sys.path.insert(0, str(ROOT / "reports"))
    from kbench_report import load_run, write_report
    from kbench_report._style import color
    run = load_run(quick_run.out / "results.json")
    colours = [color(run, a["name"]) for a in run.catalog]
    assert len(set(colours)) == len(colours)
    write_report([run], tmp_path)
    svg = (tmp_path / "run0-size-curve.svg").read_text()
    assert api in svg
    # The advisor weighs it with the others.
    advice = kbench("advise", "--size", "64K", "--results", quick_run.out / "results.json").stdout
    assert api in advice, advice
