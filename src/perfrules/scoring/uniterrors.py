"""A unit's errors decided before any indicator is scored, and the outcome of a unit scored with errors.

Some of what is wrong with a unit is known before any of its indicators is
scored: cells of its data file that could not be read (``Unit.problems``), a
category the scheme does not weigh by (or none where it weighs by category),
and weights read from its data (``weight_from``) that are missing, not numbers
or do not make its full marks — with any ``not_applicable`` code it lists that
the scheme lacks. Such a unit is not scored: its outcome is those errors, with
no scores, no total and no grade. :func:`unit_level` decides it: the column program
(:meth:`perfrules.scoring.program.ColumnProgram.run`) asks it only about the
units its columns already refuse for one of those reasons (the common case, a
unit with none of them, pays nothing per unit); the per-unit program (the tests'
oracle, ``tests/oracle.py``) returns early by it. It stays in the library to word the
errors of units the columns already refuse.

What a batch's columns found wrong with a unit is kept, per row, as an
:class:`Errored` in ``Scored.errors`` (:class:`perfrules.scoring.colscored.Scored`);
:func:`errored_outcome` is the one place that makes such a row's outcome.
A code a unit declares not applicable that the scheme lacks, alone, does not
stop the unit being scored (:func:`undeclared`: reported beside its scores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from .._intcols import numpy
from ..scheme.history import note_previous
from ..scheme.model import with_parameters
from ..scheme.units import PolicyEvent, Unit, UnitError, note_events
from .outcome import UnitOutcome
from .plan import Plan
from .weights_read import unit_weights

__all__ = ["Errored", "errored_outcome", "prepared", "refused_rows", "undeclared", "unit_level"]


@attrs.frozen
class Errored:
    """What is wrong with one unit of a batch, found before (or instead of) its total.

    Attributes:
        errors: the unit's errors, in the per-unit program's order.
        events: the unit's events (for a unit refused before scoring: its reading notes, or none).
        unit: the unit as the per-unit program sees it (history values and parameters joined).
    """

    errors: tuple[UnitError, ...]
    events: tuple[PolicyEvent, ...]
    unit: Unit


def prepared(plan: Plan, unit: Unit, *, detail: bool = False) -> tuple[Unit, Mapping[str, str]]:
    """The unit as its rules read it: last year's results (``history``) and the scheme's per-unit
    constants (``parameters``) among its data, with notes; and (with *detail*) where the history
    values came from."""
    scheme = plan.scheme
    unit, sources = note_previous(unit, scheme.history, scheme.previous, plan.words.zh, detail)
    return with_parameters(scheme, unit), sources


def undeclared(plan: Plan, unit: Unit) -> list[UnitError]:
    """The codes the unit declares not applicable (``Unit.not_applicable``) that the scheme lacks."""
    return [
        UnitError(
            unit=unit.name,
            indicator=code,
            field="not_applicable",
            message=f"no indicator '{code}' in the scheme",
            error="InvalidValueError",
            origin=unit.origin,
        )
        for code in sorted(unit.not_applicable)
        if code not in plan.lookup
    ]


def unit_level(plan: Plan, unit: Unit) -> Errored | tuple[Fraction, ...] | None:
    """What is decided about *unit* (as :func:`prepared` gives it) before any indicator is scored.

    Returns:
        An :class:`Errored` when the unit is not scored at all (cells that could not be read, a
        category the scheme lacks, weights read from its data that are refused); else the unit's
        weights, where some are read from its data (``weight_from``); else None.
    """
    if unit.problems:
        # Cells of its data file could not be read: those problems are its errors.
        return Errored(tuple(unit.problems), tuple(note_events(unit)), unit)
    scheme = plan.scheme
    category = unit.category
    if scheme.categories and category not in scheme.categories:
        message = (
            f"unknown category {category!r}; the scheme weighs by {', '.join(scheme.categories)}"
            if category
            else f"the unit needs a category ({', '.join(scheme.categories)})"
        )
        error = UnitError(
            unit=unit.name,
            indicator=None,
            field="category",
            message=message,
            error="InvalidValueError",
            origin=unit.origin,
        )
        return Errored((error,), tuple(note_events(unit)), unit)
    if not plan.weight_from:
        return None
    # Weights read per unit (weight_from): all of them, and adding up to the unit's full marks.
    read = unit_weights(plan, unit, plan.weights_for(category))
    if isinstance(read, UnitError):
        return Errored((*undeclared(plan, unit), read), tuple(note_events(unit)), unit)
    return read


def errored_outcome(found: Errored) -> UnitOutcome:
    """The outcome of a unit with the errors *found*: no total, no grade, not vetoed (and, for a unit
    refused before scoring, no scores and no weights), as the per-unit program gives it."""
    out = UnitOutcome(found.unit)
    out.errors = list(found.errors)
    out.events = list(found.events)
    return out


def refused_rows(scored: Any, units: Sequence[Unit] | Any, read: Any) -> None:
    """Put in ``scored.errors`` (:class:`~perfrules.scoring.colscored.Scored` of *units*) the units its
    columns refused for what is decided before any indicator is scored (``scored.level``, and those
    whose cells were not all read: not in *read*, None for none) and :func:`unit_level` refuses.
    Where the scheme reads weights per unit (``weight_from``), every unit the columns do not score is
    asked (they may have left it before reading its weights: a unit with periods); else only those
    units (made when asked, where *units* makes them: kept columns); the others are
    left as they are."""
    plan = scored.program.plan
    rows = scored.level if read is None else scored.level | ~read
    if plan.weight_from:
        rows = rows | ~scored.ok
    if not rows.any():
        return
    for i in numpy().flatnonzero(rows & ~scored.ok).tolist():
        found = unit_level(plan, prepared(plan, units[i])[0])
        if isinstance(found, Errored):
            scored.errors[i] = found
