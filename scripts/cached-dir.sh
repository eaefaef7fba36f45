# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# cached-dir.sh - sourced by the scripts that make a cached directory once
# (make-buildroot.sh, make-test-image.sh): the "made already?" check and
# the lock that keeps two makers from making the same one.
#
# cached_dir_or_lock DEST CACHE WHAT: when DEST is complete (DEST/.complete),
# prints DEST and ends the calling script. Otherwise, as root only (WHAT
# names what needs it, for the error), takes CACHE/.lock on fd 9 for the
# rest of the script and checks again: a maker that waited finds the
# directory the other made. The caller's log() reports the error.
cached_dir_or_lock() {
	local dest=$1 cache=$2 what=$3
	if [ -e "$dest/.complete" ]; then
		printf '%s\n' "$dest"
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		log "error: making $what needs root"
		log "hint: run kbench (or the tests) as root, as the QEMU and host targets expect"
		exit 1
	fi
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
	if [ -e "$dest/.complete" ]; then
		printf '%s\n' "$dest"
		exit 0
	fi
}
