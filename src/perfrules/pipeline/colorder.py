"""Reading a spill file's lines in another order with bounded memory: sorted into stretches, each read whole.

A column run (:mod:`perfrules.pipeline.colrun`) writes each unit's line to a
temporary file in file order and lists the units in ranking order. Reading
the lines one by one in that order is a read (or a mapped page) per unit;
mapping the file, the system maps a run of pages around each line read, and
the process's memory grows with the file. Instead, :func:`stretches` cuts
the ranking order into stretches of a bounded number of units, copies every
line once, in one sequential pass over the file, into a second temporary file
where each stretch's lines lie together (in file order), and then reads each
stretch whole, giving where each of its units' lines lies in it. Memory is
one stretch and a few integers per unit.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

from .._intcols import numpy

__all__ = ["interleave", "stretches"]

_PASS_LINES = 65536  # lines read from the spill file at a time


def stretches(fd: int, ends: Any, rows: Any, size: int) -> Iterator[tuple[bytes, Any, Any]]:
    """For each *size* consecutive entries of *rows* (line numbers in the file *fd*, whose lines end
    at the byte offsets *ends*; -1 for an entry without a line): the stretch's lines, and each
    entry's start and end in them (0 and 0 without a line)."""
    np = numpy()
    n = len(rows)
    count = len(ends)
    stretch_count = (n + size - 1) // size
    # Each line's stretch (a line no entry reads: one more, never copied), and each stretch's
    # place in the second file.
    stretch = np.full(count, stretch_count, dtype=np.int32)
    has = rows >= 0
    stretch[rows[has]] = (np.flatnonzero(has) // size).astype(np.int32)
    lengths = np.diff(ends, prepend=0)
    sizes = np.bincount(stretch, weights=lengths, minlength=stretch_count + 1).astype(np.int64)
    del has
    with tempfile.TemporaryFile(prefix="perfrules-", suffix=".order") as second:
        out = second.fileno()
        cursor = np.cumsum(sizes) - sizes
        first = cursor.copy()
        for r0 in range(0, count, _PASS_LINES):
            r1 = min(count, r0 + _PASS_LINES)
            s0 = int(ends[r0 - 1]) if r0 else 0
            mine = stretch[r0:r1]
            read = np.flatnonzero(mine < stretch_count)
            if not len(read):
                continue
            data = os.pread(fd, int(ends[r1 - 1]) - s0, s0)
            by = read[np.argsort(mine[read], kind="stable")]  # the lines read, by stretch
            part_ends = ends[r0:r1] - s0
            stops = part_ends[by].tolist()
            starts = (part_ends - lengths[r0:r1])[by].tolist()
            moved = b"".join([data[a:b] for a, b in zip(starts, stops, strict=True)])
            per = np.bincount(mine, weights=lengths[r0:r1], minlength=stretch_count + 1).astype(np.int64)
            at = 0
            for k in np.flatnonzero(per[:stretch_count]).tolist():
                length = int(per[k])
                os.pwrite(out, moved[at : at + length], int(cursor[k]))
                cursor[k] += length
                at += length
        del stretch
        for k in range(stretch_count):
            entries = rows[k * size : (k + 1) * size]
            region = os.pread(out, int(sizes[k]), int(first[k]))
            mask = entries >= 0
            lines = entries[mask]
            in_file_order = np.sort(lines)
            line_lengths = lengths[in_file_order]
            starts = np.cumsum(line_lengths) - line_lengths
            start = np.zeros(len(entries), dtype=np.int64)
            stop = np.zeros(len(entries), dtype=np.int64)
            start[mask] = starts[np.searchsorted(in_file_order, lines)]
            stop[mask] = start[mask] + lengths[lines]
            yield region, start, stop


def interleave(data: bytes, prefixes: list[bytes], start: list[int], stop: list[int]) -> bytes:
    """Each entry's prefix followed by its bytes ``data[start:stop]``, all entries one after the other.

    >>> interleave(b"xxabcdef", [b"1,", b"22,"], [5, 2], [8, 4])
    b'1,def22,ab'
    """
    parts: list[bytes] = []
    add = parts.append
    for prefix, a, b in zip(prefixes, start, stop, strict=True):
        add(prefix)
        add(data[a:b])
    return b"".join(parts)
