// SPDX-License-Identifier: GPL-2.0
/*
 * kbench_registry.c - the tables of allocation APIs and experiments, and
 * the one place their facts leave the module (KBENCH_IOC_API_INFO,
 * KBENCH_IOC_EXPERIMENT_INFO). User space reads them and keeps no list of
 * its own, so an API is added with its adapter and one line of
 * kbench_apis.h, and nothing else.
 */
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/string.h>

#include "kbench.h"

static const struct {
	const char *name;
	const struct kbench_alloc_ops *ops;
} kb_apis[] = {
#define KBENCH_API(n) { #n, &kbench_##n##_ops },
#include "kbench_apis.h"
#undef KBENCH_API
};

/* Add a new experiment here, at its enum kbench_experiment index. */
static const struct kbench_experiment_ops *const kb_experiments[KBENCH_EXP_COUNT] = {
	[KBENCH_EXP_ALLOC] = &kbench_exp_alloc,
	[KBENCH_EXP_FOOTPRINT] = &kbench_exp_footprint,
	[KBENCH_EXP_ACCESS] = &kbench_exp_access,
	[KBENCH_EXP_STAGES] = &kbench_exp_stages,
};

u32 kbench_api_count(void)
{
	return ARRAY_SIZE(kb_apis);
}

const struct kbench_alloc_ops *kbench_api_ops(u32 id, const char **name)
{
	if (id >= ARRAY_SIZE(kb_apis))
		return NULL;
	id = array_index_nospec(id, ARRAY_SIZE(kb_apis));
	if (name)
		*name = kb_apis[id].name;
	return kb_apis[id].ops;
}

void kbench_api_describe(u32 id, struct kbench_api_info *out)
{
	const char *name;
	const struct kbench_alloc_ops *ops = kbench_api_ops(id, &name);

	out->memory = ops->memory;
	out->caps = ops->caps;
	out->max_size = ops->max_size;
	out->options = ops->options;
	strscpy(out->name, name, sizeof(out->name));
	strscpy(out->family, ops->family, sizeof(out->family));
	strscpy(out->call, ops->loops->call, sizeof(out->call));
	strscpy(out->free_call, ops->free_call, sizeof(out->free_call));
	strscpy(out->note, ops->note ? ops->note : "", sizeof(out->note));
	strscpy(out->unavailable, ops->unavailable ? ops->unavailable : "",
		sizeof(out->unavailable));
}

const struct kbench_experiment_ops *kbench_experiment(u32 id)
{
	if (id >= KBENCH_EXP_COUNT)
		return NULL;
	return kb_experiments[array_index_nospec(id, KBENCH_EXP_COUNT)];
}

static u32 kb_copy_names(char *dst, size_t width, u32 max,
			 const char *const *names)
{
	u32 i;

	for (i = 0; names && names[i] && i < max; i++)
		strscpy(dst + i * width, names[i], width);
	return i;
}

void kbench_experiment_describe(u32 id, struct kbench_experiment_info *out)
{
	const struct kbench_experiment_ops *e = kbench_experiment(id);

	out->fields = e->fields;
	out->flags = e->flags;
	strscpy(out->name, e->name, sizeof(out->name));
	out->nr_slots = kb_copy_names(&out->slots[0][0], sizeof(out->slots[0]),
				      KBENCH_SAMPLE_SLOTS, e->slots);
	kb_copy_names(&out->units[0][0], sizeof(out->units[0]),
		      KBENCH_SAMPLE_SLOTS, e->units);
	out->nr_values = kb_copy_names(&out->values[0][0],
				       sizeof(out->values[0]),
				       KBENCH_VALUE_SLOTS, e->values);
}

static u32 kb_count(const char *const *names)
{
	u32 n = 0;

	while (names && names[n])
		n++;
	return n;
}

/* Every name of a NULL-terminated list fits KBENCH_SLOT_NAME_LEN whole. */
static bool kb_names_fit(const char *const *names)
{
	while (names && *names)
		if (strlen(*names++) >= KBENCH_SLOT_NAME_LEN)
			return false;
	return true;
}

/*
 * Called at load: a hole, a missing loop or caps that disagree with the
 * callbacks would otherwise show up as a NULL dereference or a wrong fact
 * in the middle of a run.
 */

int kbench_registry_check(void)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(kb_apis); i++) {
		const struct kbench_alloc_ops *o = kb_apis[i].ops;
		const struct kbench_loops *l = o->loops;

		if (!l || !l->call || !l->alloc || !l->alloc_each || !l->free ||
		    !l->free_each || !l->pair || !l->pair_split ||
		    !o->family || !o->free_call ||
		    o->memory >= KBENCH_MEM_COUNT ||
		    strlen(kb_apis[i].name) >= sizeof_field(struct kbench_api_info, name))
			goto bad;
		/* A pool needs a reserve size, a reserve needs a pool. */
		if (!!(o->options & KBENCH_OPT_MIN_NR) != !!(o->caps & KBENCH_CAP_RESERVE))
			goto bad;
		if ((o->caps & KBENCH_CAP_NEEDS_SETUP) && !o->prepare)
			goto bad;
		if (!o->prepare != !o->teardown)
			goto bad;
		for (j = 0; j < i; j++)
			if (!strcmp(kb_apis[i].name, kb_apis[j].name))
				goto bad;
	}
	for (i = 0; i < KBENCH_EXP_COUNT; i++) {
		const struct kbench_experiment_ops *e = kb_experiments[i];

		if (!e || !e->name || !e->check || !e->run ||
		    kb_count(e->slots) > KBENCH_SAMPLE_SLOTS ||
		    kb_count(e->slots) != kb_count(e->units) ||
		    kb_count(e->values) > KBENCH_VALUE_SLOTS ||
		    !kb_names_fit(e->slots) || !kb_names_fit(e->values)) {
			pr_err("kbench: experiment %u is not registered properly\n", i);
			return -EINVAL;
		}
	}
	return 0;
bad:
	pr_err("kbench: allocation API %s is not registered properly\n",
	       kb_apis[i].name);
	return -EINVAL;
}
