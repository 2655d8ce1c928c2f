"""Showing results: aligned text tables, HTML for notebooks, plain records for JSON/CSV/pandas."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from .._numbers import Number, json_value, round_half_up, tidy_decimal

if TYPE_CHECKING:
    from ..scheme.model import Scheme
    from .model import Evaluation, GroupResult, UnitResult

__all__ = [
    "STAND_IN_SIGN",
    "display_width",
    "format_table",
    "json_number",
    "number",
    "records",
    "marked",
    "stand_in_legend",
    "stand_in_list",
    "unit_records",
]

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


STAND_IN_SIGN = "※"
"""The mark of a result that depends on a stand-in (a rule or reading not in the source)."""


def _spans(codes: Sequence[str]) -> str:
    """Codes as short spans: 13、14、15、16 → 13–16 (numeric runs only)."""
    parts: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
            run.clear()

    for code in codes:
        if code.isdigit() and run and int(code) == run[-1] + 1:
            run.append(int(code))
            continue
        flush()
        if code.isdigit():
            run.append(int(code))
        else:
            parts.append(code)
    flush()
    return "、".join(parts)


def stand_in_list(scheme: Scheme) -> list[tuple[str, str]]:
    """Every stand-in of a scheme as (where, what): the scheme-wide one, each mechanism's, each indicator's.

    >>> from perfrules import load
    >>> where, what = stand_in_list(load("shenzhen-2010-departments"))[-1]
    >>> where, what[:9]
    ('23 财政、财务收支的真实合法与效益', '原文未给出评估标准')
    """
    zh = scheme.language == "zh"
    found: list[tuple[str, str]] = []
    if scheme.stand_in:
        found.append(("总分等次" if zh else "overall grading", scheme.stand_in))
    names = {"periods": ("报送期合成", "periods"), "not_applicable": ("指标不适用", "not applicable")}
    for key, text in scheme.stand_ins.items():
        found.append((names[key][0 if zh else 1], text))
    found += [(f"{i.code} {i.name}", i.stand_in) for i in scheme.indicators() if i.stand_in]
    return found


def stand_in_legend(scheme: Scheme, source: str | None = None, *, pointer: bool = True) -> str:
    """One line saying what ※ marks in tables, CSV and workbooks ("" when the scheme has no stand-in).

    *source* is the scheme as the command line named it, for the pointer to
    ``perfrules validate``; without it the line points to the workbook's scheme
    sheet, and with ``pointer=False`` to the attributes (for notebooks).

    >>> from perfrules import load
    >>> print(stand_in_legend(load("xiamen-xiangan-2020"), "xiamen-xiangan-2020").replace("。", "。\\n"))
    ※ 示例规则（原文未给出）：指标 1–41 的评分规则；申报指标不适用时的分值分配。
    逐条见 perfrules validate xiamen-xiangan-2020
    """
    zh = scheme.language == "zh"
    parts: list[str] = []
    if scheme.stand_in:
        parts.append(
            "总分等次及各等次的分数区间" if zh else "the overall grading and the grades' score intervals"
        )
    codes = [i.code for i in scheme.indicators() if i.stand_in]
    if codes:
        parts.append(f"指标 {_spans(codes)} 的评分规则" if zh else f"the rules of indicators {_spans(codes)}")
    if "periods" in scheme.stand_ins:
        parts.append("按季度、月度报送时年度结果的合成" if zh else "how period results make the year's")
    if "not_applicable" in scheme.stand_ins:
        weight = "分值" if scheme.basis == "points" else "权重"
        parts.append(
            f"申报指标不适用时的{weight}分配" if zh else "where a declared not-applicable weight goes"
        )
    if not parts:
        return ""
    if not pointer:
        return (
            f"{STAND_IN_SIGN} 示例规则（原文未给出）：{'；'.join(parts)}。"
            if zh
            else f"{STAND_IN_SIGN} stand-in (not in the source): {'; '.join(parts)} (Indicator.stand_in)"
        )
    if source is None:
        where = "逐条见“指标体系”表的“示例规则”列" if zh else "each one: the Scheme sheet's stand-in column"
    else:
        where = f"逐条见 perfrules validate {source}" if zh else f"each one: perfrules validate {source}"
    if zh:
        return f"{STAND_IN_SIGN} 示例规则（原文未给出）：{'；'.join(parts)}。{where}"
    return f"{STAND_IN_SIGN} stand-in (not in the source): {'; '.join(parts)}; {where}"


def marked(text: str, on: bool) -> str:
    """*text* with the stand-in mark when *on*.

    >>> marked("等次", True), marked("单位", False)
    ('等次※', '单位')
    """
    return f"{text}{STAND_IN_SIGN}" if on else text


def json_number(value: Number | None, places: int = 6) -> float | int | Decimal | None:
    if value is None:
        return None
    return json_value(tidy_decimal(round_half_up(value, places)))


def _plain(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Decimal | Fraction):
        return json_number(value)
    return str(value)


def unit_records(result: UnitResult) -> dict[str, Any]:
    """One unit's result as plain data (what ``perfrules score --format json`` writes)."""
    return {
        "unit": result.unit,
        "category": result.category,
        "total": json_number(result.total),
        "grade": result.grade,
        # The unit's full marks (a category's own, 分类考核) and each period's total and grade.
        "full_marks": json_number(result.full_marks),
        "periods": [
            {
                "period": p.period,
                "total": json_number(p.total),
                "grade": p.grade,
                "events": [{"kind": e.kind, "message": e.message} for e in p.events],
            }
            for p in result.periods
        ],
        # Labels beside the grade (不能评先, 黄牌): they do not change it.
        "flags": list(result.flags),
        "rank": result.rank,
        "category_rank": result.category_rank,
        # 0 for a unit scored from its data; 1 for a parent whose total is its sub-units' mean ([roll_up]) …
        "level": result.level,
        # The overall grade (and the grades' score intervals) when they are a stand-in.
        "stand_in": result.stand_in or None,
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
                "score": json_number(i.score),
                "full": json_number(i.full),
                "base_weight": json_number(i.base_weight),
                "weight": json_number(i.weight),
                "contribution": json_number(i.contribution),
                "events": [{"kind": e.kind, "message": e.message} for e in i.events],
                "error": None if i.error is None else i.error.message,
                "stand_in": i.stand_in or None,
            }
            for i in result.indicators
        ],
    }


def _group_record(group: GroupResult) -> dict[str, Any]:
    # Groups have children, indicators have codes: no import of the result
    # types is needed here, so results and display do not import each other.
    return {
        "name": group.name,
        "declared": json_number(group.declared),
        "weight": json_number(group.weight),
        "contribution": json_number(group.contribution),
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
    scheme = evaluation.scheme
    head[3] = marked(
        head[3], bool(scheme.stand_in or scheme.stand_ins or any(i.stand_in for i in scheme.indicators()))
    )
    head[4] = marked(head[4], bool(scheme.stand_in))
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
    legend = stand_in_legend(scheme, pointer=False)
    foot = f"<tfoot><tr><td colspan='6'>{html.escape(legend)}</td></tr></tfoot>" if legend else ""
    return (
        f"<table><caption>{caption}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody>{foot}</table>"
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
        name = html.escape(marked(i.name, bool(i.stand_in)))
        if i.stand_in:
            name = f"<span title='{html.escape(i.stand_in, quote=True)}'>{name}</span>"
        rows.append(
            f"<tr><td>{html.escape(i.code)}</td><td>{name}</td>"
            f"<td>{html.escape(i.grade or '—')}</td><td style='text-align:right'>{number(i.score)}</td>"
            f"<td style='text-align:right'>{number(i.weight)}</td>"
            f"<td style='text-align:right'>{number(i.contribution)}</td><td>{notes}</td></tr>"
        )
    colour = grade_colour(grades, result.grade)
    grade = html.escape(marked(result.grade, bool(result.stand_in)) if result.grade else "—")
    title = f"{html.escape(result.unit)}：{number(result.total)} <span style='color:{colour}'>{grade}</span>"
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(rows)
    return f"<table><caption>{title}</caption><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
