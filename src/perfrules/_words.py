"""Words and numbers for explanations, in the scheme's language (中文 or English)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ._numbers import Number, as_fraction, exact, round_half_up

__all__ = ["Words", "num", "pct"]


def num(value: Number | int | None) -> str:
    """A number for explanations: exact when short, else rounded to 4 places with ≈.

    >>> num(Fraction(56, 3)), num(Decimal("23.50"))
    ('≈18.6667', '23.5')
    """
    if value is None:
        return "—"
    if type(value) is Decimal and value == value.to_integral_value() and abs(value) < 10**15:
        return str(int(value))
    shown = exact(as_fraction(value))
    if isinstance(shown, Fraction):
        return "≈" + str(round_half_up(shown, 4)).rstrip("0").rstrip(".")
    return str(shown)


def pct(value: Number) -> str:
    """A share as a percentage: 0.75 → 75%."""
    return num(as_fraction(value) * 100) + "%"


class Words:
    """Picks the Chinese or the English text of a message."""

    __slots__ = ("zh",)

    def __init__(self, language: str) -> None:
        self.zh = language == "zh"

    def __call__(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    @property
    def points(self) -> str:
        """The unit of points: 分, or nothing in English (“5 points” reads better as “5”)."""
        return "分" if self.zh else " points"
