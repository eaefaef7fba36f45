#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh - build kbench.ko against one kernel's headers.
#
# Usage: build-module.sh KDIR OUTDIR [BUILDROOT]
# Copies kbench-module/ to OUTDIR/src (Kbuild before 6.13 cannot put an
# external module's objects elsewhere), builds it there with W=1, and
# leaves OUTDIR/kbench.ko, OUTDIR/build.log and OUTDIR/compiler (what
# built it, read from the module's own .comment section). Incremental:
# unchanged sources keep their objects. Prints the .ko path on stdout.
#   BUILDROOT  a Debian root with the kernel's own compiler
#              (make-buildroot.sh): the build runs chrooted there, with
#              KDIR's parent directory (the unpacked kernel: KDIR and what
#              it links to) and OUTDIR mounted at their own paths
set -euo pipefail

kdir=${1:?usage: build-module.sh KDIR OUTDIR}
out=${2:?usage: build-module.sh KDIR OUTDIR}
buildroot=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -f "$kdir/Makefile" ]; then
	echo "build-module: no kernel build tree at $kdir" >&2
	echo "hint: install the headers (apt-get install linux-headers-\$(uname -r)) or use a QEMU target" >&2
	exit 1
fi
mkdir -p "$out/src"
out=$(cd "$out" && pwd)
cp -a "$here/kbench-module/." "$out/src/"
if [ -n "$buildroot" ]; then
	kernel=$(cd "$(dirname "$kdir")" && pwd)
	kdir="$kernel/$(basename "$kdir")"
	# A mount namespace of its own: every mount goes when the build ends,
	# however it ends. objtool reads /proc. (The script's variables are
	# its own positional arguments: single quotes on purpose.)
	build() {
		# shellcheck disable=SC2016
		unshare --mount --propagation private sh -euc '
			root=$1 kernel=$2 out=$3 kdir=$4
			mkdir -p "$root/proc" "$root$kernel" "$root$out"
			mount -t proc proc "$root/proc"
			mount --rbind /dev "$root/dev"
			mount --bind "$kernel" "$root$kernel"
			mount --bind "$out" "$root$out"
			exec chroot "$root" make -C "$out/src" KDIR="$kdir"' sh "$buildroot" "$kernel" "$out" "$kdir"
	}
else
	for tool in make gcc; do
		command -v "$tool" >/dev/null || { echo "build-module: $tool is missing (apt-get install build-essential)" >&2; exit 1; }
	done
	build() { make -C "$out/src" KDIR="$kdir"; }
fi
if ! build >"$out/build.log" 2>&1; then
	echo "build-module: building kbench.ko against $kdir failed; last lines of $out/build.log:" >&2
	tail -n 25 "$out/build.log" >&2
	exit 1
fi
if grep -q 'warning:' "$out/build.log"; then
	echo "build-module: warnings while building kbench.ko (see $out/build.log):" >&2
	grep 'warning:' "$out/build.log" >&2 || true
fi
cp "$out/src/kbench.ko" "$out/kbench.ko"
# The compiler that built it, as the object says (GCC: (Debian 16.2.0-4) 16.2.0).
if command -v readelf >/dev/null; then
	readelf -p .comment "$out/kbench.ko" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *//p' | sort -u | paste -sd';' - >"$out/compiler" || true
else
	echo "unknown (no readelf: apt-get install binutils)" >"$out/compiler"
fi
printf '%s\n' "$out/kbench.ko"
