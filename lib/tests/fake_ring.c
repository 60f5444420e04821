// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * TEST DOUBLE: an honest device-side split-ring walk for libvq's unit
 * tests, standing in for kmod/ring.c until that builds in userspace here.
 *
 * Honest means it does what a strict device does to the driver's memory:
 * avail->idx read with acquire, every descriptor field read once and
 * checked (ranges, loops, write order, indirect rules, translation),
 * used elements written before used->idx is published with release, a
 * full barrier before reading used_event / NO_INTERRUPT, and kick
 * suppression offered through NO_NOTIFY or avail_event.
 */
#include <stdlib.h>
#include <string.h>

#include "tdev.h"

struct fake_ring {
	uint32_t num;
	bool event_idx;
	bool indirect_ok;
	uint32_t max_segs;
	struct vr_desc *desc;
	struct vr_avail *avail;
	struct vr_used *used;
	const struct tdev_mem *mem;
	uint16_t last_avail;
	uint16_t used_idx;	/* next used slot to fill */
	uint16_t pub_used;	/* used->idx as published */
	uint32_t nr_inflight;
	uint8_t *inflight;	/* per head */
	uint32_t *seen;		/* loop detection: generation per desc */
	uint32_t gen;
	struct tdev_seg *segs;
	struct tdev_viol viol;
};

static void *fr_create(uint32_t num, uint64_t features, uint32_t max_segs,
		       void *desc, void *avail, void *used,
		       const struct tdev_mem *mem)
{
	struct fake_ring *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->num = num;
	r->event_idx = features & (1ULL << VQTEST_F_EVENT_IDX);
	r->indirect_ok = features & (1ULL << VQTEST_F_INDIRECT_DESC);
	r->max_segs = max_segs;
	r->desc = desc;
	r->avail = avail;
	r->used = used;
	r->mem = mem;
	r->inflight = calloc(num, 1);
	/* a table may hold up to num entries: index them after the ring's */
	r->seen = calloc(2 * (size_t)num, sizeof(*r->seen));
	r->segs = calloc(max_segs, sizeof(*r->segs));
	if (!r->inflight || !r->seen || !r->segs) {
		free(r->inflight);
		free(r->seen);
		free(r->segs);
		free(r);
		return NULL;
	}
	return r;
}

static void fr_destroy(void *p)
{
	struct fake_ring *r = p;

	free(r->inflight);
	free(r->seen);
	free(r->segs);
	free(r);
}

static void fr_start(void *p, uint16_t avail_idx, uint16_t used_idx)
{
	struct fake_ring *r = p;

	r->last_avail = avail_idx;
	r->used_idx = used_idx;
	r->pub_used = used_idx;
	memset(r->inflight, 0, r->num);
	r->nr_inflight = 0;
	memset(&r->viol, 0, sizeof(r->viol));
	vr_store16(&r->used->flags, 0, __ATOMIC_RELAXED);
	if (r->event_idx)
		vr_store16(vr_avail_event(r->used, r->num), avail_idx,
			   __ATOMIC_RELAXED);
	vr_store16(&r->used->idx, used_idx, __ATOMIC_RELEASE);
}

static uint32_t violate(struct fake_ring *r, uint32_t class, uint32_t desc,
			uint64_t addr)
{
	if (!r->viol.class)
		r->viol = (struct tdev_viol){
			.class = class, .desc = desc,
			.ring = r->last_avail, .addr = addr,
		};
	return class;
}

static int fr_avail(void *p)
{
	struct fake_ring *r = p;
	uint16_t idx = vr_load16(&r->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t n = idx - r->last_avail;

	if (r->viol.class)
		return -1;
	if (n > r->num) {
		violate(r, VQTEST_V_AVAIL_IDX_JUMP, VQTEST_NO_DESC, 0);
		return -1;
	}
	return n;
}

/* read a descriptor once, into a local copy */
static struct vr_desc read_desc(const struct vr_desc *d)
{
	struct vr_desc c;

	c.addr = le64toh(__atomic_load_n(&d->addr, __ATOMIC_RELAXED));
	c.len = le32toh(__atomic_load_n(&d->len, __ATOMIC_RELAXED));
	c.flags = le16toh(__atomic_load_n(&d->flags, __ATOMIC_RELAXED));
	c.next = le16toh(__atomic_load_n(&d->next, __ATOMIC_RELAXED));
	return c;
}

struct walk {
	uint32_t nsegs;
	uint32_t nread;
	uint32_t ndesc;
	bool saw_write;
};

static uint32_t add_buf(struct fake_ring *r, struct walk *w,
			const struct vr_desc *d, uint32_t id)
{
	uint8_t *p;

	if (!d->len)
		return violate(r, VQTEST_V_ZERO_LEN, id, d->addr);
	if (d->addr + d->len < d->addr)
		return violate(r, VQTEST_V_ADDR_WRAP, id, d->addr);
	if (d->flags & VR_DESC_F_WRITE)
		w->saw_write = true;
	else if (w->saw_write)
		return violate(r, VQTEST_V_WRITE_ORDER, id, d->addr);
	if (w->nsegs >= r->max_segs)
		return violate(r, VQTEST_V_TOO_MANY_SEGS, id, d->addr);
	p = tdev_mem_range(r->mem, d->addr, d->len);
	if (!p)
		return violate(r, VQTEST_V_ADDR_UNMAPPED, id, d->addr);
	r->segs[w->nsegs].p = p;
	r->segs[w->nsegs].len = d->len;
	w->nsegs++;
	if (!w->saw_write)
		w->nread++;
	return 0;
}

static uint32_t walk_indirect(struct fake_ring *r, struct walk *w,
			      const struct vr_desc *top, uint32_t id)
{
	const struct vr_desc *t;
	struct vr_desc d;
	uint32_t n, i = 0, ret;

	if (!r->indirect_ok)
		return violate(r, VQTEST_V_INDIRECT_FEATURE, id, top->addr);
	if (top->flags & VR_DESC_F_NEXT)
		return violate(r, VQTEST_V_INDIRECT_NEXT, id, top->addr);
	if (!top->len || top->len % sizeof(d) ||
	    top->len / sizeof(d) > r->num)
		return violate(r, VQTEST_V_INDIRECT_LEN, id, top->addr);
	t = (const void *)tdev_mem_range(r->mem, top->addr, top->len);
	if (!t)
		return violate(r, VQTEST_V_ADDR_UNMAPPED, id, top->addr);
	n = top->len / sizeof(d);
	for (;;) {
		uint32_t iid = i | VQTEST_DESC_INDIRECT;

		if (r->seen[r->num + i] == r->gen)
			return violate(r, VQTEST_V_LOOP, iid, 0);
		r->seen[r->num + i] = r->gen;
		d = read_desc(&t[i]);
		w->ndesc++;
		if (d.flags & VR_DESC_F_INDIRECT)
			return violate(r, VQTEST_V_INDIRECT_NESTED, iid,
				       d.addr);
		ret = add_buf(r, w, &d, iid);
		if (ret)
			return ret;
		if (!(d.flags & VR_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return violate(r, VQTEST_V_NEXT_RANGE, iid, 0);
		i = d.next;
	}
}

static uint32_t fr_get_chain(void *p, struct tdev_chain *c)
{
	struct fake_ring *r = p;
	struct walk w = { 0 };
	struct vr_desc d;
	uint16_t head;
	uint32_t i, ret;

	head = vr_load16(&r->avail->ring[r->last_avail & (r->num - 1)],
			 __ATOMIC_RELAXED);
	if (head >= r->num)
		return violate(r, VQTEST_V_HEAD_RANGE, head, 0);
	if (r->inflight[head])
		return violate(r, VQTEST_V_HEAD_IN_FLIGHT, head, 0);
	if (++r->gen == 0) {
		memset(r->seen, 0, 2 * (size_t)r->num * sizeof(*r->seen));
		r->gen = 1;
	}
	memset(c, 0, sizeof(*c));
	for (i = head;;) {
		if (r->seen[i] == r->gen)
			return violate(r, VQTEST_V_LOOP, i, 0);
		r->seen[i] = r->gen;
		d = read_desc(&r->desc[i]);
		w.ndesc++;
		if (d.flags & VR_DESC_F_INDIRECT) {
			if (w.nsegs)	/* mixing is legal but we never do */
				return violate(r, VQTEST_V_INDIRECT_NEXT, i,
					       d.addr);
			ret = walk_indirect(r, &w, &d, i);
			c->indirect = true;
			if (ret)
				return ret;
			break;
		}
		ret = add_buf(r, &w, &d, i);
		if (ret)
			return ret;
		if (!(d.flags & VR_DESC_F_NEXT))
			break;
		if (d.next >= r->num)
			return violate(r, VQTEST_V_NEXT_RANGE, i, 0);
		i = d.next;
	}
	r->inflight[head] = 1;
	r->nr_inflight++;
	r->last_avail++;
	c->head = head;
	c->ndesc = w.ndesc;
	c->nread = w.nread;
	c->nsegs = w.nsegs;
	c->segs = r->segs;
	return 0;
}

static void fr_put_used(void *p, uint16_t head, uint32_t len)
{
	struct fake_ring *r = p;
	struct vr_used_elem *e = &r->used->ring[r->used_idx & (r->num - 1)];

	vr_store32(&e->id, head);
	vr_store32(&e->len, len);
	r->used_idx++;
	if (head < r->num && r->inflight[head]) {
		r->inflight[head] = 0;
		r->nr_inflight--;
	}
}

static bool fr_publish(void *p)
{
	struct fake_ring *r = p;
	uint16_t old = r->pub_used, new = r->used_idx;

	if (old == new)
		return false;
	vr_store16(&r->used->idx, new, __ATOMIC_RELEASE);
	r->pub_used = new;
	/* our idx store before the driver's used_event / flags: see offer.c */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (r->event_idx)
		return vr_need_event(vr_load16(vr_used_event(r->avail, r->num),
					       __ATOMIC_RELAXED),
				     new, old);
	return !(vr_load16(&r->avail->flags, __ATOMIC_RELAXED) &
		 VR_AVAIL_F_NO_INTERRUPT);
}

static void fr_disable_notify(void *p)
{
	struct fake_ring *r = p;

	/* with EVENT_IDX, an avail_event left behind does the same */
	if (!r->event_idx)
		vr_store16(&r->used->flags, VR_USED_F_NO_NOTIFY,
			   __ATOMIC_RELAXED);
}

static bool fr_enable_notify(void *p)
{
	struct fake_ring *r = p;

	if (r->event_idx)
		vr_store16(vr_avail_event(r->used, r->num), r->last_avail,
			   __ATOMIC_RELAXED);
	else
		vr_store16(&r->used->flags, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vr_load16(&r->avail->idx, __ATOMIC_ACQUIRE) != r->last_avail;
}

static const struct tdev_viol *fr_violation(void *p)
{
	struct fake_ring *r = p;

	return &r->viol;
}

static uint32_t fr_inflight(void *p)
{
	struct fake_ring *r = p;

	return r->nr_inflight;
}

static uint16_t fr_last_avail(void *p)
{
	return ((struct fake_ring *)p)->last_avail;
}

const struct tdev_ring_ops fake_ring_ops = {
	.name = "fake_ring (test double)",
	.create = fr_create,
	.destroy = fr_destroy,
	.start = fr_start,
	.avail = fr_avail,
	.get_chain = fr_get_chain,
	.put_used = fr_put_used,
	.publish = fr_publish,
	.disable_notify = fr_disable_notify,
	.enable_notify = fr_enable_notify,
	.violation = fr_violation,
	.inflight = fr_inflight,
	.last_avail = fr_last_avail,
};
