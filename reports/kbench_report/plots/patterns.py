# SPDX-License-Identifier: GPL-2.0
"""Fast path against slow path: pair against batch and shuffled batch as N
grows, in small multiples of at most PER_AXES series (four API and size
pairs, each batch and shuffled) so each stays legible."""
import math

import matplotlib.pyplot as plt

from .._style import color, size_label, title

KEY = "patterns"
TITLE = "Fast path against slow path"
KEYS_PER_AXES = 4
PER_AXES = 2 * KEYS_PER_AXES


def panels(run):
    """[(phase, [(api, size, pattern, [(N, ns)]), ...]), ...]: what each
    axes draws, at most PER_AXES series in each."""
    batch = [m for m in run.measurements if m.experiment == "alloc" and m.state == "clean" and m.pattern != "pair"
             and m.context == "preempt-on" and m.ops_per_batch]
    keys = sorted({(m.api, m.size) for m in batch if not run.is_harness(m.api)})
    out = []
    for start in range(0, len(keys), KEYS_PER_AXES):
        for phase in ("alloc", "free"):
            series = []
            for api, size in keys[start:start + KEYS_PER_AXES]:
                for pattern in ("batch", "batch-shuffled"):
                    pts = sorted((m.ops_per_batch, m.median_ns) for m in batch
                                 if (m.api, m.size, m.pattern, m.phase) == (api, size, pattern, phase))
                    if len(pts) >= 2:
                        series.append((api, size, pattern, pts))
            if series:
                out.append((phase, series))
    return out


def plot(run):
    ps = panels(run)
    if not ps:
        return "no batch-pattern measurements with two or more batch sizes in this run"
    rows = math.ceil(len(ps) / 2)
    fig, axes = plt.subplots(rows, 2, figsize=(13, 3.6 * rows + 0.8), squeeze=False)
    for ax, (phase, series) in zip(axes.flat, ps):
        for api, size, pattern, pts in series:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], ls="-" if pattern == "batch" else "--", marker="o",
                    ms=3, color=color(run, api), label=f"{api} {size_label(size)} {pattern}")
        for api, size in sorted({(a, s) for a, s, _, _ in series}):
            pair = run.find(api=api, size=size, pattern="pair", phase=phase, gfp="GFP_KERNEL", context="preempt-on",
                            state="clean")
            if pair:
                ax.axhline(pair[0].median_ns, color=color(run, api), ls=":", lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("objects held per batch, N (log2 scale)")
        ax.set_ylabel(f"{phase}: ns per op (log)")
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    for ax in list(axes.flat)[len(ps):]:
        ax.set_visible(False)
    title(fig, "Fast path (pair, dotted) against slow paths (batch, shuffled batch) as N grows", run)
    fig.tight_layout()
    return fig
