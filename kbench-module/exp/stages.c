// SPDX-License-Identifier: GPL-2.0
/*
 * stages.c - vmalloc(size) split into what it does, using exported
 * symbols only: the pages[] array it keeps, bulk page allocation, vmap()
 * or vm_map_ram() of those pages (VA range and page tables), unmapping,
 * freeing, the whole vmalloc()/vfree(), and the lazy TLB flush forced with
 * vm_unmap_aliases(). Slot 0 is the whole vmalloc, the figure the others
 * explain.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../kbench.h"

enum kb_stage {
	KB_VMALLOC, KB_PAGE_ARRAY, KB_PAGES_ALLOC, KB_VMAP, KB_VUNMAP,
	KB_VM_MAP_RAM, KB_VM_UNMAP_RAM, KB_PAGES_FREE, KB_VFREE, KB_PURGE,
	KB_NR_STAGES
};

static unsigned int kb_nr_pages(const struct kbench_run_args *a)
{
	return PAGE_ALIGN(a->obj_size) >> PAGE_SHIFT;
}

static int kb_stages_check(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;

	/* The pages and a whole vmalloc of the same size, at once at most. */
	ctx->held_bytes = 2 * PAGE_ALIGN(a->obj_size) +
			  (u64)kb_nr_pages(a) * sizeof(struct page *);
	strscpy(a->call, "vmalloc", sizeof(a->call));
	return 0;
}

/* Allocate n pages into pages[]; the bulk allocator may return fewer. */
static unsigned int kb_get_pages(struct page **pages, unsigned int n)
{
	unsigned int got = kbench_alloc_pages_bulk(GFP_KERNEL, n, pages);

	while (got < n) {
		pages[got] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!pages[got])
			break;
		got++;
	}
	return got;
}

static void kb_put_pages(struct page **pages, unsigned int got)
{
	unsigned int i;

	for (i = 0; i < got; i++)
		__free_page(pages[i]);
}

/* One batch: every stage timed once, in st[] (ticks). */
static long kb_stages_batch(struct kbench_run_args *a, struct page **pages,
			    u64 *st)
{
	unsigned int n = kb_nr_pages(a), got;
	size_t array_bytes = n * sizeof(struct page *);
	void *va, *array;
	long ret = 0;
	u64 t;

	/*
	 * The previous batch ended in vm_unmap_aliases(), which empties the
	 * vmap-area caches and flushes the TLB. An untimed vmalloc and vfree
	 * bring back the steady state a vmalloc loop runs in, so no timed
	 * stage pays for refilling them alone.
	 */
	va = vmalloc(a->obj_size);
	if (!va)
		return kbench_refuse(a, -ENOMEM, "vmalloc(%llu) failed", a->obj_size);
	vfree(va);
	memset(pages, 0, array_bytes);

	/*
	 * In vmalloc's own order: the zeroed pages[] array first (kmalloc'd
	 * up to a page, vmalloc'd beyond), then the pages.
	 */
	t = kbench_clock_read();
	array = array_bytes <= PAGE_SIZE ? kzalloc(array_bytes, GFP_KERNEL) :
					   vzalloc(array_bytes);
	st[KB_PAGE_ARRAY] = kbench_clock_read() - t;
	kvfree(array);

	t = kbench_clock_read();
	got = kb_get_pages(pages, n);
	st[KB_PAGES_ALLOC] = kbench_clock_read() - t;
	kbench_account_objs(got, (s64)got * PAGE_SIZE);
	if (got < n) {
		ret = kbench_refuse(a, -ENOMEM, "only %u of %u pages could be allocated",
				    got, n);
		goto out_pages;
	}
	t = kbench_clock_read();
	va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	st[KB_VMAP] = kbench_clock_read() - t;
	if (!va) {
		ret = kbench_refuse(a, -ENOMEM, "vmap of %u pages failed", n);
		goto out_pages;
	}
	t = kbench_clock_read();
	vunmap(va);
	st[KB_VUNMAP] = kbench_clock_read() - t;
	t = kbench_clock_read();
	va = vm_map_ram(pages, n, NUMA_NO_NODE);
	st[KB_VM_MAP_RAM] = kbench_clock_read() - t;
	if (!va) {
		ret = kbench_refuse(a, -ENOMEM, "vm_map_ram of %u pages failed", n);
		goto out_pages;
	}
	t = kbench_clock_read();
	vm_unmap_ram(va, n);
	st[KB_VM_UNMAP_RAM] = kbench_clock_read() - t;
	t = kbench_clock_read();
	kb_put_pages(pages, got);
	st[KB_PAGES_FREE] = kbench_clock_read() - t;
	kbench_account_objs(-(s64)got, -(s64)got * PAGE_SIZE);

	t = kbench_clock_read();
	va = vmalloc(a->obj_size);
	st[KB_VMALLOC] = kbench_clock_read() - t;
	if (!va)
		return kbench_refuse(a, -ENOMEM, "vmalloc(%llu) failed", a->obj_size);
	t = kbench_clock_read();
	vfree(va);
	st[KB_VFREE] = kbench_clock_read() - t;
	/* Purge the lazily freed areas of this batch, with their flush. */
	t = kbench_clock_read();
	vm_unmap_aliases();
	st[KB_PURGE] = kbench_clock_read() - t;
	return 0;

out_pages:
	kb_put_pages(pages, got);
	kbench_account_objs(-(s64)got, -(s64)got * PAGE_SIZE);
	return ret;
}

static long kb_stages_run(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	u32 b, i, total = a->warmup_batches + a->nr_batches;
	struct page **pages;
	long ret = 0;

	pages = kvcalloc(kb_nr_pages(a), sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return kbench_refuse(a, -ENOMEM, "no memory for the page array");
	vm_unmap_aliases();
	for (b = 0; b < total; b++) {
		struct kbench_sample *s = &ctx->samples[a->batches_done];
		struct kbench_batch_noise nz;
		u64 st[KB_NR_STAGES];

		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		memset(s, 0, sizeof(*s));
		kbench_batch_begin(&nz, s);
		ret = kb_stages_batch(a, pages, st);
		if (ret)
			break;
		kbench_batch_end(&nz, s);
		if (b >= a->warmup_batches) {
			s->ops = 1;
			for (i = 0; i < KB_NR_STAGES; i++) {
				s->cycles[i] = st[i];
				s->count[i] = 1;
			}
			a->batches_done++;
		}
		cond_resched();
	}
	kvfree(pages);
	return ret;
}

static const char *const kb_stages_slots[] = {
	"vmalloc", "page_array", "pages_alloc", "vmap", "vunmap",
	"vm_map_ram", "vm_unmap_ram", "pages_free", "vfree", "purge", NULL
};

static const char *const kb_stages_units[] = {
	"op", "op", "op", "op", "op", "op", "op", "op", "op", "op", NULL
};

const struct kbench_experiment_ops kbench_exp_stages = {
	.name = "stages",
	.slots = kb_stages_slots,
	.units = kb_stages_units,
	.fields = KBENCH_FIELD_BATCHES,
	.check = kb_stages_check,
	.run = kb_stages_run,
};
