"""Formula functions as column steps: ``clamp``, ``min``, ``max``, ``abs``, ``sum`` over exact columns.

The per-unit program's functions (:mod:`perfrules.formula.compute`) compare
and add exact numbers; over columns each argument is an exact column and the
result is picked or added per row over one shared denominator, so a value
equal to a bound is the bound, exactly as there. ``clamp(x, lo, hi)`` with
``lo > hi`` is the per-unit program's error: those rows are left to it.
"""

from __future__ import annotations

import math
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from ..formula.tree import Call
from .colsteps import send_back

__all__ = ["compile_call"]

_FUNCTIONS = ("clamp", "min", "max", "abs", "sum")


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
    np = numpy()
    args = [compile_node(a) for a in node.args]
    func = node.func

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        nums, den, bound = _common([fn(cols, n) for fn in args])
        if func == "abs":
            (x,) = nums
            return IntColumn(abs(x), den, bound)
        if func == "sum":
            total = nums[0]
            for x in nums[1:]:
                total = total + x
            return IntColumn(total, den, bound * len(nums))
        if func == "clamp":
            x, lo, hi = nums
            send_back(cols, np.asarray(lo > hi, dtype=bool))
            return IntColumn(np.where(x < lo, lo, np.where(x > hi, hi, x)), den, bound)
        found = nums[0]
        for x in nums[1:]:
            found = np.where(x < found, x, found) if func == "min" else np.where(x > found, x, found)
        return IntColumn(found, den, bound)

    return run
