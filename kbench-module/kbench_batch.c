// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_batch.c - what the experiments share: the noise flags of one
 * batch, one object from an API's own timed loops (so a probe of an API
 * measures exactly the memory that API returns), and a seeded shuffle.
 */
#include <linux/kernel_stat.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "kbench.h"

/* Remember what would show that the batch was disturbed. */
void kbench_batch_begin(struct kbench_batch_noise *nz, struct kbench_sample *s)
{
	nz->csw = current->nvcsw + current->nivcsw;
	nz->cpu = raw_smp_processor_id();
	nz->irqs = kstat_cpu_irqs_sum(nz->cpu);
	s->cpu = nz->cpu;
}

void kbench_batch_end(const struct kbench_batch_noise *nz,
		      struct kbench_sample *s)
{
	s->flags = 0;
	if (current->nvcsw + current->nivcsw != nz->csw)
		s->flags |= KBENCH_SAMPLE_CTX_SWITCH;
	if (raw_smp_processor_id() != nz->cpu)
		s->flags |= KBENCH_SAMPLE_MIGRATED;
	if (kstat_cpu_irqs_sum(nz->cpu) != nz->irqs)
		s->flags |= KBENCH_SAMPLE_IRQ;
}

/**
 * kbench_object_alloc - one object of ctx's API, through its alloc loop.
 * @ctx:  a checked request with ctx->n == 1 and its arrays set up.
 * @addr: out: the kernel address of the object's memory.
 *
 * Return: 0, or -ENOMEM with the reason written. kbench_object_free()
 * frees it.
 */
int kbench_object_alloc(struct kbench_run_ctx *ctx, void **addr)
{
	void *obj;

	ctx->loops->alloc(ctx, 0, 1);
	obj = ctx->objs[0];
	if (!obj)
		return kbench_refuse(ctx->args, -ENOMEM, "%s(%llu) failed",
				     ctx->args->call, ctx->args->obj_size);
	kbench_account_objs(1, ctx->per_obj);
	*addr = ctx->ops->memory == KBENCH_MEM_PAGE ?
		page_address((struct page *)obj) : obj;
	return 0;
}

void kbench_object_free(struct kbench_run_ctx *ctx)
{
	ctx->free_order[0] = 0;
	ctx->loops->free(ctx, 0, 1);
	ctx->objs[0] = NULL;
	kbench_account_objs(-1, -(s64)ctx->per_obj);
}

/*
 * Ticks of one clock read, the least of a few back-to-back pairs: what a
 * per-operation time always includes, against which an operation is slow
 * enough to be timed on its own.
 */
u64 kbench_clock_read_cost(void)
{
	u64 best = U64_MAX, t0, t1;
	int i;

	for (i = 0; i < 32; i++) {
		t0 = kbench_clock_read();
		t1 = kbench_clock_read();
		best = min(best, t1 - t0);
	}
	/*
	 * Two reads a tick apart or less (a coarse or emulated clock) still
	 * cost something: never report a free clock, which would make every
	 * operation look large against it.
	 */
	return max_t(u64, best, 1);
}

/* xorshift64*: a generator that needs no kernel API that moved over time. */
u32 kbench_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545F4914F6CDD1DULL) >> 32;
}

/* Fisher-Yates over v[0..n). */
void kbench_shuffle(u32 *v, u32 n, u64 *state)
{
	u32 i, j, t;

	for (i = n ? n - 1 : 0; i > 0; i--) {
		j = kbench_rand(state) % (i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}
