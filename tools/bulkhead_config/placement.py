# SPDX-License-Identifier: GPL-2.0
"""The hypervisor memory's size, where to reserve it, and root regions that never overlap."""

from .model import MemoryRegion

PAGE = 0x1000
MIB = 1 << 20
GIB = 1 << 30
LARGE_PAGE = 2 * MIB
# The memory the hypervisor needs, from Documentation/design.md ("Hypervisor
# memory layout", "Per-CPU areas") and hypervisor/include/bulkhead-hv/cell.h:
# the image with its bss (under 1 MiB), the fixed table pools of 4 cells of
# 128 pages each (2 MiB), and 2 MiB for the root cell's EPT, I/O and MSR
# bitmaps and slack; then per CPU a 32 KiB per-CPU area and a page of the
# public area, per GiB the root cell maps one EPT page directory, and per
# region two page tables where its edges split 2 MiB pages.
HYPERVISOR_FIXED = 5 * MIB
HYPERVISOR_PER_CPU = 36 << 10
HYPERVISOR_PER_GIB = 4 << 10
HYPERVISOR_PER_REGION = 8 << 10
# Keep a new reservation out of the lowest 16 MiB: ISA DMA, and where boot
# loaders and the kernel like to load.
LOWEST_RESERVATION = 16 * MIB
FOUR_GIB = 1 << 32
BUSY_RAM = ('Kernel code', 'Kernel rodata', 'Kernel data', 'Kernel bss', 'Crash kernel')


def align_up(value, alignment):
    return -(-value // alignment) * alignment


def align_down(value, alignment):
    return value // alignment * alignment


def hypervisor_size(cpus, ram_gib, regions):
    """The hypervisor memory for @cpus CPUs, rounded up to whole MiB."""
    need = (HYPERVISOR_FIXED + cpus * HYPERVISOR_PER_CPU + ram_gib * HYPERVISOR_PER_GIB +
            regions * HYPERVISOR_PER_REGION)
    return align_up(need, MIB)


def size_text(size):
    """A size as memmap= takes it: 64M, 2G, 512K, or hex bytes."""
    for suffix, unit in (('G', GIB), ('M', MIB), ('K', 1 << 10)):
        if size % unit == 0:
            return f'{size // unit}{suffix}'
    return f'{size:#x}'


def human_size(size):
    for suffix, unit in ((' GiB', GIB), (' MiB', MIB), (' KiB', 1 << 10)):
        if size % unit == 0:
            return f'{size // unit}{suffix}'
    return f'{size:#x} bytes'


def place_reservation(source, iomem, size):
    """(start, size) of System RAM to reserve: 2 MiB aligned, below 4 GiB if it fits there.

    It keeps out of the kernel's image and a crash kernel, and prefers the top
    of the highest RAM range below 4 GiB, then the lowest above."""
    size = align_up(size, LARGE_PAGE)
    ram = [r for r in iomem if r.name == 'System RAM']
    low = sorted((r for r in ram if r.end < FOUR_GIB), key=lambda r: -r.start)
    high = sorted((r for r in ram if r.end >= FOUR_GIB), key=lambda r: r.start)
    for resource in low + high:
        start = _fit_from_top(resource, size)
        if start is not None:
            return start, size
    largest = max((r.size for r in ram), default=0)
    raise source.error('proc/iomem', f'no System RAM range holds a {human_size(size)} '
                       f'reservation for the hypervisor and cells (the largest is '
                       f'{human_size(largest)})', 'ask for less with --cell-memory')


def _fit_from_top(resource, size):
    busy = sorted((child.start, child.end + 1) for child in resource.children
                  if child.name in BUSY_RAM)
    floor = max(align_up(resource.start, LARGE_PAGE), LOWEST_RESERVATION)
    end = align_down(resource.end + 1, LARGE_PAGE)
    while end - size >= floor:
        start = end - size
        blocking = [first for first, last in busy if first < end and start < last]
        if not blocking:
            return start
        end = align_down(min(blocking), LARGE_PAGE)
    return None


class Claims:
    """Memory regions of a cell, added in order of priority: a later one gets
    only what no earlier one (or a reserved range) covers, in whole pages."""

    def __init__(self):
        self.taken = []         # (start, end) of every claimed range
        self.regions = []

    def reserve(self, start, size):
        self.taken.append((start, start + size))

    def add(self, start, size, flags):
        """The regions made of [start, start + size) rounded out to pages."""
        first, last = align_down(start, PAGE), align_up(start + size, PAGE)
        pieces = [(first, last)]
        for taken_start, taken_end in self.taken:
            pieces = [part for piece in pieces
                      for part in _subtract(piece, taken_start, taken_end)]
        regions = [MemoryRegion(a, a, b - a, flags) for a, b in pieces]
        self.regions += regions
        self.taken += pieces
        return regions


def _subtract(piece, start, end):
    first, last = piece
    if end <= first or last <= start:
        return [piece]
    return [part for part in ((first, start), (end, last)) if part[0] < part[1]]
