"""Cells that are not plain decimals read into a batch's integer column, once per distinct text.

The columnar readers (:mod:`perfrules.files.colload`, the streamed CSV pass of
:mod:`perfrules.pipeline.csvpass`) parse a column's plain decimals at once
(:func:`perfrules._intcols.plain_columns`); every other cell that holds
something — ``87.5分``, ``85%``, full-width digits, ``1,234``, ``—`` — is
read here by :func:`perfrules.files.cells.read_cell`, the per-cell reader
itself, run once per distinct text, and its value is put into the column
exactly. So the column program takes the unit as the per-cell reader
would read it:

- a number (with or without a note): into the column; a note (``'87.5分'
  read as 87.5``) is kept per row, to become the unit's ``note`` event;
- "no data" (``—``, ``N/A``): left as an empty cell is left;
- a cell the reader rejects (``无``, ``5万``, ``0/0``), or a number the
  column cannot hold as the per-unit reader's values are held
  (:func:`perfrules._intcols.from_values`: too many places, too large):
  *rejected* — the unit is read as a ``Unit`` by the per-cell reader and
  scored from it, with the same error or result it always had.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, from_values, numpy
from .cells import CellValue, NoData, read_cell

__all__ = ["OddCells", "read_odd_cells"]


class OddCells:
    """A column with its odd cells read (see the module's docstring).

    Attributes:
        column: the column, every cell read as a number in it.
        plain: which cells hold a number (False: empty, or "no data").
        notes: per row, the reader's note on its cell (``'87.5分' read as 87.5``).
        rejected: which rows hold a cell the column does not take (a NumPy bool array).
    """

    __slots__ = ("column", "notes", "plain", "rejected")

    def __init__(self, column: IntColumn, plain: Any, notes: dict[int, str], rejected: Any) -> None:
        self.column = column
        self.plain = plain
        self.notes = notes
        self.rejected = rejected


def read_odd_cells(column: IntColumn, plain: Any, cells: Sequence[tuple[int, str]]) -> OddCells:
    """*column* (with *plain*, which of its cells were plain decimals) with the *cells* — ``(row,
    text)`` of the cells that were not — read by :func:`~perfrules.files.cells.read_cell`, once per
    distinct text.

    >>> from perfrules._intcols import from_texts
    >>> col, plain = from_texts(["90", "87.5分", "", "95%", "无", "87.5分"])
    >>> found = read_odd_cells(col, plain, [(1, "87.5分"), (3, "95%"), (4, "无"), (5, "87.5分")])
    >>> [n / found.column.den for n in found.column.num.tolist()]
    [90.0, 87.5, 0.0, 0.95, 0.0, 87.5]
    >>> found.plain.tolist(), found.rejected.tolist()
    ([True, True, False, True, False, True], [False, False, False, False, True, False])
    >>> found.notes
    {1: "'87.5分' read as 87.5", 5: "'87.5分' read as 87.5"}
    """
    np = numpy()
    n = len(plain)
    rejected = np.zeros(n, dtype=bool)
    plain = plain.copy()
    notes: dict[int, str] = {}
    read: dict[str, CellValue | NoData | None] = {}  # per distinct text: its value (None: rejected)
    for _, text in cells:
        if text not in read:
            cell = read_cell(text)
            read[text] = cell if isinstance(cell, CellValue | NoData) else None
    numbers = [t for t, got in read.items() if isinstance(got, CellValue)]
    held, good = from_values([read[t].value for t in numbers])  # type: ignore[union-attr]
    index = {t: j for j, t in enumerate(numbers) if good[j]}
    rows: list[int] = []
    at: list[int] = []
    for row, text in cells:
        got = read[text]
        j = index.get(text)
        if j is not None:
            rows.append(row)
            at.append(j)
            if got.note is not None:  # type: ignore[union-attr]
                notes[row] = got.note  # type: ignore[union-attr]
        elif not isinstance(got, NoData):
            rejected[row] = True
    if not rows:
        return OddCells(column, plain, notes, rejected)
    den = math.lcm(column.den, held.den)
    mine, theirs = den // column.den, den // held.den
    bound = max(column.bound * mine, held.bound * theirs)
    wide = bound >= SAFE or column.num.dtype == object or held.num.dtype == object
    num = (as_objects(column.num) if wide else column.num) * mine
    if not wide:
        num = num.copy() if mine == 1 else num
    where = np.array(rows, dtype=np.int64)
    values = (as_objects(held.num) if wide else held.num)[np.array(at, dtype=np.int64)] * theirs
    num[where] = values
    plain[where] = True
    return OddCells(IntColumn(num, den, bound), plain, notes, rejected)
