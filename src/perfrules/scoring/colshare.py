"""How many units of a batch the column program scores, and how many it cannot score yet.

The column program (:mod:`perfrules.scoring.program`) is the one engine: it scores
every unit of a batch, a unit it leaves unscored in the batch is scored alone, and
one it cannot score even alone gets an error of its own
(:mod:`~perfrules.scoring.colalone`). :func:`column_share` counts them for a batch,
as ``evaluate(..., explained=False)`` would score it: those the column program
scored (those it gives the errors of — a cell its file could not read, a category
the scheme lacks, an indicator's error, a blank input without a policy for it … —
among them), and those it cannot score yet. ``perfrules validate SCHEME DATA``
prints it.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ..scheme.units import Unit
from .batch import batch_tree
from .colalone import TALLY, settled
from .colpop import batch_population
from .plan import Plan
from .program import score_columns

__all__ = ["ColumnShare", "column_share"]


@attrs.frozen
class ColumnShare:
    """How a batch's units are scored.

    Attributes:
        columns: the units the column program scored (or gave their errors), in their batch or alone.
        unscored: the units it cannot score yet, even alone (each has an error that says so).
    """

    columns: int
    unscored: int


def column_share(plan: Plan, units: Sequence[Unit]) -> ColumnShare:
    """Count how many of *units* the column program scores (see the module's text).

    Raises:
        SchemeError: a form of the scheme the column program does not compile.
    """
    tree = batch_tree(plan, units)
    scored = list(units) if tree is None else list(tree.scored)
    population = batch_population(plan, scored) if plan.has_population else {}
    before = TALLY.unscored
    settled(plan, score_columns(plan, scored, population), scored.__getitem__, population)
    unscored = TALLY.unscored - before
    return ColumnShare(len(scored) - unscored, unscored)
