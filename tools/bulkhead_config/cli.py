# SPDX-License-Identifier: GPL-2.0
"""The bulkhead-config command line: exit 1 for a bad config, 2 for bad usage."""

import argparse
import json
import os
import sys

from . import VERSION, dts, layout, rules
from .dump import to_json, to_text
from .errors import ConfigError

PROG = 'bulkhead-config'


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports usage errors in one line."""

    def error(self, message):
        self.exit(2, f'{PROG}: usage: {message}: run "{self.prog} --help"\n')


def main(argv=None):
    """Run one subcommand; returns the exit code."""
    args = _make_parser().parse_args(argv)
    try:
        args.run(args)
    except ConfigError as error:
        print(f'{PROG}: {args.input}: {error}', file=sys.stderr)
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
    return parser


def _build(args):
    config = dts.read(args.input)
    rules.check_config(config)
    output = args.output or os.path.splitext(args.input)[0] + '.cell'
    _write_file(output, layout.encode(config))


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
