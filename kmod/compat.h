/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqtest: every difference between the kernels vqtest supports (6.1 LTS to
 * the newest Debian ships) lives here. Each is decided by a feature test
 * Kbuild runs on the target kernel's headers (VQTEST_HAVE_*), never by
 * LINUX_VERSION_CODE: distro kernels backport, so versions lie.
 */
#ifndef _VQTEST_COMPAT_H
#define _VQTEST_COMPAT_H

#include <linux/eventfd.h>
#include <linux/workqueue.h>

/* 6.8 dropped the count argument of eventfd_signal(). */
static inline void vqtest_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef VQTEST_HAVE_EVENTFD_SIGNAL_NOCOUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * 6.17 added WQ_PERCPU (Debian's 6.12 has it backported) on the way to
 * unbound workqueues by default: say per-CPU explicitly where it exists.
 */
#ifdef VQTEST_HAVE_WQ_PERCPU
#define VQTEST_WQ_PERCPU	WQ_PERCPU
#else
#define VQTEST_WQ_PERCPU	0
#endif

#endif /* _VQTEST_COMPAT_H */
