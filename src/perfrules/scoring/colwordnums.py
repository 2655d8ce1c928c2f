"""Indicators that read a column of words as a number: over columns, the cells read as numbers.

A column a word scale or a word part reads (``审计结论``: 好, 较好 …) is read
as words: the file's cells stay text, numbers among them too. An indicator
whose formula, condition or threshold scale reads that same column as a number
(``审计结论×10``) raises where it reads a word — the per-unit program's ``'好'
(str) is not a number`` — or a blank, unless a policy takes the cell first;
where the column holds a number (a ``Unit`` handed to the API) it reads it.

Over columns such an indicator's step reads the column's cells as a column of
numbers (:func:`reading`: a word is a cell that is not a plain number, a blank
is blank), so the program treats them as it treats any number column's
(:func:`numbers`): a cell that is not a plain number is the indicator's error
where its formulas reach it (its own step words it:
:mod:`~perfrules.scoring.colfailures`), a blank its default for no data takes
is that default, a branch not taken reads nothing. A word scale whose own
``default … when``, zero rules or vetoes read the words it grades is
:mod:`~perfrules.scoring.colwordconds`'. An indicator that otherwise also
grades that column as words, is reported per period, or has a step other
rules read does not read it so: its column step marks every row
(:func:`failing`; the program blames the marks of an indicator's step on that
indicator where it applies), so each unit where it applies gets the error its
own step raises there, and a unit where that step raises nothing goes to the
per-unit program. A not-applicable rule reading words is decided by its own
code (:mod:`~perfrules.scoring.colapplies`).
"""

from __future__ import annotations

from typing import Any

from .._intcols import IntColumn, numpy
from .colblank import as_numbers
from .colgraded import number_inputs, text_inputs
from .colsteps import send_back
from .plan import Plan

__all__ = ["failing", "numbers", "reading", "reads_as_numbers", "words_as_numbers"]


def words_as_numbers(plan: Plan, words: set[str]) -> dict[int, set[str]]:
    """Per indicator whose formulas, conditions or threshold scales read one of the columns of *words*
    as a number (its not-applicable conditions aside: :mod:`~perfrules.scoring.colapplies` decides
    those), those columns (none: {})."""
    found: dict[int, set[str]] = {}
    for k, ind in enumerate(plan.indicators):
        names = number_inputs(ind, False) & words
        if not names:
            continue
        found[k] = names
    return found


def failing(cols: dict[str, Any], n: int) -> IntColumn:
    """The column step of an indicator reading words as numbers: every row marked (the indicator's
    error where it applies, see the module's docstring), 0 for the steps after it."""
    np = numpy()
    send_back(cols, np.ones(n, dtype=bool))
    return IntColumn(np.zeros(n, dtype=np.int64), 1, 0)


def reads_as_numbers(plan: Plan, k: int, names: set[str]) -> bool:
    """Whether indicator *k* (reading the columns of words *names* as numbers) reads their cells as
    numbers over columns (:func:`reading`; else :func:`failing`): it grades none of them as words, is
    not reported per period, and no rule reads one of its steps."""
    ind = plan.indicators[k]
    if ind.periodic or names & text_inputs(ind):
        return False
    read = plan.total_reads.union(*plan.result_reads)  # (the results rules read: colstepreads)
    return not any(plan.results[name][0] == ind.code and plan.results[name][1] is not None for name in read)


def numbers(col: Any) -> tuple[IntColumn, Any]:
    """A column of words (an object array: words, None where blank, numbers a ``Unit`` holds) as a
    column of numbers, and which of its cells are plain numbers (a word or a blank is not)."""
    found: tuple[IntColumn, Any] = as_numbers(col)
    return found


def reading(step: Any, names: frozenset[str] | set[str]) -> Any:
    """*step* (an indicator's column step) run with the columns of words *names* read as numbers
    (:func:`numbers`), the batch's columns as they were after it."""
    order = sorted(names)

    def run(cols: dict[str, Any], n: int) -> Any:
        saved = {name: cols[name] for name in order if name in cols}
        for name, col in saved.items():
            cols[name] = numbers(col)[0]
        try:
            return step(cols, n)
        finally:
            cols.update(saved)

    return run
