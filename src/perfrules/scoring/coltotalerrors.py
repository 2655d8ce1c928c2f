"""Units whose total the columns cannot finish: each such unit's error, worded by the per-unit program's code.

After its indicators, the per-unit program finishes a unit's total
(:func:`perfrules.scoring.unittotal.finish_unit`): the scheme's vetoes, group
means, a total formula, adjustments, caps and flags, overall grading. A rule
there that raises — a value the unit's data lacks (``事故>0`` on a blank
cell), a result it has not (``指标1得分率`` of an indicator that does not apply,
a group's ``组1得分`` with none of its indicators applying), a total past the
number bounds — is the unit's error, and the unit has no total or grade.

The column program (:mod:`perfrules.scoring.program`) keeps, per batch, the
units whose every indicator its columns worked out (``Failures.whole``). For
each such unit it then could not finish, and for nothing else,
:func:`total_rows` runs :func:`~perfrules.scoring.unittotal.finish_unit` on
that unit with the columns' scores (and, where the overall grading or a total
formula may read them, each indicator's grade from its own step,
:func:`~perfrules.scoring.indstep.indicator_step`) and keeps the errors it
gives as the unit's row of ``Scored.errors`` (:class:`TotalFailed`), with the
notes and vetoes that came before. Where that code finishes the unit without
an error (a cell the per-cell reader reads, a step whose score differs, a
grade per period), the unit goes to the per-unit program as before: a total is
never taken from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._errors import PerfrulesError
from .._intcols import numpy
from .._numbers import Number, as_fraction
from ..scheme.units import PolicyEvent, Unit, note_events
from .colfailures import Failed, Failures
from .colgrades import results_of
from .compiled import Scored as StepScored
from .indstep import indicator_step
from .outcome import UnitOutcome, unit_error, weighting
from .overall import veto_event
from .plan import Plan
from .uniterrors import prepared, undeclared
from .unittotal import TotalTooLarge, finish_unit, too_large_outcome

__all__ = ["TotalFailed", "total_rows"]


@attrs.frozen
class TotalFailed(Failed):
    """A unit of a batch whose total the per-unit program's code could not finish (``Scored.errors``):
    its errors and events, with its scores, weights and group subtotals, as that program gives them."""

    subtotals: Mapping[str, Number] = attrs.field(factory=dict)


def total_rows(
    scored: Any,
    units: Sequence[Unit] | Any,
    population: Mapping[str, Mapping[Any, Number]] | None = None,
) -> None:
    """Put in ``Scored.errors`` (*scored*, what the column program worked out for *units*) each unit
    whose indicators the columns all worked out but whose total they could not finish, where the
    per-unit program's code gives it errors (:class:`TotalFailed`; the others are left to that
    program). *units* gives the unit at a position as the per-unit program would be given it."""
    failures: Failures | None = scored.failures
    if failures is None or failures.whole is None:
        return
    rows = failures.whole & ~scored.ok
    if not rows.any():
        return
    plan: Plan = scored.program.plan
    empty: Mapping[Any, Number] = {}
    for i in numpy().flatnonzero(rows).tolist():
        if i in scored.errors:
            continue
        unit = prepared(plan, units[i])[0]
        pop = population.get(unit.name, empty) if population is not None else empty
        found = _finished(plan, unit, scored, failures, i, pop)
        if found is not None and found.errors:
            scored.errors[i] = TotalFailed(
                tuple(found.errors),
                tuple(found.events),
                found.unit,
                tuple(found.scores),
                tuple(found.weights),
                dict(found.subtotals),
            )


def _finished(
    plan: Plan, unit: Unit, scored: Any, failures: Failures, i: int, population: Mapping[Any, Number]
) -> UnitOutcome | None:
    """Unit *unit* (row *i*) finished by the per-unit program's code from the columns' scores (None:
    that code cannot be given what it reads here, and the unit goes to the per-unit program)."""
    count = len(plan.indicators)
    applicable: list[bool] = scored.applicable[i].tolist()
    scores: list[Number | None] = scored.unit_scores(i)
    grades: list[str | None] = [None] * count
    vetoes: list[PolicyEvent] = []
    lowest = zeroed = False
    graded = plan.rich_overall or plan.scheme.total_formula is not None
    declared = bool(unit.not_applicable)
    order = plan.result_order if plan.result_order is not None else range(count)
    for k in order:
        if not applicable[k]:
            continue
        ind = plan.indicators[k]
        if graded:  # the indicator's grade, from its own step (whose score must be the columns')
            kind, step, _ = indicator_step(
                plan, unit, k, scores, population, detail=False, graded=True, declared=declared
            )
            if kind != "scored":
                return None
            assert isinstance(step, StepScored)
            if as_fraction(step.score) != as_fraction(scores[k]):  # type: ignore[arg-type]
                return None
            grades[k] = step.grade
        marks = failures.fired.get(ind.code)
        if marks is not None:
            for veto, fired in zip(ind.vetoes, marks, strict=True):
                if fired[i]:
                    lowest |= veto.effect == "lowest_grade"
                    zeroed |= veto.effect == "zero"
                    vetoes.append(veto_event(veto, ind.label, plan.words))
    out = UnitOutcome(unit)
    out.errors = undeclared(plan, unit)
    try:
        return finish_unit(
            plan,
            unit,
            out,
            weighting(plan, unit.category, applicable, scored.base(i)),
            scores,
            grades,
            results_of(scored.period_rows.get(i, {}), applicable) if plan.periodic else None,
            failures={},
            vetoes=vetoes,
            lowest=lowest,
            zeroed=zeroed,
        )
    except TotalTooLarge as exc:
        return too_large_outcome(unit, exc)
    except PerfrulesError as exc:  # as the per-unit program's own last resort
        failed = UnitOutcome(unit)
        failed.errors = [unit_error(unit, None, exc)]
        failed.events = note_events(unit)
        return failed
