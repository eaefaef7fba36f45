/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kbench.h - user-space ABI of the kbench kernel module (/dev/kbench).
 *
 * Shared by the module and the runner. Only fixed-width types; pointers
 * travel as __u64. Every struct grows by size alone, never by a version
 * field: the size is the one encoded in the ioctl command (_IOC_SIZE),
 * the module copies in with copy_struct_from_user() semantics (a shorter,
 * older struct is zero-extended; a longer one is accepted only if the
 * bytes the module does not know are zero, else -E2BIG) and copies out at
 * most what the caller's struct holds. New fields are appended, and their
 * zero value means what the module did before they existed.
 *
 * Allocation APIs have no ids here: the module hands them out, with
 * everything that is known about each API, through KBENCH_IOC_API_INFO,
 * and user space names APIs by the names it returns. GFP flags are the
 * symbolic ids below, never raw gfp_t bits: those values differ between
 * kernel versions and configurations, so only the module (built against
 * the running kernel's headers) may translate them.
 */
#ifndef _UAPI_LINUX_KBENCH_H
#define _UAPI_LINUX_KBENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Informational only (reported by KBENCH_IOC_INFO, recorded with results):
 * requests are never refused for carrying another number.
 */
#define KBENCH_ABI_VERSION	3
#define KBENCH_DEVICE_NAME	"kbench"
/* Unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst (6.12). */
#define KBENCH_IOC_MAGIC	0xBB

/* Base GFP masks, named as in the kernel; mapped to gfp_t in the module. */
enum kbench_gfp {
	KBENCH_GFP_KERNEL = 0,
	KBENCH_GFP_ATOMIC,
	KBENCH_GFP_NOWAIT,
	KBENCH_GFP_NOIO,
	KBENCH_GFP_NOFS,
	KBENCH_GFP_USER,
	KBENCH_GFP_DMA32,		/* GFP_KERNEL | GFP_DMA32 */
	KBENCH_GFP_KERNEL_ACCOUNT,
	KBENCH_GFP_HIGHUSER_MOVABLE,
	KBENCH_GFP_COUNT
};

/* GFP modifiers OR-ed onto the base mask (bit i is modifier i). */
#define KBENCH_GFPM_ZERO		(1U << 0) /* __GFP_ZERO */
#define KBENCH_GFPM_NOWARN		(1U << 1) /* __GFP_NOWARN */
#define KBENCH_GFPM_NORETRY		(1U << 2) /* __GFP_NORETRY */
#define KBENCH_GFPM_RETRY_MAYFAIL	(1U << 3) /* __GFP_RETRY_MAYFAIL */
#define KBENCH_GFPM_COMP		(1U << 4) /* __GFP_COMP: a compound page */
#define KBENCH_GFPM_COUNT		5
#define KBENCH_GFPM_ALL			((1U << KBENCH_GFPM_COUNT) - 1)

/*
 * What a request measures. Each experiment is one file of the module
 * behind one struct kbench_experiment_ops; KBENCH_IOC_EXPERIMENT_INFO says
 * what its sample slots and result values are.
 */
enum kbench_experiment {
	KBENCH_EXP_ALLOC = 0,	/* timed allocation loops */
	KBENCH_EXP_FOOTPRINT,	/* which mappings cover one allocation */
	KBENCH_EXP_ACCESS,	/* cost of touching allocated memory */
	KBENCH_EXP_STAGES,	/* vmalloc split into its stages */
	KBENCH_EXP_COUNT
};

/*
 * KBENCH_EXP_ALLOC patterns.
 * pair:           alloc then free one object, n times; both timed per op.
 * batch:          n allocs timed as one phase, then n frees as another.
 * batch-shuffled: as batch, frees in a random order (slab slow paths).
 * remote-free:    as batch on nr_threads >= 2 CPUs, each thread freeing
 *                 the batch its neighbour allocated (thread t frees what
 *                 thread t + 1 allocated): the free of an object on another
 *                 CPU than its allocation, as network and block
 *                 completions do.
 */
enum kbench_pattern {
	KBENCH_PATTERN_PAIR = 0,
	KBENCH_PATTERN_BATCH,
	KBENCH_PATTERN_BATCH_SHUFFLED,
	KBENCH_PATTERN_REMOTE_FREE,
	KBENCH_PATTERN_COUNT
};

/* What the timed phase runs with; the last two only for non-sleeping GFP. */
enum kbench_context {
	KBENCH_CTX_PREEMPT_ON = 0,	/* "preempt-on" */
	KBENCH_CTX_PREEMPT_OFF,		/* "preempt-off" */
	KBENCH_CTX_IRQS_OFF,		/* "irqs-off" */
	KBENCH_CTX_COUNT
};

/*
 * The state of memory a request runs in (KBENCH_FIELD_CONDITION).
 * none:       as the kernel has it.
 * fragmented: before the first batch the module allocates order-0 pages
 *             until free memory is down to a floor (8 MiB + 1/256 of RAM)
 *             or twice what the memory cap leaves for it, then frees those
 *             with an odd page frame number (about half; the half kept is
 *             what footprint_bytes counts):
 *             every free page it leaves has its buddy held, so no block of
 *             order 1 or more is free there. Higher orders then come only
 *             from what was not fragmented, from compaction, or fail. Held
 *             until the run ends, then freed.
 */
enum kbench_condition {
	KBENCH_COND_NONE = 0,
	KBENCH_COND_FRAGMENTED,
	KBENCH_COND_COUNT
};

/* KBENCH_EXP_ACCESS modes. */
enum kbench_access_mode {
	KBENCH_ACCESS_SEQUENTIAL = 0,	/* one load per cache line, in order */
	KBENCH_ACCESS_PAGE_STRIDE,	/* one load per page, in order */
	KBENCH_ACCESS_PAGE_RANDOM,	/* one load per page, shuffled order */
	KBENCH_ACCESS_MEMSET,		/* memset() of the whole buffer */
	KBENCH_ACCESS_COUNT
};

/*
 * kbench_api_info.caps: what an API can take and what it returns. The
 * module refuses, with the reason, what an API's caps do not allow.
 */
#define KBENCH_CAP_GFP		(1ULL << 0) /* takes a gfp argument at all */
#define KBENCH_CAP_NONBLOCK	(1ULL << 1) /* GFP_ATOMIC / GFP_NOWAIT */
#define KBENCH_CAP_DMA32	(1ULL << 2) /* GFP_DMA32 */
#define KBENCH_CAP_HIGHMEM	(1ULL << 3) /* GFP_HIGHUSER_MOVABLE */
#define KBENCH_CAP_ZERO		(1ULL << 4) /* accepts __GFP_ZERO */
#define KBENCH_CAP_ATOMIC_CTX	(1ULL << 5) /* may run with preempt/irqs off */
#define KBENCH_CAP_ORDER	(1ULL << 6) /* the size rounds up to a page order */
#define KBENCH_CAP_ALWAYS_ZEROES (1ULL << 7) /* zeroes whatever the gfp says */
#define KBENCH_CAP_HUGE_MAP	(1ULL << 8) /* may map with huge (PMD) pages */
#define KBENCH_CAP_CONTIGUOUS	(1ULL << 9) /* always physically contiguous */
#define KBENCH_CAP_HARNESS	(1ULL << 10) /* allocates nothing: the harness */
#define KBENCH_CAP_NEEDS_SETUP	(1ULL << 11) /* a cache or pool made beforehand */
#define KBENCH_CAP_RESERVE	(1ULL << 12) /* keeps a reserve: forward progress */
#define KBENCH_CAP_COMP		(1ULL << 13) /* accepts __GFP_COMP (page APIs) */
#define KBENCH_CAP_LAZY_FREE	(1ULL << 14) /* frees lazily: purged in batches */
#define KBENCH_CAP_SLAB		(1ULL << 15) /* served from slab caches (some sizes) */

/* kbench_api_info.memory: what kind of memory an API returns. */
enum kbench_memory {
	KBENCH_MEM_NONE = 0,		/* nothing (the harness) */
	KBENCH_MEM_DIRECT,		/* an address in the direct map */
	KBENCH_MEM_VMALLOC,		/* an address in vmalloc space */
	KBENCH_MEM_DIRECT_OR_VMALLOC,	/* either, decided per call (kvmalloc) */
	KBENCH_MEM_PAGE,		/* a struct page (direct map once mapped) */
	KBENCH_MEM_COUNT
};

/* kbench_api_info.options: request fields an API takes (others must be 0). */
#define KBENCH_OPT_MIN_NR	(1U << 0) /* kbench_run_args.min_nr */
#define KBENCH_OPT_CACHE_ALIGN	(1U << 1) /* KBENCH_RUN_HWCACHE_ALIGN */
#define KBENCH_OPT_MERGEABLE	(1U << 2) /* KBENCH_RUN_MERGEABLE */

#define KBENCH_NAME_LEN		64
#define KBENCH_REASON_LEN	160
#define KBENCH_SAMPLE_SLOTS	12	/* timed phases per sample, at most */
#define KBENCH_VALUE_SLOTS	16	/* result values per request, at most */

/**
 * struct kbench_info - KBENCH_IOC_INFO (read only): what this module and
 * kernel offer. Everything is out.
 * @size:               sizeof(struct kbench_info) of the module (the
 *                      caller received min(its size, this) bytes).
 * @abi_version:        KBENCH_ABI_VERSION of the module (informational).
 * @nr_apis:            APIs KBENCH_IOC_API_INFO describes (ids 0..n-1).
 * @nr_experiments:     KBENCH_EXP_COUNT of the module.
 * @nr_gfps:            KBENCH_GFP_COUNT of the module.
 * @flags:              KBENCH_INFO_* facts that shape results.
 * @clock_khz:          ticks per ms of the timing clock (tsc_khz on x86).
 * @page_size:          PAGE_SIZE.
 * @max_page_order:     highest order alloc_pages accepts.
 * @hz:                 CONFIG_HZ.
 * @nr_cpus:            online CPUs.
 * @run_args_size:      sizeof(struct kbench_run_args) of the module.
 * @sample_size:        sizeof(struct kbench_sample) of the module.
 * @api_info_size:      sizeof(struct kbench_api_info) of the module.
 * @experiment_info_size: sizeof(struct kbench_experiment_info).
 * @pad0:               zero.
 * @kmalloc_max_size:   KMALLOC_MAX_SIZE.
 * @kmalloc_max_cache:  KMALLOC_MAX_CACHE_SIZE (larger goes to pages).
 * @mem_cap_bytes:      per-run memory cap (module parameter mem_cap_mb).
 * @outstanding_allocs: objects kbench allocated and has not freed.
 * @outstanding_bytes:  their bytes.
 * @live_caches:        kmem_caches kbench created and not destroyed.
 * @live_pools:         mempools kbench created and not destroyed.
 * @runs_completed:     runs finished since load.
 * @runs_interrupted:   runs stopped by a signal since load.
 * @kconfig:            KBENCH_KCONFIG_* build options of this kernel.
 * @release:            utsname()->release.
 * @preempt_model:      "none", "voluntary", "full" or "rt".
 * @clock_name:         "tsc" or "ktime".
 * @test_hook_ns:       0; with KBENCH_INFO_TEST_HOOK, what one planted delay
 *                      of the test hook costs, measured at load (ns).
 */
struct kbench_info {
	__u32 size;
	__u32 abi_version;
	__u32 nr_apis;
	__u32 nr_experiments;
	__u32 nr_gfps;
	__u32 flags;
	__u32 clock_khz;
	__u32 page_size;
	__u32 max_page_order;
	__u32 hz;
	__u32 nr_cpus;
	__u32 run_args_size;
	__u32 sample_size;
	__u32 api_info_size;
	__u32 experiment_info_size;
	__u32 pad0;
	__u64 kmalloc_max_size;
	__u64 kmalloc_max_cache;
	__u64 mem_cap_bytes;
	__u64 outstanding_allocs;
	__u64 outstanding_bytes;
	__u64 live_caches;
	__u64 live_pools;
	__u64 runs_completed;
	__u64 runs_interrupted;
	__u64 kconfig;
	char release[KBENCH_NAME_LEN];
	char preempt_model[16];
	char clock_name[16];
	__u64 test_hook_ns;
};

/* kbench_info.flags */
#define KBENCH_INFO_INIT_ON_ALLOC	(1U << 0)
#define KBENCH_INFO_INIT_ON_FREE	(1U << 1)
#define KBENCH_INFO_PREEMPT_RT		(1U << 2)
#define KBENCH_INFO_TSC			(1U << 3) /* cycles are TSC ticks */
#define KBENCH_INFO_VMALLOC_NOWAIT	(1U << 4) /* __vmalloc(GFP_NOWAIT) */
#define KBENCH_INFO_SLAB_NO_MERGE	(1U << 5) /* SLAB_NO_MERGE exists */
#define KBENCH_INFO_TEST_HOOK		(1U << 6) /* a test parameter plants extra work: not the kernel's figures */

/*
 * kbench_info.kconfig: how the running kernel was built, where that
 * changes what allocations cost (debug and hardening options above all).
 */
#define KBENCH_KCONFIG_KASAN			(1ULL << 0)
#define KBENCH_KCONFIG_KFENCE			(1ULL << 1)
#define KBENCH_KCONFIG_SLUB_DEBUG		(1ULL << 2)
#define KBENCH_KCONFIG_SLUB_DEBUG_ON		(1ULL << 3)
#define KBENCH_KCONFIG_DEBUG_PREEMPT		(1ULL << 4)
#define KBENCH_KCONFIG_LOCKDEP			(1ULL << 5)
#define KBENCH_KCONFIG_DEBUG_KMEMLEAK		(1ULL << 6)
#define KBENCH_KCONFIG_PREEMPT_RT		(1ULL << 7)
#define KBENCH_KCONFIG_DEBUG_PAGEALLOC		(1ULL << 8)
#define KBENCH_KCONFIG_PAGE_POISONING		(1ULL << 9)
#define KBENCH_KCONFIG_SLAB_FREELIST_HARDENED	(1ULL << 10)
#define KBENCH_KCONFIG_SLAB_FREELIST_RANDOM	(1ULL << 11)
#define KBENCH_KCONFIG_INIT_ON_ALLOC_DEFAULT_ON	(1ULL << 12)
#define KBENCH_KCONFIG_MEMCG			(1ULL << 13)
#define KBENCH_KCONFIG_DEBUG_VM			(1ULL << 14)
#define KBENCH_KCONFIG_KCSAN			(1ULL << 15)
#define KBENCH_KCONFIG_KMSAN			(1ULL << 16)
#define KBENCH_KCONFIG_DEBUG_OBJECTS		(1ULL << 17)
#define KBENCH_KCONFIG_MEM_ALLOC_PROFILING	(1ULL << 18)
#define KBENCH_KCONFIG_PREEMPT_DYNAMIC		(1ULL << 19)
#define KBENCH_KCONFIG_NUMA			(1ULL << 20)
#define KBENCH_KCONFIG_TRANSPARENT_HUGEPAGE	(1ULL << 21)
#define KBENCH_KCONFIG_HAVE_ARCH_HUGE_VMALLOC	(1ULL << 22)
#define KBENCH_KCONFIG_SLUB_CPU_PARTIAL		(1ULL << 23)
#define KBENCH_KCONFIG_SHUFFLE_PAGE_ALLOCATOR	(1ULL << 24)
#define KBENCH_KCONFIG_SLAB_MERGE_DEFAULT	(1ULL << 25)
#define KBENCH_KCONFIG_COUNT			26

/**
 * struct kbench_api_info - KBENCH_IOC_API_INFO: one allocation API, as the
 * module's table states it (the one place these facts are written).
 * @id:          in: 0..kbench_info.nr_apis-1; the id requests use.
 * @memory:      out: enum kbench_memory.
 * @caps:        out: KBENCH_CAP_* bits.
 * @max_size:    out: largest object it accepts on this kernel (0: only the
 *               memory cap limits it).
 * @options:     out: KBENCH_OPT_* request fields it takes.
 * @pad0:        in: zero.
 * @name:        out: the name configs and reports use, e.g. "kmalloc".
 * @family:      out: the family it belongs to, e.g. "slab", "vmalloc".
 * @call:        out: the kernel function a GFP_KERNEL request calls.
 * @free_call:   out: the function that frees it.
 * @note:        out: what a driver author should know about it.
 * @unavailable: out: empty, or why this kernel cannot offer the API.
 */
struct kbench_api_info {
	__u32 id;
	__u32 memory;
	__u64 caps;
	__u64 max_size;
	__u32 options;
	__u32 pad0;
	char name[32];
	char family[32];
	char call[48];
	char free_call[48];
	char note[KBENCH_REASON_LEN];
	char unavailable[KBENCH_REASON_LEN];
};

#define KBENCH_SLOT_NAME_LEN	24

/* kbench_experiment_info.fields: request fields an experiment reads. */
#define KBENCH_FIELD_API	(1U << 0)
#define KBENCH_FIELD_GFP	(1U << 1)	/* gfp and gfp_mods */
#define KBENCH_FIELD_PATTERN	(1U << 2)
#define KBENCH_FIELD_CONTEXT	(1U << 3)
#define KBENCH_FIELD_OPS	(1U << 4)	/* ops_per_batch */
#define KBENCH_FIELD_BATCHES	(1U << 5)	/* nr_batches, warmup_batches */
#define KBENCH_FIELD_MODE	(1U << 6)
#define KBENCH_FIELD_SEED	(1U << 7)
#define KBENCH_FIELD_OPTIONS	(1U << 8)	/* min_nr, HWCACHE_ALIGN */
#define KBENCH_FIELD_THREADS	(1U << 9)	/* nr_threads */
#define KBENCH_FIELD_CONDITION	(1U << 10)	/* condition */

/* kbench_experiment_info.flags */
#define KBENCH_EXPF_COUNTERS	(1U << 0) /* takes KBENCH_RUN_COUNTERS */
#define KBENCH_EXPF_STEADY	(1U << 1) /* takes KBENCH_RUN_STEADY */
#define KBENCH_EXPF_HIST	(1U << 2) /* fills hist_ptr: single-op times */

/**
 * struct kbench_experiment_info - KBENCH_IOC_EXPERIMENT_INFO.
 * @id:       in: enum kbench_experiment.
 * @nr_slots: out: timed slots each sample fills (0: no samples).
 * @nr_values: out: result values a request returns.
 * @fields:   out: KBENCH_FIELD_* it reads; the others must be zero.
 * @flags:    out: KBENCH_EXPF_*.
 * @pad0:     in: zero.
 * @name:     out: e.g. "alloc", "stages".
 * @slots:    out: name of each sample slot, e.g. "alloc", "free"; slot 0
 *            is the experiment's headline figure.
 * @units:    out: what one count of each slot is: "op", "touch", "byte".
 * @values:   out: name of each result value, e.g. "pte_4k".
 */
struct kbench_experiment_info {
	__u32 id;
	__u32 nr_slots;
	__u32 nr_values;
	__u32 fields;
	__u32 flags;
	__u32 pad0;
	char name[32];
	char slots[KBENCH_SAMPLE_SLOTS][KBENCH_SLOT_NAME_LEN];
	char units[KBENCH_SAMPLE_SLOTS][8];
	char values[KBENCH_VALUE_SLOTS][KBENCH_SLOT_NAME_LEN];
};

/* kbench_sample.flags: what may have distorted one batch */
#define KBENCH_SAMPLE_CTX_SWITCH	(1U << 0) /* the task was switched out */
#define KBENCH_SAMPLE_IRQ		(1U << 1) /* a device interrupt arrived */
#define KBENCH_SAMPLE_MIGRATED		(1U << 2) /* ran on another CPU */

#define KBENCH_SPAN_SLOTS	4	/* the first sample slots */

/**
 * struct kbench_sample - one timed batch (warm-up batches are not
 * returned). Samples are written kbench_run_args.sample_size bytes apart.
 * @flags:  KBENCH_SAMPLE_* noise seen during the batch.
 * @cpu:    CPU the batch started on.
 * @ops:    allocations (or touches) attempted in the batch.
 * @failed: allocations that returned NULL.
 * @cycles: clock ticks spent in each slot (kbench_experiment_info.slots).
 * @count:  operations each slot timed (0: the slot did not run).
 * @begin_ns: CLOCK_MONOTONIC (ktime_get_ns(), one clock for all CPUs) when
 *          the phase that times each of the first KBENCH_SPAN_SLOTS slots
 *          began (0: not recorded); read outside the timed loops.
 * @end_ns: the same when it ended. Across the threads of a team, from the
 *          first begin to the last end is how long the CPUs took together
 *          (their aggregate rate), and against the threads' own spans how
 *          much they overlapped.
 */
struct kbench_sample {
	__u32 flags;
	__u32 cpu;
	__u32 ops;
	__u32 failed;
	__u64 cycles[KBENCH_SAMPLE_SLOTS];
	__u32 count[KBENCH_SAMPLE_SLOTS];
	__u64 begin_ns[KBENCH_SPAN_SLOTS];
	__u64 end_ns[KBENCH_SPAN_SLOTS];
};

/* The shorter sample of callers built before begin_ns (still honoured). */
#define KBENCH_SAMPLE_SIZE_V0	160

/*
 * Hardware and software counters counted around each timed phase, for
 * the calling task, in kernel mode only. A counter the CPU or hypervisor
 * does not offer has a negative errno as status and no value.
 */
enum kbench_counter_id {
	KBENCH_CNT_TASK_CLOCK = 0,	/* software, ns: works without a PMU */
	KBENCH_CNT_CYCLES,
	KBENCH_CNT_INSTRUCTIONS,
	KBENCH_CNT_DTLB_LOAD_MISSES,	/* page walks on x86 */
	KBENCH_CNT_DTLB_STORE_MISSES,
	KBENCH_CNT_ITLB_LOAD_MISSES,
	KBENCH_CNT_COUNT
};

#define KBENCH_COUNTER_MULTIPLEXED	(1U << 0) /* running < enabled */
#define KBENCH_COUNTER_SLOTS		4	/* the first sample slots */

/**
 * struct kbench_counter - one counter over a whole run.
 * @status:  0, or the negative errno of perf_event_create_kernel_counter.
 * @flags:   KBENCH_COUNTER_* bits.
 * @value:   counts in each of the first sample slots, over all timed
 *           batches (a slot's counts are read around that slot's loops).
 */
struct kbench_counter {
	__s32 status;
	__u32 flags;
	__u64 value[KBENCH_COUNTER_SLOTS];
};

/**
 * struct kbench_counters - KBENCH_RUN_COUNTERS results: of the calling
 * task, or with nr_threads >= 2 the sums over the threads' own counters
 * (a counter one thread could not create is unsupported for all).
 * @c:        the counters of enum kbench_counter_id.
 * @raw:      the model-specific event of raw_type/raw_config, if asked for.
 */
struct kbench_counters {
	struct kbench_counter c[KBENCH_CNT_COUNT];
	struct kbench_counter raw;
};

/* kbench_run_args.flags */
#define KBENCH_RUN_VALIDATE_ONLY	(1U << 0) /* check, allocate nothing */
#define KBENCH_RUN_HWCACHE_ALIGN	(1U << 1) /* option KBENCH_OPT_CACHE_ALIGN */
#define KBENCH_RUN_COUNTERS		(1U << 2) /* fill counters_ptr */
#define KBENCH_RUN_MERGEABLE		(1U << 3) /* option KBENCH_OPT_MERGEABLE */
/*
 * Steady state: no purge of earlier lazy frees first, and batches long
 * enough to cross the kernel's own deferred-work thresholds (the lazy
 * vmap purge) several times, so their amortised cost lands in the figure;
 * the module chooses ops_per_batch (0 in, the choice out).
 */
#define KBENCH_RUN_STEADY		(1U << 4)
#define KBENCH_RUN_FLAGS_ALL		((1U << 5) - 1)

/*
 * Single-operation latency histograms (hist_ptr): per sample slot,
 * KBENCH_HIST_BUCKETS counts of operations by clock ticks. Bucket b < 4
 * holds b ticks; above, 4 buckets per power of two: ticks t with
 * 2^k <= t < 2^(k+1) (k >= 2) fall in 4 * (k - 1) + ((t >> (k - 2)) & 3).
 */
#define KBENCH_HIST_BUCKETS		256

/* Bounds the module enforces (and the runner checks first). */
#define KBENCH_MAX_OPS_PER_BATCH	65536U
#define KBENCH_MAX_BATCHES		100000U
#define KBENCH_MAX_ATOMIC_OPS		1024U /* ops per batch, preempt/irqs off */
/*
 * The clock time one batch may take. A run whose batch goes past it stops
 * with -ETIME (its operations freed; @reason says how far it got): fewer
 * ops_per_batch, or a smaller size, measure the same thing in bounded time.
 */
#define KBENCH_BATCH_MAX_MS		30000U

/**
 * struct kbench_run_args - KBENCH_IOC_RUN: one request, of any experiment.
 * Every request goes through the same checks; fields the experiment does
 * not read (kbench_experiment_info.fields) and options the API does not
 * take (kbench_api_info.options) must be zero.
 * @experiment:     in: enum kbench_experiment.
 * @api:            in: an id of KBENCH_IOC_API_INFO.
 * @gfp:            in: enum kbench_gfp.
 * @gfp_mods:       in: KBENCH_GFPM_* bits.
 * @obj_size:       in: bytes per allocation (order APIs: the order that
 *                  holds them).
 * @pattern:        in: enum kbench_pattern.
 * @context:        in: enum kbench_context.
 * @ops_per_batch:  in: allocations per timed batch (1..65536); with
 *                  KBENCH_RUN_STEADY 0, and out: what the module chose.
 * @nr_batches:     in: timed batches, each returned as a sample.
 * @warmup_batches: in: untimed batches run first and discarded.
 * @mode:           in: enum kbench_access_mode.
 * @flags:          in: KBENCH_RUN_* bits.
 * @seed:           in: seed of shuffled orders (0: a fixed default).
 * @min_nr:         in: reserve elements (option KBENCH_OPT_MIN_NR).
 * @sample_size:    in: sizeof(struct kbench_sample) of the caller: the
 *                  stride of the samples and how much of each is written.
 * @samples_ptr:    in: user address of nr_batches samples.
 * @samples_len:    in: bytes at samples_ptr.
 * @counters_ptr:   in: with KBENCH_RUN_COUNTERS, a struct kbench_counters.
 * @raw_config:     in: with KBENCH_RUN_COUNTERS, a model-specific event to
 *                  count too (perf_event_attr.config), 0 for none.
 * @raw_type:       in: its perf_event_attr.type (PERF_TYPE_RAW usually).
 * @pad0:           in: zero.
 * @batches_done:   out: samples written (fewer if interrupted).
 * @failed_total:   out: failed allocations, warm-up included.
 * @footprint_bytes: out: most memory the request holds at once.
 * @nowarn_added:   out: 1 if the module added __GFP_NOWARN.
 * @nr_values:      out: values written.
 * @call:           out: the kernel function the timed loop calls.
 * @bad_field:      out: on -EINVAL, the field that was rejected.
 * @reason:         out: on refusal, why; on success, notes (may be empty).
 * @values:         out: the experiment's results, named by
 *                  kbench_experiment_info.values.
 * @hist_ptr:       in: with an experiment that has KBENCH_EXPF_HIST, 0 or
 *                  a user buffer of nr_slots x KBENCH_HIST_BUCKETS __u64
 *                  for single-operation times (see KBENCH_HIST_BUCKETS).
 * @hist_len:       in: bytes at hist_ptr.
 * @nr_threads:     in: 0 or 1: the calling task runs the request. N >= 2:
 *                  N kernel threads, thread t pinned to the t-th online
 *                  CPU, run it at once, each with its own objects, and
 *                  are released together at the start of every batch
 *                  (at most kbench_info.nr_cpus; experiments with
 *                  KBENCH_FIELD_THREADS). The samples are then N runs of
 *                  nr_batches: thread t's batch b at index
 *                  t * nr_batches + b (samples_len holds them all), and
 *                  batches_done is the least any thread completed; the
 *                  counters and histograms are the sums over the threads.
 * @pad1:           in: zero.
 * @condition:      in: enum kbench_condition (experiments with
 *                  KBENCH_FIELD_CONDITION).
 * @pad2:           in: zero.
 *
 * Errors: -EINVAL a field is malformed (@bad_field names it),
 * -EOPNOTSUPP the combination is valid ABI but this API or kernel cannot
 * honour it (@reason says why), -EFBIG the request would hold more memory
 * than allowed, -EBUSY another request is running, -EINTR a signal stopped
 * it after @batches_done batches (their samples are copied out), -ETIME
 * a batch ran past KBENCH_BATCH_MAX_MS (@reason says after how many
 * operations), -E2BIG the struct is longer than the module's and its tail
 * is not zero; with nr_threads >= 2 also -ENOMEM (the threads' arrays) and
 * -EAGAIN (a CPU went offline before its thread could be made), @reason
 * saying which.
 */
struct kbench_run_args {
	__u32 experiment;
	__u32 api;
	__u32 gfp;
	__u32 gfp_mods;
	__u64 obj_size;
	__u32 pattern;
	__u32 context;
	__u32 ops_per_batch;
	__u32 nr_batches;
	__u32 warmup_batches;
	__u32 mode;
	__u32 flags;
	__u32 seed;
	__u32 min_nr;
	__u32 sample_size;
	__u64 samples_ptr;
	__u64 samples_len;
	__u64 counters_ptr;
	__u64 raw_config;
	__u32 raw_type;
	__u32 pad0;
	__u32 batches_done;
	__u32 failed_total;
	__u64 footprint_bytes;
	__u32 nowarn_added;
	__u32 nr_values;
	char call[48];
	char bad_field[32];
	char reason[KBENCH_REASON_LEN];
	__u64 values[KBENCH_VALUE_SLOTS];
	__u64 hist_ptr;
	__u64 hist_len;
	__u32 nr_threads;
	__u32 pad1;
	__u32 condition;
	__u32 pad2;
};

/*
 * Older, shorter layouts of struct kbench_run_args the module is tested
 * against: V0 ends before values[], V1 before hist_ptr. A caller built with
 * one still works: everything it sends is honoured (what it does not send
 * is zero: the behaviour before the field existed) and it receives the
 * outputs its struct holds. V2 ends before nr_threads, V3 before condition.
 */
#define KBENCH_RUN_ARGS_SIZE_V0	368
#define KBENCH_RUN_ARGS_SIZE_V1	496
#define KBENCH_RUN_ARGS_SIZE_V2	512
#define KBENCH_RUN_ARGS_SIZE_V3	520

#define KBENCH_IOC_INFO		_IOR(KBENCH_IOC_MAGIC, 0x10, struct kbench_info)
#define KBENCH_IOC_API_INFO	_IOWR(KBENCH_IOC_MAGIC, 0x11, struct kbench_api_info)
#define KBENCH_IOC_EXPERIMENT_INFO \
	_IOWR(KBENCH_IOC_MAGIC, 0x12, struct kbench_experiment_info)
#define KBENCH_IOC_RUN		_IOWR(KBENCH_IOC_MAGIC, 0x13, struct kbench_run_args)

#endif /* _UAPI_LINUX_KBENCH_H */
