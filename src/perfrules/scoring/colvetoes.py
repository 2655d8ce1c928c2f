"""Vetoes on an indicator that fire, over a batch's columns: each unit's veto notes and effects.

The per-unit program (the tests' oracle, ``tests/oracle.py``) checks an
indicator's vetoes (``[[indicators.policies]] type = "veto"``) once the
indicator is scored: each veto that fires leaves its note (``veto_event``, in
the indicators' scoring order, then the vetoes' order), and its effect
(``lowest_grade``, ``zero``) acts on the unit's total and grade with the
scheme-wide vetoes' (:func:`perfrules.scoring.overall.finish_total`).

Over columns, the indicator's step (:mod:`perfrules.scoring.colpoints`) works
out each veto's condition for the whole batch and records where it fires
(:func:`record`, under :data:`FIRED` among the batch's columns);
:func:`take` turns that, where the indicator applies, into the units' notes
and effects, which the rules on the total
(:mod:`perfrules.scoring.coltotalrules`) apply as they apply a scheme-wide
veto's — beside a grade per period too (the per-unit program's period totals
do not read the vetoes) and beside group means (the vetoes' notes come before
the means', :mod:`~perfrules.scoring.coldress`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._intcols import numpy
from ..scheme.units import PolicyEvent
from .indicator import IndicatorPlan
from .overall import veto_event
from .plan import Plan

__all__ = ["DEFAULTED", "FIRED", "STEPS", "Fired", "leave", "record", "step_reads", "take"]

FIRED = "\0vetoes fired"
"""Where a batch's columns hold, per indicator code, where each of its vetoes fires (bool arrays)."""

STEPS = "\0step values"
"""Where a batch's columns hold, when asked (a dict put there first), per indicator code the columns of
the steps its vetoes read, as its column step worked them out (:func:`leave`)."""

DEFAULTED = "\0defaulted"
"""Among an indicator's step columns left (:func:`leave`): the rows a default took, which have no step
values (the per-unit program's veto reads none there)."""


def step_reads(ind: IndicatorPlan) -> frozenset[str]:
    """The steps of an indicator reported per period that its vetoes read: they are decided on the
    year's row with the last period's step values (:mod:`perfrules.scoring.colperiodvetoes`)."""
    if not ind.periodic:
        return frozenset()
    return frozenset(name for v in ind.vetoes for name in v.when.variables if name in ind.targets)


def leave(cols: dict[str, Any], ind: IndicatorPlan, scope: dict[str, Any], defaulted: Any = None) -> None:
    """Put the columns of the steps *ind*'s vetoes read (:func:`step_reads`), from *scope* (after its
    steps), in the dict the caller left on *cols* under :data:`STEPS`, with the rows a default took
    (*defaulted*: under :data:`DEFAULTED`, where the vetoes are decided on the year's row the
    indicator's own step words the error of the step values a default does not give:
    :mod:`~perfrules.scoring.colperiodvetoes`). The indicators whose vetoes read none leave nothing
    (and a default marks no rows for them: :func:`perfrules.scoring.colpoints.defaulted_key`);
    :func:`perfrules.scoring.colperiods.score_indicators` asks for every other one's."""
    names = step_reads(ind)
    if not names:
        return
    found = {name: scope[name] for name in names}
    if defaulted is not None:
        found[DEFAULTED] = defaulted
    cols[STEPS][ind.code] = found


class Fired:
    """The indicator vetoes that fired in a batch: which units they sank, which they zeroed, and each
    unit's notes (by position, in the per-unit program's order)."""

    __slots__ = ("events", "vetoed", "zeroed")

    def __init__(self, vetoed: Any, zeroed: Any, events: dict[int, list[PolicyEvent]]) -> None:
        self.vetoed = vetoed
        self.zeroed = zeroed
        self.events = events


def record(scope: dict[str, Any], code: str, fired: Sequence[Any]) -> None:
    """Record where each veto of indicator *code* fires (one bool array per veto, in its order)."""
    scope[FIRED] = {**scope.get(FIRED, {}), code: list(fired)}


def carry(scope: dict[str, Any], cols: dict[str, Any]) -> None:
    """What *scope* (an indicator's own columns) recorded, put on the batch's columns *cols* too."""
    if FIRED in scope and scope is not cols:
        cols[FIRED] = {**cols.get(FIRED, {}), **scope[FIRED]}


def take(plan: Plan, cols: dict[str, Any], applicable: Any, ok: Any) -> tuple[Fired | None, Any]:
    """The vetoes recorded on *cols* (taken off them) that fire where their indicator applies, for
    the units the program scores (*ok*); and *ok*."""
    found = cols.pop(FIRED, None)
    if not found:
        return None, ok
    np = numpy()
    n = len(ok)
    vetoed = np.zeros(n, dtype=bool)
    zeroed = np.zeros(n, dtype=bool)
    events: dict[int, list[PolicyEvent]] = {}
    order = plan.result_order if plan.result_order is not None else range(len(plan.indicators))
    words = plan.words
    for k in order:
        ind = plan.indicators[k]
        marks = found.get(ind.code)
        if marks is None:
            continue
        for veto, fired in zip(ind.vetoes, marks, strict=True):
            fired = fired & applicable[:, k] & ok
            if not fired.any():
                continue
            vetoed |= fired
            if veto.effect == "zero":
                zeroed |= fired
            note = veto_event(veto, ind.label, words)
            for i in np.flatnonzero(fired).tolist():
                events.setdefault(i, []).append(note)
    if not vetoed.any():
        return None, ok
    return Fired(vetoed, zeroed, events), ok
