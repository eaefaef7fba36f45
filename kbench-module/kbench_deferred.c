// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_deferred.c - counting the deferred work the kernel batches up
 * behind an API's frees, during a run: what steady state pays and a clean
 * run does not.
 *
 * vmap purge: vfree() frees the pages at once but keeps the virtual range
 *   and its page tables until the lazily freed ranges exceed a threshold;
 *   then one purge unmaps them all and flushes the TLB on every CPU.
 * slab partial flush: SLUB keeps partially free slabs on a per-CPU list;
 *   past its limit (a cache's cpu_partial) the list goes to the node's
 *   partial list under the node lock.
 *
 * Nothing exported counts either, so a kprobe on the function doing the
 * work counts calls to it, where the kernel has kprobes and the function
 * a symbol (it may be inlined, or gone in a later kernel); otherwise the
 * count is said to be missing, never zero. Hits are global: another CPU's
 * work during the run counts too.
 */
#include <linux/atomic.h>
#include <linux/kprobes.h>

#include "kbench.h"

/* Each kind of deferred work: which APIs may cause it, what does it. */
static const struct {
	u64 cap;
	const char *const symbols[4];	/* by the names it had over time */
} kb_deferred_kinds[KBENCH_DEFERRED_NR] = {
	[KBENCH_DEFERRED_VMAP_PURGE] = {
		KBENCH_CAP_LAZY_FREE,
		{ "__purge_vmap_area_lazy", "purge_vmap_node", NULL } },
	[KBENCH_DEFERRED_SLAB_FLUSH] = {
		KBENCH_CAP_SLAB,
		{ "__put_partials", "__unfreeze_partials", NULL } },
};

#if IS_ENABLED(CONFIG_KPROBES)
static int kb_deferred_hit(struct kprobe *kp, struct pt_regs *regs)
{
	atomic64_inc(&container_of(kp, struct kbench_deferred_probe, kp)->hits);
	return 0;
}

static void kb_probe_start(struct kbench_deferred_probe *p,
			   const char *const *symbols)
{
	for (; *symbols; symbols++) {
		memset(&p->kp, 0, sizeof(p->kp));
		p->kp.symbol_name = *symbols;
		p->kp.pre_handler = kb_deferred_hit;
		if (!register_kprobe(&p->kp)) {
			p->counting = true;
			return;
		}
	}
}

static void kb_probe_stop(struct kbench_deferred_probe *p)
{
	if (p->counting)
		unregister_kprobe(&p->kp);
}
#else
static void kb_probe_start(struct kbench_deferred_probe *p,
			   const char *const *symbols)
{
}

static void kb_probe_stop(struct kbench_deferred_probe *p)
{
}
#endif

void kbench_deferred_start(struct kbench_deferred *d, u64 caps)
{
	unsigned int k;

	memset(d, 0, sizeof(*d));
	for (k = 0; k < KBENCH_DEFERRED_NR; k++) {
		atomic64_set(&d->probe[k].hits, 0);
		if (caps & kb_deferred_kinds[k].cap)
			kb_probe_start(&d->probe[k], kb_deferred_kinds[k].symbols);
	}
}

void kbench_deferred_stop(struct kbench_deferred *d)
{
	unsigned int k;

	for (k = 0; k < KBENCH_DEFERRED_NR; k++) {
		kb_probe_stop(&d->probe[k]);
		d->hits[k] = atomic64_read(&d->probe[k].hits);
	}
}
