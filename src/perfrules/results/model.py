"""Results: what ``evaluate`` returns, built from what scoring recorded.

``evaluate(scheme, units)`` scores every unit and returns an
:class:`Evaluation`: per unit a :class:`UnitResult` with its total, grade,
ranks, every indicator's :class:`IndicatorResult` and the tree of
:class:`GroupResult`. Explanations (``explain()``), tables and DataFrames are
made from these on demand.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

import attrs

from .._errors import expect_scheme
from .._numbers import Number
from ..formula.language import normalize_name
from ..scheme.history import PastResults
from ..scheme.model import Scheme
from ..scheme.unitcols import LazyUnits
from ..scheme.units import PeriodTotal, PolicyEvent, Unit, UnitError
from ..scoring.batch import check_units, score_batch
from ..scoring.colbatch import KeptOutcomes, score_kept
from ..scoring.colexplain import RECORDED, explain_unit, explainer_of
from ..scoring.colrecord import Explaining
from ..scoring.compiled import Population
from ..scoring.outcome import UnitOutcome
from ..scoring.plan import Plan, plan_of
from ..scoring.program import program_of
from .parts import GroupResult, IndicatorResult
from .past import with_previous
from .unitparts import explained_parts as _explained_parts

__all__ = ["VIEWS", "Evaluation", "GroupResult", "IndicatorResult", "UnitResult", "evaluate"]

VIEWS: dict[str, Callable[..., Any]] = {}
"""The views of results (explanations, HTML, records, data frames, workbooks), by name.

They live in the modules beside this one and are registered by ``perfrules/results/__init__.py``,
so the result types never import the code that renders them.
"""


class _Detail:
    """What explaining one unit takes: the batch's plan run again on it, recording every step.

    A unit's indicator results and groups are a view of what the column program records when
    it runs again on that unit and its neighbours (:mod:`perfrules.scoring.colrecord`), with the
    batch's population values, when first read; a unit the record does not explain
    (:mod:`perfrules.scoring.colexplain` says why: ``by``, :attr:`UnitResult.trail_missing`)
    keeps the batch's total, grade, ranks, errors and events, with no trail.
    """

    __slots__ = ("at", "by", "explaining", "plan", "population", "unit")

    def __init__(
        self,
        plan: Plan,
        unit: Unit,
        population: Population,
        explaining: Explaining | None = None,
        at: int = 0,
    ) -> None:
        self.plan = plan
        self.unit = unit
        self.population = population
        self.explaining = explaining  # the batch's units, recorded a block at a time (None: this one alone)
        self.at = at
        self.by = ""

    def __call__(self) -> tuple[tuple[IndicatorResult, ...], tuple[GroupResult, ...]]:
        program = program_of(self.plan)
        explaining = self.explaining
        if explaining is None:
            explaining = Explaining(program, [self.unit], {self.unit.name: self.population})
        explainer = explainer_of(self.plan, program)
        found, self.by = None, explainer.why or ""
        if explainer.why is None:
            record, row = explaining.record(self.at)
            found, self.by = explain_unit(explainer, record, row)
        if found is None:  # the record does not explain the unit: no trail (trail_missing says why)
            return (), ()
        outcome = UnitOutcome(record.units[row])
        outcome.indicators = found
        done = record.outcomes[row]
        if done is not None:  # groups that take a mean: their subtotals (colmeans)
            outcome.subtotals = done.subtotals
        return _explained_parts(self.plan, outcome, explainer.shared, explainer.views)


# UnitResult's public fields, in order: what equality compares and pickling keeps.
_UNIT_FIELDS = tuple(
    [
        "unit",
        "category",
        "total",
        "grade",
        "rank",
        "category_rank",
        "indicators",
        "events",
        "errors",
        "groups",
        "vetoed",
        "language",
        "full_marks",
        "grades",
        "points",
        "origin",
        "stand_in",
        "rank_within",
        "flags",
        "level",
    ]
)


def _unit_result_from(fields: dict[str, Any]) -> UnitResult:
    return UnitResult(**fields)


@attrs.frozen(kw_only=True, eq=False)
class UnitResult:
    """One unit's evaluation.

    Attributes:
        unit: the unit's name.
        category: its category.
        total: the total score (None when an error prevented it); rounded when
            the scheme rounds totals.
        grade: the overall grade (None likewise, or when the scheme grades no total).
        rank: 1 for the best total among the units scored (ties share a rank;
            vetoed units come after every unit that was not vetoed).
        category_rank: the rank among units of the same category.
        indicators: every indicator's result, in the scheme's order.
        groups: the same results as a tree: the scheme's groups with their
            weights and subtotals.
        events: unit-level events (vetoes, adjustments of the total, caps,
            rounding, quotas, 折算).
        errors: every problem with this unit's data.
        vetoed: whether a veto (一票否决) fired.
        language: the scheme's language, for explanations.
        full_marks: the unit's full marks: the scheme's total (100, 1000 …), or its
            category's own (``Scheme.totals``).
        grades: the overall grades, best first.
        points: whether the scheme is a points scheme (results in 分).
        origin: where the unit's data came from (``data.csv row 4``).
        stand_in: the scheme-wide stand-in note, if any.
        rank_within: the scheme's ``rank_within``: ``category`` when units
            are ranked within their category (分类评估).
        flags: the labels beside the grade whose condition held (不能评先,
            黄牌), in the scheme's order; they do not change the grade.
        periods: each period's total and grade beside the year's (a
            quarter's grade), when indicators are reported by period
            (:class:`PeriodTotal`); empty otherwise.
        level: 0 for a unit scored from its data; with the scheme's
            ``roll_up``, 1 for a parent whose total is the mean of such units'
            (a city from its counties), 2 for a parent of parents. Ranks and
            quotas are within a level.
    """

    unit: str
    category: str | None
    total: Number | None
    grade: str | None
    rank: int | None
    category_rank: int | None
    _indicators: tuple[IndicatorResult, ...] = attrs.field(default=(), alias="indicators", repr=False)
    events: tuple[PolicyEvent, ...]
    errors: tuple[UnitError, ...]
    _groups: tuple[GroupResult, ...] = attrs.field(default=(), alias="groups", repr=False)
    vetoed: bool = False
    language: str = "zh"
    full_marks: Number = Decimal(100)
    grades: tuple[str, ...] = ("优", "良", "中", "差")
    points: bool = False
    origin: str = ""
    stand_in: str = ""
    rank_within: str = "all"
    flags: tuple[str, ...] = ()
    periods: tuple[PeriodTotal, ...] = ()
    level: int = 0
    # Set by evaluate(): indicators and groups are worked out when first read.
    _detail: _Detail | None = attrs.field(default=None, alias="detail", repr=False)
    # Once explained: ``record`` when the column program's record explained it, else why not (tests read it).
    _explained_by: str = attrs.field(default="", alias="explained_by", repr=False)

    @property
    def indicators(self) -> tuple[IndicatorResult, ...]:
        """Every indicator's result, in the scheme's order."""
        if self._detail is not None:
            self._explain_now()
        return self._indicators

    @property
    def groups(self) -> tuple[GroupResult, ...]:
        """The indicators' results as a tree: the scheme's groups with their weights and subtotals."""
        if self._detail is not None:
            self._explain_now()
        return self._groups

    @property
    def trail_missing(self) -> str | None:
        """Why the unit's step-by-step trail is not available (no indicators, no groups), else None."""
        self._explain_now()
        return self._explained_by if self._explained_by not in ("", RECORDED) else None

    def _explain_now(self) -> None:
        detail = self._detail
        if detail is None:
            return
        indicators, groups = detail()
        object.__setattr__(self, "_indicators", indicators)
        object.__setattr__(self, "_groups", groups)
        object.__setattr__(self, "_detail", None)
        object.__setattr__(self, "_explained_by", detail.by)

    def _explained_once(self) -> UnitResult:
        """This result explained, without keeping the explanation on this one.

        Writing many units one at a time (JSON output) reads each explanation
        once; keeping them all would hold every unit's trail in memory.
        """
        detail = self._detail
        if detail is None:
            return self
        indicators, groups = detail()
        return attrs.evolve(self, indicators=indicators, groups=groups, detail=None, explained_by=detail.by)

    def _fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _UNIT_FIELDS}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, UnitResult)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.unit, self.total, self.grade, self.rank))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled explained: the plan it would re-run is not sent along.
        return (_unit_result_from, (self._fields(),))

    @property
    def ok(self) -> bool:
        """Whether the unit was scored without errors."""
        return not self.errors

    def indicator(self, key: str) -> IndicatorResult:
        """The result of the indicator with this code or name."""
        wanted = normalize_name(key)
        for result in self.indicators:
            if wanted in (result.code, normalize_name(result.name)):
                return result
        raise KeyError(f"no indicator '{key}' in the result for '{self.unit}'")

    def explain(self) -> str:
        """The whole trail in plain language (Chinese for Chinese schemes): every formula
        with its numbers, every grade, deduction, bonus, cap and veto, in the scheme's units (分)."""
        text: str = VIEWS["explain_unit"](self)
        return text

    def to_dataframe(self) -> Any:
        """The unit's indicators as a pandas DataFrame (needs the ``pandas`` extra)."""
        return VIEWS["unit_frame"](self)

    def _repr_html_(self) -> str:
        html: str = VIEWS["unit_html"](self, self.grades)
        return html

    def __str__(self) -> str:
        from .._words import num

        total = "—" if self.total is None else num(self.total)
        return f"{self.unit}: {total} {self.grade or ''}".rstrip()


@attrs.frozen(kw_only=True, eq=False)
class Evaluation:
    """The results of one evaluation run.

    Attributes:
        scheme: the scheme evaluated.
        results: one per unit, in the order the units were given (made when first read).
    """

    scheme: Scheme = attrs.field(repr=False)
    _results: tuple[UnitResult, ...] | Callable[[], tuple[UnitResult, ...]] = attrs.field(
        alias="results", repr=False
    )

    @property
    def results(self) -> tuple[UnitResult, ...]:
        """One result per unit, in the order the units were given."""
        found = self._results
        if callable(found):
            found = found()
            object.__setattr__(self, "_results", found)
        return found

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Evaluation)
        return self.scheme == other.scheme and self.results == other.results

    def __hash__(self) -> int:
        return hash((self.scheme, self.results))

    def __reduce__(self) -> tuple[Any, ...]:
        return (partial(Evaluation, scheme=self.scheme, results=self.results), ())

    def __repr__(self) -> str:
        scored = sum(1 for r in self.results if r.ok)
        return f"Evaluation(scheme={self.scheme.name!r}, units={len(self.results)}, scored={scored})"

    def __iter__(self) -> Iterator[UnitResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def unit(self, name: str) -> UnitResult:
        """The result of the unit with this name (close names are suggested)."""
        wanted = normalize_name(name)
        for result in self.results:
            if result.unit == wanted:
                return result
        close = difflib.get_close_matches(wanted, [r.unit for r in self.results], n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"no unit '{name}' in this evaluation{hint}")

    @property
    def errors(self) -> tuple[UnitError, ...]:
        """Every unit's errors."""
        return tuple(e for r in self.results for e in r.errors)

    def ranking(self) -> tuple[UnitResult, ...]:
        """Scored units from the best rank down; units with errors last.

        With the scheme's ``roll_up``, each level apart, the top level first
        (the cities, then their counties): ranks are within a level.
        """
        scored = sorted(
            (r for r in self.results if r.rank is not None), key=lambda r: (-r.level, r.rank, r.unit)
        )
        ranked = (*scored, *(r for r in self.results if r.rank is None))
        _expect(ranked)
        return ranked

    def explain(self, unit: str) -> str:
        """The trail of one unit in plain language."""
        return self.unit(unit).explain()

    def to_records(self) -> dict[str, Any]:
        """Plain data (dicts, lists, numbers rounded to 6 places), as ``perfrules score --format json``.

        Numbers are ints, floats where a float holds the digits, and Decimals where it does not
        (more than about 15 significant digits): every digit is kept.
        """
        plain: dict[str, Any] = VIEWS["records"](self)
        return plain

    def to_dataframe(self) -> Any:
        """One row per unit (rank, category, total, grade, errors), as a pandas DataFrame.

        Needs the ``pandas`` extra (``pip install 'perfrules[pandas]'``).
        """
        return VIEWS["evaluation_frame"](self)

    def to_excel(self, path: str | os.PathLike[str]) -> None:
        """Write the results as an Excel workbook (results, errors and notes, the scheme).

        Needs the ``excel`` extra (``pip install 'perfrules[excel]'``); see
        :func:`perfrules.write_workbook`.
        """
        VIEWS["write_workbook"](self, path)

    def indicators_dataframe(self) -> Any:
        """One row per unit and indicator (long form), as a pandas DataFrame."""
        return VIEWS["indicators_frame"](self)

    def _repr_html_(self) -> str:
        html: str = VIEWS["evaluation_html"](self)
        return html


def _expect(ranked: Sequence[UnitResult]) -> None:
    """Tell the explanations of *ranked* (an evaluation's ranking) that they are likely to be read in
    that order (JSON output, tables and workbooks read them so): the units read next are then
    recorded together (:meth:`Explaining.expect`), once per evaluation."""
    explaining = next((r._detail.explaining for r in ranked if r._detail is not None), None)
    if explaining is None or explaining.expecting:
        return
    explaining.expect(
        [d.at for d in (r._detail for r in ranked) if d is not None and d.explaining is explaining]
    )


def unit_result(scheme: Scheme, outcome: UnitOutcome, detail: _Detail | None = None) -> UnitResult:
    """A unit's result from its outcome: explained from a detailed one, or later by *detail*."""
    unit = outcome.unit
    indicators, groups = _explained_parts(plan_of(scheme), outcome)
    return UnitResult(
        unit=unit.name,
        category=unit.category,
        total=outcome.total,
        grade=outcome.grade,
        rank=outcome.rank,
        category_rank=outcome.category_rank,
        indicators=indicators,
        groups=groups,
        events=tuple(outcome.events),
        errors=tuple(outcome.errors),
        vetoed=outcome.vetoed,
        language=scheme.language,
        full_marks=scheme.total_for(unit.category),
        periods=outcome.periods,
        grades=scheme.grades,
        points=scheme.basis == "points",
        origin=unit.origin,
        stand_in=scheme.stand_in,
        rank_within=scheme.rank_within,
        flags=outcome.flags,
        detail=detail if outcome.indicators is None and not outcome.level else None,
        level=outcome.level,
    )


def evaluate(
    scheme: Scheme,
    units: Iterable[Any],
    *,
    progress: Callable[[int, int, str], None] | None = None,
    explained: bool = True,
    previous: PastResults | Evaluation | str | os.PathLike[str] | None = None,
) -> Evaluation:
    """Score every unit under a scheme.

    Each unit is scored on its own: a problem in one unit's data is recorded
    on that unit (``UnitResult.errors``, naming the indicator and the field)
    and the others are still scored. Nothing is skipped silently: a missing
    input either triggers a declared ``Default`` policy or is an error.
    Values over all units (``max_of`` …, peer ratios, ranks, quotas) are
    computed once for the batch.

    Args:
        scheme: the scheme.
        units: the evaluated units and their data.
        progress: called as ``progress(done, total, unit_name)`` after each
            unit, for progress bars; the library itself never prints.
        explained: ``True`` (the default) lets every result explain itself:
            a unit's indicator results, groups and trail are worked out when
            first read (``result.indicators``, ``explain()``, JSON), by running
            the same plan again on that unit (and its neighbours) with the
            batch's population values and recording what each step did, so
            scoring the batch costs what its totals cost.
            ``False`` keeps totals only — totals, grades, ranks, errors and
            unit-level events, no indicator results (``explain()`` then has
            only the totals to say).
        previous: last year's results for the scheme's ``history`` names (上年名次 …):
            an :class:`Evaluation`, :class:`PastResults` or a results file's path
            (see :func:`~perfrules.read_results`); kept as ``scheme.previous``.

    With the scheme's ``roll_up``, a unit named as another's parent is not
    scored from data: its total is the (weighted) mean of its sub-units'
    totals, worked out after them, and it is ranked among its own level
    (``UnitResult.level``).

    Returns:
        The evaluation, with ranks among the units scored.

    Raises:
        TypeError: *units* holds something that is not a ``Unit``.
        ValueError: two units share a name.
        DataError: with ``roll_up``, a unit names itself as its parent, units
            name each other in a cycle, or a parent has no row of its own.

    >>> from perfrules import load, sample_units
    >>> evaluation = evaluate(load("shenzhen-2010-departments"), sample_units("shenzhen-2010-departments"))
    >>> evaluation.ranking()[0].rank
    1
    """
    expect_scheme(scheme, Scheme, "perfrules.evaluate()")
    if previous is not None:
        scheme = with_previous(scheme, previous)
    plan = plan_of(scheme)
    kept = score_kept(plan, units, progress=progress) if isinstance(units, LazyUnits) else None
    outcomes: Sequence[UnitOutcome]
    if kept is None:
        unit_list = check_units(units)
        # The batch is scored for totals; each unit's explanation is the same plan
        # run again on that unit (with the batch's population values) when read.
        outcomes, population = score_batch(plan, unit_list, progress=progress)
        given = {u.name: u for u in unit_list} if explained else {}
    else:  # units kept as columns (load_units), scored from them; their results are made when read
        outcomes, population, given = kept, {}, {}
    made = partial(_results, plan, outcomes, population, given, explained)
    return Evaluation(scheme=scheme, results=made if kept is not None else made())


def _results(
    plan: Plan,
    outcomes: Sequence[UnitOutcome],
    population: Mapping[str, Population],
    given: Any,
    explained: bool,
) -> tuple[UnitResult, ...]:
    """Each outcome's result; explained later from the unit as given (its data, not history's)."""
    empty: Population = {}
    if isinstance(outcomes, KeptOutcomes):
        found = outcomes.plain()
        if found is not None:
            return _plain_results(plan, outcomes, found, explained)
    program = program_of(plan) if explained else None
    explaining = None
    if program is not None:  # the units explained, a block at a time, from the column program's record
        explaining = Explaining(program, [given.get(o.unit.name, o.unit) for o in outcomes], population)
    return tuple(
        unit_result(
            plan.scheme,
            o,
            _Detail(plan, given.get(o.unit.name, o.unit), population.get(o.unit.name, empty), explaining, i)
            if explained
            else None,
        )
        for i, o in enumerate(outcomes)
    )


class _KeptUnits:
    """The units of a batch kept as columns, made when a block of them is explained."""

    def __init__(self, at: Callable[[int], Any], count: int) -> None:
        self.at = at
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, where: int) -> Any:
        return self.at(where)


def _plain_results(
    plan: Plan, outcomes: KeptOutcomes, found: tuple[list[Any], ...], explained: bool
) -> tuple[UnitResult, ...]:
    """:func:`unit_result` of each outcome of a batch scored whole from its columns, made from
    what the outcomes hold read at once (:meth:`KeptOutcomes.plain`: no event, error, period,
    flag or veto), without making each outcome."""
    scheme = plan.scheme
    names, categories, totals, grades, ranks, category_ranks, origins = found
    marks = {c: scheme.total_for(c) for c in set(categories)}
    same: dict[str, Any] = {
        "events": (),
        "errors": (),
        "language": scheme.language,
        "grades": scheme.grades,
        "points": scheme.basis == "points",
        "stand_in": scheme.stand_in,
        "rank_within": scheme.rank_within,
    }
    empty: Population = {}
    kept_unit = outcomes.kept_unit
    program = program_of(plan) if explained else None
    explaining = None
    if program is not None:  # the units explained, a block at a time, from the column program's record
        explaining = Explaining(program, _KeptUnits(kept_unit, len(names)), {})  # type: ignore[arg-type]
    return tuple(
        UnitResult(
            unit=name,
            category=category,
            total=total,
            grade=grade,
            rank=rank,
            category_rank=category_rank,
            full_marks=marks[category],
            origin=origin,
            detail=_Detail(plan, kept_unit(i), empty, explaining, i)  # type: ignore[arg-type]
            if explained
            else None,
            **same,
        )
        for i, (name, category, total, grade, rank, category_rank, origin) in enumerate(
            zip(names, categories, totals, grades, ranks, category_ranks, origins, strict=True)
        )
    )
