// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench: output. A one-line-per-run table for people, a details block
 * (-v), and one JSON object per line (--json) for scripts; every JSON
 * line has "type" first.
 *
 * Derived figures:
 *   kicks/chain   device kick wakeups (QUEUE_STATS kicks) / chains
 *   calls/chain   device call signals (QUEUE_STATS calls) / chains
 *   runs/kick     worker runs / kicks (> 1: budget requeues, or runs that
 *                 found the work already done)
 *   drv_ns/chain  driver CPU (getrusage user + system, all threads) / chains
 *   kw_ns/chain   kworker CPU (schedstat deltas, see measure.c) / chains
 *   sys_ns/chain  /proc/stat system+irq+softirq - driver system / chains
 */
#include <string.h>

#include "vqbench.h"

const char *vqb_loop_name(enum vqb_loop l)
{
	switch (l) {
	case VQB_LOOP_WINDOW:
		return "window";
	case VQB_LOOP_RING:
		return "ring";
	default:
		return "burst";
	}
}

const char *vqb_wait_name(enum vqb_wait w)
{
	return w == VQB_WAIT_POLL ? "poll" : "sleep";
}

const char *vqb_place_name(enum vqb_place p)
{
	switch (p) {
	case VQB_PLACE_SAME:
		return "same";
	case VQB_PLACE_SPLIT:
		return "split";
	default:
		return "any";
	}
}

static double per(uint64_t n, uint64_t chains)
{
	return chains ? (double)n / (double)chains : 0;
}

static double per_d(double n, uint64_t chains)
{
	return chains ? n / (double)chains : 0;
}

static double drv_ns(const struct vqb_result *r)
{
	return (double)(r->after.self_user_ns + r->after.self_sys_ns -
			r->before.self_user_ns - r->before.self_sys_ns);
}

static double kw_ns(const struct vqb_result *r)
{
	if (!r->before.kworker_ok || !r->after.kworker_ok)
		return -1;
	return (double)(r->after.kworker_ns - r->before.kworker_ns);
}

static double sys_ns(const struct vqb_result *r)
{
	double v;

	if (!r->before.stat_ok || !r->after.stat_ok)
		return -1;
	v = (double)(r->after.stat_sys_ns - r->before.stat_sys_ns) -
	    (double)(r->after.self_sys_ns - r->before.self_sys_ns);
	return v < 0 ? 0 : v;
}

static void shape(char *buf, size_t len, const struct vqb_opts *o)
{
	int n = 0;

	if (o->n_out)
		n += snprintf(buf + n, len - (size_t)n, "%ux%u", o->n_out,
			      o->out_size);
	if (o->n_in)
		n += snprintf(buf + n, len - (size_t)n, "%s%ux%uw",
			      n ? "+" : "", o->n_in, o->in_size);
	if (!n)
		snprintf(buf, len, "-");
}

void vqb_print_header(FILE *f)
{
	fprintf(f, "%-44s %11s %9s %8s %8s %9s %9s %9s %8s %8s %8s\n",
		"configuration", "chains/s", "ns/chain", "kick/ch", "call/ch",
		"runs/kick", "drv_ns/ch", "kw_ns/ch", "p50_us", "p99_us",
		"p99.9_us");
}

static void config_str(char *buf, size_t len, const struct vqb_opts *o)
{
	char sh[48];

	shape(sh, sizeof(sh), o);
	snprintf(buf, len, "%s%s%s %s n%u b%u %s/%s%s%s q%u/t%u %s",
		 o->label ? o->label : "", o->label ? ": " : "",
		 vq_behaviour_name(o->behaviour), sh, o->num, o->batch,
		 vqb_loop_name(o->loop),
		 o->process ? "process" :
		 o->inline_kick ? "inline" : vqb_wait_name(o->wait),
		 o->event_idx ? "" : " -eidx", o->indirect ? "" : " -ind",
		 o->queues, o->threads, vqb_place_name(o->place));
}

void vqb_print_row(FILE *f, const struct vqb_opts *o,
		   const struct vqb_result *r)
{
	char cfg[160];
	uint64_t n = r->c.chains;
	double kw = kw_ns(r);

	config_str(cfg, sizeof(cfg), o);
	if (r->error) {
		fprintf(f, "%-44s FAILED: %s\n", cfg, r->errmsg);
		return;
	}
	fprintf(f, "%-44s %11.0f %9.0f %8.4f %8.4f %9.3f %9.0f ", cfg,
		r->chains_per_sec, r->ns_per_chain, per(r->c.dev_kicks, n),
		per(r->c.dev_calls, n), per(r->c.dev_runs, r->c.dev_kicks),
		per_d(drv_ns(r), n));
	if (kw >= 0)
		fprintf(f, "%9.0f ", per_d(kw, n));
	else
		fprintf(f, "%9s ", "-");
	if (r->lat_n)
		fprintf(f, "%8.1f %8.1f %8.1f\n", r->lat_p50, r->lat_p99,
			r->lat_p999);
	else
		fprintf(f, "%8s %8s %8s\n", "-", "-", "-");
}

void vqb_print_details(FILE *f, const struct vqb_opts *o,
		       const struct vqb_result *r)
{
	const struct vqb_counts *c = &r->c;
	double sys = sys_ns(r);

	fprintf(f, "  chains %llu in %.3f s; device: kicks %llu (suppressed %llu), calls %llu (suppressed %llu), worker runs %llu, budget exhausted %llu\n",
		(unsigned long long)c->chains, r->seconds,
		(unsigned long long)c->dev_kicks,
		(unsigned long long)c->dev_kicks_suppressed,
		(unsigned long long)c->dev_calls,
		(unsigned long long)c->dev_calls_suppressed,
		(unsigned long long)c->dev_runs,
		(unsigned long long)c->dev_budget_exhausted);
	fprintf(f, "  driver: kicks %llu (suppressed %llu), call reads %llu, sleeps %llu; cpu driver %.3f s, kworker %.3f s, /proc/stat kernel %.3f s; load %.2f -> %.2f\n",
		(unsigned long long)c->drv_kicks,
		(unsigned long long)c->drv_kicks_suppressed,
		(unsigned long long)c->drv_calls,
		(unsigned long long)c->drv_waits, drv_ns(r) / 1e9,
		kw_ns(r) / 1e9, sys / 1e9, r->before.load1, r->after.load1);
	fprintf(f, "  longest wait for a completion: %.3f ms\n", r->max_gap_ms);
	fprintf(f, "  scheduling per chain: driver %.3f voluntary + %.3f involuntary context switches, kworker %.3f timeslices, IPIs %.3f resched + %.3f call\n",
		per(r->after.self_vcsw - r->before.self_vcsw, c->chains),
		per(r->after.self_ivcsw - r->before.self_ivcsw, c->chains),
		per(r->after.kworker_slices - r->before.kworker_slices,
		    c->chains),
		per(r->after.ipi_res - r->before.ipi_res, c->chains),
		per(r->after.ipi_cal - r->before.ipi_cal, c->chains));
	if (r->lat_n)
		fprintf(f, "  latency: %llu round trips, p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
			(unsigned long long)r->lat_n, r->lat_p50, r->lat_p99,
			r->lat_p999, r->lat_max);
	(void)o;
}

/* A JSON string with the few escapes our strings can need. */
void vqb_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void vqb_print_json(FILE *f, const struct vqb_opts *o,
		    const struct vqb_result *r)
{
	const struct vqb_counts *c = &r->c;
	uint64_t n = c->chains;
	double kw = kw_ns(r), sys = sys_ns(r);

	fprintf(f, "{\"type\":\"run\",\"label\":");
	vqb_json_str(f, o->label ? o->label : "");
	fprintf(f, ",\"behaviour\":\"%s\",\"num\":%u,\"n_out\":%u,\"out_size\":%u,\"n_in\":%u,\"in_size\":%u",
		vq_behaviour_name(o->behaviour), o->num, o->n_out, o->out_size,
		o->n_in, o->in_size);
	fprintf(f, ",\"batch\":%u,\"loop\":\"%s\",\"wait\":\"%s\",\"event_idx\":%s,\"indirect\":%s",
		o->batch, vqb_loop_name(o->loop), vqb_wait_name(o->wait),
		o->event_idx ? "true" : "false",
		o->indirect ? "true" : "false");
	fprintf(f, ",\"queues\":%u,\"threads\":%u,\"placement\":\"%s\",\"busy_poll_us\":%u,\"budget_chains\":%u,\"shared_buf\":%s,\"process\":%s,\"inline\":%s",
		o->queues, o->threads, vqb_place_name(o->place),
		o->busy_poll_us, o->budget_chains,
		o->shared_buf ? "true" : "false",
		o->process ? "true" : "false",
		o->inline_kick ? "true" : "false");
	if (r->error) {
		fprintf(f, ",\"error\":%d,\"errmsg\":", r->error);
		vqb_json_str(f, r->errmsg);
		fprintf(f, "}\n");
		return;
	}
	fprintf(f, ",\"chains\":%llu,\"seconds\":%.6f,\"chains_per_sec\":%.1f,\"ns_per_chain\":%.1f",
		(unsigned long long)n, r->seconds, r->chains_per_sec,
		r->ns_per_chain);
	fprintf(f, ",\"kicks\":%llu,\"kicks_suppressed\":%llu,\"calls\":%llu,\"calls_suppressed\":%llu,\"worker_runs\":%llu,\"budget_exhausted\":%llu",
		(unsigned long long)c->dev_kicks,
		(unsigned long long)c->dev_kicks_suppressed,
		(unsigned long long)c->dev_calls,
		(unsigned long long)c->dev_calls_suppressed,
		(unsigned long long)c->dev_runs,
		(unsigned long long)c->dev_budget_exhausted);
	fprintf(f, ",\"kicks_per_chain\":%.6f,\"calls_per_chain\":%.6f,\"runs_per_kick\":%.4f",
		per(c->dev_kicks, n), per(c->dev_calls, n),
		per(c->dev_runs, c->dev_kicks));
	fprintf(f, ",\"drv_kicks\":%llu,\"drv_kicks_suppressed\":%llu,\"drv_call_reads\":%llu,\"drv_sleeps\":%llu",
		(unsigned long long)c->drv_kicks,
		(unsigned long long)c->drv_kicks_suppressed,
		(unsigned long long)c->drv_calls,
		(unsigned long long)c->drv_waits);
	fprintf(f, ",\"drv_user_ns_per_chain\":%.1f,\"drv_sys_ns_per_chain\":%.1f",
		per_d((double)(r->after.self_user_ns - r->before.self_user_ns), n),
		per_d((double)(r->after.self_sys_ns - r->before.self_sys_ns), n));
	fprintf(f, ",\"drv_cpu_ns_per_chain\":%.1f,\"kworker_ns_per_chain\":%.1f,\"kernel_stat_ns_per_chain\":%.1f",
		per_d(drv_ns(r), n), kw >= 0 ? per_d(kw, n) : -1.0,
		sys >= 0 ? per_d(sys, n) : -1.0);
	fprintf(f, ",\"drv_vcsw_per_chain\":%.4f,\"drv_ivcsw_per_chain\":%.4f,\"kworker_slices_per_chain\":%.4f",
		per(r->after.self_vcsw - r->before.self_vcsw, n),
		per(r->after.self_ivcsw - r->before.self_ivcsw, n),
		per(r->after.kworker_slices - r->before.kworker_slices, n));
	if (r->before.ipi_ok && r->after.ipi_ok)
		fprintf(f, ",\"ipi_res_per_chain\":%.4f,\"ipi_cal_per_chain\":%.4f",
			per(r->after.ipi_res - r->before.ipi_res, n),
			per(r->after.ipi_cal - r->before.ipi_cal, n));
	fprintf(f, ",\"max_gap_ms\":%.3f", r->max_gap_ms);
	fprintf(f, ",\"load_before\":%.2f,\"load_after\":%.2f",
		r->before.load1, r->after.load1);
	if (r->lat_n)
		fprintf(f, ",\"lat_n\":%llu,\"lat_p50_us\":%.2f,\"lat_p99_us\":%.2f,\"lat_p999_us\":%.2f,\"lat_max_us\":%.2f",
			(unsigned long long)r->lat_n, r->lat_p50, r->lat_p99,
			r->lat_p999, r->lat_max);
	fprintf(f, "}\n");
}
