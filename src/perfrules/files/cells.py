"""One cell of a data file read as a number, "no data", or a problem that fails only its unit.

A cell's text is read by :func:`read_cell`: plain numbers, percentages and
fractions exactly; thousands separators and a trailing count word (``19件``)
with a note saying what was read; the texts of :data:`NO_DATA_TEXTS` as
:data:`NO_DATA`; anything else as a :class:`CellProblem` quoting the text.
The limits on one cell and on a row's width (:data:`MAX_CELL_CHARS`,
:data:`MAX_COLUMNS`, :data:`MAX_NUMBER_CHARS`) are here too, as every reader
of the files layer applies them.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Final, TypeAlias

import attrs

from .._errors import InvalidValueError, NumberTooLargeError
from .._numbers import LIMITS, Number, exact, to_number

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_NUMBER_CHARS",
    "NO_DATA",
    "NO_DATA_TEXTS",
    "CellProblem",
    "CellValue",
    "NoData",
    "RawCell",
    "column_label",
    "read_cell",
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


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


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
    if raw == "":  # the common blank cell (what the rest would find after normalising)
        return NO_DATA
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
