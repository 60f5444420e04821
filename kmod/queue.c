// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest: queue lifecycle, kick and call eventfds, and the worker.
 *
 * A write to the kick eventfd wakes our entry on its wait queue (the way
 * vhost_poll and KVM's irqfd listen); the wakeup only queues the work item.
 * The worker takes the queue lock, walks the ring within a budget and
 * requeues itself when the budget runs out, so neither a kick flood nor a
 * huge ring holds a CPU.
 */
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "vqtest.h"
#include "trace.h"

static const char *const vqtest_viol_names[VQTEST_V_MAX] = {
	[VQTEST_V_NONE] = "none",
	[VQTEST_V_AVAIL_IDX_JUMP] = "avail idx jump",
	[VQTEST_V_AVAIL_IDX_BACK] = "avail idx backwards",
	[VQTEST_V_HEAD_RANGE] = "head out of range",
	[VQTEST_V_NEXT_RANGE] = "next out of range",
	[VQTEST_V_LOOP] = "descriptor loop",
	[VQTEST_V_CHAIN_LEN] = "chain longer than queue",
	[VQTEST_V_ZERO_LEN] = "zero-length descriptor",
	[VQTEST_V_ADDR_WRAP] = "address wraps",
	[VQTEST_V_ADDR_UNMAPPED] = "address not mapped",
	[VQTEST_V_INDIRECT_FEATURE] = "indirect not negotiated",
	[VQTEST_V_INDIRECT_NESTED] = "nested indirect",
	[VQTEST_V_INDIRECT_NEXT] = "indirect with next",
	[VQTEST_V_INDIRECT_LEN] = "bad indirect length",
	[VQTEST_V_WRITE_ORDER] = "readable after writable",
	[VQTEST_V_TOO_MANY_SEGS] = "too many segments",
	[VQTEST_V_HEAD_IN_FLIGHT] = "head in flight",
	[VQTEST_V_USED_WRITTEN] = "used ring written by driver",
	[VQTEST_V_IN_ORDER] = "out of ring order",
	[VQTEST_V_BAD_REQUEST] = "bad request",
};

static void vqtest_report(struct vqt_ring *r, const struct vqt_violation *v,
			  bool fatal)
{
	struct vqtest_queue *q = r->priv;

	q->cnt.violations++;
	q->viol_count[v->class]++;
	trace_vqtest_violation(q->dev->id, q->index, v->class, v->desc,
			       v->ring, v->addr, fatal);
	pr_warn_ratelimited("vqtest%u: queue %u: %s (desc %#x, ring %u, addr %#llx)%s\n",
			    q->dev->id, q->index, vqtest_viol_names[v->class],
			    v->desc, v->ring, v->addr,
			    fatal ? ", queue stopped" : "");
	if (fatal)
		q->state = VQTEST_QS_NEEDS_RESET;
}

static void vqtest_queue_kick_work(struct vqtest_queue *q)
{
	if (q->cpu != VQTEST_CPU_ANY && cpu_online(q->cpu))
		queue_work_on(q->cpu, vqtest_wq, &q->work);
	else
		queue_work(vqtest_wq, &q->work);
}

/* Publish the used elements and signal the driver unless it declined. */
static void vqtest_publish(struct vqtest_queue *q)
{
	struct vqt_ring *r = &q->ring;
	enum vqt_call why;

	if (r->used_idx == r->pub_used)
		return;
	why = vqt_ring_publish(r);
	trace_vqtest_call(q->dev->id, q->index, r->pub_used, why);
	switch (why) {
	case VQT_CALL_SEND:
		q->cnt.calls++;
		if (q->call)
			vqtest_eventfd_signal(q->call);
		break;
	case VQT_CALL_NO_INTERRUPT:
		q->cnt.calls_suppressed_flag++;
		break;
	case VQT_CALL_USED_EVENT:
		q->cnt.calls_suppressed_event++;
		break;
	}
}

static void vqtest_put_used(struct vqtest_queue *q, u16 head, u32 len)
{
	struct vqt_ring *r = &q->ring;

	trace_vqtest_used(q->dev->id, q->index, head, len, r->used_idx);
	vqt_ring_put_used(r, head, len);
	q->cnt.used++;
}

/* Write the held completions, newest first. */
static void vqtest_flush_held(struct vqtest_queue *q)
{
	while (q->nheld) {
		q->nheld--;
		vqtest_put_used(q, q->held[q->nheld].head,
				q->held[q->nheld].len);
	}
}

static void vqtest_complete(struct vqtest_queue *q, u16 head, u32 len)
{
	if (!q->ooo_window) {
		vqtest_put_used(q, head, len);
		return;
	}
	q->held[q->nheld].head = head;
	q->held[q->nheld].len = len;
	if (++q->nheld == q->ooo_window)
		vqtest_flush_held(q);
}

/* Busy-poll the empty ring for up to busy_poll_ns; true if chains came. */
static bool vqtest_busy_poll(struct vqtest_queue *q)
{
	u64 end = ktime_get_ns() + q->busy_poll_ns;
	struct vqt_ring *r = &q->ring;

	do {
		if (READ_ONCE(r->avail->idx) != cpu_to_le16(r->last_avail))
			return true;
		cpu_relax();
	} while (ktime_get_ns() < end && !need_resched());
	return false;
}

/**
 * vqtest_queue_run() - consume the ring until it is empty or a limit hits
 * @q: the queue, q->lock held
 * @max_chains: stop after this many chains (0: the per-run budget)
 * @from_worker: called by the worker, which requeues itself on the budget
 * @done: set to chains completed
 *
 * Return: 0; -EAGAIN when a limit stopped the run with chains left;
 * -EIO when the queue is (or became) stopped by a violation.
 */
static int vqtest_queue_run(struct vqtest_queue *q, u32 max_chains,
			    bool from_worker, u32 *done)
{
	struct vqt_ring *r = &q->ring;
	u32 limit = max_chains ? max_chains : q->budget_chains;
	u64 bytes = 0;
	bool first = true, exhausted = false;
	int ret = 0;

	lockdep_assert_held(&q->lock);
	*done = 0;
	if (q->state == VQTEST_QS_RESET)
		return -EBUSY;	/* the ring is the driver's until re-enabled */
	if (q->state != VQTEST_QS_ACTIVE)
		return -EIO;
	q->cnt.worker_runs++;
	down_read(&q->dev->map_sem);

	if (vqt_ring_check_device_area(r))
		goto stopped;
	vqt_ring_disable_notify(r);
	for (;;) {
		int n = vqt_ring_avail(r);

		if (n < 0)
			goto stopped;
		if (!n) {
			if (q->busy_poll_ns && vqtest_busy_poll(q))
				continue;
			if (!vqt_ring_enable_notify(r))
				break;
			vqt_ring_disable_notify(r);
			continue;
		}
		if (!first) {
			q->cnt.kicks_suppressed++;
			trace_vqtest_kick_suppressed(q->dev->id, q->index,
						     r->seen_avail);
		}
		first = false;
		while (n--) {
			struct vqt_chain c;
			u32 written = 0;

			if (*done >= limit || bytes >= q->budget_bytes) {
				exhausted = true;
				goto out;
			}
			if (vqt_ring_get_chain(r, &c))
				goto stopped;
			trace_vqtest_avail(q->dev->id, q->index, c.head,
					   c.ring_idx, c.ndesc, c.read_len,
					   c.write_len, c.indirect);
			q->cnt.chains++;
			/* the descriptor naming an indirect table counts too */
			q->cnt.descs += c.ndesc + c.indirect;
			q->cnt.indirect += c.indirect;
			if (vqtest_behave(q, &c, &written)) {
				/* the chain goes back to nobody: drop it */
				__clear_bit(c.head, r->inflight);
				goto stopped;
			}
			bytes += c.read_len + written;
			vqtest_complete(q, c.head, written);
			(*done)++;
		}
		vqtest_flush_held(q);
		vqtest_publish(q);
		if (q->state != VQTEST_QS_ACTIVE)
			goto stopped;
	}
	goto out;

stopped:
	ret = -EIO;
out:
	vqtest_flush_held(q);
	vqtest_publish(q);
	if (q->state != VQTEST_QS_ACTIVE) {
		ret = -EIO;
		/* wake a driver waiting for completions: like a config irq */
		if (q->call)
			vqtest_eventfd_signal(q->call);
	} else if (exhausted) {
		ret = -EAGAIN;
		q->cnt.budget_exhausted++;
		/* the worker comes back; a bounded caller wants kicks again */
		if (!from_worker)
			vqt_ring_enable_notify(r);
	}
	up_read(&q->dev->map_sem);
	trace_vqtest_run(q->dev->id, q->index, *done, exhausted);
	return ret;
}

static void vqtest_worker(struct work_struct *work)
{
	struct vqtest_queue *q = container_of(work, struct vqtest_queue, work);
	u32 done;
	int ret;

	mutex_lock(&q->lock);
	ret = vqtest_queue_run(q, 0, true, &done);
	mutex_unlock(&q->lock);
	if (ret == -EAGAIN)
		vqtest_queue_kick_work(q);
}

static void vqtest_queue_put(struct vqtest_queue *q)
{
	if (!refcount_dec_and_test(&q->ref))
		return;
	mutex_destroy(&q->lock);
	kvfree(q);
}

/*
 * VQTEST_QUEUE_F_INLINE: the run a kick queued on the kicking task, now on
 * its way back to userspace, where it may sleep and no eventfd is being
 * signalled (eventfd_signal() refuses to nest in the kick's own wakeup).
 * It holds a queue reference, and the device file so that neither the
 * device nor this module goes before it has run; fput() defers the
 * release, so this function has returned before it happens.
 */
static void vqtest_inline_run(struct callback_head *cb)
{
	struct vqtest_queue *q = container_of(cb, struct vqtest_queue,
					      inline_cb);
	struct file *file = q->dev->file;
	u32 done;

	/* a kick from now on queues another run: it may find nothing left */
	clear_bit(0, &q->inline_pending);
	smp_mb__after_atomic();	/* clear the bit before reading the ring */
	mutex_lock(&q->lock);
	if (!q->gone && vqtest_queue_run(q, 0, true, &done) == -EAGAIN)
		vqtest_queue_kick_work(q);	/* past the budget */
	mutex_unlock(&q->lock);
	vqtest_queue_put(q);
	fput(file);
}

/* Queue an inline run on the kicking task; false: the worker must run. */
static bool vqtest_kick_inline(struct vqtest_queue *q)
{
	if (!in_task() || (current->flags & VQTEST_PF_NO_RESUME))
		return false;
	/* queued and not started yet: it will see this kick's chains */
	if (test_and_set_bit(0, &q->inline_pending))
		return true;
	/*
	 * The queue cannot go while we are here: destroy first takes us off
	 * the kick's wait queue, under the lock this wakeup holds. The device
	 * file can be closing already (release destroys the queues next):
	 * then the worker takes the kick, and release cancels it.
	 */
	if (!vqtest_get_file_live(q->dev->file))
		goto no_inline;
	init_task_work(&q->inline_cb, vqtest_inline_run);
	if (task_work_add(current, &q->inline_cb, TWA_RESUME)) {
		/* fput() defers a release: fine under the wakeup lock */
		fput(q->dev->file);
		goto no_inline;
	}
	refcount_inc(&q->ref);
	return true;

no_inline:
	clear_bit(0, &q->inline_pending);
	return false;
}

static int vqtest_kick_wake(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct vqtest_queue *q = container_of(wait, struct vqtest_queue,
					      kick_wait);

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	atomic64_inc(&q->kicks);
	trace_vqtest_kick(q->dev->id, q->index);
	if (!(q->flags & VQTEST_QUEUE_F_INLINE) || !vqtest_kick_inline(q))
		vqtest_queue_kick_work(q);
	return 0;
}

static void vqtest_kick_ptable(struct file *file, wait_queue_head_t *wqh,
			       poll_table *pt)
{
	struct vqtest_queue *q = container_of(pt, struct vqtest_queue,
					      kick_pt);

	q->kick_wqh = wqh;
	add_wait_queue(wqh, &q->kick_wait);
}

static int vqtest_kick_start(struct vqtest_queue *q, int fd)
{
	struct eventfd_ctx *ctx;
	__poll_t mask;

	q->kick_file = fget(fd);
	if (!q->kick_file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(q->kick_file);
	if (IS_ERR(ctx)) {
		fput(q->kick_file);
		q->kick_file = NULL;
		return PTR_ERR(ctx);
	}
	eventfd_ctx_put(ctx);

	init_waitqueue_func_entry(&q->kick_wait, vqtest_kick_wake);
	init_poll_funcptr(&q->kick_pt, vqtest_kick_ptable);
	mask = vfs_poll(q->kick_file, &q->kick_pt);
	if (!q->kick_wqh) {
		fput(q->kick_file);
		q->kick_file = NULL;
		return -EINVAL;
	}
	/* a kick written before the queue existed still counts */
	if (mask & EPOLLIN)
		vqtest_queue_kick_work(q);
	return 0;
}

static void vqtest_queue_free(struct vqtest_queue *q)
{
	struct vqtest_dev *dev = q->dev;
	int i;

	if (q->kick_wqh)
		remove_wait_queue(q->kick_wqh, &q->kick_wait);
	/* an inline run still queued on some task finds the queue gone */
	mutex_lock(&q->lock);
	q->gone = true;
	mutex_unlock(&q->lock);
	/* no wakeup can queue the work any more; wait out a running one */
	cancel_work_sync(&q->work);
	if (q->kick_file)
		fput(q->kick_file);
	if (q->call)
		eventfd_ctx_put(q->call);
	mutex_lock(&dev->lock);
	for (i = 0; i < 3; i++)
		if (q->ring_reg[i])
			vqtest_region_put(q->ring_reg[i]);
	mutex_unlock(&dev->lock);
	vqtest_behaviour_free(q);
	vqtest_queue_put(q);
}

static int vqtest_queue_check(const struct vqtest_dev *dev,
			      const struct vqtest_queue_create *cmd)
{
	u32 known = VQTEST_QUEUE_F_OUT_OF_ORDER | VQTEST_QUEUE_F_CHECKSUM |
		    VQTEST_QUEUE_F_INLINE;

	if ((cmd->flags & ~known) || cmd->__reserved)
		return -EINVAL;
	if (cmd->index >= VQTEST_MAX_QUEUES)
		return -EINVAL;
	if (!cmd->num || !is_power_of_2(cmd->num) ||
	    cmd->num > vqtest_max_queue_size)
		return -EINVAL;
	if (cmd->desc_iova % 16 || cmd->driver_iova % 2 ||
	    cmd->device_iova % 4)
		return -EINVAL;
	if (cmd->behaviour < VQTEST_BEH_ECHO || cmd->behaviour > VQTEST_BEH_BLK)
		return -EOPNOTSUPP;
	if (cmd->level > VQTEST_LEVEL_WARN)
		return -EINVAL;
	if (cmd->flags & VQTEST_QUEUE_F_OUT_OF_ORDER) {
		/* IN_ORDER forbids it: checked with the features, locked */
		if (cmd->ooo_window < 2 ||
		    cmd->ooo_window > VQTEST_MAX_OOO_WINDOW)
			return -EINVAL;
	} else if (cmd->ooo_window) {
		return -EINVAL;
	}
	if (cmd->cpu != VQTEST_CPU_ANY &&
	    (cmd->cpu < 0 || cmd->cpu >= nr_cpu_ids || !cpu_online(cmd->cpu)))
		return -EINVAL;
	if (cmd->busy_poll_us > VQTEST_MAX_BUSY_POLL_US)
		return -EINVAL;
	/* inline runs happen where the kick was written, never polling */
	if ((cmd->flags & VQTEST_QUEUE_F_INLINE) &&
	    (cmd->cpu != VQTEST_CPU_ANY || cmd->busy_poll_us))
		return -EINVAL;
	if (cmd->kick_fd < VQTEST_NO_FD || cmd->call_fd < VQTEST_NO_FD)
		return -EBADF;
	return 0;
}

/* Find and use the regions of the three ring areas; dev->lock held. */
static int vqtest_queue_rings(struct vqtest_dev *dev, struct vqtest_queue *q,
			      const struct vqtest_queue_create *cmd)
{
	u64 num = cmd->num;
	u64 iova[3] = { cmd->desc_iova, cmd->driver_iova, cmd->device_iova };
	u64 len[3] = { 16 * num, 6 + 2 * num, 6 + 8 * num };
	void *kva[3];
	int i;

	for (i = 0; i < 3; i++) {
		if (iova[i] + len[i] < iova[i])
			return -EOVERFLOW;
		q->ring_reg[i] = vqtest_region_get(dev, iova[i], len[i],
						   &kva[i]);
		if (!q->ring_reg[i])
			return -EINVAL;
	}
	vqt_ring_attach(&q->ring, kva[0], kva[1], kva[2], &dev->map);
	return 0;
}

/**
 * vqtest_queue_create() - VQTEST_QUEUE_CREATE
 * @dev: the device
 * @cmd: the command
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_queue_create(struct vqtest_dev *dev,
			struct vqtest_queue_create *cmd)
{
	struct vqtest_queue *q;
	size_t ring_size;
	int ret;

	ret = vqtest_queue_check(dev, cmd);
	if (ret)
		return ret;

	ring_size = vqt_ring_scratch_size(cmd->num);
	/* sized by the caller: ENOMEM is the answer, not a stack dump */
	q = kvzalloc(sizeof(*q) + ring_size +
		     cmd->ooo_window * sizeof(*q->held),
		     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!q)
		return -ENOMEM;
	q->held = (struct vqtest_done *)(q->scratch + ring_size);
	q->dev = dev;
	q->index = cmd->index;
	mutex_init(&q->lock);
	INIT_WORK(&q->work, vqtest_worker);
	refcount_set(&q->ref, 1);
	q->state = VQTEST_QS_ACTIVE;
	q->behaviour = cmd->behaviour;
	q->flags = cmd->flags;
	q->ooo_window = cmd->ooo_window;
	q->cpu = cmd->cpu;
	q->budget_chains = cmd->budget_chains ?: VQTEST_DEF_BUDGET_CHAINS;
	q->budget_bytes = cmd->budget_bytes ?: VQTEST_DEF_BUDGET_BYTES;
	q->busy_poll_ns = (u64)cmd->busy_poll_us * NSEC_PER_USEC;

	ret = vqtest_behaviour_init(q, cmd);
	if (ret)
		goto out_free;
	if (cmd->call_fd != VQTEST_NO_FD) {
		q->call = eventfd_ctx_fdget(cmd->call_fd);
		if (IS_ERR(q->call)) {
			ret = PTR_ERR(q->call);
			q->call = NULL;
			goto out_free;
		}
	}

	down_write(&dev->qsem);
	if (xa_load(&dev->queues, cmd->index)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	mutex_lock(&dev->lock);
	if (!dev->features) {
		ret = -EPROTO;
	} else {
		vqt_ring_init(&q->ring, cmd->num, q->scratch, dev->features);
		q->ring.warn = cmd->level == VQTEST_LEVEL_WARN;
		q->ring.report = vqtest_report;
		q->ring.priv = q;
		ret = vqtest_queue_rings(dev, q, cmd);
	}
	mutex_unlock(&dev->lock);
	if (ret)
		goto out_unlock;
	if ((q->flags & VQTEST_QUEUE_F_OUT_OF_ORDER) && q->ring.in_order) {
		ret = -EINVAL;
		goto out_unlock;
	}
	vqt_ring_start(&q->ring, 0, 0);
	ret = xa_insert(&dev->queues, cmd->index, q, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_unlock;
	/* from here on a kick may run the queue */
	if (cmd->kick_fd != VQTEST_NO_FD) {
		ret = vqtest_kick_start(q, cmd->kick_fd);
		if (ret) {
			xa_erase(&dev->queues, cmd->index);
			goto out_unlock;
		}
	}
	up_write(&dev->qsem);
	trace_vqtest_queue_create(dev->id, q->index, cmd->num, q->behaviour,
				  dev->features);
	return 0;

out_unlock:
	up_write(&dev->qsem);
out_free:
	vqtest_queue_free(q);
	return ret;
}

/**
 * vqtest_queue_destroy() - VQTEST_QUEUE_DESTROY
 * @dev: the device
 * @cmd: the command
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_queue_destroy(struct vqtest_dev *dev,
			 struct vqtest_queue_destroy *cmd)
{
	struct vqtest_queue *q;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	/* the write lock waits out every ioctl that holds the queue */
	down_write(&dev->qsem);
	q = xa_erase(&dev->queues, cmd->index);
	up_write(&dev->qsem);
	if (!q)
		return -ENOENT;
	trace_vqtest_queue_destroy(dev->id, q->index);
	vqtest_queue_free(q);
	return 0;
}

/**
 * vqtest_destroy_all() - destroy every queue at release
 * @dev: the device, unreachable from userspace
 */
void vqtest_destroy_all(struct vqtest_dev *dev)
{
	struct vqtest_queue *q;
	unsigned long idx;

	xa_for_each(&dev->queues, idx, q) {
		xa_erase(&dev->queues, idx);
		trace_vqtest_queue_destroy(dev->id, q->index);
		vqtest_queue_free(q);
	}
}

/*
 * Look a queue up and lock it. dev->qsem is held for read until
 * vqtest_queue_unlock(), so destroy (which takes it for write) cannot free
 * the queue under us, while ioctls on other queues go on in parallel.
 */
static struct vqtest_queue *vqtest_queue_lock(struct vqtest_dev *dev, u32 idx)
{
	struct vqtest_queue *q;

	down_read(&dev->qsem);
	q = xa_load(&dev->queues, idx);
	if (q)
		mutex_lock(&q->lock);
	else
		up_read(&dev->qsem);
	return q;
}

static void vqtest_queue_unlock(struct vqtest_queue *q)
{
	struct vqtest_dev *dev = q->dev;

	mutex_unlock(&q->lock);
	up_read(&dev->qsem);
}

/**
 * vqtest_queue_reset() - VQTEST_QUEUE_RESET
 * @dev: the device
 * @cmd: the command
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_queue_reset(struct vqtest_dev *dev, struct vqtest_queue_reset *cmd)
{
	struct vqtest_queue *q;
	struct vqt_ring *r;
	u16 pending;

	if (cmd->flags)
		return -EINVAL;
	q = vqtest_queue_lock(dev, cmd->index);
	if (!q)
		return -ENOENT;
	r = &q->ring;
	if (q->state == VQTEST_QS_ACTIVE &&
	    !(dev->features & (1ULL << VQTEST_F_RING_RESET))) {
		vqtest_queue_unlock(q);
		return -EOPNOTSUPP;
	}
	pending = le16_to_cpu(READ_ONCE(r->avail->idx)) - r->last_avail;
	cmd->out_dropped = q->state == VQTEST_QS_RESET ? 0 :
			   min_t(u32, pending, r->num);
	q->cnt.dropped += cmd->out_dropped;
	q->nheld = 0;
	vqtest_behaviour_reset(q);
	/*
	 * As virtio's queue_reset: the device lets go of the rings and takes
	 * nothing from them (a kick queued before now included) until the
	 * driver has rewritten them and enables the queue with
	 * QUEUE_SET_INDICES, virtio's queue_enable.
	 */
	q->state = VQTEST_QS_RESET;
	trace_vqtest_queue_reset(dev->id, q->index, cmd->out_dropped);
	vqtest_queue_unlock(q);
	return 0;
}

/**
 * vqtest_queue_set_indices() - VQTEST_QUEUE_SET_INDICES
 * @dev: the device
 * @cmd: the command
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_queue_set_indices(struct vqtest_dev *dev,
			     struct vqtest_queue_set_indices *cmd)
{
	struct vqtest_queue *q;
	int ret = 0;

	if (cmd->flags)
		return -EINVAL;
	q = vqtest_queue_lock(dev, cmd->index);
	if (!q)
		return -ENOENT;
	if (q->state == VQTEST_QS_RESET) {
		/* enable after a reset: the driver has rewritten its rings */
		vqt_ring_start(&q->ring, cmd->avail_idx, cmd->used_idx);
		q->state = VQTEST_QS_ACTIVE;
	} else if (q->state != VQTEST_QS_ACTIVE ||
		   le16_to_cpu(READ_ONCE(q->ring.avail->idx)) !=
		   q->ring.last_avail) {
		ret = -EBUSY;
	} else {
		/*
		 * Move the driver's avail->idx too, under the queue lock: a
		 * worker run queued by an earlier kick then finds the ring
		 * already consistent instead of an index jump.
		 */
		WRITE_ONCE(q->ring.avail->idx, cpu_to_le16(cmd->avail_idx));
		vqt_ring_start(&q->ring, cmd->avail_idx, cmd->used_idx);
	}
	vqtest_queue_unlock(q);
	return ret;
}

/**
 * vqtest_queue_process() - VQTEST_QUEUE_PROCESS: run the device now
 * @dev: the device
 * @cmd: the command
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_queue_process(struct vqtest_dev *dev,
			 struct vqtest_queue_process *cmd)
{
	struct vqtest_queue *q;
	u32 total = 0, done;
	int ret;

	if (cmd->flags)
		return -EINVAL;
	q = vqtest_queue_lock(dev, cmd->index);
	if (!q)
		return -ENOENT;
	do {
		u32 want = cmd->max_chains ? cmd->max_chains - total : 0;

		ret = vqtest_queue_run(q, want, false, &done);
		total += done;
		/* with no limit asked for, go on past the per-run budget */
		cond_resched();
	} while (ret == -EAGAIN && !cmd->max_chains && !signal_pending(current));
	cmd->out_chains = total;
	cmd->out_pending = (u16)(le16_to_cpu(READ_ONCE(q->ring.avail->idx)) -
				 q->ring.last_avail);
	vqtest_queue_unlock(q);
	if (ret == -EAGAIN)
		ret = 0;
	return ret;
}

/**
 * vqtest_queue_stats() - VQTEST_QUEUE_STATS
 * @dev: the device
 * @cmd: the command
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_queue_stats(struct vqtest_dev *dev, struct vqtest_queue_stats *cmd)
{
	struct vqtest_queue *q;

	if (cmd->flags)
		return -EINVAL;
	q = vqtest_queue_lock(dev, cmd->index);
	if (!q)
		return -ENOENT;
	cmd->out_state = q->state;
	cmd->out_num = q->ring.num;
	cmd->out_behaviour = q->behaviour;
	cmd->out_last_avail_idx = q->ring.last_avail;
	cmd->out_used_idx = q->ring.pub_used;
	cmd->out_violation = q->ring.viol.class;
	cmd->out_violation_desc = q->ring.viol.class ? q->ring.viol.desc :
						       VQTEST_NO_DESC;
	cmd->out_violation_ring = q->ring.viol.ring;
	cmd->out_violation_addr = q->ring.viol.addr;
	cmd->out_counters = q->cnt;
	cmd->out_counters.kicks = atomic64_read(&q->kicks);
	memcpy(cmd->out_violations, q->viol_count, sizeof(q->viol_count));
	vqtest_queue_unlock(q);
	return 0;
}
