/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbench_apis.h - the allocation APIs the module times, one line each, in
 * the order `kbench list` shows them. KBENCH_API(name) names the API and
 * the struct kbench_alloc_ops kbench_<name>_ops that its adapter under
 * alloc/ defines; the ids user space sees are the positions in this list.
 * Everything else about an API is stated in its adapter. The runner reads
 * this list too (names only, for config checks before a target is up).
 *
 * Add a new API here.
 */
KBENCH_API(noop)
KBENCH_API(kmalloc)
KBENCH_API(kzalloc)
KBENCH_API(kvmalloc)
KBENCH_API(vmalloc)
KBENCH_API(vzalloc)
KBENCH_API(vmalloc_huge)
KBENCH_API(vmalloc_32)
KBENCH_API(alloc_pages)
KBENCH_API(__get_free_pages)
KBENCH_API(alloc_pages_exact)
KBENCH_API(kmem_cache)
KBENCH_API(mempool_slab)
KBENCH_API(mempool_kmalloc)
KBENCH_API(mempool_page)
