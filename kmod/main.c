// SPDX-License-Identifier: GPL-2.0
/*
 * vqtest: the misc device, its file operations and the ioctl dispatcher.
 *
 * Each open of /dev/vqtest is one virtio device with its own features,
 * memory regions and queues. The ioctls follow iommufd's extensible form:
 * the struct size travels in the struct, unknown tail bytes must be zero.
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "vqtest.h"

unsigned int vqtest_max_queue_size = VQT_MAX_QUEUE_SIZE;
module_param_named(max_queue_size, vqtest_max_queue_size, uint, 0444);
MODULE_PARM_DESC(max_queue_size,
		 "Largest queue size offered, a power of two up to 32768 (default 32768)");

static unsigned short vqtest_mode = 0600;
module_param_named(mode, vqtest_mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permissions of /dev/vqtest (default 0600)");

struct workqueue_struct *vqtest_wq;
static DEFINE_IDA(vqtest_ida);

static int vqtest_open(struct inode *inode, struct file *file)
{
	struct vqtest_dev *dev;
	int id;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL_ACCOUNT);
	if (!dev)
		return -ENOMEM;
	id = ida_alloc(&vqtest_ida, GFP_KERNEL);
	if (id < 0) {
		kfree(dev);
		return id;
	}
	dev->id = id;
	mutex_init(&dev->lock);
	init_rwsem(&dev->qsem);
	init_rwsem(&dev->map_sem);
	dev->map.r = dev->slots;
	xa_init(&dev->queues);
	dev->file = file;
	file->private_data = dev;
	return nonseekable_open(inode, file);
}

static int vqtest_release(struct inode *inode, struct file *file)
{
	struct vqtest_dev *dev = file->private_data;

	vqtest_destroy_all(dev);
	vqtest_unmap_all(dev);
	xa_destroy(&dev->queues);
	mutex_destroy(&dev->lock);
	ida_free(&vqtest_ida, dev->id);
	kfree(dev);
	return 0;
}

static int vqtest_get_info(struct vqtest_dev *dev, struct vqtest_info *cmd)
{
	if (cmd->flags || cmd->__reserved || cmd->__reserved2)
		return -EINVAL;
	cmd->out_abi_version = VQTEST_ABI_VERSION;
	cmd->out_device_features = VQTEST_DEVICE_FEATURES;
	cmd->out_driver_features = READ_ONCE(dev->features);
	cmd->out_device_id = dev->id;
	cmd->out_max_queue_size = vqtest_max_queue_size;
	cmd->out_max_queues = VQTEST_MAX_QUEUES;
	cmd->out_max_regions = VQTEST_MAX_REGIONS;
	cmd->out_max_segs = VQT_MAX_SEGS;
	cmd->out_behaviours = (1U << VQTEST_BEH_ECHO) | (1U << VQTEST_BEH_SINK) |
			      (1U << VQTEST_BEH_SOURCE) |
			      (1U << VQTEST_BEH_NULL) | (1U << VQTEST_BEH_BLK);
	cmd->out_nr_violation_classes = VQTEST_V_MAX;
	cmd->out_max_blk_capacity = VQTEST_MAX_BLK_CAPACITY;
	return 0;
}

static int vqtest_set_features(struct vqtest_dev *dev,
			       struct vqtest_features *cmd)
{
	int ret = 0;

	if (cmd->flags)
		return -EINVAL;
	if ((cmd->features & ~VQTEST_DEVICE_FEATURES) ||
	    !(cmd->features & (1ULL << VQTEST_F_VERSION_1)))
		return -EINVAL;
	down_read(&dev->qsem);
	mutex_lock(&dev->lock);
	if (!xa_empty(&dev->queues))
		ret = -EBUSY;
	else
		WRITE_ONCE(dev->features, cmd->features);
	mutex_unlock(&dev->lock);
	up_read(&dev->qsem);
	return ret;
}

union vqtest_ucmd {
	struct vqtest_info info;
	struct vqtest_features features;
	struct vqtest_map map;
	struct vqtest_unmap unmap;
	struct vqtest_queue_create create;
	struct vqtest_queue_destroy destroy;
	struct vqtest_queue_reset reset;
	struct vqtest_queue_set_indices indices;
	struct vqtest_queue_process process;
	struct vqtest_queue_stats stats;
};

struct vqtest_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	bool out;
	int err_out;
	int (*fn)(struct vqtest_dev *dev, void *cmd);
	void (*undo)(struct vqtest_dev *dev, void *cmd);
};

/* Typed handlers behind one untyped entry point each. */
#define VQTEST_HANDLER(_fn)						\
	static int _fn##_op(struct vqtest_dev *dev, void *cmd)		\
	{								\
		return _fn(dev, cmd);					\
	}

VQTEST_HANDLER(vqtest_get_info)
VQTEST_HANDLER(vqtest_set_features)
VQTEST_HANDLER(vqtest_map)
VQTEST_HANDLER(vqtest_unmap)
VQTEST_HANDLER(vqtest_queue_create)
VQTEST_HANDLER(vqtest_queue_destroy)
VQTEST_HANDLER(vqtest_queue_reset)
VQTEST_HANDLER(vqtest_queue_set_indices)
VQTEST_HANDLER(vqtest_queue_process)
VQTEST_HANDLER(vqtest_queue_stats)

/* A MAP whose answer cannot reach the caller must not stay mapped. */
static void vqtest_map_undo(struct vqtest_dev *dev, void *cmd)
{
	struct vqtest_map *map = cmd;
	struct vqtest_unmap unmap = {
		.size = sizeof(unmap),
		.iova = map->iova,
		.length = map->length,
	};

	/* EBUSY if a racing QUEUE_CREATE already uses it: it stays */
	vqtest_unmap(dev, &unmap);
}

/*
 * One entry per ioctl, indexed by its number; every ioctl is
 * _IO(VQTEST_TYPE, nr). Only ops with out_ fields (@_out) write the struct
 * back; @_err names an errno with which those are still valid (0: none);
 * @_undo reverts a success whose answer could not be written back.
 */
#define VQTEST_OP(_nr, _fn, _struct, _last, _out, _err, _undo)		\
	[(_nr) - VQTEST_CMD_BASE] = {					\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union vqtest_ucmd) <	\
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.out = _out,						\
		.err_out = _err,					\
		.fn = _fn##_op,						\
		.undo = _undo,						\
	}

/* min_size is the end of each struct's first version: never raise it */
static const struct vqtest_ioctl_op vqtest_ops[] = {
	VQTEST_OP(VQTEST_CMD_GET_INFO, vqtest_get_info, struct vqtest_info,
		  out_max_blk_capacity, true, 0, NULL),
	VQTEST_OP(VQTEST_CMD_SET_FEATURES, vqtest_set_features,
		  struct vqtest_features, features, false, 0, NULL),
	VQTEST_OP(VQTEST_CMD_MAP, vqtest_map, struct vqtest_map, iova, true, 0,
		  vqtest_map_undo),
	VQTEST_OP(VQTEST_CMD_UNMAP, vqtest_unmap, struct vqtest_unmap, length,
		  false, 0, NULL),
	VQTEST_OP(VQTEST_CMD_QUEUE_CREATE, vqtest_queue_create,
		  struct vqtest_queue_create, __reserved, false, 0, NULL),
	VQTEST_OP(VQTEST_CMD_QUEUE_DESTROY, vqtest_queue_destroy,
		  struct vqtest_queue_destroy, __reserved, false, 0, NULL),
	VQTEST_OP(VQTEST_CMD_QUEUE_RESET, vqtest_queue_reset,
		  struct vqtest_queue_reset, out_dropped, true, 0, NULL),
	VQTEST_OP(VQTEST_CMD_QUEUE_SET_INDICES, vqtest_queue_set_indices,
		  struct vqtest_queue_set_indices, used_idx, false, 0, NULL),
	VQTEST_OP(VQTEST_CMD_QUEUE_PROCESS, vqtest_queue_process,
		  struct vqtest_queue_process, out_pending, true, -EIO, NULL),
	VQTEST_OP(VQTEST_CMD_QUEUE_STATS, vqtest_queue_stats,
		  struct vqtest_queue_stats, out_violations, true, 0, NULL),
};

static long vqtest_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct vqtest_dev *dev = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct vqtest_ioctl_op *op;
	union vqtest_ucmd buf;
	unsigned int nr = _IOC_NR(cmd);
	u32 user_size;
	int ret;

	if (cmd != _IO(VQTEST_TYPE, nr) || nr < VQTEST_CMD_BASE ||
	    nr - VQTEST_CMD_BASE >= ARRAY_SIZE(vqtest_ops))
		return -ENOTTY;
	op = &vqtest_ops[nr - VQTEST_CMD_BASE];
	if (!op->fn)
		return -ENOTTY;

	if (get_user(user_size, (u32 __user *)uarg))
		return -EFAULT;
	if (user_size < op->min_size)
		return -EINVAL;
	ret = copy_struct_from_user(&buf, op->size, uarg, user_size);
	if (ret)
		return ret;

	ret = op->fn(dev, &buf);
	if (ret && (!op->err_out || ret != op->err_out))
		return ret;
	if (!op->out)
		return ret;
	if (copy_to_user(uarg, &buf, min_t(u32, op->size, user_size))) {
		if (!ret && op->undo)
			op->undo(dev, &buf);
		return -EFAULT;
	}
	return ret;
}

static const struct file_operations vqtest_fops = {
	.owner = THIS_MODULE,
	.open = vqtest_open,
	.release = vqtest_release,
	.unlocked_ioctl = vqtest_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vqtest_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vqtest",
	.fops = &vqtest_fops,
};

static int __init vqtest_init(void)
{
	int ret;

	if (!vqtest_max_queue_size || !is_power_of_2(vqtest_max_queue_size) ||
	    vqtest_max_queue_size > VQT_MAX_QUEUE_SIZE) {
		pr_err("vqtest: max_queue_size must be a power of two in 1..%u\n",
		       VQT_MAX_QUEUE_SIZE);
		return -EINVAL;
	}
	vqtest_behaviour_setup();
	vqtest_wq = alloc_workqueue("vqtest", VQTEST_WQ_PERCPU, 0);
	if (!vqtest_wq)
		return -ENOMEM;
	vqtest_misc.mode = vqtest_mode & 0777;
	ret = misc_register(&vqtest_misc);
	if (ret) {
		destroy_workqueue(vqtest_wq);
		return ret;
	}
	return 0;
}

static void __exit vqtest_exit(void)
{
	misc_deregister(&vqtest_misc);
	destroy_workqueue(vqtest_wq);
	ida_destroy(&vqtest_ida);
}

module_init(vqtest_init);
module_exit(vqtest_exit);

MODULE_DESCRIPTION("Strict, spec-checking virtio split-ring test device");
MODULE_AUTHOR("vqtest maintainers");
MODULE_LICENSE("GPL");
