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
program decides it, each indicator is scored by
:func:`~perfrules.scoring.indstep.indicator_step`, which the column program runs
to word an indicator's error (:mod:`~perfrules.scoring.colfailures`), and the
unit is finished by :func:`~perfrules.scoring.unittotal.finish_unit`, which the
column program runs to word an error of the total
(:mod:`~perfrules.scoring.coltotalerrors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._numbers import Number, tidy_decimal
from ..formula.tree import Name
from ..scheme.units import PolicyEvent, Unit, UnitError, note_events
from .compiled import Scored
from .indstep import indicator_step
from .outcome import IndicatorOutcome, UnitOutcome, Weighting, indicator_outcomes, not_assessed, unit_error
from .outcome import weighting as pattern_weighting
from .overall import veto_event
from .plan import Plan
from .uniterrors import Errored, errored_outcome, prepared, undeclared, unit_level
from .unittotal import TotalTooLarge, finish_unit, too_large_outcome

__all__ = ["Population", "score_unit"]

Population = Mapping[tuple[str, str, str | None], Number]


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
    except TotalTooLarge as exc:
        return too_large_outcome(unit, exc)
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

    def describe(weighting: Weighting, contributions: Sequence[Number | None]) -> list[IndicatorOutcome]:
        return indicator_outcomes(
            plan, unit, applicable, scored, weighting, contributions, failures, first_events, base, sources
        )

    grades = [None if s is None else s.grade for s in scored]
    periods = [() if s is None else s.periods for s in scored]
    found = finish_unit(
        plan,
        unit,
        out,
        weighting,
        scores,
        grades,
        periods,
        failures=failures,
        vetoes=vetoes,
        lowest=lowest,
        zeroed=zeroed,
        describe=describe if detail else None,
    )
    assert found is not None  # (the periods' results are given)
    return found
