// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * Unit tests of libvq's ABI layer: every function returns 0 or -errno and
 * leaves errno alone, on success and on failure.
 */
#include <sys/mman.h>

#include "harness.h"
#include "tdev.h"

#define ERRNO_MARK	4242

/* run @call with errno set to a mark; it must come back unchanged */
#define KEEPS_ERRNO(call, want) do {					\
	long long r_;							\
	errno = ERRNO_MARK;						\
	r_ = (long long)(call);						\
	if (errno != ERRNO_MARK)					\
		VT_FAIL("%s changed errno to %d", #call, errno);	\
	EXPECT_EQ(r_, want);						\
} while (0)

static int t_open_close(void)
{
	struct vq_dev *dev = NULL;

	KEEPS_ERRNO(vq_dev_open_path("/nonexistent/vqtest", &dev), -ENOENT);
	EXPECT(dev == NULL);
	KEEPS_ERRNO(vq_dev_open_path(NULL, &dev), -EINVAL);
	/* a file that exists but is no vqtest: ioctl says ENOTTY */
	KEEPS_ERRNO(vq_dev_open_path("/dev/null", &dev), 0);
	EXPECT(vq_dev_fd(dev) >= 0);
	{
		struct vqtest_info info;

		KEEPS_ERRNO(vq_get_info(dev, &info), -ENOTTY);
	}
	KEEPS_ERRNO(vq_dev_close(dev), 0);
	KEEPS_ERRNO(vq_dev_close(NULL), 0);
	return 0;
}

static int t_info_features(void)
{
	struct vqtest_info info;
	struct vq_dev *dev;
	uint64_t f = 1ULL << VQTEST_F_VERSION_1;

	OK(tdev_open(NULL, &dev, NULL));
	KEEPS_ERRNO(vq_get_info(dev, &info), 0);
	EXPECT_EQ(info.size, sizeof(info));
	EXPECT_EQ(info.out_abi_version, VQTEST_ABI_VERSION);
	EXPECT_EQ(info.out_driver_features, 0);
	KEEPS_ERRNO(vq_get_info(dev, NULL), -EINVAL);
	KEEPS_ERRNO(vq_set_features(dev, 0), -EINVAL);
	KEEPS_ERRNO(vq_set_features(dev, f | (1ULL << 63)), -EINVAL);
	KEEPS_ERRNO(vq_set_features(dev, f), 0);
	OK(vq_get_info(dev, &info));
	EXPECT_EQ(info.out_driver_features, f);
	KEEPS_ERRNO(vq_set_features(NULL, f), -EINVAL);
	OK(vq_dev_close(dev));
	return 0;
}

static int t_map_unmap(void)
{
	struct vq_dev *dev;
	uint64_t iova = 0x10000000;
	uint8_t *mem;

	OK(tdev_open(NULL, &dev, NULL));
	mem = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KEEPS_ERRNO(vq_map(dev, mem, 4096, 0, NULL), 0);
	KEEPS_ERRNO(vq_map(dev, mem, 4096, 0, NULL), -EEXIST);
	KEEPS_ERRNO(vq_map(dev, mem + 1, 4096, 0, NULL), -EINVAL);
	KEEPS_ERRNO(vq_map(dev, mem + 4096, 4096, VQTEST_MAP_FIXED_IOVA,
			   NULL), -EINVAL);
	KEEPS_ERRNO(vq_map(dev, mem + 4096, 8192, VQTEST_MAP_FIXED_IOVA,
			   &iova), 0);
	EXPECT_EQ(iova, 0x10000000);
	{
		uint64_t got;

		KEEPS_ERRNO(vq_dev_iova(dev, mem + 8192 + 5, 100, &got), 0);
		EXPECT_EQ(got, iova + 4096 + 5);
		KEEPS_ERRNO(vq_dev_iova(dev, mem + 5, 100, &got), 0);
		EXPECT_EQ(got, (uintptr_t)mem + 5);
		/* straddles two regions: not one mapping */
		KEEPS_ERRNO(vq_dev_iova(dev, mem + 4000, 200, &got), -ENOENT);
	}
	KEEPS_ERRNO(vq_unmap(dev, iova, 4096), -ENOENT);
	KEEPS_ERRNO(vq_unmap(dev, iova, 8192), 0);
	KEEPS_ERRNO(vq_unmap(dev, (uintptr_t)mem, 4096), 0);
	KEEPS_ERRNO(vq_unmap(NULL, 0, 0), -EINVAL);
	OK(vq_dev_close(dev));
	return 0;
}

static int t_queue_ops(void)
{
	struct vqtest_queue_create qc;
	struct vqtest_queue_stats st;
	struct vq_dev *dev;
	uint32_t a = 7, b = 7;
	uint8_t *mem;

	OK(tdev_open(NULL, &dev, NULL));
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	OK(vq_map(dev, mem, 4096, 0, NULL));
	vq_queue_create_init(&qc, 0, 8);
	EXPECT_EQ(qc.size, sizeof(qc));
	EXPECT_EQ(qc.kick_fd, VQTEST_NO_FD);
	EXPECT_EQ(qc.call_fd, VQTEST_NO_FD);
	EXPECT_EQ(qc.cpu, VQTEST_CPU_ANY);
	qc.desc_iova = (uintptr_t)mem;
	qc.driver_iova = (uintptr_t)mem + 1024;
	qc.device_iova = (uintptr_t)mem + 2048;
	KEEPS_ERRNO(vq_queue_create(dev, &qc), -EPROTO);
	OK(vq_set_features(dev, 1ULL << VQTEST_F_VERSION_1));
	KEEPS_ERRNO(vq_queue_create(dev, &qc), 0);
	KEEPS_ERRNO(vq_queue_create(dev, &qc), -EEXIST);
	KEEPS_ERRNO(vq_unmap(dev, (uintptr_t)mem, 4096), -EBUSY);
	KEEPS_ERRNO(vq_queue_process(dev, 0, 0, &a, &b), 0);
	EXPECT_EQ(a, 0);
	EXPECT_EQ(b, 0);
	KEEPS_ERRNO(vq_queue_set_indices(dev, 0, 100, 100), 0);
	KEEPS_ERRNO(vq_queue_stats(dev, 0, &st), 0);
	EXPECT_EQ(st.out_num, 8);
	EXPECT_EQ(st.out_state, VQTEST_QS_ACTIVE);
	KEEPS_ERRNO(vq_queue_stats(dev, 1, &st), -ENOENT);
	/* without RING_RESET an active queue cannot be reset */
	KEEPS_ERRNO(vq_queue_reset(dev, 0, &a), -EOPNOTSUPP);
	KEEPS_ERRNO(vq_queue_destroy(dev, 0), 0);
	KEEPS_ERRNO(vq_queue_destroy(dev, 0), -ENOENT);
	KEEPS_ERRNO(vq_queue_process(dev, 0, 0, NULL, NULL), -ENOENT);
	KEEPS_ERRNO(vq_queue_set_indices(dev, 0, 1, 1), -ENOENT);
	OK(vq_dev_close(dev));
	return 0;
}

static int t_names(void)
{
	uint32_t i;

	for (i = 0; i < VQTEST_V_MAX; i++)
		EXPECT(vq_violation_name(i) != NULL);
	EXPECT(vq_violation_name(VQTEST_V_MAX) == NULL);
	EXPECT(!strcmp(vq_violation_name(VQTEST_V_LOOP), "loop"));
	for (i = VQTEST_BEH_ECHO; i <= VQTEST_BEH_BLK; i++) {
		EXPECT(vq_behaviour_name(i) != NULL);
		EXPECT_EQ(vq_behaviour_parse(vq_behaviour_name(i)), i);
	}
	EXPECT(vq_behaviour_name(0) == NULL);
	EXPECT(vq_behaviour_name(99) == NULL);
	EXPECT_EQ(vq_behaviour_parse("bogus"), -EINVAL);
	EXPECT_EQ(vq_behaviour_parse(NULL), -EINVAL);
	EXPECT(!strcmp(vq_state_name(VQTEST_QS_NEEDS_RESET), "needs_reset"));
	EXPECT(vq_state_name(0) == NULL);
	return 0;
}

static const struct vt_test tests[] = {
	{ "open_close", t_open_close, 10 },
	{ "info_features", t_info_features, 10 },
	{ "map_unmap", t_map_unmap, 10 },
	{ "queue_ops", t_queue_ops, 10 },
	{ "names", t_names, 10 },
};

VT_MAIN(tests)
