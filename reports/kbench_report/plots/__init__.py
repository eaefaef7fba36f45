# SPDX-License-Identifier: GPL-2.0
"""Plot registry. Each module has KEY, TITLE and plot(run) returning a
matplotlib Figure, or a string saying why the run has no data for it (the
report then shows the note instead of an empty plot). Add a plot here."""
from . import (access, contention, counters, footprint, fragmentation, gfp_heatmap, patterns, size_curve, stages, steady,
               zeroing)

PLOTS = [size_curve, steady, contention, fragmentation, gfp_heatmap, patterns, stages, footprint, access, zeroing,
         counters]
