// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * libvq split queue: offering chains and notifying the device.
 *
 * Ordering (virtio 1.2, 2.7.13): descriptors and the avail ring entry are
 * written with plain stores, then avail->idx is published with a release
 * store, so a device that reads avail->idx with acquire sees the chain
 * whole. The kick decision then needs a full barrier: our idx store must
 * be visible before we read used->flags or avail_event, or the device
 * could decide to sleep on an old idx while we decide not to kick on an
 * old flag, and the chain would sit there forever.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* One buffer as it will go into one descriptor. */
struct seg_iter {
	const struct iovec *iov;
	unsigned int n_out;
	unsigned int nr;
	unsigned int i;		/* current iovec */
	size_t off;		/* offset inside it */
	size_t page;		/* split readable buffers at this, or 0 */
};

static void seg_iter_init(struct seg_iter *it, const struct iovec *iov,
			  unsigned int n_out, unsigned int n_in, size_t page)
{
	it->iov = iov;
	it->n_out = n_out;
	it->nr = n_out + n_in;
	it->i = 0;
	it->off = 0;
	it->page = page;
}

/*
 * Next non-empty segment: zero-length buffers are skipped (a zero-length
 * descriptor is a violation), readable ones are cut at page boundaries
 * when asked.
 */
static bool seg_next(struct seg_iter *it, uint8_t **base, uint32_t *len,
		     bool *write)
{
	while (it->i < it->nr) {
		const struct iovec *v = &it->iov[it->i];
		size_t left = v->iov_len - it->off;
		uint8_t *p = (uint8_t *)v->iov_base + it->off;

		if (!left) {
			it->i++;
			it->off = 0;
			continue;
		}
		*write = it->i >= it->n_out;
		if (it->page && !*write) {
			size_t to_page = it->page -
					 ((uintptr_t)p & (it->page - 1));

			if (left > to_page)
				left = to_page;
		}
		*base = p;
		*len = (uint32_t)left;
		it->off += left;
		return true;
	}
	return false;
}

/* What a chain needs before any descriptor is taken. */
struct chain_plan {
	uint32_t nsegs;
	uint32_t n_out;
	uint32_t n_in;
	uint32_t write_len;
};

static int plan_chain(struct vq_split *q, const struct iovec *iov,
		      unsigned int n_out, unsigned int n_in, size_t page,
		      struct chain_plan *p)
{
	struct seg_iter it;
	uint64_t wlen = 0;
	unsigned int i;
	uint8_t *base;
	uint32_t len;
	bool write;

	if ((!iov && n_out + n_in) || n_out + n_in < n_out)
		return -EINVAL;
	for (i = 0; i < n_out + n_in; i++)
		if (iov[i].iov_len > UINT32_MAX)
			return -EINVAL;
	memset(p, 0, sizeof(*p));
	seg_iter_init(&it, iov, n_out, n_in, page);
	while (seg_next(&it, &base, &len, &write)) {
		if (write) {
			p->n_in++;
			wlen += len;
		} else {
			p->n_out++;
		}
		if (++p->nsegs > q->max_segs)
			return -EMSGSIZE;
	}
	if (!p->nsegs)
		return -EINVAL;
	/* used.len is 32 bits: more writable bytes could not be reported */
	if (wlen > UINT32_MAX)
		return -EMSGSIZE;
	p->write_len = (uint32_t)wlen;
	if (p->nsegs > q->num && !(q->indirect && p->nsegs <= q->ind_max))
		return -EMSGSIZE;
	return 0;
}

static bool want_indirect(struct vq_split *q, const struct chain_plan *p,
			  unsigned int flags)
{
	return q->indirect && !(flags & VQ_OFFER_DIRECT) && p->nsegs > 1 &&
	       p->nsegs <= q->ind_max;
}

/*
 * Take the descriptors (and table) for a chain, free_mtx held. The free
 * list is linked through shadow.next, so the n descriptors taken from its
 * head are already a chain. Returns the head, or -ENOSPC.
 */
static int take_descs(struct vq_split *q, const struct chain_plan *p,
		      bool indirect, int32_t *table)
{
	uint32_t n = indirect ? 1 : p->nsegs;
	uint16_t head, d;
	uint32_t i;

	*table = -1;
	if (indirect && q->ind_free < 0)
		indirect = false, n = p->nsegs;
	if (n > q->num_free)
		return -ENOSPC;
	head = (uint16_t)q->free_head;
	for (d = head, i = 1; i < n; i++)
		d = q->shadow[d].next;
	q->free_head = q->shadow[d].next;
	__atomic_store_n(&q->num_free, q->num_free - n, __ATOMIC_RELAXED);
	if (indirect) {
		*table = q->ind_free;
		q->ind_free = q->ind_next[*table];
	}
	return head;
}

static bool can_take(struct vq_split *q, const struct chain_plan *p,
		     bool indirect)
{
	if (indirect && q->ind_free >= 0 && q->num_free >= 1)
		return true;
	return p->nsegs <= q->num_free;
}

static void write_desc(struct vr_desc *d, struct vq_shadow *s, uint64_t addr,
		       uint8_t *va, uint32_t len, uint16_t flags, uint16_t next)
{
	s->va = (uintptr_t)va;
	s->len = len;
	s->flags = flags;
	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

static void fill_indirect(struct vq_split *q, uint16_t head, int32_t table,
			  struct seg_iter *it, const struct chain_plan *p)
{
	struct vr_desc *t = q->ind + (size_t)table * q->ind_max;
	struct vq_shadow *s = q->ind_shadow + (size_t)table * q->ind_max;
	uint32_t i;
	uint8_t *base;
	uint32_t len;
	bool write;

	for (i = 0; seg_next(it, &base, &len, &write); i++) {
		uint16_t f = (write ? VR_DESC_F_WRITE : 0) |
			     (i + 1 < p->nsegs ? VR_DESC_F_NEXT : 0);

		write_desc(&t[i], &s[i], vq__dev_translate(q->dev, base, len),
			   base, len, f, (uint16_t)(i + 1));
	}
	write_desc(&q->desc[head], &q->shadow[head], vq__iova_of(q, t),
		   (uint8_t *)t, p->nsegs * sizeof(*t), VR_DESC_F_INDIRECT,
		   q->shadow[head].next);
}

static void fill_direct(struct vq_split *q, uint16_t head,
			struct seg_iter *it, const struct chain_plan *p)
{
	uint16_t d = head;
	uint32_t i;
	uint8_t *base;
	uint32_t len;
	bool write;

	for (i = 0; seg_next(it, &base, &len, &write); i++) {
		uint16_t next = q->shadow[d].next;
		uint16_t f = (write ? VR_DESC_F_WRITE : 0) |
			     (i + 1 < p->nsegs ? VR_DESC_F_NEXT : 0);

		write_desc(&q->desc[d], &q->shadow[d],
			   vq__dev_translate(q->dev, base, len), base, len, f,
			   next);
		d = next;
	}
}

/* Put @head in the next avail slot; published later by publish(). */
static void add_avail(struct vq_split *q, uint16_t head, void *cookie,
		      const struct chain_plan *p, int32_t table)
{
	struct vq_head *h = &q->heads[head];

	h->cookie = cookie;
	h->write_len = p->write_len;
	h->ndesc = table >= 0 ? 1 : (uint16_t)p->nsegs;
	h->n_out = (uint16_t)p->n_out;
	h->n_in = (uint16_t)p->n_in;
	h->table = (int16_t)table;
	__atomic_store_n(&h->state, VQ_HEAD_INFLIGHT, __ATOMIC_RELAXED);

	vr_store16(&q->avail->ring[q->avail_idx & (q->num - 1)], head,
		   __ATOMIC_RELAXED);
	q->avail_idx++;

	vq__count(q, VQ_C_CHAINS, 1);
	vq__count(q, VQ_C_DESCS, h->ndesc);
	if (table >= 0)
		vq__count(q, VQ_C_INDIRECT, 1);
}

/* Make every chain added so far visible to the device. */
static void publish(struct vq_split *q)
{
	vr_store16(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

/*
 * Does the device want a notification for the chains published since the
 * last decision? offer_mtx held, avail->idx already published.
 */
static bool kick_prepare(struct vq_split *q)
{
	uint16_t old = q->kicked_idx, new = q->avail_idx;
	bool need;

	if (old == new)
		return false;
	q->kicked_idx = new;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx)
		need = vr_need_event(vr_load16(vr_avail_event(q->used, q->num),
					       __ATOMIC_RELAXED),
				     new, old);
	else
		need = !(vr_load16(&q->used->flags, __ATOMIC_RELAXED) &
			 VR_USED_F_NO_NOTIFY);
	if (!need)
		vq__count(q, VQ_C_KICKS_SUPPRESSED, 1);
	return need;
}

static int kick_notify(struct vq_split *q)
{
	uint64_t one = 1;

	vq__count(q, VQ_C_KICKS, 1);
	if (q->kick_fd < 0)
		return 0;
	/* EAGAIN: the counter is saturated, the device is woken anyway */
	if (write(q->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static int flush(struct vq_split *q)
{
	publish(q);
	return kick_prepare(q) ? kick_notify(q) : 0;
}

/*
 * Reserve descriptors for a planned chain, offer_mtx held; with
 * VQ_OFFER_WAIT sleep until a reaper frees enough. Before sleeping, the
 * device must have seen (and been kicked for) every chain already added,
 * or nothing would ever complete to wake us.
 */
static int reserve(struct vq_split *q, const struct chain_plan *p,
		   bool indirect, unsigned int flags, int32_t *table)
{
	bool waited = false;
	int ret;

	for (;;) {
		pthread_mutex_lock(&q->free_mtx);
		ret = __atomic_load_n(&q->broken, __ATOMIC_RELAXED);
		if (!ret)
			ret = take_descs(q, p, indirect, table);
		if (ret != -ENOSPC || !(flags & VQ_OFFER_WAIT)) {
			pthread_mutex_unlock(&q->free_mtx);
			if (ret == -ENOSPC)
				vq__count(q, VQ_C_OFFER_FULL, 1);
			return ret;
		}
		pthread_mutex_unlock(&q->free_mtx);

		ret = flush(q);
		if (ret)
			return ret;
		if (!waited)
			vq__count(q, VQ_C_OFFER_WAITS, 1);
		waited = true;

		pthread_mutex_lock(&q->free_mtx);
		while (!can_take(q, p, indirect) &&
		       !__atomic_load_n(&q->broken, __ATOMIC_RELAXED))
			pthread_cond_wait(&q->free_cond, &q->free_mtx);
		pthread_mutex_unlock(&q->free_mtx);
	}
}

static int offer_one(struct vq_split *q, const struct iovec *iov,
		     unsigned int n_out, unsigned int n_in, void *cookie,
		     unsigned int flags)
{
	struct chain_plan plan;
	struct seg_iter it;
	int32_t table;
	bool ind;
	int head;

	head = plan_chain(q, iov, n_out, n_in,
			  (flags & VQ_OFFER_SPLIT) ? q->page : 0, &plan);
	if (head)
		return head;
	ind = want_indirect(q, &plan, flags);
	if (!ind && plan.nsegs > q->num)
		return -EMSGSIZE;
	head = reserve(q, &plan, ind, flags, &table);
	if (head < 0)
		return head;
	seg_iter_init(&it, iov, n_out, n_in,
		      (flags & VQ_OFFER_SPLIT) ? q->page : 0);
	if (table >= 0)
		fill_indirect(q, (uint16_t)head, table, &it, &plan);
	else
		fill_direct(q, (uint16_t)head, &it, &plan);
	add_avail(q, (uint16_t)head, cookie, &plan, table);
	return head;
}

#define OFFER_FLAGS	(VQ_OFFER_WAIT | VQ_OFFER_NO_KICK | VQ_OFFER_DIRECT | \
			 VQ_OFFER_SPLIT)

/*
 * End of an offer call: publish, and kick unless asked not to. Past 32768
 * chains without a decision the 16-bit distance to the last kick would
 * become ambiguous for vring_need_event, so decide then regardless.
 */
static int offer_done(struct vq_split *q, unsigned int flags)
{
	publish(q);
	if ((flags & VQ_OFFER_NO_KICK) &&
	    (uint16_t)(q->avail_idx - q->kicked_idx) < 0x8000)
		return 0;
	return kick_prepare(q) ? kick_notify(q) : 0;
}

VQ_EXPORT int vq_split_offer(struct vq_split *q, const struct iovec *iov,
			     unsigned int n_out, unsigned int n_in,
			     void *cookie, unsigned int flags)
{
	VQ_ERRNO_SAVE();
	int head, ret;

	if (!q || (flags & ~OFFER_FLAGS))
		return -EINVAL;
	pthread_mutex_lock(&q->offer_mtx);
	head = offer_one(q, iov, n_out, n_in, cookie, flags);
	if (head >= 0) {
		ret = offer_done(q, flags);
		if (ret)
			head = ret;
	}
	pthread_mutex_unlock(&q->offer_mtx);
	VQ_ERRNO_RESTORE();
	return head;
}

/*
 * Offer @nr chains with one avail->idx update and at most one kick.
 * Returns how many were offered; an error only if none was.
 */
VQ_EXPORT int vq_split_offer_batch(struct vq_split *q, struct vq_chain *chains,
				   unsigned int nr, unsigned int flags)
{
	VQ_ERRNO_SAVE();
	unsigned int i;
	int ret = 0;

	if (!q || (!chains && nr) || (flags & ~OFFER_FLAGS) || nr > INT32_MAX)
		return -EINVAL;
	pthread_mutex_lock(&q->offer_mtx);
	for (i = 0; i < nr; i++) {
		struct vq_chain *c = &chains[i];

		c->head = offer_one(q, c->iov, c->n_out, c->n_in, c->cookie,
				    flags);
		if (c->head < 0) {
			ret = c->head;
			break;
		}
	}
	if (i) {
		int r = offer_done(q, flags);

		ret = r ? r : (int)i;
	}
	pthread_mutex_unlock(&q->offer_mtx);
	VQ_ERRNO_RESTORE();
	return ret;
}

/*
 * The Go seed's OfferDescriptorChain: copy @out into the descriptors' own
 * page buffers, one or more pages per buffer, then add @n_in_pages
 * page-sized device-writable buffers. Always direct descriptors: every
 * buffer belongs to the descriptor that points at it.
 */
static int offer_pool(struct vq_split *q, const struct iovec *out,
		      unsigned int n_out, unsigned int n_in_pages,
		      void *cookie, unsigned int flags)
{
	struct chain_plan plan = { 0 };
	unsigned int i, k;
	uint64_t segs = n_in_pages;
	size_t off;
	uint16_t d;
	int32_t table;
	int head;

	if ((!out && n_out))
		return -EINVAL;
	for (i = 0; i < n_out; i++)
		segs += (out[i].iov_len + q->page - 1) / q->page;
	if (!segs)
		return -EINVAL;
	if (segs > q->num || segs > q->max_segs ||
	    (uint64_t)n_in_pages * q->page > UINT32_MAX)
		return -EMSGSIZE;
	plan.nsegs = (uint32_t)segs;
	plan.n_in = n_in_pages;
	plan.n_out = plan.nsegs - n_in_pages;
	plan.write_len = (uint32_t)(n_in_pages * q->page);

	head = reserve(q, &plan, false, flags, &table);
	if (head < 0)
		return head;
	d = (uint16_t)head;
	for (i = 0, k = 0, off = 0; i < plan.nsegs; i++) {
		uint8_t *buf = q->pool_mem + (size_t)d * q->page;
		uint16_t next = q->shadow[d].next;
		uint16_t f = i + 1 < plan.nsegs ? VR_DESC_F_NEXT : 0;
		uint32_t len = (uint32_t)q->page;

		if (i < plan.n_out) {
			/* the next page-sized piece of the readable data */
			while (off >= out[k].iov_len) {
				k++;
				off = 0;
			}
			if (out[k].iov_len - off < len)
				len = (uint32_t)(out[k].iov_len - off);
			memcpy(buf, (uint8_t *)out[k].iov_base + off, len);
			off += len;
		} else {
			f |= VR_DESC_F_WRITE;
		}
		write_desc(&q->desc[d], &q->shadow[d], vq__iova_of(q, buf),
			   buf, len, f, next);
		d = next;
	}
	add_avail(q, (uint16_t)head, cookie, &plan, -1);
	return head;
}

VQ_EXPORT int vq_split_offer_pool(struct vq_split *q, const struct iovec *out,
				  unsigned int n_out, unsigned int n_in_pages,
				  void *cookie, unsigned int flags)
{
	VQ_ERRNO_SAVE();
	int head, ret;

	if (!q || (flags & ~OFFER_FLAGS))
		return -EINVAL;
	if (!q->pool)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&q->offer_mtx);
	head = offer_pool(q, out, n_out, n_in_pages, cookie, flags);
	if (head >= 0) {
		ret = offer_done(q, flags);
		if (ret)
			head = ret;
	}
	pthread_mutex_unlock(&q->offer_mtx);
	VQ_ERRNO_RESTORE();
	return head;
}

/* Notify the device of chains offered with VQ_OFFER_NO_KICK, if it wants. */
VQ_EXPORT int vq_split_kick(struct vq_split *q)
{
	VQ_ERRNO_SAVE();
	int ret;

	if (!q)
		return -EINVAL;
	pthread_mutex_lock(&q->offer_mtx);
	ret = flush(q);
	pthread_mutex_unlock(&q->offer_mtx);
	VQ_ERRNO_RESTORE();
	return ret;
}
