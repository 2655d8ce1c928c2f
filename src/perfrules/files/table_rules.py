"""Reading a published scoring cell (评分标准) as grade bands, formulas and policies, or keeping it as a todo.

Each cell goes through the library's own readers: grade bands
(:meth:`GradeScale.parse`), formulas (:meth:`Formula.parse`), and the
published phrases for defaults (``没有…的，默认为“良”区中值``), weight that
moves (``…权重调整至…``), deductions and bonuses (``每…扣X分，扣完为止``,
``最多扣X分``) and vetoes (``…的，一票否决``). What is not read stays as its
original text in a ``todo``, with its table row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from .._errors import PerfrulesError, SchemeError
from ..formula.language import Formula
from ..grading.scale import GradeScale
from .table_grid import _NUMBER, _clean

__all__: list[str] = []

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


def _plain(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value.normalize()
