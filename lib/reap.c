// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * libvq split queue: reaping used elements, returning chains to the free
 * list, and the call-side notification controls.
 *
 * used->idx is read with acquire so that the used elements (and the data
 * the device wrote into our buffers) are visible before we look at them.
 * A used element is checked before it is believed: a device that reports
 * a head we never offered, or more bytes than the chain could hold, is
 * broken, and the queue stops with -EIO rather than corrupt the free list.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "internal.h"

/* Give a chain's descriptors (and table) back, free_mtx held. */
void vq__free_chain_locked(struct vq_split *q, uint16_t head)
{
	struct vq_head *h = &q->heads[head];
	uint16_t tail = head;
	uint32_t i;

	if (h->table >= 0) {
		q->ind_next[h->table] = q->ind_free;
		q->ind_free = h->table;
		h->table = -1;
	}
	for (i = 1; i < h->ndesc; i++)
		tail = q->shadow[tail].next;
	q->shadow[tail].next = (uint16_t)q->free_head;
	q->free_head = head;
	__atomic_store_n(&q->num_free, q->num_free + h->ndesc,
			 __ATOMIC_RELAXED);
}

static void mark_broken(struct vq_split *q)
{
	pthread_mutex_lock(&q->free_mtx);
	__atomic_store_n(&q->broken, -EIO, __ATOMIC_RELAXED);
	/* a blocked offer must not wait for completions that cannot come */
	pthread_cond_broadcast(&q->free_cond);
	pthread_mutex_unlock(&q->free_mtx);
}

/* Empty the call eventfd so an epoll on it sleeps until the next call. */
static bool drain_call(struct vq_split *q)
{
	uint64_t v;

	if (!q->drain_call)
		return false;
	if (read(q->call_fd, &v, sizeof(v)) != sizeof(v))
		return false;
	vq__count(q, VQ_C_CALLS, 1);
	return true;
}

/*
 * Ask for a call when the next element is used (EVENT_IDX), then look
 * again: an element used between our last look and the used_event store
 * was judged against the old used_event and may not have called.
 */
static bool rearm_and_recheck(struct vq_split *q)
{
	uint16_t *ev = vr_used_event(q->avail, q->num);

	if (!q->event_idx || q->calls_off)
		return false;
	if (vr_load16(ev, __ATOMIC_RELAXED) != q->last_used) {
		vr_store16(ev, q->last_used, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	q->used_seen = vr_load16(&q->used->idx, __ATOMIC_ACQUIRE);
	return q->used_seen != q->last_used;
}

/* Take one used element, reap_mtx held. 1: got one, 0: none, -EIO. */
static int reap_one(struct vq_split *q, struct vq_completion *c)
{
	struct vr_used_elem *e;
	struct vq_head *h;
	uint32_t id, len;

	if (q->last_used == q->used_seen) {
		q->used_seen = vr_load16(&q->used->idx, __ATOMIC_ACQUIRE);
		if (q->last_used == q->used_seen && !rearm_and_recheck(q))
			return 0;
	}
	if ((uint16_t)(q->used_seen - q->last_used) > q->num)
		return -EIO;
	e = &q->used->ring[q->last_used & (q->num - 1)];
	id = vr_load32(&e->id);
	len = vr_load32(&e->len);
	if (id >= q->num)
		return -EIO;
	h = &q->heads[id];
	if (__atomic_load_n(&h->state, __ATOMIC_RELAXED) != VQ_HEAD_INFLIGHT ||
	    len > h->write_len)
		return -EIO;
	__atomic_store_n(&h->state, VQ_HEAD_DONE, __ATOMIC_RELEASE);
	q->last_used++;

	c->cookie = h->cookie;
	c->len = len;
	c->head = (uint16_t)id;
	c->n_out = h->n_out;
	c->n_in = h->n_in;
	c->__pad[0] = c->__pad[1] = c->__pad[2] = 0;
	vq__count(q, VQ_C_COMPLETIONS, 1);
	vq__count(q, VQ_C_BYTES_USED, len);
	return 1;
}

static int reap_locked(struct vq_split *q, struct vq_completion *c,
		       unsigned int max)
{
	bool called = drain_call(q);
	unsigned int n = 0;
	int ret;

	ret = __atomic_load_n(&q->broken, __ATOMIC_RELAXED);
	if (ret)
		return ret;
	while (n < max) {
		ret = reap_one(q, &c[n]);
		if (ret < 0) {
			mark_broken(q);
			return ret;
		}
		if (!ret)
			break;
		n++;
	}
	if (called && !n)
		vq__count(q, VQ_C_SPURIOUS, 1);
	return (int)n;
}

VQ_EXPORT int vq_split_reap(struct vq_split *q, struct vq_completion *c,
			    unsigned int max)
{
	VQ_ERRNO_SAVE();
	int ret;

	if (!q || !c || !max || max > INT32_MAX)
		return -EINVAL;
	pthread_mutex_lock(&q->reap_mtx);
	ret = reap_locked(q, c, max);
	pthread_mutex_unlock(&q->reap_mtx);
	VQ_ERRNO_RESTORE();
	return ret;
}

#define CB_BATCH	32

/*
 * Reap in small batches and call @fn outside reap_mtx, so a callback may
 * offer, free, or even reap again. @max 0: until the ring is empty.
 */
VQ_EXPORT int vq_split_reap_cb(struct vq_split *q, vq_complete_fn fn,
			       void *arg, unsigned int max)
{
	struct vq_completion batch[CB_BATCH];
	unsigned int total = 0, want;
	int n, i;

	if (!q || !fn)
		return -EINVAL;
	if (!max || max > INT32_MAX)
		max = INT32_MAX;
	do {
		want = max - total < CB_BATCH ? max - total : CB_BATCH;
		n = vq_split_reap(q, batch, want);
		if (n < 0)
			return total ? (int)total : n;
		for (i = 0; i < n; i++)
			if (fn(q, &batch[i], arg) != VQ_KEEP)
				vq_split_free(q, batch[i].head);
		total += (unsigned int)n;
	} while ((unsigned int)n == want && total < max);
	return (int)total;
}

/*
 * Sleep until the device calls or @timeout_ms passes. 1: there may be
 * something to reap, 0: timeout. Returns at once when used elements are
 * already waiting, so a reap-wait loop cannot sleep on work.
 */
VQ_EXPORT int vq_split_wait(struct vq_split *q, int timeout_ms)
{
	VQ_ERRNO_SAVE();
	struct pollfd pfd;
	uint64_t v;
	int ret;

	if (!q)
		return -EINVAL;
	if (q->call_fd < 0)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&q->reap_mtx);
	ret = vr_load16(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used;
	pthread_mutex_unlock(&q->reap_mtx);
	if (ret)
		return 1;

	pfd.fd = q->call_fd;
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0) {
		ret = -errno;
	} else if (ret > 0 && !q->drain_call) {
		/* readable, so this read of a blocking eventfd returns now */
		if (read(q->call_fd, &v, sizeof(v)) == sizeof(v))
			vq__count(q, VQ_C_CALLS, 1);
	}
	if (ret > 0)
		ret = 1;
	VQ_ERRNO_RESTORE();
	return ret;
}

/*
 * A chain's buffers as offered (after page splitting). Returns the number
 * of segments, which may exceed @max: only @max are stored.
 */
VQ_EXPORT int vq_split_chain(struct vq_split *q, uint16_t head,
			     struct iovec *iov, unsigned int max,
			     unsigned int *n_out, unsigned int *n_in)
{
	const struct vq_shadow *s;
	struct vq_head *h;
	uint32_t i, nsegs;
	uint16_t d = head;

	if (!q || head >= q->num || (!iov && max))
		return -EINVAL;
	h = &q->heads[head];
	if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) == VQ_HEAD_FREE)
		return -EINVAL;
	nsegs = (uint32_t)h->n_out + h->n_in;
	for (i = 0; i < nsegs && i < max; i++) {
		if (h->table >= 0) {
			s = &q->ind_shadow[(size_t)h->table * q->ind_max + i];
		} else {
			s = &q->shadow[d];
			d = s->next;
		}
		iov[i].iov_base = (void *)(uintptr_t)s->va;
		iov[i].iov_len = s->len;
	}
	if (n_out)
		*n_out = h->n_out;
	if (n_in)
		*n_in = h->n_in;
	return (int)nsegs;
}

/* Return a reaped chain's descriptors; wakes a blocked offer. */
VQ_EXPORT int vq_split_free(struct vq_split *q, uint16_t head)
{
	uint8_t state = VQ_HEAD_DONE;
	struct vq_head *h;

	if (!q || head >= q->num)
		return -EINVAL;
	h = &q->heads[head];
	if (!__atomic_compare_exchange_n(&h->state, &state, VQ_HEAD_FREE,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return state == VQ_HEAD_INFLIGHT ? -EBUSY : -EINVAL;
	pthread_mutex_lock(&q->free_mtx);
	vq__free_chain_locked(q, head);
	pthread_cond_broadcast(&q->free_cond);
	pthread_mutex_unlock(&q->free_mtx);
	return 0;
}

/*
 * Ask the device to call again. 1 if used elements are already waiting
 * (reap them: no call will come for those), 0 otherwise.
 */
VQ_EXPORT int vq_split_enable_calls(struct vq_split *q)
{
	uint16_t idx;
	int ret;

	if (!q)
		return -EINVAL;
	pthread_mutex_lock(&q->reap_mtx);
	q->calls_off = false;
	if (q->event_idx)
		vr_store16(vr_used_event(q->avail, q->num), q->last_used,
			   __ATOMIC_RELAXED);
	else
		vr_store16(&q->avail->flags, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	idx = vr_load16(&q->used->idx, __ATOMIC_ACQUIRE);
	ret = idx != q->last_used;
	pthread_mutex_unlock(&q->reap_mtx);
	return ret;
}

/*
 * Ask the device not to call. Without EVENT_IDX that is NO_INTERRUPT;
 * with it, used_event is left just behind the next used index, which the
 * device will not cross for another 65535 elements. Either is a hint.
 */
VQ_EXPORT int vq_split_disable_calls(struct vq_split *q)
{
	if (!q)
		return -EINVAL;
	pthread_mutex_lock(&q->reap_mtx);
	q->calls_off = true;
	if (q->event_idx)
		vr_store16(vr_used_event(q->avail, q->num),
			   (uint16_t)(q->last_used - 1), __ATOMIC_RELAXED);
	else
		vr_store16(&q->avail->flags, VR_AVAIL_F_NO_INTERRUPT,
			   __ATOMIC_RELAXED);
	pthread_mutex_unlock(&q->reap_mtx);
	return 0;
}
