"""Rounding for display is exact at any size: more digits than Decimal's default 28 are kept.

``round_half_up`` once scaled its integer result in the default 28-digit context, so a score of
23 digits before the point shown at 6 places lost its last digit (…789.473684 became …789.47368),
and the per-unit program's output cell differed from the column program's. The differential tests
found it (a reported 123456789012345678901 divided by 95%).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from perfrules import round_half_up
from perfrules.pipeline.stream import cell_number


def _by_integers(value: Fraction, places: int) -> str:
    """Half up, away from zero, worked out on integers only, as text with *places* digits."""
    scaled = abs(value) * 10**places
    whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    digits = str(whole).rjust(places + 1, "0")
    text = digits[: len(digits) - places] + ("." + digits[len(digits) - places :] if places else "")
    return ("-" if value < 0 and whole else "") + text


def test_a_29_digit_score_keeps_its_last_digit() -> None:
    score = Fraction(123456789012345678901) / Fraction(95, 100) * 100
    assert round_half_up(score, 6) == Decimal("12995451474983755673789.473684")
    assert cell_number(score) == "12995451474983755673789.473684"


@example(numerator=0, denominator=1, places=7)
@example(numerator=-5, denominator=10, places=0)
@given(
    numerator=st.integers(-(10**700), 10**700),
    denominator=st.integers(1, 10**30),
    places=st.integers(0, 12),
)
def test_rounding_is_the_integer_rule_at_any_size(numerator: int, denominator: int, places: int) -> None:
    value = Fraction(numerator, denominator)
    got = round_half_up(value, places)
    assert got == Decimal(_by_integers(value, places))  # (str of a 0 at 7 places is '0E-7')
    assert got.as_tuple().exponent == -places
