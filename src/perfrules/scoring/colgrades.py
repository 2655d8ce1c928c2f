"""A grade per period (每期评定等次) for a batch's columns: each period's total and grade.

With ``period_grades``, the per-unit program gives a unit with periods each
period's total and grade beside the year's
(:func:`perfrules.scoring.overall.period_totals`): the period's scores of the
indicators reported per period, the year's scores of the others, added up with
the year's weights, bounded and graded as a total is. The column program keeps
each period row's score as :mod:`~perfrules.scoring.colperiods` worked it out
(held within the indicator's limits and rounded, as the per-unit program does per
period) and runs that same function with them — once per distinct input: the
unit's category, pattern of applicable indicators, year's scores and periods'
scores. No rule is written twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import numpy
from .._numbers import exact
from ..scheme.units import PeriodResult, PeriodTotal, Unit
from .outcome import weighting
from .overall import period_totals
from .plan import Plan

__all__ = ["PeriodGrades", "period_grades"]

# Per periodic indicator: its period rows as (unit position, label) and their held scores (an IntColumn).
Kept = Mapping[int, tuple[Sequence[tuple[int, str]], Any]]


class PeriodGrades:
    """A plan's grades per period, for the column program (see the module's docstring)."""

    def __init__(self, plan: Plan, unsupported: type[Exception]) -> None:
        if plan.rich_overall:
            raise unsupported("a grade per period, graded on more than the total")
        if plan.scheme.periods == "sum":  # the column program keeps no period rows' scores then
            raise unsupported('a grade per period, with periods = "sum"')
        self.plan = plan

    def run(
        self,
        scores: Sequence[Any],
        den: int,
        applicable: Any,
        categories: Sequence[str | None],
        periods: Sequence[Any] | None,
        kept: Kept,
        ok: Any,
    ) -> tuple[list[tuple[PeriodTotal, ...]], Any]:
        """Per unit, its periods' totals (``()`` for a unit without periods), and which units it
        worked them out for (the others go to the per-unit program)."""
        np = numpy()
        n = len(ok)
        out: list[tuple[PeriodTotal, ...]] = [()] * n
        done = ok.copy()
        if periods is None:
            return out, done
        # Per unit, per periodic indicator: its periods' (label, numerator, denominator).
        rows: dict[int, dict[int, list[tuple[str, int, int]]]] = {}
        for k, (runs, col) in kept.items():
            nums = col.num.tolist()
            for (i, label), v in zip(runs, nums, strict=True):
                rows.setdefault(i, {}).setdefault(k, []).append((label, v, col.den))
        found: dict[tuple[Any, ...], tuple[PeriodTotal, ...] | None] = {}
        count = len(self.plan.indicators)
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
                tuple(given),
                tuple(sorted((k, tuple(v)) for k, v in own.items())),
            )
            if key not in found:
                found[key] = self._totals(categories[i], list(pattern), year, den, given, own)
            got = found[key]
            if got is None:
                done[i] = False
            else:
                out[i] = got
        return out, done

    def _totals(
        self,
        category: str | None,
        applicable: list[bool],
        year: Sequence[int],
        den: int,
        labels: Mapping[str, Mapping[str, object]],
        own: Mapping[int, list[tuple[str, int, int]]],
    ) -> tuple[PeriodTotal, ...] | None:
        """The per-unit program's period totals for one distinct input (None: it says what is wrong)."""
        plan = self.plan
        use = weighting(plan, category, applicable)
        scores = [exact(Fraction(v, den)) if applicable[k] else None for k, v in enumerate(year)]
        found = [
            tuple(
                PeriodResult(period=label, value=None, grade=None, score=exact(Fraction(v, d)))
                for label, v, d in own.get(k, ())
            )
            if applicable[k]
            else ()
            for k in range(len(year))
        ]
        unit = Unit(name="", category=category, periods=labels)
        try:
            return period_totals(
                plan, unit, found, scores, [None] * len(year), use.weights, use.contribution, use.possible
            )
        except PerfrulesError:
            return None


def period_grades(plan: Plan, unsupported: type[Exception]) -> PeriodGrades | None:
    """The plan's grades per period for the column program (None: no grade per period)."""
    return PeriodGrades(plan, unsupported) if plan.periodic else None
