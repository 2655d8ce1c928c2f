"""A data file's rows gathered per unit, one unit at a time, wherever its rows are in the file.

The streamed paths (:mod:`perfrules.pipeline.stream`) read a file as groups of
rows, one group per unit, and turn each into a unit with the same reader
:func:`~perfrules.files.data.load_units` uses (:func:`unit_of`), in this
process or another.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

from ..scheme.model import Scheme
from ..scheme.units import Unit
from .cells import RawCell
from .csvcolumns import CsvRange
from .data import _Entry, _RowUnits
from .tables import Row, _Columns, iter_rows

__all__ = [
    "RowGroup",
    "named_lines",
    "runs_of_names",
    "stream_groups",
    "unit_of",
]

RowGroup = tuple[str, list[Row], bool]
"""One unit's rows as read from a file: its name, its rows in file order, and whether it comes *again*.

A group that comes again is the complete unit whose rows were apart in the
file: it replaces the group of the same name given earlier (see :func:`stream_groups`).
"""

# A row of a unit gathered again: (the unit's order among those, row number, unit, cells, row problem).
_Item = tuple[int, int, str, tuple[RawCell, ...], str | None]

_RUN_ROWS: Final = 20_000
"""Rows of units gathered again that are held in memory before a sorted run goes to disk."""


def stream_groups(
    source: str | Path,
    *,
    scheme: Scheme | None = None,
    sheet: str | None = None,
    only: frozenset[str] | None = None,
) -> tuple[_RowUnits, Iterator[RowGroup]]:
    """A file's rows grouped by unit, one unit at a time, without reading the cells yet.

    A unit is every row that names it, wherever the rows are, as
    :func:`load_units` gathers them. When a unit's rows are together (the
    usual layout: its year row, then its period rows) each group is given
    as soon as its last row is read. A unit whose rows come back after
    another unit's (all units' first-quarter rows, then all second-quarter
    rows …; a name given twice) is gathered again once the file has been
    read: a second pass over the file collects that unit's rows, in sorted
    runs spilled to a temporary file (memory stays bounded, whatever the
    file's size), and its complete group is then given with ``again=True``;
    the consumer lets the earlier, partial group of that name go. Rows that
    name no unit raise :class:`~perfrules.DataError` once the file has been
    read. The reader turns each group into a unit (in this process or
    another).
    """
    path = Path(source)
    header, rows = iter_rows(path, sheet=sheet)
    reader = _RowUnits(header, scheme=scheme, origin=str(path), only=only)
    reader.file_notes[:0] = rows.notes  # a workbook's hidden sheets

    def groups() -> Iterator[RowGroup]:
        given: set[str] = set()
        apart: dict[str, int] = {}
        current: RowGroup | None = None
        for row in rows:
            name = reader.name_of(row)
            if name is None:
                continue
            if current is not None and current[0] == name:
                current[1].append(row)
                continue
            if name in given or name in apart:
                # Rows of a unit already given: the unit is gathered again at the end.
                apart.setdefault(name, len(apart))
                continue
            if current is not None:
                given.add(current[0])
                yield current
            current = (name, [row], False)
        if current is not None:
            yield current
        reader.raise_problems()
        if apart:
            yield from _gathered_again(path, sheet, reader, apart)

    return reader, groups()


def _gathered_again(
    path: Path, sheet: str | None, reader: _RowUnits, apart: Mapping[str, int]
) -> Iterator[RowGroup]:
    """The complete groups of the units whose rows are apart: a second pass, an external sort by unit."""
    import heapq
    import pickle
    import tempfile

    _, rows = iter_rows(path, sheet=sheet)
    buffer: list[_Item] = []
    runs: list[list[int]] = []  # per sorted run on disk, the offsets of its blocks
    with tempfile.TemporaryFile(prefix="perfrules-rows-") as spill:

        def flush() -> None:
            buffer.sort(key=lambda item: (item[0], item[1]))
            offsets = []
            for i in range(0, len(buffer), 1000):
                offsets.append(spill.tell())
                pickle.dump(buffer[i : i + 1000], spill, protocol=pickle.HIGHEST_PROTOCOL)
            runs.append(offsets)
            buffer.clear()

        def read(offsets: list[int]) -> Iterator[_Item]:
            for offset in offsets:
                spill.seek(offset)
                block: list[_Item] = pickle.load(spill)  # our own temporary file
                yield from block

        for row in rows:
            name = reader.name_of(row)
            order = apart.get(name) if name is not None else None
            if order is not None:
                assert name is not None
                buffer.append((order, row.number, name, row.cells, row.problem))
                if len(buffer) >= _RUN_ROWS:
                    flush()
        if runs:
            if buffer:
                flush()
            merged: Iterator[_Item] = heapq.merge(
                *(read(r) for r in runs), key=lambda item: (item[0], item[1])
            )
        else:
            buffer.sort(key=lambda item: (item[0], item[1]))
            merged = iter(buffer)
        group: RowGroup | None = None
        for _, number, name, cells, problem in merged:
            if group is None or group[0] != name:
                if group is not None:
                    yield group
                group = (name, [], True)
            group[1].append(Row(number=number, cells=cells, problem=problem))
        if group is not None:
            yield group


def unit_of(reader: _RowUnits, group: RowGroup) -> Unit:
    """The unit a group of rows describes (its cells read now)."""
    name, rows, _ = group
    entry = _Entry()
    for row in rows:
        reader.add(row, name, entry)
    return reader.build(name, entry)


def named_lines(
    chunk: CsvRange, columns: _Columns, reader: _RowUnits, fast_name: Mapping[int, str]
) -> Iterator[tuple[str, int | Row]]:
    """Every line of a byte range that names a unit, in file order: ``(name, regular position)`` for a
    line that may be read as columns (*fast_name*: its name by position), ``(name, Row)`` for any other."""
    position_of = {line: k for k, line in enumerate(chunk.lines.tolist())}
    for line in range(len(chunk.numbers)):
        k = position_of.get(line)
        if k is not None:
            name = fast_name.get(k)
            if name:
                yield name, k
                continue
        row = chunk.row(line, columns)
        if row is None:
            continue
        name = reader.name_of(row)
        if name is not None:
            yield name, row


def runs_of_names(lines: Iterable[tuple[str, int | Row]]) -> list[tuple[str, list[int | Row]]]:
    """Lines that follow each other with one unit's name, as one group (as the row stream groups them)."""
    groups: list[tuple[str, list[int | Row]]] = []
    for name, item in lines:
        if groups and groups[-1][0] == name:
            groups[-1][1].append(item)
        else:
            groups.append((name, [item]))
    return groups
