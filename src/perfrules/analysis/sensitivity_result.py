"""The result of a rank sensitivity analysis: each unit's rank interval, median rank and grade shares.

:func:`~perfrules.sensitivity` scores the units under many perturbed
weightings (see ``sensitivity_runs``); this module summarises what the runs
gave (:func:`_tally`, :func:`_summary`: nearest-rank percentiles, exact
shares) into the frozen :class:`Sensitivity` and :class:`UnitSensitivity`,
and shows them as a table, a DataFrame, JSON or HTML.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from .._numbers import Number, round_half_up
from ..formula.language import normalize_name
from ..results.display import format_table, json_number, number
from ..results.model import Evaluation
from ..scheme.model import Scheme
from .sensitivity_runs import InputIndex, Outcome

__all__ = ["Sensitivity", "UnitSensitivity"]

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
    """How one unit's rank and grade moved over the runs of :func:`~perfrules.sensitivity`.

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
            "total": json_number(self.total, 6),
            "grade": self.grade,
            "rank": self.rank,
            "rank_low": self.rank_low,
            "rank_high": self.rank_high,
            "rank_median": self.rank_median,
            "grades": {grade: json_number(share, 4) for grade, share in self.grades.items()},
            "grade_changes": json_number(self.grade_changes, 4),
            "grade_best": self.grade_best,
            "grade_worst": self.grade_worst,
            **(
                {}
                if self.indices is None
                else {"driver": self.driver, "indices": [i.to_record() for i in self.indices]}
            ),
        }


@attrs.frozen(kw_only=True, repr=False)
class Sensitivity:
    """The result of :func:`~perfrules.sensitivity`.

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
            "weight_spread": json_number(self.weight_spread, 6),
            "group_spread": json_number(self.group_spread, 6),
            **({"vary_default_score": True} if self.vary_default_score else {}),
            **(
                {
                    "boundary_shift": json_number(self.boundary_shift, 6),
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
