"""The formula parser: a recursive descent from tokens to a checked tree, within the size limits.

Formulas are written the way Chinese evaluation schemes print them
(``总得分=重大改革得分×0.6+工作创新得分×0.4``, ``90%≤完成率<100%``); ``text``
normalises and scans them, this module parses the tokens into the nodes of
``tree``, checking kinds (number or truth value) and function arity as it goes.
Nothing here evaluates anything: see ``compute`` for exact arithmetic and
``language`` for the public object.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Final

from .._errors import FormulaSyntaxError
from .._numbers import LIMITS
from .text import _NO_NAMES, _KnownNames, _normalize_with_origins, _Scanner, _Token
from .tree import (
    _ANY,
    _BOOL,
    _NUM,
    FUNCTION_ALIASES,
    FUNCTIONS,
    POPULATION_FUNCTIONS,
    BoolOp,
    Call,
    Chain,
    Compare,
    Name,
    Node,
    Num,
    Percent,
    Power,
    Unary,
    _population_calls,
    literal_value,
)

__all__ = ["parse"]

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
        literal = literal_value(exponent)
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
                places = literal_value(args[1])
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
