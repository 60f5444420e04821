// SPDX-License-Identifier: GPL-2.0
/*
 * vqctl: inspect and drive a vqtest device from the shell.
 *
 *	vqctl [-d /dev/vqtest] info [--json]
 *	vqctl [-d /dev/vqtest] demo [--chains N] [--behaviour B] ...
 */
#include <string.h>
#include <unistd.h>

#include "vqctl.h"

#ifdef VQCTL_TDEV
#include "tdev.h"
#endif

int vqctl_open(const char *path, struct vq_dev **dev)
{
#ifdef VQCTL_TDEV
	if (!strcmp(path, "tdev"))
		return tdev_open(NULL, dev, NULL);
#endif
	return vq_dev_open_path(path, dev);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, const char *path);
	const char *help;
} cmds[] = {
	{ "info", cmd_info, "[--json]  what the device offers" },
	{ "demo", cmd_demo, "[--chains N] [--behaviour echo|sink|source|null|blk]"
			    " [--size N] [--no-event-idx] [--no-indirect]"
			    " [--seed S] [--json]" },
};

static int usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: vqctl [-d device] command [options]\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s %s\n", cmds[i].name, cmds[i].help);
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	const char *path = VQ_DEV_PATH;
	unsigned int i;
	int opt;

	/* "+": stop at the command, its options are its own */
	while ((opt = getopt(argc, argv, "+d:h")) != -1) {
		if (opt == 'd')
			path = optarg;
		else
			return usage(opt == 'h' ? stdout : stderr);
	}
	if (optind >= argc)
		return usage(stderr);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name))
			continue;
		argc -= optind;
		argv += optind;
		optind = 1;
		return cmds[i].fn(argc, argv, path);
	}
	fprintf(stderr, "vqctl: unknown command '%s'\n", argv[optind]);
	return usage(stderr);
}
