"""A unit's total, grade and errors from its indicators' scores: the per-unit program's last part, shared.

The per-unit program (the tests' oracle, ``tests/oracle.py``) scores each
indicator, then finishes the unit here (:func:`finish_unit`): the weighted sum
over the pattern's weights (a sum past the number bounds is the unit's error,
naming the indicator where it happened), the errors its indicators left, the
results the scheme's rules read (指标1得分率), the scheme's vetoes, group means,
a total formula, 折算, adjustments, floor, cap and rounding, caps and max_total,
the overall grade, flags and the grades per period. A rule there that raises
(a value the unit lacks, a result it has not: an indicator that does not apply)
is the unit's error, worded by that rule's code with the unit's whole scope.

The column program (:mod:`~perfrules.scoring.coltotalerrors`) runs the same
function, with the scores its columns worked out, for a unit whose total its
columns already could not finish, to give that unit the same error: it is in
the library for that wording only.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .._errors import NumberTooLargeError, PerfrulesError
from .._numbers import EXACT_CONTEXT, Number, as_fraction, check_fraction
from ..scheme.policies import Veto
from ..scheme.units import PolicyEvent, Unit, UnitError, note_events
from .indstep import results as indicator_results
from .means import aggregated_total
from .outcome import IndicatorOutcome, UnitOutcome, Weighting, unit_error
from .overall import (
    finish_total,
    formula_total,
    grade_total,
    limit_total,
    overall_scope,
    period_totals,
    raise_flags,
    veto_event,
)
from .plan import Plan

__all__ = ["TotalTooLarge", "finish_unit", "too_large_outcome"]

_ZERO = Decimal(0)
# Exact Decimal arithmetic: any rounding raises (and the sum falls back to fractions).
_EXACT_ADD = EXACT_CONTEXT.add
_EXACT_MUL = EXACT_CONTEXT.multiply

# What explains a unit's indicators (the per-unit program with ``detail``), given the weighting and
# the indicators' contributions.
Describe = Callable[[Weighting, Sequence[Number | None]], list[IndicatorOutcome]]


class TotalTooLarge(Exception):
    """The sum of a unit's contributions left the number bounds at one indicator."""

    def __init__(self, code: str, error: NumberTooLargeError) -> None:
        super().__init__(code, error)
        self.code = code
        self.error = error


def too_large_outcome(unit: Unit, exc: TotalTooLarge) -> UnitOutcome:
    """The outcome of a unit whose total outgrows the number bounds (:class:`TotalTooLarge`)."""
    failed = UnitOutcome(unit)
    failed.errors = [
        unit_error(
            unit,
            exc.code,
            NumberTooLargeError(
                f"the unit's total outgrows the number bounds at this indicator's contribution "
                f"({exc.error}); rounding each score (round_scores) keeps the total small"
            ),
        )
    ]
    failed.events = note_events(unit)
    return failed


def _overflowing(plan: Plan, weighting: Weighting, scores: Sequence[Number | None]) -> str:
    """The indicator whose contribution takes the running total past the number bounds."""
    running = Fraction(0)
    last = ""
    for k, v in enumerate(scores):
        if v is None or not weighting.factors[k]:
            continue
        last = plan.indicators[k].code
        running += as_fraction(v) * weighting.factors[k]
        try:
            check_fraction(running)
        except NumberTooLargeError:
            return last
    return last


def finish_unit(
    plan: Plan,
    unit: Unit,
    out: UnitOutcome,
    weighting: Weighting,
    scores: Sequence[Number | None],
    grades: Sequence[str | None],
    periods: Sequence[tuple[Any, ...]] | None,
    *,
    failures: dict[int, UnitError],
    vetoes: list[PolicyEvent],
    lowest: bool,
    zeroed: bool,
    describe: Describe | None = None,
) -> UnitOutcome | None:
    """Finish *unit* (as :func:`~perfrules.scoring.uniterrors.prepared` gives it) from its indicators'
    *scores* and *grades* under *weighting* (the pattern of indicators that apply): *out* (with the
    errors found so far: codes it declares that the scheme lacks) gets its scores, weights, total,
    grade, events and flags — or its errors instead of a total.

    Args:
        periods: per indicator, its periods' results (a grade per period); None: not known (the
            column program), and a unit graded per period is then not finished (None returned).
        failures: the indicators whose step raised, with that error.
        vetoes: the notes of the indicators' vetoes that fired; *lowest*, *zeroed*: their effects.
        describe: explains the indicators (``detail``); None: not explained.

    Raises:
        TotalTooLarge: the weighted sum passes the number bounds (:func:`too_large_outcome`).
    """
    scheme = plan.scheme
    words = plan.words
    count = len(scores)
    weights = weighting.weights
    # The total is one exact sum of integers over the pattern's shared denominator:
    # Σ score × numerator, in exact Decimal arithmetic, divided once.
    numerators = weighting.numerators
    acc = _ZERO
    rest: Fraction | int = 0
    for k, v in enumerate(scores):
        if v is None:
            continue
        n = numerators[k]
        if n is None:
            continue
        if type(v) is Decimal:
            try:
                acc = _EXACT_ADD(acc, _EXACT_MUL(v, n))
                continue
            except decimal.DecimalException:
                pass
        rest += as_fraction(v) * int(n)
    total = (Fraction(acc) + rest) / weighting.denominator
    try:
        check_fraction(total)
    except NumberTooLargeError as exc:
        raise TotalTooLarge(_overflowing(plan, weighting, scores), exc) from None
    possible = weighting.possible
    contributions: list[Number | None] = [None] * count
    if describe is not None or plan.rich_overall or scheme.total_formula is not None:
        for k, v in enumerate(scores):
            if v is not None:
                try:
                    contributions[k] = weighting.contribution(k, v)
                except NumberTooLargeError as exc:
                    raise TotalTooLarge(plan.indicators[k].code, exc) from None
    errors = list(out.errors)
    for k in sorted(failures):
        errors.append(failures[k])
    unit_events: list[PolicyEvent] = [*note_events(unit), *vetoes]
    results: dict[str, object] = {}
    if plan.total_reads and not failures:
        try:
            results = indicator_results(plan, unit, plan.total_reads, scores)
        except PerfrulesError as exc:
            errors.append(unit_error(unit, None, exc))
    for policy in scheme.policies:
        if isinstance(policy, Veto):
            try:
                if policy.when.evaluate({**unit.data, **results} if results else unit.data) is True:
                    lowest |= policy.effect == "lowest_grade"
                    zeroed |= policy.effect == "zero"
                    unit_events.append(veto_event(policy, words("本单位", "the unit"), words))
            except PerfrulesError as exc:
                errors.append(unit_error(unit, None, exc))
    out.scores = list(scores)
    out.weights = weights
    if describe is not None:
        out.indicators = describe(weighting, contributions)
    if errors:
        out.errors = errors
        out.events = unit_events
        return out
    try:
        subtotals: dict[str, Number] = {}
        if plan.aggregated:
            # Groups that take a weighted geometric or harmonic mean: the total group by group.
            total, subtotals = aggregated_total(plan, unit, weights, scores, unit_events)
            total = check_fraction(total)
            out.subtotals = subtotals
        if scheme.total_formula is not None:
            # The total by the scheme's formula over subtotals, results and data (not the weighted sum).
            over = overall_scope(plan, unit, total, weights, contributions, scores, grades, subtotals)
            del over["总分"]
            total = check_fraction(formula_total(plan, {**over, **results}, unit_events))
        final = finish_total(
            plan,
            unit,
            check_fraction(total),
            earned=total,
            possible=possible,
            zeroed=zeroed,
            events=unit_events,
            results=results,
        )
        scope = None
        if plan.rich_overall:
            scope = overall_scope(plan, unit, final, weights, contributions, scores, grades, subtotals)
            # The steps overall grading, caps and flags read (指标1·完成率); its scores are the scope's.
            scope.update((name, v) for name, v in results.items() if plan.results[name][1] is not None)
            if plan.limits_total:
                final = limit_total(plan, final, scope, unit_events)
        grade = grade_total(plan, final, scope, unit_events, unit.category)
        if scope is not None and plan.scheme.flags:
            out.flags = raise_flags(plan, scope, unit_events)
        if plan.periodic and unit.periods:
            if periods is None:
                return None  # (the column program does not know the periods' results here)
            # A grade per period beside the year's: the periods' scores, added up as the year's are.
            out.periods = period_totals(
                plan, unit, periods, scores, grades, weights, weighting.contribution, possible, results
            )
    except PerfrulesError as exc:
        out.errors = [unit_error(unit, None, exc)]
        out.events = unit_events
        return out
    if (lowest or zeroed) and plan.overall is not None:
        grade = plan.scheme.grades[-1]
    out.total = final
    out.grade = grade
    out.vetoed = lowest or zeroed
    out.events = unit_events
    return out
