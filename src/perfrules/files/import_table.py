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

import csv
import io
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import attrs

from .._errors import DataError, PerfrulesError, Problem, SchemeError
from ..formula.language import Formula, normalize_name
from ..grading.scale import GradeScale
from ..scheme.fields import FREQUENCIES
from ..scheme.model import Scheme
from .tables import read_text

__all__ = ["ROLES", "ImportedTable", "import_table", "parse_columns"]

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

_GROUP_TOTAL: Final = re.compile(
    r"^(?P<name>.*?)\s*[（(]\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>%|分)\s*[)）]\s*$", re.S
)
_NUMBER: Final = re.compile(r"^\s*(?P<n>-?\d+(?:\.\d+)?)\s*(?P<unit>%|分)?\s*$")
_EMPTY: Final = ("", "—", "-", "/", "无", "——")


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
        from .load import dumps

        head = (
            f"# Draft imported from {self.source} by `perfrules import`.\n"
            f"# Read {self.read} rule(s); {self.left} todo(s) left to write by hand "
            "(`perfrules validate` lists them; scoring is refused until none remain).\n\n"
        )
        return head + dumps(self.scheme)


# ---------------------------------------------------------------------------
# Scoring cells
# ---------------------------------------------------------------------------

_NOTE_START: Final = re.compile(r"(?:说明|注|备注)\s*[:：]")
_ITEM_SPLIT: Final = re.compile(r"(?:^|\n|(?<=[;；。]))\s*(?:[（(]\d{1,2}[)）]|\d{1,2}[.、．](?!\d))\s*")
_DEFAULT: Final = re.compile(
    r"(?:没有|无|未发生|当期没有|当期无)(?P<what>.+?)的?[,，]?\s*默认为?\s*[“\"‘']?(?P<grade>[^“”\"‘’'区,，。;；\s]+)[“”\"‘’']?"
    r"\s*(?P<where>区中值|区上限|区下限|上限|下限|中值)?"
)
_MOVES: Final = re.compile(r"^(?:无|没有)(?P<what>.+?)的.*?权重.*?调整(?:至|到|给)(?P<to>[^,，。;；]+)")
_EACH: Final = re.compile(
    r"(?P<before>[^,，;；。]*?)[,，]?\s*每(?P<what>(?:「[^」]+」|[^,，;；。扣减加「])*?)(?P<op>扣|减|加)\s*(?P<n>\d+(?:\.\d+)?)\s*分"
)
_CAP: Final = re.compile(
    r"(?:最多|最高|累计最多|合计最高|累计最高|最多可|不超过|上限为?|封顶)\s*(?:扣|减|加)?\s*(?P<n>\d+(?:\.\d+)?)\s*分"
)
_VETO: Final = re.compile(r"^(?P<what>.+?)的?[,，]?\s*(?:实行|予以|给予|作)?\s*一票否决")
_MEASURE: Final = re.compile(r"^[一1]?[处件项次起个人条宗家名例份]")
_GRADE_HEAD: Final = re.compile(r"^(?P<name>[^:：;；。,，]{2,40}?)\s*[:：]\s*(?P<rule>.+)$", re.S)


class _Reading:
    """What one indicator's scoring cell gives (mutable while the cell is read)."""

    def __init__(self) -> None:
        self.scale: dict[str, Any] | None = None
        self.steps: list[Any] = []
        self.score: str | None = None
        self.value: str | None = None
        self.policies: list[dict[str, Any]] = []
        self.todo: list[dict[str, Any]] = []
        self.read = 0


def _band_text(text: str) -> str:
    """Printed bands as one text: lines joined, a line break kept only where no separator ends a line."""
    out = ""
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        if out and not out.endswith((";", "；", "。", ":", "：", ",", "，", "—")):
            out += "\n"
        out += line
    return out


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text).strip()


def _formula(text: str) -> Formula | None:
    square = text.replace("〔", "(").replace("〕", ")")
    # A qualifier in brackets after a name (…案件数(行政处罚案件)) is not part of the formula.
    bare = re.sub(r"[(（][\u4e00-\u9fff、]+[)）]", "", square)
    for attempt in (text, square, bare):
        try:
            f = Formula.parse(attempt)
        except PerfrulesError:
            continue
        if f.target is not None:
            return f
    return None


def _scale(text: str, variable: str = "得分") -> GradeScale | None:
    found = _read_scale(text, variable)
    return None if found is None else found[1]


_MIDPOINT_NOTE: Final = (
    "the table gives no range for the graded value, so a value's place within its grade has no scale: "
    'each grade scores its midpoint (scoring = "midpoint"); set `domain` to interpolate instead, '
    "then delete this todo"
)


def _why(text: str) -> str:
    """What GradeScale.parse says about bands it cannot read (its first problem)."""
    try:
        GradeScale.parse(text, scoring="midpoint")
    except SchemeError as exc:
        return exc.problems[0].message if exc.problems else str(exc)
    except (PerfrulesError, ValueError, TypeError) as exc:
        return str(exc).splitlines()[0]
    return "the bands need settings the table does not give"


def _read_scale(
    text: str, variable: str = "得分", given: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], GradeScale, str] | None:
    """Grade bands read by GradeScale.parse: the scale's table, the scale, and a note when a setting was added.

    Bands printed in percentages are read as a rate from 0 to 100% (``domain = [0, 1]``);
    other open-ended bands score each grade's midpoint, with a todo saying so.
    """
    numbers = re.findall(r"(\d+(?:\.\d+)?)\s*(%?)", text)
    percent = any(p for _, p in numbers) and all(p or Decimal(n) == 0 for n, p in numbers)
    attempts: list[tuple[dict[str, Any], str]] = [(dict(given), "")] if given else []
    attempts.append(({}, ""))
    if percent:
        attempts.append(({"domain": [0, 1]}, ""))
    attempts.append(({"scoring": "midpoint"}, _MIDPOINT_NOTE))
    tops = [Decimal(n) for n, _ in numbers]
    if tops and min(tops) >= 0 and max(tops) == 100 and not percent:
        top = _plain(max(tops))
        attempts.append(
            (
                {"domain": [0, top]},
                f"the bands stop at {top}, so the graded value is read as running from 0 to {top} "
                "(`domain`); check it, then delete this todo",
            )
        )
    for settings, note in attempts:
        given = {k: tuple(v) if k == "domain" else v for k, v in settings.items()}
        try:
            scale = GradeScale.parse(text, variable=variable, **given)
        except (PerfrulesError, ValueError, TypeError):
            continue
        return {"rule": text, **settings}, scale, note
    return None


def _field_name(what: str, before: str) -> str:
    """The data field that counts the items of a deduction or bonus (每发现一处问题 → 发现问题)."""
    what = what.strip()
    if not what or _MEASURE.fullmatch(what):
        base = re.sub(r"^(?:获得|发生|出现|被)", "", before.strip())
        return _clean(base.rstrip("的")) + "数"
    if what.startswith("「") and what.endswith("」"):
        return what[1:-1]
    return _clean(re.sub(r"一[处件项次起个人条宗家名例份]", "", what))


_WHEN: Final = re.compile(r"^(?P<cond>.+?)(?:时|的)\s*[,，]\s*(?P<then>.+)$")
_RANGE: Final = re.compile(
    r"^取值范围\s*[:：]?\s*(?P<lo>-?\d+(?:\.\d+)?)\s*(?:至|到|~|～|-|—)\s*(?P<hi>-?\d+(?:\.\d+)?)$"
)


def _condition(text: str) -> Formula | None:
    try:
        f = Formula.parse_condition(text)
    except PerfrulesError:
        return None
    return f if f.is_condition else None


def _veto_effect(text: str) -> str:
    return "zero" if re.search(r"(?:总分|得分)(?:计|为)?0分|计零分", text) else "lowest_grade"


def _conditional(text: str, reading: _Reading, names: Mapping[str, str]) -> bool:
    """Sentences that state their condition as a formula: ``条件时，…`` and ``条件的，…``.

    ``「违规」>0时，本指标得0分`` (zero), ``…时，本指标不适用，权重调整至1`` (not applicable),
    ``…的，一票否决（总分计0分）`` (veto), ``…的，默认为“良”区中值`` (default); and
    ``取值范围：0至100`` (the scale's domain).
    """
    m = _RANGE.match(text)
    if m and reading.scale is not None:
        reading.scale["domain"] = [_plain(Decimal(m.group("lo"))), _plain(Decimal(m.group("hi")))]
        return True
    m = _WHEN.match(text)
    if not m:
        if text.startswith("本单位申报不适用时"):
            to = re.search(r"权重调整至(?P<to>.+)$", text)
            policy: dict[str, Any] = {"type": "not_applicable", "reason": text}
            if to:
                if _clean(to.group("to")) not in names and to.group("to") not in names.values():
                    return False
                policy["to"] = names.get(_clean(to.group("to")), to.group("to"))
            reading.policies.append(policy)
            return True
        return False
    condition = _condition(m.group("cond"))
    then = m.group("then")
    if then.endswith("）") and "（" in then:
        then = then[: then.index("（")]  # the published wording, in brackets after the rule
    if condition is None:
        return False
    if "一票否决" in then:
        reading.policies.append(
            {"type": "veto", "when": condition.text, "effect": _veto_effect(m.group("then")), "reason": text}
        )
        return True
    if "不适用" in then:
        policy = {"type": "not_applicable", "when": condition.text, "reason": text}
        to = re.search(r"权重调整至(?P<to>[^,，。;；（(]+)", then)
        if to:
            target = names.get(
                _clean(to.group("to")), to.group("to") if to.group("to") in names.values() else None
            )
            if target is None:
                return False
            policy["to"] = target
        reading.policies.append(policy)
        return True
    zero = re.match(r"^(?P<target>.+?)得0分$", then)
    if zero:
        policy = {"type": "zero", "when": condition.text, "reason": text}
        if zero.group("target") != "本指标":
            policy["target"] = _clean(zero.group("target"))
        reading.policies.append(policy)
        return True
    default = _DEFAULT_THEN.match(then)
    if default:
        where = default.group("where") or ""
        score = "top" if "上限" in where else "bottom" if "下限" in where else "midpoint"
        reading.policies.append(
            {
                "type": "default",
                "grade": default.group("grade"),
                "score": score,
                "when": condition.text,
                "reason": text,
            }
        )
        return True
    return False


_DEFAULT_THEN: Final = re.compile(
    r"^默认为?\s*[“\"‘']?(?P<grade>[^“”\"‘’'区,，。;；\s]+)[“”\"‘’']?\s*(?P<where>区中值|区上限|区下限)?$"
)


def _read_items(
    item: str, reading: _Reading, todo: Any, simple: bool, basis: str, names: dict[str, str]
) -> None:
    """Read one sentence of a scoring cell's explanation into scheme data, or keep it as a todo."""
    text = _one_line(item).rstrip(";；。,， ")
    if not text:
        return
    # A part graded on its own: 年度改革任务完成情况得分：优—6分；良—4分 …
    head = _GRADE_HEAD.match(text)
    found = _read_scale(head.group("rule")) if head and not re.search(r"[=＝]", head.group("name")) else None
    if head and found is not None:
        table, scale, note = found
        target = _clean(head.group("name"))
        part: dict[str, Any] = {"type": "part", "target": target, "scale": table}
        if note:
            todo("scale", item, note)
        if scale.is_categorical:
            part["of"] = target[: -len("得分")] if target.endswith("得分") else target + "等次"
        reading.steps.append(part)
        reading.read += 1
        return
    if _conditional(text, reading, names):
        reading.read += 1
        return
    if "=" in text or "＝" in text:
        formula = _formula(text)
        if formula is not None:
            reading.steps.append(formula.text)
            reading.read += 1
            return
        todo("steps", item, "not a formula perfrules can read")
        return
    if "区间中值计分" in text and reading.scale is not None:
        reading.scale["scoring"] = "midpoint"
        reading.read += 1
        return
    if "就低不就高" in text and reading.scale is not None:
        reading.scale["policy"] = "lowest"  # 同时发生…的，以就低不就高原则计分
        reading.read += 1
        return
    m = _DEFAULT.search(text)
    if m:
        where = m.group("where") or ""
        score = "top" if "上限" in where else "bottom" if "下限" in where else "midpoint"
        reading.policies.append(
            {"type": "default", "grade": m.group("grade"), "score": score, "reason": text}
        )
        reading.read += 1
        return
    m = _MOVES.match(text)
    if m:
        to = _clean(m.group("to"))
        moved_to = names.get(to)
        if moved_to is None:
            todo("policy", item, f"the weight moves to '{to}', which is not an indicator of the table")
            return
        reading.policies.append({"type": "not_applicable", "to": moved_to, "reason": text})
        reading.read += 1
        return
    m = _VETO.match(text)
    if m:
        field = _clean(m.group("what").rstrip("的"))
        reading.policies.append(
            {"type": "veto", "when": f"「{field}」>0", "effect": _veto_effect(text), "reason": text}
        )
        reading.read += 1
        return
    each = list(_EACH.finditer(text))
    named = all(e.group("what").strip() and not _MEASURE.fullmatch(e.group("what").strip()) for e in each)
    if each and (simple or named):
        items = {}
        sign = -1 if each[0].group("op") in "扣减" else 1
        if any((-1 if e.group("op") in "扣减" else 1) != sign for e in each):
            todo("policy", item, "deductions and bonuses in one sentence")
            return
        for e in each:
            items[_field_name(e.group("what"), e.group("before"))] = Decimal(e.group("n")) * sign
        policy: dict[str, Any] = {"type": "adjust", "reason": text}
        if len(items) == 1:
            ((field, points),) = items.items()
            policy |= {"per": field, "points": points}
        else:
            policy["items"] = items
        cap = _CAP.search(text)
        if cap:
            policy["cap"] = Decimal(cap.group("n"))
        reading.policies.append(policy)
        if simple and reading.scale is None and reading.score is None:
            # Deductions from full marks (or bonuses from zero) make the score.
            reading.score = ("分值" if basis == "points" else "100") if sign < 0 else "0"
        reading.read += 1
        return
    about = "policy" if re.search(r"扣|加\d|加分|默认|否决|不得分|得0分|计0分|为0", text) else "note"
    todo(about, item, "")


def _read_rule(text: str, row: int, column: str, basis: str, names: dict[str, str]) -> _Reading:
    """Read a scoring cell: grade bands, then the numbered explanation below them."""
    reading = _Reading()

    def todo(about: str, original: str, note: str) -> None:
        entry: dict[str, Any] = {"about": about, "text": original.strip(), "row": row, "column": column}
        if note:
            entry["note"] = note
        reading.todo.append(entry)

    text = text.strip()
    if not text:
        return reading
    marker = _NOTE_START.search(text)
    bands, rest = (text[: marker.start()], text[marker.end() :]) if marker else (text, "")
    items = _sentences(rest) if rest else []
    if bands.strip():
        # Settings the explanation states (取值范围：0至100; 各等次按区间中值计分) are the scale's own.
        given: dict[str, Any] = {}
        for item in items:
            line = _one_line(item).rstrip(";；。,， ")
            m = _RANGE.match(line)
            if m:
                given["domain"] = [_plain(Decimal(m.group("lo"))), _plain(Decimal(m.group("hi")))]
            if "区间中值计分" in line:
                given["scoring"] = "midpoint"
        found = _read_scale(_band_text(bands), given=given)
        if found is not None:
            reading.scale, scale, note = found
            reading.read += 1
            if note:
                todo("scale", bands, note)
            if scale.is_categorical:
                # 好—95分；较好—85分 …: a grade the data gives, scored by the table.
                reading.value = "等次"
        else:
            parts = _parts(bands, todo)
            if parts:
                reading.steps += parts
                reading.read += len(parts)
            elif any(_BAND_START.match(line.strip()) for line in bands.splitlines()) or re.search(
                r"为[“\"]?(?:优秀|优|良好|良|中等|中|差|合格|不合格|基本合格|一般|较好|好)", bands
            ):
                todo("scale", bands, "grade bands perfrules cannot read: " + _why(_band_text(bands)))
            else:
                # Not bands: the cell is the explanation itself (每…扣X分 …).
                items = _sentences(bands) + items
    simple = reading.scale is None and not reading.steps and not any("=" in i for i in items)
    for item in items:
        _read_items(item, reading, todo, simple, basis, names)
    if reading.scale is not None and reading.scale.get("rule"):
        variables = _scale(reading.scale["rule"])
        computed = [s if isinstance(s, str) else s["target"] for s in reading.steps]
        computed = [c.split("=")[0].strip() if isinstance(c, str) else c for c in computed]
        if variables is not None and len(variables.variables) == 1 and reading.value is None:
            (var,) = variables.variables
            if var not in computed:
                longer = [c for c in computed if c.endswith(var)]
                if len(longer) == 1:
                    reading.value = longer[0]  # 结案率 graded, 行政执法结案率 computed
    if reading.scale is None and reading.score is None and reading.steps:
        # The score is the last formula whose value the parts and steps give (…得分=(A得分+B得分)/3).
        formulas = [s for s in reading.steps if isinstance(s, str)]
        for f in reversed(formulas):
            target, _, expression = f.partition("=")
            if target.strip().endswith("得分"):
                reading.steps.remove(f)
                reading.score = expression.strip()
                break
    if reading.scale is None and reading.score is None and not reading.todo:
        todo("scale", text, "no grade bands or score formula found in the cell")
    elif (
        reading.scale is None
        and reading.score is None
        and not any(t["about"] == "scale" for t in reading.todo)
    ):
        reading.todo.append(
            {"about": "scale", "row": row, "column": column, "note": "no grade bands or score formula read"}
        )
    return reading


_BAND_START: Final = re.compile(r"^[^\s:：;；,，]{1,6}\s*(?:[:：]|—|–)")


def _sentences(text: str) -> list[str]:
    """A cell's explanation as sentences: numbered items, split again at 其中 and at ``名称：`` lines."""
    out: list[str] = []
    for item in _ITEM_SPLIT.split(text):
        lines = [ln.strip() for ln in item.splitlines() if ln.strip()]
        current = ""
        for line in lines:
            if re.fullmatch(r"其中\s*[:：]?", line):
                if current:
                    out.append(current)
                current = ""
                continue
            if current.endswith((":", "：")) or not current:
                current += ("\n" if current else "") + line
                continue
            if current.endswith((";", "；", "。")):
                out.append(current)
                current = line
            else:
                current += "\n" + line
        if current:
            out.append(current)
    return [s for s in out if s.strip()]


def _parts(bands: str, todo: Any) -> list[dict[str, Any]]:
    """Several graded parts in one cell: a name line, then its bands (网上申请行政审批实现率 优：…)."""
    lines = [ln.strip() for ln in bands.strip().splitlines() if ln.strip()]
    heads = [
        i
        for i, ln in enumerate(lines)
        if not re.search(r"[:：—<>=≤≥;；。]", ln)
        and not _NUMBER.match(ln)
        and i + 1 < len(lines)
        and _BAND_START.match(lines[i + 1])
    ]
    if not heads or heads[0] != 0:
        return []
    out = []
    for k, start in enumerate(heads):
        end = heads[k + 1] if k + 1 < len(heads) else len(lines)
        rule = "".join(lines[start + 1 : end])
        found = _read_scale(rule) if rule else None
        if found is None:
            return []
        table, scale, note = found
        if note:
            todo("scale", "\n".join(lines[start:end]), note)
        name = _clean(lines[start])
        part: dict[str, Any] = {"type": "part", "target": name + "得分", "scale": table}
        if scale.is_categorical or (len(scale.variables) == 1 and name not in scale.variables):
            part["of"] = name
        out.append(part)
    return out


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


def _plain(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value.normalize()


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
        columns: headers the words of :data:`ROLES` do not recognise, as
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
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid = _xlsx_grid(path, table)
    elif suffix == ".docx":
        grid = _docx_grid(path, table)
    elif suffix == ".doc":
        raise DataError(
            [Problem(str(path), "old .doc files are not read; save it as .docx")], title=f"cannot read {path}"
        )
    else:
        if table is not None:
            raise DataError(
                [Problem(str(path), "a CSV file has one table; leave out the table choice")],
                title=f"cannot read {path}",
            )
        grid = _csv_grid(path)
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
