/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqtest: every difference between the kernels vqtest supports (6.1 LTS to
 * the newest Debian ships) lives here, tested by feature where the kernel
 * offers one and by version otherwise.
 */
#ifndef _VQTEST_COMPAT_H
#define _VQTEST_COMPAT_H

#include <linux/eventfd.h>
#include <linux/version.h>
#include <linux/workqueue.h>

/* 6.8 dropped eventfd_signal()'s count argument. */
static inline void vqtest_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * 6.17 added WQ_PERCPU (an enum, so no #ifdef) on the way to unbound
 * workqueues by default: say per-CPU explicitly where the flag exists.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define VQTEST_WQ_PERCPU	WQ_PERCPU
#else
#define VQTEST_WQ_PERCPU	0
#endif

#endif /* _VQTEST_COMPAT_H */
