#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh - install what kbench needs from Debian's packages.
#
# Usage: install-deps.sh run|install|test
#   run      building the runner, the module for the QEMU kernels, QEMU
#            itself, and the running kernel's headers when this machine can
#            load modules
#   install  all of that, plus DKMS (make install)
#   test     all of that, plus the test and lint tools
#   --list MODE  print that mode's packages, one per line, and install
#            nothing (what make-test-image.sh puts in its Debian image)
# Installs only what is missing, so a second call costs a few dpkg queries.
set -euo pipefail

list=false
if [ "${1:-}" = --list ]; then
	list=true
	shift
fi
mode=${1:-run}
run_pkgs=(
	build-essential cmake git ca-certificates
	nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libsqlite3-dev libpfm4-dev
	cpio xz-utils zstd kmod dwarves libelf1 gcc-12 mmdebstrap
	qemu-system-x86 python3 python3-scipy python3-matplotlib python3-numpy libbenchmark-tools
)
test_pkgs=(
	libgtest-dev libgmock-dev python3-pytest python3-junitparser clang-format clang-tidy chromium
)

pkgs=("${run_pkgs[@]}")
case $mode in
run) ;;
install) pkgs+=(dkms) ;;
test) pkgs+=(dkms "${test_pkgs[@]}") ;;
*) echo "install-deps: unknown mode '$mode' (run, install or test)" >&2; exit 1 ;;
esac
if $list; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

# On a machine that can load modules, the host target needs the headers of
# the running kernel. (Containers and VMs without module support skip this.)
if [ -e /proc/modules ] && [ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null || echo 0)" = 0 ]; then
	release=$(uname -r)
	[ -e "/lib/modules/$release/build/Makefile" ] || pkgs+=("linux-headers-$release")
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "hint: run as root (make run and make test install them), or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
	# The running kernel's headers may not be in the archive (a custom
	# kernel): the QEMU targets still work, so do not fail for them.
	others=()
	for p in "${missing[@]}"; do [[ $p == linux-headers-* ]] || others+=("$p"); done
	apt-get install -y -qq --no-install-recommends "${others[@]}" >&2
	echo "install-deps: warning: could not install the headers of $(uname -r); --target host will not work" >&2
fi
