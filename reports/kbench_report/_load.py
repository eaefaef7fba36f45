# SPDX-License-Identifier: GPL-2.0
"""Read kbench results.json files into one model, whatever their schema.

Every entry carries its dimensions as fields (experiment, api, size, gfp,
pattern, ops_per_batch, context, access_mode, options, phase); this module
reads those fields and never takes a benchmark name apart. What each API is
(family, memory kind, capabilities, note) comes from the module's own
catalog, which kbench records in the context.

Older files are read too. Schema 1 of kbench (before repetitions) wrote one
iteration entry per measurement; later versions write one iteration entry
per repetition and aggregate entries (mean, median, stddev, cv) carrying
the pooled distribution; the current one writes only the median aggregate,
with the repetitions' medians in it (rep_medians_ns; a pair's alloc/free
split has no iteration entries), and states the counters unsupported
run-wide once (context: kbench_counters_unsupported). Since results.json
states a configuration's own fields (context: kbench_config_fields) once,
in its first phase's entry, its other phases' entries name that one in
config_entry (with_config_fields() puts them back), and the repetitions'
medians are only the iteration entries where there are any. Files written before the module described its
APIs carry no catalog: for those the catalog of that time is supplied here,
frozen (it never grows: new APIs only appear in files that carry their own).
Fields an older file does not have are None, never invented.
"""
from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional


class SchemaError(ValueError):
    """The file is not a kbench results.json this package understands."""


# The module's descriptors as the kbench of schema 1 had them, for files
# that carry no kbench_catalog. Frozen: do not add APIs here.
_LEGACY_CATALOG = [
    {"name": "noop", "family": "harness", "memory": "none", "caps": ["gfp", "harness"], "note": ""},
    {"name": "kmalloc", "family": "slab", "memory": "direct", "caps": ["gfp", "nonblock", "contiguous"], "note": ""},
    {"name": "kzalloc", "family": "slab", "memory": "direct",
     "caps": ["gfp", "nonblock", "contiguous", "always_zeroes"], "note": ""},
    {"name": "kvmalloc", "family": "kvmalloc", "memory": "direct_or_vmalloc", "caps": ["gfp", "huge_map"],
     "note": "physically contiguous only when its kmalloc attempt succeeds"},
    {"name": "vmalloc", "family": "vmalloc", "memory": "vmalloc", "caps": ["gfp"], "note": ""},
    {"name": "vzalloc", "family": "vmalloc", "memory": "vmalloc", "caps": ["gfp", "always_zeroes"], "note": ""},
    {"name": "vmalloc_huge", "family": "vmalloc", "memory": "vmalloc", "caps": ["gfp", "huge_map"], "note": ""},
    {"name": "vmalloc_32", "family": "vmalloc", "memory": "vmalloc", "caps": [],
     "note": "pages below 4 GiB (32-bit DMA); no gfp argument"},
    {"name": "alloc_pages", "family": "pages", "memory": "page", "caps": ["gfp", "nonblock", "order", "contiguous"],
     "note": "returns a struct page; rounds the size up to a power-of-two number of pages"},
    {"name": "__get_free_pages", "family": "pages", "memory": "direct",
     "caps": ["gfp", "nonblock", "order", "contiguous"],
     "note": "rounds the size up to a power-of-two number of pages"},
    {"name": "kmem_cache", "family": "slab", "memory": "direct",
     "caps": ["gfp", "nonblock", "contiguous", "needs_setup"],
     "note": "needs a cache created for this object size (kmem_cache_create)"},
    {"name": "mempool_slab", "family": "mempool", "memory": "direct",
     "caps": ["gfp", "nonblock", "contiguous", "needs_setup", "reserve"],
     "note": "needs a pool created beforehand; guarantees a reserve"},
    {"name": "mempool_kmalloc", "family": "mempool", "memory": "direct",
     "caps": ["gfp", "nonblock", "contiguous", "needs_setup", "reserve"],
     "note": "needs a pool created beforehand; guarantees a reserve"},
    {"name": "mempool_page", "family": "mempool", "memory": "page",
     "caps": ["gfp", "nonblock", "contiguous", "needs_setup", "reserve", "order"],
     "note": "needs a pool created beforehand; guarantees a reserve"},
]


@dataclass
class Measurement:
    name: str                   # run name, built by kbench from the fields below
    api: str
    size: int
    gfp: Optional[str]
    pattern: Optional[str]
    phase: str
    context: Optional[str] = "preempt-on"
    experiment: str = "alloc"
    access_mode: Optional[str] = None
    ops_per_batch: Optional[int] = None
    options: dict = field(default_factory=dict)
    unit: str = "op"
    median_ns: float = 0.0
    p90_ns: Optional[float] = None
    p99_ns: Optional[float] = None
    p999_ns: Optional[float] = None
    min_ns: Optional[float] = None
    max_ns: Optional[float] = None
    ci_low_ns: Optional[float] = None
    ci_high_ns: Optional[float] = None
    repetitions: int = 1
    batches: Optional[int] = None
    failures: int = 0
    ops: Optional[int] = None
    unreliable: bool = False
    harness_ns: Optional[float] = None
    net_ns: Optional[float] = None      # median less the harness of the same loop shape
    state: str = "clean"                # clean: earlier lazy frees purged first; steady: not, long batches
    single_op: dict = field(default_factory=dict)  # p50/p90/p99/p999/max of single operations, where timed
    single_op_reliable: bool = False    # one clock read below 5 % of an operation
    call: str = ""
    counters_per_op: dict = field(default_factory=dict)
    counters_unsupported: dict = field(default_factory=dict)  # name -> reason
    counters_scope: Optional[str] = None
    rep_medians: list = field(default_factory=list)  # one per repetition (iteration entries)
    # On several CPUs at once (threads > 1): the name's threads ("2", "all"),
    # each thread's median, the aggregate operations per second across the
    # CPUs and how much their phases overlapped (1: all at once).
    threads: int = 1
    threads_asked: str = "1"
    per_thread_ns: list = field(default_factory=list)
    aggregate_ops_per_s: Optional[float] = None
    overlap: Optional[float] = None
    # The state of memory it ran in ("none", "fragmented"), what the kernel
    # did meanwhile (/proc/vmstat deltas) and kvmalloc's fallbacks to vmalloc
    # (None where not counted).
    condition: str = "none"
    vmstat: dict = field(default_factory=dict)
    vmalloc_fallbacks: Optional[int] = None
    fragment_pages_held: Optional[int] = None

    @property
    def config(self) -> tuple:
        """The configuration, every dimension but the phase: to find the
        other phases of the same configuration, or the same one in another run."""
        return (self.experiment, self.api, self.size, self.gfp, self.pattern, self.ops_per_batch, self.context,
                self.access_mode, tuple(sorted(self.options.items())), self.state, self.threads_asked,
                self.condition)

    @property
    def alone(self) -> tuple:
        """The configuration as it is on one CPU: a team measurement's counterpart."""
        return self.config[:-2] + ("1", self.condition)

    @property
    def as_is(self) -> tuple:
        """The configuration with memory as the kernel has it: a condition's counterpart."""
        return self.config[:-1] + ("none",)

    @property
    def failure_rate(self) -> Optional[float]:
        """Allocations that returned NULL over those attempted, where the attempts are known."""
        attempted = (self.ops_per_batch or 0) * (self.batches or 0)
        return self.failures / attempted if attempted and self.phase == "alloc" else None

    @property
    def cost_ns(self) -> float:
        """Net of the harness where one was measured, else the raw median."""
        return self.net_ns if self.net_ns is not None else self.median_ns


@dataclass
class NotMeasured:
    name: str
    api: str
    size: int
    gfp: Optional[str]
    pattern: Optional[str]
    status: str
    reason: str
    experiment: str = "alloc"
    context: Optional[str] = None


@dataclass
class Run:
    path: Path
    context: dict
    measurements: list[Measurement]
    not_measured: list[NotMeasured]
    footprints: list[dict]
    stages: dict
    zeroing: list[dict]
    schema: str  # "repetitions" or "single" (the older schema)
    steady: list[dict] = field(default_factory=list)  # kbench_steady_state: clean against steady rows
    catalog: list[dict] = field(default_factory=list)  # the module's API descriptors
    # Configurations run on several CPUs at once (threads > 1), and those
    # run in a condition of memory (fragmented); every other view reads
    # `measurements`, the figures of one CPU with memory as it is.
    team: list[Measurement] = field(default_factory=list)
    conditioned: list[Measurement] = field(default_factory=list)

    @property
    def kernel(self) -> str:
        return self.context.get("kernel_release", "unknown kernel")

    @property
    def emulated(self) -> bool:
        return bool(self.context.get("emulated", False))

    @property
    def platform(self) -> str:
        """EMULATED, VIRTUALIZED or bare metal, as the run says (older runs:
        from their emulated and virtualized facts)."""
        if self.emulated:
            return "EMULATED"
        p = self.context.get("platform")
        if isinstance(p, str) and p:
            return p
        return "VIRTUALIZED" if self.context.get("virtualized") else "bare metal"

    @property
    def platform_label(self) -> str:
        """EMULATED (QEMU TCG), VIRTUALIZED (KVM), ... or "" on bare metal."""
        if self.platform == "EMULATED":
            return "EMULATED (QEMU TCG)"
        if self.platform == "VIRTUALIZED":
            return f"VIRTUALIZED ({self.context.get('hypervisor') or 'VM'})"
        return ""

    @property
    def platform_note(self) -> str:
        """What the platform means for the figures, or "" on bare metal."""
        if self.platform == "EMULATED":
            return "measured in QEMU without hardware acceleration (TCG). Times are not hardware times."
        if self.platform == "VIRTUALIZED":
            hv = self.context.get("hypervisor") or "a hypervisor"
            return (f"measured in a virtual machine ({hv}): the real CPU runs the code, but times include the "
                    "hypervisor's exits and two-level page walks, and the PMU is virtual or absent.")
        return ""

    @property
    def label(self) -> str:
        return f"{self.kernel} ({self.context.get('target', '?')})"

    def find(self, **want) -> list[Measurement]:
        return [m for m in self.measurements if all(getattr(m, k) == v for k, v in want.items())]

    def api(self, name: str) -> dict:
        """The module's descriptor of an API ({} if the catalog lacks it)."""
        for a in self.catalog:
            if a["name"] == name:
                return a
        return {}

    def has(self, name: str, cap: str) -> bool:
        return cap in self.api(name).get("caps", [])

    def is_harness(self, name: str) -> bool:
        return self.has(name, "harness")

    def api_index(self, name: str) -> int:
        for i, a in enumerate(self.catalog):
            if a["name"] == name:
                return i
        return len(self.catalog) + sum(map(ord, name))  # not in the catalog: still one stable colour

    def other_phase(self, m: Measurement, phase: str) -> Optional[Measurement]:
        for o in self.measurements:
            if o.config == m.config and o.phase == phase:
                return o
        return None


def _number(v) -> Optional[float]:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _require(b: dict, key: str, kind, path: Path, what: str):
    v = b.get(key)
    if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
        raise SchemaError(f"{path}: {what} '{b.get('name', '?')}' has no valid '{key}' "
                          f"(got {json.dumps(v)[:60]})")
    return v


def _count(b: dict, key: str, default: int, path: Path) -> int:
    """A whole number field of an entry, or its default when absent."""
    v = b.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise SchemaError(f"{path}: entry '{b.get('name', '?')}' has no valid '{key}' (got {json.dumps(v)[:60]})")
    return v


def _measurement(b: dict, pooled: bool, reasons: dict, path: Path, run_wide: list = ()) -> Measurement:
    name = _require(b, "run_name" if "run_name" in b else "name", str, path, "entry")
    time_key = "p50_ns" if pooled and "p50_ns" in b else "real_time"
    median = _number(b.get(time_key))
    if median is None:
        raise SchemaError(f"{path}: entry '{name}' has no finite '{time_key}' (got {json.dumps(b.get(time_key))})")
    unsupported = b.get("counters_unsupported", {})
    if isinstance(unsupported, list):  # names; the reasons are stated once, in the context
        # An entry with counters also lacks those unsupported run-wide
        # (the context's kbench_counters_unsupported, since kbench 0.x).
        names = list(run_wide) + unsupported if "counters_per_op" in b else unsupported
        unsupported = {k: reasons.get(k, "unsupported") for k in names}
    elif "counters_per_op" in b and run_wide:
        unsupported = {k: reasons.get(k, "unsupported") for k in run_wide}
    return Measurement(
        name=name, api=b.get("api", ""), size=int(_require(b, "size_bytes", int, path, "entry")), gfp=b.get("gfp"),
        pattern=b.get("pattern"), phase=_require(b, "phase", str, path, "entry"), context=b.get("context"),
        experiment=b.get("experiment", "alloc"), access_mode=b.get("access_mode"),
        ops_per_batch=b.get("ops_per_batch"), options=b.get("options") or {}, unit=b.get("unit", "op"),
        median_ns=median, p90_ns=_number(b.get("p90_ns")), p99_ns=_number(b.get("p99_ns")),
        p999_ns=_number(b.get("p999_ns")), min_ns=_number(b.get("min_ns")), max_ns=_number(b.get("max_ns")),
        ci_low_ns=_number(b.get("median_ci_low_ns")), ci_high_ns=_number(b.get("median_ci_high_ns")),
        repetitions=_count(b, "repetitions", 1, path), batches=b.get("batches"),
        failures=_count(b, "failures", 0, path),
        ops=b.get("iterations"), unreliable=bool(b.get("unreliable", False)),
        harness_ns=_number(b.get("harness_overhead_ns")), net_ns=_number(b.get("net_ns")),
        state=b.get("state", "clean"),
        single_op={q: _number(b.get(f"single_op_{q}_ns")) for q in ("p50", "p90", "p99", "p999", "max")
                   if _number(b.get(f"single_op_{q}_ns")) is not None},
        single_op_reliable=bool(b.get("single_op_reliable", False)), call=b.get("call", ""),
        counters_per_op=b.get("counters_per_op", {}), counters_unsupported=unsupported,
        counters_scope=b.get("counters_scope"), threads=_count(b, "threads", 1, path),
        threads_asked=_threads_asked(name), per_thread_ns=[float(t) for t in b.get("per_thread_p50_ns", [])],
        aggregate_ops_per_s=_number(b.get("aggregate_ops_per_s")), overlap=_number(b.get("overlap")),
        condition=b.get("condition", "none"), vmstat=b.get("vmstat") or {},
        vmalloc_fallbacks=b.get("vmalloc_fallbacks"), fragment_pages_held=b.get("fragment_pages_held"))


def _threads_asked(name: str) -> str:
    """The threads of a kbench name ("threads:2", "threads:all"); "1" when it names none."""
    for part in name.split("/"):
        if part.startswith("threads:"):
            return part[len("threads:"):]
    return "1"


# The derived sections of results.json, field by field: (types, nullable).
# A field may be absent (older files); present, it must have its type. Null
# stands for "no figure" (NaN) where a figure is derived and may not exist.
_INT, _NUM, _STR, _BOOL = (int,), (int, float), (str,), (bool,)
_SECTIONS = {
    "kbench_not_measured": {"name": (_STR, False), "api": (_STR, False), "size_bytes": (_INT, False),
                            "gfp": (_STR, True), "pattern": (_STR, True), "status": (_STR, False),
                            "reason": (_STR, False), "experiment": (_STR, False), "context": (_STR, True)},
    "kbench_footprint": {"api": (_STR, False), "size_bytes": (_INT, False), "pte_4k": (_INT, False),
                         "pmd_2m": (_INT, False), "pud_1g": (_INT, False), "in_vmalloc": ((int, bool), False),
                         "call": (_STR, True)},
    "kbench_zeroing": {"alloc": (_STR, False), "api": (_STR, False), "memset": (_STR, False),
                       "size_bytes": (_INT, False), "alloc_bytes_per_ns": (_NUM, False),
                       "memset_bytes_per_ns": (_NUM, False), "fraction_of_memset": (_NUM, False)},
    "kbench_steady_state": {"api": (_STR, False), "gfp": (_STR, False), "pattern": (_STR, False),
                            "phase": (_STR, False), "size_bytes": (_INT, False), "clean_ns": (_NUM, False),
                            "steady_ns": (_NUM, False), "change_vs_clean": (_NUM, True),
                            "extra_share_of_steady": (_NUM, True), "net_of_harness": (_BOOL, False),
                            "purges_counted": (_BOOL, False), "purges": (_INT, False),
                            "slab_flushes_counted": (_BOOL, False), "slab_flushes": (_INT, False),
                            "threshold_crossings": (_INT, False), "steady_ops_per_batch": (_INT, False)},
}
# Each stage is measured (a finite number) or derived (may be null).
_STAGE_ROW = {"size_bytes": (_INT, False), "pages": (_INT, False),
              **{k: (_NUM, False) for k in ("vmalloc_ns", "pages_alloc_ns", "page_array_ns", "vmap_ns",
                                            "vunmap_ns", "pages_free_ns", "vfree_ns", "purge_ns")},
              **{k: (_NUM, True) for k in ("rest_ns", "explained", "overhead_ns", "vmap_share_of_overhead",
                                           "page_array_share_of_overhead", "rest_share_of_overhead",
                                           "clean_vmalloc_pair_ns", "steady_vmalloc_pair_ns",
                                           "purge_share_of_steady", "vm_map_ram_ns", "vm_unmap_ram_ns")}}
_FIT = {"ns_per_page": (_NUM, True), "ns_fixed": (_NUM, True), "points": (_INT, False), "r2": (_NUM, True)}
# Context fields the report reads, by type.
_CONTEXT = {"kernel_release": (_STR, False), "target": (_STR, False), "warnings": ((list,), False),
            "kconfig": ((dict,), False), "kbench_catalog": ((dict,), False), "emulated": (_BOOL, False)}


def _check_fields(row, fields: dict, path: Path, where: str) -> None:
    if not isinstance(row, dict):
        raise SchemaError(f"{path}: {where} is not an object (got {json.dumps(row)[:60]})")
    for name, (types, nullable) in fields.items():
        if name not in row or (row[name] is None and nullable):
            continue
        v = row[name]
        # bool is an int to Python, but to this schema only where named.
        others = tuple(t for t in types if t is not bool)
        ok = isinstance(v, bool) and bool in types or isinstance(v, others) and not isinstance(v, bool)
        if ok and isinstance(v, float) and not math.isfinite(v):
            ok = False
        if not ok:
            raise SchemaError(f"{path}: {where} has no valid '{name}' (got {json.dumps(v)[:60]})")


def _check_sections(doc: dict, path: Path) -> None:
    _check_fields(doc["context"], _CONTEXT, path, "context")
    for sec, fields in _SECTIONS.items():
        rows = doc.get(sec, [])
        if not isinstance(rows, list):
            raise SchemaError(f"{path}: {sec} is not a list")
        for i, row in enumerate(rows):
            _check_fields(row, fields, path, f"{sec}[{i}]")
    st = doc.get("kbench_vmalloc_stages", {})
    if not isinstance(st, dict) or not isinstance(st.get("by_size", []), list):
        raise SchemaError(f"{path}: kbench_vmalloc_stages is not an object with a by_size list")
    for i, row in enumerate(st.get("by_size", [])):
        _check_fields(row, _STAGE_ROW, path, f"kbench_vmalloc_stages.by_size[{i}]")
    for fit in ("vmap_fit", "vm_map_ram_fit"):
        if fit in st:
            _check_fields(st[fit], _FIT, path, f"kbench_vmalloc_stages.{fit}")


def with_config_fields(benchmarks: list, context: dict, path="results.json") -> list:
    """The entries, each with its configuration's fields: an entry that
    names its configuration's first entry (config_entry) gets the fields
    the context lists (kbench_config_fields) from it. Others as they are."""
    fields = context.get("kbench_config_fields", [])
    if not isinstance(fields, list) or not all(isinstance(k, str) for k in fields):
        raise SchemaError(f"{path}: context field 'kbench_config_fields' is not a list of names")
    stating = {b.get("run_name"): b for b in benchmarks
               if isinstance(b, dict) and b.get("run_type") == "aggregate" and "config_entry" not in b
               and isinstance(b.get("run_name"), str)}
    out = []
    for b in benchmarks:
        if isinstance(b, dict) and "config_entry" in b:
            first = stating.get(b["config_entry"]) if isinstance(b["config_entry"], str) else None
            if first is None:
                raise SchemaError(f"{path}: entry '{b.get('name', '?')}' names config_entry "
                                  f"{json.dumps(b['config_entry'])[:80]}, which is no entry stating a configuration")
            b = {**{k: first[k] for k in fields if k in first}, **b}
        out.append(b)
    return out


def load_run(path) -> Run:
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as f:
            doc = json.load(f)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SchemaError(f"{path}: cannot read it as JSON ({e})") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("context"), dict) or \
            not isinstance(doc.get("benchmarks"), list):
        raise SchemaError(f"{path}: not a Google Benchmark JSON file (no context object and benchmarks list)")
    ctx = doc["context"]
    if ctx.get("json_schema_version") != 1 or "kbench_abi_version" not in ctx:
        raise SchemaError(f"{path}: not written by kbench (json_schema_version 1 with kbench_abi_version expected)")
    _check_sections(doc, path)
    benches = doc["benchmarks"]
    for i, b in enumerate(benches):
        if not isinstance(b, dict):
            raise SchemaError(f"{path}: benchmarks[{i}] is not an object")
    benches = with_config_fields(benches, ctx, path)
    reasons = ctx.get("kbench_counter_reasons", {}) if isinstance(ctx.get("kbench_counter_reasons"), dict) else {}
    medians = [b for b in benches if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median"]
    if medians:
        run_wide = ctx.get("kbench_counters_unsupported", [])
        if not isinstance(run_wide, list) or not all(isinstance(k, str) for k in run_wide):
            raise SchemaError(f"{path}: context field 'kbench_counters_unsupported' is not a list of names")
        measurements = [_measurement(b, True, reasons, path, run_wide) for b in medians]
        reps = {}
        for b in benches:
            if b.get("run_type") == "iteration":
                t = _number(b.get("real_time"))
                if t is None:
                    raise SchemaError(f"{path}: iteration '{b.get('name')}' has no finite real_time")
                reps.setdefault(b.get("name"), []).append(t)
        for m, b in zip(measurements, medians):
            # The repetitions' medians: the median entry's own list where it
            # has one (a pair's alloc/free split has no iteration entries;
            # files of before them being stated once have it everywhere).
            own = b.get("rep_medians_ns")
            if own is not None:
                if not isinstance(own, list) or any(_number(t) is None for t in own):
                    raise SchemaError(f"{path}: entry '{m.name}' has no valid 'rep_medians_ns' "
                                      f"(got {json.dumps(own)[:60]})")
                m.rep_medians = [float(t) for t in own]
            else:
                m.rep_medians = reps.get(m.name, [])
        schema = "repetitions"
    else:
        measurements = [_measurement(b, False, reasons, path) for b in benches
                        if b.get("run_type", "iteration") == "iteration"]
        schema = "single"
    not_measured = []
    for n in doc.get("kbench_not_measured", []):
        if not isinstance(n, dict):
            raise SchemaError(f"{path}: kbench_not_measured has an entry that is not an object")
        not_measured.append(NotMeasured(n.get("name", ""), n.get("api", ""), int(n.get("size_bytes", 0)),
                                        n.get("gfp"), n.get("pattern"), n.get("status", ""),
                                        n.get("reason", ""), n.get("experiment", "alloc"), n.get("context")))
    catalog = ctx.get("kbench_catalog", {}).get("apis") if isinstance(ctx.get("kbench_catalog"), dict) else None
    team = [m for m in measurements if m.threads_asked != "1" and m.condition == "none"]
    conditioned = [m for m in measurements if m.condition != "none"]
    measurements = [m for m in measurements if m.threads_asked == "1" and m.condition == "none"]
    return Run(path=path, context=ctx, measurements=measurements, not_measured=not_measured, team=team,
               conditioned=conditioned,
               footprints=doc.get("kbench_footprint", []), stages=doc.get("kbench_vmalloc_stages", {}),
               zeroing=doc.get("kbench_zeroing", []), schema=schema, steady=doc.get("kbench_steady_state", []),
               catalog=catalog if isinstance(catalog, list) else _LEGACY_CATALOG)
