/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * libvq internals: shared between the library's files and its unit tests,
 * never installed.
 */
#ifndef LIBVQ_INTERNAL_H
#define LIBVQ_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include "vq/libvq.h"
#include "ring_layout.h"

#define VQ_EXPORT	__attribute__((visibility("default")))
#define VQ_HIDDEN	__attribute__((visibility("hidden")))

/*
 * Keep errno as the caller left it across a function that makes system
 * calls: the library reports errors by return value only.
 */
#define VQ_ERRNO_SAVE()		int vq_saved_errno_ = errno
#define VQ_ERRNO_RESTORE()	(errno = vq_saved_errno_)

/**
 * struct vq_dev_backend - what carries the ioctls of a struct vq_dev
 * @ioctl: issue one vqtest ioctl; 0 or -errno
 * @close: release @priv when the device is closed
 *
 * The real device is an fd and ioctl(2). The unit tests plug an in-process
 * test double in here; nothing else should.
 */
struct vq_dev_backend {
	int (*ioctl)(void *priv, unsigned long req, void *arg);
	void (*close)(void *priv);
};

struct vq_region {
	uint64_t va;
	uint64_t len;
	uint64_t iova;
};

struct vq_dev {
	int fd;
	const struct vq_dev_backend *be;
	void *be_priv;
	pthread_mutex_t lock;		/* protects regions */
	struct vq_region *regions;
	unsigned int nr_regions;
	unsigned int cap_regions;
	unsigned int nonidentity;	/* atomic: regions with iova != va */
	unsigned int queues;		/* atomic: live vq_split on this dev */
};

VQ_HIDDEN int vq__dev_open_backend(const struct vq_dev_backend *be,
				   void *priv, struct vq_dev **out);
VQ_HIDDEN int vq__ioctl(struct vq_dev *dev, unsigned long req, void *arg);
VQ_HIDDEN uint64_t vq__dev_translate(struct vq_dev *dev, const void *addr,
				     size_t len);

/* what the library wrote into one descriptor, never read back from it */
struct vq_shadow {
	uint64_t va;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

enum {
	VQ_HEAD_FREE = 0,
	VQ_HEAD_INFLIGHT = 1,	/* offered, the device owns it */
	VQ_HEAD_DONE = 2,	/* reaped, the caller owns it until freed */
};

/* per head descriptor: the chain that starts there */
struct vq_head {
	void *cookie;
	uint32_t write_len;	/* writable bytes: used.len may not exceed */
	uint16_t ndesc;		/* ring descriptors taken */
	uint16_t n_out;		/* readable segments */
	uint16_t n_in;		/* writable segments */
	int16_t table;		/* indirect table, or -1 */
	uint8_t state;		/* VQ_HEAD_*, atomic */
};

enum {
	VQ_C_CHAINS,
	VQ_C_DESCS,
	VQ_C_INDIRECT,
	VQ_C_KICKS,
	VQ_C_KICKS_SUPPRESSED,
	VQ_C_COMPLETIONS,
	VQ_C_BYTES_USED,
	VQ_C_CALLS,
	VQ_C_SPURIOUS,
	VQ_C_OFFER_WAITS,
	VQ_C_OFFER_FULL,
	VQ_C_NR,
};

struct vq_split {
	struct vq_dev *dev;
	uint32_t index;
	uint32_t num;
	uint32_t max_segs;		/* device's out_max_segs */
	uint64_t features;		/* acked by the driver */
	bool event_idx;			/* in use on this queue */
	bool indirect;			/* in use on this queue */
	bool pool;			/* per-descriptor page buffers */

	/* one mmap: desc | avail | used | indirect tables | buffer pool */
	uint8_t *mem;
	size_t mem_len;
	uint64_t iova;			/* IOVA of mem[0] */
	size_t page;
	struct vr_desc *desc;
	struct vr_avail *avail;
	struct vr_used *used;
	struct vr_desc *ind;		/* ind_tables tables of ind_max */
	uint8_t *pool_mem;		/* num buffers of page bytes */
	uint32_t ind_tables;
	uint32_t ind_max;

	int kick_fd;
	int call_fd;
	bool own_kick;
	bool own_call;
	bool drain_call;		/* call_fd is non-blocking: reap drains */
	bool mapped;
	bool created;

	/* offer side, serialised by offer_mtx */
	pthread_mutex_t offer_mtx;
	uint16_t avail_idx;		/* shadow of avail->idx */
	uint16_t kicked_idx;		/* avail idx at the last kick decision */

	/* descriptors and tables, protected by free_mtx */
	pthread_mutex_t free_mtx;
	pthread_cond_t free_cond;
	uint32_t free_head;
	uint32_t num_free;
	int32_t ind_free;
	int32_t *ind_next;
	struct vq_shadow *shadow;
	struct vq_shadow *ind_shadow;
	struct vq_head *heads;

	/* reap side, serialised by reap_mtx */
	pthread_mutex_t reap_mtx;
	uint16_t last_used;
	uint16_t used_seen;		/* used->idx as last loaded */
	bool calls_off;

	int broken;			/* atomic: 0 or -EIO after a device bug */
	uint64_t cnt[VQ_C_NR];		/* atomic counters */
};

static inline void vq__count(struct vq_split *q, int c, uint64_t n)
{
	__atomic_fetch_add(&q->cnt[c], n, __ATOMIC_RELAXED);
}

static inline uint64_t vq__iova_of(const struct vq_split *q, const void *p)
{
	return q->iova + (uint64_t)((const uint8_t *)p - q->mem);
}

VQ_HIDDEN void vq__free_chain_locked(struct vq_split *q, uint16_t head);
VQ_HIDDEN void vq__reset_driver_state(struct vq_split *q, uint16_t idx);

#endif /* LIBVQ_INTERNAL_H */
