"""Scoring a batch of units: population values first, each unit, then quotas and ranks.

``score_units`` is the one scoring loop behind ``evaluate``, the command
line's output and the Dask and multi-process paths. With ``detail=False`` it
records only what totals, grades, ranks and indicator scores need, and runs
the plan's column program (:mod:`perfrules.scoring.program`) first where the scheme
compiles to one: the per-unit program here (:func:`score_unit`) scores the
units it sends back. A unit's explanation is the per-unit program run with
``detail=True`` on that unit (with the batch's population values). Weights
are worked out once per category and pattern of applicable indicators
(:class:`~perfrules.scoring.outcome.Weighting`), so a unit's total is one exact
integer-weighted sum. One unit's bad data is recorded on that unit and never
stops the others.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from .._errors import (
    EvaluationError,
    NumberTooLargeError,
    PerfrulesError,
)
from .._numbers import EXACT_CONTEXT, Number, as_fraction, check_fraction, exact, tidy_decimal
from ..formula.tree import Name
from ..scheme.model import Scheme, Veto, step_result_reads, with_parameters
from ..scheme.units import PolicyEvent, Unit, UnitError, note_events
from .indicator import Scored
from .outcome import IndicatorOutcome, UnitOutcome, Weighting, unit_error
from .outcome import weighting as pattern_weighting
from .overall import (
    aggregated_total,
    finish_total,
    formula_total,
    grade_total,
    limit_total,
    overall_scope,
    period_totals,
    raise_flags,
    veto_event,
)
from .plan import Plan, plan_of
from .population import apply_quota, population_values, rank_positions
from .program import score_columns
from .rollup import UnitTree, roll_up_level, unit_tree

__all__ = [
    "IndicatorOutcome",
    "UnitOutcome",
    "batch_tree",
    "finish_batch",
    "finish_levels",
    "score_batch",
    "score_chunk",
    "score_unit",
    "score_units",
]

Population = Mapping[tuple[str, str, str | None], Number]
_ZERO = Decimal(0)
_FZERO = Fraction(0)
_ONE = Decimal(1)
# Exact Decimal arithmetic: any rounding raises (and the caller falls back).
_EXACT_ADD = EXACT_CONTEXT.add
_EXACT_MUL = EXACT_CONTEXT.multiply


def _readers(plan: Plan, category: str | None) -> tuple[tuple[str, Number] | None, ...]:
    """Per indicator, (column, ceiling) when its score is one data column as reported (else None).

    Such a step needs nothing but the value: scoring reads it straight from the
    unit's data when it is a number within 0 and the ceiling, and runs the
    indicator's plan as usual otherwise (a missing, odd or out-of-range value).
    """
    key = category if plan.scheme.categories else None
    found = plan.readers.get(key)
    if found is None:
        row: list[tuple[str, Number] | None] = []
        weights = plan.weights_for(key)
        for k, ind in enumerate(plan.indicators):
            formula = ind.ind.score
            if (
                (weights[k] != 0 or not plan.scheme.categories)  # else not assessed for the category
                and ind.direct
                and ind.lower() == 0  # min_score and max_score = "none" take the indicator's plan
                and ind.upper(key) is not None
                and ind.always_applies
                and not ind.periodic
                and plan.scheme.round_scores is None
                and not ind.vetoes
                and formula is not None
                and isinstance(formula.tree, Name)
            ):
                row.append((formula.tree.name, ind.ceiling(key)))
            else:
                row.append(None)
        found = plan.readers[key] = tuple(row)
    return found


class _TotalTooLarge(Exception):
    """The sum of a unit's contributions left the number bounds at one indicator."""

    def __init__(self, code: str, error: NumberTooLargeError) -> None:
        super().__init__(code, error)
        self.code = code
        self.error = error


def _overflowing(plan: Plan, weighting: Weighting, scores: Sequence[Number | None]) -> str:
    """The indicator whose contribution takes the running total past the number bounds."""
    running = Fraction(0)
    last = ""
    for k, v in enumerate(scores):
        if v is None or not weighting.factors[k]:
            continue
        last = plan.indicators[k].code
        running += as_fraction(v) * weighting.factors[k]
        try:
            check_fraction(running)
        except NumberTooLargeError:
            return last
    return last


def _results(
    plan: Plan, unit: Unit, names: Iterable[str], scores: Sequence[Number | None]
) -> dict[str, object]:
    """Other indicators' results as rules read them: 指标1得分, 指标1得分率, 指标2·超额点数.

    A score comes from this unit's scoring so far (the plan scores in
    dependency order); a step is worked out on demand by its indicator's own
    plan, from the unit's data and the results its steps read in turn.
    """
    out: dict[str, object] = {}
    for name in sorted(names):
        code, step = plan.results[name]
        ind = plan.indicators[plan.index[code]]
        if step is None:
            score = scores[plan.index[code]]
            if score is None:
                raise EvaluationError(
                    f"'{name}': indicator {ind.label} has no score for this unit "
                    "(it does not apply, or could not be scored)"
                )
            if name.endswith("得分率"):
                full = as_fraction(ind.full(unit.category))
                if not full:
                    raise EvaluationError(f"'{name}': indicator {ind.label} has no points for this unit")
                out[name] = exact(as_fraction(score) / full)
            else:
                out[name] = score
            continue
        needs = step_result_reads(ind.ind, step, plan.results)
        data = unit.data if not needs else {**unit.data, **_results(plan, unit, needs, scores)}
        out[name] = ind.prerequisites([step], ind.env(data), unit)[step]
    return out


def score_unit(plan: Plan, unit: Unit, population: Population, *, detail: bool) -> UnitOutcome:
    """Score one unit: every indicator, the total, the overall grade (no quota, no rank yet).

    Whatever goes wrong with the unit's data is the unit's error and never
    stops the batch: a number that outgrows the bounds (``perfrules.LIMITS``)
    fails this unit alone, naming the indicator where it happened. The
    scheme's per-unit constants (``parameters``) join the unit's data first.
    """
    unit = with_parameters(plan.scheme, unit)
    try:
        return _score_unit(plan, unit, population, detail=detail)
    except _TotalTooLarge as exc:
        failed = UnitOutcome(unit)
        failed.errors = [
            unit_error(
                unit,
                exc.code,
                NumberTooLargeError(
                    f"the unit's total outgrows the number bounds at this indicator's contribution "
                    f"({exc.error}); rounding each score (round_scores) keeps the total small"
                ),
            )
        ]
        failed.events = note_events(unit)
        return failed
    except PerfrulesError as exc:
        failed = UnitOutcome(unit)
        failed.errors = [unit_error(unit, None, exc)]
        failed.events = note_events(unit)
        return failed


def _score_unit(plan: Plan, unit: Unit, population: Population, *, detail: bool) -> UnitOutcome:
    scheme = plan.scheme
    words = plan.words
    out = UnitOutcome(unit)
    if unit.problems:
        # Cells of its data file could not be read: the unit is not scored,
        # and those problems are its errors (the other units are scored).
        out.errors = list(unit.problems)
        out.events = note_events(unit)
        return out
    category = unit.category
    if scheme.categories and category not in scheme.categories:
        message = (
            f"unknown category {category!r}; the scheme weighs by {', '.join(scheme.categories)}"
            if category
            else f"the unit needs a category ({', '.join(scheme.categories)})"
        )
        out.errors.append(
            UnitError(
                unit=unit.name,
                indicator=None,
                field="category",
                message=message,
                error="InvalidValueError",
                origin=unit.origin,
            )
        )
        return out
    for code in sorted(unit.not_applicable):
        if code not in plan.lookup:
            out.errors.append(
                UnitError(
                    unit=unit.name,
                    indicator=code,
                    field="not_applicable",
                    message=f"no indicator '{code}' in the scheme",
                    error="InvalidValueError",
                    origin=unit.origin,
                )
            )
    base = plan.weights_for(category)
    own: tuple[Fraction, ...] | None = None
    if plan.weight_from:
        # Weights read per unit (weight_from): all of them, and adding up to the unit's full marks.
        read = _unit_weights(plan, unit, base)
        if isinstance(read, UnitError):
            out.errors.append(read)
            out.events = note_events(unit)
            return out
        base = own = read
    count = len(plan.indicators)
    applicable = [True] * count
    scored: list[Scored | None] = [None] * count
    # Each indicator's score; a reported column read straight from the data has no Scored record.
    scores: list[Number | None] = [None] * count
    first_events: dict[int, PolicyEvent] = {}
    failures: dict[int, UnitError] = {}
    vetoes: list[PolicyEvent] = []
    lowest = zeroed = False
    weighed = bool(scheme.categories)
    declared = unit.not_applicable
    # Indicator grades are recorded when something reads them: explanations, or overall grading that does.
    graded = detail or plan.rich_overall or scheme.total_formula is not None
    readers = _readers(plan, category) if not graded and not declared else plan.no_readers
    data = unit.data
    order = plan.result_order if plan.result_order is not None else range(count)
    for k in order:
        ind = plan.indicators[k]
        reader = readers[k]
        if reader is not None:
            raw: Any = data.get(reader[0])
            kind = type(raw)
            if kind is Decimal and raw.is_finite() and 0 <= raw <= reader[1]:
                scores[k] = tidy_decimal(raw)
                continue
            if kind is int and 0 <= raw <= reader[1]:
                scores[k] = Decimal(raw)
                continue
        if weighed and base[k] == 0:
            applicable[k] = False
            first_events[k] = PolicyEvent(
                kind="not_assessed",
                message=words(
                    f"“{category}”类单位不考核本指标（权重为 0）",
                    f"not assessed for category '{category}' (weight 0)",
                ),
            )
            continue
        scoring = unit
        if plan.result_reads[k]:
            # Rules that read other indicators' results see them beside the unit's data.
            try:
                extra = _results(plan, unit, plan.result_reads[k], scores)
            except PerfrulesError as exc:
                failures[k] = unit_error(unit, ind.code, exc)
                continue
            scoring = attrs.evolve(unit, data={**unit.data, **extra})
        if declared or not ind.always_applies:
            try:
                reason = ind.applicability(scoring)
            except PerfrulesError as exc:
                failures[k] = unit_error(unit, ind.code, exc)
                continue
            if reason is not None:
                applicable[k] = False
                first_events[k] = reason
                continue
        try:
            result = ind.score(scoring, population, detail, graded=graded)
            scored[k] = result
            scores[k] = result.score
            if ind.vetoes:
                for veto in ind.veto_fired(scoring, result):
                    lowest |= veto.effect == "lowest_grade"
                    zeroed |= veto.effect == "zero"
                    vetoes.append(veto_event(veto, ind.label, words))
        except PerfrulesError as exc:
            failures[k] = unit_error(unit, ind.code, exc)
            scored[k] = scores[k] = None
        except KeyError as exc:  # a name the data lacks, met outside a formula
            failures[k] = unit_error(
                unit, ind.code, EvaluationError(str(exc.args[0]) if exc.args else "KeyError")
            )
            scored[k] = scores[k] = None
    weighting = pattern_weighting(plan, category, applicable, own)
    weights = weighting.weights
    weight_events = weighting.events
    # The total is one exact sum of integers over the pattern's shared denominator:
    # Σ score × numerator, in exact Decimal arithmetic, divided once.
    numerators = weighting.numerators
    acc = _ZERO
    rest: Fraction | int = 0
    for k, v in enumerate(scores):
        if v is None:
            continue
        n = numerators[k]
        if n is None:
            continue
        if type(v) is Decimal:
            try:
                acc = _EXACT_ADD(acc, _EXACT_MUL(v, n))
                continue
            except decimal.DecimalException:
                pass
        rest += as_fraction(v) * int(n)
    total = (Fraction(acc) + rest) / weighting.denominator
    try:
        check_fraction(total)
    except NumberTooLargeError as exc:
        raise _TotalTooLarge(_overflowing(plan, weighting, scores), exc) from None
    possible = weighting.possible
    contributions: list[Number | None] = [None] * count
    if detail or plan.rich_overall or scheme.total_formula is not None:
        for k, v in enumerate(scores):
            if v is not None:
                try:
                    contributions[k] = weighting.contribution(k, v)
                except NumberTooLargeError as exc:
                    raise _TotalTooLarge(plan.indicators[k].code, exc) from None
    errors = list(out.errors)
    for k in sorted(failures):
        errors.append(failures[k])
    unit_events: list[PolicyEvent] = [*note_events(unit), *vetoes]
    results: dict[str, object] = {}
    if plan.total_reads and not failures:
        try:
            results = _results(plan, unit, plan.total_reads, scores)
        except PerfrulesError as exc:
            errors.append(unit_error(unit, None, exc))
    for policy in scheme.policies:
        if isinstance(policy, Veto):
            try:
                if policy.when.evaluate({**unit.data, **results} if results else unit.data) is True:
                    lowest |= policy.effect == "lowest_grade"
                    zeroed |= policy.effect == "zero"
                    unit_events.append(veto_event(policy, words("本单位", "the unit"), words))
            except PerfrulesError as exc:
                errors.append(unit_error(unit, None, exc))
    out.scores = scores
    out.weights = weights
    if detail:
        plan_read = dict(plan.weight_from)
        outcomes = []
        for k, ind in enumerate(plan.indicators):
            item = IndicatorOutcome(ind)
            item.applicable = applicable[k]
            item.scored = scored[k]
            item.base_weight = weighting.shown_base[k]
            item.weight = weighting.shown_weights[k]
            item.contribution = contributions[k]
            item.error = failures.get(k)
            done = scored[k]
            item.events = [
                *((_weight_read(plan, k, base[k]),) if k in plan_read else ()),
                *((first_events[k],) if k in first_events else ()),
                *weight_events.get(k, ()),
                *(done.events if done is not None else ()),
            ]
            item.inputs = {f: unit.data[f] for f in ind.sorted_inputs if f in unit.data}
            for local, field in ind.ind.inputs.items():
                if field in unit.data:
                    item.inputs[local] = unit.data[field]
            outcomes.append(item)
        out.indicators = outcomes
    if errors:
        out.errors = errors
        out.events = unit_events
        return out
    try:
        grades = [None if s is None else s.grade for s in scored]
        subtotals: dict[str, Number] = {}
        if plan.aggregated:
            # Groups that take a weighted geometric or harmonic mean: the total group by group.
            total, subtotals = aggregated_total(plan, unit, weights, scores, unit_events)
            total = check_fraction(total)
            out.subtotals = subtotals
        if scheme.total_formula is not None:
            # The total by the scheme's formula over subtotals, results and data (not the weighted sum).
            over = overall_scope(plan, unit, total, weights, contributions, scores, grades, subtotals)
            del over["总分"]
            total = check_fraction(formula_total(plan, {**over, **results}, unit_events))
        final = finish_total(
            plan,
            unit,
            check_fraction(total),
            earned=total,
            possible=possible,
            zeroed=zeroed,
            events=unit_events,
            results=results,
        )
        scope = None
        if plan.rich_overall:
            scope = overall_scope(plan, unit, final, weights, contributions, scores, grades, subtotals)
            if plan.limits_total:
                final = limit_total(plan, final, scope, unit_events)
        grade = grade_total(plan, final, scope, unit_events, unit.category)
        if scope is not None and plan.scheme.flags:
            out.flags = raise_flags(plan, scope, unit_events)
        if plan.periodic and unit.periods:
            # A grade per period beside the year's: the periods' scores, added up as the year's are.
            found = [() if s is None else s.periods for s in scored]
            out.periods = period_totals(
                plan, unit, found, scores, grades, weights, weighting.contribution, possible
            )
    except PerfrulesError as exc:
        out.errors = [unit_error(unit, None, exc)]
        out.events = unit_events
        return out
    if (lowest or zeroed) and plan.overall is not None:
        grade = plan.scheme.grades[-1]
    out.total = final
    out.grade = grade
    out.vetoed = lowest or zeroed
    out.events = unit_events
    return out


def _unit_weights(plan: Plan, unit: Unit, base: Sequence[Fraction]) -> tuple[Fraction, ...] | UnitError:
    """The unit's weights with those read from its data (weight_from), or the unit's error.

    Each weight read must be a number of 0 or more, and the unit's weights
    together must make its full marks: nothing is rescaled.
    """
    weights = list(base)
    unit_name = "%" if plan.scheme.basis == "percent" else "分"

    def error(k: int, column: str, message: str) -> UnitError:
        return UnitError(
            unit=unit.name,
            indicator=plan.indicators[k].code,
            field=column,
            message=message,
            error="InvalidValueError",
            origin=unit.origin,
        )

    for k, column in plan.weight_from:
        label = plan.indicators[k].label
        raw = unit.data.get(column)
        if raw is None:
            return error(k, column, f"no weight for indicator {label}: the data has no '{column}'")
        if (
            isinstance(raw, bool)
            or not isinstance(raw, Decimal | int | Fraction)
            or (isinstance(raw, Decimal) and not raw.is_finite())
        ):
            return error(
                k, column, f"the weight of indicator {label} in '{column}' is not a number (got {raw!r})"
            )
        value = as_fraction(raw)
        if value < 0:
            return error(
                k, column, f"the weight of indicator {label} in '{column}' is negative ({exact(value)})"
            )
        weights[k] = value
    total = sum(weights, _FZERO)
    full = plan.full_marks_for(unit.category)
    if total != full:
        k, column = plan.weight_from[0]
        read = ", ".join(f"{c} = {exact(weights[i])}" for i, c in plan.weight_from)
        return error(
            k,
            column,
            f"the unit's weights add up to {exact(total)}{unit_name}, not {exact(full)}{unit_name} "
            f"(read from the data: {read}); the weights read per unit must make up the rest",
        )
    return tuple(weights)


def _weight_read(plan: Plan, k: int, weight: Fraction) -> PolicyEvent:
    """The explanation's note of where a weight read per unit came from."""
    column = dict(plan.weight_from)[k]
    words = plan.words
    if plan.scheme.basis == "points":
        return PolicyEvent(
            kind="weight_from",
            message=words(
                f"本单位分值 {exact(weight)}分，读自数据“{column}”",
                f"the unit's points {exact(weight)}, read from its data column '{column}'",
            ),
        )
    return PolicyEvent(
        kind="weight_from",
        message=words(
            f"本单位权重 {exact(weight)}，读自数据“{column}”",
            f"the unit's weight {exact(weight)}, read from its data column '{column}'",
        ),
    )


def score_units(
    scheme: Scheme,
    units: Sequence[Unit],
    *,
    detail: bool,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[UnitOutcome]:
    """Score a batch: population values once, every unit, then quotas and ranks."""
    return score_batch(plan_of(scheme), units, detail=detail, progress=progress)[0]


def score_batch(
    plan: Plan,
    units: Sequence[Unit],
    *,
    detail: bool,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[list[UnitOutcome], Mapping[str, Population]]:
    """:func:`score_units`, also giving the batch's population values per unit (to explain units later).

    With the scheme's ``roll_up``, the units that are no one's parent are
    scored (population values over them alone), then each level of parents
    gets the mean of its sub-units' totals; each level has its own quotas and
    ranks. The outcomes keep the units' order.
    """
    tree = batch_tree(plan, units)
    scored = list(units) if tree is None else list(tree.scored)
    population = population_values(plan.indicators, scored) if plan.has_population else {}
    outcomes = score_chunk(plan, scored, population, detail=detail, progress=progress)
    return finish_levels(plan, tree, outcomes, units), population


def batch_tree(plan: Plan, units: Sequence[Unit]) -> UnitTree | None:
    """The units as a tree of parents and sub-units, with the scheme's ``roll_up`` (else None).

    Raises:
        DataError: a unit names itself, a cycle, or a parent with no row (see :func:`unit_tree`).
    """
    roll_up = plan.scheme.roll_up
    return unit_tree(roll_up, units) if roll_up is not None else None


def finish_levels(
    plan: Plan, tree: UnitTree | None, outcomes: list[UnitOutcome], units: Sequence[Unit]
) -> list[UnitOutcome]:
    """:func:`finish_batch` over the scored units, then each level of parents in turn (``roll_up``).

    *outcomes* are those of ``tree.scored`` (of every unit without a tree);
    the parents' are worked out from them, level by level, each level with
    its own quotas and ranks. Returns every outcome in the order of *units*.
    """
    finish_batch(plan, outcomes)
    if tree is None:
        return outcomes
    done = {o.unit.name: o for o in outcomes}
    for level, parents in enumerate(tree.levels, start=1):
        found = roll_up_level(plan, tree, parents, done, level)
        finish_batch(plan, found)
        done.update((o.unit.name, o) for o in found)
    return [done[u.name] for u in units]


def score_chunk(
    plan: Plan,
    units: Sequence[Unit],
    population: Mapping[str, Population],
    *,
    detail: bool,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[UnitOutcome]:
    """Score some of the units scored together, given their population values (no quotas, no ranks).

    Args:
        plan: the scheme's plan.
        units: the units to score (a part of the batch is fine).
        population: per unit name, its population values over the whole batch.
        detail: keep what explained results need.
        progress: called as ``progress(done, total, unit_name)`` after each unit.

    Returns:
        One outcome per unit, in order; :func:`finish_batch` over the whole
        batch's outcomes applies quotas and ranks.
    """
    # Totals first by the column program where the scheme compiles to one; the
    # units it sends back (and every unit, with detail) by the per-unit program.
    quick = score_columns(plan, units) if not detail else [None] * len(units)
    outcomes: list[UnitOutcome] = []
    empty: Population = {}
    for done, (unit, found) in enumerate(zip(units, quick, strict=True), start=1):
        outcomes.append(found or score_unit(plan, unit, population.get(unit.name, empty), detail=detail))
        if progress is not None:
            progress(done, len(units), unit.name)
    return outcomes


def finish_batch(plan: Plan, outcomes: Sequence[UnitOutcome]) -> None:
    """Quotas, then ranks (overall and per category), over the units scored together."""
    scored = [o for o in outcomes if o.total is not None]
    scheme = plan.scheme
    words = plan.words
    grades = scheme.grades
    for quota in scheme.quotas:
        overflow = quota.overflow or grades[grades.index(quota.grade) + 1]
        pools: dict[str | None, list[UnitOutcome]] = {}
        for o in scored:
            pools.setdefault(o.unit.category if quota.within == "category" else None, []).append(o)
        for members in pools.values():
            moved, exceeded = apply_quota(
                quota, members, lambda o: o.grade, lambda o: o.total if o.total is not None else Decimal(0)
            )
            reason = quota.reason or words("等次比例控制", "grade quota")
            for o in moved:
                o.grade = overflow
                o.events.append(
                    PolicyEvent(
                        kind="quota",
                        message=words(
                            f"{reason}：“{quota.grade}”名额已满，按总分排序降为“{overflow}”",
                            f"{reason}: the places for '{quota.grade}' are taken by higher totals; '{overflow}'",
                        ),
                    )
                )
            if exceeded:
                for o in members:
                    if o.grade == quota.grade:
                        o.events.append(
                            PolicyEvent(
                                kind="quota",
                                message=words(
                                    f"{reason}：名额边界处总分并列，并列单位均保留“{quota.grade}”，超出名额",
                                    f"{reason}: units tied at the limit all keep '{quota.grade}'; the quota is exceeded",
                                ),
                            )
                        )
    _rank(scored, lambda o: None, overall=True)
    if scheme.categories or any(o.unit.category for o in scored):
        _rank(scored, lambda o: o.unit.category, overall=False)


def _rank(scored: Sequence[UnitOutcome], key: Callable[[UnitOutcome], str | None], *, overall: bool) -> None:
    """Ranks with ties sharing the better rank; vetoed units after every unit not vetoed."""
    pools: dict[str | None, list[UnitOutcome]] = {}
    for o in scored:
        pools.setdefault(key(o), []).append(o)
    for members in pools.values():
        clean = [o for o in members if not o.vetoed]
        vetoed = [o for o in members if o.vetoed]
        ranks = rank_positions([o.total for o in clean if o.total is not None])
        after = rank_positions([o.total for o in vetoed if o.total is not None])
        for o, r in zip(clean, ranks, strict=True):
            _set_rank(o, r, overall)
        for o, r in zip(vetoed, after, strict=True):
            _set_rank(o, len(clean) + r, overall)


def _set_rank(o: UnitOutcome, rank: int, overall: bool) -> None:
    if overall:
        o.rank = rank
    else:
        o.category_rank = rank


def check_units(units: Iterable[Unit]) -> list[Unit]:
    """The units as a list, refusing non-units and duplicate names."""
    unit_list = list(units)
    seen: set[str] = set()
    for unit in unit_list:
        if not isinstance(unit, Unit):
            raise TypeError(f"units must be Unit objects (got {unit!r} of type {type(unit).__name__})")
        if unit.name in seen:
            raise ValueError(f"two units are named '{unit.name}'")
        seen.add(unit.name)
    return unit_list
