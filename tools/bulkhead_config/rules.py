# SPDX-License-Identifier: GPL-2.0
"""The rules one config must follow on its own, for build and check alike.

The hypervisor checks the same rules itself (common/config.c) and is the
authority; this module applies them before a .cell file exists, with messages
that say how to fix the source.  Rules across configs live in check.py, and
those about devices (ports, console, IOAPICs, PCI) in devices.py.
"""

from . import abi, devices
from .findings import Address, Report
from .spans import guest_spans, overlapping_pairs, physical_spans, span, text

PAGE_SIZE = 0x1000
MIN_HYPERVISOR_SIZE = 1 << 20
PIO_SPACE = 0x10000
ADDRESS_SPACE = 1 << 64
FOUR_GIB = 1 << 32
LIMITS = (('memory_regions', 'memory regions', abi.MAX_MEMORY_REGIONS),
          ('pio_regions', 'I/O port ranges', abi.MAX_PIO_REGIONS),
          ('irqchips', 'ioapic nodes', abi.MAX_IRQCHIPS),
          ('pci_devices', 'PCI devices', abi.MAX_PCI_DEVICES))


def check_config(config, report=None):
    """Apply the single-config rules and return the report.

    Without a report the first error raises ConfigError, as build wants.
    """
    report = report or Report(strict=True)
    is_system = config.kind == abi.KIND_SYSTEM
    check_cell(config.cell, is_system, report)
    if is_system:
        check_system(config.system, config.cell, report)
    return report


def check_cell(cell, is_root, report):
    """Rules for one cell on its own; is_root selects the root cell's rules."""
    _check_name(cell, report)
    _check_cpus(cell, is_root, report)
    _check_cell_flags(cell, is_root, report)
    _check_limits(cell, report)
    for region in cell.memory_regions:
        _check_memory_region(region, is_root, report)
    _check_comm_regions(cell, is_root, report)
    _check_disjoint(physical_spans(cell), 'physical', report)
    _check_disjoint(guest_spans(cell), 'guest', report)
    devices.check_cell_devices(cell, is_root, report)
    if not is_root:
        _check_reset_address(cell, report)
        _check_shutdown_timeout(cell, report)


def check_system(system, root_cell, report):
    """Rules for the system part of a system config."""
    _expect_no_flags(system.flags, system.origin, 'system', report)
    _check_hypervisor_memory(system.hypervisor_memory, report)
    _check_hypervisor_outside_root(system.hypervisor_memory, root_cell, report)
    devices.check_console(system.debug_console, report)
    if system.pm_timer_address >= PIO_SPACE:
        report.error('platform', system.origin, f'pm-timer-address '
                     f'{system.pm_timer_address:#x} is not an I/O port',
                     'use the port from the FADT, or 0 for none')
    for name, port in platform_control_ports(system):
        if port >= PIO_SPACE:
            report.error('platform', system.origin, f'{name} {port:#x} is not an I/O port',
                         'use the port from the FADT, or 0 for none')
    _check_mmconfig(system, report)
    _check_acpi_tables(system.acpi_tables, report)


def platform_control_ports(system):
    """(property name, port) of the system's ACPI ports that control the platform."""
    return (('smi-command-port', system.smi_command_port),
            ('pm1a-control-port', system.pm1a_control_port),
            ('pm1b-control-port', system.pm1b_control_port))


def mmconfig_span(system):
    """The PCI Express extended configuration space window, or None."""
    if not system.pci_mmconfig_base:
        return None
    size = (system.pci_mmconfig_end_bus + 1) * abi.MMCONFIG_BUS_SIZE
    return span(system.pci_mmconfig_base, size, 'PCI MMCONFIG window')


def _check_disjoint(spans, space, report, kind='memory-overlap',
                    fix='make the regions disjoint'):
    for first, second in overlapping_pairs(spans):
        report.error(kind, second.origin, f'{space} range {text(second)} overlaps '
                     f'{first.origin} ({text(first)})', fix, [first.origin],
                     [_address(space, second), _address(space, first)])


def _address(space, item):
    return Address(space, item.start, item.end - item.start)


def _check_name(cell, report):
    name = cell.name
    limit = abi.CELL_NAME_SIZE - 1
    if not name:
        report.error('name', cell.origin, 'name is empty', 'give the cell a name')
    elif len(name) > limit:
        report.error('name', cell.origin, f'name "{name}" is {len(name)} bytes, '
                     f'longer than {limit}', 'shorten it')
    elif not all(' ' <= char <= '~' for char in name):
        report.error('name', cell.origin, f'name {name!r} is not printable ASCII',
                     'use letters, digits and punctuation')


def _check_cpus(cell, is_root, report):
    if not cell.cpus:
        report.error('cpus', cell.origin, 'cpus lists no CPU',
                     'give the cell at least one CPU')
    for cpu in cell.cpus:
        if cpu >= abi.MAX_CPUS:
            report.error('cpus', cell.origin, f'CPU {cpu} is out of range 0..'
                         f'{abi.MAX_CPUS - 1}', f'use CPU numbers below {abi.MAX_CPUS}',
                         addresses=[Address('cpu', cpu)])
    if is_root and 0 not in cell.cpus:
        report.error('cpu0', cell.origin, 'the root cell does not hold CPU 0',
                     'add CPU 0 to its cpus: Linux boots on it and keeps it')
    elif not is_root and 0 in cell.cpus:
        report.error('cpu0', cell.origin, 'CPU 0 cannot leave the root cell',
                     'remove CPU 0 from cpus', addresses=[Address('cpu', 0)])


def _check_cell_flags(cell, is_root, report):
    if is_root:
        _expect_no_flags(cell.flags, cell.origin, 'root cell', report)
    elif cell.flags & ~abi.CELL_VALID_FLAGS:
        report.error('reserved', cell.origin, f'cell flags {cell.flags:#x} have undefined '
                     f'bits {cell.flags & ~abi.CELL_VALID_FLAGS:#x}',
                     'use only "console-putc", "no-pm-timer" and "passive-comm"')


def _expect_no_flags(flags, where, what, report):
    if flags:
        report.error('reserved', where, f'{what} flags {flags:#x} are not defined '
                     f'in revision {abi.REVISION}', 'leave them zero')


def _check_limits(cell, report):
    for attribute, what, limit in LIMITS:
        count = len(getattr(cell, attribute))
        if count > limit:
            report.error('limits', cell.origin, f'{count} {what}, more than the '
                         f'limit of {limit}', 'merge adjacent ones')


def _check_memory_region(region, is_root, report):
    _check_memory_flags(region, is_root, report)
    _check_page_range(region.origin, 'phys-start', region.phys_start, region.size,
                      report)
    _check_page_range(region.origin, 'virt-start', region.virt_start, region.size,
                      report, check_size=False)
    if is_root and region.virt_start != region.phys_start:
        # Linux already runs at these physical addresses when it becomes
        # the root cell; its memory cannot move under it.
        report.error('root-moved', region.origin, f'virt-start {region.virt_start:#x} '
                     f'is not phys-start {region.phys_start:#x}',
                     'the root cell keeps its physical addresses: remove virt-start')


def _check_memory_flags(region, is_root, report):
    undefined = region.flags & ~abi.MEM_VALID_FLAGS
    if undefined:
        report.error('memory-flags', region.origin, f'flags {region.flags:#x} has '
                     f'undefined bits {undefined:#x}', 'use only the flags config.h '
                     'defines')
    elif not region.flags:
        report.error('memory-flags', region.origin, 'flags is empty',
                     'give at least one of ' + ', '.join(abi.MEMORY_FLAGS))
    elif is_root and region.flags & abi.MEM_NON_ROOT_FLAGS:
        names = abi.flag_names(region.flags & abi.MEM_NON_ROOT_FLAGS, abi.MEMORY_FLAGS)
        report.error('memory-flags', region.origin, f'flag "{names[0]}" is for '
                     'non-root cells only', 'remove it from the root cell')


def _check_page_range(where, name, start, size, report, check_size=True):
    """Size and start in whole pages, not past the end of the address space."""
    if check_size and not size:
        report.error('memory-range', where, 'size is zero',
                     'give it a size in whole 4 KiB pages')
    elif check_size and size % PAGE_SIZE:
        report.error('alignment', where, f'size {size:#x} is not a multiple of 4 KiB',
                     f'round it up to a multiple of {PAGE_SIZE:#x}')
    if start % PAGE_SIZE:
        report.error('alignment', where, f'{name} {start:#x} is not 4 KiB aligned',
                     f'move it to a multiple of {PAGE_SIZE:#x}')
    elif start + size > ADDRESS_SPACE:
        report.error('memory-range', where, f'{name} {start:#x} plus size {size:#x} '
                     'passes the end of the 64-bit address space', 'make it smaller')


def _check_comm_regions(cell, is_root, report):
    comm_regions = [region for region in cell.memory_regions
                    if region.flags & abi.MEM_COMM_REGION]
    for region in comm_regions:
        if region.size != PAGE_SIZE:
            report.error('comm-region', region.origin, f'comm region is '
                         f'{region.size:#x} bytes, not one page',
                         f'set size to {PAGE_SIZE:#x}')
        if region.phys_start:
            report.error('comm-region', region.origin, 'comm region has a phys-start',
                         'remove it: the hypervisor provides the page')
    for region in comm_regions[1:]:
        report.error('comm-region', region.origin, 'second comm region in the cell',
                     'keep one region with flag comm-region', [comm_regions[0].origin])
    if not is_root and not comm_regions:
        report.error('comm-region-missing', cell.origin, f'cell "{cell.name}" has no '
                     'comm region', 'add memory@100000 { virt-start = <0x100000>; size = '
                     '<0x1000>; flags = "read", "write", "comm-region"; }')


def _check_reset_address(cell, report):
    """CPUs start in real mode at reset-address: executable guest memory below 4 GiB.

    With unrestricted guest, bits 63:32 of the CS base must be 0 (SDM Vol. 3C,
    26.3.1.2).
    """
    address = cell.reset_address
    executable = [region for region in cell.memory_regions
                  if region.flags & abi.MEM_EXECUTE and
                  region.virt_start <= address < region.virt_start + region.size]
    if address >= FOUR_GIB:
        report.error('reset-address', cell.origin, f'reset-address {address:#x} is '
                     'above 4 GiB, out of real mode\'s reach', 'use an address below '
                     '4 GiB', addresses=[Address('guest', address)])
    elif not executable:
        report.error('reset-address', cell.origin, f'reset-address {address:#x} is not '
                     'in an executable memory region of the cell', 'point it into the '
                     'loadable RAM, or add "execute" to its region',
                     addresses=[Address('guest', address)])


def _check_shutdown_timeout(cell, report):
    """Destroy and shutdown wait at most this long for the inmate (Documentation/hypercalls.md)."""
    if cell.shutdown_timeout_ms > abi.MAX_SHUTDOWN_TIMEOUT_MS:
        report.error('shutdown-timeout', cell.origin, f'shutdown-timeout-ms '
                     f'{cell.shutdown_timeout_ms} is more than {abi.MAX_SHUTDOWN_TIMEOUT_MS}',
                     f'set it to {abi.MAX_SHUTDOWN_TIMEOUT_MS} or less: destroy and shutdown '
                     'must end within a bound')


def _check_hypervisor_memory(region, report):
    _check_page_range(region.origin, 'phys-start', region.phys_start, region.size,
                      report)
    if region.size < MIN_HYPERVISOR_SIZE:
        report.error('hypervisor-memory', region.origin, f'size {region.size:#x} is '
                     'less than 1 MiB', f'give the hypervisor at least '
                     f'{MIN_HYPERVISOR_SIZE:#x}')
    if region.virt_start or region.flags:
        report.error('hypervisor-memory', region.origin, 'hypervisor memory has '
                     'virt_start or flags set', 'leave them zero')


def _check_hypervisor_outside_root(memory, root_cell, report):
    hypervisor = span(memory.phys_start, memory.size, memory.origin)
    for region in physical_spans(root_cell):
        if region.start < hypervisor.end and hypervisor.start < region.end:
            report.error('hypervisor-overlap', memory.origin, f'hypervisor memory '
                         f'{text(hypervisor)} overlaps {region.origin} '
                         f'({text(region)})', 'leave the hypervisor memory out of '
                         'the root cell', [region.origin],
                         [_address('physical', hypervisor), _address('physical', region)])


def _check_mmconfig(system, report):
    """ECAM decodes 1 MiB per bus (PCI Express Base 4.0, 7.2.2)."""
    window = mmconfig_span(system)
    if window is None:
        if system.pci_mmconfig_end_bus:
            report.error('platform', system.origin, 'pci-mmconfig-end-bus without '
                         'pci-mmconfig-base', 'remove it or give the base')
    elif window.start % abi.MMCONFIG_BUS_SIZE:
        report.error('platform', system.origin, f'pci-mmconfig-base '
                     f'{window.start:#x} is not 1 MiB aligned', 'use the base '
                     'address of the ACPI MCFG table')
    elif window.end > ADDRESS_SPACE:
        report.error('platform', system.origin, f'the MMCONFIG window {text(window)} '
                     'passes the end of the address space', 'use the values of the '
                     'ACPI MCFG table')


def _check_acpi_tables(region, report):
    if region.size:
        _check_page_range(region.origin, 'phys-start', region.phys_start,
                          region.size, report)
    elif region.phys_start:
        report.error('platform', region.origin, 'acpi-tables has size 0',
                     'give the size of the ACPI tables or drop the node')
