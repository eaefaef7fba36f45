# SPDX-License-Identifier: GPL-2.0
"""Clean against steady state: what the deferred work behind the frees (the
lazy vmap purge, the per-CPU partial slab flush) adds to each alloc+free,
and how often the module counted it happening."""
import matplotlib.pyplot as plt
import numpy as np

from .._style import color, size_label, title

KEY = "steady-state"
TITLE = "Clean against steady state"


def _deferred(row) -> str:
    parts = []
    if row.get("purges_counted"):
        crossings = f" / {row['threshold_crossings']} crossings" if row.get("threshold_crossings") else ""
        parts.append(f"{row['purges']} purges{crossings}")
    if row.get("slab_flushes_counted") and row.get("slab_flushes"):
        parts.append(f"{row['slab_flushes']} slab flushes")
    return "\n".join(parts)


def plot(run):
    rows = sorted(run.steady, key=lambda r: (r["api"], r["pattern"], r["size_bytes"]))
    if not rows:
        return "no configuration measured both clean and steady in this run (states = [\"clean\", \"steady\"])"
    fig, ax = plt.subplots(figsize=(max(7, 1.1 * len(rows) + 3), 5.2))
    x = np.arange(len(rows))
    w = 0.38
    clean = [r["clean_ns"] for r in rows]
    steady = [r["steady_ns"] for r in rows]
    cols = [color(run, r["api"]) for r in rows]
    ax.bar(x - w / 2, clean, w, color=cols, alpha=0.45, edgecolor="black", lw=0.5, label="clean (purged first)")
    ax.bar(x + w / 2, steady, w, color=cols, edgecolor="black", lw=0.5, label="steady state")
    for i, r in enumerate(rows):
        ax.annotate(f"{100 * r['change_vs_clean']:+.0f}%\n{_deferred(r)}".rstrip(), (x[i] + w / 2, steady[i]),
                    ha="center", va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
    labels = [f"{r['api']}\n{size_label(r['size_bytes'])} {r['pattern']}" for r in rows]
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_yscale("log")
    net = all(r.get("net_of_harness") for r in rows)
    ax.set_ylabel("median ns per alloc+free" + (", net of the harness" if net else "") + " (log scale)")
    ax.set_title("steady: long batches (past the lazy purge threshold; 4096 objects for slab), nothing purged first",
                 fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, axis="y", which="both", alpha=0.25)
    title(fig, "What a running system pays: clean against steady state", run)
    fig.tight_layout()
    return fig
