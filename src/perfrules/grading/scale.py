"""A grading rule (评估标准) as one checked object: the grade scale, its settings, and what it grades.

A :class:`GradeScale` is the ordered set of :class:`GradeBand` of one
indicator, best first. Each band has a grade name (优, 良, 合格 …) and either
conditions on measured values (several conditions mean "any of them", the
seeds' 或) or a fixed number of points (优—6分).

Scales whose bands are all intervals of one measured value (R1, R2) are
*threshold scales*: perfrules reads the intervals out of the conditions, checks
them for gaps, overlaps, order and unreachable bands when the scale is built
(``checks``), and places a value's score inside its grade's score interval by
linear interpolation. Every other scale (several values, categorical inputs,
R7, R11, R12) grades by evaluating its conditions under the scale's match
policy (``decide``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._errors import InvalidValueError, Problem, SchemeError
from .._frozen import FrozenDict
from .._numbers import Number, as_fraction, exact, to_number
from ..formula.language import Formula, normalize_name
from .bands import (
    DEFAULT_SCORES,
    GapPolicy,
    GradeBand,
    GradeResult,
    Interval,
    MatchPolicy,
    Scoring,
    intervals_of,
)
from .checks import Threshold, analyse, resolve_scoring, to_bands, to_domain, to_levels, to_scores
from .decide import grade_category, grade_conditions, grade_threshold, interval_or_none, rounded
from .reach import reachability

__all__ = [
    "DEFAULT_SCORES",
    "GradeBand",
    "GradeResult",
    "GradeScale",
    "Interval",
    "MatchPolicy",
    "Scoring",
]


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

    >>> from decimal import Decimal
    >>> scale = GradeScale.parse("优：完成率=100%；良：90%≤完成率<100%；中：80%≤完成率<90%；差：完成率<80%。",
    ...                          domain=(0, 1))
    >>> scale.grade(Decimal("0.95")).grade, scale.grade(Decimal("0.95")).score
    ('良', Decimal('85'))
    """

    bands: tuple[GradeBand, ...] = attrs.field(converter=to_bands)
    policy: MatchPolicy = "exclusive"
    scoring: Scoring | None = None
    scores: Mapping[str, tuple[Number, Number]] = attrs.field(
        factory=lambda: dict(DEFAULT_SCORES), converter=to_scores
    )
    domain: Interval | None = attrs.field(default=None, converter=to_domain)
    gaps: GapPolicy = "error"
    levels: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=to_levels)
    precision: int | None = None
    counts: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset, eq=False, repr=False)
    source: str | None = attrs.field(default=None, eq=False, repr=False)
    source_variable: str = attrs.field(default="得分", eq=False, repr=False)
    _threshold: Threshold | None = attrs.field(init=False, repr=False, eq=False)
    _scoring: Scoring = attrs.field(init=False, repr=False, eq=False)
    _notes: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    # Derived once, so grading does no name normalising or tree walking.
    _by_name: dict[str, GradeBand] = attrs.field(init=False, repr=False, eq=False)
    _variables: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    _midpoints: dict[str, Number] = attrs.field(init=False, repr=False, eq=False)
    _band_intervals: dict[str, tuple[tuple[Formula, tuple[Interval, ...]], ...]] = attrs.field(
        init=False, repr=False, eq=False
    )
    # A threshold scale's pieces as plain tuples (name, lo, lo_closed, hi, hi_closed), for classify_number.
    _cuts: tuple[tuple[str, Number | None, bool, Number | None, bool], ...] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if self.precision is not None and (
            isinstance(self.precision, bool)
            or not isinstance(self.precision, int)
            or not 0 <= self.precision <= 10
        ):
            problems.append(Problem("precision", f"must be a whole number 0–10 (got {self.precision!r})"))
            object.__setattr__(self, "precision", None)
        notes: list[str] = []
        threshold = analyse(self, problems, notes)
        scoring = resolve_scoring(self, threshold, problems)
        if problems:
            raise SchemeError(problems, title="invalid grade scale")
        object.__setattr__(self, "_threshold", threshold)
        object.__setattr__(self, "_notes", tuple(notes))
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
            interval = interval_or_none(self, band.name)
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
        cuts: tuple[tuple[str, Number | None, bool, Number | None, bool], ...] = ()
        if threshold is not None:
            cuts = tuple(
                (band.name, iv.lo, iv.lo_closed, iv.hi, iv.hi_closed)
                for band, pieces in zip(self.bands, threshold.pieces, strict=True)
                for iv, _ in pieces
            )
        object.__setattr__(self, "_cuts", cuts)
        if threshold is None and not self.is_categorical:
            object.__setattr__(self, "_notes", (*self._notes, *self._reachability_notes()))

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
        (X≤v≤Y) and measure words after numbers (``3宗``, ``5项``); 含 marks
        (``90（含）-100``, ``85分以上95分以下（不含95分）``), ``=0``, ``20-30%``,
        symmetric bands (``±30%（含）以内``), English bands (``90 or above``,
        ``60 to below 90``, ``below 60``), entries as ``…为优秀`` and points by
        condition (``≥90%，计5分；…``). Text from ``说明`` on is ignored.

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
        >>> from decimal import Decimal
        >>> rule = "≥90%，计5分；80%（含）-90%，计4分；80%以下（不含），计0分"
        >>> GradeScale.parse(rule).grade(Decimal("0.8")).score
        Decimal('4')
        """
        from .phrases import parse_bands

        bands, counts = parse_bands(text, names=names, variable=variable)
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
        value = rounded(to_number(values, name=threshold.variable), self.precision)
        for band, pieces in zip(self.bands, threshold.pieces, strict=True):
            for iv, _ in pieces:
                if value in iv:
                    return band.name
        return self.grade(values).grade  # outside the domain: grade() says so

    @property
    def cuts(self) -> tuple[tuple[str, Number | None, bool, Number | None, bool], ...]:
        """A threshold scale's bands as ``(grade, lo, lo_closed, hi, hi_closed)``, in the order
        :meth:`classify_number` tries them (empty for other scales): what a caller grading many
        values at once needs.

        >>> GradeScale.parse("优：x≥90；良：x<90", domain=(0, 100)).cuts[0]
        ('优', Decimal('90'), True, Decimal('100'), True)
        """
        return self._cuts

    @property
    def pieces(self) -> tuple[tuple[GradeBand, Interval, bool | None], ...]:
        """A threshold scale's pieces as ``(band, interval, direction)`` in :attr:`cuts` order (empty
        for other scales); *direction* is True where larger values score higher in the band, None
        where neither (the best band of a two-sided scale).

        >>> scale = GradeScale.parse("优：x≥90；良：x<90", domain=(0, 100))
        >>> [(b.name, str(iv), d) for b, iv, d in scale.pieces]
        [('优', '[90, 100]', True), ('良', '[0, 90)', True)]
        """
        threshold = self._threshold
        if threshold is None:
            return ()
        return tuple(
            (band, iv, direction)
            for band, pieces in zip(self.bands, threshold.pieces, strict=True)
            for iv, direction in pieces
        )

    def classify_number(self, value: Number) -> str:
        """The grade of an exact number already checked (a ``Decimal`` or ``Fraction`` within the limits).

        What :meth:`classify` gives for the number, without reading it again:
        scoring calls this on scores it computed itself.

        >>> from decimal import Decimal
        >>> GradeScale.parse("优：x≥90；良：x<90", domain=(0, 100)).classify_number(Decimal(90))
        '优'
        """
        if not self._cuts:
            return self.classify(value)
        if self.precision is not None:
            value = rounded(value, self.precision)
        for name, lo, lo_closed, hi, hi_closed in self._cuts:
            if lo is not None and (value < lo or (not lo_closed and value == lo)):
                continue
            if hi is not None and (value > hi or (not hi_closed and value == hi)):
                continue
            return name
        return self.grade(value).grade  # outside the domain: grade() says so

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

        >>> from decimal import Decimal
        >>> GradeScale.parse("优：错案率=0；良：0<错案率≤1%；中：1%<错案率≤3%；差：错案率>3%",
        ...                  domain=(0, 1)).grade(Decimal("0.02")).grade
        '中'
        """
        if self.is_categorical:
            return grade_category(self, values)
        mapping = self._as_mapping(values)
        if self._threshold is not None:
            return grade_threshold(self, self._threshold, self._band_intervals, mapping, explain)
        return grade_conditions(self, mapping)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the checks noticed that is not an error: shared boundary points, unreachable grades.

        >>> GradeScale.parse("90分以上为优秀，80分以上90分以下为良好，不足80分为一般", scoring="none").notes
        ("90 is printed in both '优秀' and '良好'; it goes to the better grade '优秀'",)
        """
        return self._notes

    def _reachability_notes(self) -> list[str]:
        return reachability(
            self.bands,
            variables=self.variables,
            levels=self.levels,
            counts=self.counts,
            policy=self.policy,
            as_mapping=self._as_mapping,
        )

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
                k: (
                    rounded(to_number(v, name=k), self.precision)
                    if k in own and not isinstance(v, str | bool)
                    else v
                )
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

    def __str__(self) -> str:
        return "；".join(str(b) for b in self.bands) + "。"
