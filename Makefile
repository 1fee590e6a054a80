# SPDX-License-Identifier: GPL-2.0
# Bulkhead: `make` builds everything, `make check` runs every test,
# `make demo` boots the emulated test machine and enables the hypervisor.

PYTHON := /usr/bin/python3
CC := gcc

# Kernel headers for bulkhead.ko: the test machine's kernel once `make deps`
# fetched it (build/kernel/version), else the running kernel's.  A fresh
# clone thus builds against /lib/modules/$(uname -r)/build; KDIR= overrides.
TEST_KERNEL := $(shell cat build/kernel/version 2>/dev/null)
RUNNING_KERNEL := $(shell uname -r)
ifneq ($(TEST_KERNEL),)
KDIR ?= /usr/src/linux-headers-$(TEST_KERNEL)
else
KDIR ?= /lib/modules/$(RUNNING_KERNEL)/build
endif
# The release the headers in KDIR are for, which names /lib/modules/<release>.
KDIR_RELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
ifeq ($(filter command line environment,$(origin KDIR)),)
NO_HEADERS := no kernel headers at $(KDIR): install linux-headers-$(or $(TEST_KERNEL),$(RUNNING_KERNEL)) or pass KDIR=DIR
else
NO_HEADERS := no kernel headers at $(KDIR): pass KDIR= the build directory of installed kernel headers
endif

STRICT_CFLAGS := -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wstrict-prototypes -Wshadow -Wundef
CONFIG_HEADER := include/generated/config.h
CONFIGS := $(patsubst configs/x86/%.dts,build/configs/%.cell,$(wildcard configs/x86/*.dts))
UNIT_SOURCES := hypervisor/config.c hypervisor/arch/x86/paging.c hypervisor/arch/x86/vmx-caps.c \
	hypervisor/arch/x86/vmx-check.c hypervisor/arch/x86/vmx-check-controls.c \
	hypervisor/arch/x86/vmx-check-host.c hypervisor/arch/x86/vmx-check-guest.c \
	hypervisor/arch/x86/vmx-check-guest-non-register.c \
	hypervisor/arch/x86/ept.c hypervisor/arch/x86/bitmaps.c \
	hypervisor/arch/x86/vmx-names.c hypervisor/console-ring.c
UNIT_TESTS := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))

# The module comes last: without kernel headers everything else is built
# and one line says which package to install.
all: hypervisor tools configs inmates module

deps:
	ci/install-deps

# Build options (Kconfig, Debian's python3-kconfiglib).
.config:
	$(PYTHON) -m alldefconfig Kconfig
defconfig:
	$(PYTHON) -m alldefconfig Kconfig
menuconfig:
	$(PYTHON) -m menuconfig Kconfig
$(CONFIG_HEADER): .config Kconfig
	@mkdir -p $(dir $@)
	$(PYTHON) -m genconfig --header-path $@ Kconfig

hypervisor: $(CONFIG_HEADER)
	$(MAKE) -C hypervisor

module:
	@if test -d "$(KDIR)"; then $(MAKE) --no-print-directory driver; \
	else echo "make: bulkhead.ko not built: $(NO_HEADERS)" >&2; fi
driver:
	@test -d "$(KDIR)" || { echo "make: $(NO_HEADERS)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools: tools/bulkhead
# Static, so the emulated test machine's busybox initramfs can run it.
TOOL_SOURCES := tools/bulkhead.c tools/hardware.c tools/cell.c tools/stats.c tools/console.c \
	hypervisor/arch/x86/vmx-caps.c
tools/bulkhead: $(TOOL_SOURCES) tools/bulkhead.h include/bulkhead/*.h hypervisor/arch/x86/include/asm/vmx-caps.h
	$(CC) $(STRICT_CFLAGS) -static -Iinclude -Ihypervisor/arch/x86/include -o $@ $(TOOL_SOURCES)

# Static user-space probe the test machine runs (CPL 3 hypercall, CPUID, benchmarks).
build/vm/probe: tests/vm/probe/probe.c
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) -static -o $@ $<

configs: $(CONFIGS)
build/configs/%.cell: configs/x86/%.dts tools/bulkhead-config $(wildcard tools/bulkhead_config/*.py)
	@mkdir -p $(dir $@)
	$(PYTHON) tools/bulkhead-config build $< -o $@
# Takes every node of bochs-system.dts through dtc's /include/.
build/configs/bochs-system-3cpu.cell: configs/x86/bochs-system.dts

fixtures: build/configs/bochs-system.cell build/configs/tiny-demo.cell tests/vm/make-fixtures build/vm/probe
	$(PYTHON) tests/vm/make-fixtures build/vm/fixtures build/configs/bochs-system.cell build/configs/tiny-demo.cell

# Bare-metal inmates: the x86 library and the demos as flat binaries
# (inmates/demos/x86/NAME.bin and .elf); inmates/README.md describes them.
inmates:
	$(MAKE) -C inmates
clean: clean-inmates
clean-inmates:
	$(MAKE) -C inmates clean
# The inmate library's unit tests include its sources: rebuild them when those change.
$(filter build/unit/test_inmate_%,$(UNIT_TESTS)): $(wildcard inmates/lib/x86/*.c inmates/lib/x86/*.h)
.PHONY: inmates clean-inmates

# Host unit tests of hypervisor sources, built with the hypervisor's warnings.
# test_hypercall.c and test_cell.c include hypervisor/hypercall.c and hypervisor/cell.c
# themselves, with stand-ins for the rest (tests/unit/cell-stubs.h).
build/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(UNIT_SOURCES) include/bulkhead/*.h \
		hypervisor/hypercall.c hypervisor/cell.c hypervisor/printk.c \
		$(wildcard hypervisor/include/bulkhead-hv/*.h) \
		$(wildcard hypervisor/arch/x86/include/asm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) -Iinclude -Ihypervisor/include -Ihypervisor/arch/x86/include \
		-o $@ $< $(UNIT_SOURCES)

# Every public header must compile on its own.
test-headers:
	@for h in include/bulkhead/*.h; do \
		echo "#include <$${h#include/}>" | $(CC) $(STRICT_CFLAGS) -Iinclude -x c -c -o /dev/null - || exit 1; \
	done; echo "headers: $$(ls include/bulkhead/*.h | wc -l) public headers compile on their own"

test-unit: $(UNIT_TESTS) test-headers
	@for t in $(UNIT_TESTS); do $$t || exit 1; done
	$(PYTHON) -m pytest -q tests/python

vm-test: all fixtures
	$(PYTHON) ci/vm-run

demo: deps
	$(MAKE) all fixtures
	$(PYTHON) ci/vm-run --demo

# The 3-CPU scenarios (smp-demo); `make check` runs them after vm-test.
vm-test-3cpu: all fixtures
	$(PYTHON) ci/vm-run --cpus 3 tests/vm/3cpu/*.sh

# The emulated machine configured from its own archive: the
# 70-config-collect.sh scenario of vm-test sends the archive (and the config
# create wrote there, live) to build/vm/captured/; here create and cell make
# configs of the archive, and a second boot enables Bulkhead with them
# (tests/vm/config/).  `make check` runs it after vm-test.
CAPTURED := build/vm/captured
GENERATED := build/vm/fixtures/generated
vm-test-config: all fixtures
	@test -f $(CAPTURED)/machine.tar.gz || { echo "make: no $(CAPTURED)/machine.tar.gz: run make vm-test first (its 70-config-collect.sh collects the machine)" >&2; exit 1; }
	@mkdir -p $(GENERATED)
	$(PYTHON) tools/bulkhead-config create --from $(CAPTURED)/machine.tar.gz --name bochs-linux -o $(GENERATED)/system.dts
	@cmp $(GENERATED)/system.dts $(CAPTURED)/live-system.dts || { echo "make: create in the machine and create --from its archive wrote different configs" >&2; exit 1; }
	$(PYTHON) tools/bulkhead-config cell $(GENERATED)/system.dts --name tiny-demo --cpus 1 -o $(GENERATED)/tiny-demo.dts
	$(PYTHON) tools/bulkhead-config check $(GENERATED)/system.dts $(GENERATED)/tiny-demo.dts
	$(PYTHON) tools/bulkhead-config build $(GENERATED)/system.dts -o $(GENERATED)/system.cell
	$(PYTHON) tools/bulkhead-config build $(GENERATED)/tiny-demo.dts -o $(GENERATED)/tiny-demo.cell
	$(PYTHON) ci/vm-run tests/vm/config/*.sh

# Figures, not assertions: exit round trips and enable/disable times in the test machine.
bench: deps
	$(MAKE) all fixtures
	$(PYTHON) ci/vm-run --bench

check:
	ci/check

# Installs onto a real machine (DESTDIR for packaging).
install: hypervisor tools configs inmates driver
	install -D -m 644 hypervisor/bulkhead-intel.bin $(DESTDIR)/lib/firmware/bulkhead-intel.bin
	install -D -m 644 driver/bulkhead.ko $(DESTDIR)/lib/modules/$(KDIR_RELEASE)/extra/bulkhead.ko
	install -D -m 755 tools/bulkhead $(DESTDIR)/usr/local/sbin/bulkhead
	install -D -m 644 tools/bulkhead-completion.bash $(DESTDIR)/usr/share/bash-completion/completions/bulkhead
	install -D -m 755 tools/bulkhead-config $(DESTDIR)/usr/local/lib/bulkhead/bulkhead-config
	install -D -m 644 -t $(DESTDIR)/usr/local/lib/bulkhead/bulkhead_config tools/bulkhead_config/*.py
	ln -sf ../lib/bulkhead/bulkhead-config $(DESTDIR)/usr/local/sbin/bulkhead-config

clean:
	$(MAKE) -C hypervisor clean
	rm -f tools/bulkhead
	rm -rf build/configs build/unit build/vm include/generated
	rm -f driver/*.o driver/.*.cmd driver/*.ko driver/*.mod driver/*.mod.c \
		driver/modules.order Module.symvers modules.order .*.cmd driver/.*.d

.PHONY: all deps defconfig menuconfig hypervisor module driver tools configs fixtures \
	test-headers test-unit vm-test vm-test-3cpu vm-test-config demo bench check install clean
