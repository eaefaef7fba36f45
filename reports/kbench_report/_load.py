# SPDX-License-Identifier: GPL-2.0
"""Read kbench results.json files into one model, whatever their schema.

Schema 1 of kbench (before repetitions) wrote one iteration entry per
measurement; later versions write one iteration entry per repetition and
aggregate entries (mean, median, stddev, cv) carrying the pooled
distribution. Both become Measurement objects here; fields an older file
does not have are None, never invented.
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

_PATTERN_RE = re.compile(r"^(pair|batch|batch-shuffled)(?::(\d+))?$")


class SchemaError(ValueError):
    """The file is not a kbench results.json this package understands."""


@dataclass
class Measurement:
    name: str                   # run name, e.g. kmalloc/65536/GFP_KERNEL/pair/alloc
    api: str
    size: int
    gfp: str
    pattern: str
    phase: str
    context: str = "preempt-on"
    experiment: str = "alloc"
    access_mode: Optional[str] = None
    ops_per_batch: Optional[int] = None
    median_ns: float = 0.0
    p90_ns: Optional[float] = None
    p99_ns: Optional[float] = None
    min_ns: Optional[float] = None
    max_ns: Optional[float] = None
    ci_low_ns: Optional[float] = None
    ci_high_ns: Optional[float] = None
    repetitions: int = 1
    batches: Optional[int] = None
    failures: int = 0
    ops: Optional[int] = None
    unreliable: bool = False
    call: str = ""
    counters_per_op: dict = field(default_factory=dict)
    counters_unsupported: dict = field(default_factory=dict)
    counters_scope: Optional[str] = None
    rep_medians: list = field(default_factory=list)  # one per repetition (iteration entries)


@dataclass
class NotMeasured:
    name: str
    api: str
    size: int
    gfp: str
    pattern: str
    status: str
    reason: str


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

    @property
    def kernel(self) -> str:
        return self.context.get("kernel_release", "unknown kernel")

    @property
    def emulated(self) -> bool:
        return bool(self.context.get("emulated", False))

    @property
    def label(self) -> str:
        return f"{self.kernel} ({self.context.get('target', '?')})"

    def find(self, **want) -> list[Measurement]:
        return [m for m in self.measurements if all(getattr(m, k) == v for k, v in want.items())]


def _pattern_and_ops(name: str, pattern: str) -> Optional[int]:
    for part in name.split("/"):
        m = _PATTERN_RE.match(part)
        if m and m.group(1) == pattern and m.group(2):
            return int(m.group(2))
    return None


def _measurement(b: dict, pooled: bool) -> Measurement:
    name = b.get("run_name", b["name"])
    return Measurement(
        name=name, api=b["api"], size=int(b["size_bytes"]), gfp=b["gfp"], pattern=b["pattern"], phase=b["phase"],
        context=b.get("context", "preempt-on"), experiment=b.get("experiment", "alloc"),
        access_mode=b.get("access_mode"), ops_per_batch=b.get("ops_per_batch") or _pattern_and_ops(name, b["pattern"]),
        median_ns=float(b["p50_ns"] if pooled and "p50_ns" in b else b["real_time"]),
        p90_ns=b.get("p90_ns"), p99_ns=b.get("p99_ns"), min_ns=b.get("min_ns"), max_ns=b.get("max_ns"),
        ci_low_ns=b.get("median_ci_low_ns"), ci_high_ns=b.get("median_ci_high_ns"),
        repetitions=int(b.get("repetitions", 1)), batches=b.get("batches"), failures=int(b.get("failures", 0)),
        ops=b.get("iterations"), unreliable=bool(b.get("unreliable", False)), call=b.get("call", ""),
        counters_per_op=b.get("counters_per_op", {}), counters_unsupported=b.get("counters_unsupported", {}),
        counters_scope=b.get("counters_scope"))


def load_run(path) -> Run:
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SchemaError(f"{path}: cannot read it as JSON ({e})") from e
    if not isinstance(doc, dict) or "context" not in doc or "benchmarks" not in doc:
        raise SchemaError(f"{path}: not a Google Benchmark JSON file (no context/benchmarks)")
    ctx = doc["context"]
    if ctx.get("json_schema_version") != 1 or "kbench_abi_version" not in ctx:
        raise SchemaError(f"{path}: not written by kbench (json_schema_version 1 with kbench_abi_version expected)")
    benches = doc["benchmarks"]
    medians = [b for b in benches if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median"]
    if medians:
        measurements = [_measurement(b, pooled=True) for b in medians]
        reps = {}
        for b in benches:
            if b.get("run_type") == "iteration":
                reps.setdefault(b["name"], []).append(float(b["real_time"]))
        for m in measurements:
            m.rep_medians = reps.get(m.name, [])
        schema = "repetitions"
    else:
        measurements = [_measurement(b, pooled=False) for b in benches if b.get("run_type", "iteration") == "iteration"]
        schema = "single"
    not_measured = [NotMeasured(n["name"], n["api"], int(n["size_bytes"]), n["gfp"], n["pattern"], n["status"],
                                n.get("reason", "")) for n in doc.get("kbench_not_measured", [])]
    return Run(path=path, context=ctx, measurements=measurements, not_measured=not_measured,
               footprints=doc.get("kbench_footprint", []), stages=doc.get("kbench_vmalloc_stages", {}),
               zeroing=doc.get("kbench_zeroing", []), schema=schema)
