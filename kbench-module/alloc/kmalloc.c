// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc.c - kmalloc() and kzalloc(), freed with kfree().
 *
 * The size is a runtime value, so the call goes through __kmalloc's size
 * lookup, not the constant-size kmalloc_caches[] shortcut. Sizes above
 * KMALLOC_MAX_CACHE_SIZE go straight to the page allocator.
 */
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "../kbench.h"

/*
 * A test hook, for kbench's own regression tests only: a planted
 * regression. test_kmalloc_extra_ns delays every allocation of the kmalloc
 * API (not kzalloc, not any other) by that many ns (ndelay), so a
 * comparison with a run without it must find exactly kmalloc slower, by
 * that much. Set at load time only; the module then says so in its info
 * (KBENCH_INFO_TEST_HOOK) and the runner warns that the figures are not
 * the kernel's. At 0 (the default) the loops are the plain ones.
 */
#define KB_TEST_HOOK_MAX_NS	100000	/* ndelay is for short waits; a batch stays bounded */

static unsigned int test_kmalloc_extra_ns;

static int kb_set_extra_ns(const char *val, const struct kernel_param *kp)
{
	unsigned int ns;
	int ret = kstrtouint(val, 0, &ns);

	if (ret)
		return ret;
	if (ns > KB_TEST_HOOK_MAX_NS) {
		pr_err("kbench: test_kmalloc_extra_ns=%u is above %u ns\n",
		       ns, KB_TEST_HOOK_MAX_NS);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = ns;
	return 0;
}

static const struct kernel_param_ops kb_extra_ns_ops = {
	.set = kb_set_extra_ns,
	.get = param_get_uint,
};

module_param_cb(test_kmalloc_extra_ns, &kb_extra_ns_ops, &test_kmalloc_extra_ns, 0444);
MODULE_PARM_DESC(test_kmalloc_extra_ns,
		 "test hook: delay each kmalloc of the kmalloc API by this many ns, at most 100000 (a planted regression)");

static u64 kb_test_hook_ns;

/*
 * What one planted delay really costs (ndelay rounds up and has a call
 * and a loop of its own): timed at load, so a comparison can be held
 * against the amount planted, not the amount asked for.
 */
void kbench_test_hook_calibrate(void)
{
	const unsigned int n = 64;
	u64 t0, t1;
	unsigned int i;

	if (!test_kmalloc_extra_ns)
		return;
	t0 = kbench_clock_read();
	for (i = 0; i < n; i++)
		ndelay(test_kmalloc_extra_ns);
	t1 = kbench_clock_read();
	kb_test_hook_ns = div64_u64((t1 - t0) * 1000000ULL, (u64)kbench_clock_khz() * n);
	pr_warn("kbench: test hook: every kmalloc of the kmalloc API delayed by %u ns (measured %llu ns): not the kernel's figures\n",
		test_kmalloc_extra_ns, kb_test_hook_ns);
}

/* 0: no test hook; else the measured ns each planted delay costs (>= 1). */
u64 kbench_test_hook_ns(void)
{
	return test_kmalloc_extra_ns ? max_t(u64, kb_test_hook_ns, 1) : 0;
}

KBENCH_DEFINE_LOOPS(kb_kmalloc, "kmalloc", kmalloc(size, gfp), kfree);
KBENCH_DEFINE_LOOPS(kb_kmalloc_planted, "kmalloc",
		    ({ ndelay(test_kmalloc_extra_ns); kmalloc(size, gfp); }),
		    kfree);
KBENCH_DEFINE_LOOPS(kb_kzalloc, "kzalloc", kzalloc(size, gfp), kfree);

/* The planted loops when the hook is set; nothing made, nothing to undo. */
static int kb_kmalloc_prepare(struct kbench_run_ctx *ctx)
{
	if (test_kmalloc_extra_ns)
		ctx->loops = &kb_kmalloc_planted_loops;
	return 0;
}

static void kb_kmalloc_teardown(struct kbench_run_ctx *ctx)
{
}

static u64 kb_kmalloc_obj_bytes(const struct kbench_run_ctx *ctx)
{
	if (ctx->size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_size_roundup(ctx->size);
	return PAGE_SIZE << get_order(ctx->size);
}

#define KB_KMALLOC_CAPS							\
	(KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_ZERO |	\
	 KBENCH_CAP_ATOMIC_CTX | KBENCH_CAP_CONTIGUOUS | KBENCH_CAP_SLAB)

const struct kbench_alloc_ops kbench_kmalloc_ops = {
	.family = "slab",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KB_KMALLOC_CAPS,
	.free_call = "kfree",
	.note = "shared kmalloc-<size> caches; above KMALLOC_MAX_CACHE_SIZE straight from the page allocator",
	.max_size = KMALLOC_MAX_SIZE,
	.obj_bytes = kb_kmalloc_obj_bytes,
	.prepare = kb_kmalloc_prepare,
	.teardown = kb_kmalloc_teardown,
	.loops = &kb_kmalloc_loops,
};

const struct kbench_alloc_ops kbench_kzalloc_ops = {
	.family = "slab",
	.memory = KBENCH_MEM_DIRECT,
	.caps = KB_KMALLOC_CAPS | KBENCH_CAP_ALWAYS_ZEROES,
	.free_call = "kfree",
	.note = "kmalloc with __GFP_ZERO",
	.max_size = KMALLOC_MAX_SIZE,
	.obj_bytes = kb_kmalloc_obj_bytes,
	.loops = &kb_kzalloc_loops,
};
