/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqtest tracepoints: one per ring event. Every event carries the device
 * id and the queue index.
 */
/*
 * Built with VQTEST_NO_TRACE=1 the module has no tracepoints at all: the
 * baseline against which the cost of disabled tracepoints is measured.
 */
#ifdef VQTEST_NO_TRACE
#ifndef _VQTEST_TRACE_STUBS_H
#define _VQTEST_TRACE_STUBS_H
#define trace_vqtest_queue_create(...)		do { } while (0)
#define trace_vqtest_queue_destroy(...)		do { } while (0)
#define trace_vqtest_queue_reset(...)		do { } while (0)
#define trace_vqtest_kick(...)			do { } while (0)
#define trace_vqtest_kick_suppressed(...)	do { } while (0)
#define trace_vqtest_avail(...)			do { } while (0)
#define trace_vqtest_used(...)			do { } while (0)
#define trace_vqtest_call(...)			do { } while (0)
#define trace_vqtest_violation(...)		do { } while (0)
#define trace_vqtest_run(...)			do { } while (0)
#endif
#else /* !VQTEST_NO_TRACE */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM vqtest

#if !defined(_VQTEST_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VQTEST_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(vqtest_queue_create,
	    TP_PROTO(u32 dev, u32 queue, u32 num, u32 behaviour, u64 features),
	    TP_ARGS(dev, queue, num, behaviour, features),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u32, num)
			     __field(u32, behaviour)
			     __field(u64, features)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->num = num;
			   __entry->behaviour = behaviour;
			   __entry->features = features;),
	    TP_printk("dev=%u queue=%u num=%u behaviour=%u features=%#llx",
		      __entry->dev, __entry->queue, __entry->num,
		      __entry->behaviour, __entry->features)
);

DECLARE_EVENT_CLASS(vqtest_queue_class,
		    TP_PROTO(u32 dev, u32 queue),
		    TP_ARGS(dev, queue),
		    TP_STRUCT__entry(__field(u32, dev)
				     __field(u32, queue)),
		    TP_fast_assign(__entry->dev = dev;
				   __entry->queue = queue;),
		    TP_printk("dev=%u queue=%u", __entry->dev, __entry->queue)
);

DEFINE_EVENT(vqtest_queue_class, vqtest_queue_destroy,
	     TP_PROTO(u32 dev, u32 queue),
	     TP_ARGS(dev, queue)
);

DEFINE_EVENT(vqtest_queue_class, vqtest_kick,
	     TP_PROTO(u32 dev, u32 queue),
	     TP_ARGS(dev, queue)
);

TRACE_EVENT(vqtest_queue_reset,
	    TP_PROTO(u32 dev, u32 queue, u32 dropped),
	    TP_ARGS(dev, queue, dropped),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u32, dropped)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->dropped = dropped;),
	    TP_printk("dev=%u queue=%u dropped=%u",
		      __entry->dev, __entry->queue, __entry->dropped)
);

TRACE_EVENT(vqtest_kick_suppressed,
	    TP_PROTO(u32 dev, u32 queue, u16 avail_idx),
	    TP_ARGS(dev, queue, avail_idx),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u16, avail_idx)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->avail_idx = avail_idx;),
	    TP_printk("dev=%u queue=%u avail_idx=%u",
		      __entry->dev, __entry->queue, __entry->avail_idx)
);

TRACE_EVENT(vqtest_avail,
	    TP_PROTO(u32 dev, u32 queue, u16 desc_head, u16 avail_idx,
		     u32 ndesc, u64 read_len, u64 write_len, bool indirect),
	    TP_ARGS(dev, queue, desc_head, avail_idx, ndesc, read_len,
		    write_len, indirect),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u16, head)
			     __field(u16, avail_idx)
			     __field(u32, ndesc)
			     __field(u64, read_len)
			     __field(u64, write_len)
			     __field(u8, indirect)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->head = desc_head;
			   __entry->avail_idx = avail_idx;
			   __entry->ndesc = ndesc;
			   __entry->read_len = read_len;
			   __entry->write_len = write_len;
			   __entry->indirect = indirect;),
	    TP_printk("dev=%u queue=%u head=%u avail_idx=%u ndesc=%u read=%llu write=%llu indirect=%u",
		      __entry->dev, __entry->queue, __entry->head,
		      __entry->avail_idx, __entry->ndesc, __entry->read_len,
		      __entry->write_len, __entry->indirect)
);

TRACE_EVENT(vqtest_used,
	    TP_PROTO(u32 dev, u32 queue, u16 desc_head, u32 len, u16 used_idx),
	    TP_ARGS(dev, queue, desc_head, len, used_idx),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u16, head)
			     __field(u16, used_idx)
			     __field(u32, len)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->head = desc_head;
			   __entry->used_idx = used_idx;
			   __entry->len = len;),
	    TP_printk("dev=%u queue=%u head=%u len=%u used_idx=%u",
		      __entry->dev, __entry->queue, __entry->head, __entry->len,
		      __entry->used_idx)
);

TRACE_EVENT(vqtest_call,
	    TP_PROTO(u32 dev, u32 queue, u16 used_idx, u32 suppressed),
	    TP_ARGS(dev, queue, used_idx, suppressed),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u16, used_idx)
			     __field(u32, suppressed)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->used_idx = used_idx;
			   __entry->suppressed = suppressed;),
	    TP_printk("dev=%u queue=%u used_idx=%u %s",
		      __entry->dev, __entry->queue, __entry->used_idx,
		      __print_symbolic(__entry->suppressed,
				       { 0, "signalled" },
				       { 1, "suppressed=NO_INTERRUPT" },
				       { 2, "suppressed=used_event" }))
);

TRACE_EVENT(vqtest_violation,
	    TP_PROTO(u32 dev, u32 queue, u32 class, u32 desc, u32 ring,
		     u64 addr, bool fatal),
	    TP_ARGS(dev, queue, class, desc, ring, addr, fatal),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u32, class)
			     __field(u32, desc)
			     __field(u32, ring)
			     __field(u8, fatal)
			     __field(u64, addr)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->class = class;
			   __entry->desc = desc;
			   __entry->ring = ring;
			   __entry->fatal = fatal;
			   __entry->addr = addr;),
	    TP_printk("dev=%u queue=%u class=%u desc=%#x ring=%u addr=%#llx fatal=%u",
		      __entry->dev, __entry->queue, __entry->class,
		      __entry->desc, __entry->ring, __entry->addr,
		      __entry->fatal)
);

TRACE_EVENT(vqtest_run,
	    TP_PROTO(u32 dev, u32 queue, u32 chains, bool exhausted),
	    TP_ARGS(dev, queue, chains, exhausted),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, queue)
			     __field(u32, chains)
			     __field(u8, exhausted)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->queue = queue;
			   __entry->chains = chains;
			   __entry->exhausted = exhausted;),
	    TP_printk("dev=%u queue=%u chains=%u budget_exhausted=%u",
		      __entry->dev, __entry->queue, __entry->chains,
		      __entry->exhausted)
);

#endif /* _VQTEST_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>

#endif /* VQTEST_NO_TRACE */
