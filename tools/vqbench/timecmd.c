// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench time: run another benchmark and measure it the way vqbench
 * measures itself, so that different programs (vhost_test's virtio_test,
 * tools/virtio/ringtest, vqbench) compare on one clock:
 *
 *   wall_ns         CLOCK_MONOTONIC from fork to wait
 *   child_*_ns      getrusage of the child: every thread of it, which for
 *                   virtio_test includes the vhost worker (a vhost_task is
 *                   a thread of its owner since 6.4)
 *   kworker_ns      kworker schedstat delta (vqtest's worker, see measure.c)
 *   busy_ns         /proc/stat non-idle time of all CPUs: everything the
 *                   run cost the machine, the figure that compares across
 *                   designs whatever thread did the work
 *
 * usage: vqbench time [--chains N] [--label TEXT] -- COMMAND [ARGS...]
 * Prints one JSON line ({"type":"time",...}) on stdout after the
 * command's own output; exits with the command's status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vqbench.h"

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL +
	       (uint64_t)tv->tv_usec * 1000ULL;
}

/**
 * vqb_time() - `vqbench time`
 * @argc: arguments after the command
 * @argv: the arguments, argv[0] the command
 *
 * Return: the exit status.
 */
int vqb_time(int argc, char **argv)
{
	const char *label = "";
	uint64_t chains = 0;
	struct vqb_cpu a, b;
	struct rusage ru;
	int i = 1, status = 0, rc;
	pid_t pid;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--chains") && i + 1 < argc) {
			chains = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--label") && i + 1 < argc) {
			label = argv[++i];
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: vqbench time [--chains N] [--label TEXT] -- COMMAND [ARGS...]\n");
		return 2;
	}
	fflush(stdout);
	vqb_cpu_snap(&a);
	pid = fork();
	if (pid < 0) {
		perror("vqbench: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "vqbench: exec %s: %s\n", argv[i],
			strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("vqbench: wait4");
			return 1;
		}
	vqb_cpu_snap(&b);
	rc = WIFEXITED(status) ? WEXITSTATUS(status) :
				 128 + WTERMSIG(status);

	printf("{\"type\":\"time\",\"label\":");
	vqb_json_str(stdout, label);
	printf(",\"rc\":%d,\"chains\":%llu,\"wall_ns\":%llu,\"child_user_ns\":%llu,\"child_sys_ns\":%llu,\"child_vcsw\":%ld,\"child_ivcsw\":%ld,\"kworker_slices\":%llu,\"kworker_ns\":%lld,\"busy_ns\":%lld,\"kernel_ns\":%lld,\"load_before\":%.2f,\"load_after\":%.2f",
	       rc, (unsigned long long)chains,
	       (unsigned long long)(b.wall_ns - a.wall_ns),
	       (unsigned long long)tv_ns(&ru.ru_utime),
	       (unsigned long long)tv_ns(&ru.ru_stime),
	       ru.ru_nvcsw, ru.ru_nivcsw,
	       (unsigned long long)(b.kworker_slices - a.kworker_slices),
	       a.kworker_ok && b.kworker_ok ?
			(long long)(b.kworker_ns - a.kworker_ns) : -1LL,
	       a.stat_ok && b.stat_ok ?
			(long long)(b.stat_busy_ns - a.stat_busy_ns) : -1LL,
	       a.stat_ok && b.stat_ok ?
			(long long)(b.stat_sys_ns - a.stat_sys_ns) : -1LL,
	       a.load1, b.load1);
	if (a.ipi_ok && b.ipi_ok)
		printf(",\"ipi_res\":%llu,\"ipi_cal\":%llu",
		       (unsigned long long)(b.ipi_res - a.ipi_res),
		       (unsigned long long)(b.ipi_cal - a.ipi_cal));
	if (chains && b.wall_ns > a.wall_ns)
		printf(",\"chains_per_sec\":%.1f",
		       (double)chains * 1e9 / (double)(b.wall_ns - a.wall_ns));
	printf("}\n");
	return rc;
}
