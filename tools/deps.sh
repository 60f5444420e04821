#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/deps.sh: install everything vqtest needs to build and test, from
# Debian's apt registry, then extract the few kernel-source files we use
# (kselftest harness headers, checkpatch) into $BUILD.
#
# Idempotent and fast when everything is there: one dpkg-query call decides
# whether apt is needed at all (apt-get update runs only when a package is
# missing), and the extraction from linux-source-6.12 happens once.
#
# usage: tools/deps.sh [--matrix] [--lint]
#
#   --matrix  also what `make check-matrix` needs beyond `make check`: the
#             6.12 PREEMPT_RT kernel and headers, debootstrap (sid's kernel
#             is set up by tools/sid-chroot.sh)
#   --lint    also what `make lint` needs: cppcheck, shellcheck
#
# Environment:
#   BUILD   build directory (default: <repo>/build)
#
# Outputs:
#   $BUILD/ksft/kselftest_harness.h, $BUILD/ksft/kselftest.h
#   $BUILD/lint/checkpatch.pl, spelling.txt, const_structs.checkpatch
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}
PKGS="qemu-system-x86 busybox-static linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64 clang llvm libbpf-dev
	bpftool dwarves libelf-dev zlib1g-dev dkms linux-source-6.12 sparse cpio
	xz-utils kmod gcc make pkg-config libclang-rt-14-dev"
MATRIX_PKGS="linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64 debootstrap"
LINT_PKGS="cppcheck shellcheck"

for arg in "$@"; do
	case "$arg" in
	-h|--help) usage 0 ;;
	--matrix) PKGS="$PKGS $MATRIX_PKGS" ;;
	--lint) PKGS="$PKGS $LINT_PKGS" ;;
	*) echo "deps.sh: unknown argument '$arg'" >&2; usage 2 >&2 ;;
	esac
done

# --- 1. Debian packages ---------------------------------------------------
# dpkg-query prints one line per installed-or-known package; anything whose
# status is not "ii" (or that dpkg does not know at all) is missing.
# shellcheck disable=SC2086,SC2116
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $PKGS \
	2>/dev/null | awk '$1 == "ii" { print $2 }') || true
missing=
installed=" $(printf '%s ' $installed)"
for p in $PKGS; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: need root to run apt-get (try: sudo $0)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	echo "deps: packages installed"
else
	echo "deps: all $(echo "$PKGS" | wc -w) packages present"
fi

# --- 2. Files from the kernel source tarball ------------------------------
# Extracted once; a single tar pass (the tarball is ~150 MB of xz) pulls all
# five members. Never committed: they live under $BUILD.
TARBALL=/usr/src/linux-source-6.12.tar.xz
KSFT_FILES="kselftest_harness.h kselftest.h"
LINT_FILES="checkpatch.pl spelling.txt const_structs.checkpatch"

need_extract=
for f in $KSFT_FILES; do [ -s "$BUILD/ksft/$f" ] || need_extract=1; done
for f in $LINT_FILES; do [ -s "$BUILD/lint/$f" ] || need_extract=1; done

if [ -n "$need_extract" ]; then
	echo "deps: extracting kselftest headers and checkpatch from $TARBALL"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/vqtest-deps.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	src=linux-source-6.12
	members=
	for f in $KSFT_FILES; do members="$members $src/tools/testing/selftests/$f"; done
	for f in $LINT_FILES; do members="$members $src/scripts/$f"; done
	# shellcheck disable=SC2086
	tar -xJf "$TARBALL" -C "$tmp" $members
	mkdir -p "$BUILD/ksft" "$BUILD/lint"
	for f in $KSFT_FILES; do
		mv "$tmp/$src/tools/testing/selftests/$f" "$BUILD/ksft/$f"
	done
	for f in $LINT_FILES; do mv "$tmp/$src/scripts/$f" "$BUILD/lint/$f"; done
	chmod +x "$BUILD/lint/checkpatch.pl"
	echo "deps: wrote $BUILD/ksft/ and $BUILD/lint/"
else
	echo "deps: $BUILD/ksft and $BUILD/lint present"
fi
