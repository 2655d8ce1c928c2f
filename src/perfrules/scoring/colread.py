"""A name a compiled formula reads, as a column: a population value marked where the unit has none.

A formula's population calls (``max_of(x)`` …) are read as columns of the batch's values
(:func:`~perfrules.scoring.colsteps.population_names`); a unit that put nothing into a call (its
argument a truth value, a blank, a division by 0: :func:`perfrules.scoring.population.observe`)
has no value there (:data:`~perfrules.scoring.colsteps.POPULATION_ABSENT`). The per-unit program
raises (``no value for 'max_of(x)'``) only where its evaluation reaches the call: not in the
branch of ``if(…)`` not taken, nor past the operand of ``and``/``or`` that decides. So
:func:`read_name` marks those rows (:data:`~perfrules.scoring.colsteps.SEND_BACK`: the indicator's
error, worded by its own step) where the column is read, and the compiled ``if``, ``and`` and
``or`` keep a mark only in the rows that reach it (:mod:`~perfrules.scoring.colfuncs`,
:mod:`~perfrules.scoring.colconds`). Where a default for no data may take the rows
(:data:`~perfrules.scoring.colsteps.ZERO_DIVISOR` among the columns), nothing is marked here: the
program decides those units as before (:meth:`perfrules.scoring.colblank.Blanks.lacking`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._intcols import numpy
from ..formula.language import Formula
from .colsteps import POPULATION_ABSENT, POPULATION_PREFIX, ZERO_DIVISOR, send_back
from .indicator import IndicatorPlan
from .plan import Plan

__all__ = ["lacking", "mark_lacking", "read_name", "reads_own_population"]


def read_name(name: str) -> Any:
    """A function of the batch's columns giving the column *name*, as it is (a step's truth value
    among them); a population column's rows without a value marked there (see the module's docstring)."""
    if not name.startswith(POPULATION_PREFIX):
        return lambda cols, n: cols[name]

    def read(cols: dict[str, Any], n: int) -> Any:
        absent = cols.get(POPULATION_ABSENT, {}).get(name)
        if absent is not None and len(absent) == n and ZERO_DIVISOR not in cols and absent.any():
            send_back(cols, absent)
        return cols[name]

    return read


def reads_own_population(ind: IndicatorPlan) -> bool:
    """Whether the rows where indicator *ind* lacks a population value of its calls are marked where
    its formulas read it (:func:`read_name`), not wherever it lacks one: an indicator without a default
    (for no data, or with ``when``) whose population calls are all in its steps and score formula
    (none in its policies' conditions)."""
    if ind.no_data is not None or ind.defaults_when:
        return False
    whens = [getattr(p, "when", None) for p in ind.ind.policies]
    return not any(w.population_calls for w in whens if isinstance(w, Formula))


def lacking(ind: IndicatorPlan, columns: Mapping[str, str], rows: Any, cols: Mapping[str, Any]) -> Any:
    """*rows* (where indicator *ind* lacks a population value; *columns*: its population columns, each
    with its key) but, where :func:`reads_own_population`, only those lacking a peer ratio's or rank's
    value (a step that reads its own always: its error where the unit has none): the rows lacking a
    call's value are marked where its formulas read it (:func:`read_name`)."""
    if not reads_own_population(ind):
        return rows
    calls = {call.key for call in ind.population_calls}
    absent = cols.get(POPULATION_ABSENT, {})
    found = numpy().zeros(len(rows), dtype=bool)
    for column, key in columns.items():
        if key not in calls and column in absent:
            found |= absent[column]
    return rows & found


def mark_lacking(
    plan: Plan,
    population: Sequence[Mapping[str, str]],
    present: Any,
    per_period: Mapping[int, Any],
    applicable: Any,
    cols: Mapping[str, Any],
    blanks: Any,
    mark: Any,
) -> None:
    """Mark (*mark*: per indicator, its error for those units) the units lacking a population value
    where the indicator applies (*present*: units × indicators, whether it has them all; *population*:
    each indicator's population columns): on the year's row, as units scored per period have theirs
    (*per_period*, unless periods are summed); but those a default took before its formulas read one
    (*blanks*: :meth:`~perfrules.scoring.colblank.Blanks.lacking`), and the rows :func:`lacking` leaves
    to be marked where read."""
    for k, has in per_period.items():
        present[:, k] |= has if plan.scheme.periods != "sum" else False
    for k, ind in enumerate(plan.indicators):
        rows = lacking(ind, population[k], ~present[:, k], cols)
        mark(k, blanks.lacking(k, rows, cols) & applicable[:, k])
