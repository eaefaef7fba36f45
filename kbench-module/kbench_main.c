// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_main.c - /dev/kbench: the ioctls, copying their structs in and
 * out by the size the caller encoded in the command, and module load and
 * unload.
 *
 * The device is mode 0600 and every open and ioctl also requires
 * CAP_SYS_ADMIN: a run can hold a large share of memory and disable
 * preemption, which no unprivileged caller may do.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "kbench.h"

static_assert(sizeof(struct kbench_info) == 248);	/* 240 before test_hook_ns */
static_assert(sizeof(struct kbench_api_info) == 512);
static_assert(sizeof(struct kbench_experiment_info) == 824);
static_assert(sizeof(struct kbench_run_args) == 528);
static_assert(offsetof(struct kbench_run_args, values) == KBENCH_RUN_ARGS_SIZE_V0);
static_assert(offsetof(struct kbench_run_args, hist_ptr) == KBENCH_RUN_ARGS_SIZE_V1);
static_assert(offsetof(struct kbench_run_args, nr_threads) == KBENCH_RUN_ARGS_SIZE_V2);
static_assert(offsetof(struct kbench_run_args, condition) == KBENCH_RUN_ARGS_SIZE_V3);
static_assert(sizeof(struct kbench_sample) == 224);
static_assert(offsetof(struct kbench_sample, begin_ns) == KBENCH_SAMPLE_SIZE_V0);
static_assert(sizeof(struct kbench_counters) == 280);

/*
 * Build options that change allocation costs; IS_ENABLED() reads them from
 * the headers of the very kernel the module was built for.
 */
static u64 kb_kconfig(void)
{
	static const struct {
		bool on;
		u64 bit;
	} opts[] = {
		{ IS_ENABLED(CONFIG_KASAN), KBENCH_KCONFIG_KASAN },
		{ IS_ENABLED(CONFIG_KFENCE), KBENCH_KCONFIG_KFENCE },
		{ IS_ENABLED(CONFIG_SLUB_DEBUG), KBENCH_KCONFIG_SLUB_DEBUG },
		{ IS_ENABLED(CONFIG_SLUB_DEBUG_ON), KBENCH_KCONFIG_SLUB_DEBUG_ON },
		{ IS_ENABLED(CONFIG_DEBUG_PREEMPT), KBENCH_KCONFIG_DEBUG_PREEMPT },
		{ IS_ENABLED(CONFIG_LOCKDEP), KBENCH_KCONFIG_LOCKDEP },
		{ IS_ENABLED(CONFIG_DEBUG_KMEMLEAK), KBENCH_KCONFIG_DEBUG_KMEMLEAK },
		{ IS_ENABLED(CONFIG_PREEMPT_RT), KBENCH_KCONFIG_PREEMPT_RT },
		{ IS_ENABLED(CONFIG_DEBUG_PAGEALLOC), KBENCH_KCONFIG_DEBUG_PAGEALLOC },
		{ IS_ENABLED(CONFIG_PAGE_POISONING), KBENCH_KCONFIG_PAGE_POISONING },
		{ IS_ENABLED(CONFIG_SLAB_FREELIST_HARDENED),
		  KBENCH_KCONFIG_SLAB_FREELIST_HARDENED },
		{ IS_ENABLED(CONFIG_SLAB_FREELIST_RANDOM),
		  KBENCH_KCONFIG_SLAB_FREELIST_RANDOM },
		{ IS_ENABLED(CONFIG_INIT_ON_ALLOC_DEFAULT_ON),
		  KBENCH_KCONFIG_INIT_ON_ALLOC_DEFAULT_ON },
		{ IS_ENABLED(CONFIG_MEMCG), KBENCH_KCONFIG_MEMCG },
		{ IS_ENABLED(CONFIG_DEBUG_VM), KBENCH_KCONFIG_DEBUG_VM },
		{ IS_ENABLED(CONFIG_KCSAN), KBENCH_KCONFIG_KCSAN },
		{ IS_ENABLED(CONFIG_KMSAN), KBENCH_KCONFIG_KMSAN },
		{ IS_ENABLED(CONFIG_DEBUG_OBJECTS), KBENCH_KCONFIG_DEBUG_OBJECTS },
		{ IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING),
		  KBENCH_KCONFIG_MEM_ALLOC_PROFILING },
		{ IS_ENABLED(CONFIG_PREEMPT_DYNAMIC), KBENCH_KCONFIG_PREEMPT_DYNAMIC },
		{ IS_ENABLED(CONFIG_NUMA), KBENCH_KCONFIG_NUMA },
		{ IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE),
		  KBENCH_KCONFIG_TRANSPARENT_HUGEPAGE },
		{ IS_ENABLED(CONFIG_HAVE_ARCH_HUGE_VMALLOC),
		  KBENCH_KCONFIG_HAVE_ARCH_HUGE_VMALLOC },
		{ IS_ENABLED(CONFIG_SLUB_CPU_PARTIAL), KBENCH_KCONFIG_SLUB_CPU_PARTIAL },
		{ IS_ENABLED(CONFIG_SHUFFLE_PAGE_ALLOCATOR),
		  KBENCH_KCONFIG_SHUFFLE_PAGE_ALLOCATOR },
		{ IS_ENABLED(CONFIG_SLAB_MERGE_DEFAULT),
		  KBENCH_KCONFIG_SLAB_MERGE_DEFAULT },
	};
	u64 mask = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].on)
			mask |= opts[i].bit;
	return mask;
}

static void kb_fill_info(struct kbench_info *info)
{
	struct kbench_account acc;

	kbench_account_read(&acc);
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->abi_version = KBENCH_ABI_VERSION;
	info->nr_apis = kbench_api_count();
	info->nr_experiments = KBENCH_EXP_COUNT;
	info->nr_gfps = KBENCH_GFP_COUNT;
	if (want_init_on_alloc(GFP_KERNEL))
		info->flags |= KBENCH_INFO_INIT_ON_ALLOC;
	if (want_init_on_free())
		info->flags |= KBENCH_INFO_INIT_ON_FREE;
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		info->flags |= KBENCH_INFO_PREEMPT_RT;
	if (KBENCH_CLOCK_IS_TSC)
		info->flags |= KBENCH_INFO_TSC;
	if (KBENCH_HAVE_VMALLOC_NOWAIT)
		info->flags |= KBENCH_INFO_VMALLOC_NOWAIT;
	if (KBENCH_HAVE_SLAB_NO_MERGE)
		info->flags |= KBENCH_INFO_SLAB_NO_MERGE;
	info->test_hook_ns = kbench_test_hook_ns();
	if (info->test_hook_ns)
		info->flags |= KBENCH_INFO_TEST_HOOK;
	info->clock_khz = kbench_clock_khz();
	info->page_size = PAGE_SIZE;
	info->max_page_order = KBENCH_MAX_PAGE_ORDER;
	info->hz = HZ;
	info->nr_cpus = num_online_cpus();
	info->run_args_size = sizeof(struct kbench_run_args);
	info->sample_size = sizeof(struct kbench_sample);
	info->api_info_size = sizeof(struct kbench_api_info);
	info->experiment_info_size = sizeof(struct kbench_experiment_info);
	info->kmalloc_max_size = KMALLOC_MAX_SIZE;
	info->kmalloc_max_cache = KMALLOC_MAX_CACHE_SIZE;
	info->mem_cap_bytes = kbench_mem_cap();
	info->outstanding_allocs = acc.objs;
	info->outstanding_bytes = acc.bytes;
	info->live_caches = acc.caches;
	info->live_pools = acc.pools;
	info->runs_completed = acc.runs_completed;
	info->runs_interrupted = acc.runs_interrupted;
	info->kconfig = kb_kconfig();
	strscpy(info->release, utsname()->release, sizeof(info->release));
	strscpy(info->preempt_model, kbench_preempt_model(),
		sizeof(info->preempt_model));
	strscpy(info->clock_name, KBENCH_CLOCK_NAME, sizeof(info->clock_name));
}

/* Out only: the caller gets as much as its struct holds. */
static long kb_ioctl_info(void __user *u, size_t usize)
{
	struct kbench_info info;

	kb_fill_info(&info);
	if (copy_to_user(u, &info, min(usize, sizeof(info))))
		return -EFAULT;
	return 0;
}

/*
 * The describing ioctls take the id of a table entry as the struct's first
 * field. copy_struct_from_user() zero-extends an older, shorter struct and
 * refuses a longer one whose unknown tail is not zero (-E2BIG).
 */
static long kb_ioctl_api_info(void __user *u, size_t usize)
{
	struct kbench_api_info ai;
	u32 id;
	int ret;

	ret = copy_struct_from_user(&ai, sizeof(ai), u, usize);
	if (ret)
		return ret;
	if (ai.id >= kbench_api_count() || ai.pad0)
		return -EINVAL;
	id = ai.id;
	memset(&ai, 0, sizeof(ai));
	ai.id = id;
	kbench_api_describe(id, &ai);
	if (copy_to_user(u, &ai, min(usize, sizeof(ai))))
		return -EFAULT;
	return 0;
}

static long kb_ioctl_experiment_info(void __user *u, size_t usize)
{
	struct kbench_experiment_info ei;
	u32 id;
	int ret;

	ret = copy_struct_from_user(&ei, sizeof(ei), u, usize);
	if (ret)
		return ret;
	if (ei.id >= KBENCH_EXP_COUNT || ei.pad0)
		return -EINVAL;
	id = ei.id;
	memset(&ei, 0, sizeof(ei));
	ei.id = id;
	kbench_experiment_describe(id, &ei);
	if (copy_to_user(u, &ei, min(usize, sizeof(ei))))
		return -EFAULT;
	return 0;
}

static long kb_ioctl_run(void __user *u, size_t usize)
{
	struct kbench_run_args args;
	long ret;

	ret = copy_struct_from_user(&args, sizeof(args), u, usize);
	if (ret)
		return ret;
	ret = kbench_request(&args);
	/* Outputs (reason, bad_field, batches_done) matter on errors too. */
	if (copy_to_user(u, &args, min(usize, sizeof(args))))
		return -EFAULT;
	return ret;
}

/* The size is the caller's; the type, number and direction must match. */
#define KB_IS(cmd, c)							\
	(_IOC_NR(cmd) == _IOC_NR(c) && _IOC_DIR(cmd) == _IOC_DIR(c))

static long kb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *u = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (_IOC_TYPE(cmd) != KBENCH_IOC_MAGIC)
		return -ENOTTY;
	if (KB_IS(cmd, KBENCH_IOC_INFO))
		return kb_ioctl_info(u, _IOC_SIZE(cmd));
	if (KB_IS(cmd, KBENCH_IOC_API_INFO))
		return kb_ioctl_api_info(u, _IOC_SIZE(cmd));
	if (KB_IS(cmd, KBENCH_IOC_EXPERIMENT_INFO))
		return kb_ioctl_experiment_info(u, _IOC_SIZE(cmd));
	if (KB_IS(cmd, KBENCH_IOC_RUN))
		return kb_ioctl_run(u, _IOC_SIZE(cmd));
	return -ENOTTY;
}

static int kb_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static const struct file_operations kb_fops = {
	.owner = THIS_MODULE,
	.open = kb_open,
	.unlocked_ioctl = kb_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KBENCH_DEVICE_NAME,
	.fops = &kb_fops,
	.mode = 0600,
};

static int __init kbench_init(void)
{
	int ret = kbench_registry_check();

	if (ret)
		return ret;
	kbench_request_init();
	kbench_test_hook_calibrate();
	return misc_register(&kb_misc);
}

static void __exit kbench_exit(void)
{
	struct kbench_account acc;

	misc_deregister(&kb_misc);
	kbench_account_read(&acc);
	if (acc.objs || acc.caches || acc.pools)
		pr_warn("kbench: unloading with %lld objects, %lld caches, %lld pools outstanding\n",
			acc.objs, acc.caches, acc.pools);
}

module_init(kbench_init);
module_exit(kbench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbench: timing of kernel memory allocation APIs");
MODULE_AUTHOR("kbench developers");
MODULE_VERSION("0.2");
