// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/* Test binaries linked with this run on the in-process fake ring walk. */
#include "tdev_ring.h"

const struct tdev_ring_ops *const tdev_default_ring = &fake_ring_ops;
