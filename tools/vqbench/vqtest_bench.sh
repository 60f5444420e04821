#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vqtest_bench: vqbench's smoke run under the name tools/check.sh runs in
# the test VM (every vqtest_* of the selftests and the tools): about a
# second of every vqbench mode, kselftest TAP ending in "# Totals:".
exec vqbench selftest "$@"
