"""Scoring one indicator for one unit: steps, grading, policies, in the indicator's own units.

An indicator's score is in its own units: 分 in a points scheme (0 to its
分值, more when its rule allows), 0 to the scheme's ``full_score`` in a percent
scheme. A grade's score interval (优 90–100 …) is read as a share of the
indicator's full points, so a 20-point indicator graded 良 at 85 earns 17分;
band points (优—6分), score formulas, defaults given as numbers, deductions and
bonuses are in the indicator's own units as the rule prints them.

:class:`IndicatorPlan` is built once per scheme (see ``_plan``) and only runs
per unit. Population values (``max_of`` …, peer ratios, ranks) come in
precomputed, keyed by the indicator and period.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final

from .._errors import (
    DivisionByZeroError,
    EvaluationError,
    InvalidValueError,
    MissingValueError,
    PerfrulesError,
)
from .._numbers import Number, as_fraction, exact, round_half_up, tidy_decimal, to_number
from .._words import Words, num
from ..formula.language import Formula, PopulationCall, Value, normalize_name
from ..grading.scale import GradeResult, GradeScale
from ..scheme.model import (
    FULL_NAME,
    Adjust,
    Default,
    Indicator,
    NotApplicable,
    Part,
    PeerRatio,
    Rank,
    Scheme,
    Step,
    Veto,
    ZeroWhen,
    inputs_of,
    ordered_steps,
    step_reads,
    step_target,
)
from ..scheme.units import Computation, PeriodResult, PolicyEvent, Unit

__all__ = ["FULL_NAME", "IndicatorPlan", "Scored", "inputs_of"]

_ZERO = Decimal(0)
_FONE = Fraction(1)

# Population values are handed to the scoring of one unit as
# {(indicator code, key, period): value}; `key` is a step target or a call's text.
Population = Mapping[tuple[str, str, str | None], Number]


def _close(name: str, scope: Mapping[str, object]) -> list[str]:
    return difflib.get_close_matches(name, [k for k in scope if isinstance(k, str)], n=3, cutoff=0.5)


DECLARED_NOT_APPLICABLE: Final = (
    "被评估单位申报本指标不适用",
    "the unit declares the indicator not applicable",
)
"""The event of an indicator the unit's data declares not applicable (Chinese, English)."""


class Scored:
    """What scoring one indicator found (an internal, mutable record)."""

    __slots__ = (
        "combined",
        "computations",
        "events",
        "grade",
        "grading",
        "inputs",
        "periods",
        "score",
        "value",
        "values",
    )

    def __init__(
        self,
        *,
        value: Value | None,
        grade: str | None,
        score: Number,
        grading: GradeResult | None = None,
        values: dict[str, Value] | None = None,
        events: list[PolicyEvent] | None = None,
        periods: tuple[PeriodResult, ...] = (),
        computations: list[Computation] | None = None,
    ) -> None:
        self.value = value
        self.grade = grade
        self.score = score
        self.grading = grading
        self.values = values if values is not None else {}
        self.events = events if events is not None else []
        self.periods = periods
        self.computations = computations if computations is not None else []
        # Set when periods were combined: the inputs the trail shows instead
        # of the year row's, and how the periods made the year (mean, sum, last).
        self.inputs: dict[str, object] | None = None
        self.combined: str | None = None


class IndicatorPlan:
    """One indicator, compiled: what it reads, its steps in order, its policies by kind."""

    def __init__(self, scheme: Scheme, ind: Indicator, words: Words) -> None:
        self.scheme = scheme
        self.ind = ind
        self.code = ind.code
        self.label = ind.label
        self.words = words
        self.points = scheme.basis == "points"
        self.steps: tuple[Step, ...] = tuple(ordered_steps(ind))
        self.targets = frozenset(step_target(s) for s in ind.steps)
        self.inputs = inputs_of(ind)
        self.sorted_inputs = tuple(sorted(self.inputs))
        self.fields = self.inputs | frozenset(ind.inputs.values())
        self.defaults_when = tuple(p for p in ind.policies if isinstance(p, Default) and p.when is not None)
        self.no_data = next((p for p in ind.policies if isinstance(p, Default) and p.when is None), None)
        zero_by: dict[str, list[ZeroWhen]] = {}
        for p in ind.policies:
            if isinstance(p, ZeroWhen) and p.target is not None:
                zero_by.setdefault(p.target, []).append(p)  # every rule on a target applies
        self.zero_by_target = {k: tuple(v) for k, v in zero_by.items()}
        self.zero_indicator = tuple(p for p in ind.policies if isinstance(p, ZeroWhen) and p.target is None)
        self.adjusts = tuple(p for p in ind.policies if isinstance(p, Adjust))
        self.vetoes = tuple(p for p in ind.policies if isinstance(p, Veto))
        self.not_applicable = tuple(
            p for p in ind.policies if isinstance(p, NotApplicable) and (p.when or p.missing)
        )
        self.moves_to = next(
            (p.to for p in ind.policies if isinstance(p, NotApplicable) and p.to is not None), None
        )
        self.peer_steps = tuple(s for s in self.steps if isinstance(s, PeerRatio | Rank))
        calls: dict[str, PopulationCall] = {}
        for formula in self._formulas():
            for call in formula.population_calls:
                calls.setdefault(call.key, call)
        self.population_calls = tuple(calls.values())
        self.has_population = bool(self.peer_steps or self.population_calls)
        self.periodic = ind.frequency not in (None, "yearly")
        score_formula = ind.score
        # The commonest shape (a reported score, 得分=「X得分」): nothing to run
        # but the formula on the unit's data.
        self.direct = (
            score_formula is not None
            and not self.steps
            and not ind.policies
            and not self.population_calls
            and FULL_NAME not in score_formula.variables
            and not ind.inputs
        )
        # Applies to every unit unless the unit itself declares otherwise: scoring skips the checks.
        self.always_applies = ind.applies_to is None and not self.not_applicable
        # A percent scheme's score is already on the grades' scale (see _grade_of_score).
        self.percent_scale = (
            None
            if self.points
            or ind.full is not None
            or ind.fulls
            or (ind.scale is not None and ind.scale.is_categorical)
            else scheme.score_scale
        )
        self._ceilings: dict[str | None, Number] = {}
        # Limits 0 and the full points (no min_score, no max_score = "none"): the fast check of _score_direct.
        self.plain_limits = self.lower() == 0 and self.ind.max_score != "none"
        self._texts: dict[Formula, str] = {}
        self._only_for: PolicyEvent | None = None

    def _text(self, formula: Formula) -> str:
        """A formula as explanations show it (worked out once per formula)."""
        text = self._texts.get(formula)
        if text is None:
            text = self._texts[formula] = formula.show_with({}, chinese=self.words.zh)
        return text

    def _formulas(self) -> list[Formula]:
        out: list[Formula] = [s for s in self.ind.steps if isinstance(s, Formula)]
        if self.ind.score is not None:
            out.append(self.ind.score)
        for p in self.ind.policies:
            when = getattr(p, "when", None)
            if isinstance(when, Formula):
                out.append(when)
        return out

    # -- units of score ---------------------------------------------------
    def full(self, category: str | None) -> Number:
        """The indicator's full points in its own units for a unit category."""
        own = self.ind.full_for(category)
        if own is not None:
            return own
        if self.points:
            return self.ind.weight_for(category)
        return self.scheme.full_score

    def scale_factor(self, category: str | None) -> Fraction:
        """How a grade's score (0 to ``full_score``) becomes the indicator's own units."""
        if not self.points and self.ind.full is None and not self.ind.fulls:
            return _FONE
        return as_fraction(self.full(category)) / as_fraction(self.scheme.full_score)

    def ceiling(self, category: str | None) -> Number:
        """The most the indicator can earn (its full points when it has no upper limit; see ``upper``)."""
        found = self._ceilings.get(category)
        if found is None:
            limit = self.ind.max_score
            found = exact(limit if limit is not None and limit != "none" else self.full(category))
            self._ceilings[category] = found
        return found

    def upper(self, category: str | None) -> Fraction | None:
        """The upper limit of the score, or None when it has none (``max_score = "none"``)."""
        return None if self.ind.max_score == "none" else as_fraction(self.ceiling(category))

    def lower(self) -> Fraction | None:
        """The lower limit of the score (0 unless ``min_score`` says otherwise), or None for none."""
        limit = self.ind.min_score
        return None if limit == "none" else as_fraction(limit)

    # -- data -------------------------------------------------------------
    def env(self, data: Mapping[str, object]) -> Mapping[str, object]:
        """The unit's data as this indicator's formulas name it (read-only: copied where changed)."""
        if not self.ind.inputs:
            return data
        env = dict(data)
        for local, field in self.ind.inputs.items():
            if field in data:
                env[local] = data[field]
        return env

    def runs(self, unit: Unit) -> list[tuple[str | None, Mapping[str, object]]]:
        """The data the indicator is evaluated on: the year's, or one set per period."""
        if not self.periodic or not unit.periods:
            return [(None, self.env(unit.data))]
        labels = [label for label, values in unit.periods.items() if self.fields & values.keys()]
        if not labels:
            return [(None, self.env(unit.data))]
        mode = self.scheme.periods
        if mode == "last":
            labels = labels[-1:]
        if mode == "sum":
            # Period values add up (完成数, 总数 …); the year's data fills the rest.
            sums: dict[str, object] = {}
            for label in labels:
                for key, value in unit.periods[label].items():
                    sums[key] = value if key not in sums else _add_input(sums[key], value, key)
            return [(None, self.env({**unit.data, **sums}))]
        return [(label, self.env({**unit.data, **unit.periods[label]})) for label in labels]

    def applicability(self, unit: Unit) -> PolicyEvent | None:
        """None when the indicator applies to the unit, else the event that says why not."""
        words = self.words
        ind = self.ind
        if ind.applies_to is not None and unit.name not in ind.applies_to:
            if self._only_for is None:  # the same event for every unit: made once
                self._only_for = PolicyEvent(
                    kind="not_applicable",
                    message=words(
                        f"本指标只适用于 {'、'.join(sorted(ind.applies_to))}",
                        f"the indicator applies only to {', '.join(sorted(ind.applies_to))}",
                    ),
                )
            return self._only_for
        if unit.not_applicable and (
            ind.code in unit.not_applicable or normalize_name(ind.name) in unit.not_applicable
        ):
            return PolicyEvent(
                kind="not_applicable",
                message=words(*DECLARED_NOT_APPLICABLE),
            )
        if self.not_applicable:
            env = self.env(unit.data)
            for policy in self.not_applicable:
                if policy.missing:
                    absent = self._missing_inputs(policy, unit)
                    if absent:
                        reason = policy.reason or self.words(
                            f"{'、'.join(absent)} 数据缺失", f"no data for {', '.join(absent)}"
                        )
                        return PolicyEvent(
                            kind="not_applicable",
                            message=self.words(f"不适用：{reason}", f"not applicable: {reason}"),
                        )
                if policy.when is not None and policy.when.evaluate(env) is True:
                    reason = policy.reason or policy.when.text
                    return PolicyEvent(
                        kind="not_applicable", message=words(f"不适用：{reason}", f"not applicable: {reason}")
                    )
        return None

    def _missing_inputs(self, policy: NotApplicable, unit: Unit) -> list[str]:
        """The inputs a ``missing`` rule names that have no value, in the year's row nor any period's."""
        names = policy.missing if isinstance(policy.missing, tuple) else self.sorted_inputs
        runs = [env for _, env in self.runs(unit)]
        return [name for name in names if all(env.get(name) is None for env in runs)]

    # -- scoring ----------------------------------------------------------
    def score(self, unit: Unit, population: Population, detail: bool, *, graded: bool = True) -> Scored:
        """Score the indicator for one unit (all its periods combined).

        ``graded=False`` lets a reported score within its bounds go without
        the grade that nothing will read (totals-only scoring).
        """
        category = unit.category
        if self.direct and not (self.periodic and unit.periods):
            assert self.ind.score is not None
            return self._score_direct(self.ind.score, unit, category, detail, graded)
        runs = self.runs(unit)
        if len(runs) == 1 and runs[0][0] is None:
            period, env = runs[0]
            once = self._adjust(
                self._score_once(env, unit, period, population, detail), env, category, detail
            )
            used = self._period_labels(unit) if self.periodic and unit.periods else []
            if used and self.scheme.periods == "sum":
                # The trail shows the summed inputs the year was scored on, not the year row's.
                words = self.words
                once.inputs = self.shown_inputs(env)
                once.combined = "sum"
                once.events.insert(
                    0,
                    PolicyEvent(
                        kind="period",
                        message=words(
                            f"{len(used)} 个报送期（{'、'.join(used)}）的数据相加后计分",
                            f"the data of {len(used)} periods ({', '.join(used)}) are added up, then scored",
                        ),
                    ),
                )
            return once
        scored = [
            (
                period,
                env,
                self._adjust(self._score_once(env, unit, period, population, detail), env, category, detail),
            )
            for period, env in runs
        ]
        words = self.words

        def in_period(label: str | None, event: PolicyEvent) -> PolicyEvent:
            return PolicyEvent(
                kind=event.kind,
                message=f"{label}：{event.message}" if words.zh else f"{label}: {event.message}",
            )

        periods = tuple(
            PeriodResult(
                period=p or "",
                value=s.value,
                grade=s.grade,
                score=s.score,
                inputs=self.shown_inputs(env) if detail else {},
                computations=tuple(s.computations),
                grading=s.grading,
            )
            for p, env, s in scored
        )
        events = [in_period(p, e) for p, _, s in scored for e in s.events]
        if self.scheme.periods == "last":
            label, _, last = scored[-1]
            dropped = len(self._period_labels(unit)) - 1
            events.append(
                PolicyEvent(
                    kind="period",
                    message=words(
                        f"取最后一个报送期（{label}）的结果"
                        + (f"，之前 {dropped} 个报送期不计" if dropped else ""),
                        f"the last period ({label}) is used"
                        + (f"; the {dropped} earlier ones are not" if dropped else ""),
                    ),
                )
            )
            last.events = events
            last.periods = periods
            last.computations = []
            last.inputs = {}
            last.combined = "last"
            return last
        mean = exact(sum((as_fraction(s.score) for _, _, s in scored), Fraction(0)) / len(scored))
        shown = ("、" if words.zh else ", ").join(f"{p} {num(s.score)}" for p, _, s in scored)
        events.append(
            PolicyEvent(
                kind="period",
                message=words(
                    f"{len(scored)} 个报送期得分（{shown}）取平均，得 {num(mean)} 分",
                    f"the mean of {len(scored)} periods ({shown}) is {num(mean)}",
                ),
            )
        )
        combined = Scored(
            value=None,
            grade=self._grade_of_score(mean, category),
            score=mean,
            # The last period's values stay for vetoes that read them; the
            # trail shows every period's own values instead.
            values=scored[-1][2].values,
            events=events,
            periods=periods,
            computations=[],
        )
        combined.inputs = {}
        combined.combined = "mean"
        # round_scores applies to the indicator's score, which is the periods' mean.
        rounded = self._round(combined)
        rounded.grade = (
            self._grade_of_score(rounded.score, category) if rounded.score != mean else rounded.grade
        )
        return rounded

    def _period_labels(self, unit: Unit) -> list[str]:
        """The periods whose rows give this indicator data, in the order given."""
        return [label for label, values in unit.periods.items() if self.fields & values.keys()]

    def shown_inputs(self, env: Mapping[str, object]) -> dict[str, object]:
        """The data values the indicator reads from *env*, as the trail shows them."""
        return {f: env[f] for f in sorted(self.inputs) if f in env}

    def _score_direct(
        self, formula: Formula, unit: Unit, category: str | None, detail: bool, graded: bool = True
    ) -> Scored:
        env = unit.data
        try:
            raw = formula._fn(env)  # what evaluate() runs; any problem is raised by evaluate() itself
        except Exception:
            raw = formula.evaluate(env)
        else:
            if type(raw) is Fraction:
                raw = exact(raw)
        if isinstance(raw, bool):
            raise InvalidValueError(f"the score formula of {self.label} gave a truth value")
        scored = Scored(value=raw, grade=None, score=raw)
        if detail:
            scored.computations.append(
                Computation(
                    target="得分",
                    formula=self._text(formula),
                    substituted=formula.show_with(env, chinese=self.words.zh),
                    value=raw,
                )
            )
        ceiling = self._ceilings.get(category)
        if ceiling is None:
            ceiling = self.ceiling(category)
        if type(raw) is Decimal and self.plain_limits and 0 <= raw <= ceiling:
            # The commonest case, a reported score within its bounds: nothing to note.
            if graded:
                scale = self.percent_scale
                if scale is not None:  # already on the grades' scale
                    full_score = self.scheme.full_score
                    scored.grade = scale.classify_number(raw if raw <= full_score else full_score)
                else:
                    scored.grade = self._grade_of_score(raw, category)
            return scored if self.scheme.round_scores is None else self._round(scored)
        self._bound(scored, category, raw)
        scored.grade = self._grade_of_score(scored.score, category)
        return self._round(scored)

    def _scope(
        self, env: Mapping[str, object], unit: Unit, period: str | None, population: Population
    ) -> dict[str, object]:
        scope = dict(env)
        scope[FULL_NAME] = self.full(unit.category)
        for call in self.population_calls:
            key = (self.code, call.key, period)
            if key in population:
                scope[call.key] = population[key]
        return scope

    def _score_once(
        self,
        env: Mapping[str, object],
        unit: Unit,
        period: str | None,
        population: Population,
        detail: bool,
    ) -> Scored:
        """Score on one set of inputs (one period, or the year)."""
        words = self.words
        category = unit.category
        scope = self._scope(env, unit, period, population)
        for policy in self.defaults_when:
            assert policy.when is not None
            if policy.when.evaluate(scope) is True:
                why = words(f"条件“{policy.when.text}”成立", f"'{policy.when.text}' holds")
                return self._apply_default(policy, category, why, {})
        values: dict[str, Value] = {}
        events: list[PolicyEvent] = []
        computations: list[Computation] = []
        try:
            for step in self.steps:
                target = step_target(step)
                result = self._run_step(step, scope, unit, period, population)
                if detail and isinstance(step, Formula):
                    computations.append(
                        Computation(
                            target=target,
                            formula=self._text(step),
                            substituted=step.show_with(scope, chinese=words.zh),
                            value=result,
                        )
                    )
                elif detail and isinstance(step, Rank) and step.gives_points:
                    place = population.get((self.code, step.target + "·名次", period))
                    order = (
                        words("从高到低", "highest first")
                        if step.order == "desc"
                        else words("从低到高", "lowest first")
                    )
                    computations.append(
                        Computation(
                            target=target,
                            formula=words(
                                f"按{step.of}排名（{order}）的加减分",
                                f"points by rank of {step.of} ({order})",
                            ),
                            substituted=words(f"第{num(place)}名", f"place {num(place)}")
                            if place is not None
                            else words(
                                f"不参与排名（“{step.when.text}”不成立）",
                                f"not placed ('{step.when.text}' does not hold)",
                            )
                            if step.when is not None
                            else "",
                            value=result,
                        )
                    )
                zeroed_by: str | None = None
                for zero in self.zero_by_target.get(target, ()):
                    if zero.when.evaluate(scope) is not True:
                        continue
                    why = f"（{zero.reason}）" if zero.reason else ""
                    if zero.per_period and period is None:
                        events.append(self._not_per_period(zero.when.text, target, why, unit))
                        continue
                    # Every rule that holds is in the trail, also when an earlier one already zeroed the value.
                    was = (
                        words(f"原为 {num(_as_number(result))}", f"was {num(_as_number(result))}")
                        if zeroed_by is None
                        else words(f"已因“{zeroed_by}”计 0 分", f"already 0 by '{zeroed_by}'")
                    )
                    if result != 0 or zeroed_by is not None:
                        events.append(
                            PolicyEvent(
                                kind="zero",
                                message=words(
                                    f"“{zero.when.text}”成立，{target} 计 0 分（{was}）{why}",
                                    f"'{zero.when.text}' holds, so {target} scores 0 ({was})",
                                ),
                            )
                        )
                    zeroed_by = zero.when.text
                    result = Decimal(0)
                values[target] = result
                scope[target] = result
            grading, measured, grade, score = self._grade(scope, category, events, detail, computations)
        except (MissingValueError, DivisionByZeroError) as exc:
            if self.no_data is None:
                raise
            if (
                isinstance(exc, MissingValueError)
                and self.no_data.missing
                and normalize_name(exc.name) not in self.no_data.missing
                and all(scope.get(name) is not None for name in self.no_data.missing)
            ):
                # The rule's case is the absence of these inputs only (没有政府投资项目(A类)的);
                # another blank cell is a gap in the data, not that case.
                raise
            if isinstance(exc, MissingValueError):
                why = words(f"缺少数据{_plain(exc)}", f"there is no data for {_plain(exc)}")
            else:
                why = words(f"无数据（{_plain(exc)}）", f"there is no data ({_plain(exc)})")
            return self._apply_default(self.no_data, category, why, values)
        for rule in self.zero_indicator:
            if rule.when.evaluate(scope) is True:
                if rule.per_period and period is None:
                    events.append(
                        self._not_per_period(
                            rule.when.text,
                            words("本指标", "the indicator"),
                            f"（{rule.reason}）" if rule.reason else "",
                            unit,
                        )
                    )
                    continue
                events.append(
                    PolicyEvent(
                        kind="zero",
                        message=words(
                            f"“{rule.when.text}”成立，本指标计 0 分（原为 {num(score)}）",
                            f"'{rule.when.text}' holds, so the indicator scores 0 (was {num(score)})",
                        ),
                    )
                )
                score = Decimal(0)
                if self.ind.scale is not None and not self.ind.scale.is_categorical:
                    grade = self.ind.scale.bands[-1].name
                else:
                    grade = self._grade_of_score(score, category)
                break
        return Scored(
            value=measured,
            grade=grade,
            score=score,
            grading=grading,
            values=values,
            events=events,
            computations=computations,
        )

    def _not_per_period(self, condition: str, target: str, why: str, unit: Unit) -> PolicyEvent:
        """The note for a per-period rule whose condition holds on data given for the whole year."""
        words = self.words
        if self.periodic and self.scheme.periods == "sum" and unit.periods and self._period_labels(unit):
            # periods = "sum": the periods' data were added up, so no month is scored on its own.
            return PolicyEvent(
                kind="note",
                message=words(
                    f"“{condition}”在相加后的数据上成立，但该规则按报送期（当月）适用{why}，"
                    f"而本体系将各报送期数据相加后计分：{target} 未计 0 分",
                    f"'{condition}' holds on the summed data, but the rule applies to one period's data "
                    f"and the scheme adds the periods up: {target} is not zeroed",
                ),
            )
        return PolicyEvent(
            kind="note",
            message=words(
                f"“{condition}”成立，但该规则按报送期（当月）适用{why}，而本单位的数据是全年一行："
                f"{target} 未计 0 分；请按月报送（期间列）以适用该规则",
                f"'{condition}' holds, but the rule applies to one period's data and the unit gives the "
                f"whole year in one row: {target} is not zeroed; give the data per period to apply it",
            ),
        )

    def _grade(
        self,
        scope: dict[str, object],
        category: str | None,
        events: list[PolicyEvent],
        detail: bool,
        computations: list[Computation],
    ) -> tuple[GradeResult | None, Value | None, str | None, Number]:
        ind = self.ind
        scale = ind.scale
        if scale is not None:
            measured: Value | None
            if scale.is_categorical:
                key = ind.value
                if key is None or key not in scope:
                    raise MissingValueError(
                        key or ind.code, f"the category of {ind.label}", _close(key or "", scope)
                    )
                grading = scale.grade(scope[key])
                measured = None
            else:
                graded_on: Mapping[str, object] = scope
                if ind.value is not None and scale.variable is not None and ind.value != scale.variable:
                    graded_on = {**scope, scale.variable: scope[ind.value]}
                grading = scale.grade(graded_on, explain=detail)
                variable = scale.variable
                measured = _as_value(graded_on.get(variable)) if variable is not None else None
            score = grading.score
            assert score is not None
            if grading.scoring != "points":
                factor = self.scale_factor(category)
                if factor != 1:
                    score = exact(as_fraction(score) * factor)
            return grading, measured, grading.grade, score
        formula = ind.score
        assert formula is not None
        raw = formula.evaluate(scope)
        if isinstance(raw, bool):
            raise InvalidValueError(f"the score formula of {ind.label} gave a truth value")
        if detail:
            computations.append(
                Computation(
                    target="得分",
                    formula=self._text(formula),
                    substituted=formula.show_with(scope, chinese=self.words.zh),
                    value=raw,
                )
            )
        holder = Scored(value=raw, grade=None, score=raw, events=events)
        self._bound(holder, category, raw)
        return None, raw, self._grade_of_score(holder.score, category), holder.score

    def _bound(self, scored: Scored, category: str | None, raw: Number) -> None:
        """Keep a formula's score within 0 and the indicator's ceiling, saying so when it bites."""
        upper, lower = self.upper(category), self.lower()
        value = as_fraction(raw)
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            words = self.words
            capped = value if lower is None else max(value, lower)
            capped = capped if upper is None else min(capped, upper)
            unit = words.points if self.points else ""
            span = f"{'-∞' if lower is None else num(lower)}–{'∞' if upper is None else num(upper)}"
            scored.events.append(
                PolicyEvent(
                    kind="capped",
                    message=words(
                        f"得分 {num(raw)}{unit} 超出 {span}{unit}，按 {num(capped)}{unit} 计",
                        f"score {num(raw)} is outside {span}; {num(capped)} is used",
                    ),
                )
            )
            scored.score = exact(capped)

    def _grade_of_score(self, score: Number, category: str | None) -> str | None:
        """The grade of a score that no scale gave (formula scores, means of periods)."""
        ind = self.ind
        if ind.scale is not None and ind.scale.is_categorical:
            return None
        scale = self.scheme.score_scale
        if scale is None:
            return None
        full_score = self.scheme.full_score
        if not self.points and self.ind.full is None and not self.ind.fulls and type(score) is Decimal:
            # A percent scheme's score is already on the grades' scale (and already read: no checks).
            return scale.classify_number(min(max(score, _ZERO), full_score))
        factor = self.scale_factor(category)
        share = as_fraction(score) / factor if factor else Fraction(0)
        clipped = min(max(share, Fraction(0)), as_fraction(full_score))
        return scale.classify(exact(clipped))

    def _run_step(
        self, step: Step, scope: Mapping[str, object], unit: Unit, period: str | None, population: Population
    ) -> Value:
        if isinstance(step, Formula):
            return step.evaluate(scope)
        if isinstance(step, Part):
            result = _grade_part(step, scope).score
            assert result is not None
            return result
        key = (self.code, step.target, period)
        if key not in population:
            if (
                isinstance(step, Rank)
                and step.when is not None
                and (self.code, step.target + "·未排名", period) in population
            ):
                raise EvaluationError(
                    f"'{step.target}': this unit is not ranked, as '{step.when.text}' does not hold for it"
                )
            raise EvaluationError(f"'{step.target}' could not be computed for this unit against its peers")
        return population[key]

    def prerequisites(
        self, names: Sequence[str], env: Mapping[str, object], unit: Unit
    ) -> Mapping[str, object]:
        """The scope after running the (non-population) steps *names* depend on."""
        needed = self._closure(set(names))
        if not needed and FULL_NAME not in names:
            return env  # read straight from the data: nothing to compute, nothing to copy
        scope: dict[str, object] = dict(env)
        scope[FULL_NAME] = self.full(unit.category)
        for step in self.steps:
            target = step_target(step)
            # Computed as scoring computes it, even where the data has a value of that name.
            if target in needed:
                if isinstance(step, PeerRatio | Rank):
                    continue
                scope[target] = self._run_step(step, scope, unit, None, {})
        return scope

    def _closure(self, names: set[str]) -> set[str]:
        by_target = {step_target(s): s for s in self.steps}
        result: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in result or name not in by_target:
                continue
            result.add(name)
            todo.extend(step_reads(by_target[name]))
        return result

    # -- policies ---------------------------------------------------------
    def _apply_default(
        self, policy: Default, category: str | None, why: str, values: Mapping[str, Value]
    ) -> Scored:
        words = self.words
        score = self.default_score(policy, category)
        unit = words.points if self.points else ""
        grade = policy.grade if policy.grade is not None else self._grade_of_score(score, category)
        if isinstance(policy.score, str):
            how = {
                "midpoint": words("区中值", "the midpoint of its score interval"),
                "top": words("区间上限", "the top of its score interval"),
                "bottom": words("区间下限", "the bottom of its score interval"),
            }[policy.score]
            gives = words(
                f"默认为“{grade}”{how}，得 {num(score)}{unit}",
                f"defaults to '{grade}' at {how}: {num(score)}",
            )
        elif policy.grade is not None:
            gives = words(f"默认为“{grade}”，得 {num(score)}{unit}", f"defaults to '{grade}': {num(score)}")
        else:
            gives = words(f"默认得 {num(score)}{unit}", f"defaults to {num(score)}")
        extra = [t for t in (policy.reason, policy.note) if t]
        tail = ""
        if extra:
            tail = words(f"（{'；'.join(extra)}）", f" ({'; '.join(extra)})")
        message = words(f"{why}，按规定{gives}{tail}", f"{why}, so it {gives}{tail}")
        return Scored(
            value=None,
            grade=grade,
            score=score,
            values=dict(values),
            events=[PolicyEvent(kind="default", message=message)],
        )

    def default_score(self, policy: Default, category: str | None) -> Number:
        if not isinstance(policy.score, str):
            return policy.score
        scale = self.ind.scale if self.ind.scale is not None else self.scheme.score_scale
        assert scale is not None and policy.grade is not None
        if policy.score == "midpoint":
            value = scale.midpoint(policy.grade)
            if scale.effective_scoring == "points" and scale.band(policy.grade).points is not None:
                return value
        else:
            low, high = scale.score_interval(policy.grade)
            value = high if policy.score == "top" else low
        factor = self.scale_factor(category)
        return value if factor == 1 else exact(as_fraction(value) * factor)

    def _adjust(
        self, scored: Scored, env: Mapping[str, object], category: str | None, detail: bool
    ) -> Scored:
        """Bonuses and deductions in the indicator's own units, then the floor and ceiling."""
        if not self.adjusts:
            return self._round(scored)
        words = self.words
        unit = words.points if self.points else ""
        score = as_fraction(scored.score)
        before = score
        scope = {**env, **scored.values, FULL_NAME: self.full(category)}
        changed = False
        for policy in self.adjusts:
            change, parts = _adjustment(policy, scope, f"the adjustment of {self.label}", words, unit)
            if not parts:
                continue
            changed = True
            score += change
            scored.events.append(_adjust_event(policy, change, parts, words, unit))
        if not changed:
            return self._round(scored)
        upper, lower = self.upper(category), self.lower()
        full_text = num(self.full(category))
        if lower == 0 and score <= 0 < before:
            # 扣完为止: deductions stop at zero, whether they reach it exactly or pass it.
            shown = f"调整后为 {num(score)}{unit}，" if score < 0 else ""
            scored.events.append(
                PolicyEvent(
                    kind="capped" if score < 0 else "adjusted",
                    message=words(
                        f"{shown}扣完为止，得 0{unit}（满分 {full_text}{unit}）",
                        f"after adjustments {num(score)}; deductions stop at zero: 0 (full points {full_text})",
                    ),
                )
            )
            score = Fraction(0)
        elif (lower is not None and score < lower) or (upper is not None and score > upper):
            below = lower is not None and score < lower
            bound = lower if below else upper
            assert bound is not None
            span = f"{'-∞' if lower is None else num(lower)}–{'∞' if upper is None else num(upper)}"
            scored.events.append(
                PolicyEvent(
                    kind="capped",
                    message=words(
                        f"调整后为 {num(score)}{unit}，"
                        + (
                            ("扣完为止" if lower == 0 else f"最低 {num(bound)}{unit}")
                            if below
                            else f"以 {num(bound)}{unit} 为限"
                        )
                        + f"，得 {num(bound)}{unit}（满分 {full_text}{unit}）",
                        f"after adjustments the score is {num(score)}; it stays within {span}: "
                        f"{num(bound)} (full points {full_text})",
                    ),
                )
            )
            score = bound
        else:
            scored.events.append(
                PolicyEvent(
                    kind="adjusted",
                    message=words(
                        f"{num(before)}{unit} 调整后得 {num(score)}{unit}（满分 {num(self.full(category))}{unit}）",
                        f"{num(before)} becomes {num(score)} after adjustments",
                    ),
                )
            )
        scored.score = exact(score)
        if self.ind.scale is None or not self.ind.scale.is_categorical:
            scored.grade = self._grade_of_score(scored.score, category)
        return self._round(scored)

    def _round(self, scored: Scored) -> Scored:
        places = self.scheme.round_scores
        if places is None:
            return scored
        rounded = tidy_decimal(round_half_up(scored.score, places))
        if rounded != scored.score:
            words = self.words
            scored.events.append(
                PolicyEvent(
                    kind="rounded",
                    message=words(
                        f"得分 {num(scored.score)} 四舍五入保留 {places} 位小数为 {num(rounded)}",
                        f"score {num(scored.score)} rounded half up to {places} places: {num(rounded)}",
                    ),
                )
            )
            scored.score = rounded
        return scored

    def veto_fired(self, unit: Unit, scored: Scored) -> list[Veto]:
        """The vetoes of this indicator that fire for the unit."""
        if not self.vetoes:
            return []
        env = {**self.env(unit.data), **scored.values}
        return [v for v in self.vetoes if v.when.evaluate(env) is True]


def _adjustment(
    policy: Adjust, scope: Mapping[str, object], where: str, words: Words, unit: str
) -> tuple[Fraction, list[str]]:
    """The change an adjustment makes and a phrase per counted item (none when nothing counted)."""
    total = Fraction(0)
    parts: list[str] = []
    counts: dict[str, Fraction] = {}
    for name, _ in policy.terms:
        if name not in scope:
            raise MissingValueError(name, where, _close(name, scope))
        counts[name] = as_fraction(to_number(scope[name], name=name))
    matter_of = policy.matter_of if policy.matters else {}
    for name, points in policy.terms:
        count = counts[name]
        if not count:
            continue
        matter = matter_of.get(name)
        if matter is not None:
            # 同一事项按最高级别计一次: only the matter's biggest item the unit has counts, once.
            held = [(n, p) for n, p in policy.terms if matter_of.get(n) == matter and counts[n]]
            top = max(held, key=lambda item: abs(as_fraction(item[1])))
            if top[0] != name:
                continue
            change = as_fraction(points)
            others = [n for n, _ in held if n != name]
            parts.append(
                words(
                    f"同一事项「{matter}」按最高级别计一次：{name} {'加' if change > 0 else '扣'}{num(abs(change))}{unit}"
                    + (f"（{'、'.join(others)} 不另计）" if others else ""),
                    f"one matter '{matter}' counted once at its highest level: {name} {num(change)}"
                    + (f" ({', '.join(others)} not counted)" if others else ""),
                )
            )
            total += change
            continue
        change = count * as_fraction(points)
        total += change
        parts.append(
            words(
                f"{name} {num(count)} × {num(abs(as_fraction(points)))}{unit} = {'加' if change > 0 else '扣'}{num(abs(change))}{unit}",
                f"{name} {num(count)} × {num(points)} = {num(change)}",
            )
        )
    cap = policy.cap
    if isinstance(cap, Formula) and parts:
        found = cap.evaluate(scope)
        if isinstance(found, bool) or as_fraction(found) < 0:
            raise InvalidValueError(f"the cap '{cap.text}' of {where} gave {found!r}; a cap is a number >= 0")
        cap = found
    if cap is not None and not isinstance(cap, Formula) and abs(total) > as_fraction(cap):
        total = as_fraction(cap) if total > 0 else -as_fraction(cap)
        printed = policy.cap.text if isinstance(policy.cap, Formula) else ""
        parts.append(
            words(
                f"{'加' if total > 0 else '扣'}分以 {num(cap)}{unit}"
                + (f"（{printed}）" if printed else "")
                + " 为限",
                f"capped at {num(cap)}" + (f" ({printed})" if printed else ""),
            )
        )
    return total, parts


def _adjust_event(policy: Adjust, change: Fraction, parts: list[str], words: Words, unit: str) -> PolicyEvent:
    label = policy.reason or "、".join(name for name, _ in policy.terms)
    verb = words("加" if change > 0 else "扣", "adds" if change > 0 else "takes")
    return PolicyEvent(
        kind="adjust",
        message=words(
            f"{'；'.join(parts)}，共{verb} {num(abs(change))}{unit}（{label}）",
            f"{'; '.join(parts)}: {verb} {num(abs(change))} ({label})",
        ),
    )


def _grade_part(part: Part, scope: Mapping[str, object]) -> GradeResult:
    scale: GradeScale = part.scale
    if part.of is not None:
        if part.of not in scope:
            raise MissingValueError(part.of, f"{part.target} = grade of {part.of}", _close(part.of, scope))
        value = scope[part.of]
        if scale.is_categorical:
            return scale.grade(value)
        variables = scale.variables
        if len(variables) == 1:
            (name,) = variables
            return scale.grade({name: value})
    return scale.grade(scope)


def _add_input(a: object, b: object, key: str) -> object:
    return exact(as_fraction(to_number(a, name=key)) + as_fraction(to_number(b, name=key)))


def _as_value(value: object) -> Value | None:
    if isinstance(value, bool | Decimal | Fraction):
        return value
    if isinstance(value, int | float):
        return to_number(value)
    return None


def _as_number(value: Value) -> Number:
    return Decimal(int(value)) if isinstance(value, bool) else value


def _plain(exc: PerfrulesError) -> str:
    if isinstance(exc, MissingValueError):
        return f"“{exc.name}”"
    if isinstance(exc, DivisionByZeroError):
        return f"“{exc.divisor}”= 0"
    return str(exc)
