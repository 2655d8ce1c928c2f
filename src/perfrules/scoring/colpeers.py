"""Peer-ratio observations of a batch read off its columns: each unit's numerator and denominator at once.

A scheme's peer ratios (R13) are worked out from what every unit scored
together puts in (:func:`perfrules.scoring.population.observe`): per step,
the unit's numerator and denominator, under its slot. Where a peer ratio
reads two data columns as they stand — no step computes them, no
``inputs`` mapping renames them, no not-applicable rule, per-unit constant
or history value can stand in for them, no population function nor rank
beside it — a unit's part is the two cells of its year row, or none when
one is empty. :func:`observe_columns` gives those parts for a batch from
its parsed columns; a unit whose cells are neither plain numbers nor
empty, or whose periods report the indicator, is left to
:func:`~perfrules.scoring.population.observe` (the caller reads it as a
``Unit``). The observations are the ones ``observe`` gives, unit for unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._intcols import IntColumn, numpy
from ..formula.language import normalize_name
from ..scheme.reads import FULL_NAME
from ..scheme.steps import PeerRatio, step_target
from .plan import Plan
from .population import Observation

__all__ = ["observe_columns", "peer_reads"]

# Per unit: its periods' values by label, or None (see colperiods.PeriodData).
_Periods = Sequence[Mapping[str, Mapping[str, object]] | None]


def peer_reads(plan: Plan, text: frozenset[str] | set[str] = frozenset()) -> list[str] | None:
    """The data columns the scheme's population steps read, where :func:`observe_columns` can
    observe them (None: it cannot; *text*: the columns read as words)."""
    scheme = plan.scheme
    if scheme.parameters or scheme.history or scheme.previous is not None:
        return None
    reads: dict[str, None] = {}
    for ind in plan.indicators:
        if not ind.has_population:
            continue
        if ind.population_calls or ind.ind.inputs or ind.not_applicable:
            return None
        targets = {step_target(step) for step in ind.steps}
        for step in ind.peer_steps:
            if not isinstance(step, PeerRatio):
                return None
            for name in (step.numerator, step.denominator):
                if name == FULL_NAME or name in targets or name in text:
                    return None
                reads[name] = None
    return list(reads)


def observe_columns(
    plan: Plan,
    names: Sequence[str],
    categories: Sequence[str | None],
    columns: Mapping[str, tuple[IntColumn, Any, Any]],
    declared: Sequence[frozenset[str]] | None,
    periods: _Periods | None,
) -> tuple[list[Observation], list[int]]:
    """The units' parts in the peer ratios, read off their columns; and the units left to ``observe``.

    Args:
        plan: the scheme's plan (:func:`peer_reads` gave a list for it).
        names: the units' names.
        categories: their categories.
        columns: per column :func:`peer_reads` names, its parsed year cells, which are plain
            numbers and which are empty (a column the file lacks: absent).
        declared: per unit, the indicators it declares not applicable (None: none does).
        periods: per unit, its periods where it has some (see ``colperiods.PeriodData``).

    Returns:
        The observations, unit after unit in the batch's order; and the positions of the units
        whose part the columns do not give (a cell neither plain nor empty, periods that report
        the indicator), each of which ``observe`` is to be given.
    """
    np = numpy()
    n = len(names)
    scheme = plan.scheme
    known_categories = frozenset(scheme.categories)
    known = {ind.code for ind in scheme.indicators()} | {normalize_name(i.name) for i in scheme.indicators()}
    # Who takes part at all (takes_part: the caller gives units without problems).
    takes = np.ones(n, dtype=bool)
    if known_categories:
        takes &= np.fromiter((c in known_categories for c in categories), dtype=bool, count=n)
    if declared is not None:
        takes &= np.fromiter((d <= known for d in declared), dtype=bool, count=n)
    rest = np.zeros(n, dtype=bool)
    parts: list[tuple[str, str, str, Any, IntColumn | None, IntColumn | None, bool]] = []
    for ind in plan.indicators:
        if not ind.has_population:
            continue
        applies = takes.copy()
        if ind.ind.applies_to is not None:
            members = ind.ind.applies_to
            applies &= np.fromiter((name in members for name in names), dtype=bool, count=n)
        if declared is not None:
            own = {ind.code, normalize_name(ind.ind.name)}
            applies &= np.fromiter((not (own & d) for d in declared), dtype=bool, count=n)
        if ind.periodic and periods is not None:
            fields = ind.fields
            reported = np.fromiter(
                (p is not None and any(fields & v.keys() for v in p.values()) for p in periods),
                dtype=bool,
                count=n,
            )
            rest |= applies & reported
        for step in ind.peer_steps:
            assert isinstance(step, PeerRatio)
            kind = "pooled" if step.pooled else "ratios"
            given = applies.copy()
            cols: list[IntColumn | None] = []
            for name in (step.numerator, step.denominator):
                column = columns.get(name)
                if column is None:  # no such column: no unit has the value
                    given[:] = False
                    cols.append(None)
                    continue
                col, plain, empty = column
                rest |= applies & ~(plain | empty)
                given &= plain
                cols.append(col)
            group = step.within == "category"
            parts.append((kind, ind.code, step.target, given, cols[0], cols[1], group))
    keep = ~rest
    found: list[tuple[int, int, Observation]] = []
    for order, (kind, code, target, given, top, bottom, group) in enumerate(parts):
        rows = np.flatnonzero(given & keep).tolist()
        if not rows or top is None or bottom is None:
            continue
        a = _fractions(top.num[rows].tolist(), top.den)
        b = _fractions(bottom.num[rows].tolist(), bottom.den)
        for i, x, y in zip(rows, a, b, strict=True):
            slot = (kind, code, target, None, categories[i] if group else None)
            found.append((i, order, (names[i], slot, (x, y))))
    found.sort(key=lambda item: (item[0], item[1]))  # unit after unit, each in the steps' order
    return [o for _, _, o in found], np.flatnonzero(rest).tolist()


def _fractions(numerators: list[int], den: int) -> list[Fraction]:
    """Each numerator over *den* as a Fraction (whole numbers made without a gcd)."""
    if den == 1:
        return list(map(Fraction, numerators))
    return [Fraction(x, den) for x in numerators]
