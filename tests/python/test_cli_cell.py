# SPDX-License-Identifier: GPL-2.0
"""bulkhead cell stats, cell list, cell usage errors and the bash completion.

The tool runs against a fake sysfs directory in tmp_path (BULKHEAD_SYSFS), as
in test_cli_stats.py. The completion is sourced into a plain bash, which
calls _bulkhead with COMP_WORDS and COMP_CWORD set as readline would.
"""

import json
import os
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(TOP, "tools", "bulkhead")
COMPLETION = os.path.join(TOP, "tools", "bulkhead-completion.bash")

# Every CPU the hypervisor has a record for: the root cell's CPU 0 and the cells' 1-3.
STATISTICS = """\
3 12 hlt 4 40 20
1 48 ept-violation 7 700 200
0 10 cpuid 5123 3120044 9120
2 10 cpuid 3 30 12
1 10 cpuid 2 5 4
"""

CELLS = """\
1 demo running 1-2
2 other shut-down 3
"""

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
}

NOT_ENABLED = "Bulkhead is not enabled; run 'bulkhead enable SYSCONFIG.cell' first"


@pytest.fixture
def sysfs(tmp_path):
    directory = tmp_path / "sysfs"
    directory.mkdir()
    (directory / "enabled").write_text("1\n")
    (directory / "statistics").write_text(STATISTICS)
    (directory / "memory_pool").write_text("120 4096\n")
    (directory / "cells").write_text(CELLS)
    return directory


def run(*args, sysfs_dir=None):
    assert os.path.exists(TOOL), "tools/bulkhead is not built: run make"
    env = dict(os.environ)
    if sysfs_dir is not None:
        env["BULKHEAD_SYSFS"] = str(sysfs_dir)
    return subprocess.run([TOOL, *args], capture_output=True, text=True, check=False, env=env,
                          timeout=30)


def one_line_error(result, code, pattern):
    assert result.returncode == code, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bulkhead: ")
    assert pattern in lines[0], lines[0]


def table_cpus(stdout):
    return [int(line.split()[1]) for line in stdout.splitlines() if line.startswith("CPU ")]


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


def test_cell_stats_json_matches_stats_for_the_same_cpus(sysfs):
    whole = json.loads(run("stats", "--json", sysfs_dir=sysfs).stdout)
    cell = cell_stats_json(sysfs, "demo")
    assert cell["cpus"] == {cpu: whole["cpus"][cpu] for cpu in ("1", "2")}
    assert "memory_pool" not in cell


@pytest.mark.parametrize("cpus, expected", [
    ("1-2", ["1", "2"]),
    ("1,3", ["1", "3"]),
    ("3", ["3"]),
    ("0-1,3", ["0", "1", "3"]),
    ("2-3,1", ["1", "2", "3"]),
    ("1-1", ["1"]),
    ("3,7-9", ["3"]),                       # CPUs with no record are left out
])
def test_cell_stats_reads_the_cpu_list(sysfs, cpus, expected):
    (sysfs / "cells").write_text(f"1 demo running {cpus}\n")
    assert list(cell_stats_json(sysfs, "demo")["cpus"]) == expected
    table = run("cell", "stats", "demo", sysfs_dir=sysfs)
    assert table_cpus(table.stdout) == [int(cpu) for cpu in expected]


def test_cell_stats_reads_a_cpu_list_of_nearly_a_page(sysfs):
    """sysfs shows at most 4 KiB; a list of single CPUs that long still parses."""
    cpus = ",".join(str(cpu) for cpu in range(1, 1000) if cpu != 2)
    assert 3800 < len(cpus) < 4000
    (sysfs / "cells").write_text(f"1 demo running {cpus}\n")
    assert list(cell_stats_json(sysfs, "demo")["cpus"]) == ["1", "3"]


def test_cell_stats_of_the_second_cell(sysfs):
    assert cell_stats_json(sysfs, "other") == {
        "cpus": {"3": {"exits": CPU_3_EXITS, "total_exits": 4}}}


def test_cell_stats_when_the_cells_cpus_have_no_exits(sysfs):
    (sysfs / "cells").write_text("1 demo running 5-6\n")
    table = run("cell", "stats", "demo", sysfs_dir=sysfs)
    assert table.returncode == 0, table
    assert table.stdout == "No VM exits counted yet.\n"
    assert cell_stats_json(sysfs, "demo") == {"cpus": {}}


def test_cell_stats_of_a_cell_whose_name_has_spaces(sysfs):
    (sysfs / "cells").write_text("1 demo running 1-2\n2 my  cell shut-down 3\n")
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
    # The driver lists no cells while disabled: the message must still say why.
    (sysfs / "enabled").write_text("0\n")
    (sysfs / "cells").write_text("")
    for args in (("cell", "stats", "demo"), ("cell", "stats", "demo", "--json")):
        result = run(*args, sysfs_dir=sysfs)
        one_line_error(result, 1, NOT_ENABLED)
        assert result.stdout == ""


def test_cell_stats_without_the_driver(tmp_path):
    one_line_error(run("cell", "stats", "demo", sysfs_dir=tmp_path / "absent"), 1,
                   "load the driver first")


def test_cell_stats_with_a_driver_lacking_statistics(sysfs):
    (sysfs / "statistics").unlink()
    one_line_error(run("cell", "stats", "demo", sysfs_dir=sysfs), 1, "older than this tool")


def test_cell_stats_checks_the_lines_of_other_cpus_too(sysfs):
    (sysfs / "statistics").write_text(STATISTICS + "0 10 cpuid 1 1\n")
    result = run("cell", "stats", "demo", sysfs_dir=sysfs)
    one_line_error(result, 1, "statistics:6: malformed line")
    assert result.stdout == ""


def test_cell_stats_does_not_need_the_memory_pool(sysfs):
    (sysfs / "memory_pool").write_text("garbage\n")
    assert cell_stats_json(sysfs, "demo") == DEMO_JSON


@pytest.mark.parametrize("line", [
    "1 demo running 1-",
    "1 demo running -1",
    "1 demo running 2-1",
    "1 demo running 1,,3",
    "1 demo running 1,",
    "1 demo running ,1",
    "1 demo running 1;3",
    "1 demo running 0x1",
    "1 demo running 4294967296",
    "x demo running 1",
    "-1 demo running 1",
    "1 running 1",
    "1 " + "n" * 32 + " running 1",         # longer than the hypervisor allows
    "1",
])
def test_cell_commands_reject_a_malformed_cells_line_by_number(sysfs, line):
    (sysfs / "cells").write_text(f"2 other shut-down 3\n\n{line}\n")
    for args in (("cell", "stats", "demo"), ("cell", "list")):
        one_line_error(run(*args, sysfs_dir=sysfs), 1,
                       "cells:3: malformed line; expected 'ID NAME STATE CPUS'")


# --- cell list -------------------------------------------------------------

def test_cell_list(sysfs):
    (sysfs / "cells").write_text(
        "1 demo running 1-2\n2 my cell failed/comm-revision 3,5\n3 tiny running/locked 4\n")
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stderr == ""
    assert result.stdout == (
        "ID   NAME                     STATE            CPUS\n"
        "1    demo                     running          1-2\n"
        "2    my cell                  failed/comm-revision 3,5\n"
        "3    tiny                     running/locked   4\n")


def test_cell_list_without_cells(sysfs):
    (sysfs / "cells").write_text("")
    result = run("cell", "list", sysfs_dir=sysfs)
    assert result.returncode == 0, result
    assert result.stdout == "ID   NAME                     STATE            CPUS\n"


def test_cell_list_without_the_driver(tmp_path):
    one_line_error(run("cell", "list", sysfs_dir=tmp_path / "absent"), 1,
                   "load the driver first")


def test_cell_list_with_a_driver_lacking_cells(sysfs):
    (sysfs / "cells").unlink()
    one_line_error(run("cell", "list", sysfs_dir=sysfs), 1, "older than this tool")


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
                            "--help", "--version"]
    assert complete("c") == ["console", "cell"]
    assert complete("st") == ["stats"]
    assert complete("--v") == ["--version"]


def test_completion_of_cell_subcommands():
    assert complete("cell", "") == ["create", "load", "start", "shutdown", "destroy", "list",
                                    "stats"]
    assert complete("cell", "s") == ["start", "shutdown", "stats"]
    assert complete("cell", "l") == ["load", "list"]


@pytest.mark.parametrize("subcommand", ["start", "shutdown", "destroy", "load", "stats"])
def test_completion_of_cell_names(sysfs, subcommand):
    (sysfs / "cells").write_text("1 demo running 1-2\n2 other shut-down 3\n3 my cell running 4\n")
    assert complete("cell", subcommand, "", sysfs_dir=sysfs) == ["demo", "other", "my\\ cell"]
    assert complete("cell", subcommand, "o", sysfs_dir=sysfs) == ["other"]
    assert complete("cell", subcommand, "my\\ ", sysfs_dir=sysfs) == ["my\\ cell"]


def test_completion_of_cell_names_without_cells(sysfs, tmp_path):
    (sysfs / "cells").write_text("")
    assert complete("cell", "stats", "", sysfs_dir=sysfs) == []
    assert complete("cell", "stats", "", sysfs_dir=tmp_path / "absent") == []


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
