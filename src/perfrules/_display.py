"""Showing results: aligned text tables, HTML for notebooks, plain records for JSON/CSV/pandas."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from ._numbers import Number, round_half_up, tidy_decimal

if TYPE_CHECKING:
    from ._results import Evaluation, GroupResult, UnitResult

__all__ = ["display_width", "format_table", "number", "records", "unit_records"]

PLACES = 2
"""Decimal places shown in tables (values stay exact underneath)."""


def display_width(text: str) -> int:
    """Columns *text* takes in a terminal: East Asian wide and full-width characters take two.

    >>> display_width("市甲委"), display_width("abc")
    (6, 3)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if align == "right" else text + gap


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], aligns: Sequence[str] | None = None
) -> str:
    """A plain-text table whose columns line up, Chinese included.

    >>> print(format_table(["单位", "总分"], [["市甲委", "86.93"], ["乙", "9"]], ["left", "right"]))
    单位     总分
    ------  -----
    市甲委  86.93
    乙          9
    """
    aligns = list(aligns or ["left"] * len(headers))
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(_pad(h, w, a) for h, w, a in zip(headers, widths, aligns, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(c, w, a) for c, w, a in zip(row, widths, aligns, strict=True)).rstrip())
    return "\n".join(lines)


def number(value: Number | None, places: int = PLACES) -> str:
    """A number for tables: rounded half up (四舍五入), trailing zeros dropped."""
    if value is None:
        return "—"
    return str(tidy_decimal(round_half_up(value, places)))


def _json_number(value: Number | None, places: int = 6) -> float | int | None:
    if value is None:
        return None
    rounded = tidy_decimal(round_half_up(value, places))
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def _plain(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Decimal | Fraction):
        return _json_number(value)
    return str(value)


def unit_records(result: UnitResult) -> dict[str, Any]:
    """One unit's result as plain data (what ``perfrules score --format json`` writes)."""
    return {
        "unit": result.unit,
        "category": result.category,
        "total": _json_number(result.total),
        "grade": result.grade,
        "rank": result.rank,
        "category_rank": result.category_rank,
        "vetoed": result.vetoed,
        "ok": result.ok,
        "errors": [
            {"indicator": e.indicator, "field": e.field, "message": e.message, "origin": e.origin}
            for e in result.errors
        ],
        "events": [{"kind": e.kind, "message": e.message} for e in result.events],
        "groups": [_group_record(g) for g in result.groups],
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "applicable": i.applicable,
                "value": _plain(i.value),
                "grade": i.grade,
                "score": _json_number(i.score),
                "full": _json_number(i.full),
                "base_weight": _json_number(i.base_weight),
                "weight": _json_number(i.weight),
                "contribution": _json_number(i.contribution),
                "events": [{"kind": e.kind, "message": e.message} for e in i.events],
                "error": None if i.error is None else i.error.message,
            }
            for i in result.indicators
        ],
    }


def _group_record(group: GroupResult) -> dict[str, Any]:
    # Groups have children, indicators have codes: no import of the result
    # types is needed here, so results and display do not import each other.
    return {
        "name": group.name,
        "declared": _json_number(group.declared),
        "weight": _json_number(group.weight),
        "contribution": _json_number(group.contribution),
        "groups": [_group_record(cast("GroupResult", c)) for c in group.children if hasattr(c, "children")],
        "indicators": [getattr(c, "code", "") for c in group.children if not hasattr(c, "children")],
    }


def records(evaluation: Evaluation) -> dict[str, Any]:
    """A whole evaluation as plain data, units in ranking order.

    Numbers are rounded half up to 6 decimal places; the exact values stay
    on the result objects.
    """
    return {
        "scheme": evaluation.scheme.name,
        "units": [unit_records(r) for r in evaluation.ranking()],
    }


_GRADE_COLOURS = ("#1a7f37", "#4c8c2b", "#b08800", "#cf222e", "#8250df", "#57606a")


def grade_colour(grades: Sequence[str], grade: str | None) -> str:
    """A colour per grade, best first: green to red (used in HTML and plots)."""
    if grade is None or grade not in grades:
        return "#57606a"
    index = grades.index(grade)
    if len(grades) <= 1:
        return _GRADE_COLOURS[0]
    scaled = round(index * 3 / (len(grades) - 1))
    return _GRADE_COLOURS[min(scaled, 3)]


def evaluation_html(evaluation: Evaluation) -> str:
    """The ranking as an HTML table, grades coloured."""
    zh = evaluation.scheme.language == "zh"
    grades = list(evaluation.scheme.grades)
    head = ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    rows = []
    for r in evaluation.ranking():
        colour = grade_colour(grades, r.grade)
        problem = "" if r.ok else html.escape("; ".join(str(e) for e in r.errors))
        rows.append(
            "<tr>"
            f"<td>{r.rank or '—'}</td><td>{html.escape(r.unit)}</td><td>{html.escape(r.category or '')}</td>"
            f"<td style='text-align:right'>{number(r.total)}</td>"
            f"<td style='color:{colour};font-weight:bold'>{html.escape(r.grade or '—')}</td>"
            + (f"<td style='color:#cf222e'>{problem}</td>" if problem else "<td></td>")
            + "</tr>"
        )
    caption = html.escape(evaluation.scheme.name)
    header = "".join(f"<th>{h}</th>" for h in head) + "<th></th>"
    return (
        f"<table><caption>{caption}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def unit_html(result: UnitResult, grades: Sequence[str]) -> str:
    """One unit's indicators as an HTML table."""
    zh = result.language == "zh"
    head = (
        ["序号", "指标", "等次", "得分", "权重", "贡献", "说明"]
        if zh
        else ["code", "indicator", "grade", "score", "weight", "contribution", "notes"]
    )
    rows = []
    for i in result.indicators:
        notes = html.escape("；".join(str(e) for e in i.events) or (i.error.message if i.error else ""))
        rows.append(
            f"<tr><td>{html.escape(i.code)}</td><td>{html.escape(i.name)}</td>"
            f"<td>{html.escape(i.grade or '—')}</td><td style='text-align:right'>{number(i.score)}</td>"
            f"<td style='text-align:right'>{number(i.weight)}</td>"
            f"<td style='text-align:right'>{number(i.contribution)}</td><td>{notes}</td></tr>"
        )
    colour = grade_colour(grades, result.grade)
    grade = html.escape(result.grade or "—")
    title = f"{html.escape(result.unit)}：{number(result.total)} <span style='color:{colour}'>{grade}</span>"
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(rows)
    return f"<table><caption>{title}</caption><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
