# SPDX-License-Identifier: GPL-2.0
#
# vqtest top-level Makefile.
#
#   make                 module for every kernel in KVERS, libvq, tools, selftests
#   make KDIR=/path      module for that one kernel build tree only
#   make check           deps, build, unit tests, selftests in a VM per kernel
#   make demo            boot the default kernel and push traffic through vqtest
#
# Everything is built under $(BUILD) (default ./build), never beside the
# sources: the module per kernel in $(BUILD)/<release>/mod, userspace in
# $(BUILD)/user.

TOP	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD	?= $(TOP)/build
USR	:= $(BUILD)/user
KVERS	?= 6.1 6.12
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

.PHONY: all deps modules lib tools selftests unit fuzz check check-vm demo \
	install uninstall clean help $(addprefix module-,$(KTARGETS))

all: modules lib tools selftests

help:
	@sed -n '3,12p' $(TOP)/Makefile

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

# Userspace unit tests: the ring walk and libvq's split queue, no kernel.
unit: lib
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring check
	$(Q)$(MAKE) -s -C $(TOP)/lib O=$(USR)/lib check

# libFuzzer on the ring walk; the committed corpus is replayed first.
FUZZ_SECONDS ?= 60
fuzz:
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring fuzz-replay
	$(Q)$(MAKE) -s -C $(TOP)/tools/ring O=$(USR)/ring fuzz \
		FUZZ_SECONDS=$(FUZZ_SECONDS)

check:
	$(Q)$(TOP)/tools/deps.sh
	$(Q)$(MAKE) -s all
	$(Q)$(TOP)/tools/check.sh $(KVERS)

demo:
	$(Q)$(TOP)/tools/deps.sh
	$(Q)$(MAKE) -s KVERS=$(DEMO_KVER) all
	$(Q)$(TOP)/tools/vm/run -q -k $(DEMO_KVER) -- 'vqctl info' 'vqctl demo'

install:
	$(Q)$(TOP)/tools/install.sh install

uninstall:
	$(Q)$(TOP)/tools/install.sh uninstall

clean:
	rm -rf $(BUILD)
