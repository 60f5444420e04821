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
#include <linux/fs.h>
#include <linux/sched.h>
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

/*
 * A reference on a file that may be on its way to release (count zero):
 * false then. 6.13 made struct file's f_count a file_ref_t f_ref.
 */
static inline bool vqtest_get_file_live(struct file *file)
{
#ifdef VQTEST_HAVE_FILE_REF
	return file_ref_get(&file->f_ref);
#else
	return atomic_long_inc_not_zero(&file->f_count);
#endif
}

/*
 * Tasks that never return to userspace, where a TWA_RESUME task_work
 * would wait for their exit: kernel threads, io_uring workers and (6.4's
 * PF_USER_WORKER) vhost workers.
 */
#ifdef PF_USER_WORKER
#define VQTEST_PF_NO_RESUME	(PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER | \
				 PF_EXITING)
#else
#define VQTEST_PF_NO_RESUME	(PF_KTHREAD | PF_IO_WORKER | PF_EXITING)
#endif

#endif /* _VQTEST_COMPAT_H */
