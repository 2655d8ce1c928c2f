"""Formula functions as column steps: ``clamp``, ``min``, ``max``, ``abs``, ``sum``, ``floor``, ``if`` ….

The functions: ``clamp``, ``min``, ``max``, ``abs``, ``sum``, ``avg``, ``floor``, ``ceil``,
``trunc``, ``round``, ``if`` and ``count``, over exact columns.

The per-unit program's functions (:mod:`perfrules.formula.compute`) compare
and add exact numbers; over columns each argument is an exact column and the
result is picked or added per row over one shared denominator, so a value
equal to a bound is the bound, exactly as there. ``clamp(x, lo, hi)`` with
``lo > hi`` is the per-unit program's error: those rows are marked (the indicator's error,
worded by its own step).
``floor``/``ceil``/``trunc`` of ``p/D`` are integer divisions of ``p`` by ``D``;
``round(x, n)`` (``n`` a literal whole number: 2, +2, 200%) rounds half up, as the
per-unit program does. ``if(condition, a, b)`` is ``a`` where the condition
(:mod:`perfrules.scoring.colconds`) holds and ``b`` elsewhere: both are worked
out over the whole column, but what each cannot work out (a value past the
limits, a division by 0 — or the default for no data that takes it) counts only
in the rows that take it, as the per-unit program works out only the branch it
takes. ``count(c₁, c₂, …)`` (每达标一项得5分: ``count(a≥90, b≥90)×5``) is the
number of its conditions that hold per row, a whole number. A division by 0 in
a condition of either is the default for no data where the indicator has one
(the per-unit program takes a division by 0 anywhere in the formula), else the
indicator's error.
"""

from __future__ import annotations

import math
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy, round_half_up_column
from ..formula.tree import Call, Name, literal_value
from .colconds import compile_condition
from .colread import read_name
from .colsteps import SEND_BACK, ZERO_DIVISOR, send_back
from .coltruth import TruthColumn, as_number, is_condition, merged, of_condition

__all__ = ["CROSSINGS_FOLLOWED", "compile_call", "compile_value"]

CROSSINGS_FOLLOWED = "\0crossings followed"
"""Among a batch's columns where an indicator's default for no data follows where each ``clamp()``'s
bounds are crossed (:func:`perfrules.scoring.colfollow.crossings_followed`): its rows are not marked
here, :mod:`~perfrules.scoring.coldefaults` marks those where the crossing comes first."""

_FUNCTIONS = ("clamp", "min", "max", "abs", "sum", "avg", "floor", "ceil", "trunc", "round", "if", "count")


def _common(cols: list[IntColumn]) -> tuple[list[Any], int, int]:
    """The columns' numerators over one denominator, and that denominator and bound."""
    den = math.lcm(*(c.den for c in cols))
    bound = max(c.bound * (den // c.den) for c in cols)
    wide = bound * len(cols) >= SAFE or any(c.num.dtype == object for c in cols)
    out = []
    for c in cols:
        num = as_objects(c.num) if wide else c.num
        factor = den // c.den
        out.append(num * factor if factor != 1 else num)
    return out, den, bound


def compile_call(node: Call, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function of the batch's columns computing the call *node* (see the module's docstring).

    Raises:
        unsupported: another function.
    """
    if node.func not in _FUNCTIONS:
        raise unsupported(f"the function {node.func}()")
    if node.func == "if":  # (a branch's truth value where a number is needed: coltruth)
        raw = _compile_if(node, compile_node, unsupported)
        return lambda cols, n: as_number(raw(cols, n), cols)
    if node.func == "count":
        return _compile_count(node, compile_node, unsupported)
    if node.func in ("floor", "ceil", "trunc", "round"):
        return _compile_rounding(node, compile_node, unsupported)
    np = numpy()
    args = [compile_node(a) for a in node.args]
    func = node.func

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        nums, den, bound = _common([fn(cols, n) for fn in args])
        if func == "abs":
            (x,) = nums
            return IntColumn(abs(x), den, bound)
        if func in ("sum", "avg"):
            total = nums[0]
            for x in nums[1:]:
                total = total + x
            if func == "avg":  # the exact mean: the sum over len(nums) times the denominator
                return IntColumn(total, den * len(nums), bound * len(nums))
            return IntColumn(total, den, bound * len(nums))
        if func == "clamp":
            x, lo, hi = nums
            if CROSSINGS_FOLLOWED not in cols:
                send_back(cols, np.asarray(lo > hi, dtype=bool))
            return IntColumn(np.where(x < lo, lo, np.where(x > hi, hi, x)), den, bound)
        found = nums[0]
        for x in nums[1:]:
            found = np.where(x < found, x, found) if func == "min" else np.where(x > found, x, found)
        return IntColumn(found, den, bound)

    return run


def _compile_rounding(node: Call, compile_node: Any, unsupported: type[Exception]) -> Any:
    """``floor``, ``ceil``, ``trunc`` and ``round(x, n)`` of a column, exactly."""
    np = numpy()
    func = node.func
    # The places as the per-unit program takes them: a literal (signed, or a percentage: +2, 200%),
    # which the parser holds to a whole number 0–20.
    places = int(literal_value(node.args[1]) or 0) if func == "round" and len(node.args) == 2 else 0
    arg = compile_node(node.args[0])

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        col = arg(cols, n)
        num, den = col.num, col.den
        if func == "round":
            scale = 10**places
            return IntColumn(round_half_up_column(num, den, places), scale, col.bound * scale // den + 1)
        bound = col.bound // den + 1
        if den == 1:
            return IntColumn(num, 1, col.bound)
        down = num // den  # floor, for either sign
        if func == "ceil":
            found = -((-num) // den)
        elif func == "trunc":
            found = np.where(num < 0, -((-num) // den), down)
        else:
            found = down
        return IntColumn(found, 1, bound)

    return run


def compile_value(node: Any, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function of the batch's columns computing *node* as a value that may be a truth value (a step's
    value: :class:`~perfrules.scoring.coltruth.TruthColumn`): a condition, a name read as it is, an
    ``if(…)`` with its branches so; any other form by *compile_node*."""
    if is_condition(node):
        condition = compile_condition(node, compile_node, unsupported, strict=True)
        return lambda cols, n: of_condition(condition(cols, n), n)
    if isinstance(node, Name):
        return read_name(node.name)
    if isinstance(node, Call) and node.func == "if":
        return _compile_if(node, compile_node, unsupported)
    return compile_node(node)


def _compile_if(node: Call, compile_node: Any, unsupported: type[Exception]) -> Any:
    """``if(condition, a, b)`` per row (see the module's docstring); a branch may be a truth value."""
    np = numpy()
    condition = compile_condition(node.args[0], compile_node, unsupported, strict=True)
    then = compile_value(node.args[1], compile_node, unsupported)
    other = compile_value(node.args[2], compile_node, unsupported)

    def run(cols: dict[str, Any], n: int) -> IntColumn | TruthColumn:
        own = {k: v for k, v in cols.items() if k != ZERO_DIVISOR and k != SEND_BACK}
        zero = cols.get(ZERO_DIVISOR)
        # (a division by 0 in the condition: the default for no data takes it where there is one)
        tested = own if zero is None else {**own, ZERO_DIVISOR: zero}
        holds = condition(tested, n)
        if SEND_BACK in tested:  # (where the condition raises: marked on the scope it was given)
            send_back(cols, tested.pop(SEND_BACK))
        found = []
        for branch, rows in ((then, holds), (other, ~holds)):
            # Each branch's rows are the ones the per-unit program works it out for: what it sends
            # back, or the division by 0 a default for no data takes, counts there only.
            scope = dict(own) if zero is None else {**own, ZERO_DIVISOR: np.zeros(n, dtype=bool)}
            found.append(branch(scope, n))
            if SEND_BACK in scope:
                send_back(cols, scope[SEND_BACK] & rows)
            if zero is not None:
                zero |= scope[ZERO_DIVISOR] & rows  # in place: every copy of the scope shares it
        if any(isinstance(f, TruthColumn) for f in found):
            return merged(holds, found[0], found[1], _common)
        nums, den, bound = _common(found)
        return IntColumn(np.where(holds, nums[0], nums[1]), den, bound)

    return run


def _compile_count(node: Call, compile_node: Any, unsupported: type[Exception]) -> Any:
    """``count(c₁, c₂, …)`` per row: how many of the conditions hold (see the module's docstring)."""
    np = numpy()
    conditions = [compile_condition(a, compile_node, unsupported, strict=True) for a in node.args]
    most = len(conditions)

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        own = {k: v for k, v in cols.items() if k != ZERO_DIVISOR and k != SEND_BACK}
        if ZERO_DIVISOR in cols:  # (a division by 0 in a condition: the default for no data takes it)
            own[ZERO_DIVISOR] = cols[ZERO_DIVISOR]
        found = np.zeros(n, dtype=np.int64)
        for condition in conditions:
            found += np.asarray(condition(own, n), dtype=np.int64)
        if SEND_BACK in own:
            send_back(cols, own[SEND_BACK])
        return IntColumn(found, 1, most)

    return run
