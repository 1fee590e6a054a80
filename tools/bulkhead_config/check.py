# SPDX-License-Identifier: GPL-2.0
"""Rules across configs: a system config and the cells meant to run beside it.

Cells are carved out of the root cell: a cell can only take CPUs, memory, I/O
ports and IOAPIC pins the root cell has, never hypervisor memory or the
platform windows the hypervisor keeps, and never what another cell holds.
Documentation/config-format.md states every rule.
"""

import itertools

from . import abi, rules
from .findings import Address
from .spans import overlap, physical_spans, port_spans, span, text, uncovered

CROSS_CELL_FIX = 'give each cell its own, or run the cells one at a time'

# I/O ports that control the whole machine, as hypervisor/cell.c lists them:
# (first port, number of ports, name).  The PM timer is only read: not here.
FIXED_PLATFORM_PORTS = (
    (0x20, 2, 'interrupt controller (PIC) ports'),
    (0x40, 4, 'timer (PIT) ports'),
    (0x60, 1, 'keyboard controller port'),
    (0x61, 1, 'NMI status and control port'),
    (0x64, 1, 'keyboard controller port'),
    (0x70, 2, 'RTC/CMOS and NMI mask ports'),
    (0x92, 1, 'fast A20 and reset port'),
    (0xa0, 2, 'interrupt controller (PIC) ports'),
    (0x4d0, 2, 'PIC edge/level control ports'),
    (0xcf8, 8, 'PCI configuration and reset ports'),
)
ACPI_PORT_NAMES = {'smi-command-port': 'ACPI SMI command port',
                   'pm1a-control-port': 'ACPI PM1a control ports',
                   'pm1b-control-port': 'ACPI PM1b control ports'}


def check_configs(system_config, cell_configs, report):
    """Every rule for a system config and cell configs meant to run together."""
    rules.check_config(system_config, report)
    for config in cell_configs:
        rules.check_config(config, report)
    system, root = system_config.system, system_config.cell
    cells = [config.cell for config in cell_configs]
    _check_names([root] + cells, report)
    for cell in cells:
        _check_cpus_in_root(cell, root, report)
        for region in cell.memory_regions:
            _check_region_placement(region, system, root, report)
        _check_platform_ports(cell, system, report)
        _check_pm_timer(cell, system, report)
        _check_ports_in_root(cell, system, root, report)
        _check_pins_in_root(cell, root, report)
    for first, second in itertools.combinations(cells, 2):
        _check_pair(first, second, report)
    for cell in cells:
        _check_dma(cell, report)
    return report


def _cpu_text(cpus):
    return ', '.join(map(str, cpus))


def _check_names(cells, report):
    seen = {}
    for cell in cells:
        if cell.name in seen:
            report.error('name-conflict', cell.origin, f'cell name "{cell.name}" is '
                         f'also the name of {seen[cell.name]}', 'give every cell its '
                         'own name: the bulkhead CLI finds cells by name',
                         [seen[cell.name]])
        seen.setdefault(cell.name, cell.origin)


def _check_cpus_in_root(cell, root, report):
    missing = sorted(set(cell.cpus) - set(root.cpus))
    if missing:
        report.error('cpu-not-in-root', cell.origin, f'CPU {_cpu_text(missing)} of cell '
                     f'"{cell.name}" is not in the root cell ({root.origin}, CPU '
                     f'{_cpu_text(root.cpus)})', 'use CPUs the root cell holds, or add '
                     'them to the root cell of the system config', [root.origin],
                     [Address('cpu', cpu) for cpu in missing])


def platform_windows(system, root):
    """What no non-root cell may map: APIC pages and the MMCONFIG window."""
    windows = [span(abi.LAPIC_BASE, abi.PLATFORM_WINDOW_SIZE, 'local APIC page'),
               span(abi.IOAPIC_BASE, abi.PLATFORM_WINDOW_SIZE, 'IOAPIC page')]
    windows += [span(chip.address, abi.PLATFORM_WINDOW_SIZE, f'IOAPIC page of '
                     f'{chip.origin}') for chip in root.irqchips
                if chip.address != abi.IOAPIC_BASE]
    mmconfig = rules.mmconfig_span(system)
    if mmconfig:
        windows.append(mmconfig._replace(origin=f'PCI MMCONFIG window of {system.origin}'))
    return windows


def _check_region_placement(region, system, root, report):
    """One memory region of a non-root cell against what the system reserves."""
    is_comm = region.flags & abi.MEM_COMM_REGION
    spaces = [('guest', span(region.virt_start, region.size, region.origin))]
    if not is_comm:
        spaces.insert(0, ('physical', span(region.phys_start, region.size,
                                           region.origin)))
    for window in platform_windows(system, root):
        _check_window(region, spaces, window, report)
    if is_comm:
        return
    physical = spaces[0][1]
    if not _check_reserved(physical, system, report):
        _check_inside_root(physical, root, report)


def _check_window(region, spaces, window, report):
    hits = [(space, overlap(item, window)) for space, item in spaces]
    hits = [(space, hit) for space, hit in hits if hit]
    if hits:
        where = ', '.join(f'{space} {text(hit)}' for space, hit in hits)
        report.error('platform-window', region.origin, f'{where} overlaps the '
                     f'{window.origin} ({text(window)})', 'leave the window out: the '
                     'hypervisor keeps the interrupt controllers and PCI '
                     'configuration space', [window.origin],
                     [Address(space, hit.start, hit.end - hit.start)
                      for space, hit in hits])


def _check_reserved(physical, system, report):
    """Hypervisor memory and ACPI tables; True when the region touches either."""
    memory = system.hypervisor_memory
    acpi = system.acpi_tables
    found = False
    for item, kind, what in ((memory, 'hypervisor-overlap', 'hypervisor memory'),
                             (acpi, 'acpi-tables', 'the ACPI tables')):
        reserved = span(item.phys_start, item.size, item.origin)
        hit = overlap(physical, reserved) if item.size else None
        if hit:
            found = True
            report.error(kind, physical.origin, f'physical range {text(physical)} '
                         f'overlaps {what} {item.origin} ({text(reserved)})',
                         f'move the region out of {what}', [item.origin],
                         [Address('physical', hit.start, hit.end - hit.start)])
    return found


def _check_inside_root(physical, root, report):
    missing = uncovered(physical, physical_spans(root))
    if missing:
        report.error('memory-outside-root', physical.origin, f'physical '
                     f'{", ".join(map(text, missing))} of {text(physical)} is not '
                     f'memory of the root cell ({root.origin})', 'take memory the root '
                     'cell has: cells are carved out of it', [root.origin],
                     [Address('physical', part.start, part.end - part.start)
                      for part in missing])


def debug_console_ports(system):
    console = system.debug_console
    if console.type == abi.CONSOLE_NONE or console.flags & abi.CONSOLE_FLAG_MMIO:
        return None
    return span(console.address, console.size, console.origin)


def _check_ports_in_root(cell, system, root, report):
    """Ports must be the root cell's; the debug console's may be shared, with a warning."""
    console = debug_console_ports(system)
    lent = [console] if console else []
    for pio in port_spans(cell):
        if console:
            _check_debug_console(pio, console, report)
        rest = [part for outside in uncovered(pio, port_spans(root))
                for part in uncovered(outside, lent)]
        if rest:
            report.error('pio-outside-root', pio.origin, f'ports '
                         f'{", ".join(map(text, rest))} are not the root cell\'s '
                         f'({root.origin})', 'take ports the root cell has, or add '
                         'them to its pio-regions', [root.origin],
                         [_ports(part) for part in rest])


def platform_ports(system):
    """(span named by its origin, the system config's property or None) per port no cell may take."""
    ports = [(span(start, count, name), None) for start, count, name in FIXED_PLATFORM_PORTS]
    for prop, port in rules.platform_control_ports(system):
        if port:
            count = 1 if prop == 'smi-command-port' else abi.PM1_CONTROL_PORTS
            ports.append((span(port, count, ACPI_PORT_NAMES[prop]),
                          (prop, system.origin)))
    return ports


def _check_platform_ports(cell, system, report):
    for pio in port_spans(cell):
        for ports, source in platform_ports(system):
            hit = overlap(pio, ports)
            if hit:
                where = f' ({source[0]} of {source[1]})' if source else ''
                report.error('platform-ports', pio.origin, f'ports {text(hit)} overlap '
                             f'the {ports.origin} {text(ports)}{where}', 'leave them out: '
                             'they control the whole machine and stay with the root cell',
                             [source[1]] if source else [], [_ports(hit)])


def _check_pm_timer(cell, system, report):
    """Every cell reads the PM timer already; a cell that took it would take it from Linux."""
    if not system.pm_timer_address:
        return
    timer = span(system.pm_timer_address, abi.PM_TIMER_PORTS, 'ACPI PM timer')
    for pio in port_spans(cell):
        hit = overlap(pio, timer)
        if hit:
            report.error('pm-timer-port', pio.origin, f'ports {text(hit)} overlap the ACPI PM '
                         f'timer {text(timer)} (pm-timer-address of {system.origin})',
                         'leave them out: every cell reads the PM timer already (flag '
                         '"no-pm-timer" opts out) and Linux needs it', [system.origin],
                         [_ports(hit)])


def _check_debug_console(pio, console, report):
    hit = overlap(pio, console)
    if hit:
        report.warning('debug-console-shared', pio.origin, f'ports {text(hit)} are the '
                       f'hypervisor\'s debug console ({console.origin}, ports '
                       f'{text(console)})', 'fine for a demo; give the cell its own UART '
                       'if its output and the hypervisor\'s log must not mix',
                       [console.origin], [_ports(hit)])


def _ports(item):
    return Address('port', item.start, item.end - item.start)


def _check_pins_in_root(cell, root, report):
    root_pins = {chip.address: chip for chip in root.irqchips}
    for chip in cell.irqchips:
        owner = root_pins.get(chip.address)
        missing = sorted(set(chip.pins) - set(owner.pins if owner else []))
        if missing:
            report.error('pin-outside-root', chip.origin, f'pin {_cpu_text(missing)} '
                         f'of IOAPIC {chip.address:#x} is not the root cell\'s '
                         f'({root.origin})', 'take pins the root cell has, or add them '
                         'to an ioapic node of its config', [root.origin],
                         [Address('pin', pin, ioapic=chip.address) for pin in missing])


def _check_pair(first, second, report):
    common = sorted(set(first.cpus) & set(second.cpus))
    if common:
        report.error('cpu-conflict', second.origin, f'CPU {_cpu_text(common)} of cell '
                     f'"{second.name}" is also in cell "{first.name}" ({first.origin})',
                     CROSS_CELL_FIX, [first.origin],
                     [Address('cpu', cpu) for cpu in common])
    _check_memory_pair(first, second, report)
    _check_port_pair(first, second, report)
    _check_pin_pair(first, second, report)
    _check_pci_pair(first, second, report)


def _shared(region):
    return region.flags & abi.MEM_ROOT_SHARED


def _check_memory_pair(first, second, report):
    """Two cells may map the same memory only if both mark it root-shared."""
    for one, other in itertools.product(first.memory_regions, second.memory_regions):
        if (one.flags | other.flags) & abi.MEM_COMM_REGION or \
                (_shared(one) and _shared(other)):
            continue
        hit = overlap(span(other.phys_start, other.size, other.origin),
                      span(one.phys_start, one.size, one.origin))
        if hit:
            report.error('memory-conflict', other.origin, f'physical {text(hit)} is '
                         f'also memory of cell "{first.name}" ({one.origin})',
                         'give each cell its own memory, or mark the region '
                         'root-shared in both cells to share it', [one.origin],
                         [Address('physical', hit.start, hit.end - hit.start)])


def _check_port_pair(first, second, report):
    for one, other in itertools.product(port_spans(first),
                                        port_spans(second)):
        hit = overlap(other, one)
        if hit:
            report.error('pio-conflict', other.origin, f'ports {text(hit)} are also '
                         f'cell "{first.name}"\'s ({one.origin})', CROSS_CELL_FIX,
                         [one.origin], [_ports(hit)])


def _check_pin_pair(first, second, report):
    for one, other in itertools.product(first.irqchips, second.irqchips):
        common = sorted(set(one.pins) & set(other.pins))
        if one.address == other.address and common:
            report.error('pin-conflict', other.origin, f'pin {_cpu_text(common)} of '
                         f'IOAPIC {one.address:#x} is also cell "{first.name}"\'s '
                         f'({one.origin})', CROSS_CELL_FIX, [one.origin],
                         [Address('pin', pin, ioapic=one.address) for pin in common])


def _check_pci_pair(first, second, report):
    for one, other in itertools.product(first.pci_devices, second.pci_devices):
        if one.address == other.address:
            report.error('pci-conflict', other.origin, f'PCI device {one.address} is '
                         f'also cell "{first.name}"\'s ({one.origin})', CROSS_CELL_FIX,
                         [one.origin])


def _check_dma(cell, report):
    """Bulkhead does not program an IOMMU yet: DMA from a cell is not contained."""
    regions = [region for region in cell.memory_regions if region.flags & abi.MEM_DMA]
    devices = [device.origin for device in cell.pci_devices]
    if not regions and not devices:
        return
    what = [f'{region.origin} ({text(span(region.phys_start, region.size))})'
            for region in regions] + devices
    report.warning('dma-without-iommu', cell.origin, f'cell "{cell.name}" gets '
                   f'DMA-capable memory or devices ({", ".join(what)}) but no IOMMU '
                   'confines DMA', 'devices can reach all memory: drop "dma" and PCI '
                   'devices unless the cell needs them, and trust them',
                   [region.origin for region in regions] + devices,
                   [Address('physical', region.phys_start, region.size)
                    for region in regions])
