"""Last year's results (``history`` names with ``previous``) joined to a batch's units for the columns.

The per-unit program joins a unit's history values (上年名次, 上年总分 …) to its
data before scoring (:func:`perfrules.scheme.history.note_previous`, then
:func:`perfrules.scheme.model.with_parameters`), with a note where last year's
results lack the unit or its own data says otherwise. The column program joins a
batch's units by those same functions before it reads their columns, so the
values it reads and the notes it shows are the per-unit program's. Readers that
score cells without making units (the streamed CSV readers, kept columns) leave
such schemes to the units' path (:func:`reads_cells`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..scheme.history import note_previous
from ..scheme.model import with_parameters
from ..scheme.units import Unit
from .plan import Plan

__all__ = ["joined", "reads_cells"]


def joined(plan: Plan, units: Sequence[Unit]) -> Sequence[Unit]:
    """The units with their history values (and per-unit constants) among their data, and notes."""
    scheme = plan.scheme
    if scheme.previous is None:
        return units
    zh = plan.words.zh
    return [
        with_parameters(scheme, note_previous(u, scheme.history, scheme.previous, zh, False)[0])
        for u in units
    ]


def reads_cells(plan: Plan) -> bool:
    """Whether the column program may score this scheme from a file's cells without making units."""
    return plan.scheme.previous is None
