"""Cells of ``Unit`` objects that hold a value their column does not: the readers' indicators' errors.

A batch of ``Unit`` objects (``evaluate()`` given Python values) may hold a
cell that is neither a plain number nor blank: text (``'87.5分'``, ``'—'``), a
``float``, a ``Fraction``, a ``bool``. The column holds no value there, and
three column steps would otherwise take such a cell for something it is not:
a per-unit parameter's table value stands in for a cell that is not plain
(:mod:`~perfrules.scoring.colparams`), a ``missing`` rule reads it as blank
(:mod:`~perfrules.scoring.colmissing`), and so does a default for no data
(:mod:`~perfrules.scoring.colblank`). The per-unit program reads the cell as
the unit gives it: the value is there (the table's does not stand in, the
``missing`` rule does not hold, the default for no data does not take it),
and a rule that reads it either refuses it (``'87.5分' (str) is not a
number``: the indicator's error) or reads it as a number (a ``float`` by its
shortest repr).

So each such cell marks every indicator that reads its column as one the
columns cannot work out for that unit (:class:`~perfrules.scoring.colfailures.Failures`):
its own step then runs on the unit, and where it raises the unit has that
error, worded by the per-unit program's code; where it does not (a ``float``
read, a branch of ``if`` that does not read the cell), colfailures sends the
unit to the per-unit program, never a score from here.

A column only the rules on the total read (overall grading, caps, vetoes,
adjustments, the total formula; no indicator, no step those rules read) does not
stop the unit's indicators: the unit is scored with the others, then left out of
the totals, and :mod:`~perfrules.scoring.coltotalerrors` runs the per-unit
program's code for its total on it: where that raises (``'87.5分' (str) is not a
number``), the unit has that error; where it does not (a ``float`` read, a
condition that never reads the cell), the unit goes to the per-unit program. A
column no rule reads as a number (a parameter's table, a ``missing`` rule) or one
read by an indicator and beside it still sends the unit to the per-unit program.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from .._intcols import numpy
from .plan import Plan

__all__ = ["Doubted", "held"]


def held(
    units: Sequence[Any], columns: Mapping[str, tuple[Any, Any]], fields: Iterable[str]
) -> dict[str, Any]:
    """Per data column of *fields* among *columns*, which of the batch's ``Unit`` objects hold a value
    there that the column does not (not plain, not blank either — None handed in itself is a value the
    per-unit program refuses, not a blank: a bool array); only the columns where some unit does."""
    np = numpy()
    out: dict[str, Any] = {}
    for name in fields:
        given = columns.get(name)
        if given is None:
            continue
        rows = np.flatnonzero(~given[1]).tolist()
        found = [i for i in rows if units[i].data.get(name) is not None or name in units[i].data]
        if found:
            mark = np.zeros(len(units), dtype=bool)
            mark[found] = True
            out[name] = mark
    return out


class Doubted:
    """The data columns whose cells a column step would take for blank or for a table's value, and the
    indicators that read each (see the module's docstring)."""

    def __init__(
        self, plan: Plan, fields: Iterable[str], beyond: Collection[str], totals: Collection[str] = ()
    ) -> None:
        self.fields = sorted(set(fields))
        # Per column, the indicators that read it (none: it is also read beside them, *beyond*: overall
        # grading, the rules on the total, read steps — the unit goes to the per-unit program).
        read = {
            name: [k for k, ind in enumerate(plan.indicators) if name in ind.fields] for name in self.fields
        }
        self.readers = {name: [] if name in beyond else read[name] for name in self.fields}
        # The columns only the rules on the total read: their cells are the total's to word.
        self.total = frozenset(name for name in self.fields if name in totals and not read[name])

    @classmethod
    def of(cls, program: Any, blank_cells: Iterable[str]) -> Doubted | None:
        """The columns of a column program (*program*, compiled that far: its ``params``, ``missing``,
        ``blanks``, ``rules``, ``rich`` and ``steps``) whose cells a parameter's table, a ``missing``
        rule or a default for no data would take for another; besides the indicators, overall grading
        (*blank_cells* among its reads), the rules on the total and read steps read theirs. None: none."""
        params, rich, steps = program.params, program.rich, program.steps
        fields = {*(params.tables if params else ()), *program.missing.every, *program.blanks.number_fields}
        totals = {*blank_cells, *program.rules.reads, *(rich.data if rich else ())}
        stepped = set(steps.reads) if steps else set()
        beyond = totals | stepped
        return cls(program.plan, fields, beyond, totals - stepped) if fields else None

    def find(
        self,
        units: Sequence[Any],
        columns: Mapping[str, tuple[Any, Any]],
        ok: Any,
        kept: Collection[str] = (),
    ) -> tuple[dict[str, Any], Any]:
        """Per column, the units whose cell marks its readers (:meth:`mark`), and the units whose such cell
        only the rules on the total read (a bool array, None: none; the program leaves them to the total's
        error: see the module's docstring); a unit whose such cell no indicator reads, or one read beside
        them, is left to the per-unit program (*ok*, in place), but in the columns of *kept* (the inputs
        only steps or a word scale's default read: colblank, whose cells that are neither plain nor blank
        the program holds as such)."""
        found = held(units, columns, self.fields)
        total = None
        for name in [name for name in found if not self.readers[name] and name not in kept]:
            rows = found.pop(name)
            if name in self.total:
                total = rows if total is None else total | rows
            else:
                ok &= ~rows
        if total is not None:  # (one also sent back stays so)
            total &= ok
        return found, total

    def mark(self, found: Mapping[str, Any], mark: Any, applicable: Any) -> None:
        """Mark (*mark*: ``Failures.mark``) each indicator that reads a column of *found* on its rows,
        where it applies (*applicable*, units × indicators, after the not-applicable rules: a ``missing``
        rule takes such a cell for a value, as the per-unit program does)."""
        for name, rows in found.items():
            for k in self.readers[name]:
                mark(k, rows & applicable[:, k])
