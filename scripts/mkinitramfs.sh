#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh - pack a staged guest root into a gzip'd newc cpio.
# Usage: mkinitramfs.sh STAGE_DIR OUTPUT.cpio.gz
set -euo pipefail
stage=${1:?usage: mkinitramfs.sh STAGE_DIR OUTPUT}
out=${2:?usage: mkinitramfs.sh STAGE_DIR OUTPUT}
command -v cpio >/dev/null || { echo "mkinitramfs: cpio is missing (apt-get install cpio)" >&2; exit 1; }
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0 | gzip -1) > "$out_abs"
