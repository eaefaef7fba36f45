# SPDX-License-Identifier: GPL-2.0
"""Page-table footprint: which mappings cover one allocation."""
import matplotlib.pyplot as plt
import numpy as np

from .._style import size_label, title

KEY = "footprint"
TITLE = "Page-table footprint"


def plot(run):
    rows = run.footprints
    if not rows:
        return "no page-table footprint measurements in this run (experiment = \"footprint\")"
    rows = sorted(rows, key=lambda f: (f["api"], f["size_bytes"]))
    fig, ax = plt.subplots(figsize=(13, max(4, 0.22 * len(rows) + 1.5)))
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for key, label, col in (("pte_4k", "4 KiB PTEs", "#e6550d"), ("pmd_2m", "2 MiB PMDs", "#31a354"),
                            ("pud_1g", "1 GiB PUDs", "#756bb1")):
        vals = np.array([f[key] for f in rows], dtype=float)
        ax.barh(y, np.where(vals > 0, vals, 0), left=left, color=col, label=label)
        left += vals
    ax.set_xscale("symlog", linthresh=1)
    ax.set_yticks(y, [f"{f['api']} {size_label(f['size_bytes'])}" + (" (vmalloc)" if f["in_vmalloc"] else
                                                                        " (direct map)") for f in rows], fontsize=7)
    ax.set_xlabel("page-table entries mapping the allocation (symlog scale)")
    ax.legend(fontsize=8)
    ax.grid(True, axis="x", alpha=0.25)
    title(fig, "Page-table entries that map one allocation", run)
    fig.tight_layout()
    return fig
