"""The indicator results and groups of an explained unit's outcome, shared between units where equal.

:func:`explained_parts` turns what scoring found for a unit (its
:class:`~perfrules.scoring.outcome.IndicatorOutcome` records) into the
results' :class:`~perfrules.results.parts.IndicatorResult` and
:class:`~perfrules.results.parts.GroupResult` tree. Units explained from the
column program's record share the scoring records of a score that is one data
column (:mod:`perfrules.scoring.colexplain`), and then share the frozen
indicator result made of it too, made once.
"""

from __future__ import annotations

from typing import Any

from ..scheme.model import Scheme
from ..scoring.outcome import UnitOutcome
from ..scoring.plan import Plan
from .parts import GroupResult, IndicatorResult, group_result, indicator_result

__all__ = ["explained_parts"]


def explained_parts(
    plan: Plan, outcome: UnitOutcome, shared: set[int] | None = None, views: dict[Any, Any] | None = None
) -> tuple[tuple[IndicatorResult, ...], tuple[GroupResult, ...]]:
    """The indicator results and groups of a detailed outcome. *shared*: the ids of scoring records
    that units share (the record's, :mod:`perfrules.scoring.colexplain`), whose results are kept in
    *views* and shared too where the rest of the indicator's outcome is the same."""
    category = outcome.unit.category
    indicators: tuple[IndicatorResult, ...] = ()
    groups: tuple[GroupResult, ...] = ()
    if outcome.indicators is not None:
        scheme = plan.scheme
        if shared and views is not None:
            indicators = tuple(
                _shared_result(i, category, scheme, views)
                if id(i.scored) in shared
                else indicator_result(i, category, scheme)
                for i in outcome.indicators
            )
        else:
            indicators = tuple(indicator_result(i, category, scheme) for i in outcome.indicators)
        if indicators:
            groups = tuple(group_result(g, indicators, category, outcome.subtotals) for g in plan.groups)
    return indicators, groups


def _shared_result(item: Any, category: str | None, scheme: Scheme, views: dict[Any, Any]) -> IndicatorResult:
    """:func:`indicator_result` of *item*, whose scoring record units share (and with it the inputs
    it reads): made once per record, category, weights, contribution, error and events. The weights
    and contribution are the same objects for units of one pattern (the plan's weighting, the
    explainer's contributions): they are told apart by identity, and kept with the result so that
    an identity is never another object's."""
    weights = (item.scored, item.base_weight, item.weight, item.contribution)
    key = (*map(id, weights), category, item.applicable, item.error, tuple(item.events))
    found = views.get(key)
    if found is None:
        if len(views) >= 16384:
            views.clear()
        found = views[key] = (indicator_result(item, category, scheme), weights)
    return found[0]
