# SPDX-License-Identifier: GPL-2.0
"""Facts from Linux's own files: /proc/iomem, cpuinfo, cmdline, UARTs, PCI in sysfs.

Each parser takes a machine source (machine.py) and refuses malformed input
with one line that names the file and the line.
"""

import re
from dataclasses import dataclass, field

RECOLLECT = 'collect the machine again with "bulkhead-config collect" (as root)'
SIZE_SUFFIXES = {'': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}
# PCI resource flags (include/linux/ioport.h): the resource is memory.
IORESOURCE_MEM = 0x200
PCI_BAR_LINES = 6           # lines 0-5 of "resource" are the BARs


@dataclass
class Resource:
    """A line of /proc/iomem or /proc/ioports: [start, end] and its children."""
    start: int
    end: int
    name: str
    children: list = field(default_factory=list)

    @property
    def size(self):
        return self.end - self.start + 1


@dataclass
class Cpu:
    number: int
    apic_id: int
    vmx: bool


@dataclass
class Uart:
    """An 8250 port Linux knows (/proc/tty/driver/serial)."""
    line: int
    port: int
    irq: int
    in_use: str     # why Linux uses it, or '' when it does not


@dataclass
class PciFunction:
    address: str            # DDDD:BB:DD.F
    vendor: int
    device: int
    class_code: int
    irq: int
    driver: str             # '' without one
    bars: list              # (index, start, size) of memory BARs


def required_text(source, path):
    text = source.text(path)
    if text is None:
        raise source.error(path, 'missing', RECOLLECT)
    return text


def parse_resources(source, path):
    """The tree of /proc/iomem or /proc/ioports, top-level entries first."""
    roots, stack = [], []
    for number, line in enumerate(required_text(source, path).splitlines(), 1):
        if not line.strip():
            continue
        match = re.fullmatch(r'( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)', line)
        if not match:
            raise source.error(path, f'line {number} is not "START-END : NAME"', RECOLLECT)
        depth = len(match.group(1)) // 2
        resource = Resource(int(match.group(2), 16), int(match.group(3), 16), match.group(4))
        if resource.end < resource.start or depth > len(stack):
            raise source.error(path, f'line {number} does not fit the lines before it',
                               RECOLLECT)
        del stack[depth:]
        (stack[-1].children if stack else roots).append(resource)
        stack.append(resource)
    if not roots:
        raise source.error(path, 'is empty', RECOLLECT)
    if path == 'proc/iomem' and all(r.start == 0 and r.end == 0 for r in roots):
        raise source.error(path, 'every address is zero: it was read without root',
                           RECOLLECT)
    return roots


def parse_cpus(source):
    """The online CPUs: Linux's number, APIC ID and whether CPUID shows VMX."""
    path = 'proc/cpuinfo'
    cpus = []
    for block in re.split(r'\n\s*\n', required_text(source, path)):
        fields = dict(_cpuinfo_field(line) for line in block.splitlines() if ':' in line)
        if 'processor' not in fields:
            continue
        try:
            number, apic_id = int(fields['processor']), int(fields['apicid'])
        except (KeyError, ValueError):
            raise source.error(path, f'processor {fields["processor"]} has no number or '
                               'apicid line', RECOLLECT) from None
        cpus.append(Cpu(number, apic_id, 'vmx' in fields.get('flags', '').split()))
    if not cpus:
        raise source.error(path, 'lists no processor', RECOLLECT)
    return cpus


def _cpuinfo_field(line):
    key, _, value = line.partition(':')
    return key.strip(), value.strip()


def kernel_command_line(source):
    return required_text(source, 'proc/cmdline').strip()


def parse_size(text):
    """A size as the kernel's memparse() reads it: 64M, 0x1c000000, 2G."""
    match = re.fullmatch(r'(0[xX][0-9a-fA-F]+|\d+)([KMGTkmgt]?)', text)
    if not match:
        return None
    return int(match.group(1), 0) * SIZE_SUFFIXES[match.group(2).upper()]


def memmap_reservations(command_line):
    """(start, size) of every memmap=SIZE$START on the command line."""
    found = []
    for word in command_line.split():
        if not word.startswith('memmap='):
            continue
        for item in word[len('memmap='):].split(','):
            size, dollar, start = item.partition('$')
            size, start = parse_size(size), parse_size(start)
            if dollar and size and start is not None:
                found.append((start, size))
    return found


def parse_uarts(source):
    """The 8250 ports Linux found, and which of them it uses."""
    text = source.text('proc/tty/driver/serial')
    if text is None:
        return []
    consoles = _console_lines(source)
    uarts = []
    for line in text.splitlines():
        match = re.match(r'(\d+): uart:(\S+) port:([0-9A-Fa-f]+) irq:(\d+)(.*)', line)
        if not match or match.group(2) == 'unknown' or 'mmio:' in line:
            continue
        number, rest = int(match.group(1)), match.group(5)
        uarts.append(Uart(number, int(match.group(3), 16), int(match.group(4)),
                          _uart_use(number, rest, consoles)))
    return uarts


def _console_lines(source):
    """Serial lines Linux prints its console on (/proc/consoles, console=)."""
    lines = set()
    for line in (source.text('proc/consoles') or '').splitlines():
        match = re.match(r'ttyS(\d+)\b', line)
        if match:
            lines.add(int(match.group(1)))
    for match in re.finditer(r'\bconsole=ttyS(\d+)', source.text('proc/cmdline') or ''):
        lines.add(int(match.group(1)))
    return lines


def _uart_use(number, rest, consoles):
    if number in consoles:
        return 'Linux console'
    counts = dict(re.findall(r'\b(tx|rx):(\d+)', rest))
    if any(int(value) for value in counts.values()):
        return 'Linux sent or received data on it'
    if re.search(r'\b(RTS|DTR)\b', rest):
        return 'a program holds it open'
    return ''


def parse_pci(source):
    """PCI functions from sysfs, with their memory BARs and drivers."""
    functions = []
    base = 'sys/bus/pci/devices'
    for address in source.listdir(base):
        directory = f'{base}/{address}'
        driver = source.readlink(f'{directory}/driver') or ''
        functions.append(PciFunction(
            address, _hex_file(source, f'{directory}/vendor'),
            _hex_file(source, f'{directory}/device'), _hex_file(source, f'{directory}/class'),
            _hex_file(source, f'{directory}/irq', base=10),
            driver.rstrip('/').rpartition('/')[2], _memory_bars(source, f'{directory}/resource')))
    return functions


def _hex_file(source, path, base=16):
    text = source.text(path)
    if text is None:
        return 0
    try:
        return int(text.strip(), base)
    except ValueError:
        raise source.error(path, f'"{text.strip()}" is not a number', RECOLLECT) from None


def _memory_bars(source, path):
    bars = []
    for index, line in enumerate((source.text(path) or '').splitlines()[:PCI_BAR_LINES]):
        try:
            start, end, flags = (int(word, 16) for word in line.split())
        except ValueError:
            raise source.error(path, f'line {index + 1} is not three hex numbers',
                               RECOLLECT) from None
        if flags & IORESOURCE_MEM and end > start:
            bars.append((index, start, end - start + 1))
    return bars


def ioapic_pins_from_log(lines):
    """{address: number of pins} from the kernel's "IOAPIC[N]: ... GSI A-B" lines."""
    pins = {}
    for line in lines or []:
        match = re.search(r'IOAPIC\[\d+\]: .*address (0x[0-9a-fA-F]+), GSI (\d+)-(\d+)', line)
        if match:
            pins[int(match.group(1), 16)] = int(match.group(3)) - int(match.group(2)) + 1
    return pins
