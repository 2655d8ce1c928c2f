"""The formula language: parse published formulas once, evaluate them exactly.

Formulas are written the way Chinese evaluation schemes print them::

    总得分=重大改革得分×0.6+工作创新得分×0.4
    行政执法结案率=〔1-未处理案件数/应处理案件数〕×100%
    90%≤白皮书任务按时完成率<100%

Parsing normalises the text (full-width forms, ×÷−〔〕【】≥≤≠, ％ …), tokenises
it with our own scanner and builds a small tree with a recursive-descent
parser. Nothing here uses ``eval``, ``exec`` or Python's ``ast``: the grammar
has no attribute access, subscripts, strings, lambdas or statements to begin
with, so there is nothing to forbid after the fact. Every size is bounded by
:data:`perfrules.LIMITS`. The tree is then compiled into nested closures, so
``evaluate`` never re-reads the text.
"""

from __future__ import annotations

import decimal
import difflib
import functools
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Final, TypeAlias

import attrs

from ._errors import (
    DivisionByZeroError,
    FormulaSyntaxError,
    InvalidValueError,
    MissingValueError,
    NumberTooLargeError,
)
from ._numbers import (
    EXACT_CONTEXT,
    LIMITS,
    as_fraction,
    check_fraction,
    exact,
    round_half_up,
    tidy_decimal,
    to_number,
)

__all__ = [
    "FUNCTIONS",
    "FUNCTION_ALIASES",
    "POPULATION_FUNCTIONS",
    "Formula",
    "PopulationCall",
    "Value",
    "normalize_name",
]

Value: TypeAlias = Decimal | Fraction | bool
"""What a formula evaluates to: an exact number, or a truth value for conditions."""

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
    return "".join(_SYMBOLS.get(c, c) for c in folded)


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


@functools.lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """Return the canonical spelling of a name, as formulas and data are matched.

    NFKC (full-width letters, digits and brackets become ASCII), the same symbol
    mapping formulas get, and whitespace trimmed and collapsed.

    >>> normalize_name("政府投资项目（Ａ类）完成率")
    '政府投资项目(A类)完成率'
    """
    if name.isascii():
        return " ".join(name.split())
    return " ".join(_normalize_with_origins(name)[0].split())


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


# ---------------------------------------------------------------------------
# Exact arithmetic
# ---------------------------------------------------------------------------

# Decimal arithmetic runs in EXACT_CONTEXT, where any rounding raises; the step
# is then redone with Fractions. Overflow is a kind of Inexact, so it reaches
# the Fraction path too, whose size check reports it.
_FALLBACK: Final = (decimal.Inexact, decimal.Subnormal, decimal.Clamped)
_D_ADD: Final = EXACT_CONTEXT.add
_D_SUB: Final = EXACT_CONTEXT.subtract
_D_MUL: Final = EXACT_CONTEXT.multiply
_D_DIV: Final = EXACT_CONTEXT.divide
_BIG: Final = Decimal(10) ** LIMITS.max_digits
_BIG_INT: Final = 10**LIMITS.max_digits
_HUNDRED: Final = Decimal(100)


class _ZeroDivision(Exception):
    def __init__(self, divisor: Node) -> None:
        self.divisor = divisor


def _frac(value: Any) -> Fraction:
    if type(value) is bool:
        raise InvalidValueError(f"{value} (truth value) used where a number is needed")
    return as_fraction(value)


def _add(a: Any, b: Any) -> Any:
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_ADD(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) + _frac(b))


def _sub(a: Any, b: Any) -> Any:
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_SUB(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) - _frac(b))


def _mul(a: Any, b: Any) -> Any:
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_MUL(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) * _frac(b))


def _div(a: Any, b: Any, divisor: Node) -> Any:
    if type(b) is bool or type(a) is bool:
        _frac(a), _frac(b)
    if not b:
        raise _ZeroDivision(divisor)
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return _D_DIV(a, b)
        except _FALLBACK:
            pass
    return check_fraction(_frac(a) / _frac(b))


def _pow(a: Any, b: Any, exponent: Node) -> Any:
    fb = _frac(b)
    if fb.denominator != 1 or abs(fb) > LIMITS.max_exponent:
        raise InvalidValueError(
            f"exponent {exact(fb)} must be a whole number from -{LIMITS.max_exponent} "
            f"to {LIMITS.max_exponent}"
        )
    n = int(fb)
    fa = _frac(a)
    if n < 0 and not fa:
        raise _ZeroDivision(exponent)
    size = max(fa.numerator.bit_length(), fa.denominator.bit_length())
    if size * abs(n) > LIMITS.max_bits + 64:
        raise NumberTooLargeError(
            f"the power ^{n} of a {size}-bit number would exceed {LIMITS.max_bits} bits"
        )
    return check_fraction(fa**n)


_BINARY: Final = {"+": _add, "-": _sub, "*": _mul}


def _compare(op: str, a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        raise InvalidValueError("a truth value cannot be compared as a number")
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    if op == ">=":
        return bool(a >= b)
    if op == "=":
        return bool(a == b)
    return bool(a != b)


def _truth(value: Any) -> bool:
    if type(value) is not bool:
        raise InvalidValueError(f"{exact(value)} (number) used where a truth value (condition) is needed")
    return value


def _read_input(value: Any, name: str) -> Any:
    """Turn one input value into an exact number (or keep a truth value)."""
    kind = type(value)
    if kind is Decimal:
        if value.is_finite() and -_BIG < value < _BIG:
            return value
    elif kind is int:
        if -_BIG_INT < value < _BIG_INT:
            return Decimal(value)
    elif kind is bool:
        return value
    return to_number(value, name=name)


# ---------------------------------------------------------------------------
# Compilation into closures
# ---------------------------------------------------------------------------

Fn: TypeAlias = Callable[[Mapping[str, Any]], Any]


def _constant(node: Node) -> tuple[bool, Any]:
    """Fold a subtree without names; (False, None) when it has names or fails."""
    if _names(node):
        return False, None
    try:
        return True, _compile_raw(node)({})
    except (_ZeroDivision, InvalidValueError, NumberTooLargeError, _PopulationMissing):
        return False, None


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


def _compile(node: Node) -> Fn:
    folded, value = _constant(node)
    if folded:
        return lambda values: value
    return _compile_raw(node)


def _compile_raw(node: Node) -> Fn:
    if isinstance(node, Num):
        value = node.value
        return lambda values: value
    if isinstance(node, Name):
        return _loader(node.name)
    if isinstance(node, Percent):
        operand = _compile(node.operand)
        percent_node = node
        return lambda values: _div(operand(values), _HUNDRED, percent_node)
    if isinstance(node, Power):
        base, exponent = _compile(node.base), _compile(node.exponent)
        exp_node = node.exponent
        return lambda values: _pow(base(values), exponent(values), exp_node)
    if isinstance(node, Unary):
        operand = _compile(node.operand)
        if node.op == "not":
            return lambda values: not _truth(operand(values))
        if node.op == "-":
            return lambda values: _sub(Decimal(0), operand(values))
        return lambda values: _add(Decimal(0), operand(values))
    if isinstance(node, Chain):
        return _compile_chain(node)
    if isinstance(node, Compare):
        return _compile_compare(node)
    if isinstance(node, BoolOp):
        return _compile_boolop(node)
    return _compile_call(node)


def _binary_step(op: str, operand_node: Node) -> Callable[[Any, Mapping[str, Any]], Any]:
    """One ``op operand`` step of a chain, with constants captured directly."""
    folded, const = _constant(operand_node)
    if op == "/":
        if folded:
            return lambda acc, values: _div(acc, const, operand_node)
        fn = _compile(operand_node)
        return lambda acc, values: _div(acc, fn(values), operand_node)
    arith = _BINARY[op]
    if folded:
        if op in "*+" and type(const) is Decimal:
            fast = _D_MUL if op == "*" else _D_ADD

            def step_const(acc: Any, values: Mapping[str, Any]) -> Any:
                if type(acc) is Decimal:
                    try:
                        return fast(acc, const)
                    except _FALLBACK:
                        pass
                return arith(acc, const)

            return step_const
        return lambda acc, values: arith(acc, const)
    fn = _compile(operand_node)
    return lambda acc, values: arith(acc, fn(values))


def _loader(key: str) -> Fn:
    """Read one input; ints and Decimals within the limits take the short path."""

    def load(values: Mapping[str, Any]) -> Any:
        value = values[key]
        kind = type(value)
        if kind is int:
            if -_BIG_INT < value < _BIG_INT:
                return Decimal(value)
        elif kind is Decimal and value.is_finite() and -_BIG < value < _BIG:
            return value
        return _read_input(value, key)

    return load


class _PopulationMissing(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _population_loader(key: str) -> Fn:
    def load(values: Mapping[str, Any]) -> Any:
        try:
            value = values[key]
        except KeyError:
            raise _PopulationMissing(key) from None
        return value

    return load


def _population_calls(node: Node) -> list[Call]:
    """Every population-function call in a tree, outermost first."""
    if isinstance(node, Call) and node.func in POPULATION_FUNCTIONS:
        return [node]
    found: list[Call] = []
    for child in _children(node):
        found.extend(_population_calls(child))
    return found


def _name_times_constant(key: str, op: str, const: Decimal) -> Fn:
    """``name × constant`` (or + −): the commonest shape of a weighted sum, fused."""
    fast = {"*": _D_MUL, "+": _D_ADD, "-": _D_SUB}[op]
    slow = _BINARY[op]

    def fused(values: Mapping[str, Any]) -> Any:
        value = values[key]
        kind = type(value)
        # Context methods take ints as they are; int bounds compare as ints.
        if (kind is int and -_BIG_INT < value < _BIG_INT) or (
            kind is Decimal and value.is_finite() and -_BIG < value < _BIG
        ):
            try:
                return fast(value, const)
            except _FALLBACK:
                return slow(Decimal(value), const)
        return slow(_read_input(value, key), const)

    return fused


def _compile_root(node: Node) -> Fn:
    """The closure ``evaluate`` calls: results come out tidy (no trailing zeros)."""
    general = _compile(node)

    def root(values: Mapping[str, Any]) -> Any:
        result = general(values)
        return tidy_decimal(result) if type(result) is Decimal else result

    return _compile_linear(node, root) or root


def _linear_term(sign: int, node: Node) -> tuple[str | None, Decimal] | None:
    """(name, weight) for ``name``, ``name×k``, ``k×name``; (None, k) for a constant."""
    folded, const = _constant(node)
    if folded:
        return (None, sign * const) if type(const) is Decimal else None
    if isinstance(node, Name):
        return node.name, Decimal(sign)
    if isinstance(node, Chain) and len(node.rest) == 1 and node.rest[0][0] == "*":
        left, right = node.first, node.rest[0][1]
        if isinstance(right, Name):
            left, right = right, left
        folded, const = _constant(right)
        if isinstance(left, Name) and folded and type(const) is Decimal:
            return left.name, sign * const
    return None


def _compile_linear(node: Node, general: Fn) -> Fn | None:
    """A weighted sum such as ``a×0.6+b×0.4+c``, computed in integers.

    When every input is an int, ``Σ v·w`` is exact in integer arithmetic at a
    common decimal scale; the Decimal is built once at the end. Any other
    input takes the *general* path, so results are the same either way.
    """
    if not (isinstance(node, Chain) and node.rest[0][0] in "+-"):
        return None
    terms = [_linear_term(1, node.first)]
    terms += [_linear_term(1 if op == "+" else -1, operand) for op, operand in node.rest]
    if any(t is None for t in terms):
        return None
    weights = [w for _, w in terms]  # type: ignore[misc]
    scale = max(0, *(-int(w.as_tuple().exponent) for w in weights))
    if scale > 20:
        return None
    offset = 0
    scaled: list[tuple[str, int]] = []
    for name, weight in terms:  # type: ignore[misc]
        as_int = int(weight.scaleb(scale, EXACT_CONTEXT))
        if name is None:
            offset += as_int
        else:
            scaled.append((name, as_int))
    pairs = tuple(scaled)
    low, high = -_BIG_INT, _BIG_INT
    low_total, high_total = low * 10**scale, high * 10**scale
    context = EXACT_CONTEXT

    def linear(values: Mapping[str, Any]) -> Any:
        total = offset
        for key, weight in pairs:
            value = values[key]
            if type(value) is not int or not low < value < high:
                return general(values)
            total += value * weight
        if not low_total < total < high_total:
            return general(values)  # reports the overflow as usual
        places = scale
        while places and not total % 10:
            total //= 10
            places -= 1
        return Decimal(total).scaleb(-places, context) if places else Decimal(total)

    return linear


def _two_operands(op: str, left: Fn, right: Fn) -> Fn:
    """``left op right`` for + − ×, with the exact-Decimal path inlined."""
    fast = {"*": _D_MUL, "+": _D_ADD, "-": _D_SUB}[op]
    slow = _BINARY[op]

    def binary(values: Mapping[str, Any]) -> Any:
        a = left(values)
        b = right(values)
        if type(a) is Decimal and type(b) is Decimal:
            try:
                return fast(a, b)
            except _FALLBACK:
                pass
        return slow(a, b)

    return binary


def _compile_chain(node: Chain) -> Fn:
    if len(node.rest) == 1:
        op, operand = node.rest[0]
        if op != "/":
            folded, const = _constant(operand)
            if isinstance(node.first, Name) and folded and type(const) is Decimal:
                return _name_times_constant(node.first.name, op, const)
            if not folded:
                return _two_operands(op, _compile(node.first), _compile(operand))
    first = _compile(node.first)
    steps = [_binary_step(op, operand) for op, operand in node.rest]
    if len(steps) == 1:
        (step,) = steps
        return lambda values: step(first(values), values)
    if len(steps) == 2:
        s1, s2 = steps
        return lambda values: s2(s1(first(values), values), values)

    def chain(values: Mapping[str, Any]) -> Any:
        acc = first(values)
        for step in steps:
            acc = step(acc, values)
        return acc

    return chain


def _compile_compare(node: Compare) -> Fn:
    first = _compile(node.first)
    rest = [(op, _compile(operand)) for op, operand in node.rest]

    def compare(values: Mapping[str, Any]) -> bool:
        left = first(values)
        for op, fn in rest:
            right = fn(values)
            if not _compare(op, left, right):
                return False
            left = right
        return True

    return compare


def _compile_boolop(node: BoolOp) -> Fn:
    fns = [_compile(o) for o in node.operands]
    if node.op == "and":
        return lambda values: all(_truth(fn(values)) for fn in fns)
    return lambda values: any(_truth(fn(values)) for fn in fns)


def _compile_call(node: Call) -> Fn:
    func = node.func
    if func in POPULATION_FUNCTIONS:
        # The value over all units is computed once per batch by the engine
        # and handed in under the call's canonical text.
        return _population_loader(show(node))
    fns = [_compile(a) for a in node.args]
    if func == "if":
        cond, then, other = fns
        return lambda values: then(values) if _truth(cond(values)) else other(values)
    if func == "count":
        return lambda values: Decimal(sum(1 for fn in fns if _truth(fn(values))))
    if func == "round":
        places = int(_literal_value(node.args[1]) or 0) if len(node.args) == 2 else 0
        (fn, *_) = fns
        return lambda values: round_half_up(_frac(fn(values)), places)
    if func == "abs":
        (fn,) = fns
        return lambda values: _abs(fn(values))
    if func in ("floor", "ceil"):
        (fn,) = fns
        rounder = math.floor if func == "floor" else math.ceil
        return lambda values: Decimal(rounder(_frac(fn(values))))
    if func == "clamp":
        x, lo, hi = fns
        return lambda values: _clamp(x(values), lo(values), hi(values))
    if func in ("min", "max"):
        pick = min if func == "min" else max

        def extreme(values: Mapping[str, Any]) -> Any:
            found = [fn(values) for fn in fns]
            for value in found:
                if type(value) is not Decimal:
                    # Fractions and truth values: compare exactly (and refuse truth values).
                    return pick((_number(v) for v in found), key=_frac)
            return pick(found)  # Decimals compare exactly as they are

        return extreme
    if func == "sum":
        return lambda values: _sum(fn(values) for fn in fns)
    count = Decimal(len(fns))
    return lambda values: _div(_sum(fn(values) for fn in fns), count, node)


def _number(value: Any) -> Any:
    _frac(value)  # refuses truth values
    return value


def _abs(value: Any) -> Any:
    return _sub(Decimal(0), value) if _frac(value) < 0 else value


def _sum(values: Iterable[Any]) -> Any:
    total: Any = Decimal(0)
    for value in values:
        total = _add(total, value)
    return total


def _clamp(x: Any, lo: Any, hi: Any) -> Any:
    if type(x) is type(lo) is type(hi) is Decimal:
        if lo > hi:
            raise InvalidValueError(f"clamp(): lower bound {exact(lo)} is above upper bound {exact(hi)}")
        return lo if x < lo else hi if x > hi else x
    if _frac(lo) > _frac(hi):
        raise InvalidValueError(f"clamp(): lower bound {exact(lo)} is above upper bound {exact(hi)}")
    if _frac(x) < _frac(lo):
        return lo
    if _frac(x) > _frac(hi):
        return hi
    return x


# ---------------------------------------------------------------------------
# The public object
# ---------------------------------------------------------------------------


def _parse(text: object, names: Iterable[str] | None, *, condition: bool) -> tuple[str | None, Node, str]:
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


@attrs.frozen
class PopulationCall:
    """One call of a population function in a formula.

    Attributes:
        key: the call's canonical text (``max_of(人均税收)``); the engine hands
            the value in under this name.
        function: ``max_of``, ``min_of``, ``mean_of``, ``sum_of`` or ``count_of``.
        argument: the expression evaluated for every unit.
    """

    key: str
    function: str
    argument: Formula


def _rebuild_formula(text: str, target: str | None, tree: Node) -> Formula:
    return Formula(text=text, target=target, tree=tree)


_ZH_OPS: Final = {"*": "×", "/": "÷", "-": "−"}


def _show_values(node: Node, values: Mapping[str, object], chinese: bool, parent: int = 0) -> str:
    """Like ``show``, with names and population calls replaced by their values."""

    def number(value: object) -> str | None:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, Decimal | Fraction | int | float):
            shown = exact(to_number(value))
            if isinstance(shown, Fraction):
                return "≈" + str(tidy_decimal(round_half_up(shown, 4)))
            return str(shown) if shown >= 0 else f"({shown})"
        return None

    def walk(n: Node, parent: int) -> str:
        if isinstance(n, Name) or (isinstance(n, Call) and n.func in POPULATION_FUNCTIONS):
            key = n.name if isinstance(n, Name) else show(n)
            shown = number(values.get(key))
            text = shown if shown is not None else show(n)
            return text
        if isinstance(n, Num):
            return _show_number(n.value)
        if isinstance(n, Percent):
            text = walk(n.operand, 10) + "%"
        elif isinstance(n, Power):
            text = f"{walk(n.base, 9)}^{walk(n.exponent, 7)}"
        elif isinstance(n, Unary):
            text = f"not {walk(n.operand, 3)}" if n.op == "not" else n.op + walk(n.operand, 7)
        elif isinstance(n, Chain):
            parts = [walk(n.first, n.precedence + 1)]
            for op, operand in n.rest:
                parts.append(_ZH_OPS.get(op, op) if chinese else op)
                parts.append(walk(operand, n.precedence + 1))
            text = "".join(parts)
        elif isinstance(n, Compare):
            parts = [walk(n.first, 5)]
            for op, operand in n.rest:
                parts.append(f"{'=' if op == '=' else op}{walk(operand, 5)}")
            text = "".join(parts)
        elif isinstance(n, BoolOp):
            text = f" {n.op} ".join(walk(o, n.precedence + 1) for o in n.operands)
        else:
            text = f"{n.func}({', '.join(walk(a, 0) for a in n.args)})"
        return f"({text})" if n.precedence < parent else text

    return walk(node, parent)


@attrs.frozen(eq=False)
class Formula:
    """A parsed formula: an expression, optionally assigned to a target name.

    Build one with :meth:`Formula.parse` (or :meth:`Formula.parse_condition`
    for grading conditions). A ``Formula`` that exists is valid: every check
    happens when it is parsed, and :meth:`evaluate` only computes.

    Two formulas are equal when their target and expression trees are equal,
    however the text was spelled (``×`` or ``*``, full-width or not).

    Attributes:
        text: the formula exactly as it was written.
        target: the assigned name (``总得分`` in ``总得分=…``), or ``None``.
        tree: the parsed expression.

    >>> f = Formula.parse("总得分=重大改革得分×0.6+工作创新得分×0.4")
    >>> f.target, sorted(f.variables)
    ('总得分', ['工作创新得分', '重大改革得分'])
    >>> f.evaluate({"重大改革得分": 6, "工作创新得分": 4})
    Decimal('5.2')
    """

    text: str
    target: str | None
    tree: Node = attrs.field(repr=False)
    _fn: Fn = attrs.field(init=False, repr=False)
    _variables: frozenset[str] = attrs.field(init=False, repr=False)
    _population: tuple[PopulationCall, ...] = attrs.field(init=False, repr=False)
    _shown: str | None = attrs.field(init=False, repr=False, default=None)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_variables", frozenset(_names(self.tree)))
        object.__setattr__(self, "_fn", _compile_root(self.tree))
        calls: dict[str, PopulationCall] = {}
        for call in _population_calls(self.tree):
            key = show(call)
            if key not in calls:
                argument = Formula(text=show(call.args[0]), target=None, tree=call.args[0])
                calls[key] = PopulationCall(key=key, function=call.func, argument=argument)
        object.__setattr__(self, "_population", tuple(calls.values()))

    # -- construction -----------------------------------------------------
    @classmethod
    def parse(cls, text: str, *, names: Iterable[str] | None = None) -> Formula:
        """Parse a formula: ``目标=表达式`` or a bare expression.

        A single ``=`` right after a leading name is an assignment; any other
        ``=`` compares for equality.

        Args:
            text: the formula as published; full-width and Chinese math
                symbols are accepted.
            names: the names the formula may use. When given, names that
                contain brackets or other operator characters are recognised
                without quotes (longest first), and any other name is an
                error that suggests the closest known names.

        Returns:
            The parsed formula.

        Raises:
            FormulaSyntaxError: the text is not a valid formula; the message
                shows it with a caret under the offending character.

        >>> Formula.parse("投资完成率=(实际拨款额/计划下达额)×100%").expression
        '(实际拨款额/计划下达额)*100%'
        >>> Formula.parse("政府投资项目(A类)完成率>=90%", names=["政府投资项目(A类)完成率"]).variables
        frozenset({'政府投资项目(A类)完成率'})
        """
        target, tree, _ = _parse(text, names, condition=False)
        return cls(text=text, target=target, tree=tree)

    @classmethod
    def parse_condition(cls, text: str, *, names: Iterable[str] | None = None) -> Formula:
        """Parse a condition, as grading rules write them: ``=`` always means equality.

        The result must be a truth value (a comparison, or ``and``/``or``/``not``
        of them); a bare name is taken as a truth value given by the data.

        >>> c = Formula.parse_condition("白皮书任务按时完成率=100%")
        >>> c.target is None, c.evaluate({"白皮书任务按时完成率": 1})
        (True, True)
        """
        _, tree, _ = _parse(text, names, condition=True)
        return cls(text=text, target=None, tree=tree)

    @classmethod
    def is_valid(cls, text: str, *, names: Iterable[str] | None = None) -> bool:
        """Return whether *text* parses as a formula.

        >>> Formula.is_valid("a×0.6+b×0.4"), Formula.is_valid("a×")
        (True, False)
        """
        try:
            cls.parse(text, names=names)
        except FormulaSyntaxError:
            return False
        return True

    # -- inspection -------------------------------------------------------
    @property
    def variables(self) -> frozenset[str]:
        """The names the expression reads (not the target)."""
        return self._variables

    @property
    def expression(self) -> str:
        """The expression in canonical form (ASCII operators, minimal brackets)."""
        if self._shown is None:
            object.__setattr__(self, "_shown", show(self.tree))
        assert self._shown is not None
        return self._shown

    @property
    def is_condition(self) -> bool:
        """Whether the expression is a comparison or logic, i.e. yields a truth value."""
        return isinstance(self.tree, Compare | BoolOp) or (
            isinstance(self.tree, Unary) and self.tree.op == "not"
        )

    @property
    def population_calls(self) -> tuple[PopulationCall, ...]:
        """The population functions the formula calls (``max_of(人均税收)`` …), each once.

        Their values are taken over all the units scored together; ``evaluate``
        reads each from the values under its ``key``.

        >>> [c.key for c in Formula.parse("x/max_of(x)×10").population_calls]
        ['max_of(x)']
        """
        return self._population

    def show_with(self, values: Mapping[str, object], *, chinese: bool = True) -> str:
        """The expression with every name replaced by its value, for explanations.

        >>> Formula.parse("得分=6+(x-最小值(x))÷(最大值(x)-最小值(x))×4").show_with(
        ...     {"x": 80, "min_of(x)": 50, "max_of(x)": 110})
        '6+(80−50)÷(110−50)×4'
        """
        return _show_values(self.tree, values, chinese)

    def __str__(self) -> str:
        expr = self.expression
        return f"{_show_name(self.target)} = {expr}" if self.target is not None else expr

    def __reduce__(self) -> tuple[object, ...]:
        # The compiled closures cannot be pickled; the tree can, and compiling
        # it again gives the same formula (multiprocessing, caches).
        return (_rebuild_formula, (self.text, self.target, self.tree))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Formula):
            return NotImplemented
        return (self.target, self.tree) == (other.target, other.tree)

    def __hash__(self) -> int:
        return hash((self.target, self.tree))

    # -- evaluation -------------------------------------------------------
    def evaluate(self, values: Mapping[str, object]) -> Value:
        """Compute the expression exactly from named values.

        Args:
            values: a mapping from name to number (``int``, ``float`` read by its
                repr, ``Decimal`` or ``Fraction``) or truth value. Keys are
                matched after :func:`normalize_name`, so full-width spellings
                find their values. The mapping is never changed.

        Returns:
            A ``Decimal`` when the exact result has a finite decimal expansion,
            a ``Fraction`` when it has not, or a ``bool`` for conditions.

        Raises:
            MissingValueError: a name has no value (close names are suggested).
            InvalidValueError: a value is not a finite number, or a number is
                used as a condition.
            DivisionByZeroError: a divisor is zero; the error names the
                divisor and the values used.
            NumberTooLargeError: a number left the bounds of ``perfrules.LIMITS``.

        >>> Formula.parse("57/100×100").evaluate({})
        Decimal('57')
        >>> Formula.parse("(完成数/总数)×100%").evaluate({"完成数": 29, "总数": 30})
        Fraction(29, 30)
        """
        try:
            result = self._fn(values)
        except KeyError:
            result = self._retry_normalized(values)
        except _PopulationMissing as exc:
            raise MissingValueError(
                exc.key,
                self.text,
                (),
                hint="it is a value over all the units scored together: evaluate() computes it, "
                "or pass it in the values under this name",
            ) from None
        except _ZeroDivision as exc:
            raise self._division_error(exc, values) from None
        except InvalidValueError as exc:
            raise InvalidValueError(f"{exc} in formula '{self.text}'") from None
        except NumberTooLargeError as exc:
            raise NumberTooLargeError(f"{exc} in formula '{self.text}'") from None
        if type(result) is Fraction:
            return exact(result)
        return result  # type: ignore[no-any-return]

    def _retry_normalized(self, values: Mapping[str, object]) -> Value:
        normalized: dict[str, object] = {}
        for key, value in values.items():
            normalized.setdefault(normalize_name(key) if isinstance(key, str) else key, value)
        missing = sorted(self._variables - normalized.keys())
        if missing:
            keys = [k for k in normalized if isinstance(k, str)]
            close = difflib.get_close_matches(missing[0], keys, n=3, cutoff=0.5)
            raise MissingValueError(missing[0], self.text, close)
        return self.evaluate(normalized)

    def _division_error(self, exc: _ZeroDivision, values: Mapping[str, object]) -> DivisionByZeroError:
        used = {}
        for name in sorted(self._variables):
            if name in values:
                used[name] = values[name]
        divisor = exc.divisor
        shown = "100" if isinstance(divisor, Percent) else show(divisor)
        return DivisionByZeroError(self.text, shown, used)
