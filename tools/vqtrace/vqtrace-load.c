// SPDX-License-Identifier: GPL-2.0
/*
 * vqtrace-load: a small, self-contained split-ring driver for /dev/vqtest
 * that puts a known number of chains through one echo queue, so vqtrace's
 * and ftrace's counts can be checked against it. Raw ioctls from
 * <linux/vqtest.h> only: it needs neither libvq nor anything but libc.
 *
 * Each chain is two descriptors, 2s (device-readable, NEXT) and 2s + 1
 * (device-writable), on slot s; the echo behaviour copies one into the
 * other and every completion is checked (id, len, bytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <linux/vqtest.h>

/* The split ring, virtio 1.2 section 2.7 (little-endian host assumed). */
#define DESC_F_NEXT		1
#define DESC_F_WRITE		2
#define AVAIL_F_NO_INTERRUPT	1
#define USED_F_NO_NOTIFY	1

struct desc {
	__u64 addr;
	__u32 len;
	__u16 flags;
	__u16 next;
};

struct avail {
	__u16 flags;
	__u16 idx;
	__u16 ring[];		/* num entries, then used_event */
};

struct used_elem {
	__u32 id;
	__u32 len;
};

struct used {
	__u16 flags;
	__u16 idx;
	struct used_elem ring[];	/* num entries, then avail_event */
};

static struct opts {
	unsigned long chains;
	unsigned int num;
	unsigned int bytes;
	unsigned int queue;
	unsigned int batch;
	bool process;
	bool no_interrupt;
	bool event_idx;
	bool violation;
	const char *wait_file;
	const char *ready_file;
} o = {
	.chains = 1000,
	.num = 256,
	.bytes = 64,
};

static const char usage_text[] =
"usage: vqtrace-load [options]\n"
"\n"
"Drive one echo queue of a new /dev/vqtest device with N two-descriptor\n"
"chains, check every completion, and print the device's counters.\n"
"\n"
"  -n N      chains to complete (default 1000)\n"
"  -s NUM    queue size, a power of two (default 256)\n"
"  -b BYTES  bytes per buffer (default 64)\n"
"  -q INDEX  queue index (default 0)\n"
"  -B N      at most N chains per kick or QUEUE_PROCESS (default: a ring)\n"
"  -P        run the device with QUEUE_PROCESS instead of kick eventfds\n"
"  -I        set VRING_AVAIL_F_NO_INTERRUPT: every call is suppressed\n"
"  -E        negotiate EVENT_IDX and keep used_event out of reach: every\n"
"            call is suppressed by used_event; kicks honour avail_event\n"
"  -V        then offer a chain whose head has NEXT to index NUM + 1: the\n"
"            queue must stop on VQTEST_V_NEXT_RANGE for that descriptor\n"
"  -o FILE   once the queue exists, write the device id to FILE (before\n"
"            -w)\n"
"  -w FILE   wait for FILE to exist before the first chain\n"
"  -h        this text\n";

static int dev_fd, kick_fd = -1, call_fd = -1;
static struct desc *desc;
static struct avail *avail;
static struct used *used;
static __u8 *bufs;
static __u16 avail_idx, last_used;
static unsigned int *free_slots, nfree;

static void die(const char *what)
{
	fprintf(stderr, "vqtrace-load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long num_arg(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "vqtrace-load: bad number '%s'\n%s", s,
			usage_text);
		exit(2);
	}
	return v;
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u16 *used_event(void)
{
	return &avail->ring[o.num];
}

static __u16 *avail_event(void)
{
	return (__u16 *)&used->ring[o.num];
}

/* virtio's vring_need_event() */
static bool need_event(__u16 event, __u16 new_idx, __u16 old)
{
	return (__u16)(new_idx - event - 1) < (__u16)(new_idx - old);
}

static __u8 *out_buf(unsigned int slot)
{
	return bufs + (size_t)slot * 2 * o.bytes;
}

static __u8 *in_buf(unsigned int slot)
{
	return out_buf(slot) + o.bytes;
}

static void offer(unsigned int slot, unsigned long seq, bool bad)
{
	unsigned int d = 2 * slot;
	unsigned int i;

	for (i = 0; i < o.bytes; i++)
		out_buf(slot)[i] = (__u8)(seq * 7 + i);
	memset(in_buf(slot), 0, o.bytes);
	desc[d].addr = (uintptr_t)out_buf(slot);
	desc[d].len = o.bytes;
	desc[d].flags = DESC_F_NEXT;
	desc[d].next = bad ? o.num + 1 : d + 1;
	desc[d + 1].addr = (uintptr_t)in_buf(slot);
	desc[d + 1].len = o.bytes;
	desc[d + 1].flags = DESC_F_WRITE;
	desc[d + 1].next = 0;
	avail->ring[avail_idx % o.num] = d;
	avail_idx++;
}

/* Publish avail->idx; kick unless the device said it needs none. */
static void publish(__u16 old, unsigned long *kicks, unsigned long *skipped)
{
	bool kick;

	if (o.event_idx)	/* a used_event the device never crosses */
		__atomic_store_n(used_event(), (__u16)(last_used + 0x8000),
				 __ATOMIC_RELAXED);
	__atomic_store_n(&avail->idx, avail_idx, __ATOMIC_RELEASE);
	if (o.process)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (o.event_idx)
		kick = need_event(__atomic_load_n(avail_event(),
						  __ATOMIC_RELAXED),
				  avail_idx, old);
	else
		kick = !(__atomic_load_n(&used->flags, __ATOMIC_RELAXED) &
			 USED_F_NO_NOTIFY);
	if (kick) {
		__u64 one = 1;

		if (write(kick_fd, &one, sizeof(one)) != sizeof(one))
			die("kick");
		(*kicks)++;
	} else {
		(*skipped)++;
	}
}

/* Reap the published used elements; return how many. */
static unsigned int reap(unsigned long *bad)
{
	__u16 idx = __atomic_load_n(&used->idx, __ATOMIC_ACQUIRE);
	unsigned int n = 0;

	while (last_used != idx) {
		struct used_elem e = used->ring[last_used % o.num];
		unsigned int slot = e.id / 2;

		if (e.id % 2 || slot >= o.num / 2 || e.len != o.bytes ||
		    memcmp(out_buf(slot), in_buf(slot), o.bytes)) {
			fprintf(stderr, "vqtrace-load: bad completion id=%u len=%u at used %u\n",
				e.id, e.len, last_used);
			(*bad)++;
		} else {
			free_slots[nfree++] = slot;
		}
		last_used++;
		n++;
	}
	return n;
}

static void process(void)
{
	struct vqtest_queue_process p = {
		.size = sizeof(p), .index = o.queue,
	};

	if (ioctl(dev_fd, VQTEST_QUEUE_PROCESS, &p) && errno != EIO)
		die("QUEUE_PROCESS");
}

static void wait_call(void)
{
	struct pollfd pfd = { .fd = call_fd, .events = POLLIN };
	__u64 v;

	if (o.process)
		return;
	if (o.no_interrupt || o.event_idx) {
		/* no call will come: poll the used ring */
		usleep(50);
		return;
	}
	if (poll(&pfd, 1, 100) > 0 && read(call_fd, &v, sizeof(v)) < 0)
		die("read call eventfd");
}

static void stats(struct vqtest_queue_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->index = o.queue;
	if (ioctl(dev_fd, VQTEST_QUEUE_STATS, s))
		die("QUEUE_STATS");
}

int main(int argc, char **argv)
{
	struct vqtest_info info = { .size = sizeof(info) };
	struct vqtest_features feat = { .size = sizeof(feat) };
	struct vqtest_queue_create qc = { .size = sizeof(qc) };
	struct vqtest_queue_destroy qd = { .size = sizeof(qd) };
	struct vqtest_map map = { .size = sizeof(map) };
	struct vqtest_queue_stats st;
	unsigned long done = 0, offered = 0, kicks = 0, skipped = 0, bad = 0;
	size_t page = sysconf(_SC_PAGESIZE), dsz, asz, usz, len;
	__u64 last_progress, t_start, t_end;
	__u8 *mem;
	int c, ret = 0;

	while ((c = getopt(argc, argv, "n:s:b:q:B:PIEVo:w:h")) != -1) {
		switch (c) {
		case 'n':
			o.chains = num_arg(optarg, 1UL << 40);
			break;
		case 's':
			o.num = num_arg(optarg, 32768);
			break;
		case 'b':
			o.bytes = num_arg(optarg, 1 << 20);
			break;
		case 'q':
			o.queue = num_arg(optarg, 0xffffffff);
			break;
		case 'B':
			o.batch = num_arg(optarg, 32768);
			break;
		case 'P':
			o.process = true;
			break;
		case 'I':
			o.no_interrupt = true;
			break;
		case 'E':
			o.event_idx = true;
			break;
		case 'V':
			o.violation = true;
			break;
		case 'o':
			o.ready_file = optarg;
			break;
		case 'w':
			o.wait_file = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (o.num < 2 || (o.num & (o.num - 1)) || !o.bytes) {
		fprintf(stderr, "vqtrace-load: the queue size must be a power of two >= 2\n");
		return 2;
	}
	if (!o.batch || o.batch > o.num / 2)
		o.batch = o.num / 2;
	dev_fd = open("/dev/vqtest", O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		die("/dev/vqtest");
	if (ioctl(dev_fd, VQTEST_GET_INFO, &info))
		die("GET_INFO");
	feat.features = 1ULL << VQTEST_F_VERSION_1;
	if (o.event_idx)
		feat.features |= 1ULL << VQTEST_F_EVENT_IDX;
	if (ioctl(dev_fd, VQTEST_SET_FEATURES, &feat))
		die("SET_FEATURES");

	/* desc, avail and used rings, each on its own pages, then buffers */
	dsz = (16 * o.num + page - 1) & ~(page - 1);
	asz = (6 + 2 * o.num + page - 1) & ~(page - 1);
	usz = (6 + 8 * o.num + page - 1) & ~(page - 1);
	len = dsz + asz + usz +
	      (((size_t)o.num * o.bytes + page - 1) & ~(page - 1));
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memset(mem, 0, len);
	desc = (struct desc *)mem;
	avail = (struct avail *)(mem + dsz);
	used = (struct used *)(mem + dsz + asz);
	bufs = mem + dsz + asz + usz;
	if (o.no_interrupt)
		avail->flags = AVAIL_F_NO_INTERRUPT;

	map.user_va = (uintptr_t)mem;
	map.length = len;
	if (ioctl(dev_fd, VQTEST_MAP, &map))
		die("MAP");

	if (!o.process) {
		kick_fd = eventfd(0, EFD_CLOEXEC);
		call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (kick_fd < 0 || call_fd < 0)
			die("eventfd");
	}
	qc.index = o.queue;
	qc.num = o.num;
	qc.desc_iova = (uintptr_t)desc;
	qc.driver_iova = (uintptr_t)avail;
	qc.device_iova = (uintptr_t)used;
	qc.kick_fd = o.process ? VQTEST_NO_FD : kick_fd;
	qc.call_fd = o.process ? VQTEST_NO_FD : call_fd;
	qc.behaviour = VQTEST_BEH_ECHO;
	qc.level = VQTEST_LEVEL_STRICT;
	qc.cpu = VQTEST_CPU_ANY;
	if (ioctl(dev_fd, VQTEST_QUEUE_CREATE, &qc))
		die("QUEUE_CREATE");

	if (o.ready_file) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", o.ready_file);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%u\n", info.out_device_id) < 0 ||
		    fclose(f) || rename(tmp, o.ready_file))
			die(o.ready_file);
	}
	if (o.wait_file) {
		struct stat sb;

		while (stat(o.wait_file, &sb))
			usleep(10000);
	}

	free_slots = calloc(o.num / 2, sizeof(*free_slots));
	if (!free_slots)
		die("calloc");
	for (nfree = 0; nfree < o.num / 2; nfree++)
		free_slots[nfree] = o.num / 2 - 1 - nfree;

	t_start = now_ns();
	last_progress = now_ms();
	while (done < o.chains) {
		__u16 old = avail_idx;
		unsigned int n = 0, got;

		while (nfree && offered < o.chains && n < o.batch) {
			offer(free_slots[--nfree], offered++, false);
			n++;
		}
		if (n)
			publish(old, &kicks, &skipped);
		if (o.process)
			process();
		got = reap(&bad);
		done += got;
		if (got) {
			last_progress = now_ms();
		} else {
			if (now_ms() - last_progress > 10000) {
				stats(&st);
				fprintf(stderr, "vqtrace-load: stuck at %lu of %lu chains (state %u, violation %u)\n",
					done, o.chains, st.out_state,
					st.out_violation);
				return 1;
			}
			wait_call();
		}
	}

	t_end = now_ns();

	if (o.violation) {
		__u16 ring = avail_idx, old = avail_idx;
		unsigned int slot = free_slots[--nfree];
		__u64 t0 = now_ms();

		offer(slot, offered, true);
		publish(old, &kicks, &skipped);
		if (o.process)
			process();
		for (;;) {
			stats(&st);
			if (st.out_state == VQTEST_QS_NEEDS_RESET)
				break;
			if (now_ms() - t0 > 10000) {
				fprintf(stderr, "vqtrace-load: the queue did not stop\n");
				return 1;
			}
			usleep(1000);
		}
		printf("violation: class=%u desc=%u ring=%u (expected class=%u desc=%u ring=%u)\n",
		       st.out_violation, st.out_violation_desc,
		       st.out_violation_ring, (unsigned int)VQTEST_V_NEXT_RANGE,
		       2 * slot,
		       ring);
		if (st.out_violation != VQTEST_V_NEXT_RANGE ||
		    st.out_violation_desc != 2 * slot ||
		    st.out_violation_ring != ring)
			ret = 3;
	}

	stats(&st);
	printf("vqtrace-load: dev=%u queue=%u pid=%d chains=%lu kicks=%lu kicks_skipped=%lu bad=%lu ns=%llu ns_per_chain=%.0f\n",
	       info.out_device_id, o.queue, getpid(), done, kicks, skipped,
	       bad, (unsigned long long)(t_end - t_start),
	       done ? (double)(t_end - t_start) / done : 0.0);
	printf("stats: kicks=%llu kicks_suppressed=%llu chains=%llu used=%llu calls=%llu calls_suppressed_flag=%llu calls_suppressed_event=%llu worker_runs=%llu budget_exhausted=%llu violations=%llu\n",
	       (unsigned long long)st.out_counters.kicks,
	       (unsigned long long)st.out_counters.kicks_suppressed,
	       (unsigned long long)st.out_counters.chains,
	       (unsigned long long)st.out_counters.used,
	       (unsigned long long)st.out_counters.calls,
	       (unsigned long long)st.out_counters.calls_suppressed_flag,
	       (unsigned long long)st.out_counters.calls_suppressed_event,
	       (unsigned long long)st.out_counters.worker_runs,
	       (unsigned long long)st.out_counters.budget_exhausted,
	       (unsigned long long)st.out_counters.violations);
	fflush(stdout);

	qd.index = o.queue;
	if (ioctl(dev_fd, VQTEST_QUEUE_DESTROY, &qd))
		die("QUEUE_DESTROY");
	close(dev_fd);
	return bad ? 1 : ret;
}
