"""Per-unit parameters (``parameters``: 难度系数, 目标增速 by unit) joined into a batch's data columns.

The per-unit program gives a unit the scheme's value of each parameter for it
where its own data has none (:func:`perfrules.scheme.history.join_per_unit`:
a value the data gives is kept). Over a batch the same join is a column
step: each parameter the program reads becomes a column of the units'
values from the scheme's table (by unit name, as the per-unit program looks
them up), and a unit's data column keeps its plain cells and takes the
table's value where the cell is empty. A unit with no value either way keeps
an empty cell, and whatever reads it sends the unit to the per-unit program,
which says what is missing. A parameter read as words (a word scale's input)
is joined the same way into its column of words: a unit without a word takes
the table's number, which is no word to what reads it, as in the per-unit program.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, from_values, numpy
from .plan import Plan

__all__ = ["Parameters"]


class Parameters:
    """The scheme's per-unit parameters the column program reads (see the module's docstring)."""

    def __init__(
        self, plan: Plan, reads: Sequence[str], text_reads: Sequence[str], unsupported: type[Exception]
    ) -> None:
        scheme = plan.scheme
        self.tables = {name: scheme.parameters[name] for name in sorted(set(scheme.parameters) & set(reads))}
        # Parameters read as words (a word scale's input): a unit without a word of its own gets the
        # table's number, as the per-unit program's join gives it (the scale then says it is no word).
        self.words = {
            name: scheme.parameters[name] for name in sorted(set(scheme.parameters) & set(text_reads))
        }

    @classmethod
    def of(
        cls, plan: Plan, reads: Sequence[str], text_reads: Sequence[str], unsupported: type[Exception]
    ) -> Parameters | None:
        """The parameters the program reads (None where the scheme has none)."""
        scheme = plan.scheme
        # With last year's results the units are joined whole first (colhistory), parameters too.
        return (
            cls(plan, reads, text_reads, unsupported)
            if scheme.parameters and scheme.previous is None
            else None
        )

    def fine(self, units: Sequence[Any], columns: Mapping[str, tuple[Any, Any]]) -> Any:
        """Which units' parameter cells are each a plain number or empty (no value of the unit's
        own: the table's value stands in); any other cell is the unit's own, for the per-unit program."""
        np = numpy()
        out = np.ones(len(units), dtype=bool)
        for name in self.tables:
            empty = np.fromiter((u.data.get(name) is None for u in units), dtype=bool, count=len(units))
            out &= columns[name][1] | empty
        return out

    def joined(
        self, names: Sequence[str], columns: Mapping[str, tuple[Any, Any]]
    ) -> dict[str, tuple[Any, Any]]:
        """*columns* with each parameter's table value where a unit's cell is empty (not plain).

        A unit's own cell that is neither (``Unit`` objects: text, a ``float`` …) takes the table's value
        here too: the program marks the indicators that read it (:mod:`~perfrules.scoring.coldoubt`), and
        population values put such a unit's part in one by one (:meth:`fine`).
        """
        np = numpy()
        out = dict(columns)
        for name, table in self.tables.items():
            col, plain = columns[name]
            own, given = from_values([table.get(unit) for unit in names])
            den = math.lcm(col.den, own.den)
            a, b = den // col.den, den // own.den
            bound = max(col.bound * a, own.bound * b)
            x, y = col.num, own.num
            if bound >= SAFE or x.dtype == object or y.dtype == object:
                x, y = as_objects(x), as_objects(y)
            num = np.where(plain, x * a, y * b)
            out[name] = (IntColumn(num, den, bound), plain | given)
        for name, table in self.words.items():
            if name not in columns:  # (population values read no words: colpop.gather gives none)
                continue
            words, fine = columns[name]
            joined = words.copy()
            for i, (value, unit) in enumerate(zip(words.tolist(), names, strict=True)):
                if value is None and unit in table:
                    joined[i] = table[unit]
            out[name] = (joined, fine)
        return out
