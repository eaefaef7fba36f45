# SPDX-License-Identifier: GPL-2.0
"""Cost of touching allocated memory, per API and access mode."""
import matplotlib.pyplot as plt

from .._style import color, size_axis, title

KEY = "access"
TITLE = "Access cost after allocation"


def plot(run):
    rows = [m for m in run.measurements if m.experiment == "access" and m.access_mode != "memset"]
    if not rows:
        return "no access measurements in this run (experiment = \"access\")"
    modes = [m for m in ("sequential", "page-stride", "page-random") if any(r.access_mode == m for r in rows)]
    fig, axes = plt.subplots(1, len(modes), figsize=(4.6 * len(modes), 4.6), sharey=True, squeeze=False)
    for ax, mode in zip(axes[0], modes):
        for api in sorted({r.api for r in rows}):
            pts = sorted((r for r in rows if r.api == api and r.access_mode == mode), key=lambda r: r.size)
            if pts:
                ax.plot([p.size for p in pts], [p.median_ns for p in pts], marker="o", ms=3, color=color(run, api),
                        label=api)
        size_axis(ax)
        ax.set_yscale("log")
        ax.set_xlabel("buffer size (bytes, log2 scale)")
        ax.set_title({"sequential": "one load per cache line", "page-stride": "one load per page, in order",
                      "page-random": "one load per page, random order"}[mode], fontsize=9)
        ax.grid(True, which="both", alpha=0.25)
    axes[0][0].set_ylabel("median ns per touch (log scale)")
    axes[0][-1].legend(fontsize=7)
    title(fig, "Access cost per touch after allocation", run)
    fig.tight_layout()
    return fig
