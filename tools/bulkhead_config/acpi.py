# SPDX-License-Identifier: GPL-2.0
"""The ACPI tables a system config needs, parsed from their binary form.

Every field is read at the offset its specification gives (ACPI 6.5 for
MADT and FADT, the PCI Firmware Specification 3.0 for MCFG, the IA-PC HPET
Specification 1.0a for HPET, the Intel VT-d Specification 4.1 for DMAR);
the offsets are written next to each read.  All fields are little-endian.
A table that is shorter than its header says, longer, or whose bytes do not
sum to zero is refused with one line, as is an entry that runs past the end.
"""

import struct
from dataclasses import dataclass, field

TABLE_DIR = 'sys/firmware/acpi/tables/'
HEADER_SIZE = 36            # ACPI 6.5, 5.2.6: the System Description Table Header
RECOLLECT = 'collect the machine again with "bulkhead-config collect" (as root)'

# ACPI 6.5, 5.2.12.x: MADT entry types this tool reads.
MADT_LOCAL_APIC = 0
MADT_IO_APIC = 1
MADT_LOCAL_APIC_OVERRIDE = 5
MADT_LOCAL_X2APIC = 9
MADT_ENABLED = 1 << 0           # Local (x2)APIC flags, bit 0
MADT_ONLINE_CAPABLE = 1 << 1    # bit 1: may be enabled later

FADT_HW_REDUCED_ACPI = 1 << 20  # ACPI 6.5, Table 5.10: FADT flags bit 20
GAS_SYSTEM_IO = 1               # ACPI 6.5, Table 5.25: address space ID

DMAR_DRHD = 0                   # VT-d 4.1, 8.2: remapping structure types
DMAR_RMRR = 1
DMAR_INTR_REMAP = 1 << 0        # VT-d 4.1, 8.1: DMAR flags
DMAR_X2APIC_OPT_OUT = 1 << 1


@dataclass
class LocalApic:
    apic_id: int
    uid: int
    enabled: bool
    online_capable: bool


@dataclass
class IoApic:
    ioapic_id: int
    address: int
    gsi_base: int


@dataclass
class Madt:
    lapic_address: int
    lapics: list = field(default_factory=list)
    ioapics: list = field(default_factory=list)


@dataclass
class Fadt:
    pm_timer_port: int      # 0: no PM timer
    dsdt_address: int
    hardware_reduced: bool
    smi_command_port: int = 0       # 0: no SMI command port
    pm1a_control_port: int = 0      # 0: no PM1a control block
    pm1b_control_port: int = 0      # 0: no PM1b control block


@dataclass
class McfgEntry:
    base: int
    segment: int
    start_bus: int
    end_bus: int


@dataclass
class DmarUnit:
    """A DMA remapping hardware unit (DRHD): its register page(s)."""
    base: int
    size: int
    segment: int
    include_all: bool


@dataclass
class Dmar:
    flags: int
    units: list = field(default_factory=list)
    reserved: list = field(default_factory=list)     # RMRR (base, size) pairs


class Table:
    """One table's bytes, checked, with little-endian field reads."""

    def __init__(self, source, signature, data):
        self.source = source
        self.signature = signature
        self.data = data
        self.where = TABLE_DIR + signature

    def error(self, problem, fix=RECOLLECT):
        return self.source.error(self.where, problem, fix)

    def need(self, size, what):
        if len(self.data) < size:
            raise self.error(f'{len(self.data)} bytes are too short for {what} '
                             f'(needs {size})')

    def u8(self, offset):
        return self.data[offset]

    def u16(self, offset):
        return struct.unpack_from('<H', self.data, offset)[0]

    def u32(self, offset):
        return struct.unpack_from('<I', self.data, offset)[0]

    def u64(self, offset):
        return struct.unpack_from('<Q', self.data, offset)[0]


def read_table(source, signature, required):
    """The checked table @signature, or None when it is absent and optional."""
    data = source.read(TABLE_DIR + signature)
    if data is None:
        if required:
            raise source.error(TABLE_DIR + signature, f'the ACPI {signature} table '
                               'is missing', 'Bulkhead needs it; ' + RECOLLECT)
        return None
    table = Table(source, signature, data)
    _check_header(table)
    return table


def _check_header(table):
    """ACPI 6.5, 5.2.6: signature at 0, length at 4, checksum over length bytes."""
    table.need(HEADER_SIZE, 'a table header')
    if table.data[0:4] != table.signature.encode():
        raise table.error(f'signature is {table.data[0:4]!r}, not {table.signature}')
    length = table.u32(4)
    if length < len(table.data):
        raise table.error(f'{len(table.data)} bytes, but the header says {length}')
    if length > len(table.data):
        raise table.error(f'truncated: {len(table.data)} of {length} bytes')
    if sum(table.data) & 0xff:
        raise table.error(f'bad checksum: the bytes sum to {sum(table.data) & 0xff:#04x}, '
                          'not 0')


def _entries(table, start):
    """(type, offset, length) of each entry of a MADT-style list from @start."""
    offset = start
    while offset < len(table.data):
        table.need(offset + 2, f'the entry header at offset {offset}')
        kind, length = table.data[offset], table.data[offset + 1]
        if length < 2 or offset + length > len(table.data):
            raise table.error(f'entry of type {kind} at offset {offset} has length '
                              f'{length}, which does not fit the table')
        yield kind, offset, length
        offset += length


def parse_madt(table):
    """ACPI 6.5, 5.2.12: Multiple APIC Description Table (signature APIC)."""
    table.need(44, 'a MADT')
    madt = Madt(lapic_address=table.u32(36))    # 36: Local Interrupt Controller Address
    for kind, offset, length in _entries(table, 44):
        _madt_entry(table, madt, kind, offset, length)
    return madt


def _madt_entry(table, madt, kind, offset, length):
    minimum = {MADT_LOCAL_APIC: 8, MADT_IO_APIC: 12, MADT_LOCAL_APIC_OVERRIDE: 12,
               MADT_LOCAL_X2APIC: 16}
    if kind in minimum and length < minimum[kind]:
        raise table.error(f'entry of type {kind} at offset {offset} has length {length}, '
                          f'not {minimum[kind]}')
    if kind == MADT_LOCAL_APIC:
        # 5.2.12.2: +2 ACPI Processor UID, +3 APIC ID, +4 flags
        flags = table.u32(offset + 4)
        madt.lapics.append(LocalApic(table.u8(offset + 3), table.u8(offset + 2),
                                     bool(flags & MADT_ENABLED),
                                     bool(flags & MADT_ONLINE_CAPABLE)))
    elif kind == MADT_IO_APIC:
        # 5.2.12.3: +2 I/O APIC ID, +4 I/O APIC Address, +8 Global System Interrupt Base
        madt.ioapics.append(IoApic(table.u8(offset + 2), table.u32(offset + 4),
                                   table.u32(offset + 8)))
    elif kind == MADT_LOCAL_APIC_OVERRIDE:
        # 5.2.12.8: +4 64-bit Local APIC Address, replacing the one at 36
        madt.lapic_address = table.u64(offset + 4)
    elif kind == MADT_LOCAL_X2APIC:
        # 5.2.12.12: +4 X2APIC ID, +8 flags, +12 ACPI Processor UID
        flags = table.u32(offset + 8)
        madt.lapics.append(LocalApic(table.u32(offset + 4), table.u32(offset + 12),
                                     bool(flags & MADT_ENABLED),
                                     bool(flags & MADT_ONLINE_CAPABLE)))


def parse_fadt(table):
    """ACPI 6.5, 5.2.9: Fixed ACPI Description Table (signature FACP)."""
    table.need(92, 'a FADT')
    # 40: DSDT (32-bit); 140: X_DSDT (64-bit, ACPI 2.0 and later) wins when set.
    dsdt = table.u32(40)
    if len(table.data) >= 148 and table.u64(140):
        dsdt = table.u64(140)
    hardware_reduced = len(table.data) >= 116 and bool(table.u32(112) & FADT_HW_REDUCED_ACPI)
    fadt = Fadt(_pm_timer_port(table, hardware_reduced), dsdt, hardware_reduced)
    if not hardware_reduced:
        # 48: SMI_CMD; 64 and 68: PM1a_CNT_BLK and PM1b_CNT_BLK, each replaced by
        # its X_ Generic Address Structure (172 and 184) when that is set.
        fadt.smi_command_port = table.u32(48)
        fadt.pm1a_control_port = _io_block(table, 64, 172)
        fadt.pm1b_control_port = _io_block(table, 68, 184)
    return fadt


def _io_block(table, legacy, extended):
    """An I/O block's port: the 64-bit GAS at extended when in I/O space and set, else legacy."""
    if len(table.data) >= extended + 12 and table.u64(extended + 4) and \
            table.u8(extended) == GAS_SYSTEM_IO:
        return table.u64(extended + 4)
    return table.u32(legacy)


def _pm_timer_port(table, hardware_reduced):
    """The PM timer's I/O port, 0 when the machine has none."""
    if hardware_reduced:
        return 0
    # 208: X_PM_TMR_BLK, a Generic Address Structure (5.2.3.2: +0 address
    # space ID, +4 64-bit address); used when present, in I/O space and set.
    if len(table.data) >= 220 and table.u64(212) and table.u8(208) == GAS_SYSTEM_IO:
        return table.u64(212)
    # 91: PM_TMR_LEN, 4 when there is a timer; 76: PM_TMR_BLK, its port.
    if table.u8(91) == 0:
        return 0
    return table.u32(76)


def parse_mcfg(table):
    """PCI Firmware Specification 3.0, 4.1.2: the MCFG table."""
    table.need(44, 'an MCFG table')
    # 36: 8 reserved bytes; from 44, 16-byte allocation entries: +0 base
    # address, +8 PCI segment group, +10 start bus, +11 end bus.
    if (len(table.data) - 44) % 16:
        raise table.error(f'{len(table.data) - 44} bytes of allocation entries are '
                          'not a multiple of 16')
    entries = []
    for offset in range(44, len(table.data), 16):
        entry = McfgEntry(table.u64(offset), table.u16(offset + 8),
                          table.u8(offset + 10), table.u8(offset + 11))
        if entry.end_bus < entry.start_bus:
            raise table.error(f'allocation entry at offset {offset} ends at bus '
                              f'{entry.end_bus:#x} before its start bus {entry.start_bus:#x}')
        entries.append(entry)
    return entries


def parse_hpet(table):
    """IA-PC HPET Specification 1.0a, 3.2.4: the HPET's register block address."""
    table.need(56, 'an HPET table')
    # 40: Base Address, a Generic Address Structure; its 64-bit address at 44.
    return table.u64(44)


def parse_dmar(table):
    """Intel VT-d Specification 4.1, 8.1: DMA Remapping Reporting table."""
    table.need(48, 'a DMAR table')
    dmar = Dmar(flags=table.u8(37))             # 37: flags; structures from 48
    offset = 48
    while offset < len(table.data):
        table.need(offset + 4, f'the structure header at offset {offset}')
        kind, length = table.u16(offset), table.u16(offset + 2)
        if length < 4 or offset + length > len(table.data):
            raise table.error(f'structure of type {kind} at offset {offset} has length '
                              f'{length}, which does not fit the table')
        _dmar_structure(table, dmar, kind, offset, length)
        offset += length
    return dmar


def _dmar_structure(table, dmar, kind, offset, length):
    if kind == DMAR_DRHD:
        # 8.3: +4 flags (bit 0 INCLUDE_PCI_ALL), +5 size (bits 3:0: the
        # register set is 2^N pages), +6 segment, +8 register base address.
        if length < 16:
            raise table.error(f'DRHD structure at offset {offset} has length {length}')
        pages = 1 << (table.u8(offset + 5) & 0xf)
        dmar.units.append(DmarUnit(table.u64(offset + 8), pages * 0x1000,
                                   table.u16(offset + 6), bool(table.u8(offset + 4) & 1)))
    elif kind == DMAR_RMRR:
        # 8.4: +8 base address, +16 limit address (the last byte, inclusive).
        if length < 24:
            raise table.error(f'RMRR structure at offset {offset} has length {length}')
        base, limit = table.u64(offset + 8), table.u64(offset + 16)
        if limit < base:
            raise table.error(f'RMRR structure at offset {offset} ends before it starts')
        dmar.reserved.append((base, limit - base + 1))

