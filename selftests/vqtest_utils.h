/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqtest selftests: ioctl helpers and a minimal test-side split-ring driver.
 *
 * Helpers come in pairs, as in iommufd_utils.h: _vq_x() returns the raw
 * result (0 or -errno) and vq_x() wraps it in ASSERT_EQ(0, ...), so it can
 * only be used inside a TEST body (it needs _metadata).
 *
 * The driver side ("vqd") is deliberately naive and transparent: the rings
 * live in one anonymous mapping registered with VQTEST_MAP, every
 * descriptor owns a fixed buffer slot, and every ring field can be written
 * raw, so violation tests can build exactly the hostile ring they need.
 * It is not libvq on purpose: the selftests must not share bugs with the
 * library they will later be used to check.
 */
#ifndef _VQTEST_UTILS_H
#define _VQTEST_UTILS_H

#include <assert.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/vqtest.h>

/*
 * The harness's macros expand to functions with parameters a test may not
 * use (variant, _metadata), and TEST_F's fork-after-setjmp trips
 * -Wclobbered on its own locals: those two -Wextra checks cannot apply to
 * the code the harness generates. Everything else stays on.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#if __BYTE_ORDER != __LITTLE_ENDIAN
#error "the vqd helpers write the rings in host order: little-endian only"
#endif

#define VQ_DEV_PATH		"/dev/vqtest"
#define VQ_PAGE			4096UL
#define VQ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define VQ_ALIGN(x, a)		(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define VQ_BIT(n)		(1ULL << (n))
/* typed constants for the harness's ASSERT_*(), which -Wsign-compare checks */
#define U32(x)			((__u32)(x))
#define U64(x)			((__u64)(x))

/* The features the device must offer, exactly (issue 2) */
#define VQ_ALL_FEATURES							\
	(VQ_BIT(VQTEST_F_VERSION_1) | VQ_BIT(VQTEST_F_EVENT_IDX) |	\
	 VQ_BIT(VQTEST_F_INDIRECT_DESC) | VQ_BIT(VQTEST_F_IN_ORDER) |	\
	 VQ_BIT(VQTEST_F_RING_RESET))
#define VQ_F_V1			VQ_BIT(VQTEST_F_VERSION_1)

/* Split ring layout, virtio 1.2 section 2.7 */
#define VQD_F_NEXT		1
#define VQD_F_WRITE		2
#define VQD_F_INDIRECT		4
#define VQD_AVAIL_F_NO_INTERRUPT 1
#define VQD_USED_F_NO_NOTIFY	1

struct vqd_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vqd_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* num entries, then used_event */
};

struct vqd_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vqd_used {
	uint16_t flags;
	uint16_t idx;
	struct vqd_used_elem ring[];	/* num entries, then avail_event */
};

/* virtio-blk request header, virtio 1.2 section 5.2.6 */
struct vqd_blk_outhdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

#define VQD_BLK_T_IN		0
#define VQD_BLK_T_OUT		1
#define VQD_BLK_T_FLUSH		4
#define VQD_BLK_T_GET_ID	8
#define VQD_BLK_S_OK		0
#define VQD_BLK_S_IOERR		1
#define VQD_BLK_S_UNSUPP	2

/* ------------------------------------------------------------------ */
/* ioctl helpers                                                       */
/* ------------------------------------------------------------------ */

static inline int _vq_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int _vq_open(void)
{
	int fd = open(VQ_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline int _vq_get_info(int fd, struct vqtest_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return _vq_ioctl(fd, VQTEST_GET_INFO, info);
}

static inline int _vq_set_features(int fd, uint64_t features)
{
	struct vqtest_features cmd = {
		.size = sizeof(cmd),
		.features = features,
	};

	return _vq_ioctl(fd, VQTEST_SET_FEATURES, &cmd);
}

static inline int _vq_map(int fd, const void *va, uint64_t length,
			  uint32_t flags, uint64_t iova, uint64_t *out_iova)
{
	struct vqtest_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = iova,
	};
	int ret = _vq_ioctl(fd, VQTEST_MAP, &cmd);

	if (!ret && out_iova)
		*out_iova = cmd.iova;
	return ret;
}

static inline int _vq_unmap(int fd, uint64_t iova, uint64_t length)
{
	struct vqtest_unmap cmd = {
		.size = sizeof(cmd),
		.iova = iova,
		.length = length,
	};

	return _vq_ioctl(fd, VQTEST_UNMAP, &cmd);
}

static inline int _vq_queue_create(int fd, struct vqtest_queue_create *cmd)
{
	cmd->size = sizeof(*cmd);
	return _vq_ioctl(fd, VQTEST_QUEUE_CREATE, cmd);
}

static inline int _vq_queue_destroy(int fd, uint32_t index)
{
	struct vqtest_queue_destroy cmd = {
		.size = sizeof(cmd),
		.index = index,
	};

	return _vq_ioctl(fd, VQTEST_QUEUE_DESTROY, &cmd);
}

static inline int _vq_queue_reset(int fd, uint32_t index, uint32_t *dropped)
{
	struct vqtest_queue_reset cmd = {
		.size = sizeof(cmd),
		.index = index,
	};
	int ret = _vq_ioctl(fd, VQTEST_QUEUE_RESET, &cmd);

	if (!ret && dropped)
		*dropped = cmd.out_dropped;
	return ret;
}

static inline int _vq_set_indices(int fd, uint32_t index, uint16_t avail_idx,
				  uint16_t used_idx)
{
	struct vqtest_queue_set_indices cmd = {
		.size = sizeof(cmd),
		.index = index,
		.avail_idx = avail_idx,
		.used_idx = used_idx,
	};

	return _vq_ioctl(fd, VQTEST_QUEUE_SET_INDICES, &cmd);
}

/* out_chains is filled on EIO too, as the uapi promises */
static inline int _vq_process(int fd, uint32_t index, uint32_t max_chains,
			      uint32_t *chains, uint32_t *pending)
{
	struct vqtest_queue_process cmd = {
		.size = sizeof(cmd),
		.index = index,
		.max_chains = max_chains,
	};
	int ret = _vq_ioctl(fd, VQTEST_QUEUE_PROCESS, &cmd);

	if (chains)
		*chains = cmd.out_chains;
	if (pending)
		*pending = cmd.out_pending;
	return ret;
}

static inline int _vq_stats(int fd, uint32_t index,
			    struct vqtest_queue_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->index = index;
	return _vq_ioctl(fd, VQTEST_QUEUE_STATS, st);
}

#define vq_get_info(fd, info)	ASSERT_EQ(0, _vq_get_info(fd, info))
#define vq_set_features(fd, f)	ASSERT_EQ(0, _vq_set_features(fd, f))
#define vq_map(fd, va, len, flags, iova, out) \
	ASSERT_EQ(0, _vq_map(fd, va, len, flags, iova, out))
#define vq_unmap(fd, iova, len)	ASSERT_EQ(0, _vq_unmap(fd, iova, len))
#define vq_queue_create(fd, cmd) ASSERT_EQ(0, _vq_queue_create(fd, cmd))
#define vq_queue_destroy(fd, i)	ASSERT_EQ(0, _vq_queue_destroy(fd, i))
#define vq_queue_reset(fd, i, d) ASSERT_EQ(0, _vq_queue_reset(fd, i, d))
#define vq_set_indices(fd, i, a, u) ASSERT_EQ(0, _vq_set_indices(fd, i, a, u))
#define vq_process(fd, i, max, c, p) ASSERT_EQ(0, _vq_process(fd, i, max, c, p))
#define vq_stats(fd, i, st)	ASSERT_EQ(0, _vq_stats(fd, i, st))

/* Open the device or skip the test when the module is not there. */
#define vq_open_or_skip(fdp)						\
	do {								\
		*(fdp) = _vq_open();					\
		if (*(fdp) == -ENOENT || *(fdp) == -ENODEV)		\
			SKIP(return, "%s: not present (module not loaded?)", \
			     VQ_DEV_PATH);				\
		ASSERT_LE(0, *(fdp));					\
	} while (0)

/* An anonymous, page-aligned, populated mapping, or NULL. */
static inline void *vq_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline int vq_eventfd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static inline int vq_kick(int efd)
{
	uint64_t one = 1;

	return write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

/* Read an eventfd's counter without blocking: 0 if it was not signalled. */
static inline uint64_t vq_efd_read(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* Wait up to @ms for an eventfd; returns its counter (0 on timeout). */
static inline uint64_t vq_efd_wait(int efd, int ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	return vq_efd_read(efd);
}

/* A value from /proc/self/status ("VmLck:" ...), in kB; -1 if absent. */
static inline long vq_status_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* A value from /proc/meminfo, in kB; -1 if absent. */
static inline long vq_meminfo_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* First number of a small /proc or /sys file, or -1. */
static inline long vq_read_long(const char *path)
{
	char buf[64] = "";
	long v = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

/*
 * Let freed kernel memory show as free before a leak measurement: drop
 * the page and dentry caches, shrink every slab cache (which also drains
 * KASAN's quarantine of freed objects on debug kernels), give RCU time.
 */
static inline void vq_settle(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			perror("drop_caches");
		close(fd);
	}
	usleep(200 * 1000);
	d = opendir("/sys/kernel/slab");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 de->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* caches come and go: a failed write is no matter */
		if (write(fd, "1", 1) < 0)
			errno = 0;
		close(fd);
	}
	if (d)
		closedir(d);
	usleep(100 * 1000);
}

/* FNV-1a 64 as the uapi documents for the sink checksum */
static inline uint64_t vq_fnv1a(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		sum = (sum ^ p[i]) * VQTEST_CSUM_PRIME;
	return sum;
}

/* xorshift64*: reproducible test data (print the seed on failure) */
static inline uint64_t vq_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline void vq_fill(void *buf, size_t len, uint64_t seed)
{
	uint8_t *p = buf;
	uint64_t s = seed | 1;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			s = vq_rand(&s) | 1;
		p[i] = s >> ((i & 7) * 8);
	}
}

/* ------------------------------------------------------------------ */
/* vqd: the test-side driver                                           */
/* ------------------------------------------------------------------ */

/**
 * struct vqd - one driver-side split queue in one registered region
 * @fd: the device
 * @index: queue index
 * @num: queue size
 * @mem: the region (rings first, then one buffer slot per descriptor)
 * @mem_len: its length
 * @iova: IOVA of @mem[0]
 * @desc, @avail, @used: the three ring areas inside @mem
 * @seg_max: bytes of each descriptor's buffer slot
 * @buf: first buffer slot (slot i belongs to descriptor i)
 * @avail_idx: the driver's next avail index (published on vqd_publish())
 * @last_used: next used index the driver reaps
 * @free_head: first free descriptor, @num_free of them, linked by @dnext
 * @dnext: driver-private copy of each descriptor's next (never read back
 *	from ring memory, so hostile tests cannot confuse the free list)
 * @chain_len: descriptors in the chain whose head is the index
 * @event_idx: VIRTIO_RING_F_EVENT_IDX negotiated
 * @kick, @call: eventfds or -1
 */
struct vqd {
	int fd;
	uint32_t index;
	uint32_t num;
	uint8_t *mem;
	size_t mem_len;
	uint64_t iova;
	struct vqd_desc *desc;
	struct vqd_avail *avail;
	struct vqd_used *used;
	uint32_t seg_max;
	uint8_t *buf;
	uint16_t avail_idx;
	uint16_t last_used;
	uint16_t free_head;
	uint32_t num_free;
	uint16_t *dnext;
	uint16_t *chain_len;
	bool event_idx;
	int kick;
	int call;
};

static inline size_t vqd_ring_bytes(uint32_t num)
{
	size_t used_off = VQ_ALIGN(16 * num + 6 + 2 * num, 4);

	return VQ_ALIGN(used_off + 6 + 8 * num, VQ_PAGE);
}

static inline uint64_t vqd_iova(const struct vqd *q, const void *p)
{
	return q->iova + ((const uint8_t *)p - q->mem);
}

static inline uint8_t *vqd_buf(const struct vqd *q, uint32_t i)
{
	return q->buf + (size_t)i * q->seg_max;
}

static inline uint16_t *vqd_used_event(const struct vqd *q)
{
	return &q->avail->ring[q->num];
}

static inline uint16_t *vqd_avail_event(const struct vqd *q)
{
	return (uint16_t *)&q->used->ring[q->num];
}

/*
 * Start the driver side afresh (free list, indices) and zero the
 * driver-owned areas (descriptors, avail ring). The used ring is the
 * device's: writing it would be a violation. No ioctl.
 */
static inline void vqd_init_driver(struct vqd *q)
{
	uint32_t i;

	memset(q->desc, 0, 16 * q->num);
	memset(q->avail, 0, 6 + 2 * q->num);
	for (i = 0; i < q->num; i++)
		q->dnext[i] = (i + 1) % q->num;
	q->free_head = 0;
	q->num_free = q->num;
	q->avail_idx = 0;
	q->last_used = 0;
}

/*
 * The driver's side of a reset: vqd_init_driver(), then, if the queue is
 * in VQTEST_QS_RESET (it waits for the driver to have rewritten its
 * rings), enable it at 0/0 with QUEUE_SET_INDICES: virtio's queue_enable.
 */
static inline void vqd_reset_driver(struct vqd *q)
{
	struct vqtest_queue_stats st;

	vqd_init_driver(q);
	if (q->fd >= 0 && !_vq_stats(q->fd, q->index, &st) &&
	    st.out_state == VQTEST_QS_RESET)
		_vq_set_indices(q->fd, q->index, 0, 0);
}

/*
 * Lay a queue out in @mem (rings, then @num buffer slots of @seg_max bytes)
 * without touching the device. @mem_len must hold vqd_mem_bytes().
 */
static inline size_t vqd_mem_bytes(uint32_t num, uint32_t seg_max)
{
	return VQ_ALIGN(vqd_ring_bytes(num) + (size_t)num * seg_max, VQ_PAGE);
}

static inline int vqd_layout(struct vqd *q, int fd, uint32_t index,
			     uint32_t num, uint32_t seg_max, void *mem,
			     size_t mem_len, uint64_t iova)
{
	size_t used_off = VQ_ALIGN(16 * num + 6 + 2 * num, 4);

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->index = index;
	q->num = num;
	q->mem = mem;
	q->mem_len = mem_len;
	q->iova = iova;
	q->desc = mem;
	q->avail = (struct vqd_avail *)(q->mem + 16 * num);
	q->used = (struct vqd_used *)(q->mem + used_off);
	q->seg_max = seg_max;
	q->buf = q->mem + vqd_ring_bytes(num);
	q->kick = -1;
	q->call = -1;
	q->dnext = calloc(num, sizeof(*q->dnext));
	q->chain_len = calloc(num, sizeof(*q->chain_len));
	if (!q->dnext || !q->chain_len)
		return -ENOMEM;
	vqd_init_driver(q);
	return 0;
}

/*
 * Allocate and register (identity IOVA) the memory for a queue of @num
 * entries with @seg_max bytes per descriptor buffer. Returns 0 or -errno.
 */
static inline int _vqd_init(struct vqd *q, int fd, uint32_t index,
			    uint32_t num, uint32_t seg_max)
{
	size_t len = vqd_mem_bytes(num, seg_max);
	void *mem = vq_alloc(len);
	int ret;

	memset(q, 0, sizeof(*q));
	q->kick = q->call = -1;
	if (!mem)
		return -ENOMEM;
	ret = vqd_layout(q, fd, index, num, seg_max, mem, len,
			 (uintptr_t)mem);
	if (ret)
		return ret;
	return _vq_map(fd, mem, len, 0, 0, NULL);
}

static inline void vqd_free(struct vqd *q)
{
	free(q->dnext);
	free(q->chain_len);
	q->dnext = NULL;
	q->chain_len = NULL;
}

/* A create command for @q: echo, strict, no eventfds; edit before use. */
static inline void vqd_create_cmd(const struct vqd *q,
				  struct vqtest_queue_create *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->index = q->index;
	c->num = q->num;
	c->desc_iova = vqd_iova(q, q->desc);
	c->driver_iova = vqd_iova(q, q->avail);
	c->device_iova = vqd_iova(q, q->used);
	c->kick_fd = q->kick;
	c->call_fd = q->call;
	c->behaviour = VQTEST_BEH_ECHO;
	c->level = VQTEST_LEVEL_STRICT;
	c->cpu = VQTEST_CPU_ANY;
}

static inline int _vqd_create(struct vqd *q, uint32_t behaviour)
{
	struct vqtest_queue_create c;

	vqd_create_cmd(q, &c);
	c.behaviour = behaviour;
	return _vq_queue_create(q->fd, &c);
}

/* Raw descriptor write */
static inline void vqd_set_desc(struct vqd_desc *d, uint64_t addr,
				uint32_t len, uint16_t flags, uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Put @head in the next avail slot (not yet visible: see vqd_publish()). */
static inline void vqd_offer(struct vqd *q, uint16_t head)
{
	q->avail->ring[q->avail_idx & (q->num - 1)] = head;
	q->avail_idx++;
}

/* Make everything offered so far visible: avail->idx, release order. */
static inline void vqd_publish(struct vqd *q)
{
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

static inline uint16_t vqd_used_idx(const struct vqd *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
}

/*
 * Build a chain of @nr readable then @nw writable descriptors taken from
 * the free list, each pointing at its own buffer slot, of lengths @lens
 * (nr + nw of them, each <= seg_max). The indices go to @ids when given.
 * Returns the head, or -1 when not enough descriptors are free.
 */
static inline int vqd_chain(struct vqd *q, uint32_t nr, uint32_t nw,
			    const uint32_t *lens, uint16_t *ids)
{
	uint32_t n = nr + nw, k;
	uint16_t head = q->free_head, i = head;

	if (!n || n > q->num_free)
		return -1;
	for (k = 0; k < n; k++) {
		uint16_t flags = k < nr ? 0 : VQD_F_WRITE;
		uint16_t next = q->dnext[i];

		if (k + 1 < n)
			flags |= VQD_F_NEXT;
		vqd_set_desc(&q->desc[i], vqd_iova(q, vqd_buf(q, i)), lens[k],
			     flags, next);
		if (ids)
			ids[k] = i;
		if (k + 1 < n)
			i = next;
	}
	q->free_head = q->dnext[i];
	q->num_free -= n;
	q->chain_len[head] = n;
	return head;
}

/* Give a chain's descriptors back to the free list. */
static inline void vqd_free_chain(struct vqd *q, uint16_t head)
{
	uint16_t i = head, n = q->chain_len[head], k;

	for (k = 1; k < n; k++)
		i = q->dnext[i];
	q->dnext[i] = q->free_head;
	q->free_head = head;
	q->num_free += n;
	q->chain_len[head] = 0;
}

/*
 * Reap one used element: 1 (with @head and @len) or 0 when none is
 * pending. The chain's descriptors go back to the free list when it was
 * built by vqd_chain().
 */
static inline int vqd_reap(struct vqd *q, uint32_t *head, uint32_t *len)
{
	struct vqd_used_elem e;

	if (q->last_used == vqd_used_idx(q))
		return 0;
	e = q->used->ring[q->last_used & (q->num - 1)];
	q->last_used++;
	*head = e.id;
	*len = e.len;
	if (e.id < q->num && q->chain_len[e.id])
		vqd_free_chain(q, e.id);
	return 1;
}

/* Does the device want a kick after the driver moved avail from @old? */
static inline bool vqd_need_kick(const struct vqd *q, uint16_t old)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		uint16_t ev = __atomic_load_n(vqd_avail_event(q),
					      __ATOMIC_RELAXED);

		return (uint16_t)(q->avail_idx - ev - 1) <
		       (uint16_t)(q->avail_idx - old);
	}
	return !(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) &
		 VQD_USED_F_NO_NOTIFY);
}

/* The stats counters, for short asserts */
#define VQ_CNT(st, field)	((st)->out_counters.field)

#endif /* _VQTEST_UTILS_H */
