#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-buildroot.sh - a Debian root (chroot) with a kernel's own toolchain,
# made once with Debian's mmdebstrap from Debian's archive and cached.
# Needed where this machine cannot build a kernel's module: sid's 7.x
# headers were built with gcc-16 and their kbuild tools need glibc >= 2.38,
# which bookworm lacks.
#
# Usage: make-buildroot.sh SUITE CACHE_DIR PACKAGE...
#   SUITE      the Debian suite the kernel came from (sid)
#   CACHE_DIR  where roots live; this one goes to CACHE_DIR/SUITE-<hash>/,
#              <hash> naming the package list, so a kernel that needs
#              other packages gets another root
#   PACKAGE    what to install beyond the buildd variant (make, libc6-dev):
#              the compiler package and the kbuild tools' libraries
# Prints the root's directory on stdout; everything else goes to stderr.
set -euo pipefail

suite=${1:?usage: make-buildroot.sh SUITE CACHE_DIR PACKAGE...}
cache=${2:?usage: make-buildroot.sh SUITE CACHE_DIR PACKAGE...}
shift 2
mirror=${KB_SID_MIRROR:-http://deb.debian.org/debian}
log() { printf 'make-buildroot: %s\n' "$*" >&2; }

pkgs=$(printf '%s\n' "$@" | sort -u | paste -sd, -)
tag=$(printf '%s' "$suite $pkgs" | cksum | cut -d' ' -f1)
dest="$cache/$suite-$tag"
# One maker at a time: a second run waits, then finds the root made.
# shellcheck source=scripts/cached-dir.sh
. "$(dirname "$0")/cached-dir.sh"
cached_dir_or_lock "$dest" "$cache" "a Debian $suite build root (mmdebstrap and chroot)"
if ! command -v mmdebstrap >/dev/null; then
	log "installing mmdebstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >&2
fi
# As root, mmdebstrap mounts /proc, /sys and /dev inside the root it
# makes: in a mount namespace of its own, none of them outlives it (a
# killed mmdebstrap leaves no mount that a later rm -rf could go through).
rm -rf --one-file-system "$dest.tmp"
log "making a Debian $suite root with ${pkgs//,/ } in $dest (once; about 20 s and 600 MB)"
# sid's Release file served here is past its Valid-Until date: accept it
# (its signature is still checked).
if ! unshare --mount --propagation private mmdebstrap --quiet --variant=buildd \
	--aptopt='Acquire::Check-Valid-Until "false"' --include="$pkgs" "$suite" "$dest.tmp" "$mirror" >&2; then
	rm -rf --one-file-system "$dest.tmp"
	log "error: mmdebstrap of $suite failed (see above)"
	log "hint: it needs the Debian archive ($mirror) to be reachable"
	exit 1
fi
printf '%s\n' "$pkgs" >"$dest.tmp/.packages"
rm -rf --one-file-system "$dest"
mv "$dest.tmp" "$dest"
touch "$dest/.complete"
printf '%s\n' "$dest"
