"""Unit data files: CSV, Excel workbooks and JSON, read so that one bad cell costs one unit.

The file as a whole must be readable: an encoding perfrules cannot decode,
two columns with one name, a JSON key given twice or a row without a unit
name stop loading with a :class:`~perfrules.DataError`, before anything is
scored. Everything below that is the business of one unit: a cell that is
not a number, a row with too few cells, a period given twice. Such a unit
is still loaded, carrying its ``problems``; :func:`~perfrules.evaluate`
reports it as not scored, with errors naming the file row, the column and
the text found, and scores every other unit.

What was read generously is never silent: ``19件`` read as 19 and ``1,234``
read as 1234 are kept as the unit's ``notes`` (shown as ``note`` events in
its result), and columns that the scheme does not read are left out of
scoring and listed once in :attr:`UnitList.notes`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from .._errors import DataError, Problem
from ..formula.language import normalize_name
from ..formula.text import shown_name
from ..scheme.model import Scheme
from ..scheme.unitcols import LazyUnits, UnitColumns
from ..scheme.units import Unit, UnitError
from .cells import NO_DATA, CellProblem, CellValue, RawCell, read_cell
from .colload import kept_csv, kept_rows
from .encoding import read_text, utf8_bytes
from .jsonfile import parse_json
from .scheme_fields import _computed_by, _known_fields, _text_fields
from .tables import Row, Rows, iter_rows

__all__ = ["UnitList", "load_units", "units_from_csv", "units_from_json"]

# The columns that say which unit, category and period a row is, and what does not apply to it,
# in simplified and traditional characters (單位, 類別 …) and in English.
_NAME_COLUMNS: Final = ("单位", "单位名称", "被评估单位", "單位", "單位名稱", "被評估單位", "unit", "name")
_CATEGORY_COLUMNS: Final = ("类别", "類別", "category")
_PERIOD_COLUMNS: Final = ("期间", "报送期", "期間", "報送期", "period")
_NA_COLUMNS: Final = ("不适用", "不適用", "not_applicable")
_LIST_SPLIT: Final = re.compile(r"[、,，;；\s]+")
_JSON_KEYS: Final = ("name", "category", "data", "periods", "not_applicable")


class UnitList(LazyUnits):
    """The units read from a data file, in the file's order, and the file's notes.

    It behaves as a list of :class:`~perfrules.Unit` (indexing, iteration,
    ``len``, slices, ``append`` and the other list methods; equal to a list
    of the same units), but it is not a ``list``: a file's units are kept as
    columns and each ``Unit`` is made from its cells when first read (the
    same unit each time), so that :func:`~perfrules.evaluate` scores the
    columns without making them. ``list(units)`` gives a plain list.

    Attributes:
        notes: what the reader wants you to know about the whole file, e.g.
            columns the scheme does not read (left out of scoring). Notes
            about one unit's cells are on that unit (``Unit.notes``).

    >>> units = units_from_csv("单位,得分\\n甲局,90\\n")
    >>> len(units), units[0].data["得分"], units.notes
    (1, Decimal('90'), ())
    >>> units == [units[0]], isinstance(units, list)
    (True, False)
    """

    notes: tuple[Problem, ...]

    def __init__(self, units: Iterable[Unit] = (), notes: Iterable[Problem] = ()) -> None:
        super().__init__(units)
        self.notes = tuple(notes)

    @classmethod
    def _of(cls, columns: UnitColumns, notes: Iterable[Problem]) -> UnitList:
        """The units of a file read into columns (:mod:`perfrules.files.colload`)."""
        made: UnitList = cls._kept(columns)
        made.notes = tuple(notes)
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (and copied) as the units themselves: the columns' readers stay behind.
        return (UnitList, (list(self), self.notes))


# ---------------------------------------------------------------------------
# Tables (CSV, workbooks)
# ---------------------------------------------------------------------------


class _Entry:
    """One unit while its rows are read."""

    def __init__(self) -> None:
        self.category: str | None = None
        self.data: dict[str, object] = {}
        self.periods: dict[str, dict[str, object]] = {}
        self.na: set[str] = set()
        self.rows: list[int] = []
        self.yearly_rows: list[int] = []
        self.problems: list[UnitError] = []
        self.notes: list[Problem] = []
        self.spellings: dict[str, int] = {}  # the unit's name as each row spells it, first row

    def spelt(self) -> str:
        """How the rows spell the unit's name, when they differ (for messages about repeated rows)."""
        if len(self.spellings) < 2:
            return ""
        ways = ", ".join(f"{shown_name(raw)} (row {row})" for raw, row in self.spellings.items())
        return f"; the name is spelt {ways}, one name once normalised"


def _text_of(cell: RawCell) -> str:
    return cell.text if isinstance(cell, CellProblem) else str(cell).strip()


class _RowUnits:
    """Turns a table's rows into units: the columns found once, then one row at a time."""

    def __init__(
        self,
        header: Sequence[str],
        *,
        scheme: Scheme | None,
        origin: str,
        only: frozenset[str] | None = None,
    ) -> None:
        self.header = header
        self.origin = origin

        def find(options: Sequence[str]) -> int | None:
            for i, h in enumerate(header):
                if h.lower() in options:
                    return i
            return None

        name_col = find(_NAME_COLUMNS)
        if name_col is None:
            raise DataError(
                [Problem("header", f"no unit column; name one of {', '.join(_NAME_COLUMNS)}")],
                title=f"invalid data in {origin}",
            )
        self.name_col = name_col
        self.cat_col, self.period_col, self.na_col = (
            find(_CATEGORY_COLUMNS),
            find(_PERIOD_COLUMNS),
            find(_NA_COLUMNS),
        )
        special = {c for c in (name_col, self.cat_col, self.period_col, self.na_col) if c is not None}
        self.text_fields = _text_fields(scheme) if scheme is not None else set()
        inputs = [i for i in range(len(header)) if i not in special]
        self.file_notes: list[Problem] = []
        if scheme is not None:
            known = _known_fields(scheme)
            computed = _computed_by(scheme)
            for i in [i for i in inputs if header[i] not in known]:
                close = difflib.get_close_matches(header[i], sorted(known), n=1, cutoff=0.5)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                message = f"no indicator of the scheme reads it{hint}; left out of scoring"
                if header[i] in computed:
                    message = (
                        f"indicator {computed[header[i]]} computes '{header[i]}' from its inputs "
                        "rather than reading it; left out of scoring"
                    )
                self.file_notes.append(Problem(f"column '{header[i]}'", message))
            inputs = [i for i in inputs if header[i] in known]
        if only is not None:
            # A pass that needs a few columns (population steps) reads only those cells.
            inputs = [i for i in inputs if header[i] in only]
        self.inputs = inputs
        self.problems: list[Problem] = []

    def name_of(self, row: Row) -> str | None:
        """The unit a row belongs to (None, and a file problem, when it names none)."""
        raw_name = row.cells[self.name_col]
        name = normalize_name(_text_of(raw_name))
        if isinstance(raw_name, CellProblem) or not name:
            message = raw_name.message if isinstance(raw_name, CellProblem) else "the unit's name is empty"
            self.problems.append(Problem(f"row {row.number}, column '{self.header[self.name_col]}'", message))
            return None
        return name

    def add(self, row: Row, name: str, entry: _Entry) -> None:
        """Read one row of unit *name* into its entry."""
        header = self.header
        cat_col, period_col, na_col = self.cat_col, self.period_col, self.na_col
        number = row.number
        where = f"{self.origin} {self.row_name(number)}"
        entry.rows.append(number)
        entry.spellings.setdefault(_text_of(row.cells[self.name_col]), number)

        def fail(field: str | None, message: str) -> None:
            entry.problems.append(
                UnitError(
                    unit=name, indicator=None, field=field, message=message, error="DataError", origin=where
                )
            )

        if row.problem is not None:
            fail(None, f"the row {row.problem}, so its cells cannot be matched to the columns")
            return
        specials: dict[str, str] = {}
        for col in (cat_col, period_col, na_col):
            if col is None:
                continue
            cell = row.cells[col]
            if isinstance(cell, CellProblem):
                fail(header[col], cell.message)
            else:
                specials[header[col]] = str(cell).strip()
        category = specials.get(header[cat_col], "") if cat_col is not None else ""
        if category:
            if entry.category is not None and normalize_name(category) != entry.category:
                fail(
                    header[cat_col] if cat_col is not None else None,
                    f"category '{category}' differs from '{entry.category}' on an earlier row",
                )
            entry.category = normalize_name(category)
        if na_col is not None and specials.get(header[na_col]):
            entry.na |= {c for c in _LIST_SPLIT.split(specials[header[na_col]]) if c}
        period = normalize_name(specials.get(header[period_col], "")) if period_col is not None else ""
        values: dict[str, object] = {}
        text_fields = self.text_fields
        for i in self.inputs:
            column = header[i]
            cell = row.cells[i]
            if column in text_fields:
                if isinstance(cell, CellProblem):
                    fail(column, cell.message)
                    continue
                text = str(cell).strip()
                if read_cell(text) is not NO_DATA:
                    values[column] = text
                continue
            got = read_cell(cell)
            if isinstance(got, CellValue):
                values[column] = got.value
                if got.note is not None:
                    entry.notes.append(Problem(f"{self.row_name(number)}, column '{column}'", got.note))
            elif isinstance(got, CellProblem):
                fail(column, got.message)
        if period:
            if period in entry.periods:
                fail(
                    header[period_col] if period_col is not None else None,
                    f"period '{period}' is given twice{entry.spelt()}",
                )
            entry.periods[period] = values
        else:
            entry.yearly_rows.append(number)
            if len(entry.yearly_rows) > 1:
                rows = ", ".join(map(str, entry.yearly_rows))
                fail(None, f"two rows without a period (rows {rows}){entry.spelt()}")
            entry.data.update(values)

    def row_name(self, number: int) -> str:
        """A row in messages: ``row 4`` (a data frame's reader names its index label instead)."""
        return f"row {number}"

    def rows_origin(self, numbers: Sequence[int]) -> str:
        """Where a unit's rows are: ``data.csv rows 4, 5, 6``."""
        return _rows_origin(self.origin, numbers)

    def row_origins(self, numbers: Sequence[int]) -> list[str]:
        """:meth:`rows_origin` of each of *numbers* alone, at once (a batch of one-row units)."""
        if type(self).rows_origin is not _RowUnits.rows_origin:
            return [self.rows_origin((n,)) for n in numbers]
        prefix = f"{self.origin} row "  # _rows_origin of one row
        return list(map(prefix.__add__, map(str, numbers)))

    def build(self, name: str, entry: _Entry) -> Unit:
        return Unit(
            name=name,
            category=entry.category,
            data=entry.data,
            periods=entry.periods,
            not_applicable=entry.na,
            origin=self.rows_origin(entry.rows),
            problems=entry.problems,
            notes=entry.notes,
        )

    def raise_problems(self) -> None:
        if self.problems:
            raise DataError(self.problems, title=f"invalid data in {self.origin}")


def _units_from_rows(
    header: Sequence[str], rows: Iterator[Row], *, scheme: Scheme | None, origin: str
) -> UnitList:
    """Build units from a table's rows (see :func:`units_from_csv` for the columns)."""
    reader = _RowUnits(header, scheme=scheme, origin=origin)
    if isinstance(rows, Rows):
        reader.file_notes[:0] = rows.notes
    units: dict[str, _Entry] = {}
    for row in rows:
        name = reader.name_of(row)
        if name is not None:
            reader.add(row, name, units.setdefault(name, _Entry()))
    reader.raise_problems()
    return UnitList((reader.build(name, entry) for name, entry in units.items()), reader.file_notes)


def _rows_origin(origin: str, rows: Sequence[int]) -> str:
    """``data.csv row 4`` or ``data.csv rows 4, 5, 6`` for a unit's messages."""
    return f"{origin} row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}"


def units_from_csv(text: str, *, scheme: Scheme | None = None, origin: str = "data") -> UnitList:
    """Read units from CSV text: one row per unit, or per unit and period.

    The first row names the columns: a unit column (单位/unit/name), optionally
    类别/category, 期间/period and 不适用/not_applicable, and one column per
    input. Empty cells, and cells that say there is no data (``—``, ``N/A``:
    see :data:`perfrules.files.cells.NO_DATA_TEXTS`), are left out: a declared
    no-data policy applies, or the unit gets an error naming the field when
    scored. Numeric cells are read by :func:`perfrules.files.cells.read_cell`.

    With a *scheme*, columns it does not read are left out and listed in
    ``notes``; columns it grades as categories (良好, 优) hold text.

    A cell that cannot be read, a row with too few or too many cells, a
    period given twice or two rows without a period make only that unit
    unscorable (``Unit.problems``); the other units are read as usual.

    Raises:
        DataError: the file as a whole cannot be read (no unit column, two
            columns with one name, a row without a unit name).

    >>> units = units_from_csv("单位,完成数,总数\\n甲局,19件,20\\n乙局,abc,20\\n", origin="d.csv")
    >>> units[0].data["完成数"], [str(n) for n in units[0].notes]
    (Decimal('19'), ["'19件' read as 19 @ row 2, column '完成数'"])
    >>> print(units[1].problems[0])
    unit '乙局' (d.csv row 3), field '完成数': 'abc' is not a number
    """
    if text.startswith("\ufeff"):
        text = text[1:]  # Excel writes UTF-8 with a BOM
    return UnitList._of(*kept_csv(text, _reader_of(scheme, origin), _Entry, origin))


def _reader_of(scheme: Scheme | None, origin: str) -> Callable[[Sequence[str]], _RowUnits]:
    return lambda header: _RowUnits(header, scheme=scheme, origin=origin)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def _clean(values: Mapping[Any, Any], fail: Any, prefix: str) -> dict[Any, Any]:
    """*values* without unreadable numbers; each one is a problem of the unit."""
    out = {}
    for key, value in values.items():
        if isinstance(value, CellProblem):
            fail(normalize_name(str(key)), f"{prefix}{value.message}")
        else:
            out[key] = value
    return out


def _same_name(name: str, raw: str, data: list[Any], first: int) -> str:
    """Message for a unit name given twice, with both spellings when they differ."""
    earlier = str(data[first]["name"])
    if earlier == raw:
        return f"'{name}' is also the name of units[{first}]"
    return (
        f"{shown_name(raw)} is also the name of units[{first}] ({shown_name(earlier)}): "
        f"one name once normalised ('{name}')"
    )


def units_from_json(data: object, *, origin: str = "data") -> UnitList:
    """Read units from parsed JSON: a list of ``{name, category, data, periods, not_applicable}``.

    A unit with an unknown key, or a number that :func:`perfrules.files.jsonfile.parse_json`
    could not read, is loaded with ``problems`` (only it fails when scored).

    Raises:
        DataError: the file's shape is wrong: not a list of units, a unit
            without a name, or two units with one name.

    >>> units = units_from_json([{"name": "甲局", "data": {"得分": 90}, "perods": {}}])
    >>> print(units[0].problems[0])
    unit '甲局' (data units[0]), field 'perods': unknown key 'perods' (did you mean 'periods'?)
    """
    if isinstance(data, Mapping) and "units" in data:
        data = data["units"]
    if not isinstance(data, list):
        raise DataError(
            [Problem(origin, 'expected a list of units (or {"units": [...]})')],
            title=f"invalid data in {origin}",
        )
    problems: list[Problem] = []
    units = UnitList()
    seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        path = f"units[{i}]"
        if not isinstance(raw, Mapping) or "name" not in raw:
            problems.append(Problem(path, "each unit is an object with at least a 'name'"))
            continue
        if not isinstance(raw["name"], str | int) or isinstance(raw["name"], bool):
            problems.append(Problem(f"{path}.name", f"the unit's name must be text (got {raw['name']!r})"))
            continue
        name = normalize_name(str(raw["name"]))
        if name in seen:
            problems.append(Problem(f"{path}.name", _same_name(name, str(raw["name"]), data, seen[name])))
            continue
        seen[name] = i
        found: list[UnitError] = []

        def fail(
            field: str | None,
            message: str,
            name: str = name,
            path: str = path,
            found: list[UnitError] = found,
        ) -> None:
            found.append(
                UnitError(
                    unit=name,
                    indicator=None,
                    field=field,
                    message=message,
                    error="DataError",
                    origin=f"{origin} {path}",
                )
            )

        for key in raw:
            if key not in _JSON_KEYS:
                close = difflib.get_close_matches(str(key), _JSON_KEYS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                fail(str(key), f"unknown key '{key}'{hint}")
        values = raw.get("data", {})
        periods = raw.get("periods", {})
        category = raw.get("category")
        not_applicable = raw.get("not_applicable", ())
        if isinstance(values, Mapping):
            values = _clean(values, fail, "")
        if isinstance(periods, Mapping):
            periods = {
                p: _clean(v, fail, f"period '{p}': ") if isinstance(v, Mapping) else v
                for p, v in periods.items()
            }
        if isinstance(category, CellProblem):
            fail("category", category.message)
            category = None
        if isinstance(not_applicable, list) and any(isinstance(v, CellProblem) for v in not_applicable):
            fail("not_applicable", "holds a number that cannot be read")
            not_applicable = [v for v in not_applicable if not isinstance(v, CellProblem)]
        try:
            units.append(
                Unit(
                    name=name,
                    category=category,
                    data=values,
                    periods=periods,
                    not_applicable=not_applicable,
                    origin=f"{origin} {path}",
                    problems=found,
                )
            )
        except (TypeError, ValueError) as exc:
            problems.append(Problem(path, str(exc)))
    if problems:
        raise DataError(problems, title=f"invalid data in {origin}")
    return units


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def load_units(source: str | Path, *, scheme: Scheme | None = None, sheet: str | None = None) -> UnitList:
    """Load units from a data file: CSV, an Excel workbook (.xlsx) or JSON.

    CSV may be UTF-8 (with or without the BOM Excel writes), UTF-16 with its
    byte-order mark (Excel's "Unicode text"), or GBK/GB18030 (Excel on
    Chinese Windows); see :func:`perfrules.files.encoding.read_text`. Workbooks
    need the ``excel`` extra (``pip install 'perfrules[excel]'``). There is
    no limit on the file's size. See :func:`units_from_csv` for the columns
    and :func:`units_from_json` for JSON.

    Args:
        source: the file (``.csv``, ``.xlsx``, ``.json``; other names are read as CSV).
        scheme: the scheme the data is for: columns it grades as categories
            hold text, and columns it does not read are left out (listed in
            ``notes``).
        sheet: the sheet of a workbook (default: the first visible one;
            a hidden sheet is read only when named).

    Returns:
        The units, in the file's order, with the file's ``notes``.

    Raises:
        DataError: the file as a whole cannot be read; every problem is
            listed with its place.
        FileNotFoundError: no such file.
    """
    path = Path(source)
    origin = str(source)
    if path.suffix.lower() == ".json":
        if sheet is not None:
            raise DataError(
                [Problem(origin, "a sheet can only be chosen in an .xlsx workbook")],
                title=f"cannot read {origin}",
            )
        data = parse_json(read_text(path.read_bytes(), origin), origin)
        return units_from_json(data, origin=origin)
    if sheet is None and path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        # CSV: decoded as iter_rows decodes it, then read into columns at once where it can be.
        data = path.read_bytes()
        raw = utf8_bytes(data)  # UTF-8 read from its bytes (no text made of the whole file)
        text = read_text(data, origin) if raw is None else None
        return UnitList._of(*kept_csv(text, _reader_of(scheme, origin), _Entry, origin, raw))
    header, rows = iter_rows(path, sheet=sheet)
    return UnitList._of(*kept_rows(_RowUnits(header, scheme=scheme, origin=origin), rows, _Entry))
