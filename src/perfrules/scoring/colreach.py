"""Which rows of an indicator's steps and score formula reach a blank input, over columns.

The per-unit program gives an indicator its default for no data (a ``default``
without ``when``) where its steps or score formula stop at an input that has
no value (:meth:`~perfrules.scoring.indicator.IndicatorPlan._score_once`
catches the ``MissingValueError``). A formula reads a name only where its
evaluation gets there: not in the branch of ``if(…)`` not taken, not past the
operand of ``and``/``or`` that decides, not past the comparison of a chain
that fails. Over columns a blank cell reads as 0, so which rows reach one is
worked out here, per row, beside the steps: each name is blank where its data
column's cell is (the batch's :data:`~perfrules.scoring.colblank.BLANK`), a
step's value never is, and ``if``, ``and``, ``or`` and chained comparisons
reach their later operands only where the earlier ones let them (their
conditions are worked out over the same columns, which is right wherever the
earlier operands reach no blank themselves). A division by 0 stops the
per-unit program too (the default's other case, worded apart): the
evaluation runs left to right, each operand of a chain before its operation,
so each row's first stop is followed — a blank read, or a divisor worked out
over the columns that is 0 there; where that cannot be told (a division by a
step's value, a power), the row goes to the per-unit program.

:func:`compile_reach` takes the forms where this is certain: a score formula,
or a threshold scale of one value (:func:`~perfrules.scoring.colblank.scale_read`:
the name it grades is read last) or a scale of conditions over numbers
(:func:`~perfrules.scoring.colblank.bands_read`: each condition in the order
the per-unit program reads them, over the steps' values, after the steps run),
after steps that are formulas, ``part`` steps
grading one value by a threshold scale (:func:`~perfrules.scoring.colblank.part_read`:
the step reads that one name), peer ratios or ranks (whose values are never
blank: where a unit has none, the step's error comes first), without zero rules
on a step — on the year's row and on period rows alike; each name is followed
to its data column through the indicator's ``inputs``. A population function
(``max_of(x)``) reads the batch's value, never the unit's cell: it stops the
per-unit program where the unit has no value of its own (the batch's
:data:`~perfrules.scoring.colsteps.POPULATION_ABSENT`; the default's words
then name the call); every other function evaluates all its arguments. Elsewhere it gives
None and the units with a blank input go to the per-unit program as before.
:mod:`~perfrules.scoring.coldefaults` gives the rows that reach a blank the
default (a default naming its inputs: where the input the per-unit program's
error names, or one of the named inputs, is blank; other rows keep the
indicator's error), and leaves :class:`Reached` under the batch's
:data:`~perfrules.scoring.colblank.TAKEN` for :class:`~perfrules.scoring.
colblank.Blanks` (a blank cell the indicator does not reach, or that a default
took, does not stop it) and for the explainer (the name the per-unit program's
words give, :meth:`Reached.name`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import MissingValueError
from .._intcols import numpy
from ..formula.language import Formula, normalize_name
from ..formula.tree import Node
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part, PeerRatio, Rank, step_target
from .coladjust import adjust_reads
from .colblank import (
    BLANK,
    REACHED,
    TAKEN,
    UNPLAIN,
    bands_read,
    graded_part,
    part_read,
    reach_fields,
    scale_read,
    word_read,
)
from .colconds import compile_condition
from .colfollow import Unsure, calls_in, crossings_followed, follow, in_turn, names_in, negated
from .collevels import PART_LACKING, levels_part
from .colsteps import SEND_BACK
from .compiled import Scored
from .indicator import IndicatorPlan
from .plan import Plan

__all__ = [
    "STEPS_LEFT",
    "UNPLAIN_READ",
    "Reach",
    "Reached",
    "Unread",
    "compile_reach",
    "compile_unread",
    "condition_reach",
    "condition_stops",
    "reaching",
]

STEPS_LEFT = "\0steps left "
"""Among the batch's columns, ``STEPS_LEFT + code``: the scope after the steps of an indicator without a
default for no data (its marks left out), where :class:`Unread` follows its formulas over the steps'
values (a condition reading one: :func:`compile_unread` *at_hand*)."""

UNPLAIN_READ = "\0cells not plain read"
"""Where the scope :func:`condition_stops`'s function runs over holds, per data column it follows,
which of its cells are not plain numbers (bool arrays)."""


class Reached:
    """Per row of a batch: where the indicator's steps or score formula reach a blank input, which
    formula first does (its position: the steps, then the score formula), the rows a default took
    (``when`` rules or the default for no data) and those the default for no data took."""

    def __init__(
        self,
        reach: Reach,
        found: tuple[Any, ...],
        fired: Any,
        taken: Any,
        blank: Any,
        lacking: Any = None,
        read: Mapping[str, Any] | None = None,
    ) -> None:
        self.reach, self.reached, self.where, self.pop = reach, found[0], found[1], found[5]
        self.lacking = lacking  # (per part graded by levels: the names it found no value for)
        self.unsure = found[4]  # (where the first stop is not known: a later blank may be read)
        self.fired, self.taken, self.blank = fired, taken, blank
        # Per data column the ``default … when`` conditions read (and no rule that runs in any case), the
        # rows where they read it (coldefaults).
        self.read = read or {}

    def excused(self) -> Any:
        """The rows a default took before the indicator read a population value: a ``default … when``,
        or the default for no data where the formula reaching a blank runs before the first peer ratio
        or rank step (the per-unit program runs the steps in order: that step's error comes first)."""
        first = self.reach.first_peer
        if first is None:
            return self.fired
        np = numpy()
        before = np.asarray(self.reach.before, dtype=np.int64)[np.maximum(self.where, 0)]
        return self.fired & ~(self.taken & (before > first))

    def ran(self) -> Any:
        """Per row, how many of the indicator's steps the per-unit program worked out before its
        default for no data took the row on a blank its formulas reach (their values are the default's:
        its rules may read them); 0 on every other row."""
        np = numpy()
        before = np.asarray(self.reach.before, dtype=np.int64)[np.maximum(self.where, 0)]
        return np.where(self.taken, before, 0)

    def name(self, i: int) -> str:
        """The input the per-unit program's error names on row *i* (reached there): the population
        value the unit lacks where that stops it first, else the first, in sorted order, of the
        blank names of the formula that reaches one."""
        if self.pop[i] > 0:
            return self.reach.keys[int(self.pop[i]) - 1][1]
        part = self.reach.parts.get(int(self.where[i]))
        if part is not None:  # (a part graded by levels: the name its lookup found no value for)
            return str(self.lacking[part][i])
        names, field = self.reach.names[int(self.where[i])], self.reach.field
        return next(name for name in names if self.blank[field(name)][i])

    def default(self, i: int, category: str | None, columns: dict[str, Any], number: Any) -> Scored:
        """What the per-unit program's default for no data gives row *i* (taken there), before the
        adjustments: its words name the blank input, with the values of the steps before the formula
        that reaches it (*columns*: the steps' columns, *number*: a column's row as a number)."""
        ind = self.reach.ind
        ran = ind.steps[: self.reach.before[int(self.where[i])]]  # (peer ratios and ranks among them)
        values = {step_target(s): number(columns[step_target(s)], i) for s in ran}
        return ind.no_data_default(MissingValueError(self.name(i), ""), category, values)

    def harmless(self, name: str) -> Any:
        """Where a blank cell of data name *name* does not stop the indicator: rows a default took
        (before its zero rules), and rows whose steps and score formula do not reach it (for a name
        only they read); nowhere for a name the adjustments or vetoes read, and for one the ``when`` rules
        read, only where they do not read it."""
        reach = self.reach
        read = self.read.get(name)
        if (name in reach.other and read is None) or name not in self.blank:  # (data names: ``inputs``)
            return False
        if name in reach.zeroed or name not in reach.fields:
            rows = self.blank[name] & self.fired
        else:
            rows = self.blank[name] & (self.fired | ~(self.reached | self.unsure))
        return rows if read is None else rows & ~read


class Reach:
    """An indicator's steps and score formula as reach columns (see the module's docstring)."""

    def __init__(
        self,
        ind: IndicatorPlan,
        reads: Sequence[frozenset[str]],
        fns: Sequence[Any],
        fields: set[str],
        key: str,
        before: list[int],
    ):
        self.ind = ind
        self.key = key  # where the batch's columns mark the cells it follows (BLANK, or UNPLAIN)
        self.keys: list[tuple[str, str]] = []  # the population calls it follows: column, key
        self.crossings = False  # whether it finds every clamp() whose bounds are crossed (CROSSED)
        self.fns = fns
        self.field = _fields_of(ind)  # a name the formulas read -> its data column (the ``inputs``)
        self.fields = frozenset(map(self.field, fields))  # the data columns
        # Per formula (the steps' reads, then the score formula or scale's): how many steps run before it.
        self.before = before
        # The first peer ratio or rank step (its place among the steps; None: none).
        self.first_peer = next((k for k, s in enumerate(ind.steps) if isinstance(s, PeerRatio | Rank)), None)
        self.zeroed = frozenset(map(self.field, set().union(*(r.when.variables for r in ind.zero_indicator))))
        other = [
            w.variables for w in (*(p.when for p in ind.defaults_when), *(v.when for v in ind.vetoes)) if w
        ]
        self.other = frozenset(map(self.field, set(adjust_reads(ind)).union(*other)))
        # Per formula: its data names in sorted order (the per-unit program's error names the first blank).
        self.names = [sorted(n for n in names if n in fields) for names in reads]
        # The parts graded by levels over several values among them (by place): their lookups name the
        # value they found none for (PART_LACKING, by the part's target).
        self.parts: dict[int, str] = {}
        policy = ind.no_data
        self.missing = (
            frozenset(normalize_name(m) for m in policy.missing) if policy is not None else frozenset()
        )

    def stops(self, cols: dict[str, Any], n: int) -> Any:
        """Where the formulas stop before they finish (a cell that is not a plain number read, a
        division by 0, or a stop whose place is not known)."""
        reached, _, _, zero, unsure, _ = self.run(cols, n)
        return reached | zero | unsure

    def unread(self, name: str) -> bool:
        """Whether the formulas are all that read data column *name* (no rule, adjustment or veto)."""
        return name in self.fields and name not in self.other and name not in self.zeroed

    def ready(self, cols: dict[str, Any]) -> bool:
        """Whether the batch's columns say which cells of every data name are blank."""
        return bool(self.fields <= cols.get(self.key, {}).keys())

    def mark(
        self,
        cols: dict[str, Any],
        found: tuple[Any, ...],
        fired: Any,
        taken: Any,
        *,
        lacking: Any = None,
        read: Mapping[str, Any] | None = None,
    ) -> None:
        """Leave where the batch's rows reach a blank (*found*: :meth:`run`), where a default took
        them (*fired*) and where the default for no data did (*taken*) under the batch's ``TAKEN``;
        *lacking*: the names the parts graded by levels found no value for (``PART_LACKING``); *read*:
        per data column the ``default … when`` conditions read (and no rule that runs in any case),
        the rows where they read it."""
        cols[TAKEN][REACHED + self.ind.code] = Reached(self, found, fired, taken, cols[BLANK], lacking, read)

    def run(self, cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any, Any, Any]:
        """Per row: whether a formula reaches a blank before anything else stops it, the first that
        does, whether the default for no data takes that row (a default naming its inputs: see the
        module's docstring), whether a division by 0 stops the formulas first, and whether which
        comes first is not known (see :func:`follow`); and where the first stop is a population value
        the unit lacks, which (its place in :attr:`keys`, plus 1; 0: none)."""
        np = numpy()
        blank = cols[self.key]
        reached = np.zeros(n, dtype=bool)
        zero = np.zeros(n, dtype=bool)
        unsure = np.zeros(n, dtype=bool)
        where = np.full(n, -1, dtype=np.int64)
        pop = np.zeros(n, dtype=np.int64)
        for j, fn in enumerate(self.fns):
            b, z, u, p = fn(cols, n)
            going = ~(reached | zero | unsure)
            where[b & going] = j
            pop[going] = p[going]
            reached |= b & going
            zero |= z & going
            unsure |= u & going
        if not self.missing:
            return reached, where, reached, zero, unsure, pop
        named = np.zeros(n, dtype=bool)  # one of the inputs the default names is blank
        for name in self.missing:
            named |= blank.get(self.field(name), False)
        allowed = named.copy()
        for i in np.flatnonzero(reached & ~named & (pop == 0)).tolist():  # (a population value: not named)
            part = self.parts.get(int(where[i]))
            names = self.names[int(where[i])]
            if part is not None:  # (the name the part's lookup found no value for)
                first = cols[PART_LACKING][part][i]
            else:
                first = next((m for m in names if blank[self.field(m)][i]), None)
            allowed[i] = first is not None and normalize_name(first) in self.missing
        return reached, where, reached & allowed, zero, unsure, pop


class Unread:
    """Per indicator of a plan, its :func:`compile_unread` (None: none), and the data columns they
    follow (the batch's :data:`~perfrules.scoring.colblank.UNPLAIN`)."""

    def __init__(self, plan: Plan, compile_node: Any, unsupported: type[Exception]) -> None:
        self.reaches = [compile_unread(ind, compile_node, unsupported) for ind in plan.indicators]
        # Where that is not certain before the steps (a condition reading a step's value), over the
        # steps' values their column step leaves (STEPS_LEFT): the indicators followed so.
        self.left: set[int] = set()
        for k, ind in enumerate(plan.indicators):
            if self.reaches[k] is None and not ind.periodic:
                self.reaches[k] = compile_unread(ind, compile_node, unsupported, at_hand=True)
                if self.reaches[k] is not None:
                    self.left.add(k)
        self.fields = sorted(set().union(*(r.fields for r in self.reaches if r is not None)))

    def plain(self, k: int, name: str, plain: Any, cols: dict[str, Any], going: dict[int, Any]) -> Any:
        """*plain* (which cells of data column *name* are plain numbers) with those indicator *k* does
        not read: where its formulas stop at nothing, a cell only they read is no error. *going*: per
        indicator, where its formulas stop at nothing, filled in as it is worked out (one batch)."""
        reach = self.reaches[k]
        if reach is None or not reach.unread(name) or not reach.ready(cols):
            return plain
        if k not in going:
            scope = {c: v for c, v in cols.items() if c != SEND_BACK}  # (its conditions' marks: its own)
            if k in self.left:  # (over the steps' values: none left, every cell read)
                left = cols.get(STEPS_LEFT + reach.ind.code)
                if left is None:
                    return plain
                scope.update(left)
            going[k] = ~reach.stops(scope, len(plain))
        return plain | going[k]

    def unstopped(self, k: int, gaps: dict[str, Any], scope: dict[str, Any], n: int) -> dict[str, Any]:
        """*gaps* (per data column, the rows of *scope* whose cell is not a plain number: a batch of
        period rows, or the sums of a unit's periods) without the rows indicator *k*'s formulas stop at
        nothing on, for the columns only they read: there a cell they do not read is no error. *scope*
        marks those cells under :data:`~perfrules.scoring.colblank.UNPLAIN` (where it does not for every
        column followed, *gaps* as they are)."""
        reach = self.reaches[k]
        if reach is None or k in self.left or not any(map(reach.unread, gaps)) or not reach.ready(scope):
            return gaps
        own = {c: v for c, v in scope.items() if c != SEND_BACK}  # (its conditions' marks: its own)
        going = ~reach.stops(own, n)
        return {name: gap & ~going if reach.unread(name) else gap for name, gap in gaps.items()}


def compile_unread(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception], at_hand: bool = False
) -> Reach | None:
    """For an indicator without a default for no data, without ``inputs``: its :class:`Reach` over the
    cells that are not plain numbers (the batch's :data:`~perfrules.scoring.colblank.UNPLAIN` holds
    those for its columns; for an indicator reported per period, its period rows' or summed periods'
    scope: :meth:`Unread.unstopped`). Where its formulas stop at nothing (:meth:`Reach.stops`), a cell
    they do not read is no error, as in the per-unit program (the branch of ``if`` not taken); None
    where that is not certain. ``分值`` is never a stop (a condition or divisor reading it: not
    certain), nor a population value the unit has (one it lacks stops it, and is its error). *at_hand*:
    followed over the steps' values (:data:`STEPS_LEFT`)."""
    if ind.no_data is not None or ind.ind.inputs:
        return None
    return compile_reach(ind, compile_node, unsupported, key=UNPLAIN, at_hand=at_hand)


def compile_reach(
    ind: IndicatorPlan,
    compile_node: Any,
    unsupported: type[Exception],
    key: str = BLANK,
    at_hand: bool = False,
) -> Reach | None:
    """The indicator's :class:`Reach` where it is certain (see the module's docstring), else None;
    *key*: the cells it follows (:data:`UNPLAIN`: :func:`compile_unread`); *at_hand*: it runs after
    the steps, over their values (a division by a step's value, a condition on one, a scale's
    conditions are followed there)."""
    known = reach_fields(ind, key == BLANK, at_hand)
    policy, formula, graded = ind.no_data, ind.ind.score, scale_read(ind) or word_read(ind)
    if known is None:
        return None
    bands = ind.ind.scale if key == BLANK and bands_read(ind) is not None else None
    if (bands is not None or ind.zero_by_target or any(map(_after_steps, ind.steps))) and not at_hand:
        return None  # (conditions that read the steps' values)
    # Per formula the indicator reads, in turn: the formula, how many steps run before it, and the
    # scale whose conditions it is (None: a formula as it is). The formula steps, a part's reads (the
    # name it grades; a part over words: its ``of``; over several values: its ``of``, then each
    # condition), and the score formula (a scale grading one name after the steps: the name read
    # last; a scale of conditions: each condition).
    entries: list[tuple[Formula | None, int, Any]] = []
    for k, step in enumerate(ind.steps):
        if isinstance(step, Formula) or part_read(step):
            entries.append((_read_of(step), k, None))
        elif isinstance(step, Part):
            if step.of is not None:
                entries.append((Formula.parse(step.of), k, None))
            if levels_part(step):  # (where its conditions reach no value: its lookup says, PART_LACKING)
                entries.append((None, k, step))
            elif graded_part(step) and not (step.of is not None and len(step.scale.variables) == 1):
                entries += [(cond, k, step.scale) for band in step.scale.bands for cond in band.conditions]
        # The step's zero rules, each worked out in turn after it (its own value and later steps' are
        # not at hand as the per-unit program reads them there: not followed).
        later = {step_target(s) for s in ind.steps[k:]}
        for rule in ind.zero_by_target.get(step_target(step), ()):
            if later & rule.when.variables:
                return None
            entries.append((rule.when, k, None))
    last = len(ind.steps)
    if bands is not None:
        entries += [(cond, last, bands) for band in bands.bands for cond in band.conditions]
    elif formula is not None:
        entries.append((formula, last, None))
    elif graded is not None:
        entries.append((Formula.parse(graded), last, None))
    # (else a scale with levels after the steps: its lookup decides its blank words, colblank.first_graded)
    reads = [f.variables if f is not None else frozenset(scale.scale.variables) for f, _, scale in entries]
    computed = {FULL_NAME, *ind.targets}
    fields = {n for names in reads for n in names} - computed
    if not fields:
        return None  # (no data name to reach: the formulas read only steps' values and 分值)
    if policy is not None and {normalize_name(m) for m in policy.missing} - {
        normalize_name(n) for n in fields
    }:
        return None  # (a named input the formulas do not read: the per-unit program decides)
    how: tuple[Any, str, str, list[tuple[str, str]]] = (_fields_of(ind), key, ind.code, [])
    try:
        fns: list[Any] = []
        for j, (f, k, scale) in enumerate(entries):
            if f is None:
                fns.append(_lacking(scale.target))
            elif scale is None:
                fns.append(follow(f.tree, computed, compile_node, unsupported, how, at_hand))
            elif j == 0 or entries[j - 1][1:] != (k, scale):  # (after the steps: their values at hand)
                fns += _bands(scale, computed, compile_node, unsupported, how)
    except Unsure:
        return None
    except unsupported:
        return None
    found = Reach(ind, reads, fns, fields, key, [k for _, k, _ in entries])
    found.keys = how[3]
    # Whether it finds every crossed clamp() of the formulas the indicator's value runs (its zero rules
    # on the indicator and a part's levels are not followed here: none may hold one).
    seen = {FULL_NAME} if at_hand else computed
    found.crossings = not any(_clamps(r.when.tree) for r in ind.zero_indicator) and all(
        f is not None and crossings_followed(f.tree, seen, compile_node, unsupported) for f, _, _ in entries
    )
    found.parts = {j: scale.target for j, (f, _, scale) in enumerate(entries) if f is None}
    return found


def _after_steps(step: object) -> bool:
    """Whether *step*'s reads are followed over the steps' values only (after them): a part over words
    or conditions (:func:`~perfrules.scoring.colblank.graded_part`), or graded by levels over several
    values (its lookup's rows without a value)."""
    return graded_part(step) or levels_part(step)


def _lacking(target: str) -> Any:
    """The reach of a ``part`` graded by a scale with levels over several values (*target*): the rows
    its lookup found no value in (the scope's :data:`~perfrules.scoring.collevels.PART_LACKING`),
    where the per-unit program's grading stops; no division, nothing unknown."""

    def run(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
        np = numpy()
        names = cols.get(PART_LACKING, {}).get(target)
        none = np.zeros(n, dtype=bool)
        stops = none if names is None else np.fromiter((v is not None for v in names), dtype=bool, count=n)
        return stops, none, none.copy(), np.zeros(n, dtype=np.int64)

    return run


def condition_reach(
    node: Node, absent: frozenset[str], compile_node: Any, unsupported: type[Exception]
) -> Any | None:
    """A condition (a not-applicable rule's ``when``) as a function of the batch's columns giving, per
    row, where its evaluation stops first at a name of *absent* (names the unit's data lacks there),
    where first at a division by 0, and where the order is not known (as :func:`follow` gives them;
    ``分值`` among the columns where it reads it). Its other names are no stop here. None: a form not
    followed (a condition on ``分值`` deciding what is read next); a population value is a stop whose
    place is not known."""
    key = "\0absent names"
    how: tuple[Any, str, str, list[tuple[str, str]]] = (lambda name: name, key, "", [])
    try:
        names = names_in(node)
        fn = follow(node, {FULL_NAME}, compile_node, unsupported, how)
    except (Unsure, unsupported):
        return None

    def run(cols: dict[str, Any], n: int) -> tuple[Any, Any, Any, Any]:
        np = numpy()
        where = {name: np.full(n, name in absent, dtype=bool) for name in names}
        return fn({**cols, key: where}, n)  # type: ignore[no-any-return]

    return run


def _bands(
    scale: Any, computed: set[str], compile_node: Any, unsupported: type[Exception], how: Any
) -> list[Any]:
    """A scale of conditions as reach functions, one per condition in the order the per-unit program
    reads them (:func:`~perfrules.grading.decide.grade_conditions`): band by band, each band's
    conditions until one holds, and under the policy ``first`` no band after one that holds. Its
    conditions are worked out over the steps' values too (the scope after them)."""
    fns: list[Any] = []
    held: list[Any] = []  # (the bands before that held, under ``first``)
    for band in scale.bands:
        before: list[Any] = []
        for cond in band.conditions:
            if FULL_NAME in cond.variables:
                raise Unsure  # (分值 is among the steps' scope only where a step reads it)
            gates = [negated(g) for g in (*held, *before)]
            gate = (lambda cols, n, gates=gates: _all(gates, cols, n)) if gates else None
            fns.append(in_turn([(gate, follow(cond.tree, computed, compile_node, unsupported, how, True))]))
            before.append(compile_condition(cond.tree, compile_node, unsupported))
        if scale.policy == "first":
            held.append(lambda cols, n, before=before: ~_all([negated(c) for c in before], cols, n))
    return fns


def _all(conditions: Sequence[Any], cols: dict[str, Any], n: int) -> Any:
    """Where every one of *conditions* holds."""
    found = numpy().ones(n, dtype=bool)
    for condition in conditions:
        found &= condition(cols, n)
    return found


def _read_of(step: object) -> Formula:
    """A formula step as it is, a ``part`` step as the formula of the name it reads (:func:`part_read`)."""
    if isinstance(step, Formula):
        return step
    read = part_read(step)
    assert read is not None
    return Formula.parse(read)


def condition_stops(
    node: Node,
    field: Any,
    compile_node: Any,
    unsupported: type[Exception],
    never_blank: frozenset[str] = frozenset({FULL_NAME}),
) -> Any:
    """A function of a batch's columns giving the rows where the condition *node* stops before it decides
    (:func:`follow`: a cell not plain, per the scope's :data:`UNPLAIN_READ` by data column, *field*; a
    division by 0; not known); None where that is not certain. The names of *never_blank* (``分值``)
    are never blank."""
    try:
        fn = follow(node, set(never_blank), compile_node, unsupported, (field, UNPLAIN_READ, "", []))
    except Unsure:
        return None

    def run(cols: dict[str, Any], n: int) -> Any:
        blank, zero, unsure, _ = fn(cols, n)
        return blank | zero | unsure

    return run


def _fields_of(ind: IndicatorPlan) -> Any:
    """The data column a name the indicator's formulas read is (through its ``inputs``)."""
    mapping = dict(ind.ind.inputs)
    return lambda name: mapping.get(name, name)


def reaching(node: Node, absent: str, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function of a scope's columns giving the rows where evaluating *node* (a rule's condition or
    formula) first stops at a name the scope's ``scope[absent]`` marks absent (per name, a bool
    array; a name it lacks is there), or at a division by 0, or where which comes first is not known
    (each row followed as :func:`follow` follows it). None where the form's reach is not followed
    (a population call among them)."""
    calls: list[tuple[str, str]] = []
    try:
        fn = follow(node, set(), compile_node, unsupported, (lambda name: name, absent, "", calls))
    except Unsure:
        return None
    if calls:
        return None

    def run(cols: dict[str, Any], n: int) -> Any:
        stopped, zero, unsure, _ = fn(cols, n)
        return stopped | zero | unsure

    return run


def _clamps(node: Node) -> bool:
    """Whether *node* calls ``clamp()``."""
    return any(call.func == "clamp" for call in calls_in(node))
