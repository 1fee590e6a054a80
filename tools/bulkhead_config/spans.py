# SPDX-License-Identifier: GPL-2.0
"""Half-open ranges [start, end) with an origin, the ranges of a cell, and what rules ask of them."""

from collections import namedtuple

from . import abi

# A half-open range [start, end) and where it comes from.
Span = namedtuple('Span', 'start end origin')


def span(start, size, origin=''):
    return Span(start, start + size, origin)


def overlap(first, second):
    """The Span both cover (origin of first), or None."""
    start, end = max(first.start, second.start), min(first.end, second.end)
    return Span(start, end, first.origin) if start < end else None


def uncovered(target, covers):
    """The parts of target that no span in covers includes, in order."""
    parts = []
    position = target.start
    for cover in sorted(covers):
        if cover.end <= position or cover.start >= target.end:
            continue
        if cover.start > position:
            parts.append(Span(position, cover.start, target.origin))
        position = max(position, cover.end)
    if position < target.end:
        parts.append(Span(position, target.end, target.origin))
    return parts


def text(item):
    """0xSTART-0xLAST, inclusive, as the messages write ranges."""
    return f'{item.start:#x}-{item.end - 1:#x}'


def overlapping_pairs(spans):
    """Every pair (earlier, later) of overlapping spans in address order."""
    ordered = sorted(spans, key=lambda item: (item.start, item.end))
    pairs = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            if second.start >= first.end:
                break
            pairs.append((first, second))
    return pairs


def physical_spans(cell):
    """Host-physical ranges of a cell's memory; the comm region has none."""
    return [span(region.phys_start, region.size, region.origin)
            for region in cell.memory_regions
            if not region.flags & abi.MEM_COMM_REGION]


def guest_spans(cell):
    return [span(region.virt_start, region.size, region.origin)
            for region in cell.memory_regions]


def port_spans(cell):
    return [span(pio.base, pio.length, pio.origin) for pio in cell.pio_regions]
