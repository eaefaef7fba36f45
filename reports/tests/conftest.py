# SPDX-License-Identifier: GPL-2.0
"""Fixtures of the report tests: real results.json files (see fixtures/README.md)."""
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the kbench_report package

from kbench_report import load_run  # noqa: E402

FIXTURES = HERE / "fixtures"


@pytest.fixture(scope="session")
def main_run():
    return load_run(FIXTURES / "fixture-6.12.json.gz")


@pytest.fixture(scope="session")
def conditions_run():
    return load_run(FIXTURES / "conditions-6.12.json.gz")


@pytest.fixture(scope="session")
def old_run():
    return load_run(FIXTURES / "old-schema-6.1.json.gz")


@pytest.fixture(scope="session")
def repetitions_run():
    """The schema before every dimension was its own field (no catalog)."""
    return load_run(FIXTURES / "repetitions-schema-6.12.json.gz")


@pytest.fixture(scope="session")
def refusals_run():
    return load_run(FIXTURES / "refusals-6.12.json.gz")


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory, main_run, old_run, refusals_run):
    from kbench_report import write_report
    out = tmp_path_factory.mktemp("report")
    write_report([main_run, old_run, refusals_run], out)
    return out
