#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/install.sh: the work of `make install` and `make uninstall`.
#
# usage: tools/install.sh install|uninstall|install-dkms|uninstall-dkms
#
# Installs what `make` built (run it first; `make install` does):
#
#   the module   vqtest.ko for each kernel in KVERS (or the one KDIR) with
#                the kernel's `make M=... modules_install` (so compressed
#                like the kernel's own modules), into
#                DESTDIR/lib/modules/REL/$INSTALL_MOD_DIR, then
#                `depmod -b DESTDIR REL`
#   libvq        lib/'s own install target: libvq.so.X.Y.Z and its links,
#                libvq.a, libvq.pc, <vq/libvq.h>, <linux/vqtest.h> (the uapi
#                header) and the man pages, under PREFIX
#   the tools    every program in $USR/tools/bin (vqctl, vqtrace, ...) into
#                PREFIX/bin, but the vqtest_* test programs run in the VM
#   udev rule    60-vqtest.rules into UDEVRULESDIR: /dev/vqtest root-only
#                0600; VQTEST_GROUP=NAME makes it NAME's, 0660 (the group
#                is created when installing to the running system)
#   modprobe.d   vqtest.conf into MODPROBEDIR: every module parameter,
#                commented out (an example to edit)
#
# install-dkms copies the module's sources alone (dkms.conf, Kbuild, kmod/,
# uapi/) to DESTDIR/usr/src/vqtest-VERSION, the place dkms takes them from,
# and on the running system runs `dkms install vqtest/VERSION` (add, build
# and install for the running kernel; AUTOINSTALL does later kernels;
# DESTDIR=/ stages the sources only).
# uninstall-dkms runs `dkms remove vqtest/VERSION --all` and removes them.
#
# uninstall removes all of it again, runs depmod (or, under a DESTDIR
# where no other module is left, removes depmod's files too) and removes
# the directories it leaves empty under DESTDIR (on the running system,
# only its own: INCLUDEDIR/vq, lib/modules/REL/INSTALL_MOD_DIR).
#
# Variables (from the environment or `make VAR=...`):
#   DESTDIR         staging root (default: none, the running system)
#   PREFIX          /usr/local; BINDIR, LIBDIR, INCLUDEDIR, MANDIR default
#                   to PREFIX/bin, /lib, /include, /share/man
#   KVERS, KDIR     the kernels, as for `make` (default KVERS: 6.1 6.12)
#   INSTALL_MOD_DIR extra
#   UDEVRULESDIR    /etc/udev/rules.d     MODPROBEDIR  /etc/modprobe.d
#   VQTEST_GROUP    see udev rule above
#   BUILD, USR      build directories (default <repo>/build, $BUILD/user)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
USR=${USR:-$BUILD/user}
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
MANDIR=${MANDIR:-$PREFIX/share/man}
INSTALL_MOD_DIR=${INSTALL_MOD_DIR:-extra}
UDEVRULESDIR=${UDEVRULESDIR:-/etc/udev/rules.d}
MODPROBEDIR=${MODPROBEDIR:-/etc/modprobe.d}
VQTEST_GROUP=${VQTEST_GROUP:-}
KVERS=${KVERS:-6.1 6.12}
KDIR=${KDIR:-}
# Tools that uninstall removes even when the build directory is gone.
KNOWN_TOOLS="vqctl vqtrace vqtrace-load vqbench"

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}
die() { echo "install: $*" >&2; exit 1; }
say() { echo "install: $*"; }

case "${1:-}" in
install|uninstall|install-dkms|uninstall-dkms) action=${1/-/_} ;;
-h|--help) usage 0 ;;
*) usage 2 >&2 ;;
esac
[ $# -eq 1 ] || usage 2 >&2
if [ -n "$DESTDIR" ]; then
	mkdir -p "$DESTDIR"
	DESTDIR=$(cd "$DESTDIR" && pwd)
fi
# DESTDIR=/ is the running system, except that install-dkms only stages.
stage_only=0
[ "$DESTDIR" != / ] || DESTDIR='' stage_only=1
case "$VQTEST_GROUP" in
''|[a-z_]*) ;;
*) die "VQTEST_GROUP='$VQTEST_GROUP' is not a group name" ;;
esac

# kernels: "REL KDIR MODOUT" per kernel to install for.
kernels() {
	local k rel kdir root
	if [ -n "$KDIR" ]; then
		[ -e "$KDIR/Makefile" ] || die "KDIR=$KDIR is not a kernel build tree"
		kdir=$(cd "$KDIR" && pwd)
		rel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null ||
			make -s -C "$kdir" kernelrelease)
		echo "$rel $kdir $BUILD/kdir-$(printf '%s' "${kdir#/}" | tr -c 'A-Za-z0-9._+-' '_')"
		return
	fi
	for k in $KVERS; do
		rel=$("$TOP/tools/kver.sh" "$k") || exit 1
		root=$("$TOP/tools/kver.sh" --root "$rel")
		[ -z "$root" ] || die "$rel lives in the chroot $root: not installable on this system"
		kdir=$("$TOP/tools/kver.sh" --kdir "$rel") || exit 1
		echo "$rel $kdir $BUILD/$rel/mod"
	done
}
case $action in *dkms) KERNELS= ;; *) KERNELS=$(kernels) ;; esac

# prune DIR...: remove each DIR and its parents up to DESTDIR while empty.
# Under a DESTDIR only: on the running system, directories that may be
# shared are left alone (own_dir removes ours).
prune() {
	local d
	[ -n "$DESTDIR" ] || return 0
	for d in "$@"; do
		while [ "$d" != "$DESTDIR" ] && [ "${d#"$DESTDIR"/}" != "$d" ] &&
		      rmdir "$d" 2>/dev/null; do
			d=$(dirname "$d")
		done
	done
}
own_dir() { rmdir "$1" 2>/dev/null || true; prune "$1"; }

tools_list() {
	local f
	{
		for f in $KNOWN_TOOLS; do echo "$f"; done
		for f in "$USR"/tools/bin/*; do [ -f "$f" ] && basename "$f"; done
	} | grep -v '^vqtest_' | sort -u
}

# The rule as installed: the group variant rewrites the active line.
udev_rule() {
	if [ -n "$VQTEST_GROUP" ]; then
		sed -e 's/^KERNEL=="vqtest".*/KERNEL=="vqtest", SUBSYSTEM=="misc", OWNER="root", GROUP="'"$VQTEST_GROUP"'", MODE="0660"/' \
		    -e '/^#KERNEL=="vqtest"/d' "$TOP/tools/udev/60-vqtest.rules"
	else
		cat "$TOP/tools/udev/60-vqtest.rules"
	fi
}

# run_depmod REL: under a DESTDIR there is no modules.order nor
# modules.builtin* (the kernel's package has them): depmod's warnings about
# those are expected and dropped, anything else is shown.
run_depmod() {
	local err
	err=$(depmod -b "${DESTDIR:-/}" "$1" 2>&1) || { echo "$err" >&2; die "depmod $1 failed"; }
	grep -v 'could not open modules\.\(order\|builtin\)' <<<"$err" >&2 || true
}

libmake() {
	make -s --no-print-directory -C "$TOP/lib" O="$USR/lib" DESTDIR="$DESTDIR" \
		PREFIX="$PREFIX" libdir="$LIBDIR" includedir="$INCLUDEDIR" \
		mandir="$MANDIR" "$@"
}

do_install() {
	local rel kdir out ko f
	# --- the module, per kernel
	while read -r rel kdir out; do
		[ -n "$rel" ] || continue
		ko=$out/vqtest.ko
		[ -f "$ko" ] || die "no $ko: run make first (make modules)"
		say "module for $rel -> ${DESTDIR}/lib/modules/$rel/$INSTALL_MOD_DIR"
		# Unsigned: the key of a distribution kernel is not ours
		# (CONFIG_MODULE_SIG_ALL= stops sign-file; dkms signs with
		# its MOK key where Secure Boot wants that). DEPMOD=true:
		# depmod runs below, once, with our -b.
		make -C "$kdir" M="$out" INSTALL_MOD_PATH="$DESTDIR" \
			INSTALL_MOD_DIR="$INSTALL_MOD_DIR" DEPMOD=true \
			CONFIG_MODULE_SIG_ALL= modules_install >"$out/install.log" 2>&1 || {
			cat "$out/install.log" >&2
			die "$rel: modules_install failed"
		}
		ls "$DESTDIR/lib/modules/$rel/$INSTALL_MOD_DIR"/vqtest.ko* >/dev/null 2>&1 ||
			die "modules_install left no vqtest.ko* in $DESTDIR/lib/modules/$rel/$INSTALL_MOD_DIR"
		run_depmod "$rel"
	done <<<"$KERNELS"

	# --- libvq, its headers (with the uapi header) and man pages
	[ -f "$USR/lib/libvq.a" ] || die "no $USR/lib/libvq.a: run make first (make lib)"
	say "libvq -> $DESTDIR$LIBDIR, $DESTDIR$INCLUDEDIR, $DESTDIR$MANDIR"
	libmake install
	[ -n "$DESTDIR" ] || ! command -v ldconfig >/dev/null || ldconfig

	# --- the tools
	install -d "$DESTDIR$BINDIR"
	for f in "$USR"/tools/bin/*; do
		[ -f "$f" ] || continue
		case "${f##*/}" in vqtest_*) continue ;; esac	# tests, for the VM
		install -m 755 "$f" "$DESTDIR$BINDIR/"
	done
	say "tools -> $DESTDIR$BINDIR: $(tools_list | while read -r t; do
		[ -e "$DESTDIR$BINDIR/$t" ] && printf '%s ' "$t"; done)"

	# --- udev rule and modprobe.d example
	install -d "$DESTDIR$UDEVRULESDIR" "$DESTDIR$MODPROBEDIR"
	udev_rule >"$DESTDIR$UDEVRULESDIR/60-vqtest.rules"
	chmod 644 "$DESTDIR$UDEVRULESDIR/60-vqtest.rules"
	install -m 644 "$TOP/tools/modprobe.d/vqtest.conf" "$DESTDIR$MODPROBEDIR/vqtest.conf"
	say "udev rule -> $DESTDIR$UDEVRULESDIR/60-vqtest.rules (${VQTEST_GROUP:+group $VQTEST_GROUP }mode ${VQTEST_GROUP:+0660}${VQTEST_GROUP:-0600})"
	say "modprobe.d example -> $DESTDIR$MODPROBEDIR/vqtest.conf"

	if [ -z "$DESTDIR" ]; then
		if [ -n "$VQTEST_GROUP" ] && ! getent group "$VQTEST_GROUP" >/dev/null; then
			groupadd --system "$VQTEST_GROUP"
			say "created the system group $VQTEST_GROUP"
		fi
		if command -v udevadm >/dev/null && [ -d /run/udev ]; then
			udevadm control --reload 2>/dev/null || true
			[ -e /dev/vqtest ] && udevadm trigger --action=change /dev/vqtest 2>/dev/null || true
		fi
	elif [ -n "$VQTEST_GROUP" ]; then
		say "note: the group $VQTEST_GROUP must exist on the target (groupadd --system $VQTEST_GROUP)"
	fi
}

do_uninstall() {
	local rel kdir out d t left
	while read -r rel kdir out; do
		[ -n "$rel" ] || continue
		d=$DESTDIR/lib/modules/$rel
		rm -f "$d/$INSTALL_MOD_DIR"/vqtest.ko "$d/$INSTALL_MOD_DIR"/vqtest.ko.{xz,zst,gz}
		own_dir "$d/$INSTALL_MOD_DIR"
		[ -d "$d" ] || continue
		left=$(find "$d" -name '*.ko*' -print -quit)
		if [ -z "$left" ] && [ -n "$DESTDIR" ]; then
			# Only depmod's files were left: they were ours.
			rm -f "$d"/modules.*
			prune "$d"
		else
			run_depmod "$rel"
		fi
		say "module for $rel removed"
	done <<<"$KERNELS"

	libmake uninstall
	own_dir "$DESTDIR$INCLUDEDIR/vq"
	prune "$DESTDIR$INCLUDEDIR/linux" \
		"$DESTDIR$LIBDIR/pkgconfig" "$DESTDIR$MANDIR/man3" "$DESTDIR$LIBDIR" \
		"$DESTDIR$INCLUDEDIR"
	[ -n "$DESTDIR" ] || ! command -v ldconfig >/dev/null || ldconfig
	say "libvq removed"

	for t in $(tools_list); do rm -f "$DESTDIR$BINDIR/$t"; done
	prune "$DESTDIR$BINDIR"
	rm -f "$DESTDIR$UDEVRULESDIR/60-vqtest.rules" "$DESTDIR$MODPROBEDIR/vqtest.conf"
	prune "$DESTDIR$UDEVRULESDIR" "$DESTDIR$MODPROBEDIR"
	say "tools, udev rule and modprobe.d example removed"
}

dkms_conf() { sed -n "s/^$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$TOP/dkms.conf"; }
DKMS_SRC=/usr/src/$(dkms_conf PACKAGE_NAME)-$(dkms_conf PACKAGE_VERSION)

do_install_dkms() {
	local d=$DESTDIR$DKMS_SRC
	rm -rf "$d"
	install -d "$d/kmod" "$d/uapi/linux"
	install -m 644 "$TOP/dkms.conf" "$TOP/Kbuild" "$d/"
	install -m 644 "$TOP"/kmod/*.[ch] "$d/kmod/"
	install -m 644 "$TOP"/uapi/linux/*.h "$d/uapi/linux/"
	say "dkms sources -> $d"
	if [ -z "$DESTDIR" ] && [ "$stage_only" = 0 ]; then
		dkms install "${DKMS_SRC#/usr/src/}" 2>&1 | sed 's/^/install: dkms: /'
		[ "${PIPESTATUS[0]}" = 0 ] || die "dkms install failed"
	fi
}

do_uninstall_dkms() {
	local mv=${DKMS_SRC#/usr/src/}
	if [ -z "$DESTDIR" ] && command -v dkms >/dev/null &&
	   [ -d "/var/lib/dkms/${mv%-*}/${mv##*-}" ]; then
		dkms remove "${mv%-*}/${mv##*-}" --all 2>&1 | sed 's/^/install: dkms: /'
	fi
	rm -rf "$DESTDIR$DKMS_SRC"
	prune "$(dirname "$DESTDIR$DKMS_SRC")"
	say "dkms sources $DESTDIR$DKMS_SRC removed"
}

"do_$action"
