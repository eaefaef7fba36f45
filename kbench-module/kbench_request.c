// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_request.c - every request, whatever its experiment, goes through
 * the same steps: check it completely before anything is allocated (one
 * check of the fields, one of what the API can honour, the experiment's
 * own, then one memory rule), take the run lock, set up the arrays, the
 * samples and the counters, run the experiment, and free everything on
 * every path. The module can therefore be removed whenever no file is open.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kbench.h"

static unsigned int mem_cap_mb;
module_param(mem_cap_mb, uint, 0644);
MODULE_PARM_DESC(mem_cap_mb,
		 "Most memory one run may hold at once, in MiB (0: a quarter of RAM)");

static DEFINE_MUTEX(kb_run_lock);
static u64 kb_auto_cap;

void kbench_request_init(void)
{
	kb_auto_cap = (u64)totalram_pages() << PAGE_SHIFT >> 2;
}

u64 kbench_mem_cap(void)
{
	unsigned int mb = READ_ONCE(mem_cap_mb);

	return mb ? (u64)mb << 20 : kb_auto_cap;
}

/* The single-op histograms of an experiment: one per sample slot. */
u64 kbench_hist_bytes(const struct kbench_experiment_ops *e)
{
	u64 slots = 0;

	while (e->slots && e->slots[slots])
		slots++;
	return slots * KBENCH_HIST_BUCKETS * sizeof(u64);
}

/* A field the experiment does not read must be zero. */
#define KB_UNREAD(a, exp, bit, field)					\
	(!((exp)->fields & (bit)) && (a)->field)

/* Malformed fields: -EINVAL naming the field. */
static int kb_check_fields(struct kbench_run_args *a,
			   const struct kbench_experiment_ops *e)
{
	if (a->api >= kbench_api_count() || KB_UNREAD(a, e, KBENCH_FIELD_API, api))
		return kbench_bad_field(a, "api");
	if (a->gfp >= KBENCH_GFP_COUNT || KB_UNREAD(a, e, KBENCH_FIELD_GFP, gfp))
		return kbench_bad_field(a, "gfp");
	if ((a->gfp_mods & ~KBENCH_GFPM_ALL) ||
	    KB_UNREAD(a, e, KBENCH_FIELD_GFP, gfp_mods))
		return kbench_bad_field(a, "gfp_mods");
	if (a->pattern >= KBENCH_PATTERN_COUNT ||
	    KB_UNREAD(a, e, KBENCH_FIELD_PATTERN, pattern))
		return kbench_bad_field(a, "pattern");
	if (a->context >= KBENCH_CTX_COUNT ||
	    KB_UNREAD(a, e, KBENCH_FIELD_CONTEXT, context))
		return kbench_bad_field(a, "context");
	if (a->mode >= KBENCH_ACCESS_COUNT || KB_UNREAD(a, e, KBENCH_FIELD_MODE, mode))
		return kbench_bad_field(a, "mode");
	/* Steady state: the module chooses ops_per_batch. */
	if ((e->fields & KBENCH_FIELD_OPS) ?
	    (!a->ops_per_batch && !(a->flags & KBENCH_RUN_STEADY)) ||
	    a->ops_per_batch > KBENCH_MAX_OPS_PER_BATCH :
	    a->ops_per_batch != 0)
		return kbench_bad_field(a, "ops_per_batch");
	if (a->nr_batches > KBENCH_MAX_BATCHES ||
	    KB_UNREAD(a, e, KBENCH_FIELD_BATCHES, nr_batches))
		return kbench_bad_field(a, "nr_batches");
	if (a->warmup_batches > KBENCH_MAX_BATCHES ||
	    KB_UNREAD(a, e, KBENCH_FIELD_BATCHES, warmup_batches))
		return kbench_bad_field(a, "warmup_batches");
	if (KB_UNREAD(a, e, KBENCH_FIELD_SEED, seed))
		return kbench_bad_field(a, "seed");
	if (KB_UNREAD(a, e, KBENCH_FIELD_OPTIONS, min_nr))
		return kbench_bad_field(a, "min_nr");
	if ((a->flags & ~KBENCH_RUN_FLAGS_ALL) ||
	    (!(e->fields & KBENCH_FIELD_OPTIONS) &&
	     (a->flags & (KBENCH_RUN_HWCACHE_ALIGN | KBENCH_RUN_MERGEABLE))))
		return kbench_bad_field(a, "flags");
	if ((a->flags & KBENCH_RUN_STEADY) && !(e->flags & KBENCH_EXPF_STEADY))
		return kbench_refuse(a, -EOPNOTSUPP,
				     "the %s experiment has no steady state: it measures one operation at a time",
				     e->name);
	if (a->hist_ptr && (!(e->flags & KBENCH_EXPF_HIST) ||
			    a->hist_len < kbench_hist_bytes(e)))
		return kbench_bad_field(a, "hist_len");
	if (!a->hist_ptr && a->hist_len)
		return kbench_bad_field(a, "hist_ptr");
	if (!a->obj_size)
		return kbench_bad_field(a, "obj_size");
	if (a->pad0)
		return kbench_bad_field(a, "pad0");
	if (a->pad1)
		return kbench_bad_field(a, "pad1");
	if (a->pad2)
		return kbench_bad_field(a, "pad2");
	if (a->condition >= KBENCH_COND_COUNT ||
	    KB_UNREAD(a, e, KBENCH_FIELD_CONDITION, condition))
		return kbench_bad_field(a, "condition");
	if (a->nr_threads > 1 && !(e->fields & KBENCH_FIELD_THREADS))
		return kbench_bad_field(a, "nr_threads");
	if (!(a->flags & KBENCH_RUN_VALIDATE_ONLY) && e->slots &&
	    (a->sample_size == 0 || a->sample_size > PAGE_SIZE ||
	     a->samples_len < (u64)a->nr_batches * max(a->nr_threads, 1U) *
			      a->sample_size))
		return kbench_bad_field(a, a->sample_size ? "samples_len" :
					"sample_size");
	if (!!(a->flags & KBENCH_RUN_COUNTERS) != !!a->counters_ptr)
		return kbench_bad_field(a, "counters_ptr");
	if ((a->flags & KBENCH_RUN_COUNTERS) && !(e->flags & KBENCH_EXPF_COUNTERS))
		return kbench_refuse(a, -EOPNOTSUPP,
				     "the %s experiment times nothing that counters could be read around: leave counters off",
				     e->name);
	if (a->raw_config && !(a->flags & KBENCH_RUN_COUNTERS))
		return kbench_bad_field(a, "raw_config");
	return 0;
}

/*
 * Valid ABI, but is it something this API and kernel can honour? The
 * API's facts (caps, options, max_size) decide, then its own validate();
 * -EOPNOTSUPP with the reason.
 */
static int kb_check_api(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	const struct kbench_alloc_ops *ops;
	const char *name;
	int ret;

	ops = kbench_api_ops(a->api, &name);
	ctx->ops = ops;
	ctx->api_name = name;
	if (ops->unavailable)
		return kbench_refuse(a, -EOPNOTSUPP, "%s is not available on this kernel: %s",
				     name, ops->unavailable);
	if (ops->max_size && a->obj_size > ops->max_size)
		return kbench_refuse(a, -EOPNOTSUPP,
				     "%s cannot allocate %llu bytes: its limit on this kernel is %llu",
				     name, a->obj_size, ops->max_size);
	if ((ops->options & KBENCH_OPT_MIN_NR) && !a->min_nr)
		return kbench_refuse(a, -EOPNOTSUPP,
				     "%s needs min_nr >= 1: with no reserve a blocking mempool_alloc can wait forever",
				     name);
	if (!(ops->options & KBENCH_OPT_MIN_NR) && a->min_nr)
		return kbench_bad_field(a, "min_nr");
	if ((a->flags & KBENCH_RUN_HWCACHE_ALIGN) &&
	    !(ops->options & KBENCH_OPT_CACHE_ALIGN))
		return kbench_refuse(a, -EOPNOTSUPP,
				     "SLAB_HWCACHE_ALIGN applies to APIs over a cache of their own, not %s",
				     name);
	if ((a->flags & KBENCH_RUN_MERGEABLE) &&
	    !(ops->options & KBENCH_OPT_MERGEABLE))
		return kbench_refuse(a, -EOPNOTSUPP,
				     "a mergeable cache applies to APIs that create a cache of their own, not %s",
				     name);

	ctx->gfp = kbench_gfp_build(a->gfp, a->gfp_mods);
	/* The API's own reasons first: they are more specific. */
	if (ops->validate) {
		ret = ops->validate(ctx, a->reason, sizeof(a->reason));
		if (ret)
			return ret;
	}
	ret = kbench_gfp_check(a, ops, name, ctx->gfp, a->reason,
			       sizeof(a->reason));
	if (ret)
		return ret;

	/* Large or non-blocking requests may fail: count, do not warn. */
	if (!(ctx->gfp & __GFP_NOWARN) &&
	    (ctx->order > PAGE_ALLOC_COSTLY_ORDER ||
	     !gfpflags_allow_blocking(ctx->gfp))) {
		ctx->gfp |= __GFP_NOWARN;
		a->nowarn_added = 1;
	}
	ctx->loops = ops->loops;
	if (ops->loops_gfp && (a->gfp != KBENCH_GFP_KERNEL || a->gfp_mods))
		ctx->loops = ops->loops_gfp;
	strscpy(a->call, ctx->loops->call, sizeof(a->call));
	ctx->per_obj = ops->obj_bytes ? ops->obj_bytes(ctx) : ctx->size;
	return 0;
}

/* One memory rule for every request: the cap, and half of what is free. */
static int kb_check_memory(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	u64 held, avail;

	/* Each thread of a team holds as much as one request alone. */
	held = (ctx->held_bytes +
		(u64)ctx->n * (sizeof(void *) + sizeof(u64) + sizeof(u32)) +
		(u64)a->nr_batches * sizeof(struct kbench_sample) +
		(a->hist_ptr ? kbench_hist_bytes(ctx->exp) : 0)) * ctx->threads;
	/*
	 * A condition's memory counts against the cap; against what is
	 * available it has its own bound (the fragmenter keeps at most half
	 * of what is free above its floor).
	 */
	a->footprint_bytes = held + ctx->condition_bytes;
	if (a->footprint_bytes > kbench_mem_cap())
		return kbench_refuse(a, -EFBIG,
				     "the request would hold %llu MiB at once, over the cap of %llu MiB (module parameter mem_cap_mb); lower the size or the batch",
				     a->footprint_bytes >> 20, kbench_mem_cap() >> 20);
	avail = (u64)si_mem_available() << PAGE_SHIFT;
	if (held > avail / 2)
		return kbench_refuse(a, -EFBIG,
				     "the request would hold %llu MiB at once, over half of the memory available now (%llu MiB)",
				     held >> 20, avail >> 20);
	/* And half of what the condition leaves. */
	avail -= min(avail, ctx->condition_bytes);
	if (ctx->condition_bytes && held > avail / 2)
		return kbench_refuse(a, -EFBIG,
				     "the request would hold %llu MiB at once, over half of the %llu MiB the condition leaves available",
				     held >> 20, avail >> 20);
	return 0;
}

/**
 * kb_check - check a request completely, allocating nothing.
 * @ctx: ctx->args is the request; the rest is filled with what the run
 *       needs. bad_field, reason, call and footprint_bytes are written.
 *
 * Return: 0, -EINVAL, -EOPNOTSUPP or -EFBIG as described in the UAPI.
 */
static int kb_check(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	int ret;

	ctx->exp = kbench_experiment(a->experiment);
	if (!ctx->exp)
		return kbench_bad_field(a, "experiment");
	ret = kb_check_fields(a, ctx->exp);
	if (ret)
		return ret;
	if (a->obj_size > UINT_MAX)
		return kbench_refuse(a, -EOPNOTSUPP,
				     "%llu bytes is larger than kbench supports (4 GiB - 1)",
				     a->obj_size);
	ctx->size = a->obj_size;
	ctx->order = get_order(ctx->size);
	ctx->n = 1;
	ctx->threads = max(a->nr_threads, 1U);
	if (ctx->threads > num_online_cpus())
		return kbench_refuse(a, -EOPNOTSUPP,
				     "%u threads asked for, but only %u CPUs are online: one thread per CPU at most",
				     ctx->threads, num_online_cpus());
	if (ctx->exp->fields & KBENCH_FIELD_API) {
		ret = kb_check_api(ctx);
		if (ret)
			return ret;
	}
	ret = ctx->exp->check(ctx);
	if (ret)
		return ret;
	return kb_check_memory(ctx);
}

/*
 * Samples are written sample_size bytes apart, as much of each as fits;
 * a team's thread t from index t * nr_batches (see the UAPI).
 */
static int kb_copy_samples(const struct kbench_run_ctx *ctx)
{
	const struct kbench_run_args *a = ctx->args;
	size_t len = min_t(size_t, a->sample_size, sizeof(*ctx->samples));
	u32 t, i;

	for (t = 0; t < ctx->threads; t++) {
		for (i = 0; i < a->batches_done; i++) {
			u64 k = (u64)t * a->nr_batches + i;

			if (copy_to_user(u64_to_user_ptr(a->samples_ptr +
							 k * a->sample_size),
					 &ctx->samples[k], len))
				return -EFAULT;
		}
	}
	return 0;
}

static long kb_run_locked(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	long ret;

	/*
	 * A bad buffer is found now, before minutes of work are lost: clear
	 * the caller's sample and counter buffers first.
	 */
	if (ctx->exp->slots && a->nr_batches &&
	    clear_user(u64_to_user_ptr(a->samples_ptr),
		       (u64)a->nr_batches * ctx->threads * a->sample_size))
		return -EFAULT;
	if (a->counters_ptr &&
	    clear_user(u64_to_user_ptr(a->counters_ptr),
		       sizeof(struct kbench_counters)))
		return -EFAULT;
	if (a->hist_ptr &&
	    clear_user(u64_to_user_ptr(a->hist_ptr), kbench_hist_bytes(ctx->exp)))
		return -EFAULT;

	/* kcalloc: the arrays must live in the direct map, not vmalloc. */
	ctx->objs = kcalloc(ctx->n, sizeof(*ctx->objs), GFP_KERNEL | __GFP_NOWARN);
	ctx->aux = kcalloc(ctx->n, sizeof(*ctx->aux), GFP_KERNEL | __GFP_NOWARN);
	ctx->free_order = kcalloc(ctx->n, sizeof(*ctx->free_order),
				  GFP_KERNEL | __GFP_NOWARN);
	ctx->samples = kvcalloc((size_t)max(a->nr_batches, 1U) * ctx->threads,
				sizeof(*ctx->samples), GFP_KERNEL);
	if (a->flags & KBENCH_RUN_COUNTERS)
		ctx->perf = kzalloc(sizeof(*ctx->perf), GFP_KERNEL);
	/* Direct map: the per-op loops count into it. */
	if (a->hist_ptr)
		ctx->hist = kzalloc(kbench_hist_bytes(ctx->exp), GFP_KERNEL | __GFP_NOWARN);
	if (!ctx->objs || !ctx->aux || !ctx->free_order || !ctx->samples ||
	    (!ctx->perf && (a->flags & KBENCH_RUN_COUNTERS)) ||
	    (!ctx->hist && a->hist_ptr)) {
		ret = kbench_refuse(a, -ENOMEM,
				    "could not allocate the run's bookkeeping arrays");
		goto out_free;
	}
	if (ctx->perf)
		kbench_perf_open(ctx->perf, a->raw_type, a->raw_config);

	if (ctx->ops && ctx->ops->prepare) {
		ret = ctx->ops->prepare(ctx);
		if (ret) {
			kbench_refuse(a, ret, "%s: creating the cache or pool failed (%ld)",
				      ctx->api_name, ret);
			goto out_teardown;
		}
		/* What one object holds may depend on the cache just made. */
		if (ctx->ops->obj_bytes)
			ctx->per_obj = ctx->ops->obj_bytes(ctx);
	}
	/*
	 * Clean state: earlier lazy vfree()s must not be purged inside our
	 * timing. Steady state keeps them: their purge is part of the cost.
	 */
	if (ctx->ops && (ctx->ops->caps & KBENCH_CAP_LAZY_FREE) &&
	    !(a->flags & KBENCH_RUN_STEADY))
		vm_unmap_aliases();

	ret = ctx->exp->run(ctx);

out_teardown:
	if (ctx->ops && ctx->ops->teardown)
		ctx->ops->teardown(ctx);
	if (kb_copy_samples(ctx))
		ret = -EFAULT;
	if (ctx->hist && copy_to_user(u64_to_user_ptr(a->hist_ptr), ctx->hist,
				      kbench_hist_bytes(ctx->exp)))
		ret = -EFAULT;
	if (ctx->perf) {
		kbench_perf_close(ctx->perf);
		if (copy_to_user(u64_to_user_ptr(a->counters_ptr),
				 &ctx->perf->out, sizeof(ctx->perf->out)))
			ret = -EFAULT;
	}
out_free:
	kfree(ctx->hist);
	kfree(ctx->perf);
	kvfree(ctx->samples);
	kfree(ctx->free_order);
	kfree(ctx->aux);
	kfree(ctx->objs);
	return ret;
}

/**
 * kbench_request - KBENCH_IOC_RUN after the struct was copied in.
 * @a: the request; outputs are written into it for copying back.
 *
 * Return: 0, or a negative errno described in the UAPI header.
 */
long kbench_request(struct kbench_run_args *a)
{
	struct kbench_run_ctx ctx = { .args = a };
	long ret;

	a->batches_done = 0;
	a->failed_total = 0;
	a->footprint_bytes = 0;
	a->nowarn_added = 0;
	a->nr_values = 0;
	memset(a->call, 0, sizeof(a->call));
	memset(a->bad_field, 0, sizeof(a->bad_field));
	memset(a->reason, 0, sizeof(a->reason));
	memset(a->values, 0, sizeof(a->values));

	ret = kb_check(&ctx);
	if (ret || (a->flags & KBENCH_RUN_VALIDATE_ONLY))
		return ret;

	if (!mutex_trylock(&kb_run_lock))
		return kbench_refuse(a, -EBUSY,
				     "another kbench run is in progress on this machine");
	ret = kb_run_locked(&ctx);
	mutex_unlock(&kb_run_lock);
	kbench_account_run(ret);
	return ret;
}
