// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest_fail_nth: every error path of every ioctl that allocates or pins,
 * swept with /proc/thread-self/fail-nth the way the kernel's
 * tools/testing/selftests/iommu/iommufd_fail_nth.c does: the call under
 * test runs once without injection, then again with the 1st, 2nd, ...
 * fault-injection point in this task failing (a slab allocation, a page
 * allocation, a copy from or to user memory), until a run reaches no
 * injected failure.
 *
 * After every injected failure the test proves the unwind left nothing
 * behind: the ioctl failed with an errno of the contract and changed nothing
 * (the same call then succeeds; a region or queue that "failed" is not
 * there), and after each iteration: VmLck back to 0, every pinned page
 * released (/proc/vmstat), no vmalloc area of vqtest (/proc/vmallocinfo),
 * the device id allocator not leaking (a new open gets the first id). The
 * last test scans kmemleak for anything allocated by vqtest. A WARN, KASAN
 * or lockdep report fails the run in tools/vm/run (and with panic_on_warn,
 * the VM).
 *
 * Needs CONFIG_FAULT_INJECTION with FAILSLAB, FAIL_PAGE_ALLOC and
 * FAULT_INJECTION_DEBUG_FS (FAULT_INJECTION_USERCOPY adds the user copies):
 * the debug kernel of tools/debug-kernel. Elsewhere every test is skipped
 * (KSFT_SKIP), so it lives in the normal suite.
 */
#include <dirent.h>

#include "vqtest_utils.h"

#define F_V1		VQ_BIT(VQTEST_F_VERSION_1)
#define F_EVENT_IDX	VQ_BIT(VQTEST_F_EVENT_IDX)
#define F_INDIRECT	VQ_BIT(VQTEST_F_INDIRECT_DESC)
#define F_RING_RESET	VQ_BIT(VQTEST_F_RING_RESET)
#define FEATURES	(F_V1 | F_EVENT_IDX | F_INDIRECT | F_RING_RESET)

/* more points than any call here has; a safety net against endless loops */
#define MAX_ITERATIONS	2000U

static bool have_fault_injection;
static char skip_reason[160] = "fault injection is not enabled in this kernel";
static uint32_t base_device_id;
static long base_pins;

static int writeat(int dfd, const char *fn, const char *val)
{
	ssize_t len = strlen(val), res;
	int fd = openat(dfd, fn, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	res = write(fd, val, len);
	close(fd);
	return res == len ? 0 : -1;
}

/* nr_foll_pin_acquired - nr_foll_pin_released, per-CPU deltas folded */
static long pinned_pages(void)
{
	char name[64];
	long v, acq = -1, rel = -1;
	FILE *f;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			(void)0;
		close(fd);
	}
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	return acq - rel;
}

static long vmalloc_areas_of_vqtest(void)
{
	char line[512];
	long n = 0;
	FILE *f = fopen("/proc/vmallocinfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "[vqtest]") != NULL;
	fclose(f);
	return n;
}

static uint32_t device_id(void)
{
	struct vqtest_info info;
	int fd = _vq_open();
	uint32_t id = ~0U;

	if (fd < 0)
		return id;
	if (!_vq_get_info(fd, &info))
		id = info.out_device_id;
	close(fd);
	return id;
}

/*
 * Let every allocation be failed, quiet the injection reports (we look for
 * the kernel's own splats), and note the baselines the leak checks use.
 * This does not restore the knobs: the test VM is thrown away.
 */
static void __attribute__((constructor)) setup_fault_injection(void)
{
	DIR *debugfs;
	struct dirent *dent;

	if (access("/proc/thread-self/fail-nth", F_OK)) {
		snprintf(skip_reason, sizeof(skip_reason),
			 "no /proc/thread-self/fail-nth: kernel without CONFIG_FAULT_INJECTION");
		return;
	}
	debugfs = opendir("/sys/kernel/debug/");
	if (!debugfs)
		return;
	if (writeat(dirfd(debugfs), "failslab/ignore-gfp-wait", "N") ||
	    writeat(dirfd(debugfs), "fail_page_alloc/ignore-gfp-wait", "N")) {
		snprintf(skip_reason, sizeof(skip_reason),
			 "no failslab or fail_page_alloc in debugfs: CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS");
		closedir(debugfs);
		return;
	}
	writeat(dirfd(debugfs), "fail_page_alloc/ignore-gfp-highmem", "N");
	/* order-0 pages too: vmalloc's, the blk RAM disk's, page tables */
	writeat(dirfd(debugfs), "fail_page_alloc/min-order", "0");
	while ((dent = readdir(debugfs))) {
		char fn[300];

		if (strncmp(dent->d_name, "fail", 4))
			continue;
		snprintf(fn, sizeof(fn), "%s/verbose", dent->d_name);
		writeat(dirfd(debugfs), fn, "0");
	}
	closedir(debugfs);
	base_device_id = device_id();
	base_pins = pinned_pages();
	have_fault_injection = true;
}

/* ------------------------------------------------------------------ */
/* The sweep (after iommufd_fail_nth.c)                                */
/* ------------------------------------------------------------------ */

struct fail_nth_state {
	int proc_fd;
	unsigned int iteration;
	bool armed;	/* fail_nth_enable() ran, fail_nth_disable() not yet */
	bool fired;	/* the injected failure hit the code under test */
};

static void fail_nth_first(struct __test_metadata *_metadata,
			   struct fail_nth_state *st)
{
	st->proc_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, st->proc_fd);
}

/* Start failing the iteration-th injection point from here on. */
static void __fail_nth_enable(struct __test_metadata *_metadata,
			      struct fail_nth_state *st)
{
	char buf[32];
	int len;

	st->armed = true;
	st->fired = false;
	if (!st->iteration)
		return;
	len = snprintf(buf, sizeof(buf), "%u", st->iteration);
	ASSERT_EQ(len, pwrite(st->proc_fd, buf, len, 0));
}
#define fail_nth_enable() __fail_nth_enable(_metadata, _nth_state)

/*
 * Stop injecting, so the checks that follow run normally. Returns whether
 * the failure hit the code under test. Reading and writing fail-nth copy
 * to and from user memory, which are injection points themselves: an
 * EFAULT there means the count ran out there, not in the code under test.
 */
static bool __fail_nth_disable(struct __test_metadata *_metadata,
			       struct fail_nth_state *st)
{
	char buf[32] = "";
	ssize_t res, res2;

	if (!st->armed)
		return st->fired;
	st->armed = false;
	if (!st->iteration)
		return false;
	res = pread(st->proc_fd, buf, sizeof(buf) - 1, 0);
	if (res < 0 && errno == EFAULT) {
		st->fired = false;
	} else {
		EXPECT_LT(1, res);
		st->fired = res == 2 && !strcmp(buf, "0\n");
	}
	res2 = pwrite(st->proc_fd, "0", 1, 0);
	if (res2 < 0 && errno == EFAULT)
		res2 = pwrite(st->proc_fd, "0", 1, 0);
	EXPECT_EQ(1, res2);
	return st->fired;
}
#define fail_nth_disable() __fail_nth_disable(_metadata, _nth_state)

/* Go on while the last run hit its injected failure. */
static bool fail_nth_next(struct __test_metadata *_metadata,
			  struct fail_nth_state *st)
{
	__fail_nth_disable(_metadata, st);
	if (st->iteration && !st->fired)
		return false;
	st->iteration++;
	EXPECT_GT(MAX_ITERATIONS, st->iteration);
	return st->iteration < MAX_ITERATIONS;
}

/* After every iteration, with everything closed: nothing left behind. */
static void leak_check(struct __test_metadata *_metadata, unsigned int nth)
{
	long v = vq_status_kb("VmLck");

	EXPECT_EQ(0, v) TH_LOG("nth %u: VmLck %ld kB after close", nth, v);
	EXPECT_EQ(base_pins, pinned_pages())
		TH_LOG("nth %u: pinned pages left", nth);
	EXPECT_EQ(0, vmalloc_areas_of_vqtest())
		TH_LOG("nth %u: a vmalloc area of vqtest is left", nth);
	EXPECT_EQ(base_device_id, device_id())
		TH_LOG("nth %u: a device id leaked", nth);
	if (_metadata->exit_code)
		ASSERT_EQ(0, 1) TH_LOG("leak after fault point %u", nth);
}

/*
 * The test body returns 0 when the calls under test all succeeded, or -1
 * when one failed the way an injected failure may make it fail (after
 * checking that it changed nothing). It runs once per fault point.
 */
#define TEST_FAIL_NTH(fixture_name, name)					\
	static int test_nth_##name(struct __test_metadata *_metadata,		\
				   FIXTURE_DATA(fixture_name) *self,		\
				   const FIXTURE_VARIANT(fixture_name) *variant, \
				   struct fail_nth_state *_nth_state);		\
	TEST_F_TIMEOUT(fixture_name, name, 1800)				\
	{									\
		struct fail_nth_state nth_state = {};				\
		int test_result = 0;						\
										\
		if (!have_fault_injection)					\
			SKIP(return, "%s", skip_reason);			\
		fail_nth_first(_metadata, &nth_state);				\
		ASSERT_EQ(0, test_nth_##name(_metadata, self, variant,		\
					     &nth_state));			\
		while (fail_nth_next(_metadata, &nth_state)) {			\
			fixture_name##_teardown(_metadata, self, variant);	\
			leak_check(_metadata, nth_state.iteration - 1);		\
			fixture_name##_setup(_metadata, self, variant);		\
			test_result = test_nth_##name(_metadata, self, variant,	\
						      &nth_state);		\
		}								\
		ASSERT_EQ(0, test_result);					\
		fixture_name##_teardown(_metadata, self, variant);		\
		leak_check(_metadata, nth_state.iteration);			\
		fixture_name##_setup(_metadata, self, variant);			\
		printf("# %s: %u fault points swept\n", #name,			\
		       nth_state.iteration - 1);				\
		fflush(stdout);							\
		close(nth_state.proc_fd);					\
	}									\
	static int test_nth_##name(						\
		struct __test_metadata __attribute__((unused)) *_metadata,	\
		FIXTURE_DATA(fixture_name) __attribute__((unused)) *self,	\
		const FIXTURE_VARIANT(fixture_name) __attribute__((unused))	\
			*variant,						\
		struct fail_nth_state *_nth_state)

/* What an injected failure may turn into, by the uapi's errno contract. */
static bool injected_errno(int err)
{
	return err == -ENOMEM || err == -EFAULT;
}

/* ------------------------------------------------------------------ */
/* Fixtures: a device, its memory and eventfds                         */
/* ------------------------------------------------------------------ */

struct ctx {
	int fd;
	struct vqd q;
	int kick, call;
};

/* What a variant maps and creates */
struct opt {
	uint32_t behaviour;
	uint32_t flags;
	uint32_t num;
	uint32_t ooo_window;
	uint64_t blk_capacity;
	size_t map_pages;
	bool map_fixed;
	bool map_unpopulated;
};

static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = c->kick = c->call = -1;
}

static void ctx_fini(struct ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->kick >= 0)
		close(c->kick);
	if (c->call >= 0)
		close(c->call);
	if (c->q.mem)
		munmap(c->q.mem, c->q.mem_len);
	vqd_free(&c->q);
	ctx_init(c);
}

#define FIXED_IOVA	(1ULL << 40)

/* Open, negotiate, lay out the rings (unregistered), make eventfds. */
static void prepare(struct __test_metadata *_metadata, struct ctx *c,
		    const struct opt *o, bool map)
{
	size_t len = vqd_mem_bytes(o->num, 64);
	void *mem;

	if (len < o->map_pages * VQ_PAGE)
		len = o->map_pages * VQ_PAGE;
	c->fd = _vq_open();
	ASSERT_LE(0, c->fd);
	vq_set_features(c->fd, FEATURES);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		   MAP_ANONYMOUS | (o->map_unpopulated ? 0 : MAP_POPULATE),
		   -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, vqd_layout(&c->q, c->fd, 0, o->num, 64, mem, len,
				o->map_fixed ? FIXED_IOVA : (uintptr_t)mem));
	c->q.event_idx = true;
	c->kick = vq_eventfd();
	c->call = vq_eventfd();
	ASSERT_LE(0, c->kick);
	ASSERT_LE(0, c->call);
	c->q.kick = c->kick;
	c->q.call = c->call;
	if (map)
		ASSERT_EQ(0, _vq_map(c->fd, mem, len,
				     o->map_fixed ? VQTEST_MAP_FIXED_IOVA : 0,
				     FIXED_IOVA, NULL));
}

static int map_mem(struct ctx *c, const struct opt *o)
{
	return _vq_map(c->fd, c->q.mem, c->q.mem_len,
		       o->map_fixed ? VQTEST_MAP_FIXED_IOVA : 0, FIXED_IOVA,
		       NULL);
}

static void create_cmd(struct ctx *c, const struct opt *o,
		       struct vqtest_queue_create *cmd)
{
	vqd_create_cmd(&c->q, cmd);
	cmd->behaviour = o->behaviour;
	cmd->flags = o->flags;
	cmd->ooo_window = o->ooo_window;
	cmd->blk_capacity = o->blk_capacity;
}

/* One chain through a queue, by kick and call: the queue really works. */
static void one_chain(struct __test_metadata *_metadata, struct ctx *c,
		      const struct opt *o)
{
	struct vqd *q = &c->q;
	uint32_t lens[2] = { 16, 512 }, head, len, i;
	struct vqd_blk_outhdr *hdr;
	uint16_t ids[2];
	int h;

	h = vqd_chain(q, 1, q->num > 1, lens, ids);
	ASSERT_LE(0, h);
	if (o->behaviour == VQTEST_BEH_BLK) {
		hdr = (struct vqd_blk_outhdr *)vqd_buf(q, ids[0]);
		memset(hdr, 0, sizeof(*hdr));
		hdr->type = VQD_BLK_T_IN;
	}
	vqd_offer(q, h);
	vqd_publish(q);
	ASSERT_EQ(0, vq_kick(q->kick));
	for (i = 0; i < 100 && q->last_used == vqd_used_idx(q); i++)
		vq_efd_wait(q->call, 100);
	ASSERT_EQ(1, vqd_reap(q, &head, &len));
	ASSERT_EQ((uint32_t)h, head);
}

/* dev: open and SET_FEATURES */
FIXTURE(dev) {
	struct ctx c;
};

FIXTURE_SETUP(dev)
{
	ctx_init(&self->c);
}

FIXTURE_TEARDOWN(dev)
{
	ctx_fini(&self->c);
}

/* map: MAP and UNMAP, small, a page array past one page, fixed+unpopulated */
FIXTURE(map) {
	struct ctx c;
};

FIXTURE_VARIANT(map) {
	struct opt o;
};

FIXTURE_VARIANT_ADD(map, one_page) {
	.o = { .num = 1, .map_pages = 1 },
};

FIXTURE_VARIANT_ADD(map, pages_2048) {
	.o = { .num = 1, .map_pages = 2048 },
};

FIXTURE_VARIANT_ADD(map, fixed_unpopulated) {
	.o = { .num = 1, .map_pages = 16, .map_fixed = true,
	       .map_unpopulated = true },
};

FIXTURE_SETUP(map)
{
	ctx_init(&self->c);
}

FIXTURE_TEARDOWN(map)
{
	ctx_fini(&self->c);
}

/* queue: QUEUE_CREATE for each behaviour and the options that allocate */
FIXTURE(queue) {
	struct ctx c;
};

FIXTURE_VARIANT(queue) {
	struct opt o;
};

FIXTURE_VARIANT_ADD(queue, echo) {
	.o = { .behaviour = VQTEST_BEH_ECHO, .num = 256 },
};

FIXTURE_VARIANT_ADD(queue, echo_ooo) {
	.o = { .behaviour = VQTEST_BEH_ECHO, .num = 64,
	       .flags = VQTEST_QUEUE_F_OUT_OF_ORDER, .ooo_window = 64 },
};

FIXTURE_VARIANT_ADD(queue, sink_checksum) {
	.o = { .behaviour = VQTEST_BEH_SINK, .num = 256,
	       .flags = VQTEST_QUEUE_F_CHECKSUM },
};

FIXTURE_VARIANT_ADD(queue, source) {
	.o = { .behaviour = VQTEST_BEH_SOURCE, .num = 16 },
};

FIXTURE_VARIANT_ADD(queue, null) {
	.o = { .behaviour = VQTEST_BEH_NULL, .num = 1 },
};

FIXTURE_VARIANT_ADD(queue, blk) {
	.o = { .behaviour = VQTEST_BEH_BLK, .num = 128,
	       .blk_capacity = 1 << 20 },
};

/* a queue whose allocation takes the vmalloc path of kvzalloc() */
FIXTURE_VARIANT_ADD(queue, echo_32k) {
	.o = { .behaviour = VQTEST_BEH_ECHO, .num = 32768 },
};

FIXTURE_SETUP(queue)
{
	ctx_init(&self->c);
}

FIXTURE_TEARDOWN(queue)
{
	ctx_fini(&self->c);
}

/* ------------------------------------------------------------------ */
/* The sweeps                                                          */
/* ------------------------------------------------------------------ */

/* open(): the VFS's allocations and vqtest_open()'s. */
TEST_FAIL_NTH(dev, open)
{
	struct vqtest_info info;
	int fd, err;

	fail_nth_enable();
	fd = open(VQ_DEV_PATH, O_RDWR | O_CLOEXEC);
	err = -errno;
	fail_nth_disable();
	if (fd < 0) {
		EXPECT_TRUE(injected_errno(err)) TH_LOG("open: %d", err);
		return -1;
	}
	self->c.fd = fd;
	ASSERT_EQ(0, _vq_get_info(fd, &info));
	ASSERT_EQ(0ULL, info.out_driver_features);
	return 0;
}

TEST_FAIL_NTH(dev, set_features)
{
	struct vqtest_info info;
	int ret;

	self->c.fd = _vq_open();
	ASSERT_LE(0, self->c.fd);
	fail_nth_enable();
	ret = _vq_set_features(self->c.fd, FEATURES);
	fail_nth_disable();
	ASSERT_EQ(0, _vq_get_info(self->c.fd, &info));
	if (ret) {
		EXPECT_TRUE(injected_errno(ret)) TH_LOG("set_features: %d", ret);
		/* the features were not taken after all */
		EXPECT_EQ(0ULL, info.out_driver_features);
		return -1;
	}
	ASSERT_EQ(FEATURES, info.out_driver_features);
	return 0;
}

/* MAP: the region, its page array, the pins, the charge, the vmap. */
TEST_FAIL_NTH(map, map)
{
	struct ctx *c = &self->c;
	const struct opt *o = &variant->o;
	size_t len;
	long lck;
	int ret;

	prepare(_metadata, c, o, false);
	len = c->q.mem_len;
	fail_nth_enable();
	ret = map_mem(c, o);
	fail_nth_disable();
	lck = vq_status_kb("VmLck");
	if (ret) {
		EXPECT_TRUE(injected_errno(ret)) TH_LOG("map: %d", ret);
		/* nothing was charged, nothing stays mapped */
		EXPECT_EQ(0, lck);
		ret = map_mem(c, o);
		EXPECT_EQ(0, ret)
			TH_LOG("map after a failed map: %d (a region was left behind)",
			       ret);
		return -1;
	}
	ASSERT_EQ((long)(len / 1024), lck);
	ASSERT_EQ(0, _vq_unmap(c->fd, c->q.iova, len));
	ASSERT_EQ(0, vq_status_kb("VmLck"));
	return 0;
}

/* UNMAP frees; only its user copies can fail, and then nothing changed. */
TEST_FAIL_NTH(map, unmap)
{
	struct ctx *c = &self->c;
	int ret;

	prepare(_metadata, c, &variant->o, true);
	fail_nth_enable();
	ret = _vq_unmap(c->fd, c->q.iova, c->q.mem_len);
	fail_nth_disable();
	if (ret) {
		EXPECT_TRUE(injected_errno(ret)) TH_LOG("unmap: %d", ret);
		EXPECT_LT(0, vq_status_kb("VmLck"));
		EXPECT_EQ(0, _vq_unmap(c->fd, c->q.iova, c->q.mem_len));
		return -1;
	}
	ASSERT_EQ(0, vq_status_kb("VmLck"));
	ASSERT_EQ(-ENOENT, _vq_unmap(c->fd, c->q.iova, c->q.mem_len));
	return 0;
}

/*
 * QUEUE_CREATE: the queue and its scratch, the behaviour's state (the blk
 * RAM disk), the kick and call eventfd references, the wait-queue entry,
 * the xarray slot.
 */
TEST_FAIL_NTH(queue, create)
{
	struct ctx *c = &self->c;
	const struct opt *o = &variant->o;
	struct vqtest_queue_create cmd;
	struct vqtest_queue_stats st;
	int ret;

	prepare(_metadata, c, o, true);
	create_cmd(c, o, &cmd);
	fail_nth_enable();
	ret = _vq_queue_create(c->fd, &cmd);
	fail_nth_disable();
	if (ret) {
		EXPECT_TRUE(injected_errno(ret)) TH_LOG("create: %d", ret);
		/* no queue, and its rings' region is not held */
		EXPECT_EQ(-ENOENT, _vq_stats(c->fd, 0, &st))
			TH_LOG("create failed with %d but the queue exists", ret);
		EXPECT_EQ(0, _vq_unmap(c->fd, c->q.iova, c->q.mem_len));
		EXPECT_EQ(0, map_mem(c, o));
		/* and the same create works now */
		create_cmd(c, o, &cmd);
		EXPECT_EQ(0, _vq_queue_create(c->fd, &cmd));
		return -1;
	}
	one_chain(_metadata, c, o);
	ASSERT_EQ(0, _vq_queue_destroy(c->fd, 0));
	ASSERT_EQ(0, _vq_unmap(c->fd, c->q.iova, c->q.mem_len));
	return 0;
}

/*
 * The other queue ioctls on a live queue with a chain pending, then close
 * with the queue still there: only user copies can fail in them.
 */
TEST_FAIL_NTH(queue, ops)
{
	struct ctx *c = &self->c;
	const struct opt *o = &variant->o;
	struct vqtest_queue_create cmd;
	struct vqtest_queue_stats st;
	uint32_t dropped, chains, lens[2] = { 16, 16 };
	int ret, h;

	prepare(_metadata, c, o, true);
	create_cmd(c, o, &cmd);
	cmd.kick_fd = VQTEST_NO_FD;
	ASSERT_EQ(0, _vq_queue_create(c->fd, &cmd));
	/* a writable byte too: blk answers it (with an I/O error status) */
	h = vqd_chain(&c->q, 1, c->q.num > 1, lens, NULL);
	ASSERT_LE(0, h);
	vqd_offer(&c->q, h);
	vqd_publish(&c->q);

	fail_nth_enable();
	ret = _vq_stats(c->fd, 0, &st);
	if (!ret)
		ret = _vq_queue_reset(c->fd, 0, &dropped);
	if (!ret)
		ret = _vq_set_indices(c->fd, 0, 0, 0);
	if (!ret)
		ret = _vq_process(c->fd, 0, 0, &chains, NULL);
	if (!ret)
		ret = _vq_queue_destroy(c->fd, 0);
	fail_nth_disable();
	if (ret) {
		EXPECT_TRUE(injected_errno(ret)) TH_LOG("queue ioctl: %d", ret);
		/* the queue, if still there, answers */
		ret = _vq_stats(c->fd, 0, &st);
		EXPECT_TRUE(ret == 0 || ret == -ENOENT);
		return -1;
	}
	/* close with the region still mapped: release frees it */
	return 0;
}

/* ------------------------------------------------------------------ */
/* kmemleak: anything vqtest allocated and lost during the sweeps      */
/* ------------------------------------------------------------------ */

FIXTURE(kmemleak) {
	int unused;
};

FIXTURE_SETUP(kmemleak)
{
}

FIXTURE_TEARDOWN(kmemleak)
{
}

TEST_F_TIMEOUT(kmemleak, vqtest_leaks_nothing, 900)
{
	const char *path = "/sys/kernel/debug/kmemleak";
	char line[512];
	long records = 0, ours = 0;
	bool in_vqtest = false;
	FILE *f;
	int fd;

	if (!have_fault_injection)
		SKIP(return, "%s", skip_reason);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no %s (CONFIG_DEBUG_KMEMLEAK)", path);
	/* kmemleak reports objects unreferenced for 5 s and two scans */
	sleep(6);
	ASSERT_EQ(4, write(fd, "scan", 4));
	ASSERT_EQ(4, write(fd, "scan", 4));
	close(fd);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "unreferenced object")) {
			records++;
			in_vqtest = false;
		}
		if (strstr(line, "vqtest") && !in_vqtest) {
			in_vqtest = true;
			ours++;
		}
		if (in_vqtest)
			printf("# %s", line);
	}
	fclose(f);
	printf("# kmemleak: %ld unreferenced objects, %ld from vqtest\n",
	       records, ours);
	ASSERT_EQ(0, ours);
}

TEST_HARNESS_MAIN
