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

#include "tdev_ring.h"

/* knobs of the test device */
struct tdev_opts {
	uint64_t device_features;
	uint32_t max_queue_size;
	uint32_t max_segs;
	uint32_t max_regions;
	bool out_of_order;	/* complete each run's chains in reverse */
	uint32_t publish_every;	/* publish used after this many, 0: per run */
	bool bogus_used_id;	/* complete with an id never offered */
	const struct tdev_ring_ops *ring;	/* tdev_default_ring if NULL */
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
