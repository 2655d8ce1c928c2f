"""Bonuses and deductions (``adjust`` policies) on an indicator's score as a column step.

The per-unit program adjusts an indicator's score after grading it
(:func:`perfrules.scoring.policies.adjust`, with
:func:`~perfrules.scoring.policies.adjustment` for each policy): each counted
item adds ``count × points``; of a matter's items (``matters``, 同一事项按最高级别计一次)
only the one with the most points in size that the unit has counts, once; the
policy's change is limited to ``cap`` in size (a number, or a formula worked
out on the unit's values, the indicator's steps and ``分值``) where something
was counted; then the score is held within the indicator's limits (0 for
扣完为止). All of it is plain arithmetic, and over columns it is the same
arithmetic on exact columns: :func:`compile_adjusts` gives each row's change.
A cap formula that gives a negative number where something was counted is the
per-unit program's error: those rows are sent back to it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import as_fraction
from ..formula.language import Formula
from ..scheme.policies import Adjust
from .colsteps import send_back
from .indicator import IndicatorPlan

__all__ = ["adjust_reads", "compile_adjusts", "constant", "over", "times", "total"]


def constant(value: Fraction, n: int) -> IntColumn:
    """A column holding *value* in every row."""
    np = numpy()
    wide = abs(value.numerator) >= SAFE
    num = np.full(n, value.numerator if not wide else 0, dtype=object if wide else np.int64)
    if wide:
        num[:] = value.numerator
    return IntColumn(num, value.denominator, abs(value.numerator))


def times(col: IntColumn, factor: Fraction) -> IntColumn:
    """``col × factor``, exactly."""
    bound = col.bound * abs(factor.numerator)
    num = col.num if bound < SAFE and col.num.dtype != object else as_objects(col.num)
    return IntColumn(num * factor.numerator, col.den * factor.denominator, bound)


def total(cols: list[IntColumn], n: int) -> IntColumn:
    """The rows' sums of *cols* over one denominator (a column of 0s for none)."""
    if not cols:
        return constant(Fraction(0), n)
    if len(cols) == 1:
        return cols[0]
    den = math.lcm(*(c.den for c in cols))
    bound = sum(c.bound * (den // c.den) for c in cols)
    wide = bound >= SAFE or any(c.num.dtype == object for c in cols)
    out: Any = None
    for c in cols:
        num = as_objects(c.num) if wide else c.num
        factor = den // c.den
        scaled = num * factor if factor != 1 else num
        out = scaled if out is None else out + scaled
    return IntColumn(out, den, bound)


def over(a: IntColumn, b: IntColumn) -> tuple[Any, Any, int, int]:
    """Both columns' numerators over one denominator (Python integers where they could outgrow int64)."""
    den = math.lcm(a.den, b.den)
    fa, fb = den // a.den, den // b.den
    bound = max(a.bound * fa, b.bound * fb)
    wide = bound >= SAFE or a.num.dtype == object or b.num.dtype == object
    x = as_objects(a.num) if wide else a.num
    y = as_objects(b.num) if wide else b.num
    return (x * fa if fa != 1 else x), (y * fb if fb != 1 else y), den, bound


def adjust_reads(ind: IndicatorPlan) -> set[str]:
    """The names the indicator's adjustments read: counted items, and what cap formulas read."""
    found: set[str] = set()
    for policy in ind.adjusts:
        found |= {name for name, _ in policy.terms}
        if isinstance(policy.cap, Formula):
            found |= policy.cap.variables
    return found


def _one(policy: Adjust, cap_fn: Any) -> Any:
    """A function of the scope's columns giving the policy's change per row (*cap_fn*: its cap formula
    compiled; None for a fixed cap, or for a cap reading a population value, which the per-unit
    program's scope there does not hold: its error wherever the policy counts something)."""
    absent = isinstance(policy.cap, Formula) and bool(policy.cap.population_calls)
    np = numpy()
    terms = [(name, as_fraction(points)) for name, points in policy.terms]
    matter_of = policy.matter_of if policy.matters else {}
    plain = [(name, p) for name, p in terms if name not in matter_of]
    matters: dict[str, list[tuple[str, Fraction]]] = {}
    for name, p in terms:
        if name in matter_of:
            matters.setdefault(matter_of[name], []).append((name, p))
    # Of a matter's items the unit has, the first with the most points in size (as max() picks it).
    ordered = {m: sorted(items, key=lambda item: -abs(item[1])) for m, items in matters.items()}
    cap = policy.cap
    fixed = as_fraction(cap) if cap is not None and not isinstance(cap, Formula) else Fraction(0)

    def run(scope: dict[str, Any], n: int) -> tuple[IntColumn, Any]:
        counted = np.zeros(n, dtype=bool)
        parts = []
        for name, p in plain:
            col = scope[name]
            counted |= np.asarray(col.num != 0, dtype=bool)
            parts.append(times(col, p))
        for items in ordered.values():
            den = math.lcm(*(p.denominator for _, p in items))
            bound = max(abs(p.numerator) * (den // p.denominator) for _, p in items)
            num = np.zeros(n, dtype=np.int64 if bound < SAFE else object)
            done = np.zeros(n, dtype=bool)
            for name, p in items:
                hit = np.asarray(scope[name].num != 0, dtype=bool) & ~done
                num[hit] = p.numerator * (den // p.denominator)
                done |= hit
            counted |= done
            parts.append(IntColumn(num, den, bound))
        change = total(parts, n)
        if cap is None or not counted.any():
            return change, counted
        if absent:  # (the cap's population value: no value where it is read)
            send_back(scope, counted)
            return change, counted
        limit = cap_fn(scope, n) if cap_fn is not None else constant(fixed, n)
        x, c, den, bound = over(change, limit)
        send_back(scope, np.asarray(c < 0, dtype=bool) & counted)  # the per-unit program's error
        x = np.where(counted & (x > c), c, np.where(counted & (x < -c), -c, x))
        return IntColumn(x, den, bound), counted

    return run


def compile_adjusts(ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function of the scope's columns (the unit's data, the indicator's steps and ``分值``) giving
    the change the indicator's adjustments make per row, before the score is held within its limits,
    and where one of them counted something (only there is the score held again).

    Raises:
        unsupported: a cap formula that does not compile.
    """
    fns = []
    for policy in ind.adjusts:
        cap_fn = None
        if isinstance(policy.cap, Formula) and not policy.cap.population_calls:
            try:
                cap_fn = compile_node(policy.cap.tree)
            except unsupported as exc:
                text = policy.cap.text
                raise unsupported(f"indicator {ind.code}'s adjustment cap '{text}': {exc}") from None
        fns.append(_one(policy, cap_fn))

    def run(scope: dict[str, Any], n: int) -> tuple[IntColumn, Any]:
        changes = []
        counted = numpy().zeros(n, dtype=bool)
        for fn in fns:
            change, where = fn(scope, n)
            changes.append(change)
            counted |= where
        return total(changes, n), counted

    return run
