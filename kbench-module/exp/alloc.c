// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c - the allocation experiment: warm up, then time batches of an
 * API's own loops and return one sample per batch.
 *
 * pair:           slot "pair": n alloc+free pairs timed as a whole, one
 *                 clock pair for the lot, so the figure carries almost no
 *                 harness; slots "alloc" and "free": the same n pairs
 *                 again with each alloc and each free timed on its own,
 *                 for the split and for single-operation histograms.
 * batch:          slot "alloc": n allocations held at once, then slot
 *                 "free": their n frees; timed as a whole, or operation
 *                 by operation (with histograms) when an operation is
 *                 slow against a clock read.
 * batch-shuffled: as batch, the frees in a seeded random order.
 * remote-free:    as batch on a team of threads (kbench_team.c): each
 *                 thread allocates its n, then, past a kbench_sync() of
 *                 all, frees the n its neighbour allocated; slot "free" is
 *                 then the free of objects allocated on another CPU.
 *
 * nr_threads >= 2 runs every pattern on that many CPUs at once, each
 * thread its own batches, all released together at the start of each
 * batch: every thread's sample is the cost one CPU sees while the others
 * allocate too.
 *
 * Clean or steady state. Clean (the default) purges earlier lazy vfree()s
 * first, so a figure is that of a freshly purged kernel. Steady
 * (KBENCH_RUN_STEADY) does not, and the module sizes the batches so each
 * crosses the kernel's own deferred-work threshold (the lazy vmap purge)
 * at least twice: the amortised purge and its TLB flush land in the figure,
 * and the purges are counted where kprobes exist. Slab APIs run batches of
 * KB_STEADY_OPS objects: held at once (batch patterns), they fill and empty
 * enough slabs to flush the per-CPU partial lists, which are counted too.
 *
 * No batch runs unbounded: each phase runs in chunks of at most
 * KB_CHUNK_MS of clock time, sized from the time the previous chunk took;
 * between chunks (outside the timed region) a fatal signal ends the run
 * and, where the loop itself has no point to sleep at, cond_resched() runs.
 * Each batch frees what it allocated before the next one starts, so a run
 * ended early leaves nothing behind.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/vmalloc.h>

#include "../kbench.h"

/* Requests that must stay short when run with preemption or irqs off. */
#define KB_ATOMIC_BYTES_MAX	(16ULL << 20)
/* Clock time of one chunk at most: a fatal signal is seen within it. */
#define KB_CHUNK_MS		50
/*
 * Timed one by one when an operation costs this many clock reads: a clock
 * read is then small against each, and their tails are tails of single
 * operations. KB_CALIBRATE_OPS objects per batch decide it.
 */
#define KB_PER_OP_FACTOR	64
#define KB_CALIBRATE_OPS	16
/*
 * Steady state of APIs that do not free lazily: objects per batch, enough
 * to fill and flush the slab per-CPU partial lists, and at most
 * KB_STEADY_BYTES of them (4096 order-10 pages were 16 GiB per pass: minutes
 * under emulation, and no deferred work of the page allocator needs it).
 */
#define KB_STEADY_OPS		4096
#define KB_STEADY_BYTES		(64ULL << 20)

enum { KB_PAIR, KB_ALLOC, KB_FREE, KB_NR_SLOTS };
enum {
	KB_V_CLOCK_TICKS, KB_V_PER_OP, KB_V_OPS, KB_V_PURGES, KB_V_PURGES_COUNTED,
	KB_V_PURGE_THRESHOLD, KB_V_CHUNKS, KB_V_SLAB_FLUSHES,
	KB_V_SLAB_FLUSHES_COUNTED, KB_V_FALLBACKS, KB_V_FALLBACKS_COUNTED,
	KB_V_FRAG_PAGES, KB_V_FRAG_FREE_BEFORE, KB_V_FRAG_FREE_AFTER, KB_NR_VALUES
};
/* Memory the cap keeps free for the rest of the request besides the condition. */
#define KB_CONDITION_SLACK	(8ULL << 20)

/* Operations per batch in steady state: cross the purge threshold twice. */
static u32 kb_steady_ops(const struct kbench_run_ctx *ctx)
{
	u64 va, n;

	if (!(ctx->ops->caps & KBENCH_CAP_LAZY_FREE))
		return clamp_t(u64, div64_u64(KB_STEADY_BYTES, max_t(u64, ctx->per_obj, 1)), 64,
			       KB_STEADY_OPS);
	/* Each vmalloc area carries a guard page after it. */
	va = PAGE_ALIGN(ctx->size) + PAGE_SIZE;
	n = DIV_ROUND_UP(2 * kbench_lazy_purge_bytes(), va);
	return clamp_t(u64, n, 64, KBENCH_MAX_OPS_PER_BATCH);
}

static int kb_alloc_check(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	const struct kbench_alloc_ops *ops = ctx->ops;
	u64 held;

	if (a->flags & KBENCH_RUN_STEADY) {
		if (a->ops_per_batch)
			return kbench_bad_field(a, "ops_per_batch");
		if (a->context != KBENCH_CTX_PREEMPT_ON)
			return kbench_refuse(a, -EOPNOTSUPP,
					     "steady state runs long batches: preempt-on only");
		a->ops_per_batch = kb_steady_ops(ctx);
	} else if (!a->ops_per_batch) {
		return kbench_bad_field(a, "ops_per_batch");
	}
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
	if (a->pattern == KBENCH_PATTERN_REMOTE_FREE && ctx->threads < 2)
		return kbench_refuse(a, -EOPNOTSUPP,
				     "remote-free frees on another CPU: it needs nr_threads >= 2");
	held = a->pattern == KBENCH_PATTERN_PAIR ? 1 : ctx->n;
	held += a->min_nr;
	/* A mempool's reserve, and its array of pointers to it. */
	ctx->held_bytes = held * ctx->per_obj + (u64)a->min_nr * sizeof(void *);
	if (a->condition == KBENCH_COND_FRAGMENTED && (ops->caps & KBENCH_CAP_RESERVE) &&
	    gfpflags_allow_blocking(ctx->gfp) && held > a->min_nr)
		return kbench_refuse(a, -EOPNOTSUPP,
				     "with a blocking GFP, mempool_alloc waits without end for an element to come back when its allocator fails, as it does in fragmented memory: hold at most min_nr (pair), or use GFP_NOWAIT");
	if (a->condition == KBENCH_COND_FRAGMENTED) {
		/*
		 * It keeps half of what it allocates: allocate up to twice what
		 * the cap leaves, and at most down to the fragmenter's floor.
		 */
		u64 cap = kbench_mem_cap(), rest = ctx->held_bytes * ctx->threads +
						KB_CONDITION_SLACK;

		ctx->frag_budget = cap > rest ? kbench_fragment_estimate(2 * ((cap - rest) >> PAGE_SHIFT)) : 0;
		if (!ctx->frag_budget)
			return kbench_refuse(a, -EOPNOTSUPP,
					     "no free memory to fragment: free memory is at the fragmenter's floor, or the memory cap leaves no room (mem_cap_mb)");
		ctx->condition_bytes = DIV_ROUND_UP(ctx->frag_budget, 2) << PAGE_SHIFT;
	}
	return 0;
}

/* The loops a phase runs. */
enum kb_loop { KB_LOOP_PAIR, KB_LOOP_SPLIT, KB_LOOP_ALLOC, KB_LOOP_FREE };

/* The chunked, time-bounded driver of one phase. */
struct kb_phase {
	struct kbench_run_ctx *ctx;
	struct kbench_run_ctx *owner;	/* whose objects the frees free: ctx */
	enum kb_loop loop;
	unsigned int slot;	/* the counter slot its counts go to */
	bool each;		/* time every operation */
	u64 *hist;		/* per-op histogram */
	u64 *hist2;		/* the split loop's free histogram */
	u64 ticks, ticks2;	/* spent (split: in allocs, in frees) */
	u64 begin_ns, end_ns;	/* CLOCK_MONOTONIC around the whole phase */
	u32 failed;
	u32 done;		/* operations done when it returned */
	u32 chunks;
};

/* Run part [from, to) of a phase in the request's context. */
static void kb_chunk(struct kb_phase *ph, u32 from, u32 to)
{
	struct kbench_run_ctx *ctx = ph->ctx;
	const struct kbench_loops *l = ctx->loops;
	unsigned long flags = 0;
	u32 ctxt = ctx->args->context;

	if (ctxt == KBENCH_CTX_PREEMPT_OFF)
		preempt_disable();
	else if (ctxt == KBENCH_CTX_IRQS_OFF)
		local_irq_save(flags);
	switch (ph->loop) {
	case KB_LOOP_PAIR:
		ph->ticks += l->pair(ctx, to - from);
		ph->failed += ctx->pair_failed;
		break;
	case KB_LOOP_SPLIT:
		l->pair_split(ctx, to - from, ph->hist, ph->hist2);
		ph->ticks += ctx->alloc_cycles;
		ph->ticks2 += ctx->free_cycles;
		ph->failed += ctx->pair_failed;
		break;
	case KB_LOOP_ALLOC:
		ph->ticks += ph->each ? l->alloc_each(ctx, from, to, ph->hist) :
					l->alloc(ctx, from, to);
		break;
	case KB_LOOP_FREE:
		ph->ticks += ph->each ? l->free_each(ph->owner, from, to, ph->hist) :
					l->free(ph->owner, from, to);
		break;
	}
	if (ctxt == KBENCH_CTX_PREEMPT_OFF)
		preempt_enable();
	else if (ctxt == KBENCH_CTX_IRQS_OFF)
		local_irq_restore(flags);
}

/*
 * Run a whole phase of n operations in chunks of bounded clock time, its
 * counters read around it (perf: NULL for none). Returns -EINTR if a fatal
 * signal arrived, -ETIME if the batch ran past KBENCH_BATCH_MAX_MS, with
 * ph->done operations done; else 0.
 */
static int kb_run_phase(struct kb_phase *ph, u32 n, struct kbench_perf *perf)
{
	struct kbench_run_ctx *ctx = ph->ctx;
	const u64 bound = (u64)kbench_clock_khz() * KB_CHUNK_MS;
	const u64 budget = (u64)kbench_clock_khz() * KBENCH_BATCH_MAX_MS;
	/* Loops with a blocking GFP reschedule inside the API itself. */
	const bool resched = !gfpflags_allow_blocking(ctx->gfp) ||
			     ctx->args->context != KBENCH_CTX_PREEMPT_ON;
	u32 chunk = min_t(u32, n, 8);
	int ret = 0;

	if (!ph->owner)
		ph->owner = ctx;
	kbench_perf_mark(perf);
	ph->begin_ns = ktime_get_ns();
	ph->done = 0;
	while (ph->done < n) {
		u64 before = ph->ticks + ph->ticks2, spent;

		kb_chunk(ph, ph->done, ph->done + chunk);
		ph->done += chunk;
		ph->chunks++;
		if (ph->done == n)
			break;
		if (kbench_stopping(ctx)) {
			ret = -EINTR;
			break;
		}
		if (kbench_clock_read() - ctx->batch_start > budget) {
			ret = kbench_refuse(ctx->args, -ETIME,
					    "one batch ran past %u s after %u of %u operations: lower ops_per_batch (or the size) so a batch fits",
					    KBENCH_BATCH_MAX_MS / 1000, ph->done, n);
			break;
		}
		if (resched)
			cond_resched();
		/* The next chunk: as many operations as fit in the bound. */
		spent = max_t(u64, ph->ticks + ph->ticks2 - before, 1);
		chunk = clamp_t(u64, div64_u64(bound * chunk, spent), 1, n - ph->done);
	}
	ph->end_ns = ktime_get_ns();
	kbench_perf_add(perf, ph->slot);
	return ret;
}

/* Histograms only of timed batches; warm-up counts go to scratch. */
static u64 kb_scratch_hist[KBENCH_HIST_BUCKETS];

static u64 *kb_hist(struct kbench_run_ctx *ctx, unsigned int slot, bool timed)
{
	if (timed && ctx->hist)
		return ctx->hist + slot * KBENCH_HIST_BUCKETS;
	/* A team's threads each have their own scratch. */
	return ctx->scratch_hist ?: kb_scratch_hist;
}

static void kb_span(struct kbench_sample *s, unsigned int slot,
		    const struct kb_phase *ph)
{
	if (slot < KBENCH_SPAN_SLOTS) {
		s->begin_ns[slot] = ph->begin_ns;
		s->end_ns[slot] = ph->end_ns;
	}
}

/* The pair pattern: the whole loop, then the split one. */
static int kb_pair_batch(struct kbench_run_ctx *ctx, struct kbench_sample *s,
			 struct kbench_perf *perf, bool timed)
{
	struct kb_phase whole = { .ctx = ctx, .loop = KB_LOOP_PAIR, .slot = KB_PAIR };
	struct kb_phase split = {
		.ctx = ctx, .loop = KB_LOOP_SPLIT,
		.hist = kb_hist(ctx, KB_ALLOC, timed),
		.hist2 = kb_hist(ctx, KB_FREE, timed),
	};
	int ret;

	/* Counters are read around the whole loop only: per pair. */
	ret = kb_run_phase(&whole, ctx->n, perf);
	if (!ret)
		ret = kb_run_phase(&split, ctx->n, NULL);
	s->failed = whole.failed;
	s->cycles[KB_PAIR] = whole.ticks;
	s->count[KB_PAIR] = ctx->n;
	s->cycles[KB_ALLOC] = split.ticks;
	s->count[KB_ALLOC] = ctx->n;
	s->cycles[KB_FREE] = split.ticks2;
	s->count[KB_FREE] = ctx->n - split.failed;
	kb_span(s, KB_PAIR, &whole);
	kb_span(s, KB_ALLOC, &split);
	kb_span(s, KB_FREE, &split);
	ctx->chunks += whole.chunks + split.chunks;
	return ret;
}

/* Free owner's objects from index from on, untimed; nothing is held after. */
static void kb_free_rest(struct kbench_run_ctx *ctx, struct kbench_run_ctx *owner,
			 u32 from)
{
	ctx->loops->free(owner, from, ctx->n);
	kbench_account_objs(-(s64)owner->batch_ok, -(s64)owner->batch_ok * ctx->per_obj);
	memset(owner->objs, 0, ctx->n * sizeof(*owner->objs));
}

/* The batch patterns: n held at once, then freed. */
static int kb_batch_batch(struct kbench_run_ctx *ctx, struct kbench_sample *s,
			  struct kbench_perf *perf, bool timed)
{
	const bool each = ctx->each;
	struct kb_phase al = {
		.ctx = ctx, .loop = KB_LOOP_ALLOC, .slot = KB_ALLOC, .each = each,
		.hist = kb_hist(ctx, KB_ALLOC, timed),
	};
	struct kb_phase fr = {
		.ctx = ctx, .loop = KB_LOOP_FREE, .slot = KB_FREE, .each = each,
		.hist = kb_hist(ctx, KB_FREE, timed),
	};
	struct kbench_run_ctx *owner = ctx;
	u32 i, ok = 0;
	int ret;

	ret = kb_run_phase(&al, ctx->n, perf);
	for (i = 0; i < ctx->n; i++)
		ok += !!ctx->objs[i];
	/* Where kvmalloc's memory came from, outside the timing. */
	if (timed && ctx->ops->memory == KBENCH_MEM_DIRECT_OR_VMALLOC)
		for (i = 0; i < ctx->n; i++)
			ctx->fallbacks += ctx->objs[i] && is_vmalloc_addr(ctx->objs[i]);
	ctx->batch_ok = ok;
	kbench_account_objs(ok, (s64)ok * ctx->per_obj);
	for (i = 0; i < ctx->n; i++)
		ctx->free_order[i] = i;
	if (ctx->args->pattern == KBENCH_PATTERN_BATCH_SHUFFLED)
		kbench_shuffle(ctx->free_order, ctx->n, &ctx->rng);
	/*
	 * Remote free: the neighbour's objects, once all are in. Allocations
	 * cut short abort the team first: no neighbour waits for objects it
	 * will not receive.
	 */
	if (ret)
		kbench_team_abort(ctx);
	else if (ctx->team && ctx->args->pattern == KBENCH_PATTERN_REMOTE_FREE)
		ret = kbench_sync(ctx);
	if (ret) {
		kb_free_rest(ctx, ctx, 0);
	} else {
		if (ctx->team && ctx->args->pattern == KBENCH_PATTERN_REMOTE_FREE)
			owner = kbench_team_peer(ctx);
		fr.owner = owner;
		ret = kb_run_phase(&fr, ctx->n, perf);
		/* A signal or the time bound cut the frees short: the rest. */
		kb_free_rest(ctx, owner, ret ? fr.done : ctx->n);
	}
	s->failed = ctx->n - ok;
	s->cycles[KB_ALLOC] = al.ticks;
	s->count[KB_ALLOC] = ctx->n;
	s->cycles[KB_FREE] = ret ? 0 : fr.ticks;
	s->count[KB_FREE] = ret ? 0 : owner->batch_ok;
	kb_span(s, KB_ALLOC, &al);
	kb_span(s, KB_FREE, &fr);
	ctx->chunks += al.chunks + fr.chunks;
	return ret;
}

/*
 * One batch; on return nothing it allocated is still held. perf is NULL
 * for warm-up batches, whose counts must not mix with the timed ones.
 */
static int kb_one_batch(struct kbench_run_ctx *ctx, struct kbench_sample *s,
			struct kbench_perf *perf, bool timed)
{
	struct kbench_batch_noise nz;
	int ret;

	memset(s, 0, sizeof(*s));
	kbench_batch_begin(&nz, s);
	ctx->batch_start = kbench_clock_read();
	s->ops = ctx->n;
	if (ctx->args->pattern == KBENCH_PATTERN_PAIR)
		ret = kb_pair_batch(ctx, s, perf, timed);
	else
		ret = kb_batch_batch(ctx, s, perf, timed);
	kbench_batch_end(&nz, s);
	return ret;
}

/*
 * Whether batch operations are slow enough to time one by one: the least
 * cost per allocation of two short untimed batches (the first may pay for
 * cold caches, or for an emulator translating the code) against a clock
 * read. Decided before any batch, so every batch of a run is timed alike.
 */
static int kb_slow_ops(struct kbench_run_ctx *ctx, u64 clock)
{
	const u32 n = ctx->n;
	u64 best = U64_MAX;
	struct kbench_sample s;
	int i, ret = 0;

	ctx->each = false;
	if (ctx->args->pattern == KBENCH_PATTERN_PAIR)
		return 0;
	ctx->n = min_t(u32, n, KB_CALIBRATE_OPS);
	for (i = 0; i < 2 && !ret; i++) {
		ret = kb_one_batch(ctx, &s, NULL, false);
		if (!ret && s.count[KB_ALLOC])
			best = min(best, div64_u64(s.cycles[KB_ALLOC], s.count[KB_ALLOC]));
	}
	ctx->n = n;
	ctx->each = best != U64_MAX && best >= KB_PER_OP_FACTOR * clock;
	return ret;
}

/* The request's condition of memory, held until kbench_fragment_undo(). */
static int kb_apply_condition(struct kbench_run_ctx *ctx)
{
	if (ctx->args->condition != KBENCH_COND_FRAGMENTED)
		return 0;
	return kbench_fragment_memory(ctx->frag, ctx->frag_budget);
}

/*
 * One thread's batches: the calling task's, or each team thread's on its
 * own context, every batch started together with the others.
 */
static long kb_alloc_batches(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	u32 b, total = a->warmup_batches + a->nr_batches;
	struct kbench_sample s;
	long ret = 0;

	for (b = 0; b < total; b++) {
		bool timed = b >= a->warmup_batches;

		if (signal_pending(current) || kbench_stopping(ctx)) {
			ret = -EINTR;
			break;
		}
		ret = kbench_sync(ctx);
		if (ret)
			break;
		ret = kb_one_batch(ctx, &s, timed ? ctx->perf : NULL, timed);
		if (ret)
			break;
		a->failed_total += s.failed;
		if (timed)
			ctx->samples[a->batches_done++] = s;
		cond_resched();
	}
	return ret;
}

static long kb_alloc_run(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	const u64 clock = kbench_clock_read_cost();
	struct kbench_fragment frag = { .held = LIST_HEAD_INIT(frag.held) };
	struct kbench_deferred deferred;
	long ret;

	ctx->frag = &frag;
	ctx->rng = a->seed ? a->seed : 0x9E3779B97F4A7C15ULL;
	/*
	 * Decided on the calling task's CPU, for every thread alike, and
	 * before the condition, for every condition alike.
	 */
	ret = kb_slow_ops(ctx, clock);
	if (ret)
		return ret;
	kbench_deferred_start(&deferred, ctx->ops->caps);
	/* The condition last: the team's own allocations come before it. */
	if (ctx->threads > 1) {
		ret = kbench_team_run(ctx, kb_alloc_batches, kb_apply_condition);
	} else {
		ret = kb_apply_condition(ctx);
		if (!ret)
			ret = kb_alloc_batches(ctx);
	}
	kbench_deferred_stop(&deferred);
	a->values[KB_V_CLOCK_TICKS] = clock;
	a->values[KB_V_PER_OP] = a->pattern == KBENCH_PATTERN_PAIR || ctx->each;
	a->values[KB_V_OPS] = ctx->n;
	a->values[KB_V_PURGES] = deferred.hits[KBENCH_DEFERRED_VMAP_PURGE];
	a->values[KB_V_PURGES_COUNTED] =
		deferred.probe[KBENCH_DEFERRED_VMAP_PURGE].counting;
	a->values[KB_V_SLAB_FLUSHES] = deferred.hits[KBENCH_DEFERRED_SLAB_FLUSH];
	a->values[KB_V_SLAB_FLUSHES_COUNTED] =
		deferred.probe[KBENCH_DEFERRED_SLAB_FLUSH].counting;
	a->values[KB_V_CHUNKS] = ctx->chunks;
	a->values[KB_V_FALLBACKS] = ctx->fallbacks;
	a->values[KB_V_FALLBACKS_COUNTED] = ctx->ops->memory == KBENCH_MEM_DIRECT_OR_VMALLOC &&
					    a->pattern != KBENCH_PATTERN_PAIR;
	a->values[KB_V_FRAG_PAGES] = frag.held_pages;
	a->values[KB_V_FRAG_FREE_BEFORE] = (u64)frag.free_before << PAGE_SHIFT;
	a->values[KB_V_FRAG_FREE_AFTER] = (u64)frag.free_after << PAGE_SHIFT;
	a->values[KB_V_PURGE_THRESHOLD] = (ctx->ops->caps & KBENCH_CAP_LAZY_FREE) ?
					  kbench_lazy_purge_bytes() : 0;
	a->nr_values = KB_NR_VALUES;
	kbench_fragment_undo(&frag);
	return ret;
}

static const char *const kb_alloc_slots[] = { "pair", "alloc", "free", NULL };
static const char *const kb_alloc_units[] = { "pair", "op", "op", NULL };
static const char *const kb_alloc_values[] = {
	"clock_read_ticks", "single_op_timed", "ops_per_batch", "purges",
	"purges_counted", "purge_threshold_bytes", "chunks", "slab_flushes",
	"slab_flushes_counted", "vmalloc_fallbacks", "fallbacks_counted",
	"frag_pages_held", "frag_free_before_bytes",
	"frag_free_after_bytes", NULL
};

const struct kbench_experiment_ops kbench_exp_alloc = {
	.name = "alloc",
	.slots = kb_alloc_slots,
	.units = kb_alloc_units,
	.values = kb_alloc_values,
	.fields = KBENCH_FIELD_API | KBENCH_FIELD_GFP | KBENCH_FIELD_PATTERN |
		  KBENCH_FIELD_CONTEXT | KBENCH_FIELD_OPS | KBENCH_FIELD_BATCHES |
		  KBENCH_FIELD_SEED | KBENCH_FIELD_OPTIONS | KBENCH_FIELD_THREADS |
		  KBENCH_FIELD_CONDITION,
	.flags = KBENCH_EXPF_COUNTERS | KBENCH_EXPF_STEADY | KBENCH_EXPF_HIST,
	.check = kb_alloc_check,
	.run = kb_alloc_run,
};
