"""A table's units read into columns once: plain-number cells parsed straight into integer columns.

:func:`perfrules.load_units` reads a CSV file or a workbook here. The rows are
gathered per unit as the per-cell reader of :mod:`perfrules.files.data`
gathers them, and the file errors are the same (a row without a unit name,
two columns with one name …); then, instead of a ``Unit`` with a ``Decimal``
per cell, the batch keeps (:class:`perfrules.scheme.unitcols.UnitColumns`):

- each numeric input column, parsed at once from the cells' text
  (:func:`perfrules.files.csvcolumns.plain_decimals`, :func:`~perfrules._intcols.from_text_columns`);
  a workbook's numbers go through :func:`~perfrules.files.cells.read_cell`
  as the per-cell reader reads them;
- which units the column program may take as they stand: one row, no row
  problem, no period or 不适用 cell, and every numeric cell read: a cell that
  is not a plain decimal (``87.5分``, ``95%``, ``—``) is read by the per-cell
  reader once per distinct text (:mod:`perfrules.files.colcells`), with its
  note kept for the unit; a cell that reader rejects leaves its unit to be
  read and scored as before;
- how to make each ``Unit``: the per-cell reader run on its rows, when the
  unit is first read; so every unit equals the one the per-cell reader
  makes, its problems and notes included.

A CSV text without quotes below its header, NUL or lone carriage returns, whose rows all have
the header's width and none is empty, is cut into cells by NumPy in one pass
(:func:`perfrules.files.csvcolumns.split_lines`, as the streamed reader cuts a
file's byte ranges; no Python step per cell); any other table is read row by row by
:mod:`perfrules.files.tables` first. ``load_units`` hands over a UTF-8 file's bytes
(:func:`perfrules.files.encoding.utf8_bytes`) and no text: the header line, the
names and the lines of units that are made are decoded, the rest is read as bytes.

Interface (for other columnar readers to share): :func:`kept_csv` (CSV text)
and :func:`kept_rows` (a header and rows) each return the batch's
:class:`~perfrules.scheme.unitcols.UnitColumns` and the file's notes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .._errors import Problem
from .._intcols import from_text_columns, from_values, gc_paused, numpy
from ..formula.language import normalize_name
from ..formula.text import normalize_names
from ..scheme.unitcols import UnitColumns
from ..scheme.units import Unit
from .cells import MAX_CELL_CHARS, CellProblem, CellValue, read_cell
from .colcells import read_odd_cells
from .csvcolumns import plain_decimals, split_lines
from .tables import Row, Rows, _Columns, _csv_rows, _table_rows

__all__ = ["Reader", "kept_csv", "kept_rows"]


Reader = Callable[[Sequence[str]], Any]
"""Makes the per-cell reader of a header (``_RowUnits(header, scheme=…, origin=…)``, from
:mod:`perfrules.files.data`, which imports this module): it finds the special columns, names each
row's unit (``name_of``), reads a row into a unit's entry (``add``) and builds the unit (``build``)."""


def kept_csv(
    text: str | None, reader_of: Reader, new_entry: Callable[[], Any], origin: str, raw: bytes | None = None
) -> tuple[UnitColumns, list[Problem]]:
    """The units of CSV *text* (BOM already removed) as columns, and the file's notes; *raw*:
    the text's UTF-8 bytes where the caller has them (read from them; with *text* None, the
    text is made only where a line is read as text).

    Raises:
        DataError: as :func:`perfrules.units_from_csv` raises it.
    """
    if text is None and raw is None:
        raise ValueError("kept_csv needs the text or its UTF-8 bytes")
    with gc_paused():  # many small objects, no cycles (see gc_paused)
        found = _plain_csv(text, reader_of, new_entry, origin, raw)
    if found is not None:
        return found
    if text is None:
        assert raw is not None
        text = raw.decode("utf-8")
    header, rows = _table_rows(_csv_rows(text, origin), origin, pad=False)
    return kept_rows(reader_of(header), rows, new_entry)


def kept_rows(
    reader: Any, rows: Iterator[Row], new_entry: Callable[[], Any]
) -> tuple[UnitColumns, list[Problem]]:
    """A table's units (the per-cell reader of its header, and its rows: see
    :func:`perfrules.files.tables.iter_rows`) as columns, and the file's notes.

    Raises:
        DataError: a file error, as :func:`perfrules.load_units` raises it.
    """
    header = reader.header
    if isinstance(rows, Rows):
        reader.file_notes[:0] = rows.notes
    groups: dict[str, list[Row]] = {}
    for row in rows:
        name = reader.name_of(row)
        if name is not None:
            got = groups.get(name)
            if got is None:
                groups[name] = [row]
            else:
                got.append(row)
    reader.raise_problems()
    names = list(groups)
    rows_of = list(groups.values())
    np = numpy()
    with gc_paused():
        first = [r[0] for r in rows_of]
        by_column = list(zip(*(row.cells for row in first), strict=True)) if first else []
        ok = np.array([len(r) == 1 and _simple(reader, r[0]) for r in rows_of], dtype=bool)
        numeric = _numeric(reader)
        columns: dict[str, tuple[Any, Any]] = {}
        notes: dict[int, list[Problem]] = {}
        if first:
            texts = [i for i in numeric if set(map(type, by_column[i])) == {str}]
            parsed = dict(zip(texts, from_text_columns([by_column[i] for i in texts]), strict=True))
            number = _row_number(first)
            for i in numeric:  # (in the columns' order: each unit's notes in the per-cell reader's order)
                cells = by_column[i]
                if i in parsed:
                    col, plain = parsed[i]
                    odd = [(u, cells[u]) for u in np.flatnonzero(~plain).tolist() if cells[u].strip()]
                    columns[header[i]] = _read_odd(col, plain, odd, ok, notes, reader, header[i], number)
                else:
                    # A workbook's numbers and dates: each cell as the per-cell reader reads it.
                    values, fine, read_notes = _read_cells(cells)
                    col, plain = columns[header[i]] = from_values(values)
                    # (a number the column does not hold: its unit is read and scored as before)
                    ok &= fine & (plain | np.array([v is None for v in values], dtype=bool))
                    _noted(read_notes, notes, reader, header[i], number)
            for i in reader.inputs:
                if header[i] in reader.text_fields:
                    ok &= np.array([not isinstance(c, CellProblem) for c in by_column[i]], dtype=bool)
        categories = _categories(reader, first, ok)

    def make(i: int) -> Unit:
        entry = new_entry()
        for row in rows_of[i]:
            reader.add(row, names[i], entry)
        unit: Unit = reader.build(names[i], entry)
        return unit

    def origin_of(i: int) -> str:
        where: str = reader.rows_origin([row.number for row in rows_of[i]])
        return where

    return UnitColumns(names, categories, columns, ok, make, origin_of, notes), reader.file_notes


def _numeric(reader: Any) -> list[int]:
    return [i for i in reader.inputs if reader.header[i] not in reader.text_fields]


def _simple(reader: Any, row: Row) -> bool:
    """A row the column program may take: no row problem, no period or 不适用 cell, a category in text."""
    if row.problem is not None:
        return False
    cells = row.cells
    for col in (reader.period_col, reader.na_col):
        if col is not None and (not isinstance(cells[col], str) or cells[col].strip()):
            return False
    return reader.cat_col is None or type(cells[reader.cat_col]) is str


def _row_number(first: Sequence[Row]) -> Callable[[int], int]:
    return lambda u: first[u].number


def _read_odd(
    col: Any,
    plain: Any,
    odd: list[tuple[int, str]],
    ok: Any,
    notes: dict[int, list[Problem]],
    reader: Any,
    column: str,
    number: Callable[[int], int],
) -> tuple[Any, Any]:
    """The column with its *odd* cells (``(unit, text)``: not plain decimals, not empty) read by the
    per-cell reader once per distinct text (:mod:`perfrules.files.colcells`); *ok* loses the units
    whose cell it rejects, *notes* gains each note as the per-cell reader words it."""
    if not odd:
        return col, plain
    found = read_odd_cells(col, plain, odd)
    ok &= ~found.rejected
    _noted(found.notes, notes, reader, column, number)
    return found.column, found.plain


def _noted(
    found: dict[int, str],
    notes: dict[int, list[Problem]],
    reader: Any,
    column: str,
    number: Callable[[int], int],
) -> None:
    """Each unit's *found* note (by position) added to its notes, where the per-cell reader puts it."""
    for u, note in found.items():
        notes.setdefault(u, []).append(Problem(f"{reader.row_name(number(u))}, column '{column}'", note))


def _read_cells(cells: Sequence[Any]) -> tuple[list[Any], Any, dict[int, str]]:
    """Each cell's value as the per-cell reader reads it (None: no data), which cells were read
    (no problem), and the notes of those read generously (by position)."""
    np = numpy()
    values: list[Any] = []
    fine = np.ones(len(cells), dtype=bool)
    notes: dict[int, str] = {}
    for i, cell in enumerate(cells):
        got = read_cell(cell)
        if isinstance(got, CellValue):
            values.append(got.value)
            if got.note is not None:
                notes[i] = got.note
        else:
            values.append(None)
            fine[i] = not isinstance(got, CellProblem)
    return values, fine, notes


def _categories(reader: Any, first: Sequence[Row], ok: Any) -> list[str | None]:
    """Each unit's category as its ``Unit`` will have it (None where the program does not take it)."""
    if reader.cat_col is None:
        return [None] * len(first)
    col = reader.cat_col
    out: list[str | None] = []
    for row, fine in zip(first, ok.tolist(), strict=True):
        text = row.cells[col].strip() if fine else ""
        out.append(normalize_name(text) if text else None)
    return out


def _plain_csv(
    text: str | None, reader_of: Reader, new_entry: Callable[[], Any], origin: str, raw: bytes | None
) -> tuple[UnitColumns, list[Problem]] | None:
    """:func:`kept_csv` for a CSV text that needs no quoting rules; None for any other text.

    The text's lines are cut into cells from its UTF-8 bytes; a line is made a text again only
    for a unit that is made (or whose cell is not plain)."""
    if raw is not None and b"\r" in raw:
        if text is None:
            text = raw.decode("utf-8")  # carriage returns: read from the text
        raw = None
    if raw is not None:
        # The checks over the whole text made on its UTF-8 bytes (these characters are those
        # bytes there; a scan of bytes is the faster); the header alone made text.
        if b"\0" in raw:
            return None
        nl = raw.find(b"\n")
        first_line = (raw[:nl] if nl >= 0 else raw).decode("utf-8")
        if nl < 0 or nl + 1 == len(raw) or not first_line.replace(",", "").strip():
            return None  # no line after the header (or no header)
        if raw.find(b'"', nl) >= 0:
            return None
        raw_header = first_line.split(",")
        if '"' in first_line:
            # A quoted header (a column name with a comma), ending where its line ends (a record
            # of its own after it says so); the rows need no quotes.
            try:
                found = list(csv.reader(io.StringIO(first_line + "\n\0\n", newline="")))
            except csv.Error:
                return None
            if len(found) != 2 or found[1] != ["\0"]:
                return None
            raw_header = found[0]
        data = raw[nl + 1 :]  # the body's bytes
    else:
        assert text is not None
        if "\0" in text:
            return None
        if "\r" in text:
            if text.count("\r") != text.count("\r\n"):
                return None
            text = text.replace("\r\n", "\n")
        end = text.find("\n")
        first_line = text[:end] if end >= 0 else text
        if end < 0 or end + 1 == len(text) or not first_line.replace(",", "").strip():
            return None  # no line after the header (or no header)
        raw_header = first_line.split(",")
        if '"' in first_line:
            # A quoted header (a column name with a comma) on its first line; the rows need no quotes.
            records = csv.reader(io.StringIO(text, newline=""))
            try:
                raw_header = next(records)
            except csv.Error:
                return None
            if records.line_num != 1:
                return None
        if text.find('"', end) >= 0:  # (no copy of the text)
            return None
        data = text[end + 1 :].encode("utf-8")  # the body's bytes
    table = _Columns(raw_header, origin, 1)  # the header's rules (file errors) as every reader applies them
    k = len(raw_header)
    if table.unnamed:
        return None
    np = numpy()
    cut = split_lines(data if data.endswith(b"\n") else data + b"\n", 2, k)
    if not cut.regular.all():
        return None  # an empty line, or a row of another width: the per-row reader says which
    n = len(cut.lines)
    line_ends = cut._line_ends()
    if n and int(np.diff(line_ends, prepend=-1).max()) - 1 > MAX_CELL_CHARS:
        return None  # a line of more bytes than a cell may hold characters: the per-row reader
    header = table.header
    reader = reader_of(header)
    everyone = np.arange(n)
    every = normalize_names(cut.texts(everyone, reader.name_col))
    if not all(every):
        return None  # a row without a unit name: the per-row reader says which
    several: list[list[int]] | None = None  # each unit's rows, when a unit has more than one
    if len(set(every)) == len(every):
        names = every
    else:
        groups: dict[str, list[int]] = {}
        for j, name in enumerate(every):
            groups.setdefault(name, []).append(j)
        names, several = list(groups), list(groups.values())

    def rows_of(u: int) -> Sequence[int]:
        return (u,) if several is None else several[u]

    def line(j: int) -> str:
        start = int(line_ends[j - 1]) + 1 if j else 0
        return cut.data[start : int(line_ends[j])].decode("utf-8")

    with gc_paused():
        numeric = _numeric(reader)
        parsed = dict(zip(numeric, plain_decimals(cut, everyone, numeric), strict=True))
        at = None if several is None else np.array([r[0] for r in several], dtype=np.int64)  # first rows
        ok = np.ones(len(names), dtype=bool) if several is None else np.array([len(r) == 1 for r in several])
        columns: dict[str, tuple[Any, Any]] = {}
        notes: dict[int, list[Problem]] = {}
        for i in numeric:
            col, plain = parsed[i]
            if at is not None:
                col, plain = type(col)(col.num[at], col.den, col.bound), plain[at]
            if not plain.all():  # cells that are not plain decimals: read once per distinct text
                odd = [
                    (u, cell)
                    for u in np.flatnonzero(~plain).tolist()
                    if (cell := line(rows_of(u)[0]).split(",")[i]).strip()
                ]
                col, plain = _read_odd(
                    col, plain, odd, ok, notes, reader, header[i], lambda u: rows_of(u)[0] + 2
                )
            columns[header[i]] = (col, plain)
        categories: list[str | None] = [None] * len(names)
        firsts = everyone if at is None else at
        for c in (reader.period_col, reader.na_col):
            if c is not None:
                for u, cell in enumerate(cut.texts(firsts, c)):
                    if cell.strip():
                        ok[u] = False
        if reader.cat_col is not None:
            for u, cell in enumerate(cut.texts(firsts, reader.cat_col)):
                if ok[u]:
                    category = cell.strip()
                    categories[u] = normalize_name(category) if category else None

    def row(j: int) -> Row:
        return Row(number=j + 2, cells=tuple(line(j).split(",")), problem=None)

    def make(i: int) -> Unit:
        entry = new_entry()
        for j in rows_of(i):
            reader.add(row(j), names[i], entry)
        unit: Unit = reader.build(names[i], entry)
        return unit

    def origin_of(i: int) -> str:
        where: str = reader.rows_origin([j + 2 for j in rows_of(i)])
        return where

    def origins(units: Sequence[int]) -> list[str]:
        if several is None and hasattr(reader, "row_origins"):
            found: list[str] = reader.row_origins([u + 2 for u in units])
            return found
        return list(map(origin_of, units))

    file_notes: list[Problem] = reader.file_notes
    return UnitColumns(names, categories, columns, ok, make, origin_of, notes, origins), file_notes
