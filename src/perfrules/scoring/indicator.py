"""Scoring one indicator for one unit: its steps run on the unit's data, graded, its policies applied.

An indicator's score is in its own units: 分 in a points scheme (0 to its
分值, more when its rule allows), 0 to the scheme's ``full_score`` in a percent
scheme. A grade's score interval (优 90–100 …) is read as a share of the
indicator's full points, so a 20-point indicator graded 良 at 85 earns 17分;
band points (优—6分), score formulas, defaults given as numbers, deductions and
bonuses are in the indicator's own units as the rule prints them.

:class:`IndicatorPlan` is built once per scheme (see ``scoring.plan``; what it
holds is :class:`~perfrules.scoring.compiled.CompiledIndicator`) and only runs
per unit; ``scoring.policies`` applies its policies. Population values
(``max_of`` …, peer ratios, ranks) come in precomputed, keyed by the indicator
and period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from .._errors import (
    DivisionByZeroError,
    EvaluationError,
    InvalidValueError,
    MissingValueError,
    PerfrulesError,
)
from .._numbers import Number, as_fraction, exact, to_number
from .._words import num
from ..formula.language import Formula, Value, normalize_name
from ..grading.scale import GradeResult, GradeScale
from ..scheme.policies import ZeroWhen
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part, PeerRatio, Rank, Step, step_target
from ..scheme.units import Computation, PeriodResult, PolicyEvent, Unit
from .compiled import CompiledIndicator, Population, Scored, _close
from .policies import adjust, apply_default, bound, not_per_period, round_score

__all__ = ["IndicatorPlan"]


class IndicatorPlan(CompiledIndicator):
    """One indicator, compiled once per scheme and run per unit (see :meth:`score`)."""

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
            once = adjust(
                self, self._score_once(env, unit, period, population, detail), env, category, detail
            )
            return self.summed(once, unit, env)
        scored = [
            (
                period,
                env,
                adjust(self, self._score_once(env, unit, period, population, detail), env, category, detail),
            )
            for period, env in runs
        ]
        return self.combined(scored, unit, detail)

    def summed(self, once: Scored, unit: Unit, env: Mapping[str, object]) -> Scored:
        """*once*, the indicator scored on the unit's year row (*env*), with ``periods = "sum"`` and
        periods that give its data: the trail of the summed inputs it was scored on."""
        used = self.period_labels(unit) if self.periodic and unit.periods else []
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

    def combined(
        self, scored: Sequence[tuple[str | None, Mapping[str, object], Scored]], unit: Unit, detail: bool
    ) -> Scored:
        """The year's result from each period's (*scored*: label, inputs, what scoring found, in the
        periods' order): the mean of the periods' scores, rounded, or the last period's."""
        category = unit.category
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
            dropped = len(self.period_labels(unit)) - 1
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
            grade=self.grade_of_score(mean, category),
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
        rounded = round_score(self, combined)
        rounded.grade = (
            self.grade_of_score(rounded.score, category) if rounded.score != mean else rounded.grade
        )
        return rounded

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
                    scored.grade = self.grade_of_score(raw, category)
            return scored if self.scheme.round_scores is None else round_score(self, scored)
        bound(self, scored, category, raw)
        scored.grade = self.grade_of_score(scored.score, category)
        return round_score(self, scored)

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
                return apply_default(self, policy, category, why, {})
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
                    computations.append(self.rank_points(step, place, result))
                rules = self.zero_by_target.get(target, ())
                if rules:
                    held = (zero for zero in rules if zero.when.evaluate(scope) is True)  # each when reached
                    result = self.step_zeroed(held, target, result, period, unit, events)
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
            return self.no_data_default(exc, category, values)
        if self.zero_indicator:
            held = (rule for rule in self.zero_indicator if rule.when.evaluate(scope) is True)
            score, grade = self.indicator_zeroed(held, score, grade, period, unit, events)
        return Scored(
            value=measured,
            grade=grade,
            score=score,
            grading=grading,
            values=values,
            events=events,
            computations=computations,
        )

    def no_data_default(
        self, exc: MissingValueError | DivisionByZeroError, category: str | None, values: Mapping[str, Value]
    ) -> Scored:
        """The default for no data (its ``default`` without ``when``), taken because of *exc*, with the
        step values worked out before it (*values*)."""
        assert self.no_data is not None
        words = self.words
        if isinstance(exc, MissingValueError):
            why = words(f"缺少数据{_plain(exc)}", f"there is no data for {_plain(exc)}")
        else:
            why = words(f"无数据（{_plain(exc)}）", f"there is no data ({_plain(exc)})")
        return apply_default(self, self.no_data, category, why, values)

    def step_zeroed(
        self,
        held: Iterable[ZeroWhen],
        target: str,
        result: Value,
        period: str | None,
        unit: Unit,
        events: list[PolicyEvent],
    ) -> Value:
        """A step's value after the zero rules on it that hold (*held*, in order, worked out as they are reached), their events added."""
        words = self.words
        zeroed_by: str | None = None
        for zero in held:
            why = f"（{zero.reason}）" if zero.reason else ""
            if zero.per_period and period is None:
                events.append(not_per_period(self, zero.when.text, target, why, unit))
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
        return result

    def indicator_zeroed(
        self,
        held: Iterable[ZeroWhen],
        score: Number,
        grade: str | None,
        period: str | None,
        unit: Unit,
        events: list[PolicyEvent],
    ) -> tuple[Number, str | None]:
        """The score and grade after the zero rules on the indicator that hold (*held*, in order, worked out as they are reached)."""
        words = self.words
        for rule in held:
            if rule.per_period and period is None:
                events.append(
                    not_per_period(
                        self,
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
                grade = self.grade_of_score(score, unit.category)
            break
        return score, grade

    def rank_points(self, step: Rank, place: Number | None, result: Value) -> Computation:
        """How a rank step's points came about (the unit's place), as explanations show it."""
        words = self.words
        order = (
            words("从高到低", "highest first") if step.order == "desc" else words("从低到高", "lowest first")
        )
        return Computation(
            target=step_target(step),
            formula=words(f"按{step.of}排名（{order}）的加减分", f"points by rank of {step.of} ({order})"),
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
                    if ind.value not in scope:  # no value to grade: a missing input (a default may take it)
                        raise MissingValueError(
                            ind.value, f"the value of {ind.label}", _close(ind.value, scope)
                        )
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
        bound(self, holder, category, raw)
        return None, raw, self.grade_of_score(holder.score, category), holder.score

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
