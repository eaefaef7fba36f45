# SPDX-License-Identifier: GPL-2.0
"""TLB misses per operation or touch, where the CPU has counters."""
import matplotlib.pyplot as plt

from .._style import color, size_axis, title

KEY = "tlb-misses"
TITLE = "TLB misses"


def plot(run):
    rows = [m for m in run.measurements if "dtlb_load_misses" in m.counters_per_op]
    if not rows:
        reasons = {r for m in run.measurements for k, r in m.counters_unsupported.items() if k == "dtlb_load_misses"}
        if reasons:
            return "hardware counters were not available for this run: " + sorted(reasons)[0]
        return "this run did not count TLB misses"
    fig, ax = plt.subplots(figsize=(8, 4.6))
    for api in sorted({m.api for m in rows}):
        pts = sorted((m for m in rows if m.api == api and m.experiment == "access"), key=lambda m: m.size)
        if pts:
            ax.plot([m.size for m in pts], [m.counters_per_op["dtlb_load_misses"] for m in pts], marker="o",
                    color=color(run, api), label=f"{api} (per touch)")
    size_axis(ax)
    ax.set_yscale("symlog", linthresh=0.01)
    ax.set_xlabel("buffer size (bytes, log2 scale)")
    ax.set_ylabel("dTLB load misses (page walks) per touch")
    ax.legend(fontsize=7)
    title(fig, "dTLB load misses per touch", run)
    fig.tight_layout()
    return fig
