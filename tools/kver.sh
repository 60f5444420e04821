#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tools/kver.sh: map a short kernel name to an installed Debian kernel release.
#
# usage: kver.sh [MODE] NAME
#
#   NAME     6.1      -> newest installed 6.1.*-amd64        (e.g. 6.1.0-56-amd64)
#            6.12     -> newest installed 6.12.*-amd64, not -rt/-cloud
#                                                 (e.g. 6.12.117+deb12-amd64)
#            6.12-rt  -> newest installed 6.12.*-rt-amd64 (any X.Y-FLAVOUR works)
#            7.2      -> the same, among the kernels of the sid chroot
#                       (tools/sid-chroot.sh): its image is
#                       ROOT/usr/lib/modules/REL/vmlinuz or ROOT/boot/vmlinuz-REL
#            a full release with /lib/modules/NAME (on the host or in a
#            kernel root) is returned as is
#            debug    -> the debug kernel `make debug-kernel` built
#                       (tools/debug-kernel/build.sh): its own build tree is
#                       the kdir, arch/x86/boot/bzImage the image; its
#                       release (6.12.N-vqtest-debug) names it too
#   MODE     -r, --release   print the release (default)
#            -k, --kdir      print the build tree, /lib/modules/REL/build
#                            (fails if the headers are not installed)
#            -i, --vmlinuz   print the kernel image, /boot/vmlinuz-REL
#                            (fails if the image is not installed)
#            -R, --root      print the kernel root the release lives in:
#                            empty for the host, else a chroot directory
#                            (build inside it: tools/build-kmod.sh does)
#            -a, --all       print release=, kdir=, vmlinuz= and root= lines
#                            (shell-evaluable; a missing part is left empty)
#
# Kernel roots: the host (/) first, then each directory in $VQTEST_KROOTS
# (space-separated; default $BUILD/sid/root when it exists). The paths
# printed are host paths: a chroot's kdir and vmlinuz carry its root prefix.
# The debug kernel's tree is $VQTEST_DEBUG_TREE (default
# $BUILD/debug-kernel/linux-source-6.12).
#
# Exits 1 with a hint on stderr when nothing installed matches.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KROOTS=${VQTEST_KROOTS-$BUILD/sid/root}

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}

mode=release
case "${1:-}" in
-h|--help) usage 0 ;;
-r|--release) mode=release; shift ;;
-k|--kdir) mode=kdir; shift ;;
-i|--vmlinuz) mode=vmlinuz; shift ;;
-R|--root) mode=root; shift ;;
-a|--all) mode=all; shift ;;
-*) echo "kver.sh: unknown option $1" >&2; usage 2 >&2 ;;
esac
[ $# -eq 1 ] || usage 2 >&2
name=$1

# The debug kernel: a build tree, not an installed package.
DEBUG_TREE=${VQTEST_DEBUG_TREE:-$BUILD/debug-kernel/linux-source-6.12}
debug_rel=$(cat "$DEBUG_TREE/include/config/kernel.release" 2>/dev/null) || debug_rel=
if [ "$name" = debug ] || { [ -n "$debug_rel" ] && [ "$name" = "$debug_rel" ]; }; then
	img=$DEBUG_TREE/arch/x86/boot/bzImage
	if [ -z "$debug_rel" ] || [ ! -r "$img" ]; then
		echo "kver.sh: no debug kernel built in $DEBUG_TREE: make debug-kernel" >&2
		exit 1
	fi
	case $mode in
	release) echo "$debug_rel" ;;
	kdir) echo "$DEBUG_TREE" ;;
	vmlinuz) echo "$img" ;;
	root) echo ;;
	all) printf 'release=%s\nkdir=%s\nvmlinuz=%s\nroot=\n' "$debug_rel" "$DEBUG_TREE" "$img" ;;
	esac
	exit 0
fi

# images ROOT VER: "release root" for each kernel image of version VER.*
# under ROOT (empty for the host), in /boot (Debian 12) or next to its
# modules (the newer layout of sid's linux-binary-* packages).
images() {
	for img in "$1"/boot/vmlinuz-"$2".* "$1"/usr/lib/modules/"$2".*/vmlinuz; do
		[ -e "$img" ] || continue
		case "$img" in
		*/vmlinuz) rel=${img%/vmlinuz}; rel=${rel##*/} ;;
		*) rel=${img##*/vmlinuz-} ;;
		esac
		echo "$rel $1"
	done
}

# Resolve NAME to "release root".
resolve() {
	# Already a full release?
	if [ -d "/lib/modules/$1" ]; then
		echo "$1 "
		return 0
	fi
	for r in $KROOTS; do
		if [ -d "$r/lib/modules/$1" ]; then
			echo "$1 $r"
			return 0
		fi
	done
	case "$1" in
	[0-9]*.[0-9]*-*)	# X.Y-FLAVOUR, e.g. 6.12-rt, 6.1-cloud
		ver=${1%%-*} flavour=${1#*-} ;;
	[0-9]*.[0-9]*)		# X.Y, the generic flavour
		ver=$1 flavour= ;;
	*)
		return 1 ;;
	esac
	# Candidates are the installed images; a release X.Y.Z... must start
	# with "X.Y." so that 6.1 never matches 6.12.
	{
		images "" "$ver"
		for r in $KROOTS; do [ -d "$r" ] && images "$r" "$ver"; done
	} | while read -r rel root; do
		if [ -n "$flavour" ]; then
			case "$rel" in *-"$flavour"-amd64) echo "$rel $root" ;; esac
		else
			case "$rel" in
			*-rt-amd64|*-cloud-amd64) ;;
			*-amd64) echo "$rel $root" ;;
			esac
		fi
	done | sort -V -k1,1 | tail -n 1 | grep .
}

if ! found=$(resolve "$name"); then
	{
		echo "kver.sh: no installed kernel matches '$name'"
		echo "  installed: $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | tr '\n' ' ')"
		for r in $KROOTS; do
			[ -d "$r/usr/lib/modules" ] || continue
			echo "  in $r: $(ls "$r/usr/lib/modules" | tr '\n' ' ')"
		done
		# Debian 12's default kernel (6.1) has unversioned metapackages.
		case "$name" in
		6.1) pkg=amd64 ;;
		6.1-*) pkg="${name#*-}-amd64" ;;
		*) pkg="$name-amd64" ;;
		esac
		echo "  hint: apt-get install linux-image-$pkg linux-headers-$pkg"
		echo "  (sid's newest kernel: tools/sid-chroot.sh)"
	} >&2
	exit 1
fi
rel=${found%% *} root=${found#* }

kdir=$root/lib/modules/$rel/build
if [ -n "$root" ]; then
	# An absolute link inside the chroot points into the chroot.
	link=$(readlink "$kdir" 2>/dev/null) || link=
	case "$link" in /*) kdir=$root$link ;; esac
	vmlinuz=$root/usr/lib/modules/$rel/vmlinuz
	[ -r "$vmlinuz" ] || vmlinuz=$root/boot/vmlinuz-$rel
else
	vmlinuz=/boot/vmlinuz-$rel
fi

case $mode in
release)
	echo "$rel" ;;
kdir)
	if [ ! -e "$kdir/Makefile" ]; then
		echo "kver.sh: no build tree for $rel ($kdir): install linux-headers-$rel" >&2
		exit 1
	fi
	echo "$kdir" ;;
vmlinuz)
	if [ ! -r "$vmlinuz" ]; then
		echo "kver.sh: no kernel image $vmlinuz: install linux-image-$rel" >&2
		exit 1
	fi
	echo "$vmlinuz" ;;
root)
	echo "$root" ;;
all)
	[ -e "$kdir/Makefile" ] || kdir=
	[ -r "$vmlinuz" ] || vmlinuz=
	echo "release=$rel"
	echo "kdir=$kdir"
	echo "vmlinuz=$vmlinuz"
	echo "root=$root" ;;
esac
