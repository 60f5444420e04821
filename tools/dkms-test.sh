#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/dkms-test.sh: prove the DKMS packaging (dkms.conf) end to end.
#
# usage: tools/dkms-test.sh [--no-vm]     (root; `make check-dkms`)
#
#   1. stage the module's sources alone (dkms.conf, Kbuild, kmod/, uapi/)
#      in /usr/src/vqtest-VERSION with `make install-dkms DESTDIR=/` and
#      `dkms add vqtest/VERSION`;
#   2. for every kernel installed on the host (each /lib/modules/REL with a
#      build tree: 6.1, 6.12, 6.12-rt here) `dkms build -k REL` and
#      `dkms install -k REL`; modinfo the installed module (vermagic, both
#      parameters) and check depmod's modules.dep lists it;
#   3. AUTOINSTALL: `dkms unbuild` on the first kernel, then
#      `dkms autoinstall -k REL` (what the kernel's postinst hook runs) must
#      build and install it again;
#   4. BUILD_EXCLUSIVE_CONFIG: a copy whose dkms.conf wants an option no
#      kernel has must be skipped by `dkms build` with dkms's exit code 77
#      and its message, building nothing;
#   5. per kernel, boot it in QEMU with the dkms-installed module
#      (tools/vm/run -m /lib/modules/REL/updates/dkms: modprobe, not
#      insmod) and run a smoke test: vqctl info, the parameters in sysfs,
#      /dev/vqtest's mode, vqctl demo (skipped with --no-vm);
#   6. `dkms remove vqtest/VERSION --all`, then nothing may be left: no
#      /var/lib/dkms/vqtest, no vqtest.ko* under any /lib/modules/*/, no
#      vqtest in any modules.dep; the staged source is removed too, and
#      dkms's signing key if this run created it.
#
# Prints TAP; the last line is "N passed, N failed". Logs in $BUILD/dkms/.
# Host kernels can be narrowed with DKMS_KERNELS="REL REL".
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
USR=${USR:-$BUILD/user}
export BUILD USR
LOG=$BUILD/dkms
vm=1

case "${1:-}" in
-h|--help) awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
--no-vm) vm=0 ;;
"") ;;
*) echo "dkms-test: unknown argument '$1'" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "dkms-test: needs root (dkms)" >&2; exit 1; }
command -v dkms >/dev/null || { echo "dkms-test: no dkms: run tools/deps.sh" >&2; exit 1; }

conf() { sed -n "s/^$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$TOP/dkms.conf"; }
NAME=$(conf PACKAGE_NAME) VER=$(conf PACKAGE_VERSION)
[ -n "$NAME" ] && [ -n "$VER" ] || { echo "dkms-test: no PACKAGE_NAME/PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
SRC=/usr/src/$NAME-$VER
XNAME=${NAME}-exclusive-test XSRC=/usr/src/${NAME}-exclusive-test-$VER
mkdir -p "$LOG"
rm -f "$LOG"/*.log

n=0 failed=0 t_all=$(date +%s)
ok() {
	local rc=$1 what=$2
	shift 2
	n=$((n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $n - dkms: $what"
	else
		echo "not ok $n - dkms: $what"
		failed=$((failed + 1))
		local l
		for l in "$@"; do printf '%s\n' "$l" | tail -n 25 | sed 's/^/#   /'; done
	fi
}
# step LOGNAME DESCRIPTION CMD...: ok when CMD succeeds, output in the log.
step() {
	local name=$1 what=$2 rc
	shift 2
	"$@" >"$LOG/$name.log" 2>&1
	rc=$?
	ok "$rc" "$what" "$(cat "$LOG/$name.log")"
	return "$rc"
}

# The host's kernels: every release with a build tree.
if [ -n "${DKMS_KERNELS:-}" ]; then
	kernels=$DKMS_KERNELS
else
	kernels=$(for d in /lib/modules/*; do
		[ -e "$d/build/Makefile" ] && basename "$d"
	done | sort -V | tr '\n' ' ')
fi
echo "# dkms test: $NAME/$VER on: $kernels"
[ -n "$kernels" ] || { echo "not ok 1 - dkms: no kernel with headers on the host"; echo "0 passed, 1 failed"; exit 1; }

mok_before=0 tree_before=0
[ -e /var/lib/dkms/mok.key ] && mok_before=1
# Debian's package makes the tree, but a trimmed system may lack it.
[ -d /var/lib/dkms ] && tree_before=1
mkdir -p /var/lib/dkms

# A leftover from an earlier, interrupted run would make `dkms add` fail.
cleanup() {
	dkms remove "$NAME/$VER" --all >/dev/null 2>&1 || true
	dkms remove "$XNAME/$VER" --all >/dev/null 2>&1 || true
	rm -rf "$SRC" "$XSRC" /var/lib/dkms/"$NAME" /var/lib/dkms/"$XNAME"
}
if [ -e /var/lib/dkms/"$NAME" ] || [ -e "$SRC" ]; then
	echo "# removing a leftover $NAME from the dkms tree"
	cleanup
fi

# --- 1. add ------------------------------------------------------------------
# The sources as `make install-dkms` stages them (DESTDIR=/ stops it
# short of running dkms itself).
step stage "make install-dkms DESTDIR=/ stages $SRC" \
	make -s --no-print-directory -C "$TOP" install-dkms DESTDIR=/
step add "dkms add $NAME/$VER (sources alone in $SRC)" dkms add "$NAME/$VER"

# --- 2. build and install per kernel -----------------------------------------
installed=()
for rel in $kernels; do
	t0=$(date +%s)
	step "build-$rel" "dkms build -k $rel" dkms build "$NAME/$VER" -k "$rel" || continue
	step "install-$rel" "dkms install -k $rel ($(($(date +%s) - t0))s)" \
		dkms install "$NAME/$VER" -k "$rel" || continue
	ko=$(find "/lib/modules/$rel/updates/dkms" -name "$NAME.ko*" 2>/dev/null | head -n 1)
	ok "$([ -n "$ko" ]; echo $?)" "$rel: module in /lib/modules/$rel/updates/dkms" \
		"$(ls -l "/lib/modules/$rel/updates/dkms" 2>&1)"
	[ -n "$ko" ] || continue
	vmg=$(modinfo -F vermagic "$ko" 2>&1) parms=$(modinfo -F parm "$ko" 2>&1)
	ok "$([ "${vmg%% *}" = "$rel" ] && grep -q '^max_queue_size:' <<<"$parms" &&
		grep -q '^mode:' <<<"$parms"; echo $?)" \
		"$rel: modinfo: vermagic $rel, parameters max_queue_size and mode" "$vmg" "$parms"
	ok "$(grep -q "updates/dkms/${ko##*/}:" "/lib/modules/$rel/modules.dep"; echo $?)" \
		"$rel: depmod lists updates/dkms/${ko##*/}"
	installed+=("$rel")
done
dkms status "$NAME" >"$LOG/status.log" 2>&1
echo "# dkms status:"
sed 's/^/#   /' "$LOG/status.log"

# --- 3. AUTOINSTALL ----------------------------------------------------------
if [ ${#installed[@]} -gt 0 ]; then
	rel=${installed[0]}
	step "unbuild-$rel" "dkms unbuild -k $rel" dkms unbuild "$NAME/$VER" -k "$rel"
	step "autoinstall-$rel" "dkms autoinstall -k $rel" dkms autoinstall -k "$rel"
	st=$(dkms status "$NAME/$VER" -k "$rel" 2>&1)
	ok "$(grep -q ': installed' <<<"$st"; echo $?)" \
		"AUTOINSTALL: autoinstall rebuilt and installed it for $rel" "$st"
fi

# --- 4. BUILD_EXCLUSIVE_CONFIG -------------------------------------------------
grep -q '^BUILD_EXCLUSIVE_CONFIG=' "$TOP/dkms.conf"
ok $? "dkms.conf has BUILD_EXCLUSIVE_CONFIG"
rm -rf "$XSRC"
cp -r "$SRC" "$XSRC"
sed -i -e "s/^PACKAGE_NAME=.*/PACKAGE_NAME=\"$XNAME\"/" \
	-e 's/^BUILD_EXCLUSIVE_CONFIG="/BUILD_EXCLUSIVE_CONFIG="CONFIG_VQTEST_NO_SUCH_OPTION /' \
	"$XSRC/dkms.conf"
rel=${kernels%% *}
dkms add "$XNAME/$VER" >"$LOG/exclusive.log" 2>&1
dkms build "$XNAME/$VER" -k "$rel" >>"$LOG/exclusive.log" 2>&1
rc=$?
ok "$([ "$rc" = 77 ] && grep -q 'BUILD_EXCLUSIVE directive which does not match' "$LOG/exclusive.log" &&
	! find /var/lib/dkms/"$XNAME" -name '*.ko*' | grep -q .; echo $?)" \
	"a kernel without a BUILD_EXCLUSIVE_CONFIG option is skipped (exit $rc, nothing built)" \
	"$(cat "$LOG/exclusive.log")"
dkms remove "$XNAME/$VER" --all >>"$LOG/exclusive.log" 2>&1
rm -rf "$XSRC"

# --- 5. boot each kernel with the dkms-installed module ----------------------
if [ "$vm" = 1 ]; then
	for rel in "${installed[@]}"; do
		# shellcheck disable=SC2016  # guest commands
		step "vm-$rel" "$rel: VM boots, modprobe loads the dkms module, smoke test passes" \
			"$TOP/tools/vm/run" -k "$rel" -t 120 -m "/lib/modules/$rel/updates/dkms" \
			-l "$LOG/vm-$rel.console.log" -- \
			'vqctl info' \
			'cat /sys/module/vqtest/parameters/max_queue_size /sys/module/vqtest/parameters/mode' \
			'ls -l /dev/vqtest; [ "$(stat -c %a /dev/vqtest)" = 600 ]' \
			'vqctl demo'
		grep -E '^vm: .*(ok|FAILED)' "$LOG/vm-$rel.log" | tail -n 1 | sed 's/^/# /'
	done
fi

# --- 6. remove --all: nothing left ---------------------------------------------
step remove "dkms remove $NAME/$VER --all" dkms remove "$NAME/$VER" --all
rm -rf "$SRC"
left=$( {
	[ -e /var/lib/dkms/"$NAME" ] && echo "/var/lib/dkms/$NAME"
	[ -e /var/lib/dkms/"$XNAME" ] && echo "/var/lib/dkms/$XNAME"
	find /lib/modules/ -name "$NAME.ko*" 2>/dev/null
	grep -l "/$NAME.ko" /lib/modules/*/modules.dep 2>/dev/null
} )
ok "$([ -z "$left" ]; echo $?)" "nothing left after remove --all (/var/lib/dkms, /lib/modules/*/updates, extra, modules.dep)" "$left"
if [ "$mok_before" = 0 ] && [ -e /var/lib/dkms/mok.key ]; then
	# dkms made a module-signing key for this run: not ours to keep.
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
fi
[ "$tree_before" = 1 ] || rmdir /var/lib/dkms 2>/dev/null || true

echo "1..$n"
echo "# dkms test: $(($(date +%s) - t_all))s, logs in $LOG"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
