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
(its smallest p is 0.1): at least 4 repetitions per side are needed.

The ratio's 95 % confidence interval is the one that goes with the U test
(Moses; Bauer 1972): order statistics of the pairwise differences of the
repetitions' log medians, k chosen from the exact null distribution of U;
its coverage is at least 95 % (with 5 against 5: 96.8 %)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
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
    ratio_low: Optional[float] = None   # 95 % interval of the ratio (None: too few repetitions)
    ratio_high: Optional[float] = None

    def regression_above(self, threshold: float) -> bool:
        """Significantly slower, by more than threshold (0.05: 5 %)."""
        return self.significant and self.ratio > 1 + threshold

    def verdict(self) -> str:
        if self.p_value is None:
            return f"{self.ratio:.2f}x (not tested: fewer than {MIN_REPETITIONS} repetitions)"
        word = "slower" if self.ratio > 1 else "faster"
        size = self.ratio if self.ratio > 1 else 1 / self.ratio
        interval = f" [{self.ratio_low:.3f}, {self.ratio_high:.3f}]" if self.ratio_low is not None else ""
        if self.significant:
            return f"{size:.2f}x {word} (ratio {self.ratio:.3f}{interval}, adjusted p {self.p_adjusted:.2g})"
        return f"{self.ratio:.2f}x, not significant{interval}"


@lru_cache(maxsize=None)
def _u_counts(n: int, m: int) -> tuple:
    """How many of the C(n+m, n) orderings give each value of U (0..n*m)."""
    if n == 0 or m == 0:
        return (1,)
    a, b = _u_counts(n - 1, m), _u_counts(n, m - 1)  # the largest value is from the first sample, or not
    return tuple((a[u - m] if 0 <= u - m < len(a) else 0) + (b[u] if u < len(b) else 0) for u in range(n * m + 1))


def _log_shifts(base: list, other: list) -> Optional[list]:
    """The pairwise differences log(other_j) - log(base_i), sorted: what the
    Hodges-Lehmann estimate and Moses' interval are read from. None when a
    side is empty or holds a value that is not positive."""
    if not base or not other or min(base) <= 0 or min(other) <= 0:
        return None
    return sorted(math.log(y) - math.log(x) for x in base for y in other)


def _median_shift(d: list) -> float:
    n = len(d)
    return math.exp(d[n // 2] if n % 2 else (d[n // 2 - 1] + d[n // 2]) / 2)


def _moses(d: list, n: int, m: int, level: float) -> Optional[tuple]:
    if n * m > 2500:
        return None
    counts = _u_counts(n, m)
    total = math.comb(n + m, n)
    k, below = 0, 0  # k: how many differences are cut off at each end
    while k < len(counts) and 2 * (below + counts[k]) / total <= 1 - level:
        below += counts[k]
        k += 1
    if k == 0:
        return None
    # 1 - 2 P(U <= k - 1) of the time the shift is within d_(k) .. d_(nm+1-k).
    return math.exp(d[k - 1]), math.exp(d[-k])


def hodges_lehmann_ratio(base: list, other: list) -> Optional[float]:
    """exp of the median of the pairwise differences of log values: the
    shift estimate that goes with the U test and Moses' interval."""
    d = _log_shifts(base, other)
    return _median_shift(d) if d else None


def ratio_interval(base: list, other: list, level: float = 0.95) -> Optional[tuple]:
    """The 95 % interval of other / base from the repetitions' medians
    (Moses' interval of the shift of the log medians), None when the two
    samples are too small for one or a value is not positive."""
    d = _log_shifts(base, other)
    return _moses(d, len(base), len(other), level) if d else None


def _tested(base: Run, other: Run) -> list[Change]:
    """Every measurement both runs have, its ratio, its U test and interval."""
    theirs = {(m.config, m.phase): m for m in other.measurements + other.team + other.conditioned}
    changes = []
    for m in base.measurements + base.team + base.conditioned:
        o = theirs.get((m.config, m.phase))
        if o is None or m.median_ns <= 0:
            continue
        p = None
        if len(m.rep_medians) >= MIN_REPETITIONS and len(o.rep_medians) >= MIN_REPETITIONS:
            p = float(mannwhitneyu(m.rep_medians, o.rep_medians, alternative="two-sided").pvalue)
        # The ratio the U test and the interval speak of: the Hodges-Lehmann
        # estimate (the median pairwise ratio of the repetitions' medians);
        # the ratio of the medians where there are too few repetitions.
        d = _log_shifts(m.rep_medians, o.rep_medians) if p is not None else None
        ci = _moses(d, len(m.rep_medians), len(o.rep_medians), 0.95) if d else None
        changes.append(Change(m.name, m.api, m.experiment, m.phase, m.median_ns, o.median_ns,
                              _median_shift(d) if d else o.median_ns / m.median_ns, p,
                              ratio_low=ci[0] if ci else None, ratio_high=ci[1] if ci else None))
    return changes


def _adjust(changes: list[Change], alpha: float, effect_floor: float) -> None:
    """Benjamini-Hochberg over every tested change given, at once."""
    tested = sorted((c for c in changes if c.p_value is not None), key=lambda c: c.p_value)
    m = len(tested)
    running = 1.0
    for rank in range(m, 0, -1):  # step-up, kept monotone from the largest p down
        c = tested[rank - 1]
        running = min(running, m / rank * c.p_value)
        c.p_adjusted = running
        c.significant = running < alpha and abs(c.ratio - 1) > effect_floor


def compare(base: Run, other: Run, alpha: float = 0.05, effect_floor: float = 0.05) -> list[Change]:
    changes = _tested(base, other)
    _adjust(changes, alpha, effect_floor)
    return changes


def version_key(run: Run) -> tuple:
    """A kernel release in version order: 6.1.0-57 < 6.9 < 6.12.107 <
    6.13.0-rc3-00042-g1a2b3c4 (a tree's) < 6.13.0 < 7.2. X.Y[.Z] and
    Debian's ABI number count; a release candidate comes before its release;
    local versions (+deb12, -cloud-amd64, a git describe) do not."""
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?(?:-(\d+)(?=-|$))?", run.kernel)
    if not m:
        return (float("inf"),)
    x, y, z, rc, abi = m.groups()
    return int(x), int(y), int(z or 0), int(rc) if rc else float("inf"), int(abi or 0)


@dataclass
class Step:
    base: Run
    other: Run
    changes: list[Change]


def compare_steps(runs: list[Run], alpha: float = 0.05, effect_floor: float = 0.05) -> list[Step]:
    """Each kernel against the one before it, in version order; one
    Benjamini-Hochberg correction across every comparison of the matrix."""
    ordered = sorted(runs, key=version_key)
    steps = [Step(a, b, _tested(a, b)) for a, b in zip(ordered, ordered[1:])]
    _adjust([c for s in steps for c in s.changes], alpha, effect_floor)
    return steps
