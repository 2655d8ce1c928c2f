"""Scoring one unit by the plan's per-unit program: its indicators, its weights, its total and grade.

:func:`score_unit` is the program the batch loop (:mod:`perfrules.scoring.batch`)
runs for each unit the column program sends back, and with ``detail=True`` to
explain a unit whose form the column program's record does not explain
(:mod:`perfrules.scoring.colexplain`: units sent back, plans that do not compile).
Weights are worked out once per category and pattern of applicable indicators
(:class:`~perfrules.scoring.outcome.Weighting`), so a unit's total is one exact
integer-weighted sum. One unit's bad data is recorded on that unit and never
stops the others; what is wrong with it before any indicator is scored is
decided by :func:`~perfrules.scoring.uniterrors.unit_level`, as the column
program decides it, and each indicator is scored by
:func:`~perfrules.scoring.indstep.indicator_step`, which the column program runs
to word an indicator's error (:mod:`~perfrules.scoring.colfailures`).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .._errors import (
    NumberTooLargeError,
    PerfrulesError,
)
from .._numbers import EXACT_CONTEXT, Number, as_fraction, check_fraction, tidy_decimal
from ..formula.tree import Name
from ..scheme.policies import Veto
from ..scheme.units import PolicyEvent, Unit, UnitError, note_events
from .compiled import Scored
from .indstep import indicator_step
from .indstep import results as indicator_results
from .means import aggregated_total
from .outcome import UnitOutcome, Weighting, indicator_outcomes, not_assessed, unit_error
from .outcome import weighting as pattern_weighting
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
from .uniterrors import Errored, errored_outcome, prepared, undeclared, unit_level

__all__ = ["Population", "score_unit"]

Population = Mapping[tuple[str, str, str | None], Number]
_ZERO = Decimal(0)
_FZERO = Fraction(0)
_ONE = Decimal(1)
# Exact Decimal arithmetic: any rounding raises (and the caller falls back).
_EXACT_ADD = EXACT_CONTEXT.add
_EXACT_MUL = EXACT_CONTEXT.multiply


def _readers(plan: Plan, category: str | None) -> tuple[tuple[str, Number] | None, ...]:
    """Per indicator, (column, ceiling) when its score is one data column as reported (else None).

    Such a step needs nothing but the value: scoring reads it straight from the
    unit's data when it is a number within 0 and the ceiling, and runs the
    indicator's plan as usual otherwise (a missing, odd or out-of-range value).
    """
    key = category if plan.scheme.categories else None
    found = plan.readers.get(key)
    if found is None:
        row: list[tuple[str, Number] | None] = []
        weights = plan.weights_for(key)
        for k, ind in enumerate(plan.indicators):
            formula = ind.ind.score
            if (
                (weights[k] != 0 or not plan.scheme.categories)  # else not assessed for the category
                and ind.direct
                and ind.lower() == 0  # min_score and max_score = "none" take the indicator's plan
                and ind.upper(key) is not None
                and ind.always_applies
                and not ind.periodic
                and plan.scheme.round_scores is None
                and not ind.vetoes
                and formula is not None
                and isinstance(formula.tree, Name)
            ):
                row.append((formula.tree.name, ind.ceiling(key)))
            else:
                row.append(None)
        found = plan.readers[key] = tuple(row)
    return found


class _TotalTooLarge(Exception):
    """The sum of a unit's contributions left the number bounds at one indicator."""

    def __init__(self, code: str, error: NumberTooLargeError) -> None:
        super().__init__(code, error)
        self.code = code
        self.error = error


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


def score_unit(plan: Plan, unit: Unit, population: Population, *, detail: bool) -> UnitOutcome:
    """Score one unit: every indicator, the total, the overall grade (no quota, no rank yet).

    Whatever goes wrong with the unit's data is the unit's error and never
    stops the batch: a number that outgrows the bounds (``perfrules.LIMITS``)
    fails this unit alone, naming the indicator where it happened. The
    scheme's ``parameters`` and ``history`` values join the unit's data first.
    """
    unit, sources = prepared(plan, unit, detail=detail)
    try:
        return _score_unit(plan, unit, population, detail=detail, sources=sources)
    except _TotalTooLarge as exc:
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
    except PerfrulesError as exc:
        failed = UnitOutcome(unit)
        failed.errors = [unit_error(unit, None, exc)]
        failed.events = note_events(unit)
        return failed


def _score_unit(
    plan: Plan, unit: Unit, population: Population, *, detail: bool, sources: Mapping[str, str]
) -> UnitOutcome:
    scheme = plan.scheme
    words = plan.words
    out = UnitOutcome(unit)
    # What is decided before any indicator is scored (uniterrors): an error that stops the unit, or
    # its weights read from its data (weight_from).
    level = unit_level(plan, unit)
    if isinstance(level, Errored):
        return errored_outcome(level)
    category = unit.category
    out.errors = undeclared(plan, unit)  # reported beside the unit's scores
    own: tuple[Fraction, ...] | None = level
    base = own if own is not None else plan.weights_for(category)
    count = len(plan.indicators)
    applicable = [True] * count
    scored: list[Scored | None] = [None] * count
    # Each indicator's score; a reported column read straight from the data has no Scored record.
    scores: list[Number | None] = [None] * count
    first_events: dict[int, PolicyEvent] = {}
    failures: dict[int, UnitError] = {}
    vetoes: list[PolicyEvent] = []
    lowest = zeroed = False
    weighed = bool(scheme.categories)
    declared = unit.not_applicable
    # Indicator grades are recorded when something reads them: explanations, or overall grading that does.
    graded = detail or plan.rich_overall or scheme.total_formula is not None
    readers = _readers(plan, category) if not graded and not declared else plan.no_readers
    data = unit.data
    order = plan.result_order if plan.result_order is not None else range(count)
    for k in order:
        ind = plan.indicators[k]
        reader = readers[k]
        if reader is not None:
            raw: Any = data.get(reader[0])
            kind = type(raw)
            if kind is Decimal and raw.is_finite() and 0 <= raw <= reader[1]:
                scores[k] = tidy_decimal(raw)
                continue
            if kind is int and 0 <= raw <= reader[1]:
                scores[k] = Decimal(raw)
                continue
        if weighed and base[k] == 0:
            applicable[k] = False
            first_events[k] = not_assessed(words, category)
            continue
        what, step, fired = indicator_step(
            plan, unit, k, scores, population, detail=detail, graded=graded, declared=bool(declared)
        )
        if what == "scored":
            assert isinstance(step, Scored) and fired is not None
            scored[k] = step
            scores[k] = step.score
            for veto in fired:
                lowest |= veto.effect == "lowest_grade"
                zeroed |= veto.effect == "zero"
                vetoes.append(veto_event(veto, ind.label, words))
        elif what == "na":
            assert isinstance(step, PolicyEvent)
            applicable[k] = False
            first_events[k] = step
        else:
            assert isinstance(step, UnitError)
            failures[k] = step
    weighting = pattern_weighting(plan, category, applicable, own)
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
        raise _TotalTooLarge(_overflowing(plan, weighting, scores), exc) from None
    possible = weighting.possible
    contributions: list[Number | None] = [None] * count
    if detail or plan.rich_overall or scheme.total_formula is not None:
        for k, v in enumerate(scores):
            if v is not None:
                try:
                    contributions[k] = weighting.contribution(k, v)
                except NumberTooLargeError as exc:
                    raise _TotalTooLarge(plan.indicators[k].code, exc) from None
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
    out.scores = scores
    out.weights = weights
    if detail:
        out.indicators = indicator_outcomes(
            plan, unit, applicable, scored, weighting, contributions, failures, first_events, base, sources
        )
    if errors:
        out.errors = errors
        out.events = unit_events
        return out
    try:
        grades = [None if s is None else s.grade for s in scored]
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
            if plan.limits_total:
                final = limit_total(plan, final, scope, unit_events)
        grade = grade_total(plan, final, scope, unit_events, unit.category)
        if scope is not None and plan.scheme.flags:
            out.flags = raise_flags(plan, scope, unit_events)
        if plan.periodic and unit.periods:
            # A grade per period beside the year's: the periods' scores, added up as the year's are.
            found = [() if s is None else s.periods for s in scored]
            out.periods = period_totals(
                plan, unit, found, scores, grades, weights, weighting.contribution, possible
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
