"""Peer-ratio observations of a batch read off its columns: each unit's numerator and denominator at once.

A scheme's peer ratios (R13) are worked out from what every unit scored
together puts in (:func:`perfrules.scoring.population.observe`): per step,
the unit's numerator and denominator, under its slot. Where a peer ratio
reads two data columns as they stand — no step computes them, no
``inputs`` mapping renames them, no not-applicable rule, per-unit constant
or history value can stand in for them, no population function nor rank
beside it (a rank where the caller ranks over columns: ``peer_reads(ranks=True)``)
— a unit's part is the two cells of its year row, or none when
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

__all__ = ["PeerBlock", "block_observations", "observe_columns", "peer_blocks", "peer_reads"]

# Per unit: its periods' values by label, or None (see colperiods.PeriodData).
_Periods = Sequence[Mapping[str, Mapping[str, object]] | None]


def peer_reads(
    plan: Plan, text: frozenset[str] | set[str] = frozenset(), *, ranks: bool = False
) -> list[str] | None:
    """The data columns the scheme's population steps read, where :func:`observe_columns` can
    observe them (None: it cannot; *text*: the columns read as words). With *ranks*, rank steps
    are left to the caller (ranks over columns: :mod:`perfrules.scoring.colrank`): the peer
    ratios' columns are those read."""
    scheme = plan.scheme
    if scheme.parameters or scheme.history or scheme.previous is not None:
        return None
    reads: dict[str, None] = {}
    for ind in plan.indicators:
        if not ind.has_population:
            continue
        if ranks and not ind.population_calls and not any(isinstance(s, PeerRatio) for s in ind.peer_steps):
            continue  # ranks only: the caller's
        if ind.population_calls or ind.ind.inputs or ind.not_applicable:
            return None
        targets = {step_target(step) for step in ind.steps}
        for step in ind.peer_steps:
            if not isinstance(step, PeerRatio):
                if ranks:
                    continue
                return None
            for name in (step.numerator, step.denominator):
                if name == FULL_NAME or name in targets or name in text:
                    return None
                reads[name] = None
    return list(reads)


class PeerBlock:
    """One peer-ratio step's parts of a batch, as columns: the units that put a part in (their
    positions in the batch, names and categories) and each one's numerator ``a[i] / a_den`` and
    denominator ``b[i] / b_den``."""

    __slots__ = (
        "a",
        "a_den",
        "b",
        "b_den",
        "categories",
        "code",
        "grouped",
        "kind",
        "names",
        "rows",
        "target",
    )

    def __init__(
        self,
        kind: str,
        code: str,
        target: str,
        grouped: bool,
        rows: list[int],
        names: list[str],
        categories: list[str | None],
        top: IntColumn,
        bottom: IntColumn,
    ) -> None:
        self.kind, self.code, self.target, self.grouped = kind, code, target, grouped
        self.rows, self.names, self.categories = rows, names, categories
        self.a, self.a_den = top.num[rows], top.den
        self.b, self.b_den = bottom.num[rows], bottom.den

    def slot_group(self, k: int) -> str | None:
        """The group of the block's *k*-th unit in its slot (its category for ``within = "category"``)."""
        return self.categories[k] if self.grouped else None


def peer_blocks(
    plan: Plan,
    names: Sequence[str],
    categories: Sequence[str | None],
    columns: Mapping[str, tuple[IntColumn, Any, Any]],
    declared: Sequence[frozenset[str]] | None,
    periods: _Periods | None,
) -> tuple[list[PeerBlock], list[int]]:
    """The units' parts in the peer ratios as columns, one block a step (in the steps' order); and
    the positions of the units whose part the columns do not give (see :func:`observe_columns`)."""
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
        if not any(isinstance(step, PeerRatio) for step in ind.peer_steps):
            continue  # (rank steps: see peer_reads)
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
            if not isinstance(step, PeerRatio):
                continue
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
    blocks: list[PeerBlock] = []
    for kind, code, target, given, top, bottom, group in parts:
        rows = np.flatnonzero(given & keep).tolist()
        if not rows or top is None or bottom is None:
            continue
        blocks.append(
            PeerBlock(
                kind,
                code,
                target,
                group,
                rows,
                [names[i] for i in rows],
                [categories[i] for i in rows],
                top,
                bottom,
            )
        )
    return blocks, np.flatnonzero(rest).tolist()


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
    blocks, rest = peer_blocks(plan, names, categories, columns, declared, periods)
    return block_observations(blocks), rest


def block_observations(blocks: Sequence[PeerBlock]) -> list[Observation]:
    """The blocks' parts as :func:`~perfrules.scoring.population.observe` gives them: unit after
    unit in the batch's order, each in the steps' order."""
    found: list[tuple[int, int, Observation]] = []
    for order, block in enumerate(blocks):
        a = _fractions(block.a.tolist(), block.a_den)
        b = _fractions(block.b.tolist(), block.b_den)
        for k, (i, x, y) in enumerate(zip(block.rows, a, b, strict=True)):
            slot = (block.kind, block.code, block.target, None, block.slot_group(k))
            found.append((i, order, (block.names[k], slot, (x, y))))
    found.sort(key=lambda item: (item[0], item[1]))  # unit after unit, each in the steps' order
    return [o for _, _, o in found]


def _fractions(numerators: list[int], den: int) -> list[Fraction]:
    """Each numerator over *den* as a Fraction (whole numbers made without a gcd)."""
    if den == 1:
        return list(map(Fraction, numerators))
    return [Fraction(x, den) for x in numerators]
