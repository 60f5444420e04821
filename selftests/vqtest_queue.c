// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest_queue: device mode (issue 3). Features, memory regions, queue
 * creation, every behaviour with its data checked byte for byte, event
 * suppression, indirect chains, completion order, index wrap-around,
 * reset, every violation class, the lifecycle cases and many queues on
 * many threads.
 *
 * Deterministic tests drive the device with QUEUE_PROCESS; the engine
 * tests use real kick and call eventfds.
 */
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>

#include "vqtest_utils.h"

#define F_V1		VQ_BIT(VQTEST_F_VERSION_1)
#define F_EVENT_IDX	VQ_BIT(VQTEST_F_EVENT_IDX)
#define F_INDIRECT	VQ_BIT(VQTEST_F_INDIRECT_DESC)
#define F_IN_ORDER	VQ_BIT(VQTEST_F_IN_ORDER)
#define F_RING_RESET	VQ_BIT(VQTEST_F_RING_RESET)

#define PAD		0xee	/* writable bytes the device must not touch */

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */
/* ------------------------------------------------------------------ */

FIXTURE(vq) {
	int fd;
	struct vqtest_info info;
	struct vqd q;		/* queue 0 */
	struct vqd q2;		/* queue 1: must survive queue 0's trouble */
};

FIXTURE_SETUP(vq)
{
	vq_open_or_skip(&self->fd);
	vq_get_info(self->fd, &self->info);
}

FIXTURE_TEARDOWN(vq)
{
	if (self->fd >= 0)
		close(self->fd);
	vqd_free(&self->q);
	vqd_free(&self->q2);
}

/*
 * Allocate, map and create queue @index with the given behaviour and
 * eventfds (-1 for none); @event_idx says what the driver negotiated.
 */
static void queue_setup_efd(struct __test_metadata *_metadata, struct vqd *q,
			    int fd, uint32_t index, uint32_t num,
			    uint32_t seg_max, uint32_t behaviour, int kick,
			    int call, bool event_idx)
{
	ASSERT_EQ(0, _vqd_init(q, fd, index, num, seg_max));
	q->kick = kick;
	q->call = call;
	q->event_idx = event_idx;
	ASSERT_EQ(0, _vqd_create(q, behaviour));
}

static void queue_setup(struct __test_metadata *_metadata, struct vqd *q,
			int fd, uint32_t index, uint32_t num, uint32_t seg_max,
			uint32_t behaviour)
{
	queue_setup_efd(_metadata, q, fd, index, num, seg_max, behaviour, -1,
			-1, false);
}

/* One echo chain as the deterministic tests build it */
struct echo_chain {
	int head;
	uint32_t nr, nw;
	uint32_t lens[32];
	uint16_t ids[32];
	uint64_t seed;
};

/* Expected used.len of an echo chain: the smaller of the two totals */
static uint32_t echo_expect(const struct echo_chain *ec)
{
	uint32_t r = 0, w = 0, k;

	for (k = 0; k < ec->nr; k++)
		r += ec->lens[k];
	for (; k < ec->nr + ec->nw; k++)
		w += ec->lens[k];
	return r < w ? r : w;
}

/*
 * Build and offer (not publish) an echo chain: readable buffers get seeded
 * data, writable ones PAD. Returns the head or -1.
 */
static int echo_offer(struct vqd *q, struct echo_chain *ec)
{
	uint32_t k;

	ec->head = vqd_chain(q, ec->nr, ec->nw, ec->lens, ec->ids);
	if (ec->head < 0)
		return -1;
	for (k = 0; k < ec->nr + ec->nw; k++) {
		if (k < ec->nr)
			vq_fill(vqd_buf(q, ec->ids[k]), ec->lens[k],
				ec->seed * 131 + k);
		else
			memset(vqd_buf(q, ec->ids[k]), PAD, ec->lens[k]);
	}
	vqd_offer(q, ec->head);
	return ec->head;
}

/*
 * Check the writable buffers of an echo chain: the readable stream up to
 * used.len, PAD after. Returns 0 or the offset of the first bad byte + 1.
 */
static size_t echo_bad_byte(const struct vqd *q, const struct echo_chain *ec,
			    uint32_t used_len)
{
	uint8_t in[4096], out[4096];
	uint32_t r = 0, w = 0, k, i;

	for (k = 0; k < ec->nr; k++) {
		vq_fill(in + r, ec->lens[k], ec->seed * 131 + k);
		r += ec->lens[k];
	}
	for (; k < ec->nr + ec->nw; k++) {
		memcpy(out + w, vqd_buf(q, ec->ids[k]), ec->lens[k]);
		w += ec->lens[k];
	}
	for (i = 0; i < w; i++) {
		if (i < used_len ? out[i] != in[i] : out[i] != PAD)
			return i + 1;
	}
	return 0;
}

/* Reap one used element and check it is @ec, echoed correctly. */
static void echo_reap_check(struct __test_metadata *_metadata, struct vqd *q,
			    const struct echo_chain *ec)
{
	uint32_t head, len;

	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(U32(ec->head), head);
	ASSERT_EQ(echo_expect(ec), len);
	ASSERT_EQ(0U, echo_bad_byte(q, ec, len));
}

/* A small echo chain through @q with QUEUE_PROCESS, checked. */
static void assert_queue_works(struct __test_metadata *_metadata,
			       struct vqd *q)
{
	struct echo_chain ec = {
		.nr = 2, .nw = 2, .lens = { 16, 7, 11, 12 },
		.seed = q->avail_idx + 1000,
	};
	uint32_t chains, pending;

	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	ASSERT_EQ(0, _vq_process(q->fd, q->index, 0, &chains, &pending));
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(0U, pending);
	echo_reap_check(_metadata, q, &ec);
}

/*
 * The driver's half of a reset (virtio's queue_enable): the queue is in
 * VQTEST_QS_RESET, the device keeps its hands off the rings; rewrite them
 * and enable at 0/0 (vqd_reset_driver() does both).
 */
static void queue_reenable(struct __test_metadata *_metadata, struct vqd *q)
{
	struct vqtest_queue_stats st;
	uint32_t chains = 0xdead;

	vq_stats(q->fd, q->index, &st);
	ASSERT_EQ(U32(VQTEST_QS_RESET), st.out_state);
	ASSERT_EQ(-EBUSY, _vq_process(q->fd, q->index, 0, &chains, NULL));
	vqd_reset_driver(q);
	vq_stats(q->fd, q->index, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(U32(VQTEST_V_NONE), st.out_violation);
	ASSERT_EQ(VQTEST_NO_DESC, st.out_violation_desc);
	ASSERT_EQ(0U, st.out_last_avail_idx);
	ASSERT_EQ(0U, st.out_used_idx);
	ASSERT_EQ(0, vqd_used_idx(q));
}

/* ------------------------------------------------------------------ */
/* Features                                                            */
/* ------------------------------------------------------------------ */

TEST_F(vq, features_not_offered)
{
	static const unsigned int bits[] = { 0, 5, 24, 27, 30, 31, 33, 34, 36,
					     37, 38, 39, 41, 63 };
	struct vqtest_info info;
	unsigned int i;

	for (i = 0; i < VQ_ARRAY_SIZE(bits); i++)
		EXPECT_EQ(-EINVAL, _vq_set_features(self->fd,
						    F_V1 | VQ_BIT(bits[i])))
			TH_LOG("feature bit %u", bits[i]);
	vq_get_info(self->fd, &info);
	ASSERT_EQ(0ULL, info.out_driver_features);
	/* the whole offer is acceptable */
	vq_set_features(self->fd, VQ_ALL_FEATURES);
	vq_get_info(self->fd, &info);
	ASSERT_EQ(U64(VQ_ALL_FEATURES), info.out_driver_features);
	/* a refused change leaves the acknowledged set alone */
	ASSERT_EQ(-EINVAL, _vq_set_features(self->fd, F_V1 | VQ_BIT(34)));
	vq_get_info(self->fd, &info);
	ASSERT_EQ(U64(VQ_ALL_FEATURES), info.out_driver_features);
}

TEST_F(vq, features_need_version_1)
{
	ASSERT_EQ(-EINVAL, _vq_set_features(self->fd, 0));
	ASSERT_EQ(-EINVAL, _vq_set_features(self->fd, F_EVENT_IDX));
	ASSERT_EQ(-EINVAL,
		  _vq_set_features(self->fd, VQ_ALL_FEATURES & ~F_V1));
	vq_set_features(self->fd, F_V1);
}

TEST_F(vq, features_busy_with_queues)
{
	struct vqtest_info info;

	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, &self->q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	ASSERT_EQ(-EBUSY, _vq_set_features(self->fd, F_V1 | F_EVENT_IDX));
	/* even the same set: features are fixed while queues exist */
	ASSERT_EQ(-EBUSY, _vq_set_features(self->fd, F_V1));
	vq_get_info(self->fd, &info);
	ASSERT_EQ(U64(F_V1), info.out_driver_features);
	vq_queue_destroy(self->fd, 0);
	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	vq_get_info(self->fd, &info);
	ASSERT_EQ(U64(F_V1 | F_EVENT_IDX), info.out_driver_features);
}

TEST_F(vq, create_before_features)
{
	ASSERT_EQ(0, _vqd_init(&self->q, self->fd, 0, 8, 64));
	ASSERT_EQ(-EPROTO, _vqd_create(&self->q, VQTEST_BEH_ECHO));
	/* a refused SET_FEATURES does not count as negotiation */
	ASSERT_EQ(-EINVAL, _vq_set_features(self->fd, F_EVENT_IDX));
	ASSERT_EQ(-EPROTO, _vqd_create(&self->q, VQTEST_BEH_ECHO));
	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_create(&self->q, VQTEST_BEH_ECHO));
	assert_queue_works(_metadata, &self->q);
}

/* ------------------------------------------------------------------ */
/* Memory regions                                                      */
/* ------------------------------------------------------------------ */

TEST_F(vq, map_alignment)
{
	uint8_t *p = vq_alloc(4 * VQ_PAGE);
	uint64_t iova = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(-EINVAL, _vq_map(self->fd, p + 1, VQ_PAGE, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, _vq_map(self->fd, p + 2048, VQ_PAGE, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, _vq_map(self->fd, p, 0, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, _vq_map(self->fd, p, 100, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, _vq_map(self->fd, p, VQ_PAGE + 1, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, _vq_map(self->fd, p, VQ_PAGE, VQTEST_MAP_FIXED_IOVA,
				   0x40000001, NULL));
	ASSERT_EQ(-EINVAL, _vq_map(self->fd, p, VQ_PAGE, VQTEST_MAP_FIXED_IOVA,
				   0x40000800, NULL));
	/* address + length wrapping around 2^64 */
	ASSERT_EQ(-EOVERFLOW, _vq_map(self->fd, (void *)-VQ_PAGE, 2 * VQ_PAGE,
				      0, 0, NULL));
	ASSERT_EQ(-EOVERFLOW, _vq_map(self->fd, p, 2 * VQ_PAGE,
				      VQTEST_MAP_FIXED_IOVA, -VQ_PAGE, NULL));
	/* nothing above left a region behind: the whole range maps */
	vq_map(self->fd, p, 4 * VQ_PAGE, 0, 0, &iova);
	ASSERT_EQ((uintptr_t)p, iova);
	vq_unmap(self->fd, iova, 4 * VQ_PAGE);
	/* and the fixed IOVA comes back as given */
	vq_map(self->fd, p, VQ_PAGE, VQTEST_MAP_FIXED_IOVA, 0x40000000, &iova);
	ASSERT_EQ(0x40000000ULL, iova);
}

TEST_F(vq, map_overlap)
{
	uint8_t *p = vq_alloc(8 * VQ_PAGE);
	uint64_t base;

	ASSERT_NE(NULL, p);
	base = (uintptr_t)p;
	vq_map(self->fd, p + VQ_PAGE, 4 * VQ_PAGE, 0, 0, NULL);
	/* the same range, a range inside, ranges over either end */
	ASSERT_EQ(-EEXIST, _vq_map(self->fd, p + VQ_PAGE, 4 * VQ_PAGE, 0, 0,
				   NULL));
	ASSERT_EQ(-EEXIST, _vq_map(self->fd, p + 2 * VQ_PAGE, VQ_PAGE, 0, 0,
				   NULL));
	ASSERT_EQ(-EEXIST, _vq_map(self->fd, p, 2 * VQ_PAGE, 0, 0, NULL));
	ASSERT_EQ(-EEXIST, _vq_map(self->fd, p + 4 * VQ_PAGE, 2 * VQ_PAGE, 0,
				   0, NULL));
	ASSERT_EQ(-EEXIST, _vq_map(self->fd, p, 8 * VQ_PAGE, 0, 0, NULL));
	/* other memory at an IOVA inside the region */
	ASSERT_EQ(-EEXIST, _vq_map(self->fd, p + 6 * VQ_PAGE, VQ_PAGE,
				   VQTEST_MAP_FIXED_IOVA, base + 3 * VQ_PAGE,
				   NULL));
	/* touching is not overlapping */
	vq_map(self->fd, p, VQ_PAGE, 0, 0, NULL);
	vq_map(self->fd, p + 5 * VQ_PAGE, VQ_PAGE, 0, 0, NULL);
	/* the same memory twice at different IOVAs is allowed */
	vq_map(self->fd, p + VQ_PAGE, VQ_PAGE, VQTEST_MAP_FIXED_IOVA,
	       0x40000000, NULL);
	ASSERT_EQ(-EEXIST, _vq_map(self->fd, p + 7 * VQ_PAGE, VQ_PAGE,
				   VQTEST_MAP_FIXED_IOVA, 0x40000000, NULL));
}

TEST_F(vq, map_too_many_regions)
{
	uint32_t n = self->info.out_max_regions, i;
	uint8_t *p;

	ASSERT_LT(0U, n);
	/* every other page, so no two regions are even adjacent */
	p = vq_alloc(2 * (n + 1) * VQ_PAGE);
	ASSERT_NE(NULL, p);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, _vq_map(self->fd, p + 2 * i * VQ_PAGE, VQ_PAGE, 0,
				     0, NULL))
			TH_LOG("region %u of %u", i, n);
	ASSERT_EQ(-ENOSPC, _vq_map(self->fd, p + 2 * n * VQ_PAGE, VQ_PAGE, 0,
				   0, NULL));
	/* the limit is per device */
	{
		int fd2 = _vq_open();

		ASSERT_LE(0, fd2);
		ASSERT_EQ(0, _vq_map(fd2, p + 2 * n * VQ_PAGE, VQ_PAGE, 0, 0,
				     NULL));
		close(fd2);
	}
	vq_unmap(self->fd, (uintptr_t)p, VQ_PAGE);
	vq_map(self->fd, p + 2 * n * VQ_PAGE, VQ_PAGE, 0, 0, NULL);
}

TEST_F(vq, unmap_in_use)
{
	uint8_t *bufs = vq_alloc(VQ_PAGE);

	ASSERT_NE(NULL, bufs);
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, &self->q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	ASSERT_EQ(-EBUSY, _vq_unmap(self->fd, self->q.iova, self->q.mem_len));
	/* a region with buffers only can go while the queue lives */
	vq_map(self->fd, bufs, VQ_PAGE, 0, 0, NULL);
	vq_unmap(self->fd, (uintptr_t)bufs, VQ_PAGE);
	assert_queue_works(_metadata, &self->q);
	vq_queue_destroy(self->fd, 0);
	vq_unmap(self->fd, self->q.iova, self->q.mem_len);
	ASSERT_EQ(-ENOENT, _vq_unmap(self->fd, self->q.iova, self->q.mem_len));
}

/* rings in two regions: each one is held */
TEST_F(vq, unmap_in_use_split_rings)
{
	struct vqtest_queue_create c;
	uint8_t *a = vq_alloc(VQ_PAGE), *b = vq_alloc(VQ_PAGE);

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	vq_set_features(self->fd, F_V1);
	vq_map(self->fd, a, VQ_PAGE, 0, 0, NULL);
	vq_map(self->fd, b, VQ_PAGE, 0, 0, NULL);
	memset(&c, 0, sizeof(c));
	c.num = 8;
	c.desc_iova = (uintptr_t)a;
	c.driver_iova = (uintptr_t)a + 2048;
	c.device_iova = (uintptr_t)b;
	c.kick_fd = VQTEST_NO_FD;
	c.call_fd = VQTEST_NO_FD;
	c.behaviour = VQTEST_BEH_NULL;
	c.cpu = VQTEST_CPU_ANY;
	vq_queue_create(self->fd, &c);
	ASSERT_EQ(-EBUSY, _vq_unmap(self->fd, (uintptr_t)a, VQ_PAGE));
	ASSERT_EQ(-EBUSY, _vq_unmap(self->fd, (uintptr_t)b, VQ_PAGE));
	vq_queue_destroy(self->fd, 0);
	vq_unmap(self->fd, (uintptr_t)a, VQ_PAGE);
	vq_unmap(self->fd, (uintptr_t)b, VQ_PAGE);
}

TEST_F(vq, unmap_wrong_range)
{
	uint8_t *p = vq_alloc(4 * VQ_PAGE);
	uint64_t b;

	ASSERT_NE(NULL, p);
	b = (uintptr_t)p;
	vq_map(self->fd, p, 2 * VQ_PAGE, 0, 0, NULL);
	ASSERT_EQ(-ENOENT, _vq_unmap(self->fd, b, VQ_PAGE));
	ASSERT_EQ(-ENOENT, _vq_unmap(self->fd, b, 3 * VQ_PAGE));
	ASSERT_EQ(-ENOENT, _vq_unmap(self->fd, b + VQ_PAGE, VQ_PAGE));
	ASSERT_EQ(-ENOENT, _vq_unmap(self->fd, b + 2 * VQ_PAGE, 2 * VQ_PAGE));
	ASSERT_EQ(-ENOENT, _vq_unmap(self->fd, 0, 0));
	vq_unmap(self->fd, b, 2 * VQ_PAGE);
	ASSERT_EQ(-ENOENT, _vq_unmap(self->fd, b, 2 * VQ_PAGE));
}

/* A buffer at a fixed IOVA far from its address is translated right. */
TEST_F(vq, map_fixed_iova)
{
	const uint64_t iova = 0x100000000ULL;	/* 4 GiB: not our VA */
	struct vqtest_queue_stats st;
	uint8_t *buf = vq_alloc(2 * VQ_PAGE);
	uint8_t expect[3000];
	uint32_t head, len, chains;
	struct vqd *q = &self->q;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(iova, (uintptr_t)buf);
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	vq_map(self->fd, buf, 2 * VQ_PAGE, VQTEST_MAP_FIXED_IOVA, iova, NULL);

	/* read 3000 bytes at IOVA+100, write them at IOVA+4000 (page split) */
	vq_fill(buf + 100, 3000, 42);
	memcpy(expect, buf + 100, sizeof(expect));
	memset(buf + 4000, PAD, 3100);
	vqd_set_desc(&q->desc[0], iova + 100, 3000, VQD_F_NEXT, 1);
	vqd_set_desc(&q->desc[1], iova + 4000, 3100, VQD_F_WRITE, 0);
	vqd_offer(q, 0);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(0U, head);
	ASSERT_EQ(3000U, len);
	ASSERT_EQ(0, memcmp(expect, buf + 4000, 3000));
	ASSERT_EQ(PAD, buf[7000]);
	ASSERT_EQ(PAD, buf[7099]);

	/* the VA is not an IOVA: using it is a violation, not an access */
	vqd_set_desc(&q->desc[2], (uintptr_t)buf, 16, 0, 0);
	vqd_offer(q, 2);
	vqd_publish(q);
	ASSERT_EQ(-EIO, _vq_process(self->fd, 0, 0, &chains, NULL));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_V_ADDR_UNMAPPED), st.out_violation);
	ASSERT_EQ(2U, st.out_violation_desc);
	ASSERT_EQ(U64((uintptr_t)buf), st.out_violation_addr);
}

/* A buffer across two back-to-back regions (different memory) is fine. */
TEST_F(vq, map_buffer_spans_regions)
{
	const uint64_t iova = 0x200000000ULL;
	uint8_t *a = vq_alloc(VQ_PAGE), *b = vq_alloc(VQ_PAGE);
	uint8_t in[64];
	uint32_t head, len, chains;
	struct vqd *q = &self->q;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	vq_map(self->fd, a, VQ_PAGE, VQTEST_MAP_FIXED_IOVA, iova, NULL);
	vq_map(self->fd, b, VQ_PAGE, VQTEST_MAP_FIXED_IOVA, iova + VQ_PAGE,
	       NULL);
	/* read 64 bytes across the seam, write them back across it too */
	vq_fill(in, sizeof(in), 7);
	memcpy(a + VQ_PAGE - 40, in, 40);
	memcpy(b, in + 40, 24);
	memset(a + VQ_PAGE - 200, PAD, 100);
	memset(b + 100, PAD, 100);
	vqd_set_desc(&q->desc[0], iova + VQ_PAGE - 40, 64, VQD_F_NEXT, 1);
	vqd_set_desc(&q->desc[1], iova + VQ_PAGE - 10, 10,
		     VQD_F_WRITE | VQD_F_NEXT, 2);
	vqd_set_desc(&q->desc[2], iova + VQ_PAGE + 100, 54, VQD_F_WRITE, 0);
	vqd_offer(q, 0);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(64U, len);
	/* desc 1 overwrote the tail of the source: compare with the copy */
	ASSERT_EQ(0, memcmp(a + VQ_PAGE - 10, in, 10));
	ASSERT_EQ(0, memcmp(b + 100, in + 10, 54));
	ASSERT_EQ(PAD, b[154]);
}

TEST_F(vq, map_not_writable)
{
	uint8_t *ro = mmap(NULL, 2 * VQ_PAGE, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *none = mmap(NULL, VQ_PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *hole = vq_alloc(3 * VQ_PAGE);
	long lck0;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_NE(NULL, hole);
	ASSERT_EQ(0, munmap(hole + VQ_PAGE, VQ_PAGE));
	lck0 = vq_status_kb("VmLck");
	ASSERT_LE(0, lck0);

	ASSERT_EQ(-EFAULT, _vq_map(self->fd, ro, 2 * VQ_PAGE, 0, 0, NULL));
	ASSERT_EQ(-EFAULT, _vq_map(self->fd, none, VQ_PAGE, 0, 0, NULL));
	/* the hole in the middle: the first page pins, then it fails */
	ASSERT_EQ(-EFAULT, _vq_map(self->fd, hole, 3 * VQ_PAGE, 0, 0, NULL));
	/* a failed map leaves no pins and no memlock charge behind */
	ASSERT_EQ(lck0, vq_status_kb("VmLck"));
	vq_map(self->fd, hole, VQ_PAGE, 0, 0, NULL);
	ASSERT_EQ(lck0 + 4, vq_status_kb("VmLck"));
}

/* Root is charged too (it is only exempt from the limit). */
TEST_F(vq, map_memlock_charged)
{
	uint8_t *p = vq_alloc(64 * VQ_PAGE);
	long lck0 = vq_status_kb("VmLck");

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, lck0);
	vq_map(self->fd, p, 16 * VQ_PAGE, 0, 0, NULL);
	ASSERT_EQ(lck0 + 64, vq_status_kb("VmLck"));
	vq_map(self->fd, p + 16 * VQ_PAGE, 48 * VQ_PAGE, 0, 0, NULL);
	ASSERT_EQ(lck0 + 256, vq_status_kb("VmLck"));
	vq_unmap(self->fd, (uintptr_t)p, 16 * VQ_PAGE);
	ASSERT_EQ(lck0 + 192, vq_status_kb("VmLck"));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(lck0, vq_status_kb("VmLck"));
}

/*
 * RLIMIT_MEMLOCK: a child opens the device, drops to nobody (so
 * CAP_IPC_LOCK is gone), lowers the limit and maps around it.
 */
#define CHILD_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "child: %s:%d: %s failed\n",	\
				__FILE__, __LINE__, #cond);		\
			_exit(1);					\
		}							\
	} while (0)

TEST_F(vq, map_memlock_rlimit)
{
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rlimit rl = { 64 * 1024, 64 * 1024 };
		uint8_t *p = vq_alloc(64 * VQ_PAGE);
		int fd = _vq_open();

		CHILD_CHECK(p && fd >= 0);
		CHILD_CHECK(!setresgid(65534, 65534, 65534));
		CHILD_CHECK(!setresuid(65534, 65534, 65534));
		CHILD_CHECK(!setrlimit(RLIMIT_MEMLOCK, &rl));
		CHILD_CHECK(vq_status_kb("VmLck") == 0);

		/* 32 KiB fits, 32 KiB more fits exactly, 1 page more not */
		CHILD_CHECK(!_vq_map(fd, p, 8 * VQ_PAGE, 0, 0, NULL));
		CHILD_CHECK(vq_status_kb("VmLck") == 32);
		CHILD_CHECK(_vq_map(fd, p + 8 * VQ_PAGE, 17 * VQ_PAGE, 0, 0,
				    NULL) == -ENOMEM);
		CHILD_CHECK(vq_status_kb("VmLck") == 32);
		CHILD_CHECK(!_vq_map(fd, p + 8 * VQ_PAGE, 8 * VQ_PAGE, 0, 0,
				     NULL));
		CHILD_CHECK(vq_status_kb("VmLck") == 64);
		CHILD_CHECK(_vq_map(fd, p + 16 * VQ_PAGE, VQ_PAGE, 0, 0,
				    NULL) == -ENOMEM);
		/* nobody cannot open the 0600 node: the fd came from root */
		CHILD_CHECK(_vq_open() == -EACCES);
		/* unmap gives it back */
		CHILD_CHECK(!_vq_unmap(fd, (uintptr_t)p, 8 * VQ_PAGE));
		CHILD_CHECK(vq_status_kb("VmLck") == 32);
		CHILD_CHECK(!_vq_map(fd, p + 16 * VQ_PAGE, 8 * VQ_PAGE, 0, 0,
				     NULL));
		CHILD_CHECK(vq_status_kb("VmLck") == 64);
		/* close gives everything back */
		close(fd);
		CHILD_CHECK(vq_status_kb("VmLck") == 0);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* ------------------------------------------------------------------ */
/* Queue creation                                                      */
/* ------------------------------------------------------------------ */

TEST_F(vq, create_bad_num)
{
	static const uint32_t bad[] = { 0, 3, 6, 12, 1000, 32769, 65536,
					0x80000000U, 0xffffffffU };
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;
	unsigned int i;

	vq_set_features(self->fd, F_V1);
	/* room for the largest queue */
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 32768, 0));
	vqd_create_cmd(q, &c);
	for (i = 0; i < VQ_ARRAY_SIZE(bad); i++) {
		c.num = bad[i];
		EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c))
			TH_LOG("num %u", bad[i]);
	}
	/* above the device maximum, even when a power of two */
	c.num = self->info.out_max_queue_size * 2;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* 1 and the maximum are fine */
	c.num = 1;
	vq_queue_create(self->fd, &c);
	c.num = self->info.out_max_queue_size;
	c.index = 1;
	vq_queue_create(self->fd, &c);
}

TEST_F(vq, create_misaligned)
{
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;
	uint32_t i;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 8, 64));
	/* move the rings by less than their alignment */
	for (i = 1; i < 16; i++) {
		vqd_create_cmd(q, &c);
		c.desc_iova += i;
		EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c))
			TH_LOG("desc + %u", i);
	}
	vqd_create_cmd(q, &c);
	c.driver_iova += 1;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	for (i = 1; i < 4; i++) {
		vqd_create_cmd(q, &c);
		c.device_iova += i;
		EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c))
			TH_LOG("used + %u", i);
	}
	/* the minimum alignments are enough */
	vqd_create_cmd(q, &c);
	c.desc_iova += 16;
	c.driver_iova += 2;
	c.device_iova += 4;
	vq_queue_create(self->fd, &c);
}

TEST_F(vq, create_ring_outside_memory)
{
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;
	uint8_t *gap;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 8, 0));
	gap = vq_alloc(VQ_PAGE);	/* allocated, not registered */
	ASSERT_NE(NULL, gap);

	vqd_create_cmd(q, &c);
	c.desc_iova = (uintptr_t)gap;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.driver_iova = (uintptr_t)gap;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.device_iova = (uintptr_t)gap;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* starting inside, ending past the region's end */
	vqd_create_cmd(q, &c);
	c.device_iova = q->iova + q->mem_len - 64;	/* needs 6 + 64 */
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.desc_iova = q->iova + q->mem_len - 64;	/* needs 128 */
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* a larger size pushes the descriptor table out of the page */
	vqd_create_cmd(q, &c);
	c.num = 512;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* address + length wrapping around 2^64 */
	vqd_create_cmd(q, &c);
	c.desc_iova = 0xfffffffffffffff0ULL;
	ASSERT_EQ(-EOVERFLOW, _vq_queue_create(self->fd, &c));
	/* exactly at the end is fine */
	vqd_create_cmd(q, &c);
	c.device_iova = q->iova + q->mem_len - (6 + 8 * 8);
	c.device_iova &= ~3ULL;
	vq_queue_create(self->fd, &c);
}

TEST_F(vq, create_bad_eventfd)
{
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;
	int pipefd[2], efd = vq_eventfd();

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe(pipefd));
	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 8, 64));

	vqd_create_cmd(q, &c);
	c.kick_fd = 1000;	/* not open */
	ASSERT_EQ(-EBADF, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.call_fd = 1000;
	ASSERT_EQ(-EBADF, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.kick_fd = -2;
	ASSERT_EQ(-EBADF, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.call_fd = -100;
	ASSERT_EQ(-EBADF, _vq_queue_create(self->fd, &c));
	/* open, but not an eventfd */
	vqd_create_cmd(q, &c);
	c.kick_fd = pipefd[0];
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.call_fd = pipefd[1];
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	vqd_create_cmd(q, &c);
	c.kick_fd = self->fd;	/* the device itself */
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* nothing was left half-created */
	ASSERT_EQ(-ENOENT, _vq_queue_destroy(self->fd, 0));
	vqd_create_cmd(q, &c);
	c.kick_fd = efd;
	c.call_fd = efd;
	vq_queue_create(self->fd, &c);
}

TEST_F(vq, create_duplicate_index)
{
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;
	uint32_t max = self->info.out_max_queues;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 8, 64));
	vqd_create_cmd(q, &c);
	vq_queue_create(self->fd, &c);
	ASSERT_EQ(-EEXIST, _vq_queue_create(self->fd, &c));
	/* the same rings under another index are the driver's business */
	c.index = max - 1;
	vq_queue_create(self->fd, &c);
	ASSERT_EQ(-EEXIST, _vq_queue_create(self->fd, &c));
	c.index = max;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.index = 0xffffffffU;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* index 0 still works after the refusals */
	assert_queue_works(_metadata, q);
}

TEST_F(vq, destroy_unknown)
{
	struct vqtest_queue_stats st;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(-ENOENT, _vq_queue_destroy(self->fd, 0));
	ASSERT_EQ(-ENOENT, _vq_queue_destroy(self->fd, 5));
	ASSERT_EQ(-ENOENT, _vq_queue_destroy(self->fd, 0xffffffffU));
	queue_setup(_metadata, &self->q, self->fd, 5, 8, 64, VQTEST_BEH_ECHO);
	ASSERT_EQ(-ENOENT, _vq_queue_destroy(self->fd, 4));
	vq_queue_destroy(self->fd, 5);
	ASSERT_EQ(-ENOENT, _vq_queue_destroy(self->fd, 5));
	/* the other queue ioctls on a queue that is not there */
	ASSERT_EQ(-ENOENT, _vq_stats(self->fd, 5, &st));
	ASSERT_EQ(-ENOENT, _vq_queue_reset(self->fd, 5, NULL));
	ASSERT_EQ(-ENOENT, _vq_process(self->fd, 5, 0, NULL, NULL));
	ASSERT_EQ(-ENOENT, _vq_set_indices(self->fd, 5, 0, 0));
}

TEST_F(vq, create_bad_options)
{
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 8, 64));

	/* behaviours this build does not implement */
	vqd_create_cmd(q, &c);
	c.behaviour = VQTEST_BEH_BLK + 1;
	EXPECT_EQ(-EOPNOTSUPP, _vq_queue_create(self->fd, &c));
	c.behaviour = 0xffffffffU;
	EXPECT_EQ(-EOPNOTSUPP, _vq_queue_create(self->fd, &c));
	c.behaviour = 0;
	{
		int ret = _vq_queue_create(self->fd, &c);

		EXPECT_TRUE(ret == -EOPNOTSUPP || ret == -EINVAL)
			TH_LOG("behaviour 0: %d", ret);
	}
	vqd_create_cmd(q, &c);
	c.level = VQTEST_LEVEL_WARN + 1;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* checksum is a sink option */
	vqd_create_cmd(q, &c);
	c.flags = VQTEST_QUEUE_F_CHECKSUM;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* blk_capacity is a blk option, a multiple of 512 up to the max */
	vqd_create_cmd(q, &c);
	c.blk_capacity = 512;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.behaviour = VQTEST_BEH_BLK;
	c.blk_capacity = 0;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.blk_capacity = 1000;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.blk_capacity = self->info.out_max_blk_capacity + 512;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* ooo_window: only with the flag, 2 to VQTEST_MAX_OOO_WINDOW */
	vqd_create_cmd(q, &c);
	c.ooo_window = 4;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.flags = VQTEST_QUEUE_F_OUT_OF_ORDER;
	c.ooo_window = 1;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.ooo_window = 0;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.ooo_window = VQTEST_MAX_OOO_WINDOW + 1;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* cpu: VQTEST_CPU_ANY or an online CPU */
	vqd_create_cmd(q, &c);
	c.cpu = -2;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.cpu = 1 << 20;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	/* busy_poll_us: at most 1000 */
	vqd_create_cmd(q, &c);
	c.busy_poll_us = 1001;
	EXPECT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	ASSERT_EQ(-ENOENT, _vq_queue_destroy(self->fd, 0));

	/* and the edges that are fine, one queue each */
	vqd_create_cmd(q, &c);
	c.busy_poll_us = 1000;
	c.cpu = 0;
	c.flags = VQTEST_QUEUE_F_OUT_OF_ORDER;
	c.ooo_window = VQTEST_MAX_OOO_WINDOW;
	vq_queue_create(self->fd, &c);
	vqd_create_cmd(q, &c);
	c.index = 1;
	c.behaviour = VQTEST_BEH_BLK;
	c.blk_capacity = self->info.out_max_blk_capacity;
	vq_queue_create(self->fd, &c);
	vqd_create_cmd(q, &c);
	c.index = 2;
	c.behaviour = VQTEST_BEH_SINK;
	c.flags = VQTEST_QUEUE_F_CHECKSUM;
	vq_queue_create(self->fd, &c);
}

/* ------------------------------------------------------------------ */
/* Behaviours                                                          */
/* ------------------------------------------------------------------ */

/* Echo over hand-picked shapes, one batch, counters checked. */
TEST_F(vq, echo_shapes)
{
	struct echo_chain ec[] = {
		{ .nr = 1, .nw = 1, .lens = { 100, 100 } },
		{ .nr = 3, .nw = 1, .lens = { 10, 20, 30, 60 } },
		/* more room than data: the tail stays untouched */
		{ .nr = 1, .nw = 3, .lens = { 50, 10, 10, 100 } },
		/* less room than data: truncated */
		{ .nr = 2, .nw = 1, .lens = { 100, 100, 50 } },
		/* nothing to read, nothing to write */
		{ .nr = 0, .nw = 2, .lens = { 64, 64 } },
		{ .nr = 2, .nw = 0, .lens = { 64, 64 } },
		{ .nr = 1, .nw = 1, .lens = { 1, 1 } },
		{ .nr = 1, .nw = 1, .lens = { 256, 256 } },
	};
	uint64_t rd = 0, wr = 0, nd = 0;
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t i, k, chains, pending;

	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 32, 256, VQTEST_BEH_ECHO);
	for (i = 0; i < VQ_ARRAY_SIZE(ec); i++) {
		ec[i].seed = i + 1;
		ASSERT_LE(0, echo_offer(q, &ec[i]));
		for (k = 0; k < ec[i].nr; k++)
			rd += ec[i].lens[k];
		wr += echo_expect(&ec[i]);
		nd += ec[i].nr + ec[i].nw;
	}
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, &pending);
	ASSERT_EQ(U32(VQ_ARRAY_SIZE(ec)), chains);
	ASSERT_EQ(0U, pending);
	for (i = 0; i < VQ_ARRAY_SIZE(ec); i++)
		echo_reap_check(_metadata, q, &ec[i]);

	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(32U, st.out_num);
	ASSERT_EQ(U32(VQTEST_BEH_ECHO), st.out_behaviour);
	ASSERT_EQ(U32(VQ_ARRAY_SIZE(ec)), st.out_last_avail_idx);
	ASSERT_EQ(U32(VQ_ARRAY_SIZE(ec)), st.out_used_idx);
	ASSERT_EQ(U32(VQTEST_V_NONE), st.out_violation);
	ASSERT_EQ(VQTEST_NO_DESC, st.out_violation_desc);
	ASSERT_EQ(U64(VQ_ARRAY_SIZE(ec)), VQ_CNT(&st, chains));
	ASSERT_EQ(U64(VQ_ARRAY_SIZE(ec)), VQ_CNT(&st, used));
	ASSERT_EQ(nd, VQ_CNT(&st, descs));
	ASSERT_EQ(rd, VQ_CNT(&st, bytes_read));
	ASSERT_EQ(wr, VQ_CNT(&st, bytes_written));
	ASSERT_EQ(0ULL, VQ_CNT(&st, indirect));
	/* one batch, one publish: one call (counted without a call fd) */
	ASSERT_EQ(1ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(1ULL, VQ_CNT(&st, worker_runs));
	ASSERT_EQ(0ULL, VQ_CNT(&st, kicks));
	ASSERT_EQ(0ULL, VQ_CNT(&st, violations));
	ASSERT_EQ(0ULL, VQ_CNT(&st, dropped));
	/* the sink checksum starts at its initial value and stays there */
	ASSERT_EQ(VQTEST_CSUM_INIT, VQ_CNT(&st, checksum));
}

/* QUEUE_PROCESS max_chains and out_pending */
TEST_F(vq, process_max_chains)
{
	struct echo_chain ec[6];
	struct vqd *q = &self->q;
	uint32_t i, chains, pending;

	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 16, 64, VQTEST_BEH_ECHO);
	for (i = 0; i < 6; i++) {
		ec[i] = (struct echo_chain){ .nr = 1, .nw = 1,
					     .lens = { 20, 20 }, .seed = i };
		ASSERT_LE(0, echo_offer(q, &ec[i]));
	}
	vqd_publish(q);
	vq_process(self->fd, 0, 2, &chains, &pending);
	ASSERT_EQ(2U, chains);
	ASSERT_EQ(4U, pending);
	ASSERT_EQ(2, vqd_used_idx(q));
	vq_process(self->fd, 0, 3, &chains, &pending);
	ASSERT_EQ(3U, chains);
	ASSERT_EQ(1U, pending);
	vq_process(self->fd, 0, 0, &chains, &pending);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(0U, pending);
	vq_process(self->fd, 0, 0, &chains, &pending);
	ASSERT_EQ(0U, chains);
	for (i = 0; i < 6; i++)
		echo_reap_check(_metadata, q, &ec[i]);
}

/*
 * A driver reuses its struct for the next call, as one does with a
 * struct that has only input fields and out_ fields: the out_ values the
 * kernel wrote last time are not input, so they cannot make it EINVAL.
 */
TEST_F(vq, struct_reuse)
{
	struct vqtest_queue_process p = { .size = sizeof(p) };
	struct vqtest_queue_reset r = { .size = sizeof(r) };
	struct vqtest_queue_stats st = { .size = sizeof(st) };
	struct vqtest_info info = { .size = sizeof(info) };
	struct vqd *q = &self->q;
	struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 8, 8 } };

	vq_set_features(self->fd, F_V1 | F_RING_RESET);
	queue_setup(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	ASSERT_EQ(0, _vq_ioctl(self->fd, VQTEST_GET_INFO, &info));
	ASSERT_EQ(0, _vq_ioctl(self->fd, VQTEST_GET_INFO, &info));
	ASSERT_EQ(0, _vq_ioctl(self->fd, VQTEST_QUEUE_STATS, &st));
	ASSERT_EQ(0, _vq_ioctl(self->fd, VQTEST_QUEUE_STATS, &st));

	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	ASSERT_EQ(0, _vq_ioctl(self->fd, VQTEST_QUEUE_PROCESS, &p));
	ASSERT_EQ(1U, p.out_chains);
	echo_reap_check(_metadata, q, &ec);
	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	EXPECT_EQ(0, _vq_ioctl(self->fd, VQTEST_QUEUE_PROCESS, &p));
	EXPECT_EQ(1U, p.out_chains);
	/* (drained with a fresh struct should the reuse have failed) */
	vq_process(self->fd, 0, 0, NULL, NULL);
	echo_reap_check(_metadata, q, &ec);

	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	ASSERT_EQ(0, _vq_ioctl(self->fd, VQTEST_QUEUE_RESET, &r));
	ASSERT_EQ(1U, r.out_dropped);
	EXPECT_EQ(0, _vq_ioctl(self->fd, VQTEST_QUEUE_RESET, &r));
}

/* Sink with VQTEST_QUEUE_F_CHECKSUM: FNV-1a 64 over every readable byte. */
TEST_F(vq, sink_checksum)
{
	uint64_t sum = VQTEST_CSUM_INIT, rd = 0, rng = 0x5151;
	struct vqtest_queue_create c;
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q, *q2 = &self->q2;
	uint32_t round, i, k;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 64, 512));
	vqd_create_cmd(q, &c);
	c.behaviour = VQTEST_BEH_SINK;
	c.flags = VQTEST_QUEUE_F_CHECKSUM;
	vq_queue_create(self->fd, &c);
	/* a sink without the flag does not compute it */
	queue_setup(_metadata, q2, self->fd, 1, 64, 512, VQTEST_BEH_SINK);

	for (round = 0; round < 10; round++) {
		struct echo_chain ec[16];
		uint32_t chains;

		for (i = 0; i < 16; i++) {
			ec[i].nr = 1 + vq_rand(&rng) % 4;
			ec[i].nw = vq_rand(&rng) % 2;
			for (k = 0; k < ec[i].nr + ec[i].nw; k++)
				ec[i].lens[k] = 1 + vq_rand(&rng) % 512;
			ec[i].seed = round * 100 + i;
			ASSERT_LE(0, echo_offer(q, &ec[i]));
			for (k = 0; k < ec[i].nr; k++) {
				sum = vq_fnv1a(sum, vqd_buf(q, ec[i].ids[k]),
					       ec[i].lens[k]);
				rd += ec[i].lens[k];
			}
		}
		vqd_publish(q);
		vq_process(self->fd, 0, 0, &chains, NULL);
		ASSERT_EQ(16U, chains);
		for (i = 0; i < 16; i++) {
			uint32_t head, len;

			ASSERT_EQ(1, vqd_reap(q, &head, &len));
			ASSERT_EQ(U32(ec[i].head), head);
			ASSERT_EQ(0U, len);
			/* nothing written: writable buffers keep PAD */
			for (k = ec[i].nr; k < ec[i].nr + ec[i].nw; k++)
				ASSERT_EQ(PAD, vqd_buf(q, ec[i].ids[k])
						[ec[i].lens[k] - 1]);
		}
		/* same bytes through the plain sink */
		for (i = 0; i < 4; i++) {
			struct echo_chain e = { .nr = 1, .lens = { 100 } };

			ASSERT_LE(0, echo_offer(q2, &e));
		}
		vqd_publish(q2);
		vq_process(self->fd, 1, 0, &chains, NULL);
		ASSERT_EQ(4U, chains);
		while (vqd_reap(q2, &k, &i))
			;
	}
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(sum, VQ_CNT(&st, checksum));
	ASSERT_EQ(rd, VQ_CNT(&st, bytes_read));
	ASSERT_EQ(0ULL, VQ_CNT(&st, bytes_written));
	ASSERT_EQ(160ULL, VQ_CNT(&st, chains));
	vq_stats(self->fd, 1, &st);
	ASSERT_EQ(VQTEST_CSUM_INIT, VQ_CNT(&st, checksum));
	ASSERT_EQ(4000ULL, VQ_CNT(&st, bytes_read));
}

/* Source: writable byte at stream offset p is p % 251, across chains. */
TEST_F(vq, source_pattern)
{
	uint64_t pos = 0, wr = 0, rng = 0x50c;
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t round, i, k, b, chains, dropped;

	vq_set_features(self->fd, F_V1 | F_RING_RESET);
	queue_setup(_metadata, q, self->fd, 0, 64, 1024, VQTEST_BEH_SOURCE);
	for (round = 0; round < 8; round++) {
		struct echo_chain ec[16];

		for (i = 0; i < 16; i++) {
			/* readable descriptors are allowed and ignored */
			ec[i].nr = vq_rand(&rng) % 2;
			ec[i].nw = 1 + vq_rand(&rng) % 3;
			for (k = 0; k < ec[i].nr + ec[i].nw; k++)
				ec[i].lens[k] = 1 + vq_rand(&rng) % 1024;
			ec[i].seed = round * 16 + i + 1;
			ASSERT_LE(0, echo_offer(q, &ec[i]));
		}
		vqd_publish(q);
		vq_process(self->fd, 0, 0, &chains, NULL);
		ASSERT_EQ(16U, chains);
		for (i = 0; i < 16; i++) {
			uint32_t head, len, want = 0;

			ASSERT_EQ(1, vqd_reap(q, &head, &len));
			ASSERT_EQ(U32(ec[i].head), head);
			for (k = ec[i].nr; k < ec[i].nr + ec[i].nw; k++) {
				uint8_t *p = vqd_buf(q, ec[i].ids[k]);

				for (b = 0; b < ec[i].lens[k]; b++, pos++)
					ASSERT_EQ(pos % VQTEST_SOURCE_PERIOD,
						  p[b])
						TH_LOG("stream offset %llu",
						       (unsigned long long)pos);
				want += ec[i].lens[k];
			}
			ASSERT_EQ(want, len);
			wr += len;
			/* readable buffers are not written */
			if (ec[i].nr) {
				uint8_t tmp[1024];

				vq_fill(tmp, ec[i].lens[0], ec[i].seed * 131);
				ASSERT_EQ(0, memcmp(tmp, vqd_buf(q, ec[i].ids[0]),
						    ec[i].lens[0]));
			}
		}
	}
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(wr, VQ_CNT(&st, bytes_written));
	ASSERT_EQ(pos, wr);

	/* a reset starts the stream again at offset 0 */
	vq_queue_reset(self->fd, 0, &dropped);
	ASSERT_EQ(0U, dropped);
	queue_reenable(_metadata, q);
	{
		struct echo_chain e = { .nw = 1, .lens = { 300 } };
		uint32_t head, len;

		ASSERT_LE(0, echo_offer(q, &e));
		vqd_publish(q);
		vq_process(self->fd, 0, 0, &chains, NULL);
		ASSERT_EQ(1, vqd_reap(q, &head, &len));
		ASSERT_EQ(300U, len);
		for (b = 0; b < 300; b++)
			ASSERT_EQ(b % 251, vqd_buf(q, e.ids[0])[b]);
	}
}

/* Null: chains complete, buffers are never touched. */
TEST_F(vq, null_untouched)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t i, k, chains;
	struct echo_chain ec[8];

	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 32, 128, VQTEST_BEH_NULL);
	for (i = 0; i < 8; i++) {
		ec[i] = (struct echo_chain){ .nr = 2, .nw = 2,
			.lens = { 128, 5, 128, 17 }, .seed = i + 1 };
		ASSERT_LE(0, echo_offer(q, &ec[i]));
	}
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(8U, chains);
	for (i = 0; i < 8; i++) {
		uint32_t head, len;

		ASSERT_EQ(1, vqd_reap(q, &head, &len));
		ASSERT_EQ(U32(ec[i].head), head);
		ASSERT_EQ(0U, len);
		/* PAD everywhere in the writable buffers: echo_bad_byte(0) */
		ASSERT_EQ(0U, echo_bad_byte(q, &ec[i], 0));
		for (k = 0; k < 2; k++) {
			uint8_t tmp[128];

			vq_fill(tmp, ec[i].lens[k], ec[i].seed * 131 + k);
			ASSERT_EQ(0, memcmp(tmp, vqd_buf(q, ec[i].ids[k]),
					    ec[i].lens[k]));
		}
	}
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(8ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(32ULL, VQ_CNT(&st, descs));
	ASSERT_EQ(0ULL, VQ_CNT(&st, bytes_written));
}

/* ---- blk ---- */

#define BLK_CAP		(64 * 1024)	/* 128 sectors */

struct blk_req {
	uint32_t type;
	uint64_t sector;
	uint32_t hdr_len;	/* 16 normally */
	uint32_t ndata;
	uint32_t dlen[4];
	bool data_writable;
	uint32_t status_len;	/* 0: no status descriptor */
	uint64_t seed;		/* data for OUT */
	/* results */
	struct echo_chain ec;
	uint32_t used_len;
	uint8_t status;
};

static uint8_t *blk_data(struct vqd *q, struct blk_req *r, uint32_t i)
{
	return vqd_buf(q, r->ec.ids[1 + i]);
}

/* Build, process and reap one blk request. */
static void blk_do(struct __test_metadata *_metadata, struct vqd *q,
		   struct blk_req *r)
{
	struct echo_chain *ec = &r->ec;
	struct vqd_blk_outhdr hdr = { .type = r->type, .sector = r->sector };
	uint32_t i, n = 0, head, chains;

	memset(ec, 0, sizeof(*ec));
	ec->lens[n++] = r->hdr_len ? r->hdr_len : sizeof(hdr);
	for (i = 0; i < r->ndata; i++)
		ec->lens[n++] = r->dlen[i];
	if (r->status_len)
		ec->lens[n++] = r->status_len;
	ec->nr = 1 + (r->data_writable ? 0 : r->ndata);
	ec->nw = n - ec->nr;
	ec->head = vqd_chain(q, ec->nr, ec->nw, ec->lens, ec->ids);
	ASSERT_LE(0, ec->head);
	memcpy(vqd_buf(q, ec->ids[0]), &hdr,
	       ec->lens[0] < sizeof(hdr) ? ec->lens[0] : sizeof(hdr));
	for (i = 0; i < r->ndata; i++) {
		if (r->data_writable)
			memset(blk_data(q, r, i), PAD, r->dlen[i]);
		else
			vq_fill(blk_data(q, r, i), r->dlen[i], r->seed + i);
	}
	if (r->status_len)
		memset(vqd_buf(q, ec->ids[n - 1]), PAD, r->status_len);
	vqd_offer(q, ec->head);
	vqd_publish(q);
	vq_process(q->fd, q->index, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &r->used_len));
	ASSERT_EQ(U32(ec->head), head);
	r->status = r->status_len ?
		vqd_buf(q, ec->ids[n - 1])[r->status_len - 1] : PAD;
}

static void blk_setup(struct __test_metadata *_metadata, struct vqd *q,
		      int fd, uint32_t index)
{
	struct vqtest_queue_create c;

	ASSERT_EQ(0, _vqd_init(q, fd, index, 16, 4096));
	vqd_create_cmd(q, &c);
	c.behaviour = VQTEST_BEH_BLK;
	c.blk_capacity = BLK_CAP;
	vq_queue_create(fd, &c);
}

TEST_F(vq, blk_write_read_back)
{
	struct vqd *q = &self->q;
	uint8_t expect[1536], zero[512] = {};
	struct blk_req w = { .type = VQD_BLK_T_OUT, .sector = 3, .ndata = 2,
			     .dlen = { 1024, 512 }, .status_len = 1,
			     .seed = 77 };
	struct blk_req r = { .type = VQD_BLK_T_IN, .sector = 3, .ndata = 1,
			     .dlen = { 1536 }, .data_writable = true,
			     .status_len = 1 };

	vq_set_features(self->fd, F_V1);
	blk_setup(_metadata, q, self->fd, 0);

	blk_do(_metadata, q, &w);
	ASSERT_EQ(VQD_BLK_S_OK, w.status);
	ASSERT_EQ(1U, w.used_len);
	vq_fill(expect, 1024, 77);
	vq_fill(expect + 1024, 512, 78);

	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_OK, r.status);
	ASSERT_EQ(1537U, r.used_len);
	ASSERT_EQ(0, memcmp(expect, blk_data(q, &r, 0), 1536));

	/* sectors 2 and 3: never written, then the first one written */
	r.sector = 2;
	r.dlen[0] = 1024;
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_OK, r.status);
	ASSERT_EQ(1025U, r.used_len);
	ASSERT_EQ(0, memcmp(zero, blk_data(q, &r, 0), 512));
	ASSERT_EQ(0, memcmp(expect, blk_data(q, &r, 0) + 512, 512));

	/* the status byte may end a larger writable buffer */
	r.sector = 5;
	r.dlen[0] = 513;
	r.status_len = 0;
	blk_do(_metadata, q, &r);
	ASSERT_EQ(514U - 1, r.used_len);
	ASSERT_EQ(VQD_BLK_S_OK, blk_data(q, &r, 0)[512]);
	ASSERT_EQ(0, memcmp(expect + 1024, blk_data(q, &r, 0), 512));

	/* the last sector of the disk */
	w.sector = BLK_CAP / 512 - 1;
	w.ndata = 1;
	w.dlen[0] = 512;
	w.seed = 99;
	blk_do(_metadata, q, &w);
	ASSERT_EQ(VQD_BLK_S_OK, w.status);
	r.sector = BLK_CAP / 512 - 1;
	r.dlen[0] = 512;
	r.status_len = 1;
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_OK, r.status);
	ASSERT_EQ(513U, r.used_len);
	vq_fill(expect, 512, 99);
	ASSERT_EQ(0, memcmp(expect, blk_data(q, &r, 0), 512));
}

TEST_F(vq, blk_get_id)
{
	struct vqd *q = &self->q;
	char id[20] = {};
	struct blk_req r = { .type = VQD_BLK_T_GET_ID, .ndata = 1,
			     .dlen = { 20 }, .data_writable = true,
			     .status_len = 1 };

	vq_set_features(self->fd, F_V1);
	blk_setup(_metadata, q, self->fd, 3);
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_OK, r.status);
	ASSERT_EQ(21U, r.used_len);
	snprintf(id, sizeof(id), "vqtest%u-%u", self->info.out_device_id, 3);
	ASSERT_EQ(0, memcmp(id, blk_data(q, &r, 0), 20))
		TH_LOG("id '%.20s', expected '%s'", blk_data(q, &r, 0), id);
	/* a buffer too small for the 20-byte id */
	r.dlen[0] = 19;
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_IOERR, r.status);
	ASSERT_EQ(1U, r.used_len);
}

TEST_F(vq, blk_flush)
{
	struct vqd *q = &self->q;
	struct blk_req r = { .type = VQD_BLK_T_FLUSH, .status_len = 1 };

	vq_set_features(self->fd, F_V1);
	blk_setup(_metadata, q, self->fd, 0);
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_OK, r.status);
	ASSERT_EQ(1U, r.used_len);
}

TEST_F(vq, blk_bad_sector)
{
	static const uint64_t bad_in[] = { BLK_CAP / 512, BLK_CAP / 512 + 1,
					   1ULL << 55, 1ULL << 63, ~0ULL };
	struct vqd *q = &self->q;
	struct blk_req r = { .type = VQD_BLK_T_IN, .ndata = 1,
			     .dlen = { 512 }, .data_writable = true,
			     .status_len = 1 };
	struct blk_req w = { .type = VQD_BLK_T_OUT, .ndata = 1,
			     .dlen = { 1024 }, .status_len = 1, .seed = 5 };
	uint8_t zero[512] = {};
	unsigned int i;

	vq_set_features(self->fd, F_V1);
	blk_setup(_metadata, q, self->fd, 0);
	for (i = 0; i < VQ_ARRAY_SIZE(bad_in); i++) {
		r.sector = bad_in[i];
		blk_do(_metadata, q, &r);
		EXPECT_EQ(VQD_BLK_S_IOERR, r.status)
			TH_LOG("IN at sector %#llx", (unsigned long long)r.sector);
		EXPECT_EQ(1U, r.used_len);
		w.sector = bad_in[i];
		blk_do(_metadata, q, &w);
		EXPECT_EQ(VQD_BLK_S_IOERR, w.status)
			TH_LOG("OUT at sector %#llx", (unsigned long long)w.sector);
	}
	/* a write crossing the end is refused whole: nothing written */
	w.sector = BLK_CAP / 512 - 1;
	blk_do(_metadata, q, &w);
	ASSERT_EQ(VQD_BLK_S_IOERR, w.status);
	r.sector = BLK_CAP / 512 - 1;
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_OK, r.status);
	ASSERT_EQ(0, memcmp(zero, blk_data(q, &r, 0), 512));
	/* a read crossing the end too */
	r.sector = BLK_CAP / 512 - 1;
	r.dlen[0] = 1024;
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_IOERR, r.status);
	ASSERT_EQ(1U, r.used_len);
}

TEST_F(vq, blk_unsupported)
{
	static const uint32_t types[] = { 2, 3, 11, 13, 99, 0xffffffffU };
	struct vqd *q = &self->q;
	struct blk_req r = { .status_len = 1 };
	unsigned int i;

	vq_set_features(self->fd, F_V1);
	blk_setup(_metadata, q, self->fd, 0);
	for (i = 0; i < VQ_ARRAY_SIZE(types); i++) {
		r.type = types[i];
		blk_do(_metadata, q, &r);
		EXPECT_EQ(VQD_BLK_S_UNSUPP, r.status) TH_LOG("type %u", types[i]);
		EXPECT_EQ(1U, r.used_len);
	}
}

TEST_F(vq, blk_short_buffer)
{
	struct vqd *q = &self->q;
	struct blk_req r = { .type = VQD_BLK_T_IN, .ndata = 1,
			     .dlen = { 100 }, .data_writable = true,
			     .status_len = 1 };
	struct blk_req w = { .type = VQD_BLK_T_OUT, .ndata = 1,
			     .dlen = { 100 }, .status_len = 1, .seed = 1 };
	struct blk_req h = { .type = VQD_BLK_T_FLUSH, .hdr_len = 8,
			     .status_len = 1 };

	vq_set_features(self->fd, F_V1);
	blk_setup(_metadata, q, self->fd, 0);
	/* data that is not whole sectors */
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_IOERR, r.status);
	ASSERT_EQ(1U, r.used_len);
	blk_do(_metadata, q, &w);
	ASSERT_EQ(VQD_BLK_S_IOERR, w.status);
	ASSERT_EQ(1U, w.used_len);
	/* a header shorter than struct virtio_blk_outhdr */
	blk_do(_metadata, q, &h);
	ASSERT_EQ(VQD_BLK_S_IOERR, h.status);
	ASSERT_EQ(1U, h.used_len);
	/* and the queue goes on */
	r.dlen[0] = 512;
	blk_do(_metadata, q, &r);
	ASSERT_EQ(VQD_BLK_S_OK, r.status);
}

/* ------------------------------------------------------------------ */
/* Notification suppression                                            */
/* ------------------------------------------------------------------ */

static void offer_echo_n(struct __test_metadata *_metadata, struct vqd *q,
			 uint32_t n)
{
	uint32_t i, chains, head, len;

	for (i = 0; i < n; i++) {
		struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 8, 8 } };

		ASSERT_LE(0, echo_offer(q, &ec));
	}
	vqd_publish(q);
	vq_process(q->fd, q->index, 0, &chains, NULL);
	ASSERT_EQ(n, chains);
	for (i = 0; i < n; i++)
		ASSERT_EQ(1, vqd_reap(q, &head, &len));
}

TEST_F(vq, no_interrupt_flag)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	vq_set_features(self->fd, F_V1);
	queue_setup_efd(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO, -1,
			vq_eventfd(), false);
	ASSERT_LE(0, q->call);

	q->avail->flags = VQD_AVAIL_F_NO_INTERRUPT;
	offer_echo_n(_metadata, q, 2);
	offer_echo_n(_metadata, q, 3);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(0ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(2ULL, VQ_CNT(&st, calls_suppressed_flag));
	ASSERT_EQ(0ULL, VQ_CNT(&st, calls_suppressed_event));
	ASSERT_EQ(0ULL, vq_efd_read(q->call));

	q->avail->flags = 0;
	offer_echo_n(_metadata, q, 1);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(1ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(2ULL, VQ_CNT(&st, calls_suppressed_flag));
	ASSERT_EQ(1ULL, vq_efd_read(q->call));
}

TEST_F(vq, used_event)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	queue_setup_efd(_metadata, q, self->fd, 0, 16, 64, VQTEST_BEH_ECHO, -1,
			vq_eventfd(), true);
	ASSERT_LE(0, q->call);

	/* call me once used->idx passes 5 */
	*vqd_used_event(q) = 5;
	offer_echo_n(_metadata, q, 3);		/* 0 -> 3: not yet */
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(0ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(1ULL, VQ_CNT(&st, calls_suppressed_event));
	ASSERT_EQ(0ULL, vq_efd_read(q->call));
	offer_echo_n(_metadata, q, 3);		/* 3 -> 6: crosses 5 */
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(1ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(1ULL, vq_efd_read(q->call));
	offer_echo_n(_metadata, q, 2);		/* 6 -> 8: already past */
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(1ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(2ULL, VQ_CNT(&st, calls_suppressed_event));
	ASSERT_EQ(0ULL, vq_efd_read(q->call));
	/* with EVENT_IDX the NO_INTERRUPT flag means nothing */
	q->avail->flags = VQD_AVAIL_F_NO_INTERRUPT;
	*vqd_used_event(q) = 8;
	offer_echo_n(_metadata, q, 1);		/* 8 -> 9: crosses 8 */
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(2ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(0ULL, VQ_CNT(&st, calls_suppressed_flag));
	ASSERT_EQ(1ULL, vq_efd_read(q->call));
}

/* The device asks for kicks through avail_event / USED_F_NO_NOTIFY. */
TEST_F(vq, avail_event_and_no_notify)
{
	struct vqd *q = &self->q, *q2 = &self->q2;

	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	queue_setup_efd(_metadata, q, self->fd, 0, 32, 64, VQTEST_BEH_ECHO, -1,
			-1, true);
	/* a fresh queue wants a kick for the very first chain */
	ASSERT_EQ(0, *vqd_avail_event(q));
	ASSERT_EQ(0, q->used->flags);
	offer_echo_n(_metadata, q, 3);
	/* idle again: wants a kick for the next chain, index 3 */
	ASSERT_EQ(3, *vqd_avail_event(q));
	ASSERT_EQ(0, q->used->flags);
	/* so a driver offering one more chain must kick */
	q->avail_idx++;
	ASSERT_TRUE(vqd_need_kick(q, q->avail_idx - 1));
	q->avail_idx--;
	offer_echo_n(_metadata, q, 13);
	ASSERT_EQ(16, *vqd_avail_event(q));
	offer_echo_n(_metadata, q, 16);
	ASSERT_EQ(32, *vqd_avail_event(q));

	/* without EVENT_IDX: the flag, clear whenever the device is idle */
	close(self->fd);
	self->fd = _vq_open();
	ASSERT_LE(0, self->fd);
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q2, self->fd, 0, 32, 64, VQTEST_BEH_ECHO);
	ASSERT_EQ(0, q2->used->flags);
	offer_echo_n(_metadata, q2, 5);
	ASSERT_EQ(0, q2->used->flags);
	ASSERT_TRUE(vqd_need_kick(q2, q2->avail_idx - 1));
}

/* ------------------------------------------------------------------ */
/* Hand-built chains                                                   */
/* ------------------------------------------------------------------ */

/* One buffer of a hand-built chain, for filling and checking echo data */
struct rseg {
	uint8_t *p;
	uint32_t len;
	bool w;
};

static void rsegs_fill(const struct rseg *s, uint32_t n, uint64_t seed)
{
	uint32_t k;

	for (k = 0; k < n; k++) {
		if (s[k].w)
			memset(s[k].p, PAD, s[k].len);
		else
			vq_fill(s[k].p, s[k].len, seed * 977 + k);
	}
}

/*
 * Check an echo of the readable segments into the writable ones: used.len
 * and every writable byte. Readable segments must not overlap writable
 * ones (their data is regenerated from the seed).
 */
static void rsegs_check(struct __test_metadata *_metadata,
			const struct rseg *s, uint32_t n, uint64_t seed,
			uint32_t used_len)
{
	uint8_t in[8192];
	uint32_t r = 0, w = 0, k, i;

	for (k = 0; k < n; k++) {
		if (s[k].w)
			continue;
		ASSERT_GE(sizeof(in), r + s[k].len);
		vq_fill(in + r, s[k].len, seed * 977 + k);
		r += s[k].len;
	}
	for (k = 0; k < n; k++) {
		if (!s[k].w)
			continue;
		for (i = 0; i < s[k].len; i++, w++) {
			uint8_t want = w < r ? in[w] : PAD;

			ASSERT_EQ(want, s[k].p[i])
				TH_LOG("writable byte %u", w);
		}
	}
	ASSERT_EQ(r < w ? r : w, used_len);
}

/* ------------------------------------------------------------------ */
/* Indirect chains                                                     */
/* ------------------------------------------------------------------ */

TEST_F(vq, indirect_chains)
{
	const uint64_t siova = 0x300000000ULL;
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t0, *t1, *t2, *t3;
	uint8_t *a = vq_alloc(VQ_PAGE), *b = vq_alloc(VQ_PAGE);
	struct rseg s0[4], s1[4], s2[8], s3[2];
	uint32_t i, head, len, chains;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	vq_set_features(self->fd, F_V1 | F_INDIRECT);
	queue_setup(_metadata, q, self->fd, 0, 8, 512, VQTEST_BEH_ECHO);

	/* chain 0: one descriptor, a table of 2 readable + 2 writable */
	t0 = (struct vqd_desc *)vqd_buf(q, 7);
	s0[0] = (struct rseg){ vqd_buf(q, 2), 30, false };
	s0[1] = (struct rseg){ vqd_buf(q, 2) + 100, 50, false };
	s0[2] = (struct rseg){ vqd_buf(q, 3), 40, true };
	s0[3] = (struct rseg){ vqd_buf(q, 3) + 100, 60, true };
	for (i = 0; i < 4; i++)
		vqd_set_desc(&t0[i], vqd_iova(q, s0[i].p), s0[i].len,
			     (s0[i].w ? VQD_F_WRITE : 0) |
			     (i < 3 ? VQD_F_NEXT : 0), i + 1);
	rsegs_fill(s0, 4, 10);
	vqd_set_desc(&q->desc[0], vqd_iova(q, t0), 4 * 16, VQD_F_INDIRECT, 0);

	/* chain 1: a direct readable descriptor, then a table (R, W, W) */
	t1 = (struct vqd_desc *)(vqd_buf(q, 7) + 128);
	s1[0] = (struct rseg){ vqd_buf(q, 4), 20, false };
	s1[1] = (struct rseg){ vqd_buf(q, 4) + 100, 10, false };
	s1[2] = (struct rseg){ vqd_buf(q, 5), 15, true };
	s1[3] = (struct rseg){ vqd_buf(q, 5) + 100, 15, true };
	rsegs_fill(s1, 4, 11);
	vqd_set_desc(&q->desc[1], vqd_iova(q, s1[0].p), 20, VQD_F_NEXT, 2);
	vqd_set_desc(&q->desc[2], vqd_iova(q, t1), 3 * 16, VQD_F_INDIRECT, 0);
	/* a table starts at entry 0, then follows next in any order */
	vqd_set_desc(&t1[0], vqd_iova(q, s1[1].p), 10, VQD_F_NEXT, 2);
	vqd_set_desc(&t1[2], vqd_iova(q, s1[2].p), 15,
		     VQD_F_WRITE | VQD_F_NEXT, 1);
	vqd_set_desc(&t1[1], vqd_iova(q, s1[3].p), 15, VQD_F_WRITE, 0);

	/* chain 2: the largest table, 16 * queue size bytes */
	t2 = (struct vqd_desc *)(vqd_buf(q, 7) + 256);
	for (i = 0; i < 8; i++) {
		s2[i] = (struct rseg){ vqd_buf(q, 6) + 60 * i, i < 7 ? 10 : 70,
				       i == 7 };
		vqd_set_desc(&t2[i], vqd_iova(q, s2[i].p), s2[i].len,
			     (s2[i].w ? VQD_F_WRITE : 0) |
			     (i < 7 ? VQD_F_NEXT : 0), i + 1);
	}
	rsegs_fill(s2, 8, 12);
	vqd_set_desc(&q->desc[3], vqd_iova(q, t2), 8 * 16, VQD_F_INDIRECT, 0);

	/* chain 3: a table across two back-to-back regions */
	vq_map(self->fd, a, VQ_PAGE, VQTEST_MAP_FIXED_IOVA, siova, NULL);
	vq_map(self->fd, b, VQ_PAGE, VQTEST_MAP_FIXED_IOVA, siova + VQ_PAGE,
	       NULL);
	t3 = (struct vqd_desc *)(a + VQ_PAGE - 16);	/* entry 0 in a */
	s3[0] = (struct rseg){ vqd_buf(q, 1), 33, false };
	s3[1] = (struct rseg){ vqd_buf(q, 1) + 100, 33, true };
	rsegs_fill(s3, 2, 13);
	vqd_set_desc(t3, vqd_iova(q, s3[0].p), 33, VQD_F_NEXT, 1);
	vqd_set_desc((struct vqd_desc *)b, vqd_iova(q, s3[1].p), 33,
		     VQD_F_WRITE, 0);
	vqd_set_desc(&q->desc[4], siova + VQ_PAGE - 16, 32, VQD_F_INDIRECT, 0);

	vqd_offer(q, 0);
	vqd_offer(q, 1);
	vqd_offer(q, 3);
	vqd_offer(q, 4);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(4U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(0U, head);
	rsegs_check(_metadata, s0, 4, 10, len);
	ASSERT_EQ(80U, len);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(1U, head);
	rsegs_check(_metadata, s1, 4, 11, len);
	ASSERT_EQ(30U, len);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(3U, head);
	rsegs_check(_metadata, s2, 8, 12, len);
	ASSERT_EQ(70U, len);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(4U, head);
	rsegs_check(_metadata, s3, 2, 13, len);
	ASSERT_EQ(33U, len);

	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(4ULL, VQ_CNT(&st, indirect));
	ASSERT_EQ(4ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(80ULL + 30 + 70 + 33, VQ_CNT(&st, bytes_written));
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
}

/*
 * "descs: descriptors consumed (indirect table entries included)": a
 * chain of one ring descriptor pointing at a 4-entry table consumed 5.
 */
TEST_F(vq, indirect_descs_counter)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t = NULL;
	uint32_t i, chains, head, len;

	vq_set_features(self->fd, F_V1 | F_INDIRECT);
	queue_setup(_metadata, q, self->fd, 0, 8, 256, VQTEST_BEH_NULL);
	t = (struct vqd_desc *)vqd_buf(q, 7);
	for (i = 0; i < 4; i++)
		vqd_set_desc(&t[i], vqd_iova(q, vqd_buf(q, i)), 8,
			     i < 3 ? VQD_F_NEXT : 0, i + 1);
	vqd_set_desc(&q->desc[5], vqd_iova(q, t), 64, VQD_F_INDIRECT, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(1ULL, VQ_CNT(&st, indirect));
	ASSERT_EQ(5ULL, VQ_CNT(&st, descs));
}

/* ------------------------------------------------------------------ */
/* Completion order                                                    */
/* ------------------------------------------------------------------ */

TEST_F(vq, out_of_order_window)
{
	struct vqtest_queue_create c;
	struct echo_chain ec[8];
	struct vqd *q = &self->q;
	static const int order8[] = { 3, 2, 1, 0, 7, 6, 5, 4 };
	static const int order6[] = { 3, 2, 1, 0, 5, 4 };
	uint32_t i, chains;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 16, 64));
	vqd_create_cmd(q, &c);
	c.flags = VQTEST_QUEUE_F_OUT_OF_ORDER;
	c.ooo_window = 4;
	vq_queue_create(self->fd, &c);

	/* two whole windows: each completes newest first */
	for (i = 0; i < 8; i++) {
		ec[i] = (struct echo_chain){ .nr = 1, .nw = 1,
			.lens = { 10 + i, 20 }, .seed = i + 1 };
		ASSERT_LE(0, echo_offer(q, &ec[i]));
	}
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(8U, chains);
	for (i = 0; i < 8; i++)
		echo_reap_check(_metadata, q, &ec[order8[i]]);

	/* a window and a half: the half is flushed when the ring runs dry */
	for (i = 0; i < 6; i++) {
		ec[i] = (struct echo_chain){ .nr = 1, .nw = 1,
			.lens = { 30 + i, 40 }, .seed = i + 100 };
		ASSERT_LE(0, echo_offer(q, &ec[i]));
	}
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(6U, chains);
	ASSERT_EQ(14, vqd_used_idx(q));
	for (i = 0; i < 6; i++)
		echo_reap_check(_metadata, q, &ec[order6[i]]);
}

TEST_F(vq, out_of_order_with_in_order)
{
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;

	vq_set_features(self->fd, F_V1 | F_IN_ORDER);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 16, 64));
	vqd_create_cmd(q, &c);
	c.flags = VQTEST_QUEUE_F_OUT_OF_ORDER;
	c.ooo_window = 4;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.flags = 0;
	c.ooo_window = 0;
	vq_queue_create(self->fd, &c);
}

/* ------------------------------------------------------------------ */
/* Index wrap-around and reset                                         */
/* ------------------------------------------------------------------ */

TEST_F(vq, wrap_around)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t round, i, chains;

	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	queue_setup_efd(_metadata, q, self->fd, 0, 16, 64, VQTEST_BEH_ECHO,
			-1, vq_eventfd(), true);
	ASSERT_LE(0, q->call);
	vq_set_indices(self->fd, 0, 0xfff0, 0xfff0);
	/* the device moved both indices itself */
	ASSERT_EQ(0xfff0, q->avail->idx);
	ASSERT_EQ(0xfff0, vqd_used_idx(q));
	ASSERT_EQ(0xfff0, *vqd_avail_event(q));
	q->avail_idx = 0xfff0;
	q->last_used = 0xfff0;
	vqd_publish(q);
	/* call me when used->idx passes 0xfffe: in the first round */
	*vqd_used_event(q) = 0xfffe;

	for (round = 0; round < 4; round++) {
		struct echo_chain ec[16];

		/* a full ring each time: avail is exactly num ahead */
		for (i = 0; i < 8; i++) {
			ec[i] = (struct echo_chain){ .nr = 1, .nw = 1,
				.lens = { 1 + i * 7, 64 },
				.seed = round * 16 + i + 1 };
			ASSERT_LE(0, echo_offer(q, &ec[i]));
		}
		vqd_publish(q);
		vq_process(self->fd, 0, 0, &chains, NULL);
		ASSERT_EQ(8U, chains);
		for (i = 0; i < 8; i++)
			echo_reap_check(_metadata, q, &ec[i]);
		for (i = 0; i < 8; i++) {
			ec[i] = (struct echo_chain){ .nr = 1, .nw = 1,
				.lens = { 2 + i * 5, 64 },
				.seed = round * 16 + i + 9 };
			ASSERT_LE(0, echo_offer(q, &ec[i]));
		}
		vqd_publish(q);
		vq_process(self->fd, 0, 0, &chains, NULL);
		ASSERT_EQ(8U, chains);
		for (i = 0; i < 8; i++)
			echo_reap_check(_metadata, q, &ec[i]);
		ASSERT_EQ(q->avail_idx, *vqd_avail_event(q));
		if (round == 0) {
			/* 0xfff8 -> 0x0000 crossed 0xfffe: one call */
			ASSERT_EQ(0, vqd_used_idx(q));
			ASSERT_EQ(1ULL, vq_efd_read(q->call));
		}
	}
	ASSERT_EQ(0x0030, vqd_used_idx(q));
	ASSERT_EQ(0x0030, q->last_used);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(0x0030U, st.out_last_avail_idx);
	ASSERT_EQ(0x0030U, st.out_used_idx);
	ASSERT_EQ(64ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(64ULL, VQ_CNT(&st, used));
	/* one call, 7 publishes suppressed by the stale used_event */
	ASSERT_EQ(1ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(7ULL, VQ_CNT(&st, calls_suppressed_event));
	ASSERT_EQ(0ULL, VQ_CNT(&st, violations));
}

TEST_F(vq, set_indices_busy)
{
	struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 8, 8 } };
	struct vqd *q = &self->q;
	uint32_t chains;

	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	/* something in flight: refused */
	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	ASSERT_EQ(-EBUSY, _vq_set_indices(self->fd, 0, 100, 100));
	vq_process(self->fd, 0, 0, &chains, NULL);
	echo_reap_check(_metadata, q, &ec);
	vq_set_indices(self->fd, 0, 100, 200);
	ASSERT_EQ(200, vqd_used_idx(q));
	q->avail_idx = 100;
	q->last_used = 200;
	vqd_publish(q);
	assert_queue_works(_metadata, q);
	/* a stopped queue: refused */
	vqd_offer(q, 9);
	vqd_publish(q);
	ASSERT_EQ(-EIO, _vq_process(self->fd, 0, 0, &chains, NULL));
	ASSERT_EQ(-EBUSY, _vq_set_indices(self->fd, 0, 0, 0));
}

TEST_F(vq, reset_needs_ring_reset)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t dropped = 1234, chains;

	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	assert_queue_works(_metadata, q);
	ASSERT_EQ(-EOPNOTSUPP, _vq_queue_reset(self->fd, 0, &dropped));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(1U, st.out_used_idx);
	/* once stopped by a violation, reset is always allowed */
	vqd_offer(q, 8);
	vqd_publish(q);
	ASSERT_EQ(-EIO, _vq_process(self->fd, 0, 0, &chains, NULL));
	vq_queue_reset(self->fd, 0, &dropped);
	ASSERT_EQ(1U, dropped);
	queue_reenable(_metadata, q);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(U32(VQTEST_V_NONE), st.out_violation);
	ASSERT_EQ(0U, st.out_last_avail_idx);
	ASSERT_EQ(0U, st.out_used_idx);
	/* counters are kept */
	ASSERT_EQ(1ULL, VQ_CNT(&st, violations));
	ASSERT_EQ(1ULL, VQ_CNT(&st, dropped));
	assert_queue_works(_metadata, q);
}

TEST_F(vq, reset_drops_pending)
{
	struct vqtest_queue_stats st;
	struct echo_chain ec[5];
	struct vqd *q = &self->q;
	uint32_t i, chains, pending, dropped;

	vq_set_features(self->fd, F_V1 | F_RING_RESET | F_EVENT_IDX);
	queue_setup_efd(_metadata, q, self->fd, 0, 16, 64, VQTEST_BEH_ECHO,
			-1, -1, true);
	for (i = 0; i < 5; i++) {
		ec[i] = (struct echo_chain){ .nr = 1, .nw = 1,
					     .lens = { 8, 8 }, .seed = i };
		ASSERT_LE(0, echo_offer(q, &ec[i]));
	}
	vqd_publish(q);
	vq_process(self->fd, 0, 2, &chains, &pending);
	ASSERT_EQ(2U, chains);
	ASSERT_EQ(3U, pending);
	ASSERT_EQ(2, vqd_used_idx(q));
	vq_queue_reset(self->fd, 0, &dropped);
	ASSERT_EQ(3U, dropped);
	/* reset: the device leaves the rings alone until enabled again */
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_RESET), st.out_state);
	ASSERT_EQ(-EBUSY, _vq_process(self->fd, 0, 0, &chains, &pending));
	ASSERT_EQ(2, vqd_used_idx(q));
	/* the rings are the driver's now, the used ring's fields too */
	q->used->flags = 0xffff;
	*vqd_avail_event(q) = 0x5555;
	/* the driver rewrites its rings and enables: QUEUE_SET_INDICES 0/0 */
	vqd_reset_driver(q);
	/* the device rewrote its fields: used idx 0, wants a kick at 0 */
	ASSERT_EQ(0, vqd_used_idx(q));
	ASSERT_EQ(0, q->used->flags);
	ASSERT_EQ(0, *vqd_avail_event(q));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(0U, st.out_last_avail_idx);
	ASSERT_EQ(3ULL, VQ_CNT(&st, dropped));
	ASSERT_EQ(2ULL, VQ_CNT(&st, chains));
	/* nothing pending: nothing dropped */
	vq_queue_reset(self->fd, 0, &dropped);
	ASSERT_EQ(0U, dropped);
	vqd_reset_driver(q);
	/* and the queue starts over */
	assert_queue_works(_metadata, q);
	assert_queue_works(_metadata, q);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(2U, st.out_used_idx);
	ASSERT_EQ(4ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(3ULL, VQ_CNT(&st, dropped));
}

/* ------------------------------------------------------------------ */
/* Violations: one test per class                                      */
/* ------------------------------------------------------------------ */

/*
 * Queue 0 (@num entries, 256-byte buffers) with @features, created with
 * @c as adjusted by the caller; queue 1 (echo) next to it on the device.
 */
static void viol_setup(struct __test_metadata *_metadata,
		       FIXTURE_DATA(vq) *self, uint64_t features, uint32_t num,
		       uint32_t behaviour, uint32_t level, uint32_t flags,
		       uint32_t ooo_window)
{
	struct vqtest_queue_create c;

	vq_set_features(self->fd, features);
	ASSERT_EQ(0, _vqd_init(&self->q, self->fd, 0, num, 256));
	self->q.event_idx = features & F_EVENT_IDX;
	vqd_create_cmd(&self->q, &c);
	c.behaviour = behaviour;
	c.level = level;
	c.flags = flags;
	c.ooo_window = ooo_window;
	if (behaviour == VQTEST_BEH_BLK)
		c.blk_capacity = BLK_CAP;
	vq_queue_create(self->fd, &c);
	queue_setup(_metadata, &self->q2, self->fd, 1, 8, 64, VQTEST_BEH_ECHO);
	self->q2.event_idx = features & F_EVENT_IDX;
}

/* The usual start: strict echo queue of 8, three good chains through it. */
static void viol_std(struct __test_metadata *_metadata, FIXTURE_DATA(vq) *self,
		     uint64_t features)
{
	viol_setup(_metadata, self, features, 8, VQTEST_BEH_ECHO,
		   VQTEST_LEVEL_STRICT, 0, 0);
	assert_queue_works(_metadata, &self->q);
	assert_queue_works(_metadata, &self->q);
	assert_queue_works(_metadata, &self->q);
}

/*
 * Run queue 0 and expect it to stop on @cls at @desc / @ring after
 * @chains completions, with the violation counted once (@nth time in
 * total for this class, @total over all). Queue 1 must go on working.
 */
static void expect_violation_n(struct __test_metadata *_metadata,
			       FIXTURE_DATA(vq) *self, uint32_t cls,
			       uint32_t desc, uint32_t ring, uint32_t chains,
			       uint64_t nth, uint64_t total,
			       struct vqtest_queue_stats *st)
{
	uint32_t done = 0xdead, pending = 0xdead, k;

	ASSERT_EQ(-EIO, _vq_process(self->fd, 0, 0, &done, &pending));
	/* out_chains and out_pending are written back with EIO too */
	EXPECT_EQ(chains, done);
	vq_stats(self->fd, 0, st);
	EXPECT_EQ((uint16_t)(self->q.avail->idx - st->out_last_avail_idx),
		  pending);
	ASSERT_EQ(U32(VQTEST_QS_NEEDS_RESET), st->out_state);
	ASSERT_EQ(cls, st->out_violation);
	ASSERT_EQ(desc, st->out_violation_desc);
	ASSERT_EQ(ring, st->out_violation_ring);
	ASSERT_EQ(nth, st->out_violations[cls]);
	ASSERT_EQ(total, VQ_CNT(st, violations));
	for (k = 0; k < VQTEST_V_SLOTS; k++) {
		if (k != cls && total == nth)
			ASSERT_EQ(0ULL, st->out_violations[k])
				TH_LOG("class %u counted too", k);
	}
	/* stopped for good: nothing runs, nothing more is counted */
	ASSERT_EQ(-EIO, _vq_process(self->fd, 0, 0, &done, NULL));
	ASSERT_EQ(0U, done);
	vq_stats(self->fd, 0, st);
	ASSERT_EQ(total, VQ_CNT(st, violations));
	/* the rest of the device goes on */
	assert_queue_works(_metadata, &self->q2);
}

static void expect_violation(struct __test_metadata *_metadata,
			     FIXTURE_DATA(vq) *self, uint32_t cls,
			     uint32_t desc, uint32_t ring,
			     struct vqtest_queue_stats *st)
{
	expect_violation_n(_metadata, self, cls, desc, ring, 0, 1, 1, st);
}

/*
 * A queue that stops signals the call eventfd once, like a config
 * interrupt, even when the driver asked for no interrupts.
 */
TEST_F(vq, violation_signals_call)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t chains;

	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	queue_setup_efd(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO, -1,
			vq_eventfd(), true);
	ASSERT_LE(0, q->call);
	/* no call wanted before used->idx passes 100 */
	*vqd_used_event(q) = 100;
	offer_echo_n(_metadata, q, 3);
	ASSERT_EQ(0ULL, vq_efd_read(q->call));
	vqd_offer(q, 8);
	vqd_publish(q);
	ASSERT_EQ(-EIO, _vq_process(self->fd, 0, 0, &chains, NULL));
	ASSERT_EQ(1ULL, vq_efd_read(q->call));
	/* once: running the stopped queue again signals nothing */
	ASSERT_EQ(-EIO, _vq_process(self->fd, 0, 0, &chains, NULL));
	ASSERT_EQ(0ULL, vq_efd_read(q->call));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_V_HEAD_RANGE), st.out_violation);
	ASSERT_EQ(0ULL, VQ_CNT(&st, calls));
}

/* Reset the stopped queue (no RING_RESET needed) and use it again. */
static void viol_recover(struct __test_metadata *_metadata,
			 FIXTURE_DATA(vq) *self)
{
	vq_queue_reset(self->fd, 0, NULL);
	queue_reenable(_metadata, &self->q);
	assert_queue_works(_metadata, &self->q);
}

static uint64_t bufiova(struct vqd *q, uint32_t i)
{
	return vqd_iova(q, vqd_buf(q, i));
}

TEST_F(vq, v_avail_idx_jump)
{
	struct vqtest_queue_stats st;

	viol_std(_metadata, self, F_V1);
	/* 3 + 8 would be a full ring; 3 + 9 is one too many */
	self->q.avail->idx = 3 + 9;
	expect_violation(_metadata, self, VQTEST_V_AVAIL_IDX_JUMP,
			 VQTEST_NO_DESC, 12, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_avail_idx_back)
{
	struct vqtest_queue_stats st;

	viol_std(_metadata, self, F_V1);
	self->q.avail->idx = 2;
	expect_violation(_metadata, self, VQTEST_V_AVAIL_IDX_BACK,
			 VQTEST_NO_DESC, 2, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_head_range)
{
	struct vqtest_queue_stats st;

	viol_std(_metadata, self, F_V1);
	vqd_offer(&self->q, 8);
	vqd_publish(&self->q);
	expect_violation(_metadata, self, VQTEST_V_HEAD_RANGE, 8, 3, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_next_range)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	viol_std(_metadata, self, F_V1);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, VQD_F_NEXT, 8);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_NEXT_RANGE, 5, 3, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_loop)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	viol_std(_metadata, self, F_V1);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, VQD_F_NEXT, 6);
	vqd_set_desc(&q->desc[6], bufiova(q, 6), 16, VQD_F_NEXT, 5);
	vqd_offer(q, 5);
	vqd_publish(q);
	/* the descriptor visited twice */
	expect_violation(_metadata, self, VQTEST_V_LOOP, 5, 3, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_loop_indirect)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t;

	viol_std(_metadata, self, F_V1 | F_INDIRECT);
	t = (struct vqd_desc *)vqd_buf(q, 7);
	vqd_set_desc(&t[0], bufiova(q, 1), 16, VQD_F_NEXT, 1);
	vqd_set_desc(&t[1], bufiova(q, 2), 16, VQD_F_NEXT, 2);
	vqd_set_desc(&t[2], bufiova(q, 3), 16, VQD_F_NEXT, 1);
	vqd_set_desc(&q->desc[5], vqd_iova(q, t), 3 * 16, VQD_F_INDIRECT, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_LOOP,
			 VQTEST_DESC_INDIRECT | 1, 3, &st);
	viol_recover(_metadata, self);
}

/*
 * A chain can only outgrow the queue through a table: 1 direct buffer and
 * a full table of 8 buffers is 9 > 8. The descriptor that points at the
 * table holds no buffer and is not counted, so entry 7 trips it.
 */
TEST_F(vq, v_chain_len)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t;
	uint32_t i;

	viol_std(_metadata, self, F_V1 | F_INDIRECT);
	t = (struct vqd_desc *)vqd_buf(q, 7);
	for (i = 0; i < 8; i++)
		vqd_set_desc(&t[i], bufiova(q, 0) + 16 * i, 8,
			     i < 7 ? VQD_F_NEXT : 0, i + 1);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, VQD_F_NEXT, 6);
	vqd_set_desc(&q->desc[6], vqd_iova(q, t), 8 * 16, VQD_F_INDIRECT, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_CHAIN_LEN,
			 VQTEST_DESC_INDIRECT | 7, 3, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_zero_len)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	viol_std(_metadata, self, F_V1);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, VQD_F_NEXT, 6);
	vqd_set_desc(&q->desc[6], bufiova(q, 6), 0, VQD_F_WRITE, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_ZERO_LEN, 6, 3, &st);
	ASSERT_EQ(bufiova(q, 6), st.out_violation_addr);
	viol_recover(_metadata, self);
}

/* The warn level lets a zero-length descriptor through and counts it. */
TEST_F(vq, v_zero_len_warn)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct rseg sg[3];
	uint32_t chains, head, len;

	viol_setup(_metadata, self, F_V1, 8, VQTEST_BEH_ECHO,
		   VQTEST_LEVEL_WARN, 0, 0);
	assert_queue_works(_metadata, q);
	sg[0] = (struct rseg){ vqd_buf(q, 5), 8, false };
	sg[1] = (struct rseg){ vqd_buf(q, 7), 8, false };
	sg[2] = (struct rseg){ vqd_buf(q, 0), 16, true };
	rsegs_fill(sg, 3, 5);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 8, VQD_F_NEXT, 6);
	vqd_set_desc(&q->desc[6], bufiova(q, 6), 0, VQD_F_NEXT, 7);
	vqd_set_desc(&q->desc[7], bufiova(q, 7), 8, VQD_F_NEXT, 0);
	vqd_set_desc(&q->desc[0], bufiova(q, 0), 16, VQD_F_WRITE, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(5U, head);
	rsegs_check(_metadata, sg, 3, 5, len);
	ASSERT_EQ(16U, len);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(U32(VQTEST_V_ZERO_LEN), st.out_violation);
	ASSERT_EQ(6U, st.out_violation_desc);
	ASSERT_EQ(1U, st.out_violation_ring);
	ASSERT_EQ(1ULL, st.out_violations[VQTEST_V_ZERO_LEN]);
	ASSERT_EQ(1ULL, VQ_CNT(&st, violations));

	/* again: counted again, the first one stays reported */
	vqd_offer(q, 5);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(2ULL, st.out_violations[VQTEST_V_ZERO_LEN]);
	ASSERT_EQ(1U, st.out_violation_ring);
	assert_queue_works(_metadata, q);

	/* what is not tolerable still stops it, and is what is reported */
	vqd_offer(q, 9);
	vqd_publish(q);
	expect_violation_n(_metadata, self, VQTEST_V_HEAD_RANGE, 9, 4, 0, 1, 3,
			   &st);
}

TEST_F(vq, v_addr_wrap)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	viol_std(_metadata, self, F_V1);
	vqd_set_desc(&q->desc[5], 0xffffffffffffff00ULL, 0x101, 0, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_ADDR_WRAP, 5, 3, &st);
	ASSERT_EQ(0xffffffffffffff00ULL, st.out_violation_addr);
	viol_recover(_metadata, self);
	/* ending exactly at 2^64 - 1 does not wrap: it is just unmapped */
	vqd_set_desc(&q->desc[5], 0xffffffffffffff00ULL, 0x100, 0, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation_n(_metadata, self, VQTEST_V_ADDR_UNMAPPED, 5, 1, 0, 1,
			   2, &st);
	ASSERT_EQ(1ULL, st.out_violations[VQTEST_V_ADDR_WRAP]);
}

TEST_F(vq, v_addr_unmapped)
{
	const uint64_t fiova = 0x40000000ULL;
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint8_t *page = vq_alloc(VQ_PAGE);

	ASSERT_NE(NULL, page);
	viol_std(_metadata, self, F_V1 | F_INDIRECT);
	/* nowhere near mapped memory */
	vqd_set_desc(&q->desc[5], 0x1000, 16, 0, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_ADDR_UNMAPPED, 5, 3, &st);
	ASSERT_EQ(0x1000ULL, st.out_violation_addr);
	viol_recover(_metadata, self);

	/* starting in a region, ending past it (nothing mapped after) */
	vq_map(self->fd, page, VQ_PAGE, VQTEST_MAP_FIXED_IOVA, fiova, NULL);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, VQD_F_NEXT, 6);
	vqd_set_desc(&q->desc[6], fiova + VQ_PAGE - 8, 16, VQD_F_WRITE, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation_n(_metadata, self, VQTEST_V_ADDR_UNMAPPED, 6, 1, 0, 2,
			   2, &st);
	ASSERT_EQ(fiova + VQ_PAGE - 8, st.out_violation_addr);
	/* the device wrote nothing before stopping */
	ASSERT_EQ(0, page[VQ_PAGE - 8]);
	viol_recover(_metadata, self);

	/* an indirect table that is not mapped */
	vqd_set_desc(&q->desc[5], 0x2000, 32, VQD_F_INDIRECT, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation_n(_metadata, self, VQTEST_V_ADDR_UNMAPPED, 5, 1, 0, 3,
			   3, &st);
	ASSERT_EQ(0x2000ULL, st.out_violation_addr);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_indirect_feature)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t;

	viol_std(_metadata, self, F_V1);	/* no INDIRECT_DESC */
	t = (struct vqd_desc *)vqd_buf(q, 7);
	vqd_set_desc(&t[0], bufiova(q, 1), 16, VQD_F_NEXT, 1);
	vqd_set_desc(&t[1], bufiova(q, 2), 16, VQD_F_WRITE, 0);
	vqd_set_desc(&q->desc[5], vqd_iova(q, t), 32, VQD_F_INDIRECT, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_INDIRECT_FEATURE, 5, 3, &st);
	ASSERT_EQ(vqd_iova(q, t), st.out_violation_addr);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_indirect_nested)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t, *t2;

	viol_std(_metadata, self, F_V1 | F_INDIRECT);
	t = (struct vqd_desc *)vqd_buf(q, 7);
	t2 = t + 4;
	vqd_set_desc(&t2[0], bufiova(q, 3), 16, 0, 0);
	vqd_set_desc(&t[0], bufiova(q, 1), 16, VQD_F_NEXT, 1);
	vqd_set_desc(&t[1], vqd_iova(q, t2), 16, VQD_F_INDIRECT, 0);
	vqd_set_desc(&q->desc[5], vqd_iova(q, t), 32, VQD_F_INDIRECT, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_INDIRECT_NESTED,
			 VQTEST_DESC_INDIRECT | 1, 3, &st);
	ASSERT_EQ(vqd_iova(q, t2), st.out_violation_addr);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_indirect_next)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t;

	viol_std(_metadata, self, F_V1 | F_INDIRECT);
	t = (struct vqd_desc *)vqd_buf(q, 7);
	vqd_set_desc(&t[0], bufiova(q, 1), 16, 0, 0);
	vqd_set_desc(&q->desc[5], vqd_iova(q, t), 16,
		     VQD_F_INDIRECT | VQD_F_NEXT, 6);
	vqd_set_desc(&q->desc[6], bufiova(q, 6), 16, VQD_F_WRITE, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_INDIRECT_NEXT, 5, 3, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_indirect_len)
{
	static const uint32_t bad[] = { 0, 8, 24, 8 * 16 + 16, 0xfffffff0U };
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t;
	uint32_t i;

	viol_std(_metadata, self, F_V1 | F_INDIRECT);
	t = (struct vqd_desc *)vqd_buf(q, 7);
	for (i = 0; i < 9; i++)
		vqd_set_desc(&t[i], bufiova(q, 1) + 8 * i, 8, 0, 0);
	for (i = 0; i < VQ_ARRAY_SIZE(bad); i++) {
		vqd_set_desc(&q->desc[5], vqd_iova(q, t), bad[i],
			     VQD_F_INDIRECT, 0);
		vqd_offer(q, 5);
		vqd_publish(q);
		expect_violation_n(_metadata, self, VQTEST_V_INDIRECT_LEN, 5,
				   i ? 1 : 3, 0, i + 1, i + 1, &st);
		viol_recover(_metadata, self);
	}
}

TEST_F(vq, v_write_order)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_desc *t;

	viol_std(_metadata, self, F_V1 | F_INDIRECT);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, VQD_F_WRITE | VQD_F_NEXT,
		     6);
	vqd_set_desc(&q->desc[6], bufiova(q, 6), 16, 0, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_WRITE_ORDER, 6, 3, &st);
	/* the device wrote nothing into the writable buffer */
	viol_recover(_metadata, self);

	/* inside a table */
	t = (struct vqd_desc *)vqd_buf(q, 7);
	vqd_set_desc(&t[0], bufiova(q, 1), 16, VQD_F_NEXT, 1);
	vqd_set_desc(&t[1], bufiova(q, 2), 16, VQD_F_WRITE | VQD_F_NEXT, 2);
	vqd_set_desc(&t[2], bufiova(q, 3), 16, 0, 0);
	vqd_set_desc(&q->desc[5], vqd_iova(q, t), 48, VQD_F_INDIRECT, 0);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation_n(_metadata, self, VQTEST_V_WRITE_ORDER,
			   VQTEST_DESC_INDIRECT | 2, 1, 0, 2, 2, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_too_many_segs)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct rseg sg[1024];
	uint32_t i, chains, head, len;

	ASSERT_EQ(1024U, self->info.out_max_segs);
	viol_setup(_metadata, self, F_V1, 2048, VQTEST_BEH_ECHO,
		   VQTEST_LEVEL_STRICT, 0, 0);
	assert_queue_works(_metadata, q);
	assert_queue_works(_metadata, q);
	assert_queue_works(_metadata, q);

	/* exactly 1024 segments: 1020 one-byte reads, 4 writes of 256 */
	for (i = 0; i < 1024; i++) {
		bool w = i >= 1020;

		sg[i] = (struct rseg){ vqd_buf(q, i), w ? 256 : 1, w };
		vqd_set_desc(&q->desc[i], bufiova(q, i), sg[i].len,
			     (w ? VQD_F_WRITE : 0) |
			     (i < 1023 ? VQD_F_NEXT : 0), i + 1);
	}
	rsegs_fill(sg, 1024, 1);
	vqd_offer(q, 0);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(0U, head);
	ASSERT_EQ(1020U, len);
	rsegs_check(_metadata, sg, 1024, 1, len);

	/* 1025 */
	for (i = 0; i < 1025; i++)
		vqd_set_desc(&q->desc[i], bufiova(q, i), 1,
			     i < 1024 ? VQD_F_NEXT : 0, i + 1);
	vqd_offer(q, 0);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_TOO_MANY_SEGS, 1024, 4, &st);
	viol_recover(_metadata, self);
}

/* Out of order completion keeps chains in flight: offer one twice. */
TEST_F(vq, v_head_in_flight)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t head, len;

	viol_setup(_metadata, self, F_V1, 8, VQTEST_BEH_ECHO,
		   VQTEST_LEVEL_STRICT, VQTEST_QUEUE_F_OUT_OF_ORDER, 4);
	assert_queue_works(_metadata, q);
	assert_queue_works(_metadata, q);
	assert_queue_works(_metadata, q);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, 0, 0);
	vqd_offer(q, 5);
	vqd_offer(q, 5);
	vqd_publish(q);
	/* the first one completes (flushed when the queue stops) */
	expect_violation_n(_metadata, self, VQTEST_V_HEAD_IN_FLIGHT, 5, 4, 1, 1,
			   1, &st);
	ASSERT_EQ(4, vqd_used_idx(q));
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(5U, head);
	viol_recover(_metadata, self);
}

/*
 * In order too: the same head twice in one avail batch. The driver cannot
 * have seen the first completion (nothing was published in between), so
 * it offered a head the device still owned.
 */
TEST_F(vq, v_head_in_flight_same_batch)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	viol_std(_metadata, self, F_V1);
	vqd_set_desc(&q->desc[5], bufiova(q, 5), 16, 0, 0);
	vqd_offer(q, 5);
	vqd_offer(q, 5);
	vqd_publish(q);
	expect_violation_n(_metadata, self, VQTEST_V_HEAD_IN_FLIGHT, 5, 4, 1, 1,
			   1, &st);
	viol_recover(_metadata, self);
}

TEST_F(vq, v_used_written)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 8, 8 } };
	uint32_t head, len;

	viol_std(_metadata, self, F_V1 | F_EVENT_IDX);
	/* used->idx */
	q->used->idx = 7;
	expect_violation(_metadata, self, VQTEST_V_USED_WRITTEN,
			 VQTEST_NO_DESC, 7, &st);
	/* the device put its own value back */
	ASSERT_EQ(3, vqd_used_idx(q));
	viol_recover(_metadata, self);		/* used idx 1 after this */

	/* the used element the device fills next */
	q->used->ring[1].len = 0xdead;
	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	expect_violation_n(_metadata, self, VQTEST_V_USED_WRITTEN,
			   VQTEST_NO_DESC, 1, 1, 2, 2, &st);
	/* the element was written and published anyway */
	ASSERT_EQ(2, vqd_used_idx(q));
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(8U, len);
	viol_recover(_metadata, self);

	/* used->flags */
	q->used->flags = VQD_USED_F_NO_NOTIFY;
	expect_violation_n(_metadata, self, VQTEST_V_USED_WRITTEN,
			   VQTEST_NO_DESC, 1, 0, 3, 3, &st);
	ASSERT_EQ(0, q->used->flags);
	viol_recover(_metadata, self);

	/* avail_event (device-owned with EVENT_IDX) */
	*vqd_avail_event(q) = 0x1234;
	expect_violation_n(_metadata, self, VQTEST_V_USED_WRITTEN,
			   VQTEST_NO_DESC, 1, 0, 4, 4, &st);
	ASSERT_EQ(1, *vqd_avail_event(q));
	viol_recover(_metadata, self);
}

TEST_F(vq, v_used_written_warn)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	viol_setup(_metadata, self, F_V1, 8, VQTEST_BEH_ECHO,
		   VQTEST_LEVEL_WARN, 0, 0);
	assert_queue_works(_metadata, q);
	q->used->idx = 9;
	q->used->ring[1].id = 0x77;
	assert_queue_works(_metadata, q);
	ASSERT_EQ(2, vqd_used_idx(q));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(U32(VQTEST_V_USED_WRITTEN), st.out_violation);
	ASSERT_EQ(9U, st.out_violation_ring);
	ASSERT_EQ(2ULL, st.out_violations[VQTEST_V_USED_WRITTEN]);
	assert_queue_works(_metadata, q);
}

TEST_F(vq, v_in_order)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t i, chains, head, len;
	struct vqd_desc *t;

	viol_setup(_metadata, self, F_V1 | F_IN_ORDER | F_INDIRECT, 8,
		   VQTEST_BEH_NULL, VQTEST_LEVEL_STRICT, 0, 0);
	for (i = 0; i < 8; i++)
		vqd_set_desc(&q->desc[i], bufiova(q, i), 16, 0, 0);
	/* a whole turn of the table, one descriptor per chain */
	for (i = 0; i < 8; i++)
		vqd_offer(q, i);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(8U, chains);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(1, vqd_reap(q, &head, &len));
		ASSERT_EQ(i, head);
	}
	/*
	 * Around again: 0, then 1 -> 2, then 3 -> 4 where 4 points at a
	 * table of three: the ring descriptors used are 0-4, so 5 is next
	 * (table entries do not take ring descriptors), then 6.
	 */
	t = (struct vqd_desc *)vqd_buf(q, 7);
	for (i = 0; i < 3; i++)
		vqd_set_desc(&t[i], bufiova(q, 6) + 16 * i, 16,
			     i < 2 ? VQD_F_NEXT : 0, i + 1);
	vqd_set_desc(&q->desc[1], bufiova(q, 1), 16, VQD_F_NEXT, 2);
	vqd_set_desc(&q->desc[3], bufiova(q, 3), 16, VQD_F_NEXT, 4);
	vqd_set_desc(&q->desc[4], vqd_iova(q, t), 48, VQD_F_INDIRECT, 0);
	vqd_offer(q, 0);
	vqd_offer(q, 1);
	vqd_offer(q, 3);
	vqd_offer(q, 5);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(4U, chains);
	/* 6 is next: 7 is out of order */
	vqd_offer(q, 7);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_IN_ORDER, 7, 12, &st);
	/* after a reset any head may start */
	vq_queue_reset(self->fd, 0, NULL);
	queue_reenable(_metadata, q);
	vqd_set_desc(&q->desc[6], bufiova(q, 6), 16, 0, 0);
	vqd_set_desc(&q->desc[7], bufiova(q, 7), 16, 0, 0);
	vqd_offer(q, 6);
	vqd_offer(q, 7);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(2U, chains);
}

TEST_F(vq, v_bad_request)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_blk_outhdr *h;
	struct blk_req f = { .type = VQD_BLK_T_FLUSH, .status_len = 1 };

	viol_setup(_metadata, self, F_V1, 16, VQTEST_BEH_BLK,
		   VQTEST_LEVEL_STRICT, 0, 0);
	blk_do(_metadata, q, &f);
	blk_do(_metadata, q, &f);
	blk_do(_metadata, q, &f);
	ASSERT_EQ(VQD_BLK_S_OK, f.status);
	/* a request with no writable byte for the status */
	h = (struct vqd_blk_outhdr *)vqd_buf(q, 9);
	*h = (struct vqd_blk_outhdr){ .type = VQD_BLK_T_FLUSH };
	vqd_set_desc(&q->desc[9], vqd_iova(q, h), sizeof(*h), 0, 0);
	vqd_offer(q, 9);
	vqd_publish(q);
	expect_violation(_metadata, self, VQTEST_V_BAD_REQUEST, 9, 3, &st);
	vq_queue_reset(self->fd, 0, NULL);
	queue_reenable(_metadata, q);
	blk_do(_metadata, q, &f);
	ASSERT_EQ(VQD_BLK_S_OK, f.status);
}

TEST_F(vq, v_bad_request_warn)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	struct vqd_blk_outhdr *h;
	uint32_t chains, head, len;
	struct blk_req f = { .type = VQD_BLK_T_FLUSH, .status_len = 1 };

	viol_setup(_metadata, self, F_V1, 16, VQTEST_BEH_BLK,
		   VQTEST_LEVEL_WARN, 0, 0);
	h = (struct vqd_blk_outhdr *)vqd_buf(q, 9);
	*h = (struct vqd_blk_outhdr){ .type = VQD_BLK_T_IN };
	vqd_set_desc(&q->desc[9], vqd_iova(q, h), sizeof(*h), 0, 0);
	vqd_offer(q, 9);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(9U, head);
	ASSERT_EQ(0U, len);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(U32(VQTEST_V_BAD_REQUEST), st.out_violation);
	ASSERT_EQ(9U, st.out_violation_desc);
	ASSERT_EQ(0U, st.out_violation_ring);
	ASSERT_EQ(1ULL, st.out_violations[VQTEST_V_BAD_REQUEST]);
	blk_do(_metadata, q, &f);
	ASSERT_EQ(VQD_BLK_S_OK, f.status);
}

/* ------------------------------------------------------------------ */
/* The engine: real kick and call eventfds                             */
/* ------------------------------------------------------------------ */

/*
 * Echo traffic of random shapes through one queue, every byte checked.
 * Thread-safe (no harness asserts): errors go to t->err.
 */
#define TR_MAXD		8
#define TR_MAXLEN	512

struct tr_rec {
	uint64_t seq;		/* chain number, from 1; 0: not in flight */
	uint32_t n, nr;
	uint8_t *p[TR_MAXD];
	uint32_t len[TR_MAXD];
};

struct traffic {
	struct vqd *q;
	/* what to send */
	uint64_t target;
	uint32_t max_nr, max_nw, max_len;	/* max_len <= seg_max */
	uint32_t batch;		/* most chains offered per publish */
	uint32_t indirect_pct;	/* chains through a table, needs ind */
	bool honour_notify;	/* kick only when the device asks */
	bool in_order;		/* completions must come in order */
	int timeout_ms;		/* longest wait for a call */
	uint64_t seed;
	uint8_t *ind;		/* per head: a table, then its buffers */
	size_t ind_stride;
	/* what happened */
	struct tr_rec *rec;
	uint64_t rng, issued, done;
	uint64_t kicks, kicks_skipped, calls_seen, waits;
	uint64_t bytes_read, bytes_written, nindirect;
	uint64_t sum_in, sum_out;
	uint8_t in[TR_MAXD * TR_MAXLEN], out[TR_MAXD * TR_MAXLEN];
	char err[320];
};

#define tr_fail(t, ...) (snprintf((t)->err, sizeof((t)->err), __VA_ARGS__), -1)

static void tr_data(uint8_t *p, uint32_t len, uint64_t seed, uint64_t seq,
		    uint32_t k)
{
	vq_fill(p, len, seed ^ (seq << 5) ^ k);
}

/*
 * Set up @t for @q. With @indirect_pct, a region for the tables is
 * allocated and mapped on q->fd. Returns 0 or -errno.
 */
static int tr_init(struct traffic *t, struct vqd *q, uint64_t target,
		   uint64_t seed)
{
	memset(t, 0, offsetof(struct traffic, in));
	t->q = q;
	t->target = target;
	t->max_nr = 4;
	t->max_nw = 4;
	t->max_len = q->seg_max < 64 ? q->seg_max : 64;
	t->batch = q->num;
	t->in_order = true;
	t->timeout_ms = 20000;
	t->seed = seed;
	t->rng = seed | 1;
	t->sum_in = t->sum_out = VQTEST_CSUM_INIT;
	t->rec = calloc(q->num, sizeof(*t->rec));
	return t->rec ? 0 : -ENOMEM;
}

/* Bytes of table memory tr_enable_indirect() needs */
static size_t tr_indirect_bytes(const struct traffic *t)
{
	return VQ_ALIGN(t->q->num * (16 * TR_MAXD + TR_MAXD * t->max_len),
			VQ_PAGE);
}

/*
 * Send @pct percent of the chains through indirect tables, kept in @mem
 * (identity-mapped already), or in a region of their own when NULL.
 */
static int tr_enable_indirect(struct traffic *t, uint32_t pct, void *mem)
{
	size_t len = tr_indirect_bytes(t);

	t->ind_stride = 16 * TR_MAXD + TR_MAXD * t->max_len;
	t->indirect_pct = pct;
	if (mem) {
		t->ind = mem;
		return 0;
	}
	t->ind = vq_alloc(len);
	if (!t->ind)
		return -ENOMEM;
	return _vq_map(t->q->fd, t->ind, len, 0, 0, NULL);
}

static void tr_free(struct traffic *t)
{
	free(t->rec);
	t->rec = NULL;
}

/* Offer one chain; 0 when the ring has no room for it. */
static int tr_offer_one(struct traffic *t)
{
	struct vqd *q = t->q;
	uint32_t nr = vq_rand(&t->rng) % (t->max_nr + 1);
	uint32_t nw = vq_rand(&t->rng) % (t->max_nw + 1);
	bool ind = t->indirect_pct &&
		   vq_rand(&t->rng) % 100 < t->indirect_pct;
	uint32_t lens[TR_MAXD], k, n;
	uint16_t ids[TR_MAXD];
	struct tr_rec *rec;
	int head;

	if (!nr && !nw)
		nr = 1;
	n = nr + nw;
	for (k = 0; k < n; k++)
		lens[k] = 1 + vq_rand(&t->rng) % t->max_len;
	if (ind) {
		uint32_t tlen = 16 * n;
		struct vqd_desc *table;
		uint8_t *bufs;

		head = vqd_chain(q, 1, 0, &tlen, ids);
		if (head < 0)
			return 0;
		table = (struct vqd_desc *)(t->ind + head * t->ind_stride);
		bufs = (uint8_t *)(table + TR_MAXD);
		rec = &t->rec[head];
		for (k = 0; k < n; k++) {
			rec->p[k] = bufs + k * t->max_len;
			vqd_set_desc(&table[k], (uintptr_t)rec->p[k], lens[k],
				     (k >= nr ? VQD_F_WRITE : 0) |
				     (k + 1 < n ? VQD_F_NEXT : 0), k + 1);
		}
		vqd_set_desc(&q->desc[head], (uintptr_t)table, tlen,
			     VQD_F_INDIRECT, 0);
		t->nindirect++;
	} else {
		head = vqd_chain(q, nr, nw, lens, ids);
		if (head < 0)
			return 0;
		rec = &t->rec[head];
		for (k = 0; k < n; k++)
			rec->p[k] = vqd_buf(q, ids[k]);
	}
	rec->seq = ++t->issued;
	rec->n = n;
	rec->nr = nr;
	for (k = 0; k < n; k++) {
		rec->len[k] = lens[k];
		if (k < nr)
			tr_data(rec->p[k], lens[k], t->seed, rec->seq, k);
		else
			memset(rec->p[k], PAD, lens[k]);
	}
	vqd_offer(q, head);
	return 1;
}

/* Reap and check everything the device has published. */
static int tr_reap(struct traffic *t)
{
	struct vqd *q = t->q;
	uint32_t head, len;

	while (vqd_reap(q, &head, &len)) {
		struct tr_rec *rec = head < q->num ? &t->rec[head] : NULL;
		uint32_t r = 0, w = 0, k, i, want;

		if (!rec || !rec->seq)
			return tr_fail(t, "queue %u: used id %u is not in flight",
				       q->index, head);
		if (t->in_order && rec->seq != t->done + 1)
			return tr_fail(t, "queue %u: chain %llu completed, %llu expected",
				       q->index, (unsigned long long)rec->seq,
				       (unsigned long long)t->done + 1);
		for (k = 0; k < rec->nr; k++) {
			tr_data(t->in + r, rec->len[k], t->seed, rec->seq, k);
			r += rec->len[k];
		}
		for (; k < rec->n; k++) {
			memcpy(t->out + w, rec->p[k], rec->len[k]);
			w += rec->len[k];
		}
		want = r < w ? r : w;
		if (len != want)
			return tr_fail(t, "queue %u: chain %llu: used.len %u, expected %u",
				       q->index, (unsigned long long)rec->seq,
				       len, want);
		if (memcmp(t->in, t->out, want))
			return tr_fail(t, "queue %u: chain %llu: echoed data differs",
				       q->index, (unsigned long long)rec->seq);
		for (i = want; i < w; i++)
			if (t->out[i] != PAD)
				return tr_fail(t, "queue %u: chain %llu: byte %u past used.len written",
					       q->index,
					       (unsigned long long)rec->seq, i);
		t->sum_in = vq_fnv1a(t->sum_in, t->in, want);
		t->sum_out = vq_fnv1a(t->sum_out, t->out, want);
		t->bytes_read += r;
		t->bytes_written += len;
		rec->seq = 0;
		t->done++;
	}
	return 0;
}

/* Reap, offer a batch, kick. Returns work done (0: idle) or -1. */
static int tr_step(struct traffic *t)
{
	struct vqd *q = t->q;
	uint64_t done0 = t->done;
	uint16_t old = q->avail_idx;
	uint32_t n = 0;

	if (tr_reap(t))
		return -1;
	while (t->issued < t->target && n < t->batch && tr_offer_one(t))
		n++;
	if (n) {
		vqd_publish(q);
		if (!t->honour_notify || vqd_need_kick(q, old)) {
			if (vq_kick(q->kick))
				return tr_fail(t, "kick: %s", strerror(errno));
			t->kicks++;
		} else {
			t->kicks_skipped++;
		}
	}
	return (int)(t->done - done0) + n;
}

/* Ask for a call on the next used entry; true if one is already there. */
static bool tr_arm(struct traffic *t)
{
	struct vqd *q = t->q;

	if (q->event_idx)
		__atomic_store_n(vqd_used_event(q), q->last_used,
				 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vqd_used_idx(q) != q->last_used;
}

static int tr_lost(struct traffic *t)
{
	struct vqd *q = t->q;

	return tr_fail(t, "queue %u: no call for %d ms with %llu chains out (avail %u, used %u, reaped %u, used flags %#x, avail_event %u): lost wakeup",
		       q->index, t->timeout_ms,
		       (unsigned long long)(t->issued - t->done),
		       q->avail_idx, vqd_used_idx(q), q->last_used,
		       q->used->flags, *vqd_avail_event(q));
}

/* Run @t to its target on its own. Returns 0 or -1 (t->err). */
static int tr_run(struct traffic *t)
{
	while (t->done < t->target) {
		struct pollfd pfd = { .fd = t->q->call, .events = POLLIN };
		int r = tr_step(t);

		if (r < 0)
			return -1;
		if (r || tr_arm(t))
			continue;
		r = poll(&pfd, 1, t->timeout_ms);
		if (r < 0 && errno != EINTR)
			return tr_fail(t, "poll: %s", strerror(errno));
		if (!r)
			return tr_lost(t);
		t->calls_seen += vq_efd_read(t->q->call);
		t->waits++;
	}
	return 0;
}

/*
 * The device's counters against what the driver saw. Call when the
 * traffic is over: every call the device counted is in the eventfd.
 */
static int tr_check_stats(struct traffic *t, uint64_t chains_before)
{
	struct vqtest_queue_stats st;
	struct vqd *q = t->q;
	int ret = _vq_stats(q->fd, q->index, &st);

	if (ret)
		return tr_fail(t, "stats: %s", strerror(-ret));
	t->calls_seen += vq_efd_read(q->call);
	if (st.out_state != VQTEST_QS_ACTIVE || st.out_violation)
		return tr_fail(t, "queue %u: state %u, violation %u", q->index,
			       st.out_state, st.out_violation);
#define TR_CNT(field, want)						\
	do {								\
		if (VQ_CNT(&st, field) != (uint64_t)(want))		\
			return tr_fail(t, "queue %u: counter " #field	\
				       " %llu, expected %llu", q->index, \
				       (unsigned long long)VQ_CNT(&st, field), \
				       (unsigned long long)(want));	\
	} while (0)
	TR_CNT(chains, chains_before + t->done);
	TR_CNT(used, chains_before + t->done);
	TR_CNT(indirect, t->nindirect);
	TR_CNT(bytes_read, t->bytes_read);
	TR_CNT(bytes_written, t->bytes_written);
	TR_CNT(kicks, t->kicks);
	TR_CNT(calls, t->calls_seen);
	TR_CNT(violations, 0);
#undef TR_CNT
	if (t->sum_in != t->sum_out)
		return tr_fail(t, "queue %u: checksums differ", q->index);
	return 0;
}

/* A queue with eventfds for the engine tests. */
static void engine_setup_x(struct __test_metadata *_metadata,
			   struct vqd *q, int fd, uint32_t index,
			   uint32_t num, uint32_t seg_max, bool event_idx,
			   uint32_t budget_chains, uint32_t busy_poll_us,
			   int cpu, uint32_t qflags)
{
	struct vqtest_queue_create c;

	ASSERT_EQ(0, _vqd_init(q, fd, index, num, seg_max));
	q->kick = vq_eventfd();
	q->call = vq_eventfd();
	ASSERT_LE(0, q->kick);
	ASSERT_LE(0, q->call);
	q->event_idx = event_idx;
	vqd_create_cmd(q, &c);
	c.budget_chains = budget_chains;
	c.busy_poll_us = busy_poll_us;
	c.cpu = cpu;
	c.flags = qflags;
	vq_queue_create(fd, &c);
}

static void engine_setup(struct __test_metadata *_metadata, struct vqd *q,
			 int fd, uint32_t index, uint32_t num, uint32_t seg_max,
			 bool event_idx, uint32_t budget_chains,
			 uint32_t busy_poll_us)
{
	engine_setup_x(_metadata, q, fd, index, num, seg_max, event_idx,
		       budget_chains, busy_poll_us, VQTEST_CPU_ANY, 0);
}

TEST_F(vq, kick_and_call)
{
	struct echo_chain ec = { .nr = 2, .nw = 1, .lens = { 100, 28, 200 },
				 .seed = 3 };
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;

	vq_set_features(self->fd, F_V1);
	engine_setup(_metadata, q, self->fd, 0, 8, 256, false, 0, 0);
	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	/* nothing happens without a kick */
	ASSERT_EQ(0ULL, vq_efd_wait(q->call, 100));
	ASSERT_EQ(0, vqd_used_idx(q));
	ASSERT_EQ(0, vq_kick(q->kick));
	ASSERT_EQ(1ULL, vq_efd_wait(q->call, 10000));
	echo_reap_check(_metadata, q, &ec);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(1ULL, VQ_CNT(&st, kicks));
	ASSERT_EQ(1ULL, VQ_CNT(&st, calls));
	ASSERT_LE(1ULL, VQ_CNT(&st, worker_runs));
}

/* A kick written before the queue existed still counts. */
TEST_F(vq, kick_before_create)
{
	struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 10, 10 } };
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 8, 64));
	q->kick = vq_eventfd();
	q->call = vq_eventfd();
	ASSERT_LE(0, echo_offer(q, &ec));
	vqd_publish(q);
	ASSERT_EQ(0, vq_kick(q->kick));
	vqd_create_cmd(q, &c);
	vq_queue_create(self->fd, &c);
	ASSERT_EQ(1ULL, vq_efd_wait(q->call, 10000));
	echo_reap_check(_metadata, q, &ec);
}

/*
 * QUEUE_RESET while a kicked worker is about to run (or is running with a
 * budget of one chain, requeueing itself). The chains reset reports
 * dropped must stay dropped: the device must not go on to consume them
 * from the old avail ring before the driver has rewritten it.
 */
TEST_F(vq, reset_while_running)
{
	struct vqtest_queue_stats st, st2;
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;
	uint32_t i, dropped = 0, round, raced = 0;
	uint16_t used, base = 0;
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	/* the worker on CPU 1, the driver on CPU 0: they really overlap */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	vq_set_features(self->fd, F_V1 | F_RING_RESET);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 512, 16));
	q->kick = vq_eventfd();
	q->call = vq_eventfd();
	vqd_create_cmd(q, &c);
	c.budget_chains = 1;
	c.cpu = 1;
	vq_queue_create(self->fd, &c);
	for (round = 0; round < 10; round++) {
		for (i = 0; i < 240; i++) {
			struct echo_chain ec = { .nr = 1, .nw = 1,
						 .lens = { 8, 8 } };

			ASSERT_LE(0, echo_offer(q, &ec));
		}
		vqd_publish(q);
		ASSERT_EQ(0, vq_kick(q->kick));
		usleep(round * 100);
		vq_queue_reset(self->fd, 0, &dropped);
		vq_stats(self->fd, 0, &st);
		raced += dropped > 0;
		used = vqd_used_idx(q);
		/* completed before the reset plus dropped by it: all 240 */
		EXPECT_EQ(240U, (uint16_t)(st.out_last_avail_idx - base) +
				dropped);
		/* the driver takes its time to rewrite its ring, and kicks */
		ASSERT_EQ(0, vq_kick(q->kick));
		usleep(50000);
		vq_stats(self->fd, 0, &st2);
		EXPECT_EQ(used, vqd_used_idx(q));
		EXPECT_EQ(st.out_last_avail_idx, st2.out_last_avail_idx);
		EXPECT_EQ(U32(VQTEST_QS_RESET), st2.out_state);
		EXPECT_EQ(VQ_CNT(&st, chains), VQ_CNT(&st2, chains))
			TH_LOG("round %u: %u chains dropped by reset, then %llu taken from the old ring",
			       round, dropped,
			       (unsigned long long)(VQ_CNT(&st2, chains) -
						    VQ_CNT(&st, chains)));
		if (VQ_CNT(&st, chains) != VQ_CNT(&st2, chains))
			break;	/* the ring state is garbage now */
		/* rewrite and enable (QUEUE_SET_INDICES 0/0) */
		queue_reenable(_metadata, q);
		base = 0;
	}
	TH_LOG("%u of %u resets dropped chains", raced, round);
	/* the queue works after a reset done properly */
	vq_queue_reset(self->fd, 0, NULL);
	queue_reenable(_metadata, q);
	assert_queue_works(_metadata, q);
}

/*
 * Reset then enable, as virtio's queue_reset and queue_enable: in between
 * the rings are the driver's (it may rewrite all of them, the used ring
 * included), kicks and PROCESS take nothing; enable at any indices.
 */
TEST_F(vq, reset_two_steps)
{
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t i, dropped, chains = 0xdead;

	ASSERT_NE(NULL, t);
	vq_set_features(self->fd, F_V1 | F_RING_RESET | F_EVENT_IDX);
	engine_setup(_metadata, q, self->fd, 0, 16, 64, true, 0, 0);
	for (i = 0; i < 4; i++) {
		struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 8, 8 } };

		ASSERT_LE(0, echo_offer(q, &ec));
	}
	vqd_publish(q);
	vq_queue_reset(self->fd, 0, &dropped);
	ASSERT_EQ(4U, dropped);
	/* reset: nothing is taken, whoever asks */
	ASSERT_EQ(0, vq_kick(q->kick));
	ASSERT_EQ(-EBUSY, _vq_process(self->fd, 0, 0, &chains, NULL));
	ASSERT_EQ(0ULL, vq_efd_wait(q->call, 200));
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_RESET), st.out_state);
	ASSERT_EQ(0ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(1ULL, VQ_CNT(&st, kicks));
	/* the driver may rewrite every byte of the rings meanwhile */
	memset(q->mem, 0x5a, vqd_ring_bytes(q->num));
	/* a second reset drops nothing more */
	vq_queue_reset(self->fd, 0, &dropped);
	ASSERT_EQ(0U, dropped);
	/* enable somewhere else than 0: the device writes its fields */
	memset(q->mem, 0, vqd_ring_bytes(q->num));
	vqd_reset_driver(q);		/* (enables at 0/0) */
	vq_queue_reset(self->fd, 0, &dropped);
	ASSERT_EQ(0U, dropped);
	q->avail->idx = 0x100;
	vq_set_indices(self->fd, 0, 0x100, 0x100);
	ASSERT_EQ(0x100, vqd_used_idx(q));
	ASSERT_EQ(0x100, *vqd_avail_event(q));
	q->avail_idx = q->last_used = 0x100;
	/* and it runs, kicks and calls and all, without a violation */
	ASSERT_EQ(0, tr_init(t, q, 3000, 0x2525));
	t->honour_notify = true;
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	ASSERT_EQ(0ULL, VQ_CNT(&st, violations));
	ASSERT_EQ(4ULL, VQ_CNT(&st, dropped));
	ASSERT_EQ(3000ULL, VQ_CNT(&st, chains));
	ASSERT_EQ((uint16_t)(0x100 + 3000), vqd_used_idx(q));
	tr_free(t);
	free(t);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * 1,000,000 echo chains of random shapes (0-4 readable and 0-4 writable
 * buffers of 1-64 bytes, a fifth through indirect tables), offered in
 * batches with one kick each when the device asks, completions awaited
 * on the call eventfd; every byte and the running checksums compared.
 * VQTEST_ECHO_CHAINS overrides the count.
 */
TEST_F_TIMEOUT(vq, echo_1m_random, 600)
{
	struct vqd *q = &self->q;
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqtest_queue_stats st;
	double t0, dt;

	ASSERT_NE(NULL, t);
	vq_set_features(self->fd, F_V1 | F_EVENT_IDX | F_INDIRECT);
	engine_setup(_metadata, q, self->fd, 0, 1024, 64, true, 0, 0);
	ASSERT_EQ(0, tr_init(t, q, env_u64("VQTEST_ECHO_CHAINS", 1000000),
			     0x1234567));
	ASSERT_EQ(0, tr_enable_indirect(t, 20, NULL));
	t->batch = 256;
	t->honour_notify = true;
	t0 = now_s();
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	dt = now_s() - t0;
	ASSERT_EQ(0, tr_check_stats(t, 0)) TH_LOG("%s", t->err);
	vq_stats(self->fd, 0, &st);
	TH_LOG("%llu chains in %.1f s (%.0f/s), %llu bytes; kicks %llu (skipped %llu), waits %llu, calls %llu, suppressed: kicks %llu calls %llu, worker runs %llu (budget %llu)",
	       (unsigned long long)t->done, dt, t->done / dt,
	       (unsigned long long)t->bytes_written,
	       (unsigned long long)t->kicks,
	       (unsigned long long)t->kicks_skipped,
	       (unsigned long long)t->waits,
	       (unsigned long long)VQ_CNT(&st, calls),
	       (unsigned long long)VQ_CNT(&st, kicks_suppressed),
	       (unsigned long long)VQ_CNT(&st, calls_suppressed_event),
	       (unsigned long long)VQ_CNT(&st, worker_runs),
	       (unsigned long long)VQ_CNT(&st, budget_exhausted));
	tr_free(t);
	free(t);
}

/*
 * No wakeup is ever lost: the driver kicks only when the device asks
 * (USED_F_NO_NOTIFY or avail_event) and sleeps on the call eventfd after
 * asking for a call; 100,000 chains must all complete. A small budget
 * makes the worker requeue itself with kicks still suppressed.
 */
static void no_lost_wakeup(struct __test_metadata *_metadata,
			   FIXTURE_DATA(vq) *self, bool event_idx,
			   uint32_t busy_poll_us, uint64_t chains)
{
	struct vqd *q = &self->q;
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqtest_queue_stats st;
	bool split = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	cpu_set_t set;

	ASSERT_NE(NULL, t);
	/*
	 * With two CPUs, the driver on CPU 0 and the worker on CPU 1, so
	 * they overlap and the driver does see the device's "don't kick".
	 * (On one CPU, or both on the kicking CPU, the worker may always
	 * finish before the driver looks again: 6.1 under TCG does.)
	 */
	if (split) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	}
	vq_set_features(self->fd, F_V1 | (event_idx ? F_EVENT_IDX : 0));
	engine_setup_x(_metadata, q, self->fd, 0, 64, 16, event_idx, 16,
		       busy_poll_us, split ? 1 : VQTEST_CPU_ANY, 0);
	ASSERT_EQ(0, tr_init(t, q, chains, 0x77 + event_idx));
	t->max_nr = 1;
	t->max_nw = 1;
	t->max_len = 16;
	t->batch = 8;
	t->honour_notify = true;
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	ASSERT_EQ(0, tr_check_stats(t, 0)) TH_LOG("%s", t->err);
	vq_stats(self->fd, 0, &st);
	TH_LOG("kicks %llu, skipped %llu (device: kicks_suppressed %llu), waits %llu, calls %llu, suppressed calls %llu/%llu",
	       (unsigned long long)t->kicks,
	       (unsigned long long)t->kicks_skipped,
	       (unsigned long long)VQ_CNT(&st, kicks_suppressed),
	       (unsigned long long)t->waits,
	       (unsigned long long)VQ_CNT(&st, calls),
	       (unsigned long long)VQ_CNT(&st, calls_suppressed_flag),
	       (unsigned long long)VQ_CNT(&st, calls_suppressed_event));
	/*
	 * The device did ask the driver not to kick, and it was obeyed: it
	 * must have, as the driver publishes while the worker still works
	 * through earlier batches (a budget of 16). Not so with busy polling,
	 * which wakes the driver first and then polls 200 us: on a loaded
	 * host the call's cross-CPU wakeup can take longer than that, and
	 * then every batch meets an idle device (CI saw 0 of 2,731).
	 */
	if (split && !busy_poll_us)
		ASSERT_LT(0ULL, t->kicks_skipped);
	tr_free(t);
	free(t);
}

TEST_F_TIMEOUT(vq, no_lost_wakeup_flags, 300)
{
	no_lost_wakeup(_metadata, self, false, 0, 100000);
}

TEST_F_TIMEOUT(vq, no_lost_wakeup_event_idx, 300)
{
	no_lost_wakeup(_metadata, self, true, 0, 100000);
}

TEST_F_TIMEOUT(vq, no_lost_wakeup_busy_poll, 300)
{
	no_lost_wakeup(_metadata, self, false, 200, 20000);
}

/* ------------------------------------------------------------------ */
/* Inline kicks (VQTEST_QUEUE_F_INLINE)                                */
/* ------------------------------------------------------------------ */

/* INLINE with a worker CPU or busy polling is refused, and so are both. */
TEST_F(vq, inline_einval)
{
	struct vqtest_queue_create c;
	struct vqd *q = &self->q;

	vq_set_features(self->fd, F_V1);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 8, 64));
	q->kick = vq_eventfd();
	q->call = vq_eventfd();
	vqd_create_cmd(q, &c);
	c.flags = VQTEST_QUEUE_F_INLINE;
	c.cpu = 0;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.cpu = VQTEST_CPU_ANY;
	c.busy_poll_us = 10;
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.busy_poll_us = 0;
	c.flags = VQTEST_QUEUE_F_INLINE << 1;	/* not a flag (yet) */
	ASSERT_EQ(-EINVAL, _vq_queue_create(self->fd, &c));
	c.flags = VQTEST_QUEUE_F_INLINE;
	ASSERT_EQ(0, _vq_queue_create(self->fd, &c));
}

/*
 * The point of INLINE: when the kick's write() returns, the chains are
 * used and the call is signalled already. With the worker that is a race
 * the worker usually loses; inline it must hold every time.
 */
static void inline_kick_sync(struct __test_metadata *_metadata,
			     FIXTURE_DATA(vq) *self, bool event_idx)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint32_t i;

	vq_set_features(self->fd, F_V1 | (event_idx ? F_EVENT_IDX : 0));
	engine_setup_x(_metadata, q, self->fd, 0, 16, 64, event_idx, 0, 0,
		       VQTEST_CPU_ANY, VQTEST_QUEUE_F_INLINE);
	for (i = 0; i < 200; i++) {
		struct echo_chain ec = { .nr = 1 + i % 3, .nw = 1 + i % 2,
					 .lens = { 9, 33, 17, 64, 5 },
					 .seed = i };

		ASSERT_LE(0, echo_offer(q, &ec));
		vqd_publish(q);
		if (event_idx)
			*vqd_used_event(q) = q->last_used;
		ASSERT_EQ(0, vq_kick(q->kick));
		/* no waiting: the call eventfd is non-blocking */
		ASSERT_EQ(1ULL, vq_efd_read(q->call)) TH_LOG("chain %u", i);
		ASSERT_EQ(q->avail_idx, vqd_used_idx(q));
		echo_reap_check(_metadata, q, &ec);
	}
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(200ULL, VQ_CNT(&st, kicks));
	ASSERT_EQ(200ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(200ULL, VQ_CNT(&st, calls));
	ASSERT_EQ(200ULL, VQ_CNT(&st, worker_runs));
	ASSERT_EQ(0ULL, VQ_CNT(&st, violations));
}

TEST_F(vq, inline_kick_sync)
{
	inline_kick_sync(_metadata, self, false);
}

TEST_F(vq, inline_kick_sync_event_idx)
{
	inline_kick_sync(_metadata, self, true);
}

/*
 * One run's budget is served inline, the rest by the worker: 64 chains,
 * a budget of 4, one kick. After the write the first 4 are used; then
 * all 64 arrive, in order, and the counters add up.
 */
TEST_F(vq, inline_budget_to_worker)
{
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint64_t calls = 0;
	uint32_t i;
	int ms;

	vq_set_features(self->fd, F_V1);
	engine_setup_x(_metadata, q, self->fd, 0, 128, 64, false, 4, 0,
		       VQTEST_CPU_ANY, VQTEST_QUEUE_F_INLINE);
	for (i = 0; i < 64; i++) {
		struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 8, 8 },
					 .seed = i };

		ASSERT_LE(0, echo_offer(q, &ec));
	}
	vqd_publish(q);
	ASSERT_EQ(0, vq_kick(q->kick));
	ASSERT_LE(4, vqd_used_idx(q));
	for (ms = 0; ms < 10000 && vqd_used_idx(q) != 64; ms += 10)
		calls += vq_efd_wait(q->call, 10);
	ASSERT_EQ(64, vqd_used_idx(q));
	calls += vq_efd_read(q->call);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(64ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(1ULL, VQ_CNT(&st, kicks));
	ASSERT_EQ(16ULL, VQ_CNT(&st, worker_runs));	/* 1 inline + 15 */
	ASSERT_EQ(15ULL, VQ_CNT(&st, budget_exhausted));
	ASSERT_EQ(calls, VQ_CNT(&st, calls));
	for (i = 0; i < 64; i++) {
		uint32_t head, len;

		ASSERT_EQ(1, vqd_reap(q, &head, &len));
		ASSERT_EQ(8U, len);
	}
}

/* Random traffic, kicks only when asked, through inline runs: all of it. */
TEST_F_TIMEOUT(vq, inline_traffic, 300)
{
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqd *q = &self->q;

	ASSERT_NE(NULL, t);
	vq_set_features(self->fd, F_V1 | F_EVENT_IDX | F_INDIRECT);
	engine_setup_x(_metadata, q, self->fd, 0, 256, 64, true, 32, 0,
		       VQTEST_CPU_ANY, VQTEST_QUEUE_F_INLINE);
	ASSERT_EQ(0, tr_init(t, q, 100000, 0x1717));
	ASSERT_EQ(0, tr_enable_indirect(t, 20, NULL));
	t->batch = 48;
	t->honour_notify = true;
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	ASSERT_EQ(0, tr_check_stats(t, 0)) TH_LOG("%s", t->err);
	tr_free(t);
	free(t);
}

struct inline_kicker {
	int efd;
	volatile bool stop;
	uint64_t kicks;
};

static void *inline_kick_loop(void *arg)
{
	struct inline_kicker *k = arg;

	while (!k->stop)
		if (!vq_kick(k->efd))
			k->kicks++;
	return NULL;
}

/*
 * Inline runs queued on other threads while the queue is destroyed and
 * created again, and while the device file is closed under them: the
 * runs that come late find the queue gone and only let go of it. Then
 * the memlock charge is back, the device works, the module unloads.
 */
TEST_F_TIMEOUT(vq, inline_destroy_race, 120)
{
	struct inline_kicker k[3] = {};
	struct vqtest_queue_destroy d;
	struct vqtest_queue_create c;
	long lck0 = vq_status_kb("VmLck");
	pthread_t th[3];
	int kick = vq_eventfd(), round, i, fd = -1;
	struct vqd *q = &self->q;

	ASSERT_LE(0, kick);
	for (i = 0; i < 3; i++) {
		k[i].efd = kick;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, inline_kick_loop,
					    &k[i]));
	}
	for (round = 0; round < 60; round++) {
		if (fd < 0) {
			fd = _vq_open();
			ASSERT_LE(0, fd);
			vq_set_features(fd, F_V1);
			ASSERT_EQ(0, _vqd_init(q, fd, 0, 32, 64));
			q->kick = kick;
			q->call = vq_eventfd();
			ASSERT_LE(0, q->call);
		}
		vqd_create_cmd(q, &c);
		c.flags = VQTEST_QUEUE_F_INLINE;
		ASSERT_EQ(0, _vq_queue_create(fd, &c));
		for (i = 0; i < 8; i++) {
			struct echo_chain ec = { .nr = 1, .nw = 1,
						 .lens = { 8, 8 } };

			if (echo_offer(q, &ec) < 0)
				break;
		}
		vqd_publish(q);
		usleep(round * 37 % 500);
		if (round % 3 == 2) {
			/* the device goes with every queue and pin */
			ASSERT_EQ(0, close(fd));
			close(q->call);
			munmap(q->mem, q->mem_len);
			vqd_free(q);
			fd = -1;
			continue;
		}
		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.index = 0;
		ASSERT_EQ(0, ioctl(fd, VQTEST_QUEUE_DESTROY, &d));
		/* the driver starts over on the same memory */
		vqd_init_driver(q);
	}
	for (i = 0; i < 3; i++) {
		k[i].stop = true;
		pthread_join(th[i], NULL);
		TH_LOG("kicker %d: %llu kicks", i,
		       (unsigned long long)k[i].kicks);
	}
	if (fd >= 0) {
		ASSERT_EQ(0, close(fd));
		close(q->call);
		munmap(q->mem, q->mem_len);
		vqd_free(q);
	}
	close(kick);
	ASSERT_EQ(lck0, vq_status_kb("VmLck"));
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, &self->q2, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	assert_queue_works(_metadata, &self->q2);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */
/* ------------------------------------------------------------------ */

/* Close the device with chains in flight and the worker busy. */
TEST_F(vq, close_in_flight)
{
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqd *q = &self->q;
	long lck0 = vq_status_kb("VmLck");
	int round;

	ASSERT_NE(NULL, t);
	for (round = 0; round < 20; round++) {
		int fd = _vq_open();

		ASSERT_LE(0, fd);
		vq_set_features(fd, F_V1 | F_INDIRECT);
		engine_setup(_metadata, q, fd, 0, 256, 64, false, 4, 0);
		ASSERT_EQ(0, tr_init(t, q, 1000, round));
		t->batch = 256;
		/* fill the ring, kick, and close at once */
		ASSERT_LE(0, tr_step(t)) TH_LOG("%s", t->err);
		if (round & 1)
			usleep(round * 100);
		ASSERT_EQ(0, close(fd));
		/* every pin and its memlock charge went with the file */
		ASSERT_EQ(lck0, vq_status_kb("VmLck"));
		close(q->kick);
		close(q->call);
		munmap(q->mem, q->mem_len);
		tr_free(t);
		vqd_free(q);
	}
	free(t);
	/* the device is fine */
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, &self->q2, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	assert_queue_works(_metadata, &self->q2);
}

/* SIGKILL the process that owns a device while its queue runs. */
TEST_F_TIMEOUT(vq, sigkill_owner, 120)
{
	long refcnt0 = vq_read_long("/sys/module/vqtest/refcnt");
	struct traffic *t = calloc(1, sizeof(*t));
	int round;

	ASSERT_NE(NULL, t);
	for (round = 0; round < 4; round++) {
		int status, p[2];
		char c;
		pid_t pid;

		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct vqtest_queue_create cc;
			struct vqd cq;
			int fd = _vq_open();

			close(p[0]);
			if (fd < 0 || _vq_set_features(fd, F_V1 | F_INDIRECT) ||
			    _vqd_init(&cq, fd, 0, 256, 64))
				_exit(2);
			cq.kick = vq_eventfd();
			cq.call = vq_eventfd();
			vqd_create_cmd(&cq, &cc);
			cc.budget_chains = 8;
			if (_vq_queue_create(fd, &cc) ||
			    tr_init(t, &cq, ~0ULL, round))
				_exit(3);
			t->target = 2000;
			if (tr_run(t)) {
				fprintf(stderr, "child: %s\n", t->err);
				_exit(4);
			}
			/* running: tell the parent, then run until killed */
			if (write(p[1], "r", 1) != 1)
				_exit(5);
			t->target = ~0ULL;
			tr_run(t);
			fprintf(stderr, "child: %s\n", t->err);
			_exit(6);
		}
		close(p[1]);
		ASSERT_EQ(1, read(p[0], &c, 1));
		close(p[0]);
		usleep(round * 30000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status))
			TH_LOG("child exited with %d", WEXITSTATUS(status));
		ASSERT_EQ(SIGKILL, WTERMSIG(status));
		/* its device is gone with it */
		ASSERT_EQ(refcnt0, vq_read_long("/sys/module/vqtest/refcnt"));
	}
	free(t);
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, &self->q2, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	assert_queue_works(_metadata, &self->q2);
}

/* The driver closes its eventfds after create: the queue keeps going. */
TEST_F(vq, eventfds_closed)
{
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	int kick2, call2;
	uint32_t i, chains;

	ASSERT_NE(NULL, t);
	vq_set_features(self->fd, F_V1);
	engine_setup(_metadata, q, self->fd, 0, 64, 64, false, 0, 0);
	/* the same files under other numbers, the originals closed */
	kick2 = dup(q->kick);
	call2 = dup(q->call);
	ASSERT_LE(0, kick2);
	ASSERT_LE(0, call2);
	ASSERT_EQ(0, close(q->kick));
	ASSERT_EQ(0, close(q->call));
	q->kick = kick2;
	q->call = call2;
	ASSERT_EQ(0, tr_init(t, q, 2000, 9));
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	ASSERT_EQ(0, tr_check_stats(t, 0)) TH_LOG("%s", t->err);

	/* no file left at all: QUEUE_PROCESS still drives it */
	ASSERT_EQ(0, close(kick2));
	ASSERT_EQ(0, close(call2));
	q->kick = q->call = -1;
	for (i = 0; i < 5; i++)
		assert_queue_works(_metadata, q);
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(2005ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(U32(VQTEST_QS_ACTIVE), st.out_state);
	/* the worker and the kick wait entry go away cleanly */
	vq_queue_destroy(self->fd, 0);
	ASSERT_EQ(-ENOENT, _vq_process(self->fd, 0, 0, &chains, NULL));
	tr_free(t);
	free(t);
}

/* anonymous memory, rings included: the device goes on */
static void munmap_anon(struct __test_metadata *_metadata,
			FIXTURE_DATA(vq) *self)
{
	struct vqd *q2 = &self->q2;
	struct echo_chain ec = { .nr = 1, .nw = 1, .lens = { 40, 40 } };
	uint32_t chains;
	long lck;

	queue_setup(_metadata, q2, self->fd, 1, 8, 64,
		    VQTEST_BEH_ECHO);
	ASSERT_LE(0, echo_offer(q2, &ec));
	vqd_publish(q2);
	lck = vq_status_kb("VmLck");
	ASSERT_EQ(0, munmap(q2->mem, q2->mem_len));
	vq_process(self->fd, 1, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	vq_process(self->fd, 1, 0, &chains, NULL);
	ASSERT_EQ(0U, chains);
	/* the charge stays with the region until it is unmapped */
	ASSERT_EQ(lck, vq_status_kb("VmLck"));
	vq_queue_destroy(self->fd, 1);
	vq_unmap(self->fd, q2->iova, q2->mem_len);
	ASSERT_EQ(lck - (long)(q2->mem_len / 1024),
		  vq_status_kb("VmLck"));
}

/* munmap of registered memory: the pins keep the pages for the device. */
TEST_F(vq, munmap_registered)
{
	const uint64_t biova = 0x500000000ULL;
	struct vqd *q = &self->q;
	uint8_t *view, *reg, in[300];
	uint32_t chains, head, len;
	int mfd = memfd_create("vqtest", 0);

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 2 * VQ_PAGE));
	reg = mmap(NULL, 2 * VQ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
		   0);
	view = mmap(NULL, 2 * VQ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    mfd, 0);
	ASSERT_NE(MAP_FAILED, reg);
	ASSERT_NE(MAP_FAILED, view);
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	vq_map(self->fd, reg, 2 * VQ_PAGE, VQTEST_MAP_FIXED_IOVA, biova, NULL);

	vq_fill(in, sizeof(in), 31);
	memcpy(reg + 100, in, sizeof(in));
	memset(reg + VQ_PAGE, PAD, 400);
	ASSERT_EQ(0, munmap(reg, 2 * VQ_PAGE));

	vqd_set_desc(&q->desc[0], biova + 100, 300, VQD_F_NEXT, 1);
	vqd_set_desc(&q->desc[1], biova + VQ_PAGE, 400, VQD_F_WRITE, 0);
	vqd_offer(q, 0);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(300U, len);
	/* the device wrote into the pages the file still has */
	ASSERT_EQ(0, memcmp(view + VQ_PAGE, in, 300));
	ASSERT_EQ(PAD, view[VQ_PAGE + 300]);
	vq_unmap(self->fd, biova, 2 * VQ_PAGE);
	munmap_anon(_metadata, self);
	close(mfd);
}

/*
 * fork of the owner: the child gets the same device through the
 * inherited fd and copies of the memory. The device keeps working on the
 * parent's pinned pages whatever either side writes afterwards.
 */
TEST_F_TIMEOUT(vq, fork_owner, 120)
{
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqd *q = &self->q;
	int p[2], status;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, t);
	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	engine_setup(_metadata, q, self->fd, 0, 64, 64, true, 0, 0);
	ASSERT_EQ(0, tr_init(t, q, 500, 21));
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vqtest_queue_stats st;
		struct vqtest_info info;
		uint32_t chains;

		close(p[1]);
		/* wait until the parent has used the queue after the fork */
		if (read(p[0], &c, 1) != 1)
			_exit(2);
		if (_vq_get_info(self->fd, &info) || _vq_stats(self->fd, 0, &st))
			_exit(3);
		/* scribble over the child's copy of rings and buffers */
		memset(q->mem, 0x5a, q->mem_len);
		/* the device runs on the parent's pages: nothing pending */
		if (_vq_process(self->fd, 0, 0, &chains, NULL) || chains)
			_exit(4);
		_exit(0);
	}
	close(p[0]);
	/* after the fork, the parent's writes still reach the device */
	t->target += 500;
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	ASSERT_EQ(1, write(p[1], "g", 1));
	close(p[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* and after the child scribbled and left */
	t->target += 500;
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	ASSERT_EQ(0, tr_check_stats(t, 0)) TH_LOG("%s", t->err);
	tr_free(t);
	free(t);
}

/* Devices with queues, eventfds and traffic, closed over and over. */
TEST_F_TIMEOUT(vq, queue_lifecycle_no_leak, 180)
{
	struct traffic *t = calloc(1, sizeof(*t));
	long lck0 = 0, unrecl0 = 0, unrecl1, files0 = 0, files1;
	struct vqd q;
	int i, n = 1000, fd;

	ASSERT_NE(NULL, t);
	close(self->fd);
	self->fd = -1;
	/* one round first, so caches are warm */
	for (i = -50; i < n; i++) {
		if (!i) {
			vq_settle();
			lck0 = vq_status_kb("VmLck");
			unrecl0 = vq_meminfo_kb("SUnreclaim");
			files0 = vq_read_long("/proc/sys/fs/file-nr");
		}
		fd = _vq_open();
		ASSERT_LE(0, fd);
		vq_set_features(fd, F_V1 | F_EVENT_IDX);
		engine_setup(_metadata, &q, fd, i & 7, 64, 64, true, 0, 0);
		ASSERT_EQ(0, tr_init(t, &q, 16, i));
		ASSERT_LE(0, tr_step(t)) TH_LOG("%s", t->err);
		/* half of them with chains still in flight */
		if (i & 1)
			ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
		close(q.kick);
		close(q.call);
		ASSERT_EQ(0, close(fd));
		munmap(q.mem, q.mem_len);
		tr_free(t);
		vqd_free(&q);
	}
	vq_settle();
	unrecl1 = vq_meminfo_kb("SUnreclaim");
	files1 = vq_read_long("/proc/sys/fs/file-nr");
	TH_LOG("%d devices: SUnreclaim %+ld kB, files %+ld, VmLck %ld -> %ld kB",
	       n, unrecl1 - unrecl0, files1 - files0, lck0,
	       vq_status_kb("VmLck"));
	ASSERT_EQ(lck0, vq_status_kb("VmLck"));
	/* a queue (struct, scratch, ring state) is well over 1 KiB */
	ASSERT_LT(unrecl1 - unrecl0, n);
	/* 3 files per round: a leaked eventfd would show 1000 */
	ASSERT_LT(files1 - files0, 256);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Sizes at the edges                                                  */
/* ------------------------------------------------------------------ */

/* Megabyte buffers at odd offsets, a split across regions, in place. */
TEST_F_TIMEOUT(vq, echo_large_buffers, 120)
{
	const size_t big = 10 << 20;
	const uint64_t siova = 0x600000000ULL;
	const uint32_t rl[3] = { (1 << 20) + 7, (2 << 20) - 5, (1 << 20) + 1 };
	const uint32_t wl[2] = { 3 << 20, (1 << 20) + 100 };
	uint32_t r = rl[0] + rl[1] + rl[2], chains, head, len;
	uint8_t *mem = vq_alloc(big), *expect = malloc(r);
	uint8_t *rp[3], *wp[2], *sa, *sb, *sc, *sd;
	struct vqd *q = &self->q;

	ASSERT_NE(NULL, mem);
	ASSERT_NE(NULL, expect);
	vq_set_features(self->fd, F_V1);
	queue_setup(_metadata, q, self->fd, 0, 8, 64, VQTEST_BEH_ECHO);
	vq_map(self->fd, mem, big, 0, 0, NULL);

	rp[0] = mem + 1;
	rp[1] = rp[0] + rl[0] + 3;
	rp[2] = rp[1] + rl[1] + 4093;
	wp[0] = mem + (5 << 20) + 11;
	wp[1] = wp[0] + wl[0] + 1;
	vq_fill(rp[0], rl[0], 1);
	vq_fill(rp[1], rl[1], 2);
	vq_fill(rp[2], rl[2], 3);
	memcpy(expect, rp[0], rl[0]);
	memcpy(expect + rl[0], rp[1], rl[1]);
	memcpy(expect + rl[0] + rl[1], rp[2], rl[2]);
	memset(wp[0], PAD, wl[0]);
	memset(wp[1], PAD, wl[1]);
	vqd_set_desc(&q->desc[0], (uintptr_t)rp[0], rl[0], VQD_F_NEXT, 1);
	vqd_set_desc(&q->desc[1], (uintptr_t)rp[1], rl[1], VQD_F_NEXT, 2);
	vqd_set_desc(&q->desc[2], (uintptr_t)rp[2], rl[2], VQD_F_NEXT, 3);
	vqd_set_desc(&q->desc[3], (uintptr_t)wp[0], wl[0],
		     VQD_F_WRITE | VQD_F_NEXT, 4);
	vqd_set_desc(&q->desc[4], (uintptr_t)wp[1], wl[1], VQD_F_WRITE, 0);
	vqd_offer(q, 0);

	/* in place: the writable buffer is the readable one */
	vqd_set_desc(&q->desc[5], (uintptr_t)mem + (19 << 19), 65536,
		     VQD_F_NEXT, 6);
	vqd_set_desc(&q->desc[6], (uintptr_t)mem + (19 << 19), 65536,
		     VQD_F_WRITE, 0);
	vq_fill(mem + (19 << 19), 65536, 9);
	vqd_offer(q, 5);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(2U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(0U, head);
	ASSERT_EQ(r, len);
	ASSERT_EQ(0, memcmp(expect, wp[0], wl[0]));
	ASSERT_EQ(0, memcmp(expect + wl[0], wp[1], r - wl[0]));
	ASSERT_EQ(PAD, wp[1][r - wl[0]]);
	ASSERT_EQ(PAD, wp[1][wl[1] - 1]);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(5U, head);
	ASSERT_EQ(65536U, len);
	vq_fill(expect, 65536, 9);
	ASSERT_EQ(0, memcmp(expect, mem + (19 << 19), 65536));

	/* 600 KiB read across two regions, written across two others */
	sa = vq_alloc(VQ_PAGE * 100);
	sb = vq_alloc(VQ_PAGE * 100);
	sc = vq_alloc(VQ_PAGE * 100);
	sd = vq_alloc(VQ_PAGE * 100);
	ASSERT_TRUE(sa && sb && sc && sd);
	vq_map(self->fd, sa, 100 * VQ_PAGE, VQTEST_MAP_FIXED_IOVA, siova, NULL);
	vq_map(self->fd, sb, 100 * VQ_PAGE, VQTEST_MAP_FIXED_IOVA,
	       siova + 100 * VQ_PAGE, NULL);
	vq_map(self->fd, sc, 100 * VQ_PAGE, VQTEST_MAP_FIXED_IOVA,
	       siova + 200 * VQ_PAGE, NULL);
	vq_map(self->fd, sd, 100 * VQ_PAGE, VQTEST_MAP_FIXED_IOVA,
	       siova + 300 * VQ_PAGE, NULL);
	vq_fill(expect, 600 * 1024, 77);
	memcpy(sa + 100 * VQ_PAGE - 300 * 1024, expect, 300 * 1024);
	memcpy(sb, expect + 300 * 1024, 300 * 1024);
	vqd_set_desc(&q->desc[0], siova + 100 * VQ_PAGE - 300 * 1024,
		     600 * 1024, VQD_F_NEXT, 1);
	/* the last 200 KiB of c and all 400 KiB of d */
	vqd_set_desc(&q->desc[1], siova + 300 * VQ_PAGE - 200 * 1024,
		     600 * 1024, VQD_F_WRITE, 0);
	vqd_offer(q, 0);
	vqd_publish(q);
	vq_process(self->fd, 0, 0, &chains, NULL);
	ASSERT_EQ(1U, chains);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ(600U * 1024, len);
	ASSERT_EQ(0, memcmp(expect, sc + 100 * VQ_PAGE - 200 * 1024,
			    200 * 1024));
	ASSERT_EQ(0, memcmp(expect + 200 * 1024, sd, 400 * 1024));
	free(expect);
}

/* A queue of one entry, through the engine: every index wraps. */
TEST_F(vq, queue_size_1)
{
	struct vqtest_queue_create c;
	struct vqtest_queue_stats st;
	struct vqd *q = &self->q;
	uint64_t pos = 0, rng = 11, kicks = 0;
	uint32_t i, b;

	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	ASSERT_EQ(0, _vqd_init(q, self->fd, 0, 1, 256));
	q->kick = vq_eventfd();
	q->call = vq_eventfd();
	q->event_idx = true;
	vqd_create_cmd(q, &c);
	c.behaviour = VQTEST_BEH_SOURCE;
	vq_queue_create(self->fd, &c);
	for (i = 0; i < 3000; i++) {
		uint32_t wlen = 1 + vq_rand(&rng) % 256, head, len;
		uint16_t old = q->avail_idx;
		uint8_t *p = vqd_buf(q, 0);

		vqd_set_desc(&q->desc[0], vqd_iova(q, p), wlen, VQD_F_WRITE, 0);
		vqd_offer(q, 0);
		vqd_publish(q);
		if (vqd_need_kick(q, old)) {
			ASSERT_EQ(0, vq_kick(q->kick));
			kicks++;
		}
		*vqd_used_event(q) = q->last_used;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* a call may be left over from a chain reaped unasked */
		while (vqd_used_idx(q) == q->last_used)
			ASSERT_LT(0ULL, vq_efd_wait(q->call, 10000))
				TH_LOG("chain %u: no call", i);
		ASSERT_EQ(1, vqd_reap(q, &head, &len));
		ASSERT_EQ(0U, head);
		ASSERT_EQ(wlen, len);
		for (b = 0; b < wlen; b++, pos++)
			ASSERT_EQ(pos % 251, p[b]);
	}
	vq_stats(self->fd, 0, &st);
	ASSERT_EQ(3000ULL, VQ_CNT(&st, chains));
	ASSERT_EQ(pos, VQ_CNT(&st, bytes_written));
	ASSERT_EQ(kicks, VQ_CNT(&st, kicks));
	ASSERT_EQ(3000U % 65536, st.out_used_idx);
}

/* The largest queue, filled, through the engine. */
TEST_F_TIMEOUT(vq, echo_max_queue_size, 300)
{
	struct traffic *t = calloc(1, sizeof(*t));
	struct vqd *q = &self->q;

	ASSERT_NE(NULL, t);
	vq_set_features(self->fd, F_V1 | F_EVENT_IDX);
	engine_setup(_metadata, q, self->fd, 0, self->info.out_max_queue_size,
		     16, true, 0, 0);
	ASSERT_EQ(0, tr_init(t, q, 200000, 0x32768));
	t->max_nr = 1;
	t->max_nw = 1;
	t->max_len = 16;
	t->batch = q->num;
	t->honour_notify = true;
	ASSERT_EQ(0, tr_run(t)) TH_LOG("%s", t->err);
	ASSERT_EQ(0, tr_check_stats(t, 0)) TH_LOG("%s", t->err);
	tr_free(t);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Everything at once on one device                                    */
/* ------------------------------------------------------------------ */

struct conc_arg {
	int fd;
	bool *stop;
	uint64_t ops;
	char err[200];
};

/* STATS, GET_INFO and PROCESS on the busy queue, from another thread. */
static void *conc_poker(void *arg)
{
	struct conc_arg *a = arg;
	struct vqtest_queue_stats st;
	struct vqtest_info info;
	uint32_t chains;
	int ret;

	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		ret = _vq_stats(a->fd, 0, &st);
		if (!ret)
			ret = _vq_get_info(a->fd, &info);
		if (!ret)
			ret = _vq_process(a->fd, 0, 0, &chains, NULL);
		if (!ret && _vq_stats(a->fd, 777, &st) != -ENOENT)
			ret = -EPROTO;
		if (ret) {
			snprintf(a->err, sizeof(a->err), "poker: %s",
				 strerror(-ret));
			return NULL;
		}
		a->ops++;
	}
	return NULL;
}

/* Queues and regions coming and going next to the busy queue. */
static void *conc_churn(void *arg)
{
	struct conc_arg *a = arg;
	int ret = 0;

	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED) && !ret) {
		struct vqd q;
		uint32_t index = 1 + a->ops % 4, chains;

		ret = _vqd_init(&q, a->fd, index, 16, 64);
		if (!ret)
			ret = _vqd_create(&q, VQTEST_BEH_NULL);
		if (!ret && _vq_set_features(a->fd, F_V1) != -EBUSY)
			ret = -EPROTO;
		if (!ret) {
			vqd_set_desc(&q.desc[0], vqd_iova(&q, q.buf), 8, 0, 0);
			vqd_offer(&q, 0);
			vqd_publish(&q);
			ret = _vq_process(a->fd, index, 0, &chains, NULL);
			if (!ret && chains != 1)
				ret = -EPROTO;
		}
		if (!ret)
			ret = _vq_queue_destroy(a->fd, index);
		if (!ret)
			ret = _vq_unmap(a->fd, q.iova, q.mem_len);
		munmap(q.mem, q.mem_len);
		vqd_free(&q);
		a->ops++;
	}
	if (ret)
		snprintf(a->err, sizeof(a->err), "churn: %s", strerror(-ret));
	return NULL;
}

TEST_F_TIMEOUT(vq, concurrent_ioctls, 300)
{
	struct traffic *t = calloc(1, sizeof(*t));
	struct conc_arg poker = { .fd = self->fd }, churn = { .fd = self->fd };
	bool stop = false;
	pthread_t th[2];
	struct vqd *q = &self->q;
	int ret;

	ASSERT_NE(NULL, t);
	poker.stop = &stop;
	churn.stop = &stop;
	vq_set_features(self->fd, F_V1 | F_EVENT_IDX | F_INDIRECT);
	engine_setup(_metadata, q, self->fd, 0, 256, 64, true, 16, 0);
	ASSERT_EQ(0, tr_init(t, q, 100000, 0xc0c0));
	ASSERT_EQ(0, tr_enable_indirect(t, 10, NULL));
	t->batch = 32;
	t->honour_notify = true;
	ASSERT_EQ(0, pthread_create(&th[0], NULL, conc_poker, &poker));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, conc_churn, &churn));
	ret = tr_run(t);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	ASSERT_EQ(0, ret) TH_LOG("%s", t->err);
	ASSERT_STREQ("", poker.err);
	ASSERT_STREQ("", churn.err);
	ASSERT_EQ(0, tr_check_stats(t, 0)) TH_LOG("%s", t->err);
	TH_LOG("%llu stats/info/process rounds, %llu queue lifetimes alongside",
	       (unsigned long long)poker.ops, (unsigned long long)churn.ops);
	ASSERT_LT(0ULL, poker.ops);
	ASSERT_LT(0ULL, churn.ops);
	tr_free(t);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Many queues, many threads                                           */
/* ------------------------------------------------------------------ */

#define MQ_THREADS	8
#define MQ_PER_THREAD	8
#define MQ_CHAINS	1500
#define MQ_IND_BYTES	(64 * VQ_PAGE)	/* tables for a 64-entry queue */

struct mq_arg {
	int fd;			/* shared device, or -1: open one */
	int tid;
	uint64_t chains;
	uint64_t done;
	char err[400];
};

static void *mq_thread(void *arg)
{
	struct mq_arg *a = arg;
	struct vqd q[MQ_PER_THREAD];
	struct traffic *t = calloc(MQ_PER_THREAD, sizeof(*t));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool own = a->fd < 0;
	int fd = a->fd, i, ret;
	uint8_t *mem;
	size_t qlen;

	memset(q, 0, sizeof(q));
	if (!t) {
		snprintf(a->err, sizeof(a->err), "no memory");
		return NULL;
	}
	if (own) {
		fd = _vq_open();
		if (fd < 0 || _vq_set_features(fd, F_V1 | F_EVENT_IDX |
					       F_INDIRECT)) {
			snprintf(a->err, sizeof(a->err), "open/features");
			return NULL;
		}
	}
	/*
	 * One region per thread for its 8 queues and their tables: a device
	 * maps out_max_regions (64) regions at most.
	 */
	qlen = vqd_mem_bytes(64, 64);
	mem = vq_alloc(MQ_PER_THREAD * (qlen + MQ_IND_BYTES));
	if (!mem || _vq_map(fd, mem, MQ_PER_THREAD * (qlen + MQ_IND_BYTES), 0,
			    0, NULL)) {
		snprintf(a->err, sizeof(a->err), "memory");
		return NULL;
	}
	for (i = 0; i < MQ_PER_THREAD; i++) {
		struct vqtest_queue_create c;
		uint32_t index = own ? i : a->tid * MQ_PER_THREAD + i;
		uint8_t *qmem = mem + i * (qlen + MQ_IND_BYTES);

		ret = vqd_layout(&q[i], fd, index, 64, 64, qmem, qlen,
				 (uintptr_t)qmem);
		q[i].kick = vq_eventfd();
		q[i].call = vq_eventfd();
		q[i].event_idx = true;
		vqd_create_cmd(&q[i], &c);
		/* half the queues pinned to a CPU */
		c.cpu = (i & 1) ? (int)((a->tid + i) % ncpu) : VQTEST_CPU_ANY;
		c.budget_chains = 32;
		if (!ret)
			ret = _vq_queue_create(fd, &c);
		if (!ret)
			ret = tr_init(&t[i], &q[i], a->chains,
				      a->tid * 100 + i);
		if (!ret && tr_indirect_bytes(&t[i]) > MQ_IND_BYTES)
			ret = -E2BIG;
		/* a quarter of the queues send some chains indirect */
		if (!ret && (i % 4) == 0)
			ret = tr_enable_indirect(&t[i], 30, qmem + qlen);
		if (ret) {
			snprintf(a->err, sizeof(a->err), "queue %u: setup: %s",
				 index, strerror(-ret));
			return NULL;
		}
		t[i].batch = 16;
		t[i].honour_notify = true;
	}
	for (;;) {
		struct pollfd pfd[MQ_PER_THREAD];
		int progress = 0, busy = 0, ready = 0, n = 0;

		for (i = 0; i < MQ_PER_THREAD; i++) {
			if (t[i].done >= t[i].target)
				continue;
			busy++;
			ret = tr_step(&t[i]);
			if (ret < 0) {
				snprintf(a->err, sizeof(a->err), "%s", t[i].err);
				return NULL;
			}
			progress += ret;
		}
		if (!busy)
			break;
		if (progress)
			continue;
		for (i = 0; i < MQ_PER_THREAD; i++) {
			if (t[i].done >= t[i].target)
				continue;
			ready += tr_arm(&t[i]);
			pfd[n].fd = q[i].call;
			pfd[n].events = POLLIN;
			n++;
		}
		if (ready)
			continue;
		ret = poll(pfd, n, 20000);
		if (!ret) {
			for (i = 0; i < MQ_PER_THREAD; i++)
				if (t[i].done < t[i].target)
					break;
			tr_lost(&t[i]);
			snprintf(a->err, sizeof(a->err), "%s", t[i].err);
			return NULL;
		}
		for (i = 0; i < MQ_PER_THREAD; i++)
			if (t[i].done < t[i].target)
				t[i].calls_seen += vq_efd_read(q[i].call);
	}
	for (i = 0; i < MQ_PER_THREAD; i++) {
		if (tr_check_stats(&t[i], 0)) {
			snprintf(a->err, sizeof(a->err), "%s", t[i].err);
			return NULL;
		}
		a->done += t[i].done;
		if (_vq_queue_destroy(fd, q[i].index)) {
			snprintf(a->err, sizeof(a->err), "destroy %u", q[i].index);
			return NULL;
		}
		close(q[i].kick);
		close(q[i].call);
		tr_free(&t[i]);
		vqd_free(&q[i]);
	}
	free(t);
	if (own)
		close(fd);
	return NULL;
}

static void many_queues(struct __test_metadata *_metadata, int shared_fd)
{
	struct mq_arg a[MQ_THREADS];
	pthread_t th[MQ_THREADS];
	uint64_t total = 0;
	double t0 = now_s();
	int i;

	for (i = 0; i < MQ_THREADS; i++) {
		a[i] = (struct mq_arg){ .fd = shared_fd, .tid = i,
					.chains = MQ_CHAINS };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, mq_thread, &a[i]));
	}
	for (i = 0; i < MQ_THREADS; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	for (i = 0; i < MQ_THREADS; i++) {
		EXPECT_STREQ("", a[i].err) TH_LOG("thread %d", i);
		total += a[i].done;
	}
	ASSERT_EQ(U64(MQ_THREADS * MQ_PER_THREAD * MQ_CHAINS), total);
	TH_LOG("%d queues, %llu chains in %.1f s",
	       MQ_THREADS * MQ_PER_THREAD, (unsigned long long)total,
	       now_s() - t0);
}

TEST_F_TIMEOUT(vq, queues_64_threads_8_same_device, 300)
{
	vq_set_features(self->fd, F_V1 | F_EVENT_IDX | F_INDIRECT);
	many_queues(_metadata, self->fd);
}

TEST_F_TIMEOUT(vq, queues_64_threads_8_own_devices, 300)
{
	many_queues(_metadata, -1);
}

TEST_HARNESS_MAIN
