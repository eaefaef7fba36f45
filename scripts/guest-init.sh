#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the kbench guest. Loads the module, runs the agent (results go
# to ttyS1, a serial line for data only), removes the module, and reports
# on the console (ttyS0) in lines the runner looks for:
#   KBENCH-INIT: <event>      progress and failures
#   KBENCH-DMESG: <line>      kernel messages worth showing the user
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

say() { echo "KBENCH-INIT: $*"; }
show_dmesg() { dmesg | grep -E "$1" | tail -n 40 | sed 's/^/KBENCH-DMESG: /'; }

say "booted $(uname -r)"
# Every sysrq function: when the guest stalls, the runner asks through
# QEMU's monitor for a backtrace (sysrq-l) or the blocked tasks (sysrq-w).
echo 1 >/proc/sys/kernel/sysrq
params=$(cat /kbench.params 2>/dev/null)
# shellcheck disable=SC2086
if insmod /kbench.ko $params; then
	say "insmod ok"
else
	say "insmod failed"
	show_dmesg "kbench|Unknown symbol|disagrees about version|rejected|verification|Invalid module|invalid module|taint"
	poweroff -f
fi
# Measure only once the kernel has chosen its final clocksource: 6.12 starts
# on tsc-early and switches to tsc about a second after boot.
cs=/sys/devices/system/clocksource/clocksource0/current_clocksource
i=0
while [ "$(cat $cs)" = tsc-early ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "clocksource $(cat $cs)"
/kbench-agent --plan /plan.json --out /dev/ttyS1 --device /dev/kbench
say "agent exit $?"
if rmmod kbench; then
	say "rmmod ok"
else
	say "rmmod failed"
fi
show_dmesg "kbench|BUG:|WARNING:|Oops|Call Trace|Unexpected gfp"
say "done"
poweroff -f
