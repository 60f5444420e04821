#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# libvq against the real module, in the VM: the split-queue tests (the same
# ones `make -C lib check` runs on the userspace ring walk) and the example
# echo client. Prints kselftest "# Totals:" lines for tools/check.sh.
dir=$(dirname "$0")
VQ_TEST_DEVICE=/dev/vqtest "$dir/libvq_test_split"
rc=$?
if "$dir/libvq_echo_client" >/tmp/libvq_echo.log 2>&1; then
	echo "ok 1 - examples/echo_client"
	echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
else
	sed 's/^/# /' /tmp/libvq_echo.log
	echo "not ok 1 - examples/echo_client"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	rc=1
fi
exit $rc
