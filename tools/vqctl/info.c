// SPDX-License-Identifier: GPL-2.0
/*
 * vqctl info: what the device offers (VQTEST_GET_INFO).
 */
#include <getopt.h>
#include <string.h>

#include "vqctl.h"

int cmd_info(int argc, char **argv, const char *path)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct vqtest_info info;
	struct vq_dev *dev;
	bool json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		if (opt != 'j') {
			fprintf(stderr, "usage: vqctl info [--json]\n");
			return 2;
		}
		json = true;
	}
	ret = vqctl_open(path, &dev);
	if (ret)
		return vqctl_err(path, ret);
	ret = vq_get_info(dev, &info);
	if (ret) {
		vq_dev_close(dev);
		return vqctl_err("GET_INFO", ret);
	}
	print_info(stdout, &info, json);
	return vq_dev_close(dev) ? 1 : 0;
}
