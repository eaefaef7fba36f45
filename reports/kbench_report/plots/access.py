# SPDX-License-Identifier: GPL-2.0
"""Cost of touching allocated memory, per API and access mode."""
import matplotlib.pyplot as plt

from .._style import color, size_axis, size_label, title

KEY = "access"
TITLE = "Access cost after allocation"


def views(run):
    """[(mode, kind, {api: [(size, ns)]})]: a line per API where some API was
    measured at two sizes or more in that mode, else bars (one point per
    series is a comparison, not a curve)."""
    rows = [m for m in run.measurements if m.experiment == "access" and m.access_mode != "memset"]
    out = []
    for mode in ("sequential", "page-stride", "page-random"):
        by_api = {}
        for r in rows:
            if r.access_mode == mode:
                by_api.setdefault(r.api, []).append((r.size, r.median_ns))
        if by_api:
            by_api = {a: sorted(p) for a, p in sorted(by_api.items())}
            kind = "lines" if max(len(p) for p in by_api.values()) >= 2 else "bars"
            out.append((mode, kind, by_api))
    return out


LABEL = {"sequential": "one load per cache line", "page-stride": "one load per page, in order",
         "page-random": "one load per page, random order"}


def plot(run):
    vs = views(run)
    if not vs:
        return "no access measurements in this run (experiment = \"access\")"
    fig, axes = plt.subplots(1, len(vs), figsize=(4.8 * len(vs) + 1.5, 4.6), squeeze=False)
    for ax, (mode, kind, by_api) in zip(axes[0], vs):
        if kind == "lines":
            for api, pts in by_api.items():
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, color=color(run, api), label=api)
            size_axis(ax)
            ax.set_xlabel("buffer size (bytes, log2 scale)")
        else:
            names = list(by_api)
            ax.bar(range(len(names)), [by_api[a][0][1] for a in names], color=[color(run, a) for a in names])
            ax.set_xticks(range(len(names)), [f"{a}\n{size_label(by_api[a][0][0])}" for a in names], fontsize=7)
        ax.set_yscale("log")
        ax.set_title(LABEL[mode], fontsize=9)
        ax.set_ylabel("median ns per touch (log scale)")
        ax.grid(True, which="both", alpha=0.25)
    handles = [h for ax in axes[0] for h in ax.get_lines()]
    if handles:
        axes[0][-1].legend(handles=list({h.get_label(): h for h in handles}.values()), fontsize=7,
                           loc="upper left", bbox_to_anchor=(1.01, 1.0))
    title(fig, "Access cost per touch after allocation", run)
    fig.tight_layout()
    return fig
