// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest_trace: the tracepoints as their users see them, through vqtrace
 * (the libbpf tool, both its tp_btf and its plain tracepoint programs),
 * ftrace, and the bpftool workflow of the README.
 *
 * The traffic comes from vqtrace-load (tools/vqtrace), a driver that
 * prints the device's own counters (QUEUE_STATS) when it is done, so every
 * traced count is checked against what the device did, not only against
 * what the driver asked for. Both tools must be in PATH (the test VM puts
 * them in /usr/bin): the tests skip otherwise.
 */
#include <signal.h>

#include "vqtest_utils.h"
#include "../tools/vqtrace/vqtrace.h"

#define N		1000	/* chains per counting run */
#define TRACEFS		"/sys/kernel/tracing"
#define BPFFS		"/sys/fs/bpf"
#define TMP		"/tmp/vqtest_trace"
#define OBJ		"/tmp/vqtrace.bpf.o"	/* as in the README */
#define PIN		BPFFS "/vqtrace"	/* as in the README */
#define PIN_MAPS	BPFFS "/vqtrace_maps"

static const char *const tracepoints[] = {
	"vqtest_queue_create", "vqtest_queue_destroy", "vqtest_queue_reset",
	"vqtest_kick", "vqtest_kick_suppressed", "vqtest_avail", "vqtest_used",
	"vqtest_call", "vqtest_violation", "vqtest_run",
};

static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, buf[512];
	bool found = false;

	if (!path)
		return false;
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, name);
		found = !access(buf, X_OK);
	}
	free(copy);
	return found;
}

#define NEED_TOOLS() do {						\
	if (access("/sys/module/vqtest", F_OK))				\
		SKIP(return, "the vqtest module is not loaded");	\
	if (!in_path("vqtrace") || !in_path("vqtrace-load"))		\
		SKIP(return, "vqtrace/vqtrace-load not in PATH (build tools/vqtrace)"); \
} while (0)

static bool module_btf(void)
{
	return !access("/sys/kernel/btf/vqtest", R_OK);
}

/* Print @text with the TAP diagnostic prefix, at most @max lines. */
static void dump(const char *text, int max)
{
	const char *p = text;
	int n = 0;

	while (p && *p && n < max) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("#   %.*s\n", len, p);
		p = nl ? nl + 1 : NULL;
		n++;
	}
	if (p && *p)
		printf("#   [...]\n");
	fflush(stdout);
}

/* Run @cmd with sh, stdout and stderr into *@out; return its status. */
static int run(const char *cmd, char **out)
{
	char *full, *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int st;

	if (asprintf(&full, "%s 2>&1", cmd) < 0)
		return -1;
	printf("# $ %s\n", cmd);
	fflush(stdout);
	f = popen(full, "r");
	free(full);
	if (!f)
		return -1;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				return -1;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	st = pclose(f);
	*out = buf;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The line of @text that starts with @prefix (NUL-terminated copy). */
static char *line_of(const char *text, const char *prefix, char *buf,
		     size_t size)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, prefix, strlen(prefix))) {
			if (len >= size)
				len = size - 1;
			memcpy(buf, p, len);
			buf[len] = '\0';
			return buf;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* key=value from the line starting with @prefix; -1 if absent. */
static long long kv(const char *text, const char *prefix, const char *key)
{
	char line[1024], needle[64], *p;

	if (!line_of(text, prefix, line, sizeof(line)))
		return -1;
	snprintf(needle, sizeof(needle), " %s=", key);
	p = strstr(line, needle);
	return p ? strtoll(p + strlen(needle), NULL, 0) : -1;
}

/* Lines of @text holding @a and (unless NULL) @b. */
static int count_lines(const char *text, const char *a, const char *b)
{
	const char *p = text;
	int n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len);

		if (strstr(line, a) && (!b || strstr(line, b)))
			n++;
		free(line);
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

/*
 * A cell of a vqtrace summary table (-c or -n): the row of @dev (-1: any)
 * and @queue under the header that has @col. *@rows gets the table's rows.
 */
static long long cell(const char *text, const char *col, long dev, long queue,
		      int *rows)
{
	const char *p = text;
	int idx = -1;
	long long val = -1;

	*rows = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len), *tok, *save = NULL;
		char *toks[32];
		int n = 0;

		for (tok = strtok_r(line, " \t", &save); tok && n < 32;
		     tok = strtok_r(NULL, " \t", &save))
			toks[n++] = tok;
		if (n && !strcmp(toks[0], "DEV")) {
			int i;

			idx = -1;
			for (i = 0; i < n; i++)
				if (!strcmp(toks[i], col))
					idx = i;
		} else if (!n) {
			if (idx >= 0 && *rows) {
				free(line);
				break;	/* end of our table */
			}
		} else if (idx >= 0 && idx < n && n > 2 &&
			   toks[0][0] >= '0' && toks[0][0] <= '9') {
			(*rows)++;
			if ((dev < 0 || atol(toks[0]) == dev) &&
			    atol(toks[1]) == queue)
				val = strtoll(toks[idx], NULL, 0);
		}
		free(line);
		p = nl ? nl + 1 : NULL;
	}
	return val;
}

/*
 * Stream lines of vqtrace (TIME COMM PID CPU DEV Q EVENT DETAILS) for
 * @event whose details hold @detail (NULL: any).
 */
static int count_events(const char *text, const char *event,
			const char *detail)
{
	const char *p = text;
	int n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len), *whole = strndup(p, len);
		char *tok, *save = NULL;
		int i = 0;

		for (tok = strtok_r(line, " ", &save); tok && i < 6;
		     tok = strtok_r(NULL, " ", &save))
			i++;
		if (tok && i == 6 && !strcmp(tok, event) &&
		    (!detail || strstr(whole, detail)))
			n++;
		free(line);
		free(whole);
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Start @cmd (sh -c) in the background; exec keeps the pid the tool's. */
static pid_t spawn(const char *cmd)
{
	pid_t pid = fork();

	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Wait up to 20 s for @path to exist and hold @what (NULL: anything). */
static bool wait_file(const char *path, const char *what)
{
	int i;

	for (i = 0; i < 2000; i++) {
		char *s = read_file(path);
		bool ok = s && (what ? !!strstr(s, what) : *s != '\0');

		free(s);
		if (ok)
			return true;
		usleep(10000);
	}
	return false;
}

static int exit_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ------------------------------------------------------------------ */
/* vqtrace, once per program set                                      */
/* ------------------------------------------------------------------ */

FIXTURE(vqtrace) {
	char *out;
	char cmd[512];
};

FIXTURE_VARIANT(vqtrace) {
	const char *opt;	/* vqtrace option choosing the set */
	const char *banner;	/* what vqtrace says it uses */
	bool btf;
};

FIXTURE_VARIANT_ADD(vqtrace, tp_btf) {
	.opt = "",
	.banner = "with tp_btf programs",
	.btf = true,
};

FIXTURE_VARIANT_ADD(vqtrace, tracepoint) {
	.opt = "-B ",
	.banner = "with tracepoint programs",
	.btf = false,
};

FIXTURE_SETUP(vqtrace)
{
	self->out = NULL;
}

FIXTURE_TEARDOWN(vqtrace)
{
	free(self->out);
}

#define VQTRACE_PRE() do {						\
	NEED_TOOLS();							\
	if (variant->btf && !module_btf())				\
		SKIP(return, "no /sys/kernel/btf/vqtest: the module has no BTF"); \
} while (0)

/* Run vqtrace; it must pick the variant's programs and exit with @rc. */
#define VQTRACE_RUN(rc, fmt, ...) do {					\
	snprintf(self->cmd, sizeof(self->cmd), "vqtrace %s" fmt,	\
		 variant->opt, ##__VA_ARGS__);				\
	free(self->out);						\
	self->out = NULL;						\
	ASSERT_EQ(rc, run(self->cmd, &self->out)) dump(self->out, 80);	\
	ASSERT_NE(NULL, strstr(self->out, variant->banner))		\
		dump(self->out, 80);					\
} while (0)

/* N chains: exactly N avail and N used, and every count the device's. */
TEST_F_TIMEOUT(vqtrace, counts, 120)
{
	long long dev, kicks, calls, noint, usedev, runs;
	int rows;

	VQTRACE_PRE();
	VQTRACE_RUN(0, "-c -n -- vqtrace-load -n %d", N);
	dump(self->out, 20);
	dev = kv(self->out, "vqtrace-load:", "dev");
	ASSERT_LE(0, dev);
	ASSERT_EQ(N, kv(self->out, "stats:", "chains"));
	kicks = kv(self->out, "stats:", "kicks");
	calls = kv(self->out, "stats:", "calls");
	noint = kv(self->out, "stats:", "calls_suppressed_flag");
	usedev = kv(self->out, "stats:", "calls_suppressed_event");
	runs = kv(self->out, "stats:", "worker_runs");

	EXPECT_EQ(N, cell(self->out, "AVAIL", dev, 0, &rows));
	EXPECT_EQ(1, rows);
	EXPECT_EQ(N, cell(self->out, "USED", dev, 0, &rows));
	EXPECT_EQ(1, cell(self->out, "CREATE", dev, 0, &rows));
	EXPECT_EQ(1, cell(self->out, "DESTROY", dev, 0, &rows));
	EXPECT_EQ(kicks, cell(self->out, "KICK", dev, 0, &rows));
	EXPECT_EQ(kv(self->out, "stats:", "kicks_suppressed"),
		  cell(self->out, "KICKSUPP", dev, 0, &rows));
	EXPECT_EQ(calls + noint + usedev,
		  cell(self->out, "CALL", dev, 0, &rows));
	EXPECT_EQ(runs, cell(self->out, "RUN", dev, 0, &rows));
	EXPECT_EQ(0, cell(self->out, "VIOL", dev, 0, &rows));
	/* the notification table */
	EXPECT_EQ(N, cell(self->out, "CHAINS", dev, 0, &rows));
	EXPECT_EQ(calls, cell(self->out, "CALLS", dev, 0, &rows));
	EXPECT_EQ(runs, cell(self->out, "RUNS", dev, 0, &rows));

	/* the same through QUEUE_PROCESS: no kick at all */
	VQTRACE_RUN(0, "-c -- vqtrace-load -P -B 64 -n %d", N);
	dump(self->out, 10);
	dev = kv(self->out, "vqtrace-load:", "dev");
	EXPECT_EQ(N, cell(self->out, "AVAIL", dev, 0, &rows));
	EXPECT_EQ(1, rows);
	EXPECT_EQ(N, cell(self->out, "USED", dev, 0, &rows));
	EXPECT_EQ(0, cell(self->out, "KICK", dev, 0, &rows));
	EXPECT_EQ(kv(self->out, "stats:", "worker_runs"),
		  cell(self->out, "RUN", dev, 0, &rows));
}

/* The live stream: one line per event, in the driver's or a kworker. */
TEST_F_TIMEOUT(vqtrace, stream, 120)
{
	VQTRACE_PRE();
	VQTRACE_RUN(0, "-- vqtrace-load -n 20");
	dump(self->out, 12);
	EXPECT_EQ(20, count_events(self->out, "avail", "ndesc=2 read=64 write=64"));
	EXPECT_EQ(20, count_events(self->out, "used", "len=64"));
	EXPECT_EQ(1, count_events(self->out, "queue_create", "behaviour=echo"));
	EXPECT_EQ(1, count_events(self->out, "queue_destroy", NULL));
	EXPECT_EQ(kv(self->out, "stats:", "kicks"),
		  count_events(self->out, "kick", NULL));
	EXPECT_EQ(kv(self->out, "stats:", "worker_runs"),
		  count_events(self->out, "run", "chains="));
	/* -e: only the events asked for */
	VQTRACE_RUN(0, "-e avail,vqtest_used -- vqtrace-load -n 20");
	EXPECT_EQ(20, count_events(self->out, "avail", "head="));
	EXPECT_EQ(20, count_events(self->out, "used", "head="));
	EXPECT_EQ(0, count_events(self->out, "call", NULL));
	EXPECT_EQ(0, count_events(self->out, "kick", NULL));
	EXPECT_EQ(0, count_events(self->out, "run", NULL));
}

/* AVAIL_F_NO_INTERRUPT: every call suppressed, and said why. */
TEST_F_TIMEOUT(vqtrace, call_no_interrupt, 120)
{
	long long sup, dev;
	int rows;

	VQTRACE_PRE();
	VQTRACE_RUN(0, "-n -e call -- vqtrace-load -I -n 200");
	dump(self->out, 20);
	sup = kv(self->out, "stats:", "calls_suppressed_flag");
	dev = kv(self->out, "vqtrace-load:", "dev");
	ASSERT_LT(0, sup);
	EXPECT_EQ(0, kv(self->out, "stats:", "calls"));
	EXPECT_EQ(sup, count_events(self->out, "call",
				    "suppressed=NO_INTERRUPT"));
	EXPECT_EQ(0, count_events(self->out, "call", "signalled"));
	EXPECT_EQ(sup, cell(self->out, "NO_INTR", dev, 0, &rows));
	EXPECT_EQ(0, cell(self->out, "CALLS", dev, 0, &rows));
	EXPECT_EQ(100, cell(self->out, "CSUPP%", dev, 0, &rows));
}

/* EVENT_IDX with used_event out of reach: suppressed by used_event. */
TEST_F_TIMEOUT(vqtrace, call_used_event, 120)
{
	long long sup, dev;
	int rows;

	VQTRACE_PRE();
	VQTRACE_RUN(0, "-n -e call -- vqtrace-load -E -n 200");
	dump(self->out, 20);
	sup = kv(self->out, "stats:", "calls_suppressed_event");
	dev = kv(self->out, "vqtrace-load:", "dev");
	ASSERT_LT(0, sup);
	EXPECT_EQ(0, kv(self->out, "stats:", "calls"));
	EXPECT_EQ(sup, count_events(self->out, "call",
				    "suppressed=used_event"));
	EXPECT_EQ(0, count_events(self->out, "call", "signalled"));
	EXPECT_EQ(sup, cell(self->out, "USED_EV", dev, 0, &rows));
	EXPECT_EQ(100, cell(self->out, "CSUPP%", dev, 0, &rows));
}

/* A NEXT out of range: its violation event, class and index exact. */
TEST_F_TIMEOUT(vqtrace, violation, 120)
{
	unsigned int class, desc, ring;
	char line[256], want[128];

	VQTRACE_PRE();
	/* vqtrace-load exits 3 unless QUEUE_STATS reports what it did */
	VQTRACE_RUN(0, "-e violation -- vqtrace-load -V -n 10");
	dump(self->out, 20);
	ASSERT_NE(NULL, line_of(self->out, "violation:", line, sizeof(line)));
	ASSERT_EQ(3, sscanf(line, "violation: class=%u desc=%u ring=%u",
			    &class, &desc, &ring));
	ASSERT_EQ((unsigned int)VQTEST_V_NEXT_RANGE, class);
	snprintf(want, sizeof(want), "class=%u(next_range) desc=%u ring=%u ",
		 class, desc, ring);
	EXPECT_EQ(1, count_events(self->out, "violation", want));
	EXPECT_EQ(1, count_events(self->out, "violation", " fatal"));
}

/* -H: avail -> used latency, log2 buckets holding every chain. */
TEST_F_TIMEOUT(vqtrace, histogram, 120)
{
	unsigned long long lo, hi, cnt, sum = 0;
	int nonzero = 0;
	const char *p;

	VQTRACE_PRE();
	VQTRACE_RUN(0, "-H -- vqtrace-load -n 500");
	dump(self->out, 40);
	p = strstr(self->out, "avail -> used latency, 500 chains");
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, strstr(p, "usecs"));
	while ((p = strchr(p, '\n'))) {
		p++;
		if (sscanf(p, " %llu -> %llu : %llu |", &lo, &hi, &cnt) != 3)
			continue;
		sum += cnt;
		nonzero += cnt != 0;
	}
	EXPECT_EQ(500ULL, sum);
	EXPECT_LE(1, nonzero);
}

/* ------------------------------------------------------------------ */
/* Filters, Ctrl-C, ftrace, bpftool                                    */
/* ------------------------------------------------------------------ */

FIXTURE(env) {
	char *out;
};

FIXTURE_SETUP(env)
{
	self->out = NULL;
}

FIXTURE_TEARDOWN(env)
{
	free(self->out);
	unlink(TMP ".ready");
	unlink(TMP ".go");
	unlink(TMP ".trace");
	unlink(TMP ".bg");
	unlink(OBJ);
}

TEST_F_TIMEOUT(env, filter_queue, 120)
{
	int rows;

	NEED_TOOLS();
	ASSERT_EQ(0, run("vqtrace -c -q 1 -- sh -c 'vqtrace-load -q 0 -n 10 && vqtrace-load -q 1 -n 20'",
			 &self->out));
	dump(self->out, 20);
	EXPECT_EQ(20, cell(self->out, "AVAIL", -1, 1, &rows));
	EXPECT_EQ(1, rows);
}

/*
 * -p and -d: a driver started before vqtrace (so its queue_create is not
 * seen: -p learns the device from its kicks) and, while vqtrace runs,
 * another driver on another device. Only the first may show; SIGINT
 * prints the summary.
 */
static void filter_bg(struct __test_metadata *_metadata, char **out,
		      bool by_pid)
{
	char cmd[256], *s;
	pid_t bg, tr;
	long dev;
	int rows;

	unlink(TMP ".ready");
	unlink(TMP ".go");
	bg = spawn("exec vqtrace-load -n 30 -o " TMP ".ready -w " TMP ".go >" TMP ".bg 2>&1");
	ASSERT_LT(0, bg);
	ASSERT_TRUE(wait_file(TMP ".ready", NULL));
	s = read_file(TMP ".ready");
	ASSERT_NE(NULL, s);
	dev = atol(s);
	free(s);

	if (by_pid)
		snprintf(cmd, sizeof(cmd), "exec vqtrace -c -p %d >" TMP ".trace 2>&1", bg);
	else
		snprintf(cmd, sizeof(cmd), "exec vqtrace -c -d %ld >" TMP ".trace 2>&1", dev);
	printf("# $ %s &\n", cmd + 5);
	tr = spawn(cmd);
	ASSERT_LT(0, tr);
	ASSERT_TRUE(wait_file(TMP ".trace", "vqtrace: tracing"));

	ASSERT_EQ(0, run("vqtrace-load -n 20", out));	/* not ours */
	free(*out);
	*out = NULL;
	ASSERT_EQ(0, touch(TMP ".go"));
	ASSERT_EQ(0, exit_status(bg));
	ASSERT_EQ(0, kill(tr, SIGINT));
	ASSERT_EQ(0, exit_status(tr));
	*out = read_file(TMP ".trace");
	ASSERT_NE(NULL, *out);
	dump(*out, 10);
	EXPECT_EQ(30, cell(*out, "AVAIL", dev, 0, &rows));
	EXPECT_EQ(1, rows);
}

TEST_F_TIMEOUT(env, filter_pid, 120)
{
	NEED_TOOLS();
	filter_bg(_metadata, &self->out, true);
}

TEST_F_TIMEOUT(env, filter_dev, 120)
{
	NEED_TOOLS();
	filter_bg(_metadata, &self->out, false);
}

/* -t ends a run by itself; SIGTERM prints the summary as SIGINT does. */
TEST_F_TIMEOUT(env, duration_sigterm, 120)
{
	pid_t tr;
	int rows;

	NEED_TOOLS();
	ASSERT_EQ(0, run("vqtrace -c -t 1", &self->out));
	EXPECT_NE(NULL, strstr(self->out, "DEV  QUEUE  CREATE"));
	free(self->out);

	printf("# $ vqtrace -H -u ns -c >" TMP ".trace 2>&1 &\n");
	tr = spawn("exec vqtrace -H -u ns -c >" TMP ".trace 2>&1");
	ASSERT_LT(0, tr);
	ASSERT_TRUE(wait_file(TMP ".trace", "vqtrace: tracing"));
	ASSERT_EQ(0, run("vqtrace-load -n 50", &self->out));
	free(self->out);
	ASSERT_EQ(0, kill(tr, SIGTERM));
	ASSERT_EQ(0, exit_status(tr));
	self->out = read_file(TMP ".trace");
	ASSERT_NE(NULL, self->out);
	dump(self->out, 12);
	EXPECT_NE(NULL, strstr(self->out, "50 chains"));
	EXPECT_NE(NULL, strstr(self->out, "     nsecs "));
	EXPECT_EQ(50, cell(self->out, "AVAIL", -1, 0, &rows));
}

/* Enable all vqtest events in ftrace, run @cmd, return the trace. */
static char *ftrace_run(struct __test_metadata *_metadata, const char *cmd,
			char **out)
{
	char *trace;

	free(*out);
	*out = NULL;
	EXPECT_EQ(0, write_file(TRACEFS "/tracing_on", "1"));
	EXPECT_EQ(0, write_file(TRACEFS "/trace", ""));
	EXPECT_EQ(0, write_file(TRACEFS "/events/vqtest/enable", "1"));
	EXPECT_EQ(0, run(cmd, out));
	EXPECT_EQ(0, write_file(TRACEFS "/events/vqtest/enable", "0"));
	trace = read_file(TRACEFS "/trace");
	EXPECT_EQ(0, write_file(TRACEFS "/trace", ""));
	return trace;
}

TEST_F_TIMEOUT(env, ftrace, 120)
{
	char path[256], want[160], line[256], *t;
	unsigned int class, desc, ring;
	const char *p;
	long long dev;
	unsigned int i;

	NEED_TOOLS();
	if (access(TRACEFS "/events/vqtest/enable", W_OK))
		SKIP(return, "no " TRACEFS "/events/vqtest (tracefs not mounted?)");
	for (i = 0; i < VQ_ARRAY_SIZE(tracepoints); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/vqtest/%s/format",
			 tracepoints[i]);
		t = read_file(path);
		ASSERT_NE(NULL, t) TH_LOG("%s", path);
		EXPECT_NE(NULL, strstr(t, "field:u32 dev;")) TH_LOG("%s", path);
		EXPECT_NE(NULL, strstr(t, "field:u32 queue;")) TH_LOG("%s", path);
		free(t);
	}

	t = ftrace_run(_metadata, "vqtrace-load -n 1000", &self->out);
	ASSERT_NE(NULL, t);
	dump(self->out, 5);
	p = strstr(t, " vqtest_queue_create: ");
	while (p && p > t && p[-1] != '\n')
		p--;
	dump(p, 6);
	EXPECT_EQ(N, count_lines(t, " vqtest_avail: ", NULL));
	EXPECT_EQ(N, count_lines(t, " vqtest_used: ", NULL));
	EXPECT_EQ(1, count_lines(t, " vqtest_queue_create: ", "behaviour=1"));
	EXPECT_EQ(1, count_lines(t, " vqtest_queue_destroy: ", NULL));
	EXPECT_EQ(kv(self->out, "stats:", "kicks"),
		  count_lines(t, " vqtest_kick: ", NULL));
	EXPECT_EQ(kv(self->out, "stats:", "calls"),
		  count_lines(t, " vqtest_call: ", "signalled"));
	EXPECT_EQ(kv(self->out, "stats:", "worker_runs"),
		  count_lines(t, " vqtest_run: ", NULL));
	free(t);

	t = ftrace_run(_metadata, "vqtrace-load -I -n 100", &self->out);
	ASSERT_NE(NULL, t);
	EXPECT_LT(0, kv(self->out, "stats:", "calls_suppressed_flag"));
	EXPECT_EQ(kv(self->out, "stats:", "calls_suppressed_flag"),
		  count_lines(t, " vqtest_call: ", "suppressed=NO_INTERRUPT"));
	free(t);

	t = ftrace_run(_metadata, "vqtrace-load -E -n 100", &self->out);
	ASSERT_NE(NULL, t);
	EXPECT_LT(0, kv(self->out, "stats:", "calls_suppressed_event"));
	EXPECT_EQ(kv(self->out, "stats:", "calls_suppressed_event"),
		  count_lines(t, " vqtest_call: ", "suppressed=used_event"));
	free(t);

	t = ftrace_run(_metadata, "vqtrace-load -V -n 10", &self->out);
	ASSERT_NE(NULL, t);
	dev = kv(self->out, "vqtrace-load:", "dev");
	ASSERT_NE(NULL, line_of(self->out, "violation:", line, sizeof(line)));
	ASSERT_EQ(3, sscanf(line, "violation: class=%u desc=%u ring=%u",
			    &class, &desc, &ring));
	snprintf(want, sizeof(want),
		 "vqtest_violation: dev=%lld queue=0 class=%u desc=%#x ring=%u ",
		 dev, class, desc, ring);
	EXPECT_EQ(1, count_lines(t, want, "fatal=1")) dump(t, 30);
	free(t);
}

/* Sum of the AVAIL counts in `bpftool map dump` of the counts map. */
static long long dumped_avail(const char *text)
{
	const char *p = text;
	long long sum = 0;

	while ((p = strstr(p, "\"events\": ["))) {
		char *end;
		int i;

		p += strlen("\"events\": [");
		for (i = 0; i <= VQTRACE_AVAIL; i++) {
			long long v = strtoll(p, &end, 0);

			if (end == p)
				return -1;
			if (i == VQTRACE_AVAIL)
				sum += v;
			p = end;
			while (*p == ',' || *p == ' ' || *p == '\n')
				p++;
		}
	}
	return sum;
}

/* The README's bpftool workflow, as written there. */
TEST_F_TIMEOUT(env, bpftool, 180)
{
	bool autoattach;
	char *s = NULL;

	NEED_TOOLS();
	if (!in_path("bpftool"))
		SKIP(return, "no bpftool in PATH");
	if (access(BPFFS, W_OK))
		SKIP(return, "no bpffs at " BPFFS);
	ASSERT_EQ(0, system("rm -rf " PIN " " PIN_MAPS));

	if (module_btf()) {
		ASSERT_EQ(0, run("bpftool btf dump file /sys/kernel/btf/vqtest format c", &s));
		EXPECT_NE(NULL, strstr(s, "struct trace_event_raw_vqtest_avail {"));
		free(s);
		ASSERT_EQ(0, run("bpftool btf dump file /sys/kernel/btf/vqtest", &s));
		EXPECT_NE(NULL, strstr(s, "'btf_trace_vqtest_avail'"));
		free(s);
		s = NULL;
	} else {
		printf("# no module BTF: skipping bpftool btf dump\n");
	}

	ASSERT_EQ(0, run("vqtrace -O " OBJ, &self->out));
	dump(self->out, 2);
	free(self->out);
	run("bpftool prog help", &self->out);
	autoattach = strstr(self->out, "autoattach");
	free(self->out);
	printf("# bpftool %s autoattach\n", autoattach ? "has" : "has no");
	if (autoattach) {
		ASSERT_EQ(0, run("bpftool prog loadall " OBJ " " PIN " pinmaps " PIN_MAPS " autoattach",
				 &self->out)) dump(self->out, 40);
	} else {
		ASSERT_EQ(0, run("bpftool prog loadall " OBJ " " PIN " pinmaps " PIN_MAPS,
				 &self->out)) dump(self->out, 40);
		free(self->out);
		ASSERT_EQ(0, run("vqtrace -A " PIN, &self->out)) dump(self->out, 40);
		dump(self->out, 20);
	}
	free(self->out);
	ASSERT_EQ(0, run("bpftool prog show", &self->out));
	EXPECT_LE(11, count_lines(self->out, " name vqt_", NULL));
	free(self->out);
	ASSERT_EQ(0, run("bpftool link show", &self->out));
	dump(self->out, 6);
	EXPECT_LE(11, count_lines(self->out, " prog ", NULL));
	if (module_btf()) {	/* raw_tracepoint links name their tracepoint */
		EXPECT_LE(1, count_lines(self->out, "'vqtest_avail'", NULL));
		EXPECT_LE(1, count_lines(self->out, "'vqtest_violation'", NULL));
	}
	free(self->out);

	ASSERT_EQ(0, run("vqtrace-load -V -n 100", &self->out));
	free(self->out);
	ASSERT_EQ(0, run("bpftool map dump pinned " PIN_MAPS "/counts", &self->out));
	EXPECT_EQ(100, dumped_avail(self->out)) dump(self->out, 60);
	free(self->out);
	/* tracelog follows trace_pipe until killed */
	run("timeout 3 bpftool prog tracelog", &self->out);
	dump(self->out, 5);
	EXPECT_EQ(1, count_lines(self->out, "bpf_trace_printk: vqtest",
				 "violation class=4 "));
	free(self->out);
	/* perf lists the attachments of running processes: vqtrace's */
	ASSERT_EQ(0, run("vqtrace -c -- bpftool perf show", &self->out));
	dump(self->out, 12);
	EXPECT_LE(1, count_lines(self->out, "tracepoint", "vqtest_avail"));
	free(self->out);

	ASSERT_EQ(0, system("rm -r " PIN " " PIN_MAPS));
	ASSERT_EQ(0, run("bpftool link show", &self->out));
	EXPECT_EQ(0, count_lines(self->out, "vqtest_", NULL));
	EXPECT_EQ(0, count_lines(self->out, " prog ", NULL));
}

TEST_HARNESS_MAIN
