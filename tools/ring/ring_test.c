// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the device-side ring walk, kmod/ring.c, built in userspace.
 * Each test lays out a split ring by hand in ordinary memory, maps it in a
 * vqt_map the way the module maps pinned pages, and checks what the walk
 * reports. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ring.h"

#define NUM 16
#define REGION (64 * 1024)

static int failures, tests;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		return 1;						\
	}								\
} while (0)

struct fixture {
	struct vqt_ring r;
	struct vqt_map map;
	struct vqt_region reg[3];
	struct vqt_region *slots[3];
	u8 *mem[3];
	void *scratch;
	struct vqt_violation last;
	int reports, fatal;
};

static void report(struct vqt_ring *r, const struct vqt_violation *v,
		   bool fatal)
{
	struct fixture *f = r->priv;

	f->last = *v;
	f->reports++;
	f->fatal += fatal;
}

/*
 * Region 0 (IOVA 0x10000) holds the rings, regions 1 and 2 (IOVA 0x100000
 * and 0x110000) are back to back for buffers, so a buffer may span both.
 */
static void setup(struct fixture *f, u32 num, u64 features, bool warn)
{
	static const u64 iova[3] = { 0x10000, 0x100000, 0x110000 };
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 3; i++) {
		f->mem[i] = aligned_alloc(4096, REGION);
		memset(f->mem[i], 0, REGION);
		f->reg[i].iova = iova[i];
		f->reg[i].len = REGION;
		f->reg[i].kva = f->mem[i];
		f->slots[i] = &f->reg[i];
	}
	f->map.nr = 3;
	f->map.r = f->slots;
	f->scratch = calloc(1, vqt_ring_scratch_size(num));
	vqt_ring_init(&f->r, num, f->scratch, features);
	f->r.warn = warn;
	f->r.report = report;
	f->r.priv = f;
	vqt_ring_attach(&f->r, f->mem[0], f->mem[0] + 0x4000,
			f->mem[0] + 0x8000, &f->map);
	vqt_ring_start(&f->r, 0, 0);
}

static void teardown(struct fixture *f)
{
	int i;

	for (i = 0; i < 3; i++)
		free(f->mem[i]);
	free(f->scratch);
}

static struct vqt_desc *desc(struct fixture *f, u32 i)
{
	return &f->r.desc[i];
}

static void set_desc(struct vqt_desc *d, u64 addr, u32 len, u16 flags,
		     u16 next)
{
	d->addr = cpu_to_le64(addr);
	d->len = cpu_to_le32(len);
	d->flags = cpu_to_le16(flags);
	d->next = cpu_to_le16(next);
}

/* Offer @head at the next avail slot and bump avail->idx. */
static void offer(struct fixture *f, u16 head)
{
	u16 idx = le16_to_cpu(f->r.avail->idx);

	f->r.avail->ring[idx % f->r.num] = cpu_to_le16(head);
	f->r.avail->idx = cpu_to_le16(idx + 1);
}

static u32 take(struct fixture *f, struct vqt_chain *c)
{
	if (vqt_ring_avail(&f->r) <= 0)
		return 0xdead;
	return vqt_ring_get_chain(&f->r, c);
}

static int t_simple_chain(void)
{
	struct fixture f;
	struct vqt_chain c;

	setup(&f, NUM, 0, false);
	set_desc(desc(&f, 0), 0x100000, 100, VQT_DESC_F_NEXT, 1);
	set_desc(desc(&f, 1), 0x100100, 200, VQT_DESC_F_WRITE, 0);
	offer(&f, 0);
	CHECK(take(&f, &c) == 0);
	CHECK(c.head == 0 && c.nsegs == 2 && c.nread == 1);
	CHECK(c.read_len == 100 && c.write_len == 200 && c.ndesc == 2);
	CHECK(c.segs[0].kva == f.mem[1] && c.segs[1].kva == f.mem[1] + 0x100);
	CHECK(vqt_ring_put_used(&f.r, c.head, 7) == 0);
	CHECK(vqt_ring_publish(&f.r) == VQT_CALL_SEND);
	CHECK(le16_to_cpu(f.r.used->idx) == 1);
	CHECK(le32_to_cpu(f.r.used->ring[0].len) == 7);
	CHECK(f.reports == 0);
	teardown(&f);
	return 0;
}

static int t_split_across_regions(void)
{
	struct fixture f;
	struct vqt_chain c;
	u8 buf[64];
	u64 i;

	setup(&f, NUM, 0, false);
	/* 32 bytes at the end of region 1, 32 at the start of region 2 */
	set_desc(desc(&f, 0), 0x110000 - 32, 64, 0, 0);
	for (i = 0; i < 32; i++) {
		f.mem[1][REGION - 32 + i] = i;
		f.mem[2][i] = 32 + i;
	}
	offer(&f, 0);
	CHECK(take(&f, &c) == 0);
	CHECK(c.segs[0].flags & VQT_SEG_SPLIT);
	CHECK(vqt_seg_copy(&f.map, &c.segs[0], 0, buf, 64, false) == 64);
	for (i = 0; i < 64; i++)
		CHECK(buf[i] == i);
	teardown(&f);
	return 0;
}

static int expect(u32 class, u32 desc_idx, int (*build)(struct fixture *),
		  u64 features)
{
	struct fixture f;
	struct vqt_chain c;
	u32 v;
	int n;

	setup(&f, NUM, features, false);
	if (build(&f))
		return 1;
	n = vqt_ring_avail(&f.r);
	v = n < 0 ? f.r.viol.class : vqt_ring_get_chain(&f.r, &c);
	if (v != class || f.r.viol.class != class ||
	    (desc_idx != ~0U && f.r.viol.desc != desc_idx) || f.fatal != 1) {
		printf("#   want class %u desc %#x, got %u desc %#x (fatal %d)\n",
		       class, desc_idx, f.r.viol.class, f.r.viol.desc,
		       f.fatal);
		teardown(&f);
		return 1;
	}
	/* nothing was taken: the ring still points at the bad chain */
	CHECK(f.r.last_avail == 0);
	teardown(&f);
	return 0;
}

static int b_head_range(struct fixture *f)
{
	offer(f, NUM);
	return 0;
}

static int b_next_range(struct fixture *f)
{
	set_desc(desc(f, 0), 0x100000, 8, VQT_DESC_F_NEXT, NUM + 3);
	offer(f, 0);
	return 0;
}

static int b_loop(struct fixture *f)
{
	set_desc(desc(f, 0), 0x100000, 8, VQT_DESC_F_NEXT, 1);
	set_desc(desc(f, 1), 0x100000, 8, VQT_DESC_F_NEXT, 2);
	set_desc(desc(f, 2), 0x100000, 8, VQT_DESC_F_NEXT, 0);
	offer(f, 0);
	return 0;
}

static int b_zero_len(struct fixture *f)
{
	set_desc(desc(f, 0), 0x100000, 8, VQT_DESC_F_NEXT, 1);
	set_desc(desc(f, 1), 0x100000, 0, 0, 0);
	offer(f, 0);
	return 0;
}

static int b_wrap(struct fixture *f)
{
	set_desc(desc(f, 0), ~0ULL - 4, 16, 0, 0);
	offer(f, 0);
	return 0;
}

static int b_unmapped(struct fixture *f)
{
	/* runs off the end of region 2 */
	set_desc(desc(f, 0), 0x120000 - 8, 16, 0, 0);
	offer(f, 0);
	return 0;
}

static int b_write_order(struct fixture *f)
{
	set_desc(desc(f, 0), 0x100000, 8, VQT_DESC_F_WRITE | VQT_DESC_F_NEXT, 1);
	set_desc(desc(f, 1), 0x100100, 8, 0, 0);
	offer(f, 0);
	return 0;
}

static struct vqt_desc *itable(struct fixture *f)
{
	return (struct vqt_desc *)f->mem[1];	/* IOVA 0x100000 */
}

static int b_indirect_feature(struct fixture *f)
{
	set_desc(desc(f, 0), 0x100000, 32, VQT_DESC_F_INDIRECT, 0);
	offer(f, 0);
	return 0;
}

static int b_indirect_nested(struct fixture *f)
{
	set_desc(&itable(f)[0], 0x101000, 8, VQT_DESC_F_NEXT, 1);
	set_desc(&itable(f)[1], 0x100000, 32, VQT_DESC_F_INDIRECT, 0);
	set_desc(desc(f, 0), 0x100000, 32, VQT_DESC_F_INDIRECT, 0);
	offer(f, 0);
	return 0;
}

static int b_indirect_next(struct fixture *f)
{
	set_desc(desc(f, 0), 0x100000, 32,
		 VQT_DESC_F_INDIRECT | VQT_DESC_F_NEXT, 1);
	offer(f, 0);
	return 0;
}

static int b_indirect_len(struct fixture *f)
{
	set_desc(desc(f, 0), 0x100000, 24, VQT_DESC_F_INDIRECT, 0);
	offer(f, 0);
	return 0;
}

static int b_indirect_loop(struct fixture *f)
{
	set_desc(&itable(f)[0], 0x101000, 8, VQT_DESC_F_NEXT, 1);
	set_desc(&itable(f)[1], 0x101000, 8, VQT_DESC_F_NEXT, 0);
	set_desc(desc(f, 0), 0x100000, 32, VQT_DESC_F_INDIRECT, 0);
	offer(f, 0);
	return 0;
}

static int b_chain_len(struct fixture *f)
{
	u32 i;

	/* NUM - 2 direct buffers, then a table of 3: NUM + 1 in all */
	for (i = 0; i < NUM - 2; i++)
		set_desc(desc(f, i), 0x101000, 8, VQT_DESC_F_NEXT, i + 1);
	set_desc(desc(f, NUM - 2), 0x100000, 3 * 16, VQT_DESC_F_INDIRECT, 0);
	set_desc(&itable(f)[0], 0x101000, 8, VQT_DESC_F_NEXT, 1);
	set_desc(&itable(f)[1], 0x101000, 8, VQT_DESC_F_NEXT, 2);
	set_desc(&itable(f)[2], 0x101000, 8, 0, 0);
	offer(f, 0);
	return 0;
}

static int b_avail_jump(struct fixture *f)
{
	f->r.avail->idx = cpu_to_le16(NUM + 1);
	return 0;
}

static int t_avail_back(void)
{
	struct fixture f;
	struct vqt_chain c;

	setup(&f, NUM, 0, false);
	set_desc(desc(&f, 0), 0x100000, 8, 0, 0);
	offer(&f, 0);
	offer(&f, 0);
	CHECK(vqt_ring_avail(&f.r) == 2);
	CHECK(vqt_ring_get_chain(&f.r, &c) == 0);
	f.r.avail->idx = cpu_to_le16(1);
	CHECK(vqt_ring_avail(&f.r) == -1);
	CHECK(f.r.viol.class == VQTEST_V_AVAIL_IDX_BACK && f.r.viol.ring == 1);
	teardown(&f);
	return 0;
}

static int t_head_in_flight(void)
{
	struct fixture f;
	struct vqt_chain c;

	setup(&f, NUM, 0, false);
	set_desc(desc(&f, 3), 0x100000, 8, 0, 0);
	offer(&f, 3);
	offer(&f, 3);
	CHECK(vqt_ring_avail(&f.r) == 2);
	CHECK(vqt_ring_get_chain(&f.r, &c) == 0);
	CHECK(vqt_ring_get_chain(&f.r, &c) == VQTEST_V_HEAD_IN_FLIGHT);
	CHECK(f.r.viol.desc == 3 && f.r.viol.ring == 1);
	/* used but not yet published: still the device's */
	vqt_ring_put_used(&f.r, 3, 0);
	CHECK(vqt_ring_get_chain(&f.r, &c) == VQTEST_V_HEAD_IN_FLIGHT);
	/* published: the driver may offer it again */
	vqt_ring_publish(&f.r);
	CHECK(vqt_ring_get_chain(&f.r, &c) == 0);
	teardown(&f);
	return 0;
}

static int t_used_written(void)
{
	struct fixture f;
	struct vqt_chain c;

	setup(&f, NUM, 0, false);
	set_desc(desc(&f, 0), 0x100000, 8, 0, 0);
	offer(&f, 0);
	CHECK(take(&f, &c) == 0);
	f.r.used->ring[0].len = cpu_to_le32(99);	/* the driver scribbles */
	CHECK(vqt_ring_put_used(&f.r, 0, 1) == VQTEST_V_USED_WRITTEN);
	CHECK(f.r.viol.ring == 0);
	teardown(&f);
	/* and used->idx written behind the device's back */
	setup(&f, NUM, 0, false);
	f.r.used->idx = cpu_to_le16(5);
	CHECK(vqt_ring_check_device_area(&f.r) == VQTEST_V_USED_WRITTEN);
	CHECK(le16_to_cpu(f.r.used->idx) == 0);	/* restored */
	teardown(&f);
	return 0;
}

static int t_in_order(void)
{
	struct fixture f;
	struct vqt_chain c;

	setup(&f, NUM, 1ULL << VQTEST_F_IN_ORDER, false);
	set_desc(desc(&f, 0), 0x100000, 8, VQT_DESC_F_NEXT, 1);
	set_desc(desc(&f, 1), 0x100000, 8, 0, 0);
	set_desc(desc(&f, 2), 0x100000, 8, 0, 0);
	set_desc(desc(&f, 5), 0x100000, 8, 0, 0);
	offer(&f, 0);
	offer(&f, 2);
	offer(&f, 5);
	CHECK(vqt_ring_avail(&f.r) == 3);
	CHECK(vqt_ring_get_chain(&f.r, &c) == 0);
	CHECK(vqt_ring_get_chain(&f.r, &c) == 0);
	CHECK(vqt_ring_get_chain(&f.r, &c) == VQTEST_V_IN_ORDER);
	CHECK(f.r.viol.desc == 5 && f.r.viol.ring == 2);
	teardown(&f);
	return 0;
}

static int t_warn_zero_len(void)
{
	struct fixture f;
	struct vqt_chain c;

	setup(&f, NUM, 0, true);
	set_desc(desc(&f, 0), 0x100000, 0, VQT_DESC_F_NEXT, 1);
	set_desc(desc(&f, 1), 0x100000, 8, 0, 0);
	offer(&f, 0);
	CHECK(take(&f, &c) == 0);
	CHECK(f.reports == 1 && f.fatal == 0);
	CHECK(f.last.class == VQTEST_V_ZERO_LEN && f.last.desc == 0);
	CHECK(c.nsegs == 1 && c.read_len == 8);
	teardown(&f);
	return 0;
}

static int t_indirect_ok(void)
{
	struct fixture f;
	struct vqt_chain c;

	setup(&f, NUM, 1ULL << VQTEST_F_INDIRECT_DESC, false);
	set_desc(&itable(&f)[0], 0x101000, 10, VQT_DESC_F_NEXT, 2);
	set_desc(&itable(&f)[2], 0x102000, 20, VQT_DESC_F_WRITE, 0);
	/* the WRITE flag on the pointer descriptor is ignored (spec) */
	set_desc(desc(&f, 4), 0x100000, 3 * 16,
		 VQT_DESC_F_INDIRECT | VQT_DESC_F_WRITE, 0);
	offer(&f, 4);
	CHECK(take(&f, &c) == 0);
	CHECK(c.indirect && c.head == 4 && c.nsegs == 2 && c.ndesc == 2);
	CHECK(c.read_len == 10 && c.write_len == 20);
	teardown(&f);
	return 0;
}

/* The 16-bit indices wrap: preset near 0xffff and push 40 chains. */
static int t_wrap_around(void)
{
	struct fixture f;
	struct vqt_chain c;
	u32 i;

	setup(&f, NUM, 1ULL << VQTEST_F_EVENT_IDX, false);
	f.r.avail->idx = cpu_to_le16(0xfff0);
	vqt_ring_start(&f.r, 0xfff0, 0xfff0);
	CHECK(le16_to_cpu(f.r.used->idx) == 0xfff0);
	set_desc(desc(&f, 1), 0x100000, 8, 0, 0);
	for (i = 0; i < 40; i++) {
		offer(&f, 1);
		CHECK(take(&f, &c) == 0);
		CHECK(c.ring_idx == (u16)(0xfff0 + i));
		vqt_ring_put_used(&f.r, 1, i);
		/* used_event = the index just published: always a call */
		f.r.avail->ring[NUM] = cpu_to_le16(f.r.used_idx - 1);
		CHECK(vqt_ring_publish(&f.r) == VQT_CALL_SEND);
	}
	CHECK(le16_to_cpu(f.r.used->idx) == (u16)(0xfff0 + 40));
	teardown(&f);
	return 0;
}

static int t_suppression(void)
{
	struct fixture f;
	struct vqt_chain c;

	/* flags: NO_INTERRUPT suppresses the call, NO_NOTIFY is set/cleared */
	setup(&f, NUM, 0, false);
	set_desc(desc(&f, 0), 0x100000, 8, 0, 0);
	f.r.avail->flags = cpu_to_le16(VQT_AVAIL_F_NO_INTERRUPT);
	offer(&f, 0);
	vqt_ring_disable_notify(&f.r);
	CHECK(le16_to_cpu(f.r.used->flags) == VQT_USED_F_NO_NOTIFY);
	CHECK(take(&f, &c) == 0);
	vqt_ring_put_used(&f.r, 0, 0);
	CHECK(vqt_ring_publish(&f.r) == VQT_CALL_NO_INTERRUPT);
	CHECK(!vqt_ring_enable_notify(&f.r));
	CHECK(le16_to_cpu(f.r.used->flags) == 0);
	offer(&f, 0);
	CHECK(vqt_ring_enable_notify(&f.r));	/* a chain slipped in */
	teardown(&f);

	/* EVENT_IDX: a call only when used_event is crossed */
	setup(&f, NUM, 1ULL << VQTEST_F_EVENT_IDX, false);
	set_desc(desc(&f, 0), 0x100000, 8, 0, 0);
	f.r.avail->ring[NUM] = cpu_to_le16(1);	/* call after the 2nd */
	offer(&f, 0);
	CHECK(take(&f, &c) == 0);
	vqt_ring_put_used(&f.r, 0, 0);
	CHECK(vqt_ring_publish(&f.r) == VQT_CALL_USED_EVENT);
	offer(&f, 0);
	CHECK(take(&f, &c) == 0);
	vqt_ring_put_used(&f.r, 0, 0);
	CHECK(vqt_ring_publish(&f.r) == VQT_CALL_SEND);
	CHECK(!vqt_ring_enable_notify(&f.r));
	CHECK(le16_to_cpu(f.r.used->ring[NUM].id & 0xffff) == 2);
	teardown(&f);
	return 0;
}

/* A queue of 2048 allows long chains: more than 1024 descriptors trip. */
static int t_too_many_segs(void)
{
	struct fixture f;
	struct vqt_chain c;
	u32 i;

	setup(&f, 2048, 0, false);
	f.r.desc = (struct vqt_desc *)f.mem[2];	/* 32 KiB of table */
	for (i = 0; i < 1100; i++)
		set_desc(&f.r.desc[i], 0x100000, 8, VQT_DESC_F_NEXT, i + 1);
	offer(&f, 0);
	CHECK(take(&f, &c) == VQTEST_V_TOO_MANY_SEGS);
	CHECK(f.r.viol.desc == VQT_MAX_SEGS);
	teardown(&f);
	return 0;
}

#define RUN(fn) do {							\
	int rc = (fn);							\
	tests++;							\
	if (rc)								\
		failures++;						\
	printf("%s %d - %s\n", rc ? "not ok" : "ok", tests, #fn);	\
} while (0)

int main(void)
{
	u64 ind = 1ULL << VQTEST_F_INDIRECT_DESC;

	printf("TAP version 13\n1..25\n");
	RUN(t_simple_chain());
	RUN(t_split_across_regions());
	RUN(expect(VQTEST_V_AVAIL_IDX_JUMP, VQTEST_NO_DESC, b_avail_jump, 0));
	RUN(t_avail_back());
	RUN(expect(VQTEST_V_HEAD_RANGE, NUM, b_head_range, 0));
	RUN(expect(VQTEST_V_NEXT_RANGE, 0, b_next_range, 0));
	RUN(expect(VQTEST_V_LOOP, 0, b_loop, 0));
	RUN(expect(VQTEST_V_CHAIN_LEN, 2 | VQTEST_DESC_INDIRECT, b_chain_len,
		   ind));
	RUN(expect(VQTEST_V_ZERO_LEN, 1, b_zero_len, 0));
	RUN(expect(VQTEST_V_ADDR_WRAP, 0, b_wrap, 0));
	RUN(expect(VQTEST_V_ADDR_UNMAPPED, 0, b_unmapped, 0));
	RUN(expect(VQTEST_V_INDIRECT_FEATURE, 0, b_indirect_feature, 0));
	RUN(expect(VQTEST_V_INDIRECT_NESTED, 1 | VQTEST_DESC_INDIRECT,
		   b_indirect_nested, ind));
	RUN(expect(VQTEST_V_INDIRECT_NEXT, 0, b_indirect_next, ind));
	RUN(expect(VQTEST_V_INDIRECT_LEN, 0, b_indirect_len, ind));
	RUN(expect(VQTEST_V_LOOP, 0 | VQTEST_DESC_INDIRECT, b_indirect_loop,
		   ind));
	RUN(expect(VQTEST_V_WRITE_ORDER, 1, b_write_order, 0));
	RUN(t_too_many_segs());
	RUN(t_head_in_flight());
	RUN(t_used_written());
	RUN(t_in_order());
	RUN(t_warn_zero_len());
	RUN(t_indirect_ok());
	RUN(t_wrap_around());
	RUN(t_suppression());
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tests - failures, failures);
	return failures ? 1 : 0;
}
