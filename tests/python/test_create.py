# SPDX-License-Identifier: GPL-2.0
"""bulkhead-config collect and create on recorded and hand-made machines."""

import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

import machines

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'bulkhead-config'
BOCHS_ARCHIVE = ROOT / 'tests' / 'data' / 'machines' / 'bochs-2cpu.tar.gz'
BOCHS_DTS = ROOT / 'configs' / 'x86' / 'bochs-system.dts'

sys.path.insert(0, str(ROOT / 'tools'))

from bulkhead_config import abi, dts, layout, machine  # noqa: E402
from bulkhead_config.dump import to_json  # noqa: E402

RW = ['read', 'write']
IO = ['read', 'write', 'io']
RAM = ['read', 'write', 'execute', 'dma']


def run(*args, root=None):
    env = {'PATH': '/usr/bin:/bin'}
    if root is not None:
        env['BULKHEAD_ROOT'] = str(root)
    return subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=60)


def one_line_error(result, *words):
    """Exit 1, nothing but one line on stderr holding @words, no traceback."""
    assert result.returncode == 1, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('bulkhead-config: ')
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def archive_of(machine_description, tmp_path, name='machine'):
    """Collect the hand-made machine the way the live machine is collected."""
    root = machines.write_root(machine_description, tmp_path / f'{name}-root')
    archive = tmp_path / f'{name}.tar.gz'
    result = run('collect', '-o', archive, root=root)
    assert result.returncode == 0, result.stderr
    return archive


def create(archive, tmp_path, *options):
    output = tmp_path / 'system.dts'
    result = run('create', '--from', archive, '-o', output, *options)
    assert result.returncode == 0, result.stderr
    return dts.read(str(output)), result


def as_json(config):
    """The config as "bulkhead-config dump --json" shows it, header left out."""
    data = layout.encode(config)
    result = to_json(layout.read_header(data), layout.decode(data))
    del result['header']
    result['cell']['memory_regions'].sort(key=lambda region: region['phys_start'])
    return result


def differences(mine, theirs, path=''):
    """Every field where two dump --json trees differ, as "path: mine != theirs"."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(mine) | set(theirs)):
            found += differences(mine.get(key), theirs.get(key), f'{path}.{key}')
        return found
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        found = []
        for index, (one, other) in enumerate(zip(mine, theirs)):
            found += differences(one, other, f'{path}[{index}]')
        return found
    return [] if mine == theirs else [f'{path}: {mine!r} != {theirs!r}']


def prose(text):
    """The words of a .dts with comment markers left out, so wrapping does not matter."""
    return ' '.join(re.sub(r'\*/$', '', re.sub(r'^\s*(//|/\*|\*)?', '', line)).strip()
                    for line in text.splitlines() if line.strip()).replace('  ', ' ')


def regions(config):
    return {region.phys_start: (region.size, abi.flag_names(region.flags, abi.MEMORY_FLAGS))
            for region in config.cell.memory_regions}


# --- the emulated machine --------------------------------------------------

def test_bochs_archive_gives_the_hand_written_config(tmp_path):
    made, result = create(BOCHS_ARCHIVE, tmp_path)
    written = dts.read(str(BOCHS_DTS))
    found = differences(as_json(made), as_json(written))
    # The root cell's name is the user's choice (--name), not a machine fact.
    assert found == [".cell.name: 'linux' != 'bochs-linux'"], '\n'.join(found)
    assert result.stdout.splitlines()[-1] == \
        'memmap=64M$0x1c000000 (already on the kernel command line)'


def test_differences_lists_each_field():
    written = as_json(dts.read(str(BOCHS_DTS)))
    changed = json.loads(json.dumps(written))
    changed['system']['pm_timer_address'] = 0x608
    changed['cell']['memory_regions'][0]['size'] = 0x9f000
    assert differences(changed, written) == [
        '.cell.memory_regions[0].size: 651264 != 655360',
        '.system.pm_timer_address: 1544 != 45064']


def test_bochs_archive_with_its_name_is_identical(tmp_path):
    made, _ = create(BOCHS_ARCHIVE, tmp_path, '--name', 'bochs-linux')
    assert differences(as_json(made), as_json(dts.read(str(BOCHS_DTS)))) == []


def test_live_machine_and_its_archive_give_the_same_file(tmp_path):
    with tarfile.open(BOCHS_ARCHIVE) as archive:
        archive.extractall(tmp_path / 'x')
    root = tmp_path / 'x' / machine.ARCHIVE_DIR
    (root / 'dev').mkdir()
    (root / 'dev' / 'kmsg').write_text(''.join(
        f'6,{n},0,-;{line}' for n, line in enumerate(
            (root / 'kernel-log').read_text().splitlines(True))))
    live = run('create', '-o', tmp_path / 'live.dts', root=root)
    assert live.returncode == 0, live.stderr
    create(BOCHS_ARCHIVE, tmp_path)
    assert (tmp_path / 'live.dts').read_text() == (tmp_path / 'system.dts').read_text()


def test_generated_config_builds_and_checks_clean(tmp_path):
    create(BOCHS_ARCHIVE, tmp_path)
    result = run('check', tmp_path / 'system.dts', ROOT / 'configs' / 'x86' / 'tiny-demo.dts')
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == \
        'bulkhead-config check: 0 errors, 0 warnings in 2 configs'


def test_more_cell_memory_than_the_reservation_holds_proposes_a_new_one(tmp_path):
    made, result = create(BOCHS_ARCHIVE, tmp_path, '--cell-memory', '100M')
    assert 'memmap=64M$0x1c000000 on the kernel command line leaves 58 MiB for cells' in \
        result.stderr
    reservation = made.system.hypervisor_memory
    assert result.stdout.splitlines()[-1].startswith('memmap=106M$')
    assert reservation.phys_start % (2 << 20) == 0
    assert reservation.phys_start + (106 << 20) <= 0x1c000000


def test_hypervisor_size_option(tmp_path):
    made, _ = create(BOCHS_ARCHIVE, tmp_path, '--hypervisor-size', '8M')
    assert made.system.hypervisor_memory.size == 8 << 20
    assert regions(made)[0x1c800000] == (0x3800000, RW)


# --- hand-made machines ----------------------------------------------------

@pytest.fixture(scope='module')
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp('server')
    made, result = create(archive_of(machines.server(), tmp_path), tmp_path)
    return made, result, prose((tmp_path / 'system.dts').read_text())


def test_server_cpus_and_ioapics(server):
    made, _, text = server
    assert made.cell.cpus == list(range(64))
    assert [(chip.address, len(chip.pins)) for chip in made.cell.irqchips] == [
        (0xfec00000, 24), (0xfec01000, 32), (0xfec40000, 32)]
    assert 'CPU 63: APIC ID 126' in text
    assert 'up to the next IOAPIC\'s first GSI' in text


def test_server_platform(server):
    made, _, text = server
    system = made.system
    assert (system.pci_mmconfig_base, system.pci_mmconfig_end_bus) == (0x8000000000, 0x7f)
    assert system.pm_timer_address == 0x508       # X_PM_TMR_BLK, not PM_TMR_BLK
    # SMI_CMD, X_PM1a_CNT_BLK (not PM1a_CNT_BLK), no PM1b block: no cell may take them.
    assert (system.smi_command_port, system.pm1a_control_port,
            system.pm1b_control_port) == (0xb2, 0x504, 0)
    assert (system.acpi_tables.phys_start, system.acpi_tables.size) == (0x7c000000, 0x100000)
    assert (system.debug_console.address, system.debug_console.size) == (0x2f8, 8)
    assert 'Segments 1 are left out' in text
    assert 'VT-d: 2 remapping units with interrupt remapping' in text


def test_server_memory(server):
    made, result, _ = server
    found = regions(made)
    hypervisor = made.system.hypervisor_memory
    # A new reservation: 72 MiB does not fit in the 62 MiB at 0x7c200000,
    # so it goes to the top of the RAM below, clear of the kernel.
    assert (hypervisor.phys_start, hypervisor.size) == (0x77000000, 8 << 20)
    assert result.stdout.splitlines()[-1].startswith('memmap=72M$0x77000000 (add it')
    assert found[0x100000] == (0x76f00000, RAM)
    assert found[0x77800000] == (0x4000000, RW)
    assert found[0x7c200000] == (0x3e00000, RAM)
    assert found[0x100000000] == (0x780000000, RAM)
    assert found[0x7b800000] == (0x800000, RW)          # Reserved among the RAM
    assert found[0x7c000000] == (0x100000, RW)          # ACPI tables
    assert found[0x7c100000] == (0x100000, RW)          # ACPI NVS
    assert found[0x8f000000] == (0x100000, IO)          # ixgbe's BAR
    assert 0x8f100000 not in found                      # no driver: left out
    assert found[0x8f200000] == (0x1000, IO)            # a platform device
    assert found[0xfed90000] == (0x1000, IO)            # VT-d units
    assert found[0xfed91000] == (0x2000, IO)
    assert found[0x8000000000] == (0x8000000, IO)       # MMCONFIG, buses 0-0x7f
    assert found[0xff000000] == (0x1000000, ['read', 'execute'])
    for address in (0xfec00000, 0xfec01000, 0xfec40000, 0xfed00000, 0xfee00000):
        assert found[address] == (0x1000, IO)


def test_hypervisor_grows_with_the_cpus(server, tmp_path):
    made, _ = create(BOCHS_ARCHIVE, tmp_path)
    assert server[0].system.hypervisor_memory.size > made.system.hypervisor_memory.size


def test_laptop(tmp_path):
    made, result = create(archive_of(machines.laptop(), tmp_path), tmp_path)
    text = prose((tmp_path / 'system.dts').read_text())
    assert made.cell.cpus == [0, 1, 2, 3]
    assert 'The MADT enables 1 more CPUs' in text
    assert [len(chip.pins) for chip in made.cell.irqchips] == [120]
    assert made.system.debug_console.type == abi.CONSOLE_NONE
    assert [(pio.base, pio.length) for pio in made.cell.pio_regions] == [(0, 0x10000)]
    assert (made.system.pci_mmconfig_base, made.system.pci_mmconfig_end_bus) == (0x90000000, 0xff)
    assert made.system.pm_timer_address == 0x1808
    assert made.system.acpi_tables.size == 0
    assert result.stderr.splitlines() == [
        'bulkhead-config: warning: memmap=4M$0x40000000 on the kernel command line is smaller '
        'than the 6 MiB the hypervisor needs: a new reservation is proposed; remove this one']
    # The reservation too small is to be removed: its memory is RAM after
    # the reboot, and the RAM on both sides of it is one region.
    found = regions(made)
    assert made.system.hypervisor_memory.phys_start == 0x8ba00000
    assert found[0x100000] == (0x8b900000, RAM)
    assert found[0x8c000000] == (64 << 20, RW)
    assert found[0x100000000] == (0x70000000, RAM)
    assert found[0xc0000000] == (0x1000000, IO)           # i915's BAR
    assert found[0x90000000] == (0x10000000, IO)          # MMCONFIG
    assert len(found) == 9


def test_server_without_kernel_log_assumes_pins_and_warns(tmp_path):
    description = dataclasses.replace(machines.server(), kernel_log=[])
    made, result = create(archive_of(description, tmp_path), tmp_path)
    assert [len(chip.pins) for chip in made.cell.irqchips] == [24, 32, 24]
    assert 'the IOAPIC at 0xfec40000 has an unknown number of pins' in result.stderr


def test_no_vmx_is_a_warning(tmp_path):
    description = dataclasses.replace(machines.laptop(), vmx=False)
    _, result = create(archive_of(description, tmp_path), tmp_path)
    assert 'show no "vmx" flag' in result.stderr


def test_collect_keeps_msrs_and_kernel_log(tmp_path):
    archive = archive_of(machines.server(), tmp_path)
    source = machine.ArchiveSource(str(archive))
    assert source.msrs()[63] == {0x3a: 5, 0x480: 0xda040000000012}
    assert source.kernel_log()[1].startswith('IOAPIC[0]: apic_id 8')
    assert source.readlink('sys/bus/pci/devices/0000:00:02.0/driver').endswith('/ixgbe')
    assert source.manifest['missing'] == {}


def test_collect_says_what_is_missing(tmp_path):
    root = machines.write_root(machines.laptop(), tmp_path / 'root')
    result = run('collect', '-o', tmp_path / 'a.tar.gz', root=root)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f'bulkhead-config: wrote {tmp_path}/a.tar.gz: 18 files',
        'bulkhead-config: note: msr: no /dev/cpu/*/msr: load the msr module (modprobe msr) first',
        'bulkhead-config: note: sys/firmware/acpi/tables/DMAR: absent',
        'bulkhead-config: note: sys/firmware/acpi/tables/HPET: absent']


# --- what is refused -------------------------------------------------------

def _broken_table(signature, change):
    def apply(description):
        tables = dict(description.tables)
        if change is None:
            del tables[signature]
        else:
            tables[signature] = change(tables[signature])
        return dataclasses.replace(description, tables=tables)
    return apply


def _replace(**fields):
    return lambda description: dataclasses.replace(description, **fields)


def _flip_byte(data):
    return data[:20] + bytes([data[20] ^ 1]) + data[21:]


def _zero_length_entry(data):
    """A MADT whose first entry says length 0 (its checksum kept valid)."""
    changed = bytearray(data)
    changed[45] = 0
    changed[9] = (changed[9] + data[45]) & 0xff
    return bytes(changed)


BROKEN = {
    'missing MADT': (_broken_table('APIC', None), ['sys/firmware/acpi/tables/APIC',
                                                  'the ACPI APIC table is missing']),
    'missing FADT': (_broken_table('FACP', None), ['the ACPI FACP table is missing']),
    'truncated FADT': (_broken_table('FACP', lambda d: d[:100]),
                       ['FACP: truncated: 100 of 276 bytes']),
    'bad MADT checksum': (_broken_table('APIC', _flip_byte), ['APIC: bad checksum']),
    'bad HPET checksum': (_broken_table('HPET', _flip_byte), ['HPET: bad checksum']),
    'longer than its header': (_broken_table('MCFG', lambda d: d + bytes(16)),
                               ['MCFG: 92 bytes, but the header says 76']),
    'MADT entry of length 0': (_broken_table('APIC', _zero_length_entry),
                               ['entry of type 9 at offset 44 has length 0']),
    'DMAR too short': (_broken_table('DMAR', lambda d: machines.acpi_table('DMAR', bytes(4))),
                       ['DMAR: 40 bytes are too short for a DMAR table']),
    'iomem garbage': (_replace(iomem='00000000-00000fff : Reserved\nnonsense\n'),
                      ['proc/iomem: line 2 is not "START-END : NAME"']),
    'iomem read as a user': (_replace(iomem='00000000-00000000 : Reserved\n'
                                            '00000000-00000000 : System RAM\n'),
                             ['every address is zero: it was read without root']),
    'no CPU': (_replace(cpus=[]), ['proc/cpuinfo: lists no processor']),
    'CPU the MADT lacks': (_replace(cpus=[0, 2, 5]), ['CPU 2 has APIC ID 5']),
    'no RAM for the reservation': (_replace(iomem=machines.LAPTOP_IOMEM
                                            .replace('40400000-8fffffff', '40400000-40ffffff')
                                            .replace('100000000-16fffffff', '100000000-100ffffff')
                                            .replace('00100000-3fffffff', '00100000-00ffffff')),
                                   ['no System RAM range holds']),
}


@pytest.mark.parametrize('change, words', BROKEN.values(), ids=BROKEN.keys())
def test_broken_machine_is_one_line(tmp_path, change, words):
    base = machines.laptop() if 'RAM' in words[0] else machines.server()
    archive = archive_of(change(base), tmp_path)
    output = tmp_path / 'out.dts'
    one_line_error(run('create', '--from', archive, '-o', output), str(archive), *words)
    assert not output.exists()


def test_too_many_cpus(tmp_path):
    description = machines.server()
    apic_ids = list(range(65))
    description = dataclasses.replace(description, cpus=apic_ids, tables={
        **description.tables,
        'APIC': machines.madt(0xfee00000, [(a, 1) for a in apic_ids], machines.SERVER_IOAPICS)})
    archive = archive_of(description, tmp_path)
    one_line_error(run('create', '--from', archive, '-o', tmp_path / 'o.dts'),
                   'Linux runs 65 CPUs', 'boot Linux with nr_cpus=64')


def _tar(path, members):
    with tarfile.open(path, 'w:gz') as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize('make, words', [
    (lambda p: p / 'none.tar.gz', ['cannot read: no such file']),
    (lambda p: p, ['is a directory']),
    (lambda p: (p / 'x.tar.gz').write_text('hello') and p / 'x.tar.gz',
     ['not a readable archive']),
    (lambda p: (p / 'x.tar.gz').write_bytes(BOCHS_ARCHIVE.read_bytes()[:1500]) and p / 'x.tar.gz',
     ['not a readable archive']),
    (lambda p: _tar(p / 'x.tar.gz', {'bulkhead-machine/proc/iomem': b''}),
     ['this is not an archive made by "bulkhead-config collect"']),
    (lambda p: _tar(p / 'x.tar.gz', {'bulkhead-machine/collect.json': b'{"format": 2}'}),
     ['archive format 2 is not 1']),
    (lambda p: _tar(p / 'x.tar.gz', {'bulkhead-machine/collect.json': b'[1'}),
     ['collect.json: not a collect manifest']),
])
def test_unusable_archive_is_one_line(tmp_path, make, words):
    one_line_error(run('create', '--from', make(tmp_path), '-o', tmp_path / 'o.dts'), *words)


def test_collect_to_an_unwritable_place_is_one_line(tmp_path):
    root = machines.write_root(machines.laptop(), tmp_path / 'root')
    one_line_error(run('collect', '-o', tmp_path / 'no' / 'such' / 'dir.tar.gz', root=root),
                   'cannot write')


def test_create_live_without_tables_names_the_table(tmp_path):
    root = machines.write_root(dataclasses.replace(machines.laptop(), tables={}), tmp_path)
    one_line_error(run('create', '-o', tmp_path / 'o.dts', root=root),
                   f'{tmp_path}/sys/firmware/acpi/tables/APIC', 'the ACPI APIC table is missing')


@pytest.mark.parametrize('args', [
    ('create', '--hypervisor-size', '1M+'),
    ('create', '--cell-memory', '100'),
    ('collect', 'extra'),
])
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1


def _with_checksum(data):
    fixed = bytearray(data)
    fixed[9] = 0
    fixed[9] = -sum(fixed) & 0xff
    return bytes(fixed)


@pytest.mark.parametrize('signature, expected', [
    ('APIC', {'config', 'refused'}), ('FACP', {'config', 'refused'}),
    ('MCFG', {'config', 'refused'}), ('HPET', {'config'}), ('DMAR', {'config', 'refused'})])
def test_any_byte_of_a_table_gives_a_config_or_one_error(tmp_path, signature, expected):
    """Bytes after the header set to 0x00 and to 0xff, one at a time (the
    checksum kept valid): create writes a config or refuses with one line,
    nothing else.  The MADT's 64 CPU entries are alike; its first 200 bytes
    and its last 60 stand for all."""
    from bulkhead_config import create as creator
    from bulkhead_config.errors import ConfigError
    description = machines.server()
    root = machines.write_root(description, tmp_path / 'root')
    table = root / 'sys' / 'firmware' / 'acpi' / 'tables' / signature
    original = description.tables[signature]
    offsets = sorted(set(range(36, min(len(original), 236))) |
                     set(range(max(36, len(original) - 60), len(original))))
    outcomes = set()
    for offset in offsets:
        for value in (0x00, 0xff):
            changed = bytearray(original)
            changed[offset] = value
            table.write_bytes(_with_checksum(changed))
            try:
                creator.create(machine.LiveSource(str(root)), creator.Options())
                outcomes.add('config')
            except ConfigError as error:
                assert '\n' not in str(error)
                outcomes.add('refused')
    assert outcomes == expected


@pytest.mark.parametrize('args', [('collect', '-o', '/tmp/never.tar.gz'),
                                  ('create', '-o', '/tmp/never.dts')])
def test_collect_and_live_create_want_root(args):
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        pytest.skip('needs root and setpriv to run the tool as another user')
    # A copy user nobody can read: the checkout may sit in a 0700 folder.
    copy = tempfile.mkdtemp(prefix='bulkhead-config-')
    try:
        os.chmod(copy, 0o755)
        tool = os.path.join(copy, 'bulkhead-config')
        shutil.copy(TOOL, tool)
        shutil.copytree(os.path.join(os.path.dirname(TOOL), 'bulkhead_config'),
                        os.path.join(copy, 'bulkhead_config'),
                        ignore=shutil.ignore_patterns('__pycache__'))
        result = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534',
                                 '--clear-groups', '/usr/bin/python3', tool, *args],
                                capture_output=True, text=True,
                                env={'PATH': '/usr/bin:/bin', 'PYTHONDONTWRITEBYTECODE': '1'})
    finally:
        shutil.rmtree(copy)
    one_line_error(result, 'readable by root only')
    assert not os.path.exists(args[-1])
