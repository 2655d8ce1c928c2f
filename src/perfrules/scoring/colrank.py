"""Rank steps worked out over a batch's columns: one sort per rank, ties settled exactly.

A rank step (R14, R21: 按GDP增速排名, 第1名加3分 …) gives each unit its place
among the units scored together, or points by that place. Unit by unit,
:mod:`perfrules.scoring.population` sorts the values the units put in and
finds each unit's place by binary search. Over columns the same happens for
the whole batch at once: the values ranked are integers over one denominator
(the ``of`` column, and the exact values of the units read one by one, over
their common denominator), so one NumPy sort orders them exactly — exact ties
are equal integers, values one float apart are not — and a vectorised binary
search gives every unit's span of places. The places come from the rank rule
itself (:func:`~perfrules.scoring.population.rank_spans`, plain arithmetic run on
the arrays), and the points from the rule's own
:func:`~perfrules.scoring.population.rank_value`, run once per distinct span
that can reach a place given points (every other span gets 0).

What a unit puts in is what :func:`~perfrules.scoring.population.observe` takes
from it: units whose cells are plain numbers are read as columns here (the
step's ``of`` and its ``when``, through the indicator's formula steps and parts
graded on one number they depend on, its ``inputs`` mapping and ``分值``, its
full points for each row's category); the others (a cell that is not a plain
number, problems, period rows …) are observed one by one and ranked in the
same sort. A unit the indicator's not-applicable rules leave out enters no rank
(:mod:`perfrules.scoring.colpop` masks it). A value a part graded by words or
several values gives leaves the batch's population values to
:func:`~perfrules.scoring.population.population_values`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import Number, as_fraction, exact
from ..formula.language import Formula
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part, PeerRatio, Rank, step_target
from .colapplies import mapped_reads
from .colconds import compile_condition
from .colfull import full_column, fulls_of
from .colparts import compile_part
from .colsteps import SEND_BACK
from .indicator import IndicatorPlan
from .plan import Plan
from .population import PLACE, UNPLACED, Observation, place_halves, points_reach, rank_spans, rank_value

__all__ = ["RankColumn", "RankStep", "compile_ranks", "numbers_graded", "rank_columns"]


class RankStep:
    """A rank step compiled to read its ``of`` value and ``when`` condition over a batch's columns."""

    def __init__(
        self, ind: IndicatorPlan, step: Rank, compile_node: Any, unsupported: type[Exception]
    ) -> None:
        self.ind = ind
        self.step = step
        wanted = {step.of} | (set(step.when.variables) if step.when is not None else set())
        needed = ind._closure(wanted)
        steps: list[tuple[str, Any]] = []
        reads = wanted - needed
        for s in ind.steps:  # the steps the value and the condition depend on, in order
            target = step_target(s)
            if target not in needed:
                continue
            if isinstance(s, Formula) and not s.population_calls:
                steps.append((target, compile_node(s.tree)))
                reads |= set(s.variables) - needed
            elif isinstance(s, Part) and numbers_graded(s):
                fn, graded = compile_part(s, unsupported)
                steps.append((target, fn))
                reads |= graded - needed
            else:
                raise unsupported(f"indicator {ind.code}'s rank {step.target}: a value not of data columns")
        self.steps = steps
        self.gate = (
            compile_condition(step.when.tree, compile_node, unsupported) if step.when is not None else None
        )
        # 分值 (the full points for each row's category), as the per-unit program's scope gives it.
        self.fulls = fulls_of(ind) if FULL_NAME in reads else None
        # Local names read through the indicator's ``inputs`` mapping: the data columns read.
        self.mapping = dict(ind.ind.inputs)
        self.reads = tuple(sorted(mapped_reads(ind, reads - {FULL_NAME})))

    def values(self, cols: dict[str, Any], n: int) -> tuple[IntColumn, Any]:
        """The ``of`` column and where the step's ``when`` holds (units the columns cannot work out
        are marked in *cols* as the program marks them)."""
        scope = dict(cols)
        for local, field in self.mapping.items():
            if field in cols:
                scope[local] = cols[field]
        if self.fulls is not None:
            scope[FULL_NAME] = full_column(self.fulls, cols, n)
        for target, fn in self.steps:
            scope[target] = fn(scope, n)
        holds = self.gate(scope, n) if self.gate is not None else numpy().ones(n, dtype=bool)
        if SEND_BACK in scope:  # the units the columns cannot work out
            cols[SEND_BACK] = scope[SEND_BACK]
        return scope[self.step.of], holds


def numbers_graded(part: Part) -> bool:
    """Whether a part grades one number by a threshold scale (read from number columns)."""
    scale = part.scale
    return not scale.is_categorical and scale.is_threshold and len(scale.variables) == 1 and not scale.levels


def compile_ranks(plan: Plan, compile_node: Any, unsupported: type[Exception]) -> list[RankStep] | None:
    """Every rank step of the plan compiled over columns; None when one does not compile (then the
    batch's population values are worked out unit by unit). Peer ratios are not among them
    (:mod:`perfrules.scoring.colpeervalues` works those out)."""
    found = []
    try:
        for ind in plan.indicators:
            for step in ind.peer_steps:
                if isinstance(step, PeerRatio):
                    continue
                assert isinstance(step, Rank)
                found.append(RankStep(ind, step, compile_node, unsupported))
    except unsupported:
        return None
    return found


class RankColumn:
    """One rank step's values over a batch: per row its value (present or not), its place (twice
    over, for points steps' explanations) and whether its ``when`` left it unplaced."""

    def __init__(self, code: str, step: Rank, present: Any, num: Any, den: int, halves: Any, unplaced: Any):
        self.code = code
        self.step = step
        self.present = present
        self.num = num
        self.den = den
        self.halves = halves
        self.unplaced = unplaced

    def column(self, rows: Any = None) -> tuple[IntColumn, Any]:
        """The values as a column (at *rows*, -1 for a unit not in the batch; all rows for None)."""
        np = numpy()
        if rows is None:
            num, present = self.num, self.present
        else:
            inside = rows >= 0
            at = np.where(inside, rows, 0)
            num, present = self.num[at], self.present[at] & inside
            num = np.where(present, num, 0)
        bound = int(abs(as_objects(num)).max(initial=0)) if len(num) else 0
        return IntColumn(num, self.den, bound), present

    def entries(self, i: int) -> list[tuple[tuple[str, str, None], Number]]:
        """Row *i*'s entries in its table of population values (as ``resolve`` gives them)."""
        step, key = self.step, self.step.target
        out: list[tuple[tuple[str, str, None], Number]] = []
        if self.present[i]:
            out.append(((self.code, key, None), exact(Fraction(int(self.num[i]), self.den))))
        if self.unplaced[i]:
            out.append(((self.code, key + UNPLACED, None), Decimal(0)))
        elif self.present[i] and step.gives_points:
            out.append(((self.code, key + PLACE, None), exact(Fraction(int(self.halves[i]), 2))))
        return out


def rank_columns(
    rank: RankStep,
    of: IntColumn,
    holds: Any,
    takes: Any,
    categories: Sequence[str | None],
    observed: Sequence[tuple[int, Observation]],
) -> RankColumn:
    """The rank step's values for a batch of *n* units (``len(takes)``).

    Args:
        rank: the compiled step.
        of: its ``of`` column; *holds* where its ``when`` holds.
        takes: the rows whose part is read from the columns (units taking part, applicable, plain).
        categories: each row's category (the groups of ``within = "category"``).
        observed: the other units' parts, ``(row, observation)`` as ``observe`` gives them
            (the year's only).
    """
    np = numpy()
    step = rank.step
    n = len(takes)
    lapse = step.vacated == "lapse"
    at = np.flatnonzero(takes)
    own = [(row, own) for row, (_, _, own) in observed]
    den = math.lcm(of.den, *(as_fraction(o[0]).denominator for _, o in own))  # type: ignore[index]
    factor = den // of.den
    wide = of.num.dtype == object or of.bound * factor >= SAFE
    picked = (as_objects(of.num) if wide else of.num)[at] * factor
    extra = [(v.numerator * (den // v.denominator)) for v in (as_fraction(o[0]) for _, o in own)]  # type: ignore[index]
    if extra and not wide and max(abs(v) for v in extra) >= SAFE:
        wide, picked = True, as_objects(picked)
    values = np.concatenate([picked, np.array(extra, dtype=object if wide else np.int64)])
    rows = np.concatenate([at, np.array([r for r, _ in own], dtype=np.int64)])
    eligible = np.concatenate([holds[at], np.array([bool(o[2]) for _, o in own], dtype=bool)])  # type: ignore[index]
    counted = (
        eligible | lapse
        if not own
        else np.concatenate(
            [holds[at] | lapse, np.array([bool(o[1]) for _, o in own], dtype=bool)]  # type: ignore[index]
        )
    )
    if step.within == "category":
        labels = [categories[r] for r in rows.tolist()]
        groups = [np.array([c == g for c in labels], dtype=bool) for g in dict.fromkeys(labels)]
    else:
        groups = [np.ones(len(rows), dtype=bool)]
    present = np.zeros(n, dtype=bool)
    unplaced = np.zeros(n, dtype=bool)
    halves = np.zeros(n, dtype=np.int64)
    spans: list[tuple[Any, Any, Any, Any]] = []  # per group: rows placed, first, bottom, tied
    for group in groups:
        ordered = np.sort(values[group & counted])
        placed = group & eligible
        v = values[placed]
        left, right = np.searchsorted(ordered, v, "left"), np.searchsorted(ordered, v, "right")
        lower = higher = 0
        if step.ties == "dense":
            distinct = np.unique(ordered)
            lower = np.searchsorted(distinct, v, "left")
            higher = len(distinct) - np.searchsorted(distinct, v, "right")
        first, bottom, tied = rank_spans(step, len(ordered), left, right, lower, higher)
        spans.append((rows[placed], first, bottom, tied))
    out_of = rows[~eligible]
    unplaced[out_of] = True
    if step.gives_points:
        present[out_of] = True  # not placed: no points
    num: Any = np.zeros(n, dtype=np.int64)
    if not step.gives_points:
        for placed_rows, first, _, tied in spans:
            halves[placed_rows] = place_halves(first, tied)
            present[placed_rows] = True
        return RankColumn(rank.ind.code, step, present, halves, 2, halves, unplaced)
    found: dict[int, Fraction] = {}
    top, end = points_reach(step)
    for placed_rows, first, bottom, tied in spans:
        halves[placed_rows] = place_halves(first, tied)
        present[placed_rows] = True
        reach = (first <= top) | (bottom <= end)
        made: dict[tuple[int, int, int], Fraction] = {}
        for r, span in zip(
            placed_rows[reach].tolist(),
            zip(first[reach].tolist(), bottom[reach].tolist(), tied[reach].tolist(), strict=True),
            strict=True,
        ):
            if span not in made:
                made[span] = as_fraction(rank_value(step, *span)[0])
            if made[span]:
                found[r] = made[span]
    common = math.lcm(*(f.denominator for f in found.values())) if found else 1
    top_num = max((abs(f.numerator) * (common // f.denominator) for f in found.values()), default=0)
    if top_num >= SAFE:
        num = np.zeros(n, dtype=object)
    for r, f in found.items():
        num[r] = f.numerator * (common // f.denominator)
    return RankColumn(rank.ind.code, step, present, num, common, halves, unplaced)
