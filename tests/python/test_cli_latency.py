# SPDX-License-Identifier: GPL-2.0
"""bulkhead latency: its usage errors, the files it checks before it creates a
cell, and bulkhead-latency-plot.

Everything here fails before the tool touches the driver, or runs against a
fake sysfs directory (BULKHEAD_SYSFS) that says Bulkhead is not enabled; the
run itself is tests/vm/75-latency.sh.
"""

import json
import os
import subprocess

import pytest

from cli_tool import TOP, environment, one_line_error, run

CONFIGS = os.path.join(TOP, "build", "configs")
LATENCY_CELL = os.path.join(CONFIGS, "latency.cell")
IMAGE = os.path.join(TOP, "inmates", "demos", "x86", "latency.bin")
PLOTTER = os.path.join(TOP, "tools", "bulkhead-latency-plot")


@pytest.fixture(name="sysfs")
def fixture_sysfs(tmp_path):
    directory = tmp_path / "sysfs"
    directory.mkdir()
    (directory / "enabled").write_text("0\n")
    return directory


def latency(*args, **kwargs):
    assert os.path.exists(LATENCY_CELL) and os.path.exists(IMAGE), "run make"
    return run("latency", *args, **kwargs)


@pytest.mark.parametrize("args, message", [
    ((), "usage: bulkhead latency CELL.cell IMAGE"),
    (("only.cell",), "usage: bulkhead latency CELL.cell IMAGE"),
    ((LATENCY_CELL, IMAGE, "extra"), "unexpected argument 'extra'"),
    ((LATENCY_CELL, IMAGE, "--frob"), "unknown option '--frob'"),
    ((LATENCY_CELL, IMAGE, "--samples"), "--samples needs a value"),
    ((LATENCY_CELL, IMAGE, "--samples", "0"), "--samples '0': expected a whole number from 1"),
    ((LATENCY_CELL, IMAGE, "--samples", "ten"), "--samples 'ten': expected a whole number"),
    ((LATENCY_CELL, IMAGE, "--period-us", "5"), "--period-us '5': expected a whole number from 10"),
    ((LATENCY_CELL, IMAGE, "--pollute-kib", "513"), "--pollute-kib '513'"),
    ((LATENCY_CELL, IMAGE, "--bucket-ns", "0"), "--bucket-ns '0'"),
    ((LATENCY_CELL, IMAGE, "--duration", "-1"), "--duration '-1'"),
    ((LATENCY_CELL, IMAGE, "--duration", "5", "--samples", "5"),
     "--duration and --samples both given; pass one of them"),
])
def test_usage_errors(args, message, sysfs):
    one_line_error(latency(*args, sysfs_dir=sysfs), 2, message)


def test_missing_config(tmp_path, sysfs):
    one_line_error(latency(str(tmp_path / "nope.cell"), IMAGE, sysfs_dir=sysfs), 1,
                   "cannot read '%s': No such file or directory" % (tmp_path / "nope.cell"))


def test_missing_image(tmp_path, sysfs):
    one_line_error(latency(LATENCY_CELL, str(tmp_path / "nope.bin"), sysfs_dir=sysfs), 1,
                   "cannot read '%s'" % (tmp_path / "nope.bin"))


def test_config_that_is_no_cell_file(tmp_path, sysfs):
    bogus = tmp_path / "bogus.cell"
    bogus.write_bytes(b"not a config at all, but long enough to hold a header" * 4)
    one_line_error(latency(str(bogus), IMAGE, sysfs_dir=sysfs), 1,
                   "is not a .cell file; build one with 'bulkhead-config build'")


def test_system_config_instead_of_a_cell_config(sysfs):
    system = os.path.join(CONFIGS, "bochs-system.cell")
    one_line_error(latency(system, IMAGE, sysfs_dir=sysfs), 1,
                   "is a system config; pass a cell config such as latency.cell")


def test_cell_config_without_a_shared_region(sysfs):
    tiny = os.path.join(CONFIGS, "tiny-demo.cell")
    one_line_error(latency(tiny, IMAGE, sysfs_dir=sysfs), 1,
                   "has no root-shared memory region of 64 KiB or more")


def test_truncated_cell_config(tmp_path, sysfs):
    cut = tmp_path / "cut.cell"
    with open(LATENCY_CELL, "rb") as f:
        cut.write_bytes(f.read()[:24 + 96 + 8 + 40])
    one_line_error(latency(str(cut), IMAGE, sysfs_dir=sysfs), 1, "is truncated")


def test_plot_without_the_helper(tmp_path, sysfs):
    result = run("latency", LATENCY_CELL, IMAGE, "--plot", str(tmp_path / "p.png"),
                 sysfs_dir=sysfs, env_extra={"BULKHEAD_LATENCY_PLOT": str(tmp_path / "none")})
    one_line_error(result, 1, "--plot needs bulkhead-latency-plot")


def test_not_enabled_is_checked_after_the_files(sysfs):
    one_line_error(latency(LATENCY_CELL, IMAGE, sysfs_dir=sysfs), 1,
                   "Bulkhead is not enabled")


def test_help_names_the_options():
    result = run("latency", "--help")
    assert result.returncode == 0
    for option in ("--samples", "--duration", "--period-us", "--pollute-kib", "--bucket-ns",
                   "--load", "--json", "--plot"):
        assert option in result.stdout, option


def results(count=2000):
    histogram = [0] * 1024
    samples = [700 + (n * 37) % 900 for n in range(count)]
    for ns in samples:
        histogram[ns // 100] += 1
    return {"cell": "latency", "cpu": 1, "timer": "tsc-deadline", "period_ns": 500000,
            "samples": count, "min_ns": min(samples), "avg_ns": sum(samples) // count,
            "p99_ns": 1590, "p999_ns": 1595, "max_ns": max(samples), "bucket_ns": 100,
            "histogram": histogram, "latency_ns": samples}


def test_plot_helper_draws_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    data, png = tmp_path / "r.json", tmp_path / "r.png"
    data.write_text(json.dumps(results()))
    result = subprocess.run([PLOTTER, str(data), str(png)], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_helper_rejects_other_json(tmp_path):
    data = tmp_path / "r.json"
    data.write_text(json.dumps({"cpus": {}}))
    result = subprocess.run([PLOTTER, str(data), str(tmp_path / "r.png")], capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("bulkhead-latency-plot: cannot read")
    assert "write it with bulkhead latency --json" in result.stderr


def test_plot_helper_usage():
    result = subprocess.run([PLOTTER], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 1
    assert "usage: bulkhead-latency-plot RESULTS.json PLOT.png" in result.stderr


# ---- What the cell and the root paid: the report from two sysfs snapshots ----
# build/tools/latency-report-print (tests/python/latency_report_print.c) prints
# the report of a made-up run of four samples, with the tool's own code
# reading the statistics before and after from fake sysfs directories.

REPORT_PRINT = os.path.join(TOP, "build", "tools", "latency-report-print")

# CPU 0 root, CPU 1 the latency cell (ID 1), CPU 2 another cell (ID 2).  TSC 50 MHz: 50 cycles a us.
BEFORE_STATS = ("0 10 cpuid 100 5000 900\n0 30 io 50 5000 400\n1 10 cpuid 3 300 150\n"
                "1 31 rdmsr 5 500 200\n2 10 cpuid 9 900 99999\n")
BEFORE_LONGEST = "0 523 40\n1 40 310\n2 40 9999\n"


def snapshot(directory, statistics, longest, cells=(("1", "1"), ("2", "2"))):
    directory.mkdir()
    (directory / "enabled").write_text("1\n")
    (directory / "statistics").write_text(statistics)
    (directory / "longest").write_text(longest)
    for cell, cpus in cells:
        (directory / "cells" / cell).mkdir(parents=True)
        (directory / "cells" / cell / "cpus_assigned_list").write_text(cpus + "\n")
    return directory


def report(tmp_path, after_stats, after_longest=BEFORE_LONGEST,
           cells_before=(("1", "1"), ("2", "2"))):
    assert os.path.exists(REPORT_PRINT), "run make test-unit"
    before = snapshot(tmp_path / "before", BEFORE_STATS, BEFORE_LONGEST, cells_before)
    after = snapshot(tmp_path / "after", after_stats, after_longest)
    out = tmp_path / "out.json"
    result = subprocess.run([REPORT_PRINT, str(before), str(after), "1", str(out)],
                            capture_output=True, text=True, check=False, timeout=30)
    return result, out


def rows(stdout):
    """The per-reason rows of the costs table: name -> the four fields after it."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Exits during the run"))
    assert lines[start + 1].split() == ["reason", "cell", "exits", "cell", "longest", "root",
                                        "exits", "root", "longest"]
    table = {}
    for line in lines[start + 2:]:
        if not line.startswith("  "):
            break
        fields = line.split()
        table[fields[0]] = " ".join(fields[1:])
    return table


def test_quiet_cell_and_busier_root(tmp_path):
    after = BEFORE_STATS.replace("0 10 cpuid 100 5000 900", "0 10 cpuid 160 9000 1200")
    result, out = report(tmp_path, after, "0 523 95\n1 40 310\n2 40 99999\n")
    assert result.returncode == 0, result.stderr
    assert "VM exits of the cell's CPUs during the run: 0\n" in result.stdout
    # The cell made no exit: its longest came before the run; the root's cpuid grew to 24 us.
    assert rows(result.stdout) == {"cpuid": "0 <= 3.00 60 24.00", "rdmsr": "0 <= 4.00 0 -",
                                   "io": "0 - 0 <= 8.00"}
    # The longest hold of a root CPU: CPU 0's; CPU 1 and 2 are in cells.
    assert "Longest hold of a root CPU by management: 95 us (CPU 0), during the run\n" \
        in result.stdout
    data = json.loads(out.read_text())
    assert data["exits_during_run"] == 0 and data["exits_before_run"] == 8
    assert data["exit_costs"]["cpuid"] == {
        "reason": 10, "cell": {"count": 0, "max_cycles_since_enable": 150, "max_during_run": False},
        "root": {"count": 60, "max_cycles_since_enable": 1200, "max_during_run": True}}
    assert data["root_hold"] == {"longest_us": 95, "cpu": 0, "during_run": True}


def test_cell_exits_during_the_run(tmp_path):
    after = BEFORE_STATS.replace("1 31 rdmsr 5 500 200", "1 31 rdmsr 7 900 400") + \
        "1 18 vmcall 1 100 100\n"
    result, out = report(tmp_path, after)
    assert result.returncode == 0, result.stderr
    assert "VM exits of the cell's CPUs during the run: 3\n" in result.stdout
    table = rows(result.stdout)
    assert table["rdmsr"] == "2 8.00 0 -"
    assert table["vmcall"] == "1 2.00 0 -"
    # Exits during the run that were all shorter than the longest before: still "<=".
    assert "Longest hold of a root CPU by management: <= 40 us (CPU 0), before the run\n" \
        in result.stdout
    data = json.loads(out.read_text())
    assert data["exits_during_run"] == 3
    assert data["exit_costs"]["vmcall"]["cell"] == {"count": 1, "max_cycles_since_enable": 100,
                                                    "max_during_run": True}
    assert data["root_hold"]["during_run"] is False


def test_shorter_exits_during_the_run_keep_the_bound(tmp_path):
    after = BEFORE_STATS.replace("0 30 io 50 5000 400", "0 30 io 70 6000 400")
    result, _ = report(tmp_path, after)
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout)["io"] == "0 - 20 <= 8.00"


def test_malformed_statistics(tmp_path):
    result, _ = report(tmp_path, BEFORE_STATS + "0 10 cpuid lots\n")
    one_line_error(result, 1, "sysfs statistics line 6: malformed; expected 'CPU REASON NAME "
                   "COUNT TOTAL_CYCLES MAX_CYCLES'")


def test_malformed_longest(tmp_path):
    result, _ = report(tmp_path, BEFORE_STATS, "0 523\n")
    one_line_error(result, 1, "sysfs longest line 1: malformed; expected 'CPU HYPERCALL_US HOLD_US'")


def test_no_root_cpu_held(tmp_path):
    before = "0 523 0\n1 40 310\n2 40 9999\n"
    assert os.path.exists(REPORT_PRINT), "run make test-unit"
    out = tmp_path / "out.json"
    result = subprocess.run([REPORT_PRINT, str(snapshot(tmp_path / "b", BEFORE_STATS, before)),
                             str(snapshot(tmp_path / "a", BEFORE_STATS, before)), "1", str(out)],
                            capture_output=True, text=True, check=False, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Longest hold of a root CPU by management: 0 us (none held since enable)\n" \
        in result.stdout
    assert json.loads(out.read_text())["root_hold"] == {"longest_us": 0, "cpu": 0,
                                                        "during_run": False}


def test_a_cpu_that_joins_a_cell_during_the_run_is_left_out_on_both_sides(tmp_path):
    # CPU 2 was the root's at the start and is another cell's at the end: its
    # 9 cpuid exits and its hold are neither counted as the root's exits
    # during the run nor compared with the end.
    after = BEFORE_STATS.replace("0 10 cpuid 100 5000 900", "0 10 cpuid 101 5100 900")
    result, out = report(tmp_path, after, cells_before=(("1", "1"),))
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout)["cpuid"] == "0 <= 3.00 1 <= 18.00"
    assert "Longest hold of a root CPU by management: <= 40 us (CPU 0), before the run\n" \
        in result.stdout
