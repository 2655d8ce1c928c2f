"""Columns of Decimal and int values read from their text (``_intcols._as_texts``) against each
value's integer ratio: the same numbers, every cell plain, or the column left to the ratios."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from perfrules import _intcols
from perfrules._intcols import _as_texts, _by_ratio, from_records, from_values

_decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=None, min_value=-(10**20), max_value=10**20
)
_cells = st.one_of(_decimals, st.integers(min_value=-(10**20), max_value=10**20))


def _numbers(found: tuple) -> list[Fraction | None]:  # type: ignore[type-arg]
    col, plain = found
    return [
        Fraction(int(n), col.den) if p else None
        for n, p in zip(col.num.tolist(), plain.tolist(), strict=True)
    ]


@contextmanager
def _any_size() -> Iterator[None]:
    """Columns read from their text however few their cells (not only from ``_BY_TEXT`` cells)."""
    was = _intcols._BY_TEXT
    _intcols._BY_TEXT = 0
    try:
        yield
    finally:
        _intcols._BY_TEXT = was


@settings(max_examples=150, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=12))
@example([Decimal("1E+3"), Decimal("2.50")])  # a value written with an exponent: by the ratios
@example([Decimal("1.0000000000000"), 7])  # 13 places: more than a plain decimal has
@example([Decimal("-0.00"), Decimal("0E-7"), -5])
def test_written_values_read_as_their_ratios(values: list[object]) -> None:
    with _any_size():
        assert _numbers(from_values(values)) == _numbers(_by_ratio(values))
        texts = _as_texts([values])[0]
    if texts is not None:  # read from text: every cell plain, the same numbers
        assert texts[1].all()
        assert _numbers(texts) == [Fraction(v) for v in values]  # type: ignore[arg-type]


def test_text_taken_only_for_plain_decimals_and_ints() -> None:
    with _any_size():
        written, exponent, mixed, blank = _as_texts(
            [[Decimal("87.25"), 90], [Decimal("1E+3"), 1], [Decimal("1.5"), 2.5], [Decimal(1), None]]
        )
        assert written is not None and (written[0].num.tolist(), written[0].den) == ([8725, 9000], 100)
        assert exponent is None and mixed is None and blank is None
        records = [{"x": Decimal("1E+3"), "y": 1}, {"x": Decimal("0.5"), "y": True}]
        columns = from_records(records, ["x", "y"])
        assert _numbers(columns["x"]) == [Fraction(1000), Fraction(1, 2)]
        assert _numbers(columns["y"]) == [1, None]  # True is not a number


def test_text_read_from_a_few_thousand_cells() -> None:
    few = [Decimal("1.25"), 3]
    assert _as_texts([few]) == [None]  # a few cells: by their ratios (over their least denominator)
    assert (from_values(few)[0].num.tolist(), from_values(few)[0].den) == ([5, 12], 4)
    many = few * (_intcols._BY_TEXT // 2)
    col, plain = from_values(many)
    assert col.den == 100 and plain.all() and col.num.tolist()[:2] == [125, 300]
    huge = [*many, 10**5000]  # an integer str cannot write (int_max_str_digits): by the ratios
    assert _as_texts([huge]) == [None] and not from_values(huge)[1][-1]
    spread = from_records([{"a": v, "b": v} for v in few * (_intcols._BY_TEXT // 4)], ["a", "b"])
    assert [c.den for c, _ in spread.values()] == [100, 100]  # two columns, as many cells in all
