"""A grade per period (每期评定等次) for a batch's columns: each period's total and grade.

With ``period_grades``, the per-unit program gives a unit with periods each
period's total and grade beside the year's
(:func:`perfrules.scoring.overall.period_totals`): the period's scores of the
indicators reported per period, the year's scores of the others, added up with
the year's weights, bounded and graded as a total is — where overall grading
reads more than the total (caps, ``max_total``, conditions over indicators'
scores, grades, groups or data), on the period's scope: the period's row over
the year's data, the period's scores and the year's grades. The column program
keeps each period row's score as :mod:`~perfrules.scoring.colperiods` worked it
out (held within the indicator's limits and rounded, as the per-unit program
does per period) and runs that same function with them — once per distinct
input: the unit's category, pattern of applicable indicators and own weights
(``weight_from``), year's scores, periods' labels and scores, and for rich
grading the data it reads (the year's cells and each period's) and the
indicators' grades it reads (:mod:`~perfrules.scoring.coloverall` works those
out for the year, and for an indicator reported per period each period's own
grade, which that period's scope reads in place of the year's:
:mod:`~perfrules.scoring.colindgrades`). No rule is written twice.

With ``periods = "sum"`` (which validation refuses beside ``period_grades``)
the per-unit program has no period scores and gives no period totals; nor does
this, as no period rows are kept then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import numpy
from .._numbers import exact
from ..scheme.units import PeriodResult, PeriodTotal, Unit
from .colblank import BLANK
from .coloverall import RichGrading
from .outcome import weighting
from .overall import period_totals
from .plan import Plan

__all__ = ["PeriodGrades", "period_grades", "results_of"]

# Per periodic indicator: its period rows as (unit position, label) and their held scores (an IntColumn).
Kept = Mapping[int, tuple[Sequence[tuple[int, str]], Any]]

_GAP = object()  # (a cell a period's row does not give: the year's is read)


class PeriodGrades:
    """A plan's grades per period, for the column program (see the module's docstring)."""

    def __init__(self, plan: Plan, rich: RichGrading | None) -> None:
        self.plan = plan
        # What rich overall grading reads (coloverall): the data columns, and the indicators' grades.
        self.data: tuple[str, ...] = rich.data if rich is not None else ()
        self.graded: tuple[int, ...] = rich.graded.which if rich is not None and rich.graded else ()
        self.words = rich.words if rich is not None else frozenset()  # (columns of words among the data)

    def run(
        self,
        scored: Any,
        categories: Sequence[str | None],
        periods: Sequence[Any] | None,
        kept: Kept,
        cols: Mapping[str, Any],
    ) -> tuple[list[tuple[PeriodTotal, ...]], Any]:
        """Per unit, its periods' totals (``()`` for a unit without periods), and which of the units
        *scored* (:class:`~perfrules.scoring.colscored.Scored`) takes it worked them out for (the others
        go to the per-unit program). *scored* gives the year's scores, each unit's pattern and own
        weights (``weight_from``) and the indicators' grades rich grading read
        (:meth:`~perfrules.scoring.coloverall.RichGrading.run`); *cols* the batch's columns (the
        year's data rich grading reads)."""
        scores, den, applicable, ok = scored.scores, scored.den, scored.applicable, scored.ok
        grades: Mapping[int, Sequence[str | None]] = scored.graded
        by_period: Mapping[int, Sequence[Mapping[str, str | None]]] = scored.period_graded
        base = scored.base if scored.own is not None else None
        np = numpy()
        n = len(ok)
        out: list[tuple[PeriodTotal, ...]] = [()] * n
        done = ok.copy()
        if periods is None:
            return out, done
        # Per unit, per periodic indicator: its periods' (label, numerator, denominator, grade: that
        # period's own, where rich grading reads the indicator's grade, colindgrades; else None).
        rows: dict[int, dict[int, list[tuple[str, int, int, str | None]]]] = {}
        for k, (runs, col) in kept.items():
            nums = col.num.tolist()
            own_grades = by_period.get(k)
            for (i, label), v in zip(runs, nums, strict=True):
                grade = own_grades[i].get(label) if own_grades is not None else None
                rows.setdefault(i, {}).setdefault(k, []).append((label, v, col.den, grade))
        scored.period_rows = rows
        found: dict[tuple[Any, ...], tuple[PeriodTotal, ...] | None] = {}
        count = len(self.plan.indicators)
        names = self.data
        gaps = cols.get(BLANK, {})  # (a blank cell is no value: colblank)
        words = self.words
        data = [  # (a column of words: its words as the units' data holds them, over 0)
            (cols[name], 0, None) if name in words else (cols[name].num, cols[name].den, gaps.get(name))
            for name in names
        ]
        for i in np.flatnonzero(ok).tolist():
            given = periods[i]
            if given is None:
                continue
            own = rows.get(i, {})
            year = tuple(int(scores[k][i]) for k in range(count))
            pattern = tuple(applicable[i].tolist())
            key = (
                categories[i],
                pattern,
                year,
                # Each period's label, and its cells that rich grading reads (as given: the same
                # function reads them), else its label only.
                tuple((label, *(row.get(name, _GAP) for name in names)) for label, row in given.items()),
                tuple(sorted((k, tuple(v)) for k, v in own.items())),
                tuple(
                    (num[i] if not d else None if gap is not None and gap[i] else int(num[i]), d)
                    for num, d, gap in data
                ),
                tuple(grades[k][i] for k in self.graded) if grades else (),
                base(i) if base is not None else None,
            )
            try:
                known = key in found
            except TypeError:  # a cell of a kind no table holds: the per-unit program reads it
                done[i] = False
                continue
            if not known:
                found[key] = self._totals(key, den, given, own)
            got = found[key]
            if got is None:
                done[i] = False
            else:
                out[i] = got
        return out, done

    def _totals(
        self,
        key: tuple[Any, ...],
        den: int,
        labels: Mapping[str, Mapping[str, object]],
        own: Mapping[int, list[tuple[str, int, int, str | None]]],
    ) -> tuple[PeriodTotal, ...] | None:
        """The per-unit program's period totals for one distinct input (None: it says what is wrong)."""
        plan = self.plan
        category, pattern, year = key[:3]
        applicable = list(pattern)
        use = weighting(plan, category, applicable, key[7])
        scores = [exact(Fraction(v, den)) if applicable[k] else None for k, v in enumerate(year)]
        found = results_of(own, applicable)
        data = {
            name: exact(Fraction(v, d)) if d else v
            for name, (v, d) in zip(self.data, key[5], strict=True)
            if v is not None
        }
        grades: list[str | None] = [None] * len(year)
        for k, grade in zip(self.graded, key[6], strict=False):
            grades[k] = grade
        unit = Unit(name="", category=category, data=data, periods=labels)
        try:
            return period_totals(
                plan, unit, found, scores, grades, use.weights, use.contribution, use.possible
            )
        except PerfrulesError:
            return None


def results_of(
    own: Mapping[int, list[tuple[str, int, int, str | None]]], applicable: Sequence[bool]
) -> list[tuple[PeriodResult, ...]]:
    """Per indicator, a unit's period results as the per-unit code reads them (``period_totals``,
    ``finish_unit``), from its period rows *own* (``Scored.period_rows``: per periodic indicator,
    each period's label, score over its denominator and own grade); ``()`` where none applies."""
    return [
        tuple(
            PeriodResult(period=label, value=None, grade=grade, score=exact(Fraction(v, d)))
            for label, v, d, grade in own.get(k, ())
        )
        if a
        else ()
        for k, a in enumerate(applicable)
    ]


def period_grades(plan: Plan, rich: RichGrading | None) -> PeriodGrades | None:
    """The plan's grades per period for the column program (None: no grade per period); *rich* its
    rich overall grading (:func:`~perfrules.scoring.coloverall.rich_grading`), where it has one."""
    return PeriodGrades(plan, rich) if plan.periodic else None
