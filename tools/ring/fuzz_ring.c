// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the device-side ring walk (kmod/ring.c, the file the
 * module runs). The input describes a whole device: queue size, features,
 * the IOVA layout of three regions, the descriptor table, the avail ring,
 * an indirect-table area, the indices, and a schedule of rewrites that a
 * hostile driver applies *between* the device's reads of ring memory (the
 * READ_ONCE hook in ring_user.h fires them), so time-of-check/time-of-use
 * mistakes become visible. Regions are separate heap blocks: any access
 * the walk lets through outside them is an ASan report.
 *
 * Input layout (little-endian, short inputs are zero-padded):
 *   struct fuzz_hdr, desc table (num * 16), avail ring (num * 2),
 *   indirect area (FUZZ_IND bytes at the start of region 1),
 *   then struct fuzz_rewrite[hdr.nrewrites].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define FUZZ_REGION	0x10000
#define FUZZ_IND	512
#define FUZZ_MAX_RW	32
#define RING_IOVA	0x10000
#define BUF_IOVA	0x20000

struct fuzz_hdr {
	u8 log2num;		/* num = 1 << (log2num % 12) */
	u8 feat;		/* 1 event_idx, 2 indirect, 4 in_order, 8 warn */
	u8 layout;		/* 1: region 2 not adjacent to region 1 */
	u8 nrewrites;
	u16 start_avail;
	u16 start_used;
	u16 avail_idx;
	u16 avail_flags;
	u16 used_event;
	u16 rounds;
} __attribute__((packed));

struct fuzz_rewrite {
	u16 at;			/* fire at the at-th device read */
	u8 target;		/* 0 desc, 1 avail, 2 indirect, 3 used */
	u8 pad;
	u16 offset;
	u16 value;
} __attribute__((packed));

static struct fuzz_rewrite rw[FUZZ_MAX_RW];
static u32 nrw, reads;
static u8 *areas[4];
static size_t area_len[4];

/* Called by READ_ONCE in the fuzz build: the driver strikes between reads. */
void vqt_fuzz_hook(void)
{
	u32 i;

	reads++;
	for (i = 0; i < nrw; i++) {
		struct fuzz_rewrite *w = &rw[i];
		u32 t = w->target % 4;

		if (w->at != reads || !areas[t] || !area_len[t])
			continue;
		memcpy(areas[t] + (w->offset % area_len[t] & ~1UL),
		       &w->value, 2);
	}
}

static void take(const u8 **p, size_t *left, void *dst, size_t n)
{
	size_t k = *left < n ? *left : n;

	memset(dst, 0, n);
	memcpy(dst, *p, k);
	*p += k;
	*left -= k;
}

static void touch(struct vqt_ring *r, const struct vqt_chain *c)
{
	u8 buf[64];
	u32 i;

	for (i = 0; i < c->nsegs; i++) {
		const struct vqt_seg *s = &c->segs[i];
		u64 off;

		for (off = 0; off < s->len; off += sizeof(buf)) {
			u64 n = vqt_seg_copy(r->map, s, off, buf, sizeof(buf),
					     false);

			if (!n)
				abort();	/* validated but not mapped */
			if (i >= c->nread)
				vqt_seg_copy(r->map, s, off, buf, n, true);
		}
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct vqt_region reg[3], *slots[3];
	struct vqt_map map = { .nr = 3, .r = slots };
	struct fuzz_hdr h;
	struct vqt_ring r;
	struct vqt_chain c;
	static u8 *mem[3];
	void *scratch;
	u32 num, i, round;
	u64 feat = 0;

	take(&data, &size, &h, sizeof(h));
	num = 1U << (h.log2num % 12);
	if (h.feat & 1)
		feat |= 1ULL << VQTEST_F_EVENT_IDX;
	if (h.feat & 2)
		feat |= 1ULL << VQTEST_F_INDIRECT_DESC;
	if (h.feat & 4)
		feat |= 1ULL << VQTEST_F_IN_ORDER;

	for (i = 0; i < 3; i++) {
		/* separate heap blocks, so ASan's redzones sit between them */
		if (!mem[i])
			mem[i] = malloc(FUZZ_REGION);
		memset(mem[i], 0, FUZZ_REGION);
		reg[i].len = FUZZ_REGION;
		reg[i].kva = mem[i];
		slots[i] = &reg[i];
	}
	reg[0].iova = RING_IOVA;
	reg[1].iova = BUF_IOVA;
	reg[2].iova = BUF_IOVA + FUZZ_REGION + ((h.layout & 1) ? 0x1000 : 0);

	memset(&r, 0, sizeof(r));
	scratch = calloc(1, vqt_ring_scratch_size(num));
	vqt_ring_init(&r, num, scratch, feat);
	r.warn = h.feat & 8;
	/* desc table, avail ring, used ring: all inside region 0 */
	vqt_ring_attach(&r, mem[0], mem[0] + 0x8000, mem[0] + 0xa000, &map);

	nrw = 0;
	reads = 0;
	areas[0] = mem[0];
	area_len[0] = num * 16;
	areas[1] = mem[0] + 0x8000;
	area_len[1] = 6 + 2 * num;
	areas[2] = mem[1];
	area_len[2] = FUZZ_IND;
	areas[3] = mem[0] + 0xa000;
	area_len[3] = 6 + 8 * num;

	take(&data, &size, mem[0], num * 16);
	take(&data, &size, r.avail->ring, num * 2);
	take(&data, &size, mem[1], FUZZ_IND);
	nrw = h.nrewrites % (FUZZ_MAX_RW + 1);
	for (i = 0; i < nrw; i++)
		take(&data, &size, &rw[i], sizeof(rw[i]));

	r.avail->flags = cpu_to_le16(h.avail_flags);
	r.avail->ring[num] = cpu_to_le16(h.used_event);
	vqt_ring_start(&r, h.start_avail, h.start_used);
	r.avail->idx = cpu_to_le16(h.avail_idx);

	/* the device loop of kmod/queue.c, minus locks and behaviours */
	for (round = 0; round < 1 + h.rounds % 4; round++) {
		int n;

		if (vqt_ring_check_device_area(&r))
			break;
		vqt_ring_disable_notify(&r);
		n = vqt_ring_avail(&r);
		if (n < 0)
			break;
		while (n--) {
			if (vqt_ring_get_chain(&r, &c))
				goto out;
			if (c.nsegs > r.max_segs || c.ndesc > num)
				abort();
			touch(&r, &c);
			vqt_ring_put_used(&r, c.head, (u32)c.write_len);
		}
		vqt_ring_publish(&r);
		vqt_ring_enable_notify(&r);
		/* the driver adds more: reuse the same heads */
		r.avail->idx = cpu_to_le16(le16_to_cpu(r.avail->idx) +
					   (h.rounds >> 2) % (num + 1));
	}
out:
	nrw = 0;
	free(scratch);
	return 0;
}
