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
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from ._errors import PerfrulesError
from ._formula import PopulationCall
from ._indicator import IndicatorPlan
from ._numbers import Number, as_fraction, exact, to_number
from ._scheme import PeerRatio, Quota, Rank
from ._unit import Unit

__all__ = ["apply_quota", "population_values", "rank_positions"]

PopulationTable = dict[tuple[str, str, str | None], Number]
# Per unit: its population values, {(indicator code, key, period): value}.
PerUnit = dict[str, PopulationTable]

T = TypeVar("T")


def population_values(plans: Sequence[IndicatorPlan], units: Iterable[Unit]) -> PerUnit:
    """Every unit's population values for every indicator that needs them, in one pass over the units.

    The units are read once (they may come from a stream): each contributes
    only the numbers the population steps read, kept as compact rows; the
    tables are worked out once all are in. A unit for which an argument cannot
    be computed (missing data …) takes no part; its own scoring reports the problem.
    """
    needs = [plan for plan in plans if plan.has_population]
    out: PerUnit = {}
    calls: dict[tuple[int, int], dict[str | None, list[tuple[str, str | None, Fraction]]]] = {}
    peers: dict[tuple[int, int], dict[str | None, list[tuple[str, str | None, list[Fraction]]]]] = {}
    for unit in units:
        out[unit.name] = {}
        for p, plan in enumerate(needs):
            for c, call in enumerate(plan.population_calls):
                for _, period, scope in _scopes(plan, (unit,), sorted(call.argument.variables)):
                    try:
                        value = call.argument.evaluate(scope)
                    except PerfrulesError:
                        continue
                    if isinstance(value, bool):
                        continue
                    by_period = calls.setdefault((p, c), {})
                    by_period.setdefault(period, []).append((unit.name, unit.category, as_fraction(value)))
            for k, step in enumerate(plan.peer_steps):
                reads = [step.numerator, step.denominator] if isinstance(step, PeerRatio) else [step.of]
                for _, period, scope in _scopes(plan, (unit,), reads):
                    try:
                        got = [as_fraction(to_number(scope[name], name=name)) for name in reads]
                    except (PerfrulesError, KeyError):
                        continue
                    by_period_peer = peers.setdefault((p, k), {})
                    by_period_peer.setdefault(period, []).append((unit.name, unit.category, got))
    for (p, c), by_period in calls.items():
        plan, call = needs[p], needs[p].population_calls[c]
        for period, rows in by_period.items():
            for name, result in _reduce(call, rows, plan.ind.within).items():
                out[name][(plan.code, call.key, period)] = result
    for (p, k), by_period_peer in peers.items():
        plan, step = needs[p], needs[p].peer_steps[k]
        for period, rows_peer in by_period_peer.items():
            for name, result in _peer(step, rows_peer).items():
                out[name][(plan.code, step.target, period)] = result
    return out


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


def _groups(rows: Sequence[tuple[str, str | None, T]], within: str) -> dict[str | None, list[tuple[str, T]]]:
    groups: dict[str | None, list[tuple[str, T]]] = {}
    for name, category, value in rows:
        groups.setdefault(category if within == "category" else None, []).append((name, value))
    return groups


def _reduce(
    call: PopulationCall, rows: Sequence[tuple[str, str | None, Fraction]], within: str
) -> dict[str, Number]:
    out: dict[str, Number] = {}
    for members in _groups(rows, within).values():
        values = [v for _, v in members]
        func = call.function
        if func == "max_of":
            result = max(values)
        elif func == "min_of":
            result = min(values)
        elif func == "sum_of":
            result = sum(values, Fraction(0))
        elif func == "count_of":
            result = Fraction(len(values))
        else:
            result = sum(values, Fraction(0)) / len(values)
        shown = exact(result)
        for name, _ in members:
            out[name] = shown
    return out


def _peer(
    step: PeerRatio | Rank, rows: Sequence[tuple[str, str | None, list[Fraction]]]
) -> dict[str, Number]:
    out: dict[str, Number] = {}
    for members in _groups(rows, step.within).values():
        if isinstance(step, PeerRatio):
            if step.pooled:
                total_den = sum((v[1] for _, v in members), Fraction(0))
                if total_den == 0:
                    continue
                peer = sum((v[0] for _, v in members), Fraction(0)) / total_den
            else:
                ratios = [v[0] / v[1] for _, v in members if v[1] != 0]
                if not ratios:
                    continue
                peer = sum(ratios, Fraction(0)) / len(ratios)
            for name, (a, b) in ((n, (v[0], v[1])) for n, v in members):
                if b != 0 and peer != 0:
                    out[name] = exact((a / b) / peer)
            continue
        values = [(name, v[0]) for name, v in members]
        better = rank_positions([v for _, v in values], descending=step.order == "desc")
        if not step.gives_points:
            for (name, _), place in zip(values, better, strict=True):
                out[name] = Decimal(place)
            continue
        worse = rank_positions([v for _, v in values], descending=step.order != "desc")
        for (name, _), top, bottom in zip(values, better, worse, strict=True):
            points = as_fraction(step.points.get(top, 0)) + as_fraction(step.bottom_points.get(bottom, 0))
            out[name] = exact(points)
    return out


def rank_positions(values: Sequence[Fraction | Number], *, descending: bool = True) -> list[int]:
    """Each value's rank, 1 for the best; ties share the better rank (1, 2, 2, 4).

    One sort and a binary search per value: O(N log N).

    >>> rank_positions([90, 95, 90, 80])
    [2, 1, 2, 4]
    """
    keys = [as_fraction(v) for v in values]
    ordered = sorted(keys)
    n = len(ordered)
    if descending:
        # rank = 1 + how many are strictly larger
        return [n - bisect.bisect_right(ordered, k) + 1 for k in keys]
    return [bisect.bisect_left(ordered, k) + 1 for k in keys]


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
