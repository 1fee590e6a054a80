# SPDX-License-Identifier: GPL-2.0
"""Human-readable and JSON views of a decoded .cell file."""

from . import abi


def to_json(header, config):
    """A JSON-ready dict of a .cell file's header and contents."""
    result = {
        'header': {
            'magic': header.magic.decode('latin-1'),
            'revision': header.revision,
            'kind': abi.KIND_NAMES[header.kind],
            'size': header.size,
            'checksum': header.checksum,
        },
    }
    if config.system:
        result['system'] = _system_json(config.system)
    result['cell'] = _cell_json(config.cell)
    return result


def _system_json(system):
    return {
        'hypervisor_memory': _region_json(system.hypervisor_memory),
        'debug_console': _console_json(system.debug_console),
        'pci_mmconfig_base': system.pci_mmconfig_base,
        'pci_mmconfig_end_bus': system.pci_mmconfig_end_bus,
        'pm_timer_address': system.pm_timer_address,
        'smi_command_port': system.smi_command_port,
        'pm1a_control_port': system.pm1a_control_port,
        'pm1b_control_port': system.pm1b_control_port,
        'acpi_tables': {'phys_start': system.acpi_tables.phys_start,
                        'size': system.acpi_tables.size},
        'flags': system.flags,
    }


def _cell_json(cell):
    return {
        'name': cell.name,
        'flags': cell.flags,
        'cpus': cell.cpus,
        'reset_address': cell.reset_address,
        'shutdown_timeout_ms': cell.shutdown_timeout_ms,
        'console': _console_json(cell.console),
        'memory_regions': [_region_json(region) for region in cell.memory_regions],
        'pio_regions': [{'base': pio.base, 'length': pio.length}
                        for pio in cell.pio_regions],
        'irqchips': [{'address': chip.address, 'pins': chip.pins}
                     for chip in cell.irqchips],
        'pci_devices': [_pci_json(device) for device in cell.pci_devices],
    }


def _pci_json(device):
    return {
        'domain': device.domain,
        'bus': device.bus,
        'device': device.device,
        'function': device.function,
        'bars': [{'index': index, 'address': bar.address, 'size': bar.size}
                 for index, bar in enumerate(device.bars) if bar.size],
    }


def _console_json(console):
    return {
        'type': abi.CONSOLE_TYPE_NAMES.get(console.type, console.type),
        'flags': console.flags,
        'flag_names': abi.flag_names(console.flags, abi.CONSOLE_FLAGS),
        'address': console.address,
        'size': console.size,
        'divider': console.divider,
    }


def _region_json(region):
    return {
        'phys_start': region.phys_start,
        'virt_start': region.virt_start,
        'size': region.size,
        'flags': region.flags,
        'flag_names': abi.flag_names(region.flags, abi.MEMORY_FLAGS),
    }


def to_text(header, config):
    """Lines describing a .cell file, one field a line."""
    lines = [
        f'magic:              {header.magic.decode("latin-1")}',
        f'revision:           {header.revision}',
        f'kind:               {header.kind} ({abi.KIND_NAMES[header.kind]})',
        f'size:               {header.size} bytes',
        f'checksum:           {header.checksum:#010x}',
    ]
    if config.system:
        lines += _system_text(config.system)
    lines += _cell_text(config.cell, 'root cell' if config.system else 'cell')
    return '\n'.join(lines)


def _system_text(system):
    return [
        f'hypervisor memory:  {_region_text(system.hypervisor_memory)}',
        f'debug console:      {_console_text(system.debug_console)}',
        f'pci mmconfig base:  {system.pci_mmconfig_base:#x} '
        f'(end bus {system.pci_mmconfig_end_bus:#x})',
        f'pm timer address:   {system.pm_timer_address:#x}',
        f'smi command port:   {system.smi_command_port:#x}',
        f'pm1 control ports:  {system.pm1a_control_port:#x} {system.pm1b_control_port:#x}',
        f'acpi tables:        {_acpi_text(system.acpi_tables)}',
        f'system flags:       {system.flags:#x}',
    ]


def _acpi_text(region):
    return _range(region.phys_start, region.size) if region.size else 'none'


def _cell_text(cell, title):
    lines = [
        f'{title}:{" " * (19 - len(title))}"{cell.name}"',
        f'  flags:            {_flags_text(cell.flags, abi.CELL_FLAGS)}',
        f'  cpus:             {_cpu_list(cell.cpus)}',
        f'  reset address:    {cell.reset_address:#x}',
        f'  shutdown timeout: {cell.shutdown_timeout_ms} ms',
        f'  console:          {_console_text(cell.console)}',
        f'  memory regions:   {len(cell.memory_regions)}',
    ]
    lines += [f'    {_region_text(region)}' for region in cell.memory_regions]
    lines.append(f'  pio regions:      {len(cell.pio_regions)}')
    lines += [f'    ports {_range(pio.base, pio.length)}' for pio in cell.pio_regions]
    lines.append(f'  ioapics:          {len(cell.irqchips)}')
    lines += [f'    {chip.address:#x} pins {_cpu_list(chip.pins)}' for chip in cell.irqchips]
    lines.append(f'  pci devices:      {len(cell.pci_devices)}')
    lines += [_pci_text(device) for device in cell.pci_devices]
    return lines


def _pci_text(device):
    bars = ' '.join(f'bar{index} {_range(bar.address, bar.size)}'
                    for index, bar in enumerate(device.bars) if bar.size)
    return f'    {device.address} {bars or "no BARs"}'


def _console_text(console):
    if console.type == abi.CONSOLE_NONE:
        return 'none'
    kind = abi.CONSOLE_TYPE_NAMES.get(console.type, f'type {console.type}')
    return (f'{kind} address {console.address:#x} size {console.size:#x} '
            f'divider {console.divider} '
            f'flags {_flags_text(console.flags, abi.CONSOLE_FLAGS)}')


def _region_text(region):
    return (f'phys {_range(region.phys_start, region.size)} '
            f'virt {region.virt_start:#x} '
            f'flags {_flags_text(region.flags, abi.MEMORY_FLAGS)}')


def _flags_text(flags, table):
    names = ','.join(abi.flag_names(flags, table))
    return f'{flags:#x} ({names})' if names else f'{flags:#x}'


def _range(start, size):
    if not size:
        return f'{start:#x} (empty)'
    return f'{start:#x}-{start + size - 1:#x} ({size:#x} bytes)'


def _cpu_list(cpus):
    """CPU numbers as ranges: [0, 1, 2, 5] -> "0-2,5"."""
    ranges = []
    for cpu in sorted(cpus):
        if ranges and ranges[-1][1] == cpu - 1:
            ranges[-1][1] = cpu
        else:
            ranges.append([cpu, cpu])
    return ','.join(f'{lo}-{hi}' if hi > lo else f'{lo}' for lo, hi in ranges) or 'none'
