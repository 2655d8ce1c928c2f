"""Population values (``max_of`` …) gathered over a batch's columns, once per batch.

Where a scheme compiles to a column program (:mod:`perfrules.scoring.program`),
the values of its population functions are summarised from the arguments'
columns at once (per-unit parameters joined in as the per-unit program joins
them: :mod:`perfrules.scoring.colparams`); units the columns do not take (a cell that is not a plain
number, declared not-applicable indicators, period rows, problems) put in their part one by one
(:func:`perfrules.scoring.population.observe`). A unit whose argument cannot be worked out (a
division by 0, a number past the limits) puts nothing into that call, as ``observe`` skips it; an
argument dividing by divisors too many and unlike for one denominator is worked out in pieces (halves
of the batch's rows), each over its own. A unit an indicator's
not-applicable rules leave out (their conditions over the columns, a ``missing``
rule's blank read one by one) puts nothing into that indicator's population
steps. The result is what
:func:`perfrules.scoring.population.population_values` gives, unit for unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._intcols import IntColumn, from_records, gc_paused, numpy
from .._numbers import exact
from ..scheme.steps import PeerRatio
from ..scheme.units import Unit
from .colapplies import RAISED
from .colargs import WORDS
from .collookup import text_column
from .colpeervalues import batch_peer_values
from .colrank import rank_columns
from .colsteps import (
    CATEGORY,
    SEND_BACK,
    BatchPopulation,
    CallSlot,
    Regroup,
    call_value,
    column_summary,
    divisors,
    merge_call,
)
from .compiled import Population
from .plan import Plan
from .population import observe, population_values, resolve, summarize
from .program import ColumnProgram, program_of

__all__ = ["batch_population", "gather"]


def batch_population(plan: Plan, units: Sequence[Unit]) -> Mapping[str, Population]:
    """The units' population values: over columns where the scheme compiles to a column program,
    else unit by unit (:func:`perfrules.scoring.population.population_values`)."""
    program = program_of(plan)
    if program.ranks is not None and _columns_decide(program):  # ranks over columns
        if not any(isinstance(s, PeerRatio) for ind in plan.indicators for s in ind.peer_steps):
            return gather(program, units)
        if program.ranks:  # peer ratios and ranks, each over columns
            peers = batch_peer_values(plan, units, ranks=True)
            if peers is not None:
                peers.join(gather(program, units))
                return peers
    peers = batch_peer_values(plan, units)  # peer ratios over columns
    return peers if peers is not None else population_values(plan.indicators, units)


def _columns_decide(program: ColumnProgram) -> bool:
    """Whether the not-applicable rules of the indicators with population steps read number columns
    only: a word a condition compares, another indicator's result (which the per-unit way cannot
    read before any unit is scored, so that such a rule leaves the unit out unless an earlier one
    decides), or a population value (none there: a unit whose rule reaches one is left out), are
    left to the per-unit way."""
    text = frozenset(program.text_reads) | program.plan.results.keys()
    indicators = program.plan.indicators
    for k, _, names in program.na_rules:
        ind = indicators[k]
        if ind.has_population and (
            text.intersection(names) or any(p.when.population_calls for p in ind.not_applicable if p.when)
        ):
            return False
    return True


def _not_applicable(program: ColumnProgram) -> dict[str, tuple[Any, tuple[str, ...]]]:
    """Per indicator code with not-applicable rules: where they hold over columns, and what they read."""
    indicators = program.plan.indicators
    return {indicators[k].code: (holds, names) for k, holds, names in program.na_rules}


def gather(program: ColumnProgram, units: Sequence[Unit]) -> BatchPopulation:
    """The batch's population values for *program*, gathered over columns (see the module's docstring)."""
    np = numpy()
    n = len(units)
    scheme = program.plan.scheme
    known = frozenset(scheme.categories)
    with gc_paused():
        plain = np.array([not (u.problems or u.not_applicable or u.periods) for u in units], dtype=bool)
        takes = np.array([not known or u.category in known for u in units], dtype=bool)
        datas = [u.data for u in units]
        ranks = program.ranks or []
        # A unit an indicator's not-applicable rules leave out takes no part in its population steps;
        # a unit whose rules read a cell that is not a plain number puts its part in one by one.
        rules = _not_applicable(program)
        codes = {a[0].code for a in program.arguments} | {r.ind.code for r in ranks}
        rules = {code: found for code, found in rules.items() if code in codes}
        wanted = sorted(
            {v for *_, reads, _ in program.arguments for v in reads}
            | {v for r in ranks for v in r.reads}
            | {v for _, read in rules.values() for v in read}
        )
        params = program.params  # per-unit parameters where a unit's data gives none (colparams)
        columns = from_records(datas, sorted({*wanted, *(params.tables if params is not None else ())}))
        given = columns
        if params is not None:  # (a parameter's own cell that is text: that unit's part, one by one)
            plain &= params.fine(units, columns)
            given = params.joined([u.name for u in units], columns)
        cols: dict[str, Any] = {name: col for name, (col, _) in given.items()}
        if scheme.categories:  # 分值 per category, read by rules and ranked steps (colfull)
            index = {c: i for i, c in enumerate(scheme.categories)}
            cols[CATEGORY] = np.array([index.get(u.category or "", 0) for u in units], dtype=np.int64)
        excluded: dict[str, Any] = {}  # per indicator code, the units its not-applicable rules leave out
        for code, (holds, read) in rules.items():
            # (a unit whose rule raises takes no part either: population.observe skips it; every divisor
            # kept, so that only a rule that raises marks a unit)
            with divisors("exact"):
                excluded[code] = holds(cols, n) | cols.get(RAISED, {}).get(code, False)
            for name in read:
                plain &= given[name][1]
        for field in sorted({v for *_, words in program.arguments for v in words}):
            # (read as words by a part: each cell as it is, graded by the part's own scale: collookup)
            cols[WORDS + field] = text_column([d.get(field) for d in datas])[0]
        values = []  # per call: its argument's column in pieces, and where the argument raises
        for _, _, _, fn, reads, _ in program.arguments:
            values.append(_pieces(fn, cols, n))
            for name in reads:
                plain &= given[name][1]
        ranked = []
        for rank in ranks:
            ranked.append(rank.values(cols, n))
            for name in rank.reads:
                plain &= given[name][1]
        if SEND_BACK in cols:
            plain &= ~cols[SEND_BACK]
        rest = [units[i] for i in np.flatnonzero(~plain).tolist()]
        observations = observe(program.plan.indicators, rest)
        names = [u.name for u in units]
        row = {name: i for i, name in enumerate(names)}
        categories = [u.category for u in units]
        observed: dict[tuple[str, str], Any] = {}
        rankings: dict[tuple[str, str], Any] = {}
        groups: dict[tuple[str, str], list[str | None]] = {}
        summaries: dict[CallSlot, Any] = {}
        functions: dict[tuple[str, str], str] = {}
        nobody: list[str | None] = [None] * n  # no groups (shared by the calls, never changed)
        for (ind, key, function, *_), (pieces, raised) in zip(program.arguments, values, strict=True):
            slot = (ind.code, key)
            functions[slot] = function
            mask = plain & takes & ~raised  # (a unit whose argument raises puts nothing in: observe)
            if ind.code in excluded:
                mask &= ~excluded[ind.code]
            if ind.ind.applies_to is not None:
                members = ind.ind.applies_to
                mask &= np.array([name in members for name in names], dtype=bool)
            observed[slot] = mask
            by: list[str | None] = categories if ind.ind.within == "category" else nobody
            groups[slot] = by
            for group in dict.fromkeys(by) if by is not nobody else (None,):
                rows = mask if group is None else mask & np.array([c == group for c in by], dtype=bool)
                found = summaries.get((*slot, group))
                for at, col in pieces:
                    found = merge_call(found, column_summary(col, rows if at is None else rows[at]))
                summaries[(*slot, group)] = found
        by_step: dict[tuple[str, str], list[tuple[int, Any]]] = {
            (r.ind.code, r.step.target): [] for r in ranks
        }
        per_period = []  # values among units' period rows: worked out as population.py does
        for seen in observations:
            name, (kind, code, key, period, group), own = seen
            if period is not None and kind not in ("pooled", "ratios"):
                per_period.append(seen)
                continue
            if kind in ("pooled", "ratios"):  # (peer ratios: colpeervalues)
                continue
            if kind == "rank":
                by_step[(code, key)].append((row[name], seen))
                continue
            assert kind == "call"
            slot = (code, key)
            observed[slot][row[name]] = True
            one = (own, own, own, 1)
            summaries[(*slot, group)] = merge_call(summaries.get((*slot, group)), one)  # type: ignore[arg-type]
        shared = {
            slot: exact(call_value(functions[slot[:2]], summary))
            for slot, summary in summaries.items()
            if summary is not None
        }
        for rank, (of, holds) in zip(ranks, ranked, strict=True):
            mask = plain & takes
            if rank.ind.code in excluded:
                mask &= ~excluded[rank.ind.code]
            if rank.ind.ind.applies_to is not None:
                members = rank.ind.ind.applies_to
                mask &= np.array([name in members for name in names], dtype=bool)
            step_key = (rank.ind.code, rank.step.target)
            rankings[step_key] = rank_columns(rank, of, holds, mask, categories, by_step[step_key])
    found = BatchPopulation(names, groups, observed, shared)
    found.ranked = rankings
    if per_period:
        wanted_names = list(dict.fromkeys(o[0] for o in per_period))
        found.tables = resolve(program.plan.indicators, summarize(per_period), per_period, wanted_names)
    found.columns = columns
    found.of = units
    return found


def _pieces(fn: Any, cols: dict[str, Any], n: int) -> tuple[list[tuple[Any, IntColumn]], Any]:
    """A population call's argument over the batch's rows (*fn*: its column step): its column, in pieces
    each over its own denominator where the divisors are too many and unlike for one (halves of the
    rows, as :meth:`~perfrules.scoring.program.ColumnProgram.run` scores a batch: each piece's rows, None
    for all), and the rows where the argument cannot be worked out (a division by 0, a number past the
    limits: :func:`perfrules.scoring.population.observe` skips the unit there)."""
    np = numpy()
    scope = {k: v for k, v in cols.items() if k != SEND_BACK}
    parts = None
    try:
        with divisors("regroup" if n > 1 else "exact"):
            col = fn(scope, n)
    except Regroup:
        half = n // 2
        parts = [np.arange(half), np.arange(half, n)]
        sliced = [{k: _rows_of(v, rows) for k, v in scope.items()} for rows in parts]
        if any(v is None for part in sliced for v in part.values()):  # (a column it cannot cut)
            scope = {k: v for k, v in cols.items() if k != SEND_BACK}
            with divisors("exact"):
                col = fn(scope, n)
            parts = None
    if parts is None:
        raised = scope.get(SEND_BACK)
        return [(None, col)], raised if raised is not None else np.zeros(n, dtype=bool)
    out: list[tuple[Any, IntColumn]] = []
    bad = np.zeros(n, dtype=bool)
    for rows, part in zip(parts, sliced, strict=True):
        found, raised = _pieces(fn, part, len(rows))
        out += [(rows if at is None else rows[at], c) for at, c in found]
        bad[rows] = raised
    return out, bad


def _rows_of(value: Any, rows: Any) -> Any:
    """A column of the batch at *rows* (None: not a column this can cut)."""
    if isinstance(value, IntColumn):
        return IntColumn(value.num[rows], value.den, value.bound)
    if isinstance(value, numpy().ndarray):
        return value[rows]
    return None
