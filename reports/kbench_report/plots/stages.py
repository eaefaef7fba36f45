# SPDX-License-Identifier: GPL-2.0
"""vmalloc split into stages, stacked per size, against the whole vmalloc."""
import matplotlib.pyplot as plt
import numpy as np

from .._style import ns_label, size_label, title

KEY = "vmalloc-stages"
TITLE = "What vmalloc is made of"


def derived(v):
    """A derived figure as drawn: itself where positive, None (no figure:
    within the noise of what it is derived from) otherwise."""
    return v if isinstance(v, (int, float)) and v > 0 else None


def plot(run):
    rows = sorted(run.stages.get("by_size", []), key=lambda s: s["size_bytes"])
    if not rows:
        return "no vmalloc stage measurements in this run (experiment = \"stages\")"
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5))
    x = np.arange(len(rows))
    parts = [("page_array_ns", "pages[] array", "#9ecae1"), ("pages_alloc_ns", "page allocation", "#3182bd"),
             ("vmap_ns", "vmap: VA range + page tables", "#fd8d3c")]
    whole = np.array([s["vmalloc_ns"] for s in rows])
    bottom = np.zeros(len(rows))
    for key, label, col in parts:
        share = np.array([s[key] for s in rows]) / whole * 100
        ax.bar(x, share, bottom=bottom, color=col, label=label)
        bottom += share
    # Derived quantities are drawn apart from measured ones: hatched, and
    # only where positive; a negative one is the noise of two measured
    # figures, said in words, never drawn as a bar.
    rest = np.array([derived(s["rest_ns"]) or 0 for s in rows]) / whole * 100
    ax.bar(x, rest, bottom=bottom, color="#d9d9d9", hatch="//", label="rest (derived: accounting, checks)")
    ax.axhline(100, color="black", lw=1, ls="--", label="whole vmalloc = 100 %")
    for i, s in enumerate(rows):
        notes = []
        if derived(s["rest_ns"]) is None:
            notes.append("rest: within noise")
        # The lazy purge's share of the steady vmalloc+vfree of the same
        # size, where the run measured that size clean and steady.
        share = s.get("purge_share_of_steady")
        if isinstance(share, (int, float)):
            notes.append(f"steady pair {ns_label(s['steady_vmalloc_pair_ns'])}")
            notes.append(f"purge {100 * share:.0f}%" if derived(share) is not None else "purge share: within noise")
        if notes:
            ax.annotate("\n".join(notes), (x[i], max(bottom[i] + rest[i], 100)), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 3), textcoords="offset points", color="#a50f15")
    ax.set_xticks(x, [size_label(s["size_bytes"]) for s in rows])
    ax.set_xlabel("vmalloc size (bytes)")
    ax.set_ylabel("% of the whole vmalloc's median time")
    ax.set_title("allocation side (measured stages, rest derived)")
    ax.set_ylim(0, max(125, float(max(bottom + rest)) * 1.25))
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    free_parts = [("vunmap_ns", "vunmap", "#fdae6b"), ("pages_free_ns", "page freeing", "#6baed6")]
    w = 0.38
    for i, (key, label, col) in enumerate(free_parts):
        bx.bar(x - w / 2, [s[key] for s in rows], w, bottom=[sum(s[k] for k, _, _ in free_parts[:i]) for s in rows],
               color=col, label=label)
    bx.bar(x + w / 2, [s["vfree_ns"] for s in rows], w, color="#636363", label="whole vfree")
    bx.plot(x, [s["purge_ns"] for s in rows], "kD-", ms=4, lw=1, label="purge: vm_unmap_aliases (TLB flush)")
    bx.set_yscale("log")
    bx.set_xticks(x, [size_label(s["size_bytes"]) for s in rows])
    bx.set_xlabel("vmalloc size (bytes)")
    bx.set_ylabel("median ns (log scale)")
    bx.set_title("free side")
    bx.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fit = run.stages.get("vmap_fit", {})
    if fit.get("points", 0) >= 2:
        bx.text(0.01, 0.98, f"vmap ≈ {fit['ns_per_page']:.1f} ns/page + {fit['ns_fixed']:.0f} ns (r²={fit['r2']:.3f})",
                transform=bx.transAxes, va="top", fontsize=8)
    title(fig, "vmalloc stage by stage", run)
    fig.tight_layout()
    return fig
