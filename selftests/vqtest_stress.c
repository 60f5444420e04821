// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest_stress: a hostile driver against /dev/vqtest, bounded in time
 * (VQTEST_STRESS_SECONDS, default 60; VQTEST_STRESS_SEED picks the random
 * sequence, printed at the start).
 *
 * Sessions run as processes, two at a time. Each opens a device, negotiates
 * random features and runs, on several queues at once:
 *
 *  - honest drivers (one thread per queue): echo or checksumming sink
 *    traffic of random shapes with real kick and call eventfds, every byte
 *    checked; now and then they quiesce and prove the counters exact
 *    (chains == used == completions seen, kicks == eventfd writes, calls ==
 *    call eventfd total, bytes), then destroy and recreate the queue with
 *    new eventfds (the old ones closed first), reset it with chains pending
 *    (out_dropped plus what was completed == what was offered) or move its
 *    indices (QUEUE_SET_INDICES);
 *  - hostile threads that rewrite descriptors, flags, indices, the avail
 *    ring, indirect tables and the device-owned used ring of other queues
 *    while the worker walks them, flip fields in tight loops and kick;
 *  - a lifecycle thread: queue reset, destroy and recreate mid-run,
 *    SET_INDICES, QUEUE_PROCESS, eventfds closed and replaced, UNMAP of
 *    regions holding rings (must be EBUSY), UNMAP and MAP of a buffer
 *    region in use, munmap (mmap MAP_FIXED over) registered memory, fork
 *    of children that use the device and map memory of their own, and the
 *    counter invariants of every queue (below).
 *
 * A session ends by closing the device fd while kicks are still being
 * written, or by SIGKILL at a random time (a process owning a device
 * dies), or it is an unprivileged session: uid 65534 with RLIMIT_MEMLOCK at
 * 32 pages, two devices mapping and unmapping from several threads right at
 * the limit (exactly 32 one-page maps succeed; VmLck never passes the limit
 * and returns to 0).
 *
 * Invariants on every queue, whatever the driver did: violations == the
 * per-class counts summed; chains - used == fatal bad requests (strict blk
 * drops the chain it rejects, nothing else is ever lost); descs >= chains +
 * indirect; worker_runs >= budget_exhausted; a stopped queue names its
 * violation; per behaviour: null moves no bytes, source reads none, sink
 * writes none, echo writes at most what it read.
 *
 * After all sessions: every session's VmLck was back to 0 after its close,
 * no pinned page is left (/proc/vmstat nr_foll_pin_acquired ==
 * nr_foll_pin_released, as at the start), no vmalloc area belongs to vqtest
 * (/proc/vmallocinfo), the slab caches vqtest allocates from and the
 * meminfo counters are back near their baseline, and where kmemleak exists
 * (the debug kernel) nothing vqtest allocated is left unreferenced;
 * tools/vm/run then checks dmesg and that the module unloads.
 */
#include <dirent.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/prctl.h>

#include "vqtest_utils.h"

#define F_V1		VQ_BIT(VQTEST_F_VERSION_1)
#define F_EVENT_IDX	VQ_BIT(VQTEST_F_EVENT_IDX)
#define F_INDIRECT	VQ_BIT(VQTEST_F_INDIRECT_DESC)
#define F_IN_ORDER	VQ_BIT(VQTEST_F_IN_ORDER)
#define F_RING_RESET	VQ_BIT(VQTEST_F_RING_RESET)

#define NHQ		2	/* honest queues per session */
#define NXQ		3	/* hostile queues per session */
#define HQ_NUM		64
#define HQ_SEG		512
#define XQ_NUM		32
#define XQ_SEG		256
#define XREG_LEN	(16 * VQ_PAGE)	/* the buffer-only region */
/*
 * Fixed IOVAs above any user address, so they never meet the identity
 * IOVAs of the session's own memory: the buffer-only region, and one page
 * per slot for the regions forked children map from their address space.
 */
#define XREG_IOVA	(1ULL << 50)
#define CHILD_IOVA	(1ULL << 51)
#define MAX_CHILDREN	4
#define MEMLOCK_PAGES	32
#define NOBODY		65534
#define QUIESCE_SECS	60	/* a chain not completed by then is lost */

/* ------------------------------------------------------------------ */
/* Operation counts and failures, shared by every process              */
/* ------------------------------------------------------------------ */

enum op {
	OP_CHAIN, OP_COMPLETE, OP_KICK, OP_REWRITE, OP_FLIP, OP_STATS,
	OP_PROCESS, OP_RESET, OP_RESET_PENDING, OP_DESTROY, OP_CREATE,
	OP_SET_INDICES, OP_EFD_REPLACE, OP_UNMAP_BUSY, OP_MAP, OP_UNMAP,
	OP_MUNMAP, OP_REMAP, OP_FORK, OP_CHILD_IOCTL, OP_KILL, OP_CLOSE_DEV,
	OP_KICK_AFTER_CLOSE, OP_MEMLOCK_ENOMEM, OP_SESSION, OP_CHECK,
	OP_MAX
};

static const char *const op_names[OP_MAX] = {
	[OP_CHAIN] = "chains offered", [OP_COMPLETE] = "completions checked",
	[OP_KICK] = "kicks", [OP_REWRITE] = "ring rewrites",
	[OP_FLIP] = "fields flipped in tight loops", [OP_STATS] = "stats",
	[OP_PROCESS] = "process", [OP_RESET] = "resets",
	[OP_RESET_PENDING] = "resets with chains pending",
	[OP_DESTROY] = "destroys", [OP_CREATE] = "creates",
	[OP_SET_INDICES] = "set_indices",
	[OP_EFD_REPLACE] = "eventfds closed and replaced",
	[OP_UNMAP_BUSY] = "unmaps refused (EBUSY)", [OP_MAP] = "maps",
	[OP_UNMAP] = "unmaps", [OP_MUNMAP] = "munmaps of registered memory",
	[OP_REMAP] = "mmap MAP_FIXED over registered memory",
	[OP_FORK] = "forks", [OP_CHILD_IOCTL] = "ioctls from forked children",
	[OP_KILL] = "SIGKILLs of device owners",
	[OP_CLOSE_DEV] = "device closes with queues running",
	[OP_KICK_AFTER_CLOSE] = "kicks after the device closed",
	[OP_MEMLOCK_ENOMEM] = "maps refused at RLIMIT_MEMLOCK (ENOMEM)",
	[OP_SESSION] = "sessions", [OP_CHECK] = "counter invariant checks",
};

struct shared {
	_Atomic uint64_t op[OP_MAX];
	_Atomic int failed;
	char msg[1024];
	/* regions mapped by forked children: the parent unmaps them */
	struct { _Atomic uint64_t iova; uint64_t len; int sid; } child_reg[64];
};

static struct shared *sh;

#define OPS(o, n) atomic_fetch_add_explicit(&sh->op[o], (n), memory_order_relaxed)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Sessions and their children die with their parent (PR_SET_PDEATHSIG), whatever ends it: an open
 * device left behind would keep the module from unloading.
 */
static void die_with_parent(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
}

/* A failure inside a session: recorded for the test, the process ends. */
static void __attribute__((format(printf, 2, 3), noreturn))
sfail(int sid, const char *fmt, ...)
{
	char buf[900];
	va_list ap;
	int expected = 0;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# session %d: FAIL: %s\n", sid, buf);
	if (atomic_compare_exchange_strong(&sh->failed, &expected, 1))
		snprintf(sh->msg, sizeof(sh->msg), "session %d: %s", sid, buf);
	_exit(1);
}

#define SCHECK(s, cond, fmt, ...) do {					\
	if (!(cond))							\
		sfail((s)->id, "%s:%d: %s: " fmt, __FILE__, __LINE__,	\
		      #cond, ##__VA_ARGS__);				\
} while (0)

static unsigned int stress_seconds(void)
{
	const char *v = getenv("VQTEST_STRESS_SECONDS");
	long n = v && *v ? strtol(v, NULL, 0) : 60;

	return n > 0 ? n : 60;
}

static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return n ? vq_rand(s) % n : 0;
}

/* ------------------------------------------------------------------ */
/* Counter invariants of any queue                                     */
/* ------------------------------------------------------------------ */

static const char *stats_str(const struct vqtest_queue_stats *st)
{
	static __thread char b[512];

	snprintf(b, sizeof(b),
		 "state %u beh %u viol %u desc %#x ring %u; chains %llu used %llu descs %llu indirect %llu read %llu written %llu kicks %llu calls %llu runs %llu budget %llu dropped %llu violations %llu; last_avail %u used_idx %u",
		 st->out_state, st->out_behaviour, st->out_violation,
		 st->out_violation_desc, st->out_violation_ring,
		 (unsigned long long)VQ_CNT(st, chains),
		 (unsigned long long)VQ_CNT(st, used),
		 (unsigned long long)VQ_CNT(st, descs),
		 (unsigned long long)VQ_CNT(st, indirect),
		 (unsigned long long)VQ_CNT(st, bytes_read),
		 (unsigned long long)VQ_CNT(st, bytes_written),
		 (unsigned long long)VQ_CNT(st, kicks),
		 (unsigned long long)VQ_CNT(st, calls),
		 (unsigned long long)VQ_CNT(st, worker_runs),
		 (unsigned long long)VQ_CNT(st, budget_exhausted),
		 (unsigned long long)VQ_CNT(st, dropped),
		 (unsigned long long)VQ_CNT(st, violations),
		 st->out_last_avail_idx, st->out_used_idx);
	return b;
}

/* What must hold for every queue, hostile driver or not (see the top). */
static const char *check_invariants(const struct vqtest_queue_stats *st,
				    uint32_t level)
{
	uint64_t sum = 0, bad_req = st->out_violations[VQTEST_V_BAD_REQUEST];
	uint64_t chains = VQ_CNT(st, chains), used = VQ_CNT(st, used);
	int i;

	for (i = 0; i < VQTEST_V_SLOTS; i++) {
		if (i >= VQTEST_V_MAX && st->out_violations[i])
			return "a count for an unknown violation class";
		sum += st->out_violations[i];
	}
	if (st->out_violations[VQTEST_V_NONE])
		return "violations counted for class NONE";
	if (sum != VQ_CNT(st, violations))
		return "violations != sum of the per-class counts";
	if (used > chains)
		return "more used elements than chains taken";
	if (chains - used != (level == VQTEST_LEVEL_STRICT ? bad_req : 0))
		return "chains - used != chains dropped by a fatal bad request";
	if (VQ_CNT(st, descs) < chains + VQ_CNT(st, indirect))
		return "descs < chains + indirect";
	if (VQ_CNT(st, indirect) > chains)
		return "indirect > chains";
	if (VQ_CNT(st, budget_exhausted) > VQ_CNT(st, worker_runs))
		return "budget_exhausted > worker_runs";
	if (st->out_state != VQTEST_QS_ACTIVE &&
	    st->out_state != VQTEST_QS_NEEDS_RESET &&
	    st->out_state != VQTEST_QS_RESET)
		return "unknown queue state";
	if (st->out_state == VQTEST_QS_NEEDS_RESET &&
	    (st->out_violation == VQTEST_V_NONE ||
	     st->out_violation >= VQTEST_V_MAX))
		return "a stopped queue without its violation";
	switch (st->out_behaviour) {
	case VQTEST_BEH_NULL:
		if (VQ_CNT(st, bytes_read) || VQ_CNT(st, bytes_written))
			return "null behaviour moved bytes";
		break;
	case VQTEST_BEH_SOURCE:
		if (VQ_CNT(st, bytes_read))
			return "source behaviour read bytes";
		break;
	case VQTEST_BEH_SINK:
		if (VQ_CNT(st, bytes_written))
			return "sink behaviour wrote bytes";
		break;
	case VQTEST_BEH_ECHO:
		if (VQ_CNT(st, bytes_written) > VQ_CNT(st, bytes_read))
			return "echo wrote more than it read";
		break;
	case VQTEST_BEH_BLK:
		/*
		 * Every completed request has its status byte, but for the
		 * bad requests (no writable byte) the warn level completes.
		 */
		if (VQ_CNT(st, bytes_written) +
		    (level == VQTEST_LEVEL_WARN ? bad_req : 0) < used)
			return "blk completed a request without a status byte";
		break;
	default:
		return "unknown behaviour";
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */
/* ------------------------------------------------------------------ */

struct sess;

/* One chain of an honest queue, as the driver built it (driver-private). */
struct hchain {
	uint8_t nr, nw;
	uint16_t ids[6];
	uint32_t lens[6];
};

struct hq {
	struct sess *s;
	int idx;
	uint64_t rs;			/* this thread's random state */
	struct vqd q;
	uint32_t beh;			/* echo, or sink with a checksum */
	pthread_mutex_t life;		/* held while the queue is replaced */
	bool exists;
	/* since the queue was created */
	uint64_t kicks, calls, used, bytes_r, bytes_w, csum;
	uint32_t outstanding;
	/* IN_ORDER: descriptors are taken and given back in ring order */
	uint16_t ring_next, ring_tail;
	uint32_t ring_free;
	struct hchain ch[HQ_NUM];
	pthread_t thread;
};

struct xq {
	struct sess *s;
	int idx;
	struct vqd q;
	uint32_t beh, level;
	pthread_mutex_t life;		/* create/destroy/rebuild */
	pthread_rwlock_t efd;		/* the kick/call fd numbers */
	bool exists;
	bool stale;			/* user memory replaced: rebuild */
};

struct sess {
	int id;
	int fd;
	uint64_t features, seed;
	bool event_idx, in_order, indirect;
	double end;
	struct hq hq[NHQ];
	struct xq xq[NXQ];
	/* a buffer-only region, mapped, unmapped and munmapped at random */
	uint8_t *xmem;
	bool xmapped, xmunmapped;
	pthread_mutex_t xlock;
	pid_t children[MAX_CHILDREN];
	atomic_bool stop, stop_hostile;
	int ncpu;
};

static int efd_new(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/* --- honest queues ------------------------------------------------- */

static void hq_stats(struct hq *h, struct vqtest_queue_stats *st)
{
	int ret = _vq_stats(h->s->fd, h->q.index, st);

	SCHECK(h->s, ret == 0, "queue %u: stats: %d", h->q.index, ret);
	OPS(OP_STATS, 1);
}

static void hq_create(struct hq *h)
{
	struct sess *s = h->s;
	struct vqtest_queue_create c;
	int ret;

	h->q.kick = efd_new();
	h->q.call = efd_new();
	SCHECK(s, h->q.kick >= 0 && h->q.call >= 0, "eventfd: %d", errno);
	/* the device starts at index 0: so does the driver, from scratch */
	vqd_init_driver(&h->q);
	h->q.event_idx = s->event_idx;
	vqd_create_cmd(&h->q, &c);
	c.behaviour = h->beh;
	if (h->beh == VQTEST_BEH_SINK)
		c.flags |= VQTEST_QUEUE_F_CHECKSUM;
	if (!s->in_order && !rnd(&h->rs, 3)) {
		c.flags |= VQTEST_QUEUE_F_OUT_OF_ORDER;
		c.ooo_window = 2 + rnd(&h->rs, 7);
	}
	c.budget_chains = rnd(&h->rs, 2) ? 1 + rnd(&h->rs, 8) : 0;
	c.busy_poll_us = rnd(&h->rs, 4) ? 0 : 20;
	c.cpu = (int)rnd(&h->rs, s->ncpu + 1) - 1;
	/* a third of the queues serve kicks in the kicking thread */
	if (!rnd(&h->rs, 3)) {
		c.flags |= VQTEST_QUEUE_F_INLINE;
		c.busy_poll_us = 0;
		c.cpu = VQTEST_CPU_ANY;
	}
	ret = _vq_queue_create(s->fd, &c);
	SCHECK(s, ret == 0, "honest queue %u: create: %d", h->q.index, ret);
	OPS(OP_CREATE, 1);
	h->kicks = h->calls = h->used = h->bytes_r = h->bytes_w = 0;
	h->csum = VQTEST_CSUM_INIT;
	h->outstanding = 0;
	h->ring_next = h->ring_tail = 0;
	h->ring_free = h->q.num;
	memset(h->ch, 0, sizeof(h->ch));
	h->exists = true;
}

static void hq_kick(struct hq *h)
{
	if (vq_kick(h->q.kick) == 0) {
		h->kicks++;
		OPS(OP_KICK, 1);
	}
}

/* Build, fill and offer one chain; false when no descriptors are free. */
static bool hq_offer(struct hq *h)
{
	struct vqd *q = &h->q;
	struct hchain c = { 0 };
	uint32_t k, n;
	int head;

	c.nr = 1 + rnd(&h->rs, 3);
	c.nw = h->beh == VQTEST_BEH_ECHO ? 1 + rnd(&h->rs, 3) : rnd(&h->rs, 2);
	n = c.nr + c.nw;
	for (k = 0; k < n; k++)
		c.lens[k] = 1 + rnd(&h->rs, q->seg_max);
	if (h->s->in_order) {
		if (n > h->ring_free)
			return false;
		for (k = 0; k < n; k++) {
			uint16_t i = (h->ring_next + k) % q->num;
			uint16_t flags = k < c.nr ? 0 : VQD_F_WRITE;

			if (k + 1 < n)
				flags |= VQD_F_NEXT;
			c.ids[k] = i;
			vqd_set_desc(&q->desc[i], vqd_iova(q, vqd_buf(q, i)),
				     c.lens[k], flags, (i + 1) % q->num);
		}
		head = h->ring_next;
		h->ring_next = (h->ring_next + n) % q->num;
		h->ring_free -= n;
	} else {
		head = vqd_chain(q, c.nr, c.nw, c.lens, c.ids);
		if (head < 0)
			return false;
	}
	for (k = 0; k < c.nr; k++) {
		uint8_t *b = vqd_buf(q, c.ids[k]);

		vq_fill(b, c.lens[k], vq_rand(&h->rs));
		if (h->beh == VQTEST_BEH_SINK)
			h->csum = vq_fnv1a(h->csum, b, c.lens[k]);
	}
	h->ch[head] = c;
	vqd_offer(q, head);
	h->outstanding++;
	OPS(OP_CHAIN, 1);
	return true;
}

/* Check one used element against the chain the driver offered. */
static void hq_complete(struct hq *h, uint32_t head, uint32_t len)
{
	struct sess *s = h->s;
	struct vqd *q = &h->q;
	struct hchain *c;
	uint64_t tr = 0, tw = 0, exp, off;
	uint32_t k, n;

	SCHECK(s, head < q->num && h->ch[head].nr,
	       "queue %u: used id %u is not a chain in flight", q->index, head);
	c = &h->ch[head];
	n = c->nr + c->nw;
	for (k = 0; k < n; k++) {
		if (k < c->nr)
			tr += c->lens[k];
		else
			tw += c->lens[k];
	}
	exp = h->beh == VQTEST_BEH_ECHO ? (tr < tw ? tr : tw) : 0;
	SCHECK(s, len == exp, "queue %u head %u: used.len %u, expected %llu",
	       q->index, head, len, (unsigned long long)exp);
	if (h->beh == VQTEST_BEH_ECHO) {
		/* the readable bytes, in order, at the start of the writable */
		uint32_t ri = 0, wi = c->nr;
		uint64_t roff = 0, woff = 0;

		for (off = 0; off < exp; off++) {
			while (roff == c->lens[ri]) {
				ri++;
				roff = 0;
			}
			while (woff == c->lens[wi]) {
				wi++;
				woff = 0;
			}
			SCHECK(s, vqd_buf(q, c->ids[ri])[roff] ==
				  vqd_buf(q, c->ids[wi])[woff],
			       "queue %u head %u: echo byte %llu differs",
			       q->index, head, (unsigned long long)off);
			roff++;
			woff++;
		}
	}
	h->bytes_r += tr;
	h->bytes_w += len;
	h->used++;
	h->outstanding--;
	if (s->in_order) {
		SCHECK(s, head == h->ring_tail,
		       "queue %u: IN_ORDER completion %u, expected %u",
		       q->index, head, h->ring_tail);
		h->ring_tail = (h->ring_tail + n) % q->num;
		h->ring_free += n;
	} else {
		vqd_free_chain(q, head);
	}
	c->nr = 0;
	OPS(OP_COMPLETE, 1);
}

static void hq_reap(struct hq *h)
{
	struct vqd *q = &h->q;

	while (q->last_used != vqd_used_idx(q)) {
		struct vqd_used_elem e = q->used->ring[q->last_used & (q->num - 1)];

		q->last_used++;
		hq_complete(h, e.id, e.len);
	}
}

/* Wait up to @ms for a call, then reap. */
static void hq_wait(struct hq *h, int ms)
{
	if (h->s->event_idx)
		__atomic_store_n(vqd_used_event(&h->q), h->q.last_used,
				 __ATOMIC_RELEASE);
	h->calls += vq_efd_wait(h->q.call, ms);
	hq_reap(h);
}

/* Wait until every chain offered is completed: none may be lost. */
static void hq_quiesce(struct hq *h)
{
	double deadline = now_s() + QUIESCE_SECS;
	struct vqtest_queue_stats st;

	while (h->outstanding) {
		hq_wait(h, 50);
		if (now_s() > deadline) {
			hq_stats(h, &st);
			sfail(h->s->id, "queue %u: %u chains never completed (avail %u, last_used %u): %s",
			      h->q.index, h->outstanding, h->q.avail_idx,
			      h->q.last_used, stats_str(&st));
		}
	}
	h->calls += vq_efd_read(h->q.call);
}

/* Quiesced: the counters are exact. */
static void hq_check(struct hq *h)
{
	struct vqtest_queue_stats st;
	const char *why;

	hq_stats(h, &st);
	h->calls += vq_efd_read(h->q.call);
	why = check_invariants(&st, VQTEST_LEVEL_STRICT);
	SCHECK(h->s, !why, "queue %u: %s: %s", h->q.index, why, stats_str(&st));
	SCHECK(h->s, st.out_state == VQTEST_QS_ACTIVE &&
		     !VQ_CNT(&st, violations),
	       "honest queue %u stopped: %s", h->q.index, stats_str(&st));
	SCHECK(h->s, VQ_CNT(&st, chains) == h->used &&
		     VQ_CNT(&st, used) == h->used,
	       "queue %u: device completed %llu, driver saw %llu: %s",
	       h->q.index, (unsigned long long)VQ_CNT(&st, used),
	       (unsigned long long)h->used, stats_str(&st));
	SCHECK(h->s, VQ_CNT(&st, kicks) == h->kicks,
	       "queue %u: %llu kicks written, device counted %llu", h->q.index,
	       (unsigned long long)h->kicks,
	       (unsigned long long)VQ_CNT(&st, kicks));
	SCHECK(h->s, VQ_CNT(&st, calls) == h->calls,
	       "queue %u: call eventfd total %llu, device counted %llu calls",
	       h->q.index, (unsigned long long)h->calls,
	       (unsigned long long)VQ_CNT(&st, calls));
	SCHECK(h->s, VQ_CNT(&st, bytes_read) == h->bytes_r &&
		     VQ_CNT(&st, bytes_written) == h->bytes_w,
	       "queue %u: bytes read %llu/%llu written %llu/%llu", h->q.index,
	       (unsigned long long)VQ_CNT(&st, bytes_read),
	       (unsigned long long)h->bytes_r,
	       (unsigned long long)VQ_CNT(&st, bytes_written),
	       (unsigned long long)h->bytes_w);
	if (h->beh == VQTEST_BEH_SINK)
		SCHECK(h->s, VQ_CNT(&st, checksum) == h->csum,
		       "queue %u: sink checksum %#llx, expected %#llx",
		       h->q.index, (unsigned long long)VQ_CNT(&st, checksum),
		       (unsigned long long)h->csum);
	OPS(OP_CHECK, 1);
}

/* Close the eventfds under the queue, destroy it, create it anew. */
static void hq_rebuild(struct hq *h)
{
	int ret;

	close(h->q.kick);
	close(h->q.call);
	OPS(OP_EFD_REPLACE, 1);
	ret = _vq_queue_destroy(h->s->fd, h->q.index);
	SCHECK(h->s, ret == 0, "queue %u: destroy: %d", h->q.index, ret);
	OPS(OP_DESTROY, 1);
	h->exists = false;
	hq_create(h);
}

/*
 * After QUEUE_RESET (and enable) or QUEUE_SET_INDICES no worker run queued
 * before the call may take anything from the ring (a kick that came while
 * the last run ran): nothing was offered since, so nothing may be taken.
 */
static void hq_after_move(struct hq *h)
{
	struct vqtest_queue_stats st;

	hq_stats(h, &st);
	SCHECK(h->s, st.out_state == VQTEST_QS_ACTIVE &&
		     VQ_CNT(&st, chains) == h->used && !VQ_CNT(&st, violations),
	       "queue %u after reset or set_indices (%llu chains seen): %s",
	       h->q.index, (unsigned long long)h->used, stats_str(&st));
}

/* Reset with chains offered and not kicked: dropped + done == offered. */
static void hq_reset_pending(struct hq *h)
{
	struct vqd *q = &h->q;
	uint32_t dropped, done, k;
	int ret, n = 1 + rnd(&h->rs, 6);

	while (n-- && hq_offer(h))
		;
	vqd_publish(q);
	if (rnd(&h->rs, 2))
		hq_kick(h);	/* let the worker race the reset */
	ret = _vq_queue_reset(h->s->fd, q->index, &dropped);
	SCHECK(h->s, ret == 0, "queue %u: reset: %d", q->index, ret);
	OPS(OP_RESET_PENDING, 1);
	/* reset, not yet enabled: the device takes nothing */
	ret = _vq_process(h->s->fd, q->index, 0, NULL, NULL);
	SCHECK(h->s, ret == -EBUSY, "queue %u: process while reset: %d",
	       q->index, ret);
	SCHECK(h->s, dropped <= h->outstanding,
	       "queue %u: reset dropped %u of %u outstanding", q->index,
	       dropped, h->outstanding);
	/*
	 * What was completed before the reset still sits in the used ring
	 * (a reset rewrites used->idx, not the elements): check it too.
	 */
	done = h->outstanding - dropped;
	for (k = 0; k < done; k++) {
		struct vqd_used_elem e = q->used->ring[q->last_used & (q->num - 1)];

		q->last_used++;
		hq_complete(h, e.id, e.len);
	}
	h->calls += vq_efd_read(q->call);
	/* the driver rewrites its rings, then enables the queue at 0/0 */
	vqd_reset_driver(q);
	OPS(OP_SET_INDICES, 1);
	h->outstanding = 0;
	memset(h->ch, 0, sizeof(h->ch));
	h->ring_next = h->ring_tail = 0;
	h->ring_free = q->num;
	hq_after_move(h);
}

/* Quiesce, prove the counters, then change something about the queue. */
static void hq_cycle(struct hq *h)
{
	struct sess *s = h->s;
	struct vqd *q = &h->q;
	uint16_t x;
	int ret;

	hq_quiesce(h);
	hq_check(h);
	/* a kick that came during the last run may still run it: let it */
	msleep(5);
	switch (rnd(&h->rs, 4)) {
	case 0:
		hq_rebuild(h);
		break;
	case 1:
		if (h->beh == VQTEST_BEH_ECHO) {
			hq_reset_pending(h);
			hq_quiesce(h);
			hq_check(h);
		}
		break;
	case 2:	/* indices anywhere, e.g. just before the wrap */
		x = rnd(&h->rs, 2) ? 0x10000 - rnd(&h->rs, 8) : vq_rand(&h->rs);
		ret = _vq_set_indices(s->fd, q->index, x, x);
		SCHECK(s, ret == 0, "queue %u: set_indices: %d", q->index, ret);
		OPS(OP_SET_INDICES, 1);
		/* the device moved avail->idx itself */
		q->avail_idx = x;
		q->last_used = x;
		hq_after_move(h);
		break;
	default:
		break;
	}
}

static void *hq_thread(void *arg)
{
	struct hq *h = arg;
	struct sess *s = h->s;

	pthread_mutex_lock(&h->life);
	hq_create(h);
	pthread_mutex_unlock(&h->life);
	while (!atomic_load(&s->stop)) {
		uint16_t old = h->q.avail_idx;
		int n = 1 + rnd(&h->rs, 8);

		pthread_mutex_lock(&h->life);
		while (n-- && hq_offer(h))
			;
		vqd_publish(&h->q);
		if (vqd_need_kick(&h->q, old) || !rnd(&h->rs, 16))
			hq_kick(h);
		hq_wait(h, 20);
		if (!rnd(&h->rs, 40))
			hq_cycle(h);
		pthread_mutex_unlock(&h->life);
	}
	/* final proof; the queue stays for the device close to tear down */
	pthread_mutex_lock(&h->life);
	hq_quiesce(h);
	hq_check(h);
	pthread_mutex_unlock(&h->life);
	return NULL;
}

/* --- hostile queues ------------------------------------------------ */

static const uint32_t behaviours[] = {
	VQTEST_BEH_ECHO, VQTEST_BEH_SINK, VQTEST_BEH_SOURCE, VQTEST_BEH_NULL,
	VQTEST_BEH_BLK,
};

/* Create a hostile queue; its ring contents are whatever they are. */
static void xq_create(struct xq *x, uint64_t *rs)
{
	struct sess *s = x->s;
	struct vqtest_queue_create c;
	int ret;

	pthread_rwlock_wrlock(&x->efd);
	if (x->q.kick >= 0)
		close(x->q.kick);
	if (x->q.call >= 0)
		close(x->q.call);
	x->q.kick = rnd(rs, 8) ? efd_new() : -1;
	x->q.call = rnd(rs, 8) ? efd_new() : -1;
	pthread_rwlock_unlock(&x->efd);
	x->beh = behaviours[rnd(rs, VQ_ARRAY_SIZE(behaviours))];
	x->level = rnd(rs, 2);
	vqd_create_cmd(&x->q, &c);
	c.behaviour = x->beh;
	c.level = x->level;
	if (x->beh == VQTEST_BEH_BLK)
		c.blk_capacity = (1 + rnd(rs, 64)) * 512;
	if (x->beh == VQTEST_BEH_SINK && rnd(rs, 2))
		c.flags |= VQTEST_QUEUE_F_CHECKSUM;
	if (!s->in_order && !rnd(rs, 3)) {
		c.flags |= VQTEST_QUEUE_F_OUT_OF_ORDER;
		c.ooo_window = 2 + rnd(rs, VQTEST_MAX_OOO_WINDOW - 1);
	}
	c.budget_chains = rnd(rs, 3) ? 0 : 1 + rnd(rs, 4);
	c.budget_bytes = rnd(rs, 3) ? 0 : 1 + rnd(rs, 4096);
	c.busy_poll_us = rnd(rs, 4) ? 0 : rnd(rs, 100);
	c.cpu = (int)rnd(rs, s->ncpu + 1) - 1;
	if (!rnd(rs, 3)) {
		c.flags |= VQTEST_QUEUE_F_INLINE;
		c.busy_poll_us = 0;
		c.cpu = VQTEST_CPU_ANY;
	}
	ret = _vq_queue_create(s->fd, &c);
	SCHECK(s, ret == 0, "hostile queue %u: create: %d", x->q.index, ret);
	OPS(OP_CREATE, 1);
	x->exists = true;
}

static void xq_check(struct xq *x)
{
	struct vqtest_queue_stats st;
	const char *why;
	int ret = _vq_stats(x->s->fd, x->q.index, &st);

	if (ret == -ENOENT)
		return;
	SCHECK(x->s, ret == 0, "hostile queue %u: stats: %d", x->q.index, ret);
	OPS(OP_STATS, 1);
	why = check_invariants(&st, x->level);
	SCHECK(x->s, !why, "hostile queue %u (level %u): %s: %s", x->q.index,
	       x->level, why, stats_str(&st));
	OPS(OP_CHECK, 1);
}

/* A buffer IOVA the hostile driver likes: mostly valid, sometimes not. */
static uint64_t xq_addr(struct xq *x, uint64_t *rs)
{
	struct vqd *q = &x->q;

	switch (rnd(rs, 8)) {
	case 0:
		return vq_rand(rs);
	case 1:
		return (uint64_t)-1 - rnd(rs, 64);
	case 2:
		return XREG_IOVA + rnd(rs, XREG_LEN);
	case 3:	/* the rings themselves */
		return q->iova + rnd(rs, q->mem_len);
	case 4:	/* across the end of the region */
		return q->iova + q->mem_len - rnd(rs, 64);
	default:
		return vqd_iova(q, q->buf) + rnd(rs, q->num * q->seg_max);
	}
}

static uint32_t xq_len(uint64_t *rs)
{
	switch (rnd(rs, 6)) {
	case 0:
		return 0;
	case 1:
		return vq_rand(rs);
	case 2:
		return 16 * (1 + rnd(rs, 40));	/* indirect table sizes */
	default:
		return 1 + rnd(rs, XQ_SEG);
	}
}

static void xq_kick(struct xq *x, bool after_close)
{
	pthread_rwlock_rdlock(&x->efd);
	if (x->q.kick >= 0 && vq_kick(x->q.kick) == 0)
		OPS(after_close ? OP_KICK_AFTER_CLOSE : OP_KICK, 1);
	pthread_rwlock_unlock(&x->efd);
}

/* One hostile act on @x's ring memory (never an ioctl). */
static void xq_strike(struct xq *x, uint64_t *rs)
{
	struct vqd *q = &x->q;
	volatile struct vqd_desc *d = &q->desc[rnd(rs, q->num)];
	volatile uint16_t *u16;
	uint32_t k, n;

	switch (rnd(rs, 12)) {
	case 0: case 1: case 2: {	/* a plausible chain, offered */
		uint16_t head = rnd(rs, q->num), i = head;

		n = 1 + rnd(rs, 4);
		for (k = 0; k < n; k++) {
			uint16_t next = rnd(rs, 4) ? (i + 1) % q->num :
						     rnd(rs, q->num + 2);
			uint16_t fl = (k + 1 < n ? VQD_F_NEXT : 0) |
				      (k >= n / 2 && rnd(rs, 4) ? VQD_F_WRITE : 0);

			if (!rnd(rs, 10))
				fl |= VQD_F_INDIRECT;
			vqd_set_desc((struct vqd_desc *)&q->desc[i],
				     rnd(rs, 5) ? vqd_iova(q, vqd_buf(q, i)) :
						  xq_addr(x, rs),
				     rnd(rs, 5) ? 1 + rnd(rs, q->seg_max) :
						  xq_len(rs), fl, next);
			i = next % q->num;
		}
		q->avail->ring[q->avail_idx & (q->num - 1)] = head;
		q->avail_idx++;
		vqd_publish(q);
		OPS(OP_REWRITE, n + 1);
		break;
	}
	case 3: {			/* an indirect table in a buffer slot */
		uint16_t t = rnd(rs, q->num);
		struct vqd_desc *tab = (struct vqd_desc *)vqd_buf(q, t);

		n = 1 + rnd(rs, q->seg_max / 16);
		for (k = 0; k < n; k++)
			vqd_set_desc(&tab[k], rnd(rs, 3) ? vqd_iova(q, vqd_buf(q, rnd(rs, q->num))) : xq_addr(x, rs),
				     1 + rnd(rs, 64),
				     (k + 1 < n ? VQD_F_NEXT : 0) |
				     (rnd(rs, 2) ? VQD_F_WRITE : 0) |
				     (rnd(rs, 20) ? 0 : VQD_F_INDIRECT),
				     rnd(rs, 4) ? k + 1 : rnd(rs, n + 1));
		vqd_set_desc((struct vqd_desc *)d, vqd_iova(q, tab) +
			     (rnd(rs, 8) ? 0 : rnd(rs, 16)), 16 * n,
			     VQD_F_INDIRECT | (rnd(rs, 10) ? 0 : VQD_F_NEXT), 0);
		q->avail->ring[q->avail_idx & (q->num - 1)] =
			(uint16_t)(d - q->desc);
		q->avail_idx++;
		vqd_publish(q);
		OPS(OP_REWRITE, n + 2);
		break;
	}
	case 4:				/* garbage in one descriptor field */
		switch (rnd(rs, 4)) {
		case 0: d->addr = xq_addr(x, rs); break;
		case 1: d->len = xq_len(rs); break;
		case 2: d->flags = vq_rand(rs); break;
		default: d->next = rnd(rs, 2) ? rnd(rs, q->num) : vq_rand(rs); break;
		}
		OPS(OP_REWRITE, 1);
		break;
	case 5:				/* avail idx moves */
		q->avail_idx += rnd(rs, 4) ? rnd(rs, 4) : vq_rand(rs);
		if (!rnd(rs, 4))
			q->avail_idx -= rnd(rs, 8);
		vqd_publish(q);
		OPS(OP_REWRITE, 1);
		break;
	case 6:				/* avail ring entries, flags, used_event */
		q->avail->ring[rnd(rs, q->num)] = rnd(rs, 3) ? rnd(rs, q->num) :
							       vq_rand(rs);
		if (!rnd(rs, 4))
			q->avail->flags = vq_rand(rs);
		if (!rnd(rs, 4))
			*vqd_used_event(q) = vq_rand(rs);
		OPS(OP_REWRITE, 1);
		break;
	case 7:				/* the device-owned used ring */
		switch (rnd(rs, 4)) {
		case 0: q->used->flags = vq_rand(rs); break;
		case 1: q->used->idx = vq_rand(rs); break;
		case 2: *vqd_avail_event(q) = vq_rand(rs); break;
		default:
			q->used->ring[rnd(rs, q->num)].id = vq_rand(rs);
			break;
		}
		OPS(OP_REWRITE, 1);
		break;
	case 8: {			/* flip a field while the worker reads */
		uint32_t good = 1 + rnd(rs, q->seg_max);

		u16 = &d->next;
		xq_kick(x, false);
		for (k = 0; k < 2000; k++) {
			d->len = k & 1 ? good : vq_rand(rs);
			*u16 = k & 1 ? (*u16 + 1) % q->num : vq_rand(rs);
			d->flags ^= VQD_F_NEXT | (k & 8 ? VQD_F_INDIRECT : 0);
			if (!(k & 255))
				sched_yield();
		}
		OPS(OP_FLIP, 2000);
		break;
	}
	case 9:				/* avail idx flips back and forth */
		u16 = &q->avail->idx;
		xq_kick(x, false);
		for (k = 0; k < 1000; k++)
			__atomic_store_n(u16, k & 1 ? q->avail_idx : q->avail_idx + q->num + 1,
					 __ATOMIC_RELEASE);
		*u16 = q->avail_idx;
		OPS(OP_FLIP, 1000);
		break;
	default:
		xq_kick(x, false);
		break;
	}
	if (!rnd(rs, 3))
		xq_kick(x, false);
}

static void *xq_thread(void *arg)
{
	struct sess *s = arg;
	uint64_t rs = s->seed ^ (uintptr_t)pthread_self();

	while (!atomic_load(&s->stop_hostile)) {
		xq_strike(&s->xq[rnd(&rs, NXQ)], &rs);
		if (!rnd(&rs, 64))
			sched_yield();
	}
	return NULL;
}

/* --- lifecycle ----------------------------------------------------- */

/* Destroy, unmap, map fresh memory, create: after MAP_FIXED over it. */
static void xq_rebuild(struct xq *x, uint64_t *rs)
{
	struct sess *s = x->s;
	int ret;

	if (x->exists) {
		ret = _vq_queue_destroy(s->fd, x->q.index);
		SCHECK(s, ret == 0, "destroy %u: %d", x->q.index, ret);
		OPS(OP_DESTROY, 1);
		x->exists = false;
	}
	ret = _vq_unmap(s->fd, x->q.iova, x->q.mem_len);
	SCHECK(s, ret == 0, "unmap of queue %u's region: %d", x->q.index, ret);
	OPS(OP_UNMAP, 1);
	ret = _vq_map(s->fd, x->q.mem, x->q.mem_len, 0, 0, NULL);
	SCHECK(s, ret == 0, "map of queue %u's region: %d", x->q.index, ret);
	OPS(OP_MAP, 1);
	x->stale = false;
	xq_create(x, rs);
}

/* A forked child uses the shared device, maps memory of its own, exits. */
static void fork_child(struct sess *s, uint64_t *rs)
{
	struct vqtest_queue_stats st;
	int slot = -1, i, k;
	pid_t pid, parent;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (!s->children[i])
			slot = i;
	if (slot < 0)
		return;
	parent = getpid();
	pid = fork();
	SCHECK(s, pid >= 0, "fork: %d", errno);
	if (pid) {
		s->children[slot] = pid;
		OPS(OP_FORK, 1);
		return;
	}
	/* child: one thread; the device and eventfds are inherited */
	die_with_parent(parent);
	for (k = 0; k < 20; k++) {
		struct xq *x = &s->xq[rnd(rs, NXQ)];

		_vq_stats(s->fd, x->q.index, &st);
		_vq_process(s->fd, x->q.index, 1 + rnd(rs, 4), NULL, NULL);
		if (x->q.kick >= 0)
			vq_kick(x->q.kick);	/* may be a stale number */
		OPS(OP_CHILD_IOCTL, 2);
	}
	if (rnd(rs, 2)) {
		/* charged to this child's mm, which dies first */
		void *m = vq_alloc(VQ_PAGE);

		for (i = 0; m && i < 64; i++) {
			uint64_t z = 0, iova = CHILD_IOVA + i * VQ_PAGE;

			/* claim the slot (iova 1: busy), then publish it */
			if (!atomic_compare_exchange_strong(&sh->child_reg[i].iova,
							    &z, 1))
				continue;
			if (_vq_map(s->fd, m, VQ_PAGE, VQTEST_MAP_FIXED_IOVA,
				    iova, NULL)) {
				atomic_store(&sh->child_reg[i].iova, 0);
				break;
			}
			sh->child_reg[i].len = VQ_PAGE;
			sh->child_reg[i].sid = s->id;
			atomic_store(&sh->child_reg[i].iova, iova);
			OPS(OP_MAP, 1);
			break;
		}
	}
	msleep(rnd(rs, 100));
	_exit(0);
}

/* Reap finished children and unmap the regions they left in the device. */
static void reap_children(struct sess *s, bool wait_all)
{
	int i, status;

	for (i = 0; i < MAX_CHILDREN; i++) {
		pid_t r;

		if (!s->children[i])
			continue;
		r = waitpid(s->children[i], &status, wait_all ? 0 : WNOHANG);
		if (r == 0)
			continue;
		SCHECK(s, r == s->children[i] && WIFEXITED(status) &&
			  !WEXITSTATUS(status), "forked child: status %#x", status);
		s->children[i] = 0;
	}
	for (i = 0; i < 64; i++) {
		uint64_t iova = atomic_load(&sh->child_reg[i].iova);
		int ret;

		if (iova <= 1 || sh->child_reg[i].sid != s->id)
			continue;
		ret = _vq_unmap(s->fd, iova, sh->child_reg[i].len);
		SCHECK(s, ret == 0, "unmap of a child's region: %d", ret);
		atomic_store(&sh->child_reg[i].iova, 0);
		OPS(OP_UNMAP, 1);
	}
}

static void lifecycle_step(struct sess *s, uint64_t *rs)
{
	struct xq *x = &s->xq[rnd(rs, NXQ)];
	struct hq *h = &s->hq[rnd(rs, NHQ)];
	uint32_t dropped, chains;
	int ret;

	switch (rnd(rs, 16)) {
	case 0: case 1:
		ret = _vq_queue_reset(s->fd, x->q.index, &dropped);
		SCHECK(s, ret == 0 || ret == -ENOENT, "reset: %d", ret);
		OPS(OP_RESET, 1);
		/* enabled now, or later by a random SET_INDICES */
		if (!ret && rnd(rs, 2)) {
			ret = _vq_set_indices(s->fd, x->q.index, 0, 0);
			SCHECK(s, ret == 0 || ret == -ENOENT || ret == -EBUSY,
			       "enable: %d", ret);
			OPS(OP_SET_INDICES, 1);
		}
		break;
	case 2:
		pthread_mutex_lock(&x->life);
		if (x->exists) {
			ret = _vq_queue_destroy(s->fd, x->q.index);
			SCHECK(s, ret == 0, "destroy: %d", ret);
			OPS(OP_DESTROY, 1);
			x->exists = false;
		}
		if (rnd(rs, 4))
			xq_create(x, rs);	/* new eventfds, old closed */
		OPS(OP_EFD_REPLACE, 1);
		pthread_mutex_unlock(&x->life);
		break;
	case 3:
		ret = _vq_set_indices(s->fd, x->q.index, vq_rand(rs),
				      vq_rand(rs));
		SCHECK(s, ret == 0 || ret == -EBUSY || ret == -ENOENT,
		       "set_indices: %d", ret);
		OPS(OP_SET_INDICES, 1);
		break;
	case 4: case 5:
		ret = _vq_process(s->fd, x->q.index, rnd(rs, 8), &chains, NULL);
		SCHECK(s, ret == 0 || ret == -EIO || ret == -ENOENT ||
			  ret == -EBUSY, "process: %d", ret);
		OPS(OP_PROCESS, 1);
		break;
	case 6: case 7:
		pthread_mutex_lock(&x->life);
		xq_check(x);
		pthread_mutex_unlock(&x->life);
		break;
	case 8:	/* rings in use: the region must stay */
		pthread_mutex_lock(&x->life);
		if (x->exists) {
			ret = _vq_unmap(s->fd, x->q.iova, x->q.mem_len);
			SCHECK(s, ret == -EBUSY, "unmap of a ring region: %d", ret);
			OPS(OP_UNMAP_BUSY, 1);
		}
		pthread_mutex_unlock(&x->life);
		if (!pthread_mutex_trylock(&h->life)) {
			if (h->exists) {
				ret = _vq_unmap(s->fd, h->q.iova, h->q.mem_len);
				SCHECK(s, ret == -EBUSY,
				       "unmap of an honest ring region: %d", ret);
				OPS(OP_UNMAP_BUSY, 1);
				_vq_process(s->fd, h->q.index, 0, NULL, NULL);
				OPS(OP_PROCESS, 1);
			}
			pthread_mutex_unlock(&h->life);
		}
		break;
	case 9:	/* the buffer-only region: unmapped under the walk, remapped */
		pthread_mutex_lock(&s->xlock);
		if (s->xmapped) {
			ret = _vq_unmap(s->fd, XREG_IOVA, XREG_LEN);
			SCHECK(s, ret == 0, "unmap of the buffer region: %d", ret);
			OPS(OP_UNMAP, 1);
			s->xmapped = false;
		} else {
			if (s->xmunmapped) {
				/* the old address may be someone else's now */
				void *m = vq_alloc(XREG_LEN);

				SCHECK(s, m, "mmap: %d", errno);
				s->xmem = m;
				s->xmunmapped = false;
			}
			ret = _vq_map(s->fd, s->xmem, XREG_LEN,
				      VQTEST_MAP_FIXED_IOVA, XREG_IOVA, NULL);
			SCHECK(s, ret == 0, "map of the buffer region: %d", ret);
			OPS(OP_MAP, 1);
			s->xmapped = true;
		}
		pthread_mutex_unlock(&s->xlock);
		break;
	case 10:	/* munmap registered memory: the pins keep the pages */
		pthread_mutex_lock(&s->xlock);
		if (s->xmapped && !s->xmunmapped) {
			SCHECK(s, !munmap(s->xmem, XREG_LEN), "munmap: %d", errno);
			s->xmunmapped = true;
			OPS(OP_MUNMAP, 1);
		}
		pthread_mutex_unlock(&s->xlock);
		break;
	case 11:	/* new pages under a queue's rings, then rebuild it */
		pthread_mutex_lock(&x->life);
		if (!x->stale) {
			void *m = mmap(x->q.mem, x->q.mem_len,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				       MAP_POPULATE, -1, 0);

			SCHECK(s, m == x->q.mem, "mmap fixed: %d", errno);
			x->stale = true;
			OPS(OP_REMAP, 1);
		} else {
			xq_rebuild(x, rs);
		}
		pthread_mutex_unlock(&x->life);
		break;
	case 12:
		fork_child(s, rs);
		break;
	default:
		reap_children(s, false);
		break;
	}
}

static void *lifecycle_thread(void *arg)
{
	struct sess *s = arg;
	uint64_t rs = s->seed * 31 + 7;

	while (!atomic_load(&s->stop)) {
		lifecycle_step(s, &rs);
		if (!rnd(&rs, 4))
			msleep(1 + rnd(&rs, 5));
	}
	reap_children(s, true);
	return NULL;
}

/* --- a whole session ----------------------------------------------- */

/*
 * A queue's memory between two unmapped guard pages, registered at its
 * identity IOVA. Without the holes, a hostile buffer could run from one
 * queue's region into the next one's (the device rightly follows a buffer
 * across back-to-back regions) and the device would write into an honest
 * queue's rings on the hostile driver's behalf.
 */
static int sess_vqd_init(struct vqd *q, int fd, uint32_t index, uint32_t num,
			 uint32_t seg_max)
{
	size_t len = vqd_mem_bytes(num, seg_max);
	uint8_t *p = mmap(NULL, len + 2 * VQ_PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret;

	if (p == MAP_FAILED)
		return -errno;
	if (mmap(p + VQ_PAGE, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		 MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0) == MAP_FAILED)
		return -errno;
	ret = vqd_layout(q, fd, index, num, seg_max, p + VQ_PAGE, len,
			 (uintptr_t)(p + VQ_PAGE));
	if (ret)
		return ret;
	return _vq_map(fd, q->mem, len, 0, 0, NULL);
}

static void sess_setup(struct sess *s)
{
	uint64_t *rs = &s->seed;
	struct vqtest_info info;
	int i, ret;

	s->fd = _vq_open();
	SCHECK(s, s->fd >= 0, "open: %d", s->fd);
	ret = _vq_get_info(s->fd, &info);
	SCHECK(s, ret == 0, "info: %d", ret);
	s->features = F_V1 | F_RING_RESET;
	if (rnd(rs, 2))
		s->features |= F_EVENT_IDX;
	if (rnd(rs, 2))
		s->features |= F_INDIRECT;
	if (!rnd(rs, 4))
		s->features |= F_IN_ORDER;
	s->event_idx = s->features & F_EVENT_IDX;
	s->in_order = s->features & F_IN_ORDER;
	s->indirect = s->features & F_INDIRECT;
	ret = _vq_set_features(s->fd, s->features);
	SCHECK(s, ret == 0, "features: %d", ret);
	s->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_mutex_init(&s->xlock, NULL);

	s->xmem = vq_alloc(XREG_LEN);
	SCHECK(s, s->xmem, "mmap");
	ret = _vq_map(s->fd, s->xmem, XREG_LEN, VQTEST_MAP_FIXED_IOVA,
		      XREG_IOVA, NULL);
	SCHECK(s, ret == 0, "map: %d", ret);
	s->xmapped = true;
	OPS(OP_MAP, 1);

	for (i = 0; i < NHQ; i++) {
		struct hq *h = &s->hq[i];

		h->s = s;
		h->rs = s->seed + 1000 * (i + 1);
		h->beh = i == 0 || rnd(rs, 2) ? VQTEST_BEH_ECHO :
						VQTEST_BEH_SINK;
		pthread_mutex_init(&h->life, NULL);
		ret = sess_vqd_init(&h->q, s->fd, i, HQ_NUM, HQ_SEG);
		SCHECK(s, ret == 0, "honest queue %d memory: %d", i, ret);
		OPS(OP_MAP, 1);
	}
	for (i = 0; i < NXQ; i++) {
		struct xq *x = &s->xq[i];

		x->s = s;
		pthread_mutex_init(&x->life, NULL);
		pthread_rwlock_init(&x->efd, NULL);
		ret = sess_vqd_init(&x->q, s->fd, NHQ + i, XQ_NUM, XQ_SEG);
		SCHECK(s, ret == 0, "hostile queue %d memory: %d", i, ret);
		OPS(OP_MAP, 1);
		x->q.kick = x->q.call = -1;
		xq_create(x, rs);
	}
}

static int session_main(int id, uint64_t seed, double secs, bool killed)
{
	struct sess *s = calloc(1, sizeof(*s));
	pthread_t hostile[2], life;
	double t_close;
	long vmlck;
	int i;

	s->id = id;
	s->seed = seed;
	/* a lost session must not outlive the test (nor block rmmod) */
	alarm((unsigned int)secs + 2 * QUIESCE_SECS + 60);
	sess_setup(s);
	s->end = now_s() + secs;

	for (i = 0; i < NHQ; i++)
		pthread_create(&s->hq[i].thread, NULL, hq_thread, &s->hq[i]);
	for (i = 0; i < 2; i++)
		pthread_create(&hostile[i], NULL, xq_thread, s);
	pthread_create(&life, NULL, lifecycle_thread, s);

	while (now_s() < s->end)
		msleep(20);
	if (killed)	/* the parent's SIGKILL is overdue: keep going */
		for (;;)
			msleep(1000);

	atomic_store(&s->stop, true);
	for (i = 0; i < NHQ; i++)
		pthread_join(s->hq[i].thread, NULL);
	pthread_join(life, NULL);
	/* close the device with hostile queues still being kicked */
	close(s->fd);
	OPS(OP_CLOSE_DEV, 1);
	t_close = now_s();
	while (now_s() < t_close + 0.05)
		xq_kick(&s->xq[0], true);
	atomic_store(&s->stop_hostile, true);
	for (i = 0; i < 2; i++)
		pthread_join(hostile[i], NULL);
	for (i = 0; i < NXQ; i++) {
		if (s->xq[i].q.kick >= 0)
			close(s->xq[i].q.kick);
		if (s->xq[i].q.call >= 0)
			close(s->xq[i].q.call);
	}
	for (i = 0; i < NHQ; i++) {
		close(s->hq[i].q.kick);
		close(s->hq[i].q.call);
	}
	/* every region this process mapped was charged to it: all back */
	vmlck = vq_status_kb("VmLck");
	SCHECK(s, vmlck == 0, "VmLck %ld kB after the device closed", vmlck);
	return 0;
}

/* --- unprivileged, at RLIMIT_MEMLOCK ------------------------------- */

struct mlk {
	int id;
	int fd[2];
	double end;
	uint64_t seed;
	pthread_mutex_t lock;	/* the region table */
	struct { void *mem; size_t len; int dev; } reg[64];
	int nreg;
};

#define MLK_LIMIT_KB	((long)(MEMLOCK_PAGES * VQ_PAGE / 1024))

static void mlk_vmlck(struct sess *s, const char *when)
{
	long v = vq_status_kb("VmLck");

	SCHECK(s, v >= 0 && v <= MLK_LIMIT_KB, "%s: VmLck %ld kB, limit %ld kB",
	       when, v, MLK_LIMIT_KB);
}

static void *mlk_thread(void *arg)
{
	struct mlk *m = arg;
	struct sess s = { .id = m->id };
	uint64_t rs = m->seed ^ (uintptr_t)pthread_self();

	while (now_s() < m->end) {
		int dev = rnd(&rs, 2), ret;

		pthread_mutex_lock(&m->lock);
		if (m->nreg && (rnd(&rs, 2) || m->nreg == (int)VQ_ARRAY_SIZE(m->reg))) {
			int k = rnd(&rs, m->nreg);

			ret = _vq_unmap(m->fd[m->reg[k].dev],
					(uintptr_t)m->reg[k].mem, m->reg[k].len);
			SCHECK(&s, ret == 0, "unmap: %d", ret);
			munmap(m->reg[k].mem, m->reg[k].len);
			m->reg[k] = m->reg[--m->nreg];
			OPS(OP_UNMAP, 1);
		}
		pthread_mutex_unlock(&m->lock);
		{
			size_t len = (1 + rnd(&rs, 8)) * VQ_PAGE;
			void *mem = vq_alloc(len);

			SCHECK(&s, mem, "mmap");
			/* the map races the other thread's, unlocked */
			ret = _vq_map(m->fd[dev], mem, len, 0, 0, NULL);
			SCHECK(&s, ret == 0 || ret == -ENOMEM || ret == -ENOSPC,
			       "map at the limit: %d", ret);
			pthread_mutex_lock(&m->lock);
			if (!ret && m->nreg < (int)VQ_ARRAY_SIZE(m->reg)) {
				m->reg[m->nreg].mem = mem;
				m->reg[m->nreg].len = len;
				m->reg[m->nreg].dev = dev;
				m->nreg++;
				OPS(OP_MAP, 1);
			} else {
				if (!ret)
					_vq_unmap(m->fd[dev], (uintptr_t)mem, len);
				munmap(mem, len);
				if (ret == -ENOMEM)
					OPS(OP_MEMLOCK_ENOMEM, 1);
			}
			pthread_mutex_unlock(&m->lock);
		}
		mlk_vmlck(&s, "racing maps");
	}
	return NULL;
}

static int memlock_main(int id, uint64_t seed, double secs)
{
	struct rlimit rl = { MEMLOCK_PAGES * VQ_PAGE, MEMLOCK_PAGES * VQ_PAGE };
	struct mlk *m = calloc(1, sizeof(*m));
	struct sess s = { .id = id };
	void *pages[MEMLOCK_PAGES + 1];
	pthread_t t[3];
	int i, ret;

	alarm((unsigned int)secs + 120);
	m->id = id;
	m->seed = seed;
	pthread_mutex_init(&m->lock, NULL);
	/* open as root, then become nobody: no CAP_IPC_LOCK any more */
	for (i = 0; i < 2; i++) {
		m->fd[i] = _vq_open();
		SCHECK(&s, m->fd[i] >= 0, "open: %d", m->fd[i]);
		SCHECK(&s, !_vq_set_features(m->fd[i], F_V1), "features");
	}
	SCHECK(&s, !setrlimit(RLIMIT_MEMLOCK, &rl), "setrlimit: %d", errno);
	SCHECK(&s, !setgroups(0, NULL) && !setresgid(NOBODY, NOBODY, NOBODY) &&
		   !setresuid(NOBODY, NOBODY, NOBODY), "drop to uid %d: %d",
	       NOBODY, errno);
	/* a credential change clears the parent-death signal */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	SCHECK(&s, vq_status_kb("VmLck") == 0, "VmLck before: %ld",
	       vq_status_kb("VmLck"));

	/* exactly the limit: 32 one-page maps over two devices, then ENOMEM */
	for (i = 0; i <= MEMLOCK_PAGES; i++) {
		pages[i] = vq_alloc(VQ_PAGE);
		SCHECK(&s, pages[i], "mmap");
		ret = _vq_map(m->fd[i & 1], pages[i], VQ_PAGE, 0, 0, NULL);
		if (i < MEMLOCK_PAGES) {
			SCHECK(&s, ret == 0, "map %d of %d: %d", i + 1,
			       MEMLOCK_PAGES, ret);
			OPS(OP_MAP, 1);
		} else {
			SCHECK(&s, ret == -ENOMEM, "map past RLIMIT_MEMLOCK: %d",
			       ret);
			OPS(OP_MEMLOCK_ENOMEM, 1);
		}
	}
	SCHECK(&s, vq_status_kb("VmLck") == MLK_LIMIT_KB, "VmLck at the limit: %ld",
	       vq_status_kb("VmLck"));
	ret = _vq_unmap(m->fd[0], (uintptr_t)pages[0], VQ_PAGE);
	SCHECK(&s, ret == 0, "unmap: %d", ret);
	ret = _vq_map(m->fd[1], pages[MEMLOCK_PAGES], VQ_PAGE, 0, 0, NULL);
	SCHECK(&s, ret == 0, "map after an unmap: %d", ret);
	for (i = 1; i <= MEMLOCK_PAGES; i++) {
		ret = _vq_unmap(m->fd[i < MEMLOCK_PAGES ? i & 1 : 1],
				(uintptr_t)pages[i], VQ_PAGE);
		SCHECK(&s, ret == 0, "unmap %d: %d", i, ret);
		OPS(OP_UNMAP, 1);
	}
	for (i = 0; i <= MEMLOCK_PAGES; i++)
		munmap(pages[i], VQ_PAGE);
	SCHECK(&s, vq_status_kb("VmLck") == 0, "VmLck after: %ld",
	       vq_status_kb("VmLck"));

	/* then threads racing maps and unmaps across both devices */
	m->end = now_s() + secs;
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, mlk_thread, m);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	mlk_vmlck(&s, "after the race");
	/* half the time the regions go with the device close, not UNMAP */
	if (seed & 1) {
		for (i = 0; i < m->nreg; i++) {
			ret = _vq_unmap(m->fd[m->reg[i].dev],
					(uintptr_t)m->reg[i].mem, m->reg[i].len);
			SCHECK(&s, ret == 0, "unmap: %d", ret);
		}
	}
	close(m->fd[0]);
	close(m->fd[1]);
	OPS(OP_CLOSE_DEV, 2);
	SCHECK(&s, vq_status_kb("VmLck") == 0, "VmLck after close: %ld kB",
	       vq_status_kb("VmLck"));
	return 0;
}

/* ------------------------------------------------------------------ */
/* System-wide accounting: baseline and after                          */
/* ------------------------------------------------------------------ */

struct sysmem {
	long pins;		/* nr_foll_pin_acquired - released */
	long vmalloc_vqtest;	/* /proc/vmallocinfo areas of vqtest */
	long slab_kb;		/* caches vqtest allocates from */
	long sunreclaim_kb, vmalloc_used_kb, mem_avail_kb;
};

static long vmstat(const char *key)
{
	char name[64];
	long v, r = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, key))
			r = v;
	fclose(f);
	return r;
}

static long count_lines(const char *path, const char *needle)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* kmalloc*, radix_tree_node (the queue xarray), vmap_area (region vmaps) */
static long slab_kb(void)
{
	char line[512], name[64];
	unsigned long active, num, size;
	long long bytes = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num, &size) != 4)
			continue;
		if (!strncmp(name, "kmalloc-", 8) ||
		    !strcmp(name, "radix_tree_node") ||
		    !strcmp(name, "vmap_area"))
			bytes += (long long)active * size;
	}
	fclose(f);
	return bytes / 1024;
}

static void sysmem_read(struct sysmem *m)
{
	int fd;

	/* fold the per-CPU vmstat deltas first */
	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			(void)0;
		close(fd);
	}
	m->pins = vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
	m->vmalloc_vqtest = count_lines("/proc/vmallocinfo", "[vqtest]");
	m->slab_kb = slab_kb();
	m->sunreclaim_kb = vq_meminfo_kb("SUnreclaim");
	m->vmalloc_used_kb = vq_meminfo_kb("VmallocUsed");
	m->mem_avail_kb = vq_meminfo_kb("MemAvailable");
}

static struct sysmem base;

/*
 * kmemleak (debug kernels): objects allocated by vqtest and no longer
 * referenced, after two scans; -1 without kmemleak. Objects younger than
 * 5 s are not reported yet: wait that long first.
 */
static long kmemleak_vqtest(void)
{
	const char *path = "/sys/kernel/debug/kmemleak";
	char line[512];
	bool ours = false;
	long n = 0;
	FILE *f;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	msleep(6000);
	if (write(fd, "scan", 4) != 4 || write(fd, "scan", 4) != 4) {
		close(fd);
		return -1;
	}
	close(fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "unreferenced object"))
			ours = false;
		if (strstr(line, "vqtest") && !ours) {
			ours = true;
			n++;
		}
		if (ours)
			printf("# kmemleak: %s", line);
	}
	fclose(f);
	return n;
}

/*
 * Let freed memory show as free: RCU-freed objects, vmap's lazy purge, the
 * page cache, and each slab cache shrunk (which also empties its KASAN
 * quarantine on debug kernels: freed objects wait there, counted as
 * unreclaimable slab, for as long as 1/32 of RAM allows).
 */
static void settle(void)
{
	struct dirent *d;
	DIR *dir;
	int fd;

	msleep(1000);
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			(void)0;
		close(fd);
	}
	dir = opendir("/sys/kernel/slab");
	while (dir && (d = readdir(dir))) {
		char path[300];

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 d->d_name);
		fd = open(path, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "1", 1) < 0)
				(void)0;
			close(fd);
		}
	}
	if (dir)
		closedir(dir);
	msleep(500);
}

/* ------------------------------------------------------------------ */
/* The test                                                            */
/* ------------------------------------------------------------------ */

enum kind { K_NORMAL, K_KILLED, K_MEMLOCK, K_DYING };

struct child {
	pid_t pid;
	enum kind kind;
	double kill_at;
	int id;
};

static struct child ch[2];

static pid_t spawn(enum kind kind, int id, uint64_t seed, double secs)
{
	pid_t parent = getpid(), pid = fork();

	if (pid)
		return pid;
	die_with_parent(parent);
	setpgid(0, 0);	/* SIGKILL takes its forked children too */
	switch (kind) {
	case K_MEMLOCK:
		_exit(memlock_main(id, seed, secs));
	default:
		_exit(session_main(id, seed, secs, kind == K_KILLED));
	}
}

FIXTURE(stress) {
	int fd;
};

FIXTURE_SETUP(stress)
{
	vq_open_or_skip(&self->fd);
}

/*
 * Also after a failed assertion: no session may survive the test, or its
 * open device would keep the module from unloading.
 */
FIXTURE_TEARDOWN(stress)
{
	int i;

	if (self->fd >= 0)
		close(self->fd);
	for (i = 0; i < 2; i++) {
		if (ch[i].pid > 0) {
			kill(-ch[i].pid, SIGKILL);
			kill(ch[i].pid, SIGKILL);
		}
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

TEST_F_TIMEOUT(stress, hostile_driver, 3600)
{
	const char *sv = getenv("VQTEST_STRESS_SEED");
	uint64_t seed = sv && *sv ? strtoull(sv, NULL, 0) :
				    (uint64_t)time(NULL) * 2654435761ULL;
	unsigned int secs = stress_seconds();
	double t0 = now_s(), deadline = t0 + secs;
	struct sysmem after;
	uint64_t total = 0, flips, rs = seed | 1;
	long leaks;
	int nsess = 0, nkilled = 0, nmemlock = 0, i, status;
	char fail[1200] = "";

	close(self->fd);
	self->fd = -1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	printf("# stress: %u s, seed %#llx (VQTEST_STRESS_SECONDS, VQTEST_STRESS_SEED)\n",
	       secs, (unsigned long long)seed);
	fflush(stdout);

	/* warm up the caches the sessions use, then take the baseline */
	{
		pid_t p = spawn(K_NORMAL, 0, seed, 0.5);

		ASSERT_EQ(p, waitpid(p, &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("warm-up session: %#x: %s", status, sh->msg);
	}
	settle();
	sysmem_read(&base);
	memset(sh->op, 0, sizeof(sh->op));

	while (!fail[0] && (now_s() < deadline || ch[0].pid || ch[1].pid)) {
		double now = now_s();

		for (i = 0; i < 2 && !fail[0]; i++) {
			struct child *c = &ch[i];
			pid_t r;

			if (!c->pid) {
				double left = deadline - now, len;
				uint32_t pick = rnd(&rs, 20);

				if (left < 1.0)
					continue;
				c->id = ++nsess;
				len = 1.0 + rnd(&rs, 6000) / 1000.0;
				if (len > left)
					len = left;
				c->kind = pick < 12 ? K_NORMAL :
					  pick < 16 ? K_KILLED : K_MEMLOCK;
				/* a killed session dies at a random moment */
				c->kill_at = now + 0.2 + rnd(&rs, 3000) / 1000.0;
				c->pid = spawn(c->kind, c->id, vq_rand(&rs), len);
				if (c->pid < 0)
					snprintf(fail, sizeof(fail), "fork: %d", errno);
				OPS(OP_SESSION, 1);
				continue;
			}
			if (c->kind == K_KILLED && now >= c->kill_at) {
				kill(-c->pid, SIGKILL);
				kill(c->pid, SIGKILL);
				OPS(OP_KILL, 1);
				c->kind = K_DYING;	/* SIGKILL sent */
			}
			r = waitpid(c->pid, &status, WNOHANG);
			if (r == 0)
				continue;
			if (r != c->pid) {
				snprintf(fail, sizeof(fail), "waitpid: %d", errno);
			} else if (c->kind == K_DYING) {
				nkilled++;
				/* it may have failed before the kill came */
				if (!WIFSIGNALED(status) && WEXITSTATUS(status))
					snprintf(fail, sizeof(fail), "session %d: %s",
						 c->id, sh->msg);
			} else {
				nmemlock += c->kind == K_MEMLOCK;
				if (!WIFEXITED(status) || WEXITSTATUS(status))
					snprintf(fail, sizeof(fail),
						 "session %d (%s) ended with %#x: %s",
						 c->id, c->kind == K_MEMLOCK ?
						 "unprivileged" : "normal",
						 status, sh->msg);
			}
			c->pid = 0;
		}
		msleep(50);
	}
	/*
	 * Nothing may outlive the loop: after a failure the other session
	 * goes too; orphans of killed sessions came to us (subreaper).
	 */
	for (i = 0; i < 2; i++) {
		if (ch[i].pid > 0) {
			kill(-ch[i].pid, SIGKILL);
			kill(ch[i].pid, SIGKILL);
			ch[i].pid = 0;
		}
	}
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	ASSERT_EQ(0, fail[0]) TH_LOG("%s", fail);
	ASSERT_EQ(0, atomic_load(&sh->failed)) TH_LOG("%s", sh->msg);

	settle();
	sysmem_read(&after);
	for (i = 0; i < OP_MAX; i++) {
		if (i != OP_FLIP)
			total += sh->op[i];
		printf("# stress: %-50s %llu\n", op_names[i],
		       (unsigned long long)sh->op[i]);
	}
	flips = sh->op[OP_FLIP];
	printf("# stress: %llu operations (and %llu racing field flips) in %.0f s: %d sessions (%d killed, %d unprivileged at RLIMIT_MEMLOCK)\n",
	       (unsigned long long)total, (unsigned long long)flips,
	       now_s() - t0, nsess, nkilled, nmemlock);
	printf("# stress: after/baseline: pins %ld/%ld, vqtest vmalloc areas %ld/%ld, slab %ld/%ld kB, SUnreclaim %ld/%ld kB, VmallocUsed %ld/%ld kB, MemAvailable %ld/%ld kB\n",
	       after.pins, base.pins, after.vmalloc_vqtest, base.vmalloc_vqtest,
	       after.slab_kb, base.slab_kb, after.sunreclaim_kb,
	       base.sunreclaim_kb, after.vmalloc_used_kb, base.vmalloc_used_kb,
	       after.mem_avail_kb, base.mem_avail_kb);
	fflush(stdout);

	/* exact: every pinned page unpinned, every vqtest vmap gone */
	ASSERT_EQ(base.pins, after.pins);
	if (after.vmalloc_vqtest >= 0)
		ASSERT_EQ(0, after.vmalloc_vqtest);
	/* exact where kmemleak exists: nothing of vqtest's unreferenced */
	leaks = kmemleak_vqtest();
	if (leaks >= 0)
		printf("# stress: kmemleak: %ld objects from vqtest\n", leaks);
	ASSERT_GE(0, leaks);
	/* near: a leak per operation would be far above these */
	if (base.slab_kb >= 0)
		ASSERT_GT(base.slab_kb + 2048, after.slab_kb);
	ASSERT_GT(base.sunreclaim_kb + 4096, after.sunreclaim_kb);
	ASSERT_GT(base.vmalloc_used_kb + 2048, after.vmalloc_used_kb);
	ASSERT_LT(base.mem_avail_kb - 32768, after.mem_avail_kb);
}

TEST_HARNESS_MAIN
