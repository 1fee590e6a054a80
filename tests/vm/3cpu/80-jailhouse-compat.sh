# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine, where Linux keeps its local APICs in xAPIC mode:
# the compat test inmate (inmates/tests/x86/compat.c) uses the inmate
# interface as a Jailhouse inmate does (Documentation/inmate-interface.md):
# MTRR_DEF_TYPE from 32-bit code before paging, the x2APIC MSRs without
# enabling x2APIC, the PM timer, a one-shot APIC timer from apic_khz, both
# cell CPUs at the reset address electing a boot CPU.  It writes one line
# per check on COM2, checked by the host.  The shutdown handshake: the
# first request denied by a reply, the second approved by cell_state alone;
# then an inmate that never answers (destroy waits out shutdown-timeout-ms
# and stops it anyway) and a passive cell (destroy stops it at once).

SYSTEM=/etc/bulkhead/bochs-system-3cpu.cell
COMPAT=/etc/bulkhead/compat.cell
PASSIVE=/etc/bulkhead/compat-passive.cell
IMAGE=/usr/share/bulkhead/inmates/compat.bin
CELLS=/sys/devices/bulkhead/cells
# The compat cell's shutdown-timeout-ms, and the hypervisor's 200 ms on top
# (Documentation/usage.md); the passive cell's timeout is 5000 ms.
TIMEOUT_MS=1000
PASSIVE_TIMEOUT_MS=5000

# What the inmate checks on the boot CPU (cpu0) and on each started CPU.
BOOT_CHECKS="comm-region cpu0-mtrr-def-type-at-start mtrrcap cpu0-mtrr-def-type
	cpu0-x2apic-mode cpu0-x2apic-msrs pm-timer apic-timer-oneshot cpus-at-reset startup-ipi"
CPU1_CHECKS="cpu1-mtrr-def-type cpu1-x2apic-mode cpu1-x2apic-msrs"

# IA32_APIC_BASE of Linux's CPU 0 through the msr module: bit 10 (x2APIC
# mode, SDM Vol. 3A, 10.12.1) clear.
linux_in_xapic_mode() {
	local base
	grep -q '^msr ' /proc/modules || insmod /lib/modules/msr.ko || return
	base=$(dd if=/dev/cpu/0/msr bs=8 count=1 skip=$((0x1b)) iflag=skip_bytes 2>/dev/null |
		od -An -tx8 | tr -d ' ')
	echo "IA32_APIC_BASE of CPU 0: 0x$base"
	[ -n "$base" ] && [ $((0x$base & 0x400)) -eq 0 ]
}

# Guest uptime in hundredths of a second.
uptime_cs() {
	awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# cell_state NAME STATE: cell NAME's state in sysfs is STATE.
cell_state() {
	local id
	id=$(bulkhead cell list | awk -v name="$1" '$2 == name { print $1 }')
	echo "cell $1 (ID $id): $(cat "$CELLS/$id/state" 2>/dev/null)"
	[ -n "$id" ] && [ "$(cat "$CELLS/$id/state")" = "$2" ]
}

# run_compat CONFIG NAME COMMAND-LINE: create (unless it exists), load, start.
run_compat() {
	if ! bulkhead cell list | awk -v name="$2" '$2 == name { found = 1 } END { exit !found }'; then
		bulkhead cell create "$1" || return
	fi
	bulkhead cell load "$2" "$IMAGE" -s "hv-console $3" -a 0x1000 && bulkhead cell start "$2"
}

# shutdown_says NAME TEXT: cell shutdown NAME succeeds and prints TEXT.
shutdown_says() {
	bulkhead cell shutdown "$1" | tee /tmp/compat.out
	grep -q "$2" /tmp/compat.out
}

# destroy_timed NAME MIN_MS MAX_MS: cell destroy NAME succeeds with its
# usual line, in MIN_MS to MAX_MS of guest time.
destroy_timed() {
	local start end ms
	start=$(uptime_cs)
	bulkhead cell destroy "$1" >/tmp/compat.out || { cat /tmp/compat.out; return 1; }
	end=$(uptime_cs)
	ms=$(((end - start) * 10))
	cat /tmp/compat.out
	echo "destroy took $ms ms of guest time ($2-$3 expected)"
	grep -qx "Cell $1 destroyed; its CPUs are back with Linux" /tmp/compat.out &&
		[ "$ms" -ge "$2" ] && [ "$ms" -le "$3" ]
}

step "3 CPUs online" sh -c '[ "$(cat /sys/devices/system/cpu/online)" = 0-2 ]'
step "Linux runs its local APIC in xAPIC mode" linux_in_xapic_mode
step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"

# Denied once by a reply, approved the second time by the state alone.
step "compat on CPUs 1-2: create, load, start" run_compat "$COMPAT" compat "name=compat"
wait_for "compat ran its checks" 300 hv_console_has "compat: checks done"
step "compat is running" cell_state compat running
step_fails "first shutdown: the inmate denies it" \
	'^bulkhead: cell "compat" denied the shutdown request and keeps running' \
	bulkhead cell shutdown compat
step "the inmate saw the request and replied denied" \
	hv_console_has "compat: shutdown request 1: replied denied"
step "compat still runs" cell_state compat running
step "second shutdown: approved by cell_state alone" \
	shutdown_says compat "Cell compat approved the shutdown and is stopped"
step "the inmate set the state without a reply, and no timeout was waited out" sh -c \
	"bulkhead console | grep -q 'compat: shutdown request 2: approved by cell_state alone, no reply' &&
	 ! bulkhead console | grep -q 'did not answer the shutdown request'"
step "compat is shut down" cell_state compat shut-down

# A new load and start in the same cell: an inmate that never answers.
step "compat again, never answering: load, start" run_compat "$COMPAT" compat \
	"name=compat-silent no-reply"
wait_for "compat-silent ran its checks" 300 hv_console_has "compat-silent: checks done"
step "destroy waits out shutdown-timeout-ms, then stops the cell" \
	destroy_timed compat "$TIMEOUT_MS" $((TIMEOUT_MS + 1000))
step "the inmate saw the request and left it; the hypervisor says it stopped it anyway" sh -c \
	"bulkhead console | grep -q 'compat-silent: shutdown request 1: left unanswered' &&
	 bulkhead console | grep -q 'did not answer the shutdown request in $TIMEOUT_MS ms; stopped anyway'"
step "CPUs 1 and 2 are back with Linux and work" cpus_back_with_linux 0-2 1 2

# A passive cell is never asked: destroy stops it at once.
step "compat-passive on CPU 1: create, load, start" run_compat "$PASSIVE" compat-passive \
	"name=compat-passive no-reply"
wait_for "compat-passive ran its checks" 300 hv_console_has "compat-passive: checks done"
step "cell list shows running/passive" sh -c \
	'bulkhead cell list | tee /dev/stderr | grep -qE "compat-passive +running/passive +1 +-$"'
step "destroy stops the passive cell at once" \
	destroy_timed compat-passive 0 $((PASSIVE_TIMEOUT_MS / 5))
step "the passive inmate was never asked" sh -c \
	"! bulkhead console | grep -q 'compat-passive: shutdown request'"
step "CPU 1 is back with Linux and works" cpus_back_with_linux 0-2 1
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean

for check in $BOOT_CHECKS $CPU1_CHECKS; do
	host_expects "COM2: compat $check" serial2.log "^compat: $check: PASS "
	host_expects "COM2: compat-silent $check" serial2.log "^compat-silent: $check: PASS "
done
for check in $BOOT_CHECKS; do
	host_expects "COM2: compat-passive $check" serial2.log "^compat-passive: $check: PASS "
done
host_expects "COM2: compat: every check passed" serial2.log '^compat: checks done: 13 run, 0 failed$'
host_expects "COM2: compat-silent: every check passed" serial2.log \
	'^compat-silent: checks done: 13 run, 0 failed$'
host_expects "COM2: compat-passive: every check passed" serial2.log \
	'^compat-passive: checks done: 10 run, 0 failed$'
host_expects "COM2: compat denied the first request" serial2.log \
	'^compat: shutdown request 1: replied denied$'
host_expects "COM2: compat approved the second by its state alone" serial2.log \
	'^compat: shutdown request 2: approved by cell_state alone, no reply$'
host_expects "COM2: compat-silent left the request unanswered" serial2.log \
	'^compat-silent: shutdown request 1: left unanswered$'
