"""A batch's exact totals kept as integer columns: nearest floats, ranks and values made when read.

The column program (:mod:`perfrules.scoring.program`) works a unit's total out
as a numerator over a denominator (shared by the units of one category and
pattern of applicable indicators). :class:`TotalColumn` keeps them so:
ranks come from one NumPy sort of the totals' nearest floats, runs of equal
floats settled by the exact fractions (:func:`~perfrules.scoring.population.ranked_by_floats`),
and a unit's total as a ``Decimal`` or ``Fraction`` (what
:func:`perfrules._numbers.exact` gives) is made only when it is read — for a
whole denominator at once by :func:`~perfrules.scoring.colexact.exact_values`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from .._intcols import format_column, numpy
from .._numbers import exact
from .colexact import exact_values, placed
from .colscale import band_index, band_names
from .population import nearest_float, ranked_by_floats

__all__ = ["TotalColumn"]

# Integers up to this size are floats exactly: a quotient of two of them, divided as floats,
# is the correctly rounded float of the exact quotient.
_FLOAT_EXACT = 1 << 53
# Products below this fit in int64 with room for a sign change.
_FITS = 1 << 62


def _exact(numerators: Any, den: int) -> list[Any]:
    return exact_values(numerators if numerators.dtype != object else numerators.tolist(), den)


def _cells(numerators: Any, den: int) -> list[str]:
    return format_column(numerators, den, numpy().ones(len(numerators), dtype=bool))


class TotalColumn:
    """Exact totals ``num[i] / den[i]`` of a batch's units, kept as integers.

    >>> np = numpy()
    >>> totals = TotalColumn(np.array([2, 1, 5, 3]), np.array([3, 3, 6, 3], dtype=object))
    >>> totals.ranks().tolist()   # 3/3 first, then 5/6, 2/3 and 1/3
    [3, 4, 2, 1]
    >>> totals.value(2), totals.values()
    (Fraction(5, 6), [Fraction(2, 3), Fraction(1, 3), Fraction(5, 6), Decimal('1')])
    """

    __slots__ = ("_floats", "den", "num")

    def __init__(self, num: Any, den: Any) -> None:
        self.num = num  # int64 or object (Python integers)
        self.den = den  # one positive integer per unit (object array)
        self._floats: Any = None

    def __len__(self) -> int:
        return len(self.num)

    def floats(self) -> Any:
        """Each total's nearest float (a NumPy float64 array): monotone in the exact totals."""
        if self._floats is None:
            np = numpy()
            num, dens = self.num, self.den.tolist()
            if (
                num.dtype != object
                and max(dens, default=1) < _FLOAT_EXACT
                and int(np.abs(num).max(initial=0)) < _FLOAT_EXACT
            ):  # both exact as floats: one correctly rounded division each
                self._floats = num.astype(np.float64) / np.array(dens, dtype=np.float64)
            else:
                made = map(nearest_float, num.tolist(), dens)
                self._floats = np.fromiter(made, dtype=np.float64, count=len(dens))
        return self._floats

    def fraction(self, i: int) -> Fraction:
        """Unit *i*'s total as a Fraction."""
        return Fraction(int(self.num[i]), int(self.den[i]))

    def value(self, i: int) -> Any:
        """Unit *i*'s total as :func:`perfrules._numbers.exact` gives it (a Decimal or a Fraction)."""
        return exact(self.fraction(i))

    def values(self) -> list[Any]:
        """Every total as :meth:`value` gives it, made per denominator at once."""
        return self._per_denominator(_exact)

    def _per_denominator(self, made: Callable[[Any, int], list[Any]]) -> list[Any]:
        """``made(numerators, q)`` for each denominator's units, put back in the units' order."""
        np = numpy()
        if not len(self.num):
            return []
        groups = set(self.den.tolist())
        if len(groups) == 1:
            return made(self.num, groups.pop())
        out: list[Any] = []
        order = []
        for q in groups:
            where = np.flatnonzero(self.den == q)
            out += made(self.num[where], q)
            order.append(where)
        return placed(out, np.concatenate(order))

    def cells(self) -> list[str]:
        """Every total as an output cell (as :func:`perfrules.pipeline.chunk.cell_number` writes it)."""
        return self._per_denominator(_cells)

    def grades(self, overall: Any) -> list[str | None]:
        """The grades the overall grading scale *overall* (None: none) gives these totals, per
        denominator by comparing integers (a total no band holds: the scale's own answer or error)."""
        np = numpy()
        n = len(self)
        if overall is None or not n:
            return [None] * n
        groups = set(self.den.tolist())
        if len(groups) == 1:
            band = band_index(overall, self.num, groups.pop())
        else:
            band = np.empty(n, dtype=np.int64)
            for q in groups:
                where = np.flatnonzero(self.den == q)
                band[where] = band_index(overall, self.num[where], q)
        found: list[str | None] = band_names(overall)[band].tolist()
        for pos in np.flatnonzero(band == len(overall.cuts)).tolist():
            found[pos] = overall.classify_number(self.value(pos))  # says what is wrong, or a word scale
        return found

    def ranks(self, *, descending: bool = True) -> Any:
        """Each unit's rank among these totals (1 for the best, ties share the better rank), int64.

        Equal floats are settled by the exact fractions, so exact ties share a
        rank and totals one float apart do not.
        """
        return self.ranked(descending=descending)[0]

    def ranked(self, *, descending: bool = True) -> tuple[Any, Any]:
        """:meth:`ranks`, and the units in ranking order (the best first; units that share a rank
        in their order here): one sort gives both."""
        key = self._common()
        if key is None:
            return ranked_by_floats(self.floats(), self.fraction, descending)
        np = numpy()
        order = np.argsort(-key if descending else key, kind="stable")
        ordered = key[order]
        new = np.ones(len(key), dtype=bool)
        new[1:] = ordered[1:] != ordered[:-1]
        ranks = np.empty(len(key), dtype=np.int64)
        ranks[order] = np.maximum.accumulate(np.where(new, np.arange(1, len(key) + 1), 0))
        return ranks, order

    def _common(self) -> Any:
        """The numerators over the denominators' least common multiple, as int64 (they order the
        totals exactly); None where that does not fit in 62 bits."""
        np = numpy()
        num = self.num
        if num.dtype == object or not len(num):
            return None
        dens = set(self.den.tolist())
        common = math.lcm(*dens)
        top = int(np.abs(num).max())
        if common >= _FITS or top * common >= _FITS:
            return None
        if len(dens) == 1:
            return num
        return num * (common // self.den.astype(np.int64))
