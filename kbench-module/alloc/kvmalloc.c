// SPDX-License-Identifier: GPL-2.0
/*
 * kvmalloc.c - kvmalloc(), freed with kvfree(): kmalloc first, vmalloc if
 * that fails (for blocking GFP only, up to 7.x).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "../kbench.h"

KBENCH_DEFINE_LOOPS(kb_kvmalloc, "kvmalloc", kvmalloc(size, gfp), kvfree);

static u64 kb_kvmalloc_obj_bytes(const struct kbench_run_ctx *ctx)
{
	if (ctx->size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_size_roundup(ctx->size);
	if (ctx->size <= KMALLOC_MAX_SIZE)
		return PAGE_SIZE << get_order(ctx->size);
	return PAGE_ALIGN(ctx->size);
}

static int kb_kvmalloc_validate(const struct kbench_run_ctx *ctx,
				char *reason, size_t len)
{
	/* Valid, but not what a driver author may expect: say so. */
	if (!gfpflags_allow_blocking(ctx->gfp) && !KBENCH_HAVE_VMALLOC_NOWAIT)
		scnprintf(reason, len,
			  "non-blocking gfp: kvmalloc only tries kmalloc on this kernel (no vmalloc fallback)");
	return 0;
}

const struct kbench_alloc_ops kbench_kvmalloc_ops = {
	.family = "kvmalloc",
	.memory = KBENCH_MEM_DIRECT_OR_VMALLOC,
	.caps = KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_ZERO |
		KBENCH_CAP_HUGE_MAP | KBENCH_CAP_LAZY_FREE | KBENCH_CAP_SLAB,
	.free_call = "kvfree",
	.note = "physically contiguous only when its kmalloc attempt succeeds; falls back to vmalloc (may use huge mappings)",
	.max_size = INT_MAX,
	.validate = kb_kvmalloc_validate,
	.obj_bytes = kb_kvmalloc_obj_bytes,
	.loops = &kb_kvmalloc_loops,
};
