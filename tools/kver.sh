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
#            a full release with /lib/modules/NAME is returned as is
#   MODE     -r, --release   print the release (default)
#            -k, --kdir      print the build tree, /lib/modules/REL/build
#                            (fails if the headers are not installed)
#            -i, --vmlinuz   print the kernel image, /boot/vmlinuz-REL
#                            (fails if the image is not installed)
#            -a, --all       print release=, kdir= and vmlinuz= lines
#                            (shell-evaluable; a missing part is left empty)
#
# Exits 1 with a hint on stderr when nothing installed matches.
set -eu

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
-a|--all) mode=all; shift ;;
-*) echo "kver.sh: unknown option $1" >&2; usage 2 >&2 ;;
esac
[ $# -eq 1 ] || usage 2 >&2
name=$1

# Resolve NAME to a release.
resolve() {
	# Already a full release?
	if [ -d "/lib/modules/$1" ]; then
		echo "$1"
		return 0
	fi
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
	for img in /boot/vmlinuz-"$ver".*; do
		[ -e "$img" ] || continue
		rel=${img#/boot/vmlinuz-}
		if [ -n "$flavour" ]; then
			case "$rel" in *-"$flavour"-amd64) echo "$rel" ;; esac
		else
			case "$rel" in
			*-rt-amd64|*-cloud-amd64) ;;
			*-amd64) echo "$rel" ;;
			esac
		fi
	done | sort -V | tail -n 1 | grep .
}

if ! rel=$(resolve "$name"); then
	{
		echo "kver.sh: no installed kernel matches '$name'"
		echo "  installed: $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | tr '\n' ' ')"
		# Debian 12's default kernel (6.1) has unversioned metapackages.
		case "$name" in
		6.1) pkg=amd64 ;;
		6.1-*) pkg="${name#*-}-amd64" ;;
		*) pkg="$name-amd64" ;;
		esac
		echo "  hint: apt-get install linux-image-$pkg linux-headers-$pkg"
	} >&2
	exit 1
fi

kdir=/lib/modules/$rel/build
vmlinuz=/boot/vmlinuz-$rel

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
all)
	[ -e "$kdir/Makefile" ] || kdir=
	[ -r "$vmlinuz" ] || vmlinuz=
	echo "release=$rel"
	echo "kdir=$kdir"
	echo "vmlinuz=$vmlinuz" ;;
esac
