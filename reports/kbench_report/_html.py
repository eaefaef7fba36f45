# SPDX-License-Identifier: GPL-2.0
"""index.html: the plots of every run, its environment, warnings and the
advisor table. Self-contained apart from the PNG/SVG files beside it."""
from __future__ import annotations

import html
from pathlib import Path

import matplotlib.pyplot as plt

from ._advise import STANDARD_QUESTIONS, advise
from ._answers import AGAINST, vmalloc_overhead
from ._load import Run
from ._style import ns_label, size_label
from ._compare import compare, compare_steps
from .plots import PLOTS, comparison, overhead, trend

CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:0 1.2em;color:#222}
.banner{background:#b30000;color:#fff;padding:.6em 1em;font-weight:bold;position:sticky;top:0;z-index:9}
h1{margin-top:.6em} h2{border-bottom:2px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0} td,th{border:1px solid #ccc;padding:.25em .6em;font-size:.9em;
text-align:left;vertical-align:top} th{background:#f3f3f3}
.warn{background:#fff4e0;border-left:4px solid #e69500;padding:.4em .8em;margin:.3em 0}
.note{color:#555;font-style:italic} figure{margin:1em 0} img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#444}
"""

ENV_KEYS = ["kernel_release", "kernel_version", "target", "emulated", "platform", "hypervisor", "cpu_model", "num_cpus",
            "threads_per_core",
            "mem_total_kb", "numa_nodes_online", "clocksource", "timer", "timer_khz", "hz", "preempt_model",
            "preempt_dynamic", "init_on_alloc", "init_on_free", "thp_enabled", "slab_allocator", "cmdline",
            "cpufreq_governor", "turbo", "repetitions", "order_seed", "kbench_version", "kbench_git_revision",
            "date", "config"]


def _esc(v) -> str:
    return html.escape(str(v))


def _env_table(run: Run) -> str:
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(run.context[k])}</td></tr>"
                   for k in ENV_KEYS if k in run.context)
    on = [k for k, v in run.context.get("kconfig", {}).items() if v]
    if on:
        rows += f"<tr><th>kernel build options</th><td>{_esc(', '.join(on))}</td></tr>"
    return f"<table class='env'>{rows}</table>"


def _cell(m) -> str:
    """A measured figure, the measurement it comes from on hover."""
    return "-" if m is None else f"<span title='{_esc(m.name)}'>{_esc(ns_label(m.cost_ns))}</span>"


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f} %"


def _vmalloc_answer(run: Run, out: Path, i: int) -> str:
    rows = vmalloc_overhead(run)
    if not rows:
        return "<p class='note'>Not shown: this run measured no vmalloc alloc+free pair with GFP_KERNEL.</p>"
    head = ("<tr><th>size</th><th>vmalloc per pair</th>" + "".join(f"<th>{_esc(a)}</th>" for a in AGAINST) +
            "<th>vmalloc / alloc_pages</th><th>of vmalloc alone: page allocation</th><th>vmap (VA + page "
            "tables)</th><th>4 KiB PTEs</th><th>touch per page: vmalloc / direct map</th></tr>")
    body = []
    for r in rows:
        touch = "-"
        if r.touch_vmalloc and r.touch_direct:
            touch = f"{_cell(r.touch_vmalloc)} / {_cell(r.touch_direct)}"
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
        body.append(f"<tr><td>{_esc(size_label(r.size))}</td><td>{_cell(r.vmalloc)} <small>"
                    f"({_esc(r.vmalloc.state)})</small></td>" +
                    "".join(f"<td>{_cell(r.against.get(a))}</td>" for a in AGAINST) +
                    f"<td>{ratio}</td><td>{_pct(r.pages_share)}</td><td>{_pct(r.vmap_share)}</td>"
                    f"<td>{'-' if r.pte_4k is None else r.pte_4k}</td><td>{touch}</td></tr>")
    sec = ["<p class='note'>Median ns per alloc+free pair (GFP_KERNEL), net of the harness; vmalloc in steady "
           "state where measured (the lazy purges it pays included), the others clean. The stage shares are of "
           "vmalloc timed alone (the stages experiment); touches are one load per page in random order. Hover "
           "a figure for the measurement it comes from; '-': not measured in this run.</p>",
           f"<table class='answer'>{head}{''.join(body)}</table>"]
    fig = overhead.plot(run, rows)
    if not isinstance(fig, str):
        sec.append(_figure(fig, out, f"run{i}-{overhead.KEY}", overhead.TITLE, run))
    return "\n".join(sec)


def _figure(fig, out: Path, stem: str, what: str, run: Run) -> str:
    """Saves a figure as PNG and SVG beside index.html; its <figure>."""
    fig.savefig(out / f"{stem}.png", dpi=110)
    fig.savefig(out / f"{stem}.svg")
    plt.close(fig)
    return (f"<figure><a href='{stem}.svg'><img src='{stem}.png' alt='{_esc(what)}'></a>"
            f"<figcaption>{_esc(what)} — {_esc(run.label)} (click for SVG)</figcaption></figure>")


def _advice_table(run: Run) -> str:
    rows = []
    for size, atomic, contiguous in STANDARD_QUESTIONS:
        a = advise(run, size, atomic, contiguous)
        if a.best:
            best = f"{_esc(a.best.api)}: {_esc(a.best.cost())}"
            if a.best.alloc_p99_ns is not None:
                best += f", alloc p99 {_esc(ns_label(a.best.alloc_p99_ns))} ({_esc(a.best.p99_of)})"
            if a.best.note:
                best += f"<br><small>{_esc(a.best.note)}</small>"
            second = (f"{_esc(a.runner_up.api)}: {_esc(a.runner_up.cost())}"
                      if a.runner_up else "-")
            best += f"<br><small>evidence: {_esc(a.best.evidence)}</small>"
            detail = "<br>".join(_esc(t) for t in a.tradeoffs) or "-"
            if a.excluded:
                detail += "<br><small>not for this use: " + _esc("; ".join(a.excluded)) + "</small>"
            if a.others:
                detail += "<br><small>also measured: " + _esc(", ".join(
                    f"{c.api} {ns_label(c.rank_ns)}" for c in a.others)) + "</small>"
        else:
            best, second, detail = "no answer", "-", "<br>".join(_esc(m) for m in a.missing)
        rows.append(f"<tr><td>{_esc(a.question.rstrip(':'))}</td><td>{best}</td><td>{second}</td><td>{detail}</td></tr>")
    return ("<table class='advice'><tr><th>need</th><th>fastest measured</th><th>runner-up</th>"
            "<th>trade-offs and notes</th></tr>" + "".join(rows) + "</table>")


def _refused(run: Run) -> str:
    reasons = {}
    for n in run.not_measured:
        reasons.setdefault((n.status, n.reason), []).append(n.name)
    if not reasons:
        return "<p>Every configuration was measured.</p>"
    rows = "".join(f"<tr><td>{_esc(s)}</td><td>{len(v)}</td><td>{_esc(r)}</td><td>{_esc(v[0])}</td></tr>"
                   for (s, r), v in sorted(reasons.items(), key=lambda kv: -len(kv[1])))
    return ("<table><tr><th>status</th><th>configurations</th><th>reason (from the module)</th><th>example</th></tr>"
            + rows + "</table>")


def _comparison(base: Run, other: Run, out: Path) -> str:
    changes = compare(base, other)
    sec = [f"<h2 id='compare'>{_esc(other.label)} against {_esc(base.label)}</h2>",
           "<p class='note'>Ratio per measurement (Hodges-Lehmann, from the repetitions' medians, where they can be "
           "tested; else of the medians); significance from a two-sided Mann-Whitney U test on "
           "the repetitions' medians (at least 4 per side), Benjamini-Hochberg adjusted across all measurements "
           "compared (false discovery rate 5 %), and a change of more than 5 %.</p>"]
    fig = comparison.plot(base, other, changes)
    if isinstance(fig, str):
        sec.append(f"<p class='note'>Not shown: {_esc(fig)}.</p>")
    else:
        fig.savefig(out / "compare.png", dpi=110)
        fig.savefig(out / "compare.svg")
        plt.close(fig)
        sec.append("<figure><a href='compare.svg'><img src='compare.png' alt='comparison'></a></figure>")
    tested = [c for c in changes if c.p_value is not None]
    sig = sorted((c for c in changes if c.significant), key=lambda c: -abs(c.ratio - 1))
    sec.append(f"<p>{len(changes)} measurements in both runs, {len(tested)} with enough repetitions to test, "
               f"{len(sig)} significant changes.</p>")
    if sig:
        rows = "".join(f"<tr><td>{_esc(c.name)}</td><td>{_esc(ns_label(c.base_ns))}</td>"
                       f"<td>{_esc(ns_label(c.other_ns))}</td><td>{_esc(c.verdict())}</td>"
                       f"<td>{c.p_adjusted:.2g}</td></tr>" for c in sig[:40])
        sec.append(f"<table><tr><th>measurement</th><th>{_esc(base.kernel)}</th><th>{_esc(other.kernel)}</th>"
                   f"<th>change</th><th>p (BH-adjusted)</th></tr>{rows}</table>")
    return "\n".join(sec)


def _trend(runs: list[Run], out: Path) -> str:
    """The kernels of a matrix: each against the one before it in version
    order, corrected across the whole matrix; regressions, then improvements."""
    steps = compare_steps(runs)
    sec = [f"<h2 id='trend'>Across {len(runs)} kernels, in version order</h2>",
           "<p class='note'>Each kernel against the one before it: the ratio of the repetitions' medians "
           "(Hodges-Lehmann) with its 95 % interval, "
           "Mann-Whitney U on the repetitions' medians, Benjamini-Hochberg adjusted across every comparison of "
           "the matrix at once (false discovery rate 5 %), and a change of more than 5 %.</p>"]
    fig = trend.plot(steps)
    if isinstance(fig, str):
        sec.append(f"<p class='note'>Not shown: {_esc(fig)}.</p>")
    else:
        sec.append(_figure(fig, out, "trend", trend.TITLE, steps[-1].other))
    for title, want in (("Regressions", lambda c: c.ratio > 1), ("Improvements", lambda c: c.ratio < 1)):
        found = sorted(((s, c) for s in steps for c in s.changes if c.significant and want(c)),
                       key=lambda sc: -abs(sc[1].ratio - 1))
        sec.append(f"<h3>{title}: {len(found)}</h3>")
        if found:
            rows = "".join(f"<tr><td>{_esc(c.name)}</td><td>{_esc(s.base.kernel)} → {_esc(s.other.kernel)}</td>"
                           f"<td>{_esc(ns_label(c.base_ns))} → {_esc(ns_label(c.other_ns))}</td>"
                           f"<td>{_esc(c.verdict())}</td></tr>" for s, c in found[:40])
            sec.append("<table><tr><th>measurement</th><th>kernels</th><th>median</th><th>change</th></tr>"
                       f"{rows}</table>")
    return "\n".join(sec)


def write_report(runs: list[Run], out_dir, matrix: bool = False) -> Path:
    """matrix: the runs are kernels of one campaign (`kbench matrix`): a
    trend across them in version order; else the first two are compared."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parts = []
    emulated = any(r.emulated for r in runs)
    for i, run in enumerate(runs):
        sec = [f"<h2 id='run{i}'>{_esc(run.label)}</h2>"]
        if run.platform_note:
            sec.append(f"<div class='warn'><b>{_esc(run.platform)}</b>: {_esc(run.platform_note)}</div>")
        if run.schema == "single":
            sec.append("<p class='note'>This file comes from an older kbench without repetitions: there are no "
                       "confidence intervals or pooled percentiles in it.</p>")
        # The answers first, then the detailed views, then the environment.
        sec += ["<h3>What vmalloc costs against the page allocator</h3>", _vmalloc_answer(run, out, i),
                "<h3>Which API for a driver?</h3>",
                "<p class='note'>Answered only from this run's measurements: the cost per alloc+free of the pair "
                "loop net of the harness, in steady state where the run has it, for the use the question says.</p>",
                _advice_table(run)]
        for mod in PLOTS:
            result = mod.plot(run)
            sec.append(f"<h3>{_esc(mod.TITLE)}</h3>")
            if isinstance(result, str):
                sec.append(f"<p class='note'>Not shown: {_esc(result)}.</p>")
                continue
            sec.append(_figure(result, out, f"run{i}-{mod.KEY}", mod.TITLE, run))
        sec += ["<h3>Not measured</h3>", _refused(run), "<h3>Environment and warnings</h3>", _env_table(run)]
        sec += [f"<div class='warn'>{_esc(w)}</div>" for w in run.context.get("warnings", [])
                if not w.startswith(("EMULATED", "VIRTUALIZED"))]
        parts.append("\n".join(sec))
    if matrix and len(runs) >= 2:
        parts.insert(0, _trend(runs, out))
    elif len(runs) >= 2:
        parts.insert(0, _comparison(runs[0], runs[1], out))
    virtualized = not emulated and any(r.platform == "VIRTUALIZED" for r in runs)
    banner = ("<div class='banner'>EMULATED: these results come from QEMU without hardware acceleration; "
              "times are not hardware times.</div>" if emulated else
              "<div class='banner'>VIRTUALIZED: these results come from a virtual machine, not bare metal.</div>"
              if virtualized else "")
    toc = "".join(f"<li><a href='#run{i}'>{_esc(r.label)}</a></li>" for i, r in enumerate(runs))
    doc = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>kbench report</title>"
           f"<style>{CSS}</style></head><body>{banner}<h1>kbench: what memory allocation costs</h1>"
           f"<ul>{toc}</ul>{''.join(parts)}</body></html>")
    index = out / "index.html"
    index.write_text(doc)
    return index
