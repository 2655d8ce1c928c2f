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
from .coltruth import TruthColumn
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
        if isinstance(col, TruthColumn):  # a step's truth value (coltruth): True/False where it is one
            if col.truth[i]:
                return bool(col.holds[i])  # type: ignore[return-value]
            col = col.value
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
        """Row *i* of an exact column, as the per-unit program's numbers are (Decimal where finite; a
        step's truth value, True/False, where it holds one: coltruth)."""
        if isinstance(col, TruthColumn):
            if col.truth[i]:
                return bool(col.holds[i])  # type: ignore[return-value]
            col = col.value
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

    A block is the unit asked about and its neighbours: those beside it in the batch, or, where
    the units are read in an order the evaluation was told (:meth:`expect`: its ranking, as JSON
    output, tables and workbooks read them) and this one follows the last one asked in it, the
    units after it in that order — so that reading the first units of the ranking, scattered over
    the batch, records a few blocks of the units read rather than a block per unit. The program
    scores any set of units with the batch's population values (which it takes as given) exactly
    as the batch ran.

    Each block is recorded once and kept while it is needed: until each of its units has been
    read (every unit read in order keeps one block; read in ranking order, a block of the units
    read next), at most *keep* blocks at a time (the one recorded first let go to make room).
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
        # Per block: its record, each member's row in it, its members not read yet.
        self._records: dict[int, _Block] = {}
        self._at: dict[int, int] = {}  # per position recorded in a kept block: that block
        self._made = 0  # blocks recorded so far (their keys)
        self._read = bytearray(len(units))  # which units have been read
        self._order: list[int] | None = None  # the reading order told (expect)
        self._place: dict[int, int] = {}  # per position, its place in that order
        self._last = -1  # the position asked about last

    @property
    def expecting(self) -> bool:
        """Whether an order of reading has been told (:meth:`expect`)."""
        return self._order is not None

    def expect(self, order: Sequence[int]) -> None:
        """Be told the order in which units are likely to be read (positions; the first told is kept)."""
        if self._order is None:
            self._order = list(order)
            self._place = {p: j for j, p in enumerate(self._order)}

    def record(self, i: int) -> tuple[Record, int]:
        """The record of the block holding position *i*, and *i*'s row in it."""
        key = self._at.get(i)
        if key is None:
            key = self._recorded(self._members(i))
        found = self._records[key]
        row = found.rows[i]
        self._last = i
        if not self._read[i]:
            self._read[i] = 1
            found.pending -= 1
            if found.pending <= 0:  # its last unit read: let it go
                self._drop(key)
        return found.record, row

    def _members(self, i: int) -> Sequence[int]:
        """The positions recorded with *i*: the units after it in the order told, where *i* follows the
        unit asked about last in that order; else its neighbours in the batch."""
        place = self._place.get(i)
        if place is not None and self._order is not None and self._place.get(self._last, -2) == place - 1:
            return self._order[place : place + self.block]
        lo = i - i % self.block
        return range(lo, min(lo + self.block, len(self.units)))

    def _recorded(self, members: Sequence[int]) -> int:
        """Record the units at *members* as a block, kept under a new key (returned)."""
        units = self.units
        chunk = [u if isinstance(u, Unit) else u.made() for u in (units[p] for p in members)]
        empty: Population = {}
        mine = {u.name: self.population.get(u.name, empty) for u in chunk}
        made = Record(self.program, chunk, mine)
        if len(self._records) >= self.keep:  # room: the block recorded first goes
            self._drop(next(iter(self._records)))
        key = self._made
        self._made += 1
        block = self._records[key] = _Block(made, {p: row for row, p in enumerate(members)})
        for p in members:
            old = self._at.get(p)
            if old is not None:  # recorded before in a block still kept: read from this one now
                self._leave(old, p)
            self._at[p] = key
            if not self._read[p]:
                block.pending += 1
        return key

    def _leave(self, key: int, p: int) -> None:
        """Position *p* is read from another block than *key* from now on."""
        block = self._records[key]
        if not self._read[p]:
            block.pending -= 1
            if block.pending <= 0:
                self._drop(key)

    def _drop(self, key: int) -> None:
        block = self._records.pop(key)
        at = self._at
        for p in block.rows:
            if at.get(p) == key:
                del at[p]


class _Block:
    """A block recorded: its record, each member position's row in it, its members not read yet."""

    __slots__ = ("pending", "record", "rows")

    def __init__(self, record: Record, rows: dict[int, int]) -> None:
        self.record = record
        self.rows = rows
        self.pending = 0
