# SPDX-License-Identifier: GPL-2.0
"""Zeroing allocations against memset of a buffer of the same size."""
import matplotlib.pyplot as plt

from .._style import color, size_axis, title

KEY = "zeroing"
TITLE = "Zeroing against the memory-bandwidth limit"


def series(run):
    """What the plot draws: per zeroing API, (size, allocation bytes/ns as %
    of memset's) in size order. The harness allocates nothing, so it has no
    zeroing to compare (files of kbench before the derived section skipped
    it drew noop at about 400,000 %); a row without a finite positive
    fraction is no figure."""
    names = {m.name: m.api for m in run.measurements}
    by_api = {}
    for z in run.zeroing:  # older files name the allocation only: its entry says the API
        api = z.get("api") or names.get(z["alloc"], "?")
        frac = z.get("fraction_of_memset")
        if run.has(api, "harness") or api == "noop" or not isinstance(frac, (int, float)) or not frac > 0:
            continue
        by_api.setdefault(api, []).append((z["size_bytes"], frac * 100))
    return {api: sorted(pts) for api, pts in sorted(by_api.items())}


def plot(run):
    data = series(run)
    if not data:
        return "no memset measurements to compare zeroing allocations with (access_modes = [\"memset\"])"
    fig, ax = plt.subplots(figsize=(8, 4.6))
    for api, pts in data.items():
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, color=color(run, api), label=api)
    size_axis(ax)
    ax.axhline(100, color="black", ls="--", lw=1, label="memset of the same size")
    ax.set_xlabel("allocation size (bytes, log2 scale)")
    ax.set_ylabel("allocation bytes/ns as % of memset bytes/ns")
    ax.grid(True, alpha=0.25)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    zeroes = "init_on_alloc=1: every allocation is zeroed" if run.context.get("init_on_alloc") else \
        "only kzalloc/vzalloc/__GFP_ZERO zero"
    title(fig, f"Zeroing allocations against the bandwidth limit ({zeroes})", run)
    fig.tight_layout()
    return fig
