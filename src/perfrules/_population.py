"""Whole-population steps, computed once per batch: peer values, ranks, quotas.

Values over all the units scored together — ``max_of`` and the other
population functions (R20), peer ratios (R13), ranks and points by rank
(R14, R21) — are worked out in one pass over the units before any unit is
scored, from sorted or summed tables (O(N log N)), never by scanning the
population once per unit. After scoring, the ranks of the totals and the
grade quotas (R22) are applied to the batch the same way.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar, cast

from ._errors import PerfrulesError
from ._formula import PopulationCall
from ._indicator import IndicatorPlan
from ._numbers import Number, as_fraction, exact, to_number
from ._scheme import PeerRatio, Quota, Rank
from ._unit import Unit

__all__ = [
    "apply_quota",
    "merge_summaries",
    "observe",
    "population_values",
    "rank_positions",
    "resolve",
    "summarize",
]

PopulationTable = dict[tuple[str, str, str | None], Number]
# Per unit: its population values, {(indicator code, key, period): value}.
PerUnit = dict[str, PopulationTable]
# Where a unit's value is pooled: (kind, indicator code, key, period, group).
# kind is "call" (max_of …), "pooled" or "ratios" (peer ratios) or "rank";
# group is the unit's category for ``within="category"``, else None.
Slot = tuple[str, str, str, str | None, str | None]
# One unit's part in a slot: (unit name, slot, its own value): a Fraction, or
# (numerator, denominator) for peer ratios.
Observation = tuple[str, Slot, object]
# Mergeable partial aggregates, per slot: (max, min, sum, count) for "call",
# (Σnumerator, Σdenominator) for "pooled", (Σratio, count) for "ratios", and
# the sorted values for "rank".
Summary = dict[Slot, object]

T = TypeVar("T")

PLACE = "·名次"
"""Suffix of the key under which a points-by-rank step's place is kept (for explanations)."""
_FZERO = Fraction(0)


def population_values(plans: Sequence[IndicatorPlan], units: Iterable[Unit]) -> PerUnit:
    """Every unit's population values for every indicator that needs them, in one pass over the units.

    A unit for which an argument cannot be computed (missing data …) takes no
    part; its own scoring reports the problem. This is :func:`observe`,
    :func:`summarize` and :func:`resolve` in one process; the Dask path runs
    the same three steps with the summaries of its partitions merged by
    :func:`merge_summaries`.
    """
    names: list[str] = []

    def noted(units: Iterable[Unit]) -> Iterable[Unit]:
        for unit in units:
            names.append(unit.name)
            yield unit

    observations = observe(plans, noted(units))
    return resolve(plans, summarize(observations), observations, names)


def observe(plans: Sequence[IndicatorPlan], units: Iterable[Unit]) -> list[Observation]:
    """What each unit puts into the population steps: its slot and its own value.

    One pass over the units (they may come from a stream): each contributes
    only the numbers the population steps read.
    """
    needs = [plan for plan in plans if plan.has_population]
    out: list[Observation] = []
    for unit in units:
        one = (unit,)
        for plan in needs:
            for call in plan.population_calls:
                for _, period, scope in _scopes(plan, one, sorted(call.argument.variables)):
                    try:
                        value = call.argument.evaluate(scope)
                        if isinstance(value, bool):
                            continue
                    except PerfrulesError:
                        continue
                    group = unit.category if plan.ind.within == "category" else None
                    out.append((unit.name, ("call", plan.code, call.key, period, group), as_fraction(value)))
            for step in plan.peer_steps:
                reads = [step.numerator, step.denominator] if isinstance(step, PeerRatio) else [step.of]
                kind = ("pooled" if step.pooled else "ratios") if isinstance(step, PeerRatio) else "rank"
                for _, period, scope in _scopes(plan, one, reads):
                    try:
                        got = [as_fraction(to_number(scope[name], name=name)) for name in reads]
                    except (PerfrulesError, KeyError):
                        continue
                    group = unit.category if step.within == "category" else None
                    own: object = (got[0], got[1]) if kind != "rank" else got[0]
                    out.append((unit.name, (kind, plan.code, step.target, period, group), own))
    return out


def summarize(observations: Iterable[Observation]) -> Summary:
    """The partial aggregates of some units' observations (exact; merged by :func:`merge_summaries`)."""
    gathered: dict[Slot, list[object]] = {}
    for _, slot, own in observations:
        gathered.setdefault(slot, []).append(own)
    summary: Summary = {}
    for slot, owns in gathered.items():
        kind = slot[0]
        if kind == "call":
            values = cast("list[Fraction]", owns)
            summary[slot] = (max(values), min(values), sum(values, _FZERO), len(values))
        elif kind == "pooled":
            pairs = cast("list[tuple[Fraction, Fraction]]", owns)
            summary[slot] = (sum((a for a, _ in pairs), _FZERO), sum((b for _, b in pairs), _FZERO))
        elif kind == "ratios":
            pairs = cast("list[tuple[Fraction, Fraction]]", owns)
            ratios = [a / b for a, b in pairs if b != 0]
            summary[slot] = (sum(ratios, _FZERO), len(ratios))
        else:
            summary[slot] = tuple(sorted(cast("list[Fraction]", owns)))
    return summary


def merge_summaries(first: Summary, second: Summary) -> Summary:
    """Two partial summaries as one, exactly as if their units had been summarized together."""
    merged: Summary = dict(first)
    for slot, theirs in second.items():
        ours = merged.get(slot)
        if ours is None:
            merged[slot] = theirs
            continue
        kind = slot[0]
        if kind == "call":
            a = cast("tuple[Fraction, Fraction, Fraction, int]", ours)
            b = cast("tuple[Fraction, Fraction, Fraction, int]", theirs)
            merged[slot] = (max(a[0], b[0]), min(a[1], b[1]), a[2] + b[2], a[3] + b[3])
        elif kind in ("pooled", "ratios"):
            c = cast("tuple[Fraction, Any]", ours)
            d = cast("tuple[Fraction, Any]", theirs)
            merged[slot] = (c[0] + d[0], c[1] + d[1])
        else:
            ordered = cast("tuple[Fraction, ...]", ours), cast("tuple[Fraction, ...]", theirs)
            merged[slot] = tuple(heapq.merge(*ordered))
    return merged


def resolve(
    plans: Sequence[IndicatorPlan],
    summary: Summary,
    observations: Iterable[Observation],
    names: Iterable[str],
) -> PerUnit:
    """Each unit's population values from the whole population's summary and its own observations.

    Args:
        plans: the scheme's indicator plans.
        summary: the summary of every unit scored together.
        observations: the observations of the units wanted (a part of the population is fine).
        names: the units wanted; each gets an entry, empty when it has no values.

    Returns:
        Per unit, ``{(indicator code, key, period): value}``.
    """
    out: PerUnit = {name: {} for name in names}
    steps: dict[tuple[str, str], PopulationCall | PeerRatio | Rank] = {}
    for plan in plans:
        for call in plan.population_calls:
            steps[(plan.code, call.key)] = call
        for peer_step in plan.peer_steps:
            steps[(plan.code, peer_step.target)] = peer_step
    shared: dict[Slot, Number | Fraction | None] = {}
    for name, slot, own in observations:
        kind, code, key, period, _ = slot
        step = steps[(code, key)]
        if slot not in shared:
            shared[slot] = _shared(kind, step, summary[slot])
        peer = shared[slot]
        if kind == "call":
            assert peer is not None
            out[name][(code, key, period)] = peer
        elif kind in ("pooled", "ratios"):
            a, b = cast("tuple[Fraction, Fraction]", own)
            if peer is not None and b != 0 and peer != 0:
                out[name][(code, key, period)] = exact((a / b) / as_fraction(peer))
        else:
            assert isinstance(step, Rank)
            ordered = cast("tuple[Fraction, ...]", summary[slot])
            value, place = _rank_value(step, ordered, cast("Fraction", own))
            out[name][(code, key, period)] = value
            if step.gives_points:
                # The place the points were given for, for explanations.
                out[name][(code, key + PLACE, period)] = Decimal(place)
    return out


def _shared(
    kind: str, step: PopulationCall | PeerRatio | Rank, aggregate: object
) -> Number | Fraction | None:
    """The value a slot's units share: the function's result, or the peers' ratio."""
    if kind == "call":
        assert isinstance(step, PopulationCall)
        high, low, total, count = cast("tuple[Fraction, Fraction, Fraction, int]", aggregate)
        func = step.function
        if func == "max_of":
            result = high
        elif func == "min_of":
            result = low
        elif func == "sum_of":
            result = total
        elif func == "count_of":
            result = Fraction(count)
        else:
            result = total / count
        return exact(result)
    if kind == "pooled":
        numerators, denominators = cast("tuple[Fraction, Fraction]", aggregate)
        return None if denominators == 0 else numerators / denominators
    if kind == "ratios":
        ratios, count = cast("tuple[Fraction, int]", aggregate)
        return None if count == 0 else ratios / count
    return None


def _rank_value(step: Rank, ordered: Sequence[Fraction], value: Fraction) -> tuple[Number, int]:
    """A unit's rank (or points by rank) among its peers' sorted values (its own included), and its place."""
    n = len(ordered)
    high = n - bisect.bisect_right(ordered, value) + 1  # 1 + how many are strictly larger
    low = bisect.bisect_left(ordered, value) + 1  # 1 + how many are strictly smaller
    better, worse = (high, low) if step.order == "desc" else (low, high)
    if not step.gives_points:
        return Decimal(better), better
    points = exact(as_fraction(step.points.get(better, 0)) + as_fraction(step.bottom_points.get(worse, 0)))
    return points, better


def _scopes(
    plan: IndicatorPlan, units: Sequence[Unit], names: Sequence[str]
) -> Iterable[tuple[Unit, str | None, Mapping[str, object]]]:
    for unit in units:
        try:
            if plan.applicability(unit) is not None:
                continue
            runs = plan.runs(unit)
        except PerfrulesError:
            continue
        for period, env in runs:
            try:
                scope = plan.prerequisites(names, env, unit)
            except PerfrulesError:
                continue
            yield unit, period, scope


def rank_positions(values: Sequence[Fraction | Number], *, descending: bool = True) -> list[int]:
    """Each value's rank, 1 for the best; ties share the better rank (1, 2, 2, 4).

    One sort and a binary search per value: O(N log N).

    >>> rank_positions([90, 95, 90, 80])
    [2, 1, 2, 4]
    """
    # Sorted on a float key, with equal floats settled by comparing the exact
    # values (a < b implies float(a) <= float(b)): exact ties share a rank,
    # values one float apart do not, and most comparisons are of floats.
    keys = list(values)
    order = sorted(((float(k), k, i) for i, k in enumerate(keys)), reverse=descending)
    ranks = [0] * len(keys)
    previous_float: float | None = None
    previous: Fraction | Number | None = None
    rank = 0
    for position, (approx, key, i) in enumerate(order, start=1):
        if approx != previous_float or key != previous:
            rank, previous_float, previous = position, approx, key
        ranks[i] = rank
    return ranks


def quota_limit(quota: Quota, population: int) -> int:
    """How many units may hold the quota's grade among *population* units."""
    if quota.count is not None:
        return quota.count
    assert quota.share is not None
    exact_limit = as_fraction(quota.share) * population
    if quota.rounding == "ceil":
        return math.ceil(exact_limit)
    if quota.rounding == "round":
        return int(exact_limit + Fraction(1, 2))  # 四舍五入: halves go up
    return math.floor(exact_limit)


def apply_quota(
    quota: Quota,
    members: Sequence[T],
    grade_of: Callable[[T], str | None],
    total_of: Callable[[T], Number],
) -> tuple[list[T], bool]:
    """The members that must give up the quota's grade, and whether a tie exceeded the limit.

    *members* are the units scored together (one category's, with
    ``within="category"``); those holding the grade keep it best total
    first, up to the limit. When the limit falls inside a tie, ``ties``
    decides: ``exclude`` moves every tied unit down (the limit holds),
    ``include`` keeps them all (the limit is exceeded, and the caller says so).
    """
    limit = quota_limit(quota, len(members))
    holders = sorted(
        (m for m in members if grade_of(m) == quota.grade), key=lambda m: -as_fraction(total_of(m))
    )
    if len(holders) <= limit:
        return [], False
    edge = as_fraction(total_of(holders[limit]))
    if limit > 0 and as_fraction(total_of(holders[limit - 1])) == edge:
        if quota.ties == "include":
            return [m for m in holders if as_fraction(total_of(m)) < edge], True
        return [m for m in holders if as_fraction(total_of(m)) <= edge], False
    return holders[limit:], False
