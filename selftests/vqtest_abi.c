// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest_abi: the device node and the ioctl ABI contract of
 * uapi/linux/vqtest.h (issue 2): GET_INFO, the length rules of every
 * ioctl, unknown numbers, flags and reserved fields, module unload with an
 * open file, and open/close leaks.
 */
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#include "vqtest_utils.h"

/* ------------------------------------------------------------------ */
/* The device node                                                     */
/* ------------------------------------------------------------------ */

TEST(device_node)
{
	char buf[64] = "";
	unsigned int maj, min;
	struct stat st;
	int fd;

	if (stat(VQ_DEV_PATH, &st) && errno == ENOENT)
		SKIP(return, "%s: not present (module not loaded?)", VQ_DEV_PATH);
	ASSERT_EQ(0, stat(VQ_DEV_PATH, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	/* crw------- root root */
	ASSERT_EQ(0600U, st.st_mode & 07777);
	ASSERT_EQ(0U, st.st_uid);
	ASSERT_EQ(0U, st.st_gid);

	/* the node is the misc device the module registered */
	fd = open("/sys/class/misc/vqtest/dev", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	ASSERT_EQ(2, sscanf(buf, "%u:%u", &maj, &min));
	ASSERT_EQ(10U, maj);	/* MISC_MAJOR */
	ASSERT_EQ(makedev(maj, min), st.st_rdev);

	/* not seekable, as a device with no file position should be */
	fd = open(VQ_DEV_PATH, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(ESPIPE, errno);
	close(fd);
}

/* A user without privileges cannot open the 0600 node. */
TEST(device_node_unprivileged)
{
	pid_t pid;
	int status;

	if (access(VQ_DEV_PATH, F_OK))
		SKIP(return, "%s: not present", VQ_DEV_PATH);
	if (geteuid())
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(open(VQ_DEV_PATH, O_RDWR) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* ------------------------------------------------------------------ */
/* GET_INFO                                                            */
/* ------------------------------------------------------------------ */

TEST(get_info)
{
	struct vqtest_info info, info2;
	int fd, fd2;

	vq_open_or_skip(&fd);
	vq_get_info(fd, &info);
	ASSERT_EQ(sizeof(info), info.size);
	ASSERT_EQ(0U, info.flags);
	ASSERT_EQ((__u32)VQTEST_ABI_VERSION, info.out_abi_version);
	ASSERT_EQ(1U, info.out_abi_version);
	ASSERT_EQ(0U, info.__reserved);
	ASSERT_EQ(0U, info.__reserved2);
	/* exactly VERSION_1 | EVENT_IDX | INDIRECT | IN_ORDER | RING_RESET */
	ASSERT_EQ(VQ_ALL_FEATURES, info.out_device_features);
	ASSERT_EQ(0x10930000000ULL, info.out_device_features);
	ASSERT_EQ(0ULL, info.out_driver_features);
	ASSERT_EQ(32768U, info.out_max_queue_size);
	ASSERT_LE(64U, info.out_max_queues);
	ASSERT_LE(8U, info.out_max_regions);
	ASSERT_EQ(1024U, info.out_max_segs);
	ASSERT_EQ((1U << VQTEST_BEH_ECHO) | (1U << VQTEST_BEH_SINK) |
		  (1U << VQTEST_BEH_SOURCE) | (1U << VQTEST_BEH_NULL) |
		  (1U << VQTEST_BEH_BLK), info.out_behaviours);
	ASSERT_EQ((__u32)VQTEST_V_MAX, info.out_nr_violation_classes);
	ASSERT_GE((__u32)VQTEST_V_SLOTS, info.out_nr_violation_classes);
	ASSERT_LT(0ULL, info.out_max_blk_capacity);
	ASSERT_EQ(0ULL, info.out_max_blk_capacity % 512);

	/* the acknowledged features show up; other fields stay */
	vq_set_features(fd, VQ_F_V1 | VQ_BIT(VQTEST_F_EVENT_IDX));
	vq_get_info(fd, &info2);
	ASSERT_EQ(VQ_F_V1 | VQ_BIT(VQTEST_F_EVENT_IDX),
		  info2.out_driver_features);
	ASSERT_EQ(info.out_device_id, info2.out_device_id);

	/* each open file is its own device, with its own id and features */
	fd2 = _vq_open();
	ASSERT_LE(0, fd2);
	vq_get_info(fd2, &info2);
	ASSERT_NE(info.out_device_id, info2.out_device_id);
	ASSERT_EQ(0ULL, info2.out_driver_features);
	close(fd2);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Length rules, for every ioctl                                       */
/* ------------------------------------------------------------------ */

/*
 * Each op gets a prepare step that makes a call with a valid struct
 * succeed on a fresh device: the length rules are then the only thing
 * that changes between cases.
 */
struct abi_op {
	const char *name;
	unsigned long cmd;
	uint32_t size;		/* sizeof the v1 struct */
	uint32_t min_size;	/* end of the first version */
	int (*prep)(int fd, void *arg);
	uint32_t flags_off;	/* offsetof flags (all: 4) */
	uint32_t bad_flag;	/* a flag bit the op does not know */
};

static void *abi_page(void)
{
	return vq_alloc(VQ_PAGE);
}

/* A one-entry queue in one page, identity-mapped; features as given. */
static int abi_queue(int fd, uint64_t features, uint32_t index,
		     struct vqtest_queue_create *c)
{
	struct vqd q;
	void *mem = abi_page();
	int ret;

	if (!mem)
		return -ENOMEM;
	ret = _vq_set_features(fd, features);
	if (ret)
		return ret;
	ret = vqd_layout(&q, fd, index, 1, 0, mem, VQ_PAGE, (uintptr_t)mem);
	if (ret)
		return ret;
	ret = _vq_map(fd, mem, VQ_PAGE, 0, 0, NULL);
	vqd_create_cmd(&q, c);
	c->behaviour = VQTEST_BEH_NULL;
	vqd_free(&q);
	return ret;
}

static int prep_info(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	return 0;
}

static int prep_features(int fd, void *arg)
{
	struct vqtest_features *c = arg;

	(void)fd;
	c->features = VQ_F_V1;
	return 0;
}

static int prep_map(int fd, void *arg)
{
	struct vqtest_map *c = arg;
	void *p = abi_page();

	(void)fd;
	if (!p)
		return -ENOMEM;
	c->user_va = (uintptr_t)p;
	c->length = VQ_PAGE;
	return 0;
}

static int prep_unmap(int fd, void *arg)
{
	struct vqtest_unmap *c = arg;
	void *p = abi_page();

	if (!p)
		return -ENOMEM;
	c->iova = (uintptr_t)p;
	c->length = VQ_PAGE;
	return _vq_map(fd, p, VQ_PAGE, 0, 0, NULL);
}

static int prep_create(int fd, void *arg)
{
	struct vqtest_queue_create c;
	int ret = abi_queue(fd, VQ_F_V1, 0, &c);

	memcpy(arg, &c, sizeof(c));
	return ret;
}

/* Create queue 0 for the ops that act on a queue; RING_RESET for reset. */
static int prep_with_queue(int fd)
{
	struct vqtest_queue_create c;
	int ret = abi_queue(fd, VQ_F_V1 | VQ_BIT(VQTEST_F_RING_RESET), 0, &c);

	return ret ? ret : _vq_queue_create(fd, &c);
}

static int prep_destroy(int fd, void *arg)
{
	(void)arg;
	return prep_with_queue(fd);
}

static int prep_reset(int fd, void *arg)
{
	(void)arg;
	return prep_with_queue(fd);
}

static int prep_indices(int fd, void *arg)
{
	(void)arg;
	return prep_with_queue(fd);
}

static int prep_process(int fd, void *arg)
{
	(void)arg;
	return prep_with_queue(fd);
}

static int prep_stats(int fd, void *arg)
{
	(void)arg;
	return prep_with_queue(fd);
}

#define ABI_OP(_cmd, _struct, _prep, _bad)				\
	{ .name = #_cmd, .cmd = _cmd, .size = sizeof(_struct),		\
	  .min_size = sizeof(_struct), .prep = _prep,			\
	  .flags_off = offsetof(_struct, flags), .bad_flag = _bad }

static const struct abi_op abi_ops[] = {
	ABI_OP(VQTEST_GET_INFO, struct vqtest_info, prep_info, 1U << 31),
	ABI_OP(VQTEST_SET_FEATURES, struct vqtest_features, prep_features,
	       1U << 31),
	ABI_OP(VQTEST_MAP, struct vqtest_map, prep_map, 1U << 1),
	ABI_OP(VQTEST_UNMAP, struct vqtest_unmap, prep_unmap, 1U << 31),
	ABI_OP(VQTEST_QUEUE_CREATE, struct vqtest_queue_create, prep_create,
	       1U << 3),
	ABI_OP(VQTEST_QUEUE_DESTROY, struct vqtest_queue_destroy,
	       prep_destroy, 1U << 31),
	ABI_OP(VQTEST_QUEUE_RESET, struct vqtest_queue_reset, prep_reset,
	       1U << 31),
	ABI_OP(VQTEST_QUEUE_SET_INDICES, struct vqtest_queue_set_indices,
	       prep_indices, 1U << 31),
	ABI_OP(VQTEST_QUEUE_PROCESS, struct vqtest_queue_process,
	       prep_process, 1U << 31),
	ABI_OP(VQTEST_QUEUE_STATS, struct vqtest_queue_stats, prep_stats,
	       1U << 31),
};

/* the v1 minimum sizes are fixed forever: pin them here */
static_assert(sizeof(struct vqtest_info) == 72, "info v1");
static_assert(sizeof(struct vqtest_features) == 16, "features v1");
static_assert(sizeof(struct vqtest_map) == 32, "map v1");
static_assert(sizeof(struct vqtest_unmap) == 24, "unmap v1");
static_assert(sizeof(struct vqtest_queue_create) == 88, "create v1");
static_assert(sizeof(struct vqtest_queue_destroy) == 16, "destroy v1");
static_assert(sizeof(struct vqtest_queue_reset) == 16, "reset v1");
static_assert(sizeof(struct vqtest_queue_set_indices) == 16, "indices v1");
static_assert(sizeof(struct vqtest_queue_process) == 24, "process v1");
static_assert(sizeof(struct vqtest_queue_stats) == 432, "stats v1");

enum abi_case {
	CASE_ZERO,		/* size 0 */
	CASE_SHORT,		/* min_size - 1 */
	CASE_EXACT,		/* sizeof */
	CASE_LONG1_ZERO,	/* sizeof + 1, zero tail */
	CASE_LONG8_ZERO,	/* sizeof + 8, zero tail */
	CASE_PAGE_ZERO,		/* a whole page, zero tail */
	CASE_LONG1_BAD,		/* sizeof + 1, non-zero tail */
	CASE_LONG8_BAD,		/* sizeof + 8, last tail byte non-zero */
	CASE_PAGE_BAD,		/* a whole page, last byte non-zero */
	CASE_BAD_FLAG,		/* an unknown flag */
	CASE_NR,
};

static const char *const abi_case_names[CASE_NR] = {
	"size 0", "min - 1", "exact", "+1 zero tail", "+8 zero tail",
	"page zero tail", "+1 non-zero tail", "+8 non-zero tail",
	"page non-zero tail", "unknown flag",
};

/* Run one case on a fresh device; returns the ioctl result (-errno). */
static int abi_run(const struct abi_op *op, enum abi_case cs, uint8_t *buf,
		   int *prep_err)
{
	uint32_t size = op->size;
	int fd, ret;

	fd = _vq_open();
	if (fd < 0) {
		*prep_err = fd;
		return fd;
	}
	memset(buf, 0, 2 * VQ_PAGE);
	*prep_err = op->prep(fd, buf);
	if (*prep_err) {
		close(fd);
		return *prep_err;
	}
	switch (cs) {
	case CASE_ZERO:
		size = 0;
		break;
	case CASE_SHORT:
		size = op->min_size - 1;
		break;
	case CASE_EXACT:
		break;
	case CASE_LONG1_ZERO:
		size += 1;
		break;
	case CASE_LONG8_ZERO:
		size += 8;
		break;
	case CASE_PAGE_ZERO:
		size = VQ_PAGE;
		break;
	case CASE_LONG1_BAD:
		size += 1;
		buf[size - 1] = 0x5a;
		break;
	case CASE_LONG8_BAD:
		size += 8;
		buf[size - 1] = 0x01;
		break;
	case CASE_PAGE_BAD:
		size = VQ_PAGE;
		buf[size - 1] = 0x80;
		break;
	case CASE_BAD_FLAG:
		*(uint32_t *)(buf + op->flags_off) |= op->bad_flag;
		break;
	case CASE_NR:
		break;
	}
	*(uint32_t *)buf = size;
	ret = _vq_ioctl(fd, op->cmd, buf);
	close(fd);
	return ret;
}

static int abi_expect(enum abi_case cs)
{
	switch (cs) {
	case CASE_ZERO:
	case CASE_SHORT:
	case CASE_BAD_FLAG:
		return -EINVAL;
	case CASE_LONG1_BAD:
	case CASE_LONG8_BAD:
	case CASE_PAGE_BAD:
		return -E2BIG;
	default:
		return 0;
	}
}

TEST(length_rules)
{
	uint8_t *buf = vq_alloc(2 * VQ_PAGE);
	unsigned int i, fails = 0;
	int fd;

	vq_open_or_skip(&fd);
	close(fd);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < VQ_ARRAY_SIZE(abi_ops); i++) {
		const struct abi_op *op = &abi_ops[i];
		int cs;

		for (cs = 0; cs < CASE_NR; cs++) {
			int prep_err, ret = abi_run(op, cs, buf, &prep_err);

			ASSERT_EQ(0, prep_err)
				TH_LOG("%s: preparing the device failed",
				       op->name);
			if (ret != abi_expect(cs)) {
				TH_LOG("%s, %s: expected %d (%s), got %d (%s)",
				       op->name, abi_case_names[cs],
				       abi_expect(cs),
				       strerror(-abi_expect(cs)), ret,
				       strerror(-ret));
				fails++;
			}
		}
	}
	ASSERT_EQ(0U, fails);
}

/* A NULL or unmapped struct pointer: EFAULT, for every ioctl */
TEST(bad_pointer)
{
	void *hole = mmap(NULL, VQ_PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int i;
	int fd;

	vq_open_or_skip(&fd);
	ASSERT_NE(MAP_FAILED, hole);
	for (i = 0; i < VQ_ARRAY_SIZE(abi_ops); i++) {
		EXPECT_EQ(-EFAULT, _vq_ioctl(fd, abi_ops[i].cmd, NULL))
			TH_LOG("%s", abi_ops[i].name);
		EXPECT_EQ(-EFAULT, _vq_ioctl(fd, abi_ops[i].cmd, hole))
			TH_LOG("%s", abi_ops[i].name);
	}
	close(fd);
}

/* Output is written back up to min(user size, kernel size): no further. */
TEST(output_size)
{
	uint8_t buf[sizeof(struct vqtest_info) + 64];
	struct vqtest_info *info = (struct vqtest_info *)buf;
	unsigned int i;
	int fd;

	vq_open_or_skip(&fd);
	memset(buf, 0, sizeof(buf));
	info->size = sizeof(buf);
	ASSERT_EQ(0, _vq_ioctl(fd, VQTEST_GET_INFO, buf));
	ASSERT_EQ(sizeof(buf), info->size);
	ASSERT_EQ(1U, info->out_abi_version);
	ASSERT_EQ(32768U, info->out_max_queue_size);
	for (i = sizeof(*info); i < sizeof(buf); i++) {
		ASSERT_EQ(0, buf[i])
			TH_LOG("byte %u written past the struct", i);
	}

	/* on an error nothing is written back */
	memset(buf, 0, sizeof(buf));
	info->size = sizeof(buf);
	buf[sizeof(buf) - 1] = 1;
	ASSERT_EQ(-E2BIG, _vq_ioctl(fd, VQTEST_GET_INFO, buf));
	ASSERT_EQ(0U, info->out_abi_version);
	ASSERT_EQ(0U, info->out_max_queue_size);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Unknown ioctl numbers                                               */
/* ------------------------------------------------------------------ */

TEST(unknown_ioctl)
{
	struct vqtest_info info = { .size = sizeof(info) };
	unsigned long bad[] = {
		_IO(VQTEST_TYPE, VQTEST_CMD_BASE - 1),
		_IO(VQTEST_TYPE, VQTEST_CMD_QUEUE_STATS + 1),
		_IO(VQTEST_TYPE, 0xff),
		_IO(VQTEST_TYPE, 0),
		_IO(VQTEST_TYPE + 1, VQTEST_CMD_GET_INFO),
		_IO('X', VQTEST_CMD_GET_INFO),
		/* a valid number with the wrong direction or size bits */
		_IOR(VQTEST_TYPE, VQTEST_CMD_GET_INFO, struct vqtest_info),
		_IOWR(VQTEST_TYPE, VQTEST_CMD_GET_INFO, struct vqtest_info),
		_IOW(VQTEST_TYPE, VQTEST_CMD_QUEUE_STATS, __u32),
		FIONREAD - 1,
	};
	unsigned int i;
	int fd;

	vq_open_or_skip(&fd);
	for (i = 0; i < VQ_ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-ENOTTY, _vq_ioctl(fd, bad[i], &info))
			TH_LOG("ioctl %#lx", bad[i]);
	}
	/* and the device still answers */
	vq_get_info(fd, &info);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Unknown flags and non-zero __reserved                               */
/* ------------------------------------------------------------------ */

TEST(unknown_flags)
{
	uint8_t *buf = vq_alloc(2 * VQ_PAGE);
	unsigned int i, bit;
	int fd;

	vq_open_or_skip(&fd);
	close(fd);
	ASSERT_NE(NULL, buf);
	/* every flag bit an op does not define is EINVAL, one at a time */
	for (i = 0; i < VQ_ARRAY_SIZE(abi_ops); i++) {
		struct abi_op op = abi_ops[i];
		uint32_t known = 0;

		if (op.cmd == VQTEST_MAP)
			known = VQTEST_MAP_FIXED_IOVA;
		if (op.cmd == VQTEST_QUEUE_CREATE)
			known = VQTEST_QUEUE_F_OUT_OF_ORDER |
				VQTEST_QUEUE_F_CHECKSUM |
				VQTEST_QUEUE_F_INLINE;
		for (bit = 0; bit < 32; bit++) {
			int prep_err, ret;

			if (known & (1U << bit))
				continue;
			op.bad_flag = 1U << bit;
			ret = abi_run(&op, CASE_BAD_FLAG, buf, &prep_err);
			ASSERT_EQ(0, prep_err);
			EXPECT_EQ(-EINVAL, ret)
				TH_LOG("%s flag bit %u", op.name, bit);
		}
	}
}

TEST(reserved_fields)
{
	struct vqtest_info info;
	struct vqtest_queue_create c;
	struct vqtest_queue_destroy d;
	int fd;

	vq_open_or_skip(&fd);

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.__reserved = 1;
	EXPECT_EQ(-EINVAL, _vq_ioctl(fd, VQTEST_GET_INFO, &info));
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.__reserved2 = 0x80000000;
	EXPECT_EQ(-EINVAL, _vq_ioctl(fd, VQTEST_GET_INFO, &info));

	ASSERT_EQ(0, abi_queue(fd, VQ_F_V1, 0, &c));
	c.__reserved = 1;
	EXPECT_EQ(-EINVAL, _vq_queue_create(fd, &c));
	c.__reserved = 0;
	ASSERT_EQ(0, _vq_queue_create(fd, &c));

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.index = 0;
	d.__reserved = 1;
	EXPECT_EQ(-EINVAL, _vq_ioctl(fd, VQTEST_QUEUE_DESTROY, &d));
	d.__reserved = 0;
	EXPECT_EQ(0, _vq_ioctl(fd, VQTEST_QUEUE_DESTROY, &d));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Leaks                                                               */
/* ------------------------------------------------------------------ */


#define OPEN_CLOSE_ROUNDS	10000

FIXTURE(leak) {};
FIXTURE_SETUP(leak) {}
FIXTURE_TEARDOWN(leak) {}

TEST_F_TIMEOUT(leak, open_close, 120)
{
	long slab0, slab1, unrecl0, unrecl1, files0, files1;
	int i, fd;

	vq_open_or_skip(&fd);
	close(fd);
	/* warm the caches up first */
	for (i = 0; i < 500; i++) {
		fd = open(VQ_DEV_PATH, O_RDWR);
		ASSERT_LE(0, fd);
		close(fd);
	}
	vq_settle();
	slab0 = vq_meminfo_kb("Slab");
	unrecl0 = vq_meminfo_kb("SUnreclaim");
	files0 = vq_read_long("/proc/sys/fs/file-nr");
	ASSERT_LT(0, slab0);

	for (i = 0; i < OPEN_CLOSE_ROUNDS; i++) {
		struct vqtest_info info;

		fd = open(VQ_DEV_PATH, O_RDWR);
		ASSERT_LE(0, fd);
		/* every 16th open does something, so the device is used */
		if (!(i & 15))
			ASSERT_EQ(0, _vq_get_info(fd, &info));
		ASSERT_EQ(0, close(fd));
	}
	vq_settle();
	slab1 = vq_meminfo_kb("Slab");
	unrecl1 = vq_meminfo_kb("SUnreclaim");
	files1 = vq_read_long("/proc/sys/fs/file-nr");
	TH_LOG("%d open/close: Slab %+ld kB, SUnreclaim %+ld kB, files %+ld",
	       OPEN_CLOSE_ROUNDS, slab1 - slab0, unrecl1 - unrecl0,
	       files1 - files0);
	/*
	 * A device struct (> 512 bytes) leaked per open would be 10 MB; allow
	 * under 512 bytes per open on average (5 MB) for noise.
	 */
	ASSERT_LT(unrecl1 - unrecl0, OPEN_CLOSE_ROUNDS / 2);
	ASSERT_LT(slab1 - slab0, OPEN_CLOSE_ROUNDS / 2);
	/* file-nr is a per-CPU counter read without summing: allow slack */
	ASSERT_LT(files1 - files0, 256);
}

/* ------------------------------------------------------------------ */
/* Module unload with an open file                                     */
/* ------------------------------------------------------------------ */

static int vq_delete_module(unsigned int flags)
{
	return syscall(__NR_delete_module, "vqtest", flags) ? -errno : 0;
}

/* Load the module again: modprobe first, then the .ko directly. */
static int vq_reload(void)
{
	static const char *const dirs[] = { "extra", "updates/dkms",
					    "updates", "kernel/drivers/misc" };
	struct utsname u;
	char path[512];
	unsigned int i;
	int fd, ret;

	if (system("modprobe vqtest >/dev/null 2>&1") == 0 &&
	    !access(VQ_DEV_PATH, F_OK))
		return 0;
	if (uname(&u))
		return -errno;
	for (i = 0; i < VQ_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "/lib/modules/%s/%s/vqtest.ko",
			 u.release, dirs[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
		close(fd);
		return ret;
	}
	return -ENOENT;
}

/* Could vq_reload() work? Only then may the test unload the module. */
static bool vq_can_reload(void)
{
	static const char *const dirs[] = { "extra", "updates/dkms",
					    "updates", "kernel/drivers/misc" };
	struct utsname u;
	char path[512];
	unsigned int i;

	if (uname(&u))
		return false;
	for (i = 0; i < VQ_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "/lib/modules/%s/%s/vqtest.ko",
			 u.release, dirs[i]);
		if (!access(path, R_OK))
			return true;
		strcat(path, ".xz");
		if (!access(path, R_OK))
			return true;
	}
	return false;
}

TEST(rmmod_busy)
{
	struct vqtest_info info;
	struct stat st;
	long refcnt;
	int fd, ret;

	if (geteuid())
		SKIP(return, "needs root");
	if (access("/sys/module/vqtest", F_OK))
		SKIP(return, "vqtest is not a loaded module");
	if (!vq_can_reload())
		SKIP(return, "no vqtest.ko under /lib/modules to load it again");

	vq_open_or_skip(&fd);
	refcnt = vq_read_long("/sys/module/vqtest/refcnt");
	ASSERT_LE(1, refcnt);

	/* busy: the open file holds the module */
	ret = vq_delete_module(O_NONBLOCK);
	ASSERT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("delete_module with an open file: %d (%s)", ret,
		       strerror(-ret));
	ret = vq_delete_module(0);
	ASSERT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("delete_module with an open file: %d (%s)", ret,
		       strerror(-ret));
	/* a refused unload changes nothing */
	ASSERT_EQ(0, access("/sys/module/vqtest", F_OK));
	ASSERT_EQ(refcnt, vq_read_long("/sys/module/vqtest/refcnt"));
	vq_get_info(fd, &info);

	close(fd);
	ASSERT_EQ(refcnt - 1, vq_read_long("/sys/module/vqtest/refcnt"));
	ASSERT_EQ(0, vq_delete_module(O_NONBLOCK));
	ASSERT_NE(0, access("/sys/module/vqtest", F_OK));
	ASSERT_NE(0, stat(VQ_DEV_PATH, &st));

	/* later tests need it back */
	ASSERT_EQ(0, vq_reload());
	ASSERT_EQ(0, stat(VQ_DEV_PATH, &st));
	ASSERT_EQ(0600U, st.st_mode & 07777);
	fd = _vq_open();
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_HARNESS_MAIN
