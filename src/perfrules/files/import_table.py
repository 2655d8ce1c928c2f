"""From the printed table to a draft scheme: ``perfrules import`` and :func:`import_table`.

A published 指标体系 is a table — 一级指标 / 二级指标 / 序号 / 指标名称 / 分值 or
权重 (often one column per category) / 评分标准 / 数据来源 … — in a Word document
or a workbook, with merged cells for groups. :func:`import_table` reads such a
table (.xlsx, .docx, CSV) and writes what it finds as scheme data:

- columns are recognised by their header words (``--columns`` names the
  others), over one or more header rows (权重 above 委/局/办);
- merged group cells make the tree; a points total printed in a group's cell
  (「党政主要领导(1000分)」, 「行政业绩(45%)」) becomes its declared subtotal; a
  group column that only some rows of a group fill is kept as those
  indicators' metadata;
- each scoring cell goes through the library's own readers: grade bands
  (:meth:`GradeScale.parse`), formulas (:meth:`Formula.parse`), and the
  published phrases for defaults (``没有…的，默认为“良”区中值``), weight that
  moves (``…权重调整至…``), deductions and bonuses (``每…扣X分，扣完为止``,
  ``最多扣X分``) and vetoes (``…的，一票否决``).

Nothing is guessed: what is not read stays in the draft as its original text
in a ``todo`` (with its table row and column) on the indicator it belongs to;
``perfrules validate`` lists the todos and scoring refuses the draft until
they are written by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import attrs

from .._errors import DataError, Problem, SchemeError
from ..scheme.fields import FREQUENCIES
from ..scheme.model import Scheme
from .table_grid import _NUMBER, _clean, _Grid, _header_row, _role_of, _text, parse_columns, read_grid
from .table_rules import _one_line, _plain, _read_rule

# parse_columns reads the ``columns`` text import_table() takes; it is named here for its callers.
__all__ = ["ImportedTable", "import_table", "parse_columns"]

_GROUP_TOTAL: Final = re.compile(
    r"^(?P<name>.*?)\s*[（(]\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>%|分)\s*[)）]\s*$", re.S
)
_EMPTY: Final = ("", "—", "-", "/", "无", "——")


# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ImportedTable:
    """What :func:`import_table` read: the draft scheme and how much of the table it read.

    Attributes:
        scheme: the draft; its ``todos()`` are what is left to write by hand.
        read: how many rules (grade bands, formulas, policies, parts) were
            read from the scoring cells.
        left: how many todos the draft holds.
        source: the file and the sheet or table read.
        columns: each header and the role it was given.
    """

    scheme: Scheme
    read: int
    left: int
    source: str
    columns: tuple[tuple[str, str], ...]

    def toml(self) -> str:
        """The draft as a scheme file, with a comment saying where it came from."""
        from .dump import dumps

        head = (
            f"# Draft imported from {self.source} by `perfrules import`.\n"
            f"# Read {self.read} rule(s); {self.left} todo(s) left to write by hand "
            "(`perfrules validate` lists them; scoring is refused until none remain).\n\n"
        )
        return head + dumps(self.scheme)


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


def _number(text: str) -> tuple[Decimal, str] | None:
    m = _NUMBER.match(text.replace(",", ""))
    if not m:
        return None
    try:
        return Decimal(m.group("n")), m.group("unit") or ""
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def _score_intervals(text: str) -> dict[str, list[int | Decimal]]:
    """``优 90–100；良 80–90`` → each grade's score interval."""
    out: dict[str, list[int | Decimal]] = {}
    for m in re.finditer(
        r"(?P<g>[^\s；;，,0-9]+)\s*(?P<a>-?\d+(?:\.\d+)?)\s*[–—~至-]\s*(?P<b>-?\d+(?:\.\d+)?)", text
    ):
        out[m.group("g")] = [_plain(Decimal(m.group("a"))), _plain(Decimal(m.group("b")))]
    return out


def _group_cell(text: str) -> tuple[str, Decimal | None, str]:
    """A group's name, and the points total or percent printed in its cell."""
    m = _GROUP_TOTAL.match(text)
    if m and _clean(m.group("name")):
        return _one_line(m.group("name")), Decimal(m.group("n")), m.group("unit")
    return _one_line(text), None, ""


def import_table(
    source: str | Path,
    *,
    table: str | int | None = None,
    columns: Mapping[str, str] | str | None = None,
    name: str | None = None,
) -> ImportedTable:
    """Read a published indicator table into a draft scheme.

    Args:
        source: a Word document (.docx, needs python-docx), a workbook
            (.xlsx, needs openpyxl) or a CSV file. ``pip install 'perfrules[import]'``.
        table: the table of a document (1, 2 …) or the sheet of a workbook
            (its name or number); by default the one whose header names the
            most known columns.
        columns: headers the words of :data:`~perfrules.files.table_grid.ROLES` do not recognise, as
            ``{"表头": "role"}`` or the ``--columns`` text (``考评办法=rule``).
        name: the scheme's name (default: the title above the table — a
            document's heading, a workbook's line above the header — or the
            file's name).

    Returns:
        The draft, with how many rules were read and how many todos are left.
        The draft is a valid scheme: every cell that could not be read is a
        todo on its indicator, and a table whose weights or points do not
        add up gets a todo saying so.

    Raises:
        DataError: the file has no table with a recognisable header.
        ImportError: the reader for the file's format is not installed.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "指标.csv")
    ...     _ = path.write_text(
    ...         "一级指标,序号,指标名称,分值,评分标准\\n"
    ...         "依法行政(30分),1,依法行政成效,20,每发现一起违法行政行为扣2分，扣完为止\\n"
    ...         ",2,公文处理,10,按时办结\\n", encoding="utf-8")
    ...     imported = import_table(path)
    >>> imported.read, imported.left
    (1, 2)
    >>> imported.scheme.indicator("1").policies[0].terms
    (('发现违法行政行为', Decimal('-2')),)
    >>> [str(t) for _, t in imported.scheme.todos()]
    ["row 3, column '评分标准': note: 按时办结", "row 3, column '评分标准': scale: (no grade bands or score formula read)"]
    """
    path = Path(source)
    mapping = (
        parse_columns(columns)
        if isinstance(columns, str)
        else {_clean(k): v for k, v in (columns or {}).items()}
    )
    grid = read_grid(path, table)
    mapping_data, read, left, roles = _draft(
        grid, mapping, name or _title(grid, mapping) or path.stem, str(path)
    )
    where = f"{path}" + (f", {grid.label}" if grid.label else "")
    from .load import scheme_from_mapping

    scheme = scheme_from_mapping(mapping_data)
    return ImportedTable(scheme=scheme, read=read, left=left, source=where, columns=tuple(roles))


def _title(grid: _Grid, mapping: Mapping[str, str]) -> str:
    """The table's title: a heading before it, or a line above its header (表1：2010年…指标体系)."""
    header_at, _ = _header_row(grid, mapping)
    for r in range(header_at - 1, -1, -1):
        texts = {t for t in grid.rows[r] if t.strip()}
        if len(texts) == 1:
            return _one_line(texts.pop())
    return _one_line(grid.title)


def _draft(
    grid: _Grid, mapping: Mapping[str, str], title: str, origin: str
) -> tuple[dict[str, Any], int, int, list[tuple[str, str]]]:
    header_at, _ = _header_row(grid, mapping)
    width = max(len(r) for r in grid.rows)
    top = [_text(grid, header_at, c) for c in range(width)]
    # A second header row: labels under a merged 权重/分值 cell (委/局/办).
    sub: list[str] | None = None
    if header_at + 1 < len(grid.rows):
        below = [_text(grid, header_at + 1, c) for c in range(width)]
        labels = [
            c
            for c in range(width)
            if below[c] and below[c] != top[c] and _role_of(top[c], mapping) in ("weight", "points")
        ]
        others = [c for c in range(width) if below[c] and below[c] != top[c] and c not in labels]
        if labels and not others and not any(_number(b) for b in below if b):
            sub = below
    headers = []
    for c in range(width):
        head = _clean(top[c])
        if sub is not None and sub[c] and sub[c] != top[c]:
            head = f"{head}/{_clean(sub[c])}"
        headers.append(head)
    body_from = header_at + (2 if sub is not None else 1)
    roles: dict[int, str] = {}
    for c, head in enumerate(headers):
        if not head:
            continue
        role = _role_of(head, mapping)
        if role is not None and role != "ignore":
            roles[c] = role
    group_cols = [c for c, r in roles.items() if r == "group"]
    name_cols = [c for c, r in roles.items() if r == "name"]
    if name_cols:
        name_col = name_cols[-1]
    elif group_cols:
        name_col = group_cols.pop()  # the deepest level names the indicators (三级指标)
        roles[name_col] = "name"
    else:
        raise DataError(
            [Problem(origin, "no column names the indicators (指标名称, 二级指标 … or --columns NAME=name)")],
            title=f"cannot read {origin}",
        )
    code_col = next((c for c, r in roles.items() if r == "code"), None)
    points_cols = [c for c, r in roles.items() if r == "points"]
    weight_cols = [c for c, r in roles.items() if r == "weight"]
    value_cols = points_cols or weight_cols
    basis = "points" if points_cols else "percent"
    categories = [headers[c].split("/", 1)[1] for c in value_cols if "/" in headers[c]]
    if len(categories) != len(value_cols):
        categories = []
    rule_cols = [c for c, r in roles.items() if r == "rule"]
    role_list = [(headers[c], roles[c]) for c in sorted(roles)]

    # The rows that are indicators.
    leaves: list[dict[str, Any]] = []
    scheme_todo: list[dict[str, Any]] = []
    scheme_stand_in: list[str] = []
    scheme_scores: dict[str, list[int | Decimal]] = {}
    for r in range(body_from, len(grid.rows)):
        number = grid.numbers[r]
        cells = [_text(grid, r, c) for c in range(width)]
        own = [
            grid.rows[r][c] if c < len(grid.rows[r]) and (r, c) not in grid.origin else ""
            for c in range(width)
        ]
        if not any(cells):
            continue
        name_text = (
            _one_line(cells[name_col]) if (r, name_col) not in grid.origin or not grid.merges_known else ""
        )
        code = _clean(cells[code_col]) if code_col is not None else ""
        distinct = {t for t in cells if t}
        if not name_text or (len(distinct) == 1 and code_col is not None and not code):
            # A notes row (注：…), a 合计 row, or a page's repeated header: kept when it says something.
            text = " ".join(sorted(distinct, key=cells.index))
            if (
                distinct
                and not any(_clean(t) == h for t in distinct for h in headers)
                and not re.match(r"^(?:合计|总计|小计)", _clean(text))
            ):
                if text.startswith("等次分数区间："):
                    scheme_scores.update(_score_intervals(text[len("等次分数区间：") :]))
                elif text.startswith("替代规则："):
                    scheme_stand_in.append(text[len("替代规则：") :])
                else:
                    scheme_todo.append({"about": "note", "text": text.removeprefix("待补："), "row": number})
            continue
        if name_text in headers and _clean(cells[code_col] if code_col is not None else "") in headers:
            continue  # a header repeated on a new page
        leaves.append({"row": number, "r": r, "cells": cells, "own": own, "name": name_text, "code": code})
    if not leaves:
        raise DataError(
            [Problem(origin, "the table has a header but no indicator rows")], title=f"cannot read {origin}"
        )

    # Groups: level by level; a column that only some rows of a group fill is metadata.
    paths: list[list[str]] = [[] for _ in leaves]
    metadata: list[dict[str, str]] = [{} for _ in leaves]
    declared: dict[tuple[str, ...], tuple[Decimal, str]] = {}
    for c in group_cols:
        values: list[str] = []
        last: dict[tuple[str, ...], str] = {}
        for k, leaf in enumerate(leaves):
            text = leaf["cells"][c]
            parent = tuple(paths[k])
            if not text and not grid.merges_known:
                text = last.get(parent, "")  # CSV: a blank group cell continues the one above
            if text:
                last[parent] = text
            values.append(text)
        by_parent: dict[tuple[str, ...], list[int]] = {}
        for k in range(len(leaves)):
            by_parent.setdefault(tuple(paths[k]), []).append(k)
        for members in by_parent.values():
            filled = [k for k in members if values[k]]
            if len(filled) == len(members):
                for k in members:
                    group, total, unit = _group_cell(values[k])
                    paths[k].append(group)
                    if total is not None:
                        declared[tuple(paths[k])] = (total, unit)
            else:
                for k in filled:
                    metadata[k][headers[c]] = _one_line(values[k])
    if not any(paths):
        paths = [[title] for _ in leaves]
    names = {_clean(leaf["name"]): leaf["code"] or str(k + 1) for k, leaf in enumerate(leaves)}

    groups: list[dict[str, Any]] = []
    seen_groups: dict[tuple[str, ...], str] = {}
    indicators: list[dict[str, Any]] = []
    reads: list[int] = []
    places: list[tuple[int, str]] = []
    for k, leaf in enumerate(leaves):
        path = paths[k] or [title]
        for depth in range(1, len(path) + 1):
            key = tuple(path[:depth])
            if key in seen_groups:
                continue
            gname = path[depth - 1]
            if gname in seen_groups.values():
                gname = f"{gname}（{path[depth - 2]}）" if depth > 1 else gname
            seen_groups[key] = gname
            entry: dict[str, Any] = {"name": gname}
            if depth > 1:
                entry["parent"] = seen_groups[key[:-1]]
            if key in declared:
                total, unit = declared[key]
                if (unit == "%" and basis == "percent") or (unit == "分" and basis == "points"):
                    entry["declared"] = _plain(total)
            groups.append(entry)
        cells = leaf["cells"]
        ind: dict[str, Any] = {
            "code": leaf["code"] or str(k + 1),
            "name": leaf["name"],
            "group": seen_groups[tuple(path)],
        }
        todo: list[dict[str, Any]] = []
        for c, role in sorted(roles.items()):
            text = cells[c].strip()
            if role == "source" and text:
                ind["source"] = "、".join(_one_line(p) for p in text.splitlines() if p.strip())
            elif role == "definition" and text:
                ind["definition"] = _one_line(text)
            elif role == "frequency" and text:
                freq = FREQUENCIES.get(_clean(text))
                if freq is not None:
                    ind["frequency"] = freq
                else:
                    metadata[k][headers[c]] = _clean(text)
            elif role == "metadata" and text and headers[c] == "备注":
                # A published table (perfrules table) marks stand-ins and todos here.
                kept = []
                for line in (ln.strip() for ln in text.splitlines() if ln.strip()):
                    if line.startswith("替代规则："):
                        ind["stand_in"] = line[len("替代规则：") :]
                    elif line.startswith("待补："):
                        todo.append(
                            {
                                "about": "note",
                                "text": line[len("待补：") :],
                                "row": leaf["row"],
                                "column": "备注",
                            }
                        )
                    else:
                        kept.append(line)
                if kept:
                    metadata[k][headers[c]] = "\n".join(kept)
            elif role == "metadata" and text:
                metadata[k][headers[c]] = "、".join(_one_line(p) for p in text.splitlines() if p.strip())
        # Weights or points: one column, or one per category.
        weights: dict[str, int | Decimal] = {}
        for i, c in enumerate(value_cols):
            text = cells[c].strip()
            got = _number(text) if text not in _EMPTY else None
            if got is None:
                todo.append(
                    {
                        "about": "weight",
                        "text": text,
                        "row": leaf["row"],
                        "column": headers[c],
                        "note": "no points or weight given" if not text else "not a number",
                    }
                )
                continue
            weights[categories[i] if categories else ""] = _plain(got[0])
        if not value_cols:
            todo.append(
                {"about": "weight", "row": leaf["row"], "note": "the table has no 分值 or 权重 column"}
            )
        if categories and weights:
            ind["weights"] = weights
        elif weights:
            ind["weight"] = weights[""]
        if metadata[k]:
            ind["metadata"] = metadata[k]
        rule_text = "\n".join(cells[c] for c in rule_cols if cells[c].strip())
        column = headers[rule_cols[0]] if rule_cols else ""
        reading = _read_rule(rule_text, leaf["row"], column, basis, names)
        reads.append(reading.read)
        places.append((leaf["row"], column))
        if reading.scale is not None:
            ind["scale"] = reading.scale
        if reading.steps:
            ind["steps"] = reading.steps
        if reading.score is not None:
            ind["score"] = reading.score
        if reading.value is not None:
            ind["value"] = reading.value
        if reading.policies:
            ind["policies"] = reading.policies
        todo += reading.todo
        if not rule_text.strip():
            todo.append(
                {
                    "about": "scale",
                    "row": leaf["row"],
                    **({"column": column} if column else {}),
                    "note": "the table gives no scoring rule",
                }
            )
        if todo:
            ind["todo"] = todo
        indicators.append(ind)

    # The scheme: basis, categories, full marks.
    data: dict[str, Any] = {"format": "perfrules-scheme/1", "name": title, "basis": basis}
    if categories:
        data["categories"] = categories
    tops = [g for g in groups if "parent" not in g]
    if basis == "points":
        full: Decimal
        if tops and all("declared" in g for g in tops):
            full = sum((Decimal(str(g["declared"])) for g in tops), start=Decimal(0))
        else:
            full = sum((Decimal(str(i.get("weight", 0))) for i in indicators), start=Decimal(0)) or Decimal(
                100
            )
        data["total"] = _plain(full)
    else:
        data["total"] = 100
    data["groups"] = groups
    data["indicators"] = indicators
    if scheme_todo:
        data["todo"] = scheme_todo
    if scheme_scores:
        data["scores"] = scheme_scores
    if scheme_stand_in:
        data["stand_in"] = "\n".join(scheme_stand_in)
    data = _settle(data, reads, places)
    read = sum(reads)
    left = len(data.get("todo", [])) + sum(len(i.get("todo", [])) for i in data["indicators"])
    return data, read, left, role_list


def _settle(data: dict[str, Any], reads: list[int], places: list[tuple[int, str]]) -> dict[str, Any]:
    """Build the draft; what the scheme's checks refuse becomes a todo instead, until it builds.

    An indicator whose rules were read but do not make a valid indicator (a
    points scheme's grades with no points) keeps them as the todo's text, and
    its rules no longer count as read; weights that do not add up become a
    scheme todo.
    """
    from .load import scheme_from_mapping

    for _ in range(len(data["indicators"]) + 3):
        try:
            scheme_from_mapping(data)
            return data
        except SchemeError as exc:
            problems = exc.problems
        moved = False
        for problem in problems:
            m = re.match(r"indicators\[(\d+)\]", problem.path)
            if m:
                k = int(m.group(1))
                ind = data["indicators"][k]
                texts = []
                for key in ("scale", "steps", "score", "value", "policies"):
                    if key in ind:
                        texts.append(_shown(key, ind.pop(key)))
                row, column = places[k]
                entry = {
                    "about": "scale",
                    "text": "\n".join(texts),
                    "row": row,
                    "note": f"read, but {problem.message}",
                }
                if column:
                    entry["column"] = column
                ind.setdefault("todo", []).append(entry)
                reads[k] = 0
                moved = True
                break
            if problem.path.startswith(("weights", "groups")) or ".declared" in problem.path:
                data.setdefault("todo", []).append({"about": "weight", "note": problem.message})
                moved = True
        if not moved:
            raise SchemeError(problems, title="the imported table does not make a scheme")
    return data


def _shown(key: str, value: Any) -> str:
    if key == "scale":
        return str(value.get("rule", value))
    if isinstance(value, list):
        return "；".join(
            str(v.get("reason") or v.get("target") or v) if isinstance(v, dict) else str(v) for v in value
        )
    return str(value)
