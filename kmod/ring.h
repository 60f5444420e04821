/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqtest: the device side of a virtio 1.x split ring.
 *
 * ring.c builds in the module and, with ring_user.h, in userspace (unit
 * tests and the fuzzer), so nothing here may depend on more of the kernel
 * than ring_user.h provides.
 */
#ifndef _VQTEST_RING_H
#define _VQTEST_RING_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bitmap.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>
#else
#include "ring_user.h"
#endif

#include <linux/vqtest.h>

/* Split ring layout, virtio 1.2 section 2.7; always little-endian. */
#define VQT_DESC_F_NEXT		1
#define VQT_DESC_F_WRITE	2
#define VQT_DESC_F_INDIRECT	4
#define VQT_AVAIL_F_NO_INTERRUPT 1
#define VQT_USED_F_NO_NOTIFY	1

struct vqt_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

struct vqt_avail {
	__le16 flags;
	__le16 idx;
	__le16 ring[];	/* num entries, then used_event */
};

struct vqt_used_elem {
	__le32 id;
	__le32 len;
};

struct vqt_used {
	__le16 flags;
	__le16 idx;
	struct vqt_used_elem ring[];	/* num entries, then avail_event */
};

#define VQT_MAX_QUEUE_SIZE	32768U
#define VQT_MAX_SEGS		1024U

/**
 * struct vqt_region - one mapped IOVA range, kernel-addressable
 * @iova: first IOVA
 * @len: length in bytes
 * @kva: kernel address of @iova (contiguous for @len bytes)
 */
struct vqt_region {
	u64 iova;
	u64 len;
	u8 *kva;
};

/**
 * struct vqt_map - the device's IOVA table, sorted by iova, no overlap
 * @nr: regions in use
 * @r: pointers to the regions
 */
struct vqt_map {
	u32 nr;
	struct vqt_region **r;
};

#define VQT_SEG_SPLIT	1	/* crosses regions: @iova valid, not @kva */

/**
 * struct vqt_seg - one translated buffer of a chain
 * @kva: kernel address when the buffer lies in one region
 * @iova: the buffer's IOVA when it spans a run of regions
 * @len: length in bytes
 * @flags: VQT_SEG_SPLIT
 */
struct vqt_seg {
	union {
		u8 *kva;
		u64 iova;
	};
	u32 len;
	u32 flags;
};

/**
 * struct vqt_chain - a validated descriptor chain
 * @head: head descriptor index (the used element's id)
 * @ring_idx: free-running avail index the head was read from
 * @ndesc: descriptors walked (indirect entries included)
 * @nread: device-readable segments, first in @segs
 * @nsegs: all segments
 * @read_len: device-readable bytes
 * @write_len: device-writable bytes
 * @indirect: an indirect table was used
 * @segs: the segments, owned by the ring
 */
struct vqt_chain {
	u16 head;
	u16 ring_idx;
	u32 ndesc;
	u32 nread;
	u32 nsegs;
	u64 read_len;
	u64 write_len;
	bool indirect;
	struct vqt_seg *segs;
};

/**
 * struct vqt_violation - the first rule a driver broke
 * @class: enum vqtest_violation
 * @desc: descriptor index, VQTEST_NO_DESC, or'ed with VQTEST_DESC_INDIRECT
 * @ring: avail index of the chain (or the offending index)
 * @addr: IOVA concerned, if any
 */
struct vqt_violation {
	u32 class;
	u32 desc;
	u32 ring;
	u64 addr;
};

/* Why a call was or was not sent, for counters and tracepoints */
enum vqt_call {
	VQT_CALL_SEND = 0,
	VQT_CALL_NO_INTERRUPT = 1,
	VQT_CALL_USED_EVENT = 2,
};

/**
 * struct vqt_ring - device-side state of one split ring
 * @num: queue size (power of two)
 * @desc: descriptor table
 * @avail: available (driver) ring
 * @used: used (device) ring
 * @map: IOVA table for buffers and indirect tables
 * @event_idx: VIRTIO_RING_F_EVENT_IDX negotiated
 * @indirect_ok: VIRTIO_RING_F_INDIRECT_DESC negotiated
 * @in_order: VIRTIO_F_IN_ORDER negotiated
 * @warn: tolerable violations are reported and processing goes on
 * @inorder_known: @next_inorder is set (a chain was taken since start)
 * @notify_off: kicks are suppressed (NO_NOTIFY set) while the worker runs
 * @last_avail: next avail index the device reads
 * @seen_avail: avail->idx as last read
 * @used_idx: next used index to fill (unpublished past @pub_used)
 * @pub_used: used->idx as last published
 * @next_inorder: the head IN_ORDER expects next
 * @shadow_flags: used->flags as the device last wrote it
 * @shadow_event: avail_event as the device last wrote it
 * @shadow: the used ring elements as the device last wrote them
 * @visited: per-chain descriptor bitmap (loop detection)
 * @ivisited: per-chain indirect-table bitmap (loop detection)
 * @inflight: heads taken and not yet published
 * @segs: segment scratch for one chain
 * @walked: descriptors visited by the chain being walked
 * @max_segs: capacity of @segs
 * @viol: the violation that stopped the ring, else the first tolerated one
 * @report: called on every violation found (fatal: it stops the ring)
 * @priv: the caller's, for @report
 */
struct vqt_ring {
	u32 num;
	struct vqt_desc *desc;
	struct vqt_avail *avail;
	struct vqt_used *used;
	const struct vqt_map *map;
	bool event_idx;
	bool indirect_ok;
	bool in_order;
	bool warn;
	bool inorder_known;
	bool notify_off;
	u16 last_avail;
	u16 seen_avail;
	u16 used_idx;
	u16 pub_used;
	u16 next_inorder;
	u16 shadow_flags;
	u16 shadow_event;
	struct vqt_used_elem *shadow;
	unsigned long *visited;
	unsigned long *ivisited;
	unsigned long *inflight;
	struct vqt_seg *segs;
	u16 *walked;
	u32 max_segs;
	struct vqt_violation viol;
	void (*report)(struct vqt_ring *r, const struct vqt_violation *v,
		       bool fatal);
	void *priv;
};

size_t vqt_ring_scratch_size(u32 num);
void vqt_ring_init(struct vqt_ring *r, u32 num, void *scratch, u64 features);
void vqt_ring_attach(struct vqt_ring *r, void *desc, void *avail, void *used,
		     const struct vqt_map *map);
void vqt_ring_start(struct vqt_ring *r, u16 avail_idx, u16 used_idx);
u32 vqt_ring_check_device_area(struct vqt_ring *r);
int vqt_ring_avail(struct vqt_ring *r);
u32 vqt_ring_get_chain(struct vqt_ring *r, struct vqt_chain *c);
u32 vqt_ring_put_used(struct vqt_ring *r, u16 head, u32 len);
enum vqt_call vqt_ring_publish(struct vqt_ring *r);
void vqt_ring_disable_notify(struct vqt_ring *r);
bool vqt_ring_enable_notify(struct vqt_ring *r);
bool vqt_ring_tolerable(u32 class);
u32 vqt_ring_violate(struct vqt_ring *r, u32 class, u32 desc, u32 ring,
		     u64 addr);

const struct vqt_region *vqt_map_find(const struct vqt_map *map, u64 iova);
u8 *vqt_map_range(const struct vqt_map *map, u64 iova, u64 len);
u64 vqt_seg_copy(const struct vqt_map *map, const struct vqt_seg *s, u64 off,
		 void *buf, u64 len, bool to_seg);

#endif /* _VQTEST_RING_H */
