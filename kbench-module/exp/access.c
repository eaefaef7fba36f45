// SPDX-License-Identifier: GPL-2.0
/*
 * access.c - what touching memory costs once it is allocated: a load per
 * cache line in order, a load per page in order or in a random order, or
 * memset() of the whole buffer (the bandwidth limit). The buffer comes
 * from the API's own alloc loop.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "../kbench.h"

enum { KB_TOUCHES, KB_IN_VMALLOC };

static u64 kb_npages(const struct kbench_run_args *a)
{
	return DIV_ROUND_UP(a->obj_size, PAGE_SIZE);
}

/* Loads stay inside the buffer: the last page may be partial. */
static u64 kb_touches(const struct kbench_run_args *a)
{
	switch (a->mode) {
	case KBENCH_ACCESS_SEQUENTIAL:
		return DIV_ROUND_UP(a->obj_size, L1_CACHE_BYTES);
	case KBENCH_ACCESS_MEMSET:
		return a->obj_size;
	default:
		return kb_npages(a);
	}
}

static int kb_access_check(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;

	if (ctx->ops->caps & KBENCH_CAP_HARNESS)
		return kbench_refuse(a, -EOPNOTSUPP,
				     "%s allocates no memory to touch", ctx->api_name);
	if (a->mode != KBENCH_ACCESS_MEMSET && a->obj_size < sizeof(u64))
		return kbench_refuse(a, -EOPNOTSUPP,
				     "access probes load 8 bytes: use at least 8 bytes");
	if (kb_touches(a) > U32_MAX)
		return kbench_refuse(a, -EOPNOTSUPP,
				     "%llu touches per walk are more than a sample counts",
				     kb_touches(a));
	ctx->held_bytes = ctx->per_obj;
	if (a->mode == KBENCH_ACCESS_PAGE_RANDOM)
		ctx->held_bytes += kb_npages(a) * sizeof(u32);
	return 0;
}

/* One timed walk over the buffer; returns the ticks it took. */
static u64 kb_walk(const struct kbench_run_args *a, u8 *buf,
		   const u32 *order, u64 npages)
{
	u64 t0, t1, i, sum = 0;

	t0 = kbench_clock_read();
	switch (a->mode) {
	case KBENCH_ACCESS_SEQUENTIAL:
		for (i = 0; i < a->obj_size; i += L1_CACHE_BYTES)
			sum += READ_ONCE(*(u64 *)(buf + i));
		break;
	case KBENCH_ACCESS_PAGE_STRIDE:
		for (i = 0; i < npages; i++)
			sum += READ_ONCE(*(u64 *)(buf + (i << PAGE_SHIFT)));
		break;
	case KBENCH_ACCESS_PAGE_RANDOM:
		for (i = 0; i < npages; i++)
			sum += READ_ONCE(*(u64 *)(buf + ((u64)order[i] << PAGE_SHIFT)));
		break;
	default:
		memset(buf, 0, a->obj_size);
		break;
	}
	t1 = kbench_clock_read();
	OPTIMIZER_HIDE_VAR(sum);
	return t1 - t0;
}

static long kb_access_run(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	u64 npages = kb_npages(a), touches = kb_touches(a);
	u64 rng = a->seed ? a->seed : 1, i;
	u32 b, total = a->warmup_batches + a->nr_batches;
	/* memset counts bytes, the walks count loads: two slots, two units. */
	unsigned int slot = a->mode == KBENCH_ACCESS_MEMSET;
	u32 *order = NULL;
	void *buf;
	long ret;

	if (a->mode == KBENCH_ACCESS_PAGE_RANDOM) {
		/* Direct-map array: its own accesses must not add TLB misses. */
		order = kmalloc_array(npages, sizeof(*order),
				      GFP_KERNEL | __GFP_NOWARN);
		if (!order)
			return kbench_refuse(a, -ENOMEM,
					     "no memory for the random page order");
		for (i = 0; i < npages; i++)
			order[i] = i;
		kbench_shuffle(order, npages, &rng);
	}
	ret = kbench_object_alloc(ctx, &buf);
	if (ret)
		goto out;
	a->values[KB_TOUCHES] = touches;
	a->values[KB_IN_VMALLOC] = is_vmalloc_addr(buf);
	a->nr_values = KB_IN_VMALLOC + 1;
	for (b = 0; b < total; b++) {
		struct kbench_sample *s = &ctx->samples[a->batches_done];
		bool timed = b >= a->warmup_batches;
		struct kbench_batch_noise nz;
		u64 cycles;

		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (timed) {
			memset(s, 0, sizeof(*s));
			kbench_batch_begin(&nz, s);
			kbench_perf_mark(ctx->perf);
		}
		cycles = kb_walk(a, buf, order, npages);
		if (timed) {
			kbench_perf_add(ctx->perf, slot);
			kbench_batch_end(&nz, s);
			s->ops = touches;
			s->cycles[slot] = cycles;
			s->count[slot] = touches;
			a->batches_done++;
		}
		cond_resched();
	}
	kbench_object_free(ctx);
out:
	kfree(order);
	return ret;
}

static const char *const kb_access_slots[] = { "touch", "byte", NULL };
static const char *const kb_access_units[] = { "touch", "byte", NULL };
static const char *const kb_access_values[] = { "touches", "in_vmalloc", NULL };

const struct kbench_experiment_ops kbench_exp_access = {
	.name = "access",
	.slots = kb_access_slots,
	.units = kb_access_units,
	.values = kb_access_values,
	.fields = KBENCH_FIELD_API | KBENCH_FIELD_GFP | KBENCH_FIELD_BATCHES |
		  KBENCH_FIELD_MODE | KBENCH_FIELD_SEED,
	.flags = KBENCH_EXPF_COUNTERS,
	.check = kb_access_check,
	.run = kb_access_run,
};
