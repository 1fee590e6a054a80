# SPDX-License-Identifier: GPL-2.0
"""Reads a config from device-tree source: dtc compiles it, pylibfdt walks it.

This module knows the .dts syntax (nodes, properties, flag names); the rules
about values live in rules.py.  Documentation/config-format.md describes the
syntax.
"""

import os
import subprocess
from dataclasses import dataclass

import libfdt

from . import abi
from .errors import ConfigError
from .model import (Cell, Config, Console, Irqchip, MemoryRegion, PciBar, PciDevice,
                    PioRegion, System)

COMPATIBLE = {'bulkhead,system': abi.KIND_SYSTEM, 'bulkhead,cell': abi.KIND_CELL}

# -q: warnings are not errors, and dtc's unit-address warnings do not apply
# to memory@ADDR nodes, which have no "reg".  dtc's name_properties check
# treats "name" as the old Open Firmware node name; here it is the cell name.
DTC = ['dtc', '-q', '-E', 'no-name_properties', '-I', 'dts', '-O', 'dtb', '-o', '-']

SYSTEM_NODES = ('hypervisor', 'platform', 'root-cell')
CELL_PROPERTIES = ('name', 'cpus', 'pio-regions', 'reset-address',
                   'shutdown-timeout-ms', 'flags')
MEMORY_PROPERTIES = ('phys-start', 'virt-start', 'size', 'flags')
CONSOLE_PROPERTIES = ('type', 'address', 'size', 'divider', 'flags')
PLATFORM_PROPERTIES = ('pci-mmconfig-base', 'pci-mmconfig-end-bus', 'pm-timer-address',
                       'smi-command-port', 'pm1a-control-port', 'pm1b-control-port')
CELL_CHILDREN = 'memory@ADDRESS, ioapic@ADDRESS, pci@BUS,DEVICE,FUNCTION or console'
# Largest values of the fields a PCI device's address packs into 16 bits.
PCI_LIMITS = (('bus', 0xff), ('device', 0x1f), ('function', 0x7))

REQUIRED = object()
SEE_DOC = 'see Documentation/config-format.md'


@dataclass
class Node:
    """A device-tree node with its properties as raw big-endian bytes."""
    path: str
    name: str
    properties: dict
    children: list

    @property
    def base_name(self):
        return self.name.partition('@')[0]


def read(path):
    """The Config described by the .dts file at path."""
    return parse(compile_dts(path))


def compile_dts(path):
    """The flattened device tree (dtb) that dtc makes of a .dts file."""
    if not os.path.isfile(path):
        raise ConfigError('', 'no such file', 'check the path')
    try:
        result = subprocess.run(DTC + [path], capture_output=True, check=False)
    except FileNotFoundError:
        raise ConfigError('', 'dtc not found',
                          'install the device-tree-compiler package') from None
    if result.returncode:
        raise ConfigError('', 'dtc: ' + _first_line(result.stderr),
                          'fix the device-tree syntax')
    return result.stdout


def _first_line(stderr):
    lines = stderr.decode(errors='replace').splitlines()
    message = next((line.strip() for line in lines if line.strip()), 'failed')
    return message.removeprefix('Error: ')


def parse(blob):
    """The Config in a dtb made from a Bulkhead .dts."""
    root = _read_tree(libfdt.Fdt(blob), 0, '/')
    if _kind(root) == abi.KIND_SYSTEM:
        return _parse_system(root)
    nodes = _child_nodes(root, ('cell',))
    return Config(abi.KIND_CELL, _parse_cell(nodes['cell']))


def _read_tree(fdt, offset, path):
    properties = {}
    prop_offset = fdt.first_property_offset(offset, libfdt.QUIET_NOTFOUND)
    while prop_offset >= 0:
        prop = fdt.get_property_by_offset(prop_offset)
        properties[prop.name] = bytes(prop)
        prop_offset = fdt.next_property_offset(prop_offset, libfdt.QUIET_NOTFOUND)
    children = []
    child = fdt.first_subnode(offset, libfdt.QUIET_NOTFOUND)
    while child >= 0:
        name = fdt.get_name(child)
        children.append(_read_tree(fdt, child, path.rstrip('/') + '/' + name))
        child = fdt.next_subnode(child, libfdt.QUIET_NOTFOUND)
    return Node(path, path.rpartition('/')[2], properties, children)


def _kind(root):
    _check_properties(root, ('compatible',))
    compatible = _string(root, 'compatible')
    if compatible not in COMPATIBLE:
        raise ConfigError(root.path, f'compatible "{compatible}" is not a Bulkhead '
                          'config', 'use "bulkhead,system" or "bulkhead,cell"')
    return COMPATIBLE[compatible]


def _parse_system(root):
    nodes = _child_nodes(root, SYSTEM_NODES, ('debug-console',))
    console = Console()
    if 'debug-console' in nodes:
        console = _parse_console(nodes['debug-console'])
    platform = nodes['platform']
    _check_properties(platform, PLATFORM_PROPERTIES)
    mmconfig_base = _u64(platform, 'pci-mmconfig-base')
    system = System(_parse_hypervisor_memory(nodes['hypervisor']), mmconfig_base,
                    _u32(platform, 'pm-timer-address'), console,
                    origin=platform.path,
                    pci_mmconfig_end_bus=_end_bus(platform, mmconfig_base),
                    acpi_tables=_parse_acpi_tables(platform),
                    smi_command_port=_u32(platform, 'smi-command-port', 0),
                    pm1a_control_port=_u32(platform, 'pm1a-control-port', 0),
                    pm1b_control_port=_u32(platform, 'pm1b-control-port', 0))
    return Config(abi.KIND_SYSTEM, _parse_cell(nodes['root-cell']), system)


def _end_bus(platform, mmconfig_base):
    """Last bus of the MMCONFIG window: 255 by default, 0 without a window."""
    end_bus = _u32(platform, 'pci-mmconfig-end-bus', 0xff if mmconfig_base else 0)
    if end_bus > 0xff:
        raise ConfigError(platform.path, f'pci-mmconfig-end-bus {end_bus:#x} is not '
                          'a bus number', 'use the end bus of the ACPI MCFG table, '
                          'at most 0xff')
    return end_bus


def _parse_acpi_tables(platform):
    """The optional acpi-tables node: memory no cell may take."""
    nodes = _child_nodes(platform, (), ('acpi-tables',))
    if 'acpi-tables' not in nodes:
        return MemoryRegion(0, 0, 0, 0, platform.path + '/acpi-tables')
    node = nodes['acpi-tables']
    _check_properties(node, ('phys-start', 'size'))
    _expect_no_children(node)
    return MemoryRegion(_u64(node, 'phys-start'), 0, _u64(node, 'size'), 0, node.path)


def _parse_hypervisor_memory(node):
    _check_properties(node, ('phys-start', 'size'))
    _expect_no_children(node)
    return MemoryRegion(_u64(node, 'phys-start'), 0, _u64(node, 'size'), 0,
                        node.path)


def _parse_cell(node):
    _check_properties(node, CELL_PROPERTIES)
    cell = Cell(_string(node, 'name'), _unique(node, 'cpus', 'CPU'),
                pio_regions=_parse_pio_regions(node),
                reset_address=_u64(node, 'reset-address', 0),
                shutdown_timeout_ms=_u32(node, 'shutdown-timeout-ms', 0),
                flags=_flags(node, 'flags', abi.CELL_FLAGS, required=False),
                origin=node.path)
    for child in node.children:
        _parse_cell_child(cell, child)
    return cell


def _parse_cell_child(cell, child):
    if child.base_name == 'memory':
        cell.memory_regions.append(_parse_memory_region(child))
    elif child.base_name == 'ioapic':
        cell.irqchips.append(_parse_irqchip(child))
    elif child.base_name == 'pci':
        cell.pci_devices.append(_parse_pci_device(child))
    elif child.name == 'console':
        cell.console = _parse_console(child)
    else:
        raise ConfigError(child.path, 'unknown node', 'use ' + CELL_CHILDREN)


def _unique(node, name, what, limit=None):
    """A list of 32-bit numbers, sorted, each listed once and at most limit."""
    values = _u32_list(node, name)
    for index, value in enumerate(values):
        if value in values[:index]:
            raise ConfigError(node.path, f'{what} {value} is listed twice in {name}',
                              'list each once')
        if limit is not None and value > limit:
            raise ConfigError(node.path, f'{what} {value} is out of range 0..{limit}',
                              f'use numbers up to {limit}')
    return sorted(values)


def _parse_irqchip(node):
    _check_properties(node, ('address', 'pins'))
    _expect_no_children(node)
    address = _u64(node, 'address')
    _check_unit_address(node, address, 'address')
    return Irqchip(address, _unique(node, 'pins', 'pin', abi.IOAPIC_MAX_PINS - 1),
                   node.path)


def _parse_pci_device(node):
    _check_properties(node, ('domain', 'bdf'))
    values = _u32_list(node, 'bdf')
    if len(values) != 3:
        raise ConfigError(node.path, f'bdf has {len(values)} cells, not 3',
                          'write bdf = <BUS DEVICE FUNCTION>;')
    for (name, limit), value in zip(PCI_LIMITS, values):
        if value > limit:
            raise ConfigError(node.path, f'PCI {name} {value:#x} is out of range '
                              f'0..{limit:#x}', f'use a {name} number up to {limit:#x}')
    domain = _u32(node, 'domain', 0)
    if domain > 0xffff:
        raise ConfigError(node.path, f'PCI domain {domain:#x} is out of range',
                          'use the segment number from the ACPI MCFG table')
    unit = '{:x},{:x},{:x}'.format(*values)
    if node.name != f'pci@{unit}':
        raise ConfigError(node.path, f'node name is not pci@{unit}',
                          f'name the node pci@{unit} after its bdf')
    return PciDevice(domain, *values, _parse_bars(node), node.path)


def _parse_bars(node):
    bars = [PciBar(origin=f'{node.path}/bar@{index}') for index in range(abi.PCI_NUM_BARS)]
    for child in node.children:
        index = _bar_index(child)
        _check_properties(child, ('address', 'size'))
        _expect_no_children(child)
        bars[index] = PciBar(_u64(child, 'address'), _u64(child, 'size'), child.path)
    return bars


def _bar_index(child):
    names = [f'bar@{index}' for index in range(abi.PCI_NUM_BARS)]
    if child.name not in names:
        raise ConfigError(child.path, 'unknown node', 'use bar@0 to bar@5')
    return names.index(child.name)


def _parse_pio_regions(node):
    values = _u32_list(node, 'pio-regions', [])
    if len(values) % 2:
        raise ConfigError(node.path, 'pio-regions has an odd number of cells',
                          'write pairs: pio-regions = <BASE LENGTH ...>;')
    pairs = zip(values[0::2], values[1::2])
    return [PioRegion(base, length, f'{node.path} pio-regions[{index}]')
            for index, (base, length) in enumerate(pairs)]


def _parse_memory_region(node):
    _check_properties(node, MEMORY_PROPERTIES)
    _expect_no_children(node)
    flags = _flags(node, 'flags', abi.MEMORY_FLAGS)
    is_comm_region = flags & abi.MEM_COMM_REGION
    phys_start = _u64(node, 'phys-start', 0 if is_comm_region else REQUIRED)
    virt_start = _u64(node, 'virt-start', REQUIRED if is_comm_region else phys_start)
    _check_unit_address(node, virt_start, 'virt-start')
    return MemoryRegion(phys_start, virt_start, _u64(node, 'size'), flags, node.path)


def _check_unit_address(node, value, name):
    base, at, unit = node.name.partition('@')
    fix = f'name the node {base}@{value:x} after its {name}'
    if not at:
        raise ConfigError(node.path, f'{base} node has no unit address', fix)
    try:
        address = int(unit, 16)
    except ValueError:
        raise ConfigError(node.path, f'unit address "{unit}" is not hex', fix) from None
    if address != value:
        raise ConfigError(node.path, f'unit address {unit} is not {name} {value:#x}', fix)


def _parse_console(node):
    _check_properties(node, CONSOLE_PROPERTIES)
    _expect_no_children(node)
    return Console(_choice(node, 'type', abi.CONSOLE_TYPES),
                   _flags(node, 'flags', abi.CONSOLE_FLAGS, required=False),
                   _u64(node, 'address'), _u32(node, 'size'),
                   _u32(node, 'divider'), node.path)


def _child_nodes(node, required, optional=()):
    known = required + optional
    found = {}
    for child in node.children:
        if child.name not in known:
            raise ConfigError(child.path, 'unknown node', 'use ' + ', '.join(known))
        found[child.name] = child
    for name in required:
        if name not in found:
            raise ConfigError(node.path, f'missing node "{name}"', 'add it; ' + SEE_DOC)
    return found


def _expect_no_children(node):
    if node.children:
        raise ConfigError(node.children[0].path, 'unknown node', 'remove it')


def _check_properties(node, known):
    for name in node.properties:
        if name not in known:
            raise ConfigError(node.path, f'unknown property "{name}"',
                              'use ' + ', '.join(known))


def _raw(node, name, default):
    """A property's bytes; None when it is absent and has a default."""
    if name in node.properties:
        return node.properties[name]
    if default is REQUIRED:
        raise ConfigError(node.path, f'missing property "{name}"', 'add it; ' + SEE_DOC)
    return None


def _u32(node, name, default=REQUIRED):
    raw = _raw(node, name, default)
    if raw is None:
        return default
    if len(raw) != 4:
        raise ConfigError(node.path, f'"{name}" is {len(raw)} bytes, not one 32-bit '
                          'cell', f'write {name} = <VALUE>;')
    return int.from_bytes(raw, 'big')


def _u64(node, name, default=REQUIRED):
    """A 64-bit value, written as one 32-bit cell or as /bits/ 64 <VALUE>."""
    raw = _raw(node, name, default)
    if raw is None:
        return default
    if len(raw) not in (4, 8):
        raise ConfigError(node.path, f'"{name}" is {len(raw)} bytes, not a 32- or '
                          '64-bit value', f'write {name} = /bits/ 64 <VALUE>;')
    return int.from_bytes(raw, 'big')


def _u32_list(node, name, default=REQUIRED):
    raw = _raw(node, name, default)
    if raw is None:
        return default
    if len(raw) % 4:
        raise ConfigError(node.path, f'"{name}" is {len(raw)} bytes, not a list of '
                          '32-bit cells', f'write {name} = <A B ...>;')
    return [int.from_bytes(raw[i:i + 4], 'big') for i in range(0, len(raw), 4)]


def _strings(node, name, default=REQUIRED):
    raw = _raw(node, name, default)
    if raw is None:
        return default
    if not raw:
        return []
    if not raw.endswith(b'\0'):
        raise ConfigError(node.path, f'"{name}" is not a string list',
                          f'write {name} = "A", "B";')
    return raw[:-1].decode('latin-1').split('\0')


def _string(node, name):
    values = _strings(node, name)
    if len(values) != 1:
        raise ConfigError(node.path, f'"{name}" is not one string',
                          f'write {name} = "TEXT";')
    return values[0]


def _choice(node, name, table):
    value = _string(node, name)
    if value not in table:
        raise ConfigError(node.path, f'unknown {name} "{value}"',
                          'use ' + ', '.join(table))
    return table[value]


def _flags(node, name, table, required=True):
    bits = 0
    for word in _strings(node, name, REQUIRED if required else []):
        if word not in table:
            raise ConfigError(node.path, f'unknown flag "{word}" in {name}',
                              'use ' + ', '.join(table))
        bits |= table[word]
    return bits
