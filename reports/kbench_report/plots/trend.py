# SPDX-License-Identifier: GPL-2.0
"""A matrix of kernels: the measurements that changed most, across kernels
in version order."""
import math

import matplotlib.pyplot as plt

from .._style import color

KEY = "trend"
TITLE = "Largest changes across kernels"
MAX_LINES = 8


def plot(steps):
    """steps: compare_steps() of the runs of a matrix."""
    if not steps:
        return "fewer than two kernels"
    runs = [steps[0].base] + [s.other for s in steps]
    # A measurement's largest significant step, by |log ratio|.
    best = {}
    for s in steps:
        for c in s.changes:
            if c.significant and (c.name not in best or abs(math.log(c.ratio)) > abs(math.log(best[c.name].ratio))):
                best[c.name] = c
    if not best:
        return "no significant change between consecutive kernels"
    top = sorted(best.values(), key=lambda c: -abs(math.log(c.ratio)))[:MAX_LINES]
    by_run = [{m.name: m for m in r.measurements} for r in runs]
    fig, ax = plt.subplots(figsize=(13, 5.2))
    xs = range(len(runs))
    for c in top:
        base = next((d[c.name].median_ns for d in by_run if c.name in d), None)
        ys = [d[c.name].median_ns / base if c.name in d else float("nan") for d in by_run]
        ax.plot(xs, ys, marker="o", color=color(runs[0], c.api), label=c.name)
    ax.axhline(1, color="black", lw=1)
    ax.set_yscale("log")
    ax.set_xticks(list(xs), [r.kernel for r in runs], rotation=15, ha="right", fontsize=8)
    ax.set_ylabel(f"median, relative to {runs[0].kernel}\n(> 1: slower)")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    emulated = " — EMULATED (QEMU TCG)" if any(r.emulated for r in runs) else ""
    fig.suptitle(f"The {len(top)} measurements that changed most between consecutive kernels{emulated}",
                 fontsize=11)
    fig.tight_layout()
    return fig
