// SPDX-License-Identifier: GPL-2.0
/*
 * pages.c - the page allocator: alloc_pages() / __free_pages() and
 * __get_free_pages() / free_pages(), with the order taken from the size.
 */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "../kbench.h"

#define KB_FREE_PAGES(p)	__free_pages((struct page *)(p), order)
#define KB_FREE_ADDR(p)		free_pages((unsigned long)(p), order)

KBENCH_DEFINE_LOOPS(kb_alloc_pages, "alloc_pages",
		    (void *)alloc_pages(gfp, order), KB_FREE_PAGES);
KBENCH_DEFINE_LOOPS(kb_get_free_pages, "__get_free_pages",
		    (void *)__get_free_pages(gfp, order), KB_FREE_ADDR);

static u64 kb_pages_obj_bytes(const struct kbench_run_ctx *ctx)
{
	return PAGE_SIZE << ctx->order;
}

#define KB_PAGES_CAPS							\
	(KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_DMA32 |	\
	 KBENCH_CAP_ZERO | KBENCH_CAP_ATOMIC_CTX | KBENCH_CAP_ORDER |	\
	 KBENCH_CAP_CONTIGUOUS)

const struct kbench_alloc_ops kbench_alloc_pages_ops = {
	.family = "pages",
	.memory = KBENCH_MEM_PAGE,
	.caps = KB_PAGES_CAPS | KBENCH_CAP_HIGHMEM | KBENCH_CAP_COMP,
	.free_call = "__free_pages",
	.note = "returns a struct page; rounds the size up to a power-of-two number of pages; high orders can fail when memory is fragmented",
	.max_size = PAGE_SIZE << KBENCH_MAX_PAGE_ORDER,
	.obj_bytes = kb_pages_obj_bytes,
	.loops = &kb_alloc_pages_loops,
};

/* Returns a kernel virtual address, so highmem pages are not allowed. */
const struct kbench_alloc_ops kbench___get_free_pages_ops = {
	.family = "pages",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KB_PAGES_CAPS | KBENCH_CAP_COMP,
	.free_call = "free_pages",
	.note = "rounds the size up to a power-of-two number of pages; high orders can fail when memory is fragmented",
	.max_size = PAGE_SIZE << KBENCH_MAX_PAGE_ORDER,
	.obj_bytes = kb_pages_obj_bytes,
	.loops = &kb_get_free_pages_loops,
};
