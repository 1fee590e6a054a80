# SPDX-License-Identifier: GPL-2.0
# The configs made of the machine's own archive: create wrote the system
# config and cell the tiny-demo cell (make vm-test-config, after the
# 70-config-collect.sh scenario of make vm-test collected the machine), and
# Debian's dkms built the module.  With that module Bulkhead enables with
# the configs, and tiny-demo runs in the cell beside Linux.

GENERATED=/etc/bulkhead/fixtures/generated
TINY_IMAGE=/usr/share/bulkhead/inmates/tiny-demo.bin

cell_running() {
	bulkhead cell list | tee /tmp/cells.out
	grep -qE '^1 +tiny-demo +running +1 +-$' /tmp/cells.out
}

step "insmod the bulkhead.ko dkms built" insmod "$GENERATED/bulkhead.ko" || return
step "enable with the generated system config" bulkhead enable "$GENERATED/system.cell" || return
step "create the cell that bulkhead-config cell wrote" bulkhead cell create "$GENERATED/tiny-demo.cell"
step "load tiny-demo" bulkhead cell load tiny-demo "$TINY_IMAGE" -s "hv-console" -a 0x1000
step "start tiny-demo" bulkhead cell start tiny-demo
wait_for "tiny-demo says hello from its CPU" 100 hv_console_has "tiny-demo: hello from CPU"
wait_for "tiny-demo ticks" 100 hv_console_has "tiny-demo: tick"
host_expects "COM2: tiny-demo says hello from CPU 1" serial2.log '^tiny-demo: hello from CPU 1\b'
step "cell list: running" cell_running
step "destroy the cell" bulkhead cell destroy tiny-demo
step "CPU 1 is back with Linux" cpus_back_with_linux 0-1 1
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
