# SPDX-License-Identifier: GPL-2.0
"""Shared fixtures: the built kbench binary, and real runs in QEMU that
several tests inspect (each kernel boots once per test session)."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("KBENCH_BUILD", ROOT / "build" / "cmake"))
KBENCH = BUILD / "bin" / "kbench"
KERNELS = ["6.1", "6.12"]

# Tests never write to the user's own history database.
_TEST_DB_DIR = None


def test_db():
    global _TEST_DB_DIR
    if _TEST_DB_DIR is None:
        import tempfile
        _TEST_DB_DIR = tempfile.mkdtemp(prefix="kbench-test-db-")
    return str(Path(_TEST_DB_DIR) / "history.sqlite")


def env_with_test_db(**extra):
    env = dict(os.environ)
    env.setdefault("KBENCH_DB", test_db())
    env.update(extra)
    return env


def kbench(*args, timeout=900, check=True, **kw):
    """Run the kbench CLI; return the CompletedProcess (text mode)."""
    kw.setdefault("env", env_with_test_db())
    proc = subprocess.run([str(KBENCH), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"kbench {' '.join(map(str, args))} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}")
    return proc


class Run:
    """One finished `kbench run`: its output directory, results and console text."""

    def __init__(self, out: Path, proc, seconds: float):
        self.out = out
        self.proc = proc
        self.seconds = seconds
        self.results = json.loads((out / "results.json").read_text())
        self.benchmarks = self.results["benchmarks"]
        self.not_measured = self.results["kbench_not_measured"]

    def bench(self, name):
        """The median aggregate of a measurement: pooled distribution and CI."""
        found = [b for b in self.benchmarks if b["name"] == name + "_median"]
        assert found, f"{name}_median not in results.json"
        return found[0]

    def iterations(self, name):
        """The per-repetition entries of a measurement."""
        return [b for b in self.benchmarks if b["name"] == name and b["run_type"] == "iteration"]


@pytest.fixture(scope="session")
def kbench_bin():
    assert KBENCH.exists(), f"{KBENCH} is missing: run `make build` first"
    return KBENCH


@pytest.fixture(scope="session", params=KERNELS)
def quick_run(request, kbench_bin, tmp_path_factory):
    """configs/quick.toml on qemu:<kernel>; the kernel and module are fetched
    and built first by `kbench list`, so the run itself is timed warm."""
    kernel = request.param
    list_out = tmp_path_factory.mktemp(f"list-{kernel}")
    listing = kbench("list", "--target", f"qemu:{kernel}", "--out", list_out)
    out = tmp_path_factory.mktemp(f"quick-{kernel}")
    t0 = time.monotonic()
    proc = kbench("run", "--config", "configs/quick.toml", "--target", f"qemu:{kernel}", "--out", out)
    run = Run(out, proc, time.monotonic() - t0)
    run.kernel = kernel
    run.listing = listing.stdout
    return run


@pytest.fixture(scope="session")
def make_run(tmp_path_factory):
    """The README's first command, `make run`, into a scratch directory."""
    out = tmp_path_factory.mktemp("make-run")
    t0 = time.monotonic()
    proc = subprocess.run(["make", "--no-print-directory", "run", f"OUT={out}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=3600, env=env_with_test_db())
    assert proc.returncode == 0, f"make run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return Run(out, proc, time.monotonic() - t0)
