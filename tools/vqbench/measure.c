// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench: clocks and CPU accounting.
 *
 * Rescheduling and function-call IPIs (/proc/interrupts RES and CAL, all
 * CPUs) count the cross-CPU wakeups: a kick that wakes a worker on an idle
 * CPU costs one.
 *
 * Driver CPU time is getrusage(RUSAGE_SELF): every driver thread, user and
 * system (the system part is the kick writes, call reads and polls), and
 * its context switches: voluntary (slept on a call) and involuntary
 * (preempted, on one CPU by the worker a kick woke).
 *
 * The device's worker is a work item on a per-CPU workqueue, so it runs in
 * whichever kworker/N:M thread the pool picks, and no per-task counter of
 * ours sees it. Two estimates, both deltas over the timed phase:
 *
 *  - kworker: the sum over every thread whose comm starts with "kworker/"
 *    of the first field of /proc/PID/schedstat (nanoseconds on a CPU,
 *    CONFIG_SCHED_INFO), and of its third, the number of timeslices (how
 *    often a kworker was switched in). Threads that appear during the run count from 0;
 *    threads that exit are lost (pools rarely shrink in 10 s). It includes
 *    other kworker activity, which is near zero in the test VM.
 *  - /proc/stat: system + irq + softirq time of all CPUs minus the
 *    driver's own system time. USER_HZ (10 ms) resolution, and it counts
 *    every other kernel activity too; the upper bound.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vqbench.h"

uint64_t vqb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL +
	       (uint64_t)tv->tv_usec * 1000ULL;
}

/* Read a small file into @buf; its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static bool kworker_ns(uint64_t *total, uint64_t *slices)
{
	char path[300], buf[128];
	struct dirent *de;
	DIR *d = opendir("/proc");
	bool any = false;

	*total = 0;
	*slices = 0;
	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_small(path, buf, sizeof(buf)) < 8 ||
		    strncmp(buf, "kworker/", 8))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/schedstat", de->d_name);
		if (read_small(path, buf, sizeof(buf)) <= 0)
			continue;
		{
			/* run ns, wait ns, timeslices */
			unsigned long long run = 0, wait = 0, n = 0;

			if (sscanf(buf, "%llu %llu %llu", &run, &wait, &n) < 1)
				continue;
			*total += run;
			*slices += n;
		}
		any = true;
	}
	closedir(d);
	return any;
}

static bool proc_stat(uint64_t *busy_ns, uint64_t *sys_ns)
{
	char buf[512];
	unsigned long long v[10] = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick;
	int n;

	if (read_small("/proc/stat", buf, sizeof(buf)) <= 0 || hz <= 0)
		return false;
	/* cpu user nice system idle iowait irq softirq steal guest gnice */
	n = sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (n < 7)
		return false;
	tick = 1000000000ULL / (uint64_t)hz;
	*busy_ns = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * tick;
	*sys_ns = (v[2] + v[5] + v[6]) * tick;
	return true;
}

/* Sum of one /proc/interrupts row over all CPUs ("RES:", "CAL:"). */
static void ipis(struct vqb_cpu *s)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		uint64_t *dst = NULL, sum = 0;

		while (*p == ' ')
			p++;
		if (!strncmp(p, "RES:", 4))
			dst = &s->ipi_res;
		else if (!strncmp(p, "CAL:", 4))
			dst = &s->ipi_cal;
		if (!dst)
			continue;
		p += 4;
		for (;;) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
		*dst = sum;
		s->ipi_ok = true;
	}
	fclose(f);
}

void vqb_cpu_snap(struct vqb_cpu *s)
{
	struct rusage ru;
	char buf[128];

	memset(s, 0, sizeof(*s));
	s->kworker_ok = kworker_ns(&s->kworker_ns, &s->kworker_slices);
	s->stat_ok = proc_stat(&s->stat_busy_ns, &s->stat_sys_ns);
	ipis(s);
	if (read_small("/proc/loadavg", buf, sizeof(buf)) > 0)
		s->load1 = strtod(buf, NULL);
	if (!getrusage(RUSAGE_SELF, &ru)) {
		s->self_user_ns = tv_ns(&ru.ru_utime);
		s->self_sys_ns = tv_ns(&ru.ru_stime);
		s->self_vcsw = (uint64_t)ru.ru_nvcsw;
		s->self_ivcsw = (uint64_t)ru.ru_nivcsw;
	}
	/* last: the phase starts as close to the clock read as possible */
	s->wall_ns = vqb_now_ns();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v. */
static double pct(const uint64_t *v, uint64_t n, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1000.0;
}

/* p50/p99/p99.9 (microseconds) of @n round-trip times in ns; sorts @ns. */
void vqb_lat_percentiles(uint64_t *ns, uint64_t n, struct vqb_result *r)
{
	r->lat_n = n;
	if (!n)
		return;
	qsort(ns, n, sizeof(*ns), cmp_u64);
	r->lat_p50 = pct(ns, n, 50);
	r->lat_p99 = pct(ns, n, 99);
	r->lat_p999 = pct(ns, n, 99.9);
	r->lat_max = (double)ns[n - 1] / 1000.0;
}
