# SPDX-License-Identifier: GPL-2.0
"""A config in memory: what the .dts reader and the .cell decoder produce.

Every object keeps an origin (a node path such as /root-cell/memory@0, or a
place in a .cell file) so that the rules can say where a problem is.
"""

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


@dataclass
class System:
    hypervisor_memory: MemoryRegion
    pci_mmconfig_base: int
    pm_timer_address: int
    debug_console: Console = field(default_factory=Console)
    flags: int = 0
    origin: str = field(default='', compare=False)


@dataclass
class Config:
    """A system config (system set, cell is the root cell) or a cell config."""
    kind: int
    cell: Cell
    system: System = None
