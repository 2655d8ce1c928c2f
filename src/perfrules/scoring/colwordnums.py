"""Indicators that read a column of words as a number: over columns, each row the indicator's own error.

A column a word scale or a word part reads (``审计结论``: 好, 较好 …) is read
as words: the file's cells stay text, numbers among them too. An indicator
whose formula, condition or threshold scale reads that same column as a number
(``审计结论×10``) then raises on every unit where it applies — the per-unit
program's ``'好' (str) is not a number`` or, for a blank, no value — unless a
policy takes the cell first. The column program does not compute such an
indicator: its column step marks every row (:func:`failing`; the program blames
the marks of an indicator's step on that indicator where it applies:
:func:`~perfrules.scoring.colperiods.score_indicators`), so each unit where it
applies gets the error the indicator's own step raises there
(:mod:`~perfrules.scoring.colfailures`), and a unit where that step raises
nothing (a default for no data, a read its formula does not reach, a number the
API handed in) goes to the per-unit program. The same holds for such an
indicator with population values, peer ratios or ranks (their values are
gathered for the batch as for any indicator: the per-unit step reads them) and
for one reported per period (each period row marked, blamed on its unit). A
not-applicable rule reading words is decided by its own code
(:mod:`~perfrules.scoring.colapplies`).
"""

from __future__ import annotations

from typing import Any

from .._intcols import IntColumn, numpy
from .colgraded import number_inputs
from .colsteps import send_back
from .plan import Plan

__all__ = ["failing", "words_as_numbers"]


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
