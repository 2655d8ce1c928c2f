"""Grading rules (评估标准) as data: grade bands and grade scales.

A :class:`GradeScale` is the ordered set of :class:`GradeBand` of one
indicator, best first. Each band has a grade name (优, 良, 合格 …) and either
conditions on measured values (several conditions mean "any of them", the
seeds' 或) or a fixed number of points (优—6分).

Scales whose bands are all intervals of one measured value (R1, R2) are
*threshold scales*: perfrules reads the intervals out of the conditions, checks
them for gaps, overlaps, order and unreachable bands when the scale is built,
and places a value's score inside its grade's score interval by linear
interpolation. Every other scale (several values, categorical inputs, R7, R11,
R12) grades by evaluating its conditions under the scale's match policy.
"""

from __future__ import annotations

import decimal
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal, TypeAlias

import attrs

from ._compute import _constant as _constant_value
from ._errors import DefinitionError, EvaluationError, InvalidValueError, Problem, SchemeError
from ._formula import Formula
from ._frozen import FrozenDict
from ._numbers import EXACT_CONTEXT, Number, as_fraction, exact, round_half_up, tidy_decimal, to_number
from ._syntax import BoolOp, Compare, Name, Node, Unary, _children, normalize_name

__all__ = [
    "DEFAULT_SCORES",
    "GradeBand",
    "GradeResult",
    "GradeScale",
    "Interval",
    "MatchPolicy",
    "Scoring",
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


# ---------------------------------------------------------------------------
# Scales
# ---------------------------------------------------------------------------


def _to_bands(value: object) -> tuple[GradeBand, ...]:
    if not isinstance(value, Iterable) or isinstance(value, str | bytes):
        raise TypeError(f"'bands' must be a sequence of GradeBand (got {type(value).__name__})")
    bands = tuple(value)
    for band in bands:
        if not isinstance(band, GradeBand):
            raise TypeError(
                f"'bands' must hold GradeBand objects (got {band!r} of type {type(band).__name__})"
            )
    return bands


def _to_scores(value: object) -> Mapping[str, tuple[Number, Number]]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'scores' must map grade names to (low, high) pairs (got {type(value).__name__})")
    out: dict[str, tuple[Number, Number]] = {}
    for key, pair in value.items():
        checked = _score_pair(pair)
        assert checked is not None
        out[normalize_name(str(key))] = checked
    return FrozenDict(out)


def _to_domain(value: object) -> Interval | None:
    if value is None or isinstance(value, Interval):
        return value
    if isinstance(value, Sequence) and len(value) == 2:
        lo, hi = (None if v is None else to_number(v, name="domain") for v in value)
        return Interval(lo=lo, lo_closed=lo is not None, hi=hi, hi_closed=hi is not None)
    raise TypeError(f"'domain' must be an Interval or a (low, high) pair (got {value!r})")


def _to_levels(value: object) -> Mapping[str, Number]:
    if isinstance(value, Mapping):
        return FrozenDict(
            {normalize_name(str(k)): to_number(v, name=f"levels[{k}]") for k, v in value.items()}
        )
    if isinstance(value, Sequence) and not isinstance(value, str):
        # best first: the best level gets the largest number
        names = [normalize_name(str(v)) for v in value]
        return FrozenDict({n: Decimal(len(names) - i - 1) for i, n in enumerate(names)})
    raise TypeError(f"'levels' must be a mapping or a best-first list of labels (got {value!r})")


@attrs.frozen(kw_only=True)
class _Threshold:
    """What a threshold scale knows about its bands after analysis."""

    variable: str
    # per band: its intervals (after gap closing) and, for each, whether
    # larger values are better there (None: the middle of a two-sided scale)
    pieces: tuple[tuple[tuple[Interval, bool | None], ...], ...]
    domain: Interval

    @property
    def intervals(self) -> tuple[tuple[Interval, ...], ...]:
        return tuple(tuple(iv for iv, _ in band) for band in self.pieces)


@attrs.frozen(kw_only=True)
class GradeScale:
    """The ordered bands of one grading rule, best first.

    A scale that exists is valid: it is checked when it is built, and every
    problem is reported at once with the bands and values concerned.

    Attributes:
        bands: the grades, best first.
        policy: how to choose when several bands hold (see ``MatchPolicy``).
        scoring: how a grade becomes a score (see ``Scoring``); by default
            ``points`` when every band has points, ``interpolate`` for
            threshold scales, ``midpoint`` otherwise.
        scores: score interval per grade name; defaults to ``DEFAULT_SCORES``.
        domain: the values that can occur, as ``(low, high)`` (either may be
            ``None``); it closes open-ended bands for interpolation, and values
            outside it are refused. For rates, ``(0, 1)``.
        gaps: threshold scales only — what a value between two bands gets:
            ``error`` (the default: a gap is a mistake in the scale),
            ``lower`` (the band below it) or ``upper`` (the band above it).
            Use ``lower`` for bands written in whole numbers, such as 80-89
            and 90以上, so that 89.5 is graded with 80-89.
        levels: names of ordered categorical values (良好 > 合格 > 不合格) and
            the numbers they stand for in conditions; text inputs equal to a
            level are read as its number. A best-first list gives 2, 1, 0 ….
        precision: values are rounded half up (四舍五入) to this many decimal
            places before grading, so bands written in whole points (80—89分)
            need only cover the rounded values; ``None`` grades values as they are.
        counts: measured values that are whole counts from 0 up (宗, 件, 项 …);
            the text reader sets them from measure words. They only sharpen the
            check for grades that no input can reach.
        notes: what the checks noticed that is not an error (a boundary point
            two printed bands share, a grade no input can reach).
        source: the published text the scale was parsed from, if any (kept
            so that scheme files can be written back with the rule as
            published; not part of equality).
        source_variable: the ``variable`` that text was parsed with.

    >>> scale = GradeScale.parse("优：完成率=100%；良：90%≤完成率<100%；中：80%≤完成率<90%；差：完成率<80%。",
    ...                          domain=(0, 1))
    >>> scale.grade(Decimal("0.95")).grade, scale.grade(Decimal("0.95")).score
    ('良', Decimal('85'))
    """

    bands: tuple[GradeBand, ...] = attrs.field(converter=_to_bands)
    policy: MatchPolicy = "exclusive"
    scoring: Scoring | None = None
    scores: Mapping[str, tuple[Number, Number]] = attrs.field(
        factory=lambda: dict(DEFAULT_SCORES), converter=_to_scores
    )
    domain: Interval | None = attrs.field(default=None, converter=_to_domain)
    gaps: GapPolicy = "error"
    levels: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_to_levels)
    precision: int | None = None
    counts: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset, eq=False, repr=False)
    source: str | None = attrs.field(default=None, eq=False, repr=False)
    source_variable: str = attrs.field(default="得分", eq=False, repr=False)
    _threshold: _Threshold | None = attrs.field(init=False, repr=False, eq=False)
    _scoring: Scoring = attrs.field(init=False, repr=False, eq=False)
    _notes: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    # Derived once, so grading does no name normalising or tree walking.
    _by_name: dict[str, GradeBand] = attrs.field(init=False, repr=False, eq=False)
    _variables: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    _midpoints: dict[str, Number] = attrs.field(init=False, repr=False, eq=False)
    _band_intervals: dict[str, tuple[tuple[Formula, tuple[Interval, ...]], ...]] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        object.__setattr__(self, "_notes", ())
        if self.precision is not None and (
            isinstance(self.precision, bool)
            or not isinstance(self.precision, int)
            or not 0 <= self.precision <= 10
        ):
            problems.append(Problem("precision", f"must be a whole number 0–10 (got {self.precision!r})"))
            object.__setattr__(self, "precision", None)
        threshold = self._analyse(problems)
        scoring = self._resolve_scoring(threshold, problems)
        if problems:
            raise SchemeError(problems, title="invalid grade scale")
        object.__setattr__(self, "_threshold", threshold)
        object.__setattr__(self, "_scoring", scoring)
        object.__setattr__(self, "_by_name", {b.name: b for b in self.bands})
        found = frozenset().union(*(b.variables for b in self.bands))
        object.__setattr__(self, "_variables", found - frozenset(self.levels))
        midpoints: dict[str, Number] = {}
        for band in self.bands:
            if scoring == "none":
                break
            if scoring == "points" and band.points is not None:
                midpoints[band.name] = band.points
                continue
            interval = self._interval_or_none(band.name)
            if interval is not None:
                midpoints[band.name] = exact((as_fraction(interval[0]) + as_fraction(interval[1])) / 2)
        object.__setattr__(self, "_midpoints", midpoints)
        band_intervals = {}
        for band in self.bands:
            pairs = []
            for cond in band.conditions:
                ivs = intervals_of(cond.tree)
                if ivs is not None:
                    pairs.append((cond, tuple(ivs[1])))
            band_intervals[band.name] = tuple(pairs)
        object.__setattr__(self, "_band_intervals", band_intervals)
        if threshold is None and not self.is_categorical:
            object.__setattr__(self, "_notes", (*self._notes, *self._reachability_notes()))

    # -- checks ----------------------------------------------------------
    def _analyse(self, problems: list[Problem]) -> _Threshold | None:
        if self.policy not in ("exclusive", "first", "lowest", "highest"):
            problems.append(Problem("policy", f"unknown policy {self.policy!r}"))
        if self.gaps not in ("error", "lower", "upper"):
            problems.append(Problem("gaps", f"unknown gap policy {self.gaps!r}"))
        if not self.bands:
            problems.append(Problem("bands", "a scale needs at least one band"))
            return None
        names = [b.name for b in self.bands]
        for i, name in enumerate(names):
            if name in names[:i]:
                problems.append(Problem(f"bands[{i}]", f"grade '{name}' appears twice"))
        categorical = [not b.conditions for b in self.bands]
        if any(categorical) and not all(categorical):
            problems.append(
                Problem("bands", "either every band has conditions or none has (a categorical scale)")
            )
            return None
        if all(categorical):
            for i, band in enumerate(self.bands):
                if band.points is None and band.score is None and band.name not in self.scores:
                    problems.append(Problem(f"bands[{i}]", f"categorical grade '{band.name}' has no points"))
            return None
        for i, band in enumerate(self.bands):
            for j, cond in enumerate(band.conditions):
                if not cond.is_condition and not isinstance(cond.tree, Name):
                    problems.append(Problem(f"bands[{i}].conditions[{j}]", "is not a condition"))
        analysed = []
        for band in self.bands:
            per_band: list[Interval] = []
            variable: str | None = None
            for cond in band.conditions:
                found = intervals_of(cond.tree)
                if found is None or (variable is not None and found[0] != variable):
                    return None
                variable = found[0]
                per_band.extend(found[1])
            analysed.append((variable, per_band))
        variables = {v for v, _ in analysed}
        if len(variables) != 1:
            return None
        (variable,) = variables
        assert variable is not None
        if variable in self.levels:
            return None
        return self._check_threshold(variable, [ivs for _, ivs in analysed], problems)

    def _check_threshold(
        self, variable: str, intervals: list[list[Interval]], problems: list[Problem]
    ) -> _Threshold | None:
        domain = self.domain or _EVERYTHING
        pieces: list[tuple[Interval, int]] = []
        for i, (band, ivs) in enumerate(zip(self.bands, intervals, strict=True)):
            kept = [iv.intersect(domain) for iv in ivs]
            kept = [iv for iv in kept if not iv.is_empty]
            if not kept:
                where = " within the domain" if self.domain else ""
                shown = "，或".join(c.expression for c in band.conditions)
                problems.append(
                    Problem(f"bands[{i}]", f"band '{band.name}' ({shown}) covers no value{where}")
                )
            pieces.extend((iv, i) for iv in kept)
        if problems:
            return None
        pieces.sort(key=lambda p: (_low_key(p[0]), not p[0].lo_closed))
        ranks = [band for _, band in pieces]
        pivot = ranks.index(0)
        # Best first: grades get better (ranks fall) up to the best band's
        # first piece and worse after it — one way for ordinary scales, both
        # ways for two-sided ones (优 near a target value).
        rising = all(a >= b for a, b in itertools.pairwise(ranks[: pivot + 1]))
        falling = all(a <= b for a, b in itertools.pairwise(ranks[pivot:]))
        if not (rising and falling):
            order = ", ".join(f"{self.bands[b].name} {iv}" for iv, b in pieces)
            problems.append(
                Problem("bands", f"bands are out of order: list them best first ({order} from low to high)")
            )
            return None
        if self.policy == "exclusive":
            pieces = self._share_points(pieces)
        self._check_cover(pieces, domain, problems)
        if problems:
            return None
        if self.gaps != "error":
            pieces = self._close_gaps(pieces)
        per_band: list[list[tuple[Interval, bool | None]]] = [[] for _ in self.bands]
        last = len(pieces) - 1
        for k, (iv, index) in enumerate(pieces):
            if k < pivot or (k == pivot and pivot == last):
                direction: bool | None = True  # larger values are better here
            elif k > pivot or (k == pivot == 0 and last > 0):
                direction = False
            else:
                direction = None  # the best band in the middle of a two-sided scale
            per_band[index].append((iv, direction))
        return _Threshold(
            variable=variable,
            pieces=tuple(tuple(p) for p in per_band),
            domain=domain,
        )

    def _check_cover(
        self, pieces: list[tuple[Interval, int]], domain: Interval, problems: list[Problem]
    ) -> None:
        """Walk the sorted intervals once, reporting gaps and (for exclusive scales) overlaps."""
        names = [b.name for b in self.bands]
        # Everything below `val` is covered, and `val` itself when `closed`;
        # `unbounded` means no value is covered yet (-∞) or all are (+∞).
        val: Number | None = domain.lo
        closed = not domain.lo_closed
        to_infinity = False
        last: int | None = None
        for iv, band in pieces:
            if to_infinity:
                if self.policy == "exclusive":
                    self._overlap(problems, names[last or 0], names[band])
                continue
            gap: Number | None = None
            if iv.lo is not None and (val is None or iv.lo >= val):
                gap = self._lattice_point(val, closed, iv.lo, iv.lo_closed)
            if gap is not None and (self.gaps == "error" or last is None):
                if last is None:
                    where = f"below '{names[band]}'"
                else:
                    where = f"between '{names[last]}' and '{names[band]}'"
                hint = (
                    "; close the gap, set gaps='lower' or 'upper', or round values first (precision)"
                    if last is not None
                    else ""
                )
                problems.append(Problem("bands", f"no band covers values {where} (e.g. {_fmt(gap)}){hint}"))
            elif gap is None and last is not None and self.policy == "exclusive":
                assert val is not None
                if iv.lo is None or iv.lo < val or (iv.lo == val and closed and iv.lo_closed):
                    self._overlap(problems, names[last], names[band])
            if iv.hi is None:
                to_infinity, last = True, band
            elif val is None or last is None or iv.hi > val or (iv.hi == val and iv.hi_closed and not closed):
                val, closed, last = iv.hi, iv.hi_closed, band
        if to_infinity:
            return
        end = names[last] if last is not None else "the lowest band"
        if domain.hi is None and val is not None:
            problems.append(
                Problem(
                    "bands",
                    f"no band covers values above {_fmt(val)} (after '{end}'); "
                    "if no value can be larger, declare the scale's domain (e.g. domain=(0, 1) for rates)",
                )
            )
        elif val is None or self._lattice_point(val, closed, domain.hi, not domain.hi_closed) is not None:
            problems.append(
                Problem(
                    "bands", f"no band covers values from {_fmt(val)} to the domain's end {_fmt(domain.hi)}"
                )
            )

    def _share_points(self, pieces: list[tuple[Interval, int]]) -> list[tuple[Interval, int]]:
        """A boundary point two printed bands both include goes to the better grade (with a note).

        "90分以上为优秀，80分以上90分以下为良好": 以上 and 以下 both include 90
        (包括本数), so 90 is printed in both bands; schemes mean the better one.
        """
        out = list(pieces)
        notes: list[str] = []
        for k in range(len(out) - 1):
            (a, ia), (b, ib) = out[k], out[k + 1]
            if ia == ib or a.hi is None or b.lo is None or a.hi != b.lo:
                continue
            if not (a.hi_closed and b.lo_closed):
                continue
            point = a.hi
            if ia > ib:  # the lower piece belongs to the worse band
                out[k] = (attrs.evolve(a, hi_closed=False), ia)
            else:
                out[k + 1] = (attrs.evolve(b, lo_closed=False), ib)
            better, worse = self.bands[min(ia, ib)].name, self.bands[max(ia, ib)].name
            notes.append(
                f"{_fmt(point)} is printed in both '{better}' and '{worse}'; "
                f"it goes to the better grade '{better}'"
            )
        out = [(iv, i) for iv, i in out if not iv.is_empty]
        object.__setattr__(self, "_notes", (*self._notes, *notes))
        return out

    def _lattice_point(
        self, val: Number | None, closed: bool, hi: Number | None, hi_covered: bool
    ) -> Number | None:
        """A value the scale can meet that lies after *val* and before *hi*, if any.

        Without ``precision`` any number between them; with it, only values
        rounded to that many places can occur, so 89 < x < 90 is no gap for
        whole points.
        """
        if val is None:
            return None if hi is None else as_fraction(hi) - 1
        if self.precision is None:
            if hi is None:
                return as_fraction(val) + 1
            if hi > val:
                return exact((as_fraction(val) + as_fraction(hi)) / 2) if closed else val
            return val if (hi == val and not closed and not hi_covered) else None
        q = Fraction(1, 10**self.precision)
        start = as_fraction(val)
        m = Fraction(-((-start) // q)) * q  # the first multiple of q at or above val
        if m == start and closed:
            m += q
        if hi is None or m < hi or (m == hi and not hi_covered):
            return exact(m)
        return None

    @staticmethod
    def _overlap(problems: list[Problem], a: str, b: str) -> None:
        message = (
            f"bands '{a}' and '{b}' overlap; fix the boundaries, "
            "or choose policy='first', 'lowest' or 'highest'"
        )
        if Problem("bands", message) not in problems:
            problems.append(Problem("bands", message))

    def _close_gaps(self, pieces: list[tuple[Interval, int]]) -> list[tuple[Interval, int]]:
        """Stretch bands over the gaps between them (gaps='lower' or 'upper')."""
        grown = list(pieces)
        for k in range(len(grown) - 1):
            (a, band_a), (b, band_b) = grown[k], grown[k + 1]
            if a.hi is None or b.lo is None:
                continue
            if a.hi > b.lo or (a.hi == b.lo and (a.hi_closed or b.lo_closed)):
                continue
            if self.gaps == "lower":
                grown[k] = (attrs.evolve(a, hi=b.lo, hi_closed=not b.lo_closed), band_a)
            else:
                grown[k + 1] = (attrs.evolve(b, lo=a.hi, lo_closed=not a.hi_closed), band_b)
        return grown

    def _resolve_scoring(self, threshold: _Threshold | None, problems: list[Problem]) -> Scoring:
        scoring = self.scoring
        if scoring is None:
            if all(b.points is not None for b in self.bands):
                scoring = "points"
            elif threshold is not None:
                scoring = "interpolate"
            else:
                scoring = "midpoint"
        if scoring not in ("interpolate", "midpoint", "points", "none"):
            problems.append(Problem("scoring", f"unknown scoring {scoring!r}"))
            return "midpoint"
        if scoring == "none":
            return scoring
        for i, band in enumerate(self.bands):
            if scoring == "points":
                if band.points is None:
                    problems.append(Problem(f"bands[{i}].points", f"grade '{band.name}' has no points"))
            elif band.score is None and band.name not in self.scores and band.points is None:
                problems.append(
                    Problem(
                        f"bands[{i}]",
                        f"grade '{band.name}' has no score interval: "
                        f"give scores={{'{band.name}': (low, high)}}",
                    )
                )
        if scoring == "interpolate":
            if threshold is None:
                problems.append(
                    Problem(
                        "scoring",
                        "'interpolate' needs bands that are intervals of one value; "
                        "use 'midpoint' or 'points'",
                    )
                )
            else:
                for i, ivs in enumerate(threshold.intervals):
                    for iv in ivs:
                        if not iv.is_bounded:
                            problems.append(
                                Problem(
                                    f"bands[{i}]",
                                    f"band '{self.bands[i].name}' {iv} is open-ended, so a value's "
                                    "place in it has no scale: declare the scale's domain "
                                    "(e.g. domain=(0, 1) for rates), give the band fixed points, "
                                    "or use scoring='midpoint'",
                                )
                            )
        return scoring

    # -- construction from text ------------------------------------------
    @classmethod
    def parse(
        cls,
        text: str,
        *,
        names: Iterable[str] | None = None,
        variable: str = "得分",
        **settings: Any,
    ) -> GradeScale:
        """Read a grading rule as the documents print it.

        Entries look like ``优：条件；`` or ``优—6分；``, with ASCII or full-width
        punctuation and line breaks anywhere. Several conditions joined by
        ``，或`` mean any of them. Plain phrases are understood too:
        ``没有X`` (X=0), ``X以上`` / ``X以下`` (≥X / ≤X, 包括本数), ``X-Y``
        (X≤v≤Y) and measure words after numbers (``3宗``, ``5项``). Text from
        ``说明`` on is ignored.

        Args:
            text: the rule.
            names: known names with brackets (see ``Formula.parse``).
            variable: the measured value for phrases that do not name one
                (``90分以上``).
            **settings: any other ``GradeScale`` field (``domain``, ``policy``,
                ``scores``, ``gaps``, ``levels``, ``scoring``).

        Raises:
            SchemeError: the rule cannot be read or the scale is invalid; every
                problem is listed.

        >>> GradeScale.parse("优—6分；良—4分；合格—2分；不合格—0分").grade("良").score
        Decimal('4')
        """
        bands, counts = _parse_bands(text, names=names, variable=variable)
        settings.setdefault("counts", counts)
        if names is None:
            settings.setdefault("source", text)
            settings.setdefault("source_variable", variable)
        return cls(bands=bands, **settings)

    # -- grading ---------------------------------------------------------
    @property
    def variables(self) -> frozenset[str]:
        """Every measured name the conditions read (levels excluded)."""
        return self._variables

    @property
    def is_threshold(self) -> bool:
        """Whether the bands are intervals of one measured value."""
        return self._threshold is not None

    @property
    def is_categorical(self) -> bool:
        """Whether the input is the grade itself (``优—6分``)."""
        return all(not b.conditions for b in self.bands)

    @property
    def effective_scoring(self) -> Scoring:
        """The scoring in force, after the default was resolved."""
        return self._scoring

    @property
    def higher_is_better(self) -> bool | None:
        """For threshold scales, whether larger values get better grades (None: neither, or two-sided)."""
        if self._threshold is None:
            return None
        directions = {d for band in self._threshold.pieces for _, d in band}
        return directions.pop() if len(directions) == 1 else None

    def intervals(self, name: str) -> tuple[Interval, ...]:
        """The values that get grade *name* (threshold scales), gaps closed and domain applied.

        >>> GradeScale.parse("优：x≥90；良：x<90", domain=(0, 100)).intervals("良")
        (Interval([0, 90)),)
        """
        if self._threshold is None:
            raise TypeError("only threshold scales (intervals of one value) have intervals")
        index = self.bands.index(self.band(name))
        return self._threshold.intervals[index]

    @property
    def boundaries(self) -> tuple[Number, ...]:
        """Every finite end of every band's interval, sorted (threshold scales; else empty)."""
        if self._threshold is None:
            return ()
        ends = {
            end
            for band in self._threshold.intervals
            for iv in band
            for end in (iv.lo, iv.hi)
            if end is not None
        }
        return tuple(sorted(ends, key=as_fraction))

    @property
    def variable(self) -> str | None:
        """The measured value of a threshold scale."""
        return None if self._threshold is None else self._threshold.variable

    def band(self, name: str) -> GradeBand:
        """The band of grade *name*."""
        band = self._by_name.get(name) or self._by_name.get(normalize_name(name))
        if band is not None:
            return band
        raise KeyError(f"no grade '{name}' in this scale (grades: {', '.join(b.name for b in self.bands)})")

    def score_interval(self, name: str) -> tuple[Number, Number]:
        """The score interval of grade *name*."""
        band = self.band(name)
        if band.score is not None:
            return band.score
        if band.name in self.scores:
            return self.scores[band.name]
        if band.points is not None:
            return band.points, band.points
        raise KeyError(f"grade '{name}' has no score interval")

    def midpoint(self, name: str) -> Number:
        """区中值: the middle of grade *name*'s score interval (its points, if fixed)."""
        band = self.band(name)
        if band.name in self._midpoints:
            return self._midpoints[band.name]
        self.score_interval(name)  # raises KeyError: no score interval
        raise AssertionError("unreachable")  # pragma: no cover

    def classify(self, values: object) -> str:
        """Only the grade's name: cheaper than :meth:`grade` on threshold scales.

        >>> GradeScale.parse("优：x≥90；良：x<90", domain=(0, 100)).classify(95)
        '优'
        """
        threshold = self._threshold
        if threshold is None or isinstance(values, Mapping):
            return self.grade(values).grade
        value = self._rounded(to_number(values, name=threshold.variable))
        for band, pieces in zip(self.bands, threshold.pieces, strict=True):
            for iv, _ in pieces:
                if value in iv:
                    return band.name
        return self.grade(values).grade  # outside the domain: grade() says so

    def grade(self, values: object, *, explain: bool = True) -> GradeResult:
        """Grade a value, or a mapping of named values.

        Args:
            values: a number for one-variable scales, a grade name for
                categorical scales, or a mapping from names to values.
            explain: ``False`` leaves ``GradeResult.detail`` empty, for
                callers that only need the grade and the score (it saves
                formatting numbers on every call).

        Returns:
            The grade, its exact score, and what decided it.

        Raises:
            EvaluationError: no band holds (or several, under ``exclusive``),
                or the value is outside the domain; and the formula errors
                (``MissingValueError``, ``InvalidValueError`` …) of the
                conditions.

        >>> GradeScale.parse("优：错案率=0；良：0<错案率≤1%；中：1%<错案率≤3%；差：错案率>3%",
        ...                  domain=(0, 1)).grade(Decimal("0.02")).grade
        '中'
        """
        if self.is_categorical:
            return self._grade_category(values)
        mapping = self._as_mapping(values)
        if self._threshold is not None:
            return self._grade_threshold(mapping, explain)
        return self._grade_conditions(mapping)

    def _rounded(self, value: Number) -> Number:
        if self.precision is None:
            return value
        return tidy_decimal(round_half_up(value, self.precision))

    @property
    def notes(self) -> tuple[str, ...]:
        """What the checks noticed that is not an error: shared boundary points, unreachable grades.

        >>> GradeScale.parse("90分以上为优秀，80分以上90分以下为良好，不足80分为一般", scoring="none").notes
        ("90 is printed in both '优秀' and '良好'; it goes to the better grade '优秀'",)
        """
        return self._notes

    def _reachability_notes(self) -> list[str]:
        return _reachability(self)

    def _as_mapping(self, values: object) -> Mapping[str, object]:
        if isinstance(values, Mapping):
            mapping: Mapping[str, object] = values
        else:
            variables = self.variables
            if len(variables) != 1:
                raise InvalidValueError(
                    f"this scale reads {len(variables)} values ({', '.join(sorted(variables))}); "
                    "pass a mapping from names to values"
                )
            (name,) = variables
            mapping = {name: values}
        if self.levels:
            own = self.variables
            mapping = {k: (self._level(k, v) if k in own else v) for k, v in mapping.items()}
            mapping = {**mapping, **self.levels}
        if self.precision is not None:
            own = self.variables
            mapping = {
                k: (self._rounded(to_number(v, name=k)) if k in own and not isinstance(v, str | bool) else v)
                for k, v in mapping.items()
            }
        return mapping

    def _level(self, key: str, value: object) -> object:
        if isinstance(value, str):
            label = normalize_name(value.strip("\"'“”‘’「」"))
            if label not in self.levels:
                raise InvalidValueError(f"{key}={value!r} is not one of the levels {', '.join(self.levels)}")
            return self.levels[label]
        return value

    def _grade_category(self, value: object) -> GradeResult:
        if not isinstance(value, str):
            raise InvalidValueError(
                f"this scale grades a category; expected one of {', '.join(b.name for b in self.bands)} "
                f"(got {value!r} of type {type(value).__name__})"
            )
        try:
            band = self.band(value.strip("\"'“”‘’「」"))
        except KeyError as exc:
            raise InvalidValueError(str(exc.args[0])) from None
        rank = self.bands.index(band)
        score = band.points if band.points is not None else self.midpoint(band.name)
        scoring: Scoring = "points" if band.points is not None else "midpoint"
        return GradeResult(
            grade=band.name,
            score=score,
            rank=rank,
            condition=None,
            matched=(band.name,),
            scoring=scoring,
            detail=f"{band.name} gives {_fmt(score)}",
        )

    def _grade_threshold(self, mapping: Mapping[str, object], explain: bool = True) -> GradeResult:
        threshold = self._threshold
        assert threshold is not None
        name = threshold.variable
        if name not in mapping:
            # Let the formula machinery raise its usual error with suggestions.
            self.bands[0].conditions[0].evaluate(mapping)
        raw = mapping[name]
        value = self._rounded(to_number(raw, name=name))
        if value not in threshold.domain:
            raise EvaluationError(f"{name}={_fmt(value)} is outside the scale's domain {threshold.domain}")
        for rank, (band, pieces) in enumerate(zip(self.bands, threshold.pieces, strict=True)):
            for iv, direction in pieces:
                # Interval.__contains__, inlined: this runs for every graded value.
                lo, hi = iv.lo, iv.hi
                if lo is not None and (value < lo or (value == lo and not iv.lo_closed)):
                    continue
                if hi is not None and (value > hi or (value == hi and not iv.hi_closed)):
                    continue
                cond = self._deciding_condition(band, value)
                score, detail, position = self._score_in(band, iv, value, direction, explain)
                return GradeResult(
                    grade=band.name,
                    score=score,
                    rank=rank,
                    condition=cond,
                    matched=(band.name,),
                    scoring=self._scoring,
                    detail=f"{name}={_fmt(value)} lies in {band.name} {iv}; {detail}" if explain else "",
                    interval=iv,
                    position=position,
                    score_interval=self._interval_or_none(band.name),
                )
        raise EvaluationError(f"no grade for {name}={_fmt(value)}")  # unreachable after the checks

    def _deciding_condition(self, band: GradeBand, value: Number) -> Formula | None:
        for cond, ivs in self._band_intervals[band.name]:
            if any(value in iv for iv in ivs):
                return cond
        return None  # the value sits in a gap this band was stretched over

    def _interval_or_none(self, name: str) -> tuple[Number, Number] | None:
        try:
            return self.score_interval(name)
        except KeyError:
            return None

    def _score_in(
        self, band: GradeBand, iv: Interval, value: Number, direction: bool | None, explain: bool = True
    ) -> tuple[Number | None, str, Number | None]:
        if self._scoring == "none":
            return None, "the scale gives grades only", None
        if self._scoring == "points":
            assert band.points is not None
            return band.points, f"the grade gives {_fmt(band.points)} points", None
        lo, hi = self.score_interval(band.name)
        if self._scoring == "midpoint":
            mid = self.midpoint(band.name)
            return mid, f"score is the grade's midpoint (区中值) {_fmt(mid)} of {_fmt(lo)}–{_fmt(hi)}", None
        if iv.is_point or direction is None:
            what = "a single-value band" if iv.is_point else "the best band of a two-sided scale"
            return hi, f"{what} scores the top of {_fmt(lo)}–{_fmt(hi)}: {_fmt(hi)}", None
        assert iv.lo is not None and iv.hi is not None
        fast = _interpolate_decimal(value, iv.lo, iv.hi, lo, hi, direction)
        position: Number
        if fast is not None:
            position, score = fast
            share: Number = _D_MUL(position, _HUNDRED)
        else:
            span = as_fraction(iv.hi) - as_fraction(iv.lo)
            exact_position = (as_fraction(value) - as_fraction(iv.lo)) / span
            if not direction:
                exact_position = 1 - exact_position
            score = exact(as_fraction(lo) + exact_position * (as_fraction(hi) - as_fraction(lo)))
            position = exact(exact_position)
            share = exact(exact_position * 100)
        detail = (
            f"it is {_fmt(share)}% of the way up the band, so the score is that far "
            f"along {_fmt(lo)}–{_fmt(hi)}: {_fmt(score)}"
            if explain
            else ""
        )
        return score, detail, tidy_decimal(position) if type(position) is Decimal else position

    def _grade_conditions(self, mapping: Mapping[str, object]) -> GradeResult:
        held: list[tuple[int, Formula]] = []
        for rank, band in enumerate(self.bands):
            for cond in band.conditions:
                if cond.evaluate(mapping) is True:
                    held.append((rank, cond))
                    break
            if held and self.policy == "first":
                break
        if not held:
            shown = ", ".join(f"{k}={v}" for k, v in mapping.items() if k not in self.levels)
            raise EvaluationError(f"no grade's conditions hold for {shown}")
        matched = tuple(self.bands[r].name for r, _ in held)
        if self.policy == "exclusive" and len(held) > 1:
            raise EvaluationError(
                f"grades {', '.join(matched)} all hold; the scale's policy is 'exclusive' "
                "(choose 'lowest' for 就低不就高)"
            )
        rank, cond = held[-1] if self.policy == "lowest" else held[0]
        band = self.bands[rank]
        score: Number | None
        if self._scoring == "none":
            score, detail = None, "the scale gives grades only"
        elif self._scoring == "points" and band.points is not None:
            score = band.points
            detail = f"the grade gives {_fmt(score)} points"
        else:
            score = self.midpoint(band.name)
            lo, hi = self.score_interval(band.name)
            detail = f"score is the grade's midpoint (区中值) {_fmt(score)} of {_fmt(lo)}–{_fmt(hi)}"
        why = f"{cond.expression} holds"
        if len(held) > 1:
            rule = {"lowest": "lowest grade wins (就低不就高)", "highest": "highest grade wins"}.get(
                self.policy, "first match"
            )
            why += f"; {', '.join(matched)} all hold and the {rule}"
        return GradeResult(
            grade=band.name,
            score=score,
            rank=rank,
            condition=cond,
            matched=matched,
            scoring=self._scoring,
            detail=f"{why}; {detail}",
            score_interval=self._interval_or_none(band.name),
        )

    def __str__(self) -> str:
        return "；".join(str(b) for b in self.bands) + "。"


# ---------------------------------------------------------------------------
# Helpers for the interval checks
# ---------------------------------------------------------------------------


def _low_key(iv: Interval) -> Fraction:
    return Fraction(-(10**60)) if iv.lo is None else as_fraction(iv.lo)


# ---------------------------------------------------------------------------
# Reading rules from text
# ---------------------------------------------------------------------------

_HEADER: Final = re.compile(
    r"(?:^|(?<=[;。\n]))[ \t]*(?P<name>[^\s:;。,—\-0-9<>=!()%+*/^]{1,6})[ \t]*(?::|—|–|--)"
)
_POINTS: Final = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*分?$")
_COUNT_WORDS: Final = "宗件项个次条起人家名"
_UNITS: Final = _COUNT_WORDS + "天日分"
_UNIT_AFTER_NUMBER: Final = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?%?)[{_UNITS}](?=$|\W|以上|以下|及以)")
_COUNT_AFTER_NUMBER: Final = re.compile(rf"\d[{_COUNT_WORDS}]")
_NONE_OF: Final = re.compile(r"^(?:没有|无)(?P<name>.+)$")
_OR: Final = re.compile(r",\s*或|;\s*或|\s或\s")

# R24: the phrases of published bands. 以上、以下、以内、满、届满 include the
# number (包括本数); 不满、不足、超过、低于、高于 exclude it.
_P_NUM: Final = rf"(?P<{{n}}>\d+(?:\.\d+)?)\s*(?P<{{p}}>%)?\s*(?P<{{u}}>[{_UNITS}])?"
_PREFIX_OPS: Final = {
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "届满": ">=", "达到": ">=", "满": ">=",
    "不高于": "<=", "不超过": "<=", "不多于": "<=", "不大于": "<=",
    "不满": "<", "不足": "<", "低于": "<", "少于": "<", "小于": "<",
    "超过": ">", "高于": ">", "多于": ">", "大于": ">",
}  # fmt: skip
_SUFFIX_OPS: Final = {"及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<="}
_KW: Final = "|".join(sorted(_PREFIX_OPS, key=len, reverse=True))
_PHRASE: Final = re.compile(
    rf"(?:(?P<kw>{_KW})\s*{_P_NUM.format(n='a', p='ap', u='au')}"
    rf"|{_P_NUM.format(n='b', p='bp', u='bu')}\s*[—–\-~～至到]+\s*{_P_NUM.format(n='c', p='cp', u='cu')}"
    rf"|{_P_NUM.format(n='d', p='dp', u='du')}\s*(?P<suf>及以上|以上|及以下|以下|以内))"
    r"(?:且|并且|、|\s)*"
)
_ENTRY: Final = re.compile(r"^(?P<cond>.+)为(?P<grade>[^为:;,。\s]{1,8})$")


def _number_text(m: re.Match[str], n: str, p: str) -> str:
    return m.group(n) + ("%" if m.group(p) else "")


def _phrase_condition(text: str, variable: str) -> tuple[str, bool] | None:
    """Read a condition made only of band phrases, as formula text.

    ``80分以上90分以下`` → ``「得分」>=80 and 「得分」<=90``; ``总分不满60分``
    → ``「总分」<60``. A leading name (总分) is the measured value. Returns the
    text and whether a measure word of counting (宗, 件 …) was used, or None
    when the text is not such a phrase.
    """
    for cut in range(len(text)):
        prefix, rest = text[:cut], text[cut:]
        if prefix and (prefix[-1].isdigit() or prefix[-1] in ".%"):
            continue
        parts: list[str] = []
        count = False
        name = f"「{prefix or variable}」"
        pos = 0
        while pos < len(rest):
            m = _PHRASE.match(rest, pos)
            if m is None or m.end() == pos:
                break
            pos = m.end()
            if m.group("kw"):
                parts.append(f"{name}{_PREFIX_OPS[m.group('kw')]}{_number_text(m, 'a', 'ap')}")
                count |= bool(m.group("au")) and m.group("au") in _COUNT_WORDS
            elif m.group("suf"):
                parts.append(f"{name}{_SUFFIX_OPS[m.group('suf')]}{_number_text(m, 'd', 'dp')}")
                count |= bool(m.group("du")) and m.group("du") in _COUNT_WORDS
            else:
                parts.append(f"{_number_text(m, 'b', 'bp')}<={name}<={_number_text(m, 'c', 'cp')}")
                count |= any(m.group(u) and m.group(u) in _COUNT_WORDS for u in ("bu", "cu"))
        if parts and pos == len(rest):
            return " and ".join(parts), count
    return None


def _phrase(text: str, variable: str) -> tuple[str, bool]:
    """Rewrite a plain-language condition into formula text (and whether it counts items)."""
    read = _phrase_condition(text, variable)
    if read is not None:
        return read
    if m := _NONE_OF.match(text):
        return f"「{m.group('name')}」=0", True
    return _UNIT_AFTER_NUMBER.sub(r"\1", text), bool(_COUNT_AFTER_NUMBER.search(text))


def _entries(normalized: str) -> list[tuple[str, str]] | None:
    """``90分以上为优秀，80分以上90分以下为良好…`` as (grade, condition) pairs, or None."""
    pieces = [p.strip() for p in re.split(r"[,;。\n]", normalized) if p.strip()]
    found = []
    for piece in pieces:
        m = _ENTRY.match(re.sub(r"\s+", "", piece))
        if m is None:
            return None
        found.append((m.group("grade"), m.group("cond")))
    return found or None


def _parse_bands(
    text: str, *, names: Iterable[str] | None, variable: str
) -> tuple[list[GradeBand], frozenset[str]]:
    if not isinstance(text, str):
        raise SchemeError([Problem("", f"a grading rule must be text (got {type(text).__name__})")])
    normalized = normalize_name(text.replace("\n", "\x00")).replace("\x00", "\n")
    cut = normalized.find("说明")
    if cut >= 0:
        normalized = normalized[:cut]
    headers = list(_HEADER.finditer(normalized))
    entries: list[tuple[str, str]] = []
    if headers:
        for i, header in enumerate(headers):
            end = headers[i + 1].start() if i + 1 < len(headers) else len(normalized)
            body = re.sub(r"\s+", "", normalized[header.end() : end]).strip(";。,")
            entries.append((header.group("name"), body))
    else:
        entries = _entries(normalized) or []
    if not entries:
        raise SchemeError(
            [
                Problem(
                    "",
                    "no grades found: write entries as 优：条件；良：条件 …, 优—6分；良—4分 … "
                    "or 90分以上为优秀，80分以上不满90分为良好 …",
                )
            ],
            title="invalid grading rule",
        )
    problems: list[Problem] = []
    bands: list[GradeBand] = []
    counts: set[str] = set()
    known = list(names) if names is not None else None
    for i, (name, body) in enumerate(entries):
        path = f"bands[{i}]"
        if not body:
            problems.append(Problem(path, f"grade '{name}' has no condition"))
            continue
        if m := _POINTS.match(body):
            bands.append(GradeBand(name=name, points=Decimal(m.group("n"))))
            continue
        conditions = []
        for j, piece in enumerate(p for p in _OR.split(body.replace("，", ",")) if p):
            formula_text, counting = _phrase(piece, variable)
            try:
                condition = Formula.parse_condition(formula_text, names=known)
            except DefinitionError as exc:
                problems.append(Problem(f"{path}.conditions[{j}]", f"{exc}"))
                continue
            conditions.append(condition)
            if counting:
                counts |= condition.variables
        if conditions:
            bands.append(GradeBand(name=name, conditions=conditions))
    if problems:
        raise SchemeError(problems, title="invalid grading rule")
    return bands, frozenset(counts)


# ---------------------------------------------------------------------------
# Grades no input can reach
# ---------------------------------------------------------------------------

_MAX_COMBINATIONS: Final = 20_000


def _comparison_constants(node: Node, out: dict[str, set[Fraction]]) -> None:
    """Constants each name is compared with, anywhere in a condition."""
    if isinstance(node, Compare):
        left = node.first
        for _, right in node.rest:
            for a, b in ((left, right), (right, left)):
                if isinstance(a, Name) and (const := _number_constant(b)) is not None:
                    out.setdefault(a.name, set()).add(as_fraction(const))
            left = right
    for child in _children(node):
        _comparison_constants(child, out)


def _candidates(bounds: set[Fraction], count: bool) -> list[Fraction]:
    """Values on and between every boundary, and beyond both ends: one per cell of the line."""
    ordered = sorted(bounds)
    values = {ordered[0] - 1, ordered[-1] + 1, *ordered}
    values |= {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
    if count:
        values = {Fraction(int(v)) for v in values} | {Fraction(int(v)) + 1 for v in values}
        values = {v for v in values if v >= 0} | {Fraction(0)}
    return sorted(values)


def _reachability(scale: GradeScale) -> list[str]:
    """Grades that no combination of inputs can give (checked on every cell of the inputs' line).

    The outcome of interval conditions is constant between boundaries, so one
    value per boundary, per gap between boundaries and beyond the ends covers
    every case; categorical inputs take each level.
    """
    variables = sorted(scale.variables)
    if not variables:
        return []
    constants: dict[str, set[Fraction]] = {}
    for band in scale.bands:
        for cond in band.conditions:
            _comparison_constants(cond.tree, constants)
    options: list[list[object]] = []
    for name in variables:
        if scale.levels:
            options.append(list(dict.fromkeys(scale.levels)))
        elif name in constants:
            options.append(list(_candidates(constants[name], name in scale.counts)))
        else:
            return []  # a value we cannot enumerate: say nothing rather than guess
    size = 1
    for values in options:
        size *= len(values)
    if size > _MAX_COMBINATIONS:
        return []
    reached: set[int] = set()
    tried = 0
    for combo in itertools.product(*options):
        inputs = dict(zip(variables, combo, strict=True))
        try:
            mapping = scale._as_mapping(inputs)
            held = [
                rank
                for rank, band in enumerate(scale.bands)
                if any(c.evaluate(mapping) is True for c in band.conditions)
            ]
        except (EvaluationError, TypeError):
            continue
        tried += 1
        if not held:
            continue
        if scale.policy == "exclusive":
            if len(held) == 1:
                reached.add(held[0])
        elif scale.policy == "lowest":
            reached.add(held[-1])
        else:
            reached.add(held[0])
    if not tried:
        return []
    notes = []
    why = {
        "lowest": "whenever its conditions hold, a lower grade's conditions hold too, "
        "and the lowest grade wins (就低不就高)",
        "first": "whenever its conditions hold, an earlier grade's conditions hold too",
        "highest": "whenever its conditions hold, a better grade's conditions hold too",
        "exclusive": "its conditions never hold alone",
    }[scale.policy]
    for rank, band in enumerate(scale.bands):
        if rank not in reached:
            notes.append(f"grade '{band.name}' can never be given: {why}")
    return notes
