# SPDX-License-Identifier: GPL-2.0
"""GFP mask x size, per API: median alloc cost; refused cells say so."""
import math

import matplotlib.pyplot as plt
import numpy as np

from .._style import size_label, title

KEY = "gfp-heatmap"
TITLE = "GFP flags against size, per API"


def plot(run):
    pair = [m for m in run.measurements if m.experiment == "alloc" and m.state == "clean" and m.pattern == "pair"
            and m.phase == "alloc" and m.context == "preempt-on" and not run.is_harness(m.api)]
    refused = [n for n in run.not_measured if n.pattern == "pair" and n.status == "refused"]
    gfps = sorted({m.gfp for m in pair} | {n.gfp for n in refused})
    if len(gfps) < 2:
        return "this run measured a single GFP mask: no GFP axis to show"
    apis = [a for a in sorted({m.api for m in pair} | {n.api for n in refused})]
    # Only sizes the run measured with several masks: the GFP axis.
    by_size = {}
    for g, s in [(m.gfp, m.size) for m in pair] + [(n.gfp, n.size) for n in refused]:
        by_size.setdefault(s, set()).add(g)
    sizes = sorted(s for s, gs in by_size.items() if len(gs) > 1)
    cols = 4
    rows_n = math.ceil(len(apis) / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(3.6 * cols, (0.2 * len(gfps) + 1.1) * rows_n + 1.2),
                             squeeze=False, constrained_layout=True)
    vmin = min(m.median_ns for m in pair)
    vmax = max(m.median_ns for m in pair)
    img = None
    for ax, api in zip(axes.flat, apis):
        grid = np.full((len(gfps), len(sizes)), np.nan)
        for m in pair:
            if m.api == api and m.size in sizes:
                grid[gfps.index(m.gfp), sizes.index(m.size)] = m.median_ns
        img = ax.imshow(np.log10(grid), aspect="auto", cmap="viridis", vmin=math.log10(vmin),
                        vmax=math.log10(vmax))
        for n in refused:
            if n.api == api and n.size in sizes:
                y, x = gfps.index(n.gfp), sizes.index(n.size)
                ax.add_patch(plt.Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="///", color="0.55", lw=0))
                ax.text(x, y, "refused", ha="center", va="center", fontsize=5.5, color="0.25")
        ax.set_title(api, fontsize=9)
        ax.set_xticks(range(len(sizes)), [size_label(s) for s in sizes], fontsize=7)
        ax.set_yticks(range(len(gfps)), [g.replace("GFP_", "").replace("__GFP_", "+") for g in gfps], fontsize=6)
        ax.set_xlabel("size (bytes)", fontsize=7)
    for ax in list(axes.flat)[len(apis):]:
        ax.axis("off")
    if img is not None:
        cbar = fig.colorbar(img, ax=axes, shrink=0.6)
        cbar.set_label("median alloc ns per op (log10)")
    title(fig, "Alloc cost by GFP mask and size (pair pattern); hatched = refused by the module", run)
    return fig
