# SPDX-License-Identifier: GPL-2.0
"""Single-config rules about a cell's devices: I/O ports, console, IOAPIC pins, PCI."""

from . import abi
from .findings import Address
from .spans import overlapping_pairs, port_spans, span, text, uncovered

PIO_SPACE = 0x10000
PAGE_SIZE = 0x1000
FOUR_GIB = 1 << 32
MIN_BAR_SIZE = 16


def check_cell_devices(cell, is_root, report):
    for pio in cell.pio_regions:
        _check_pio_region(pio, report)
    for first, second in overlapping_pairs(port_spans(cell)):
        report.error('pio-overlap', second.origin, f'port range {text(second)} '
                     f'overlaps {first.origin} ({text(first)})',
                     'make the ranges disjoint', [first.origin],
                     [_ports(second), _ports(first)])
    check_console(cell.console, report)
    if not is_root:
        _check_console_reachable(cell, report)
    _check_irqchips(cell.irqchips, report)
    _check_pci_devices(cell, report)


def _ports(item):
    return Address('port', item.start, item.end - item.start)


def _check_pio_region(pio, report):
    if not pio.length:
        report.error('pio-range', pio.origin, f'I/O port range at {pio.base:#x} has '
                     'length 0', 'give it a length or remove it')
    elif pio.base + pio.length > PIO_SPACE:
        report.error('pio-range', pio.origin, f'I/O port range {pio.base:#x}'
                     f'+{pio.length:#x} passes port {PIO_SPACE - 1:#x}',
                     'keep ports below 0x10000')


def check_console(console, report):
    """A console is of type none with every field zero, or a well-formed 8250."""
    if console.type == abi.CONSOLE_NONE:
        if any((console.flags, console.address, console.size, console.divider)):
            report.error('console', console.origin, 'console of type none has fields '
                         'set', 'zero them or give the console a type')
        return
    if console.type not in abi.CONSOLE_TYPE_NAMES:
        report.error('console', console.origin, f'unknown console type {console.type}',
                     'use one of ' + ', '.join(abi.CONSOLE_TYPES))
        return
    if not _console_flags_ok(console, report):
        return
    if not console.size:
        report.error('console', console.origin, 'console size is zero',
                     'give the size of its register window')
    elif not console.divider:
        report.error('console', console.origin, 'divider is zero',
                     'set the baud rate divisor (1 for 115200 baud)')
    else:
        _check_console_window(console, report)


def _console_flags_ok(console, report):
    undefined = console.flags & ~abi.CONSOLE_VALID_FLAGS
    if undefined:
        report.error('console', console.origin, f'console flags {console.flags:#x} '
                     f'have undefined bits {undefined:#x}', 'use mmio and regdist-4 only')
    elif console.flags == abi.CONSOLE_FLAG_REGDIST_4:
        report.error('console', console.origin, 'flag regdist-4 without mmio',
                     'port-mapped UART registers are 1 byte apart: remove it')
    else:
        return True
    return False


def _check_console_window(console, report):
    end = console.address + console.size
    if console.flags & abi.CONSOLE_FLAG_MMIO:
        if end > 1 << 64:
            report.error('console', console.origin, f'MMIO console at '
                         f'{console.address:#x} passes the end of the address space',
                         'use the UART\'s physical address')
    elif end > PIO_SPACE:
        report.error('console', console.origin, f'console ports {console.address:#x}'
                     f'+{console.size:#x} pass port {PIO_SPACE - 1:#x}',
                     'use an I/O port address, or add flag mmio')


def _check_console_reachable(cell, report):
    """Warn when an inmate's console is outside what its cell may access."""
    console = cell.console
    if console.type == abi.CONSOLE_NONE:
        return
    window = span(console.address, console.size, console.origin)
    if console.flags & abi.CONSOLE_FLAG_MMIO:
        covers, space, where = _guest_io_spans(cell), 'guest', 'io memory regions'
    else:
        covers, space, where = port_spans(cell), 'port', 'pio-regions'
    if uncovered(window, covers):
        report.warning('console-unreachable', console.origin, f'console {text(window)} '
                       f'is not in the cell\'s {where}', 'give the cell its UART, or '
                       'the inmate can only print through the debug console '
                       'hypercall', addresses=[Address(space, window.start,
                                                       console.size)])


def _guest_io_spans(cell):
    return [span(region.virt_start, region.size, region.origin)
            for region in cell.memory_regions if region.flags & abi.MEM_IO]


def _check_irqchips(chips, report):
    seen = {}
    for chip in chips:
        if not chip.address or chip.address % PAGE_SIZE or chip.address >= FOUR_GIB:
            # The MADT gives IOAPIC addresses in 32 bits.
            report.error('ioapic', chip.origin, f'IOAPIC address {chip.address:#x} is '
                         'not a non-zero, 4 KiB aligned address below 4 GiB',
                         'use the address from the ACPI MADT')
        if not chip.pins:
            report.error('ioapic', chip.origin, 'the IOAPIC node lists no pins',
                         'list at least one pin or drop the node')
        if chip.address in seen:
            report.error('ioapic', chip.origin, f'IOAPIC {chip.address:#x} is also '
                         f'{seen[chip.address]}', 'merge their pins into one node',
                         [seen[chip.address]])
        seen.setdefault(chip.address, chip.origin)


def _check_pci_devices(cell, report):
    seen = {}
    for device in cell.pci_devices:
        key = (device.domain, device.bus, device.device, device.function)
        if key in seen:
            report.error('pci-device', device.origin, f'PCI device {device.address} is '
                         f'also {seen[key]}', 'list each device once', [seen[key]])
        seen.setdefault(key, device.origin)
        for bar in device.bars:
            _check_pci_bar(cell, bar, report)


def _check_pci_bar(cell, bar, report):
    """BARs decode a power-of-two size at an address aligned to it.

    PCI Local Bus Specification 3.0, 6.2.5.1; memory BARs are at least 16 bytes.
    """
    if not bar.size:
        if bar.address:
            report.error('pci-bar', bar.origin, 'BAR has an address but size 0',
                         'give its size')
        return
    if bar.size < MIN_BAR_SIZE or bar.size & (bar.size - 1):
        report.error('pci-bar', bar.origin, f'BAR size {bar.size:#x} is not a power of '
                     'two of at least 16 bytes', 'use the size the device decodes')
    elif bar.address % bar.size:
        report.error('pci-bar', bar.origin, f'BAR address {bar.address:#x} is not '
                     f'aligned to its size {bar.size:#x}', 'use the address the '
                     'device decodes')
    elif not _inside_io_region(cell, bar):
        report.error('pci-bar', bar.origin, f'BAR {bar.address:#x}-'
                     f'{bar.address + bar.size - 1:#x} is not inside one memory region '
                     'of the cell with flag io', 'add a region with flag "io" that '
                     'covers it', addresses=[Address('physical', bar.address, bar.size)])


def _inside_io_region(cell, bar):
    return any(region.flags & abi.MEM_IO and not region.flags & abi.MEM_COMM_REGION and
               region.phys_start <= bar.address and
               bar.address + bar.size <= region.phys_start + region.size
               for region in cell.memory_regions)
