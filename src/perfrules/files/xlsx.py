"""An Excel workbook's rows as people see them, with what it costs to read checked first.

Its first visible sheet (or a chosen one) is read with the values Excel last
computed, a merged cell's value on every row it covers. A workbook is a zip of
XML parts, and what a part costs is known before it is read: parts held in
memory (:data:`MAX_XLSX_HELD_BYTES`), a sheet's unzipped size and rows
(:data:`MAX_XLSX_SHEET_BYTES`, :data:`MAX_XLSX_ROWS`) and how far a part
expands (:data:`MAX_XLSX_EXPANSION`) are bounded, so that a small file cannot
cost minutes or gigabytes.
"""

from __future__ import annotations

import datetime
import difflib
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from .._errors import DataError, Problem
from .cells import (
    _SHOWN,
    MAX_COLUMNS,
    CellProblem,
    RawCell,
    _blank,
    _shown,
    column_label,
)

__all__ = [
    "MAX_XLSX_EXPANSION",
    "MAX_XLSX_HELD_BYTES",
    "MAX_XLSX_MERGES",
    "MAX_XLSX_ROWS",
    "MAX_XLSX_SHEET_BYTES",
]


MAX_XLSX_ROWS: Final = 1_048_576
"""Most rows a workbook's sheet may have (Excel's own limit); checked before reading it."""

MAX_XLSX_HELD_BYTES: Final = 64 * 2**20
"""Largest part of a workbook that is read whole into memory (shared strings, styles), uncompressed."""

MAX_XLSX_SHEET_BYTES: Final = 2 * 2**30
"""Largest sheet of a workbook, uncompressed (a sheet is streamed, not held)."""

MAX_XLSX_EXPANSION: Final = 100
"""Most a part of a workbook may expand when unzipped (parts above 1 MiB).

Spreadsheet XML compresses 5 to 20-fold; a part that expands 1000-fold is
spaces or empty rows (a "zip bomb"), refused before it is read.
"""

MAX_XLSX_MERGES: Final = 100_000
"""Most merged ranges a sheet may have."""


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise DataError(
            [Problem("", "reading .xlsx workbooks needs openpyxl: pip install 'perfrules[excel]'")],
            title="cannot read Excel workbooks",
        ) from None
    return openpyxl


def _open_workbook(path: Path, origin: str, *, data_only: bool) -> Any:
    openpyxl = _openpyxl()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it does not keep (styles,
            # data validation); they do not touch cell values.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (OSError, FileNotFoundError):
        raise
    except Exception as exc:
        # openpyxl's errors for a broken workbook are no stable set (zip,
        # XML, KeyError, ...): each one means the same thing here.
        raise DataError(
            [Problem(origin, f"cannot read as an .xlsx workbook ({type(exc).__name__}: {exc})")],
            title=f"cannot read {origin}",
        ) from None


def _xlsx_records(
    path: Path, origin: str, sheet: str | None, notes: list[Problem]
) -> Iterator[tuple[int, list[RawCell]]]:
    """A workbook's rows, with the values Excel computed for formulas.

    Two read-only passes run side by side: cached values (``data_only``) and
    the cells as written, so that a formula with no cached value (a file
    written by a script and never opened in Excel) is told apart from an
    empty cell. Memory stays flat: both are streams. Before either, the
    workbook's unzipped sizes are checked (:func:`_check_workbook_size`) and
    the sheet is scanned for its last row, its widest cell and its merged
    ranges (:func:`_scan_sheet`). Notes about hidden sheets go to *notes*.
    """
    _check_workbook_size(path, origin)
    values_book = _open_workbook(path, origin, data_only=True)
    formulas_book = _open_workbook(path, origin, data_only=False)
    try:
        sheet = _choose_sheet(values_book, origin, sheet, notes)
        sheets = values_book[sheet], formulas_book[sheet]
        if not hasattr(sheets[0], "iter_rows"):
            raise DataError(
                [Problem(origin, f"the sheet '{sheet}' is a chart, not a table")],
                title=f"cannot read {origin}",
            )
        merged = _scan_sheet(sheets[0], origin, sheet)
        for each in sheets:
            # The size a workbook declares can be wrong (files written by other
            # programs); without it, openpyxl reads every cell that is there.
            each.reset_dimensions()
        values = sheets[0].iter_rows(values_only=True)
        formulas = sheets[1].iter_rows(values_only=True)
        number = 0
        while True:
            try:
                row = next(values, None)
                written = next(formulas, None)
            except Exception as exc:  # see _open_workbook
                raise DataError(
                    [Problem(f"row {number + 1}", f"cannot read the workbook ({type(exc).__name__}: {exc})")],
                    title=f"cannot read {origin}",
                ) from None
            if row is None:
                return
            number += 1
            cells = [_xlsx_cell(v, w) for v, w in zip(row, _padded(written, len(row)), strict=True)]
            if merged is not None:
                merged.apply(number, cells)
            while cells and cells[-1] == "":
                cells.pop()
            yield number, cells
    finally:
        values_book.close()
        formulas_book.close()


def _choose_sheet(book: Any, origin: str, sheet: str | None, notes: list[Problem]) -> str:
    """The sheet to read: *sheet*, else the first visible one; hidden sheets are noted.

    A sheet hidden in Excel (``hidden`` or ``veryHidden``) is one people do
    not see, so it is never read by default, even when it comes first. A
    hidden sheet named on purpose is read, with a note saying it is hidden.
    """
    names = list(book.sheetnames)
    states = {name: str(getattr(book[name], "sheet_state", "visible") or "visible") for name in names}
    hidden = [name for name in names if states[name] != "visible"]
    if sheet is None:
        visible = [name for name in names if states[name] == "visible"]
        if not visible:
            message = "the workbook has no sheets"
            if names:
                message = f"every sheet is hidden ({_sheet_list(hidden, states)}); choose one (--sheet)"
            raise DataError([Problem(origin, message)], title=f"cannot read {origin}")
        sheet = visible[0]
        if hidden:
            notes.append(
                Problem(
                    "workbook",
                    f"hidden sheets not read: {_sheet_list(hidden, states)}; read the first visible "
                    f"sheet '{sheet}' (choose another with --sheet)",
                )
            )
        return sheet
    if sheet not in names:
        close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise DataError(
            [Problem(origin, f"no sheet '{sheet}' (the sheets are: {', '.join(names)}){hint}")],
            title=f"cannot read {origin}",
        )
    if states[sheet] != "visible":
        notes.append(
            Problem(f"sheet '{sheet}'", f"is {states[sheet]} in the workbook; read as it was chosen")
        )
    return sheet


def _sheet_list(names: Sequence[str], states: dict[str, str]) -> str:
    return ", ".join(f"'{name}' ({states[name]})" for name in names)


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def _check_workbook_size(path: Path, origin: str) -> None:
    """Refuse a workbook that would cost too much to read, from its zip directory alone.

    The sizes a zip file declares bind: Python's zip reader stops at the
    declared size (and fails the checksum), so a part cannot expand beyond
    what is checked here. Not a zip file: left to openpyxl's error.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        return
    problems = []
    for part in parts:
        size = part.file_size
        sheet = re.search(r"(^|/)worksheets/[^/]+\.xml$", part.filename) is not None
        held = not sheet and part.filename.lower().endswith((".xml", ".rels", ".vml"))
        limit = MAX_XLSX_SHEET_BYTES if sheet else MAX_XLSX_HELD_BYTES if held else None
        what = "a sheet" if sheet else "a part read whole into memory"
        if limit is not None and size > limit:
            problems.append(
                Problem(
                    f"part '{part.filename}'",
                    f"unzips to {_mib(size)}; the limit for {what} is {_mib(limit)}",
                )
            )
        elif size > 2**20 and size > MAX_XLSX_EXPANSION * max(part.compress_size, 1):
            problems.append(
                Problem(
                    f"part '{part.filename}'",
                    f"unzips {size // max(part.compress_size, 1):,}-fold ({part.compress_size:,} bytes to "
                    f"{_mib(size)}); a workbook's parts expand at most {MAX_XLSX_EXPANSION}-fold: it is "
                    "padding (spaces or empty rows), not data",
                )
            )
    if problems:
        raise DataError(problems, title=f"cannot read {origin}: the workbook is too large once unzipped")


# Each pattern starts with a literal, which the regex engine searches for fast;
# the look-behinds then check the tag (``<row`` or ``<x:row``, never ``</row``).
_ROW: Final = re.compile(rb'row(?<=[<:]row)\b(?:[^>]*?\sr\s*=\s*["\'](\d+)["\'])?')
_WIDE_CELL: Final = re.compile(rb"r=(?<=\sr=)[\"']([A-Za-z]{3,})(\d+)[\"']")
_MERGE: Final = re.compile(rb'mergeCell(?<=[<:]mergeCell)\b[^>]*?\sref\s*=\s*["\']([^"\']*)["\']')
_REF: Final = re.compile(r"([A-Za-z]{1,3})(\d+)(?::([A-Za-z]{1,3})(\d+))?$")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n


def _scan_sheet(worksheet: Any, origin: str, sheet: str) -> _Merged | None:
    """Scan a sheet's XML before reading it: its last row, its widest cell, its merged ranges.

    openpyxl makes an empty row for each row number skipped and pads a row
    to its last cell, so a row numbered 20,000,000 or a cell in column XFD
    would cost minutes of empty cells; both are refused here, at the speed of
    unzipping. Merged ranges are listed at the end of a sheet's XML, after
    its rows, so they are found here too. Returns the merged ranges (None
    when there are none).
    """
    where = f"sheet '{sheet}'"
    rows = tags = 0
    merges: list[tuple[int, int, int, int]] = []
    problems: list[Problem] = []

    def scan(block: bytes) -> None:
        nonlocal rows, tags
        numbers = _ROW.findall(block)
        tags += len(numbers)  # a row without a number follows the one before
        rows = max(rows, tags, *(int(n) for n in numbers if n))
        for letters, row in _WIDE_CELL.findall(block):
            column = _column_number(letters.decode("ascii"))
            if column > MAX_COLUMNS:
                ref = f"{letters.decode('ascii')}{row.decode('ascii')}"
                problems.append(
                    Problem(
                        where, f"cell {ref} is in column {column:,}; the limit is {MAX_COLUMNS:,} columns"
                    )
                )
                return
        for ref in _MERGE.findall(block) if b"mergeCell" in block else ():
            bounds = _merge_bounds(ref.decode("ascii", "replace"))
            if bounds is not None and bounds[:2] != bounds[2:]:
                merges.append(bounds)

    with worksheet.parent._archive.open(worksheet._worksheet_path) as source:
        carry = b""
        while not problems:
            block = source.read(1 << 20)
            if not block:
                break
            text = carry + block
            cut = text.rfind(b"<")
            cut = len(text) if cut < 0 else cut
            scan(text[:cut])
            carry = text[cut:] if len(text) - cut < 2**20 else b""  # no tag is a MiB long
            if rows > MAX_XLSX_ROWS:
                break
        if not problems:
            scan(carry)
    if rows > MAX_XLSX_ROWS:
        problems.append(Problem(where, f"has rows up to row {rows:,}; the limit is {MAX_XLSX_ROWS:,} rows"))
    if len(merges) > MAX_XLSX_MERGES:
        problems.append(
            Problem(where, f"has {len(merges):,} merged ranges; the limit is {MAX_XLSX_MERGES:,}")
        )
    if problems:
        raise DataError(problems, title=f"cannot read {origin}")
    return _Merged(merges) if merges else None


def _merge_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column) of a merged range such as ``A2:A4``."""
    found = _REF.match(ref.strip())
    if found is None:
        return None
    c1, r1, c2, r2 = found.groups()
    first_col, first_row = _column_number(c1), int(r1)
    last_col, last_row = (first_col, first_row) if c2 is None else (_column_number(c2), int(r2))
    return (
        min(first_row, last_row),
        min(first_col, last_col),
        max(first_row, last_row),
        max(first_col, last_col),
    )


def _cell_name(row: int, column: int) -> str:
    return column_label(column - 1).split("(")[1].rstrip(")") + str(row)


class _Merged:
    """A sheet's merged ranges, applied to its rows as they stream by.

    People merge a 单位 or 类别 cell down the period rows of one unit: Excel
    shows the value on every row, so every row gets it. A value merged
    across columns has no one column it belongs to: each of its cells
    becomes a :class:`CellProblem` naming the range (only the unit of the
    row fails, or the file when it is the header). Merged empty cells stay
    empty.
    """

    def __init__(self, ranges: Iterable[tuple[int, int, int, int]]) -> None:
        self.starting: dict[int, list[tuple[int, int, int, int]]] = {}
        for bounds in ranges:
            self.starting.setdefault(bounds[0], []).append(bounds)
        self.active: list[tuple[tuple[int, int, int, int], RawCell]] = []

    def apply(self, number: int, cells: list[RawCell]) -> None:
        """Give row *number*'s merged cells their range's value (in place)."""
        for bounds in self.starting.pop(number, ()):
            first_row, first_col, last_row, last_col = bounds
            value = cells[first_col - 1] if first_col <= len(cells) else ""
            if _blank(value):
                continue
            if first_col != last_col:
                ref = f"{_cell_name(first_row, first_col)}:{_cell_name(last_row, last_col)}"
                value = CellProblem(
                    ref,
                    f"the cells {ref} are merged across columns; a value belongs to one column: unmerge them",
                )
            self.active.append((bounds, value))
        if not self.active:
            return
        still = []
        for bounds, value in self.active:
            first_row, first_col, last_row, last_col = bounds
            if number > last_row:
                continue
            still.append((bounds, value))
            if len(cells) < last_col:
                cells.extend([""] * (last_col - len(cells)))
            for column in range(first_col, last_col + 1):
                cells[column - 1] = value
        self.active = still


def _padded(row: Sequence[object] | None, width: int) -> Sequence[object]:
    row = row or ()
    return tuple(row[:width]) + (None,) * (width - len(row))


def _xlsx_cell(value: object, written: object) -> RawCell:
    if value is None:
        if isinstance(written, str) and written.startswith("="):
            return CellProblem(
                written[:_SHOWN],
                f"the formula {_shown(written)} has no computed value; "
                "open and save the workbook in Excel, or enter the value",
            )
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return CellProblem(repr(value), f"{value!r} is not a finite number")
        return Decimal(repr(value))  # the shortest repr: what Excel shows, not the binary double
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return str(value)
