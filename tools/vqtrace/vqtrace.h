/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqtrace: what vqtrace.bpf.c and vqtrace.c share. Included by the BPF side
 * after vmlinux.h and by userspace after <linux/types.h>, so only __u* types.
 */
#ifndef __VQTRACE_H
#define __VQTRACE_H

#define VQTRACE_COMM_LEN	16
#define VQTRACE_MAX_SLOTS	32	/* log2 histogram buckets */
#define VQTRACE_NR_CALL		3	/* signalled, NO_INTERRUPT, used_event */

/* One per vqtest tracepoint; bit (1 << type) in the event masks. */
enum vqtrace_type {
	VQTRACE_QUEUE_CREATE,
	VQTRACE_QUEUE_DESTROY,
	VQTRACE_QUEUE_RESET,
	VQTRACE_KICK,
	VQTRACE_KICK_SUPPRESSED,
	VQTRACE_AVAIL,
	VQTRACE_USED,
	VQTRACE_CALL,
	VQTRACE_VIOLATION,
	VQTRACE_RUN,
	VQTRACE_NR_TYPES,
};

/* vqtest_call's suppressed field */
enum vqtrace_call_reason {
	VQTRACE_CALL_SIGNALLED = 0,
	VQTRACE_CALL_NO_INTERRUPT = 1,
	VQTRACE_CALL_USED_EVENT = 2,
};

/* Key of the counts and hist maps: one queue of one open /dev/vqtest. */
struct vqtrace_qkey {
	__u32 dev;
	__u32 queue;
};

/* Key of the start map: a chain the device holds, avail to used. */
struct vqtrace_hkey {
	__u32 dev;
	__u32 queue;
	__u32 head;
};

/* Per-queue counters (a per-CPU map: userspace adds the CPUs up). */
struct vqtrace_counts {
	__u64 events[VQTRACE_NR_TYPES];
	__u64 calls[VQTRACE_NR_CALL];	/* vqtest_call by reason */
	__u64 descs;			/* avail: descriptors */
	__u64 indirect;			/* avail: chains with a table */
	__u64 read_bytes;		/* avail: device-readable bytes */
	__u64 write_bytes;		/* avail: device-writable capacity */
	__u64 used_bytes;		/* used: len written by the device */
	__u64 run_chains;		/* run: chains completed */
	__u64 run_exhausted;		/* run: budget exhausted */
	__u64 violations_fatal;		/* violation: queue stopped */
};

/* avail -> used latency, log2 buckets in the unit vqtrace asked for. */
struct vqtrace_hist {
	__u64 slots[VQTRACE_MAX_SLOTS];
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
};

/* One ring buffer record per traced event. */
struct vqtrace_event {
	__u64 ts_ns;
	__u32 type;		/* enum vqtrace_type */
	__u32 cpu;
	__u32 pid;		/* tgid of the task the event fired in */
	__u32 tid;
	__u32 dev;
	__u32 queue;
	union {
		struct {
			__u32 num;
			__u32 behaviour;
			__u64 features;
		} create;
		struct {
			__u32 dropped;
		} reset;
		struct {
			__u32 avail_idx;
		} kick_suppressed;
		struct {
			__u32 head;
			__u32 avail_idx;
			__u32 ndesc;
			__u32 indirect;
			__u64 read_len;
			__u64 write_len;
		} avail;
		struct {
			__u32 head;
			__u32 used_idx;
			__u32 len;
			__u32 __pad;
			__u64 latency_ns;	/* 0 if avail was not seen */
		} used;
		struct {
			__u32 used_idx;
			__u32 reason;	/* enum vqtrace_call_reason */
		} call;
		struct {
			__u32 class;	/* enum vqtest_violation */
			__u32 desc;
			__u32 ring;
			__u32 fatal;
			__u64 addr;
		} violation;
		struct {
			__u32 chains;
			__u32 exhausted;
		} run;
	};
	char comm[VQTRACE_COMM_LEN];
};

/*
 * Contexts of the plain tracepoint programs (tracepoint/vqtest/...), the
 * fallback when the module has no BTF: the records exactly as
 * /sys/kernel/tracing/events/vqtest/<event>/format lays them out from
 * kmod/trace.h. vqtrace.c checks them against the format files before it
 * loads anything.
 */
struct vqtrace_tp_common {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
};

struct vqtrace_tp_queue_create {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u32 num;
	__u32 behaviour;
	__u64 features;
};

/* vqtest_queue_destroy and vqtest_kick (vqtest_queue_class) */
struct vqtrace_tp_queue {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
};

struct vqtrace_tp_queue_reset {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u32 dropped;
};

struct vqtrace_tp_kick_suppressed {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u16 avail_idx;
};

struct vqtrace_tp_avail {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u16 head;
	__u16 avail_idx;
	__u32 ndesc;
	__u64 read_len;
	__u64 write_len;
	__u8 indirect;
};

struct vqtrace_tp_used {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u16 head;
	__u16 used_idx;
	__u32 len;
};

struct vqtrace_tp_call {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u16 used_idx;
	__u32 suppressed;
};

struct vqtrace_tp_violation {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u32 class;
	__u32 desc;
	__u32 ring;
	__u8 fatal;
	__u64 addr;
};

struct vqtrace_tp_run {
	struct vqtrace_tp_common c;
	__u32 dev;
	__u32 queue;
	__u32 chains;
	__u8 exhausted;
};

#endif /* __VQTRACE_H */
