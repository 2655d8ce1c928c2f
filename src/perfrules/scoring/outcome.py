"""What scoring finds for a unit, and the weights a category and pattern of applicable indicators give.

The column program (:mod:`perfrules.scoring.program`) — and the per-unit program,
the tests' oracle (``tests/oracle.py``) — record a unit's outcome as a
:class:`UnitOutcome` and weigh its indicators by the same :class:`Weighting`,
worked out once per category and pattern and kept on the plan.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from .._errors import DefinitionError, DivisionByZeroError, MissingValueError, PerfrulesError
from .._numbers import EXACT_CONTEXT, Number, as_fraction, check_fraction, exact, tidy_decimal
from ..scheme.units import PeriodTotal, PolicyEvent, Unit, UnitError
from .compiled import Scored
from .indicator import IndicatorPlan
from .overall import redistribute
from .plan import Plan
from .weights_read import weight_read

__all__ = [
    "IndicatorOutcome",
    "UnitOutcome",
    "Weighting",
    "indicator_outcomes",
    "not_assessed",
    "unit_error",
    "weighting",
]

_ZERO = Decimal(0)
_FZERO = Fraction(0)
_EXACT_MUL = EXACT_CONTEXT.multiply
# Patterns of applicable indicators kept per plan: a batch rarely has more than a handful.
_MAX_PATTERNS = 4096
# A weighting's memo key: category, pattern of applicable indicators, the unit's own weights (weight_from).
_Key = tuple[str | None, tuple[bool, ...], tuple[Fraction, ...] | None]


class IndicatorOutcome:
    """One indicator's part of a unit's outcome (kept only with ``detail``)."""

    __slots__ = (
        "applicable",
        "base_weight",
        "contribution",
        "error",
        "events",
        "inputs",
        "plan",
        "scored",
        "weight",
    )

    def __init__(self, plan: IndicatorPlan) -> None:
        self.plan = plan
        self.applicable = True
        self.scored: Scored | None = None
        self.base_weight: Number = _FZERO
        self.weight: Number = _FZERO
        self.contribution: Number | None = None
        self.error: UnitError | None = None
        self.events: list[PolicyEvent] = []
        self.inputs: dict[str, object] = {}


class UnitOutcome:
    """What scoring found for one unit."""

    __slots__ = (
        "_later",
        "_scores",
        "category_rank",
        "errors",
        "events",
        "flags",
        "grade",
        "indicators",
        "level",
        "periods",
        "rank",
        "rendered",
        "shown_total",
        "subtotals",
        "total",
        "unit",
        "vetoed",
        "weights",
    )

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.total: Number | None = None
        self.grade: str | None = None
        self.vetoed = False
        self.flags: tuple[str, ...] = ()
        self.events: list[PolicyEvent] = []
        self.errors: list[UnitError] = []
        self.indicators: list[IndicatorOutcome] | None = None
        self._scores: list[Number | None] = []
        self._later: Callable[[], list[Number | None]] | None = None
        self.weights: list[Fraction] = []
        # Every group's subtotal by name, when a group of the scheme takes a mean (see aggregated_total).
        self.subtotals: dict[str, Number] = {}
        self.rank: int | None = None
        self.category_rank: int | None = None
        # 0 for a unit scored from its data; 1 for a parent of such units, 2 above (see _rollup).
        self.level = 0
        # Each period's total and grade, when indicators are reported by period (see period_totals).
        self.periods: tuple[PeriodTotal, ...] = ()
        # Indicator scores as one line of output cells, once the unit's data is let go (see _stream).
        self.rendered: str | None = None
        # The total as an output cell, where the column program wrote it already (else None).
        self.shown_total: str | None = None

    @property
    def scores(self) -> list[Number | None]:
        """Each indicator's score (None where it does not apply or failed); [] when not kept."""
        later = self._later
        if later is not None:
            self._scores, self._later = later(), None
        return self._scores

    @scores.setter
    def scores(self, value: list[Number | None]) -> None:
        self._scores, self._later = value, None

    def scores_later(self, work: Callable[[], list[Number | None]]) -> None:
        """Work the scores out when first read (the column program keeps them in its columns)."""
        self._scores, self._later = [], work


def _field_of(exc: PerfrulesError) -> str | None:
    if isinstance(exc, MissingValueError):
        return exc.name
    if isinstance(exc, DivisionByZeroError):
        return exc.divisor
    return None


def unit_error(unit: Unit, code: str | None, exc: PerfrulesError, *, field: str | None = None) -> UnitError:
    message = str(exc)
    if isinstance(exc, DefinitionError):
        message = f"the scheme's definition failed on this data: {message}"
    return UnitError(
        unit=unit.name,
        indicator=code,
        field=field if field is not None else _field_of(exc),
        message=message,
        error=type(exc).__name__,
        origin=unit.origin,
    )


class Weighting:
    """The weights a category and a pattern of applicable indicators give, worked out once.

    Each contribution is ``score × weight / full points``; the factors
    ``weight / full`` are kept as integer numerators over one shared
    denominator, so that a unit's total is one exact integer-weighted sum.
    """

    __slots__ = (
        "decimal_factors",
        "denominator",
        "events",
        "factors",
        "numerators",
        "possible",
        "shown_base",
        "shown_weights",
        "weights",
    )

    def __init__(
        self,
        plan: Plan,
        category: str | None,
        applicable: tuple[bool, ...],
        base: tuple[Fraction, ...] | None = None,
    ) -> None:
        # *base*: a unit's own weights, where some are read from its data (weight_from).
        if base is None:
            base = plan.weights_for(category)
        if all(applicable) or plan.scheme.normalize:
            weights = (
                list(base)
                if all(applicable)
                else [w if applicable[k] else _FZERO for k, w in enumerate(base)]
            )
            events: dict[int, list[PolicyEvent]] = {}
        else:
            weights, events = redistribute(plan, base, applicable)
        self.weights = weights
        self.events = events
        factors = []
        for k, ind in enumerate(plan.indicators):
            full = as_fraction(ind.full(category))
            factors.append(weights[k] / full if full and applicable[k] else _FZERO)
        self.factors = factors
        # The same factors as Decimals where they are finite decimals (0.03): contributions for explanations.
        decimal_factors: list[Decimal | None] = []
        for f in factors:
            shown = exact(f)
            decimal_factors.append(shown if type(shown) is Decimal else None)
        self.decimal_factors = tuple(decimal_factors)
        # Weights as results show them, worked out once per pattern.
        self.shown_base = tuple(exact(w) for w in base)
        self.shown_weights = tuple(exact(w) for w in weights)
        denominator = math.lcm(*(f.denominator for f in factors)) if factors else 1
        self.denominator = denominator
        self.numerators: tuple[Decimal | None, ...] = tuple(
            Decimal(f.numerator * (denominator // f.denominator)) if f else None for f in factors
        )
        self.possible = sum((w for k, w in enumerate(weights) if applicable[k]), _FZERO)

    def contribution(self, k: int, score: Number) -> Number:
        """What indicator *k* adds to the total for this score."""
        factor = self.factors[k]
        if not factor:
            return _ZERO
        if factor == 1:
            return score
        shown = self.decimal_factors[k]
        if shown is not None and type(score) is Decimal:
            try:
                return tidy_decimal(_EXACT_MUL(score, shown))
            except decimal.DecimalException:
                pass
        return exact(check_fraction(as_fraction(score) * factor))


def weighting(
    plan: Plan, category: str | None, applicable: list[bool], base: tuple[Fraction, ...] | None = None
) -> Weighting:
    """The weighting of this category and pattern of applicable indicators (memoised on the plan).

    *base* is the unit's own weights where the scheme reads some per unit
    (``weight_from``): they are part of the key, and the memo stays bounded.
    """
    key = (category if plan.scheme.categories else None, tuple(applicable), base)
    memo = cast(dict[_Key, Weighting], plan.weightings)
    found = memo.get(key)
    if found is None:
        if len(memo) >= _MAX_PATTERNS:
            memo.clear()
        found = memo[key] = Weighting(plan, key[0], key[1], base)
    return found


def not_assessed(words: Any, category: str | None) -> PolicyEvent:
    """The event of an indicator whose weight is 0 for the unit's category."""
    return PolicyEvent(
        kind="not_assessed",
        message=words(
            f"“{category}”类单位不考核本指标（权重为 0）",
            f"not assessed for category '{category}' (weight 0)",
        ),
    )


def indicator_outcomes(
    plan: Plan,
    unit: Unit,
    applicable: Sequence[bool],
    scored: Sequence[Scored | None],
    weighting: Weighting,
    contributions: Sequence[Number | None],
    failures: Mapping[int, UnitError],
    first_events: Mapping[int, PolicyEvent],
    base: Sequence[Fraction],
    sources: Mapping[str, str],
) -> list[IndicatorOutcome]:
    """Each indicator's part of a unit's explained outcome, from what scoring found for it.

    Explanations are assembled here: the column program's from its record, the
    per-unit program's (the tests' oracle) from its run
    (:mod:`perfrules.scoring.colexplain`). *first_events*: why an indicator does
    not apply; *sources*: where history values came from.
    """
    plan_read = dict(plan.weight_from)
    weight_events = weighting.events
    shown_base, shown_weights = weighting.shown_base, weighting.shown_weights
    data = unit.data
    outcomes = []
    for k, ind in enumerate(plan.indicators):
        item = IndicatorOutcome(ind)
        item.applicable = applicable[k]
        item.scored = done = scored[k]
        item.base_weight = shown_base[k]
        item.weight = shown_weights[k]
        item.contribution = contributions[k]
        if failures:
            item.error = failures.get(k)
        # Its events in order: its weight read, why it does not apply, its weight moved, its own,
        # where history values came from.
        events = [weight_read(plan, k, base[k])] if k in plan_read else []
        if k in first_events:
            events.append(first_events[k])
        if k in weight_events:
            events.extend(weight_events[k])
        if done is not None and done.events:
            events.extend(done.events)
        if sources:
            events.extend(
                PolicyEvent(kind="previous", message=sources[name])
                for name in sorted(sources.keys() & ind.fields)
            )
        item.events = events
        item.inputs = {f: data[f] for f in ind.sorted_inputs if f in data}
        if ind.ind.inputs:
            for local, field in ind.ind.inputs.items():
                if field in data:
                    item.inputs[local] = data[field]
        outcomes.append(item)
    return outcomes
