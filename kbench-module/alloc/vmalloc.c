// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc.c - the vmalloc family, freed with vfree(): vmalloc(), vzalloc(),
 * vmalloc_huge() and vmalloc_32().
 *
 * vmalloc() and vzalloc() take no gfp argument; any GFP other than plain
 * GFP_KERNEL is timed through __vmalloc(size, gfp), the same path with the
 * caller's mask (vzalloc adds __GFP_ZERO). The reply names the function.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/vmalloc.h>

#include "../kbench.h"

KBENCH_DEFINE_LOOPS(kb_vmalloc, "vmalloc", vmalloc(size), vfree);
KBENCH_DEFINE_LOOPS(kb_vmalloc_gfp, "__vmalloc", __vmalloc(size, gfp), vfree);
KBENCH_DEFINE_LOOPS(kb_vzalloc, "vzalloc", vzalloc(size), vfree);
KBENCH_DEFINE_LOOPS(kb_vzalloc_gfp, "__vmalloc(__GFP_ZERO)",
		    __vmalloc(size, gfp | __GFP_ZERO), vfree);
KBENCH_DEFINE_LOOPS(kb_vmalloc_huge, "vmalloc_huge", vmalloc_huge(size, gfp),
		    vfree);
KBENCH_DEFINE_LOOPS(kb_vmalloc_32, "vmalloc_32", vmalloc_32(size), vfree);

static u64 kb_vmalloc_obj_bytes(const struct kbench_run_ctx *ctx)
{
	return PAGE_ALIGN(ctx->size);
}

static u64 kb_vmalloc_huge_obj_bytes(const struct kbench_run_ctx *ctx)
{
	/* Huge mappings round the area up to a whole PMD. */
	if (ctx->size >= PMD_SIZE)
		return ALIGN(ctx->size, PMD_SIZE);
	return PAGE_ALIGN(ctx->size);
}

static int kb_vmalloc_validate(const struct kbench_run_ctx *ctx, char *reason,
			       size_t len)
{
	if (ctx->args->gfp == KBENCH_GFP_DMA32) {
		scnprintf(reason, len,
			  "%s cannot honour GFP_DMA32; use the vmalloc_32 API for 32-bit addressable pages",
			  ctx->api_name);
		return -EOPNOTSUPP;
	}
	return 0;
}

#define KB_VMALLOC_CAPS							\
	(KBENCH_CAP_GFP | KBENCH_CAP_ZERO | KBENCH_CAP_LAZY_FREE |	\
	 (KBENCH_HAVE_VMALLOC_NOWAIT ? KBENCH_CAP_NONBLOCK : 0))

const struct kbench_alloc_ops kbench_vmalloc_ops = {
	.family = "vmalloc",
	.memory = KBENCH_MEM_VMALLOC,
	.caps = KB_VMALLOC_CAPS,
	.free_call = "vfree",
	.note = "virtually contiguous only: 4 KiB PTEs, a TLB entry per page touched; vfree purges lazily",
	.validate = kb_vmalloc_validate,
	.obj_bytes = kb_vmalloc_obj_bytes,
	.loops = &kb_vmalloc_loops,
	.loops_gfp = &kb_vmalloc_gfp_loops,
};

const struct kbench_alloc_ops kbench_vzalloc_ops = {
	.family = "vmalloc",
	.memory = KBENCH_MEM_VMALLOC,
	.caps = KB_VMALLOC_CAPS | KBENCH_CAP_ALWAYS_ZEROES,
	.free_call = "vfree",
	.note = "vmalloc with __GFP_ZERO",
	.validate = kb_vmalloc_validate,
	.obj_bytes = kb_vmalloc_obj_bytes,
	.loops = &kb_vzalloc_loops,
	.loops_gfp = &kb_vzalloc_gfp_loops,
};

const struct kbench_alloc_ops kbench_vmalloc_huge_ops = {
	.family = "vmalloc",
	.memory = KBENCH_MEM_VMALLOC,
	.caps = KB_VMALLOC_CAPS | KBENCH_CAP_HUGE_MAP,
	.free_call = "vfree",
	.note = "vmalloc that maps with 2 MiB PMDs where size and alignment allow: fewer TLB misses",
	.validate = kb_vmalloc_validate,
	.obj_bytes = kb_vmalloc_huge_obj_bytes,
	.loops = &kb_vmalloc_huge_loops,
};

/* vmalloc_32() has no gfp argument: GFP_KERNEL | GFP_DMA32, fixed. */
const struct kbench_alloc_ops kbench_vmalloc_32_ops = {
	.family = "vmalloc",
	.memory = KBENCH_MEM_VMALLOC,
	.caps = KBENCH_CAP_LAZY_FREE,
	.free_call = "vfree",
	.note = "pages below 4 GiB (32-bit DMA); no gfp argument",
	.obj_bytes = kb_vmalloc_obj_bytes,
	.loops = &kb_vmalloc_32_loops,
};
