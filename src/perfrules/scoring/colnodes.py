"""A formula's tree compiled to a column step: ``+ - × ÷``, ``^``, ``%`` and unary minus over integer columns.

:func:`compile_node` turns a formula's tree into a function of a batch's
columns (``fn(cols, n)``) that gives an :class:`~perfrules._intcols.IntColumn`:
exact numerators over one denominator, moved to Python integers where they
could outgrow 64 bits. Functions (``clamp`` …) are :mod:`~perfrules.scoring.colfuncs`';
powers :mod:`~perfrules.scoring.colpower`'; division by a column :mod:`~perfrules.scoring.colsteps`'.
A form it does not take raises :class:`Unsupported`, which the column program turns into ``Plan.program_why``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .._intcols import SAFE as _SAFE
from .._intcols import IntColumn as _Col
from .._intcols import as_objects as _objects
from .._intcols import numpy
from .._numbers import LIMITS
from ..formula.tree import Call, Chain, Name, Node, Num, Percent, Power, Unary
from . import colfuncs, colpower, colsteps
from .coldot import scaled as _scaled
from .colread import read_name
from .coltruth import TruthColumn, as_number, is_condition

__all__ = ["Unsupported", "compile_node"]


def _const(value: Fraction, n: int) -> _Col:
    np = numpy()
    num = np.full(n, value.numerator, dtype=np.int64 if abs(value.numerator) < _SAFE else object)
    return _Col(num, value.denominator, abs(value.numerator))


def _add(a: _Col, b: _Col, sign: int) -> _Col:
    den = math.lcm(a.den, b.den)
    an, ab = _scaled(a, den)
    bn, bb = _scaled(b, den)
    bound = ab + bb
    if bound >= _SAFE:
        an, bn = _objects(an), _objects(bn)
    return _Col(an + bn if sign > 0 else an - bn, den, bound)


def _mul(a: _Col, b: _Col) -> _Col:
    bound = a.bound * b.bound
    an, bn = a.num, b.num
    if bound >= _SAFE:
        an, bn = _objects(an), _objects(bn)
    return _Col(an * bn, a.den * b.den, bound)


def _reduce(col: _Col) -> _Col:
    """The column over a smaller denominator when every numerator allows it (keeps numbers small)."""
    den = col.den
    if den == 1 or not len(col.num):
        return col
    np = numpy()
    g = (
        math.gcd(den, int(np.gcd.reduce(col.num)))
        if col.num.dtype != object
        else colsteps.gcd_all(col.num, den)
    )
    if g <= 1:
        return col
    num = col.num if g < _SAFE else _objects(col.num)  # (g is den itself where every value is 0)
    return _Col(num // g, den // g, col.bound // g)


class Unsupported(Exception):
    """A form the column program does not compile (the per-unit program scores the scheme)."""


def compile_node(node: Node) -> Any:
    """A function of the batch's columns computing *node*, or Unsupported."""
    if isinstance(node, Num):
        value = Fraction(node.value)
        return lambda cols, n: _const(value, n)
    if isinstance(node, Name):  # (a step's truth value where a number is needed: coltruth)
        read = read_name(node.name)  # (a population value the unit lacks: marked where read, colread)
        return lambda cols, n: as_number(read(cols, n), cols)
    if is_condition(node):  # a truth value where a number is needed: the per-unit program raises
        value = colfuncs.compile_value(node, compile_node, Unsupported)
        return lambda cols, n: as_number(value(cols, n), cols)
    if isinstance(node, Percent):
        inner = compile_node(node.operand)
        return lambda cols, n: _scale_den(inner(cols, n), 100)
    if isinstance(node, Unary) and node.op in "+-":
        inner = compile_node(node.operand)
        if node.op == "+":
            return inner

        def negate(cols: Any, n: int) -> _Col:
            col = inner(cols, n)
            return _Col(-col.num, col.den, col.bound)

        return negate
    if isinstance(node, Power):  # x ^ n, n a whole number as written (colpower)
        power = colpower.compile_power(node, compile_node, Unsupported)
        return lambda cols, n: _guarded(power(cols, n), cols)
    if isinstance(node, Call):  # clamp, min, max, abs, sum (colfuncs)
        return colfuncs.compile_call(node, compile_node, Unsupported)
    if isinstance(node, Chain):
        fn = _raw(node.first)
        for op, operand in node.rest:
            fn = _step(fn, op, operand)
        return fn
    raise Unsupported(type(node).__name__)


def _scale_den(col: _Col, by: int) -> _Col:
    return _Col(col.num, col.den * by, col.bound)


def _guarded(col: _Col, cols: dict[str, Any]) -> _Col:
    """The column, marking the units where it is past ``perfrules.LIMITS`` (``|x| < 10**max_digits``,
    and a fraction within ``max_bits``: :func:`~perfrules.scoring.colsteps.within_bits`): the per-unit
    program stops there with its error, which the indicator's own step words (colfailures)."""
    limit = 10**LIMITS.max_digits * col.den
    if col.bound >= limit:
        colsteps.send_back(cols, (abs(_objects(col.num)) >= limit).astype(bool))
    return colsteps.within_bits(col, cols)


def _raw(node: Node) -> Any:
    """An operand of ``+ - × ÷`` as a column step whose value may be a truth value (a name read as it is,
    a condition, an ``if()``): the operation refuses it once both operands are worked out (:func:`_pair`)."""
    if isinstance(node, Name):
        return read_name(node.name)
    if is_condition(node) or (isinstance(node, Call) and node.func == "if"):
        return colfuncs.compile_value(node, compile_node, Unsupported)
    return compile_node(node)


def _pair(left: Any, right: Any, cols: dict[str, Any], n: int) -> tuple[_Col, _Col]:
    """Both operands of an operation, worked out in turn, as numbers: a truth value either holds is the
    per-unit program's error (marked) where the right operand's own working out did not stop first (a
    division by 0 there, which a default for no data may take, or another error)."""
    x = left(cols, n)
    before = cols.get(colsteps.SEND_BACK)
    zero = cols.get(colsteps.ZERO_DIVISOR)
    held = zero.copy() if zero is not None else None
    d = right(cols, n)
    if not isinstance(x, TruthColumn) and not isinstance(d, TruthColumn):
        return x, d
    np = numpy()
    truth = np.zeros(n, dtype=bool)
    for col in (x, d):
        if isinstance(col, TruthColumn):
            truth |= col.truth
    after = cols.get(colsteps.SEND_BACK)
    if after is not None and after is not before:
        truth &= ~(after if before is None else after & ~before)
    if held is not None:
        truth &= ~(cols[colsteps.ZERO_DIVISOR] & ~held)
    colsteps.send_back(cols, truth)
    return tuple(c.value if isinstance(c, TruthColumn) else c for c in (x, d))  # type: ignore[return-value]


def _step(left: Any, op: str, operand: Node) -> Any:
    if op in "+-":
        right = _raw(operand)
        sign = 1 if op == "+" else -1
        return lambda cols, n: _guarded(_add(*_pair(left, right, cols, n), sign), cols)
    if op == "*":
        right = _raw(operand)
        return lambda cols, n: _guarded(_reduce(_mul(*_pair(left, right, cols, n))), cols)
    if op == "/" and isinstance(operand, Num) and operand.value:
        value = 1 / Fraction(operand.value)
        sign = 1 if value > 0 else -1
        p, q = abs(value.numerator), value.denominator

        def divide(cols: Any, n: int) -> _Col:
            col = as_number(left(cols, n), cols)
            # x ÷ c = x × (q/p): numerators × q (and sign), denominator × p.
            return _guarded(_times(col, sign * p, q), cols)

        return divide
    if op == "/":
        # By a column (完成数/计划数, max_of(x)−min_of(x)), or by a literal 0 (every row's division
        # by 0: a default for no data takes it, else the per-unit program's error): exact quotients.
        right = _raw(operand)
        shown = colsteps.shown(operand)  # (a population call as its own text: max_of(x))

        def by_column(cols: Any, n: int) -> _Col:
            x, d = _pair(left, right, cols, n)
            trail = cols.get(colsteps.DIVISIONS)
            if trail is not None:  # a recording run: where this divisor is 0 (colrecord)
                trail.append((shown, d.num == 0))
            return _guarded(colsteps.divide(x, d, cols), cols)

        return by_column
    raise Unsupported(f"'{op}' by {type(operand).__name__}")


def _times(col: _Col, p: int, q: int) -> _Col:
    """``col × p / q`` (q > 0)."""
    bound = col.bound * abs(p)
    num = col.num if bound < _SAFE else _objects(col.num)
    return _reduce(_Col(num * p, col.den * q, bound))
