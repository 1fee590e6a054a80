# SPDX-License-Identifier: GPL-2.0
"""bulkhead-config cell: a cell config for an inmate, fitted beside a system config.

The cell's RAM comes from the root cell's region that starts where the
hypervisor memory ends (the rest of the memmap= reservation, as create writes
it), after the memory of the cells it runs beside and outside the ACPI
tables.  The layout is the one the inmate library expects
(inmates/README.md): RAM from guest physical 0, the comm region at 0x100000,
RAM beyond the first MiB from 0x200000.
"""

from dataclasses import dataclass

from . import abi, check
from .errors import ConfigError
from .findings import ERROR, Report
from .model import Cell, Config, Console, Irqchip, MemoryRegion, PioRegion, qualify
from .placement import PAGE, human_size

COMM_REGION = 0x100000
HIGH_RAM = 0x200000
LOW_RAM = 0x100000
SHUTDOWN_TIMEOUT_MS = 1000
UART_PORTS = 8
# COM2, COM3, COM4, then COM1, which is most often Linux's own console.
COM_PORTS = (0x2f8, 0x3e8, 0x2e8, 0x3f8)
LOADABLE = abi.MEM_READ | abi.MEM_WRITE | abi.MEM_EXECUTE | abi.MEM_LOADABLE


@dataclass
class Request:
    name: str
    cpus: list
    memory: int
    uart: int           # None: choose one; 0: no console
    pins: list
    ioapic: int
    console_putc: bool = False


def make_cell(system, beside, request, origin):
    """The cell config, and comments for its nodes, checked beside @system and @beside."""
    notes = {}
    cell = Cell(request.name, request.cpus, reset_address=0,
                shutdown_timeout_ms=SHUTDOWN_TIMEOUT_MS,
                flags=abi.CELL_FLAG_CONSOLE_PUTC if request.console_putc else 0,
                origin='/cell')
    start = _free_memory(system, beside, request.memory)
    cell.memory_regions = _memory_regions(start, request.memory, notes)
    uart = _uart(system, beside, request.uart)
    if uart:
        cell.pio_regions = [PioRegion(uart, UART_PORTS)]
        cell.console = Console(abi.CONSOLE_UART_8250, 0, uart, UART_PORTS, 1)
        notes[id(cell.console)] = [f'The 8250 UART at {uart:#x}, 115200 baud: the '
                                   'inmate\'s console; its ports are the cell\'s.']
    if request.pins:
        cell.irqchips = [Irqchip(_ioapic(system, request.ioapic), request.pins)]
    config = Config(abi.KIND_CELL, cell)
    qualify(config, f'{origin}:')
    _check(system, beside, config)
    return config, notes


def _memory_regions(start, size, notes):
    low = min(size, LOW_RAM)
    regions = [MemoryRegion(start, 0, low, LOADABLE)]
    notes[id(regions[0])] = ['RAM for the image, loaded at guest physical 0.']
    regions.append(MemoryRegion(0, COMM_REGION, PAGE, abi.MEM_READ | abi.MEM_WRITE |
                                abi.MEM_COMM_REGION))
    notes[id(regions[1])] = ['The comm region: a page the hypervisor provides.']
    if size > LOW_RAM:
        regions.append(MemoryRegion(start + LOW_RAM, HIGH_RAM, size - LOW_RAM, LOADABLE))
        notes[id(regions[2])] = ['The rest of the RAM, above the comm region.']
    return regions


def _pool(system):
    """The root cell's region right after the hypervisor memory."""
    hypervisor = system.system.hypervisor_memory
    end = hypervisor.phys_start + hypervisor.size
    for region in system.cell.memory_regions:
        if region.phys_start == end:
            return region
    raise ConfigError('', f'the root cell has no memory region starting at {end:#x}, where '
                 'the hypervisor memory ends', 'give the root cell the rest of the memmap= '
                 'reservation, as "bulkhead-config create" does')


def _free_memory(system, beside, size):
    """The lowest start of @size free bytes in the pool, after the cells beside."""
    pool = _pool(system)
    start, end = pool.phys_start, pool.phys_start + pool.size
    taken = [(r.phys_start, r.phys_start + r.size) for config in beside
             for r in config.cell.memory_regions if not r.flags & abi.MEM_COMM_REGION]
    tables = system.system.acpi_tables
    if tables.size:
        taken.append((tables.phys_start, tables.phys_start + tables.size))
    gaps, cursor = [], start
    for first, last in sorted(taken):
        if first > cursor:
            gaps.append((cursor, min(first, end)))
        cursor = max(cursor, last)
    gaps.append((cursor, end))
    for first, last in gaps:
        if last - first >= size:
            return first
    largest = max((last - first for first, last in gaps), default=0)
    raise ConfigError('', f'the memory after the hypervisor ({pool.phys_start:#x}, '
                      f'{human_size(pool.size)}) has no free {human_size(size)}: the largest '
                      f'free range is {human_size(max(largest, 0))}', 'ask for less with '
                      '--memory, or leave out a --beside cell')


def _uart(system, beside, wanted):
    debug = system.system.debug_console
    used = {config.cell.console.address for config in beside}
    if debug.type != abi.CONSOLE_NONE and not debug.flags & abi.CONSOLE_FLAG_MMIO:
        used.add(debug.address)
        if wanted and wanted < debug.address + debug.size and debug.address < wanted + UART_PORTS:
            raise ConfigError('', f'the UART at {wanted:#x} is the hypervisor\'s debug '
                              'console, which the hypervisor lends no cell',
                              'pick another UART with --uart')
    if wanted is not None:
        return wanted
    for port in COM_PORTS:
        if port not in used and _root_has_ports(system.cell, port, UART_PORTS):
            return port
    return 0


def _root_has_ports(root, base, length):
    return any(pio.base <= base and base + length <= pio.base + pio.length
               for pio in root.pio_regions)


def _ioapic(system, address):
    chips = system.cell.irqchips
    if not chips:
        raise ConfigError('', 'the root cell has no IOAPIC', 'leave out --pins')
    if address is None:
        return chips[0].address
    if address not in [chip.address for chip in chips]:
        listed = ', '.join(f'{chip.address:#x}' for chip in chips)
        raise ConfigError('', f'the root cell has no IOAPIC at {address:#x}',
                     f'use --ioapic with one of {listed}')
    return address


def _check(system, beside, config):
    """Refuse, with the first error, a cell that "check" would refuse."""
    report = check.check_configs(system, beside + [config], Report())
    for finding in report.findings:
        if finding.severity == ERROR:
            raise ConfigError(finding.where, finding.problem, finding.fix, '')


def header(args):
    """The file's first comment: where the cell fits, and how to check it there."""
    beside = f' and {", ".join(args.beside)}' if args.beside else ''
    return [f'Cell config made by "bulkhead-config cell" to run beside {args.input}'
            f'{beside}.  Check them together before creating the cell:',
            '    bulkhead-config check ' + ' '.join([args.input, args.output] + args.beside)]
