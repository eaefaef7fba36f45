// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_main.c - /dev/kbench: the ioctl ABI, the outstanding-object
 * accounting, and module load and unload.
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

static_assert(sizeof(struct kbench_info) == 272);
static_assert(sizeof(struct kbench_run_args) == 392);
static_assert(sizeof(struct kbench_sample) == 32);
static_assert(sizeof(struct kbench_probe_args) == 424);
static_assert(sizeof(struct kbench_probe_sample) == 96);
static_assert(sizeof(struct kbench_counters) == 176);

static atomic64_t kb_outstanding_objs = ATOMIC64_INIT(0);
static atomic64_t kb_outstanding_bytes = ATOMIC64_INIT(0);
static atomic64_t kb_live_caches = ATOMIC64_INIT(0);
static atomic64_t kb_live_pools = ATOMIC64_INIT(0);
static atomic64_t kb_runs_completed = ATOMIC64_INIT(0);
static atomic64_t kb_runs_interrupted = ATOMIC64_INIT(0);

void kbench_account_objs(s64 objs, s64 bytes)
{
	atomic64_add(objs, &kb_outstanding_objs);
	atomic64_add(bytes, &kb_outstanding_bytes);
}

void kbench_account_cache(int delta)
{
	atomic64_add(delta, &kb_live_caches);
}

void kbench_account_pool(int delta)
{
	atomic64_add(delta, &kb_live_pools);
}

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
	info->abi_version = KBENCH_ABI_VERSION;
	info->nr_apis = KBENCH_API_COUNT;
	info->nr_gfps = KBENCH_GFP_COUNT;
	info->flags = 0;
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
	info->clock_khz = kbench_clock_khz();
	info->page_size = PAGE_SIZE;
	info->max_page_order = KBENCH_MAX_PAGE_ORDER;
	info->hz = HZ;
	info->nr_cpus = num_online_cpus();
	info->kmalloc_max_size = KMALLOC_MAX_SIZE;
	info->kmalloc_max_cache = KMALLOC_MAX_CACHE_SIZE;
	info->mem_cap_bytes = kbench_mem_cap();
	info->outstanding_allocs = atomic64_read(&kb_outstanding_objs);
	info->outstanding_bytes = atomic64_read(&kb_outstanding_bytes);
	info->live_caches = atomic64_read(&kb_live_caches);
	info->live_pools = atomic64_read(&kb_live_pools);
	info->runs_completed = atomic64_read(&kb_runs_completed);
	info->runs_interrupted = atomic64_read(&kb_runs_interrupted);
	strscpy(info->release, utsname()->release, sizeof(info->release));
	strscpy(info->preempt_model, kbench_preempt_model(),
		sizeof(info->preempt_model));
	strscpy(info->clock_name, KBENCH_CLOCK_NAME, sizeof(info->clock_name));
	info->kconfig = kb_kconfig();
}

/*
 * Copy in a struct whose first two fields are size and abi_version, of the
 * size user space encoded in the command: older, shorter structs are
 * zero-extended and newer ones are accepted only if their tail is zero.
 */
static int kb_copy_in(void *k, size_t ksize, void __user *u, size_t usize)
{
	u32 *hdr = k;
	int ret;

	if (usize < 2 * sizeof(u32))
		return -EINVAL;
	ret = copy_struct_from_user(k, ksize, u, usize);
	if (ret)
		return ret;
	if (hdr[0] != usize)
		return -EINVAL;
	if (hdr[1] != KBENCH_ABI_VERSION)
		return -EPROTO;
	return 0;
}

static long kb_ioctl_info(void __user *u, size_t usize)
{
	struct kbench_info info;
	int ret;

	ret = kb_copy_in(&info, sizeof(info), u, usize);
	if (ret)
		return ret;
	if (memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;
	kb_fill_info(&info);
	if (copy_to_user(u, &info, min(usize, sizeof(info))))
		return -EFAULT;
	return 0;
}

static long kb_ioctl_run(void __user *u, size_t usize)
{
	struct kbench_run_args args;
	long ret;

	ret = kb_copy_in(&args, sizeof(args), u, usize);
	if (ret)
		return ret;
	ret = kbench_run(&args);
	if (!(args.flags & KBENCH_RUN_VALIDATE_ONLY)) {
		if (ret == -EINTR)
			atomic64_inc(&kb_runs_interrupted);
		else if (!ret)
			atomic64_inc(&kb_runs_completed);
	}
	/* Outputs (reason, bad_field, batches_done) matter on errors too. */
	if (copy_to_user(u, &args, min(usize, sizeof(args))))
		return -EFAULT;
	return ret;
}

static long kb_ioctl_probe(void __user *u, size_t usize)
{
	struct kbench_probe_args args;
	long ret;

	ret = kb_copy_in(&args, sizeof(args), u, usize);
	if (ret)
		return ret;
	ret = kbench_probe(&args);
	if (copy_to_user(u, &args, min(usize, sizeof(args))))
		return -EFAULT;
	return ret;
}

static long kb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *u = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (_IOC_TYPE(cmd) != KBENCH_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(KBENCH_IOC_INFO):
		return kb_ioctl_info(u, _IOC_SIZE(cmd));
	case _IOC_NR(KBENCH_IOC_RUN):
		return kb_ioctl_run(u, _IOC_SIZE(cmd));
	case _IOC_NR(KBENCH_IOC_PROBE):
		return kb_ioctl_probe(u, _IOC_SIZE(cmd));
	default:
		return -ENOTTY;
	}
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
	unsigned int i;

	/* A hole in the table would be a NULL dereference at run time. */
	for (i = 0; i < KBENCH_API_COUNT; i++) {
		const struct kbench_alloc_ops *ops = kbench_ops_lookup(i);

		if (WARN(!ops || !ops->loops || !ops->loops->alloc_phase ||
			 !ops->loops->free_phase || !ops->loops->pair_phase,
			 "kbench: allocator %u is not registered\n", i))
			return -EINVAL;
	}
	kbench_run_init();
	return misc_register(&kb_misc);
}

static void __exit kbench_exit(void)
{
	misc_deregister(&kb_misc);
	if (atomic64_read(&kb_outstanding_objs) ||
	    atomic64_read(&kb_live_caches) || atomic64_read(&kb_live_pools))
		pr_warn("kbench: unloading with %lld objects, %lld caches, %lld pools outstanding\n",
			atomic64_read(&kb_outstanding_objs),
			atomic64_read(&kb_live_caches),
			atomic64_read(&kb_live_pools));
}

module_init(kbench_init);
module_exit(kbench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbench: timing of kernel memory allocation APIs");
MODULE_AUTHOR("kbench developers");
MODULE_VERSION("0.1");
