"""The column program's record of the units asked about: the columns each step worked out, kept.

Explanations are a view of what the column program did for a unit
(:mod:`perfrules.scoring.colexplain` builds them). :class:`Record` runs the
program (:meth:`~perfrules.scoring.program.ColumnProgram.run`) on a few units
with the batch's population values, exactly as the batch ran, and keeps what
the run worked out: the data columns it read, each indicator's value column
before and after its limits and rounding (``raw``, ``held``), which indicators
apply to which unit, and the outcome of each unit (None where the program
sends the unit to the per-unit program). An indicator's step columns are the
same compiled steps run again on the kept columns, when first asked for.

:class:`Explaining` is what an evaluation keeps to explain its units when
asked: the units in order, recorded a block at a time around the unit asked
about, so that reading every unit's explanation runs the program once per
block, and explaining a few units runs it on a few small blocks. Recording is
off in the normal path: totals-only scoring keeps none of this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import partial
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import Number, exact
from ..scheme.units import Unit
from .colexact import exact_values
from .colperiods import PeriodRows, Summed
from .colsteps import ZERO_DIVISOR
from .compiled import Population
from .outcome import UnitOutcome
from .program import ColumnProgram

__all__ = ["BLOCK", "KEEP", "Columns", "Explaining", "Record"]

BLOCK = 64
"""How many units around the one asked about are recorded together."""


KEEP = 2048
"""How many blocks an evaluation keeps recorded at most (see :class:`Explaining`)."""

_ROW_READS = 16  # reads of a column made row by row before the whole column is made at once


class Columns:
    """Columns a run of the column program worked out, read row by row as the per-unit program's
    numbers: the columns it read (``cols``), each indicator's value column before and after its
    limits and rounding (``raw``, ``held``: indexed by the indicator's position), over ``n`` rows."""

    def __init__(
        self,
        cols: dict[str, Any],
        raw: Any,
        held: Any,
        n: int,
        population: Mapping[str, Population],
        owner: Record | None = None,
    ) -> None:
        self.cols = cols
        self.raw = raw
        self.held = held
        self.n = n
        self.population = population
        self._owner = owner  # the record this is a view of (None: itself)
        self._scopes: dict[int, dict[str, Any]] = {}
        self._kept: dict[Any, Any] = {}
        self.explained = 0  # units explained from this record so far (from the second, columns at once)

    def unchanged(self, k: int) -> Any:
        """Where indicator *k*'s value column equals its held one (no limit, zero rule or rounding
        changed it), as a list of bools, worked out once."""
        return self.kept(("unchanged", k), partial(_equal, self.raw[k], self.held[k]))  # a list of bools

    def kept(self, key: Any, work: Callable[[], Any]) -> Any:
        """What *work* gives, worked out once per record (a column of a step or condition)."""
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = work()
        return found

    def scope(self, k: int, run_steps: Callable[[dict[str, Any], int], dict[str, Any]]) -> dict[str, Any]:
        """Indicator *k*'s scope after its steps (compiled by *run_steps*), over the kept columns; the
        rows that divided by 0 are marked under ``ZERO_DIVISOR``."""
        found = self._scopes.get(k)
        if found is None:
            cols = dict(self.cols)
            cols[ZERO_DIVISOR] = numpy().zeros(self.n, dtype=bool)
            found = self._scopes[k] = run_steps(cols, self.n)
            found.setdefault(ZERO_DIVISOR, cols[ZERO_DIVISOR])
        return found

    def value(self, col: IntColumn, i: int) -> Number:
        """Row *i* of one of the record's columns, as the per-unit program's numbers are (a Decimal
        where finite, else a Fraction): row by row at first, the whole column at once once it is read
        often (every unit of the block explained)."""
        key = ("values", id(col))
        found = self._kept.get(key, 0)
        if type(found) is int:
            if found < _ROW_READS and (self._owner or self).explained < 2:
                self._kept[key] = found + 1
                return self.number(col, i)
            found = self._kept[key] = exact_values(col.num, col.den)
        return found[i]  # type: ignore[no-any-return]

    @staticmethod
    def number(col: IntColumn, i: int) -> Number:
        """Row *i* of an exact column, as the per-unit program's numbers are (Decimal where finite)."""
        return exact(Fraction(int(col.num[i]), col.den))


class Record(Columns):
    """What one run of the column program worked out for some units (see the module's docstring)."""

    def __init__(
        self, program: ColumnProgram, units: Sequence[Unit], population: Mapping[str, Population] | None
    ) -> None:
        kept: dict[str, Any] = {}
        self.program = program
        self.outcomes: list[UnitOutcome | None] = program.run(units, population, record=kept)
        raw, held = kept.get("raw", []), kept.get("held", [])
        super().__init__(kept.get("cols", {}), raw, held, len(units), population or {})
        self.given = units  # as given (their data without history values and parameters)
        self.units: Sequence[Unit] = kept.get("units", units)
        self.own: tuple[Any, Any] | None = kept.get("own")  # per unit, its weights read (weight_from)
        self.applicable: Any = kept.get("applicable")
        # Per unit with errors, what the program found wrong (uniterrors): refused before scoring.
        self.errored: Mapping[int, Any] = kept["scored"].errors if "scored" in kept else {}
        # Per indicator reported per period: its period rows or summed inputs, as scored (colperiods).
        self.periods: dict[int, PeriodRows | Summed] = kept.get("periods", {})
        self._views: dict[int, Columns] = {}

    def view(self, k: int) -> Columns | None:
        """Indicator *k*'s period rows (rows as :attr:`PeriodRows.labels` lists them) or summed
        inputs (rows as the record's) as columns of their own; None where it has none."""
        found = self._views.get(k)
        if found is None:
            scored = self.periods.get(k)
            if scored is None:
                return None
            if isinstance(scored, Summed):
                found = Columns(scored.cols, self.raw, self.held, self.n, self.population, self)
            else:
                found = Columns(
                    scored.cols, {k: scored.raw}, {k: scored.held}, len(scored.labels), self.population, self
                )
            self._views[k] = found
        return found


def _equal(a: IntColumn, b: IntColumn) -> Any:
    """Where two exact columns hold the same numbers (cross-multiplied, in Python integers if need be)."""
    x = a.num * b.den if a.bound * b.den < SAFE else as_objects(a.num) * b.den
    y = b.num * a.den if b.bound * a.den < SAFE else as_objects(b.num) * a.den
    return numpy().asarray(x == y, dtype=bool).tolist()


class Explaining:
    """An evaluation's units, recorded a block at a time when one of them is explained.

    *units* gives the unit at a position (a ``Unit``, or anything with ``made()``);
    *population* per unit name, its population values over the whole batch.

    Each block is recorded once and kept while it is needed: until each of its units has been
    read (every unit read in order keeps one block; read in ranking order, as JSON output and
    tables read them, the blocks of the whole batch, each run once), at most *keep* blocks at a
    time (the one recorded first let go to make room).
    """

    def __init__(
        self,
        program: ColumnProgram,
        units: Sequence[Any],
        population: Mapping[str, Population],
        block: int = BLOCK,
        keep: int = KEEP,
    ) -> None:
        self.program = program
        self.units = units
        self.population = population
        self.block = block
        self.keep = keep
        self._records: dict[int, list[Any]] = {}  # per block: its record and its units not read yet
        self._read = bytearray(len(units))  # which units have been read

    def record(self, i: int) -> tuple[Record, int]:
        """The record of the block holding position *i*, and *i*'s row in it."""
        b = i // self.block
        lo = b * self.block
        found = self._records.get(b)
        if found is None:
            chunk = [u if isinstance(u, Unit) else u.made() for u in self.units[lo : lo + self.block]]
            empty: Population = {}
            mine = {u.name: self.population.get(u.name, empty) for u in chunk}
            made = Record(self.program, chunk, mine)
            if len(self._records) >= self.keep:  # room: the block recorded first goes
                del self._records[next(iter(self._records))]
            found = self._records[b] = [made, made.n - sum(self._read[lo : lo + self.block])]
        record = found[0]
        if not self._read[i]:
            self._read[i] = 1
            found[1] -= 1
            if found[1] <= 0:  # its last unit read: let it go
                del self._records[b]
        return record, i - lo
