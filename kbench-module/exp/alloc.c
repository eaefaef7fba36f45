// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c - the allocation experiment: warm up, then time batches of an
 * API's own loops and return one sample per batch.
 *
 * pair:           the pair loop; slot "alloc" times the allocations and
 *                 slot "free" the frees, each op timed on its own.
 * batch:          n allocations timed as one phase, then n frees.
 * batch-shuffled: as batch, the frees in a seeded random order.
 *
 * Each batch frees what it allocated before the next one starts, so a
 * signal between batches leaves nothing behind.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "../kbench.h"

/* Requests that must stay short when run with preemption or irqs off. */
#define KB_ATOMIC_BYTES_MAX	(16ULL << 20)

static int kb_alloc_check(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	const struct kbench_alloc_ops *ops = ctx->ops;
	u64 held;

	ctx->n = a->ops_per_batch;
	if (a->context != KBENCH_CTX_PREEMPT_ON) {
		if (IS_ENABLED(CONFIG_PREEMPT_RT))
			return kbench_refuse(a, -EOPNOTSUPP,
					     "preempt-off/irqs-off runs are refused on PREEMPT_RT: spinlocks sleep there");
		if (!(ops->caps & KBENCH_CAP_ATOMIC_CTX))
			return kbench_refuse(a, -EOPNOTSUPP,
					     "%s may sleep, so it cannot run with preemption or interrupts off",
					     ctx->api_name);
		if (gfpflags_allow_blocking(ctx->gfp))
			return kbench_refuse(a, -EOPNOTSUPP,
					     "a blocking GFP may sleep: use GFP_ATOMIC or GFP_NOWAIT with preempt-off/irqs-off");
		if (a->ops_per_batch > KBENCH_MAX_ATOMIC_OPS)
			return kbench_refuse(a, -EOPNOTSUPP,
					     "at most %u ops per batch with preemption or interrupts off (keeps each atomic section short)",
					     KBENCH_MAX_ATOMIC_OPS);
		if ((u64)ctx->n * ctx->per_obj > KB_ATOMIC_BYTES_MAX)
			return kbench_refuse(a, -EOPNOTSUPP,
					     "with preemption or interrupts off a batch may touch at most %llu MiB (ops_per_batch x size)",
					     KB_ATOMIC_BYTES_MAX >> 20);
	}
	held = a->pattern == KBENCH_PATTERN_PAIR ? 1 : ctx->n;
	held += a->min_nr;
	ctx->held_bytes = held * ctx->per_obj;
	return 0;
}

/*
 * Run one timed phase in the requested context. Counters are read just
 * outside it (they may sleep), into slot 0 (alloc, pair) or 1 (free).
 */
static void kb_run_phase(struct kbench_run_ctx *ctx,
			 void (*phase)(struct kbench_run_ctx *ctx),
			 struct kbench_perf *perf, unsigned int slot)
{
	unsigned long flags;

	kbench_perf_mark(perf);
	switch (ctx->args->context) {
	case KBENCH_CTX_PREEMPT_OFF:
		preempt_disable();
		phase(ctx);
		preempt_enable();
		break;
	case KBENCH_CTX_IRQS_OFF:
		local_irq_save(flags);
		phase(ctx);
		local_irq_restore(flags);
		break;
	default:
		phase(ctx);
		break;
	}
	kbench_perf_add(perf, slot);
}

/*
 * One batch; on return nothing it allocated is still held. perf is NULL
 * for warm-up batches, whose counts must not mix with the timed ones.
 */
static void kb_one_batch(struct kbench_run_ctx *ctx, u64 *rng,
			 struct kbench_sample *s, struct kbench_perf *perf)
{
	const struct kbench_run_args *a = ctx->args;
	struct kbench_batch_noise nz;
	u32 i, ok;

	memset(s, 0, sizeof(*s));
	kbench_batch_begin(&nz, s);
	s->ops = ctx->n;
	if (a->pattern == KBENCH_PATTERN_PAIR) {
		kb_run_phase(ctx, ctx->loops->pair_phase, perf, 0);
		s->failed = ctx->pair_failed;
	} else {
		kb_run_phase(ctx, ctx->loops->alloc_phase, perf, 0);
		for (i = 0, ok = 0; i < ctx->n; i++)
			ok += !!ctx->objs[i];
		s->failed = ctx->n - ok;
		kbench_account_objs(ok, (s64)ok * ctx->per_obj);
		for (i = 0; i < ctx->n; i++)
			ctx->free_order[i] = i;
		if (a->pattern == KBENCH_PATTERN_BATCH_SHUFFLED)
			kbench_shuffle(ctx->free_order, ctx->n, rng);
		kb_run_phase(ctx, ctx->loops->free_phase, perf, 1);
		kbench_account_objs(-(s64)ok, -(s64)ok * ctx->per_obj);
	}
	s->cycles[0] = ctx->alloc_cycles;
	s->count[0] = ctx->n;
	s->cycles[1] = ctx->free_cycles;
	s->count[1] = ctx->n - s->failed;
	kbench_batch_end(&nz, s);
}

static long kb_alloc_run(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	u64 rng = a->seed ? a->seed : 0x9E3779B97F4A7C15ULL;
	u32 b, total = a->warmup_batches + a->nr_batches;
	struct kbench_sample s;

	for (b = 0; b < total; b++) {
		bool timed = b >= a->warmup_batches;

		if (signal_pending(current))
			return -EINTR;
		kb_one_batch(ctx, &rng, &s, timed ? ctx->perf : NULL);
		a->failed_total += s.failed;
		if (timed)
			ctx->samples[a->batches_done++] = s;
		cond_resched();
	}
	return 0;
}

static const char *const kb_alloc_slots[] = { "alloc", "free", NULL };
static const char *const kb_alloc_units[] = { "op", "op", NULL };

const struct kbench_experiment_ops kbench_exp_alloc = {
	.name = "alloc",
	.slots = kb_alloc_slots,
	.units = kb_alloc_units,
	.fields = KBENCH_FIELD_API | KBENCH_FIELD_GFP | KBENCH_FIELD_PATTERN |
		  KBENCH_FIELD_CONTEXT | KBENCH_FIELD_OPS | KBENCH_FIELD_BATCHES |
		  KBENCH_FIELD_SEED | KBENCH_FIELD_OPTIONS,
	.flags = KBENCH_EXPF_COUNTERS,
	.check = kb_alloc_check,
	.run = kb_alloc_run,
};
