# SPDX-License-Identifier: GPL-2.0
"""The report package on real result files: loading both schemas, every
plot's data, the advisor's answers, and the HTML page."""
import copy
import gzip
import json
import random
import re
from pathlib import Path

import matplotlib
import pytest

from kbench_report import SchemaError, advise, load_run, write_report
from kbench_report._advise import STANDARD_QUESTIONS
from kbench_report.plots import (PLOTS, access, contention, footprint, fragmentation, gfp_heatmap, size_curve, stages,
                                 steady, zeroing)

FIXTURES = Path(__file__).resolve().parent / "fixtures"

matplotlib.use("Agg")


def pair(run, api, size, gfp="GFP_KERNEL", phase="alloc", state="clean"):
    """The pair-pattern measurement of an API, found by its fields."""
    found = run.find(experiment="alloc", api=api, size=size, gfp=gfp, pattern="pair", phase=phase,
                     context="preempt-on", state=state)
    assert len(found) == 1, (api, size, gfp, phase, len(found))
    return found[0]


def test_current_schema_loads_pooled_medians_and_the_catalog(main_run):
    assert main_run.schema == "repetitions"
    assert main_run.context["kbench_schema"] == 2
    assert main_run.emulated and main_run.kernel.startswith("6.12.")
    m = pair(main_run, "kmalloc", 64)
    assert m.repetitions == 2 and m.ci_low_ns <= m.median_ns <= m.ci_high_ns
    assert m.p99_ns >= m.median_ns >= m.min_ns > 0
    assert m.ops_per_batch == 128 and m.unit == "op"
    assert any(f["api"] == "vmalloc" and f["size_bytes"] == 4 << 20 for f in main_run.footprints)
    assert main_run.stages["by_size"] and main_run.zeroing
    # What each API is comes from the module's catalog in the file.
    assert main_run.api("vmalloc")["memory"] == "vmalloc" and main_run.is_harness("noop")
    assert main_run.has("kmalloc", "contiguous") and not main_run.has("vmalloc", "contiguous")
    assert [a["name"] for a in main_run.catalog] == [a["name"] for a in main_run.context["kbench_catalog"]["apis"]]
    # Unsupported counters carry their reason, stated once in the context.
    assert "ENOENT" in m.counters_unsupported["cycles"]


def test_older_schemas_load_without_inventing_fields(old_run, repetitions_run):
    assert old_run.schema == "single"
    assert old_run.kernel.startswith("6.1.")
    m = pair(old_run, "kmalloc", 65536)
    assert m.median_ns > 0 and m.repetitions == 1
    assert m.ci_low_ns is None and m.ci_high_ns is None  # that schema had no intervals
    assert old_run.footprints == [] and old_run.stages == {}
    assert old_run.is_harness("noop") and old_run.has("kvmalloc", "huge_map")  # the frozen catalog of that time
    # The schema before every dimension became a field (and before the catalog).
    assert repetitions_run.schema == "repetitions" and "kbench_catalog" not in repetitions_run.context
    r = pair(repetitions_run, "kmalloc", 64)
    assert r.repetitions == 2 and len(r.rep_medians) == 2 and r.ops_per_batch == 128


@pytest.mark.parametrize("older", ["compact-schema-6.12.json.gz", "aggregates-schema-6.12.json.gz"])
def test_the_writer_and_the_ones_before_load_to_the_same_measurements(older):
    """fixture-6.12, compact-schema-6.12 and aggregates-schema-6.12 are one
    run's raw records written by three versions of the JSON reporter
    (mean/median/stddev/cv aggregates, iterations for every phase and
    counters per entry; the compact one; and the one that states a
    configuration's fields and the repetitions' medians once). The report
    must not see the difference."""
    new, old = load_run(FIXTURES / "fixture-6.12.json.gz"), load_run(FIXTURES / older)
    assert len(new.measurements) == len(old.measurements) > 600
    by_name = {m.name: m for m in old.measurements}
    split = 0
    for m in new.measurements:
        o = by_name[m.name]
        for field in ("median_ns", "p99_ns", "min_ns", "max_ns", "ci_low_ns", "ci_high_ns", "net_ns", "harness_ns"):
            a, b = getattr(m, field), getattr(o, field)
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-6), (m.name, field, a, b)
        assert m.rep_medians == pytest.approx(o.rep_medians, rel=1e-6) and len(m.rep_medians) == 2, m.name
        assert m.counters_unsupported == o.counters_unsupported, m.name
        assert (m.api, m.size, m.gfp, m.pattern, m.context, m.call, m.options, m.failures) == \
            (o.api, o.size, o.gfp, o.pattern, o.context, o.call, o.options, o.failures), m.name
        assert (m.phase, m.state, m.repetitions, m.unit, m.batches) == \
            (o.phase, o.state, o.repetitions, o.unit, o.batches), m.name
        split += m.pattern == "pair" and m.phase in ("alloc", "free")
    assert split > 100, "the split phases, which state their configuration by reference, were compared"
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    assert "stddev" not in {b.get("aggregate_name") for b in doc["benchmarks"]}
    assert doc["context"]["kbench_counters_unsupported"] == ["cycles", "dtlb_load_misses", "dtlb_store_misses",
                                                             "instructions", "itlb_load_misses"]
    assert sum("config_entry" in b for b in doc["benchmarks"]) > 100


def test_a_reference_to_no_configuration_is_an_error(tmp_path):
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    referring = next(b for b in doc["benchmarks"] if "config_entry" in b)
    referring["config_entry"] = "kmalloc/size:3"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(SchemaError, match=r"names config_entry \"kmalloc/size:3\", which is no entry stating"):
        load_run(bad)


def test_not_a_kbench_file_is_an_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"context": {}, "benchmarks": []}')
    with pytest.raises(SchemaError, match="not written by kbench"):
        load_run(bad)
    bad.write_text("not json")
    with pytest.raises(SchemaError, match="cannot read it as JSON"):
        load_run(bad)


def test_a_wrong_shape_names_the_file_and_the_field(tmp_path):
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    bad = tmp_path / "bad.json"
    for edit, want in ((lambda d: d.update(benchmarks=42), "no context object and benchmarks list"),
                       (lambda d: d["benchmarks"].append(7), r"benchmarks\[\d+\] is not an object"),
                       (lambda d: d["benchmarks"][3].update(p50_ns=float("nan")), "has no finite 'p50_ns'"),
                       (lambda d: d["benchmarks"][3].update(size_bytes="big"), "has no valid 'size_bytes'"),
                       (lambda d: d["benchmarks"][0].update(real_time=None), "no finite real_time"),
                       (lambda d: d["benchmarks"][3].update(rep_medians_ns=[1, "x"]), "no valid 'rep_medians_ns'"),
                       (lambda d: d["context"].update(kbench_counters_unsupported="cycles"),
                        "'kbench_counters_unsupported' is not a list")):
        d = copy.deepcopy(doc)
        edit(d)
        bad.write_text(json.dumps(d))
        with pytest.raises(SchemaError, match=want) as e:
            load_run(bad)
        assert str(bad) in str(e.value)


def test_every_plot_draws_this_runs_data(main_run, conditions_run):
    for mod in PLOTS:
        fig = mod.plot(conditions_run if mod in (contention, fragmentation) else main_run)
        if mod is PLOTS[-1]:  # TLB misses: no PMU under QEMU
            assert isinstance(fig, str) and "not available" in fig and "ENOENT" in fig
            continue
        assert not isinstance(fig, str), f"{mod.KEY}: {fig}"
        assert fig.axes, mod.KEY
        matplotlib.pyplot.close(fig)


def test_the_contention_view_pairs_each_team_figure_with_its_one_cpu_counterpart(conditions_run, main_run):
    run = conditions_run
    assert "several CPUs" in contention.plot(main_run) or "threads" in contention.plot(main_run)
    rows = contention.rows(run)
    # The fixture: 4 APIs x 2 sizes x 2 GFP masks as pairs, and 2 remote-free
    # configurations (alloc and free) on every CPU; the harness left out.
    pairs = [r for r in rows if r[2].pattern == "pair"]
    remote = [r for r in rows if r[2].pattern == "remote-free"]
    refused = [n for n in run.not_measured if "/threads:all" in n.name]
    assert refused and all(n.api == "vmalloc" and n.gfp == "GFP_ATOMIC" for n in refused), "vmalloc may sleep"
    assert len(pairs) + len(refused) == 4 * 2 * 2 and len(remote) == 2 * 2, [r[0] for r in rows]
    assert len({r[0] for r in rows}) == len(rows), "each row says what it is"
    for label, api, team, one in rows:
        assert team.threads == run.context["num_cpus"] >= 2, label
        assert len(team.per_thread_ns) == team.threads and all(t > 0 for t in team.per_thread_ns), label
        assert team.aggregate_ops_per_s > 0 and 0 < team.overlap <= 1.0, label
        if team.pattern == "pair":
            assert one is not None and one.threads == 1 and one.config == team.alone, label
            assert one.name == team.name.replace("/threads:all", ""), label
        else:
            assert one is None, "remote-free has no one-CPU counterpart"
    # Every other view reads the one-CPU figures only.
    assert all(m.threads == 1 for m in run.measurements) and run.team
    # Emulated CPUs take turns, and the view says so from the measured overlap.
    assert "took turns" in contention.overlap_note(run)


def test_the_fragmentation_view_has_failures_fallbacks_and_the_kernels_work(conditions_run, main_run):
    run = conditions_run
    assert "fragmented" in fragmentation.plot(main_run)
    rows = fragmentation.rows(run)
    assert len(rows) == 2 * 2, [r[0] for r in rows]
    by = {(r[2].api, r[2].size): r for r in rows}
    for (api, size), (label, _, m, base) in by.items():
        assert base is not None and base.condition == "none" and base.config == m.as_is, label
        assert m.fragment_pages_held > 0 and m.failure_rate is not None, label
        assert base.failures == 0, "memory as it was serves every allocation"
    # Order 8 (1M) cannot be served from order-0 islands: alloc_pages fails
    # at a measured, non-zero rate and kvmalloc falls back to vmalloc.
    pages = by[("alloc_pages", 1 << 20)][2]
    kv = by[("kvmalloc", 1 << 20)][2]
    assert 0 < pages.failure_rate <= 1 and pages.failures == round(pages.failure_rate * 64 * pages.batches)
    assert kv.failures == 0 and kv.vmalloc_fallbacks > 0, kv
    assert f"vmalloc {100 * kv.vmalloc_fallbacks / (64 * kv.batches):.0f}%" in by[("kvmalloc", 1 << 20)][0]
    # The kernel tried: compaction stalls while the fragmented runs ran.
    assert "compact_stall" in fragmentation.vmstat_note(run)
    # Fragmented figures stay out of every other view.
    assert all(m.condition == "none" for m in run.measurements + run.team)


def test_the_advisor_says_what_fragmentation_does_to_a_size(conditions_run):
    from kbench_report._advise import _fragmentation_tradeoff
    t = _fragmentation_tradeoff(conditions_run, 1 << 20)
    assert t.startswith("1M when memory is fragmented: ") and "alloc_pages (GFP_KERNEL|__GFP_NORETRY) failed " in t \
        and "kvmalloc (GFP_KERNEL|__GFP_NORETRY) failed 0%, fell back to vmalloc" in t, t
    assert _fragmentation_tradeoff(conditions_run, 4096) is None


def test_the_zeroing_plot_compares_only_allocations_that_zero_and_in_a_sane_range(main_run, tmp_path):
    """Allocation bytes/ns against memset's: between 1 % and 200 % for every
    zeroing API, and the harness never there, even in a file that has a row
    for it (kbench before the derived section skipped it drew noop at
    about 400,000 % of memset, flattening every real API onto zero)."""
    data = zeroing.series(main_run)
    assert data and "noop" not in data
    for api, pts in data.items():
        assert main_run.has(api, "always_zeroes") or main_run.context.get("init_on_alloc"), api
        assert all(1 < pct < 200 for _, pct in pts), (api, pts)
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    row = dict(doc["kbench_zeroing"][0], api="noop", fraction_of_memset=4000.0)
    doc["kbench_zeroing"].append(row)
    damaged = tmp_path / "old.json"
    damaged.write_text(json.dumps(doc))
    assert zeroing.series(load_run(damaged)) == data
    fig = zeroing.plot(main_run)
    assert fig.axes[0].get_legend() is not None
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_label() != "memset of the same size"]
    assert sorted(ln.get_label() for ln in lines) == sorted(data)
    matplotlib.pyplot.close(fig)


def test_the_vmalloc_answer_is_this_runs_measurements(main_run):
    from kbench_report._answers import vmalloc_overhead
    from kbench_report.plots import overhead
    rows = vmalloc_overhead(main_run)
    assert [r.size for r in rows] == [64, 4096, 65536, 262144, 1048576, 4194304]
    for r in rows:
        # vmalloc in steady state where the run measured it, else clean.
        steady = main_run.find(experiment="alloc", api="vmalloc", size=r.size, gfp="GFP_KERNEL", pattern="pair",
                               phase="pair", context="preempt-on", state="steady")
        assert r.vmalloc.state == ("steady" if steady else "clean")
        if steady:
            assert r.vmalloc.cost_ns == steady[0].cost_ns
        pages = main_run.find(experiment="alloc", api="alloc_pages", size=r.size, gfp="GFP_KERNEL", pattern="pair",
                              phase="pair", context="preempt-on", state="clean")
        assert r.against["alloc_pages"].cost_ns == min(pages, key=lambda m: m.ops_per_batch).cost_ns
        assert r.ratio == pytest.approx(r.vmalloc.cost_ns / r.against["alloc_pages"].cost_ns)
        st = next((s for s in main_run.stages["by_size"] if s["size_bytes"] == r.size), None)
        if st:
            assert r.pages_share == pytest.approx(st["pages_alloc_ns"] / st["vmalloc_ns"])
            assert r.vmap_share == pytest.approx(st["vmap_ns"] / st["vmalloc_ns"])
        else:
            assert r.pages_share is None and r.vmap_share is None
    big = next(r for r in rows if r.size == 4 << 20)
    assert big.pte_4k == 1024 and big.touch_vmalloc and big.touch_direct
    assert big.touch_vmalloc.access_mode == "page-random" and big.touch_direct.api == "alloc_pages"
    assert overhead.series(rows)["vmalloc"] == [(r.size, r.vmalloc.cost_ns) for r in rows]


def test_the_report_opens_with_the_answers(report_dir):
    html = (report_dir / "index.html").read_text()
    first = html.index("<h2 id='run0'>")
    heads = re.findall(r"<h3>(.*?)</h3>", html[first:])
    assert heads[:2] == ["What vmalloc costs against the page allocator", "Which API for a driver?"], heads[:4]
    assert heads.index("Environment and warnings") > heads.index("Not measured")
    assert "<table class='answer'>" in html and "run0-vmalloc-overhead.png" in html
    assert "title='vmalloc/size:4M/gfp:GFP_KERNEL/pattern:pair/n:1/ctx:preempt-on/pair'" in html


def test_size_curve_plots_the_measured_medians(main_run):
    fig = size_curve.plot(main_run)
    alloc_ax = fig.axes[0]
    series = {c.get_label(): c for c in alloc_ax.containers}  # errorbar containers
    km = series["kmalloc"].lines[0]
    # Clean, the shortest batches: steady state and long loops have plots of their own.
    want = sorted((m.size, m.median_ns) for m in main_run.find(api="kmalloc", pattern="pair", gfp="GFP_KERNEL",
                                                                  phase="alloc", context="preempt-on",
                                                                  experiment="alloc", state="clean"))
    assert list(zip(km.get_xdata(), km.get_ydata())) == want
    assert alloc_ax.get_yscale() == "log" and "ns per operation" in alloc_ax.get_ylabel()
    assert "EMULATED" in fig._suptitle.get_text() and "6.12." in fig._suptitle.get_text()
    matplotlib.pyplot.close(fig)


def test_heatmap_marks_refused_cells_as_refused(refusals_run):
    fig = gfp_heatmap.plot(refusals_run)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts.count("refused") == sum(1 for n in refusals_run.not_measured
                                         if n.status == "refused" and n.pattern == "pair")
    matplotlib.pyplot.close(fig)


def test_footprint_and_stages_plots_use_the_runs_numbers(main_run):
    fig = footprint.plot(main_run)
    bars = sum(p.get_width() for p in fig.axes[0].patches)
    assert bars == sum(f["pte_4k"] + f["pmd_2m"] + f["pud_1g"] for f in main_run.footprints)
    matplotlib.pyplot.close(fig)
    fig = stages.plot(main_run)
    assert len(fig.axes[0].get_xticklabels()) == len(main_run.stages["by_size"])
    # The purge's share of the steady pair, at the sizes measured clean and steady.
    notes = [t.get_text() for t in fig.axes[0].texts if "purge" in t.get_text()]
    shares = [s["purge_share_of_steady"] for s in main_run.stages["by_size"]
              if isinstance(s.get("purge_share_of_steady"), (int, float))]
    assert len(shares) == 2 and len(notes) == 2  # 64K and 1M
    # A derived share that comes out negative (64K here: the noise of two
    # measured figures) is said to be within noise, never drawn as a figure.
    for x, n in zip(shares, notes):
        assert (f"purge {100 * x:.0f}%" in n) if x > 0 else ("purge share: within noise" in n and "-" not in n), (x, n)
    assert min(shares) < 0 < max(shares), "the fixture has both kinds"
    matplotlib.pyplot.close(fig)


def test_no_axes_has_more_than_eight_series_or_a_curve_of_one_point(main_run):
    from kbench_report.plots import patterns
    ps = patterns.panels(main_run)
    assert ps and all(len(series) <= patterns.PER_AXES for _, series in ps)
    assert all(len(pts) >= 2 for _, series in ps for *_, pts in series)
    fig = patterns.plot(main_run)
    for ax in fig.axes:
        if ax.get_visible():
            assert len([ln for ln in ax.get_lines() if ln.get_linestyle() != ":"]) <= patterns.PER_AXES
    matplotlib.pyplot.close(fig)
    for mode, kind, by_api in access.views(main_run):
        # A curve needs two points: a mode whose series all have one is drawn as bars.
        assert kind == ("lines" if max(len(p) for p in by_api.values()) >= 2 else "bars"), mode
    fig = access.plot(main_run)
    for ax, (mode, kind, _) in zip(fig.axes, access.views(main_run)):
        assert (len(ax.patches) > 0) == (kind == "bars"), mode
    matplotlib.pyplot.close(fig)


def test_steady_state_rows_are_the_fields_of_their_two_configurations(main_run):
    rows = main_run.steady
    assert {(r["api"], r["size_bytes"]) for r in rows} >= {("vmalloc", 65536), ("vmalloc", 1 << 20),
                                                           ("kmem_cache", 256)}
    assert all(r["api"] != "noop" for r in rows), "the harness is not a finding"
    for r in rows:
        st = main_run.find(api=r["api"], size=r["size_bytes"], pattern=r["pattern"], state="steady",
                           experiment="alloc", phase="pair" if r["pattern"] == "pair" else "alloc")
        assert len(st) == 1 and st[0].ops_per_batch == r["steady_ops_per_batch"]
        if r["pattern"] == "pair":
            assert r["steady_ns"] == pytest.approx(st[0].cost_ns)
        assert r["change_vs_clean"] == pytest.approx(r["steady_ns"] / r["clean_ns"] - 1)
    vm = next(r for r in rows if r["api"] == "vmalloc" and r["size_bytes"] == 65536)
    assert vm["purges_counted"] and vm["purges"] > 0 and vm["threshold_crossings"] > 0
    slab = next(r for r in rows if r["api"] == "kmem_cache" and r["pattern"] == "batch")
    assert slab["phase"] == "alloc+free" and slab["slab_flushes_counted"] and slab["slab_flushes"] > 0
    fig = steady.plot(main_run)
    ax = fig.axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == sorted(round(x, 6) for r in rows for x in (r["clean_ns"], r["steady_ns"]))
    assert any("slab flushes" in t.get_text() for t in ax.texts)
    assert any("purges /" in t.get_text() for t in ax.texts)
    # Threshold crossings only where every call is a vmalloc.
    assert all(r["threshold_crossings"] == 0 for r in rows if r["api"] != "vmalloc")
    matplotlib.pyplot.close(fig)


def test_the_advisor_uses_steady_state_where_the_run_has_it(main_run):
    a = advise(main_run, 1 << 20)
    ranked = [a.best, a.runner_up, *a.others]
    vm = next(c for c in ranked if c.api == "vmalloc")
    assert vm.state == "steady" and vm.net
    st = pair(main_run, "vmalloc", 1 << 20, phase="pair", state="steady")
    assert vm.pair_ns == pytest.approx(st.net_ns)
    assert "steady state" in "\n".join(a.lines())
    # Single-operation tails where the module timed operations one by one.
    if st.single_op_reliable:
        assert vm.p99_of == "single operations"


def test_missing_data_gives_a_note_not_an_empty_plot(old_run):
    assert isinstance(stages.plot(old_run), str)
    assert isinstance(steady.plot(old_run), str)
    assert isinstance(footprint.plot(old_run), str)
    assert isinstance(access.plot(old_run), str)


def test_advisor_answers_the_standard_questions_from_a_real_run(main_run):
    a = advise(main_run, 64, atomic=True)
    assert a.best and a.best.gfp in ("GFP_ATOMIC", "GFP_NOWAIT")
    assert main_run.api(a.best.api)["memory"] != "vmalloc"
    assert a.best.rank_ns <= a.runner_up.rank_ns
    # Ranked by the whole pair loop net of the harness, the measured figures.
    pair = main_run.find(api=a.best.api, size=64, gfp=a.best.gfp, pattern="pair", phase="pair",
                         context="preempt-on", state=a.best.state)
    assert a.best.pair_ns == min(m.cost_ns for m in pair) and a.best.net == (pair[0].net_ns is not None)
    assert any("refused" in t for t in a.tradeoffs)
    b = advise(main_run, 256 << 10)
    assert b.best and b.best.gfp == "GFP_KERNEL"
    assert any("touching vmalloc memory" in t for t in b.tradeoffs)
    c = advise(main_run, 4 << 20, contiguous=True)
    assert c.best and main_run.has(c.best.api, "contiguous")
    assert any("EMULATED" in t for t in c.tradeoffs)


def test_advisor_names_the_missing_measurement(main_run):
    # GFP_ATOMIC was measured at 64 and 4K only: nothing brackets 12K.
    a = advise(main_run, 12 << 10, atomic=True)
    assert a.best is None
    assert "no pair-pattern measurement of 12K or larger with GFP_ATOMIC or GFP_NOWAIT" in a.missing[0]
    assert 'sizes = ["12K"]' in a.missing[0] and "64, 4K" in a.missing[0]


def test_a_size_between_two_measured_is_answered_bracketed_at_the_larger(main_run):
    a = advise(main_run, 3000, atomic=True)
    assert a.bracketed == (64, 4096) and a.best
    exact = advise(main_run, 4096, atomic=True)
    assert (a.best.api, a.best.pair_ns) == (exact.best.api, exact.best.pair_ns)
    assert any(t.startswith("bracketed: 3000 was not measured; ranked at 4K (the next size measured below is 64)")
               for t in a.tradeoffs), a.tradeoffs
    assert "/size:4K/" in a.best.evidence


def test_the_advisor_reasons_about_use_not_only_speed(main_run):
    """kmem_cache is fastest at some large sizes only because a pair reuses
    its cached slab: for one-off buffers it is not a candidate, nor is a
    mempool unless forward progress is asked; each is said, with why."""
    for size, contiguous in ((256 << 10, False), (4 << 20, True), (4 << 20, False)):
        a = advise(main_run, size, contiguous=contiguous)
        ranked = {c.api for c in (a.best, a.runner_up, *a.others) if c}
        assert "one-off buffer" in a.question
        assert not ranked & {"kmem_cache", "mempool_slab", "mempool_kmalloc", "mempool_page"}, (size, ranked)
        assert any(e.startswith("kmem_cache: a cache of its own pays off") for e in a.excluded), a.excluded
        assert any("mempool keeps a reserve" in e for e in a.excluded), a.excluded
        if contiguous:
            assert any("high-order allocation: it can fail" in t for t in a.tradeoffs), a.tradeoffs
    hot = advise(main_run, 64, atomic=True)
    assert "hot path" in hot.question
    assert "kmem_cache" in {c.api for c in (hot.best, hot.runner_up, *hot.others)}
    fp = advise(main_run, 64, forward_progress=True)
    assert {c.api for c in (fp.best, fp.runner_up, *fp.others)} & {"mempool_slab", "mempool_kmalloc"}
    # The evidence: the measurement ranked on, with its median and p99.
    m = main_run.find(api=hot.best.api, size=64, gfp=hot.best.gfp, pattern="pair", phase="pair",
                      context="preempt-on", state=hot.best.state)[0]
    assert hot.best.evidence.startswith(f"{m.name}: median ") and ", p99 " in hot.best.evidence


def test_advisor_reports_failures(tmp_path):
    # Failures cannot be provoked in the guest (no fault injection in Debian's
    # cloud kernels): this copy of a real file gets a failure count set here.
    doc = json.load(gzip.open(FIXTURES / "refusals-6.12.json.gz", "rt"))
    for b in doc["benchmarks"]:
        if (b["api"], b["size_bytes"], b["gfp"], b["pattern"], b["phase"]) == \
                ("kmalloc", 65536, "GFP_ATOMIC", "pair", "alloc"):
            b["failures"] = 3
    path = tmp_path / "with-failures.json"
    path.write_text(json.dumps(doc))
    a = advise(load_run(path), 65536, atomic=True)
    assert any("kmalloc with GFP_ATOMIC: 3 allocation(s) failed" in t for t in a.tradeoffs), a.tradeoffs


def test_html_has_plots_banner_environment_and_advice(report_dir):
    html = (report_dir / "index.html").read_text()
    imgs = re.findall(r"<img src='([^']+)'", html)
    assert len(imgs) >= 6
    for img in imgs:
        assert (report_dir / img).stat().st_size > 1000
        assert (report_dir / img.replace(".png", ".svg")).exists()
    assert "class='banner'>EMULATED" in html
    assert html.count("<table class='env'>") == 3
    assert "kernel build options" in html and "CONFIG_INIT_ON_ALLOC_DEFAULT_ON" in html
    assert html.count("<table class='advice'>") == 3
    assert "older kbench without repetitions" in html
    assert "Not shown: hardware counters were not available" in html
    assert "http" not in html.replace("https://toml.io", ""), "the page must not need the network"


def test_cli_writes_a_report_and_advises(tmp_path, capsys):
    from kbench_report.__main__ import main
    assert main(["html", str(FIXTURES / "fixture-6.12.json.gz"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "index.html").exists()
    assert main(["advise", "--size", "4M", "--contiguous", "--results", str(FIXTURES / "fixture-6.12.json.gz")]) == 0
    out = capsys.readouterr().out
    assert "4M bytes, may sleep, physically contiguous, one-off buffer" in out and "fastest:" in out
    assert main(["advise", "--size", "4M", "--hot", "--results", str(FIXTURES / "fixture-6.12.json.gz")]) == 0
    assert "hot path" in capsys.readouterr().out
    assert main(["advise", "--size", "64", "--forward-progress", "--results",
                 str(FIXTURES / "fixture-6.12.json.gz")]) == 0
    assert "forward progress under pressure" in capsys.readouterr().out
    assert main(["advise", "--size", "128M", "--results", str(FIXTURES / "fixture-6.12.json.gz")]) == 4


def _synthetic_pair(tmp_path, shift):
    # A copy of a real run with per-repetition values set by this test: the
    # comparison's statistics are checked against a known answer.
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    other = copy.deepcopy(doc)
    name = pair(load_run(FIXTURES / "fixture-6.12.json.gz"), "kmalloc", 64).name
    for d, factor in ((doc, 1.0), (other, shift)):
        for b in d["benchmarks"]:
            if b["name"] == name and b["run_type"] == "iteration":
                b["real_time"] = 100.0 * factor + b["repetition_index"]
            if b["name"] == name + "_median":
                b["p50_ns"] = 100.0 * factor
                b["rep_medians_ns"] = [100.0 * factor + r for r in range(6)]
        # 6 repetitions per side, in the median entry (an alloc phase of a
        # pair has no iteration entries of its own).
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(doc))
    b.write_text(json.dumps(other))
    return load_run(a), load_run(b)


def test_comparison_flags_a_real_shift_and_not_noise(tmp_path):
    from kbench_report._compare import compare
    base, other = _synthetic_pair(tmp_path, 1.5)
    ch = {c.name: c for c in compare(base, other)}
    k = ch[pair(base, "kmalloc", 64).name]
    # The Hodges-Lehmann ratio: the median pairwise ratio of (150 + j) / (100 + i), i, j < 6.
    hl = sorted((150 + j) / (100 + i) for i in range(6) for j in range(6))
    assert k.ratio == pytest.approx((hl[17] * hl[18]) ** 0.5) and k.p_value < 0.01 and k.significant
    assert k.verdict().startswith(f"{k.ratio:.2f}x slower (ratio {k.ratio:.3f} [") and k.ratio_low < k.ratio < k.ratio_high
    # Two repetitions per side elsewhere in the fixture: never tested, never called significant.
    untested = ch[pair(base, "kmalloc", 4096).name]
    assert untested.p_value is None and not untested.significant and "not tested" in untested.verdict()
    same, _ = _synthetic_pair(tmp_path, 1.0)
    s = {c.name: c for c in compare(same, same)}[pair(base, "kmalloc", 64).name]
    assert not s.significant


def test_report_of_two_runs_has_the_comparison(tmp_path):
    base, other = _synthetic_pair(tmp_path, 1.5)
    out = tmp_path / "r"
    write_report([base, other], out)
    html = (out / "index.html").read_text()
    assert "id='compare'" in html and "1.49x slower" in html and (out / "compare.png").exists()


def test_files_of_a_wrong_shape_give_errors_not_tracebacks(tmp_path, capsys):
    """Seeded random damage to a real file (a field set to a value of another
    type, or removed; a section replaced): report, compare and advise either
    work or say which file and field, never a traceback."""
    from kbench_report.__main__ import main
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    rng = random.Random(20261201)
    values = [None, 42, "x", [], {}, float("nan"), -1, True, 1e308]
    bad = tmp_path / "damaged.json"
    errors = 0
    for i in range(48):
        d = copy.deepcopy(doc)
        kind = rng.randrange(4)
        if kind == 0:
            b = rng.choice(d["benchmarks"])
            b[rng.choice(list(b))] = rng.choice(values)
        elif kind == 1:
            b = rng.choice(d["benchmarks"])
            del b[rng.choice(list(b))]
        elif kind == 2:
            d[rng.choice([k for k in d if k.startswith("kbench_")])] = rng.choice(values)
        else:
            rows = [r for k in ("kbench_not_measured", "kbench_footprint", "kbench_zeroing", "kbench_steady_state")
                    for r in d[k]] + d["kbench_vmalloc_stages"]["by_size"] + [d["context"]]
            row = rng.choice(rows)
            row[rng.choice(list(row))] = rng.choice(values)
        bad.write_text(json.dumps(d))
        cmds = [["advise", "--size", "64K", "--results", str(bad)], ["compare", str(bad), str(bad)]]
        if i % 12 == 0:  # the HTML report draws every plot: a few suffice
            cmds.append(["html", str(bad), "--out", str(tmp_path / "html")])
        for cmd in cmds:
            rc = main(cmd)  # an exception here is the failure this test looks for
            err = capsys.readouterr().err
            if rc == 1:
                assert str(bad) in err and "error:" in err, err
                errors += 1
            else:
                assert rc in (0, 4), (cmd, rc, err)
    assert errors > 10, "most damage must be caught"


def test_a_run_in_a_vm_is_labelled_virtualized_never_bare_metal(tmp_path):
    """The host target in a KVM guest: VIRTUALIZED (with the hypervisor) in
    the banner, the run's section and each plot's title; an older file with
    only the CPU's hypervisor flag is VIRTUALIZED too; EMULATED outranks."""
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    ctx = doc["context"]
    ctx.update(emulated=False, platform="VIRTUALIZED", hypervisor="KVM", target="host")
    ctx["warnings"] = [w for w in ctx.get("warnings", []) if not w.startswith("EMULATED")]
    path = tmp_path / "kvm.json"
    path.write_text(json.dumps(doc))
    run = load_run(path)
    assert run.platform == "VIRTUALIZED" and "(KVM)" in run.platform_note
    write_report([run], tmp_path / "r")
    html = (tmp_path / "r" / "index.html").read_text()
    assert "class='banner'>VIRTUALIZED" in html and "EMULATED" not in html.split("<h1>")[0]
    assert "<b>VIRTUALIZED</b>: measured in a virtual machine (KVM)" in html
    assert "VIRTUALIZED (KVM)" in size_curve.plot(run)._suptitle.get_text()
    del ctx["platform"], ctx["hypervisor"]
    ctx["virtualized"] = True
    path.write_text(json.dumps(doc))
    assert load_run(path).platform == "VIRTUALIZED"
    ctx["virtualized"] = False
    path.write_text(json.dumps(doc))
    assert load_run(path).platform == "bare metal" and load_run(path).platform_note == ""
    ctx["emulated"] = True
    path.write_text(json.dumps(doc))
    assert load_run(path).platform == "EMULATED"
