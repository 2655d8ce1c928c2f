"""The columns of a grade per period (每期评定等次) in result tables: each period's total and grade.

With ``period_grades``, a unit's result carries each period's total and grade
(:class:`~perfrules.PeriodTotal`). The table, CSV and workbook output give
them two columns per period, ``‹期间›总分`` and ``‹期间›等次`` (``‹period›
total`` and ``‹period› grade`` for a scheme in English), after the grade (and
the flags and level, where the scheme has them), before the indicator scores.
The periods are those of the data, in the order the units first give them; a
unit without a period has blank cells there. JSON Lines writes the same as a
``periods`` list. Every output takes its columns from these functions.

>>> from perfrules.scheme.units import PeriodTotal
>>> from decimal import Decimal
>>> one = (
...     PeriodTotal(period="一季度", total=Decimal("92.5"), grade="优秀"),
...     PeriodTotal(period="二季度", total=Decimal(88), grade="良好"),
... )
>>> labels = period_labels([(), one])
>>> period_heads(labels, zh=True)
['一季度总分', '一季度等次', '二季度总分', '二季度等次']
>>> period_values(one[1:], labels)
[None, None, Decimal('88'), '良好']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .._numbers import Number
from ..scheme.units import PeriodTotal

__all__ = ["period_heads", "period_labels", "period_values"]


def period_labels(periods: Iterable[Sequence[PeriodTotal]]) -> list[str]:
    """The period labels of some units' results, each once, in the order they first come."""
    seen: dict[str, None] = {}
    for own in periods:
        for p in own:
            seen.setdefault(p.period, None)
    return list(seen)


def period_heads(labels: Sequence[str], *, zh: bool) -> list[str]:
    """The column headings of *labels*: each period's total, then its grade."""
    total, grade = ("总分", "等次") if zh else (" total", " grade")
    return [head for label in labels for head in (f"{label}{total}", f"{label}{grade}")]


def period_values(periods: Sequence[PeriodTotal], labels: Sequence[str]) -> list[Number | str | None]:
    """One unit's cells under :func:`period_heads`: each period's total and grade (None where it
    has no such period, or the period has no grade)."""
    found = {p.period: p for p in periods}
    cells: list[Number | str | None] = []
    for label in labels:
        p = found.get(label)
        cells += [None, None] if p is None else [p.total, p.grade]
    return cells
