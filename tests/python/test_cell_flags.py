# SPDX-License-Identifier: GPL-2.0
"""Host tests of cell flags: console-putc in the .dts, the binary and the rules."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_config import CELL_DTS, SYSTEM_DTS, read_config, variant  # noqa: E402
from bulkhead_config import abi, dump, layout  # noqa: E402
from bulkhead_config.errors import ConfigError  # noqa: E402


def test_console_putc_reaches_the_binary_and_dump(tmp_path):
    config = read_config(tmp_path, variant(CELL_DTS, 'shutdown-timeout-ms = <100>;',
                                           'shutdown-timeout-ms = <100>; flags = "console-putc";'))
    assert config.cell.flags == abi.CELL_FLAG_CONSOLE_PUTC == 1
    data = layout.encode(config)
    decoded = layout.decode(data)
    assert decoded.cell.flags == abi.CELL_FLAG_CONSOLE_PUTC
    assert 'flags:            0x1 (console-putc)' in dump.to_text(layout.read_header(data),
                                                                decoded)


def test_no_flags_means_none(tmp_path):
    assert read_config(tmp_path, CELL_DTS).cell.flags == 0


def test_unknown_cell_flag_is_one_line(tmp_path):
    with pytest.raises(ConfigError) as error:
        read_config(tmp_path, variant(CELL_DTS, 'shutdown-timeout-ms = <100>;',
                                      'shutdown-timeout-ms = <100>; flags = "putc";'))
    assert 'unknown flag "putc" in flags' in str(error.value)
    assert 'console-putc' in str(error.value) and '\n' not in str(error.value)


def test_root_cell_takes_no_flags(tmp_path):
    with pytest.raises(ConfigError) as error:
        read_config(tmp_path, variant(SYSTEM_DTS, 'cpus = <0 1>;',
                                      'cpus = <0 1>; flags = "console-putc";'))
    assert 'root cell flags 0x1 are not defined' in str(error.value)
