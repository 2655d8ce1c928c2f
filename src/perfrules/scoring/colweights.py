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
per-unit program, which reports it. With categories, an indicator whose
weight read is 0 is not assessed for the unit, as the per-unit program has it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
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

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.reads = frozenset(column for _, column in plan.weight_from)
        self.read_at = tuple(k for k, _ in plan.weight_from)

    def unread(self, units: Sequence[Unit], columns: Mapping[str, tuple[Any, Any]]) -> Any:
        """The units whose weight cell the columns hold as a number that ``unit_weights`` does not take
        as one (a ``float``, a NumPy ``float64``: read by the columns as the formulas read them, refused
        as a weight); None: none. Their weights are refused (the per-unit program's error)."""
        np = numpy()
        out = None
        for name in sorted(self.reads):
            plain = columns[name][1]
            rows = [
                i
                for i in np.flatnonzero(plain).tolist()
                if not isinstance(units[i].data.get(name), Decimal | int | Fraction)
                or isinstance(units[i].data.get(name), bool)
            ]
            if rows:
                out = np.zeros(len(units), dtype=bool) if out is None else out
                out[rows] = True
        return out

    def read(
        self, columns: Mapping[str, tuple[Any, Any]], ok: Any, cat: Any, applicable: Any
    ) -> tuple[Any, list[tuple[Fraction, ...]], Any]:
        """Each unit's position among the distinct weights read (per category), those weights, and
        the units whose weights the per-unit program reads instead (not plain numbers, or refused by
        ``unit_weights``). With categories, an indicator whose weight read is 0 is not assessed for
        the unit (*applicable* loses it, in place), as the per-unit program says."""
        np = numpy()
        plan = self.plan
        keys = plan.scheme.categories or (None,)
        index, scopes, plain = distinct_inputs(sorted(self.reads), columns, len(ok))
        combos, wid = np.unique(index * len(keys) + cat, return_inverse=True)
        wid = np.asarray(wid).reshape(-1)
        owns: list[tuple[Fraction, ...]] = []
        refused = np.zeros(len(combos), dtype=bool)
        used = set(wid[ok & plain].tolist())
        for j, combo in enumerate(combos.tolist()):
            at, c = divmod(combo, len(keys))
            base = plan.weights_for(keys[c])
            found = (
                unit_weights(plan, Unit(name="_", category=keys[c], data=scopes[at]), base)
                if j in used
                else base
            )
            owns.append(found if isinstance(found, tuple) else base)
            refused[j] = not isinstance(found, tuple)
        if plan.scheme.categories:
            for k in self.read_at:
                applicable[:, k] &= np.array([w[k] != 0 for w in owns], dtype=bool)[wid]
        return wid, owns, ~plain | refused[wid]
