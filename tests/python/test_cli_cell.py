# SPDX-License-Identifier: GPL-2.0
"""bulkhead cell stats, cell list, cell usage errors and the bash completion.

The tool runs against a fake sysfs directory in tmp_path (BULKHEAD_SYSFS), as
in test_cli_stats.py, laid out as the driver does it: one directory per
cell, cells/<ID>/, with name, state, cpus_assigned_list, cpus_failed_list
and statistics (the lines of the cell's CPUs). The completion is sourced
into a plain bash, which calls _bulkhead with COMP_WORDS and COMP_CWORD set
as readline would.
"""

import json
import os
import shutil
import subprocess

import pytest

from cli_tool import TOP, cpu_block, fake_sysfs, one_line_error, run

COMPLETION = os.path.join(TOP, "tools", "bulkhead-completion.bash")

# Every CPU the hypervisor has a record for: the root cell's CPU 0 and the cells' 1-3.
STATISTICS = """\
3 12 hlt 4 40 20
1 48 ept-violation 7 700 200
0 10 cpuid 5123 3120044 9120
2 10 cpuid 3 30 12
1 10 cpuid 2 5 4
"""

LIST_HEADER = "ID   NAME                     STATE            CPUS         FAILED CPUS\n"

CPU_1_EXITS = {
    "cpuid": {"reason": 10, "count": 2, "total_cycles": 5, "max_cycles": 4},
    "ept-violation": {"reason": 48, "count": 7, "total_cycles": 700, "max_cycles": 200},
}
CPU_2_EXITS = {"cpuid": {"reason": 10, "count": 3, "total_cycles": 30, "max_cycles": 12}}
CPU_3_EXITS = {"hlt": {"reason": 12, "count": 4, "total_cycles": 40, "max_cycles": 20}}

DEMO_JSON = {
    "cpus": {
        "1": {"exits": CPU_1_EXITS, "total_exits": 9},
        "2": {"exits": CPU_2_EXITS, "total_exits": 3},
    },
    "events": {},
}

NOT_ENABLED = "Bulkhead is not enabled; run 'bulkhead enable SYSCONFIG.cell' first"


def statistics_of(cpus):
    """The lines of STATISTICS for @cpus, as the driver shows a cell's statistics."""
    return "".join(line + "\n" for line in STATISTICS.splitlines()
                   if int(line.split()[0]) in cpus)


def write_cell(sysfs_dir, cell_id, name, state="running", cpus="1", failed="",
               statistics=None, events=""):
    """cells/<cell_id>/ as the driver shows it; statistics those of CPUS unless given."""
    directory = sysfs_dir / "cells" / str(cell_id)
    directory.mkdir(parents=True, exist_ok=True)
    for file, text in (("name", name), ("state", state), ("cpus_assigned_list", cpus),
                       ("cpus_failed_list", failed)):
        (directory / file).write_text(text + "\n")
    if statistics is None:
        statistics = statistics_of(cpus_of(cpus))
    (directory / "statistics").write_text(statistics)
    (directory / "events").write_text(events)
    return directory


def cpus_of(cpu_list):
    cpus = set()
    for part in cpu_list.split(","):
        first, _, last = part.partition("-")
        cpus.update(range(int(first), int(last or first) + 1))
    return cpus


@pytest.fixture
def sysfs(tmp_path):
    directory = fake_sysfs(tmp_path, STATISTICS)
    (directory / "cells").mkdir()
    write_cell(directory, 1, "demo", "running", "1-2")
    write_cell(directory, 2, "other", "shut-down", "3")
    return directory


def table_cpus(stdout):
    return [int(line.split()[1]) for line in stdout.splitlines() if line.startswith("CPU ")]


def cell_stats_json(sysfs_dir, key):
    result = run("cell", "stats", key, "--json", sysfs_dir=sysfs_dir)
    assert result.returncode == 0, result
    assert result.stderr == ""
    return json.loads(result.stdout)


# --- cell stats ----------------------------------------------------------

@pytest.mark.parametrize("key", ["demo", "1"])
def test_cell_stats_table_shows_the_cells_cpus_only(sysfs, key):
    result = run("cell", "stats", key, sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stderr == ""
    assert table_cpus(result.stdout) == [1, 2]
    assert cpu_block(result.stdout, 1) == [
        ["cpuid", "2", "5", "3", "4"],
        ["ept-violation", "7", "700", "100", "200"],
        ["total", "9", "705", "78", "200"],
    ]
    assert cpu_block(result.stdout, 2) == [
        ["cpuid", "3", "30", "10", "12"],
        ["total", "3", "30", "10", "12"],
    ]
    # The memory pool is the hypervisor's, not the cell's: no line for it.
    assert "Memory pool" not in result.stdout
    assert result.stdout.endswith("     12\n")


def test_cell_stats_table_has_the_stats_layout(sysfs):
    """Each CPU's block reads as in 'stats', blank lines between blocks, none after."""
    whole = run("stats", sysfs_dir=sysfs).stdout
    result = run("cell", "stats", "demo", sysfs_dir=sysfs)
    block_1 = "\n".join(whole.splitlines()[whole.splitlines().index("CPU 1"):][:5])
    block_2 = "\n".join(whole.splitlines()[whole.splitlines().index("CPU 2"):][:4])
    assert result.stdout == block_1 + "\n\n" + block_2 + "\n"


@pytest.mark.parametrize("key", ["demo", "1"])
def test_cell_stats_json(sysfs, key):
    assert cell_stats_json(sysfs, key) == DEMO_JSON


def test_cell_stats_shows_the_cells_events(sysfs):
    write_cell(sysfs, 1, "demo", "running", "1-2", events="1 ioapic-dropped 4\n2 apic-refused 1\n")
    lines = run("cell", "stats", "demo", sysfs_dir=sysfs).stdout.splitlines()
    start = lines.index("Events: what the hypervisor refused, dropped or confined, "
                        "and where its NMIs went")
    assert [line.split() for line in lines[start + 1:]] == [
        ["CPU", "event", "count"], ["1", "ioapic-dropped", "4"], ["2", "apic-refused", "1"]]
    assert cell_stats_json(sysfs, "demo")["events"] == {
        "1": {"ioapic-dropped": 4}, "2": {"apic-refused": 1}}


def test_cell_stats_json_matches_stats_for_the_same_cpus(sysfs):
    whole = json.loads(run("stats", "--json", sysfs_dir=sysfs).stdout)
    cell = cell_stats_json(sysfs, "demo")
    assert cell["cpus"] == {cpu: whole["cpus"][cpu] for cpu in ("1", "2")}
    assert "memory_pool" not in cell


def test_cell_stats_reads_the_cells_own_statistics(sysfs):
    """The lines of cells/<ID>/statistics, whatever the cell's CPUs and sysfs statistics say."""
    (sysfs / "cells" / "1" / "statistics").write_text("7 12 hlt 1 9 9\n")
    (sysfs / "statistics").write_text("garbage\n")
    assert cell_stats_json(sysfs, "demo") == {"cpus": {"7": {"exits": {
        "hlt": {"reason": 12, "count": 1, "total_cycles": 9, "max_cycles": 9}},
        "total_exits": 1}}, "events": {}}
    table = run("cell", "stats", "1", sysfs_dir=sysfs)
    assert table_cpus(table.stdout) == [7]


def test_cell_stats_of_the_second_cell(sysfs):
    assert cell_stats_json(sysfs, "other") == {
        "cpus": {"3": {"exits": CPU_3_EXITS, "total_exits": 4}}, "events": {}}


def test_cell_stats_when_the_cells_cpus_have_no_exits(sysfs):
    write_cell(sysfs, 1, "demo", "running", "5-6")
    table = run("cell", "stats", "demo", sysfs_dir=sysfs)
    assert table.returncode == 0, table
    assert table.stdout == "No VM exits counted yet.\n"
    assert cell_stats_json(sysfs, "demo") == {"cpus": {}, "events": {}}


def test_cell_stats_of_a_cell_whose_name_has_spaces(sysfs):
    (sysfs / "cells" / "2" / "name").write_text("my  cell\n")
    assert list(cell_stats_json(sysfs, "my  cell")["cpus"]) == ["3"]
    assert list(cell_stats_json(sysfs, "2")["cpus"]) == ["3"]


@pytest.mark.parametrize("key", ["nothing", "3", "dem", "0"])
def test_cell_stats_of_an_unknown_cell(sysfs, key):
    for args in (("cell", "stats", key), ("cell", "stats", key, "--json")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, f"no cell is named or numbered '{key}'; "
                                  "see 'bulkhead cell list'")
        assert result.stdout == ""


def test_cell_stats_when_not_enabled(sysfs):
    # The driver has no cells while disabled: the message must still say why.
    (sysfs / "enabled").write_text("0\n")
    for cell in (sysfs / "cells").iterdir():
        shutil.rmtree(cell)
    for args in (("cell", "stats", "demo"), ("cell", "stats", "demo", "--json")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, NOT_ENABLED)
        assert result.stdout == ""


def test_cell_stats_without_the_driver(tmp_path):
    one_line_error(run("cell", "stats", "demo", sysfs_dir=tmp_path / "absent"), 1,
                   "load the driver first")


def test_cell_stats_with_a_driver_lacking_cell_statistics(sysfs):
    (sysfs / "cells" / "1" / "statistics").unlink()
    one_line_error(run("cell", "stats", "demo", sysfs_dir=sysfs), 1,
                   "cells/1/statistics not found: the loaded driver is older than this tool")


def test_cell_stats_checks_every_line_before_printing(sysfs):
    (sysfs / "cells" / "1" / "statistics").write_text(statistics_of({1, 2}) + "1 12 hlt 1 1\n")
    result = run("cell", "stats", "demo", sysfs_dir=sysfs)
    one_line_error(result, 1, "cells/1/statistics:4: malformed line")
    assert result.stdout == ""


def test_cell_stats_rejects_a_repeated_reason(sysfs):
    (sysfs / "cells" / "1" / "statistics").write_text("1 10 cpuid 1 1 1\n1 10 cpuid 2 2 2\n")
    one_line_error(run("cell", "stats", "demo", sysfs_dir=sysfs), 1,
                   "cells/1/statistics:2: CPU 1 exit reason 10 repeats line 1")


def test_cell_stats_does_not_need_the_memory_pool(sysfs):
    (sysfs / "memory_pool").write_text("garbage\n")
    assert cell_stats_json(sysfs, "demo") == DEMO_JSON


CPU_LIST = "a CPU list like 1-2 or 1,3"

# (file, content, what the error says is expected)
MALFORMED_FILES = [
    ("cpus_assigned_list", "1-", CPU_LIST),
    ("cpus_assigned_list", "-1", CPU_LIST),
    ("cpus_assigned_list", "2-1", CPU_LIST),
    ("cpus_assigned_list", "1,,3", CPU_LIST),
    ("cpus_assigned_list", "1,", CPU_LIST),
    ("cpus_assigned_list", ",1", CPU_LIST),
    ("cpus_assigned_list", "1;3", CPU_LIST),
    ("cpus_assigned_list", "0x1", CPU_LIST),
    ("cpus_assigned_list", "4294967296", CPU_LIST),
    ("cpus_assigned_list", "1 2", CPU_LIST),
    ("cpus_assigned_list", "", CPU_LIST),
    ("cpus_failed_list", "1-", CPU_LIST + ", or nothing"),
    ("cpus_failed_list", "x", CPU_LIST + ", or nothing"),
    ("state", "", "a state like running or shut-down"),
    ("state", "shut down", "a state like running or shut-down"),
    ("state", "Running", "a state like running or shut-down"),
    ("state", "s" * 32, "a state like running or shut-down"),
    ("name", "", "the cell's name, 1 to 31 printable characters"),
    ("name", "n" * 32, "the cell's name, 1 to 31 printable characters"),
    ("name", "tab\there", "the cell's name, 1 to 31 printable characters"),
    ("name", "two\nlines", "the cell's name, 1 to 31 printable characters"),
    ("name", "nul\0byte", "the cell's name, 1 to 31 printable characters"),
]


@pytest.mark.parametrize("file, content, expected", MALFORMED_FILES)
def test_cell_list_rejects_a_malformed_file_by_name(sysfs, file, content, expected):
    (sysfs / "cells" / "2" / file).write_text(content + "\n")
    result = run("cell", "list", sysfs_dir=sysfs)
    one_line_error(result, 1, f"cells/2/{file}: malformed; expected {expected}")
    assert result.stdout == ""


@pytest.mark.parametrize("file, content, expected",
                         [case for case in MALFORMED_FILES if case[0] == "name"])
def test_lookups_reject_a_malformed_name(sysfs, file, content, expected):
    (sysfs / "cells" / "1" / file).write_text(content + "\n")
    for args in (("cell", "stats", "other"), ("cell", "start", "other"),
                 ("cell", "destroy", "2")):
        one_line_error(run(*args, sysfs_dir=sysfs), 1,
                       f"cells/1/{file}: malformed; expected {expected}")


@pytest.mark.parametrize("file", ["state", "cpus_assigned_list", "cpus_failed_list"])
def test_lookups_read_only_the_names(sysfs, file):
    """A cell whose state cannot be read can still be found, say to destroy it."""
    (sysfs / "cells" / "1" / file).write_text("??\n")
    assert cell_stats_json(sysfs, "demo") == DEMO_JSON


@pytest.mark.parametrize("file", ["name", "state", "cpus_assigned_list", "cpus_failed_list"])
def test_cell_list_with_a_file_missing(sysfs, file):
    (sysfs / "cells" / "2" / file).unlink()
    result = run("cell", "list", sysfs_dir=sysfs)
    one_line_error(result, 1,
                   f"cells/2/{file} not found: the loaded driver is older than this tool")
    assert result.stdout == ""


def test_cell_list_with_an_unreadable_file(sysfs):
    (sysfs / "cells" / "2" / "state").unlink()
    (sysfs / "cells" / "2" / "state").mkdir()
    result = run("cell", "list", sysfs_dir=sysfs)
    one_line_error(result, 1, "cannot read ")
    assert "cells/2/state" in result.stderr


def test_cell_commands_reject_a_stray_entry_in_cells(sysfs):
    (sysfs / "cells" / "root").mkdir()
    for args in (("cell", "list"), ("cell", "stats", "demo")):
        one_line_error(run(*args, sysfs_dir=sysfs), 1,
                       "cells/root: unexpected; expected a directory per cell, named by its ID")


def test_a_cell_destroyed_while_reading_is_left_out(sysfs):
    """Its directory is listed but gone by the time its files are read: a dangling link."""
    (sysfs / "cells" / "3").symlink_to(sysfs / "cells" / "gone")
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == ["1", "2"]
    one_line_error(run("cell", "stats", "3", sysfs_dir=sysfs), 1,
                   "no cell is named or numbered '3'")


# --- cell list -------------------------------------------------------------

def test_cell_list(sysfs):
    write_cell(sysfs, 2, "my cell", "failed/comm-revision", "3,5", failed="5")
    write_cell(sysfs, 3, "tiny", "running/locked", "4")
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stderr == ""
    assert result.stdout == LIST_HEADER + (
        "1    demo                     running          1-2          -\n"
        "2    my cell                  failed/comm-revision 3,5          5\n"
        "3    tiny                     running/locked   4            -\n")


def test_cell_list_accepts_the_longest_name(sysfs):
    write_cell(sysfs, 2, "n" * 31, "shut-down", "3")
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[2].split()[1] == "n" * 31
    assert list(cell_stats_json(sysfs, "n" * 31)["cpus"]) == ["3"]


@pytest.mark.parametrize("failed, shown", [("", "-"), ("2", "2"), ("1-2", "1-2"), ("1,7", "1,7")])
def test_cell_list_shows_failed_cpus(sysfs, failed, shown):
    write_cell(sysfs, 1, "demo", "failed", "1-2", failed=failed)
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[1].split() == ["1", "demo", "failed", "1-2", shown]


def test_cell_list_orders_cells_by_id(sysfs):
    write_cell(sysfs, 10, "ten", "running", "4")
    result = run("cell", "list", sysfs_dir=sysfs)
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == ["1", "2", "10"]
    assert cell_stats_json(sysfs, "10") == {"cpus": {}, "events": {}}


def test_cell_list_reads_a_cpu_list_of_nearly_a_page(sysfs):
    """sysfs shows at most 4 KiB; a list of single CPUs that long still parses."""
    cpus = ",".join(str(cpu) for cpu in range(1, 1000) if cpu != 2)
    assert 3800 < len(cpus) < 4000
    write_cell(sysfs, 1, "demo", "running", cpus, failed=cpus)
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[1].split() == ["1", "demo", "running", cpus, cpus]


def test_cell_list_without_cells(sysfs):
    for cell in (sysfs / "cells").iterdir():
        shutil.rmtree(cell)
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stdout == LIST_HEADER


def test_cell_list_without_the_driver(tmp_path):
    one_line_error(run("cell", "list", sysfs_dir=tmp_path / "absent"), 1,
                   "load the driver first")


def test_cell_list_with_a_driver_lacking_cells(sysfs):
    shutil.rmtree(sysfs / "cells")
    one_line_error(run("cell", "list", sysfs_dir=sysfs), 1,
                   "cells not found: the loaded driver is older than this tool")


def test_cell_commands_with_a_driver_of_the_cells_file(sysfs):
    """Drivers before the cell directories had one file, 'ID NAME STATE CPUS' a line."""
    shutil.rmtree(sysfs / "cells")
    (sysfs / "cells").write_text("1 demo running 1-2\n")
    for args in (("cell", "list"), ("cell", "stats", "demo"), ("cell", "start", "demo")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, "cells not found: the loaded driver is older than this tool")
        assert result.stdout == ""


# --- usage -----------------------------------------------------------------

CELL_USAGE = ("usage: bulkhead cell create CELL.cell | load NAME|ID IMAGE [-a ADDRESS] "
              "[-s STRING -a ADDRESS]... | start NAME|ID | shutdown NAME|ID | destroy NAME|ID | "
              "list | stats NAME|ID [--json]")


@pytest.mark.parametrize("args", [
    ("cell",),
    ("cell", "stats"),
    ("cell", "stats", "demo", "--jsn"),
    ("cell", "stats", "demo", "--json", "--json"),
    ("cell", "stats", "--json", "demo"),
    ("cell", "list", "demo"),
    ("cell", "create"),
    ("cell", "load", "demo"),
    ("cell", "start"),
    ("cell", "destroy", "demo", "now"),
])
def test_cell_usage_errors(sysfs, args):
    result = run(*args, sysfs_dir=sysfs)
    one_line_error(result, 2, CELL_USAGE)
    assert result.stderr == f"bulkhead: {CELL_USAGE}\n"
    assert result.stdout == ""


def test_unknown_cell_command(sysfs):
    one_line_error(run("cell", "frobnicate", sysfs_dir=sysfs), 2,
                   "unknown cell command 'frobnicate'; see 'bulkhead cell --help'")


def test_help_names_cell_stats():
    result = run("--help")
    assert result.returncode == 0
    cell = [line for line in result.stdout.splitlines() if line.startswith("  cell ")]
    assert len(cell) == 1
    assert "create|load|start|shutdown|destroy|list|stats ..." in cell[0]
    assert "stats NAME|ID [--json]" in cell[0]


@pytest.mark.parametrize("args", [("cell", "--help"), ("cell", "stats", "demo", "-h")])
def test_cell_help(args):
    result = run(*args)
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[0] == \
        "Usage: bulkhead cell create|load|start|shutdown|destroy|list|stats ..."
    assert "stats NAME|ID [--json]" in result.stdout


# --- bash completion -------------------------------------------------------

COMPLETE = """\
source "$1" || exit 1
shift
COMP_CWORD=$(($# - 1))
COMP_WORDS=("$@")
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_bulkhead bulkhead "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\\n' "${COMPREPLY[@]}"
"""


def complete(*words, sysfs_dir=None, cwd=None):
    """What completing the last of @words offers, after 'bulkhead'."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if sysfs_dir is not None:
        env["BULKHEAD_SYSFS"] = str(sysfs_dir)
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", COMPLETE, "bash", COMPLETION, "bulkhead",
         *words], capture_output=True, text=True, check=False, env=env, cwd=cwd, timeout=30)
    assert result.returncode == 0, result
    assert result.stderr == ""
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def files(tmp_path):
    """A working directory with configs, an image, another file and a directory."""
    directory = tmp_path / "work"
    directory.mkdir()
    for name in ("system.cell", "demo.cell", "demo.bin", "notes.txt"):
        (directory / name).write_text("")
    (directory / "configs").mkdir()
    return directory


def test_completion_registers_the_function():
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                             'source "$1" && complete -p bulkhead', "bash", COMPLETION],
                            capture_output=True, text=True, check=False, timeout=30)
    assert result.stdout == "complete -F _bulkhead bulkhead\n", result


def test_completion_of_commands():
    assert complete("") == ["enable", "disable", "hardware", "stats", "console", "cell",
                            "latency", "--help", "--version"]
    assert complete("c") == ["console", "cell"]
    assert complete("l") == ["latency"]
    assert complete("st") == ["stats"]
    assert complete("--v") == ["--version"]


def test_completion_of_latency(files):
    assert complete("latency", "", cwd=files) == ["demo.cell", "system.cell", "configs"]
    assert complete("latency", "demo.cell", "", cwd=files) == ["demo.bin", "configs"]
    assert complete("latency", "demo.cell", "demo.bin", "--p", cwd=files) == [
        "--period-us", "--pollute-kib", "--plot"]
    assert complete("latency", "demo.cell", "demo.bin", "--json", "n", cwd=files) == [
        "notes.txt"]
    assert complete("latency", "demo.cell", "demo.bin", "--samples", "", cwd=files) == []


def test_completion_of_cell_subcommands():
    assert complete("cell", "") == ["create", "load", "start", "shutdown", "destroy", "list",
                                    "stats"]
    assert complete("cell", "s") == ["start", "shutdown", "stats"]
    assert complete("cell", "l") == ["load", "list"]


@pytest.mark.parametrize("subcommand", ["start", "shutdown", "destroy", "load", "stats"])
def test_completion_of_cell_names(sysfs, subcommand):
    write_cell(sysfs, 3, "my cell", "running", "4")
    assert complete("cell", subcommand, "", sysfs_dir=sysfs) == ["demo", "other", "my\\ cell"]
    assert complete("cell", subcommand, "o", sysfs_dir=sysfs) == ["other"]
    assert complete("cell", subcommand, "my\\ ", sysfs_dir=sysfs) == ["my\\ cell"]


def test_completion_of_cell_names_without_cells(sysfs, tmp_path):
    for cell in (sysfs / "cells").iterdir():
        shutil.rmtree(cell)
    assert complete("cell", "stats", "", sysfs_dir=sysfs) == []
    assert complete("cell", "stats", "", sysfs_dir=tmp_path / "absent") == []


def test_completion_of_cell_names_keeps_a_name_as_it_is(sysfs):
    (sysfs / "cells" / "2" / "name").write_text(" lead and trail \n")
    assert complete("cell", "start", "", sysfs_dir=sysfs) == ["demo", "\\ lead\\ and\\ trail\\ "]


def test_completion_of_cell_names_skips_unreadable_cells(sysfs):
    (sysfs / "cells" / "2" / "name").unlink()
    (sysfs / "cells" / "junk").mkdir()
    assert complete("cell", "start", "", sysfs_dir=sysfs) == ["demo"]


def test_completion_of_cell_names_with_failglob(sysfs):
    """No cells must complete nothing, without an error, whatever the user's glob options."""
    for cell in (sysfs / "cells").iterdir():
        shutil.rmtree(cell)
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-O", "failglob", "-c", COMPLETE, "bash", COMPLETION,
         "bulkhead", "cell", "start", ""], capture_output=True, text=True, check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BULKHEAD_SYSFS": str(sysfs)},
        timeout=30)
    assert result.returncode == 0, result
    assert result.stdout.strip() == "" and result.stderr == ""


def test_completion_of_cell_list_and_names_after_the_name(sysfs):
    assert complete("cell", "list", "", sysfs_dir=sysfs) == []
    assert complete("cell", "start", "demo", "", sysfs_dir=sysfs) == []


def test_completion_of_flags(sysfs):
    assert complete("stats", "") == ["--json"]
    assert complete("stats", "--json", "") == []
    assert complete("console", "--f") == ["--follow"]
    assert complete("cell", "stats", "demo", "", sysfs_dir=sysfs) == ["--json"]
    assert complete("cell", "stats", "demo", "--json", "", sysfs_dir=sysfs) == []
    assert complete("hardware", "") == ["check"]
    assert complete("hardware", "check", "") == ["--msr-file"]


@pytest.mark.parametrize("words", [("enable",), ("cell", "create")])
def test_completion_of_cell_files(files, words):
    assert sorted(complete(*words, "", cwd=files)) == ["configs", "demo.cell", "system.cell"]
    assert complete(*words, "s", cwd=files) == ["system.cell"]


def test_completion_of_files_to_load(files, sysfs):
    assert sorted(complete("cell", "load", "demo", "", sysfs_dir=sysfs, cwd=files)) == \
        ["configs", "demo.bin", "demo.cell", "notes.txt", "system.cell"]
    assert sorted(complete("cell", "load", "demo", "demo.", sysfs_dir=sysfs, cwd=files)) == \
        ["demo.bin", "demo.cell"]
    assert sorted(complete("cell", "load", "demo", "demo.bin", "", sysfs_dir=sysfs,
                           cwd=files)) == ["-a", "-s"]
    assert complete("cell", "load", "demo", "demo.bin", "-s", "", sysfs_dir=sysfs,
                    cwd=files) == []


def test_completion_of_an_msr_file(files):
    assert complete("hardware", "check", "--msr-file", "n", cwd=files) == ["notes.txt"]
