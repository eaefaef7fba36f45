// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_probe.c - experiments on allocated memory (KBENCH_IOC_PROBE):
 *
 * footprint  which mappings cover one allocation, and at which level: the
 *            direct map (kmalloc, pages) is mapped with 2 MiB or 1 GiB
 *            entries, vmalloc with 4 KiB PTEs, vmalloc_huge with PMDs
 *            where the kernel allows it;
 * access     what touching the memory costs once it is allocated, by
 *            cache line, page stride or random page, and memset();
 * stages     vmalloc split into what it does, using exported symbols only:
 *            bulk page allocation, vmap() or vm_map_ram() of those pages,
 *            unmapping, freeing, the whole vmalloc()/vfree(), and the lazy
 *            TLB flush forced with vm_unmap_aliases().
 *
 * The buffer of footprint and access probes is allocated by the same
 * adapter a run uses (one object, through its alloc loop), so a probe of
 * "vmalloc_huge" measures exactly what the vmalloc_huge API returns.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kbench.h"

/* Walk [addr, addr + size): count the mappings covering it, by level. */
static int kb_footprint(struct kbench_probe_args *a, unsigned long addr)
{
	unsigned long va = addr & PAGE_MASK, end = addr + a->obj_size;
	unsigned int min_shift = 64;

	while (va < end) {
		int shift = kbench_mapping_shift(va);

		if (shift == -EOPNOTSUPP)
			return kbench_refuse(a, -EOPNOTSUPP,
					       "page-table footprints need lookup_address(), which this architecture lacks");
		if (shift <= 0) {
			a->unmapped++;
			va += PAGE_SIZE;
			continue;
		}
		if (shift == PAGE_SHIFT)
			a->map_4k++;
		else if (shift == PMD_SHIFT)
			a->map_2m++;
		else
			a->map_1g++;
		min_shift = min_t(unsigned int, min_shift, shift);
		/* Next mapping: the first byte past this one. */
		va = (va & ~((1UL << shift) - 1)) + (1UL << shift);
		cond_resched();
	}
	a->level_shift = min_shift == 64 ? 0 : min_shift;
	return 0;
}

/* One timed walk over the buffer; returns the ticks it took. */
static u64 kb_walk(const struct kbench_probe_args *a, u8 *buf,
		   const u32 *order, u64 npages)
{
	u64 t0, t1, i, sum = 0;

	t0 = kbench_clock_read();
	switch (a->mode) {
	case KBENCH_ACCESS_SEQUENTIAL:
		for (i = 0; i < a->obj_size; i += L1_CACHE_BYTES)
			sum += READ_ONCE(*(u64 *)(buf + i));
		break;
	case KBENCH_ACCESS_PAGE_STRIDE:
		for (i = 0; i < npages; i++)
			sum += READ_ONCE(*(u64 *)(buf + (i << PAGE_SHIFT)));
		break;
	case KBENCH_ACCESS_PAGE_RANDOM:
		for (i = 0; i < npages; i++)
			sum += READ_ONCE(*(u64 *)(buf + ((u64)order[i] << PAGE_SHIFT)));
		break;
	default:
		memset(buf, 0, a->obj_size);
		break;
	}
	t1 = kbench_clock_read();
	OPTIMIZER_HIDE_VAR(sum);
	return t1 - t0;
}

static int kb_access(struct kbench_probe_args *a, u8 *buf,
		     struct kbench_probe_sample *samples, struct kbench_perf *perf)
{
	u64 npages = DIV_ROUND_UP(a->obj_size, PAGE_SIZE);
	u64 rng = a->seed ? a->seed : 1;
	u32 *order = NULL;
	u32 b, total = a->warmup_batches + a->nr_batches;
	u64 i;

	/* Loads stay inside the buffer: the last page may be partial. */
	if (a->mode == KBENCH_ACCESS_SEQUENTIAL)
		a->touches = DIV_ROUND_UP(a->obj_size, L1_CACHE_BYTES);
	else if (a->mode == KBENCH_ACCESS_MEMSET)
		a->touches = a->obj_size;
	else
		a->touches = npages;
	if (a->mode != KBENCH_ACCESS_MEMSET && a->obj_size < sizeof(u64))
		return kbench_refuse(a, -EOPNOTSUPP,
				       "access probes load 8 bytes: use at least 8 bytes");
	if (a->mode == KBENCH_ACCESS_PAGE_RANDOM) {
		/* Direct-map array: its own accesses must not add TLB misses. */
		order = kmalloc_array(npages, sizeof(*order),
				      GFP_KERNEL | __GFP_NOWARN);
		if (!order)
			return kbench_refuse(a, -ENOMEM,
					       "no memory for the random page order");
		for (i = 0; i < npages; i++)
			order[i] = i;
		for (i = npages - 1; i > 0; i--) {
			u64 j;
			u32 t;

			rng ^= rng >> 12;
			rng ^= rng << 25;
			rng ^= rng >> 27;
			j = ((rng * 0x2545F4914F6CDD1DULL) >> 32) % (i + 1);
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
	}
	for (b = 0; b < total; b++) {
		bool timed = b >= a->warmup_batches;
		u64 cycles;

		if (signal_pending(current)) {
			kfree(order);
			return -EINTR;
		}
		if (timed)
			kbench_perf_mark(perf);
		cycles = kb_walk(a, buf, order, npages);
		if (timed) {
			kbench_perf_add(perf, 0);
			samples[a->batches_done++].cycles[0] = cycles;
		}
		cond_resched();
	}
	kfree(order);
	return 0;
}

/* Footprint and access: one buffer from the API's own adapter. */
static long kb_probe_buffer(struct kbench_probe_args *a,
			    struct kbench_probe_sample *samples,
			    struct kbench_perf *perf)
{
	struct kbench_run_args r = {
		.size = sizeof(r),
		.abi_version = KBENCH_ABI_VERSION,
		.api = a->api,
		.gfp = a->gfp,
		.gfp_mods = a->gfp_mods,
		.pattern = KBENCH_PATTERN_BATCH,
		.obj_size = a->obj_size,
		.ops_per_batch = 1,
		.flags = KBENCH_RUN_VALIDATE_ONLY,
	};
	struct kbench_run_ctx ctx = { .args = &r };
	u32 zero = 0;
	void *obj;
	u64 per_obj;
	long ret;

	if (a->api == KBENCH_API_NOOP || a->api == KBENCH_API_MEMPOOL_SLAB ||
	    a->api == KBENCH_API_MEMPOOL_KMALLOC ||
	    a->api == KBENCH_API_MEMPOOL_PAGE)
		return kbench_refuse(a, -EOPNOTSUPP,
				       "probes need memory from a plain allocation API, not noop or a mempool");
	ret = kbench_check_request(&r, &ctx);
	if (ret) {
		strscpy(a->bad_field, r.bad_field, sizeof(a->bad_field));
		strscpy(a->reason, r.reason, sizeof(a->reason));
		return ret;
	}
	strscpy(a->call, r.call, sizeof(a->call));
	if (a->flags & KBENCH_RUN_VALIDATE_ONLY)
		return 0;

	ctx.objs = &obj;
	ctx.free_order = &zero;
	if (ctx.ops->prepare) {
		ret = ctx.ops->prepare(&ctx);
		if (ret) {
			kbench_refuse(a, ret, "%s: creating the cache failed",
					ctx.ops->name);
			goto out_teardown;
		}
	}
	if (ctx.ops->caps & KBENCH_CAP_VMAP)
		vm_unmap_aliases();
	ctx.loops->alloc_phase(&ctx);
	if (!obj) {
		ret = kbench_refuse(a, -ENOMEM, "%s(%llu) failed",
				      r.call, a->obj_size);
		goto out_teardown;
	}
	per_obj = ctx.ops->obj_bytes ? ctx.ops->obj_bytes(&ctx) : ctx.size;
	kbench_account_objs(1, per_obj);
	{
		u8 *buf = (ctx.ops->caps & KBENCH_CAP_STRUCT_PAGE) ?
			  page_address((struct page *)obj) : obj;

		a->in_vmalloc = is_vmalloc_addr(buf);
		if (a->kind == KBENCH_PROBE_FOOTPRINT)
			ret = kb_footprint(a, (unsigned long)buf);
		else
			ret = kb_access(a, buf, samples, perf);
	}
	ctx.loops->free_phase(&ctx);
	kbench_account_objs(-1, -(s64)per_obj);
out_teardown:
	if (ctx.ops->teardown)
		ctx.ops->teardown(&ctx);
	return ret;
}

static long kb_stages(struct kbench_probe_args *a,
		      struct kbench_probe_sample *samples)
{
	unsigned int n = PAGE_ALIGN(a->obj_size) >> PAGE_SHIFT, got, i;
	u32 b, total = a->warmup_batches + a->nr_batches;
	struct page **pages;
	long ret = 0;

	if (a->api != KBENCH_API_VMALLOC || a->gfp != KBENCH_GFP_KERNEL ||
	    a->gfp_mods)
		return kbench_refuse(a, -EOPNOTSUPP,
				       "the stages probe splits vmalloc(size) with GFP_KERNEL only");
	if (2 * a->obj_size > kbench_mem_cap())
		return kbench_refuse(a, -EFBIG,
				       "the stages probe holds up to twice %llu bytes, over the cap of %llu MiB",
				       a->obj_size, kbench_mem_cap() >> 20);
	strscpy(a->call, "vmalloc", sizeof(a->call));
	if (a->flags & KBENCH_RUN_VALIDATE_ONLY)
		return 0;
	pages = kvcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return kbench_refuse(a, -ENOMEM, "no memory for the page array");

	vm_unmap_aliases();
	for (b = 0; b < total; b++) {
		u64 st[KBENCH_STAGE_COUNT], t;
		size_t array_bytes = n * sizeof(struct page *);
		void *va, *array;

		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/*
		 * The previous batch ended in vm_unmap_aliases(), which empties
		 * the vmap-area caches and flushes the TLB. An untimed vmalloc
		 * and vfree bring back the steady state a vmalloc loop runs in,
		 * so no timed stage pays for refilling them alone.
		 */
		va = vmalloc(a->obj_size);
		if (!va) {
			ret = kbench_refuse(a, -ENOMEM, "vmalloc(%llu) failed",
					      a->obj_size);
			break;
		}
		vfree(va);
		memset(pages, 0, n * sizeof(*pages));

		/*
		 * In vmalloc's own order: the zeroed pages[] array first
		 * (kmalloc'd up to a page, vmalloc'd beyond), then the pages.
		 */
		t = kbench_clock_read();
		array = array_bytes <= PAGE_SIZE ? kzalloc(array_bytes, GFP_KERNEL) :
						   vzalloc(array_bytes);
		st[KBENCH_STAGE_PAGE_ARRAY] = kbench_clock_read() - t;
		kvfree(array);

		t = kbench_clock_read();
		got = kbench_alloc_pages_bulk(GFP_KERNEL, n, pages);
		/* The bulk allocator may return fewer: fill up one by one. */
		while (got < n) {
			pages[got] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
			if (!pages[got])
				break;
			got++;
		}
		st[KBENCH_STAGE_PAGES_ALLOC] = kbench_clock_read() - t;
		kbench_account_objs(got, (s64)got * PAGE_SIZE);
		if (got < n) {
			ret = kbench_refuse(a, -ENOMEM,
					      "only %u of %u pages could be allocated",
					      got, n);
			goto free_pages;
		}
		t = kbench_clock_read();
		va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
		st[KBENCH_STAGE_VMAP] = kbench_clock_read() - t;
		if (!va) {
			ret = kbench_refuse(a, -ENOMEM, "vmap of %u pages failed", n);
			goto free_pages;
		}
		t = kbench_clock_read();
		vunmap(va);
		st[KBENCH_STAGE_VUNMAP] = kbench_clock_read() - t;
		t = kbench_clock_read();
		va = vm_map_ram(pages, n, NUMA_NO_NODE);
		st[KBENCH_STAGE_VM_MAP_RAM] = kbench_clock_read() - t;
		if (!va) {
			ret = kbench_refuse(a, -ENOMEM,
					      "vm_map_ram of %u pages failed", n);
			goto free_pages;
		}
		t = kbench_clock_read();
		vm_unmap_ram(va, n);
		st[KBENCH_STAGE_VM_UNMAP_RAM] = kbench_clock_read() - t;
		t = kbench_clock_read();
		for (i = 0; i < n; i++)
			__free_page(pages[i]);
		st[KBENCH_STAGE_PAGES_FREE] = kbench_clock_read() - t;
		kbench_account_objs(-(s64)got, -(s64)got * PAGE_SIZE);
		t = kbench_clock_read();
		va = vmalloc(a->obj_size);
		st[KBENCH_STAGE_VMALLOC] = kbench_clock_read() - t;
		if (!va) {
			ret = kbench_refuse(a, -ENOMEM, "vmalloc(%llu) failed",
					      a->obj_size);
			break;
		}
		t = kbench_clock_read();
		vfree(va);
		st[KBENCH_STAGE_VFREE] = kbench_clock_read() - t;
		/* Purge the lazily freed areas of this batch, with their flush. */
		t = kbench_clock_read();
		vm_unmap_aliases();
		st[KBENCH_STAGE_PURGE] = kbench_clock_read() - t;
		if (b >= a->warmup_batches) {
			struct kbench_probe_sample *s = &samples[a->batches_done++];

			for (i = 0; i < KBENCH_STAGE_COUNT; i++)
				s->cycles[i] = st[i];
		}
		cond_resched();
		continue;
free_pages:
		for (i = 0; i < got; i++)
			__free_page(pages[i]);
		kbench_account_objs(-(s64)got, -(s64)got * PAGE_SIZE);
		break;
	}
	kvfree(pages);
	return ret;
}

static int kb_probe_check(struct kbench_probe_args *a)
{
	if (a->kind >= KBENCH_PROBE_COUNT)
		return kbench_bad_field(a, "kind");
	if (a->api >= KBENCH_API_COUNT)
		return kbench_bad_field(a, "api");
	if (a->gfp >= KBENCH_GFP_COUNT)
		return kbench_bad_field(a, "gfp");
	if (a->gfp_mods & ~KBENCH_GFPM_ALL)
		return kbench_bad_field(a, "gfp_mods");
	if (a->kind == KBENCH_PROBE_ACCESS ? a->mode >= KBENCH_ACCESS_COUNT :
	    a->mode != 0)
		return kbench_bad_field(a, "mode");
	if (a->flags & ~(KBENCH_RUN_VALIDATE_ONLY | KBENCH_RUN_COUNTERS))
		return kbench_bad_field(a, "flags");
	if (!a->obj_size || a->obj_size > UINT_MAX)
		return kbench_bad_field(a, "obj_size");
	if (a->kind == KBENCH_PROBE_FOOTPRINT ? a->nr_batches != 0 :
	    a->nr_batches > KBENCH_MAX_BATCHES)
		return kbench_bad_field(a, "nr_batches");
	if (a->warmup_batches > KBENCH_MAX_BATCHES)
		return kbench_bad_field(a, "warmup_batches");
	if (a->pad0)
		return kbench_bad_field(a, "pad0");
	if (memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return kbench_bad_field(a, "reserved");
	if (!(a->flags & KBENCH_RUN_VALIDATE_ONLY) &&
	    a->samples_len <
	    (u64)a->nr_batches * sizeof(struct kbench_probe_sample))
		return kbench_bad_field(a, "samples_len");
	if (!!(a->flags & KBENCH_RUN_COUNTERS) != !!a->counters_ptr)
		return kbench_bad_field(a, "counters_ptr");
	if (a->raw_config && !(a->flags & KBENCH_RUN_COUNTERS))
		return kbench_bad_field(a, "raw_config");
	if (a->raw_type > U32_MAX)
		return kbench_bad_field(a, "raw_type");
	return 0;
}

/**
 * kbench_probe - KBENCH_IOC_PROBE after the struct was copied in.
 * @a: the request; outputs are written into it for copying back.
 *
 * Return: 0 or a negative errno, as for KBENCH_IOC_RUN.
 */
long kbench_probe(struct kbench_probe_args *a)
{
	struct kbench_probe_sample *samples = NULL;
	struct kbench_perf *perf = NULL;
	long ret;

	a->batches_done = 0;
	a->level_shift = 0;
	a->map_4k = 0;
	a->map_2m = 0;
	a->map_1g = 0;
	a->unmapped = 0;
	a->touches = 0;
	a->in_vmalloc = 0;
	a->pad1 = 0;
	memset(a->call, 0, sizeof(a->call));
	memset(a->bad_field, 0, sizeof(a->bad_field));
	memset(a->reason, 0, sizeof(a->reason));
	ret = kb_probe_check(a);
	if (ret)
		return ret;
	if (!(a->flags & KBENCH_RUN_VALIDATE_ONLY) && !kbench_run_trylock())
		return kbench_refuse(a, -EBUSY,
				       "another kbench run is in progress on this machine");

	if (!(a->flags & KBENCH_RUN_VALIDATE_ONLY)) {
		samples = kvcalloc(max(a->nr_batches, 1U), sizeof(*samples),
				   GFP_KERNEL);
		if (a->flags & KBENCH_RUN_COUNTERS)
			perf = kzalloc(sizeof(*perf), GFP_KERNEL);
		if (!samples || ((a->flags & KBENCH_RUN_COUNTERS) && !perf)) {
			ret = kbench_refuse(a, -ENOMEM,
					      "no memory for the probe's samples");
			goto out;
		}
		if (perf)
			kbench_perf_open(perf, a->raw_type, a->raw_config);
	}
	if (a->kind == KBENCH_PROBE_STAGES)
		ret = kb_stages(a, samples);
	else
		ret = kb_probe_buffer(a, samples, perf);

	if (a->batches_done &&
	    copy_to_user(u64_to_user_ptr(a->samples_ptr), samples,
			 (size_t)a->batches_done * sizeof(*samples)))
		ret = -EFAULT;
	if (perf) {
		kbench_perf_close(perf);
		if (copy_to_user(u64_to_user_ptr(a->counters_ptr), &perf->out,
				 sizeof(perf->out)))
			ret = -EFAULT;
	}
out:
	kfree(perf);
	kvfree(samples);
	if (!(a->flags & KBENCH_RUN_VALIDATE_ONLY))
		kbench_run_unlock();
	return ret;
}
