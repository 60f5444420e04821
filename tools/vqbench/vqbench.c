// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench: throughput and latency of the vqtest device, driven by libvq.
 * Commands: run (the default), sweep, lifecycle, time, selftest; `vqbench -h`
 * prints every option (help() below is the one place they are listed).
 *
 * Exit status: 0, 1 when a run failed, 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vqbench.h"
#ifdef VQBENCH_TDEV
#include "tdev.h"
#endif

/* --dev when not given; `selftest --dev PATH` changes it */
const char *vqb_dev_default = VQ_DEV_PATH;

/**
 * vqb_dev_open() - open the device
 * @path: its path, NULL for vqb_dev_default; "tdev" in the check build
 *	is libvq's in-process test device
 * @dev: the handle
 *
 * Return: 0 or -errno.
 */
int vqb_dev_open(const char *path, struct vq_dev **dev)
{
	if (!path)
		path = vqb_dev_default;
#ifdef VQBENCH_TDEV
	if (!strcmp(path, "tdev"))
		return tdev_open(NULL, dev, NULL);
#endif
	return vq_dev_open_path(path, dev);
}

static void usage(FILE *f)
{
	fputs("usage: vqbench [run|sweep|lifecycle|time|selftest] [OPTIONS]; vqbench -h for all\n",
	      f);
}

static void help(void)
{
	puts("usage: vqbench [run] [OPTIONS]            one run (the default command)\n"
	     "       vqbench sweep [OPTIONS] [--batches LIST] [--reps N]\n"
	     "                     [--plot FILE.png] [--data FILE]\n"
	     "       vqbench lifecycle [-q QUEUES] [-n NUM] [--fds] [--reps N] [--json]\n"
	     "       vqbench time [--chains N] [--label TEXT] -- COMMAND [ARGS...]\n"
	     "                                         time another benchmark, JSON line\n"
	     "       vqbench selftest [--dev PATH]     a ~1 s smoke run, kselftest output\n"
	     "\n"
	     "device and chains:\n"
	     "  -B, --behaviour NAME   sink (default), null, echo, source, blk\n"
	     "  -n, --num N            ring size (default 256)\n"
	     "      --out N:SIZE       N device-readable buffers of SIZE bytes per chain\n"
	     "      --in N:SIZE        N device-writable buffers of SIZE bytes per chain\n"
	     "                         (sink/null: --out 1:1024; echo: both; source:\n"
	     "                         --in 1:1024; blk: data 1:4096 + header + status)\n"
	     "      --blk-op write|read, --blk-capacity BYTES (default 4 MiB)\n"
	     "      --no-event-idx     do not negotiate VIRTIO_RING_F_EVENT_IDX\n"
	     "      --no-indirect      do not negotiate VIRTIO_RING_F_INDIRECT_DESC\n"
	     "      --checksum         sink reads every byte (VQTEST_QUEUE_F_CHECKSUM)\n"
	     "      --busy-poll US     worker polls the empty ring US microseconds\n"
	     "      --process          no kick eventfd: the driver runs the device itself\n"
	     "                         (QUEUE_PROCESS) where it would kick; its system\n"
	     "                         time is then the device's cost\n"
	     "      --inline           kicks served in the kicking thread\n"
	     "                         (VQTEST_QUEUE_F_INLINE): no worker wakeup; the\n"
	     "                         worker CPU of -p is not used\n"
	     "      --budget N         chains per worker run (default: the module's)\n"
	     "driver:\n"
	     "  -b, --batch N          burst, ring: chains per kick; window: chains in flight\n"
	     "  -l, --loop burst|window|ring\n"
	     "                         burst (default): offer N, one kick, wait for N;\n"
	     "                         window: tools/virtio/virtio_test's loop (N in flight,\n"
	     "                         a kick decision per chain, spins);\n"
	     "                         ring: tools/virtio/ringtest's (the ring full, a kick\n"
	     "                         every N chains, sleeps or spins as --wait says)\n"
	     "  -w, --wait sleep|poll  sleep on the call eventfd (default) or spin\n"
	     "  -q, --queues N         queues (default 1, at most 60)\n"
	     "  -j, --threads N        driver threads; queue i belongs to thread i % N\n"
	     "  -P, --placement same|split|any\n"
	     "                         same (default): thread i and its workers on CPU i;\n"
	     "                         split: workers on CPU i + 1; any: no pinning\n"
	     "      --driver-cpu LIST, --worker-cpu LIST   explicit CPUs (0,1,...)\n"
	     "  -c, --chains N         chains per queue (default: --duration)\n"
	     "  -d, --duration SEC     seconds (default 2)\n"
	     "      --warmup SEC       untimed traffic first\n"
	     "      --shared-buf       every chain uses the same buffers (as virtio_test)\n"
	     "      --verify           check echo and source bytes (used.len always)\n"
	     "      --lat-samples N    single-chain round trips after the run (1000)\n"
	     "output:\n"
	     "      --json             JSON lines instead of the table\n"
	     "  -v, --verbose          every counter too\n"
	     "      --quiet            errors (and --json lines) only\n"
	     "      --progress, --no-progress   a line a second (default: on a tty)\n"
	     "      --label TEXT       name the run\n"
	     "      --dev PATH         the device (default /dev/vqtest)\n"
	     "sweep:\n"
	     "      --batches LIST     batch sizes (default 1,2,4,8,16,32,64,128,256)\n"
	     "      --reps N           runs per batch size, the median is plotted\n"
	     "      --plot FILE.png    chains/s against batch size (needs gnuplot)\n"
	     "      --data FILE        the plotted data (default FILE.png's stem .dat)\n"
	     "environment:\n"
	     "  VQBENCH_STALL_CMD      a shell command run when a queue makes no progress\n"
	     "                         for 10 s (before vqbench gives up): dump the kernel");
}

enum {
	O_OUT = 256, O_IN, O_NO_EIDX, O_NO_IND, O_CHECKSUM, O_BUSY, O_BUDGET,
	O_DCPU, O_WCPU, O_WARMUP, O_SHARED, O_VERIFY, O_LAT, O_JSON, O_QUIET,
	O_PROGRESS, O_NO_PROGRESS, O_LABEL, O_DEV, O_BLKOP, O_BLKCAP,
	O_BATCHES, O_REPS, O_PLOT, O_DATA, O_PROCESS, O_INLINE,
};

static const struct option longopts[] = {
	{ "behaviour", required_argument, NULL, 'B' },
	{ "num", required_argument, NULL, 'n' },
	{ "out", required_argument, NULL, O_OUT },
	{ "in", required_argument, NULL, O_IN },
	{ "no-event-idx", no_argument, NULL, O_NO_EIDX },
	{ "no-indirect", no_argument, NULL, O_NO_IND },
	{ "checksum", no_argument, NULL, O_CHECKSUM },
	{ "busy-poll", required_argument, NULL, O_BUSY },
	{ "process", no_argument, NULL, O_PROCESS },
	{ "inline", no_argument, NULL, O_INLINE },
	{ "budget", required_argument, NULL, O_BUDGET },
	{ "batch", required_argument, NULL, 'b' },
	{ "loop", required_argument, NULL, 'l' },
	{ "wait", required_argument, NULL, 'w' },
	{ "queues", required_argument, NULL, 'q' },
	{ "threads", required_argument, NULL, 'j' },
	{ "placement", required_argument, NULL, 'P' },
	{ "driver-cpu", required_argument, NULL, O_DCPU },
	{ "worker-cpu", required_argument, NULL, O_WCPU },
	{ "chains", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "shared-buf", no_argument, NULL, O_SHARED },
	{ "verify", no_argument, NULL, O_VERIFY },
	{ "lat-samples", required_argument, NULL, O_LAT },
	{ "blk-op", required_argument, NULL, O_BLKOP },
	{ "blk-capacity", required_argument, NULL, O_BLKCAP },
	{ "json", no_argument, NULL, O_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "label", required_argument, NULL, O_LABEL },
	{ "dev", required_argument, NULL, O_DEV },
	{ "batches", required_argument, NULL, O_BATCHES },
	{ "reps", required_argument, NULL, O_REPS },
	{ "plot", required_argument, NULL, O_PLOT },
	{ "data", required_argument, NULL, O_DATA },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "vqbench: bad value for %s: '%s'\n", opt, val);
	return -EINVAL;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s || x < min || x > max)
		return -EINVAL;
	/* k, M, G suffixes (binary) for counts and sizes */
	if (*end == 'k' || *end == 'K')
		x <<= 10, end++;
	else if (*end == 'M')
		x <<= 20, end++;
	else if (*end == 'G')
		x <<= 30, end++;
	if (*end || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t x;
	int ret = parse_u64(s, min, max, &x);

	if (!ret)
		*v = (uint32_t)x;
	return ret;
}

static int parse_secs(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return (end == s || *end || *v < 0 || *v > 86400) ? -EINVAL : 0;
}

/* N:SIZE */
static int parse_bufs(const char *s, uint32_t *n, uint32_t *size)
{
	char tmp[64], *colon;

	snprintf(tmp, sizeof(tmp), "%s", s);
	colon = strchr(tmp, ':');
	if (!colon)
		return -EINVAL;
	*colon = 0;
	if (parse_u32(tmp, 0, VQB_MAX_SEGS, n) ||
	    parse_u32(colon + 1, 1, 1U << 30, size))
		return -EINVAL;
	return 0;
}

static int parse_list(const char *s, int *out, int max, long lo, long hi)
{
	char tmp[1024], *tok, *save = NULL;
	int n = 0;

	snprintf(tmp, sizeof(tmp), "%s", s);
	for (tok = strtok_r(tmp, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 0);

		if (end == tok || *end || v < lo || v > hi || n == max)
			return -EINVAL;
		out[n++] = (int)v;
	}
	return n ? n : -EINVAL;
}

static void defaults(struct vqb_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->behaviour = VQTEST_BEH_SINK;
	o->num = 256;
	o->batch = 1;
	o->loop = VQB_LOOP_BURST;
	o->wait = VQB_WAIT_SLEEP;
	o->event_idx = true;
	o->indirect = true;
	o->queues = 1;
	o->threads = 1;
	o->place = VQB_PLACE_SAME;
	o->lat_samples = 1000;
	o->blk_op = VQB_BLK_WRITE;
	o->blk_capacity = 4ULL << 20;
	o->progress = -1;
}

/* Behaviour defaults for the chain shape, then the checks. */
static int finish_opts(struct vqb_opts *o)
{
	uint32_t segs;

	if (!o->shape_set) {
		o->n_out = o->n_in = 0;
		o->out_size = o->in_size = 1024;
		switch (o->behaviour) {
		case VQTEST_BEH_ECHO:
			o->n_out = o->n_in = 1;
			break;
		case VQTEST_BEH_SOURCE:
			o->n_in = 1;
			break;
		case VQTEST_BEH_BLK:
			o->out_size = o->in_size = 4096;
			if (o->blk_op == VQB_BLK_WRITE)
				o->n_out = 1;
			else
				o->n_in = 1;
			break;
		default:
			o->n_out = 1;
			break;
		}
	}
	segs = o->n_out + o->n_in + (o->behaviour == VQTEST_BEH_BLK ? 2 : 0);
	if (!segs || segs > VQB_MAX_SEGS) {
		fprintf(stderr, "vqbench: a chain needs 1 to %d buffers\n",
			VQB_MAX_SEGS);
		return -EINVAL;
	}
	if (!o->indirect && segs > o->num) {
		fprintf(stderr, "vqbench: %u descriptors per chain do not fit a ring of %u\n",
			segs, o->num);
		return -EINVAL;
	}
	if (o->behaviour == VQTEST_BEH_BLK) {
		uint64_t data = o->blk_op == VQB_BLK_WRITE ?
				(uint64_t)o->n_out * o->out_size :
				(uint64_t)o->n_in * o->in_size;

		if ((o->blk_op == VQB_BLK_WRITE ? o->n_in : o->n_out) ||
		    !data || data % 512 || data > o->blk_capacity ||
		    o->blk_capacity % 512) {
			fprintf(stderr, "vqbench: blk %s: data in --%s only, a multiple of 512 bytes within --blk-capacity\n",
				o->blk_op == VQB_BLK_WRITE ? "write" : "read",
				o->blk_op == VQB_BLK_WRITE ? "out" : "in");
			return -EINVAL;
		}
	}
	if (o->threads > o->queues) {
		fprintf(stderr, "vqbench: more threads (%u) than queues (%u)\n",
			o->threads, o->queues);
		return -EINVAL;
	}
	if (!o->chains && !o->duration)
		o->duration = 2;
	return 0;
}

struct cli {
	struct vqb_opts o;
	bool verbose;
	uint32_t batches[VQB_MAX_BATCHES];
	int nbatch;
	int reps;
	const char *plot;
	const char *data;
};

static int parse(int argc, char **argv, struct cli *cli)
{
	struct vqb_opts *o = &cli->o;
	int opt, n, ncpu = vqb_ncpus();
	uint32_t v;

	defaults(o);
	cli->reps = 1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "B:n:b:l:w:q:j:P:c:d:vh",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'B': {
			int b = vq_behaviour_parse(optarg);

			if (b < 0)
				return bad("--behaviour", optarg);
			o->behaviour = (uint32_t)b;
			break;
		}
		case 'n':
			if (parse_u32(optarg, 1, 32768, &o->num) ||
			    (o->num & (o->num - 1)))
				return bad("--num", optarg);
			break;
		case O_OUT:
			if (parse_bufs(optarg, &o->n_out, &o->out_size))
				return bad("--out", optarg);
			o->shape_set = true;
			break;
		case O_IN:
			if (parse_bufs(optarg, &o->n_in, &o->in_size))
				return bad("--in", optarg);
			o->shape_set = true;
			break;
		case O_NO_EIDX:
			o->event_idx = false;
			break;
		case O_NO_IND:
			o->indirect = false;
			break;
		case O_CHECKSUM:
			o->checksum = true;
			break;
		case O_PROCESS:
			o->process = true;
			break;
		case O_INLINE:
			o->inline_kick = true;
			break;
		case O_BUSY:
			if (parse_u32(optarg, 0, 1000, &o->busy_poll_us))
				return bad("--busy-poll", optarg);
			break;
		case O_BUDGET:
			if (parse_u32(optarg, 1, 1U << 20, &o->budget_chains))
				return bad("--budget", optarg);
			break;
		case 'b':
			if (parse_u32(optarg, 1, 32768, &o->batch))
				return bad("--batch", optarg);
			break;
		case 'l':
			if (!strcmp(optarg, "burst"))
				o->loop = VQB_LOOP_BURST;
			else if (!strcmp(optarg, "window"))
				o->loop = VQB_LOOP_WINDOW;
			else if (!strcmp(optarg, "ring"))
				o->loop = VQB_LOOP_RING;
			else
				return bad("--loop", optarg);
			break;
		case 'w':
			if (!strcmp(optarg, "sleep"))
				o->wait = VQB_WAIT_SLEEP;
			else if (!strcmp(optarg, "poll"))
				o->wait = VQB_WAIT_POLL;
			else
				return bad("--wait", optarg);
			break;
		case 'q':
			if (parse_u32(optarg, 1, VQB_MAX_QUEUES, &o->queues))
				return bad("--queues", optarg);
			break;
		case 'j':
			if (parse_u32(optarg, 1, VQB_MAX_QUEUES, &o->threads))
				return bad("--threads", optarg);
			break;
		case 'P':
			if (!strcmp(optarg, "same"))
				o->place = VQB_PLACE_SAME;
			else if (!strcmp(optarg, "split"))
				o->place = VQB_PLACE_SPLIT;
			else if (!strcmp(optarg, "any"))
				o->place = VQB_PLACE_ANY;
			else
				return bad("--placement", optarg);
			break;
		case O_DCPU:
			n = parse_list(optarg, o->driver_cpus, VQB_MAX_CPUS, 0,
				       VQB_MAX_CPUS - 1);
			if (n < 0)
				return bad("--driver-cpu", optarg);
			o->ndriver_cpus = n;
			break;
		case O_WCPU:
			n = parse_list(optarg, o->worker_cpus, VQB_MAX_CPUS, -1,
				       VQB_MAX_CPUS - 1);
			if (n < 0)
				return bad("--worker-cpu", optarg);
			o->nworker_cpus = n;
			break;
		case 'c':
			if (parse_u64(optarg, 1, 1ULL << 40, &o->chains))
				return bad("--chains", optarg);
			o->duration = 0;
			break;
		case 'd':
			if (parse_secs(optarg, &o->duration) || !o->duration)
				return bad("--duration", optarg);
			o->chains = 0;
			break;
		case O_WARMUP:
			if (parse_secs(optarg, &o->warmup))
				return bad("--warmup", optarg);
			break;
		case O_SHARED:
			o->shared_buf = true;
			break;
		case O_VERIFY:
			o->verify = true;
			break;
		case O_LAT:
			if (parse_u32(optarg, 0, 1U << 20, &o->lat_samples))
				return bad("--lat-samples", optarg);
			break;
		case O_BLKOP:
			if (!strcmp(optarg, "write"))
				o->blk_op = VQB_BLK_WRITE;
			else if (!strcmp(optarg, "read"))
				o->blk_op = VQB_BLK_READ;
			else
				return bad("--blk-op", optarg);
			break;
		case O_BLKCAP:
			if (parse_u64(optarg, 512, 1ULL << 40, &o->blk_capacity))
				return bad("--blk-capacity", optarg);
			break;
		case O_JSON:
			o->json = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case O_QUIET:
			o->quiet = true;
			break;
		case O_PROGRESS:
			o->progress = 1;
			break;
		case O_NO_PROGRESS:
			o->progress = 0;
			break;
		case O_LABEL:
			o->label = optarg;
			break;
		case O_DEV:
			o->dev_path = optarg;
			break;
		case O_BATCHES: {
			int tmp[VQB_MAX_BATCHES], i;

			n = parse_list(optarg, tmp, VQB_MAX_BATCHES, 1, 32768);
			if (n < 0)
				return bad("--batches", optarg);
			for (i = 0; i < n; i++)
				cli->batches[i] = (uint32_t)tmp[i];
			cli->nbatch = n;
			break;
		}
		case O_REPS:
			if (parse_u32(optarg, 1, 1000, &v))
				return bad("--reps", optarg);
			cli->reps = (int)v;
			break;
		case O_PLOT:
			cli->plot = optarg;
			break;
		case O_DATA:
			cli->data = optarg;
			break;
		case 'h':
			help();
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vqbench: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	for (n = 0; n < o->ndriver_cpus; n++)
		if (o->driver_cpus[n] >= ncpu)
			return bad("--driver-cpu", "CPU not available");
	if (o->inline_kick && (o->process || o->busy_poll_us ||
			       o->nworker_cpus)) {
		fprintf(stderr, "vqbench: --inline runs the device in the kicking thread: not with --process, --busy-poll or --worker-cpu\n");
		return -EINVAL;
	}
	return finish_opts(o);
}

/**
 * vqb_opts_parse() - options from a command line, as `vqbench run` takes
 * @line: the options, separated by spaces (no quoting)
 * @o: filled in
 *
 * Return: 0 or -EINVAL (a message went to stderr).
 */
int vqb_opts_parse(const char *line, struct vqb_opts *o)
{
	char buf[1024], *argv[64], *tok, *save = NULL;
	struct cli cli;
	int argc = 0, ret;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = (char *)"vqbench";
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	ret = parse(argc, argv, &cli);
	/* the label and device path point into buf: not kept */
	cli.o.label = NULL;
	cli.o.dev_path = NULL;
	*o = cli.o;
	return ret;
}

static int cmd_run(int argc, char **argv)
{
	struct cli cli;
	struct vqb_result res;
	int ret;

	if (parse(argc, argv, &cli))
		return 2;
	ret = vqb_run(&cli.o, &res);
	if (cli.o.json)
		vqb_print_json(stdout, &cli.o, &res);
	if (!cli.o.json && !cli.o.quiet) {
		vqb_print_header(stdout);
		vqb_print_row(stdout, &cli.o, &res);
		if (cli.verbose && !ret)
			vqb_print_details(stdout, &cli.o, &res);
	} else if (ret && !cli.o.json) {
		fprintf(stderr, "vqbench: %s\n", res.errmsg);
	}
	return ret ? 1 : 0;
}

static int cmd_sweep(int argc, char **argv)
{
	static const uint32_t def[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
	struct cli cli;
	int i;

	if (parse(argc, argv, &cli))
		return 2;
	if (!cli.nbatch) {
		for (i = 0; i < (int)(sizeof(def) / sizeof(def[0])); i++)
			cli.batches[i] = def[i];
		cli.nbatch = i;
	}
	return vqb_sweep(&cli.o, cli.batches, cli.nbatch, cli.reps, cli.plot,
			 cli.data) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "run";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "sweep"))
		return cmd_sweep(argc - 1, argv + 1);
	if (!strcmp(cmd, "lifecycle"))
		return vqb_lifecycle(argc - 1, argv + 1);
	if (!strcmp(cmd, "time"))
		return vqb_time(argc - 1, argv + 1);
	if (!strcmp(cmd, "selftest"))
		return vqb_selftest(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	return cmd_run(argc, argv);
}
