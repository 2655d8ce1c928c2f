"""A blank input a ``default`` for no data takes, over columns: which rows take the default score.

The per-unit program gives an indicator its ``default`` without ``when``
(the default for no data) where its steps or grading stop at an input that
has no value (:meth:`~perfrules.scoring.indicator.IndicatorPlan._score_once`
catches the ``MissingValueError``). Over columns a blank cell reads as 0, so
which rows stop there is decided here, for the form where it is certain: an
indicator graded by a scale of one value (:mod:`~perfrules.scoring.colscale`)
with no steps, whose value is a data column (through its ``inputs``), no
population values, a default for no data that names no inputs of its own, and
no ``default … when`` reading that value. Its grading reads the value first
and nothing else, so a blank value takes the default — after the ``default …
when`` rules that hold, before the zero rules, with the adjustments after it,
as the per-unit program does (:mod:`~perfrules.scoring.coldefaults`).

The batch's columns say which cells are blank under :data:`BLANK` (per data
column: a bool array; for an indicator reported per period, a period row is
blank where the period gives no value and its unit's year cell is blank), and
the rows taken are left under :data:`TAKEN` (per indicator code), so the
program does not hold those cells against the unit. A cell that holds
something the column does not (``Unit`` objects) is not blank: it marks the
indicators that read it (:mod:`~perfrules.scoring.coldoubt`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from .._intcols import from_values, numpy
from ..formula.language import Formula, normalize_name
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part, PeerRatio, Rank, step_reads
from .coladjust import adjust_reads
from .collevels import TAKEN, graded_only, graded_rows, level_word, levels_part, renamed
from .colsteps import SEND_BACK, ZERO_DIVISOR
from .indicator import IndicatorPlan
from .plan import Plan

__all__ = [
    "BLANK",
    "PART_BLANK",
    "REACHED",
    "TAKEN",
    "STEPS_SCOPE",
    "UNPLAIN",
    "WHEN_TAKEN",
    "WORDS_UNREAD",
    "Blanks",
    "as_numbers",
    "bands_read",
    "blank_value",
    "first_graded",
    "lacking",
    "leave_steps",
    "graded_part",
    "stopping",
    "Unnamed",
    "unnamed",
    "part_read",
    "reach_fields",
    "takes_no_value",
    "when_taken",
]

BLANK = "\0blank cells"
"""Where a batch's columns hold, per data column, which of its cells are blank (bool arrays)."""

UNPLAIN = "\0cells not plain"
"""Where a batch's columns hold, per data column :class:`Blanks` keeps *loose*, which of its cells are
not plain numbers (blank or not: bool arrays)."""


GOING = "\0formulas going"
"""Where a batch's columns hold, per indicator without a default for no data, where its formulas stop
at nothing (filled in as each is worked out: colreach.Unread)."""


WORDS_UNREAD = "\0words unread"
"""Where a batch's columns hold the columns of words the program was not given as words (a frozenset of
their names, absent where there are none): no cell of theirs is known to be blank."""


PART_BLANK = "\0part blank"
"""Where a batch's columns hold the rows a ``part`` over words found no word to grade in (a bool array,
filled in place by :mod:`~perfrules.scoring.colparts`), for an indicator with a default for no data
(coldefaults puts it there): the default takes them where the reach says so, and sends the others back."""


STEPS_SCOPE = "\0steps scope "
"""Where a batch's columns hold, as ``STEPS_SCOPE + code``, the scope after the steps of an indicator
with a default for no data (:func:`leave_steps`): colreach follows its formulas and a scale's
conditions over the steps' values (coldefaults takes it)."""


REACHED = "\0reached "
"""Under :data:`TAKEN`, ``REACHED + code``: which rows of the indicator's steps and score formula
reach a blank input (:class:`perfrules.scoring.colreach.Reached`)."""

WHEN_TAKEN = "\0when taken "
"""Among the batch's columns, ``WHEN_TAKEN + code``: the rows the indicator's ``default … when``
policies took (a bool array; left only where their conditions read no population value); with
``+ "\0" + name``, for a data column *name* their conditions or the rules that run whether or not a
default took the row read, the rows where none of those nor the steps read it
(:mod:`~perfrules.scoring.coldefaults`: :func:`when_taken`)."""


def when_taken(code: str, name: str, scope: Mapping[str, Any]) -> Any:
    """The rows of *scope* where a blank cell of data column *name* stops nothing for indicator *code*: its
    ``default … when`` took the row before a rule read it, or only those conditions read it and they do
    not get to it (:data:`WHEN_TAKEN`; None: none)."""
    took = scope.get(WHEN_TAKEN + code)
    return took if took is None else scope.get(WHEN_TAKEN + code + "\0" + name, took)


def reach_fields(ind: IndicatorPlan, defaulted: bool = True, at_hand: bool = False) -> frozenset[str] | None:
    """The data names of an indicator whose steps and score formula :mod:`~perfrules.scoring.colreach`
    follows to a blank input (its default for no data takes those rows), with those its zero rules
    read, as data columns (through its ``inputs``); None where it does not (a scale other than
    :func:`scale_read`'s, :func:`word_read`'s or :func:`bands_read`'s, steps other than formulas,
    :func:`part_read`'s parts, peer ratios and ranks, or with zero rules of their own). A peer
    ratio's or rank's value is never blank: where the unit has none, the step's error comes first
    (the indicator's error, as :mod:`~perfrules.scoring.colfailures` words it), as it runs before
    the score formula. Not
    *defaulted*: the same of an indicator without a default for no data (any cell that is not a
    plain number its formulas reach is its error; its steps' zero rules only *at_hand*: over the steps'
    values)."""
    formula = ind.ind.score
    graded = scale_read(ind) or (word_read(ind) if defaulted else None)
    bands = bands_read(ind) if defaulted else None  # (a scale of conditions: graded is None)
    # A scale with levels after formula steps (first_graded: its lookup decides its own blank words): the
    # steps are followed, not the scale.
    leveled = defaulted and bool(ind.steps) and formula is None and first_graded(ind) is not None
    if (ind.no_data is None) == defaulted or (
        bands is None and not leveled and (formula is None) == (graded is None)
    ):
        return None
    if ind.zero_by_target and not defaulted and not at_hand:
        return None  # (a step's zero rules: followed over the steps' values, colreach)
    parts = [s for s in ind.steps if defaulted and (graded_part(s) or levels_part(s))]  # (colreach)
    if not all(isinstance(s, Formula | PeerRatio | Rank) or part_read(s) or s in parts for s in ind.steps):
        return None
    names: set[str] = set(formula.variables) if formula is not None else {graded} if graded else set()
    names = names.union(*(s.variables for s in ind.steps if isinstance(s, Formula)))
    names |= {read for read in map(part_read, ind.steps) if read is not None}
    for part in parts:  # (its ``of``; a scale of conditions: its values)
        assert isinstance(part, Part)
        names |= ({part.of} if part.of is not None else set()) | (
            set() if part.scale.is_categorical or level_word(part) else set(part.scale.variables)
        )
    names |= set().union(*(rule.when.variables for rule in ind.zero_indicator), bands or ())
    names |= set().union(*(rule.when.variables for rules in ind.zero_by_target.values() for rule in rules))
    mapping = ind.ind.inputs  # (the data columns of the names read, through the ``inputs``)
    return frozenset(mapping.get(name, name) for name in names - ind.targets - {FULL_NAME})


class Unnamed:
    """An indicator graded by a word scale without ``value``, with a default for no data
    (:func:`perfrules.scoring.colgraded.compile_looked_up`): the per-unit program's steps run, then it
    finds no value to grade (a missing input named by the indicator's code), and its ``no_data`` check
    decides whether the default takes what stopped it — a division by 0 always; a missing input
    unless the default names its inputs (``missing``), none of them is blank, and the missing one is
    not among them (nor the code).

    *named*: the data columns of the inputs it names (through the ``inputs``; not the steps' values,
    there once the steps finish), empty where it names none; *every*: whether the default takes every
    row stopped by a missing input (it names none); *code*: whether it names the code (it takes the
    rows whose steps finish); *harmless*: the data columns the steps or that list read and no rule
    of the indicator does (its ``default … when``, adjustments, vetoes, zero rules and not-applicable
    conditions are worked out outside the default: a blank there is their error): a blank cell there
    stops the indicator only where the default does not take the row (:meth:`taken`)."""

    __slots__ = ("code", "every", "harmless", "listed", "named")

    def __init__(self, ind: IndicatorPlan) -> None:
        policy = ind.no_data
        assert policy is not None
        mapping = ind.ind.inputs
        listed = [m for m in policy.missing if m not in ind.targets and m != FULL_NAME]
        self.named = frozenset(mapping.get(m, m) for m in listed)
        self.every = not policy.missing
        self.code = normalize_name(ind.code) in policy.missing
        conditions = [
            *(p.when for p in ind.defaults_when),
            *(v.when for v in ind.vetoes),
            *(r.when for r in ind.zero_indicator),
            *(p.when for p in ind.not_applicable),
        ]
        read = set(adjust_reads(ind)).union(*(c.variables for c in conditions if c is not None))
        loose = any(rule.missing is True for rule in ind.not_applicable)  # (reads any input)
        for rule in ind.not_applicable:
            if isinstance(rule.missing, tuple):
                read |= set(rule.missing)
        steps = {mapping.get(name, name) for name in set().union(*map(step_reads, ind.steps)) - ind.targets}
        ruled = {mapping.get(name, name) for name in read}
        self.harmless = frozenset() if loose else (self.named | steps) - ruled - {FULL_NAME}
        # (those no formula reads as a number: only whether they are blank matters)
        self.listed = self.harmless - steps

    def takes(self, cols: Mapping[str, Any], n: int) -> Any:
        """The rows the default takes whatever missing input stopped the formulas (a bool array): every
        row, or where an input it names is blank (:data:`BLANK`, or no word on a period row)."""
        np = numpy()
        found = np.full(n, self.every, dtype=bool)
        if not self.every:
            for field in self.named:
                found |= _blank_cells(cols, field, n)
        return found

    def taken(self, name: str, cols: Mapping[str, Any], n: int) -> Any | None:
        """The blank cells of data column *name* that do not stop the indicator (None: any may)."""
        if name not in self.harmless:
            return None
        if name in self.listed:  # (read only to ask whether it is blank: no cell stops it)
            return numpy().ones(n, dtype=bool)
        return _blank_cells(cols, name, n) & self.takes(cols, n)


def unnamed(ind: IndicatorPlan) -> Unnamed | None:
    """:class:`Unnamed` for an indicator graded by a word scale without ``value`` with a default for no
    data (None: another indicator)."""
    scale = ind.ind.scale
    if scale is None or not scale.is_categorical or ind.ind.value is not None or ind.no_data is None:
        return None
    return Unnamed(ind)


def as_numbers(col: Any) -> tuple[Any, Any]:
    """A column of words (an object array: words, None where blank, numbers a ``Unit`` holds) as a
    column of numbers, and which of its cells are plain numbers (a word or a blank is not)."""
    if hasattr(col, "den"):
        return col, numpy().ones(len(col.num), dtype=bool)
    return from_values(list(col))


def _plain(column: tuple[Any, Any]) -> Any:
    """Which cells of a data column (with which are plain numbers, or words) are plain numbers."""
    col, plain = column
    return plain if hasattr(col, "den") else as_numbers(col)[1]


def _blank_cells(cols: Mapping[str, Any], field: str, n: int) -> Any:
    """Which rows of data column *field* are blank: the batch's :data:`BLANK` cells, or on period rows
    a column of words' cells without a word (None)."""
    np = numpy()
    found = cols.get(BLANK, {}).get(field)
    if found is not None:
        return found
    col = cols.get(field)
    if col is None:
        return np.ones(n, dtype=bool)  # (not read at all: no value anywhere)
    assert not hasattr(col, "den"), f"no blank cells kept for {field}"
    return np.array([v is None for v in col], dtype=bool)


def leave_steps(ind: IndicatorPlan, scope: Mapping[str, Any], cols: dict[str, Any]) -> None:
    """Leave *scope* (after the indicator's steps) among *cols* under :data:`STEPS_SCOPE` where the
    indicator has a default for no data, without the rows its steps marked (those are on *cols*)."""
    if ind.no_data is not None:
        cols[STEPS_SCOPE + ind.code] = {k: v for k, v in scope.items() if k not in (SEND_BACK, ZERO_DIVISOR)}


def graded_part(step: object) -> bool:
    """Whether *step* is a ``part`` over words (its ``of``) or a scale of conditions over numbers
    (no levels), whose reads colreach follows over the steps' values (other parts: :func:`part_read`)."""
    if not isinstance(step, Part) or part_read(step) is not None:
        return False
    if step.scale.levels:  # (a scale with levels grading the one word ``of``: read as a word scale's)
        return level_word(step)
    return step.of is not None if step.scale.is_categorical else not step.scale.is_threshold


def part_read(step: object) -> str | None:
    """The one name a ``part`` step reads when it grades (its ``of``, or its scale's value): a
    threshold scale of one value, graded over columns by cross-multiplication (None for other steps
    and forms: words, several values, levels)."""
    if not isinstance(step, Part):
        return None
    scale = step.scale
    if scale.is_categorical or not scale.is_threshold or scale.levels or len(scale.variables) != 1:
        return None
    (variable,) = scale.variables
    return step.of if step.of is not None else variable


def word_read(ind: IndicatorPlan) -> str | None:
    """The name a word scale grades (its ``value``), read last, after the steps; None for other
    forms, and for an indicator reported per period (its period rows' blank words are not followed)."""
    scale = ind.ind.scale
    if scale is None or not scale.is_categorical or ind.periodic:
        return None
    return ind.ind.value


def bands_read(ind: IndicatorPlan) -> frozenset[str] | None:
    """The names an indicator graded by a scale of conditions over numbers reads (its bands'
    conditions, read band by band, each band's conditions in turn until one holds: the per-unit
    program's :func:`~perfrules.grading.decide.grade_conditions`); None for other forms, for a scale
    with levels (words), for a value renamed by ``value``, and for an indicator reported per period."""
    scale = ind.ind.scale
    if scale is None or scale.is_categorical or scale.is_threshold or scale.levels or ind.periodic:
        return None
    value = ind.ind.value
    if value is not None and (scale.variable is None or value != scale.variable):
        return None
    return frozenset(scale.variables)


def scale_read(ind: IndicatorPlan) -> str | None:
    """The one name an indicator graded by a scale reads when it grades: a threshold scale of one
    value, or the ``value`` that renames it (the per-unit program reads that, no value there being a
    missing input); None for other forms, or no scale."""
    scale = ind.ind.scale
    if scale is None:
        return None
    if scale.is_categorical or not scale.is_threshold or scale.levels or scale.variable is None:
        return None
    return ind.ind.value if renamed(ind.ind.value, scale) else scale.variable


def blank_value(ind: IndicatorPlan, text: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The name the indicator's scale grades and the data column it reads, where a blank cell there
    surely takes its default for no data (see the module's docstring); None elsewhere. *text*: the
    columns of words."""
    policy = ind.no_data
    if policy is None or policy.missing or ind.steps or ind.has_population:
        return None
    name = scale_read(ind)
    scale = ind.ind.scale
    if name is None and scale is not None and not scale.is_categorical and renamed(ind.ind.value, scale):
        name = ind.ind.value  # (the value it grades, renamed: no value there is the default's first)
    if name is None:
        return None
    field = ind.ind.inputs.get(name, name)
    if field in text:
        return None
    for rule in ind.defaults_when:  # read before the grading: a blank there is that rule's error
        assert rule.when is not None
        if {name, field} & rule.when.variables:
            return None
    return name, field


def first_graded(ind: IndicatorPlan) -> frozenset[str] | None:
    """The data columns of words an indicator's scale grades first (through ``inputs``), where a unit
    without a word there takes the indicator's default for no data as the per-unit program's grading
    finds no value (:meth:`~perfrules.scoring.indicator.IndicatorPlan._grade`, or the scale's own
    conditions): no steps run before the grading; a word scale's ``value`` (a default naming inputs
    names it), or the values a scale with levels grades (which of its rows the default takes: the
    lookup's, :func:`takes_no_value`; formula steps may run before it where they read none of those
    values). None elsewhere. Its ``default … when`` rules come first
    (:mod:`~perfrules.scoring.coldefaults`)."""
    policy = ind.no_data
    scale = ind.ind.scale
    if policy is None or scale is None:
        return None
    value = ind.ind.value
    if scale.is_categorical and not ind.steps:
        if value is None or (policy.missing and normalize_name(value) not in policy.missing):
            return None
        names = {value}
    elif scale.levels and not scale.is_categorical and not renamed(value, scale):
        names = set(scale.variables)
        # Formula steps before it that read none of its words: a row they stop at a blank input is the
        # program's to decide (that cell marks the indicator), one they divide by 0 the default's too.
        if not all(isinstance(s, Formula) for s in ind.steps):
            return None
        if names & (ind.targets | set().union(*(s.variables for s in ind.steps if isinstance(s, Formula)))):
            return None
    else:
        return None
    return frozenset(ind.ind.inputs.get(name, name) for name in names)


def takes_no_value(ind: IndicatorPlan) -> Callable[[str, Mapping[str, object]], bool]:
    """Whether the indicator's default for no data takes a unit whose scale found no value for a name,
    given the values the scale grades (the per-unit program's ``_score_once``): any name where the
    default names no inputs, else one it names, or another where an input it names, among those
    values, has none."""
    assert ind.no_data is not None
    missing = ind.no_data.missing
    scale = ind.ind.scale
    read = set(scale.variables) if scale is not None else set()

    def takes(name: str, values: Mapping[str, object]) -> bool:
        if not missing or normalize_name(name) in missing:
            return True
        return set(missing) <= read and any(values.get(m) is None for m in missing)

    return takes


def stopping(gaps: Mapping[str, Any], ind: IndicatorPlan, scope: Mapping[str, Any], n: int) -> Any:
    """The rows where a cell of *gaps* (per name: the rows whose cell is not a plain number) stops the
    indicator: all of them but the blank values its default for no data took (:mod:`~perfrules.
    scoring.colblank`; a word scale without value: ``colblank.Unnamed``) and the blank cells its
    formulas do not reach, or reach where a default took the row (:meth:`~perfrules.scoring.colreach.
    Reached.harmless`), and the cells only its steps and grading read on rows a ``default … when``
    took first (:func:`when_taken`: its rules read theirs where they get to them)."""
    np = numpy()
    blank = blank_value(ind)
    fields = {blank[1]} if blank is not None else first_graded(ind) or ()  # (blank words: colblank)
    taken = scope.get(TAKEN, {}).get(ind.code) if fields else None
    only = graded_only(ind)
    worded = unnamed(ind)  # (a word scale without value: the blank cells its default takes)
    reached = scope.get(TAKEN, {}).get(REACHED + ind.code)  # (colreach: rows not reaching it, or taken)
    found = np.zeros(n, dtype=bool)
    for name, gap in gaps.items():
        took = worded.taken(name, scope, n) if worded is not None else None
        if took is not None:
            gap = gap & ~took
        harmless = reached.harmless(name) if reached is not None else False
        if harmless is not False:
            gap = gap & ~harmless
        if taken is not None and name in fields:
            gap = gap & ~taken
        graded = graded_rows(ind, name, scope.get(TAKEN, {})) if name in only else None
        if graded is not None:
            gap = gap & ~graded
        when = when_taken(ind.code, name, scope)
        if when is not None:
            gap = gap & ~when
        found |= gap
    return found


def lacking(code: str, rows: Any, cols: Mapping[str, Any], worded: Unnamed | None) -> Any:
    """*rows* (where indicator *code* lacks a population value: a batch's rows, or its period rows) but
    those a default took first (:meth:`Blanks.lacking`; *worded*: :func:`unnamed` of the indicator)."""
    reached = cols.get(TAKEN, {}).get(REACHED + code)
    if worded is not None:  # (a word scale without value: rows its default takes, whatever stops)
        rows = rows & ~worded.takes(cols, len(rows))
    if reached is not None:
        return rows & ~reached.excused()
    took = cols.get(WHEN_TAKEN + code)
    return rows if took is None else rows & ~took


class Blanks:
    """Per indicator of a plan, the name and data column whose blank cell its default for no data takes
    (:func:`blank_value`), and what the column program does with them; *also*: other data columns
    whose blank cells are no value rather than the unit's stop (those rich overall grading, caps and
    flags read: :mod:`~perfrules.scoring.coloverall` gives their conditions no value there, as the
    per-unit program does)."""

    def __init__(
        self,
        plan: Plan,
        text_reads: Sequence[str],
        also: Sequence[str] = (),
        unread: Any = None,
        numbers: Mapping[int, frozenset[str]] | None = None,
    ) -> None:
        self.plan = plan
        self.codes = [ind.code for ind in plan.indicators]
        self.found = [blank_value(ind, frozenset(text_reads)) for ind in plan.indicators]
        self.first = [first_graded(ind) for ind in plan.indicators]  # (blank words: coldefaults)
        self.only = [graded_only(ind) for ind in plan.indicators]  # (blank words not reached)
        reaching = [reach_fields(ind) or frozenset() for ind in plan.indicators]  # (colreach)
        # Per indicator graded by a word scale without value with a default for no data: the blank cells
        # that default takes (Unnamed; the steps' reads: steps_of gives them).
        self.unnamed = [unnamed(ind) for ind in plan.indicators]
        found = {b[1] for b in self.found if b is not None}.union(also, *reaching)
        named = set().union(*(u.named for u in self.unnamed if u is not None))
        # (the inputs only such steps or defaults read: a value there that is no number nor blank is not
        # held against the unit here, but kept from the blank cells: odd)
        self.steps_only = frozenset().union(*(u.harmless | u.named for u in self.unnamed if u is not None))
        self.steps_only -= found
        self.fields = sorted(found | named | self.steps_only)
        # Columns of words among them (a word scale's value: colreach): blank where no word is given.
        self.words = frozenset(self.fields) & frozenset(text_reads)
        # Data columns where a cell that is not a plain number matters only where it is read (by an
        # indicator without a default for no data: colreach.Unread, *unread*), under UNPLAIN.
        self.unread = unread
        # Per indicator, the columns of words it reads as numbers (colwordnums): its cells there that
        # are not plain numbers are words or blanks (under UNPLAIN, and read as numbers where followed).
        self.numbers = dict(numbers or {})
        worded = frozenset().union(*self.numbers.values())
        fields = unread.fields if unread is not None else ()
        self.loose = [f for f in fields if f not in text_reads or f in worded]

    @property
    def number_fields(self) -> list[str]:
        """Those data columns that are not columns of words (a cell of ``Unit`` objects holding a value
        the column does not is not blank: :mod:`~perfrules.scoring.coldoubt`)."""
        return [name for name in self.fields if name not in self.words]

    @property
    def none_kept(self) -> frozenset[str]:
        """The columns of words whose blank cell a default for no data may take: there a None the API
        handed in is no blank (``collookup.NONE_GIVEN``), as the per-unit program reads it."""
        return self.words.union(*(f for f in self.first if f is not None))

    def put(
        self,
        cols: dict[str, Any],
        columns: Mapping[str, tuple[Any, Any]],
        unread: Collection[str] = (),
        odd: Mapping[str, Any] | None = None,
    ) -> None:
        """Put the blank cells of those data columns among the batch's columns *cols* (:data:`BLANK`),
        and a place for the rows taken (:data:`TAKEN`). A column of words is blank where it gives no
        word or other value (*unread*: columns of words not given as words, blank nowhere); *odd*: per
        column, cells that are not plain and not blank either (:meth:`odd`)."""
        np = numpy()
        if unread:
            cols[WORDS_UNREAD] = frozenset(unread)
        if any(self.first) or any(self.only):
            cols[TAKEN] = {}
        if self.fields:
            blank = cols[BLANK] = {}
            for name in self.fields:
                if name not in columns:
                    continue
                if name not in self.words:
                    blank[name] = ~columns[name][1]
                    if odd is not None and name in odd:
                        blank[name] &= ~odd[name]
                elif name in unread:
                    blank[name] = np.zeros(len(columns[name][1]), dtype=bool)
                else:
                    blank[name] = np.array([v is None for v in columns[name][0]], dtype=bool)
            cols.setdefault(TAKEN, {})
        if self.loose:
            cols[UNPLAIN] = {name: ~_plain(columns[name]) for name in self.loose if name in columns}
            cols[GOING] = {}

    def lacking(self, k: int, rows: Any, cols: Mapping[str, Any]) -> Any:
        """*rows* (where indicator *k* lacks a population value) but those a default took before its
        formulas or steps read one (colreach: the default for no data on a row that stops at it, too;
        :meth:`~perfrules.scoring.colreach.Reached.excused`; a word scale without value: those its
        default takes whatever stops its steps; else a ``default … when``: :data:`WHEN_TAKEN`)."""
        return lacking(self.codes[k], rows, cols, self.unnamed[k])

    def plain(self, k: int, name: str, plain: Any, cols: dict[str, Any]) -> Any:
        """*plain* (which cells of data column *name* are plain numbers) with the blank ones indicator
        *k*'s default for no data took: they do not stop it; nor do cells an indicator without such a
        default does not read (*unread*). Every cell plain: *plain* as it is, nothing worked out. A
        column of words the indicator reads as numbers (colwordnums): which of its cells are numbers."""
        worded = self.numbers.get(k, frozenset())  # (its formulas read those words as numbers)
        if name in worded:
            plain = as_numbers(cols[name])[1]
        if plain.all():
            return plain
        unnamed = self.unnamed[k]
        taken = unnamed.taken(name, cols, len(plain)) if unnamed is not None else None
        if taken is not None:  # (a blank input the default takes, whatever else stops it: Unnamed)
            plain = plain | taken
        if self.unread is not None and GOING in cols:
            scope = {**cols, **{w: as_numbers(cols[w])[0] for w in worded if w in cols}} if worded else cols
            plain = self.unread.plain(k, name, plain, scope, cols[GOING])
        graded = (
            graded_rows(self.plan.indicators[k], name, cols.get(TAKEN, {})) if name in self.only[k] else None
        )
        if graded is not None:  # (every scale with levels that reads it graded the row: it stops nothing)
            plain = plain | graded
        took = when_taken(self.codes[k], name, cols)
        if took is not None:  # (a default … when took the row before a rule read *name*)
            plain = plain | took
        found = self.found[k]
        fields = {found[1]} if found is not None else self.first[k] or ()
        taken = cols.get(TAKEN, {}).get(self.codes[k]) if name in fields else None
        if taken is not None:  # (a blank value or word its scale grades first, the default took)
            plain = plain | taken
        reached = cols.get(TAKEN, {}).get(REACHED + self.codes[k])
        if reached is not None:  # (colreach: rows that reach no blank, or that a default took)
            return plain | reached.harmless(name)
        return plain
