"""Following a formula or condition row by row in the per-unit program's order of evaluation.

:func:`follow` compiles a formula (or a condition) into a function of a batch's
columns that gives, per row, where its evaluation first stops at a cell the
unit lacks (a blank, or a name the caller says is absent), where first at a
division by 0, and where which comes first is not known. ``and``/``or`` stop at
the operand that decides, ``if()`` reads the branch taken, chained comparisons
stop at the first that fails, and the operands of ``+ - × ÷`` are read left to
right, as :mod:`perfrules.formula.compute` reads them. :mod:`perfrules.scoring.colreach`
builds its reach of formulas, scales and conditions on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._intcols import as_objects, numpy
from .._numbers import LIMITS
from ..formula.language import POPULATION_FUNCTIONS
from ..formula.tree import (
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
    children,
    show,
)
from ..scheme.reads import FULL_NAME
from .colconds import compile_condition
from .colsteps import POPULATION_ABSENT, POPULATION_PREFIX, SEND_BACK, ZERO_DIVISOR, population_names

__all__ = ["CROSSED", "Unsure", "calls_in", "crossings_followed", "follow", "in_turn", "names_in", "negated"]


class Unsure(Exception):
    """A form whose reach is not certain."""


def follow(
    node: Node,
    computed: set[str],
    compile_node: Any,
    unsupported: type[Exception],
    how: Any,
    at_hand: bool = False,
) -> Any:
    """A function of the batch's columns giving, per row, where evaluating *node* stops first at a
    blank name, where first at a division by 0, and where the order is not known (three bool arrays;
    *how*: a name's data column, where the columns mark the cells followed, the indicator's code and
    its population calls followed so far), and where the first stop is a population value the unit
    lacks (which: an int array, see :meth:`Reach.run`). The per-unit program evaluates left to right,
    each operand of a chain before the operation, so a division by 0 stops it only where no blank
    was read before. *at_hand*: the steps' values are among the columns (a scale's conditions)."""
    field, key, code, calls = how

    def sub(child: Node) -> Any:
        return follow(child, computed, compile_node, unsupported, how, at_hand)

    def holds(child: Node) -> Any:
        if (computed if not at_hand else {FULL_NAME}) & names_in(child):
            raise Unsure  # (a condition on a step's value: the steps' columns are not at hand here)
        return compile_condition(child, compile_node, unsupported)

    if isinstance(node, Num):
        return _never
    if isinstance(node, Name):
        if node.name in computed:
            return _never
        name = field(node.name)
        return lambda cols, n: (cols[key][name], *_nothing(n), numpy().zeros(n, dtype=numpy().int64))
    if isinstance(node, Percent | Unary):
        return sub(node.operand)
    if isinstance(node, Power):  # (0 to a negative power divides by 0)
        power = _power(node, {FULL_NAME} if at_hand else computed, compile_node, unsupported)
        return in_turn([(None, sub(node.base)), (None, sub(node.exponent)), (None, power)])
    if isinstance(node, Chain):
        parts: list[tuple[Any, Any]] = [(None, sub(node.first))]
        for op, operand in node.rest:
            parts.append((None, sub(operand)))
            if op == "/":
                parts.append(
                    (
                        None,
                        _zero(operand, {FULL_NAME} if at_hand else computed, compile_node, unsupported, code),
                    )
                )
        return in_turn(parts)
    if isinstance(node, Compare):
        # A chain stops at the first comparison that fails: later operands only where all before hold.
        later = [
            (holds(Compare(node.first, node.rest[:j])), sub(o)) for j, (_, o) in enumerate(node.rest) if j
        ]
        return in_turn([(None, sub(node.first)), (None, sub(node.rest[0][1])), *later])
    if isinstance(node, BoolOp):
        # ``and`` reads on while its operands hold, ``or`` while they do not.
        first, *rest = node.operands
        before = [
            BoolOp(node.op, node.operands[:j]) if j > 1 else first for j in range(1, len(node.operands))
        ]
        gates = [holds(b) for b in before]
        if node.op == "or":
            gates = [negated(g) for g in gates]
        return in_turn([(None, sub(first)), *zip(gates, map(sub, rest), strict=True)])
    if isinstance(node, Call):
        if node.func in POPULATION_FUNCTIONS:  # the batch's value: a stop where the unit has none
            text = show(node)
            calls.append((f"{POPULATION_PREFIX}{code}\0{text}", text))
            return _lacking(calls[-1][0], len(calls))
        if node.func == "if":
            cond, then, other = node.args
            test = holds(cond)
            return in_turn([(None, sub(cond)), (test, sub(then)), (negated(test), sub(other))])
        parts = [(None, sub(a)) for a in node.args]
        if node.func == "clamp" and len(node.args) == 3:  # (its bounds crossed: once all are worked out)
            parts.append(
                (None, _crossed(node, {FULL_NAME} if at_hand else computed, compile_node, unsupported))
            )
        return in_turn(parts)
    raise Unsure


CROSSED = -1
"""Where the first stop is a ``clamp()`` whose bounds are crossed (the per-unit program's error there),
:func:`follow`'s fourth array holds this (with the stop's place not known: the third)."""


def crossings_followed(
    node: Node, computed: set[str], compile_node: Any, unsupported: type[Exception]
) -> bool:
    """Whether :func:`follow` finds every ``clamp()`` in *node* whose bounds are crossed (*computed*: the
    names whose values are not at hand): each one's bounds compile over the columns at hand."""
    clamp = isinstance(node, Call) and node.func == "clamp" and len(node.args) == 3
    if clamp and _crossed(node, computed, compile_node, unsupported) is _never:  # type: ignore[arg-type]
        return False
    return all(crossings_followed(c, computed, compile_node, unsupported) for c in children(node))


def _crossed(node: Call, computed: set[str], compile_node: Any, unsupported: type[Exception]) -> Any:
    """The check of ``clamp(x, lo, hi)`` (once its arguments are worked out): a stop where ``lo > hi``
    (:data:`CROSSED`); nothing followed (:func:`_never`) where its bounds are not at hand (a step's
    value, a population value) or do not compile."""
    bounds = node.args[1:]
    if any((computed | {FULL_NAME}) & names_in(b) for b in bounds) or any(
        isinstance(c, Call) and c.func in POPULATION_FUNCTIONS for b in bounds for c in calls_in(b)
    ):
        return _never
    try:
        lo, hi = (compile_node(b) for b in bounds)
    except unsupported:
        return _never

    def run(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
        scope = {k: v for k, v in cols.items() if k not in (SEND_BACK, ZERO_DIVISOR)}  # (its marks: its own)
        np = numpy()
        low, high = lo(scope, n), hi(scope, n)
        crossed = np.asarray(as_objects(low.num) * high.den > as_objects(high.num) * low.den, dtype=bool)
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), crossed, np.where(crossed, CROSSED, 0)

    return run


def calls_in(node: Node) -> list[Call]:
    """The calls in *node*."""
    if isinstance(node, Call):
        return [node, *(c for a in node.args for c in calls_in(a))]
    if isinstance(node, Percent | Unary):
        return calls_in(node.operand)
    if isinstance(node, Power):
        return calls_in(node.base) + calls_in(node.exponent)
    if isinstance(node, Chain | Compare):
        return calls_in(node.first) + [c for _, o in node.rest for c in calls_in(o)]
    if isinstance(node, BoolOp):
        return [c for o in node.operands for c in calls_in(o)]
    return []


def _nothing(n: int) -> tuple[Any, Any]:
    np = numpy()
    return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)


def _never(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
    np = numpy()
    return np.zeros(n, dtype=bool), *_nothing(n), np.zeros(n, dtype=np.int64)


def _unknown(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
    """A stop whose place the columns do not follow: unknown on every row it is reached."""
    np = numpy()
    return (
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
        np.ones(n, dtype=bool),
        np.zeros(n, dtype=np.int64),
    )


def _lacking(column: str, which: int) -> Any:
    """A population call: a stop where the unit has no value for it (the batch's
    :data:`~perfrules.scoring.colsteps.POPULATION_ABSENT`; unknown where that is not at hand)."""

    def run(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
        np = numpy()
        absent = cols.get(POPULATION_ABSENT, {}).get(column)
        if absent is None or len(absent) != n:
            return _unknown(cols, n)
        return absent, *_nothing(n), np.where(absent, which, 0)

    return run


def negated(condition: Any) -> Any:
    return lambda cols, n: ~condition(cols, n)


def _zero(
    divisor: Node, computed: set[str], compile_node: Any, unsupported: type[Exception], code: str = ""
) -> Any:
    """The division by *divisor* (once it is worked out): a stop where it is 0; unknown where its value
    is not at hand (it reads a step's value, or does not compile). Its population calls read the
    batch's columns of indicator *code*'s values (:func:`~perfrules.scoring.colsteps.population_names`;
    unknown where the columns do not hold them)."""
    if computed & names_in(divisor):
        return _unknown
    divisor, calls = population_names(divisor, code)
    try:
        value = compile_node(divisor)
    except unsupported:
        return _unknown

    def run(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
        if any(name not in cols or len(cols[name].num) != n for name in calls):
            return _unknown(cols, n)
        scope = {k: v for k, v in cols.items() if k not in (SEND_BACK, ZERO_DIVISOR)}  # (its marks: its own)
        np = numpy()
        zero = np.asarray(value(scope, n).num == 0, dtype=bool)
        return np.zeros(n, dtype=bool), zero, np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)

    return run


def _power(node: Power, computed: set[str], compile_node: Any, unsupported: type[Exception]) -> Any:
    """The power *node* (once its base and exponent are worked out): a stop where the base is 0 and
    the exponent a whole number below 0 (a division by 0, as ``formula.compute._pow`` raises it);
    unknown where the exponent is not a whole number within the limits (the per-unit program's
    error), or where their values are not at hand (a step's value, or a form that does not compile)."""
    if computed & (names_in(node.base) | names_in(node.exponent)):
        return _unknown
    try:
        base, exponent = compile_node(node.base), compile_node(node.exponent)
    except unsupported:
        return _unknown

    def run(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
        scope = {k: v for k, v in cols.items() if k not in (SEND_BACK, ZERO_DIVISOR)}  # (its marks: its own)
        np = numpy()
        e = exponent(scope, n)
        whole = np.asarray(e.num % e.den == 0, dtype=bool)
        inside = np.asarray(abs(e.num) <= LIMITS.max_exponent * e.den, dtype=bool)
        zero = (
            np.asarray(base(scope, n).num == 0, dtype=bool)
            & np.asarray(e.num < 0, dtype=bool)
            & whole
            & inside
        )
        return np.zeros(n, dtype=bool), zero, ~(whole & inside), np.zeros(n, dtype=np.int64)

    return run


def in_turn(parts: Sequence[tuple[Any, Any]]) -> Any:
    """Parts evaluated one after another, each where its gate holds (None: always), up to the first
    that stops: where each kind of stop comes first (see :func:`follow`)."""
    parts = [(gate, part) for gate, part in parts if part is not _never]
    if not parts:
        return _never
    if len(parts) == 1 and parts[0][0] is None:
        return parts[0][1]

    def run(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
        np = numpy()
        b, z, u, p = _never(cols, n)
        stopped = b.copy()
        for gate, part in parts:
            # (a gate's condition marks its own rows: what the formula cannot work out is marked where
            # the formula itself runs, not by following it here)
            here = (
                ~stopped
                if gate is None
                else ~stopped & gate({k: v for k, v in cols.items() if k != SEND_BACK}, n)
            )
            if not here.any():
                continue
            mb, mz, mu, mp = part(cols, n)
            b, z, u = b | (here & mb), z | (here & mz), u | (here & mu)
            p = np.where(here, mp, p)
            stopped = b | z | u
        return b, z, u, p

    return run


def names_in(node: Node) -> set[str]:
    """The names *node* reads."""
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Num):
        return set()
    if isinstance(node, Percent | Unary | Power | Chain | Compare | BoolOp | Call):
        return set().union(*(names_in(o) for o in children(node)))
    raise Unsure
