# SPDX-License-Identifier: GPL-2.0
"""Helpers of the end-to-end tests: the kbench binary, a scratch history
database, and the Run wrapper of one finished `kbench run`."""
import json
import re
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reports"))
from kbench_report import with_config_fields  # noqa: E402

BUILD = Path(os.environ.get("KBENCH_BUILD", ROOT / "build" / "cmake"))
KBENCH = BUILD / "bin" / "kbench"
KERNELS = ["6.1", "6.12"]  # measured in depth by the e2e tests
# Every series the module supports: built with W=1 against each (7.x in a
# Debian sid root, with its own gcc-16), run by the matrix test.
SUPPORTED_KERNELS = KERNELS + ["7.2"]
# The module's list of APIs: the one place they are named.
ALL_APIS = re.findall(r"^KBENCH_API\((\w+)\)", (ROOT / "kbench-module" / "kbench_apis.h").read_text(), re.M)

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
        # Every entry with its configuration's fields (stated once in the file).
        self.benchmarks = with_config_fields(self.results["benchmarks"], self.results["context"])
        self.not_measured = self.results["kbench_not_measured"]

    def find(self, **fields):
        """The median aggregates (pooled distribution and CI) whose fields
        have these values; pair-pattern preempt-on alloc entries unless said."""
        want = {"phase": "alloc", **fields}
        if want.get("experiment", "alloc") == "alloc":
            want = {"experiment": "alloc", "pattern": "pair", "context": "preempt-on", "gfp": "GFP_KERNEL", "threads": 1,
                    **want}
        return [b for b in self.benchmarks if b.get("aggregate_name") == "median"
                and all(b.get(k) == v for k, v in want.items())]

    def bench(self, **fields):
        """The one median aggregate with these fields (see find)."""
        found = self.find(**fields)
        assert len(found) == 1, f"{len(found)} entries with {fields} in results.json"
        return found[0]

    def iterations(self, entry):
        """The per-repetition entries of a measurement."""
        return [b for b in self.benchmarks if b["name"] == entry["run_name"] and b["run_type"] == "iteration"]


