// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc.c - kmalloc() and kzalloc(), freed with kfree().
 *
 * The size is a runtime value, so the call goes through __kmalloc's size
 * lookup, not the constant-size kmalloc_caches[] shortcut. Sizes above
 * KMALLOC_MAX_CACHE_SIZE go straight to the page allocator.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "../kbench.h"

KBENCH_DEFINE_LOOPS(kb_kmalloc, "kmalloc", kmalloc(size, gfp), kfree);
KBENCH_DEFINE_LOOPS(kb_kzalloc, "kzalloc", kzalloc(size, gfp), kfree);

static u64 kb_kmalloc_obj_bytes(const struct kbench_run_ctx *ctx)
{
	if (ctx->size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_size_roundup(ctx->size);
	return PAGE_SIZE << get_order(ctx->size);
}

#define KB_KMALLOC_CAPS							\
	(KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_ZERO |	\
	 KBENCH_CAP_ATOMIC_CTX | KBENCH_CAP_CONTIGUOUS | KBENCH_CAP_SLAB)

const struct kbench_alloc_ops kbench_kmalloc_ops = {
	.family = "slab",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KB_KMALLOC_CAPS,
	.free_call = "kfree",
	.note = "shared kmalloc-<size> caches; above KMALLOC_MAX_CACHE_SIZE straight from the page allocator",
	.max_size = KMALLOC_MAX_SIZE,
	.obj_bytes = kb_kmalloc_obj_bytes,
	.loops = &kb_kmalloc_loops,
};

const struct kbench_alloc_ops kbench_kzalloc_ops = {
	.family = "slab",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KB_KMALLOC_CAPS | KBENCH_CAP_ALWAYS_ZEROES,
	.free_call = "kfree",
	.note = "kmalloc with __GFP_ZERO",
	.max_size = KMALLOC_MAX_SIZE,
	.obj_bytes = kb_kmalloc_obj_bytes,
	.loops = &kb_kzalloc_loops,
};
