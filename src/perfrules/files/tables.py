"""Tabular data files as people really have them: the lowest I/O layer.

This module turns the bytes of a data file into a header and rows, and one
cell's text into a number. It knows nothing of schemes or units (that is
:mod:`perfrules.files.data`), and it never guesses quietly:

- text is decoded in a fixed order that never mis-decodes (:func:`read_text`),
  and GB18030 that gives unlikely characters (a Big5 or Shift-JIS file) is refused;
- duplicate column names, a column with data but no name, and bytes that are
  no known text encoding are file errors (:class:`~perfrules.DataError`);
- a workbook is read as people see it: its first visible sheet, a merged
  cell's value on every row it covers;
- a cell that cannot be read, or a row with the wrong number of cells, is
  *kept* and marked (:class:`CellProblem`, :attr:`Row.problem`), so that only
  the unit of that row fails;
- whatever is read generously (``19件``, ``1,234``) comes with a note saying
  what was read.

There is no limit on the size of a whole data file, only on one cell
(:data:`MAX_CELL_CHARS`) and on a row's width (:data:`MAX_COLUMNS`), so that
a row's memory stays bounded whatever the file holds. A workbook is a zip of
XML parts, and what a part costs is known before it is read: parts held in
memory (:data:`MAX_XLSX_HELD_BYTES`), a sheet's unzipped size and rows
(:data:`MAX_XLSX_SHEET_BYTES`, :data:`MAX_XLSX_ROWS`) and how far a part
expands (:data:`MAX_XLSX_EXPANSION`) are bounded, so that a small file cannot
cost minutes or gigabytes.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import enum
import io
import json
import operator
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, TypeAlias

import attrs

from .._errors import DataError, InvalidValueError, NumberTooLargeError, Problem
from .._numbers import LIMITS, Number, check_decimal, exact, to_number
from ..formula.language import normalize_name
from ..formula.text import shown_name

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_NUMBER_CHARS",
    "MAX_XLSX_EXPANSION",
    "MAX_XLSX_HELD_BYTES",
    "MAX_XLSX_MERGES",
    "MAX_XLSX_ROWS",
    "MAX_XLSX_SHEET_BYTES",
    "NO_DATA",
    "NO_DATA_TEXTS",
    "CellProblem",
    "CellValue",
    "NoData",
    "RawCell",
    "Row",
    "Rows",
    "Table",
    "column_label",
    "iter_rows",
    "parse_json",
    "read_cell",
    "read_table",
    "read_text",
    "table_from_text",
]

MAX_CELL_CHARS: Final = 10_000
"""Longest cell read, in characters; a longer cell fails only its row's unit."""

MAX_COLUMNS: Final = 10_000
"""Widest row read; a wider header is a file error, a wider data row fails only its unit."""

MAX_NUMBER_CHARS: Final = 100
"""Longest text read as a number (a cell, or a numeric literal in JSON).

Checked before any conversion, so that a 5000-digit integer costs nothing.
The digit and exponent bounds of ``perfrules.LIMITS`` apply after that.
"""

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

_SHOWN: Final = 40  # characters of a bad cell quoted in a message


def _shown(text: str) -> str:
    """*text* quoted for a message, shortened when long (the length is given instead)."""
    if len(text) <= _SHOWN:
        return f"'{text}'"
    return f"'{text[: _SHOWN - 3]}...' ({len(text)} characters)"


def column_label(index: int) -> str:
    """A 0-based column index as people find it: its number and its spreadsheet letters.

    >>> column_label(0), column_label(27)
    ('column 1 (A)', 'column 28 (AB)')
    """
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"column {index + 1} ({letters})"


# ---------------------------------------------------------------------------
# Text encodings
# ---------------------------------------------------------------------------

_BOMS: Final = (
    # UTF-32 before UTF-16: the UTF-32 LE mark (FF FE 00 00) begins with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(data: bytes, origin: str) -> str:
    """Decode a data file's bytes, in an order that never mis-decodes.

    The order:

    1. a byte-order mark decides: UTF-8 (what Excel writes as "CSV UTF-8"),
       UTF-32 or UTF-16 (Excel's "Unicode text");
    2. else strict UTF-8;
    3. else strict GB18030, a superset of the GBK and GB2312 files Excel
       writes on Chinese Windows.

    UTF-8 goes first because its structure is strict: Chinese text in
    GB18030 is practically never valid UTF-8 by accident, while nearly any
    UTF-8 text would decode as (wrong) GB18030 characters. Text with NUL
    characters is refused: it is a binary file, or UTF-16 without a mark.

    Args:
        data: the file's bytes.
        origin: the file's name, for messages.

    Returns:
        The text, without a byte-order mark.

    Raises:
        DataError: no encoding of the list reads the bytes.

    >>> read_text("单位,得分\\n".encode("gbk"), "a.csv")
    '单位,得分\\n'
    >>> read_text(codecs.BOM_UTF8 + "单位".encode(), "a.csv")
    '单位'
    """
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DataError(
                    [
                        Problem(
                            origin,
                            f"starts with a {encoding.upper()} byte-order mark, but byte {exc.start} "
                            f"is not {encoding.upper()}",
                        )
                    ],
                    title=f"cannot read {origin}",
                ) from None
            break
    if text is None:
        if data.startswith(b"PK\x03\x04"):
            raise DataError(
                [Problem(origin, "is a zip file (an Excel workbook?); name it .xlsx to read it as one")],
                title=f"cannot read {origin}",
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise DataError(
                    [Problem(origin, "cannot read as UTF-8, UTF-16 or GB18030; save it as CSV UTF-8")],
                    title=f"cannot read {origin}",
                ) from None
            _check_gb18030(text, data, origin)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise DataError(
            [
                Problem(
                    origin,
                    "holds NUL characters: a binary file, or UTF-16 without a byte-order mark; "
                    "save it as CSV UTF-8",
                )
            ],
            title=f"cannot read {origin}",
        )
    return text


_SAMPLE: Final = 65_536  # characters of each part of a file that judge its encoding
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
_PRIVATE_USE: Final = re.compile(r"[\ue000-\uf8ff]")
_OTHER_ENCODINGS: Final = (("Big5", "big5"), ("Shift-JIS", "cp932"))  # (name, Python and iconv codec)


def _common_in_gb2312(ch: str) -> bool:
    """A Chinese character of GB2312 (both levels), or its punctuation and full-width forms."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xF7 or 0xA1 <= lead <= 0xA3


def _check_gb18030(text: str, data: bytes, origin: str) -> None:
    """Refuse text that decodes as GB18030 but cannot be Chinese text in it.

    Nearly any bytes decode as GB18030: a Big5 (Traditional Chinese) or
    Shift-JIS (Japanese) file comes out as rare characters, kana, Cyrillic
    and private-use code points, and would be scored with garbage names.
    Real GBK text is almost all the common characters of GB2312 (over 99%
    in the built-in schemes' sources), so text whose non-ASCII characters are
    more than a fifth something else, or hold a private-use code point (the
    user-defined areas of GBK), is refused, naming the file and what it
    more likely is. Three samples of the text are judged (start, middle,
    end), so the cost does not grow with the file.
    """
    middle = len(text) // 2
    sample = text
    if len(text) > 3 * _SAMPLE:
        sample = text[:_SAMPLE] + text[middle : middle + _SAMPLE] + text[-_SAMPLE:]
    found = _NON_ASCII.findall(sample)
    if not found:
        return
    known: dict[str, bool] = {}
    uncommon = 0
    for ch in found:
        if ch not in known:
            known[ch] = _common_in_gb2312(ch)
        uncommon += not known[ch]
    if uncommon <= max(2, len(found) // 5) and not _PRIVATE_USE.search(sample):
        return
    likely = [(name, codec) for name, codec in _OTHER_ENCODINGS if _decodes(data, codec)]
    maybe = f"; it looks like {' or '.join(name for name, _ in likely)}" if likely else ""
    convert = f", e.g. iconv -f {likely[0][1].upper()} -t UTF-8" if likely else ""
    line = text.lstrip().split("\n", 1)[0]
    shown = shown_name(line[:_SHOWN]) + ("..." if len(line) > _SHOWN else "")
    raise DataError(
        [
            Problem(
                origin,
                f"is not UTF-8, and read as GB18030 (GBK) it gives unlikely characters "
                f"({shown}){maybe}; save it as CSV UTF-8 (or convert it{convert})",
            )
        ],
        title=f"cannot read {origin}",
    )


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------


@attrs.frozen
class CellProblem:
    """A cell that cannot be read: only the unit of its row fails.

    Attributes:
        text: the text found (shortened when very long).
        message: what is wrong, quoting the text.
    """

    text: str
    message: str

    def __str__(self) -> str:
        return self.message


class NoData(enum.Enum):
    """The type of :data:`NO_DATA`."""

    NO_DATA = "no data"

    def __repr__(self) -> str:
        return "NO_DATA"


NO_DATA: Final = NoData.NO_DATA
"""A cell that says "no data": the scheme's no-data policy applies, as for an empty cell."""


@attrs.frozen
class CellValue:
    """A number read from a cell, and a note when it was read generously.

    Attributes:
        value: the exact number.
        note: what was read (``'19件' read as 19``), or None for a plain number.
    """

    value: Number
    note: str | None = None


RawCell: TypeAlias = "str | int | Decimal | CellProblem"
"""A cell as a table holds it: text, an exact number (from a workbook), or a problem."""

NO_DATA_TEXTS: Final = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "/", "n/a", "na", "#n/a", "null", "nan"}
)
"""Cell texts that mean "no data" (compared after NFKC and ignoring case).

Empty, a dash (``-``, ``—``, ``——``, ``–``), a slash, ``N/A``, ``NA``,
``#N/A`` (Excel's "not available"), ``null`` and ``NaN`` (how pandas writes
a missing value). ``无`` is *not* among them: it may well mean zero, so it is
an error for its unit, as is ``0/0``.
"""

# A dash of any kind after NFKC: hyphen-minus, hyphen, en/em dash, horizontal bar, minus.
_DASHES: Final = re.compile(r"^[-‐‑–—―−]{1,3}$")
_MEASURE_WORDS: Final = frozenset("件宗项个次条起人家天日分名")
_MAGNITUDE_WORDS: Final = frozenset("元角圆块万亿兆")
_CHINESE_NUMERALS: Final = frozenset("零〇一二两三四五六七八九十百千")
_PLAIN: Final = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
_GROUPED: Final = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_FRACTION: Final = re.compile(r"^([-+]?\d+)\s*/\s*(\d+)$")
# Short enough that it is inside perfrules.LIMITS whatever the digits.
_ZERO_CELL: Final = Decimal(0)
_FAST: Final = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,20})?")


def _no_data_text(text: str) -> bool:
    return text.casefold() in NO_DATA_TEXTS or bool(_DASHES.match(text))


def read_cell(raw: RawCell | float | Fraction) -> CellValue | NoData | CellProblem:
    """Read one cell of a numeric column.

    What a cell may hold:

    - nothing, or a text of :data:`NO_DATA_TEXTS` (``—``, ``N/A`` …):
      :data:`NO_DATA`;
    - a plain number (``95``, ``-0.5``, ``1.5e3``), full-width digits
      included; a percentage (``95%`` is 0.95); a fraction of whole numbers
      (``29/30``, exact);
    - with a note saying what was read: thousands separators in valid
      groups of three (``1,234``) and a trailing count word
      (件 宗 项 个 次 条 起 人 家 天 日 分 名: ``19件``).

    Anything else is a :class:`CellProblem` quoting the text: words, money
    or magnitude words (``5万``, ``100元``: never guessed), ``无`` (it may
    mean zero), a division by zero (``0/0``), and numbers outside
    ``perfrules.LIMITS`` (checked before any arithmetic, so ``1e999999999%``
    or a 5000-digit integer fail at once).

    Args:
        raw: the cell: text, or a number from a workbook.

    Returns:
        A :class:`CellValue`, :data:`NO_DATA` or a :class:`CellProblem`.

    >>> read_cell("95%")
    CellValue(value=Decimal('0.95'), note=None)
    >>> read_cell("29/30").value
    Fraction(29, 30)
    >>> read_cell("19件")
    CellValue(value=Decimal('19'), note="'19件' read as 19")
    >>> read_cell("—")
    NO_DATA
    >>> read_cell("0/0").message
    "'0/0' divides by zero; leave the cell empty (or write —) when there is no data"
    """
    if type(raw) is str and _FAST.fullmatch(raw):
        # The common cell, a short plain decimal: nothing to normalise or bound.
        plain = Decimal(raw)
        return CellValue(plain if plain or raw[0] != "-" else _ZERO_CELL)  # "-0" reads as 0
    if isinstance(raw, CellProblem):
        return raw
    if isinstance(raw, bool):
        return CellProblem(str(raw), f"{raw} is a truth value, not a number")
    if not isinstance(raw, str):
        try:
            return CellValue(to_number(raw))
        except (InvalidValueError, NumberTooLargeError) as exc:
            return CellProblem(str(raw), str(exc))
    if len(raw) > MAX_NUMBER_CHARS + 10 and len(raw.strip()) > MAX_NUMBER_CHARS:
        # Before NFKC, which is linear but pointless on a paragraph of text.
        return CellProblem(raw[:_SHOWN], f"{_shown(raw.strip())} is too long to be a number")
    text = unicodedata.normalize("NFKC", raw).strip()
    if _no_data_text(text):
        return NO_DATA
    notes: list[str] = []
    body = text
    if body and body[-1] in _MEASURE_WORDS:
        body = body[:-1].rstrip()
        notes.append("count word")
    if _GROUPED.match(body):
        body = body.replace(",", "")
        notes.append("thousands separators")
    found = _shown(text)
    if m := _FRACTION.match(body):
        if notes:
            return CellProblem(text, f"{found} is not a number")
        return _fraction(text, m.group(1), m.group(2))
    percent = body.endswith("%") and not notes
    if percent:
        body = body[:-1].rstrip()
    if not _PLAIN.match(body):
        return CellProblem(text, _not_a_number(text))
    if len(body) > MAX_NUMBER_CHARS:
        return CellProblem(text, f"{found} is too long to be a number")
    try:
        value = to_number(Decimal(body))  # bounded before any arithmetic
        if percent:
            value = to_number(Fraction(value) / 100)
    except (InvalidOperation, InvalidValueError, NumberTooLargeError):
        return CellProblem(
            text, f"{found} is outside the numbers perfrules reads (|x| < 10^{LIMITS.max_digits})"
        )
    if notes:
        return CellValue(value, f"{found} read as {_plain_text(value)}")
    return CellValue(value if value or not isinstance(value, Decimal) else _ZERO_CELL)


def _fraction(text: str, top: str, bottom: str) -> CellValue | CellProblem:
    found = _shown(text)
    if len(top) > LIMITS.max_digits + 2 or len(bottom) > LIMITS.max_digits + 1:
        return CellProblem(text, f"{found} is outside the numbers perfrules reads")
    if int(bottom) == 0:
        return CellProblem(
            text, f"{found} divides by zero; leave the cell empty (or write —) when there is no data"
        )
    try:
        return CellValue(to_number(Fraction(int(top), int(bottom))))
    except NumberTooLargeError:
        return CellProblem(text, f"{found} is outside the numbers perfrules reads")


def _not_a_number(text: str) -> str:
    found = _shown(text)
    if text == "无":
        return f"{found} is not a number; write 0 if it means none, or leave the cell empty for no data"
    if any(ch in _MAGNITUDE_WORDS for ch in text):
        return f"{found} is not a number; write the plain number (magnitudes and money units are not guessed)"
    if all(ch in _CHINESE_NUMERALS for ch in text):
        return f"{found} is not a number; write it in digits"
    return f"{found} is not a number"


def _plain_text(value: Number) -> str:
    shown = exact(value)
    if isinstance(shown, Fraction):
        return f"{shown.numerator}/{shown.denominator}"
    return format(shown, "f")


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


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


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


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

    CSV is decoded by :func:`read_text`, on the whole file (the encoding is
    decided on all its bytes), then parsed a row at a time. A workbook (``.xlsx``, ``.xlsm``;
    needs the ``excel`` extra) is read from its first visible sheet, or *sheet*
    (hidden sheets are listed in the rows' ``notes``);
    numbers stay exact (a whole number stays whole, a decimal is read by its
    shortest form: ``0.85`` is 85/100), and formulas count by the value Excel
    last computed for them. A cell merged down several rows gives its value
    to each of them; a value merged across columns is a problem of its cells.
    A workbook is checked before it is read: its parts' unzipped sizes, its
    rows and columns (:data:`MAX_XLSX_HELD_BYTES` and the other limits).

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


# ---------------------------------------------------------------------------
# Excel workbooks
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


class _Duplicates(dict[str, Any]):
    """An object that had a key twice; the walk after parsing reports it with its path."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    twice = []
    for key, value in pairs:
        if key in out:
            twice.append(key)
        out[key] = value
    if twice:
        marked = _Duplicates(out)
        marked.duplicates = twice
        return marked
    return out


_EXPONENT: Final = re.compile(r"[eE]([-+]?\d+)$")


def _json_int(text: str) -> int | CellProblem:
    digits = len(text.lstrip("-"))
    if digits > LIMITS.max_digits:
        return CellProblem(
            text[:_SHOWN], f"the number {_shown(text)} has {digits} digits; the limit is {LIMITS.max_digits}"
        )
    return int(text)


def _json_float(text: str) -> Decimal | CellProblem:
    if len(text) > MAX_NUMBER_CHARS:
        return CellProblem(text[:_SHOWN], f"the number {_shown(text)} is too long")
    try:
        return check_decimal(Decimal(text))
    except (InvalidOperation, InvalidValueError, NumberTooLargeError):
        return CellProblem(
            text, f"the number '{text}' is outside the numbers perfrules reads (|x| < 10^{LIMITS.max_digits})"
        )


def _json_constant(text: str) -> CellProblem:
    return CellProblem(text, f"{text} is not a number")


def parse_json(text: str, origin: str) -> object:
    """Parse a JSON data file without trusting it.

    A key given twice in one object is a file error naming the key and its
    path. Numbers are bounded *before* they are converted: an integer of
    more than ``LIMITS.max_digits`` digits, a literal longer than
    :data:`MAX_NUMBER_CHARS`, an exponent outside the limits
    (``1e-99999999``) or ``NaN``/``Infinity`` become a :class:`CellProblem`
    in place of the number, so that only the unit holding it fails.
    Decimals are read exactly (``0.85`` is a ``Decimal``, not a float).

    Raises:
        DataError: not valid JSON, nested too deeply, or a duplicate key.

    >>> parse_json('{"a": 0.85, "b": 1e-99999999}', "d.json")["a"]
    Decimal('0.85')
    >>> parse_json('{"a": 1, "a": 2}', "d.json")
    Traceback (most recent call last):
    ...
    perfrules.DataError: invalid data in d.json: 1 problem
      - the key 'a' is given twice @ (top)
    """
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as exc:
        raise DataError(
            [Problem(origin, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")],
            title=f"invalid data in {origin}",
        ) from None
    except RecursionError:
        raise DataError([Problem(origin, "nested too deeply")], title=f"invalid data in {origin}") from None
    problems = list(_duplicate_keys(data, ""))
    if problems:
        raise DataError(problems, title=f"invalid data in {origin}")
    return data


def _duplicate_keys(value: object, path: str) -> Iterable[Problem]:
    stack: list[tuple[object, str]] = [(value, path)]
    while stack:  # a loop, not recursion: the parser already accepted the depth
        item, where = stack.pop()
        if isinstance(item, dict):
            if isinstance(item, _Duplicates):
                for key in item.duplicates:
                    yield Problem(where or "(top)", f"the key '{key}' is given twice")
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(item))))
