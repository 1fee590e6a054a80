# SPDX-License-Identifier: GPL-2.0
"""The bulkhead CLI on the host: usage errors, file errors, hardware check on recordings."""

import os

import pytest

from cli_tool import TOP, one_line_error, run

MSRS = os.path.join(TOP, "tests", "data", "msrs")


def test_help_lists_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in ("enable", "disable", "hardware check"):
        assert command in result.stdout


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout == "bulkhead 0.1\n"


@pytest.mark.parametrize("args, pattern", [
    ((), "no command given"),
    (("frobnicate",), "unknown command 'frobnicate'"),
    (("enable",), "usage: bulkhead enable SYSCONFIG.cell"),
    (("enable", "a", "b"), "usage: bulkhead enable"),
    (("disable", "now"), "usage: bulkhead disable"),
    (("hardware",), "usage: bulkhead hardware check"),
    (("hardware", "check", "--msr-file"), "usage: bulkhead hardware check"),
])
def test_usage_errors_exit_2_with_one_line(args, pattern):
    one_line_error(run(*args), 2, pattern)


def test_missing_config_file(tmp_path):
    one_line_error(run("enable", str(tmp_path / "none.cell")), 1,
                   "No such file or directory")


def test_directory_is_not_a_config(tmp_path):
    one_line_error(run("enable", str(tmp_path)), 1, "is not a regular file")


@pytest.mark.skipif(os.path.exists("/dev/bulkhead"), reason="driver loaded here")
def test_enable_without_driver_names_the_fix(tmp_path):
    config = tmp_path / "x.cell"
    config.write_bytes(b"BHCONFIG")
    one_line_error(run("enable", str(config)), 1, "load the driver first")


def test_hardware_check_passes_on_the_test_machine_cpu():
    result = run("hardware", "check", "--msr-file", os.path.join(MSRS, "bochs-haswell.txt"))
    assert result.returncode == 0, result.stdout
    assert "missing" not in result.stdout
    assert "  ok       unrestricted guest" in result.stdout
    assert result.stdout.endswith("requirements met\n")


@pytest.mark.parametrize("recording, missing, advice", [
    ("vmx-locked-off.txt", ["VMX enabled in IA32_FEATURE_CONTROL"], "firmware setup"),
    ("vmx-in-use.txt", ["VMX free (CR4.VMXE clear)"], "rmmod kvm_intel"),
    ("no-ept.txt", ["EPT", "unrestricted guest"], None),
])
def test_hardware_check_names_what_is_missing(recording, missing, advice):
    result = run("hardware", "check", "--msr-file", os.path.join(MSRS, recording))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for name in missing:
        assert "  missing  " + name in lines
    assert sum(line.startswith("  missing") for line in lines) == len(missing)
    if advice:
        assert advice in result.stdout
    assert f"{len(missing)} of " in lines[-1]


def test_bad_recording_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("0x480 0x1\nnonsense here\n")
    one_line_error(run("hardware", "check", "--msr-file", str(bad)), 1, "bad.txt:2: expected")
