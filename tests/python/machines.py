# SPDX-License-Identifier: GPL-2.0
"""Hand-made machines for the bulkhead-config collect and create tests.

A Machine describes what Linux and the firmware would show; write_root()
lays it out as the files collect reads (proc/, sys/, dev/), so collect runs
on it with BULKHEAD_ROOT, and ACPI tables are built in their binary form
with valid checksums (tests break them on purpose).
"""

import struct
from dataclasses import dataclass, field
from pathlib import Path

# MADT entries (ACPI 6.5, 5.2.12).
ENABLED = 1
ONLINE_CAPABLE = 2


def acpi_table(signature, body, revision=1):
    """A table with the 36-byte header (ACPI 6.5, 5.2.6) and a valid checksum."""
    header = struct.pack('<4sIBB6s8sI4sI', signature.encode(), 36 + len(body), revision, 0,
                         b'BHTEST', b'BHTABLE ', 1, b'BHT ', 1)
    data = bytearray(header + body)
    data[9] = -sum(data) & 0xff
    return bytes(data)


def madt(lapic_address, cpus, ioapics, x2apic=False):
    """cpus: (apic_id, flags); ioapics: (id, address, gsi_base)."""
    body = struct.pack('<II', lapic_address, 1)
    for uid, (apic_id, flags) in enumerate(cpus):
        if x2apic:
            body += struct.pack('<BBHIII', 9, 16, 0, apic_id, flags, uid)
        else:
            body += struct.pack('<BBBBI', 0, 8, uid, apic_id, flags)
    for ioapic_id, address, gsi_base in ioapics:
        body += struct.pack('<BBBBII', 1, 12, ioapic_id, 0, address, gsi_base)
    body += struct.pack('<BBBBIH', 2, 10, 0, 0, 2, 0)    # IRQ 0 -> GSI 2, ignored
    return acpi_table('APIC', body, revision=4)


def fadt(pm_timer, x_pm_timer=None, dsdt=0x7c000100, length=276, smi_command=0, pm1a=0,
         x_pm1a=None):
    """A FADT (ACPI 6.5, 5.2.9) of @length bytes; X_PM_TMR_BLK and X_PM1a_CNT_BLK when given."""
    body = bytearray(length - 36)
    struct.pack_into('<I', body, 40 - 36, dsdt)
    struct.pack_into('<I', body, 48 - 36, smi_command)
    struct.pack_into('<I', body, 64 - 36, pm1a)
    if x_pm1a is not None:
        struct.pack_into('<BBBBQ', body, 172 - 36, 1, 16, 0, 2, x_pm1a)
    struct.pack_into('<I', body, 76 - 36, pm_timer)
    body[91 - 36] = 4 if pm_timer else 0
    if length >= 148:
        struct.pack_into('<Q', body, 140 - 36, dsdt)
    if x_pm_timer is not None:
        struct.pack_into('<BBBBQ', body, 208 - 36, 1, 32, 0, 3, x_pm_timer)
    return acpi_table('FACP', bytes(body), revision=6 if length > 116 else 1)


def mcfg(entries):
    """entries: (base, segment, start bus, end bus)."""
    body = bytes(8) + b''.join(struct.pack('<QHBBI', *entry, 0) for entry in entries)
    return acpi_table('MCFG', body)


def hpet(address):
    body = struct.pack('<I', 0x8086a201) + struct.pack('<BBBBQ', 0, 64, 0, 0, address)
    return acpi_table('HPET', body + struct.pack('<BHB', 0, 128, 0))


def dmar(flags, units, reserved):
    """units: (register base, size field); reserved: (base, limit)."""
    body = struct.pack('<BB10s', 45, flags, bytes(10))
    for base, size in units:
        body += struct.pack('<HHBBHQ', 0, 16, 0, size, 0, base)
    for base, limit in reserved:
        body += struct.pack('<HHHHQQ', 1, 24, 0, 0, base, limit)
    return acpi_table('DMAR', body)


@dataclass
class Pci:
    address: str
    driver: str = ''
    resources: list = field(default_factory=list)     # (start, end, flags)
    vendor: int = 0x8086
    device: int = 0x1234
    class_code: int = 0x020000


@dataclass
class Machine:
    cpus: list              # APIC IDs of the CPUs Linux runs, in CPU order
    iomem: str
    tables: dict            # signature -> bytes; absent signatures are absent
    cmdline: str = 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro console=ttyS0,115200'
    serial: str = ('serinfo:1.0 driver revision:\n'
                   '0: uart:16550A port:000003F8 irq:4 tx:5120 rx:12 RTS|CTS|DTR|DSR|CD\n'
                   '1: uart:16550A port:000002F8 irq:3 tx:0 rx:0 CTS|DSR\n')
    consoles: str = 'ttyS0                -W- (EC p a)    4:64\n'
    kernel_log: list = field(default_factory=list)
    pci: list = field(default_factory=list)
    msrs: dict = None       # msr -> value, the same on every CPU
    ioports: str = '0000-0cf7 : PCI Bus 0000:00\n  03f8-03ff : serial\n'
    release: str = '6.1.0-99-amd64'
    vmx: bool = True


def cpuinfo(apic_ids, vmx=True):
    flags = 'fpu vme de pse tsc msr pae apic x2apic' + (' vmx ept' if vmx else '')
    return ''.join(f'processor\t: {number}\nvendor_id\t: GenuineIntel\napicid\t\t: {apic}\n'
                   f'initial apicid\t: {apic}\nflags\t\t: {flags}\n\n'
                   for number, apic in enumerate(apic_ids))


def write_root(machine, root):
    """The machine as files under @root, as collect finds them on a live machine."""
    root = Path(root)
    files = {
        'proc/iomem': machine.iomem,
        'proc/ioports': machine.ioports,
        'proc/cpuinfo': cpuinfo(machine.cpus, machine.vmx),
        'proc/cmdline': machine.cmdline + '\n',
        'proc/consoles': machine.consoles,
        'proc/tty/driver/serial': machine.serial,
        'proc/sys/kernel/osrelease': machine.release + '\n',
        'dev/kmsg': ''.join(f'6,{n},{n * 1000},-;{line}\n'
                            for n, line in enumerate(machine.kernel_log)),
    }
    for name, text in files.items():
        _write(root / name, text.encode())
    for signature, data in machine.tables.items():
        _write(root / 'sys/firmware/acpi/tables' / signature, data)
    for device in machine.pci:
        _write_pci(root / 'sys/bus/pci/devices' / device.address, device)
    if machine.msrs:
        for cpu in range(len(machine.cpus)):
            _write_msrs(root / f'dev/cpu/{cpu}/msr', machine.msrs)
    return root


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write_pci(directory, device):
    lines = [f'{start:#018x} {end:#018x} {flags:#018x}\n'
             for start, end, flags in device.resources]
    lines += ['0x0000000000000000 0x0000000000000000 0x0000000000000000\n'] * (13 - len(lines))
    _write(directory / 'resource', ''.join(lines).encode())
    _write(directory / 'vendor', f'{device.vendor:#06x}\n'.encode())
    _write(directory / 'device', f'{device.device:#06x}\n'.encode())
    _write(directory / 'class', f'{device.class_code:#08x}\n'.encode())
    _write(directory / 'irq', b'11\n')
    _write(directory / 'config', bytes(256))
    if device.driver:
        (directory / 'driver').symlink_to(f'../../../../bus/pci/drivers/{device.driver}')


def _write_msrs(path, msrs):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'wb') as file:
        for msr, value in msrs.items():
            file.seek(msr)
            file.write(value.to_bytes(8, 'little'))


# --- the machines ----------------------------------------------------------

SERVER_IOMEM = '''\
00000000-00000fff : Reserved
00001000-0009ffff : System RAM
000a0000-000fffff : Reserved
  000f0000-000fffff : System ROM
00100000-7b7fffff : System RAM
  01000000-01ffffff : Kernel code
  02000000-027fffff : Kernel rodata
  02800000-02bfffff : Kernel data
  02c00000-02ffffff : Kernel bss
7b800000-7bffffff : Reserved
7c000000-7c0fffff : ACPI Tables
7c100000-7c1fffff : ACPI Non-volatile Storage
7c200000-7fffffff : System RAM
80000000-8fffffff : PCI Bus 0000:00
  8f000000-8f0fffff : 0000:00:02.0
    8f000000-8f0fffff : ixgbe
  8f100000-8f100fff : 0000:00:03.0
  8f200000-8f2003ff : INT0800:00
fec00000-fec003ff : IOAPIC 0
fec01000-fec013ff : IOAPIC 1
fec40000-fec403ff : IOAPIC 2
fed00000-fed003ff : HPET 0
fed90000-fed90fff : dmar0
fed91000-fed92fff : dmar1
fee00000-fee00fff : Local APIC
ff000000-ffffffff : Reserved
100000000-87fffffff : System RAM
8000000000-8007ffffff : PCI MMCONFIG 0000 [bus 00-7f]
'''

SERVER_IOAPICS = [(8, 0xfec00000, 0), (9, 0xfec01000, 24), (10, 0xfec40000, 56)]


def server():
    """64 CPUs (x2APIC entries, even APIC IDs), three IOAPICs, VT-d, RAM in
    three ranges with firmware memory between, MMCONFIG above 4 GiB, an
    ACPI 6 FADT whose X_PM_TMR_BLK differs from PM_TMR_BLK, no memmap=."""
    apic_ids = [2 * n for n in range(64)]
    return Machine(
        cpus=apic_ids, iomem=SERVER_IOMEM,
        tables={
            'APIC': madt(0xfee00000, [(a, ENABLED) for a in apic_ids], SERVER_IOAPICS,
                         x2apic=True),
            'FACP': fadt(0x408, x_pm_timer=0x508, smi_command=0xb2, pm1a=0x404,
                         x_pm1a=0x504),
            'MCFG': mcfg([(0x8000000000, 0, 0, 0x7f), (0x9000000000, 1, 0, 0xff)]),
            'HPET': hpet(0xfed00000),
            'DMAR': dmar(3, [(0xfed90000, 0), (0xfed91000, 1)], [(0x7b800000, 0x7b80ffff)]),
        },
        kernel_log=['ACPI: APIC 0x000000007C000200 000390 (v04 BHTEST BHTABLE  00000001)',
                    'IOAPIC[0]: apic_id 8, version 32, address 0xfec00000, GSI 0-23',
                    'IOAPIC[2]: apic_id 10, version 32, address 0xfec40000, GSI 56-87'],
        pci=[Pci('0000:00:02.0', 'ixgbe', [(0x8f000000, 0x8f0fffff, 0x40200),
                                          (0, 0, 0), (0xe000, 0xe01f, 0x40101)]),
             Pci('0000:00:03.0', '', [(0x8f100000, 0x8f100fff, 0x40200)])],
        msrs={0x3a: 5, 0x480: 0xda040000000012})


LAPTOP_IOMEM = '''\
00000000-00000fff : Reserved
00001000-0009efff : System RAM
0009f000-000fffff : Reserved
00100000-3fffffff : System RAM
  01200000-01ffffff : Kernel code
40000000-403fffff : Reserved
40400000-8fffffff : System RAM
90000000-9fffffff : Reserved
  90000000-9fffffff : PCI MMCONFIG 0000 [bus 00-ff]
a0000000-dfffffff : PCI Bus 0000:00
  c0000000-c0ffffff : 0000:00:02.0
    c0000000-c0ffffff : i915
fec00000-fec003ff : IOAPIC 0
fee00000-fee00fff : Local APIC
100000000-16fffffff : System RAM
'''


def laptop():
    """4 of 8 possible CPUs online (xAPIC entries, one disabled but online
    capable), one IOAPIC, MMCONFIG at 0x90000000, an ACPI 1.0 FADT, no HPET,
    no DMAR, Linux's console the only UART, a memmap= too small."""
    apic_ids = [0, 1, 2, 3]
    madt_cpus = [(a, ENABLED) for a in apic_ids] + [(4, ENABLED), (6, ONLINE_CAPABLE)]
    return Machine(
        cpus=apic_ids, iomem=LAPTOP_IOMEM,
        tables={
            'APIC': madt(0xfee00000, madt_cpus, [(2, 0xfec00000, 0)]),
            'FACP': fadt(0x1808, dsdt=0x8fff0000, length=116),
            'MCFG': mcfg([(0x90000000, 0, 0, 0xff)]),
        },
        cmdline='BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 quiet memmap=4M$0x40000000',
        serial='serinfo:1.0 driver revision:\n'
               '0: uart:16550A port:000003F8 irq:4 tx:0 rx:0 RTS|CTS|DTR|DSR\n'
               '1: uart:unknown port:000002F8 irq:3\n',
        consoles='tty0                 -WU (EC p  )    4:1\n',
        kernel_log=['IOAPIC[0]: apic_id 2, version 32, address 0xfec00000, GSI 0-119'],
        pci=[Pci('0000:00:02.0', 'i915', [(0xc0000000, 0xc0ffffff, 0x40200)],
                 class_code=0x030000)])
