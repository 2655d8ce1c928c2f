"""Evaluated units and their data, and the records scoring makes about them.

A :class:`Unit` is the input: a unit's name, category and data. Scoring
records what happened to it as :class:`PolicyEvent` (a rule that fired) and
:class:`UnitError` (data that could not be used); both appear in results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from .._errors import Problem
from .._frozen import FrozenDict
from .._numbers import Number
from ..formula.language import Value, normalize_name
from ..formula.text import shown_name
from ..grading.scale import GradeResult

__all__ = ["Computation", "PeriodResult", "PeriodTotal", "PolicyEvent", "Unit", "UnitError"]


def _mapping(value: object, where: str = "'data'") -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'data' must be a mapping of names to values (got {type(value).__name__})")
    return FrozenDict(normalized_keys(value, where))


def normalized_keys(value: Mapping[object, object], where: str) -> dict[str, object]:
    """*value* keyed by normalised names; two keys that become one name are an error.

    ``完成数`` and ``完成数\u3000`` would otherwise collapse silently, the last
    one winning.

    Raises:
        ValueError: two keys are one name once normalised; the message names
            both spellings and *where* they are.
    """
    out: dict[str, object] = {}
    spelt: dict[str, str] = {}
    for key, item in value.items():
        raw = str(key)
        name = normalize_name(raw)
        if name in spelt:
            raise ValueError(
                f"the keys {shown_name(spelt[name])} and {shown_name(raw)} in {where} are one name "
                f"once normalised ('{name}'); keep one"
            )
        spelt[name] = raw
        out[name] = item
    return out


def _periods(value: object) -> Mapping[str, Mapping[str, object]]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'periods' must map period labels to data (got {type(value).__name__})")
    labelled = normalized_keys(value, "'periods'")  # '1月' and '1月\u200b' are one period
    return FrozenDict({k: _mapping(v, f"period '{k}'") for k, v in labelled.items()})


def _text(value: object) -> str:
    return normalize_name(str(value))


def _optional_text(value: object) -> str | None:
    return None if value is None else normalize_name(str(value))


def _unit_errors(value: Iterable[UnitError]) -> tuple[UnitError, ...]:
    return tuple(value)


def _problems(value: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(value)


def _codes(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise TypeError(f"'not_applicable' must be a list of indicator codes (got {type(value).__name__})")
    return frozenset(normalize_name(str(v)) for v in value)


@attrs.frozen(kw_only=True)
class Unit:
    """An evaluated unit (被评估单位) and its data.

    Attributes:
        name: the unit's name.
        category: its category (委/局/办) when the scheme weighs by category.
        data: input values for the year, by name (keys are normalised).
        periods: input values per period (``{"1月": {...}, "2月": {...}}``);
            they override ``data`` for indicators reported more often than
            yearly.
        not_applicable: codes or names of indicators that do not apply to
            this unit (its weight moves as the indicator's policy says).
        origin: where the data came from (``data.csv row 4``), for messages.
        problems: what could not be read for this unit from its data file
            (a cell that is not a number, a short row); a unit with
            problems is not scored, and these are its errors.
        notes: what was read generously (``'19件' read as 19``); shown as
            ``note`` events in the unit's result.

    >>> Unit(name="市交通运输委", category="委", data={"完成数": 29, "总数": 30}).data["完成数"]
    29
    """

    name: str = attrs.field(converter=_text)
    category: str | None = attrs.field(default=None, converter=_optional_text)
    data: Mapping[str, object] = attrs.field(factory=FrozenDict, converter=_mapping)
    periods: Mapping[str, Mapping[str, object]] = attrs.field(factory=FrozenDict, converter=_periods)
    not_applicable: frozenset[str] = attrs.field(factory=frozenset, converter=_codes)
    origin: str = attrs.field(default="", eq=False)
    # Like origin, where the data came from rather than the data itself.
    problems: tuple[UnitError, ...] = attrs.field(default=(), eq=False, converter=_unit_errors)
    notes: tuple[Problem, ...] = attrs.field(default=(), eq=False, converter=_problems)


def note_events(unit: Unit) -> list[PolicyEvent]:
    """A unit's reading notes (how its data file's cells were read) as ``note`` events."""
    return [
        PolicyEvent(kind="note", message=f"{n.path}: {n.message}" if n.path else n.message)
        for n in unit.notes
    ]


@attrs.frozen(kw_only=True)
class PolicyEvent:
    """A policy that fired, or a rule that changed a result, and why.

    Attributes:
        kind: ``default``, ``not_applicable``, ``weight_in``, ``not_assessed``,
            ``zero``, ``adjust``, ``adjusted``, ``capped``, ``rounded``, ``veto``,
            ``period``, ``normalize``, ``full_marks`` (a category's own full marks),
            ``grade_cap``, ``flag``, ``quota``, ``weight_from`` (a weight read from the
            unit's data), ``previous`` (where a value from last year's results
            came from), or ``note`` (how a data file's cell was read, or a unit
            last year's results do not list).
        message: the explanation, in the scheme's language.
    """

    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


@attrs.frozen(kw_only=True)
class UnitError:
    """A problem with one unit's data; the other units are still scored.

    Attributes:
        unit: the unit's name.
        indicator: the indicator's code (None for unit-level problems).
        field: the data field concerned, when known.
        message: what is wrong.
        error: the exception's class name.
        origin: where the unit's data came from (``data.csv row 4``), if known.
    """

    unit: str
    indicator: str | None
    field: str | None
    message: str
    error: str
    origin: str = ""

    def __str__(self) -> str:
        where = [f"unit '{self.unit}'" + (f" ({self.origin})" if self.origin else "")]
        if self.indicator is not None:
            where.append(f"indicator {self.indicator}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


def _frozen_map(value: Mapping[str, object]) -> Mapping[str, object]:
    return value if isinstance(value, FrozenDict) else FrozenDict(value)


@attrs.frozen(kw_only=True)
class PeriodResult:
    """One period's result of an indicator reported more often than yearly.

    Attributes:
        period: the period's label (一季度, 1月 …).
        value: the measured value that was graded.
        grade: the period's grade (None when the scheme has no grades).
        score: the period's score.
        inputs: the data values the period's row gave the indicator.
        computations: each formula run for the period, with its numbers.
        grading: the scale's result for the period, when a scale graded it.
    """

    period: str
    value: Value | None
    grade: str | None
    score: Number
    inputs: Mapping[str, object] = attrs.field(factory=FrozenDict, converter=_frozen_map)
    computations: tuple[Computation, ...] = ()
    grading: GradeResult | None = None


def _events(value: Iterable[PolicyEvent]) -> tuple[PolicyEvent, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class PeriodTotal:
    """A unit's total and grade for one period (a quarter's grade beside the year's).

    With ``period_grades`` (每期评定等次) and indicators reported by period
    (``frequency``), scored per period (``periods = "mean"``, or ``"last"``),
    each period's indicator scores add up, with the weights the year uses, to
    the period's total: an indicator not reported in the period counts with
    its year's score. The total is floored, capped at full marks and rounded as
    the year's is, and graded by the scheme's overall grading with its caps.
    Scheme-wide adjustments, vetoes, flags, quotas and ranks act on the year
    only.

    Attributes:
        period: the period's label (一季度, 1月 …), in the order the data gives them.
        total: the period's total.
        grade: its overall grade (None when the scheme grades no total).
        events: what happened to the period's total and grade (a cap, rounding).

    >>> from perfrules import loads, evaluate, Unit
    >>> scheme = loads('''
    ... name = "季度"
    ... period_grades = true
    ... [[groups]]
    ... name = "g"
    ... [[indicators]]
    ... code = "1"
    ... name = "a"
    ... group = "g"
    ... weight = 100
    ... frequency = "季度"
    ... score = "a"
    ... ''', format="toml")
    >>> unit = Unit(name="甲", periods={"一季度": {"a": 95}, "二季度": {"a": 75}})
    >>> result = evaluate(scheme, [unit]).results[0]
    >>> result.total, result.grade
    (Decimal('85'), '良')
    >>> [(p.period, p.total, p.grade) for p in result.periods]
    [('一季度', Decimal('95'), '优'), ('二季度', Decimal('75'), '中')]
    """

    period: str
    total: Number
    grade: str | None
    events: tuple[PolicyEvent, ...] = attrs.field(default=(), converter=_events)


@attrs.frozen(kw_only=True)
class Computation:
    """One value an indicator computed, with its formula and the numbers put in.

    Attributes:
        target: the name computed (完成率, 得分 …).
        formula: the formula as the scheme writes it (canonical form).
        substituted: the formula with the unit's numbers in place of names.
        value: the result.
    """

    target: str
    formula: str
    substituted: str
    value: Value
