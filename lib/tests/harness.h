/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * A minimal test runner for libvq's unit tests: every test runs in a
 * forked child under an alarm, so a hang (a lost kick, a lost wakeup) is
 * a failure with a name rather than a stuck build. Prints TAP and a
 * closing "N passed, N failed" line.
 */
#ifndef LIBVQ_TESTS_HARNESS_H
#define LIBVQ_TESTS_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* a test returns 0 (pass), VT_SKIP (kselftest's KSFT_SKIP) or else fail */
#define VT_SKIP		4

struct vt_test {
	const char *name;
	int (*fn)(void);
	unsigned int timeout;
};

#define VT_FAIL(fmt, ...) do {						\
	fprintf(stderr, "  %s:%d: " fmt "\n", __FILE__, __LINE__,	\
		##__VA_ARGS__);						\
	return 1;							\
} while (0)

#define EXPECT(c) do {							\
	if (!(c))							\
		VT_FAIL("expected %s", #c);				\
} while (0)

#define EXPECT_EQ(a, b) do {						\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_)							\
		VT_FAIL("%s is %lld, expected %s (%lld)", #a, a_, #b, b_); \
} while (0)

/* a call that must succeed: 0 or a non-negative count */
#define OK(call) do {							\
	long long r_ = (long long)(call);				\
	if (r_ < 0)							\
		VT_FAIL("%s failed: %s", #call, strerror((int)-r_));	\
} while (0)

static inline int vt_run_one(const struct vt_test *t)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (!pid) {
		alarm(t->timeout ? t->timeout : 60);
		int r = t->fn();

		exit(r == VT_SKIP ? VT_SKIP : r ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "  killed by signal %d%s\n", WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		return 1;
	}
	if (WEXITSTATUS(status) == VT_SKIP)
		return 2;
	return WEXITSTATUS(status) != 0;
}

static inline int vt_main(const struct vt_test *tests, unsigned int nr,
			  int argc, char **argv)
{
	unsigned int i, pass = 0, fail = 0, skip = 0, n = 0;

	for (i = 0; i < nr; i++)
		n += argc < 2 || !strcmp(argv[1], tests[i].name);
	printf("1..%u\n", n);
	for (i = 0, n = 0; i < nr; i++) {
		int bad;

		if (argc >= 2 && strcmp(argv[1], tests[i].name))
			continue;
		fflush(stdout);
		bad = vt_run_one(&tests[i]);
		printf("%sok %u - %s%s\n", bad == 1 ? "not " : "", ++n,
		       tests[i].name, bad == 2 ? " # SKIP" : "");
		if (bad == 1)
			fail++;
		else if (bad == 2)
			skip++;
		else
			pass++;
	}
	if (skip)
		printf("%u passed, %u failed, %u skipped\n", pass, fail, skip);
	else
		printf("%u passed, %u failed\n", pass, fail);
	/* the kselftest summary, which tools/check.sh counts in the VM */
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       pass, fail, skip);
	return fail ? 1 : 0;
}

#define VT_MAIN(tests) int main(int argc, char **argv)			\
{									\
	return vt_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv); \
}

#endif /* LIBVQ_TESTS_HARNESS_H */
