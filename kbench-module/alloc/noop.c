// SPDX-License-Identifier: GPL-2.0
/*
 * noop.c - the timed loops with no allocation: the cost of the harness
 * itself (clock reads, pointer stores, loop), measured with the very loop
 * shape every API uses, so the runner can show it next to real figures.
 */
#include "../kbench.h"

static char kb_noop_obj;

/*
 * Nothing to free; only keep the value, so that the loop, which the
 * compiler could otherwise delete, runs its n iterations (a test checks
 * every noop phase reads a cost above a floor).
 */
#define KB_NOOP_FREE(p)	kbench_keep(p)

KBENCH_DEFINE_LOOPS(kb_noop, "(none)", (void *)&kb_noop_obj, KB_NOOP_FREE);

static u64 kb_noop_obj_bytes(const struct kbench_run_ctx *ctx)
{
	return 0;
}

const struct kbench_alloc_ops kbench_noop_ops = {
	.family = "harness",
	.memory = KBENCH_MEM_NONE,
	.caps = KBENCH_CAP_GFP | KBENCH_CAP_NONBLOCK | KBENCH_CAP_DMA32 |
		KBENCH_CAP_HIGHMEM | KBENCH_CAP_ZERO | KBENCH_CAP_ATOMIC_CTX |
		KBENCH_CAP_HARNESS,
	.free_call = "(none)",
	.note = "allocates nothing: the cost of kbench's own loop, measured beside every figure",
	.obj_bytes = kb_noop_obj_bytes,
	.loops = &kb_noop_loops,
};
