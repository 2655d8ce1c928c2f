"""A unit's outcome dressed with what the column program's steps after the total worked out for it.

The rules on the total (:mod:`~perfrules.scoring.coltotalrules`), group means
(:mod:`~perfrules.scoring.colmeans`), a grade per period
(:mod:`~perfrules.scoring.colgrades`) and overall grading that reads more than
the total (:mod:`~perfrules.scoring.coloverall`) leave, per unit, what the
per-unit program would put on its outcome: the periods' totals, the groups'
subtotals, events (in the per-unit program's order) and flags. Every path that
makes outcomes from a batch's columns (the program's ``run``, the streamed
readers, kept columns) puts them on by :func:`dress`.
"""

from __future__ import annotations

from typing import Any

from .outcome import UnitOutcome

__all__ = ["dress"]


def dress(scored: Any, i: int, outcome: UnitOutcome) -> None:
    """Put on *outcome* unit *i*'s periods, subtotals, events and flags from *scored*
    (:class:`~perfrules.scoring.colscored.Scored`), where its scheme has those steps."""
    if scored.periods is not None:
        outcome.periods = scored.periods[i]
    # The rules on the total (coltotalrules): vetoes' notes come before the means', the rest after.
    rules = scored.events.get(i, ()) if scored.events else ()
    outcome.events = [*outcome.events, *(e for e in rules if e.kind == "veto")]
    if scored.vetoed is not None and scored.vetoed[i]:
        outcome.vetoed = True
    if scored.means is not None:
        _, outcome.subtotals, events = scored.means[i]
        outcome.events = [*outcome.events, *events]
    outcome.events = [*outcome.events, *(e for e in rules if e.kind != "veto")]
    if scored.found is not None:
        _, _, events, flags = scored.found[i]
        outcome.events = [*outcome.events, *events]
        outcome.flags = flags
