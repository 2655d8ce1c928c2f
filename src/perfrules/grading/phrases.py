"""Reading grading rules as the documents print them.

``优：条件；良：条件 …``, ``优—6分；良—4分 …``, ``90分以上为优秀，80分以上90分以下为良好，
满60分不满80分为合格，不足60分为不合格`` and points by condition (``≥90%，计5分；
80%（含）-90%，计4分 …``) become grade bands. The phrases of R24:
以上、以下、以内、满、届满 include the number (包括本数); 不满、不足、超过、低于、高于
exclude it; ``80—89分`` is a range of whole points. A 含 mark says which end of a
range is in (``90（含）-100``, ``0-10%(含)``, ``85分以上95分以下（不含95分）``); ``±``
makes a band symmetric about 0 (``±30%(含)以内``). English band text
(``90 or above``, ``60 to below 90``, ``below 60``) is read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from .._errors import DefinitionError, Problem, SchemeError
from .._numbers import LIMITS
from ..formula.language import Formula
from ..formula.text import normalize_name
from .bands import GradeBand

__all__ = ["parse_bands"]

# ---------------------------------------------------------------------------
# Reading rules from text
# ---------------------------------------------------------------------------

_HEADER: Final = re.compile(
    r"(?:^|(?<=[;。\n]))[ \t]*"
    r"(?P<name>[A-Za-z][A-Za-z ]{0,23}[A-Za-z]|[^\s:;。,—\-0-9<>=!()%+*/^±]{1,6})[ \t]*(?::|—|–|--)"
)
_POINTS: Final = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*分?$")
_COUNT_WORDS: Final = "宗件项个次条起人家名"
_UNITS: Final = _COUNT_WORDS + "天日分"
_UNIT_AFTER_NUMBER: Final = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?%?)[{_UNITS}](?=$|\W|以上|以下|及以)")
_COUNT_AFTER_NUMBER: Final = re.compile(rf"\d[{_COUNT_WORDS}]")
_NONE_OF: Final = re.compile(r"^(?:没有|无)(?P<name>.+)$")
_OR: Final = re.compile(r",\s*或|;\s*或|\s或\s")
_MAX_NAME: Final = 64  # characters of a measured value's name before a phrase (总分不满60分)
_ENTRY: Final = re.compile(r"^(?P<cond>.+)为(?P<grade>[^为:;,。\s]{1,8})$")
# 条件，计5分 / 条件的得5分 / 条件为3分: points by condition, no grade name.
_POINTS_ENTRY: Final = re.compile(
    r"^(?P<cond>.+?)(?:的)?\s*(?:,\s*)?(?:计|得|记|给|为|,)\s*(?P<n>\d+(?:\.\d+)?)\s*分$"
    r"|^(?P<econd>.+?)\s*[,:]\s*(?P<en>\d+(?:\.\d+)?)\s*points?$",
    re.I,
)

_ENDS_WITH_POINTS: Final = re.compile(r"(?:计|得|记|给|为|^)\s*\d+(?:\.\d+)?\s*分$|\d\s*points?$", re.I)

# R24: the phrases of published bands. 以上、以下、以内、满、届满 include the
# number (包括本数); 不满、不足、超过、低于、高于 exclude it.
_PREFIX_OPS: Final = {
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "届满": ">=", "达到": ">=", "满": ">=",
    "不高于": "<=", "不超过": "<=", "不多于": "<=", "不大于": "<=",
    "不满": "<", "不足": "<", "低于": "<", "少于": "<", "小于": "<",
    "超过": ">", "高于": ">", "多于": ">", "大于": ">",
    ">=": ">=", "<=": "<=", ">": ">", "<": "<", "==": "=", "=": "=",
    "at least": ">=", "not less than": ">=", "no less than": ">=",
    "at most": "<=", "not more than": "<=", "no more than": "<=",
    "below": "<", "under": "<", "less than": "<", "lower than": "<",
    "above": ">", "over": ">", "more than": ">", "greater than": ">", "higher than": ">",
}  # fmt: skip
_SUFFIX_OPS: Final = {
    "及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<=",
    "or above": ">=", "and above": ">=", "or more": ">=", "or higher": ">=", "and over": ">=",
    "or below": "<=", "and below": "<=", "or less": "<=", "or lower": "<=",
}  # fmt: skip
# Joins of a range: 80-90, 80—90, 80～90, 80至90, 60 to below 90 (the upper end out).
_DASHES: Final = {
    "to below": "<", "to under": "<", "to less than": "<", "up to but not including": "<",
    "to": "", "至": "", "到": "", "~": "", "～": "", "—": "", "-": "",
}  # fmt: skip


def _alternatives(words: Iterable[str]) -> str:
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        parts.append(escaped + (r"(?![A-Za-z])" if word[-1].isalpha() and word.isascii() else ""))
    return "|".join(parts)


_NUM: Final = rf"(?P<{{s}}>±|\+/-)?\s*(?P<{{n}}>-?\d+(?:\.\d+)?)\s*(?P<{{p}}>%)?\s*(?P<{{u}}>[{_UNITS}])?"
_MARK_TEXT: Final = r"\(\s*(?P<{m}>不含|不包括|不包含|含|包括|包含)\s*(?:本数)?\s*\)"
_MARK_NUM: Final = re.compile(
    r"\(\s*(?P<m>不含|不包括|不包含|含|包括|包含)\s*"
    rf"(?P<s>±)?(?P<n>\d+(?:\.\d+)?)\s*(?P<p>%)?\s*(?P<u>[{_UNITS}])?\s*\)"
)
_PREFIX_RE: Final = re.compile(
    rf"(?:from\s+)?(?P<kw>{_alternatives(_PREFIX_OPS)})\s*{_NUM.format(s='s', n='n', p='p', u='u')}"
    rf"\s*(?:{_MARK_TEXT.format(m='m')})?",
    re.I,
)
_SUFFIX_RE: Final = re.compile(
    rf"{_NUM.format(s='s', n='n', p='p', u='u')}\s*(?:{_MARK_TEXT.format(m='m1')})?\s*"
    rf"(?P<suf>{_alternatives(_SUFFIX_OPS)})\s*(?:{_MARK_TEXT.format(m='m2')})?",
    re.I,
)
_RANGE_RE: Final = re.compile(
    rf"(?:from\s+|between\s+)?{_NUM.format(s='s1', n='n1', p='p1', u='u1')}"
    rf"\s*(?:{_MARK_TEXT.format(m='m1')})?"
    rf"\s*(?P<dash>{_alternatives(_DASHES)}|and(?![A-Za-z]))\s*"
    rf"{_NUM.format(s='s2', n='n2', p='p2', u='u2')}\s*(?:{_MARK_TEXT.format(m='m2')})?",
    re.I,
)
_JOIN: Final = re.compile(r"(?:且|并且|、|,|\s|and(?![A-Za-z]))*", re.I)
_SUBJECT_STOP: Final = re.compile(r"[<>=!+*/^%(),±\s]|^[\d.\-]")
_INCLUDE: Final = frozenset({"含", "包括", "包含"})


@attrs.frozen
class _End:
    """One end of a band as printed: its value, the text a formula writes for it, and whether it is in."""

    value: Fraction
    text: str
    closed: bool
    soft: bool = False  # not marked, opposite a marked end: out unless no other band has the value


@attrs.frozen
class _Span:
    lo: _End | None = None
    hi: _End | None = None

    def meet(self, other: _Span) -> _Span:
        lo, hi = self.lo, self.hi
        if other.lo is not None and (
            lo is None or other.lo.value > lo.value or (other.lo.value == lo.value and not other.lo.closed)
        ):
            lo = other.lo
        if other.hi is not None and (
            hi is None or other.hi.value < hi.value or (other.hi.value == hi.value and not other.hi.closed)
        ):
            hi = other.hi
        return _Span(lo, hi)

    def holds(self, value: Fraction, *, soft_in: bool) -> bool:
        for end, below in ((self.lo, True), (self.hi, False)):
            if end is None:
                continue
            inside = end.closed if not end.soft else soft_in and end.closed
            if (value < end.value if below else value > end.value) or (value == end.value and not inside):
                return False
        return True


@attrs.frozen
class _Read:
    """A condition read as band phrases: the measured value and the spans (any of them) it allows."""

    subject: str
    spans: tuple[_Span, ...]
    counting: bool


class _Unread(Exception):
    """The phrase reader stopped: what it read and what it did not understand."""

    def __init__(self, done: str, rest: str, progressed: bool = False, why: str = "") -> None:
        super().__init__(rest)
        self.done, self.rest = done, rest
        self.progressed = progressed  # at least one phrase was read
        self.why = why


def _number(m: re.Match[str], n: str, p: str, *, percent: bool = False) -> tuple[Fraction, str]:
    digits = m.group(n)
    pct = bool(m.group(p)) or percent
    value = Fraction(Decimal(digits)) / (100 if pct else 1)
    return value, digits + ("%" if pct else "")


def _negate(end: _End) -> _End:
    text = end.text[1:] if end.text.startswith("-") else "-" + end.text
    return attrs.evolve(end, value=-end.value, text=text)


def _included(mark: str | None, default: bool) -> bool:
    return default if mark is None else mark in _INCLUDE


def _counts(unit: str | None) -> bool:
    return unit is not None and unit != "" and unit in _COUNT_WORDS


def _clause(text: str, pos: int) -> tuple[int, _Span, bool, bool] | None:
    """One phrase at *pos*: (end, span, symmetric (±), counting) or None."""
    for pattern in (_RANGE_RE, _SUFFIX_RE, _PREFIX_RE):
        m = pattern.match(text, pos)
        if m is None or m.end() == pos:
            continue
        if pattern is _PREFIX_RE:
            op = _PREFIX_OPS[" ".join(m.group("kw").lower().split())]
            value, shown = _number(m, "n", "p")
            mark = m.group("m")
            if op == "=":
                end = _End(value, shown, True)
                span = _Span(end, end)
            elif op in (">=", ">"):
                span = _Span(lo=_End(value, shown, _included(mark, op == ">=")))
            else:
                span = _Span(hi=_End(value, shown, _included(mark, op == "<=")))
            return (
                m.end(),
                span,
                bool(m.group("s")),
                (m.group("u") or "") in _COUNT_WORDS and bool(m.group("u")),
            )
        if pattern is _SUFFIX_RE:
            op = _SUFFIX_OPS[" ".join(m.group("suf").lower().split())]
            value, shown = _number(m, "n", "p")
            mark = m.group("m1") or m.group("m2")
            if op == ">=":
                span = _Span(lo=_End(value, shown, _included(mark, True)))
            else:
                span = _Span(hi=_End(value, shown, _included(mark, True)))
            return (
                m.end(),
                span,
                bool(m.group("s")),
                (m.group("u") or "") in _COUNT_WORDS and bool(m.group("u")),
            )
        dash = " ".join(m.group("dash").lower().split())
        percent = bool(m.group("p1") or m.group("p2"))  # 20-30%: the % belongs to both numbers
        lo_value, lo_shown = _number(m, "n1", "p1", percent=percent)
        hi_value, hi_shown = _number(m, "n2", "p2", percent=percent)
        m1, m2 = m.group("m1"), m.group("m2")
        upper_out = _DASHES.get(dash) == "<"
        if m1 is None and m2 is None:
            lo = _End(lo_value, lo_shown, True)
            hi = _End(hi_value, hi_shown, not upper_out)
        else:
            # The 含 mark says which end is in; an unmarked end opposite 含 is
            # out unless no other band has its value (90（含）-100: 100 is in).
            lo_soft = m1 is None and m2 in _INCLUDE
            hi_soft = m2 is None and m1 in _INCLUDE and not upper_out
            lo = _End(lo_value, lo_shown, _included(m1, not lo_soft), lo_soft)
            hi = _End(hi_value, hi_shown, _included(m2, not (hi_soft or upper_out)), hi_soft)
        units = (m.group("u1") or "") + (m.group("u2") or "")
        return (
            m.end(),
            _Span(lo, hi),
            bool(m.group("s1") or m.group("s2")),
            any(u in _COUNT_WORDS for u in units),
        )
    return None


def _apply_mark(spans: list[tuple[_Span, bool]], m: re.Match[str]) -> bool:
    """``(含95分)`` / ``(不含95分)``: set the end printed as 95 in or out."""
    value = Fraction(Decimal(m.group("n"))) / (100 if m.group("p") else 1)
    inside = m.group("m") in _INCLUDE
    found = False
    for k, (span, sym) in enumerate(spans):
        lo, hi = span.lo, span.hi
        if lo is not None and lo.value == value:
            lo, found = attrs.evolve(lo, closed=inside, soft=False), True
        if hi is not None and hi.value == value:
            hi, found = attrs.evolve(hi, closed=inside, soft=False), True
        spans[k] = (_Span(lo, hi), sym)
    return found


def _read_phrases(rest: str) -> tuple[list[_Span], bool, bool]:
    """Read *rest* as band phrases joined by 且/、/and: (spans, symmetric, counting), or raise _Unread."""
    clauses: list[tuple[_Span, bool]] = []
    counting = False
    pos = 0
    while pos < len(rest):
        mark = _MARK_NUM.match(rest, pos)
        if mark is not None and clauses:
            if not _apply_mark(clauses, mark):
                why = f"it names {mark.group('n')}{mark.group('p') or ''}, which no end of the band has"
                raise _Unread(rest[:pos], rest[pos:], True, why)
            pos = mark.end()
        else:
            read = _clause(rest, pos)
            if read is None:
                raise _Unread(rest[:pos], rest[pos:], pos > 0)
            pos, span, sym, count = read
            clauses.append((span, sym))
            counting |= count
        pos = _JOIN.match(rest, pos).end()  # type: ignore[union-attr]
    if not clauses:
        raise _Unread("", rest)
    symmetric = {sym for _, sym in clauses}
    if len(symmetric) > 1:
        raise _Unread("", rest)
    span = clauses[0][0]
    for other, _ in clauses[1:]:
        span = span.meet(other)
    if not symmetric.pop():
        return [span], False, counting
    # ±: the band holds for |x| in the span, that is for x on both sides of 0.
    lo = span.lo if span.lo is not None and span.lo.value > 0 else None
    if lo is None:
        top = span.hi
        return [_Span(None if top is None else _negate(top), top)], True, counting
    upper = _Span(lo, span.hi)
    lower = _Span(None if span.hi is None else _negate(span.hi), _negate(lo))
    return [lower, upper], True, counting


def _phrase_spans(text: str, variable: str) -> _Read:
    """Read a condition made only of band phrases, or raise _Unread with the furthest point reached.

    ``80分以上90分以下`` holds for [80, 90]; ``总分不满60分`` for 总分 < 60 (a
    leading name is the measured value).
    """
    furthest = _Unread("", text)
    if len(text) > LIMITS.max_text:
        raise furthest  # too long for a formula either; Formula.parse says so
    # A leading name is short: trying every cut of a long text would cost its length squared.
    for cut in range(min(len(text), _MAX_NAME)):
        prefix, rest = text[:cut], text[cut:]
        if prefix and (prefix[-1].isdigit() or prefix[-1] in ".%" or _SUBJECT_STOP.search(prefix)):
            continue
        try:
            spans, _, counting = _read_phrases(rest.lstrip())
        except _Unread as exc:
            if len(prefix) + len(exc.done) > len(furthest.done):
                furthest = _Unread(prefix + exc.done, exc.rest, exc.progressed, exc.why)
            continue
        subject = prefix.strip().strip("「」") or variable
        return _Read(subject, tuple(spans), counting)
    raise furthest


def _formula_text(read: _Read) -> str:
    name = f"「{read.subject}」"
    parts = []
    for span in read.spans:
        lo, hi = span.lo, span.hi
        if lo is not None and hi is not None and lo.value == hi.value and lo.closed and hi.closed:
            parts.append(f"{name}={lo.text}")
        elif lo is not None and hi is not None:
            parts.append(f"{lo.text}{'<=' if lo.closed else '<'}{name}{'<=' if hi.closed else '<'}{hi.text}")
        elif lo is not None:
            parts.append(f"{name}{'>=' if lo.closed else '>'}{lo.text}")
        elif hi is not None:
            parts.append(f"{name}{'<=' if hi.closed else '<'}{hi.text}")
        else:
            parts.append(f"{name}={name}")
    return " or ".join(parts)


def _resolve_soft(reads: list[list[_Read | _Fallback]]) -> list[list[_Read | _Fallback]]:
    """An unmarked end opposite a 含 mark is out when another band has its value, else in.

    ``优秀：90（含）-100；良好：80（含）-90``: 90 belongs to 优秀 (marked), so
    良好 stops short of it; nothing else has 100, so 优秀 keeps it.
    """
    out: list[list[_Read | _Fallback]] = []
    for i, band in enumerate(reads):
        others = [
            (r.subject, span)
            for j, other in enumerate(reads)
            if j != i
            for r in other
            if isinstance(r, _Read)
            for span in r.spans
        ]
        fixed: list[_Read | _Fallback] = []
        for read in band:
            if not isinstance(read, _Read):
                fixed.append(read)
                continue
            spans = []
            for span in read.spans:
                ends = []
                for end in (span.lo, span.hi):
                    if end is not None and end.soft:
                        taken = any(
                            s == read.subject and other.holds(end.value, soft_in=False) for s, other in others
                        )
                        end = attrs.evolve(end, closed=not taken, soft=False)
                    ends.append(end)
                spans.append(_Span(*ends))
            fixed.append(attrs.evolve(read, spans=tuple(spans)))
        out.append(fixed)
    return out


_WHITESPACE: Final = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    """Drop line breaks and spaces inside Chinese text; keep one space between English words and numbers."""

    def keep(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        ascii_word = re.compile(r"[A-Za-z0-9%.]")
        if before and after and ascii_word.match(before) and ascii_word.match(after):
            return " "
        return ""

    return _WHITESPACE.sub(keep, text).strip()


def _entries(normalized: str) -> list[tuple[str, str, Decimal | None]] | None:
    """``90分以上为优秀，80分以上90分以下为良好…`` or ``≥90%，计5分；…`` as (grade, condition, points)."""
    found: list[tuple[str, str, Decimal | None]] = []
    for segment in re.split(r"[;。\n]", normalized):
        segment = _squeeze(segment).strip(",")
        if not segment:
            continue
        # Points by condition, one or several to a segment (≥90%，计5分，80%-90%，计4分).
        scored: list[tuple[str, str, Decimal | None]] = []
        held: list[str] = []
        for part in segment.split(","):
            held.append(part)
            if _ENDS_WITH_POINTS.search(part) and (m := _POINTS_ENTRY.match(",".join(held).strip(" ,"))):
                cond = (m.group("cond") or m.group("econd")).strip(" ,")
                scored.append((cond, cond, Decimal(m.group("n") or m.group("en"))))
                held = []
        if scored and not any(p.strip() for p in held):
            found.extend(scored)
            continue
        for piece in (p for p in segment.split(",") if p.strip()):
            m = _ENTRY.match(_squeeze(piece))
            if m is None:
                return None
            found.append((m.group("grade"), m.group("cond"), None))
    return found or None


def _condition_text(piece: str, variable: str) -> _Read | _Fallback:
    """A plain-language condition as band phrases, or as formula text for the formula parser."""
    try:
        return _phrase_spans(piece, variable)
    except _Unread as unread:
        if m := _NONE_OF.match(piece):
            return _Fallback(f"「{m.group('name')}」=0", None)
        phrase_like = unread.progressed or bool(_PHRASE_WORDS.search(piece))
        return _Fallback(_UNIT_AFTER_NUMBER.sub(r"\1", piece), unread if phrase_like else None)


_PHRASE_WORDS: Final = re.compile(r"以上|以下|以内|含\)|±|超过|不足|不满|低于|高于")


class _Fallback(str):
    """Formula text for a condition the phrase reader could not read, and how far it got.

    When the formula parser cannot read it either and the text looked like band
    phrases, the error says what the phrase reader did not understand.
    """

    unread: _Unread | None

    def __new__(cls, text: str, unread: _Unread | None) -> _Fallback:
        self = super().__new__(cls, text)
        self.unread = unread
        return self


_HINT: Final = (
    "band phrases are read as: 90分以上, 不满60分, 80-90分, 90(含)-100, 0-10%(含), "
    "85分以上95分以下(不含95分), =0, ±30%以内, 90 or above, 60 to below 90, below 60"
)


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
    entries: list[tuple[str, str, Decimal | None]] = []
    if headers:
        for i, header in enumerate(headers):
            end = headers[i + 1].start() if i + 1 < len(headers) else len(normalized)
            body = _squeeze(normalized[header.end() : end]).strip(";。, ")
            entries.append((header.group("name").strip(), body, None))
    else:
        entries = _entries(normalized) or []
    if not entries:
        raise SchemeError(
            [
                Problem(
                    "",
                    "no grades found: write entries as 优：条件；良：条件 …, 优—6分；良—4分 …, "
                    "90分以上为优秀，80分以上不满90分为良好 … or ≥90%，计5分；80%(含)-90%，计4分 …",
                )
            ],
            title="invalid grading rule",
        )
    problems: list[Problem] = []
    known = list(names) if names is not None else None
    # First every condition is read, so that an unmarked end can look at the other bands.
    read: list[list[_Read | _Fallback]] = []
    for _name, body, _ in entries:
        if not body or _POINTS.match(body):
            read.append([])
            continue
        pieces = [p.strip() for p in _OR.split(body.replace("，", ",")) if p.strip()]
        read.append([_condition_text(piece, variable) for piece in pieces])
    read = _resolve_soft(read)
    bands: list[GradeBand] = []
    counts: set[str] = set()
    for i, ((name, body, points), conditions_read) in enumerate(zip(entries, read, strict=True)):
        path = f"bands[{i}]"
        if not body:
            problems.append(Problem(path, f"grade '{name}' has no condition"))
            continue
        if m := _POINTS.match(body):
            bands.append(GradeBand(name=name, points=Decimal(m.group("n"))))
            continue
        conditions = []
        for j, item in enumerate(conditions_read):
            formula_text = _formula_text(item) if isinstance(item, _Read) else str(item)
            try:
                condition = Formula.parse_condition(formula_text, names=known)
            except DefinitionError as exc:
                unread = item.unread if isinstance(item, _Fallback) else None
                if unread is None:
                    problems.append(Problem(f"{path}.conditions[{j}]", f"{exc}"))
                    continue
                where = f" after '{unread.done}'" if unread.done else ""
                problems.append(
                    Problem(
                        f"{path}.conditions[{j}]",
                        f"cannot read '{unread.done}{unread.rest}' as a band: '{unread.rest}'{where} "
                        "is not understood" + (f": {unread.why}" if unread.why else f" ({_HINT})"),
                    )
                )
                continue
            conditions.append(condition)
            counting = item.counting if isinstance(item, _Read) else bool(_COUNT_AFTER_NUMBER.search(item))
            if counting:
                counts |= condition.variables
        if conditions:
            bands.append(GradeBand(name=name, conditions=conditions, points=points))
    if problems:
        raise SchemeError(problems, title="invalid grading rule")
    return bands, frozenset(counts)
