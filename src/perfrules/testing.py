"""Hypothesis strategies for testing code that uses perfrules.

Ship these in your own property tests, e.g. "every value gets exactly one
grade" or "a formula survives a round trip through its text"::

    from hypothesis import given
    from perfrules import testing as prst

    @given(prst.formulas(names=["完成数", "总数"]))
    def test_round_trip(formula):
        assert Formula.parse(str(formula)) == formula

The project's own tests use them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from ._formula import (
    BoolOp,
    Call,
    Chain,
    Compare,
    Formula,
    Name,
    Node,
    Num,
    Percent,
    Power,
    Unary,
    show,
)

__all__ = [
    "DEFAULT_NAMES",
    "exact_numbers",
    "formula_texts",
    "formulas",
    "input_values",
]

DEFAULT_NAMES: tuple[str, ...] = (
    "完成数",
    "总数",
    "得分",
    "政府投资项目(A类)完成率",
    "GDP产出",
    "x",
)
"""Names the strategies use when none are given; one needs quoting."""


def exact_numbers(
    *, min_value: int = -1000, max_value: int = 1000, places: int = 4
) -> st.SearchStrategy[Decimal | Fraction]:
    """Exact numbers as perfrules returns them: short Decimals and small Fractions."""
    decimals = st.decimals(
        min_value=min_value, max_value=max_value, places=places, allow_nan=False, allow_infinity=False
    )
    fractions = st.fractions(min_value=min_value, max_value=max_value, max_denominator=1000)
    return st.one_of(decimals, fractions)


def input_values() -> st.SearchStrategy[Any]:
    """Anything a caller might put in a values mapping, valid or not."""
    return st.one_of(
        st.integers(),
        st.floats(),
        st.decimals(),
        st.fractions(),
        st.booleans(),
        st.none(),
        st.text(max_size=5),
    )


def _literal() -> st.SearchStrategy[Node]:
    return st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False).map(
        lambda d: Num(d)
    )


def _number_trees(names: Sequence[str]) -> st.SearchStrategy[Node]:
    leaves = st.one_of(_literal(), st.sampled_from([Name(n) for n in names]))

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        ops_add = st.sampled_from(["+", "-"])
        ops_mul = st.sampled_from(["*", "/"])
        small_exponent = st.integers(min_value=0, max_value=3).map(lambda n: Num(Decimal(n)))
        return st.one_of(
            st.builds(Percent, children),
            st.builds(lambda op, x: Unary(op, x), st.sampled_from(["-", "+"]), children),
            st.builds(Power, children, small_exponent),
            st.builds(
                lambda first, rest: Chain(first, tuple(rest)),
                children,
                st.lists(st.tuples(ops_add, children), min_size=1, max_size=3),
            ),
            st.builds(
                lambda first, rest: Chain(first, tuple(rest)),
                children,
                st.lists(st.tuples(ops_mul, children), min_size=1, max_size=3),
            ),
            st.builds(
                lambda f, args: Call(f, tuple(args)),
                st.sampled_from(["min", "max", "sum", "avg"]),
                st.lists(children, min_size=1, max_size=3),
            ),
            st.builds(lambda x: Call("abs", (x,)), children),
            st.builds(lambda x, lo, hi: Call("clamp", (x, lo, hi)), children, children, children),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def _condition_trees(names: Sequence[str]) -> st.SearchStrategy[Node]:
    numbers = _number_trees(names)
    compare_ops = st.sampled_from(["<", "<=", ">", ">=", "=", "!="])
    comparisons = st.builds(
        lambda first, rest: Compare(first, tuple(rest)),
        numbers,
        st.lists(st.tuples(compare_ops, numbers), min_size=1, max_size=2),
    )

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.one_of(
            st.builds(lambda x: Unary("not", x), children),
            st.builds(
                lambda op, xs: BoolOp(op, tuple(xs)),
                st.sampled_from(["and", "or"]),
                st.lists(children, min_size=2, max_size=3),
            ),
        )

    return st.recursive(comparisons, extend, max_leaves=4)


def formula_texts(
    names: Sequence[str] = DEFAULT_NAMES, *, conditions: bool = False
) -> st.SearchStrategy[str]:
    """Valid formula texts over *names* (arithmetic, or conditions if asked)."""
    trees = _condition_trees(names) if conditions else _number_trees(names)
    return trees.map(show)


def formulas(
    names: Sequence[str] = DEFAULT_NAMES, *, conditions: bool = False
) -> st.SearchStrategy[Formula]:
    """Parsed formulas over *names*; with ``conditions=True``, truth-valued ones."""
    parse = Formula.parse_condition if conditions else Formula.parse
    return formula_texts(names, conditions=conditions).map(parse)
