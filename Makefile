# SPDX-License-Identifier: GPL-2.0
# Bulkhead: `make` builds everything, `make check` runs every test,
# `make demo` boots the emulated test machine and enables the hypervisor.

PYTHON := /usr/bin/python3
CC := gcc
KERNEL_RELEASE := $(shell cat build/kernel/version 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KERNEL_RELEASE)

STRICT_CFLAGS := -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wstrict-prototypes -Wshadow -Wundef
CONFIG_HEADER := include/generated/config.h
CONFIGS := $(patsubst configs/x86/%.dts,build/configs/%.cell,$(wildcard configs/x86/*.dts))
UNIT_SOURCES := hypervisor/config.c hypervisor/arch/x86/paging.c hypervisor/arch/x86/vmx-caps.c \
	hypervisor/arch/x86/vmx-check.c hypervisor/arch/x86/vmx-check-controls.c \
	hypervisor/arch/x86/vmx-check-host.c hypervisor/arch/x86/vmx-check-guest.c \
	hypervisor/arch/x86/vmx-check-guest-non-register.c \
	hypervisor/arch/x86/ept.c hypervisor/arch/x86/bitmaps.c \
	hypervisor/arch/x86/vmx-names.c hypervisor/console-ring.c \
	hypervisor/arch/x86/apic-icr.c hypervisor/arch/x86/mmio.c \
	hypervisor/arch/x86/guest-paging.c
UNIT_TESTS := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))

all: hypervisor driver tools configs

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

driver:
	@test -d "$(KDIR)" || { echo "make: kernel headers '$(KDIR)' not found; run 'make deps' or pass KDIR=" >&2; exit 1; }
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

# Static load that makes the test machine's Linux send IPIs and TLB shootdowns.
build/vm/ipi-load: tests/vm/probe/ipi-load.c
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) -static -pthread -o $@ $<

configs: $(CONFIGS)
build/configs/%.cell: configs/x86/%.dts tools/bulkhead-config $(wildcard tools/bulkhead_config/*.py)
	@mkdir -p $(dir $@)
	$(PYTHON) tools/bulkhead-config build $< -o $@
# Take every node of the file they name through dtc's /include/.
build/configs/bochs-system-3cpu.cell build/configs/bochs-system-4cpu.cell: configs/x86/bochs-system.dts
build/configs/isolation-cpu3.cell: configs/x86/isolation.dts

fixtures: build/configs/bochs-system.cell build/configs/tiny-demo.cell tests/vm/make-fixtures build/vm/probe \
		build/vm/ipi-load
	$(PYTHON) tests/vm/make-fixtures build/vm/fixtures build/configs/bochs-system.cell build/configs/tiny-demo.cell

# Bare-metal inmates: the x86 library and the demos as flat binaries
# (inmates/demos/x86/NAME.bin and .elf); inmates/README.md describes them.
all: inmates
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
# themselves, with stand-ins for the rest (tests/unit/cell-stubs.h); test_exits*.c
# include the exit handlers, VMCS setup and APIC emulation (tests/unit/exits-stubs.h).
build/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(UNIT_SOURCES) include/bulkhead/*.h \
		hypervisor/hypercall.c hypervisor/cell.c hypervisor/printk.c \
		hypervisor/arch/x86/exits.c hypervisor/arch/x86/vmcs-setup.c \
		hypervisor/arch/x86/apic-emul.c \
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

# The 3-CPU scenarios (smp-demo, isolation); `make check` runs them after vm-test.
vm-test-3cpu: all fixtures
	$(PYTHON) ci/vm-run --cpus 3 tests/vm/3cpu/*.sh

# The 4-CPU scenarios (broadcast IPIs while Linux keeps 3 CPUs); `make check` runs them last.
vm-test-4cpu: all fixtures
	$(PYTHON) ci/vm-run --cpus 4 tests/vm/4cpu/*.sh

# Figures, not assertions: exit round trips and enable/disable times in the test machine.
bench: deps
	$(MAKE) all fixtures
	$(PYTHON) ci/vm-run --bench

check:
	ci/check

# Installs onto a real machine (DESTDIR for packaging).
install: all
	install -D -m 644 hypervisor/bulkhead-intel.bin $(DESTDIR)/lib/firmware/bulkhead-intel.bin
	install -D -m 644 driver/bulkhead.ko $(DESTDIR)/lib/modules/$(KERNEL_RELEASE)/extra/bulkhead.ko
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

.PHONY: all deps defconfig menuconfig hypervisor driver tools configs fixtures \
	test-headers test-unit vm-test vm-test-3cpu vm-test-4cpu demo bench check install clean
