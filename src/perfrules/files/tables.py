"""A CSV file or a workbook read as a header and rows, by one set of column rules.

This module turns a data file into a header and rows. It knows nothing of
schemes or units (that is :mod:`perfrules.files.data`), and it never guesses
quietly. The bytes are decoded by :mod:`perfrules.files.encoding`, a workbook's
rows come from :mod:`perfrules.files.xlsx`, and a cell is read as a number by
:mod:`perfrules.files.cells`; here:

- duplicate column names and a column with data but no name are file errors
  (:class:`~perfrules.DataError`);
- a row with the wrong number of cells is *kept* and marked
  (:attr:`Row.problem`), so that only the unit of that row fails.

There is no limit on the size of a whole data file, only on one cell
(:data:`~perfrules.files.cells.MAX_CELL_CHARS`) and on a row's width
(:data:`~perfrules.files.cells.MAX_COLUMNS`), so that a row's memory stays
bounded whatever the file holds.
"""

from __future__ import annotations

import csv
import io
import operator
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from .._errors import DataError, Problem
from ..formula.language import normalize_name
from ..formula.text import shown_name
from .cells import (
    _SHOWN,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    CellProblem,
    RawCell,
    _blank,
    _shown,
    column_label,
)
from .encoding import read_text
from .xlsx import _xlsx_records

__all__ = [
    "Row",
    "Rows",
    "Table",
    "iter_rows",
    "read_table",
    "table_from_text",
]


@attrs.frozen
class Row:
    """One data row of a table.

    Attributes:
        number: the row's number in the file (1 is the header), as a
            spreadsheet shows it.
        cells: one cell per column of the header, in order.
        problem: why the row cannot be trusted (too few or too many cells),
            or None. Such a row is kept so that only its unit fails.
    """

    number: int
    cells: tuple[RawCell, ...]
    problem: str | None = None


@attrs.frozen
class Table:
    """A whole table: the header and every data row.

    Attributes:
        origin: the file's name, for messages.
        header: the column names (normalised as names in formulas are).
        rows: the data rows; empty rows are left out.
    """

    origin: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]


class Rows(Iterator[Row]):
    """A file's data rows, one at a time, with what the reader noted about the file.

    Attributes:
        notes: about the file as a whole, known once the header is read
            (a workbook's hidden sheets that were not read).
    """

    def __init__(self, rows: Iterator[Row], notes: Sequence[Problem] = ()) -> None:
        self._rows = rows
        self.notes = notes

    def __next__(self) -> Row:
        return next(self._rows)


class _Columns:
    """The header's rules, applied to the header and then to every row.

    Columns with an empty name are dropped when they hold nothing (Excel
    writes such columns); one with data under it is a file error, found on
    the first row that has some.
    """

    def __init__(self, raw: Sequence[object], origin: str, header_row: int) -> None:
        self.origin = origin
        if len(raw) > MAX_COLUMNS:
            raise DataError(
                [Problem(f"row {header_row}", f"has {len(raw)} columns; the limit is {MAX_COLUMNS}")],
                title=f"invalid data in {origin}",
            )
        texts = [_header_text(c, origin, header_row, i) for i, c in enumerate(raw)]
        names = [normalize_name(t) for t in texts]
        self.width = len(names)
        self.keep = [i for i, n in enumerate(names) if n]
        # The kept cells of a row as a tuple, in one call (two or more columns kept).
        self.take = operator.itemgetter(*self.keep) if len(self.keep) > 1 else None
        self.unnamed = [i for i, n in enumerate(names) if not n]
        self.header = tuple(names[i] for i in self.keep)
        seen: dict[str, int] = {}
        problems = []
        for i in self.keep:
            if names[i] in seen:
                first = seen[names[i]]
                spelt = (
                    ""
                    if texts[first].strip() == texts[i].strip()
                    else f" (spelt {shown_name(texts[first])} and {shown_name(texts[i])})"
                )
                problems.append(
                    Problem(
                        f"row {header_row}",
                        f"{column_label(first)} and {column_label(i)} are both named '{names[i]}'{spelt}",
                    )
                )
            else:
                seen[names[i]] = i
        if problems:
            raise DataError(problems, title=f"invalid data in {self.origin}")
        if not self.header:
            raise DataError(
                [Problem(f"row {header_row}", "the header row names no columns")],
                title=f"invalid data in {origin}",
            )

    def row(self, number: int, cells: Sequence[RawCell], *, pad: bool) -> Row | None:
        """The row as the table keeps it; None for an empty row."""
        # A CSV record (pad False: every cell text) of as many short cells as the header: kept at once.
        quick = not pad and len(cells) == self.width and self.take is not None and not self.unnamed
        if quick and len(joined := "".join(cells)) <= MAX_CELL_CHARS:  # type: ignore[arg-type]
            return Row(number=number, cells=self.take(cells), problem=None) if joined.strip() else None  # type: ignore[misc]
        text = type(cells) is list and set(map(type, cells)) == {str}  # a CSV row: every cell text
        if text:
            if not "".join(cells).strip():  # type: ignore[arg-type]
                return None
        elif all(_blank(c) for c in cells):
            return None
        for i in self.unnamed:
            if i < len(cells) and not _blank(cells[i]):
                raise DataError(
                    [
                        Problem(
                            f"row {number}, {column_label(i)}",
                            f"has {_shown(str(cells[i]))} but the column has no name in the header",
                        )
                    ],
                    title=f"invalid data in {self.origin}",
                )
        problem = None
        extra = [c for c in cells[self.width :] if not _blank(c)]
        if len(cells) > MAX_COLUMNS:
            problem = f"has {len(cells)} cells; the limit is {MAX_COLUMNS}"
        elif extra or (len(cells) < self.width and not pad):
            problem = f"has {len(cells)} cells; the header has {self.width}"
        take = self.take
        if text and take is not None and len(cells) >= self.width and max(map(len, cells)) <= MAX_CELL_CHARS:  # type: ignore[arg-type]
            # Every cell within the limit: the kept columns taken at once.
            kept = take(cells)
        else:
            kept = tuple(_cell_limit(cells[i]) if i < len(cells) else "" for i in self.keep)
        return Row(number=number, cells=kept, problem=problem)


def _cell_limit(cell: RawCell) -> RawCell:
    if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
        return CellProblem(cell[:_SHOWN], f"{_shown(cell)} is longer than {MAX_CELL_CHARS} characters")
    return cell


def _header_text(cell: object, origin: str, row: int, index: int) -> str:
    if isinstance(cell, CellProblem):
        raise DataError(
            [Problem(f"row {row}, {column_label(index)}", cell.message)], title=f"invalid data in {origin}"
        )
    text = "" if cell is None else str(cell)
    if len(text) > MAX_CELL_CHARS:
        raise DataError(
            [
                Problem(
                    f"row {row}, {column_label(index)}",
                    f"the column name is longer than {MAX_CELL_CHARS} characters",
                )
            ],
            title=f"invalid data in {origin}",
        )
    return text


def _csv_rows(text: str, origin: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with their numbers (a record is a spreadsheet row, even with line breaks in a cell)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(
                [Problem(f"row {number + 1}", f"not valid CSV: {exc}")], title=f"invalid data in {origin}"
            ) from None
        number += 1
        yield number, record


def _table_rows(
    records: Iterator[tuple[int, Sequence[RawCell]]], origin: str, *, pad: bool
) -> tuple[tuple[str, ...], Iterator[Row]]:
    for number, record in records:
        if all(_blank(c) for c in record):
            continue  # blank lines above the header
        columns = _Columns(record, origin, number)
        break
    else:
        raise DataError([Problem(origin, "the file is empty")], title=f"invalid data in {origin}")

    rows = (row for number, record in records if (row := columns.row(number, record, pad=pad)) is not None)
    return columns.header, rows


def iter_rows(path: str | Path, *, sheet: str | None = None) -> tuple[tuple[str, ...], Rows]:
    """Read a CSV file or an Excel workbook as a header and a stream of rows.

    CSV is decoded by :func:`~perfrules.files.encoding.read_text`, on the whole file (the encoding is
    decided on all its bytes), then parsed a row at a time. A workbook (``.xlsx``, ``.xlsm``;
    needs the ``excel`` extra) is read from its first visible sheet, or *sheet*
    (hidden sheets are listed in the rows' ``notes``);
    numbers stay exact (a whole number stays whole, a decimal is read by its
    shortest form: ``0.85`` is 85/100), and formulas count by the value Excel
    last computed for them. A cell merged down several rows gives its value
    to each of them; a value merged across columns is a problem of its cells.
    A workbook is checked before it is read: its parts' unzipped sizes, its
    rows and columns (:data:`~perfrules.files.xlsx.MAX_XLSX_HELD_BYTES` and the other limits).

    Column rules, the same for both: names are normalised (full-width
    letters, spaces); two columns with one name are a file error; columns
    with no name and nothing in them are dropped; empty rows are skipped. A
    row with too few or too many cells is kept with its :attr:`Row.problem`.

    Args:
        path: the file.
        sheet: the sheet of a workbook (default: the first visible one;
            a hidden sheet is read only when named).

    Returns:
        The header and an iterator over the data rows. File errors in rows
        (data under a column with no name) are raised while iterating.

    Raises:
        DataError: the file cannot be read, or its header is invalid.
        FileNotFoundError: no such file.
    """
    target = Path(path)
    origin = str(path)
    suffix = target.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        notes: list[Problem] = []
        header, rows = _table_rows(_xlsx_records(target, origin, sheet, notes), origin, pad=True)
        return header, Rows(rows, notes)
    if suffix == ".xls":
        raise DataError(
            [Problem(origin, "old .xls workbooks are not read; save it as .xlsx or CSV UTF-8")],
            title=f"cannot read {origin}",
        )
    if sheet is not None:
        raise DataError(
            [Problem(origin, "a sheet can only be chosen in an .xlsx workbook")],
            title=f"cannot read {origin}",
        )
    text = read_text(target.read_bytes(), origin)
    header, rows = _table_rows(_csv_rows(text, origin), origin, pad=False)
    return header, Rows(rows)


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a whole CSV file or Excel workbook (see :func:`iter_rows`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "data.csv")
    ...     _ = path.write_bytes("单位,得分,,\\n甲局,95%,,\\n,,,\\n乙局,19件\\n".encode("gbk"))
    ...     table = read_table(path)
    >>> table.header
    ('单位', '得分')
    >>> [(r.number, r.cells, r.problem) for r in table.rows]
    [(2, ('甲局', '95%'), None), (4, ('乙局', '19件'), 'has 2 cells; the header has 4')]
    """
    header, rows = iter_rows(path, sheet=sheet)
    return Table(origin=str(path), header=header, rows=tuple(rows))


def table_from_text(text: str, origin: str = "data") -> Table:
    """Read CSV text that is already decoded (see :func:`iter_rows` for the rules).

    >>> table_from_text("单位,得分\\n甲局,90\\n").rows
    (Row(number=2, cells=('甲局', '90'), problem=None),)
    """
    header, rows = _table_rows(_csv_rows(text, origin), origin, pad=False)
    return Table(origin=origin, header=header, rows=tuple(rows))
