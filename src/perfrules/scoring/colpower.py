"""``x ^ n`` as a column step: a power by a whole number as written, exact and bounded as the formula's.

The per-unit program (:mod:`perfrules.formula.compute`) takes ``x ^ n`` for a
whole ``n`` within ``LIMITS.max_exponent`` (else its error), refuses ``0 ^ n``
for a negative ``n`` as a division by 0, and stops a power past the number
limits before working it out (:func:`~perfrules.formula.compute.power_of`).
Over columns ``(p/D) ^ n`` is ``p^n / D^n``, and ``(p/D) ^ -n`` is ``D^n / p^n``,
a division by a column (:func:`~perfrules.scoring.colsteps.divide`: a base of
0 divides by 0, taken by a default for no data or sent back). Where a row's
power could pass the limits, each such row is worked out by ``power_of``
itself: the rows it refuses are sent back to the per-unit program, which says
so. An exponent that is not a number as written (a data value) does not compile.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .._errors import NumberTooLargeError
from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import LIMITS
from ..formula.compute import power_of
from ..formula.tree import Node, Num, Power, Unary
from .colsteps import divide, send_back

__all__ = ["compile_power"]


def _exponent(node: Node) -> Fraction | None:
    """The exponent as written (a number, signed or not), or None."""
    sign = 1
    while isinstance(node, Unary) and node.op in "+-":
        sign = -sign if node.op == "-" else sign
        node = node.operand
    return sign * Fraction(node.value) if isinstance(node, Num) else None


def compile_power(node: Power, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function of the batch's columns computing ``base ^ exponent`` (see the module's docstring).

    Raises:
        unsupported: an exponent that is not a number as written.
    """
    exponent = _exponent(node.exponent)
    if exponent is None:
        raise unsupported("a power whose exponent is not a number as written")
    base = compile_node(node.base)

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        np = numpy()
        col = base(cols, n)
        if exponent.denominator != 1 or abs(exponent) > LIMITS.max_exponent:
            send_back(cols, np.ones(n, dtype=bool))  # the per-unit program's error, on every row
            return IntColumn(np.zeros(n, dtype=np.int64), 1, 0)
        k = int(exponent)
        m = abs(k)
        num = col.num
        if max(col.bound.bit_length(), col.den.bit_length()) * m > LIMITS.max_bits:
            num = _within(col, k, cols)  # rows whose power could pass the limits: each one checked
        bound = col.bound**m
        if bound >= SAFE and num.dtype != object:
            num = as_objects(num)
        power = IntColumn(num**m if m else np.ones(n, dtype=np.int64), col.den**m, bound)
        if k >= 0:
            return power
        return divide(IntColumn(np.ones(n, dtype=np.int64), 1, 1), power, cols)

    return run


def _within(col: IntColumn, k: int, cols: dict[str, Any]) -> Any:
    """*col*'s numerators, with 0 in the rows whose power ``power_of`` refuses (those sent back)."""
    np = numpy()
    num = as_objects(col.num).copy()
    refused = np.zeros(len(num), dtype=bool)
    for i, p in enumerate(num.tolist()):
        if k < 0 and not p:
            continue  # (a division by 0: divide() decides)
        try:
            power_of(Fraction(int(p), col.den), k)
        except NumberTooLargeError:
            refused[i] = True
            num[i] = 0
    send_back(cols, refused)
    return num
