"""A printed indicator table as a grid of cell texts, with its columns recognised by their header words.

:func:`~perfrules.import_table` reads a published 指标体系 from a workbook, a
Word document or CSV; this module turns the file into a :class:`_Grid` (merged
cells repeat their text and know their first cell; the table with the most
indicator-like columns wins when a file holds several), finds its header rows,
and gives each column a role (``group``, ``name``, ``points``, ``rule`` …) by
the words of :data:`ROLES` or a ``--columns`` mapping.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from .._errors import DataError, Problem
from ..formula.language import normalize_name
from .encoding import read_text

__all__ = ["ROLES", "parse_columns", "read_grid"]

# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------

ROLES: Final[Mapping[str, tuple[str, ...]]] = {
    "group": ("项目", "一级指标", "二级指标", "三级指标", "四级指标", "类别", "考核类别", "指标类别"),
    "name": (
        "指标名称",
        "二级指标名称",
        "三级指标名称",
        "考核项目",
        "考核指标",
        "评估指标",
        "指标",
        "名称",
    ),
    "code": ("序号", "编号", "指标序号"),
    "points": ("分值", "赋分", "分数", "标准分", "满分", "基础分"),
    "weight": ("权重", "权重(%)", "权重（%）", "比重"),
    "definition": ("考核内容", "考核要点", "内容与要求", "指标释义", "指标说明", "指标解释", "主要内容"),
    "rule": (
        "评分标准",
        "计分方法",
        "评估标准",
        "计算方法",
        "计分标准",
        "评分细则",
        "赋分方法",
        "评分办法",
        "评分方法",
        "考核标准",
        "评价标准",
        "计分办法",
        "考核方法",
    ),
    "source": (
        "数据来源",
        "数据采集单位",
        "数据采集、报送责任单位",
        "数据采集、报送 责任单位",
        "报送单位",
        "数据提供单位",
        "考核单位",
        "评分单位",
    ),
    "metadata": ("责任单位", "责任科室", "责任人", "牵头单位", "配合单位", "责任处室", "备注"),
    "frequency": ("报送频度", "频度", "报送频率", "考核频次"),
    "ignore": (),
}
"""Column roles and the header words that name them (``--columns`` adds others)."""

_NUMBER: Final = re.compile(r"^\s*(?P<n>-?\d+(?:\.\d+)?)\s*(?P<unit>%|分)?\s*$")


def parse_columns(text: str) -> dict[str, str]:
    """Read a ``--columns`` mapping: ``表头=角色`` pairs separated by commas.

    Roles are those of :data:`ROLES` (``group``, ``name``, ``code``,
    ``points``, ``weight``, ``definition``, ``rule``, ``source``,
    ``metadata``, ``frequency``, ``ignore``).

    >>> parse_columns("考评办法=rule, 牵头处室=metadata")
    {'考评办法': 'rule', '牵头处室': 'metadata'}
    """
    out: dict[str, str] = {}
    for part in re.split(r"[,，;；]", text):
        if not part.strip():
            continue
        header, sep, role = part.partition("=")
        role = role.strip()
        if not sep or role not in ROLES:
            raise ValueError(
                f"--columns: '{part.strip()}' should be HEADER=ROLE with ROLE one of {', '.join(ROLES)}"
            )
        out[_clean(header)] = role
    return out


def _clean(text: str) -> str:
    """A header or name as one line: line breaks and spaces inside Chinese text dropped."""
    return normalize_name("".join(text.split()))


def _role_of(header: str, columns: Mapping[str, str]) -> str | None:
    text = _clean(header)
    top = _clean(header.split("/")[0])
    for key in (text, top):
        if key in columns:
            return columns[key]
    best: tuple[int, str] | None = None
    for role, words in ROLES.items():
        for word in words:
            w = _clean(word)
            if top == w:
                return role
            if w in top and (best is None or len(w) > best[0]):
                best = (len(w), role)
    return best[1] if best else None


# ---------------------------------------------------------------------------
# Reading the grid
# ---------------------------------------------------------------------------


@attrs.frozen
class _Grid:
    """A table as text cells; merged cells repeat their text and know their first cell."""

    rows: tuple[tuple[str, ...], ...]
    numbers: tuple[int, ...]  # each row's number in the source (1-based)
    origin: Mapping[tuple[int, int], tuple[int, int]]  # covered cell → the merged range's first cell
    merges_known: bool
    label: str  # the sheet or table read
    title: str = ""  # the text printed above the table (a document's heading), if any


def _cell_text(value: object, number_format: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in number_format:
            d = d * 100
            return format(d.normalize(), "f") + "%"
        text = format(d.normalize(), "f")
        return text
    return str(value).strip()


def read_grid(path: Path, table: str | int | None) -> _Grid:
    """The grid of the table in *path* (.xlsx/.xlsm, .docx or CSV): *table* picks a sheet or a Word table."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_grid(path, table)
    if suffix == ".docx":
        return _docx_grid(path, table)
    if suffix == ".doc":
        raise DataError(
            [Problem(str(path), "old .doc files are not read; save it as .docx")], title=f"cannot read {path}"
        )
    if table is not None:
        raise DataError(
            [Problem(str(path), "a CSV file has one table; leave out the table choice")],
            title=f"cannot read {path}",
        )
    return _csv_grid(path)


def _xlsx_grid(path: Path, table: str | int | None) -> _Grid:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("reading .xlsx needs openpyxl: pip install 'perfrules[import]'") from None
    book = openpyxl.load_workbook(path, data_only=True)
    if isinstance(table, int):
        if not 1 <= table <= len(book.worksheets):
            raise DataError(
                [Problem(str(path), f"there is no sheet {table}; the workbook has {len(book.worksheets)}")],
                title=f"cannot read {path}",
            )
        sheets = [book.worksheets[table - 1]]
    elif table is not None:
        if table not in book.sheetnames:
            raise DataError(
                [Problem(str(path), f"no sheet '{table}'; the sheets are {', '.join(book.sheetnames)}")],
                title=f"cannot read {path}",
            )
        sheets = [book[table]]
    else:
        sheets = list(book.worksheets)
    grids = []
    for ws in sheets:
        rows = []
        for row in ws.iter_rows():
            rows.append(tuple(_cell_text(c.value, c.number_format or "") for c in row))
        origin: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        origin[(r - 1, c - 1)] = (rng.min_row - 1, rng.min_col - 1)
        grids.append(
            _Grid(
                rows=tuple(rows),
                numbers=tuple(range(1, len(rows) + 1)),
                origin=origin,
                merges_known=True,
                label=f"sheet '{ws.title}'",
            )
        )
    return _best(grids, path)


def _docx_grid(path: Path, table: str | int | None) -> _Grid:
    try:
        import docx
    except ImportError:
        raise ImportError("reading .docx needs python-docx: pip install 'perfrules[import]'") from None
    document = docx.Document(str(path))
    tables = list(document.tables)
    if not tables:
        raise DataError([Problem(str(path), "the document has no table")], title=f"cannot read {path}")
    if table is not None:
        try:
            index = int(table)
        except ValueError:
            raise DataError(
                [Problem(str(path), f"choose a table by its number, 1 to {len(tables)} (got '{table}')")],
                title=f"cannot read {path}",
            ) from None
        if not 1 <= index <= len(tables):
            raise DataError(
                [Problem(str(path), f"there is no table {index}; the document has {len(tables)}")],
                title=f"cannot read {path}",
            )
        chosen = [(index, tables[index - 1])]
    else:
        chosen = list(enumerate(tables, start=1))
    grids = []
    for index, t in chosen:
        rows: list[tuple[str, ...]] = []
        origin: dict[tuple[int, int], tuple[int, int]] = {}
        first: dict[Any, tuple[int, int]] = {}  # keyed by the cell element itself, which stays alive
        for r, row in enumerate(t.rows):
            texts = []
            for c, cell in enumerate(row.cells):
                key = cell._tc
                if key in first:
                    origin[(r, c)] = first[key]
                else:
                    first[key] = (r, c)
                texts.append("\n".join(p.text for p in cell.paragraphs).strip())
            rows.append(tuple(texts))
        grids.append(
            _Grid(
                rows=tuple(rows),
                numbers=tuple(range(1, len(rows) + 1)),
                origin=origin,
                merges_known=True,
                label=f"table {index}",
                title=_heading_before(t),
            )
        )
    return _best(grids, path)


def _heading_before(table: Any) -> str:
    """The last non-empty paragraph before a Word table: its title, as documents print it."""
    element = table._tbl.getprevious()
    while element is not None:
        if element.tag.endswith("}p"):
            text = "".join(t.text or "" for t in element.iter() if t.tag.endswith("}t")).strip()
            if text:
                return text
        elif element.tag.endswith("}tbl"):
            return ""
        element = element.getprevious()
    return ""


def _csv_grid(path: Path) -> _Grid:
    text = read_text(path.read_bytes(), str(path))
    rows = tuple(tuple(c.strip() for c in row) for row in csv.reader(io.StringIO(text)))
    return _Grid(rows=rows, numbers=tuple(range(1, len(rows) + 1)), origin={}, merges_known=False, label="")


def _best(grids: Sequence[_Grid], path: Path) -> _Grid:
    """The sheet or table with the best header (the first one, on a tie)."""
    scored = [(_header_row(g, {})[1], -i, g) for i, g in enumerate(grids)]
    best = max(scored, key=lambda s: (s[0], s[1]))
    if best[0] < 2:
        raise DataError(
            [
                Problem(
                    str(path), "no table with a recognisable header (序号, 指标名称, 分值, 权重, 评分标准 …)"
                )
            ],
            title=f"cannot read {path}",
        )
    return best[2]


def _text(grid: _Grid, r: int, c: int) -> str:
    r0, c0 = grid.origin.get((r, c), (r, c))
    row = grid.rows[r0]
    return row[c0] if c0 < len(row) else ""


def _header_row(grid: _Grid, columns: Mapping[str, str]) -> tuple[int, int]:
    """The header row (0-based) and how many of its cells name a known column."""
    best = (0, 0)
    for r in range(min(len(grid.rows), 12)):
        roles = {
            _role_of(t, columns)
            for c in range(len(grid.rows[r]))
            if (t := _text(grid, r, c)) and not _NUMBER.match(t)
        }
        score = len(roles - {None})
        if score > best[1]:
            best = (r, score)
    return best
