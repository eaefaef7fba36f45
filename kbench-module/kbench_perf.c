// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_perf.c - hardware and software counters around timed phases.
 *
 * Counters are per task (they follow the benchmark thread), kernel mode
 * only, created once per run in sleepable context and read before and
 * after each timed phase, never inside it: perf_event_read_value() takes
 * mutexes and may send an IPI. A counter that cannot be created (no PMU
 * under QEMU TCG or in many VMs: -ENOENT; an event the CPU lacks) keeps
 * its negative errno as status and is reported as unsupported, never as 0.
 */
#include <linux/err.h>
#include <linux/perf_event.h>
#include <linux/sched.h>

#include "kbench.h"

static void kb_perf_attr(struct perf_event_attr *attr, unsigned int id)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->exclude_user = 1;
	attr->exclude_hv = 1;
	attr->pinned = 1;
	switch (id) {
	case KBENCH_CNT_TASK_CLOCK:
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = PERF_COUNT_SW_TASK_CLOCK;
		break;
	case KBENCH_CNT_CYCLES:
		attr->type = PERF_TYPE_HARDWARE;
		attr->config = PERF_COUNT_HW_CPU_CYCLES;
		break;
	case KBENCH_CNT_INSTRUCTIONS:
		attr->type = PERF_TYPE_HARDWARE;
		attr->config = PERF_COUNT_HW_INSTRUCTIONS;
		break;
	case KBENCH_CNT_DTLB_LOAD_MISSES:
		attr->type = PERF_TYPE_HW_CACHE;
		attr->config = PERF_COUNT_HW_CACHE_DTLB |
			       PERF_COUNT_HW_CACHE_OP_READ << 8 |
			       PERF_COUNT_HW_CACHE_RESULT_MISS << 16;
		break;
	case KBENCH_CNT_DTLB_STORE_MISSES:
		attr->type = PERF_TYPE_HW_CACHE;
		attr->config = PERF_COUNT_HW_CACHE_DTLB |
			       PERF_COUNT_HW_CACHE_OP_WRITE << 8 |
			       PERF_COUNT_HW_CACHE_RESULT_MISS << 16;
		break;
	case KBENCH_CNT_ITLB_LOAD_MISSES:
		attr->type = PERF_TYPE_HW_CACHE;
		attr->config = PERF_COUNT_HW_CACHE_ITLB |
			       PERF_COUNT_HW_CACHE_OP_READ << 8 |
			       PERF_COUNT_HW_CACHE_RESULT_MISS << 16;
		break;
	}
}

/* The result slot of counter i: the fixed ones, then the raw event. */
static struct kbench_counter *kb_slot(struct kbench_perf *p, unsigned int i)
{
	return i < KBENCH_CNT_COUNT ? &p->out.c[i] : &p->out.raw;
}

void kbench_perf_open(struct kbench_perf *p, u64 raw_type, u64 raw_config)
{
	struct perf_event_attr attr;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i <= KBENCH_CNT_COUNT; i++) {
		struct perf_event *ev;

		if (i == KBENCH_CNT_COUNT) {
			if (!raw_config)
				break;
			kb_perf_attr(&attr, KBENCH_CNT_CYCLES);
			attr.type = raw_type;
			attr.config = raw_config;
		} else {
			kb_perf_attr(&attr, i);
		}
		ev = perf_event_create_kernel_counter(&attr, -1, current,
						      NULL, NULL);
		if (IS_ERR(ev)) {
			kb_slot(p, i)->status = PTR_ERR(ev);
			continue;
		}
		p->ev[i] = ev;
	}
	p->open = true;
}

/* Read every counter; called in preemptible context only. */
void kbench_perf_mark(struct kbench_perf *p)
{
	u64 enabled, running;
	unsigned int i;

	if (!p || !p->open)
		return;
	for (i = 0; i <= KBENCH_CNT_COUNT; i++) {
		if (!p->ev[i])
			continue;
		p->last[i] = perf_event_read_value(p->ev[i], &enabled,
						   &running);
		if (running < enabled)
			kb_slot(p, i)->flags |= KBENCH_COUNTER_MULTIPLEXED;
	}
}

/* Add what was counted since kbench_perf_mark() to a sample slot's count. */
void kbench_perf_add(struct kbench_perf *p, unsigned int slot)
{
	u64 enabled, running, now;
	unsigned int i;

	if (!p || !p->open)
		return;
	for (i = 0; i <= KBENCH_CNT_COUNT; i++) {
		struct kbench_counter *c = kb_slot(p, i);

		if (!p->ev[i])
			continue;
		now = perf_event_read_value(p->ev[i], &enabled, &running);
		if (running < enabled)
			c->flags |= KBENCH_COUNTER_MULTIPLEXED;
		if (slot < KBENCH_COUNTER_SLOTS)
			c->value[slot] += now - p->last[i];
		p->last[i] = now;
	}
}

void kbench_perf_close(struct kbench_perf *p)
{
	unsigned int i;

	if (!p->open)
		return;
	for (i = 0; i <= KBENCH_CNT_COUNT; i++)
		if (p->ev[i])
			perf_event_release_kernel(p->ev[i]);
	p->open = false;
}
