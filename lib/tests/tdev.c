// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * TEST DOUBLE of /dev/vqtest's ioctl ABI, for libvq's unit tests only.
 *
 * One mutex (td->lock) covers the whole device: every ioctl and every
 * worker run. A queue with a kick eventfd gets a worker thread that
 * sleeps in poll() on it, as the module's eventfd wait-queue callback
 * schedules its worker; a queue without one runs only in QUEUE_PROCESS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tdev.h"

#define TDEV_MAX_QUEUES	8
#define TDEV_PAGE	4096ULL
#define TDEV_MAX_BLK	(64ULL << 20)

struct tdev_region {
	uint64_t iova;
	uint64_t len;
	uint8_t *host;
};

struct tdev_mem {
	struct tdev_region r[256];
	unsigned int nr;
};

struct tq {
	struct tdev *td;
	uint32_t index;
	uint32_t num;
	uint32_t behaviour;
	uint32_t flags;
	uint32_t state;
	void *ring;
	uint64_t ring_iova[3];
	struct vr_avail *avail;
	uint64_t ring_len[3];
	int kick_fd;
	int call_fd;
	int stop_fd;
	pthread_t thr;
	bool has_thr;
	uint64_t src_off;
	uint8_t *disk;		/* blk: the RAM disk */
	uint64_t capacity;
	struct vqtest_counters cnt;
	uint64_t violations[VQTEST_V_SLOTS];
	struct tdev_viol viol;
	uint16_t *ooo_head;
	uint32_t *ooo_len;
	bool record;
	uint64_t *order;
	uint32_t norder;
	uint32_t order_cap;
};

struct tdev {
	pthread_mutex_t lock;
	struct tdev_opts o;
	uint64_t features;
	bool features_set;
	struct tdev_mem mem;
	struct tq *q[TDEV_MAX_QUEUES];
};

void tdev_opts_init(struct tdev_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->device_features = (1ULL << VQTEST_F_VERSION_1) |
			     (1ULL << VQTEST_F_EVENT_IDX) |
			     (1ULL << VQTEST_F_INDIRECT_DESC) |
			     (1ULL << VQTEST_F_RING_RESET);
	o->max_queue_size = 32768;
	o->max_segs = 1024;
	o->max_regions = 64;
	o->ring = tdev_default_ring;
}

bool tdev_mem_region(const struct tdev_mem *m, unsigned int i, uint64_t *iova,
		     uint64_t *len, uint8_t **host)
{
	if (i >= m->nr)
		return false;
	*iova = m->r[i].iova;
	*len = m->r[i].len;
	*host = m->r[i].host;
	return true;
}

uint8_t *tdev_mem_range(const struct tdev_mem *m, uint64_t iova,
			uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		const struct tdev_region *r = &m->r[i];

		if (iova >= r->iova && iova - r->iova < r->len &&
		    len <= r->len - (iova - r->iova))
			return r->host + (iova - r->iova);
	}
	return NULL;
}

/* ---- behaviours -------------------------------------------------- */

static uint32_t do_echo(struct tq *q, const struct tdev_chain *c)
{
	uint32_t r = 0, w = c->nread;
	uint64_t roff = 0, woff = 0, done = 0;

	while (r < c->nread && w < c->nsegs) {
		uint64_t n = c->segs[r].len - roff;

		if (c->segs[w].len - woff < n)
			n = c->segs[w].len - woff;
		memcpy(c->segs[w].p + woff, c->segs[r].p + roff, n);
		done += n;
		roff += n;
		woff += n;
		if (roff == c->segs[r].len)
			r++, roff = 0;
		if (woff == c->segs[w].len)
			w++, woff = 0;
	}
	q->cnt.bytes_written += done;
	return (uint32_t)done;
}

static uint32_t do_source(struct tq *q, const struct tdev_chain *c)
{
	uint64_t done = 0;
	uint32_t i, k;

	for (i = c->nread; i < c->nsegs; i++)
		for (k = 0; k < c->segs[i].len; k++, done++)
			c->segs[i].p[k] = (uint8_t)(q->src_off++ %
						    VQTEST_SOURCE_PERIOD);
	q->cnt.bytes_written += done;
	return (uint32_t)done;
}

static void do_sink(struct tq *q, const struct tdev_chain *c)
{
	uint32_t i, k;

	if (!(q->flags & VQTEST_QUEUE_F_CHECKSUM))
		return;
	for (i = 0; i < c->nread; i++)
		for (k = 0; k < c->segs[i].len; k++)
			q->cnt.checksum = (q->cnt.checksum ^ c->segs[i].p[k]) *
					  VQTEST_CSUM_PRIME;
}

/* copy between a chain's segments [first, last) at @off and @buf */
static void seg_copy(const struct tdev_chain *c, uint32_t first,
		     uint32_t last, uint64_t off, uint8_t *buf, uint64_t len,
		     bool to_seg)
{
	uint32_t i;

	for (i = first; i < last && len; i++) {
		uint64_t n;

		if (off >= c->segs[i].len) {
			off -= c->segs[i].len;
			continue;
		}
		n = c->segs[i].len - off;
		if (n > len)
			n = len;
		if (to_seg)
			memcpy(c->segs[i].p + off, buf, n);
		else
			memcpy(buf, c->segs[i].p + off, n);
		buf += n;
		len -= n;
		off = 0;
	}
}

/* virtio-blk: outhdr, data, status byte (virtio 1.2, 5.2.6) */
static uint32_t do_blk(struct tq *q, const struct tdev_chain *c)
{
	uint64_t rlen = 0, wlen = 0, sector, dlen;
	uint8_t hdr[16], status = 0;
	uint32_t i, type;

	for (i = 0; i < c->nsegs; i++)
		*(i < c->nread ? &rlen : &wlen) += c->segs[i].len;
	if (rlen < sizeof(hdr) || !wlen)
		return 0;	/* the module reports BAD_REQUEST */
	seg_copy(c, 0, c->nread, 0, hdr, sizeof(hdr), false);
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	type = le32toh(type);
	sector = le64toh(sector);
	dlen = type == 0 ? wlen - 1 : rlen - sizeof(hdr);
	if ((type != 0 && type != 1) || dlen % 512)
		status = 2;	/* VIRTIO_BLK_S_UNSUPP */
	else if (sector > q->capacity / 512 ||
		 dlen > q->capacity - sector * 512)
		status = 1;	/* VIRTIO_BLK_S_IOERR */
	else if (type == 0)	/* VIRTIO_BLK_T_IN */
		seg_copy(c, c->nread, c->nsegs, 0, q->disk + sector * 512,
			 dlen, true);
	else
		seg_copy(c, 0, c->nread, sizeof(hdr), q->disk + sector * 512,
			 dlen, false);
	if (status || type != 0)
		dlen = 0;
	seg_copy(c, c->nread, c->nsegs, wlen - 1, &status, 1, true);
	q->cnt.bytes_written += dlen + 1;
	return (uint32_t)(dlen + 1);
}

static uint32_t behave(struct tq *q, const struct tdev_chain *c)
{
	uint32_t i;

	for (i = 0; i < c->nread; i++)
		q->cnt.bytes_read += c->segs[i].len;
	switch (q->behaviour) {
	case VQTEST_BEH_ECHO:
		return do_echo(q, c);
	case VQTEST_BEH_SOURCE:
		return do_source(q, c);
	case VQTEST_BEH_SINK:
		do_sink(q, c);
		return 0;
	case VQTEST_BEH_BLK:
		return do_blk(q, c);
	default:
		return 0;
	}
}

/* ---- the worker run ---------------------------------------------- */

static void stop_queue(struct tq *q)
{
	const struct tdev_viol *v = q->td->o.ring->violation(q->ring);

	q->state = VQTEST_QS_NEEDS_RESET;
	q->viol = *v;
	q->cnt.violations++;
	if (v->class < VQTEST_V_SLOTS)
		q->violations[v->class]++;
}

static void signal_call(struct tq *q, bool need)
{
	uint64_t one = 1;

	if (!need) {
		if (q->td->features & (1ULL << VQTEST_F_EVENT_IDX))
			q->cnt.calls_suppressed_event++;
		else
			q->cnt.calls_suppressed_flag++;
		return;
	}
	q->cnt.calls++;
	if (q->call_fd >= 0 && write(q->call_fd, &one, sizeof(one)) < 0)
		abort();
}

static void record(struct tq *q, const struct tdev_chain *c)
{
	uint64_t tag = 0;

	if (!q->record || !c->nread)
		return;
	memcpy(&tag, c->segs[0].p,
	       c->segs[0].len < sizeof(tag) ? c->segs[0].len : sizeof(tag));
	if (q->norder == q->order_cap) {
		q->order_cap = q->order_cap ? 2 * q->order_cap : 1024;
		q->order = realloc(q->order, q->order_cap * sizeof(*q->order));
		if (!q->order)
			abort();
	}
	q->order[q->norder++] = tag;
}

/* out-of-order mode completes the batch held back, newest first */
static void flush_used(struct tq *q, uint32_t *held)
{
	const struct tdev_ring_ops *ops = q->td->o.ring;

	while (*held) {
		(*held)--;
		ops->put_used(q->ring, q->ooo_head[*held], q->ooo_len[*held]);
		q->cnt.used++;
	}
	signal_call(q, ops->publish(q->ring));
}

static int complete(struct tq *q, struct tdev_chain *c, uint32_t *held)
{
	const struct tdev_ring_ops *ops = q->td->o.ring;
	uint32_t len = behave(q, c);
	uint16_t id = c->head;

	if (q->td->o.bogus_used_id)
		id = (uint16_t)q->num;
	if (q->td->o.out_of_order) {
		q->ooo_head[*held] = id;
		q->ooo_len[(*held)++] = len;
		return 0;
	}
	ops->put_used(q->ring, id, len);
	q->cnt.used++;
	return 0;
}

static int run(struct tq *q, uint32_t max, uint32_t *chains,
	       uint32_t *pending)
{
	const struct tdev_ring_ops *ops = q->td->o.ring;
	uint32_t done = 0, held = 0, every = q->td->o.publish_every;
	struct tdev_chain c;
	int n, ret = 0;

	if (q->state != VQTEST_QS_ACTIVE)
		return -EIO;
	q->cnt.worker_runs++;
	ops->disable_notify(q->ring);
	for (;;) {
		if (max && done >= max) {
			ops->enable_notify(q->ring);
			break;
		}
		n = ops->avail(q->ring);
		if (n < 0) {
			stop_queue(q);
			ret = -EIO;
			break;
		}
		if (!n) {
			if (!ops->enable_notify(q->ring))
				break;
			ops->disable_notify(q->ring);
			continue;
		}
		if (ops->get_chain(q->ring, &c)) {
			stop_queue(q);
			ret = -EIO;
			break;
		}
		q->cnt.chains++;
		q->cnt.descs += c.ndesc;
		q->cnt.indirect += c.indirect;
		record(q, &c);
		complete(q, &c, &held);
		done++;
		if (held == q->num || (every && done % every == 0))
			flush_used(q, &held);
	}
	flush_used(q, &held);
	if (chains)
		*chains = done;
	if (pending) {
		n = q->state == VQTEST_QS_ACTIVE ? ops->avail(q->ring) : 0;
		*pending = n > 0 ? (uint32_t)n : 0;
	}
	return ret;
}

static void *worker(void *arg)
{
	struct tq *q = arg;
	struct pollfd p[2] = {
		{ .fd = q->kick_fd, .events = POLLIN },
		{ .fd = q->stop_fd, .events = POLLIN },
	};
	uint64_t v;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		if (p[1].revents)
			return NULL;
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(q->kick_fd, &v, sizeof(v)) != sizeof(v))
			continue;
		pthread_mutex_lock(&q->td->lock);
		q->cnt.kicks++;
		run(q, 0, NULL, NULL);
		pthread_mutex_unlock(&q->td->lock);
	}
}

/* ---- ioctls ------------------------------------------------------- */

static int t_get_info(struct tdev *td, struct vqtest_info *i)
{
	if (i->size < sizeof(*i) || i->flags)
		return -EINVAL;
	i->out_abi_version = VQTEST_ABI_VERSION;
	i->out_device_features = td->o.device_features;
	i->out_driver_features = td->features_set ? td->features : 0;
	i->out_device_id = 1;
	i->out_max_queue_size = td->o.max_queue_size;
	i->out_max_queues = TDEV_MAX_QUEUES;
	i->out_max_regions = td->o.max_regions;
	i->out_max_segs = td->o.max_segs;
	i->out_behaviours = (1 << VQTEST_BEH_ECHO) | (1 << VQTEST_BEH_SINK) |
			    (1 << VQTEST_BEH_SOURCE) | (1 << VQTEST_BEH_NULL) |
			    (1 << VQTEST_BEH_BLK);
	i->out_max_blk_capacity = TDEV_MAX_BLK;
	i->out_nr_violation_classes = VQTEST_V_MAX;
	return 0;
}

static int t_set_features(struct tdev *td, struct vqtest_features *f)
{
	unsigned int i;

	if (f->size < sizeof(*f) || f->flags)
		return -EINVAL;
	if ((f->features & ~td->o.device_features) ||
	    !(f->features & (1ULL << VQTEST_F_VERSION_1)))
		return -EINVAL;
	for (i = 0; i < TDEV_MAX_QUEUES; i++)
		if (td->q[i])
			return -EBUSY;
	td->features = f->features;
	td->features_set = true;
	return 0;
}

static int t_map(struct tdev *td, struct vqtest_map *m)
{
	uint64_t iova;
	unsigned int i;

	if (m->size < sizeof(*m) || (m->flags & ~VQTEST_MAP_FIXED_IOVA))
		return -EINVAL;
	if (!m->length || m->length % TDEV_PAGE || m->user_va % TDEV_PAGE)
		return -EINVAL;
	iova = (m->flags & VQTEST_MAP_FIXED_IOVA) ? m->iova : m->user_va;
	if (iova % TDEV_PAGE)
		return -EINVAL;
	if (iova + m->length < iova || m->user_va + m->length < m->user_va)
		return -EOVERFLOW;
	for (i = 0; i < td->mem.nr; i++) {
		struct tdev_region *r = &td->mem.r[i];

		if (iova < r->iova + r->len && r->iova < iova + m->length)
			return -EEXIST;
	}
	if (td->mem.nr >= td->o.max_regions)
		return -ENOSPC;
	td->mem.r[td->mem.nr++] = (struct tdev_region){
		.iova = iova, .len = m->length,
		.host = (uint8_t *)(uintptr_t)m->user_va,
	};
	m->iova = iova;
	return 0;
}

static bool queue_uses(struct tq *q, const struct tdev_region *r)
{
	int k;

	for (k = 0; k < 3; k++)
		if (q->ring_iova[k] >= r->iova &&
		    q->ring_iova[k] - r->iova < r->len)
			return true;
	return false;
}

static int t_unmap(struct tdev *td, struct vqtest_unmap *u)
{
	unsigned int i, k;

	if (u->size < sizeof(*u) || u->flags)
		return -EINVAL;
	for (i = 0; i < td->mem.nr; i++) {
		struct tdev_region *r = &td->mem.r[i];

		if (r->iova != u->iova || r->len != u->length)
			continue;
		for (k = 0; k < TDEV_MAX_QUEUES; k++)
			if (td->q[k] && queue_uses(td->q[k], r))
				return -EBUSY;
		*r = td->mem.r[--td->mem.nr];
		return 0;
	}
	return -ENOENT;
}

static int dup_fd(int fd, int *out)
{
	*out = VQTEST_NO_FD;
	if (fd == VQTEST_NO_FD)
		return 0;
	*out = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return *out < 0 ? -EBADF : 0;
}

static void free_queue(struct tdev *td, struct tq *q)
{
	if (q->ring)
		td->o.ring->destroy(q->ring);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	free(q->disk);
	free(q->ooo_head);
	free(q->ooo_len);
	free(q->order);
	free(q);
}

static int check_create(struct tdev *td, const struct vqtest_queue_create *c)
{
	if (c->size < sizeof(*c) || c->__reserved ||
	    (c->flags & ~(uint32_t)(VQTEST_QUEUE_F_OUT_OF_ORDER |
				    VQTEST_QUEUE_F_CHECKSUM)))
		return -EINVAL;
	if (!td->features_set)
		return -EPROTO;
	if (c->index >= TDEV_MAX_QUEUES)
		return -EINVAL;
	if (td->q[c->index])
		return -EEXIST;
	if (!c->num || (c->num & (c->num - 1)) ||
	    c->num > td->o.max_queue_size)
		return -EINVAL;
	if (c->desc_iova % 16 || c->driver_iova % 2 || c->device_iova % 4)
		return -EINVAL;
	if (c->behaviour < VQTEST_BEH_ECHO || c->behaviour > VQTEST_BEH_BLK ||
	    c->level > VQTEST_LEVEL_WARN)
		return -EINVAL;
	if ((c->behaviour == VQTEST_BEH_BLK) !=	(c->blk_capacity != 0) ||
	    c->blk_capacity % 512 || c->blk_capacity > TDEV_MAX_BLK)
		return -EINVAL;
	return 0;
}

static int t_queue_create(struct tdev *td, struct vqtest_queue_create *c)
{
	void *desc, *avail, *used;
	struct tq *q;
	int ret;

	ret = check_create(td, c);
	if (ret)
		return ret;
	desc = tdev_mem_range(&td->mem, c->desc_iova, vr_desc_bytes(c->num));
	avail = tdev_mem_range(&td->mem, c->driver_iova,
			       vr_avail_bytes(c->num));
	used = tdev_mem_range(&td->mem, c->device_iova, vr_used_bytes(c->num));
	if (!desc || !avail || !used)
		return -EINVAL;

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->td = td;
	q->kick_fd = q->call_fd = q->stop_fd = -1;
	q->index = c->index;
	q->num = c->num;
	q->behaviour = c->behaviour;
	q->flags = c->flags;
	q->state = VQTEST_QS_ACTIVE;
	q->cnt.checksum = VQTEST_CSUM_INIT;
	q->ring_iova[0] = c->desc_iova;
	q->ring_iova[1] = c->driver_iova;
	q->ring_iova[2] = c->device_iova;
	q->capacity = c->blk_capacity;
	q->disk = c->blk_capacity ? calloc(1, c->blk_capacity) : NULL;
	q->ooo_head = calloc(c->num, sizeof(*q->ooo_head));
	q->ooo_len = calloc(c->num, sizeof(*q->ooo_len));
	q->avail = avail;
	q->ring = td->o.ring->create(c->num, td->features, td->o.max_segs,
				     desc, avail, used, &td->mem);
	if (!q->ooo_head || !q->ooo_len || !q->ring ||
	    (c->blk_capacity && !q->disk)) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = dup_fd(c->kick_fd, &q->kick_fd);
	if (!ret)
		ret = dup_fd(c->call_fd, &q->call_fd);
	if (ret)
		goto fail;
	td->o.ring->start(q->ring, 0, 0);
	if (q->kick_fd >= 0) {
		q->stop_fd = eventfd(0, EFD_CLOEXEC);
		if (q->stop_fd < 0 ||
		    pthread_create(&q->thr, NULL, worker, q)) {
			ret = -ENOMEM;
			goto fail;
		}
		q->has_thr = true;
	}
	td->q[c->index] = q;
	return 0;
fail:
	free_queue(td, q);
	return ret;
}

static struct tq *find_queue(struct tdev *td, uint32_t index)
{
	return index < TDEV_MAX_QUEUES ? td->q[index] : NULL;
}

/* called without td->lock: the worker may be waiting for it */
static void stop_worker(struct tq *q)
{
	uint64_t one = 1;

	if (!q->has_thr)
		return;
	if (write(q->stop_fd, &one, sizeof(one)) < 0)
		abort();
	pthread_join(q->thr, NULL);
	q->has_thr = false;
}

static int t_queue_destroy(struct tdev *td, struct vqtest_queue_destroy *d,
			   struct tq **gone)
{
	struct tq *q;

	if (d->size < sizeof(*d) || d->flags || d->__reserved)
		return -EINVAL;
	q = find_queue(td, d->index);
	if (!q)
		return -ENOENT;
	td->q[d->index] = NULL;
	*gone = q;
	return 0;
}

static int t_queue_reset(struct tdev *td, struct vqtest_queue_reset *r)
{
	struct tq *q;

	if (r->size < sizeof(*r) || r->flags)
		return -EINVAL;
	q = find_queue(td, r->index);
	if (!q)
		return -ENOENT;
	if (q->state == VQTEST_QS_ACTIVE &&
	    !(td->features & (1ULL << VQTEST_F_RING_RESET)))
		return -EOPNOTSUPP;
	/* made available and never completed: taken or not yet read */
	r->out_dropped = td->o.ring->inflight(q->ring) +
			 (uint16_t)(vr_load16(&q->avail->idx, __ATOMIC_ACQUIRE) -
				    td->o.ring->last_avail(q->ring));
	if (q->state == VQTEST_QS_RESET)
		r->out_dropped = 0;
	q->cnt.dropped += r->out_dropped;
	/* as the module: hands off the rings until SET_INDICES enables */
	q->state = VQTEST_QS_RESET;
	memset(&q->viol, 0, sizeof(q->viol));
	q->src_off = 0;
	return 0;
}

static int t_set_indices(struct tdev *td, struct vqtest_queue_set_indices *s)
{
	struct tq *q;

	if (s->size < sizeof(*s) || s->flags)
		return -EINVAL;
	q = find_queue(td, s->index);
	if (!q)
		return -ENOENT;
	if (q->state == VQTEST_QS_RESET) {
		td->o.ring->start(q->ring, s->avail_idx, s->used_idx);
		q->state = VQTEST_QS_ACTIVE;
		return 0;
	}
	if (q->state != VQTEST_QS_ACTIVE || td->o.ring->inflight(q->ring))
		return -EBUSY;
	td->o.ring->start(q->ring, s->avail_idx, s->used_idx);
	return 0;
}

static int t_process(struct tdev *td, struct vqtest_queue_process *p)
{
	struct tq *q;

	if (p->size < sizeof(*p) || p->flags)
		return -EINVAL;
	q = find_queue(td, p->index);
	if (!q)
		return -ENOENT;
	if (q->state == VQTEST_QS_RESET)
		return -EBUSY;
	return run(q, p->max_chains, &p->out_chains, &p->out_pending);
}

static int t_stats(struct tdev *td, struct vqtest_queue_stats *s)
{
	struct tq *q;

	if (s->size < sizeof(*s) || s->flags)
		return -EINVAL;
	q = find_queue(td, s->index);
	if (!q)
		return -ENOENT;
	s->out_state = q->state;
	s->out_num = q->num;
	s->out_behaviour = q->behaviour;
	s->out_violation = q->viol.class;
	s->out_violation_desc = q->viol.class ? q->viol.desc : VQTEST_NO_DESC;
	s->out_violation_ring = q->viol.ring;
	s->out_violation_addr = q->viol.addr;
	s->out_counters = q->cnt;
	memcpy(s->out_violations, q->violations, sizeof(q->violations));
	return 0;
}

static int tdev_ioctl(void *priv, unsigned long req, void *arg)
{
	struct tdev *td = priv;
	struct tq *gone = NULL;
	int ret;

	pthread_mutex_lock(&td->lock);
	switch (req) {
	case VQTEST_GET_INFO:
		ret = t_get_info(td, arg);
		break;
	case VQTEST_SET_FEATURES:
		ret = t_set_features(td, arg);
		break;
	case VQTEST_MAP:
		ret = t_map(td, arg);
		break;
	case VQTEST_UNMAP:
		ret = t_unmap(td, arg);
		break;
	case VQTEST_QUEUE_CREATE:
		ret = t_queue_create(td, arg);
		break;
	case VQTEST_QUEUE_DESTROY:
		ret = t_queue_destroy(td, arg, &gone);
		break;
	case VQTEST_QUEUE_RESET:
		ret = t_queue_reset(td, arg);
		break;
	case VQTEST_QUEUE_SET_INDICES:
		ret = t_set_indices(td, arg);
		break;
	case VQTEST_QUEUE_PROCESS:
		ret = t_process(td, arg);
		break;
	case VQTEST_QUEUE_STATS:
		ret = t_stats(td, arg);
		break;
	default:
		ret = -ENOTTY;
	}
	pthread_mutex_unlock(&td->lock);
	if (gone) {
		stop_worker(gone);
		free_queue(td, gone);
	}
	return ret;
}

static void tdev_close(void *priv)
{
	struct tdev *td = priv;
	unsigned int i;

	for (i = 0; i < TDEV_MAX_QUEUES; i++) {
		if (!td->q[i])
			continue;
		stop_worker(td->q[i]);
		free_queue(td, td->q[i]);
	}
	pthread_mutex_destroy(&td->lock);
	free(td);
}

static const struct vq_dev_backend tdev_backend = {
	.ioctl = tdev_ioctl,
	.close = tdev_close,
};

int tdev_open(const struct tdev_opts *o, struct vq_dev **dev,
	      struct tdev **out)
{
	struct tdev *td = calloc(1, sizeof(*td));
	int ret;

	if (!td)
		return -ENOMEM;
	pthread_mutex_init(&td->lock, NULL);
	if (o)
		td->o = *o;
	else
		tdev_opts_init(&td->o);
	if (!td->o.ring)
		td->o.ring = tdev_default_ring;
	ret = vq__dev_open_backend(&tdev_backend, td, dev);
	if (ret) {
		free(td);
		return ret;
	}
	if (out)
		*out = td;
	return 0;
}

unsigned int tdev_nr_regions(struct tdev *td)
{
	unsigned int n;

	pthread_mutex_lock(&td->lock);
	n = td->mem.nr;
	pthread_mutex_unlock(&td->lock);
	return n;
}

unsigned int tdev_nr_queues(struct tdev *td)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&td->lock);
	for (i = 0; i < TDEV_MAX_QUEUES; i++)
		n += td->q[i] != NULL;
	pthread_mutex_unlock(&td->lock);
	return n;
}

void tdev_record_order(struct tdev *td, uint32_t index, bool on)
{
	pthread_mutex_lock(&td->lock);
	if (td->q[index])
		td->q[index]->record = on;
	pthread_mutex_unlock(&td->lock);
}

uint32_t tdev_order(struct tdev *td, uint32_t index, uint64_t *tags,
		    uint32_t max)
{
	struct tq *q;
	uint32_t n = 0;

	pthread_mutex_lock(&td->lock);
	q = td->q[index];
	if (q) {
		n = q->norder < max ? q->norder : max;
		memcpy(tags, q->order, n * sizeof(*tags));
	}
	pthread_mutex_unlock(&td->lock);
	return n;
}
