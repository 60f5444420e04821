#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/sid-chroot.sh: sid's newest kernel (7.2 today) for the test matrix.
#
# usage: tools/sid-chroot.sh [--name | --release]
#
#   (none)      make $BUILD/sid/root a Debian sid chroot (debootstrap
#               --variant=minbase, about a minute) holding the headers of
#               sid's newest generic amd64 kernel, with the compiler they
#               want (gcc-16 today), and that kernel's image; then print
#               its short name (X.Y, e.g. 7.2) on stdout
#   --name      print the short name of the kernel set up, do nothing else
#   --release   print its release (e.g. 7.2.13+deb14-amd64), likewise
#
# sid moves, so nothing is pinned: the release is read from the package
# metadata on every run (linux-headers-amd64 depends on linux-headers-REL),
# apt's lists are refreshed when older than an hour (sid's Release file
# may be past its Valid-Until: Acquire::Check-Valid-Until is false), and
# older kernels in the chroot are dropped. The image comes from the package
# that ships vmlinuz: linux-image-REL is a metapackage in sid that depends on
# linux-binary-REL (vmlinuz in /usr/lib/modules/REL/) and linux-modules-REL
# (not needed: vqtest depends on no module); with an older layout it is
# linux-image-REL itself. It is unpacked into the chroot, not installed (no
# initramfs to build). tools/kver.sh finds the kernel there, build-kmod.sh
# builds inside the chroot and vm/run boots the image.
#
# Needs root and debootstrap (tools/deps.sh --matrix installs it).
#
# Environment:
#   BUILD               build directory (default <repo>/build)
#   VQTEST_SID_MIRROR   Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
MIRROR=${VQTEST_SID_MIRROR:-http://deb.debian.org/debian}
DIR=$BUILD/sid
ROOT=$DIR/root
STATE=$DIR/release	# the release set up last

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}
die() { echo "sid-chroot: $*" >&2; exit 1; }
log() { echo "sid-chroot: $*" >&2; }

short() { echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p'; }

case "${1:-}" in
-h|--help) usage 0 ;;
--name|--release)
	[ -s "$STATE" ] || die "no sid kernel set up yet: run $0"
	rel=$(cat "$STATE")
	if [ "$1" = --name ]; then short "$rel"; else echo "$rel"; fi
	exit 0 ;;
"") ;;
*) echo "sid-chroot: unknown argument '$1'" >&2; usage 2 >&2 ;;
esac

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "no debootstrap: run tools/deps.sh --matrix"
mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
t0=$(date +%s)

# in_root CMD...: run CMD in the chroot, non-interactive apt.
in_root() {
	chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}

# --- 1. The chroot ---------------------------------------------------------
# Built aside and renamed, so an interrupted debootstrap never looks done.
if [ ! -e "$ROOT/.vqtest-ready" ]; then
	rm -rf "$ROOT" "$ROOT.new"
	log "debootstrap --variant=minbase sid into $ROOT ($MIRROR)"
	# make: kbuild; kmod: depmod; dwarves: pahole for module BTF;
	# xz/zstd: compressed images and modules.
	if ! debootstrap --variant=minbase --include=make,kmod,dwarves,xz-utils,zstd \
		sid "$ROOT.new" "$MIRROR" >"$DIR/debootstrap.log" 2>&1; then
		tail -n 20 "$DIR/debootstrap.log" >&2
		die "debootstrap failed (log: $DIR/debootstrap.log)"
	fi
	cat >"$ROOT.new/etc/apt/apt.conf.d/99vqtest" <<-'EOF'
	// sid's Release file may outlive its Valid-Until in a snapshot or mirror
	Acquire::Check-Valid-Until "false";
	APT::Install-Recommends "false";
	APT::Install-Suggests "false";
	EOF
	cat >"$ROOT.new/etc/dpkg/dpkg.cfg.d/99vqtest" <<-'EOF'
	path-exclude=/usr/share/doc/*
	path-exclude=/usr/share/man/*
	path-exclude=/usr/share/locale/*
	EOF
	touch "$ROOT.new/.vqtest-ready"
	mv "$ROOT.new" "$ROOT"
	rm -f "$ROOT/var/lib/apt/lists/"*_Packages*	# force the update below
fi

# --- 2. Which kernel is sid's newest --------------------------------------
lists=$(find "$ROOT/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -mmin -60 | head -n 1)
if [ -z "$lists" ]; then
	log "apt-get update"
	in_root apt-get update -qq >&2 || die "apt-get update failed in $ROOT"
fi
meta=$(in_root apt-cache show --no-all-versions linux-headers-amd64) ||
	die "sid has no linux-headers-amd64?"
rel=$(sed -n 's/^Depends:.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p' <<<"$meta")
[ -n "$rel" ] || die "cannot tell the release from linux-headers-amd64's Depends: $(grep '^Depends:' <<<"$meta")"
ver=$(sed -n 's/^Version: //p' <<<"$meta")

# The package that ships the image: linux-binary-REL when linux-image-REL
# is the metapackage that depends on it.
img_meta=$(in_root apt-cache show --no-all-versions "linux-image-$rel") ||
	die "sid has linux-headers-$rel but no linux-image-$rel"
if grep -q "^Depends:.*linux-binary-$rel\\b" <<<"$img_meta"; then
	img_pkg=linux-binary-$rel
else
	img_pkg=linux-image-$rel
fi
log "sid's newest kernel: $rel (linux-headers-amd64 $ver), image from $img_pkg"

# --- 3. Headers (they pull the compiler they were built with) -------------
if ! in_root dpkg-query -W -f='${db:Status-Abbrev}' "linux-headers-$rel" 2>/dev/null | grep -q '^ii'; then
	log "apt-get install linux-headers-$rel"
	in_root apt-get install -y -qq "linux-headers-$rel" >"$DIR/apt.log" 2>&1 || {
		tail -n 20 "$DIR/apt.log" >&2
		die "installing linux-headers-$rel failed (log: $DIR/apt.log)"
	}
fi
[ -e "$ROOT/lib/modules/$rel/build/Makefile" ] || die "no $ROOT/lib/modules/$rel/build after installing the headers"

# --- 4. The image, unpacked --------------------------------------------------
if [ ! -s "$ROOT/usr/lib/modules/$rel/vmlinuz" ] && [ ! -s "$ROOT/boot/vmlinuz-$rel" ]; then
	log "apt-get download $img_pkg"
	rm -rf "$ROOT/tmp/vqtest-dl"
	mkdir -p "$ROOT/tmp/vqtest-dl"
	(cd "$ROOT/tmp/vqtest-dl" && chroot "$ROOT" sh -c 'cd /tmp/vqtest-dl && apt-get download -qq -o APT::Sandbox::User=root "$1"' sh "$img_pkg") >&2 ||
		die "apt-get download $img_pkg failed"
	dpkg-deb -x "$ROOT"/tmp/vqtest-dl/*.deb "$ROOT"
	rm -rf "$ROOT/tmp/vqtest-dl"
fi
if [ ! -s "$ROOT/usr/lib/modules/$rel/vmlinuz" ] && [ ! -s "$ROOT/boot/vmlinuz-$rel" ]; then
	die "$img_pkg has no vmlinuz in /usr/lib/modules/$rel or /boot"
fi

# --- 5. Drop the kernels sid has moved past ------------------------------
for d in "$ROOT"/usr/lib/modules/*; do
	[ -d "$d" ] || continue
	old=${d##*/}
	[ "$old" = "$rel" ] && continue
	log "dropping $old (sid moved on)"
	in_root apt-get purge -y -qq "linux-headers-$old" >/dev/null 2>&1 || true
	rm -rf "$d" "$ROOT/boot/vmlinuz-$old"
done

echo "$rel" >"$STATE"
log "ready: $rel in $ROOT ($(($(date +%s) - t0))s)"
short "$rel"
