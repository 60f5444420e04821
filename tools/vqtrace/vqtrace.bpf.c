// SPDX-License-Identifier: GPL-2.0
/*
 * vqtrace: BPF programs on the vqtest tracepoints.
 *
 * Every tracepoint has two programs: a tp_btf one (BTF-typed arguments,
 * needs /sys/kernel/btf/vqtest) and a plain tracepoint one reading the
 * record laid out as in the tracepoint's format file (no BTF needed).
 * vqtrace.c loads one set or the other; both call the same handlers.
 *
 * Each event is filtered (pid, device, queue), counted per queue, and sent
 * to the ring buffer when its type is in stream_mask. avail records a
 * start time per (dev, queue, head) and used turns it into a log2
 * histogram bucket per queue.
 *
 * The read-only globals below are all zero when the object is loaded by
 * anything but vqtrace (bpftool prog loadall): then every event is counted
 * and nothing is streamed or timed.
 *
 * Built three times: with both sets for vqtrace's skeleton, and with
 * -DVQTRACE_ONLY_BTF or -DVQTRACE_ONLY_TP for `vqtrace -O`, so that
 * `bpftool prog loadall ... autoattach` attaches each tracepoint once.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vqtrace.h"

char LICENSE[] SEC("license") = "GPL";

/* libbpf 1.1's skeletons want 64-bit globals here: keep them __u64. */
const volatile __u64 filter_pid;	/* tgid; 0: any */
const volatile __u64 filter_dev_on;
const volatile __u64 filter_dev;
const volatile __u64 filter_queue_on;
const volatile __u64 filter_queue;
const volatile __u64 stream_mask;	/* 1 << enum vqtrace_type */
const volatile __u64 hist_on;
const volatile __u64 hist_unit_ns;	/* bucket unit; 0: 1000 (usecs) */

__u64 lost_events;			/* ring buffer was full */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vqtrace_qkey);
	__type(value, struct vqtrace_counts);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vqtrace_qkey);
	__type(value, struct vqtrace_hist);
} hists SEC(".maps");

/* Chains between avail and used; LRU so chains a reset dropped age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct vqtrace_hkey);
	__type(value, __u64);
} start SEC(".maps");

/*
 * Devices that belong to filter_pid. The worker runs in a kworker, so the
 * pid filter learns a device from the events that fire in the driver's own
 * context (queue create, kick, QUEUE_PROCESS) and then follows the device.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} pid_devs SEC(".maps");

static __always_inline bool vqt_pid_match(__u32 dev, bool owner_event)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 mine = tgid == filter_pid;
	__u8 *known;

	known = bpf_map_lookup_elem(&pid_devs, &dev);
	/* a queue created by someone else: the id was reused, forget it */
	if (owner_event && (!known || *known != mine))
		bpf_map_update_elem(&pid_devs, &dev, &mine, BPF_ANY);
	else if (mine && !known)
		bpf_map_update_elem(&pid_devs, &dev, &mine, BPF_ANY);
	return mine || (known && *known);
}

static __always_inline bool vqt_want(__u32 dev, __u32 queue, bool owner_event)
{
	if (filter_dev_on && dev != filter_dev)
		return false;
	if (filter_queue_on && queue != filter_queue)
		return false;
	if (filter_pid)
		return vqt_pid_match(dev, owner_event);
	return true;
}

static __always_inline struct vqtrace_counts *vqt_counts(__u32 dev,
							 __u32 queue)
{
	struct vqtrace_qkey k = { .dev = dev, .queue = queue };
	struct vqtrace_counts *c, zero;

	c = bpf_map_lookup_elem(&counts, &k);
	if (c)
		return c;
	__builtin_memset(&zero, 0, sizeof(zero));
	bpf_map_update_elem(&counts, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&counts, &k);
}

/* Count the event; return the queue's counters (NULL if the map is full). */
static __always_inline struct vqtrace_counts *vqt_count(__u32 type, __u32 dev,
							__u32 queue)
{
	struct vqtrace_counts *c = vqt_counts(dev, queue);

	if (c && type < VQTRACE_NR_TYPES)
		__sync_fetch_and_add(&c->events[type], 1);
	return c;
}

/*
 * Reserve the ring buffer record of a streamed event, or return from the
 * handler. The NULL check must be the only one on the reserved pointer:
 * 6.1's verifier does not know a checked ring buffer pointer is non-NULL,
 * so a second check (clang emits one when the pointer comes back through a
 * helper that may also return NULL) leaves a path that leaks the record.
 */
#define VQT_RESERVE(e, type, dev, queue) do {				\
	if (!(stream_mask & (1ULL << (type))))				\
		return 0;						\
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);		\
	if (!e) {							\
		__sync_fetch_and_add(&lost_events, 1);			\
		return 0;						\
	}								\
	vqt_fill(e, type, dev, queue);					\
} while (0)

static __always_inline void vqt_fill(struct vqtrace_event *e, __u32 type,
				     __u32 dev, __u32 queue)
{
	__u64 id = bpf_get_current_pid_tgid();

	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->type = type;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->dev = dev;
	e->queue = queue;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline __u32 vqt_log2(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 vqt_log2l(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? vqt_log2(hi) + 32 : vqt_log2((__u32)v);
}

static __always_inline void vqt_hist_add(__u32 dev, __u32 queue, __u64 delta)
{
	struct vqtrace_qkey k = { .dev = dev, .queue = queue };
	struct vqtrace_hist *h;
	__u64 unit = hist_unit_ns ?: 1000;
	__u32 slot;

	h = bpf_map_lookup_elem(&hists, &k);
	if (!h) {
		struct vqtrace_hist zero;

		__builtin_memset(&zero, 0, sizeof(zero));
		bpf_map_update_elem(&hists, &k, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &k);
		if (!h)
			return;
	}
	slot = vqt_log2l(delta / unit);
	if (slot >= VQTRACE_MAX_SLOTS)
		slot = VQTRACE_MAX_SLOTS - 1;
	/*
	 * clang tests a zero-extended copy of slot and indexes with the
	 * original, which 6.1's verifier then sees unbounded: hide the value
	 * from the optimiser so that the mask below is really emitted.
	 */
	asm volatile("" : "+r"(slot));
	__sync_fetch_and_add(&h->slots[slot & (VQTRACE_MAX_SLOTS - 1)], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, delta);
	/* racy max, good enough for a summary line */
	if (delta > h->max_ns)
		h->max_ns = delta;
}

/* --- The handlers, shared by both program sets ------------------------- */

static __always_inline int on_create(__u32 dev, __u32 queue, __u32 num,
				     __u32 behaviour, __u64 features)
{
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, true))
		return 0;
	vqt_count(VQTRACE_QUEUE_CREATE, dev, queue);
	VQT_RESERVE(e, VQTRACE_QUEUE_CREATE, dev, queue);
	e->create.num = num;
	e->create.behaviour = behaviour;
	e->create.features = features;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* @owner: the event fires in the task that drives the device (a kick) */
static __always_inline int on_queue(__u32 type, __u32 dev, __u32 queue,
				    bool owner)
{
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, owner))
		return 0;
	vqt_count(type, dev, queue);
	VQT_RESERVE(e, type, dev, queue);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_reset(__u32 dev, __u32 queue, __u32 dropped)
{
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, false))
		return 0;
	vqt_count(VQTRACE_QUEUE_RESET, dev, queue);
	VQT_RESERVE(e, VQTRACE_QUEUE_RESET, dev, queue);
	e->reset.dropped = dropped;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_kick_suppressed(__u32 dev, __u32 queue,
					      __u16 avail_idx)
{
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, false))
		return 0;
	vqt_count(VQTRACE_KICK_SUPPRESSED, dev, queue);
	VQT_RESERVE(e, VQTRACE_KICK_SUPPRESSED, dev, queue);
	e->kick_suppressed.avail_idx = avail_idx;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_avail(__u32 dev, __u32 queue, __u16 head,
				    __u16 avail_idx, __u32 ndesc,
				    __u64 read_len, __u64 write_len,
				    __u8 indirect)
{
	struct vqtrace_counts *c;
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, false))
		return 0;
	if (hist_on || (stream_mask & (1ULL << VQTRACE_USED))) {
		struct vqtrace_hkey k = {
			.dev = dev, .queue = queue, .head = head
		};
		__u64 ts = bpf_ktime_get_ns();

		bpf_map_update_elem(&start, &k, &ts, BPF_ANY);
	}
	c = vqt_count(VQTRACE_AVAIL, dev, queue);
	if (c) {
		__sync_fetch_and_add(&c->descs, ndesc);
		__sync_fetch_and_add(&c->indirect, indirect ? 1 : 0);
		__sync_fetch_and_add(&c->read_bytes, read_len);
		__sync_fetch_and_add(&c->write_bytes, write_len);
	}
	VQT_RESERVE(e, VQTRACE_AVAIL, dev, queue);
	e->avail.head = head;
	e->avail.avail_idx = avail_idx;
	e->avail.ndesc = ndesc;
	e->avail.indirect = indirect;
	e->avail.read_len = read_len;
	e->avail.write_len = write_len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_used(__u32 dev, __u32 queue, __u16 head,
				   __u32 len, __u16 used_idx)
{
	struct vqtrace_counts *c;
	struct vqtrace_event *e;
	__u64 delta = 0;

	if (!vqt_want(dev, queue, false))
		return 0;
	if (hist_on || (stream_mask & (1ULL << VQTRACE_USED))) {
		struct vqtrace_hkey k = {
			.dev = dev, .queue = queue, .head = head
		};
		__u64 *tsp = bpf_map_lookup_elem(&start, &k);

		if (tsp) {
			delta = bpf_ktime_get_ns() - *tsp;
			bpf_map_delete_elem(&start, &k);
			if (hist_on)
				vqt_hist_add(dev, queue, delta);
		}
	}
	c = vqt_count(VQTRACE_USED, dev, queue);
	if (c)
		__sync_fetch_and_add(&c->used_bytes, len);
	VQT_RESERVE(e, VQTRACE_USED, dev, queue);
	e->used.head = head;
	e->used.used_idx = used_idx;
	e->used.len = len;
	e->used.latency_ns = delta;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_call(__u32 dev, __u32 queue, __u16 used_idx,
				   __u32 suppressed)
{
	struct vqtrace_counts *c;
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, false))
		return 0;
	c = vqt_count(VQTRACE_CALL, dev, queue);
	if (c && suppressed < VQTRACE_NR_CALL)
		__sync_fetch_and_add(&c->calls[suppressed], 1);
	VQT_RESERVE(e, VQTRACE_CALL, dev, queue);
	e->call.used_idx = used_idx;
	e->call.reason = suppressed;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_violation(__u32 dev, __u32 queue, __u32 class,
					__u32 desc, __u32 ring, __u64 addr,
					__u8 fatal)
{
	struct vqtrace_counts *c;
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, false))
		return 0;
	c = vqt_count(VQTRACE_VIOLATION, dev, queue);
	if (c && fatal)
		__sync_fetch_and_add(&c->violations_fatal, 1);
	VQT_RESERVE(e, VQTRACE_VIOLATION, dev, queue);
	e->violation.class = class;
	e->violation.desc = desc;
	e->violation.ring = ring;
	e->violation.fatal = fatal;
	e->violation.addr = addr;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_run(__u32 dev, __u32 queue, __u32 chains,
				  __u8 exhausted)
{
	struct vqtrace_counts *c;
	struct vqtrace_event *e;

	if (!vqt_want(dev, queue, false))
		return 0;
	c = vqt_count(VQTRACE_RUN, dev, queue);
	if (c) {
		__sync_fetch_and_add(&c->run_chains, chains);
		__sync_fetch_and_add(&c->run_exhausted, exhausted ? 1 : 0);
	}
	VQT_RESERVE(e, VQTRACE_RUN, dev, queue);
	e->run.chains = chains;
	e->run.exhausted = exhausted;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* For `bpftool prog tracelog`: loaded by vqtrace only with --printk. */
static __always_inline int on_printk(__u32 dev, __u32 queue, __u32 class,
				     __u32 desc, __u32 ring)
{
	if (!vqt_want(dev, queue, false))
		return 0;
	bpf_printk("vqtest%u queue %u: violation class=%u desc=0x%x ring=%u",
		   dev, queue, class, desc, ring);
	return 0;
}

#ifndef VQTRACE_ONLY_TP
/*
 * --- tp_btf programs ------------------------------------------------------
 * The arguments are the TP_PROTO() ones, typed by the module's BTF. vqtest's
 * tracepoints pass scalars only, so there is no pointer to NULL-check.
 */

SEC("tp_btf/vqtest_queue_create")
int BPF_PROG(vqt_btf_create, u32 dev, u32 queue, u32 num, u32 behaviour,
	     u64 features)
{
	return on_create(dev, queue, num, behaviour, features);
}

SEC("tp_btf/vqtest_queue_destroy")
int BPF_PROG(vqt_btf_destroy, u32 dev, u32 queue)
{
	/* destroy also runs at close, in whatever task drops the file */
	return on_queue(VQTRACE_QUEUE_DESTROY, dev, queue, false);
}

SEC("tp_btf/vqtest_queue_reset")
int BPF_PROG(vqt_btf_reset, u32 dev, u32 queue, u32 dropped)
{
	return on_reset(dev, queue, dropped);
}

SEC("tp_btf/vqtest_kick")
int BPF_PROG(vqt_btf_kick, u32 dev, u32 queue)
{
	return on_queue(VQTRACE_KICK, dev, queue, true);
}

SEC("tp_btf/vqtest_kick_suppressed")
int BPF_PROG(vqt_btf_ksupp, u32 dev, u32 queue, u16 avail_idx)
{
	return on_kick_suppressed(dev, queue, avail_idx);
}

SEC("tp_btf/vqtest_avail")
int BPF_PROG(vqt_btf_avail, u32 dev, u32 queue, u16 head, u16 avail_idx,
	     u32 ndesc, u64 read_len, u64 write_len, bool indirect)
{
	return on_avail(dev, queue, head, avail_idx, ndesc, read_len,
			write_len, indirect);
}

SEC("tp_btf/vqtest_used")
int BPF_PROG(vqt_btf_used, u32 dev, u32 queue, u16 head, u32 len,
	     u16 used_idx)
{
	return on_used(dev, queue, head, len, used_idx);
}

SEC("tp_btf/vqtest_call")
int BPF_PROG(vqt_btf_call, u32 dev, u32 queue, u16 used_idx, u32 suppressed)
{
	return on_call(dev, queue, used_idx, suppressed);
}

SEC("tp_btf/vqtest_violation")
int BPF_PROG(vqt_btf_viol, u32 dev, u32 queue, u32 class, u32 desc, u32 ring,
	     u64 addr, bool fatal)
{
	return on_violation(dev, queue, class, desc, ring, addr, fatal);
}

SEC("tp_btf/vqtest_run")
int BPF_PROG(vqt_btf_run, u32 dev, u32 queue, u32 chains, bool exhausted)
{
	return on_run(dev, queue, chains, exhausted);
}

SEC("tp_btf/vqtest_violation")
int BPF_PROG(vqt_btf_printk, u32 dev, u32 queue, u32 class, u32 desc,
	     u32 ring)
{
	return on_printk(dev, queue, class, desc, ring);
}

#endif /* !VQTRACE_ONLY_TP */

#ifndef VQTRACE_ONLY_BTF
/* --- plain tracepoint programs: the format file's record ----------------- */

SEC("tracepoint/vqtest/vqtest_queue_create")
int vqt_tp_create(struct vqtrace_tp_queue_create *ctx)
{
	return on_create(ctx->dev, ctx->queue, ctx->num, ctx->behaviour,
			 ctx->features);
}

SEC("tracepoint/vqtest/vqtest_queue_destroy")
int vqt_tp_destroy(struct vqtrace_tp_queue *ctx)
{
	return on_queue(VQTRACE_QUEUE_DESTROY, ctx->dev, ctx->queue, false);
}

SEC("tracepoint/vqtest/vqtest_queue_reset")
int vqt_tp_reset(struct vqtrace_tp_queue_reset *ctx)
{
	return on_reset(ctx->dev, ctx->queue, ctx->dropped);
}

SEC("tracepoint/vqtest/vqtest_kick")
int vqt_tp_kick(struct vqtrace_tp_queue *ctx)
{
	return on_queue(VQTRACE_KICK, ctx->dev, ctx->queue, true);
}

SEC("tracepoint/vqtest/vqtest_kick_suppressed")
int vqt_tp_ksupp(struct vqtrace_tp_kick_suppressed *ctx)
{
	return on_kick_suppressed(ctx->dev, ctx->queue, ctx->avail_idx);
}

SEC("tracepoint/vqtest/vqtest_avail")
int vqt_tp_avail(struct vqtrace_tp_avail *ctx)
{
	return on_avail(ctx->dev, ctx->queue, ctx->head, ctx->avail_idx,
			ctx->ndesc, ctx->read_len, ctx->write_len,
			ctx->indirect);
}

SEC("tracepoint/vqtest/vqtest_used")
int vqt_tp_used(struct vqtrace_tp_used *ctx)
{
	return on_used(ctx->dev, ctx->queue, ctx->head, ctx->len,
		       ctx->used_idx);
}

SEC("tracepoint/vqtest/vqtest_call")
int vqt_tp_call(struct vqtrace_tp_call *ctx)
{
	return on_call(ctx->dev, ctx->queue, ctx->used_idx, ctx->suppressed);
}

SEC("tracepoint/vqtest/vqtest_violation")
int vqt_tp_viol(struct vqtrace_tp_violation *ctx)
{
	return on_violation(ctx->dev, ctx->queue, ctx->class, ctx->desc,
			    ctx->ring, ctx->addr, ctx->fatal);
}

SEC("tracepoint/vqtest/vqtest_run")
int vqt_tp_run(struct vqtrace_tp_run *ctx)
{
	return on_run(ctx->dev, ctx->queue, ctx->chains, ctx->exhausted);
}

SEC("tracepoint/vqtest/vqtest_violation")
int vqt_tp_printk(struct vqtrace_tp_violation *ctx)
{
	return on_printk(ctx->dev, ctx->queue, ctx->class, ctx->desc,
			 ctx->ring);
}
#endif /* !VQTRACE_ONLY_BTF */
