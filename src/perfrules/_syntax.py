"""Formula syntax: normalising published text, tokens, the tree, the parser, and printing.

Formulas are written the way Chinese evaluation schemes print them
(``总得分=重大改革得分×0.6+工作创新得分×0.4``, ``〔1-a/b〕×100%``,
``90%≤完成率<100%``). Normalisation maps full-width forms and ×÷−〔〕≥≤ to
ASCII, our own scanner makes tokens, and a recursive-descent parser builds a
small tree of frozen nodes. Nothing here evaluates anything: see
``_compute`` for exact arithmetic and ``_formula`` for the public object.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import ClassVar, Final, TypeAlias

import attrs

from ._errors import FormulaSyntaxError
from ._numbers import LIMITS

__all__ = [
    "FUNCTIONS",
    "FUNCTION_ALIASES",
    "POPULATION_FUNCTIONS",
    "Node",
    "normalize_name",
    "parse",
    "shown_name",
    "show",
]

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

# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------

# Static kinds, checked while parsing so that `1 + (a<b)` fails at once.
_NUM, _BOOL, _ANY = "number", "truth value", "any"


@attrs.frozen
class Num:
    """A number literal."""

    value: Decimal

    precedence: ClassVar[int] = 10


@attrs.frozen
class Name:
    """A value looked up by name."""

    name: str

    precedence: ClassVar[int] = 10


@attrs.frozen
class Percent:
    """``x%``: *x* divided by 100."""

    operand: Node

    precedence: ClassVar[int] = 9


@attrs.frozen
class Power:
    """``base ^ exponent`` with a whole-number exponent."""

    base: Node
    exponent: Node

    precedence: ClassVar[int] = 8


@attrs.frozen
class Unary:
    """``-x``, ``+x`` or ``not x``."""

    op: str
    operand: Node

    @property
    def precedence(self) -> int:
        return 3 if self.op == "not" else 7


@attrs.frozen
class Chain:
    """A left-associative run of ``+ -`` (additive) or ``* /`` (multiplicative)."""

    first: Node
    rest: tuple[tuple[str, Node], ...]

    @property
    def precedence(self) -> int:
        return 5 if self.rest[0][0] in "+-" else 6


@attrs.frozen
class Compare:
    """A comparison, possibly chained: ``90% <= x < 100%``."""

    first: Node
    rest: tuple[tuple[str, Node], ...]

    precedence: ClassVar[int] = 4


@attrs.frozen
class BoolOp:
    """``a and b and …`` or ``a or b or …``."""

    op: str
    operands: tuple[Node, ...]

    @property
    def precedence(self) -> int:
        return 2 if self.op == "and" else 1


@attrs.frozen
class Call:
    """A call of one of :data:`FUNCTIONS`."""

    func: str
    args: tuple[Node, ...]

    precedence: ClassVar[int] = 10


Node: TypeAlias = Num | Name | Percent | Power | Unary | Chain | Compare | BoolOp | Call

# name: (min args, max args or None, kind of arguments, kind of result)
FUNCTIONS: Final[Mapping[str, tuple[int, int | None, str, str]]] = {
    "min": (1, None, _NUM, _NUM),
    "max": (1, None, _NUM, _NUM),
    "abs": (1, 1, _NUM, _NUM),
    "sum": (1, None, _NUM, _NUM),
    "avg": (1, None, _NUM, _NUM),
    "count": (1, None, _BOOL, _NUM),
    "round": (1, 2, _NUM, _NUM),
    "clamp": (3, 3, _NUM, _NUM),
    "floor": (1, 1, _NUM, _NUM),
    "ceil": (1, 1, _NUM, _NUM),
    "trunc": (1, 1, _NUM, _NUM),
    "if": (3, 3, _ANY, _ANY),
    # Population functions: a value over every unit scored together (R20).
    "max_of": (1, 1, _NUM, _NUM),
    "min_of": (1, 1, _NUM, _NUM),
    "mean_of": (1, 1, _NUM, _NUM),
    "sum_of": (1, 1, _NUM, _NUM),
    "count_of": (1, 1, _NUM, _NUM),
}
"""The functions formulas may call: name → (min args, max args, argument kind, result kind)."""

POPULATION_FUNCTIONS: Final = frozenset({"max_of", "min_of", "mean_of", "sum_of", "count_of"})
"""Functions whose value is taken over all the units scored together (or a category of them)."""

FUNCTION_ALIASES: Final[Mapping[str, str]] = {
    "最大值": "max_of",
    "最高值": "max_of",
    "最小值": "min_of",
    "最低值": "min_of",
    "平均值": "mean_of",
    "总和": "sum_of",
}
"""Chinese names of the population functions, as schemes print them (最大值(人均税收))."""

_CMP_OPS: Final = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "==": "=", "!=": "!=", "<>": "!="}
_MAX_ROUND_PLACES: Final = 20

# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------


class _Parser:
    def __init__(self, scanner: _Scanner, tokens: list[_Token], *, condition: bool) -> None:
        self.scanner = scanner
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.nodes = 0
        self.condition = condition

    # -- helpers ---------------------------------------------------------
    @property
    def tok(self) -> _Token:
        return self.tokens[self.pos]

    def advance(self) -> _Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def error(self, reason: str, tok: _Token | None = None) -> FormulaSyntaxError:
        return self.scanner.error(reason, (tok or self.tok).start)

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in ops

    def is_kw(self, word: str) -> bool:
        return self.tok.kind == "kw" and self.tok.value == word

    @staticmethod
    def describe(tok: _Token) -> str:
        if tok.kind == "end":
            return "the end of the formula"
        if tok.kind == "num":
            return f"number {tok.value}"
        if tok.kind == "name":
            return f"name '{tok.value}'"
        return f"'{tok.value}'"

    def node(self, node: Node) -> Node:
        self.nodes += 1
        if self.nodes > LIMITS.max_nodes:
            raise self.error(f"formula is too long (more than {LIMITS.max_nodes} parts)")
        return node

    def enter(self, tok: _Token) -> None:
        self.depth += 1
        if self.depth > LIMITS.max_depth:
            raise self.error(f"formula is nested too deeply (more than {LIMITS.max_depth} levels)", tok)

    def need(self, kind: str, got: str, tok: _Token, role: str) -> None:
        if kind != _ANY and got != _ANY and kind != got:
            raise self.error(f"{role} must be a {kind}, not a {got}", tok)

    # -- grammar ---------------------------------------------------------
    def formula(self) -> tuple[str | None, Node, str]:
        target: str | None = None
        if (
            not self.condition
            and self.tok.kind == "name"
            and self.tokens[self.pos + 1].kind == "op"
            and self.tokens[self.pos + 1].value == "="
        ):
            target = self.advance().value
            self.advance()
        if self.tok.kind == "end":
            raise self.error("expected an expression" + (f" after '{target}='" if target else ""))
        node, kind = self.expression()
        if self.tok.kind != "end":
            if self.is_op(")"):
                raise self.error("unmatched ')'")
            if self.tok.kind in ("num", "name") or self.is_op("("):
                raise self.error(
                    f"expected an operator before {self.describe(self.tok)}; "
                    "a formula is one expression, and a name with spaces or brackets needs 「」"
                )
            raise self.error(f"unexpected {self.describe(self.tok)}")
        if self.condition and kind == _NUM:
            raise self.scanner.error("a condition must compare values (e.g. 完成率>=90%)", 0)
        return target, node, kind

    def expression(self) -> tuple[Node, str]:
        return self.or_expr()

    def bool_chain(self, word: str, sub: Callable[[], tuple[Node, str]]) -> tuple[Node, str]:
        start = self.tok
        node, kind = sub()
        if not self.is_kw(word):
            return node, kind
        self.need(_BOOL, kind, start, f"each side of '{word}'")
        operands = [node]
        while self.is_kw(word):
            self.advance()
            tok = self.tok
            rhs, rkind = sub()
            self.need(_BOOL, rkind, tok, f"each side of '{word}'")
            operands.append(rhs)
        return self.node(BoolOp(word, tuple(operands))), _BOOL

    def or_expr(self) -> tuple[Node, str]:
        return self.bool_chain("or", self.and_expr)

    def and_expr(self) -> tuple[Node, str]:
        return self.bool_chain("and", self.not_expr)

    def not_expr(self) -> tuple[Node, str]:
        if self.is_kw("not"):
            tok = self.advance()
            self.enter(tok)
            operand, kind = self.not_expr()
            self.depth -= 1
            self.need(_BOOL, kind, tok, "the operand of 'not'")
            return self.node(Unary("not", operand)), _BOOL
        return self.comparison()

    def comparison(self) -> tuple[Node, str]:
        start = self.tok
        first, kind = self.additive()
        if not (self.tok.kind == "op" and self.tok.value in _CMP_OPS):
            return first, kind
        self.need(_NUM, kind, start, "a compared value")
        rest: list[tuple[str, Node]] = []
        while self.tok.kind == "op" and self.tok.value in _CMP_OPS:
            op = _CMP_OPS[self.advance().value]
            tok = self.tok
            rhs, rkind = self.additive()
            self.need(_NUM, rkind, tok, "a compared value")
            rest.append((op, rhs))
        return self.node(Compare(first, tuple(rest))), _BOOL

    def arith_chain(self, ops: tuple[str, ...], sub: Callable[[], tuple[Node, str]]) -> tuple[Node, str]:
        start = self.tok
        first, kind = sub()
        if not self.is_op(*ops):
            return first, kind
        self.need(_NUM, kind, start, "an operand of arithmetic")
        rest: list[tuple[str, Node]] = []
        while self.is_op(*ops):
            op = self.advance().value
            tok = self.tok
            rhs, rkind = sub()
            self.need(_NUM, rkind, tok, "an operand of arithmetic")
            rest.append((op, rhs))
        return self.node(Chain(first, tuple(rest))), _NUM

    def additive(self) -> tuple[Node, str]:
        return self.arith_chain(("+", "-"), self.multiplicative)

    def multiplicative(self) -> tuple[Node, str]:
        return self.arith_chain(("*", "/"), self.unary)

    def unary(self) -> tuple[Node, str]:
        if self.is_op("-", "+"):
            tok = self.advance()
            self.enter(tok)
            operand, kind = self.unary()
            self.depth -= 1
            self.need(_NUM, kind, tok, f"the operand of '{tok.value}'")
            return self.node(Unary(tok.value, operand)), _NUM
        return self.power()

    def power(self) -> tuple[Node, str]:
        start = self.tok
        base, kind = self.postfix()
        if not self.is_op("^"):
            return base, kind
        op_tok = self.advance()
        self.need(_NUM, kind, start, "the base of a power")
        self.enter(op_tok)
        exp_tok = self.tok
        exponent, ekind = self.unary()
        self.depth -= 1
        self.need(_NUM, ekind, exp_tok, "an exponent")
        literal = _literal_value(exponent)
        if literal is not None:
            bad = literal != int(literal) or abs(literal) > LIMITS.max_exponent
            if bad:
                raise self.error(
                    f"an exponent must be a whole number from -{LIMITS.max_exponent} "
                    f"to {LIMITS.max_exponent} (got {literal})",
                    exp_tok,
                )
        return self.node(Power(base, exponent)), _NUM

    def postfix(self) -> tuple[Node, str]:
        start = self.tok
        node, kind = self.atom()
        if self.is_op("%"):
            self.need(_NUM, kind, start, "a percentage")
            tok = self.advance()
            if self.is_op("%"):
                raise self.error("'%%' is not allowed; % means 'divided by 100'")
            del tok
            node = self.node(Percent(node))
        return node, kind

    def atom(self) -> tuple[Node, str]:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            value = Decimal(tok.value)
            if value and value.adjusted() >= LIMITS.max_digits:
                raise self.error(f"number is too large (limit 10^{LIMITS.max_digits})", tok)
            if len(tok.value) > LIMITS.max_digits + 10:
                raise self.error("number has too many digits", tok)
            return self.node(Num(value)), _NUM
        if tok.kind == "name":
            self.advance()
            if self.is_op("("):
                return self.call(tok)
            known = self.scanner.known
            if known.names and tok.value not in known.names:
                close = difflib.get_close_matches(tok.value, sorted(known.names), n=3, cutoff=0.5)
                raise self.scanner.error(f"unknown name '{tok.value}'", tok.start, close)
            return self.node(Name(tok.value)), _ANY
        if self.is_op("("):
            self.advance()
            self.enter(tok)
            node, kind = self.expression()
            self.depth -= 1
            if not self.is_op(")"):
                if self.tok.kind == "end":
                    raise self.error("'(' is never closed", tok)
                raise self.error(f"expected ')', found {self.describe(self.tok)}")
            self.advance()
            return node, kind
        if tok.kind == "end":
            raise self.error("the formula ends where a value was expected")
        if tok.kind == "kw":
            raise self.error(f"'{tok.value}' needs a value before it")
        raise self.error(f"expected a value, found {self.describe(tok)}")

    def call(self, name_tok: _Token) -> tuple[Node, str]:
        func = FUNCTION_ALIASES.get(name_tok.value, name_tok.value.lower())
        spec = FUNCTIONS.get(func)
        if spec is None:
            close = difflib.get_close_matches(func, list(FUNCTIONS), n=3, cutoff=0.5)
            reason = f"unknown function '{name_tok.value}'"
            if not close:
                reason += (
                    "; if the brackets belong to a name, quote it as 「…」 or pass names= to Formula.parse"
                )
            raise self.scanner.error(reason, name_tok.start, close)
        low, high, arg_kind, result_kind = spec
        self.enter(name_tok)
        self.advance()  # (
        args: list[Node] = []
        kinds: list[str] = []
        arg_toks: list[_Token] = []
        if not self.is_op(")"):
            while True:
                arg_toks.append(self.tok)
                node, kind = self.expression()
                args.append(node)
                kinds.append(kind)
                if self.is_op(","):
                    self.advance()
                    continue
                break
        if not self.is_op(")"):
            if self.tok.kind == "end":
                raise self.error(f"'{func}(' is never closed", name_tok)
            raise self.error(f"expected ',' or ')' in {func}(…), found {self.describe(self.tok)}")
        self.advance()
        self.depth -= 1
        if len(args) < low or (high is not None and len(args) > high):
            want = str(low) if low == high else f"{low} or more" if high is None else f"{low} to {high}"
            raise self.scanner.error(
                f"{func}() takes {want} argument{'s' if want != '1' else ''} (got {len(args)})",
                name_tok.start,
            )
        if func == "if":
            self.need(_BOOL, kinds[0], arg_toks[0], "the condition of if()")
            a, b = kinds[1], kinds[2]
            self.need(a, b, arg_toks[2], "both branches of if() must be of one kind; the second")
            result_kind = a if a != _ANY else b
        elif func == "round":
            for node, kind, tok in zip(args[:1], kinds[:1], arg_toks[:1], strict=True):
                self.need(_NUM, kind, tok, "the value to round")
                del node
            if len(args) == 2:
                places = _literal_value(args[1])
                if places is None or places != int(places) or not 0 <= places <= _MAX_ROUND_PLACES:
                    raise self.error(
                        f"round()'s places must be a whole number 0–{_MAX_ROUND_PLACES}", arg_toks[1]
                    )
        else:
            for kind, tok in zip(kinds, arg_toks, strict=True):
                self.need(arg_kind, kind, tok, f"an argument of {func}()")
            if func in POPULATION_FUNCTIONS and _population_calls(args[0]):
                raise self.error(f"{func}() cannot contain another population function", arg_toks[0])
        return self.node(Call(func, tuple(args))), result_kind


def _literal_value(node: Node) -> Decimal | None:
    """The value of a literal number, possibly signed or a percentage."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Unary) and node.op in "+-":
        inner = _literal_value(node.operand)
        if inner is not None:
            return -inner if node.op == "-" else inner
    if isinstance(node, Percent):
        inner = _literal_value(node.operand)
        if inner is not None:
            return inner.scaleb(-2)
    return None


# ---------------------------------------------------------------------------
# Printing (str(formula) parses back to an equal formula)
# ---------------------------------------------------------------------------


def _show_name(name: str) -> str:
    if (
        name not in _KEYWORDS
        and _name_run(name, 0) == len(name)
        and not name[0].isdigit()
        and name.isprintable()
    ):
        return name
    if "」" not in name:
        return f"「{name}」"
    return f"`{name}`"


def _show_number(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def show(node: Node, parent: int = 0) -> str:
    """Canonical text of a tree, with only the parentheses it needs."""
    text = _show(node)
    return f"({text})" if node.precedence < parent else text


def _show(node: Node) -> str:
    if isinstance(node, Num):
        return _show_number(node.value)
    if isinstance(node, Name):
        return _show_name(node.name)
    if isinstance(node, Percent):
        return show(node.operand, 10) + "%"
    if isinstance(node, Power):
        return f"{show(node.base, 9)}^{show(node.exponent, 7)}"
    if isinstance(node, Unary):
        if node.op == "not":
            return f"not {show(node.operand, 3)}"
        return node.op + show(node.operand, 7)
    if isinstance(node, Chain):
        prec = node.precedence
        # A first operand of the same precedence was bracketed in the source
        # (the parser flattens unbracketed runs), so keep its brackets.
        parts = [show(node.first, prec + 1)]
        for op, operand in node.rest:
            parts.append(f" {op} " if prec == 5 else op)
            parts.append(show(operand, prec + 1))
        return "".join(parts)
    if isinstance(node, Compare):
        parts = [show(node.first, 5)]
        for op, operand in node.rest:
            parts.append(f" {'==' if op == '=' else op} {show(operand, 5)}")
        return "".join(parts)
    if isinstance(node, BoolOp):
        inner = node.precedence + 1
        return f" {node.op} ".join(show(o, inner) for o in node.operands)
    return f"{node.func}({', '.join(show(a) for a in node.args)})"


def _names(node: Node) -> set[str]:
    if isinstance(node, Name):
        return {node.name}
    found: set[str] = set()
    for child in _children(node):
        found |= _names(child)
    return found


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Percent | Unary):
        return (node.operand,)
    if isinstance(node, Power):
        return (node.base, node.exponent)
    if isinstance(node, Chain | Compare):
        return (node.first, *(n for _, n in node.rest))
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, Call):
        return node.args
    return ()


def _population_calls(node: Node) -> list[Call]:
    """Every population-function call in a tree, outermost first."""
    if isinstance(node, Call) and node.func in POPULATION_FUNCTIONS:
        return [node]
    found: list[Call] = []
    for child in _children(node):
        found.extend(_population_calls(child))
    return found


def parse(text: object, names: Iterable[str] | None, *, condition: bool) -> tuple[str | None, Node, str]:
    if not isinstance(text, str):
        raise FormulaSyntaxError(
            f"a formula must be text (got {text!r} of type {type(text).__name__})", "", 0
        )
    if len(text) > LIMITS.max_text:
        raise FormulaSyntaxError(
            f"formula is too long ({len(text)} characters; the limit is {LIMITS.max_text})",
            text[: LIMITS.max_text],
            LIMITS.max_text - 1,
        )
    normalized, origins = _normalize_with_origins(text)
    known = _KnownNames(names) if names is not None else _NO_NAMES
    scanner = _Scanner(normalized, text, origins, known)
    tokens = scanner.tokens()
    if tokens[0].kind == "end":
        raise FormulaSyntaxError("empty formula", text, 0)
    return _Parser(scanner, tokens, condition=condition).formula()
