"""Scoring a batch of units: population values first, each unit, then quotas and ranks.

``score_units`` is the one scoring loop behind ``evaluate``, the command
line's output and the Dask and multi-process paths. With ``detail=False`` it
records only what totals, grades, ranks and indicator scores need; a unit's
explanation is the same plan run with ``detail=True`` on that unit (with the
batch's population values). Weights are worked out once per category and
pattern of applicable indicators (:class:`_Weighting`), so a unit's total is
one exact integer-weighted sum. One unit's bad data is recorded on that unit
and never stops the others.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

import attrs

from ._errors import (
    DefinitionError,
    DivisionByZeroError,
    EvaluationError,
    MissingValueError,
    NumberTooLargeError,
    PerfrulesError,
)
from ._indicator import IndicatorPlan, Scored
from ._numbers import EXACT_CONTEXT, Number, as_fraction, check_fraction, exact, tidy_decimal
from ._overall import (
    aggregated_total,
    finish_total,
    formula_total,
    grade_total,
    limit_total,
    overall_scope,
    period_totals,
    raise_flags,
    redistribute,
    veto_event,
)
from ._plan import Plan, plan_of
from ._population import apply_quota, population_values, rank_positions
from ._scheme import Scheme, Veto, step_result_reads, with_parameters
from ._syntax import Name
from ._unit import PeriodTotal, PolicyEvent, Unit, UnitError, note_events

__all__ = [
    "IndicatorOutcome",
    "UnitOutcome",
    "finish_batch",
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
# Patterns of applicable indicators kept per plan: a batch rarely has more than a handful.
_MAX_PATTERNS = 4096


class IndicatorOutcome:
    """One indicator's part of a unit's outcome (kept only with ``detail``)."""

    __slots__ = (
        "applicable",
        "base_weight",
        "contribution",
        "error",
        "events",
        "inputs",
        "plan",
        "scored",
        "weight",
    )

    def __init__(self, plan: IndicatorPlan) -> None:
        self.plan = plan
        self.applicable = True
        self.scored: Scored | None = None
        self.base_weight: Number = _FZERO
        self.weight: Number = _FZERO
        self.contribution: Number | None = None
        self.error: UnitError | None = None
        self.events: list[PolicyEvent] = []
        self.inputs: dict[str, object] = {}


class UnitOutcome:
    """What scoring found for one unit."""

    __slots__ = (
        "category_rank",
        "errors",
        "events",
        "flags",
        "grade",
        "indicators",
        "periods",
        "rank",
        "rendered",
        "scores",
        "subtotals",
        "total",
        "unit",
        "vetoed",
        "weights",
    )

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.total: Number | None = None
        self.grade: str | None = None
        self.vetoed = False
        self.flags: tuple[str, ...] = ()
        self.events: list[PolicyEvent] = []
        self.errors: list[UnitError] = []
        self.indicators: list[IndicatorOutcome] | None = None
        self.scores: list[Number | None] = []
        self.weights: list[Fraction] = []
        # Every group's subtotal by name, when a group of the scheme takes a mean (see aggregated_total).
        self.subtotals: dict[str, Number] = {}
        self.rank: int | None = None
        self.category_rank: int | None = None
        # Each period's total and grade, when indicators are reported by period (see period_totals).
        self.periods: tuple[PeriodTotal, ...] = ()
        # Indicator scores as one line of output cells, once the unit's data is let go (see _stream).
        self.rendered: str | None = None


def _field_of(exc: PerfrulesError) -> str | None:
    if isinstance(exc, MissingValueError):
        return exc.name
    if isinstance(exc, DivisionByZeroError):
        return exc.divisor
    return None


def unit_error(unit: Unit, code: str | None, exc: PerfrulesError, *, field: str | None = None) -> UnitError:
    message = str(exc)
    if isinstance(exc, DefinitionError):
        message = f"the scheme's definition failed on this data: {message}"
    return UnitError(
        unit=unit.name,
        indicator=code,
        field=field if field is not None else _field_of(exc),
        message=message,
        error=type(exc).__name__,
        origin=unit.origin,
    )


class _Weighting:
    """The weights a category and a pattern of applicable indicators give, worked out once.

    Each contribution is ``score × weight / full points``; the factors
    ``weight / full`` are kept as integer numerators over one shared
    denominator, so that a unit's total is one exact integer-weighted sum.
    """

    __slots__ = (
        "decimal_factors",
        "denominator",
        "events",
        "factors",
        "numerators",
        "possible",
        "shown_base",
        "shown_weights",
        "weights",
    )

    def __init__(self, plan: Plan, category: str | None, applicable: tuple[bool, ...]) -> None:
        base = plan.weights_for(category)
        if all(applicable) or plan.scheme.normalize:
            weights = (
                list(base)
                if all(applicable)
                else [w if applicable[k] else _FZERO for k, w in enumerate(base)]
            )
            events: dict[int, list[PolicyEvent]] = {}
        else:
            weights, events = redistribute(plan, base, applicable)
        self.weights = weights
        self.events = events
        factors = []
        for k, ind in enumerate(plan.indicators):
            full = as_fraction(ind.full(category))
            factors.append(weights[k] / full if full and applicable[k] else _FZERO)
        self.factors = factors
        # The same factors as Decimals where they are finite decimals (0.03): contributions for explanations.
        decimal_factors: list[Decimal | None] = []
        for f in factors:
            shown = exact(f)
            decimal_factors.append(shown if type(shown) is Decimal else None)
        self.decimal_factors = tuple(decimal_factors)
        # Weights as results show them, worked out once per pattern.
        self.shown_base = tuple(exact(w) for w in base)
        self.shown_weights = tuple(exact(w) for w in weights)
        denominator = math.lcm(*(f.denominator for f in factors)) if factors else 1
        self.denominator = denominator
        self.numerators: tuple[Decimal | None, ...] = tuple(
            Decimal(f.numerator * (denominator // f.denominator)) if f else None for f in factors
        )
        self.possible = sum((w for k, w in enumerate(weights) if applicable[k]), _FZERO)

    def contribution(self, k: int, score: Number) -> Number:
        """What indicator *k* adds to the total for this score."""
        factor = self.factors[k]
        if not factor:
            return _ZERO
        if factor == 1:
            return score
        shown = self.decimal_factors[k]
        if shown is not None and type(score) is Decimal:
            try:
                return tidy_decimal(_EXACT_MUL(score, shown))
            except decimal.DecimalException:
                pass
        return exact(check_fraction(as_fraction(score) * factor))


def _weighting(plan: Plan, category: str | None, applicable: list[bool]) -> _Weighting:
    """The weighting of this category and pattern of applicable indicators (memoised on the plan)."""
    key = (category if plan.scheme.categories else None, tuple(applicable))
    memo = cast(dict[tuple[str | None, tuple[bool, ...]], _Weighting], plan.weightings)
    found = memo.get(key)
    if found is None:
        if len(memo) >= _MAX_PATTERNS:
            memo.clear()
        found = memo[key] = _Weighting(plan, key[0], key[1])
    return found


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


def _overflowing(plan: Plan, weighting: _Weighting, scores: Sequence[Number | None]) -> str:
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
    weighting = _weighting(plan, category, applicable)
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


def score_unit_lean(plan: Plan, unit: Unit) -> UnitOutcome | None:
    """Totals only, for schemes whose every indicator is a reported score: no events, no trail.

    Returns None whenever anything needs the full path (a value outside its
    points, a missing or unreadable value, a category problem, rounding or
    capping of the total), which then scores the unit again and explains it.
    """
    if plan.rich_overall:
        return None  # overall grading that reads more than the total needs the full path's scope
    scheme = plan.scheme
    category = unit.category
    key = category if scheme.categories else None
    rows = plan.lean_rows.get(key)
    if rows is None or unit.not_applicable or unit.periods or unit.problems or unit.notes:
        return None
    data = unit.data
    plain = plan.lean_plain.get(key)
    scores: list[Number | None]
    total: Number
    if plain is not None:
        # Every score is a reported value counted as it is: read them all, check them, add them up.
        names, ceilings = plain
        try:
            values = [data[name] for name in names]
        except KeyError:
            return None
        found: list[Decimal] = []
        for raw, ceiling in zip(values, ceilings, strict=True):
            if type(raw) is not Decimal or raw < 0 or raw > ceiling:
                return None
            found.append(raw)
        try:
            with decimal.localcontext(EXACT_CONTEXT):  # any rounding raises: the full path takes over
                total = sum(found, _ZERO)
        except decimal.DecimalException:
            return None
        scores = cast(list[Number | None], found)
    else:
        total = _ZERO
        scores = []
        append = scores.append
        add, mul = _EXACT_ADD, _EXACT_MUL
        try:
            for name, fn, ceiling, factor in rows:
                raw = data[name] if name is not None else fn(data)  # type: ignore[operator]
                if type(raw) is not Decimal or raw < 0 or raw > ceiling:
                    return None
                append(raw)
                total = add(total, raw if factor is _ONE else mul(raw, factor))  # type: ignore[arg-type]
        except Exception:
            return None
    if scheme.cap_total and total > plan.full_marks:
        return None
    if scheme.round_total is not None:
        return None
    out = UnitOutcome(unit)
    out.total = tidy_decimal(total)
    out.scores = scores
    out.grade = None if plan.overall is None else plan.overall.classify(out.total)
    return out


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
    """:func:`score_units`, also giving the batch's population values per unit (to explain units later)."""
    population = population_values(plan.indicators, units) if plan.has_population else {}
    outcomes = score_chunk(plan, units, population, detail=detail, progress=progress)
    finish_batch(plan, outcomes)
    return outcomes, population


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
    outcomes = []
    lean = plan.lean and not detail
    empty: Population = {}
    for done, unit in enumerate(units, start=1):
        quick = score_unit_lean(plan, unit) if lean else None
        outcomes.append(quick or score_unit(plan, unit, population.get(unit.name, empty), detail=detail))
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
