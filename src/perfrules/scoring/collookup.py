"""Scales over words or several values as a column step: each distinct input graded once by the scale.

A word scale (好—95分；较好—85分 …, the input a grade name), a part graded by
one (优—6分 …), and a scale of conditions over several values (Shenzhen 11:
``count(按时签收评定 == 良好, …) == 3`` with levels 良好 > 合格 > 不合格; Shenzhen
12: two rates and a count, the lowest grade wins) give each unit a score that
depends only on the values the scale reads. The column program gathers those
values per row, and grades each distinct combination once by the scale
itself (:meth:`perfrules.grading.scale.GradeScale.grade`, what the per-unit
program runs for every unit) — the same rule, the same exact score, worked
out as often as there are distinct inputs rather than units. A combination
the scale refuses (a word it does not know, a value outside its domain, no
band that holds) marks those rows: the program holds that against the
indicator being scored (:func:`perfrules.scoring.colperiods.score_indicators`),
whose own step words the error (:mod:`~perfrules.scoring.colfailures`), and
a ``default … when`` that holds comes first
(:mod:`~perfrules.scoring.coldefaults`). A combination where the scale finds
no value (a blank word its conditions read: the per-unit program's
``MissingValueError``) may be left to a default for no data instead
(``no_value``; :func:`~perfrules.scoring.colblank.first_graded`).

Word inputs are columns of text (``str``, or None where the unit has no
value; another value a ``Unit`` holds there is handed to the scale as it is);
numbers are the program's exact columns, handed to the scale as the exact
values they are — a step's number where a scale with levels grades words too
(``级 >= 良好``), as the per-unit program grades it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import MissingValueError
from .._intcols import SAFE, IntColumn, numpy
from .._numbers import as_fraction, exact
from ..grading.scale import GradeScale
from .colsteps import send_back
from .coltruth import TruthColumn
from .coltruth import values as truth_values

__all__ = [
    "NONE_GIVEN",
    "NOT_A_WORD",
    "compile_lookup",
    "key_value",
    "scale_inputs",
    "text_column",
    "word_key",
    "words_given",
]

_NOT_A_WORD = object()  # a value of a column of words that is no word and cannot be keyed (refused)


class _Given:
    """A value of a column of words that is no word (the API handed in a number): graded as it is, as
    the per-unit program grades it, keyed by its type too (``1`` and ``True`` are graded apart)."""

    __slots__ = ("key", "value")

    def __init__(self, value: object) -> None:
        self.value = value
        self.key = (type(value), value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Given) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


NONE_GIVEN: object = _Given(None)
"""In a column of words, a cell where the API handed in None itself (``Unit.data``), kept apart from a
blank (no value given, None in the column): the per-unit program's scope holds that None, so a rule that
reaches it refuses it (``签收=None (NoneType) is not a number``: the indicator's error) where a blank is
no value (a default for no data takes it); graded as None (:func:`words_given`)."""


def _given(value: object) -> object:
    """*value* (no word) as a lookup key: :class:`_Given`, or :data:`_NOT_A_WORD` where it cannot be
    hashed (those rows are refused: the indicator's own step says what it says of them)."""
    if isinstance(value, _Given):  # (NONE_GIVEN)
        return value
    try:
        hash(value)
    except TypeError:
        return _NOT_A_WORD
    return _Given(value)


NOT_A_WORD = _NOT_A_WORD
"""What :func:`word_key` gives for a value that cannot be keyed (refused where it is read)."""


def word_key(value: object) -> object:
    """A cell of a column of words as a key of distinct inputs: the word (None: blank), else the value
    that is no word as :func:`_given` keys it (a parameter's number, one the API handed in,
    :data:`NONE_GIVEN`: ``1`` and ``True`` apart), or :data:`NOT_A_WORD`."""
    return value if value is None or isinstance(value, str) else _given(value)


def key_value(key: object) -> object:
    """The value :func:`word_key` keyed, as the unit's data holds it (None for :data:`NONE_GIVEN`)."""
    return key.value if isinstance(key, _Given) else key


def scale_inputs(scale: GradeScale, of: str | None) -> tuple[list[str], set[str]]:
    """The names a scale grades (*of* for a word scale) and which of them hold words (as the data
    readers read them: a word scale's input, every input of a scale with levels)."""
    if scale.is_categorical:
        if of is None:
            return [], set()
        return [of], {of}
    names = sorted(scale.variables)
    return names, (set(names) if scale.levels else set())


def text_column(values: Sequence[object]) -> tuple[Any, Any]:
    """A column of words (an object array; None where there is no value), and where each is a word."""
    np = numpy()
    col = np.empty(len(values), dtype=object)
    col[:] = list(values)
    return col, np.array([isinstance(v, str) for v in values], dtype=bool)


def words_given(units: Sequence[Any], name: str, kept: bool) -> tuple[Any, Any]:
    """:func:`text_column` of data column *name* over a batch of ``Unit`` objects; with *kept*, a None the
    API handed in there is :data:`NONE_GIVEN` (else it is blank, as a cell without a value)."""
    if not kept:
        return text_column([u.data.get(name) for u in units])
    return text_column(
        [NONE_GIVEN if name in u.data and u.data[name] is None else u.data.get(name) for u in units]
    )


def compile_lookup(
    names: Sequence[str],
    text: set[str],
    grade: Callable[[Mapping[str, object]], Any],
    codes: Sequence[str] = (),
    no_value: tuple[str, Callable[[str, Mapping[str, object]], bool]] | None = None,
    named: str | None = None,
) -> Callable[[dict[str, Any], int], IntColumn]:
    """A function of the scope's columns giving ``grade(values)`` per row, worked out once per distinct
    combination of the values *names* (words where in *text*; a blank word is no value, absent from
    *values* as from the per-unit program's scope) and *codes* (arrays of integers, such as the rows'
    category codes, handed to *grade* as ``int``); rows where *grade* raises are sent back. With
    *no_value*, ``(key, takes)``: the rows where *grade* finds no value for a name (the per-unit
    program's ``MissingValueError``) and ``takes(name, values)`` are left under *key* in the scope
    instead (a bool array, added to what is there); with *named* too, the name found without a value on
    each of those rows under *named* (an object array, None on the others: the name the per-unit
    program's error gives).

    >>> from perfrules._intcols import IntColumn, numpy
    >>> words, _ = text_column(["好", "差", None, "好"])
    >>> table = {"好": 95, "差": 40}
    >>> col = compile_lookup(["结论"], {"结论"}, lambda v: table[v["结论"]])({"结论": words}, 4)
    >>> col.num.tolist(), col.den
    ([95, 40, 0, 95], 1)
    """
    np = numpy()

    def run(scope: dict[str, Any], n: int) -> IntColumn:
        parts: list[Sequence[object]] = []
        dens: dict[str, int] = {}
        for name in names:
            col = scope[name]
            if isinstance(col, TruthColumn):  # a step's truth value: graded as it is (coltruth)
                parts.append([_given(v) for v in truth_values(col)])
            elif name in text and not isinstance(col, IntColumn):  # (a step's number: graded as one)
                values_of = col.tolist() if hasattr(col, "tolist") else list(col)
                parts.append([word_key(v) for v in values_of])
            else:
                parts.append(col.num.tolist())
                dens[name] = col.den
        parts += [scope[name].tolist() for name in codes]
        keys = list(zip(*parts, strict=True)) if parts else [()] * n
        table: dict[tuple[object, ...], Fraction | None] = {}
        lacking: dict[tuple[object, ...], str] = {}  # (those left under no_value's key: the name)
        for key in set(keys):
            if any(v is _NOT_A_WORD for v in key):  # (the indicator's own step says what it is)
                table[key] = None
                continue
            values: dict[str, object] = {}
            for name, v in zip((*names, *codes), key, strict=True):
                if name in codes:
                    values[name] = v
                elif isinstance(v, _Given):  # (no word: a value the API handed in, a truth value …)
                    values[name] = v.value
                elif name in dens:
                    values[name] = exact(Fraction(v, dens[name]))
                elif v is not None:  # (a blank word is no value: absent, as from the unit's data)
                    values[name] = v
            try:
                table[key] = as_fraction(grade(values))
            except MissingValueError as exc:  # no value to grade: a default for no data may take it
                table[key] = None
                if no_value is not None and no_value[1](exc.name, values):
                    lacking[key] = exc.name
            except Exception:  # whatever the scale says there, the per-unit program says it
                table[key] = None
        found = [f for f in table.values() if f is not None]
        den = math.lcm(*(f.denominator for f in found)) if found else 1
        numerators = {k: (0 if f is None else f.numerator * (den // f.denominator)) for k, f in table.items()}
        bound = max((abs(v) for v in numerators.values()), default=0)
        num = np.array([numerators[k] for k in keys], dtype=np.int64 if bound < SAFE else object)
        missing = [k for k, f in table.items() if f is None and k not in lacking]
        if missing:
            lost = set(missing)
            send_back(scope, np.array([k in lost for k in keys], dtype=bool))
        if lacking:
            assert no_value is not None
            rows = np.array([k in lacking for k in keys], dtype=bool)
            held = scope.get(no_value[0])
            scope[no_value[0]] = rows if held is None else held | rows
            if named is not None:
                scope[named] = np.array([lacking.get(k) for k in keys], dtype=object)
        return IntColumn(num, den, bound)

    return run
