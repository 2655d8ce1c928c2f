"""A group's subtotal by a weighted geometric or harmonic mean of its parts' shares, exactly.

A scheme whose groups aggregate by a mean (``aggregate = "geometric"`` or
``"harmonic"``) has no weighted sum for a total: :func:`aggregated_total` works
out each group's subtotal from its parts' shares and says how in the trail. The
geometric mean is approximated to 60 digits and its rounding checked exactly.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from .._errors import InvalidValueError
from .._numbers import Number, as_fraction, exact, round_half_up
from .._words import num
from ..scheme.units import PolicyEvent, Unit
from .plan import GroupPlan, Plan

__all__ = ["aggregated_total"]

# Digits the geometric mean is approximated to; a value this close to a rounding
# boundary is decided by exact comparison of rational powers instead.
_DIGITS = 60


def _geometric(items: Sequence[tuple[Fraction, Fraction]], weight: Fraction, places: int) -> Decimal:
    """``weight × Π shareᵢ^(wᵢ/weight)`` rounded half up to *places*, exactly.

    The value is approximated with 60 digits; the rounding is then checked
    against the exact value by comparing rational powers (x ≥ b ⇔ x^q ≥ b^q,
    q the common denominator of the exponents) whenever the approximation
    lies near a rounding boundary, so the digits kept are never a float's guess.
    """
    context = decimal.Context(prec=_DIGITS)
    log = Decimal(0)
    for w, r in items:  # every operation in the 60-digit context, none in the default one
        log = context.add(
            log, context.multiply(_decimal(w / weight, context), context.ln(_decimal(r, context)))
        )
    approx = Fraction(context.multiply(context.exp(log), _decimal(weight, context)))
    step = Fraction(1, 10**places)
    rounded = as_fraction(round_half_up(exact(approx), places))
    exponents = [w / weight for w, _ in items]
    q = math.lcm(*(e.denominator for e in exponents))

    def at_least(bound: Fraction) -> bool:
        # weight × Π rᵢ^(pᵢ/q) ≥ bound  ⇔  weight^q × Π rᵢ^pᵢ ≥ bound^q (all positive).
        if bound <= 0:
            return True
        left = weight**q
        for e, (_, r) in zip(exponents, items, strict=True):
            left *= r ** int(e * q)
        return left >= bound**q

    near = Fraction(1, 10 ** max(_DIGITS - 15, _DIGITS // 2)) * max(Fraction(1), abs(approx))
    for _ in range(3):
        low, high = rounded - step / 2, rounded + step / 2
        if abs(approx - low) < near and not at_least(low):
            rounded -= step
        elif abs(approx - high) < near and at_least(high):
            rounded += step
        else:
            break
    return round_half_up(exact(rounded), places)


def _decimal(value: Fraction, context: decimal.Context) -> Decimal:
    return context.divide(Decimal(value.numerator), Decimal(value.denominator))


def aggregated_total(
    plan: Plan,
    unit: Unit,
    weights: Sequence[Fraction],
    scores: Sequence[Number | None],
    events: list[PolicyEvent],
) -> tuple[Fraction, dict[str, Number]]:
    """The total when groups aggregate by a mean, and each such group's subtotal (by name).

    A ``sum`` group adds its parts' contributions, as the weighted sum does; a
    ``geometric`` or ``harmonic`` group takes the weighted mean of its parts'
    shares (an indicator's score over its full points, a sub-group's subtotal
    over its weight) times its weight. Parts that carry no weight (not
    applicable, weight moved away) take no part.
    """
    words = plan.words
    category = unit.category
    subtotals: dict[str, Number] = {}

    def subtotal(group: GroupPlan) -> Fraction:
        how = group.group.aggregate
        items: list[tuple[Fraction, Fraction, str]] = []
        value = Fraction(0)
        for child in group.children:
            if isinstance(child, GroupPlan):
                got = subtotal(child)
                weight = sum((weights[k] for k in child.leaves), Fraction(0))
                value += got
                if weight:
                    items.append((weight, got / weight, child.name))
            elif weights[child]:
                ind = plan.indicators[child]
                score = scores[child]
                assert score is not None  # a unit with a failed indicator gets no total
                full = as_fraction(ind.full(category))
                share = as_fraction(score) / full
                value += share * weights[child]
                items.append((weights[child], share, ind.label))
        if how == "sum":
            subtotals[group.name] = exact(value)
            return value
        total_weight = sum((w for w, _, _ in items), Fraction(0))
        if any(r < 0 for _, r, _ in items):
            bad = next(label for _, r, label in items if r < 0)
            raise InvalidValueError(
                f"group '{group.name}' takes a {how} mean of shares, but {bad} has a share below 0"
            )
        places = group.group.places
        if not total_weight:
            mean: Fraction = Fraction(0)
        elif any(r == 0 for _, r, _ in items):
            mean = Fraction(0)
        elif how == "harmonic":
            mean = total_weight * total_weight / sum((w / r for w, r, _ in items), Fraction(0))
        else:
            assert places is not None
            mean = as_fraction(_geometric([(w, r) for w, r, _ in items], total_weight, places))
        exact_mean = mean
        if places is not None:
            mean = as_fraction(round_half_up(exact(mean), places))
        shown = (" × " if how == "geometric" else words("、", ", ")).join(
            f"{label} {num(r)}"
            + (
                f"^({num(w / total_weight)})"
                if how == "geometric"
                else words(f"（权重 {num(w)}）", f" (weight {num(w)})")
            )
            for w, r, label in items
        )
        kind = (
            words("加权几何平均", "weighted geometric mean")
            if how == "geometric"
            else words("加权调和平均", "weighted harmonic mean")
        )
        rounding = ""
        if places is not None:
            rounding = (
                words(f"，四舍五入保留 {places} 位小数", f", rounded half up to {places} places")
                if how == "geometric" or exact_mean != mean
                else ""
            )
        events.append(
            PolicyEvent(
                kind="aggregate",
                message=words(
                    f"【{group.name}】按得分率的{kind}计：{shown}，× 权重 {num(total_weight)}{rounding}，"
                    f"得 {num(mean)}",
                    f"[{group.name}] the {kind} of the shares: {shown}, × weight {num(total_weight)}"
                    f"{rounding}: {num(mean)}",
                ),
            )
        )
        subtotals[group.name] = exact(mean)
        return mean

    total = sum((subtotal(g) for g in plan.groups), Fraction(0))
    return total, subtotals
