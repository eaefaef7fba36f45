#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh - download one Debian cloud kernel and its headers, unpacked
# (not installed) under a cache directory, for the QEMU target.
#
# Usage: fetch-kernel.sh SERIES CACHE_DIR
#   SERIES     6.1 or 6.12 (any series Debian ships a cloud-amd64 kernel for)
#   CACHE_DIR  where kernels live; the kernel goes to CACHE_DIR/<release>/
#
# Prints the kernel directory on stdout; everything else goes to stderr.
# The newest version in the apt lists is chosen, so ABI bumps need no edit.
# Layout of CACHE_DIR/<release>/:
#   vmlinuz, config, System.map   the kernel image and its build facts
#   root/                         image + headers packages unpacked
#   kdir -> root/usr/src/linux-headers-<release>   (KDIR for Kbuild)
#   modules/                      root/lib/modules/<release>
set -euo pipefail

series=${1:?usage: fetch-kernel.sh SERIES CACHE_DIR}
cache=${2:?usage: fetch-kernel.sh SERIES CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

log() { printf 'fetch-kernel: %s\n' "$*" >&2; }

# Debian names 6.1 images linux-image-6.1.0-<abi>-cloud-amd64-unsigned and
# 6.12 backports linux-image-6.12.<n>+deb12-cloud-amd64-unsigned.
list_images() {
	apt-cache pkgnames "linux-image-$1" 2>/dev/null |
		grep -E -- "^linux-image-$(printf '%s' "$1" | sed 's/\./\\./g')[.-][0-9][^ ]*-cloud-amd64-unsigned$" |
		sort -V
}

pkg=$(list_images "$series" | tail -n 1 || true)
if [ -z "$pkg" ]; then
	log "no cached apt lists know a $series cloud kernel; running apt-get update"
	apt-get update -qq >&2
	pkg=$(list_images "$series" | tail -n 1 || true)
fi
if [ -z "$pkg" ]; then
	log "error: Debian offers no linux-image-$series*-cloud-amd64-unsigned package."
	log "hint: check /etc/apt/sources.list has bookworm and bookworm-security (6.12 is in bookworm-security)."
	exit 1
fi
release=${pkg#linux-image-}
release=${release%-unsigned}
kdir_rel="root/usr/src/linux-headers-$release"
dest="$cache/$release"

if [ -e "$dest/.complete" ]; then
	printf '%s\n' "$dest"
	exit 0
fi

log "fetching $release (image + headers) into $dest"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/debs" "$dest.tmp/root"
# The headers package pulls its -common and linux-kbuild siblings; take the
# names from apt so ABI-specific names need no pattern matching here.
pkgs=("$pkg" "linux-headers-$release")
while read -r dep; do
	case "$dep" in
	linux-headers-*-common* | linux-kbuild-*) pkgs+=("$dep") ;;
	esac
done < <(apt-cache depends "linux-headers-$release" | sed -n 's/^ *|\{0,1\}Depends: //p')

(cd "$dest.tmp/debs" && apt-get download -q "${pkgs[@]}" >&2)
for deb in "$dest.tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dest.tmp/root"
done
rm -rf "$dest.tmp/debs"

cp "$dest.tmp/root/boot/vmlinuz-$release" "$dest.tmp/vmlinuz"
cp "$dest.tmp/root/boot/config-$release" "$dest.tmp/config"
cp "$dest.tmp/root/boot/System.map-$release" "$dest.tmp/System.map"
ln -s "$kdir_rel" "$dest.tmp/kdir"
ln -s "root/lib/modules/$release" "$dest.tmp/modules"
if [ ! -f "$dest.tmp/$kdir_rel/Makefile" ]; then
	log "error: $kdir_rel/Makefile missing after unpacking ${pkgs[*]}"
	exit 1
fi
printf '%s\n' "$release" > "$dest.tmp/release"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
# Debian's header Makefile includes /usr/src/linux-headers-*-common by
# absolute path; point it into the unpacked tree instead.
sed -i "s|^include /usr/src/|include $dest/root/usr/src/|" "$dest/$kdir_rel/Makefile"
touch "$dest/.complete"
printf '%s\n' "$dest"
