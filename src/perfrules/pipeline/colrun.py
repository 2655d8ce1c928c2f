"""A CSV file's results kept as columns up to the output: one sort ranks them, lines come from a spill file.

What :func:`perfrules.pipeline.stream.score_file` gives for the files
:mod:`perfrules.pipeline.csvpass` scores range by range (totals-only output, a
scheme the column program compiles, no population steps, quotas or flags).
Each range comes back as a :class:`~perfrules.pipeline.colblock.Block`: the
units the column program scored as a few columns (exact totals as integer
numerators over a few denominators and their nearest floats, categories,
rows) and the tails of their CSV lines, which go at once to a temporary
file; every other unit as its outcome. Nothing per unit is made for the
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

import mmap
import tempfile
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
from .csvpass import RowUnit, _Setup, _work_block, each_range, gathered_again, score_block
from .runs import StreamedRun, ranked_positions

__all__ = ["ColumnRun", "score_csv_columns"]


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
    collected = _Collected()

    def take(block: Block) -> None:
        collected.add(block)
        if progress is not None and len(block):
            progress(collected.count, block.names[int(block.name_ends[-2]) if len(block) > 1 else 0 :])

    try:
        setup = each_range(
            scheme,
            layout,
            category,
            workers,
            lambda setup, span: take(score_block(setup, span)),
            _work_block,
            lambda block, setup: take(block),
        )
        if collected.problems:
            raise DataError(collected.problems, title=f"invalid data in {layout.origin}")
        with gc_paused():
            return collected.finish(setup, layout, chunk_size)
    except BaseException:
        collected.spill.close()
        raise


class _Collected:
    """The blocks of a file's ranges, in file order: names, kept columns, the other units' outcomes."""

    def __init__(self) -> None:
        self.spill = tempfile.TemporaryFile(prefix="perfrules-", suffix=".lines")  # noqa: SIM115 (closed by the run)
        self.spilled = 0
        self.count = 0  # units (groups) so far
        self.problems: list[Problem] = []
        self.names: list[tuple[int, str, Any]] = []  # per block: first unit, names, their ends
        self.hashes: list[Any] = []
        self.dens: dict[int, int] = {}
        self.cats: dict[str | None, int] = {}
        self.parts: list[tuple[Any, ...]] = []  # per block: places, floats, num, den, category, row, tail
        self.others: dict[int, UnitOutcome] = {}

    def add(self, block: Block) -> None:
        np = numpy()
        base = self.count
        self.count += len(block)
        self.problems += block.problems
        self.names.append((base, block.names, block.name_ends))
        self.hashes.append(np.fromiter(map(hash, block.name_list()), dtype=np.int64, count=len(block)))
        for k, packed in block.others.items():
            self.others[base + k] = unpack(packed)
        fast = block.fast
        if fast is None or not len(fast.groups):
            return
        dens = np.array([self.dens.setdefault(d, len(self.dens)) for d in fast.dens], dtype=np.int32)
        cats = [self.cats.setdefault(c, len(self.cats)) for c in fast.categories]
        self.spill.write(fast.tails)
        ends = fast.tail_ends + self.spilled
        self.spilled += len(fast.tails)
        self.parts.append(
            (
                fast.groups + base,
                fast.floats,
                fast.num,
                dens[fast.which_den],
                np.array(cats, dtype=np.int32),
                fast.rows,
                ends,
            )
        )

    def name(self, k: int) -> str:
        """Unit *k*'s name (its place among every range's units)."""
        import bisect

        b = bisect.bisect_right(self.names, k, key=lambda entry: entry[0]) - 1
        base, text, ends = self.names[b]
        i = k - base
        return text[(int(ends[i - 1]) if i else 0) : int(ends[i])]

    def finish(self, setup: _Setup, layout: CsvFile, chunk_size: int) -> ColumnRun:
        np = numpy()
        n = self.count
        # A name met again (in a later range, or apart in one) is a unit whose rows are gathered again
        # from the whole file: its first place takes the outcome of all its rows; later places go.
        dropped = np.zeros(n, dtype=bool)
        apart: dict[str, int] = {}
        if n:
            hashes = np.concatenate(self.hashes)
            order = np.argsort(hashes, kind="stable")
            ordered = hashes[order]
            same = np.flatnonzero(ordered[1:] == ordered[:-1])
            if len(same):
                candidates = np.unique(np.concatenate([order[same], order[same + 1]])).tolist()
                first: dict[str, int] = {}
                for k in candidates:  # in file order
                    name = self.name(k)
                    if name in first:
                        dropped[k] = True
                        apart.setdefault(name, len(apart))
                    else:
                        first[name] = k
                if apart:
                    again = gathered_again(setup, layout, apart, chunk_size)
                    for name in apart:
                        self.others[first[name]] = again[name]
        self.hashes = []
        return ColumnRun(self, dropped, setup)


class ColumnRun(StreamedRun):
    """A file's results as columns, ranked: what :func:`score_csv_columns` gives.

    The units kept as columns have no outcome; :attr:`outcomes` and
    :meth:`ranking` make one for every unit when read (as
    :class:`~perfrules.pipeline.stream.StreamedRun` has them), while the
    command line reads :meth:`ranked_blocks`, :meth:`others` and :meth:`names`.
    Call :meth:`close` (or use the run as a context manager) to let the
    spill file go.
    """

    def __init__(self, collected: _Collected, dropped: Any, setup: _Setup) -> None:
        np = numpy()
        self.notes: tuple[Problem, ...] = tuple(setup.reader.file_notes)
        self._spill = None
        self._spans = None
        self._scheme: Scheme = setup.scheme
        self._origin = setup.origin
        self._file: Any = collected.spill
        # A run let go unclosed deletes its spill file all the same.
        weakref.finalize(self, collected.spill.close)
        self._names = collected.names
        self._collected = collected
        self._made: list[UnitOutcome] | None = None
        others = collected.others
        parts = collected.parts
        n = collected.count
        # Per place among every range's units: the kept unit's row in the columns (or -1).
        where = np.full(n, -1, dtype=np.int64)
        if parts:
            places = np.concatenate([p[0] for p in parts])
            where[places] = np.arange(len(places))
            self._floats = np.concatenate([p[1] for p in parts])
            nums = [p[2] for p in parts]
            if any(a.dtype == object for a in nums):
                nums = [a.astype(object) for a in nums]
            self._num = np.concatenate(nums)
            self._den = np.concatenate([p[3] for p in parts])
            self._cat = np.concatenate([p[4] for p in parts])
            self._row = np.concatenate([p[5] for p in parts])
            self._end = np.concatenate([p[6] for p in parts])
        else:
            self._floats = self._num = self._den = self._cat = self._row = self._end = np.zeros(0, np.int64)
        places_of = np.array(sorted(others), dtype=np.int64)
        where[places_of] = -1  # a unit gathered again takes its outcome
        collected.parts = []
        self._dens = list(collected.dens)
        self._cats = list(collected.cats)
        keep = ~dropped
        self._place = np.flatnonzero(keep)  # each unit's place among every range's units
        self._where = where[keep]  # each unit's row in the columns, -1 for an outcome
        places_of = places_of[keep[places_of]]  # a later place of a name met again is no unit
        units_of = np.searchsorted(self._place, places_of).tolist()
        self._others = {u: others[p] for u, p in zip(units_of, places_of.tolist(), strict=True)}
        collected.others = {}
        self._rank, self._order = self._ranked_units()
        self._category_ranks: Any = None
        self._map: Any = None

    # ----- ranks -------------------------------------------------------------

    def _ranked_units(self) -> tuple[Any, list[int]]:
        """Every unit's rank (0: not ranked) and the units in ranking order."""
        np = numpy()
        # The column program compiles no veto: no unit of its scheme is ranked after the others.
        assert not any(o.vetoed for o in self._others.values()), "a vetoed unit in a column run"
        where = self._where
        rank = np.zeros(len(where), dtype=np.int64)
        scored = self._scored(np.ones(len(where), dtype=bool))
        if len(scored):
            totals = self._totals(scored)
            if len(scored) == len(where) and not self._others:
                totals._floats = self._floats  # worked out where the range was scored
            rank[scored] = totals.ranks()
        ranks: list[int | None] = [r or None for r in rank.tolist()]
        for u, o in self._others.items():
            o.rank = ranks[u]
        return rank, ranked_positions(ranks, self.name)

    def _scored(self, among: Any) -> Any:
        """The units of *among* (a mask) that have a total, by place."""
        np = numpy()
        has = among & (self._where >= 0)
        for u, o in self._others.items():
            has[u] = among[u] and o.total is not None
        return np.flatnonzero(has)

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
                for c in set(cats):
                    units = self._scored(np.array([x == c for x in cats], dtype=bool))
                    if len(units):
                        for u, r in zip(units.tolist(), self._totals(units).ranks().tolist(), strict=True):
                            found[u] = r
            self._category_ranks = found
        ranks: list[int | None] = self._category_ranks
        return ranks

    # ----- what each unit is -------------------------------------------------

    def __len__(self) -> int:
        return len(self._where)

    def name(self, u: int) -> str:
        """Unit *u*'s name (units in file order)."""
        return self._collected.name(int(self._place[u]))

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

    def ranked_others(self) -> list[UnitOutcome]:
        """The units that are outcomes, in ranking order."""
        others = self._others
        return [others[u] for u in self._order if u in others]

    def others(self) -> list[UnitOutcome]:
        """The units that are outcomes (errors, notes, lines the CSV writer quotes), in file order."""
        return [self._others[u] for u in sorted(self._others)]

    def _data(self) -> Any:
        """The spilled tails, mapped into memory (the pages are read as they are needed)."""
        if self._map is None:
            self._file.flush()
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if self._end.size else b""
        return self._map

    def tail(self, w: int) -> str:
        """The CSV line after the rank of the unit at row *w* of the columns."""
        start = int(self._end[w - 1]) if w else 0
        return self._data()[start : int(self._end[w])].decode("utf-8")  # type: ignore[no-any-return]

    def ranked_blocks(self, size: int = 4096) -> Iterator[list[tuple[int | None, str] | UnitOutcome]]:
        """The units in ranking order, *size* at a time: a unit kept as columns as its rank and the
        tail of its CSV line (:mod:`perfrules.pipeline.colblock`), any other as its outcome."""
        where = self._where
        rank = self._rank
        end = self._end
        order = self._order
        for at in range(0, len(order), size):
            units = order[at : at + size]
            data = self._data()
            rows = where[units].tolist()
            ranks = rank[units].tolist()
            block: list[tuple[int | None, str] | UnitOutcome] = []
            for u, w, r in zip(units, rows, ranks, strict=True):
                if w < 0:
                    block.append(self._others[u])
                else:
                    start = int(end[w - 1]) if w else 0
                    block.append((r or None, data[start : int(end[w])].decode("utf-8")))
            yield block

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
        return [outcomes[u] for u in self._order]

    def _ranked(self) -> list[int]:
        return self._order

    @property
    def failed(self) -> list[UnitOutcome]:
        return [o for o in self.others() if o.errors]

    def close(self) -> None:
        """Let the spill file go (it is deleted); outcomes already made stay."""
        if isinstance(self._map, mmap.mmap):
            self._map.close()
        self._map = None
        self._file.close()
