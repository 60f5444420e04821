#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/install-test.sh: prove `make install` and `make uninstall`.
#
# usage: tools/install-test.sh            (run by `make unit`, so `make check`)
#
# Installs into a temporary DESTDIR with PREFIX=/opt/vqtest (a non-default
# prefix, to show it is honoured) for each host kernel in KVERS (default
# "6.1 6.12"; kernels living in a chroot are left out), then checks every
# file: the module per kernel (modinfo: vermagic, both parameters; depmod's
# modules.dep lists it), the uapi and libvq headers, libvq.so.X.Y.Z with its
# soname and dev links, libvq.a, libvq.pc, every man page, every tool, the
# udev rule (0600 root) and the modprobe.d example (naming every parameter
# modinfo shows). pkg-config, pointed into the DESTDIR with
# PKG_CONFIG_SYSROOT_DIR and PKG_CONFIG_LIBDIR, must give the installed
# paths; lib/examples/echo_client.c is compiled against the installed copy
# only, shared (its libvq.so.X must resolve into the DESTDIR) and static.
# Then uninstall must leave the DESTDIR empty. The group variant
# (VQTEST_GROUP=vqtest) is checked the same way. Prints TAP.
#
# Environment: KVERS, BUILD, USR as for make; CC (default cc).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
USR=${USR:-$BUILD/user}
CC=${CC:-cc}
PREFIX=/opt/vqtest
export BUILD USR

case "${1:-}" in
-h|--help) awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
esac

# Host kernels only: a chroot's kernel is not installable here.
kvers=
for k in ${KVERS:-6.1 6.12}; do
	root=$("$TOP/tools/kver.sh" --root "$k" 2>/dev/null) || root=
	[ -n "$root" ] || kvers="$kvers $k"
done
kvers=${kvers# }

n=0 failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vqtest-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
D=$tmp/dest

# ok COND-RESULT DESCRIPTION [DETAILS...]: one TAP line, details as comments.
ok() {
	local rc=$1 what=$2
	shift 2
	n=$((n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $n - install: $what"
	else
		echo "not ok $n - install: $what"
		failed=$((failed + 1))
		local l
		for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	fi
}

# check DESCRIPTION CMD...: ok when CMD succeeds; its output is the detail.
check() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	ok "$rc" "$what" "$out"
}

mk() { make -s --no-print-directory -C "$TOP" KVERS="$kvers" DESTDIR="$D" PREFIX="$PREFIX" "$@"; }

echo "# install test: kernels $kvers, DESTDIR $D, PREFIX $PREFIX"

# --- install ----------------------------------------------------------------
check "make install DESTDIR PREFIX" mk install
P=$D$PREFIX

# Every file, by name: what is there and nothing else.
libver=$(sed -n 's/^Version: //p' "$USR/lib/libvq.pc" 2>/dev/null)
major=${libver%%.*}
expect=$tmp/expect got=$tmp/got
{
	for k in $kvers; do
		rel=$("$TOP/tools/kver.sh" "$k")
		ko=$(cd "$D" && ls "lib/modules/$rel/extra/"vqtest.ko* 2>/dev/null | head -n 1)
		echo "${ko:-lib/modules/$rel/extra/vqtest.ko}"
		for f in alias alias.bin builtin.alias.bin builtin.bin dep dep.bin \
			devname softdep symbols symbols.bin; do
			echo "lib/modules/$rel/modules.$f"
		done
		# newer kmod writes this one too
		[ -e "$D/lib/modules/$rel/modules.weakdep" ] && echo "lib/modules/$rel/modules.weakdep"
	done
	echo "${PREFIX#/}/include/linux/vqtest.h"
	echo "${PREFIX#/}/include/vq/libvq.h"
	for f in "libvq.so.$libver" "libvq.so.$major" libvq.so libvq.a pkgconfig/libvq.pc; do
		echo "${PREFIX#/}/lib/$f"
	done
	for f in "$TOP"/lib/man/*.3; do echo "${PREFIX#/}/share/man/man3/${f##*/}"; done
	for f in "$USR"/tools/bin/*; do
		case "${f##*/}" in vqtest_*) continue ;; esac	# tests, not installed
		[ -f "$f" ] && echo "${PREFIX#/}/bin/${f##*/}"
	done
	echo etc/udev/rules.d/60-vqtest.rules
	echo etc/modprobe.d/vqtest.conf
} | sort >"$expect"
(cd "$D" && find . -type f -o -type l) 2>/dev/null | sed 's|^\./||' | sort >"$got"
check "every file installed, nothing else ($(wc -l <"$expect") files)" \
	diff -u "$expect" "$got"

# The module, per kernel.
for k in $kvers; do
	rel=$("$TOP/tools/kver.sh" "$k")
	ko=$(ls "$D/lib/modules/$rel/extra/"vqtest.ko* 2>/dev/null | head -n 1)
	vm=$(modinfo -F vermagic "$ko" 2>&1)
	ok "$([ "${vm%% *}" = "$rel" ]; echo $?)" "$k: vqtest.ko built for $rel" "vermagic: $vm"
	parms=$(modinfo -F parm "$ko" 2>&1)
	ok "$(grep -q '^max_queue_size:' <<<"$parms" && grep -q '^mode:' <<<"$parms"; echo $?)" \
		"$k: modinfo shows max_queue_size and mode" "$parms"
	check "$k: depmod -b lists extra/${ko##*/}" grep -q "^extra/${ko##*/}:" "$D/lib/modules/$rel/modules.dep"
	# Every parameter is documented in the modprobe.d example.
	miss=
	for p in $(sed -n 's/^\([a-z_]*\):.*/\1/p' <<<"$parms"); do
		grep -q "options vqtest.* $p=" "$D/etc/modprobe.d/vqtest.conf" || miss="$miss $p"
	done
	ok "$([ -z "$miss" ]; echo $?)" "$k: modprobe.d example names every parameter" "missing:$miss"
done

# libvq: links and soname.
check "libvq.so.$major -> libvq.so.$libver" test "$(readlink "$P/lib/libvq.so.$major")" = "libvq.so.$libver"
check "libvq.so -> libvq.so.$libver" test "$(readlink "$P/lib/libvq.so")" = "libvq.so.$libver"
soname=$(readelf -d "$P/lib/libvq.so.$libver" 2>&1 | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
ok "$([ "$soname" = "libvq.so.$major" ]; echo $?)" "soname is libvq.so.$major" "soname: $soname"
for t in "$P"/bin/*; do
	check "tool ${t##*/} is executable" test -x "$t"
done

# udev rule: root-only by default, one active line.
rule=$(grep -v '^#' "$D/etc/udev/rules.d/60-vqtest.rules" | grep .)
ok "$([ "$(wc -l <<<"$rule")" = 1 ] && grep -q 'KERNEL=="vqtest".*GROUP="root".*MODE="0600"' <<<"$rule"; echo $?)" \
	"udev rule: /dev/vqtest root 0600" "$rule"

# --- pkg-config into the DESTDIR ----------------------------------------------
pc() { PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$P/lib/pkgconfig pkg-config "$@"; }
flags=$(pc --cflags --libs libvq 2>&1 | sed "s/ *$//")
ok "$([ "$flags" = "-I$P/include -L$P/lib -lvq" ]; echo $?)" \
	"pkg-config --cflags --libs libvq: $flags" "expected: -I$P/include -L$P/lib -lvq"
ver=$(pc --modversion libvq 2>&1)
ok "$([ "$ver" = "$libver" ]; echo $?)" "pkg-config --modversion libvq: $ver"

# --- echo_client against the installed copy only --------------------------
# shellcheck disable=SC2046  # pkg-config's output is word lists
check "echo_client compiles and links against the installed libvq (shared)" \
	"$CC" -Wall -Werror $(pc --cflags libvq) -o "$tmp/echo_client" \
	"$TOP/lib/examples/echo_client.c" $(pc --libs libvq)
res=$(LD_LIBRARY_PATH=$P/lib ldd "$tmp/echo_client" 2>&1 | awk '$1 ~ /^libvq\.so/ { print $3 }')
ok "$([ "$res" = "$P/lib/libvq.so.$major" ]; echo $?)" \
	"echo_client's libvq.so.$major resolves into the DESTDIR" "resolved to: ${res:-nothing}"
# shellcheck disable=SC2046
check "echo_client links statically against the installed libvq.a" \
	"$CC" -Wall -Werror -static $(pc --cflags libvq) -o "$tmp/echo_client-static" \
	"$TOP/lib/examples/echo_client.c" $(pc --libs --static libvq)

# --- uninstall ----------------------------------------------------------------
check "make uninstall DESTDIR PREFIX" mk uninstall
left=$(cd "$D" 2>/dev/null && find . -mindepth 1 | head -n 20)
ok "$([ -z "$left" ]; echo $?)" "uninstall leaves nothing behind" "$left"

# --- the group option ---------------------------------------------------------
check "make install VQTEST_GROUP=vqtest" mk install VQTEST_GROUP=vqtest
rule=$(grep -v '^#' "$D/etc/udev/rules.d/60-vqtest.rules" 2>/dev/null | grep .)
ok "$([ "$(wc -l <<<"$rule")" = 1 ] && grep -q 'KERNEL=="vqtest".*GROUP="vqtest".*MODE="0660"' <<<"$rule"; echo $?)" \
	"udev rule with VQTEST_GROUP=vqtest: group vqtest 0660" "$rule"
check "make uninstall (group variant)" mk uninstall VQTEST_GROUP=vqtest
left=$(cd "$D" 2>/dev/null && find . -mindepth 1 | head -n 20)
ok "$([ -z "$left" ]; echo $?)" "uninstall leaves nothing behind (group variant)" "$left"

echo "1..$n"
echo "# install test: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
