# SPDX-License-Identifier: GPL-2.0
# ipc-demo shares a page with the root cell (flag root-shared): Linux reads
# the inmate's signature and counter there, and the inmate echoes a value
# Linux writes.  Host physical 0x1c900000 is guest physical 0x200000.

SYSTEM=/etc/bulkhead/bochs-system.cell
IPC=/etc/bulkhead/ipc-demo.cell
IPC_IMAGE=/usr/share/bulkhead/inmates/ipc-demo.bin
SHARED=0x1c900000

# "BULK" of "BULKHEAD-IPC-DEMO", read as a little-endian 32-bit word.
signature_there() {
	[ "$(devmem $SHARED 32)" = 0x4B4C5542 ]
}

counter() {
	devmem $((SHARED + 40)) 64
}

counter_moves() {
	local first
	first=$(counter)
	echo "counter $first"
	vm_poll 50 sh -c "[ \"\$(devmem $((SHARED + 40)) 64)\" != $first ]"
}

echoed() {
	[ "$(devmem $((SHARED + 64)) 32)" = 0x00C0FFEE ]
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable" bulkhead enable "$SYSTEM"
step "cell create ipc-demo" bulkhead cell create "$IPC"
step "cell load ipc-demo" bulkhead cell load ipc-demo "$IPC_IMAGE"
step "cell start ipc-demo" bulkhead cell start ipc-demo
wait_for "the inmate's signature in the shared page" 100 signature_there
step "the inmate's counter moves, as Linux reads it" counter_moves
step "Linux writes a value for the inmate" devmem $((SHARED + 60)) 32 0xC0FFEE
wait_for "the inmate echoes it back" 100 echoed
step "cell destroy ipc-demo" bulkhead cell destroy ipc-demo
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
