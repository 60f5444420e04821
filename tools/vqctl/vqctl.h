/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vqctl: inspect and drive a vqtest device from the shell.
 */
#ifndef VQCTL_H
#define VQCTL_H

#include <stdbool.h>
#include <stdio.h>

#include <vq/libvq.h>

int cmd_info(int argc, char **argv, const char *path);
int cmd_demo(int argc, char **argv, const char *path);

/* print.c: human-readable or JSON, one object per call */
const char *vqctl_feature_name(unsigned int bit);
void print_features(FILE *f, uint64_t features, bool json);
void print_info(FILE *f, const struct vqtest_info *info, bool json);
void print_stats(FILE *f, const struct vqtest_queue_stats *st, bool json);
void print_split_counters(FILE *f, const struct vq_split_counters *c,
			  bool json);

/*
 * Open the device at @path. Test builds (VQCTL_TDEV) also take the path
 * "tdev": libvq's in-process test device, so the commands can be tested
 * where the module cannot be loaded.
 */
int vqctl_open(const char *path, struct vq_dev **dev);

/* message for a -errno from libvq; returns 1 for use as an exit code */
int vqctl_err(const char *what, int err);

#endif /* VQCTL_H */
