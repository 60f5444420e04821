/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqtest: shared definitions of the module's parts.
 */
#ifndef _VQTEST_H
#define _VQTEST_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/sizes.h>
#include <linux/eventfd.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "ring.h"

#define VQTEST_MAX_REGIONS	64U
#define VQTEST_MAX_QUEUES	1024U
#define VQTEST_MAX_REGION_LEN	(16ULL << 30)
#define VQTEST_MAX_BLK_CAPACITY	(256ULL << 20)
#define VQTEST_DEF_BUDGET_CHAINS 256U
#define VQTEST_DEF_BUDGET_BYTES	SZ_1M
#define VQTEST_MAX_BUSY_POLL_US	1000U

#define VQTEST_DEVICE_FEATURES					\
	(BIT_ULL(VQTEST_F_VERSION_1) | BIT_ULL(VQTEST_F_EVENT_IDX) |	\
	 BIT_ULL(VQTEST_F_INDIRECT_DESC) | BIT_ULL(VQTEST_F_IN_ORDER) |	\
	 BIT_ULL(VQTEST_F_RING_RESET))

extern unsigned int vqtest_max_queue_size;
extern struct workqueue_struct *vqtest_wq;

/**
 * struct vqtest_region - a pinned, kernel-mapped piece of the caller's memory
 * @map: IOVA, length and kernel address, as the ring walk sees them
 * @user_va: the caller's address
 * @pages: the pinned pages
 * @npages: number of @pages
 * @mm: the mm charged for RLIMIT_MEMLOCK (held with mmgrab)
 * @users: queues whose rings live in this region
 */
struct vqtest_region {
	struct vqt_region map;
	u64 user_va;
	struct page **pages;
	unsigned long npages;
	struct mm_struct *mm;
	u32 users;
};

/**
 * struct vqtest_dev - one open /dev/vqtest
 * @lock: serialises features and region changes
 * @qsem: held for write to add or remove queues, for read to use one
 * @map_sem: held for read by every worker run, for write by (un)map
 * @map: the sorted IOVA table the rings walk
 * @slots: storage for @map's region pointers
 * @queues: queue index -> struct vqtest_queue
 * @features: acknowledged features (0 until SET_FEATURES)
 * @id: device id shown by GET_INFO and the tracepoints
 * @file: the open file (not a reference: it owns the device)
 */
struct vqtest_dev {
	struct mutex lock;		/* features, regions */
	struct rw_semaphore qsem;
	struct rw_semaphore map_sem;
	struct vqt_map map;
	struct vqt_region *slots[VQTEST_MAX_REGIONS];
	struct xarray queues;
	u64 features;
	u32 id;
	struct file *file;
};

/**
 * struct vqtest_done - a completion held back for out-of-order delivery
 * @head: chain head
 * @len: bytes written
 */
struct vqtest_done {
	u16 head;
	u32 len;
};

/**
 * struct vqtest_queue - one virtqueue of a device
 * @dev: the device
 * @index: queue index
 * @lock: serialises the ring, the behaviour state and the counters
 * @ring: the ring walk's state
 * @state: enum vqtest_queue_state
 * @behaviour: enum vqtest_behaviour
 * @flags: enum vqtest_queue_flags
 * @budget_chains: chains per worker run
 * @budget_bytes: bytes per worker run
 * @ooo_window: out-of-order group size (0 = in order)
 * @cpu: worker CPU or VQTEST_CPU_ANY
 * @busy_poll_ns: poll the empty ring this long before re-arming kicks
 * @ring_reg: regions holding the three ring areas (use counted)
 * @kick_file: the kick eventfd, or NULL
 * @kick_wqh: its wait queue head once we are on it
 * @kick_wait: our entry on @kick_wqh
 * @kick_pt: poll table used to find @kick_wqh
 * @call: the call eventfd, or NULL
 * @work: the worker
 * @ref: the queue's own reference and one per queued inline run
 * @gone: destroyed; a late inline run only drops its references
 * @inline_pending: bit 0: an inline run is queued and not yet started
 * @inline_cb: the task_work of VQTEST_QUEUE_F_INLINE
 * @kicks: kick wakeups (counted outside @lock)
 * @cnt: counters
 * @viol_count: violations per class
 * @source_pos: stream position of the source pattern
 * @disk: blk RAM disk
 * @disk_size: its size in bytes
 * @held: completions held back for out-of-order delivery (@ooo_window)
 * @nheld: entries in @held
 * @scratch: @ring's shadow, bitmaps and segments, then @held
 *
 * One allocation holds the queue and its scratch: 256 entries fit 8 KiB.
 */
struct vqtest_queue {
	struct vqtest_dev *dev;
	u32 index;
	struct mutex lock;		/* ring, behaviour state, counters */
	struct vqt_ring ring;
	u32 state;
	u32 behaviour;
	u32 flags;
	u32 budget_chains;
	u32 budget_bytes;
	u32 ooo_window;
	int cpu;
	u64 busy_poll_ns;
	struct vqtest_region *ring_reg[3];
	struct file *kick_file;
	wait_queue_head_t *kick_wqh;
	wait_queue_entry_t kick_wait;
	poll_table kick_pt;
	struct eventfd_ctx *call;
	struct work_struct work;
	refcount_t ref;
	bool gone;
	unsigned long inline_pending;
	struct callback_head inline_cb;
	atomic64_t kicks;
	struct vqtest_counters cnt;
	u64 viol_count[VQTEST_V_SLOTS];
	u64 source_pos;
	u8 *disk;
	u64 disk_size;
	struct vqtest_done *held;
	u32 nheld;
	u8 scratch[] __aligned(sizeof(u64));
};

/* mem.c */
int vqtest_map(struct vqtest_dev *dev, struct vqtest_map *cmd);
int vqtest_unmap(struct vqtest_dev *dev, struct vqtest_unmap *cmd);
void vqtest_unmap_all(struct vqtest_dev *dev);
struct vqtest_region *vqtest_region_get(struct vqtest_dev *dev, u64 iova,
					u64 len, void **kva);
void vqtest_region_put(struct vqtest_region *reg);

/* queue.c */
int vqtest_queue_create(struct vqtest_dev *dev,
			struct vqtest_queue_create *cmd);
int vqtest_queue_destroy(struct vqtest_dev *dev,
			 struct vqtest_queue_destroy *cmd);
int vqtest_queue_reset(struct vqtest_dev *dev, struct vqtest_queue_reset *cmd);
int vqtest_queue_set_indices(struct vqtest_dev *dev,
			     struct vqtest_queue_set_indices *cmd);
int vqtest_queue_process(struct vqtest_dev *dev,
			 struct vqtest_queue_process *cmd);
int vqtest_queue_stats(struct vqtest_dev *dev, struct vqtest_queue_stats *cmd);
void vqtest_destroy_all(struct vqtest_dev *dev);

/* behaviour.c */
void vqtest_behaviour_setup(void);
int vqtest_behaviour_init(struct vqtest_queue *q,
			  const struct vqtest_queue_create *cmd);
void vqtest_behaviour_reset(struct vqtest_queue *q);
void vqtest_behaviour_free(struct vqtest_queue *q);
u32 vqtest_behave(struct vqtest_queue *q, const struct vqt_chain *c,
		  u32 *written);

#endif /* _VQTEST_H */
