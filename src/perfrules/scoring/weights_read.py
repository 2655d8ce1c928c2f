"""Weights read per unit from its data (``weight_from``): checked, and explained.

A scheme whose indicators take their weight from a data column (特色指标、自选指标权重由各单位申报)
has each unit's weights read here before the unit is scored: every one a number of 0 or more,
together making the unit's full marks (nothing is rescaled).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from .._numbers import as_fraction, exact
from ..scheme.units import PolicyEvent, Unit, UnitError
from .plan import Plan

__all__ = ["unit_weights", "weight_read"]

_FZERO = Fraction(0)


def unit_weights(plan: Plan, unit: Unit, base: Sequence[Fraction]) -> tuple[Fraction, ...] | UnitError:
    """The unit's weights with those read from its data (weight_from), or the unit's error.

    Each weight read must be a number of 0 or more, and the unit's weights
    together must make its full marks: nothing is rescaled.
    """
    weights = list(base)
    unit_name = "%" if plan.scheme.basis == "percent" else "分"

    def error(k: int, column: str, message: str) -> UnitError:
        return UnitError(
            unit=unit.name,
            indicator=plan.indicators[k].code,
            field=column,
            message=message,
            error="InvalidValueError",
            origin=unit.origin,
        )

    for k, column in plan.weight_from:
        label = plan.indicators[k].label
        raw = unit.data.get(column)
        if raw is None:
            return error(k, column, f"no weight for indicator {label}: the data has no '{column}'")
        if (
            isinstance(raw, bool)
            or not isinstance(raw, Decimal | int | Fraction)
            or (isinstance(raw, Decimal) and not raw.is_finite())
        ):
            return error(
                k, column, f"the weight of indicator {label} in '{column}' is not a number (got {raw!r})"
            )
        value = as_fraction(raw)
        if value < 0:
            return error(
                k, column, f"the weight of indicator {label} in '{column}' is negative ({exact(value)})"
            )
        weights[k] = value
    total = sum(weights, _FZERO)
    full = plan.full_marks_for(unit.category)
    if total != full:
        k, column = plan.weight_from[0]
        read = ", ".join(f"{c} = {exact(weights[i])}" for i, c in plan.weight_from)
        return error(
            k,
            column,
            f"the unit's weights add up to {exact(total)}{unit_name}, not {exact(full)}{unit_name} "
            f"(read from the data: {read}); the weights read per unit must make up the rest",
        )
    return tuple(weights)


def weight_read(plan: Plan, k: int, weight: Fraction) -> PolicyEvent:
    """The explanation's note of where a weight read per unit came from."""
    column = dict(plan.weight_from)[k]
    words = plan.words
    if plan.scheme.basis == "points":
        return PolicyEvent(
            kind="weight_from",
            message=words(
                f"本单位分值 {exact(weight)}分，读自数据“{column}”",
                f"the unit's points {exact(weight)}, read from its data column '{column}'",
            ),
        )
    return PolicyEvent(
        kind="weight_from",
        message=words(
            f"本单位权重 {exact(weight)}，读自数据“{column}”",
            f"the unit's weight {exact(weight)}, read from its data column '{column}'",
        ),
    )
