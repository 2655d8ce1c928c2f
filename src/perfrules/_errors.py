"""The exceptions perfrules raises.

Two families are kept apart, as in jsonschema: a *definition* error means the
scheme, scale or formula text is wrong (fix the scheme); an *evaluation* error
means the data given to a valid definition cannot be used (fix the data).
Each mixes in the builtin that callers would reach for, so ``except
ValueError`` or ``except ZeroDivisionError`` keeps working.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence

import attrs

__all__ = [
    "DataError",
    "DefinitionError",
    "DivisionByZeroError",
    "EvaluationError",
    "FormulaSyntaxError",
    "InvalidValueError",
    "MissingValueError",
    "NumberTooLargeError",
    "PerfrulesError",
    "Problem",
    "SchemeError",
    "caret_lines",
    "expect_scheme",
]


class PerfrulesError(Exception):
    """The root of every exception perfrules raises on purpose."""


class DefinitionError(PerfrulesError, ValueError):
    """A formula, grade scale or scheme is wrong as written."""


class EvaluationError(PerfrulesError, ArithmeticError):
    """Valid definitions could not be evaluated on the data given."""


def _display_width(text: str) -> int:
    """Terminal columns taken by *text*: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_CARET_WINDOW = 60  # characters shown on each side of a caret


def caret_lines(text: str, position: int, *, indent: str = "    ") -> str:
    """Return *text* and a caret under the character at *position*.

    The caret is placed by display width, so it stands under the right
    character even after Chinese text.

    >>> print(caret_lines("a+$b", 2))
        a+$b
          ^
    """
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    if line_end < 0:
        line_end = len(text)
    # A long line is shown around the caret only (a 4 MB rule text is not repeated whole).
    left = max(line_start, position - _CARET_WINDOW)
    right = min(line_end, position + _CARET_WINDOW)
    before = "…" if left > line_start else ""
    after = "…" if right < line_end else ""
    line = before + text[left:right] + after
    pad = " " * _display_width(before + text[left:position])
    return f"{indent}{line}\n{indent}{pad}^"


class FormulaSyntaxError(DefinitionError):
    """Formula text that cannot be parsed, with the place it went wrong.

    Attributes:
        text: the formula as the caller wrote it.
        position: index into *text* of the offending character.
        reason: the message without the caret display.
        suggestions: close names, when the problem is an unknown name.
    """

    def __init__(
        self,
        reason: str,
        text: str,
        position: int,
        *,
        suggestions: Sequence[str] = (),
    ) -> None:
        self.reason = reason
        self.text = text
        self.position = max(0, min(position, len(text)))
        self.suggestions = tuple(suggestions)
        super().__init__(self._render())

    def _render(self) -> str:
        column = self.position + 1
        hint = ""
        if self.suggestions:
            hint = "\n    did you mean: " + ", ".join(f"'{s}'" for s in self.suggestions) + "?"
        return f"{self.reason} (column {column})\n{caret_lines(self.text, self.position)}{hint}"

    def __reduce__(self) -> tuple[object, ...]:  # keep pickling working (multiprocessing)
        return (_rebuild_syntax_error, (self.reason, self.text, self.position, self.suggestions))


def _rebuild_syntax_error(
    reason: str, text: str, position: int, suggestions: Sequence[str]
) -> FormulaSyntaxError:
    return FormulaSyntaxError(reason, text, position, suggestions=suggestions)


class MissingValueError(EvaluationError, LookupError):
    """A formula needs a value that the data does not give.

    Attributes:
        name: the missing name.
        formula: the formula text.
        suggestions: names in the data that look close to *name*.
    """

    def __init__(self, name: str, formula: str, suggestions: Sequence[str] = (), *, hint: str = "") -> None:
        self.name = name
        self.formula = formula
        self.suggestions = tuple(suggestions)
        self.hint = hint
        text = ""
        if self.suggestions:
            text = "; did you mean " + ", ".join(f"'{s}'" for s in self.suggestions) + "?"
        if hint:
            text += f"; {hint}"
        super().__init__(f"no value for '{name}' in formula '{formula}'{text}")

    def __str__(self) -> str:  # LookupError would quote the message like a KeyError
        return str(self.args[0])

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_missing, (self.name, self.formula, self.suggestions, self.hint))


def _rebuild_missing(name: str, formula: str, suggestions: Sequence[str], hint: str) -> MissingValueError:
    return MissingValueError(name, formula, suggestions, hint=hint)


class InvalidValueError(EvaluationError, TypeError):
    """A value is not a usable number (or truth value) for a formula."""


class DivisionByZeroError(EvaluationError, ZeroDivisionError):
    """A formula divided by zero.

    Schemes catch this to apply a "no data" default (e.g. 默认为"良"区中值 when
    a unit has no tasks at all).

    Attributes:
        formula: the formula text.
        divisor: the sub-expression that evaluated to zero.
        values: the input values the formula used.
    """

    def __init__(self, formula: str, divisor: str, values: dict[str, object]) -> None:
        self.formula = formula
        self.divisor = divisor
        self.values = values
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        super().__init__(
            f"division by zero in '{formula}': '{divisor}' is 0" + (f" (with {shown})" if shown else "")
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.formula, self.divisor, self.values))


class NumberTooLargeError(EvaluationError, OverflowError):
    """A number is outside the bounds perfrules computes with (see ``perfrules.LIMITS``)."""


def expect_scheme(value: object, scheme_class: type, where: str) -> None:
    """Raise a ``TypeError`` that says what to pass when *value* is not a scheme.

    >>> class Scheme: ...
    >>> expect_scheme("shenzhen-2010-departments", Scheme, "evaluate()")
    Traceback (most recent call last):
    TypeError: evaluate() needs a Scheme, not the text 'shenzhen-2010-departments'; \
pass perfrules.load('shenzhen-2010-departments') (a built-in name or a file's path)
    """
    if isinstance(value, scheme_class):
        return
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        hint = (
            f"pass perfrules.load({shown!r}) (a built-in name or a file's path)"
            if "\n" not in value
            else "pass perfrules.loads(text) for the text of a scheme file"
        )
        raise TypeError(f"{where} needs a Scheme, not the text {shown!r}; {hint}")
    if isinstance(value, bytes | bytearray):
        raise TypeError(
            f"{where} needs a Scheme, not bytes; pass perfrules.loads(data.decode('utf-8')) "
            "for the bytes of a scheme file, or perfrules.load(path)"
        )
    kind = "None" if value is None else f"a {type(value).__name__}"
    raise TypeError(
        f"{where} needs a Scheme, not {kind}; pass perfrules.load(name_or_path), "
        "perfrules.loads(text) or a Scheme built in Python"
    )


@attrs.frozen
class Problem:
    """One thing wrong in a definition, and where it is.

    ``path`` reads like ``indicators[3].formula``; ``message`` says what is wrong.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} @ {self.path}" if self.path else self.message


class _ProblemList:
    """The shared shape of errors that list every problem with its path."""

    problems: tuple[Problem, ...]
    title: str

    def _setup(self, problems: Iterable[Problem], title: str) -> str:
        self.problems = tuple(problems)
        self.title = title
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        return f"{title}: {count} problem{'s' if count != 1 else ''}\n{lines}"

    def __reduce__(self) -> tuple[object, ...]:  # keep pickling working (multiprocessing)
        return (_rebuild_problem_list, (type(self), self.problems, self.title))


def _rebuild_problem_list(
    kind: Callable[..., Exception], problems: tuple[Problem, ...], title: str
) -> Exception:
    return kind(problems, title=title)


class SchemeError(_ProblemList, DefinitionError):
    """A definition has one or more problems; all of them are listed.

    Attributes:
        problems: every problem found, each with its path.
        title: what was being checked.
    """

    def __init__(self, problems: Iterable[Problem], *, title: str = "invalid definition") -> None:
        super().__init__(self._setup(problems, title))


class DataError(_ProblemList, EvaluationError, ValueError):
    """A unit data file has problems; every one is listed with its row and column.

    Attributes:
        problems: each problem, its path reading ``row 3, column '总数'``.
        title: which file.
    """

    def __init__(self, problems: Iterable[Problem], *, title: str = "invalid data") -> None:
        super().__init__(self._setup(problems, title))


# Tracebacks name errors by their public path (perfrules.FormulaSyntaxError,
# not perfrules._errors.FormulaSyntaxError). Only exceptions: renaming other
# classes would hide their methods' doctests from the doctest finder.
for _error in (
    PerfrulesError,
    DefinitionError,
    EvaluationError,
    FormulaSyntaxError,
    MissingValueError,
    InvalidValueError,
    DivisionByZeroError,
    NumberTooLargeError,
    SchemeError,
    DataError,
):
    _error.__module__ = "perfrules"
del _error
