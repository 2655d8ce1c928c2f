"""Exact arithmetic and the compilation of a formula's tree into closures.

Arithmetic runs on Decimals in a context where any rounding raises, and is
redone on Fractions only then; every size is bounded by ``perfrules.LIMITS``.
A tree is compiled once into nested closures, so evaluating never re-reads the
text; constant subtrees are folded, and weighted sums of plain inputs take an
integer fast path.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeAlias

from .._errors import InvalidValueError, NumberTooLargeError
from .._numbers import (
    EXACT_CONTEXT,
    LIMITS,
    as_fraction,
    check_decimal,
    check_fraction,
    exact,
    round_half_up,
    tidy_decimal,
    to_number,
)
from .tree import (
    POPULATION_FUNCTIONS,
    BoolOp,
    Call,
    Chain,
    Compare,
    Name,
    Node,
    Num,
    Percent,
    Power,
    Unary,
    _names,
    literal_value,
    show,
)

__all__ = ["Fn", "compile_root", "power_of"]

# ---------------------------------------------------------------------------
# Exact arithmetic
# ---------------------------------------------------------------------------

# Decimal arithmetic runs in EXACT_CONTEXT, where any rounding raises; the step
# is then redone with Fractions. Overflow is a kind of Inexact, so it reaches
# the Fraction path too, whose size check reports it.
_FALLBACK: Final = (decimal.Inexact, decimal.Subnormal, decimal.Clamped)
_D_ADD: Final = EXACT_CONTEXT.add
_D_SUB: Final = EXACT_CONTEXT.subtract
_D_MUL: Final = EXACT_CONTEXT.multiply
_D_DIV: Final = EXACT_CONTEXT.divide
_BIG: Final = Decimal(10) ** LIMITS.max_digits
_BIG_INT: Final = 10**LIMITS.max_digits
_HUNDRED: Final = Decimal(100)


class _ZeroDivision(Exception):
    def __init__(self, divisor: Node) -> None:
        self.divisor = divisor


def _frac(value: Any) -> Fraction:
    if type(value) is bool:
        raise InvalidValueError(f"{value} (truth value) used where a number is needed")
    if type(value) is Decimal:
        check_decimal(value)  # 1E-99999999 passes the fast path's bounds; as a Fraction it never ends
    return as_fraction(value)


def _add(a: Any, b: Any) -> Any:
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_ADD(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) + _frac(b))


def _sub(a: Any, b: Any) -> Any:
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_SUB(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) - _frac(b))


def _mul(a: Any, b: Any) -> Any:
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_MUL(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) * _frac(b))


def _div(a: Any, b: Any, divisor: Node) -> Any:
    if type(b) is bool or type(a) is bool:
        _frac(a), _frac(b)
    if not b:
        raise _ZeroDivision(divisor)
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_DIV(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) / _frac(b))


def _pow(a: Any, b: Any, exponent: Node) -> Any:
    fb = _frac(b)
    if fb.denominator != 1 or abs(fb) > LIMITS.max_exponent:
        raise InvalidValueError(
            f"exponent {exact(fb)} must be a whole number from -{LIMITS.max_exponent} "
            f"to {LIMITS.max_exponent}"
        )
    n = int(fb)
    fa = _frac(a)
    if n < 0 and not fa:
        raise _ZeroDivision(exponent)
    return power_of(fa, n)


def power_of(base: Fraction, n: int) -> Fraction:
    """``base ** n`` (a whole *n*, ``base`` not 0 where *n* < 0) within the limits, or
    ``NumberTooLargeError`` (checked before working out a power past them).

    >>> power_of(Fraction(3, 2), 2), power_of(Fraction(2), -3)
    (Fraction(9, 4), Fraction(1, 8))
    """
    size = max(base.numerator.bit_length(), base.denominator.bit_length())
    if size * abs(n) > LIMITS.max_bits + 64:
        raise NumberTooLargeError(
            f"the power ^{n} of a {size}-bit number would exceed {LIMITS.max_bits} bits"
        )
    return check_fraction(base**n)


_BINARY: Final = {"+": _add, "-": _sub, "*": _mul}


def _compare(op: str, a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        raise InvalidValueError("a truth value cannot be compared as a number")
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    if op == ">=":
        return bool(a >= b)
    if op == "=":
        return bool(a == b)
    return bool(a != b)


def _truth(value: Any) -> bool:
    if type(value) is not bool:
        raise InvalidValueError(f"{exact(value)} (number) used where a truth value (condition) is needed")
    return value


def _read_input(value: Any, name: str) -> Any:
    """Turn one input value into an exact number (or keep a truth value)."""
    kind = type(value)
    if kind is Decimal:
        if value.is_finite() and -_BIG < value < _BIG:
            return value
    elif kind is int:
        if -_BIG_INT < value < _BIG_INT:
            return Decimal(value)
    elif kind is bool:
        return value
    return to_number(value, name=name)


# ---------------------------------------------------------------------------
# Compilation into closures
# ---------------------------------------------------------------------------

Fn: TypeAlias = Callable[[Mapping[str, Any]], Any]


def _constant(node: Node) -> tuple[bool, Any]:
    """Fold a subtree without names; (False, None) when it has names or fails."""
    if _names(node):
        return False, None
    try:
        return True, _compile_raw(node)({})
    except (_ZeroDivision, InvalidValueError, NumberTooLargeError, _PopulationMissing):
        return False, None


def _compile(node: Node) -> Fn:
    folded, value = _constant(node)
    if folded:
        return lambda values: value
    return _compile_raw(node)


def _compile_raw(node: Node) -> Fn:
    if isinstance(node, Num):
        value = node.value
        return lambda values: value
    if isinstance(node, Name):
        return _loader(node.name)
    if isinstance(node, Percent):
        operand = _compile(node.operand)
        percent_node = node
        return lambda values: _div(operand(values), _HUNDRED, percent_node)
    if isinstance(node, Power):
        base, exponent = _compile(node.base), _compile(node.exponent)
        exp_node = node.exponent
        return lambda values: _pow(base(values), exponent(values), exp_node)
    if isinstance(node, Unary):
        operand = _compile(node.operand)
        if node.op == "not":
            return lambda values: not _truth(operand(values))
        if node.op == "-":
            return lambda values: _sub(Decimal(0), operand(values))
        return lambda values: _add(Decimal(0), operand(values))
    if isinstance(node, Chain):
        return _compile_chain(node)
    if isinstance(node, Compare):
        return _compile_compare(node)
    if isinstance(node, BoolOp):
        return _compile_boolop(node)
    return _compile_call(node)


def _binary_step(op: str, operand_node: Node) -> Callable[[Any, Mapping[str, Any]], Any]:
    """One ``op operand`` step of a chain, with constants captured directly."""
    folded, const = _constant(operand_node)
    if op == "/":
        if folded:
            return lambda acc, values: _div(acc, const, operand_node)
        fn = _compile(operand_node)
        return lambda acc, values: _div(acc, fn(values), operand_node)
    arith = _BINARY[op]
    if folded:
        if op in "*+" and type(const) is Decimal:
            fast = _D_MUL if op == "*" else _D_ADD

            def step_const(acc: Any, values: Mapping[str, Any]) -> Any:
                if type(acc) is Decimal:
                    try:
                        return fast(acc, const)
                    except _FALLBACK:
                        pass
                return arith(acc, const)

            return step_const
        return lambda acc, values: arith(acc, const)
    fn = _compile(operand_node)
    return lambda acc, values: arith(acc, fn(values))


def _loader(key: str) -> Fn:
    """Read one input; ints and Decimals within the limits take the short path."""

    def load(values: Mapping[str, Any]) -> Any:
        value = values[key]
        kind = type(value)
        if kind is int:
            if -_BIG_INT < value < _BIG_INT:
                return Decimal(value)
        elif kind is Decimal and value.is_finite() and -_BIG < value < _BIG:
            return value
        return _read_input(value, key)

    return load


class _PopulationMissing(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _population_loader(key: str) -> Fn:
    def load(values: Mapping[str, Any]) -> Any:
        try:
            value = values[key]
        except KeyError:
            raise _PopulationMissing(key) from None
        return value

    return load


def _name_times_constant(key: str, op: str, const: Decimal) -> Fn:
    """``name × constant`` (or + −): the commonest shape of a weighted sum, fused."""
    fast = {"*": _D_MUL, "+": _D_ADD, "-": _D_SUB}[op]
    slow = _BINARY[op]

    def fused(values: Mapping[str, Any]) -> Any:
        value = values[key]
        kind = type(value)
        # Context methods take ints as they are; int bounds compare as ints.
        if (kind is int and -_BIG_INT < value < _BIG_INT) or (
            kind is Decimal and value.is_finite() and -_BIG < value < _BIG
        ):
            try:
                return fast(value, const)
            except _FALLBACK:
                return slow(Decimal(value), const)
        return slow(_read_input(value, key), const)

    return fused


def compile_root(node: Node) -> Fn:
    """The closure ``evaluate`` calls: results come out tidy (no trailing zeros)."""
    general = _compile(node)

    def root(values: Mapping[str, Any]) -> Any:
        result = general(values)
        return tidy_decimal(result) if type(result) is Decimal else result

    return _compile_linear(node, root) or root


def _linear_term(sign: int, node: Node) -> tuple[str | None, Decimal] | None:
    """(name, weight) for ``name``, ``name×k``, ``k×name``; (None, k) for a constant."""
    folded, const = _constant(node)
    if folded:
        return (None, sign * const) if type(const) is Decimal else None
    if isinstance(node, Name):
        return node.name, Decimal(sign)
    if isinstance(node, Chain) and len(node.rest) == 1 and node.rest[0][0] == "*":
        left, right = node.first, node.rest[0][1]
        if isinstance(right, Name):
            left, right = right, left
        folded, const = _constant(right)
        if isinstance(left, Name) and folded and type(const) is Decimal:
            return left.name, sign * const
    return None


def _compile_linear(node: Node, general: Fn) -> Fn | None:
    """A weighted sum such as ``a×0.6+b×0.4+c``, computed in integers.

    When every input is an int, ``Σ v·w`` is exact in integer arithmetic at a
    common decimal scale; the Decimal is built once at the end. Any other
    input takes the *general* path, so results are the same either way.
    """
    if not (isinstance(node, Chain) and node.rest[0][0] in "+-"):
        return None
    terms = [_linear_term(1, node.first)]
    terms += [_linear_term(1 if op == "+" else -1, operand) for op, operand in node.rest]
    if any(t is None for t in terms):
        return None
    weights = [w for _, w in terms]  # type: ignore[misc]
    scale = max(0, *(-int(w.as_tuple().exponent) for w in weights))
    if scale > 20:
        return None
    offset = 0
    scaled: list[tuple[str, int]] = []
    for name, weight in terms:  # type: ignore[misc]
        as_int = int(weight.scaleb(scale, EXACT_CONTEXT))
        if name is None:
            offset += as_int
        else:
            scaled.append((name, as_int))
    pairs = tuple(scaled)
    low, high = -_BIG_INT, _BIG_INT
    low_total, high_total = low * 10**scale, high * 10**scale
    context = EXACT_CONTEXT

    def linear(values: Mapping[str, Any]) -> Any:
        total = offset
        for key, weight in pairs:
            value = values[key]
            if type(value) is not int or not low < value < high:
                return general(values)
            total += value * weight
        if not low_total < total < high_total:
            return general(values)  # reports the overflow as usual
        places = scale
        while places and not total % 10:
            total //= 10
            places -= 1
        return Decimal(total).scaleb(-places, context) if places else Decimal(total)

    return linear


def _two_operands(op: str, left: Fn, right: Fn) -> Fn:
    """``left op right`` for + − ×, with the exact-Decimal path inlined."""
    fast = {"*": _D_MUL, "+": _D_ADD, "-": _D_SUB}[op]
    slow = _BINARY[op]

    def binary(values: Mapping[str, Any]) -> Any:
        a = left(values)
        b = right(values)
        if type(a) is Decimal and type(b) is Decimal:
            try:
                return fast(a, b)
            except _FALLBACK:
                pass
        return slow(a, b)

    return binary


def _compile_chain(node: Chain) -> Fn:
    if len(node.rest) == 1:
        op, operand = node.rest[0]
        if op != "/":
            folded, const = _constant(operand)
            if isinstance(node.first, Name) and folded and type(const) is Decimal:
                return _name_times_constant(node.first.name, op, const)
            if not folded:
                return _two_operands(op, _compile(node.first), _compile(operand))
    first = _compile(node.first)
    steps = [_binary_step(op, operand) for op, operand in node.rest]
    if len(steps) == 1:
        (step,) = steps
        return lambda values: step(first(values), values)
    if len(steps) == 2:
        s1, s2 = steps
        return lambda values: s2(s1(first(values), values), values)

    def chain(values: Mapping[str, Any]) -> Any:
        acc = first(values)
        for step in steps:
            acc = step(acc, values)
        return acc

    return chain


def _compile_compare(node: Compare) -> Fn:
    first = _compile(node.first)
    rest = [(op, _compile(operand)) for op, operand in node.rest]

    def compare(values: Mapping[str, Any]) -> bool:
        left = first(values)
        for op, fn in rest:
            right = fn(values)
            if not _compare(op, left, right):
                return False
            left = right
        return True

    return compare


def _compile_boolop(node: BoolOp) -> Fn:
    fns = [_compile(o) for o in node.operands]
    if node.op == "and":
        return lambda values: all(_truth(fn(values)) for fn in fns)
    return lambda values: any(_truth(fn(values)) for fn in fns)


def _compile_call(node: Call) -> Fn:
    func = node.func
    if func in POPULATION_FUNCTIONS:
        # The value over all units is computed once per batch by the engine
        # and handed in under the call's canonical text.
        return _population_loader(show(node))
    fns = [_compile(a) for a in node.args]
    if func == "if":
        cond, then, other = fns
        return lambda values: then(values) if _truth(cond(values)) else other(values)
    if func == "count":
        return lambda values: Decimal(sum(1 for fn in fns if _truth(fn(values))))
    if func == "round":
        places = int(literal_value(node.args[1]) or 0) if len(node.args) == 2 else 0
        (fn, *_) = fns
        return lambda values: round_half_up(_frac(fn(values)), places)
    if func == "abs":
        (fn,) = fns
        return lambda values: _abs(fn(values))
    if func in ("floor", "ceil", "trunc"):
        (fn,) = fns
        rounder = math.floor if func == "floor" else math.ceil if func == "ceil" else math.trunc
        return lambda values: Decimal(rounder(_frac(fn(values))))
    if func == "clamp":
        x, lo, hi = fns
        return lambda values: _clamp(x(values), lo(values), hi(values))
    if func in ("min", "max"):
        pick = min if func == "min" else max

        def extreme(values: Mapping[str, Any]) -> Any:
            found = [fn(values) for fn in fns]
            for value in found:
                if type(value) is not Decimal:
                    # Fractions and truth values: compare exactly (and refuse truth values).
                    return pick((_number(v) for v in found), key=_frac)
            return pick(found)  # Decimals compare exactly as they are

        return extreme
    if func == "sum":
        return lambda values: _sum(fn(values) for fn in fns)
    count = Decimal(len(fns))
    return lambda values: _div(_sum(fn(values) for fn in fns), count, node)


def _number(value: Any) -> Any:
    _frac(value)  # refuses truth values
    return value


def _abs(value: Any) -> Any:
    return _sub(Decimal(0), value) if _frac(value) < 0 else value


def _sum(values: Iterable[Any]) -> Any:
    total: Any = Decimal(0)
    for value in values:
        total = _add(total, value)
    return total


def _clamp(x: Any, lo: Any, hi: Any) -> Any:
    if type(x) is type(lo) is type(hi) is Decimal:
        if lo > hi:
            raise InvalidValueError(f"clamp(): lower bound {exact(lo)} is above upper bound {exact(hi)}")
        return lo if x < lo else hi if x > hi else x
    if _frac(lo) > _frac(hi):
        raise InvalidValueError(f"clamp(): lower bound {exact(lo)} is above upper bound {exact(hi)}")
    if _frac(x) < _frac(lo):
        return lo
    if _frac(x) > _frac(hi):
        return hi
    return x
