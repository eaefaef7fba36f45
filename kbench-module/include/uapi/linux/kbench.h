/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kbench.h - user-space ABI of the kbench kernel module (/dev/kbench).
 *
 * Shared by the module and the runner. Only fixed-width types; every struct
 * starts with its size and the ABI version the caller was built against,
 * and ends in reserved space that must be zero. Pointers travel as __u64.
 *
 * User space names allocation APIs and GFP flags by the symbolic ids below,
 * never by raw gfp_t bits: those values differ between kernel versions and
 * configurations, so only the module (built against the running kernel's
 * headers) may translate them.
 *
 * To add an allocation API: append its id to enum kbench_api, write
 * kbench-module/alloc/<family>.c filling one struct kbench_alloc_ops,
 * register it in kbench_run.c's table, and name it in the runner's
 * runner/src/core/abi.cpp (a static_assert there counts the names).
 */
#ifndef _UAPI_LINUX_KBENCH_H
#define _UAPI_LINUX_KBENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KBENCH_ABI_VERSION	1
#define KBENCH_DEVICE_NAME	"kbench"
/* Unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst (6.12). */
#define KBENCH_IOC_MAGIC	0xBB

/*
 * Allocation APIs the module can time. Configs and reports name them as in
 * the comment. Never renumber: append only, before KBENCH_API_COUNT.
 */
enum kbench_api {
	KBENCH_API_NOOP = 0,		/* "noop": the loop alone */
	KBENCH_API_KMALLOC,		/* "kmalloc" / kfree */
	KBENCH_API_KZALLOC,		/* "kzalloc" / kfree */
	KBENCH_API_KVMALLOC,		/* "kvmalloc" / kvfree */
	KBENCH_API_VMALLOC,		/* "vmalloc" (__vmalloc for other GFP) */
	KBENCH_API_VZALLOC,		/* "vzalloc" (__vmalloc | __GFP_ZERO) */
	KBENCH_API_VMALLOC_HUGE,	/* "vmalloc_huge" / vfree */
	KBENCH_API_VMALLOC_32,		/* "vmalloc_32" / vfree */
	KBENCH_API_ALLOC_PAGES,		/* "alloc_pages" / __free_pages */
	KBENCH_API_GET_FREE_PAGES,	/* "__get_free_pages" / free_pages */
	KBENCH_API_KMEM_CACHE,		/* "kmem_cache": own cache, no merging */
	KBENCH_API_MEMPOOL_SLAB,	/* "mempool_slab": over an own cache */
	KBENCH_API_MEMPOOL_KMALLOC,	/* "mempool_kmalloc" */
	KBENCH_API_MEMPOOL_PAGE,	/* "mempool_page": pages of one order */
	KBENCH_API_COUNT
};

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
#define KBENCH_GFPM_COUNT		4
#define KBENCH_GFPM_ALL			((1U << KBENCH_GFPM_COUNT) - 1)

/*
 * pair:           alloc then free one object, n times; both timed per op.
 * batch:          n allocs timed as one phase, then n frees as another.
 * batch-shuffled: as batch, frees in a random order (slab slow paths).
 */
enum kbench_pattern {
	KBENCH_PATTERN_PAIR = 0,
	KBENCH_PATTERN_BATCH,
	KBENCH_PATTERN_BATCH_SHUFFLED,
	KBENCH_PATTERN_COUNT
};

/* What the timed phase runs with; the last two only for non-sleeping GFP. */
enum kbench_context {
	KBENCH_CTX_PREEMPT_ON = 0,	/* "preempt-on" */
	KBENCH_CTX_PREEMPT_OFF,		/* "preempt-off" */
	KBENCH_CTX_IRQS_OFF,		/* "irqs-off" */
	KBENCH_CTX_COUNT
};

/* kbench_run_args.flags and kbench_probe_args.flags */
#define KBENCH_RUN_VALIDATE_ONLY	(1U << 0) /* check, allocate nothing */
#define KBENCH_RUN_HWCACHE_ALIGN	(1U << 1) /* kmem_cache/mempool_slab */
#define KBENCH_RUN_COUNTERS		(1U << 2) /* fill counters_ptr */
#define KBENCH_RUN_FLAGS_ALL		((1U << 3) - 1)

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

/**
 * struct kbench_counter - one counter over a whole run.
 * @status:  0, or the negative errno of perf_event_create_kernel_counter.
 * @flags:   KBENCH_COUNTER_* bits.
 * @value:   counts in the first phase (alloc; the whole pair loop for pair,
 *           the walk for an access probe), over all timed batches.
 * @value2:  counts in the free phase (batch patterns), else 0.
 */
struct kbench_counter {
	__s32 status;
	__u32 flags;
	__u64 value;
	__u64 value2;
};

/**
 * struct kbench_counters - KBENCH_RUN_COUNTERS results.
 * @c:        the counters of enum kbench_counter_id.
 * @raw:      the model-specific event of raw_type/raw_config, if asked for.
 * @reserved: zero.
 */
struct kbench_counters {
	struct kbench_counter c[KBENCH_CNT_COUNT];
	struct kbench_counter raw;
	__u64 reserved;
};

/* kbench_info.flags */
#define KBENCH_INFO_INIT_ON_ALLOC	(1U << 0)
#define KBENCH_INFO_INIT_ON_FREE	(1U << 1)
#define KBENCH_INFO_PREEMPT_RT		(1U << 2)
#define KBENCH_INFO_TSC			(1U << 3) /* cycles are TSC ticks */
#define KBENCH_INFO_VMALLOC_NOWAIT	(1U << 4) /* __vmalloc(GFP_NOWAIT) */
#define KBENCH_INFO_SLAB_NO_MERGE	(1U << 5) /* SLAB_NO_MERGE exists */

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

/* kbench_sample.flags: what may have distorted one batch */
#define KBENCH_SAMPLE_CTX_SWITCH	(1U << 0) /* the task was switched out */
#define KBENCH_SAMPLE_IRQ		(1U << 1) /* a device interrupt arrived */
#define KBENCH_SAMPLE_MIGRATED		(1U << 2) /* ran on another CPU */

#define KBENCH_NAME_LEN		64
#define KBENCH_REASON_LEN	160

/* Bounds the module enforces (and the runner checks first). */
#define KBENCH_MAX_OPS_PER_BATCH	65536U
#define KBENCH_MAX_BATCHES		100000U
#define KBENCH_MAX_ATOMIC_OPS		1024U /* ops per batch, preempt/irqs off */

/**
 * struct kbench_info - KBENCH_IOC_INFO: what this module and kernel offer.
 * @size:               in: sizeof(struct kbench_info) of the caller.
 * @abi_version:        in: KBENCH_ABI_VERSION of the caller; out: module's.
 * @nr_apis:            out: KBENCH_API_COUNT of the module.
 * @nr_gfps:            out: KBENCH_GFP_COUNT of the module.
 * @flags:              out: KBENCH_INFO_* facts that shape results.
 * @clock_khz:          out: ticks per ms of the timing clock (tsc_khz on x86).
 * @page_size:          out: PAGE_SIZE.
 * @max_page_order:     out: highest order alloc_pages accepts.
 * @hz:                 out: CONFIG_HZ.
 * @nr_cpus:            out: online CPUs.
 * @kmalloc_max_size:   out: KMALLOC_MAX_SIZE.
 * @kmalloc_max_cache:  out: KMALLOC_MAX_CACHE_SIZE (larger goes to pages).
 * @mem_cap_bytes:      out: per-run memory cap (module parameter mem_cap_mb).
 * @outstanding_allocs: out: objects kbench allocated and has not freed.
 * @outstanding_bytes:  out: their bytes.
 * @live_caches:        out: kmem_caches kbench created and not destroyed.
 * @live_pools:         out: mempools kbench created and not destroyed.
 * @runs_completed:     out: runs finished since load.
 * @runs_interrupted:   out: runs stopped by a signal since load.
 * @release:            out: utsname()->release.
 * @preempt_model:      out: "none", "voluntary", "full" or "rt".
 * @clock_name:         out: "tsc" or "ktime".
 * @kconfig:            out: KBENCH_KCONFIG_* build options of this kernel.
 * @reserved:           in: must be zero.
 */
struct kbench_info {
	__u32 size;
	__u32 abi_version;
	__u32 nr_apis;
	__u32 nr_gfps;
	__u32 flags;
	__u32 clock_khz;
	__u32 page_size;
	__u32 max_page_order;
	__u32 hz;
	__u32 nr_cpus;
	__u64 kmalloc_max_size;
	__u64 kmalloc_max_cache;
	__u64 mem_cap_bytes;
	__u64 outstanding_allocs;
	__u64 outstanding_bytes;
	__u64 live_caches;
	__u64 live_pools;
	__u64 runs_completed;
	__u64 runs_interrupted;
	char release[KBENCH_NAME_LEN];
	char preempt_model[16];
	char clock_name[16];
	__u64 kconfig;
	__u64 reserved[7];
};

/**
 * struct kbench_sample - one timed batch (warm-up batches are not returned).
 * @alloc_cycles: clock ticks spent in the allocation calls of the batch.
 * @free_cycles:  clock ticks spent in the free calls of the batch.
 * @ops:          allocations attempted in the batch.
 * @failed:       allocations that returned NULL (not freed, not timed apart).
 * @flags:        KBENCH_SAMPLE_* noise seen during the batch.
 * @cpu:          CPU the batch started on.
 */
struct kbench_sample {
	__u64 alloc_cycles;
	__u64 free_cycles;
	__u32 ops;
	__u32 failed;
	__u32 flags;
	__u32 cpu;
};

/**
 * struct kbench_run_args - KBENCH_IOC_RUN: time one configuration.
 * @size:            in: sizeof(struct kbench_run_args) of the caller.
 * @abi_version:     in: KBENCH_ABI_VERSION.
 * @api:             in: enum kbench_api.
 * @gfp:             in: enum kbench_gfp.
 * @gfp_mods:        in: KBENCH_GFPM_* bits.
 * @pattern:         in: enum kbench_pattern.
 * @context:         in: enum kbench_context.
 * @flags:           in: KBENCH_RUN_* bits.
 * @obj_size:        in: bytes per allocation (pages APIs: order from size).
 * @ops_per_batch:   in: allocations per timed batch (1..65536).
 * @nr_batches:      in: timed batches, each returned as a sample.
 * @warmup_batches:  in: untimed batches run first and discarded.
 * @mempool_min_nr:  in: mempool reserve elements (mempool APIs only).
 * @seed:            in: seed of the shuffled free order.
 * @pad0:            in: must be zero.
 * @samples_ptr:     in: user address of nr_batches struct kbench_sample.
 * @samples_len:     in: bytes at samples_ptr.
 * @batches_done:    out: samples written (fewer if interrupted).
 * @failed_total:    out: failed allocations, warm-up included.
 * @footprint_bytes: out: most memory the run holds at once (estimate).
 * @gfp_nowarn_added: out: 1 if the module added __GFP_NOWARN (large size).
 * @pad1:            out: zero.
 * @call:            out: the kernel function the timed loop calls.
 * @bad_field:       out: on -EINVAL, the field that was rejected.
 * @reason:          out: on refusal, why; on success, notes (may be empty).
 * @counters_ptr:    in: with KBENCH_RUN_COUNTERS, a struct kbench_counters.
 * @raw_config:      in: with KBENCH_RUN_COUNTERS, a model-specific event to
 *                   count too (perf_event_attr.config), 0 for none.
 * @raw_type:        in: its perf_event_attr.type (PERF_TYPE_RAW usually).
 * @reserved:        in: must be zero.
 *
 * Errors: -EINVAL a field is malformed (@bad_field names it),
 * -EOPNOTSUPP the combination is valid ABI but this API or kernel cannot
 * honour it (@reason says why), -EFBIG the run would exceed the memory cap,
 * -EBUSY another run is in progress, -EINTR a signal stopped the run after
 * @batches_done batches (their samples are copied out), -EPROTO ABI mismatch.
 */
struct kbench_run_args {
	__u32 size;
	__u32 abi_version;
	__u32 api;
	__u32 gfp;
	__u32 gfp_mods;
	__u32 pattern;
	__u32 context;
	__u32 flags;
	__u64 obj_size;
	__u32 ops_per_batch;
	__u32 nr_batches;
	__u32 warmup_batches;
	__u32 mempool_min_nr;
	__u32 seed;
	__u32 pad0;
	__u64 samples_ptr;
	__u64 samples_len;
	__u32 batches_done;
	__u32 failed_total;
	__u64 footprint_bytes;
	__u32 gfp_nowarn_added;
	__u32 pad1;
	char call[32];
	char bad_field[32];
	char reason[KBENCH_REASON_LEN];
	__u64 counters_ptr;
	__u64 raw_config;
	__u64 raw_type;
	__u64 reserved[5];
};

/* Probes: experiments on allocated memory rather than allocation loops. */
enum kbench_probe_kind {
	KBENCH_PROBE_FOOTPRINT = 0,	/* which mappings cover one allocation */
	KBENCH_PROBE_ACCESS,		/* cost of touching allocated memory */
	KBENCH_PROBE_STAGES,		/* vmalloc split into its stages */
	KBENCH_PROBE_COUNT
};

enum kbench_access_mode {
	KBENCH_ACCESS_SEQUENTIAL = 0,	/* one load per cache line, in order */
	KBENCH_ACCESS_PAGE_STRIDE,	/* one load per page, in order */
	KBENCH_ACCESS_PAGE_RANDOM,	/* one load per page, shuffled order */
	KBENCH_ACCESS_MEMSET,		/* memset() of the whole buffer */
	KBENCH_ACCESS_COUNT
};

/* Stages of KBENCH_PROBE_STAGES, each timed once per batch. */
enum kbench_stage {
	KBENCH_STAGE_PAGES_ALLOC = 0,	/* bulk allocation of the pages */
	KBENCH_STAGE_VMAP,		/* vmap() of those pages */
	KBENCH_STAGE_VUNMAP,
	KBENCH_STAGE_VM_MAP_RAM,	/* vm_map_ram() of the same pages */
	KBENCH_STAGE_VM_UNMAP_RAM,
	KBENCH_STAGE_PAGES_FREE,	/* __free_page() of each */
	KBENCH_STAGE_VMALLOC,		/* the whole vmalloc() of that size */
	KBENCH_STAGE_VFREE,
	KBENCH_STAGE_PURGE,		/* vm_unmap_aliases(): lazy TLB flush */
	KBENCH_STAGE_PAGE_ARRAY,	/* the zeroed pages[] array vmalloc keeps */
	KBENCH_STAGE_COUNT
};

#define KBENCH_PROBE_SAMPLE_SLOTS	12

/**
 * struct kbench_probe_sample - one batch of a probe, in clock ticks.
 * @cycles: ACCESS: [0] the walk. STAGES: [enum kbench_stage].
 */
struct kbench_probe_sample {
	__u64 cycles[KBENCH_PROBE_SAMPLE_SLOTS];
};

/**
 * struct kbench_probe_args - KBENCH_IOC_PROBE.
 * @size:            in: sizeof(struct kbench_probe_args) of the caller.
 * @abi_version:     in: KBENCH_ABI_VERSION.
 * @kind:            in: enum kbench_probe_kind.
 * @api:             in: FOOTPRINT/ACCESS: the API that allocates the buffer
 *                   (noop and the mempools are refused; STAGES: vmalloc).
 * @gfp:             in: enum kbench_gfp.
 * @gfp_mods:        in: KBENCH_GFPM_* bits.
 * @mode:            in: ACCESS: enum kbench_access_mode; else 0.
 * @flags:           in: KBENCH_RUN_VALIDATE_ONLY, KBENCH_RUN_COUNTERS.
 * @obj_size:        in: bytes of the buffer.
 * @nr_batches:      in: timed batches (FOOTPRINT: 0).
 * @warmup_batches:  in: untimed batches first.
 * @seed:            in: ACCESS page-random: seed of the order.
 * @pad0:            in: zero.
 * @samples_ptr:     in: nr_batches struct kbench_probe_sample.
 * @samples_len:     in: bytes at samples_ptr.
 * @counters_ptr:    in: with KBENCH_RUN_COUNTERS, a struct kbench_counters.
 * @batches_done:    out: samples written.
 * @level_shift:     out: FOOTPRINT: log2 of the smallest mapping size seen.
 * @map_4k:          out: FOOTPRINT: 4 KiB PTE mappings covering the buffer.
 * @map_2m:          out: FOOTPRINT: 2 MiB PMD mappings.
 * @map_1g:          out: FOOTPRINT: 1 GiB PUD mappings.
 * @unmapped:        out: FOOTPRINT: pages without a mapping (must be 0).
 * @touches:         out: ACCESS: loads (or bytes, for memset) per batch.
 * @in_vmalloc:      out: 1 if the buffer is in vmalloc space.
 * @pad1:            out: zero.
 * @call:            out: the allocation function used.
 * @bad_field:       out: on -EINVAL, the field that was rejected.
 * @reason:          out: on refusal, why.
 * @raw_config:      in: as in struct kbench_run_args.
 * @raw_type:        in: as in struct kbench_run_args.
 * @reserved:        in: must be zero.
 */
struct kbench_probe_args {
	__u32 size;
	__u32 abi_version;
	__u32 kind;
	__u32 api;
	__u32 gfp;
	__u32 gfp_mods;
	__u32 mode;
	__u32 flags;
	__u64 obj_size;
	__u32 nr_batches;
	__u32 warmup_batches;
	__u32 seed;
	__u32 pad0;
	__u64 samples_ptr;
	__u64 samples_len;
	__u64 counters_ptr;
	__u32 batches_done;
	__u32 level_shift;
	__u64 map_4k;
	__u64 map_2m;
	__u64 map_1g;
	__u64 unmapped;
	__u64 touches;
	__u32 in_vmalloc;
	__u32 pad1;
	char call[32];
	char bad_field[32];
	char reason[KBENCH_REASON_LEN];
	__u64 raw_config;
	__u64 raw_type;
	__u64 reserved[6];
};

#define KBENCH_IOC_INFO	_IOWR(KBENCH_IOC_MAGIC, 0x01, struct kbench_info)
#define KBENCH_IOC_RUN	_IOWR(KBENCH_IOC_MAGIC, 0x02, struct kbench_run_args)
#define KBENCH_IOC_PROBE	_IOWR(KBENCH_IOC_MAGIC, 0x03, struct kbench_probe_args)

#endif /* _UAPI_LINUX_KBENCH_H */
