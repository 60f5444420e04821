// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * libvq: names for the enums of <linux/vqtest.h>, for messages and tools.
 * The tables are indexed by value so a new class is one line here.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static const char *const violation_names[VQTEST_V_MAX] = {
	[VQTEST_V_NONE]			= "none",
	[VQTEST_V_AVAIL_IDX_JUMP]	= "avail_idx_jump",
	[VQTEST_V_AVAIL_IDX_BACK]	= "avail_idx_back",
	[VQTEST_V_HEAD_RANGE]		= "head_range",
	[VQTEST_V_NEXT_RANGE]		= "next_range",
	[VQTEST_V_LOOP]			= "loop",
	[VQTEST_V_CHAIN_LEN]		= "chain_len",
	[VQTEST_V_ZERO_LEN]		= "zero_len",
	[VQTEST_V_ADDR_WRAP]		= "addr_wrap",
	[VQTEST_V_ADDR_UNMAPPED]	= "addr_unmapped",
	[VQTEST_V_INDIRECT_FEATURE]	= "indirect_feature",
	[VQTEST_V_INDIRECT_NESTED]	= "indirect_nested",
	[VQTEST_V_INDIRECT_NEXT]	= "indirect_next",
	[VQTEST_V_INDIRECT_LEN]		= "indirect_len",
	[VQTEST_V_WRITE_ORDER]		= "write_order",
	[VQTEST_V_TOO_MANY_SEGS]	= "too_many_segs",
	[VQTEST_V_HEAD_IN_FLIGHT]	= "head_in_flight",
	[VQTEST_V_USED_WRITTEN]		= "used_written",
	[VQTEST_V_IN_ORDER]		= "in_order",
	[VQTEST_V_BAD_REQUEST]		= "bad_request",
};

static const char *const behaviour_names[] = {
	[VQTEST_BEH_ECHO]	= "echo",
	[VQTEST_BEH_SINK]	= "sink",
	[VQTEST_BEH_SOURCE]	= "source",
	[VQTEST_BEH_NULL]	= "null",
	[VQTEST_BEH_BLK]	= "blk",
};

static const char *const state_names[] = {
	[VQTEST_QS_ACTIVE]	= "active",
	[VQTEST_QS_NEEDS_RESET]	= "needs_reset",
};

#define NAME_OF(tab, v) \
	((v) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[v] : NULL)

VQ_EXPORT const char *vq_violation_name(uint32_t violation)
{
	return NAME_OF(violation_names, violation);
}

VQ_EXPORT const char *vq_behaviour_name(uint32_t behaviour)
{
	return NAME_OF(behaviour_names, behaviour);
}

VQ_EXPORT const char *vq_state_name(uint32_t state)
{
	return NAME_OF(state_names, state);
}

VQ_EXPORT int vq_behaviour_parse(const char *name)
{
	unsigned int i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < sizeof(behaviour_names) / sizeof(behaviour_names[0]);
	     i++)
		if (behaviour_names[i] && !strcmp(name, behaviour_names[i]))
			return (int)i;
	return -EINVAL;
}
