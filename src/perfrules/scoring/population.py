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

from .._errors import PerfrulesError
from .._numbers import Number, as_fraction, exact, to_number
from ..formula.language import PopulationCall, normalize_name
from ..scheme.model import Scheme, with_parameters
from ..scheme.overall import Quota
from ..scheme.steps import PeerRatio, Rank
from ..scheme.units import Unit
from .indicator import IndicatorPlan

__all__ = [
    "apply_quota",
    "fraction_sum",
    "merge_summaries",
    "nearest_float",
    "observe",
    "place_halves",
    "points_reach",
    "population_values",
    "rank_positions",
    "rank_spans",
    "rank_value",
    "ranked_by_floats",
    "ranks_by_floats",
    "resolve",
    "summarize",
    "takes_part",
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
UNPLACED = "·未排名"
"""Suffix of the key that marks a unit a rank step's ``when`` leaves unplaced."""
_FZERO = Fraction(0)


def population_values(plans: Sequence[IndicatorPlan], units: Iterable[Unit]) -> PerUnit:
    """Every unit's population values for every indicator that needs them, in one pass over the units.

    Only units that are scored take part (see :func:`takes_part`); a unit for
    which one argument cannot be computed (missing data …) takes no part in
    that step, and its own scoring reports the problem. This is :func:`observe`,
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
    only the numbers the population steps read. A unit that is not scored
    contributes nothing (see :func:`takes_part`).
    """
    needs = [plan for plan in plans if plan.has_population]
    out: list[Observation] = []
    if not needs:
        return out
    part = _participation(needs[0].scheme)
    scheme = needs[0].scheme
    for given in units:
        if not part(given):
            continue
        unit = with_parameters(scheme, given)  # the scheme's per-unit constants, read like data
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
                gate = step.when if isinstance(step, Rank) else None
                wanted = reads if gate is None else [*reads, *sorted(gate.variables - set(reads))]
                for _, period, scope in _scopes(plan, one, wanted):
                    try:
                        got = [as_fraction(to_number(scope[name], name=name)) for name in reads]
                        eligible = gate is None or gate.evaluate(scope) is True
                    except (PerfrulesError, KeyError):
                        continue
                    group = unit.category if step.within == "category" else None
                    # A rank's own part: (value, whether it takes a place, whether it may be placed).
                    own: object = (
                        (got[0], eligible or step.vacated == "lapse", eligible)
                        if isinstance(step, Rank)
                        else (got[0], got[1])
                    )
                    out.append((unit.name, (kind, plan.code, step.target, period, group), own))
    return out


def takes_part(scheme: Scheme, unit: Unit) -> bool:
    """Whether *unit* enters the population steps of *scheme*: only a unit that can be scored does.

    A unit whose data could not be read (``Unit.problems``: an unreadable
    cell, two rows without a period, a period given twice …), whose category
    is not one of the scheme's, or that lists an indicator the scheme does
    not have as not applicable is reported as not scored, and takes part in
    no ``max_of`` …, peer ratio, rank or quota: the other units' numbers are
    those they would be without it. Every path (``evaluate``, the command
    line, ``--jobs``, Dask) applies this one rule.

    >>> from perfrules import Unit, load
    >>> xiamen = load("xiamen-xiangan-2020")
    >>> takes_part(xiamen, Unit(name="甲")), takes_part(xiamen, Unit(name="乙", not_applicable=["99"]))
    (True, False)
    """
    return _participation(scheme)(unit)


def _participation(scheme: Scheme) -> Callable[[Unit], bool]:
    categories = frozenset(scheme.categories)
    known = {ind.code for ind in scheme.indicators()} | {normalize_name(i.name) for i in scheme.indicators()}

    def part(unit: Unit) -> bool:
        if unit.problems:
            return False
        if categories and unit.category not in categories:
            return False
        return unit.not_applicable <= known

    return part


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
            summary[slot] = (max(values), min(values), fraction_sum(values), len(values))
        elif kind == "pooled":
            pairs = cast("list[tuple[Fraction, Fraction]]", owns)
            summary[slot] = (fraction_sum([a for a, _ in pairs]), fraction_sum([b for _, b in pairs]))
        elif kind == "ratios":
            pairs = cast("list[tuple[Fraction, Fraction]]", owns)
            ratios = [a / b for a, b in pairs if b != 0]
            summary[slot] = (sum(ratios, _FZERO), len(ratios))
        else:
            ranked = cast("list[tuple[Fraction, bool, bool]]", owns)
            summary[slot] = tuple(sorted(value for value, counted, _ in ranked if counted))
    return summary


def fraction_sum(values: Sequence[Fraction]) -> Fraction:
    """The exact sum of *values*: the numerators over each denominator added as integers first
    (a column's values share few denominators), then those few sums added as fractions.

    >>> fraction_sum([Fraction(1, 2), Fraction(3, 2), Fraction(1, 3)]), fraction_sum([])
    (Fraction(7, 3), Fraction(0, 1))
    """
    by_den: dict[int, int] = {}
    for v in values:
        d = v.denominator
        by_den[d] = by_den.get(d, 0) + v.numerator
    return sum((Fraction(n, d) for d, n in by_den.items()), _FZERO)


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
    distinct: dict[Slot, tuple[Fraction, ...]] = {}
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
                p = as_fraction(peer)
                # (a / b) / p, made in one step (one reduction, not three).
                top = a.numerator * b.denominator * p.denominator
                ratio = Fraction(top, a.denominator * b.numerator * p.numerator)
                out[name][(code, key, period)] = exact(ratio)
        else:
            assert isinstance(step, Rank)
            ordered = cast("tuple[Fraction, ...]", summary[slot])
            mine, _, eligible = cast("tuple[Fraction, bool, bool]", own)
            if not eligible:
                # Not placed: no points; a plain rank has no value (the marker says why).
                if step.gives_points:
                    out[name][(code, key, period)] = Decimal(0)
                out[name][(code, key + UNPLACED, period)] = Decimal(0)
                continue
            if step.ties == "dense" and slot not in distinct:
                distinct[slot] = tuple(dict.fromkeys(ordered))
            value, place = _rank_value(step, ordered, mine, distinct.get(slot, ()))
            out[name][(code, key, period)] = value
            if step.gives_points:
                # The place the points were given for, for explanations.
                out[name][(code, key + PLACE, period)] = exact(place)
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


def _rank_value(
    step: Rank, ordered: Sequence[Fraction], value: Fraction, distinct: Sequence[Fraction]
) -> tuple[Number, Fraction]:
    """A unit's rank (or points by rank) among its peers' sorted values (its own included), and its place."""
    n = len(ordered)
    left, right = bisect.bisect_left(ordered, value), bisect.bisect_right(ordered, value)
    lower = higher = 0
    if step.ties == "dense":
        higher = len(distinct) - bisect.bisect_right(distinct, value)
        lower = bisect.bisect_left(distinct, value)
    return rank_value(step, *rank_spans(step, n, left, right, lower, higher))


def rank_spans(step: Rank, n: Any, left: Any, right: Any, lower: Any, higher: Any) -> tuple[Any, Any, Any]:
    """The places a unit's value spans among *n* sorted values: (first from the top, first from the
    bottom, how many tied), the rank rule of :class:`~perfrules.scheme.steps.Rank`.

    *left* and *right* are how many values are below the unit's and at most the unit's; *lower* and
    *higher* how many distinct values are below and above it (read with ``ties = "dense"``). Tied
    units span places ``first … first + tied − 1`` from the top (and likewise from the bottom):
    ``min`` takes the first, ``average`` their mean (and the mean of their points), ``dense`` the
    place among distinct values. Plain arithmetic: the arguments are integers, or NumPy integer
    arrays for a whole batch at once (:mod:`perfrules.scoring.colrank`).

    >>> from perfrules.scheme.steps import Rank
    >>> rank_spans(Rank(target="名次", of="x", ties="average"), 5, 1, 3, 1, 2)  # 2nd and 3rd of 5, tied
    (3, 2, 2)
    """
    tied = right - left
    if step.order == "desc":
        first, bottom = n - right + 1, left + 1  # 1 + how many are strictly better / worse
    else:
        first, bottom = left + 1, n - right + 1
    if step.ties == "dense":
        first, bottom = (higher + 1, lower + 1) if step.order == "desc" else (lower + 1, higher + 1)
        tied = tied * 0 + 1
    elif step.ties == "min":
        tied = tied * 0 + 1
    return first, bottom, tied


def place_halves(first: Any, tied: Any) -> Any:
    """Twice the place of a unit spanning places ``first … first + tied − 1`` (their mean; integers
    or NumPy integer arrays)."""
    return 2 * first + tied - 1


def points_reach(step: Rank) -> tuple[int, int]:
    """The last places that give points, from the top and from the bottom: a unit whose span starts
    past both gets 0 (:func:`rank_value` gives no other)."""
    return max(step.points, default=0), max(step.bottom_points, default=0)


def rank_value(step: Rank, first: int, bottom: int, tied: int) -> tuple[Number, Fraction]:
    """A unit's rank, or its points by rank, and its place, from the places it spans (:func:`rank_spans`).

    >>> from perfrules.scheme.steps import Rank
    >>> rank_value(Rank(target="加分", of="x", points={1: 3, 2: 2}, ties="average"), 1, 4, 2)
    (Decimal('2.5'), Fraction(3, 2))
    """
    place = Fraction(place_halves(first, tied), 2)
    if not step.gives_points:
        return exact(place), place
    top = sum((as_fraction(step.points.get(p, 0)) for p in range(first, first + tied)), _FZERO)
    end = sum((as_fraction(step.bottom_points.get(p, 0)) for p in range(bottom, bottom + tied)), _FZERO)
    return exact((top + end) / tied), place


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


def nearest_float(num: int, den: int) -> float:
    """The float nearest to ``num / den`` (den > 0): Python divides integers correctly rounded;
    past every float, the sign's infinity, which keeps the order."""
    try:
        return num / den
    except OverflowError:
        return math.inf if num > 0 else -math.inf


def _approx(value: Fraction | Number) -> float:
    """The nearest float (a Fraction's by one integer division, as ``float()`` does, without its dispatch)."""
    if type(value) is Fraction:
        return nearest_float(value.numerator, value.denominator)
    return float(value)


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
    if len(keys) >= _AT_ONCE:
        return _ranks_at_once(keys, descending)
    order = sorted(((_approx(k), k, i) for i, k in enumerate(keys)), reverse=descending)
    ranks = [0] * len(keys)
    previous_float: float | None = None
    previous: Fraction | Number | None = None
    rank = 0
    for position, (approx, key, i) in enumerate(order, start=1):
        if approx != previous_float or key != previous:
            rank, previous_float, previous = position, approx, key
        ranks[i] = rank
    return ranks


# From this many values, ranks are worked out by NumPy (one sort of the floats; runs of equal
# floats settled by the exact values in Python).
_AT_ONCE = 64


def _ranks_at_once(keys: list[Fraction | Number], descending: bool) -> list[int]:
    """:func:`rank_positions` by one NumPy sort of the values' floats."""
    from .._intcols import numpy

    approx = numpy().fromiter(map(_approx, keys), dtype=numpy().float64, count=len(keys))
    return ranks_by_floats(approx, keys.__getitem__, descending).tolist()  # type: ignore[no-any-return]


def ranks_by_floats(approx: Any, value_at: Callable[[int], Any], descending: bool = True) -> Any:
    """The ranks of :func:`ranked_by_floats` (an int64 array)."""
    return ranked_by_floats(approx, value_at, descending)[0]


def ranked_by_floats(approx: Any, value_at: Callable[[int], Any], descending: bool = True) -> tuple[Any, Any]:
    """Ranks (1 for the best; ties share the better rank) of values given by their nearest floats.

    *approx* is a NumPy float array with ``approx[i]`` the float nearest to value
    ``i`` (correctly rounded, so ``a < b`` implies ``approx[a] <= approx[b]``);
    *value_at(i)* gives the exact value, read only for runs of equal floats,
    which are settled by the exact values: exact ties share a rank and values
    one float apart do not. One NumPy sort; returns the ranks (int64) and the
    values in ranking order (values that share a rank in their order here).
    """
    from .._intcols import numpy

    np = numpy()
    n = len(approx)
    order = np.argsort(-approx if descending else approx, kind="stable")
    ordered = approx[order]
    new = np.ones(n, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n)
    runs = ends - starts > 1
    for start, end in zip(starts[runs].tolist(), ends[runs].tolist(), strict=True):
        # Equal floats: in the order of their exact values, a new rank where the value changes.
        members = order[start:end].tolist()
        values = {m: value_at(m) for m in members}
        first = values[members[0]]
        if all(values[m] == first for m in members):
            continue
        members.sort(key=values.__getitem__, reverse=descending)
        order[start:end] = members
        for t in range(1, len(members)):
            new[start + t] = values[members[t]] != values[members[t - 1]]
    rank_sorted = np.maximum.accumulate(np.where(new, np.arange(1, n + 1), 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = rank_sorted
    return ranks, order


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
