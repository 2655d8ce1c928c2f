"""A CSV range's lines gathered per unit and read as columns at once: year rows, periods, 不适用 lists.

A scheme with population steps and periods (the Shenzhen departments' form)
is scored from a UTF-8 CSV file range by range
(:mod:`perfrules.pipeline.rangepass`). This module reads one range
(:func:`~perfrules.files.csvcolumns.read_range`: a matrix of cell offsets,
no Python object per row or cell), gathers its lines per unit as
:func:`~perfrules.files.unit_groups.stream_groups` gathers rows (a name met
again is the caller's to gather again), and gives, for the units whose lines
the per-cell reader would read without a word to say, what
:func:`~perfrules.files.group_columns.group_cells` gives for rows: their
periods' values, 不适用 lists, categories and row numbers, by the same rules,
with each unit's year line. Their year cells are parsed straight from the
bytes (:func:`year_columns`). Every other unit's lines become the
:class:`~perfrules.files.tables.Row` objects the table reader makes of them,
to be read by the per-cell reader, which reports what it finds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from .._intcols import from_texts, numpy
from ..files.cells import MAX_CELL_CHARS
from ..files.csvcolumns import CsvRange, plain_decimals
from ..files.data import _LIST_SPLIT, _RowUnits
from ..files.group_columns import GroupCells, word
from ..files.tables import Row, _Columns
from ..files.unit_groups import RowGroup
from ..formula.language import normalize_name
from ..formula.text import normalize_names
from ..scoring.collookup import text_column

__all__ = ["RangeGroups", "Where", "range_groups", "year_columns"]

_Item = int | Row  # a regular line's position among the regular lines, or a line read as a Row


class Where:
    """Where a file's columns are among a line's cells (with unnamed columns), found once."""

    def __init__(self, columns: _Columns, reader: _RowUnits) -> None:
        keep = columns.keep
        header = reader.header
        self.columns = columns
        self.reader = reader
        self.width = columns.width
        self.name_at = keep[reader.name_col]
        self.cat_at, self.period_at, self.na_at = (
            None if c is None else keep[c] for c in (reader.cat_col, reader.period_col, reader.na_col)
        )
        self.unnamed = list(columns.unnamed)
        text_fields = reader.text_fields
        self.numeric = [(keep[i], header[i]) for i in reader.inputs if header[i] not in text_fields]
        self.text = [(keep[i], header[i]) for i in reader.inputs if header[i] in text_fields]


class RangeGroups:
    """A range's units: every group in file order, and what the column program reads of those it takes.

    Attributes:
        chunk: the range as read.
        names: each group's unit name, in file order.
        items: each group's lines (regular positions, or rows read as ``Row``).
        cells: for the groups taken (``cells.taken``), their categories, row numbers, periods and
            不适用 lists as :class:`~perfrules.files.group_columns.GroupCells` gives them for rows
            (``cells.rows`` stays empty: the year lines are in :attr:`years`).
        years: per taken group, its year line's position among the regular lines (an int64 array).
    """

    def __init__(self, chunk: CsvRange, names: list[str], items: list[list[_Item]]) -> None:
        self.chunk = chunk
        self.names = names
        self.items = items
        self.cells = GroupCells()
        self.years: Any = numpy().zeros(0, dtype=numpy().int64)

    def row_group(self, g: int, where: Where) -> RowGroup:
        """Group *g* as the row stream gives it (its lines made rows)."""
        lines = self.chunk.lines
        rows = [
            item if isinstance(item, Row) else self.chunk.row(int(lines[item]), where.columns)
            for item in self.items[g]
        ]
        return (self.names[g], [r for r in rows if r is not None], False)


def range_groups(chunk: CsvRange, where: Where, default: str | None) -> RangeGroups:
    """The range's lines gathered per unit, and what the column program reads of the groups it takes
    (see the module's docstring). Rows that name no unit are the reader's problems, as ever."""
    if chunk.records is not None:  # a range the csv module read: every line a row
        found = _grouped(_record_rows(chunk.records, int(chunk.numbers[0]) if len(chunk.numbers) else 0, where))
        return RangeGroups(chunk, [n for n, _ in found], [i for _, i in found])
    np = numpy()
    regular = chunk.lines
    candidate = np.ones(len(regular), dtype=bool)
    if len(regular):
        candidate &= chunk.ends[:, -1] - chunk.starts[:, 0] <= MAX_CELL_CHARS
        candidate &= chunk.filled(slice(None), where.name_at)
        for column in where.unnamed:
            candidate &= ~chunk.filled(slice(None), column)
    picked = np.flatnonzero(candidate)
    names = normalize_names(chunk.texts(picked, where.name_at)) if len(picked) else []
    if len(regular) == len(chunk.numbers) and len(picked) == len(regular) and all(names):
        found = _grouped(zip(names, range(len(names)), strict=True))
    else:
        fast_name = dict(zip(picked.tolist(), names, strict=True))
        found = _grouped(_ordered(chunk, where, fast_name))
    out = RangeGroups(chunk, [n for n, _ in found], [i for _, i in found])
    _take(out, picked, where, default)
    return out


def _take(out: RangeGroups, picked: Any, where: Where, default: str | None) -> None:
    """Find the groups the column program can take, by the rules of ``group_cells``."""
    np = numpy()
    chunk = out.chunk
    if not len(picked):
        return
    # Each candidate line's category, period and 不适用 cells (by position among the regular lines).
    index = np.full(len(chunk.lines), -1, dtype=np.int64)
    index[picked] = np.arange(len(picked))

    def column(at: int | None) -> list[str]:
        return chunk.texts(picked, at) if at is not None else [""] * len(picked)

    cat_cells, period_cells, na_cells = column(where.cat_at), column(where.period_at), column(where.na_at)
    normal: dict[str, str] = {"": ""}  # a category or period cell's text, as the reader normalises it
    cells = out.cells
    periods: list[dict[str, dict[str, object]] | None] = []
    declared: list[frozenset[str]] = []
    years: list[int] = []
    period_lines: list[int] = []  # the period lines of the groups taken, and each one's values
    period_values: list[dict[str, object]] = []
    period_owner: list[int] = []  # (its group's place in cells.taken)
    for g, items in enumerate(out.items):
        year = -1
        category = ""
        listed: set[str] = set()
        by_label: dict[str, dict[str, object]] = {}
        fine = True
        marked = len(period_lines)
        for item in items:
            if type(item) is not int:
                fine = False  # a line read as a Row (its problem, or a cell the reader reports)
                break
            k = int(index[item])
            if k < 0:
                fine = False
                break
            cat_cell, period_cell, na_cell = cat_cells[k], period_cells[k], na_cells[k]
            if cat_cell:
                found = normal.get(cat_cell)
                if found is None:
                    found = normal[cat_cell] = normalize_name(cat_cell.strip())
                if found:
                    if category and found != category:
                        fine = False  # the reader says the categories differ
                        break
                    category = found
            if na_cell and na_cell.strip():
                listed.update(normalize_name(c) for c in _LIST_SPLIT.split(na_cell.strip()) if c)
            label = normal.get(period_cell)
            if label is None:
                label = normal[period_cell] = normalize_name(period_cell.strip())
            if not label:
                if year >= 0:
                    fine = False  # two rows without a period
                    break
                year = item
                continue
            if label in by_label:
                fine = False  # a period given twice
                break
            values: dict[str, object] = {}
            by_label[label] = values
            period_lines.append(item)
            period_values.append(values)
            period_owner.append(len(cells.taken))
        if not fine or year < 0:
            del period_lines[marked:], period_values[marked:], period_owner[marked:]
            continue
        cells.taken.append(g)
        years.append(year)
        cells.categories.append(category or default)
        cells.numbers.append(chunk.numbers[chunk.lines[items]].tolist())  # type: ignore[index]
        periods.append(by_label or None)
        declared.append(frozenset(listed))
    bad = _period_values(chunk, where, period_lines, period_values, period_owner)
    if bad:
        keep = [k for k in range(len(cells.taken)) if k not in bad]
        cells.taken = [cells.taken[k] for k in keep]
        cells.categories = [cells.categories[k] for k in keep]
        cells.numbers = [cells.numbers[k] for k in keep]
        periods = [periods[k] for k in keep]
        declared = [declared[k] for k in keep]
        years = [years[k] for k in keep]
    out.years = np.array(years, dtype=np.int64)
    cells.periods = list(periods) if any(p is not None for p in periods) else None
    cells.declared = declared if any(declared) else None


def _period_values(
    chunk: CsvRange, where: Where, lines: list[int], values: list[dict[str, object]], owners: list[int]
) -> set[int]:
    """Fill each period line's values (its non-empty numeric cells as ``Decimal``, its words as the
    reader keeps them), column by column at once; the owners whose numeric cells are not all plain."""
    if not lines:
        return set()
    np = numpy()
    rows = np.array(lines, dtype=np.int64)
    texts: list[str] = []
    owner_of: list[int] = []
    placed: list[tuple[dict[str, object], str]] = []
    for at, name in where.numeric:
        hit = np.flatnonzero(chunk.filled(rows, at))
        if not len(hit):
            continue
        for p, cell in zip(hit.tolist(), chunk.texts(rows[hit], at), strict=True):
            if cell.strip():
                texts.append(cell)
                owner_of.append(owners[p])
                placed.append((values[p], name))
    bad: set[int] = set()
    if texts:
        _, plain = from_texts(texts)
        bad = {owner_of[k] for k in (~plain).nonzero()[0].tolist()}
        for (target, name), cell, owner in zip(placed, texts, owner_of, strict=True):
            if owner not in bad:  # (a group with a cell that is not plain is left to the reader)
                target[name] = Decimal(cell)
    for at, name in where.text:
        hit = np.flatnonzero(chunk.filled(rows, at))
        if not len(hit):
            continue
        for p, cell in zip(hit.tolist(), chunk.texts(rows[hit], at), strict=True):
            found = word(cell)
            if found is not None:
                values[p][name] = found
    return bad


def year_columns(groups: RangeGroups, where: Where, reads: Sequence[str], text_reads: Sequence[str]) -> tuple[
    dict[str, Any], Any
]:
    """The taken groups' year cells as the column program reads them: each numeric column in *reads*
    parsed (with which cells are plain), each of *text_reads* as words; and which units the program
    may score (every numeric cell the reader reads plain or empty)."""
    np = numpy()
    chunk, rows = groups.chunk, groups.years
    n = len(rows)
    parsed = {}
    ok = np.ones(n, dtype=bool)
    numeric = where.numeric
    for (at, name), (col, plain) in zip(numeric, plain_decimals(chunk, rows, [a for a, _ in numeric]), strict=True):
        parsed[name] = (col, plain)
        if not plain.all():
            ok &= plain | ~chunk.filled(rows, at)
    columns: dict[str, Any] = {}
    missing = None
    for name in reads:
        given = parsed.get(name)
        if given is None:
            if missing is None:
                missing = from_texts([""] * n)
            given = missing
        columns[name] = given
    text_at = dict((name, at) for at, name in where.text)
    for name in text_reads:
        at = text_at.get(name)
        cells = chunk.texts(rows, at) if at is not None else [""] * n
        words = {c: word(c) for c in set(cells)}  # each distinct word once
        columns[name] = text_column(list(map(words.__getitem__, cells)))
    return columns, ok


def _record_rows(records: list[list[str]], first: int, where: Where) -> Iterator[tuple[str, _Item]]:
    """The records of a range the csv module read, as rows that name a unit (as the row stream reads them)."""
    for k, record in enumerate(records):
        row = where.columns.row(first + k, record, pad=False)
        if row is not None and (name := where.reader.name_of(row)) is not None:
            yield name, row


def _ordered(chunk: CsvRange, where: Where, fast_name: dict[int, str]) -> Iterator[tuple[str, _Item]]:
    """Every line of the range that names a unit, in file order, as ``(name, regular position)`` for a
    line that may be read as columns and ``(name, Row)`` for any other."""
    position_of = {line: k for k, line in enumerate(chunk.lines.tolist())}
    for line in range(len(chunk.numbers)):
        k = position_of.get(line)
        if k is not None:
            name = fast_name.get(k)
            if name:
                yield name, k
                continue
        row = chunk.row(line, where.columns)
        if row is None:
            continue
        name = where.reader.name_of(row)
        if name is not None:
            yield name, row


def _grouped(lines: Iterator[tuple[str, _Item]] | Any) -> list[tuple[str, list[_Item]]]:
    """Lines that follow each other with one unit's name, as one group (as the row stream groups them)."""
    groups: list[tuple[str, list[_Item]]] = []
    last = None
    for name, item in lines:
        if name == last:
            groups[-1][1].append(item)
        else:
            groups.append((name, [item]))
            last = name
    return groups

