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

from ._errors import (
    DivisionByZeroError,
    EvaluationError,
    InvalidValueError,
    MissingValueError,
    PerfrulesError,
)
from ._formula import Formula, PopulationCall, Value, normalize_name
from ._numbers import Number, as_fraction, exact, round_half_up, tidy_decimal, to_number
from ._scale import GradeResult, GradeScale
from ._scheme import (
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
    ordered_steps,
    step_reads,
    step_target,
)
from ._unit import Computation, PeriodResult, PolicyEvent, Unit
from ._words import Words, num

__all__ = ["FULL_NAME", "IndicatorPlan", "Scored", "inputs_of"]

_ZERO = Decimal(0)
_FONE = Fraction(1)

FULL_NAME = "分值"
"""The name under which an indicator's formulas read its own full points (得分=分值)."""

# Population values are handed to the scoring of one unit as
# {(indicator code, key, period): value}; `key` is a step target or a call's text.
Population = Mapping[tuple[str, str, str | None], Number]


def inputs_of(ind: Indicator) -> frozenset[str]:
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
            reads |= policy.reads
    return frozenset(reads - targets - {FULL_NAME})


def _close(name: str, scope: Mapping[str, object]) -> list[str]:
    return difflib.get_close_matches(name, [k for k in scope if isinstance(k, str)], n=3, cutoff=0.5)


class Scored:
    """What scoring one indicator found (an internal, mutable record)."""

    __slots__ = ("computations", "events", "grade", "grading", "periods", "score", "value", "values")

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
        self.not_applicable = tuple(p for p in ind.policies if isinstance(p, NotApplicable) and p.when)
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
        # A direct indicator that applies to every unit and is not reported by
        # period can be scored by the totals-only fast path (see _batch).
        self.lean = (
            self.direct
            and ind.applies_to is None
            and not self.periodic
            and (self.scheme.score_scale is None or not self.points)
        )

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
        if self.ind.full is not None:
            return self.ind.full
        if self.points:
            return self.ind.weight_for(category)
        return self.scheme.full_score

    def scale_factor(self, category: str | None) -> Fraction:
        """How a grade's score (0 to ``full_score``) becomes the indicator's own units."""
        if not self.points and self.ind.full is None:
            return _FONE
        return as_fraction(self.full(category)) / as_fraction(self.scheme.full_score)

    def ceiling(self, category: str | None) -> Number:
        return self.ind.max_score if self.ind.max_score is not None else self.full(category)

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
            return PolicyEvent(
                kind="not_applicable",
                message=words(
                    f"本指标只适用于 {'、'.join(sorted(ind.applies_to))}",
                    f"the indicator applies only to {', '.join(sorted(ind.applies_to))}",
                ),
            )
        if ind.code in unit.not_applicable or normalize_name(ind.name) in unit.not_applicable:
            return PolicyEvent(
                kind="not_applicable",
                message=words("被评估单位申报本指标不适用", "the unit declares the indicator not applicable"),
            )
        if self.not_applicable:
            env = self.env(unit.data)
            for policy in self.not_applicable:
                assert policy.when is not None
                if policy.when.evaluate(env) is True:
                    reason = policy.reason or policy.when.text
                    return PolicyEvent(
                        kind="not_applicable", message=words(f"不适用：{reason}", f"not applicable: {reason}")
                    )
        return None

    # -- scoring ----------------------------------------------------------
    def score(self, unit: Unit, population: Population, detail: bool) -> Scored:
        """Score the indicator for one unit (all its periods combined)."""
        category = unit.category
        if self.direct and not (self.periodic and unit.periods):
            assert self.ind.score is not None
            return self._score_direct(self.ind.score, unit, category, detail)
        runs = self.runs(unit)
        if len(runs) == 1 and runs[0][0] is None:
            period, env = runs[0]
            return self._adjust(
                self._score_once(env, unit, period, population, detail), env, category, detail
            )
        scored = [
            (
                period,
                self._adjust(self._score_once(env, unit, period, population, detail), env, category, detail),
            )
            for period, env in runs
        ]
        if self.scheme.periods == "last":
            return scored[-1][1]
        mean = exact(sum((as_fraction(s.score) for _, s in scored), Fraction(0)) / len(scored))
        words = self.words
        shown = "、".join(f"{p} {num(s.score)}" for p, s in scored)
        event = PolicyEvent(
            kind="period",
            message=words(
                f"{len(scored)} 个报送期得分（{shown}）取平均，得 {num(mean)} 分",
                f"the mean of {len(scored)} periods ({shown}) is {num(mean)}",
            ),
        )
        last = scored[-1][1]
        periods = tuple(
            PeriodResult(period=p or "", value=s.value, grade=s.grade, score=s.score) for p, s in scored
        )
        combined = Scored(
            value=last.value,
            grade=self._grade_of_score(mean, category),
            score=mean,
            values=last.values,
            events=[*(e for _, s in scored for e in s.events), event],
            periods=periods,
            computations=last.computations,
        )
        # round_scores applies to the indicator's score, which is the periods' mean.
        rounded = self._round(combined)
        rounded.grade = (
            self._grade_of_score(rounded.score, category) if rounded.score != mean else rounded.grade
        )
        return rounded

    def _score_direct(self, formula: Formula, unit: Unit, category: str | None, detail: bool) -> Scored:
        env = unit.data
        raw = formula.evaluate(env)
        if isinstance(raw, bool):
            raise InvalidValueError(f"the score formula of {self.label} gave a truth value")
        scored = Scored(value=raw, grade=None, score=raw)
        if detail:
            scored.computations.append(
                Computation(
                    target="得分",
                    formula=formula.show_with({}, chinese=self.words.zh),
                    substituted=formula.show_with(env, chinese=self.words.zh),
                    value=raw,
                )
            )
        self._bound(scored, category, raw)
        scored.grade = self._grade_of_score(scored.score, category)
        return scored

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
                            formula=step.show_with({}, chinese=words.zh),
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
                            else "",
                            value=result,
                        )
                    )
                for zero in self.zero_by_target.get(target, ()):
                    if zero.when.evaluate(scope) is True:
                        if result != 0:
                            events.append(
                                PolicyEvent(
                                    kind="zero",
                                    message=words(
                                        f"“{zero.when.text}”成立，{target} 计 0 分（原为 {num(_as_number(result))}）"
                                        + (f"（{zero.reason}）" if zero.reason else ""),
                                        f"'{zero.when.text}' holds, so {target} scores 0 "
                                        f"(was {num(_as_number(result))})",
                                    ),
                                )
                            )
                        result = Decimal(0)
                values[target] = result
                scope[target] = result
            grading, measured, grade, score = self._grade(scope, category, events, detail, computations)
        except (MissingValueError, DivisionByZeroError) as exc:
            if self.no_data is None:
                raise
            if isinstance(exc, MissingValueError):
                why = words(f"缺少数据{_plain(exc)}", f"there is no data for {_plain(exc)}")
            else:
                why = words(f"无数据（{_plain(exc)}）", f"there is no data ({_plain(exc)})")
            return self._apply_default(self.no_data, category, why, values)
        for rule in self.zero_indicator:
            if rule.when.evaluate(scope) is True:
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
                    formula=formula.show_with({}, chinese=self.words.zh),
                    substituted=formula.show_with(scope, chinese=self.words.zh),
                    value=raw,
                )
            )
        holder = Scored(value=raw, grade=None, score=raw, events=events)
        self._bound(holder, category, raw)
        return None, raw, self._grade_of_score(holder.score, category), holder.score

    def _bound(self, scored: Scored, category: str | None, raw: Number) -> None:
        """Keep a formula's score within 0 and the indicator's ceiling, saying so when it bites."""
        ceiling = self.ceiling(category)
        if raw < 0 or raw > ceiling:
            words = self.words
            capped = min(max(as_fraction(raw), Fraction(0)), as_fraction(ceiling))
            unit = words.points if self.points else ""
            scored.events.append(
                PolicyEvent(
                    kind="capped",
                    message=words(
                        f"得分 {num(raw)}{unit} 超出 0–{num(ceiling)}{unit}，按 {num(capped)}{unit} 计",
                        f"score {num(raw)} is outside 0–{num(ceiling)}; {num(capped)} is used",
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
        if not self.points and self.ind.full is None and type(score) is Decimal:
            # A percent scheme's score is already on the grades' scale.
            return scale.classify(min(max(score, _ZERO), full_score))
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
        ceiling = as_fraction(self.ceiling(category))
        full_text = num(self.full(category))
        if score <= 0 < before:
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
        elif score < 0 or score > ceiling:
            bound = Fraction(0) if score < 0 else ceiling
            scored.events.append(
                PolicyEvent(
                    kind="capped",
                    message=words(
                        f"调整后为 {num(score)}{unit}，"
                        + ("扣完为止" if score < 0 else f"以 {num(ceiling)}{unit} 为限")
                        + f"，得 {num(bound)}{unit}（满分 {full_text}{unit}）",
                        f"after adjustments the score is {num(score)}; it stays within 0–{num(ceiling)}: "
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
    for name, points in policy.terms:
        if name not in scope:
            raise MissingValueError(name, where, _close(name, scope))
        count = as_fraction(to_number(scope[name], name=name))
        if not count:
            continue
        change = count * as_fraction(points)
        total += change
        parts.append(
            words(
                f"{name} {num(count)} × {num(abs(as_fraction(points)))}{unit} = {'加' if change > 0 else '扣'}{num(abs(change))}{unit}",
                f"{name} {num(count)} × {num(points)} = {num(change)}",
            )
        )
    if policy.cap is not None and abs(total) > as_fraction(policy.cap):
        total = as_fraction(policy.cap) if total > 0 else -as_fraction(policy.cap)
        parts.append(
            words(
                f"{'加' if total > 0 else '扣'}分以 {num(policy.cap)}{unit} 为限",
                f"capped at {num(policy.cap)}",
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
