# SPDX-License-Identifier: GPL-2.0
"""One colour per API across every plot, and unit formatting."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; no display is ever needed
import matplotlib.pyplot as plt  # noqa: E402

APIS = ["noop", "kmalloc", "kzalloc", "kvmalloc", "vmalloc", "vzalloc", "vmalloc_huge", "vmalloc_32", "alloc_pages",
        "__get_free_pages", "kmem_cache", "mempool_slab", "mempool_kmalloc", "mempool_page"]
_PALETTE = plt.get_cmap("tab20").colors
COLORS = {api: _PALETTE[i % len(_PALETTE)] for i, api in enumerate(APIS)}


def color(api: str):
    return COLORS.get(api, (0.3, 0.3, 0.3))


def size_label(n: float) -> str:
    n = int(n)
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{unit}"
    return str(n)


def ns_label(ns: float) -> str:
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns / 1e6:.2f} ms"


def size_axis(ax, axis="x"):
    """Log2 axis of byte sizes, ticks as 64, 4K, 2M."""
    import matplotlib.ticker as mt
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log", base=2)
    target.set_major_formatter(mt.FuncFormatter(lambda v, _: size_label(v)))


def title(fig, what: str, run) -> None:
    suffix = " — EMULATED (QEMU TCG)" if run.emulated else ""
    fig.suptitle(f"{what}\n{run.kernel}, {run.context.get('target', '?')}{suffix}", fontsize=11)
