# SPDX-License-Identifier: GPL-2.0
# Helpers for end-to-end scenarios, sourced by the test machine's /init
# before the scenarios run (busybox ash; POSIX sh plus `local`).
#
#   step "description" cmd args...
#       Runs cmd (stdin /dev/null, output captured) and reports
#       "BULKHEAD-VM: step description ok" or "... FAILED: exit status N"
#       followed by the last lines of its output.  Returns cmd's status.
#   step_fails "description" "regex" cmd args...
#       cmd must fail and print exactly one line on stderr, matching the
#       extended regex.  On failure shows stdout and stderr.
#   hv_console_has TEXT
#       Succeeds when `bulkhead console` holds TEXT (a grep pattern).
#   pool_save FILE / pool_is FILE
#       Keep sysfs memory_pool in FILE / succeed when it reads the same again.
#   cpus_back_with_linux ENTERED CPU...
#       Succeeds when Linux runs a task on each CPU again, as the root
#       cell's guest (CPUID hides VMX), and sysfs cpus_entered reads ENTERED.
#   dmesg_clean ["description"]
#       A step that fails if the kernel logged a BUG, Oops, WARNING, soft
#       or hard lockup, RCU stall or "rcu: INFO" report, call trace or an
#       NMI it cannot account for ("NMI received for unknown reason",
#       "Dazed and confused") since the
#       scenario started (the first scenario also answers for the boot).
#   wait_for "description" TRIES cmd args...
#       A step that retries cmd until it succeeds, at most TRIES times,
#       idling VM_POLL_INTERVAL (0.1) seconds of guest time between tries:
#       `read -t` on a FIFO nobody writes, so the CPU halts instead of
#       spinning.  TRIES 50 waits at most about 5 guest seconds.
#   host_expects "description" FILE REGEX
#       A step the harness decides after the run: build/vm/FILE (a serial
#       port the guest cannot read back, such as serial2.log, a cell's COM2)
#       must hold a line matching REGEX (Python syntax) by the time the machine
#       powers off.  Not counted in the guest's done marker.
#   host_capture NAME FILE
#       Sends FILE to the host as build/vm/captured/NAME (base64 on the
#       console); the host checks its SHA-256 as a step of its own.
#
# cmd may be a shell function.  Set VM_SHOW_OUTPUT=1 to print the output of
# passing steps too.  Results are counted in $VM_STATE/results, which /init
# sums up in its done marker.

VM_STATE=/tmp/bulkhead-vm
VM_POLL_INTERVAL=0.1
VM_TAIL_LINES=20
# An NMI Linux did not send itself came from the hypervisor or a cell.
VM_DMESG_BAD='BUG|Oops|WARNING|soft lockup|hard LOCKUP|rcu.*stall|rcu: INFO|Call Trace|NMI received for unknown reason|Dazed and confused'

mkdir -p "$VM_STATE"
touch "$VM_STATE/results"
[ -p "$VM_STATE/tick" ] || mkfifo "$VM_STATE/tick"

vm_record() {
	echo "$1" >>"$VM_STATE/results"
}

# Prints how many steps ended with $1 (ok or fail).
vm_count() {
	grep -c "^$1\$" "$VM_STATE/results"
}

vm_show() {
	tail -n "$VM_TAIL_LINES" "$1" | sed 's/^/    | /'
}

vm_ok() {
	vm_record ok
	echo "BULKHEAD-VM: step $1 ok"
}

vm_failed() {
	vm_record fail
	echo "BULKHEAD-VM: step $1 FAILED: $2"
}

step() {
	local desc=$1 out status
	shift
	out=$(mktemp "$VM_STATE/out.XXXXXX")
	"$@" >"$out" 2>&1 </dev/null
	status=$?
	if [ "$status" -eq 0 ]; then
		vm_ok "$desc"
		[ -z "$VM_SHOW_OUTPUT" ] || sed 's/^/    | /' "$out"
	else
		vm_failed "$desc" "exit status $status"
		vm_show "$out"
	fi
	rm -f "$out"
	return "$status"
}

step_fails() {
	local desc=$1 regex=$2 out err status lines reason=
	shift 2
	out=$(mktemp "$VM_STATE/out.XXXXXX")
	err=$(mktemp "$VM_STATE/err.XXXXXX")
	"$@" >"$out" 2>"$err" </dev/null
	status=$?
	lines=$(grep -c '' "$err")
	if [ "$status" -eq 0 ]; then
		reason="exit status 0, expected a failure"
	elif [ "$lines" -ne 1 ]; then
		reason="$lines lines on stderr, expected exactly one"
	elif ! grep -Eq -- "$regex" "$err"; then
		reason="stderr does not match /$regex/"
	fi
	if [ -z "$reason" ]; then
		vm_ok "$desc"
		sed 's/^/    | /' "$err"
	else
		vm_failed "$desc" "$reason"
		echo "    | stdout:"
		vm_show "$out"
		echo "    | stderr:"
		vm_show "$err"
	fi
	rm -f "$out" "$err"
	[ -z "$reason" ]
}

# Prints the kernel messages logged since the scenario started.
vm_dmesg_new() {
	local mark total
	mark=$(cat "$VM_STATE/dmesg.mark" 2>/dev/null || echo 0)
	dmesg >"$VM_STATE/dmesg"
	total=$(grep -c '' "$VM_STATE/dmesg")
	# The ring buffer wrapped: check all of it.
	[ "$total" -ge "$mark" ] || mark=0
	tail -n "+$((mark + 1))" "$VM_STATE/dmesg"
}

vm_dmesg_check() {
	! vm_dmesg_new | grep -E -A 6 -- "$VM_DMESG_BAD"
}

dmesg_clean() {
	step "${1:-kernel log clean}" vm_dmesg_check
}

vm_poll() {
	local tries=$1 i=1
	shift
	until "$@"; do
		if [ "$i" -ge "$tries" ]; then
			echo "still failing after $tries tries"
			return 1
		fi
		i=$((i + 1))
		# shellcheck disable=SC3045 # busybox ash has read -t
		read -r -t "$VM_POLL_INTERVAL" _ <>"$VM_STATE/tick"
	done
	return 0
}

# Succeeds when Linux has every CPU given back, online and running a task
# as the root cell's guest (CPUID hides VMX), and sysfs cpus_entered is $1.
cpus_back_with_linux() {
	local entered=$1 cpu
	shift
	for cpu in "$@"; do
		grep -qx 1 "/sys/devices/system/cpu/cpu$cpu/online" &&
			taskset -c "$cpu" true || { echo "CPU $cpu is not back with Linux"; return 1; }
		[ "$(taskset -c "$cpu" probe cpuid-vmx)" = no-vmx ] ||
			{ echo "CPU $cpu is back but not the root cell's guest (CPUID shows VMX)"; return 1; }
	done
	[ "$(cat /sys/devices/bulkhead/cpus_entered)" = "$entered" ]
}

# sysfs_is FILE VALUE: /sys/devices/bulkhead/FILE reads VALUE (and shows it).
sysfs_is() {
	local value
	value=$(cat "/sys/devices/bulkhead/$1")
	echo "$1: $value"
	[ "$value" = "$2" ]
}

# The hypervisor's memory region is claimed in /proc/iomem.
memory_claimed() {
	grep -q 'Bulkhead hypervisor' /proc/iomem
}

# hv_console_has TEXT: the hypervisor's console (bulkhead console) holds TEXT.
hv_console_has() {
	bulkhead console | grep -q "$1"
}

# pool_save FILE: keeps sysfs memory_pool ("USED TOTAL") in FILE and shows it.
pool_save() {
	tee "$1" </sys/devices/bulkhead/memory_pool
}

# pool_is FILE: sysfs memory_pool reads what pool_save kept in FILE.
pool_is() {
	local now
	now=$(cat /sys/devices/bulkhead/memory_pool)
	echo "pool now '$now', kept '$(cat "$1")'"
	[ -s "$1" ] && [ "$now" = "$(cat "$1")" ]
}

host_expects() {
	printf 'BULKHEAD-VM: expect %s\t%s\t%s\n' "$2" "$1" "$3"
}

wait_for() {
	local desc=$1
	shift
	step "$desc" vm_poll "$@"
}

# host_capture NAME FILE: sends FILE to the host, which writes it to
# build/vm/captured/NAME: base64 lines on the console between capture
# markers, checked on the host against the SHA-256 after them (a step of
# the host's, like host_expects).  Written to /dev/console even inside step.
host_capture() {
	[ -r "$2" ] || { echo "host_capture: cannot read $2"; return 1; }
	{
		echo "BULKHEAD-VM: capture $1 begin"
		base64 "$2"
		echo "BULKHEAD-VM: capture $1 end $(sha256sum "$2" | cut -d' ' -f1)"
	} >/dev/console
}
