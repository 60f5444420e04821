// SPDX-License-Identifier: GPL-2.0
/*
 * vqbench: one run. Opens the device, negotiates the features asked for,
 * maps one buffer area, creates the queues (libvq split queues) and the
 * driver threads, and runs up to three phases, each between two barrier
 * waits so that the main thread can take counters and CPU snapshots while
 * every driver is idle:
 *
 *   warm-up   untimed traffic (--warmup)
 *   main      the measured phase: a chain count per queue or a duration
 *   latency   single-chain round trips on queue 0 (--lat-samples)
 *
 * The call eventfds are created here, blocking: libvq reaps without a
 * read(2) on them then (it drains a non-blocking call eventfd on every
 * reap, one system call per poll), and a sleeping driver reads the
 * eventfd it polled, as virtio_test does.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vqbench.h"

#define REAP_MAX	64
#define STALL_NS	(10ULL * 1000000000ULL)	/* no progress: give up */
#define LAT_MAX		(1U << 20)		/* round trips kept */

/* The buffers of one chain, prepared once. */
struct vqb_set {
	struct iovec iov[VQB_MAX_SEGS];
	unsigned int n_out;
	unsigned int n_in;
	uint32_t used_len;	/* what the device must report */
	uint8_t *wbuf;		/* first writable byte (verify) */
	uint32_t wlen;
};

struct vqb_queue {
	struct vq_split *q;
	uint32_t index;
	int call_fd;
	struct vqb_set *sets;
	uint32_t nsets;
	uint32_t next_set;
	struct vq_chain *chains;	/* burst: one offer_batch array */
	/* driver progress; completed is read by the progress printer */
	uint64_t started;
	uint64_t completed;
	uint64_t target;		/* this phase, 0: until stopped */
	uint64_t started_before;	/* window loop: virtio_test's names */
	uint64_t kicks_seen;		/* --process: libvq's kick count */
	uint32_t tokick;		/* ring loop: offers to the next kick */
	int r;
	uint64_t calls_read;		/* call eventfd counts read */
	uint64_t waits;
	struct vqtest_queue_stats st0;
	struct vq_split_counters dc0;
};

struct vqb_phase {
	enum vqb_loop loop;
	uint32_t batch;
	uint64_t chains;		/* per queue, 0: until stop */
	bool latency;			/* queue 0 only, record round trips */
};

struct vqb_ctx;

struct vqb_thread {
	struct vqb_ctx *ctx;
	pthread_t tid;
	int id;
	int cpu;
	struct vqb_queue **qs;
	unsigned int nq;
	uint64_t *lat;
	uint64_t nlat;
	uint64_t max_gap_ns;		/* longest wait for a completion */
	int error;
	char errmsg[512];
};

struct vqb_ctx {
	const struct vqb_opts *o;
	struct vq_dev *dev;
	uint8_t *buf;
	size_t buf_len;
	uint64_t buf_iova;
	struct vqb_queue *queues;
	struct vqb_thread *threads;
	pthread_barrier_t bar;
	struct vqb_phase phase;
	int stop;			/* atomic */
	int done;			/* atomic: threads done with the phase */
	int quit;			/* atomic: threads exit */
	uint64_t source_off;
};

static void fail(struct vqb_thread *t, int err, const char *what)
{
	if (!t->error) {
		t->error = err ? err : -EIO;
		snprintf(t->errmsg, sizeof(t->errmsg), "thread %d: %s: %s",
			 t->id, what, strerror(-t->error));
	}
	__atomic_store_n(&t->ctx->stop, 1, __ATOMIC_RELAXED);
}

/*
 * No completion for STALL_NS: say what both sides think, so that a lost
 * kick or call can be told from a slow device. The ring fields are read
 * as they are (little-endian hosts).
 */
static int stall(struct vqb_thread *t, struct vqb_queue *bq)
{
	const uint16_t *avail = vq_split_ring_addr(bq->q, VQ_RING_AVAIL, NULL);
	const uint8_t *used = vq_split_ring_addr(bq->q, VQ_RING_USED, NULL);
	uint32_t num = vq_split_size(bq->q);
	struct vqtest_queue_stats st = { 0 };
	struct vq_split_counters dc;
	uint16_t uflags, uidx, aevent;

	vq_split_stats(bq->q, &st);
	vq_split_counters(bq->q, &dc);
	memcpy(&uflags, used, 2);
	memcpy(&uidx, used + 2, 2);
	memcpy(&aevent, used + 4 + 8 * (size_t)num, 2);
	t->error = -ETIMEDOUT;
	snprintf(t->errmsg, sizeof(t->errmsg),
		 "queue %u: no completion for 10 s: driver started %llu completed %llu; avail flags %#x idx %u used_event %u; used flags %#x idx %u avail_event %u; device state %u last_avail %u used %u kicks %llu runs %llu calls %llu suppressed %llu+%llu; driver kicks %llu suppressed %llu",
		 bq->index, (unsigned long long)bq->started,
		 (unsigned long long)bq->completed, avail[0], avail[1],
		 avail[2 + num], uflags, uidx, aevent, st.out_state,
		 st.out_last_avail_idx, st.out_used_idx,
		 (unsigned long long)st.out_counters.kicks,
		 (unsigned long long)st.out_counters.worker_runs,
		 (unsigned long long)st.out_counters.calls,
		 (unsigned long long)st.out_counters.calls_suppressed_flag,
		 (unsigned long long)st.out_counters.calls_suppressed_event,
		 (unsigned long long)dc.kicks,
		 (unsigned long long)dc.kicks_suppressed);
	__atomic_store_n(&t->ctx->stop, 1, __ATOMIC_RELAXED);
	/* a debugging hook: look at the kernel while the stall lasts */
	if (getenv("VQBENCH_STALL_CMD")) {
		fprintf(stderr, "vqbench: %s\nvqbench: running $VQBENCH_STALL_CMD\n",
			t->errmsg);
		if (system(getenv("VQBENCH_STALL_CMD")))
			fprintf(stderr, "vqbench: $VQBENCH_STALL_CMD failed\n");
	}
	return -ETIMEDOUT;
}

/* Progress: note the longest wait for a completion. */
static void progressed(struct vqb_thread *t, uint64_t *last)
{
	uint64_t now = vqb_now_ns();

	if (now - *last > t->max_gap_ns)
		t->max_gap_ns = now - *last;
	*last = now;
}

static int reap(struct vqb_thread *t, struct vqb_queue *bq);

/*
 * Nothing completed for STALL_NS: look once more (a completion may have
 * come with the wakeup that ended the last wait), else give up.
 */
static int check_stall(struct vqb_thread *t, struct vqb_queue *bq,
		       uint64_t *last)
{
	int ret;

	if (vqb_now_ns() - *last <= STALL_NS)
		return 0;
	ret = reap(t, bq);
	if (ret > 0) {
		progressed(t, last);
		return 0;
	}
	return stall(t, bq);
}

static bool stopped(struct vqb_ctx *c)
{
	return __atomic_load_n(&c->stop, __ATOMIC_RELAXED);
}

int vqb_ncpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

static int pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* ------------------------------------------------------------------ */
/* Chains                                                              */
/* ------------------------------------------------------------------ */

static size_t align64(size_t v)
{
	return (v + 63) & ~(size_t)63;
}

/* Bytes one set of buffers takes in the buffer area. */
static size_t set_bytes(const struct vqb_opts *o)
{
	size_t n = (size_t)o->n_out * align64(o->out_size) +
		   (size_t)o->n_in * align64(o->in_size);

	if (o->behaviour == VQTEST_BEH_BLK)
		n += align64(VQB_BLK_HDR) + 64;
	return align64(n);
}

static uint32_t blk_data_len(const struct vqb_opts *o)
{
	return o->blk_op == VQB_BLK_WRITE ? o->n_out * o->out_size :
					    o->n_in * o->in_size;
}

static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

static void set_init(const struct vqb_opts *o, struct vqb_set *s, uint8_t *p,
		     uint32_t set_no)
{
	uint32_t i, n = 0, out_total = 0, in_total = 0;

	memset(s, 0, sizeof(*s));
	if (o->behaviour == VQTEST_BEH_BLK) {
		uint64_t data = blk_data_len(o);
		uint64_t sectors = (o->blk_capacity - data) / 512 + 1;
		uint32_t hdr[4] = {
			o->blk_op == VQB_BLK_WRITE ? 1 : 0, 0,
			0, 0,
		};
		uint64_t sector = ((uint64_t)set_no * (data / 512)) % sectors;

		memcpy(&hdr[2], &sector, sizeof(sector));
		memcpy(p, hdr, sizeof(hdr));
		s->iov[n].iov_base = p;
		s->iov[n++].iov_len = VQB_BLK_HDR;
		p += align64(VQB_BLK_HDR);
	}
	for (i = 0; i < o->n_out; i++) {
		fill_pattern(p, o->out_size, set_no + i);
		s->iov[n].iov_base = p;
		s->iov[n++].iov_len = o->out_size;
		p += align64(o->out_size);
		out_total += o->out_size;
	}
	s->n_out = n;
	s->wbuf = p;
	for (i = 0; i < o->n_in; i++) {
		s->iov[n].iov_base = p;
		s->iov[n++].iov_len = o->in_size;
		p += align64(o->in_size);
		in_total += o->in_size;
	}
	if (o->behaviour == VQTEST_BEH_BLK) {
		s->iov[n].iov_base = p;
		s->iov[n++].iov_len = 1;
	}
	s->n_in = n - s->n_out;
	s->wlen = in_total;

	switch (o->behaviour) {
	case VQTEST_BEH_ECHO:
		s->used_len = out_total < in_total ? out_total : in_total;
		break;
	case VQTEST_BEH_SOURCE:
		s->used_len = in_total;
		break;
	case VQTEST_BEH_BLK:
		s->used_len = o->blk_op == VQB_BLK_READ ? in_total + 1 : 1;
		break;
	default:
		s->used_len = 0;
		break;
	}
}

static int check_completion(struct vqb_thread *t, struct vqb_queue *bq,
			    const struct vq_completion *c)
{
	const struct vqb_opts *o = t->ctx->o;
	const struct vqb_set *s = c->cookie;
	uint32_t i;

	if (c->len != s->used_len) {
		snprintf(t->errmsg, sizeof(t->errmsg),
			 "queue %u: used.len %u, expected %u", bq->index,
			 c->len, s->used_len);
		return -EPROTO;
	}
	if (!o->verify || o->shared_buf)
		return 0;
	if (o->behaviour == VQTEST_BEH_ECHO && o->n_out == 1 && o->n_in == 1 &&
	    memcmp(s->iov[0].iov_base, s->wbuf, s->used_len)) {
		snprintf(t->errmsg, sizeof(t->errmsg),
			 "queue %u: echoed bytes differ", bq->index);
		return -EPROTO;
	}
	if (o->behaviour == VQTEST_BEH_SOURCE && o->n_in == 1) {
		for (i = 1; i < s->wlen; i++)
			if (s->wbuf[i] != (s->wbuf[i - 1] + 1) %
					  VQTEST_SOURCE_PERIOD) {
				snprintf(t->errmsg, sizeof(t->errmsg),
					 "queue %u: source byte %u breaks the pattern",
					 bq->index, i);
				return -EPROTO;
			}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Driver primitives                                                   */
/* ------------------------------------------------------------------ */

/* Reap and free what the device used; the number reaped or -errno. */
static int reap(struct vqb_thread *t, struct vqb_queue *bq)
{
	struct vq_completion c[REAP_MAX];
	int n, i, ret, total = 0;

	do {
		n = vq_split_reap(bq->q, c, REAP_MAX);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			ret = check_completion(t, bq, &c[i]);
			if (ret)
				return ret;
			vq_split_free(bq->q, c[i].head);
		}
		total += n;
	} while (n == REAP_MAX);
	if (total)
		__atomic_store_n(&bq->completed, bq->completed + total,
				 __ATOMIC_RELAXED);
	return total;
}

static struct vqb_set *next_set(struct vqb_queue *bq)
{
	struct vqb_set *s = &bq->sets[bq->next_set];

	if (++bq->next_set == bq->nsets)
		bq->next_set = 0;
	return s;
}

/* Read the call eventfds that poll(2) found readable. */
static void read_calls(struct vqb_queue **qs, struct pollfd *pfd, int n)
{
	uint64_t v;
	int i;

	for (i = 0; i < n; i++)
		if ((pfd[i].revents & POLLIN) &&
		    read(pfd[i].fd, &v, sizeof(v)) == sizeof(v))
			qs[i]->calls_read += v;
}

/* Sleep until one of @qs calls; 0, or -errno. */
static int wait_calls(struct vqb_queue **qs, int n)
{
	struct pollfd pfd[VQB_MAX_QUEUES];
	int i, ret;

	for (i = 0; i < n; i++) {
		pfd[i].fd = qs[i]->call_fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
		qs[i]->waits++;
	}
	ret = poll(pfd, (nfds_t)n, 1000);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	read_calls(qs, pfd, n);
	return 0;
}

/* A reap failed: say why (the device's violation, if it stopped). */
static int queue_broken(struct vqb_thread *t, struct vqb_queue *bq, int err)
{
	struct vqtest_queue_stats st;

	if (!vq_split_stats(bq->q, &st) && st.out_violation)
		snprintf(t->errmsg, sizeof(t->errmsg),
			 "queue %u stopped: %s (desc %#x, ring %u)", bq->index,
			 vq_violation_name(st.out_violation),
			 st.out_violation_desc, st.out_violation_ring);
	else if (!t->errmsg[0])
		snprintf(t->errmsg, sizeof(t->errmsg), "queue %u: reap: %s",
			 bq->index, strerror(-err));
	t->error = err;
	__atomic_store_n(&t->ctx->stop, 1, __ATOMIC_RELAXED);
	return err;
}

/* ------------------------------------------------------------------ */
/* The loops                                                           */
/* ------------------------------------------------------------------ */

static bool queue_done(const struct vqb_queue *bq)
{
	return bq->target && bq->completed >= bq->target;
}

static uint64_t to_start(const struct vqb_queue *bq, uint64_t want)
{
	if (bq->target && bq->target - bq->started < want)
		return bq->target - bq->started;
	return want;
}

/*
 * Burst: offer up to @batch chains on every queue of the thread (one
 * offer_batch each: one avail->idx store, at most one kick), then wait
 * until each queue has used them all.
 */
static int loop_burst(struct vqb_thread *t, const struct vqb_phase *ph)
{
	const struct vqb_opts *o = t->ctx->o;
	struct vqb_queue *waitq[VQB_MAX_QUEUES];
	unsigned int i, k;
	uint64_t last_progress = vqb_now_ns();
	int ret;

	if (o->wait == VQB_WAIT_POLL)
		for (i = 0; i < t->nq; i++)
			vq_split_disable_calls(t->qs[i]->q);
	for (;;) {
		unsigned int active = 0;
		uint64_t t0 = 0;

		if (stopped(t->ctx))
			break;
		if (ph->latency)
			t0 = vqb_now_ns();
		for (i = 0; i < t->nq; i++) {
			struct vqb_queue *bq = t->qs[i];
			uint64_t n = to_start(bq, ph->batch);

			if (!n)
				continue;
			for (k = 0; k < n; k++) {
				struct vqb_set *s = next_set(bq);

				bq->chains[k].iov = s->iov;
				bq->chains[k].n_out = s->n_out;
				bq->chains[k].n_in = s->n_in;
				bq->chains[k].cookie = s;
			}
			ret = vq_split_offer_batch(bq->q, bq->chains,
						   (unsigned int)n, 0);
			if (ret < 0) {
				fail(t, ret, "offer");
				return ret;
			}
			/* a short offer puts the rest back for next time */
			bq->next_set = (uint32_t)((bq->next_set + bq->nsets -
						   (n - (uint64_t)ret)) %
						  bq->nsets);
			bq->started += (uint64_t)ret;
			active++;
			if (o->process) {
				/* the device runs now, in this thread */
				ret = vq_split_process(bq->q, 0, NULL, NULL);
				if (ret)
					return queue_broken(t, bq, ret);
			}
		}
		if (!active)
			break;
		/* wait for everything offered */
		for (;;) {
			int nw = 0;
			bool progress = false;

			for (i = 0; i < t->nq; i++) {
				struct vqb_queue *bq = t->qs[i];

				if (bq->completed == bq->started)
					continue;
				ret = reap(t, bq);
				if (ret < 0)
					return queue_broken(t, bq, ret);
				if (ret)
					progress = true;
				if (bq->completed != bq->started)
					waitq[nw++] = bq;
			}
			if (!nw)
				break;
			if (progress) {
				progressed(t, &last_progress);
				continue;
			}
			if (o->wait == VQB_WAIT_SLEEP) {
				ret = wait_calls(waitq, nw);
				if (ret) {
					fail(t, ret, "poll");
					return ret;
				}
			}
			ret = check_stall(t, waitq[0], &last_progress);
			if (ret)
				return ret;
			if (stopped(t->ctx) && t->error)
				return t->error;
		}
		if (ph->latency && t->nlat < LAT_MAX)
			t->lat[t->nlat++] = vqb_now_ns() - t0;
	}
	return 0;
}

/*
 * --process has no kick eventfd: where libvq decided to kick after an
 * offer (its kick counter moved), the driver runs the device itself.
 */
static bool kick_wanted(struct vqb_queue *bq)
{
	struct vq_split_counters c;

	vq_split_counters(bq->q, &c);
	if (c.kicks == bq->kicks_seen)
		return false;
	bq->kicks_seen = c.kicks;
	return true;
}

/*
 * virtio_test's run_test(), on libvq: same window, same kick decision per
 * offer (kick_prepare after each chain), same "spin while anything moved,
 * then enable calls and sleep" structure, so that kicks and calls per
 * chain compare one to one with vhost_test.
 */
static int loop_window(struct vqb_thread *t, const struct vqb_phase *ph)
{
	struct vqb_queue *waitq[VQB_MAX_QUEUES];
	uint64_t last_progress = vqb_now_ns();
	unsigned int i;
	int ret;

	for (i = 0; i < t->nq; i++)
		t->qs[i]->r = 0;
	for (;;) {
		bool again, all_done = true;
		int nw = 0, notdone = 0;

		for (i = 0; i < t->nq; i++) {
			vq_split_disable_calls(t->qs[i]->q);
			t->qs[i]->started_before = t->qs[i]->started;
		}
		do {
			again = false;
			for (i = 0; i < t->nq; i++) {
				struct vqb_queue *bq = t->qs[i];

				if (queue_done(bq))
					continue;
				while (to_start(bq, 1) &&
				       bq->started - bq->completed < ph->batch) {
					struct vqb_set *s = next_set(bq);

					ret = vq_split_offer(bq->q, s->iov,
							     s->n_out, s->n_in,
							     s, 0);
					if (ret < 0) {
						bq->next_set = (bq->next_set +
							bq->nsets - 1) %
							bq->nsets;
						if (ret != -ENOSPC) {
							fail(t, ret, "offer");
							return ret;
						}
						bq->r = bq->started >
							bq->started_before ?
							0 : -1;
						break;
					}
					bq->started++;
					bq->r = 0;
					if (t->ctx->o->process &&
					    kick_wanted(bq)) {
						ret = vq_split_process(bq->q, 0,
								       NULL,
								       NULL);
						if (ret)
							return queue_broken(t,
								bq, ret);
					}
				}
				if (!to_start(bq, 1))
					bq->r = -1;
				ret = reap(t, bq);
				if (ret < 0)
					return queue_broken(t, bq, ret);
				if (ret) {
					bq->r = 0;
					progressed(t, &last_progress);
				}
				if (bq->r == 0)
					again = true;
			}
		} while (again && !stopped(t->ctx));
		if (stopped(t->ctx))
			break;	/* drain() takes back what is in flight */

		for (i = 0; i < t->nq; i++) {
			struct vqb_queue *bq = t->qs[i];

			if (queue_done(bq))
				continue;
			all_done = false;
			notdone++;
			/* 1: used elements wait already, no call will come */
			ret = vq_split_enable_calls(bq->q);
			if (ret < 0) {
				fail(t, ret, "enable calls");
				return ret;
			}
			if (!ret)
				waitq[nw++] = bq;
		}
		if (all_done)
			break;
		/* virtio_test sleeps when enable_cb says nothing is pending */
		if (nw == notdone) {
			ret = wait_calls(waitq, nw);
			if (ret) {
				fail(t, ret, "poll");
				return ret;
			}
		}
		ret = check_stall(t, nw ? waitq[0] : t->qs[0], &last_progress);
		if (ret)
			return ret;
	}
	return 0;
}

/* Ring loop: notify the device of the chains offered since the last kick. */
static int ring_kick(struct vqb_thread *t, struct vqb_queue *bq,
		     const struct vqb_phase *ph)
{
	int ret;

	bq->tokick = ph->batch;
	ret = vq_split_kick(bq->q);
	if (!ret && t->ctx->o->process && kick_wanted(bq))
		ret = vq_split_process(bq->q, 0, NULL, NULL);
	return ret;
}

/* Ring loop: take one used element back, as ringtest's get_buf(). */
static int reap_one(struct vqb_thread *t, struct vqb_queue *bq)
{
	struct vq_completion c;
	int n, ret;

	n = vq_split_reap(bq->q, &c, 1);
	if (n <= 0)
		return n;
	ret = check_completion(t, bq, &c);
	if (ret)
		return ret;
	vq_split_free(bq->q, c.head);
	__atomic_store_n(&bq->completed, bq->completed + 1, __ATOMIC_RELAXED);
	return 1;
}

/*
 * tools/virtio/ringtest's run_guest(), on libvq: one offer and one reap
 * in turn while either moves, the ring bounding what is in flight, a kick
 * every @batch offers; then sleep on the call eventfd (--wait sleep) or
 * spin (--wait poll). ringtest's device polls in its poll mode; vqtest's
 * needs kicks, so they are sent in both modes. Where ringtest would
 * deadlock (the ring full, or the last offers, short of a batch) the loop
 * kicks early.
 */
static int loop_ring(struct vqb_thread *t, const struct vqb_phase *ph)
{
	const struct vqb_opts *o = t->ctx->o;
	struct vqb_queue *waitq[VQB_MAX_QUEUES];
	uint64_t last_progress = vqb_now_ns();
	unsigned int i;
	int ret;

	for (i = 0; i < t->nq; i++)
		t->qs[i]->tokick = ph->batch;
	for (;;) {
		bool again, all_done = true;
		int nw = 0, notdone = 0;

		if (o->wait == VQB_WAIT_SLEEP)
			for (i = 0; i < t->nq; i++)
				vq_split_disable_calls(t->qs[i]->q);
		do {
			again = false;
			for (i = 0; i < t->nq; i++) {
				struct vqb_queue *bq = t->qs[i];
				bool moved = false;

				if (queue_done(bq))
					continue;
				if (to_start(bq, 1)) {
					struct vqb_set *s = next_set(bq);

					ret = vq_split_offer(bq->q, s->iov,
							     s->n_out, s->n_in,
							     s, VQ_OFFER_NO_KICK);
					if (ret == -ENOSPC) {
						bq->next_set = (bq->next_set +
							bq->nsets - 1) %
							bq->nsets;
						/* full: what it holds must go */
						if (bq->tokick != ph->batch)
							ret = ring_kick(t, bq, ph);
						else
							ret = 0;
					} else if (ret >= 0) {
						bq->started++;
						moved = true;
						ret = 0;
						if (!--bq->tokick ||
						    !to_start(bq, 1))
							ret = ring_kick(t, bq,
									ph);
					}
					if (ret < 0) {
						fail(t, ret, "offer/kick");
						return ret;
					}
				}
				ret = reap_one(t, bq);
				if (ret < 0)
					return queue_broken(t, bq, ret);
				if (ret) {
					moved = true;
					progressed(t, &last_progress);
				}
				if (moved)
					again = true;
			}
		} while (again && !stopped(t->ctx));
		if (stopped(t->ctx))
			break;	/* drain() takes back what is in flight */

		for (i = 0; i < t->nq; i++) {
			struct vqb_queue *bq = t->qs[i];

			if (queue_done(bq))
				continue;
			all_done = false;
			notdone++;
			if (o->wait != VQB_WAIT_SLEEP)
				continue;
			ret = vq_split_enable_calls(bq->q);
			if (ret < 0) {
				fail(t, ret, "enable calls");
				return ret;
			}
			if (!ret)
				waitq[nw++] = bq;
		}
		if (all_done)
			break;
		if (nw && nw == notdone) {
			ret = wait_calls(waitq, nw);
			if (ret) {
				fail(t, ret, "poll");
				return ret;
			}
		}
		ret = check_stall(t, nw ? waitq[0] : t->qs[0], &last_progress);
		if (ret)
			return ret;
	}
	return 0;
}

/* After a stop: take back what is still in flight so the phase ends clean. */
static void drain(struct vqb_thread *t)
{
	uint64_t start = vqb_now_ns();
	unsigned int i;

	for (i = 0; i < t->nq; i++) {
		struct vqb_queue *bq = t->qs[i];

		vq_split_enable_calls(bq->q);
		while (bq->completed != bq->started && !t->error) {
			int ret = reap(t, bq);

			if (ret < 0) {
				queue_broken(t, bq, ret);
				break;
			}
			if (!ret) {
				struct vqb_queue *one[1] = { bq };

				wait_calls(one, 1);
			}
			if (vqb_now_ns() - start > STALL_NS) {
				fail(t, -ETIMEDOUT, "drain");
				break;
			}
		}
	}
}

static void *thread_main(void *arg)
{
	struct vqb_thread *t = arg;
	struct vqb_ctx *c = t->ctx;
	int ret;

	ret = pin_self(t->cpu);
	if (ret)
		fail(t, ret, "sched_setaffinity");
	for (;;) {
		struct vqb_phase ph;
		unsigned int i;

		pthread_barrier_wait(&c->bar);		/* phase start */
		if (__atomic_load_n(&c->quit, __ATOMIC_RELAXED))
			break;
		ph = c->phase;
		t->max_gap_ns = 0;
		for (i = 0; i < t->nq; i++) {
			struct vqb_queue *bq = t->qs[i];

			bq->target = ph.chains ? bq->started + ph.chains : 0;
			if (ph.latency && bq->index != 0)
				bq->target = bq->started;
		}
		if (!t->error && !(ph.latency && t->id != 0)) {
			if (ph.loop == VQB_LOOP_WINDOW)
				loop_window(t, &ph);
			else if (ph.loop == VQB_LOOP_RING)
				loop_ring(t, &ph);
			else
				loop_burst(t, &ph);
			if (!t->error)
				drain(t);
		}
		__atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
		pthread_barrier_wait(&c->bar);		/* phase end */
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Setup and the phases                                                */
/* ------------------------------------------------------------------ */

static int thread_cpu(const struct vqb_opts *o, int t, int ncpu)
{
	if (o->ndriver_cpus)
		return o->driver_cpus[t % o->ndriver_cpus];
	if (o->place == VQB_PLACE_ANY)
		return -1;
	return t % ncpu;
}

static int worker_cpu(const struct vqb_opts *o, int t, int ncpu)
{
	int d = thread_cpu(o, t, ncpu);

	if (o->nworker_cpus)
		return o->worker_cpus[t % o->nworker_cpus];
	switch (o->place) {
	case VQB_PLACE_SAME:
		return d;
	case VQB_PLACE_SPLIT:
		return ((d < 0 ? t : d) + 1) % ncpu;
	default:
		return VQTEST_CPU_ANY;
	}
}

static int setup(struct vqb_ctx *c, struct vqb_result *res)
{
	const struct vqb_opts *o = c->o;
	struct vqtest_info info;
	uint64_t feat = 1ULL << VQTEST_F_VERSION_1;
	size_t sb = set_bytes(o);
	uint32_t nsets = o->shared_buf ? 1 : o->num;
	int ncpu = vqb_ncpus();
	uint32_t qi, i;
	int ret;

	ret = vqb_dev_open(o->dev_path, &c->dev);
	if (ret) {
		snprintf(res->errmsg, sizeof(res->errmsg), "open %s: %s",
			 o->dev_path ? o->dev_path : vqb_dev_default,
			 strerror(-ret));
		return ret;
	}
	ret = vq_get_info(c->dev, &info);
	if (ret)
		return ret;
	if (!(info.out_behaviours & (1U << o->behaviour))) {
		snprintf(res->errmsg, sizeof(res->errmsg),
			 "behaviour %s not offered by this module",
			 vq_behaviour_name(o->behaviour));
		return -EOPNOTSUPP;
	}
	if (o->event_idx)
		feat |= 1ULL << VQTEST_F_EVENT_IDX;
	if (o->indirect)
		feat |= 1ULL << VQTEST_F_INDIRECT_DESC;
	ret = vq_set_features(c->dev, feat & info.out_device_features);
	if (ret) {
		snprintf(res->errmsg, sizeof(res->errmsg), "set features: %s",
			 strerror(-ret));
		return ret;
	}

	c->buf_len = (sb * nsets * o->queues + 4095) & ~(size_t)4095;
	c->buf = mmap(NULL, c->buf_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->buf == MAP_FAILED) {
		c->buf = NULL;
		return -errno;
	}
	ret = vq_map(c->dev, c->buf, c->buf_len, 0, &c->buf_iova);
	if (ret) {
		snprintf(res->errmsg, sizeof(res->errmsg),
			 "map %zu buffer bytes: %s", c->buf_len,
			 strerror(-ret));
		return ret;
	}

	c->queues = calloc(o->queues, sizeof(*c->queues));
	c->threads = calloc(o->threads, sizeof(*c->threads));
	if (!c->queues || !c->threads)
		return -ENOMEM;
	for (i = 0; i < o->threads; i++) {
		struct vqb_thread *t = &c->threads[i];

		t->ctx = c;
		t->id = (int)i;
		t->cpu = thread_cpu(o, (int)i, ncpu);
		t->qs = calloc(o->queues / o->threads + 1, sizeof(*t->qs));
		if (!t->qs)
			return -ENOMEM;
	}
	for (qi = 0; qi < o->queues; qi++) {
		struct vqb_queue *bq = &c->queues[qi];
		struct vqb_thread *t = &c->threads[qi % o->threads];
		struct vq_split_opts so;

		bq->index = qi;
		bq->nsets = nsets;
		bq->sets = calloc(nsets, sizeof(*bq->sets));
		bq->chains = calloc(o->batch, sizeof(*bq->chains));
		if (!bq->sets || !bq->chains)
			return -ENOMEM;
		for (i = 0; i < nsets; i++)
			set_init(o, &bq->sets[i],
				 c->buf + ((size_t)qi * nsets + i) * sb, i);
		bq->call_fd = eventfd(0, EFD_CLOEXEC);
		if (bq->call_fd < 0)
			return -errno;

		vq_split_opts_init(&so);
		if (o->process)
			so.kick_fd = VQTEST_NO_FD;
		so.index = qi;
		so.num = o->num;
		so.behaviour = o->behaviour;
		so.call_fd = bq->call_fd;
		so.cpu = o->inline_kick ? VQTEST_CPU_ANY :
					  worker_cpu(o, t->id, ncpu);
		so.busy_poll_us = o->busy_poll_us;
		so.budget_chains = o->budget_chains;
		so.queue_flags = o->checksum ? VQTEST_QUEUE_F_CHECKSUM : 0;
		if (o->inline_kick)
			so.queue_flags |= VQTEST_QUEUE_F_INLINE;
		if (o->behaviour == VQTEST_BEH_BLK)
			so.blk_capacity = o->blk_capacity;
		ret = vq_split_create(c->dev, &so, &bq->q);
		if (ret) {
			snprintf(res->errmsg, sizeof(res->errmsg),
				 "create queue %u: %s", qi, strerror(-ret));
			return ret;
		}
		if (vq_split_size(bq->q) != o->num) {
			snprintf(res->errmsg, sizeof(res->errmsg),
				 "queue size %u, asked for %u",
				 vq_split_size(bq->q), o->num);
			return -EINVAL;
		}
		t->qs[t->nq++] = bq;
	}
	c->threads[0].lat = calloc(LAT_MAX, sizeof(uint64_t));
	if (!c->threads[0].lat)
		return -ENOMEM;
	return 0;
}

static void teardown(struct vqb_ctx *c)
{
	uint32_t i;

	if (c->queues) {
		for (i = 0; i < c->o->queues; i++) {
			struct vqb_queue *bq = &c->queues[i];

			if (bq->q)
				vq_split_close(bq->q);
			if (bq->call_fd > 0)
				close(bq->call_fd);
			free(bq->sets);
			free(bq->chains);
		}
		free(c->queues);
	}
	if (c->threads) {
		for (i = 0; i < c->o->threads; i++) {
			free(c->threads[i].qs);
			free(c->threads[i].lat);
		}
		free(c->threads);
	}
	if (c->buf) {
		if (c->dev)
			vq_unmap(c->dev, c->buf_iova, c->buf_len);
		munmap(c->buf, c->buf_len);
	}
	if (c->dev)
		vq_dev_close(c->dev);
}

static uint64_t total_completed(struct vqb_ctx *c)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < c->o->queues; i++)
		n += __atomic_load_n(&c->queues[i].completed, __ATOMIC_RELAXED);
	return n;
}

static void progress_line(struct vqb_ctx *c, uint64_t t0, uint64_t base,
			   uint64_t *last_ns, uint64_t *last_n, bool tty)
{
	uint64_t now = vqb_now_ns(), n = total_completed(c) - base;
	double dt = (double)(now - *last_ns) / 1e9;

	if (dt < 1.0)
		return;
	fprintf(stderr, "%svqbench: %6.1fs %12llu chains %10.0f chains/s%s",
		tty ? "\r" : "", (double)(now - t0) / 1e9,
		(unsigned long long)n, (double)(n - *last_n) / dt,
		tty ? "" : "\n");
	fflush(stderr);
	*last_ns = now;
	*last_n = n;
}

/* Run one phase; returns when every thread has passed its end barrier. */
static void run_phase(struct vqb_ctx *c, const struct vqb_phase *ph,
		      double duration, bool progress)
{
	bool tty = isatty(STDERR_FILENO);
	uint64_t t0, last_ns, base, last_n = 0;

	c->phase = *ph;
	__atomic_store_n(&c->stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->done, 0, __ATOMIC_RELAXED);
	base = total_completed(c);
	pthread_barrier_wait(&c->bar);
	t0 = last_ns = vqb_now_ns();
	if (duration > 0 || progress) {
		uint64_t end = t0 + (uint64_t)(duration * 1e9);

		while (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) <
		       (int)c->o->threads) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			if (duration > 0 && vqb_now_ns() >= end)
				__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
			if (progress)
				progress_line(c, t0, base, &last_ns, &last_n,
					      tty);
			nanosleep(&ts, NULL);
		}
		if (progress && tty)
			fputc('\n', stderr);
	}
	pthread_barrier_wait(&c->bar);
}

static void snap_counters(struct vqb_ctx *c)
{
	uint32_t i;

	for (i = 0; i < c->o->queues; i++) {
		struct vqb_queue *bq = &c->queues[i];

		vq_split_stats(bq->q, &bq->st0);
		vq_split_counters(bq->q, &bq->dc0);
		bq->calls_read = 0;
		bq->waits = 0;
	}
}

static void sum_counters(struct vqb_ctx *c, struct vqb_counts *k,
			 const uint64_t *completed0)
{
	uint32_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < c->o->queues; i++) {
		struct vqb_queue *bq = &c->queues[i];
		const struct vqtest_counters *a = &bq->st0.out_counters;
		struct vqtest_queue_stats st;
		struct vq_split_counters dc;

		vq_split_stats(bq->q, &st);
		vq_split_counters(bq->q, &dc);
		k->chains += bq->completed - completed0[i];
		k->dev_kicks += st.out_counters.kicks - a->kicks;
		k->dev_kicks_suppressed += st.out_counters.kicks_suppressed -
					   a->kicks_suppressed;
		k->dev_calls += st.out_counters.calls - a->calls;
		k->dev_calls_suppressed +=
			st.out_counters.calls_suppressed_flag -
			a->calls_suppressed_flag +
			st.out_counters.calls_suppressed_event -
			a->calls_suppressed_event;
		k->dev_runs += st.out_counters.worker_runs - a->worker_runs;
		k->dev_budget_exhausted += st.out_counters.budget_exhausted -
					   a->budget_exhausted;
		k->dev_chains += st.out_counters.chains - a->chains;
		k->drv_kicks += dc.kicks - bq->dc0.kicks;
		k->drv_kicks_suppressed += dc.kicks_suppressed -
					   bq->dc0.kicks_suppressed;
		k->drv_calls += bq->calls_read;
		k->drv_spurious += dc.spurious_calls - bq->dc0.spurious_calls;
		k->drv_waits += bq->waits;
	}
}

static int collect_error(struct vqb_ctx *c, struct vqb_result *res)
{
	uint32_t i;

	for (i = 0; i < c->o->threads; i++)
		if (c->threads[i].error) {
			res->error = c->threads[i].error;
			snprintf(res->errmsg, sizeof(res->errmsg), "%s",
				 c->threads[i].errmsg);
			return res->error;
		}
	return 0;
}

/**
 * vqb_run() - one benchmark run as configured by @o
 * @o: the options
 * @res: filled with the measurements (and the error, if any)
 *
 * Return: 0 or -errno (then @res->errmsg says what failed).
 */
int vqb_run(const struct vqb_opts *o, struct vqb_result *res)
{
	struct vqb_ctx c = { .o = o };
	uint64_t *completed0 = NULL;
	bool progress;
	uint32_t i, started = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	progress = o->progress > 0 ||
		   (o->progress < 0 && isatty(STDERR_FILENO));
	ret = setup(&c, res);
	if (ret)
		goto out;
	completed0 = calloc(o->queues, sizeof(*completed0));
	if (!completed0) {
		ret = -ENOMEM;
		goto out;
	}
	pthread_barrier_init(&c.bar, NULL, o->threads + 1);
	for (i = 0; i < o->threads; i++) {
		ret = -pthread_create(&c.threads[i].tid, NULL, thread_main,
				      &c.threads[i]);
		if (ret)
			break;
		started++;
	}
	if (started < o->threads) {
		/* the barrier counts every thread: cannot run short */
		snprintf(res->errmsg, sizeof(res->errmsg), "pthread_create: %s",
			 strerror(-ret));
		for (i = 0; i < started; i++)
			pthread_cancel(c.threads[i].tid);
		goto out;
	}

	if (o->warmup > 0) {
		struct vqb_phase w = { o->loop, o->batch, 0, false };

		run_phase(&c, &w, o->warmup, false);
	}
	if (!collect_error(&c, res)) {
		struct vqb_phase m = { o->loop, o->batch, o->chains, false };

		snap_counters(&c);
		for (i = 0; i < o->queues; i++)
			completed0[i] = c.queues[i].completed;
		vqb_cpu_snap(&res->before);
		run_phase(&c, &m, o->chains ? 0 : o->duration, progress);
		vqb_cpu_snap(&res->after);
		sum_counters(&c, &res->c, completed0);
		for (i = 0; i < o->threads; i++)
			if (c.threads[i].max_gap_ns / 1e6 > res->max_gap_ms)
				res->max_gap_ms = c.threads[i].max_gap_ns / 1e6;
	}
	if (!collect_error(&c, res) && o->lat_samples) {
		struct vqb_phase l = { VQB_LOOP_BURST, 1, o->lat_samples, true };

		c.threads[0].nlat = 0;
		run_phase(&c, &l, 0, false);
		vqb_lat_percentiles(c.threads[0].lat, c.threads[0].nlat, res);
	}
	collect_error(&c, res);

	__atomic_store_n(&c.quit, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&c.bar);
	for (i = 0; i < o->threads; i++)
		pthread_join(c.threads[i].tid, NULL);
	pthread_barrier_destroy(&c.bar);

	res->seconds = (double)(res->after.wall_ns - res->before.wall_ns) / 1e9;
	if (res->seconds > 0 && res->c.chains) {
		res->chains_per_sec = (double)res->c.chains / res->seconds;
		res->ns_per_chain = res->seconds * 1e9 / (double)res->c.chains;
	}
	ret = res->error;
out:
	if (ret && !res->error)
		res->error = ret;
	free(completed0);
	teardown(&c);
	return res->error;
}
