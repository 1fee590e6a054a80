# SPDX-License-Identifier: GPL-2.0
"""Host tests of bulkhead-config check and of the rules build applies to cell configs.

Every rule has a small .dts fixture here.  Configs that the .dts reader
accepts but the rules reject are also encoded and handed to the hypervisor's
own checker (common/config.c), which must reject them too; every fixture
is also created, cell by cell, by the hypervisor's cell creation
(hypervisor/cell.c), which must refuse exactly the cells the rules reject,
but for the rules named as the checker's only.
"""

import json
import shutil
import struct
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'bulkhead-config'
CONFIGS = ROOT / 'configs' / 'x86'

sys.path.insert(0, str(ROOT / 'tools'))

from bulkhead_config import abi, cli, dts, layout, rules  # noqa: E402
from bulkhead_config.errors import ConfigError  # noqa: E402
from bulkhead_config.findings import Report  # noqa: E402

ROOT_PINS = ' '.join(str(pin) for pin in range(24))

SYSTEM = f'''/dts-v1/;
/ {{
	compatible = "bulkhead,system";
	hypervisor {{
		phys-start = <0x1c000000>;
		size = <0x600000>;
	}};
	debug-console {{
		type = "8250";
		address = <0x2f8>;
		size = <8>;
		divider = <1>;
	}};
	platform {{
		pci-mmconfig-base = <0xe0000000>;
		pm-timer-address = <0xb008>;
		acpi-tables {{
			phys-start = <0x1fff0000>;
			size = <0x10000>;
		}};
	}};
	root-cell {{
		name = "root";
		cpus = <0 1 2 3>;
		pio-regions = <0x0 0x2f8 0x300 0xcd00>;
		memory@0 {{
			phys-start = <0x0>;
			size = <0x1c000000>;
			flags = "read", "write", "execute", "dma";
		}};
		memory@1c600000 {{
			phys-start = <0x1c600000>;
			size = <0x3a00000>;
			flags = "read", "write";
		}};
		memory@fe000000 {{
			phys-start = <0xfe000000>;
			size = <0x2000000>;
			flags = "read", "write", "io";
		}};
		ioapic@fec00000 {{
			address = <0xfec00000>;
			pins = <{ROOT_PINS}>;
		}};
	}};
}};
'''

COMM_REGION = '''
		memory@100000 {
			virt-start = <0x100000>;
			size = <0x1000>;
			flags = "read", "write", "comm-region";
		};'''


def cell(name='a', cpus='1', ram=0x1c600000, pio='0x3f8 8', extra='',
         comm=COMM_REGION, ram_flags='"read", "write", "execute", "loadable"'):
    """A cell config with 1 MiB of RAM at guest 0 and a comm region, plus extra nodes."""
    return f'''/dts-v1/;
/ {{
	compatible = "bulkhead,cell";
	cell {{
		name = "{name}";
		cpus = <{cpus}>;
		reset-address = <0xfff0>;
		pio-regions = <{pio}>;
		memory@0 {{
			phys-start = <{ram:#x}>;
			virt-start = <0x0>;
			size = <0x100000>;
			flags = {ram_flags};
		}};{comm}
{extra}
	}};
}};
'''


def memory(virt, phys, size=0x1000, flags='"read", "write"'):
    return f'''		memory@{virt:x} {{
			phys-start = /bits/ 64 <{phys:#x}>;
			virt-start = /bits/ 64 <{virt:#x}>;
			size = <{size:#x}>;
			flags = {flags};
		}};'''


def ioapic(address=0xfec00000, pins='4'):
    return f'''		ioapic@{address:x} {{
			address = <{address:#x}>;
			pins = <{pins}>;
		}};'''


def pci(bdf=(0, 3, 0), bars=''):
    return f'''		pci@{bdf[0]:x},{bdf[1]:x},{bdf[2]:x} {{
			bdf = <{bdf[0]} {bdf[1]} {bdf[2]}>;
{bars}
		}};'''


def bar(index, address, size):
    return f'''			bar@{index} {{
				address = <{address:#x}>;
				size = <{size:#x}>;
			}};'''


def console(address=0x3f8):
    return f'''		console {{
			type = "8250";
			address = <{address:#x}>;
			size = <8>;
			divider = <1>;
		}};'''


def write_configs(tmp_path, system, cells):
    paths = [tmp_path / 'system.dts']
    paths[0].write_text(system)
    for index, text in enumerate(cells):
        paths.append(tmp_path / f'cell{index}.dts')
        paths[-1].write_text(text)
    return paths


def run_check(tmp_path, capsys, cells, system=SYSTEM):
    """Exit code and JSON output of check --json on system and cells."""
    paths = write_configs(tmp_path, system, cells)
    code = cli.main(['check', '--json', *map(str, paths)])
    output = capsys.readouterr()
    assert output.err == ''
    return code, json.loads(output.out)


def kinds(result):
    return [finding['kind'] for finding in result['findings']]


def only(result, kind):
    found = [finding for finding in result['findings'] if finding['kind'] == kind]
    assert len(found) == 1, result['findings']
    return found[0]


def run_tool(*args):
    return subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True)


# The shipped examples.

@pytest.mark.parametrize('system, cell_name', [
    ('bochs-system', 'tiny-demo'),
    ('bochs-system', 'ipc-demo'),
    ('bochs-system-3cpu', 'smp-demo'),
    ('bochs-system-3cpu', 'tiny-demo'),
    ('bochs-system-3cpu', 'ipc-demo'),
])
def test_examples_pass_with_their_system(system, cell_name):
    result = run_tool('check', '--json', CONFIGS / f'{system}.dts',
                      CONFIGS / f'{cell_name}.dts')
    assert result.returncode == 0, result.stdout
    assert kinds(json.loads(result.stdout)) == []


def test_smp_demo_needs_the_3_cpu_machine():
    result = run_tool('check', CONFIGS / 'bochs-system.dts', CONFIGS / 'smp-demo.dts')
    assert result.returncode == 1
    assert 'error[cpu-not-in-root]' in result.stdout
    assert 'CPU 2 of cell "smp-demo" is not in the root cell' in result.stdout


def test_demos_do_not_run_together():
    result = run_tool('check', '--json', CONFIGS / 'bochs-system-3cpu.dts',
                      *(CONFIGS / f'{name}.dts' for name in ('tiny-demo', 'smp-demo')))
    assert result.returncode == 1
    assert sorted(set(kinds(json.loads(result.stdout)))) == [
        'cpu-conflict', 'pio-conflict']


def test_tiny_demo_carves_what_the_brief_says():
    config = dts.read(str(CONFIGS / 'tiny-demo.dts'))
    ram, comm = config.cell.memory_regions
    assert config.cell.cpus == [1]
    assert (ram.phys_start, ram.virt_start, ram.size) == (0x1c600000, 0, 0x100000)
    assert ram.flags & abi.MEM_LOADABLE
    assert (comm.virt_start, comm.flags & abi.MEM_COMM_REGION) == (0x100000,
                                                                   abi.MEM_COMM_REGION)
    assert (config.cell.pio_regions[0].base, config.cell.pio_regions[0].length) == (0x2f8, 8)
    assert config.cell.console.address == 0x2f8


def test_ipc_demo_shares_a_region_with_the_root_cell():
    config = dts.read(str(CONFIGS / 'ipc-demo.dts'))
    shared = [region for region in config.cell.memory_regions
              if region.flags & abi.MEM_ROOT_SHARED]
    assert len(shared) == 1 and shared[0].phys_start == 0x1c900000


def test_fixture_system_and_cell_pass(tmp_path, capsys):
    code, result = run_check(tmp_path, capsys, [cell()])
    assert (code, result['findings'], result['errors']) == (0, [], 0)


# One case per rule: (cells, kind, severity, words in the message).

RULE_CASES = [
    ('memory overlap inside a cell',
     [cell(extra=memory(0x200000, 0x1c680000, 0x100000))], 'memory-overlap', 'error',
     ['physical range 0x1c680000-0x1c77ffff overlaps', 'cell0.dts:/cell/memory@0',
      '(0x1c600000-0x1c6fffff)']),
    ('guest overlap inside a cell',
     [cell(extra=memory(0xff000, 0x1c700000))], 'memory-overlap', 'error',
     ['guest range 0xff000-0xfffff overlaps', 'cell0.dts:/cell/memory@0']),
    ('port overlap inside a cell', [cell(pio='0x3f8 8 0x3fc 8')], 'pio-overlap', 'error',
     ['port range 0x3fc-0x403 overlaps', 'cell0.dts:/cell pio-regions[0] (0x3f8-0x3ff)']),
    ('hypervisor memory', [cell(ram=0x1c100000)], 'hypervisor-overlap', 'error',
     ['physical range 0x1c100000-0x1c1fffff overlaps hypervisor memory',
      'system.dts:/hypervisor (0x1c000000-0x1c5fffff)']),
    ('ACPI tables', [cell(extra=memory(0x200000, 0x1fff0000))], 'acpi-tables', 'error',
     ['0x1fff0000-0x1fff0fff overlaps the ACPI tables',
      'system.dts:/platform/acpi-tables']),
    ('memory beyond the root cell', [cell(ram=0x20000000)], 'memory-outside-root',
     'error', ['physical 0x20000000-0x200fffff of 0x20000000-0x200fffff is not memory '
               'of the root cell', 'system.dts:/root-cell']),
    ('memory partly beyond the root cell',
     [cell(extra=memory(0x200000, 0xfdf00000, 0x200000, '"read", "write", "io"'))],
     'memory-outside-root', 'error', ['physical 0xfdf00000-0xfdffffff of '
                                      '0xfdf00000-0xfe0fffff']),
    ('local APIC page', [cell(extra=memory(0x200000, 0xfee00000, flags='"read", "io"'))],
     'platform-window', 'error', ['physical 0xfee00000-0xfee00fff overlaps the local '
                                  'APIC page (0xfee00000-0xfee00fff)']),
    ('IOAPIC page', [cell(extra=memory(0x200000, 0xfec00000, flags='"read", "io"'))],
     'platform-window', 'error', ['overlaps the IOAPIC page (0xfec00000-0xfec00fff)']),
    ('local APIC page in guest addresses', [cell(extra=memory(0xfee00000, 0x1c700000))],
     'platform-window', 'error', ['guest 0xfee00000-0xfee00fff overlaps the local APIC']),
    ('MMCONFIG window',
     [cell(extra=memory(0x200000, 0xe0100000, flags='"read", "write", "io"'))],
     'platform-window', 'error', ['physical 0xe0100000-0xe0100fff overlaps the PCI '
                                  'MMCONFIG window', '(0xe0000000-0xefffffff)']),
    ('4 KiB alignment', [cell(extra=memory(0x200000, 0x1c700800))], 'alignment', 'error',
     ['phys-start 0x1c700800 is not 4 KiB aligned']),
    ('missing comm region', [cell(comm='')], 'comm-region-missing', 'error',
     ['cell "a" has no comm region']),
    ('cell without CPUs', [cell(cpus='')], 'cpus', 'error', ['cpus lists no CPU']),
    ('CPU 0 given away', [cell(cpus='0 1')], 'cpu0', 'error',
     ['CPU 0 cannot leave the root cell']),
    ('CPU not in the root cell', [cell(cpus='5')], 'cpu-not-in-root', 'error',
     ['CPU 5 of cell "a" is not in the root cell', 'CPU 0, 1, 2, 3']),
    ('CPU in two cells', [cell(), cell('b', '1 2', 0x1c700000, '0x3e8 8')],
     'cpu-conflict', 'error', ['cell1.dts:/cell: CPU 1 of cell "b" is also in cell "a" '
                               '(', 'cell0.dts:/cell)']),
    ('memory in two cells', [cell(), cell('b', '2', 0x1c600000, '0x3e8 8')],
     'memory-conflict', 'error', ['physical 0x1c600000-0x1c6fffff is also memory of '
                                  'cell "a"', 'cell0.dts:/cell/memory@0']),
    ('memory root-shared by one cell only',
     [cell(extra=memory(0x200000, 0x1c800000, flags='"read", "write", "root-shared"')),
      cell('b', '2', 0x1c700000, '0x3e8 8', memory(0x200000, 0x1c800000))],
     'memory-conflict', 'error', ['physical 0x1c800000-0x1c800fff is also memory of '
                                  'cell "a"']),
    ('ports in two cells', [cell(), cell('b', '2', 0x1c700000)], 'pio-conflict', 'error',
     ['ports 0x3f8-0x3ff are also cell "a"\'s', 'cell0.dts:/cell pio-regions[0]']),
    ('IOAPIC pin in two cells', [cell(extra=ioapic(pins='4 5')),
                                 cell('b', '2', 0x1c700000, '0x3e8 8', ioapic(pins='5'))],
     'pin-conflict', 'error', ['pin 5 of IOAPIC 0xfec00000 is also cell "a"\'s']),
    ('IOAPIC pin the root cell lacks', [cell(extra=ioapic(pins='4 30'))],
     'pin-outside-root', 'error', ['pin 30 of IOAPIC 0xfec00000 is not the root cell\'s']),
    ('IOAPIC the root cell lacks', [cell(extra=ioapic(0xfec01000, '1'))],
     'pin-outside-root', 'error', ['pin 1 of IOAPIC 0xfec01000 is not the root cell\'s']),
    ('PCI device in two cells', [cell(extra=pci()),
                                 cell('b', '2', 0x1c700000, '0x3e8 8', pci())],
     'pci-conflict', 'error', ['PCI device 0000:00:03.0 is also cell "a"\'s']),
    ('PCI configuration ports', [cell(pio='0xcf8 8')], 'platform-ports', 'error',
     ['cell0.dts:/cell pio-regions[0]: ports 0xcf8-0xcff overlap the PCI configuration '
      'and reset ports 0xcf8-0xcff']),
    ('PM timer ports', [cell(pio='0xb00a 4')], 'pm-timer-port', 'error',
     ['cell0.dts:/cell pio-regions[0]: ports 0xb00a-0xb00b overlap the ACPI PM timer '
      '0xb008-0xb00b (pm-timer-address of ']),
    ('ports the root cell lacks', [cell(pio='0xcff8 0x10')], 'pio-outside-root', 'error',
     ['ports 0xd000-0xd007 are not the root cell\'s']),
    ('debug console ports', [cell(pio='0x2f8 8')], 'debug-console-shared', 'warning',
     ['ports 0x2f8-0x2ff are the hypervisor\'s debug console',
      'system.dts:/debug-console, ports 0x2f8-0x2ff']),
    ('same name twice', [cell(), cell('a', '2', 0x1c700000, '0x3e8 8')], 'name-conflict',
     'error', ['cell name "a" is also the name of', 'cell0.dts:/cell']),
    ('the root cell\'s name', [cell('root')], 'name-conflict', 'error',
     ['cell name "root" is also the name of', 'system.dts:/root-cell']),
    ('DMA without an IOMMU',
     [cell(ram_flags='"read", "write", "execute", "loadable", "dma"')],
     'dma-without-iommu', 'warning', ['cell "a" gets DMA-capable memory',
                                      'cell0.dts:/cell/memory@0 (0x1c600000-0x1c6fffff)']),
    ('PCI device without an IOMMU', [cell(extra=pci())], 'dma-without-iommu', 'warning',
     ['cell0.dts:/cell/pci@0,3,0']),
    ('console out of reach', [cell(extra=console(0x3e8))], 'console-unreachable',
     'warning', ['console 0x3e8-0x3ef is not in the cell\'s pio-regions']),
    ('shutdown timeout over the maximum',
     [cell().replace('reset-address = <0xfff0>;',
                     'reset-address = <0xfff0>; shutdown-timeout-ms = <10001>;')],
     'shutdown-timeout', 'error', ['shutdown-timeout-ms 10001 is more than 10000']),
    ('reset address outside executable memory',
     [cell().replace('<0xfff0>', '<0x100000>')], 'reset-address', 'error',
     ['reset-address 0x100000 is not in an executable memory region']),
    ('IOAPIC without pins', [cell(extra=ioapic(pins=''))], 'ioapic', 'error',
     ['the IOAPIC node lists no pins']),
    ('PCI BAR outside io memory', [cell(extra=pci(bars=bar(0, 0xfebf0000, 0x1000)))],
     'pci-bar', 'error', ['BAR 0xfebf0000-0xfebf0fff is not inside one memory region']),
    ('PCI BAR size', [cell(extra=pci(bars=bar(1, 0xfebf0000, 0x1800)))], 'pci-bar',
     'error', ['BAR size 0x1800 is not a power of two']),
]


@pytest.mark.parametrize('cells, kind, severity, words', [case[1:] for case in RULE_CASES],
                         ids=[case[0] for case in RULE_CASES])
def test_rule(tmp_path, capsys, cells, kind, severity, words):
    code, result = run_check(tmp_path, capsys, cells)
    finding = only(result, kind)
    assert finding['severity'] == severity
    for word in words:
        assert word in finding['message'], finding['message']
    assert '\n' not in finding['message'] + finding['fix']
    assert finding['fix']
    assert code == (1 if result['errors'] else 0)
    assert result['errors'] == sum(item['severity'] == 'error'
                                   for item in result['findings'])


CROSS_CELL_KINDS = ('cpu-conflict', 'memory-conflict', 'pio-conflict', 'pin-conflict',
                    'pci-conflict')


@pytest.mark.parametrize('case', [case for case in RULE_CASES
                                  if case[2] in CROSS_CELL_KINDS], ids=lambda case: case[0])
def test_conflicts_name_both_objects(tmp_path, capsys, case):
    _, result = run_check(tmp_path, capsys, case[1])
    finding = only(result, case[2])
    assert [Path(item.partition(':')[0]).name for item in finding['objects']] == \
        ['cell1.dts', 'cell0.dts']
    for item in finding['objects']:
        assert item in finding['message']


# The system's ACPI ports that control the machine, beside its PM timer at 0xb008.
ACPI_PORTS_SYSTEM = SYSTEM.replace('pm-timer-address = <0xb008>;',
                                   'pm-timer-address = <0xb008>; smi-command-port = <0xb2>; '
                                   'pm1a-control-port = <0xb004>; '
                                   'pm1b-control-port = <0xb104>;')

PLATFORM_PORT_CASES = [
    ('0xcf9 1', 'ports 0xcf9-0xcf9 overlap the PCI configuration and reset ports 0xcf8-0xcff'),
    ('0xcfc 4', 'ports 0xcfc-0xcff overlap the PCI configuration and reset ports'),
    ('0x60 1', 'ports 0x60-0x60 overlap the keyboard controller port 0x60-0x60'),
    ('0x64 1', 'ports 0x64-0x64 overlap the keyboard controller port 0x64-0x64'),
    ('0x10 0x20', 'ports 0x20-0x21 overlap the interrupt controller (PIC) ports 0x20-0x21'),
    ('0xa1 1', 'ports 0xa1-0xa1 overlap the interrupt controller (PIC) ports 0xa0-0xa1'),
    ('0x4d0 2', 'ports 0x4d0-0x4d1 overlap the PIC edge/level control ports'),
    ('0x40 4', 'ports 0x40-0x43 overlap the timer (PIT) ports 0x40-0x43'),
    ('0x61 1', 'ports 0x61-0x61 overlap the NMI status and control port'),
    ('0x71 1', 'ports 0x71-0x71 overlap the RTC/CMOS and NMI mask ports 0x70-0x71'),
    ('0x92 1', 'ports 0x92-0x92 overlap the fast A20 and reset port'),
    ('0xb2 1', 'ports 0xb2-0xb2 overlap the ACPI SMI command port 0xb2-0xb2 '
     '(smi-command-port of '),
    ('0xb000 8', 'ports 0xb004-0xb005 overlap the ACPI PM1a control ports 0xb004-0xb005 '
     '(pm1a-control-port of '),
    ('0xb105 1', 'ports 0xb105-0xb105 overlap the ACPI PM1b control ports 0xb104-0xb105'),
]


@pytest.mark.parametrize('pio, words', PLATFORM_PORT_CASES,
                         ids=[case[0] for case in PLATFORM_PORT_CASES])
def test_platform_ports_stay_with_the_root_cell(tmp_path, capsys, pio, words):
    code, result = run_check(tmp_path, capsys, [cell(pio=pio)], ACPI_PORTS_SYSTEM)
    finding = only(result, 'platform-ports')
    assert code == 1 and result['errors'] == 1
    assert words in finding['message'], finding['message']
    assert finding['fix'] == ('leave them out: they control the whole machine and stay '
                              'with the root cell')
    if 'ACPI' in words:
        assert finding['objects'][1].endswith('system.dts:/platform')


@pytest.mark.parametrize('pio', ['0x62 2', '0x65 0xb', '0x72 0x20', '0xcf0 8', '0xd00 0x100',
                                 '0xb006 2', '0xb00c 4', '0xb3 1', '0xb106 2'])
def test_ports_beside_the_platform_ports_are_fine(tmp_path, capsys, pio):
    code, result = run_check(tmp_path, capsys, [cell(pio=pio)], ACPI_PORTS_SYSTEM)
    assert (code, result['findings']) == (0, [])


def test_acpi_ports_come_from_the_system_config(tmp_path, capsys):
    code, result = run_check(tmp_path, capsys, [cell(pio='0xb0 0x10 0xb000 8')])
    assert (code, result['findings']) == (0, [])


def test_the_root_cell_keeps_the_platform_ports(tmp_path, capsys):
    code, result = run_check(tmp_path, capsys, [], ACPI_PORTS_SYSTEM)
    assert (code, result['findings']) == (0, [])


def test_memory_root_shared_by_both_cells_is_shared(tmp_path, capsys):
    shared = memory(0x200000, 0x1c800000, flags='"read", "write", "root-shared"')
    code, result = run_check(tmp_path, capsys, [
        cell(extra=shared), cell('b', '2', 0x1c700000, '0x3e8 8', shared)])
    assert (code, result['findings']) == (0, [])


def test_comm_regions_never_conflict(tmp_path, capsys):
    code, result = run_check(tmp_path, capsys, [cell(), cell('b', '2', 0x1c700000,
                                                             '0x3e8 8')])
    assert (code, result['findings']) == (0, [])


def test_one_finding_per_problem(tmp_path, capsys):
    code, result = run_check(tmp_path, capsys, [cell(cpus='0 5', ram=0x1c100000)])
    assert code == 1
    assert sorted(kinds(result)) == ['cpu-not-in-root', 'cpu0', 'hypervisor-overlap']


def test_system_rules_apply_in_check(tmp_path, capsys):
    system = SYSTEM.replace('<0xe0000000>', '<0xe0080000>').replace('<0 1 2 3>', '<1 2>')
    code, result = run_check(tmp_path, capsys, [], system)
    assert code == 1
    assert sorted(kinds(result)) == ['cpu0', 'platform']


# Output, exit codes and unreadable input.

def test_json_shape(tmp_path, capsys):
    code, result = run_check(tmp_path, capsys, [cell(pio='0x2f8 8', cpus='7')])
    assert code == 1
    assert set(result) == {'findings', 'errors', 'warnings', 'configs'}
    assert (result['errors'], result['warnings']) == (1, 1)
    assert [Path(path).name for path in result['configs']] == ['system.dts', 'cell0.dts']
    for finding in result['findings']:
        assert set(finding) == {'kind', 'severity', 'objects', 'addresses', 'message',
                                'fix'}
        assert finding['severity'] in ('error', 'warning')
        assert all(isinstance(item, str) for item in finding['objects'])
        for address in finding['addresses']:
            assert set(address) == {'space', 'start', 'size'}
    error = only(result, 'cpu-not-in-root')
    assert error['addresses'] == [{'space': 'cpu', 'start': 7, 'size': 1}]
    warning = only(result, 'debug-console-shared')
    assert warning['addresses'] == [{'space': 'port', 'start': 0x2f8, 'size': 8}]


def test_pin_addresses_name_their_ioapic(tmp_path, capsys):
    _, result = run_check(tmp_path, capsys, [cell(extra=ioapic(pins='40'))])
    assert only(result, 'pin-outside-root')['addresses'] == [
        {'space': 'pin', 'start': 40, 'size': 1, 'ioapic': 0xfec00000}]


def test_text_output_and_exit_codes(tmp_path):
    paths = write_configs(tmp_path, SYSTEM, [cell(pio='0x2f8 8')])
    warned = run_tool('check', *paths)
    assert warned.returncode == 0
    lines = warned.stdout.splitlines()
    assert lines[0].startswith('warning[debug-console-shared]: ')
    assert lines[-1] == 'bulkhead-config check: 0 errors, 1 warning in 2 configs'
    paths = write_configs(tmp_path, SYSTEM, [cell(cpus='0 1')])
    failed = run_tool('check', *paths)
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[0].startswith(f'error[cpu0]: {paths[1]}:/cell: ')
    assert run_tool('check', paths[0]).returncode == 0


def test_check_reads_built_cell_files(tmp_path):
    sources = write_configs(tmp_path, SYSTEM, [cell(cpus='5')])
    built = [path.with_suffix('.cell') for path in sources]
    for source, output in zip(sources, built):
        assert run_tool('build', source, '-o', output).returncode == 0
    result = run_tool('check', *built)
    assert result.returncode == 1
    assert f'error[cpu-not-in-root]: {built[1]}:cell: CPU 5' in result.stdout


def assert_one_line_error(result, *words):
    assert result.returncode == 1
    assert result.stdout == ''
    assert result.stderr.count('\n') == 1
    assert result.stderr.startswith('bulkhead-config: ')
    for word in words:
        assert word in result.stderr


@pytest.mark.parametrize('json_flag', [[], ['--json']])
def test_missing_file_is_one_line(tmp_path, json_flag):
    paths = write_configs(tmp_path, SYSTEM, [])
    result = run_tool('check', *json_flag, paths[0], tmp_path / 'absent.dts')
    assert_one_line_error(result, 'absent.dts', 'cannot read')


def test_syntax_error_is_one_line(tmp_path):
    paths = write_configs(tmp_path, SYSTEM, [cell().replace('cpus = <1>;', 'cpus = <1>')])
    assert_one_line_error(run_tool('check', *paths), 'cell0.dts', 'dtc: ')


def test_truncated_cell_file_is_one_line(tmp_path):
    paths = write_configs(tmp_path, SYSTEM, [cell()])
    output = tmp_path / 'cell.cell'
    assert run_tool('build', paths[1], '-o', output).returncode == 0
    output.write_bytes(output.read_bytes()[:60])
    assert_one_line_error(run_tool('check', paths[0], output), 'cell.cell',
                          'the file is truncated')


def test_configs_in_the_wrong_place_are_one_line(tmp_path):
    paths = write_configs(tmp_path, SYSTEM, [cell()])
    assert_one_line_error(run_tool('check', paths[1]), 'this is a cell config, not a '
                          'system config')
    assert_one_line_error(run_tool('check', paths[0], paths[0]), 'this is a system '
                          'config, not a cell config')


def test_check_without_arguments_is_usage():
    result = run_tool('check')
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr.startswith('bulkhead-config: usage: ')


# What build applies to one config on its own.

BUILD_CASES = [
    (cell(comm=''), 'cell "a" has no comm region'),
    (cell(cpus='0 1'), 'CPU 0 cannot leave the root cell'),
    (cell(cpus='1 1'), 'CPU 1 is listed twice in cpus'),
    (cell().replace('<0xfff0>', '/bits/ 64 <0x100000000>'), 'above 4 GiB'),
    (cell(extra=ioapic(0xfec00400)), 'IOAPIC address 0xfec00400 is not a non-zero, 4 KiB aligned'),
    (cell(extra=ioapic(pins='4 256')), 'pin 256 is out of range 0..255'),
    (cell(extra=ioapic(pins='4 4')), 'pin 4 is listed twice'),
    (cell(extra=pci((0, 32, 0))), 'PCI device 0x20 is out of range 0..0x1f'),
    (cell(extra=pci().replace('pci@0,3,0', 'pci@3')), 'node name is not pci@0,3,0'),
    (cell(extra=pci(bars=bar(6, 0xfebf0000, 0x1000))), 'use bar@0 to bar@5'),
    (cell(extra=memory(0x200000, 0xfebf0000, 0x10000, '"read", "io"') +
          pci(bars=bar(0, 0xfebf0800, 0x1000))), 'is not aligned to its size 0x1000'),
    (cell(extra=pci(bars=bar(0, 0x1000, 0))), 'BAR has an address but size 0'),
    (SYSTEM.replace('<0xe0000000>', '<0xe0080000>'),
     'pci-mmconfig-base 0xe0080000 is not 1 MiB aligned'),
    (SYSTEM.replace('pm-timer-address', 'pci-mmconfig-end-bus = <0x100>; pm-timer-address'),
     'pci-mmconfig-end-bus 0x100 is not a bus number'),
    (SYSTEM.replace('<0xe0000000>', '<0>').replace(
        'pm-timer-address', 'pci-mmconfig-end-bus = <0x3f>; pm-timer-address'),
     'pci-mmconfig-end-bus without pci-mmconfig-base'),
    (SYSTEM.replace('size = <0x10000>', 'size = <0x10800>'),
     'size 0x10800 is not a multiple of 4 KiB'),
    (SYSTEM.replace('<0 1 2 3>', '<1 2 3>'), 'the root cell does not hold CPU 0'),
    (SYSTEM.replace('acpi-tables {', 'acpi-table {'), 'unknown node'),
    (SYSTEM.replace('pm-timer-address', 'smi-command-port = <0x10000>; pm-timer-address'),
     'smi-command-port 0x10000 is not an I/O port'),
    (SYSTEM.replace('pm-timer-address', 'pm1b-control-port = <0x1b004>; pm-timer-address'),
     'pm1b-control-port 0x1b004 is not an I/O port'),
]


def build(tmp_path, text):
    source = tmp_path / 'config.dts'
    source.write_text(text)
    return run_tool('build', source, '-o', tmp_path / 'out.cell')


@pytest.mark.parametrize('text, words', BUILD_CASES, ids=[case[1] for case in BUILD_CASES])
def test_build_applies_single_config_rules(tmp_path, text, words):
    result = build(tmp_path, text)
    assert result.returncode == 1
    assert result.stderr.count('\n') == 1
    assert words in result.stderr
    assert not (tmp_path / 'out.cell').exists()


def test_build_prints_warnings_and_writes_the_file(tmp_path):
    mmio_console = console(0x3f8).replace('size = <8>;', 'size = <8>; flags = "mmio";')
    result = build(tmp_path, cell(extra=mmio_console))
    assert result.returncode == 0
    assert (tmp_path / 'out.cell').exists()
    assert result.stderr.count('\n') == 1
    assert 'warning[console-unreachable]: /cell/console: console 0x3f8-0x3ff is not in ' \
        'the cell\'s io memory regions' in result.stderr


# The hypervisor's checker rejects what the rules reject.

CHECKER_C = r'''
#include <stdio.h>
#include <string.h>
#include <bulkhead-hv/config.h>

static unsigned long long buffer[BULKHEAD_CONFIG_MAX_SIZE / 8];

/* checker KIND FILE: prints "ok" or the problem. */
int main(int argc, char **argv)
{
	struct config_view view;
	const char *problem;
	FILE *file;
	size_t size;

	if (argc != 3 || !(file = fopen(argv[2], "rb")))
		return 2;
	size = fread(buffer, 1, sizeof(buffer), file);
	fclose(file);
	if (config_parse(buffer, size, strcmp(argv[1], "system") ? 2 : 1, &view, &problem)) {
		printf("%s\n", problem);
		return 1;
	}
	printf("ok\n");
	return 0;
}
'''

STRICT_CFLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-Wmissing-prototypes',
                 '-Wstrict-prototypes', '-Wshadow', '-Wundef']


def compile_harness(tmp_path_factory, name, text, *sources):
    """A host program of text and sources, with the hypervisor's warnings and headers."""
    if shutil.which('gcc') is None:
        pytest.skip('needs gcc')
    directory = tmp_path_factory.mktemp(name)
    source = directory / f'{name}.c'
    source.write_text(text)
    program = directory / name
    includes = ['include', 'hypervisor/include', 'hypervisor/arch/x86/include', 'tests/unit']
    subprocess.run(['gcc', *STRICT_CFLAGS, *[f'-I{ROOT / path}' for path in includes],
                    '-o', program, source, *[ROOT / path for path in sources]], check=True)
    return program


@pytest.fixture(name='checker', scope='module')
def fixture_checker(tmp_path_factory):
    program = compile_harness(tmp_path_factory, 'checker', CHECKER_C, 'common/config.c')

    def run(config, path):
        path.write_bytes(layout.encode(config))
        kind = abi.KIND_NAMES[config.kind]
        return subprocess.run([program, kind, path], capture_output=True, text=True)
    return run


def _single_config_fixtures():
    """Every .dts fixture (here and in test_config.py) the rules reject alone."""
    import test_config  # noqa: PLC0415 (the sibling test module)
    texts = [text for text, _ in BUILD_CASES]
    texts += [case[1][0] for case in RULE_CASES if len(case[1]) == 1 and
              case[2] in ('memory-overlap', 'pio-overlap', 'alignment', 'cpus', 'cpu0',
                          'comm-region-missing', 'reset-address', 'ioapic', 'pci-bar',
                          'shutdown-timeout')]
    texts += [test_config.variant(*case[:3]) for case in test_config.RULE_CASES]
    return texts


@pytest.mark.parametrize('text', _single_config_fixtures())
def test_hypervisor_checker_rejects_what_the_rules_reject(tmp_path, checker, text):
    source = tmp_path / 'config.dts'
    source.write_text(text)
    try:
        config = dts.read(str(source))
    except ConfigError:
        pytest.skip('not expressible past the .dts reader')
    report = rules.check_config(config, Report())
    if not report.count('error'):
        pytest.skip('a warning only')
    try:
        result = checker(config, tmp_path / 'config.cell')
    except struct.error:
        pytest.skip('not expressible in the binary format')
    assert result.returncode == 1, (report.findings[0].line(), result.stdout)
    assert result.stdout.count('\n') == 1


@pytest.mark.parametrize('source', sorted(CONFIGS.glob('*.dts')), ids=lambda path: path.name)
def test_hypervisor_checker_accepts_the_shipped_configs(tmp_path, checker, source):
    result = checker(dts.read(str(source)), tmp_path / 'config.cell')
    assert (result.returncode, result.stdout) == (0, 'ok\n')


# The hypervisor's cell creation refuses what the rules across configs reject.

CELL_HARNESS_C = r"""
#include <stdio.h>
#include "cell-stubs.h"

static uint64_t file_data[BULKHEAD_CONFIG_MAX_SIZE / 8];

static size_t read_config(const char *path)
{
	FILE *file = fopen(path, "rb");
	size_t size;

	if (!file)
		return 0;
	size = fread(file_data, 1, sizeof(file_data), file);
	fclose(file);
	return size;
}

/*
 * cells SYSTEM CELL...: SYSTEM becomes the root cell, then each CELL is
 * checked (check only) and created from CPU 0, in order, by
 * hypervisor/cell.c.  One line per cell: "created ID" or "refused ERRNO:
 * FAILURE"; exit 3 if the check and the create disagree.
 */
int main(int argc, char **argv)
{
	static char checked[BULKHEAD_CPU_FAILURE_SIZE];
	const char *problem = NULL;
	int64_t check, result;
	size_t size;
	int i;

	image_header.max_cpus = TEST_MAX_CPUS;
	size = argc < 2 ? 0 : read_config(argv[1]);
	if (test_reset(file_data, size, &problem)) {
		printf("root cell refused: %s\n", problem ? problem : "no file");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		size = read_config(argv[i]);
		check = test_create(file_data, size, BULKHEAD_CELL_CREATE_CHECK_ONLY);
		snprintf(checked, sizeof(checked), "%s", test_failure());
		result = test_create(file_data, size, 0);
		if ((check < 0 ? check : 0) != (result < 0 ? result : 0) ||
		    strcmp(checked, test_failure())) {
			printf("check only %lld \"%s\", create %lld \"%s\"\n", (long long)check,
			       checked, (long long)result, test_failure());
			return 3;
		}
		if (result < 0)
			printf("refused %lld: %s\n", (long long)-result, test_failure());
		else
			printf("created %lld\n", (long long)result);
	}
	return 0;
}
"""

# Rules only bulkhead-config check applies; the hypervisor creates such cells.
CHECKER_ONLY = {
    'pci-conflict': 'PCI devices are parsed, stored and checked alone, not assigned yet',
}
# A name like the root cell's: the hypervisor compares names of non-root cells
# only, which are all the driver lists and the CLI finds.
ROOT_NAME = 'name-conflict'

# Where the hypervisor refuses what the rules only warn about.
HYPERVISOR_STRICTER = {
    'debug console ports': ('the rules lend a cell the debug console\'s ports with a warning; '
                            'the hypervisor gives only ports the root cell has (destroy hands '
                            'a cell\'s ports to the root cell)',
                            "ports 0x2f8-0x2ff are not the root cell's"),
}

# Words (regexes) of the hypervisor's refusal for each error it enforces across configs;
# the rules of one config come back as config_parse()'s problem.
REFUSAL_WORDS = {
    'cpu-not-in-root': ("not the root cell's", 'not in the system'),
    'cpu-conflict': (r'CPU \d+ belongs to cell "',),
    'hypervisor-overlap': ('overlaps hypervisor memory',),
    'memory-outside-root': ('is not inside one memory region of the root cell',),
    'memory-conflict': (r'memory 0x[0-9a-f]+-0x[0-9a-f]+ belongs to cell "',),
    'pio-outside-root': ("are not the root cell's",),
    'pio-conflict': (r'ports 0x[0-9a-f]+-0x[0-9a-f]+ belong to cell "',),
    'name-conflict': ('exists',),
    'acpi-tables': ('overlaps the ACPI tables',),
    'platform-ports': (r'ports 0x[0-9a-f]+-0x[0-9a-f]+ overlap the .* ports? 0x',),
    'pm-timer-port': ('overlap the ACPI PM timer',),
    'platform-window': ('overlaps the local APIC page', 'overlaps the IOAPIC page',
                        'overlaps the PCI MMCONFIG window'),
    'pin-outside-root': ("is not the root cell's; use pins",),
    'pin-conflict': (r'pin \d+ belongs to cell "',),
    # One config's rules, as config_parse() words them.
    'alignment': ('is not page aligned',),
    'comm-region-missing': ('has no comm region',),
    'cpu0': ('CPU 0 cannot leave the root cell',),
    'cpus': ('the cell has no CPU',),
    'ioapic': ('IOAPIC',),
    'memory-overlap': ('two memory regions of a cell overlap',),
    'pci-bar': ('PCI BAR',),
    'pio-overlap': ('two I/O port regions of a cell overlap',),
    'reset-address': ('reset-address',),
    'shutdown-timeout': ('the shutdown timeout is more than 10000 ms',),
}


@pytest.fixture(name='cell_harness', scope='module')
def fixture_cell_harness(tmp_path_factory):
    program = compile_harness(tmp_path_factory, 'cells', CELL_HARNESS_C,
                                 'common/config.c', 'common/x86/paging.c')

    def run(paths, directory):
        built = []
        for index, path in enumerate(paths):
            try:
                data = layout.encode(dts.read(str(path)))
            except struct.error:
                pytest.skip('not expressible in the binary format')
            built.append(directory / f'built{index}.cell')
            built[-1].write_bytes(data)
        return subprocess.run([program, *built], capture_output=True, text=True)
    return run


# The root cell of SYSTEM with a second IOAPIC, pins 0-7.
SECOND_IOAPIC_SYSTEM = SYSTEM.replace('\t\tioapic@fec00000 {',
                                      ioapic(0xfec01000, '0 1 2 3 4 5 6 7') +
                                      '\n\t\tioapic@fec00000 {')


def _shared_page():
    return memory(0x200000, 0x1c800000, flags='"read", "write", "root-shared"')


def _cell_parity_cases():
    """(id, system text or shipped path, cells) for every fixture of check."""
    cases = [(case[0], SYSTEM, case[1]) for case in RULE_CASES]
    cases += [
        ('one cell', SYSTEM, [cell()]),
        ('memory root-shared by both cells', SYSTEM,
         [cell(extra=_shared_page()), cell('b', '2', 0x1c700000, '0x3e8 8', _shared_page())]),
        ('comm regions of two cells', SYSTEM, [cell(), cell('b', '2', 0x1c700000, '0x3e8 8')]),
        ('CPU 0 and another cell\'s CPU', SYSTEM, [cell(), cell('b', '0 1', 0x1c700000,
                                                               '0x3e8 8')]),
        ('IOAPIC pins of the root cell in two cells', SYSTEM,
         [cell(extra=ioapic(pins='4 5')), cell('b', '2', 0x1c700000, '0x3e8 8',
                                               ioapic(pins='6 23'))]),
        ('page of another IOAPIC of the root cell', SECOND_IOAPIC_SYSTEM,
         [cell(extra=memory(0x200000, 0xfec01000, flags='"read", "io"'))]),
        ('pins of another IOAPIC of the root cell', SECOND_IOAPIC_SYSTEM,
         [cell(extra=ioapic(pins='5')), cell('b', '2', 0x1c700000, '0x3e8 8',
                                             ioapic(0xfec01000, '5'))]),
        ('ACPI SMI command port', ACPI_PORTS_SYSTEM, [cell(pio='0xb2 1')]),
        ('ACPI PM1a control ports', ACPI_PORTS_SYSTEM, [cell(pio='0xb005 1')]),
        ('ACPI PM1b control ports', ACPI_PORTS_SYSTEM, [cell(pio='0xb100 8')]),
        ('ports beside the ACPI ports and the PM timer', ACPI_PORTS_SYSTEM,
         [cell(pio='0xb3 1 0xb006 6 0xb106 2')]),
        ('memory next to the ACPI tables and the platform windows', SYSTEM,
         [cell(extra=memory(0x200000, 0x1ffe0000, 0x10000) +
               memory(0xf0000000, 0xfedff000, flags='"read", "io"'))]),
    ]
    shipped = [('bochs-system', ['tiny-demo']), ('bochs-system', ['ipc-demo']),
               ('bochs-system', ['smp-demo']), ('bochs-system-3cpu', ['smp-demo']),
               ('bochs-system-3cpu', ['tiny-demo', 'ipc-demo']),
               ('bochs-system-3cpu', ['tiny-demo', 'smp-demo'])]
    cases += [(f'{system} with {" and ".join(cells)}', CONFIGS / f'{system}.dts',
               [CONFIGS / f'{name}.dts' for name in cells]) for system, cells in shipped]
    return cases


def _enforced(finding, system_path):
    """An error the hypervisor's cell creation applies too."""
    if finding['severity'] != 'error' or finding['kind'] in CHECKER_ONLY:
        return False
    return not (finding['kind'] == ROOT_NAME and
                finding['objects'][-1].startswith(f'{system_path}:'))


@pytest.mark.parametrize('case_id, system, cells', _cell_parity_cases(),
                         ids=[case[0] for case in _cell_parity_cases()])
def test_hypervisor_creates_what_the_rules_allow(tmp_path, capsys, cell_harness, case_id,
                                                 system, cells):
    if isinstance(system, Path):
        paths = [system, *cells]
        code = cli.main(['check', '--json', *map(str, paths)])
        result = json.loads(capsys.readouterr().out)
    else:
        paths = write_configs(tmp_path, system, cells)
        code, result = run_check(tmp_path, capsys, cells, system)
    assert code in (0, 1)
    outcome = cell_harness(paths, tmp_path)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    lines = outcome.stdout.splitlines()
    assert len(lines) == len(cells)
    for path, line in zip(paths[1:], lines):
        errors = [finding for finding in result['findings']
                  if finding['objects'][0].startswith(f'{path}:') and
                  _enforced(finding, paths[0])]
        stricter = HYPERVISOR_STRICTER.get(case_id)
        refused = bool(errors) or bool(stricter)
        assert line.startswith('refused' if refused else 'created'), (errors, line)
        if stricter:
            assert stricter[1] in line
        if errors and not stricter:
            words = [word for finding in errors
                     for word in REFUSAL_WORDS[finding['kind']]]
            assert any(re.search(word, line) for word in words), (errors, line)


# The new parts of the binary format.

DEVICE_CELL = cell(extra=memory(0xfebf0000, 0xfebf0000, 0x10000, '"read", "write", "io"') +
                   ioapic(pins='4 5 255') + ioapic(0xfec01000, '0') +
                   pci((0, 3, 0), bar(0, 0xfebf0000, 0x1000) + bar(5, 0xfebf1000, 0x100)) +
                   pci((1, 0x1f, 7)))


def test_devices_round_trip(tmp_path):
    source = tmp_path / 'cell.dts'
    source.write_text(DEVICE_CELL)
    config = dts.read(str(source))
    rules.check_config(config)
    data = layout.encode(config)
    assert layout.decode(data) == config
    chip = config.cell.irqchips[0]
    assert (chip.address, chip.pins) == (0xfec00000, [4, 5, 255])
    offset = 24 + layout.CELL_SIZE + 8 + 3 * 32 + 8
    assert struct.unpack_from('<Q4Q', data, offset) == (0xfec00000, 0x30, 0, 0, 1 << 63)
    device = config.cell.pci_devices[1]
    assert (device.domain, device.bus, device.device, device.function) == (0, 1, 0x1f, 7)
    offset += 2 * layout.IRQCHIP.size + layout.PCI_DEVICE_SIZE
    assert struct.unpack_from('<HHI', data, offset) == (0, 0x01ff, 0)


def test_system_platform_fields_round_trip(tmp_path):
    source = tmp_path / 'system.dts'
    source.write_text(ACPI_PORTS_SYSTEM.replace('pm-timer-address', 'pci-mmconfig-end-bus = '
                                                '<0x3f>; pm-timer-address'))
    config = dts.read(str(source))
    data = layout.encode(config)
    assert layout.decode(data) == config
    tail = struct.unpack_from('<QHBBIQQHHHH', data, 24 + 56)
    assert tail == (0xe0000000, 0xb008, 0x3f, 0, 0, 0x1fff0000, 0x10000, 0xb2, 0xb004,
                    0xb104, 0)
    assert 24 + 56 + struct.calcsize('<QHBBIQQHHHH') == 24 + layout.SYSTEM_SIZE == 120


def test_dump_shows_devices(tmp_path):
    source = tmp_path / 'cell.dts'
    source.write_text(DEVICE_CELL)
    assert run_tool('build', source, '-o', tmp_path / 'cell.cell').returncode == 0
    text = run_tool('dump', tmp_path / 'cell.cell').stdout
    assert '0xfec00000 pins 4-5,255' in text
    assert ('0000:00:03.0 bar0 0xfebf0000-0xfebf0fff (0x1000 bytes) '
            'bar5 0xfebf1000-0xfebf10ff (0x100 bytes)') in text
    dumped = json.loads(run_tool('dump', '--json', tmp_path / 'cell.cell').stdout)
    assert dumped['cell']['irqchips'][1] == {'address': 0xfec01000, 'pins': [0]}
    assert dumped['cell']['pci_devices'][0]['bars'] == [
        {'index': 0, 'address': 0xfebf0000, 'size': 0x1000},
        {'index': 5, 'address': 0xfebf1000, 'size': 0x100}]


def test_duplicates_only_a_cell_file_can_hold(tmp_path):
    """dtc merges nodes of one name, so only a .cell file can repeat a device."""
    source = tmp_path / 'cell.dts'
    source.write_text(DEVICE_CELL)
    config = dts.read(str(source))
    config.cell.pci_devices.append(config.cell.pci_devices[0])
    config.cell.irqchips.append(config.cell.irqchips[0])
    (tmp_path / 'system.dts').write_text(SYSTEM)
    (tmp_path / 'cell.cell').write_bytes(layout.encode(config))
    result = run_tool('check', '--json', tmp_path / 'system.dts', tmp_path / 'cell.cell')
    found = set(kinds(json.loads(result.stdout)))
    assert {'pci-device', 'ioapic'} <= found
    assert result.returncode == 1
