"""``分值`` as a column: each row's category's full points of an indicator, read by its rules.

An indicator's formulas and conditions read ``分值`` as its full points for
the unit's category (:meth:`~perfrules.scoring.compiled.CompiledIndicator.full`);
over columns that is one value per category, each row taking its own
category's (``CATEGORY`` among the batch's columns: the category's position).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, numpy
from .._numbers import as_fraction
from ..scheme.reads import FULL_NAME
from .colsteps import CATEGORY, on_scope
from .compiled import CompiledIndicator

__all__ = ["fraction_column", "full_column", "fulls_of", "with_full"]


def fraction_column(values: Sequence[Fraction], at: Any) -> IntColumn:
    """The column whose row i holds ``values[at[i]]``.

    >>> col = fraction_column([Fraction(1, 2), Fraction(3)], numpy().array([1, 0, 1]))
    >>> col.num.tolist(), col.den
    ([6, 1, 6], 2)
    """
    np = numpy()
    den = math.lcm(*(v.denominator for v in values))
    nums = [v.numerator * (den // v.denominator) for v in values]
    bound = max(abs(v) for v in nums)
    table = np.array(nums, dtype=np.int64 if bound < SAFE else object)
    return IntColumn(table[at], den, bound)


def category_of(cols: dict[str, Any], n: int) -> Any:
    """Each row's category (its position among the scheme's; 0 without categories)."""
    found = cols.get(CATEGORY)
    return found if found is not None else numpy().zeros(n, dtype=numpy().int64)


def full_column(fulls: Sequence[Fraction], cols: dict[str, Any], n: int) -> IntColumn:
    """``分值`` per row: the indicator's full points (*fulls*, per category) for each row's category."""
    if len(set(fulls)) == 1:
        return fraction_column(fulls[:1], numpy().zeros(n, dtype=numpy().int64))
    return fraction_column(fulls, category_of(cols, n))


def fulls_of(ind: CompiledIndicator) -> list[Fraction]:
    """The indicator's full points per category of its scheme (one entry without categories)."""
    return [as_fraction(ind.full(c)) for c in (ind.scheme.categories or (None,))]


def with_full(condition: Any, ind: CompiledIndicator, reads: frozenset[str] | set[str]) -> Any:
    """*condition* (a function of the batch's columns) given ``分值`` where it *reads* it (the rows
    it sends back marked on the batch's columns)."""
    if FULL_NAME not in reads:
        return condition
    fulls = fulls_of(ind)

    def run(cols: dict[str, Any], n: int) -> Any:
        return on_scope(condition, {**cols, FULL_NAME: full_column(fulls, cols, n)}, cols, n)

    return run
