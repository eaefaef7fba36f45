#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh - download one Debian kernel and its headers, unpacked
# (not installed) under a cache directory, for the QEMU target.
#
# Usage: fetch-kernel.sh SERIES CACHE_DIR
#   SERIES     6.1 or 6.12: the newest build of that series in the apt lists;
#              6.12.107 or 6.1.0-57: that exact build; a -rt suffix (6.12-rt,
#              6.12.107-rt) takes the PREEMPT_RT flavour instead of cloud
#   CACHE_DIR  where kernels live; the kernel goes to CACHE_DIR/<release>/
#
# Prints the kernel directory on stdout; everything else goes to stderr.
# The newest matching version in the apt lists is chosen, so ABI bumps need
# no edit.
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

case "$series" in
*-rt) version=${series%-rt} flavour=rt-amd64 ;;
*) version=$series flavour=cloud-amd64 ;;
esac
if ! printf '%s' "$version" | grep -Eq '^[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+)?$'; then
	log "error: '$series' is not a kernel series: 6.1, 6.12, an exact build such as 6.12.107, or any of them with -rt"
	exit 1
fi

# Debian names 6.1 images linux-image-6.1.0-<abi>-<flavour>-unsigned and
# 6.12 ones linux-image-6.12.<n>+deb12-<flavour>-unsigned: the version asked
# for is followed by ., + or - (so 6.1 is not 6.12, nor 6.12.1 6.12.107).
list_images() {
	apt-cache pkgnames "linux-image-$1" 2>/dev/null |
		grep -E -- "^linux-image-$(printf '%s' "$1" | sed 's/\./\\./g')([.+-][^ ]*)?-$2-unsigned$" |
		sort -V
}

pkg=$(list_images "$version" "$flavour" | tail -n 1 || true)
# Lists that know other kernels are current enough: the series is not offered.
if [ -z "$pkg" ] && [ -z "$(apt-cache pkgnames linux-image- 2>/dev/null | head -n 1)" ]; then
	log "the apt lists know no kernel image; running apt-get update"
	apt-get update -qq >&2
	pkg=$(list_images "$version" "$flavour" | tail -n 1 || true)
fi
if [ -z "$pkg" ]; then
	log "error: Debian offers no linux-image-$version*-$flavour-unsigned package."
	log "hint: kbench kernels lists what it offers; check /etc/apt/sources.list has bookworm and bookworm-security (6.12 is in bookworm-security)."
	exit 1
fi
release=${pkg#linux-image-}
release=${release%-unsigned}
# The package's exact version, recorded with the results.
pkg_version=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
kdir_rel="root/usr/src/linux-headers-$release"
dest="$cache/$release"

if [ -e "$dest/.complete" ]; then
	[ -s "$dest/package_version" ] || printf '%s\n' "$pkg_version" >"$dest/package_version"
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
printf '%s\n' "$pkg_version" > "$dest.tmp/package_version"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
# Debian's header Makefile includes /usr/src/linux-headers-*-common by
# absolute path; point it into the unpacked tree instead.
sed -i "s|^include /usr/src/|include $dest/root/usr/src/|" "$dest/$kdir_rel/Makefile"
touch "$dest/.complete"
printf '%s\n' "$dest"
