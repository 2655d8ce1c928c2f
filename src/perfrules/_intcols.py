"""Exact columns of numbers: integers over one denominator, read from values or from text at once.

The column program (:mod:`perfrules.scoring.program`) works on :class:`IntColumn`:
each unit's value is ``num[i] / den``, exactly, with ``num`` a NumPy array of
64-bit integers while every value (and every sum the program forms) stays
well inside them, and of Python integers beyond. Two readers fill them:

- :func:`from_values` from a batch's data (``Decimal`` and ``int``; a ``float``, a ``Fraction`` as
  :func:`~perfrules._numbers.to_number` reads it, once per distinct value);
- :func:`from_texts` from a data file's cells as text, parsed as a whole
  column by NumPy: only plain decimals (``95``, ``-0.5``, ``87.25``, the
  cells :func:`perfrules.files.cells.read_cell` reads without a note) are read
  here, and give exactly the value that reader gives. Its kernel,
  :func:`plain_columns`, parses cells given as offsets into bytes, and so
  also reads a CSV file's byte ranges (:mod:`perfrules.files.csvcolumns`).

A cell either reader does not take (a missing value, a percentage, a word, a
number with more places than :data:`MAX_PLACES`) is marked not plain; the
caller reads its unit with the per-cell reader (a ``Unit``), as usual.

NumPy is imported when a column is first read, so ``import perfrules``
stays light.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Any

from ._numbers import ratio_read
from ._textcols import format_matrix

__all__ = [
    "MAX_PLACES",
    "SAFE",
    "IntColumn",
    "as_objects",
    "coprime_fractions",
    "format_column",
    "format_rows",
    "from_records",
    "from_text_columns",
    "from_text_rows",
    "from_texts",
    "from_values",
    "gc_paused",
    "numpy",
    "plain_columns",
    "round_half_up_column",
]

SAFE = 2**62
"""Integers of int64 columns stay below this, so that one more addition of two cannot wrap."""

MAX_PLACES = 12
"""Cells with more decimal places than this are read by the per-cell reader."""

_MAX_ABS = 10**15
# Data values (not text) up to this size and this many places are read exactly, in Python integers
# beyond int64 (the per-cell reader reads them as they are too).
_WIDE = 10**40
_EXTREME = 80  # a Decimal whose leading digit is past 10**±80 is beyond _WIDE either way
_MAX_DIGITS = 18  # digits an int64 holds whatever they are

_np: Any = None


def numpy() -> Any:
    """NumPy, imported on first use."""
    global _np
    if _np is None:
        import numpy as np

        _np = np
    return _np


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a batch's columns are built.

    Building a column makes many small objects (a ratio per cell, a list
    per row) and no cycles; with the collector on, each few hundred of them
    start a collection that walks every object alive, the batch's units
    included, which made reading columns three times slower.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class IntColumn:
    """An exact column: ``num[i] / den`` per unit (``den`` > 0; ``bound`` ≥ every ``|num|``)."""

    __slots__ = ("bound", "den", "num")

    def __init__(self, num: Any, den: int, bound: int) -> None:
        self.num = num
        self.den = den
        self.bound = bound


def _made_directly(numerator: int, denominator: int) -> Fraction:
    """``Fraction(numerator, denominator)`` for a pair already in lowest terms, denominator > 0."""
    made = _new(Fraction)
    made._numerator, made._denominator = numerator, denominator  # type: ignore[attr-defined]
    return made


def _direct_works() -> bool:
    try:
        made = _made_directly(-3, 4)
        return made == Fraction(-3, 4) and hash(made) == hash(Fraction(-3, 4)) and str(made) == "-3/4"
    except (AttributeError, TypeError):
        return False


_new = object.__new__
_make: Any = _made_directly if _direct_works() else Fraction


def coprime_fractions(numerators: Sequence[int], denominators: Sequence[int]) -> list[Fraction]:
    """Fractions of pairs already in lowest terms (denominators > 0): the same Fractions as
    ``Fraction(n, d)``, made without its checks and gcd (about a fifth of the time), where the
    running Python's ``Fraction`` keeps its two integers as it has since 3.0; else by ``Fraction``.

    >>> coprime_fractions([1, -7], [3, 2])
    [Fraction(1, 3), Fraction(-7, 2)]
    """
    return list(map(_make, numerators, denominators))


def as_objects(a: Any) -> Any:
    """The array as Python integers (exact whatever they grow to)."""
    return a if a.dtype == object else a.astype(object)


def from_values(values: Sequence[object]) -> tuple[IntColumn, Any]:
    """A column from data values; and which cells are plain numbers (a NumPy bool array).

    >>> col, plain = from_values([Decimal("87.5"), 90, None, 0.25, Fraction(1, 3), float("nan")])
    >>> col.num.tolist(), col.den, plain.tolist()
    ([1050, 1080, 0, 3, 4, 0], 12, [True, True, False, True, True, False])
    """
    by_text = _as_texts([values])[0]
    return by_text if by_text is not None else _by_ratio(values)


def _by_ratio(values: Sequence[object]) -> tuple[IntColumn, Any]:
    """:func:`from_values` from each value's integer ratio."""
    np = numpy()
    try:
        # Every cell a finite Decimal: one pass in C, then checks on the arrays.
        # An exponent past _EXTREME (1E-99999999) would make a huge integer ratio: cell by cell instead.
        magnitudes = list(map(Decimal.adjusted, values))  # type: ignore[arg-type]
        if magnitudes and (min(magnitudes) < -_EXTREME or max(magnitudes) > _EXTREME):
            return _cell_by_cell(values)
        nums, dens = zip(*map(Decimal.as_integer_ratio, values), strict=True)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # not a Decimal, NaN, infinite (or no cells)
        return _cell_by_cell(values)
    try:
        num = np.fromiter(nums, dtype=np.int64, count=len(nums))
        den_each = np.fromiter(dens, dtype=np.int64, count=len(dens))
    except OverflowError:
        return _wide(nums, dens, values)
    # |num / den| < _MAX_ABS, compared without forming _MAX_ABS × den (beyond int64 for den > 9223).
    good = (den_each <= 10**MAX_PLACES) & (np.abs(num) // den_each < _MAX_ABS)
    if not good.all():
        return _wide(nums, dens, values)
    return _common(num, den_each), good


def from_records(
    records: Sequence[Mapping[str, object]], names: Sequence[str]
) -> dict[str, tuple[IntColumn, Any]]:
    """:func:`from_values` of each of *names*, read from *records* (a batch's data, one mapping a
    unit; a name a record lacks reads as None) in one pass over them.

    >>> columns = from_records([{"x": Decimal("1.5"), "y": 2}, {"x": 3}], ["x", "y"])
    >>> [(c.num.tolist(), c.den, plain.tolist()) for c, plain in columns.values()]
    [([3, 6], 2, [True, True]), ([2, 0], 1, [True, False])]
    """
    if not names:
        return {}
    try:
        # Every record holds every name (the common case): the rows turned into columns in C.
        pick = itemgetter(*names)
        picked = list(map(pick, records))
        by_name = list(zip(*picked, strict=True)) if len(names) > 1 else [picked]
    except KeyError:
        by_name = [[r.get(name) for r in records] for name in names]
    if not records:
        by_name = [[] for _ in names]
    by_text = _as_texts(by_name)
    return {
        name: found if found is not None else _by_ratio(values)
        for name, values, found in zip(names, by_name, by_text, strict=True)
    }


_WRITTEN = frozenset({Decimal, int})
_BY_TEXT = 4096  # from this many cells, columns are read from their text


def _as_texts(columns: Sequence[Sequence[object]]) -> list[tuple[IntColumn, Any] | None]:
    """Of columns of the same units, those whose every cell is a ``Decimal`` or an ``int`` written
    as a plain decimal (``str``: ``87.25``, not ``1E+3``), parsed from that text at once
    (:func:`from_text_columns`: several times faster than each value's integer ratio); None for
    every other column.

    A value's text is its exact decimal expansion, so the column holds the same numbers as
    :func:`from_values` would make (over ``10**places`` rather than their least common
    denominator), and every cell is plain. A column with a value past ``10**15`` is left to the
    ratios, which keep such columns as Python integers; so are columns of fewer than
    :data:`_BY_TEXT` cells in all (the parse's fixed cost is that of a few thousand ratios).
    """
    found: list[tuple[IntColumn, Any] | None] = [None] * len(columns)
    if sum(map(len, columns)) < _BY_TEXT:  # (the parse costs about as much as a few thousand ratios)
        return found
    wanted: list[int] = []
    texts: list[list[str]] = []
    for k, values in enumerate(columns):
        if values and set(map(type, values)) <= _WRITTEN:
            try:
                texts.append(list(map(str, values)))
            except ValueError:  # an integer too long to be written (int_max_str_digits): by the ratios
                continue
            wanted.append(k)
    if not wanted:
        return found
    parsed = from_text_columns(texts)
    for k, (col, plain) in zip(wanted, parsed, strict=True):
        if plain.all() and col.bound < _MAX_ABS * col.den:  # (larger values: as from_values keeps them)
            found[k] = (col, plain)
    return found


def _wide(nums: Sequence[int], dens: Sequence[int], values: Sequence[object]) -> tuple[IntColumn, Any]:
    """Every cell a finite Decimal, some beyond int64 once scaled: Python integers, checked at once."""
    np = numpy()
    num = np.array(nums, dtype=object)
    den_each = np.array(dens, dtype=object)
    good = ((den_each <= _WIDE) & (abs(num) < den_each * _WIDE)).astype(bool)
    if not good.all():
        return _cell_by_cell(values)
    return _common(num, den_each), good


def _cell_by_cell(values: Sequence[object]) -> tuple[IntColumn, Any]:
    np = numpy()
    n = len(values)
    good = np.ones(n, dtype=bool)
    nums = [0] * n
    dens = [1] * n
    read: dict[Any, tuple[int, int] | None] = {}  # per distinct other value: its ratio (ratio_read)
    for i, v in enumerate(values):
        if type(v) is Decimal:
            if v.is_finite() and not -_EXTREME <= v.adjusted() <= _EXTREME:
                good[i] = False  # far beyond _WIDE: not made into a ratio at all
                continue
            try:
                a, b = v.as_integer_ratio()
            except (ValueError, OverflowError):
                good[i] = False
                continue
            if b > _WIDE or not -_WIDE * b < a < _WIDE * b:
                good[i] = False
                continue
            nums[i], dens[i] = a, b
        elif type(v) is int and -_WIDE < v < _WIDE:
            nums[i] = v
        else:
            ratio = ratio_read(v, read)  # (a float, a Fraction: as to_number reads it; else not plain)
            if ratio is None or ratio[1] > _WIDE or not -_WIDE * ratio[1] < ratio[0] < _WIDE * ratio[1]:
                good[i] = False
            else:
                nums[i], dens[i] = ratio
    wide = max(map(abs, nums), default=0) >= SAFE or max(dens, default=1) >= SAFE
    kind = object if wide else np.int64
    return _common(np.array(nums, dtype=kind), np.array(dens, dtype=kind)), good


def _common(num: Any, den_each: Any) -> IntColumn:
    """Numerators over their own denominators, brought over one (their least common multiple)."""
    if not len(num):
        return IntColumn(num, 1, 0)
    top = int(den_each.max())
    # Mostly the largest denominator is a multiple of every other (10**places): no set of them made.
    den = (
        top if den_each.dtype != object and not (top % den_each).any() else math.lcm(*set(den_each.tolist()))
    )
    if den != 1:
        if den >= SAFE:  # the common denominator itself is past int64 (2·10**18 beside 2.5·10**18)
            num, den_each = as_objects(num), as_objects(den_each)
        factors = den // den_each
        if int(abs(num).max()) * den >= SAFE:
            # Scaled up, the numerators could outgrow int64 (10**14 beside a cell of 12 places).
            num, factors = as_objects(num), as_objects(factors)
        num = num * factors
    return IntColumn(num, den, int(abs(num).max()))


def from_texts(texts: Sequence[object]) -> tuple[IntColumn, Any]:
    """A column from cells as text, parsed at once; and which cells are plain decimals.

    A plain decimal is an optional ``-``, 1 to 18 digits and at most
    :data:`MAX_PLACES` of them after a ``.``, with digits on both sides of
    it (``95``, ``-0.5``): exactly what :func:`perfrules.files.cells.read_cell`
    reads as it stands. Anything else is not plain (read by the per-unit
    program).

    >>> col, plain = from_texts(["95", "87.25", "-0.5", "95%", "", "1e3"])
    >>> col.num.tolist()[:3], col.den, plain.tolist()
    ([9500, 8725, -50], 100, [True, True, True, False, False, False])
    """
    return from_text_columns([texts])[0]


def from_text_columns(columns: Sequence[Sequence[object]]) -> list[tuple[IntColumn, Any]]:
    """:func:`from_texts` for several columns of the same units, parsed in one pass over their text."""
    np = numpy()
    if not columns:
        return []
    n = len(columns[0])
    if not n:
        return [(IntColumn(np.zeros(0, dtype=np.int64), 1, 0), np.zeros(0, dtype=bool)) for _ in columns]
    try:
        joined = "\n".join(map("\n".join, columns))  # type: ignore[arg-type]
    except TypeError:
        # Workbook cells hold numbers and dates: each column is read as the reader reads it.
        return [
            _cell_by_cell(c) if set(map(type, c)) != {str} else from_text_columns([c])[0] for c in columns
        ]
    total = n * len(columns)
    raw = joined.encode("ascii", errors="replace") if not joined.isascii() else joined.encode("ascii")
    if raw.count(b"\n") != total - 1:
        # A line break inside a cell (a plain decimal has none): those cells are not plain.
        cleaned = [[t if "\n" not in t else "x" for t in c] for c in columns]  # type: ignore[operator]
        return from_text_columns(cleaned)
    return _parsed(raw, len(columns), n, by_row=False)


def from_text_rows(raw: bytes, k: int, n: int) -> list[tuple[IntColumn, Any]]:
    """:func:`from_text_columns` of a table's *k* columns and *n* rows given as one text: its cells
    row after row, each ended by a line break but the last (``b"1,2\\n3,4".replace(b",", b"\\n")``).
    Bytes beyond ASCII are never part of a plain decimal.

    >>> [(c.num.tolist(), c.den, p.tolist()) for c, p in from_text_rows(b"1\\n2.5\\n-3\\nx", 2, 2)]
    [([1, -3], 1, [True, True]), ([25, 0], 10, [True, False])]
    """
    np = numpy()
    if not n or not k:
        return [(IntColumn(np.zeros(n, dtype=np.int64), 1, 0), np.zeros(n, dtype=bool)) for _ in range(k)]
    found = raw.count(b"\n") + 1
    if found != n * k:
        raise ValueError(f"expected {n * k} cells, found {found}")
    return _parsed(raw, k, n, by_row=True)


def _parsed(raw: bytes, k: int, n: int, *, by_row: bool) -> list[tuple[IntColumn, Any]]:
    """The cells of *raw* (one per line), column after column (or row after row), as columns."""
    np = numpy()
    total = n * k
    a = np.frombuffer(raw, dtype=np.uint8)
    breaks = np.flatnonzero(a == 10)
    starts = np.zeros(total, dtype=np.int64)
    starts[1:] = breaks + 1
    length = np.full(total, len(a), dtype=np.int64)
    length[:-1] = breaks
    length -= starts
    if by_row:
        return plain_columns(a, starts.reshape(n, k).T, length.reshape(n, k).T)
    return plain_columns(a, starts.reshape(k, n), length.reshape(k, n))


def plain_columns(data: Any, starts: Any, lengths: Any) -> list[tuple[IntColumn, Any]]:
    """The cells at *starts* (offsets into *data*, a NumPy uint8 array) of *lengths* bytes, parsed
    as plain decimals (see :func:`from_texts`) at once: per column, its values over one
    ``10**scale`` and which cells are plain. *starts* and *lengths* are int64 arrays of columns by
    rows (a transposed view will do); every offset is at most ``len(data)``. Bytes beyond ASCII are
    never part of a plain decimal.

    >>> data = numpy().frombuffer(b"1,2.5\\n-3,x", dtype=numpy().uint8)
    >>> starts = numpy().array([[0, 6], [2, 9]])
    >>> lengths = numpy().array([[1, 2], [3, 1]])
    >>> [(c.num.tolist(), c.den, p.tolist()) for c, p in plain_columns(data, starts, lengths)]
    [([1, -3], 1, [True, True]), ([25, 0], 10, [True, False])]
    """
    np = numpy()
    k, n = starts.shape
    if not n or not k:
        return [(IntColumn(np.zeros(n, dtype=np.int64), 1, 0), np.zeros(n, dtype=bool)) for _ in range(k)]
    total = n * k
    # Cells are read in the order they lie in memory (row after row for a transposed table: the
    # bytes are then gathered in file order, which is faster), and turned into columns at the end.
    order = "F" if starts.flags.f_contiguous and not starts.flags.c_contiguous else "C"
    starts = starts.ravel(order)
    length = lengths.ravel(order)
    # Each byte's class (a digit's value, a point, a minus sign, anything else), once for all.
    width = _MAX_DIGITS + 2  # a plain decimal's digits, a point and a sign
    classes = np.full(len(data) + width, _OTHER, dtype=np.uint8)
    head = classes[: len(data)]
    np.subtract(data, np.uint8(48), out=head)  # a digit's value; other bytes wrap round past 9
    dot, sign = head == np.uint8(46 - 48 + 256), head == np.uint8(45 - 48 + 256)
    np.putmask(head, head > 9, _OTHER)
    np.putmask(head, dot, _DOT)
    np.putmask(head, sign, _MINUS)
    # Only cells that start with a digit or a sign and are short enough are read, a byte
    # position at a time over all of them at once, in the narrowest integers that hold them.
    first = classes[starts]
    maybe = (length <= width) & (length > 0) & ((first <= 9) | (first == _MINUS))
    every = bool(maybe.all())
    at = None if every else np.flatnonzero(maybe)
    begin = starts if at is None else starts[at]
    short = (length if at is None else length[at]).astype(np.uint8)
    minus = (first if at is None else first[at]) == _MINUS
    m = len(begin)
    size = int(short.max(initial=0))
    kind = np.int32 if size <= 9 else np.int64  # nine digits fit an int32
    # Plain arithmetic over small integers only (np.where and masked writes cost several times more).
    dots = np.zeros(m, dtype=np.uint8)
    dot_at = np.zeros(m, dtype=np.uint8)  # where the point is, when there is one
    bad = np.zeros(m, dtype=bool)
    value = np.zeros(m, dtype=kind)  # the digits read so far, the point skipped
    byte = np.empty(m, dtype=np.uint8)
    nine, u8 = np.uint8(9), np.uint8
    for j in range(size):
        np.take(classes[j:], begin, out=byte)
        inside = short > j if j else None  # every cell has a first byte
        if inside is None:
            bad |= byte == _OTHER
            is_digit, is_dot = byte <= nine, byte == _DOT
        else:
            bad |= (byte >= _MINUS) & inside  # a sign only first
            is_digit, is_dot = (byte <= nine) & inside, (byte == _DOT) & inside
        dots += is_dot
        dot_at += is_dot.view(u8) * u8(j)
        digit = is_digit.view(u8)
        np.multiply(value, digit * nine + u8(1), out=value, casting="unsafe")  # x10 at a digit
        np.add(value, byte * digit, out=value, casting="unsafe")
    # A cell with no other byte is digits, points and a leading sign.
    digits = short - dots - minus
    fine = ~bad & (dots <= 1)
    # A digit on each side of the point.
    has_dot = dots == 1
    fine &= ~has_dot | ((dot_at > minus) & (dot_at < short - 1))
    own = np.where(has_dot, short - dot_at - 1, 0).astype(np.int8)
    whole = digits.astype(np.int8) - own
    fine &= (digits >= 1) & (whole >= 1) & (own <= MAX_PLACES) & (digits <= _MAX_DIGITS)
    signed = value.astype(np.int64)  # cells that are not fine are never read below
    np.negative(signed, out=signed, where=minus)
    ok, places, wide = fine, own, whole
    if at is not None:  # back to every cell: those not read are not plain
        ok = np.zeros(total, dtype=bool)
        places, wide = np.zeros(total, dtype=np.int8), np.zeros(total, dtype=np.int8)
        ok[at], places[at], wide[at] = fine, own, whole
        signed, found = np.zeros(total, dtype=np.int64), signed
        signed[at] = found
    # Per column (a row of these tables): its values over 10**scale, its most places, where the
    # whole digits and that scale fit an int64.
    good, signed, places, wide = (
        np.ascontiguousarray(x.reshape((k, n), order=order)) for x in (ok, signed, places, wide)
    )
    none = np.int8(0)
    scale = np.where(good, places, none).max(axis=1)
    good &= wide + scale[:, None] <= _MAX_DIGITS
    scale = np.where(good, places, none).max(axis=1)
    # Each good value times 10 for each place its column's scale has beyond its own (a few at most).
    short_of = (scale[:, None] - places).clip(0, _MAX_DIGITS).astype(np.uint8) * good
    num = signed * good
    for e in range(1, int(short_of.max(initial=0)) + 1):
        num *= (short_of >= e).view(np.uint8) * np.uint8(9) + np.uint8(1)
    bounds = np.abs(num).max(axis=1).tolist()
    return [(IntColumn(num[c], 10 ** int(scale[c]), int(bounds[c])), good[c]) for c in range(k)]


# Byte classes for plain_columns: a digit is its value; then a point, a minus sign, anything else,
# and (while reading) a position past the cell's end.
_DOT, _PAST, _MINUS, _OTHER = 10, 11, 12, 13


def round_half_up_column(num: Any, den: int, places: int) -> Any:
    """Numerators over ``10**places`` of ``num / den`` rounded half up (halves away from zero),
    as :func:`perfrules.round_half_up` rounds one number.

    >>> round_half_up_column(numpy().array([25, -25, 24]), 10, 0).tolist()
    [3, -3, 2]
    """
    np = numpy()
    scale = 10**places
    if num.dtype != object and int(np.abs(num).max(initial=0)) * 2 * scale + den >= SAFE:
        num = as_objects(num)
    magnitude = (abs(num) * (2 * scale) + den) // (2 * den)
    return np.where(num < 0, -magnitude, magnitude)


def _decimal_text(negative: bool, whole: int, part: int, places: int) -> str:
    """``whole.part`` (*part* in units of ``10**-places``) as output writes it: no trailing zeros."""
    sign = "-" if negative and (whole or part) else ""
    if not part:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{part:0{places}d}".rstrip("0")


def format_column(num: Any, den: int, shown: Any, places: int = 6) -> list[str]:
    """Each ``num[i] / den`` as an output cell, rounded half up to *places*, trailing zeros dropped;
    ``""`` where *shown* is False. The same text as :func:`perfrules.pipeline.chunk.cell_number` gives.

    >>> np = numpy()
    >>> format_column(np.array([875, -1, 900, 1]), 10, np.array([True, True, True, False]))
    ['87.5', '-0.1', '90', '']
    >>> format_column(np.array([1, 2]), 3, np.array([True, True]))
    ['0.333333', '0.666667']
    """
    np = numpy()
    scale = 10**places
    if num.dtype != object:
        lines = format_matrix(num.reshape(-1, 1), den, shown.reshape(-1, 1), places)
        if lines is not None:
            return lines
    if den == 1:
        cells = list(map(str, num.tolist()))
    elif scale % den == 0 and num.dtype != object and int(np.abs(num).max(initial=0)) * scale < SAFE:
        # A finite decimal of at most *places* places: nothing to round; whole numbers as they are.
        whole, part = np.divmod(np.abs(num) * (scale // den), scale)
        cells = list(map(str, np.where(num < 0, -whole, whole).tolist()))
        for i in np.flatnonzero(part).tolist():
            cells[i] = _decimal_text(int(num[i]) < 0, int(whole[i]), int(part[i]), places)
    else:
        rounded_column = round_half_up_column(num, den, places)
        if int(abs(rounded_column).max(initial=0)) < SAFE:
            # Rounded to *places*: written as values over 10**places.
            lines = format_matrix(
                rounded_column.astype(np.int64).reshape(-1, 1), scale, shown.reshape(-1, 1), places
            )
            if lines is not None:
                return lines
        rounded = rounded_column.tolist()
        cells = []
        for m in rounded:  # Python integers: exact whatever their size; -0.0000001 shows as 0
            whole, part = divmod(abs(m), scale)
            cells.append(_decimal_text(m < 0, whole, part, places))
    if not shown.all():
        for i in np.flatnonzero(~shown).tolist():
            cells[i] = ""
    return cells


def format_rows(columns: Sequence[Any], den: int, shown: Any, places: int = 6) -> list[str]:
    """Each unit's values of *columns* (all over *den*) as one line of output cells, comma-separated:
    :func:`format_column` for every column at once.

    >>> np = numpy()
    >>> format_rows([np.array([875, 900]), np.array([-5, 1])], 10, np.array([[True, True], [True, False]]))
    ['87.5,-0.5', '90,']
    """
    np = numpy()
    n = shown.shape[0]
    if not columns:
        return [""] * n
    scale = 10**places
    fits = all(c.dtype != object for c in columns) and scale % den == 0
    if fits:
        matrix = np.stack(columns, axis=1)
        fits = int(np.abs(matrix).max(initial=0)) * scale < SAFE
    if not fits:
        cells = [format_column(c, den, shown[:, k], places) for k, c in enumerate(columns)]
        return [",".join(row) for row in zip(*cells, strict=True)]
    lines = format_matrix(matrix, den, shown, places)
    if lines is not None:
        return lines
    whole, part = np.divmod(np.abs(matrix) * (scale // den), scale)
    values: list[list[Any]] = np.where(matrix < 0, -whole, whole).tolist()
    rows, cols = np.nonzero(part)
    if len(rows):
        # Values with a fraction: the whole part, the point, the places without trailing zeros.
        for r, c, w, p, negative in zip(
            rows.tolist(),
            cols.tolist(),
            whole[rows, cols].tolist(),
            part[rows, cols].tolist(),
            (matrix[rows, cols] < 0).tolist(),
            strict=True,
        ):
            values[r][c] = _decimal_text(negative, w, p, places)
    if not shown.all():
        for r, c in zip(*np.nonzero(~shown), strict=True):
            values[int(r)][int(c)] = ""
    return [",".join(map(str, row)) for row in values]
