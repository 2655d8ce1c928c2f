"""Scoring a data file too large to hold: read in a stream, keep compact rows, rank at the end.

What the command line's CSV and table output need — rank, unit, category,
total, grade, each indicator's score and the unit's errors — is kept per unit
as a few short strings; units' data and explained results are not kept. A
scheme with population steps (``max_of`` …, peer ratios, ranks) reads the
file twice: once for the compact numbers those steps need, once to score
(a CSV file whose peer ratios the columns give is read in byte ranges, and
once where it is small enough: :mod:`perfrules.pipeline.rangepass`).
Memory therefore grows with the number of units only by those compact rows.

With ``explained=True`` (``--format json``) each unit is also explained as it
is scored — the same plan run again on it with the batch's population values,
as :func:`perfrules.evaluate` explains a unit when it is read — and the
members of its JSON record that need the explanation (its groups and
indicators) go, compressed, to a temporary spill file; only their place in
that file is kept. What is known only once every unit is scored (ranks,
grades and events that quotas change) is written at the end, from the
compact rows.

A unit's rows are gathered wherever they are in the file, as
:func:`~perfrules.load_units` gathers them (see
:func:`~perfrules.files.unit_groups.stream_groups`), and a unit that is not scored takes
part in no population step (:func:`~perfrules.scoring.population.takes_part`): the
numbers are those of :func:`perfrules.evaluate` on the loaded file.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from .._errors import Problem
from .._intcols import gc_paused
from .._numbers import Number
from ..files.cells import RawCell
from ..files.data import _RowUnits
from ..files.tables import Row
from ..files.unit_groups import RowGroup, stream_groups, unit_of
from ..scheme.model import Scheme
from ..scheme.policies import Veto
from ..scheme.units import Unit
from ..scoring.batch import finish_batch, score_chunk
from ..scoring.colhistory import reads_cells
from ..scoring.colpeers import PeerBlock, peer_reads
from ..scoring.colpeervalues import PeerObservations
from ..scoring.colsteps import BatchPopulation
from ..scoring.outcome import UnitOutcome
from ..scoring.plan import Plan, plan_of
from ..scoring.population import Observation
from ..scoring.program import program_of
from ..scoring.rollup import refuse_roll_up
from .chunk import Packed, cell_number, compact, score_chunk_here, score_groups, with_category
from .chunk import pack as _pack
from .chunk import unpack as _unpack
from .popchunk import group_parts, observe_groups, population_fields
from .runs import Span, StreamedRun, _Spill, ranked_positions

__all__ = [
    "SPILLED",
    "StreamedRun",
    "cell_number",
    "explain_chunk_here",
    "ranked_positions",
    "score_chunk_here",
    "score_file",
]

# The members of a unit's JSON record (``unit_records``) that need its explanation, in their order
# there: worked out as the unit is scored and spilled; every other member is written at the end.
SPILLED = ("groups", "indicators")

Population = Mapping[tuple[str, str, str | None], Number]


def score_file(
    scheme: Scheme,
    source: str | Path,
    *,
    sheet: str | None = None,
    category: str | None = None,
    progress: Callable[[int, str], None] | None = None,
    jobs: int = 1,
    chunk_size: int = 1000,
    explained: bool = False,
) -> StreamedRun:
    """Score every unit of a CSV or workbook file as a stream (totals, grades, ranks, indicator scores).

    Args:
        scheme: the scheme.
        source: the data file (.csv, .xlsx).
        sheet: the workbook's sheet (default: the first).
        category: the category of units whose data gives none.
        progress: called as ``progress(units done, unit name)`` after each chunk.
        jobs: processes that read and score chunks of units (0: every core).
            The results are identical whatever the number. For totals-only
            output of a scheme the column program scores
            (:mod:`perfrules.scoring.program`) without population steps, a
            UTF-8 CSV file whose data rows hold no quotes is read in byte
            ranges (:mod:`perfrules.pipeline.csvpass`): each worker reads,
            parses and scores its own ranges, and this process only finds
            line-aligned split points and ranks at the end. Otherwise this
            process reads the file's rows and groups them by unit, and the
            workers read the cells and score the units (a scheme the column
            program scores is then scored here: sending rows to a worker
            costs more than scoring them as columns).
        chunk_size: units per chunk.
        explained: also explain each unit as it is scored, and spill the
            members of its JSON record that need the explanation (see
            :meth:`StreamedRun.explained`).

    Returns:
        The compact outcomes, ranked, with quotas applied.

    Raises:
        ValueError: the scheme has ``roll_up`` (parents from their sub-units
            need every unit at once: use :func:`perfrules.evaluate`).
    """
    from .parallel import job_count

    refuse_roll_up(scheme, "scoring a file as a stream")
    plan = plan_of(scheme)
    workers = job_count(jobs)
    if not explained and not plan.has_population and reads_cells(plan):
        from ..files.csvcolumns import NotInRanges, open_csv
        from .csvpass import score_csv

        # With workers, they score the first ranges while this process checks the rest of the file.
        layout = None if sheet is not None or _is_workbook(source) else open_csv(source, lazy=workers > 1)
        # (a vetoed unit ranks after the others: an indicator's veto, or a scheme-wide one)
        vetoes = any(ind.vetoes for ind in plan.indicators) or any(
            isinstance(policy, Veto) for policy in scheme.policies
        )
        try:
            if layout is not None and not scheme.quotas and not scheme.flags and not vetoes:
                # Kept as columns up to the output: ranked by one sort, lines read back from disk.
                from .colrun import score_csv_columns

                return score_csv_columns(scheme, layout, category, workers, chunk_size, progress)
            if layout is not None:
                outcomes, notes = score_csv(scheme, layout, category, workers, chunk_size, progress)
                with gc_paused():
                    finish_batch(plan, outcomes)
                return StreamedRun(outcomes, notes)
        except NotInRanges:
            pass  # read as a stream of rows, below, as open_csv's None says
    if not explained and plan.has_population and sheet is None and not _is_workbook(source):
        found = _score_csv_ranges(scheme, source, category, chunk_size, progress)
        if found is not None:
            return found
    if workers > 1 and not explained:
        # Scored as columns, a chunk costs less than sending its rows to a worker and its
        # outcomes back: this process reads the file anyway, so it scores the chunks too.
        workers = 1
    if not plan.has_population:
        scored = _scoring_pass(scheme, source, sheet, category, workers, chunk_size, {}, progress, explained)
    else:
        observed = _population_pass(scheme, source, sheet, category, workers, chunk_size)
        population = observed.values()
        scored = _scoring_pass(
            scheme, source, sheet, category, workers, chunk_size, population, progress, explained
        )
        # The first pass reads only the columns the population steps read: a unit
        # with an unreadable cell elsewhere took part there, but is not scored.
        # What is not scored enters no population step: work the values out
        # without those units, and score again.
        late = scored.unreadable & observed.participants
        if late:
            population = observed.values(without=late)
            scored.close()
            scored = _scoring_pass(
                scheme, source, sheet, category, workers, chunk_size, population, progress, explained
            )
    finish_batch(plan, scored.outcomes)
    return StreamedRun(scored.outcomes, scored.notes, scored.spill, scored.spans)


def _score_csv_ranges(
    scheme: Scheme,
    source: str | Path,
    category: str | None,
    chunk_size: int,
    progress: Callable[[int, str], None] | None,
) -> StreamedRun | None:
    """Both passes of a scheme with population steps over a CSV file read in byte ranges
    (:mod:`perfrules.pipeline.rangepass`), as the row stream runs them; None where they do not apply."""
    from ..files.csvcolumns import open_csv
    from .rangepass import csv_passes, observe_ranges, score_ranges

    plan = plan_of(scheme)
    if not reads_cells(plan):
        return None
    layout = open_csv(source)
    passes = csv_passes(scheme, layout) if layout is not None else None
    if passes is None:
        return None
    observed, _, held = observe_ranges(passes, category, chunk_size)
    population = observed.values()  # worked out over columns (scoring.colpeervalues)
    scored = score_ranges(passes, category, chunk_size, population, progress, held)
    # As in the row stream: a unit whose data cannot be read enters no population step.
    late = scored.unreadable & observed.participants
    if late:
        population = observed.values(without=late)
        scored = score_ranges(passes, category, chunk_size, population, progress, held)
    finish_batch(plan, scored.outcomes)
    return StreamedRun(scored.outcomes, tuple(passes.reader.file_notes))


def _is_workbook(source: str | Path) -> bool:
    return Path(source).suffix.lower() in (".xlsx", ".xlsm", ".xls")


class _Pass:
    """What one scoring pass over a file gives (see :func:`_scoring_pass`)."""

    def __init__(self) -> None:
        self.outcomes: list[UnitOutcome] = []
        self.notes: tuple[Problem, ...] = ()
        self.unreadable: set[str] = set()
        self.spill: _Spill | None = None
        self.spans: array[int] | None = None

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()


def _scoring_pass(
    scheme: Scheme,
    source: str | Path,
    sheet: str | None,
    category: str | None,
    workers: int,
    chunk_size: int,
    population: Mapping[str, Population],
    progress: Callable[[int, str], None] | None,
    explained: bool = False,
) -> _Pass:
    """Score every unit of the file, given the population values: the outcomes in the file's order
    (no quotas, no ranks yet), the file's notes, the units whose data could not be read, and with
    *explained* each unit's spilled members and their places."""
    reader, groups = stream_groups(source, scheme=scheme, sheet=sheet)
    result = _Pass()
    result.notes = tuple(reader.file_notes)
    outcomes = result.outcomes
    spill = result.spill = _Spill() if explained else None
    # Each unit's place in the spill file, as (start, length) pairs: 16 bytes a unit.
    spans = array("q")
    # Units whose rows were apart in the file come again, complete, at the end:
    # their outcomes replace those of their first rows.
    again: dict[str, tuple[UnitOutcome, Span | None]] = {}
    unreadable: set[str] = set()
    unreadable_again: set[str] = set()

    def part(chunk: list[RowGroup]) -> Mapping[str, Population]:
        if workers == 1 and not explained and isinstance(population, BatchPopulation):
            return population  # the batch's values as columns (the program reads the chunk's)
        return {g[0]: population.get(g[0], {}) for g in chunk} if population else {}

    def done(scored: list[UnitOutcome], blobs: list[bytes] | None, bad: list[str], late: bool) -> None:
        places: list[Span | None] = [None] * len(scored)
        if spill is not None and blobs is not None:
            places = [spill.add(b) for b in blobs]
        if late:
            again.update((o.unit.name, (o, p)) for o, p in zip(scored, places, strict=True))
            unreadable_again.update(bad)
        else:
            outcomes.extend(scored)
            if spill is not None:
                for place in places:
                    spans.extend(place or (0, 0))
            unreadable.update(bad)
        if progress is not None and scored:
            progress(len(outcomes), scored[-1].unit.name)

    try:
        if workers == 1:
            for chunk, late in _chunks(groups, chunk_size):
                if explained:
                    units = [with_category(unit_of(reader, g), category) for g in chunk]
                    bad = [u.name for u in units if u.problems]
                    done(*explain_chunk_here(scheme, units, part(chunk)), bad, late)
                else:
                    scored, bad = score_groups(scheme, reader, chunk, part(chunk), category)
                    done(scored, None, bad, late)
        else:
            from collections import deque
            from concurrent.futures import Future, ProcessPoolExecutor

            from .parallel import worker_context

            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=worker_context(),
                initializer=_start_worker,
                initargs=(scheme, tuple(reader.header), reader.origin, category),
            ) as pool:
                waiting: deque[tuple[Future[Worked], bool]] = deque()

                def take(future: Future[Worked], was_late: bool) -> None:
                    packed, blobs, bad = future.result()
                    done([_unpack(p) for p in packed], blobs, bad, was_late)

                for chunk, late in _chunks(groups, chunk_size):
                    waiting.append((pool.submit(_work, _plain(chunk), part(chunk), explained), late))
                    while len(waiting) > 2 * workers:  # a bounded window: memory stays flat
                        take(*waiting.popleft())
                while waiting:
                    take(*waiting.popleft())
    except BaseException:
        result.close()
        raise
    if again:
        for k, o in enumerate(outcomes):
            if o.unit.name in again:
                outcomes[k], place = again[o.unit.name]
                if place is not None:
                    spans[2 * k], spans[2 * k + 1] = place
        unreadable = (unreadable - again.keys()) | unreadable_again
    result.unreadable = unreadable
    result.spans = spans if spill is not None else None
    return result


class _Observed:
    """What the units of a file put into the population steps, kept to work the values out (again)."""

    def __init__(
        self, plan: Plan, observations: list[Observation], names: list[str], peers: PeerObservations | None
    ) -> None:
        self.plan = plan
        self.observations = observations
        self.names = names
        self.peers = peers  # peer ratios' parts, as columns where they were read so (colpeervalues)
        self.participants = peers.participants if peers is not None else {o[0] for o in observations}

    def values(self, without: frozenset[str] | set[str] = frozenset()) -> Mapping[str, Population]:
        """Each unit's population values, over the units that took part, except *without*."""
        from ..scoring.population import resolve, summarize

        if self.peers is not None:
            return self.peers.values(without)

        kept = [o for o in self.observations if o[0] not in without] if without else self.observations
        return dict(resolve(self.plan.indicators, summarize(kept), kept, self.names))


PlainGroup = tuple[str, list[tuple[int, tuple[RawCell, ...], str | None]], bool]


def _plain(chunk: list[RowGroup]) -> list[PlainGroup]:
    """Groups of rows as plain tuples: what crosses to a worker process, cheaply."""
    return [(name, [(r.number, r.cells, r.problem) for r in rows], late) for name, rows, late in chunk]


def _chunks(groups: Iterator[RowGroup], size: int) -> Iterator[tuple[list[RowGroup], bool]]:
    """Groups in chunks of *size*, each chunk either all first-time groups or all groups that come again."""
    chunk: list[RowGroup] = []
    late = False
    for group in groups:
        if chunk and (len(chunk) >= size or group[2] != late):
            yield chunk, late
            chunk = []
        late = group[2]
        chunk.append(group)
    if chunk:
        yield chunk, late


def _population_pass(
    scheme: Scheme, source: str | Path, sheet: str | None, category: str | None, workers: int, size: int
) -> _Observed:
    """The first pass over a file: each unit's part in the population steps, then one summary of all.

    Only the columns the population steps read are read (in the workers
    with *workers* > 1). A unit whose rows were apart comes again complete
    at the end; what its first rows gave is let go.
    """
    plan = plan_of(scheme)
    only = population_fields(plan)
    reader, groups = stream_groups(source, scheme=scheme, sheet=sheet, only=only)
    names: list[str] = []
    first: list[Observation] = []
    late: list[Observation] = []
    again: set[str] = set()
    blocks: tuple[list[PeerBlock], list[PeerBlock]] = ([], [])  # (first, late)

    def take(chunk: list[str], is_late: bool, found: list[Observation]) -> None:
        if is_late:
            again.update(chunk)
            late.extend(found)
        else:
            names.extend(chunk)
            first.extend(found)

    peers = (
        PeerObservations(plan) if workers == 1 and peer_reads(plan, reader.text_fields) is not None else None
    )
    if peers is not None:  # peer ratios over columns: the parts read as columns stay columns
        for chunk, is_late in _chunks(groups, size):
            got, found = group_parts(scheme, reader, chunk, category)
            blocks[is_late].extend(got)
            take([g[0] for g in chunk], is_late, found)
        peers.add(blocks[0], first)
        peers.drop(again)
        peers.add(blocks[1], late)
        peers.names = names
        return _Observed(plan, [], names, peers)
    if workers == 1:
        for chunk, is_late in _chunks(groups, size):
            take([g[0] for g in chunk], is_late, observe_groups(scheme, reader, chunk, category))
    else:
        from collections import deque
        from concurrent.futures import Future, ProcessPoolExecutor

        from .parallel import worker_context

        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=worker_context(),
            initializer=_start_worker,
            initargs=(scheme, tuple(reader.header), reader.origin, category, only),
        ) as pool:
            waiting: deque[tuple[Future[list[Observation]], list[str], bool]] = deque()
            for chunk, is_late in _chunks(groups, size):
                waiting.append((pool.submit(_observe, _plain(chunk)), [g[0] for g in chunk], is_late))
                while len(waiting) > 2 * workers:  # a bounded window: memory stays flat
                    future, chunk_names, was_late = waiting.popleft()
                    take(chunk_names, was_late, future.result())
            while waiting:
                future, chunk_names, was_late = waiting.popleft()
                take(chunk_names, was_late, future.result())
    observations = [o for o in first if o[0] not in again] + late if again else first
    return _Observed(plan, observations, names, None)


# The worker side: top-level functions and state, so that they work under spawn.
_WORKER: dict[str, object] = {}


def _start_worker(
    scheme: Scheme,
    header: tuple[str, ...],
    origin: str,
    category: str | None,
    only: frozenset[str] | None = None,
) -> None:

    _WORKER["scheme"] = scheme
    _WORKER["reader"] = _RowUnits(header, scheme=scheme, origin=origin, only=only)
    _WORKER["category"] = category


def _worker_units(chunk: list[PlainGroup]) -> list[Unit]:
    reader = _WORKER["reader"]
    category = _WORKER["category"]
    groups = [
        (name, [Row(number=n, cells=c, problem=p) for n, c, p in rows], late) for name, rows, late in chunk
    ]
    return [with_category(unit_of(reader, g), category) for g in groups]  # type: ignore[arg-type]


Worked = tuple[list[Packed], "list[bytes] | None", list[str]]


def _work(chunk: list[PlainGroup], population: Mapping[str, Population], explained: bool = False) -> Worked:
    """Score a chunk in a worker: the compact outcomes, with *explained* each unit's members to
    spill, and the units whose data could not be read."""
    scheme: Scheme = _WORKER["scheme"]  # type: ignore[assignment]
    if explained:
        units = _worker_units(chunk)
        scored, blobs = explain_chunk_here(scheme, units, population)
        return [_pack(o) for o in scored], blobs, [u.name for u in units if u.problems]
    groups: list[RowGroup] = [
        (name, [Row(number=n, cells=c, problem=p) for n, c, p in rows], late) for name, rows, late in chunk
    ]
    found, bad = score_groups(
        scheme,
        _WORKER["reader"],  # type: ignore[arg-type]
        groups,
        population,
        _WORKER["category"],  # type: ignore[arg-type]
    )
    return [_pack(o) for o in found], None, bad


def _observe(chunk: list[PlainGroup]) -> list[Observation]:
    groups: list[RowGroup] = [
        (name, [Row(number=n, cells=c, problem=p) for n, c, p in rows], late) for name, rows, late in chunk
    ]
    return observe_groups(
        _WORKER["scheme"],  # type: ignore[arg-type]
        _WORKER["reader"],  # type: ignore[arg-type]
        groups,
        _WORKER["category"],  # type: ignore[arg-type]
    )


def explain_chunk_here(
    scheme: Scheme, chunk: Sequence[Unit], population: Mapping[str, Population]
) -> tuple[list[UnitOutcome], list[bytes]]:
    """:func:`score_chunk_here`, and each unit explained: its :data:`SPILLED` JSON members, compressed.

    A unit is explained as :func:`perfrules.evaluate` explains it when its
    result is read: the same plan run again on the unit, with its population
    values, recording every step. The members are written as
    ``unit_records`` gives them and ``json.dumps(…, indent=2)`` writes them.
    """
    import zlib

    from .._writers import json_members
    from ..results.display import unit_records
    from ..results.model import _Detail, unit_result
    from ..scoring.colrecord import Explaining

    plan = plan_of(scheme)
    outcomes = score_chunk(plan, chunk, population)
    program = program_of(plan)
    explaining = Explaining(program, chunk, population)  # block by block
    blobs: list[bytes] = []
    for i, (unit, outcome) in enumerate(zip(chunk, outcomes, strict=True)):
        mine = population.get(unit.name, {})
        result = unit_result(scheme, outcome, _Detail(plan, unit, mine, explaining, i))._explained_once()
        members = ",\n".join(json_members(unit_records(result), SPILLED))
        blobs.append(zlib.compress(members.encode("utf-8"), 1))
    for outcome in compact(outcomes):
        outcome.rendered = ""  # the record has the indicators' scores: no line of cells is kept
    return outcomes, blobs
