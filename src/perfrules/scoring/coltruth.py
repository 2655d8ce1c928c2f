"""Truth values as columns: a step whose value is a condition (``达标 = 完成率 >= 1``), per row.

The per-unit program (:mod:`perfrules.formula.compute`) keeps a comparison's
value, ``and``/``or``/``not`` and an ``if(…)`` branch that is one, as a truth
value: a step may hold one (``steps: 达标 = 完成率 >= 1``), which a condition
then reads as it is (``if(达标, 10, 5)``, a policy's ``when = "达标"``), and
``if(c, a>=b, b)`` holds one in the rows that take that branch. Anywhere a
number is needed (arithmetic, a function, a comparison, a score) it raises
(``True (truth value) used where a number is needed``, ``a truth value cannot
be compared as a number``, ``the score formula of … gave a truth value``).

A :class:`TruthColumn` is such a value over a batch: per row whether it is a
truth value (``truth``), which one (``holds``), and the number of the rows
that hold a number (``value``). :func:`as_number` reads it where a number is
needed: the rows holding a truth value are marked (the per-unit program
raises there; the indicator's own step words the error:
:mod:`~perfrules.scoring.colfailures`), and take 1 — never 0, so that no
division by them counts as a division by 0 the default for no data would take.

Elsewhere a step's truth value goes where the per-unit program puts it: a zero
rule that holds on the step puts the number 0 in its place (:func:`zeroed_truth`);
a scale or a ``part`` grading it is handed it as it is (the lookup of distinct
inputs, :mod:`~perfrules.scoring.collookup`; a threshold scale of one value
reads it by :func:`as_number`: the scale refuses a truth value, the
indicator's step words that); another indicator's rules read it by name
(:mod:`~perfrules.scoring.colstepreads`), and the total's rules, run once per
distinct input, are given it as it is (:func:`values`, each keyed by
:class:`Held`: the total's rules, the total formula, the overall grading).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import exact
from ..formula.tree import BoolOp, Compare, Node, Unary
from .colsteps import send_back

__all__ = [
    "Held",
    "TruthColumn",
    "as_number",
    "as_truth",
    "is_condition",
    "merged",
    "held",
    "of_condition",
    "values",
    "zeroed_truth",
]


@attrs.frozen(eq=False)
class TruthColumn:
    """A value per row that is a truth value (``holds``) where ``truth``, else ``value``'s number."""

    holds: Any  # bool array
    truth: Any  # bool array
    value: IntColumn


def as_number(col: Any, cols: dict[str, Any]) -> IntColumn:
    """*col* where a number is needed: a truth column's truth rows marked in *cols* (the per-unit
    program raises there) and read as 1; any other column as it is."""
    if not isinstance(col, TruthColumn):
        return col  # type: ignore[no-any-return]
    send_back(cols, col.truth)
    value = col.value
    num = value.num.copy() if value.den < SAFE else as_objects(value.num)
    num[col.truth] = value.den
    return IntColumn(num, value.den, max(value.bound, value.den))


def of_condition(holds: Any, n: int) -> TruthColumn:
    """A truth value in every row (a condition's value)."""
    np = numpy()
    return TruthColumn(holds, np.ones(n, dtype=bool), IntColumn(np.ones(n, dtype=np.int64), 1, 1))


def merged(pick: Any, a: Any, b: Any, common: Any) -> TruthColumn:
    """*a* where *pick*, else *b* (either a truth column or numbers); *common* puts two number
    columns over one denominator (numerators, denominator, bound)."""
    np = numpy()
    n = len(pick)
    parts = [as_truth(c, n) for c in (a, b)]
    nums, den, bound = common([p.value for p in parts])
    return TruthColumn(
        np.where(pick, parts[0].holds, parts[1].holds),
        np.where(pick, parts[0].truth, parts[1].truth),
        IntColumn(np.where(pick, nums[0], nums[1]), den, bound),
    )


def as_truth(col: Any, n: int) -> TruthColumn:
    """*col* as a truth column (a number column: a number in every row)."""
    if isinstance(col, TruthColumn):
        return col
    none = numpy().zeros(n, dtype=bool)
    return TruthColumn(none, none, col)


def zeroed_truth(col: TruthColumn, rows: Any) -> TruthColumn:
    """*col* with the number 0 in *rows* (a zero rule on the step held there): the per-unit program
    puts ``Decimal(0)`` in place of the step's value, truth value or not."""
    value = col.value
    num = value.num.copy()
    num[rows] = 0
    return TruthColumn(col.holds & ~rows, col.truth & ~rows, IntColumn(num, value.den, value.bound))


def values(col: TruthColumn) -> list[object]:
    """*col*'s value per row as the per-unit program holds it: ``True``/``False`` where a truth value,
    else the exact number (a ``Decimal`` where it is one, else a ``Fraction``)."""
    value = col.value
    den = value.den
    return [
        bool(h) if t else exact(Fraction(int(v), den))
        for h, t, v in zip(col.holds.tolist(), col.truth.tolist(), value.num.tolist(), strict=True)
    ]


@attrs.frozen
class Held:
    """A row's value of a truth column as a key of distinct inputs: ``value`` as :func:`values` gives
    it, told apart by whether it is a truth value (``True`` and the number 1 are equal in Python, and
    hash alike: a key of the value alone would take one for the other)."""

    value: object
    truth: bool


def held(col: TruthColumn) -> list[Held]:
    """*col*'s :func:`values`, each as a :class:`Held` key."""
    return [Held(v, type(v) is bool) for v in values(col)]


def is_condition(node: Node) -> bool:
    """Whether *node* is a truth value by its form (a comparison, ``and``/``or``, ``not``)."""
    return isinstance(node, Compare | BoolOp) or (isinstance(node, Unary) and node.op == "not")
