"""A scheme published as the familiar table (指标体系表), for review and sign-off.

:func:`write_table` writes a scheme as the table people print and sign: one
column per level of groups (merged over their indicators, with a declared
subtotal printed in the cell, 「行政业绩(45%)」), 序号, 指标名称, 分值 or 权重 (one
column per category under a merged 权重 header), 评分标准 (the grading rule as
published, then 说明 with the formulas and policies, numbered), 数据来源, 报送频度,
指标释义, the indicators' metadata, and 备注, which marks stand-ins (替代规则) and
todos (待补). It is written so that :func:`import_table` reads it back: the
table's fields come back as they were.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from .._numbers import Number
from .._writers import replace_atomically
from ..formula.language import Formula
from ..grading.bands import GradeBand
from ..grading.scale import GradeScale
from ..scheme.fields import FREQUENCIES
from ..scheme.model import Scheme
from ..scheme.policies import Adjust, Default, NotApplicable, Veto, ZeroWhen
from ..scheme.steps import Part
from ..scheme.tree import Group, Indicator

__all__ = ["table_rows", "write_table"]

_LEVELS = "一二三四五六七八九"
_FREQ_ZH: dict[str, str] = {v: k for k, v in FREQUENCIES.items() if not k.isascii()}


def _num(value: Number | int) -> str:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _bands_text(scale: GradeScale) -> str:
    if scale.source:
        return scale.source.strip()

    def band(b: GradeBand) -> str:
        if not b.conditions:
            return f"{b.name}—{_num(b.points)}分" if b.points is not None else b.name
        return f"{b.name}：" + "，或".join(c.text for c in b.conditions)

    return "；".join(band(b) for b in scale.bands) + "。"


def _policy_text(policy: object) -> str:
    """A policy as a sentence the importer reads back; the published wording follows in brackets."""
    reason = str(getattr(policy, "reason", "") or "")
    if isinstance(policy, Default):
        where = {"midpoint": "区中值", "top": "区上限", "bottom": "区下限"}.get(str(policy.score), "")
        if not where or policy.grade is None:
            return reason or f"默认{policy.grade or ''}{_num(policy.score) if not where else ''}分"  # type: ignore[arg-type]
        if policy.when is not None:
            text = f"{policy.when.text}的，默认为“{policy.grade}”{where}"
        elif reason and _reads_as_default(reason):
            return reason
        else:
            text = f"没有数据的，默认为“{policy.grade}”{where}"
    elif isinstance(policy, Adjust):
        sign = "扣" if any(p < 0 for _, p in policy.terms) else "加"
        parts = [
            f"每「{name}」{sign}{_num(-points if points < 0 else points)}分" for name, points in policy.terms
        ]
        cap = policy.cap
        if isinstance(cap, Formula):  # a cap that depends on the unit: its formula as written
            limit = f"，最多{sign}「{cap.text}」分"
        else:
            limit = f"，最多{sign}{_num(cap)}分" if cap is not None else ""
        once = [f"同一事项（{'、'.join(names)}）按最高级别计一次" for names in policy.matters.values()]
        text = "；".join(parts + once) + limit
    elif isinstance(policy, Veto):
        effect = "总分计0分" if policy.effect == "zero" else "等次为最低等次"
        text = f"{policy.when.text}的，一票否决（{effect}）"
    elif isinstance(policy, NotApplicable):
        if policy.when is None and reason and "权重调整至" in reason:
            return reason
        to = f"，权重调整至{policy.to}" if policy.to else ""
        when = f"{policy.when.text}时" if policy.when is not None else "本单位申报不适用时"
        if policy.missing:
            blank = "" if not isinstance(policy.missing, tuple) else f"「{'、'.join(policy.missing)}」"
            when = ("" if policy.when is None else when + "或") + f"{blank}数据缺失时"
        text = f"{when}，本指标不适用{to}"
    elif isinstance(policy, ZeroWhen):
        target = f"{policy.target}" if policy.target else "本指标"
        text = f"{policy.when.text}时，{target}得0分"
    else:
        return reason or str(policy)
    return f"{text}（{reason}）" if reason and reason != text else text


def _reads_as_default(text: str) -> bool:
    from .table_rules import _DEFAULT

    return _DEFAULT.search(text) is not None


def rule_text(ind: Indicator) -> str:
    """An indicator's 评分标准 cell: its bands, then 说明 with its formulas and policies, numbered."""
    head = _bands_text(ind.scale) if ind.scale is not None else ""
    items: list[str] = []
    for step in ind.steps:
        if isinstance(step, Formula):
            items.append(step.text)
        elif isinstance(step, Part):
            items.append(f"{step.target}：{_bands_text(step.scale)}")
        else:
            items.append(f"{getattr(step, 'target', '')}：{type(step).__name__}")
    if ind.scale is not None:
        domain = ind.scale.domain
        if domain is not None and domain.lo is not None and domain.hi is not None:
            items.append(f"取值范围：{_num(domain.lo)}至{_num(domain.hi)}")
        if ind.scale.scoring == "midpoint":
            items.append("各等次按区间中值计分")
        if ind.scale.policy == "lowest":
            items.append("同时符合多个等次的，以就低不就高原则计分")
    if ind.score is not None:
        items.append(f"得分={ind.score.text}")
    items += [_policy_text(p) for p in ind.policies]
    if not items:
        return head
    numbered = "\n".join(f"({k}){text.rstrip('；;。')}；" for k, text in enumerate(items, start=1))
    return f"{head}\n说明：\n{numbered}" if head else f"说明：\n{numbered}"


def _depth(node: Group | Indicator) -> int:
    if isinstance(node, Indicator):
        return 0
    return 1 + max((_depth(c) for c in node.children), default=0)


def _leaves(scheme: Scheme) -> Iterator[tuple[tuple[Group, ...], Indicator]]:
    def walk(group: Group, above: tuple[Group, ...]) -> Iterator[tuple[tuple[Group, ...], Indicator]]:
        for child in group.children:
            if isinstance(child, Group):
                yield from walk(child, (*above, group))
            else:
                yield (*above, group), child

    for group in scheme.groups:
        yield from walk(group, ())


def _group_label(scheme: Scheme, group: Group) -> str:
    if group.declared is None:
        return group.name
    unit = "%" if scheme.basis == "percent" else "分"
    return f"{group.name}({_num(group.declared)}{unit})"


def table_rows(scheme: Scheme) -> tuple[list[list[str]], list[list[str]], list[tuple[int, int, int, int]]]:
    """The published table: header rows, body rows, and merged ranges ``(row, col, last row, last col)``.

    Rows are counted from 0 over header and body together. Groups are merged
    over their indicators; with categories, 权重 spans one column per category
    above a second header row.

    >>> from perfrules import load
    >>> headers, body, merges = table_rows(load("shenzhen-2010-departments"))
    >>> headers[0][:6], headers[1][4:7]
    (['一级指标', '二级指标', '序号', '指标名称', '权重', ''], ['委', '局', '办'])
    >>> body[0][:5]
    ['行政业绩(45%)', '重点工作', '1', '公共服务白皮书', '30%']
    """
    levels = max(_depth(g) for g in scheme.groups)
    leaves = list(_leaves(scheme))
    points = scheme.basis == "points"
    value_word = "分值" if points else "权重"
    categories = list(scheme.categories)
    meta_keys: list[str] = []
    for _, ind in leaves:
        for key in ind.metadata:
            if key not in meta_keys and key != "备注":
                meta_keys.append(key)
    level_heads = [f"{_LEVELS[k]}级指标" if k < len(_LEVELS) else f"{k + 1}级指标" for k in range(levels)]
    value_heads = [value_word] + [""] * (len(categories) - 1) if categories else [value_word]
    tail = ["评分标准", "数据来源", "报送频度", "指标释义", *meta_keys, "备注"]
    top = [*level_heads, "序号", "指标名称", *value_heads, *tail]
    headers = [top]
    merges: list[tuple[int, int, int, int]] = []
    first_value = len(level_heads) + 2
    if categories:
        second = [""] * len(top)
        for k, category in enumerate(categories):
            second[first_value + k] = category
        headers.append(second)
        for col in range(len(top)):
            if not first_value <= col < first_value + len(categories):
                merges.append((0, col, 1, col))
        if len(categories) > 1:
            merges.append((0, first_value, 0, first_value + len(categories) - 1))
    offset = len(headers)
    body: list[list[str]] = []
    spans: dict[tuple[int, int], list[int]] = {}
    for r, (groups, ind) in enumerate(leaves):
        cells = [""] * levels
        for k, group in enumerate(groups):
            cells[k] = _group_label(scheme, group)
            spans.setdefault((k, id(group)), []).append(r)
        values = [ind.weight_for(c) for c in categories] if categories else [ind.weight_for(None)]
        shown = [_num(v) + ("" if points else "%") for v in values]
        if ind.weight is None and not ind.weights:
            # Read per unit (weight_from): the column it comes from, else still to be written.
            shown = [f"各单位申报（{ind.weight_from}）" if ind.weight_from else ""] * len(shown)
        notes = []
        if ind.stand_in:
            notes.append(f"替代规则：{ind.stand_in}")
        notes += [f"待补：{t}" for t in ind.todo]
        if "备注" in ind.metadata:
            notes.insert(0, ind.metadata["备注"])
        body.append(
            [
                *cells,
                ind.code,
                ind.name,
                *shown,
                rule_text(ind),
                ind.source,
                _FREQ_ZH.get(ind.frequency, "") if ind.frequency else "",
                ind.definition,
                *(ind.metadata.get(k, "") for k in meta_keys),
                "\n".join(notes),
            ]
        )
    for (col, _), rows in spans.items():
        if len(rows) > 1:
            merges.append((rows[0] + offset, col, rows[-1] + offset, col))
        # A group column is left empty below a group's first row only inside its merged cell.
        for r in rows[1:]:
            body[r][col] = ""
    return headers, body, merges


def write_table(scheme: Scheme, path: str | os.PathLike[str]) -> None:
    """Publish a scheme as the familiar table: a Word document (.docx) or a workbook (.xlsx).

    See :func:`table_rows` for the columns. Stand-ins (替代规则) and todos
    (待补) are marked in 备注, and the scheme's own stand-in and todos in a
    note under the table. :func:`import_table` reads the table back.

    Raises:
        ValueError: the file name ends in neither .docx nor .xlsx.
        ImportError: python-docx or openpyxl is not installed (``pip install 'perfrules[import]'``).
    """
    target = Path(path)
    headers, body, merges = table_rows(scheme)
    notes = []
    if scheme.scores is not None:
        notes.append(
            "等次分数区间：" + "；".join(f"{g} {_num(a)}–{_num(b)}" for g, (a, b) in scheme.scores.items())
        )
    if scheme.stand_in:
        notes.append(f"替代规则：{scheme.stand_in}")
    notes += [f"待补：{t}" for t in scheme.todo]
    title = scheme.name
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(target, title, headers, body, merges, notes)
    elif suffix == ".docx":
        _write_docx(target, title, headers, body, merges, notes)
    else:
        raise ValueError(f"a published table is a .docx or .xlsx file, not '{target.name}'")


def _write_xlsx(
    target: Path,
    title: str,
    headers: Sequence[list[str]],
    body: Sequence[list[str]],
    merges: Any,
    notes: Sequence[str],
) -> None:
    from ..results.workbook import _openpyxl, _text

    openpyxl = _openpyxl()
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "指标体系"
    rows = [*headers, *body]
    top = 2  # row 1 is the title, merged across the table, as printed tables head themselves
    _text(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = openpyxl.styles.Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers[0]))
    wrap = openpyxl.styles.Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, start=top):
        for c, text in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if text:
                _text(cell, text)
            cell.alignment = wrap
    for a, c, b, d in merges:
        ws.merge_cells(start_row=a + top, start_column=c + 1, end_row=b + top, end_column=d + 1)
    bold = openpyxl.styles.Font(bold=True)
    for r in range(top, top + len(headers)):
        for cell in ws[r]:
            cell.font = bold
    for k, note in enumerate(notes, start=top + len(rows) + 1):
        _text(ws.cell(row=k, column=1), note)
    letter = openpyxl.utils.get_column_letter
    for c, head in enumerate(headers[0], start=1):
        ws.column_dimensions[letter(c)].width = 40 if head == "评分标准" else 16
    ws.freeze_panes = ws.cell(row=top + len(headers), column=1)
    book.properties.title = title
    replace_atomically(target, book.save)


def _write_docx(
    target: Path,
    title: str,
    headers: Sequence[list[str]],
    body: Sequence[list[str]],
    merges: Any,
    notes: Sequence[str],
) -> None:
    try:
        import docx
    except ImportError:
        raise ImportError("writing .docx needs python-docx: pip install 'perfrules[import]'") from None
    document = docx.Document()
    document.add_paragraph(title)
    rows = [*headers, *body]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    # Row by row: table.cell(r, c) lays out the whole grid at each call, which made a
    # table of a few hundred cells take seconds.
    for table_row, row in zip(table.rows, rows, strict=True):
        cells = table_row.cells
        for c, text in enumerate(row):
            lines = text.split("\n")
            cell = cells[c]
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    for a, c, b, d in merges:
        first = table.cell(a, c)
        keep = len(first.paragraphs)
        merged = first.merge(table.cell(b, d))
        for paragraph in list(merged.paragraphs)[keep:]:
            paragraph._element.getparent().remove(paragraph._element)
    for note in notes:
        # A note row spans the table, as printed tables carry their 注 (the importer reads it back).
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        merged.text = note
    replace_atomically(target, lambda temp: document.save(temp))
