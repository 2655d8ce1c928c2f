"""One indicator scored on one unit by its rule's own code: its score, why it does not apply, or its error.

The column program (:mod:`perfrules.scoring.colfailures`) runs :func:`indicator_step` for an
indicator its columns already failed for a unit, to word that unit's error by the rule's own
code: it is in the library for that, and never gives a unit's score. The per-unit program (the
tests' oracle, ``tests/oracle.py``) runs it for each indicator of a unit in the plan's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from .._errors import EvaluationError, PerfrulesError
from .._numbers import Number, as_fraction, exact
from ..scheme.policies import Veto
from ..scheme.reads import step_result_reads
from ..scheme.units import PolicyEvent, Unit, UnitError
from .compiled import Scored
from .indicator import IndicatorPlan
from .outcome import unit_error
from .plan import Plan

__all__ = ["Step", "indicator_step", "results"]

Population = Mapping[tuple[str, str, str | None], Number]


def results(
    plan: Plan, unit: Unit, names: Iterable[str], scores: Sequence[Number | None]
) -> dict[str, object]:
    """Other indicators' results as rules read them: 指标1得分, 指标1得分率, 指标2·超额点数.

    A score comes from this unit's scoring so far (the plan scores in
    dependency order); a step is worked out on demand by its indicator's own
    plan, from the unit's data and the results its steps read in turn.
    """
    out: dict[str, object] = {}
    for name in sorted(names):
        code, step = plan.results[name]
        ind = plan.indicators[plan.index[code]]
        if step is None:
            score = scores[plan.index[code]]
            if score is None:
                raise EvaluationError(
                    f"'{name}': indicator {ind.label} has no score for this unit "
                    "(it does not apply, or could not be scored)"
                )
            if name.endswith("得分率"):
                full = as_fraction(ind.full(unit.category))
                if not full:
                    raise EvaluationError(f"'{name}': indicator {ind.label} has no points for this unit")
                out[name] = exact(as_fraction(score) / full)
            else:
                out[name] = score
            continue
        needs = step_result_reads(ind.ind, step, plan.results)
        data = unit.data if not needs else {**unit.data, **results(plan, unit, needs, scores)}
        out[name] = ind.prerequisites([step], ind.env(data), unit)[step]
    return out


def _not_applying(ind: IndicatorPlan, unit: Unit) -> PolicyEvent | None:
    """Why *ind* does not apply to *unit*, as far as the unit's data tells without other indicators'
    results (None: it applies, or whether it does depends on a result it cannot read)."""
    try:
        return ind.applicability(unit)
    except PerfrulesError:
        return None


# What one indicator's step found: ("scored", Scored, fired vetoes), ("na", event, None) or
# ("failed", error, None).
Step = tuple[str, Scored | PolicyEvent | UnitError, list[Veto] | None]


def indicator_step(
    plan: Plan,
    unit: Unit,
    k: int,
    scores: Sequence[Number | None],
    population: Population,
    *,
    detail: bool,
    graded: bool,
    declared: bool,
) -> Step:
    """Indicator *k* on *unit*, given the scores of the indicators before it (*scores*, None where one
    does not apply or failed): whether it applies, then its score and the vetoes that fire — or the
    unit's error for it (a rule that raises).

    *declared*: the unit declares indicators not applicable (each indicator then asks).
    """
    ind = plan.indicators[k]
    scoring = unit
    if plan.result_reads[k]:
        # Rules that read other indicators' results see them beside the unit's data.
        try:
            extra = results(plan, unit, plan.result_reads[k], scores)
        except PerfrulesError as exc:
            # A reader that does not apply reads nothing: a result it lacks is no error then.
            reason = _not_applying(ind, unit) if declared or not ind.always_applies else None
            if reason is not None:
                return "na", reason, None
            return "failed", unit_error(unit, ind.code, exc), None
        scoring = attrs.evolve(unit, data={**unit.data, **extra})
    if declared or not ind.always_applies:
        try:
            reason = ind.applicability(scoring)
        except PerfrulesError as exc:
            return "failed", unit_error(unit, ind.code, exc), None
        if reason is not None:
            return "na", reason, None
    try:
        result = ind.score(scoring, population, detail, graded=graded)
        fired = ind.veto_fired(scoring, result, population) if ind.vetoes else []
    except PerfrulesError as exc:
        return "failed", unit_error(unit, ind.code, exc), None
    except KeyError as exc:  # a name the data lacks, met outside a formula
        error = EvaluationError(str(exc.args[0]) if exc.args else "KeyError")
        return "failed", unit_error(unit, ind.code, error), None
    return "scored", result, fired
