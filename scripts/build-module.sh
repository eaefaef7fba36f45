#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh - build kbench.ko against one kernel's headers.
#
# Usage: build-module.sh KDIR OUTDIR
# Copies kbench-module/ to OUTDIR/src (Kbuild before 6.13 cannot put an
# external module's objects elsewhere), builds it there with W=1, and
# leaves OUTDIR/kbench.ko and OUTDIR/build.log. Incremental: unchanged
# sources keep their objects. Prints the .ko path on stdout.
set -euo pipefail

kdir=${1:?usage: build-module.sh KDIR OUTDIR}
out=${2:?usage: build-module.sh KDIR OUTDIR}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -f "$kdir/Makefile" ]; then
	echo "build-module: no kernel build tree at $kdir" >&2
	echo "hint: install the headers (apt-get install linux-headers-\$(uname -r)) or use a QEMU target" >&2
	exit 1
fi
for tool in make gcc; do
	command -v "$tool" >/dev/null || { echo "build-module: $tool is missing (apt-get install build-essential)" >&2; exit 1; }
done
mkdir -p "$out/src"
cp -a "$here/kbench-module/." "$out/src/"
if ! make -C "$out/src" KDIR="$kdir" >"$out/build.log" 2>&1; then
	echo "build-module: building kbench.ko against $kdir failed; last lines of $out/build.log:" >&2
	tail -n 25 "$out/build.log" >&2
	exit 1
fi
if grep -q 'warning:' "$out/build.log"; then
	echo "build-module: warnings while building kbench.ko (see $out/build.log):" >&2
	grep 'warning:' "$out/build.log" >&2 || true
fi
cp "$out/src/kbench.ko" "$out/kbench.ko"
printf '%s\n' "$out/kbench.ko"
