# SPDX-License-Identifier: GPL-2.0
"""Two runs (say, two kernels) compared measurement by measurement.

For every measurement both runs have (the same dimensions, field by field):
the ratio of their medians and a
two-sided Mann-Whitney U test on the repetitions' medians. Thousands of
measurements are compared at once, so uncorrected p-values would flag noise;
the Benjamini-Hochberg procedure keeps the expected share of false
discoveries among the flagged changes at alpha (Holm's family-wise control
would, at a handful of repetitions, hide every real change in a matrix this
large). A change is called significant only when its adjusted p is below
alpha and the ratio differs from 1 by more than the effect floor.

The exact two-sided U test cannot reach p < 0.05 with 3 against 3 values
(its smallest p is 0.1): at least 4 repetitions per side are needed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from scipy.stats import mannwhitneyu

from ._load import Run

MIN_REPETITIONS = 4


@dataclass
class Change:
    name: str
    api: str
    experiment: str
    phase: str
    base_ns: float
    other_ns: float
    ratio: float                  # other / base: > 1 is slower
    p_value: Optional[float]      # None: too few repetitions to test
    p_adjusted: Optional[float] = None  # Benjamini-Hochberg
    significant: bool = False

    def verdict(self) -> str:
        if self.p_value is None:
            return f"{self.ratio:.2f}x (not tested: fewer than {MIN_REPETITIONS} repetitions)"
        word = "slower" if self.ratio > 1 else "faster"
        size = self.ratio if self.ratio > 1 else 1 / self.ratio
        return f"{size:.2f}x {word}" if self.significant else f"{self.ratio:.2f}x, not significant"


def compare(base: Run, other: Run, alpha: float = 0.05, effect_floor: float = 0.05) -> list[Change]:
    theirs = {(m.config, m.phase): m for m in other.measurements}
    changes = []
    for m in base.measurements:
        o = theirs.get((m.config, m.phase))
        if o is None or m.median_ns <= 0:
            continue
        p = None
        if len(m.rep_medians) >= MIN_REPETITIONS and len(o.rep_medians) >= MIN_REPETITIONS:
            p = float(mannwhitneyu(m.rep_medians, o.rep_medians, alternative="two-sided").pvalue)
        changes.append(Change(m.name, m.api, m.experiment, m.phase, m.median_ns, o.median_ns,
                              o.median_ns / m.median_ns, p))
    tested = sorted((c for c in changes if c.p_value is not None), key=lambda c: c.p_value)
    m = len(tested)
    running = 1.0
    for rank in range(m, 0, -1):  # step-up, kept monotone from the largest p down
        c = tested[rank - 1]
        running = min(running, m / rank * c.p_value)
        c.p_adjusted = running
        c.significant = running < alpha and abs(c.ratio - 1) > effect_floor
    return changes
