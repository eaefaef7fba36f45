// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_fragment.c - the fragmented condition (KBENCH_COND_FRAGMENTED):
 * free memory made into order-0 islands, deliberately and reproducibly.
 *
 * Order-0 pages are allocated (without retrying, without the OOM killer,
 * without the emergency reserves) until the free pages are down to a floor
 * or the budget is spent, then every page with an odd page frame number is
 * freed: each page freed has its buddy held, so the buddy allocator cannot
 * merge it, and no block of order 1 or more is free in the fragmented
 * memory. The pages are unmovable kernel memory: compaction cannot undo
 * it. Which pages are freed depends on their frame numbers only, not on the
 * order the allocator handed them out in.
 *
 * Bounded: every KB_FRAG_CHUNK pages a fatal signal ends it (everything
 * freed) and the CPU is yielded. The held pages are linked through
 * page->lru, which is the allocation's own to use, so no array is needed.
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/vmstat.h>

#include "kbench.h"

#define KB_FRAG_CHUNK	1024
/*
 * Free memory left untouched, 8 MiB + 1/256 of RAM: a little above the
 * watermarks while every page is held, for as long as that lasts (the odd
 * half is freed at once). Kept small on purpose: it is the part of free
 * memory that stays unfragmented.
 */
#define KB_FRAG_FLOOR_MIN_BYTES	(8ULL << 20)

static unsigned long kb_free_pages(void)
{
	return global_zone_page_state(NR_FREE_PAGES);
}

static unsigned long kb_floor_pages(void)
{
	return (KB_FRAG_FLOOR_MIN_BYTES >> PAGE_SHIFT) + (totalram_pages() >> 8);
}

u64 kbench_fragment_estimate(u64 budget_pages)
{
	unsigned long free = kb_free_pages(), floor = kb_floor_pages();

	return free > floor ? min_t(u64, free - floor, budget_pages) : 0;
}

void kbench_fragment_undo(struct kbench_fragment *f)
{
	struct page *page, *next;

	u64 n = 0;

	list_for_each_entry_safe(page, next, &f->held, lru) {
		list_del(&page->lru);
		__free_page(page);
		if (!(++n % KB_FRAG_CHUNK))
			cond_resched();
	}
	kbench_account_objs(-(s64)f->held_pages, -(s64)(f->held_pages << PAGE_SHIFT));
	f->held_pages = 0;
}

/**
 * kbench_fragment_memory - fragment free memory.
 * @f:            out: what is held (its list initialised here).
 * @budget_pages: order-0 pages to allocate at most (half are kept).
 *
 * Return: 0, or -EINTR if a fatal signal arrived (nothing is then held).
 */
int kbench_fragment_memory(struct kbench_fragment *f, u64 budget_pages)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN | __GFP_NOMEMALLOC;
	const unsigned long floor = kb_floor_pages();
	struct page *page, *next;
	LIST_HEAD(all);
	u64 n = 0;

	INIT_LIST_HEAD(&f->held);
	f->held_pages = 0;
	f->free_before = kb_free_pages();
	while (n < budget_pages && kb_free_pages() > floor) {
		page = alloc_page(gfp);
		if (!page)
			break;
		list_add(&page->lru, &all);
		n++;
		if (n % KB_FRAG_CHUNK)
			continue;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	f->allocated = n;
	/* Keep the even frames, free the odd: no two free buddies are left. */
	n = 0;
	list_for_each_entry_safe(page, next, &all, lru) {
		list_del(&page->lru);
		if (!(++n % KB_FRAG_CHUNK))
			cond_resched();
		if (page_to_pfn(page) & 1) {
			__free_page(page);
		} else {
			list_add(&page->lru, &f->held);
			f->held_pages++;
		}
	}
	kbench_account_objs(f->held_pages, f->held_pages << PAGE_SHIFT);
	f->free_after = kb_free_pages();
	if (fatal_signal_pending(current)) {
		kbench_fragment_undo(f);
		return -EINTR;
	}
	return 0;
}
