#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# list-kernels.sh - the Debian kernels a QEMU target can boot: every
# cloud and rt amd64 image in this machine's apt lists (bookworm) and in
# Debian sid's (7.x, lists of kbench's own), its target name, package
# version, suite, and whether it is in the cache already.
#
# Usage: list-kernels.sh CACHE_DIR
set -euo pipefail

cache=${1:?usage: list-kernels.sh CACHE_DIR}
KB_APT_STATE="$cache/apt"
# shellcheck source=scripts/debian-archive.sh
. "$(dirname "$0")/debian-archive.sh"
images() { # SUITE
	archive_apt "$1" apt-cache pkgnames linux-image- 2>/dev/null |
		grep -E -- "^linux-image-[0-9]+\.[0-9]+[^ ]*-(cloud|rt)-amd64$(archive_image_suffix "$1")\$" | sort -V || true
}
printf '%-24s %-30s %-22s %-7s %s\n' "target" "kernel" "package version" "suite" "cached"
for suite in host sid; do
	# Offline, what the lists already know is still listed.
	if archive_empty "$suite" && ! archive_update "$suite"; then
		echo "list-kernels: warning: could not fetch the $suite lists (offline?)" >&2
	fi
	list=$(images "$suite")
	[ -n "$list" ] || continue
	suffix=$(archive_image_suffix "$suite")
	# One apt-cache call for every version (each call loads the whole cache).
	# shellcheck disable=SC2086
	versions=$(archive_apt "$suite" apt-cache show --no-all-versions $list 2>/dev/null |
		awk '/^Package: /{p=$2} /^Version: /{print p, $2}')
	name=$suite
	[ "$suite" = host ] && name=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-host}")
	printf '%s\n' "$list" |
	while read -r pkg; do
		release=${pkg#linux-image-}
		release=${release%"$suffix"}
		case "$release" in *-rt-amd64) rt=-rt ;; *) rt= ;; esac
		# The exact build as a target: 6.12.107 from 6.12.107+deb12-..., 6.1.0-57 from 6.1.0-57-...
		build=$(printf '%s' "$release" | sed -E 's/^([0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?).*/\1/')
		version=$(printf '%s\n' "$versions" | awk -v p="$pkg" '$1 == p {print $2; exit}')
		cached=no
		[ -e "$cache/$release/.complete" ] && cached=yes
		printf '%-24s %-30s %-22s %-7s %s\n' "qemu:$build$rt" "$release" "${version:--}" "$name" "$cached"
	done
done
echo "(qemu:6.1, qemu:6.12 and qemu:7.2 take the newest build of the series; add -rt for PREEMPT_RT)"
