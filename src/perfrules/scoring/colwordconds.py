"""A word scale whose own rules read the words it grades as numbers: over columns, each read as it is.

An indicator graded by a word scale (``value = "审计结论"``, ``好—95分;…``)
whose ``default … when``, zero rules or vetoes read that same column as a
number (``when = "审计结论 = 1"``): the per-unit program grades the cell as a
word and reads it as a number where a rule's condition gets to it, and raises
there on a cell that is not a plain number — a word (``'好' (str) is not a
number``) or a blank — but only where it gets there: a ``default … when``
where no default before it held, ``and``/``or`` while undecided, a zero rule
where no default held and no zero rule before it held, each veto.

Over columns (:func:`conditioned`) the step reads those columns as numbers
(:func:`~perfrules.scoring.colwordnums.numbers`) for its rules, and as the
words they are for its scale (:func:`keeping`); before it runs, the rows
where a rule gets to a cell that is not a plain number are marked (the
indicator's error there, worded by its own step:
:mod:`~perfrules.scoring.colfailures`): each rule's reach is followed over
those cells (:func:`~perfrules.scoring.colreach.condition_stops`) on the
rows where it is read. :func:`conditions_reading` says which indicators take
this form; the others reading words as numbers go to
:mod:`~perfrules.scoring.colwordnums`.
"""

from __future__ import annotations

from typing import Any

from .._intcols import numpy
from .coladjust import adjust_reads
from .colblank import WHEN_TAKEN
from .colconds import compile_condition
from .colfull import with_full
from .colgraded import number_inputs, text_inputs
from .colreach import UNPLAIN_READ, condition_stops
from .colsteps import SEND_BACK, send_back
from .colwordnums import numbers, reads_as_numbers
from .indicator import IndicatorPlan
from .plan import Plan

__all__ = ["conditioned", "conditions_reading", "keeping"]

# Among a batch's columns while a :func:`conditioned` step runs: the columns of words its rules read as
# numbers, as they were (words), for its scale, which grades them as words (:func:`keeping`).
_WORDS_HELD = "\0words held"


def conditions_reading(plan: Plan, k: int, words: frozenset[str] | set[str]) -> frozenset[str]:
    """The columns of *words* indicator *k*'s word scale grades and only its ``default … when``, zero
    rules and vetoes read as numbers (see the module's docstring); none where it is not that form: it
    has steps, a score formula or ``inputs``, is reported per period, a rule reads one of its steps, its
    adjustments read one of them, a condition reads a population value, or a zero rule reading one
    beside a default for no data (which zero rules it does not run is not known before its step)."""
    ind = plan.indicators[k]
    scale = ind.ind.scale
    if scale is None or not scale.is_categorical or ind.steps or ind.ind.score is not None:
        return frozenset()
    if ind.periodic or ind.ind.inputs or not reads_as_numbers(plan, k, set()):
        return frozenset()
    names = number_inputs(ind, False) & text_inputs(ind) & set(words)
    rules = [p.when for p in ind.defaults_when if p.when is not None]
    rules += [p.when for p in ind.zero_indicator] + [p.when for p in ind.vetoes]
    if not names or names & adjust_reads(ind) or any(w.population_calls for w in rules):
        return frozenset()
    if names - set().union(*(w.variables for w in rules)):
        return frozenset()  # (read elsewhere: a zero rule on a step's value …)
    if ind.no_data is not None and names & set().union(*(z.when.variables for z in ind.zero_indicator)):
        return frozenset()
    return frozenset(names)


def keeping(step: Any, names: frozenset[str]) -> Any:
    """*step* (the scale's grading of the columns of words *names*) run on those columns' words where
    a :func:`conditioned` step reads them as numbers around it."""

    def run(cols: dict[str, Any], n: int) -> Any:
        held = cols.get(_WORDS_HELD)
        if held is None:
            return step(cols, n)
        read = {name: cols[name] for name in names if name in held and name in cols}
        cols.update({name: held[name] for name in read})
        try:
            return step(cols, n)
        finally:
            cols.update(read)

    return run


def conditioned(
    step: Any, ind: IndicatorPlan, names: frozenset[str], compile_node: Any, unsupported: type[Exception]
) -> Any:
    """*step* (indicator *ind*'s column step, its scale's grading under :func:`keeping`) run with the
    columns of words *names* read as numbers, the rows where its rules get to a cell of them that is not
    a plain number marked first (see the module's docstring).

    Raises:
        unsupported: a condition that does not compile.
    """
    rules: list[tuple[str, bool, Any, Any, frozenset[str]]] = []
    for kind, policies in (
        ("default", ind.defaults_when),
        ("zero", ind.zero_indicator),
        ("veto", ind.vetoes),
    ):
        for policy in policies:
            when = policy.when
            assert when is not None
            holds = with_full(compile_condition(when.tree, compile_node, unsupported), ind, when.variables)
            stops = condition_stops(when.tree, _same, compile_node, unsupported, frozenset())
            if stops is not None:
                stops = with_full(stops, ind, when.variables)
            reads = frozenset(when.variables) & names
            others = frozenset(when.variables) - names  # (分值 among them: never blank, given by with_full)
            # (a zero rule for the periods only does not stop those after it on the year's row)
            stopping = not getattr(policy, "per_period", False)
            rules.append((kind, stopping, holds, None if stops is None else (stops, others), reads))
    order = sorted(names)

    def run(cols: dict[str, Any], n: int) -> Any:
        saved = {name: cols[name] for name in order if name in cols}
        unplain = {name: ~numbers(col)[1] for name, col in saved.items()}
        for name, col in saved.items():
            cols[name] = numbers(col)[0]
        cols[_WORDS_HELD] = saved
        try:
            if any(rows.any() for rows in unplain.values()):
                send_back(cols, _reached(rules, unplain, cols, n))
            col = step(cols, n)
        finally:
            cols.update(saved)
            del cols[_WORDS_HELD]
        took = cols.get(WHEN_TAKEN + ind.code)
        if took is not None:  # (rows a default took grade no word: a number its rules read there is none
            for name in order:  # of the grading's business, a cell they stop at is marked above)
                key = WHEN_TAKEN + ind.code + "\0" + name
                cols[key] = cols.get(key, took) | took
        return col

    def _reached(found: list[Any], unplain: dict[str, Any], cols: dict[str, Any], n: int) -> Any:
        np = numpy()
        scope = {c: v for c, v in cols.items() if c != SEND_BACK}
        empty = np.zeros(n, dtype=bool)
        taken, zeroed, marked = empty.copy(), empty.copy(), empty.copy()
        for kind, stopping, holds, stops, reads in found:
            going = ~taken & ~zeroed if kind == "zero" else ~taken if kind == "default" else ~empty
            if reads:
                if stops is None:  # (its reach not followed: wherever it reads one)
                    reached = np.logical_or.reduce([unplain.get(r, empty) for r in sorted(reads)])
                else:
                    fn, others = stops
                    marks = {**dict.fromkeys(others, empty), **{r: unplain.get(r, empty) for r in reads}}
                    reached = fn({**scope, UNPLAIN_READ: marks}, n)
                marked |= going & reached
            held = holds(dict(scope), n)
            if kind == "default":
                taken |= going & held
            elif kind == "zero" and stopping:
                zeroed |= going & held
        return marked

    return run


def _same(name: str) -> str:
    return name


def conditioned_of(plan: Plan) -> dict[int, frozenset[str]]:
    """Per indicator of *plan* of this form (:func:`conditions_reading`), the columns of words its rules
    read as numbers (explanations read them so, too: :mod:`~perfrules.scoring.colexplain`)."""
    words = set().union(*(text_inputs(ind) for ind in plan.indicators))
    found = {k: conditions_reading(plan, k, words) for k in range(len(plan.indicators))}
    return {k: names for k, names in found.items() if names}
