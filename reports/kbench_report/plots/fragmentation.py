# SPDX-License-Identifier: GPL-2.0
"""Fragmented memory: per API, size and GFP mask, how often an allocation
failed (left) and what one cost (right) with free memory fragmented against
memory as the kernel had it; kvmalloc's fallbacks to vmalloc and the
kernel's compaction and reclaim are in the labels."""
import numpy as np
import matplotlib.pyplot as plt

from .._style import color, size_label, title

KEY = "fragmentation"
TITLE = "Fragmented memory"


def rows(run):
    """[(label, api, fragmented alloc measurement, as-is counterpart or None)]."""
    as_is = {m.config: m for m in run.measurements if m.phase == "alloc"}
    out = []
    for m in run.conditioned:
        if m.experiment != "alloc" or m.phase != "alloc" or run.is_harness(m.api) or m.condition != "fragmented":
            continue
        label = f"{m.api} {size_label(m.size)} {m.gfp}"
        if m.vmalloc_fallbacks is not None and m.ops_per_batch and m.batches:
            label += f" (vmalloc {100 * m.vmalloc_fallbacks / (m.ops_per_batch * m.batches):.0f}%)"
        out.append((label, m.api, m, as_is.get(m.as_is)))
    return sorted(out, key=lambda r: (run.api_index(r[1]), r[2].gfp, r[2].size))


def vmstat_note(run) -> str:
    """The kernel's compaction and reclaim while the fragmented runs ran, summed."""
    total = {}
    for m in run.conditioned:
        if m.phase == "alloc":
            for k, v in m.vmstat.items():
                total[k] = total.get(k, 0) + v
    keys = [k for k in ("compact_stall", "compact_fail", "compact_success", "allocstall_normal", "pgscan_direct",
                        "pgscan_kswapd") if total.get(k)]
    return ", ".join(f"{k} {total[k]}" for k in keys)


def plot(run):
    rs = rows(run)
    if not rs:
        return "no configuration ran with fragmented memory in this run (conditions = [\"fragmented\"] in a sweep)"
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.3 * len(rs) + 2.2), sharey=True)
    h = 0.38
    for i, (label, api, m, base) in enumerate(rs):
        c = color(run, api)
        left.barh(i - h / 2, 100 * (m.failure_rate or 0), h, color=c)
        right.barh(i - h / 2, m.median_ns, h, color=c)
        if base is not None:
            left.barh(i + h / 2, 100 * (base.failure_rate or 0), h, color=c, alpha=0.35, hatch="//")
            right.barh(i + h / 2, base.median_ns, h, color=c, alpha=0.35, hatch="//")
    left.set_yticks(np.arange(len(rs)), [r[0] for r in rs], fontsize=7)
    left.invert_yaxis()
    left.set_xlim(0, 100)
    right.set_xscale("log")
    left.set_xlabel("allocations that failed, %")
    right.set_xlabel("ns per allocation, median")
    fig.text(0.5, 0.005, "solid: free memory fragmented; hatched: memory as it was", ha="center", fontsize=8)
    for ax in (left, right):
        ax.grid(True, axis="x", which="both", alpha=0.25)
    note = vmstat_note(run)
    title(fig, "With free memory fragmented into order-0 islands against memory as it was"
          + (f"\nthe kernel meanwhile: {note}" if note else ""), run)
    fig.tight_layout()
    return fig
