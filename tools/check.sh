#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh: the test half of `make check`, run after the build.
#
# usage: tools/check.sh [KVER...]     (default: $KVERS, else "6.1 6.12")
#
#   1. the userspace unit tests, `make -s -C <repo> unit fuzz-check` (the
#      fuzzer for FUZZ_SECONDS, default 60, is one test: ok when nothing
#      crashed; skipped with a note only while lib/ or tools/ring/ has no
#      Makefile, or with VQTEST_UNIT=0);
#   2. per kernel (short names as in tools/kver.sh), one VM (tools/vm/run)
#      running every selftest $USR/selftests/bin/vqtest_* and every tool
#      smoke run $USR/tools/bin/vqtest_* (vqtest_bench) as its own
#      command; with no selftests built, one VM that only loads and
#      unloads the module.
#
# Counting: unit tests by their TAP lines ("ok", "ok ... # SKIP", "not ok",
# "Bail out!"); selftests by their kselftest "# Totals: pass:N fail:N
# xfail:N xpass:N skip:N error:N" line: pass+xfail passed, fail+xpass+error
# failed. One failure each for: a selftest that printed no Totals line (crashed,
# timed out, never ran), a selftest exiting non-zero (but 4, KSFT_SKIP)
# with no failed test, a VM whose dmesg or taint check failed or that gave
# no result, a unit run failing without a failed test, a kernel that is
# not installed (its tests are not counted). The last line printed is "N passed, N failed"; the exit
# status is 1 if anything failed.
#
# Environment:
#   BUILD                 build directory (default <repo>/build)
#   USR                   userspace build directory (default $BUILD/user)
#   VQTEST_TEST_TIMEOUT   per-selftest timeout in the guest, seconds (600)
#   VQTEST_VM_TIMEOUT     whole-VM timeout per kernel, seconds (1800: two
#                         kernels fit CI's 90 minutes even when tests hang)
#   VQTEST_DEADLINE       a time (seconds since the epoch) every VM must
#                         have ended by, capping VQTEST_VM_TIMEOUT: .ci/run
#                         sets it from CI's limit, so a VM cut short still
#                         leaves this summary (its unfinished tests failed)
#   VQTEST_UNIT           0: skip stage 1 (make check-debug: make check ran it)
#   VQTEST_BOOT_RETRIES   boots more when the kernel dies before the guest's
#                         init prints its first line, i.e. before vqtest is
#                         loaded (1; each is named in the summary)
#
# Logs: $BUILD/check/unit.log, $BUILD/check/<kver>.log (tools/vm/run's
# output), $BUILD/check/<kver>.console.log, $BUILD/check/<kver>.status
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
USR=${USR:-$BUILD/user}
export BUILD USR
TEST_TIMEOUT=${VQTEST_TEST_TIMEOUT:-600}
BOOT_RETRIES=${VQTEST_BOOT_RETRIES:-1}
VM_TIMEOUT=${VQTEST_VM_TIMEOUT:-1800}
LOGDIR=$BUILD/check

case "${1:-}" in
-h|--help) awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
-*) echo "check: unknown option $1" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206  # KVERS is a word list
[ $# -gt 0 ] || set -- ${KVERS:-6.1 6.12}
mkdir -p "$LOGDIR"

passed=0 failed=0 skipped=0
summary=()	# lines printed again at the end
note() { summary+=("$*"); }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }
t_all=$(now)

# totals FILE: sum of all kselftest Totals lines in FILE, as
# "lines pass fail skip" (pass includes xfail, fail includes xpass, error).
totals() {
	awk '
	/# Totals: pass:[0-9]+ fail:[0-9]+/ {
		line = substr($0, index($0, "# Totals:"))
		n = split(line, f, /[ :]+/)
		for (i = 1; i < n; i++) v[f[i]] = f[i + 1] + 0
		p += v["pass"] + v["xfail"]; x += v["fail"] + v["xpass"] + v["error"]
		s += v["skip"]; c++
	}
	END { printf "%d %d %d %d\n", c, p, x, s }' "$1"
}

# tap FILE: TAP results at the start of a line in FILE, as
# "lines pass fail skip". Nested (indented) subtests are not counted.
tap() {
	awk '
	/^ok / { c++; if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++; else p++ }
	/^not ok / { c++; if ($0 ~ /# *TODO/) p++; else x++ }
	/^Bail out!/ { c++; x++ }
	END { printf "%d %d %d %d\n", c, p, x, s }' "$1"
}

# --- 1. Userspace unit tests ----------------------------------------------
echo "==== unit tests"
if [ "${VQTEST_UNIT:-1}" = 0 ]; then
	note "unit: SKIPPED (VQTEST_UNIT=0)"
	echo "check: unit tests skipped (VQTEST_UNIT=0)"
elif [ ! -f "$TOP/lib/Makefile" ] || [ ! -f "$TOP/tools/ring/Makefile" ]; then
	note "unit: SKIPPED: lib/ or tools/ring/ has no Makefile yet"
	echo "check: unit tests skipped: lib/ or tools/ring/ has no Makefile yet"
else
	t0=$(now)
	set +e
	make -s -C "$TOP" unit fuzz-check 2>&1 | tee "$LOGDIR/unit.log"
	rc=${PIPESTATUS[0]}
	set -e
	read -r c p x s < <(tap "$LOGDIR/unit.log")
	mapfile -t bad < <(grep -E '^(not ok|Bail out!)' "$LOGDIR/unit.log" | head -n 8)
	if [ "$rc" != 0 ] && [ "$x" = 0 ]; then
		x=1	# the build or a runner failed without a failed test
	elif [ "$c" = 0 ]; then
		p=1	# no TAP output: the make target is the test
	fi
	passed=$((passed + p)) failed=$((failed + x)) skipped=$((skipped + s))
	note "unit: $p passed, $x failed, $s skipped (make rc=$rc), $(since "$t0")s"
	for b in "${bad[@]}"; do note "    $b"; done
fi

# --- 2. Selftests in a VM per kernel --------------------------------------
# The selftests (the guest's /tests) and the tools' kselftest-style smoke
# runs, e.g. vqtest_bench (the guest's /usr/bin): every vqtest_* of both.
tests=() cmds=()
for t in "$USR"/selftests/bin/vqtest_* "$USR"/tools/bin/vqtest_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	tests+=("$(basename "$t")")
	case "$t" in
	"$USR"/tools/*) cmds+=("/usr/bin/${t##*/}") ;;
	*) cmds+=("/tests/${t##*/}") ;;
	esac
done
if [ ${#tests[@]} -eq 0 ]; then
	echo "check: no selftests in $USR/selftests/bin: each VM only loads and unloads vqtest"
fi

for k in "$@"; do
	echo "==== selftests on $k"
	log=$LOGDIR/$k.log console=$LOGDIR/$k.console.log stfile=$LOGDIR/$k.status
	rm -f "$stfile" "$console"
	t0=$(now)
	vm_timeout=$VM_TIMEOUT
	if [ -n "${VQTEST_DEADLINE:-}" ]; then
		left=$((VQTEST_DEADLINE - $(date +%s)))
		((left >= vm_timeout)) || vm_timeout=$((left > 60 ? left : 60))
	fi
	kp=0 kf=0 ks=0
	lines=()
	boot=0
	while :; do
		boot=$((boot + 1))
		set +e
		"$TOP/tools/vm/run" -k "$k" -t "$TEST_TIMEOUT" -T "$vm_timeout" -l "$console" -s "$stfile" \
			-- "${cmds[@]:-true}" 2>&1 | tee "$log"
		set -e
		# A kernel that died booting, before our init printed a line
		# (so before vqtest was loaded): TCG has been seen to trip on the
		# kernel's own text patching there (int3 in sched_clock_cpu on
		# 6.12-rt). That is no test result: boot once more, and say so.
		[ "$boot" -le "$BOOT_RETRIES" ] && [ -f "$console" ] &&
			! grep -q '^VQTEST-VM' "$console" &&
			! grep -q 'Modules linked in:.*vqtest' "$console" &&
			grep -qE 'Kernel panic|Oops|BUG:' "$console" || break
		cp "$console" "$LOGDIR/$k.console.boot$boot.log"
		lines+=("VM boot $boot died before init ($(grep -m1 -E 'Oops|BUG:|Kernel panic' "$console" | sed 's/^\[[ 0-9.]*\] //'); log $k.console.boot$boot.log): booted again")
		echo "check: $k: the kernel died while booting, before vqtest was loaded: booting again"
		rm -f "$stfile" "$console"
	done
	secs=$(since "$t0")

	# The VM's own verdict, as written by tools/vm/run -s.
	result='' dmesg_ok=0 taint_ok=0 timed_out=0 status=''
	# shellcheck disable=SC1090
	[ -f "$stfile" ] && . "$stfile"
	if [ ! -f "$stfile" ]; then
		# Not installed, no module...: one failure, the tests never ran.
		kf=1; lines+=("VM did not start: $(grep -m1 -E '^(vm|kver.sh):' "$log" || echo "see $log")")
		passed=$((passed + kp)) failed=$((failed + kf))
		note "$k: 0 passed, 1 failed, VM did not start"
		for l in "${lines[@]}"; do note "    $l"; done
		continue
	elif [ -z "$result" ]; then
		kf=$((kf + 1))
		if [ "$timed_out" = 1 ]; then lines+=("VM timed out"); else lines+=("VM crashed: no result"); fi
	elif [ "$dmesg_ok$taint_ok" != 11 ]; then
		kf=$((kf + 1)); lines+=("VM dmesg/taint check FAILED")
	fi

	if [ ${#tests[@]} -eq 0 ]; then
		# The smoke run is the test: modprobe, rmmod, clean dmesg.
		if [ "$status" = 0 ]; then
			kp=1; lines+=("load/unload: ok")
		elif [ "$kf" = 0 ]; then
			kf=1; lines+=("load/unload: FAILED (result ${result:-none})")
		fi
	else
		# Per selftest: its section between the CMD-BEGIN/END markers.
		i=0
		for t in "${tests[@]}"; do
			i=$((i + 1))
			sect=$(mktemp)
			[ -f "$console" ] && awk -v b="VQTEST-VM-CMD-BEGIN $i/" -v e="VQTEST-VM-CMD-END $i/" '
				index($0, b) { on = 1 } on { print } index($0, e) { exit }' \
				"$console" >"$sect"
			read -r c p x s < <(totals "$sect")
			rc=$(sed -n 's/.*VQTEST-VM-CMD-END [0-9]*\/[0-9]*: rc=\([0-9]*\).*/\1/p' "$sect")
			# the failed tests by name, so the summary alone says what broke
			mapfile -t bad < <(sed -n 's/^not ok [0-9]* \([^#]*\).*/\1/p' "$sect" | head -n 8)
			rm -f "$sect"
			if [ "$c" = 0 ]; then
				x=1 p=0 s=0
				why="no Totals line (rc=${rc:-none: did not finish})"
			elif [ -n "$rc" ] && [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$x" = 0 ]; then
				x=1 why="exited rc=$rc with no failed test"
			else
				why="rc=${rc:-none}"
			fi
			kp=$((kp + p)) kf=$((kf + x)) ks=$((ks + s))
			lines+=("$(printf '%-28s %4d passed %4d failed %4d skipped  %s' "$t" "$p" "$x" "$s" "$why")")
			for b in "${bad[@]}"; do lines+=("    not ok: $b"); done
		done
	fi

	passed=$((passed + kp)) failed=$((failed + kf)) skipped=$((skipped + ks))
	note "$k: $kp passed, $kf failed, $ks skipped, VM ${secs}s"
	for l in "${lines[@]}"; do note "    $l"; done
done

# --- Summary --------------------------------------------------------------
echo "==== summary (logs in $LOGDIR)"
printf '%s\n' "${summary[@]}"
echo "total time $(since "$t_all")s, $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
