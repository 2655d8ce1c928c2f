"""A JSON data file parsed without trusting it: duplicate keys refused, numbers bounded first."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from .._errors import DataError, InvalidValueError, NumberTooLargeError, Problem
from .._numbers import LIMITS, check_decimal
from .cells import (
    _SHOWN,
    MAX_NUMBER_CHARS,
    CellProblem,
    _shown,
)

__all__ = [
    "parse_json",
]


class _Duplicates(dict[str, Any]):
    """An object that had a key twice; the walk after parsing reports it with its path."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    twice = []
    for key, value in pairs:
        if key in out:
            twice.append(key)
        out[key] = value
    if twice:
        marked = _Duplicates(out)
        marked.duplicates = twice
        return marked
    return out


_EXPONENT: Final = re.compile(r"[eE]([-+]?\d+)$")


def _json_int(text: str) -> int | CellProblem:
    digits = len(text.lstrip("-"))
    if digits > LIMITS.max_digits:
        return CellProblem(
            text[:_SHOWN], f"the number {_shown(text)} has {digits} digits; the limit is {LIMITS.max_digits}"
        )
    return int(text)


def _json_float(text: str) -> Decimal | CellProblem:
    if len(text) > MAX_NUMBER_CHARS:
        return CellProblem(text[:_SHOWN], f"the number {_shown(text)} is too long")
    try:
        return check_decimal(Decimal(text))
    except (InvalidOperation, InvalidValueError, NumberTooLargeError):
        return CellProblem(
            text, f"the number '{text}' is outside the numbers perfrules reads (|x| < 10^{LIMITS.max_digits})"
        )


def _json_constant(text: str) -> CellProblem:
    return CellProblem(text, f"{text} is not a number")


def parse_json(text: str, origin: str) -> object:
    """Parse a JSON data file without trusting it.

    A key given twice in one object is a file error naming the key and its
    path. Numbers are bounded *before* they are converted: an integer of
    more than ``LIMITS.max_digits`` digits, a literal longer than
    :data:`MAX_NUMBER_CHARS`, an exponent outside the limits
    (``1e-99999999``) or ``NaN``/``Infinity`` become a :class:`CellProblem`
    in place of the number, so that only the unit holding it fails.
    Decimals are read exactly (``0.85`` is a ``Decimal``, not a float).

    Raises:
        DataError: not valid JSON, nested too deeply, or a duplicate key.

    >>> parse_json('{"a": 0.85, "b": 1e-99999999}', "d.json")["a"]
    Decimal('0.85')
    >>> parse_json('{"a": 1, "a": 2}', "d.json")
    Traceback (most recent call last):
    ...
    perfrules.DataError: invalid data in d.json: 1 problem
      - the key 'a' is given twice @ (top)
    """
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as exc:
        raise DataError(
            [Problem(origin, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")],
            title=f"invalid data in {origin}",
        ) from None
    except RecursionError:
        raise DataError([Problem(origin, "nested too deeply")], title=f"invalid data in {origin}") from None
    problems = list(_duplicate_keys(data, ""))
    if problems:
        raise DataError(problems, title=f"invalid data in {origin}")
    return data


def _duplicate_keys(value: object, path: str) -> Iterable[Problem]:
    stack: list[tuple[object, str]] = [(value, path)]
    while stack:  # a loop, not recursion: the parser already accepted the depth
        item, where = stack.pop()
        if isinstance(item, dict):
            if isinstance(item, _Duplicates):
                for key in item.duplicates:
                    yield Problem(where or "(top)", f"the key '{key}' is given twice")
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(item))))
