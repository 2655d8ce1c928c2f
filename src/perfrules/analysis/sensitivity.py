"""Rank sensitivity: how far each unit's rank depends on the weights (Monte Carlo).

The question a published ranking invites is whether 3rd place would still be
3rd had the weights been set a little differently. Like the uncertainty
analysis of the JRC's COINr and COIN Tool, :func:`sensitivity` scores the
units again under many randomly perturbed weightings and reports, for each
unit, the interval its rank stays in (5th to 95th percentile), the median rank
and how often it received each grade.
"""

from __future__ import annotations

import difflib
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from .._errors import expect_scheme
from .._numbers import Number, as_fraction, exact, round_half_up, tidy_decimal, to_number
from ..formula.language import normalize_name
from ..pipeline.parallel import job_count
from ..results.display import format_table, number
from ..results.model import Evaluation, evaluate
from ..scheme.model import Group, Scheme
from ..scheme.units import Unit
from .reweight import rebuild, sibling_sets, weight_table
from .sensitivity_runs import (
    InputIndex,
    Outcome,
    Variation,
    analyse,
    design,
    discrete,
    renormalised,
    run_variations,
    salib,
)
from .variants import (
    AGGREGATES,
    DEFAULT_SCORES,
    OVERALL,
    POLICY_CHOICES,
    aggregate_groups,
    boundary_limit,
    policy_choices,
    shiftable_scales,
)

__all__ = ["Sensitivity", "UnitSensitivity", "perturb", "sensitivity"]

_LOW = Fraction(5, 100)
_MEDIAN = Fraction(1, 2)
_HIGH = Fraction(95, 100)


def _percentile(ordered: Sequence[int], share: Fraction) -> int:
    """The nearest-rank percentile: the smallest value with at least *share* of the values at or below it.

    Always one of the values (a rank that happened), never an interpolation.

    >>> _percentile([1, 2, 2, 3, 9], Fraction(1, 2)), _percentile([1, 2, 2, 3, 9], Fraction(95, 100))
    (2, 9)
    """
    index = max(1, math.ceil(share * len(ordered)))
    return ordered[index - 1]


@attrs.frozen(kw_only=True)
class UnitSensitivity:
    """How one unit's rank and grade moved over the runs of :func:`sensitivity`.

    Attributes:
        unit: the unit's name.
        category: its category.
        total: its total under the scheme as published (None when not scored).
        grade: its grade under the scheme as published.
        rank: its rank under the scheme as published (the nominal rank).
        rank_low: the 5th percentile of its rank over the runs (the better end:
            a smaller number), by the nearest-rank method.
        rank_high: the 95th percentile of its rank (the worse end).
        rank_median: the median rank (the 50th percentile, nearest-rank: the
            lower of the two middle ranks when the runs are even).
        ranks: its rank in each run, in run order.
        grades: each overall grade (best first) → the share of runs that gave
            it, exactly; the shares add up to 1.
        grade_changes: the share of runs whose overall grade is not the
            nominal one, exactly (None without a nominal grade).
        grade_best: the better end of the grade interval: the grade at the
            5th percentile of the grade's place over the runs (nearest-rank),
            as ``rank_low`` is for the rank.
        grade_worst: the worse end (the 95th percentile).
        indices: with ``indices=True``, the Sobol' indices of its rank, one
            per uncertain input (None otherwise, and when its rank never
            moved).

    A unit that could not be scored has no total, grade, ranks or shares.
    """

    unit: str
    category: str | None
    total: Number | None
    grade: str | None
    rank: int | None
    rank_low: int | None
    rank_high: int | None
    rank_median: int | None
    ranks: tuple[int, ...] = attrs.field(repr=False)
    grades: Mapping[str, Fraction]
    grade_changes: Fraction | None = None
    grade_best: str | None = None
    grade_worst: str | None = None
    indices: tuple[InputIndex, ...] | None = attrs.field(default=None, repr=False)

    @property
    def driver(self) -> str | None:
        """The input with the largest total-effect index on this unit's rank.

        None without indices, or when no input has a positive total effect.
        """
        if not self.indices:
            return None
        top = max(self.indices, key=lambda index: index.total)
        return top.input if top.total > 0 else None

    @property
    def scored(self) -> bool:
        """Whether the unit was scored (so it has ranks)."""
        return self.rank is not None

    @property
    def width(self) -> int | None:
        """How many ranks the interval spans (1 when the rank never moved)."""
        if self.rank_low is None or self.rank_high is None:
            return None
        return self.rank_high - self.rank_low + 1

    def to_record(self) -> dict[str, Any]:
        """Plain data, as ``perfrules sensitivity --format json`` writes for a unit."""
        return {
            "unit": self.unit,
            "category": self.category,
            "total": _json(self.total, 6),
            "grade": self.grade,
            "rank": self.rank,
            "rank_low": self.rank_low,
            "rank_high": self.rank_high,
            "rank_median": self.rank_median,
            "grades": {grade: _json(share, 4) for grade, share in self.grades.items()},
            "grade_changes": _json(self.grade_changes, 4),
            "grade_best": self.grade_best,
            "grade_worst": self.grade_worst,
            **(
                {}
                if self.indices is None
                else {"driver": self.driver, "indices": [i.to_record() for i in self.indices]}
            ),
        }


def _json(value: Number | None, places: int) -> int | float | None:
    if value is None:
        return None
    rounded = tidy_decimal(round_half_up(value, places))
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


@attrs.frozen(kw_only=True, repr=False)
class Sensitivity:
    """The result of :func:`sensitivity`.

    Attributes:
        scheme: the scheme as published.
        runs: how many perturbed weightings were scored.
        seed: the seed of the random draws (drawn from the system when not
            given, and kept here so that any run can be repeated).
        weight_spread: X: each weight was scaled by a factor in [1−X, 1+X].
        units: one record per unit, in the nominal ranking's order (units that
            could not be scored last).
        group_spread: Y: each top-level group's weight was scaled by a factor
            in [1−Y, 1+Y] (0: the groups kept their weights).
        inputs: with ``indices=True``, the uncertain inputs, in the design's
            order (``weight:<code>``, ``group:<name>``,
            ``policy:default-score``, ``boundary:<scale>``, ``policy:<name>``,
            ``aggregate:<group>``); empty otherwise.
        vary_default_score: whether the defaults' score within the grade varied.
        boundary_shift: d: the boundaries of each scale in ``boundary_scales``
            moved by a δ in [−d, d], in the scale's own units (0: as published).
        boundary_scales: the scales whose boundaries moved: ``overall`` and
            indicator codes.
        alternatives: each discrete input (``policy:<name>``,
            ``aggregate:<group>``) → its alternatives, in the order the
            design's coordinate picks them.
        indices: with ``indices=True``, the Sobol' indices of the mean rank
            shift (the mean over scored units of |rank − nominal rank|), one
            per input; None otherwise, or when no rank ever moved.
    """

    scheme: Scheme = attrs.field(repr=False)
    runs: int
    seed: int
    weight_spread: Number
    units: tuple[UnitSensitivity, ...] = attrs.field(repr=False)
    group_spread: Number = Fraction(0)
    vary_default_score: bool = False
    boundary_shift: Number = Fraction(0)
    boundary_scales: tuple[str, ...] = ()
    alternatives: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, repr=False)
    inputs: tuple[str, ...] = ()
    indices: tuple[InputIndex, ...] | None = attrs.field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"Sensitivity(scheme={self.scheme.name!r}, units={len(self.units)}, runs={self.runs}, "
            f"seed={self.seed}, weight_spread={self.weight_spread})"
        )

    def __iter__(self) -> Iterator[UnitSensitivity]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def unit(self, name: str) -> UnitSensitivity:
        """The record of the unit with this name.

        Raises:
            KeyError: no such unit.
        """
        wanted = normalize_name(name)
        for record in self.units:
            if record.unit == wanted:
                return record
        raise KeyError(f"no unit '{name}' in this analysis (units: {', '.join(u.unit for u in self.units)})")

    @property
    def grade_names(self) -> tuple[str, ...]:
        """The scheme's overall grades, best first."""
        return tuple(self.scheme.grades)

    def to_records(self) -> dict[str, Any]:
        """Plain data (dicts, lists, numbers), as ``perfrules sensitivity --format json`` writes.

        Grade shares are rounded to 4 places, totals to 6.
        """
        return {
            "scheme": self.scheme.name,
            "runs": self.runs,
            "seed": self.seed,
            "weight_spread": _json(self.weight_spread, 6),
            "group_spread": _json(self.group_spread, 6),
            **({"vary_default_score": True} if self.vary_default_score else {}),
            **(
                {
                    "boundary_shift": _json(self.boundary_shift, 6),
                    "boundary_scales": list(self.boundary_scales),
                }
                if self.boundary_scales
                else {}
            ),
            **(
                {"alternatives": {name: list(choices) for name, choices in self.alternatives.items()}}
                if self.alternatives
                else {}
            ),
            **(
                {
                    "inputs": list(self.inputs),
                    "rank_shift_indices": None
                    if self.indices is None
                    else [i.to_record() for i in self.indices],
                }
                if self.inputs
                else {}
            ),
            "units": [u.to_record() for u in self.units],
        }

    def to_dataframe(self) -> Any:
        """One row per unit: nominal rank, interval, median, a share column per grade and the grade changes.

        Needs the ``pandas`` extra (``pip install 'perfrules[pandas]'``).
        """
        try:
            import pandas
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("this needs pandas: pip install 'perfrules[pandas]'") from None
        rows = []
        for u in self.units:
            row: dict[str, object] = {
                "unit": u.unit,
                "category": u.category,
                "rank": u.rank,
                "rank_low": u.rank_low,
                "rank_high": u.rank_high,
                "rank_median": u.rank_median,
            }
            for grade in self.grade_names:
                share = u.grades.get(grade)
                row[grade] = None if share is None else float(round_half_up(share, 6))
            if self.grade_names:
                changes = u.grade_changes
                row["grade_changes"] = None if changes is None else float(round_half_up(changes, 6))
                row["grade_best"], row["grade_worst"] = u.grade_best, u.grade_worst
            rows.append(row)
        frame = pandas.DataFrame(rows).set_index("unit")
        for column in ("rank", "rank_low", "rank_high", "rank_median"):
            frame[column] = frame[column].astype("Int64")
        return frame

    def table(self) -> str:
        """An aligned text table (Chinese headers for Chinese schemes)."""
        zh = self.scheme.language == "zh"
        headers = (
            ["排名", "单位", "名次区间(5%–95%)", "中位名次"]
            if zh
            else ["rank", "unit", "rank 5%–95%", "median rank"]
        )
        headers += list(self.grade_names)
        graded = bool(self.grade_names)
        if graded:  # how often the grade differs from the nominal one, and the grade interval
            headers += ["等次变化", "等次区间"] if zh else ["grade changed", "grade 5%–95%"]
        rows = []
        for u in self.units:
            if u.rank is None:
                rows.append(
                    [
                        "—",
                        u.unit,
                        "未计分" if zh else "not scored",
                        "—",
                        *("—" for _ in self.grade_names),
                        *(["—", "—"] if graded else []),
                    ]
                )
                continue
            changes = "—" if u.grade_changes is None else number(u.grade_changes * 100, 1) + "%"
            interval = (
                "—"
                if u.grade_best is None
                else u.grade_best
                if u.grade_best == u.grade_worst
                else f"{u.grade_best}–{u.grade_worst}"
            )
            rows.append(
                [
                    str(u.rank),
                    u.unit,
                    f"{u.rank_low}–{u.rank_high}",
                    str(u.rank_median),
                    *(number(u.grades.get(g, Fraction(0)) * 100, 1) + "%" for g in self.grade_names),
                    *([changes, interval] if graded else []),
                ]
            )
        aligns = ["right", "left", "right", "right", *("right" for _ in self.grade_names)]
        aligns += ["right", "left"] if graded else []
        return format_table(headers, rows, aligns)

    def indices_table(self) -> str:
        """The Sobol' indices as an aligned text table: one row per input, S1 and ST ± their intervals.

        Rows for the mean rank shift (the inputs that changed it, largest total
        effect first), then for each unit whose rank moved the input that
        drives it (the largest total effect). Empty without ``indices=True``.
        """
        if not self.inputs:
            return ""
        zh = self.scheme.language == "zh"
        headers = (
            ["对象", "不确定输入", "一阶指数 S1", "总效应指数 ST"]
            if zh
            else ["target", "uncertain input", "first order S1", "total effect ST"]
        )
        rows: list[list[str]] = []
        shift = "平均名次变动" if zh else "mean rank shift"
        if self.indices is None:
            rows.append([shift, "—", "—", "—"])
        else:
            ranked = sorted(self.indices, key=lambda index: -index.total)
            rows += [_index_row(shift, i) for i in ranked if i.first or i.total]
        for u in self.units:
            if u.indices and u.driver is not None:
                rows.append(_index_row(u.unit, max(u.indices, key=lambda index: index.total)))
        return format_table(headers, rows, ["left", "left", "right", "right"])

    def _repr_html_(self) -> str:
        import html

        head = "".join(
            f"<th>{html.escape(h)}</th>" for h in ["rank", "unit", "rank 5%–95%", "median", *self.grade_names]
        )
        body = []
        for u in self.units:
            cells = [
                "—" if u.rank is None else str(u.rank),
                html.escape(u.unit),
                "—" if u.rank is None else f"{u.rank_low}–{u.rank_high}",
                "—" if u.rank_median is None else str(u.rank_median),
                *("—" if g not in u.grades else number(u.grades[g] * 100, 1) + "%" for g in self.grade_names),
            ]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        caption = (
            f"<caption>{html.escape(self.scheme.name)}: {self.runs} runs, weights ×[1−{self.weight_spread}, "
            f"1+{self.weight_spread}], seed {self.seed}</caption>"
        )
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _index_row(target: str, index: InputIndex) -> list[str]:
    return [
        target,
        index.input,
        f"{index.first:.3f} ± {index.first_conf:.3f}",
        f"{index.total:.3f} ± {index.total_conf:.3f}",
    ]


def perturb(scheme: Scheme, factors: Mapping[str, object]) -> Scheme:
    """The scheme with each indicator's weights scaled by a factor, then renormalised exactly.

    Every weight column of indicator *code* is multiplied by ``factors[code]``
    (1 when absent); then, in each column, the indicators directly under each
    group are scaled together so that their sum is what it was. So every
    group's subtotal — declared or not — and the scheme's total hold exactly,
    and the result is a valid scheme. A group with a single indicator keeps
    its weight whatever the factor; weights of 0 stay 0.

    Args:
        scheme: the scheme.
        factors: indicator code → a positive factor (read exactly; floats by their repr).

    Returns:
        The perturbed scheme (the same object when nothing changes).

    Raises:
        KeyError: an unknown indicator code.
        ValueError: a factor is not positive.

    >>> from perfrules import load
    >>> xiamen = load("xiamen-xiangan-2020")
    >>> changed = perturb(xiamen, {"1": 2})       # 1 doubles, then 差异化指标 is scaled back to 420
    >>> changed.indicator("1").weight, changed.indicator("2").weight
    (Decimal('56'), Decimal('28'))
    """
    expect_scheme(scheme, Scheme, "perturb()")
    table = weight_table(scheme)
    exact_factors: dict[str, Fraction] = {}
    for code, value in factors.items():
        if code not in table:
            scheme.indicator(code)  # raises KeyError with close codes
            code = scheme.indicator(code).code
        factor = as_fraction(to_number(value, name=f"factor of '{code}'"))
        if factor <= 0:
            raise ValueError(f"factor of '{code}' must be positive (got {value!r})")
        exact_factors[code] = factor
    return rebuild(scheme, renormalised(scheme, table, exact_factors))


def sensitivity(
    scheme: Scheme,
    units: Iterable[Unit],
    *,
    runs: int = 200,
    seed: int | None = None,
    weight_spread: object = 0.2,
    group_spread: object = 0,
    vary_default_score: bool = False,
    boundary_shift: object = 0,
    boundary_scales: str | Iterable[str] = "all",
    vary_policies: Iterable[str] = (),
    vary_aggregate: bool | Iterable[str] = False,
    indices: bool = False,
    jobs: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> Sensitivity:
    """How far each unit's rank and grade depend on the scheme's judgements: Monte-Carlo uncertainty.

    Two uncertainties can vary, each scaled by a factor drawn uniformly:

    - **indicator weights** (``weight_spread`` X): every indicator's weight
      (all its category columns alike) is scaled by a factor in [1−X, 1+X]
      and renormalised exactly (see :func:`perturb`): in every column the
      indicators directly under each group are scaled back to their sum, so
      the group subtotals, the declared subtotals and the total all hold. A
      group with one indicator cannot shift weight inside itself.
    - **group weights** (``group_spread`` Y): every top-level group's weight
      (all the indicators under it together) is scaled by a factor in
      [1−Y, 1+Y], then every weight column is scaled back to its total; the
      groups' declared subtotals follow. A scheme with one top-level group
      has nothing to vary here.

    and these judgements besides:

    - **band boundaries** (``boundary_shift`` d): each chosen threshold
      scale (``boundary_scales``: ``"all"``, ``"overall"``, ``"indicators"``,
      or a list of indicator codes and ``"overall"``) has all its
      boundaries between bands moved by one δ drawn uniformly from [−d, d],
      in the scale's own units (a boundary written ``90%`` by δ %, one
      written ``90`` or ``90分`` by δ); the ends of its domain and one-point
      bands (``=100%``) stay. One δ per scale keeps the bands' widths and
      order, so every run's scale is valid. A scale of whole counts, or
      with ``precision``, moves by whole steps of its values.
    - **policies' alternatives** (``vary_policies``, any of
      ``default-score``, ``not-applicable``, ``grade-match``, ``caps``,
      ``veto``; their alternatives are listed in the sensitivity how-to): each is a
      discrete factor; every run picks one of the scheme's alternatives,
      each equally likely. ``vary_default_score=True`` is
      ``vary_policies=["default-score"]``: every default that names
      ``midpoint``, ``top`` or ``bottom`` takes one of the three, the same in
      all of them.
    - **group means** (``vary_aggregate``: True for every group with two or
      more parts, or the groups' names): each group's ``aggregate`` is a
      discrete factor — ``sum``, ``geometric`` or ``harmonic`` — of its own.

    Each run builds the varied scheme with ``attrs.evolve`` (valid, checked
    like any scheme) and scores every unit with it through the same engine
    as :func:`perfrules.evaluate`; each unit's rank and overall grade are
    recorded. A variant that only discrete choices make is built and
    compiled once, then reused.

    Reported per unit: the nominal rank (the scheme as published),
    ``rank_low`` and ``rank_high`` — the 5th and 95th percentiles of its rank
    over the runs, by the nearest-rank method (each is a rank that happened;
    the low end is the better rank) — the median rank, the share of runs in
    each grade, the share of runs whose grade differs from the nominal one
    (``grade_changes``) and the grade interval (``grade_best`` to
    ``grade_worst``, the same percentiles of the grade's place). The
    interval describes where the rank *usually* falls; a unit balanced on a
    knife edge (say, tied with two others that any change of weights
    separates, one above it and one below) can have its nominal rank
    outside it.

    With ``indices=True`` (needs SALib: ``pip install 'perfrules[sensitivity]'``)
    every factor that can move is an uncertain input on [0, 1]:
    ``weight:<code>`` per indicator with siblings and ``group:<name>`` per
    top-level group (factor 1−X+2X·u), ``boundary:<scale>`` per scale
    (δ = d·(2u−1)), ``policy:<name>`` per policy and ``aggregate:<group>``
    per group. A discrete input with k alternatives takes the alternative
    ⌊k·u⌋ (u in the first k-th of [0, 1]: the first, …), the usual way to
    give SALib's continuous design a discrete factor. The runs are
    Saltelli's design from a scrambled Sobol' sequence: N·(D+2) runs for D
    inputs, N the smallest power of two (at least 8) that gives ``runs`` or
    more. Besides the rank intervals over those runs, the result gives
    variance-based (Sobol') indices — first order and total effect, each
    with a 95% bootstrap interval — of two targets: each unit's rank
    (``unit.indices``; ``unit.driver`` is the input with the largest total
    effect) and the mean rank shift, the mean over scored units of
    |rank − nominal rank| (``result.indices``).

    The draws are reproducible. Without indices: for each run one factor per
    indicator in the scheme's order, then (when ``group_spread`` > 0) one per
    top-level group, then the default score, then one δ per scale, one
    choice per other policy (in the order given) and one mean per group,
    from ``random.Random(seed)``, each float read exactly by its repr. With
    indices: the Sobol' sequence scrambled and the bootstrap drawn with
    ``seed``. The same seed gives the same result, with any ``jobs``;
    nothing varied gives every unit the interval [nominal, nominal].

    Args:
        scheme: the scheme as published.
        units: the units.
        runs: how many varied schemes to score (1 or more; with indices, the
            least number of runs of the design).
        seed: the random seed; by default one is drawn from the system and
            recorded in the result.
        weight_spread: X, with 0 ≤ X < 1 (0.2 means ±20%).
        group_spread: Y, with 0 ≤ Y < 1 (default 0: group weights as published).
        vary_default_score: also vary the score "no data" defaults give
            within their grade (bottom, midpoint, top).
        boundary_shift: d ≥ 0, in each scale's own units (default 0: the
            boundaries as published).
        boundary_scales: whose boundaries move (default ``"all"``).
        vary_policies: the policies whose alternatives to vary.
        vary_aggregate: vary groups' means (True: every group with two or
            more parts; or the groups' names).
        indices: also estimate the Sobol' indices (SALib).
        jobs: worker processes for the runs (0: every usable core); the
            result is the same as with 1.
        progress: called as ``progress(done, runs, label)`` after each run
            (after each chunk of runs with ``jobs`` > 1).

    Returns:
        The per-unit intervals and grade shares (and indices).

    Raises:
        ValueError: ``runs`` < 1, a spread outside [0, 1), a negative
            boundary shift or one that reaches a boundary that stays (the
            message names the scale and the largest shift it allows),
            ``jobs`` < 0, two units share a name, ``indices=True`` with
            nothing that varies, an unknown policy, scale or group, or a
            policy or boundary factor the scheme has nothing to vary for.
        ImportError: ``indices=True`` without SALib installed.

    >>> from perfrules import load, sample_units
    >>> result = sensitivity(load("xiamen-xiangan-2020"), sample_units("xiamen-xiangan-2020"),
    ...                      runs=20, seed=7)
    >>> first = result.units[0]
    >>> first.unit, first.rank, first.rank_low <= first.rank <= first.rank_high
    ('区文旅局', 1, True)
    """
    expect_scheme(scheme, Scheme, "perfrules.sensitivity()")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"'runs' must be a whole number of at least 1 (got {runs!r})")
    spread = _spread(weight_spread, "weight_spread")
    group = _spread(group_spread, "group_spread")
    workers = job_count(jobs)
    if indices:
        salib()  # before anything is scored: a missing extra is said at once
    policy_names = _policy_names(vary_policies)
    if vary_default_score and "default-score" not in policy_names:
        policy_names.insert(0, "default-score")
    vary_default = "default-score" in policy_names
    if vary_default and not policy_choices(scheme, "default-score"):
        raise ValueError(
            'vary_default_score=True needs a "no data" default that gives a score within its grade '
            "(midpoint, top or bottom); this scheme has none"
        )
    shift, scales = _boundaries(scheme, boundary_shift, boundary_scales)
    policies = {name: policy_choices(scheme, name) for name in policy_names if name != "default-score"}
    for name, choices in policies.items():
        if not choices:
            raise ValueError(f"vary_policies: scheme '{scheme.name}' has nothing to vary for policy '{name}'")
    groups_varied = _aggregates(scheme, vary_aggregate)
    discrete_factors: list[tuple[str, str, str, tuple[str, ...]]] = [
        *(("policy", name, f"policy:{name}", choices) for name, choices in policies.items()),
        *(("aggregate", path, f"aggregate:{label}", AGGREGATES) for path, label in groups_varied.items()),
    ]
    for kind, key, _, choices in discrete_factors:  # each alternative alone must make a valid scheme
        for choice in choices:
            discrete(scheme, [(kind, key, choice)])
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    unit_list = list(units)
    nominal = evaluate(scheme, unit_list)
    codes = [ind.code for ind in scheme.indicators()]
    tops = range(len(scheme.groups)) if group > 0 else range(0)
    names: tuple[str, ...] = ()
    variations: list[Variation] = []
    if indices:
        movable = {c for _, _, cs in sibling_sets(scheme) if len(cs) > 1 for c in cs} if spread > 0 else set()
        weight_inputs = [c for c in codes if c in movable]
        group_inputs = list(tops) if len(scheme.groups) > 1 else []
        names = (
            *(f"weight:{c}" for c in weight_inputs),
            *(f"group:{scheme.groups[i].name}" for i in group_inputs),
            *(["policy:default-score"] if vary_default else []),
            *(f"boundary:{key}" for key in scales),
            *(name for _, _, name, _ in discrete_factors),
        )
        if not names:
            raise ValueError(
                "indices=True needs something that varies: a weight_spread with a group of two or more "
                "indicators, a group_spread with two or more top-level groups, a boundary_shift, "
                "vary_default_score, vary_policies or vary_aggregate"
            )
        for point in design(names, runs, seed):
            coordinates = iter(point)
            weights = {c: 1 - spread + 2 * spread * next(coordinates) for c in weight_inputs}
            group_factors = {i: 1 - group + 2 * group * next(coordinates) for i in group_inputs}
            chosen = (
                [("policy", "default-score", _pick(DEFAULT_SCORES, next(coordinates)))]
                if vary_default
                else []
            )
            shifts = tuple((key, shift * (2 * next(coordinates) - 1)) for key in scales)
            chosen += [
                (kind, key, _pick(choices, next(coordinates))) for kind, key, _, choices in discrete_factors
            ]
            variations.append(
                Variation(weights=weights, groups=group_factors, choices=tuple(chosen), shifts=shifts)
            )
    else:
        rng = random.Random(seed)
        low, high = float(1 - spread), float(1 + spread)
        glow, ghigh = float(1 - group), float(1 + group)
        for _ in range(runs):
            # The factors are drawn before anything is scored, always in the
            # same order, so a seed means the same variants whatever the data.
            factors = {code: as_fraction(to_number(rng.uniform(low, high))) for code in codes}
            group_factors = {i: as_fraction(to_number(rng.uniform(glow, ghigh))) for i in tops}
            chosen = [("policy", "default-score", rng.choice(DEFAULT_SCORES))] if vary_default else []
            shifts = tuple(
                (key, as_fraction(to_number(rng.uniform(float(-shift), float(shift))))) for key in scales
            )
            chosen += [(kind, key, rng.choice(choices)) for kind, key, _, choices in discrete_factors]
            variations.append(
                Variation(weights=factors, groups=group_factors, choices=tuple(chosen), shifts=shifts)
            )
    outcomes = run_variations(scheme, unit_list, variations, jobs=workers, progress=progress)
    ranks, grades = _tally(nominal, outcomes)
    unit_indices: dict[str, tuple[InputIndex, ...] | None] = {}
    shift_indices: tuple[InputIndex, ...] | None = None
    if indices:
        nominal_ranks = {r.unit: r.rank for r in nominal.results if r.rank is not None}
        for name, history in ranks.items():
            if len(history) == len(outcomes):
                unit_indices[name] = analyse(names, [float(r) for r in history], seed)
        if ranks and all(len(h) == len(outcomes) for h in ranks.values()):
            shifts_of_runs = [
                float(sum(Fraction(abs(h[run] - nominal_ranks[n])) for n, h in ranks.items()) / len(ranks))
                for run in range(len(outcomes))
            ]
            shift_indices = analyse(names, shifts_of_runs, seed)
    alternatives = {
        **({"policy:default-score": DEFAULT_SCORES} if vary_default else {}),
        **{name: choices for _, _, name, choices in discrete_factors},
    }
    return Sensitivity(
        scheme=scheme,
        runs=len(outcomes),
        seed=seed,
        weight_spread=exact(spread),
        group_spread=exact(group),
        vary_default_score=vary_default,
        boundary_shift=exact(shift),
        boundary_scales=tuple(scales),
        alternatives=alternatives,
        inputs=names,
        indices=shift_indices,
        units=tuple(
            attrs.evolve(_summary(result, ranks, grades, nominal), indices=unit_indices.get(result.unit))
            for result in nominal.ranking()
        ),
    )


def _pick(choices: Sequence[str], u: Fraction) -> str:
    """The alternative for a design coordinate u in [0, 1]: the k-th of k equal parts of the interval.

    >>> _pick(("bottom", "midpoint", "top"), Fraction(1, 2)), _pick(("a", "b"), Fraction(1))
    ('midpoint', 'b')
    """
    return choices[min(int(u * len(choices)), len(choices) - 1)]


def _policy_names(value: Iterable[str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    names: list[str] = []
    for name in value:
        if name not in POLICY_CHOICES:
            close = difflib.get_close_matches(str(name), list(POLICY_CHOICES), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"vary_policies: no policy '{name}' (the policies: {', '.join(POLICY_CHOICES)}){hint}"
            )
        if name not in names:
            names.append(name)
    return names


def _boundaries(scheme: Scheme, value: object, which: str | Iterable[str]) -> tuple[Fraction, list[str]]:
    """The boundary shift d and the scales it moves (``overall``, indicator codes), checked.

    *which* is read item by item: ``all``, ``indicators``, ``overall`` or an
    indicator's code or name adds scales, ``-<code>`` (or ``-overall``)
    takes one out again: ``["all", "-7"]``.
    """
    shift = as_fraction(to_number(value, name="boundary_shift"))
    if shift < 0:
        raise ValueError(f"boundary_shift must be 0 or more (got {value!r})")
    if shift == 0:
        return shift, []
    scales = shiftable_scales(scheme)
    keys: list[str] = []
    for item in [which] if isinstance(which, str) else list(which):
        text = str(item).strip()
        dropping = text.startswith("-")
        text = text[1:].strip() if dropping else text
        if text == "all":
            named = list(scales)
        elif text == "indicators":
            named = [k for k in scales if k != OVERALL]
        else:
            key = OVERALL if text == OVERALL else scheme.indicator(text).code  # KeyError names close codes
            if key not in scales:
                raise ValueError(
                    f"boundary_scales: {'the overall grading' if key == OVERALL else 'indicator ' + key} "
                    "has no threshold scale with a boundary that can move (only scales grading one value "
                    "by intervals have them)"
                )
            named = [key]
        keys = (
            [k for k in keys if k not in named] if dropping else [*keys, *(k for k in named if k not in keys)]
        )
    if not keys:
        raise ValueError(
            f"boundary_shift: scheme '{scheme.name}' has no threshold scale with boundaries to move "
            f"among boundary_scales {which!r}"
        )
    narrow = [
        (key, limit) for key in keys if (limit := boundary_limit(scales[key])) is not None and shift >= limit
    ]
    if narrow:
        shown = "; ".join(
            f"{'the overall grading' if key == OVERALL else 'indicator ' + scheme.indicator(key).label} "
            f"allows a shift below {_shown(limit)}"
            for key, limit in narrow
        )
        raise ValueError(
            f"boundary_shift {_shown(shift)} would move a boundary onto or past a value that stays (the end "
            f"of its scale's domain or a one-point band): {shown}; give a smaller shift, or leave those "
            f"scales out (boundary_scales {','.join(['all', *('-' + key for key, _ in narrow)])})"
        )
    return shift, keys


def _shown(value: Fraction) -> str:
    return str(tidy_decimal(round_half_up(value, 6)))


def _aggregates(scheme: Scheme, value: bool | Iterable[str]) -> dict[str, str]:
    """The groups whose means vary: path → the name their input carries."""
    if value is False:
        return {}
    available = aggregate_groups(scheme)
    if value is True:
        if not available:
            raise ValueError(f"vary_aggregate: scheme '{scheme.name}' has no group of two or more parts")
        return available
    if isinstance(value, str):
        value = [value]
    chosen: dict[str, str] = {}
    paths = dict(scheme.paths())
    for name in value:
        wanted = normalize_name(str(name))
        found = [p for p, label in available.items() if wanted in (label, normalize_name(paths[p].name))]
        if not found:
            groups = [
                p
                for p, node in paths.items()
                if isinstance(node, Group) and normalize_name(node.name) == wanted
            ]
            if groups:
                raise ValueError(f"vary_aggregate: group '{name}' has one part, so its mean is its part")
            close = difflib.get_close_matches(wanted, list(available.values()), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"vary_aggregate: no group '{name}' of two or more parts{hint}")
        for path in found:
            chosen[path] = available[path]
    return chosen


def _spread(value: object, name: str) -> Fraction:
    spread = as_fraction(to_number(value, name=name))
    if not 0 <= spread < 1:
        raise ValueError(f"'{name}' must be at least 0 and less than 1 (got {value!r})")
    return spread


def _tally(
    nominal: Evaluation, outcomes: Sequence[Outcome]
) -> tuple[dict[str, list[int]], dict[str, dict[str, int]]]:
    """Each nominally ranked unit's rank in every run, and how often it got each grade."""
    names = [r.unit for r in nominal.results]
    ranks: dict[str, list[int]] = {r.unit: [] for r in nominal.results if r.rank is not None}
    grades: dict[str, dict[str, int]] = {name: {} for name in ranks}
    for outcome in outcomes:
        for name, (rank, grade) in zip(names, outcome, strict=True):
            if name in ranks and rank is not None:
                ranks[name].append(rank)
                if grade is not None:  # schemes that grade no total still have ranks
                    counts = grades[name]
                    counts[grade] = counts.get(grade, 0) + 1
    return ranks, grades


def _summary(
    result: Any,
    ranks: Mapping[str, Sequence[int]],
    grades: Mapping[str, Mapping[str, int]],
    nominal: Evaluation,
) -> UnitSensitivity:
    history = tuple(ranks.get(result.unit, ()))
    if result.rank is None or not history:
        return UnitSensitivity(
            unit=result.unit,
            category=result.category,
            total=result.total,
            grade=result.grade,
            rank=result.rank,
            rank_low=None,
            rank_high=None,
            rank_median=None,
            ranks=history,
            grades={},
        )
    ordered = sorted(history)
    counts = grades[result.unit]
    order = list(nominal.scheme.grades)
    seen = [*order, *sorted(g for g in counts if g not in order)]
    places = sorted(seen.index(g) for g, n in counts.items() for _ in range(n))
    return UnitSensitivity(
        unit=result.unit,
        category=result.category,
        total=result.total,
        grade=result.grade,
        rank=result.rank,
        rank_low=_percentile(ordered, _LOW),
        rank_high=_percentile(ordered, _HIGH),
        rank_median=_percentile(ordered, _MEDIAN),
        ranks=history,
        grades={g: Fraction(counts.get(g, 0), len(history)) for g in seen} if counts else {},
        grade_changes=None
        if result.grade is None
        else Fraction(len(history) - counts.get(result.grade, 0), len(history)),
        grade_best=seen[_percentile(places, _LOW)] if places else None,
        grade_worst=seen[_percentile(places, _HIGH)] if places else None,
    )
