"""A scheme compiled for scoring: built once per scheme, then only run.

The plan holds each indicator's :class:`~perfrules._indicator.IndicatorPlan`,
the tree of groups as index lists, each leaf's siblings (for weight that
moves), and each category's weights as exact fractions, so that scoring a
unit does no tree walking or name lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ._indicator import IndicatorPlan
from ._numbers import as_fraction
from ._scheme import Group, Indicator, Scheme
from ._words import Words

__all__ = ["GroupPlan", "Plan", "plan_of"]


class GroupPlan:
    """A group of the tree: its name, declared subtotals, and the indicators below it."""

    __slots__ = ("children", "group", "leaves", "name")

    def __init__(self, group: Group, index: Mapping[str, int]) -> None:
        self.group = group
        self.name = group.name
        self.children: tuple[GroupPlan | int, ...] = tuple(
            GroupPlan(c, index) if isinstance(c, Group) else index[c.code] for c in group.children
        )
        self.leaves: tuple[int, ...] = tuple(index[i.code] for i in group.indicators())


class Plan:
    """Everything scoring needs about a scheme, worked out once."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.words = Words(scheme.language)
        leaves = scheme.indicators()
        self.indicators: tuple[IndicatorPlan, ...] = tuple(
            IndicatorPlan(scheme, i, self.words) for i in leaves
        )
        self.index = {ind.code: k for k, ind in enumerate(leaves)}
        by_name = {ind.name: k for k, ind in enumerate(leaves)}
        self.lookup = {**by_name, **self.index}
        self.groups = tuple(GroupPlan(g, self.index) for g in scheme.groups)
        siblings: dict[int, tuple[int, ...]] = {}
        for _, node in scheme.paths():
            if isinstance(node, Group):
                direct = tuple(self.index[c.code] for c in node.children if isinstance(c, Indicator))
                for k in direct:
                    siblings[k] = direct
        self.siblings = siblings
        columns = scheme.categories or (None,)
        self.weights: dict[str | None, tuple[Fraction, ...]] = {
            c: tuple(as_fraction(i.weight_for(c)) for i in leaves) for c in columns
        }
        self.full_marks = as_fraction(scheme.total)
        self.has_population = any(p.has_population for p in self.indicators)
        self.has_vetoes = any(p.vetoes for p in self.indicators) or any(
            type(p).__name__ == "Veto" for p in scheme.policies
        )
        overall = scheme.overall_scale
        self.overall = overall
        # Overall grading that reads more than the total needs the unit's
        # group scores and data: worked out only for such schemes.
        self.rich_overall = bool(scheme.caps) or (
            overall is not None and (overall.variable != "总分" or overall.levels != {})
        )
        self.receivers = {
            k: self.lookup.get(p.moves_to) if p.moves_to is not None else None
            for k, p in enumerate(self.indicators)
        }

    def weights_for(self, category: str | None) -> tuple[Fraction, ...]:
        key = category if self.scheme.categories else None
        return self.weights[key]


def plan_of(scheme: Scheme) -> Plan:
    """The scheme's plan, compiled the first time it is asked for and kept with the scheme."""
    plan = scheme._compiled
    if isinstance(plan, Plan):
        return plan
    plan = Plan(scheme)
    object.__setattr__(scheme, "_compiled", plan)
    return plan
