// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * echo_client: the smallest complete libvq program.
 *
 * Opens /dev/vqtest, negotiates features, creates a split queue whose
 * device echoes every chain's readable bytes into its writable buffers,
 * sends N messages, waits for the echoes, checks them and prints what the
 * driver and the device counted.
 *
 *	echo_client [-n messages] [-d /dev/vqtest]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vq/libvq.h>

#define MSG_SIZE	64

/* One request: the message we send and room for its echo. */
struct request {
	char msg[MSG_SIZE];
	char echo[MSG_SIZE];
};

static int fail(const char *what, int err)
{
	fprintf(stderr, "echo_client: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = VQ_DEV_PATH;
	unsigned long n = 1000, sent = 0, done = 0;
	struct vq_split_opts opts;
	struct vqtest_info info;
	struct vqtest_queue_stats st;
	struct vq_split_counters cnt;
	struct request *reqs, **idle;
	unsigned int nidle;
	struct vq_split *q;
	struct vq_dev *dev;
	size_t len;
	uint64_t want;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 'd')
			path = optarg;
		else
			return fprintf(stderr, "usage: %s [-n N] [-d dev]\n",
				       argv[0]), 2;
	}

	/* 1. Open the device and take the features we know. */
	ret = vq_dev_open_path(path, &dev);
	if (ret)
		return fail(path, ret);
	ret = vq_get_info(dev, &info);
	if (ret)
		return fail("GET_INFO", ret);
	want = (1ULL << VQTEST_F_VERSION_1) | (1ULL << VQTEST_F_EVENT_IDX) |
	       (1ULL << VQTEST_F_INDIRECT_DESC);
	ret = vq_set_features(dev, info.out_device_features & want);
	if (ret)
		return fail("SET_FEATURES", ret);

	/* 2. A queue of 256 entries; the library makes kick/call eventfds. */
	vq_split_opts_init(&opts);
	opts.num = 256;
	opts.behaviour = VQTEST_BEH_ECHO;
	ret = vq_split_create(dev, &opts, &q);
	if (ret)
		return fail("create queue", ret);

	/* 3. Our buffers must be mapped for the device to reach them. */
	len = (vq_split_size(q) * sizeof(*reqs) + 4095) & ~4095UL;
	reqs = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (reqs == MAP_FAILED)
		return fail("mmap", -ENOMEM);
	ret = vq_map(dev, reqs, len, 0, NULL);
	if (ret)
		return fail("map buffers", ret);
	/* requests not in flight; the device may complete out of order */
	idle = calloc(vq_split_size(q), sizeof(*idle));
	if (!idle)
		return fail("calloc", -ENOMEM);
	for (nidle = 0; nidle < vq_split_size(q); nidle++)
		idle[nidle] = &reqs[nidle];

	/* 4. Keep the ring full; reap when the device calls. */
	while (done < n) {
		struct vq_completion c[32];
		int i, got;

		while (sent < n && nidle) {
			struct request *r = idle[--nidle];
			struct iovec iov[2] = {
				{ r->msg, sizeof(r->msg) },	/* readable */
				{ r->echo, sizeof(r->echo) },	/* writable */
			};

			snprintf(r->msg, sizeof(r->msg), "message %lu", sent);
			memset(r->echo, 0, sizeof(r->echo));
			/* no kick per chain: one kick below for the batch */
			ret = vq_split_offer(q, iov, 1, 1, r, VQ_OFFER_NO_KICK);
			if (ret < 0)
				return fail("offer", ret);
			sent++;
		}
		ret = vq_split_kick(q);
		if (ret)
			return fail("kick", ret);

		got = vq_split_reap(q, c, 32);
		if (got < 0)
			return fail("reap", got);
		if (!got) {
			ret = vq_split_wait(q, 5000);
			if (ret <= 0)
				return fail("wait", ret ? ret : -ETIMEDOUT);
			continue;
		}
		for (i = 0; i < got; i++) {
			struct request *r = c[i].cookie;

			if (c[i].len != MSG_SIZE ||
			    memcmp(r->msg, r->echo, MSG_SIZE)) {
				fprintf(stderr, "echo_client: bad echo of '%s'\n",
					r->msg);
				return 1;
			}
			vq_split_free(q, c[i].head);
			idle[nidle++] = r;
		}
		done += (unsigned long)got;
	}

	/* 5. What both sides counted. */
	vq_split_counters(q, &cnt);
	ret = vq_split_stats(q, &st);
	if (ret)
		return fail("QUEUE_STATS", ret);
	printf("%lu messages echoed and verified\n", done);
	printf("driver: kicks %llu (suppressed %llu), calls %llu, "
	       "completions %llu\n",
	       (unsigned long long)cnt.kicks,
	       (unsigned long long)cnt.kicks_suppressed,
	       (unsigned long long)cnt.calls,
	       (unsigned long long)cnt.completions);
	printf("device: chains %llu, bytes read %llu, written %llu, "
	       "calls %llu, violations %llu\n",
	       (unsigned long long)st.out_counters.chains,
	       (unsigned long long)st.out_counters.bytes_read,
	       (unsigned long long)st.out_counters.bytes_written,
	       (unsigned long long)st.out_counters.calls,
	       (unsigned long long)st.out_counters.violations);

	/* 6. Tear down: queue first (it holds the device), then the rest. */
	ret = vq_split_close(q);
	if (!ret)
		ret = vq_unmap(dev, (uintptr_t)reqs, len);
	if (!ret)
		ret = vq_dev_close(dev);
	munmap(reqs, len);
	free(idle);
	return ret ? fail("close", ret) : 0;
}
