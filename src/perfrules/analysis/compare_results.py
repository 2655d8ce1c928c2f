"""Several years' results of the same units side by side: ranks, totals, grades and what changed.

:func:`compare_results` lines up two or more runs (results files ``perfrules score``
wrote, evaluations, or :class:`~perfrules.PastResults`) by unit name. Each
row has the unit's rank, total and grade in every run, then how the last run
differs from the one before: places gained (上年名次 − 名次), the change of
the total, the change of grade, and the indicators whose scores moved most —
the why. ``perfrules compare`` prints it as a table or CSV; a notebook gets
a DataFrame.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import attrs

from .._numbers import Number, as_fraction, exact
from ..results.past import past_results
from ..scheme.history import PastResults

__all__ = ["ResultsComparison", "ComparisonRow", "compare_results"]

_MOVERS = 3  # indicators named as the main changes


@attrs.frozen(kw_only=True)
class ComparisonRow:
    """One unit across the runs (each tuple has one item per run, None where the run lacks it).

    Attributes:
        unit: the unit's name.
        category: its category in the latest run that gives one.
        ranks: its rank in each run.
        totals: its total in each run.
        grades: its grade in each run.
        places_gained: last run against the one before: earlier rank − later
            rank (2: up two places, −1: down one); None when either is missing.
        total_change: the later total − the earlier one.
        grade_change: ``良→优`` when the grade changed, ``""`` when it did not,
            None when either is missing.
        movers: the indicators whose scores changed most (largest first), as
            ``(code, name, change)``.
    """

    unit: str
    category: str | None
    ranks: tuple[int | None, ...]
    totals: tuple[Number | None, ...]
    grades: tuple[str | None, ...]
    places_gained: int | None
    total_change: Number | None
    grade_change: str | None
    movers: tuple[tuple[str, str, Number], ...]


@attrs.frozen(kw_only=True)
class ResultsComparison:
    """Runs of the same units side by side (see :func:`compare_results`).

    Attributes:
        labels: each run's label, oldest first.
        rows: one row per unit, by the last run's rank; units the last run
            lacks come after, by name.
        language: ``zh`` or ``en``, for column heads.
        notes: what a reader should know, such as an indicator code that
            names different indicators in different runs.
    """

    labels: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    language: str = "zh"
    notes: tuple[str, ...] = ()

    @property
    def graded(self) -> bool:
        """Whether any run gives grades (else the tables leave the grade columns out)."""
        return any(g is not None for row in self.rows for g in row.grades)

    def heads(self) -> list[str]:
        """The column heads of :meth:`table_rows` (in the results' language)."""
        zh = self.language == "zh"
        graded = self.graded
        out = ["单位", "类别"] if zh else ["unit", "category"]
        for label in self.labels:
            out += [f"{label} 排名", f"{label} 总分"] if zh else [f"{label} rank", f"{label} total"]
            if graded:
                out.append(f"{label} 等次" if zh else f"{label} grade")
        change = ["名次变化", "总分变化"] if zh else ["places gained", "total change"]
        if graded:
            change.append("等次变化" if zh else "grade change")
        change.append("主要变化指标" if zh else "main changes")
        if len(self.labels) > 2:  # the changes are between the last two runs: say which
            change = [f"{head} {self.labels[-2]}→{self.labels[-1]}" for head in change]
        return out + change

    def table_rows(self, *, signed: bool = True) -> list[list[object]]:
        """Each row's cells, as :meth:`heads` names them.

        With *signed* the changes are text (``+2``, ``−1.5``); else numbers.
        """
        out: list[list[object]] = []
        graded = self.graded
        for row in self.rows:
            cells: list[object] = [row.unit, row.category]
            for rank, total, grade in zip(row.ranks, row.totals, row.grades, strict=True):
                cells += [rank, total, grade] if graded else [rank, total]
            cells += [
                _signed(row.places_gained) if signed else row.places_gained,
                _signed(row.total_change) if signed else row.total_change,
            ]
            if graded:
                cells.append(row.grade_change)
            cells.append("；".join(" ".join(filter(None, (c, n, _signed(v)))) for c, n, v in row.movers))
            out.append(cells)
        return out

    def to_dataframe(self) -> Any:
        """The comparison as a pandas DataFrame indexed by unit (needs the ``pandas`` extra).

        Numbers stay exact (Decimal); the change columns are numbers too.
        """
        from ..results.frame import _pandas

        heads = self.heads()
        records = []
        for cells in self.table_rows(signed=False):
            records.append(dict(zip(heads, cells, strict=True)))
        return _pandas().DataFrame(records, columns=heads).set_index(heads[0])


def _signed(value: Number | int | None) -> str | None:
    if value is None:
        return None
    shown = str(exact(value)) if not isinstance(value, int) else str(value)
    if value > 0:
        return f"+{shown}"
    return shown.replace("-", "−")


def _label(past: PastResults, k: int, used: set[str]) -> str:
    label = past.label or past.source or str(k + 1)
    while label in used:
        label = f"{label}′"
    used.add(label)
    return label


def compare_results(
    *runs: PastResults | str | os.PathLike[str] | Any, labels: Sequence[str] | None = None
) -> ResultsComparison:
    """Two or more runs of the same units side by side, oldest first.

    Args:
        runs: the runs, oldest first: results files ``perfrules score`` wrote
            (CSV, JSON, JSON Lines), :class:`~perfrules.Evaluation` objects or
            :class:`~perfrules.PastResults`.
        labels: a label per run (``["2024", "2025"]``); by default each
            file's stem (a label given twice gets a ′).

    Returns:
        One row per unit: its rank, total and grade in each run, and how
        the last run differs from the one before.

    Raises:
        ValueError: fewer than two runs, or labels that do not match them.
        DataError: a file that is not a results file.

    >>> from perfrules import PastResults, PastUnit
    >>> a = PastResults(units={"甲": PastUnit(rank=3, total=80, grade="良", scores={"1": 50})}, label="2024")
    >>> b = PastResults(units={"甲": PastUnit(rank=1, total=91, grade="优", scores={"1": 61})}, label="2025")
    >>> row = compare_results(a, b).rows[0]
    >>> row.places_gained, row.total_change, row.grade_change, row.movers
    (2, Decimal('11'), '良→优', (('1', '', Decimal('11')),))
    """
    if len(runs) < 2:
        raise ValueError(f"compare needs two runs or more (got {len(runs)})")
    if labels is not None and len(labels) != len(runs):
        raise ValueError(f"{len(labels)} labels for {len(runs)} runs: give one label per run")
    pasts = [_past(r) for r in runs]
    used: set[str] = set()
    names = [str(labels[k]) if labels is not None else _label(p, k, used) for k, p in enumerate(pasts)]
    last, before = pasts[-1], pasts[-2]
    zh = last.language == "zh"
    order = sorted(
        last.units,
        key=lambda u: (last.units[u].rank is None, last.units[u].rank or 0),
    )
    order += sorted({u for p in pasts[:-1] for u in p.units} - set(last.units))
    rows = []
    for unit in order:
        found = [p.units.get(unit) for p in pasts]
        now, then = last.units.get(unit), before.units.get(unit)
        category = next((f.category for f in reversed(found) if f is not None and f.category), None)
        gained = None
        change: Number | None = None
        grade_change = None
        movers: list[tuple[str, str, Number]] = []
        if now is not None and then is not None:
            if now.rank is not None and then.rank is not None:
                gained = then.rank - now.rank
            if now.total is not None and then.total is not None:
                change = exact(as_fraction(now.total) - as_fraction(then.total))
            if now.grade is not None and then.grade is not None:
                grade_change = "" if now.grade == then.grade else f"{then.grade}→{now.grade}"
            for code in now.scores.keys() & then.scores.keys():
                moved = as_fraction(now.scores[code]) - as_fraction(then.scores[code])
                if moved:
                    movers.append((code, _indicator_name(pasts, code), exact(moved)))
            movers.sort(key=lambda m: (-abs(as_fraction(m[2])), m[0]))
        rows.append(
            ComparisonRow(
                unit=unit,
                category=category,
                ranks=tuple(None if f is None else f.rank for f in found),
                totals=tuple(None if f is None else f.total for f in found),
                grades=tuple(None if f is None else f.grade for f in found),
                places_gained=gained,
                total_change=change,
                grade_change=grade_change,
                movers=tuple(movers[:_MOVERS]),
            )
        )
    return ResultsComparison(
        labels=tuple(names), rows=tuple(rows), language="zh" if zh else "en", notes=_renamed(pasts, names, zh)
    )


def _renamed(pasts: Sequence[PastResults], labels: Sequence[str], zh: bool) -> tuple[str, ...]:
    """Indicator codes whose name differs between runs (another scheme, or a renumbered one)."""
    notes = []
    for code in sorted({c for p in pasts for c in p.indicators}):
        named = [
            (label, p.indicators[code])
            for label, p in zip(labels, pasts, strict=True)
            if p.indicators.get(code)
        ]
        if len({name for _, name in named}) > 1:
            shown = ("，" if zh else ", ").join(f"{label}: {name}" for label, name in named)
            notes.append(
                f"指标 {code} 在各次结果中名称不同（{shown}），其得分仍按同一指标比较"
                if zh
                else f"indicator {code} has other names in the runs ({shown}); its scores are compared as one"
            )
    return tuple(notes)


def _indicator_name(pasts: Sequence[PastResults], code: str) -> str:
    """An indicator's name from the latest run that gives it (a JSON Lines file gives none)."""
    return next((p.indicators[code] for p in reversed(pasts) if p.indicators.get(code)), "")


def _past(run: object) -> PastResults:
    try:
        return past_results(run)
    except TypeError:
        raise TypeError(
            f"compare takes results files, evaluations or PastResults (got {type(run).__name__})"
        ) from None
