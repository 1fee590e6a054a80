# SPDX-License-Identifier: GPL-2.0
"""bulkhead-config create: the system config of one machine, from its own facts.

The facts come from a machine source (machine.py): the ACPI tables (acpi.py)
give CPUs, IOAPICs, the PM timer, MMCONFIG, the HPET and VT-d units; Linux's
files (procfs.py) give the memory map, online CPUs, UARTs, PCI devices and
the memmap= reservation.  Documentation/usage.md explains each choice made
here; every one is also written as a comment into the .dts.
"""

from dataclasses import dataclass, field

from . import abi, acpi, procfs, rules
from .model import Cell, Config, Console, Irqchip, MemoryRegion, PioRegion, System
from .placement import (GIB, MIB, PAGE, Claims, align_down, align_up, human_size,
                        hypervisor_size, place_reservation, size_text)

LEGACY_HOLE = 0xa0000
ONE_MIB = 0x100000
FOUR_GIB = 1 << 32
# Firmware flash decodes in the top 16 MiB below 4 GiB on x86 platforms.
FLASH_WINDOW = 0xff000000
DEFAULT_CELL_MEMORY = 64 * MIB
DEFAULT_IOAPIC_PINS = 24    # when neither the kernel log nor the next IOAPIC tell
UART_PORTS = 8

RAM = abi.MEM_READ | abi.MEM_WRITE | abi.MEM_EXECUTE | abi.MEM_DMA
DEVICE = abi.MEM_READ | abi.MEM_WRITE | abi.MEM_IO
ROM = abi.MEM_READ | abi.MEM_EXECUTE
DATA = abi.MEM_READ | abi.MEM_WRITE
FIRMWARE_DATA = ('ACPI Tables', 'ACPI Non-volatile Storage')


@dataclass
class Facts:
    """What create uses of one machine."""
    release: str
    command_line: str
    cpus: list
    iomem: list
    uarts: list
    pci: list
    madt: acpi.Madt
    fadt: acpi.Fadt
    mcfg: list
    hpet: int
    dmar: acpi.Dmar
    ioapic_pins: dict
    msrs: dict


@dataclass
class Options:
    name: str = 'linux'
    hypervisor_size: int = None
    cell_memory: int = None


@dataclass
class Result:
    config: Config
    header: list
    notes: dict
    memmap: str
    memmap_present: bool
    warnings: list = field(default_factory=list)


def read_facts(source):
    """Every fact create needs, each file checked as it is read."""
    tables = {name: acpi.read_table(source, name, name in ('APIC', 'FACP'))
              for name in ('APIC', 'FACP', 'MCFG', 'HPET', 'DMAR')}
    return Facts(
        release=(source.text('proc/sys/kernel/osrelease') or 'unknown').strip(),
        command_line=procfs.kernel_command_line(source),
        cpus=procfs.parse_cpus(source),
        iomem=procfs.parse_resources(source, 'proc/iomem'),
        uarts=procfs.parse_uarts(source),
        pci=procfs.parse_pci(source),
        madt=acpi.parse_madt(tables['APIC']),
        fadt=acpi.parse_fadt(tables['FACP']),
        mcfg=acpi.parse_mcfg(tables['MCFG']) if tables['MCFG'] else [],
        hpet=acpi.parse_hpet(tables['HPET']) if tables['HPET'] else 0,
        dmar=acpi.parse_dmar(tables['DMAR']) if tables['DMAR'] else None,
        ioapic_pins=procfs.ioapic_pins_from_log(source.kernel_log()),
        msrs=source.msrs())


def create(source, options):
    """The system config of the machine @source describes."""
    facts = read_facts(source)
    maker = _Maker(source, facts, options)
    return maker.result()


class _Maker:
    """Builds the model and the comments that explain it, one part at a time."""

    def __init__(self, source, facts, options):
        self.source = source
        self.facts = facts
        self.options = options
        self.notes = {}
        self.warnings = []
        self.claims = Claims()
        self.released = []      # rejected memmap= reservations, RAM after the reboot

    def note(self, item, *lines):
        self.notes.setdefault(id(item), []).extend(lines)
        return item

    def claim(self, start, size, flags, *lines):
        """Root memory for [start, start + size) where nothing claimed it before."""
        for region in self.claims.add(start, size, flags):
            self.note(region, *lines)

    def result(self):
        cpus = self._cpus()
        cell = self.note(Cell(self.options.name, cpus), 'Linux, the root cell: every CPU it '
                         'runs, every I/O port but the debug console\'s, the memory it uses and '
                         'all IOAPIC pins.  Cells are carved out of it.')
        console = self._debug_console()
        cell.pio_regions = self._ports(console)
        cell.irqchips = self._ioapics()
        reservation, hypervisor, present = self._hypervisor_memory(len(cpus))
        cell.memory_regions = self._root_memory(reservation, hypervisor)
        system = System(hypervisor, self._mmconfig_base(), self._pm_timer(), console,
                        pci_mmconfig_end_bus=self._mmconfig_end_bus(),
                        acpi_tables=self._acpi_tables(reservation),
                        **self._platform_control_ports())
        self.note(system, *self._platform_notes())
        config = Config(abi.KIND_SYSTEM, cell, system)
        rules.check_config(config)
        memmap = f'{size_text(reservation[1])}${reservation[0]:#x}'
        return Result(config, self._header(memmap, present), self.notes, memmap, present,
                      self.warnings)

    # --- CPUs and interrupt controllers ----------------------------------

    def _cpus(self):
        cpus = self.facts.cpus
        if len(cpus) > abi.MAX_CPUS or max(cpu.number for cpu in cpus) >= abi.MAX_CPUS:
            raise self.source.error('proc/cpuinfo', f'Linux runs {len(cpus)} CPUs, numbered '
                                    f'up to {max(c.number for c in cpus)}; Bulkhead supports '
                                    f'CPUs 0 to {abi.MAX_CPUS - 1}', f'boot Linux with '
                                    f'nr_cpus={abi.MAX_CPUS} and collect again')
        madt_ids = {lapic.apic_id for lapic in self.facts.madt.lapics if lapic.enabled}
        strangers = [cpu for cpu in cpus if cpu.apic_id not in madt_ids]
        if strangers:
            raise self.source.error('sys/firmware/acpi/tables/APIC', f'CPU {strangers[0].number}'
                                    f' has APIC ID {strangers[0].apic_id}, which the MADT does '
                                    'not list as enabled', acpi.RECOLLECT)
        if not any(cpu.vmx for cpu in cpus):
            self.warnings.append('the CPUs show no "vmx" flag in /proc/cpuinfo: VT-x is off '
                                 'in the firmware or missing, and Bulkhead cannot run here')
        return sorted(cpu.number for cpu in cpus)

    def _cpu_notes(self):
        pairs = [f'CPU {cpu.number}: APIC ID {cpu.apic_id}'
                 for cpu in sorted(self.facts.cpus, key=lambda c: c.number)]
        lines = ['; '.join(pairs[i:i + 3]) for i in range(0, len(pairs), 3)]
        enabled = [lapic for lapic in self.facts.madt.lapics if lapic.enabled]
        offline = len(enabled) - len(self.facts.cpus)
        if offline > 0:
            lines.append(f'The MADT enables {offline} more CPUs that Linux does not run '
                         '(offline or not booted): the config holds the online ones.')
        return lines

    def _ioapics(self):
        chips = []
        ioapics = sorted(self.facts.madt.ioapics, key=lambda chip: chip.gsi_base)
        if len(ioapics) > abi.MAX_IRQCHIPS:
            raise self.source.error('sys/firmware/acpi/tables/APIC', f'the MADT lists '
                                    f'{len(ioapics)} IOAPICs; a cell holds at most '
                                    f'{abi.MAX_IRQCHIPS}', 'write the config by hand')
        for index, ioapic in enumerate(ioapics):
            pins, how = self._pin_count(ioapics, index)
            chip = Irqchip(ioapic.address, list(range(min(pins, abi.IOAPIC_MAX_PINS))))
            self.note(chip, f'IOAPIC {ioapic.ioapic_id} (MADT), GSIs {ioapic.gsi_base}-'
                      f'{ioapic.gsi_base + pins - 1}: {pins} pins ({how}); Linux owns them '
                      'all, a cell can take some.')
            chips.append(chip)
        return sorted(chips, key=lambda chip: chip.address)

    def _pin_count(self, ioapics, index):
        address = ioapics[index].address
        if address in self.facts.ioapic_pins:
            return self.facts.ioapic_pins[address], 'from the kernel log'
        if index + 1 < len(ioapics) and ioapics[index + 1].gsi_base > ioapics[index].gsi_base:
            return ioapics[index + 1].gsi_base - ioapics[index].gsi_base, \
                'up to the next IOAPIC\'s first GSI'
        self.warnings.append(f'the IOAPIC at {address:#x} has an unknown number of pins '
                             f'(the kernel log no longer says): {DEFAULT_IOAPIC_PINS} assumed')
        return DEFAULT_IOAPIC_PINS, 'assumed: check the kernel log\'s IOAPIC line'

    # --- ports and the debug console -------------------------------------

    def _debug_console(self):
        free = [uart for uart in self.facts.uarts if not uart.in_use]
        if not free:
            return Console()
        uart = max(free, key=lambda u: u.line)
        console = Console(abi.CONSOLE_UART_8250, 0, uart.port, UART_PORTS, 1)
        used = ', '.join(f'ttyS{u.line} ({u.port:#x}): {u.in_use}'
                         for u in self.facts.uarts if u.in_use) or 'none'
        return self.note(console, f'ttyS{uart.line}, an 8250 UART Linux does not use, '
                         'prints the hypervisor\'s log at 115200 baud (divider 1).',
                         f'UARTs Linux uses: {used}.')

    def _ports(self, console):
        holes = []
        if console.type != abi.CONSOLE_NONE:
            holes.append((console.address, console.size))
        regions, start = [], 0
        for base, length in sorted(holes):
            if base > start:
                regions.append(PioRegion(start, base - start))
            start = base + length
        if start < 0x10000:
            regions.append(PioRegion(start, 0x10000 - start))
        return regions

    # --- memory ----------------------------------------------------------

    def _hypervisor_memory(self, cpu_count):
        ram = [r for r in self.facts.iomem if r.name == 'System RAM']
        size = self.options.hypervisor_size or hypervisor_size(cpu_count, self._ram_gib(),
                                                               len(self.facts.iomem))
        existing = self._existing_reservation(size)
        if existing:
            start = existing[0]
            hypervisor = MemoryRegion(start, 0, size, 0)
            self.note(hypervisor, f'{human_size(size)} at the start of the memmap= '
                      f'reservation: the image, the per-CPU areas of {cpu_count} CPUs, the '
                      'config and the page pool.')
            return existing, hypervisor, True
        cells = self.options.cell_memory if self.options.cell_memory is not None \
            else DEFAULT_CELL_MEMORY
        reservation = place_reservation(self.source, ram, size + cells)
        hypervisor = MemoryRegion(reservation[0], 0, size, 0)
        self.note(hypervisor, f'{human_size(size)} at the start of a new memmap= reservation '
                  f'({human_size(reservation[1])} of System RAM): the image, the per-CPU areas '
                  f'of {cpu_count} CPUs, the config and the page pool.')
        return reservation, hypervisor, False

    def _ram_gib(self):
        return sum(-(-r.size // GIB) for r in self.facts.iomem if r.name == 'System RAM')

    def _existing_reservation(self, size):
        """The memmap= reservation to use: the largest that holds the hypervisor."""
        usable, rejected = [], []
        for start, length in procfs.memmap_reservations(self.facts.command_line):
            problem = self._reservation_problem(start, length, size)
            (rejected if problem else usable).append((start, length, problem))
        wanted = self.options.cell_memory
        best = max(usable, key=lambda r: r[1], default=None)
        if best and wanted is not None and best[1] - size < wanted:
            rejected.append((best[0], best[1], f'leaves {human_size(best[1] - size)} for '
                             f'cells, less than the {human_size(wanted)} asked for'))
            best = None
        # The user removes these, so after the reboot their memory is RAM again.
        self.released = [(start, start + length) for start, length, _ in rejected
                         if not _is_ram(self.facts.iomem, start, length)]
        for start, length, problem in rejected:
            self.warnings.append(f'memmap={size_text(length)}${start:#x} on the kernel command '
                                 f'line {problem}: a new reservation is proposed; remove this one')
        return (best[0], best[1]) if best else None

    def _reservation_problem(self, start, length, size):
        if start % PAGE or length % PAGE:
            return 'is not page aligned'
        if length < size:
            return f'is smaller than the {human_size(size)} the hypervisor needs'
        for resource in self.facts.iomem:
            if resource.name == 'System RAM' and resource.start < start + length and \
                    start <= resource.end:
                return 'overlaps System RAM (the kernel did not reserve it)'
        return None

    def _root_memory(self, reservation, hypervisor):
        claims = self.claims
        if any(r.name == 'System RAM' and r.start < LEGACY_HOLE for r in self.facts.iomem):
            self.claim(0, LEGACY_HOLE, RAM, 'Low RAM below the legacy hole: real-mode data, '
                       'the EBDA and the trampolines of CPU bring-up.')
        self.claim(LEGACY_HOLE, ONE_MIB - LEGACY_HOLE, DEVICE, 'Legacy hole: VGA memory, '
                   'option ROMs and the BIOS area with the tables Linux reads at boot.')
        claims.reserve(hypervisor.phys_start, hypervisor.size)
        start = hypervisor.phys_start + hypervisor.size
        rest = reservation[0] + reservation[1] - start
        if rest:
            self.claim(start, rest, DATA, 'The rest of the memmap= reservation: cells are '
                       'carved from here.  Linux does not use it as RAM, but keeps access '
                       'until a cell takes a part.')
        self._ram()
        self._firmware_data()
        self._platform_devices()
        self._pci_bars()
        self._other_resources(self.facts.iomem, self._top_of_low_ram())
        return sorted(claims.regions, key=lambda region: region.phys_start)

    def _ram(self):
        ram = [(r.start, r.end + 1) for r in self.facts.iomem if r.name == 'System RAM']
        for start, size in _merged(ram + self.released):
            low = max(start, ONE_MIB)
            if start + size > low:
                self.claim(low, start + size - low, RAM, 'System RAM: the kernel\'s memory.')

    def _firmware_data(self):
        for resource in self.facts.iomem:
            if resource.name in FIRMWARE_DATA:
                self.claim(resource.start, resource.size, DATA,
                           f'{resource.name}: firmware data Linux keeps using.')

    def _platform_devices(self):
        madt = self.facts.madt
        for ioapic in madt.ioapics:
            self.claim(ioapic.address, PAGE, DEVICE, f'IOAPIC {ioapic.ioapic_id} registers '
                       '(MADT).')
        self.claim(madt.lapic_address, PAGE, DEVICE, 'Local APIC (xAPIC MMIO, MADT): Linux '
                   'owns it directly.')
        if self.facts.hpet:
            self.claim(self.facts.hpet, PAGE, DEVICE, 'HPET registers (ACPI HPET table).')
        for unit in (self.facts.dmar.units if self.facts.dmar else []):
            self.claim(unit.base, unit.size, DEVICE, 'VT-d remapping unit registers (ACPI '
                       'DMAR), for Linux\'s IOMMU driver.')
        entry = self._mmconfig_entry()
        if entry:
            self.claim(entry.base + entry.start_bus * MIB,
                       (entry.end_bus - entry.start_bus + 1) * MIB, DEVICE,
                       'PCI Express configuration space of buses '
                       f'{entry.start_bus:#x}-{entry.end_bus:#x} (ACPI MCFG).')

    def _pci_bars(self):
        for function in self.facts.pci:
            for index, start, size in function.bars:
                if function.driver:
                    self.claim(start, size, DEVICE, f'PCI {function.address} BAR {index} '
                               f'(driver {function.driver}).')

    def _other_resources(self, resources, top_of_low_ram):
        """What else Linux lists in /proc/iomem, inside PCI windows too."""
        for resource in resources:
            if resource.end < ONE_MIB or resource.name == 'System RAM' or \
                    resource.name in FIRMWARE_DATA or _is_pci_function(resource.name):
                continue
            if resource.name.startswith('PCI Bus ') or resource.name.startswith('PCI MMCONFIG'):
                self._other_resources(resource.children, top_of_low_ram)
                continue
            if resource.end == FOUR_GIB - 1 and resource.start >= FLASH_WINDOW:
                flags, text = ROM, 'firmware ROM below 4 GiB, read and execute only'
            elif resource.start >= top_of_low_ram:
                flags, text = DEVICE, 'device registers'
            else:
                flags, text = DATA, 'firmware memory among the RAM'
            self.claim(resource.start, resource.size, flags,
                       f'"{resource.name}" in /proc/iomem: {text}.')

    def _top_of_low_ram(self):
        ends = [r.end + 1 for r in self.facts.iomem if r.name == 'System RAM' and r.end < FOUR_GIB]
        return max(ends, default=0)

    # --- platform --------------------------------------------------------

    def _mmconfig_entry(self):
        entries = [entry for entry in self.facts.mcfg if entry.segment == 0]
        return min(entries, key=lambda entry: entry.start_bus, default=None)

    def _mmconfig_base(self):
        entry = self._mmconfig_entry()
        if entry and entry.base % MIB:
            raise self.source.error('sys/firmware/acpi/tables/MCFG', f'MMCONFIG base '
                                    f'{entry.base:#x} is not 1 MiB aligned', acpi.RECOLLECT)
        return entry.base if entry else 0

    def _mmconfig_end_bus(self):
        entry = self._mmconfig_entry()
        return entry.end_bus if entry else 0

    def _pm_timer(self):
        port = self.facts.fadt.pm_timer_port
        if port >= 0x10000:
            raise self.source.error('sys/firmware/acpi/tables/FACP', f'PM timer port '
                                    f'{port:#x} is not an I/O port', acpi.RECOLLECT)
        return port

    def _platform_control_ports(self):
        """The FADT's SMI command and PM1 control ports, which no cell may take."""
        fadt = self.facts.fadt
        ports = {'smi_command_port': fadt.smi_command_port,
                 'pm1a_control_port': fadt.pm1a_control_port,
                 'pm1b_control_port': fadt.pm1b_control_port}
        for name, port in ports.items():
            if port >= 0x10000:
                raise self.source.error('sys/firmware/acpi/tables/FACP', f'{name} '
                                        f'{port:#x} is not an I/O port', acpi.RECOLLECT)
        return ports

    def _acpi_tables(self, reservation):
        """The ACPI table memory no cell may take: the one the reservation holds, or the DSDT's."""
        ranges = [r for r in self.facts.iomem if r.name == 'ACPI Tables']
        start, end = reservation[0], reservation[0] + reservation[1]
        dsdt = self.facts.fadt.dsdt_address
        chosen = next((r for r in ranges if r.start < end and start <= r.end), None) or \
            next((r for r in ranges if r.start <= dsdt <= r.end), None) or \
            (ranges[0] if ranges else None)
        if not chosen:
            return MemoryRegion(0, 0, 0, 0)
        first, last = align_down(chosen.start, PAGE), align_up(chosen.end + 1, PAGE)
        return self.note(MemoryRegion(first, 0, last - first, 0), 'The ACPI tables '
                         '("ACPI Tables" in /proc/iomem): Linux keeps reading them, so no '
                         'cell may take them.')

    def _platform_notes(self):
        lines = []
        entry = self._mmconfig_entry()
        if entry:
            lines.append(f'MMCONFIG: ACPI MCFG, segment 0, buses {entry.start_bus:#x}-'
                         f'{entry.end_bus:#x}.')
        else:
            lines.append('No ACPI MCFG table: no PCI Express extended configuration space.')
        others = sorted({e.segment for e in self.facts.mcfg if e.segment})
        if others:
            lines.append('Segments ' + ', '.join(map(str, others)) + ' are left out: '
                         'Bulkhead knows one MMCONFIG window.')
        port = self.facts.fadt.pm_timer_port
        lines.append(f'PM timer: ACPI FADT, port {port:#x}.' if port else
                     'PM timer: none (the FADT gives no PM_TMR_BLK).')
        lines.append('SMI command and PM1 control ports: ACPI FADT; they control the '
                     'whole machine, so no cell may take them.')
        return lines

    # --- the file's header -----------------------------------------------

    def _header(self, memmap, present):
        facts = self.facts
        ram = sum(r.size for r in facts.iomem if r.name == 'System RAM')
        lines = [f'System config made by "bulkhead-config create" from a machine with '
                 f'{len(facts.cpus)} CPUs and {_amount(ram)} of System RAM, '
                 f'running Linux {facts.release}.  Check every region before you rely on it; '
                 'Documentation/usage.md says how each part was chosen.', '']
        if present:
            lines.append(f'Linux already boots with memmap={memmap}, which holds the '
                         'hypervisor and the cells.')
        else:
            lines += ['Boot Linux with this parameter (in GRUB files write \\$ for $):',
                      f'    memmap={memmap}']
        lines += [''] + self._cpu_notes() + self._iommu_notes()
        return lines

    def _iommu_notes(self):
        dmar = self.facts.dmar
        if not dmar:
            return ['No ACPI DMAR table: no VT-d, so DMA of devices given to cells is not '
                    'contained.']
        remap = 'with' if dmar.flags & acpi.DMAR_INTR_REMAP else 'without'
        return [f'VT-d: {len(dmar.units)} remapping units {remap} interrupt remapping (ACPI '
                'DMAR); Bulkhead does not program them yet, so DMA of devices given to '
                'cells is not contained.']


def _amount(size):
    """A size for people: 448 MiB, 31.9 GiB."""
    if size < GIB:
        return f'{-(-size // MIB)} MiB'
    return f'{size / GIB:.1f} GiB'


def _merged(ranges):
    """(start, size) of [start, end) ranges, touching ones joined."""
    spans = []
    for start, end in sorted(ranges):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(start, end - start) for start, end in spans]


def _is_ram(iomem, start, size):
    return any(r.name == 'System RAM' and r.start <= start and start + size <= r.end + 1
               for r in iomem)


def _is_pci_function(name):
    parts = name.split(':')
    return len(parts) == 3 and '.' in parts[2] and all(
        c in '0123456789abcdef.' for c in ''.join(parts))
