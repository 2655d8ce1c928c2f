"""A range's results as columns: what the process that scored a range of a CSV file keeps or sends back.

:mod:`perfrules.pipeline.csvpass` scores a range's one-line units by the
column program. When the results are kept as columns up to the output
(:mod:`perfrules.pipeline.colrun`), such a unit is not made into an outcome:
the range gives its name, its exact total (an integer numerator over one of a
few denominators, and the total's nearest float, which orders the totals),
its category, its row, and the tail of its CSV line after the rank
(``name,category,total,grade,scores…,`` and the line break), encoded once.
A unit that needs more than that line — an error, a note, a name or grade
the CSV writer must quote or escape, an empty category — is an outcome, as
before, packed by its place among the range's units.
"""

from __future__ import annotations

import re
from typing import Any

from .._errors import Problem
from .._intcols import numpy
from .._writers import _FORMULA_STARTS
from ..scoring.coltotals import TotalColumn
from .chunk import Packed

__all__ = ["Block", "FastPart", "join_names", "plain_mask"]

# A text cell that the CSV writer quotes or escapes: a separator, a quote, a line break, or (after the
# separator \x00) a start that reads like a formula.
_UNSAFE = re.compile('[,"\r\n]|(?:^|\x00)[' + re.escape("".join(_FORMULA_STARTS)) + "]")


def plain_mask(names: list[str], categories: list[str | None], grades: list[str | None]) -> list[bool]:
    """Which units' CSV lines are the plain ``name,category,total,grade,…`` (no cell quoted or
    escaped, no empty category or grade text, which JSON Lines tells from none)."""
    cats = ["" if c is None else c for c in categories]
    texts = ["" if g is None else g for g in grades]
    plain = [c != "" or k is None for c, k in zip(cats, categories, strict=True)]
    plain = [p and g != "" for p, g in zip(plain, grades, strict=True)]
    if _UNSAFE.search("\x00".join([*names, *cats, *texts])):
        search = _UNSAFE.search
        for i, (name, cat, grade) in enumerate(zip(names, cats, texts, strict=True)):
            if search(name) or search(cat) or search(grade):
                plain[i] = False
    return plain


def join_names(names: list[str]) -> tuple[str, Any]:
    """Names as one text and each one's end in it (an int64 array)."""
    np = numpy()
    ends = np.cumsum(np.fromiter(map(len, names), dtype=np.int64, count=len(names)))
    return "".join(names), ends


class FastPart:
    """The one-line units of a range that the column program scored and that need no outcome."""

    __slots__ = ("categories", "dens", "floats", "groups", "num", "rows", "tail_ends", "tails", "which_den")

    def __init__(
        self,
        groups: Any,
        totals: TotalColumn,
        categories: list[str | None],
        rows: Any,
        tails: list[str],
    ) -> None:
        np = numpy()
        self.groups = groups  # each unit's place among the range's units (int64)
        self.floats = totals.floats()
        self.num = totals.num
        dens = totals.den.tolist()
        table = sorted(set(dens))
        index = {d: k for k, d in enumerate(table)}
        self.dens: list[int] = table
        self.which_den = np.fromiter(map(index.__getitem__, dens), dtype=np.int32, count=len(dens))
        self.categories = categories
        self.rows = rows  # record numbers (int64)
        encoded = [t.encode("utf-8") for t in tails]
        self.tails = b"".join(encoded)
        self.tail_ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))


class Block:
    """A range's units as columns: every unit's name in the range's order, the :class:`FastPart`,
    every other unit's packed outcome by its place, and the range's problems."""

    __slots__ = ("fast", "name_ends", "names", "others", "problems")

    def __init__(
        self, names: list[str], fast: FastPart | None, others: dict[int, Packed], problems: list[Problem]
    ) -> None:
        self.names, self.name_ends = join_names(names)
        self.fast = fast
        self.others = others
        self.problems = problems

    def __len__(self) -> int:
        return len(self.name_ends)

    def name_list(self) -> list[str]:
        text, ends = self.names, self.name_ends.tolist()
        return [text[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=False)]
