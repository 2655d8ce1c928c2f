"""``default … when`` policies as a column step: where the condition holds, the default score.

The per-unit program checks an indicator's ``default`` policies that have a
``when`` before it runs the indicator's steps (in
:meth:`~perfrules.scoring.indicator.IndicatorPlan._score_once`, on the unit's
data, or one period's): the first whose condition holds gives the indicator
its default score (:func:`perfrules.scoring.policies.default_score`: a number,
or the midpoint, top or bottom of the grade's score interval, in the
indicator's own units), and the steps do not run. Over columns: each
condition is a truth column (:mod:`perfrules.scoring.colconds`), the rows
where one holds take the first such policy's score, and what the steps would
have said about those rows (a divisor of 0, a value outside the scale's
domain) does not send them to the per-unit program; the others keep the
indicator's column step. As in the per-unit program, a condition is read only
on the rows no condition before it took: what it cannot work out there (a
divisor of 0) is the indicator's error (:mod:`~perfrules.scoring.colfailures`
words it), and a blank cell it reads stops only the rows where it gets to that
cell (``and``/``or`` read on while undecided: :func:`_when_reads`); elsewhere
it stops nothing where nothing else reads it, nor on a row a default took where
only the steps read it (:func:`~perfrules.scoring.colblank.when_taken`).

The ``default`` without ``when`` (no data) fires in the per-unit program where
a step divides by 0 or an input is missing. A row that divides by 0
(:data:`~perfrules.scoring.colsteps.ZERO_DIVISOR`) and meets nothing else the
per-unit program would stop at takes the default score here; so does a row
whose blank value a scale grades first (:mod:`~perfrules.scoring.colblank`), and
one whose score formula, formula or part steps reach a blank input before a
division by 0 stops them (:mod:`~perfrules.scoring.colreach`, which follows
each row to its first stop). Other missing inputs are cells that are not plain numbers, whose units go to
the per-unit program.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import as_fraction
from ..scheme.reads import FULL_NAME, renamed_variable
from ..scheme.steps import step_reads
from .coladjust import adjust_reads
from .colblank import (
    BLANK,
    PART_BLANK,
    STEPS_SCOPE,
    TAKEN,
    WHEN_TAKEN,
    WORDS_UNREAD,
    blank_value,
    first_graded,
)
from .colconds import compile_condition
from .colfollow import CROSSED
from .colfull import with_full
from .colfuncs import CROSSINGS_FOLLOWED
from .colgraded import GRADED_BLANK
from .collevels import PART_LACKING
from .colparts import MARK_TRAIL
from .colreach import UNPLAIN_READ, compile_reach, condition_stops
from .colsteps import CATEGORY, SEND_BACK, ZERO_DIVISOR, send_back
from .indicator import IndicatorPlan
from .policies import default_score

__all__ = ["STEPS_RAN", "with_defaults"]

STEPS_RAN = "\0steps ran "
"""Among the batch's columns, ``STEPS_RAN + code``: per row the default for no data took on a division
by 0, how many of the indicator's steps ran before the one that divided (their values are the
default's: its vetoes and adjustments may read them, :func:`perfrules.scoring.colpoints.compile_points`);
0 on every other row. Left only with a ``fired_key`` and where the steps' trail is known."""


def with_defaults(
    ind: IndicatorPlan,
    step: Any,
    categories: Sequence[str] | None,
    compile_node: Any,
    unsupported: type[Exception],
    fired_key: str | None = None,
    steps: str | bool = False,
) -> tuple[Any, set[str]]:
    """The indicator's column step *step* with its ``default … when`` policies before it, and the
    data names the conditions read. With *fired_key*, the rows a default took (a bool array) are
    left among the columns under it. *steps*: where *step* leaves the scope after the indicator's
    steps (True: :data:`~perfrules.scoring.colblank.STEPS_SCOPE`, :func:`~perfrules.scoring.colblank.
    leave_steps`; a key: there, left in place): the reach of its formulas is followed over the
    steps' values, after them (a division by a step's value, a scale's conditions: colreach).

    A default score that differs by category (the midpoint of 良 in each category's points) is
    each row's category's.

    Raises:
        unsupported: a condition that does not compile.
    """
    np = numpy()
    keys = categories or (None,)

    def scores(policy: Any) -> list[Fraction]:
        """The policy's default score per category (one where every category's is the same)."""
        found = [as_fraction(default_score(ind, policy, c)) for c in keys]
        return found[:1] if len(set(found)) == 1 else found

    rules: list[tuple[Any, list[Fraction]]] = []
    reads: set[str] = set()
    for policy in ind.defaults_when:
        assert policy.when is not None
        try:
            condition = compile_condition(policy.when.tree, compile_node, unsupported)
        except unsupported as exc:
            raise unsupported(f"indicator {ind.code}'s default when '{policy.when.text}': {exc}") from None
        # 分值 is the row's category's full points, as in the per-unit program's scope.
        rules.append((with_full(condition, ind, policy.when.variables), scores(policy)))
        reads |= policy.when.variables - {FULL_NAME}
    when_reads = _when_reads(ind, compile_node, unsupported)
    # The default for no data (no ``when``) takes the rows that divide by 0 (its other case, a missing
    # input, is a cell that is not a plain number: those units go to the per-unit program).
    no_data = None if ind.no_data is None else scores(ind.no_data)
    words_first = first_graded(ind)  # a blank word its scale grades first takes the default (colblank)
    blank = blank_value(ind)  # a blank value the scale grades first takes it too (colblank)
    at_hand = STEPS_SCOPE + ind.code if steps is True else steps or None
    if not ind.steps:
        at_hand = None
    # So do rows whose formulas reach one (colreach): over the steps' values where the step leaves
    # them, else (or where it did not) before the step, as far as that is certain.
    reach = compile_reach(ind, compile_node, unsupported)
    later = None if at_hand is None else compile_reach(ind, compile_node, unsupported, at_hand=True)
    # Every crossed clamp() of its formulas found where it comes first (colfollow), by either reach.
    crossings = reach is not None and reach.crossings and (later is None or later.crossings)
    if not rules and no_data is None:
        return step, reads
    last = len(rules)
    population = any(p.when.population_calls for p in ind.defaults_when if p.when is not None)
    rules.append((None, no_data if no_data is not None else [Fraction(0)]))
    by_category = any(len(values) > 1 for _, values in rules)

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        fired = np.zeros(n, dtype=bool)
        which = np.full(n, -1, dtype=np.int64)
        before_read = {}
        for j, (condition, _) in enumerate(rules[:last]):
            before_read[j] = fired.copy()
            # The per-unit program reads a condition only where no earlier one held: what it cannot
            # work out (a divisor of 0) counts only there.
            before = cols.pop(SEND_BACK, None)
            holds = condition(cols, n) & ~fired
            raised = cols.pop(SEND_BACK, None)
            for m in (before, None if raised is None else raised & ~fired):
                if m is not None:
                    send_back(cols, m)
            which[holds] = j
            fired |= holds
        read = {}  # (per data column a rule reads, where it does: colreach.Reached.harmless)
        if last and not population:  # (those rows read no population value: colblank.Blanks.lacking)
            cols[WHEN_TAKEN + ind.code] = fired.copy()
            read = _read_by_rules(when_reads, before_read, cols, n)
            for name, (only, rows) in read.items():  # (where a blank cell stops nothing: colblank)
                cols[WHEN_TAKEN + ind.code + "\0" + name] = ~rows if only else fired & ~rows
        if blank is not None and blank[1] in cols.get(BLANK, ()):
            taken = cols[BLANK][blank[1]] & ~fired
            which[taken] = last
            fired |= taken
            cols[TAKEN][ind.code] = taken
        found = reach.run(cols, n) if reach is not None and reach.ready(cols) else None
        earlier = cols.pop(SEND_BACK, None)
        if no_data is not None:
            cols[ZERO_DIVISOR] = np.zeros(n, dtype=bool)
            cols[PART_BLANK] = np.zeros(n, dtype=bool)  # (rows a part over words found no word in)
            cols[PART_LACKING] = {}  # (and the names a part graded by levels found none for: colparts)
        trail = cols[MARK_TRAIL] = []  # (the marks after each step: colparts)
        if found is not None and crossings:  # (where a clamp()'s crossed bounds come first: marked below)
            cols[CROSSINGS_FOLLOWED] = True
        col: IntColumn = step(cols, n)
        crossed = cols.pop(CROSSINGS_FOLLOWED, None) is not None
        cols.pop(MARK_TRAIL, None)
        parts = cols.pop(PART_BLANK, None)
        lacking = cols.pop(PART_LACKING, None)
        scope = None if at_hand is None else cols.pop(at_hand, None) if steps is True else cols.get(at_hand)
        used = reach
        if later is not None and later.ready(cols) and scope is not None:  # over the steps' values
            marks = (SEND_BACK, ZERO_DIVISOR, GRADED_BLANK)
            found, used = later.run({**{k: v for k, v in cols.items() if k not in marks}, **scope}, n), later
        marks = cols.pop(SEND_BACK, None)
        if crossed:
            assert found is not None
            first = found[4] & (found[5] == CROSSED)
            marks = first if marks is None else marks | first
        zero = cols.pop(ZERO_DIVISOR, None)
        words = cols.pop(GRADED_BLANK, None)  # rows a word scale found no word in (colgraded)
        if found is not None:
            # Rows whose formulas reach a blank input before a division by 0 stops them: the default,
            # unless the columns also mark the row. Rows a division by 0 stops first keep the default on
            # a division by 0 (below); where which comes first is not known (a division by a step's
            # value, a power), or where the columns divide by 0 where the formulas stop at nothing (the
            # branch not taken), the row is sent back.
            reached = found[0] & ~fired
            doubt = reached & (False if marks is None else _through(marks, trail, used, found[1], n))
            doubt |= found[4] & ~fired & (reached | (False if zero is None else zero))
            if zero is not None:
                doubt |= zero & ~fired & ~found[0] & ~found[3]
            blanks = reached & found[2] & ~doubt
            which[blanks] = last
            fired |= blanks
            marks = doubt if marks is None else marks | doubt
            zero = None if zero is None else zero & ~found[0] & ~doubt
        if zero is not None:
            # A row that divides by 0 and meets nothing else the per-unit program would stop at.
            taken = zero & ~fired & (~_divided(marks, trail, zero, n) if marks is not None else True)
            which[taken] = last
            fired |= taken
            if fired_key is not None:  # (the steps those rows ran, for rules that read their values)
                _leave_ran(cols, ind, trail, taken, n)
        unread = cols.get(WORDS_UNREAD, frozenset())  # (words not given as words: blank nowhere)
        if words_first is not None and TAKEN in cols and not words_first & unread:
            # No value to grade, and nothing before the grading that stops first: the default's (those
            # blank cells then do not stop the unit: colblank.Blanks.plain, colperiods); nor do they
            # where the default took the row at its steps (a blank input, a division by 0: never graded).
            taken = fired & (which == last)
            if words is not None:
                taken = words & ~fired & (~marks if marks is not None else True)
                which[taken] = last
                fired |= taken
                taken = fired & (which == last)
            cols[TAKEN][ind.code] = taken
        for blanks_left in (words, parts):  # the default took them, or the per-unit program decides
            if blanks_left is not None:
                lost = blanks_left & ~fired
                marks = lost if marks is None else marks | lost
        for m in (earlier, None if marks is None else marks & ~fired):
            if m is not None:
                send_back(cols, m)
        if found is not None:
            assert used is not None
            read_rows = {name: rows for name, (_, rows) in read.items()}
            used.mark(cols, found, fired, blanks, lacking=lacking, read=read_rows)
        if fired_key is not None:
            cols[fired_key] = fired
        if not fired.any():
            return col
        den = math.lcm(col.den, *(f.denominator for _, fs in rules for f in fs))
        values = [[f.numerator * (den // f.denominator) for f in fs] for _, fs in rules]
        factor = den // col.den
        bound = max(col.bound * factor, *(abs(v) for vs in values for v in vs))
        wide = bound >= SAFE or col.num.dtype == object
        num = as_objects(col.num) * factor if wide else col.num * factor
        if not wide and factor == 1:
            num = num.copy()
        category = cols[CATEGORY] if by_category else None
        for j, vs in enumerate(values):
            if len(vs) == 1:
                num[which == j] = vs[0]
                continue
            for c, v in enumerate(vs):  # the default of each row's category
                num[(which == j) & (category == c)] = v
        return IntColumn(num, den, bound)

    return run, reads


def _after_steps(trail: list[Any], n: int, at: int) -> Any:
    """Per step, the rows of *trail* (:data:`~perfrules.scoring.colparts.MARK_TRAIL`: per step, the
    marks and the divisions by 0 after it) at place *at* (an array: steps × rows); None where it is
    not one entry of *n* rows per step."""
    np = numpy()
    if any(t[at] is not None and len(t[at]) != n for t in trail):
        return None
    none = np.zeros(n, dtype=bool)
    return np.stack([none if t[at] is None else t[at] for t in trail]) if trail else np.zeros((0, n), bool)


def _through(marks: Any, trail: list[Any], reach: Any, where: Any, n: int) -> Any:
    """*marks* (the rows the indicator's columns marked) but those marked only after the formula each
    row first reaches a blank in (*where*: its place among *reach*'s formulas): the per-unit program
    stops there (the default takes the row), never working out a later step or the score formula.
    *trail*: the marks after each step (:data:`~perfrules.scoring.colparts.MARK_TRAIL`); where it is
    not one per step, *marks* as they are."""
    np = numpy()
    after = _after_steps(trail, n, 0) if len(trail) == len(reach.ind.steps) else None
    if after is None:
        return marks
    after = np.concatenate([after, marks[None, :]])  # after step k; last: the score formula's too
    before = np.asarray(reach.before, dtype=np.int64)[np.maximum(where, 0)]
    return np.where(where >= 0, after[before, np.arange(n)], marks)


def _leave_ran(cols: dict[str, Any], ind: IndicatorPlan, trail: list[Any], taken: Any, n: int) -> None:
    """Leave under :data:`STEPS_RAN` how many steps ran on each row of *taken* (taken on a division by
    0): those before the first after which the row had divided (all of them: the score formula's);
    nothing where *trail* is not one entry per step."""
    np = numpy()
    divided = _after_steps(trail, n, 1) if len(trail) == len(ind.steps) else None
    if divided is None or not taken.any():
        return
    divided = np.concatenate([divided, np.ones((1, n), dtype=bool)])
    cols[STEPS_RAN + ind.code] = np.where(taken, np.argmax(divided, axis=0), 0)


def _divided(marks: Any, trail: list[Any], zero: Any, n: int) -> Any:
    """*marks* but those marked only after the step in which each row of *zero* first divided by 0
    (the per-unit program stops there: the default takes the row); *marks* as they are where that is
    not known (*trail*: :data:`~perfrules.scoring.colparts.MARK_TRAIL`, its divisions by 0 kept)."""
    np = numpy()
    found, divided = _after_steps(trail, n, 0), _after_steps(trail, n, 1)
    if found is None or divided is None or not len(trail):
        return marks
    found = np.concatenate([found, marks[None, :]])
    divided = np.concatenate([divided, np.ones((1, n), dtype=bool)])
    first = np.argmax(divided, axis=0)  # the first step after which the row had divided by 0
    return np.where(zero, found[first, np.arange(n)], marks)


# Per data column a ``default … when`` condition reads: whether nothing else reads it, and each condition
# that reads it (its position, the names it reads, the name, and where it reaches that name: None, wherever
# it is read); None for a column a rule reads that runs in any case.
_Reads = dict[str, tuple[bool, list[tuple[int, frozenset[str], str, Any]]] | None]


def _when_reads(ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]) -> _Reads:
    """The data columns (through ``inputs``) that the indicator's rules read whether or not a default took
    the row (:data:`_Reads`): its ``default … when`` conditions, each where the per-unit program reads
    the name (no condition before it held; ``and``/``or`` read on while undecided: :func:`~perfrules.
    scoring.colreach.condition_stops`), and its not-applicable conditions, adjustments and vetoes,
    which run in any case."""
    field = ind.ind.inputs.get
    own = ind.ind
    elsewhere = set().union(*map(step_reads, own.steps))  # (what the steps, scale and zero rules read)
    if own.scale is not None:
        elsewhere |= own.scale.variables - {renamed_variable(own)}
    elsewhere |= {own.value} if own.value is not None else set()
    elsewhere |= own.score.variables if own.score is not None else set()
    for zero in (*ind.zero_indicator, *(z for zs in ind.zero_by_target.values() for z in zs)):
        elsewhere |= zero.when.variables
    elsewhere = {field(name, name) for name in elsewhere}
    found: _Reads = {}
    for j, policy in enumerate(ind.defaults_when):
        assert policy.when is not None
        names = frozenset(policy.when.variables - {FULL_NAME})
        reach = condition_stops(policy.when.tree, lambda local: local, compile_node, unsupported)
        for name in sorted(names):
            entry = found.setdefault(field(name, name), (field(name, name) not in elsewhere, []))
            assert entry is not None
            entry[1].append((j, names, name, reach))
    always = set(adjust_reads(ind))
    for veto in ind.vetoes:
        always |= veto.when.variables
    for rule in ind.not_applicable:
        if rule.when is not None:
            always |= rule.when.variables
        if rule.missing:
            always |= set(rule.missing) if isinstance(rule.missing, tuple) else set(ind.sorted_inputs)
    found.update(dict.fromkeys((field(name, name) for name in always), None))
    return found


def _read_by_rules(
    reads: _Reads, before: dict[int, Any], cols: dict[str, Any], n: int
) -> dict[str, tuple[bool, Any]]:
    """Per data column of *reads*, whether only the ``default … when`` conditions read it, and the rows
    where a rule reads it: everywhere for a rule that runs in any case; a condition only where none before
    it held (*before*: per condition, the rows taken before it) and it gets to the name."""
    np = numpy()
    scope = {k: v for k, v in cols.items() if k not in (SEND_BACK, ZERO_DIVISOR)}
    out = {}
    for field, entry in reads.items():
        if entry is None:
            out[field] = (False, np.ones(n, dtype=bool))
            continue
        only, entries = entry
        read = np.zeros(n, dtype=bool)
        for j, names, name, reach in entries:
            going = ~before[j]
            if reach is not None:  # (where the condition gets to *name*: marked as a cell not plain)
                marked = {other: np.full(n, other == name, dtype=bool) for other in names}
                going &= reach({**scope, UNPLAIN_READ: marked}, n)
            read |= going
        out[field] = (only, read)
    return out
