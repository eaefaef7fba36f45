// SPDX-License-Identifier: GPL-2.0
/*
 * pages_exact.c - alloc_pages_exact() / free_pages_exact(): physically
 * contiguous pages for exactly the size asked (rounded to pages, not to a
 * power of two: the tail of the order it allocates is freed at once).
 * free_pages_exact() needs the size back, which the free loop provides.
 */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "../kbench.h"

#define KB_FREE_EXACT(p)	free_pages_exact(p, size)

KBENCH_DEFINE_LOOPS(kb_pages_exact, "alloc_pages_exact",
		    alloc_pages_exact(size, gfp), KB_FREE_EXACT);

static u64 kb_pages_exact_obj_bytes(const struct kbench_run_ctx *ctx)
{
	return PAGE_ALIGN(ctx->size);
}

const struct kbench_alloc_ops kbench_alloc_pages_exact_ops = {
	.family = "pages",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_DMA32 |
		KBENCH_CAP_ZERO | KBENCH_CAP_ATOMIC_CTX | KBENCH_CAP_CONTIGUOUS,
	.max_size = PAGE_SIZE << KBENCH_MAX_PAGE_ORDER,
	.free_call = "free_pages_exact",
	.note = "physically contiguous pages for exactly the size (no power-of-two rounding); needs the size to free",
	.obj_bytes = kb_pages_exact_obj_bytes,
	.loops = &kb_pages_exact_loops,
};
