/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbench_clock.h - the stopwatch of the timed loops.
 *
 * x86: rdtsc_ordered() (lfence;rdtsc or rdtscp, chosen by alternatives), not
 * CPUID;RDTSC, which exits to the hypervisor in a VM. Converted to ns with
 * tsc_khz by the runner. Elsewhere ktime_get_ns(), so one tick is one ns.
 */
#ifndef _KBENCH_CLOCK_H
#define _KBENCH_CLOCK_H

#include <linux/compiler.h>
#include <linux/timekeeping.h>

#ifdef CONFIG_X86_TSC
#include <asm/tsc.h>

#define KBENCH_CLOCK_NAME	"tsc"
#define KBENCH_CLOCK_IS_TSC	1

static __always_inline u64 kbench_clock_read(void)
{
	u64 t;

	barrier();
	t = rdtsc_ordered();
	barrier();
	return t;
}

static inline u32 kbench_clock_khz(void)
{
	return tsc_khz;
}
#else
#define KBENCH_CLOCK_NAME	"ktime"
#define KBENCH_CLOCK_IS_TSC	0

static __always_inline u64 kbench_clock_read(void)
{
	return ktime_get_ns();
}

static inline u32 kbench_clock_khz(void)
{
	return 1000000;
}
#endif

#endif /* _KBENCH_CLOCK_H */
