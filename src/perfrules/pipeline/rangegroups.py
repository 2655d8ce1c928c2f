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

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain
from typing import Any

from .._intcols import from_texts, numpy
from ..files.cells import MAX_CELL_CHARS
from ..files.csvcolumns import CsvRange, plain_decimals
from ..files.data import _LIST_SPLIT, _RowUnits
from ..files.group_columns import GroupCells, word
from ..files.tables import Row, _Columns
from ..files.unit_groups import RowGroup, named_lines, runs_of_names
from ..formula.language import normalize_name
from ..formula.text import normalize_names
from ..scoring.collookup import text_column

__all__ = ["RangeGroups", "Where", "named_rows", "range_groups", "year_columns"]

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

    def let_go(self) -> None:
        """Let the cells' offsets go (the bulk of a read range); the lines stay, to be made rows."""
        chunk = self.chunk
        chunk._line_ends()
        chunk.starts = chunk.ends = chunk._counts = None

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
    found, picked, whole = _named(chunk, where)
    out = RangeGroups(chunk, [n for n, _ in found], [i for _, i in found])
    if picked is not None:
        _take(out, picked, where, default, whole)
    return out


def named_rows(chunk: CsvRange, where: Where, wanted: Mapping[str, int]) -> list[tuple[int, int, str, Row]]:
    """The lines of the range that name a unit of *wanted* (a name and its order), as rows:
    ``(order, row number, name, row)`` each, in the range's order."""
    found, _, _ = _named(chunk, where)
    out = []
    for name, items in found:
        order = wanted.get(name)
        if order is None:
            continue
        for item in items:
            row = item if isinstance(item, Row) else chunk.row(int(chunk.lines[item]), where.columns)
            if row is not None:
                out.append((order, row.number, name, row))
    return out


def _named(chunk: CsvRange, where: Where) -> tuple[list[tuple[str, list[_Item]]], Any, bool]:
    """The range's lines that name a unit, grouped (lines that follow each other with one name);
    the regular lines that may be read as columns (None: none); and whether every line is one."""
    if chunk.records is not None:  # a range the csv module read: every line a row
        first = int(chunk.numbers[0]) if len(chunk.numbers) else 0
        return runs_of_names(_record_rows(chunk.records, first, where)), None, False
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
    whole = len(regular) == len(chunk.numbers) and len(picked) == len(regular) and all(names)
    if whole:  # the usual range: every line regular, a candidate, naming its unit
        return runs_of_names(zip(names, range(len(names)), strict=True)), picked, True
    fast_name = dict(zip(picked.tolist(), names, strict=True))
    return runs_of_names(named_lines(chunk, where.columns, where.reader, fast_name)), picked, False


def _take(out: RangeGroups, picked: Any, where: Where, default: str | None, whole: bool) -> None:
    """Find the groups the column program can take, by the rules of ``group_cells``, at once over the
    range's lines: a group is taken when each of its lines is a candidate (a regular line whose
    cells the reader reads without a word), it has one line without a period, no period twice, one
    category, and every numeric cell of its period lines is empty or a plain decimal."""
    np = numpy()
    chunk = out.chunk
    if not len(picked):
        return
    index = np.full(len(chunk.lines), -1, dtype=np.int64)  # a regular line's place among the candidates
    index[picked] = np.arange(len(picked))
    items = out.items
    groups = [g for g, lines in enumerate(items) if whole or _candidates(lines, index)]
    if not groups:
        return
    sizes = np.fromiter(map(len, (items[g] for g in groups)), dtype=np.int64, count=len(groups))
    flat = np.fromiter(chain.from_iterable(items[g] for g in groups), dtype=np.int64, count=int(sizes.sum()))
    owner = np.repeat(np.arange(len(groups)), sizes)  # each line's group (its place in *groups*)
    at = index[flat]  # each line's place among the candidates
    rows = picked[at]

    def codes(column: int | None, stripped: bool) -> tuple[Any, list[str]]:
        """Each line's cell in *column* normalised as the reader does (codes into the returned list)."""
        if column is None:
            return np.zeros(len(rows), dtype=np.int64), [""]
        cells = chunk.texts(rows, column)
        known: dict[str, int] = {}
        spelt: list[str] = []
        for cell in set(cells):
            text = normalize_name(cell.strip()) if stripped or cell else ""
            known[cell] = len(spelt)
            spelt.append(text)
        return np.fromiter(map(known.__getitem__, cells), dtype=np.int64, count=len(cells)), spelt

    label, labels = codes(where.period_at, True)
    blank_label = np.array([not t for t in labels], dtype=bool)
    year = blank_label[label]
    fine = np.bincount(owner, weights=year, minlength=len(groups)) == 1  # one line without a period
    # No period twice in a group (one period spelt two ways is the same period).
    same = {t: k for k, t in enumerate(labels)}
    label = np.array([same[t] for t in labels], dtype=np.int64)[label]
    periodic = np.flatnonzero(~year)
    key = owner[periodic] * (len(labels) + 1) + label[periodic]
    ordered = np.sort(key)
    twice = ordered[1:][ordered[1:] == ordered[:-1]] // (len(labels) + 1)
    fine[twice] = False
    # One category: the lines that give one (not blank once trimmed) all give the same.
    category, spelt = codes(where.cat_at, False)
    same = {}
    canonical = np.array([same.setdefault(t, len(same)) if t else -1 for t in spelt], dtype=np.int64)
    category = canonical[category]
    given = category >= 0
    top = np.full(len(groups), -1, dtype=np.int64)
    np.maximum.at(top, owner[given], category[given])
    low = np.full(len(groups), len(same), dtype=np.int64)
    np.minimum.at(low, owner[given], category[given])
    fine &= (top < 0) | (top == low)
    names_of = list(same)
    # The period lines' cells, and the 不适用 lists, of the groups still taken.
    keep = fine[owner]
    values: list[dict[str, object]] = [{} for _ in range(int((keep & ~year).sum()))]
    period_rows = rows[keep & ~year]
    period_owner = owner[keep & ~year]
    bad = _period_values(chunk, where, period_rows, values, period_owner.tolist())
    if bad:
        fine[list(bad)] = False
    numbers = chunk.numbers[chunk.lines[flat]].tolist()
    ends = np.cumsum(sizes).tolist()
    by_group: list[dict[str, dict[str, object]]] = [{} for _ in groups]
    for g, k, values_k in zip(period_owner.tolist(), label[keep & ~year].tolist(), values, strict=True):
        by_group[g][labels[k]] = values_k
    listed: dict[int, set[str]] = {}
    if where.na_at is not None:
        lists = chunk.texts(rows[keep], where.na_at)
        for g, text in zip(owner[keep].tolist(), lists, strict=True):
            if text and text.strip():
                listed.setdefault(g, set()).update(
                    normalize_name(c) for c in _LIST_SPLIT.split(text.strip()) if c
                )
    year_of = np.zeros(len(groups), dtype=np.int64)
    year_of[owner[year]] = flat[year]
    cells = out.cells
    taken = np.flatnonzero(fine).tolist()
    cells.taken = [groups[k] for k in taken]
    cells.categories = [names_of[int(top[k])] if top[k] >= 0 else default for k in taken]
    cells.numbers = [numbers[(ends[k] - int(sizes[k])) : ends[k]] for k in taken]
    periods: list[Mapping[str, Mapping[str, object]] | None] = [by_group[k] or None for k in taken]
    declared = [frozenset(listed.get(k, ())) for k in taken]
    out.years = year_of[taken] if taken else np.zeros(0, dtype=np.int64)
    cells.periods = periods if any(p is not None for p in periods) else None
    cells.declared = declared if any(declared) else None


def _candidates(lines: list[_Item], index: Any) -> bool:
    """Whether every line of a group is a regular line the column reader may take."""
    return all(type(item) is int and index[item] >= 0 for item in lines)


def _period_values(
    chunk: CsvRange, where: Where, rows: Any, values: list[dict[str, object]], owners: list[int]
) -> set[int]:
    """Fill each period line's values (its non-empty numeric cells as ``Decimal``, its words as the
    reader keeps them), column by column at once; the owners whose numeric cells are not all plain.
    *rows* are the lines' positions among the regular lines."""
    if not len(rows):
        return set()
    np = numpy()
    counts = chunk._filled_counts()
    texts: list[str] = []
    owner_of: list[int] = []
    placed: list[tuple[dict[str, object], str]] = []
    starts, ends = chunk.starts[rows], chunk.ends[rows]
    filled = counts[ends] - counts[starts] > 0  # lines by columns: a cell with more than spaces
    for at, name in where.numeric:
        hit = np.flatnonzero(filled[:, at])
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
        hit = np.flatnonzero(filled[:, at])
        if not len(hit):
            continue
        for p, cell in zip(hit.tolist(), chunk.texts(rows[hit], at), strict=True):
            found = word(cell)
            if found is not None:
                values[p][name] = found
    return bad


def year_columns(
    groups: RangeGroups,
    where: Where,
    reads: Sequence[str],
    text_reads: Sequence[str],
    peers: Sequence[str] = (),
) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """The taken groups' year cells as the column program reads them: each numeric column in *reads*
    parsed (with which cells are plain), each of *text_reads* as words; which units the program
    may score (every numeric cell the reader reads plain or empty); and each of *peers* the file
    has, as :func:`~perfrules.scoring.colpeers.observe_columns` reads it (parsed, plain, empty)."""
    np = numpy()
    chunk, rows = groups.chunk, groups.years
    n = len(rows)
    parsed = {}
    ok = np.ones(n, dtype=bool)
    numeric = where.numeric
    empty: dict[str, Any] = {}
    for (at, name), (col, plain) in zip(
        numeric, plain_decimals(chunk, rows, [a for a, _ in numeric]), strict=True
    ):
        parsed[name] = (col, plain)
        if not plain.all():
            blank = ~chunk.filled(rows, at)
            ok &= plain | blank
            empty[name] = blank
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
        place = text_at.get(name)
        cells = chunk.texts(rows, place) if place is not None and n else [""] * n
        words = {c: word(c) for c in set(cells)}  # each distinct word once
        columns[name] = text_column(list(map(words.__getitem__, cells)))
    none = np.zeros(n, dtype=bool)
    peer_columns = {name: (*parsed[name], empty.get(name, none)) for name in peers if name in parsed}
    return columns, ok, peer_columns


def _record_rows(records: list[list[str]], first: int, where: Where) -> Iterator[tuple[str, _Item]]:
    """The records of a range the csv module read, as rows that name a unit (as the row stream reads them)."""
    for k, record in enumerate(records):
        row = where.columns.row(first + k, record, pad=False)
        if row is not None and (name := where.reader.name_of(row)) is not None:
            yield name, row
