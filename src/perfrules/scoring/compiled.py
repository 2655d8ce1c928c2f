"""One indicator compiled once per scheme: what it reads, its steps, policies and limits, its data per run.

:class:`CompiledIndicator` is what ``scoring.indicator`` runs for each unit:
the indicator's steps in order, its policies sorted by kind, the full points
and limits of its score in its own units (分 in a points scheme, 0 to
``full_score`` in a percent scheme), the data it is evaluated on (the year's
or one set per period) and whether it applies to a unit. :class:`Scored` is
what scoring one indicator found.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final

from .._numbers import Number, as_fraction, exact, to_number
from .._words import Words
from ..formula.language import Formula, PopulationCall, Value, normalize_name
from ..grading.scale import GradeResult
from ..scheme.model import Scheme
from ..scheme.policies import Adjust, Default, NotApplicable, Veto, ZeroWhen
from ..scheme.reads import FULL_NAME, inputs_of, ordered_steps
from ..scheme.steps import PeerRatio, Rank, Step, step_closure, step_target
from ..scheme.tree import Indicator
from ..scheme.units import Computation, PeriodResult, PolicyEvent, Unit

__all__ = ["DECLARED_NOT_APPLICABLE", "CompiledIndicator", "Population", "Scored"]

_ZERO = Decimal(0)
_FONE = Fraction(1)

# Population values are handed to the scoring of one unit as
# {(indicator code, key, period): value}; `key` is a step target or a call's text.
Population = Mapping[tuple[str, str, str | None], Number]
_NO_POPULATION: Population = {}


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


class CompiledIndicator:
    """One indicator, compiled: what it reads, its steps in order, its policies by kind, its limits."""

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
                if (
                    policy.when is not None
                    and policy.when.evaluate(self._with_full(env, policy.when, unit)) is True
                ):
                    reason = policy.reason or policy.when.text
                    return PolicyEvent(
                        kind="not_applicable", message=words(f"不适用：{reason}", f"not applicable: {reason}")
                    )
        return None

    def _with_full(self, env: Mapping[str, object], when: Formula, unit: Unit) -> Mapping[str, object]:
        """*env* with ``分值`` (the full points for the unit's category) where *when* reads it, as the
        indicator's other formulas read it."""
        if FULL_NAME not in when.variables:
            return env
        return {**env, FULL_NAME: self.full(unit.category)}

    def _missing_inputs(self, policy: NotApplicable, unit: Unit) -> list[str]:
        """The inputs a ``missing`` rule names that have no value, in the year's row nor any period's."""
        names = policy.missing if isinstance(policy.missing, tuple) else self.sorted_inputs
        runs = [env for _, env in self.runs(unit)]
        return [name for name in names if all(env.get(name) is None for env in runs)]

    def period_labels(self, unit: Unit) -> list[str]:
        """The periods whose rows give this indicator data, in the order given."""
        return [label for label, values in unit.periods.items() if self.fields & values.keys()]

    def shown_inputs(self, env: Mapping[str, object]) -> dict[str, object]:
        """The data values the indicator reads from *env*, as the trail shows them."""
        return {f: env[f] for f in sorted(self.inputs) if f in env}

    def grade_of_score(self, score: Number, category: str | None) -> str | None:
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

    def _closure(self, names: set[str]) -> set[str]:
        return {step_target(s) for s in step_closure(self.steps, names)}

    def veto_fired(self, unit: Unit, scored: Scored, population: Population | None = None) -> list[Veto]:
        """The vetoes of this indicator that fire for the unit: their conditions read the unit's data,
        ``分值`` (the full points for its category) and the population values (*population*, the year's)
        as the indicator's other formulas read them, and the values its steps worked out."""
        if not self.vetoes:
            return []
        env = self._scope(self.env(unit.data), unit, None, population or _NO_POPULATION)
        env.update(scored.values)
        return [v for v in self.vetoes if v.when.evaluate(env) is True]

    def _scope(
        self, env: Mapping[str, object], unit: Unit, period: str | None, population: Population
    ) -> dict[str, object]:
        """*env* with ``分值`` (the full points for the unit's category) and the indicator's population
        values of *period*: what its formulas and rules read beside the data."""
        scope = dict(env)
        scope[FULL_NAME] = self.full(unit.category)
        for call in self.population_calls:
            key = (self.code, call.key, period)
            if key in population:
                scope[call.key] = population[key]
        return scope


def _add_input(a: object, b: object, key: str) -> object:
    return exact(as_fraction(to_number(a, name=key)) + as_fraction(to_number(b, name=key)))
