"""Checking submitted unit data against a scheme, before scoring: every problem at once.

An evaluation office receives a data file from each 数据采集单位 and wants to
send it back with everything that is wrong, not to learn one problem per
scoring run. :func:`check_data` reads the file as scoring reads it and lists:

- columns the scheme does not read (a misspelt name, with "did you mean")
  and inputs the scheme reads that no column holds;
- cells that cannot be read (``abc`` in a number column) and rows that do
  not fit the header;
- values outside what the scheme allows (a rate above 100%, a score above
  the indicator's points, a count that is not whole) and grades that are
  not among the scale's (``优秀`` where 良好/合格/不合格 are expected);
- units without a category, or with one the scheme does not have, and
  不适用 entries that name no indicator;
- with an expected list of units, units missing from the file and units the
  list does not have;
- and, last, what scoring itself reports for each unit (a value it needs
  and has no default for): the units are scored with the same compiled plan
  as ``perfrules score``, so nothing is checked by a second set of rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs

from .._errors import DataError, Problem
from ..files.data import _CATEGORY_COLUMNS, _NA_COLUMNS, _NAME_COLUMNS, _PERIOD_COLUMNS
from ..files.inputs import InputField, input_fields, scheme_inputs
from ..formula.language import normalize_name
from ..scheme.model import Scheme
from ..scheme.steps import step_target
from ..scheme.units import Unit

__all__ = ["DataCheck", "check_data"]

_SPECIAL = {normalize_name(n) for n in (*_NAME_COLUMNS, *_CATEGORY_COLUMNS, *_PERIOD_COLUMNS, *_NA_COLUMNS)}


@attrs.frozen(kw_only=True)
class DataCheck:
    """What :func:`check_data` found.

    Attributes:
        problems: every problem, each with where it is (a column, or a unit
            with its file rows, and a field).
        units: the names of the units read.
        columns: the input columns of the file (for JSON, the data keys).
    """

    problems: tuple[Problem, ...]
    units: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether nothing was found."""
        return not self.problems


def _header(source: Path, sheet: str | None, units: Sequence[Unit]) -> tuple[str, ...]:
    if source.suffix.lower() == ".json":
        seen: dict[str, None] = {}
        for unit in units:
            seen.update(dict.fromkeys(unit.data))
            for values in unit.periods.values():
                seen.update(dict.fromkeys(values))
        return tuple(seen)
    from ..files.tables import iter_rows

    header, _ = iter_rows(source, sheet=sheet)
    return tuple(header)


def _where(unit: Unit, field: str | None = None, period: str | None = None) -> str:
    place = f"unit '{unit.name}'" + (f" ({unit.origin})" if unit.origin else "")
    if period is not None:
        place += f", period '{period}'"
    if field is not None:
        place += f", field '{field}'"
    return place


def _value_problem(field: InputField, value: object) -> str | None:
    if field.allows(value):
        return None
    if field.kind == "grade":
        close = difflib.get_close_matches(str(value), field.choices, n=1, cutoff=0.3)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"'{value}' is not one of {'、'.join(field.choices)}{hint}"
    shown = float(value) if isinstance(value, Fraction) else value
    if field.whole and isinstance(value, int | Decimal | Fraction) and value != int(value):
        return f"{shown} is not a whole number"
    return f"{shown} is out of bounds: the scheme allows {field.bounds_text()}"


def check_data(
    scheme: Scheme,
    source: str | Path,
    *,
    sheet: str | None = None,
    expected: Iterable[str] | None = None,
) -> DataCheck:
    """Check a unit data file against a scheme and list every problem at once.

    See the module's description for what is checked. Nothing is raised for
    a bad file: a file that cannot be read at all (no unit column, two
    columns with one name, an encoding that cannot be decoded) is reported
    as its problems.

    Args:
        scheme: the scheme the data is for.
        source: the data file (.csv, .xlsx, .json), as :func:`load_units` reads it.
        sheet: the sheet of a workbook (default: the first).
        expected: the units that should be in the file, if known.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from perfrules import load
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "data.csv")
    ...     _ = path.write_text("单位,城市污水集中处理律\\n甲局,0.9\\n", encoding="utf-8")
    ...     found = check_data(load("shenzhen-2010-districts"), path, expected=["甲局", "乙局"])
    >>> found.ok, len(found.problems) > 3
    (False, True)
    >>> print(found.problems[0])
    not read by the scheme (did you mean '城市污水集中处理率'?) @ column '城市污水集中处理律'
    """
    from ..files.data import load_units
    from ..results.model import evaluate

    path = Path(source)
    try:
        units = load_units(path, scheme=scheme, sheet=sheet)
    except DataError as exc:
        return DataCheck(problems=exc.problems, units=(), columns=())
    header = _header(path, sheet, units)
    columns = tuple(c for c in header if normalize_name(c) not in _SPECIAL)
    fields = {f.name: f for f in input_fields(scheme)}
    inputs = scheme_inputs(scheme)
    problems: list[Problem] = []

    # Columns: the misspelt and the missing.
    missing = [f for f in fields if f not in columns]
    for column in columns:
        if column in inputs:
            continue
        close = difflib.get_close_matches(column, missing, n=1, cutoff=0.5) or difflib.get_close_matches(
            column, sorted(inputs), n=1, cutoff=0.5
        )
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(Problem(f"column '{column}'", f"not read by the scheme{hint}"))
    computed = sorted({step_target(s) for i in scheme.indicators() for s in i.steps})
    for name in missing:
        readers = "、".join(fields[name].indicators)
        message = "missing: the scheme reads it" + (f" ({readers})" if readers else "")
        close = difflib.get_close_matches(name, computed, n=1, cutoff=0.6)
        if close:
            # A rule that reads 完成律 where a step computes 完成率 asks the data for a name it never has.
            message += f"; the scheme computes '{close[0]}' — is the name misspelt in the scheme?"
        problems.append(Problem(f"column '{name}'", message))

    # Units: cells, values, categories, not-applicable entries.
    codes = {i.code for i in scheme.indicators()} | {normalize_name(i.name) for i in scheme.indicators()}
    for unit in units:
        for error in unit.problems:
            problems.append(Problem(_where(unit, error.field), error.message))
        if scheme.categories:
            if unit.category is None:
                problems.append(
                    Problem(_where(unit), f"no category; the scheme's are {'、'.join(scheme.categories)}")
                )
            elif unit.category not in scheme.categories:
                close = difflib.get_close_matches(unit.category, scheme.categories, n=1, cutoff=0.3)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(
                    Problem(
                        _where(unit),
                        f"unknown category '{unit.category}'; the scheme's are "
                        f"{'、'.join(scheme.categories)}{hint}",
                    )
                )
        for entry in sorted(unit.not_applicable):
            if entry not in codes:
                problems.append(
                    Problem(_where(unit, "不适用"), f"'{entry}' is not an indicator's code or name")
                )
        values: list[tuple[str | None, Mapping[str, object]]] = [(None, unit.data), *unit.periods.items()]
        for period, data in values:
            for name, value in data.items():
                field = fields.get(name)
                if field is None:
                    continue
                found = _value_problem(field, value)
                if found is not None:
                    problems.append(Problem(_where(unit, name, period), found))

    # Units expected and found.
    names = tuple(u.name for u in units)
    if expected is not None:
        wanted = [normalize_name(n) for n in expected]
        for name in wanted:
            if name not in names:
                problems.append(Problem(f"unit '{name}'", "expected, but not in the data"))
        absent = [n for n in wanted if n not in names]
        for name in names:
            if name not in wanted:
                close = difflib.get_close_matches(name, absent, n=1, cutoff=0.5)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(Problem(f"unit '{name}'", f"not in the list of expected units{hint}"))

    # What scoring itself reports, for units whose data was readable and in bounds.
    flagged = {p.path.split("'")[1] for p in problems if p.path.startswith("unit '")}
    clean = [u for u in units if not u.problems and u.name not in flagged]
    todos = scheme.todos()
    if todos:
        # A draft cannot be scored: say so once instead of scoring.
        problems.append(
            Problem(
                "(scheme)", f"a draft with {len(todos)} todo(s): what scoring would report is not checked"
            )
        )
    elif clean:
        by_name = {u.name: u for u in clean}
        for result in evaluate(scheme, clean):
            unit = by_name[result.unit]
            for error in result.errors:
                if error.field in missing:
                    continue  # said once, for the column
                where = _where(unit, error.field)
                if error.indicator is not None:
                    where += f", indicator {error.indicator}"
                problems.append(Problem(where, error.message))
    return DataCheck(problems=tuple(problems), units=names, columns=columns)
