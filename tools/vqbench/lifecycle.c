// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench lifecycle: what a queue costs the kernel. Creates QUEUES queues
 * of NUM entries on one device, then destroys them, and reports:
 *
 *  - the time to create them all and to destroy them all (wall clock);
 *  - kernel memory per queue: the growth of Slab (SReclaimable +
 *    SUnreclaim, which also counts kmalloc allocations too large for a
 *    slab cache) and of VmallocUsed in /proc/meminfo while the queues
 *    exist, divided by QUEUES; and, as a cross-check that catches any
 *    other page allocation, the fall of MemFree;
 *  - the slab caches that grew most (/proc/slabinfo, root only).
 *
 * Everything the caller owns is set up before the baseline and torn down
 * after the last reading: the ring memory (one mapped region holding
 * every queue's rings: pinned, charged to the caller) and, with --fds,
 * one kick and one call eventfd per queue (the caller's files).
 *
 * usage: vqbench lifecycle [-q QUEUES] [-n NUM] [--fds] [--reps N] [--json]
 *                          [--dev PATH]
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vqbench.h"

#define MAX_CACHES	512
#define TOP_CACHES	5

struct meminfo {
	long long slab_kb;
	long long vmalloc_kb;
	long long free_kb;
	long long percpu_kb;
};

struct cache {
	char name[40];
	long long bytes;
};

struct slabs {
	int n;
	struct cache c[MAX_CACHES];
};

static void read_meminfo(struct meminfo *m)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");
	long long v;

	memset(m, 0, sizeof(*m));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %lld", &v) == 1)
			m->slab_kb = v;
		else if (sscanf(line, "VmallocUsed: %lld", &v) == 1)
			m->vmalloc_kb = v;
		else if (sscanf(line, "MemFree: %lld", &v) == 1)
			m->free_kb = v;
		else if (sscanf(line, "Percpu: %lld", &v) == 1)
			m->percpu_kb = v;
	}
	fclose(f);
}

static void read_slabs(struct slabs *s)
{
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");

	s->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n < MAX_CACHES) {
		struct cache *c = &s->c[s->n];
		long long active, total, size;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%39s %lld %lld %lld", c->name, &active,
			   &total, &size) != 4)
			continue;
		c->bytes = total * size;
		s->n++;
	}
	fclose(f);
}

static long long slab_of(const struct slabs *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return s->c[i].bytes;
	return 0;
}

/* The TOP_CACHES caches that grew most from @a to @b. */
static int top_growth(const struct slabs *a, const struct slabs *b,
		      struct cache *top)
{
	int i, j, n = 0;

	for (i = 0; i < b->n; i++) {
		struct cache c = b->c[i];

		c.bytes -= slab_of(a, c.name);
		if (c.bytes <= 0)
			continue;
		for (j = n; j > 0 && top[j - 1].bytes < c.bytes; j--)
			if (j < TOP_CACHES)
				top[j] = top[j - 1];
		if (j < TOP_CACHES) {
			top[j] = c;
			if (n < TOP_CACHES)
				n++;
		}
	}
	return n;
}

static size_t a64(size_t v)
{
	return (v + 63) & ~(size_t)63;
}

struct lc_result {
	double create_ms;
	double destroy_ms;
	double slab_per_queue;		/* bytes */
	double vmalloc_per_queue;
	double memfree_per_queue;
	double slab_leak_per_queue;	/* after destroy vs before */
	int ntop;
	struct cache top[TOP_CACHES];
};

static int one_rep(struct vq_dev *dev, uint32_t nq, uint32_t num, bool fds,
		   struct lc_result *r)
{
	size_t d = a64(16 * (size_t)num), a = a64(6 + 2 * (size_t)num);
	size_t u = a64(6 + 8 * (size_t)num), stride = d + a + u;
	size_t len = (stride * nq + 4095) & ~(size_t)4095;
	struct meminfo m0, m1, m2;
	struct slabs *s0 = calloc(1, sizeof(*s0));
	struct slabs *s1 = calloc(1, sizeof(*s1));
	int *kick = calloc(nq, sizeof(int)), *call = calloc(nq, sizeof(int));
	uint64_t iova = 0, t0, t1, t2;
	uint8_t *mem;
	uint32_t i, created = 0;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (!s0 || !s1 || !kick || !call) {
		ret = -ENOMEM;
		goto out_free;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		goto out_free;
	}
	ret = vq_map(dev, mem, len, 0, &iova);
	if (ret)
		goto out_unmap;
	for (i = 0; i < nq; i++)
		kick[i] = call[i] = VQTEST_NO_FD;
	for (i = 0; fds && i < nq; i++) {
		kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (kick[i] < 0 || call[i] < 0) {
			ret = -errno;
			goto out_fds;
		}
	}

	read_slabs(s0);
	read_meminfo(&m0);
	t0 = vqb_now_ns();
	for (i = 0; i < nq; i++) {
		struct vqtest_queue_create qc;
		uint64_t base = iova + (uint64_t)i * stride;

		vq_queue_create_init(&qc, i, num);
		qc.desc_iova = base;
		qc.driver_iova = base + d;
		qc.device_iova = base + d + a;
		qc.kick_fd = kick[i];
		qc.call_fd = call[i];
		qc.behaviour = VQTEST_BEH_SINK;
		ret = vq_queue_create(dev, &qc);
		if (ret) {
			fprintf(stderr, "vqbench: create queue %u: %s\n", i,
				strerror(-ret));
			break;
		}
		created++;
	}
	t1 = vqb_now_ns();
	read_meminfo(&m1);
	read_slabs(s1);
	for (i = 0; i < created; i++) {
		int r2 = vq_queue_destroy(dev, i);

		if (r2 && !ret)
			ret = r2;
	}
	t2 = vqb_now_ns();
	read_meminfo(&m2);

	r->create_ms = (double)(t1 - t0) / 1e6;
	r->destroy_ms = (double)(t2 - t1) / 1e6;
	if (created) {
		r->slab_per_queue = (double)(m1.slab_kb - m0.slab_kb) * 1024 /
				    created;
		r->vmalloc_per_queue = (double)(m1.vmalloc_kb - m0.vmalloc_kb) *
				       1024 / created;
		r->memfree_per_queue = (double)(m0.free_kb - m1.free_kb) *
				       1024 / created;
		r->slab_leak_per_queue = (double)(m2.slab_kb - m0.slab_kb) *
					 1024 / created;
	}
	r->ntop = top_growth(s0, s1, r->top);
out_fds:
	for (i = 0; i < nq; i++) {
		if (kick[i] >= 0)
			close(kick[i]);
		if (call[i] >= 0)
			close(call[i]);
	}
	vq_unmap(dev, iova, len);
out_unmap:
	munmap(mem, len);
out_free:
	free(s0);
	free(s1);
	free(kick);
	free(call);
	return ret;
}

static int cmp_lc(const void *a, const void *b)
{
	const struct lc_result *x = a, *y = b;
	double tx = x->create_ms + x->destroy_ms;
	double ty = y->create_ms + y->destroy_ms;

	return tx < ty ? -1 : tx > ty;
}

static void print_rep(const struct lc_result *r, uint32_t nq, uint32_t num,
		      bool fds, int rep, bool json)
{
	int i;

	if (json) {
		printf("{\"type\":\"lifecycle\",\"rep\":%d,\"queues\":%u,\"num\":%u,\"fds\":%s,\"create_ms\":%.3f,\"destroy_ms\":%.3f,\"total_ms\":%.3f,\"slab_bytes_per_queue\":%.1f,\"vmalloc_bytes_per_queue\":%.1f,\"memfree_drop_per_queue\":%.1f,\"slab_left_per_queue\":%.1f,\"target_bytes_per_queue\":%u,\"top_caches\":[",
		       rep, nq, num, fds ? "true" : "false", r->create_ms,
		       r->destroy_ms, r->create_ms + r->destroy_ms,
		       r->slab_per_queue, r->vmalloc_per_queue,
		       r->memfree_per_queue, r->slab_leak_per_queue,
		       4096 + 16 * num);
		for (i = 0; i < r->ntop; i++) {
			printf("%s{\"name\":", i ? "," : "");
			vqb_json_str(stdout, r->top[i].name);
			printf(",\"bytes_per_queue\":%.1f}",
			       (double)r->top[i].bytes / nq);
		}
		printf("]}\n");
		return;
	}
	printf("%-4d %7u %5u %-4s %10.1f %10.1f %10.1f %10.0f %10.0f %10.0f %9.0f\n",
	       rep, nq, num, fds ? "yes" : "no", r->create_ms, r->destroy_ms,
	       r->create_ms + r->destroy_ms, r->slab_per_queue,
	       r->vmalloc_per_queue, r->memfree_per_queue,
	       r->slab_leak_per_queue);
	if (r->ntop) {
		printf("     slab growth per queue:");
		for (i = 0; i < r->ntop; i++)
			printf(" %s %.0f", r->top[i].name,
			       (double)r->top[i].bytes / nq);
		printf("\n");
	}
}

/**
 * vqb_lifecycle() - `vqbench lifecycle`
 * @argc: arguments after the command
 * @argv: the arguments, argv[0] the command
 *
 * Return: the exit status.
 */
int vqb_lifecycle(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "queues", required_argument, NULL, 'q' },
		{ "num", required_argument, NULL, 'n' },
		{ "fds", no_argument, NULL, 'f' },
		{ "reps", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'J' },
		{ "dev", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lc_result res[32];
	uint32_t nq = 1000, num = 256;
	int reps = 3, opt, i, ret = 0, ok = 0;
	const char *path = NULL;
	bool fds = false, json = false;
	struct vqtest_info info;
	struct vq_dev *dev;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "q:n:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'q':
			nq = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			num = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			fds = true;
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'J':
			json = true;
			break;
		case 'D':
			path = optarg;
			break;
		case 'h':
			puts("usage: vqbench lifecycle [-q QUEUES (1000)] [-n NUM (256)] [--fds] [--reps N (3)] [--json] [--dev PATH]");
			return 0;
		default:
			return 2;
		}
	}
	if (!nq || !num || (num & (num - 1)) || reps < 1 || reps > 32 ||
	    optind < argc) {
		fprintf(stderr, "vqbench lifecycle: bad arguments\n");
		return 2;
	}
	ret = vqb_dev_open(path, &dev);
	if (ret) {
		fprintf(stderr, "vqbench: open: %s\n", strerror(-ret));
		return 1;
	}
	ret = vq_get_info(dev, &info);
	if (!ret && nq > info.out_max_queues) {
		fprintf(stderr, "vqbench: %u queues asked, the device has %u\n",
			nq, info.out_max_queues);
		ret = -EINVAL;
	}
	if (!ret)
		ret = vq_set_features(dev, (1ULL << VQTEST_F_VERSION_1) |
				      (1ULL << VQTEST_F_EVENT_IDX) |
				      (1ULL << VQTEST_F_INDIRECT_DESC));
	if (ret) {
		vq_dev_close(dev);
		return 1;
	}
	if (!json)
		printf("%-4s %7s %5s %-4s %10s %10s %10s %10s %10s %10s %9s\n",
		       "rep", "queues", "num", "fds", "create_ms", "destroy_ms",
		       "total_ms", "slab_B/q", "vmalloc_B/q", "memfree_B/q",
		       "left_B/q");
	for (i = 0; i < reps; i++) {
		ret = one_rep(dev, nq, num, fds, &res[ok]);
		if (ret) {
			fprintf(stderr, "vqbench: lifecycle rep %d: %s\n", i,
				strerror(-ret));
			break;
		}
		print_rep(&res[ok], nq, num, fds, i, json);
		ok++;
	}
	vq_dev_close(dev);
	if (ok) {
		struct lc_result *m;

		qsort(res, (size_t)ok, sizeof(res[0]), cmp_lc);
		m = &res[ok / 2];
		if (json)
			printf("{\"type\":\"lifecycle_summary\",\"queues\":%u,\"num\":%u,\"fds\":%s,\"reps\":%d,\"median_total_ms\":%.3f,\"slab_bytes_per_queue\":%.1f,\"target_bytes_per_queue\":%u,\"target_ms\":1000}\n",
			       nq, num, fds ? "true" : "false", ok,
			       m->create_ms + m->destroy_ms, m->slab_per_queue,
			       4096 + 16 * num);
		else
			printf("median: %u queues of %u created and destroyed in %.1f ms (target < 1000); slab %.0f B/queue (target <= %u)\n",
			       nq, num, m->create_ms + m->destroy_ms,
			       m->slab_per_queue, 4096 + 16 * num);
	}
	return ret ? 1 : 0;
}
