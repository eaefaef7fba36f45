#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-test-image.sh - a Debian 12 machine as kbench's users have one, as a
# disk image QEMU boots: systemd and udev, Debian's cloud kernel with its
# headers, and what install-deps.sh installs for `make install` (kbench's
# build and run dependencies, DKMS) plus perf and pytest. Made once with Debian's
# mmdebstrap from Debian's archive and cached.
#
# At boot a systemd unit mounts the second disk (/dev/vdb) at the path the
# kernel command line names (kbench_repo=PATH: a copy of the repository,
# at the path its build tree was configured for), runs
# PATH/tests/vm/guest-test.sh there with the third disk (/dev/vdc) for its
# results, and powers the machine off when that ends.
#
# Usage: make-test-image.sh CACHE_DIR
# Prints the image's directory on stdout (disk.img, vmlinuz, initrd.img,
# release); everything else goes to stderr.
set -euo pipefail

cache=${1:?usage: make-test-image.sh CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mirror=${KB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${KB_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
log() { printf 'make-test-image: %s\n' "$*" >&2; }

pkgs=(systemd-sysv udev kmod initramfs-tools linux-image-cloud-amd64 linux-headers-cloud-amd64 linux-perf python3-pytest)
deps=$("$here/install-deps.sh" --list install)
mapfile -t -O "${#pkgs[@]}" pkgs <<<"$deps"
list=$(printf '%s\n' "${pkgs[@]}" | sort -u | paste -sd, -)

# The boot hook: what the image does with the repository disk. (Single
# quotes on purpose here and in the hooks below: the guest's shell and
# mmdebstrap's expand them.)
# shellcheck disable=SC2016
entry='#!/bin/sh
# kbench-vm-entry: mount the repository disk where kbench_repo= says, run
# its guest test, power off.
repo=$(sed -n "s/.*kbench_repo=\([^ ]*\).*/\1/p" /proc/cmdline)
if [ -n "$repo" ]; then
	mkdir -p "$repo"
	mount /dev/vdb "$repo" && sh "$repo/tests/vm/guest-test.sh" "$repo" /dev/vdc
	umount "$repo"
fi
systemctl poweroff'
unit='[Unit]
Description=kbench: the steps of the README on a Debian machine
After=local-fs.target systemd-udevd.service systemd-modules-load.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kbench-vm-entry
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target'

tag=$(printf '%s\n' "$list" "$entry" "$unit" | cksum | cut -d' ' -f1)
dest="$cache/debian12-$tag"
# shellcheck source=scripts/cached-dir.sh
. "$here/cached-dir.sh"
cached_dir_or_lock "$dest" "$cache" "the Debian test image (mmdebstrap)"
root="$dest.root"
rm -rf --one-file-system "$root" "$dest.tmp"
mkdir -p "$dest.tmp/files"
printf '%s\n' "$entry" >"$dest.tmp/files/kbench-vm-entry"
chmod 755 "$dest.tmp/files/kbench-vm-entry"
printf '%s\n' "$unit" >"$dest.tmp/files/kbench-vm-test.service"
log "making a Debian 12 image with ${#pkgs[@]} packages in $dest (once; a few minutes, about 2 GB)"
# bookworm-security and -updates too: the newest 6.1 kernel, as apt upgrade gives.
# shellcheck disable=SC2016
if ! unshare --mount --propagation private mmdebstrap --quiet --variant=minbase --include="$list" \
	--customize-hook='echo kbench-test >"$1/etc/hostname"' \
	--customize-hook='printf "/dev/vda / ext4 rw 0 1\n" >"$1/etc/fstab"' \
	--customize-hook="copy-in $dest.tmp/files/kbench-vm-entry /usr/local/sbin" \
	--customize-hook="copy-in $dest.tmp/files/kbench-vm-test.service /etc/systemd/system" \
	--customize-hook='ln -s ../kbench-vm-test.service "$1/etc/systemd/system/multi-user.target.wants/kbench-vm-test.service"' \
	bookworm "$root" \
	"deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main" >&2; then
	rm -rf --one-file-system "$root" "$dest.tmp"
	log "error: mmdebstrap of bookworm failed (see above)"
	log "hint: it needs the Debian archive ($mirror) to be reachable"
	exit 1
fi
release=$(basename "$(ls -d "$root"/lib/modules/*)")
rm -rf "$dest.tmp/files"
cp "$root/boot/vmlinuz-$release" "$dest.tmp/vmlinuz"
cp "$root/boot/initrd.img-$release" "$dest.tmp/initrd.img"
printf '%s\n' "$release" >"$dest.tmp/release"
printf '%s\n' "${pkgs[@]}" >"$dest.tmp/packages"
# A sparse file: the disk is as big as the packages, not as its size.
mke2fs -q -t ext4 -L kbench-test -d "$root" "$dest.tmp/disk.img" 6G >&2
rm -rf --one-file-system "$root"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$dest/.complete"
log "image ready: Linux $release"
printf '%s\n' "$dest"
