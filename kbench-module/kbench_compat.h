/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbench_compat.h - every difference between supported kernels, in one place.
 *
 * Feature tests (#ifdef of a macro the kernel defines) are preferred over
 * LINUX_VERSION_CODE because Debian backports features into stable kernels.
 * Supported and tested: Debian 6.1 and 6.12 cloud kernels.
 */
#ifndef _KBENCH_COMPAT_H
#define _KBENCH_COMPAT_H

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/cpumask.h>
#include <linux/bitops.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/vmalloc.h>

/* Highest order the buddy allocator accepts: renamed in 6.8. */
#ifdef MAX_PAGE_ORDER
#define KBENCH_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define KBENCH_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/*
 * __vmalloc() with non-blocking GFP: refused up to 6.x ("GFP_NOWAIT is not
 * supported"). The 7.x series that made it work keeps its mask
 * (GFP_VMALLOC_SUPPORTED) inside mm/vmalloc.c, but it also declared
 * memalloc_apply_gfp_scope() in <linux/vmalloc.h>: Kbuild greps for that.
 */
#if KBENCH_DECLARES_VMALLOC_GFP_SCOPE
#define KBENCH_HAVE_VMALLOC_NOWAIT	1
#else
#define KBENCH_HAVE_VMALLOC_NOWAIT	0
#endif

/*
 * A kmem_cache of our own that never merges with another cache of the same
 * size: SLAB_NO_MERGE since 6.5; before it, a non-zero usersize has the
 * same effect (find_mergeable() skips caches with a usercopy region)
 * without a constructor, which would also turn off init_on_alloc zeroing.
 */
#ifdef SLAB_NO_MERGE
#define KBENCH_HAVE_SLAB_NO_MERGE	1
static inline struct kmem_cache *
kbench_cache_create(const char *name, unsigned int size, slab_flags_t flags)
{
	return kmem_cache_create(name, size, 0, flags | SLAB_NO_MERGE, NULL);
}
#else
#define KBENCH_HAVE_SLAB_NO_MERGE	0
static inline struct kmem_cache *
kbench_cache_create(const char *name, unsigned int size, slab_flags_t flags)
{
	return kmem_cache_create_usercopy(name, size, 0, flags, 0, size, NULL);
}
#endif

/*
 * Bulk page allocation into an array: alloc_pages_bulk_array() on 6.1
 * (inline) and 6.12 (macro); 7.x renamed it alloc_pages_bulk().
 */
#if defined(alloc_pages_bulk) && !defined(alloc_pages_bulk_array)
#define kbench_alloc_pages_bulk(gfp, nr, arr)	alloc_pages_bulk(gfp, nr, arr)
#else
#define kbench_alloc_pages_bulk(gfp, nr, arr)	alloc_pages_bulk_array(gfp, nr, arr)
#endif

/*
 * log2 of the size of the mapping that covers va (12, 21 or 30 on x86),
 * 0 if nothing maps it, -EOPNOTSUPP where the architecture has no
 * exported page-table lookup.
 */
#ifdef CONFIG_X86
#include <asm/pgtable_types.h>

static inline int kbench_mapping_shift(unsigned long va)
{
	unsigned int level;
	pte_t *pte = lookup_address(va, &level);

	if (!pte || !pte_present(*pte))
		return 0;
	switch (level) {
	case PG_LEVEL_4K:
		return PAGE_SHIFT;
	case PG_LEVEL_2M:
		return PMD_SHIFT;
	case PG_LEVEL_1G:
		return PUD_SHIFT;
	default:
		return 0;
	}
}
#else
static inline int kbench_mapping_shift(unsigned long va)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * When vfree()'s lazily freed virtual ranges are purged: lazy_max_pages()
 * of mm/vmalloc.c (static), 32 MiB times fls(online CPUs) in 6.1 and
 * 6.12, restated here because nothing exports it.
 */
static inline u64 kbench_lazy_purge_bytes(void)
{
	return (32ULL << 20) * fls(num_online_cpus());
}

/* The preemption model in force (PREEMPT_DYNAMIC may change it at boot). */
static inline const char *kbench_preempt_model(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return "rt";
	if (preempt_model_full())
		return "full";
	if (preempt_model_voluntary())
		return "voluntary";
	if (preempt_model_none())
		return "none";
	return "unknown";
}

#endif /* _KBENCH_COMPAT_H */
