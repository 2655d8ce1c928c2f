"""Scoring a chunk of a data file's units, as the streamed outputs keep them.

A chunk is a list of row groups (a unit's rows, as the file's reader groups
them). Where the scheme compiles to a column program
(:mod:`perfrules.scoring.program`), units whose cells are plain decimals or
blank (their periods and 不适用 lists too: :mod:`perfrules.files.group_columns`)
are scored from the cells' text as columns, without a ``Unit``; every other
unit is read by the file's reader into a ``Unit`` and scored from it, as
:func:`perfrules.load_units` and :func:`perfrules.evaluate` would. What is
kept of each is what output needs: a light unit (name, category, origin),
the total and grade, and the indicator scores as one line of output cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .._intcols import format_rows, from_text_columns, gc_paused, numpy
from .._numbers import Number, round_half_up, tidy_decimal
from ..files.data import _RowUnits
from ..files.group_columns import GroupCells, group_cells, word
from ..files.unit_groups import RowGroup, unit_of
from ..scheme.model import Scheme
from ..scheme.units import PeriodTotal, PolicyEvent, Unit, UnitError
from ..scoring.batch import score_chunk
from ..scoring.colhistory import reads_cells
from ..scoring.collookup import text_column
from ..scoring.outcome import UnitOutcome
from ..scoring.plan import plan_of
from ..scoring.program import ColumnProgram, Scored, program_of

__all__ = [
    "LightUnit",
    "Packed",
    "cell_number",
    "compact",
    "light",
    "pack",
    "score_chunk_here",
    "score_columns",
    "score_groups",
    "unpack",
    "with_category",
]

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


class LightUnit:
    """What output needs of a unit once it is scored: its name, category and where it came from."""

    __slots__ = ("category", "name", "origin")

    def __init__(self, name: str, category: str | None, origin: str) -> None:
        self.name = name
        self.category = category
        self.origin = origin


def light(unit: Unit) -> Unit:
    """The unit without its data (a stand-in with the same name, category and origin)."""
    return LightUnit(unit.name, unit.category, unit.origin)  # type: ignore[return-value]


def with_category(unit: Unit, category: str | None) -> Unit:
    if category is None or unit.category:
        return unit
    import attrs

    return attrs.evolve(unit, category=category)


def score_groups(
    scheme: Scheme,
    reader: _RowUnits,
    groups: Sequence[RowGroup],
    population: Mapping[str, Population],
    category: str | None,
) -> tuple[list[UnitOutcome], list[str]]:
    """Score a chunk of a file's units from their rows: compact outcomes, and the units not readable.

    Where the scheme compiles to a column program, the units whose rows the
    per-cell reader would read without a word to say (one year row, distinct
    periods, 不适用 lists, every numeric cell a plain decimal or blank:
    :mod:`perfrules.files.group_columns`) are scored from the cells' text as
    columns (:func:`perfrules._intcols.from_texts`), their periods and
    declared indicators included, without a ``Unit``; every other unit is
    read by the file's reader and scored from its ``Unit``, as :func:`perfrules.load_units` and
    :func:`perfrules.evaluate` would.
    """
    program = program_of(plan_of(scheme))
    outcomes: list[UnitOutcome | None] = [None] * len(groups)
    if reads_cells(program.plan):  # (history joins units first: colhistory)
        taken = group_cells(reader, groups, category)
        if taken.taken:
            with gc_paused():
                _score_taken(program, reader, groups, taken, outcomes, population)
    rest = [g for g, found in enumerate(outcomes) if found is None]
    bad: list[str] = []
    if rest:
        units = [with_category(unit_of(reader, groups[g]), category) for g in rest]
        bad = [u.name for u in units if u.problems]
        for g, outcome in zip(rest, score_chunk_here(scheme, units, population), strict=True):
            outcomes[g] = outcome
    return [o for o in outcomes if o is not None], bad


def _score_taken(
    program: ColumnProgram,
    reader: _RowUnits,
    groups: Sequence[RowGroup],
    taken: GroupCells,
    outcomes: list[UnitOutcome | None],
    population: Mapping[str, Population] | None = None,
) -> None:
    """Score the groups the column program can take (*taken*) from their cells' text, where it does."""
    np = numpy()
    header = reader.header
    numeric = [i for i in reader.inputs if header[i] not in reader.text_fields]
    rows = taken.rows
    names = [groups[g][0] for g in taken.taken]
    categories = taken.categories
    by_column = list(zip(*(row.cells for row in rows), strict=True))
    parsed = dict(
        zip((header[i] for i in numeric), from_text_columns([by_column[i] for i in numeric]), strict=True)
    )
    # Every cell the reader reads is a plain decimal or blank, or the unit is read (and its
    # unreadable cell reported) as a ``Unit``; a column the program reads and the file
    # lacks leaves every unit to that way too (it says which value is missing).
    ok = np.ones(len(rows), dtype=bool)
    for i in numeric:
        plain = parsed[header[i]][1]
        if not plain.all():
            ok &= plain | np.array([type(c) is str and not c.strip() for c in by_column[i]], dtype=bool)
    for i in reader.inputs:
        if header[i] in reader.text_fields and set(map(type, by_column[i])) != {str}:
            ok &= np.array([type(c) is str for c in by_column[i]], dtype=bool)
    if any(name not in parsed for name in program.reads):
        missing = from_text_columns([[""] * len(rows)])[0]
        columns = {name: parsed.get(name, missing) for name in program.reads}
    else:
        columns = {name: parsed[name] for name in program.reads}
    at = {header[i]: i for i in reader.inputs}
    for name in program.text_reads:  # words as the reader keeps them (blank or no-data text: none)
        cells = by_column[at[name]] if name in at else [""] * len(rows)
        if set(map(type, cells)) == {str}:  # a CSV file's: every cell text
            words = {c: word(c) for c in set(cells)}  # each distinct word once
            columns[name] = text_column(list(map(words.__getitem__, cells)))
        else:
            words = {c: word(c) for c in {c for c in cells if isinstance(c, str)}}
            columns[name] = text_column([words.get(c) if isinstance(c, str) else None for c in cells])
    found = score_columns(program, reader, names, categories, columns, ok, taken, population)
    for i, outcome in found:
        outcomes[taken.taken[i]] = outcome


def score_columns(
    program: ColumnProgram,
    reader: _RowUnits,
    names: Sequence[str],
    categories: Sequence[str | None],
    columns: dict[str, Any],
    ok: Any,
    taken: GroupCells,
    population: Mapping[str, Population] | None,
) -> list[tuple[int, UnitOutcome]]:
    """Score units given as columns (their year cells parsed, *ok* those the program may score;
    their periods, 不适用 lists and row numbers in *taken*): the outcomes of the units it scores,
    each with its position (every other unit is read as a ``Unit`` and scored from it)."""
    scored = program.score(
        names,
        categories,
        columns,
        ok,
        population=population,
        periods=taken.periods,
        declared=taken.declared,
    )
    cells = _rendered(scored)
    numbers = taken.numbers
    done = scored.rows()
    totals, grades, shown = scored.finish(done)
    found: list[tuple[int, UnitOutcome]] = []
    for i, total, grade, text in zip(done, totals, grades, shown, strict=True):
        origin = reader.rows_origin(numbers[i])
        outcome = UnitOutcome(LightUnit(names[i], categories[i], origin))  # type: ignore[arg-type]
        outcome.total, outcome.grade, outcome.shown_total = total, grade, text
        outcome.rendered = cells[i]
        scored.dress(i, outcome)
        found.append((i, outcome))
    return found


def _rendered(scored: Scored) -> list[str]:
    """Each unit's indicator scores as one line of output cells (what :func:`compact` gives)."""
    return format_rows(scored.scores, scored.den, scored.applicable)


Packed = tuple[
    str,
    "str | None",
    str,
    "Number | None",
    "str | None",
    bool,
    str,
    "str | None",
    tuple[UnitError, ...],
    tuple[PolicyEvent, ...],
    tuple[str, ...],
    tuple[PeriodTotal, ...],
]


def pack(outcome: UnitOutcome) -> Packed:
    """An outcome as a plain tuple: what crosses from a worker process, cheaply."""
    unit = outcome.unit
    return (
        unit.name,
        unit.category,
        unit.origin,
        outcome.total,
        outcome.grade,
        outcome.vetoed,
        outcome.rendered or "",
        outcome.shown_total,
        tuple(outcome.errors),
        tuple(outcome.events),
        outcome.flags,
        outcome.periods,
    )


def unpack(packed: Packed) -> UnitOutcome:
    name, category, origin, total, grade, vetoed, rendered, shown, errors, events, flags, periods = packed
    outcome = UnitOutcome(LightUnit(name, category, origin))  # type: ignore[arg-type]
    outcome.total, outcome.grade, outcome.vetoed, outcome.flags = total, grade, vetoed, flags
    outcome.rendered, outcome.shown_total = rendered, shown
    outcome.errors, outcome.events = list(errors), list(events)
    outcome.periods = periods
    return outcome


def score_chunk_here(
    scheme: Scheme, chunk: Sequence[Unit], population: Mapping[str, Population]
) -> list[UnitOutcome]:
    """Score a chunk of units totals-only, with their population values given (any process)."""
    return compact(score_chunk(plan_of(scheme), chunk, population, rendered=True))


def compact(outcomes: list[UnitOutcome]) -> list[UnitOutcome]:
    """Keep what output needs: indicator scores become one line of cells; the unit's data goes."""
    for outcome in outcomes:
        if outcome.rendered is not None and type(outcome.unit) is not Unit:
            continue  # written by the column program from the cells' text already
        outcome.unit = light(outcome.unit)
        outcome.weights = []
        outcome.indicators = None
        if outcome.rendered is None:
            outcome.rendered = ",".join(cell_number(s) for s in outcome.scores) if outcome.scores else ""
        outcome.scores = []
    return outcomes
