# SPDX-License-Identifier: GPL-2.0
"""A comparison of two runs written for a person or for a CI system.

One writer per format, registered in FORMATS: text (regressions, then
improvements, then the rest), KTAP (the kernel's test format,
Documentation/dev-tools/ktap.rst: one test per measurement, so kselftest and
KernelCI can read it) and JUnit XML (most CI systems). With a threshold, a
measurement fails when it is a significant regression larger than it; a
measurement with too few repetitions to test is a skip, not a pass."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional
from xml.sax.saxutils import quoteattr

from ._compare import MIN_REPETITIONS, Change

# Exit codes of a gate (1, bad input, is the command's own).
GATE_FAILED, GATE_SKIPPED = 2, 4


@dataclass
class Verdicts:
    title: str                 # "<other> against <base>"
    changes: list[Change]
    threshold: Optional[float]  # 0.05 for --fail-above 5%; None: no gate

    def failed(self, c: Change) -> bool:
        return self.threshold is not None and c.regression_above(self.threshold)

    @property
    def failures(self) -> list[Change]:
        return [c for c in self.changes if self.failed(c)]

    @property
    def tested(self) -> list[Change]:
        return [c for c in self.changes if c.p_value is not None]

    def exit_code(self) -> int:
        """compare's and matrix's: 0 (or no gate), 2 a significant regression
        above the threshold, 4 nothing could be tested (kselftest's skip)."""
        if self.threshold is None:
            return 0
        return GATE_FAILED if self.failures else 0 if self.tested else GATE_SKIPPED

    def gate(self) -> str:
        if self.threshold is None:
            return ""
        return f"significant regressions above {self.threshold:.1%}: {len(self.failures)}"


def _ordered(v: Verdicts) -> list[Change]:
    """Regressions first, then improvements, each largest first; then the rest."""
    def key(c: Change):
        group = 0 if c.significant and c.ratio > 1 else 1 if c.significant else 2
        return group, -abs(c.ratio - 1), c.name
    return sorted(v.changes, key=key)


def write_text(v: Verdicts) -> str:
    lines = [f"{v.title}: {len(v.changes)} measurements in both, {len(v.tested)} tested "
             f"(U test on the repetitions, Benjamini-Hochberg, effect floor 5 %)"]
    heading = None
    for c in _ordered(v):
        group = ("regressions" if c.ratio > 1 else "improvements") if c.significant else "no significant change"
        if group != heading:
            lines.append(f"{group}:")
            heading = group
        mark = "FAIL " if v.failed(c) else ""
        lines.append(f"  {mark}{c.name:70s} {c.verdict()}")
    if v.threshold is not None:
        lines.append(v.gate())
    return "\n".join(lines) + "\n"


def _ktap_name(name: str) -> str:
    # A KTAP test name may not hold "#" (it starts the directive).
    return re.sub(r"[#\s]", "_", name)


def write_ktap(v: Verdicts) -> str:
    out = ["KTAP version 1", f"1..{len(v.changes)}", f"# {v.title}"]
    for i, c in enumerate(sorted(v.changes, key=lambda c: c.name), start=1):
        if c.p_value is None:
            out.append(f"ok {i} {_ktap_name(c.name)} # SKIP fewer than {MIN_REPETITIONS} repetitions to test")
            continue
        out.append(f"# {_ktap_name(c.name)}: {c.verdict()}")
        out.append(f"{'not ok' if v.failed(c) else 'ok'} {i} {_ktap_name(c.name)}")
    if v.threshold is not None:
        out.append(f"# {v.gate()}")
    return "\n".join(out) + "\n"


def write_junit(v: Verdicts) -> str:
    cases = []
    for c in sorted(v.changes, key=lambda c: c.name):
        head = f"<testcase classname={quoteattr('kbench.' + c.api)} name={quoteattr(c.name)}>"
        if c.p_value is None:
            cases.append(f"{head}<skipped message={quoteattr(c.verdict())}/></testcase>")
        elif v.failed(c):
            cases.append(f"{head}<failure message={quoteattr(c.verdict())} type='regression'/></testcase>")
        else:
            cases.append(f"{head}<system-out>{quoteattr(c.verdict())[1:-1]}</system-out></testcase>")
    skipped = len(v.changes) - len(v.tested)
    return ("<?xml version='1.0' encoding='utf-8'?>\n<testsuites>"
            f"<testsuite name={quoteattr('kbench compare: ' + v.title)} tests='{len(v.changes)}' "
            f"failures='{len(v.failures)}' errors='0' skipped='{skipped}'>\n"
            + "\n".join(cases) + "\n</testsuite></testsuites>\n")


FORMATS: dict[str, Callable[[Verdicts], str]] = {"text": write_text, "ktap": write_ktap, "junit": write_junit}
