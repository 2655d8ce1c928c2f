"""Checking a grade scale as it is built: its settings read, its bands' intervals in order, no gap or overlap.

:func:`analyse` reads the bands of a threshold scale (R1, R2) as intervals of
one measured value and reports every gap, overlap, band out of order or band
that covers nothing; :func:`resolve_scoring` makes sure each band can be
scored the way the scale scores. ``GradeScale`` runs both when it is built,
so that a scale that exists is valid.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

import attrs

from .._errors import Problem
from .._frozen import FrozenDict
from .._numbers import Number, as_fraction, exact, to_number
from ..formula.language import normalize_name
from ..formula.tree import Name
from .bands import (
    _EVERYTHING,
    GapPolicy,
    GradeBand,
    Interval,
    MatchPolicy,
    Scoring,
    _fmt,
    _score_pair,
    intervals_of,
)

__all__ = [
    "ScaleSettings",
    "Threshold",
    "analyse",
    "resolve_scoring",
    "to_bands",
    "to_domain",
    "to_levels",
    "to_scores",
]


class ScaleSettings(Protocol):
    """What the checks read of a scale being built (a ``GradeScale``'s fields)."""

    @property
    def bands(self) -> tuple[GradeBand, ...]: ...
    @property
    def policy(self) -> MatchPolicy: ...
    @property
    def scoring(self) -> Scoring | None: ...
    @property
    def scores(self) -> Mapping[str, tuple[Number, Number]]: ...
    @property
    def domain(self) -> Interval | None: ...
    @property
    def gaps(self) -> GapPolicy: ...
    @property
    def levels(self) -> Mapping[str, Number]: ...
    @property
    def precision(self) -> int | None: ...


def to_bands(value: object) -> tuple[GradeBand, ...]:
    if not isinstance(value, Iterable) or isinstance(value, str | bytes):
        raise TypeError(f"'bands' must be a sequence of GradeBand (got {type(value).__name__})")
    bands = tuple(value)
    for band in bands:
        if not isinstance(band, GradeBand):
            raise TypeError(
                f"'bands' must hold GradeBand objects (got {band!r} of type {type(band).__name__})"
            )
    return bands


def to_scores(value: object) -> Mapping[str, tuple[Number, Number]]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'scores' must map grade names to (low, high) pairs (got {type(value).__name__})")
    out: dict[str, tuple[Number, Number]] = {}
    for key, pair in value.items():
        checked = _score_pair(pair)
        assert checked is not None
        out[normalize_name(str(key))] = checked
    return FrozenDict(out)


def to_domain(value: object) -> Interval | None:
    if value is None or isinstance(value, Interval):
        return value
    if isinstance(value, Sequence) and len(value) == 2:
        lo, hi = (None if v is None else to_number(v, name="domain") for v in value)
        return Interval(lo=lo, lo_closed=lo is not None, hi=hi, hi_closed=hi is not None)
    raise TypeError(f"'domain' must be an Interval or a (low, high) pair (got {value!r})")


def to_levels(value: object) -> Mapping[str, Number]:
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
class Threshold:
    """What a threshold scale knows about its bands after analysis."""

    variable: str
    # per band: its intervals (after gap closing) and, for each, whether
    # larger values are better there (None: the middle of a two-sided scale)
    pieces: tuple[tuple[tuple[Interval, bool | None], ...], ...]
    domain: Interval

    @property
    def intervals(self) -> tuple[tuple[Interval, ...], ...]:
        return tuple(tuple(iv for iv, _ in band) for band in self.pieces)


def analyse(scale: ScaleSettings, problems: list[Problem], notes: list[str]) -> Threshold | None:
    """A threshold scale's bands as checked intervals (None for other scales); adds problems and notes."""
    if scale.policy not in ("exclusive", "first", "lowest", "highest"):
        problems.append(Problem("policy", f"unknown policy {scale.policy!r}"))
    if scale.gaps not in ("error", "lower", "upper"):
        problems.append(Problem("gaps", f"unknown gap policy {scale.gaps!r}"))
    if not scale.bands:
        problems.append(Problem("bands", "a scale needs at least one band"))
        return None
    names = [b.name for b in scale.bands]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append(Problem(f"bands[{i}]", f"grade '{name}' appears twice"))
    categorical = [not b.conditions for b in scale.bands]
    if any(categorical) and not all(categorical):
        problems.append(
            Problem("bands", "either every band has conditions or none has (a categorical scale)")
        )
        return None
    if all(categorical):
        for i, band in enumerate(scale.bands):
            if band.points is None and band.score is None and band.name not in scale.scores:
                problems.append(Problem(f"bands[{i}]", f"categorical grade '{band.name}' has no points"))
        return None
    for i, band in enumerate(scale.bands):
        for j, cond in enumerate(band.conditions):
            if not cond.is_condition and not isinstance(cond.tree, Name):
                problems.append(Problem(f"bands[{i}].conditions[{j}]", "is not a condition"))
    analysed = []
    for band in scale.bands:
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
    if variable in scale.levels:
        return None
    return _check_threshold(scale, variable, [ivs for _, ivs in analysed], problems, notes)


def _check_threshold(
    scale: ScaleSettings,
    variable: str,
    intervals: list[list[Interval]],
    problems: list[Problem],
    notes: list[str],
) -> Threshold | None:
    domain = scale.domain or _EVERYTHING
    pieces: list[tuple[Interval, int]] = []
    for i, (band, ivs) in enumerate(zip(scale.bands, intervals, strict=True)):
        kept = [iv.intersect(domain) for iv in ivs]
        kept = [iv for iv in kept if not iv.is_empty]
        if not kept:
            where = " within the domain" if scale.domain else ""
            shown = "，或".join(c.expression for c in band.conditions)
            problems.append(Problem(f"bands[{i}]", f"band '{band.name}' ({shown}) covers no value{where}"))
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
        order = ", ".join(f"{scale.bands[b].name} {iv}" for iv, b in pieces)
        problems.append(
            Problem("bands", f"bands are out of order: list them best first ({order} from low to high)")
        )
        return None
    if scale.policy == "exclusive":
        pieces = _share_points(scale, pieces, notes)
    _check_cover(scale, pieces, domain, problems)
    if problems:
        return None
    if scale.gaps != "error":
        pieces = _close_gaps(scale, pieces)
    per_band: list[list[tuple[Interval, bool | None]]] = [[] for _ in scale.bands]
    last = len(pieces) - 1
    for k, (iv, index) in enumerate(pieces):
        if k < pivot or (k == pivot and pivot == last):
            direction: bool | None = True  # larger values are better here
        elif k > pivot or (k == pivot == 0 and last > 0):
            direction = False
        else:
            direction = None  # the best band in the middle of a two-sided scale
        per_band[index].append((iv, direction))
    return Threshold(
        variable=variable,
        pieces=tuple(tuple(p) for p in per_band),
        domain=domain,
    )


def _check_cover(
    scale: ScaleSettings, pieces: list[tuple[Interval, int]], domain: Interval, problems: list[Problem]
) -> None:
    """Walk the sorted intervals once, reporting gaps and (for exclusive scales) overlaps."""
    names = [b.name for b in scale.bands]
    # Everything below `val` is covered, and `val` itself when `closed`;
    # `unbounded` means no value is covered yet (-∞) or all are (+∞).
    val: Number | None = domain.lo
    closed = not domain.lo_closed
    to_infinity = False
    last: int | None = None
    for iv, band in pieces:
        if to_infinity:
            if scale.policy == "exclusive":
                _overlap(problems, names[last or 0], names[band])
            continue
        gap: Number | None = None
        if iv.lo is not None and (val is None or iv.lo >= val):
            gap = _lattice_point(scale, val, closed, iv.lo, iv.lo_closed)
        if gap is not None and (scale.gaps == "error" or last is None):
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
        elif gap is None and last is not None and scale.policy == "exclusive":
            assert val is not None
            if iv.lo is None or iv.lo < val or (iv.lo == val and closed and iv.lo_closed):
                _overlap(problems, names[last], names[band])
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
    elif val is None or _lattice_point(scale, val, closed, domain.hi, not domain.hi_closed) is not None:
        problems.append(
            Problem("bands", f"no band covers values from {_fmt(val)} to the domain's end {_fmt(domain.hi)}")
        )


def _share_points(
    scale: ScaleSettings, pieces: list[tuple[Interval, int]], notes: list[str]
) -> list[tuple[Interval, int]]:
    """A boundary point two printed bands both include goes to the better grade (with a note).

    "90分以上为优秀，80分以上90分以下为良好": 以上 and 以下 both include 90
    (包括本数), so 90 is printed in both bands; schemes mean the better one.
    """
    out = list(pieces)
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
        better, worse = scale.bands[min(ia, ib)].name, scale.bands[max(ia, ib)].name
        notes.append(
            f"{_fmt(point)} is printed in both '{better}' and '{worse}'; "
            f"it goes to the better grade '{better}'"
        )
    out = [(iv, i) for iv, i in out if not iv.is_empty]
    return out


def _lattice_point(
    scale: ScaleSettings, val: Number | None, closed: bool, hi: Number | None, hi_covered: bool
) -> Number | None:
    """A value the scale can meet that lies after *val* and before *hi*, if any.

    Without ``precision`` any number between them; with it, only values
    rounded to that many places can occur, so 89 < x < 90 is no gap for
    whole points.
    """
    if val is None:
        return None if hi is None else as_fraction(hi) - 1
    if scale.precision is None:
        if hi is None:
            return as_fraction(val) + 1
        if hi > val:
            return exact((as_fraction(val) + as_fraction(hi)) / 2) if closed else val
        return val if (hi == val and not closed and not hi_covered) else None
    q = Fraction(1, 10**scale.precision)
    start = as_fraction(val)
    m = Fraction(-((-start) // q)) * q  # the first multiple of q at or above val
    if m == start and closed:
        m += q
    if hi is None or m < hi or (m == hi and not hi_covered):
        return exact(m)
    return None


def _overlap(problems: list[Problem], a: str, b: str) -> None:
    message = (
        f"bands '{a}' and '{b}' overlap; fix the boundaries, or choose policy='first', 'lowest' or 'highest'"
    )
    if Problem("bands", message) not in problems:
        problems.append(Problem("bands", message))


def _close_gaps(scale: ScaleSettings, pieces: list[tuple[Interval, int]]) -> list[tuple[Interval, int]]:
    """Stretch bands over the gaps between them (gaps='lower' or 'upper')."""
    grown = list(pieces)
    for k in range(len(grown) - 1):
        (a, band_a), (b, band_b) = grown[k], grown[k + 1]
        if a.hi is None or b.lo is None:
            continue
        if a.hi > b.lo or (a.hi == b.lo and (a.hi_closed or b.lo_closed)):
            continue
        if scale.gaps == "lower":
            grown[k] = (attrs.evolve(a, hi=b.lo, hi_closed=not b.lo_closed), band_a)
        else:
            grown[k + 1] = (attrs.evolve(b, lo=a.hi, lo_closed=not a.hi_closed), band_b)
    return grown


def resolve_scoring(scale: ScaleSettings, threshold: Threshold | None, problems: list[Problem]) -> Scoring:
    """The scoring in force: the one given, or the default for the bands; problems added to."""
    scoring = scale.scoring
    if scoring is None:
        if all(b.points is not None for b in scale.bands):
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
    for i, band in enumerate(scale.bands):
        if scoring == "points":
            if band.points is None:
                problems.append(Problem(f"bands[{i}].points", f"grade '{band.name}' has no points"))
        elif band.score is None and band.name not in scale.scores and band.points is None:
            problems.append(
                Problem(
                    f"bands[{i}]",
                    f"grade '{band.name}' has no score interval: give scores={{'{band.name}': (low, high)}}",
                )
            )
    if scoring == "interpolate":
        if threshold is None:
            problems.append(
                Problem(
                    "scoring",
                    "'interpolate' needs bands that are intervals of one value; use 'midpoint' or 'points'",
                )
            )
        else:
            for i, ivs in enumerate(threshold.intervals):
                for iv in ivs:
                    if not iv.is_bounded and scale.bands[i].points is None:
                        problems.append(
                            Problem(
                                f"bands[{i}]",
                                f"band '{scale.bands[i].name}' {iv} is open-ended, so a value's "
                                "place in it has no scale: declare the scale's domain "
                                "(e.g. domain=(0, 1) for rates), give the band fixed points, "
                                "or use scoring='midpoint'",
                            )
                        )
    return scoring


def _low_key(iv: Interval) -> Fraction:
    return Fraction(-(10**60)) if iv.lo is None else as_fraction(iv.lo)
