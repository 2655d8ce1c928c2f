"""What the column program worked out for a batch: its scores, totals and the units it scored (Scored).

Made into totals, grades and output cells for the units asked for.

:meth:`perfrules.scoring.program.ColumnProgram.score` makes it; the rules on the total
(:mod:`~perfrules.scoring.coltotalrules`), rich overall grading, group means and period grades
(``coloverall``, ``colmeans``, ``colgrades``) and the steps after the total (:mod:`~perfrules.
scoring.coldress`) add to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._intcols import numpy
from .._numbers import exact
from .coldress import dress
from .colfailures import Failures
from .coltotals import TotalColumn
from .outcome import UnitOutcome
from .uniterrors import Errored

__all__ = ["Scored"]


class Scored:
    """What the column program worked out for a batch: scores, totals, and which units it scored."""

    def __init__(
        self,
        program: Any,
        scores: Sequence[Any],
        den: int,
        applicable: Any,
        totals: Any,
        denominators: Any,
        ok: Any,
        small: Any = None,
    ) -> None:
        self.program = program
        self.scores = scores
        self.den = den
        self.applicable = applicable
        self._totals = totals  # Python integers (None while the int64 *small* holds every total)
        self.denominators = denominators
        # The totals as int64, where every one fits (else None): compared without Python integers.
        self.small: Any = small
        # Per unit, what rich overall grading, group means and period grades gave (coloverall, colmeans,
        # colgrades), where the scheme has them.
        self.found: list[Any] | None = None
        self.means: list[Any] | None = None
        self.periods: list[Any] | None = None
        # Per unit (by position) with period rows: what colgrades read of them (its results_of gives
        # the indicators' period results the per-unit code reads: coltotalerrors).
        self.period_rows: Mapping[int, Any] = {}
        self.graded: dict[int, list[str | None]] = {}  # per indicator, the grades rich grading read
        # Per indicator reported per period among those: each unit's grade of each period (by label).
        self.period_graded: dict[int, list[Mapping[str, str | None]]] = {}
        self.own: Any = None  # weight_from: (each unit's place among the weights read, those weights)
        self.ok = ok
        self.events: dict[int, list[Any]] = {}  # per unit (by position), the notes the total's rules left
        self.vetoed: Any = None  # which units a veto sank (None: none)
        # Per unit (by position) not scored here, what is wrong with it (uniterrors): run() gives it
        # the outcome errored_outcome makes. Units refused for what is decided before any indicator
        # is scored (*level*: unreadable cells, category, weights read) are asked about there.
        self.errors: dict[int, Errored] = {}
        self.level: Any = None
        self.failures: Failures | None = None  # what the columns could not work out, per indicator

    def finish_rules(
        self, columns: Any, cat: Any, patterns: list[Any], fired: Any, cols: Any, periods: Any
    ) -> None:
        """The scheme's rules on the total (:mod:`~perfrules.scoring.coltotalrules`) over these totals,
        with the indicator vetoes that *fired* (:mod:`~perfrules.scoring.colvetoes`); *cols*: the columns;
        *periods*: each unit's periods' data (``colperiods.PeriodData``)."""
        rules = self.program.rules
        done = rules.apply(
            self.totals, self.denominators, self.ok, columns, cat, patterns, self, fired, cols, periods
        )
        self.cat = cat
        self._totals, self.denominators, self.small, self.ok = done.num, done.den, None, done.ok
        self.events = done.events
        self.vetoed = done.vetoed if done.vetoed.any() else None

    @property
    def totals(self) -> Any:
        """Every unit's total's numerator over its denominator (an object array of Python integers)."""
        if self._totals is None:
            self._totals = self.small.astype(object)
        return self._totals

    def rows(self) -> list[int]:
        """The units the program scored (positions in the batch)."""
        return numpy().flatnonzero(self.ok).tolist()  # type: ignore[no-any-return]

    def finish(self, rows: list[int]) -> tuple[list[Any], list[str | None], list[str]]:
        """For the units at *rows*: their exact totals, overall grades, and totals as output cells
        (:func:`perfrules.pipeline.chunk.cell_number`), worked out per denominator at once."""
        totals = self.totals_of(rows)
        grades = self.grades_of(totals, rows)
        if self.vetoed is not None and self.program.plan.overall is not None:
            lowest = self.program.plan.scheme.grades[-1]  # a veto: the lowest grade, whatever the total
            for j in numpy().flatnonzero(self.vetoed[numpy().array(rows, dtype=numpy().int64)]).tolist():
                grades[j] = lowest
        return totals.values(), grades, totals.cells()

    def totals_of(self, rows: list[int]) -> TotalColumn:
        """The exact totals of the units at *rows*, kept as integers (values and ranks made when read)."""
        at = numpy().array(rows, dtype=numpy().int64)
        return TotalColumn((self.small if self.small is not None else self.totals)[at], self.denominators[at])

    def grades_of(self, totals: TotalColumn, rows: Sequence[int] | None = None) -> list[str | None]:
        """The overall grades of *totals* (:meth:`totals_of` of *rows*; None: every unit), per
        denominator by comparing integers."""
        plan = self.program.plan
        if self.found is not None:  # grading that reads more than the total (coloverall)
            return [self.found[i][1] for i in (rows if rows is not None else range(len(totals)))]
        if not plan.category_marks:
            return totals.grades(plan.overall)
        cats = self.cat if rows is None else self.cat[numpy().array(rows, dtype=numpy().int64)]
        found: list[str | None] = [None] * len(totals)
        for c in set(cats.tolist()):  # categories with full marks of their own: their own grading
            where = numpy().flatnonzero(cats == c)
            part = TotalColumn(totals.num[where], totals.den[where])
            for j, grade in zip(
                where.tolist(), part.grades(plan.overall_for(plan.scheme.categories[c])), strict=True
            ):
                found[j] = grade
        return found

    def dress(self, i: int, outcome: UnitOutcome) -> None:
        """Unit *i*'s periods, subtotals, events and flags from the steps after its total (coldress)."""
        dress(self, i, outcome)

    def total(self, i: int) -> Any:
        """Unit *i*'s total, exact."""
        return exact(Fraction(int(self.totals[i]), int(self.denominators[i])))

    def base(self, i: int) -> tuple[Fraction, ...] | None:
        """Unit *i*'s own weights (``weight_from``; None: the scheme's, as the per-unit program takes)."""
        return None if self.own is None else self.own[1][int(self.own[0][i])]

    def unit_scores(self, i: int) -> list[Any]:
        """Unit *i*'s indicator scores (None where an indicator does not apply)."""
        den = self.den
        applicable = self.applicable[i]
        return [
            exact(Fraction(int(col[i]), den)) if applicable[k] else None for k, col in enumerate(self.scores)
        ]
