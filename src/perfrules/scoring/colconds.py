"""Conditions as column steps: comparisons of exact columns, ``and``/``or``/``not``, as truth columns.

A policy's condition (``when = "目标任务总数=0"``, ``"完整性异常信息条数>5"``)
is worked out by the per-unit program on one unit's data
(:meth:`perfrules.formula.language.Formula.evaluate`): each comparison of two
exact numbers, a chain ``a < b < c`` as each pair in turn, ``and``/``or``
over truth values. Over columns a comparison of ``p/D`` with ``q/E`` is ``p·E``
against ``q·D`` in integers (64-bit where the products fit, Python integers
otherwise), so a value on the boundary is decided exactly as the per-unit
program decides it. The operands are the program's own compiled column steps
(:func:`perfrules.scoring.colnodes.compile_node`). A unit where an operand
cannot be worked out (a divisor of 0, a number past the limits) is marked only
where the per-unit program gets to that operand (``and``/``or`` stop at the
operand that decides, a chain at the first comparison that fails, ``if`` reads
the branch it takes): it raises there, and the mark is the rule's error for the
unit (worded by the indicator's own step: :mod:`~perfrules.scoring.colfailures`).
"""

from __future__ import annotations

import math
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from ..formula.tree import BoolOp, Call, Compare, Name, Node, Unary
from .colblank import BLANK
from .colread import read_name
from .colsteps import SEND_BACK, ZERO_DIVISOR, send_back
from .coltruth import TruthColumn

MAPPED = "\0names mapped"
"""In a scope whose local names are bound to other data columns (an indicator's ``inputs``:
:func:`~perfrules.scoring.colapplies.mapped`), those names: the batch's blank cells (:data:`~perfrules.
scoring.colblank.BLANK`, by data column) are not theirs."""

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


def compile_condition(
    node: Node, compile_node: Any, unsupported: type[Exception], *, strict: bool = False, raising: Any = None
) -> Any:
    """A function of the batch's columns giving where *node* holds per row (a bool array).

    *compile_node* compiles an arithmetic operand (the program's compiler). A value that is a
    number, not a truth value (a bare name, ``if(…, 1, 0)``), does not hold, as a policy's
    ``when`` reads it (``evaluate(…) is True``); with *strict* (the condition of ``if(…)`` and
    ``count(…)`` in a formula) it is the per-unit program's error, and its rows are sent back.
    So are the rows where ``not``, ``and``, ``or`` or ``if`` reach a number (in the per-unit
    program's order: ``and``/``or`` stop at the first operand that decides), and, with *raising*
    (``raising(operand)``: a function of the batch's columns giving the rows where the per-unit
    program raises on that comparison or value, or None), the rows where such an operand is reached.

    Raises:
        unsupported: a form :func:`compile_node` does not take either.
    """
    valued = _valued(node, compile_node, unsupported, raising)
    bare = node.name if isinstance(node, Name) else None

    def run(cols: dict[str, Any], n: int) -> Any:
        holds, number, bad, zero = valued(cols, n)
        if strict:  # (a bare name blank there: no value, before any truth value is asked for)
            number = number & ~_blank(cols, bare, n)
            bad = number if bad is None else bad | number
        if bad is not None:
            send_back(cols, bad)
        if zero is not None:  # (a default for no data takes these: coldefaults)
            found = cols[ZERO_DIVISOR]
            found |= zero  # in place: every copy of the scope shares the one array
        return holds

    return run


# Per row: holds, is a number (no truth value), raises (None: nowhere), divides by 0 where a default for
# no data takes that (the scope's ZERO_DIVISOR; None: nowhere).
_Valued = tuple[Any, Any, Any, Any]


def _valued(node: Node, compile_node: Any, unsupported: type[Exception], raising: Any = None) -> Any:
    """A function of the batch's columns giving *node*'s value per row as a truth value: where it
    holds, where it is a number instead, where the per-unit program raises (None: nowhere) and where
    it divides by 0 first, which a default for no data takes (None: nowhere)."""
    np = numpy()
    if isinstance(node, Compare) and all(op in _OPS for op, _ in node.rest):
        first = _operand(node.first, compile_node)
        rest = [(op, _operand(operand, compile_node)) for op, operand in node.rest]
        raises = raising(node) if raising is not None else None

        def chain(cols: dict[str, Any], n: int) -> _Valued:
            left, bad, zero = _marked(first, cols, n)
            left, truth = _truths(left)
            found = np.ones(n, dtype=bool)
            going = found.copy() if zero is None else ~zero  # (an operand is worked out where every
            if bad is not None:  # comparison before it holds, and nothing before it raised or divided
                going &= ~bad  # by 0: where one did, the per-unit program stopped there)
            for op, fn in rest:
                right, marks, zeros = _marked(fn, cols, n)
                right, theirs = _truths(right)
                bad = _either(bad, None if marks is None else marks & going)
                if zeros is not None:
                    zero = _either(zero, zeros & going)
                    going &= ~zeros
                if marks is not None:
                    going &= ~marks
                refused = _either(truth, theirs)  # (refused once both operands are worked out)
                if refused is not None:
                    bad = _either(bad, refused & going)
                    going &= ~refused
                truth = theirs
                holds = compare(op, left, right)
                found &= holds
                going &= holds
                left = right
            return found, np.zeros(n, dtype=bool), _either(bad, raises and raises(cols, n)), zero

        return chain
    if isinstance(node, BoolOp) and node.op in ("and", "or"):
        parts = [_valued(o, compile_node, unsupported, raising) for o in node.operands]
        both = node.op == "and"

        def joined(cols: dict[str, Any], n: int) -> _Valued:
            # The per-unit program reads the operands in turn while none decides (all/any).
            going = np.ones(n, dtype=bool)
            bad = np.zeros(n, dtype=bool)
            zero = None
            for fn in parts:
                holds, number, raises, zeros = fn(cols, n)
                if zeros is not None:
                    zero = _either(zero, going & zeros)
                    going &= ~zeros
                bad |= going & (number if raises is None else number | raises)
                going &= ~number & (holds if both else ~holds)
                if raises is not None:  # (the per-unit program stopped where an operand raised)
                    going &= ~raises
            found = going if both else ~going & ~bad
            if zero is not None:
                found &= ~zero
            return found, np.zeros(n, dtype=bool), bad, zero

        return joined
    if isinstance(node, Unary) and node.op == "not":
        inner = _valued(node.operand, compile_node, unsupported, raising)

        def negated(cols: dict[str, Any], n: int) -> _Valued:
            holds, number, raises, zero = inner(cols, n)
            return (
                ~holds & ~number,
                np.zeros(n, dtype=bool),
                number if raises is None else number | raises,
                zero,
            )

        return negated
    if isinstance(node, Call) and node.func == "if":
        test, then, other = (_valued(a, compile_node, unsupported, raising) for a in node.args)

        def chosen(cols: dict[str, Any], n: int) -> _Valued:
            holds, number, raises, zero = test(cols, n)
            bad = number if raises is None else number | raises
            if zero is not None:
                holds = holds & ~zero
                bad = bad & ~zero
            a, b = then(cols, n), other(cols, n)  # (each branch's rows: where the test takes it)
            taken = ~number if zero is None else ~number & ~zero
            for branch, rows in ((a, holds), (b, ~holds & taken)):
                if branch[2] is not None:
                    bad = bad | (rows & branch[2])
                if branch[3] is not None:
                    zero = _either(zero, rows & branch[3])
            return (
                np.where(holds, a[0], b[0]) & ~number,
                np.where(holds, a[1], b[1]) | number,
                bad,
                zero,
            )

        return chosen
    try:
        value = compile_node(node)  # a number (a bare name, arithmetic): holds nowhere
    except unsupported:
        raise unsupported(f"a condition of the form {type(node).__name__}") from None
    raises = raising(node) if raising is not None else None
    name = node.name if isinstance(node, Name) else None

    def number(cols: dict[str, Any], n: int) -> _Valued:
        found = cols.get(name) if name is not None else None
        if isinstance(found, TruthColumn):  # a step's truth value, read as it is (coltruth)
            return found.holds & found.truth, ~found.truth, raises and raises(cols, n), None
        _, marks, zero = _marked(
            value, cols, n
        )  # (worked out: where it cannot be, the per-unit program raises)
        return (
            np.zeros(n, dtype=bool),
            np.ones(n, dtype=bool),
            _either(marks, raises and raises(cols, n)),
            zero,
        )

    return number


def _blank(cols: dict[str, Any], name: str | None, n: int) -> Any:
    """The rows where the bare name *name* is a blank cell of its data column: the per-unit program
    stops at reading it (no value), before it asks for a truth value (a default for no data takes the
    row, or it is the indicator's missing value: colreach, colblank); nowhere for any other operand."""
    np = numpy()
    blank = None if name is None or name in cols.get(MAPPED, ()) else cols.get(BLANK, {}).get(name)
    if blank is None or len(blank) != n:
        return np.zeros(n, dtype=bool)
    return np.asarray(blank, dtype=bool)


def _operand(node: Node, compile_node: Any) -> Any:
    """A comparison's operand as a column step: a name read as it is (a step's truth value among its
    rows: the comparison refuses it, once its operands are worked out: :func:`_truths`)."""
    if isinstance(node, Name):
        return read_name(node.name)
    return compile_node(node)


def _truths(col: Any) -> tuple[IntColumn, Any]:
    """An operand's value as numbers, and the rows holding a truth value (None: none), which the
    per-unit program refuses to compare (``a truth value cannot be compared as a number``)."""
    if isinstance(col, TruthColumn):
        return col.value, col.truth if col.truth.any() else None
    return col, None


def _marked(fn: Any, cols: dict[str, Any], n: int) -> tuple[Any, Any, Any]:
    """``fn(cols, n)`` (an operand's column step), the rows it could not work out (a division by 0,
    a number past the limits …: the per-unit program raises there; None: none), and where a default
    for no data takes its division by 0 (None: none), kept apart from *cols*' marks: they count only
    where the per-unit program gets to the operand."""
    scope = {k: v for k, v in cols.items() if k != SEND_BACK}
    if ZERO_DIVISOR in cols:
        scope[ZERO_DIVISOR] = numpy().zeros(n, dtype=bool)
    value = fn(scope, n)
    zero = scope.get(ZERO_DIVISOR)
    return value, scope.get(SEND_BACK), zero if zero is not None and zero.any() else None


def _either(a: Any, b: Any) -> Any:
    """The rows in *a* or *b* (bool arrays, None: none)."""
    return b if a is None else a if b is None else a | b
