# SPDX-License-Identifier: GPL-2.0
"""python3 -m kbench_report html RESULTS.json... --out DIR
python3 -m kbench_report advise --size 256K [--atomic] [--contiguous] --results RESULTS.json"""
from __future__ import annotations

import argparse
import sys

from . import SchemaError, advise, load_run, write_report
from ._compare import compare


def parse_size(text: str) -> int:
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(t[-1:], 1)
    try:
        return int(t[:-1] if mult > 1 else t) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad size '{text}': write e.g. 64, 4K, 256K or 4M") from None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="kbench_report", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("html", help="write DIR/index.html with plots of one or more results.json files")
    h.add_argument("results", nargs="+")
    h.add_argument("--out", required=True)
    c = sub.add_parser("compare", help="compare two results.json files: ratios and significance")
    c.add_argument("base")
    c.add_argument("other")
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
            changes = compare(base, other)
            print(f"{other.label} against {base.label}: {len(changes)} measurements in both")
            for ch in sorted(changes, key=lambda c: (not c.significant, -abs(c.ratio - 1))):
                print(f"  {ch.name:70s} {ch.verdict()}")
            return 0
        adv = advise(load_run(args.results), args.size, args.atomic, args.contiguous, args.hot,
                     args.forward_progress)
        print("\n".join(adv.lines()))
        return 0 if adv.best else 4
    except SchemaError as e:
        print(f"kbench report: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
