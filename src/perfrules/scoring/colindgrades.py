"""Indicators' grades for a batch's columns, by each indicator's own code once per distinct input.

Overall grading, caps and flags may read an indicator's grade (``指标3等次``:
its place in its scale, 1 for the best) or how many indicators got a grade
(``评为优的指标数``). The per-unit program takes each indicator's grade from
its scoring (:meth:`~perfrules.scoring.indicator.IndicatorPlan.score`: the band
of its scale the measured value falls in, a zero rule's lowest band, or the
grade of its score by the scheme's ``scores``). The column program does not
write that decision a second time: for each indicator whose grade is read it
runs the indicator's own scoring once per DISTINCT input — the unit's category
and the data cells the indicator reads — and gives each unit of that input the
grade it gave.

A unit for which that input cannot be given (a cell a graded indicator reads
that is not a plain number or a word, or the scoring raises) goes to the
per-unit program. An indicator reading population values (``max_of`` …) has
them, the program's columns, in its input, and so does one with peer ratios or
ranks (their values), or one reading other indicators' results (those results,
as the program worked them out) — for overall grading and a total formula reading
grades alike. An indicator reported per period (a ``frequency``) is graded so
for both, its input then the unit's period cells it reads beside its year cells
(:meth:`~perfrules.scoring.compiled.CompiledIndicator.runs` picks the periods,
the mean, the last or the sum by the rule's own code): a year cell that is blank
(:data:`~perfrules.scoring.colblank.BLANK`, the cells
:attr:`IndicatorGrades.blank_reads` names) is no value there, not 0. Its
population values (``max_of`` …, peer ratios, ranks) are worked out per period,
so its input has the unit's own table of them (every period's, and the year's
where it is scored on its year's row: :data:`TABLES`), and its scoring is given
that table; the other results it reads are its unit's, as on the year's row. The
same scoring gives each period's own grade (``PeriodResult.grade``), which a
grade per period reads (:mod:`~perfrules.scoring.colgrades`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import numpy
from .._numbers import exact
from ..scheme.reads import indicator_reads
from ..scheme.units import Unit
from .colapplies import mapped_reads
from .colblank import BLANK
from .colparts import peer_column
from .colsteps import POPULATION_PREFIX
from .plan import Plan

__all__ = ["TABLES", "IndicatorGrades", "grade_values", "graded_indicators", "population_table", "tabled"]

TABLES = "\0population tables"
"""Where a batch's columns hold, when an indicator reported per period with population values has its grade
read, a function giving the unit at a position its population values (``{(code, key, period): value}``)."""


class IndicatorGrades:
    """The indicators whose grades a plan's overall grading reads (see the module's docstring)."""

    def __init__(
        self,
        plan: Plan,
        which: Sequence[int],
        text_reads: Sequence[str],
        unsupported: type[Exception],
        population: bool = False,
    ) -> None:
        self.plan = plan
        self.which = tuple(which)
        for k in self.which:
            ind = plan.indicators[k]
            others = ind.peer_steps or ind.population_calls or plan.result_reads[k]
            if (others or ind.periodic) and not population:
                raise unsupported(
                    f"overall grading reads indicator {ind.code}'s grade, which is scored per period, or "
                    "from population values or other results"
                )
        # Per indicator: its population values (max_of …, peer ratios, ranks) as the program's columns,
        # with their keys.
        self.calls = {
            k: [(f"{POPULATION_PREFIX}{ind.code}\0{c.key}", c.key) for c in ind.population_calls]
            + [(peer_column(ind.code, s.target), s.target) for s in ind.peer_steps]
            for k, ind in ((k, plan.indicators[k]) for k in self.which)
        }
        # The other indicators' results (指标1得分, 指标2·超额点数) each reads: the program's columns.
        self.results = frozenset(plan.results)
        # What its peer ratios and ranks read: their values come in as population values instead.
        self.peer_reads = {
            k: mapped_reads(
                plan.indicators[k], set().union(*(s.reads for s in plan.indicators[k].peer_steps))
            )
            for k in self.which
        }
        # Every data column the indicator's rules read (through its inputs): its scoring's input.
        self.reads = {
            k: tuple(sorted(mapped_reads(plan.indicators[k], set(indicator_reads(plan.indicators[k].ind)))))
            for k in self.which
        }
        self.text = frozenset(text_reads)
        # Per indicator reported per period: the names a period row gives it (data columns, local names).
        self.periodic = {
            k: tuple(sorted(set(self.reads[k]) | plan.indicators[k].fields))
            for k in self.which
            if plan.indicators[k].periodic
        }
        # Those reading population values: each unit's own, of every period (its table: TABLES).
        self.tabled = frozenset(k for k in self.periodic if self.calls[k])
        # The year cells whose blanks the program marks (colblank): no value, where periods give them.
        self.blank_reads = tuple(
            sorted({name for k in self.periodic for name in self.reads[k] if name not in self.text})
        )

    def run(
        self,
        columns: Mapping[str, tuple[Any, Any]],
        categories: Sequence[str | None],
        applicable: Any,
        ok: Any,
        cols: Mapping[str, Any] | None = None,
        periods: Sequence[Mapping[str, Mapping[str, object]] | None] | None = None,
        by_period: dict[int, list[Mapping[str, str | None]]] | None = None,
    ) -> tuple[dict[int, list[str | None]], Any]:
        """Per graded indicator, each unit's grade (None where it does not apply or is not worked out
        here), and which of the units *ok* marks were graded. *cols*: the batch's columns, with the
        population values of the indicators that read them (a unit's are part of its input) and the
        blank cells (:data:`~perfrules.scoring.colblank.BLANK`); *periods*: each unit's periods' data
        (None: a unit without, or a batch without); *by_period*, where given, gets per graded indicator
        reported per period each unit's grade of each period it was scored on (by label: the grade
        each period's own scoring gave, which a grade per period reads: :mod:`~perfrules.scoring.
        colgrades`)."""
        np = numpy()
        n = len(ok)
        done = ok.copy()
        grades: dict[int, list[str | None]] = {}
        for k in self.which:
            names = self.reads[k]
            if cols is not None:  # results the program worked out (the units it could not: sent back)
                columns = {
                    **{name: (cols[name], True) for name in names if name in self.results and name in cols},
                    **columns,
                }
            names = tuple(name for name in names if name in columns or name not in self.peer_reads[k])
            tables = cols.get(TABLES) if cols is not None and k in self.tabled else None
            if any(name not in columns for name in names) or (k in self.tabled and tables is None):
                # (not among the program's columns, or no population values per period given)
                done &= ~applicable[:, k]
                grades[k] = [None] * n
                continue
            use = done & applicable[:, k]
            plain = np.ones(n, dtype=bool)
            blanks = _blanks(cols, names) if k in self.periodic else {}  # (no value, not 0)
            for name in names:
                if name in self.text:  # (a blank word is no value: absent, as from the unit's data)
                    words, given = columns[name]
                    plain &= given | np.equal(words, None)
                    continue
                plain &= columns[name][1] | blanks[name] if name in blanks else columns[name][1]
            done &= plain | ~applicable[:, k]
            use &= plain
            rows = np.flatnonzero(use).tolist()
            parts: list[list[Any]] = [[categories[i] for i in rows]]
            dens: list[int | None] = []
            for name in names:
                col = columns[name][0]
                if name in self.text:
                    parts.append(col[rows].tolist())
                    dens.append(None)
                else:
                    cells = col.num[rows].tolist()
                    if name in blanks:
                        gaps = blanks[name][rows].tolist()
                        cells = [None if b else v for v, b in zip(cells, gaps, strict=True)]
                    parts.append(cells)
                    dens.append(col.den)
            calls = self.calls[k]
            if tables is not None:  # the unit's values of every period (the year's: where scored on it)
                code = self.plan.indicators[k].code
                parts.append([tuple(kv for kv in tables(i).items() if kv[0][0] == code) for i in rows])
            for column, _ in calls if tables is None else ():
                assert cols is not None  # (population values are read only where the columns are given)
                parts.append(cols[column].num[rows].tolist())
                dens.append(cols[column].den)
            if k in self.periodic:  # the unit's period cells the indicator reads (label by label)
                given = self.periodic[k]
                parts.append([_period_cells(periods[i] if periods else None, given) for i in rows])
            found: dict[tuple[Any, ...], tuple[str | None, Mapping[str, str | None]] | None] = {}
            out: list[str | None] = [None] * n
            own: list[Mapping[str, str | None]] = [_NO_PERIODS] * n
            for i, key in zip(rows, zip(*parts, strict=True), strict=True):
                if key not in found:
                    found[key] = self._grade(k, key, names, dens)
                got = found[key]
                if got is None:
                    done[i] = False
                else:
                    out[i], own[i] = got
            grades[k] = out
            if by_period is not None and k in self.periodic:
                by_period[k] = own
        return grades, done

    def _grade(
        self, k: int, key: tuple[Any, ...], names: Sequence[str], dens: Sequence[int | None]
    ) -> tuple[str | None, Mapping[str, str | None]] | None:
        """The indicator's own scoring run on one distinct input (its category, the data it reads and
        its population values): its grade, and each period's (by label; None: it raised)."""
        at = 1 + len(names)
        data = {
            name: value if den is None else exact(Fraction(value, den))
            for name, value, den in zip(names, key[1:at], dens[: len(names)], strict=True)
            if value is not None  # (a blank cell: no value, absent as from the unit's data; words as given)
        }
        ind = self.plan.indicators[k]
        population: dict[tuple[str, str, str | None], Any] = (
            dict(key[at])
            if k in self.tabled
            else {
                (ind.code, call, None): exact(Fraction(value, den))
                for (_, call), value, den in zip(self.calls[k], key[at:], dens[len(names) :], strict=False)
            }
        )
        periods = {label: dict(cells) for label, cells in key[-1]} if k in self.periodic else {}
        unit = Unit(name="", category=key[0], data=data, periods=periods)
        try:
            scored = ind.score(unit, population, False, graded=True)
        except (PerfrulesError, KeyError):
            return None
        return scored.grade, {p.period: p.grade for p in scored.periods} if scored.periods else _NO_PERIODS


_NO_PERIODS: Mapping[str, str | None] = {}


def tabled(*graded: IndicatorGrades | None) -> bool:
    """Whether one of *graded* grades an indicator per period with population values (it reads each
    unit's table of them: :data:`TABLES`)."""
    return any(g is not None and g.tabled for g in graded)


def population_table(
    population: Mapping[str, Mapping[tuple[str, str, str | None], Any]], names: Sequence[str], i: int
) -> Mapping[tuple[str, str, str | None], Any]:
    """The population values of the unit at position *i* of a batch named *names* (none: empty)."""
    return population.get(names[i], _NO_TABLE)


_NO_TABLE: Mapping[tuple[str, str, str | None], Any] = {}


def _blanks(cols: Mapping[str, Any] | None, names: Sequence[str]) -> dict[str, Any]:
    """Per name of *names* among the blank cells the batch's columns mark, which cells are blank."""
    found = cols.get(BLANK, {}) if cols is not None else {}
    return {name: found[name] for name in names if name in found}


def _period_cells(
    given: Mapping[str, Mapping[str, object]] | None, names: Sequence[str]
) -> tuple[tuple[str, tuple[tuple[str, object], ...]], ...]:
    """A unit's periods (in order) with the cells of *names* each gives, as a key's part."""
    if not given:
        return ()
    out = []
    for label, values in given.items():
        cells = tuple((name, values[name]) for name in names if name in values)
        if cells:
            out.append((label, cells))
    return tuple(out)


def graded_indicators(
    plan: Plan,
    names: set[str],
    text_reads: Sequence[str],
    unsupported: type[Exception],
    population: bool = False,
) -> IndicatorGrades | None:
    """The indicators whose grades the overall names *names* read (``指标3等次``, ``评为优的指标数``:
    every indicator), compiled (None: none is read); with *population*, indicators reading
    population values (``max_of`` …) too (their :meth:`~IndicatorGrades.run` is given the columns)."""
    which: set[int] = set()
    for name in names:
        if name.startswith("评为") and name.endswith("的指标数"):
            which |= set(range(len(plan.indicators)))
        elif name.startswith("指标") and name.endswith("等次") and name[2:-2] in plan.index:
            which.add(plan.index[name[2:-2]])
    return IndicatorGrades(plan, sorted(which), text_reads, unsupported, population) if which else None


def grade_values(plan: Plan, name: str, grades: Mapping[int, Sequence[str | None]], ok: Any) -> list[int]:
    """Each unit's value of ``指标3等次`` (the grade's place in its scale, 1 for the best) or
    ``评为优的指标数`` (how many indicators got 优), as
    :func:`~perfrules.scoring.overall.overall_scope` gives them, from *grades*
    (:meth:`IndicatorGrades.run`); *ok* loses the units where the name has no value."""
    n = len(ok)
    if name.startswith("评为"):
        wanted = name[2:-4]
        return [sum(1 for found in grades.values() if found[i] == wanted) for i in range(n)]
    k = plan.index[name[2:-2]]
    ind = plan.indicators[k]
    scale = ind.ind.scale if ind.ind.scale is not None else plan.scheme.score_scale
    bands = [b.name for b in scale.bands] if scale is not None else []
    out = [0] * n
    for i, grade in enumerate(grades[k]):
        if grade is None or grade not in bands:
            ok[i] = False
        else:
            out[i] = bands.index(grade) + 1
    return out
