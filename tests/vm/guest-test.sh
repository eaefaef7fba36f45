#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-test.sh - inside the Debian 12 test machine (make-test-image.sh),
# as root: the steps of the README's "Measuring on real hardware", run as a
# user runs them, each step's output and exit code kept; then all of it
# written as a tar to the results disk for tests/e2e/test_debian_vm.py.
#
# Usage: guest-test.sh REPO RESULTS_DEVICE
repo=${1:?usage: guest-test.sh REPO RESULTS_DEVICE}
dev=${2:?usage: guest-test.sh REPO RESULTS_DEVICE}
res=/root/vm-results
rm -rf "$res"
mkdir -p "$res"

# step NAME COMMAND: run it in a shell, keep its output, exit code, seconds.
step() {
	name=$1
	shift
	echo "kbench-vm: == $name: $*"
	t0=$(date +%s)
	sh -c "$*" >"$res/$name.log" 2>&1
	echo $? >"$res/$name.rc"
	echo $(($(date +%s) - t0)) >"$res/$name.seconds"
	echo "kbench-vm: $name exited $(cat "$res/$name.rc") after $(cat "$res/$name.seconds") s"
	tail -n 4 "$res/$name.log"
}

uname -r >"$res/release"
# The quick start, in the clone.
step make-run "cd '$repo' && make run CONFIG=configs/quick.toml"
cat /proc/modules >"$res/modules-after-run"
step history "'$repo/build/cmake/bin/kbench' history"
# make test's host-target tests.
step host-tests "cd '$repo' && /usr/bin/python3 -m pytest -p no:cacheprovider -ra \
	tests/e2e/test_tlb.py::test_hardware_counters_where_a_pmu_exists \
	tests/e2e/test_cli.py::test_host_target_says_what_is_missing"
# Installed like any kernel tool: DKMS builds the module, kbench runs from /.
step install "cd '$repo' && make install"
step dkms-status "dkms status kbench"
step installed-run "cd / && kbench run -c /usr/share/kbench/configs/quick.toml --repetitions 1 --out $res/installed"
cat /proc/modules >"$res/modules-after-installed-run"
step uninstall "cd '$repo' && make uninstall"
for p in /usr/bin/kbench /usr/share/kbench /usr/libexec/kbench /usr/src/kbench-* /var/lib/dkms/kbench \
	/var/cache/kbench; do
	[ -e "$p" ] && echo "$p"
done >"$res/left"
find /lib/modules -name 'kbench.ko*' >>"$res/left"

cp -a "$repo/out/latest" "$res/make-run-out"
cp -a /root/.local/share/kbench/history.sqlite "$res/" 2>/dev/null
tar -C /root -cf "$dev" vm-results
sync
echo "kbench-vm: done"
