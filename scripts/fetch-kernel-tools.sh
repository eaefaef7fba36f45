#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel-tools.sh - the kernel tree's own tools that kbench's tests
# judge it with, taken from Debian's linux-source-6.12 tarball and cached:
# scripts/checkpatch.pl and the data files it reads, ioctl-number.rst,
# and kunit's KTAP parser (tools/testing/kunit) with ktap.rst, the format's
# definition.
#
# Usage: fetch-kernel-tools.sh CACHE_DIR    Prints the directory: DIR/scripts/checkpatch.pl,
#        DIR/tools/testing/kunit/kunit_parser.py, DIR/Documentation/...
set -euo pipefail

cache=${1:?usage: fetch-kernel-tools.sh CACHE_DIR}
dest="$cache/kernel-tools"
if [ -x "$dest/scripts/checkpatch.pl" ] && [ -f "$dest/tools/testing/kunit/kunit_parser.py" ]; then
	printf '%s\n' "$dest"
	exit 0
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/deb"
(cd "$dest.tmp/deb" && apt-get download -q linux-source-6.12 >&2)
dpkg-deb --fsys-tarfile "$dest.tmp"/deb/*.deb |
	tar -x -C "$dest.tmp" --wildcards './usr/src/linux-source-6.12.tar.*'
tarball=$(ls "$dest.tmp"/usr/src/linux-source-6.12.tar.*)
top=linux-source-6.12
tar -x -C "$dest.tmp" -f "$tarball" \
	"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch" \
	"$top/Documentation/userspace-api/ioctl/ioctl-number.rst" \
	"$top/Documentation/dev-tools/ktap.rst" \
	"$top/tools/testing/kunit/kunit_parser.py" \
	"$top/tools/testing/kunit/kunit_printer.py"
mkdir -p "$dest.tmp/out"
mv "$dest.tmp/$top/scripts" "$dest.tmp/$top/Documentation" "$dest.tmp/$top/tools" "$dest.tmp/out/"
rm -rf "$dest"
mv "$dest.tmp/out" "$dest"
rm -rf "$dest.tmp"
printf '%s\n' "$dest"
