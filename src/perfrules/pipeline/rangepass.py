"""The two passes over a UTF-8 CSV file for a scheme with population steps, read in byte ranges.

What :func:`perfrules.pipeline.stream.score_file` runs, for totals-only
output, when the scheme compiles to a column program, has population steps
whose parts the columns give (peer ratios of data columns:
:func:`~perfrules.scoring.colpeers.peer_reads`), and the file is one that
:func:`~perfrules.files.csvcolumns.open_csv` takes. Each pass reads the file
range by range (:mod:`perfrules.pipeline.rangegroups`: no ``Row`` per line, the
year cells parsed straight from the bytes): the first gathers each unit's part
in the population steps (:func:`observe_ranges`), the second scores every unit
with the population values (:func:`score_ranges`). A unit whose lines the
column reader does not take is read by the per-cell reader and observed or
scored as the row stream does it (:func:`~perfrules.pipeline.popchunk.observe_groups`,
:func:`~perfrules.pipeline.chunk.score_groups`), with the same messages.

Units are gathered as the row stream gathers them: a name met again later in
the file (in this range or another, or a unit's lines running on into the next
range) is a unit whose rows are gathered again from the whole file at the end
(:func:`~perfrules.files.unit_groups._gathered_again`), and its complete group
replaces what its first rows gave. Rows that name no unit stop the run once the
first pass has read every range, as ever. Memory grows only by the compact
outcomes and observations: one range is held at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from typing import Final

from .._errors import DataError, Problem
from .._intcols import gc_paused
from .._numbers import Number
from ..files.csvcolumns import CsvFile, read_range
from ..files.data import _RowUnits
from ..files.tables import Row, _Columns
from ..files.unit_groups import RowGroup, _gathered_again
from ..scheme.model import Scheme
from ..scoring.colpeers import PeerBlock, peer_blocks, peer_reads
from ..scoring.colpeervalues import PeerObservations
from ..scoring.colsteps import BatchPopulation
from ..scoring.outcome import UnitOutcome
from ..scoring.plan import Plan, plan_of
from ..scoring.population import Observation
from ..scoring.program import ColumnProgram, program_of
from .chunk import score_columns, score_groups
from .popchunk import group_parts, population_fields
from .rangegroups import RangeGroups, Where, named_rows, range_groups, year_columns

__all__ = ["CsvPasses", "csv_passes", "observe_ranges", "score_ranges"]

Population = Mapping[tuple[str, str, str | None], Number]


class CsvPasses:
    """What both passes over a file need, made once: its column rules, readers and the program.

    Attributes:
        layout: the file as :func:`~perfrules.files.csvcolumns.open_csv` found it.
        reader: the per-cell reader of every column the scheme reads (its ``file_notes`` are
            the file's notes).
        observer: the per-cell reader of the columns the population steps read.
        where: where the columns are on a line.
        reads: the data columns the population steps read.
    """

    def __init__(self, scheme: Scheme, layout: CsvFile, program: ColumnProgram, reads: list[str]) -> None:
        self.scheme = scheme
        self.layout = layout
        self.plan: Plan = program.plan
        self.program = program
        self.reads = reads
        columns = _Columns(layout.raw_header, layout.origin, layout.header_row)
        header = columns.header
        self.reader = _RowUnits(header, scheme=scheme, origin=layout.origin)
        only = population_fields(self.plan)
        self.observer = _RowUnits(header, scheme=scheme, origin=layout.origin, only=only)
        self.where = Where(columns, self.reader)
        self.again: list[RowGroup] | None = None  # the units met apart, gathered again (see _again)

    def ranges(self, category: str | None, skip: int = 0) -> Iterator[RangeGroups]:
        """Each range of the file after the first *skip*, read and gathered per unit
        (see :mod:`~perfrules.pipeline.rangegroups`)."""
        layout = self.layout
        for start, end, first, plain in layout.ranges[skip:]:
            with gc_paused():
                chunk = read_range(layout.path, start, end, first, self.where.width, plain)
                groups = range_groups(chunk, self.where, category)
            yield groups


class _Read:
    """One range as both passes read it: its groups' names, the groups taken as columns (their year
    cells parsed, their periods and 不适用 lists), and every other group as rows.

    The first pass keeps what it read of the first ranges (up to :data:`HELD_UNITS` units) for the
    second, which reads only the ranges beyond that again: memory stays bounded.
    """

    def __init__(self, passes: CsvPasses, groups: RangeGroups) -> None:
        program = passes.program
        self.names = groups.names
        self.cells = groups.cells
        self.columns, self.ok, self.peers = year_columns(
            groups, passes.where, program.reads, program.text_reads, passes.reads
        )
        self.groups = groups

    def row_group(self, g: int, where: Where) -> RowGroup:
        """Group *g* as the row stream gives it (a unit the per-cell reader reads)."""
        return self.groups.row_group(g, where)

    def let_go(self) -> None:
        """Let the range's cell offsets go: what is kept is what the scoring pass reads (and the
        lines, for a unit the per-cell reader is to read)."""
        self.groups.let_go()


HELD_UNITS: Final = 25_000
"""Units whose read ranges the first pass keeps for the second (about 2 KiB each, with the ranges'
bytes: some 50 MiB at most); the ranges beyond them are read again."""


def csv_passes(scheme: Scheme, layout: CsvFile) -> CsvPasses | None:
    """The passes for *scheme* over the file, or None where they do not apply (see the module's docstring)."""
    plan = plan_of(scheme)
    program = program_of(plan)
    if not plan.has_population:
        return None
    passes = CsvPasses(scheme, layout, program, [])
    reads = peer_reads(plan, passes.reader.text_fields)
    if reads is None:
        return None
    passes.reads = reads
    return passes


class _Gathered:
    """The ranges' groups put together in file order, as one reading of the whole file gathers them:
    the names given first, the names met again (each with its order among those), and the ranges
    those are in."""

    def __init__(self) -> None:
        self.given: dict[str, int] = {}  # a name given, and the range it was first given in
        self.names: list[str] = []
        self.apart: dict[str, int] = {}
        self.touched: set[int] = set()
        self._ranges = 0

    def fresh(self, names: list[str]) -> list[bool]:
        """Per group of the next range, whether it is its unit's first (a name met again is
        gathered again)."""
        given = self.given
        here = self._ranges
        self._ranges += 1
        if given.keys().isdisjoint(names) and len(set(names)) == len(names):
            given.update(dict.fromkeys(names, here))
            self.names.extend(names)
            return [True] * len(names)
        found = []
        for name in names:
            first = given.get(name)
            if first is not None:
                self.apart.setdefault(name, len(self.apart))
                self.touched.update((first, here))
                found.append(False)
            else:
                given[name] = here
                self.names.append(name)
                found.append(True)
        return found


FEW_APART: Final = 2_000
"""Units met apart (their lines in two ranges, or named twice) whose rows are gathered again from
the ranges they are in, and kept for the scoring pass; with more, the whole file is read again
(:func:`~perfrules.files.unit_groups._gathered_again`, in sorted runs on disk) in each pass."""


def _again(passes: CsvPasses, gathered: _Gathered) -> list[RowGroup] | None:
    """The complete row groups of the units met apart, gathered from the ranges they are in, in the
    order :func:`~perfrules.files.unit_groups._gathered_again` gives them; None for too many."""
    apart = gathered.apart
    if len(apart) > FEW_APART:
        return None
    layout, where = passes.layout, passes.where
    items: list[tuple[int, int, str, Row]] = []
    for r in sorted(gathered.touched):
        start, end, first, plain = layout.ranges[r]
        with gc_paused():
            chunk = read_range(layout.path, start, end, first, where.width, plain)
            items += named_rows(chunk, where, apart)
    passes.reader.problems.clear()  # (rows that name no unit: the first pass reported them)
    items.sort(key=lambda item: (item[0], item[1]))
    groups: list[RowGroup] = []
    for _, _, name, row in items:
        if not groups or groups[-1][0] != name:
            groups.append((name, [], True))
        groups[-1][1].append(row)
    return groups


def _chunked(groups: Iterator[RowGroup], size: int) -> Iterator[list[RowGroup]]:
    chunk: list[RowGroup] = []
    for group in groups:
        chunk.append(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def observe_ranges(
    passes: CsvPasses, category: str | None, chunk_size: int
) -> tuple[PeerObservations, list[str], list[_Read | None]]:
    """The first pass: what every unit puts into the population steps, and the units' names in
    the file's order (as the row stream's first pass gives them: the units taken as columns, as
    columns); and per range, what was read of it when it is kept for the scoring pass (see
    :class:`_Read`).

    Raises:
        DataError: rows name no unit (once every range is read), or a file error in a row.
    """
    gathered = _Gathered()
    problems: list[Problem] = []
    found = PeerObservations(passes.plan)
    held: list[_Read | None] = []
    units = 0
    reader = passes.reader
    for groups in passes.ranges(category):
        with gc_paused():  # (a range at a time: garbage in cycles, if any, goes between ranges)
            problems.extend(reader.problems)
            reader.problems.clear()
            gathered.fresh(groups.names)
            read = _Read(passes, groups)
            found.add(*_observe(passes, read, category))
            read.let_go()
            units += len(read.names)
            held.append(read if units <= HELD_UNITS else None)
    if problems:
        raise DataError(problems, title=f"invalid data in {passes.layout.origin}")
    apart = gathered.apart
    if apart:
        found.drop(apart)
        observer = passes.observer
        passes.again = _again(passes, gathered)
        again = (
            passes.again
            if passes.again is not None
            else _gathered_again(passes.layout.path, None, observer, apart)
        )
        for chunk in _chunked(iter(again), chunk_size):
            found.add(*group_parts(passes.scheme, observer, chunk, category))
    found.names = gathered.names
    return found, gathered.names, held


def _observe(
    passes: CsvPasses, read: _Read, category: str | None
) -> tuple[list[PeerBlock], list[Observation]]:
    """A range's parts in the population steps: the units taken read off their year cells at once,
    every other unit as the row stream's first pass reads it."""
    cells = read.cells
    blocks: list[PeerBlock] = []
    found: list[Observation] = []
    rest: list[int] = []
    if cells.taken:
        names = [read.names[g] for g in cells.taken]
        blocks, rest = peer_blocks(
            passes.plan, names, cells.categories, read.peers, cells.declared, cells.periods
        )
    left = set(range(len(read.names))) - set(cells.taken) | {cells.taken[k] for k in rest}
    if left:
        row_groups = [read.row_group(g, passes.where) for g in sorted(left)]
        more, found = group_parts(passes.scheme, passes.observer, row_groups, category)
        blocks += more
    return blocks, found


class Scoring:
    """What the scoring pass gives: the outcomes in the file's order (no ranks yet), and the units
    whose data the per-cell reader could not read."""

    def __init__(self, outcomes: list[UnitOutcome], unreadable: set[str]) -> None:
        self.outcomes = outcomes
        self.unreadable = unreadable


def score_ranges(
    passes: CsvPasses,
    category: str | None,
    chunk_size: int,
    population: Mapping[str, Population],
    progress: Callable[[int, str], None] | None,
    held: list[_Read | None],
) -> Scoring:
    """The second pass: every unit scored with the population values (see the module's docstring);
    *held* is what the first pass kept of each range (a range not kept is read again)."""
    gathered = _Gathered()
    outcomes: list[UnitOutcome] = []
    unreadable: set[str] = set()
    reader = passes.reader
    kept = [r for r in held if r is not None]
    for read in chain(kept, (_Read(passes, g) for g in passes.ranges(category, len(kept)))):
        with gc_paused():
            reader.problems.clear()  # (the first pass reported them)
            scored, bad = _score(passes, read, category, population)
            unreadable.update(bad)
            fresh = gathered.fresh(read.names)
            outcomes.extend(o for o, f in zip(scored, fresh, strict=True) if f)
        if progress is not None and outcomes:
            progress(len(outcomes), outcomes[-1].unit.name)
    apart = gathered.apart
    if apart:
        again: dict[str, UnitOutcome] = {}
        bad_again: set[str] = set()
        groups = (
            passes.again
            if passes.again is not None
            else _gathered_again(passes.layout.path, None, reader, apart)
        )
        for chunk in _chunked(iter(groups), chunk_size):
            part = {g[0]: population.get(g[0], {}) for g in chunk}
            scored, bad = score_groups(passes.scheme, reader, chunk, part, category)
            again.update((o.unit.name, o) for o in scored)
            bad_again.update(bad)
        for k, o in enumerate(outcomes):
            if o.unit.name in again:
                outcomes[k] = again[o.unit.name]
        unreadable = (unreadable - again.keys()) | bad_again
    return Scoring(outcomes, unreadable)


def _score(
    passes: CsvPasses, read: _Read, category: str | None, population: Mapping[str, Population]
) -> tuple[list[UnitOutcome], list[str]]:
    """A range's units scored: those taken from their year cells as columns, every other one as the
    row stream scores it; and the units whose data could not be read."""
    program = passes.program
    cells = read.cells
    outcomes: list[UnitOutcome | None] = [None] * len(read.names)
    if cells.taken:
        names = [read.names[g] for g in cells.taken]
        part = (  # the batch's values as columns, or each unit's table
            population
            if isinstance(population, BatchPopulation)
            else {name: population.get(name, {}) for name in names}
        )
        for i, outcome in score_columns(
            program, passes.reader, names, cells.categories, read.columns, read.ok, cells, part
        ):
            outcomes[cells.taken[i]] = outcome
    rest = [g for g, o in enumerate(outcomes) if o is None]
    bad: list[str] = []
    if rest:
        row_groups = [read.row_group(g, passes.where) for g in rest]
        part = (
            population
            if isinstance(population, BatchPopulation)
            else {g[0]: population.get(g[0], {}) for g in row_groups}
        )
        scored, bad = score_groups(passes.scheme, passes.reader, row_groups, part, category)
        for g, outcome in zip(rest, scored, strict=True):
            outcomes[g] = outcome
    found = [o for o in outcomes if o is not None]
    assert len(found) == len(outcomes), "every group of the range is scored"
    return found, bad
