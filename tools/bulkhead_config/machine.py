# SPDX-License-Identifier: GPL-2.0
"""Where facts about a machine come from: the live machine, or an archive of it.

Paths are relative to the machine's root (proc/iomem).  An archive made by
collect holds each file it read under ARCHIVE_DIR with the same path, plus
two things that are not plain files: kernel-log, the kernel's boot lines about
IOAPICs and ACPI tables (from /dev/kmsg), and msr/cpuN, the VMX capability
MSRs of each CPU (from /dev/cpu/N/msr), one "MSR VALUE" pair a line.
collect.json says what was read and what was missing.  This module needs
nothing but Python's standard library: collect runs on the target machine.
"""

import errno
import gzip
import io
import json
import os
import re
import tarfile
import time
import zlib

from .errors import ConfigError

ARCHIVE_DIR = 'bulkhead-machine'
MANIFEST = 'collect.json'
FORMAT = 1
MAX_ARCHIVE_BYTES = 64 << 20

PROC_FILES = ('proc/iomem', 'proc/ioports', 'proc/cpuinfo', 'proc/cmdline',
              'proc/consoles', 'proc/tty/driver/serial', 'proc/sys/kernel/osrelease')
ACPI_TABLES = ('APIC', 'FACP', 'MCFG', 'DMAR', 'HPET')
PCI_DIR = 'sys/bus/pci/devices'
PCI_FILES = ('config', 'resource', 'irq', 'vendor', 'device', 'class')
# IA32_FEATURE_CONTROL and the VMX capability MSRs (SDM Vol. 3D, appendix A.1-A.11).
VMX_MSRS = (0x3a,) + tuple(range(0x480, 0x492))
# The kernel's boot lines that say what the tables do not: how many pins
# each IOAPIC has (arch/x86 mp_register_ioapic) and where each table is.
KERNEL_LOG_LINE = re.compile(r'IOAPIC\[\d+\]: |ACPI: [A-Z0-9]{4} 0x[0-9A-Fa-f]+ ')
RUN_AS_ROOT = 'run it as root'


class Source:
    """Files of one machine; read() gives None for a file that is absent."""

    name = None     # the archive or root directory, for messages

    def where(self, path):
        return path

    def error(self, path, problem, fix):
        return ConfigError(self.where(path), problem, fix, self.name)

    def text(self, path):
        data = self.read(path)
        return None if data is None else data.decode('utf-8', 'replace')


class LiveSource(Source):
    """The machine tool runs on (root '/'), or a copy of its files under root."""

    def __init__(self, root='/'):
        self.root = root
        self.name = None if root == '/' else root

    def where(self, path):
        return os.path.join(self.root, path)

    def read(self, path):
        try:
            with open(self.where(path), 'rb') as file:
                return file.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise self.error(path, f'cannot read: {error.strerror}', RUN_AS_ROOT) from None

    def listdir(self, path):
        try:
            return sorted(os.listdir(self.where(path)))
        except OSError:
            return []

    def readlink(self, path):
        try:
            return os.readlink(self.where(path))
        except OSError:
            return None

    def kernel_log(self):
        """The kernel log lines collect keeps, from /dev/kmsg; None without it."""
        try:
            descriptor = os.open(self.where('dev/kmsg'), os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return None
        lines = []
        try:
            for record in _kmsg_records(descriptor):
                message = record.partition(';')[2].split('\n', 1)[0]
                if KERNEL_LOG_LINE.search(message):
                    lines.append(message)
        finally:
            os.close(descriptor)
        return lines

    def msrs(self):
        """{cpu: {msr: value}} from /dev/cpu/N/msr; None without the msr driver."""
        cpus = [name for name in self.listdir('dev/cpu') if name.isdigit()]
        found = {}
        for cpu in sorted(cpus, key=int):
            values = _read_msrs(self.where(f'dev/cpu/{cpu}/msr'))
            if values:
                found[int(cpu)] = values
        return found or None


def _kmsg_records(descriptor):
    """Each record of /dev/kmsg (one per read) until none is left."""
    while True:
        try:
            data = os.read(descriptor, 8192)
        except BlockingIOError:
            return
        except OSError as error:
            if error.errno == errno.EPIPE:   # the record was overwritten: go on
                continue
            return
        if not data:
            return
        # A plain file (a copy of the log) gives many records in one read.
        yield from data.decode('utf-8', 'replace').splitlines()


def _read_msrs(path):
    values = {}
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return values
    try:
        for msr in VMX_MSRS:
            try:
                data = os.pread(descriptor, 8, msr)
            except OSError:         # EIO: the CPU has no such MSR
                continue
            if len(data) == 8:
                values[msr] = int.from_bytes(data, 'little')
    finally:
        os.close(descriptor)
    return values


class ArchiveSource(Source):
    """The files of an archive made by collect, read into memory at once."""

    def __init__(self, path):
        self.name = path
        self.files = {}
        self.links = {}
        self._load(path)
        manifest = self.read(MANIFEST)
        if manifest is None:
            raise ConfigError('', f'no {ARCHIVE_DIR}/{MANIFEST}: this is not an archive '
                              'made by "bulkhead-config collect"',
                              'make one with "bulkhead-config collect"', path)
        self.manifest = _parse_manifest(manifest, path)

    def _load(self, path):
        try:
            with tarfile.open(path, 'r:gz') as archive:
                total = 0
                for member in archive:
                    total += member.size
                    if total > MAX_ARCHIVE_BYTES:
                        raise ConfigError('', 'the archive holds more than 64 MiB', 'pass '
                                          'an archive made by "bulkhead-config collect"',
                                          path)
                    self._add(archive, member)
        except FileNotFoundError:
            raise ConfigError('', 'cannot read: no such file', 'check the path', path) from None
        except IsADirectoryError:
            raise ConfigError('', 'is a directory, not an archive', 'pass the file '
                              '"bulkhead-config collect" wrote', path) from None
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise ConfigError('', f'not a readable archive ({_reason(error)})', 'pass the '
                              'file "bulkhead-config collect" wrote, whole', path) from None

    def _add(self, archive, member):
        name = member.name
        if not name.startswith(ARCHIVE_DIR + '/'):
            return
        name = name[len(ARCHIVE_DIR) + 1:]
        if member.issym():
            self.links[name] = member.linkname
        elif member.isfile():
            self.files[name] = archive.extractfile(member).read()

    def read(self, path):
        return self.files.get(path)

    def where(self, path):
        return path

    def listdir(self, path):
        prefix = path.rstrip('/') + '/'
        names = {name[len(prefix):].split('/', 1)[0]
                 for name in list(self.files) + list(self.links) if name.startswith(prefix)}
        return sorted(names)

    def readlink(self, path):
        return self.links.get(path)

    def kernel_log(self):
        text = self.text('kernel-log')
        return None if text is None else text.splitlines()

    def msrs(self):
        found = {}
        for name in self.listdir('msr'):
            if name.startswith('cpu') and name[3:].isdigit():
                found[int(name[3:])] = _parse_msr_text(self, f'msr/{name}')
        return found or None


def _reason(error):
    text = str(error) or type(error).__name__
    return text.splitlines()[0]


def _parse_manifest(data, path):
    try:
        manifest = json.loads(data)
        version = manifest['format']
    except (ValueError, KeyError, TypeError):
        raise ConfigError(MANIFEST, 'not a collect manifest', 'collect the machine '
                          'again with "bulkhead-config collect"', path) from None
    if version != FORMAT:
        raise ConfigError(MANIFEST, f'archive format {version} is not {FORMAT}', 'collect '
                          'the machine again with this version of bulkhead-config', path)
    return manifest


def _parse_msr_text(source, path):
    values = {}
    for number, line in enumerate(source.text(path).splitlines(), 1):
        words = line.split('#', 1)[0].split()
        if not words:
            continue
        try:
            msr, value = (int(word, 16) for word in words)
        except ValueError:
            raise source.error(path, f'line {number} is not "MSR VALUE" in hex',
                               'collect the machine again') from None
        values[msr] = value
    return values


def collect(source, output, tool_version):
    """Write the archive of @source to @output; returns its manifest."""
    files, links, missing = _gather(source)
    log = source.kernel_log()
    if log is None:
        missing['kernel-log'] = 'no /dev/kmsg'
    else:
        files['kernel-log'] = ''.join(line + '\n' for line in log).encode()
    msrs = source.msrs()
    if msrs is None:
        missing['msr'] = 'no /dev/cpu/*/msr: load the msr module (modprobe msr) first'
    for cpu, values in (msrs or {}).items():
        files[f'msr/cpu{cpu}'] = ''.join(f'{msr:#x} {value:#018x}\n'
                                         for msr, value in values.items()).encode()
    manifest = {'format': FORMAT, 'tool': f'bulkhead-config {tool_version}',
                'collected': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
                'files': len(files) + len(links), 'missing': missing}
    files[MANIFEST] = (json.dumps(manifest, indent=1, sort_keys=True) + '\n').encode()
    _write_archive(output, files, links)
    return manifest


def _gather(source):
    files, links, missing = {}, {}, {}
    paths = list(PROC_FILES) + ['sys/firmware/acpi/tables/' + name for name in ACPI_TABLES]
    for device in source.listdir(PCI_DIR):
        paths += [f'{PCI_DIR}/{device}/{name}' for name in PCI_FILES]
        driver = source.readlink(f'{PCI_DIR}/{device}/driver')
        if driver:
            links[f'{PCI_DIR}/{device}/driver'] = driver
    for path in paths:
        data = source.read(path)
        if data is None:
            missing[path] = 'absent'
        else:
            files[path] = data
    return files, links, missing


def _write_archive(output, files, links):
    """A gzip'd tar written through a temporary file, so a failure leaves nothing."""
    buffer = io.BytesIO()
    now = int(time.time())
    with gzip.GzipFile(fileobj=buffer, mode='wb', mtime=now) as compressed, \
            tarfile.open(fileobj=compressed, mode='w', format=tarfile.PAX_FORMAT) as archive:
        archive.addfile(_directory_info(now))
        for name in sorted(files):
            info = tarfile.TarInfo(f'{ARCHIVE_DIR}/{name}')
            info.size, info.mtime, info.mode = len(files[name]), now, 0o644
            archive.addfile(info, io.BytesIO(files[name]))
        for name in sorted(links):
            info = tarfile.TarInfo(f'{ARCHIVE_DIR}/{name}')
            info.type, info.linkname, info.mtime = tarfile.SYMTYPE, links[name], now
            archive.addfile(info)
    temporary = output + '.tmp'
    try:
        with open(temporary, 'wb') as file:
            file.write(buffer.getvalue())
        os.replace(temporary, output)
    except OSError as error:
        raise ConfigError('', f'cannot write: {error.strerror}', 'check the output path',
                          output) from None


def _directory_info(mtime):
    info = tarfile.TarInfo(ARCHIVE_DIR)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
    return info
