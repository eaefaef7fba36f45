# SPDX-License-Identifier: GPL-2.0
"""Which allocation API should a driver use? Answered only from measurements.

For a size, whether the caller may sleep, and whether it needs physically
contiguous memory: the fastest valid API measured on this kernel with its
cost, the runner-up, and measured trade-offs. The cost that ranks is what a
running system pays per alloc+free: the whole pair loop net of the harness,
in steady state where the run measured it (the lazy purges and slab flushes
included), else clean; files without pair loops rank by the allocation's
median. When the run lacks the measurement that would answer, the advice
says which one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ._load import Measurement, Run
from ._style import ns_label, size_label


@dataclass
class Choice:
    api: str
    call: str
    gfp: str
    alloc_median_ns: float
    alloc_p99_ns: Optional[float]
    free_median_ns: Optional[float]
    failures: int
    unreliable: bool
    note: str = ""
    pair_ns: Optional[float] = None   # per alloc+free, net of the harness where measured
    net: bool = False                 # pair_ns has the harness taken out
    state: str = "clean"              # of the figures above
    p99_of: str = "batch means"       # what alloc_p99_ns is a percentile of

    @property
    def rank_ns(self) -> float:
        return self.pair_ns if self.pair_ns is not None else self.alloc_median_ns

    def cost(self) -> str:
        if self.pair_ns is None:
            return f"alloc {ns_label(self.alloc_median_ns)} median"
        how = ", ".join(x for x in ("steady state" if self.state == "steady" else "clean",
                                    "net of the harness" if self.net else "") if x)
        return f"{ns_label(self.pair_ns)} per alloc+free ({how})"


@dataclass
class Advice:
    question: str
    best: Optional[Choice] = None
    runner_up: Optional[Choice] = None
    others: list[Choice] = field(default_factory=list)  # every other valid API measured, fastest first
    tradeoffs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [self.question]
        if not self.best:
            out += ["  no answer from this run:"] + [f"  - {m}" for m in self.missing]
            return out
        for label, c in (("fastest", self.best), ("runner-up", self.runner_up)):
            if not c:
                continue
            split = f"; alloc {ns_label(c.alloc_median_ns)}" if c.pair_ns is not None else ""
            p99 = f", alloc p99 {ns_label(c.alloc_p99_ns)} ({c.p99_of})" if c.alloc_p99_ns is not None else ""
            free = f"; free {ns_label(c.free_median_ns)}" if c.free_median_ns is not None else ""
            flag = " (within 1% of the harness cost: unreliable)" if c.unreliable else ""
            out.append(f"  {label}: {c.api} [{c.call} with {c.gfp}] {c.cost()}{split}{p99}{free}{flag}"
                       + (f" — {c.note}" if c.note else ""))
        if self.others:
            out.append("  also measured: " + ", ".join(f"{c.api} {ns_label(c.rank_ns)}" for c in self.others))
        out += [f"  trade-off: {t}" for t in self.tradeoffs]
        return out


def _choice(run: Run, m: Measurement) -> Choice:
    """m: the alloc phase of a pair-pattern configuration."""
    free = run.other_phase(m, "free")
    pair = run.other_phase(m, "pair")
    single = m.single_op_reliable and "p99" in m.single_op
    return Choice(api=m.api, call=m.call or m.api, gfp=m.gfp, alloc_median_ns=m.median_ns,
                  alloc_p99_ns=m.single_op["p99"] if single else m.p99_ns,
                  p99_of="single operations" if single else "batch means",
                  free_median_ns=free.median_ns if free else None, failures=m.failures,
                  unreliable=(pair or m).unreliable, note=run.api(m.api).get("note", ""),
                  pair_ns=pair.cost_ns if pair else None, net=bool(pair and pair.net_ns is not None), state=m.state)


def _preferred(cands: list[Measurement]) -> list[Measurement]:
    """Per API and GFP mask, the steady-state configuration where the run has
    one (what a running system pays), else the clean one of the shortest
    batches."""
    best = {}
    for m in cands:
        k = (m.api, m.gfp)
        o = best.get(k)
        if o is None or (m.state == "steady") > (o.state == "steady") or \
                (m.state == o.state and (m.ops_per_batch or 0) < (o.ops_per_batch or 0)):
            best[k] = m
    return list(best.values())


def _access_tradeoff(run: Run, size: int) -> Optional[str]:
    touches = [m for m in run.measurements if m.experiment == "access" and m.access_mode == "page-random"]
    if not touches:
        return None
    sizes = sorted({m.size for m in touches if m.size >= size}) or sorted({m.size for m in touches})
    at = sizes[0] if sizes[0] >= size else sizes[-1]
    row = {m.api: m.median_ns for m in touches if m.size == at}
    # By memory kind, from the catalog: 4 KiB-mapped vmalloc space against the direct map.
    virt = min((v for a, v in row.items() if run.api(a).get("memory") == "vmalloc" and not run.has(a, "huge_map")),
               default=None)
    direct = min((v for a, v in row.items() if run.api(a).get("memory") in ("direct", "page")), default=None)
    if virt is None or direct is None:
        return None
    return (f"touching vmalloc memory costs {ns_label(virt)} per page against {ns_label(direct)} in the direct "
            f"map (one load per page in random order, {size_label(at)} buffer)")


def advise(run: Run, size: int, atomic: bool = False, contiguous: bool = False) -> Advice:
    q = (f"{size_label(size)} bytes, {'atomic (may not sleep)' if atomic else 'may sleep'}, "
         f"{'physically contiguous' if contiguous else 'contiguity not needed'}:")
    advice = Advice(question=q)
    gfps = ("GFP_ATOMIC", "GFP_NOWAIT") if atomic else ("GFP_KERNEL",)
    cands = [m for m in run.measurements
             if m.experiment == "alloc" and m.pattern == "pair" and m.phase == "alloc" and not run.is_harness(m.api)
             and m.size == size and m.gfp in gfps and m.context == "preempt-on"
             and not (contiguous and not run.has(m.api, "contiguous"))]
    if not cands:
        measured = sorted({m.size for m in run.measurements if m.experiment == "alloc" and m.gfp in gfps})
        advice.missing.append(
            f"no pair-pattern measurement of {size_label(size)} with {' or '.join(gfps)} in {run.path.name}; "
            f"measured sizes with that GFP: {', '.join(size_label(s) for s in measured) or 'none'}. Add a sweep with "
            f"sizes = [\"{size_label(size)}\"] and gfp = [\"{gfps[0]}\"] and run it.")
        return advice
    choices = sorted((_choice(run, m) for m in _preferred(cands)), key=lambda c: c.rank_ns)
    # One entry per API: its best GFP mask among the valid ones.
    seen, ranked = set(), []
    for c in choices:
        if c.api not in seen:
            seen.add(c.api)
            ranked.append(c)
    advice.best = ranked[0]
    if len(ranked) > 1:
        advice.runner_up = ranked[1]
    advice.others = ranked[2:]
    refused = [n for n in run.not_measured
               if n.size == size and n.gfp in gfps and n.pattern == "pair" and n.status == "refused"]
    if refused:
        advice.tradeoffs.append("refused on this kernel: " + "; ".join(sorted({f"{n.api} ({n.reason})"
                                                                               for n in refused}))[:600])
    if not contiguous:
        t = _access_tradeoff(run, size)
        if t:
            advice.tradeoffs.append(t)
    failed = [m for m in cands if m.failures]
    if failed:
        advice.tradeoffs += [f"{m.api} with {m.gfp}: {m.failures} allocation(s) failed in this run" for m in failed]
    elif size > 32768:
        advice.tradeoffs.append(f"no allocation failed at {size_label(size)} in this run (high orders can fail "
                                "when memory is fragmented)")
    if run.emulated:
        advice.tradeoffs.append("EMULATED run: the ranking holds for this emulator, not for real hardware")
    return advice


STANDARD_QUESTIONS = [(64, True, False), (4096, True, True), (256 << 10, False, False), (256 << 10, False, True),
                      (4 << 20, False, True), (4 << 20, False, False), (64 << 20, False, False)]
