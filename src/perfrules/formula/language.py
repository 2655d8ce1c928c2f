"""``Formula``: one published formula parsed once, evaluated exactly, and shown with its values.

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

import difflib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final, TypeAlias

import attrs

from .._errors import (
    DivisionByZeroError,
    FormulaSyntaxError,
    InvalidValueError,
    MissingValueError,
    NumberTooLargeError,
)
from .._numbers import exact, round_half_up, tidy_decimal, to_number
from .compute import (
    Fn,
    _PopulationMissing,
    _ZeroDivision,
    compile_root,
)
from .syntax import parse
from .text import normalize_name
from .tree import (
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
    _names,
    _population_calls,
    _show_name,
    _show_number,
    show,
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
# The public object
# ---------------------------------------------------------------------------


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


def _number(value: object, chinese: bool) -> str | None:
    """A value as a formula shown with its numbers shows it (None: not a number)."""
    if isinstance(value, bool):
        # A truth value in words, as explanations speak (never Python's True/False).
        return ("是" if value else "否") if chinese else ("yes" if value else "no")
    if type(value) is Decimal and value.is_finite():
        tidy = tidy_decimal(value)  # the commonest case: a value read from data
        return str(tidy) if tidy >= 0 else f"({tidy})"
    if isinstance(value, Decimal | Fraction | int | float):
        shown = exact(to_number(value))
        if isinstance(shown, Fraction):
            return "≈" + str(tidy_decimal(round_half_up(shown, 4)))
        return str(shown) if shown >= 0 else f"({shown})"
    return None


def _show_values(node: Node, values: Mapping[str, object], chinese: bool, parent: int = 0) -> str:
    """Like ``show``, with names and population calls replaced by their values."""
    if type(node) is Name:  # the commonest formula: one data column, as reported
        found = _number(values.get(node.name), chinese)
        return found if found is not None else show(node)

    def walk(n: Node, parent: int) -> str:
        if isinstance(n, Name) or (isinstance(n, Call) and n.func in POPULATION_FUNCTIONS):
            key = n.name if isinstance(n, Name) else show(n)
            shown = _number(values.get(key), chinese)
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
        object.__setattr__(self, "_fn", compile_root(self.tree))
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
        target, tree, _ = parse(text, names, condition=False)
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
        _, tree, _ = parse(text, names, condition=True)
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
    def gives_truth(self) -> bool:
        """Whether the expression yields a truth value whatever it reads: a comparison or logic, or
        ``if(…)`` whose branches both do (a score formula so is no score).

        >>> [Formula.parse(t).gives_truth for t in ("x > 1", "if(x > 1, y > 2, not z)", "if(x > 1, y, 0)")]
        [True, True, False]
        """
        return _truth(self.tree)

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


def _truth(node: Node) -> bool:
    """Whether *node* yields a truth value whatever it reads (see :attr:`Formula.gives_truth`)."""
    if isinstance(node, Compare | BoolOp) or (isinstance(node, Unary) and node.op == "not"):
        return True
    return isinstance(node, Call) and node.func == "if" and _truth(node.args[1]) and _truth(node.args[2])
