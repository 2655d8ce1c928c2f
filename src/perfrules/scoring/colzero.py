"""``zero`` policies on a step's value as a column step: where the condition holds, the value is 0.

The per-unit program runs an indicator's steps in order and, after each, the
``zero`` rules on its target (``互动性计分`` is 0 where ``互动性异常信息条数>5``):
every rule whose condition holds on the scope so far (data and earlier
steps) zeroes the value — but a rule that applies per period (``per_period
= true``, 该部分当月得分为0) zeroes only a period's value, never a value
worked out on the year's row (it leaves a note instead). Over columns: each
condition is a truth column (:mod:`perfrules.scoring.colconds`) on the same
scope, and the rows where one holds take 0; per-period rules act only on
the rows of a batch of period rows (:data:`PERIOD_ROWS` marks those
columns, see :mod:`perfrules.scoring.colperiods`). A step holding a truth value
(:mod:`~perfrules.scoring.coltruth`) holds the number 0 where one held, as the
per-unit program puts ``Decimal(0)`` in its place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._intcols import IntColumn, numpy
from ..scheme.reads import FULL_NAME
from .colconds import compile_condition
from .colfull import with_full
from .coltruth import TruthColumn, zeroed_truth
from .indicator import IndicatorPlan

__all__ = ["PERIOD_ROWS", "ZERO_TRAIL", "compile_zero_rules", "zeroed"]

PERIOD_ROWS = "\0period rows"
"""Present among a batch's columns when its rows are periods' rows (each the values of one period)."""

ZERO_TRAIL = "\0zero rules recorded"
"""Where a recording run (:mod:`perfrules.scoring.colrecord`) keeps, per step target with zero rules,
the value before them and where each rule held (absent in the normal path)."""

# Per step target: each rule's (condition, per period).
ZeroRules = Mapping[str, tuple[tuple[Any, bool], ...]]


def compile_zero_rules(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]
) -> tuple[dict[str, tuple[tuple[Any, bool], ...]], dict[str, set[str]]]:
    """The indicator's ``zero`` rules on step targets compiled, and the names each target's rules read.

    Raises:
        unsupported: a condition that does not compile.
    """
    rules: dict[str, tuple[tuple[Any, bool], ...]] = {}
    reads: dict[str, set[str]] = {}
    for target, found in ind.zero_by_target.items():
        compiled = []
        for rule in found:
            try:
                condition = compile_condition(rule.when.tree, compile_node, unsupported)
            except unsupported as exc:
                raise unsupported(f"indicator {ind.code}'s zero rule '{rule.when.text}': {exc}") from None
            # 分值: the row's category's full points, as in the per-unit program's scope.
            compiled.append((with_full(condition, ind, rule.when.variables), rule.per_period))
            reads.setdefault(target, set()).update(rule.when.variables - {FULL_NAME})
        rules[target] = tuple(compiled)
    return rules, reads


def zeroed(rules: ZeroRules, target: str, col: Any, scope: dict[str, Any], n: int) -> Any:
    """*col*, the value of the step *target*, with 0 where one of its zero rules holds on *scope*."""
    found = rules.get(target)
    if not found:
        return col
    np = numpy()
    periods = PERIOD_ROWS in scope
    holds = np.zeros(n, dtype=bool)
    trail = scope.get(ZERO_TRAIL)
    if trail is not None:
        trail[target] = (col, [condition(scope, n) for condition, _ in found])
    for condition, per_period in found:
        holds_here = condition(scope, n)  # worked out always: where it cannot be, the unit goes back
        if per_period and not periods:
            continue  # the per-unit program notes it and leaves the value
        holds |= holds_here
    if not holds.any():
        return col
    if isinstance(col, TruthColumn):  # a step's truth value (coltruth): the number 0 where one held
        return zeroed_truth(col, holds)
    num = col.num.copy()
    num[holds] = 0
    return IntColumn(num, col.den, col.bound)
