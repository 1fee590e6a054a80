# SPDX-License-Identifier: GPL-2.0
# bulkhead latency: 10,000 samples of the latency inmate's APIC timer on
# CPU 1 while Linux keeps CPU 0 busy (a shell loop, dd copying memory, and
# ipi-load's IPIs and TLB shootdowns among Linux's own CPUs).  The cell's CPU makes no VM exit
# between the first sample and the last; the cell is destroyed after the
# run and CPU 1 works for Linux again.  Also: Ctrl-C (SIGINT) in the middle
# of a run destroys the cell too, and the run then exits non-zero.  The
# report names, per exit reason, the exits and longest handling of the
# cell's and the root's CPUs, and the longest hold of a root CPU.

SYSTEM=/etc/bulkhead/bochs-system.cell
LATENCY=/etc/bulkhead/latency.cell
IMAGE=/usr/share/bulkhead/inmates/latency.bin
REPORT=/tmp/latency.txt
JSON=/tmp/latency.json
# 10,000 samples of 500 us: 5 s of guest time.
SAMPLES=10000
PERIOD_US=500

run_latency() {
	bulkhead latency "$LATENCY" "$IMAGE" --samples $SAMPLES --period-us $PERIOD_US \
		--load 'ipi-load 600 & dd if=/dev/zero of=/dev/null bs=4M 2>/dev/null & while :; do :; done' \
		--json "$JSON" >"$REPORT" 2>&1
	local status=$?
	cat "$REPORT"
	return $status
}

report_has() {
	grep -q "$1" "$REPORT" || { echo "not in the report: $1"; cat "$REPORT"; return 1; }
}

no_cells() {
	[ -z "$(ls /sys/devices/bulkhead/cells)" ]
}

# The costs table: a row per exit reason, "NAME CELL_EXITS CELL_LONGEST
# ROOT_EXITS ROOT_LONGEST", longest in us, "<=" before a longest from
# before the run, "-" for none.  Plausible: the cell made no exit, the
# loaded root (ipi-load's IPIs exit) made some, and every longest is above
# zero and below the whole run's length.
costs_plausible() {
	local run_us=$((SAMPLES * PERIOD_US))
	sed -n '/^Exits during the run and the longest handling/,/^Longest hold/p' "$REPORT" |
		sed '1,2d;$d' | sed 's/<= //g' >/tmp/costs
	cat /tmp/costs
	[ -s /tmp/costs ] || { echo "no rows"; return 1; }
	awk -v limit="$run_us" '
		$2 != 0 { print "cell exits during the run: " $0; bad = 1 }
		{ root += $4 }
		$3 != "-" && !($3 > 0 && $3 < limit) { print "cell longest: " $0; bad = 1 }
		$5 != "-" && !($5 > 0 && $5 < limit) { print "root longest: " $0; bad = 1 }
		END { if (!root) print "the loaded root made no exit"; exit bad || !root }' /tmp/costs
}

# "Longest hold of a root CPU by management: [<= ]N us (CPU 0), during|before
# the run", or "0 us (none held since enable)": CPU 0 is the only root CPU
# here and runs management itself, so it is never held.
hold_plausible() {
	local line
	line=$(grep '^Longest hold of a root CPU by management: ' "$REPORT")
	echo "$line"
	[ "$line" = "Longest hold of a root CPU by management: 0 us (none held since enable)" ]
}

# Interrupts the run once sampling has begun: SIGINT, as Ctrl-C sends it.
interrupted_run() {
	bulkhead latency "$LATENCY" "$IMAGE" --samples 1000000 --period-us 1000 >/tmp/cut.txt 2>&1 &
	local pid=$! tries=0
	until grep -q "^Measuring" /tmp/cut.txt; do
		tries=$((tries + 1))
		[ $tries -lt 300 ] || { cat /tmp/cut.txt; kill -INT $pid; return 1; }
		sleep 0.1
	done
	sleep 1
	kill -INT $pid
	wait $pid
	local status=$?
	cat /tmp/cut.txt
	[ $status -ne 0 ] && grep -q "interrupted after [0-9]* samples; the cell is destroyed" /tmp/cut.txt
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable" bulkhead enable "$SYSTEM"
step "bulkhead latency: $SAMPLES samples while the root cell is loaded" run_latency
step "the report has min/avg/p99/p99.9/max" \
	report_has "min [0-9.]* us, avg [0-9.]* us, p99 [0-9.]* us, p99.9 [0-9.]* us, max"
step "all $SAMPLES samples were taken" report_has ": $SAMPLES samples, one every $PERIOD_US us"
step "the report has a histogram" report_has "^Histogram"
step "no VM exit of the cell's CPU during the run" \
	report_has "VM exits of the cell's CPUs during the run: 0$"
step "the report has each exit reason's longest handling, cell and root" costs_plausible
step "the report has the longest hold of a root CPU: none" hold_plausible
step "the JSON file has the figures" \
	sh -c "grep -q '\"samples\": $SAMPLES,' $JSON && grep -q '\"exits_during_run\": 0,' $JSON &&
		grep -q '\"exit_costs\": {\"' $JSON && grep -q '\"root_hold\": {\"longest_us\": 0, \"cpu\": 0,' $JSON"
# The counters the run compares are live: the inmate's boot made exits.
step "the cell's exit counters counted its boot" grep -q '"exits_before_run": [1-9]' "$JSON"
step "the load was stopped" sh -c '! pidof ipi-load && ! pidof dd'
step "the cell was destroyed" no_cells
step "CPU 1 is back with Linux and works" cpus_back_with_linux 0-1 1
step "Ctrl-C in a run destroys the cell and fails the run" interrupted_run
step "the interrupted run left no cell" no_cells
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
host_expects "COM2: the inmate's summary" serial2.log \
	'^latency: 10000 samples, min [0-9]+ ns, avg [0-9]+ ns, max [0-9]+ ns'
