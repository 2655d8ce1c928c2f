"""Columns of Decimal and int values read from their text (``_intcols._as_texts``) against each
value's integer ratio: the same numbers, every cell plain, or the column left to the ratios."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

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


@settings(max_examples=150, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=12))
@example([Decimal("1E+3"), Decimal("2.50")])  # a value written with an exponent: by the ratios
@example([Decimal("1.0000000000000"), 7])  # 13 places: more than a plain decimal has
@example([Decimal("-0.00"), Decimal("0E-7"), -5])
def test_written_values_read_as_their_ratios(values: list[object]) -> None:
    assert _numbers(from_values(values)) == _numbers(_by_ratio(values))
    texts = _as_texts([values])[0]
    if texts is not None:  # read from text: every cell plain, the same numbers
        assert texts[1].all()
        assert _numbers(texts) == [Fraction(v) for v in values]  # type: ignore[arg-type]


def test_text_taken_only_for_plain_decimals_and_ints() -> None:
    written, exponent, mixed, blank = _as_texts(
        [[Decimal("87.25"), 90], [Decimal("1E+3"), 1], [Decimal("1.5"), 2.5], [Decimal(1), None]]
    )
    assert written is not None and (written[0].num.tolist(), written[0].den) == ([8725, 9000], 100)
    assert exponent is None and mixed is None and blank is None
    columns = from_records([{"x": Decimal("1E+3"), "y": 1}, {"x": Decimal("0.5"), "y": True}], ["x", "y"])
    assert _numbers(columns["x"]) == [Fraction(1000), Fraction(1, 2)]
    assert _numbers(columns["y"]) == [1, None]  # True is not a number
