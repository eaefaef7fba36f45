# SPDX-License-Identifier: GPL-2.0
"""Fast path against slow path: pair against batch and shuffled batch as N grows."""
import matplotlib.pyplot as plt

from .._style import color, size_label, title

KEY = "patterns"
TITLE = "Fast path against slow path"


def plot(run):
    batch = [m for m in run.measurements if m.experiment == "alloc" and m.state == "clean" and m.pattern != "pair" and
             m.context == "preempt-on" and m.ops_per_batch]
    if not batch:
        return "no batch-pattern measurements in this run"
    keys = sorted({(m.api, m.size) for m in batch if not run.is_harness(m.api)})
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    for ax, phase in zip(axes, ("alloc", "free")):
        for api, size in keys:
            for pattern, ls in (("batch", "-"), ("batch-shuffled", "--")):
                pts = sorted((m for m in batch if (m.api, m.size, m.pattern, m.phase) == (api, size, pattern, phase)),
                             key=lambda m: m.ops_per_batch)
                if len(pts) < 2:
                    continue
                ax.plot([m.ops_per_batch for m in pts], [m.median_ns for m in pts], ls=ls, marker="o", ms=3,
                        color=color(run, api), label=f"{api} {size_label(size)} {pattern}")
            pair = run.find(api=api, size=size, pattern="pair", phase=phase, gfp="GFP_KERNEL", context="preempt-on",
                            state="clean")
            if pair:
                ax.axhline(pair[0].median_ns, color=color(run, api), ls=":", lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("objects held per batch, N (log2 scale)")
        ax.set_title(f"{phase}: median ns per op; dotted = pair (fast path)")
        ax.grid(True, which="both", alpha=0.25)
    axes[0].set_ylabel("ns per operation (log scale)")
    axes[1].legend(fontsize=6, ncol=2)
    title(fig, "Fast path (pair) against slow paths (batch, shuffled batch) as N grows", run)
    fig.tight_layout()
    return fig
