"""A range's results as columns: what the process that scored a range of a CSV file keeps or sends back.

:mod:`perfrules.pipeline.csvpass` scores a range's one-line units by the
column program. When the results are kept as columns up to the output
(:mod:`perfrules.pipeline.colrun`), such a unit is not made into an outcome:
the range gives its name, its exact total (an integer numerator over one of a
few denominators),
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
from .spill import Spill

__all__ = ["KEY_BYTES", "Block", "FastPart", "name_keys", "plain_mask"]

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


KEY_BYTES = 64
"""Names are ordered and told apart by their first this many bytes of UTF-8; a longer name (or one
that ends in NUL, which NumPy's byte strings drop) is kept whole beside them."""


def name_keys(names: list[str]) -> tuple[Any, dict[int, str]]:
    """Names as a NumPy byte-string array of their UTF-8 (in the order of the names: UTF-8 bytes
    sort as the code points do), and the names that array does not hold whole, by position."""
    np = numpy()
    encoded = [n.encode("utf-8") for n in names]
    width = max(map(len, encoded), default=1)
    whole: dict[int, str] = {}
    if width > KEY_BYTES or any(e.endswith(b"\0") for e in encoded):
        whole = {
            k: n
            for k, (n, e) in enumerate(zip(names, encoded, strict=True))
            if len(e) > KEY_BYTES or e.endswith(b"\0")
        }
        width = min(width, KEY_BYTES)
    return np.array(encoded, dtype=f"S{max(width, 1)}"), whole


class FastPart:
    """The one-line units of a range that the column program scored and that need no outcome: their
    places, exact totals, categories, rows, and the tails of their CSV lines (in :attr:`tails`, or
    already written to the spill file at :attr:`at`)."""

    __slots__ = (
        "at",
        "categories",
        "dens",
        "groups",
        "num",
        "rows",
        "tail_ends",
        "tails",
        "which_cat",
        "which_den",
    )

    def __init__(
        self,
        groups: Any,
        totals: TotalColumn,
        categories: list[str | None],
        rows: Any,
        tails: list[str],
    ) -> None:
        np = numpy()
        self.groups = groups.astype(np.int32)  # each unit's place among the range's units
        self.num = totals.num
        dens = totals.den.tolist()
        table = sorted(set(dens))
        index = {d: k for k, d in enumerate(table)}
        self.dens: list[int] = table
        self.which_den = np.fromiter(map(index.__getitem__, dens), dtype=np.int32, count=len(dens))
        # The categories met, and each unit's index into them.
        found: dict[str | None, int] = {}
        which = [found.setdefault(c, len(found)) for c in categories]
        self.categories: list[str | None] = list(found)
        self.which_cat = np.array(which, dtype=np.int32)
        self.rows = rows.astype(np.int32) if rows.max(initial=0) < 2**31 else rows  # record numbers
        encoded = [t.encode("utf-8") for t in tails]
        self.tails = b"".join(encoded)
        self.tail_ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
        self.at: int | None = None  # where the tails start in the spill file, once written there

    def spill_to(self, spill: Spill) -> None:
        """Write the tails to *spill* (:attr:`at` says where); they are not kept."""
        self.at = spill.put(self.tails)
        self.tails = b""


class Block:
    """A range's units as columns: every unit's name in the range's order (:func:`name_keys`) and
    the range's places in the order of those keys (a stable sort, made by the process that scored
    the range: the run that puts every range together merges sorted runs), the :class:`FastPart`,
    every other unit's packed outcome by its place, and the range's problems."""

    __slots__ = ("by_name", "fast", "keys", "last", "others", "problems", "whole")

    def __init__(
        self, names: list[str], fast: FastPart | None, others: dict[int, Packed], problems: list[Problem]
    ) -> None:
        np = numpy()
        self.keys, self.whole = name_keys(names)
        self.by_name = np.argsort(self.keys, kind="stable").astype(np.int32)
        self.last = names[-1] if names else ""
        self.fast = fast
        self.others = others
        self.problems = problems

    def __len__(self) -> int:
        return len(self.keys)
