"""What-if: how far each input must move for an indicator to reach the next grade."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from .._errors import PerfrulesError, expect_scheme
from .._numbers import Number, as_fraction, exact
from ..results.model import evaluate
from ..scheme.model import Scheme
from ..scheme.reads import inputs_of
from ..scheme.steps import PeerRatio, Rank
from ..scheme.tree import Indicator
from ..scheme.units import Unit
from ..scoring.indicator import IndicatorPlan
from ..scoring.plan import plan_of
from ..scoring.population import population_values

__all__ = ["WhatIf", "whatif"]

_MAX_DOUBLINGS = 48
_BISECTIONS = 50


@attrs.frozen(kw_only=True)
class WhatIf:
    """One way for an indicator to reach its next grade.

    Attributes:
        indicator, name: the indicator.
        grade: its grade now; target: the next better grade.
        field: the data field to change.
        current: the field's value now; needed: the value that reaches
            ``target``; change: ``needed - current``.
        score: the indicator's score at ``needed``.
        total: the unit's total with that one change (None when the unit
            cannot be scored); total_change: its difference from today.
    """

    indicator: str
    name: str
    grade: str
    target: str
    field: str
    current: Number
    needed: Number
    change: Number
    score: Number
    total: Number | None
    total_change: Number | None


def _grades(scheme: Scheme, ind: Indicator) -> list[str]:
    scale = ind.scale if ind.scale is not None and not ind.scale.is_categorical else scheme.score_scale
    return [] if scale is None else [b.name for b in scale.bands]


def _probe(
    plan: IndicatorPlan,
    unit: Unit,
    population: dict[tuple[str, str, str | None], Number],
    field: str,
    value: Fraction,
    peers: bool,
    units: Sequence[Unit],
) -> tuple[str, Number] | None:
    """The indicator's grade and score with one field changed (None when it cannot be scored)."""
    changed = attrs.evolve(unit, data={**unit.data, field: exact(value)})
    try:
        if peers:
            # The unit's change moves its peers' figure too: recompute this
            # indicator's population values with it.
            everyone = [changed if u.name == unit.name else u for u in units]
            population = population_values([plan], everyone).get(unit.name, {})
        scored = plan.score(changed, population, False)
    except (PerfrulesError, KeyError, ZeroDivisionError):
        return None
    if scored.grade is None:
        return None
    return scored.grade, scored.score


def _tidy_value(good: Fraction, bad: Fraction, works: Callable[[Fraction], bool]) -> Fraction:
    """The simplest number between *bad* (exclusive) and *good* that still works.

    Bisection leaves binary fractions; the boundary a rule publishes is a
    short decimal (103, 90%) or a simple fraction (19/9), so try those first.
    """
    low, high = min(good, bad), max(good, bad)
    candidates: list[Fraction] = []
    for places in range(0, 9):
        scale = Fraction(10) ** places
        candidates += [Fraction(math.floor(good * scale)) / scale, Fraction(math.ceil(good * scale)) / scale]
    for limit in (10, 100, 1000, 10**4, 10**6):
        candidates.append(good.limit_denominator(limit))
    for candidate in candidates:
        if low <= candidate <= high and candidate != bad and works(candidate):
            return candidate
    return good


def whatif(scheme: Scheme, units: Iterable[Unit], unit: str) -> tuple[WhatIf, ...]:
    """For each indicator of *unit* below its best grade, the input changes that reach the next grade.

    Each numeric input the indicator reads is moved alone, up or down, to the
    nearest value that earns the next better grade (found by bracketing and
    exact bisection, then the shortest decimal that still works; whole-number
    inputs move in whole numbers). The unit is then scored again with that one
    change, so the effect on the total — after redistribution, peers and
    vetoes — is exact. Assumes the grade moves one way as an input grows,
    which holds for the rule forms in the seeds.

    Args:
        scheme: the scheme.
        units: all units (peer-relative indicators depend on them).
        unit: the unit to look at.

    Returns:
        One ``WhatIf`` per indicator and input that can reach the next grade,
        in the scheme's order; the smallest change first within an indicator.

    Raises:
        KeyError: no unit of that name.
    """
    expect_scheme(scheme, Scheme, "perfrules.whatif()")
    unit_list = list(units)
    baseline = evaluate(scheme, unit_list)
    current = baseline.unit(unit)
    target_unit = next(u for u in unit_list if u.name == current.unit)
    plan = plan_of(scheme)
    population = population_values(plan.indicators, unit_list).get(target_unit.name, {})
    found: list[WhatIf] = []
    for result in current.indicators:
        if not result.applicable or result.grade is None or result.score is None:
            continue
        ind = scheme.indicator(result.code)
        ind_plan = plan.indicators[plan.index[ind.code]]
        if ind.scale is not None and ind.scale.is_categorical:
            continue
        grades = _grades(scheme, ind)
        if result.grade not in grades or grades.index(result.grade) == 0:
            continue
        wanted = grades[grades.index(result.grade) - 1]
        peer_fields = {f for s in ind.steps if isinstance(s, PeerRatio | Rank) for f in s.reads}
        options: list[WhatIf] = []
        for local in sorted(inputs_of(ind)):
            field = ind.inputs.get(local, local)
            raw = target_unit.data.get(field)
            if isinstance(raw, bool) or not isinstance(raw, int | Decimal | Fraction):
                continue
            option = _search(
                ind_plan, target_unit, population, field, raw, wanted, grades, local in peer_fields, unit_list
            )
            if option is None:
                continue
            needed, score = option
            changed = [
                attrs.evolve(u, data={**u.data, field: exact(needed)}) if u.name == target_unit.name else u
                for u in unit_list
            ]
            after = evaluate(scheme, changed).unit(target_unit.name)
            total_change = None
            if after.total is not None and current.total is not None:
                total_change = exact(as_fraction(after.total) - as_fraction(current.total))
            options.append(
                WhatIf(
                    indicator=ind.code,
                    name=ind.name,
                    grade=result.grade,
                    target=wanted,
                    field=field,
                    current=exact(as_fraction(raw)),
                    needed=exact(needed),
                    change=exact(needed - as_fraction(raw)),
                    score=score,
                    total=after.total,
                    total_change=total_change,
                )
            )
        found.extend(sorted(options, key=lambda w: abs(as_fraction(w.change))))
    return tuple(found)


def _search(
    plan: IndicatorPlan,
    unit: Unit,
    population: dict[tuple[str, str, str | None], Number],
    field: str,
    raw: int | Decimal | Fraction,
    wanted: str,
    grades: list[str],
    peers: bool,
    units: Sequence[Unit],
) -> tuple[Fraction, Number] | None:
    start = as_fraction(raw)
    # Counts (表彰数, 案件数, 人数) move in whole numbers; so does any input
    # given as a whole number, which also keeps scores like 88 → 90 tidy.
    whole = start.denominator == 1
    goal = grades.index(wanted)

    def works(value: Fraction) -> tuple[str, Number] | None:
        probe = _probe(plan, unit, population, field, value, peers, units)
        if probe is None or probe[0] not in grades or grades.index(probe[0]) > goal:
            return None
        return probe

    best: tuple[Fraction, Number] | None = None
    for direction in (1, -1):
        step = Fraction(1) if whole else max(abs(start), Fraction(1)) / 1000
        bad = start
        good: Fraction | None = None
        for _ in range(_MAX_DOUBLINGS):
            trial = start + direction * step
            if works(trial) is not None:
                good = trial
                break
            bad = trial
            step *= 2
        if good is None:
            continue
        for _ in range(_BISECTIONS):
            if whole and abs(good - bad) <= 1:
                break
            middle = (good + bad) / 2
            if whole:
                middle = Fraction(int(middle))
                if middle in (good, bad):
                    break
            if works(middle) is not None:
                good = middle
            else:
                bad = middle
        if not whole:
            good = _tidy_value(good, bad, lambda v: works(v) is not None)
        probe = works(good)
        if probe is None:
            continue
        if best is None or abs(good - start) < abs(best[0] - start):
            best = (good, probe[1])
    return best
