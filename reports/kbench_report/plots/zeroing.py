# SPDX-License-Identifier: GPL-2.0
"""Zeroing allocations against memset of a buffer of the same size."""
import matplotlib.pyplot as plt

from .._style import color, size_axis, title

KEY = "zeroing"
TITLE = "Zeroing against the memory-bandwidth limit"


def plot(run):
    rows = run.zeroing
    if not rows:
        return "no memset measurements to compare zeroing allocations with (access_modes = [\"memset\"])"
    fig, ax = plt.subplots(figsize=(8, 4.6))
    by_api = {}
    names = {m.name: m.api for m in run.measurements}
    for z in rows:  # older files name the allocation only: its entry says the API
        by_api.setdefault(z.get("api") or names.get(z["alloc"], "?"), []).append(z)
    for api, zs in sorted(by_api.items()):
        zs.sort(key=lambda z: z["size_bytes"])
        ax.plot([z["size_bytes"] for z in zs], [z["fraction_of_memset"] * 100 for z in zs], marker="o", ms=3,
                color=color(run, api), label=api)
    size_axis(ax)
    ax.axhline(100, color="black", ls="--", lw=1, label="memset of the same size")
    ax.set_xlabel("allocation size (bytes, log2 scale)")
    ax.set_ylabel("allocation bytes/ns as % of memset bytes/ns")
    ax.grid(True, alpha=0.25)
    ax.legend(fontsize=7)
    zeroes = "init_on_alloc=1: every allocation is zeroed" if run.context.get("init_on_alloc") else \
        "only kzalloc/vzalloc/__GFP_ZERO zero"
    title(fig, f"Zeroing allocations against the bandwidth limit ({zeroes})", run)
    fig.tight_layout()
    return fig
