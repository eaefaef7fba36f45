# SPDX-License-Identifier: GPL-2.0
"""One colour per API across every plot, and unit formatting. The colour of
an API is its place in the module's catalog, so an API added to the module
gets a colour of its own with no change here."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; no display is ever needed
import matplotlib.pyplot as plt  # noqa: E402

_PALETTE = plt.get_cmap("tab20").colors + plt.get_cmap("tab20b").colors


def color(run, api: str):
    return _PALETTE[run.api_index(api) % len(_PALETTE)]


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
    suffix = f" — {run.platform_label}" if run.platform_label else ""
    fig.suptitle(f"{what}\n{run.kernel}, {run.context.get('target', '?')}{suffix}", fontsize=11)
