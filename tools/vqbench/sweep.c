// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench sweep: the same run at every batch size, @reps times each; the
 * median, min and max chains/s per batch go to a data file, and gnuplot
 * (when it is installed: Debian's gnuplot-nox) draws them into a PNG.
 * Without gnuplot the data file and the script are written anyway, so the
 * plot can be drawn elsewhere (tools/bench does that for the VM's runs).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vqbench.h"

struct point {
	uint32_t batch;
	int n;
	double med, min, max;
	double kicks, calls;	/* per chain, of the median run */
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[4096], *dir, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(buf, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		char exe[4200];

		snprintf(exe, sizeof(exe), "%s/gnuplot", dir);
		if (!access(exe, X_OK))
			return true;
	}
	return false;
}

static void title(char *buf, size_t len, const struct vqb_opts *o)
{
	snprintf(buf, len, "vqtest %s, %ux%u B, ring %u, %s/%s, %s, %s%s",
		 vq_behaviour_name(o->behaviour), o->n_out ? o->n_out : o->n_in,
		 o->n_out ? o->out_size : o->in_size, o->num,
		 vqb_loop_name(o->loop), vqb_wait_name(o->wait),
		 vqb_place_name(o->place),
		 o->event_idx ? "event_idx" : "no event_idx",
		 o->indirect ? "" : ", no indirect");
}

static int write_plot(const struct vqb_opts *o, const struct point *pt,
		      int n, const char *plot, const char *data)
{
	char dpath[4000], gpath[4100], t[200];
	FILE *f;
	int i;

	if (data) {
		snprintf(dpath, sizeof(dpath), "%s", data);
	} else {
		const char *dot = strrchr(plot, '.');
		int stem = dot ? (int)(dot - plot) : (int)strlen(plot);

		snprintf(dpath, sizeof(dpath), "%.*s.dat", stem, plot);
	}
	snprintf(gpath, sizeof(gpath), "%s.gp", dpath);

	f = fopen(dpath, "w");
	if (!f)
		return -errno;
	fprintf(f, "# batch median_chains_per_s min max runs kicks_per_chain calls_per_chain\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%u %.1f %.1f %.1f %d %.6f %.6f\n", pt[i].batch,
			pt[i].med, pt[i].min, pt[i].max, pt[i].n, pt[i].kicks,
			pt[i].calls);
	fclose(f);

	title(t, sizeof(t), o);
	f = fopen(gpath, "w");
	if (!f)
		return -errno;
	fprintf(f, "set terminal pngcairo size 900,560 noenhanced\n"
		   "set output '%s'\n"
		   "set title '%s'\n"
		   "set logscale x 2\n"
		   "set xlabel 'batch (chains per kick)'\n"
		   "set ylabel 'chains/s'\n"
		   "set format y '%%.0s%%c'\n"
		   "set grid\n"
		   "set key top left\n"
		   "plot '%s' using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'median (min-max)'\n",
		   plot, t, dpath);
	fclose(f);

	if (!have_gnuplot()) {
		fprintf(stderr, "vqbench: no gnuplot here: data in %s, script in %s\n",
			dpath, gpath);
		return 0;
	}
	{
		char cmd[8400];
		int rc;

		snprintf(cmd, sizeof(cmd), "gnuplot '%s'", gpath);
		rc = system(cmd);
		if (rc) {
			/* pngcairo missing (plain gnuplot-nox): try png */
			snprintf(cmd, sizeof(cmd),
				 "sed -i 's/^set terminal pngcairo/set terminal png/' '%s' && gnuplot '%s'",
				 gpath, gpath);
			rc = system(cmd);
		}
		if (rc) {
			fprintf(stderr, "vqbench: gnuplot failed (%d): script %s\n",
				rc, gpath);
			return -EIO;
		}
	}
	fprintf(stderr, "vqbench: plot %s (data %s)\n", plot, dpath);
	return 0;
}

/**
 * vqb_sweep() - chains/s against the batch size
 * @base: the run's options; batch is replaced
 * @batches: batch sizes
 * @nbatch: how many
 * @reps: runs per batch size
 * @plot: PNG to write, or NULL
 * @data: data file, or NULL (the PNG's stem .dat)
 *
 * Return: 0, or the first error.
 */
int vqb_sweep(const struct vqb_opts *base, const uint32_t *batches,
	      int nbatch, int reps, const char *plot, const char *data)
{
	struct point pt[VQB_MAX_BATCHES];
	double *rate = calloc((size_t)reps, sizeof(double));
	struct vqb_result *res = calloc((size_t)reps, sizeof(*res));
	int i, r, err = 0;

	if (!rate || !res) {
		free(rate);
		free(res);
		return -ENOMEM;
	}
	if (!base->json && !base->quiet)
		vqb_print_header(stdout);
	for (i = 0; i < nbatch; i++) {
		struct vqb_opts o = *base;
		char label[64];
		int ok = 0;

		o.batch = batches[i];
		if (o.batch > 1)
			o.lat_samples = 0;
		snprintf(label, sizeof(label), "%s%sb%u",
			 base->label ? base->label : "",
			 base->label ? "/" : "", o.batch);
		o.label = label;
		for (r = 0; r < reps; r++) {
			int ret = vqb_run(&o, &res[ok]);

			if (o.json)
				vqb_print_json(stdout, &o, &res[ok]);
			else if (!o.quiet)
				vqb_print_row(stdout, &o, &res[ok]);
			if (ret) {
				if (!err)
					err = ret;
				if (o.quiet && !o.json)
					fprintf(stderr, "vqbench: %s: %s\n",
						label, res[ok].errmsg);
				continue;
			}
			ok++;
		}
		memset(&pt[i], 0, sizeof(pt[i]));
		pt[i].batch = o.batch;
		pt[i].n = ok;
		if (ok) {
			double med;

			for (r = 0; r < ok; r++)
				rate[r] = res[r].chains_per_sec;
			qsort(rate, (size_t)ok, sizeof(double), cmp_d);
			med = rate[ok / 2];
			pt[i].med = ok % 2 ? med : (rate[ok / 2 - 1] + med) / 2;
			pt[i].min = rate[0];
			pt[i].max = rate[ok - 1];
			/* counters of the run closest to the median */
			for (r = 0; r < ok; r++)
				if (res[r].chains_per_sec == med) {
					pt[i].kicks = res[r].c.chains ?
						(double)res[r].c.dev_kicks /
						(double)res[r].c.chains : 0;
					pt[i].calls = res[r].c.chains ?
						(double)res[r].c.dev_calls /
						(double)res[r].c.chains : 0;
					break;
				}
		}
		if (o.json)
			printf("{\"type\":\"sweep\",\"batch\":%u,\"runs\":%d,\"median\":%.1f,\"min\":%.1f,\"max\":%.1f}\n",
			       pt[i].batch, pt[i].n, pt[i].med, pt[i].min,
			       pt[i].max);
	}
	free(rate);
	free(res);
	if (plot) {
		int ret = write_plot(base, pt, nbatch, plot, data);

		if (ret && !err)
			err = ret;
	}
	return err;
}
