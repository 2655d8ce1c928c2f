"""A CSV file's results kept as columns up to the output: one sort ranks them, lines come from a spill file.

What :func:`perfrules.pipeline.stream.score_file` gives for the files
:mod:`perfrules.pipeline.csvpass` scores range by range (totals-only output, a
scheme the column program compiles, no population steps, quotas or flags).
Each range comes back as a :class:`~perfrules.pipeline.colblock.Block`: the
units the column program scored as a few columns (exact totals as integer
numerators over a few denominators and their nearest floats, categories,
rows) and the tails of their CSV lines, which go at once to a temporary
file (:mod:`perfrules.pipeline.spill`: a forked worker writes its range's
lines there itself and sends back where they are); every other unit as its
outcome. Nothing per unit is made for the
former: the memory kept per unit is a few numbers (about 60 bytes and its
name), whatever the number of units.

At the end the units are ranked as :func:`~perfrules.scoring.batch.finish_batch`
ranks outcomes — by :meth:`perfrules.scoring.coltotals.TotalColumn.ranks`, the
same rank rule, over every scored unit's exact total — and listed as
:meth:`~perfrules.pipeline.stream.StreamedRun.ranking` lists them. The command
line writes a unit's CSV line as its rank and the tail read back from the
file (:meth:`ColumnRun.ranked_blocks`); other formats read the same tails.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from .._errors import DataError, Problem
from .._intcols import gc_paused, numpy
from .._numbers import exact
from ..files.csvcolumns import CsvFile
from ..scheme.model import Scheme
from ..scoring.coltotals import TotalColumn
from ..scoring.outcome import UnitOutcome
from .chunk import unpack
from .colblock import Block
from .colorder import interleave, stretches
from .csvpass import RowUnit, _Setup, _work_block, each_range, gathered_again, score_block
from .forked import run_forked
from .parallel import worker_context
from .runs import StreamedRun
from .spill import Spill

__all__ = ["ColumnRun", "Entry", "score_csv_columns"]

Entry = tuple[int | None, str] | UnitOutcome
"""A unit in ranking order: kept as columns, its rank and the tail of its CSV line; else its outcome."""


def score_csv_columns(
    scheme: Scheme,
    layout: CsvFile,
    category: str | None,
    workers: int,
    chunk_size: int,
    progress: Callable[[int, str], None] | None,
) -> ColumnRun:
    """Score every unit of the file, ranked, the results kept as columns (see the module's text).

    Raises:
        DataError: rows name no unit (once every range is read), or a file error in a row.
    """
    # With forked workers, each writes its ranges' lines to the spill file itself.
    collected = _Collected(shared=workers > 1 and worker_context().get_start_method() == "fork")

    def take(block: Block) -> None:
        collected.add(block)
        if progress is not None and len(block):
            progress(collected.count, block.last)

    try:
        setup = each_range(
            scheme,
            layout,
            category,
            workers,
            lambda setup, span: take(score_block(setup, span)),
            _work_block,
            lambda block, setup: take(block),
            collected.spill,
        )
        if collected.problems:
            raise DataError(collected.problems, title=f"invalid data in {layout.origin}")
        with gc_paused():
            return collected.finish(setup, layout, chunk_size, workers)
    except BaseException:
        collected.spill.close()
        raise


class _Collected:
    """The blocks of a file's ranges, in file order: names, kept columns, the other units' outcomes."""

    def __init__(self, *, shared: bool = False) -> None:
        self.spill = Spill(shared=shared)  # (closed by the run)
        self.spilled: list[int] = []  # per block with kept units, where its lines start in the spill
        self.count = 0  # units (groups) so far
        self.problems: list[Problem] = []
        self.keys: list[Any] = []  # per block, its names' keys (colblock.name_keys)
        self.by_name: list[Any] = []  # per block, its places in the order of its keys
        self.whole: dict[int, str] = {}  # names the keys do not hold whole, by place
        self.dens: dict[int, int] = {}
        self.cats: dict[str | None, int] = {}
        # Per block, of its kept units: places, numerators, denominators, categories, rows, tail ends.
        self.parts: list[list[Any]] = [[], [], [], [], [], []]
        self.others: dict[int, UnitOutcome] = {}

    def add(self, block: Block) -> None:
        np = numpy()
        base = self.count
        self.count += len(block)
        self.problems += block.problems
        self.keys.append(block.keys)
        self.by_name.append(block.by_name.astype(np.int64) + base)
        self.whole.update((base + k, name) for k, name in block.whole.items())
        for k, packed in block.others.items():
            self.others[base + k] = unpack(packed)
        fast = block.fast
        if fast is None or not len(fast.groups):
            return
        dens = np.array([self.dens.setdefault(d, len(self.dens)) for d in fast.dens], dtype=np.int32)
        cats = np.array([self.cats.setdefault(c, len(self.cats)) for c in fast.categories], dtype=np.int32)
        at = fast.at if fast.at is not None else self.spill.put(fast.tails)  # (written by a worker)
        self.spilled.append(at)
        ends = fast.tail_ends + at
        columns = (
            fast.groups.astype(np.int64) + base,
            fast.num,
            dens[fast.which_den],
            cats[fast.which_cat],
            fast.rows,
            ends,
        )
        for kept, column in zip(self.parts, columns, strict=True):
            kept.append(column)

    def column(self, k: int) -> Any:
        """Column *k* of the kept units (see :attr:`parts`), made one array, the blocks in the order
        their lines lie in the spill file (so that each line ends where the next begins); the
        blocks' parts go."""
        np = numpy()
        parts, self.parts[k] = self.parts[k], []
        if len(parts) > 1:
            parts = [parts[b] for b in sorted(range(len(parts)), key=self.spilled.__getitem__)]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        if any(a.dtype == object for a in parts):
            parts = [a.astype(object) for a in parts]
        return np.concatenate(parts)

    def name(self, place: int, keys: Any) -> str:
        found = self.whole.get(place)
        return found if found is not None else keys[place].decode("utf-8")

    def finish(self, setup: _Setup, layout: CsvFile, chunk_size: int, jobs: int = 1) -> ColumnRun:
        np = numpy()
        n = self.count
        # The blocks' keys put into one array, each block's let go as it is copied.
        keys = np.empty(n, dtype=f"S{max((k.itemsize for k in self.keys), default=1)}")
        at = 0
        while self.keys:
            part = self.keys.pop(0)
            keys[at : at + len(part)] = part
            at += len(part)
        # The units in the order of their names (as Python orders strings: UTF-8 bytes sort as the
        # code points do); runs of equal keys are names met again, or long names settled whole.
        # Each block's places come sorted by their keys: one stable sort of the blocks' sorted runs,
        # in file order, merges them (equal keys stay in file order).
        runs = np.concatenate([np.zeros(0, dtype=np.int64), *self.by_name])
        self.by_name = []
        by_name = runs[np.argsort(keys[runs], kind="stable")]
        del runs
        same = np.concatenate([np.zeros(0, dtype=np.int64), *_equal_neighbours(keys, by_name)])
        dropped = np.zeros(n, dtype=bool)
        apart: dict[str, int] = {}
        first: dict[str, int] = {}
        if len(same):
            starts = same[np.concatenate(([True], same[1:] != same[:-1] + 1))]
            ends = np.append(same[np.flatnonzero(same[1:] != same[:-1] + 1)], same[-1]) + 2
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                members = sorted(by_name[start:end].tolist(), key=lambda p: (self.name(p, keys), p))
                by_name[start:end] = members
                for p in members:  # by name, then in file order
                    name = self.name(p, keys)
                    if name in first:
                        # A name met again (in a later range, or apart in one) is a unit whose rows
                        # are gathered again from the whole file: its first place takes the outcome
                        # of all its rows; later places go.
                        dropped[p] = True
                        apart.setdefault(name, len(apart))
                    else:
                        first[name] = p
        if apart:
            again = gathered_again(setup, layout, apart, chunk_size)
            for name in apart:
                self.others[first[name]] = again[name]
        return ColumnRun(self, keys, by_name, dropped, setup, jobs)


class ColumnRun(StreamedRun):
    """A file's results as columns, ranked: what :func:`score_csv_columns` gives.

    The units kept as columns have no outcome; :attr:`outcomes` and
    :meth:`ranking` make one for every unit when read (as
    :class:`~perfrules.pipeline.stream.StreamedRun` has them), while the
    command line reads :meth:`ranked_csv`, :meth:`ranked_blocks`,
    :meth:`others` and :meth:`names`. Call :meth:`close` (or use the run as a
    context manager) to let the spill file go. With *jobs* above 1, :meth:`write_ranked_csv` writes
    in two processes.
    """

    def __init__(
        self, collected: _Collected, keys: Any, by_name: Any, dropped: Any, setup: _Setup, jobs: int = 1
    ) -> None:
        np = numpy()
        self.jobs = jobs
        self.notes: tuple[Problem, ...] = tuple(setup.reader.file_notes)
        self._spill = None
        self._spans = None
        self._scheme: Scheme = setup.scheme
        self._origin = setup.origin
        self._file: Any = collected.spill.file
        # A run let go unclosed deletes its spill file all the same.
        weakref.finalize(self, collected.spill.close)
        self._made: list[UnitOutcome] | None = None
        self._category_ranks: list[int | None] | None = None
        self._collected = collected
        self._keys = keys
        n = collected.count
        others = collected.others
        # Places among every range's units; units are the places not dropped, in file order.
        where = np.full(n, -1, dtype=np.int64)  # per place, the kept unit's row in the columns
        places = collected.column(0)
        where[places] = np.arange(len(places), dtype=np.int64)
        del places
        self._num = collected.column(1)
        self._den = collected.column(2)
        self._cat = collected.column(3)
        self._row = collected.column(4)
        self._end = collected.column(5)
        self._dens = list(collected.dens)
        self._cats = list(collected.cats)
        other_places = np.array(sorted(others), dtype=np.int64)
        where[other_places] = -1  # a unit gathered again takes its outcome
        if dropped.any():
            keep = ~dropped
            self._place: Any = np.flatnonzero(keep)
            self._where = where[keep]
            unit_of = np.cumsum(keep) - 1
            by_name = unit_of[by_name[keep[by_name]]]
            other_places = other_places[keep[other_places]]
            other_units = unit_of[other_places].tolist()
        else:
            self._place = None
            self._where = where
            other_units = other_places.tolist()
        self._others = {u: others[p] for u, p in zip(other_units, other_places.tolist(), strict=True)}
        collected.others = {}
        self._rank, self._order = self._ranked_units(by_name)

    # ----- ranks -------------------------------------------------------------

    def _ranked_units(self, by_name: Any) -> tuple[Any, Any]:
        """Every unit's rank (0: not ranked), and the units in ranking order (as
        :func:`~perfrules.pipeline.runs.ranked_positions` lists them): ranked units by rank, then
        name (*by_name*: the units in the order of their names), then the others in file order."""
        np = numpy()
        # The column program compiles no veto: no unit of its scheme is ranked after the others.
        assert not any(o.vetoed for o in self._others.values()), "a vetoed unit in a column run"
        has = self._has_total()
        rank = np.zeros(len(has), dtype=np.int64)
        # The scored units in the order of their names: one stable sort of their totals gives the
        # ranks and the ranking order, units that share a rank by name.
        named = by_name[has[by_name]]
        order = named
        if len(named):
            ranks, ranking = self._totals(named).ranked()
            rank[named] = ranks
            order = named[ranking]
        for u, o in self._others.items():
            o.rank = int(rank[u]) or None
        if len(named) < len(has):
            order = np.concatenate([order, np.flatnonzero(~has)])
        return rank, order

    def _has_total(self) -> Any:
        has = self._where >= 0
        for u, o in self._others.items():
            has[u] = o.total is not None
        return has

    def _totals(self, units: Any) -> TotalColumn:
        """The exact totals of *units*, as :class:`TotalColumn` ranks them."""
        np = numpy()
        rows = self._where[units]
        dens = np.array(self._dens, dtype=object)
        if (rows >= 0).all():
            return TotalColumn(self._num[rows], dens[self._den[rows]])
        num = np.empty(len(units), dtype=object)
        den = np.empty(len(units), dtype=object)
        kept = rows >= 0
        num[kept] = self._num[rows[kept]].astype(object)
        den[kept] = dens[self._den[rows[kept]]]
        for i in np.flatnonzero(~kept).tolist():
            value = Fraction(self._others[int(units[i])].total)  # type: ignore[arg-type]
            num[i], den[i] = value.numerator, value.denominator
        return TotalColumn(num, den)

    def category_ranks(self) -> list[int | None]:
        """Each unit's rank within its category (as ``finish_batch`` gives ``category_rank``)."""
        if self._category_ranks is None:
            np = numpy()
            cats = self.categories()
            found: list[int | None] = [None] * len(cats)
            if self._scheme.categories or any(cats):
                has = self._has_total()
                for c in set(cats):
                    units = np.flatnonzero(has & np.array([x == c for x in cats], dtype=bool))
                    if len(units):
                        for u, r in zip(units.tolist(), self._totals(units).ranks().tolist(), strict=True):
                            found[u] = r
            self._category_ranks = found
        return self._category_ranks

    # ----- what each unit is -------------------------------------------------

    def __len__(self) -> int:
        return len(self._where)

    def name(self, u: int) -> str:
        """Unit *u*'s name (units in file order)."""
        place = u if self._place is None else int(self._place[u])
        return self._collected.name(place, self._keys)

    def names(self) -> Iterator[str]:
        """Every unit's name, in file order."""
        return map(self.name, range(len(self)))

    def categories(self) -> list[str | None]:
        """Every unit's category, in file order."""
        cats = self._cats
        at = self._cat
        return [
            self._others[u].unit.category if w < 0 else cats[int(at[w])]
            for u, w in enumerate(self._where.tolist())
        ]

    def others(self) -> list[UnitOutcome]:
        """The units that are outcomes (errors, notes, lines the CSV writer quotes), in file order."""
        return [self._others[u] for u in sorted(self._others)]

    def ranked_others(self) -> list[UnitOutcome]:
        """The units that are outcomes, in ranking order."""
        others = self._others
        return [others[u] for u in self._order.tolist() if u in others] if others else []

    def tail(self, w: int) -> str:
        """The CSV line after the rank of the unit at row *w* of the columns."""
        start = int(self._end[w - 1]) if w else 0
        self._file.flush()
        return os.pread(self._file.fileno(), int(self._end[w]) - start, start).decode("utf-8")

    def _stretches(self, size: int, order: Any = None) -> Iterator[tuple[Any, Any, Any, Any]]:
        """The units in ranking order (or those of *order*), *size* at a time: the units, the
        stretch's lines, and each unit's start and end in them (see
        :func:`~perfrules.pipeline.colorder.stretches`)."""
        np = numpy()
        self._file.flush()
        if order is None:
            order = self._order
        if not len(self._end):
            for at in range(0, len(order), size):
                units = order[at : at + size]
                zero = np.zeros(len(units), dtype=np.int64)
                yield units, b"", zero, zero
            return
        rows = self._where[order]
        found = stretches(self._file.fileno(), self._end, rows, size)
        for at, (region, start, stop) in zip(range(0, len(order), size), found, strict=True):
            yield order[at : at + size], region, start, stop

    def ranked_blocks(self, size: int = 16384) -> Iterator[list[Entry]]:
        """The units in ranking order, *size* at a time: a unit kept as columns as its rank and the
        tail of its CSV line (:mod:`perfrules.pipeline.colblock`), any other as its outcome."""
        for units, region, start, stop in self._stretches(size):
            yield self._entries(units, region, start, stop)

    def _entries(self, units: Any, region: Any, start: Any, stop: Any) -> list[Entry]:
        text = region
        ranks = self._rank[units].tolist()
        return [
            self._others[u] if u in self._others else (r or None, text[a:b].decode("utf-8"))
            for u, r, a, b in zip(units.tolist(), ranks, start.tolist(), stop.tolist(), strict=True)
        ]

    def ranked_csv(self, size: int = 16384) -> Iterator[bytes | list[Entry]]:
        """:meth:`ranked_blocks`, but a block of units all kept as columns comes as its CSV lines
        (each unit's rank, a comma and its tail), put together at once, in UTF-8."""
        for units, region, start, stop in self._stretches(size):
            if self._others and any(u in self._others for u in units.tolist()):
                yield self._entries(units, region, start, stop)
                continue
            prefixes = [b"%d," % r for r in self._rank[units].tolist()]
            yield interleave(region, prefixes, start.tolist(), stop.tolist())

    def write_ranked_csv(
        self, fd: int, at: int, other_line: Callable[[UnitOutcome], bytes], size: int = 16384
    ) -> int:
        """Every unit's CSV line in ranking order, written from byte *at* of the file *fd* by
        positioned writes; returns the bytes written.

        A unit kept as columns is its rank, a comma and its tail (as :meth:`ranked_csv` gives it),
        any other is ``other_line(outcome)``. Each line's place is worked out first (ranks' digits
        and tails' lengths as columns), so with :attr:`jobs` above 1 the second half of the
        ranking is written by a forked copy of this process (:func:`~perfrules.pipeline.forked.run_forked`)
        while this one writes the first: each reads its own units' lines from the spill file.
        """
        np = numpy()
        self._file.flush()
        order = self._order
        others = {u: other_line(o) for u, o in self._others.items()}
        ends = np.cumsum(self._line_lengths(order, others))
        n = len(order)
        count = (n + size - 1) // size
        cut = (count + 1) // 2 * size if self.jobs > 1 and count > 1 else n

        def part(lo: int, hi: int) -> Callable[[], None]:
            return lambda: self._write_part(fd, at, ends, lo, hi, others, size)

        run_forked([part(0, cut), part(cut, n)] if cut < n else [part(0, n)])
        return int(ends[-1]) if n else 0

    def _line_lengths(self, order: Any, others: dict[int, bytes]) -> Any:
        """The length in bytes of each unit's CSV line, units in *order*."""
        np = numpy()
        rows = self._where[order]
        kept = rows >= 0
        lengths = np.zeros(len(order), dtype=np.int64)
        w = rows[kept]
        end = self._end
        tails = end[w] - np.where(w > 0, end[np.maximum(w - 1, 0)], 0)
        digits = np.searchsorted(_TENS, self._rank[order[kept]], side="right") + 1
        lengths[kept] = tails + digits + 1  # the rank, a comma, the tail
        if others:
            lengths[~kept] = [len(others[u]) for u in order[~kept].tolist()]
        return lengths

    def _write_part(
        self, fd: int, at: int, ends: Any, lo: int, hi: int, others: dict[int, bytes], size: int
    ) -> None:
        """Write the lines of the units ``order[lo:hi]`` where *ends* (each line's end, from *at*)
        puts them, a stretch of *size* units at a time."""
        first = lo
        for units, region, start, stop in self._stretches(size, self._order[lo:hi]):
            ranks = self._rank[units].tolist()
            listed = units.tolist()
            if others and any(u in others for u in listed):
                data = b"".join(
                    others[u] if u in others else b"%d," % r + region[a:b]
                    for u, r, a, b in zip(listed, ranks, start.tolist(), stop.tolist(), strict=True)
                )
            else:
                data = interleave(region, [b"%d," % r for r in ranks], start.tolist(), stop.tolist())
            begin = int(ends[first - 1]) if first else 0
            first += len(listed)
            if len(data) != int(ends[first - 1]) - begin:
                raise AssertionError("a stretch of CSV lines is not the length worked out for it")
            _write_all(fd, data, at + begin)

    # ----- as a StreamedRun --------------------------------------------------

    @property
    def outcomes(self) -> list[UnitOutcome]:
        """An outcome per unit, in file order, made when first read (as ``StreamedRun.outcomes``)."""
        if self._made is None:
            self._made = [self._outcome(u) for u in range(len(self))]
        return self._made

    @outcomes.setter
    def outcomes(self, value: list[UnitOutcome]) -> None:
        self._made = value

    def _outcome(self, u: int) -> UnitOutcome:
        w = int(self._where[u])
        if w < 0:
            outcome = self._others[u]
        else:
            name, _, shown, grade, *cells = self.tail(w)[:-2].split(",")
            cat = self._cats[int(self._cat[w])]
            outcome = UnitOutcome(RowUnit(name, cat, self._origin, int(self._row[w])))  # type: ignore[arg-type]
            outcome.total = exact(Fraction(int(self._num[w]), self._dens[int(self._den[w])]))
            outcome.grade = grade or None
            outcome.shown_total = shown
            outcome.rendered = ",".join(cells)
            outcome.rank = int(self._rank[u]) or None
        outcome.category_rank = self.category_ranks()[u]
        return outcome

    def ranking(self) -> list[UnitOutcome]:
        outcomes = self.outcomes
        return [outcomes[u] for u in self._order.tolist()]

    def _ranked(self) -> list[int]:
        return self._order.tolist()  # type: ignore[no-any-return]

    @property
    def failed(self) -> list[UnitOutcome]:
        return [o for o in self.others() if o.errors]

    def close(self) -> None:
        """Let the spill file go (it is deleted); outcomes already made stay."""
        self._file.close()


_TENS = [10**k for k in range(1, 19)]  # a rank below 10**k has k digits or fewer


def _write_all(fd: int, data: bytes, at: int) -> None:
    """Write *data* at byte *at* of *fd* (a positioned write may write less than asked)."""
    view = memoryview(data)
    while view:
        done = os.pwrite(fd, view, at)
        view, at = view[done:], at + done


def _equal_neighbours(keys: Any, order: Any, step: int = 1 << 16) -> Iterator[Any]:
    """The positions i of *order* where ``keys[order[i]] == keys[order[i + 1]]``, a stretch at a time."""
    np = numpy()
    last = len(order) - 1
    for at in range(0, max(last, 0), step):
        stop = min(at + step, last)
        yield np.flatnonzero(keys[order[at + 1 : stop + 1]] == keys[order[at:stop]]) + at
