"""``x ^ n`` as a column step: a power by a whole number as written, exact and bounded as the formula's.

The per-unit program (:mod:`perfrules.formula.compute`) takes ``x ^ n`` for a
whole ``n`` within ``LIMITS.max_exponent`` (else its error), refuses ``0 ^ n``
for a negative ``n`` as a division by 0, and stops a power past the number
limits before working it out (:func:`~perfrules.formula.compute.power_of`).
Over columns ``(p/D) ^ n`` is ``p^n / D^n``, and ``(p/D) ^ -n`` is ``D^n / p^n``,
a division by a column (:func:`~perfrules.scoring.colsteps.divide`: a base of
0 divides by 0, taken by a default for no data or the indicator's error). Where
a row's power could pass the limits, each such row is worked out by ``power_of``
itself: the rows it refuses are marked, the indicator's error there (worded by
its own step: :mod:`~perfrules.scoring.colfailures`). An exponent that is a
column (``x ^ 值``) is taken per row as the formula takes it: a row whose
exponent is not a whole number within ``LIMITS.max_exponent`` is marked
likewise, and the other rows
are worked out as above, once per distinct exponent, then put over one
denominator (however large, each row's value within the limits).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .._errors import NumberTooLargeError
from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import LIMITS
from ..formula.compute import power_of
from ..formula.tree import Node, Num, Percent, Power, Unary
from .colsteps import DIVISIONS, SEND_BACK, ZERO_DIVISOR, divide, send_back, shown

__all__ = ["compile_power"]


def _exponent(node: Node) -> Fraction | None:
    """The exponent as written (a number, signed or not), or None."""
    sign = 1
    while isinstance(node, Unary) and node.op in "+-":
        sign = -sign if node.op == "-" else sign
        node = node.operand
    return sign * Fraction(node.value) if isinstance(node, Num) else None


def compile_power(node: Power, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function of the batch's columns computing ``base ^ exponent`` (see the module's docstring);
    *unsupported*: what a form the columns do not take raises (every exponent compiles now).
    """
    exponent = _exponent(node.exponent)
    base = compile_node(node.base)
    # (0 to a negative power: the per-unit program's division by 0 names the exponent, colrecord)
    named = "100" if isinstance(node.exponent, Percent) else shown(node.exponent)
    if exponent is None:  # a column: per row (see the module's docstring)
        power = compile_node(node.exponent)

        def by_column(cols: dict[str, Any], n: int) -> IntColumn:
            col = base(cols, n)
            e = power(cols, n)
            _recorded(cols, named, col, e.num, e.den)
            return _by_rows(col, e, cols)

        return by_column

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        col = base(cols, n)
        assert exponent is not None
        _recorded(cols, named, col, exponent.numerator, exponent.denominator)
        return _power(col, exponent, cols)

    return run


def _recorded(cols: dict[str, Any], named: str, col: IntColumn, num: Any, den: int) -> None:
    """On a recording run (colrecord), where ``col ^ (num/den)`` divides by 0: a base of 0, a whole
    exponent below 0 within ``LIMITS.max_exponent`` (as a division by *named*)."""
    trail = cols.get(DIVISIONS)
    if trail is None:
        return
    np = numpy()
    whole = np.asarray(num % den == 0, dtype=bool) & np.asarray(
        abs(num) <= LIMITS.max_exponent * den, dtype=bool
    )
    zero = np.asarray(col.num == 0, dtype=bool) & np.asarray(num < 0, dtype=bool) & whole
    trail.append((named, zero))


def _power(col: IntColumn, exponent: Fraction, cols: dict[str, Any]) -> IntColumn:
    """``col ^ exponent`` for one exponent as written, rows refused marked on *cols*."""
    np = numpy()
    n = len(col.num)
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


def _by_rows(col: IntColumn, exponent: IntColumn, cols: dict[str, Any]) -> IntColumn:
    """``col ^ exponent`` row by row for an exponent that is a column: the rows of each distinct
    whole exponent worked out by :func:`_power`, put over one denominator; a row whose exponent the
    formula refuses is marked: the indicator's error there (0 in the column)."""
    np = numpy()
    n = len(col.num)
    refused = np.zeros(n, dtype=bool)
    groups: dict[int, list[int]] = {}
    for i, e in enumerate(exponent.num.tolist()):
        k = Fraction(int(e), exponent.den)
        if k.denominator != 1 or abs(k) > LIMITS.max_exponent:
            refused[i] = True
        else:
            groups.setdefault(int(k), []).append(i)
    send_back(cols, refused)
    pieces = []
    for whole, rows in groups.items():
        at = np.array(rows, dtype=np.int64)
        own: dict[str, Any] = {}
        if ZERO_DIVISOR in cols:  # (a default for no data takes a division by 0: coldefaults)
            own[ZERO_DIVISOR] = np.zeros(len(rows), dtype=bool)
        pieces.append((at, _power(IntColumn(col.num[at], col.den, col.bound), Fraction(whole), own)))
        if SEND_BACK in own:
            send_back(cols, np.isin(np.arange(n), at[own[SEND_BACK]]))
        if ZERO_DIVISOR in own:
            found = cols[ZERO_DIVISOR]
            found[at] |= own[ZERO_DIVISOR]  # in place: every copy of the scope shares the one array
    den = math.lcm(*(p.den for _, p in pieces)) if pieces else 1
    bound = max((p.bound * (den // p.den) for _, p in pieces), default=0)
    wide = bound >= SAFE
    num = np.zeros(n, dtype=object if wide else np.int64)
    for at, p in pieces:
        num[at] = (as_objects(p.num) if wide else p.num) * (den // p.den)
    # (Each row's power was held to the limits by _power; a denominator the rows' share past them is no
    # error: the column keeps it.)
    return IntColumn(num, den, bound)


def _within(col: IntColumn, k: int, cols: dict[str, Any]) -> Any:
    """*col*'s numerators, with 0 in the rows whose power ``power_of`` refuses (marked: the indicator's
    error there)."""
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
