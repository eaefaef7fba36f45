# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# debian-archive.sh - sourced by the scripts that take kernels from
# Debian's archive. Two places hold kernels: this machine's own apt lists
# (bookworm and bookworm-security: 6.1, 6.12) and Debian sid (7.x), read
# through a sources file and lists of kbench's own so that nothing in
# /etc/apt changes. Every apt call goes through archive_apt SUITE, where
# SUITE is "host" or "sid".
#
# Set KB_APT_STATE (a directory) before calling anything here.

KB_SID_MIRROR=${KB_SID_MIRROR:-http://deb.debian.org/debian}

# The apt options for SUITE, one per line.
archive_opts() {
	case "$1" in
	host) ;;
	sid)
		local d="$KB_APT_STATE/sid"
		mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/sources.d"
		d=$(cd "$d" && pwd)
		# Written every time: a changed KB_SID_MIRROR applies to apt as it
		# does to mmdebstrap.
		cat >"$d/sid.sources" <<EOF
Types: deb
URIs: $KB_SID_MIRROR
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
		# sid's Release file here is past its Valid-Until date: accept it
		# (the signature is still checked). The host's apt preferences
		# (a pin of unstable at -1, say) do not apply to kbench's own lists.
		printf '%s\n' -o "Dir::Etc::SourceList=$d/sid.sources" -o "Dir::Etc::SourceParts=$d/sources.d" \
			-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d" -o Dir::State::Status=/dev/null \
			-o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$d/sources.d" \
			-o Acquire::Check-Valid-Until=false -o APT::Architecture=amd64
		;;
	*) echo "debian-archive: unknown suite $1" >&2; return 1 ;;
	esac
}

# archive_apt SUITE apt-get|apt-cache ARGS...
archive_apt() {
	local suite=$1 tool=$2
	shift 2
	local opts=() o
	# A suite whose options cannot be set up (a read-only cache) must not
	# fall back to the host's lists: stop.
	o=$(archive_opts "$suite") || return 1
	[ -n "$o" ] && mapfile -t opts <<<"$o"
	"$tool" "${opts[@]}" "$@"
}

# How SUITE's kernel image packages end: bookworm's unsigned images are
# linux-image-<release>-unsigned; sid (split packaging) has no separate
# unsigned image, its linux-image-<release> is the one to take.
archive_image_suffix() {
	[ "$1" = sid ] || printf '%s' -unsigned
}

# Refresh SUITE's lists (sid's own; the host's with a plain apt-get update).
archive_update() {
	echo "debian-archive: updating the apt lists of $1" >&2
	archive_apt "$1" apt-get update -qq >&2
}

# True when SUITE's lists know no package at all (never fetched).
archive_empty() {
	[ -z "$(archive_apt "$1" apt-cache pkgnames linux-image- 2>/dev/null | head -n 1)" ]
}

# The Depends of PKG in SUITE, one name per line (alternatives included).
archive_depends() {
	archive_apt "$1" apt-cache depends "$2" 2>/dev/null | sed -n 's/^ *|\{0,1\}Depends: //p' | grep -v '^<'
}
