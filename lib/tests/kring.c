// SPDX-License-Identifier: GPL-2.0
/*
 * TEST ADAPTER: the module's own ring walk (kmod/ring.c, built in
 * userspace through tools/ring/ring_user.h) behind struct tdev_ring_ops,
 * so libvq's unit tests run the driver against the device code that will
 * run in the kernel. GPL-2.0 like ring.c; linked into test binaries only.
 */
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "tdev_ring.h"

#define KRING_MAX_REGIONS	256

struct kring {
	struct vqt_ring r;
	void *scratch;
	const struct tdev_mem *mem;
	struct vqt_region regions[KRING_MAX_REGIONS];
	struct vqt_region *rp[KRING_MAX_REGIONS];
	struct vqt_map map;
	struct tdev_seg segs[VQT_MAX_SEGS];
	uint32_t inflight;
	struct tdev_viol viol;
};

static int cmp_region(const void *a, const void *b)
{
	const struct vqt_region *x = *(struct vqt_region *const *)a;
	const struct vqt_region *y = *(struct vqt_region *const *)b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

/*
 * The test device maps and unmaps while queues live: rebuild the sorted
 * table ring.c wants before every look at the ring.
 */
static void sync_map(struct kring *k)
{
	uint64_t iova, len;
	uint8_t *host;
	unsigned int i;

	for (i = 0; i < KRING_MAX_REGIONS &&
		    tdev_mem_region(k->mem, i, &iova, &len, &host); i++) {
		k->regions[i] = (struct vqt_region){
			.iova = iova, .len = len, .kva = host,
		};
		k->rp[i] = &k->regions[i];
	}
	qsort(k->rp, i, sizeof(k->rp[0]), cmp_region);
	k->map.nr = i;
	k->map.r = k->rp;
}

static void *kr_create(uint32_t num, uint64_t features, uint32_t max_segs,
		       void *desc, void *avail, void *used,
		       const struct tdev_mem *mem)
{
	struct kring *k = calloc(1, sizeof(*k));

	(void)max_segs;
	if (!k)
		return NULL;
	k->scratch = calloc(1, vqt_ring_scratch_size(num));
	if (!k->scratch) {
		free(k);
		return NULL;
	}
	k->mem = mem;
	vqt_ring_init(&k->r, num, k->scratch, features);
	sync_map(k);
	vqt_ring_attach(&k->r, desc, avail, used, &k->map);
	return k;
}

static void kr_destroy(void *p)
{
	struct kring *k = p;

	free(k->scratch);
	free(k);
}

static void kr_start(void *p, uint16_t avail_idx, uint16_t used_idx)
{
	struct kring *k = p;

	vqt_ring_start(&k->r, avail_idx, used_idx);
	k->inflight = 0;
}

static int kr_avail(void *p)
{
	struct kring *k = p;

	sync_map(k);
	if (vqt_ring_check_device_area(&k->r))
		return -1;
	return vqt_ring_avail(&k->r);
}

static uint32_t kr_get_chain(void *p, struct tdev_chain *c)
{
	struct kring *k = p;
	struct vqt_chain vc;
	uint32_t v, i;

	v = vqt_ring_get_chain(&k->r, &vc);
	if (v)
		return v;
	for (i = 0; i < vc.nsegs; i++) {
		const struct vqt_seg *s = &vc.segs[i];

		k->segs[i].len = s->len;
		k->segs[i].p = s->flags & VQT_SEG_SPLIT ?
			vqt_map_range(&k->map, s->iova, s->len) : s->kva;
		if (!k->segs[i].p)
			abort();	/* tests never span regions */
	}
	k->inflight++;
	c->head = vc.head;
	c->ndesc = vc.ndesc;
	c->nread = vc.nread;
	c->nsegs = vc.nsegs;
	c->indirect = vc.indirect;
	c->segs = k->segs;
	return 0;
}

static void kr_put_used(void *p, uint16_t head, uint32_t len)
{
	struct kring *k = p;
	uint32_t slot = k->r.used_idx & (k->r.num - 1);

	if (head < k->r.num) {
		vqt_ring_put_used(&k->r, head, len);
		k->inflight--;
		return;
	}
	/* the bogus-id test: an element for a head never offered */
	vqt_ring_put_used(&k->r, 0, len);
	k->r.shadow[slot].id = htole32(head);
	__atomic_store_n(&k->r.used->ring[slot].id, htole32(head),
			 __ATOMIC_RELAXED);
}

static bool kr_publish(void *p)
{
	struct kring *k = p;

	return vqt_ring_publish(&k->r) == VQT_CALL_SEND;
}

static void kr_disable_notify(void *p)
{
	vqt_ring_disable_notify(&((struct kring *)p)->r);
}

static bool kr_enable_notify(void *p)
{
	return vqt_ring_enable_notify(&((struct kring *)p)->r);
}

static const struct tdev_viol *kr_violation(void *p)
{
	struct kring *k = p;

	k->viol = (struct tdev_viol){
		.class = k->r.viol.class, .desc = k->r.viol.desc,
		.ring = k->r.viol.ring, .addr = k->r.viol.addr,
	};
	return &k->viol;
}

static uint32_t kr_inflight(void *p)
{
	return ((struct kring *)p)->inflight;
}

static uint16_t kr_last_avail(void *p)
{
	return ((struct kring *)p)->r.last_avail;
}

static const struct tdev_ring_ops kring_ops = {
	.name = "kmod/ring.c",
	.create = kr_create,
	.destroy = kr_destroy,
	.start = kr_start,
	.avail = kr_avail,
	.get_chain = kr_get_chain,
	.put_used = kr_put_used,
	.publish = kr_publish,
	.disable_notify = kr_disable_notify,
	.enable_notify = kr_enable_notify,
	.violation = kr_violation,
	.inflight = kr_inflight,
	.last_avail = kr_last_avail,
};

const struct tdev_ring_ops *const tdev_default_ring = &kring_ops;
