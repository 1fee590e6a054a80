# SPDX-License-Identifier: GPL-2.0
"""Writes a config held in memory (model.py) as device-tree source.

The output is what Documentation/config-format.md describes and dts.py reads
back to the same model.  Notes, keyed by the id() of a model object, become
comments above that object's node.
"""

import textwrap

from . import abi
from .rules import platform_control_ports

INDENT = '\t'
WIDTH = 80          # columns, with a tab counted as 8


def to_dts(config, header=(), notes=None):
    """The .dts text of @config, with @header as the file's first comment."""
    writer = _Writer(notes or {})
    for line in _wrap(header, WIDTH - 3):
        writer.lines.append(f'// {line}'.rstrip())
    writer.lines += ['', '/dts-v1/;', '', '/ {']
    if config.system:
        writer.property(1, 'compatible', '"bulkhead,system"')
        _system(writer, config.system)
        _cell(writer, 'root-cell', config.cell, is_root=True)
    else:
        writer.property(1, 'compatible', '"bulkhead,cell"')
        _cell(writer, 'cell', config.cell, is_root=False)
    writer.lines.append('};')
    return '\n'.join(writer.lines) + '\n'


class _Writer:
    def __init__(self, notes):
        self.notes = notes
        self.lines = []

    def comment(self, depth, item):
        pad = INDENT * depth
        width = WIDTH - 8 * depth - 3
        text = _wrap(self.notes.get(id(item), []), width)
        if not text:
            return
        if len(text) == 1 and len(text[0]) <= width - 3:
            self.lines.append(f'{pad}/* {text[0]} */')
            return
        self.lines.append(f'{pad}/*')
        self.lines += [f'{pad} * {line}'.rstrip() for line in text]
        self.lines.append(f'{pad} */')

    def open(self, depth, name, item=None):
        self.lines.append('')
        self.comment(depth, item)
        self.lines.append(f'{INDENT * depth}{name} {{')

    def close(self, depth):
        self.lines.append(f'{INDENT * depth}}};')

    def property(self, depth, name, value=None):
        text = name if value is None else f'{name} = {value}'
        self.lines.append(f'{INDENT * depth}{text};')


def _wrap(lines, width):
    """Lines wrapped at @width; an indented line (a command to copy) stays whole."""
    wrapped = []
    for line in lines:
        if not line or line.startswith(' '):
            wrapped.append(line)
        else:
            wrapped += textwrap.wrap(line, width, break_on_hyphens=False)
    return wrapped


def _u64(value):
    return f'<{value:#x}>' if value < 1 << 32 else f'/bits/ 64 <{value:#x}>'


def _flags(value, table):
    names = abi.flag_names(value, table)
    return ', '.join(f'"{name}"' for name in names)


def _system(writer, system):
    writer.open(1, 'hypervisor', system.hypervisor_memory)
    writer.property(2, 'phys-start', _u64(system.hypervisor_memory.phys_start))
    writer.property(2, 'size', _u64(system.hypervisor_memory.size))
    writer.close(1)
    if system.debug_console.type != abi.CONSOLE_NONE:
        _console(writer, 1, 'debug-console', system.debug_console)
    writer.open(1, 'platform', system)
    writer.property(2, 'pci-mmconfig-base', _u64(system.pci_mmconfig_base))
    if system.pci_mmconfig_base and system.pci_mmconfig_end_bus != 0xff:
        writer.property(2, 'pci-mmconfig-end-bus', f'<{system.pci_mmconfig_end_bus:#x}>')
    writer.property(2, 'pm-timer-address', f'<{system.pm_timer_address:#x}>')
    for name, port in platform_control_ports(system):
        if port:
            writer.property(2, name, f'<{port:#x}>')
    if system.acpi_tables.size:
        writer.open(2, 'acpi-tables', system.acpi_tables)
        writer.property(3, 'phys-start', _u64(system.acpi_tables.phys_start))
        writer.property(3, 'size', _u64(system.acpi_tables.size))
        writer.close(2)
    writer.close(1)


def _console(writer, depth, name, console):
    writer.open(depth, name, console)
    writer.property(depth + 1, 'type', f'"{abi.CONSOLE_TYPE_NAMES[console.type]}"')
    writer.property(depth + 1, 'address', _u64(console.address))
    writer.property(depth + 1, 'size', f'<{console.size}>')
    writer.property(depth + 1, 'divider', f'<{console.divider}>')
    if console.flags:
        writer.property(depth + 1, 'flags', _flags(console.flags, abi.CONSOLE_FLAGS))
    writer.close(depth)


def _cell(writer, node, cell, is_root):
    writer.open(1, node, cell)
    writer.property(2, 'name', f'"{cell.name}"')
    writer.property(2, 'cpus', '<' + ' '.join(map(str, cell.cpus)) + '>')
    if not is_root:
        writer.property(2, 'reset-address', _u64(cell.reset_address))
        writer.property(2, 'shutdown-timeout-ms', f'<{cell.shutdown_timeout_ms}>')
        if cell.flags:
            writer.property(2, 'flags', _flags(cell.flags, abi.CELL_FLAGS))
    if cell.pio_regions:
        pairs = ', '.join(f'<{pio.base:#x} {pio.length:#x}>' for pio in cell.pio_regions)
        writer.property(2, 'pio-regions', pairs)
    for region in cell.memory_regions:
        _memory(writer, region)
    for chip in cell.irqchips:
        writer.open(2, f'ioapic@{chip.address:x}', chip)
        writer.property(3, 'address', _u64(chip.address))
        writer.property(3, 'pins', _pin_list(chip.pins))
        writer.close(2)
    for device in cell.pci_devices:
        _pci(writer, device)
    if cell.console.type != abi.CONSOLE_NONE:
        _console(writer, 2, 'console', cell.console)
    writer.close(1)


def _pci(writer, device):
    writer.open(2, f'pci@{device.bus:x},{device.device:x},{device.function:x}', device)
    if device.domain:
        writer.property(3, 'domain', f'<{device.domain:#x}>')
    writer.property(3, 'bdf', f'<{device.bus:#x} {device.device:#x} {device.function:#x}>')
    for index, bar in enumerate(device.bars):
        if bar.size:
            writer.open(3, f'bar@{index}', bar)
            writer.property(4, 'address', _u64(bar.address))
            writer.property(4, 'size', _u64(bar.size))
            writer.close(3)


def _memory(writer, region):
    writer.open(2, f'memory@{region.virt_start:x}', region)
    if not region.flags & abi.MEM_COMM_REGION:
        writer.property(3, 'phys-start', _u64(region.phys_start))
    if region.virt_start != region.phys_start or region.flags & abi.MEM_COMM_REGION:
        writer.property(3, 'virt-start', _u64(region.virt_start))
    writer.property(3, 'size', _u64(region.size))
    writer.property(3, 'flags', _flags(region.flags, abi.MEMORY_FLAGS))
    writer.close(2)


def _pin_list(pins):
    """Pins, sixteen to a line as the hand-written configs have them."""
    rows = [' '.join(map(str, pins[i:i + 16])) for i in range(0, len(pins), 16)]
    return '<' + ('\n' + INDENT * 4).join(rows) + '>'
