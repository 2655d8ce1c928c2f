"""Scoring units kept as columns (a data file's, as ``load_units`` reads them) without making each ``Unit``.

:func:`perfrules.load_units` keeps a file's units as columns
(:class:`perfrules.scheme.unitcols.UnitColumns`). :func:`score_kept` hands those
columns to the plan's column program as they are, where
:func:`perfrules.scoring.batch.score_batch` would first make every unit and then
turn their values back into columns; a unit the program leaves unscored in the
batch (and any unit put into the sequence by hand) is made and scored alone by
the same program (:mod:`~perfrules.scoring.colalone`), and quotas and ranks are applied by
:func:`~perfrules.scoring.batch.finish_batch` over all of them, exactly as
``score_batch`` does. It is the same plan run on the same columns: only the
way the columns are obtained differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, overload

from .._intcols import gc_paused, numpy
from ..scheme.unitcols import LazyUnits, UnitColumns
from ..scheme.units import Unit, note_events
from .batch import finish_batch
from .colalone import settled
from .colfailures import failed_rows, outcome_of
from .colhistory import reads_cells
from .colsteps import Regroup, divisors
from .coltotalerrors import total_rows
from .outcome import UnitOutcome
from .plan import Plan
from .program import program_of
from .uniterrors import refused_rows

__all__ = ["KeptOutcomes", "KeptUnit", "score_kept"]


class KeptUnit:
    """A unit of a batch's columns as its outcome names it (name, category, origin), not made yet.

    ``made()`` makes the ``Unit`` itself (to explain it).
    """

    __slots__ = ("_columns", "_row", "category", "name")

    def __init__(self, columns: UnitColumns, row: int) -> None:
        self._columns = columns
        self._row = row
        self.name = columns.names[row]
        self.category = columns.categories[row]

    @property
    def origin(self) -> str:
        return self._columns.origin(self._row)

    @property
    def notes(self) -> Sequence[Any]:
        """How its cells were read (``'87.5分' read as 87.5``), as its ``Unit``'s notes say."""
        return self._columns.notes.get(self._row, ())

    def made(self) -> Unit:
        """The unit itself."""
        return self._columns.unit(self._row)


def score_kept(
    plan: Plan, units: LazyUnits, *, progress: Callable[[int, int, str], None] | None = None
) -> Sequence[UnitOutcome] | None:
    """Totals-only outcomes of *units* in order, with quotas and ranks, scored from their columns.

    None when this way does not apply and ``score_batch`` scores the units:
    the sequence keeps no columns, or the scheme has
    population values (``max_of`` …) or ``roll_up``, or the batch divides by divisors too many and
    unlike for one denominator (``score_batch`` scores it in smaller batches: colsteps.divide).

    Raises:
        SchemeError: a form of the scheme the column program does not compile.
        TypeError: an item is not a ``Unit``.
        ValueError: two units share a name.
    """
    columns, rows, items = units.kept()
    if columns is None or plan.has_population or plan.scheme.roll_up is not None or not reads_cells(plan):
        return None
    program = program_of(plan)
    # The columns' own units, in order (as load_units gives them): the columns are read as they are.
    whole = len(rows) == len(columns.names) and rows == list(range(len(rows)))
    if whole:
        names = list(columns.names)
    elif None not in rows and len(set(rows)) == len(rows):
        names = [columns.names[r] for r in rows]  # type: ignore[index]  # distinct units of the columns
    else:
        names = []
        seen: set[str] = set()
        for r, item in zip(rows, items, strict=True):  # as check_units checks a list, in order
            name = columns.names[r] if r is not None else _unit(item).name
            if name in seen:
                raise ValueError(f"two units are named '{name}'")
            seen.add(name)
            names.append(name)
    np = numpy()
    at = range(len(rows)) if whole else [i for i, r in enumerate(rows) if r is not None]
    index = np.arange(len(rows)) if whole else np.array([rows[i] for i in at], dtype=np.int64)
    outcomes: list[UnitOutcome | None] = [None] * len(rows)
    with gc_paused():
        if len(at):
            cols = {name: columns.take(name, None if whole else index) for name in program.reads}
            kept_names = names if whole else [names[i] for i in at]
            categories = (
                list(columns.categories) if whole else [columns.categories[r] for r in index.tolist()]
            )
            try:
                with divisors("regroup"):
                    scored = program.score(
                        kept_names, categories, cols, columns.ok.copy() if whole else columns.ok[index]
                    )
            except Regroup:  # divisors too unlike for one denominator: score_batch scores smaller batches
                return None
            done = scored.rows()
            if len(done) == len(rows) and not plan.scheme.quotas and scored.vetoed is None:
                # Every unit scored here, none vetoed, no quota: ranks over the exact integer totals
                # (as finish_batch ranks them), and each outcome made when read.
                if progress is not None:
                    for done_count, name in enumerate(names, start=1):
                        progress(done_count, len(names), name)
                return KeptOutcomes(columns, rows, scored, categories)  # type: ignore[arg-type]
            # Units refused before any indicator is scored (uniterrors): their errors, as the units'.
            made = _Made(columns, rows, at)
            refused_rows(scored, made, columns.ok if whole else columns.ok[index])
            failed_rows(scored, made)  # an indicator's error, worded by its own step (colfailures)
            total_rows(scored, made)  # an error of the total, by the per-unit program's code (coltotalerrors)
            for j, errored in scored.errors.items():
                outcomes[at[j]] = outcome_of(errored)
            totals, grades, _ = scored.finish(done)
            for j, total, grade in zip(done, totals, grades, strict=True):
                outcome = UnitOutcome(KeptUnit(columns, rows[at[j]]))  # type: ignore[arg-type]
                outcome.scores_later(partial(scored.unit_scores, j))
                outcome.total, outcome.grade = total, grade
                if columns.notes:
                    outcome.events = note_events(outcome.unit)
                scored.dress(j, outcome)
                outcomes[at[j]] = outcome

    def unit_at(i: int) -> Unit:
        r = rows[i]
        return columns.unit(r) if r is not None else _unit(items[i])

    finished = settled(plan, outcomes, unit_at, {})  # (a scheme without population values: see above)
    if progress is not None:
        for done_count, name in enumerate(names, start=1):
            progress(done_count, len(names), name)
    with gc_paused():
        finish_batch(plan, finished)
    return finished


class KeptOutcomes(Sequence[UnitOutcome]):
    """The outcomes of a batch the column program scored whole, each made when read.

    Ranks are those :func:`~perfrules.scoring.batch.finish_batch` gives (ties share the better
    rank; by category where the scheme or the units have categories), worked out at once over the
    exact totals kept as integers (:meth:`perfrules.scoring.coltotals.TotalColumn.ranks`).
    """

    def __init__(
        self, columns: UnitColumns, rows: list[int], scored: Any, categories: list[str | None]
    ) -> None:
        np = numpy()
        everyone = list(range(len(rows)))
        self._columns, self._rows, self._scored = columns, rows, scored
        self._totals = totals = scored.totals_of(everyone)
        self._exact: list[Any] | None = None  # every total as exact() gives it, once all are read
        self._grades = scored.grades_of(totals)
        self._ranks = totals.ranks().tolist()
        self._category_ranks: list[int | None] = [None] * len(rows)
        if scored.program.plan.scheme.categories or any(categories):
            ranks = np.zeros(len(rows), dtype=np.int64)
            for category in set(categories):
                where = np.array([c == category for c in categories], dtype=bool)
                ranks[where] = type(totals)(totals.num[where], totals.den[where]).ranks()
            self._category_ranks = ranks.tolist()

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> UnitOutcome: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[UnitOutcome]: ...

    def __getitem__(self, i: int | slice) -> UnitOutcome | Sequence[UnitOutcome]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        return self._made(i, self._exact[i] if self._exact is not None else self._totals.value(i))

    def __iter__(self) -> Iterator[UnitOutcome]:
        # Every outcome in turn: the exact totals made for the whole batch at once (per denominator).
        if self._exact is None:
            self._exact = self._totals.values()
        return map(self._made, range(len(self)), self._exact)

    def plain(self) -> tuple[list[Any], ...] | None:
        """Every unit's name, category, exact total, grade, rank, category rank and origin (where
        its data came from), as lists: what each outcome holds, read at once. None where a step
        after the total left more on some unit (periods, events, a veto, group means, overall
        findings): read the outcomes then."""
        scored = self._scored
        if (
            scored.periods is not None
            or scored.events
            or scored.vetoed is not None
            or scored.means is not None
            or scored.found is not None
            or self._columns.notes
        ):
            return None
        if self._exact is None:
            self._exact = self._totals.values()
        columns, rows = self._columns, self._rows
        names, categories = columns.names, columns.categories
        if rows != list(range(len(names))):
            names, categories = [names[r] for r in rows], [categories[r] for r in rows]
        origins = columns.origins(rows)
        return names, categories, self._exact, self._grades, self._ranks, self._category_ranks, origins

    def kept_unit(self, i: int) -> KeptUnit:
        """The *i*-th unit, not made yet."""
        return KeptUnit(self._columns, self._rows[i])

    def _made(self, i: int, total: Any) -> UnitOutcome:
        outcome = UnitOutcome(KeptUnit(self._columns, self._rows[i]))  # type: ignore[arg-type]
        outcome.scores_later(partial(self._scored.unit_scores, i))
        outcome.total, outcome.grade = total, self._grades[i]
        outcome.rank, outcome.category_rank = self._ranks[i], self._category_ranks[i]
        if self._columns.notes:
            outcome.events = note_events(outcome.unit)
        self._scored.dress(i, outcome)
        return outcome


class _Made:
    """The units of a batch's columns at some rows, each made when asked for."""

    def __init__(self, columns: UnitColumns, rows: Sequence[int | None], at: Sequence[int]) -> None:
        self._columns, self._rows, self._at = columns, rows, at

    def __getitem__(self, j: int) -> Unit:
        r = self._rows[self._at[j]]  # a row of the columns (*at*: the units that have one)
        assert r is not None
        return self._columns.unit(r)


def _unit(item: Any) -> Unit:
    if not isinstance(item, Unit):
        raise TypeError(f"units must be Unit objects (got {item!r} of type {type(item).__name__})")
    return item
