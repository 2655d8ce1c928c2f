"""Indicators the columns cannot work out for a unit: each such unit's errors, worded by the rule's code.

The per-unit program (the tests' oracle, ``tests/oracle.py``) records an
indicator whose rule raises (a blank input without a policy for it, a peer
value the unit lacks, a word not in a scale, a division by 0 …) as the unit's
error for that indicator, and the unit then has no total or grade: its
errors in the indicators' order, its notes and the vetoes that fired, and its
other indicators' scores.

The column program (:mod:`perfrules.scoring.program`) marks, while it scores
a batch, each (unit, indicator) its columns cannot work out (:class:`Failures`)
instead of refusing the unit whole. For each unit so marked, and for nothing
else, :func:`failed_rows` runs the indicator's own step on that unit
(:func:`perfrules.scoring.indstep.indicator_step`, the per-unit program's
code, in the plan's order, with the indicators it reads scored by the columns)
and takes the error that step raises, kept as the unit's row of ``Scored.errors``
(:class:`Failed`, beside the units :mod:`~perfrules.scoring.uniterrors` refuses before
scoring; :func:`outcome_of` makes its outcome). A marked step that does not raise (a
value too large for the columns, a cell the per-cell reader reads) or says
the indicator does not apply where the columns say it does leaves the unit
unscored in its batch: it is scored alone by the same program, else given an
error that says the column program cannot score it (:mod:`~perfrules.scoring.colalone`).
A score is never taken from here: this module only words the errors of units the
columns already failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from .._errors import NumberTooLargeError, PerfrulesError
from .._intcols import numpy
from .._numbers import Number, as_fraction, check_fraction
from ..scheme.policies import Veto
from ..scheme.units import PolicyEvent, Unit, UnitError, note_events
from .colvetoes import FIRED
from .indstep import indicator_step
from .outcome import UnitOutcome, unit_error, weighting
from .overall import veto_event
from .plan import Plan
from .uniterrors import Errored, errored_outcome, prepared, undeclared

__all__ = ["Failed", "Failures", "failed_rows", "outcome_of"]


class Failures:
    """Per unit and indicator of a batch, whether the columns could not work the indicator out."""

    def __init__(self, n: int, count: int) -> None:
        np = numpy()
        self.mask = np.zeros((n, count), dtype=bool)
        self.fired: Mapping[str, Sequence[Any]] = {}  # the indicators' vetoes that fire (colvetoes)
        self.own: tuple[Any, Any] | None = None  # the units' own weights (weight_from): ids, weights
        self.candidates: Any = None  # the units whose errors failed_rows() words (set by split)
        # The units that declare not applicable a code the scheme lacks (colapplies.declared): scored,
        # and given those errors instead of a total, as the per-unit program does (None: none).
        self.undeclared: Any = None
        # The units whose every indicator the columns worked out (set by the program after split):
        # those it then cannot finish are asked about (coltotalerrors).
        self.whole: Any = None

    def mark(self, k: int, rows: Any) -> None:
        """Indicator *k* cannot be worked out by the columns for *rows* (a bool array)."""
        self.mask[:, k] |= rows

    def peek_vetoes(self, cols: Mapping[str, Any]) -> None:
        """Keep where the indicators' vetoes fire (before colvetoes takes it off the columns)."""
        self.fired = cols.get(FIRED) or {}

    def split(self, ok: Any) -> Any:
        """*ok* without the units that only an indicator's failure keeps from being scored (kept as
        the candidates whose errors :func:`failed_rows` words)."""
        self.candidates = ok & self.mask.any(axis=1)
        if self.undeclared is not None:
            self.candidates |= ok & self.undeclared
        return ok & ~self.candidates


@attrs.frozen
class Failed(Errored):
    """A unit of a batch whose indicators' own steps raised (``Scored.errors``): its errors and events,
    with its other indicators' scores and its weights, as the per-unit program gives them."""

    scores: tuple[Number | None, ...]
    weights: tuple[Fraction, ...]


def outcome_of(found: Errored) -> UnitOutcome:
    """The outcome of a unit with errors (:func:`~perfrules.scoring.uniterrors.errored_outcome`), with
    its scores and weights where an indicator failed (:class:`Failed`)."""
    out = errored_outcome(found)
    if isinstance(found, Failed):
        out.scores, out.weights = list(found.scores), list(found.weights)
        subtotals = getattr(found, "subtotals", None)  # (a total's error: coltotalerrors)
        if subtotals:
            out.subtotals = dict(subtotals)
    return out


def failed_rows(
    scored: Any,
    units: Sequence[Unit] | Any,
    population: Mapping[str, Mapping[Any, Number]] | None = None,
) -> None:
    """Put in ``Scored.errors`` (*scored*, what the column program worked out for *units*) each
    candidate unit whose failures its indicators' own steps confirm (:class:`Failed`; the others are
    left to the per-unit program). *units* gives the unit at a position as the per-unit program
    would be given it (made when asked, where *units* makes them: kept columns)."""
    failures: Failures | None = scored.failures
    if failures is None or failures.candidates is None or not failures.candidates.any():
        return
    plan: Plan = scored.program.plan
    applicable = scored.applicable
    empty: Mapping[Any, Number] = {}
    for i in numpy().flatnonzero(failures.candidates).tolist():
        if i in scored.errors:  # refused before scoring (uniterrors): that says it all
            continue
        unit = prepared(plan, units[i])[0]
        pop = population.get(unit.name, empty) if population is not None else empty
        own = None
        if failures.own is not None:
            wid, owns = failures.own
            own = owns[int(wid[i])]
        found = _outcome(
            plan,
            unit,
            failures.mask[i].tolist(),
            scored.unit_scores(i),
            applicable[i].tolist(),
            pop,
            failures,
            i,
            own,
        )
        if found is not None:
            scored.errors[i] = found


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
) -> Failed | None:
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
        # (a read of a failed indicator's result fails; one of its steps is worked out on its own:
        # the columns mark a reader where that step cannot be worked out)
        reads_failed = any(
            plan.results[name][0] in failed_codes and plan.results[name][1] is None
            for name in plan.result_reads[k]
        )
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
    if not failed and (plan.total_reads or not undeclared(plan, unit)):
        return None  # (with no indicator failed, scheme vetoes may read results: the per-unit program)
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
    errors = [*undeclared(plan, unit), *(failed[k] for k in sorted(failed))]
    events = [*note_events(unit), *vetoes]
    for policy in scheme.policies:  # the scheme's vetoes still run (no results read: an indicator failed)
        if isinstance(policy, Veto):
            try:
                if policy.when.evaluate(unit.data) is True:
                    events.append(veto_event(policy, words("本单位", "the unit"), words))
            except PerfrulesError as exc:
                errors.append(unit_error(unit, None, exc))
    return Failed(tuple(errors), tuple(events), unit, tuple(scores), tuple(weights.weights))
