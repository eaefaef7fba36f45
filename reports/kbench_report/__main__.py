# SPDX-License-Identifier: GPL-2.0
"""python3 -m kbench_report html RESULTS.json... --out DIR
python3 -m kbench_report advise --size 256K [--atomic] [--contiguous] --results RESULTS.json"""
from __future__ import annotations

import argparse
import sys

from . import SchemaError, advise, load_run, write_report
from ._compare import compare, compare_steps
from ._compare_report import FORMATS, Verdicts


def parse_size(text: str) -> int:
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(t[-1:], 1)
    try:
        return int(t[:-1] if mult > 1 else t) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad size '{text}': write e.g. 64, 4K, 256K or 4M") from None


def parse_share(text: str) -> float:
    """5% or 0.05; a bare number of 1 or more is refused (5 would be 500 %,
    a gate that never fails)."""
    t = text.strip()
    try:
        v = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad threshold '{text}': write e.g. 5% or 0.05") from None
    if not t.endswith("%") and not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"bad threshold '{text}': a share below 1 (0.05) or a percentage (5%)")
    if not 0 <= v < 10:
        raise argparse.ArgumentTypeError(f"bad threshold '{text}': between 0% and 1000%")
    return v


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # Bad input exits 1, as everywhere in kbench: 2 is compare's gate.
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def main(argv=None) -> int:
    p = _Parser(prog="kbench_report", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("html", help="write DIR/index.html with plots of one or more results.json files")
    h.add_argument("results", nargs="+")
    h.add_argument("--out", required=True)
    c = sub.add_parser("compare", help="compare two results.json files: ratios and significance")
    c.add_argument("base")
    c.add_argument("other")
    c.add_argument("--fail-above", type=parse_share, metavar="PCT",
                   help="exit 2 when a measurement is a significant regression larger than this (e.g. 5%%)")
    c.add_argument("--format", choices=sorted(FORMATS), default="text")
    c.add_argument("--output", help="write there instead of standard output")
    m = sub.add_parser("matrix", help="a matrix of kernels: each against the one before it, a report with trends")
    m.add_argument("results", nargs="+")
    m.add_argument("--out", required=True)
    m.add_argument("--fail-above", type=parse_share, metavar="PCT",
                   help="exit 2 when a step is a significant regression larger than this (e.g. 5%%)")
    m.add_argument("--format", choices=sorted(FORMATS), default="text",
                   help="the format of OUT/step-N-<base>-<other>.<fmt>, one per step")
    a = sub.add_parser("advise", help="which allocation API to use, from measurements")
    a.add_argument("--size", type=parse_size, required=True)
    a.add_argument("--atomic", action="store_true", help="the caller may not sleep")
    a.add_argument("--contiguous", action="store_true", help="physically contiguous memory is needed")
    use = a.add_mutually_exclusive_group()
    use.add_argument("--hot", dest="hot", action="store_const", const=True,
                     help="many objects of this size on a hot path (per I/O); the default up to 16K")
    use.add_argument("--one-off", dest="hot", action="store_const", const=False,
                     help="one buffer held long (e.g. allocated at probe time); the default above 16K")
    a.add_argument("--forward-progress", action="store_true",
                   help="allocations must succeed under memory pressure (considers mempools)")
    a.add_argument("--results", required=True)
    args = p.parse_args(argv)
    try:
        if args.cmd == "html":
            index = write_report([load_run(r) for r in args.results], args.out)
            print(f"report: {index}")
            return 0
        if args.cmd == "compare":
            base, other = load_run(args.base), load_run(args.other)
            v = Verdicts(f"{other.label} against {base.label}", compare(base, other), args.fail_above)
            text = FORMATS[args.format](v)
            if args.output:
                try:
                    with open(args.output, "w") as f:
                        f.write(text)
                except OSError as e:
                    raise SchemaError(f"cannot write {args.output}: {e.strerror}") from None
                if v.threshold is not None:
                    print(v.gate())
            else:
                sys.stdout.write(text)
            if v.threshold is not None and (args.output or args.format != "text"):  # else the text lists them
                for c in v.failures[:20]:
                    print(f"regression: {c.name}: {c.verdict()}", file=sys.stderr)
                if len(v.failures) > 20:
                    print(f"... and {len(v.failures) - 20} more", file=sys.stderr)
            return v.exit_code()
        if args.cmd == "matrix":
            return _matrix(args)
        adv = advise(load_run(args.results), args.size, args.atomic, args.contiguous, args.hot,
                     args.forward_progress)
        print("\n".join(adv.lines()))
        return 0 if adv.best else 4
    except SchemaError as e:
        print(f"kbench report: error: {e}", file=sys.stderr)
        return 1


def _matrix(args) -> int:
    from pathlib import Path
    runs = [load_run(r) for r in args.results]
    if len(runs) < 2:
        raise SchemaError("a matrix needs two or more results.json files")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    steps = compare_steps(runs)
    suffix = {"text": "txt", "ktap": "ktap", "junit": "xml"}[args.format]
    for i, step in enumerate(steps, start=1):
        v = Verdicts(f"{step.other.label} against {step.base.label}", step.changes, args.fail_above)
        name = f"step-{i}-{step.base.kernel}-{step.other.kernel}.{suffix}"
        (out / name).write_text(FORMATS[args.format](v))
        sig = [c for c in step.changes if c.significant]
        slower = sum(c.ratio > 1 for c in sig)
        print(f"{step.base.kernel} -> {step.other.kernel}: {len(step.changes)} measurements, "
              f"{len(v.tested)} tested, {slower} regressions, {len(sig) - slower} improvements ({out / name})")
        for c in sorted(sig, key=lambda c: -abs(c.ratio - 1))[:5]:
            print(f"  {'FAIL ' if v.failed(c) else ''}{c.name}: {c.verdict()}")
    index = write_report(runs, out / "report", matrix=True)
    print(f"report: {index}")
    whole = Verdicts("the matrix", [c for s in steps for c in s.changes], args.fail_above)
    if whole.threshold is not None:
        print(f"significant regressions above {whole.threshold:.1%} across the matrix: {len(whole.failures)}")
    return whole.exit_code()


if __name__ == "__main__":
    sys.exit(main())
