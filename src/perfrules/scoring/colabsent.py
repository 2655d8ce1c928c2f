"""Whether an indicator applies to a unit whose other indicators' results it cannot read, over columns.

The per-unit program reads the results an indicator's rules name (``指标1得分``,
``指标1得分率``, ``指标1·超额点数``) before it asks anything else of the indicator
(:func:`~perfrules.scoring.indstep.indicator_step`). Where one cannot be read — the
read indicator has no score (it does not apply, is not assessed, or failed), its
full points are 0 (a share), a step's value cannot be worked out — it asks whether
the reader applies on the unit's data alone, none of the results among it: outside
``applies_to``, declared not applicable, or where a not-applicable rule holds before
one stops, it does not apply; anywhere else (a rule stops first, or none holds) the
unit's error for the reader is the read's, worded by the reader's own step
(:mod:`~perfrules.scoring.colfailures`).

Over columns (:class:`AbsentRules`, for an indicator whose not-applicable rules read
results): the rules in their order, each on the rows no rule before it decided. A
``missing`` rule holds where the program found its input blank (the indicator's
applicability before its ``when`` rules: :mod:`~perfrules.scoring.colmissing`). A
``when`` stops where its evaluation reaches a result, or divides by 0, first — in
the per-unit program's order: ``or``/``and`` read on only while undecided, ``if``
its branch taken, a chain of comparisons up to the first that fails
(:func:`~perfrules.scoring.colreach.condition_reach`) — and elsewhere holds where its
compiled condition does (the result's column holds there a value never read).
A ``when`` over words holds, or raises, by its own code
(:mod:`~perfrules.scoring.colapplies`).
Where the columns cannot tell (an order not followed, a value the condition's
columns do not work out, several ``missing`` rules) the row is left *unsure*: the
indicator applies there and is marked as one the columns cannot work out, so that
its own step says what it is (its error; where it does not apply, the unit goes to
the per-unit program).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._intcols import numpy
from ..scheme.reads import FULL_NAME
from .colapplies import Worded, mapped_reads
from .colconds import compile_condition
from .colfull import full_column, fulls_of
from .colreach import condition_reach
from .colsteps import SEND_BACK, ZERO_DIVISOR
from .indicator import IndicatorPlan

__all__ = ["AbsentRules"]


class AbsentRules:
    """One indicator's not-applicable rules as the per-unit program asks them where the results its
    rules read are not there (see the module's docstring)."""

    def __init__(
        self,
        ind: IndicatorPlan,
        results: Collection[str],
        compile_node: Any,
        unsupported: type[Exception],
        words: frozenset[str],
    ) -> None:
        self.mapping = dict(ind.ind.inputs)
        self.fulls = fulls_of(ind)
        self.missing = sum(1 for p in ind.not_applicable if p.missing)
        # Per rule in order: whether it has a ``missing`` part, and its ``when`` — (kind, condition,
        # reach): "words" (decided by its own code), "plain" (reads no result) or "results", the reach
        # None where its order is not followed; or None without a ``when``.
        self.rules: list[tuple[bool, tuple[str, Any, Any] | None]] = []
        for policy in ind.not_applicable:
            when = policy.when
            entry: tuple[str, Any, Any] | None = None
            if when is not None:
                read = frozenset(when.variables) & frozenset(results)
                if mapped_reads(ind, set(when.variables)) & words:
                    entry = ("words", Worded(ind, when), None) if not read else ("results", None, None)
                else:
                    condition = compile_condition(when.tree, compile_node, unsupported)
                    reach = condition_reach(when.tree, read, compile_node, unsupported)
                    entry = ("results" if read else "plain", condition, reach)
            self.rules.append((bool(policy.missing), entry))

    def decide(self, cols: dict[str, Any], n: int, missing: Any) -> tuple[Any, Any]:
        """Per row, as if none of the results the indicator reads were there: whether it does not apply,
        and whether the columns cannot tell (*missing*: where its ``missing`` rules hold)."""
        np = numpy()
        na = np.zeros(n, dtype=bool)
        unsure = np.zeros(n, dtype=bool)
        going = np.ones(n, dtype=bool)  # (no rule decided yet)
        scope = self._scope(cols, n)
        for has_missing, entry in self.rules:
            if has_missing:  # (with several, which of them holds is not known here)
                if self.missing == 1:
                    na |= going & missing
                else:
                    unsure |= going & missing
                going &= ~missing
            if entry is None:
                continue
            kind, condition, reach = entry
            if kind == "words":
                holds, raised = condition.run(scope, n)
                na |= going & holds & ~raised
                going &= ~(holds | raised)  # (where it raises, the reader's error)
                continue
            if condition is None or (kind == "results" and reach is None):
                unsure |= going
                break
            holds, sent = self._holds(condition, scope, n, reach is not None)
            stop = np.zeros(n, dtype=bool)
            if reach is not None:  # (a result, or a division by 0, where the evaluation gets there)
                found, zero, unknown, _ = reach(scope, n)
                stop = found | zero
                sent = (sent | unknown) & ~stop  # (a stop first: the reader's error)
            unsure |= going & sent
            na |= going & holds & ~stop & ~sent
            going &= ~(holds | stop | sent)
        return na, unsure

    def _scope(self, cols: dict[str, Any], n: int) -> dict[str, Any]:
        """The batch's columns as the rules read them: local names bound to their data columns, and 分值."""
        scope = {k: v for k, v in cols.items() if k != SEND_BACK}
        for local, field in self.mapping.items():
            if field in cols:
                scope[local] = cols[field]
        scope[FULL_NAME] = full_column(self.fulls, cols, n)
        return scope

    @staticmethod
    def _holds(condition: Any, scope: dict[str, Any], n: int, reached: bool) -> tuple[Any, Any]:
        """Where *condition* holds over *scope*, and the rows its columns cannot work out (those it
        would send to the per-unit program); *reached*: its divisions by 0 are followed apart, where
        the evaluation gets there (an absent result reads as any number where it does not)."""
        mine = dict(scope)
        if reached:
            mine[ZERO_DIVISOR] = numpy().zeros(n, dtype=bool)
        holds = condition(mine, n)
        sent = mine.get(SEND_BACK)
        return holds, sent if sent is not None else numpy().zeros(n, dtype=bool)
