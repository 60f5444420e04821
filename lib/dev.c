// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * libvq ABI layer: the device handle and one function per vqtest ioctl.
 *
 * Each function fills the ioctl structure completely (zeroed, size =
 * sizeof as this library knows it) so that a newer module sees zero in
 * every field we do not know, as the uapi contract asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

int vq__ioctl(struct vq_dev *dev, unsigned long req, void *arg)
{
	int ret;

	if (dev->be)
		return dev->be->ioctl(dev->be_priv, req, arg);

	ret = ioctl(dev->fd, req, arg);
	return ret < 0 ? -errno : 0;
}

static int dev_alloc(struct vq_dev **out)
{
	struct vq_dev *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return -ENOMEM;
	dev->fd = -1;
	pthread_mutex_init(&dev->lock, NULL);
	*out = dev;
	return 0;
}

static void dev_free(struct vq_dev *dev)
{
	pthread_mutex_destroy(&dev->lock);
	free(dev->regions);
	free(dev);
}

VQ_EXPORT int vq_dev_open_path(const char *path, struct vq_dev **out)
{
	VQ_ERRNO_SAVE();
	struct vq_dev *dev;
	int ret;

	if (!path || !out)
		return -EINVAL;
	ret = dev_alloc(&dev);
	if (ret)
		goto out;
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = -errno;
		dev_free(dev);
		goto out;
	}
	*out = dev;
out:
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_dev_open(struct vq_dev **out)
{
	return vq_dev_open_path(VQ_DEV_PATH, out);
}

int vq__dev_open_backend(const struct vq_dev_backend *be, void *priv,
			 struct vq_dev **out)
{
	struct vq_dev *dev;
	int ret;

	ret = dev_alloc(&dev);
	if (ret)
		return ret;
	dev->be = be;
	dev->be_priv = priv;
	*out = dev;
	return 0;
}

VQ_EXPORT int vq_dev_close(struct vq_dev *dev)
{
	VQ_ERRNO_SAVE();
	int ret = 0;

	if (!dev)
		return 0;
	/* A split queue still points here: closing would leave it dangling. */
	if (__atomic_load_n(&dev->queues, __ATOMIC_ACQUIRE))
		return -EBUSY;
	if (dev->be) {
		if (dev->be->close)
			dev->be->close(dev->be_priv);
	} else if (close(dev->fd)) {
		ret = -errno;
	}
	dev_free(dev);
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_dev_fd(const struct vq_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

VQ_EXPORT int vq_get_info(struct vq_dev *dev, struct vqtest_info *info)
{
	VQ_ERRNO_SAVE();
	int ret;

	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	ret = vq__ioctl(dev, VQTEST_GET_INFO, info);
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_set_features(struct vq_dev *dev, uint64_t features)
{
	VQ_ERRNO_SAVE();
	struct vqtest_features f = {
		.size = sizeof(f),
		.features = features,
	};
	int ret;

	if (!dev)
		return -EINVAL;
	ret = vq__ioctl(dev, VQTEST_SET_FEATURES, &f);
	VQ_ERRNO_RESTORE();
	return ret;
}

/* Remember a mapping so buffers can be translated to their IOVA. */
static int region_add(struct vq_dev *dev, uint64_t va, uint64_t len,
		      uint64_t iova)
{
	struct vq_region *r;
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	if (dev->nr_regions == dev->cap_regions) {
		unsigned int cap = dev->cap_regions ? dev->cap_regions * 2 : 8;

		r = realloc(dev->regions, cap * sizeof(*r));
		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		dev->regions = r;
		dev->cap_regions = cap;
	}
	dev->regions[dev->nr_regions++] = (struct vq_region){
		.va = va, .len = len, .iova = iova,
	};
	if (iova != va)
		__atomic_fetch_add(&dev->nonidentity, 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

static void region_del(struct vq_dev *dev, uint64_t iova, uint64_t len)
{
	unsigned int i;

	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < dev->nr_regions; i++) {
		struct vq_region *r = &dev->regions[i];

		if (r->iova != iova || r->len != len)
			continue;
		if (r->iova != r->va)
			__atomic_fetch_sub(&dev->nonidentity, 1,
					   __ATOMIC_RELEASE);
		*r = dev->regions[--dev->nr_regions];
		break;
	}
	pthread_mutex_unlock(&dev->lock);
}

VQ_EXPORT int vq_map(struct vq_dev *dev, void *addr, size_t length,
		     uint32_t flags, uint64_t *iova)
{
	VQ_ERRNO_SAVE();
	struct vqtest_map m = {
		.size = sizeof(m),
		.flags = flags,
		.user_va = (uintptr_t)addr,
		.length = length,
	};
	int ret;

	if (!dev || ((flags & VQTEST_MAP_FIXED_IOVA) && !iova))
		return -EINVAL;
	if (flags & VQTEST_MAP_FIXED_IOVA)
		m.iova = *iova;
	ret = vq__ioctl(dev, VQTEST_MAP, &m);
	if (ret)
		goto out;
	ret = region_add(dev, m.user_va, m.length, m.iova);
	if (ret) {
		/* Without the record we could not translate: undo. */
		struct vqtest_unmap u = {
			.size = sizeof(u), .iova = m.iova, .length = m.length,
		};

		vq__ioctl(dev, VQTEST_UNMAP, &u);
		goto out;
	}
	if (iova)
		*iova = m.iova;
out:
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_unmap(struct vq_dev *dev, uint64_t iova, size_t length)
{
	VQ_ERRNO_SAVE();
	struct vqtest_unmap u = {
		.size = sizeof(u),
		.iova = iova,
		.length = length,
	};
	int ret;

	if (!dev)
		return -EINVAL;
	ret = vq__ioctl(dev, VQTEST_UNMAP, &u);
	if (!ret)
		region_del(dev, iova, length);
	VQ_ERRNO_RESTORE();
	return ret;
}

static const struct vq_region *region_find(struct vq_dev *dev, uint64_t va,
					   uint64_t len)
{
	unsigned int i;

	for (i = 0; i < dev->nr_regions; i++) {
		const struct vq_region *r = &dev->regions[i];

		if (va >= r->va && va - r->va < r->len &&
		    len <= r->len - (va - r->va))
			return r;
	}
	return NULL;
}

VQ_EXPORT int vq_dev_iova(struct vq_dev *dev, const void *addr, size_t length,
			  uint64_t *iova)
{
	const struct vq_region *r;
	uint64_t va = (uintptr_t)addr;
	int ret = -ENOENT;

	if (!dev || !iova)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	r = region_find(dev, va, length);
	if (r) {
		*iova = r->iova + (va - r->va);
		ret = 0;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/*
 * The descriptor address for a buffer of the caller. With only identity
 * mappings (the common case) that is the address itself, without a lock.
 * Memory the library does not know is passed through as identity too:
 * whether it is mapped is for the device to check and report.
 */
uint64_t vq__dev_translate(struct vq_dev *dev, const void *addr, size_t len)
{
	const struct vq_region *r;
	uint64_t va = (uintptr_t)addr;
	uint64_t iova = va;

	if (!__atomic_load_n(&dev->nonidentity, __ATOMIC_ACQUIRE))
		return va;
	pthread_mutex_lock(&dev->lock);
	r = region_find(dev, va, len);
	if (r)
		iova = r->iova + (va - r->va);
	pthread_mutex_unlock(&dev->lock);
	return iova;
}

VQ_EXPORT void vq_queue_create_init(struct vqtest_queue_create *qc,
				    uint32_t index, uint32_t num)
{
	memset(qc, 0, sizeof(*qc));
	qc->size = sizeof(*qc);
	qc->index = index;
	qc->num = num;
	qc->kick_fd = VQTEST_NO_FD;
	qc->call_fd = VQTEST_NO_FD;
	qc->behaviour = VQTEST_BEH_ECHO;
	qc->level = VQTEST_LEVEL_STRICT;
	qc->cpu = VQTEST_CPU_ANY;
}

VQ_EXPORT int vq_queue_create(struct vq_dev *dev,
			      struct vqtest_queue_create *qc)
{
	VQ_ERRNO_SAVE();
	int ret;

	if (!dev || !qc)
		return -EINVAL;
	qc->size = sizeof(*qc);
	ret = vq__ioctl(dev, VQTEST_QUEUE_CREATE, qc);
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_queue_destroy(struct vq_dev *dev, uint32_t index)
{
	VQ_ERRNO_SAVE();
	struct vqtest_queue_destroy d = {
		.size = sizeof(d),
		.index = index,
	};
	int ret;

	if (!dev)
		return -EINVAL;
	ret = vq__ioctl(dev, VQTEST_QUEUE_DESTROY, &d);
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_queue_reset(struct vq_dev *dev, uint32_t index,
			     uint32_t *dropped)
{
	VQ_ERRNO_SAVE();
	struct vqtest_queue_reset r = {
		.size = sizeof(r),
		.index = index,
	};
	int ret;

	if (!dev)
		return -EINVAL;
	ret = vq__ioctl(dev, VQTEST_QUEUE_RESET, &r);
	if (!ret && dropped)
		*dropped = r.out_dropped;
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_queue_set_indices(struct vq_dev *dev, uint32_t index,
				   uint16_t avail_idx, uint16_t used_idx)
{
	VQ_ERRNO_SAVE();
	struct vqtest_queue_set_indices s = {
		.size = sizeof(s),
		.index = index,
		.avail_idx = avail_idx,
		.used_idx = used_idx,
	};
	int ret;

	if (!dev)
		return -EINVAL;
	ret = vq__ioctl(dev, VQTEST_QUEUE_SET_INDICES, &s);
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_queue_process(struct vq_dev *dev, uint32_t index,
			       uint32_t max_chains, uint32_t *chains,
			       uint32_t *pending)
{
	VQ_ERRNO_SAVE();
	struct vqtest_queue_process p = {
		.size = sizeof(p),
		.index = index,
		.max_chains = max_chains,
	};
	int ret;

	if (!dev)
		return -EINVAL;
	ret = vq__ioctl(dev, VQTEST_QUEUE_PROCESS, &p);
	/* out_chains is valid on EIO too: what completed before the stop */
	if (!ret || ret == -EIO) {
		if (chains)
			*chains = p.out_chains;
		if (pending)
			*pending = p.out_pending;
	}
	VQ_ERRNO_RESTORE();
	return ret;
}

VQ_EXPORT int vq_queue_stats(struct vq_dev *dev, uint32_t index,
			     struct vqtest_queue_stats *stats)
{
	VQ_ERRNO_SAVE();
	int ret;

	if (!dev || !stats)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	stats->size = sizeof(*stats);
	stats->index = index;
	ret = vq__ioctl(dev, VQTEST_QUEUE_STATS, stats);
	VQ_ERRNO_RESTORE();
	return ret;
}
