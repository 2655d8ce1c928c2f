"""The per-unit program: the tests' oracle for the column program (issue 17: one engine).

It was the library's old engine; the column program (:mod:`perfrules.scoring.program`) now scores
every unit, and this program scores each unit on its own, indicator by indicator, by the plan's
per-unit code that the column program runs to word errors (:func:`~perfrules.scoring.indstep.indicator_step`,
:func:`~perfrules.scoring.uniterrors.unit_level`, :func:`~perfrules.scoring.unittotal.finish_unit`).
The tests hold the column program's totals, grades, errors, events and explanations to what it gives:

- :func:`score_unit`: one unit (``detail=True`` records what explained results need);
- :func:`score_batch` / :func:`score_units`: a batch, population values unit by unit
  (:func:`perfrules.scoring.population.population_values`), then quotas and ranks
  (and ``roll_up`` levels) as the library finishes a batch;
- :func:`evaluate`: an explained :class:`perfrules.Evaluation` of it, every unit's trail from this program.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from perfrules._errors import PerfrulesError
from perfrules._numbers import Number, tidy_decimal
from perfrules.formula.tree import Name
from perfrules.results.model import Evaluation, unit_result
from perfrules.scheme.model import Scheme
from perfrules.scheme.units import PolicyEvent, Unit, UnitError, note_events
from perfrules.scoring.batch import batch_tree, finish_levels
from perfrules.scoring.compiled import Scored
from perfrules.scoring.indstep import indicator_step
from perfrules.scoring.outcome import (
    IndicatorOutcome,
    UnitOutcome,
    Weighting,
    indicator_outcomes,
    not_assessed,
    unit_error,
)
from perfrules.scoring.outcome import weighting as pattern_weighting
from perfrules.scoring.overall import veto_event
from perfrules.scoring.plan import Plan, plan_of
from perfrules.scoring.population import population_values
from perfrules.scoring.uniterrors import Errored, errored_outcome, prepared, undeclared, unit_level
from perfrules.scoring.unittotal import TotalTooLarge, finish_unit, too_large_outcome

__all__ = ["evaluate", "score_batch", "score_unit", "score_units"]

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


def score_batch(
    plan: Plan, units: Sequence[Unit], *, detail: bool = False
) -> tuple[list[UnitOutcome], Mapping[str, Population]]:
    """Every unit of a batch by :func:`score_unit`, with quotas and ranks; and the population values."""
    tree = batch_tree(plan, units)
    scored = list(units) if tree is None else list(tree.scored)
    population = population_values(plan.indicators, scored) if plan.has_population else {}
    empty: Population = {}
    outcomes = [score_unit(plan, u, population.get(u.name, empty), detail=detail) for u in scored]
    return finish_levels(plan, tree, outcomes, units), population


def score_units(scheme: Scheme, units: Sequence[Unit], *, detail: bool = False) -> list[UnitOutcome]:
    """:func:`score_batch` of a scheme's plan, outcomes only."""
    return score_batch(plan_of(scheme), units, detail=detail)[0]


def evaluate(scheme: Scheme, units: Sequence[Unit]) -> Evaluation:
    """The evaluation this program gives, every unit explained by it (its trail, not the record's)."""
    outcomes = score_units(scheme, list(units), detail=True)
    return Evaluation(scheme=scheme, results=tuple(unit_result(scheme, o) for o in outcomes))
