# SPDX-License-Identifier: GPL-2.0
"""Which allocation API should a driver use? Answered only from measurements.

For a size, whether the caller may sleep, whether it needs physically
contiguous memory, how the memory is used (a per-I/O hot path allocating
many objects of one size, or a one-off buffer held long, e.g. at probe
time) and whether it must make forward progress under memory pressure: the
fastest valid API measured on this kernel with its cost, the runner-up, and
measured trade-offs. The domain rules come first, from what the module says
each API is: a cache of its own (needs_setup) pays off only for many objects
of one size on a hot path; a mempool (reserve) is for forward progress, not
speed, and is considered only when that is asked. A size that was not
measured is answered from the nearest measured sizes on both sides,
labelled as bracketed, ranked at the larger. The cost that ranks is what a
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
    evidence: str = ""                # the measurement ranked on

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
    excluded: list[str] = field(default_factory=list)  # measured but not for this use, and why
    bracketed: Optional[tuple[int, int]] = None         # the sizes measured on both sides, if not exact

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
            if c.evidence:
                out.append(f"    evidence: {c.evidence}")
        if self.others:
            out.append("  also measured: " + ", ".join(f"{c.api} {ns_label(c.rank_ns)}" for c in self.others))
        out += [f"  not for this use: {e}" for e in self.excluded]
        out += [f"  trade-off: {t}" for t in self.tradeoffs]
        return out


def _choice(run: Run, m: Measurement) -> Choice:
    """m: the alloc phase of a pair-pattern configuration."""
    free = run.other_phase(m, "free")
    pair = run.other_phase(m, "pair")
    single = m.single_op_reliable and "p99" in m.single_op
    ranked_on = pair or m
    evidence = (f"{ranked_on.name}: median {ns_label(ranked_on.median_ns)}"
                + (f", p99 {ns_label(ranked_on.p99_ns)}" if ranked_on.p99_ns is not None else "")
                + (f", {ranked_on.batches} batches" if ranked_on.batches else ""))
    return Choice(api=m.api, call=m.call or m.api, gfp=m.gfp, alloc_median_ns=m.median_ns, evidence=evidence,
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


# Up to this size an allocation is taken to be on a hot path (many objects,
# allocated and freed per I/O) unless the question says otherwise; above
# it, a buffer held long.
HOT_PATH_MAX = 16 << 10


def _domain_excluded(run: Run, api: str, hot: bool, forward_progress: bool) -> Optional[str]:
    """Why an API does not fit this use, from what the module says it is; None if it fits."""
    if run.has(api, "reserve") and not forward_progress:
        return ("a mempool keeps a reserve so allocations make forward progress under memory pressure; "
                "it is not chosen for speed (ask with forward progress to consider it)")
    if run.has(api, "needs_setup") and not run.has(api, "reserve") and not hot:
        return "a cache of its own pays off for many objects of one size allocated on a hot path, not for a one-off buffer"
    return None


def advise(run: Run, size: int, atomic: bool = False, contiguous: bool = False, hot: Optional[bool] = None,
           forward_progress: bool = False) -> Advice:
    hot = size <= HOT_PATH_MAX if hot is None else hot
    use = "hot path (many objects, per I/O)" if hot else "one-off buffer (held long, e.g. at probe time)"
    q = (f"{size_label(size)} bytes, {'atomic (may not sleep)' if atomic else 'may sleep'}, "
         f"{'physically contiguous' if contiguous else 'contiguity not needed'}, {use}"
         f"{', forward progress under pressure' if forward_progress else ''}:")
    advice = Advice(question=q)
    gfps = ("GFP_ATOMIC", "GFP_NOWAIT") if atomic else ("GFP_KERNEL",)

    def valid(m: Measurement) -> bool:
        return (m.experiment == "alloc" and m.pattern == "pair" and m.phase == "alloc" and not run.is_harness(m.api)
                and m.gfp in gfps and m.context == "preempt-on" and not (contiguous and not run.has(m.api, "contiguous")))

    measured = sorted({m.size for m in run.measurements if valid(m)})
    at = size
    if size not in measured:
        below = [s for s in measured if s < size]
        above = [s for s in measured if s > size]
        if above:
            # The larger neighbour: an API that serves it serves the size asked.
            at = above[0]
            advice.bracketed = (below[-1] if below else 0, at)
    cands = [m for m in run.measurements if valid(m) and m.size == at]
    if not cands:
        advice.missing.append(
            f"no pair-pattern measurement of {size_label(size)} or larger with {' or '.join(gfps)} in "
            f"{run.path.name}; measured sizes with that GFP: {', '.join(size_label(s) for s in measured) or 'none'}. "
            f"Add a sweep with sizes = [\"{size_label(size)}\"] and gfp = [\"{gfps[0]}\"] and run it.")
        return advice
    if advice.bracketed:
        lo, hi = advice.bracketed
        advice.tradeoffs.append(
            f"bracketed: {size_label(size)} was not measured; ranked at {size_label(hi)}"
            + (f" (the next size measured below is {size_label(lo)})" if lo else "")
            + f"; measure it exactly with sizes = [\"{size_label(size)}\"]")
    fits, why_not = [], {}
    for m in cands:
        why = _domain_excluded(run, m.api, hot, forward_progress)
        if why is None:
            fits.append(m)
        else:
            why_not.setdefault(why, set()).add(m.api)
    advice.excluded = [f"{', '.join(sorted(apis))}: {why}" for why, apis in why_not.items()]
    if not fits:
        advice.missing.append("every API measured at this size is for another use: " + "; ".join(advice.excluded))
        return advice
    cands = fits
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
               if n.size == at and n.gfp in gfps and n.pattern == "pair" and n.status == "refused"]
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
    elif at > 32768:
        advice.tradeoffs.append(f"no allocation failed at {size_label(at)} in this run (high orders can fail "
                                "when memory is fragmented)")
    if contiguous and at > 32768:
        advice.tradeoffs.append(
            f"physically contiguous {size_label(at)} is a high-order allocation: it can fail once memory is "
            "fragmented after uptime; for a device doing DMA, dma_alloc_coherent (not measured by this run) is "
            "the API that also maps it")
    elif not contiguous and at > 32768 and any(c.api == "kvmalloc" for c in ranked):
        advice.tradeoffs.append(
            "kvmalloc tries the page allocator without retrying hard and falls back to vmalloc: where contiguity "
            "is not needed it does not fail for fragmentation, which a contiguous API ranked above it can")
    for c in ranked[:2]:
        t = _contention_tradeoff(run, next(m for m in cands if m.api == c.api and m.gfp == c.gfp))
        if t:
            advice.tradeoffs.append(t)
    t = _fragmentation_tradeoff(run, at)
    if t:
        advice.tradeoffs.append(t)
    if run.emulated:
        advice.tradeoffs.append("EMULATED run: the ranking holds for this emulator, not for real hardware")
    return advice


def _fragmentation_tradeoff(run: Run, size: int) -> Optional[str]:
    """What this size did with free memory fragmented, where the run has it: failures, kvmalloc's fallbacks."""
    parts = []
    for m in sorted((m for m in run.conditioned if m.size == size and m.phase == "alloc"
                     and m.condition == "fragmented" and not run.is_harness(m.api)),
                    key=lambda m: (run.api_index(m.api), m.gfp)):
        rate = m.failure_rate
        if rate is None:
            continue
        text = f"{m.api} ({m.gfp}) failed {100 * rate:.0f}%"
        if m.vmalloc_fallbacks is not None and m.ops_per_batch and m.batches:
            text += (f", fell back to vmalloc {100 * m.vmalloc_fallbacks / (m.ops_per_batch * m.batches):.0f}% "
                     f"and then cost {ns_label(m.median_ns)}")
        parts.append(text)
    if not parts:
        return None
    return f"{size_label(size)} when memory is fragmented: " + "; ".join(parts)


def _contention_tradeoff(run: Run, m: Measurement) -> Optional[str]:
    """What the configuration m (one CPU, pair) costs on several CPUs at once, where the run has it."""
    one = run.other_phase(m, "pair") or m
    for t in run.team:
        if t.alone != one.config or t.phase != one.phase or one.median_ns <= 0:
            continue
        text = (f"{m.api} on {t.threads} CPUs at once: {ns_label(t.median_ns)} per {t.unit} on each CPU against "
                f"{ns_label(one.median_ns)} alone ({100 * (t.median_ns / one.median_ns - 1):+.0f}%)")
        if t.aggregate_ops_per_s:
            text += f", {t.aggregate_ops_per_s / 1e6:.2f} M/s together"
        if t.overlap is not None:
            text += f" (the threads overlapped {100 * t.overlap:.0f}%)"
        return text
    return None


# (size, atomic, contiguous): the report's questions. Sizes up to
# HOT_PATH_MAX are asked as hot paths, larger ones as one-off buffers.
STANDARD_QUESTIONS = [(64, True, False), (12 << 10, True, False), (4096, True, True), (256 << 10, False, False),
                      (256 << 10, False, True), (4 << 20, False, True), (4 << 20, False, False),
                      (64 << 20, False, False)]
