// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_account.c - what kbench holds: objects, bytes, caches and pools
 * it allocated and has not freed yet, and how runs ended. Read through
 * KBENCH_IOC_INFO after every run by the tests: anything but zero
 * outstanding after a run is a kbench bug.
 */
#include <linux/atomic.h>

#include "kbench.h"

static atomic64_t kb_objs = ATOMIC64_INIT(0);
static atomic64_t kb_bytes = ATOMIC64_INIT(0);
static atomic64_t kb_caches = ATOMIC64_INIT(0);
static atomic64_t kb_pools = ATOMIC64_INIT(0);
static atomic64_t kb_completed = ATOMIC64_INIT(0);
static atomic64_t kb_interrupted = ATOMIC64_INIT(0);

void kbench_account_objs(s64 objs, s64 bytes)
{
	atomic64_add(objs, &kb_objs);
	atomic64_add(bytes, &kb_bytes);
}

void kbench_account_cache(int delta)
{
	atomic64_add(delta, &kb_caches);
}

void kbench_account_pool(int delta)
{
	atomic64_add(delta, &kb_pools);
}

/* How a request that ran (not a validate-only one) ended. */
void kbench_account_run(long ret)
{
	if (ret == -EINTR)
		atomic64_inc(&kb_interrupted);
	else if (!ret)
		atomic64_inc(&kb_completed);
}

void kbench_account_read(struct kbench_account *acc)
{
	acc->objs = atomic64_read(&kb_objs);
	acc->bytes = atomic64_read(&kb_bytes);
	acc->caches = atomic64_read(&kb_caches);
	acc->pools = atomic64_read(&kb_pools);
	acc->runs_completed = atomic64_read(&kb_completed);
	acc->runs_interrupted = atomic64_read(&kb_interrupted);
}
