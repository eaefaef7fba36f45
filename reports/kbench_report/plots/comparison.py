# SPDX-License-Identifier: GPL-2.0
"""Two runs side by side: ratio of medians per measurement."""
import matplotlib.pyplot as plt

from .._style import color

KEY = "comparison"
TITLE = "Comparison"


def plot(base, other, changes):
    rows = sorted((c for c in changes if c.experiment == "alloc" and c.phase == "alloc"), key=lambda c: c.ratio)
    if not rows:
        return "the two runs have no allocation measurement in common"
    fig, ax = plt.subplots(figsize=(13, 4.8))
    xs = range(len(rows))
    ax.scatter(xs, [c.ratio for c in rows], c=[color(base, c.api) for c in rows], s=[28 if c.significant else 8 for c in rows],
               edgecolors=["black" if c.significant else "none" for c in rows], linewidths=0.6)
    ax.axhline(1, color="black", lw=1)
    ax.set_yscale("log")
    ax.set_xticks([])
    ax.set_xlabel(f"{len(rows)} alloc measurements in both runs, sorted by ratio (large outlined = significant, "
                  "Mann-Whitney U, Benjamini-Hochberg adjusted p < 0.05, |change| > 5 %)")
    ax.set_ylabel(f"median ratio: {other.kernel} / {base.kernel}\n(> 1: slower)")
    ax.grid(True, which="both", alpha=0.25)
    emulated = " — EMULATED (QEMU TCG)" if base.emulated or other.emulated else ""
    fig.suptitle(f"{other.label} against {base.label}{emulated}", fontsize=11)
    fig.tight_layout()
    return fig
