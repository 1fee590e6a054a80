# SPDX-License-Identifier: GPL-2.0
"""Constants of the .cell format, mirroring include/bulkhead/config.h."""

MAGIC = b'BHCONFIG'
REVISION = 3
MAX_SIZE = 1024 * 1024

KIND_SYSTEM = 1
KIND_CELL = 2
KIND_NAMES = {KIND_SYSTEM: 'system', KIND_CELL: 'cell'}

CELL_NAME_SIZE = 32
MAX_CPUS = 64
CPU_SET_MAX_WORDS = MAX_CPUS // 64

MAX_MEMORY_REGIONS = 1024
MAX_PIO_REGIONS = 1024
MAX_IRQCHIPS = 16
MAX_PCI_DEVICES = 256

LAPIC_BASE = 0xfee00000
IOAPIC_BASE = 0xfec00000
PLATFORM_WINDOW_SIZE = 0x1000
MMCONFIG_BUS_SIZE = 0x100000
PM1_CONTROL_PORTS = 2
IOAPIC_MAX_PINS = 256
PCI_NUM_BARS = 6

MEM_READ = 1 << 0
MEM_WRITE = 1 << 1
MEM_EXECUTE = 1 << 2
MEM_DMA = 1 << 3
MEM_IO = 1 << 4
MEM_COMM_REGION = 1 << 5
MEM_LOADABLE = 1 << 6
MEM_ROOT_SHARED = 1 << 7
MEM_VALID_FLAGS = 0xff
MEM_NON_ROOT_FLAGS = MEM_COMM_REGION | MEM_LOADABLE | MEM_ROOT_SHARED

# Flag names as written in .dts files, in bit order.
MEMORY_FLAGS = {
    'read': MEM_READ,
    'write': MEM_WRITE,
    'execute': MEM_EXECUTE,
    'dma': MEM_DMA,
    'io': MEM_IO,
    'comm-region': MEM_COMM_REGION,
    'loadable': MEM_LOADABLE,
    'root-shared': MEM_ROOT_SHARED,
}

CONSOLE_NONE = 0
CONSOLE_UART_8250 = 2
CONSOLE_TYPES = {'8250': CONSOLE_UART_8250}
CONSOLE_TYPE_NAMES = {CONSOLE_NONE: 'none', CONSOLE_UART_8250: '8250'}

CONSOLE_FLAG_MMIO = 1 << 0
CONSOLE_FLAG_REGDIST_4 = 1 << 1
CELL_FLAG_CONSOLE_PUTC = 1 << 0
CELL_FLAGS = {'console-putc': CELL_FLAG_CONSOLE_PUTC}
CELL_VALID_FLAGS = CELL_FLAG_CONSOLE_PUTC

CONSOLE_FLAGS = {'mmio': CONSOLE_FLAG_MMIO, 'regdist-4': CONSOLE_FLAG_REGDIST_4}
CONSOLE_VALID_FLAGS = CONSOLE_FLAG_MMIO | CONSOLE_FLAG_REGDIST_4


def flag_names(value, table):
    """Names of the bits of value that table defines, in bit order."""
    return [name for name, bit in table.items() if value & bit]
