# SPDX-License-Identifier: GPL-2.0
"""Cost per op against size for every API (pair pattern, GFP_KERNEL)."""
import matplotlib.pyplot as plt

from .._style import color, size_axis, title

KEY = "size-curve"
TITLE = "Cost per operation against size"


def plot(run):
    # One point per API and size: clean, in the shortest batches measured.
    min_n = {}
    for m in run.measurements:
        if m.experiment == "alloc" and m.pattern == "pair" and m.ops_per_batch:
            k = (m.api, m.size)
            min_n[k] = min(min_n.get(k, m.ops_per_batch), m.ops_per_batch)
    rows = [m for m in run.measurements if m.experiment == "alloc" and m.state == "clean" and m.pattern == "pair" and
            m.ops_per_batch == min_n.get((m.api, m.size), m.ops_per_batch) and
            m.gfp == "GFP_KERNEL" and m.context == "preempt-on" and not run.is_harness(m.api)]
    if not rows:
        return "no pair-pattern GFP_KERNEL measurements in this run"
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), sharey=True)
    for ax, phase in zip(axes, ("alloc", "free")):
        for api in sorted({m.api for m in rows}):
            pts = sorted((m for m in rows if m.api == api and m.phase == phase), key=lambda m: m.size)
            if len(pts) < 2:
                continue
            xs = [m.size for m in pts]
            ys = [m.median_ns for m in pts]
            lo = [max(m.median_ns - (m.min_ns if m.min_ns is not None else m.median_ns), 0) for m in pts]
            hi = [max((m.p99_ns if m.p99_ns is not None else m.median_ns) - m.median_ns, 0) for m in pts]
            ax.errorbar(xs, ys, yerr=[lo, hi], color=color(run, api), marker="o", ms=3, lw=1.2, capsize=2,
                        elinewidth=0.7, label=api)
        size_axis(ax)
        ax.set_yscale("log")
        ax.set_xlabel("allocation size (bytes, log2 scale)")
        ax.set_title(f"{phase}: median per op, whiskers min..p99")
        ax.grid(True, which="both", alpha=0.25)
    axes[0].set_ylabel("ns per operation (log scale)")
    axes[1].legend(fontsize=7, ncol=2, loc="upper left")
    noop = [m for m in run.measurements if run.is_harness(m.api) and m.pattern == "pair" and m.phase == "alloc"
            and m.state == "clean"]
    if noop:
        axes[0].axhline(min(m.median_ns for m in noop), color="black", ls=":", lw=1,
                        label="harness (noop loop)")
        axes[0].legend(fontsize=7, loc="upper left")
    title(fig, "Cost per operation against size (pair pattern, GFP_KERNEL)", run)
    fig.tight_layout()
    return fig
