// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_gfp.c - symbolic GFP ids from user space to this kernel's gfp_t.
 *
 * The numeric values of GFP bits differ between kernels (__GFP_ATOMIC went
 * away in 6.3, the bit enum depends on the configuration), so user space
 * never sends them: this file, compiled against the running kernel's
 * headers, is the only place they are produced.
 */
#include <linux/gfp.h>

#include "kbench.h"

static const gfp_t kb_gfp_base[KBENCH_GFP_COUNT] = {
	[KBENCH_GFP_KERNEL] = GFP_KERNEL,
	[KBENCH_GFP_ATOMIC] = GFP_ATOMIC,
	[KBENCH_GFP_NOWAIT] = GFP_NOWAIT,
	[KBENCH_GFP_NOIO] = GFP_NOIO,
	[KBENCH_GFP_NOFS] = GFP_NOFS,
	[KBENCH_GFP_USER] = GFP_USER,
	[KBENCH_GFP_DMA32] = GFP_KERNEL | GFP_DMA32,
	[KBENCH_GFP_KERNEL_ACCOUNT] = GFP_KERNEL_ACCOUNT,
	[KBENCH_GFP_HIGHUSER_MOVABLE] = GFP_HIGHUSER_MOVABLE,
};

static const gfp_t kb_gfp_mod[] = {
	__GFP_ZERO, __GFP_NOWARN, __GFP_NORETRY, __GFP_RETRY_MAYFAIL, __GFP_COMP,
};

static_assert(ARRAY_SIZE(kb_gfp_mod) == KBENCH_GFPM_COUNT);

/**
 * kbench_gfp_build - this kernel's gfp_t for a symbolic GFP.
 * @gfp:  enum kbench_gfp, in range.
 * @mods: KBENCH_GFPM_* bits, in range.
 */
gfp_t kbench_gfp_build(u32 gfp, u32 mods)
{
	gfp_t g = kb_gfp_base[gfp];
	unsigned int bit;

	for (bit = 0; bit < ARRAY_SIZE(kb_gfp_mod); bit++)
		if (mods & (1U << bit))
			g |= kb_gfp_mod[bit];
	return g;
}

/**
 * kbench_gfp_check - can this API honour this mask on this kernel?
 * @args:   the request.
 * @ops:    its API.
 * @name:   the API's name.
 * @g:      the mask from kbench_gfp_build().
 * @reason: out: why the combination is refused.
 * @len:    bytes at @reason.
 *
 * Return: 0, or -EOPNOTSUPP with @reason filled.
 */
int kbench_gfp_check(const struct kbench_run_args *args,
		     const struct kbench_alloc_ops *ops, const char *name,
		     gfp_t g, char *reason, size_t len)
{
	if (!(ops->caps & KBENCH_CAP_GFP) &&
	    (args->gfp != KBENCH_GFP_KERNEL || args->gfp_mods)) {
		scnprintf(reason, len,
			  "%s takes no gfp argument (it always uses its own mask); request GFP_KERNEL without modifiers",
			  name);
		return -EOPNOTSUPP;
	}
	if (!gfpflags_allow_blocking(g) && !(ops->caps & KBENCH_CAP_NONBLOCK)) {
		scnprintf(reason, len,
			  "%s may sleep: non-blocking GFP (GFP_ATOMIC, GFP_NOWAIT) is not supported by it on this kernel",
			  name);
		return -EOPNOTSUPP;
	}
	if ((g & __GFP_DMA32) && !(ops->caps & KBENCH_CAP_DMA32)) {
		scnprintf(reason, len,
			  "%s cannot honour GFP_DMA32: slab caches reject __GFP_DMA32 (GFP_SLAB_BUG_MASK); use alloc_pages or a cache created with SLAB_CACHE_DMA32",
			  name);
		return -EOPNOTSUPP;
	}
	if ((g & (__GFP_HIGHMEM | __GFP_MOVABLE)) &&
	    !(ops->caps & KBENCH_CAP_HIGHMEM)) {
		scnprintf(reason, len,
			  "GFP_HIGHUSER_MOVABLE is only valid for APIs that return a struct page, such as alloc_pages (%s returns a kernel address)",
			  name);
		return -EOPNOTSUPP;
	}
	if ((args->gfp_mods & KBENCH_GFPM_ZERO) &&
	    !(ops->caps & KBENCH_CAP_ZERO)) {
		scnprintf(reason, len,
			  "%s does not take __GFP_ZERO",
			  name);
		return -EOPNOTSUPP;
	}
	if ((args->gfp_mods & KBENCH_GFPM_COMP) &&
	    !(ops->caps & KBENCH_CAP_COMP)) {
		scnprintf(reason, len,
			  "__GFP_COMP asks for a compound page: only page-allocator APIs that return whole pages take it, not %s",
			  name);
		return -EOPNOTSUPP;
	}
	if ((args->gfp_mods & KBENCH_GFPM_NORETRY) &&
	    (args->gfp_mods & KBENCH_GFPM_RETRY_MAYFAIL)) {
		scnprintf(reason, len,
			  "__GFP_NORETRY and __GFP_RETRY_MAYFAIL contradict each other; pick one");
		return -EOPNOTSUPP;
	}
	return 0;
}
