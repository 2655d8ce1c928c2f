"""Grade bands and the values they cover: intervals, bands, grading results, and score settings.

The building blocks of a grading rule (评估标准): an :class:`Interval` of one
measured value, a :class:`GradeBand` (a grade with its conditions or points),
and the :class:`GradeResult` grading gives. :class:`~perfrules.GradeScale`
puts bands together (``_scale``).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, TypeAlias

import attrs

from .._numbers import EXACT_CONTEXT, Number, exact, round_half_up, tidy_decimal, to_number
from ..formula.compute import _constant as _constant_value
from ..formula.language import Formula
from ..formula.text import normalize_name
from ..formula.tree import BoolOp, Compare, Name, Node, Unary

__all__ = [
    "DEFAULT_SCORES",
    "GapPolicy",
    "GradeBand",
    "GradeResult",
    "Interval",
    "MatchPolicy",
    "Scoring",
    "intervals_of",
]

MatchPolicy: TypeAlias = Literal["exclusive", "first", "lowest", "highest"]
"""How a grade is chosen when several bands' conditions hold.

- ``exclusive``: exactly one band may hold; overlaps are an error when the
  scale is built (threshold scales) or when a value arrives (others).
- ``first``: the first band that holds, best first; later bands are not
  evaluated.
- ``lowest``: 就低不就高 — every band is evaluated, the worst that holds wins.
- ``highest``: every band is evaluated, the best that holds wins.
"""

Scoring: TypeAlias = Literal["interpolate", "midpoint", "points", "none"]
"""How a grade becomes a score.

- ``none``: grades only, no score (an overall grading of totals needs no
  score interval per grade).

- ``interpolate``: a value's linear position inside its band, mapped onto the
  grade's score interval (threshold scales only).
- ``midpoint``: the middle of the grade's score interval (区中值).
- ``points``: each band's fixed ``points``.
"""

GapPolicy: TypeAlias = Literal["error", "lower", "upper"]

DEFAULT_SCORES: Final[Mapping[str, tuple[Number, Number]]] = {
    "优": (Decimal(90), Decimal(100)),
    "良": (Decimal(80), Decimal(90)),
    "中": (Decimal(60), Decimal(80)),
    "差": (Decimal(0), Decimal(60)),
}
"""Score interval of each grade when a scale does not set its own.

The seeds do not state them; 优 90–100, 良 80–90, 中 60–80, 差 0–60 is the
most common choice in published schemes. Grades with other names (良好,
合格 …) have no default: give ``scores=`` or fixed ``points``.
"""


# ---------------------------------------------------------------------------
# Intervals
# ---------------------------------------------------------------------------


def _fmt(value: Number | None) -> str:
    """A number for messages: exact when it terminates, else ≈ four places."""
    if value is None:
        return "∞"
    if type(value) is Decimal:
        return str(tidy_decimal(value))
    shown = exact(value)
    if isinstance(shown, Fraction):
        return "≈" + str(tidy_decimal(round_half_up(shown, 4)))
    return str(shown)


@attrs.frozen(kw_only=True)
class Interval:
    """A set of numbers between two bounds; ``None`` means unbounded.

    >>> Interval(lo=Decimal("0.9"), lo_closed=True, hi=Decimal(1), hi_closed=False)
    Interval([0.9, 1))
    """

    lo: Number | None = None
    lo_closed: bool = False
    hi: Number | None = None
    hi_closed: bool = False

    def __repr__(self) -> str:
        return f"Interval({self})"

    def __str__(self) -> str:
        if self.is_point:
            return f"{{{_fmt(self.lo)}}}"
        left = "[" if self.lo_closed and self.lo is not None else "("
        right = "]" if self.hi_closed and self.hi is not None else ")"
        lo = "-∞" if self.lo is None else _fmt(self.lo)
        return f"{left}{lo}, {_fmt(self.hi)}{right}"

    @property
    def is_point(self) -> bool:
        """Whether the interval is one number (``=100%``)."""
        return self.lo is not None and self.lo == self.hi and self.lo_closed and self.hi_closed

    @property
    def is_empty(self) -> bool:
        """Whether no number lies inside."""
        if self.lo is None or self.hi is None:
            return False
        if self.lo > self.hi:
            return True
        return self.lo == self.hi and not (self.lo_closed and self.hi_closed)

    @property
    def is_bounded(self) -> bool:
        """Whether both ends are finite."""
        return self.lo is not None and self.hi is not None

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Decimal | Fraction | int):
            return False
        if self.lo is not None and (value < self.lo or (value == self.lo and not self.lo_closed)):
            return False
        return not (self.hi is not None and (value > self.hi or (value == self.hi and not self.hi_closed)))

    def intersect(self, other: Interval) -> Interval:
        """The numbers in both intervals."""
        lo, lo_closed = self.lo, self.lo_closed
        if other.lo is not None and (lo is None or other.lo > lo or (other.lo == lo and not other.lo_closed)):
            lo, lo_closed = other.lo, other.lo_closed
        hi, hi_closed = self.hi, self.hi_closed
        if other.hi is not None and (hi is None or other.hi < hi or (other.hi == hi and not other.hi_closed)):
            hi, hi_closed = other.hi, other.hi_closed
        return Interval(lo=lo, lo_closed=lo_closed, hi=hi, hi_closed=hi_closed)


_EVERYTHING: Final = Interval()


def _flip(op: str) -> str:
    return {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}[op]


def _bound(op: str, value: Number) -> Interval | None:
    """The interval of ``x op value``."""
    if op == "<":
        return Interval(hi=value, hi_closed=False)
    if op == "<=":
        return Interval(hi=value, hi_closed=True)
    if op == ">":
        return Interval(lo=value, lo_closed=False)
    if op == ">=":
        return Interval(lo=value, lo_closed=True)
    if op == "=":
        return Interval(lo=value, lo_closed=True, hi=value, hi_closed=True)
    return None  # != is not an interval


def _number_constant(node: Node) -> Number | None:
    folded, value = _constant_value(node)
    if folded and isinstance(value, Decimal | Fraction):
        return value
    return None


def intervals_of(node: Node) -> tuple[str, list[Interval]] | None:
    """The variable and intervals a condition describes, if it is that simple.

    ``90%≤x<100%`` → ``('x', [[0.9, 1)])``; ``x<1 or x>3`` → two intervals;
    anything involving two variables, ``!=`` or ``not`` → ``None``.
    """
    if isinstance(node, Compare):
        result = _EVERYTHING
        variable: str | None = None
        left = node.first
        for op, right in node.rest:
            if isinstance(left, Name) and (const := _number_constant(right)) is not None:
                name, bound = left.name, _bound(op, const)
            elif isinstance(right, Name) and (const := _number_constant(left)) is not None:
                name, bound = right.name, _bound(_flip(op), const)
            else:
                return None
            if bound is None or (variable is not None and name != variable):
                return None
            variable = name
            result = result.intersect(bound)
            left = right
        assert variable is not None
        return variable, [result]
    if isinstance(node, BoolOp):
        parts = [intervals_of(o) for o in node.operands]
        if any(p is None for p in parts):
            return None
        names = {p[0] for p in parts if p is not None}
        if len(names) != 1:
            return None
        (name,) = names
        if node.op == "or":
            return name, [iv for p in parts if p is not None for iv in p[1]]
        combined = [_EVERYTHING]
        for p in parts:
            assert p is not None
            combined = [a.intersect(b) for a in combined for b in p[1]]
        return name, combined
    if isinstance(node, Unary):
        return None
    return None


# ---------------------------------------------------------------------------
# Bands and results
# ---------------------------------------------------------------------------


def _to_conditions(value: object) -> tuple[Formula, ...]:
    if isinstance(value, Formula | str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(
            f"'conditions' must be formulas or texts (got {value!r} of type {type(value).__name__})"
        )
    out = []
    for item in value:
        if isinstance(item, Formula):
            out.append(item)
        elif isinstance(item, str):
            out.append(Formula.parse_condition(item))
        else:
            raise TypeError(
                f"a condition must be a Formula or text (got {item!r} of type {type(item).__name__})"
            )
    return tuple(out)


_D_SUB: Final = EXACT_CONTEXT.subtract
_D_ADD: Final = EXACT_CONTEXT.add
_D_MUL: Final = EXACT_CONTEXT.multiply
_D_DIV: Final = EXACT_CONTEXT.divide
_HUNDRED: Final = Decimal(100)


def _interpolate_decimal(
    value: Number, lo: Number, hi: Number, low: Number, high: Number, direction: bool
) -> tuple[Decimal, Number] | None:
    """A value's place in its band and its score, in exact Decimal arithmetic when that is exact.

    None when any step would round (the caller then works in fractions), so
    the result is the same exact number either way.
    """
    if not (type(value) is type(lo) is type(hi) is type(low) is type(high) is Decimal):
        return None
    try:
        position = _D_DIV(_D_SUB(value, lo), _D_SUB(hi, lo))
        if not direction:
            position = _D_SUB(Decimal(1), position)
        score = _D_ADD(low, _D_MUL(position, _D_SUB(high, low)))
    except (decimal.Inexact, decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
        return None
    return position, tidy_decimal(score)


def _grade_name(value: str) -> str:
    return normalize_name(value)


def _optional_number(value: object) -> Number | None:
    return None if value is None else to_number(value, name="points")


def _score_pair(value: object) -> tuple[Number, Number] | None:
    if value is None:
        return None
    if not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"'score' must be a (low, high) pair (got {value!r})")
    lo, hi = (to_number(v, name="score") for v in value)
    if lo > hi:
        raise ValueError(f"'score' high must be >= low (got low={lo}, high={hi})")
    return lo, hi


@attrs.frozen(kw_only=True)
class GradeBand:
    """One grade of a grading rule.

    Attributes:
        name: the grade (优, 良, 合格 …).
        conditions: when the band applies; several mean any of them (或).
            Empty for a categorical band, which applies when the input *is*
            the grade name (``优—6分``).
        points: a fixed score for this grade, if the rule gives one.
        score: this band's score interval, overriding the scale's ``scores``.

    >>> GradeBand(name="良", conditions=["90%≤完成率<100%"]).conditions[0].variables
    frozenset({'完成率'})
    """

    name: str = attrs.field(converter=_grade_name)
    conditions: tuple[Formula, ...] = attrs.field(default=(), converter=_to_conditions)
    points: Number | None = attrs.field(default=None, converter=_optional_number)
    score: tuple[Number, Number] | None = attrs.field(default=None, converter=_score_pair)

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not value:
            raise ValueError("a grade band needs a name (got an empty string)")

    @property
    def variables(self) -> frozenset[str]:
        """Every name the band's conditions read."""
        return frozenset().union(*(c.variables for c in self.conditions))

    def __str__(self) -> str:
        if not self.conditions:
            return f"{self.name}—{_fmt(self.points)}分"
        return f"{self.name}：" + "，或".join(c.expression for c in self.conditions)


@attrs.frozen(kw_only=True)
class GradeResult:
    """The grade of a value (or values) and how it was decided.

    Attributes:
        grade: the grade's name.
        score: the score, exact.
        rank: the band's position, 0 for the best.
        condition: the condition that decided it (None for categorical bands
            and for values taken from a threshold scale's closed gap).
        matched: every band whose conditions held, best first (more than one
            only under the ``first``, ``lowest`` and ``highest`` policies).
        scoring: how the score was found: ``interpolate``, ``midpoint`` or
            ``points``.
        detail: one sentence that explains the score.
        interval: for threshold scales, the band's interval the value fell in.
        position: for interpolated scores, how far through the band the value
            lies (0 at the worse end, 1 at the better end).
        score_interval: the grade's score interval.
    """

    grade: str
    score: Number | None
    rank: int
    condition: Formula | None
    matched: tuple[str, ...]
    scoring: Scoring
    detail: str
    interval: Interval | None = None
    position: Number | None = None
    score_interval: tuple[Number, Number] | None = None

    def __str__(self) -> str:
        return self.grade if self.score is None else f"{self.grade} ({_fmt(self.score)})"
