// SPDX-License-Identifier: GPL-2.0
/*
 * vqctl demo: push random-shaped chains through one split queue with real
 * kick and call eventfds, check every byte that comes back, and print the
 * rate and every counter both sides kept.
 *
 * What is checked depends on the behaviour:
 *  echo    the writable buffers hold the readable bytes, used.len = min
 *  sink    the device's FNV-1a checksum equals ours over the same bytes
 *  source  the writable bytes follow the p % 251 stream, in used order
 *  null    used.len is 0
 *  blk     reads return what earlier writes stored (a shadow disk)
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_blk.h>

#include "vqctl.h"

#define MAX_SEGS	8
#define MAX_SEG_LEN	2048
#define SLOT_SIZE	(MAX_SEGS * MAX_SEG_LEN + 8192)
#define BLK_CAPACITY	(1ULL << 20)

struct slot {
	uint8_t *mem;
	struct iovec iov[MAX_SEGS];
	unsigned int n_out;
	unsigned int n_in;
	/* blk */
	uint32_t type;
	uint32_t data_len;
	uint8_t *status;
	uint8_t *expect;
};

struct demo {
	struct vq_dev *dev;
	struct vq_split *q;
	uint32_t behaviour;
	uint64_t rng;
	struct slot *slots;
	struct slot **idle;
	unsigned int nidle;
	struct slot *pending;
	uint8_t *mem;
	size_t mem_len;
	uint64_t csum;		/* sink: what the device should compute */
	uint64_t src_off;	/* source: stream offset of the next byte */
	uint8_t *disk;		/* blk: what the RAM disk should hold */
	uint64_t bytes;
};

static uint64_t rnd64(struct demo *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static uint32_t rnd(struct demo *d, uint32_t n)
{
	return (uint32_t)(rnd64(d) % n);
}

static void fill_random(struct demo *d, uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t v = rnd64(d);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	while (len--)
		*p++ = (uint8_t)rnd64(d);
}

/* 1..max segments of 1..MAX_SEG_LEN bytes laid out in the slot */
static void shape(struct demo *d, struct slot *s, unsigned int n_out,
		  unsigned int n_in)
{
	size_t off = 0;
	unsigned int i;

	s->n_out = n_out;
	s->n_in = n_in;
	for (i = 0; i < n_out + n_in; i++) {
		uint32_t len = 1 + rnd(d, MAX_SEG_LEN);

		s->iov[i].iov_base = s->mem + off;
		s->iov[i].iov_len = len;
		if (i < n_out)
			fill_random(d, s->mem + off, len);
		else
			memset(s->mem + off, 0xee, len);
		off += len;
	}
}

static void make_blk(struct demo *d, struct slot *s)
{
	struct virtio_blk_outhdr *h = (void *)s->mem;
	uint32_t nsect = 1 + rnd(d, 8);
	uint64_t sector = rnd(d, BLK_CAPACITY / 512 - nsect + 1);
	uint8_t *data = s->mem + 512;

	s->type = rnd(d, 2) ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	s->data_len = nsect * 512;
	s->status = data + s->data_len;
	s->expect = s->status + 64;
	h->type = htole32(s->type);
	h->ioprio = 0;
	h->sector = htole64(sector);
	*s->status = 0xff;
	s->iov[0] = (struct iovec){ h, sizeof(*h) };
	s->iov[1] = (struct iovec){ data, s->data_len };
	s->iov[2] = (struct iovec){ s->status, 1 };
	/* the device runs chains in offer order: the disk as of now */
	if (s->type == VIRTIO_BLK_T_OUT) {
		fill_random(d, data, s->data_len);
		memcpy(d->disk + sector * 512, data, s->data_len);
		s->n_out = 2;
		s->n_in = 1;
	} else {
		memcpy(s->expect, d->disk + sector * 512, s->data_len);
		s->n_out = 1;
		s->n_in = 2;
	}
}

static void make_chain(struct demo *d, struct slot *s)
{
	unsigned int i, k;

	switch (d->behaviour) {
	case VQTEST_BEH_SINK:
		shape(d, s, 1 + rnd(d, 4), 0);
		for (i = 0; i < s->n_out; i++)
			for (k = 0; k < s->iov[i].iov_len; k++)
				d->csum = (d->csum ^
					   ((uint8_t *)s->iov[i].iov_base)[k]) *
					  VQTEST_CSUM_PRIME;
		break;
	case VQTEST_BEH_SOURCE:
		shape(d, s, 0, 1 + rnd(d, 4));
		break;
	case VQTEST_BEH_BLK:
		make_blk(d, s);
		break;
	default:
		shape(d, s, 1 + rnd(d, 4), 1 + rnd(d, 4));
	}
}

static int bad(const char *what, struct slot *s, uint32_t len)
{
	fprintf(stderr, "vqctl demo: %s (chain of %u+%u segments, len %u)\n",
		what, s->n_out, s->n_in, len);
	return -1;
}

static int check_echo(struct slot *s, uint32_t len)
{
	uint64_t rlen = 0, wlen = 0, pos = 0;
	unsigned int r = 0, w = s->n_out, i;
	size_t ro = 0, wo = 0;

	for (i = 0; i < s->n_out + s->n_in; i++)
		*(i < s->n_out ? &rlen : &wlen) += s->iov[i].iov_len;
	if (len != (rlen < wlen ? rlen : wlen))
		return bad("echo length", s, len);
	while (pos < len) {
		size_t n = s->iov[r].iov_len - ro;

		if (s->iov[w].iov_len - wo < n)
			n = s->iov[w].iov_len - wo;
		if (len - pos < n)
			n = len - pos;
		if (memcmp((uint8_t *)s->iov[r].iov_base + ro,
			   (uint8_t *)s->iov[w].iov_base + wo, n))
			return bad("echoed bytes differ", s, len);
		pos += n;
		ro += n;
		wo += n;
		if (ro == s->iov[r].iov_len)
			r++, ro = 0;
		if (wo == s->iov[w].iov_len)
			w++, wo = 0;
	}
	return 0;
}

static int check_source(struct demo *d, struct slot *s, uint32_t len)
{
	uint64_t wlen = 0;
	unsigned int i;
	size_t k;

	for (i = 0; i < s->n_in; i++)
		wlen += s->iov[i].iov_len;
	if (len != wlen)
		return bad("source length", s, len);
	for (i = 0; i < s->n_in; i++)
		for (k = 0; k < s->iov[i].iov_len; k++)
			if (((uint8_t *)s->iov[i].iov_base)[k] !=
			    d->src_off++ % VQTEST_SOURCE_PERIOD)
				return bad("source pattern", s, len);
	return 0;
}

static int check_blk(struct slot *s, uint32_t len)
{
	uint32_t want = s->type == VIRTIO_BLK_T_IN ? s->data_len + 1 : 1;

	if (*s->status != VIRTIO_BLK_S_OK)
		return bad("blk status", s, len);
	if (len != want)
		return bad("blk used length", s, len);
	if (s->type == VIRTIO_BLK_T_IN &&
	    memcmp(s->iov[1].iov_base, s->expect, s->data_len))
		return bad("blk read returned other data", s, len);
	return 0;
}

static int check(struct demo *d, struct slot *s, uint32_t len)
{
	d->bytes += len;
	switch (d->behaviour) {
	case VQTEST_BEH_ECHO:
		return check_echo(s, len);
	case VQTEST_BEH_SOURCE:
		return check_source(d, s, len);
	case VQTEST_BEH_BLK:
		return check_blk(s, len);
	default:
		return len ? bad("used.len not 0", s, len) : 0;
	}
}

static int reap_all(struct demo *d, uint64_t *done)
{
	struct vq_completion c[64];
	int n, i;

	do {
		n = vq_split_reap(d->q, c, 64);
		if (n < 0)
			return vqctl_err("reap", n);
		for (i = 0; i < n; i++) {
			struct slot *s = c[i].cookie;

			if (check(d, s, c[i].len))
				return -1;
			vq_split_free(d->q, c[i].head);
			d->idle[d->nidle++] = s;
		}
		*done += (uint64_t)n;
	} while (n == 64);
	return 0;
}

/*
 * Offer until the ring is full. A chain that did not fit stays prepared
 * in d->pending: its bytes already count in the sink checksum or the blk
 * shadow disk, so it must be the next one offered.
 */
static int offer_some(struct demo *d, uint64_t total, uint64_t *sent)
{
	while (*sent < total && (d->pending || d->nidle)) {
		struct slot *s = d->pending;
		/* a quarter of multi-segment chains skip the indirect table */
		unsigned int flags = VQ_OFFER_NO_KICK |
				     (rnd(d, 4) ? 0 : VQ_OFFER_DIRECT);
		int ret;

		if (!s) {
			s = d->idle[--d->nidle];
			make_chain(d, s);
		}
		ret = vq_split_offer(d->q, s->iov, s->n_out, s->n_in, s,
				     flags);
		d->pending = ret == -ENOSPC ? s : NULL;
		if (ret == -ENOSPC)
			return 0;
		if (ret < 0)
			return vqctl_err("offer", ret);
		(*sent)++;
	}
	return 0;
}

static int run(struct demo *d, uint64_t total)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t sent = 0, done = 0;
	int ep, ret = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, vq_split_call_fd(d->q), &ev))
		return vqctl_err("epoll", -errno);
	while (done < total) {
		uint64_t before = done;

		if (offer_some(d, total, &sent))
			goto out;
		ret = vq_split_kick(d->q);
		if (ret) {
			vqctl_err("kick", ret);
			goto out;
		}
		ret = -1;
		if (reap_all(d, &done))
			goto out;
		if (done == before && epoll_wait(ep, &ev, 1, 5000) != 1) {
			fprintf(stderr, "vqctl demo: no call in 5 s after "
				"%llu of %llu chains\n",
				(unsigned long long)done,
				(unsigned long long)total);
			goto out;
		}
	}
	ret = 0;
out:
	close(ep);
	return ret;
}

static int setup(struct demo *d, const char *path, uint32_t size,
		 uint64_t no_features)
{
	struct vq_split_opts o;
	struct vqtest_info info;
	uint64_t want;
	unsigned int i, num;
	int ret;

	ret = vqctl_open(path, &d->dev);
	if (ret)
		return vqctl_err(path, ret);
	ret = vq_get_info(d->dev, &info);
	if (ret)
		return vqctl_err("GET_INFO", ret);
	want = (1ULL << VQTEST_F_VERSION_1) | (1ULL << VQTEST_F_EVENT_IDX) |
	       (1ULL << VQTEST_F_INDIRECT_DESC);
	ret = vq_set_features(d->dev,
			      info.out_device_features & want & ~no_features);
	if (ret)
		return vqctl_err("SET_FEATURES", ret);

	vq_split_opts_init(&o);
	o.num = size;
	o.behaviour = d->behaviour;
	if (d->behaviour == VQTEST_BEH_SINK)
		o.queue_flags = VQTEST_QUEUE_F_CHECKSUM;
	if (d->behaviour == VQTEST_BEH_BLK) {
		if (info.out_max_blk_capacity < BLK_CAPACITY)
			return vqctl_err("blk capacity", -EOPNOTSUPP);
		o.blk_capacity = BLK_CAPACITY;
		d->disk = calloc(1, BLK_CAPACITY);
		if (!d->disk)
			return vqctl_err("disk shadow", -ENOMEM);
	}
	ret = vq_split_create(d->dev, &o, &d->q);
	if (ret)
		return vqctl_err("create queue", ret);

	num = vq_split_size(d->q);
	d->mem_len = (size_t)num * SLOT_SIZE;
	d->mem = mmap(NULL, d->mem_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	d->slots = calloc(num, sizeof(*d->slots));
	d->idle = calloc(num, sizeof(*d->idle));
	if (d->mem == MAP_FAILED || !d->slots || !d->idle)
		return vqctl_err("buffers", -ENOMEM);
	ret = vq_map(d->dev, d->mem, d->mem_len, 0, NULL);
	if (ret)
		return vqctl_err("map buffers", ret);
	for (i = 0; i < num; i++) {
		d->slots[i].mem = d->mem + (size_t)i * SLOT_SIZE;
		d->idle[d->nidle++] = &d->slots[i];
	}
	d->csum = VQTEST_CSUM_INIT;
	return 0;
}

static int teardown(struct demo *d)
{
	int ret = 0, r;

	if (d->q) {
		r = vq_split_close(d->q);
		ret = ret ? ret : r;
	}
	if (d->mem && d->mem != MAP_FAILED) {
		vq_unmap(d->dev, (uintptr_t)d->mem, d->mem_len);
		munmap(d->mem, d->mem_len);
	}
	if (d->dev) {
		r = vq_dev_close(d->dev);
		ret = ret ? ret : r;
	}
	free(d->slots);
	free(d->idle);
	free(d->disk);
	return ret;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int report(struct demo *d, uint64_t chains, double secs, bool json)
{
	struct vqtest_queue_stats st;
	struct vq_split_counters c;
	int ret;

	ret = vq_split_stats(d->q, &st);
	if (ret)
		return vqctl_err("QUEUE_STATS", ret);
	vq_split_counters(d->q, &c);
	if (json) {
		printf("{\"behaviour\": \"%s\", \"chains\": %llu, "
		       "\"seconds\": %.3f, \"chains_per_sec\": %.0f, "
		       "\"features\": ", vq_behaviour_name(d->behaviour),
		       (unsigned long long)chains, secs, chains / secs);
		print_features(stdout, vq_split_features(d->q), true);
		printf(", \"device\": ");
		print_stats(stdout, &st, true);
		printf(", \"driver\": ");
		print_split_counters(stdout, &c, true);
		printf("}\n");
	} else {
		printf("%llu %s chains verified in %.3f s: %.0f chains/s, "
		       "%.1f MB/s used\nfeatures: ",
		       (unsigned long long)chains,
		       vq_behaviour_name(d->behaviour), secs, chains / secs,
		       d->bytes / secs / 1e6);
		print_features(stdout, vq_split_features(d->q), false);
		printf(", queue size %u\n", vq_split_size(d->q));
		print_stats(stdout, &st, false);
		print_split_counters(stdout, &c, false);
	}
	if (st.out_state != VQTEST_QS_ACTIVE || st.out_violation) {
		fprintf(stderr, "vqctl demo: the device reports a violation\n");
		return 1;
	}
	if (d->behaviour == VQTEST_BEH_SINK &&
	    st.out_counters.checksum != d->csum) {
		fprintf(stderr, "vqctl demo: sink checksum %#llx, expected "
			"%#llx\n", (unsigned long long)st.out_counters.checksum,
			(unsigned long long)d->csum);
		return 1;
	}
	return 0;
}

static int demo_usage(void)
{
	fprintf(stderr, "usage: vqctl demo [--chains N] "
		"[--behaviour echo|sink|source|null|blk] [--size N]\n"
		"                  [--no-event-idx] [--no-indirect] "
		"[--seed S] [--json]\n");
	return 2;
}

int cmd_demo(int argc, char **argv, const char *path)
{
	static const struct option longopts[] = {
		{ "chains", required_argument, NULL, 'n' },
		{ "behaviour", required_argument, NULL, 'b' },
		{ "behavior", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "no-event-idx", no_argument, NULL, 'E' },
		{ "no-indirect", no_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct demo d = { .behaviour = VQTEST_BEH_ECHO };
	uint64_t chains = 200000, no_features = 0;
	uint32_t size = 256;
	bool json = false;
	double t0, secs;
	int opt, ret;

	d.rng = 0x2545f4914f6cdd1dULL;
	while ((opt = getopt_long(argc, argv, "n:b:s:S:j", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'n':
			chains = strtoull(optarg, NULL, 0);
			break;
		case 'b':
			ret = vq_behaviour_parse(optarg);
			if (ret < 0)
				return demo_usage();
			d.behaviour = (uint32_t)ret;
			break;
		case 's':
			size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'S':
			d.rng = strtoull(optarg, NULL, 0) | 1;
			break;
		case 'E':
			no_features |= 1ULL << VQTEST_F_EVENT_IDX;
			break;
		case 'I':
			no_features |= 1ULL << VQTEST_F_INDIRECT_DESC;
			break;
		case 'j':
			json = true;
			break;
		default:
			return demo_usage();
		}
	}
	if (!chains)
		return demo_usage();

	ret = setup(&d, path, size, no_features);
	if (!ret) {
		t0 = now();
		ret = run(&d, chains);
		secs = now() - t0;
		if (!ret)
			ret = report(&d, chains, secs > 0 ? secs : 1e-9, json);
	}
	if (teardown(&d) && !ret)
		ret = 1;
	return ret ? 1 : 0;
}
