// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest: what the device does with a chain. Each behaviour gets a chain
 * the ring walk has fully validated and returns the bytes it wrote.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "vqtest.h"

/* virtio-blk request format, virtio 1.2 section 5.2.6 */
#define VQT_BLK_T_IN		0
#define VQT_BLK_T_OUT		1
#define VQT_BLK_T_FLUSH		4
#define VQT_BLK_T_GET_ID	8
#define VQT_BLK_S_OK		0
#define VQT_BLK_S_IOERR		1
#define VQT_BLK_S_UNSUPP	2
#define VQT_BLK_ID_BYTES	20
#define VQT_SECTOR		512

struct vqt_blk_outhdr {
	__le32 type;
	__le32 ioprio;
	__le64 sector;
};

/* most bytes copied between two chances to reschedule */
#define VQT_COPY_CHUNK		(64 * 1024)

/* i % VQTEST_SOURCE_PERIOD for i in [0, sizeof), for the source pattern */
static u8 vqtest_pattern[PAGE_SIZE + VQTEST_SOURCE_PERIOD];

/**
 * vqtest_behaviour_setup() - module-wide behaviour state, at load
 */
void vqtest_behaviour_setup(void)
{
	u32 i;

	for (i = 0; i < sizeof(vqtest_pattern); i++)
		vqtest_pattern[i] = i % VQTEST_SOURCE_PERIOD;
}

/**
 * vqtest_behaviour_init() - per-queue behaviour state at creation
 * @q: the queue
 * @cmd: the create command
 *
 * Return: 0 or -errno.
 */
int vqtest_behaviour_init(struct vqtest_queue *q,
			  const struct vqtest_queue_create *cmd)
{
	if ((cmd->flags & VQTEST_QUEUE_F_CHECKSUM) &&
	    cmd->behaviour != VQTEST_BEH_SINK)
		return -EINVAL;
	q->cnt.checksum = VQTEST_CSUM_INIT;
	if (cmd->behaviour != VQTEST_BEH_BLK)
		return cmd->blk_capacity ? -EINVAL : 0;
	if (!cmd->blk_capacity || cmd->blk_capacity % VQT_SECTOR ||
	    cmd->blk_capacity > VQTEST_MAX_BLK_CAPACITY)
		return -EINVAL;
	/* sized by the caller: ENOMEM is the answer, not a stack dump */
	q->disk = __vmalloc(cmd->blk_capacity,
			    GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
	if (!q->disk)
		return -ENOMEM;
	q->disk_size = cmd->blk_capacity;
	return 0;
}

/**
 * vqtest_behaviour_reset() - back to the state at creation (keeps the disk)
 * @q: the queue, locked
 */
void vqtest_behaviour_reset(struct vqtest_queue *q)
{
	q->source_pos = 0;
}

/**
 * vqtest_behaviour_free() - release the behaviour's state
 * @q: the queue, unreachable
 */
void vqtest_behaviour_free(struct vqtest_queue *q)
{
	vfree(q->disk);
}

/*
 * Copy between the chain's readable (from @rd on) or writable segments,
 * starting @off bytes into that part, and a linear buffer.
 */
static u64 vqtest_chain_copy(const struct vqtest_queue *q,
			     const struct vqt_chain *c, bool writable, u64 off,
			     void *buf, u64 len)
{
	u32 i = writable ? c->nread : 0;
	u32 end = writable ? c->nsegs : c->nread;
	u64 done = 0;

	for (; i < end && done < len; i++) {
		const struct vqt_seg *s = &c->segs[i];

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		while (off < s->len && done < len) {
			u64 n = min_t(u64, len - done, VQT_COPY_CHUNK);

			n = vqt_seg_copy(&q->dev->map, s, off,
					 (u8 *)buf + done, n, writable);
			if (!n)
				break;
			done += n;
			off += n;
			cond_resched();
		}
		off = 0;
	}
	return done;
}

static u32 vqtest_echo(struct vqtest_queue *q, const struct vqt_chain *c)
{
	/* used.len is 32 bits wide: never write more than it can say */
	u64 n = min3(c->read_len, c->write_len, (u64)U32_MAX);
	u64 done = 0;
	u32 i;

	/* walk the readable segments, writing each into the writable ones */
	for (i = 0; i < c->nread && done < n; i++) {
		const struct vqt_seg *s = &c->segs[i];
		u64 off = 0;

		while (off < s->len && done < n) {
			u8 bounce[256];
			u64 chunk = min_t(u64, min(s->len - off, n - done),
					  sizeof(bounce));

			if (!(s->flags & VQT_SEG_SPLIT)) {
				chunk = min(s->len - off, n - done);
				done += vqtest_chain_copy(q, c, true, done,
							  s->kva + off, chunk);
			} else {
				vqt_seg_copy(&q->dev->map, s, off, bounce,
					     chunk, false);
				done += vqtest_chain_copy(q, c, true, done,
							  bounce, chunk);
			}
			off += chunk;
		}
	}
	q->cnt.bytes_read += c->read_len;
	return done;
}

static void vqtest_sink(struct vqtest_queue *q, const struct vqt_chain *c)
{
	u64 sum = q->cnt.checksum;
	u32 i;

	q->cnt.bytes_read += c->read_len;
	if (!(q->flags & VQTEST_QUEUE_F_CHECKSUM))
		return;
	for (i = 0; i < c->nread; i++) {
		const struct vqt_seg *s = &c->segs[i];
		u64 off = 0;

		while (off < s->len) {
			u8 buf[256];
			u64 k, n = vqt_seg_copy(&q->dev->map, s, off, buf,
						sizeof(buf), false);

			if (!n)
				break;
			for (k = 0; k < n; k++)
				sum = (sum ^ buf[k]) * VQTEST_CSUM_PRIME;
			off += n;
		}
	}
	q->cnt.checksum = sum;
}

static u32 vqtest_source(struct vqtest_queue *q, const struct vqt_chain *c)
{
	u64 total = min_t(u64, c->write_len, U32_MAX);
	u64 done = 0;

	while (done < total) {
		u64 n = min_t(u64, total - done, PAGE_SIZE);
		u32 phase = q->source_pos % VQTEST_SOURCE_PERIOD;

		vqtest_chain_copy(q, c, true, done, &vqtest_pattern[phase], n);
		done += n;
		q->source_pos += n;
		cond_resched();
	}
	return done;
}

/* Move @len bytes between the disk at @pos and the chain at @off. */
static void vqtest_blk_xfer(struct vqtest_queue *q, const struct vqt_chain *c,
			    bool to_chain, u64 off, u64 pos, u64 len)
{
	vqtest_chain_copy(q, c, to_chain, off, q->disk + pos, len);
}

static u32 vqtest_blk(struct vqtest_queue *q, const struct vqt_chain *c,
		      u32 *written)
{
	struct vqt_blk_outhdr hdr;
	u64 data, pos;
	u8 status = VQT_BLK_S_OK;
	u32 type;

	*written = 0;
	if (!c->write_len)
		return vqt_ring_violate(&q->ring, VQTEST_V_BAD_REQUEST, c->head,
					c->ring_idx, 0);
	q->cnt.bytes_read += c->read_len;
	if (c->read_len < sizeof(hdr)) {
		status = VQT_BLK_S_IOERR;
		goto status;
	}
	vqtest_chain_copy(q, c, false, 0, &hdr, sizeof(hdr));
	type = le32_to_cpu(hdr.type);
	pos = le64_to_cpu(hdr.sector);

	switch (type) {
	case VQT_BLK_T_IN:
		data = min_t(u64, c->write_len - 1, U32_MAX - 1);
		if (data % VQT_SECTOR || pos > q->disk_size / VQT_SECTOR ||
		    data > q->disk_size - pos * VQT_SECTOR) {
			status = VQT_BLK_S_IOERR;
			break;
		}
		vqtest_blk_xfer(q, c, true, 0, pos * VQT_SECTOR, data);
		*written = data;
		break;
	case VQT_BLK_T_OUT:
		data = c->read_len - sizeof(hdr);
		if (data % VQT_SECTOR || pos > q->disk_size / VQT_SECTOR ||
		    data > q->disk_size - pos * VQT_SECTOR) {
			status = VQT_BLK_S_IOERR;
			break;
		}
		vqtest_blk_xfer(q, c, false, sizeof(hdr), pos * VQT_SECTOR,
				data);
		break;
	case VQT_BLK_T_FLUSH:
		break;
	case VQT_BLK_T_GET_ID: {
		char id[VQT_BLK_ID_BYTES] = {};

		data = c->write_len - 1;
		if (data < VQT_BLK_ID_BYTES) {
			status = VQT_BLK_S_IOERR;
			break;
		}
		snprintf(id, sizeof(id), "vqtest%u-%u", q->dev->id, q->index);
		vqtest_chain_copy(q, c, true, 0, id, sizeof(id));
		*written = sizeof(id);
		break;
	}
	default:
		status = VQT_BLK_S_UNSUPP;
		break;
	}
status:
	vqtest_chain_copy(q, c, true, c->write_len - 1, &status, 1);
	*written += 1;
	return VQTEST_V_NONE;
}

/**
 * vqtest_behave() - let the queue's behaviour answer a chain
 * @q: the queue, locked, inside a worker run
 * @c: the validated chain
 * @written: set to the bytes written into the chain (used.len)
 *
 * Return: 0, or the violation class that stops the queue.
 */
u32 vqtest_behave(struct vqtest_queue *q, const struct vqt_chain *c,
		  u32 *written)
{
	u32 v = VQTEST_V_NONE;

	*written = 0;
	switch (q->behaviour) {
	case VQTEST_BEH_ECHO:
		*written = vqtest_echo(q, c);
		break;
	case VQTEST_BEH_SINK:
		vqtest_sink(q, c);
		break;
	case VQTEST_BEH_SOURCE:
		*written = vqtest_source(q, c);
		break;
	case VQTEST_BEH_NULL:
		break;
	case VQTEST_BEH_BLK:
		v = vqtest_blk(q, c, written);
		break;
	}
	q->cnt.bytes_written += *written;
	return v;
}
