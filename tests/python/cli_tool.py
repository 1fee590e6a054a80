# SPDX-License-Identifier: GPL-2.0
"""Runs the bulkhead tool for the CLI tests and checks what it printed.

BULKHEAD_SYSFS and BULKHEAD_DEVICE point the tool at a fake sysfs directory
and device file when a test gives them.
"""

import os
import subprocess

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(TOP, "tools", "bulkhead")


def environment(sysfs_dir=None, device_path=None, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    if sysfs_dir is not None:
        env["BULKHEAD_SYSFS"] = str(sysfs_dir)
    if device_path is not None:
        env["BULKHEAD_DEVICE"] = str(device_path)
    return env


def run(*args, sysfs_dir=None, device_path=None, text=True, env_extra=None):
    assert os.path.exists(TOOL), "tools/bulkhead is not built: run make"
    return subprocess.run([TOOL, *args], capture_output=True, text=text, check=False,
                          env=environment(sysfs_dir, device_path, env_extra), timeout=30)


def one_line_error(result, code, pattern):
    """Exit status @code and one line on stderr, "bulkhead: ..." holding @pattern."""
    assert result.returncode == code, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bulkhead: ")
    assert pattern in lines[0], lines[0]


def cpu_block(stdout, cpu):
    """The rows of one CPU's table, each split into fields, header left out."""
    lines = stdout.splitlines()
    start = lines.index(f"CPU {cpu}")
    rows = []
    for line in lines[start + 2:]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


# sysfs longest: CPU, longest hypercall and longest hold in microseconds.
LONGEST = "0 523 0\n1 40 310\n"


def fake_sysfs(tmp_path, statistics, events=""):
    """A sysfs directory as the enabled driver shows it, with @statistics and @events."""
    directory = tmp_path / "sysfs"
    directory.mkdir()
    (directory / "enabled").write_text("1\n")
    (directory / "statistics").write_text(statistics)
    (directory / "events").write_text(events)
    (directory / "memory_pool").write_text("120 4096\n")
    (directory / "longest").write_text(LONGEST)
    return directory
