/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * A TEST DOUBLE of the vqtest device for libvq's unit tests. It is not the
 * device: it exists so the driver logic can be tested where the module
 * cannot be loaded. It has two halves:
 *
 *  - tdev.c: the ioctl ABI (regions, queues, workers on the kick eventfd,
 *    behaviours, counters), plugged into a struct vq_dev as its backend;
 *  - a ring walk behind struct tdev_ring_ops, shaped like kmod/ring.h
 *    (avail / get_chain / put_used / publish / notify control), so the
 *    in-process fake (fake_ring.c) can be swapped for the module's own
 *    ring.c built in userspace without touching the tests.
 */
#ifndef LIBVQ_TESTS_TDEV_H
#define LIBVQ_TESTS_TDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* IOVA -> host pointer, as the device's region table resolves it */
struct tdev_mem;
uint8_t *tdev_mem_range(const struct tdev_mem *m, uint64_t iova,
			uint64_t len);

struct tdev_seg {
	uint8_t *p;
	uint32_t len;
};

/* one validated chain, as the ring walk hands it to a behaviour */
struct tdev_chain {
	uint16_t head;
	uint32_t ndesc;
	uint32_t nread;		/* readable segments, first in segs */
	uint32_t nsegs;
	bool indirect;
	struct tdev_seg *segs;	/* owned by the ring walk */
};

/* a violation: class is enum vqtest_violation, desc/ring as in the ABI */
struct tdev_viol {
	uint32_t class;
	uint32_t desc;
	uint32_t ring;
	uint64_t addr;
};

/**
 * struct tdev_ring_ops - the device-side ring walk under test
 * @create: attach to rings of @num entries (host pointers)
 * @start: next avail index to read, used index to write (and publish)
 * @avail: chains available (>= 0) or -1 with the violation recorded
 * @get_chain: take the next chain; 0 or a violation class
 * @put_used: queue a used element (not yet visible)
 * @publish: make used elements visible; true when the driver wants a call
 * @disable_notify: ask the driver not to kick
 * @enable_notify: ask for kicks again; true when chains arrived meanwhile
 * @violation: the first violation recorded
 * @inflight: heads taken and not yet used
 */
struct tdev_ring_ops {
	const char *name;
	void *(*create)(uint32_t num, uint64_t features, uint32_t max_segs,
			void *desc, void *avail, void *used,
			const struct tdev_mem *mem);
	void (*destroy)(void *r);
	void (*start)(void *r, uint16_t avail_idx, uint16_t used_idx);
	int (*avail)(void *r);
	uint32_t (*get_chain)(void *r, struct tdev_chain *c);
	void (*put_used)(void *r, uint16_t head, uint32_t len);
	bool (*publish)(void *r);
	void (*disable_notify)(void *r);
	bool (*enable_notify)(void *r);
	const struct tdev_viol *(*violation)(void *r);
	uint32_t (*inflight)(void *r);
};

extern const struct tdev_ring_ops fake_ring_ops;

/* knobs of the test device */
struct tdev_opts {
	uint64_t device_features;
	uint32_t max_queue_size;
	uint32_t max_segs;
	uint32_t max_regions;
	bool out_of_order;	/* complete each run's chains in reverse */
	uint32_t publish_every;	/* publish used after this many, 0: per run */
	bool bogus_used_id;	/* complete with an id never offered */
	const struct tdev_ring_ops *ring;
};

void tdev_opts_init(struct tdev_opts *o);

struct tdev;

/* A struct vq_dev whose ioctls go to a new test device. */
int tdev_open(const struct tdev_opts *o, struct vq_dev **dev,
	      struct tdev **td);

/* Introspection for tests */
unsigned int tdev_nr_regions(struct tdev *td);
unsigned int tdev_nr_queues(struct tdev *td);
/* first 8 readable bytes of each chain, in the order the device took them */
void tdev_record_order(struct tdev *td, uint32_t index, bool on);
uint32_t tdev_order(struct tdev *td, uint32_t index, uint64_t *tags,
		    uint32_t max);

#endif /* LIBVQ_TESTS_TDEV_H */
