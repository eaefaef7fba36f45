// SPDX-License-Identifier: GPL-2.0
/*
 * footprint.c - which mappings cover one allocation, and at which level:
 * the direct map (kmalloc, pages) is mapped with 2 MiB or 1 GiB entries,
 * vmalloc with 4 KiB PTEs, vmalloc_huge with PMDs where the kernel allows.
 * The buffer comes from the API's own alloc loop, so the probe of an API
 * sees exactly what that API returns.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "../kbench.h"

enum { KB_PTE_4K, KB_PMD_2M, KB_PUD_1G, KB_UNMAPPED, KB_SMALLEST, KB_IN_VMALLOC };

static int kb_footprint_check(struct kbench_run_ctx *ctx)
{
	if (ctx->ops->caps & KBENCH_CAP_HARNESS)
		return kbench_refuse(ctx->args, -EOPNOTSUPP,
				     "%s allocates no memory to map", ctx->api_name);
	ctx->held_bytes = ctx->per_obj;
	return 0;
}

/* Walk [addr, addr + size): count the mappings covering it, by level. */
static long kb_footprint_run(struct kbench_run_ctx *ctx)
{
	struct kbench_run_args *a = ctx->args;
	unsigned long va, end;
	unsigned int min_shift = 64;
	void *buf;
	int ret;

	ret = kbench_object_alloc(ctx, &buf);
	if (ret)
		return ret;
	va = (unsigned long)buf & PAGE_MASK;
	end = (unsigned long)buf + a->obj_size;
	a->values[KB_IN_VMALLOC] = is_vmalloc_addr(buf);
	while (va < end) {
		int shift = kbench_mapping_shift(va);

		if (shift == -EOPNOTSUPP) {
			ret = kbench_refuse(a, -EOPNOTSUPP,
					    "page-table footprints need lookup_address(), which this architecture lacks");
			break;
		}
		if (shift <= 0) {
			a->values[KB_UNMAPPED]++;
			va += PAGE_SIZE;
			continue;
		}
		if (shift == PAGE_SHIFT)
			a->values[KB_PTE_4K]++;
		else if (shift == PMD_SHIFT)
			a->values[KB_PMD_2M]++;
		else
			a->values[KB_PUD_1G]++;
		min_shift = min_t(unsigned int, min_shift, shift);
		/* Next mapping: the first byte past this one. */
		va = (va & ~((1UL << shift) - 1)) + (1UL << shift);
		cond_resched();
	}
	a->values[KB_SMALLEST] = min_shift == 64 ? 0 : 1ULL << min_shift;
	a->nr_values = KB_IN_VMALLOC + 1;
	kbench_object_free(ctx);
	return ret;
}

static const char *const kb_footprint_values[] = {
	"pte_4k", "pmd_2m", "pud_1g", "unmapped_pages",
	"smallest_mapping_bytes", "in_vmalloc", NULL
};

const struct kbench_experiment_ops kbench_exp_footprint = {
	.name = "footprint",
	.values = kb_footprint_values,
	.fields = KBENCH_FIELD_API | KBENCH_FIELD_GFP,
	.check = kb_footprint_check,
	.run = kb_footprint_run,
};
