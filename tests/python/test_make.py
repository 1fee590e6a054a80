# SPDX-License-Identifier: GPL-2.0
"""`make` on a fresh clone: kernel headers of the running kernel, or one line naming them."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_KERNEL_FILE = ROOT / 'build' / 'kernel' / 'version'


@pytest.fixture(scope='module')
def clone(tmp_path_factory):
    """The tree as a fresh clone has it: every file git would keep, no build/."""
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b'\0')
    target = tmp_path_factory.mktemp('clone')
    for name in filter(None, files):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    assert not (target / 'build').exists()
    return target


def make(tree, *arguments):
    # TEST_KERNEL= stands for a clone where `make deps` never fetched the
    # test machine's kernel; RUNNING_KERNEL stands for `uname -r`.
    return subprocess.run(['make', '-j2', '--no-print-directory', 'TEST_KERNEL=', *arguments],
                          cwd=tree, capture_output=True, text=True, timeout=600)


def test_without_headers_make_builds_the_rest_and_names_the_package(clone):
    result = make(clone, 'RUNNING_KERNEL=0.0.0-absent')
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        'make: bulkhead.ko not built: no kernel headers at /lib/modules/0.0.0-absent/build: '
        'install linux-headers-0.0.0-absent or pass KDIR=DIR'], result.stderr
    for built in ('hypervisor/bulkhead-intel.bin', 'tools/bulkhead',
                  'build/configs/bochs-system.cell', 'build/configs/tiny-demo.cell',
                  'inmates/demos/x86/tiny-demo.bin'):
        assert (clone / built).is_file(), built
    assert not (clone / 'driver' / 'bulkhead.ko').exists()


def test_driver_and_install_refuse_without_headers(clone, tmp_path):
    for target in ('driver', 'install'):
        result = make(clone, 'RUNNING_KERNEL=0.0.0-absent', target, f'DESTDIR={tmp_path}')
        assert result.returncode != 0
        assert result.stderr.splitlines()[0] == (
            'make: no kernel headers at /lib/modules/0.0.0-absent/build: '
            'install linux-headers-0.0.0-absent or pass KDIR=DIR'), result.stderr
    assert not list(tmp_path.iterdir())


def test_a_missing_kdir_given_by_hand_is_named(clone):
    result = make(clone, 'KDIR=/nonexistent/headers', 'driver')
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        'make: no kernel headers at /nonexistent/headers: pass KDIR= the build '
        'directory of installed kernel headers')


def test_module_builds_against_the_running_kernels_headers(clone):
    release = TEST_KERNEL_FILE.read_text().strip() if TEST_KERNEL_FILE.exists() else ''
    if not release or not Path(f'/lib/modules/{release}/build').is_dir():
        pytest.skip('no kernel headers under /lib/modules to build against (run make deps)')
    result = make(clone, f'RUNNING_KERNEL={release}')
    assert result.returncode == 0, result.stderr[-2000:]
    module = clone / 'driver' / 'bulkhead.ko'
    vermagic = subprocess.run(['/sbin/modinfo', '-F', 'vermagic', str(module)],
                              capture_output=True, text=True, check=True).stdout
    assert vermagic.split()[0] == release


def test_install_puts_everything_under_destdir(clone, tmp_path):
    release = TEST_KERNEL_FILE.read_text().strip() if TEST_KERNEL_FILE.exists() else ''
    if not release or not Path(f'/lib/modules/{release}/build').is_dir():
        pytest.skip('no kernel headers under /lib/modules to build against (run make deps)')
    result = make(clone, f'RUNNING_KERNEL={release}', 'install', f'DESTDIR={tmp_path}')
    assert result.returncode == 0, result.stderr[-2000:]
    for path in ('lib/firmware/bulkhead-intel.bin', f'lib/modules/{release}/extra/bulkhead.ko',
                 'usr/local/sbin/bulkhead', 'usr/local/lib/bulkhead/bulkhead_config/create.py',
                 'usr/local/share/bulkhead/inmates/tiny-demo.bin',
                 'usr/local/share/bulkhead/configs/bochs-system.dts',
                 'usr/share/bash-completion/completions/bulkhead'):
        assert (tmp_path / path).is_file(), path
    if shutil.which('help2man'):
        assert (tmp_path / 'usr/local/share/man/man8/bulkhead-config.8').is_file()
    tool = subprocess.run([tmp_path / 'usr/local/sbin/bulkhead-config', '--version'],
                          capture_output=True, text=True)
    assert tool.stdout.startswith('bulkhead-config ')
