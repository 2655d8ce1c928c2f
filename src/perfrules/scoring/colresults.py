"""Rules that read other indicators' results (指标1得分, 指标1得分率), for a batch's columns.

An indicator's rules may read another indicator's score (``指标<code>得分``) or
its share of its full points (``指标<code>得分率``); the per-unit program then
scores the indicators in dependency order (``Plan.result_order``) and gives each
rule the results before it. The column program does the same: it scores the
indicators' columns in that order and, once an indicator's column is held within
its limits (and rounded, with ``round_scores``) exactly as its score is, puts it
among the batch's columns under those names, for the columns after it to read.

A unit where a read indicator does not apply (it has no score; the per-unit
program reports the reading indicator's error) goes back to the per-unit
program. Reads of another indicator's steps (``指标1·超额点数``) are columns worked
out before the indicators are scored (:mod:`perfrules.scoring.colstepreads`).
Not-applicable rules that read results and indicators reported per period are
not compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import partial
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects
from .._numbers import as_fraction
from .colsteps import send_back
from .plan import Plan

__all__ = ["ResultReads", "ordered", "result_reads"]


class ResultReads:
    """Which results a plan's rules read, and the order to score in (see the module's docstring)."""

    def __init__(self, plan: Plan, na_reads: set[str], unsupported: type[Exception]) -> None:
        self.plan = plan
        names: set[str] = set().union(*plan.result_reads)
        keys = plan.scheme.categories or (None,)
        # Per read indicator: the names it is read by, and its full points (for 得分率).
        self.published: dict[int, list[tuple[str, Fraction | None]]] = {}
        for name in sorted(names):
            code, step = plan.results[name]
            if step is not None:  # a step's value: a column of its own (colstepreads)
                continue
            k = plan.index[code]
            full = None
            if name.endswith("得分率"):
                fulls = {as_fraction(plan.indicators[k].full(c)) for c in keys}
                if len(fulls) != 1 or not min(fulls):
                    raise unsupported(f"{name}: full points that differ by category")
                full = fulls.pop()
            self.published.setdefault(k, []).append((name, full))
        if names & na_reads:
            raise unsupported("a not-applicable rule reads other indicators' results")
        if any(p.periodic for p in plan.indicators):
            raise unsupported("rules read other indicators' results, with values reported per period")
        assert plan.result_order is not None
        self.order: tuple[int, ...] = plan.result_order
        self.names = frozenset(names)

    def publish(
        self,
        k: int,
        col: IntColumn,
        cols: dict[str, Any],
        applicable: Any,
        held: Callable[[int, IntColumn], IntColumn],
    ) -> None:
        """After indicator *k*'s column: its score (held as the per-unit program holds it) and share
        among *cols*, and the units where it does not apply marked to send back."""
        named = self.published.get(k)
        if named is None:
            return
        score = held(k, col)
        for name, full in named:
            if full is None:
                cols[name] = score
            else:  # score ÷ full points, exactly
                bound = score.bound * full.denominator
                num = score.num if bound < SAFE else as_objects(score.num)
                cols[name] = IntColumn(num * full.denominator, score.den * full.numerator, bound)
        # Where it does not apply, the per-unit program reports the readers' error (it reads the
        # results before it asks whether a reader applies): those units go to it.
        send_back(cols, ~applicable[:, k])


def result_reads(plan: Plan, na_reads: set[str], unsupported: type[Exception]) -> ResultReads | None:
    """The plan's reads of other indicators' results (None: no rule reads one)."""
    return ResultReads(plan, na_reads, unsupported) if plan.result_order is not None else None


def ordered(
    results: ResultReads | None,
    cols: dict[str, Any],
    applicable: Any,
    held: Callable[[int, IntColumn], IntColumn],
) -> tuple[tuple[int, ...] | None, Callable[[int, IntColumn], None] | None]:
    """The order to score indicators in and what to do after each (None, None: no rule reads results);
    *held* holds indicator *k*'s column as its score is held."""
    if results is None:
        return None, None
    return results.order, partial(results.publish, cols=cols, applicable=applicable, held=held)
