# SPDX-License-Identifier: GPL-2.0
"""The bulkhead-config command line: exit 1 for a bad config, 2 for bad usage."""

import argparse
import json
import os
import sys

from . import VERSION, abi, check, dts, layout, rules
from .dump import to_json, to_text
from .errors import ConfigError
from .findings import ERROR, WARNING, Report
from .model import qualify

PROG = 'bulkhead-config'


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
        print(f'{PROG}: {error.path or args.input}: {error}', file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader left early (dump | head); keep Python's exit quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _make_parser():
    parser = _Parser(prog=PROG, description='Build and inspect Bulkhead system '
                     'and cell configs.')
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


def _build(args):
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
