// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest: memory regions. The caller's pages are pinned long-term, charged
 * to its RLIMIT_MEMLOCK and mapped once into the kernel with vmap(), so the
 * ring walk reads and writes them with plain loads and stores: no uaccess,
 * no SMAP toggling, no page-table walk per access.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "vqtest.h"

static struct vqtest_region *to_region(struct vqt_region *r)
{
	return container_of(r, struct vqtest_region, map);
}

static void vqtest_region_free(struct vqtest_region *reg)
{
	if (reg->map.kva)
		vunmap(reg->map.kva);
	if (reg->pages) {
		unpin_user_pages_dirty_lock(reg->pages, reg->npages, true);
		kvfree(reg->pages);
	}
	if (reg->mm) {
		/* an exited mm has no charge left to give back */
		if (mmget_not_zero(reg->mm)) {
			account_locked_vm(reg->mm, reg->npages, false);
			mmput(reg->mm);
		}
		mmdrop(reg->mm);
	}
	kfree(reg);
}

static int vqtest_pin(struct vqtest_region *reg)
{
	unsigned long done = 0;

	/* sized by the caller: ENOMEM is the answer, not a stack dump */
	reg->pages = kvcalloc(reg->npages, sizeof(*reg->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!reg->pages)
		return -ENOMEM;
	while (done < reg->npages) {
		int n = pin_user_pages_fast(reg->user_va + done * PAGE_SIZE,
					    min_t(unsigned long,
						  reg->npages - done, INT_MAX),
					    FOLL_WRITE | FOLL_LONGTERM,
					    reg->pages + done);

		if (n <= 0) {
			unpin_user_pages(reg->pages, done);
			kvfree(reg->pages);
			reg->pages = NULL;
			return n ? n : -EFAULT;
		}
		done += n;
	}
	return 0;
}

/* Index of the first region whose IOVA is above @iova. */
static u32 vqtest_map_slot(struct vqtest_dev *dev, u64 iova)
{
	u32 i = 0;

	while (i < dev->map.nr && dev->map.r[i]->iova <= iova)
		i++;
	return i;
}

/**
 * vqtest_map() - VQTEST_MAP: pin, charge and map a range of caller memory
 * @dev: the device
 * @cmd: the command; @cmd->iova is set on success
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_map(struct vqtest_dev *dev, struct vqtest_map *cmd)
{
	struct vqtest_region *reg;
	u64 iova = cmd->user_va;
	u32 slot;
	int ret;

	if (cmd->flags & ~VQTEST_MAP_FIXED_IOVA)
		return -EINVAL;
	if (cmd->flags & VQTEST_MAP_FIXED_IOVA)
		iova = cmd->iova;
	if (!cmd->length || !PAGE_ALIGNED(cmd->length) ||
	    !PAGE_ALIGNED(cmd->user_va) || !PAGE_ALIGNED(iova))
		return -EINVAL;
	if (cmd->length > VQTEST_MAX_REGION_LEN)
		return -EINVAL;
	if (cmd->user_va + cmd->length < cmd->user_va ||
	    iova + cmd->length < iova)
		return -EOVERFLOW;

	reg = kzalloc(sizeof(*reg), GFP_KERNEL_ACCOUNT);
	if (!reg)
		return -ENOMEM;
	reg->user_va = cmd->user_va;
	reg->map.iova = iova;
	reg->map.len = cmd->length;
	reg->npages = cmd->length >> PAGE_SHIFT;

	ret = account_locked_vm(current->mm, reg->npages, true);
	if (ret)
		goto out_free;
	reg->mm = current->mm;
	mmgrab(reg->mm);

	ret = vqtest_pin(reg);
	if (ret)
		goto out_free;
	reg->map.kva = vmap(reg->pages, reg->npages, VM_MAP, PAGE_KERNEL);
	if (!reg->map.kva) {
		ret = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&dev->lock);
	if (dev->map.nr >= VQTEST_MAX_REGIONS) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	slot = vqtest_map_slot(dev, iova);
	if ((slot > 0 && dev->map.r[slot - 1]->iova +
			 dev->map.r[slot - 1]->len > iova) ||
	    (slot < dev->map.nr && iova + cmd->length > dev->map.r[slot]->iova)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	down_write(&dev->map_sem);
	memmove(&dev->map.r[slot + 1], &dev->map.r[slot],
		(dev->map.nr - slot) * sizeof(dev->map.r[0]));
	dev->map.r[slot] = &reg->map;
	dev->map.nr++;
	up_write(&dev->map_sem);
	mutex_unlock(&dev->lock);

	cmd->iova = iova;
	return 0;

out_unlock:
	mutex_unlock(&dev->lock);
out_free:
	vqtest_region_free(reg);
	return ret;
}

/**
 * vqtest_unmap() - VQTEST_UNMAP: drop a region that no queue's rings use
 * @dev: the device
 * @cmd: the command
 *
 * Waits for running workers to finish their run (map_sem), so no chain in
 * flight still points into the region when it goes.
 *
 * Return: 0 or -errno as documented in the uapi header.
 */
int vqtest_unmap(struct vqtest_dev *dev, struct vqtest_unmap *cmd)
{
	struct vqtest_region *reg = NULL;
	u32 i;
	int ret = -ENOENT;

	if (cmd->flags)
		return -EINVAL;

	mutex_lock(&dev->lock);
	for (i = 0; i < dev->map.nr; i++) {
		if (dev->map.r[i]->iova == cmd->iova &&
		    dev->map.r[i]->len == cmd->length) {
			reg = to_region(dev->map.r[i]);
			break;
		}
	}
	if (reg && reg->users) {
		ret = -EBUSY;
	} else if (reg) {
		down_write(&dev->map_sem);
		memmove(&dev->map.r[i], &dev->map.r[i + 1],
			(dev->map.nr - i - 1) * sizeof(dev->map.r[0]));
		dev->map.nr--;
		up_write(&dev->map_sem);
		ret = 0;
	}
	mutex_unlock(&dev->lock);

	if (!ret)
		vqtest_region_free(reg);
	return ret;
}

/**
 * vqtest_unmap_all() - drop every region at release
 * @dev: the device, with no queue left
 */
void vqtest_unmap_all(struct vqtest_dev *dev)
{
	while (dev->map.nr)
		vqtest_region_free(to_region(dev->map.r[--dev->map.nr]));
}

/**
 * vqtest_region_get() - find the region holding a ring area and use it
 * @dev: the device, dev->lock held
 * @iova: first byte of the area
 * @len: its length
 * @kva: set to the area's kernel address
 *
 * Return: the region with its use count raised, or NULL if the area is not
 * wholly inside one region.
 */
struct vqtest_region *vqtest_region_get(struct vqtest_dev *dev, u64 iova,
					u64 len, void **kva)
{
	const struct vqt_region *r = vqt_map_find(&dev->map, iova);
	struct vqtest_region *reg;

	lockdep_assert_held(&dev->lock);
	*kva = vqt_map_range(&dev->map, iova, len);
	if (!r || !*kva)
		return NULL;
	reg = to_region((struct vqt_region *)r);
	reg->users++;
	return reg;
}

/**
 * vqtest_region_put() - drop a use taken by vqtest_region_get()
 * @reg: the region; the device lock is held
 */
void vqtest_region_put(struct vqtest_region *reg)
{
	reg->users--;
}
