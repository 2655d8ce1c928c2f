"""Conditions as column steps: comparisons of exact columns, ``and``/``or``/``not``, as truth columns.

A policy's condition (``when = "目标任务总数=0"``, ``"完整性异常信息条数>5"``)
is worked out by the per-unit program on one unit's data
(:meth:`perfrules.formula.language.Formula.evaluate`): each comparison of two
exact numbers, a chain ``a < b < c`` as each pair in turn, ``and``/``or``
over truth values. Over columns a comparison of ``p/D`` with ``q/E`` is ``p·E``
against ``q·D`` in integers (64-bit where the products fit, Python integers
otherwise), so a value on the boundary is decided exactly as the per-unit
program decides it. The operands are the program's own compiled column steps
(:func:`perfrules.scoring.colnodes.compile_node`); a unit where an operand cannot
be worked out (a cell that is not a plain number, a divisor of 0) is left to
the per-unit program, which says what it does there.
"""

from __future__ import annotations

import math
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from ..formula.tree import BoolOp, Compare, Node, Unary

__all__ = ["compare", "compile_condition"]

_OPS = {"<", "<=", ">", ">=", "=", "!="}


def compare(op: str, a: IntColumn, b: IntColumn) -> Any:
    """``a op b`` per row, exactly (a bool array).

    >>> np = numpy()
    >>> a = IntColumn(np.array([1, 2, 3]), 3, 3)  # 1/3, 2/3, 1
    >>> b = IntColumn(np.array([2, 2, 2]), 3, 2)  # 2/3
    >>> compare("<=", a, b).tolist(), compare("=", a, b).tolist()
    ([True, True, False], [False, True, False])
    """
    np = numpy()
    den = math.lcm(a.den, b.den)
    fa, fb = den // a.den, den // b.den
    wide = a.bound * fa >= SAFE or b.bound * fb >= SAFE or a.num.dtype == object or b.num.dtype == object
    x = as_objects(a.num) * fa if wide else a.num * fa
    y = as_objects(b.num) * fb if wide else b.num * fb
    if op == "<":
        found = x < y
    elif op == "<=":
        found = x <= y
    elif op == ">":
        found = x > y
    elif op == ">=":
        found = x >= y
    elif op == "=":
        found = x == y
    else:
        found = x != y
    return np.asarray(found, dtype=bool)


def compile_condition(node: Node, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function of the batch's columns giving *node*'s truth per row (a bool array).

    *compile_node* compiles an arithmetic operand (the program's compiler).

    Raises:
        unsupported: the condition is not comparisons joined by ``and``, ``or``, ``not``.
    """
    np = numpy()
    if isinstance(node, Compare) and all(op in _OPS for op, _ in node.rest):
        first = compile_node(node.first)
        rest = [(op, compile_node(operand)) for op, operand in node.rest]

        def chain(cols: dict[str, Any], n: int) -> Any:
            left = first(cols, n)
            found = np.ones(n, dtype=bool)
            for op, fn in rest:
                right = fn(cols, n)
                found &= compare(op, left, right)
                left = right
            return found

        return chain
    if isinstance(node, BoolOp) and node.op in ("and", "or"):
        parts = [compile_condition(o, compile_node, unsupported) for o in node.operands]
        both = node.op == "and"

        def joined(cols: dict[str, Any], n: int) -> Any:
            found = np.full(n, both, dtype=bool)
            for fn in parts:
                found = (found & fn(cols, n)) if both else (found | fn(cols, n))
            return found

        return joined
    if isinstance(node, Unary) and node.op == "not":
        inner = compile_condition(node.operand, compile_node, unsupported)
        return lambda cols, n: ~inner(cols, n)
    raise unsupported(f"a condition of the form {type(node).__name__}")
