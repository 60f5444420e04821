/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * The virtio 1.x split ring as it lies in memory (virtio 1.2, 2.7), our
 * own definitions so that libvq depends on no kernel-internal header.
 * Every field is little-endian; every access goes through vr_*() below so
 * that a big-endian host converts and the compiler never tears a 16-bit
 * index the device reads or writes concurrently.
 */
#ifndef LIBVQ_RING_LAYOUT_H
#define LIBVQ_RING_LAYOUT_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VR_DESC_F_NEXT		1
#define VR_DESC_F_WRITE		2
#define VR_DESC_F_INDIRECT	4

#define VR_AVAIL_F_NO_INTERRUPT	1
#define VR_USED_F_NO_NOTIFY	1

#define VR_DESC_ALIGN		16
#define VR_AVAIL_ALIGN		2
#define VR_USED_ALIGN		4
#define VR_MAX_SIZE		32768U

struct vr_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vr_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* num entries, then used_event */
};

struct vr_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vr_used {
	uint16_t flags;
	uint16_t idx;
	struct vr_used_elem ring[];	/* num entries, then avail_event */
};

_Static_assert(sizeof(struct vr_desc) == 16, "descriptor is 16 bytes");
_Static_assert(sizeof(struct vr_used_elem) == 8, "used element is 8 bytes");

static inline size_t vr_desc_bytes(uint32_t num)
{
	return (size_t)num * sizeof(struct vr_desc);
}

/* flags, idx, ring[num], used_event */
static inline size_t vr_avail_bytes(uint32_t num)
{
	return 4 + (size_t)num * 2 + 2;
}

/* flags, idx, ring[num], avail_event */
static inline size_t vr_used_bytes(uint32_t num)
{
	return 4 + (size_t)num * sizeof(struct vr_used_elem) + 2;
}

static inline uint16_t *vr_used_event(struct vr_avail *a, uint32_t num)
{
	return &a->ring[num];
}

static inline uint16_t *vr_avail_event(struct vr_used *u, uint32_t num)
{
	return (uint16_t *)&u->ring[num];
}

/*
 * Single-copy-atomic accessors for fields the other side reads or writes
 * while we run. Ordering is explicit at each call site.
 */
static inline uint16_t vr_load16(const uint16_t *p, int order)
{
	return le16toh(__atomic_load_n(p, order));
}

static inline void vr_store16(uint16_t *p, uint16_t v, int order)
{
	__atomic_store_n(p, htole16(v), order);
}

static inline uint32_t vr_load32(const uint32_t *p)
{
	return le32toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void vr_store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELAXED);
}

/*
 * virtio 1.2, 2.7.7.2: notify when the other side's event index lies in
 * (old, new], i.e. was crossed by the indices published since the last
 * notification. All arithmetic is modulo 2^16.
 */
static inline bool vr_need_event(uint16_t event, uint16_t new_idx,
				 uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif /* LIBVQ_RING_LAYOUT_H */
