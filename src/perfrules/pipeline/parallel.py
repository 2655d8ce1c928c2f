"""Scoring one batch in several processes (``perfrules score --jobs N``).

The parent works out the population values over every unit (``max_of`` …,
peer ratios, ranks by value) once, as in one process; the units then go to
worker processes in chunks, each chunk with its units' population values.
Each worker receives the scheme once (the pool's initializer) and returns
compact outcomes — total, grade, veto flag, indicator scores, errors, events — not
explained results. The parent applies quotas and ranks over the whole batch
with :func:`~perfrules.scoring.batch.finish_batch`, so the totals, grades and ranks
are those of :func:`perfrules.evaluate`.

Workers are started as :func:`worker_context` says: forked on Linux when
this process runs no other thread, else ``spawn``. Everything they run is a
top-level function that takes what it needs as arguments, so both start
methods run the same code on the same inputs.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor

import attrs

from .._numbers import Number
from ..scheme.model import Scheme
from ..scheme.units import PolicyEvent, Unit, UnitError
from ..scoring.batch import batch_tree, check_units, finish_levels, score_chunk
from ..scoring.outcome import UnitOutcome
from ..scoring.plan import Plan, plan_of
from ..scoring.population import PopulationTable, population_values

__all__ = [
    "CHUNK_SIZE",
    "IndicatorScore",
    "Totals",
    "TotalsResult",
    "job_count",
    "score_totals",
    "worker_context",
]

CHUNK_SIZE = 2000
"""Units sent to a worker at a time."""

# What a worker returns per unit: total, grade, vetoed, indicator scores, errors, flags, events.
Compact = tuple[
    Number | None,
    str | None,
    bool,
    tuple[Number | None, ...],
    tuple[UnitError, ...],
    tuple[str, ...],
    tuple[PolicyEvent, ...],
]


@attrs.frozen
class IndicatorScore:
    """One indicator's score for one unit (None when it was not scored)."""

    code: str
    score: Number | None


@attrs.frozen(kw_only=True)
class TotalsResult:
    """One unit's totals-only result: what the ranking table and CSV show.

    Attributes:
        unit, category, total, grade, rank, category_rank, vetoed, errors,
            flags, level, events: as on :class:`~perfrules.UnitResult` (the
            unit-level events: a veto, a capped or rounded total, a quota, a note …).
        indicators: each indicator's score, in the scheme's order.
    """

    unit: str
    category: str | None
    total: Number | None
    grade: str | None
    rank: int | None
    category_rank: int | None
    vetoed: bool
    errors: tuple[UnitError, ...]
    indicators: tuple[IndicatorScore, ...]
    flags: tuple[str, ...] = ()
    level: int = 0
    events: tuple[PolicyEvent, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the unit was scored without errors."""
        return not self.errors


@attrs.frozen
class Totals:
    """A batch's totals-only results, in the order the units were given."""

    scheme: Scheme = attrs.field(repr=False)
    results: tuple[TotalsResult, ...] = attrs.field(repr=False)

    def __iter__(self) -> Iterator[TotalsResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def errors(self) -> tuple[UnitError, ...]:
        """Every unit's errors."""
        return tuple(e for r in self.results for e in r.errors)

    def ranking(self) -> tuple[TotalsResult, ...]:
        """Scored units from the best rank down; units with errors last (as ``Evaluation.ranking``)."""
        scored = sorted(
            (r for r in self.results if r.rank is not None), key=lambda r: (-r.level, r.rank, r.unit)
        )
        return (*scored, *(r for r in self.results if r.rank is None))


def job_count(jobs: int) -> int:
    """How many processes ``--jobs`` asks for: *jobs*, or every usable core for 0.

    Raises:
        ValueError: *jobs* is negative.
    """
    if jobs < 0:
        raise ValueError(f"the number of jobs must be 0 (all cores) or more (got {jobs})")
    if jobs > 0:
        return jobs
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1  # pragma: no cover - platforms without affinity


def worker_context() -> multiprocessing.context.BaseContext:
    """How worker processes are started: ``fork`` on Linux when this process runs no thread but
    the main one, else ``spawn``.

    A forked worker starts in milliseconds with the modules already imported;
    a spawned one is a fresh interpreter that imports them again (about a
    second). Forking a process that runs other threads can deadlock the child
    (a lock held by another thread at the fork stays held), and macOS's system
    libraries do not support it, so those get ``spawn``.
    """
    if (
        sys.platform == "linux"
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    ):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


# ---------------------------------------------------------------------------
# The worker side: top-level functions, so that they work under spawn as under fork.
# ---------------------------------------------------------------------------

_WORKER_PLAN: Plan | None = None


def _start_worker(scheme: Scheme) -> None:
    """Keep the scheme's plan for the worker's lifetime (compiled once per worker)."""
    global _WORKER_PLAN
    _WORKER_PLAN = plan_of(scheme)


def _score_in_worker(units: Sequence[Unit], population: Mapping[str, PopulationTable]) -> list[Compact]:
    assert _WORKER_PLAN is not None, "the worker was started without a scheme"
    return _compact(score_chunk(_WORKER_PLAN, units, population))


def _compact(outcomes: Sequence[UnitOutcome]) -> list[Compact]:
    return [
        (o.total, o.grade, o.vetoed, tuple(o.scores), tuple(o.errors), o.flags, tuple(o.events))
        for o in outcomes
    ]


# ---------------------------------------------------------------------------
# The parent side
# ---------------------------------------------------------------------------


def score_totals(
    scheme: Scheme,
    units: Sequence[Unit],
    *,
    jobs: int = 0,
    chunk_size: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Totals:
    """Score a batch in *jobs* processes: totals, grades, ranks and indicator scores.

    Args:
        scheme: the scheme.
        units: the units, scored together (population values, quotas and
            ranks are over all of them).
        jobs: worker processes; 0 for every usable core. With 1, or when the
            units fit in one chunk, they are scored in this process.
        chunk_size: units sent to a worker at a time (default :data:`CHUNK_SIZE`).
        progress: called as ``progress(done, total, unit_name)`` after each
            chunk comes back.

    Returns:
        The totals-only results, identical in totals, grades, ranks, errors
        and indicator scores to those of :func:`perfrules.evaluate`.

    Raises:
        TypeError: *units* holds something that is not a ``Unit``.
        ValueError: two units share a name, *jobs* is negative or
            *chunk_size* is not positive.
        DataError: with the scheme's ``roll_up``, the units' parents do
            not make a tree (as :func:`perfrules.evaluate`).
    """
    if chunk_size is None:
        chunk_size = CHUNK_SIZE
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive (got {chunk_size})")
    workers = job_count(jobs)
    unit_list = check_units(units)
    plan = plan_of(scheme)
    # With roll_up, the units that are no one's parent are scored; the parents follow them.
    tree = batch_tree(plan, unit_list)
    scored = unit_list if tree is None else list(tree.scored)
    population = population_values(plan.indicators, scored) if plan.has_population else {}
    chunks = [scored[i : i + chunk_size] for i in range(0, len(scored), chunk_size)]
    compact: list[Compact] = []
    if workers == 1 or len(chunks) <= 1:
        for chunk in chunks:
            compact.extend(_compact(score_chunk(plan, chunk, population)))
            if progress is not None:
                progress(len(compact), len(scored), chunk[-1].name)
    else:
        with ProcessPoolExecutor(
            max_workers=min(workers, len(chunks)),
            mp_context=worker_context(),
            initializer=_start_worker,
            initargs=(scheme,),
        ) as pool:
            parts = [{u.name: population[u.name] for u in chunk} if population else {} for chunk in chunks]
            for chunk, done in zip(chunks, pool.map(_score_in_worker, chunks, parts), strict=True):
                compact.extend(done)
                if progress is not None:
                    progress(len(compact), len(scored), chunk[-1].name)
    outcomes = []
    for unit, (total, grade, vetoed, scores, errors, flags, events) in zip(scored, compact, strict=True):
        outcome = UnitOutcome(unit)
        outcome.total, outcome.grade, outcome.vetoed, outcome.flags = total, grade, vetoed, flags
        outcome.scores, outcome.errors, outcome.events = list(scores), list(errors), list(events)
        outcomes.append(outcome)
    outcomes = finish_levels(plan, tree, outcomes, unit_list)
    codes = [ind.code for ind in plan.indicators]
    return Totals(
        scheme=scheme,
        results=tuple(
            TotalsResult(
                unit=o.unit.name,
                category=o.unit.category,
                total=o.total,
                grade=o.grade,
                rank=o.rank,
                category_rank=o.category_rank,
                vetoed=o.vetoed,
                errors=tuple(o.errors),
                # A unit that could not be scored at all (an unknown category …) has no scores.
                indicators=tuple(IndicatorScore(c, s) for c, s in zip(codes, o.scores, strict=False)),
                flags=o.flags,
                level=o.level,
                events=tuple(o.events),
            )
            for o in outcomes
        ),
    )
