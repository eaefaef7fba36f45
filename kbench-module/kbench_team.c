// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_team.c - one request on many CPUs at once (kbench_run_args
 * .nr_threads >= 2): a team of kernel threads, thread t pinned to the t-th
 * online CPU, each running the experiment's per-thread function on its own
 * copy of the request (its own objects, arrays, histograms, counters and
 * private copy of the args, so nothing is shared inside a timed loop but
 * the allocator itself), released together by kbench_sync().
 *
 * Ending: a thread that fails aborts the team; the caller aborts it when a
 * signal arrives. Every thread sees the abort between two chunks of its
 * loops (each sized to take about KB_CHUNK_MS) or while it waits in kbench_sync(),
 * frees what it holds and returns; the caller waits for all of them before
 * it merges their results and frees their arrays, and stops each thread
 * with kthread_stop() so that none still runs module code after the
 * request returned.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kbench.h"

/*
 * The barrier in one word, so that passing and aborting are decided by one
 * atomic operation each: the threads arrived in the current round (low
 * bits), the rounds completed (middle bits, compared for equality only:
 * no waiter sees them wrap), and the abort bit, set once and never cleared.
 */
#define KB_SYNC_COUNT_BITS	16
#define KB_SYNC_COUNT_MASK	((1U << KB_SYNC_COUNT_BITS) - 1)
#define KB_SYNC_ROUND_MASK	(0x7fffU << KB_SYNC_COUNT_BITS)
#define KB_SYNC_ABORTED		(1U << 31)

struct kbench_team {
	u32 nr;
	atomic_t sync;		/* KB_SYNC_*: the barrier */
	int stop;		/* set once, by kbench_team_abort() */
	atomic_t running;
	struct completion done;	/* the last thread finished its function */
	long (*fn)(struct kbench_run_ctx *ctx);
	struct kbench_run_ctx *ctx;		/* nr */
	struct kbench_run_args *args;		/* nr private copies */
	struct task_struct **task;		/* nr */
	long *ret;				/* nr */
};

bool kbench_stopping(const struct kbench_run_ctx *ctx)
{
	if (fatal_signal_pending(current))
		return true;
	if (!ctx->team)
		return false;
	/* Acquire: pairs with the release in kbench_team_abort(). */
	return smp_load_acquire(&ctx->team->stop);
}

static void kb_team_abort(struct kbench_team *t)
{
	/* No barrier passes after this: arrivals see the bit, as do waiters. */
	atomic_or(KB_SYNC_ABORTED, &t->sync);
	/*
	 * Release: whatever the aborting thread did before is seen by a
	 * thread that sees the abort between its chunks.
	 */
	smp_store_release(&t->stop, 1);
}

void kbench_team_abort(struct kbench_run_ctx *ctx)
{
	if (ctx->team)
		kb_team_abort(ctx->team);
}

/**
 * kbench_sync - wait until every thread of the team arrived here.
 * @ctx: a thread's context (without a team: returns 0 at once).
 *
 * Either every thread passes (0) or none does (-EINTR, the team was
 * aborted): a thread that arrived commits to what follows (remote-free
 * hands its objects over), so a thread that fails must abort before it
 * would arrive. The last arrival completes the round and an abort sets its
 * bit, each with one atomic operation on the same word, so the round
 * completes before the abort (everyone passes) or not at all (no one
 * does). Spins, rescheduling now and then: each thread is alone on its CPU,
 * and a wake-up would put scheduler latency between the threads' starts.
 */
int kbench_sync(struct kbench_run_ctx *ctx)
{
	struct kbench_team *t = ctx->team;
	unsigned int spins = 0;
	u32 new, round;
	int old;

	if (!t)
		return 0;
	old = atomic_read(&t->sync);
	do {
		if ((u32)old & KB_SYNC_ABORTED)
			return -EINTR;
		round = (u32)old & KB_SYNC_ROUND_MASK;
		new = (u32)old + 1;
		/* The last one in: the next round, nobody in it yet. */
		if ((new & KB_SYNC_COUNT_MASK) == t->nr)
			new = (round + (1U << KB_SYNC_COUNT_BITS)) & KB_SYNC_ROUND_MASK;
	} while (!atomic_try_cmpxchg(&t->sync, &old, (int)new));	/* fully ordered */
	if ((new & KB_SYNC_ROUND_MASK) != round)
		return 0;
	for (;;) {
		/* Acquire: pairs with the last arrival's fully ordered cmpxchg. */
		u32 now = (u32)atomic_read_acquire(&t->sync);

		if ((now & KB_SYNC_ROUND_MASK) != round)
			return 0;
		if (now & KB_SYNC_ABORTED)
			return -EINTR;
		cpu_relax();
		if (!(++spins & 1023))
			cond_resched();
	}
}

/* The context whose objects this thread frees under remote-free: t + 1's. */
struct kbench_run_ctx *kbench_team_peer(struct kbench_run_ctx *ctx)
{
	struct kbench_team *t = ctx->team;

	return &t->ctx[(ctx->thread + 1) % t->nr];
}

static int kb_team_thread(void *data)
{
	struct kbench_run_ctx *ctx = data;
	struct kbench_team *t = ctx->team;
	const struct kbench_run_args *a = ctx->args;
	long ret;

	/* Counters count the task they are opened in: this one. */
	if (ctx->perf)
		kbench_perf_open(ctx->perf, a->raw_type, a->raw_config);
	ret = t->fn(ctx);
	if (ret)
		kbench_team_abort(ctx);
	if (ctx->perf)
		kbench_perf_close(ctx->perf);
	t->ret[ctx->thread] = ret;
	if (atomic_dec_and_test(&t->running))
		complete(&t->done);
	/* Wait for kthread_stop(): the module's code must outlive no thread. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void kb_team_free(struct kbench_team *t)
{
	u32 i;

	for (i = 0; t->ctx && i < t->nr; i++) {
		struct kbench_run_ctx *c = &t->ctx[i];

		kfree(c->objs);
		kfree(c->aux);
		kfree(c->free_order);
		kfree(c->hist);
		kfree(c->scratch_hist);
		kfree(c->perf);
	}
	kfree(t->ctx);
	kvfree(t->args);
	kfree(t->task);
	kfree(t->ret);
	kfree(t);
}

/* Each thread's copy of the request, with arrays of its own. */
static int kb_team_setup(struct kbench_team *t, struct kbench_run_ctx *ctx)
{
	const size_t hist_bytes = kbench_hist_bytes(ctx->exp);
	const gfp_t g = GFP_KERNEL | __GFP_NOWARN;
	u32 i;

	t->ctx = kcalloc(t->nr, sizeof(*t->ctx), g);
	t->args = kvcalloc(t->nr, sizeof(*t->args), g);
	t->task = kcalloc(t->nr, sizeof(*t->task), g);
	t->ret = kcalloc(t->nr, sizeof(*t->ret), g);
	if (!t->ctx || !t->args || !t->task || !t->ret)
		return -ENOMEM;
	for (i = 0; i < t->nr; i++) {
		struct kbench_run_ctx *c = &t->ctx[i];

		*c = *ctx;
		t->args[i] = *ctx->args;
		c->args = &t->args[i];
		c->team = t;
		c->thread = i;
		c->samples = ctx->samples + (size_t)i * ctx->args->nr_batches;
		c->rng = ctx->rng ^ ((u64)i * 0x9E3779B97F4A7C15ULL);
		c->chunks = 0;
		c->fallbacks = 0;
		/* Direct map, as the caller's (see kb_run_locked). */
		c->objs = kcalloc(c->n, sizeof(*c->objs), g);
		c->aux = kcalloc(c->n, sizeof(*c->aux), g);
		c->free_order = kcalloc(c->n, sizeof(*c->free_order), g);
		c->scratch_hist = kcalloc(KBENCH_HIST_BUCKETS, sizeof(u64), g);
		c->hist = ctx->hist ? kzalloc(hist_bytes, g) : NULL;
		c->perf = ctx->perf ? kzalloc(sizeof(*c->perf), g) : NULL;
		if (!c->objs || !c->aux || !c->free_order || !c->scratch_hist ||
		    (ctx->hist && !c->hist) || (ctx->perf && !c->perf))
			return -ENOMEM;
	}
	return 0;
}

static void kb_counter_add(struct kbench_counter *to,
			   const struct kbench_counter *from)
{
	unsigned int s;

	/* A counter one thread lacks is no total: unsupported for all. */
	if (from->status || to->status) {
		to->status = from->status ?: to->status;
		memset(to->value, 0, sizeof(to->value));
		return;
	}
	to->flags |= from->flags;
	for (s = 0; s < KBENCH_COUNTER_SLOTS; s++)
		to->value[s] += from->value[s];
}

/* The threads' results into the request's: the sums, the least batches. */
static long kb_team_merge(struct kbench_team *t, struct kbench_run_ctx *ctx)
{
	const size_t hist_bytes = kbench_hist_bytes(ctx->exp);
	struct kbench_run_args *a = ctx->args;
	long ret = 0;
	u32 i, j, done = U32_MAX;

	if (ctx->perf)
		memset(&ctx->perf->out, 0, sizeof(ctx->perf->out));
	for (i = 0; i < t->nr; i++) {
		const struct kbench_run_ctx *c = &t->ctx[i];
		const struct kbench_run_args *ca = c->args;

		done = min(done, ca->batches_done);
		a->failed_total += ca->failed_total;
		ctx->chunks += c->chunks;
		ctx->fallbacks += c->fallbacks;
		for (j = 0; c->hist && j < hist_bytes / sizeof(u64); j++)
			ctx->hist[j] += c->hist[j];
		if (c->perf) {
			for (j = 0; j < KBENCH_CNT_COUNT; j++)
				kb_counter_add(&ctx->perf->out.c[j], &c->perf->out.c[j]);
			kb_counter_add(&ctx->perf->out.raw, &c->perf->out.raw);
		}
		/*
		 * The first thread that failed for a reason of its own is the
		 * cause; the others stopped because it aborted the team.
		 */
		if (t->ret[i] && (!ret || ret == -EINTR) && t->ret[i] != ret) {
			ret = t->ret[i];
			if (ca->reason[0])
				scnprintf(a->reason, sizeof(a->reason), "CPU %u: %s",
					  c->cpu, ca->reason);
		}
	}
	a->batches_done = done;
	return ret;
}

/**
 * kbench_team_run - run fn on ctx->args->nr_threads CPUs at once.
 * @ctx:   a checked request whose caller's arrays are set up (they are not
 *         used by the threads); ctx->samples holds nr_threads x nr_batches.
 * @fn:    one thread's part: its batches, on its own context.
 * @ready: NULL, or what to do once the team exists and before it starts
 *         (a condition of memory, so that the team's own allocations do
 *         not come out of it); its error ends the run unstarted.
 *
 * Return: what fn returned: 0, or the first thread's own error (-EINTR if
 * a signal stopped the run), or -ENOMEM / -EAGAIN (reason written) when
 * the threads could not be set up.
 */
long kbench_team_run(struct kbench_run_ctx *ctx,
		     long (*fn)(struct kbench_run_ctx *ctx),
		     int (*ready)(struct kbench_run_ctx *ctx))
{
	struct kbench_run_args *a = ctx->args;
	struct kbench_team *t;
	unsigned int cpu;
	long ret;
	u32 i = 0;

	/* The arrivals share a word with the round count (see KB_SYNC_*). */
	if (a->nr_threads > KB_SYNC_COUNT_MASK)
		return kbench_refuse(a, -EOPNOTSUPP, "at most %u threads", KB_SYNC_COUNT_MASK);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return kbench_refuse(a, -ENOMEM, "could not allocate the team of threads");
	t->nr = a->nr_threads;
	t->fn = fn;
	init_completion(&t->done);
	ret = kb_team_setup(t, ctx);
	if (ret) {
		kbench_refuse(a, ret, "could not allocate the arrays of %u threads", t->nr);
		goto out;
	}
	for_each_online_cpu(cpu) {
		struct task_struct *task;

		if (i == t->nr)
			break;
		task = kthread_create_on_cpu(kb_team_thread, &t->ctx[i], cpu, "kbench/%u");
		if (IS_ERR(task)) {
			ret = kbench_refuse(a, PTR_ERR(task),
					    "could not create a thread on CPU %u (%ld)",
					    cpu, PTR_ERR(task));
			break;
		}
		t->ctx[i].cpu = cpu;
		t->task[i++] = task;
	}
	if (!ret && i < t->nr)
		ret = kbench_refuse(a, -EAGAIN, "only %u of %u CPUs are online now", i, t->nr);
	if (!ret && ready)
		ret = ready(ctx);
	if (ret) {
		/* Never woken: kthread_stop() ends them before fn runs. */
		while (i--)
			kthread_stop(t->task[i]);
		goto out;
	}
	atomic_set(&t->running, t->nr);
	for (i = 0; i < t->nr; i++)
		wake_up_process(t->task[i]);
	if (wait_for_completion_interruptible(&t->done)) {
		kb_team_abort(t);
		/*
		 * Each thread sees the abort at its next chunk or barrier; one
		 * inside a slow allocation finishes it first. Waiting is
		 * required (the threads use t), as an idle task: not counted
		 * as hung.
		 */
		wait_for_completion_state(&t->done, TASK_IDLE);
	}
	for (i = 0; i < t->nr; i++)
		kthread_stop(t->task[i]);
	ret = kb_team_merge(t, ctx);
	if (!ret && signal_pending(current))
		ret = -EINTR;
out:
	kb_team_free(t);
	return ret;
}
