# SPDX-License-Identifier: GPL-2.0
"""bulkhead stats and console against a fake sysfs directory and device file.

BULKHEAD_SYSFS and BULKHEAD_DEVICE point the tool at files in tmp_path. A
regular file reads like the console device (read returns 0 at the end), but
it cannot fail with ENODATA; the end-to-end tests cover that message.
"""

import json
import os
import select
import signal
import subprocess
import time

import pytest

from cli_tool import TOOL, cpu_block, environment, fake_sysfs, one_line_error, run


STATISTICS = """\
1 48 ept-violation 7 700 200
0 10 cpuid 5123 3120044 9120
0 0 exception-nmi 12 340512 90210
0 28 cr-access 2 5 4
"""

EXPECTED_JSON = {
    "cpus": {
        "0": {
            "exits": {
                "exception-nmi": {"reason": 0, "count": 12, "total_cycles": 340512,
                                  "max_cycles": 90210},
                "cpuid": {"reason": 10, "count": 5123, "total_cycles": 3120044,
                          "max_cycles": 9120},
                "cr-access": {"reason": 28, "count": 2, "total_cycles": 5, "max_cycles": 4},
            },
            "total_exits": 5137,
        },
        "1": {
            "exits": {
                "ept-violation": {"reason": 48, "count": 7, "total_cycles": 700,
                                  "max_cycles": 200},
            },
            "total_exits": 7,
        },
    },
    "events": {},
    "longest_us": {"0": {"hypercall": 523, "held": 0}, "1": {"hypercall": 40, "held": 310}},
    "memory_pool": {"used_pages": 120, "total_pages": 4096},
}

EVENTS = """\
0 ipi-dropped 3
0 nmi-hypervisor 41
1 ioapic-refused 2
"""


@pytest.fixture
def sysfs(tmp_path):
    return fake_sysfs(tmp_path, STATISTICS)


@pytest.fixture
def device(tmp_path):
    path = tmp_path / "bulkhead"
    path.write_bytes(b"Bulkhead hypervisor 0.1\nCPU 0 entered\n")
    return path


# --- stats ---------------------------------------------------------------

def test_help_lists_the_new_commands():
    result = run("--help")
    assert result.returncode == 0
    assert "stats    [--json]" in result.stdout
    assert "console  [--follow]" in result.stdout


@pytest.mark.parametrize("command, usage", [
    ("stats", "Usage: bulkhead stats [--json]"),
    ("console", "Usage: bulkhead console [--follow]"),
    ("disable", "Usage: bulkhead disable"),
])
def test_per_command_help(command, usage):
    result = run(command, "--help")
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[0] == usage
    assert result.stderr == ""


def test_stats_table_rows_sorted_by_reason_with_mean_and_total(sysfs):
    result = run("stats", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stderr == ""
    assert cpu_block(result.stdout, 0) == [
        ["exception-nmi", "12", "340512", "28376", "90210"],
        ["cpuid", "5123", "3120044", "609", "9120"],
        ["cr-access", "2", "5", "3", "4"],     # 2.5 rounds to 3
        ["total", "5137", "3460561", "674", "90210"],
    ]
    assert cpu_block(result.stdout, 1) == [
        ["ept-violation", "7", "700", "100", "200"],
        ["total", "7", "700", "100", "200"],
    ]
    assert result.stdout.index("CPU 0") < result.stdout.index("CPU 1")
    assert result.stdout.splitlines()[-1] == \
        "Memory pool: 120 of 4096 pages used (480 of 16384 KiB)"


def test_stats_shows_the_longest_hypercall_and_hold_per_cpu(sysfs):
    lines = run("stats", sysfs_dir=sysfs).stdout.splitlines()
    start = lines.index("Longest hypercall and time held for a change of the root cell, in us")
    assert [line.split() for line in lines[start + 1:start + 4]] == [
        ["CPU", "hypercall", "held"], ["0", "523", "0"], ["1", "40", "310"]]


@pytest.mark.parametrize("text", ["0 1\n", "0 1 2 3\n", "x 1 2\n", "1 1 1\n0 1 1\n"])
def test_stats_rejects_a_malformed_longest_file(sysfs, text):
    (sysfs / "longest").write_text(text)
    for args in (("stats",), ("stats", "--json")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, "expected 'CPU HYPERCALL_US HOLD_US', CPUs increasing")
        assert result.stdout == ""


def test_stats_shows_the_events_per_cpu(tmp_path):
    sysfs = fake_sysfs(tmp_path, STATISTICS, EVENTS)
    lines = run("stats", sysfs_dir=sysfs).stdout.splitlines()
    start = lines.index("Events: what the hypervisor refused, dropped or confined, "
                        "and where its NMIs went")
    assert [line.split() for line in lines[start + 1:start + 5]] == [
        ["CPU", "event", "count"], ["0", "ipi-dropped", "3"], ["0", "nmi-hypervisor", "41"],
        ["1", "ioapic-refused", "2"]]
    assert lines.index("CPU 1") < start < lines.index(
        "Longest hypercall and time held for a change of the root cell, in us")
    result = run("stats", "--json", sysfs_dir=sysfs)
    assert json.loads(result.stdout)["events"] == {
        "0": {"ipi-dropped": 3, "nmi-hypervisor": 41}, "1": {"ioapic-refused": 2}}


def test_stats_without_events_prints_no_events_section(sysfs):
    assert "Events" not in run("stats", sysfs_dir=sysfs).stdout


@pytest.mark.parametrize("text", ["0 ipi-dropped\n", "0 ipi-dropped 1 2\n", "x ipi-dropped 1\n",
                                  "0 ipi dropped! 1\n", "1 ipi-dropped 1\n0 nmi-guest 1\n",
                                  "0 nmi-guest 1\n0 nmi-guest 2\n"])
def test_stats_rejects_a_malformed_events_file(sysfs, text):
    (sysfs / "events").write_text(text)
    for args in (("stats",), ("stats", "--json")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, "events:")
        assert "expected 'CPU NAME COUNT', CPUs in order, each name once per CPU" in result.stderr
        assert result.stdout == ""


def test_stats_with_a_driver_lacking_events(sysfs):
    (sysfs / "events").unlink()
    result = run("stats", sysfs_dir=sysfs)
    assert result.returncode == 1 and result.stdout == ""
    assert "events" in result.stderr and len(result.stderr.splitlines()) == 1


def test_stats_table_header(sysfs):
    result = run("stats", sysfs_dir=sysfs)
    header = result.stdout.splitlines()[1].split()
    assert header == ["exit", "reason", "count", "total", "cycles", "mean", "cycles", "max",
                      "cycles"]


def test_stats_json(sysfs):
    result = run("stats", "--json", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert json.loads(result.stdout) == EXPECTED_JSON
    keys = list(json.loads(result.stdout)["cpus"]["0"]["exits"])
    assert keys == ["exception-nmi", "cpuid", "cr-access"]


def test_stats_with_no_exits_yet(sysfs):
    (sysfs / "statistics").write_text("")
    table = run("stats", sysfs_dir=sysfs)
    assert table.returncode == 0, table
    assert "No VM exits counted yet." in table.stdout
    result = run("stats", "--json", sysfs_dir=sysfs)
    assert json.loads(result.stdout) == {
        "cpus": {}, "events": {}, "longest_us": EXPECTED_JSON["longest_us"],
        "memory_pool": {"used_pages": 120, "total_pages": 4096}}


def test_stats_keeps_json_keys_unique_when_two_reasons_share_a_name(sysfs):
    (sysfs / "statistics").write_text("0 35 unknown 1 5 5\n0 38 unknown 2 6 4\n")
    result = run("stats", "--json", sysfs_dir=sysfs)
    exits = json.loads(result.stdout)["cpus"]["0"]["exits"]
    assert exits == {
        "unknown-35": {"reason": 35, "count": 1, "total_cycles": 5, "max_cycles": 5},
        "unknown-38": {"reason": 38, "count": 2, "total_cycles": 6, "max_cycles": 4},
    }


def test_stats_accepts_the_largest_numbers(sysfs):
    big = 2**64 - 1
    (sysfs / "statistics").write_text(f"4294967295 65535 x 1 {big} {big}\n")
    result = run("stats", "--json", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    exits = json.loads(result.stdout)["cpus"]["4294967295"]["exits"]
    assert exits["x"] == {"reason": 65535, "count": 1, "total_cycles": big, "max_cycles": big}


def test_stats_when_not_enabled(sysfs):
    (sysfs / "enabled").write_text("0\n")
    for args in (("stats",), ("stats", "--json")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, "Bulkhead is not enabled; "
                                  "run 'bulkhead enable SYSCONFIG.cell' first")
        assert result.stdout == ""


def test_stats_without_the_driver(tmp_path):
    one_line_error(run("stats", sysfs_dir=tmp_path / "absent"), 1, "load the driver first")


def test_stats_with_a_driver_lacking_statistics(sysfs):
    (sysfs / "statistics").unlink()
    one_line_error(run("stats", sysfs_dir=sysfs), 1, "older than this tool")


@pytest.mark.parametrize("line", [
    "0 10 cpuid 5123 3120044",              # a field missing
    "0 10 cpuid 5123 3120044 9120 7",       # a field too many
    "0 ten cpuid 5123 3120044 9120",        # not a number
    "-1 10 cpuid 5123 3120044 9120",        # negative
    "0 10 cpuid +5 3120044 9120",           # sign
    "0 65536 cpuid 5123 3120044 9120",      # beyond the 16-bit basic exit reason
    "4294967296 10 cpuid 1 1 1",            # CPU beyond 32 bits
    "0 10 cpuid 18446744073709551616 1 1",  # beyond 64 bits
    '0 10 cp"uid 5123 3120044 9120',        # would need JSON escaping
    "0 10 cp\\uid 5123 3120044 9120",
    "0 10 " + "x" * 32 + " 1 1 1",          # name too long
])
def test_stats_rejects_a_malformed_line_by_number(sysfs, line):
    (sysfs / "statistics").write_text(f"0 10 cpuid 5123 3120044 9120\n{line}\n")
    for args in (("stats",), ("stats", "--json")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, "statistics:2: malformed line")
        assert result.stdout == ""


def test_stats_rejects_a_repeated_reason(sysfs):
    (sysfs / "statistics").write_text(
        "0 10 cpuid 1 1 1\n1 10 cpuid 1 1 1\n0 12 hlt 1 1 1\n0 10 cpuid 2 2 2\n")
    one_line_error(run("stats", sysfs_dir=sysfs), 1,
                   "statistics:4: CPU 0 exit reason 10 repeats line 1")


def test_stats_rejects_totals_beyond_64_bits(sysfs):
    big = 2**64 - 1
    (sysfs / "statistics").write_text(f"0 10 cpuid 1 {big} 1\n0 12 hlt 1 1 1\n")
    one_line_error(run("stats", sysfs_dir=sysfs), 1, "CPU 0's totals overflow 64 bits")


@pytest.mark.parametrize("content", ["", "120\n", "5000 4096\n", "a b\n", "1 2 3\n"])
def test_stats_rejects_a_malformed_memory_pool(sysfs, content):
    (sysfs / "memory_pool").write_text(content)
    one_line_error(run("stats", sysfs_dir=sysfs), 1, "memory_pool: expected 'USED TOTAL'")


def test_stats_rejects_a_strange_enabled_file(sysfs):
    (sysfs / "enabled").write_text("yes\n")
    one_line_error(run("stats", sysfs_dir=sysfs), 1, "expected 1 or 0, found 'yes'")


@pytest.mark.parametrize("args, pattern", [
    (("stats", "--jsn"), "usage: bulkhead stats [--json]"),
    (("stats", "--json", "--json"), "usage: bulkhead stats [--json]"),
    (("console", "-f"), "usage: bulkhead console [--follow]"),
    (("console", "--follow", "x"), "usage: bulkhead console [--follow]"),
])
def test_usage_errors(sysfs, device, args, pattern):
    one_line_error(run(*args, sysfs_dir=sysfs, device_path=device), 2, pattern)


# --- the device path override reaches the existing commands -------------

def test_disable_uses_the_device_override(tmp_path):
    one_line_error(run("disable", device_path=tmp_path / "absent"), 1,
                   f"{tmp_path / 'absent'} not found: load the driver first")


def test_disable_opens_the_overriding_device(device):
    # A regular file is no bulkhead device: the ioctl itself fails.
    one_line_error(run("disable", device_path=device), 1, "disable failed:")


# --- console -------------------------------------------------------------

def test_console_prints_the_log(device):
    result = run("console", device_path=device)
    assert result.returncode == 0, result
    assert result.stdout == "Bulkhead hypervisor 0.1\nCPU 0 entered\n"
    assert result.stderr == ""


def test_console_copies_bytes_unchanged_past_one_chunk(device):
    data = bytes(range(256)) * 1000         # 256000 bytes, not text
    device.write_bytes(data)
    result = run("console", device_path=device, text=False)
    assert result.returncode == 0, result
    assert result.stdout == data


def test_console_of_an_empty_log(device):
    device.write_bytes(b"")
    result = run("console", device_path=device)
    assert result.returncode == 0, result
    assert result.stdout == ""


def test_console_without_the_driver(tmp_path):
    result = run("console", device_path=tmp_path / "absent")
    one_line_error(result, 1, "load the driver first")
    assert result.stdout == ""


def test_console_read_error_is_one_line(tmp_path):
    one_line_error(run("console", device_path=tmp_path), 1, "cannot read")


def read_until(stream, text, seconds=10):
    """Reads @stream until @text has arrived; returns everything read."""
    deadline = time.monotonic() + seconds
    data = b""
    while text not in data:
        left = deadline - time.monotonic()
        assert left > 0, f"{text!r} did not arrive; got {data!r}"
        ready, _, _ = select.select([stream], [], [], left)
        if ready:
            chunk = os.read(stream.fileno(), 65536)
            assert chunk, f"output ended before {text!r}; got {data!r}"
            data += chunk
    return data


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_console_follow_prints_new_text_until_stopped(device, stop):
    process = subprocess.Popen([TOOL, "console", "--follow"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment(device_path=device))
    try:
        seen = read_until(process.stdout, b"CPU 0 entered\n")
        assert seen == b"Bulkhead hypervisor 0.1\nCPU 0 entered\n"
        time.sleep(0.5)                     # more than one 200 ms poll at the end
        assert process.poll() is None, "console --follow stopped at the end of the log"
        with open(device, "ab") as log:
            log.write(b"CPU 1 entered\n")
        assert read_until(process.stdout, b"CPU 1 entered\n") == b"CPU 1 entered\n"
        assert process.poll() is None
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == b""
        assert process.stderr.read() == b""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
