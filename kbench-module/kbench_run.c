// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_run.c - the run engine: check a request completely before any
 * allocation, then warm up, time the batches and return one sample each.
 *
 * Everything a run allocates is freed before kbench_run() returns, on every
 * path: a refused request allocates nothing, a signal ends the run between
 * batches (each batch frees what it allocated), and prepare/teardown pair
 * up. The module can therefore be removed whenever no file is open.
 */
#include <linux/kernel_stat.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kbench.h"

static unsigned int mem_cap_mb;
module_param(mem_cap_mb, uint, 0644);
MODULE_PARM_DESC(mem_cap_mb,
		 "Most memory one run may hold at once, in MiB (0: a quarter of RAM)");

/* Requests that must stay short when run with preemption or irqs off. */
#define KB_ATOMIC_BYTES_MAX	(16ULL << 20)

static DEFINE_MUTEX(kb_run_lock);
static u64 kb_auto_cap;

void kbench_run_init(void)
{
	kb_auto_cap = (u64)totalram_pages() << PAGE_SHIFT >> 2;
}

u64 kbench_mem_cap(void)
{
	unsigned int mb = READ_ONCE(mem_cap_mb);

	return mb ? (u64)mb << 20 : kb_auto_cap;
}

/* Add a new allocator here, at its enum kbench_api index. */
static const struct kbench_alloc_ops *const kb_ops[KBENCH_API_COUNT] = {
	[KBENCH_API_NOOP] = &kbench_noop_ops,
	[KBENCH_API_KMALLOC] = &kbench_kmalloc_ops,
	[KBENCH_API_KZALLOC] = &kbench_kzalloc_ops,
	[KBENCH_API_KVMALLOC] = &kbench_kvmalloc_ops,
	[KBENCH_API_VMALLOC] = &kbench_vmalloc_ops,
	[KBENCH_API_VZALLOC] = &kbench_vzalloc_ops,
	[KBENCH_API_VMALLOC_HUGE] = &kbench_vmalloc_huge_ops,
	[KBENCH_API_VMALLOC_32] = &kbench_vmalloc_32_ops,
	[KBENCH_API_ALLOC_PAGES] = &kbench_alloc_pages_ops,
	[KBENCH_API_GET_FREE_PAGES] = &kbench_get_free_pages_ops,
	[KBENCH_API_KMEM_CACHE] = &kbench_kmem_cache_ops,
	[KBENCH_API_MEMPOOL_SLAB] = &kbench_mempool_slab_ops,
	[KBENCH_API_MEMPOOL_KMALLOC] = &kbench_mempool_kmalloc_ops,
	[KBENCH_API_MEMPOOL_PAGE] = &kbench_mempool_page_ops,
};

const struct kbench_alloc_ops *kbench_ops_lookup(u32 api)
{
	if (api >= KBENCH_API_COUNT)
		return NULL;
	return kb_ops[array_index_nospec(api, KBENCH_API_COUNT)];
}

/* Malformed fields: -EINVAL naming the field. */
static int kb_check_fields(struct kbench_run_args *a)
{
	if (a->api >= KBENCH_API_COUNT)
		return kbench_bad_field(a, "api");
	if (a->gfp >= KBENCH_GFP_COUNT)
		return kbench_bad_field(a, "gfp");
	if (a->gfp_mods & ~KBENCH_GFPM_ALL)
		return kbench_bad_field(a, "gfp_mods");
	if (a->pattern >= KBENCH_PATTERN_COUNT)
		return kbench_bad_field(a, "pattern");
	if (a->context >= KBENCH_CTX_COUNT)
		return kbench_bad_field(a, "context");
	if (a->flags & ~KBENCH_RUN_FLAGS_ALL)
		return kbench_bad_field(a, "flags");
	if (!a->obj_size)
		return kbench_bad_field(a, "obj_size");
	if (!a->ops_per_batch || a->ops_per_batch > KBENCH_MAX_OPS_PER_BATCH)
		return kbench_bad_field(a, "ops_per_batch");
	if (a->nr_batches > KBENCH_MAX_BATCHES)
		return kbench_bad_field(a, "nr_batches");
	if (a->warmup_batches > KBENCH_MAX_BATCHES)
		return kbench_bad_field(a, "warmup_batches");
	if (a->pad0)
		return kbench_bad_field(a, "pad0");
	if (memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return kbench_bad_field(a, "reserved");
	if (!(a->flags & KBENCH_RUN_VALIDATE_ONLY) &&
	    a->samples_len < (u64)a->nr_batches * sizeof(struct kbench_sample))
		return kbench_bad_field(a, "samples_len");
	if (!!(a->flags & KBENCH_RUN_COUNTERS) != !!a->counters_ptr)
		return kbench_bad_field(a, "counters_ptr");
	if (a->raw_config && !(a->flags & KBENCH_RUN_COUNTERS))
		return kbench_bad_field(a, "raw_config");
	if (a->raw_type > U32_MAX)
		return kbench_bad_field(a, "raw_type");
	return 0;
}

/*
 * Valid ABI, but is it something this API and kernel can honour, within
 * the memory cap? -EOPNOTSUPP or -EFBIG with the reason.
 */
static int kb_check_combination(struct kbench_run_args *a,
				struct kbench_run_ctx *ctx)
{
	const struct kbench_alloc_ops *ops = ctx->ops;
	u64 per_obj, held, avail;
	int ret;

	if (ops->max_size && a->obj_size > ops->max_size)
		return kbench_refuse(a, -EOPNOTSUPP,
				 "%s cannot allocate %llu bytes: its limit on this kernel is %llu",
				 ops->name, a->obj_size, ops->max_size);
	if (a->obj_size > UINT_MAX)
		return kbench_refuse(a, -EOPNOTSUPP,
				 "%llu bytes is larger than kbench supports (4 GiB - 1)",
				 a->obj_size);
	ctx->size = a->obj_size;
	ctx->order = get_order(ctx->size);
	if ((ops->caps & KBENCH_CAP_MEMPOOL) && !a->mempool_min_nr)
		return kbench_refuse(a, -EOPNOTSUPP,
				 "%s needs mempool_min_nr >= 1: with no reserve a blocking mempool_alloc can wait forever",
				 ops->name);
	if (!(ops->caps & KBENCH_CAP_MEMPOOL) && a->mempool_min_nr)
		return kbench_bad_field(a, "mempool_min_nr");
	if ((a->flags & KBENCH_RUN_HWCACHE_ALIGN) &&
	    !(ops->caps & KBENCH_CAP_CACHE_ALIGN))
		return kbench_refuse(a, -EOPNOTSUPP,
				 "SLAB_HWCACHE_ALIGN applies to kmem_cache and mempool_slab only, not %s",
				 ops->name);

	/* The API's own reasons first: they are more specific. */
	ctx->gfp = kbench_gfp_build(a);
	if (ops->validate) {
		ret = ops->validate(ctx, a->reason, sizeof(a->reason));
		if (ret)
			return ret;
	}
	ret = kbench_gfp_check(a, ops, ctx->gfp, a->reason,
			       sizeof(a->reason));
	if (ret)
		return ret;

	if (a->context != KBENCH_CTX_PREEMPT_ON) {
		if (IS_ENABLED(CONFIG_PREEMPT_RT))
			return kbench_refuse(a, -EOPNOTSUPP,
					 "preempt-off/irqs-off runs are refused on PREEMPT_RT: spinlocks sleep there");
		if (!(ops->caps & KBENCH_CAP_ATOMIC_CTX))
			return kbench_refuse(a, -EOPNOTSUPP,
					 "%s may sleep, so it cannot run with preemption or interrupts off",
					 ops->name);
		if (gfpflags_allow_blocking(ctx->gfp))
			return kbench_refuse(a, -EOPNOTSUPP,
					 "a blocking GFP may sleep: use GFP_ATOMIC or GFP_NOWAIT with preempt-off/irqs-off");
		if (a->ops_per_batch > KBENCH_MAX_ATOMIC_OPS)
			return kbench_refuse(a, -EOPNOTSUPP,
					 "at most %u ops per batch with preemption or interrupts off (keeps each atomic section short)",
					 KBENCH_MAX_ATOMIC_OPS);
	}

	/* Large or non-blocking requests may fail: count, do not warn. */
	if (!(ctx->gfp & __GFP_NOWARN) &&
	    (ctx->order > PAGE_ALLOC_COSTLY_ORDER ||
	     !gfpflags_allow_blocking(ctx->gfp))) {
		ctx->gfp |= __GFP_NOWARN;
		a->gfp_nowarn_added = 1;
	}

	ctx->n = a->ops_per_batch;
	per_obj = ops->obj_bytes ? ops->obj_bytes(ctx) : ctx->size;
	held = a->pattern == KBENCH_PATTERN_PAIR ? 1 : ctx->n;
	held += (ops->caps & KBENCH_CAP_MEMPOOL) ? a->mempool_min_nr : 0;
	a->footprint_bytes = held * per_obj +
			     ctx->n * (sizeof(void *) + sizeof(u32));
	if (a->footprint_bytes > kbench_mem_cap())
		return kbench_refuse(a, -EFBIG,
				 "run would hold %llu MiB at once, over the cap of %llu MiB (module parameter mem_cap_mb); lower ops_per_batch or the size",
				 a->footprint_bytes >> 20, kbench_mem_cap() >> 20);
	avail = (u64)si_mem_available() << PAGE_SHIFT;
	if (a->footprint_bytes > avail / 2)
		return kbench_refuse(a, -EFBIG,
				 "run would hold %llu MiB at once, over half of the memory available now (%llu MiB)",
				 a->footprint_bytes >> 20, avail >> 20);
	if (a->context != KBENCH_CTX_PREEMPT_ON &&
	    (u64)ctx->n * per_obj > KB_ATOMIC_BYTES_MAX)
		return kbench_refuse(a, -EOPNOTSUPP,
				 "with preemption or interrupts off a batch may touch at most %llu MiB (ops_per_batch x size)",
				 KB_ATOMIC_BYTES_MAX >> 20);

	ctx->loops = ops->loops;
	if (ops->loops_gfp &&
	    (a->gfp != KBENCH_GFP_KERNEL || a->gfp_mods))
		ctx->loops = ops->loops_gfp;
	strscpy(a->call, ctx->loops->call, sizeof(a->call));
	return 0;
}

/*
 * Run one timed phase in the requested context. Counters are read just
 * outside it (they may sleep), into slot 0 (alloc, pair) or 1 (free).
 */
static void kb_run_phase(struct kbench_run_ctx *ctx,
			 void (*phase)(struct kbench_run_ctx *ctx), u32 context,
			 struct kbench_perf *perf, unsigned int slot)
{
	unsigned long flags;

	kbench_perf_mark(perf);
	switch (context) {
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

/* xorshift64*: a shuffle that needs no kernel API that moved over time. */
static u32 kb_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545F4914F6CDD1DULL) >> 32;
}

static void kb_free_order(struct kbench_run_ctx *ctx, u32 pattern,
			  u64 *rng)
{
	u32 i, j, t;

	for (i = 0; i < ctx->n; i++)
		ctx->free_order[i] = i;
	if (pattern != KBENCH_PATTERN_BATCH_SHUFFLED)
		return;
	for (i = ctx->n - 1; i > 0; i--) {
		j = kb_rand(rng) % (i + 1);
		t = ctx->free_order[i];
		ctx->free_order[i] = ctx->free_order[j];
		ctx->free_order[j] = t;
	}
}

/*
 * One batch; on return nothing it allocated is still held. perf is NULL
 * for warm-up batches, whose counts must not mix with the timed ones.
 */
static void kb_one_batch(struct kbench_run_ctx *ctx, u64 *rng,
			 struct kbench_sample *s, u64 per_obj,
			 struct kbench_perf *perf)
{
	const struct kbench_run_args *a = ctx->args;
	unsigned long csw0 = current->nvcsw + current->nivcsw;
	unsigned int cpu0 = raw_smp_processor_id();
	unsigned long irqs0 = kstat_cpu_irqs_sum(cpu0);
	u32 i, ok;

	s->ops = ctx->n;
	s->cpu = cpu0;
	if (a->pattern == KBENCH_PATTERN_PAIR) {
		kb_run_phase(ctx, ctx->loops->pair_phase, a->context, perf, 0);
		s->failed = ctx->pair_failed;
	} else {
		kb_run_phase(ctx, ctx->loops->alloc_phase, a->context, perf, 0);
		for (i = 0, ok = 0; i < ctx->n; i++)
			ok += !!ctx->objs[i];
		s->failed = ctx->n - ok;
		kbench_account_objs(ok, (s64)ok * per_obj);
		kb_free_order(ctx, a->pattern, rng);
		kb_run_phase(ctx, ctx->loops->free_phase, a->context, perf, 1);
		kbench_account_objs(-(s64)ok, -(s64)ok * per_obj);
	}
	s->alloc_cycles = ctx->alloc_cycles;
	s->free_cycles = ctx->free_cycles;
	s->flags = 0;
	if (current->nvcsw + current->nivcsw != csw0)
		s->flags |= KBENCH_SAMPLE_CTX_SWITCH;
	if (raw_smp_processor_id() != cpu0)
		s->flags |= KBENCH_SAMPLE_MIGRATED;
	if (kstat_cpu_irqs_sum(cpu0) != irqs0)
		s->flags |= KBENCH_SAMPLE_IRQ;
}

static long kb_run_locked(struct kbench_run_args *a, struct kbench_run_ctx *ctx,
			  struct kbench_perf *perf)
{
	struct kbench_sample *samples, s;
	u64 rng = a->seed ? a->seed : 0x9E3779B97F4A7C15ULL;
	u32 b, total = a->warmup_batches + a->nr_batches;
	u64 per_obj;
	long ret = 0;

	/* kcalloc: the arrays must live in the direct map, not vmalloc. */
	ctx->objs = kcalloc(ctx->n, sizeof(*ctx->objs),
			    GFP_KERNEL | __GFP_NOWARN);
	ctx->free_order = kcalloc(ctx->n, sizeof(*ctx->free_order),
				  GFP_KERNEL | __GFP_NOWARN);
	samples = kvcalloc(max(a->nr_batches, 1U), sizeof(*samples),
			   GFP_KERNEL);
	if (!ctx->objs || !ctx->free_order || !samples) {
		ret = kbench_refuse(a, -ENOMEM,
				"could not allocate the run's bookkeeping arrays");
		goto out_free_arrays;
	}

	if (ctx->ops->prepare) {
		ret = ctx->ops->prepare(ctx);
		if (ret) {
			kbench_refuse(a, ret, "%s: creating the cache or pool failed (%ld)",
				  ctx->ops->name, ret);
			goto out_teardown;
		}
	}
	per_obj = ctx->ops->obj_bytes ? ctx->ops->obj_bytes(ctx) : ctx->size;

	/* Earlier lazy vfree()s must not be purged inside our timing. */
	if (ctx->ops->caps & KBENCH_CAP_VMAP)
		vm_unmap_aliases();

	for (b = 0; b < total; b++) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		kb_one_batch(ctx, &rng, &s, per_obj,
			     b >= a->warmup_batches ? perf : NULL);
		a->failed_total += s.failed;
		if (b >= a->warmup_batches)
			samples[a->batches_done++] = s;
		cond_resched();
	}

out_teardown:
	if (ctx->ops->teardown)
		ctx->ops->teardown(ctx);
	if (a->batches_done &&
	    copy_to_user(u64_to_user_ptr(a->samples_ptr), samples,
			 (size_t)a->batches_done * sizeof(*samples)))
		ret = -EFAULT;
out_free_arrays:
	kvfree(samples);
	kfree(ctx->free_order);
	kfree(ctx->objs);
	return ret;
}

bool kbench_run_trylock(void)
{
	return mutex_trylock(&kb_run_lock);
}

void kbench_run_unlock(void)
{
	mutex_unlock(&kb_run_lock);
}

/**
 * kbench_check_request - check a request completely, allocating nothing.
 * @a:   the request; bad_field, reason, call and footprint are written.
 * @ctx: filled with what the run needs (ops, gfp, loops, size, order, n).
 *
 * Return: 0, -EINVAL, -EOPNOTSUPP or -EFBIG as described in the UAPI.
 */
int kbench_check_request(struct kbench_run_args *a, struct kbench_run_ctx *ctx)
{
	int ret = kb_check_fields(a);

	if (ret)
		return ret;
	ctx->ops = kbench_ops_lookup(a->api);
	ctx->args = a;
	return kb_check_combination(a, ctx);
}

/**
 * kbench_run - KBENCH_IOC_RUN after the struct was copied in.
 * @a: the request; outputs are written into it for copying back.
 *
 * Return: 0, or a negative errno described in the UAPI header.
 */
long kbench_run(struct kbench_run_args *a)
{
	struct kbench_run_ctx ctx = { .args = a };
	long ret;

	a->batches_done = 0;
	a->failed_total = 0;
	a->footprint_bytes = 0;
	a->gfp_nowarn_added = 0;
	a->pad1 = 0;
	memset(a->call, 0, sizeof(a->call));
	memset(a->bad_field, 0, sizeof(a->bad_field));
	memset(a->reason, 0, sizeof(a->reason));

	ret = kbench_check_request(a, &ctx);
	if (ret || (a->flags & KBENCH_RUN_VALIDATE_ONLY))
		return ret;

	if (!mutex_trylock(&kb_run_lock))
		return kbench_refuse(a, -EBUSY,
				 "another kbench run is in progress on this machine");
	if (a->flags & KBENCH_RUN_COUNTERS) {
		/* kbench_perf is large: not on the kernel stack. */
		struct kbench_perf *perf = kzalloc(sizeof(*perf), GFP_KERNEL);

		if (!perf) {
			ret = kbench_refuse(a, -ENOMEM, "no memory for counters");
		} else {
			kbench_perf_open(perf, a->raw_type, a->raw_config);
			ret = kb_run_locked(a, &ctx, perf);
			kbench_perf_close(perf);
			if (copy_to_user(u64_to_user_ptr(a->counters_ptr),
					 &perf->out, sizeof(perf->out)))
				ret = -EFAULT;
			kfree(perf);
		}
	} else {
		ret = kb_run_locked(a, &ctx, NULL);
	}
	mutex_unlock(&kb_run_lock);
	return ret;
}
