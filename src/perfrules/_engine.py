"""Scoring: evaluate a scheme for a set of units, with results that explain themselves.

``evaluate(scheme, units)`` scores every unit independently: an error in one
unit's data is recorded on that unit (naming the indicator and the field) and
never stops the others. Peer-relative steps and ranks are computed in a first
pass over all units, then each unit is scored.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from ._errors import (
    DefinitionError,
    DivisionByZeroError,
    EvaluationError,
    InvalidValueError,
    MissingValueError,
    PerfrulesError,
    Problem,
)
from ._formula import Formula, Value, normalize_name
from ._numbers import Number, as_fraction, exact, round_half_up, to_number
from ._scale import GradeResult
from ._scheme import (
    Adjust,
    Default,
    Group,
    Indicator,
    NotApplicable,
    Part,
    PeerRatio,
    Rank,
    Scheme,
    Step,
    Veto,
    ZeroWhen,
    ordered_steps,
    step_reads,
    step_target,
)

__all__ = [
    "Evaluation",
    "GroupResult",
    "IndicatorResult",
    "PeriodResult",
    "PolicyEvent",
    "Unit",
    "UnitError",
    "UnitResult",
    "evaluate",
]


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'data' must be a mapping of names to values (got {type(value).__name__})")
    return {normalize_name(str(k)): v for k, v in value.items()}


def _periods(value: object) -> Mapping[str, Mapping[str, object]]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'periods' must map period labels to data (got {type(value).__name__})")
    return {str(k): _mapping(v) for k, v in value.items()}


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
    data: Mapping[str, object] = attrs.field(factory=dict, converter=_mapping)
    periods: Mapping[str, Mapping[str, object]] = attrs.field(factory=dict, converter=_periods)
    not_applicable: frozenset[str] = attrs.field(factory=frozenset, converter=_codes)
    origin: str = attrs.field(default="", eq=False)
    # --- data-file hook (perfrules._data): like origin, where the data came from, not the data.
    problems: tuple[UnitError, ...] = attrs.field(default=(), eq=False, converter=_unit_errors)
    notes: tuple[Problem, ...] = attrs.field(default=(), eq=False, converter=_problems)


def _note_events(unit: Unit) -> list[PolicyEvent]:
    """Data-file hook: a unit's reading notes as ``note`` events of its result."""
    return [
        PolicyEvent(kind="note", message=f"{n.path}: {n.message}" if n.path else n.message)
        for n in unit.notes
    ]


@attrs.frozen(kw_only=True)
class PolicyEvent:
    """A policy that fired, or a rule that changed a result, and why.

    Attributes:
        kind: ``default``, ``not_applicable``, ``weight_in``, ``not_assessed``,
            ``zero``, ``adjust``, ``capped``, ``veto``, ``period``, or ``note``
            (how a data file's cell was read).
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


@attrs.frozen(kw_only=True)
class PeriodResult:
    """One period's result of an indicator reported more often than yearly."""

    period: str
    value: Value | None
    grade: str | None
    score: Number


@attrs.frozen(kw_only=True)
class IndicatorResult:
    """How one indicator scored for one unit.

    Attributes:
        code, name: the indicator.
        applicable: False when it does not apply (or is not assessed) for the unit.
        inputs: the data values the indicator read.
        values: every value its steps computed.
        value: the measured value that was graded.
        grade: the grade (None when not applicable or failed).
        score: the score, 0 to the scheme's full score.
        base_weight: the weight the scheme gives it for the unit's category.
        weight: the weight actually used, after redistribution.
        contribution: ``score / full_score × weight``.
        grading: the scale's result, when a scale graded it.
        periods: per-period results, when several periods were combined.
        events: every policy that fired and why.
        error: the problem, when the indicator could not be scored.
    """

    code: str
    name: str
    applicable: bool
    inputs: Mapping[str, object]
    values: Mapping[str, Value]
    value: Value | None
    grade: str | None
    score: Number | None
    base_weight: Number
    weight: Number
    contribution: Number | None
    grading: GradeResult | None
    periods: tuple[PeriodResult, ...]
    events: tuple[PolicyEvent, ...]
    error: UnitError | None = None


@attrs.frozen(kw_only=True)
class GroupResult:
    """A group's part of one unit's result: the tree above the indicators.

    Attributes:
        name: the group (行政业绩, 差异化指标 …).
        declared: the subtotal the scheme declares, if any.
        weight: the weight its indicators actually used (after redistribution).
        contribution: what its indicators contributed (None when one failed).
        children: its groups and indicator results, in the scheme's order.
    """

    name: str
    declared: Number | None
    weight: Number
    contribution: Number | None
    children: tuple[GroupResult | IndicatorResult, ...]

    def indicators(self) -> Iterator[IndicatorResult]:
        """Every indicator result below this group."""
        for child in self.children:
            if isinstance(child, GroupResult):
                yield from child.indicators()
            else:
                yield child


@attrs.frozen(kw_only=True)
class UnitResult:
    """One unit's evaluation.

    Attributes:
        unit: the unit's name.
        category: its category.
        total: the total score (None when an error prevented it).
        grade: the overall grade (None likewise).
        rank: 1 for the best total among the units scored (ties share a rank).
        category_rank: the rank among units of the same category.
        indicators: every indicator's result, in the scheme's order.
        groups: the same results as a tree: the scheme's groups with their
            weights and subtotals.
        events: unit-level policies that fired (vetoes, adjustments of the total).
        errors: every problem with this unit's data.
        language: the scheme's language, for explanations.
        full_marks: the scheme's total (100, 1000 …).
        grades: the overall grades, best first.
    """

    unit: str
    category: str | None
    total: Number | None
    grade: str | None
    rank: int | None
    category_rank: int | None
    indicators: tuple[IndicatorResult, ...]
    events: tuple[PolicyEvent, ...]
    errors: tuple[UnitError, ...]
    groups: tuple[GroupResult, ...] = ()
    language: str = "zh"
    full_marks: Number = Decimal(100)
    grades: tuple[str, ...] = ("优", "良", "中", "差")

    @property
    def ok(self) -> bool:
        """Whether the unit was scored without errors."""
        return not self.errors

    def indicator(self, key: str) -> IndicatorResult:
        """The result of the indicator with this code or name."""
        wanted = normalize_name(key)
        for result in self.indicators:
            if wanted in (result.code, result.name):
                return result
        raise KeyError(f"no indicator '{key}' in the result for '{self.unit}'")

    def explain(self) -> str:
        """The whole trail in plain language (Chinese for Chinese schemes)."""
        return _explain_unit(self)

    def to_dataframe(self) -> Any:
        """The unit's indicators as a pandas DataFrame (needs the ``pandas`` extra)."""
        pandas = _pandas()
        return pandas.DataFrame([_indicator_row(i) for i in self.indicators]).set_index("code")

    def _repr_html_(self) -> str:
        from ._display import unit_html

        return unit_html(self, self.grades)

    def __str__(self) -> str:
        total = "—" if self.total is None else _num(self.total)
        return f"{self.unit}: {total} {self.grade or ''}".rstrip()


@attrs.frozen(kw_only=True)
class Evaluation:
    """The results of one evaluation run.

    Attributes:
        scheme: the scheme evaluated.
        results: one per unit, in the order the units were given.
    """

    scheme: Scheme = attrs.field(repr=False)
    results: tuple[UnitResult, ...] = attrs.field(repr=False)

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
        """Scored units from the best total down; units with errors last."""
        scored = sorted((r for r in self.results if r.rank is not None), key=lambda r: (r.rank, r.unit))
        return (*scored, *(r for r in self.results if r.rank is None))

    def explain(self, unit: str) -> str:
        """The trail of one unit in plain language."""
        return self.unit(unit).explain()

    def to_records(self) -> dict[str, Any]:
        """Plain data (dicts, lists, numbers rounded to 6 places), as ``perfrules score --format json`` writes."""
        from ._display import records

        return records(self)

    def to_dataframe(self) -> Any:
        """One row per unit (rank, category, total, grade, errors), as a pandas DataFrame.

        Needs the ``pandas`` extra (``pip install 'perfrules[pandas]'``).
        """
        pandas = _pandas()
        rows = [
            {
                "unit": r.unit,
                "category": r.category,
                "rank": r.rank,
                "total": _float(r.total),
                "grade": r.grade,
                "errors": "; ".join(str(e) for e in r.errors),
            }
            for r in self.ranking()
        ]
        return pandas.DataFrame(rows).set_index("unit")

    def indicators_dataframe(self) -> Any:
        """One row per unit and indicator (long form), as a pandas DataFrame."""
        pandas = _pandas()
        return pandas.DataFrame(
            [{"unit": r.unit, **_indicator_row(i)} for r in self.results for i in r.indicators]
        )

    def _repr_html_(self) -> str:
        from ._display import evaluation_html

        return evaluation_html(self)


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("this needs pandas: pip install 'perfrules[pandas]'") from None
    return pandas


def _indicator_row(result: IndicatorResult) -> dict[str, object]:
    """One indicator's result as a DataFrame row."""
    return {
        "code": result.code,
        "indicator": result.name,
        "applicable": result.applicable,
        "grade": result.grade,
        "score": _float(result.score),
        "weight": _float(result.weight),
        "contribution": _float(result.contribution),
    }


def _float(value: Number | None) -> float | None:
    """Exact numbers as floats for DataFrames (rounded to 6 places first)."""
    if value is None:
        return None
    return float(round_half_up(value, 6))


# ---------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------


def _num(value: Number | int | None) -> str:
    """A number for explanations: exact when short, else rounded to 4 places with ≈."""
    if value is None:
        return "—"
    shown = exact(as_fraction(value))
    if isinstance(shown, Fraction):
        return "≈" + str(round_half_up(shown, 4)).rstrip("0").rstrip(".")
    return str(shown)


def _pct(value: Number) -> str:
    return _num(as_fraction(value) * 100) + "%"


class _Words:
    def __init__(self, language: str) -> None:
        self.zh = language == "zh"

    def __call__(self, zh: str, en: str) -> str:
        return zh if self.zh else en


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


def _field_of(exc: PerfrulesError) -> str | None:
    if isinstance(exc, MissingValueError):
        return exc.name
    if isinstance(exc, DivisionByZeroError):
        return exc.divisor
    return None


_PeerKey = tuple[str, str, str | None]  # (indicator code, step target, period)


@attrs.define
class _Context:
    scheme: Scheme
    peers: dict[_PeerKey, dict[str, Number]]
    words: _Words
    # Per-scheme facts every unit needs, worked out once per evaluation.
    siblings: dict[str, list[str]] = attrs.field(factory=dict)
    inputs: dict[str, frozenset[str]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        self.siblings = _parents(self.scheme)
        self.inputs = {ind.code: _inputs_of(ind) for ind in self.scheme.indicators()}


def _inputs_of(ind: Indicator) -> frozenset[str]:
    """Names the indicator reads from data (not computed by its own steps)."""
    targets = {step_target(s) for s in ind.steps}
    reads: set[str] = set()
    for step in ind.steps:
        reads |= step_reads(step)
    if ind.scale is not None:
        reads |= ind.scale.variables
    if ind.value is not None:
        reads.add(ind.value)
    if ind.score is not None:
        reads |= ind.score.variables
    for policy in ind.policies:
        when = getattr(policy, "when", None)
        if isinstance(when, Formula):
            reads |= when.variables
        if isinstance(policy, Adjust):
            reads.add(policy.per)
    return frozenset(reads - targets)


def _env(ind: Indicator, data: Mapping[str, object]) -> dict[str, object]:
    env = dict(data)
    for local, field in ind.inputs.items():
        if field in data:
            env[local] = data[field]
    return env


def _unit_envs(ind: Indicator, unit: Unit, scheme: Scheme) -> list[tuple[str | None, dict[str, object]]]:
    """The data the indicator is evaluated on: the year's, or one per period."""
    if ind.frequency in (None, "yearly") or not unit.periods:
        return [(None, _env(ind, unit.data))]
    wanted = _inputs_of(ind) | frozenset(ind.inputs.values())
    labels = [label for label, values in unit.periods.items() if wanted & values.keys()]
    if not labels:
        return [(None, _env(ind, unit.data))]
    if scheme.periods == "last":
        labels = labels[-1:]
    if scheme.periods == "sum":
        # Period values add up (完成数, 总数 …); the year's data fills the rest.
        sums: dict[str, object] = {}
        for label in labels:
            for key, value in unit.periods[label].items():
                sums[key] = value if key not in sums else _add_input(sums[key], value, key)
        return [(None, _env(ind, {**unit.data, **sums}))]
    return [(label, _env(ind, {**unit.data, **unit.periods[label]})) for label in labels]


def _add_input(a: object, b: object, key: str) -> object:
    total = as_fraction(to_number(a, name=key)) + as_fraction(to_number(b, name=key))
    return exact(total)


def _grade_of_step(part: Part, scope: Mapping[str, object]) -> GradeResult:
    if part.of is not None:
        if part.of not in scope:
            raise MissingValueError(part.of, f"{part.target} = grade of {part.of}", _close(part.of, scope))
        value = scope[part.of]
        if part.scale.is_categorical:
            return part.scale.grade(value)
        variables = part.scale.variables
        if len(variables) == 1:
            (name,) = variables
            return part.scale.grade({name: value})
        return part.scale.grade(scope)
    return part.scale.grade(scope)


def _close(name: str, scope: Mapping[str, object]) -> list[str]:
    return difflib.get_close_matches(name, [k for k in scope if isinstance(k, str)], n=3, cutoff=0.5)


def _run_step(
    step: Step,
    ind: Indicator,
    scope: Mapping[str, object],
    ctx: _Context,
    unit: Unit,
    period: str | None,
) -> Value:
    if isinstance(step, Formula):
        return step.evaluate(scope)
    if isinstance(step, Part):
        return _grade_of_step(step, scope).score
    key = (ind.code, step.target, period)
    table = ctx.peers.get(key, {})
    if unit.name not in table:
        raise EvaluationError(f"'{step.target}' could not be computed for this unit against its peers")
    return table[unit.name]


@attrs.frozen
class _Scored:
    value: Value | None
    grade: str
    score: Number
    grading: GradeResult | None
    values: Mapping[str, Value]
    events: tuple[PolicyEvent, ...]


def _default_score(policy: Default, ind: Indicator, scheme: Scheme) -> Number:
    scale = ind.scale if ind.scale is not None else scheme.score_scale
    if isinstance(policy.score, str):
        if policy.score == "midpoint":
            return scale.midpoint(policy.grade)
        low, high = scale.score_interval(policy.grade)
        return high if policy.score == "top" else low
    return policy.score


def _apply_default(
    policy: Default, ind: Indicator, scheme: Scheme, words: _Words, why: str, values: Mapping[str, Value]
) -> _Scored:
    score = _default_score(policy, ind, scheme)
    how = {
        "midpoint": words("区中值", "the midpoint of its score interval"),
        "top": words("区间上限", "the top of its score interval"),
        "bottom": words("区间下限", "the bottom of its score interval"),
    }.get(str(policy.score), _num(score))
    reason = (
        f"（{policy.reason}）"
        if policy.reason and words.zh
        else (f" ({policy.reason})" if policy.reason else "")
    )
    message = words(
        f"{why}，按规定默认为“{policy.grade}”{how}，得 {_num(score)} 分{reason}",
        f"{why}, so it defaults to '{policy.grade}' at {how}: {_num(score)}{reason}",
    )
    return _Scored(
        value=None,
        grade=policy.grade,
        score=score,
        grading=None,
        values=dict(values),
        events=(PolicyEvent(kind="default", message=message),),
    )


def _score_once(
    ind: Indicator,
    env: Mapping[str, object],
    ctx: _Context,
    unit: Unit,
    period: str | None,
) -> _Scored:
    """Score an indicator on one set of inputs (one period, or the year)."""
    scheme, words = ctx.scheme, ctx.words
    defaults = [p for p in ind.policies if isinstance(p, Default)]
    for policy in defaults:
        if policy.when is not None and policy.when.evaluate(env) is True:
            why = words(f"条件“{policy.when.text}”成立", f"'{policy.when.text}' holds")
            return _apply_default(policy, ind, scheme, words, why, {})
    values: dict[str, Value] = {}
    scope: dict[str, object] = dict(env)
    events: list[PolicyEvent] = []
    zeroings = {p.target: p for p in ind.policies if isinstance(p, ZeroWhen) and p.target is not None}
    try:
        for step in ordered_steps(ind):
            target = step_target(step)
            result = _run_step(step, ind, scope, ctx, unit, period)
            zero = zeroings.get(target)
            if zero is not None and zero.when.evaluate(scope) is True:
                events.append(
                    PolicyEvent(
                        kind="zero",
                        message=words(
                            f"“{zero.when.text}”成立，{target} 计 0 分（原为 {_num(_as_number(result))}）",
                            f"'{zero.when.text}' holds, so {target} scores 0 (was {_num(_as_number(result))})",
                        ),
                    )
                )
                result = Decimal(0)
            values[target] = result
            scope[target] = result
        grading: GradeResult | None = None
        if ind.scale is not None:
            if ind.scale.is_categorical:
                key = ind.value
                if key is None or key not in scope:
                    raise MissingValueError(
                        key or ind.code, f"the category of {ind.label}", _close(key or "", scope)
                    )
                grading = ind.scale.grade(scope[key])
                measured: Value | None = None
            else:
                graded_on = scope
                if (
                    ind.value is not None
                    and ind.scale.variable is not None
                    and ind.value != ind.scale.variable
                ):
                    graded_on = {**scope, ind.scale.variable: scope[ind.value]}
                grading = ind.scale.grade(graded_on)
                variable = ind.scale.variable
                measured = _as_value(graded_on.get(variable)) if variable is not None else None
            grade, score = grading.grade, grading.score
        else:
            assert ind.score is not None
            raw = ind.score.evaluate(scope)
            if isinstance(raw, bool):
                raise InvalidValueError(f"the score formula of {ind.label} gave a truth value")
            score = raw
            measured = raw
            if score < 0 or score > scheme.full_score:
                capped = min(max(as_fraction(score), Fraction(0)), as_fraction(scheme.full_score))
                events.append(
                    PolicyEvent(
                        kind="capped",
                        message=words(
                            f"得分 {_num(score)} 超出 0–{_num(scheme.full_score)}，按 {_num(capped)} 计",
                            f"score {_num(score)} is outside 0–{_num(scheme.full_score)}; {_num(capped)} is used",
                        ),
                    )
                )
                score = exact(capped)
            grade = scheme.score_scale.classify(score)
    except (MissingValueError, DivisionByZeroError) as exc:
        no_data = [p for p in defaults if p.when is None]
        if not no_data:
            raise
        if isinstance(exc, MissingValueError):
            why = words(f"缺少数据{_plain(exc)}", f"there is no data for {_plain(exc)}")
        else:
            why = words(f"无数据（{_plain(exc)}）", f"there is no data ({_plain(exc)})")
        scored = _apply_default(no_data[0], ind, scheme, words, why, values)
        return scored
    for rule in ind.policies:
        if isinstance(rule, ZeroWhen) and rule.target is None and rule.when.evaluate(scope) is True:
            events.append(
                PolicyEvent(
                    kind="zero",
                    message=words(
                        f"“{rule.when.text}”成立，本指标计 0 分（原为 {_num(score)}）",
                        f"'{rule.when.text}' holds, so the indicator scores 0 (was {_num(score)})",
                    ),
                )
            )
            score = Decimal(0)
            grade = scheme.score_scale.classify(score) if ind.scale is None else ind.scale.bands[-1].name
    return _Scored(
        value=measured,
        grade=grade,
        score=score,
        grading=grading,
        values=values,
        events=tuple(events),
    )


def _as_value(value: object) -> Value | None:
    if isinstance(value, bool | Decimal | Fraction):
        return value
    if isinstance(value, int | float):
        return to_number(value)
    return None


def _as_number(value: Value) -> Number:
    if isinstance(value, bool):
        return Decimal(int(value))
    return value


def _plain(exc: PerfrulesError) -> str:
    if isinstance(exc, MissingValueError):
        return f"“{exc.name}”"
    if isinstance(exc, DivisionByZeroError):
        return f"“{exc.divisor}”= 0"
    return str(exc)


def _adjust(ind: Indicator, scored: _Scored, env: Mapping[str, object], ctx: _Context) -> _Scored:
    scheme, words = ctx.scheme, ctx.words
    score = as_fraction(scored.score)
    events = list(scored.events)
    scope = {**env, **scored.values}
    for policy in ind.policies:
        if not isinstance(policy, Adjust):
            continue
        if policy.per not in scope:
            raise MissingValueError(policy.per, f"the adjustment of {ind.label}", _close(policy.per, scope))

        count = as_fraction(to_number(scope[policy.per], name=policy.per))
        change = count * as_fraction(policy.points)
        if policy.cap is not None and abs(change) > as_fraction(policy.cap):
            change = as_fraction(policy.cap) if change > 0 else -as_fraction(policy.cap)
        if change == 0:
            continue
        label = policy.reason or policy.per
        events.append(
            PolicyEvent(
                kind="adjust",
                message=words(
                    f"{label}：{_num(count)} 项 × {_num(policy.points)} 分"
                    + (f"（上限 {_num(policy.cap)} 分）" if policy.cap is not None else "")
                    + f"，{'加' if change > 0 else '扣'} {_num(abs(change))} 分",
                    f"{label}: {_num(count)} × {_num(policy.points)} points"
                    + (f" (capped at {_num(policy.cap)})" if policy.cap is not None else "")
                    + f", {'adds' if change > 0 else 'takes'} {_num(abs(change))}",
                ),
            )
        )
        score += change
    full = as_fraction(scheme.full_score)
    if score < 0 or score > full:
        bound = Fraction(0) if score < 0 else full
        events.append(
            PolicyEvent(
                kind="capped",
                message=words(
                    f"调整后为 {_num(score)} 分，{'扣完为止' if score < 0 else '以满分为限'}，计 {_num(bound)} 分",
                    f"after adjustments the score is {_num(score)}; it stays within 0–{_num(full)}: {_num(bound)}",
                ),
            )
        )
        score = bound
    if len(events) == len(scored.events):
        return scored
    final = exact(score)
    grade = (
        scored.grade
        if ind.scale is not None and ind.scale.is_categorical
        else scheme.score_scale.classify(final)
    )
    return attrs.evolve(scored, score=final, grade=grade, events=tuple(events))


def _applicability(ind: Indicator, unit: Unit, ctx: _Context) -> tuple[bool, PolicyEvent | None]:
    words = ctx.words
    if ind.applies_to is not None and unit.name not in ind.applies_to:
        return False, PolicyEvent(
            kind="not_applicable",
            message=words(
                f"本指标只适用于 {'、'.join(sorted(ind.applies_to))}",
                f"the indicator applies only to {', '.join(sorted(ind.applies_to))}",
            ),
        )
    if ind.code in unit.not_applicable or ind.name in unit.not_applicable:
        return False, PolicyEvent(
            kind="not_applicable",
            message=words("被评估单位申报本指标不适用", "the unit declares the indicator not applicable"),
        )
    env = _env(ind, unit.data)
    for policy in ind.policies:
        if (
            isinstance(policy, NotApplicable)
            and policy.when is not None
            and policy.when.evaluate(env) is True
        ):
            reason = policy.reason or policy.when.text
            return False, PolicyEvent(
                kind="not_applicable",
                message=words(f"不适用：{reason}", f"not applicable: {reason}"),
            )
    return True, None


def _score_indicator(ind: Indicator, unit: Unit, ctx: _Context) -> _Scored:
    runs = _unit_envs(ind, unit, ctx.scheme)
    if len(runs) == 1 and runs[0][0] is None:
        period, env = runs[0]
        return _adjust(ind, _score_once(ind, env, ctx, unit, period), env, ctx)
    scored_periods = []
    for period, env in runs:
        scored_periods.append((period, _adjust(ind, _score_once(ind, env, ctx, unit, period), env, ctx)))
    if ctx.scheme.periods == "last":
        return scored_periods[-1][1]
    mean = exact(sum((as_fraction(s.score) for _, s in scored_periods), Fraction(0)) / len(scored_periods))
    grade = ctx.scheme.score_scale.classify(mean)
    words = ctx.words
    shown = "、".join(f"{p} {_num(s.score)}" for p, s in scored_periods)
    event = PolicyEvent(
        kind="period",
        message=words(
            f"{len(scored_periods)} 个报送期得分（{shown}）取平均，得 {_num(mean)} 分",
            f"the mean of {len(scored_periods)} periods ({shown}) is {_num(mean)}",
        ),
    )
    events = [e for _, s in scored_periods for e in s.events]
    last = scored_periods[-1][1]
    periods = tuple(
        PeriodResult(period=p or "", value=s.value, grade=s.grade, score=s.score) for p, s in scored_periods
    )
    return _Scored(
        value=last.value,
        grade=grade,
        score=mean,
        grading=None,
        values={**last.values, "__periods__": periods},  # type: ignore[dict-item]
        events=(*events, event),
    )


# ---------------------------------------------------------------------------
# Peer steps (R13, R14)
# ---------------------------------------------------------------------------


def _peer_tables(scheme: Scheme, units: Sequence[Unit], ctx: _Context, only: Indicator | None = None) -> None:
    for ind in scheme.indicators() if only is None else (only,):
        peer_steps = [s for s in ordered_steps(ind) if isinstance(s, PeerRatio | Rank)]
        for step in peer_steps:
            inputs: dict[str | None, dict[str, tuple[str | None, list[Number]]]] = {}
            for unit in units:
                try:
                    runs = _unit_envs(ind, unit, scheme)
                except PerfrulesError:
                    continue
                for period, env in runs:
                    try:
                        got = _prerequisites(step, ind, env, ctx, unit, period)
                    except PerfrulesError:
                        continue  # the unit's own evaluation reports it
                    inputs.setdefault(period, {})[unit.name] = (unit.category, got)
            for period, by_unit in inputs.items():
                table = _peer_table(step, by_unit)
                ctx.peers[(ind.code, step.target, period)] = table


def _prerequisites(
    step: PeerRatio | Rank,
    ind: Indicator,
    env: Mapping[str, object],
    ctx: _Context,
    unit: Unit,
    period: str | None,
) -> list[Number]:
    """The values a peer step reads, computed for one unit."""
    scope: dict[str, object] = dict(env)
    wanted = sorted(step.reads)
    needed = _closure(ind, set(wanted))
    for other in ordered_steps(ind):
        target = step_target(other)
        if target in needed and target not in scope:
            scope[target] = _run_step(other, ind, scope, ctx, unit, period)

    out = []
    for name in [step.numerator, step.denominator] if isinstance(step, PeerRatio) else [step.of]:
        if name not in scope:
            raise MissingValueError(name, step.target, _close(name, scope))
        out.append(to_number(scope[name], name=name))
    return out


def _closure(ind: Indicator, names: set[str]) -> set[str]:
    by_target = {step_target(s): s for s in ind.steps}
    result: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in result or name not in by_target:
            continue
        result.add(name)
        todo.extend(step_reads(by_target[name]))
    return result


def _peer_table(
    step: PeerRatio | Rank, by_unit: Mapping[str, tuple[str | None, list[Number]]]
) -> dict[str, Number]:
    groups: dict[str | None, list[str]] = {}
    for name, (category, _) in by_unit.items():
        key = category if step.within == "category" else None
        groups.setdefault(key, []).append(name)
    table: dict[str, Number] = {}
    for members in groups.values():
        if isinstance(step, PeerRatio):
            nums = {m: as_fraction(by_unit[m][1][0]) for m in members}
            dens = {m: as_fraction(by_unit[m][1][1]) for m in members}
            if step.pooled:
                total_den = sum(dens.values(), Fraction(0))
                if total_den == 0:
                    continue
                peer = sum(nums.values(), Fraction(0)) / total_den
            else:
                ratios = [nums[m] / dens[m] for m in members if dens[m] != 0]
                if not ratios:
                    continue
                peer = sum(ratios, Fraction(0)) / len(ratios)
            for m in members:
                if dens[m] != 0 and peer != 0:
                    table[m] = exact((nums[m] / dens[m]) / peer)
        else:
            values = {m: as_fraction(by_unit[m][1][0]) for m in members}
            ordered = sorted(values.values(), reverse=step.order == "desc")
            for m in members:
                table[m] = Decimal(ordered.index(values[m]) + 1)
    return table


# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------


def _redistribute(
    scheme: Scheme,
    parents: Mapping[str, list[str]],
    base: dict[str, Fraction],
    applicable: dict[str, bool],
    words: _Words,
) -> tuple[dict[str, Fraction], dict[str, list[PolicyEvent]]]:
    """Move the weight of indicators that do not apply (R5)."""
    weights = dict(base)
    events: dict[str, list[PolicyEvent]] = {code: [] for code in base}
    for ind in scheme.indicators():
        code = ind.code
        if applicable[code] or base[code] == 0:
            continue
        moving = weights[code]
        weights[code] = Fraction(0)
        targets = [p.to for p in ind.policies if isinstance(p, NotApplicable) and p.to is not None]
        if targets:
            receiver = scheme.indicator(targets[0])
            if applicable.get(receiver.code):
                weights[receiver.code] += moving
                events[code].append(
                    PolicyEvent(
                        kind="not_applicable",
                        message=words(
                            f"权重 {_num(moving)} 调整至 {receiver.label}",
                            f"its weight {_num(moving)} moves to {receiver.label}",
                        ),
                    )
                )
                events[receiver.code].append(
                    PolicyEvent(
                        kind="weight_in",
                        message=words(
                            f"承接 {ind.label} 调整来的权重 {_num(moving)}",
                            f"receives the weight {_num(moving)} of {ind.label}",
                        ),
                    )
                )
                continue
        siblings = [s for s in parents.get(code, []) if s != code and applicable.get(s) and weights[s] > 0]
        if not siblings:
            siblings = [c for c in weights if c != code and applicable.get(c) and weights[c] > 0]
        share_base = sum((weights[s] for s in siblings), Fraction(0))
        if share_base == 0:
            continue
        for s in siblings:
            weights[s] += moving * weights[s] / share_base
            events[s].append(
                PolicyEvent(
                    kind="weight_in",
                    message=words(
                        f"按比例承接 {ind.label} 的权重",
                        f"receives a proportional share of the weight of {ind.label}",
                    ),
                )
            )
        events[code].append(
            PolicyEvent(
                kind="not_applicable",
                message=words(
                    f"权重 {_num(moving)} 按比例分配给同组其他指标",
                    f"its weight {_num(moving)} is spread over the other indicators of its group in proportion",
                ),
            )
        )
    return weights, events


def _parents(scheme: Scheme) -> dict[str, list[str]]:
    """Each leaf's siblings (leaves of the same innermost group)."""
    out: dict[str, list[str]] = {}
    for _, node in scheme.paths():
        if isinstance(node, Group):
            leaves = [c.code for c in node.children if isinstance(c, Indicator)]
            for code in leaves:
                out[code] = leaves
    return out


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


def _unit_result(
    scheme: Scheme,
    unit: Unit,
    *,
    total: Number | None,
    grade: str | None,
    indicators: tuple[IndicatorResult, ...],
    events: tuple[PolicyEvent, ...],
    errors: tuple[UnitError, ...],
) -> UnitResult:
    """A unit's result before ranking (ranks are filled in once every unit is scored)."""
    by_code = {i.code: i for i in indicators}

    def tree(group: Group) -> GroupResult:
        children: list[GroupResult | IndicatorResult] = []
        for child in group.children:
            if isinstance(child, Group):
                children.append(tree(child))
            elif child.code in by_code:
                children.append(by_code[child.code])
        leaves = [c for c in children if isinstance(c, IndicatorResult)]
        subgroups = [c for c in children if isinstance(c, GroupResult)]
        members: list[GroupResult | IndicatorResult] = [*leaves, *subgroups]
        weight = sum((as_fraction(c.weight) for c in members), Fraction(0))
        parts = [c.contribution for c in leaves if c.applicable] + [g.contribution for g in subgroups]
        contribution = (
            None
            if any(p is None for p in parts)
            else exact(sum((as_fraction(p) for p in parts if p is not None), Fraction(0)))
        )
        return GroupResult(
            name=group.name,
            declared=group.declared_for(unit.category),
            weight=exact(weight),
            contribution=contribution,
            children=tuple(children),
        )

    return UnitResult(
        unit=unit.name,
        category=unit.category,
        total=total,
        grade=grade,
        rank=None,
        category_rank=None,
        indicators=indicators,
        groups=tuple(tree(g) for g in scheme.groups) if indicators else (),
        events=events,
        errors=errors,
        language=scheme.language,
        full_marks=scheme.total,
        grades=tuple(b.name for b in scheme.overall_scale.bands),
    )


def _evaluate_unit(scheme: Scheme, unit: Unit, ctx: _Context) -> UnitResult:
    words = ctx.words
    # --- data-file hook (perfrules._data): a unit whose data file had cells
    # that could not be read is not scored; those problems are its errors.
    if unit.problems:
        return _unit_result(
            scheme,
            unit,
            total=None,
            grade=None,
            indicators=(),
            events=tuple(_note_events(unit)),
            errors=unit.problems,
        )
    errors: list[UnitError] = []
    category = unit.category
    if scheme.categories and category not in scheme.categories:
        message = (
            f"unknown category {category!r}; the scheme weighs by {', '.join(scheme.categories)}"
            if category
            else f"the unit needs a category ({', '.join(scheme.categories)})"
        )
        errors.append(
            UnitError(
                unit=unit.name,
                indicator=None,
                field="category",
                message=message,
                error="InvalidValueError",
                origin=unit.origin,
            )
        )
        return _unit_result(
            scheme, unit, total=None, grade=None, indicators=(), events=(), errors=tuple(errors)
        )
    known = {i.code for i in scheme.indicators()} | {i.name for i in scheme.indicators()}
    for code in sorted(unit.not_applicable - known):
        errors.append(
            UnitError(
                unit=unit.name,
                indicator=code,
                field="not_applicable",
                message=f"no indicator '{code}' in the scheme",
                error="InvalidValueError",
                origin=unit.origin,
            )
        )
    base: dict[str, Fraction] = {}
    applicable: dict[str, bool] = {}
    scored: dict[str, _Scored | None] = {}
    first_events: dict[str, list[PolicyEvent]] = {}
    failures: dict[str, UnitError] = {}
    inputs_used: dict[str, dict[str, object]] = {}
    for ind in scheme.indicators():
        code = ind.code
        base[code] = as_fraction(ind.weight_for(category))
        first_events[code] = []
        inputs_used[code] = {k: unit.data[k] for k in sorted(ctx.inputs[code]) if k in unit.data}
        for local, field in ind.inputs.items():
            if field in unit.data:
                inputs_used[code][local] = unit.data[field]
        if base[code] == 0 and scheme.categories:
            applicable[code] = False
            scored[code] = None
            first_events[code].append(
                PolicyEvent(
                    kind="not_assessed",
                    message=words(
                        f"“{category}”类单位不考核本指标（权重为 0）",
                        f"not assessed for category '{category}' (weight 0)",
                    ),
                )
            )
            continue
        try:
            ok, event = _applicability(ind, unit, ctx)
        except PerfrulesError as exc:
            failures[code] = _unit_error(unit, ind, exc)
            applicable[code] = True
            scored[code] = None
            continue
        applicable[code] = ok
        if not ok:
            assert event is not None
            first_events[code].append(event)
            scored[code] = None
            continue
        try:
            scored[code] = _score_indicator(ind, unit, ctx)
        except (PerfrulesError, KeyError) as exc:
            if isinstance(exc, KeyError) and not isinstance(exc, PerfrulesError):
                exc = EvaluationError(str(exc.args[0]))
            assert isinstance(exc, PerfrulesError)
            failures[code] = _unit_error(unit, ind, exc)
            scored[code] = None
    weights, weight_events = _redistribute(scheme, ctx.siblings, base, applicable, words)
    results: list[IndicatorResult] = []
    total = Fraction(0)
    full = as_fraction(scheme.full_score)
    vetoes: list[PolicyEvent] = []
    lowest = False
    zeroed = False
    for ind in scheme.indicators():
        code = ind.code
        s = scored[code]
        contribution: Fraction | None = None
        if s is not None:
            contribution = as_fraction(s.score) / full * weights[code]
            total += contribution
            for policy in ind.policies:
                if isinstance(policy, Veto):
                    env = {
                        **_env(ind, unit.data),
                        **{k: v for k, v in s.values.items() if k != "__periods__"},
                    }
                    try:
                        fired = policy.when.evaluate(env) is True
                    except PerfrulesError as exc:
                        failures.setdefault(code, _unit_error(unit, ind, exc))
                        continue
                    if fired:
                        lowest |= policy.effect == "lowest_grade"
                        zeroed |= policy.effect == "zero"
                        vetoes.append(_veto_event(policy, ind.label, words))
        error = failures.get(code)
        if error is not None:
            errors.append(error)
        periods = s.values.get("__periods__", ()) if s is not None else ()
        values = {k: v for k, v in s.values.items() if k != "__periods__"} if s is not None else {}
        results.append(
            IndicatorResult(
                code=code,
                name=ind.name,
                applicable=applicable[code],
                inputs=inputs_used[code],
                values=values,
                value=s.value if s is not None else None,
                grade=s.grade if s is not None else None,
                score=s.score if s is not None else None,
                base_weight=exact(base[code]),
                weight=exact(weights[code]),
                contribution=exact(contribution) if contribution is not None else None,
                grading=s.grading if s is not None else None,
                periods=periods,  # type: ignore[arg-type]
                events=(
                    *first_events[code],
                    *weight_events.get(code, ()),
                    *(s.events if s is not None else ()),
                ),
                error=error,
            )
        )
    unit_events: list[PolicyEvent] = [*_note_events(unit), *vetoes]  # data-file hook: notes first
    for policy in scheme.policies:
        scope = dict(unit.data)
        try:
            if isinstance(policy, Veto):
                if policy.when.evaluate(scope) is True:
                    lowest |= policy.effect == "lowest_grade"
                    zeroed |= policy.effect == "zero"
                    unit_events.append(_veto_event(policy, words("本单位", "the unit"), words))
            else:
                if policy.per not in scope:
                    raise MissingValueError(policy.per, "the scheme's adjustment", _close(policy.per, scope))
                change = as_fraction(to_number(scope[policy.per], name=policy.per)) * as_fraction(
                    policy.points
                )
                if policy.cap is not None and abs(change) > as_fraction(policy.cap):
                    change = as_fraction(policy.cap) if change > 0 else -as_fraction(policy.cap)
                if change:
                    total += change
                    label = policy.reason or policy.per
                    unit_events.append(
                        PolicyEvent(
                            kind="adjust",
                            message=words(
                                f"{label}：总分{'加' if change > 0 else '扣'} {_num(abs(change))} 分",
                                f"{label}: {'adds' if change > 0 else 'takes'} {_num(abs(change))} to the total",
                            ),
                        )
                    )
        except PerfrulesError as exc:
            errors.append(
                UnitError(
                    unit=unit.name,
                    indicator=None,
                    field=_field_of(exc),
                    message=str(exc),
                    error=type(exc).__name__,
                    origin=unit.origin,
                )
            )
    if errors:
        return _unit_result(
            scheme,
            unit,
            total=None,
            grade=None,
            indicators=tuple(results),
            events=tuple(unit_events),
            errors=tuple(errors),
        )
    if zeroed:
        total = Fraction(0)
    total = min(max(total, Fraction(0)), as_fraction(scheme.total))
    final = exact(total)
    grade = scheme.overall_scale.classify(final)
    if lowest:
        grade = scheme.overall_scale.bands[-1].name
    return _unit_result(
        scheme,
        unit,
        total=final,
        grade=grade,
        indicators=tuple(results),
        events=tuple(unit_events),
        errors=(),
    )


def _veto_event(policy: Veto, where: str, words: _Words) -> PolicyEvent:
    effect = {
        "zero": words("总分计 0 分", "the total is set to 0"),
        "lowest_grade": words("总体等次降为最低", "the overall grade drops to the lowest"),
    }[policy.effect]
    reason = policy.reason or policy.when.text
    return PolicyEvent(
        kind="veto",
        message=words(f"一票否决（{where}：{reason}）：{effect}", f"veto ({where}: {reason}): {effect}"),
    )


def _unit_error(unit: Unit, ind: Indicator, exc: PerfrulesError) -> UnitError:
    message = str(exc)
    if isinstance(exc, DefinitionError):
        message = f"the scheme's definition failed on this data: {message}"
    return UnitError(
        unit=unit.name,
        indicator=ind.code,
        field=_field_of(exc),
        message=message,
        error=type(exc).__name__,
        origin=unit.origin,
    )


def _rank(results: list[UnitResult]) -> list[UnitResult]:
    scored = [r for r in results if r.total is not None]

    def ranks(members: list[UnitResult]) -> dict[str, int]:
        totals = sorted((as_fraction(r.total) for r in members if r.total is not None), reverse=True)
        return {r.unit: totals.index(as_fraction(r.total)) + 1 for r in members if r.total is not None}

    overall = ranks(scored)
    by_category: dict[str, int] = {}
    for category in {r.category for r in scored}:
        by_category.update(ranks([r for r in scored if r.category == category]))
    return [
        attrs.evolve(r, rank=overall.get(r.unit), category_rank=by_category.get(r.unit))
        if r.total is not None
        else r
        for r in results
    ]


def evaluate(
    scheme: Scheme,
    units: Iterable[Unit],
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> Evaluation:
    """Score every unit under a scheme.

    Each unit is scored on its own: a problem in one unit's data is recorded
    on that unit (``UnitResult.errors``, naming the indicator and the field)
    and the others are still scored. Nothing is skipped silently: a missing
    input either triggers a declared ``Default`` policy or is an error.

    Args:
        scheme: the scheme.
        units: the evaluated units and their data.
        progress: called as ``progress(done, total, unit_name)`` after each
            unit, for progress bars; the library itself never prints.

    Returns:
        The evaluation, with ranks among the units scored.

    Raises:
        TypeError: *units* holds something that is not a ``Unit``.
        ValueError: two units share a name.
    """
    unit_list = list(units)
    seen: set[str] = set()
    for unit in unit_list:
        if not isinstance(unit, Unit):
            raise TypeError(f"units must be Unit objects (got {unit!r} of type {type(unit).__name__})")
        if unit.name in seen:
            raise ValueError(f"two units are named '{unit.name}'")
        seen.add(unit.name)
    ctx = _Context(scheme=scheme, peers={}, words=_Words(scheme.language))
    _peer_tables(scheme, unit_list, ctx)
    results = []
    for done, unit in enumerate(unit_list, start=1):
        results.append(_evaluate_unit(scheme, unit, ctx))
        if progress is not None:
            progress(done, len(unit_list), unit.name)
    return Evaluation(scheme=scheme, results=tuple(_rank(results)))


# ---------------------------------------------------------------------------
# Explanations
# ---------------------------------------------------------------------------


def _explain_grading(grading: GradeResult, words: _Words) -> str:
    if grading.condition is None and grading.scoring == "points":
        return words(
            f"等次“{grading.grade}”对应 {_num(grading.score)} 分",
            f"grade '{grading.grade}' is worth {_num(grading.score)}",
        )
    if grading.interval is not None:
        place = words(
            f"落在“{grading.grade}”档 {grading.interval}",
            f"falls in '{grading.grade}' {grading.interval}",
        )
        if grading.scoring == "interpolate" and grading.position is not None:
            lo, hi = grading.score_interval or (Decimal(0), Decimal(0))
            how = words(
                f"位于该档 {_pct(grading.position)} 处，按线性插值在 {_num(lo)}–{_num(hi)} 分之间得 {_num(grading.score)} 分",
                f"{_pct(grading.position)} of the way through the band, interpolated on "
                f"{_num(lo)}–{_num(hi)}: {_num(grading.score)}",
            )
        elif grading.scoring == "interpolate":
            lo, hi = grading.score_interval or (Decimal(0), Decimal(0))
            how = words(
                f"单值档取该等次上限 {_num(grading.score)} 分",
                f"a single-value band scores the top of its interval: {_num(grading.score)}",
            )
        else:
            how = words(f"取区中值 {_num(grading.score)} 分", f"scores the midpoint {_num(grading.score)}")
        return f"{place}，{how}" if words.zh else f"{place}; {how}"
    cond = grading.condition.expression if grading.condition is not None else ""
    text = words(f"条件“{cond}”成立，评为“{grading.grade}”", f"'{cond}' holds: '{grading.grade}'")
    if len(grading.matched) > 1:
        text += words(
            f"（同时满足 {'、'.join(grading.matched)}，按规则取“{grading.grade}”）",
            f" ({', '.join(grading.matched)} all hold; the policy picks '{grading.grade}')",
        )
    how = words(f"，得 {_num(grading.score)} 分", f"; score {_num(grading.score)}")
    return text + how


def _explain_unit(result: UnitResult) -> str:
    words = _Words(result.language)
    lines: list[str] = []
    category = (
        f"（{result.category}）"
        if result.category and words.zh
        else (f" ({result.category})" if result.category else "")
    )
    if result.total is not None:
        lines.append(
            words(
                f"{result.unit}{category}：总分 {_num(result.total)}，等次“{result.grade}”，排名第 {result.rank} 名",
                f"{result.unit}{category}: total {_num(result.total)}, grade '{result.grade}', rank {result.rank}",
            )
        )
    else:
        lines.append(
            words(f"{result.unit}{category}：未能计分", f"{result.unit}{category}: could not be scored")
        )
    for error in result.errors:
        lines.append(words(f"  ✗ 错误：{error}", f"  ✗ error: {error}"))
    groups: dict[str, list[GroupResult]] = {}

    def note_groups(group: GroupResult, trail: list[GroupResult]) -> None:
        for child in group.children:
            if isinstance(child, GroupResult):
                note_groups(child, [*trail, child])
            else:
                groups[child.code] = trail

    for top in result.groups:
        note_groups(top, [top])
    opened: set[int] = set()

    def indent(start: int, depth: int) -> None:
        lines[start:] = ["  " * depth + line for line in lines[start:]]

    for ind in result.indicators:
        for depth, group in enumerate(groups.get(ind.code, [])):
            if id(group) in opened:
                continue
            opened.add(id(group))
            declared = (
                ""
                if group.declared is None
                else words(f"，规定 {_num(group.declared)}", f", declared {_num(group.declared)}")
            )
            lines.append(
                "  " * depth
                + words(
                    f"【{group.name}】权重 {_num(group.weight)}{declared}，得分 {_num(group.contribution)}",
                    f"[{group.name}] weight {_num(group.weight)}{declared}, subtotal {_num(group.contribution)}",
                )
            )
        first_line = len(lines)
        head = f"- {ind.code} {ind.name}"
        depth = len(groups.get(ind.code, []))
        if not ind.applicable:
            lines.append(head + words("：不计分", ": not scored"))
            for event in ind.events:
                lines.append(f"    · {event}")
            indent(first_line, depth)
            continue
        if ind.error is not None:
            lines.append(head + words(f"：错误——{ind.error.message}", f": error — {ind.error.message}"))
            indent(first_line, depth)
            continue
        lines.append(
            head
            + words(
                f"：等次“{ind.grade}”，得分 {_num(ind.score)}，权重 {_num(ind.weight)}，贡献 {_num(ind.contribution)}",
                f": grade '{ind.grade}', score {_num(ind.score)}, weight {_num(ind.weight)}, "
                f"contribution {_num(ind.contribution)}",
            )
        )
        if ind.inputs:
            shown = (
                "，".join(f"{k}={_show_input(v)}" for k, v in ind.inputs.items())
                if words.zh
                else ", ".join(f"{k}={_show_input(v)}" for k, v in ind.inputs.items())
            )
            lines.append(words(f"    · 数据：{shown}", f"    · data: {shown}"))
        for name, value in ind.values.items():
            lines.append(
                words(
                    f"    · 计算：{name} = {_show_value(value)}",
                    f"    · computed: {name} = {_show_value(value)}",
                )
            )
        if ind.grading is not None:
            lines.append(f"    · {_explain_grading(ind.grading, words)}")
        for period in ind.periods:
            lines.append(
                words(
                    f"    · {period.period}：等次“{period.grade}”，得分 {_num(period.score)}",
                    f"    · {period.period}: grade '{period.grade}', score {_num(period.score)}",
                )
            )
        for event in ind.events:
            lines.append(f"    · {event}")
        indent(first_line, depth)
    for event in result.events:
        lines.append(f"* {event}")
    return "\n".join(lines)


def _show_input(value: object) -> str:
    if isinstance(value, Decimal | Fraction | int) and not isinstance(value, bool):
        return _num(value)
    return str(value)


def _show_value(value: Value) -> str:
    if isinstance(value, bool):
        return str(value)
    return _num(value)
