#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench/guest.sh: the comparison, inside the VM (busybox sh). Run by
# tools/bench/run as the VM's one command; installed as /usr/bin/bench-guest
# with its configuration /usr/bin/bench-guest.conf (shell variables, below)
# and the payload kernel-bench.sh built (virtio_test, ringtest-*, the
# vhost modules and bench-modules.order).
#
# Configuration (bench-guest.conf):
#   REPS        repetitions of every configuration (5)
#   BATCHES     batch sizes ("1 64")
#   PLACEMENTS  "same split": driver and worker on vCPU 0 (same), or the
#               driver on vCPU 0 and the worker on vCPU 1 (split)
#   FEATS       "default noeidx noind": virtio_test's --no-event-idx and
#               --no-indirect, vqbench's equivalents
#   FEAT_BATCHES batch sizes at which the non-default FEATS run ("64")
#   CHAINS      buffers per run (1048576: virtio_test's fixed work)
#   RUN_TIMEOUT seconds before one run is killed (600)
#   LIFECYCLE   1: the per-queue memory and create/destroy timing too
#   RING_BATCHES batch sizes at which vqtest also runs ringtest's loop
#               (vqtest-ring, beside ringtest-sleep; "64")
#   SWEEP       1: vqbench sweep (burst loop, batch 1 to 256, same vCPU)
#   TRACECOST   1: vqtest.ko against a build without tracepoints
#               (/usr/bin/vqtest-notrace.ko), device-bound runs
#   VQPROC      1: also vqtest-process (same vCPU, default features): the
#               same loop kicking through VQTEST_QUEUE_PROCESS
#   VQINLINE    1: also vqtest-inline (same vCPU, every feature set): the
#               same loop on a VQTEST_QUEUE_F_INLINE queue
#
# Every run is framed for the host, which timestamps the frames and reads
# its own load at each (tools/bench/run):
#   BENCH-REP-BEGIN id=N bench=B place=P feat=F batch=N rep=R
#   ... the run's output: a vqbench "time" JSON line; vqbench's run JSON;
#       virtio_test's "vt-counters: kicks=N calls=N" ...
#   BENCH-REP-END id=N rc=N
# Within a repetition the benchmarks run back to back, their order
# rotated from one repetition to the next, so slow drift in the host's
# load does not favour one of them.
set -u

REPS=5 BATCHES="1 64" PLACEMENTS="same split" FEATS="default"
FEAT_BATCHES=64 CHAINS=1048576 RUN_TIMEOUT=600 LIFECYCLE=1 VQPROC=1
TRACECOST=1 RING_BATCHES=64 SWEEP=1 VQINLINE=1
# shellcheck source=/dev/null
[ -f /usr/bin/bench-guest.conf ] && . /usr/bin/bench-guest.conf

echo "BENCH-INFO kernel=$(uname -r) vcpus=$(nproc) chains=$CHAINS reps=$REPS batches='$BATCHES' placements='$PLACEMENTS' feats='$FEATS'"

# --- vhost: Debian's vhost.ko (and deps), then the out-of-tree vhost_test -
for m in $(cat /usr/bin/bench-modules.order); do
	insmod "/usr/bin/$m" || { echo "BENCH-ERROR insmod $m failed"; exit 1; }
done
[ -c /dev/vhost-test ] || { echo "BENCH-ERROR no /dev/vhost-test"; exit 1; }
echo "BENCH-INFO modules: $(grep -E '^(vhost|vhost_iotlb|vhost_test|vqtest) ' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')"

id=0
frame() { # BENCH PLACE FEAT BATCH REP -- COMMAND...
	b=$1 p=$2 f=$3 n=$4 r=$5
	shift 6
	id=$((id + 1))
	echo "BENCH-REP-BEGIN id=$id bench=$b place=$p feat=$f batch=$n rep=$r"
	timeout -s KILL "$RUN_TIMEOUT" "$@" 2>&1
	rc=$?
	echo "BENCH-REP-END id=$id rc=$rc"
}

# the command-line flag of a feature set, the same for virtio_test and vqbench
feat_flags() { # FEAT
	case $1 in
	noeidx) echo --no-event-idx ;;
	noind) echo --no-indirect ;;
	esac
}

run_vhost() { # PLACE FEAT BATCH REP
	vf=$(feat_flags "$2")
	if [ "$1" = same ]; then
		# the vhost worker inherits the owner's affinity: both on 0
		frame vhost_test "$@" -- vqbench time --chains "$CHAINS" \
			--label vhost_test -- taskset -c 0 virtio_test \
			--batch="$3" $vf
	else
		# worker made on 1, then the driver thread moves to 0
		frame vhost_test "$@" -- env VT_DRIVER_CPU=0 vqbench time \
			--chains "$CHAINS" --label vhost_test -- \
			taskset -c 1 virtio_test --batch="$3" $vf
	fi
}

run_vqtest() { # PLACE FEAT BATCH REP
	vf=$(feat_flags "$2")
	# virtio_test's work: one 1 KiB readable buffer per chain, the same
	# buffer every time, its window loop; sink does not read the bytes,
	# as vhost_test does not
	frame vqtest "$@" -- vqbench time --chains "$CHAINS" --label vqtest -- \
		vqbench -B sink -n 256 --out 1:1024 -c "$CHAINS" -l window \
		-b "$3" --shared-buf -P "$1" --lat-samples 0 --json \
		--no-progress $vf
}

# The same work in the driver's own thread, on vCPU 0 (no placement):
# vqtest-process has no kick eventfd, the driver runs the device
# (VQTEST_QUEUE_PROCESS) wherever it would have kicked; vqtest-inline's
# kicks (VQTEST_QUEUE_F_INLINE) are served on the way back from write().
# No worker, no wakeup: what the ring work costs without the scheduler.
run_vqself() { # LABEL VQBENCH-OPTION PLACE FEAT BATCH REP
	label=$1 opt=$2
	shift 2
	vf=$(feat_flags "$2")
	frame "$label" "$@" -- vqbench time --chains "$CHAINS" \
		--label "$label" -- vqbench -B sink -n 256 --out 1:1024 \
		-c "$CHAINS" -l window -b "$3" --shared-buf -P same "$opt" \
		--lat-samples 0 --json --no-progress $vf
}

# ringtest's own loop on vqtest (the ring kept full, a kick every BATCH
# chains, sleep on the call eventfd): the like-for-like for ringtest-sleep
run_vqring() { # PLACE FEAT BATCH REP
	frame vqtest-ring "$@" -- vqbench time --chains "$CHAINS" \
		--label vqtest-ring -- vqbench -B sink -n 256 --out 1:1024 \
		-c "$CHAINS" -l ring -w sleep -b "$3" --shared-buf -P "$1" \
		--lat-samples 0 --json --no-progress
}

run_ring() { # MODE PLACE FEAT BATCH REP
	mode=$1
	shift
	host=0
	[ "$1" = split ] && host=1
	sl=
	[ "$mode" = sleep ] && sl=--sleep
	frame "ringtest-$mode" "$@" -- vqbench time --chains "$CHAINS" \
		--label "ringtest-$mode" -- ringtest-virtio_ring_0_9 \
		--run-cycles "$CHAINS" --ring-size 256 --batch "$3" \
		--guest-affinity 0 --host-affinity "$host" $sl
}

# One repetition of one configuration: the order rotates with the rep.
rep_all() { # PLACE FEAT BATCH REP
	rot=$(($4 % 4))
	for k in 0 1 2 3; do
		case $(((k + rot) % 4)) in
		0) run_vhost "$@" ;;
		1)
			run_vqtest "$@"
			[ "$1" = same ] && [ "$VQINLINE" = 1 ] &&
				run_vqself vqtest-inline --inline "$@"
			;;
		2)
			[ "$2" = default ] || continue
			run_ring sleep "$@"
			# two spinning threads on one vCPU only measure the tick
			[ "$1" = split ] && run_ring poll "$@"
			case " $RING_BATCHES " in
			*" $3 "*) run_vqring "$@" ;;
			esac
			;;
		3)
			# one thread: the placement does not apply
			[ "$1" = same ] && [ "$2" = default ] && [ "$VQPROC" = 1 ] &&
				run_vqself vqtest-process --process "$@"
			;;
		esac
	done
}

t0=$(cut -d' ' -f1 /proc/uptime)
for p in $PLACEMENTS; do
	for f in $FEATS; do
		bl=$BATCHES
		[ "$f" = default ] || bl=$FEAT_BATCHES
		for n in $bl; do
			r=1
			while [ "$r" -le "$REPS" ]; do
				rep_all "$p" "$f" "$n" "$r"
				r=$((r + 1))
			done
		done
	done
done

# What the tracepoints cost while disabled: the same device-bound run
# (synchronous kicks, batch 64: its time is the ring walk's) on vqtest.ko
# and on a build without tracepoints (VQTEST_NO_TRACE=1), alternated.
swap_vqtest() { # KO|"" (the normal one)
	rmmod vqtest || return 1
	if [ -n "$1" ]; then insmod "$1"; else modprobe vqtest; fi
}
if [ "$TRACECOST" = 1 ] && [ -f /usr/bin/vqtest-notrace.ko ]; then
	r=1
	while [ "$r" -le "$REPS" ]; do
		for v in $(if [ $((r % 2)) = 1 ]; then echo trace notrace; else echo notrace trace; fi); do
			if [ "$v" = notrace ]; then
				swap_vqtest /usr/bin/vqtest-notrace.ko || break
			fi
			frame "vqtest-$v" same default 64 "$r" -- vqbench time \
				--chains "$CHAINS" --label "vqtest-$v" -- vqbench \
				-B sink -n 256 --out 1:1024 -c "$CHAINS" -l window \
				-b 64 --shared-buf -P same --process --lat-samples 0 \
				--json --no-progress
			if [ "$v" = notrace ]; then
				swap_vqtest "" || { echo "BENCH-ERROR cannot reload vqtest"; exit 1; }
			fi
		done
		r=$((r + 1))
	done
fi

# vqbench's own sweep: chains/s against the batch size in its burst loop
# (N chains per kick, sleep on the call), same vCPU; the host plots it
if [ "$SWEEP" = 1 ]; then
	vqbench sweep -B sink -n 256 --out 1:1024 -l burst -w sleep -P same \
		--batches 1,2,4,8,16,32,64,128,256 -c 100000 --reps 3 \
		--quiet --no-progress --data /tmp/sweep.dat --plot /tmp/sweep.png \
		2>/dev/null
	echo "BENCH-SWEEP-BEGIN"
	cat /tmp/sweep.dat
	echo "BENCH-SWEEP-END"
fi

if [ "$LIFECYCLE" = 1 ]; then
	echo "BENCH-LIFECYCLE-BEGIN"
	vqbench lifecycle -q 1000 -n 256 --reps 5 --json
	vqbench lifecycle -q 1000 -n 256 --reps 3 --fds --json
	echo "BENCH-LIFECYCLE-END"
fi
echo "BENCH-DONE seconds=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print b - a }')"
