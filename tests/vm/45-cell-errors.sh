# SPDX-License-Identifier: GPL-2.0
# Cells refuse bad input with one line naming the problem and change nothing:
# broken cell configs (build/vm/fixtures/cell-*.cell from make-fixtures),
# memory Linux uses, ports that control the machine,
# images that do not fit, start before load, cells that do not exist, usage.

SYSTEM=/etc/bulkhead/bochs-system.cell
TINY=/etc/bulkhead/tiny-demo.cell
TINY_IMAGE=/usr/share/bulkhead/inmates/tiny-demo.bin
FIXTURES=/etc/bulkhead/fixtures
BIG_IMAGE=/tmp/big-image.bin
CPU1=/sys/devices/system/cpu/cpu1/online
SYSFS=/sys/devices/bulkhead

# What refusal() in driver/cell.c says for a cell the hypervisor refuses (-EINVAL).
# The hypervisor's own refusals name the problem; see refuse() in hypervisor/cell.c.
refused_by_hypervisor() {
	echo "^bulkhead: the hypervisor refused the cell: $1; run .bulkhead-config check. on it\$"
}
CELL_USAGE='^bulkhead: usage: bulkhead cell create CELL\.cell \| load NAME\|ID IMAGE'

is() {
	local value
	value=$(cat "$1")
	echo "$1: $value"
	[ "$value" = "$2" ] || { echo "expected '$2'"; return 1; }
}

# `cell list` shows its header and $1 more lines.
cells_listed() {
	bulkhead cell list | tee /tmp/cells.out
	[ "$(grep -c '' /tmp/cells.out)" -eq "$(($1 + 1))" ]
}

cpu1_works() {
	taskset -c 1 sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i + 1)); done'
}

# No cell; CPU 1 online, back under the hypervisor and working; the pool as
# before the first request.
unchanged() {
	is "$CPU1" 1 && is "$SYSFS/cpus_entered" 0-1 &&
		is "$SYSFS/memory_pool" "$(cat /tmp/pool.before)" && cells_listed 0 && cpu1_works
}

# tiny-demo alone, created but never loaded or started, holding CPU 1.
tiny_demo_unchanged() {
	is "$CPU1" 0 && is "$SYSFS/memory_pool" "$(cat /tmp/pool.cell)" && cells_listed 1 &&
		grep -qE '^1 +tiny-demo +shut-down +1 +-$' /tmp/cells.out
}

create_refused() {
	step_fails "cell create: $1" "$3" bulkhead cell create "$FIXTURES/$2"
	step "nothing changed after: $1" unchanged
}

# Runs cmd and turns exit status 2 (a usage error) into a failure; any
# other status becomes a line on stderr that fails the step.
usage_error() {
	local status
	"$@"
	status=$?
	[ "$status" -eq 2 ] && return 2
	echo "exit status $status, expected 2 for a usage error" >&2
	return 1
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable" bulkhead enable "$SYSTEM"
step "pool before the refusals" sh -c "cat $SYSFS/memory_pool | tee /tmp/pool.before"
step "the starting state" unchanged

# Refused by the driver's config checks (common/config.c): CPU 1 never leaves Linux.
create_refused "truncated config" cell-truncated.cell \
	'^bulkhead: file is truncated: the header.s size is larger than the file; rebuild it with bulkhead-config build$'
create_refused "corrupt config (bad checksum)" cell-bad-checksum.cell \
	'^bulkhead: checksum mismatch: the file is corrupt; rebuild it with bulkhead-config build$'
create_refused "CPU 0" cell-cpu0.cell \
	'^bulkhead: CPU 0 cannot leave the root cell; remove it from the cell.s cpus$'
create_refused "no comm region" cell-no-comm.cell \
	'^bulkhead: the cell has no comm region; add a one-page region with flag comm-region at virt-start 0x100000$'
create_refused "name of 32 bytes" cell-long-name.cell \
	'^bulkhead: cell name is empty or longer than 31 bytes; shorten it$'
# Refused by the driver's look at the kernel's memory map (driver/memory.c):
# 0x8000000 is inside the root cell's memory, but it is System RAM Linux
# uses, not memory memmap= reserved.
create_refused "memory that is Linux's RAM" cell-linux-ram.cell \
	'^bulkhead: cell "tiny-demo": memory 0x8000000-0x80fffff is System RAM Linux uses; reserve it at boot with memmap=1M\$0x8000000 or pick reserved memory$'

# A cell that exists but has no image.
step "cell create tiny-demo" bulkhead cell create "$TINY"
step "pool with tiny-demo" sh -c "cat $SYSFS/memory_pool | tee /tmp/pool.cell"
step "tiny-demo listed, CPU 1 taken" tiny_demo_unchanged
step_fails "CPU 1 already used by tiny-demo" \
	'^bulkhead: CPU 1 belongs to cell "tiny-demo"; give each cell its own CPUs, or destroy that cell first$' \
	bulkhead cell create "$TINY"
step_fails "start before load" \
	'^bulkhead: cell "tiny-demo" has no image; run .bulkhead cell load. first$' \
	bulkhead cell start tiny-demo
step_fails "image loaded outside the loadable region" \
	'^bulkhead: [0-9]+ bytes at 0x200000 do not fit a loadable region of cell "tiny-demo"; load less or at another address$' \
	bulkhead cell load tiny-demo "$TINY_IMAGE" -a 0x200000
step "a 2 MiB image" dd if=/dev/zero of="$BIG_IMAGE" bs=1024 count=2048
step_fails "image larger than the 1 MiB loadable region" \
	'^bulkhead: 2097152 bytes at 0x0 do not fit a loadable region of cell "tiny-demo"; load less or at another address$' \
	bulkhead cell load tiny-demo "$BIG_IMAGE"
step_fails "still no image after the refused loads" \
	'^bulkhead: cell "tiny-demo" has no image; run .bulkhead cell load. first$' \
	bulkhead cell start tiny-demo
step "nothing changed: CPU already used, start and loads" tiny_demo_unchanged

# Cells that do not exist, by ID and by name, while tiny-demo (ID 1) does.
for command in load start shutdown destroy; do
	for key in 3 nosuch; do
		args=$key
		[ "$command" = load ] && args="$key $TINY_IMAGE"
		# shellcheck disable=SC2086 # $args is words on purpose
		step_fails "cell $command of a cell that does not exist ($key)" \
			"^bulkhead: no cell is named or numbered .$key.; see .bulkhead cell list.\$" \
			bulkhead cell "$command" $args
	done
done
step "nothing changed: unknown cells" tiny_demo_unchanged

# Usage errors: exit status 2.
step_fails "cell without a command" "$CELL_USAGE" usage_error bulkhead cell
step_fails "cell with an unknown command" \
	"^bulkhead: unknown cell command 'frobnicate'; see 'bulkhead cell --help'\$" \
	usage_error bulkhead cell frobnicate
step_fails "cell create without a file" "$CELL_USAGE" usage_error bulkhead cell create
step_fails "cell create with two files" "$CELL_USAGE" usage_error bulkhead cell create "$TINY" "$TINY"
step_fails "cell load without an image" "$CELL_USAGE" usage_error bulkhead cell load tiny-demo
step_fails "cell load with a bad address" \
	"^bulkhead: 'nonsense' is not an address; write it like 0x1000\$" \
	usage_error bulkhead cell load tiny-demo "$TINY_IMAGE" -a nonsense
step_fails "cell load with a string but no address" "$CELL_USAGE" \
	usage_error bulkhead cell load tiny-demo "$TINY_IMAGE" -s hv-console
step_fails "cell start without a cell" "$CELL_USAGE" usage_error bulkhead cell start
step_fails "cell destroy of two cells" "$CELL_USAGE" usage_error bulkhead cell destroy 1 2
step_fails "cell list with an argument" "$CELL_USAGE" usage_error bulkhead cell list tiny-demo
step "nothing changed: usage errors" tiny_demo_unchanged

step "cell destroy tiny-demo" bulkhead cell destroy tiny-demo
step "everything back after the destroy" unchanged

# Refused by the hypervisor's own check, which runs before the driver takes
# any CPU offline.  The root cell has no memory at 0x1c000000 (the
# hypervisor's) or 0x20000000 (past its RAM), and no ports 0x3e8-0x3ef (the
# hypervisor's debug console, COM3).
create_refused "memory overlapping the hypervisor's" cell-hypervisor-memory.cell \
	"$(refused_by_hypervisor 'memory 0x1c000000-0x1c0fffff overlaps hypervisor memory')"
create_refused "memory the root cell does not have" cell-not-root-memory.cell \
	"$(refused_by_hypervisor 'memory 0x20000000-0x200fffff is not inside one memory region of the root cell')"
create_refused "ports the root cell does not have" cell-root-ports.cell \
	"$(refused_by_hypervisor 'ports 0x3e8-0x3ef are not the root cell.s')"
# Ports that control the whole machine stay with the root cell: the fixed
# PCI configuration and reset ports, and the system config's SMI command port.
create_refused "PCI configuration and reset ports" cell-pci-ports.cell \
	"$(refused_by_hypervisor 'ports 0xcf8-0xcff overlap the PCI configuration and reset ports 0xcf8-0xcff; platform control stays with the root cell')"
create_refused "the ACPI SMI command port" cell-smi-port.cell \
	"$(refused_by_hypervisor 'ports 0xb2-0xb2 overlap the ACPI SMI command port 0xb2-0xb2; platform control stays with the root cell')"
# Every cell reads the PM timer already; taking it would take it from Linux.
create_refused "the ACPI PM timer" cell-pm-timer.cell \
	"$(refused_by_hypervisor 'ports 0xb008-0xb00b overlap the ACPI PM timer 0xb008-0xb00b, which every cell reads already and Linux needs; leave them out')"

# remove_cpu() returning 1 (someone else offlined the CPU between the
# driver's look and its call) is no success: create fails, leaves the CPU
# to whoever took it, and publishes no cell.  A test-only module parameter
# offlines the CPU at that moment.
PARAMETER=/sys/module/bulkhead/parameters/test_cpu_offlined_meanwhile
step "make CPU 1 go offline under cell create" sh -c "echo 1 >$PARAMETER"
step_fails "cell create: CPU 1 offlined meanwhile" \
	'^bulkhead: CPU 1 went offline while the cell took it; find what else takes CPUs offline and retry$' \
	bulkhead cell create "$TINY"
step "no cell, CPU 1 left offline, then onlined again by hand" sh -c \
	"echo 0 >$PARAMETER && [ ! -e $SYSFS/cells/1 ] && [ \$(cat $CPU1) = 0 ] && echo 1 >$CPU1"
step "nothing else changed after: CPU 1 offlined meanwhile" unchanged
step "cell create works again" bulkhead cell create "$TINY"
step "cell destroy" bulkhead cell destroy tiny-demo
step "CPU 1 back after the destroy" unchanged

step "remove the 2 MiB image" rm -f "$BIG_IMAGE"
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
