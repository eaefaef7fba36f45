#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# list-kernels.sh - the Debian kernels a QEMU target can boot: every
# cloud and rt amd64 image in the apt lists, its target name, package
# version, and whether it is in the cache already.
#
# Usage: list-kernels.sh CACHE_DIR
set -euo pipefail

cache=${1:?usage: list-kernels.sh CACHE_DIR}
images() {
	apt-cache pkgnames linux-image- 2>/dev/null |
		grep -E -- '^linux-image-[0-9]+\.[0-9]+[^ ]*-(cloud|rt)-amd64-unsigned$' | sort -V || true
}
list=$(images)
if [ -z "$list" ]; then
	echo "list-kernels: the apt lists know no kernel images; running apt-get update" >&2
	apt-get update -qq >&2
	list=$(images)
fi
printf '%-24s %-30s %-22s %s\n' "target" "kernel" "package version" "cached"
# One apt-cache call for every version (each call loads the whole cache).
# shellcheck disable=SC2086
versions=$(apt-cache show --no-all-versions $list 2>/dev/null |
	awk '/^Package: /{p=$2} /^Version: /{print p, $2}')
printf '%s\n' "$list" |
	while read -r pkg; do
		release=${pkg#linux-image-}
		release=${release%-unsigned}
		case "$release" in *-rt-amd64) rt=-rt ;; *) rt= ;; esac
		# The exact build as a target: 6.12.107 from 6.12.107+deb12-..., 6.1.0-57 from 6.1.0-57-...
		build=$(printf '%s' "$release" | sed -E 's/^([0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?).*/\1/')
		version=$(printf '%s\n' "$versions" | awk -v p="$pkg" '$1 == p {print $2; exit}')
		cached=no
		[ -e "$cache/$release/.complete" ] && cached=yes
		printf '%-24s %-30s %-22s %s\n' "qemu:$build$rt" "$release" "${version:--}" "$cached"
	done
echo "(qemu:6.1 and qemu:6.12 take the newest build of the series; add -rt for PREEMPT_RT)"
