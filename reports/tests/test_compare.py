# SPDX-License-Identifier: GPL-2.0
"""The comparison of two runs and its CI gate: the ratio's interval, a
planted regression found where it was planted and nowhere else, an A/A
comparison that flags nothing, and KTAP and JUnit read by real consumers
(the kernel's own KTAP parser, kunit_parser.py; python3-junitparser)."""
import copy
import gzip
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from kbench_report._compare import MIN_REPETITIONS, _u_counts, compare, hodges_lehmann_ratio, ratio_interval

ROOT = Path(__file__).resolve().parents[2]
REPS = 10  # one planted change among ~1200 tests needs it: 6 against 6 cannot pass Benjamini-Hochberg


def test_u_distribution_counts_every_ordering():
    assert _u_counts(2, 2) == (1, 1, 2, 1, 1)
    assert sum(_u_counts(5, 5)) == math.comb(10, 5)


def test_ratio_interval_is_moses_interval():
    """k from the exact distribution of U: 3 against 3 cannot reach 95 %;
    4 against 4 cuts nothing (the extremes, 97.1 %); 5 against 5 cuts two
    pairwise ratios at each end (P(U <= 2) = 4/252: 96.8 %)."""
    assert ratio_interval([1, 2, 3], [4, 5, 6]) is None
    base, other = [100, 103, 101, 104], [110, 115, 112, 111]
    ratios = sorted(y / x for x, y in itertools.product(base, other))
    assert ratio_interval(base, other) == pytest.approx((ratios[0], ratios[-1]))
    base, other = [100, 103, 101, 104, 102], [110, 115, 112, 111, 113]
    ratios = sorted(y / x for x, y in itertools.product(base, other))
    assert ratio_interval(base, other) == pytest.approx((ratios[2], ratios[-3]))
    # The estimate inside it: the median of the 25 pairwise ratios.
    assert hodges_lehmann_ratio(base, other) == pytest.approx(ratios[12])
    assert ratio_interval([1, 2, 0, 3, 4], [1, 2, 3, 4, 5]) is None, "no ratio of a zero"


def _with_repetitions(doc, factor_of, seed):
    """The fixture's measurements with REPS repetitions each, spread by
    +-0.9 % in an order set by seed, times factor_of(entry) (a planted change)."""
    order = list(range(REPS))
    out = copy.deepcopy(doc)
    stating = {b["run_name"]: b for b in out["benchmarks"]
               if b["run_type"] == "aggregate" and "config_entry" not in b}
    benches = []
    for b in out["benchmarks"]:
        if b["run_type"] == "iteration":
            continue  # written again below, REPS of them
        config = stating[b.get("config_entry", b["run_name"])]
        f = factor_of({**config, **b})
        k = (seed * 7 + len(b["name"])) % REPS
        reps = [b["real_time"] * f * (1 + 0.002 * (order[(i + k) % REPS] - 4.5)) for i in range(REPS)]
        b["real_time"] = b["cpu_time"] = b["p50_ns"] = sorted(reps)[REPS // 2]
        b["repetitions"] = REPS
        if "rep_medians_ns" in b:
            b["rep_medians_ns"] = reps
        else:
            benches += [{"name": b["run_name"], "run_type": "iteration", "repetition_index": i, "iterations": 1,
                         "real_time": t, "cpu_time": t, "time_unit": "ns"} for i, t in enumerate(reps)]
        benches.append(b)
    out["benchmarks"] = benches
    return out


def planted(entry):
    return 1.20 if (entry.get("api"), entry.get("size_bytes")) == ("kmalloc", 64) else 1.0


@pytest.fixture(scope="module")
def pair_of_runs(tmp_path_factory):
    """base, A/A (the same costs, repeated in another order) and a run with
    kmalloc 64 B planted 20 % slower."""
    d = tmp_path_factory.mktemp("compare")
    doc = json.load(gzip.open(FIXTURES / "fixture-6.12.json.gz", "rt"))
    files = {}
    for name, factor, seed in (("base", lambda e: 1.0, 1), ("again", lambda e: 1.0, 2), ("slower", planted, 3)):
        files[name] = d / f"{name}.json"
        files[name].write_text(json.dumps(_with_repetitions(doc, factor, seed)))
    return files


def test_the_planted_regression_is_found_there_and_only_there(pair_of_runs):
    from kbench_report import load_run
    base, slower = load_run(pair_of_runs["base"]), load_run(pair_of_runs["slower"])
    changes = compare(base, slower)
    assert len(changes) > 600 and all(c.p_value is not None for c in changes)
    flagged = {c.name for c in changes if c.regression_above(0.05)}
    want = {m.name for m in slower.measurements if (m.api, m.size) == ("kmalloc", 64)}
    assert want and flagged == want
    for c in changes:
        if c.name in want:
            assert c.ratio == pytest.approx(1.20, rel=0.02)
            assert c.ratio_low <= 1.20 <= c.ratio_high


def test_a_and_a_flags_nothing(pair_of_runs):
    from kbench_report import load_run
    changes = compare(load_run(pair_of_runs["base"]), load_run(pair_of_runs["again"]))
    assert len(changes) > 600
    assert [c.name for c in changes if c.significant] == []


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "kbench_report", "compare", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT / "reports", timeout=300)


def test_the_gate_exits_2_on_the_regression_and_0_on_a_and_a(pair_of_runs):
    bad = _cli(pair_of_runs["base"], pair_of_runs["slower"], "--fail-above", "5%")
    assert bad.returncode == 2, bad.stderr
    assert "FAIL kmalloc/size:64/" in bad.stdout and "1.20x slower" in bad.stdout
    assert bad.stdout.index("regressions:") < bad.stdout.index("no significant change:")
    assert "significant regressions above 5.0%: " in bad.stdout
    # Above the planted 20 %: nothing to fail on.
    assert _cli(pair_of_runs["base"], pair_of_runs["slower"], "--fail-above", "25%").returncode == 0
    good = _cli(pair_of_runs["base"], pair_of_runs["again"], "--fail-above", "5%")
    assert good.returncode == 0, good.stderr
    assert "significant regressions above 5.0%: 0" in good.stdout


def test_nothing_testable_is_a_skip_and_bad_input_an_error(tmp_path):
    # The fixture has 2 repetitions per measurement: fewer than the U test needs.
    fixture = FIXTURES / "fixture-6.12.json.gz"
    assert MIN_REPETITIONS > 2
    assert _cli(fixture, fixture, "--fail-above", "5%").returncode == 4
    assert _cli(fixture, fixture).returncode == 0, "without a gate a comparison never fails"
    bad = _cli(fixture, fixture, "--fail-above", "five")
    assert bad.returncode == 1 and "bad threshold 'five'" in bad.stderr, "bad input: 1, never the gate's 2"
    bare = _cli(fixture, fixture, "--fail-above", "5")
    assert bare.returncode == 1 and "a percentage (5%)" in bare.stderr, "5 would be 500 %: a gate that never fails"
    unwritable = _cli(fixture, fixture, "--output", tmp_path / "no" / "such" / "dir")
    assert unwritable.returncode == 1 and "cannot write" in unwritable.stderr
    (tmp_path / "x.json").write_text("{}")
    assert _cli(fixture, tmp_path / "x.json").returncode == 1


def _kernel_tools():
    proc = subprocess.run([str(ROOT / "scripts" / "fetch-kernel-tools.sh"), str(ROOT / "build" / "cache")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Path(proc.stdout.strip())


def test_ktap_is_read_by_the_kernels_own_parser(pair_of_runs, tmp_path):
    out = tmp_path / "gate.ktap"
    assert _cli(pair_of_runs["base"], pair_of_runs["slower"], "--fail-above", "5%", "--format", "ktap",
                "--output", out).returncode == 2
    fixture = FIXTURES / "fixture-6.12.json.gz"
    skipped = tmp_path / "skip.ktap"
    assert _cli(fixture, fixture, "--fail-above", "5%", "--format", "ktap", "--output", skipped).returncode == 4
    kunit = _kernel_tools() / "tools" / "testing" / "kunit"
    assert "KTAP version 1" in (kunit.parents[2] / "Documentation" / "dev-tools" / "ktap.rst").read_text()
    script = ("import sys, json; sys.path.insert(0, sys.argv[1]); import kunit_parser as k\n"
              "t = k.parse_run_tests(open(sys.argv[2]).read().splitlines())\n"
              "print(json.dumps([t.status.name, t.counts.passed, t.counts.failed, t.counts.skipped, "
              "t.counts.errors, len(t.subtests)]))")
    res = {}
    for name, path in (("gate", out), ("skip", skipped)):
        proc = subprocess.run([sys.executable, "-c", script, str(kunit), str(path)], capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        res[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    status, passed, failed, skipped_n, errors, n = res["gate"]
    want = sum(1 for line in out.read_text().splitlines() if line.startswith("not ok "))
    assert (status, failed, errors) == ("FAILURE", want, 0) and want > 0
    assert passed + failed + skipped_n == n > 600
    status, passed, failed, skipped_n, errors, n = res["skip"]
    assert (status, passed, failed, errors) == ("SKIPPED", 0, 0, 0) and skipped_n == n > 600


def test_junit_is_read_by_junitparser(pair_of_runs, tmp_path):
    junitparser = pytest.importorskip("junitparser", reason="apt-get install python3-junitparser (make test does)")
    out = tmp_path / "gate.xml"
    assert _cli(pair_of_runs["base"], pair_of_runs["slower"], "--fail-above", "5%", "--format", "junit",
                "--output", out).returncode == 2
    xml = junitparser.JUnitXml.fromfile(str(out))
    suites = list(xml) if isinstance(xml, junitparser.JUnitXml) else [xml]
    cases = [c for s in suites for c in s]
    failed = [c.name for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)]
    assert len(cases) > 600
    assert failed and all(n.startswith("kmalloc/size:64/") for n in failed)
    assert suites[0].failures == len(failed) and suites[0].tests == len(cases)


def test_the_cli_passes_the_gate_through(pair_of_runs, tmp_path):
    kbench = Path(__import__("os").environ.get("KBENCH_BUILD", ROOT / "build" / "cmake")) / "bin" / "kbench"
    if not kbench.exists():
        pytest.skip("the runner is not built here")
    proc = subprocess.run([str(kbench), "compare", str(pair_of_runs["base"]), str(pair_of_runs["slower"]),
                           "--fail-above", "5%", "--format", "junit", "--output", str(tmp_path / "j.xml")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "regression: kmalloc/size:64/" in proc.stderr, "named on the console when the report is a file"
    assert (tmp_path / "j.xml").read_text().startswith("<?xml")
    assert "significant regressions above 5.0%:" in proc.stdout


def test_kernels_sort_in_version_order():
    from kbench_report import load_run
    from kbench_report._compare import version_key
    releases = ["7.2.3+deb14-cloud-amd64", "6.13.0", "6.12.117+deb12-cloud-amd64", "6.1.0-57-cloud-amd64",
                "6.9.0-1-amd64", "6.13.0-rc3-00042-g1a2b3c4", "6.12.107+deb12-rt-amd64", "6.1.0-9-cloud-amd64"]
    runs = []
    for r in releases:
        run = load_run(FIXTURES / "fixture-6.12.json.gz")
        run.context = {**run.context, "kernel_release": r}
        runs.append(run)
    assert [r.kernel for r in sorted(runs, key=version_key)] == \
        ["6.1.0-9-cloud-amd64", "6.1.0-57-cloud-amd64", "6.9.0-1-amd64", "6.12.107+deb12-rt-amd64",
         "6.12.117+deb12-cloud-amd64", "6.13.0-rc3-00042-g1a2b3c4", "6.13.0", "7.2.3+deb14-cloud-amd64"]


def test_a_matrix_finds_the_step_that_regressed_and_reports_the_trend(pair_of_runs, tmp_path):
    """base, the same again, then kmalloc 64 B planted 20 % slower: only the
    second step regresses; one correction across both steps."""
    out = tmp_path / "m"
    proc = subprocess.run([sys.executable, "-m", "kbench_report", "matrix", str(pair_of_runs["base"]),
                           str(pair_of_runs["again"]), str(pair_of_runs["slower"]), "--out", str(out),
                           "--fail-above", "5%", "--format", "ktap"], capture_output=True, text=True,
                          cwd=ROOT / "reports", timeout=600)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if " -> " in line]
    assert len(lines) == 2 and " 0 regressions" in lines[0] and " 0 regressions" not in lines[1], proc.stdout
    steps = sorted(out.glob("step-*.ktap"))
    assert len(steps) == 2 and "not ok" not in steps[0].read_text() and "not ok" in steps[1].read_text()
    html = (out / "report" / "index.html").read_text()
    assert "Across 3 kernels, in version order" in html and "trend.png" in html
    from kbench_report import load_run
    from kbench_report._compare import compare_steps
    runs = [load_run(pair_of_runs[k]) for k in ("base", "again", "slower")]
    planted_n = sum(1 for m in runs[2].measurements if (m.api, m.size) == ("kmalloc", 64))
    assert f"<h3>Regressions: {planted_n}</h3>" in html and "<h3>Improvements: 0</h3>" in html
    steps = compare_steps(runs)
    assert [sum(c.significant for c in s.changes) for s in steps] == [0, planted_n]
