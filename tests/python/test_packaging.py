# SPDX-License-Identifier: GPL-2.0
"""Man pages that say what --help says, one version everywhere, and the Debian packages.

make deb builds bulkhead and bulkhead-dkms with debhelper and checks them with
lintian; dpkg -i then installs both in a scratch root (an overlay of the
host's files, changes kept in a tmpfs, in a private mount namespace), where
the dkms package's own postinst has Debian's dkms build the module for the
test machine's kernel, and dpkg -r removes them again.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEB_DIR = ROOT / 'build' / 'deb'
TEST_KERNEL_FILE = ROOT / 'build' / 'kernel' / 'version'
BULKHEAD_COMMANDS = ['enable', 'disable', 'hardware', 'stats', 'console', 'cell']
CONFIG_COMMANDS = ['build', 'dump', 'check', 'collect', 'create', 'cell']


def version():
    text = (ROOT / 'tools' / 'bulkhead_config' / '__init__.py').read_text()
    return re.search(r"^VERSION = '(.*)'$", text, re.M).group(1)


def make(*targets, timeout=600):
    result = subprocess.run(['make', '--no-print-directory', *targets], cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def needs(*programs):
    missing = [program for program in programs if not shutil.which(program)]
    if missing:
        pytest.skip(f'{", ".join(missing)} not installed (run make deps)')


def words(text):
    return ' '.join(text.split())


# --- versions --------------------------------------------------------------

def test_one_version_everywhere():
    expected = version()
    assert subprocess.run([ROOT / 'tools' / 'bulkhead-config', '--version'], capture_output=True,
                          text=True).stdout == f'bulkhead-config {expected}\n'
    assert f'#define VERSION "{expected}"' in (ROOT / 'tools' / 'bulkhead.c').read_text()
    assert f'#define BULKHEAD_VERSION "{expected}"' in (ROOT / 'driver' / 'main.c').read_text()
    assert f'PACKAGE_VERSION="{expected}"' in (ROOT / 'dkms.conf').read_text()
    changelog = (ROOT / 'debian' / 'changelog').read_text().splitlines()[0]
    assert changelog.startswith(f'bulkhead ({expected}) ')


# --- man pages -------------------------------------------------------------

@pytest.fixture(scope='module')
def man_pages():
    needs('help2man', 'groff')
    make('man')
    pages = {}
    for name in ('bulkhead', 'bulkhead-config'):
        # One paragraph a line and no hyphenation, so words can be compared.
        result = subprocess.run(['groff', '-man', '-Tascii', '-P-cbou', '-rLL=2000n',
                                 ROOT / 'build' / 'man' / f'{name}.8'], capture_output=True,
                                text=True, check=True)
        pages[name] = words(result.stdout)
    return pages


def help_texts(program, commands):
    tool = ROOT / 'tools' / program
    texts = [subprocess.run([tool, '--help'], capture_output=True, text=True,
                            env={'COLUMNS': '80', 'PATH': '/usr/bin:/bin'}).stdout]
    for command in commands:
        texts.append(subprocess.run([tool, command, '--help'], capture_output=True, text=True,
                                    env={'COLUMNS': '80', 'PATH': '/usr/bin:/bin'}).stdout)
    return texts


@pytest.mark.parametrize('program, commands', [('bulkhead', BULKHEAD_COMMANDS),
                                               ('bulkhead-config', CONFIG_COMMANDS)])
def test_man_page_holds_every_line_of_help(man_pages, program, commands):
    page = man_pages[program]
    missing = []
    for number, text in enumerate(help_texts(program, commands)):
        assert text.strip()
        lines = text.splitlines()
        if number == 0:
            # help2man makes the first usage line the SYNOPSIS, without "Usage:".
            lines[0] = re.sub(r'^[Uu]sage: ', '', lines[0])
        missing += [line.strip() for line in lines if line.strip() and words(line) not in page]
    assert missing == []


def test_man_page_names_every_command(man_pages):
    assert 'COMMANDS' in man_pages['bulkhead-config'] and 'COMMANDS' in man_pages['bulkhead']
    for command in CONFIG_COMMANDS:
        assert f'usage: bulkhead-config {command} ' in man_pages['bulkhead-config']
    for command in BULKHEAD_COMMANDS:
        assert f'Usage: bulkhead {command}' in man_pages['bulkhead']


# --- Debian packages -------------------------------------------------------

@pytest.fixture(scope='module')
def debs():
    needs('dpkg-buildpackage', 'dh', 'dh_dkms', 'lintian', 'help2man')
    make('deb')
    found = sorted(path.name for path in DEB_DIR.glob('*.deb'))
    assert found == [f'bulkhead-dkms_{version()}_all.deb', f'bulkhead_{version()}_amd64.deb']
    return {'bulkhead': DEB_DIR / found[1], 'bulkhead-dkms': DEB_DIR / found[0]}


def test_lintian_finds_no_errors(debs):
    result = subprocess.run(['lintian', *debs.values()], capture_output=True, text=True)
    assert not [line for line in result.stdout.splitlines() if line.startswith('E:')], \
        result.stdout


def contents(deb):
    listing = subprocess.run(['dpkg-deb', '-c', deb], capture_output=True, text=True,
                             check=True).stdout
    return {line.split()[5].removeprefix('.') for line in listing.splitlines()}


def test_bulkhead_package_holds_image_tools_inmates_configs_and_man_pages(debs):
    files = contents(debs['bulkhead'])
    for path in ('/lib/firmware/bulkhead-intel.bin', '/usr/sbin/bulkhead',
                 '/usr/sbin/bulkhead-config', '/usr/lib/bulkhead/bulkhead_config/create.py',
                 '/usr/lib/bulkhead/bulkhead-latency-plot',
                 '/usr/share/bulkhead/inmates/latency.bin',
                 '/usr/share/bash-completion/completions/bulkhead',
                 '/usr/share/bulkhead/inmates/tiny-demo.bin',
                 '/usr/share/bulkhead/configs/bochs-system.dts',
                 '/usr/share/man/man8/bulkhead.8.gz', '/usr/share/man/man8/bulkhead-config.8.gz'):
        assert path in files, path
    assert not [path for path in files if path.endswith('.ko')]


def test_dkms_package_holds_the_module_source_and_calls_dkms(debs):
    files = contents(debs['bulkhead-dkms'])
    source = f'/usr/src/bulkhead-{version()}'
    for path in ('dkms.conf', 'Kbuild', 'driver/main.c', 'common/config.c',
                 'include/bulkhead/config.h'):
        assert f'{source}/{path}' in files, path
    info = subprocess.run(['dpkg-deb', '-I', debs['bulkhead-dkms']], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r'^ Depends: .*\bdkms\b', info, re.M)
    assert 'postinst' in info and 'prerm' in info


# Runs in a private mount namespace: the scratch root is an overlay of the
# host's files whose changes all go to a tmpfs, so dpkg, the packages'
# maintainer scripts and dkms run as on a real machine and the host keeps
# nothing of it.
SCRATCH_ROOT_INSTALL = r"""
set -eu
scratch=$1 release=$2 version=$3
shift 3
mount -t tmpfs tmpfs "$scratch"
mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root"
for dir in proc sys dev; do mount --rbind "/$dir" "$scratch/root/$dir"; done
mkdir "$scratch/root/debs"
cp "$@" "$scratch/root/debs/"
in_root() { chroot "$scratch/root" "$@"; }
echo "== dpkg -i"
in_root sh -c 'dpkg -i /debs/*.deb'
echo "== dkms install"
in_root dkms install "bulkhead/$version" -k "$release" || true
echo "== dkms status"
in_root dkms status
echo "== tools"
in_root bulkhead --version
in_root bulkhead-config --version
echo "== vermagic"
in_root modinfo -F vermagic "/lib/modules/$release/updates/dkms/bulkhead.ko"
echo "== dpkg -r"
in_root dpkg -r bulkhead-dkms bulkhead
echo "== dkms status after"
in_root dkms status
"""


@pytest.fixture(scope='module')
def scratch_install(debs, tmp_path_factory):
    """What installing both packages with dpkg -i in a scratch root printed, by part."""
    needs('unshare', 'chroot', 'dkms')
    release = TEST_KERNEL_FILE.read_text().strip() if TEST_KERNEL_FILE.exists() else ''
    if not release or not Path(f'/usr/src/linux-headers-{release}').is_dir():
        pytest.skip('the test kernel\'s headers are not installed (run make deps)')
    scratch = tmp_path_factory.mktemp('scratch')
    result = subprocess.run(['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
                             SCRATCH_ROOT_INSTALL, 'install', scratch, release, version(),
                             debs['bulkhead'], debs['bulkhead-dkms']],
                            capture_output=True, text=True, timeout=600)
    if 'Operation not permitted' in result.stderr and result.returncode:
        pytest.skip('no mounts here: ' + result.stderr.strip().splitlines()[-1])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    parts = dict(re.findall(r'^== (.*)\n((?:(?!== ).*\n)*)', result.stdout, re.M))
    return release, parts


def test_dpkg_installs_both_packages_and_dkms_builds_the_module(scratch_install):
    release, parts = scratch_install
    assert f'bulkhead/{version()}, {release}, x86_64: installed' in parts['dkms status']
    assert parts['tools'] == f'bulkhead {version()}\nbulkhead-config {version()}\n'
    assert parts['vermagic'].split()[0] == release


def test_dpkg_removes_the_module_again(scratch_install):
    _, parts = scratch_install
    assert 'bulkhead' not in parts['dkms status after']
