"""Rules that read other indicators' results (指标1得分, 指标1得分率), for a batch's columns.

An indicator's rules may read another indicator's score (``指标<code>得分``) or
its share of its full points (``指标<code>得分率``); the per-unit program then
scores the indicators in dependency order (``Plan.result_order``) and gives each
rule the results before it. The column program does the same: it scores the
indicators' columns in that order and, once an indicator's column is held within
its limits (and rounded, with ``round_scores``) exactly as its score is, puts it
among the batch's columns under those names, for the columns after it to read.

Reads of another indicator's steps (``指标1·超额点数``) are columns worked out
before the indicators are scored (:mod:`perfrules.scoring.colstepreads`).
A share (得分率) is over the full points of each unit's category. An indicator
reported per period publishes its year's score (:mod:`~perfrules.scoring.colperiods`),
and a reader's period rows read the results of its unit, as the per-unit
program's period rows read the year's data beside it.

Where a result cannot be read — its indicator has no score (it does not apply,
or failed), its full points are 0, a step's value cannot be worked out — the
batch's :data:`ABSENT` says so per unit. Before a reader is scored, once all it
reads is published, the program decides it as the per-unit program does: where
one of its reads is absent, the reader does not apply where it does not by the
unit's data alone (:mod:`~perfrules.scoring.colabsent`), and elsewhere it is
marked as one the columns cannot work out (its own step words the read's error:
:mod:`~perfrules.scoring.colfailures`); where its reads are all there, its
not-applicable rules that read results (``when = "指标1得分<5"``) hold where
their columns say (:class:`Late`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import as_fraction
from .colabsent import AbsentRules
from .colapplies import late_stops, raised
from .colsteps import CATEGORY, SEND_BACK, send_back
from .plan import Plan

__all__ = ["ABSENT", "Late", "ResultReads", "na_now", "ordered", "result_reads"]

ABSENT = "\0results absent"
"""Where a batch's columns hold, per result name the rules read, the units where the per-unit program
cannot read it (bool arrays; see the module's docstring)."""


class ResultReads:
    """Which results a plan's rules read, and the order to score in (see the module's docstring)."""

    def __init__(
        self,
        plan: Plan,
        na_rules: Sequence[tuple[int, Any, Sequence[str]]],
        compile_node: Any,
        unsupported: type[Exception],
        words: frozenset[str] = frozenset(),
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
        assert plan.result_order is not None
        self.order: tuple[int, ...] = plan.result_order
        self.names = frozenset(names)
        # Called as hook(cols, n) after each score is published (colstepreads: steps reading scores).
        self.after: list[Callable[[dict[str, Any], int], None]] = []
        self.late = Late(plan, na_rules)  # not-applicable rules that read results
        results = plan.results.keys()
        self.absent = {  # … as the per-unit program asks them where the results are not there
            k: AbsentRules(plan.indicators[k], results, compile_node, unsupported, words)
            for k in self.late.of
        }
        self.readers = tuple(k for k in self.order if plan.result_reads[k])

    def publish(
        self,
        k: int,
        col: IntColumn,
        cols: dict[str, Any],
        applicable: Any,
        held: Callable[[int, IntColumn], IntColumn],
        failed: Any,
    ) -> None:
        """After indicator *k*'s column: its score (held as the per-unit program holds it) and share
        among *cols*, and where they cannot be read (:data:`ABSENT`: where it does not apply, or is
        marked as failed in *failed*, or its full points are 0)."""
        named = self.published.get(k)
        if named is None:
            return
        score = held(k, col)
        none = ~applicable[:, k] | failed[:, k]  # (no score)
        absent = cols.setdefault(ABSENT, {})
        for name, full in named:
            if full is None:
                cols[name], absent[name] = score, none
            else:
                cols[name], zero = _share(score, full, cols)
                absent[name] = none | zero
        for hook in self.after:
            hook(cols, len(applicable))

    def decide(self, k: int, cols: dict[str, Any], applicable: Any, start: Any, failures: Any) -> None:
        """Reader *k* decided before it is scored, once all it reads is among *cols* (see the module's
        docstring): whether it applies (in *applicable*; *start*: where it applies by name, weight and
        declaration), and the units whose reads are absent where it does (marked on *failures*)."""
        np = numpy()
        n = len(applicable)
        absent = cols[ABSENT]
        lack = np.zeros(n, dtype=bool)
        for name in self.plan.result_reads[k]:
            lack |= absent[name]
        holds = self.late.of.get(k)
        if holds is None:  # (its not-applicable rules read no result: worked out already)
            failures.mark(k, lack & applicable[:, k])
            return
        missing = start[:, k] & ~applicable[:, k]  # (its ``missing`` rules held: colmissing)
        scope = {c: v for c, v in cols.items() if c != SEND_BACK}
        found = holds(scope, n)
        applicable[:, k] &= ~(found & ~lack)
        sent = scope.get(SEND_BACK)
        if sent is not None:
            send_back(cols, sent & ~lack)
        failures.mark(k, raised(scope, self.plan.indicators[k], n) & start[:, k] & ~lack)  # (words)
        stopped = late_stops(cols, self.plan.indicators[k].code, absent, n)
        if stopped is not None:  # (at a cell that is not a plain number, before they decide)
            failures.mark(k, stopped & start[:, k])
        rows = lack & start[:, k]
        if rows.any():
            na, _ = self.absent[k].decide(cols, n, missing)
            applicable[:, k] = np.where(rows, ~na, applicable[:, k])
            failures.mark(k, rows & ~na)


def _share(score: IntColumn, fulls: list[Fraction], cols: dict[str, Any]) -> tuple[IntColumn, Any]:
    """*score* ÷ each row's full points (*fulls*: each category's, or one for all), exactly: with
    ``1/f = q/p`` and ``L`` the least common multiple of the ``p``, ``num × (q·L/p)`` over ``den × L``;
    and the rows whose full points are 0 (the per-unit program cannot read the share there)."""
    np = numpy()
    top = math.lcm(*(f.numerator for f in fulls if f))
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
    (a function of the batch's columns), worked out once what it reads is published."""

    def __init__(self, plan: Plan, rules: Sequence[tuple[int, Any, Sequence[str]]]) -> None:
        names = plan.results.keys()
        self.of = {k: holds for k, holds, read in rules if names & set(read)}
        self.indicators = frozenset(self.of)
        self.results = names


def result_reads(
    plan: Plan,
    na_rules: Sequence[tuple[int, Any, Sequence[str]]],
    compile_node: Any,
    unsupported: type[Exception],
    words: frozenset[str] = frozenset(),
) -> ResultReads | None:
    """The plan's reads of other indicators' results (None: no rule reads one); *na_rules*: per
    indicator with not-applicable rules, where they hold and what they read (colindicators);
    *compile_node*, *unsupported*: the program's compiler; *words*: the columns of words."""
    if plan.result_order is None:
        return None
    return ResultReads(plan, na_rules, compile_node, unsupported, words)


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
    the columns: :meth:`ResultReads.decide`); returns the data columns they read."""
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
    start: Any,
    failures: Any,
) -> tuple[tuple[int, ...] | None, Callable[[int, IntColumn], None] | None]:
    """The order to score indicators in and what to do after each (None, None: no rule reads results);
    *held* holds indicator *k*'s column as its score is held; *start*: where each indicator applies by
    name, weight and declaration; *failures*: the batch's (colfailures). Each reader is decided
    (:meth:`ResultReads.decide`) as soon as all it reads is among *cols* (those reading only steps
    that read no score at once), before it is scored."""
    if results is None:
        return None, None
    cols.setdefault(ABSENT, {})
    pending = list(results.readers)
    reads = results.plan.result_reads

    def settle() -> None:
        absent = cols[ABSENT]
        for k in list(pending):
            if reads[k] <= absent.keys():
                results.decide(k, cols, applicable, start, failures)
                pending.remove(k)

    settle()

    def then(k: int, col: IntColumn) -> None:
        assert k not in pending, f"indicator {k} scored before all it reads was published"
        results.publish(k, col, cols, applicable, held, failures.mask)
        if pending:
            settle()

    return results.order, then
