// SPDX-License-Identifier: GPL-2.0
/*
 * vqtrace: watch a vqtest device's rings from its tracepoints.
 *
 * Open the skeleton, choose the tp_btf or the plain tracepoint programs
 * (module BTF or not), set the filters in .rodata, load, attach, then
 * stream the ring buffer and/or print per-queue summaries at the end
 * (duration, Ctrl-C, SIGTERM, or the end of a command run under vqtrace).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <linux/vqtest.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vqtrace.h"
#include "vqtrace.skel.h"
#include "vqtrace_btf.skel.h"	/* one program set each, for -O */
#include "vqtrace_tp.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALL_EVENTS ((1ULL << VQTRACE_NR_TYPES) - 1)

static const char *const event_names[VQTRACE_NR_TYPES] = {
	[VQTRACE_QUEUE_CREATE] = "queue_create",
	[VQTRACE_QUEUE_DESTROY] = "queue_destroy",
	[VQTRACE_QUEUE_RESET] = "queue_reset",
	[VQTRACE_KICK] = "kick",
	[VQTRACE_KICK_SUPPRESSED] = "kick_suppressed",
	[VQTRACE_AVAIL] = "avail",
	[VQTRACE_USED] = "used",
	[VQTRACE_CALL] = "call",
	[VQTRACE_VIOLATION] = "violation",
	[VQTRACE_RUN] = "run",
};

static const char *const viol_names[VQTEST_V_MAX] = {
	[VQTEST_V_NONE] = "none",
	[VQTEST_V_AVAIL_IDX_JUMP] = "avail_idx_jump",
	[VQTEST_V_AVAIL_IDX_BACK] = "avail_idx_back",
	[VQTEST_V_HEAD_RANGE] = "head_range",
	[VQTEST_V_NEXT_RANGE] = "next_range",
	[VQTEST_V_LOOP] = "loop",
	[VQTEST_V_CHAIN_LEN] = "chain_len",
	[VQTEST_V_ZERO_LEN] = "zero_len",
	[VQTEST_V_ADDR_WRAP] = "addr_wrap",
	[VQTEST_V_ADDR_UNMAPPED] = "addr_unmapped",
	[VQTEST_V_INDIRECT_FEATURE] = "indirect_feature",
	[VQTEST_V_INDIRECT_NESTED] = "indirect_nested",
	[VQTEST_V_INDIRECT_NEXT] = "indirect_next",
	[VQTEST_V_INDIRECT_LEN] = "indirect_len",
	[VQTEST_V_WRITE_ORDER] = "write_order",
	[VQTEST_V_TOO_MANY_SEGS] = "too_many_segs",
	[VQTEST_V_HEAD_IN_FLIGHT] = "head_in_flight",
	[VQTEST_V_USED_WRITTEN] = "used_written",
	[VQTEST_V_IN_ORDER] = "in_order",
	[VQTEST_V_BAD_REQUEST] = "bad_request",
};

static const char *const beh_names[] = {
	[VQTEST_BEH_ECHO] = "echo",
	[VQTEST_BEH_SINK] = "sink",
	[VQTEST_BEH_SOURCE] = "source",
	[VQTEST_BEH_NULL] = "null",
	[VQTEST_BEH_BLK] = "blk",
};

static const char *const call_names[VQTRACE_NR_CALL] = {
	[VQTRACE_CALL_SIGNALLED] = "signalled",
	[VQTRACE_CALL_NO_INTERRUPT] = "suppressed=NO_INTERRUPT",
	[VQTRACE_CALL_USED_EVENT] = "suppressed=used_event",
};

static struct env {
	long pid;
	long dev;		/* -1: any */
	long queue;		/* -1: any */
	__u64 events;		/* stream mask */
	bool events_set;
	bool count;
	bool hist;
	bool notify;
	long duration;		/* seconds, 0: until stopped */
	__u64 unit_ns;
	const char *unit;
	bool no_btf;
	bool printk;
	bool verbose;
	const char *write_obj;
	const char *attach_dir;
	char **cmd;
} env = {
	.dev = -1,
	.queue = -1,
	.unit_ns = 1000,
	.unit = "usecs",
};

static const char usage_text[] =
"usage: vqtrace [options] [-- command [args...]]\n"
"\n"
"Trace vqtest devices from the vqtest tracepoints. Without -c, -H or -n,\n"
"print every event as it happens. Summaries print when the duration ends,\n"
"on Ctrl-C or SIGTERM, or when the command run under vqtrace exits (its\n"
"exit status is then vqtrace's).\n"
"\n"
"  -p, --pid PID       only devices driven by process PID (learned from the\n"
"                      events that fire in its context: queue create, kick,\n"
"                      QUEUE_PROCESS)\n"
"  -d, --dev ID        only device ID (vqtest_info.out_device_id)\n"
"  -q, --queue N       only queue index N\n"
"  -e, --events LIST   stream only these events, comma separated:\n"
"                      queue_create queue_destroy queue_reset kick\n"
"                      kick_suppressed avail used call violation run, or all\n"
"                      (a vqtest_ prefix is accepted); with -c/-H/-n, also\n"
"                      stream them\n"
"  -c, --count         per-queue event counts\n"
"  -H, --hist          per-queue log2 histogram of avail -> used latency\n"
"  -n, --notify        per-queue notification statistics: kicks and calls\n"
"                      per chain, suppression rates\n"
"  -u, --unit UNIT     histogram unit: ns, us (default) or ms\n"
"  -t, --duration SEC  stop after SEC seconds\n"
"  -B, --no-btf        use the plain tracepoint programs even when the\n"
"                      module has BTF (/sys/kernel/btf/vqtest)\n"
"  -P, --printk        also bpf_printk() every violation, for\n"
"                      `bpftool prog tracelog`\n"
"  -O, --write-obj FILE  write the BPF object vqtrace carries, with the\n"
"                      program set this kernel wants (as above), and exit:\n"
"                      for `bpftool prog loadall FILE DIR [autoattach]`\n"
"  -A, --attach DIR    attach the programs `bpftool prog loadall` pinned in\n"
"                      DIR, pin each link as DIR/link_<program> and exit;\n"
"                      rm the links to detach (the `autoattach` bpftool\n"
"                      7.1 lacks)\n"
"  -v, --verbose       libbpf debug output\n"
"  -h, --help          this text\n";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "dev", required_argument, NULL, 'd' },
	{ "queue", required_argument, NULL, 'q' },
	{ "events", required_argument, NULL, 'e' },
	{ "count", no_argument, NULL, 'c' },
	{ "hist", no_argument, NULL, 'H' },
	{ "notify", no_argument, NULL, 'n' },
	{ "unit", required_argument, NULL, 'u' },
	{ "duration", required_argument, NULL, 't' },
	{ "no-btf", no_argument, NULL, 'B' },
	{ "printk", no_argument, NULL, 'P' },
	{ "write-obj", required_argument, NULL, 'O' },
	{ "attach", required_argument, NULL, 'A' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t child_exited;
static __u64 start_ns;

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vqtrace: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

static long parse_num(const char *s, const char *what, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < 0 || v > max)
		die_usage("bad %s '%s'", what, s);
	return v;
}

static int event_by_name(const char *name)
{
	unsigned int i;

	if (!strncmp(name, "vqtest_", 7))
		name += 7;
	for (i = 0; i < VQTRACE_NR_TYPES; i++) {
		const char *n = event_names[i];

		if (!strcmp(name, n))
			return i;
		/* "create" for "queue_create" */
		if (!strncmp(n, "queue_", 6) && !strcmp(name, n + 6))
			return i;
	}
	return -1;
}

static __u64 parse_events(const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	__u64 mask = 0;

	if (!copy)
		exit(1);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int t;

		if (!strcmp(tok, "all")) {
			mask |= ALL_EVENTS;
			continue;
		}
		t = event_by_name(tok);
		if (t < 0)
			die_usage("unknown event '%s'", tok);
		mask |= 1ULL << t;
	}
	free(copy);
	return mask;
}

static void parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "+p:d:q:e:cHnu:t:BPO:A:vh",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			env.pid = parse_num(optarg, "pid", 0x7fffffff);
			if (!env.pid)
				die_usage("bad pid 0");
			break;
		case 'd':
			env.dev = parse_num(optarg, "device id", 0xffffffffL);
			break;
		case 'q':
			env.queue = parse_num(optarg, "queue", 0xffffffffL);
			break;
		case 'e':
			env.events = parse_events(optarg);
			env.events_set = true;
			break;
		case 'c':
			env.count = true;
			break;
		case 'H':
			env.hist = true;
			break;
		case 'n':
			env.notify = true;
			break;
		case 'u':
			if (!strcmp(optarg, "ns")) {
				env.unit_ns = 1;
				env.unit = "nsecs";
			} else if (!strcmp(optarg, "us")) {
				env.unit_ns = 1000;
				env.unit = "usecs";
			} else if (!strcmp(optarg, "ms")) {
				env.unit_ns = 1000000;
				env.unit = "msecs";
			} else {
				die_usage("bad unit '%s'", optarg);
			}
			break;
		case 't':
			env.duration = parse_num(optarg, "duration", 1L << 30);
			break;
		case 'B':
			env.no_btf = true;
			break;
		case 'P':
			env.printk = true;
			break;
		case 'O':
			env.write_obj = optarg;
			break;
		case 'A':
			env.attach_dir = optarg;
			break;
		case 'v':
			env.verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fprintf(stderr, "%s", usage_text);
			exit(2);
		}
	}
	if (optind < argc)
		env.cmd = argv + optind;
	if (!env.events_set)
		env.events = (env.count || env.hist || env.notify) ? 0 :
								    ALL_EVENTS;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void sig_handler(int sig)
{
	if (sig == SIGCHLD)
		child_exited = 1;
	else
		exiting = 1;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* --- Which kernel interface: tracefs, module BTF ----------------------- */

static const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	static char path[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

static bool module_btf(void)
{
	return !access("/sys/kernel/btf/vqtest", R_OK);
}

struct fmt_field {
	const char *name;
	unsigned int offset;
	unsigned int size;
};

#define FIELD(type, f) { #f, __builtin_offsetof(type, f), \
			 sizeof(((type *)NULL)->f) }
#define QFIELDS(type) FIELD(type, dev), FIELD(type, queue)

static const struct fmt_field f_create[] = {
	QFIELDS(struct vqtrace_tp_queue_create),
	FIELD(struct vqtrace_tp_queue_create, num),
	FIELD(struct vqtrace_tp_queue_create, behaviour),
	FIELD(struct vqtrace_tp_queue_create, features),
};

static const struct fmt_field f_queue[] = {
	QFIELDS(struct vqtrace_tp_queue),
};

static const struct fmt_field f_reset[] = {
	QFIELDS(struct vqtrace_tp_queue_reset),
	FIELD(struct vqtrace_tp_queue_reset, dropped),
};

static const struct fmt_field f_ksupp[] = {
	QFIELDS(struct vqtrace_tp_kick_suppressed),
	FIELD(struct vqtrace_tp_kick_suppressed, avail_idx),
};

static const struct fmt_field f_avail[] = {
	QFIELDS(struct vqtrace_tp_avail),
	FIELD(struct vqtrace_tp_avail, head),
	FIELD(struct vqtrace_tp_avail, avail_idx),
	FIELD(struct vqtrace_tp_avail, ndesc),
	FIELD(struct vqtrace_tp_avail, read_len),
	FIELD(struct vqtrace_tp_avail, write_len),
	FIELD(struct vqtrace_tp_avail, indirect),
};

static const struct fmt_field f_used[] = {
	QFIELDS(struct vqtrace_tp_used),
	FIELD(struct vqtrace_tp_used, head),
	FIELD(struct vqtrace_tp_used, used_idx),
	FIELD(struct vqtrace_tp_used, len),
};

static const struct fmt_field f_call[] = {
	QFIELDS(struct vqtrace_tp_call),
	FIELD(struct vqtrace_tp_call, used_idx),
	FIELD(struct vqtrace_tp_call, suppressed),
};

static const struct fmt_field f_viol[] = {
	QFIELDS(struct vqtrace_tp_violation),
	FIELD(struct vqtrace_tp_violation, class),
	FIELD(struct vqtrace_tp_violation, desc),
	FIELD(struct vqtrace_tp_violation, ring),
	FIELD(struct vqtrace_tp_violation, fatal),
	FIELD(struct vqtrace_tp_violation, addr),
};

static const struct fmt_field f_run[] = {
	QFIELDS(struct vqtrace_tp_run),
	FIELD(struct vqtrace_tp_run, chains),
	FIELD(struct vqtrace_tp_run, exhausted),
};

/* The programs of each event type, and the record they expect. */
static struct prog_desc {
	const char *tp;			/* tracepoint name */
	const struct fmt_field *fields;
	unsigned int nfields;
	struct bpf_program *btf;
	struct bpf_program *plain;
} progs[VQTRACE_NR_TYPES] = {
#define P(t, name, f) [t] = { name, f, ARRAY_SIZE(f) }
	P(VQTRACE_QUEUE_CREATE, "vqtest_queue_create", f_create),
	P(VQTRACE_QUEUE_DESTROY, "vqtest_queue_destroy", f_queue),
	P(VQTRACE_QUEUE_RESET, "vqtest_queue_reset", f_reset),
	P(VQTRACE_KICK, "vqtest_kick", f_queue),
	P(VQTRACE_KICK_SUPPRESSED, "vqtest_kick_suppressed", f_ksupp),
	P(VQTRACE_AVAIL, "vqtest_avail", f_avail),
	P(VQTRACE_USED, "vqtest_used", f_used),
	P(VQTRACE_CALL, "vqtest_call", f_call),
	P(VQTRACE_VIOLATION, "vqtest_violation", f_viol),
	P(VQTRACE_RUN, "vqtest_run", f_run),
#undef P
};

static void bind_progs(struct vqtrace_bpf *skel)
{
#define B(t, name) do {						\
		progs[t].btf = skel->progs.vqt_btf_##name;	\
		progs[t].plain = skel->progs.vqt_tp_##name;	\
	} while (0)
	B(VQTRACE_QUEUE_CREATE, create);
	B(VQTRACE_QUEUE_DESTROY, destroy);
	B(VQTRACE_QUEUE_RESET, reset);
	B(VQTRACE_KICK, kick);
	B(VQTRACE_KICK_SUPPRESSED, ksupp);
	B(VQTRACE_AVAIL, avail);
	B(VQTRACE_USED, used);
	B(VQTRACE_CALL, call);
	B(VQTRACE_VIOLATION, viol);
	B(VQTRACE_RUN, run);
#undef B
}

/*
 * Check one format file against the record the plain program reads: a
 * tracepoint whose layout changed must not be read at the old offsets.
 */
static int check_format(const char *tfs, const struct prog_desc *p)
{
	char path[256], line[512];
	unsigned int i, seen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/vqtest/%s/format", tfs, p->tp);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "vqtrace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *field = strstr(line, "field:"), *semi, *name;
		unsigned int off, size;
		char *o, *s;

		if (!field)
			continue;
		semi = strchr(field, ';');
		o = strstr(line, "offset:");
		s = strstr(line, "size:");
		if (!semi || !o || !s || sscanf(o, "offset:%u;", &off) != 1 ||
		    sscanf(s, "size:%u;", &size) != 1)
			continue;
		*semi = '\0';
		for (name = semi; name > field && !isspace((unsigned char)name[-1]); name--)
			;
		for (i = 0; i < p->nfields; i++) {
			if (strcmp(name, p->fields[i].name))
				continue;
			if (off != p->fields[i].offset ||
			    size != p->fields[i].size) {
				fprintf(stderr,
					"vqtrace: %s: field %s at offset %u size %u, vqtrace reads offset %u size %u: rebuild vqtrace for this module\n",
					p->tp, name, off, size,
					p->fields[i].offset, p->fields[i].size);
				fclose(f);
				return -1;
			}
			seen++;
		}
	}
	fclose(f);
	if (seen != p->nfields) {
		fprintf(stderr, "vqtrace: %s: %u of %u fields found in %s\n",
			p->tp, seen, p->nfields, path);
		return -1;
	}
	return 0;
}

/* --- Output ------------------------------------------------------------- */

static void print_desc(char *buf, size_t len, __u32 desc)
{
	if (desc == VQTEST_NO_DESC)
		snprintf(buf, len, "none");
	else if (desc & VQTEST_DESC_INDIRECT)
		snprintf(buf, len, "indirect:%u", desc & ~VQTEST_DESC_INDIRECT);
	else
		snprintf(buf, len, "%u", desc);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct vqtrace_event *e = data;
	char d[160], desc[32];

	if (size < sizeof(*e) || e->type >= VQTRACE_NR_TYPES)
		return 0;
	d[0] = '\0';
	switch (e->type) {
	case VQTRACE_QUEUE_CREATE:
		snprintf(d, sizeof(d), "num=%u behaviour=%s features=%#llx",
			 e->create.num,
			 e->create.behaviour < ARRAY_SIZE(beh_names) &&
			 beh_names[e->create.behaviour] ?
				beh_names[e->create.behaviour] : "?",
			 (unsigned long long)e->create.features);
		break;
	case VQTRACE_QUEUE_RESET:
		snprintf(d, sizeof(d), "dropped=%u", e->reset.dropped);
		break;
	case VQTRACE_KICK_SUPPRESSED:
		snprintf(d, sizeof(d), "avail_idx=%u",
			 e->kick_suppressed.avail_idx);
		break;
	case VQTRACE_AVAIL:
		snprintf(d, sizeof(d),
			 "head=%u avail_idx=%u ndesc=%u read=%llu write=%llu%s",
			 e->avail.head, e->avail.avail_idx, e->avail.ndesc,
			 (unsigned long long)e->avail.read_len,
			 (unsigned long long)e->avail.write_len,
			 e->avail.indirect ? " indirect" : "");
		break;
	case VQTRACE_USED:
		if (e->used.latency_ns)
			snprintf(d, sizeof(d),
				 "head=%u used_idx=%u len=%u latency=%.3fus",
				 e->used.head, e->used.used_idx, e->used.len,
				 e->used.latency_ns / 1000.0);
		else
			snprintf(d, sizeof(d), "head=%u used_idx=%u len=%u",
				 e->used.head, e->used.used_idx, e->used.len);
		break;
	case VQTRACE_CALL:
		snprintf(d, sizeof(d), "used_idx=%u %s", e->call.used_idx,
			 e->call.reason < VQTRACE_NR_CALL ?
				call_names[e->call.reason] : "suppressed=?");
		break;
	case VQTRACE_VIOLATION:
		print_desc(desc, sizeof(desc), e->violation.desc);
		snprintf(d, sizeof(d),
			 "class=%u(%s) desc=%s ring=%u addr=%#llx %s",
			 e->violation.class,
			 e->violation.class < VQTEST_V_MAX ?
				viol_names[e->violation.class] : "?",
			 desc, e->violation.ring,
			 (unsigned long long)e->violation.addr,
			 e->violation.fatal ? "fatal" : "tolerated");
		break;
	case VQTRACE_RUN:
		snprintf(d, sizeof(d), "chains=%u%s", e->run.chains,
			 e->run.exhausted ? " budget_exhausted" : "");
		break;
	}
	printf("%-12.6f %-16s %-7u %-3u %-4u %3u %-15s%s%s\n",
	       (e->ts_ns - start_ns) / 1e9, e->comm, e->pid, e->cpu, e->dev,
	       e->queue, event_names[e->type], d[0] ? " " : "", d);
	return 0;
}

struct qcounts {
	struct vqtrace_qkey key;
	struct vqtrace_counts c;
};

static int cmp_qkey(const void *a, const void *b)
{
	const struct vqtrace_qkey *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->queue != y->queue)
		return x->queue < y->queue ? -1 : 1;
	return 0;
}

/* Read the per-CPU counts map, summed over CPUs and sorted by queue. */
static struct qcounts *read_counts(int fd, size_t *nr)
{
	int ncpus = libbpf_num_possible_cpus();
	struct vqtrace_qkey key, *prev = NULL;
	struct vqtrace_counts *pc;
	struct qcounts *out = NULL;
	size_t n = 0, cap = 0;

	*nr = 0;
	if (ncpus <= 0)
		return NULL;
	pc = calloc(ncpus, sizeof(*pc));
	if (!pc)
		return NULL;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		struct qcounts *q;
		int cpu;
		size_t i;

		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, pc))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			q = realloc(out, cap * sizeof(*out));
			if (!q)
				break;
			out = q;
		}
		q = &out[n++];
		memset(q, 0, sizeof(*q));
		q->key = key;
		for (cpu = 0; cpu < ncpus; cpu++) {
			const __u64 *s = (const __u64 *)&pc[cpu];
			__u64 *d = (__u64 *)&q->c;

			for (i = 0; i < sizeof(q->c) / sizeof(__u64); i++)
				d[i] += s[i];
		}
	}
	free(pc);
	if (out)
		qsort(out, n, sizeof(*out), cmp_qkey);
	*nr = n;
	return out;
}

static void print_counts(const struct qcounts *q, size_t n)
{
	size_t i;

	printf("%-4s %-5s %7s %7s %6s %8s %8s %9s %9s %9s %8s %6s\n", "DEV",
	       "QUEUE", "CREATE", "DESTROY", "RESET", "KICK", "KICKSUPP",
	       "AVAIL", "USED", "CALL", "RUN", "VIOL");
	for (i = 0; i < n; i++) {
		const __u64 *ev = q[i].c.events;

		printf("%-4u %-5u %7llu %7llu %6llu %8llu %8llu %9llu %9llu %9llu %8llu %6llu\n",
		       q[i].key.dev, q[i].key.queue,
		       (unsigned long long)ev[VQTRACE_QUEUE_CREATE],
		       (unsigned long long)ev[VQTRACE_QUEUE_DESTROY],
		       (unsigned long long)ev[VQTRACE_QUEUE_RESET],
		       (unsigned long long)ev[VQTRACE_KICK],
		       (unsigned long long)ev[VQTRACE_KICK_SUPPRESSED],
		       (unsigned long long)ev[VQTRACE_AVAIL],
		       (unsigned long long)ev[VQTRACE_USED],
		       (unsigned long long)ev[VQTRACE_CALL],
		       (unsigned long long)ev[VQTRACE_RUN],
		       (unsigned long long)ev[VQTRACE_VIOLATION]);
	}
}

static double ratio(__u64 a, __u64 b)
{
	return b ? (double)a / b : 0.0;
}

static void print_notify(const struct qcounts *q, size_t n)
{
	size_t i;

	printf("%-4s %-5s %9s %8s %7s %8s %6s %8s %7s %8s %8s %6s %7s %7s %6s\n",
	       "DEV", "QUEUE", "CHAINS", "KICKS", "K/CHAIN", "KICKSUPP",
	       "KSUPP%", "CALLS", "C/CHAIN", "NO_INTR", "USED_EV", "CSUPP%",
	       "RUNS", "CH/RUN", "EXHAUST");
	for (i = 0; i < n; i++) {
		const struct vqtrace_counts *c = &q[i].c;
		__u64 chains = c->events[VQTRACE_AVAIL];
		__u64 used = c->events[VQTRACE_USED];
		__u64 kicks = c->events[VQTRACE_KICK];
		__u64 ksupp = c->events[VQTRACE_KICK_SUPPRESSED];
		__u64 calls = c->calls[VQTRACE_CALL_SIGNALLED];
		__u64 noint = c->calls[VQTRACE_CALL_NO_INTERRUPT];
		__u64 usedev = c->calls[VQTRACE_CALL_USED_EVENT];
		__u64 runs = c->events[VQTRACE_RUN];

		printf("%-4u %-5u %9llu %8llu %7.3f %8llu %6.1f %8llu %7.3f %8llu %8llu %6.1f %7llu %7.2f %6llu\n",
		       q[i].key.dev, q[i].key.queue,
		       (unsigned long long)chains, (unsigned long long)kicks,
		       ratio(kicks, chains), (unsigned long long)ksupp,
		       100.0 * ratio(ksupp, kicks + ksupp),
		       (unsigned long long)calls, ratio(calls, used),
		       (unsigned long long)noint, (unsigned long long)usedev,
		       100.0 * ratio(noint + usedev, calls + noint + usedev),
		       (unsigned long long)runs, ratio(c->run_chains, runs),
		       (unsigned long long)c->run_exhausted);
	}
}

/* As bcc's print_log2_hist() draws it. */
static void print_log2_hist(const __u64 *vals, int nr, const char *unit)
{
	int i, j, idx_max = -1, width = 40;
	__u64 max = 0;

	for (i = 0; i < nr; i++) {
		if (vals[i])
			idx_max = i;
		if (vals[i] > max)
			max = vals[i];
	}
	if (idx_max < 0)
		return;
	printf("%*s%-*s : count    distribution\n", idx_max <= 32 ? 5 : 15, "",
	       idx_max <= 32 ? 19 : 29, unit);
	for (i = 0; i <= idx_max; i++) {
		unsigned long long low = (1ULL << (i + 1)) >> 1;
		unsigned long long high = (1ULL << (i + 1)) - 1;
		int stars = max ? (int)(vals[i] * width / max) : 0;

		if (low == high)
			low -= 1;
		printf("%*llu -> %-*llu : %-8llu |", idx_max <= 32 ? 10 : 20,
		       low, idx_max <= 32 ? 10 : 20, high,
		       (unsigned long long)vals[i]);
		for (j = 0; j < width; j++)
			putchar(j < stars ? '*' : ' ');
		printf("|\n");
	}
}

static void print_hists(int fd)
{
	struct vqtrace_qkey key, *prev = NULL, *keys = NULL;
	size_t n = 0, cap = 0, i;
	struct vqtrace_hist h;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		if (n == cap) {
			struct vqtrace_qkey *k;

			cap = cap ? 2 * cap : 16;
			k = realloc(keys, cap * sizeof(*keys));
			if (!k)
				break;
			keys = k;
		}
		keys[n++] = key;
		prev = &key;
	}
	if (!n) {
		printf("no avail -> used latency recorded\n");
		free(keys);
		return;
	}
	qsort(keys, n, sizeof(*keys), cmp_qkey);
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &h))
			continue;
		printf("\ndev %u queue %u: avail -> used latency, %llu chains, avg %.3f us, max %.3f us\n",
		       keys[i].dev, keys[i].queue,
		       (unsigned long long)h.count,
		       h.count ? h.sum_ns / 1000.0 / h.count : 0.0,
		       h.max_ns / 1000.0);
		print_log2_hist(h.slots, VQTRACE_MAX_SLOTS, env.unit);
	}
	free(keys);
}

/* --- bpftool workflow helpers ------------------------------------------- */

/* The object with only the program set this kernel wants (-B: plain). */
static int write_obj(const char *path, bool btf)
{
	size_t sz;
	const void *data = btf ? vqtrace_btf__elf_bytes(&sz) :
				 vqtrace_tp__elf_bytes(&sz);
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, sz, f) != sz) {
		fprintf(stderr, "vqtrace: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	if (fclose(f)) {
		fprintf(stderr, "vqtrace: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%s: the %s programs\n", path, btf ? "tp_btf" : "tracepoint");
	return 0;
}

/* A perf event on the tracepoint, for a link to a plain tracepoint prog. */
static int tp_perf_event(const char *tfs, const char *tp)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.sample_period = 1,
		.wakeup_events = 1,
	};
	char path[256];
	long long id;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/events/vqtest/%s/id", tfs, tp);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%lld", &id) != 1) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	attr.config = id;
	fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1,
		     PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * The `autoattach` of bpftool >= 7.2 for the programs an older bpftool's
 * `prog loadall` pinned in @dir: attach the set this kernel wants and pin
 * each link beside its program.
 */
static bool pinned_set(struct vqtrace_bpf *skel, const char *dir, bool btf)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		char path[512];

		if (!strncmp(sec, "tp_btf/", 7) != btf)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir,
			 bpf_program__name(prog));
		if (!access(path, F_OK))
			return true;
	}
	return false;
}

static int attach_pinned(struct vqtrace_bpf *skel, const char *dir, bool btf)
{
	const char *tfs = tracefs();
	struct bpf_program *prog;
	int attached = 0;

	/* `vqtrace -O` wrote one set: take the one that was loaded */
	if (!pinned_set(skel, dir, btf) && pinned_set(skel, dir, !btf))
		btf = !btf;
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		const char *sec = bpf_program__section_name(prog);
		bool is_btf = !strncmp(sec, "tp_btf/", 7);
		char path[512], lpath[512];
		int pfd, lfd, efd = -1;

		if (is_btf != btf)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		snprintf(lpath, sizeof(lpath), "%s/link_%s", dir, name);
		if (access(path, F_OK))
			continue;	/* not loaded, e.g. no printk */
		pfd = bpf_obj_get(path);
		if (pfd < 0) {
			fprintf(stderr, "vqtrace: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
		if (btf) {
			lfd = bpf_raw_tracepoint_open(NULL, pfd);
		} else {
			const char *tp = strrchr(sec, '/') + 1;

			if (!tfs) {
				fprintf(stderr, "vqtrace: tracefs is not mounted\n");
				close(pfd);
				return 1;
			}
			efd = tp_perf_event(tfs, tp);
			if (efd < 0) {
				fprintf(stderr, "vqtrace: perf event on %s: %s\n",
					tp, strerror(-efd));
				close(pfd);
				return 1;
			}
			lfd = bpf_link_create(pfd, efd, BPF_PERF_EVENT, NULL);
		}
		if (lfd < 0) {
			fprintf(stderr, "vqtrace: attach %s: %s\n", path,
				strerror(errno));
			close(pfd);
			if (efd >= 0)
				close(efd);
			return 1;
		}
		if (bpf_obj_pin(lfd, lpath)) {
			fprintf(stderr, "vqtrace: pin %s: %s\n", lpath,
				strerror(errno));
			close(lfd);
			close(pfd);
			if (efd >= 0)
				close(efd);
			return 1;
		}
		printf("%s -> %s\n", lpath, sec);
		attached++;
		close(lfd);
		close(pfd);
		if (efd >= 0)
			close(efd);
	}
	printf("vqtrace: %d %s programs attached; `rm %s/link_*` detaches them\n",
	       attached, btf ? "tp_btf" : "tracepoint", dir);
	return attached ? 0 : 1;
}

/* --- A command to run under vqtrace -------------------------------------- */

/* Fork the command now; it execs when release_cmd() says go. */
static pid_t spawn_cmd(char **argv, int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		char c;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "vqtrace: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct vqtrace_bpf *skel;
	__u64 need, deadline = 0;
	pid_t child = -1;
	int go_fd = -1, status = 0, err, ret = 1;
	bool btf, summary;
	unsigned int t;

	parse_args(argc, argv);
	btf = module_btf() && !env.no_btf;
	if (env.write_obj)
		return write_obj(env.write_obj, btf);
	libbpf_set_print(libbpf_print);

	if (access("/sys/module/vqtest", F_OK)) {
		fprintf(stderr, "vqtrace: the vqtest module is not loaded\n");
		return 1;
	}

	skel = vqtrace_bpf__open();
	if (!skel) {
		fprintf(stderr, "vqtrace: cannot open the BPF skeleton: %s\n",
			strerror(errno));
		return 1;
	}
	if (env.attach_dir) {
		ret = attach_pinned(skel, env.attach_dir, btf);
		vqtrace_bpf__destroy(skel);
		return ret;
	}
	bind_progs(skel);

	summary = env.count || env.hist || env.notify;
	need = env.events;
	if (env.count || env.notify)
		need = ALL_EVENTS;
	if (env.hist)
		need |= 1ULL << VQTRACE_AVAIL | 1ULL << VQTRACE_USED;

	if (!btf) {
		const char *tfs = tracefs();

		if (!tfs) {
			fprintf(stderr, "vqtrace: no tracefs: mount -t tracefs tracefs /sys/kernel/tracing\n");
			goto cleanup;
		}
		for (t = 0; t < VQTRACE_NR_TYPES; t++)
			if ((need & (1ULL << t)) && check_format(tfs, &progs[t]))
				goto cleanup;
	}
	for (t = 0; t < VQTRACE_NR_TYPES; t++) {
		bool on = need & (1ULL << t);

		bpf_program__set_autoload(progs[t].btf, btf && on);
		bpf_program__set_autoload(progs[t].plain, !btf && on);
	}
	bpf_program__set_autoload(skel->progs.vqt_btf_printk,
				  btf && env.printk);
	bpf_program__set_autoload(skel->progs.vqt_tp_printk,
				  !btf && env.printk);

	if (env.cmd) {
		/*
		 * The command shares our stdout: write whole lines, or a full
		 * buffer flushed mid-line splits one of its lines or ours.
		 */
		setvbuf(stdout, NULL, _IOLBF, 0);
		child = spawn_cmd(env.cmd, &go_fd);
		if (child < 0) {
			fprintf(stderr, "vqtrace: fork: %s\n", strerror(errno));
			goto cleanup;
		}
	}

	skel->rodata->filter_pid = env.pid;
	skel->rodata->filter_dev_on = env.dev >= 0;
	skel->rodata->filter_dev = env.dev >= 0 ? env.dev : 0;
	skel->rodata->filter_queue_on = env.queue >= 0;
	skel->rodata->filter_queue = env.queue >= 0 ? env.queue : 0;
	skel->rodata->stream_mask = env.events;
	skel->rodata->hist_on = env.hist;
	skel->rodata->hist_unit_ns = env.unit_ns;

	err = vqtrace_bpf__load(skel);
	if (err) {
		fprintf(stderr, "vqtrace: cannot load the BPF programs: %s\n",
			strerror(-err));
		goto cleanup;
	}
	err = vqtrace_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "vqtrace: cannot attach the BPF programs: %s\n",
			strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event,
			      NULL, NULL);
	if (!rb) {
		fprintf(stderr, "vqtrace: cannot create the ring buffer: %s\n",
			strerror(errno));
		goto cleanup;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	if (child > 0)
		signal(SIGCHLD, sig_handler);
	start_ns = now_ns();
	if (env.duration)
		deadline = start_ns + env.duration * 1000000000ULL;

	fprintf(stderr, "vqtrace: tracing vqtest with %s programs%s\n",
		btf ? "tp_btf" : "tracepoint",
		env.cmd ? "" : "; Ctrl-C to end");
	if (env.events)
		printf("%-12s %-16s %-7s %-3s %-4s %3s %-15s %s\n", "TIME(s)",
		       "COMM", "PID", "CPU", "DEV", "Q", "EVENT", "DETAILS");
	fflush(stdout);
	if (child > 0) {
		if (write(go_fd, "g", 1) != 1)
			fprintf(stderr, "vqtrace: cannot start the command\n");
		close(go_fd);
		go_fd = -1;
	}

	ret = 0;
	while (!exiting) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "vqtrace: ring buffer: %s\n",
				strerror(-err));
			ret = 1;
			break;
		}
		fflush(stdout);
		if (deadline && now_ns() >= deadline)
			break;
		if (child > 0 && child_exited &&
		    waitpid(child, &status, WNOHANG) == child) {
			child = -1;
			break;
		}
	}
	if (child > 0) {
		/* stopped by a signal or the duration: stop the command too */
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
		child = -1;
	}
	ring_buffer__consume(rb);

	if (summary)
		printf("\n");
	if (env.count) {
		struct qcounts *q;
		size_t n;

		q = read_counts(bpf_map__fd(skel->maps.counts), &n);
		print_counts(q, n);
		free(q);
	}
	if (env.notify) {
		struct qcounts *q;
		size_t n;

		if (env.count)
			printf("\n");
		q = read_counts(bpf_map__fd(skel->maps.counts), &n);
		print_notify(q, n);
		free(q);
	}
	if (env.hist)
		print_hists(bpf_map__fd(skel->maps.hists));
	if (skel->bss->lost_events)
		fprintf(stderr, "vqtrace: %llu events lost (ring buffer full)\n",
			(unsigned long long)skel->bss->lost_events);
	if (env.cmd && !ret) {
		if (WIFEXITED(status))
			ret = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			ret = 128 + WTERMSIG(status);
	}

cleanup:
	fflush(stdout);
	if (go_fd >= 0)
		close(go_fd);	/* the command never starts: it exits 127 */
	if (child > 0)
		waitpid(child, NULL, 0);
	ring_buffer__free(rb);
	vqtrace_bpf__destroy(skel);
	return ret;
}
