"""Formula text: normalising published spellings of names and symbols, and cutting a formula into tokens.

Formulas are written the way Chinese evaluation schemes print them
(``总得分=重大改革得分×0.6+工作创新得分×0.4``, ``〔1-a/b〕×100%``,
``90%≤完成率<100%``). Normalisation maps full-width forms and ×÷−〔〕≥≤ to
ASCII (keeping a map back to the published text, so that an error's caret
points at what the user wrote), and our own scanner makes tokens of it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

import attrs

from .._errors import FormulaSyntaxError

__all__ = ["normalize_name", "normalize_names", "shown_name"]

# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

# Applied after NFKC (which already maps full-width ASCII such as （）＋－＝＜＞％，
# and full-width digits and letters to their ASCII forms).
_SYMBOLS: Final = {
    "×": "*",
    "✕": "*",
    "∗": "*",
    "·": "·",  # kept: a middle dot belongs to names (e.g. transliterated names)
    "÷": "/",
    "∕": "/",
    "−": "-",
    "–": "-",
    "〔": "(",
    "〕": ")",
    "【": "(",
    "】": ")",
    "≥": ">=",
    "≧": ">=",
    "⩾": ">=",
    "≤": "<=",
    "≦": "<=",
    "⩽": "<=",
    "≠": "!=",
    "『": "「",
    "』": "」",
    "﹝": "(",
    "﹞": ")",
}


def _normalize_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    # Format characters (category Cf: U+200B zero-width space, U+FEFF, U+00AD
    # soft hyphen, bidi marks) are invisible: a name copied with one must
    # still be the same name.
    return "".join(_SYMBOLS.get(c, c) for c in folded if unicodedata.category(c) != "Cf")


def _normalize_with_origins(text: str) -> tuple[str, list[int]]:
    """Normalise *text* and map each output character back to its source index."""
    out: list[str] = []
    origins: list[int] = []
    for index, ch in enumerate(text):
        norm = ch if ch.isascii() else _normalize_char(ch)
        out.append(norm)
        origins.extend([index] * len(norm))
    origins.append(len(text))
    return "".join(out), origins


# Names of ASCII and CJK unified ideographs only (most units' and fields' names): NFKC leaves each of
# these characters as it is, none is a format character or a symbol mapped above.
_PLAIN_NAME: Final = re.compile("[\x00-\x7f\u4e00-\u9fff]*")


@functools.lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """Return the canonical spelling of a name, as formulas and data are matched.

    NFKC (full-width letters, digits and brackets become ASCII), the same symbol
    mapping formulas get, invisible format characters (U+200B, U+FEFF, U+00AD …)
    dropped, and whitespace (U+3000 too) trimmed and collapsed. Data readers,
    :class:`~perfrules.Unit` and the scheme all match names by this form.

    >>> normalize_name("政府投资项目（Ａ类）完成率")
    '政府投资项目(A类)完成率'
    >>> normalize_name("\u200b甲局\u00ad\u3000") == "甲局"
    True
    """
    if name.isascii() or _PLAIN_NAME.fullmatch(name):
        return " ".join(name.split())
    return " ".join(_normalize_with_origins(name)[0].split())


def normalize_names(raw: list[str]) -> list[str]:
    """Each of *raw* trimmed and normalised (:func:`normalize_name`): a list read from a file's
    rows at once, the list itself when every name is already as it reads (ASCII and CJK without
    spaces or line breaks, as most units' names are).

    >>> normalize_names(["甲局", " 乙局 "])
    ['甲局', '乙局']
    """
    joined = "\n".join(raw)
    if _PLAIN_NAME.fullmatch(joined) and not any(c in joined for c in " \t\x0b\x0c\r\x1c\x1d\x1e\x1f"):
        return raw
    return [normalize_name(text.strip()) for text in raw]


def shown_name(name: str) -> str:
    """*name* quoted for a message, with invisible characters spelt out.

    Two spellings that are one name once normalised differ in characters a
    reader cannot see; this shows them.

    >>> print(shown_name("完成数\u3000"), shown_name("甲\u200b局"))
    '完成数\u3000' '甲\u200b局'
    """
    out = []
    for ch in name:
        visible = ch == " " or (ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zs"))
        out.append(ch if visible else f"\\u{ord(ch):04x}")
    return "'" + "".join(out) + "'"


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------

_EXTRA_NAME_CHARS: Final = frozenset("_·、《》〈〉“”‘’")
_KEYWORDS: Final = frozenset({"and", "or", "not"})
_TWO_CHAR_OPS: Final = frozenset({"<=", ">=", "==", "!=", "<>"})
_ONE_CHAR_OPS: Final = frozenset("+-*/^%(),<>=")
_QUOTES: Final = {"「": "」", "`": "`"}


def _is_name_char(ch: str) -> bool:
    if ch.isalnum() or ch in _EXTRA_NAME_CHARS:
        return True
    return unicodedata.category(ch) in ("Mn", "Mc")


@attrs.frozen
class _Token:
    kind: str  # "num", "name", "op", "kw", "end"
    value: str
    start: int  # index into the normalised text
    end: int


def _name_run(text: str, i: int) -> int:
    """End of the run of name characters starting at *i*."""
    j = i
    while j < len(text) and _is_name_char(text[j]):
        j += 1
    return j


class _Scanner:
    def __init__(self, text: str, original: str, origins: list[int], known: _KnownNames) -> None:
        self.text = text
        self.original = original
        self.origins = origins
        self.known = known

    def error(self, reason: str, norm_pos: int, suggestions: Iterable[str] = ()) -> FormulaSyntaxError:
        pos = self.origins[min(norm_pos, len(self.origins) - 1)]
        return FormulaSyntaxError(reason, self.original, pos, suggestions=list(suggestions))

    def tokens(self) -> list[_Token]:
        text = self.text
        out: list[_Token] = []
        i = 0
        n = len(text)
        while i < n:
            ch = text[i]
            if ch.isspace():
                i += 1
                continue
            run_end = _name_run(text, i)
            known_end = self.known.match(text, i)
            if known_end is not None and known_end >= run_end:
                out.append(_Token("name", normalize_name(text[i:known_end]), i, known_end))
                i = known_end
                continue
            if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
                j = i
                while j < n and text[j].isdigit():
                    j += 1
                if j < n and text[j] == ".":
                    j += 1
                    while j < n and text[j].isdigit():
                        j += 1
                if j < n and _is_name_char(text[j]) and j < run_end:
                    # "2020年任务数": a name that starts with digits.
                    out.append(_Token("name", normalize_name(text[i:run_end]), i, run_end))
                    i = run_end
                    continue
                if j < n and text[j] == "." and (j + 1 < n and text[j + 1].isdigit()):
                    raise self.error("a number has two decimal points", j)
                out.append(_Token("num", text[i:j], i, j))
                i = j
                continue
            if run_end > i:
                word = text[i:run_end]
                kind = "kw" if word in _KEYWORDS else "name"
                out.append(_Token(kind, word if kind == "kw" else normalize_name(word), i, run_end))
                i = run_end
                continue
            if ch in _QUOTES:
                close = text.find(_QUOTES[ch], i + 1)
                if close < 0:
                    raise self.error(f"quoted name opened with {ch} is not closed", i)
                inner = normalize_name(text[i + 1 : close])
                if not inner:
                    raise self.error("empty quoted name", i)
                out.append(_Token("name", inner, i, close + 1))
                i = close + 1
                continue
            pair = text[i : i + 2]
            if pair == "**":
                raise self.error("two multiplication signs in a row; a power is written x^n", i + 1)
            if pair in _TWO_CHAR_OPS:
                out.append(_Token("op", pair, i, i + 2))
                i += 2
                continue
            if ch in _ONE_CHAR_OPS:
                out.append(_Token("op", ch, i, i + 1))
                i += 1
                continue
            if ch == "」":
                raise self.error("closing 」 without an opening 「", i)
            raise self.error(f"unexpected character {ch!r}", i)
        out.append(_Token("end", "", n, n))
        return out


class _KnownNames:
    """Names the caller declared, matched longest-first without quotes."""

    def __init__(self, names: Iterable[str]) -> None:
        by_first: dict[str, list[str]] = {}
        for raw in names:
            name = normalize_name(raw)
            if name:
                by_first.setdefault(name[0], []).append(name)
        for group in by_first.values():
            group.sort(key=len, reverse=True)
        self._by_first = by_first
        self.names = frozenset(n for group in by_first.values() for n in group)

    def match(self, text: str, i: int) -> int | None:
        for name in self._by_first.get(text[i], ()):
            if text.startswith(name, i):
                return i + len(name)
        return None


_NO_NAMES: Final = _KnownNames(())
