"""Rules that read other indicators' results (指标1得分, 指标1得分率), for a batch's columns.

An indicator's rules may read another indicator's score (``指标<code>得分``) or
its share of its full points (``指标<code>得分率``); the per-unit program then
scores the indicators in dependency order (``Plan.result_order``) and gives each
rule the results before it. The column program does the same: it scores the
indicators' columns in that order and, once an indicator's column is held within
its limits (and rounded, with ``round_scores``) exactly as its score is, puts it
among the batch's columns under those names, for the columns after it to read.

A unit where a read indicator does not apply has no score to read (nor a share
where its full points are 0): the per-unit program then reports the error of
each indicator reading it, unless the reader does not apply by what the unit's
data alone says (:func:`perfrules.scoring.indstep.indicator_step`). The column
program marks those readers for those units (the ``blame`` hook:
:mod:`~perfrules.scoring.colfailures` words the error by the reader's own step,
and sends the unit to the per-unit program where the step does not raise) —
where a reader applies by its name, weight and not-applicable rules that read
no results, as before any result is read — and leaves the rows without the
value under :data:`MISSING` for the steps that read it in turn
(:mod:`~perfrules.scoring.colstepreads`); the total's rules that read it find it
missing by their own columns (:mod:`~perfrules.scoring.coltotalrules`). Reads of
another indicator's steps (``指标1·超额点数``) are columns worked out before the
indicators are scored (:mod:`perfrules.scoring.colstepreads`).
A share (得分率) is over the full points of each unit's category. An indicator
reported per period publishes its year's score (:mod:`~perfrules.scoring.colperiods`),
and a reader's period rows read the results of its unit, as the per-unit
program's period rows read the year's data beside it. A reader's
not-applicable rules that read results (``when = "指标1得分<5"``) are
worked out once every result they read is among the columns — after the last
indicator they read is published, before the reader is scored, as the
per-unit program asks whether a reader applies once it has read the results
before it (:class:`Late`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import partial
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import as_fraction
from .colapplies import compile_data_alone
from .colsteps import CATEGORY
from .plan import Plan

__all__ = ["MISSING", "Late", "ResultReads", "na_now", "ordered", "result_reads"]

MISSING = "\0results missing"
"""Where a batch's columns hold, per published result name, the units without that value (bool arrays)."""


class ResultReads:
    """Which results a plan's rules read, and the order to score in (see the module's docstring)."""

    def __init__(
        self,
        plan: Plan,
        na_rules: Sequence[tuple[int, Any, Sequence[str]]] = (),
        compiler: tuple[Any, type[Exception], frozenset[str]] | None = None,
    ) -> None:
        self.plan = plan
        names: set[str] = set().union(*plan.result_reads)
        keys = plan.scheme.categories or (None,)
        # Per read indicator: the names it is read by, and its full points (for 得分率).
        self.published: dict[int, list[tuple[str, list[Fraction] | None]]] = {}
        for name in sorted(names):
            code, step = plan.results[name]
            if step is not None:  # a step's value: a column of its own (colstepreads)
                continue
            k = plan.index[code]
            full = None
            if name.endswith("得分率"):  # each category's full points (one where they are all the same)
                full = [as_fraction(plan.indicators[k].full(c)) for c in keys]
                full = full[:1] if len(set(full)) == 1 else full
            self.published.setdefault(k, []).append((name, full))
        published = frozenset(name for named in self.published.values() for name, _ in named)
        assert plan.result_order is not None
        self.order: tuple[int, ...] = plan.result_order
        self.names = frozenset(names)
        # Called as hook(cols, n) after each score is published (colstepreads: steps reading scores).
        self.after: list[Callable[[dict[str, Any], int], None]] = []
        self.late = Late(plan, na_rules)  # not-applicable rules that read results
        results = frozenset(plan.results)
        late = self.late.indicators if compiler is not None else frozenset()
        # Per indicator reading scores: those names, and where its not-applicable rules that read
        # results hold on its data alone (colapplies.compile_data_alone; None: no such rules).
        self.readers = [
            (
                j,
                sorted(reads & published),
                _alone(plan.indicators[j], results, compiler) if j in late else None,
            )
            for j, reads in enumerate(plan.result_reads)
            if reads & published
        ]

    def publish(
        self,
        k: int,
        col: IntColumn,
        cols: dict[str, Any],
        applicable: Any,
        held: Callable[[int, IntColumn], IntColumn],
    ) -> None:
        """After indicator *k*'s column: its score (held as the per-unit program holds it) and share
        among *cols*, and the units without such a value left under :data:`MISSING`."""
        named = self.published.get(k)
        if named is None:
            return
        score = held(k, col)
        missing = cols.setdefault(MISSING, {})
        for name, full in named:
            lacking = ~applicable[:, k]  # (no score: the reader's step raises on reading it)
            if full is None:
                cols[name] = score
            else:
                cols[name], zero = _share(score, full, cols)
                lacking = lacking | zero  # (no points: its share cannot be read either)
            missing[name] = lacking
        for hook in self.after:
            hook(cols, len(applicable))

    def blame_readers(self, cols: dict[str, Any], blame: Callable[[int, Any], None]) -> None:
        """Once every indicator is scored: each reader blamed (``blame(j, rows)``) where a score or share
        it reads is missing (:data:`MISSING`, taken off *cols*) and it applies there as far as the unit's
        data tells — by its name, weight and not-applicable rules that read no results (as before any
        result was read: :func:`ordered`), and not where its rules that read results hold on the data
        alone (:func:`~perfrules.scoring.colapplies.compile_data_alone`): the per-unit program's step
        raises there, which :mod:`~perfrules.scoring.colfailures` confirms."""
        missing = cols.pop(MISSING, None)
        before = cols.pop(_BEFORE, None)
        if not missing or before is None:
            return
        n = len(before)
        for j, names, alone in self.readers:
            lacking = None
            for name in names:
                if name in missing:
                    lacking = missing[name] if lacking is None else lacking | missing[name]
            if lacking is None:
                continue
            rows = lacking & before[:, j]
            if alone is not None and rows.any():
                rows &= ~alone(cols, n)
            blame(j, rows)


def _alone(ind: Any, results: frozenset[str], compiler: Any) -> Any:
    """Where *ind*'s not-applicable rules hold on its data alone (:func:`~perfrules.scoring.colapplies.
    compile_data_alone`), compiled by *compiler* (see :func:`result_reads`)."""
    compile_node, unsupported, words = compiler
    return compile_data_alone(ind, results, compile_node=compile_node, unsupported=unsupported, words=words)


_BEFORE = "\0applicable before results"  # (the batch's applicability before any result is read: ordered)


def _share(score: IntColumn, fulls: list[Fraction], cols: dict[str, Any]) -> tuple[IntColumn, Any]:
    """*score* ÷ each row's full points (*fulls*: each category's, or one for all), exactly: with
    ``1/f = q/p`` and ``L`` the least common multiple of the ``p``, ``num × (q·L/p)`` over ``den × L``;
    and the rows whose full points are 0 (no share: the per-unit program reports its readers)."""
    np = numpy()
    top = math.lcm(1, *(f.numerator for f in fulls if f))
    factors = [f.denominator * (top // f.numerator) if f else 0 for f in fulls]
    bound = score.bound * max(factors)
    num = score.num if bound < SAFE and score.num.dtype != object else as_objects(score.num)
    if len(factors) == 1:
        return IntColumn(num * factors[0], score.den * top, bound), np.full(len(num), not factors[0])
    category = cols[CATEGORY]
    table = np.array(factors, dtype=np.int64 if max(factors) < SAFE else object)[category]
    return IntColumn(num * table, score.den * top, bound), np.asarray(table == 0, dtype=bool)


class Late:
    """Not-applicable rules that read other indicators' results: per indicator, where its rules hold
    (a function of the batch's columns) and the results they read."""

    def __init__(self, plan: Plan, rules: Sequence[tuple[int, Any, Sequence[str]]]) -> None:
        names = plan.results.keys()
        self.rules = [(k, holds, frozenset(read) & names) for k, holds, read in rules if names & set(read)]
        self.indicators = frozenset(k for k, _, _ in self.rules)
        self.results = names

    def settle(
        self, pending: list[tuple[int, Any, frozenset[str]]], cols: dict[str, Any], applicable: Any
    ) -> None:
        """Each rule of *pending* whose results are all among *cols*: its indicator made not applicable
        where it holds (in *applicable*), and taken off *pending*."""
        n = len(applicable)
        for rule in list(pending):
            k, holds, needs = rule
            if all(name in cols for name in needs):
                applicable[:, k] &= ~holds(cols, n)
                pending.remove(rule)


def result_reads(
    plan: Plan,
    na_rules: Sequence[tuple[int, Any, Sequence[str]]] = (),
    compiler: tuple[Any, type[Exception], frozenset[str]] | None = None,
) -> ResultReads | None:
    """The plan's reads of other indicators' results (None: no rule reads one); *na_rules*: per
    indicator with not-applicable rules, where they hold and what they read (colindicators);
    *compiler*: the program's compiler, the exception it raises for a form it does not take, and the
    columns of words (the readers' not-applicable rules on their data alone are compiled by it:
    :func:`~perfrules.scoring.colapplies.compile_data_alone`)."""
    return ResultReads(plan, na_rules, compiler) if plan.result_order is not None else None


def na_now(
    results: ResultReads | None,
    k: int,
    holds: Any,
    names: tuple[str, ...],
    cols: dict[str, Any],
    applicable: Any,
) -> tuple[str, ...]:
    """Indicator *k*'s not-applicable rules (where they hold: *holds*; what they read: *names*) worked
    out now (in *applicable*), unless they read other indicators' results (then once those are among
    the columns: :class:`Late`); returns the data columns they read."""
    late = results.late if results is not None else None
    if late is not None and k in late.indicators:
        return tuple(name for name in names if name not in late.results)
    applicable[:, k] &= ~holds(cols, len(applicable))
    return names


def ordered(
    results: ResultReads | None,
    cols: dict[str, Any],
    applicable: Any,
    held: Callable[[int, IntColumn], IntColumn],
) -> tuple[tuple[int, ...] | None, Callable[[int, IntColumn], None] | None]:
    """The order to score indicators in and what to do after each (None, None: no rule reads results);
    *held* holds indicator *k*'s column as its score is held. The not-applicable rules that read
    results are each worked out as soon as what they read is among *cols* (those reading only other
    indicators' steps at once); the applicability before them is kept for
    :meth:`ResultReads.blame_readers`."""
    if results is None:
        return None, None
    cols[_BEFORE] = applicable.copy()  # (whether a reader applies as far as its data tells: indstep)
    publish = partial(results.publish, cols=cols, applicable=applicable, held=held)
    late = results.late
    if not late.rules:
        return results.order, publish
    pending = list(late.rules)
    late.settle(pending, cols, applicable)

    def then(k: int, col: IntColumn) -> None:
        publish(k, col)
        if pending:
            late.settle(pending, cols, applicable)

    return results.order, then
