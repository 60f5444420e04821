// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench selftest: about a second of every vqbench mode against the real
 * device, printed as kselftest TAP ("# Totals:" last) so that
 * tools/check.sh counts it like the selftests. It asserts what must hold
 * whatever the speed: the run completes, the device completed exactly the
 * chains offered, it saw no kick the driver did not send (the real
 * device counts every eventfd write; libvq's test device may coalesce),
 * used.len (and, with --verify, the bytes) are right, the outputs are
 * well formed. Never a timing. Drivers on another CPU than their worker
 * spin (-w poll) rather than sleep: under TCG a halted vCPU is sometimes
 * woken seconds late (by neither the call nor its own poll timeout), which
 * would make the run slow, not wrong.
 *
 * Exit status: 0, 1 if a test failed, 4 (KSFT_SKIP) without /dev/vqtest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vqbench.h"

#define KSFT_SKIP	4

struct st_case {
	const char *name;
	const char *args;
};

static const struct st_case cases[] = {
	{ "sink_burst_b1_sleep", "-B sink -c 1000 -b 1 --lat-samples 200" },
	{ "sink_burst_b64_poll", "-B sink -c 5000 -b 64 -w poll --lat-samples 0" },
	{ "sink_window_b64_vt", "-B sink -l window -b 64 -c 2000 --shared-buf --lat-samples 0" },
	{ "sink_window_b1_noeidx_noind", "-B sink -l window -b 1 -c 1000 --no-event-idx --no-indirect --lat-samples 0" },
	{ "sink_ring_b16_sleep", "-B sink -l ring -b 16 -c 2000 --lat-samples 0" },
	{ "sink_ring_b4_poll_split", "-B sink -l ring -b 4 -w poll -P split -c 1000 --lat-samples 0" },
	{ "sink_split_cpus", "-B sink -c 1000 -b 16 -P split -w poll --lat-samples 0" },
	{ "sink_checksum", "-B sink --checksum -c 1000 -b 16 --lat-samples 0" },
	{ "sink_busy_poll", "-B sink --busy-poll 50 -c 1000 -b 4 --lat-samples 50" },
	{ "null_b32", "-B null -c 2000 -b 32 --lat-samples 0" },
	{ "sink_process_b64", "-B sink --process -c 2000 -b 64 --lat-samples 0" },
	{ "sink_inline_b1", "-B sink --inline -c 2000 -b 1 --lat-samples 50" },
	{ "echo_inline_b64", "-B echo --inline -c 2000 -b 64 --verify --lat-samples 0" },
	{ "sink_process_window_b8", "-B sink --process -l window -b 8 -c 2000 --lat-samples 0" },
	{ "echo_verify", "-B echo -c 1000 -b 16 --verify --lat-samples 0" },
	{ "echo_indirect_8segs", "-B echo --out 4:256 --in 4:256 -b 8 -c 1000 --lat-samples 0" },
	{ "echo_direct_8segs", "-B echo --out 4:256 --in 4:256 -b 8 -c 1000 --no-indirect --lat-samples 0" },
	{ "source_verify", "-B source -c 1000 -b 8 --verify --lat-samples 0" },
	{ "blk_write", "-B blk -c 500 -b 8 --lat-samples 0" },
	{ "blk_read", "-B blk --blk-op read -c 500 -b 8 --lat-samples 0" },
	{ "queues4_threads2", "-q 4 -j 2 -c 500 -b 16 -P split -w poll --lat-samples 0" },
	{ "duration_0.1s", "-d 0.1 -b 16 --lat-samples 0" },
};

static int pass, fail_count, skip;

static void result(int n, const char *name, bool ok, const char *why)
{
	if (ok) {
		printf("ok %d %s\n", n, name);
		pass++;
	} else {
		printf("# %s: %s\nnot ok %d %s\n", name, why, n, name);
		fail_count++;
	}
}

/* Print @s as TAP diagnostics, "# " before every line. */
static void diag(const char *s)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		int len = nl ? (int)(nl - s) : (int)strlen(s);

		printf("# %.*s\n", len, s);
		s += len + (nl ? 1 : 0);
	}
}

static bool run_case(int n, const struct st_case *c)
{
	struct vqb_opts o;
	struct vqb_result r;
	char why[600] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	uint64_t want;
	int ret;

	if (vqb_opts_parse(c->args, &o)) {
		result(n, c->name, false, "bad options");
		return false;
	}
	o.progress = 0;
	ret = vqb_run(&o, &r);
	want = o.chains * o.queues;

	mem = open_memstream(&buf, &len);
	if (mem) {
		vqb_print_row(mem, &o, &r);
		vqb_print_json(mem, &o, &r);
		fclose(mem);
		diag(buf);
	}
	if (ret)
		snprintf(why, sizeof(why), "run failed: %s", r.errmsg);
	else if (o.chains && r.c.chains != want)
		snprintf(why, sizeof(why), "%llu chains completed, %llu offered",
			 (unsigned long long)r.c.chains,
			 (unsigned long long)want);
	else if (!r.c.chains)
		snprintf(why, sizeof(why), "no chain completed");
	else if (r.c.dev_chains != r.c.chains)
		snprintf(why, sizeof(why), "device took %llu chains, driver reaped %llu",
			 (unsigned long long)r.c.dev_chains,
			 (unsigned long long)r.c.chains);
	else if (r.c.dev_kicks > r.c.drv_kicks ||
		 (r.c.drv_kicks && !r.c.dev_kicks && !o.process))
		snprintf(why, sizeof(why), "driver kicked %llu times, device saw %llu",
			 (unsigned long long)r.c.drv_kicks,
			 (unsigned long long)r.c.dev_kicks);
	else if (o.lat_samples && r.lat_n != o.lat_samples)
		snprintf(why, sizeof(why), "%llu latency samples, asked %u",
			 (unsigned long long)r.lat_n, o.lat_samples);
	else if (!buf || strncmp(strchr(buf, '\n') + 1, "{\"type\":\"run\"", 13) ||
		 buf[len - 2] != '}')
		snprintf(why, sizeof(why), "JSON line malformed");
	free(buf);
	result(n, c->name, !why[0], why);
	return !why[0];
}

static void sweep_case(int n)
{
	static const uint32_t b[] = { 1, 8 };
	char data[] = "/tmp/vqbench-selftest-XXXXXX";
	char plot[64];
	struct vqb_opts o;
	int fd, ret;

	fd = mkstemp(data);
	if (fd < 0 || vqb_opts_parse("-c 500 --lat-samples 0 --quiet", &o)) {
		result(n, "sweep_data_file", false, "setup");
		return;
	}
	close(fd);
	o.progress = 0;
	snprintf(plot, sizeof(plot), "%s.png", data);
	/* gnuplot is not in the VM: the data and script are written anyway */
	ret = vqb_sweep(&o, b, 2, 1, plot, data);
	if (!ret) {
		FILE *f = fopen(data, "r");
		char line[256];
		int rows = 0;

		while (f && fgets(line, sizeof(line), f))
			if (line[0] != '#')
				rows++;
		if (f)
			fclose(f);
		ret = rows == 2 ? 0 : -EPROTO;
	}
	unlink(data);
	{
		char gp[80];

		snprintf(gp, sizeof(gp), "%s.gp", data);
		unlink(gp);
		unlink(plot);
	}
	result(n, "sweep_data_file", !ret, "sweep failed or wrote no data");
}

static void lifecycle_case(int n)
{
	char nq[16] = "50";
	char *argv[] = { "lifecycle", "-q", nq, "--reps", "1", "--json",
			 "--dev", (char *)vqb_dev_default, NULL };
	struct vqtest_info info;
	struct vq_dev *dev;
	int saved, rc;
	FILE *tmp;
	char line[4096];
	bool ok = false;

	/* as many as the device has, up to 50 */
	if (!vqb_dev_open(NULL, &dev)) {
		if (!vq_get_info(dev, &info) && info.out_max_queues < 50)
			snprintf(nq, sizeof(nq), "%u", info.out_max_queues);
		vq_dev_close(dev);
	}
	saved = dup(STDOUT_FILENO);
	tmp = tmpfile();
	if (saved < 0 || !tmp) {
		result(n, "lifecycle_50", false, "setup");
		return;
	}
	/* its JSON lines become diagnostics */
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	rc = vqb_lifecycle(8, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		printf("# %s", line);
		if (strstr(line, "\"type\":\"lifecycle_summary\""))
			ok = true;
	}
	fclose(tmp);
	result(n, "lifecycle_50", !rc && ok, "lifecycle failed");
}

/**
 * vqb_selftest() - `vqbench selftest [--dev PATH]`
 * @argc: arguments after the command
 * @argv: the arguments, argv[0] the command
 *
 * Return: the exit status.
 */
int vqb_selftest(int argc, char **argv)
{
	int ncases = (int)(sizeof(cases) / sizeof(cases[0]));
	int total = ncases + 2, i;

	if (argc == 3 && !strcmp(argv[1], "--dev")) {
		vqb_dev_default = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: vqbench selftest [--dev PATH]\n");
		return 2;
	}
	printf("TAP version 13\n1..%d\n", total);
	if (strcmp(vqb_dev_default, "tdev") &&
	    access(vqb_dev_default, R_OK | W_OK)) {
		for (i = 1; i <= total; i++)
			printf("ok %d # SKIP %s: %s\n", i, vqb_dev_default,
			       strerror(errno));
		skip = total;
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:%d error:0\n",
		       skip);
		return KSFT_SKIP;
	}
	for (i = 0; i < ncases; i++)
		run_case(i + 1, &cases[i]);
	sweep_case(ncases + 1);
	lifecycle_case(ncases + 2);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail_count, skip);
	return fail_count ? 1 : 0;
}
