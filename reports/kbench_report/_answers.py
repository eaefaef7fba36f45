# SPDX-License-Identifier: GPL-2.0
"""The answer to the first question a report is opened for: what does
vmalloc cost against the page allocator, and where does the difference go?

Per size where the run measured a vmalloc alloc+free pair: vmalloc's cost
per pair (steady state where measured: what a running system pays, the lazy
purges included; net of the harness where the run has one), alloc_pages,
kvmalloc and kmalloc of the same size and GFP_KERNEL, the ratio of vmalloc
to alloc_pages, the share of vmalloc (timed alone, in the stages experiment)
spent allocating its pages and mapping them, the page-table entries one
allocation takes, and the cost of touching its memory against the direct
map. Every figure names the measurement it comes from; a cell the run has
no measurement for is None, never estimated.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ._load import Measurement, Run

# The APIs vmalloc is weighed against, in the table's order.
AGAINST = ("alloc_pages", "kvmalloc", "kmalloc")


@dataclass
class OverheadRow:
    size: int
    vmalloc: Measurement                       # its pair phase
    against: dict = field(default_factory=dict)  # api -> pair-phase Measurement (clean, GFP_KERNEL)
    pages_share: Optional[float] = None        # stages: page allocation / vmalloc, both timed alone
    vmap_share: Optional[float] = None         # stages: vmap (VA range + page tables) / vmalloc
    pte_4k: Optional[int] = None               # footprint: 4 KiB page-table entries of one vmalloc
    touch_vmalloc: Optional[Measurement] = None  # access, page-random: ns per touch
    touch_direct: Optional[Measurement] = None   # the same in the direct map (alloc_pages)

    @property
    def ratio(self) -> Optional[float]:
        """vmalloc's cost per pair over alloc_pages's."""
        pages = self.against.get("alloc_pages")
        if pages is None or pages.cost_ns <= 0:
            return None
        return self.vmalloc.cost_ns / pages.cost_ns


def _pair(run: Run, api: str, size: int, state: str) -> Optional[Measurement]:
    found = run.find(experiment="alloc", api=api, size=size, gfp="GFP_KERNEL", pattern="pair", phase="pair",
                     context="preempt-on", state=state)
    # Several batch lengths: the shortest, as the advisor does (the one
    # closest to a single allocation).
    return min(found, key=lambda m: m.ops_per_batch or 0) if found else None


def _touch(run: Run, api: str, size: int) -> Optional[Measurement]:
    found = run.find(experiment="access", api=api, size=size, access_mode="page-random", phase="touch")
    return found[0] if found else None


def vmalloc_overhead(run: Run) -> list[OverheadRow]:
    sizes = sorted({m.size for m in run.find(experiment="alloc", api="vmalloc", pattern="pair", phase="pair",
                                             gfp="GFP_KERNEL", context="preempt-on")})
    stages = {s.get("size_bytes"): s for s in (run.stages or {}).get("by_size", []) if isinstance(s, dict)}
    footprints = {f.get("size_bytes"): f for f in run.footprints if f.get("api") == "vmalloc"}
    rows = []
    for size in sizes:
        vm = _pair(run, "vmalloc", size, "steady") or _pair(run, "vmalloc", size, "clean")
        if vm is None:
            continue
        row = OverheadRow(size=size, vmalloc=vm)
        for api in AGAINST:
            m = _pair(run, api, size, "clean")
            if m is not None:
                row.against[api] = m
        st = stages.get(size)
        if st and isinstance(st.get("vmalloc_ns"), (int, float)) and st["vmalloc_ns"] > 0:
            for attr, key in (("pages_share", "pages_alloc_ns"), ("vmap_share", "vmap_ns")):
                if isinstance(st.get(key), (int, float)):
                    setattr(row, attr, st[key] / st["vmalloc_ns"])
        fp = footprints.get(size)
        if fp and isinstance(fp.get("pte_4k"), int):
            row.pte_4k = fp["pte_4k"]
        row.touch_vmalloc = _touch(run, "vmalloc", size)
        row.touch_direct = _touch(run, "alloc_pages", size)
        rows.append(row)
    return rows
