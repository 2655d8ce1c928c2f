"""Indicators the columns cannot work out for a unit: each such unit's errors, worded by the rule's code.

The per-unit program (:func:`perfrules.scoring.unit.score_unit`) records an
indicator whose rule raises (a blank input without a policy for it, a peer
value the unit lacks, a word not in a scale, a division by 0 …) as the unit's
error for that indicator, and the unit then has no total or grade: its
errors in the indicators' order, its notes and the vetoes that fired, and its
other indicators' scores.

The column program (:mod:`perfrules.scoring.program`) marks, while it scores
a batch, each (unit, indicator) its columns cannot work out (:class:`Failures`)
instead of refusing the unit whole. For each unit so marked, and for nothing
else, :func:`resolve` runs the indicator's own step on that unit
(:func:`perfrules.scoring.indstep.indicator_step`, the per-unit program's
code, in the plan's order, with the indicators it reads scored by the columns)
and takes the error that step raises. A marked step that does not raise (a
value too large for the columns, a cell the per-cell reader reads) or says
the indicator does not apply where the columns say it does sends the unit to
the per-unit program as before: a score is never taken from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import NumberTooLargeError, PerfrulesError
from .._intcols import numpy
from .._numbers import Number, as_fraction, check_fraction
from ..scheme.model import with_parameters
from ..scheme.policies import Veto
from ..scheme.units import PolicyEvent, Unit, UnitError, note_events
from .colvetoes import FIRED
from .indstep import indicator_step
from .outcome import UnitOutcome, unit_error, weighting
from .overall import veto_event
from .plan import Plan

__all__ = ["Failures", "resolve"]


class Failures:
    """Per unit and indicator of a batch, whether the columns could not work the indicator out."""

    def __init__(self, n: int, count: int) -> None:
        np = numpy()
        self.mask = np.zeros((n, count), dtype=bool)
        self.fired: Mapping[str, Sequence[Any]] = {}  # the indicators' vetoes that fire (colvetoes)
        self.own: tuple[Any, Any] | None = None  # the units' own weights (weight_from): ids, weights
        self.candidates: Any = None  # the units whose errors resolve() words (set by split)

    def mark(self, k: int, rows: Any) -> None:
        """Indicator *k* cannot be worked out by the columns for *rows* (a bool array)."""
        self.mask[:, k] |= rows

    def peek_vetoes(self, cols: Mapping[str, Any]) -> None:
        """Keep where the indicators' vetoes fire (before colvetoes takes it off the columns)."""
        self.fired = cols.get(FIRED) or {}

    def split(self, ok: Any) -> Any:
        """*ok* without the units that only an indicator's failure keeps from being scored (kept as
        the candidates whose errors :func:`resolve` words)."""
        self.candidates = ok & self.mask.any(axis=1)
        return ok & ~self.candidates


def resolve(
    plan: Plan,
    scored: Any,
    unit_of: Callable[[int], Unit],
    population: Mapping[str, Mapping[Any, Number]] | None = None,
) -> dict[int, UnitOutcome]:
    """Per candidate unit (by position) whose failures its indicators' own steps confirm, its outcome
    (errors, events, scores, weights; no total). *scored* is what the column program worked out
    (:class:`~perfrules.scoring.program.Scored`: its ``failures``, ``unit_scores``, ``applicable``);
    ``unit_of(i)`` gives the unit at position *i* (as the per-unit program would be given it)."""
    found: dict[int, UnitOutcome] = {}
    failures: Failures | None = scored.failures
    if failures is None or failures.candidates is None:
        return found
    scores, applicable = scored.unit_scores, scored.applicable
    np = numpy()
    empty: Mapping[Any, Number] = {}
    for i in np.flatnonzero(failures.candidates).tolist():
        given = unit_of(i)
        unit = with_parameters(plan.scheme, given)
        pop = population.get(unit.name, empty) if population is not None else empty
        own = None
        if failures.own is not None:
            wid, owns = failures.own
            own = owns[int(wid[i])]
        outcome = _outcome(
            plan, unit, failures.mask[i].tolist(), scores(i), applicable[i].tolist(), pop, failures, i, own
        )
        if outcome is not None:
            outcome.unit = given
            found[i] = outcome
    return found


def _outcome(
    plan: Plan,
    unit: Unit,
    marked: list[bool],
    columns: list[Number | None],
    applicable: list[bool],
    population: Mapping[Any, Number],
    failures: Failures,
    i: int,
    own: tuple[Fraction, ...] | None,
) -> UnitOutcome | None:
    """Unit *unit*'s outcome as the per-unit program makes it, its failed indicators' errors from their
    own steps (None: a step does not confirm the columns, and the unit goes to the per-unit program)."""
    scheme = plan.scheme
    words = plan.words
    category = unit.category
    base = own if own is not None else plan.weights_for(category)
    weighed = bool(scheme.categories)
    graded = plan.rich_overall or scheme.total_formula is not None
    declared = bool(unit.not_applicable)
    count = len(plan.indicators)
    scores: list[Number | None] = [None] * count
    failed: dict[int, UnitError] = {}
    vetoes: list[PolicyEvent] = []
    failed_codes: set[str] = set()
    order = plan.result_order if plan.result_order is not None else range(count)
    for k in order:
        ind = plan.indicators[k]
        reads_failed = any(plan.results[name][0] in failed_codes for name in plan.result_reads[k])
        if weighed and base[k] == 0:
            continue  # not assessed for the category (the columns say so too)
        if marked[k] or reads_failed:
            kind, what, _ = indicator_step(
                plan, unit, k, scores, population, detail=False, graded=graded, declared=declared
            )
            if kind != "failed" and (kind == "scored" or applicable[k]):
                return None  # the step does not confirm the columns: the per-unit program scores the unit
            if kind == "failed":
                assert isinstance(what, UnitError)
                failed[k] = what
                failed_codes.add(ind.code)
            continue
        if not applicable[k]:
            continue
        scores[k] = columns[k]
        marks = failures.fired.get(ind.code)
        if marks is not None:
            for veto, fired in zip(ind.vetoes, marks, strict=True):
                if fired[i]:
                    vetoes.append(veto_event(veto, ind.label, words))
    if not failed:
        return None
    # The total the per-unit program adds up before it looks at the errors: past the number
    # bounds, the unit's error is that instead (the per-unit program words it).
    pattern = [a or k in failed for k, a in enumerate(applicable)]  # (a failed indicator still applies)
    weights = weighting(plan, category, pattern, own)
    total = Fraction(0)
    try:
        for k, v in enumerate(scores):
            n = weights.numerators[k]
            if v is not None and n is not None:
                total += as_fraction(v) * int(n)
        check_fraction(total / weights.denominator)
        if graded:
            for k, v in enumerate(scores):
                if v is not None:
                    weights.contribution(k, v)
    except NumberTooLargeError:
        return None
    out = UnitOutcome(unit)
    errors = [failed[k] for k in sorted(failed)]
    events = [*note_events(unit), *vetoes]
    for policy in scheme.policies:  # the scheme's vetoes still run (no results read: an indicator failed)
        if isinstance(policy, Veto):
            try:
                if policy.when.evaluate(unit.data) is True:
                    events.append(veto_event(policy, words("本单位", "the unit"), words))
            except PerfrulesError as exc:
                errors.append(unit_error(unit, None, exc))
    out.scores = scores
    out.weights = weights.weights
    out.errors = errors
    out.events = events
    return out
