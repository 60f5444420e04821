#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/debug-kernel/build.sh: build the debug 6.12 kernel vqtest is checked
# on (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, UBSAN, KCOV, fault injection with
# fail-nth, BTF) from Debian's linux-source-6.12. `make debug-kernel` runs it.
#
# usage: tools/debug-kernel/build.sh [--config-only] [-j N]
#
#   1. installs the build dependencies that tools/deps.sh does not (flex,
#      bison, bc, ccache, libssl-dev; pahole comes with dwarves), if missing;
#   2. extracts /usr/src/linux-source-6.12.tar.xz into $BUILD/debug-kernel/
#      once (never into the source tree, never committed);
#   3. writes .config: tinyconfig + kvm_guest.config + debug.config (next to
#      this script), olddefconfig, and fails if any line of debug.config did
#      not survive (tinyconfig's SLUB_TINY silently drops KASAN, for one);
#      the config is redone only when those inputs change;
#   4. builds bzImage, vmlinux and Module.symvers with ccache (the cache lives
#      outside the clone, so fresh CI clones reuse it), at nice 10.
#
# The tree is then both the kernel image and the build tree for external
# modules: tools/kver.sh resolves the name "debug" (or its release,
# 6.12.<n>-vqtest-debug) to it, so `tools/build-kmod.sh --kver debug` and
# `tools/vm/run -k debug` work. The guest has ACPI for its CPU list (the
# MADT: 2 CPUs, as QEMU's -smp 2); tools/vm/init ends it with reboot -f,
# which QEMU's -no-reboot turns into an exit.
#
# Environment:
#   BUILD               build directory (default <repo>/build)
#   VQTEST_DEBUG_TREE   the kernel tree (default $BUILD/debug-kernel/linux-source-6.12)
#   VQTEST_CCACHE_DIR   ccache directory (default /var/cache/vqtest-ccache)
#   VQTEST_NICE         niceness of the build (default 10)
#
# Costs measured on 2 cores: cold, about 30 min of CPU (some 15 min on idle
# cores, an hour on a loaded shared host); 3.5 min with a warm ccache (the
# vmlinux link and BTF are never cached) on the loaded host.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$TOP/tools/debug-kernel
BUILD=${BUILD:-$TOP/build}
TARBALL=/usr/src/linux-source-6.12.tar.xz
TREE=${VQTEST_DEBUG_TREE:-$BUILD/debug-kernel/linux-source-6.12}
FRAGMENT=$HERE/debug.config
export CCACHE_DIR=${VQTEST_CCACHE_DIR:-/var/cache/vqtest-ccache}
NICE=${VQTEST_NICE:-10}
JOBS=$(nproc)
config_only=0

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}
die() { echo "debug-kernel: $*" >&2; exit 1; }
now() { date +%s; }

while [ $# -gt 0 ]; do
	case "$1" in
	--config-only) config_only=1; shift ;;
	-j) [ $# -ge 2 ] || usage 2 >&2; JOBS=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "debug-kernel: unknown argument '$1'" >&2; usage 2 >&2 ;;
	esac
done
t_start=$(now)

# --- 1. Build dependencies -------------------------------------------------
need=
for p in flex bison bc ccache libssl-dev libelf-dev dwarves gcc make xz-utils; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' ||
		need="$need $p"
done
[ -r "$TARBALL" ] || need="$need linux-source-6.12"
if [ -n "$need" ]; then
	[ "$(id -u)" = 0 ] || die "missing packages:$need (run as root, or install them)"
	echo "debug-kernel: installing:$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# --- 2. Sources ------------------------------------------------------------
# The stamp holds the tarball's size and time: a new linux-source package
# means a fresh extraction (and a cold build).
stamp="$(stat -c '%s %Y' "$TARBALL")"
if [ ! -f "$TREE/.vqtest-extracted" ] || [ "$(cat "$TREE/.vqtest-extracted")" != "$stamp" ]; then
	echo "debug-kernel: extracting $TARBALL into $(dirname "$TREE")"
	rm -rf "$TREE"
	mkdir -p "$(dirname "$TREE")"
	tmp=$(mktemp -d "$(dirname "$TREE")/.extract.XXXXXX")
	nice -n "$NICE" tar -xJf "$TARBALL" -C "$tmp"
	mv "$tmp/linux-source-6.12" "$TREE"
	rmdir "$tmp"
	echo "$stamp" >"$TREE/.vqtest-extracted"
fi

# --- 3. Configuration --------------------------------------------------------
kmake() {
	# Fixed build identity: init/version.c then hits the cache too.
	KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2025' \
	KBUILD_BUILD_USER=vqtest KBUILD_BUILD_HOST=vqtest \
	CCACHE_BASEDIR=$TREE CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G} \
		nice -n "$NICE" make -C "$TREE" -s ARCH=x86_64 \
		CC="ccache gcc" HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

inputs=$(cat "$FRAGMENT" "$TREE/kernel/configs/kvm_guest.config" \
	"$TREE/kernel/configs/tiny.config" "$TREE/arch/x86/configs/tiny.config" | sha256sum)
inputs=${inputs%% *}
if [ ! -f "$TREE/.config" ] || [ "$(cat "$TREE/.vqtest-config" 2>/dev/null)" != "$inputs" ]; then
	echo "debug-kernel: configuring: tinyconfig + kvm_guest.config + $(basename "$FRAGMENT")"
	rm -f "$TREE/.vqtest-config"
	kmake tinyconfig >/dev/null
	(cd "$TREE" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m .config \
		kernel/configs/kvm_guest.config "$FRAGMENT" >/dev/null)
	kmake olddefconfig >/dev/null

	# Every line of the fragment must be in the result.
	missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -qxF "$line" "$TREE/.config" && continue
			got=$(grep -E "^$sym=|^# $sym is not set" "$TREE/.config" || echo "absent")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -qE "^$sym=" "$TREE/.config" || continue
			got=$(grep -E "^$sym=" "$TREE/.config")
			;;
		*) continue ;;
		esac
		echo "debug-kernel: $(basename "$FRAGMENT") wants '$line', .config has '$got'" >&2
		missing=$((missing + 1))
	done <"$FRAGMENT"
	[ "$missing" = 0 ] || die "$missing option(s) did not survive olddefconfig (unmet dependencies)"
	echo "$inputs" >"$TREE/.vqtest-config"
fi
if [ "$config_only" = 1 ]; then
	echo "debug-kernel: configured $TREE/.config"
	exit 0
fi

# --- 4. Build -------------------------------------------------------------------
mkdir -p "$CCACHE_DIR"
echo "debug-kernel: building $TREE (make -j$JOBS at nice $NICE, ccache in $CCACHE_DIR)"
log=$(dirname "$TREE")/build.log
t0=$(now)
if ! kmake bzImage modules >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "build failed (log: $log)"
fi
for f in arch/x86/boot/bzImage vmlinux Module.symvers; do
	[ -s "$TREE/$f" ] || die "build finished but $TREE/$f is missing (log: $log)"
done
rel=$(cat "$TREE/include/config/kernel.release")
echo "$rel" >"$(dirname "$TREE")/release"
echo "debug-kernel: built $TREE/arch/x86/boot/bzImage ($rel) in $(($(now) - t0))s" \
	"(total $(($(now) - t_start))s; ccache: $(ccache -s 2>/dev/null |
	awk '/^ *Hits:/ { h = $2 } /^ *Misses:/ { m = $2 } END { print h + 0 " hits, " m + 0 " misses" }'))"
