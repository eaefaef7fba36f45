# SPDX-License-Identifier: GPL-2.0
"""vmalloc against the page allocator, kvmalloc and kmalloc: cost per
alloc+free against size, the figure of the report's first answer (the rows
of _answers.vmalloc_overhead). Not one of the detailed views (PLOTS)."""
import matplotlib.pyplot as plt

from .._answers import AGAINST
from .._style import color, size_axis, title

KEY = "vmalloc-overhead"
TITLE = "vmalloc against the page allocator"


def series(rows):
    """api -> [(size, ns per pair)]: vmalloc's own state, the others clean."""
    out = {"vmalloc": [(r.size, r.vmalloc.cost_ns) for r in rows]}
    for api in AGAINST:
        pts = [(r.size, r.against[api].cost_ns) for r in rows if api in r.against]
        if pts:
            out[api] = pts
    return out


def plot(run, rows):
    if len(rows) < 2:
        return "vmalloc pairs were measured at fewer than two sizes (the table says it)"
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    states = {r.vmalloc.state for r in rows}
    for api, pts in series(rows).items():
        label = f"vmalloc ({'/'.join(sorted(states))})" if api == "vmalloc" else f"{api} (clean)"
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, color=color(run, api), label=label,
                lw=2 if api == "vmalloc" else 1)
    size_axis(ax)
    ax.set_yscale("log")
    ax.set_xlabel("size (bytes, log2 scale)")
    ax.set_ylabel("ns per alloc+free pair (median, net of the harness)")
    ax.grid(True, alpha=0.25)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    title(fig, "vmalloc against the page allocator, kvmalloc and kmalloc", run)
    fig.tight_layout()
    return fig
