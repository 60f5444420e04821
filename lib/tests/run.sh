#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
# Run libvq's unit test binaries, each under a timeout; one summary line.
pass=0 fail=0
for t in "$@"; do
	echo "# $(basename "$t")"
	out=$(timeout 600 "$t" 2>&1)
	rc=$?
	echo "$out"
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "# $(basename "$t") exited $rc"
		fail=$((fail + 1))
	fi
done
echo "libvq: $pass passed, $fail failed"
[ $fail -eq 0 ]
