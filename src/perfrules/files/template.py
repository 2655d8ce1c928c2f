"""The data-entry workbook (填报表) that evaluated units fill in.

:func:`write_template` writes an Excel workbook whose first sheet is exactly
what ``perfrules score`` reads: the header in row 1 (单位, then 类别, 期间 and
不适用 where the scheme needs them, then one column per input the scheme
reads, in the order of the indicators) and one row per unit. Each input's
header carries a comment with its indicator, definition, unit of measure,
bounds and data source; Excel data validation refuses values outside the
scheme's bounds and offers the grades of graded inputs as a list. Later
sheets hold the instructions (填报说明) and the inputs as a table (数据项),
for printing. Needs the ``excel`` extra (openpyxl).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .._writers import replace_atomically
from ..results.display import display_width
from ..results.workbook import _openpyxl, _Sheet, _text
from ..scheme.model import Scheme
from ..scheme.policies import NotApplicable
from ..scheme.units import Unit
from .inputs import InputField, _show, input_fields

__all__ = ["write_template"]

_ROWS = 1000  # data validation covers the unit rows and this many rows below the header
_MAX_LIST = 250  # Excel's limit for an inline list is 255 characters
_MAX_MESSAGE = 250  # prompts and error messages are cut by Excel at 255


def _words(zh: bool) -> dict[str, str]:
    if zh:
        return {
            "unit": "单位",
            "category": "类别",
            "period": "期间",
            "na": "不适用",
            "data": "填报表",
            "help": "填报说明",
            "fields": "数据项",
        }
    return {
        "unit": "unit",
        "category": "category",
        "period": "period",
        "na": "not_applicable",
        "data": "Data",
        "help": "Instructions",
        "fields": "Inputs",
    }


def _has_periods(scheme: Scheme) -> bool:
    return any(i.frequency not in (None, "yearly") for i in scheme.indicators())


def _comment(field: InputField, zh: bool) -> str:
    lines = []
    if zh:
        if field.indicators:
            lines.append("指标：" + "；".join(field.indicators))
        lines += [f"释义：{d}" for d in field.definitions]
        lines.append("计量单位：" + (_measure(field, zh) or "原指标体系未注明"))
        if field.kind == "grade" and field.choices:
            lines.append("可选值：" + "、".join(field.choices))
        elif field.bounds_text():
            lines.append("取值范围：" + field.bounds_text() + ("（整数）" if field.whole else ""))
        if field.sources:
            lines.append("数据来源：" + "、".join(field.sources))
        lines += [f"用于：{u}" for u in field.uses]
    else:
        if field.indicators:
            lines.append("Indicator: " + "; ".join(field.indicators))
        lines += [f"Definition: {d}" for d in field.definitions]
        lines.append("Unit of measure: " + (_measure(field, zh) or "not stated by the scheme"))
        if field.kind == "grade" and field.choices:
            lines.append("One of: " + ", ".join(field.choices))
        elif field.low is not None or field.high is not None:
            low = "" if field.low is None else _show(field.low)
            high = "" if field.high is None else _show(field.high)
            lines.append(f"Range: {low} to {high}" + (" (whole numbers)" if field.whole else ""))
        if field.sources:
            lines.append("Data source: " + ", ".join(field.sources))
        lines += [f"Used in: {u}" for u in field.uses]
    return "\n".join(lines)


def _measure(field: InputField, zh: bool) -> str:
    if not field.measure:
        return ""
    if zh:
        return {
            "比率": "比率（填小数如 0.95，或百分数如 95%）",
            "等次": "等次（从下拉列表选择）",
            "个": "个数（整数）",
        }.get(field.measure, field.measure)
    return {
        "比率": "a rate (0.95 or 95%)",
        "等次": "a grade (choose from the list)",
        "个": "a count (whole number)",
        "分": "points",
    }.get(field.measure, field.measure)


def _validation(field: InputField, zh: bool) -> Any | None:
    """The data validation of one input column (None when the scheme says nothing to check)."""
    dv_class = _openpyxl().worksheet.datavalidation.DataValidation
    name = field.name[:28]
    if field.kind == "grade":
        listed = ",".join(field.choices)
        if not field.choices or len(listed) > _MAX_LIST or any("," in c or '"' in c for c in field.choices):
            return None
        shown = "、".join(field.choices) if zh else ", ".join(field.choices)
        dv = dv_class(type="list", formula1=f'"{listed}"', allow_blank=True)
        dv.error = (f"请从下拉列表选择：{shown}" if zh else f"choose one of: {shown}")[:_MAX_MESSAGE]
    else:
        low, high = field.low, field.high
        kind = "whole" if field.whole else "decimal"
        if low is not None and high is not None:
            dv = dv_class(type=kind, operator="between", formula1=_show(low), formula2=_show(high))
        elif low is not None:
            dv = dv_class(type=kind, operator="greaterThanOrEqual", formula1=_show(low))
        elif high is not None:
            dv = dv_class(type=kind, operator="lessThanOrEqual", formula1=_show(high))
        else:
            return None
        dv.allow_blank = True
        rng = field.bounds_text()
        if zh:
            dv.error = f"应为{'整数' if field.whole else '数值'}，取值范围 {rng}"
        else:
            low_s = "" if low is None else _show(low)
            high_s = "" if high is None else _show(high)
            dv.error = f"expected a {'whole ' if field.whole else ''}number from {low_s} to {high_s}"
    dv.errorTitle = name
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    return dv


def _instructions(
    scheme: Scheme, fields: Sequence[InputField], columns: dict[str, bool], zh: bool
) -> list[str]:
    w = _words(zh)
    if zh:
        lines = [
            f"《{scheme.name}》数据填报表",
            "",
            f"1. 在“{w['data']}”工作表填写数据：第 1 行是表头，请勿修改、删除或调换列；每个被评估单位一行。",
            "2. 把鼠标停在表头单元格上可看到该数据项所属指标、释义、计量单位、取值范围和数据来源。",
            "3. 数值直接填数字；比率可填小数（0.95）或百分数（95%）；等次类数据项从下拉列表选择。",
            "4. 没有数据的单元格留空（不要填 0）：指标体系规定了缺数据时的默认规则的，按规则计分；否则该单位无法计分并被指出。",
        ]
        if columns["category"]:
            lines.append(
                f"5. “{w['category']}”列填单位类别：{'、'.join(scheme.categories)}（权重按类别设置）。"
            )
        if columns["period"]:
            lines.append(
                f"6. 分期报送的数据项（月度、季度等）：在该单位行下方另起一行，“{w['unit']}”填同一单位名，"
                f"“{w['period']}”填期间（如 一季度、1月），只填该期的数据；全年数据所在行“{w['period']}”留空。"
            )
        if columns["na"]:
            lines.append(
                f"7. “{w['na']}”列填本单位不适用的指标序号或名称，多个用顿号分隔（如 7、8）；"
                "不适用指标的权重按指标体系的规定调整。"
            )
        lines += [
            "",
            "填好后可先检查：perfrules check 指标体系 本表.xlsx（列出缺列、错别字列名、越界数值、未知类别）",
            "再计分：perfrules score 指标体系 本表.xlsx",
            "",
            f"数据项共 {len(fields)} 个，见“{w['fields']}”工作表。",
        ]
        if scheme.stand_in or any(i.stand_in for i in scheme.indicators()):
            lines.append("注意：本指标体系含替代规则（原文未给出的部分），详见 perfrules explain。")
        return lines
    lines = [
        f"Data-entry workbook: {scheme.name}",
        "",
        f"1. Fill in the '{w['data']}' sheet: row 1 is the header (do not change, remove or reorder columns);"
        " one row per unit.",
        "2. Each input's header cell has a comment: its indicator, definition, unit of measure, range and source.",
        "3. Numbers as numbers; rates as 0.95 or 95%; graded inputs from the drop-down list.",
        "4. Leave a cell empty when there is no data (not 0): the scheme's default applies, or the unit is reported.",
    ]
    if columns["category"]:
        lines.append(f"5. '{w['category']}': the unit's category, one of {', '.join(scheme.categories)}.")
    if columns["period"]:
        lines.append(
            f"6. Inputs reported per period: add a row below the unit's row with the same '{w['unit']}'"
            f" and the period in '{w['period']}'; the year's row leaves '{w['period']}' empty."
        )
    if columns["na"]:
        lines.append(
            f"7. '{w['na']}': codes or names of indicators that do not apply to the unit, e.g. 7、8."
        )
    lines += [
        "",
        "Check: perfrules check SCHEME this.xlsx    Score: perfrules score SCHEME this.xlsx",
    ]
    return lines


def write_template(
    scheme: Scheme,
    path: str | os.PathLike[str],
    *,
    units: Iterable[str | Unit] = (),
    not_applicable: bool | None = None,
) -> None:
    """Write the data-entry workbook (填报表) for a scheme.

    The first sheet has the header in row 1: 单位, then 类别 when the scheme
    has categories, 期间 when an indicator is reported more often than
    yearly, 不适用 (see *not_applicable*), then one column per input the
    scheme reads (:func:`input_fields`). Each input's header has a comment
    (indicator, definition, unit of measure, bounds, data source), and data
    validation checks entries against the scheme's bounds and grade lists.
    One row per unit follows, with the unit's name (and category) filled in.
    Later sheets: the instructions, and the inputs as a table.

    A filled template is read by :func:`load_units` and ``perfrules score``
    as it is (its first sheet), with no ``--sheet``.

    Args:
        scheme: the scheme the data is for.
        path: the workbook to write (``….xlsx``); replaced only once the new
            one is complete.
        units: units (or their names) to pre-fill, e.g. last year's data or
            ``sample_units(name)``; a :class:`Unit` also fills its category,
            and a row for each of its periods below its own row.
        not_applicable: include the 不适用 column. Any unit may declare an
            indicator not applicable (its weight moves as the scheme says);
            ``None`` (the default) includes it unless the scheme has no
            indicator that redistributes or reports not-applicable and no unit
            given declares one — so by default it is included whenever the
            scheme or the units use it, and always for points schemes.

    Raises:
        ImportError: openpyxl is not installed (``pip install 'perfrules[excel]'``).

    >>> import tempfile, openpyxl
    >>> from pathlib import Path
    >>> from perfrules import load, write_template
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_template(load("xiamen-xiangan-2020"), Path(folder, "填报表.xlsx"), units=["区文旅局"])
    ...     sheet = openpyxl.load_workbook(Path(folder, "填报表.xlsx")).worksheets[0]
    >>> [c.value for c in sheet[1]][:3], sheet["A2"].value
    (['单位', '不适用', '根据厦翔委(2020)8号文件及区委工作要点任务分解进行评估得分'], '区文旅局')
    """
    openpyxl = _openpyxl()
    zh = scheme.language != "en"
    w = _words(zh)
    given = list(units)
    fields = input_fields(scheme)
    if not_applicable is None:
        not_applicable = (
            scheme.basis == "points"
            or any(isinstance(p, NotApplicable) for i in scheme.indicators() for p in i.policies)
            or any(isinstance(u, Unit) and u.not_applicable for u in given)
        )
    columns = {
        "category": bool(scheme.categories),
        "period": _has_periods(scheme) or any(isinstance(u, Unit) and u.periods for u in given),
        "na": not_applicable,
    }
    special = [w["unit"], *(w[k] for k in ("category", "period", "na") if columns[k])]
    header = [*special, *(f.name for f in fields)]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = w["data"]
    sheet = _Sheet(ws, header)
    seen: set[str] = set()
    for unit in given:
        name = unit.name if isinstance(unit, Unit) else str(unit)
        if name in seen:
            continue
        seen.add(name)
        row: list[object] = [name]
        if columns["category"]:
            row.append(unit.category or "" if isinstance(unit, Unit) else "")
        sheet.row(row)
        if isinstance(unit, Unit) and columns["period"]:
            # A unit's period rows follow its year row (a file is read one unit at a time).
            for period in unit.periods:
                sheet.row([*row, period])
    last = max(_ROWS, sheet.next_row)
    letter = openpyxl.utils.get_column_letter
    comment_class = openpyxl.comments.Comment
    special_notes = _special_comments(scheme, zh)
    for c, title in enumerate(header, start=1):
        cell = ws.cell(row=1, column=c)
        _text(cell, title)
        if c <= len(special):
            key = next(k for k in ("unit", "category", "period", "na") if w[k] == title)
            text = special_notes[key]
        else:
            text = _comment(fields[c - 1 - len(special)], zh)
        note = comment_class(text, "perfrules")
        note.width = 360
        note.height = min(60 + 18 * text.count("\n") + display_width(text) // 3, 600)
        cell.comment = note
    if columns["category"]:
        col = letter(header.index(w["category"]) + 1)
        dv = openpyxl.worksheet.datavalidation.DataValidation(
            type="list", formula1='"' + ",".join(scheme.categories) + '"', allow_blank=True
        )
        dv.error = ("类别应为：" if zh else "category must be one of: ") + "、".join(scheme.categories)
        dv.showErrorMessage = True
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    for i, field in enumerate(fields):
        dv = _validation(field, zh)
        if dv is None:
            continue
        col = letter(len(special) + i + 1)
        dv.add(f"{col}2:{col}{last}")
        ws.add_data_validation(dv)
    sheet.finish(autofilter=False)
    for c in range(len(special) + 1, len(header) + 1):
        ws.column_dimensions[letter(c)].width = min(max(display_width(header[c - 1]) + 2, 10), 30)
    ws.freeze_panes = "B2"

    help_ws = book.create_sheet(w["help"])
    for r, line in enumerate(_instructions(scheme, fields, columns, zh), start=1):
        _text(help_ws.cell(row=r, column=1), line)
    help_ws.column_dimensions["A"].width = 110
    help_ws["A1"].font = openpyxl.styles.Font(bold=True)

    heads = (
        ["数据项", "计量单位", "取值范围或可选值", "数据来源", "所属指标", "指标释义", "计算或评分规则"]
        if zh
        else ["input", "unit of measure", "range or choices", "source", "indicators", "definition", "rules"]
    )
    table = _Sheet(book.create_sheet(w["fields"]), heads)
    for field in fields:
        rng = ("、" if zh else ", ").join(field.choices) if field.kind == "grade" else field.bounds_text()
        table.row(
            [
                field.name,
                _measure(field, zh),
                rng,
                "、".join(field.sources),
                "；".join(field.indicators),
                "\n".join(field.definitions),
                "\n".join(field.uses),
            ]
        )
    table.finish()
    replace_atomically(Path(path), book.save)


def _special_comments(scheme: Scheme, zh: bool) -> dict[str, str]:
    codes = "、".join(i.code for i in scheme.indicators())
    if zh:
        return {
            "unit": "被评估单位的名称，每个单位一行（分期数据另起一行，单位名相同）。",
            "category": f"单位类别：{'、'.join(scheme.categories)}。各类别的指标权重不同。",
            "period": "留空：全年数据。分期报送的数据另起一行，填期间（如 一季度、1月）。",
            "na": f"本单位不适用的指标序号（{codes}）或名称，多个用顿号分隔，如 7、8。",
        }
    return {
        "unit": "The unit's name, one row per unit (period rows repeat the name).",
        "category": f"The unit's category: {', '.join(scheme.categories)}.",
        "period": "Empty for the year's data; a period row names its period.",
        "na": f"Codes ({codes}) or names of indicators that do not apply, e.g. 7、8.",
    }
