#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-checkpatch.sh - scripts/checkpatch.pl and the data files it reads,
# taken from Debian's linux-source-6.12 tarball and cached.
#
# Usage: fetch-checkpatch.sh CACHE_DIR    Prints the path of checkpatch.pl.
set -euo pipefail

cache=${1:?usage: fetch-checkpatch.sh CACHE_DIR}
dest="$cache/checkpatch"
if [ -x "$dest/scripts/checkpatch.pl" ]; then
	printf '%s\n' "$dest/scripts/checkpatch.pl"
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
	"$top/Documentation/userspace-api/ioctl/ioctl-number.rst"
mkdir -p "$dest.tmp/out"
mv "$dest.tmp/$top/scripts" "$dest.tmp/$top/Documentation" "$dest.tmp/out/"
rm -rf "$dest"
mv "$dest.tmp/out" "$dest"
rm -rf "$dest.tmp"
printf '%s\n' "$dest/scripts/checkpatch.pl"
