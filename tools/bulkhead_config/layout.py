# SPDX-License-Identifier: GPL-2.0
"""Encoding and decoding of .cell files, laid out as include/bulkhead/config.h says."""

import struct
import zlib
from collections import namedtuple

from . import abi
from .errors import ConfigError
from .model import (Cell, Config, Console, Irqchip, MemoryRegion, PciBar, PciDevice,
                    PioRegion, System)

HEADER = struct.Struct('<8sHHIII')
CONSOLE = struct.Struct('<QIHHII')
MEMORY_REGION = struct.Struct('<QQQQ')
PIO_REGION = struct.Struct('<II')
CPU_SET_WORD = struct.Struct('<Q')
IRQCHIP = struct.Struct('<Q4Q')
PIN_WORDS = abi.IOAPIC_MAX_PINS // 64
# struct bulkhead_pci_device up to its BARs, and one BAR.
PCI_DEVICE_HEAD = struct.Struct('<HHI')
PCI_BAR = struct.Struct('<QQ')
# struct bulkhead_cell up to its console, and struct bulkhead_system after its
# debug console: the consoles are packed separately with CONSOLE.
CELL_HEAD = struct.Struct('<32sIIIIIIQII')
SYSTEM_TAIL = struct.Struct('<QHBBIQQHHHH')

CELL_SIZE = CELL_HEAD.size + CONSOLE.size
SYSTEM_SIZE = MEMORY_REGION.size + CONSOLE.size + SYSTEM_TAIL.size
PCI_DEVICE_SIZE = PCI_DEVICE_HEAD.size + abi.PCI_NUM_BARS * PCI_BAR.size
CHECKSUM_OFFSET = 16
CHECKSUM_SIZE = 4

REBUILD = 'rebuild it with bulkhead-config build'

Header = namedtuple('Header', 'magic revision kind size checksum reserved')


def checksum(data):
    """CRC-32 of a .cell file with its checksum field taken as zero."""
    end = CHECKSUM_OFFSET + CHECKSUM_SIZE
    return zlib.crc32(data[:CHECKSUM_OFFSET] + bytes(CHECKSUM_SIZE) + data[end:])


def cell_offset(kind):
    """File offset of struct bulkhead_cell in a config of this kind."""
    if kind == abi.KIND_SYSTEM:
        return HEADER.size + SYSTEM_SIZE
    return HEADER.size


def encode(config, magic=abi.MAGIC, revision=abi.REVISION):
    """The .cell bytes of config.

    magic and revision can be overridden only to make broken files for tests.
    """
    body = _encode_body(config)
    size = HEADER.size + len(body)
    header = HEADER.pack(magic, revision, config.kind, size, 0, 0)
    return _with_checksum(header + body)


def _with_checksum(data):
    end = CHECKSUM_OFFSET + CHECKSUM_SIZE
    return data[:CHECKSUM_OFFSET] + struct.pack('<I', checksum(data)) + data[end:]


def _encode_body(config):
    parts = []
    if config.kind == abi.KIND_SYSTEM:
        parts.append(_encode_system(config.system))
    parts.append(_encode_cell(config.cell))
    return b''.join(parts)


def _encode_system(system):
    tail = SYSTEM_TAIL.pack(system.pci_mmconfig_base, system.pm_timer_address,
                            system.pci_mmconfig_end_bus, 0, system.flags,
                            system.acpi_tables.phys_start, system.acpi_tables.size,
                            system.smi_command_port, system.pm1a_control_port,
                            system.pm1b_control_port, 0)
    return (_encode_memory_region(system.hypervisor_memory) +
            _encode_console(system.debug_console) + tail)


def _encode_cell(cell):
    cpu_set = _cpu_set_words(cell.cpus)
    head = CELL_HEAD.pack(cell.name.encode('latin-1'), cell.flags, len(cpu_set),
                          len(cell.memory_regions), len(cell.pio_regions),
                          len(cell.irqchips), len(cell.pci_devices),
                          cell.reset_address, cell.shutdown_timeout_ms, 0)
    parts = [head, _encode_console(cell.console)]
    parts += [CPU_SET_WORD.pack(word) for word in cpu_set]
    parts += [_encode_memory_region(region) for region in cell.memory_regions]
    parts += [PIO_REGION.pack(pio.base, pio.length) for pio in cell.pio_regions]
    parts += [_encode_irqchip(chip) for chip in cell.irqchips]
    parts += [_encode_pci_device(device) for device in cell.pci_devices]
    return b''.join(parts)


def _encode_irqchip(chip):
    words = [0] * PIN_WORDS
    for pin in chip.pins:
        words[pin // 64] |= 1 << (pin % 64)
    return IRQCHIP.pack(chip.address, *words)


def _encode_pci_device(device):
    bdf = device.bus << 8 | device.device << 3 | device.function
    parts = [PCI_DEVICE_HEAD.pack(device.domain, bdf, 0)]
    parts += [PCI_BAR.pack(bar.address, bar.size) for bar in device.bars]
    return b''.join(parts)


def _cpu_set_words(cpus):
    words = [0] * (max(cpus, default=0) // 64 + 1)
    for cpu in cpus:
        words[cpu // 64] |= 1 << (cpu % 64)
    return words


def _encode_console(console):
    return CONSOLE.pack(console.address, console.size, console.type,
                        console.flags, console.divider, 0)


def _encode_memory_region(region):
    return MEMORY_REGION.pack(region.phys_start, region.virt_start,
                              region.size, region.flags)


def read_header(data):
    """The header of a .cell file, once magic, revision, size and checksum are right."""
    if len(data) < HEADER.size:
        raise ConfigError('', f'file is {len(data)} bytes, shorter than the '
                          f'{HEADER.size}-byte header', REBUILD)
    header = Header._make(HEADER.unpack_from(data))
    _check_identity(header)
    _check_size(header, len(data))
    _check_checksum(header, data)
    if header.kind not in abi.KIND_NAMES:
        raise ConfigError('header', f'unknown kind {header.kind}', REBUILD)
    _expect_zero(header.reserved, 'header')
    return header


def _check_identity(header):
    if header.magic != abi.MAGIC:
        magic = header.magic.decode('latin-1')
        raise ConfigError('', f'bad magic {magic!r}, expected '
                          f'{abi.MAGIC.decode()}', 'this is not a Bulkhead config; '
                          + REBUILD)
    if header.revision != abi.REVISION:
        raise ConfigError('', f'revision {header.revision}, this tool reads revision '
                          f'{abi.REVISION}', 'rebuild it with this bulkhead-config')


def _check_size(header, file_size):
    if header.size != file_size:
        raise ConfigError('', f'header says {header.size} bytes but the file has '
                          f'{file_size}', 'the file is truncated or padded; ' + REBUILD)
    if header.size > abi.MAX_SIZE:
        raise ConfigError('', f'file is {header.size} bytes, more than the limit '
                          f'of {abi.MAX_SIZE}', 'use fewer regions')


def _check_checksum(header, data):
    expected = checksum(data)
    if header.checksum != expected:
        raise ConfigError('', f'checksum {header.checksum:#010x} does not match '
                          f'the contents ({expected:#010x})', 'the file is corrupt; '
                          + REBUILD)


def decode(data):
    """The Config in a .cell file; checks the format, not the rules."""
    header = read_header(data)
    reader = _Reader(data, HEADER.size)
    system = None
    if header.kind == abi.KIND_SYSTEM:
        system = _decode_system(reader)
    cell = _decode_cell(reader, 'root cell' if system else 'cell')
    reader.expect_end()
    return Config(header.kind, cell, system)


class _Reader:
    """Takes packed structs from a .cell file one after another."""

    def __init__(self, data, offset):
        self.data = data
        self.offset = offset

    def take(self, layout, where):
        if self.offset + layout.size > len(self.data):
            raise ConfigError(where, f'runs past the end of the file at offset '
                              f'{self.offset}', 'the counts do not match the '
                              'file size; ' + REBUILD)
        values = layout.unpack_from(self.data, self.offset)
        self.offset += layout.size
        return values

    def expect_end(self):
        extra = len(self.data) - self.offset
        if extra:
            raise ConfigError('', f'{extra} bytes follow the last region',
                              'the counts do not match the file size; ' + REBUILD)


def _expect_zero(value, where):
    if value:
        raise ConfigError(where, f'reserved field is {value:#x}', 'it must be zero; '
                          + REBUILD)


def _decode_system(reader):
    hypervisor = _decode_memory_region(reader, 'hypervisor memory')
    console = _decode_console(reader, 'debug console')
    (mmconfig, pm_timer, end_bus, reserved, flags, acpi_start, acpi_size, smi_command,
     pm1a_control, pm1b_control, reserved16) = reader.take(SYSTEM_TAIL, 'system')
    _expect_zero(reserved | reserved16, 'system')
    acpi_tables = MemoryRegion(acpi_start, 0, acpi_size, 0, 'system ACPI tables')
    return System(hypervisor, mmconfig, pm_timer, console, flags, 'system',
                  end_bus, acpi_tables, smi_command, pm1a_control, pm1b_control)


def _decode_cell(reader, where):
    (raw_name, flags, cpu_set_words, num_memory_regions, num_pio_regions,
     num_irqchips, num_pci_devices, reset_address, shutdown_timeout_ms,
     reserved) = reader.take(CELL_HEAD, where)
    _expect_zero(reserved, where)
    console = _decode_console(reader, f'{where} console')
    cpus = _decode_cpu_set(reader, cpu_set_words, where)
    regions = [_decode_memory_region(reader, f'{where} memory region {index}')
               for index in range(num_memory_regions)]
    pio_regions = [_decode_pio_region(reader, f'{where} pio region {index}')
                   for index in range(num_pio_regions)]
    irqchips = [_decode_irqchip(reader, f'{where} irqchip {index}')
                for index in range(num_irqchips)]
    pci_devices = [_decode_pci_device(reader, f'{where} pci device {index}')
                   for index in range(num_pci_devices)]
    return Cell(_decode_name(raw_name, where), cpus, regions, pio_regions,
                reset_address, shutdown_timeout_ms, console, flags, where,
                irqchips, pci_devices)


def _decode_name(raw, where):
    name, _, padding = raw.partition(b'\0')
    if any(padding):
        raise ConfigError(where, 'name has bytes after its terminating NUL',
                          'pad the name with zeros; ' + REBUILD)
    return name.decode('latin-1')


def _decode_cpu_set(reader, words, where):
    if not 1 <= words <= abi.CPU_SET_MAX_WORDS:
        raise ConfigError(where, f'cpu_set_words is {words}, expected 1 to '
                          f'{abi.CPU_SET_MAX_WORDS}', REBUILD)
    cpus = []
    for index in range(words):
        (word,) = reader.take(CPU_SET_WORD, f'{where} cpu set')
        cpus += [index * 64 + bit for bit in range(64) if word >> bit & 1]
    return cpus


def _decode_console(reader, where):
    address, size, type_, flags, divider, reserved = reader.take(CONSOLE, where)
    _expect_zero(reserved, where)
    return Console(type_, flags, address, size, divider, where)


def _decode_memory_region(reader, where):
    phys_start, virt_start, size, flags = reader.take(MEMORY_REGION, where)
    return MemoryRegion(phys_start, virt_start, size, flags, where)


def _decode_pio_region(reader, where):
    base, length = reader.take(PIO_REGION, where)
    return PioRegion(base, length, where)


def _decode_irqchip(reader, where):
    address, *words = reader.take(IRQCHIP, where)
    pins = [index * 64 + bit for index, word in enumerate(words)
            for bit in range(64) if word >> bit & 1]
    return Irqchip(address, pins, where)


def _decode_pci_device(reader, where):
    domain, bdf, reserved = reader.take(PCI_DEVICE_HEAD, where)
    _expect_zero(reserved, where)
    bars = [PciBar(*reader.take(PCI_BAR, where), f'{where} BAR {index}')
            for index in range(abi.PCI_NUM_BARS)]
    return PciDevice(domain, bdf >> 8, bdf >> 3 & 0x1f, bdf & 7, bars, where)
