"""Scoring a chunk of a data file's units, as the streamed outputs keep them.

A chunk is a list of row groups (a unit's rows, as the file's reader groups
them). Where the scheme compiles to a column program
(:mod:`perfrules.scoring.program`), units of one row whose cells are plain decimals
are scored from the cells' text as columns, without a ``Unit``; every other
unit is read by the file's reader and scored by the per-unit program, as
:func:`perfrules.load_units` and :func:`perfrules.evaluate` would. What is
kept of each is what output needs: a light unit (name, category, origin),
the total and grade, and the indicator scores as one line of output cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from .._intcols import format_rows, from_text_columns, gc_paused, numpy
from .._numbers import Number, round_half_up, tidy_decimal
from ..files.cells import NO_DATA, RawCell, read_cell
from ..files.data import _RowUnits
from ..files.tables import Row
from ..files.unit_groups import RowGroup, unit_of
from ..formula.text import normalize_name
from ..scheme.model import Scheme
from ..scheme.units import PolicyEvent, Unit, UnitError
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

    Where the scheme compiles to a column program, the units of one row whose
    cells the program reads are plain decimals are scored from the cells'
    text as columns (:func:`perfrules._intcols.from_texts`), without a
    ``Unit``; every other unit is read by the file's reader and scored by the
    per-unit program, as :func:`perfrules.load_units` and
    :func:`perfrules.evaluate` would.
    """
    program = program_of(plan_of(scheme))
    simple = [] if program is None or not reads_cells(program.plan) else _simple_rows(reader, groups)
    outcomes: list[UnitOutcome | None] = [None] * len(groups)
    if simple and program is not None:
        with gc_paused():
            _score_simple(program, reader, groups, simple, category, outcomes, population)
    rest = [g for g, found in enumerate(outcomes) if found is None]
    bad: list[str] = []
    if rest:
        units = [with_category(unit_of(reader, groups[g]), category) for g in rest]
        bad = [u.name for u in units if u.problems]
        for g, outcome in zip(rest, score_chunk_here(scheme, units, population), strict=True):
            outcomes[g] = outcome
    return [o for o in outcomes if o is not None], bad


def _score_simple(
    program: ColumnProgram,
    reader: _RowUnits,
    groups: Sequence[RowGroup],
    simple: list[int],
    category: str | None,
    outcomes: list[UnitOutcome | None],
    population: Mapping[str, Population] | None = None,
) -> None:
    """Score the groups at *simple* by the column program from their cells' text, where it takes them."""
    np = numpy()
    header = reader.header
    numeric = [i for i in reader.inputs if header[i] not in reader.text_fields]
    rows = [groups[g][1][0] for g in simple]
    names = [groups[g][0] for g in simple]
    categories = [_category_cell(reader, row, category) for row in rows]
    by_column = list(zip(*(row.cells for row in rows), strict=True))
    parsed = dict(
        zip((header[i] for i in numeric), from_text_columns([by_column[i] for i in numeric]), strict=True)
    )
    # Every cell the reader reads is a plain decimal or blank, or the unit is read (and its
    # unreadable cell reported) by the per-unit program; a column the program reads and the file
    # lacks leaves every unit to it too (it says which value is missing).
    ok = np.ones(len(rows), dtype=bool)
    for i in numeric:
        plain = parsed[header[i]][1]
        if not plain.all():
            ok &= plain | np.array([type(c) is str and not c.strip() for c in by_column[i]], dtype=bool)
    for i in reader.inputs:
        if header[i] in reader.text_fields:
            ok &= np.array([type(c) is str for c in by_column[i]], dtype=bool)
    if any(name not in parsed for name in program.reads):
        missing = from_text_columns([[""] * len(rows)])[0]
        columns = {name: parsed.get(name, missing) for name in program.reads}
    else:
        columns = {name: parsed[name] for name in program.reads}
    at = {header[i]: i for i in reader.inputs}
    for name in program.text_reads:  # words as the reader keeps them (blank or no-data text: none)
        cells = by_column[at[name]] if name in at else [""] * len(rows)
        words = {c: _word(c) for c in {c for c in cells if isinstance(c, str)}}  # each distinct word once
        columns[name] = text_column([words.get(c) if isinstance(c, str) else None for c in cells])
    scored = program.score(names, categories, columns, ok, population=population)
    cells = _rendered(scored)
    origin = reader.origin
    done = scored.rows()
    totals, grades, shown = scored.finish(done)
    for i, total, grade, text in zip(done, totals, grades, shown, strict=True):
        row = rows[i]
        outcome = UnitOutcome(LightUnit(names[i], categories[i], f"{origin} row {row.number}"))  # type: ignore[arg-type]
        outcome.total, outcome.grade, outcome.shown_total = total, grade, text
        outcome.rendered = cells[i]
        scored.dress(i, outcome)
        outcomes[simple[i]] = outcome


def _simple_rows(reader: _RowUnits, groups: Sequence[RowGroup]) -> list[int]:
    """The groups of one row that the column program can read: no row problem, period or declared
    not-applicable indicator, and a category cell that is text."""
    found = []
    for g, (_, rows, _) in enumerate(groups):
        if len(rows) != 1:
            continue
        row = rows[0]
        if row.problem is not None:
            continue
        cells = row.cells
        if reader.period_col is not None and _filled(cells[reader.period_col]):
            continue
        if reader.na_col is not None and _filled(cells[reader.na_col]):
            continue
        if reader.cat_col is not None and not isinstance(cells[reader.cat_col], str):
            continue
        found.append(g)
    return found


def _word(cell: RawCell) -> str | None:
    """A word cell's text as the reader keeps it (None: blank or a no-data text; not text: None)."""
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    return text if read_cell(text) is not NO_DATA else None


def _filled(cell: RawCell) -> bool:
    return not isinstance(cell, str) or bool(cell.strip())


def _category_cell(reader: _RowUnits, row: Row, default: str | None) -> str | None:
    """A row's category as the reader reads it (the command line's ``--category`` when it gives none)."""
    if reader.cat_col is not None:
        text = str(row.cells[reader.cat_col]).strip()
        if text:
            return normalize_name(text)
    return default


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
    )


def unpack(packed: Packed) -> UnitOutcome:
    name, category, origin, total, grade, vetoed, rendered, shown, errors, events, flags = packed
    outcome = UnitOutcome(LightUnit(name, category, origin))  # type: ignore[arg-type]
    outcome.total, outcome.grade, outcome.vetoed, outcome.flags = total, grade, vetoed, flags
    outcome.rendered, outcome.shown_total = rendered, shown
    outcome.errors, outcome.events = list(errors), list(events)
    return outcome


def score_chunk_here(
    scheme: Scheme, chunk: Sequence[Unit], population: Mapping[str, Population]
) -> list[UnitOutcome]:
    """Score a chunk of units totals-only, with their population values given (any process)."""
    return compact(score_chunk(plan_of(scheme), chunk, population, detail=False, rendered=True))


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
