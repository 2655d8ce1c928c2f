"""Checking the fields of rule forms as they are set: names, labels, conditions, numbers, frequencies.

The converters here turn what a scheme file or a caller gives (text, numbers)
into the values the rule forms hold, refusing what is not one (a name that
is not text, a measure that assigns nothing), so that a rule that exists is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeAlias

from .._numbers import Number, to_number
from ..formula.language import Formula, normalize_name

__all__ = ["FREQUENCIES", "Frequency"]

Frequency: TypeAlias = Literal["monthly", "bimonthly", "quarterly", "half-yearly", "yearly"]

FREQUENCIES: Final[Mapping[str, Frequency]] = {
    "月度": "monthly",
    "双月": "bimonthly",
    "季度": "quarterly",
    "半年": "half-yearly",
    "年度": "yearly",
    "monthly": "monthly",
    "bimonthly": "bimonthly",
    "quarterly": "quarterly",
    "half-yearly": "half-yearly",
    "yearly": "yearly",
}
"""Reporting frequencies (报送频度), by their Chinese and English names."""


def _name(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a name must be text (got {value!r} of type {type(value).__name__})")
    return normalize_name(value)


def _label(value: object) -> str:
    """A name shown to people: kept as published (full-width brackets and all), spaces tidied.

    Matching (by ``Scheme.indicator``, ``NotApplicable.to``, a unit's 不适用 list)
    uses the normalised form, so 「（」 and 「(」 still find each other.
    """
    if not isinstance(value, str):
        raise TypeError(f"a name must be text (got {value!r} of type {type(value).__name__})")
    return " ".join(value.split())


def _optional_name(value: object) -> str | None:
    return None if value is None else _name(value)


def _condition(value: object) -> Formula:
    if isinstance(value, Formula):
        return value
    if isinstance(value, str):
        return Formula.parse_condition(value)
    raise TypeError(f"a condition must be a Formula or text (got {value!r} of type {type(value).__name__})")


def _optional_condition(value: object) -> Formula | None:
    return None if value is None else _condition(value)


def _assignment(value: object) -> Formula:
    formula = Formula.parse(value) if isinstance(value, str) else value
    if not isinstance(formula, Formula):
        raise TypeError(f"a measure must be a Formula or text (got {value!r} of type {type(value).__name__})")
    if formula.target is None:
        raise ValueError(f"a measure must assign a name, as in 完成率=完成数/总数 (got '{formula.text}')")
    return formula


def _number(value: object) -> Number:
    return to_number(value, name="weight")


def _optional_number(value: object) -> Number | None:
    return None if value is None else _number(value)


def _optional_formula(value: object) -> Formula | None:
    if value is None or isinstance(value, Formula):
        return value
    if isinstance(value, str):
        return Formula.parse(value)
    raise TypeError(
        f"a score formula must be a Formula or text (got {value!r} of type {type(value).__name__})"
    )
