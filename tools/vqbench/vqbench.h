/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqbench: throughput and latency of the vqtest device, driven by libvq.
 * Shared definitions of vqbench's files.
 */
#ifndef VQBENCH_H
#define VQBENCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include <vq/libvq.h>

#define VQB_MAX_CPUS		256
#define VQB_MAX_QUEUES		60	/* libvq maps each queue: 64 regions */
#define VQB_MAX_SEGS		64
#define VQB_MAX_BATCHES		32
#define VQB_BLK_HDR		16

/* How the driver threads feed their queues. */
enum vqb_loop {
	/*
	 * Offer @batch chains with one avail->idx update and at most one
	 * kick, wait until all of them are used, repeat: "chains per kick".
	 */
	VQB_LOOP_BURST,
	/*
	 * tools/virtio/virtio_test's loop: keep up to @batch chains in
	 * flight, offer them one by one (each offer decides on a kick as
	 * virtqueue_kick does), reap while spinning, and sleep on the call
	 * eventfd only when no progress was made. The loop the comparison
	 * with vhost_test uses.
	 */
	VQB_LOOP_WINDOW,
	/*
	 * tools/virtio/ringtest's guest loop: offer one chain and reap one
	 * used element in turn, the ring limits what is in flight, kick every
	 * @batch offers; with --wait sleep, sleep on the call eventfd when
	 * neither can go on. The loop the comparison with ringtest uses.
	 */
	VQB_LOOP_RING,
};

/* How a driver waits for completions. */
enum vqb_wait {
	VQB_WAIT_SLEEP,		/* calls enabled, poll(2) on the call eventfd */
	VQB_WAIT_POLL,		/* calls disabled, spin on used->idx */
};

/* Where driver threads and device workers run. */
enum vqb_place {
	VQB_PLACE_ANY,		/* no pinning, worker on the kicking CPU */
	VQB_PLACE_SAME,		/* thread i and its workers on CPU i */
	VQB_PLACE_SPLIT,	/* thread i on CPU i, its workers on CPU i + 1 */
};

enum vqb_blk_op {
	VQB_BLK_WRITE,
	VQB_BLK_READ,
};

/**
 * struct vqb_opts - one benchmark configuration
 */
struct vqb_opts {
	uint32_t behaviour;	/* enum vqtest_behaviour */
	uint32_t num;		/* ring size */
	uint32_t n_out;		/* device-readable buffers per chain */
	uint32_t out_size;	/* bytes each */
	uint32_t n_in;		/* device-writable buffers per chain */
	uint32_t in_size;	/* bytes each */
	bool shape_set;		/* --out/--in given: no behaviour default */
	uint32_t batch;
	enum vqb_loop loop;
	enum vqb_wait wait;
	bool event_idx;
	bool indirect;
	bool in_order;
	uint32_t queues;
	uint32_t threads;
	enum vqb_place place;
	int ndriver_cpus;
	int driver_cpus[VQB_MAX_CPUS];	/* --driver-cpu list */
	int nworker_cpus;
	int worker_cpus[VQB_MAX_CPUS];	/* --worker-cpu list */
	uint64_t chains;	/* per queue; 0 with a duration */
	double duration;	/* seconds; 0 with a chain count */
	double warmup;		/* seconds of untimed traffic first */
	bool process;		/* no kick eventfd: QUEUE_PROCESS after offers */
	bool inline_kick;	/* VQTEST_QUEUE_F_INLINE */
	uint32_t busy_poll_us;
	uint32_t budget_chains;
	bool checksum;		/* sink reads every byte (QUEUE_F_CHECKSUM) */
	bool shared_buf;	/* every chain uses the same buffers */
	bool verify;		/* check used.len and echo/source bytes */
	uint32_t lat_samples;	/* single-chain round trips after the run */
	enum vqb_blk_op blk_op;
	uint64_t blk_capacity;
	/* output */
	bool json;
	bool quiet;		/* no human table */
	int progress;		/* -1 auto (a tty), 0 off, 1 on */
	const char *label;
	const char *dev_path;
};

/* Counters of one run, summed over queues. */
struct vqb_counts {
	uint64_t chains;	/* completed by the driver */
	uint64_t dev_kicks;
	uint64_t dev_kicks_suppressed;
	uint64_t dev_calls;
	uint64_t dev_calls_suppressed;
	uint64_t dev_runs;
	uint64_t dev_budget_exhausted;
	uint64_t dev_chains;
	uint64_t drv_kicks;
	uint64_t drv_kicks_suppressed;
	uint64_t drv_calls;
	uint64_t drv_spurious;
	uint64_t drv_waits;	/* times a driver slept on call eventfds */
};

/* CPU time snapshots (see measure.c for the methods). */
struct vqb_cpu {
	uint64_t wall_ns;
	uint64_t self_user_ns;	/* getrusage(RUSAGE_SELF) */
	uint64_t self_sys_ns;
	uint64_t self_vcsw;	/* voluntary context switches (slept) */
	uint64_t self_ivcsw;	/* involuntary ones (preempted) */
	uint64_t kworker_ns;	/* sum of kworker /proc/PID/schedstat */
	uint64_t kworker_slices;	/* ... and of its timeslice count */
	bool kworker_ok;
	uint64_t stat_busy_ns;	/* /proc/stat: all CPUs, non-idle */
	uint64_t stat_sys_ns;	/* /proc/stat: system + irq + softirq */
	bool stat_ok;
	double load1;		/* /proc/loadavg */
	uint64_t ipi_res;	/* /proc/interrupts RES: rescheduling IPIs */
	uint64_t ipi_cal;	/* /proc/interrupts CAL: function call IPIs */
	bool ipi_ok;
};

/**
 * struct vqb_result - what one run measured
 */
struct vqb_result {
	struct vqb_counts c;
	struct vqb_cpu before;
	struct vqb_cpu after;
	double seconds;
	double chains_per_sec;
	double ns_per_chain;
	/* latency of single-chain round trips, microseconds (0: none) */
	uint64_t lat_n;
	double lat_p50;
	double lat_p99;
	double lat_p999;
	double lat_max;
	double max_gap_ms;	/* longest a driver waited for any completion */
	int error;		/* 0 or -errno */
	char errmsg[512];
};

/* vqbench.c */
extern const char *vqb_dev_default;
int vqb_dev_open(const char *path, struct vq_dev **dev);
int vqb_opts_parse(const char *line, struct vqb_opts *o);

/* bench.c: set up queues and threads, run, collect */
int vqb_run(const struct vqb_opts *o, struct vqb_result *res);
int vqb_ncpus(void);

/* measure.c */
uint64_t vqb_now_ns(void);
void vqb_cpu_snap(struct vqb_cpu *s);
void vqb_lat_percentiles(uint64_t *ns, uint64_t n, struct vqb_result *r);

/* report.c */
void vqb_print_header(FILE *f);
void vqb_print_row(FILE *f, const struct vqb_opts *o,
		   const struct vqb_result *r);
void vqb_print_details(FILE *f, const struct vqb_opts *o,
		       const struct vqb_result *r);
void vqb_print_json(FILE *f, const struct vqb_opts *o,
		    const struct vqb_result *r);
const char *vqb_loop_name(enum vqb_loop l);
const char *vqb_wait_name(enum vqb_wait w);
const char *vqb_place_name(enum vqb_place p);
void vqb_json_str(FILE *f, const char *s);

/* lifecycle.c: create and destroy many queues, time and slab */
int vqb_lifecycle(int argc, char **argv);

/* sweep.c: chains/s against batch, with a gnuplot PNG */
int vqb_sweep(const struct vqb_opts *base, const uint32_t *batches,
	      int nbatch, int reps, const char *plot, const char *data);

/* timecmd.c: time another benchmark on vqbench's clocks */
int vqb_time(int argc, char **argv);

/* selftest.c: a short kselftest-style smoke run */
int vqb_selftest(int argc, char **argv);

#endif /* VQBENCH_H */
