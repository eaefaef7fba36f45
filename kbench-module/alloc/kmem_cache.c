// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_cache.c - a slab cache created for the run's object size,
 * kmem_cache_alloc() / kmem_cache_free().
 *
 * The cache never merges with another cache (kbench_cache_create), so its
 * state depends on this run only, not on other users of kmalloc-<size>.
 */
#include <linux/slab.h>

#include "../kbench.h"

#define KB_CACHE_FREE(p)	kmem_cache_free(cache, p)

KBENCH_DEFINE_LOOPS(kb_kmem_cache, "kmem_cache_alloc",
		    kmem_cache_alloc(cache, gfp), KB_CACHE_FREE);

/* Shared with the slab-backed mempool. */
int kbench_cache_prepare(struct kbench_run_ctx *ctx)
{
	static atomic_t seq = ATOMIC_INIT(0);
	slab_flags_t flags = 0;
	char name[32];

	if (ctx->args->flags & KBENCH_RUN_HWCACHE_ALIGN)
		flags |= SLAB_HWCACHE_ALIGN;
	/* Unique names: sysfs entries of a destroyed cache may linger. */
	snprintf(name, sizeof(name), "kbench-%u", atomic_inc_return(&seq));
	/*
	 * Unmerged by default, so its state depends on this run only; a
	 * driver's own cache is usually merged with a kmalloc cache of the
	 * same size, which the mergeable option measures instead.
	 */
	if (ctx->args->flags & KBENCH_RUN_MERGEABLE)
		ctx->cache = kmem_cache_create(name, ctx->size, 0, flags, NULL);
	else
		ctx->cache = kbench_cache_create(name, ctx->size, flags);
	if (!ctx->cache)
		return -ENOMEM;
	kbench_account_cache(1);
	return 0;
}

void kbench_cache_teardown(struct kbench_run_ctx *ctx)
{
	if (!ctx->cache)
		return;
	kmem_cache_destroy(ctx->cache);
	ctx->cache = NULL;
	kbench_account_cache(-1);
}

u64 kbench_cache_obj_bytes(const struct kbench_run_ctx *ctx)
{
	if (ctx->cache)
		return kmem_cache_size(ctx->cache);
	return ctx->size;
}

const struct kbench_alloc_ops kbench_kmem_cache_ops = {
	.family = "slab",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_ZERO |
		KBENCH_CAP_ATOMIC_CTX | KBENCH_CAP_CONTIGUOUS |
		KBENCH_CAP_NEEDS_SETUP | KBENCH_CAP_SLAB,
	.options = KBENCH_OPT_CACHE_ALIGN | KBENCH_OPT_MERGEABLE,
	.free_call = "kmem_cache_free",
	.note = "a cache of its own for many objects of one size (kmem_cache_create); kbench's merges with no other unless the mergeable option asks for what a driver's cache usually gets",
	.max_size = KMALLOC_MAX_SIZE,
	.obj_bytes = kbench_cache_obj_bytes,
	.prepare = kbench_cache_prepare,
	.teardown = kbench_cache_teardown,
	.loops = &kb_kmem_cache_loops,
};
