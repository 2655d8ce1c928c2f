"""The formula tree: its frozen nodes, the functions a formula may call, and printing a tree back as text.

``parse`` (in ``syntax``) builds these nodes; ``compute`` turns them into exact
arithmetic; ``show`` prints a tree so that it parses back to an equal one.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar, Final, TypeAlias

import attrs

from .text import _KEYWORDS, _name_run

__all__ = [
    "children",
    "FUNCTIONS",
    "FUNCTION_ALIASES",
    "POPULATION_FUNCTIONS",
    "BoolOp",
    "Call",
    "Chain",
    "Compare",
    "Name",
    "Node",
    "Num",
    "Percent",
    "Power",
    "Unary",
    "literal_value",
    "show",
]

# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------

# Static kinds, checked while parsing so that `1 + (a<b)` fails at once.
_NUM, _BOOL, _ANY = "number", "truth value", "any"


@attrs.frozen
class Num:
    """A number literal."""

    value: Decimal

    precedence: ClassVar[int] = 10


@attrs.frozen
class Name:
    """A value looked up by name."""

    name: str

    precedence: ClassVar[int] = 10


@attrs.frozen
class Percent:
    """``x%``: *x* divided by 100."""

    operand: Node

    precedence: ClassVar[int] = 9


@attrs.frozen
class Power:
    """``base ^ exponent`` with a whole-number exponent."""

    base: Node
    exponent: Node

    precedence: ClassVar[int] = 8


@attrs.frozen
class Unary:
    """``-x``, ``+x`` or ``not x``."""

    op: str
    operand: Node

    @property
    def precedence(self) -> int:
        return 3 if self.op == "not" else 7


@attrs.frozen
class Chain:
    """A left-associative run of ``+ -`` (additive) or ``* /`` (multiplicative)."""

    first: Node
    rest: tuple[tuple[str, Node], ...]

    @property
    def precedence(self) -> int:
        return 5 if self.rest[0][0] in "+-" else 6


@attrs.frozen
class Compare:
    """A comparison, possibly chained: ``90% <= x < 100%``."""

    first: Node
    rest: tuple[tuple[str, Node], ...]

    precedence: ClassVar[int] = 4


@attrs.frozen
class BoolOp:
    """``a and b and …`` or ``a or b or …``."""

    op: str
    operands: tuple[Node, ...]

    @property
    def precedence(self) -> int:
        return 2 if self.op == "and" else 1


@attrs.frozen
class Call:
    """A call of one of :data:`FUNCTIONS`."""

    func: str
    args: tuple[Node, ...]

    precedence: ClassVar[int] = 10


Node: TypeAlias = Num | Name | Percent | Power | Unary | Chain | Compare | BoolOp | Call

# name: (min args, max args or None, kind of arguments, kind of result)
FUNCTIONS: Final[Mapping[str, tuple[int, int | None, str, str]]] = {
    "min": (1, None, _NUM, _NUM),
    "max": (1, None, _NUM, _NUM),
    "abs": (1, 1, _NUM, _NUM),
    "sum": (1, None, _NUM, _NUM),
    "avg": (1, None, _NUM, _NUM),
    "count": (1, None, _BOOL, _NUM),
    "round": (1, 2, _NUM, _NUM),
    "clamp": (3, 3, _NUM, _NUM),
    "floor": (1, 1, _NUM, _NUM),
    "ceil": (1, 1, _NUM, _NUM),
    "trunc": (1, 1, _NUM, _NUM),
    "if": (3, 3, _ANY, _ANY),
    # Population functions: a value over every unit scored together (R20).
    "max_of": (1, 1, _NUM, _NUM),
    "min_of": (1, 1, _NUM, _NUM),
    "mean_of": (1, 1, _NUM, _NUM),
    "sum_of": (1, 1, _NUM, _NUM),
    "count_of": (1, 1, _NUM, _NUM),
}
"""The functions formulas may call: name → (min args, max args, argument kind, result kind)."""

POPULATION_FUNCTIONS: Final = frozenset({"max_of", "min_of", "mean_of", "sum_of", "count_of"})
"""Functions whose value is taken over all the units scored together (or a category of them)."""

FUNCTION_ALIASES: Final[Mapping[str, str]] = {
    "最大值": "max_of",
    "最高值": "max_of",
    "最小值": "min_of",
    "最低值": "min_of",
    "平均值": "mean_of",
    "总和": "sum_of",
}
"""Chinese names of the population functions, as schemes print them (最大值(人均税收))."""


def literal_value(node: Node) -> Decimal | None:
    """The value of a literal number, possibly signed or a percentage."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Unary) and node.op in "+-":
        inner = literal_value(node.operand)
        if inner is not None:
            return -inner if node.op == "-" else inner
    if isinstance(node, Percent):
        inner = literal_value(node.operand)
        if inner is not None:
            return inner.scaleb(-2)
    return None


# ---------------------------------------------------------------------------
# Printing (str(formula) parses back to an equal formula)
# ---------------------------------------------------------------------------


def _show_name(name: str) -> str:
    if (
        name not in _KEYWORDS
        and _name_run(name, 0) == len(name)
        and not name[0].isdigit()
        and name.isprintable()
    ):
        return name
    if "」" not in name:
        return f"「{name}」"
    return f"`{name}`"


def _show_number(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def show(node: Node, parent: int = 0) -> str:
    """Canonical text of a tree, with only the parentheses it needs."""
    text = _show(node)
    return f"({text})" if node.precedence < parent else text


def _show(node: Node) -> str:
    if isinstance(node, Num):
        return _show_number(node.value)
    if isinstance(node, Name):
        return _show_name(node.name)
    if isinstance(node, Percent):
        return show(node.operand, 10) + "%"
    if isinstance(node, Power):
        return f"{show(node.base, 9)}^{show(node.exponent, 7)}"
    if isinstance(node, Unary):
        if node.op == "not":
            return f"not {show(node.operand, 3)}"
        return node.op + show(node.operand, 7)
    if isinstance(node, Chain):
        prec = node.precedence
        # A first operand of the same precedence was bracketed in the source
        # (the parser flattens unbracketed runs), so keep its brackets.
        parts = [show(node.first, prec + 1)]
        for op, operand in node.rest:
            parts.append(f" {op} " if prec == 5 else op)
            parts.append(show(operand, prec + 1))
        return "".join(parts)
    if isinstance(node, Compare):
        parts = [show(node.first, 5)]
        for op, operand in node.rest:
            parts.append(f" {'==' if op == '=' else op} {show(operand, 5)}")
        return "".join(parts)
    if isinstance(node, BoolOp):
        inner = node.precedence + 1
        return f" {node.op} ".join(show(o, inner) for o in node.operands)
    return f"{node.func}({', '.join(show(a) for a in node.args)})"


def _names(node: Node) -> set[str]:
    if isinstance(node, Name):
        return {node.name}
    found: set[str] = set()
    for child in children(node):
        found |= _names(child)
    return found


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly under *node* (its operands or arguments), in the order they are written."""
    if isinstance(node, Percent | Unary):
        return (node.operand,)
    if isinstance(node, Power):
        return (node.base, node.exponent)
    if isinstance(node, Chain | Compare):
        return (node.first, *(n for _, n in node.rest))
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, Call):
        return node.args
    return ()


def _population_calls(node: Node) -> list[Call]:
    """Every population-function call in a tree, outermost first."""
    if isinstance(node, Call) and node.func in POPULATION_FUNCTIONS:
        return [node]
    found: list[Call] = []
    for child in children(node):
        found.extend(_population_calls(child))
    return found
