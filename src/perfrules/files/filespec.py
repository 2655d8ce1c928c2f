"""The kinds of value a scheme-file key may hold, and the reader that checks values against them.

The scheme-file format is declared once, as tables of keys (:mod:`perfrules.files.spec_tables`),
and that one declaration drives three things that must never disagree:

- the reader: :class:`Reader` walks a parsed TOML or JSON file against the
  declaration, converts what it finds (exact numbers, parsed formulas, built
  model objects) and collects every problem with its path into the file —
  unknown keys and misspelt choices with a did-you-mean, booleans that are
  only booleans, numbers within their range;
- the JSON Schema (draft 2020-12) editors use to check a file as it is
  typed, and the key reference in ``docs/reference/scheme-files.md``
  (:mod:`perfrules.files.spec_docs`).

A kind (:class:`Text`, :class:`Num`, :class:`Choice` …) knows how to read a
value, how to describe itself to a person and how to say itself in JSON
Schema.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final, TypeVar

import attrs

from .._errors import PerfrulesError, Problem, SchemeError
from .._numbers import Number, exact, to_number
from ..formula.language import Formula, normalize_name

__all__ = [
    "MAX_ITEMS",
    "MAX_TEXT",
    "NUMBER_TEXT",
    "AnyOf",
    "Boolean",
    "Choice",
    "Const",
    "FormulaText",
    "Kind",
    "ListOf",
    "MapOf",
    "Num",
    "Reader",
    "Text",
    "Whole",
    "read_number",
]

MAX_ITEMS: Final = 5000
# Longest text value (a name, a definition, a grading rule): published rules
# run to a few hundred characters; a limit keeps reading a file linear in its size.
MAX_TEXT: Final = 20_000
"""Most items a list or table in a file may hold."""

NUMBER_TEXT: Final = (
    r"^ *[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)? *[%％]? *$"
    r"|^ *-?[0-9]+ */ *[0-9]+ *$"
)
"""Numbers written as text: ``"30%"``, ``"1/3"``, ``"0.5"`` (one pattern for the reader and the schema)."""

_NUMBER_TEXT_RE: Final = re.compile(NUMBER_TEXT)
_FRACTION: Final = re.compile(r"^\s*(-?\d+)\s*/\s*(\d+)\s*$")

_T = TypeVar("_T")
MISSING: Final[Any] = attrs.make_class("Missing", {}, repr=False)()


def _shown(value: object) -> str:
    """A value as the file writes it, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Decimal | int):
        return str(value)
    return repr(value)


def _hint(value: object, options: Sequence[str], cutoff: float = 0.5) -> str:
    close = difflib.get_close_matches(str(value), list(options), n=1, cutoff=cutoff)
    return f"; did you mean '{close[0]}'?" if close else ""


def read_number(value: object) -> Number:
    """A number as a file may write it: a TOML/JSON number, or text ``"30%"``, ``"1/3"``.

    Raises:
        ValueError, TypeError, PerfrulesError: not a number the format accepts.

    >>> read_number("30%"), read_number("1/3"), read_number(2)
    (Decimal('0.30'), Fraction(1, 3), Decimal('2'))
    """
    if isinstance(value, bool):
        raise TypeError(f"expected a number (got {_shown(value)})")
    if isinstance(value, str):
        if not _NUMBER_TEXT_RE.match(value):
            raise ValueError(f'expected a number such as 12, 0.5, "30%" or "1/3" (got {value!r})')
        text = normalize_name(value).replace("％", "%")
        if m := _FRACTION.match(text):
            return exact(Fraction(int(m.group(1)), int(m.group(2))))
        percent = text.endswith("%")
        try:
            number = Decimal(text[:-1].strip() if percent else text)
        except InvalidOperation:  # pragma: no cover - the pattern lets only numbers through
            raise ValueError(f"expected a number (got {value!r})") from None
        return to_number(number.scaleb(-2) if percent else number)
    return to_number(value)


# ---------------------------------------------------------------------------
# The reader
# ---------------------------------------------------------------------------


class Reader:
    """Reads plain data against the declaration, collecting problems with their paths."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(path, message))

    def attempt(self, path: str, build: Callable[[], _T]) -> _T | None:
        """Run a builder; whatever it raises becomes problems at *path* (nothing else escapes)."""
        try:
            return build()
        except SchemeError as exc:
            for p in exc.problems:
                self.problem(f"{path}.{p.path}" if p.path and path else p.path or path, p.message)
        except (PerfrulesError, TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
            message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            self.problem(path, message or type(exc).__name__)
        return None

    def read(self, kind: Kind, value: object, path: str) -> Any:
        """Read *value* as *kind*; on a problem, record it and return None."""
        return kind.read(self, value, path)

    def clean(self, kind: Kind, value: object, path: str) -> tuple[bool, Any]:
        """Read and say whether it went without a problem."""
        before = len(self.problems)
        out = kind.read(self, value, path)
        return len(self.problems) == before, out


def _key_path(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


# ---------------------------------------------------------------------------
# Kinds
# ---------------------------------------------------------------------------


class Kind:
    """What one value in a file may be."""

    def read(self, r: Reader, value: object, path: str) -> Any:
        """Check and convert *value*; record problems at *path*."""
        raise NotImplementedError

    def accepts(self, value: object) -> bool:
        """Whether *value* has the JSON type this kind reads (for choosing between alternatives)."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """The kind in JSON Schema."""
        raise NotImplementedError

    def describe(self) -> str:
        """The kind for people (Markdown)."""
        raise NotImplementedError


@attrs.frozen
class Text(Kind):
    """Free text (a name, a description, a grading rule), at most ``max_length`` characters."""

    max_length: int = MAX_TEXT

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not isinstance(value, str):
            r.problem(path, f"must be text (got {_shown(value)})")
            return None
        if len(value) > self.max_length:
            r.problem(path, f"is {len(value)} characters long; the limit is {self.max_length}")
            return None
        return value

    def accepts(self, value: object) -> bool:
        return isinstance(value, str)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length}

    def describe(self) -> str:
        return "text"


@attrs.frozen
class FormulaText(Kind):
    """A formula in perfrules' formula language, parsed when the file is read.

    ``mode`` is ``assignment`` (``目标=表达式``), ``expression`` or ``condition``.
    """

    mode: str = "expression"

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not isinstance(value, str):
            r.problem(path, f"must be {self.describe()} (got {_shown(value)})")
            return None
        text = value
        if self.mode == "condition":
            return r.attempt(path, lambda: Formula.parse_condition(text))
        formula = r.attempt(path, lambda: Formula.parse(text))
        if formula is not None and self.mode == "assignment" and formula.target is None:
            r.problem(path, f"a step must assign a name, as in 完成率=完成数/总数 (got '{text}')")
            return None
        return formula

    def accepts(self, value: object) -> bool:
        return isinstance(value, str)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}

    def describe(self) -> str:
        return {"assignment": "formula `名称=表达式`", "condition": "condition"}.get(self.mode, "formula")


@attrs.frozen
class Num(Kind):
    """An exact number: a TOML/JSON number, or text like ``"30%"`` or ``"1/3"``, within a range."""

    minimum: int | None = None
    maximum: int | None = None
    exclusive_minimum: bool = False

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not self.accepts(value):
            r.problem(path, f"must be a number (got {_shown(value)})")
            return None
        number = r.attempt(path, lambda: read_number(value))
        if number is None:
            return None
        low, high = self.minimum, self.maximum
        if low is not None and (number <= low if self.exclusive_minimum else number < low):
            r.problem(path, f"must be {self._range()} (got {_shown(value)})")
            return None
        if high is not None and number > high:
            r.problem(path, f"must be {self._range()} (got {_shown(value)})")
            return None
        return number

    def _range(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive_minimum else '>='} {self.minimum}")
        if self.maximum is not None:
            parts.append(f"<= {self.maximum}")
        return " and ".join(parts)

    def accepts(self, value: object) -> bool:
        return isinstance(value, int | float | Decimal | str) and not isinstance(value, bool)

    def schema(self) -> dict[str, Any]:
        number: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            number["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = self.minimum
        if self.maximum is not None:
            number["maximum"] = self.maximum
        return {"anyOf": [number, {"type": "string", "pattern": NUMBER_TEXT}]}

    def describe(self) -> str:
        return "number" + (f" {self._range()}" if self._range() else "")


@attrs.frozen
class Whole(Kind):
    """A whole number (a TOML integer) within a range."""

    minimum: int
    maximum: int

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not self.accepts(value) or not self.minimum <= value <= self.maximum:  # type: ignore[operator]
            r.problem(
                path, f"must be a whole number from {self.minimum} to {self.maximum} (got {_shown(value)})"
            )
            return None
        return value

    def accepts(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def describe(self) -> str:
        return f"whole number {self.minimum}–{self.maximum}"


@attrs.frozen
class Boolean(Kind):
    """``true`` or ``false`` — a real boolean, never the text ``"false"``."""

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not isinstance(value, bool):
            word = value.strip().lower() if isinstance(value, str) else ""
            hint = f"; write {word} without quotes" if word in ("true", "false") else ""
            r.problem(path, f"must be true or false (got {_shown(value)}){hint}")
            return None
        return value

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def describe(self) -> str:
        return "`true` or `false`"


@attrs.frozen
class Choice(Kind):
    """One of a fixed set of words."""

    values: tuple[str, ...]

    def read(self, r: Reader, value: object, path: str) -> Any:
        if isinstance(value, str) and value in self.values:
            return value
        shown = ", ".join(repr(v) for v in self.values)
        r.problem(path, f"must be one of {shown} (got {_shown(value)}){_hint(value, self.values)}")
        return None

    def accepts(self, value: object) -> bool:
        return isinstance(value, str)

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.values)}

    def describe(self) -> str:
        return " / ".join(f"`{v}`" for v in self.values)


@attrs.frozen
class Const(Kind):
    """Exactly one value (``false`` for "no score intervals", ``""`` for an open end); read as ``result``."""

    value: object
    result: object = None

    def read(self, r: Reader, value: object, path: str) -> Any:
        if type(value) is not type(self.value) or value != self.value:
            r.problem(path, f"must be {_shown(self.value)} (got {_shown(value)})")
            return None
        return self.result

    def accepts(self, value: object) -> bool:
        return type(value) is type(self.value)

    def schema(self) -> dict[str, Any]:
        return {"const": self.value}

    def describe(self) -> str:
        return "`" + ("null" if self.value is None else _shown(self.value).replace("'", '"')) + "`"


@attrs.frozen
class ListOf(Kind):
    """A list (TOML array) of items of one kind."""

    item: Kind
    min_items: int = 0
    max_items: int = MAX_ITEMS

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not isinstance(value, list):
            r.problem(path, f"must be a list (got {_shown(value)})")
            return None
        if not self.min_items <= len(value) <= self.max_items:
            size = (
                f"exactly {self.min_items}"
                if self.min_items == self.max_items
                else f"{self.min_items} to {self.max_items}"
            )
            r.problem(path, f"must have {size} items (got {len(value)})")
            return None
        return [self.item.read(r, v, f"{path}[{i}]") for i, v in enumerate(value)]

    def accepts(self, value: object) -> bool:
        return isinstance(value, list)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema(), "maxItems": self.max_items}
        if self.min_items:
            out["minItems"] = self.min_items
        return out

    def describe(self) -> str:
        if self.min_items == self.max_items == 2:
            return f"`[low, high]` of {self.item.describe()}"
        return f"list of {self.item.describe()}"


@attrs.frozen
class MapOf(Kind):
    """A table whose keys are names the author chooses (categories, inputs, ranks) → values of one kind."""

    value: Kind
    key_pattern: str | None = None
    key_doc: str = "name"

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not isinstance(value, Mapping):
            r.problem(
                path, f"must be a table of {self.key_doc} = {self.value.describe()} (got {_shown(value)})"
            )
            return None
        if len(value) > MAX_ITEMS:
            r.problem(path, f"has {len(value)} keys; the limit is {MAX_ITEMS}")
            return None
        out = {}
        for key, item in value.items():
            where = _key_path(path, key)
            if self.key_pattern is not None and not re.match(self.key_pattern, str(key)):
                r.problem(where, f"'{key}' is not a {self.key_doc}")
                continue
            out[str(key)] = self.value.read(r, item, where)
        return out

    def accepts(self, value: object) -> bool:
        return isinstance(value, Mapping)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.schema()}
        if self.key_pattern is not None:
            out["propertyNames"] = {"pattern": self.key_pattern}
        return out

    def describe(self) -> str:
        return f"table {self.key_doc} = {self.value.describe()}"


@attrs.frozen
class AnyOf(Kind):
    """One of several kinds; the first whose JSON type fits (and reads cleanly) wins."""

    options: tuple[Kind, ...]

    def read(self, r: Reader, value: object, path: str) -> Any:
        fitting = [k for k in self.options if k.accepts(value)]
        if not fitting:
            shown = " or ".join(k.describe() for k in self.options)
            r.problem(path, f"must be {shown} (got {_shown(value)})")
            return None
        for kind in fitting[1:]:
            scratch = Reader()
            ok, out = scratch.clean(kind, value, path)
            if ok:
                return out
        return fitting[0].read(r, value, path)

    def accepts(self, value: object) -> bool:
        return any(k.accepts(value) for k in self.options)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [k.schema() for k in self.options]}

    def describe(self) -> str:
        return " or ".join(k.describe() for k in self.options)
