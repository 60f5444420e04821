/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * libvq: userspace library for /dev/vqtest.
 *
 * Two layers:
 *
 *  - the ABI layer (vq_dev_*, vq_get_info ... vq_queue_stats): one function
 *    per ioctl of <linux/vqtest.h>;
 *  - vq_split: a reference driver-side virtio 1.x split queue whose rings
 *    and buffers live in this process and are consumed by the vqtest device.
 *
 * Every function that can fail returns 0 (or a non-negative value) on
 * success and a negative errno on failure. No function sets errno: the
 * value errno had before a call is the value it has after it.
 *
 * Threads: a struct vq_dev may be used from any number of threads. A
 * struct vq_split serialises offers (chains reach the device in the order
 * the offer calls returned) and may be reaped and freed from other threads
 * concurrently with offers. Closing an object while another thread uses it
 * is the caller's bug.
 */
#ifndef LIBVQ_H
#define LIBVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/vqtest.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one place the version lives: lib/Makefile derives the soname from it. */
#define LIBVQ_VERSION_MAJOR	0
#define LIBVQ_VERSION_MINOR	1
#define LIBVQ_VERSION_PATCH	0

#define VQ_DEV_PATH		"/dev/vqtest"

/* ------------------------------------------------------------------ */
/* ABI layer                                                          */
/* ------------------------------------------------------------------ */

struct vq_dev;

int vq_dev_open(struct vq_dev **out);
int vq_dev_open_path(const char *path, struct vq_dev **out);
int vq_dev_close(struct vq_dev *dev);
int vq_dev_fd(const struct vq_dev *dev);
int vq_dev_iova(struct vq_dev *dev, const void *addr, size_t length,
		uint64_t *iova);

int vq_get_info(struct vq_dev *dev, struct vqtest_info *info);
int vq_set_features(struct vq_dev *dev, uint64_t features);
int vq_map(struct vq_dev *dev, void *addr, size_t length, uint32_t flags,
	   uint64_t *iova);
int vq_unmap(struct vq_dev *dev, uint64_t iova, size_t length);
void vq_queue_create_init(struct vqtest_queue_create *qc, uint32_t index,
			  uint32_t num);
int vq_queue_create(struct vq_dev *dev, struct vqtest_queue_create *qc);
int vq_queue_destroy(struct vq_dev *dev, uint32_t index);
int vq_queue_reset(struct vq_dev *dev, uint32_t index, uint32_t *dropped);
int vq_queue_set_indices(struct vq_dev *dev, uint32_t index,
			 uint16_t avail_idx, uint16_t used_idx);
int vq_queue_process(struct vq_dev *dev, uint32_t index, uint32_t max_chains,
		     uint32_t *chains, uint32_t *pending);
int vq_queue_stats(struct vq_dev *dev, uint32_t index,
		   struct vqtest_queue_stats *stats);

const char *vq_violation_name(uint32_t violation);
const char *vq_behaviour_name(uint32_t behaviour);
int vq_behaviour_parse(const char *name);
const char *vq_state_name(uint32_t state);

/* ------------------------------------------------------------------ */
/* Reference driver-side split queue                                  */
/* ------------------------------------------------------------------ */

struct vq_split;

/* vq_split_opts.kick_fd / call_fd: let the library create an eventfd */
#define VQ_FD_CREATE		(-2)

/**
 * enum vq_split_flags - vq_split_opts.flags
 * @VQ_SPLIT_FIXED_IOVA: map the queue's memory at vq_split_opts.iova
 *	instead of at its own address (identity IOVA)
 * @VQ_SPLIT_NO_EVENT_IDX: do not use EVENT_IDX even when negotiated
 * @VQ_SPLIT_NO_INDIRECT: do not use indirect tables even when negotiated
 * @VQ_SPLIT_TIGHT_LAYOUT: pack the rings at the spec's minimum alignment
 *	(the default puts the used ring on its own cache line)
 * @VQ_SPLIT_BUF_POOL: give every descriptor a page-sized buffer in the
 *	queue's memory, for vq_split_offer_pool()
 */
enum vq_split_flags {
	VQ_SPLIT_FIXED_IOVA = 1 << 0,
	VQ_SPLIT_NO_EVENT_IDX = 1 << 1,
	VQ_SPLIT_NO_INDIRECT = 1 << 2,
	VQ_SPLIT_TIGHT_LAYOUT = 1 << 3,
	VQ_SPLIT_BUF_POOL = 1 << 4,
};

/**
 * struct vq_split_opts - how to create a split queue
 *
 * Initialise with vq_split_opts_init(), then change what you need: the
 * library reads only the first @size bytes, so programs built against an
 * older libvq keep working when the structure grows.
 */
struct vq_split_opts {
	uint32_t size;		/* sizeof(struct vq_split_opts) */
	uint32_t flags;		/* enum vq_split_flags */
	uint32_t index;		/* queue index */
	uint32_t num;		/* ring size wanted; 0: min(256, device max) */
	uint64_t iova;		/* VQ_SPLIT_FIXED_IOVA: IOVA of the memory */
	int32_t kick_fd;	/* VQ_FD_CREATE, VQTEST_NO_FD or an eventfd */
	int32_t call_fd;	/* VQ_FD_CREATE, VQTEST_NO_FD or an eventfd */
	uint32_t behaviour;	/* enum vqtest_behaviour, default ECHO */
	uint32_t level;		/* enum vqtest_level */
	uint32_t queue_flags;	/* enum vqtest_queue_flags */
	uint32_t budget_chains;	/* passed to QUEUE_CREATE */
	uint32_t budget_bytes;
	uint32_t ooo_window;
	int32_t cpu;		/* VQTEST_CPU_ANY by default */
	uint32_t busy_poll_us;
	uint64_t blk_capacity;
	uint32_t indirect_tables; /* indirect table pool; 0: min(num, 256) */
	uint32_t indirect_max;	/* entries per table; 0: min(num, 32) */
	uint64_t __reserved[8];	/* must be 0 */
};

/* vq_split_ring_addr() */
enum vq_ring_part {
	VQ_RING_DESC = 0,
	VQ_RING_AVAIL = 1,
	VQ_RING_USED = 2,
	VQ_RING_INDIRECT = 3,
	VQ_RING_POOL = 4,
};

/**
 * enum vq_offer_flags - flags for the offer functions
 * @VQ_OFFER_WAIT: block until enough descriptors are free instead of
 *	failing with -ENOSPC (another thread must reap and free)
 * @VQ_OFFER_NO_KICK: make the chain available but do not notify the
 *	device; a later offer or vq_split_kick() does
 * @VQ_OFFER_DIRECT: never use an indirect table for this chain
 * @VQ_OFFER_SPLIT: split device-readable buffers at page boundaries
 */
enum vq_offer_flags {
	VQ_OFFER_WAIT = 1 << 0,
	VQ_OFFER_NO_KICK = 1 << 1,
	VQ_OFFER_DIRECT = 1 << 2,
	VQ_OFFER_SPLIT = 1 << 3,
};

/**
 * struct vq_chain - one chain for vq_split_offer_batch()
 * @iov: device-readable buffers first, then device-writable ones
 * @n_out: number of device-readable entries in @iov
 * @n_in: number of device-writable entries after them
 * @cookie: returned in the completion
 * @head: on return, the chain's head descriptor
 */
struct vq_chain {
	const struct iovec *iov;
	unsigned int n_out;
	unsigned int n_in;
	void *cookie;
	int head;
};

/**
 * struct vq_completion - a chain the device has used
 * @cookie: the cookie given at offer
 * @len: bytes the device wrote into the writable buffers (used.len)
 * @head: head descriptor; the chain stays the caller's until freed
 * @n_out: device-readable segments of the chain
 * @n_in: device-writable segments of the chain
 * @__pad: zero
 */
struct vq_completion {
	void *cookie;
	uint32_t len;
	uint16_t head;
	uint16_t n_out;
	uint16_t n_in;
	uint16_t __pad[3];
};

/* return value of a vq_complete_fn that keeps the chain for vq_split_free */
#define VQ_KEEP			1

typedef int (*vq_complete_fn)(struct vq_split *q,
			      const struct vq_completion *c, void *arg);

/**
 * struct vq_split_counters - what the driver side counted
 * @chains: chains offered
 * @descs: ring descriptors those chains took
 * @indirect: chains offered through an indirect table
 * @kicks: notifications sent (kick eventfd writes)
 * @kicks_suppressed: notifications skipped because the device asked for
 *	none (USED_F_NO_NOTIFY, or avail_event not crossed with EVENT_IDX)
 * @completions: used elements reaped
 * @bytes_used: sum of their used.len
 * @calls: call eventfd signals drained
 * @spurious_calls: drains that found no new used element
 * @offer_waits: blocking offers that had to wait for descriptors
 * @offer_full: non-blocking offers that failed with -ENOSPC
 */
struct vq_split_counters {
	uint64_t chains;
	uint64_t descs;
	uint64_t indirect;
	uint64_t kicks;
	uint64_t kicks_suppressed;
	uint64_t completions;
	uint64_t bytes_used;
	uint64_t calls;
	uint64_t spurious_calls;
	uint64_t offer_waits;
	uint64_t offer_full;
	uint64_t __reserved[5];
};

void vq_split_opts_init(struct vq_split_opts *opts);
int vq_split_create(struct vq_dev *dev, const struct vq_split_opts *opts,
		    struct vq_split **out);
int vq_split_close(struct vq_split *q);

int vq_split_offer(struct vq_split *q, const struct iovec *iov,
		   unsigned int n_out, unsigned int n_in, void *cookie,
		   unsigned int flags);
int vq_split_offer_batch(struct vq_split *q, struct vq_chain *chains,
			 unsigned int nr, unsigned int flags);
int vq_split_offer_pool(struct vq_split *q, const struct iovec *out,
			unsigned int n_out, unsigned int n_in_pages,
			void *cookie, unsigned int flags);
int vq_split_kick(struct vq_split *q);
int vq_split_process(struct vq_split *q, uint32_t max_chains,
		     uint32_t *chains, uint32_t *pending);

int vq_split_reap(struct vq_split *q, struct vq_completion *c,
		  unsigned int max);
int vq_split_reap_cb(struct vq_split *q, vq_complete_fn fn, void *arg,
		     unsigned int max);
int vq_split_wait(struct vq_split *q, int timeout_ms);
int vq_split_chain(struct vq_split *q, uint16_t head, struct iovec *iov,
		   unsigned int max, unsigned int *n_out, unsigned int *n_in);
int vq_split_free(struct vq_split *q, uint16_t head);
int vq_split_enable_calls(struct vq_split *q);
int vq_split_disable_calls(struct vq_split *q);

int vq_split_reset(struct vq_split *q, uint32_t *dropped);
int vq_split_set_indices(struct vq_split *q, uint16_t idx);
int vq_split_stats(struct vq_split *q, struct vqtest_queue_stats *stats);

uint32_t vq_split_size(const struct vq_split *q);
uint32_t vq_split_index(const struct vq_split *q);
uint64_t vq_split_features(const struct vq_split *q);
uint32_t vq_split_free_count(struct vq_split *q);
int vq_split_kick_fd(const struct vq_split *q);
int vq_split_call_fd(const struct vq_split *q);
void *vq_split_ring_addr(const struct vq_split *q, enum vq_ring_part part,
			 uint64_t *iova);
void vq_split_counters(const struct vq_split *q,
		       struct vq_split_counters *c);

#ifdef __cplusplus
}
#endif

#endif /* LIBVQ_H */
