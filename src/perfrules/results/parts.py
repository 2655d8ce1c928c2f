"""One indicator's and one group's part of a unit's result, made from what scoring recorded.

:class:`IndicatorResult` and :class:`GroupResult` are what a unit's
explanation is made of (``UnitResult.indicators`` and ``UnitResult.groups``,
:mod:`perfrules.results.model`); the functions here build them from a
detailed outcome (:class:`perfrules.scoring.outcome.IndicatorOutcome`) and the plan's groups.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from .._frozen import FrozenDict
from .._numbers import Number, exact
from ..formula.compute import _add as exact_add
from ..formula.language import Value
from ..grading.scale import GradeResult
from ..scheme.model import Scheme
from ..scheme.units import Computation, PeriodResult, PolicyEvent, UnitError
from ..scoring.compiled import DECLARED_NOT_APPLICABLE
from ..scoring.outcome import IndicatorOutcome
from ..scoring.plan import GroupPlan

__all__ = ["GroupResult", "IndicatorResult", "group_result", "indicator_result"]


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return value if isinstance(value, FrozenDict) else FrozenDict(value)


@attrs.frozen(kw_only=True)
class IndicatorResult:
    """How one indicator scored for one unit.

    Attributes:
        code, name: the indicator.
        applicable: False when it does not apply (or is not assessed) for the unit.
        inputs: the data values the indicator read.
        values: every value its steps computed.
        value: the measured value that was graded.
        grade: the grade (None when not applicable, failed, or ungraded).
        score: the score in the indicator's own units: 分 in a points scheme
            (0 to its points, more when its rule allows), 0 to the scheme's
            ``full_score`` in a percent scheme.
        full: the indicator's full points in those units (分值, or 100).
        base_weight: the weight the scheme gives it for the unit's category (or the
            unit's own, read from its data: ``Indicator.weight_from``).
        weight: the weight actually used, after redistribution.
        contribution: ``score / full × weight``: what it adds to the total.
        grading: the scale's result, when a scale graded it.
        periods: per-period results, when several periods were combined.
        computations: each formula it ran, with the numbers put in.
        events: every policy that fired and why.
        error: the problem, when the indicator could not be scored.
        stand_in: what the stand-in rule does, when the indicator's rule is
            not the published one.
    """

    code: str
    name: str
    applicable: bool
    inputs: Mapping[str, object] = attrs.field(converter=_frozen)
    values: Mapping[str, Value] = attrs.field(converter=_frozen)
    value: Value | None
    grade: str | None
    score: Number | None
    base_weight: Number
    weight: Number
    contribution: Number | None
    grading: GradeResult | None
    periods: tuple[PeriodResult, ...]
    events: tuple[PolicyEvent, ...]
    error: UnitError | None = None
    full: Number = Decimal(100)
    computations: tuple[Computation, ...] = ()
    stand_in: str = ""


@attrs.frozen(kw_only=True)
class GroupResult:
    """A group's part of one unit's result: the tree above the indicators.

    Attributes:
        name: the group (行政业绩, 差异化指标 …).
        declared: the subtotal the scheme declares, if any.
        weight: the weight its indicators actually used (after redistribution).
        contribution: what its indicators contributed (None when one failed).
        children: its groups and indicator results, in the scheme's order.
    """

    name: str
    declared: Number | None
    weight: Number
    contribution: Number | None
    children: tuple[GroupResult | IndicatorResult, ...]

    def indicators(self) -> Iterator[IndicatorResult]:
        """Every indicator result below this group."""
        for child in self.children:
            if isinstance(child, GroupResult):
                yield from child.indicators()
            else:
                yield child


def _stand_ins(item: IndicatorOutcome, scheme: Scheme) -> str:
    """What in this indicator's result is a stand-in: its rule, and the mechanisms it went through."""
    s = item.scored
    if item.applicable and (s is None or s.combined is None):  # its rule's, if any (the commonest)
        return item.plan.ind.stand_in or ""
    texts = [item.plan.ind.stand_in] if item.applicable else []
    if s is not None and s.combined is not None:
        texts.append(scheme.stand_ins.get("periods", ""))
    declared = any(e.kind == "not_applicable" and e.message in _DECLARED for e in item.events)
    if not item.applicable and declared and item.plan.moves_to is None:
        texts.append(scheme.stand_ins.get("not_applicable", ""))
    return "；".join(t for t in texts if t)


_DECLARED = frozenset(DECLARED_NOT_APPLICABLE)


def indicator_result(item: IndicatorOutcome, category: str | None, scheme: Scheme) -> IndicatorResult:
    s = item.scored
    plan = item.plan
    return IndicatorResult(
        code=plan.code,
        name=plan.ind.name,
        applicable=item.applicable,
        # Period rows: the data of each period is on its PeriodResult, not the year row's.
        inputs=s.inputs if s is not None and s.inputs is not None else item.inputs,
        values=dict(s.values) if s is not None else {},
        value=s.value if s is not None else None,
        grade=s.grade if s is not None else None,
        score=s.score if s is not None else None,
        base_weight=exact(item.base_weight),
        weight=exact(item.weight),
        contribution=exact(item.contribution) if item.contribution is not None else None,
        grading=s.grading if s is not None else None,
        periods=s.periods if s is not None else (),
        events=tuple(item.events),
        error=item.error,
        full=plan.full(category),
        computations=tuple(s.computations) if s is not None else (),
        stand_in=_stand_ins(item, scheme),
    )


def group_result(
    group: GroupPlan,
    indicators: tuple[IndicatorResult, ...],
    category: str | None,
    subtotals: Mapping[str, Number] | None = None,
) -> GroupResult:
    children: list[GroupResult | IndicatorResult] = []
    for child in group.children:
        if isinstance(child, GroupPlan):
            children.append(group_result(child, indicators, category, subtotals))
        else:
            children.append(indicators[child])
    leaves = [c for c in children if isinstance(c, IndicatorResult)]
    subgroups = [c for c in children if isinstance(c, GroupResult)]
    weights = (*(c.weight for c in leaves), *(g.weight for g in subgroups))
    weight = _SUMS.get(weights)  # the same few patterns of weights for every unit: each summed once
    if weight is None:
        if len(_SUMS) >= 4096:
            _SUMS.clear()
        weight = _SUMS[weights] = _exact_sum(list(weights))
    parts = [c.contribution for c in leaves if c.applicable] + [g.contribution for g in subgroups]
    contribution = None if any(p is None for p in parts) else _exact_sum(parts)  # type: ignore[arg-type]
    if subtotals and group.name in subtotals:
        contribution = subtotals[group.name]  # a group that takes a mean, or holds one
    return GroupResult(
        name=group.name,
        declared=group.group.declared_for(category),
        weight=weight,
        contribution=contribution,
        children=tuple(children),
    )


_SUMS: dict[tuple[Number, ...], Number] = {}


def _exact_sum(values: list[Number]) -> Number:
    """The exact sum: the Decimals in Decimal arithmetic while that stays exact (any rounding falls
    back to fractions), the Fractions over their common denominator, then the two added."""
    total: Number = Decimal(0)
    fractions = []
    for value in values:
        if type(value) is Fraction:
            fractions.append(value)
        else:
            total = exact_add(total, value)
    if fractions:
        common = math.lcm(*(f.denominator for f in fractions))
        total = exact_add(
            total, Fraction(sum(f.numerator * (common // f.denominator) for f in fractions), common)
        )
    return exact(total)
