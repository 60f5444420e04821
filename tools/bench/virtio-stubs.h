/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included (-include) first when tools/bench/kernel-bench.sh builds
 * tools/virtio/virtio_test from Debian's linux-source: what the 6.12
 * userspace stub headers lack. Ours, not the kernel's.
 */
#ifndef VQTEST_BENCH_VIRTIO_STUBS_H
#define VQTEST_BENCH_VIRTIO_STUBS_H

/*
 * tools/virtio/linux/compiler.h first: it pulls in the kernel's
 * compiler_types.h, which defines __user unconditionally; tools/include's
 * linux/types.h defines it only when still undefined. The other order
 * (what virtio_test.c's includes give) is a redefinition, an error
 * under -Werror.
 */
#include <linux/compiler.h>

/* KCSAN annotation used by drivers/virtio/virtio_ring.c */
#ifndef data_race
#define data_race(expr) (expr)
#endif

/* virtio_ring.c ends with one; tools/virtio/linux/module.h has none */
#ifndef MODULE_DESCRIPTION
#define MODULE_DESCRIPTION(desc)
#endif

#endif
