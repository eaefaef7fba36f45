# SPDX-License-Identifier: GPL-2.0
"""Many CPUs at once: per API and size, the cost one CPU sees while the
others allocate too against the same configuration on one CPU (left), and
what the CPUs do together, the aggregate operations per second, against
what one CPU does alone (right). Remote-free frees on the neighbour CPU and
has no one-CPU counterpart: its bars stand alone."""
import numpy as np
import matplotlib.pyplot as plt

from .._style import color, size_label, title

KEY = "contention"
TITLE = "Many CPUs at once"


def rows(run):
    """[(label, api, team measurement, its one-CPU counterpart or None)] of
    each team configuration's headline phase (pair, or alloc and free)."""
    alone = {(m.config, m.phase): m for m in run.measurements}
    out = []
    for m in run.team:
        if m.experiment != "alloc" or run.is_harness(m.api) or m.state != "clean":
            continue
        if m.phase not in (("pair",) if m.pattern == "pair" else ("alloc", "free")):
            continue
        label = (f"{m.api} {size_label(m.size)}" + ("" if m.gfp == "GFP_KERNEL" else f" {m.gfp}") + f" {m.pattern}"
                 + ("" if m.pattern == "pair" else f" {m.phase}"))
        out.append((label, m.api, m, alone.get((m.alone, m.phase))))
    return sorted(out, key=lambda r: (r[2].pattern, r[2].phase, run.api_index(r[1]), r[2].size))


def overlap_note(run) -> str:
    """How much the threads ran at once, as measured: under single-threaded
    emulation the CPUs take turns, and the figures say so."""
    ov = [m.overlap for m in run.team if m.overlap is not None]
    if not ov:
        return ""
    med = float(np.median(ov))
    note = f"threads' phases overlapped {100 * med:.0f}% (median; 100% = all CPUs at once)"
    if run.emulated and med < 0.75:
        note += ": the emulated CPUs mostly took turns, so this shows the mechanics, not contention"
    return note


def plot(run):
    rs = rows(run)
    if not rs:
        return "no configuration ran on several CPUs at once in this run (threads = 2 or \"all\" in a sweep)"
    threads = max(m.threads for _, _, m, _ in rs)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.28 * len(rs) + 2.2), sharey=True)
    y = np.arange(len(rs))
    h = 0.38
    for i, (label, api, m, one) in enumerate(rs):
        c = color(run, api)
        left.barh(i - h / 2, m.median_ns, h, color=c)
        if one is not None:
            left.barh(i + h / 2, one.median_ns, h, color=c, alpha=0.35, hatch="//")
            right.barh(i + h / 2, 1e9 / one.median_ns, h, color=c, alpha=0.35, hatch="//")
        if m.aggregate_ops_per_s:
            right.barh(i - h / 2, m.aggregate_ops_per_s, h, color=c)
    left.set_yticks(y, [r[0] for r in rs], fontsize=7)
    left.invert_yaxis()
    left.set_xscale("log")
    right.set_xscale("log")
    left.set_xlabel(f"ns per op seen by each CPU (solid: {threads} CPUs at once; hatched: one CPU alone)")
    right.set_xlabel("operations per second (solid: all CPUs together; hatched: one CPU alone)")
    for ax in (left, right):
        ax.grid(True, axis="x", which="both", alpha=0.25)
    note = overlap_note(run)
    title(fig, f"On {threads} CPUs at once against one CPU (median of every thread's batches)"
          + (f"\n{note}" if note else ""), run)
    fig.tight_layout()
    return fig
