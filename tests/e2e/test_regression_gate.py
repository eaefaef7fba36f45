# SPDX-License-Identifier: GPL-2.0
"""kbench finds regressions and only regressions, on the real module in a
real guest: a regression planted with the module's test hook
(test_kmalloc_extra_ns: every kmalloc of the kmalloc API delayed by that
many ns) is flagged at exactly the planted API and phases, by the planted
amount (the delay's cost as the module measured it); the same kernel measured twice (A/A) flags nothing. Under icount,
where repeats agree within about 0.2 %."""
import json

import pytest

from kbtest import kbench

PLANTED_NS = 2000
CONFIG = """
[run]
repetitions = 6

[defaults]
batches = 8

[[sweep]]
name = "gate"
apis = ["kmalloc", "kzalloc", "kmem_cache"]
sizes = ["64", "4K"]
gfp = ["GFP_KERNEL"]
patterns = ["pair"]
"""


def _run(tmp_path, name, *extra):
    cfg = tmp_path / "gate.toml"
    cfg.write_text(CONFIG)
    out = tmp_path / name
    kbench("run", "-c", cfg, "--target", "qemu:6.12", "--qemu-clock", "icount", "--out", out, "--no-history",
           "--no-selftest", *extra, timeout=1500)
    return out / "results.json"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("gate")
    return {"base": _run(d, "base"), "again": _run(d, "again"),
            "planted": _run(d, "planted", "--module-param", f"test_kmalloc_extra_ns={PLANTED_NS}")}


def _compare(a, b, *extra):
    return kbench("compare", a, b, "--fail-above", "5%", *extra, check=False)


def test_the_planted_regression_is_flagged_where_it_was_planted(runs, tmp_path):
    res = json.loads(runs["planted"].read_text())
    assert any(w.startswith("TEST HOOK: ") for w in res["context"]["warnings"]), "a planted run says so"
    assert res["context"]["target_details"]["module_params"] == [f"test_kmalloc_extra_ns={PLANTED_NS}"]
    proc = _compare(runs["base"], runs["planted"], "--format", "junit", "--output", tmp_path / "gate.xml")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    import junitparser
    cases = [c for s in junitparser.JUnitXml.fromfile(str(tmp_path / "gate.xml")) for c in s]
    failed = {c.name for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)}
    # The pair and the alloc half of kmalloc, both sizes; not its free, not kzalloc or kmem_cache.
    want = {f"kmalloc/size:{s}/gfp:GFP_KERNEL/pattern:pair/n:{n}/ctx:preempt-on/{p}"
            for s, n in (("64", 128), ("4K", 64)) for p in ("pair", "alloc")}
    assert failed == want, proc.stdout
    # By the planted amount: what one delay costs, as the module timed it at
    # load (ndelay rounds up and has a call of its own: 2349 ns for 2000
    # under icount); not the amount asked for.
    planted_ns = res["kbench_module_after"]["test_hook_ns"]
    assert PLANTED_NS <= planted_ns < 1.5 * PLANTED_NS
    assert f"plants {planted_ns} ns (measured)" in " ".join(res["context"]["warnings"])
    base = {b["run_name"]: b["real_time"] for b in json.loads(runs["base"].read_text())["benchmarks"]
            if b["run_type"] == "aggregate"}
    planted = {b["run_name"]: b["real_time"] for b in res["benchmarks"] if b["run_type"] == "aggregate"}
    for name in want:
        added = planted[name] - base[name]
        assert added == pytest.approx(planted_ns, rel=0.02), (name, base[name], planted[name], planted_ns)


def test_the_same_kernel_twice_flags_nothing(runs):
    proc = _compare(runs["base"], runs["again"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "significant regressions above 5.0%: 0" in proc.stdout
    assert "regressions:" not in proc.stdout and "improvements:" not in proc.stdout, proc.stdout


MATRIX = ["6.1", "6.12.107", "6.12", "6.12-rt", "7.2"]


def test_a_matrix_of_five_kernels_is_one_campaign(tmp_path):
    """kbench matrix over every kind of Debian kernel: the oldest series
    (6.1), an exact 6.12 build and the newest, PREEMPT_RT, and sid's 7.2
    (its module built by gcc-16 in a Debian sid root): quick.toml on each
    under icount (its default), one campaign in the history, each step
    compared, a report with the trend, the time it took printed."""
    db = tmp_path / "h.sqlite"
    proc = kbench("matrix", "--kernels", ",".join(MATRIX), "-c", "configs/quick.toml", "--out", tmp_path / "m",
                  "--db", db, "--fail-above", "5%", "--format", "junit", check=False, timeout=3000)
    # quick.toml's 3 repetitions a side cannot reach significance (a U test
    # needs 4): the gate tests nothing and says so (4, kselftest's skip).
    # The gate's 0 and 2 are the planted and A/A tests above.
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert f"matrix: {len(MATRIX)} of {len(MATRIX)} kernels measured in " in proc.stdout
    (campaign,) = list((tmp_path / "m").iterdir())
    assert campaign.name.startswith("matrix-")
    runs = sorted(campaign.glob("*/results.json"))
    assert len(runs) == len(MATRIX)
    contexts = {}
    for r in runs:
        ctx = json.loads(r.read_text())["context"]
        assert ctx["kbench_campaign"] == campaign.name and ctx["target_details"]["clock"] == "icount"
        assert ctx["complete"] is True
        contexts[ctx["target"]] = ctx
    assert sorted(contexts) == sorted(f"qemu:{k}" for k in MATRIX)
    # Each kernel's module was built by that kernel's own compiler.
    for target, ctx in contexts.items():
        details = ctx["target_details"]
        series = "16" if target == "qemu:7.2" else "12"
        assert details["module_compiler"].startswith("GCC: (Debian " + series + "."), (target, details)
        assert ("module_build_root" in details) == (target == "qemu:7.2"), (target, details)
        assert (details["kernel_suite"] == "sid") == (target == "qemu:7.2"), (target, details)
        assert details["kernel_suite"] in ("sid", "bookworm", "bookworm-security", "bookworm-updates"), details
    assert contexts["qemu:7.2"]["kernel_release"].startswith("7.2.")
    assert "-rt-" in contexts["qemu:6.12-rt"]["kernel_release"]
    history = kbench("history", "--db", db).stdout
    assert history.count(f"[{campaign.name}]") == len(MATRIX), history
    steps = sorted(campaign.glob("step-*.xml"))
    assert len(steps) == len(MATRIX) - 1 and all(s.read_text().startswith("<?xml") for s in steps)
    html = (campaign / "report" / "index.html").read_text()
    assert f"Across {len(MATRIX)} kernels, in version order" in html
    print(next(line for line in proc.stdout.splitlines() if "kernels measured in" in line))
