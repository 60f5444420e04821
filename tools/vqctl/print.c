// SPDX-License-Identifier: GPL-2.0
/*
 * vqctl: printing of device info, queue stats and driver counters, as
 * aligned text for people or one JSON object for scripts.
 */
#include <string.h>

#include "vqctl.h"

int vqctl_err(const char *what, int err)
{
	fprintf(stderr, "vqctl: %s: %s\n", what, strerror(-err));
	return 1;
}

const char *vqctl_feature_name(unsigned int bit)
{
	switch (bit) {
	case VQTEST_F_INDIRECT_DESC:
		return "INDIRECT_DESC";
	case VQTEST_F_EVENT_IDX:
		return "EVENT_IDX";
	case VQTEST_F_VERSION_1:
		return "VERSION_1";
	case VQTEST_F_IN_ORDER:
		return "IN_ORDER";
	case VQTEST_F_RING_RESET:
		return "RING_RESET";
	}
	return NULL;
}

void print_features(FILE *f, uint64_t features, bool json)
{
	const char *sep = "";
	unsigned int bit;

	fputs(json ? "[" : "", f);
	for (bit = 0; bit < 64; bit++) {
		const char *name = vqctl_feature_name(bit);

		if (!(features & (1ULL << bit)))
			continue;
		if (name)
			fprintf(f, json ? "%s\"%s\"" : "%s%s", sep, name);
		else
			fprintf(f, json ? "%s\"bit%u\"" : "%sbit%u", sep, bit);
		sep = json ? ", " : " ";
	}
	fputs(json ? "]" : "", f);
}

static void print_behaviours(FILE *f, uint32_t mask, bool json)
{
	const char *sep = "";
	uint32_t b;

	fputs(json ? "[" : "", f);
	for (b = 0; b < 32; b++) {
		const char *name = vq_behaviour_name(b);

		if (!(mask & (1U << b)))
			continue;
		if (name)
			fprintf(f, json ? "%s\"%s\"" : "%s%s", sep, name);
		else
			fprintf(f, json ? "%s\"beh%u\"" : "%sbeh%u", sep, b);
		sep = json ? ", " : " ";
	}
	fputs(json ? "]" : "", f);
}

void print_info(FILE *f, const struct vqtest_info *i, bool json)
{
	if (json) {
		fprintf(f, "{\"abi_version\": %u, \"device_id\": %u, ",
			i->out_abi_version, i->out_device_id);
		fprintf(f, "\"device_features\": \"%#llx\", \"features\": ",
			(unsigned long long)i->out_device_features);
		print_features(f, i->out_device_features, true);
		fprintf(f, ", \"driver_features\": \"%#llx\", ",
			(unsigned long long)i->out_driver_features);
		fprintf(f, "\"max_queue_size\": %u, \"max_queues\": %u, "
			"\"max_regions\": %u, \"max_segs\": %u, ",
			i->out_max_queue_size, i->out_max_queues,
			i->out_max_regions, i->out_max_segs);
		fputs("\"behaviours\": ", f);
		print_behaviours(f, i->out_behaviours, true);
		fprintf(f, ", \"violation_classes\": %u, "
			"\"max_blk_capacity\": %llu}\n",
			i->out_nr_violation_classes,
			(unsigned long long)i->out_max_blk_capacity);
		return;
	}
	fprintf(f, "abi version        %u\n", i->out_abi_version);
	fprintf(f, "device id          %u\n", i->out_device_id);
	fprintf(f, "device features    %#llx (",
		(unsigned long long)i->out_device_features);
	print_features(f, i->out_device_features, false);
	fprintf(f, ")\n");
	fprintf(f, "max queue size     %u\n", i->out_max_queue_size);
	fprintf(f, "max queues         %u\n", i->out_max_queues);
	fprintf(f, "max regions        %u\n", i->out_max_regions);
	fprintf(f, "max segments       %u\n", i->out_max_segs);
	fprintf(f, "behaviours         ");
	print_behaviours(f, i->out_behaviours, false);
	fprintf(f, "\nviolation classes  %u\n", i->out_nr_violation_classes);
	fprintf(f, "max blk capacity   %llu bytes\n",
		(unsigned long long)i->out_max_blk_capacity);
}

/* the counters in uapi order, with the names the uapi gives them */
#define COUNTERS(X) X(kicks) X(kicks_suppressed) X(chains) X(descs)	\
	X(indirect) X(bytes_read) X(bytes_written) X(used) X(calls)	\
	X(calls_suppressed_flag) X(calls_suppressed_event) X(worker_runs) \
	X(budget_exhausted) X(dropped) X(violations) X(checksum)

void print_stats(FILE *f, const struct vqtest_queue_stats *st, bool json)
{
	const struct vqtest_counters *c = &st->out_counters;
	const char *state = vq_state_name(st->out_state);
	const char *viol = vq_violation_name(st->out_violation);
	const char *sep = "";
	uint32_t v;

	if (json) {
		fprintf(f, "{\"queue\": %u, \"state\": \"%s\", \"num\": %u, "
			"\"behaviour\": \"%s\", \"last_avail_idx\": %u, "
			"\"used_idx\": %u, \"violation\": \"%s\", ",
			st->index, state ? state : "?", st->out_num,
			vq_behaviour_name(st->out_behaviour) ?: "?",
			st->out_last_avail_idx, st->out_used_idx,
			viol ? viol : "?");
#define X(n) fprintf(f, "\"%s\": %llu, ", #n, (unsigned long long)c->n);
		COUNTERS(X)
#undef X
		fputs("\"violations_by_class\": {", f);
		for (v = 1; v < VQTEST_V_SLOTS; v++) {
			if (!st->out_violations[v])
				continue;
			fprintf(f, "%s\"%s\": %llu", sep,
				vq_violation_name(v) ?: "?",
				(unsigned long long)st->out_violations[v]);
			sep = ", ";
		}
		fputs("}}\n", f);
		return;
	}
	fprintf(f, "queue %u: %s, %u entries, behaviour %s\n", st->index,
		state ? state : "?", st->out_num,
		vq_behaviour_name(st->out_behaviour) ?: "?");
	fprintf(f, "  last_avail_idx         %u\n", st->out_last_avail_idx);
	fprintf(f, "  used_idx               %u\n", st->out_used_idx);
#define X(n) fprintf(f, "  %-22s %llu\n", #n, (unsigned long long)c->n);
	COUNTERS(X)
#undef X
	if (st->out_violation) {
		fprintf(f, "  violation              %s", viol ? viol : "?");
		if (st->out_violation_desc != VQTEST_NO_DESC)
			fprintf(f, " at %sdesc %u",
				st->out_violation_desc & VQTEST_DESC_INDIRECT ?
				"indirect " : "",
				st->out_violation_desc & ~VQTEST_DESC_INDIRECT);
		fprintf(f, ", ring %u, addr %#llx\n", st->out_violation_ring,
			(unsigned long long)st->out_violation_addr);
	}
	for (v = 1; v < VQTEST_V_SLOTS; v++)
		if (st->out_violations[v])
			fprintf(f, "  violations[%s] %llu\n",
				vq_violation_name(v) ?: "?",
				(unsigned long long)st->out_violations[v]);
}

#define DRV_COUNTERS(X) X(chains) X(descs) X(indirect) X(kicks)	\
	X(kicks_suppressed) X(completions) X(bytes_used) X(calls)	\
	X(spurious_calls) X(offer_waits) X(offer_full)

void print_split_counters(FILE *f, const struct vq_split_counters *c,
			  bool json)
{
	if (json) {
		const char *sep = "";

		fputs("{", f);
#define X(n) fprintf(f, "%s\"%s\": %llu", sep, #n,			\
		     (unsigned long long)c->n), sep = ", ";
		DRV_COUNTERS(X)
#undef X
		fputs("}\n", f);
		return;
	}
	fputs("driver side:\n", f);
#define X(n) fprintf(f, "  %-22s %llu\n", #n, (unsigned long long)c->n);
	DRV_COUNTERS(X)
#undef X
}
