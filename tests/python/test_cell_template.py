# SPDX-License-Identifier: GPL-2.0
"""bulkhead-config cell: cell configs that check accepts beside their system config."""

from pathlib import Path

import pytest

from test_create import BOCHS_ARCHIVE, as_json, differences, dts, one_line_error, run

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / 'configs' / 'x86'
SYSTEM = CONFIGS / 'bochs-system.dts'
SYSTEM_3CPU = CONFIGS / 'bochs-system-3cpu.dts'
TINY = CONFIGS / 'tiny-demo.dts'
LOADABLE = ['read', 'write', 'execute', 'loadable']


def cell(tmp_path, system, *options, name='out.dts'):
    output = tmp_path / name
    result = run('cell', system, '-o', output, *options)
    assert result.returncode == 0, result.stderr
    return dts.read(str(output)), output


def memory(config):
    return [(r.phys_start, r.virt_start, r.size, r.flags) for r in config.cell.memory_regions]


def test_default_cell_is_tiny_demos(tmp_path):
    made, _ = cell(tmp_path, SYSTEM, '--name', 'tiny-demo', '--cpus', '1', '--console-putc')
    assert differences(as_json(made), as_json(dts.read(str(TINY)))) == []


def test_console_putc_is_asked_for(tmp_path):
    quiet, _ = cell(tmp_path, SYSTEM, '--name', 'quiet', '--cpus', '1', name='quiet.dts')
    loud, output = cell(tmp_path, SYSTEM, '--name', 'loud', '--cpus', '1', '--console-putc')
    assert quiet.cell.flags == 0 and loud.cell.flags == 1
    assert 'flags = "console-putc";' in output.read_text()


def test_beside_another_cell_takes_the_next_memory(tmp_path):
    made, output = cell(tmp_path, SYSTEM_3CPU, '--name', 'second', '--cpus', '2',
                        '--beside', TINY)
    assert made.cell.memory_regions[0].phys_start == 0x1c700000
    # COM2 is tiny-demo's; the debug console has COM3: COM4 is next.
    assert made.cell.console.address == 0x2e8
    result = run('check', SYSTEM_3CPU, TINY, output)
    assert result.returncode == 0, result.stdout


def test_more_than_a_mib_goes_above_the_comm_region(tmp_path):
    made, output = cell(tmp_path, SYSTEM, '--name', 'big', '--cpus', '1', '--memory', '3M')
    assert memory(made) == [(0x1c600000, 0, 0x100000, 0x47), (0, 0x100000, 0x1000, 0x23),
                            (0x1c700000, 0x200000, 0x200000, 0x47)]
    assert run('check', SYSTEM, output).returncode == 0


def test_pins_and_no_uart(tmp_path):
    made, output = cell(tmp_path, SYSTEM, '--name', 'irq', '--cpus', '1', '--pins', '5,9-10',
                        '--uart', 'none')
    assert [(chip.address, chip.pins) for chip in made.cell.irqchips] == [(0xfec00000, [5, 9, 10])]
    assert made.cell.pio_regions == [] and made.cell.console.type == 0
    assert run('check', SYSTEM, output).returncode == 0


def test_cell_beside_a_generated_system_config(tmp_path):
    system = tmp_path / 'system.dts'
    assert run('create', '--from', BOCHS_ARCHIVE, '-o', system).returncode == 0
    _, output = cell(tmp_path, system, '--name', 'tiny-demo', '--cpus', '1')
    result = run('check', system, output)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith('bulkhead-config check: 0 errors')


@pytest.mark.parametrize('options, words', [
    (['--cpus', '1', '--beside', str(TINY)],
     ['out.dts:/cell: CPU 1 of cell "new" is also in cell "tiny-demo"']),
    (['--cpus', '0'], ['out.dts:/cell: CPU 0 cannot leave the root cell']),
    (['--cpus', '5'], ['CPU 5 of cell "new" is not in the root cell']),
    (['--cpus', '1', '--memory', '100M'],
     ['has no free 100 MiB', 'largest free range is 59328 KiB']),
    (['--cpus', '1', '--pins', '30'], ['pin 30']),
    (['--cpus', '1', '--pins', '3', '--ioapic', '0xfec01000'],
     ['the root cell has no IOAPIC at 0xfec01000', 'use --ioapic with one of 0xfec00000']),
    (['--cpus', '1', '--uart', '0x3e8'], ['the UART at 0x3e8 is the hypervisor\'s debug console']),
])
def test_refusals_are_one_line_and_write_nothing(tmp_path, options, words):
    output = tmp_path / 'out.dts'
    one_line_error(run('cell', SYSTEM, '-o', output, '--name', 'new', *options), *words)
    assert not output.exists()


def test_a_cell_config_where_the_system_config_belongs(tmp_path):
    one_line_error(run('cell', TINY, '-o', tmp_path / 'o.dts', '--name', 'x', '--cpus', '1'),
                   'this is a cell config, not a system config')


@pytest.mark.parametrize('options', [
    ['--cpus', 'one'], ['--memory', '1X'], ['--uart', 'COM2'], [],
])
def test_usage_errors_exit_2(tmp_path, options):
    result = run('cell', SYSTEM, '-o', tmp_path / 'o.dts', '--name', 'x', *options)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
