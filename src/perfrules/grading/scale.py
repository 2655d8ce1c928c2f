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

import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from .._errors import EvaluationError, InvalidValueError, Problem, SchemeError
from .._frozen import FrozenDict
from .._numbers import Number, as_fraction, exact, round_half_up, tidy_decimal, to_number
from ..formula.language import Formula, normalize_name
from ..formula.tree import Name
from .bands import (
    _D_MUL,
    _EVERYTHING,
    _HUNDRED,
    DEFAULT_SCORES,
    GapPolicy,
    GradeBand,
    GradeResult,
    Interval,
    MatchPolicy,
    Scoring,
    _fmt,
    _interpolate_decimal,
    _score_pair,
    intervals_of,
)
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
    # A threshold scale's pieces as plain tuples (name, lo, lo_closed, hi, hi_closed), for classify_number.
    _cuts: tuple[tuple[str, Number | None, bool, Number | None, bool], ...] = attrs.field(
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
                        if not iv.is_bounded and self.bands[i].points is None:
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
        value = self._rounded(to_number(values, name=threshold.variable))
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

    def classify_number(self, value: Number) -> str:
        """The grade of an exact number already checked (a ``Decimal`` or ``Fraction`` within the limits).

        What :meth:`classify` gives for the number, without reading it again:
        scoring calls this on scores it computed itself.

        >>> GradeScale.parse("优：x≥90；良：x<90", domain=(0, 100)).classify_number(Decimal(90))
        '优'
        """
        if not self._cuts:
            return self.classify(value)
        if self.precision is not None:
            value = self._rounded(value)
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
                    scoring="points"
                    if band.points is not None and self._scoring == "interpolate"
                    else self._scoring,
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
        if self._scoring == "points" or (band.points is not None and self._scoring == "interpolate"):
            # A band with fixed points scores them under interpolation too (an
            # open-ended band such as 70%以下计0分 needs no scale of its own).
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
