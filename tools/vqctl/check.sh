#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every vqctl command against libvq's in-process test device.
vqctl=$1
pass=0 fail=0
run() {
	name=$1
	shift
	if out=$("$vqctl" -d tdev "$@" 2>&1); then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		fail=$((fail + 1))
		echo "not ok - $name"
		echo "$out" | sed 's/^/#   /'
	fi
}
run info info
run info-json info --json
for b in echo sink source null blk; do
	run "demo-$b" demo --chains 20000 --behaviour $b
done
run demo-no-event-idx demo --chains 20000 --no-event-idx
run demo-no-indirect demo --chains 20000 --no-indirect --size 16
run demo-json demo --chains 1000 --json
if "$vqctl" -d tdev demo --behaviour bogus >/dev/null 2>&1; then
	fail=$((fail + 1)); echo "not ok - bad-behaviour"
else
	pass=$((pass + 1)); echo "ok - bad-behaviour"
fi
echo "vqctl: $pass passed, $fail failed"
[ $fail -eq 0 ]
