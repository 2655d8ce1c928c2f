"""Units the column program leaves unscored in a batch: scored again alone, else an error of their own.

The column program (:mod:`perfrules.scoring.program`) is the one engine: it scores every unit of
a batch, or gives it its error. Should it still leave a unit unscored in a batch (``score_columns``
gives None for it: its columns marked the unit as one they cannot work out), :func:`settled` runs
the same program on that unit alone, with the batch's population values, so that a limit of the
batch (a common denominator grown too large with the other units' values) is gone; a unit it still
leaves unscored gets an error of its own (:func:`cannot_score`) that names it and says the column
program cannot score it yet, never a score from other code. The other units are unaffected.
:data:`TALLY` counts both, so that tests can hold them to zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from ..scheme.units import Unit, UnitError, note_events
from .compiled import Population
from .outcome import UnitOutcome
from .plan import Plan
from .program import program_of

__all__ = ["NOT_SCORED", "TALLY", "Tally", "cannot_score", "settled"]

NOT_SCORED = "NotScoredError"
"""The ``UnitError.error`` of :func:`cannot_score`'s error."""


@attrs.define
class Tally:
    """How many units the column program left unscored in their batch since the process started.

    Attributes:
        alone: units it left unscored in their batch and then scored alone.
        unscored: units it left unscored alone too: each got :func:`cannot_score`'s error.
    """

    alone: int = 0
    unscored: int = 0


TALLY = Tally()
"""The process's :class:`Tally` (tests read it: both stay 0 on the differential cases)."""


def settled(
    plan: Plan,
    outcomes: Sequence[UnitOutcome | None],
    unit_at: Callable[[int], Unit],
    population: Mapping[str, Population],
) -> list[UnitOutcome]:
    """*outcomes* with each None (a unit left unscored in its batch) replaced: the column program run
    again on that unit alone (*unit_at* gives it by position; *population*: the batch's values per
    unit name), else the unit's :func:`cannot_score` error."""
    found = list(outcomes)
    empty: Population = {}
    for i, outcome in enumerate(found):
        if outcome is None:
            unit = unit_at(i)
            TALLY.alone += 1
            again = program_of(plan).run([unit], {unit.name: population.get(unit.name, empty)})[0]
            if again is None:
                TALLY.unscored += 1
                again = cannot_score(plan, unit)
            found[i] = again
    return found  # type: ignore[return-value]  # (no None left)


def cannot_score(plan: Plan, unit: Unit) -> UnitOutcome:
    """The outcome of a unit the column program cannot score, even alone: its error says so, no total."""
    words = plan.words
    outcome = UnitOutcome(unit)
    outcome.errors = [
        UnitError(
            unit=unit.name,
            indicator=None,
            field=None,
            message=words(
                "列式程序尚不能计分该单位：其数据中有列式程序算不出的值（单独计分亦然），未给出总分",
                "the column program cannot score this unit yet: its data hold a value the columns "
                "cannot work out (scored alone too), so it has no total",
            ),
            error=NOT_SCORED,
            origin=unit.origin,
        )
    ]
    outcome.events = note_events(unit)
    return outcome
