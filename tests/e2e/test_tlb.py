# SPDX-License-Identifier: GPL-2.0
"""TLB and page-table cost, on Debian 6.1 and 6.12 in QEMU: footprints equal
theory, vmalloc's stages add up to the whole, and counters the emulator
lacks are reported unsupported with a reason, never as zero."""
import os
import shutil
import subprocess

import pytest

from kbtest import KERNELS, Run, kbench

PAGE = 4096


@pytest.fixture(scope="module", params=KERNELS)
def tlb_run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"tlb-{request.param}")
    proc = kbench("run", "-c", "configs/tlb.toml", "--target", f"qemu:{request.param}", "--out", out)
    return Run(out, proc, 0)


@pytest.fixture(scope="module", params=KERNELS)
def stages_run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"stages-{request.param}")
    # icount: with the host clock one stray slow vmalloc sample under
    # emulation moved the 4 MiB decomposition to 83 % in one CI run (96-104 %
    # in others); counting instructions, it is 96-99 % every time.
    proc = kbench("run", "-c", "configs/vmalloc-overhead.toml", "--target", f"qemu:{request.param}", "--out", out,
                  "--qemu-clock", "icount")
    return Run(out, proc, 0)


def footprints(run):
    """Footprints by (api, size)."""
    return {(f["api"], f["size_bytes"]): f for f in run.results["kbench_footprint"]}


def test_vmalloc_of_n_pages_is_n_ptes(tlb_run):
    fp = footprints(tlb_run)
    for api in ("vmalloc", "vmalloc_32"):
        for size in (4096, 65536, 2 << 20, 4 << 20):
            f = fp[(api, size)]
            assert f["in_vmalloc"] == 1
            assert (f["pte_4k"], f["pmd_2m"], f["pud_1g"], f["unmapped_pages"]) == (size // PAGE, 0, 0, 0), f
    for size in (16 << 20, 64 << 20):
        f = fp[("vmalloc", size)]
        assert f["pte_4k"] == size // PAGE and f["pmd_2m"] == 0, f


def test_direct_map_allocations_use_the_direct_maps_level(tlb_run):
    fp = footprints(tlb_run)
    for key in (("kmalloc", 65536), ("alloc_pages", 65536)):
        f = fp[key]
        assert f["in_vmalloc"] == 0 and f["unmapped_pages"] == 0, f
        # One large direct-map entry, or 16 PTEs where the kernel split the
        # direct map there; never a mix, never vmalloc-style.
        assert (f["pte_4k"] == 0 and f["pmd_2m"] + f["pud_1g"] == 1) or \
            (f["pte_4k"] == 16 and f["pmd_2m"] + f["pud_1g"] == 0), f
    f = fp[("alloc_pages", 4 << 20)]
    covered = f["pte_4k"] * PAGE + f["pmd_2m"] * (2 << 20) + f["pud_1g"] * (1 << 30)
    assert covered >= 4 << 20 and f["unmapped_pages"] == 0, f


def test_vmalloc_huge_uses_pmds_where_the_kernel_allows_and_says_why_not(tlb_run):
    fp = footprints(tlb_run)
    f = fp[("vmalloc_huge", 4 << 20)]
    huge = f["huge_vmalloc"]
    if huge["expected"]:
        assert (f["pmd_2m"], f["pte_4k"]) == (2, 0), f
        assert huge["used"] is True
    else:
        assert f["pte_4k"] == 1024 and huge["why_not"], f
    small = fp[("vmalloc_huge", 65536)]
    assert small["pte_4k"] == 16 and "below 2 MiB" in small["huge_vmalloc"]["why_not"], small
    assert fp[("vmalloc_huge", 64 << 20)]["pmd_2m"] == 32


def test_access_costs_are_positive_per_touch(tlb_run):
    for b in tlb_run.benchmarks:
        if b.get("experiment") != "access" or b.get("aggregate_name") != "median":
            continue
        assert b["phase"] == "touch" and b["real_time"] > 0, b["name"]
        assert b["repetitions"] == 3
    # well past any TLB's reach
    assert tlb_run.bench(experiment="access", api="vmalloc", size_bytes=256 << 20, access_mode="page-random",
                         phase="touch")


def test_counters_are_unsupported_with_a_reason_never_zero(tlb_run):
    seen = 0
    reasons = tlb_run.results["context"]["kbench_counter_reasons"]
    # Unsupported in every entry with counters: named once, in the context.
    run_wide = tlb_run.results["context"]["kbench_counters_unsupported"]
    for b in tlb_run.benchmarks:
        if "counters_per_op" not in b:
            continue
        seen += 1
        for name in ("cycles", "instructions", "dtlb_load_misses", "dtlb_store_misses", "itlb_load_misses"):
            assert name not in b["counters_per_op"], (b["name"], name, "a value for an unsupported counter")
            assert name in run_wide and name not in b.get("counters_unsupported", []), (b["name"], name)
            assert "unsupported" in reasons[name] and "ENOENT" in reasons[name]  # the reason, stated once
        # The software counter runs through the same in-kernel code path.
        assert b["counters_per_op"]["task_clock_ns"] > 0, b["name"]
    assert seen > 20
    assert "hardware counters: unsupported" in tlb_run.proc.stdout
    # The model-specific event is named in the config and resolved in the guest.
    raw = [b for b in tlb_run.benchmarks if "raw:DTLB_LOAD_MISSES.WALK_ACTIVE" in b.get("counters_unsupported", [])]
    assert raw and all("raw:DTLB_LOAD_MISSES.WALK_ACTIVE" not in b["counters_per_op"] for b in raw)
    assert "libpfm4" in reasons["raw:DTLB_LOAD_MISSES.WALK_ACTIVE"]


def test_stages_add_up_to_the_whole_vmalloc(stages_run):
    stages = stages_run.results["kbench_vmalloc_stages"]
    rows = {s["size_bytes"]: s for s in stages["by_size"]}
    assert sorted(rows) == [4096, 16384, 65536, 262144, 1 << 20, 4 << 20, 16 << 20]
    for size, s in rows.items():
        for key in ("pages_alloc_ns", "page_array_ns", "vmap_ns", "vmalloc_ns", "vfree_ns", "purge_ns"):
            assert s[key] > 0, (size, key)
        # Each stage is timed on its own and pays its own fixed cost (clock
        # reads, cold paths); at 1-4 pages that is a visible share, so the
        # 15 % bound is checked from 16 pages up. At 16 MiB one batch lazily
        # frees about 64 MiB of VA, past lazy_max_pages (32 MiB with the one
        # vCPU of icount), so a purge with its TLB flush can land inside a
        # timed stage: real, reported, but not a decomposition error.
        if 65536 <= size <= 4 << 20:
            assert abs(s["explained"] - 1) <= 0.15, (size, s["explained"])
    fit = stages["vmap_fit"]
    assert fit["ns_per_page"] > 0 and fit["points"] == 7, fit


def test_zeroing_is_compared_with_memset(stages_run):
    rows = stages_run.results["kbench_zeroing"]
    vz = [z for z in rows if z["api"] == "vzalloc" and z["size_bytes"] == 1 << 20]
    assert vz and 0 < vz[0]["fraction_of_memset"] < 2, rows[:3]
    assert vz[0]["memset_bytes_per_ns"] > 0


def test_hardware_counters_where_a_pmu_exists(tmp_path):
    """Exercises real counters on a machine with a PMU that can run the host target."""
    if not (os.path.exists("/proc/modules") and os.geteuid() == 0 and
            os.path.exists(f"/lib/modules/{os.uname().release}/build/Makefile")):
        pytest.skip("no PMU reachable: this machine cannot load modules, so counters are only checked in "
                    "QEMU, where the guest has no PMU (perf_event_create_kernel_counter returns ENOENT)")
    if not shutil.which("perf"):
        pytest.skip("perf is not installed (apt-get install linux-perf): it tells whether this host has a PMU")
    perf = subprocess.run(["perf", "stat", "-e", "cycles", "true"], capture_output=True, text=True)
    if perf.returncode != 0 or "not supported" in perf.stderr:
        pytest.skip("the host has no usable PMU (perf stat -e cycles: not supported)")
    cfg = tmp_path / "pmu.toml"
    cfg.write_text('[run]\nrepetitions = 2\n[[sweep]]\nexperiment = "access"\napis = ["vmalloc"]\n'
                   'sizes = ["64M"]\naccess_modes = ["page-random"]\nbatches = 4\n')
    out = tmp_path / "out"
    run = Run(out, kbench("run", "-c", cfg, "--target", "host", "--out", out), 0)
    b = run.bench(experiment="access", api="vmalloc", size_bytes=64 << 20, access_mode="page-random",
                  phase="touch")
    assert b["counters_per_op"]["cycles"] > 0
    assert b["counters_per_op"]["dtlb_load_misses"] > 0
