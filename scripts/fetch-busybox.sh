#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-busybox.sh - a static busybox for the guest initramfs, from Debian's
# busybox-static package, unpacked (not installed: it conflicts with busybox).
#
# Usage: fetch-busybox.sh CACHE_DIR    Prints the binary's path.
set -euo pipefail

cache=${1:?usage: fetch-busybox.sh CACHE_DIR}
dest="$cache/busybox"
if [ -x "$dest/bin/busybox" ]; then
	printf '%s\n' "$dest/bin/busybox"
	exit 0
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/deb"
(cd "$dest.tmp/deb" && apt-get download -q busybox-static >&2) || {
	echo "fetch-busybox: apt-get download busybox-static failed" >&2
	echo "hint: run apt-get update, and check that Debian's archive is reachable" >&2
	exit 1
}
dpkg-deb -x "$dest.tmp"/deb/*.deb "$dest.tmp/root"
mkdir -p "$dest.tmp/bin"
cp "$dest.tmp/root/bin/busybox" "$dest.tmp/bin/busybox"
rm -rf "$dest.tmp/deb" "$dest.tmp/root" "$dest"
mv "$dest.tmp" "$dest"
printf '%s\n' "$dest/bin/busybox"
