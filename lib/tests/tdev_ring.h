/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * TEST DOUBLE: the interface between the test device (tdev.c) and the
 * device-side ring walk it drives. Kept free of libvq's headers so that
 * an adapter over kmod/ring.c (kring.c), which brings the kernel's types
 * through tools/ring/ring_user.h, can include it.
 */
#ifndef LIBVQ_TESTS_TDEV_RING_H
#define LIBVQ_TESTS_TDEV_RING_H

#include <stdbool.h>
#include <stdint.h>

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
 * @last_avail: the next avail index the walk will read
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
	uint16_t (*last_avail)(void *r);
};

extern const struct tdev_ring_ops fake_ring_ops;

/*
 * The ring walk a test binary runs on: fake_ring_ops (ring_default_fake.c)
 * or kmod/ring.c through kring.c. One definition is linked in.
 */
extern const struct tdev_ring_ops *const tdev_default_ring;

/* region @i of the device's IOVA table; false past the last */
bool tdev_mem_region(const struct tdev_mem *m, unsigned int i, uint64_t *iova,
		     uint64_t *len, uint8_t **host);

#endif /* LIBVQ_TESTS_TDEV_RING_H */
