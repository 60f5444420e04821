#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/build-kmod.sh: build vqtest.ko out of tree for one kernel.
#
# usage: build-kmod.sh (--kver NAME | --kdir PATH) [--src DIR]
#
#   --kver NAME   a short kernel name or release (see tools/kver.sh): builds
#                 against /lib/modules/REL/build into $BUILD/REL/mod; a
#                 kernel that lives in a chroot (sid's, tools/sid-chroot.sh)
#                 is built inside that chroot with its own compiler, in a
#                 private mount namespace where the sources and $BUILD/REL
#                 are bind-mounted at their host paths (needs root)
#   --kdir PATH   a kernel build tree: builds into $BUILD/kdir-<PATH with
#                 '/' and odd characters turned into '_'>
#   --src DIR     module sources (default: the repository): DIR/Kbuild,
#                 DIR/kmod/*.[ch], DIR/uapi/linux/*.h
#
# The output directory holds per-file symlinks to the sources (refreshed on
# every run, so added and removed files are picked up) and every build
# product; the source tree is never written to. The build is
# `make -C KDIR M=OUT W=1 modules` and fails on any "warning:" line
# (compiler or modpost).
#
# Module BTF: when KDIR ships a vmlinux (Debian 6.12 headers do), Kbuild
# adds .BTF itself. Otherwise (Debian 6.1) the kernel ELF is extracted from
# /boot/vmlinuz-REL into $BUILD/REL/vmlinux and `pahole -J --btf_base` is
# run on the module here. Either way the .ko is checked for a .BTF section
# when the kernel has CONFIG_DEBUG_INFO_BTF_MODULES=y.
#
# Environment: BUILD (default <repo>/build), V=1 (show the full build
# output), C=1|2 (run sparse through Kbuild).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
V=${V:-0}
SRC=$TOP
KVER='' KDIR='' KROOT=''

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}
die() { echo "build-kmod: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--kver) [ $# -ge 2 ] || usage 2 >&2; KVER=$2; shift 2 ;;
	--kdir) [ $# -ge 2 ] || usage 2 >&2; KDIR=$2; shift 2 ;;
	--src) [ $# -ge 2 ] || usage 2 >&2; SRC=$(cd "$2" && pwd); shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "build-kmod: unknown argument '$1'" >&2; usage 2 >&2 ;;
	esac
done
if [ -n "$KVER" ] && [ -n "$KDIR" ] || [ -z "$KVER$KDIR" ]; then
	echo "build-kmod: give exactly one of --kver and --kdir" >&2
	usage 2 >&2
fi

# --- Resolve the kernel ---------------------------------------------------
if [ -n "$KVER" ]; then
	REL=$("$TOP/tools/kver.sh" "$KVER")
	KDIR=$("$TOP/tools/kver.sh" --kdir "$REL")
	KROOT=$("$TOP/tools/kver.sh" --root "$REL")
	OUT=$BUILD/$REL/mod
else
	[ -e "$KDIR/Makefile" ] || die "$KDIR is not a kernel build tree (no Makefile)"
	KDIR=$(cd "$KDIR" && pwd)
	if [ -r "$KDIR/include/config/kernel.release" ]; then
		REL=$(cat "$KDIR/include/config/kernel.release")
	else
		REL=$(make -s -C "$KDIR" kernelrelease)
	fi
	sane=$(printf '%s' "${KDIR#/}" | tr -c 'A-Za-z0-9._+-' '_')
	OUT=$BUILD/kdir-$sane
fi
[ -n "$REL" ] || die "cannot tell the kernel release of $KDIR"
[ -e "$SRC/Kbuild" ] || die "no Kbuild in $SRC"

# --- Symlink farm ---------------------------------------------------------
# Drop the old links (not the build products), then link every source file
# again: new files appear, deleted ones vanish. make follows the links, so
# unchanged sources are not rebuilt.
mkdir -p "$OUT"
find "$OUT" -type l -delete
shopt -s nullglob
cp -as "$SRC/Kbuild" "$OUT/"
for pair in "kmod:$SRC/kmod/"'*.[ch]' "uapi/linux:$SRC/uapi/linux/"'*.h'; do
	dir=${pair%%:*}
	# shellcheck disable=SC2206  # the glob is wanted here
	files=(${pair#*:})
	mkdir -p "$OUT/$dir"
	[ ${#files[@]} -eq 0 ] || cp -as "${files[@]}" "$OUT/$dir/"
done
shopt -u nullglob

# --- Build ----------------------------------------------------------------
log=$OUT/build.log
makeargs=(-C "$KDIR" M="$OUT" W=1 -j"$(nproc)")
[ "$V" = 1 ] && makeargs+=(V=1)
[ -n "${C:-}" ] && makeargs+=(C="$C")

# kmake ARGS...: make, on the host or inside the kernel's chroot. There,
# /proc is needed (objtool reads its limits) and the sources and the output
# directory appear at their host paths (the symlink farm points at $SRC);
# unshare -m keeps every mount private to this one command.
kmake() {
	if [ -z "$KROOT" ]; then
		make "$@"
		return
	fi
	# shellcheck disable=SC2016  # expanded by the inner shell
	unshare -m --propagation private sh -euc '
		root=$1 src=$2 out=$3; shift 3
		mkdir -p "$root$src" "$root$out"
		mount -t proc proc "$root/proc"
		mount --bind "$src" "$root$src"
		mount --bind "$out" "$root$out"
		exec chroot "$root" make "$@"' kmake "$KROOT" "$SRC" "$OUT" "$@"
}
if [ -n "$KROOT" ]; then
	# make -C takes the path inside the chroot.
	makeargs[1]=/lib/modules/$REL/build
	[ "$(id -u)" = 0 ] || die "$REL lives in the chroot $KROOT: building there needs root"
fi

echo "build-kmod: $REL: make ${makeargs[*]} modules${KROOT:+ (in $KROOT)}"
status=0
if [ "$V" = 1 ]; then
	kmake "${makeargs[@]}" modules 2>&1 | tee "$log" || status=$?
else
	kmake "${makeargs[@]}" modules >"$log" 2>&1 || status=$?
fi
if [ "$status" != 0 ]; then
	[ "$V" = 1 ] || cat "$log" >&2
	die "$REL: build failed (log: $log)"
fi
if grep -qi 'warning:' "$log"; then
	echo "build-kmod: $REL: W=1 build has warnings:" >&2
	grep -i -B2 -A4 'warning:' "$log" >&2
	# Touch nothing but make sure the next run rebuilds and re-warns.
	rm -f "$OUT"/vqtest.ko "$OUT"/kmod/*.o
	die "$REL: warnings are errors (log: $log)"
fi

KO=$OUT/vqtest.ko
[ -f "$KO" ] || die "$REL: build succeeded but $KO is missing (obj-m must be vqtest.o)"

# --- Module BTF -----------------------------------------------------------

# extract_vmlinux IMAGE OUTPUT: find a compressed kernel inside a bzImage by
# its compression magic and decompress it, accepting the first candidate
# that yields an ELF file. Trailing data after the compressed stream is
# expected (decompressors complain about it), so exit codes are ignored and
# the result is validated instead.
extract_vmlinux() {
	local img=$1 out=$2 tmp=$2.tmp magic prog off
	# magic (grep -P escapes) and the decompressor to feed from there
	local table=(
		'\x1f\x8b\x08:gzip -dc'
		'\xfd7zXZ\x00:xz -dc --single-stream'
		'\x28\xb5\x2f\xfd:zstd -dc'
		'BZh:bzip2 -dc'
		'\x5d\x00\x00\x00:xz -dc --format=lzma'
		'\x02\x21\x4c\x18:lz4 -dc'
	)
	for entry in "${table[@]}"; do
		magic=${entry%%:*} prog=${entry#*:}
		command -v "${prog%% *}" >/dev/null || continue
		# -b: byte offsets, -o: only the match, -a/-U: binary as text
		for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | $prog >"$tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] &&
			   readelf -h "$tmp" >/dev/null 2>&1; then
				mv "$tmp" "$out"
				echo "build-kmod: extracted $out (${prog%% *} at offset $off)"
				return 0
			fi
		done
	done
	rm -f "$tmp"
	return 1
}

# (grep -q would exit early and, under pipefail, fail the pipeline through
# readelf's SIGPIPE: match on captured output instead.)
sections() { readelf -S "$1" 2>/dev/null || true; }
has_btf() { grep -q '\.BTF[[:space:]]' <<<"$(sections "$1")"; }

kconfig() { grep -qs "^$1=y" "$KDIR/include/config/auto.conf" "$KDIR/.config"; }

if kconfig CONFIG_DEBUG_INFO_BTF_MODULES && ! has_btf "$KO"; then
	if [ -f "$KDIR/vmlinux" ]; then
		die "$REL: $KDIR/vmlinux exists but Kbuild produced no .BTF (is pahole installed?)"
	fi
	VMLINUX=$BUILD/$REL/vmlinux
	IMAGE=/boot/vmlinuz-$REL
	if [ ! -s "$VMLINUX" ] || [ "$IMAGE" -nt "$VMLINUX" ]; then
		[ -r "$IMAGE" ] || die "$REL: no vmlinux in $KDIR and no $IMAGE to extract one from"
		mkdir -p "$(dirname "$VMLINUX")"
		extract_vmlinux "$IMAGE" "$VMLINUX" || die "$REL: could not extract an ELF from $IMAGE"
	fi
	has_btf "$VMLINUX" || die "$REL: $VMLINUX has no .BTF section"

	# The same pahole flags Kbuild would use for this kernel.
	flags="--btf_gen_floats -j --lang_exclude=rust"
	if [ -x "$KDIR/scripts/pahole-flags.sh" ]; then
		flags=$(PAHOLE=pahole "$KDIR/scripts/pahole-flags.sh")
	fi
	echo "build-kmod: $REL: BTF [M] vqtest.ko (pahole -J $flags --btf_base $VMLINUX)"
	# shellcheck disable=SC2086
	LLVM_OBJCOPY=objcopy pahole -J $flags --btf_base "$VMLINUX" "$KO" >>"$log" 2>&1 ||
		die "$REL: pahole failed (log: $log)"

	# Only modules using BTF_ID() have .BTF_ids to patch; 6.1's kbuild
	# package has no resolve_btfids, any Debian one understands -b.
	if grep -q '\.BTF_ids' <<<"$(sections "$KO")"; then
		rb=$(ls "$KDIR"/tools/bpf/resolve_btfids/resolve_btfids \
			/usr/lib/linux-kbuild-*/tools/bpf/resolve_btfids/resolve_btfids \
			2>/dev/null | head -n 1) || true
		[ -n "$rb" ] || die "$REL: module has .BTF_ids but no resolve_btfids is installed"
		"$rb" -b "$VMLINUX" "$KO" >>"$log" 2>&1 || die "$REL: resolve_btfids failed (log: $log)"
	fi
fi
if kconfig CONFIG_DEBUG_INFO_BTF_MODULES; then
	has_btf "$KO" || die "$REL: $KO has no .BTF section"
	btf=" (with BTF)"
else
	btf=
fi
echo "build-kmod: $REL: built $KO$btf"
