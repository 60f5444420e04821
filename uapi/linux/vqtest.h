/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vqtest: a strict, spec-checking virtio split-ring device driven from
 * userspace through /dev/vqtest.
 */
#ifndef _UAPI_LINUX_VQTEST_H
#define _UAPI_LINUX_VQTEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VQTEST_TYPE			(0xB7)
#define VQTEST_ABI_VERSION		1

/**
 * DOC: General ioctl format and errno contract
 *
 * Every ioctl takes a pointer to a structure whose first __u32 is its size
 * and whose second __u32 is a flags word. The kernel accepts any size from
 * the end of the structure's first version up: a shorter size is EINVAL, a
 * larger one is accepted when every byte the kernel does not know is zero
 * and is E2BIG otherwise. Output fields (prefixed out_) are written back up
 * to the smaller of the caller's size and the kernel's, and their input
 * values are ignored, so one struct can be reused. Fields named
 * __reserved must be zero. Every ioctl is _IO(): the direction lives in the
 * field names, not in the ioctl number.
 *
 * Errnos have one meaning across all ioctls:
 *
 *  - ENOTTY: the ioctl number is not known.
 *  - E2BIG: the structure is larger than the kernel's and a byte past the
 *    kernel's size is not zero.
 *  - EINVAL: the size is below the minimum, a flag is unknown, a __reserved
 *    field is not zero, or a field's value is not valid.
 *  - EOPNOTSUPP: the field is valid but names something this build does not
 *    implement (a behaviour, a feature).
 *  - EFAULT: the structure itself could not be read or written. Only
 *    ioctls with out_ fields write it back; a MAP whose answer cannot be
 *    written is undone, while RESET and PROCESS may have acted already.
 *  - ENOENT: the queue index or IOVA range does not exist.
 *  - EEXIST: the queue index or IOVA range already exists.
 *  - EBUSY: the object is in use (features with queues alive, a region that
 *    holds a queue's rings) or the queue is not in a state that allows it.
 *  - ENOSPC: a device limit (queues, regions) is reached.
 *  - ENOMEM: out of memory, or RLIMIT_MEMLOCK would be exceeded.
 *  - EBADF: a kick or call file descriptor is not open.
 *  - EOVERFLOW: an address plus a length overflows.
 *  - EPROTO: the device has not been told its features (SET_FEATURES).
 *  - EIO: the queue stopped on a driver violation; read QUEUE_STATS for the
 *    reason and reset the queue.
 */
enum {
	VQTEST_CMD_BASE = 0x80,
	VQTEST_CMD_GET_INFO = VQTEST_CMD_BASE,
	VQTEST_CMD_SET_FEATURES = 0x81,
	VQTEST_CMD_MAP = 0x82,
	VQTEST_CMD_UNMAP = 0x83,
	VQTEST_CMD_QUEUE_CREATE = 0x84,
	VQTEST_CMD_QUEUE_DESTROY = 0x85,
	VQTEST_CMD_QUEUE_RESET = 0x86,
	VQTEST_CMD_QUEUE_SET_INDICES = 0x87,
	VQTEST_CMD_QUEUE_PROCESS = 0x88,
	VQTEST_CMD_QUEUE_STATS = 0x89,
};

/* virtio feature bits, as numbered by the virtio 1.2 specification */
#define VQTEST_F_INDIRECT_DESC		28
#define VQTEST_F_EVENT_IDX		29
#define VQTEST_F_VERSION_1		32
#define VQTEST_F_IN_ORDER		35
#define VQTEST_F_RING_RESET		40

/**
 * struct vqtest_info - ioctl(VQTEST_GET_INFO)
 * @size: sizeof(struct vqtest_info)
 * @flags: must be 0
 * @out_abi_version: VQTEST_ABI_VERSION of the running module
 * @__reserved: must be 0
 * @out_device_features: virtio feature bits the device offers
 * @out_driver_features: feature bits acknowledged by SET_FEATURES, 0 before
 * @out_device_id: this open file's device id, as traced by the tracepoints
 * @out_max_queue_size: largest queue size (ring entries) the device accepts
 * @out_max_queues: number of queue indices per device (0 to this - 1)
 * @out_max_regions: number of memory regions one device can map
 * @out_max_segs: most descriptors one chain may hold (a queue of size num
 *	allows min(num, out_max_segs))
 * @out_behaviours: bit (1 << VQTEST_BEH_x) for each behaviour implemented
 * @out_nr_violation_classes: number of violation classes this module knows
 * @__reserved2: must be 0
 * @out_max_blk_capacity: largest RAM disk (bytes) a blk queue may have
 */
struct vqtest_info {
	__u32 size;
	__u32 flags;
	__u32 out_abi_version;
	__u32 __reserved;
	__aligned_u64 out_device_features;
	__aligned_u64 out_driver_features;
	__u32 out_device_id;
	__u32 out_max_queue_size;
	__u32 out_max_queues;
	__u32 out_max_regions;
	__u32 out_max_segs;
	__u32 out_behaviours;
	__u32 out_nr_violation_classes;
	__u32 __reserved2;
	__aligned_u64 out_max_blk_capacity;
};

#define VQTEST_GET_INFO _IO(VQTEST_TYPE, VQTEST_CMD_GET_INFO)

/**
 * struct vqtest_features - ioctl(VQTEST_SET_FEATURES)
 * @size: sizeof(struct vqtest_features)
 * @flags: must be 0
 * @features: the driver's acknowledged feature bits; a subset of
 *	out_device_features that includes VQTEST_F_VERSION_1
 *
 * Must be called before the first QUEUE_CREATE. EINVAL for bits the device
 * did not offer or without VERSION_1; EBUSY while any queue exists.
 */
struct vqtest_features {
	__u32 size;
	__u32 flags;
	__aligned_u64 features;
};

#define VQTEST_SET_FEATURES _IO(VQTEST_TYPE, VQTEST_CMD_SET_FEATURES)

/**
 * enum vqtest_map_flags - flags for struct vqtest_map
 * @VQTEST_MAP_FIXED_IOVA: map at @iova instead of the identity IOVA
 */
enum vqtest_map_flags {
	VQTEST_MAP_FIXED_IOVA = 1 << 0,
};

/**
 * struct vqtest_map - ioctl(VQTEST_MAP)
 * @size: sizeof(struct vqtest_map)
 * @flags: enum vqtest_map_flags
 * @user_va: start of the caller's memory, page aligned
 * @length: bytes, a non-zero multiple of the page size
 * @iova: with VQTEST_MAP_FIXED_IOVA the IOVA to map at (page aligned);
 *	on return the IOVA of the region (== @user_va without the flag)
 *
 * Pins the pages (writable, long-term) for the life of the region and
 * charges them to RLIMIT_MEMLOCK of the calling process (ENOMEM past it
 * unless the caller has CAP_IPC_LOCK). EEXIST if the IOVA range overlaps
 * a mapped region; ENOSPC past out_max_regions; EFAULT if the memory is
 * not mapped writable in the caller.
 */
struct vqtest_map {
	__u32 size;
	__u32 flags;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define VQTEST_MAP _IO(VQTEST_TYPE, VQTEST_CMD_MAP)

/**
 * struct vqtest_unmap - ioctl(VQTEST_UNMAP)
 * @size: sizeof(struct vqtest_unmap)
 * @flags: must be 0
 * @iova: IOVA of a mapped region
 * @length: its length; must match the region exactly
 *
 * ENOENT if no region is mapped exactly there; EBUSY while a queue's rings
 * live in the region. Chains in flight never outlive a worker run, so a
 * region with buffers only is unmapped once the current run ends.
 */
struct vqtest_unmap {
	__u32 size;
	__u32 flags;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define VQTEST_UNMAP _IO(VQTEST_TYPE, VQTEST_CMD_UNMAP)

/**
 * enum vqtest_behaviour - what the device does with each chain
 * @VQTEST_BEH_ECHO: copy the readable bytes into the writable buffers;
 *	used.len = bytes written (the smaller of the two totals)
 * @VQTEST_BEH_SINK: consume the readable bytes; used.len = 0. With
 *	VQTEST_QUEUE_F_CHECKSUM the bytes are read and folded into
 *	out_checksum (see vqtest_checksum below)
 * @VQTEST_BEH_SOURCE: fill every writable byte with the source pattern
 *	(byte at stream offset p is p % 251, p counts from 0 at create or
 *	reset); used.len = writable bytes
 * @VQTEST_BEH_NULL: validate and complete the chain without touching its
 *	buffers; used.len = 0
 * @VQTEST_BEH_BLK: a virtio-blk device on a RAM disk of @blk_capacity
 *	bytes: struct virtio_blk_outhdr, data, one status byte. used.len is
 *	the data written plus the status byte: IN = data + 1, GET_ID = 20 + 1,
 *	OUT and FLUSH = 1, an error = 1. Bad sector or a data length that is
 *	not a multiple of 512 or runs past the disk: VIRTIO_BLK_S_IOERR;
 *	unknown type: VIRTIO_BLK_S_UNSUPP; no writable byte at all: violation
 *	VQTEST_V_BAD_REQUEST.
 */
enum vqtest_behaviour {
	VQTEST_BEH_ECHO = 1,
	VQTEST_BEH_SINK = 2,
	VQTEST_BEH_SOURCE = 3,
	VQTEST_BEH_NULL = 4,
	VQTEST_BEH_BLK = 5,
};

#define VQTEST_SOURCE_PERIOD		251

/**
 * enum vqtest_level - what a violation does to the queue
 * @VQTEST_LEVEL_STRICT: every violation stops the queue (needs reset)
 * @VQTEST_LEVEL_WARN: tolerable violations (zero-length descriptor, used
 *	ring written by the driver, a chain the behaviour cannot answer) are
 *	reported and counted and processing goes on; the others still stop it
 */
enum vqtest_level {
	VQTEST_LEVEL_STRICT = 0,
	VQTEST_LEVEL_WARN = 1,
};

/**
 * enum vqtest_queue_flags - flags for struct vqtest_queue_create
 * @VQTEST_QUEUE_F_OUT_OF_ORDER: complete chains in reverse order within
 *	groups of @ooo_window chains (EINVAL if IN_ORDER was negotiated)
 * @VQTEST_QUEUE_F_CHECKSUM: sink reads every byte into out_checksum
 * @VQTEST_QUEUE_F_INLINE: serve a kick in the task that wrote it, on its
 *	way back to userspace (task_work, as io_uring runs deferred work),
 *	instead of waking the worker: no context switch, and the chains made
 *	available before the kick are used, and the call signalled, before
 *	the kick's write() returns. Kicks from kernel threads, and what is
 *	left past one run's budget, still go to the worker. EINVAL together
 *	with a @cpu or @busy_poll_us (modules before this flag: EINVAL too)
 */
enum vqtest_queue_flags {
	VQTEST_QUEUE_F_OUT_OF_ORDER = 1 << 0,
	VQTEST_QUEUE_F_CHECKSUM = 1 << 1,
	VQTEST_QUEUE_F_INLINE = 1 << 2,
};

#define VQTEST_NO_FD			(-1)
#define VQTEST_CPU_ANY			(-1)
#define VQTEST_MAX_OOO_WINDOW		64

/**
 * struct vqtest_queue_create - ioctl(VQTEST_QUEUE_CREATE)
 * @size: sizeof(struct vqtest_queue_create)
 * @flags: enum vqtest_queue_flags
 * @index: queue index, 0 to out_max_queues - 1; EEXIST if it exists
 * @num: queue size, a power of two, 1 to out_max_queue_size
 * @desc_iova: IOVA of the descriptor table (16-byte aligned)
 * @driver_iova: IOVA of the available ring (2-byte aligned)
 * @device_iova: IOVA of the used ring (4-byte aligned)
 * @kick_fd: an eventfd the driver writes to notify the device, or
 *	VQTEST_NO_FD to drive the queue with QUEUE_PROCESS only
 * @call_fd: an eventfd the device signals after used entries, or
 *	VQTEST_NO_FD
 * @behaviour: enum vqtest_behaviour
 * @level: enum vqtest_level
 * @budget_chains: chains one worker run may complete before it yields
 *	(0 picks the default, 256)
 * @budget_bytes: bytes one worker run may move before it yields
 *	(0 picks the default, 1 MiB)
 * @ooo_window: with VQTEST_QUEUE_F_OUT_OF_ORDER, 2 to VQTEST_MAX_OOO_WINDOW
 * @cpu: CPU the worker runs on, or VQTEST_CPU_ANY (the kicking CPU)
 * @blk_capacity: RAM disk size in bytes for VQTEST_BEH_BLK, a multiple of
 *	512 up to out_max_blk_capacity; must be 0 otherwise
 * @busy_poll_us: after the ring runs empty, poll it this long before
 *	re-enabling kicks (0 = never, at most 1000)
 * @__reserved: must be 0
 *
 * The three ring areas must each lie inside one mapped region (EINVAL
 * otherwise, EOVERFLOW if an area wraps); those regions cannot be unmapped
 * while the queue exists. Requires SET_FEATURES first (EPROTO). A chain
 * may hold at most min(@num, out_max_segs) descriptors, indirect table
 * entries included (CHAIN_LEN, then TOO_MANY_SEGS).
 */
struct vqtest_queue_create {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 num;
	__aligned_u64 desc_iova;
	__aligned_u64 driver_iova;
	__aligned_u64 device_iova;
	__s32 kick_fd;
	__s32 call_fd;
	__u32 behaviour;
	__u32 level;
	__u32 budget_chains;
	__u32 budget_bytes;
	__u32 ooo_window;
	__s32 cpu;
	__aligned_u64 blk_capacity;
	__u32 busy_poll_us;
	__u32 __reserved;
};

#define VQTEST_QUEUE_CREATE _IO(VQTEST_TYPE, VQTEST_CMD_QUEUE_CREATE)

/**
 * struct vqtest_queue_destroy - ioctl(VQTEST_QUEUE_DESTROY)
 * @size: sizeof(struct vqtest_queue_destroy)
 * @flags: must be 0
 * @index: queue index; ENOENT if no such queue
 * @__reserved: must be 0
 *
 * Stops the worker, drops the eventfds and the ring regions' use count.
 */
struct vqtest_queue_destroy {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 __reserved;
};

#define VQTEST_QUEUE_DESTROY _IO(VQTEST_TYPE, VQTEST_CMD_QUEUE_DESTROY)

/**
 * struct vqtest_queue_reset - ioctl(VQTEST_QUEUE_RESET)
 * @size: sizeof(struct vqtest_queue_reset)
 * @flags: must be 0
 * @index: queue index
 * @out_dropped: chains the driver had made available that the device
 *	never completed; they are dropped
 *
 * virtio's queue_reset: the device lets go of the rings at once and takes
 * nothing from them (not even for a kick sent before the reset) while the
 * queue is in VQTEST_QS_RESET; QUEUE_PROCESS answers EBUSY. The driver
 * rewrites its rings (avail->idx back to its start) and then enables the
 * queue with QUEUE_SET_INDICES, virtio's queue_enable, usually at 0/0.
 * Counters are kept; the source pattern restarts at 0. Needs
 * VQTEST_F_RING_RESET negotiated unless the queue is in the needs-reset
 * state (EOPNOTSUPP).
 */
struct vqtest_queue_reset {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 out_dropped;
};

#define VQTEST_QUEUE_RESET _IO(VQTEST_TYPE, VQTEST_CMD_QUEUE_RESET)

/**
 * struct vqtest_queue_set_indices - ioctl(VQTEST_QUEUE_SET_INDICES)
 * @size: sizeof(struct vqtest_queue_set_indices)
 * @flags: must be 0
 * @index: queue index
 * @avail_idx: the next available index the device will read
 * @used_idx: the used index the device writes to used->idx now and
 *	continues from
 *
 * Two uses. On an active queue, for wrap-around tests: only while no
 * chain is pending (avail->idx equals the device's next index; EBUSY
 * otherwise); the device stores @avail_idx into avail->idx itself, under
 * the queue lock, so a worker run racing the call never sees the ring
 * half moved; the driver continues from @avail_idx. On a queue in
 * VQTEST_QS_RESET it enables the queue
 * (virtio's queue_enable) at these indices: the device writes used->flags
 * and used->idx and starts reading at @avail_idx. EBUSY in the
 * needs-reset state.
 */
struct vqtest_queue_set_indices {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u16 avail_idx;
	__u16 used_idx;
};

#define VQTEST_QUEUE_SET_INDICES _IO(VQTEST_TYPE, VQTEST_CMD_QUEUE_SET_INDICES)

/**
 * struct vqtest_queue_process - ioctl(VQTEST_QUEUE_PROCESS)
 * @size: sizeof(struct vqtest_queue_process)
 * @flags: must be 0
 * @index: queue index
 * @max_chains: most chains to complete (0 = until the ring is empty)
 * @out_chains: chains completed by this call
 * @out_pending: chains still available after the call
 *
 * Runs the device synchronously in the caller's context, exactly as a kick
 * would, and returns when the ring is empty or @max_chains are done.
 * EBUSY while the queue is reset and not yet enabled again. EIO
 * if the queue is (or becomes) stopped by a violation; out_chains and
 * out_pending are written back with EIO too. When a queue stops, the
 * device also signals the call eventfd once, as a config interrupt would,
 * so a driver waiting for completions wakes up and can read QUEUE_STATS.
 */
struct vqtest_queue_process {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 max_chains;
	__u32 out_chains;
	__u32 out_pending;
};

#define VQTEST_QUEUE_PROCESS _IO(VQTEST_TYPE, VQTEST_CMD_QUEUE_PROCESS)

/**
 * enum vqtest_queue_state - out_state of struct vqtest_queue_stats
 * @VQTEST_QS_ACTIVE: the device consumes the rings
 * @VQTEST_QS_NEEDS_RESET: a violation stopped the queue
 * @VQTEST_QS_RESET: reset; waits for QUEUE_SET_INDICES to enable it
 */
enum vqtest_queue_state {
	VQTEST_QS_ACTIVE = 1,
	VQTEST_QS_NEEDS_RESET = 2,
	VQTEST_QS_RESET = 3,
};

/**
 * enum vqtest_violation - rules a driver can break
 * @VQTEST_V_NONE: no violation
 * @VQTEST_V_AVAIL_IDX_JUMP: avail->idx moved more than the queue size
 *	ahead of the device's next index
 * @VQTEST_V_AVAIL_IDX_BACK: avail->idx moved backwards
 * @VQTEST_V_HEAD_RANGE: a head index in the avail ring is >= queue size
 * @VQTEST_V_NEXT_RANGE: a next field is >= the queue (or indirect table)
 *	size
 * @VQTEST_V_LOOP: a chain visits a descriptor twice
 * @VQTEST_V_CHAIN_LEN: a chain holds more descriptors than the queue size
 * @VQTEST_V_ZERO_LEN: a descriptor of length 0 (tolerable)
 * @VQTEST_V_ADDR_WRAP: addr + len wraps around 2^64
 * @VQTEST_V_ADDR_UNMAPPED: a buffer or indirect table is not wholly
 *	inside a contiguous run of mapped regions
 * @VQTEST_V_INDIRECT_FEATURE: an indirect descriptor without
 *	VIRTIO_RING_F_INDIRECT_DESC negotiated
 * @VQTEST_V_INDIRECT_NESTED: an indirect descriptor in an indirect table
 * @VQTEST_V_INDIRECT_NEXT: an indirect descriptor with NEXT set
 * @VQTEST_V_INDIRECT_LEN: an indirect table whose length is 0, not a
 *	multiple of 16, or larger than 16 * queue size
 * @VQTEST_V_WRITE_ORDER: a device-readable descriptor after a
 *	device-writable one
 * @VQTEST_V_TOO_MANY_SEGS: a chain of more than out_max_segs descriptors
 * @VQTEST_V_HEAD_IN_FLIGHT: a head offered again while the device still
 *	owns it
 * @VQTEST_V_USED_WRITTEN: the driver wrote to the used ring (device
 *	owned); tolerable
 * @VQTEST_V_IN_ORDER: with VIRTIO_F_IN_ORDER, a head that is not the next
 *	descriptor in ring order
 * @VQTEST_V_BAD_REQUEST: the behaviour cannot answer the chain (blk
 *	without a writable status byte); tolerable
 * @VQTEST_V_MAX: number of classes
 */
enum vqtest_violation {
	VQTEST_V_NONE = 0,
	VQTEST_V_AVAIL_IDX_JUMP = 1,
	VQTEST_V_AVAIL_IDX_BACK = 2,
	VQTEST_V_HEAD_RANGE = 3,
	VQTEST_V_NEXT_RANGE = 4,
	VQTEST_V_LOOP = 5,
	VQTEST_V_CHAIN_LEN = 6,
	VQTEST_V_ZERO_LEN = 7,
	VQTEST_V_ADDR_WRAP = 8,
	VQTEST_V_ADDR_UNMAPPED = 9,
	VQTEST_V_INDIRECT_FEATURE = 10,
	VQTEST_V_INDIRECT_NESTED = 11,
	VQTEST_V_INDIRECT_NEXT = 12,
	VQTEST_V_INDIRECT_LEN = 13,
	VQTEST_V_WRITE_ORDER = 14,
	VQTEST_V_TOO_MANY_SEGS = 15,
	VQTEST_V_HEAD_IN_FLIGHT = 16,
	VQTEST_V_USED_WRITTEN = 17,
	VQTEST_V_IN_ORDER = 18,
	VQTEST_V_BAD_REQUEST = 19,
	VQTEST_V_MAX,
};

#define VQTEST_V_SLOTS			32
/* out_violation_desc when the violation is not about one descriptor */
#define VQTEST_NO_DESC			0xffffffffU
/* set in out_violation_desc when the index is inside an indirect table */
#define VQTEST_DESC_INDIRECT		0x80000000U

/**
 * struct vqtest_counters - per-queue counters, never reset but by destroy
 * @kicks: kick eventfd wakeups received
 * @kicks_suppressed: times the worker found new chains that arrived while
 *	kicks were suppressed (USED_F_NO_NOTIFY set or avail_event not
 *	crossed), i.e. kicks the driver rightly did not send
 * @chains: chains taken from the avail ring
 * @descs: descriptors consumed (indirect table entries included)
 * @indirect: chains that used an indirect table
 * @bytes_read: device-readable bytes consumed
 * @bytes_written: bytes the device wrote into writable buffers
 * @used: used elements written
 * @calls: call eventfd signals (counted even when call_fd is VQTEST_NO_FD)
 * @calls_suppressed_flag: calls not sent because of AVAIL_F_NO_INTERRUPT
 * @calls_suppressed_event: calls not sent because used_event was not
 *	crossed (EVENT_IDX)
 * @worker_runs: runs of the worker (and of QUEUE_PROCESS)
 * @budget_exhausted: runs that stopped on the budget and requeued
 * @dropped: chains dropped by resets
 * @violations: all violations reported
 * @checksum: sink checksum with VQTEST_QUEUE_F_CHECKSUM
 */
struct vqtest_counters {
	__aligned_u64 kicks;
	__aligned_u64 kicks_suppressed;
	__aligned_u64 chains;
	__aligned_u64 descs;
	__aligned_u64 indirect;
	__aligned_u64 bytes_read;
	__aligned_u64 bytes_written;
	__aligned_u64 used;
	__aligned_u64 calls;
	__aligned_u64 calls_suppressed_flag;
	__aligned_u64 calls_suppressed_event;
	__aligned_u64 worker_runs;
	__aligned_u64 budget_exhausted;
	__aligned_u64 dropped;
	__aligned_u64 violations;
	__aligned_u64 checksum;
};

/**
 * struct vqtest_queue_stats - ioctl(VQTEST_QUEUE_STATS)
 * @size: sizeof(struct vqtest_queue_stats)
 * @flags: must be 0
 * @index: queue index
 * @out_state: enum vqtest_queue_state
 * @out_num: queue size
 * @out_behaviour: enum vqtest_behaviour
 * @out_last_avail_idx: next avail index the device will read
 * @out_used_idx: used->idx as last published by the device
 * @out_violation: class of the first violation since create or reset
 *	(enum vqtest_violation), VQTEST_V_NONE if none
 * @out_violation_desc: descriptor index it concerns (VQTEST_DESC_INDIRECT
 *	or'ed in for an indirect table entry), or VQTEST_NO_DESC
 * @out_violation_ring: free-running avail index of the chain, or the
 *	offending avail->idx / used slot for ring-level classes
 * @out_violation_addr: the address (IOVA) concerned, if any
 * @out_counters: struct vqtest_counters
 * @out_violations: count per class, indexed by enum vqtest_violation
 */
struct vqtest_queue_stats {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 out_state;
	__u32 out_num;
	__u32 out_behaviour;
	__u16 out_last_avail_idx;
	__u16 out_used_idx;
	__u32 out_violation;
	__u32 out_violation_desc;
	__u32 out_violation_ring;
	__aligned_u64 out_violation_addr;
	struct vqtest_counters out_counters;
	__aligned_u64 out_violations[VQTEST_V_SLOTS];
};

#define VQTEST_QUEUE_STATS _IO(VQTEST_TYPE, VQTEST_CMD_QUEUE_STATS)

/*
 * Sink checksum: for each byte b consumed, in order,
 *	sum = (sum ^ b) * 0x100000001b3 (FNV-1a, 64 bit)
 * starting from 0xcbf29ce484222325 at queue creation.
 */
#define VQTEST_CSUM_INIT		0xcbf29ce484222325ULL
#define VQTEST_CSUM_PRIME		0x100000001b3ULL

#endif /* _UAPI_LINUX_VQTEST_H */
