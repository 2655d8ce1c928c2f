"""Reading grading rules as the documents print them.

``优：条件；良：条件 …``, ``优—6分；良—4分 …`` and ``90分以上为优秀，80分以上90分以下为良好，
满60分不满80分为合格，不足60分为不合格`` become grade bands. The phrases of R24:
以上、以下、以内、满、届满 include the number (包括本数); 不满、不足、超过、低于、高于
exclude it; ``80—89分`` is a range of whole points.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Final

from ._bands import GradeBand
from ._errors import DefinitionError, Problem, SchemeError
from ._formula import Formula
from ._numbers import LIMITS
from ._syntax import normalize_name

__all__ = ["parse_bands"]

# ---------------------------------------------------------------------------
# Reading rules from text
# ---------------------------------------------------------------------------

_HEADER: Final = re.compile(
    r"(?:^|(?<=[;。\n]))[ \t]*(?P<name>[^\s:;。,—\-0-9<>=!()%+*/^]{1,6})[ \t]*(?::|—|–|--)"
)
_POINTS: Final = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*分?$")
_COUNT_WORDS: Final = "宗件项个次条起人家名"
_UNITS: Final = _COUNT_WORDS + "天日分"
_UNIT_AFTER_NUMBER: Final = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?%?)[{_UNITS}](?=$|\W|以上|以下|及以)")
_COUNT_AFTER_NUMBER: Final = re.compile(rf"\d[{_COUNT_WORDS}]")
_NONE_OF: Final = re.compile(r"^(?:没有|无)(?P<name>.+)$")
_OR: Final = re.compile(r",\s*或|;\s*或|\s或\s")

# R24: the phrases of published bands. 以上、以下、以内、满、届满 include the
# number (包括本数); 不满、不足、超过、低于、高于 exclude it.
_P_NUM: Final = rf"(?P<{{n}}>\d+(?:\.\d+)?)\s*(?P<{{p}}>%)?\s*(?P<{{u}}>[{_UNITS}])?"
_PREFIX_OPS: Final = {
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "届满": ">=", "达到": ">=", "满": ">=",
    "不高于": "<=", "不超过": "<=", "不多于": "<=", "不大于": "<=",
    "不满": "<", "不足": "<", "低于": "<", "少于": "<", "小于": "<",
    "超过": ">", "高于": ">", "多于": ">", "大于": ">",
}  # fmt: skip
_SUFFIX_OPS: Final = {"及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<="}
_KW: Final = "|".join(sorted(_PREFIX_OPS, key=len, reverse=True))
_PHRASE: Final = re.compile(
    rf"(?:(?P<kw>{_KW})\s*{_P_NUM.format(n='a', p='ap', u='au')}"
    rf"|{_P_NUM.format(n='b', p='bp', u='bu')}\s*[—–\-~～至到]+\s*{_P_NUM.format(n='c', p='cp', u='cu')}"
    rf"|{_P_NUM.format(n='d', p='dp', u='du')}\s*(?P<suf>及以上|以上|及以下|以下|以内))"
    r"(?:且|并且|、|\s)*"
)
_MAX_NAME: Final = 64  # characters of a measured value's name before a phrase (总分不满60分)
_ENTRY: Final = re.compile(r"^(?P<cond>.+)为(?P<grade>[^为:;,。\s]{1,8})$")


def _number_text(m: re.Match[str], n: str, p: str) -> str:
    return m.group(n) + ("%" if m.group(p) else "")


def _phrase_condition(text: str, variable: str) -> tuple[str, bool] | None:
    """Read a condition made only of band phrases, as formula text.

    ``80分以上90分以下`` → ``「得分」>=80 and 「得分」<=90``; ``总分不满60分``
    → ``「总分」<60``. A leading name (总分) is the measured value. Returns the
    text and whether a measure word of counting (宗, 件 …) was used, or None
    when the text is not such a phrase.
    """
    if len(text) > LIMITS.max_text:
        return None  # too long for a formula either; Formula.parse says so
    # A leading name is short: trying every cut of a long text would cost its length squared.
    for cut in range(min(len(text), _MAX_NAME)):
        prefix, rest = text[:cut], text[cut:]
        if prefix and (prefix[-1].isdigit() or prefix[-1] in ".%"):
            continue
        parts: list[str] = []
        count = False
        name = f"「{prefix or variable}」"
        pos = 0
        while pos < len(rest):
            m = _PHRASE.match(rest, pos)
            if m is None or m.end() == pos:
                break
            pos = m.end()
            if m.group("kw"):
                parts.append(f"{name}{_PREFIX_OPS[m.group('kw')]}{_number_text(m, 'a', 'ap')}")
                count |= bool(m.group("au")) and m.group("au") in _COUNT_WORDS
            elif m.group("suf"):
                parts.append(f"{name}{_SUFFIX_OPS[m.group('suf')]}{_number_text(m, 'd', 'dp')}")
                count |= bool(m.group("du")) and m.group("du") in _COUNT_WORDS
            else:
                parts.append(f"{_number_text(m, 'b', 'bp')}<={name}<={_number_text(m, 'c', 'cp')}")
                count |= any(m.group(u) and m.group(u) in _COUNT_WORDS for u in ("bu", "cu"))
        if parts and pos == len(rest):
            return " and ".join(parts), count
    return None


def _phrase(text: str, variable: str) -> tuple[str, bool]:
    """Rewrite a plain-language condition into formula text (and whether it counts items)."""
    read = _phrase_condition(text, variable)
    if read is not None:
        return read
    if m := _NONE_OF.match(text):
        return f"「{m.group('name')}」=0", True
    return _UNIT_AFTER_NUMBER.sub(r"\1", text), bool(_COUNT_AFTER_NUMBER.search(text))


def _entries(normalized: str) -> list[tuple[str, str]] | None:
    """``90分以上为优秀，80分以上90分以下为良好…`` as (grade, condition) pairs, or None."""
    pieces = [p.strip() for p in re.split(r"[,;。\n]", normalized) if p.strip()]
    found = []
    for piece in pieces:
        m = _ENTRY.match(re.sub(r"\s+", "", piece))
        if m is None:
            return None
        found.append((m.group("grade"), m.group("cond")))
    return found or None


def parse_bands(
    text: str, *, names: Iterable[str] | None, variable: str
) -> tuple[list[GradeBand], frozenset[str]]:
    if not isinstance(text, str):
        raise SchemeError([Problem("", f"a grading rule must be text (got {type(text).__name__})")])
    normalized = normalize_name(text.replace("\n", "\x00")).replace("\x00", "\n")
    cut = normalized.find("说明")
    if cut >= 0:
        normalized = normalized[:cut]
    headers = list(_HEADER.finditer(normalized))
    entries: list[tuple[str, str]] = []
    if headers:
        for i, header in enumerate(headers):
            end = headers[i + 1].start() if i + 1 < len(headers) else len(normalized)
            body = re.sub(r"\s+", "", normalized[header.end() : end]).strip(";。,")
            entries.append((header.group("name"), body))
    else:
        entries = _entries(normalized) or []
    if not entries:
        raise SchemeError(
            [
                Problem(
                    "",
                    "no grades found: write entries as 优：条件；良：条件 …, 优—6分；良—4分 … "
                    "or 90分以上为优秀，80分以上不满90分为良好 …",
                )
            ],
            title="invalid grading rule",
        )
    problems: list[Problem] = []
    bands: list[GradeBand] = []
    counts: set[str] = set()
    known = list(names) if names is not None else None
    for i, (name, body) in enumerate(entries):
        path = f"bands[{i}]"
        if not body:
            problems.append(Problem(path, f"grade '{name}' has no condition"))
            continue
        if m := _POINTS.match(body):
            bands.append(GradeBand(name=name, points=Decimal(m.group("n"))))
            continue
        conditions = []
        for j, piece in enumerate(p for p in _OR.split(body.replace("，", ",")) if p):
            formula_text, counting = _phrase(piece, variable)
            try:
                condition = Formula.parse_condition(formula_text, names=known)
            except DefinitionError as exc:
                problems.append(Problem(f"{path}.conditions[{j}]", f"{exc}"))
                continue
            conditions.append(condition)
            if counting:
                counts |= condition.variables
        if conditions:
            bands.append(GradeBand(name=name, conditions=conditions))
    if problems:
        raise SchemeError(problems, title="invalid grading rule")
    return bands, frozenset(counts)
