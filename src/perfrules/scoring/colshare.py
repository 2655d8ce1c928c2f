"""How many units of a batch the column program scores, and why the others go to the per-unit program.

The column program (:mod:`perfrules.scoring.program`) takes every unit it can;
the per-unit program (:func:`perfrules.scoring.unit.score_unit`) scores the
units it sends back. :func:`column_share` counts them for a batch, as
``evaluate(..., explained=False)`` would score it: those the column program
scored (those it gives the errors of, found before any indicator is scored —
a cell its file could not read, a category the scheme lacks, weights read that
are refused: :mod:`~perfrules.scoring.uniterrors`; an indicator's error, a blank
input without a policy for it, a value outside a scale's domain …:
:mod:`~perfrules.scoring.colfailures` — among them), those the per-unit program
found an error in (the units the column program sends back), and
any other (a form the column program does not take for that unit yet).
``perfrules validate SCHEME DATA`` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ..scheme.units import Unit
from .batch import batch_tree
from .colpop import batch_population
from .plan import Plan
from .program import program_of, score_columns
from .unit import Population, score_unit

__all__ = ["ColumnShare", "column_share"]


@attrs.frozen
class ColumnShare:
    """How a batch's units are scored.

    Attributes:
        columns: the units the column program scored (or gave the errors found before scoring).
        errors: the units sent to the per-unit program that it found an error in.
        other: the units sent to the per-unit program for another reason (a form the column
            program does not take for them yet; every unit when it does not take the scheme).
    """

    columns: int
    errors: int
    other: int


def column_share(plan: Plan, units: Sequence[Unit]) -> ColumnShare:
    """Count how the column program and the per-unit program share *units* (see the module's text)."""
    tree = batch_tree(plan, units)
    scored = list(units) if tree is None else list(tree.scored)
    population = batch_population(plan, scored) if plan.has_population else {}
    if program_of(plan) is None:
        return ColumnShare(0, 0, len(scored))
    quick = score_columns(plan, scored, population)
    empty: Population = {}
    errors = other = 0
    for unit, found in zip(scored, quick, strict=True):
        if found is None:
            if score_unit(plan, unit, population.get(unit.name, empty), detail=False).errors:
                errors += 1
            else:
                other += 1
    return ColumnShare(len(scored) - errors - other, errors, other)
