# SPDX-License-Identifier: GPL-2.0
"""A config in memory: what the .dts reader and the .cell decoder produce.

Every object keeps an origin (a node path such as /root-cell/memory@0, or a
place in a .cell file) so that the rules can say where a problem is.
"""

import dataclasses
from dataclasses import dataclass, field

from . import abi


@dataclass
class Console:
    type: int = abi.CONSOLE_NONE
    flags: int = 0
    address: int = 0
    size: int = 0
    divider: int = 0
    origin: str = field(default='', compare=False)


@dataclass
class MemoryRegion:
    phys_start: int
    virt_start: int
    size: int
    flags: int
    origin: str = field(default='', compare=False)


@dataclass
class PioRegion:
    base: int
    length: int
    origin: str = field(default='', compare=False)


@dataclass
class Irqchip:
    """Pins of one IOAPIC, by the IOAPIC's physical address."""
    address: int
    pins: list
    origin: str = field(default='', compare=False)


@dataclass
class PciBar:
    """Memory one BAR decodes; size 0 when the BAR is not given to the cell."""
    address: int = 0
    size: int = 0
    origin: str = field(default='', compare=False)


def _no_bars():
    return [PciBar() for _ in range(abi.PCI_NUM_BARS)]


@dataclass
class PciDevice:
    domain: int
    bus: int
    device: int
    function: int
    bars: list = field(default_factory=_no_bars)
    origin: str = field(default='', compare=False)

    @property
    def address(self):
        """The device as lspci writes it: DDDD:BB:DD.F."""
        return f'{self.domain:04x}:{self.bus:02x}:{self.device:02x}.{self.function:x}'


@dataclass
class Cell:
    name: str
    cpus: list
    memory_regions: list = field(default_factory=list)
    pio_regions: list = field(default_factory=list)
    reset_address: int = 0
    shutdown_timeout_ms: int = 0
    console: Console = field(default_factory=Console)
    flags: int = 0
    origin: str = field(default='', compare=False)
    irqchips: list = field(default_factory=list)
    pci_devices: list = field(default_factory=list)


@dataclass
class System:
    hypervisor_memory: MemoryRegion
    pci_mmconfig_base: int
    pm_timer_address: int
    debug_console: Console = field(default_factory=Console)
    flags: int = 0
    origin: str = field(default='', compare=False)
    pci_mmconfig_end_bus: int = 0
    acpi_tables: MemoryRegion = field(default_factory=lambda: MemoryRegion(0, 0, 0, 0))
    # ACPI ports that control the platform (FADT SMI_CMD, PM1a/PM1b_CNT_BLK); 0: none.
    smi_command_port: int = 0
    pm1a_control_port: int = 0
    pm1b_control_port: int = 0


@dataclass
class Config:
    """A system config (system set, cell is the root cell) or a cell config."""
    kind: int
    cell: Cell
    system: System = None


def qualify(item, prefix):
    """Put prefix (a file name and ':') before every origin in item, recursively."""
    if isinstance(item, list):
        for element in item:
            qualify(element, prefix)
    elif dataclasses.is_dataclass(item):
        for member in dataclasses.fields(item):
            value = getattr(item, member.name)
            if member.name == 'origin':
                setattr(item, 'origin', prefix + value)
            else:
                qualify(value, prefix)
