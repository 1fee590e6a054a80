# SPDX-License-Identifier: GPL-2.0
"""The rules a config must follow, in one place for every subcommand.

The hypervisor checks the same rules itself and is the authority; this module
applies them before a .cell file exists, with messages that say how to fix
the source.  Cross-cell rules belong here too.
"""

from collections import namedtuple

from . import abi
from .errors import ConfigError

PAGE_SIZE = 0x1000
MIN_HYPERVISOR_SIZE = 1 << 20
PIO_SPACE = 0x10000
ADDRESS_SPACE = 1 << 64
NON_ROOT_FLAGS = abi.MEM_COMM_REGION | abi.MEM_LOADABLE | abi.MEM_ROOT_SHARED

# A half-open range [start, end) and where it comes from.
Span = namedtuple('Span', 'start end origin')


def check_config(config):
    """Raise ConfigError for the first rule that config breaks."""
    is_system = config.kind == abi.KIND_SYSTEM
    check_cell(config.cell, is_root=is_system)
    if is_system:
        check_system(config.system, config.cell)


def check_cell(cell, is_root):
    """Rules for one cell on its own; is_root selects the root cell's rules."""
    _check_name(cell)
    _check_cpus(cell)
    _expect_no_flags(cell.flags, cell.origin, 'cell')
    for region in cell.memory_regions:
        _check_memory_region(region, is_root)
    _check_comm_regions(cell.memory_regions)
    _check_disjoint(physical_spans(cell), 'physical')
    _check_disjoint(_guest_spans(cell), 'guest')
    for pio in cell.pio_regions:
        _check_pio_region(pio)
    _check_disjoint(_port_spans(cell), 'port')
    _check_console(cell.console)


def check_system(system, root_cell):
    """Rules for the system part of a system config."""
    _expect_no_flags(system.flags, system.origin, 'system')
    _check_hypervisor_memory(system.hypervisor_memory)
    hypervisor = _span(system.hypervisor_memory.phys_start,
                       system.hypervisor_memory.size,
                       system.hypervisor_memory.origin)
    _check_disjoint(physical_spans(root_cell) + [hypervisor], 'physical',
                    'leave the hypervisor memory out of the root cell')
    _check_console(system.debug_console)
    if system.pm_timer_address >= PIO_SPACE:
        raise ConfigError(system.origin, f'pm-timer-address '
                          f'{system.pm_timer_address:#x} is not an I/O port',
                          'use the port from the FADT, or 0 for none')


def _check_hypervisor_memory(region):
    _check_page_range(region.origin, 'phys-start', region.phys_start, region.size)
    if region.size < MIN_HYPERVISOR_SIZE:
        raise ConfigError(region.origin, f'size {region.size:#x} is less than 1 MiB',
                          f'give the hypervisor at least {MIN_HYPERVISOR_SIZE:#x}')
    if region.virt_start or region.flags:
        raise ConfigError(region.origin, 'hypervisor memory has virt_start or '
                          'flags set', 'leave them zero')


def physical_spans(cell):
    """Host-physical ranges of a cell's memory; the comm region has none."""
    return [_span(region.phys_start, region.size, region.origin)
            for region in cell.memory_regions
            if not region.flags & abi.MEM_COMM_REGION]


def _guest_spans(cell):
    return [_span(region.virt_start, region.size, region.origin)
            for region in cell.memory_regions]


def _port_spans(cell):
    return [_span(pio.base, pio.length, pio.origin) for pio in cell.pio_regions]


def _span(start, size, origin):
    return Span(start, start + size, origin)


def _format_span(span):
    return f'{span.start:#x}-{span.end - 1:#x}'


def _check_disjoint(spans, what, fix='make the regions disjoint'):
    ordered = sorted(spans, key=lambda span: (span.start, span.end))
    for first, second in zip(ordered, ordered[1:]):
        if second.start < first.end:
            raise ConfigError(second.origin, f'{what} range {_format_span(second)} '
                              f'overlaps {first.origin} ({_format_span(first)})', fix)


def _check_name(cell):
    name = cell.name
    limit = abi.CELL_NAME_SIZE - 1
    if not name:
        raise ConfigError(cell.origin, 'name is empty', 'give the cell a name')
    if len(name) > limit:
        raise ConfigError(cell.origin, f'name "{name}" is {len(name)} bytes, '
                          f'longer than {limit}', 'shorten it')
    if not all(' ' <= char <= '~' for char in name):
        raise ConfigError(cell.origin, f'name {name!r} is not printable ASCII',
                          'use letters, digits and punctuation')


def _check_cpus(cell):
    if not cell.cpus:
        raise ConfigError(cell.origin, 'cpus lists no CPU',
                          'give the cell at least one CPU')
    seen = set()
    for cpu in cell.cpus:
        if cpu >= abi.MAX_CPUS:
            raise ConfigError(cell.origin, f'CPU {cpu} is out of range 0..'
                              f'{abi.MAX_CPUS - 1}', 'use CPU numbers below '
                              f'{abi.MAX_CPUS}')
        if cpu in seen:
            raise ConfigError(cell.origin, f'CPU {cpu} is listed twice',
                              'list each CPU once')
        seen.add(cpu)


def _expect_no_flags(flags, where, what):
    if flags:
        raise ConfigError(where, f'{what} flags {flags:#x} are not defined in '
                          f'revision {abi.REVISION}', 'leave them zero')


def _check_memory_region(region, is_root):
    _check_memory_flags(region, is_root)
    _check_page_range(region.origin, 'phys-start', region.phys_start, region.size)
    _check_page_range(region.origin, 'virt-start', region.virt_start, region.size)
    if is_root and region.virt_start != region.phys_start:
        # Linux already runs at these physical addresses when it becomes
        # the root cell; its memory cannot move under it.
        raise ConfigError(region.origin, f'virt-start {region.virt_start:#x} is not '
                          f'phys-start {region.phys_start:#x}',
                          'the root cell keeps its physical addresses: remove virt-start')


def _check_memory_flags(region, is_root):
    undefined = region.flags & ~abi.MEM_VALID_FLAGS
    if undefined:
        raise ConfigError(region.origin, f'flags {region.flags:#x} has undefined '
                          f'bits {undefined:#x}', 'use only the flags config.h defines')
    if not region.flags:
        raise ConfigError(region.origin, 'flags is empty', 'give at least one of '
                          + ', '.join(abi.MEMORY_FLAGS))
    if is_root and region.flags & NON_ROOT_FLAGS:
        names = abi.flag_names(region.flags & NON_ROOT_FLAGS, abi.MEMORY_FLAGS)
        raise ConfigError(region.origin, f'flag "{names[0]}" is for non-root cells '
                          'only', 'remove it from the root cell')


def _check_page_range(where, name, start, size):
    if not size:
        raise ConfigError(where, 'size is zero', 'give it a size in whole 4 KiB pages')
    if size % PAGE_SIZE:
        raise ConfigError(where, f'size {size:#x} is not a multiple of 4 KiB',
                          f'round it up to a multiple of {PAGE_SIZE:#x}')
    if start % PAGE_SIZE:
        raise ConfigError(where, f'{name} {start:#x} is not 4 KiB aligned',
                          f'move it to a multiple of {PAGE_SIZE:#x}')
    if start + size > ADDRESS_SPACE:
        raise ConfigError(where, f'{name} {start:#x} plus size {size:#x} passes '
                          'the end of the 64-bit address space', 'make it smaller')


def _check_comm_regions(regions):
    comm_regions = [region for region in regions
                    if region.flags & abi.MEM_COMM_REGION]
    for region in comm_regions:
        if region.size != PAGE_SIZE:
            raise ConfigError(region.origin, f'comm region is {region.size:#x} '
                              'bytes, not one page', f'set size to {PAGE_SIZE:#x}')
        if region.phys_start:
            raise ConfigError(region.origin, 'comm region has a phys-start',
                              'remove it: the hypervisor provides the page')
    if len(comm_regions) > 1:
        raise ConfigError(comm_regions[1].origin, 'second comm region in the cell',
                          'keep one region with flag comm-region')


def _check_pio_region(pio):
    if not pio.length:
        raise ConfigError(pio.origin, f'I/O port range at {pio.base:#x} has length 0',
                          'give it a length or remove it')
    if pio.base + pio.length > PIO_SPACE:
        raise ConfigError(pio.origin, f'I/O port range {pio.base:#x}+{pio.length:#x} '
                          f'passes port {PIO_SPACE - 1:#x}',
                          'keep ports below 0x10000')


def _check_console(console):
    if console.type == abi.CONSOLE_NONE:
        if any((console.flags, console.address, console.size, console.divider)):
            raise ConfigError(console.origin, 'console of type none has fields set',
                              'zero them or give the console a type')
        return
    if console.type not in abi.CONSOLE_TYPE_NAMES:
        raise ConfigError(console.origin, f'unknown console type {console.type}',
                          'use one of ' + ', '.join(abi.CONSOLE_TYPES))
    _check_console_flags(console)
    if not console.size:
        raise ConfigError(console.origin, 'console size is zero',
                          'give the size of its register window')
    if not console.divider:
        raise ConfigError(console.origin, 'divider is zero',
                          'set the baud rate divisor (1 for 115200 baud)')
    if not console.flags & abi.CONSOLE_FLAG_MMIO:
        _check_console_ports(console)


def _check_console_flags(console):
    undefined = console.flags & ~abi.CONSOLE_VALID_FLAGS
    if undefined:
        raise ConfigError(console.origin, f'console flags {console.flags:#x} have '
                          f'undefined bits {undefined:#x}', 'use mmio and regdist-4 only')
    if console.flags == abi.CONSOLE_FLAG_REGDIST_4:
        raise ConfigError(console.origin, 'flag regdist-4 without mmio',
                          'port-mapped UART registers are 1 byte apart: remove it')


def _check_console_ports(console):
    if console.address + console.size > PIO_SPACE:
        raise ConfigError(console.origin, f'console ports {console.address:#x}'
                          f'+{console.size:#x} pass port {PIO_SPACE - 1:#x}',
                          'use an I/O port address, or add flag mmio')
