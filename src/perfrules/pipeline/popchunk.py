"""A chunk's part in the population steps, read from its cells as columns where it can be.

The first pass over a streamed file (:mod:`perfrules.pipeline.stream`)
gathers what each unit puts into the population steps. Where the scheme's
population steps are peer ratios of data columns as they stand
(:func:`perfrules.scoring.colpeers.peer_reads`), the units of a chunk that
the column reader takes (:mod:`perfrules.files.group_columns`) give their
parts from their year cells parsed at once
(:func:`perfrules.scoring.colpeers.peer_blocks`, kept as columns by
:func:`group_parts`); every other unit is read by the file's reader and
observed as :func:`perfrules.evaluate` observes it
(:func:`perfrules.scoring.population.observe`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .._intcols import from_text_columns, gc_paused, numpy
from ..files.data import _RowUnits
from ..files.group_columns import group_cells
from ..files.unit_groups import RowGroup, unit_of
from ..scheme.model import Scheme
from ..scoring.colpeers import PeerBlock, block_observations, peer_blocks, peer_reads
from ..scoring.plan import Plan, plan_of
from ..scoring.population import Observation, observe
from .chunk import with_category

__all__ = ["group_parts", "observe_groups", "population_fields"]


def observe_groups(
    scheme: Scheme, reader: _RowUnits, groups: Sequence[RowGroup], category: str | None
) -> list[Observation]:
    """What the units of a chunk's row groups put into the population steps (see the module's docstring)."""
    blocks, found = group_parts(scheme, reader, groups, category)
    return block_observations(blocks) + found if blocks else found


def group_parts(
    scheme: Scheme, reader: _RowUnits, groups: Sequence[RowGroup], category: str | None
) -> tuple[list[PeerBlock], list[Observation]]:
    """:func:`observe_groups`'s parts, those read as columns kept as columns (one block a peer
    ratio: :class:`~perfrules.scoring.colpeers.PeerBlock`), and the others' observations."""
    plan = plan_of(scheme)
    reads = peer_reads(plan, reader.text_fields)
    if reads is None:
        return [], observe(plan.indicators, [with_category(unit_of(reader, g), category) for g in groups])
    with gc_paused():
        taken = group_cells(reader, groups, category)
        blocks: list[PeerBlock] = []
        rest: list[int] = []
        if taken.taken:
            header = reader.header
            at = {header[i]: i for i in reader.inputs}
            present = [name for name in reads if name in at]
            texts = [[row.cells[at[name]] for row in taken.rows] for name in present]
            columns = {
                name: (col, plain, _empty(cells))
                for name, (col, plain), cells in zip(present, from_text_columns(texts), texts, strict=True)
            }
            names = [groups[g][0] for g in taken.taken]
            blocks, rest = peer_blocks(plan, names, taken.categories, columns, taken.declared, taken.periods)
        left = set(range(len(groups))) - set(taken.taken) | {taken.taken[k] for k in rest}
        units = [with_category(unit_of(reader, groups[g]), category) for g in sorted(left)]
    return blocks, observe(plan.indicators, units)


def _empty(cells: Sequence[object]) -> object:
    return numpy().array([type(c) is str and not c.strip() for c in cells], dtype=bool)


def population_fields(plan: Plan) -> frozenset[str]:
    """The data columns the population steps can read: those of the indicators that have them."""
    fields: set[str] = set()
    for ind in plan.indicators:
        if ind.has_population:
            fields |= ind.fields
    return frozenset(fields)
