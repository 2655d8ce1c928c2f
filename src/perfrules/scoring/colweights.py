"""Weights read per unit from the data (``weight_from``) as columns: each distinct reading checked once.

A scheme whose indicators take their weight from a data column (特色指标、自选指标权重由各单位申报)
weighs each unit by its own weights. The per-unit program reads and checks them
with :func:`~perfrules.scoring.weights_read.unit_weights` (every one a number of
0 or more, together the unit's full marks). Over a batch that same function
runs once per DISTINCT tuple of the values read; the units are then grouped by
their weights as they are by category and pattern of applicable indicators,
and each group's weights fold into its dot product (:class:`~perfrules.scoring.outcome.Weighting`,
keyed by the unit's own weights as the per-unit program keys it). A unit
whose weights are missing, not plain numbers or do not add up is sent to the
per-unit program, which reports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .._intcols import numpy
from ..scheme.units import Unit
from .coltotalrules import distinct_inputs
from .plan import Plan
from .weights_read import unit_weights

__all__ = ["ReadWeights"]


class ReadWeights:
    """A plan's weights read per unit, for the column program (see the module's docstring)."""

    def __init__(self, plan: Plan, unsupported: type[Exception]) -> None:
        if plan.scheme.categories:
            # A weight of 0 read for a category makes the indicator not assessed there: not compiled yet.
            raise unsupported("weights read per unit from the data (weight_from) with categories")
        self.plan = plan
        self.reads = frozenset(column for _, column in plan.weight_from)

    def read(
        self, columns: Mapping[str, tuple[Any, Any]], ok: Any
    ) -> tuple[Any, list[tuple[Fraction, ...]], Any]:
        """Each unit's position among the distinct weights read, those weights, and the units whose
        weights the per-unit program reads instead (not plain numbers, or refused by ``unit_weights``)."""
        np = numpy()
        plan = self.plan
        n = len(ok)
        index, scopes, plain = distinct_inputs(sorted(self.reads), columns, n)
        base = plan.weights_for(None)
        owns: list[tuple[Fraction, ...]] = [base] * len(scopes)
        refused = np.zeros(len(scopes), dtype=bool)
        for j in np.unique(index[ok & plain]).tolist():
            found = unit_weights(plan, Unit(name="_", data=scopes[j]), base)
            if isinstance(found, tuple):
                owns[j] = found
            else:
                refused[j] = True
        return index, owns, ~plain | refused[index]
