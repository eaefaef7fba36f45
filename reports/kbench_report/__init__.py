# SPDX-License-Identifier: GPL-2.0
"""kbench_report: HTML reports and a driver API advisor from kbench results.json files.

Public API:
    load_run(path) -> Run              read one results.json (current or older schema)
    with_config_fields(benchmarks, context)  results.json's entries, each with its configuration's fields
    write_report(runs, out_dir) -> Path    write out_dir/index.html with its plots
    advise(run, size, atomic, contiguous) -> Advice
"""
from ._advise import Advice, advise
from ._html import write_report
from ._load import Measurement, Run, SchemaError, load_run, with_config_fields

__all__ = ["Advice", "Measurement", "Run", "SchemaError", "advise", "load_run", "with_config_fields", "write_report"]
