"""A unit with an indicator's error, explained from the record: which indicators failed, and why.

The column program words the error of an indicator its columns cannot work
out for a unit by that indicator's own step
(:func:`~perfrules.scoring.indstep.indicator_step`, run by
:mod:`perfrules.scoring.colfailures`) and keeps it in the unit's
:class:`~perfrules.scoring.colfailures.Failed` row of ``Scored.errors``. An
explanation of such a unit (:mod:`perfrules.scoring.colexplain`) takes each
failed indicator's error from there — what its step raised, as the per-unit
program records it — and every other indicator from the record's columns.

:func:`failed_parts` reads that row: per failed indicator its error, and per
indicator that reads a failed one's result without failing itself (it does
not apply, by its rule's own code, run again here as the per-unit program runs
it) why it does not apply.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._numbers import Number
from ..scheme.units import PolicyEvent, Unit, UnitError
from .colfailures import Failed
from .indstep import indicator_step
from .plan import Plan

__all__ = ["failed_parts"]


def failed_parts(
    plan: Plan, found: Failed, unit: Unit, population: Mapping[tuple[str, str, str | None], Number]
) -> tuple[dict[int, UnitError], dict[int, PolicyEvent]] | None:
    """The failed indicators of a unit with an indicator's error (*found*, its row of the record;
    *unit*: as its rules read it) with their errors, and the indicators that do not apply because
    they read a failed one's result, with why (None: the row does not say, and the unit is the
    per-unit program's to explain).

    >>> from perfrules import load
    >>> from perfrules.scheme.units import Unit
    >>> from perfrules.scoring.plan import plan_of
    >>> plan = plan_of(load("shenzhen-2010-departments"))
    >>> error = UnitError(unit="甲", indicator=plan.indicators[0].code, field="x", message="blank",
    ...                   error="MissingDataError")
    >>> unit = Unit(name="甲", data={})
    >>> failed, _ = failed_parts(plan, Failed((error,), (), unit, (), ()), unit, {})
    >>> failed == {0: error}
    True
    """
    failed: dict[int, UnitError] = {}
    for error in found.errors:
        k = plan.index.get(error.indicator) if error.indicator is not None else None
        if k is not None and error.field != "not_applicable":
            if k in failed:
                return None
            failed[k] = error
    stepped: dict[int, PolicyEvent] = {}
    if not failed or not any(plan.result_reads):
        return failed, stepped
    codes = {plan.indicators[k].code for k in failed}
    order = plan.result_order if plan.result_order is not None else range(len(plan.indicators))
    for k in order:
        if k in failed or not any(plan.results[name][0] in codes for name in plan.result_reads[k]):
            continue
        # It reads a failed indicator's result and did not fail: its step says it does not apply.
        kind, what, _ = indicator_step(
            plan,
            unit,
            k,
            found.scores,
            population,
            detail=True,
            graded=True,
            declared=bool(unit.not_applicable),
        )
        if kind != "na" or not isinstance(what, PolicyEvent):
            return None
        stepped[k] = what
    return failed, stepped
