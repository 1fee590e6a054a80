# SPDX-License-Identifier: GPL-2.0
"""Host tests of bulkhead-config: .cell codec, rules, .dts reader and command line."""

import dataclasses
import json
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'bulkhead-config'
MAKE_FIXTURES = ROOT / 'tests' / 'vm' / 'make-fixtures'
BOCHS_DTS = ROOT / 'configs' / 'x86' / 'bochs-system.dts'
TINY_DTS = ROOT / 'configs' / 'x86' / 'tiny-demo.dts'
CONFIG_H = ROOT / 'include' / 'bulkhead' / 'config.h'

sys.path.insert(0, str(ROOT / 'tools'))

from bulkhead_config import abi, dts, layout, rules  # noqa: E402
from bulkhead_config.errors import ConfigError  # noqa: E402
from bulkhead_config.model import PioRegion  # noqa: E402

SYSTEM_DTS = '''/dts-v1/;
/ {
	compatible = "bulkhead,system";
	hypervisor {
		phys-start = <0x1000000>;
		size = <0x100000>;
	};
	debug-console {
		type = "8250";
		address = <0x3f8>;
		size = <8>;
		divider = <1>;
	};
	platform {
		pci-mmconfig-base = /bits/ 64 <0xe0000000>;
		pm-timer-address = <0x608>;
	};
	root-cell {
		name = "root";
		cpus = <0 1>;
		pio-regions = <0x0 0x2f8 0x300 0xfd00>;
		memory@0 {
			phys-start = <0x0>;
			size = <0x1000000>;
			flags = "read", "write", "execute", "dma";
		};
		memory@2000000 {
			phys-start = <0x2000000>;
			size = <0x1000000>;
			flags = "read", "write";
		};
	};
};
'''

CELL_DTS = '''/dts-v1/;
/ {
	compatible = "bulkhead,cell";
	cell {
		name = "inmate";
		cpus = <1>;
		pio-regions = <0x2f8 8>;
		reset-address = <0xfff0>;
		shutdown-timeout-ms = <100>;
		memory@0 {
			phys-start = /bits/ 64 <0x2000000>;
			virt-start = <0x0>;
			size = <0x100000>;
			flags = "read", "write", "execute", "loadable";
		};
		memory@100000 {
			virt-start = <0x100000>;
			size = <0x1000>;
			flags = "read", "write", "comm-region";
		};
		console {
			type = "8250";
			address = <0x2f8>;
			size = <8>;
			divider = <1>;
		};
	};
};
'''


def write(tmp_path, text, name='config.dts'):
    path = tmp_path / name
    path.write_text(text)
    return path


def read_config(tmp_path, text):
    """The checked Config of a .dts text, as build makes it."""
    config = dts.read(str(write(tmp_path, text)))
    rules.check_config(config)
    return config


def variant(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


def run_tool(*args):
    return subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True)


def assert_one_line_error(result, code):
    assert result.returncode == code
    assert result.stdout == ''
    assert result.stderr.count('\n') == 1
    assert result.stderr.startswith('bulkhead-config: ')


@pytest.fixture(name='bochs_cell')
def fixture_bochs_cell(tmp_path):
    output = tmp_path / 'bochs-system.cell'
    result = run_tool('build', BOCHS_DTS, '-o', output)
    assert result.returncode == 0, result.stderr
    return output.read_bytes()


# The binary format.

@pytest.mark.parametrize('text', [SYSTEM_DTS, CELL_DTS])
def test_round_trip(tmp_path, text):
    config = read_config(tmp_path, text)
    data = layout.encode(config)
    assert layout.decode(data) == config
    assert layout.encode(layout.decode(data)) == data


def test_checksum_is_crc32_with_field_zeroed(tmp_path):
    data = layout.encode(read_config(tmp_path, SYSTEM_DTS))
    (stored,) = struct.unpack_from('<I', data, 16)
    assert stored == zlib.crc32(data[:16] + bytes(4) + data[20:])


def test_cell_layout(tmp_path):
    data = layout.encode(read_config(tmp_path, CELL_DTS))
    magic, revision, kind, size, _, reserved = struct.unpack_from('<8sHHIII', data)
    assert (magic, revision, kind, size, reserved) == (b'BHCONFIG', 3, 2, len(data), 0)
    name, flags, words, regions, pios, chips, pcis, reset, timeout = struct.unpack_from(
        '<32sIIIIIIQI', data, 24)
    assert name.rstrip(b'\0') == b'inmate'
    assert (flags, words, regions, pios, chips, pcis, reset, timeout) == \
        (0, 1, 2, 1, 0, 0, 0xfff0, 100)
    assert struct.unpack_from('<Q', data, 24 + 96) == (1 << 1,)
    comm = struct.unpack_from('<QQQQ', data, 24 + 96 + 8 + 32)
    assert comm == (0, 0x100000, 0x1000, abi.MEM_READ | abi.MEM_WRITE |
                    abi.MEM_COMM_REGION)
    assert struct.unpack_from('<II', data, len(data) - 8) == (0x2f8, 8)


def test_sizes_and_constants_match_config_h():
    header = CONFIG_H.read_text()
    sizes = dict(re.findall(r'sizeof\(struct (\w+)\) == (\d+)', header))
    assert int(sizes['bulkhead_config_header']) == layout.HEADER.size
    assert int(sizes['bulkhead_memory_region']) == layout.MEMORY_REGION.size
    assert int(sizes['bulkhead_pio_region']) == layout.PIO_REGION.size
    assert int(sizes['bulkhead_console']) == layout.CONSOLE.size
    assert int(sizes['bulkhead_cell']) == layout.CELL_SIZE
    assert int(sizes['bulkhead_system']) == layout.SYSTEM_SIZE
    assert int(sizes['bulkhead_irqchip']) == layout.IRQCHIP.size
    assert int(sizes['bulkhead_pci_device']) == layout.PCI_DEVICE_SIZE
    assert int(sizes['bulkhead_pci_bar']) == layout.PCI_BAR.size
    defines = dict(re.findall(r'#define BULKHEAD_(\w+)\s+(.+)', header))
    assert defines['CONFIG_MAGIC'] == '"BHCONFIG"'
    assert int(defines['CONFIG_REVISION']) == abi.REVISION
    assert int(defines['CELL_NAME_SIZE']) == abi.CELL_NAME_SIZE
    assert int(defines['MAX_CPUS']) == abi.MAX_CPUS
    for name in ('MAX_MEMORY_REGIONS', 'MAX_PIO_REGIONS', 'MAX_IRQCHIPS',
                 'MAX_PCI_DEVICES', 'IOAPIC_MAX_PINS', 'PCI_NUM_BARS',
                 'MAX_SHUTDOWN_TIMEOUT_MS'):
        assert int(defines[name]) == getattr(abi, name)
    for name in ('LAPIC_BASE', 'IOAPIC_BASE', 'PLATFORM_WINDOW_SIZE', 'MMCONFIG_BUS_SIZE'):
        assert int(defines[name].removesuffix('ULL'), 16) == getattr(abi, name)
    for name, bit in abi.MEMORY_FLAGS.items():
        key = 'MEM_' + name.upper().replace('-', '_')
        assert defines[key] == f'(1ULL << {bit.bit_length() - 1})'


READER_C = r'''
#include <stddef.h>
#include <stdio.h>
#include <bulkhead/config.h>

static unsigned char file[BULKHEAD_CONFIG_MAX_SIZE];

int main(int argc, char **argv)
{
	FILE *in = fopen(argv[argc - 1], "rb");
	size_t size = fread(file, 1, sizeof(file), in);
	const struct bulkhead_config_header *header = (const void *)file;
	const struct bulkhead_system *system = (const void *)(header + 1);
	const struct bulkhead_cell *cell = (const void *)(system + 1);
	const unsigned long long *cpu_set = (const void *)(cell + 1);
	const struct bulkhead_memory_region *regions =
		(const void *)(cpu_set + cell->cpu_set_words);
	const struct bulkhead_pio_region *pio =
		(const void *)(regions + cell->num_memory_regions);

	printf("%zu %u %u %u\n", size, header->revision, header->kind, header->size);
	printf("%llx %llx %llx %x %u\n",
	       (unsigned long long)system->hypervisor_memory.phys_start,
	       (unsigned long long)system->hypervisor_memory.size,
	       (unsigned long long)system->debug_console.address,
	       system->pm_timer_address, system->debug_console.divider);
	printf("%s %llx %u %u\n", cell->name, cpu_set[0],
	       cell->num_memory_regions, cell->num_pio_regions);
	printf("%llx %llx %llx\n",
	       (unsigned long long)regions[cell->num_memory_regions - 1].phys_start,
	       (unsigned long long)regions[cell->num_memory_regions - 1].size,
	       (unsigned long long)regions[cell->num_memory_regions - 1].flags);
	printf("%x %x\n", pio[0].base, pio[0].length);
	return 0;
}
'''


@pytest.mark.skipif(shutil.which('gcc') is None, reason='needs gcc')
def test_c_header_reads_what_the_tool_writes(tmp_path, bochs_cell):
    source = write(tmp_path, READER_C, 'reader.c')
    program = tmp_path / 'reader'
    subprocess.run(['gcc', '-std=c11', '-Wall', '-Werror', '-I', ROOT / 'include',
                    '-o', program, source], check=True)
    cell_file = tmp_path / 'bochs.cell'
    cell_file.write_bytes(bochs_cell)
    output = subprocess.run([program, cell_file], capture_output=True, text=True,
                            check=True).stdout.split('\n')
    assert output[0] == f'{len(bochs_cell)} 3 1 {len(bochs_cell)}'
    assert output[1] == '1c000000 600000 3e8 b008 1'
    assert output[2] == 'bochs-linux 3 8 2'
    assert output[3] == 'fffc0000 40000 5'
    assert output[4] == '0 3e8'


# Decoding rejects damaged files.

def damaged(data, offset, value):
    return data[:offset] + value + data[offset + len(value):]


@pytest.mark.parametrize('change, message', [
    (lambda data: data[:40], 'header says 536 bytes but the file has 40'),
    (lambda data: data[:10], 'shorter than the 24-byte header'),
    (lambda data: damaged(data, 0, b'XX'), "bad magic 'XXCONFIG'"),
    (lambda data: damaged(data, 8, b'\x63\x00'), 'revision 99'),
    (lambda data: damaged(data, 100, b'\xff'), 'does not match the contents'),
    (lambda data: data + bytes(8), 'header says 536 bytes but the file has 544'),
])
def test_decode_rejects(bochs_cell, change, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        layout.decode(change(bochs_cell))


def test_decode_rejects_counts_past_the_end(bochs_cell):
    count_offset = layout.cell_offset(abi.KIND_SYSTEM) + 40
    data = damaged(bochs_cell, count_offset, struct.pack('<I', 16))
    data = damaged(data, 16, struct.pack('<I', layout.checksum(data)))
    with pytest.raises(ConfigError, match='runs past the end of the file'):
        layout.decode(data)


# Rules, one test per rule, each through a small .dts.

RULE_CASES = [
    # (base, old text, new text, expected message)
    (CELL_DTS, 'name = "inmate"', 'name = "' + 'n' * 32 + '"',
     'is 32 bytes, longer than 31'),
    (CELL_DTS, 'name = "inmate"', 'name = ""', 'name is empty'),
    (CELL_DTS, 'name = "inmate"', 'name = "in\\tmate"', 'not printable ASCII'),
    (CELL_DTS, 'cpus = <1>', 'cpus = <64>', 'CPU 64 is out of range 0..63'),
    (CELL_DTS, 'cpus = <1>', 'cpus = <1 1>', 'CPU 1 is listed twice'),
    (CELL_DTS, 'cpus = <1>', 'cpus', 'cpus lists no CPU'),
    (CELL_DTS, 'cpus = <1>;', '', 'missing property "cpus"'),
    (CELL_DTS, 'cpus = <1>;', 'cpus = <1>; cpu = <1>;', 'unknown property "cpu"'),
    (CELL_DTS, '"loadable"', '"loadabel"', 'unknown flag "loadabel" in flags'),
    (CELL_DTS, 'flags = "read", "write", "execute", "loadable"', 'flags',
     'flags is empty'),
    (CELL_DTS, 'flags = "read", "write", "execute", "loadable"', 'flags = <1>',
     '"flags" is not a string list'),
    (CELL_DTS, 'size = <0x100000>', 'size = <0>', 'size is zero'),
    (CELL_DTS, 'size = <0x100000>', 'size = <0x100800>',
     'size 0x100800 is not a multiple of 4 KiB'),
    (CELL_DTS, '<0x2000000>', '<0x2000200>', 'phys-start 0x2000200 is not 4 KiB aligned'),
    (CELL_DTS, 'memory@0 {\n\t\t\tphys-start = /bits/ 64 <0x2000000>;\n\t\t\t'
     'virt-start = <0x0>;', 'memory@10 {\n\t\t\tphys-start = /bits/ 64 <0x2000000>;'
     '\n\t\t\tvirt-start = <0x10>;', 'virt-start 0x10 is not 4 KiB aligned'),
    (CELL_DTS, '/bits/ 64 <0x2000000>', '/bits/ 64 <0xffffffffffff0000>',
     'passes the end of the 64-bit address space'),
    (CELL_DTS, 'memory@100000 {\n\t\t\tvirt-start = <0x100000>;',
     'memory@ff000 {\n\t\t\tvirt-start = <0xff000>;',
     'guest range 0xff000-0xfffff overlaps /cell/memory@0 (0x0-0xfffff)'),
    (CELL_DTS, 'memory@100000 {\n\t\t\tvirt-start = <0x100000>;\n\t\t\tsize = <0x1000>;',
     'memory@100000 {\n\t\t\tvirt-start = <0x100000>;\n\t\t\tsize = <0x2000>;',
     'comm region is 0x2000 bytes, not one page'),
    (CELL_DTS, 'virt-start = <0x100000>;', 'virt-start = <0x100000>; phys-start = <0x1000>;',
     'comm region has a phys-start'),
    (CELL_DTS, '"read", "write", "execute", "loadable"', '"read", "comm-region"',
     'comm region is 0x100000 bytes'),
    (CELL_DTS, 'memory@100000', 'memory@200000', 'unit address 200000 is not virt-start'),
    (CELL_DTS, 'memory@100000', 'memory', 'memory node has no unit address'),
    (CELL_DTS, 'pio-regions = <0x2f8 8>', 'pio-regions = <0x2f8>',
     'pio-regions has an odd number of cells'),
    (CELL_DTS, 'pio-regions = <0x2f8 8>', 'pio-regions = <0xfff8 9>',
     'I/O port range 0xfff8+0x9 passes port 0xffff'),
    (CELL_DTS, 'pio-regions = <0x2f8 8>', 'pio-regions = <0x2f8 0>', 'has length 0'),
    (CELL_DTS, 'pio-regions = <0x2f8 8>', 'pio-regions = <0x2f8 8 0x2fc 8>',
     'port range 0x2fc-0x303 overlaps /cell pio-regions[0]'),
    (CELL_DTS, 'type = "8250"', 'type = "16550"', 'unknown type "16550"'),
    (CELL_DTS, 'divider = <1>', 'divider = <0>', 'divider is zero'),
    (CELL_DTS, 'divider = <1>;', 'divider = <1>; flags = "regdist-4";',
     'flag regdist-4 without mmio'),
    (CELL_DTS, 'address = <0x2f8>', 'address = <0xfffc>', 'console ports 0xfffc+0x8'),
    (CELL_DTS, 'console {', 'uart {', 'unknown node: use memory@ADDRESS, ioapic@ADDRESS'),
    (CELL_DTS, 'reset-address = <0xfff0>', 'reset-address = [00 ff f0]',
     '"reset-address" is 3 bytes, not a 32- or 64-bit value'),
    (CELL_DTS, '"bulkhead,cell"', '"bulkhead,cel"', 'is not a Bulkhead config'),
    (CELL_DTS, 'shutdown-timeout-ms = <100>', 'shutdown-timeout-ms = <10001>',
     'shutdown-timeout-ms 10001 is more than 10000'),
    (SYSTEM_DTS, 'size = <0x100000>', 'size = <0xff000>', 'size 0xff000 is less than 1 MiB'),
    (SYSTEM_DTS, 'phys-start = <0x1000000>', 'phys-start = <0x1000800>',
     'phys-start 0x1000800 is not 4 KiB aligned'),
    (SYSTEM_DTS, 'phys-start = <0x1000000>', 'phys-start = <0x800000>',
     'overlaps /root-cell/memory@0'),
    (SYSTEM_DTS, 'memory@2000000 {\n\t\t\tphys-start = <0x2000000>',
     'memory@800000 {\n\t\t\tphys-start = <0x800000>',
     'physical range 0x800000-0x17fffff overlaps /root-cell/memory@0'),
    (SYSTEM_DTS, '"read", "write";', '"read", "write", "root-shared";',
     'flag "root-shared" is for non-root cells only'),
    (SYSTEM_DTS, 'memory@2000000 {\n\t\t\tphys-start = <0x2000000>;',
     'memory@4000000 {\n\t\t\tphys-start = <0x2000000>; virt-start = <0x4000000>;',
     'virt-start 0x4000000 is not phys-start 0x2000000'),
    (SYSTEM_DTS, 'pm-timer-address = <0x608>', 'pm-timer-address = <0x10008>',
     'pm-timer-address 0x10008 is not an I/O port'),
    (SYSTEM_DTS, 'platform {', 'platfrom {', 'unknown node'),
    (SYSTEM_DTS, 'pm-timer-address = <0x608>;', '', 'missing property "pm-timer-address"'),
]


@pytest.mark.parametrize('base, old, new, message', RULE_CASES,
                         ids=[case[3] for case in RULE_CASES])
def test_rule_rejects(tmp_path, base, old, new, message):
    with pytest.raises(ConfigError) as error:
        read_config(tmp_path, variant(base, old, new))
    assert message in str(error.value)
    assert '\n' not in str(error.value)


def test_missing_node(tmp_path):
    start = SYSTEM_DTS.index('\tplatform {')
    end = SYSTEM_DTS.index('\troot-cell {')
    with pytest.raises(ConfigError, match='missing node "platform"'):
        read_config(tmp_path, SYSTEM_DTS[:start] + SYSTEM_DTS[end:])


def test_name_of_31_bytes_is_accepted(tmp_path):
    config = read_config(tmp_path, variant(CELL_DTS, 'name = "inmate"',
                                           'name = "' + 'n' * 31 + '"'))
    assert layout.decode(layout.encode(config)).cell.name == 'n' * 31


def test_64_bit_values_in_both_spellings(tmp_path):
    high = variant(CELL_DTS, '/bits/ 64 <0x2000000>', '/bits/ 64 <0x100000000>')
    pair = variant(CELL_DTS, '/bits/ 64 <0x2000000>', '<0x1 0x0>')
    assert read_config(tmp_path, high) == read_config(tmp_path, pair)
    assert read_config(tmp_path, high).cell.memory_regions[0].phys_start == 1 << 32


def test_cpus_are_kept_sorted(tmp_path):
    config = read_config(tmp_path, variant(SYSTEM_DTS, 'cpus = <0 1>', 'cpus = <1 0>'))
    assert config.cell.cpus == [0, 1]


def test_defaults(tmp_path):
    text = variant(SYSTEM_DTS, 'phys-start = <0x2000000>;',
                   'phys-start = <0x2000000>; virt-start = <0x2000000>;')
    config = read_config(tmp_path, text)
    assert config == read_config(tmp_path, SYSTEM_DTS)
    assert config.cell.reset_address == 0
    assert config.cell.console.type == abi.CONSOLE_NONE


def test_decoded_files_obey_the_same_rules(tmp_path):
    config = read_config(tmp_path, CELL_DTS)
    config.cell.memory_regions[0].flags |= 1 << 8
    with pytest.raises(ConfigError, match='undefined bits 0x100'):
        rules.check_config(layout.decode(layout.encode(config)))


# The shipped configs.

def test_bochs_system_config(bochs_cell):
    magic, revision, kind, size, checksum, _ = struct.unpack_from('<8sHHIII', bochs_cell)
    assert magic == b'BHCONFIG'
    assert (revision, kind) == (3, 1)
    assert size == len(bochs_cell)
    assert checksum == layout.checksum(bochs_cell)
    config = layout.decode(bochs_cell)
    rules.check_config(config)
    assert config.system.hypervisor_memory.phys_start == 0x1c000000
    assert config.system.hypervisor_memory.size == 0x600000
    assert config.cell.name == 'bochs-linux'
    assert config.cell.cpus == [0, 1]


@pytest.mark.parametrize('source', sorted((ROOT / 'configs' / 'x86').glob('*.dts')),
                         ids=lambda path: path.name)
def test_every_config_builds(tmp_path, source):
    result = run_tool('build', source, '-o', tmp_path / 'out.cell')
    assert result.returncode == 0, result.stderr


# The end-to-end fixtures.

def test_make_fixtures(tmp_path, bochs_cell):
    good = tmp_path / 'good.cell'
    good.write_bytes(bochs_cell)
    out = tmp_path / 'fixtures'
    subprocess.run([MAKE_FIXTURES, out, good], check=True)
    files = {path.name: path.read_bytes() for path in out.iterdir()}
    assert files['truncated.cell'] == bochs_cell[:40]
    assert files['bad-magic.cell'][8:16] == bochs_cell[8:16]
    assert_only_difference(files['bad-revision.cell'], bochs_cell, 'revision 99')
    assert sum(a != b for a, b in zip(files['bad-checksum.cell'], bochs_cell)) == 1
    with pytest.raises(ConfigError, match='checksum'):
        layout.decode(files['bad-checksum.cell'])
    with pytest.raises(ConfigError, match='bad magic'):
        layout.decode(files['bad-magic.cell'])
    good_config = layout.decode(bochs_cell)
    config = layout.decode(files['not-reserved.cell'])
    assert config.system.hypervisor_memory.phys_start == 0x40000000
    config.system.hypervisor_memory.phys_start = 0x1c000000
    assert config == good_config
    assert_kernel_ram_fixture(layout.decode(files['kernel-ram.cell']), good_config)
    for name, cpus in (('cpu1-missing.cell', [0]), ('cpu5-extra.cell', [0, 1, 5])):
        config = layout.decode(files[name])
        assert config.cell.cpus == cpus
        config.cell.cpus = good_config.cell.cpus
        assert config == good_config
    config = layout.decode(files['fewer-pins.cell'])
    rules.check_config(config)
    assert config.cell.irqchips[0].pins == sorted(good_config.cell.irqchips[0].pins)[:-1]
    config.cell.irqchips = good_config.cell.irqchips
    assert config == good_config


def assert_kernel_ram_fixture(config, good_config):
    """Hypervisor at 16 MiB, cut out of the root cell's kernel RAM; valid otherwise."""
    rules.check_config(config)
    assert config.system.hypervisor_memory.phys_start == 0x01000000
    regions = [(region.phys_start, region.size) for region in config.cell.memory_regions]
    assert (0x100000, 0xf00000) in regions and (0x1600000, 0x1aa00000) in regions
    assert len(regions) == len(good_config.cell.memory_regions) + 1
    config.system.hypervisor_memory.phys_start = 0x1c000000
    config.cell.memory_regions = good_config.cell.memory_regions
    assert config == good_config


def assert_only_difference(data, good, message):
    """data differs from good in the header only, with a valid checksum."""
    assert data[24:] == good[24:]
    assert struct.unpack_from('<I', data, 16)[0] == layout.checksum(data)
    with pytest.raises(ConfigError, match=message):
        layout.decode(data)



@pytest.fixture(name='cell_fixtures')
def fixture_cell_fixtures(tmp_path, bochs_cell):
    """The system config, tiny-demo's config and the fixtures made from both."""
    system = tmp_path / 'system.cell'
    system.write_bytes(bochs_cell)
    tiny = tmp_path / 'tiny-demo.cell'
    assert run_tool('build', TINY_DTS, '-o', tiny).returncode == 0
    out = tmp_path / 'fixtures'
    subprocess.run([MAKE_FIXTURES, out, system, tiny], check=True)
    return system, tiny.read_bytes(), out


def test_make_cell_fixtures(cell_fixtures):
    _, good, out = cell_fixtures
    files = {path.name: path.read_bytes() for path in out.iterdir()}
    assert 'truncated.cell' in files and 'cpu5-extra.cell' in files
    assert files['cell-truncated.cell'] == good[:40]
    assert sum(a != b for a, b in zip(files['cell-bad-checksum.cell'], good)) == 1
    with pytest.raises(ConfigError, match='checksum'):
        layout.decode(files['cell-bad-checksum.cell'])
    cell = layout.decode(good).cell
    ram, comm = cell.memory_regions
    for name, field, value in (
            ('cell-cpu0.cell', 'cpus', [0, 1]),
            ('cell-hypervisor-memory.cell', 'memory_regions',
             [dataclasses.replace(ram, phys_start=0x1c000000), comm]),
            ('cell-not-root-memory.cell', 'memory_regions',
             [dataclasses.replace(ram, phys_start=0x20000000), comm]),
            ('cell-no-comm.cell', 'memory_regions',
             [ram, dataclasses.replace(comm, flags=abi.MEM_READ | abi.MEM_WRITE)]),
            ('cell-root-ports.cell', 'pio_regions',
             cell.pio_regions + [PioRegion(0x3e8, 8)]),
            ('cell-long-name.cell', 'name', 'tiny-demo'.ljust(32, 'x'))):
        assert_only_cell_difference(files[name], good, field, value)


def assert_only_cell_difference(data, good, field, value):
    """data is the cell config good with the cell's field set to value, checksum valid."""
    config = layout.decode(data)
    good_config = layout.decode(good)
    assert getattr(config.cell, field) == value
    setattr(config.cell, field, getattr(good_config.cell, field))
    assert config == good_config


# Each broken cell fixture fails the cross-check for its one reason.  Not
# cell-root-ports.cell: bulkhead-config lets a cell share the debug
# console's ports (a warning), which the hypervisor refuses.
@pytest.mark.parametrize('name, rule', [
    ('cell-cpu0.cell', 'cpu0'),
    ('cell-hypervisor-memory.cell', 'hypervisor-overlap'),
    ('cell-not-root-memory.cell', 'memory-outside-root'),
    ('cell-no-comm.cell', 'comm-region-missing'),
    ('cell-long-name.cell', 'name'),
])
def test_cell_fixture_breaks_one_rule(cell_fixtures, name, rule):
    system, _, out = cell_fixtures
    result = run_tool('check', system, out / name)
    assert result.returncode == 1
    assert re.findall(r'^error\[([a-z0-9-]+)\]', result.stdout + result.stderr,
                      re.MULTILINE) == [rule]

# The command line.

def test_version():
    result = run_tool('--version')
    assert (result.returncode, result.stdout) == (0, 'bulkhead-config 0.1\n')


@pytest.mark.parametrize('args', [['--help'], ['build', '--help'], ['dump', '--help']])
def test_help(args):
    result = run_tool(*args)
    assert result.returncode == 0
    assert 'usage:' in result.stdout


@pytest.mark.parametrize('args', [[], ['frobnicate'], ['build'], ['dump'],
                                  ['build', 'a.dts', '--bogus']])
def test_usage_errors(args):
    assert_one_line_error(run_tool(*args), 2)


def test_bad_config_is_one_line_exit_1(tmp_path):
    source = write(tmp_path, variant(CELL_DTS, 'cpus = <1>', 'cpus = <99>'))
    result = run_tool('build', source, '-o', tmp_path / 'out.cell')
    assert_one_line_error(result, 1)
    assert result.stderr == (f'bulkhead-config: {source}: /cell: CPU 99 is out of '
                             'range 0..63: use CPU numbers below 64\n')
    assert not (tmp_path / 'out.cell').exists()


def test_dts_syntax_error_is_one_line(tmp_path):
    source = write(tmp_path, variant(CELL_DTS, 'cpus = <1>;', 'cpus = <1>'))
    result = run_tool('build', source)
    assert_one_line_error(result, 1)
    assert 'dtc: ' in result.stderr


@pytest.mark.parametrize('command', ['build', 'dump'])
def test_missing_file(tmp_path, command):
    assert_one_line_error(run_tool(command, tmp_path / 'absent'), 1)


def test_build_default_output(tmp_path):
    source = write(tmp_path, CELL_DTS, 'inmate.dts')
    assert run_tool('build', source).returncode == 0
    assert layout.decode((tmp_path / 'inmate.cell').read_bytes()).cell.name == 'inmate'


def test_dump_text_and_json(tmp_path, bochs_cell):
    cell_file = tmp_path / 'bochs.cell'
    cell_file.write_bytes(bochs_cell)
    text = run_tool('dump', cell_file)
    assert text.returncode == 0
    assert 'magic:              BHCONFIG' in text.stdout
    assert 'cpus:             0-1' in text.stdout
    dumped = json.loads(run_tool('dump', '--json', cell_file).stdout)
    assert dumped['header'] == {'magic': 'BHCONFIG', 'revision': 3, 'kind': 'system',
                                'size': len(bochs_cell),
                                'checksum': layout.checksum(bochs_cell)}
    assert dumped['system']['pm_timer_address'] == 0xb008
    assert (dumped['system']['smi_command_port'], dumped['system']['pm1a_control_port'],
            dumped['system']['pm1b_control_port']) == (0xb2, 0xb004, 0)
    assert dumped['cell']['memory_regions'][7]['flag_names'] == ['read', 'execute']


def test_dump_of_damaged_file_is_one_line(tmp_path, bochs_cell):
    cell_file = tmp_path / 'bad.cell'
    cell_file.write_bytes(bochs_cell[:40])
    assert_one_line_error(run_tool('dump', cell_file), 1)
