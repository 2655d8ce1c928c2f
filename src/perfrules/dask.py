"""Scoring units held in a Dask DataFrame (``pip install 'perfrules[dask]'``).

:func:`evaluate` takes a ``dask.dataframe.DataFrame`` of unit data, laid out
as a data CSV is (a unit column, optionally 类别/category, 期间/period and
不适用/not_applicable, one column per input), and returns a lazy Dask
DataFrame of results, one row per unit. The totals, grades and ranks are
those :func:`perfrules.evaluate` gives for the same units:

1. each partition's units are read (cells by the CSV rules);
2. the population steps (``max_of`` …, peer ratios, ranks by value) are
   computed with a Dask tree reduction of exact partial aggregates — per
   group the max, min, sum and count, the sums of numerators and
   denominators, the sorted values to rank among;
3. each partition is scored with the population's summary broadcast to it;
4. a second reduction gathers each unit's name, category, total, grade and
   veto flag, and applies the grade quotas and the ranks over all units;
5. a last pass writes the final grades and ranks into each partition.

Dask is imported only here, and only when a function is called; ``import
perfrules`` never imports it. See docs/howto/dask.md for a cluster.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ._errors import DataError, Problem, expect_scheme
from .files.data import (
    _CATEGORY_COLUMNS,
    _NA_COLUMNS,
    _NAME_COLUMNS,
    _PERIOD_COLUMNS,
    _Entry,
    _RowUnits,
)
from .files.scheme_fields import _known_fields
from .files.tables import Row
from .formula.language import normalize_name
from .formula.text import shown_name
from .scheme.model import Scheme
from .scheme.units import Unit
from .scoring.batch import finish_batch, score_chunk
from .scoring.colpeervalues import batch_peer_values
from .scoring.outcome import UnitOutcome
from .scoring.plan import Plan, plan_of
from .scoring.population import Summary, merge_summaries, observe, resolve, summarize
from .scoring.rollup import refuse_roll_up

__all__ = ["as_text", "evaluate", "result_columns"]

# Internal columns of the intermediate frames.
_UNIT = "_perfrules_unit"
_VETOED = "vetoed"


def _dd() -> Any:
    try:
        import dask.dataframe
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("this needs dask: pip install 'perfrules[dask]'") from None
    return dask.dataframe


def _pd() -> Any:
    import pandas

    return pandas


# ---------------------------------------------------------------------------
# The columns
# ---------------------------------------------------------------------------


class _Layout:
    """Which input columns are the unit's name, category, period and not-applicable list."""

    def __init__(self, columns: Sequence[str], index_name: object, scheme: Scheme) -> None:
        self.scheme = scheme
        self.from_index = False
        header = {str(c): normalize_name(str(c)) for c in columns}
        collapsed = _collapsed_columns(header)
        if collapsed:
            raise DataError(collapsed, title="invalid columns in the data frame")

        def find(options: Sequence[str]) -> str | None:
            for column, name in header.items():
                if name.lower() in options:
                    return column
            return None

        name = find(_NAME_COLUMNS)
        if (
            name is None
            and index_name is not None
            and normalize_name(str(index_name)).lower() in _NAME_COLUMNS
        ):
            name = str(index_name)
            self.from_index = True
        if name is None:
            raise DataError(
                [Problem("columns", f"no unit column; name one of {', '.join(_NAME_COLUMNS)} (or the index)")]
            )
        self.name = name
        self.name_field = header.get(name) or normalize_name(name)
        self.category = find(_CATEGORY_COLUMNS)
        self.period = find(_PERIOD_COLUMNS)
        self.not_applicable = find(_NA_COLUMNS)
        special = {self.name, self.category, self.period, self.not_applicable}
        self.inputs = tuple((c, header[c]) for c in header if c not in special)
        known = _known_fields(scheme)
        problems = []
        first: dict[str, str] = {}
        for column, field in self.inputs:
            if field in first:
                # Two columns that read as one name (`完成数` and `完成数 `): one would hide the other.
                problems.append(Problem(f"column '{column}'", f"'{first[field]}' is also read as '{field}'"))
                continue
            first[field] = column
            if field not in known:
                import difflib

                close = difflib.get_close_matches(field, sorted(known), n=1, cutoff=0.5)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(
                    Problem(f"column '{column}'", f"no indicator of the scheme reads '{field}'{hint}")
                )
        if problems:
            raise DataError(problems, title="invalid columns in the data frame")
        # The columns as the data-file reader sees them: the unit's name, the
        # special columns, then the inputs, each by its normalised name.
        self.columns = [
            self.name,
            *(c for c in (self.category, self.period, self.not_applicable) if c is not None),
            *(c for c, _ in self.inputs),
        ]
        self.header = tuple(self.name_field if c == self.name else header[c] for c in self.columns)


def _collapsed_columns(header: Mapping[str, str]) -> list[Problem]:
    """Columns whose names are one name once normalised (``完成数`` and ``完成数\u3000``): both are named."""
    first: dict[str, str] = {}
    problems = []
    for column, name in header.items():
        if name in first:
            problems.append(
                Problem(
                    f"column {shown_name(column)}",
                    f"is the column {shown_name(first[name])} once normalised ('{name}'); keep one",
                )
            )
        else:
            first[name] = column
    return problems


def result_columns(scheme: Scheme) -> list[str]:
    """The columns of :func:`evaluate`'s result, in order.

    ``unit``, ``category``, ``total``, ``grade``, ``rank``, ``category_rank``,
    ``vetoed``, ``flags`` (the labels beside the grade, 不能评先、黄牌 — only
    for a scheme with flags), one column per indicator score named
    ``"<code> <name>"``, ``events`` (the unit-level events as text, ``"; "``
    between them: a veto, a capped or rounded total, a lowered grade, a
    quota …, as ``UnitResult.events`` holds them) and ``errors``.

    >>> from perfrules import load
    >>> result_columns(load("xiamen-xiangan-2020"))[:5]
    ['unit', 'category', 'total', 'grade', 'rank']
    """
    return [
        "unit",
        "category",
        "total",
        "grade",
        "rank",
        "category_rank",
        _VETOED,
        *(["flags"] if scheme.flags else []),
        *(f"{i.code} {i.name}" for i in scheme.indicators()),
        "events",
        "errors",
    ]


def _result_meta(scheme: Scheme) -> Any:
    pd = _pd()
    columns = result_columns(scheme)
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    frame["rank"] = frame["rank"].astype("Int64")
    frame["category_rank"] = frame["category_rank"].astype("Int64")
    frame[_VETOED] = frame[_VETOED].astype(bool)
    return frame


# ---------------------------------------------------------------------------
# Reading a partition's units: the cell rules of a data CSV
# ---------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as the text a CSV would hold: floats by their repr, '' for missing values."""
    if value is None or value is _pd().NA or value is _pd().NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return str(bool(value))
    if isinstance(value, Decimal | Fraction):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        return "" if math.isnan(number) else repr(number)
    return str(value)


class _FrameRows(_RowUnits):
    """The data-file reader over a partition's rows: the same rules, messages naming index labels."""

    def __init__(self, layout: _Layout, labels: Sequence[object]) -> None:
        super().__init__(layout.header, scheme=layout.scheme, origin="the data frame")
        self.labels = labels

    def row_name(self, number: int) -> str:
        return f"index {self.labels[number]}"

    def rows_origin(self, numbers: Sequence[int]) -> str:
        return f"{self.origin} index {', '.join(str(self.labels[n]) for n in numbers)}"


def _read_partition(part: Any, layout: _Layout) -> Any:
    """One partition's rows as units, read by the rules of a data CSV (a unit's problems kept on it)."""
    pd = _pd()
    labels = part.index.tolist()
    if layout.from_index:
        part = part.reset_index()
    reader = _FrameRows(layout, labels)
    columns = [[_text(v).strip() for v in part[c].tolist()] if len(part) else [] for c in layout.columns]
    entries: dict[str, _Entry] = {}
    for number, cells in enumerate(zip(*columns, strict=True)):
        name = normalize_name(cells[0])
        if not name:
            raise DataError(
                [Problem(f"index {labels[number]}", "the unit's name is empty")],
                title="invalid data in the data frame",
            )
        reader.add(Row(number=number, cells=cells, problem=None), name, entries.setdefault(name, _Entry()))
    units = [reader.build(name, entry) for name, entry in entries.items()]
    index = pd.Index(
        [labels[entry.rows[0]] for entry in entries.values()], dtype=object if not units else None
    )
    return pd.DataFrame({_UNIT: pd.Series(units, index=index, dtype=object)}, index=index)


def _units_meta() -> Any:
    pd = _pd()
    return pd.DataFrame({_UNIT: pd.Series([], dtype=object)})


# ---------------------------------------------------------------------------
# Reductions: the chunks return one-element object Series, which Dask stacks
# into a one-column frame for the combine and aggregate steps.
# ---------------------------------------------------------------------------


def _items(parts: Any) -> list[Any]:
    if hasattr(parts, "columns"):
        return list(parts.iloc[:, 0].tolist())
    if hasattr(parts, "tolist"):
        return list(parts.tolist())
    return list(parts)


def _boxed(value: object) -> Any:
    pd = _pd()
    return pd.Series([value], dtype=object)


def _summary_chunk(frame: Any, scheme: Scheme) -> Any:
    plan = plan_of(scheme)
    return _boxed(summarize(observe(plan.indicators, frame[_UNIT].tolist())))


def _merge_all(summaries: Iterable[Summary]) -> Summary:
    merged: Summary = {}
    for summary in summaries:
        merged = merge_summaries(merged, summary)
    return merged


def _summary_combine(parts: Any) -> Any:
    return _boxed(_merge_all(_items(parts)))


def _summary_aggregate(parts: Any) -> Summary:
    return _merge_all(_items(parts))


# (name, category, total, grade, vetoed) per unit
_Compact = tuple[str, str | None, Any, str | None, bool]


def _finish_chunk(frame: Any) -> Any:
    rows: list[_Compact] = list(
        zip(
            frame["unit"].tolist(),
            frame["category"].tolist(),
            frame["total"].tolist(),
            frame["grade"].tolist(),
            frame[_VETOED].tolist(),
            strict=True,
        )
    )
    return _boxed(rows)


def _finish_combine(parts: Any) -> Any:
    return _boxed([row for rows in _items(parts) for row in rows])


_Finished = dict[str, tuple[str | None, int | None, int | None, str]]


def _finish_aggregate(parts: Any, scheme: Scheme) -> _Finished:
    """Quotas and ranks over every unit: per unit name, its final grade, rank, category rank
    and the events the batch added (a grade quota's), as text."""
    plan = plan_of(scheme)
    outcomes = []
    seen: set[str] = set()
    for name, category, total, grade, vetoed in (row for rows in _items(parts) for row in rows):
        if name in seen:
            raise ValueError(
                f"the unit '{name}' appears in more than one partition (or two units share the name); "
                "a unit's rows must all be in one partition"
            )
        seen.add(name)
        outcome = UnitOutcome(Unit(name=name, category=category))
        outcome.total = None if _missing(total) else total
        outcome.grade = None if _missing(grade) else grade
        outcome.vetoed = bool(vetoed)
        outcomes.append(outcome)
    finish_batch(plan, outcomes)
    return {o.unit.name: (o.grade, o.rank, o.category_rank, _joined(o.events)) for o in outcomes}


def _missing(value: object) -> bool:
    return value is None or value is _pd().NA or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------------------
# Scoring a partition
# ---------------------------------------------------------------------------


def _score_partition(frame: Any, scheme: Scheme, summary: Summary) -> Any:
    """Score one partition's units, with the whole population's summary (no quotas, no ranks yet)."""
    pd = _pd()
    plan = plan_of(scheme)
    units = frame[_UNIT].tolist()
    population: Mapping[str, Any] = {}
    if plan.has_population:  # peer ratios over columns (colpeervalues) where they can be
        peers = batch_peer_values(plan, units, summary=summary)
        population = (
            peers
            if peers is not None
            else resolve(plan.indicators, summary, observe(plan.indicators, units), [u.name for u in units])
        )
    # A unit whose data could not be read is reported with its problems, as evaluate() does.
    rows = [_row(plan, outcome) for outcome in score_chunk(plan, units, population)]
    out = pd.DataFrame(rows, columns=result_columns(scheme), index=frame.index, dtype=object)
    return _typed(out)


def _row(plan: Plan, outcome: UnitOutcome) -> list[object]:
    scores = outcome.scores or [None] * len(plan.indicators)
    return [
        outcome.unit.name,
        outcome.unit.category,
        outcome.total,
        outcome.grade,
        None,
        None,
        outcome.vetoed,
        *(["、".join(outcome.flags)] if plan.scheme.flags else []),
        *scores,
        _joined(outcome.events),
        "; ".join(str(e) for e in outcome.errors),
    ]


def _joined(events: Iterable[object]) -> str:
    return "; ".join(str(e) for e in events)


def _typed(frame: Any) -> Any:
    frame["rank"] = frame["rank"].astype("Int64")
    frame["category_rank"] = frame["category_rank"].astype("Int64")
    frame[_VETOED] = frame[_VETOED].astype(bool)
    return frame


def _apply_finish(frame: Any, finished: Mapping[str, tuple[str | None, int | None, int | None, str]]) -> Any:
    """Write the batch's final grades (after quotas), ranks and the batch's events into one partition."""
    frame = frame.copy()
    grades, ranks, category_ranks, events = [], [], [], []
    for name, own in zip(frame["unit"].tolist(), frame["events"].tolist(), strict=True):
        grade, rank, category_rank, added = finished[name]
        grades.append(grade)
        ranks.append(rank)
        category_ranks.append(category_rank)
        events.append("; ".join(text for text in (own, added) if text))
    pd = _pd()
    frame["events"] = pd.Series(events, index=frame.index, dtype=object)
    frame["grade"] = pd.Series(grades, index=frame.index, dtype=object)
    frame["rank"] = pd.Series(ranks, index=frame.index, dtype="Int64")
    frame["category_rank"] = pd.Series(category_ranks, index=frame.index, dtype="Int64")
    return frame


# ---------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------


def evaluate(scheme: Scheme, frame: Any, *, split_every: int | None = None) -> Any:
    """Score the units of a Dask DataFrame; the result is a lazy Dask DataFrame, one row per unit.

    The frame is laid out as a data CSV: a unit column (单位/unit/name …, or
    the index when it carries that name), optionally 类别/category,
    期间/period and 不适用/not_applicable, and one column per input. Cells are
    read as the CSV's are: text through the same rules (``85%``, ``1/3``,
    text kept for grade-valued fields), floats by their repr, missing values
    (None, NaN, ``pd.NA``, empty text) left out. A unit with several rows
    (one per period) must have them all in one partition.

    Population values, grade quotas and ranks are over every unit of the
    frame, as :func:`perfrules.evaluate` computes them for the same units:
    totals, grades and ranks are identical. Numbers are exact: ``total`` and
    the indicator scores are ``Decimal`` (``Fraction`` when not terminating)
    in object columns; ``rank`` and ``category_rank`` are ``Int64``. A unit
    whose data cannot be read (text in a numeric column, a period twice …)
    takes no part and is not scored; ``errors`` says why, as it does for
    units whose data cannot be scored.

    Args:
        scheme: the scheme (pickled to the workers on a cluster).
        frame: a ``dask.dataframe.DataFrame`` of unit data.
        split_every: the fan-in of the tree reductions (Dask's default when None).

    Returns:
        A ``dask.dataframe.DataFrame`` with the columns of
        :func:`result_columns`, indexed by the index label of each unit's
        first row. Nothing runs until it is computed.

    Raises:
        DataError: no unit column, or a column that no indicator reads
            (raised at once). Computing the result raises ``DataError`` for
            a row without a unit name, and ``ValueError`` when a unit's rows
            are in more than one partition or two units share a name.
        ValueError: the scheme has ``roll_up`` (parents from their
            sub-units need every unit at once: use :func:`perfrules.evaluate`).
        ImportError: dask is not installed.

    Example (tests/test_dask.py runs the same)::

        import dask.dataframe as dd
        import pandas as pd
        import perfrules
        import perfrules.dask

        scheme = perfrules.load("docs/examples/mechanics/m05-rank-points.toml")
        data = pd.read_csv("docs/examples/mechanics/m05-rank-points.csv", dtype=str)
        table = perfrules.dask.evaluate(scheme, dd.from_pandas(data, npartitions=2)).compute()
        table[["unit", "total", "grade", "rank"]]   # 甲 92 … rank 1
    """
    expect_scheme(scheme, Scheme, "perfrules.dask.evaluate()")
    refuse_roll_up(scheme, "perfrules.dask.evaluate()")
    _dd()
    layout = _Layout(list(frame.columns), frame.index.name, scheme)
    plan = plan_of(scheme)
    units = frame.map_partitions(_read_partition, layout, meta=_units_meta(), clear_divisions=True)
    summary: Any = {}
    if plan.has_population:
        summary = units.reduction(
            _summary_chunk,
            aggregate=_summary_aggregate,
            combine=_summary_combine,
            chunk_kwargs={"scheme": scheme},
            split_every=split_every,
            meta=object,
        )
    scored = units.map_partitions(_score_partition, scheme, summary, meta=_result_meta(scheme))
    finished = scored.reduction(
        _finish_chunk,
        aggregate=_finish_aggregate,
        combine=_finish_combine,
        aggregate_kwargs={"scheme": scheme},
        split_every=split_every,
        meta=object,
    )
    return scored.map_partitions(_apply_finish, finished, meta=_result_meta(scheme))


def _text_partition(frame: Any, columns: Sequence[str]) -> Any:
    pd = _pd()
    out = frame.copy()
    for column in columns:
        out[column] = pd.Series(
            [None if value is None or value is pd.NA else str(value) for value in frame[column]],
            index=frame.index,
            dtype="string",
        )
    return out


def as_text(results: Any) -> Any:
    """The results of :func:`evaluate` with every object column as exact text, ready for Parquet.

    Parquet (``to_parquet``) and Arrow have no type for a column that holds
    ``Decimal`` and ``Fraction`` values side by side, so the exact numbers
    become their text: ``Decimal('92.5')`` is ``"92.5"``, ``Fraction(56, 3)``
    is ``"56/3"`` (read back with ``Decimal(text)`` or ``Fraction(text)``),
    never a rounded float. ``rank``, ``category_rank`` and ``vetoed`` keep
    their types; a missing value stays missing.

    Args:
        results: the lazy frame :func:`evaluate` returned.

    Returns:
        A lazy Dask DataFrame with the same columns, the object ones as
        pandas ``string`` columns.

    Example::

        perfrules.dask.as_text(perfrules.dask.evaluate(scheme, data)).to_parquet("results/")
    """
    _dd()
    meta = results._meta
    columns = [c for c in meta.columns if meta[c].dtype == object]
    new_meta = _text_partition(meta, columns)
    return results.map_partitions(_text_partition, columns, meta=new_meta)
