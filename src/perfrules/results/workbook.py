"""Excel workbooks of evaluation results (``pip install 'perfrules[excel]'``).

``write_workbook`` writes three sheets: the ranking with every indicator's
score, the errors and notes (policies that fired), and the scheme itself.
Numbers are number cells, so people can sort, filter and sum them; text is
always text, never a formula (spreadsheet injection: a unit called
``=HYPERLINK(…)`` stays a name). openpyxl is imported only when a workbook
is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .._numbers import Number, round_half_up
from .._writers import replace_atomically
from ..scheme.model import Scheme
from ..scheme.tree import Group, Indicator
from .display import display_width, marked, stand_in_legend
from .periodcols import period_heads, period_labels, period_values

if TYPE_CHECKING:
    from .model import Evaluation

__all__ = ["write_workbook"]

_MAX_WIDTH = 60  # columns wider than this wrap in practice; keep the sheet readable
_NUMBER_FORMAT = "0.00"  # shown like the tables (2 places); the cell keeps 6
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LEVELS = "一二三四五六七八九"

_MECHANISMS = {"periods": ("报送期合成", "periods"), "not_applicable": ("指标不适用", "not applicable")}

_KINDS = {
    "error": ("错误", "error"),
    "default": ("默认", "default"),
    "not_applicable": ("不适用", "not applicable"),
    "weight_in": ("权重转入", "weight moved in"),
    "weight_from": ("本单位权重", "the unit's weight"),
    "not_assessed": ("不考核", "not assessed"),
    "zero": ("计零分", "zeroed"),
    "adjust": ("加减分", "adjustment"),
    "capped": ("封顶", "capped"),
    "veto": ("一票否决", "veto"),
    "period": ("分期合并", "periods combined"),
    "note": ("说明", "note"),
    "stand_in": ("示例规则（原文未给出）", "stand-in (not in the source)"),
}


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("writing .xlsx needs openpyxl: pip install 'perfrules[excel]'") from None
    return openpyxl


def _excel_number(value: Number | int | None) -> float | int | None:
    """An exact number as Excel stores it: rounded half up to 6 places; int when whole."""
    if value is None:
        return None
    rounded = round_half_up(value, 6)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


class _Sheet:
    """One worksheet written row by row: safe text, number cells, widths that fit CJK text."""

    def __init__(self, worksheet: Any, headers: Sequence[str], score_columns: Sequence[int] = ()) -> None:
        self.ws = worksheet
        self.widths = [display_width(h) for h in headers]
        self.scores = set(score_columns)  # 0-based columns whose numbers show 2 places, like the tables
        self.next_row = 1
        bold = _openpyxl().styles.Font(bold=True)
        self.row(headers)
        for cell in self.ws[1]:
            cell.font = bold
        self.ws.freeze_panes = "A2"

    def row(self, values: Sequence[object], *, bold: bool = False) -> None:
        """Append a row: numbers (exact or float) become number cells, text stays text."""
        r = self.next_row
        self.next_row += 1
        for c, value in enumerate(values, start=1):
            cell = self.ws.cell(row=r, column=c)
            if value is None or value == "":
                shown = ""
            elif isinstance(value, str):
                _text(cell, value)
                shown = value
            else:
                cell.value = value if isinstance(value, float | int) else _excel_number(cast(Number, value))
                if c - 1 in self.scores:
                    cell.number_format = _NUMBER_FORMAT
                    shown = f"{cell.value:.2f}"
                else:
                    shown = str(cell.value)
            if bold:
                cell.font = _openpyxl().styles.Font(bold=True)
            while len(self.widths) < c:
                self.widths.append(0)
            self.widths[c - 1] = max(self.widths[c - 1], display_width(shown))

    def finish(self, *, autofilter: bool = True) -> None:
        """Set the column widths (East Asian wide characters count twice) and the filter."""
        letter = _openpyxl().utils.get_column_letter
        for i, width in enumerate(self.widths, start=1):
            self.ws.column_dimensions[letter(i)].width = min(width + 2, _MAX_WIDTH)
        if autofilter and self.widths:
            self.ws.auto_filter.ref = f"A1:{letter(len(self.widths))}{self.next_row - 1}"


def _text(cell: Any, value: str) -> None:
    """Store *value* as a text cell, never as a formula, whatever it starts with."""
    openpyxl = _openpyxl()
    value = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    cell.data_type = "s"  # openpyxl would take a leading "=" as a formula
    if value.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited


# ---------------------------------------------------------------------------
# The three sheets
# ---------------------------------------------------------------------------


def _results(ws: Any, evaluation: Evaluation, zh: bool) -> None:
    scheme = evaluation.scheme
    indicators = scheme.indicators()
    head = ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    # ※ on what rests on a stand-in (the legend is under the table).
    head[3] = marked(
        head[3], bool(scheme.stand_in or scheme.stand_ins or any(i.stand_in for i in indicators))
    )
    head[4] = marked(head[4], bool(scheme.stand_in))
    ranked = list(evaluation.ranking())
    within = scheme.rank_within == "category"
    if within:
        # 分类评估: the units of each category together, ranked among themselves.
        order = {c: k for k, c in enumerate(scheme.categories)}
        ranked.sort(
            key=lambda r: (
                order.get(r.category or "", len(order)),
                r.category_rank is None,
                r.category_rank or 0,
            )
        )
        head[0] = "类别内排名" if zh else "rank in category"
    labels = [marked(i.label, bool(i.stand_in)) for i in indicators]
    if scheme.flags:  # labels beside the grade (不能评先, 黄牌)
        head.append("标记" if zh else "flags")
    if scheme.roll_up is not None:  # 0: scored from its data; 1: a parent of such units …
        head.append("层级" if zh else "level")
    periods = period_labels(r.periods for r in evaluation.results)  # each period's total and grade
    head += period_heads(periods, zh=zh)
    first = len(head)
    totals = range(first - 2 * len(periods), first, 2)
    score_columns = [3, *totals, *range(first, first + len(indicators))]  # the totals and indicator scores
    sheet = _Sheet(
        ws, [*head, *labels, *((["总排名"] if zh else ["overall rank"]) if within else [])], score_columns
    )
    for r in ranked:
        scores = {i.code: i.score for i in r.indicators}
        sheet.row(
            [
                r.category_rank if within else r.rank,
                r.unit,
                r.category or "",
                r.total,
                r.grade or "",
                *(["、".join(r.flags)] if scheme.flags else []),
                *([r.level] if scheme.roll_up is not None else []),
                *(c if c is not None else "" for c in period_values(r.periods, periods)),
                *(scores.get(i.code) for i in indicators),
                *([r.rank] if within else []),
            ]
        )
    sheet.finish()
    legend = stand_in_legend(scheme)
    if legend:
        _text(ws.cell(row=sheet.next_row + 1, column=1), legend)


def _notes(ws: Any, evaluation: Evaluation, zh: bool) -> None:
    labels = {i.code: i.label for i in evaluation.scheme.indicators()}
    static = {i.code: i.stand_in for i in evaluation.scheme.indicators()}
    head = (
        ["单位", "来源", "指标", "数据项", "类型", "说明"]
        if zh
        else ["unit", "origin", "indicator", "field", "kind", "message"]
    )
    sheet = _Sheet(ws, head)

    def kind(name: str) -> str:
        zh_name, en_name = _KINDS.get(name, (name, name))
        return zh_name if zh else en_name

    for r in evaluation.ranking():
        for e in r.errors:
            indicator = "" if e.indicator is None else labels.get(e.indicator, e.indicator)
            sheet.row([r.unit, e.origin, indicator, e.field or "", kind("error"), e.message])
        for event in r.events:
            sheet.row([r.unit, "", "", "", kind(event.kind), event.message])
        for i in r.indicators:
            if i.stand_in and i.stand_in != static.get(i.code, ""):
                # A stand-in of this unit's own result (its period rows, a declared not-applicable).
                sheet.row([r.unit, "", labels.get(i.code, i.code), "", kind("stand_in"), i.stand_in])
            for event in i.events:
                sheet.row([r.unit, "", labels.get(i.code, i.code), "", kind(event.kind), event.message])
    sheet.finish()


def _tree(scheme: Scheme) -> Iterator[tuple[int, Group | Indicator, str]]:
    """Every group and indicator in order, with its depth and the path of groups above it."""

    def walk(
        node: Group | Indicator, depth: int, trail: tuple[str, ...]
    ) -> Iterator[tuple[int, Group | Indicator, str]]:
        yield depth, node, " / ".join(trail)
        if isinstance(node, Group):
            for child in node.children:
                yield from walk(child, depth + 1, (*trail, node.name))

    for group in scheme.groups:
        yield from walk(group, 1, ())


def _scheme_sheet(ws: Any, scheme: Scheme, zh: bool) -> None:
    columns = scheme.weight_columns()
    points = scheme.basis == "points"
    word = ("分值" if points else "权重%") if zh else ("points" if points else "weight %")
    weight_heads = [word if c is None else (f"{word}（{c}）" if zh else f"{word} ({c})") for c in columns]
    head = (
        ["层级", "序号", "名称", "所属分组", *weight_heads, "示例规则（原文未给出）"]
        if zh
        else ["level", "code", "name", "group", *weight_heads, "stand-in (not in the source)"]
    )
    sheet = _Sheet(ws, head)
    for depth, node, trail in _tree(scheme):
        if isinstance(node, Group):
            level = (
                (f"{_LEVELS[depth - 1]}级指标" if depth <= len(_LEVELS) else f"{depth}级指标")
                if zh
                else f"level {depth}"
            )
            sheet.row(
                [level, node.code, node.name, trail, *(node.declared_for(c) for c in columns)], bold=True
            )
        else:
            level = "指标" if zh else "indicator"
            # A weight read per unit (weight_from) shows the column it is read from.
            weights = (
                [node.weight_from] * len(columns)
                if node.weight_from
                else [node.weight_for(c) for c in columns]
            )
            sheet.row([level, node.code, node.name, trail, *weights, node.stand_in])
    total_row = ["合计" if zh else "total", "", "", ""]
    leaves = scheme.indicators()
    sheet.row([*total_row, *(sum((i.weight_for(c) for i in leaves), start=0) for c in columns)], bold=True)
    sheet.finish(autofilter=False)
    ws.auto_filter.ref = f"A1:{_openpyxl().utils.get_column_letter(len(head))}{sheet.next_row - 2}"
    sheet.row([])
    basis = (
        ("分值（满分 {}）" if points else "权重（百分比，合计 {}%）")
        if zh
        else ("points (of {})" if points else "percent (adds up to {}%)")
    )
    about = [
        ("指标体系" if zh else "scheme", scheme.name),
        ("年度" if zh else "year", scheme.year),
        ("计分方式" if zh else "basis", basis.format(_excel_number(scheme.total))),
        ("满分" if zh else "full marks", scheme.total),
        (
            "各类别满分" if zh else "full marks by category",
            ("、" if zh else ", ").join(
                f"{c} {_excel_number(scheme.total_for(c))}" for c in scheme.categories
            )
            if scheme.totals
            else "",
        ),
        ("单位类别" if zh else "categories", ("、" if zh else ", ").join(scheme.categories)),
        ("来源" if zh else "source", scheme.source),
        ("示例规则（总分等次）" if zh else "stand-in (overall grading)", scheme.stand_in),
        *(
            ((f"示例规则（{_MECHANISMS[k][0]}）" if zh else f"stand-in ({_MECHANISMS[k][1]})"), text)
            for k, text in scheme.stand_ins.items()
        ),
    ]
    for label, value in about:
        if value not in ("", None):
            sheet.row([label, value])
            ws.cell(row=sheet.next_row - 1, column=1).font = _openpyxl().styles.Font(bold=True)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def write_workbook(evaluation: Evaluation, path: str | os.PathLike[str]) -> None:
    """Write an evaluation to an Excel workbook (.xlsx).

    Three sheets, labelled in the scheme's language: 结果 (Results) — one row
    per unit in ranking order with rank, unit, category, total, grade and
    every indicator's score (for a scheme ranked within category — 分类评估,
    as the Shenzhen departments — category by category, the rank within the
    category first and the overall rank last; ※ marks stand-ins, with a
    legend under the table); 错误与说明 (Errors and notes) — each unit's errors
    and every policy that fired; 指标体系 (Scheme) — the groups and indicators
    with their weights or points per category, and the basis and total.

    Numbers are number cells, rounded half up to 6 places (shown with 2);
    cells are empty where a unit could not be scored. Text is stored as text,
    never as a formula. The header rows are bold, frozen and filtered, and
    the columns are wide enough for Chinese text.

    The file is written to a temporary file in the same folder and then
    moved into place, so a failed write leaves an existing file untouched.

    Args:
        evaluation: the results, from ``perfrules.evaluate()``.
        path: the workbook to write (conventionally ``….xlsx``); it is replaced.

    Raises:
        ImportError: openpyxl is not installed (``pip install 'perfrules[excel]'``).
        OSError: the file cannot be written.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from perfrules import evaluate, load, sample_units, write_workbook
    >>> name = "shenzhen-2010-departments"
    >>> evaluation = evaluate(load(name), sample_units(name))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_workbook(evaluation, Path(folder) / "结果.xlsx")
    ...     import openpyxl
    ...     book = openpyxl.load_workbook(Path(folder) / "结果.xlsx")
    ...     book.sheetnames, book["结果"]["B2"].value
    (['结果', '错误与说明', '指标体系'], '市庚委')
    """
    openpyxl = _openpyxl()
    zh = evaluation.scheme.language != "en"
    book = openpyxl.Workbook()
    results = book.active
    results.title = "结果" if zh else "Results"
    _results(results, evaluation, zh)
    _notes(book.create_sheet("错误与说明" if zh else "Errors and notes"), evaluation, zh)
    _scheme_sheet(book.create_sheet("指标体系" if zh else "Scheme"), evaluation.scheme, zh)
    replace_atomically(Path(path), book.save)
