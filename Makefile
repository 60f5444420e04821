# SPDX-License-Identifier: GPL-2.0
#
# vqtest top-level Makefile.
#
#   make                 module for every kernel in KVERS, libvq, tools, selftests
#   make KDIR=/path      module for that one kernel build tree only
#   make check           deps, build, unit tests, selftests in a VM per kernel
#   make check-matrix    the same on KVERS plus KVERS_EXTRA (6.12-rt, sid's newest)
#   make demo            boot the default kernel and push traffic through vqtest
#   make bench           vqtest against vhost_test and ringtest in one VM (BENCH_KVER)
#   make install         DESTDIR=, PREFIX= (/usr/local), VQTEST_GROUP=; uninstall
#   make install-dkms    the module's sources in /usr/src, dkms install; uninstall-dkms
#   make lint            checkpatch --strict, sparse, cppcheck, shellcheck
#   make check-dkms      dkms add/build/install per host kernel, boot, remove
#   make debug-kernel    a 6.12 with KASAN, lockdep, fault injection... (tools/debug-kernel)
#   make check-debug     every selftest on it, panic_on_warn (stress, fail-nth sweep)
#   make fuzz            libFuzzer on kmod/ring.c for FUZZ_SECONDS; fuzz-cov: coverage
#
# Everything is built under $(BUILD) (default ./build), never beside the
# sources: the module per kernel in $(BUILD)/<release>/mod, userspace in
# $(BUILD)/user.

TOP	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD	?= $(TOP)/build
USR	:= $(BUILD)/user
KVERS	?= 6.1 6.12
# check-matrix adds these; "sid" is sid's newest kernel, whatever its version
# today (tools/sid-chroot.sh sets it up and names it, e.g. 7.2).
KVERS_EXTRA ?= 6.12-rt sid
DEMO_KVER ?= 6.12
V	?= 0

ifeq ($(V),1)
Q :=
else
Q := @
endif

export TOP BUILD USR V

# The kernel releases to build for: "make KDIR=..." builds one tree; otherwise
# every short name in KVERS is resolved to an installed Debian kernel.
ifneq ($(KDIR),)
KTARGETS := kdir
else
KTARGETS := $(KVERS)
endif

.PHONY: all deps modules lib tools selftests unit fuzz fuzz-check fuzz-cov \
	debug-kernel check-debug check check-vm demo bench \
	install uninstall install-dkms uninstall-dkms check-install check-matrix check-dkms lint clean help \
	$(addprefix module-,$(KTARGETS))

all: modules lib tools selftests

help:
	@sed -n '3,20p' $(TOP)/Makefile

deps:
	$(Q)$(TOP)/tools/deps.sh

modules: $(addprefix module-,$(KTARGETS))

module-kdir:
	$(Q)$(TOP)/tools/build-kmod.sh --kdir "$(KDIR)"

# A static pattern rule: make never applies plain pattern rules to .PHONY
# targets, so "module-%:" alone built nothing.
$(addprefix module-,$(KVERS)): module-%:
	$(Q)$(TOP)/tools/build-kmod.sh --kver "$*"

lib:
	$(Q)$(MAKE) -s -C $(TOP)/lib O=$(USR)/lib

tools: lib
	$(Q)$(MAKE) -s -C $(TOP)/tools O=$(USR)/tools LIBDIR=$(USR)/lib

selftests: lib
	$(Q)$(MAKE) -s -C $(TOP)/selftests O=$(USR)/selftests LIBDIR=$(USR)/lib \
		KSFT_DIR=$(BUILD)/ksft
	$(Q)# libvq's own tests and example run against the module in the VM too
	$(Q)$(MAKE) -s -C $(TOP)/lib O=$(USR)/lib tests examples
	$(Q)install -m 755 $(USR)/lib/tests/test_split-static \
		$(USR)/selftests/bin/libvq_test_split
	$(Q)install -m 755 $(USR)/lib/examples/echo_client-static \
		$(USR)/selftests/bin/libvq_echo_client
	$(Q)install -m 755 $(TOP)/lib/tests/vqtest_libvq.sh \
		$(USR)/selftests/bin/vqtest_libvq

# Userspace unit tests: the ring walk and libvq's split queue, no kernel.
# And the install test (kernel headers, but no kernel: DESTDIR only).
unit: lib
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring check
	$(Q)$(MAKE) -s -C $(TOP)/lib O=$(USR)/lib check
	$(Q)$(MAKE) -s check-install

# libFuzzer on the ring walk; the committed corpus is replayed first.
FUZZ_SECONDS ?= 60
fuzz:
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring fuzz-replay
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring fuzz \
		FUZZ_SECONDS=$(FUZZ_SECONDS)

# make check's share (tools/check.sh, with the unit tests): one TAP line.
fuzz-check:
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring fuzz-check \
		FUZZ_SECONDS=$(FUZZ_SECONDS)

# Line and branch coverage of kmod/ring.c by the corpus (llvm-cov).
fuzz-cov:
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring coverage

# The debug kernel, and every selftest on it with panic_on_warn (the unit
# tests ran in make check). VQTEST_APPEND reaches the guest's environment
# through the kernel command line, e.g. VQTEST_STRESS_SECONDS=120.
debug-kernel:
	$(Q)$(TOP)/tools/debug-kernel/build.sh

check-debug: debug-kernel
	$(Q)$(TOP)/tools/deps.sh
	$(Q)$(MAKE) -s KVERS=debug all
	$(Q)VQTEST_PANIC_ON_WARN=1 VQTEST_UNIT=0 $(TOP)/tools/check.sh debug

check:
	$(Q)$(TOP)/tools/deps.sh
	$(Q)$(MAKE) -s all
	$(Q)$(TOP)/tools/check.sh $(KVERS)

# The comparison with the kernel's own benchmarks; BENCH_ARGS go to
# tools/bench/run (e.g. BENCH_ARGS=--quick). Results: build/bench/latest.
BENCH_KVER ?= 6.12
bench:
	$(Q)$(TOP)/tools/deps.sh
	$(Q)$(MAKE) -s KVERS=$(BENCH_KVER) modules lib tools
	$(Q)$(TOP)/tools/bench/run --no-build -k $(BENCH_KVER) $(BENCH_ARGS)

demo:
	$(Q)$(TOP)/tools/deps.sh
	$(Q)$(MAKE) -s KVERS=$(DEMO_KVER) all
	$(Q)$(TOP)/tools/vm/run -q -k $(DEMO_KVER) -- 'vqctl info' 'vqctl demo'

# tools/install.sh says what goes where; these variables reach it.
INSTALL_VARS = DESTDIR="$(DESTDIR)" PREFIX="$(or $(PREFIX),/usr/local)" \
	KVERS="$(KVERS)" KDIR="$(KDIR)" VQTEST_GROUP="$(VQTEST_GROUP)"

install: modules lib tools
	$(Q)$(INSTALL_VARS) $(TOP)/tools/install.sh install

uninstall:
	$(Q)$(INSTALL_VARS) $(TOP)/tools/install.sh uninstall

# The module's sources alone in /usr/src/vqtest-VERSION, then dkms install
# (not under a DESTDIR); uninstall-dkms: dkms remove --all and the sources.
install-dkms uninstall-dkms:
	$(Q)$(INSTALL_VARS) $(TOP)/tools/install.sh $@

# install + uninstall into a temporary DESTDIR, every file checked (TAP)
check-install: modules lib tools
	$(Q)KVERS="$(KVERS)" $(TOP)/tools/install-test.sh

# Selftests on every supported kernel: KVERS plus KVERS_EXTRA. CI runs
# "make check" and then "make check-matrix KVERS= VQTEST_UNIT=0" (the
# extra kernels only, no second run of the unit tests).
check-matrix:
	$(Q)$(TOP)/tools/deps.sh --matrix
	$(Q)set -e; kv="$(KVERS) $(KVERS_EXTRA)"; \
	case " $$kv " in *" sid "*) \
		sid=$$($(TOP)/tools/sid-chroot.sh); \
		kv=$$(echo " $$kv " | sed "s/ sid / $$sid /"); \
	esac; \
	kv=$$(echo $$kv); \
	$(MAKE) -s KVERS="$$kv" all; \
	$(TOP)/tools/check.sh $$kv

# dkms add/build/install for every host kernel, a VM boot per kernel with
# the dkms-built module, then dkms remove --all (root).
check-dkms: lib tools
	$(Q)$(TOP)/tools/dkms-test.sh

lint:
	$(Q)$(TOP)/tools/deps.sh --lint
	$(Q)$(TOP)/tools/lint.sh

clean:
	rm -rf $(BUILD)
