"""A chunk of a file's row groups read for the column program: year cells, periods and 不适用 lists.

The streamed paths (:mod:`perfrules.pipeline.chunk`) score the units of a
chunk as columns where the column program (:mod:`perfrules.scoring.program`)
can take them. This module says which units of a chunk's row groups
(:mod:`perfrules.files.unit_groups`) it can take as they stand, and gives
what the program reads of them, with the rules of the per-cell reader
(:meth:`perfrules.files.data._RowUnits.add`):

- the year's row (the one row without a period): its cells, parsed as
  columns by the caller;
- each period's values (a period row's non-empty cells, plain decimals as
  ``Decimal``, words as the reader keeps them), in the rows' order (a blank
  cell reads the year's value, from the year's row parsed as columns:
  :mod:`perfrules.scoring.colperiods`);
- the indicators the unit declares not applicable (its 不适用 cells, split
  and normalised as the reader splits them), its category and its origin.

A group is taken only where the per-cell reader would find nothing to
report: no row problem, every special cell text, one year row, distinct
periods, one category, and every numeric period cell empty or a plain
decimal (:func:`perfrules._intcols.from_texts`). The caller checks the year
row's cells as it parses them. Any other group is left to the per-cell
reader (:func:`perfrules.files.unit_groups.unit_of`), which reports what it
finds in today's words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from itertools import compress, repeat
from operator import itemgetter, ne

from .._intcols import from_texts
from ..formula.language import normalize_name
from .cells import NO_DATA, RawCell, read_cell
from .data import _LIST_SPLIT, _RowUnits
from .tables import Row
from .unit_groups import RowGroup

__all__ = ["GroupCells", "group_cells", "word"]

_Periods = Mapping[str, Mapping[str, object]]  # a unit's periods' values, by label


def word(cell: RawCell) -> str | None:
    """A word cell's text as the reader keeps it (None: blank or a no-data text; not text: None)."""
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    return text if text and read_cell(text) is not NO_DATA else None


class GroupCells:
    """What the column program reads of the groups of a chunk it can take (see the module's docstring).

    Attributes:
        taken: the positions of those groups in the chunk.
        rows: each one's year row.
        categories: each one's category (the default given when its rows name none).
        numbers: each one's row numbers (its origin: ``reader.rows_origin(numbers[k])``).
        periods: per taken group, its periods' values by label where it has periods, else
            None; None when no group has.
        declared: per taken group, the indicators it declares not applicable; None when none does.
    """

    def __init__(self) -> None:
        self.taken: list[int] = []
        self.rows: list[Row] = []
        self.categories: list[str | None] = []
        self.numbers: list[list[int]] = []
        self.periods: list[_Periods | None] | None = None
        self.declared: list[frozenset[str]] | None = None


def _picker(at: Sequence[int]) -> Callable[[Sequence[RawCell]], Sequence[RawCell]]:
    """A function giving a row's cells at *at*, in one call."""
    if len(at) > 1:
        return itemgetter(*at)
    return lambda cells: tuple(cells[i] for i in at)


def group_cells(reader: _RowUnits, groups: Sequence[RowGroup], default: str | None) -> GroupCells:
    """The groups of *groups* the column program can take as they stand, and what it reads of them."""
    header = reader.header
    specials = [c for c in (reader.cat_col, reader.period_col, reader.na_col)]
    cat_col, period_col, na_col = (c if c is not None else -1 for c in specials)
    text_fields = reader.text_fields
    numeric_at = [(i, header[i]) for i in reader.inputs if header[i] not in text_fields]
    text_at = [(i, header[i]) for i in reader.inputs if header[i] in text_fields]
    numeric_of = _picker([i for i, _ in numeric_at])
    out = GroupCells()
    periods: list[dict[str, dict[str, object]] | None] = []
    declared: list[frozenset[str]] = []
    numeric: list[str] = []  # every non-empty numeric period cell of the chunk, checked at once below
    owners: list[int] = []  # the taken group (its place in out.taken) each of those cells is of
    names: dict[str, str] = {"": ""}  # a category or period cell's text, as the reader normalises it
    for g, (_, rows, _) in enumerate(groups):
        year: Row | None = None
        category = ""
        listed: set[str] = set()
        by_label: dict[str, dict[str, object]] = {}
        cells_from = len(numeric)
        fine = True
        for row in rows:
            cells = row.cells
            if row.problem is not None:
                fine = False
                break
            cat_cell = cells[cat_col] if cat_col >= 0 else ""
            period_cell = cells[period_col] if period_col >= 0 else ""
            na_cell = cells[na_col] if na_col >= 0 else ""
            if type(cat_cell) is not str or type(period_cell) is not str or type(na_cell) is not str:
                fine = False  # a cell the reader reports, or a workbook's number: the reader reads it
                break
            if cat_cell:
                found = names.get(cat_cell)
                if found is None:
                    found = names[cat_cell] = normalize_name(cat_cell.strip())
                if found:
                    if category and found != category:
                        fine = False  # the reader says the categories differ
                        break
                    category = found
            if na_cell and na_cell.strip():
                listed.update(normalize_name(c) for c in _LIST_SPLIT.split(na_cell.strip()) if c)
            label = names.get(period_cell)
            if label is None:
                label = names[period_cell] = normalize_name(period_cell.strip())
            if not label:
                if year is not None:
                    fine = False  # two rows without a period
                    break
                year = row
                continue
            if label in by_label:
                fine = False  # a period given twice
                break
            values: dict[str, object] = {}
            picked = numeric_of(cells)
            # The cells that are not "" (a cell of another type compares as not equal: kept).
            filled = map(ne, picked, repeat(""))
            for (_, name), cell in compress(zip(numeric_at, picked, strict=True), filled):
                if type(cell) is not str:
                    fine = False  # a workbook's number or date: the reader reads it
                    break
                if cell.strip():
                    numeric.append(cell)
                    owners.append(len(out.taken))
                    values[name] = cell
            for i, name in [(i, name) for i, name in text_at if cells[i] != ""]:
                cell = cells[i]
                if type(cell) is not str:
                    fine = False
                    break
                found = word(cell)
                if found is not None:
                    values[name] = found
            if not fine:
                break
            by_label[label] = values
        if not fine or year is None:
            del numeric[cells_from:], owners[cells_from:]
            continue
        out.taken.append(g)
        out.rows.append(year)
        out.categories.append(category or default)
        out.numbers.append([r.number for r in rows])
        periods.append(by_label or None)
        declared.append(frozenset(listed))
    if numeric:
        _, plain = from_texts(numeric)
        bad = {owners[k] for k in (~plain).nonzero()[0].tolist()}
        if bad:
            keep = [k for k in range(len(out.taken)) if k not in bad]
            out.taken = [out.taken[k] for k in keep]
            out.rows = [out.rows[k] for k in keep]
            out.categories = [out.categories[k] for k in keep]
            out.numbers = [out.numbers[k] for k in keep]
            periods = [periods[k] for k in keep]
            declared = [declared[k] for k in keep]
        for given in periods:
            if given is not None:
                for values in given.values():
                    for name, value in values.items():
                        if name not in text_fields:
                            values[name] = Decimal(value)  # type: ignore[arg-type]
    out.periods = list(periods) if any(p is not None for p in periods) else None
    out.declared = declared if any(declared) else None
    return out
