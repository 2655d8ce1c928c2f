"""Deciding a value's grade and score on a built scale: by grade name, by interval, or by conditions.

A categorical scale takes the grade itself (优—6分); a threshold scale finds
the band whose interval holds the value and places the score in the grade's
score interval (linear interpolation, the midpoint, or the band's points);
any other scale evaluates its bands' conditions under its match policy
(``exclusive``, ``first``, ``lowest``, ``highest``). ``GradeScale.grade`` calls these.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

from .._errors import EvaluationError, InvalidValueError
from .._numbers import Number, as_fraction, exact, round_half_up, tidy_decimal, to_number
from ..formula.language import Formula
from .bands import (
    _D_MUL,
    _HUNDRED,
    GradeBand,
    GradeResult,
    Interval,
    Scoring,
    _fmt,
    _interpolate_decimal,
)
from .checks import ScaleSettings, Threshold

__all__ = [
    "GradedScale",
    "grade_category",
    "grade_conditions",
    "grade_threshold",
    "interval_or_none",
    "rounded",
]


class GradedScale(ScaleSettings, Protocol):
    """What grading reads of a built scale (a ``GradeScale`` has it all)."""

    @property
    def effective_scoring(self) -> Scoring: ...
    def band(self, name: str) -> GradeBand: ...
    def score_interval(self, name: str) -> tuple[Number, Number]: ...
    def midpoint(self, name: str) -> Number: ...


def rounded(value: Number, precision: int | None) -> Number:
    """*value* rounded half up (四舍五入) to *precision* places, as a scale with that precision reads it."""
    if precision is None:
        return value
    return tidy_decimal(round_half_up(value, precision))


def grade_category(scale: GradedScale, value: object) -> GradeResult:
    """The grade a categorical scale gives a grade name (优—6分: the input is the grade)."""
    if not isinstance(value, str):
        raise InvalidValueError(
            f"this scale grades a category; expected one of {', '.join(b.name for b in scale.bands)} "
            f"(got {value!r} of type {type(value).__name__})"
        )
    try:
        band = scale.band(value.strip("\"'“”‘’「」"))
    except KeyError as exc:
        raise InvalidValueError(str(exc.args[0])) from None
    rank = scale.bands.index(band)
    score = band.points if band.points is not None else scale.midpoint(band.name)
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


def grade_threshold(
    scale: GradedScale,
    threshold: Threshold,
    band_intervals: Mapping[str, tuple[tuple[Formula, tuple[Interval, ...]], ...]],
    mapping: Mapping[str, object],
    explain: bool = True,
) -> GradeResult:
    """The grade of a threshold scale's value: the band whose interval holds it, the score placed in it."""
    name = threshold.variable
    if name not in mapping:
        # Let the formula machinery raise its usual error with suggestions.
        scale.bands[0].conditions[0].evaluate(mapping)
    raw = mapping[name]
    value = rounded(to_number(raw, name=name), scale.precision)
    if value not in threshold.domain:
        raise EvaluationError(f"{name}={_fmt(value)} is outside the scale's domain {threshold.domain}")
    for rank, (band, pieces) in enumerate(zip(scale.bands, threshold.pieces, strict=True)):
        for iv, direction in pieces:
            # Interval.__contains__, inlined: this runs for every graded value.
            lo, hi = iv.lo, iv.hi
            if lo is not None and (value < lo or (value == lo and not iv.lo_closed)):
                continue
            if hi is not None and (value > hi or (value == hi and not iv.hi_closed)):
                continue
            cond = _deciding_condition(band_intervals, band, value)
            score, detail, position = _score_in(scale, band, iv, value, direction, explain)
            return GradeResult(
                grade=band.name,
                score=score,
                rank=rank,
                condition=cond,
                matched=(band.name,),
                scoring="points"
                if band.points is not None and scale.effective_scoring == "interpolate"
                else scale.effective_scoring,
                detail=f"{name}={_fmt(value)} lies in {band.name} {iv}; {detail}" if explain else "",
                interval=iv,
                position=position,
                score_interval=interval_or_none(scale, band.name),
            )
    raise EvaluationError(f"no grade for {name}={_fmt(value)}")  # unreachable after the checks


def _deciding_condition(
    band_intervals: Mapping[str, tuple[tuple[Formula, tuple[Interval, ...]], ...]],
    band: GradeBand,
    value: Number,
) -> Formula | None:
    for cond, ivs in band_intervals[band.name]:
        if any(value in iv for iv in ivs):
            return cond
    return None  # the value sits in a gap this band was stretched over


def interval_or_none(scale: GradedScale, name: str) -> tuple[Number, Number] | None:
    """The score interval of grade *name*, or None when it has none."""
    try:
        return scale.score_interval(name)
    except KeyError:
        return None


def _score_in(
    scale: GradedScale,
    band: GradeBand,
    iv: Interval,
    value: Number,
    direction: bool | None,
    explain: bool = True,
) -> tuple[Number | None, str, Number | None]:
    scoring = scale.effective_scoring
    if scoring == "none":
        return None, "the scale gives grades only", None
    if scoring == "points" or (band.points is not None and scoring == "interpolate"):
        # A band with fixed points scores them under interpolation too (an
        # open-ended band such as 70%以下计0分 needs no scale of its own).
        assert band.points is not None
        return band.points, f"the grade gives {_fmt(band.points)} points", None
    lo, hi = scale.score_interval(band.name)
    if scoring == "midpoint":
        mid = scale.midpoint(band.name)
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


def grade_conditions(scale: GradedScale, mapping: Mapping[str, object]) -> GradeResult:
    """The grade whose conditions hold, under the scale's match policy (any scale but a threshold one)."""
    held: list[tuple[int, Formula]] = []
    for rank, band in enumerate(scale.bands):
        for cond in band.conditions:
            if cond.evaluate(mapping) is True:
                held.append((rank, cond))
                break
        if held and scale.policy == "first":
            break
    if not held:
        shown = ", ".join(f"{k}={v}" for k, v in mapping.items() if k not in scale.levels)
        raise EvaluationError(f"no grade's conditions hold for {shown}")
    matched = tuple(scale.bands[r].name for r, _ in held)
    if scale.policy == "exclusive" and len(held) > 1:
        raise EvaluationError(
            f"grades {', '.join(matched)} all hold; the scale's policy is 'exclusive' "
            "(choose 'lowest' for 就低不就高)"
        )
    rank, cond = held[-1] if scale.policy == "lowest" else held[0]
    band = scale.bands[rank]
    score: Number | None
    if scale.effective_scoring == "none":
        score, detail = None, "the scale gives grades only"
    elif scale.effective_scoring == "points" and band.points is not None:
        score = band.points
        detail = f"the grade gives {_fmt(score)} points"
    else:
        score = scale.midpoint(band.name)
        lo, hi = scale.score_interval(band.name)
        detail = f"score is the grade's midpoint (区中值) {_fmt(score)} of {_fmt(lo)}–{_fmt(hi)}"
    why = f"{cond.expression} holds"
    if len(held) > 1:
        rule = {"lowest": "lowest grade wins (就低不就高)", "highest": "highest grade wins"}.get(
            scale.policy, "first match"
        )
        why += f"; {', '.join(matched)} all hold and the {rule}"
    return GradeResult(
        grade=band.name,
        score=score,
        rank=rank,
        condition=cond,
        matched=matched,
        scoring=scale.effective_scoring,
        detail=f"{why}; {detail}",
        score_interval=interval_or_none(scale, band.name),
    )
