"""Scoring a data file too large to hold: read in a stream, keep compact rows, rank at the end.

What the command line's CSV and table output need — rank, unit, category,
total, grade, each indicator's score and the unit's errors — is kept per unit
as a few short strings; units' data and explained results are not kept. A
scheme with population steps (``max_of`` …, peer ratios, ranks) reads the
file twice: once for the compact numbers those steps need, once to score.
Memory therefore grows with the number of units only by those compact rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from ._batch import UnitOutcome, finish_batch, score_unit, score_unit_lean
from ._data import stream_units
from ._errors import Problem
from ._numbers import Number, round_half_up, tidy_decimal
from ._plan import plan_of
from ._population import population_values
from ._scheme import Scheme
from ._unit import Unit

__all__ = ["StreamedRun", "cell_number", "score_chunk_here", "score_file"]

Population = Mapping[tuple[str, str, str | None], Number]


def cell_number(value: Number | None, places: int = 6) -> str:
    """A number for output cells: rounded half up to *places*, trailing zeros dropped.

    >>> cell_number(Decimal("23.50")), cell_number(Decimal("0.1234567"))
    ('23.5', '0.123457')
    """
    if value is None:
        return ""
    if type(value) is Decimal:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -places:
            return str(tidy_decimal(value))
    return str(tidy_decimal(round_half_up(value, places)))


class StreamedRun:
    """The compact results of scoring a file: one outcome per unit, ranked, without the units' data."""

    def __init__(self, outcomes: list[UnitOutcome], notes: tuple[Problem, ...]) -> None:
        self.outcomes = outcomes
        self.notes = notes

    def ranking(self) -> list[UnitOutcome]:
        """Scored units from the best rank down (ties by name), then units with errors in file order."""
        scored = sorted((o for o in self.outcomes if o.rank is not None), key=lambda o: (o.rank, o.unit.name))
        return [*scored, *(o for o in self.outcomes if o.rank is None)]

    @property
    def failed(self) -> list[UnitOutcome]:
        return [o for o in self.outcomes if o.errors]


def _light(unit: Unit) -> Unit:
    """The unit without its data: what the output needs of it once it is scored."""
    return Unit(name=unit.name, category=unit.category, origin=unit.origin)


def score_file(
    scheme: Scheme,
    source: str | Path,
    *,
    sheet: str | None = None,
    category: str | None = None,
    progress: Callable[[int, str], None] | None = None,
    score_chunk: Callable[[Sequence[Unit], Mapping[str, Population]], list[UnitOutcome]] | None = None,
    chunk_size: int = 2000,
) -> StreamedRun:
    """Score every unit of a CSV or workbook file as a stream (totals, grades, ranks, indicator scores).

    Args:
        scheme: the scheme.
        source: the data file (.csv, .xlsx).
        sheet: the workbook's sheet (default: the first).
        category: the category of units whose data gives none.
        progress: called as ``progress(units done, unit name)`` now and then.
        score_chunk: scores a chunk of units (with population values already
            on hand), for running chunks in other processes; by default in
            this one.
        chunk_size: units per chunk.

    Returns:
        The compact outcomes, ranked, with quotas applied.
    """
    plan = plan_of(scheme)
    population: dict[str, dict[tuple[str, str, str | None], Number]] = {}
    if plan.has_population:
        _, first_pass = stream_units(source, scheme=scheme, sheet=sheet)
        population = population_values(plan.indicators, _with_category(first_pass, category))
    notes, units = stream_units(source, scheme=scheme, sheet=sheet)
    outcomes: list[UnitOutcome] = []

    def local(chunk: Sequence[Unit], values: Mapping[str, Population]) -> list[UnitOutcome]:
        return score_chunk_here(scheme, chunk, values)

    run_chunk = score_chunk or local
    chunk: list[Unit] = []

    def flush() -> None:
        values = {u.name: population.get(u.name, {}) for u in chunk} if population else {}
        outcomes.extend(_compact(run_chunk(chunk, values)))
        if progress is not None:
            progress(len(outcomes), outcomes[-1].unit.name)

    for unit in _with_category(units, category):
        chunk.append(unit)
        if len(chunk) >= chunk_size:
            flush()
            chunk = []
    if chunk:
        flush()
    finish_batch(plan, outcomes)
    return StreamedRun(outcomes, notes)


def score_chunk_here(
    scheme: Scheme, chunk: Sequence[Unit], population: Mapping[str, Population]
) -> list[UnitOutcome]:
    """Score a chunk of units totals-only, with their population values given (any process)."""
    plan = plan_of(scheme)
    done = []
    lean = plan.lean
    for unit in chunk:
        quick = score_unit_lean(plan, unit) if lean else None
        done.append(quick or score_unit(plan, unit, population.get(unit.name, {}), detail=False))
    return _compact(done)


def _with_category(units: Iterator[Unit], category: str | None) -> Iterator[Unit]:
    if category is None:
        yield from units
        return
    import attrs

    for unit in units:
        yield unit if unit.category else attrs.evolve(unit, category=category)


def _compact(outcomes: list[UnitOutcome]) -> list[UnitOutcome]:
    """Keep what output needs: indicator scores become one line of cells; the unit's data goes."""
    for outcome in outcomes:
        if outcome.rendered is not None:
            continue
        outcome.unit = _light(outcome.unit)
        outcome.weights = []
        outcome.indicators = None
        outcome.rendered = ",".join(cell_number(s) for s in outcome.scores) if outcome.scores else ""
        outcome.scores = []
    return outcomes
