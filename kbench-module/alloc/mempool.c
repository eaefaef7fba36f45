// SPDX-License-Identifier: GPL-2.0
/*
 * mempool.c - mempool_alloc() / mempool_free() over the three standard
 * backings: a slab cache of our own, kmalloc, and pages of one order.
 *
 * mempool_create() fills min_nr reserve elements with GFP_KERNEL; they are
 * counted as outstanding until the pool is destroyed. mempool_alloc() adds
 * __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN and warns on __GFP_ZERO,
 * so __GFP_ZERO is refused.
 */
#include <linux/mempool.h>
#include <linux/mm.h>

#include "../kbench.h"

#define KB_POOL_FREE(p)	mempool_free(p, pool)

KBENCH_DEFINE_LOOPS(kb_mempool, "mempool_alloc", mempool_alloc(pool, gfp),
		    KB_POOL_FREE);

static int kb_pool_created(struct kbench_run_ctx *ctx)
{
	if (!ctx->pool)
		return -ENOMEM;
	kbench_account_pool(1);
	kbench_account_objs(ctx->args->min_nr,
			    (s64)ctx->args->min_nr *
			    ctx->ops->obj_bytes(ctx));
	return 0;
}

static void kb_pool_teardown(struct kbench_run_ctx *ctx)
{
	s64 nr = ctx->args->min_nr;

	/* Unaccount while the cache, which sizes the objects, still exists. */
	if (ctx->pool) {
		kbench_account_objs(-nr, -nr * ctx->ops->obj_bytes(ctx));
		kbench_account_pool(-1);
	}
	mempool_destroy(ctx->pool);
	ctx->pool = NULL;
	kbench_cache_teardown(ctx);
}

static int kb_pool_slab_prepare(struct kbench_run_ctx *ctx)
{
	int ret = kbench_cache_prepare(ctx);

	if (ret)
		return ret;
	ctx->pool = mempool_create_slab_pool(ctx->args->min_nr,
					     ctx->cache);
	return kb_pool_created(ctx);
}

static int kb_pool_kmalloc_prepare(struct kbench_run_ctx *ctx)
{
	ctx->pool = mempool_create_kmalloc_pool(ctx->args->min_nr,
						ctx->size);
	return kb_pool_created(ctx);
}

static int kb_pool_page_prepare(struct kbench_run_ctx *ctx)
{
	ctx->pool = mempool_create_page_pool(ctx->args->min_nr,
					     ctx->order);
	return kb_pool_created(ctx);
}

static u64 kb_pool_kmalloc_obj_bytes(const struct kbench_run_ctx *ctx)
{
	return kmalloc_size_roundup(ctx->size);
}

static u64 kb_pool_page_obj_bytes(const struct kbench_run_ctx *ctx)
{
	return PAGE_SIZE << ctx->order;
}

/* The pools' own reasons, more specific than what their caps say. */
static int kb_pool_validate(const struct kbench_run_ctx *ctx, char *reason,
			    size_t len)
{
	/*
	 * mempool_create() kmallocs an array of min_nr pointers with
	 * GFP_KERNEL: beyond KMALLOC_MAX_SIZE that is a page allocation above
	 * the highest order, which WARNs (found by the ioctl fuzzer).
	 */
	if (ctx->args->min_nr > KMALLOC_MAX_SIZE / sizeof(void *)) {
		scnprintf(reason, len,
			  "min_nr %u is more reserve elements than a mempool can index (at most %lu: its array of element pointers is one kmalloc)",
			  ctx->args->min_nr,
			  (unsigned long)(KMALLOC_MAX_SIZE / sizeof(void *)));
		return -EOPNOTSUPP;
	}
	if (ctx->args->gfp_mods & KBENCH_GFPM_ZERO) {
		scnprintf(reason, len,
			  "__GFP_ZERO is not allowed with %s (mempool_alloc warns on it: reserve elements are not zeroed)",
			  ctx->api_name);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int kb_pool_page_validate(const struct kbench_run_ctx *ctx,
				 char *reason, size_t len)
{
	if (ctx->args->gfp == KBENCH_GFP_DMA32 ||
	    ctx->args->gfp == KBENCH_GFP_HIGHUSER_MOVABLE) {
		scnprintf(reason, len,
			  "mempool_page fills its reserve with GFP_KERNEL pages at creation, so it cannot honour the zone of %s",
			  ctx->args->gfp == KBENCH_GFP_DMA32 ?
			  "GFP_DMA32" : "GFP_HIGHUSER_MOVABLE");
		return -EOPNOTSUPP;
	}
	return kb_pool_validate(ctx, reason, len);
}

#define KB_POOL_CAPS							\
	(KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_ATOMIC_CTX |	\
	 KBENCH_CAP_CONTIGUOUS | KBENCH_CAP_NEEDS_SETUP | KBENCH_CAP_RESERVE)

#define KB_POOL_NOTE \
	"a reserve of min_nr elements made beforehand: forward progress under memory pressure, not speed"

const struct kbench_alloc_ops kbench_mempool_slab_ops = {
	.family = "mempool",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KB_POOL_CAPS | KBENCH_CAP_SLAB,
	.options = KBENCH_OPT_MIN_NR | KBENCH_OPT_CACHE_ALIGN,
	.free_call = "mempool_free",
	.note = KB_POOL_NOTE,
	.max_size = KMALLOC_MAX_SIZE,
	.validate = kb_pool_validate,
	.obj_bytes = kbench_cache_obj_bytes,
	.prepare = kb_pool_slab_prepare,
	.teardown = kb_pool_teardown,
	.loops = &kb_mempool_loops,
};

const struct kbench_alloc_ops kbench_mempool_kmalloc_ops = {
	.family = "mempool",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KB_POOL_CAPS | KBENCH_CAP_SLAB,
	.options = KBENCH_OPT_MIN_NR,
	.free_call = "mempool_free",
	.note = KB_POOL_NOTE,
	.max_size = KMALLOC_MAX_SIZE,
	.validate = kb_pool_validate,
	.obj_bytes = kb_pool_kmalloc_obj_bytes,
	.prepare = kb_pool_kmalloc_prepare,
	.teardown = kb_pool_teardown,
	.loops = &kb_mempool_loops,
};

const struct kbench_alloc_ops kbench_mempool_page_ops = {
	.family = "mempool",
	.memory = KBENCH_MEM_PAGE,
	.caps = KB_POOL_CAPS | KBENCH_CAP_ORDER,
	.options = KBENCH_OPT_MIN_NR,
	.free_call = "mempool_free",
	.note = KB_POOL_NOTE,
	.max_size = PAGE_SIZE << KBENCH_MAX_PAGE_ORDER,
	.validate = kb_pool_page_validate,
	.obj_bytes = kb_pool_page_obj_bytes,
	.prepare = kb_pool_page_prepare,
	.teardown = kb_pool_teardown,
	.loops = &kb_mempool_loops,
};
