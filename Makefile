# SPDX-License-Identifier: GPL-2.0
# Bulkhead: `make` builds everything, `make check` runs every test,
# `make demo` boots the emulated test machine and enables the hypervisor.

PYTHON := /usr/bin/python3
CC := gcc
# One version for the tools, the packages and DKMS (dkms.conf and
# debian/changelog repeat it; tests/python/test_packaging.py compares).
VERSION := $(shell sed -n "s/^VERSION = '\(.*\)'/\1/p" tools/bulkhead_config/__init__.py)
# Where make install puts the tools; the Debian packages use /usr.
PREFIX ?= /usr/local
# The CLI is static so the test machine's busybox initramfs can run it;
# the Debian package links it dynamically (debian/rules).
TOOL_LDFLAGS ?= -static

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
UNIT_SOURCES := common/config.c common/x86/paging.c common/x86/vmx-caps.c \
	hypervisor/arch/x86/vmx-check.c hypervisor/arch/x86/vmx-check-controls.c \
	hypervisor/arch/x86/vmx-check-host.c hypervisor/arch/x86/vmx-check-guest.c \
	hypervisor/arch/x86/vmx-check-guest-non-register.c \
	hypervisor/arch/x86/ept.c hypervisor/arch/x86/bitmaps.c \
	common/x86/vmx-names.c common/console-ring.c \
	hypervisor/arch/x86/apic-icr.c hypervisor/arch/x86/mmio.c \
	hypervisor/arch/x86/guest-paging.c hypervisor/arch/x86/speculation.c \
	hypervisor/arch/x86/ioapic-entry.c
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
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/module modules

tools: tools/bulkhead
# Static, so the emulated test machine's busybox initramfs can run it.
TOOL_SOURCES := tools/bulkhead.c tools/hardware.c tools/cell.c tools/stats.c tools/console.c \
	tools/latency.c tools/latency-report.c tools/latency-costs.c \
	common/x86/vmx-caps.c
tools/bulkhead: $(TOOL_SOURCES) tools/bulkhead.h tools/latency.h include/bulkhead/*.h hypervisor/arch/x86/include/asm/vmx-caps.h
	$(CC) $(STRICT_CFLAGS) $(TOOL_LDFLAGS) -Iinclude -Ihypervisor/arch/x86/include -o $@ $(TOOL_SOURCES)

# Static user-space probe the test machine runs (CPL 3 hypercall, CPUID, benchmarks).
build/vm/probe: tests/vm/probe/probe.c include/bulkhead/ioctl.h
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) -static -Iinclude -o $@ $<

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
# include the exit handlers, VMCS setup and APIC emulation (tests/unit/exits-stubs.h);
# test_control.c includes arch/x86/control.c and apic-emul.c on simulated CPUs
# (tests/unit/control-sim.h).
build/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(UNIT_SOURCES) include/bulkhead/*.h \
		hypervisor/hypercall.c hypervisor/cell.c hypervisor/cell-steps.c hypervisor/cell-console.c hypervisor/printk.c \
		hypervisor/arch/x86/exits.c hypervisor/arch/x86/vmcs-setup.c \
		hypervisor/arch/x86/control.c hypervisor/arch/x86/apic-emul.c hypervisor/arch/x86/cache-type.c \
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

# The kernel's own style check on the driver, which is kernel code: every
# warning is fixed (none is ignored).  ci/install-deps --lint installs it;
# not part of `make check`, whose packages do not include it.
CHECKPATCH := build/checkpatch/scripts/checkpatch.pl
LINT_SOURCES = $(filter-out %.mod.c,$(wildcard driver/*.c driver/*.h driver/*.S))
lint:
	@test -x $(CHECKPATCH) || { echo "make lint: $(CHECKPATCH) missing; run ci/install-deps --lint" >&2; exit 1; }
	@failed=; for f in $(LINT_SOURCES); do \
		$(CHECKPATCH) --no-tree --quiet --file $$f || failed="$$failed $$f"; \
	done; \
	if [ -n "$$failed" ]; then echo "lint: checkpatch found problems in$$failed" >&2; exit 1; fi; \
	echo "lint: checkpatch reports nothing in $(words $(LINT_SOURCES)) files of driver/"

# The latency report of a made-up run, for tests/python/test_cli_latency.py:
# the tool's sources with its main() renamed, and a main() that prints the report.
LATENCY_REPORT_PRINT := build/tools/latency-report-print
$(LATENCY_REPORT_PRINT): tests/python/latency_report_print.c $(TOOL_SOURCES) tools/bulkhead.h tools/latency.h include/bulkhead/*.h
	mkdir -p build/tools
	$(CC) $(STRICT_CFLAGS) -Wno-missing-prototypes -Dmain=tool_main -Iinclude -c tools/bulkhead.c -o build/tools/bulkhead-nomain.o
	$(CC) $(STRICT_CFLAGS) -Iinclude -Ihypervisor/arch/x86/include -o $@ $< build/tools/bulkhead-nomain.o $(filter-out tools/bulkhead.c,$(TOOL_SOURCES))
fixtures: $(LATENCY_REPORT_PRINT)

# Every unit test runs, so that one failing does not hide the others' results.
test-unit: $(UNIT_TESTS) test-headers tools $(LATENCY_REPORT_PRINT)
	@failed=; for t in $(UNIT_TESTS); do $$t || failed="$$failed $$t"; done; \
	test -z "$$failed" || { echo "make: unit tests failed:$$failed" >&2; exit 1; }
	$(PYTHON) -m pytest -q tests/python

# ---- Sanitizers and fuzzing (Documentation/testing.md, "Fuzzing and sanitizers") ----
# What the host unit tests are built from, for their sanitized builds too.
UNIT_TEST_DEPS := $(wildcard tests/unit/*.h) $(UNIT_SOURCES) $(wildcard include/bulkhead/*.h) \
	hypervisor/hypercall.c hypervisor/cell.c hypervisor/cell-console.c hypervisor/printk.c \
	hypervisor/arch/x86/exits.c hypervisor/arch/x86/vmcs-setup.c \
	hypervisor/arch/x86/control.c hypervisor/arch/x86/apic-emul.c \
	$(wildcard hypervisor/include/bulkhead-hv/*.h) $(wildcard hypervisor/arch/x86/include/asm/*.h)
HOST_INCLUDES := -Iinclude -Ihypervisor/include -Ihypervisor/arch/x86/include
# Any report of AddressSanitizer or UndefinedBehaviorSanitizer ends the test with an error.
SANITIZE_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_ASAN_TESTS := $(patsubst tests/unit/%.c,build/unit-asan/%,$(wildcard tests/unit/test_*.c))

# The hypervisor sources the tests link are compiled once, not once a test.
UNIT_ASAN_OBJECTS := $(UNIT_SOURCES:%.c=build/unit-asan/obj/%.o)

build/unit-asan/obj/%.o: %.c $(UNIT_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(SANITIZE_FLAGS) $(HOST_INCLUDES) -c -o $@ $<
build/unit-asan/%: tests/unit/%.c $(UNIT_ASAN_OBJECTS) $(UNIT_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(SANITIZE_FLAGS) $(HOST_INCLUDES) -o $@ $< $(UNIT_ASAN_OBJECTS)
$(filter build/unit-asan/test_inmate_%,$(UNIT_ASAN_TESTS)): $(wildcard inmates/lib/x86/*.c inmates/lib/x86/*.h)

# The host unit tests under the sanitizers; each runs, so one failing hides no other.
test-unit-asan: $(UNIT_ASAN_TESTS) build/configs/bochs-system.cell
	@failed=; for t in $(UNIT_ASAN_TESTS); do $$t build/configs/bochs-system.cell || failed="$$failed $$t"; done; \
	test -z "$$failed" || { echo "make: unit tests failed under ASan/UBSan:$$failed" >&2; exit 1; }

# libFuzzer harnesses (tests/fuzz/), built by clang with both sanitizers; seeds from the
# configs and make-fixtures' broken variants.  make fuzz runs each FUZZ_SECONDS (sized so a
# run makes well over 10 million executions on 2 cores); make fuzz-smoke a few seconds each.
FUZZ_CC := clang
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_HARNESSES := config hypercall icr mmio exits
FUZZERS := $(FUZZ_HARNESSES:%=build/fuzz/fuzz_%)
FUZZ_SECONDS ?= 120
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SEEDS := build/fuzz/seeds/.made

FUZZ_OBJECTS := $(UNIT_SOURCES:%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: %.c $(UNIT_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(filter-out -O2,$(STRICT_CFLAGS)) $(subst fuzzer,fuzzer-no-link,$(FUZZ_FLAGS)) \
		$(HOST_INCLUDES) -c -o $@ $<
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_OBJECTS) $(UNIT_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(filter-out -O2,$(STRICT_CFLAGS)) $(FUZZ_FLAGS) $(HOST_INCLUDES) -o $@ $< $(FUZZ_OBJECTS)
$(FUZZ_SEEDS): tests/fuzz/make-seeds tests/vm/make-fixtures $(CONFIGS)
	rm -rf build/fuzz/seeds build/fuzz/fixtures
	$(PYTHON) tests/vm/make-fixtures build/fuzz/fixtures build/configs/bochs-system.cell \
		build/configs/tiny-demo.cell >/dev/null
	$(PYTHON) tests/fuzz/make-seeds build/fuzz/seeds $(CONFIGS) --fixtures build/fuzz/fixtures
	@touch $@

fuzz: $(FUZZERS) $(FUZZ_SEEDS)
	$(PYTHON) tests/fuzz/run --seconds $(FUZZ_SECONDS) $(FUZZ_HARNESSES)
fuzz-smoke: $(FUZZERS) $(FUZZ_SEEDS)
	$(PYTHON) tests/fuzz/run --smoke --seconds $(FUZZ_SMOKE_SECONDS) $(FUZZ_HARNESSES)

clean: clean-fuzz
clean-fuzz:
	rm -rf build/fuzz build/unit-asan
.PHONY: test-unit-asan fuzz fuzz-smoke clean-fuzz
# ---- end of sanitizers and fuzzing ----

vm-test: all fixtures
	$(PYTHON) ci/vm-run

demo: deps
	$(MAKE) all fixtures
	$(PYTHON) ci/vm-run --demo

# The 3-CPU scenarios (smp-demo, isolation, compat ...); `make check` runs them after vm-test.
vm-test-3cpu: all fixtures
	$(PYTHON) ci/vm-run --cpus 3 tests/vm/3cpu/*.sh

# Every attack of Documentation/hostile-inmates.md in one 3-CPU boot;
# `make check` runs only its smoke rows (vm-test-3cpu).
hostile: all fixtures
	$(PYTHON) ci/vm-run --cpus 3 --timeout 1800 tests/vm/hostile/every-attack.sh \
		tests/vm/3cpu/70-hostile.sh
.PHONY: hostile

# The 4-CPU scenarios (broadcast IPIs while Linux keeps 3 CPUs); `make check` runs them last.
vm-test-4cpu: all fixtures
	$(PYTHON) ci/vm-run --cpus 4 tests/vm/4cpu/*.sh

# The emulated machine configured from its own archive: the
# 70-config-collect.sh scenario of vm-test sends the archive (and the config
# create wrote there, live) to build/vm/captured/; here create and cell make
# configs of the archive, dkms builds the module (dkms-install into a scratch
# root), and a second boot loads that module and enables Bulkhead with the
# configs (tests/vm/config/).  `make check` runs it after vm-test.
CAPTURED := build/vm/captured
GENERATED := build/vm/fixtures/generated
vm-test-config: all fixtures
	@test -f $(CAPTURED)/machine.tar.gz || { echo "make: no $(CAPTURED)/machine.tar.gz: run make vm-test first (its 70-config-collect.sh collects the machine)" >&2; exit 1; }
	@mkdir -p $(GENERATED)
	$(PYTHON) tools/bulkhead-config create --from $(CAPTURED)/machine.tar.gz --name bochs-linux -o $(GENERATED)/system.dts
	@diff -u $(CAPTURED)/live-system.dts $(GENERATED)/system.dts >&2 || { echo "make: create in the machine and create --from its archive wrote different configs" >&2; exit 1; }
	$(PYTHON) tools/bulkhead-config cell $(GENERATED)/system.dts --name tiny-demo --cpus 1 --console-putc -o $(GENERATED)/tiny-demo.dts
	$(PYTHON) tools/bulkhead-config check $(GENERATED)/system.dts $(GENERATED)/tiny-demo.dts
	$(PYTHON) tools/bulkhead-config build $(GENERATED)/system.dts -o $(GENERATED)/system.cell
	$(PYTHON) tools/bulkhead-config build $(GENERATED)/tiny-demo.dts -o $(GENERATED)/tiny-demo.cell
	$(MAKE) --no-print-directory dkms-install DKMS_ROOT=$(CURDIR)/build/vm/dkms >build/vm/dkms.log
	cp build/vm/dkms/lib/modules/$(KDIR_RELEASE)/updates/dkms/bulkhead.ko $(GENERATED)/bulkhead.ko
	$(PYTHON) ci/vm-run tests/vm/config/*.sh

# Figures, not assertions: exit round trips, enable/disable times and timer latency in the
# test machine, and the latency inmate's figures booted bare on the same machine.
bench: deps
	$(MAKE) all fixtures
	$(PYTHON) ci/vm-run --bench
	$(PYTHON) ci/vm-bare --compare build/vm/captured/latency-idle.json \
		--compare build/vm/captured/latency-loaded.json \
		--compare build/vm/captured/latency-polluted.json

# Soak (Documentation/testing.md, "Soak"): build/vm/hcfuzz.ko is a test-only
# module of the test machine (random hypercalls from the root cell at CPL 0),
# never installed.  `make check` runs tests/vm/soak/soak.sh as it is, a
# short pass (ci/check, at the end of stage vm); make soak runs it with the counts
# below (each >= 100 cycles, >= 100,000 hypercalls) as build/vm/soak/soak.sh.
HCFUZZ_DIR := build/vm/hcfuzz
build/vm/hcfuzz.ko: tests/vm/hcfuzz/hcfuzz.c tests/vm/hcfuzz/Kbuild include/bulkhead/*.h
	@test -d "$(KDIR)" || { echo "make: $(NO_HEADERS)" >&2; exit 1; }
	@mkdir -p $(HCFUZZ_DIR)
	cp tests/vm/hcfuzz/hcfuzz.c tests/vm/hcfuzz/Kbuild $(HCFUZZ_DIR)/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(HCFUZZ_DIR) modules
	cp $(HCFUZZ_DIR)/hcfuzz.ko $@
fixtures: build/vm/hcfuzz.ko
SOAK_ENABLE_CYCLES ?= 100
SOAK_CELL_CYCLES ?= 100
SOAK_HYPERCALLS ?= 100000
SOAK_USER_HYPERCALLS ?= 100000
SOAK_CLI_CALLS ?= 500
SOAK_TIMEOUT ?= 10800
soak: all fixtures
	@mkdir -p build/vm/soak
	{ echo "# Generated by make soak: the counts, then tests/vm/soak/soak.sh."; \
	  echo "SOAK_ENABLE_CYCLES=$(SOAK_ENABLE_CYCLES)"; echo "SOAK_CELL_CYCLES=$(SOAK_CELL_CYCLES)"; \
	  echo "SOAK_HYPERCALLS=$(SOAK_HYPERCALLS)"; echo "SOAK_USER_HYPERCALLS=$(SOAK_USER_HYPERCALLS)"; \
	  echo "SOAK_CLI_CALLS=$(SOAK_CLI_CALLS)"; cat tests/vm/soak/soak.sh; } >build/vm/soak/soak.sh
	$(PYTHON) ci/vm-run --timeout $(SOAK_TIMEOUT) build/vm/soak/soak.sh
.PHONY: soak

check:
	ci/check

# Installs onto a real machine (DESTDIR for packaging).
install: driver
	$(MAKE) --no-print-directory install-tools
	install -D -m 644 driver/bulkhead.ko $(DESTDIR)/lib/modules/$(KDIR_RELEASE)/extra/bulkhead.ko
	$(if $(DESTDIR),,depmod $(KDIR_RELEASE))

# Everything but the module (the Debian package bulkhead; DKMS builds the module).
install-tools: hypervisor tools inmates
	install -D -m 644 hypervisor/bulkhead-intel.bin $(DESTDIR)/lib/firmware/bulkhead-intel.bin
	install -D -m 755 tools/bulkhead $(DESTDIR)$(PREFIX)/sbin/bulkhead
	install -D -m 644 tools/bulkhead-completion.bash $(DESTDIR)/usr/share/bash-completion/completions/bulkhead
	install -D -m 755 tools/bulkhead-config $(DESTDIR)$(PREFIX)/lib/bulkhead/bulkhead-config
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/lib/bulkhead/bulkhead_config tools/bulkhead_config/*.py
	ln -sf ../lib/bulkhead/bulkhead-config $(DESTDIR)$(PREFIX)/sbin/bulkhead-config
	install -D -m 755 tools/bulkhead-latency-plot $(DESTDIR)$(PREFIX)/lib/bulkhead/bulkhead-latency-plot
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/share/bulkhead/inmates inmates/demos/x86/*.bin
	install -D -m 644 -t $(DESTDIR)$(PREFIX)/share/bulkhead/configs configs/x86/*.dts
	@if command -v help2man >/dev/null; then $(MAKE) --no-print-directory man && \
		install -D -m 644 -t $(DESTDIR)$(PREFIX)/share/man/man8 $(MAN_PAGES); \
	else echo "make: man pages not installed: install help2man to build them" >&2; fi

# Man pages, made by help2man from the tools' own --help and each command's
# --help (man/h2m-commands), with the sections in man/*.h2m.
MAN_PAGES := build/man/bulkhead.8 build/man/bulkhead-config.8
BULKHEAD_COMMANDS := enable disable hardware stats console cell latency
CONFIG_COMMANDS := build dump check collect create cell
man: $(MAN_PAGES)
build/man/bulkhead.8: tools/bulkhead man/bulkhead.h2m man/h2m-commands
	@mkdir -p $(dir $@)
	COLUMNS=80 man/h2m-commands tools/bulkhead $(BULKHEAD_COMMANDS) | cat man/bulkhead.h2m - >build/man/bulkhead.h2m
	COLUMNS=80 help2man --no-info --section 8 --include build/man/bulkhead.h2m --output $@ tools/bulkhead
build/man/bulkhead-config.8: tools/bulkhead-config $(wildcard tools/bulkhead_config/*.py) \
		man/bulkhead-config.h2m man/h2m-commands
	@mkdir -p $(dir $@)
	COLUMNS=80 man/h2m-commands tools/bulkhead-config $(CONFIG_COMMANDS) | \
		cat man/bulkhead-config.h2m - >build/man/bulkhead-config.h2m
	COLUMNS=80 help2man --no-info --section 8 --include build/man/bulkhead-config.h2m --output $@ \
		tools/bulkhead-config

# The module's source as DKMS builds it (dkms.conf): $(DESTDIR)/usr/src/bulkhead-VERSION.
DKMS_SOURCES := Kbuild dkms.conf driver/Kbuild $(wildcard driver/*.c driver/*.h driver/*.S) \
	$(wildcard include/bulkhead/*.h hypervisor/include/bulkhead-hv/*.h) \
	$(wildcard hypervisor/arch/x86/include/asm/*.h) $(wildcard common/*.c common/x86/*.c)
DKMS_DIR = $(DESTDIR)/usr/src/bulkhead-$(VERSION)
dkms-source:
	rm -rf $(DKMS_DIR)
	for file in $(DKMS_SOURCES); do install -D -m 644 $$file $(DKMS_DIR)/$$file || exit 1; done

# Registers the module with Debian's dkms, which builds and installs it for
# KDIR's kernel now and for every kernel installed later.  DKMS_ROOT= keeps
# dkms' trees under another root (the tests use a scratch directory): the
# module is then neither signed (no key is made) nor added to modules.dep.
DKMS_ROOT ?=
DKMS = $(if $(DKMS_ROOT),sign_file=/nonexistent dkms --dkmstree $(DKMS_ROOT)/var/lib/dkms \
	--sourcetree $(DKMS_ROOT)/usr/src --installtree $(DKMS_ROOT)/lib/modules --no-depmod,dkms)
dkms-install:
	@command -v dkms >/dev/null || { echo "make: dkms not found: install the dkms package" >&2; exit 1; }
	@test -d "$(KDIR)" || { echo "make: $(NO_HEADERS)" >&2; exit 1; }
	$(if $(DKMS_ROOT),mkdir -p $(DKMS_ROOT)/var/lib/dkms $(DKMS_ROOT)/lib/modules/$(KDIR_RELEASE))
	$(DKMS) remove bulkhead/$(VERSION) --all >/dev/null 2>&1 || true
	$(MAKE) --no-print-directory dkms-source DESTDIR=$(DKMS_ROOT)
	$(DKMS) add bulkhead/$(VERSION)
	$(DKMS) install bulkhead/$(VERSION) -k $(KDIR_RELEASE) --kernelsourcedir $(KDIR)
dkms-remove:
	$(DKMS) remove bulkhead/$(VERSION) --all
	rm -rf $(DKMS_ROOT)/usr/src/bulkhead-$(VERSION)

# Debian packages bulkhead and bulkhead-dkms, built by dpkg-buildpackage
# (debhelper) from a copy of the tree in build/deb/, then checked by lintian.
DEB_DIR := build/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/bulkhead-$(VERSION)
	git ls-files -co --exclude-standard | while read -r file; do \
		[ ! -e "$$file" ] || cp --parents "$$file" $(DEB_DIR)/bulkhead-$(VERSION) || exit 1; done
	cd $(DEB_DIR)/bulkhead-$(VERSION) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; echo "make: dpkg-buildpackage failed; its log is $(DEB_DIR)/build.log" >&2; exit 1; }
	lintian --fail-on error $(DEB_DIR)/*.deb
	@ls $(DEB_DIR)/*.deb

clean:
	$(MAKE) -C hypervisor clean
	rm -f tools/bulkhead
	rm -rf build/configs build/unit build/vm build/man build/deb include/generated
	rm -f driver/*.o driver/.*.cmd driver/*.ko driver/*.mod driver/*.mod.c \
		driver/modules.order Module.symvers modules.order .*.cmd driver/.*.d

.PHONY: all deps defconfig menuconfig hypervisor module driver tools configs fixtures \
	test-headers test-unit vm-test vm-test-3cpu vm-test-4cpu vm-test-config demo bench check \
	install install-tools man dkms-source dkms-install dkms-remove deb clean lint
