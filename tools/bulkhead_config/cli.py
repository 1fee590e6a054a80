# SPDX-License-Identifier: GPL-2.0
"""The bulkhead-config command line: exit 1 for a bad config, 2 for bad usage.

Only build and check (of .dts files) need pylibfdt, so the module that reads
device-tree source is imported where it is used: collect and create run with
nothing but Python's standard library on the target machine.
"""

import argparse
import json
import os
import sys

from . import VERSION, abi, check, layout, machine, procfs, rules
from .dump import to_json, to_text
from .errors import ConfigError
from .findings import ERROR, WARNING, Report
from .model import qualify

PROG = 'bulkhead-config'
# Replaces / for collect and create on the live machine (the tests use it).
ROOT_VARIABLE = 'BULKHEAD_ROOT'


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports usage errors in one line."""

    def error(self, message):
        self.exit(2, f'{PROG}: usage: {message}: run "{self.prog} --help"\n')


def main(argv=None):
    """Run one subcommand; returns the exit code."""
    args = _make_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except ConfigError as error:
        place = error.path if error.path is not None else getattr(args, 'input', None)
        print(f'{PROG}: {place}: {error}' if place else f'{PROG}: {error}', file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader left early (dump | head); keep Python's exit quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _make_parser():
    parser = _Parser(prog=PROG, description='Collect what a machine\'s configs are made '
                     'from; create, check, build and inspect Bulkhead system and cell '
                     'configs.', epilog=f'Run "{PROG} COMMAND --help" for the options of '
                     'one command.')
    parser.add_argument('--version', action='version', version=f'{PROG} {VERSION}')
    commands = parser.add_subparsers(title='commands', dest='command',
                                     metavar='COMMAND', required=True)
    build = commands.add_parser(
        'build', help='compile a .dts config into a .cell file',
        description='Compile a system or cell config from device-tree source, '
        'check it and write the binary .cell file.')
    build.add_argument('input', metavar='IN.dts', help='config source')
    build.add_argument('-o', '--output', metavar='OUT.cell',
                       help='output file (default: IN.cell beside the input)')
    build.set_defaults(run=_build)
    dump = commands.add_parser(
        'dump', help='print the fields of a .cell file',
        description='Decode a .cell file and print its fields.')
    dump.add_argument('input', metavar='IN.cell', help='binary config')
    dump.add_argument('--json', action='store_true', help='print JSON')
    dump.set_defaults(run=_dump)
    _add_check_parser(commands)
    _add_machine_parsers(commands)
    _add_cell_parser(commands)
    return parser


def _add_check_parser(commands):
    check_parser = commands.add_parser(
        'check', help='check a system config and cell configs together',
        description='Check a system config and the cell configs meant to run '
        'beside it: every rule of each config, and the rules across them (CPUs, '
        'memory, I/O ports and IOAPIC pins given twice or not the root cell\'s, '
        'hypervisor memory, platform windows, DMA without an IOMMU).  Prints one '
        'finding per problem; exits 1 if any is an error, 0 otherwise.  Inputs '
        'are .dts sources or built .cell files.')
    check_parser.add_argument('input', metavar='SYSCONFIG', help='system config')
    check_parser.add_argument('cells', metavar='CELL', nargs='*', help='cell configs')
    check_parser.add_argument('--json', action='store_true',
                              help='print the findings as JSON')
    check_parser.set_defaults(run=_check)


def _add_machine_parsers(commands):
    collect = commands.add_parser(
        'collect', help='gather what create needs from this machine into an archive',
        description='Gather what a system config is made from into one archive: '
        '/proc/iomem, /proc/ioports, /proc/cpuinfo, the kernel command line and '
        'release, the ACPI tables MADT, FADT, MCFG, DMAR and HPET, PCI devices from '
        'sysfs, the kernel\'s IOAPIC lines and the VMX capability MSRs (with the msr '
        'module loaded).  Run it as root on the machine the config is for.')
    collect.add_argument('-o', '--output', metavar='FILE', default='bulkhead-machine.tar.gz',
                         help='archive to write (default: bulkhead-machine.tar.gz)')
    collect.set_defaults(run=_collect)
    create = commands.add_parser(
        'create', help='write the system config of this machine or of an archive',
        description='Write a system config (.dts) for this machine, or for the machine '
        'an archive made by collect describes: CPUs, IOAPICs, PM timer, MMCONFIG, ACPI '
        'tables, the root cell\'s memory and ports, a debug console on an unused '
        'UART, and hypervisor memory sized for the CPUs inside the memmap= '
        'reservation (a new one when the command line has none that fits).  Prints '
        'the memmap= kernel parameter.')
    create.add_argument('--from', dest='archive', metavar='ARCHIVE',
                        help='read an archive made by collect instead of this machine')
    create.add_argument('-o', '--output', metavar='OUT.dts', default='system.dts',
                        help='config to write (default: system.dts)')
    create.add_argument('--name', default='linux', help='root cell name (default: linux)')
    create.add_argument('--hypervisor-size', type=_size, metavar='SIZE',
                        help='hypervisor memory, such as 8M (default: sized for the machine)')
    create.add_argument('--cell-memory', type=_size, metavar='SIZE',
                        help='memory for cells after the hypervisor in a new reservation '
                        '(default: 64M, or what the existing reservation leaves)')
    create.set_defaults(run=_create)


def _add_cell_parser(commands):
    cell = commands.add_parser(
        'cell', help='write a cell config beside a system config',
        description='Write a cell config (.dts) for an inmate: its CPUs, RAM taken from '
        'the memmap= reservation after the hypervisor and after the cells given with '
        '--beside, the comm region, a UART and IOAPIC pins.  The result passes '
        '"check" with the system config and those cells.')
    cell.add_argument('input', metavar='SYSCONFIG', help='system config (.dts or .cell)')
    cell.add_argument('-o', '--output', metavar='OUT.dts', required=True,
                      help='cell config to write')
    cell.add_argument('--name', required=True, help='cell name')
    cell.add_argument('--cpus', required=True, type=_number_list, metavar='LIST',
                      help='CPUs, such as 1 or 2-3')
    cell.add_argument('--memory', type=_size, metavar='SIZE', default=1 << 20,
                      help='RAM for the inmate (default: 1M)')
    cell.add_argument('--uart', type=_port, metavar='PORT',
                      help='port of an 8250 UART for the cell\'s console, such as '
                      '0x2f8, or "none" (default: the root cell\'s first COM port '
                      'that is not the debug console)')
    cell.add_argument('--pins', type=_number_list, metavar='LIST', default=[],
                      help='IOAPIC pins to take, such as 3,5-6')
    cell.add_argument('--ioapic', type=_address, metavar='ADDRESS',
                      help='IOAPIC of --pins (default: the root cell\'s first)')
    cell.add_argument('--beside', metavar='CELL', nargs='+', default=[],
                      help='cell configs that run at the same time')
    cell.add_argument('--console-putc', action='store_true',
                      help='let the inmate print to the hypervisor console (flag console-putc)')
    cell.set_defaults(run=_cell)


def _size(text):
    value = procfs.parse_size(text)
    if not value or value % 0x1000:
        raise argparse.ArgumentTypeError(f'"{text}" is not a size in whole pages, such as '
                                         '1M or 0x100000')
    return value


def _number_list(text):
    numbers = []
    try:
        for item in text.split(','):
            first, _, last = item.partition('-')
            numbers += range(int(first, 0), int(last or first, 0) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a list such as 1,3-4') from None
    return sorted(set(numbers))


def _port(text):
    if text == 'none':
        return 0
    return _address(text)


def _address(text):
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a number such as 0x2f8') from None


def _live_source():
    return machine.LiveSource(os.environ.get(ROOT_VARIABLE) or '/')


def _collect(args):
    source = _live_source()
    if source.root == '/' and os.geteuid() != 0:
        raise ConfigError('', 'the ACPI tables and the addresses in /proc/iomem are '
                          'readable by root only', 'run "sudo bulkhead-config collect"')
    manifest = machine.collect(source, args.output, VERSION)
    print(f'{PROG}: wrote {args.output}: {manifest["files"]} files')
    for path, reason in sorted(manifest['missing'].items()):
        if path.startswith('sys/firmware') or path in ('msr', 'kernel-log'):
            print(f'{PROG}: note: {path}: {reason}')


def _create(args):
    from . import create, emit
    source = machine.ArchiveSource(args.archive) if args.archive else _live_source()
    if not args.archive and source.root == '/' and os.geteuid() != 0:
        raise ConfigError('', 'the ACPI tables and the addresses in /proc/iomem are '
                          'readable by root only', 'run it as root, or use --from with an '
                          'archive made by "sudo bulkhead-config collect"')
    result = create.create(source, create.Options(args.name, args.hypervisor_size,
                                                  args.cell_memory))
    _write_file(args.output, emit.to_dts(result.config, result.header,
                                         result.notes).encode())
    for warning in result.warnings:
        print(f'{PROG}: warning: {warning}', file=sys.stderr)
    system, cell = result.config.system, result.config.cell
    print(f'{PROG}: wrote {args.output}: {len(cell.cpus)} CPUs, '
          f'{len(cell.memory_regions)} memory regions, hypervisor '
          f'{system.hypervisor_memory.size >> 20} MiB at '
          f'{system.hypervisor_memory.phys_start:#x}')
    if result.memmap_present:
        print(f'memmap={result.memmap} (already on the kernel command line)')
    else:
        print(f'memmap={result.memmap} (add it to the kernel command line and reboot; '
              'in GRUB files write \\$ for $)')


def _cell(args):
    from . import emit, template
    system = _load(args.input, abi.KIND_SYSTEM)
    beside = [_load(path, abi.KIND_CELL) for path in args.beside]
    config, notes = template.make_cell(system, beside, template.Request(
        args.name, args.cpus, args.memory, args.uart, args.pins, args.ioapic,
        args.console_putc), args.output)
    _write_file(args.output, emit.to_dts(config, template.header(args), notes).encode())
    region = config.cell.memory_regions[0]
    print(f'{PROG}: wrote {args.output}: CPUs {",".join(map(str, config.cell.cpus))}, '
          f'{args.memory >> 10} KiB of RAM from {region.phys_start:#x}')


def _build(args):
    from . import dts
    config = dts.read(args.input)
    report = rules.check_config(config)
    output = args.output or os.path.splitext(args.input)[0] + '.cell'
    _write_file(output, layout.encode(config))
    for finding in report.findings:
        print(f'{PROG}: {args.input}: {finding.line()}', file=sys.stderr)


def _check(args):
    system = _load(args.input, abi.KIND_SYSTEM)
    cells = [_load(path, abi.KIND_CELL) for path in args.cells]
    report = check.check_configs(system, cells, Report())
    if args.json:
        result = report.to_json()
        result['configs'] = [args.input] + args.cells
        print(json.dumps(result, indent=2))
    else:
        for finding in report.findings:
            print(finding.line())
        print(f'{PROG} check: {_count(report, ERROR)}, {_count(report, WARNING)} '
              f'in {1 + len(cells)} configs')
    return 1 if report.count(ERROR) else 0


def _count(report, severity):
    number = report.count(severity)
    return f'{number} {severity}{"" if number == 1 else "s"}'


def _load(path, kind):
    """The Config in a .dts or .cell file, its origins prefixed with the path."""
    try:
        config = _read_config(path)
    except ConfigError as error:
        error.path = path
        raise
    if config.kind != kind:
        raise ConfigError('', f'this is a {abi.KIND_NAMES[config.kind]} config, not a '
                          f'{abi.KIND_NAMES[kind]} config', 'pass the system config '
                          'first, then cell configs', path)
    qualify(config, f'{path}:')
    return config


def _read_config(path):
    data = _read_file(path)
    if data.startswith(abi.MAGIC):
        return layout.decode(data)
    from . import dts
    return dts.read(path)


def _dump(args):
    data = _read_file(args.input)
    header = layout.read_header(data)
    config = layout.decode(data)
    if args.json:
        print(json.dumps(to_json(header, config), indent=2))
    else:
        print(to_text(header, config))


def _read_file(path):
    try:
        with open(path, 'rb') as file:
            return file.read()
    except OSError as error:
        raise ConfigError('', f'cannot read: {error.strerror}', 'check the path') from None


def _write_file(path, data):
    """Write through a temporary file so a failed build leaves no partial output."""
    temporary = path + '.tmp'
    try:
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
        with open(temporary, 'wb') as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError as error:
        raise ConfigError('', f'cannot write {path}: {error.strerror}',
                          'check the output path') from None
