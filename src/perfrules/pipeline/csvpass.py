"""Scoring a UTF-8 CSV file's units by the column program, range by range, in one process or several.

What :func:`perfrules.pipeline.stream.score_file` runs for a CSV file that
:func:`~perfrules.files.csvcolumns.open_csv` takes, a scheme the column program
compiles and no population steps (totals-only output). Each range of data
lines is read as a matrix of cell offsets (:func:`~perfrules.files.csvcolumns.read_range`)
by the process that scores it; the lines of one unit each are scored as
columns straight from the bytes, without a ``Row`` or a ``Unit`` (a cell that
is not a plain decimal, such as ``87.5分``, read by the per-cell reader once
per distinct text: :mod:`perfrules.files.colcells`). Every other line
becomes the ``Row`` the table reader makes of it, and its unit is read and
scored as the row-by-row stream reads and scores it
(:func:`~perfrules.pipeline.chunk.score_groups`), with the same messages.

Units are gathered as :func:`~perfrules.files.unit_groups.stream_groups` gathers
them: a range groups its own lines; a name met again later in the file (in
this range or another, or the unit's rows running on into the next range)
makes that unit one whose rows are gathered again from the whole file at the
end, and its complete group replaces what its first rows gave. Rows that name
no unit stop the run once every range is read, as ever.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

from .._errors import DataError, Problem
from .._intcols import format_rows, gc_paused, numpy
from ..files.cells import MAX_CELL_CHARS
from ..files.colcells import read_odd_cells
from ..files.csvcolumns import CsvFile, CsvRange, NotInRanges, plain_decimals, read_range
from ..files.data import _RowUnits
from ..files.tables import Row, _Columns
from ..files.unit_groups import RowGroup, _gathered_again, named_lines, runs_of_names
from ..formula.text import normalize_name, normalize_names
from ..scheme.model import Scheme
from ..scheme.units import PolicyEvent
from ..scoring.coltotals import TotalColumn
from ..scoring.outcome import UnitOutcome
from ..scoring.plan import plan_of
from ..scoring.program import ColumnProgram, program_of
from .allocator import keep_freed_memory
from .chunk import LightUnit, Packed, pack, score_groups, unpack
from .colblock import Block, FastPart, plain_mask
from .spill import Spill

__all__ = ["KEPT", "score_csv"]

KEPT = UnitOutcome(LightUnit("", None, ""))  # type: ignore[arg-type]
"""The place of a unit kept as columns (see :func:`score_range`)."""

# What a range gives: each local group's name, its outcome, and the range's rows that name no unit.
Scored = tuple[list[str], list[UnitOutcome], list[Problem]]


class RowUnit:
    """What output needs of a unit read from one row (as :class:`~perfrules.pipeline.chunk.LightUnit`):
    its name, category, and where it came from (``data.csv row 4``), written when asked for."""

    __slots__ = ("_file", "_row", "category", "name")

    def __init__(self, name: str, category: str | None, file: str, row: int) -> None:
        self.name = name
        self.category = category
        self._file = file
        self._row = row

    @property
    def origin(self) -> str:
        return f"{self._file} row {self._row}"


class _Setup:
    """What scoring a range needs, made once per process."""

    def __init__(
        self, scheme: Scheme, path: Path, raw_header: tuple[str, ...], header_row: int, category: str | None
    ):
        self.scheme = scheme
        self.path = path
        self.origin = str(path)
        self.columns = _Columns(raw_header, self.origin, header_row)
        self.width = self.columns.width
        self.reader = _RowUnits(self.columns.header, scheme=scheme, origin=self.origin)
        self.category = category
        self.program: ColumnProgram = program_of(plan_of(scheme))
        keep = self.columns.keep
        reader = self.reader
        header = reader.header
        self.name_at = keep[reader.name_col]
        self.cat_at = None if reader.cat_col is None else keep[reader.cat_col]
        # Cells that send a line to the row-by-row reader when they hold anything.
        self.must_be_blank = [keep[c] for c in (reader.period_col, reader.na_col) if c is not None]
        self.must_be_blank += self.columns.unnamed
        self.numeric = [i for i in reader.inputs if header[i] not in reader.text_fields]
        self.numeric_at = [keep[i] for i in self.numeric]
        self.blank = "," * (len(scheme.indicators()) - 1)  # the score cells of a unit without scores


def score_range(
    setup: _Setup, start: int, end: int, first: int, plain: bool = True, keep: list[FastPart] | None = None
) -> Scored:
    """Score the units of the data lines in ``[start, end)`` (*first* the first line's record number;
    a range that is not *plain* is read by the csv module, every row as the row stream reads it).

    With *keep*, the one-line units the column program scores and whose CSV line needs nothing
    more are not made into outcomes: they are kept as one :class:`FastPart` appended to *keep*,
    and their places in the outcomes hold :data:`KEPT`.
    """
    with gc_paused():
        return _score_range(setup, start, end, first, plain, keep)


def _score_range(
    setup: _Setup, start: int, end: int, first: int, plain: bool, keep: list[FastPart] | None
) -> Scored:
    np = numpy()
    chunk = read_range(setup.path, start, end, first, setup.width, plain)
    reader = setup.reader
    if chunk.records is not None:
        return _score_rows(setup, runs_of_names(_record_rows(chunk.records, first, setup.columns, reader)))
    regular = chunk.lines  # positions of the regular lines among all
    candidate = np.ones(len(regular), dtype=bool)
    if len(regular):
        line_length = chunk.ends[:, -1] - chunk.starts[:, 0]
        candidate &= line_length <= MAX_CELL_CHARS
        candidate &= chunk.filled(slice(None), setup.name_at)
        for column in setup.must_be_blank:
            candidate &= ~chunk.filled(slice(None), column)
    picked = np.flatnonzero(candidate)
    names = normalize_names(chunk.texts(picked, setup.name_at)) if len(picked) else []
    groups: list[tuple[str, list[int | Row]]]
    if len(regular) == len(chunk.numbers) and len(picked) == len(regular) and all(names):
        if not any(map(operator.eq, names, names[1:])):
            # The usual file: every line a unit's only row here.
            groups = [(name, [k]) for k, name in enumerate(names)]
        else:
            groups = runs_of_names(zip(names, range(len(names)), strict=True))
    else:
        fast_name = dict(zip(picked.tolist(), names, strict=True))
        groups = runs_of_names(named_lines(chunk, setup.columns, reader, fast_name))
    outcomes: list[UnitOutcome | None] = [None] * len(groups)
    fast = [g for g, (_, items) in enumerate(groups) if len(items) == 1 and type(items[0]) is int]
    if fast:
        _score_fast(setup, chunk, groups, fast, outcomes, keep)
    rest = [g for g, found in enumerate(outcomes) if found is None]
    if rest:
        row_groups: list[RowGroup] = []
        for g in rest:
            name, items = groups[g]
            rows = [
                item if isinstance(item, Row) else chunk.row(int(regular[item]), setup.columns)
                for item in items
            ]
            row_groups.append((name, [r for r in rows if r is not None], False))
        scored, _ = score_groups(setup.scheme, reader, row_groups, {}, setup.category)
        for g, outcome in zip(rest, scored, strict=True):
            outcomes[g] = outcome
    problems = list(reader.problems)
    reader.problems.clear()
    found = [o for o in outcomes if o is not None]
    assert len(found) == len(groups), "every group of the range is scored"
    return [name for name, _ in groups], found, problems


def _record_rows(
    records: list[list[str]], first: int, columns: _Columns, reader: _RowUnits
) -> Iterator[tuple[str, int | Row]]:
    """The records of a range the csv module read, as rows that name a unit (as the row stream reads them)."""
    for k, record in enumerate(records):
        row = columns.row(first + k, record, pad=False)
        if row is not None and (name := reader.name_of(row)) is not None:
            yield name, row


def _score_rows(setup: _Setup, groups: list[tuple[str, list[int | Row]]]) -> Scored:
    """Groups of rows scored as the row stream scores them."""
    reader = setup.reader
    row_groups: list[RowGroup] = [
        (name, [r for r in rows if isinstance(r, Row)], False) for name, rows in groups
    ]
    scored, _ = score_groups(setup.scheme, reader, row_groups, {}, setup.category)
    problems = list(reader.problems)
    reader.problems.clear()
    return [name for name, _ in groups], scored, problems


def _score_fast(
    setup: _Setup,
    chunk: CsvRange,
    groups: list[tuple[str, list[int | Row]]],
    fast: list[int],
    outcomes: list[UnitOutcome | None],
    keep: list[FastPart] | None = None,
) -> None:
    """Score the one-line units at *fast* by the column program, from their cells' bytes (with
    *keep*, see :func:`score_range`)."""
    np = numpy()
    program = setup.program
    rows = np.array([groups[g][1][0] for g in fast], dtype=np.int64)
    names = [groups[g][0] for g in fast]
    default = setup.category
    if setup.cat_at is not None:
        categories = [
            normalize_name(t) if (t := text.strip()) else default for text in chunk.texts(rows, setup.cat_at)
        ]
    else:
        categories = [default] * len(fast)
    header = setup.reader.header
    parsed_list = plain_decimals(chunk, rows, setup.numeric_at)
    ok = np.ones(len(fast), dtype=bool)
    parsed = {}
    notes: dict[int, list[PolicyEvent]] = {}  # per unit (position in fast), its cells' notes as events
    numbers = chunk.numbers[chunk.lines[rows]].tolist()
    for i, at, (column, plain) in zip(setup.numeric, setup.numeric_at, parsed_list, strict=True):
        if not plain.all():  # cells that are not plain decimals: read once per distinct text (colcells)
            odd = np.flatnonzero(~plain & chunk.filled(rows, at))
            if len(odd):
                found = read_odd_cells(
                    column, plain, list(zip(odd.tolist(), chunk.texts(rows[odd], at), strict=True))
                )
                column, plain = found.column, found.plain
                ok &= ~found.rejected
                for u, note in found.notes.items():
                    where = f"{setup.reader.row_name(numbers[u])}, column '{header[i]}'"
                    notes.setdefault(u, []).append(PolicyEvent(kind="note", message=f"{where}: {note}"))
        parsed[header[i]] = (column, plain)
    if any(name not in parsed for name in program.reads):
        from .._intcols import from_text_columns

        missing = from_text_columns([[""] * len(fast)])[0]
        columns = {name: parsed.get(name, missing) for name in program.reads}
    else:
        columns = {name: parsed[name] for name in program.reads}
    scored = program.score(names, categories, columns, ok, population=None)
    cells = format_rows(scored.scores, scored.den, scored.applicable)
    done = scored.rows()
    origin = setup.origin
    if keep is not None:
        noted = [i for i in done if i in notes]  # a unit with notes is an outcome (its note events)
        done = _kept(
            setup,
            scored,
            [i for i in done if i not in notes],
            names,
            categories,
            cells,
            numbers,
            fast,
            outcomes,
            keep,
        )
        done = sorted([*done, *noted])
    totals, grades, shown = scored.finish(done)
    for i, total, grade, text in zip(done, totals, grades, shown, strict=True):
        outcome = UnitOutcome(RowUnit(names[i], categories[i], origin, numbers[i]))  # type: ignore[arg-type]
        outcome.total, outcome.grade, outcome.shown_total = total, grade, text
        outcome.rendered = cells[i]
        outcome.events = notes.get(i, [])
        scored.dress(i, outcome)
        outcomes[fast[i]] = outcome


def _kept(
    setup: _Setup,
    scored: Any,
    done: list[int],
    names: list[str],
    categories: list[str | None],
    cells: list[str],
    numbers: list[int],
    fast: list[int],
    outcomes: list[UnitOutcome | None],
    keep: list[FastPart],
) -> list[int]:
    """Keep the scored units whose CSV line is plain as a :class:`FastPart`; the others (positions
    in *done*), to be made outcomes."""
    np = numpy()
    if scored.periods is not None or scored.means is not None or scored.found is not None:
        return done  # periods, subtotals, events or flags go on an outcome (Scored.dress)
    totals = scored.totals_of(done)
    grades = scored.grades_of(totals, done)
    shown = totals.cells()
    done_names = [names[i] for i in done]
    done_cats = [categories[i] for i in done]
    plain = plain_mask(done_names, done_cats, grades)
    if scored.events or scored.vetoed is not None:  # notes the rules on the total left (a capped total …)
        vetoed = scored.vetoed
        plain = [
            p and not scored.events.get(i) and not (vetoed is not None and vetoed[i])
            for i, p in zip(done, plain, strict=True)
        ]
    blank = setup.blank
    picked = [k for k, p in enumerate(plain) if p]
    if len(picked) < len(done):
        at = np.array(picked, dtype=np.int64)
        totals = TotalColumn(totals.num[at], totals.den[at])
    tails = [
        f"{done_names[k]},{done_cats[k] or ''},{shown[k]},{grades[k] or ''},{cells[done[k]] or blank},\n"
        for k in picked
    ]
    groups = np.array([fast[done[k]] for k in picked], dtype=np.int64)
    rows = np.array([numbers[done[k]] for k in picked], dtype=np.int64)
    keep.append(FastPart(groups, totals, [done_cats[k] for k in picked], rows, tails))
    for g in groups.tolist():
        outcomes[g] = KEPT
    return [i for i, p in zip(done, plain, strict=True) if not p]


def score_csv(
    scheme: Scheme,
    layout: CsvFile,
    category: str | None,
    workers: int,
    chunk_size: int,
    progress: Callable[[int, str], None] | None,
) -> tuple[list[UnitOutcome], tuple[Problem, ...]]:
    """Score every unit of the file: the outcomes in the file's order (ranks not yet given) and the
    file's notes.

    Raises:
        DataError: rows name no unit (once every range is read), or a file error in a row.
    """
    merged = _Merged()

    def take(names: list[str], outcomes: list[UnitOutcome], problems: list[Problem]) -> None:
        merged.add(names, outcomes, problems)
        if progress is not None and merged.outcomes:
            progress(len(merged.outcomes), merged.outcomes[-1].unit.name)

    setup = each_range(
        scheme,
        layout,
        category,
        workers,
        lambda setup, span: take(*score_range(setup, *span)),
        _work,
        lambda sent, setup: take(*_received(sent, setup.origin)),
    )
    if merged.problems:
        raise DataError(merged.problems, title=f"invalid data in {layout.origin}")
    outcomes = merged.outcomes
    if merged.apart:
        # Units whose rows are apart (or run on from one range into the next): gathered again.
        again = gathered_again(setup, layout, merged.apart, chunk_size)
        for k, o in enumerate(outcomes):
            if o.unit.name in again:
                outcomes[k] = again[o.unit.name]
    return outcomes, tuple(setup.reader.file_notes)


Span = tuple[int, int, int, bool]


def each_range(
    scheme: Scheme,
    layout: CsvFile,
    category: str | None,
    workers: int,
    here: Callable[[_Setup, Span], None],
    work: Callable[..., Any],
    received: Callable[[Any, _Setup], None],
    spill: Spill | None = None,
) -> _Setup:
    """Score the file's ranges in order: ``here(setup, span)`` in this process, or, with several
    *workers*, ``work(*span)`` in a worker process and ``received(what it sent, setup)`` here (a
    bounded window of ranges in flight, so memory stays flat). Returns this process's setup.

    A shared *spill* (:class:`~perfrules.pipeline.spill.Spill`) goes to workers that are forked:
    :func:`_work_block` writes a range's lines to it there.

    The ranges are taken from :meth:`~perfrules.files.csvcolumns.CsvFile.each_range` as they are
    sent: of a file opened with ``lazy=True``, the workers score the first ranges while this
    process finds the next.

    Raises:
        NotInRanges: the file (opened with ``lazy=True``) is not one read in ranges after all,
            found while its ranges are read, or once an error stops the run.
    """
    setup = _Setup(scheme, layout.path, layout.raw_header, layout.header_row, category)
    spans = layout.each_range()
    try:
        first = list(islice(spans, 2))
        if workers == 1 or len(first) <= 1:
            for span in chain(first, spans):
                here(setup, span)
        else:
            _in_workers(scheme, layout, category, workers, chain(first, spans), setup, work, received, spill)
    except NotInRanges:
        raise
    except Exception:
        layout.check_rest()  # an error of a file not read in ranges is the whole-file reader's to give
        raise
    return setup


def _in_workers(
    scheme: Scheme,
    layout: CsvFile,
    category: str | None,
    workers: int,
    spans: Iterator[Span],
    setup: _Setup,
    work: Callable[..., Any],
    received: Callable[[Any, _Setup], None],
    spill: Spill | None,
) -> None:
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    from .parallel import worker_context

    context = worker_context()
    # (a spill's file and counter reach a worker only by a fork)
    shared = spill if spill is not None and spill.shared and context.get_start_method() == "fork" else None
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(scheme, layout.path, layout.raw_header, layout.header_row, category, shared),
    ) as pool:
        waiting: deque[Future[Any]] = deque()

        def take(future: Future[Any]) -> None:
            with gc_paused():
                received(future.result(), setup)

        try:
            for span in spans:
                waiting.append(pool.submit(work, *span))
                while len(waiting) > 2 * workers:
                    take(waiting.popleft())
            while waiting:
                take(waiting.popleft())
        except BaseException:
            for future in waiting:
                future.cancel()  # what has not started yet need not run
            raise


def gathered_again(
    setup: _Setup, layout: CsvFile, apart: dict[str, int], chunk_size: int
) -> dict[str, UnitOutcome]:
    """The outcomes of the units whose rows are apart, each scored from all its rows, by name."""
    again: dict[str, UnitOutcome] = {}
    reader = setup.reader
    chunk: list[RowGroup] = []

    def flush() -> None:
        scored, _ = score_groups(setup.scheme, reader, chunk, {}, setup.category)
        again.update((o.unit.name, o) for o in scored)
        chunk.clear()

    for group in _gathered_again(layout.path, None, reader, apart):
        chunk.append(group)
        if len(chunk) >= chunk_size:
            flush()
    if chunk:
        flush()
    return again


def score_block(setup: _Setup, span: Span) -> Block:
    """A range's units as a :class:`~perfrules.pipeline.colblock.Block` (see :func:`score_range`)."""
    keep: list[FastPart] = []
    names, outcomes, problems = score_range(setup, *span, keep=keep)
    with gc_paused():
        others = {k: pack(o) for k, o in enumerate(outcomes) if o is not KEPT}
        return Block(names, keep[0] if keep else None, others, problems)


class _Merged:
    """The ranges' groups put together in file order, as one reading of the whole file gathers them."""

    def __init__(self) -> None:
        self.outcomes: list[UnitOutcome] = []
        self.given: set[str] = set()
        self.apart: dict[str, int] = {}
        self.problems: list[Problem] = []

    def add(self, names: list[str], outcomes: list[UnitOutcome], problems: list[Problem]) -> None:
        given, apart = self.given, self.apart
        self.problems.extend(problems)
        # A name given before — in an earlier range, or the unit's rows running on from the range
        # before — is a unit whose rows are gathered again, as one group.
        fresh = given.isdisjoint(names) and len(set(names)) == len(names)
        if fresh:
            given.update(names)
            self.outcomes.extend(outcomes)
        else:
            for name, outcome in zip(names, outcomes, strict=True):
                if name in given:
                    apart.setdefault(name, len(apart))
                else:
                    given.add(name)
                    self.outcomes.append(outcome)


# The worker side: top-level functions and state, so that they work under spawn.
_WORKER: dict[str, _Setup] = {}
_WORKER_SPILL: list[Spill] = []  # the spill a forked worker writes its ranges' lines to


def _start_worker(
    scheme: Scheme,
    path: Path,
    raw_header: tuple[str, ...],
    header_row: int,
    category: str | None,
    spill: Spill | None = None,
) -> None:
    keep_freed_memory()
    _WORKER["setup"] = _Setup(scheme, path, raw_header, header_row, category)
    _WORKER_SPILL[:] = [] if spill is None else [spill]


# A range's outcomes as they cross from a worker: those of units read from one row as columns
# (category, row, total, grade, total's cell, scores' cells), every other one packed, by its place.
Sent = tuple[list[str], tuple[list[Any], ...], dict[int, Packed], list[Problem]]


def _work(start: int, end: int, first: int, plain: bool) -> Sent:
    names, outcomes, problems = score_range(_WORKER["setup"], start, end, first, plain)
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [])
    categories, rows, totals, grades, shown, rendered = columns
    others: dict[int, Packed] = {}
    for k, o in enumerate(outcomes):
        unit: object = o.unit  # a RowUnit stands in for the Unit of a unit read from one row
        if isinstance(unit, RowUnit):
            categories.append(unit.category)
            rows.append(unit._row)
            totals.append(o.total)
            grades.append(o.grade)
            shown.append(o.shown_total)
            rendered.append(o.rendered)
        else:
            others[k] = pack(o)
    return names, columns, others, problems


def _work_block(start: int, end: int, first: int, plain: bool) -> Block:
    """A range's :class:`Block`; with a spill, its lines written there (the block says where)
    rather than sent back through the pipe."""
    block = score_block(_WORKER["setup"], (start, end, first, plain))
    if _WORKER_SPILL and block.fast is not None:
        block.fast.spill_to(_WORKER_SPILL[0])
    return block


def _outcome(
    origin: str, name: str, category: str | None, row: int, total: Any, grade: Any, shown: Any, rendered: Any
) -> UnitOutcome:
    outcome = UnitOutcome(RowUnit(name, category, origin, row))  # type: ignore[arg-type]
    outcome.total, outcome.grade, outcome.shown_total, outcome.rendered = total, grade, shown, rendered
    return outcome


def _received(sent: Sent, origin: str) -> tuple[list[str], list[UnitOutcome], list[Problem]]:
    """A worker's range as :func:`score_range` gives it."""
    names, columns, others, problems = sent
    if not others:
        return (
            names,
            [_outcome(origin, name, *cells) for name, *cells in zip(names, *columns, strict=True)],
            problems,
        )
    fast = zip(*columns, strict=True)
    outcomes = []
    for k, name in enumerate(names):
        packed = others.get(k)
        outcomes.append(unpack(packed) if packed is not None else _outcome(origin, name, *next(fast)))
    return names, outcomes, problems
