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
 *
 * The loop below is kmod/queue.c's vqtest_queue_run() without locks: a
 * budget that ends a run mid-batch, out-of-order completion windows, a
 * blk-like behaviour that rejects chains with no writable byte, and
 * SET_INDICES between runs, all chosen by header bits older inputs left 0.
 * Oracles besides ASan/UBSan: every violation report, every chain and the
 * published used ring are checked against the ring's documented contract,
 * and no ring address may be read twice while one chain is walked (a
 * double fetch); abort() on a breach, so libFuzzer keeps the input.
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
	u8 feat;		/* 1 event_idx, 2 indirect, 4 in_order, 8 warn,
				 * 0x10 blk-like behaviour, 0x20 SET_INDICES
				 * between runs */
	u8 layout;		/* 1: region 2 not adjacent to region 1,
				 * 0x0e: out-of-order window (x >> 1) + 1 if
				 * non-zero, 0x30: budget 1 << ((x >> 4) - 1)
				 * chains per run if non-zero, 0x40: region 2
				 * only 4 KiB long */
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
static bool armed;
static u8 *areas[4];
static size_t area_len[4];

/*
 * Called by READ_ONCE in the fuzz build: the driver strikes between reads.
 * Reads are counted from the first run on (not while vqt_ring_start() takes
 * its shadow of the used ring), so "at" names a read of the device loop.
 */
static u8 *mem[3];
static u32 stamp[3][FUZZ_REGION / 2], gen;
static bool in_chain, refetched;

void vqt_fuzz_hook(const void *p)
{
	const u8 *b = p;
	u32 i;

	if (!armed)
		return;
	/* a second read of one address while walking one chain */
	for (i = 0; in_chain && i < 3; i++) {
		if (b >= mem[i] && b < mem[i] + FUZZ_REGION) {
			u32 *st = &stamp[i][(b - mem[i]) / 2];

			refetched |= *st == gen;
			*st = gen;
		}
	}
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

/* A breach of the ring's contract: libFuzzer keeps the input. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_ring: %s:%d: %s\n", __FILE__,	\
			__LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static u32 last_class;
static bool last_fatal;

/* Every violation report must be well-formed and consistent. */
static void report(struct vqt_ring *r, const struct vqt_violation *v,
		   bool fatal)
{
	u32 d = v->desc & ~VQTEST_DESC_INDIRECT;

	CHECK(v->class > VQTEST_V_NONE && v->class < VQTEST_V_MAX);
	CHECK(fatal == !(r->warn && vqt_ring_tolerable(v->class)));
	/* HEAD_RANGE names the bad head itself */
	CHECK(v->desc == VQTEST_NO_DESC || d < r->num ||
	      (v->class == VQTEST_V_HEAD_RANGE && v->desc <= 0xffff));
	if (fatal)
		CHECK(r->viol.class == v->class);
	else
		CHECK(r->viol.class != VQTEST_V_NONE);
	last_class = v->class;
	last_fatal = fatal;
}

/* A segment must lie wholly inside the region memory it was mapped from. */
static void check_seg(const struct vqt_map *map, const struct vqt_seg *s)
{
	u32 i;

	CHECK(s->len);
	if (s->flags & VQT_SEG_SPLIT) {
		CHECK(s->flags == VQT_SEG_SPLIT);
		return;		/* vqt_seg_copy() walks it: touch() checks */
	}
	CHECK(!s->flags);
	for (i = 0; i < map->nr; i++) {
		const struct vqt_region *g = map->r[i];

		if (s->kva >= g->kva && s->kva < g->kva + g->len) {
			CHECK(s->len <= (u64)(g->kva + g->len - s->kva));
			return;
		}
	}
	CHECK(!"segment outside every region");
}

/* What vqt_ring_get_chain() promises about a chain it returns. */
static void check_chain(const struct vqt_ring *r, const struct vqt_chain *c,
			u16 ring_idx)
{
	u64 rd = 0, wr = 0;
	u32 i;

	CHECK(c->head < r->num);
	CHECK(test_bit(c->head, r->inflight));
	CHECK(c->ring_idx == ring_idx);
	CHECK((u16)(r->last_avail - ring_idx) == 1);
	CHECK(c->nread <= c->nsegs && c->nsegs <= r->max_segs);
	CHECK(c->nsegs <= c->ndesc && c->ndesc <= r->num);
	CHECK(c->ndesc <= VQT_MAX_SEGS);
	CHECK(c->segs == r->segs);
	for (i = 0; i < c->nsegs; i++) {
		check_seg(r->map, &c->segs[i]);
		if (i < c->nread)
			rd += c->segs[i].len;
		else
			wr += c->segs[i].len;
	}
	CHECK(rd == c->read_len && wr == c->write_len);
	/* the per-chain loop bitmaps are clean again */
	for (i = 0; i < BITS_TO_LONGS(r->num); i++)
		CHECK(!r->visited[i] && !r->ivisited[i]);
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

/* Completions held back for out-of-order delivery, as kmod/queue.c does. */
struct fuzz_done {
	u16 head;
	u32 len;
};

static struct fuzz_done held[8];
static u32 nheld, window;

static void flush_held(struct vqt_ring *r)
{
	while (nheld) {
		nheld--;
		vqt_ring_put_used(r, held[nheld].head, held[nheld].len);
	}
}

static void complete(struct vqt_ring *r, u16 head, u32 len)
{
	if (!window) {
		vqt_ring_put_used(r, head, len);
		return;
	}
	held[nheld].head = head;
	held[nheld].len = len;
	if (++nheld == window)
		flush_held(r);
}

/* Publish; afterwards no head may stay in flight (nothing is held). */
static void publish(struct vqt_ring *r)
{
	u16 old = r->pub_used, i;
	u32 k;

	flush_held(r);
	if (r->used_idx == r->pub_used)
		return;
	vqt_ring_publish(r);
	CHECK(r->pub_used == r->used_idx);
	for (i = old; i != r->pub_used; i++)
		CHECK(le32_to_cpu(r->shadow[i & (r->num - 1)].id) < r->num);
	for (k = 0; k < BITS_TO_LONGS(r->num); k++)
		CHECK(!r->inflight[k]);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct vqt_region reg[3], *slots[3];
	struct vqt_map map = { .nr = 3, .r = slots };
	struct fuzz_hdr h;
	struct vqt_ring r;
	struct vqt_chain c;
	void *scratch;
	u32 num, i, round, budget, rounds;
	u16 used_base;
	u64 feat = 0, completed = 0;
	bool blk;

	take(&data, &size, &h, sizeof(h));
	num = 1U << (h.log2num % 12);
	if (h.feat & 1)
		feat |= 1ULL << VQTEST_F_EVENT_IDX;
	if (h.feat & 2)
		feat |= 1ULL << VQTEST_F_INDIRECT_DESC;
	if (h.feat & 4)
		feat |= 1ULL << VQTEST_F_IN_ORDER;
	blk = h.feat & 0x10;
	/* QUEUE_CREATE refuses an out-of-order window with IN_ORDER */
	window = (h.layout >> 1) & 7;
	window = window && !(h.feat & 4) ? window + 1 : 0;
	budget = (h.layout >> 4) & 3;
	budget = budget ? 1U << (budget - 1) : ~0U;
	rounds = 1 + h.rounds % 4;

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
	if (h.layout & 0x40) {
		/* a short region, flush against its block's end (redzone) */
		reg[2].len = 0x1000;
		reg[2].kva = mem[2] + FUZZ_REGION - 0x1000;
	}

	memset(&r, 0, sizeof(r));
	scratch = calloc(1, vqt_ring_scratch_size(num));
	vqt_ring_init(&r, num, scratch, feat);
	r.warn = h.feat & 8;
	r.report = report;
	/* desc table, avail ring, used ring: all inside region 0 */
	vqt_ring_attach(&r, mem[0], mem[0] + 0x8000, mem[0] + 0xa000, &map);

	nrw = 0;
	reads = 0;
	armed = false;
	nheld = 0;
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
	used_base = h.start_used;
	r.avail->idx = cpu_to_le16(h.avail_idx);
	armed = true;

	/* the worker runs of kmod/queue.c, minus locks and real behaviours */
	for (round = 0; round < rounds; round++) {
		u32 done = 0, spins = 0, v;
		bool stopped = false, exhausted = false;
		int n;

		if (vqt_ring_check_device_area(&r)) {
			stopped = true;
			goto out;
		}
		vqt_ring_disable_notify(&r);
		for (;;) {
			n = vqt_ring_avail(&r);
			if (n < 0) {
				CHECK(last_fatal && r.viol.class == last_class);
				stopped = true;
				goto out;
			}
			CHECK((u32)n <= num);
			if (!n) {
				if (!vqt_ring_enable_notify(&r) || ++spins > 8)
					break;
				vqt_ring_disable_notify(&r);
				continue;
			}
			while (n--) {
				u16 ring_idx = r.last_avail;

				if (done >= budget) {
					exhausted = true;
					goto out;
				}
				if (!++gen) {
					memset(stamp, 0, sizeof(stamp));
					gen = 1;
				}
				refetched = false;
				in_chain = true;
				v = vqt_ring_get_chain(&r, &c);
				in_chain = false;
				/*
				 * Every driver-owned field is read once per
				 * chain (an indirect table may overlap the
				 * descriptor table: then the same bytes are
				 * two fields).
				 */
				CHECK(!refetched || c.indirect);
				if (v) {
					CHECK(v == r.viol.class && v == last_class &&
					      last_fatal);
					CHECK(r.last_avail == ring_idx);
					stopped = true;
					goto out;
				}
				check_chain(&r, &c, ring_idx);
				touch(&r, &c);
				/* blk: no writable status byte is a bad request */
				if (blk && !c.write_len &&
				    vqt_ring_violate(&r, VQTEST_V_BAD_REQUEST,
						     c.head, c.ring_idx, 0)) {
					__clear_bit(c.head, r.inflight);
					stopped = true;
					goto out;
				}
				complete(&r, c.head, (u32)c.write_len);
				completed++;
				done++;
			}
			publish(&r);
		}
out:
		publish(&r);
		CHECK((u16)(r.pub_used - used_base) == (u16)completed);
		if (stopped) {
			if (!(h.feat & 0x20))
				break;
			/* QUEUE_RESET: back to indices 0, the driver offers anew */
			vqt_ring_start(&r, 0, 0);
			used_base = 0;
			completed = 0;
			r.avail->idx = cpu_to_le16((h.rounds >> 2) % (num + 1));
			continue;
		}
		if (exhausted && (round & 1))
			vqt_ring_enable_notify(&r);	/* QUEUE_PROCESS's exit */
		if ((h.feat & 0x20) && !exhausted &&
		    le16_to_cpu(r.avail->idx) == r.last_avail) {
			/* QUEUE_SET_INDICES, then the driver follows suit */
			u16 a = h.used_event + round, u = h.start_used ^ (round * 0x9e37);

			vqt_ring_start(&r, a, u);
			used_base = u;
			completed = 0;
			r.avail->idx = cpu_to_le16(a);
		}
		/* the driver adds more: reuse the same heads */
		r.avail->idx = cpu_to_le16(le16_to_cpu(r.avail->idx) +
					   (h.rounds >> 2) % (num + 1));
	}
	armed = false;
	nrw = 0;
	free(scratch);
	return 0;
}
