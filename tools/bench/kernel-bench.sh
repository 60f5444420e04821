#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench/kernel-bench.sh: build the kernel's own virtio benchmarks
# from the Debian linux-source package that matches a kernel, at run time.
# Nothing of the kernel's source is in this repository: it is extracted
# from /usr/src/linux-source-X.Y.tar.xz into $OUT/src, built in $OUT, and
# never committed.
#
# usage: kernel-bench.sh [-k KVER] [-o OUTDIR]
#
#   -k KVER     kernel short name or release (tools/kver.sh; default 6.12)
#   -o OUTDIR   build directory (default $BUILD/bench/kernel)
#
# Builds:
#   vhost_test.ko    drivers/vhost/test.c as an out-of-tree module against
#                    /lib/modules/REL/build, as tools/virtio/vhost_test
#                    does (its Kbuild includes test.c; -I drivers/vhost for
#                    vhost.h); it links against Debian's vhost.ko
#   virtio_test      tools/virtio/virtio_test, -static
#   ringtest-virtio_ring_0_9   tools/virtio/ringtest's virtio 0.9 layout
#                    (two threads, --sleep for eventfd sleeping), -static
#   modules.order    vhost.ko and its dependencies from /lib/modules/REL,
#                    decompressed, in load order (one path per line)
#
# Fixes applied to the extracted copy, each for a userspace build that
# the 6.12 tools/virtio does not do as shipped:
#   - a stub header force-included first (tools/bench/virtio-stubs.h):
#     data_race() and MODULE_DESCRIPTION(), which drivers/virtio/
#     virtio_ring.c uses and tools/virtio's stub headers lack, and an early
#     <linux/compiler.h> so that tools/include's "__user" fallback does not
#     clash with compiler_types.h's;
#   - an empty linux/compiler-context-analysis.h (Debian's 6.12
#     compiler_types.h includes it; tools/virtio has no stub);
#   - usr/include: the five uapi headers virtio_test needs (vhost.h,
#     vhost_types.h, virtio_{ring,config,types}.h) through the kernel's own
#     scripts/headers_install.sh, instead of a full `make headers_install`;
#   - virtio_test.c, instrumented with sed (see patch_virtio_test): counts
#     its kicks (eventfd writes) and calls (call eventfd counts read) and
#     prints them at the end ("vt-counters: kicks=N calls=N"), and pins
#     its driver thread to $VT_DRIVER_CPU after VHOST_SET_OWNER so the
#     vhost worker (which inherits the affinity it was created with) can
#     run on another CPU: `VT_DRIVER_CPU=0 taskset -c 1 virtio_test`.
#     The ring walk, the loop and the device are untouched.
#
# Environment: BUILD (default <repo>/build), V=1 (show the compilers).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
HERE=$TOP/tools/bench
KNAME=6.12 OUT=''

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}
die() { echo "kernel-bench: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case "$1" in
	-k) [ $# -ge 2 ] || usage 2 >&2; KNAME=$2; shift 2 ;;
	-o) [ $# -ge 2 ] || usage 2 >&2; OUT=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "kernel-bench: unknown argument '$1'" >&2; usage 2 >&2 ;;
	esac
done
OUT=${OUT:-$BUILD/bench/kernel}
quiet() { if [ "${V:-0}" = 1 ]; then "$@"; else "$@" >"$OUT/build.log.tmp" 2>&1 || { cat "$OUT/build.log.tmp" >&2; return 1; }; fi; }

# --- The kernel and its source package -----------------------------------
REL=$("$TOP/tools/kver.sh" "$KNAME")
KDIR=$("$TOP/tools/kver.sh" --kdir "$REL")
MM=$(echo "$REL" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
SRCPKG=linux-source-$MM
TARBALL=/usr/src/$SRCPKG.tar.xz
[ -r "$TARBALL" ] || die "no $TARBALL: apt-get install $SRCPKG"
srcver=$(dpkg-query -W -f='${Version}' "$SRCPKG" 2>/dev/null) ||
	die "$SRCPKG is not installed (dpkg)"
imgver=$(dpkg-query -W -f='${Version}' "linux-image-$REL" 2>/dev/null ||
	dpkg-query -W -f='${Version}' "linux-image-$REL-unsigned" 2>/dev/null) ||
	die "linux-image-$REL is not installed (dpkg)"
if [ "$srcver" != "$imgver" ]; then
	msg="$SRCPKG is $srcver but linux-image-$REL is $imgver"
	[ "${BENCH_ALLOW_MISMATCH:-0}" = 1 ] || die "$msg (BENCH_ALLOW_MISMATCH=1 to go on)"
	echo "kernel-bench: WARNING: $msg" >&2
fi
mkdir -p "$OUT"

# --- Extract (once per source version) -------------------------------------
SRC=$OUT/src/$SRCPKG
stamp=$OUT/src/.extracted-$srcver
if [ ! -f "$stamp" ]; then
	echo "kernel-bench: extracting tools/virtio, drivers/vhost, drivers/virtio, include from $TARBALL ($srcver)"
	rm -rf "$OUT/src"
	mkdir -p "$OUT/src"
	tar -xJf "$TARBALL" -C "$OUT/src" \
		"$SRCPKG/tools/virtio" "$SRCPKG/tools/include" \
		"$SRCPKG/drivers/vhost" "$SRCPKG/drivers/virtio" \
		"$SRCPKG/include" "$SRCPKG/scripts/headers_install.sh" \
		"$SRCPKG/scripts/unifdef.c"
	touch "$stamp"
fi

# --- vhost_test.ko -----------------------------------------------------------
MOD=$OUT/vhost_test
rm -rf "$MOD"
mkdir -p "$MOD"
cp "$SRC/tools/virtio/vhost_test/Makefile" "$SRC/tools/virtio/vhost_test/vhost_test.c" "$MOD/"
echo "kernel-bench: vhost_test.ko for $REL"
quiet make -C "$KDIR" M="$MOD" KCFLAGS="-I$SRC/drivers/vhost" modules
vermagic=$(modinfo -F vermagic "$MOD/vhost_test.ko")
case "$vermagic" in "$REL "*) ;; *) die "vhost_test.ko built for '$vermagic', not $REL" ;; esac

# vhost.ko and what it needs, in load order, decompressed for busybox insmod
KMODS=$OUT/kmods
rm -rf "$KMODS"
mkdir -p "$KMODS"
: >"$OUT/modules.order"
for m in $(modprobe -S "$REL" --show-depends vhost | awk '$1 == "insmod" { print $2 }'); do
	base=$(basename "$m")
	base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
	case "$m" in
	*.ko.xz) xz -dc "$m" >"$KMODS/$base" ;;
	*.ko.zst) zstd -qdc "$m" >"$KMODS/$base" ;;
	*.ko.gz) gzip -dc "$m" >"$KMODS/$base" ;;
	*) cp "$m" "$KMODS/$base" ;;
	esac
	echo "$base" >>"$OUT/modules.order"
done
cp "$MOD/vhost_test.ko" "$KMODS/vhost_test.ko"
echo vhost_test.ko >>"$OUT/modules.order"

# --- Userspace: headers, stubs, virtio_test, ringtest -------------------------
if [ ! -x "$SRC/scripts/unifdef" ]; then
	cc -O2 -o "$SRC/scripts/unifdef" "$SRC/scripts/unifdef.c"
fi
mkdir -p "$SRC/usr/include/linux"
for h in vhost.h vhost_types.h virtio_ring.h virtio_config.h virtio_types.h; do
	(cd "$SRC" && sh scripts/headers_install.sh "include/uapi/linux/$h" "usr/include/linux/$h")
done
touch "$SRC/tools/virtio/linux/compiler-context-analysis.h"

# a patched copy beside the original: its Makefile uses ../../ paths
VT=$SRC/tools/virtio-bench
rm -rf "$VT"
cp -r "$SRC/tools/virtio" "$VT"

patch_virtio_test() {
	local f=$1
	# counters and the pinning helper, after the defines
	sed -i '/^#define RANDOM_BATCH -1$/a\
#include <sched.h>\
static unsigned long long vt_kicks, vt_calls;\
static void vt_pin_driver(void)\
{\
	const char *c = getenv("VT_DRIVER_CPU");\
	cpu_set_t set;\
\
	if (!c)\
		return;\
	CPU_ZERO(&set);\
	CPU_SET(atoi(c), &set);\
	if (sched_setaffinity(0, sizeof(set), &set))\
		perror("vt: sched_setaffinity");\
}' "$f"
	# a kick is an eventfd write
	sed -i 's/^\(\tr = write(info->kick, &v, sizeof v);\)$/\1\n\tvt_kicks++;/' "$f"
	# a call read returns how many signals it collects
	sed -i 's/^\(\t\t\t\)read(dev->fds\[i\].fd, &val, sizeof val);$/\1if (read(dev->fds[i].fd, \&val, sizeof val) == sizeof val)\n\1\tvt_calls += val;/' "$f"
	# at the end of run_test: collect the calls never waited for, print
	sed -i 's/^\ttest = 0;$/\t{\n\t\tunsigned long long v;\n\n\t\tif (read(vq->call, \&v, sizeof v) == sizeof v)\n\t\t\tvt_calls += v;\n\t\tfprintf(stderr, "vt-counters: kicks=%llu calls=%llu\\n", vt_kicks, vt_calls);\n\t}\n\ttest = 0;/' "$f"
	# the driver thread moves after VHOST_SET_OWNER made the worker
	sed -i 's/^\(\trun_test(&dev, &dev.vqs\[0\], delayed, batch, reset, 0x100000);\)$/\tvt_pin_driver();\n\1/' "$f"
	for want in 'vt_kicks++;' 'vt_calls += val;' 'vt-counters:' 'vt_pin_driver();'; do
		grep -qF "$want" "$f" || die "virtio_test.c: the instrumentation did not apply ($want): a new source?"
	done
}
patch_virtio_test "$VT/virtio_test.c"

echo "kernel-bench: virtio_test (static)"
(cd "$VT" && quiet env CFLAGS="-include $HERE/virtio-stubs.h" LDFLAGS=-static \
	make virtio_test)
echo "kernel-bench: ringtest virtio_ring_0_9 (static)"
(cd "$VT/ringtest" && quiet env LDFLAGS=-static make virtio_ring_0_9)

BIN=$OUT/bin
rm -rf "$BIN"
mkdir -p "$BIN"
cp "$VT/virtio_test" "$BIN/virtio_test"
cp "$VT/ringtest/virtio_ring_0_9" "$BIN/ringtest-virtio_ring_0_9"
rm -f "$OUT/build.log.tmp"
{
	echo "release=$REL"
	echo "source_package=$SRCPKG"
	echo "source_version=$srcver"
	echo "image_version=$imgver"
} >"$OUT/versions"
echo "kernel-bench: done: $BIN/{virtio_test,ringtest-virtio_ring_0_9}, $KMODS ($(tr '\n' ' ' <"$OUT/modules.order"))"
