// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest: the device side of a virtio 1.x split ring (virtio 1.2, 2.7).
 *
 * The ring memory belongs to the driver, which may rewrite any of it at any
 * moment. So every driver-owned field is read exactly once into a local
 * copy, validated there and never read again; the device-owned used ring is
 * shadowed so that writes by the driver are noticed. Nothing here sleeps,
 * allocates or takes a lock: the caller serialises calls per ring.
 *
 * This file also builds in userspace (see ring_user.h) for unit tests and
 * fuzzing.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>
#endif
#include "ring.h"

#define VQT_WALK_INDIRECT	0x8000U

static inline bool vqt_need_event(u16 event, u16 new_idx, u16 old_idx)
{
	/* virtio 1.2 2.7.10: signal when the event index was just crossed */
	return (u16)(new_idx - event - 1) < (u16)(new_idx - old_idx);
}

static inline __le16 *vqt_used_event(struct vqt_ring *r)
{
	return &r->avail->ring[r->num];
}

static inline __le16 *vqt_avail_event(struct vqt_ring *r)
{
	return (__le16 *)&r->used->ring[r->num];
}

/**
 * vqt_ring_tolerable() - may this class be reported without stopping?
 * @class: enum vqtest_violation
 *
 * Return: true for the classes the "warn" level lets through.
 */
bool vqt_ring_tolerable(u32 class)
{
	return class == VQTEST_V_ZERO_LEN || class == VQTEST_V_USED_WRITTEN ||
	       class == VQTEST_V_BAD_REQUEST;
}

/**
 * vqt_map_find() - the region holding an IOVA
 * @map: the IOVA table
 * @iova: address to look up
 *
 * Return: the region, or NULL when @iova is not mapped.
 */
const struct vqt_region *vqt_map_find(const struct vqt_map *map, u64 iova)
{
	u32 lo = 0, hi = map->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct vqt_region *reg = map->r[mid];

		if (iova < reg->iova)
			hi = mid;
		else if (iova - reg->iova >= reg->len)
			lo = mid + 1;
		else
			return reg;
	}
	return NULL;
}

/**
 * vqt_map_range() - kernel address of an IOVA range inside one region
 * @map: the IOVA table
 * @iova: first byte
 * @len: length in bytes
 *
 * Return: the address, or NULL when the range is not inside one region.
 */
u8 *vqt_map_range(const struct vqt_map *map, u64 iova, u64 len)
{
	const struct vqt_region *reg = vqt_map_find(map, iova);
	u64 off;

	if (!reg)
		return NULL;
	off = iova - reg->iova;
	if (len > reg->len - off)
		return NULL;
	return reg->kva + off;
}

/* Is [iova, iova + len) covered by a run of back-to-back regions? */
static bool vqt_map_covered(const struct vqt_map *map, u64 iova, u64 len)
{
	const struct vqt_region *reg = vqt_map_find(map, iova);

	while (reg) {
		u64 room = reg->len - (iova - reg->iova);

		if (len <= room)
			return true;
		len -= room;
		iova += room;
		reg = vqt_map_find(map, iova);
	}
	return false;
}

/* The contiguous piece of segment @s at offset @off, and its length. */
static u8 *vqt_seg_piece(const struct vqt_map *map, const struct vqt_seg *s,
			 u64 off, u64 *piece)
{
	const struct vqt_region *reg;
	u64 iova;

	if (!(s->flags & VQT_SEG_SPLIT)) {
		*piece = s->len - off;
		return s->kva + off;
	}
	iova = s->iova + off;
	reg = vqt_map_find(map, iova);
	if (!reg) {		/* cannot happen: the map is stable during a run */
		*piece = 0;
		return NULL;
	}
	*piece = min_t(u64, s->len - off, reg->len - (iova - reg->iova));
	return reg->kva + (iova - reg->iova);
}

/**
 * vqt_seg_copy() - copy between a segment and a linear buffer
 * @map: the IOVA table the segment was translated with
 * @s: the segment
 * @off: offset into the segment
 * @buf: the linear buffer
 * @len: most bytes to copy
 * @to_seg: copy @buf into the segment (else the segment into @buf)
 *
 * Return: bytes copied, min(@len, @s->len - @off).
 */
u64 vqt_seg_copy(const struct vqt_map *map, const struct vqt_seg *s, u64 off,
		 void *buf, u64 len, bool to_seg)
{
	u64 done = 0;

	if (off >= s->len)
		return 0;
	len = min_t(u64, len, s->len - off);
	while (done < len) {
		u64 piece;
		u8 *p = vqt_seg_piece(map, s, off + done, &piece);

		if (!p || !piece)
			break;
		piece = min_t(u64, piece, len - done);
		/* the driver may share memory between segments: memmove */
		if (to_seg)
			memmove(p, (u8 *)buf + done, piece);
		else
			memmove((u8 *)buf + done, p, piece);
		done += piece;
	}
	return done;
}

/**
 * vqt_ring_scratch_size() - bytes of scratch vqt_ring_init() needs
 * @num: queue size
 *
 * Return: the size; the caller allocates it zeroed.
 */
size_t vqt_ring_scratch_size(u32 num)
{
	size_t bm = BITS_TO_LONGS(num) * sizeof(unsigned long);
	u32 segs = min(num, VQT_MAX_SEGS);

	/* walked[] may overshoot the segment limit by two before it trips */
	return num * sizeof(struct vqt_used_elem) + 3 * bm +
	       segs * sizeof(struct vqt_seg) + (segs + 2) * sizeof(u16);
}

/**
 * vqt_ring_init() - set up a ring's state
 * @r: the ring, zeroed
 * @num: queue size, a power of two
 * @scratch: vqt_ring_scratch_size(@num) zeroed bytes, owned by the caller
 * @features: the negotiated virtio feature bits
 */
void vqt_ring_init(struct vqt_ring *r, u32 num, void *scratch, u64 features)
{
	size_t bm = BITS_TO_LONGS(num) * sizeof(unsigned long);
	u8 *p = scratch;

	r->num = num;
	r->event_idx = features & (1ULL << VQTEST_F_EVENT_IDX);
	r->indirect_ok = features & (1ULL << VQTEST_F_INDIRECT_DESC);
	r->in_order = features & (1ULL << VQTEST_F_IN_ORDER);
	r->max_segs = min(num, VQT_MAX_SEGS);
	r->shadow = (struct vqt_used_elem *)p;
	p += num * sizeof(struct vqt_used_elem);
	r->visited = (unsigned long *)p;
	p += bm;
	r->ivisited = (unsigned long *)p;
	p += bm;
	r->inflight = (unsigned long *)p;
	p += bm;
	r->segs = (struct vqt_seg *)p;
	p += r->max_segs * sizeof(struct vqt_seg);
	r->walked = (u16 *)p;
}

/**
 * vqt_ring_attach() - point the ring at its three areas and IOVA table
 * @r: the ring
 * @desc: descriptor table, 16 * num bytes
 * @avail: available ring, 6 + 2 * num bytes
 * @used: used ring, 6 + 8 * num bytes
 * @map: IOVA table for buffers
 */
void vqt_ring_attach(struct vqt_ring *r, void *desc, void *avail, void *used,
		     const struct vqt_map *map)
{
	r->desc = desc;
	r->avail = avail;
	r->used = used;
	r->map = map;
}

/**
 * vqt_ring_start() - (re)start the ring at given indices
 * @r: the ring, attached
 * @avail_idx: next avail index to read
 * @used_idx: used index to publish now
 *
 * Writes the device-owned fields (used flags, idx and avail_event) and
 * takes the current used elements as the shadow baseline.
 */
void vqt_ring_start(struct vqt_ring *r, u16 avail_idx, u16 used_idx)
{
	size_t bm = BITS_TO_LONGS(r->num) * sizeof(unsigned long);
	u32 i;

	r->last_avail = avail_idx;
	r->seen_avail = avail_idx;
	r->used_idx = used_idx;
	r->pub_used = used_idx;
	r->inorder_known = false;
	r->notify_off = false;
	memset(&r->viol, 0, sizeof(r->viol));
	memset(r->visited, 0, bm);
	memset(r->ivisited, 0, bm);
	memset(r->inflight, 0, bm);

	for (i = 0; i < r->num; i++) {
		r->shadow[i].id = READ_ONCE(r->used->ring[i].id);
		r->shadow[i].len = READ_ONCE(r->used->ring[i].len);
	}
	r->shadow_flags = 0;
	WRITE_ONCE(r->used->flags, cpu_to_le16(0));
	r->shadow_event = avail_idx;
	if (r->event_idx)
		WRITE_ONCE(*vqt_avail_event(r), cpu_to_le16(avail_idx));
	/* flags and avail_event are visible before the new used->idx */
	smp_store_release(&r->used->idx, cpu_to_le16(used_idx));
}

/**
 * vqt_ring_violate() - report a violation
 * @r: the ring
 * @class: enum vqtest_violation
 * @desc: descriptor index or VQTEST_NO_DESC
 * @ring: avail index concerned
 * @addr: IOVA concerned, or 0
 *
 * Return: @class if it stops the ring, 0 if the ring's level tolerates it.
 */
u32 vqt_ring_violate(struct vqt_ring *r, u32 class, u32 desc, u32 ring,
		     u64 addr)
{
	struct vqt_violation v = {
		.class = class, .desc = desc, .ring = ring, .addr = addr,
	};
	bool fatal = !(r->warn && vqt_ring_tolerable(class));

	if (fatal || !r->viol.class)
		r->viol = v;
	if (r->report)
		r->report(r, &v, fatal);
	return fatal ? class : VQTEST_V_NONE;
}

/**
 * vqt_ring_check_device_area() - did the driver write device-owned fields?
 * @r: the ring
 *
 * Compares used->flags, used->idx and avail_event with what the device last
 * wrote, and restores them if they differ.
 *
 * Return: 0, or VQTEST_V_USED_WRITTEN when that stops the queue.
 */
u32 vqt_ring_check_device_area(struct vqt_ring *r)
{
	u16 flags = le16_to_cpu(READ_ONCE(r->used->flags));
	u16 idx = le16_to_cpu(READ_ONCE(r->used->idx));
	u16 ev = r->event_idx ? le16_to_cpu(READ_ONCE(*vqt_avail_event(r))) :
				r->shadow_event;

	if (likely(flags == r->shadow_flags && idx == r->pub_used &&
		   ev == r->shadow_event))
		return VQTEST_V_NONE;

	WRITE_ONCE(r->used->flags, cpu_to_le16(r->shadow_flags));
	if (r->event_idx)
		WRITE_ONCE(*vqt_avail_event(r), cpu_to_le16(r->shadow_event));
	/* restored fields are visible before the restored used->idx */
	smp_store_release(&r->used->idx, cpu_to_le16(r->pub_used));
	return vqt_ring_violate(r, VQTEST_V_USED_WRITTEN, VQTEST_NO_DESC, idx, 0);
}

/**
 * vqt_ring_avail() - read avail->idx once and check it
 * @r: the ring
 *
 * Return: chains available (0 to num), or -1 after a violation.
 */
int vqt_ring_avail(struct vqt_ring *r)
{
	/* acquire: ring entries and descriptors are read after the index */
	u16 idx = le16_to_cpu(smp_load_acquire(&r->avail->idx));
	u16 ahead = idx - r->last_avail;

	if ((s16)(idx - r->seen_avail) < 0) {
		vqt_ring_violate(r, VQTEST_V_AVAIL_IDX_BACK, VQTEST_NO_DESC, idx, 0);
		return -1;
	}
	if (ahead > r->num) {
		vqt_ring_violate(r, VQTEST_V_AVAIL_IDX_JUMP, VQTEST_NO_DESC, idx, 0);
		return -1;
	}
	r->seen_avail = idx;
	return ahead;
}

/* Read one descriptor exactly once. */
static inline void vqt_read_desc(const struct vqt_desc *src,
				 struct vqt_desc *d)
{
	d->addr = READ_ONCE(src->addr);
	d->len = READ_ONCE(src->len);
	d->flags = READ_ONCE(src->flags);
	d->next = READ_ONCE(src->next);
}

struct vqt_walk {
	struct vqt_chain *c;
	u32 nwalked;
	bool seen_write;
};

/* Validate one buffer descriptor and append it to the chain. */
static u32 vqt_add_buf(struct vqt_ring *r, struct vqt_walk *w, u32 desc,
		       u64 addr, u32 len, u16 flags)
{
	struct vqt_chain *c = w->c;
	struct vqt_seg *s;
	u32 v;

	if (unlikely(!len)) {
		v = vqt_ring_violate(r, VQTEST_V_ZERO_LEN, desc, c->ring_idx, addr);
		return v;	/* tolerated: nothing to add */
	}
	if (unlikely(addr + len - 1 < addr))
		return vqt_ring_violate(r, VQTEST_V_ADDR_WRAP, desc, c->ring_idx,
				   addr);
	if (flags & VQT_DESC_F_WRITE) {
		w->seen_write = true;
	} else if (unlikely(w->seen_write)) {
		return vqt_ring_violate(r, VQTEST_V_WRITE_ORDER, desc, c->ring_idx,
				   addr);
	}

	s = &c->segs[c->nsegs];
	s->len = len;
	s->kva = vqt_map_range(r->map, addr, len);
	s->flags = 0;
	if (unlikely(!s->kva)) {
		if (!vqt_map_covered(r->map, addr, len))
			return vqt_ring_violate(r, VQTEST_V_ADDR_UNMAPPED, desc,
					   c->ring_idx, addr);
		s->iova = addr;
		s->flags = VQT_SEG_SPLIT;
	}
	c->nsegs++;
	if (flags & VQT_DESC_F_WRITE) {
		c->write_len += len;
	} else {
		c->nread++;
		c->read_len += len;
	}
	return VQTEST_V_NONE;
}

/* Count one more descriptor in the chain against the limits. */
static u32 vqt_count_desc(struct vqt_ring *r, struct vqt_walk *w, u32 desc)
{
	struct vqt_chain *c = w->c;

	c->ndesc++;
	if (unlikely(c->ndesc > r->num))
		return vqt_ring_violate(r, VQTEST_V_CHAIN_LEN, desc, c->ring_idx, 0);
	if (unlikely(c->ndesc > VQT_MAX_SEGS))
		return vqt_ring_violate(r, VQTEST_V_TOO_MANY_SEGS, desc,
				   c->ring_idx, 0);
	return VQTEST_V_NONE;
}

/* Walk the indirect table that descriptor @desc (already read) points at. */
static u32 vqt_walk_indirect(struct vqt_ring *r, struct vqt_walk *w, u32 desc,
			     const struct vqt_desc *d)
{
	struct vqt_chain *c = w->c;
	u64 addr = le64_to_cpu(d->addr);
	u32 len = le32_to_cpu(d->len);
	u16 flags = le16_to_cpu(d->flags);
	const struct vqt_desc *table;
	u32 n, j;

	if (unlikely(!r->indirect_ok))
		return vqt_ring_violate(r, VQTEST_V_INDIRECT_FEATURE, desc,
				   c->ring_idx, addr);
	if (unlikely(flags & VQT_DESC_F_NEXT))
		return vqt_ring_violate(r, VQTEST_V_INDIRECT_NEXT, desc,
				   c->ring_idx, addr);
	if (unlikely(!len || len % sizeof(struct vqt_desc) ||
		     len > r->num * sizeof(struct vqt_desc)))
		return vqt_ring_violate(r, VQTEST_V_INDIRECT_LEN, desc, c->ring_idx,
				   addr);
	if (unlikely(addr + len - 1 < addr))
		return vqt_ring_violate(r, VQTEST_V_ADDR_WRAP, desc, c->ring_idx,
				   addr);
	table = (const struct vqt_desc *)vqt_map_range(r->map, addr, len);
	/* the spec does not align indirect tables: copy misaligned ones */
	if (unlikely(addr % __alignof__(struct vqt_desc)))
		table = NULL;
	if (unlikely(!table && !vqt_map_covered(r->map, addr, len)))
		return vqt_ring_violate(r, VQTEST_V_ADDR_UNMAPPED, desc,
				   c->ring_idx, addr);

	c->indirect = true;
	n = len / sizeof(struct vqt_desc);
	j = 0;
	for (;;) {
		u32 id = j | VQTEST_DESC_INDIRECT;
		struct vqt_desc e;
		u32 v;

		if (__test_and_set_bit(j, r->ivisited))
			return vqt_ring_violate(r, VQTEST_V_LOOP, id, c->ring_idx, 0);
		r->walked[w->nwalked++] = j | VQT_WALK_INDIRECT;
		v = vqt_count_desc(r, w, id);
		if (v)
			return v;
		if (likely(table)) {
			vqt_read_desc(&table[j], &e);
		} else {
			struct vqt_seg ts = {
				.iova = addr, .len = len, .flags = VQT_SEG_SPLIT
			};

			vqt_seg_copy(r->map, &ts, (u64)j * sizeof(e), &e,
				     sizeof(e), false);
		}
		flags = le16_to_cpu(e.flags);
		if (unlikely(flags & VQT_DESC_F_INDIRECT))
			return vqt_ring_violate(r, VQTEST_V_INDIRECT_NESTED, id,
					   c->ring_idx, le64_to_cpu(e.addr));
		v = vqt_add_buf(r, w, id, le64_to_cpu(e.addr),
				le32_to_cpu(e.len), flags);
		if (v)
			return v;
		if (!(flags & VQT_DESC_F_NEXT))
			return VQTEST_V_NONE;
		j = le16_to_cpu(e.next);
		if (unlikely(j >= n))
			return vqt_ring_violate(r, VQTEST_V_NEXT_RANGE, id,
					   c->ring_idx, 0);
	}
}

static u32 vqt_walk(struct vqt_ring *r, struct vqt_walk *w, u32 *ndirect)
{
	struct vqt_chain *c = w->c;
	u32 i = c->head;

	for (;;) {
		struct vqt_desc d;
		u16 flags;
		u32 v;

		if (__test_and_set_bit(i, r->visited))
			return vqt_ring_violate(r, VQTEST_V_LOOP, i, c->ring_idx, 0);
		r->walked[w->nwalked++] = i;
		(*ndirect)++;
		vqt_read_desc(&r->desc[i], &d);
		flags = le16_to_cpu(d.flags);
		if (flags & VQT_DESC_F_INDIRECT) {
			/* an indirect table ends the chain (no NEXT allowed) */
			return vqt_walk_indirect(r, w, i, &d);
		}
		v = vqt_count_desc(r, w, i);
		if (v)
			return v;
		v = vqt_add_buf(r, w, i, le64_to_cpu(d.addr),
				le32_to_cpu(d.len), flags);
		if (v)
			return v;
		if (!(flags & VQT_DESC_F_NEXT))
			return VQTEST_V_NONE;
		if (unlikely(le16_to_cpu(d.next) >= r->num))
			return vqt_ring_violate(r, VQTEST_V_NEXT_RANGE, i,
					   c->ring_idx, 0);
		i = le16_to_cpu(d.next);
	}
}

/**
 * vqt_ring_get_chain() - take and validate the next available chain
 * @r: the ring; vqt_ring_avail() said a chain is available
 * @c: filled with the chain on success
 *
 * Return: 0 (the chain is the device's until vqt_ring_publish()), or the
 * violation class that stops the queue; the chain is then left in the
 * avail ring.
 */
u32 vqt_ring_get_chain(struct vqt_ring *r, struct vqt_chain *c)
{
	struct vqt_walk w = { .c = c };
	u16 ring_idx = r->last_avail;
	u32 ndirect = 0;
	u32 v, k;
	u16 head;

	head = le16_to_cpu(READ_ONCE(r->avail->ring[ring_idx & (r->num - 1)]));
	c->head = head;
	c->ring_idx = ring_idx;
	c->ndesc = 0;
	c->nread = 0;
	c->nsegs = 0;
	c->read_len = 0;
	c->write_len = 0;
	c->indirect = false;
	c->segs = r->segs;

	if (unlikely(head >= r->num))
		return vqt_ring_violate(r, VQTEST_V_HEAD_RANGE, head, ring_idx, 0);
	if (unlikely(r->in_order && r->inorder_known &&
		     head != r->next_inorder))
		return vqt_ring_violate(r, VQTEST_V_IN_ORDER, head, ring_idx, 0);
	if (unlikely(test_bit(head, r->inflight)))
		return vqt_ring_violate(r, VQTEST_V_HEAD_IN_FLIGHT, head, ring_idx,
				   0);

	v = vqt_walk(r, &w, &ndirect);

	for (k = 0; k < w.nwalked; k++) {
		u16 x = r->walked[k];

		if (x & VQT_WALK_INDIRECT)
			__clear_bit(x & ~VQT_WALK_INDIRECT, r->ivisited);
		else
			__clear_bit(x, r->visited);
	}
	if (v)
		return v;

	__set_bit(head, r->inflight);
	r->last_avail++;
	if (r->in_order) {
		r->next_inorder = (head + ndirect) & (r->num - 1);
		r->inorder_known = true;
	}
	return VQTEST_V_NONE;
}

/**
 * vqt_ring_put_used() - write a used element (not yet published)
 * @r: the ring
 * @head: the chain's head, taken by vqt_ring_get_chain()
 * @len: bytes the device wrote into the chain
 *
 * Return: 0, or VQTEST_V_USED_WRITTEN when the slot was not as the device
 * left it and that stops the queue (the element is written either way).
 */
u32 vqt_ring_put_used(struct vqt_ring *r, u16 head, u32 len)
{
	u32 slot = r->used_idx & (r->num - 1);
	struct vqt_used_elem *e = &r->used->ring[slot];
	struct vqt_used_elem *s = &r->shadow[slot];
	u32 v = VQTEST_V_NONE;

	if (unlikely(READ_ONCE(e->id) != s->id || READ_ONCE(e->len) != s->len))
		v = vqt_ring_violate(r, VQTEST_V_USED_WRITTEN, VQTEST_NO_DESC,
				     r->used_idx, 0);
	s->id = cpu_to_le32(head);
	s->len = cpu_to_le32(len);
	WRITE_ONCE(e->id, s->id);
	WRITE_ONCE(e->len, s->len);
	r->used_idx++;
	/* the head stays in flight until vqt_ring_publish() */
	return v;
}

/**
 * vqt_ring_publish() - publish the used elements written so far
 * @r: the ring
 *
 * Stores used->idx with release semantics, then decides whether the driver
 * wants a call (used_event with EVENT_IDX, else AVAIL_F_NO_INTERRUPT).
 *
 * Return: VQT_CALL_SEND, or the reason the call is suppressed.
 */
enum vqt_call vqt_ring_publish(struct vqt_ring *r)
{
	u16 old = r->pub_used, new = r->used_idx, i;

	/* release: the used elements are visible before the index */
	smp_store_release(&r->used->idx, cpu_to_le16(new));
	r->pub_used = new;
	/* the driver owns these heads again: it may offer them anew */
	for (i = old; i != new; i++)
		__clear_bit(le32_to_cpu(r->shadow[i & (r->num - 1)].id),
			    r->inflight);
	/* the idx store must be visible before we read the driver's wish */
	smp_mb();
	if (r->event_idx) {
		u16 ev = le16_to_cpu(READ_ONCE(*vqt_used_event(r)));

		return vqt_need_event(ev, new, old) ? VQT_CALL_SEND :
						       VQT_CALL_USED_EVENT;
	}
	if (le16_to_cpu(READ_ONCE(r->avail->flags)) & VQT_AVAIL_F_NO_INTERRUPT)
		return VQT_CALL_NO_INTERRUPT;
	return VQT_CALL_SEND;
}

/**
 * vqt_ring_disable_notify() - ask the driver not to kick
 * @r: the ring
 *
 * With EVENT_IDX the device just leaves avail_event behind; otherwise it
 * sets USED_F_NO_NOTIFY.
 */
void vqt_ring_disable_notify(struct vqt_ring *r)
{
	if (r->notify_off)
		return;
	r->notify_off = true;
	if (r->event_idx)
		return;
	r->shadow_flags |= VQT_USED_F_NO_NOTIFY;
	WRITE_ONCE(r->used->flags, cpu_to_le16(r->shadow_flags));
}

/**
 * vqt_ring_enable_notify() - ask the driver to kick again
 * @r: the ring
 *
 * Return: true if chains became available meanwhile: the caller must
 * process them (a kick for them may never come).
 */
bool vqt_ring_enable_notify(struct vqt_ring *r)
{
	r->notify_off = false;
	if (r->event_idx) {
		r->shadow_event = r->last_avail;
		WRITE_ONCE(*vqt_avail_event(r), cpu_to_le16(r->last_avail));
	} else {
		r->shadow_flags &= ~VQT_USED_F_NO_NOTIFY;
		WRITE_ONCE(r->used->flags, cpu_to_le16(r->shadow_flags));
	}
	/* publish the wish before looking at avail->idx again */
	smp_mb();
	return le16_to_cpu(READ_ONCE(r->avail->idx)) != r->last_avail;
}
