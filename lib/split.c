// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * libvq split queue: creation, memory layout, teardown and accessors.
 * Offering chains lives in offer.c, reaping and freeing them in reap.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_NUM		256U
#define DEFAULT_IND_TABLES	256U
#define DEFAULT_IND_MAX		32U
/* the device writes the used ring, we write the rest: keep them apart */
#define CACHELINE		64U

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static uint32_t rounddown_pow2(uint32_t v)
{
	while (v & (v - 1))
		v &= v - 1;
	return v;
}

VQ_EXPORT void vq_split_opts_init(struct vq_split_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->size = sizeof(*opts);
	opts->kick_fd = VQ_FD_CREATE;
	opts->call_fd = VQ_FD_CREATE;
	opts->behaviour = VQTEST_BEH_ECHO;
	opts->level = VQTEST_LEVEL_STRICT;
	opts->cpu = VQTEST_CPU_ANY;
}

/*
 * Copy the caller's options the way the kernel copies ioctl structures:
 * a shorter (older) structure keeps our defaults for what it lacks, a
 * longer (newer) one must be zero past what we know.
 */
static int opts_copy(struct vq_split_opts *dst, const struct vq_split_opts *src)
{
	const uint8_t *p = (const uint8_t *)src;
	size_t n, i;

	vq_split_opts_init(dst);
	if (!src)
		return 0;
	if (src->size < offsetof(struct vq_split_opts, index))
		return -EINVAL;
	n = src->size < sizeof(*dst) ? src->size : sizeof(*dst);
	for (i = sizeof(*dst); i < src->size; i++)
		if (p[i])
			return -E2BIG;
	memcpy(dst, src, n);
	dst->size = sizeof(*dst);
	for (i = 0; i < sizeof(dst->__reserved) / sizeof(dst->__reserved[0]);
	     i++)
		if (dst->__reserved[i])
			return -EINVAL;
	if (dst->flags & ~(uint32_t)(VQ_SPLIT_FIXED_IOVA |
				     VQ_SPLIT_NO_EVENT_IDX |
				     VQ_SPLIT_NO_INDIRECT |
				     VQ_SPLIT_TIGHT_LAYOUT | VQ_SPLIT_BUF_POOL))
		return -EINVAL;
	return 0;
}

/*
 * Tock's negotiate_queue_size: take what the caller asks, capped at what
 * the device takes. The spec wants a power of two up to 32768.
 */
static int negotiate_num(const struct vq_split_opts *o,
			 const struct vqtest_info *info, uint32_t *num)
{
	uint32_t max = info->out_max_queue_size;
	uint32_t want = o->num;

	if (!max || max > VR_MAX_SIZE)
		max = VR_MAX_SIZE;
	max = rounddown_pow2(max);
	if (!want)
		want = DEFAULT_NUM < max ? DEFAULT_NUM : max;
	if (!is_pow2(want) || want > VR_MAX_SIZE)
		return -EINVAL;
	*num = want < max ? want : max;
	return 0;
}

static void setup_features(struct vq_split *q, const struct vq_split_opts *o,
			   const struct vqtest_info *info)
{
	uint32_t cap;

	q->features = info->out_driver_features;
	q->max_segs = info->out_max_segs ? info->out_max_segs : 0xffff;
	q->event_idx = (q->features & (1ULL << VQTEST_F_EVENT_IDX)) &&
		       !(o->flags & VQ_SPLIT_NO_EVENT_IDX);
	q->indirect = (q->features & (1ULL << VQTEST_F_INDIRECT_DESC)) &&
		      !(o->flags & VQ_SPLIT_NO_INDIRECT);
	q->pool = o->flags & VQ_SPLIT_BUF_POOL;
	if (!q->indirect)
		return;

	/*
	 * A table larger than the ring is a violation (INDIRECT_LEN), one
	 * longer than out_max_segs another (TOO_MANY_SEGS): stay inside both.
	 * More tables than descriptors could never be in flight at once.
	 */
	cap = q->num < q->max_segs ? q->num : q->max_segs;
	q->ind_max = o->indirect_max ? o->indirect_max : DEFAULT_IND_MAX;
	if (q->ind_max > cap)
		q->ind_max = cap;
	q->ind_tables = o->indirect_tables ? o->indirect_tables :
					     DEFAULT_IND_TABLES;
	if (q->ind_tables > q->num)
		q->ind_tables = q->num;
	if (q->ind_max < 2)
		q->indirect = false;
}

/* desc | avail | used | indirect tables | buffer pool, one mmap */
static int layout_and_mmap(struct vq_split *q, bool tight)
{
	size_t off_avail, off_used, off_ind = 0, off_pool = 0, len;
	void *mem;

	off_avail = vr_desc_bytes(q->num);
	off_used = align_up(off_avail + vr_avail_bytes(q->num),
			    tight ? VR_USED_ALIGN : CACHELINE);
	len = off_used + vr_used_bytes(q->num);
	if (q->indirect) {
		off_ind = align_up(len, tight ? VR_DESC_ALIGN : CACHELINE);
		len = off_ind + (size_t)q->ind_tables * q->ind_max *
				sizeof(struct vr_desc);
	}
	if (q->pool) {
		off_pool = align_up(len, q->page);
		len = off_pool + (size_t)q->num * q->page;
	}
	len = align_up(len, q->page);

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	q->mem = mem;
	q->mem_len = len;
	q->desc = (struct vr_desc *)q->mem;
	q->avail = (struct vr_avail *)(q->mem + off_avail);
	q->used = (struct vr_used *)(q->mem + off_used);
	q->ind = q->indirect ? (struct vr_desc *)(q->mem + off_ind) : NULL;
	q->pool_mem = q->pool ? q->mem + off_pool : NULL;
	return 0;
}

static int alloc_shadow(struct vq_split *q)
{
	q->shadow = calloc(q->num, sizeof(*q->shadow));
	q->heads = calloc(q->num, sizeof(*q->heads));
	if (!q->shadow || !q->heads)
		return -ENOMEM;
	if (!q->indirect)
		return 0;
	q->ind_shadow = calloc((size_t)q->ind_tables * q->ind_max,
			       sizeof(*q->ind_shadow));
	q->ind_next = calloc(q->ind_tables, sizeof(*q->ind_next));
	if (!q->ind_shadow || !q->ind_next)
		return -ENOMEM;
	return 0;
}

/*
 * The driver state of a queue whose device side starts at @idx: every
 * descriptor free, no chain in flight. Caller-owned (reaped, not yet
 * freed) chains keep their descriptors.
 */
void vq__reset_driver_state(struct vq_split *q, uint16_t idx)
{
	uint32_t i;

	for (i = 0; i < q->num; i++)
		if (__atomic_load_n(&q->heads[i].state, __ATOMIC_RELAXED) ==
		    VQ_HEAD_INFLIGHT) {
			vq__free_chain_locked(q, (uint16_t)i);
			__atomic_store_n(&q->heads[i].state, VQ_HEAD_FREE,
					 __ATOMIC_RELEASE);
		}
	q->avail_idx = idx;
	q->kicked_idx = idx;
	q->last_used = idx;
	q->used_seen = idx;
	if (q->event_idx)
		vr_store16(vr_used_event(q->avail, q->num), idx,
			   __ATOMIC_RELAXED);
	vr_store16(&q->avail->idx, idx, __ATOMIC_RELEASE);
}

static void init_free_lists(struct vq_split *q)
{
	uint32_t i;

	/* Descriptors are chained through next in the free list, as Linux
	 * does: taking n free descriptors from the head gives a ready chain.
	 */
	for (i = 0; i < q->num; i++) {
		q->shadow[i].next = (uint16_t)((i + 1) & (q->num - 1));
		q->heads[i].table = -1;
	}
	q->free_head = 0;
	q->num_free = q->num;
	q->ind_free = q->indirect ? 0 : -1;
	for (i = 0; i < q->ind_tables; i++)
		q->ind_next[i] = i + 1 < q->ind_tables ? (int32_t)(i + 1) : -1;
}

static int setup_fd(int want, bool *own, int *fd)
{
	int flags;

	*own = false;
	if (want == VQ_FD_CREATE) {
		*fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (*fd < 0)
			return -errno;
		*own = true;
		return 0;
	}
	if (want == VQTEST_NO_FD) {
		*fd = VQTEST_NO_FD;
		return 0;
	}
	flags = fcntl(want, F_GETFL);
	if (want < 0 || flags < 0)
		return -EBADF;
	*fd = want;
	return 0;
}

static int create_queue(struct vq_split *q, const struct vq_split_opts *o)
{
	struct vqtest_queue_create qc;

	vq_queue_create_init(&qc, q->index, q->num);
	qc.flags = o->queue_flags;
	qc.desc_iova = vq__iova_of(q, q->desc);
	qc.driver_iova = vq__iova_of(q, q->avail);
	qc.device_iova = vq__iova_of(q, q->used);
	qc.kick_fd = q->kick_fd;
	qc.call_fd = q->call_fd;
	qc.behaviour = o->behaviour;
	qc.level = o->level;
	qc.budget_chains = o->budget_chains;
	qc.budget_bytes = o->budget_bytes;
	qc.ooo_window = o->ooo_window;
	qc.cpu = o->cpu;
	qc.blk_capacity = o->blk_capacity;
	qc.busy_poll_us = o->busy_poll_us;
	return vq_queue_create(q->dev, &qc);
}

static int keep_first(int ret, int r)
{
	return ret ? ret : r;
}

/* Undo whatever part of creation happened; every step, first error. */
static int split_teardown(struct vq_split *q)
{
	int ret = 0;

	if (q->created)
		ret = keep_first(ret, vq_queue_destroy(q->dev, q->index));
	if (q->mapped)
		ret = keep_first(ret, vq_unmap(q->dev, q->iova, q->mem_len));
	if (q->own_kick && close(q->kick_fd))
		ret = keep_first(ret, -errno);
	if (q->own_call && close(q->call_fd))
		ret = keep_first(ret, -errno);
	if (q->mem && munmap(q->mem, q->mem_len))
		ret = keep_first(ret, -errno);
	free(q->shadow);
	free(q->heads);
	free(q->ind_shadow);
	free(q->ind_next);
	pthread_cond_destroy(&q->free_cond);
	pthread_mutex_destroy(&q->offer_mtx);
	pthread_mutex_destroy(&q->free_mtx);
	pthread_mutex_destroy(&q->reap_mtx);
	free(q);
	return ret;
}

static int split_setup(struct vq_split *q, const struct vq_split_opts *o)
{
	struct vqtest_info info;
	int ret, flags;

	ret = vq_get_info(q->dev, &info);
	if (ret)
		return ret;
	/* SET_FEATURES first: the layout depends on what was negotiated */
	if (!(info.out_driver_features & (1ULL << VQTEST_F_VERSION_1)))
		return -EPROTO;
	/*
	 * IN_ORDER needs descriptors used in ring order; our LIFO free list
	 * hands them out otherwise, and the device would stop the queue.
	 */
	if (info.out_driver_features & (1ULL << VQTEST_F_IN_ORDER))
		return -EOPNOTSUPP;
	ret = negotiate_num(o, &info, &q->num);
	if (ret)
		return ret;
	setup_features(q, o, &info);
	ret = alloc_shadow(q);
	if (ret)
		return ret;
	ret = layout_and_mmap(q, o->flags & VQ_SPLIT_TIGHT_LAYOUT);
	if (ret)
		return ret;
	init_free_lists(q);

	q->iova = o->iova;
	ret = vq_map(q->dev, q->mem, q->mem_len,
		     (o->flags & VQ_SPLIT_FIXED_IOVA) ? VQTEST_MAP_FIXED_IOVA : 0,
		     &q->iova);
	if (ret)
		return ret;
	q->mapped = true;

	ret = setup_fd(o->kick_fd, &q->own_kick, &q->kick_fd);
	if (ret)
		return ret;
	ret = setup_fd(o->call_fd, &q->own_call, &q->call_fd);
	if (ret)
		return ret;
	if (q->call_fd >= 0) {
		flags = fcntl(q->call_fd, F_GETFL);
		q->drain_call = flags >= 0 && (flags & O_NONBLOCK);
	}

	ret = create_queue(q, o);
	if (ret)
		return ret;
	q->created = true;
	return 0;
}

VQ_EXPORT int vq_split_create(struct vq_dev *dev,
			      const struct vq_split_opts *opts,
			      struct vq_split **out)
{
	VQ_ERRNO_SAVE();
	struct vq_split_opts o;
	struct vq_split *q;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	ret = opts_copy(&o, opts);
	if (ret)
		return ret;
	q = calloc(1, sizeof(*q));
	if (!q) {
		ret = -ENOMEM;
		goto out;
	}
	q->dev = dev;
	q->index = o.index;
	q->page = (size_t)sysconf(_SC_PAGESIZE);
	q->kick_fd = VQTEST_NO_FD;
	q->call_fd = VQTEST_NO_FD;
	pthread_mutex_init(&q->offer_mtx, NULL);
	pthread_mutex_init(&q->free_mtx, NULL);
	pthread_mutex_init(&q->reap_mtx, NULL);
	pthread_cond_init(&q->free_cond, NULL);

	ret = split_setup(q, &o);
	if (ret) {
		split_teardown(q);
		goto out;
	}
	__atomic_fetch_add(&dev->queues, 1, __ATOMIC_RELAXED);
	*out = q;
out:
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_split_close(struct vq_split *q)
{
	VQ_ERRNO_SAVE();
	struct vq_dev *dev;
	int ret;

	if (!q)
		return 0;
	dev = q->dev;
	ret = split_teardown(q);
	__atomic_fetch_sub(&dev->queues, 1, __ATOMIC_RELEASE);
	VQ_ERRNO_RESTORE();
	return ret;
}

/*
 * Reset the device side and start over at index 0: QUEUE_RESET, rewrite
 * the rings, QUEUE_SET_INDICES(0, 0) to enable the queue again. Chains in
 * flight are dropped (their descriptors freed); reaped chains stay the
 * caller's.
 */
VQ_EXPORT int vq_split_reset(struct vq_split *q, uint32_t *dropped)
{
	VQ_ERRNO_SAVE();
	int ret;

	if (!q)
		return -EINVAL;
	pthread_mutex_lock(&q->offer_mtx);
	pthread_mutex_lock(&q->reap_mtx);
	pthread_mutex_lock(&q->free_mtx);
	ret = vq_queue_reset(q->dev, q->index, dropped);
	if (!ret) {
		/* rewrite our rings, then enable the queue (queue_enable) */
		vq__reset_driver_state(q, 0);
		ret = vq_queue_set_indices(q->dev, q->index, 0, 0);
	}
	if (!ret) {
		__atomic_store_n(&q->broken, 0, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&q->free_cond);
	}
	pthread_mutex_unlock(&q->free_mtx);
	pthread_mutex_unlock(&q->reap_mtx);
	pthread_mutex_unlock(&q->offer_mtx);
	VQ_ERRNO_RESTORE();
	return ret;
}

/*
 * Move both indices to @idx (wrap-around tests). Only with nothing in
 * flight and nothing left to reap, as the device requires.
 */
VQ_EXPORT int vq_split_set_indices(struct vq_split *q, uint16_t idx)
{
	VQ_ERRNO_SAVE();
	int ret = -EBUSY;

	if (!q)
		return -EINVAL;
	pthread_mutex_lock(&q->offer_mtx);
	pthread_mutex_lock(&q->reap_mtx);
	pthread_mutex_lock(&q->free_mtx);
	if (q->avail_idx != q->last_used)
		goto out;
	/* the device first, so it never sees avail->idx jump */
	ret = vq_queue_set_indices(q->dev, q->index, idx, idx);
	if (!ret)
		vq__reset_driver_state(q, idx);
out:
	pthread_mutex_unlock(&q->free_mtx);
	pthread_mutex_unlock(&q->reap_mtx);
	pthread_mutex_unlock(&q->offer_mtx);
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_split_stats(struct vq_split *q,
			     struct vqtest_queue_stats *stats)
{
	if (!q)
		return -EINVAL;
	return vq_queue_stats(q->dev, q->index, stats);
}

VQ_EXPORT int vq_split_process(struct vq_split *q, uint32_t max_chains,
			       uint32_t *chains, uint32_t *pending)
{
	if (!q)
		return -EINVAL;
	return vq_queue_process(q->dev, q->index, max_chains, chains, pending);
}

VQ_EXPORT uint32_t vq_split_size(const struct vq_split *q)
{
	return q->num;
}

VQ_EXPORT uint32_t vq_split_index(const struct vq_split *q)
{
	return q->index;
}

VQ_EXPORT uint64_t vq_split_features(const struct vq_split *q)
{
	uint64_t f = q->features;

	if (!q->event_idx)
		f &= ~(1ULL << VQTEST_F_EVENT_IDX);
	if (!q->indirect)
		f &= ~(1ULL << VQTEST_F_INDIRECT_DESC);
	return f;
}

VQ_EXPORT uint32_t vq_split_free_count(struct vq_split *q)
{
	return __atomic_load_n(&q->num_free, __ATOMIC_RELAXED);
}

VQ_EXPORT int vq_split_kick_fd(const struct vq_split *q)
{
	return q->kick_fd;
}

VQ_EXPORT int vq_split_call_fd(const struct vq_split *q)
{
	return q->call_fd;
}

VQ_EXPORT void *vq_split_ring_addr(const struct vq_split *q,
				   enum vq_ring_part part, uint64_t *iova)
{
	void *p = NULL;

	switch (part) {
	case VQ_RING_DESC:
		p = q->desc;
		break;
	case VQ_RING_AVAIL:
		p = q->avail;
		break;
	case VQ_RING_USED:
		p = q->used;
		break;
	case VQ_RING_INDIRECT:
		p = q->ind;
		break;
	case VQ_RING_POOL:
		p = q->pool_mem;
		break;
	}
	if (iova)
		*iova = p ? vq__iova_of(q, p) : 0;
	return p;
}

VQ_EXPORT void vq_split_counters(const struct vq_split *q,
				 struct vq_split_counters *c)
{
	uint64_t *out = (uint64_t *)c;
	int i;

	memset(c, 0, sizeof(*c));
	_Static_assert(VQ_C_NR <= sizeof(*c) / sizeof(uint64_t),
		       "counters fit the public struct");
	for (i = 0; i < VQ_C_NR; i++)
		out[i] = __atomic_load_n(&q->cnt[i], __ATOMIC_RELAXED);
}
