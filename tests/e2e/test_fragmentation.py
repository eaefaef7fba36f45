# SPDX-License-Identifier: GPL-2.0
"""Fragmented memory (conditions = ["fragmented"]) on Debian 6.1 and 6.12:
with free memory made into order-0 islands, order-8 page allocations fail
at a measured, non-zero rate where memory as it was served them all,
kvmalloc falls back to vmalloc instead of failing, the kernel's compaction
is recorded, and everything the condition held is given back."""
import re

import pytest

from kbtest import KERNELS, Run, kbench

CONFIG = "tests/e2e/configs/fragmentation-small.toml"


@pytest.fixture(scope="module", params=KERNELS)
def run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"fragmentation-{request.param}")
    # A cap of half the guest's memory: the fragmenter may take all of free memory.
    proc = kbench("run", "-c", CONFIG, "--target", f"qemu:{request.param}", "--out", out, "--no-history",
                  "--mem-cap-mb", "1024", timeout=900)
    return Run(out, proc, 0)


def alloc(run, api, size, condition):
    return run.bench(api=api, size_bytes=size, pattern="batch", gfp="GFP_KERNEL|__GFP_NORETRY", condition=condition)


def attempted(b):
    return b["ops_per_batch"] * b["batches"]


def test_order_8_fails_only_when_memory_is_fragmented(run):
    as_is = alloc(run, "alloc_pages", 1 << 20, "none")
    frag = alloc(run, "alloc_pages", 1 << 20, "fragmented")
    assert as_is["failures"] == 0
    assert 0 < frag["failures"] <= attempted(frag), frag["failures"]
    assert frag["name"] == as_is["name"].replace("/alloc", "/cond:fragmented/alloc")
    print(f"alloc_pages(1M) failed {frag['failures']} of {attempted(frag)} when fragmented")


def test_kvmalloc_falls_back_to_vmalloc_instead_of_failing(run):
    as_is = alloc(run, "kvmalloc", 1 << 20, "none")
    frag = alloc(run, "kvmalloc", 1 << 20, "fragmented")
    assert as_is["vmalloc_fallbacks"] == 0 and as_is["failures"] == 0
    assert frag["failures"] == 0
    assert 0 < frag["vmalloc_fallbacks"] <= attempted(frag), frag["vmalloc_fallbacks"]
    assert "vmalloc_fallbacks" not in alloc(run, "kmalloc", 1 << 20, "fragmented"), "counted for kvmalloc only"


def test_the_condition_says_what_it_held_and_the_kernel_what_it_did(run):
    frag = alloc(run, "alloc_pages", 1 << 20, "fragmented")
    assert frag["fragment_pages_held"] > 0
    # It kept about half of what was free: the rest is free, in islands.
    before, after = frag["fragment_free_before_bytes"], frag["fragment_free_after_bytes"]
    assert 0 < after < before and frag["fragment_pages_held"] * 4096 <= before
    assert frag["vmstat"].get("compact_stall", 0) > 0, frag.get("vmstat")
    assert "fragment_pages_held" not in alloc(run, "alloc_pages", 1 << 20, "none")


def test_the_summary_says_what_fragmentation_did(run):
    out = run.proc.stdout
    # Order 8 fails most: alloc_pages, or kmalloc, which takes pages above 8K.
    assert re.search(r"fragmented memory: 6 configurations; the most failures: (alloc_pages|kmalloc)\(1M, "
                     r"GFP_KERNEL\|__GFP_NORETRY\) [1-9]\d* of \d+", out), out[-2000:]
    assert "kvmalloc(1M) fell back to vmalloc" in out and "the kernel meanwhile: " in out, out[-2000:]


def test_everything_the_condition_held_is_given_back(run):
    after = run.results["kbench_module_after"]
    assert after["outstanding_allocs"] == 0 and after["outstanding_bytes"] == 0
    assert run.not_measured == [], run.not_measured[:2]
    for bad in ("Out of memory", "oom-kill", "BUG:", "WARNING:", "soft lockup"):
        assert bad not in run.proc.stdout + run.proc.stderr, bad
