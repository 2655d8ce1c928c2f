"""Which indicators apply to which units, as columns; and an indicator's ``inputs`` mapping.

The per-unit program decides an indicator's applicability
(:meth:`~perfrules.scoring.compiled.CompiledIndicator.applicability`) before
it scores it: not for a unit outside ``applies_to``, not where the unit lists
it (its code or name) in ``Unit.not_applicable``, not where a
``not_applicable`` policy's ``when`` holds on the unit's year data (read
through the indicator's ``inputs`` mapping). An indicator that does not apply
is not scored at all, and its weight moves as the scheme says (the plan's
``Weighting`` for the unit's pattern of applicable indicators). Over columns:
the declared lists become a matrix of units × indicators, each ``when`` a
truth column (:mod:`perfrules.scoring.colconds`). A unit listing a code the
scheme lacks, or whose condition reads a cell that is not a plain number, is
left to the per-unit program, which reports it. A condition reading a column
of words is run by its own code once per distinct input, the words as the
units' data holds them, the rules in order (one that holds stops the rest):
where it raises (a word read as a number, a blank), the indicator's own step
gives the unit its error (:mod:`~perfrules.scoring.colfailures`); so does a condition over numbers
that the columns cannot work out for a unit where no rule before it held (a division by 0, a number
past the limits, a number where a truth value is needed: the per-unit program raises there too).
A ``missing`` rule (数据缺失的不参与计算) holds only where an input it names has no
value: over columns, a unit whose such input is a plain number keeps the
indicator, and where it is blank the indicator does not apply (:mod:`perfrules.scoring.colmissing`).

An ``inputs`` mapping (``得分 = "行政审批绩效得分"``) names a data column by the
indicator's own name: the per-unit program's scope has the local name bound
to the column's value (:meth:`CompiledIndicator.env`); the column step sees
the column under the local name too, and reads the column itself.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import IntColumn, numpy
from .._numbers import exact
from ..formula.text import normalize_name
from ..scheme.reads import FULL_NAME
from .colconds import MAPPED, compile_condition
from .colfull import full_column, fulls_of, with_full
from .colreach import UNPLAIN_READ, condition_stops
from .colsteps import SEND_BACK, on_scope
from .colvetoes import carry
from .indicator import IndicatorPlan

__all__ = [
    "Stops",
    "Worded",
    "compile_not_applicable",
    "compile_stops",
    "declared",
    "late_stops",
    "mapped",
    "mapped_reads",
    "raised",
    "stops_of",
    "unread",
]

# Among a batch's columns: per indicator code, the rows where a not-applicable condition reading words
# raised (the indicator's error there, worded by its own step: colfailures).
RAISED = "\0not applicable raised"

# Among a batch's columns: per code of an indicator whose not-applicable rules read other indicators'
# results, its Stops and which cells of the data columns they read are not plain numbers, to be run
# once those results are among the columns (late_stops).
LATE = "\0not applicable late"


def mapped(ind: IndicatorPlan, step: Any) -> Any:
    """The column step *step* run with the indicator's local names bound to their data columns."""
    mapping = dict(ind.ind.inputs)
    if not mapping:
        return step

    def run(cols: dict[str, Any], n: int) -> Any:
        scope = dict(cols)
        scope[MAPPED] = frozenset(mapping)  # (the batch's blank cells are not those names': colconds)
        for local, field in mapping.items():
            if field in cols:
                scope[local] = cols[field]
        out = on_scope(step, scope, cols, n)
        carry(scope, cols)  # where its vetoes fire, too (colvetoes)
        return out

    return run


def mapped_reads(ind: IndicatorPlan, names: set[str]) -> set[str]:
    """The data columns read for the names *names* the indicator reads (through its ``inputs``)."""
    mapping = ind.ind.inputs
    return {mapping.get(name, name) for name in names}


def compile_not_applicable(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception], words: frozenset[str] = frozenset()
) -> tuple[Any, set[str]] | None:
    """A function of the batch's columns giving where the indicator's ``not_applicable`` policies
    hold (a bool array), and the data columns they read; None without such policies. *words*: the
    columns of words (a condition reading one is decided by its own code: :class:`Worded`).

    Raises:
        unsupported: a condition that does not compile.
    """
    if not ind.not_applicable:
        return None
    np = numpy()
    conditions = []
    reads: set[str] = set()
    code = ind.code
    for policy in ind.not_applicable:
        when = policy.when
        if when is not None and (mapped_reads(ind, set(when.variables)) & words or when.population_calls):
            if policy.missing:
                reads |= mapped_reads(ind, set(_missing_names(ind, policy)))
            conditions.append(Worded(ind, when))
            reads |= mapped_reads(ind, set(when.variables) - {FULL_NAME})
            continue
        if policy.missing:
            # Where a named input is not a plain number the program cannot tell a blank cell (no
            # value: the rule holds) from an unreadable one: those units are the per-unit program's
            # (the program sends back a unit whose condition reads a cell that is not plain).
            reads |= mapped_reads(ind, set(_missing_names(ind, policy)))
        if policy.when is None:
            continue
        conditions.append(_numeric(ind, policy.when, compile_node, unsupported))
        reads |= mapped_reads(ind, set(policy.when.variables) - {FULL_NAME})

    def run(cols: dict[str, Any], n: int) -> Any:
        found = np.zeros(n, dtype=bool)
        raised = None
        for condition in conditions:
            if isinstance(condition, Worded):
                holds, fails = condition.run(cols, n)
                fails &= ~found  # (a rule before it held: the per-unit program reads no further)
                raised = fails if raised is None else raised | fails
                found |= holds & ~raised
            else:
                # Where the condition cannot be worked out (a division by 0, a number past the limits:
                # the per-unit program raises there, once no rule before it held), the indicator's error.
                earlier = cols.pop(SEND_BACK, None)
                holds = condition(cols, n)
                marks = cols.pop(SEND_BACK, None)
                if earlier is not None:
                    cols[SEND_BACK] = earlier
                if marks is not None:
                    fails = marks & ~found
                    raised = fails if raised is None else raised | fails
                    holds = holds & ~fails
                found |= holds
        if raised is not None and raised.any():
            cols.setdefault(RAISED, {})[code] = raised
        return found

    return run, reads


def raised(cols: dict[str, Any], ind: IndicatorPlan, n: int) -> Any:
    """The rows where a not-applicable condition of *ind* reading words raised (the indicator's error
    there, worded by its own step: colfailures), among the batch's columns *cols* after its rules ran."""
    found = cols.get(RAISED, {}).get(ind.code)
    return found if found is not None else numpy().zeros(n, dtype=bool)


def _numeric(ind: IndicatorPlan, when: Any, compile_node: Any, unsupported: type[Exception]) -> Any:
    """The condition *when* of *ind*'s not-applicable rule over number columns (a function of the
    batch's columns giving where it holds), its names read through the indicator's ``inputs``."""
    try:
        condition = compile_condition(when.tree, compile_node, unsupported)
    except unsupported as exc:
        raise unsupported(f"indicator {ind.code}'s not applicable when '{when.text}': {exc}") from None
    # 分值: the row's category's full points, as the per-unit program reads it (CompiledIndicator.full).
    return mapped(ind, with_full(condition, ind, when.variables))


def compile_stops(
    ind: IndicatorPlan,
    compile_node: Any,
    unsupported: type[Exception],
    others: Collection[str],
    results: Collection[str] = (),
) -> Stops | None:
    """Where the indicator's not-applicable rules stop before they decide (:class:`Stops`), where that
    is certain: every ``when`` condition over numbers, no population values, no name among *others*
    (columns of words, and other indicators' results and steps not among *results*), no ``missing``
    rule naming a history value, nor one beside conditions that read *results*; else None. Names among
    *results* are read once they are among the columns (:func:`late_stops`)."""
    policies = ind.not_applicable
    if not policies:
        return None
    parts: list[tuple[Any, Any]] = []
    history = ind.scheme.history
    for policy in policies:
        if policy.missing:  # (read first: it holds where an input it names has no value)
            named = mapped_reads(ind, set(_missing_names(ind, policy)))
            if named & {*others, *results} or any(name in history for name in named):
                return None
            parts.append((None, tuple(sorted(named))))
        when = policy.when
        if when is None:
            continue
        if when.population_calls or mapped_reads(ind, set(when.variables)) & set(others):
            return None
        reach = condition_stops(when.tree, _fields_of(ind), compile_node, unsupported)
        if reach is None:
            return None
        parts.append((reach, _numeric(ind, when, compile_node, unsupported)))
    fields = mapped_reads(ind, set().union(*(p.when.variables for p in policies if p.when)) - {FULL_NAME})
    late = fields & set(results)
    if late and any(p.missing for p in policies):  # (colresults decides those once the results are read)
        return None
    return Stops(ind, parts, frozenset(fields - late), frozenset(late))


class Stops:
    """Where an indicator's not-applicable rules, read in turn as the per-unit program reads them
    (:meth:`~perfrules.scoring.compiled.CompiledIndicator.applicability`: the first rule that holds
    decides, each condition read left to right up to what decides it), stop at a data cell that is
    not a plain number (the per-unit program's error there: no value), at a division by 0, or where
    the columns cannot tell (:func:`~perfrules.scoring.colreach.condition_stops`). Elsewhere the
    conditions over the columns never read such a cell, and what they give is the per-unit program's
    answer whatever the cell holds. A ``missing`` rule never stops: it decides where an input it names
    has no value (:mod:`~perfrules.scoring.colmissing` says where), and the rules after it are not read
    there."""

    def __init__(
        self,
        ind: IndicatorPlan,
        parts: Sequence[tuple[Any, Any]],
        fields: frozenset[str],
        results: frozenset[str] = frozenset(),
    ) -> None:
        self.code = ind.code
        self.mapping = dict(ind.ind.inputs)
        self.parts = parts  # per rule: (where it stops, where it holds); (None, data columns) for missing
        self.fields = fields  # the data columns the conditions read
        self.missing = any(reach is None for reach, _ in parts)  # (whether a missing rule is among them)
        self.results = results  # the other indicators' results and steps they read (late_stops)

    def run(
        self, cols: Mapping[str, Any], unplain: Mapping[str, Any], n: int, absent: Mapping[str, Any]
    ) -> Any:
        """The rows where the rules stop (a bool array); *unplain*: per data column :attr:`fields`
        names, which of its cells are not plain numbers; *absent*: per data column a ``missing`` rule
        names, which units have no value for it."""
        np = numpy()
        scope = {k: v for k, v in cols.items() if k != SEND_BACK}  # (its conditions' marks: their own)
        for local, field in self.mapping.items():
            if field in scope:
                scope[local] = scope[field]
        scope[UNPLAIN_READ] = unplain
        stopped = np.zeros(n, dtype=bool)
        decided = np.zeros(n, dtype=bool)  # a rule before held: the per-unit program reads no further
        for reach, holds in self.parts:
            going = ~(stopped | decided)
            if not going.any():
                break
            if reach is None:  # a missing rule: it holds where an input it names has no value
                for field in holds:
                    decided |= going & absent[field]
                continue
            stopped |= going & reach(scope, n)
            part = dict(scope)
            held = holds(part, n)
            if self.missing and SEND_BACK in part:  # (where it cannot be worked out: it raises there)
                stopped |= going & part[SEND_BACK]
                held = held & ~part[SEND_BACK]
            decided |= going & held
        return stopped


def stops_of(program: Any, compile_node: Any, unsupported: type[Exception]) -> dict[int, Stops]:
    """Per indicator with not-applicable rules of a column program (*program*, compiled that far: its
    ``plan``, ``na_rules`` and ``text_reads``) whose :func:`compile_stops` is certain, its :class:`Stops`."""
    plan = program.plan
    results = plan.results.keys()  # (other indicators' results and steps: read once they are there)
    found = {
        k: compile_stops(plan.indicators[k], compile_node, unsupported, program.text_reads, results)
        for k, _, _ in program.na_rules
    }
    return {k: stops for k, stops in found.items() if stops is not None}


def unread(
    stops: Stops | None,
    names: Sequence[str],
    absent: Mapping[str, Any],
    columns: Any,
    cols: Any,
    start: Any,
    mark: Any,
) -> None:
    """Mark (*mark*) the rows where an indicator's not-applicable rules read a cell of *names* (their
    data columns, *columns*) that is not a plain number, where the indicator applies by name, weight
    and declaration (*start*): where *stops* (:class:`Stops`) says they reach one, else wherever one is
    not plain; *cols*: the batch's columns; *absent*: per data column its ``missing`` rules name, the
    units without a value (:meth:`~perfrules.scoring.colmissing.MissingRules.blank`). Rules that read
    other indicators' results are followed once those are among *cols* (:func:`late_stops`)."""
    if stops is not None and (names or stops.missing or stops.results):
        np = numpy()
        n = len(start)
        unplain = {f: ~columns[f][1] if f in columns else np.ones(n, dtype=bool) for f in stops.fields}
        if stops.results:
            cols.setdefault(LATE, {})[stops.code] = (stops, unplain)
            return
        mark(stops.run(cols, unplain, n, absent) & start)
        if stops.missing:  # (where a condition raises, the rules read in turn say: not where one held)
            cols.get(RAISED, {}).pop(stops.code, None)
        return
    for name in names:
        mark(~columns[name][1] & start)


def late_stops(cols: Mapping[str, Any], code: str, absent: Mapping[str, Any], n: int) -> Any:
    """Where indicator *code*'s not-applicable rules that read other indicators' results stop before they
    decide, once those results are among the batch's columns *cols* (:func:`unread` left them there):
    at a data cell that is not a plain number, a result the unit lacks (*absent*, per result: the rows
    without it), a division by 0, or where the columns cannot tell; None where they were not left."""
    found = cols.get(LATE, {}).get(code)
    if found is None:
        return None
    stops, unplain = found
    return stops.run(cols, {**unplain, **{name: absent[name] for name in stops.results}}, n, {})


def _fields_of(ind: IndicatorPlan) -> Any:
    mapping = dict(ind.ind.inputs)
    return lambda name: mapping.get(name, name)


def _missing_names(ind: IndicatorPlan, policy: Any) -> Sequence[str]:
    """The inputs a ``missing`` rule names (all the indicator's inputs where it names none)."""
    return policy.missing if isinstance(policy.missing, tuple) else ind.sorted_inputs


class Worded:
    """A ``not_applicable`` condition reading a column of words, or a population value (the per-unit
    program gives it none there: its error where the condition reaches it), decided by the condition's
    own code once per distinct input (:meth:`run`); ``分值`` is each row's category's full points."""

    def __init__(self, ind: IndicatorPlan, when: Any) -> None:
        self.when = when
        self.names = sorted(when.variables)
        self.fields = [ind.ind.inputs.get(name, name) for name in self.names]
        self.fulls = fulls_of(ind) if FULL_NAME in when.variables else None

    def run(self, cols: dict[str, Any], n: int) -> tuple[Any, Any]:
        """Per row, whether the condition holds (``evaluate(…) is True``, as the per-unit program reads
        it) and whether it raises there (the indicator's error: its own step words it).

        Each name's value is the unit's as the per-unit program's scope holds it: a word as it is (none
        where the cell holds no word), a number exactly. A number column's cell that is not a plain
        number (blank too) reads as its column's 0 here: the program gives those rows the indicator's
        error from its own step, or the per-unit program scores them, whatever is decided here."""
        np = numpy()
        parts: list[list[Any]] = []
        for name, field in zip(self.names, self.fields, strict=True):
            col = cols.get(field)
            if name == FULL_NAME and self.fulls is not None:
                col = full_column(self.fulls, cols, n)
            if col is None:
                parts.append([None] * n)
            elif isinstance(col, IntColumn):
                den = col.den
                parts.append([Fraction(int(v), den) for v in col.num.tolist()])
            else:  # words (collookup.text_column): a value the API handed in, keyed by its type and text
                parts.append([v if v is None or isinstance(v, str) else _Given(v) for v in col.tolist()])
        holds = np.zeros(n, dtype=bool)
        raised = np.zeros(n, dtype=bool)
        seen: dict[tuple[Any, ...], bool | None] = {}
        for i, key in enumerate(zip(*parts, strict=True)):
            found = seen.get(key, _UNSEEN)
            if found is _UNSEEN:
                found = seen[key] = self._decide(key)
            if found is None:
                raised[i] = True
            else:
                holds[i] = found
        return holds, raised

    def _decide(self, key: tuple[Any, ...]) -> bool | None:
        scope: dict[str, object] = {}
        for name, v in zip(self.names, key, strict=True):
            if v is None:
                continue
            scope[name] = v.value if isinstance(v, _Given) else exact(v) if isinstance(v, Fraction) else v
        try:
            return self.when.evaluate(scope) is True
        except PerfrulesError:
            return None


class _Given:
    """A value of a column of words that is no word (the API handed in a number): keyed by its type and
    text, so that two values that are equal but written apart are decided apart."""

    __slots__ = ("key", "value")

    def __init__(self, value: object) -> None:
        self.value = value
        self.key = (type(value), str(value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Given) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


_UNSEEN: Any = object()


def declared(
    lookup: Mapping[str, int], indicators: Sequence[IndicatorPlan], lists: Sequence[frozenset[str]]
) -> tuple[Any, Any]:
    """Per unit and indicator, whether the unit declares it not applicable (its code or name in the
    unit's list); and which units list a code or name the scheme lacks (the per-unit program reports
    those). *lookup* is the plan's codes and names."""
    np = numpy()
    n, count = len(lists), len(indicators)
    out = np.zeros((n, count), dtype=bool)
    bad = np.zeros(n, dtype=bool)
    keys = [(ind.code, normalize_name(ind.ind.name)) for ind in indicators]
    for i, given in enumerate(lists):
        if not given:
            continue
        if any(code not in lookup for code in given):
            bad[i] = True
        for k, (code, name) in enumerate(keys):
            if code in given or name in given:
                out[i, k] = True
    return out, bad
