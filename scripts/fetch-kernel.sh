#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh - download one Debian kernel and its headers, unpacked
# (not installed) under a cache directory, for the QEMU target.
#
# Usage: fetch-kernel.sh SERIES CACHE_DIR
#   SERIES     6.1, 6.12 or 7.2: the newest build of that series Debian
#              offers; 6.12.107 or 6.1.0-57: that exact build; a -rt suffix
#              (6.12-rt, 6.12.107-rt) takes the PREEMPT_RT flavour instead
#              of cloud
#   CACHE_DIR  where kernels live; the kernel goes to CACHE_DIR/<release>/
#
# Prints the kernel directory on stdout; everything else goes to stderr.
# This machine's apt lists (bookworm: 6.1, 6.12) are searched first, then
# Debian sid's (7.x; lists of kbench's own under CACHE_DIR/apt). The newest
# matching version is chosen, so ABI bumps need no edit.
# Layout of CACHE_DIR/<release>/:
#   vmlinuz, config, System.map   the kernel image and its build facts
#   root/                         image + headers packages unpacked
#   kdir -> root/usr/src/linux-headers-<release>   (KDIR for Kbuild)
#   modules/                      root/lib/modules/<release> (bookworm only)
#   release, package_version, suite   what was fetched, from which
#                                 archive suite (bookworm-security, sid)
#   compiler                      the compiler that built the kernel
#   buildroot                     only when that compiler is not on this
#                                 machine (or its kbuild tools do not run
#                                 here): a Debian root that has it, made by
#                                 make-buildroot.sh under CACHE_DIR/../buildroots,
#                                 for build-module.sh
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

here=$(cd "$(dirname "$0")" && pwd)
KB_APT_STATE="$cache/apt"
# shellcheck source=scripts/debian-archive.sh
. "$here/debian-archive.sh"

# bookworm names 6.1 images linux-image-6.1.0-<abi>-<flavour>-unsigned and
# 6.12 ones linux-image-6.12.<n>+deb12-<flavour>-unsigned; sid (split
# packaging, no separate unsigned image) linux-image-7.2.<n>+deb14-<flavour>.
# The version asked for is followed by ., + or - (so 6.1 is not 6.12, nor
# 6.12.1 6.12.107).
list_images() { # SUITE VERSION FLAVOUR
	archive_apt "$1" apt-cache pkgnames "linux-image-$2" 2>/dev/null |
		grep -E -- "^linux-image-$(printf '%s' "$2" | sed 's/\./\\./g')([.+-][^ ]*)?-$3$(archive_image_suffix "$1")$" |
		sort -V
}

pkg='' suite=''
for s in host sid; do
	pkg=$(list_images "$s" "$version" "$flavour" | tail -n 1 || true)
	# Lists that know no kernel at all were never fetched (a fresh machine, or
	# sid's lists of kbench's own); lists that know others but not this one
	# may be stale only for sid, whose kernels move weekly.
	if [ -z "$pkg" ] && { archive_empty "$s" || [ "$s" = sid ]; }; then
		archive_update "$s"
		pkg=$(list_images "$s" "$version" "$flavour" | tail -n 1 || true)
	fi
	[ -n "$pkg" ] && suite=$s && break
done
if [ -z "$pkg" ]; then
	log "error: Debian offers no $flavour image of $version (neither this machine's apt lists nor sid)."
	log "hint: kbench kernels lists what it offers; check /etc/apt/sources.list has bookworm and bookworm-security (6.12 is in bookworm-security)."
	exit 1
fi
release=${pkg#linux-image-}
release=${release%"$(archive_image_suffix "$suite")"}
# The package's exact version, recorded with the results.
pkg_version=$(archive_apt "$suite" apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
kdir_rel="root/usr/src/linux-headers-$release"
dest="$cache/$release"

# The archive suite the package comes from (bookworm-security, sid), for
# the results; asked of apt only when it is not recorded yet.
archive_suite() {
	local a
	a=$(archive_apt "$suite" apt-cache madison "$pkg" 2>/dev/null |
		awk -F'|' -v v="$pkg_version" '{gsub(/ /, "", $2)} $2 == v {split($3, f, " "); sub(/\/.*/, "", f[2]); print f[2]; exit}')
	printf '%s\n' "${a:-$suite}"
}

# The compiler the kernel was built with, when this machine lacks it: a
# Debian root of the kernel's own suite that has it (cached), in which
# build-module.sh builds the module. Packages: the headers' own
# dependencies that are not kernel packages (gcc-16-for-host) and those
# of the kbuild tools (their libraries).
# toolchain_packages < the headers package's Depends
toolchain_packages() {
	local dep
	while read -r dep; do
		case "$dep" in
		linux-kbuild-*) archive_depends "$suite" "$dep" ;;
		linux-*) ;;
		*) printf '%s\n' "$dep" ;;
		esac
	done
}
# Whether this machine can run the kernel's kbuild tools: sid's modpost and
# objtool (behind wrapper scripts) are linked against a newer glibc than
# bookworm's, which the loader reports as "GLIBC_2.38 not found".
host_runs_kbuild_tools() {
	local f
	for f in "$dest/$kdir_rel"/scripts/mod/modpost* "$dest/$kdir_rel"/tools/objtool/objtool*; do
		[ -f "$f" ] || continue
		if ldd "$f" 2>&1 | grep -q 'not found'; then
			return 1
		fi
	done
	return 0
}
ensure_buildroot() {
	local cc text
	text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$dest/config")
	cc=${text%% *}
	printf '%s\n' "${cc:-unknown}" >"$dest/compiler"
	if [ -z "$cc" ] || { command -v "$cc" >/dev/null && host_runs_kbuild_tools; }; then
		rm -f "$dest/buildroot"
		return 0
	fi
	# Taken when the kernel was fetched: sid's lists forget old builds.
	[ -s "$dest/toolchain_packages" ] ||
		archive_depends "$suite" "linux-headers-$release" | toolchain_packages >"$dest/toolchain_packages"
	local pkgs=() root have
	mapfile -t pkgs <"$dest/toolchain_packages"
	log "$release was built with $cc, which this machine lacks (or cannot run its kbuild tools): the module is built in a Debian $suite root"
	root=$("$here/make-buildroot.sh" "$(cat "$dest/suite")" "$(dirname "$cache")/buildroots" "${pkgs[@]}")
	# The root has the compiler sid ships today; say so when that is not
	# the one the kernel was built with (the module records its own).
	have=$(chroot "$root" "$cc" --version 2>/dev/null | head -n 1 || true)
	[ "$have" = "$text" ] || log "warning: the kernel was built with '$text'; its module will be built with '${have:-no $cc}'"
	printf '%s\n' "$root" >"$dest/buildroot"
}

if [ -e "$dest/.complete" ]; then
	[ -s "$dest/package_version" ] || printf '%s\n' "$pkg_version" >"$dest/package_version"
	[ -s "$dest/suite" ] || archive_suite >"$dest/suite"
	ensure_buildroot
	printf '%s\n' "$dest"
	exit 0
fi

log "fetching $release (image + headers, Debian $suite) into $dest"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/debs" "$dest.tmp/root"
# The headers package pulls its -common and linux-kbuild siblings; take the
# names from apt so ABI-specific names need no pattern matching here. sid's
# image package holds no files: the kernel is in linux-binary-<release>,
# its config and System.map in linux-base-<release>.
pkgs=()
if archive_depends "$suite" "$pkg" | grep -qx "linux-binary-$release"; then
	pkgs+=("linux-binary-$release" "linux-base-$release")
else
	pkgs+=("$pkg")
fi
pkgs+=("linux-headers-$release")
headers_deps=$(archive_depends "$suite" "linux-headers-$release")
while read -r dep; do
	case "$dep" in
	linux-headers-*-common* | linux-kbuild-*) pkgs+=("$dep") ;;
	esac
done <<<"$headers_deps"

(cd "$dest.tmp/debs" && archive_apt "$suite" apt-get download -q "${pkgs[@]}" >&2)
for deb in "$dest.tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dest.tmp/root"
done
rm -rf "$dest.tmp/debs"

# bookworm puts the image under boot/, sid under usr/lib/modules/<release>/.
if [ -f "$dest.tmp/root/boot/vmlinuz-$release" ]; then
	cp "$dest.tmp/root/boot/vmlinuz-$release" "$dest.tmp/vmlinuz"
	cp "$dest.tmp/root/boot/config-$release" "$dest.tmp/config"
	cp "$dest.tmp/root/boot/System.map-$release" "$dest.tmp/System.map"
	ln -s "root/lib/modules/$release" "$dest.tmp/modules"
else
	for f in vmlinuz config System.map; do
		cp "$dest.tmp/root/usr/lib/modules/$release/$f" "$dest.tmp/$f"
	done
fi
ln -s "$kdir_rel" "$dest.tmp/kdir"
if [ ! -f "$dest.tmp/$kdir_rel/Makefile" ]; then
	log "error: $kdir_rel/Makefile missing after unpacking ${pkgs[*]}"
	exit 1
fi
printf '%s\n' "$release" > "$dest.tmp/release"
printf '%s\n' "$pkg_version" > "$dest.tmp/package_version"
archive_suite > "$dest.tmp/suite"
toolchain_packages <<<"$headers_deps" > "$dest.tmp/toolchain_packages"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
# Debian's header Makefile includes /usr/src/linux-headers-*-common by
# absolute path; point it into the unpacked tree instead.
# 7.x's also sets KBUILD_OUTPUT to its own /usr/src path.
sed -i -e "s|^include /usr/src/|include $dest/root/usr/src/|" \
	-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$dest/root/usr/src/|" "$dest/$kdir_rel/Makefile"
ensure_buildroot
touch "$dest/.complete"
printf '%s\n' "$dest"
