#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/lint.sh: the static checks of `make lint`, each file on its own line.
#
# usage: tools/lint.sh
#
#   checkpatch  $BUILD/lint/checkpatch.pl --strict (from Debian's
#               linux-source, extracted by tools/deps.sh) on kmod/*.[ch]
#               and uapi/linux/*.h, the kernel code
#   sparse      tools/build-kmod.sh with C=2 (sparse on every file, W=1)
#               for each kernel in LINT_KVERS (default "6.1 6.12"), in
#               $BUILD/lint/sparse so the normal builds are left alone; any
#               "warning:" or "error:" line fails
#   cppcheck    --enable=warning,performance,portability on every C file of
#               lib/ and tools/ but the BPF programs (*.bpf.c, which need
#               vmlinux.h). Not "style": its scope and redundancy hints
#               contradict the kernel style the userspace code follows, and
#               cppcheck 2.10 misreads `*(c ? &a : &b) += x`.
#   shell       every shell script in git, shellcheck -S warning
#
# Files are the ones git tracks (all of them outside a git checkout).
# A finding that the owner of a file has not fixed yet can be listed in
# tools/lint-known.txt ("TOOL FILE: message", one a line, the message
# without its line number so that edits elsewhere keep it matching): it is then
# reported as SKIP with the message instead of failing, and an entry that no
# longer occurs fails, so the list only shrinks. Prints TAP; the last line
# is "N passed, N failed". Needs: tools/deps.sh --lint.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KNOWN=$TOP/tools/lint-known.txt
LINT_KVERS=${LINT_KVERS:-6.1 6.12}
cd "$TOP" || exit 1

case "${1:-}" in
-h|--help) awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
"") ;;
*) echo "lint: unknown argument '$1'" >&2; exit 2 ;;
esac

n=0 failed=0 skipped=0 t_all=$(date +%s)
used_known=()

files() {
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$TOP" ls-files -- "$@"
	else
		for p in "$@"; do find . -path "./build" -prune -o -path "./$p" -print | sed 's|^\./||'; done
	fi
}

# report TOOL FILE FINDINGS: one TAP line; findings listed in KNOWN are
# SKIPs, any other finding fails.
report() {
	local tool=$1 file=$2 findings=$3 line key new='' known=''
	n=$((n + 1))
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		key="$tool $file: $(sed -E 's/^[0-9]+:([0-9]+:)? *//' <<<"$line")"
		if [ -f "$KNOWN" ] && grep -qxF "$key" "$KNOWN"; then
			known+="$line"$'\n'
			used_known+=("$key")
		else
			new+="$line"$'\n'
		fi
	done <<<"$findings"
	if [ -n "$new" ]; then
		echo "not ok $n - $tool: $file"
		printf '%s' "$new" | sed 's/^/#   /'
		failed=$((failed + 1))
	elif [ -n "$known" ]; then
		echo "ok $n - $tool: $file # SKIP known finding, listed in tools/lint-known.txt"
		printf '%s' "$known" | sed 's/^/#   /'
		skipped=$((skipped + 1))
	else
		echo "ok $n - $tool: $file"
	fi
}

# --- checkpatch --strict ------------------------------------------------------
CP=$BUILD/lint/checkpatch.pl
if [ ! -x "$CP" ]; then
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - checkpatch: $CP missing (run tools/deps.sh)"
else
	for f in $(files 'kmod/*.[ch]' 'uapi/linux/*.h'); do
		# --no-tree: not a kernel tree; --terse: one line a finding.
		out=$("$CP" --strict --no-tree --terse --no-summary --show-types \
			--ignore FILE_PATH_CHANGES -f "$f" 2>&1)
		report checkpatch "$f" "$(sed "s|^$f:||" <<<"$out")"
	done
fi

# --- sparse through kbuild, per kernel -------------------------------------------
for k in $LINT_KVERS; do
	out=$(BUILD=$BUILD/lint/sparse C=2 V=0 "$TOP/tools/build-kmod.sh" --kver "$k" 2>&1)
	rc=$?
	rel=$("$TOP/tools/kver.sh" "$k" 2>/dev/null) || rel=$k
	log=$BUILD/lint/sparse/$rel/mod/build.log
	findings=$(grep -E '(warning|error):' "$log" 2>/dev/null | sed "s|$BUILD/lint/sparse/$rel/mod/||" | sort -u)
	if [ "$rc" != 0 ] && [ -z "$findings" ]; then
		findings=$(tail -n 5 <<<"$out")
	fi
	report sparse "vqtest.ko ($k, C=2 W=1)" "$findings"
	grep -c '^ *CHECK ' "$log" 2>/dev/null | sed 's/^/#   sparse checked /; s/$/ files/'
done

# --- cppcheck on lib/ and tools/ ----------------------------------------------------
if ! command -v cppcheck >/dev/null; then
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - cppcheck: not installed (run tools/deps.sh --lint)"
else
	mapfile -t cfiles < <(files 'lib/*.c' 'tools/*.c' | grep -v '\.bpf\.c$' | grep -v '/corpus/')
	out=$(cppcheck --quiet --enable=warning,performance,portability --std=c11 \
		--inline-suppr -D_GNU_SOURCE -D__x86_64__ -D__linux__ \
		-I lib/include -I uapi -I lib -I lib/tests -I kmod -I tools/ring \
		--template='{file}:{line}: {severity}: {message} [{id}]' \
		"${cfiles[@]}" 2>&1)
	for f in "${cfiles[@]}"; do
		report cppcheck "$f" "$(grep -F "$f:" <<<"$out" | sed "s|^$f:||")"
	done
	# Anything not attributed to one of the files (a header, a crash)
	rest=$(grep -v -F -f <(printf '%s:\n' "${cfiles[@]}") <<<"$out" | grep .)
	[ -z "$rest" ] || report cppcheck "(other)" "$rest"
fi

# --- shellcheck -------------------------------------------------------------------
if ! command -v shellcheck >/dev/null; then
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - shellcheck: not installed (run tools/deps.sh --lint)"
else
	for f in $(files '*'); do
		[ -f "$f" ] || continue
		head -n 1 "$f" | grep -qE '^#!.*[/ ](ba)?sh( |$)' || continue
		out=$(shellcheck -S warning -f gcc "$f" 2>&1)
		report shellcheck "$f" "$(sed "s|^$f:||" <<<"$out")"
	done
fi

# --- stale known findings ------------------------------------------------------------
if [ -f "$KNOWN" ]; then
	while IFS= read -r line; do
		case "$line" in ''|'#'*) continue ;; esac
		found=0
		for u in "${used_known[@]}"; do [ "$u" = "$line" ] && found=1 && break; done
		if [ "$found" = 0 ]; then
			n=$((n + 1)) failed=$((failed + 1))
			echo "not ok $n - lint-known.txt: no longer found, remove it: $line"
		fi
	done <"$KNOWN"
fi

echo "1..$n"
echo "# lint: $(($(date +%s) - t_all))s, $skipped skipped (known findings)"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
