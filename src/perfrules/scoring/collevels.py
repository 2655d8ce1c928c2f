"""Scales with levels over words (a ``part``'s, an indicator's own): the rows each graded, over columns.

A scale with levels (``levels = ["良好", "合格", "不合格"]``) grades words by conditions that compare
them (``签收 >= 合格``); the column program grades each distinct input once by the scale itself
(:mod:`~perfrules.scoring.collookup`), a value a ``Unit`` hands in as it is (a number where words are
read, as the per-unit program grades it). Where every such scale of an indicator that reads a data
column graded a unit, that column's cell stopped nothing there — a blank word its conditions never
reach, a number graded as one — unless another rule of the indicator reads the column too
(:func:`graded_only`). Each scale leaves the rows it graded under :data:`TAKEN`
(:func:`record_graded`), and :class:`~perfrules.scoring.colblank.Blanks` (and, on period rows,
:mod:`~perfrules.scoring.colperiods`) does not hold those cells against the unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._intcols import numpy
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part
from .coladjust import adjust_reads
from .indicator import IndicatorPlan

__all__ = [
    "GRADED",
    "PART_LACKING",
    "TAKEN",
    "graded_key",
    "graded_lookups",
    "graded_only",
    "graded_rows",
    "level_word",
    "levels_part",
    "record_graded",
    "renamed",
]

TAKEN = "\0blank taken"
"""Where a batch's columns hold, per indicator code, the rows its default for no data took because its
value is blank (a dict shared by every copy of the scope, filled in place)."""


GRADED = "\0graded "
"""Under :data:`TAKEN`, :func:`graded_key`: the rows each scale with levels of an indicator (its parts',
its own) graded (a bool array), whose cells in the columns only such scales read (:func:`graded_only`)
stop nothing where every scale that reads them graded the row (:func:`graded_rows`)."""


PART_LACKING = "\0part lacking"
"""Where a batch's columns hold, for an indicator with a default for no data, per ``part`` graded by a
scale with levels over several values (:func:`levels_part`, by its target), the name its conditions
found without a value on each row (an object array, None on the rows it graded or refused: a dict
filled in place): the per-unit program's ``MissingValueError`` there, which colreach follows as
that step's stop (the default takes the row where nothing stops it first)."""


def levels_part(step: object) -> bool:
    """Whether *step* is a ``part`` graded by a scale with levels over several values (or one it names
    itself, without ``of``): graded once per distinct input by the scale (collookup), which says
    where its conditions reach a value the row does not give (:data:`PART_LACKING`)."""
    if not isinstance(step, Part):
        return False
    scale = step.scale
    return bool(scale.levels) and not scale.is_categorical and not level_word(step)


def level_word(step: Part) -> bool:
    """Whether *step* is a ``part`` whose scale with levels grades one value, the word ``of``: read whole
    first (a blank word is no value), then graded as a word scale grades it."""
    scale = step.scale
    return (
        bool(scale.levels) and not scale.is_categorical and step.of is not None and len(scale.variables) == 1
    )


def graded_lookups(ind: IndicatorPlan) -> list[tuple[int, frozenset[str]]]:
    """The indicator's scales with levels graded by a lookup of words (:mod:`~perfrules.scoring.collookup`),
    each as its place (a ``part``'s step index; the indicator's own scale: after its steps) and the data
    columns (through ``inputs``) it grades as words: a part's ``of`` where it grades that one word, else
    its scale's values; the indicator's scale's values, unless ``value`` renames the one it grades."""
    mapping = ind.ind.inputs
    found: list[tuple[int, frozenset[str]]] = []
    scales: list[tuple[int, Any, set[str]]] = []
    for k, step in enumerate(ind.steps):
        if isinstance(step, Part):
            of = step.of
            scales.append(
                (k, step.scale, {of} if of is not None and level_word(step) else set(step.scale.variables))
            )
    scale = ind.ind.scale
    if scale is not None and not renamed(ind.ind.value, scale):
        scales.append((len(ind.steps), scale, set(scale.variables)))
    for k, graded, names in scales:
        if graded.levels and not graded.is_categorical:
            found.append((k, frozenset(mapping.get(n, n) for n in names - ind.targets - {FULL_NAME})))
    return found


def graded_key(code: str, place: int) -> str:
    """Where, under :data:`TAKEN`, the rows indicator *code*'s scale with levels at *place* graded are."""
    return f"{GRADED}{code}\0{place}"


def graded_only(ind: IndicatorPlan) -> frozenset[str]:
    """The data columns of words that only an indicator's scales with levels read (:func:`graded_lookups`;
    no formula, condition or adjustment of the indicator reads them): where each scale that reads one
    grades a unit, its conditions did not reach a blank cell there, and the cell stops nothing, as in the
    per-unit program (its rows: :func:`graded_rows`). Empty elsewhere."""
    lookups = graded_lookups(ind)
    if not lookups:
        return frozenset()
    mapping = ind.ind.inputs
    other = adjust_reads(ind).union(*(f.variables for f in ind._formulas()))
    return frozenset().union(*(fields for _, fields in lookups)) - {mapping.get(n, n) for n in other}


def graded_rows(ind: IndicatorPlan, name: str, taken: Mapping[str, Any]) -> Any | None:
    """The rows where every scale with levels of the indicator that reads data column *name* graded the
    unit (*taken*: the batch's :data:`TAKEN`); None where one of them has not said."""
    rows = None
    for place, fields in graded_lookups(ind):
        if name in fields:
            got = taken.get(graded_key(ind.code, place))
            if got is None:
                return None
            rows = got if rows is None else rows & got
    return rows


def record_graded(fn: Any, code: str, place: int, marks: Sequence[str]) -> Any:
    """*fn* (a lookup of a scale with levels, over the scope) leaving the rows it graded under
    :data:`TAKEN` (:func:`graded_key`), where the scope has it: those it marks under none of *marks*
    (the units sent back, the rows left to a default for no data)."""

    def run(scope: dict[str, Any], n: int) -> Any:
        taken = scope.get(TAKEN)
        if taken is None:
            return fn(scope, n)
        before = {key: scope[key].copy() for key in marks if scope.get(key) is not None}
        col = fn(scope, n)
        graded = numpy().ones(n, dtype=bool)
        for key in marks:
            after = scope.get(key)
            if after is not None:
                earlier = before.get(key)
                graded &= ~after if earlier is None else ~after | earlier
        taken[graded_key(code, place)] = graded
        return col

    return run


def renamed(value: str | None, scale: Any) -> bool:
    """Whether the indicator's ``value`` renames the one value its scale grades (a number, then: the
    per-unit program's ``_grade``; colgraded)."""
    return value is not None and scale.variable is not None and value != scale.variable
