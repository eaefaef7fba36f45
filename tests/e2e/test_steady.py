# SPDX-License-Identifier: GPL-2.0
"""Steady state and the harness out of the numbers, on Debian 6.1 and 6.12
under icount: steady vmalloc repeats across boots (within 3 %) and equals one long
uninterrupted loop, the lazy purges it pays are counted, the harness is
under 1 % of the cheapest slab pair, every noop loop costs something real,
slow operations get single-operation tails, and __GFP_COMP goes where page
APIs take it."""
import math
import re

import pytest

from kbtest import KERNELS, ROOT, Run, kbench

SIZES = (4096, 65536, 1 << 20)  # 1, 16 and 256 pages


@pytest.fixture(scope="module", params=KERNELS)
def boots(request, tmp_path_factory):
    """configs/steady.toml twice on one kernel, each a boot of its own, under icount."""
    runs = []
    for i in (1, 2):
        out = tmp_path_factory.mktemp(f"steady-{request.param}-{i}")
        proc = kbench("run", "-c", "configs/steady.toml", "--target", f"qemu:{request.param}", "--out", out,
                      "--qemu-clock", "icount", "--no-history")
        runs.append(Run(out, proc, 0))
    return request.param, runs


def pair(run, size, **fields):
    return run.bench(api="vmalloc", size_bytes=size, phase="pair", **fields)


# How far two boots' steady figures may differ. Repetitions within one boot
# (its batches) agree within 0.05 %, but 6.12's steady vmalloc(4K) moves in steps of
# 0.2-1 % with the state of its vmap allocator, from boot to boot and now
# and then between repetitions of one boot: over nine boots of 6.12.117
# (2026-12-02) the per-repetition medians took 5239-5379 ns (2.7 %), a CI
# run's two boots 5330 and 5397 (1.2 %); 64K and 1M stayed within 1.2 %
# and 0.2 %; 6.1 (four boots) within 0.3 %.
BOOT_TO_BOOT = 0.03


def test_steady_vmalloc_repeats_across_boots(boots):
    kernel, (a, b) = boots
    for size in SIZES:
        x, y = pair(a, size, state="steady")["p50_ns"], pair(b, size, state="steady")["p50_ns"]
        print(f"{kernel} vmalloc({size}) steady: {x:.0f} and {y:.0f} ns")
        assert abs(x - y) / min(x, y) < BOOT_TO_BOOT, (size, x, y)


def test_steady_equals_one_uninterrupted_loop_of_20480_pairs(boots):
    """The module's self-check: the steady figure against one loop of 20480
    vmalloc+vfree timed as a whole (one batch, no warm-up)."""
    kernel, runs = boots
    for run in runs:
        for size in SIZES:
            steady = pair(run, size, state="steady")["p50_ns"]
            loop = pair(run, size, state="clean", ops_per_batch=20480)
            assert loop["batches"] == loop["repetitions"], "one batch per repetition"
            print(f"{kernel} vmalloc({size}): steady {steady:.0f}, one 20480-pair loop {loop['p50_ns']:.0f} ns")
            assert abs(steady - loop["p50_ns"]) / loop["p50_ns"] < 0.03, (size, steady, loop["p50_ns"])


def test_the_lazy_purges_are_counted_and_match_the_threshold(boots):
    _, runs = boots
    rows = {r["size_bytes"]: r for r in runs[0].results["kbench_steady_state"] if r["api"] == "vmalloc"}
    assert sorted(rows) == list(SIZES)
    cpus = runs[0].results["context"]["num_cpus"]
    for size, r in rows.items():
        # lazy_max_pages(): 32 MiB times fls(online CPUs).
        assert r["purge_threshold_bytes"] == (32 << 20) * int(cpus).bit_length(), r
        assert r["purges_counted"] is True and r["threshold_crossings"] >= 8, r
        # Each crossing is one call of the kernel's purge, give or take the last.
        assert abs(r["purges"] - r["threshold_crossings"]) <= 3, r
        assert r["steady_ops_per_batch"] * (size + 4096) >= 2 * r["purge_threshold_bytes"], r
        assert r["clean_ns"] > 0 and r["steady_ns"] > 0 and -0.05 < r["extra_share_of_steady"] < 0.9, r
        # The row's figures are its two configurations' (net where both have a harness).
        key = "net_ns" if r["net_of_harness"] else "p50_ns"
        assert r["steady_ns"] == pytest.approx(pair(runs[0], size, state="steady")[key]), r
        clean = min(runs[0].find(api="vmalloc", size_bytes=size, phase="pair", state="clean"),
                    key=lambda b: b["ops_per_batch"])
        assert r["clean_ns"] == pytest.approx(clean[key]), r
        assert r["change_vs_clean"] == pytest.approx(r["steady_ns"] / r["clean_ns"] - 1), r
    steady = runs[0].bench(api="vmalloc", size_bytes=4096, phase="pair", state="steady")
    assert steady["purges"] > 0 and steady["state"] == "steady"
    assert "steady state vmalloc(" in runs[0].proc.stdout and "threshold crossings" in runs[0].proc.stdout
    # Slab batches of 4096 objects flush the per-CPU partial lists, counted.
    slab = [r for r in runs[0].results["kbench_steady_state"] if r["api"] == "kmem_cache" and r["pattern"] == "batch"]
    assert slab and all(r["slab_flushes_counted"] and r["slab_flushes"] > 0 for r in slab), slab


def test_the_harness_is_under_1_percent_of_the_kmem_cache_64_byte_pair(boots):
    kernel, runs = boots
    for run in runs:
        m = re.search(r"^harness: ([\d.]+) ns per pair, ([\d.]+)% of the cheapest pair measured \(kmem_cache 64,",
                      run.proc.stdout, re.M)
        assert m, run.proc.stdout
        kmem = run.bench(api="kmem_cache", size_bytes=64, phase="pair", state="clean")
        # The harness of its own loop shape: the cheapest noop of the same batch length.
        noop = min(b["p50_ns"] for b in run.find(api="noop", phase="pair", state="clean",
                                                 ops_per_batch=kmem["ops_per_batch"]))
        assert float(m.group(2)) == pytest.approx(100 * noop / kmem["p50_ns"], abs=0.01)
        print(f"{kernel}: harness {noop:.2f} ns = {100 * noop / kmem['p50_ns']:.2f} % of kmem_cache 64 B")
        assert noop / kmem["p50_ns"] <= 0.01
        # raw, harness and net, with an interval for net.
        assert kmem["harness_overhead_ns"] == pytest.approx(noop)
        assert kmem["net_ns"] == pytest.approx(kmem["p50_ns"] - noop)
        assert kmem["net_ci_low_ns"] <= kmem["net_ns"] <= kmem["net_ci_high_ns"]


def test_every_noop_phase_costs_something_real_and_repeats(boots):
    """A noop loop the compiler deleted would read almost nothing: each
    phase of each loop shape must cost at least one instruction per op."""
    _, (a, b) = boots
    noops = [x for x in a.benchmarks if x.get("api") == "noop" and x.get("aggregate_name") == "median"]
    assert {x["phase"] for x in noops} == {"pair", "alloc", "free"}
    assert {x["pattern"] for x in noops} == {"pair", "batch"}
    for x in noops:
        assert x["p50_ns"] >= 1.0, (x["name"], x["p50_ns"])
        y = [e for e in b.benchmarks if e["name"] == x["name"]][0]
        assert abs(x["p50_ns"] - y["p50_ns"]) <= 0.5, (x["name"], x["p50_ns"], y["p50_ns"])


def test_slow_operations_have_single_operation_tails(boots):
    _, runs = boots
    alloc = runs[0].bench(api="vmalloc", size_bytes=1 << 20, phase="alloc", state="clean", ops_per_batch=4)
    assert alloc["single_op_reliable"] is True and alloc["single_op_ops"] >= 4 * 3 * 4
    assert alloc["single_op_p50_ns"] <= alloc["single_op_p99_ns"] <= alloc["single_op_max_ns"]
    # Within its bucket (12.5 %) of the batch means' median: the same operations.
    assert abs(alloc["single_op_p50_ns"] - alloc["p50_ns"]) / alloc["p50_ns"] < 0.15, alloc
    noop = runs[0].bench(api="noop", size_bytes=64, phase="alloc")
    assert noop["single_op_reliable"] is False  # a clock read costs more than the op
    ctx = runs[0].results["context"]
    assert "single_op_" in ctx["percentiles"] and "batch means" in ctx["percentiles"]


def test_icount_does_not_leak_idle_time_and_starts_on_the_final_clocksource(boots):
    kernel, runs = boots
    ctx = runs[0].results["context"]
    assert ctx["target_details"]["icount"] == "shift=0,sleep=off"
    assert ctx["clocksource"] != "tsc-early", ctx["clocksource"]
    if kernel == "6.12":
        # 1 GHz: one ns per instruction. The kernel calibrates the TSC against
        # the PIT, and under icount that reads 999999 kHz on some boots.
        assert ctx["clocksource"] == "tsc" and abs(ctx["timer_khz"] - 1000000) <= 2, ctx["timer_khz"]
    console = (runs[0].out / "guest-console.log").read_text()
    assert f"KBENCH-INIT: clocksource {ctx['clocksource']}" in console
    # The kernel warm-up ran until the kernel settled, before any run.
    for run in runs:
        w = run.results["context"]["kernel_warmup"]
        assert w["settled"] is True and w["busy_seconds"] >= 1.5 and w["last_rounds_spread"] < 0.01, w
        assert len(w["rounds_ns_per_pair"]) >= 3


@pytest.fixture(scope="module", params=KERNELS)
def extras(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"extras-{request.param}")
    proc = kbench("run", "-c", ROOT / "tests/e2e/configs/steady-extras.toml", "--target", f"qemu:{request.param}",
                  "--out", out, "--no-history")
    return Run(out, proc, 0)


def test_gfp_comp_works_on_page_apis_and_is_refused_elsewhere(extras):
    for api in ("alloc_pages", "__get_free_pages"):
        for size in (16384, 65536):
            b = extras.bench(api=api, size_bytes=size, gfp="GFP_KERNEL|__GFP_COMP")
            assert math.isfinite(b["p50_ns"]) and b["p50_ns"] > 0 and b["failures"] == 0
    refused = {(n["api"], n["size_bytes"]): n for n in extras.not_measured if n.get("gfp") == "GFP_KERNEL|__GFP_COMP"}
    for api in ("kmalloc", "vmalloc", "alloc_pages_exact"):
        n = refused[(api, 16384)]
        assert n["status"] == "refused" and "__GFP_COMP" in n["reason"] and api in n["reason"], n
    catalog = {a["name"]: a for a in extras.results["context"]["kbench_catalog"]["apis"]}
    assert "comp" in catalog["alloc_pages"]["caps"] and "comp" not in catalog["kmalloc"]["caps"]


def test_a_mergeable_kmem_cache_is_measured_and_named(extras):
    b = extras.bench(api="kmem_cache", size_bytes=64, phase="pair")
    assert b["options"] == {"mergeable": 1} and "/mergeable:1/" in b["name"] + "/"
    k = extras.bench(api="kmalloc", size_bytes=64, phase="pair")
    assert k["options"] == {}, "kmalloc takes no cache option: the agent drops it"


def test_batches_of_slow_operations_are_timed_one_by_one(extras):
    slow = extras.bench(api="vmalloc", size_bytes=256 << 10, pattern="batch", phase="alloc")
    assert slow["single_op_ops"] == 8 * 4 * 2 and slow["single_op_reliable"] is True, slow
    fast = extras.bench(api="noop", size_bytes=256 << 10, pattern="batch", phase="alloc")
    assert "single_op_ops" not in fast, "fast batches stay timed as a whole"
