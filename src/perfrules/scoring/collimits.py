"""Score limits over columns: scores held within an indicator's limits, totals within full marks.

The column program (:mod:`perfrules.scoring.program`) keeps each indicator's
scores within its lower and upper limit (per category for the upper one) as
the per-unit program does, and sends back the units whose total passes full
marks (a cap leaves a note, which the per-unit program writes). Values are
numerators over the batch's denominator; limits are brought over it exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy, round_half_up_column
from .._numbers import as_fraction
from .coldot import scaled

__all__ = ["limit_bound", "limit_value", "limited", "unrounded", "within_full"]


def within_full(totals: Any, denominators: Any, full: Fraction) -> Any:
    """Which ``totals / denominators`` are at most *full* (compared in int64 where the products fit)."""
    if totals.dtype != object and len(totals):
        dens = denominators.tolist()
        top = int(numpy().abs(totals).max())
        if top * full.denominator < SAFE and max(dens) * full.numerator < SAFE:
            return totals * full.denominator <= numpy().array(dens, dtype=numpy().int64) * full.numerator
    return (totals * full.denominator <= denominators * full.numerator).astype(bool)


def unrounded(totals: Any, denominators: Any, places: int) -> Any:
    """Which ``totals / denominators`` rounding to *places* leaves as they are (no rounding note).

    >>> np = numpy()
    >>> unrounded(np.array([175, 3]), np.array([2, 1], dtype=object), 0).tolist()
    [False, True]
    """
    scaled = totals.astype(object) * 10**places
    return (scaled % denominators == 0).astype(bool)


def limit_value(limit: Any, den: int) -> int | None:
    """A limit's numerator over *den* (which its denominator divides); None for no limit."""
    if limit is None:
        return None
    f = as_fraction(limit)
    return f.numerator * (den // f.denominator)


def limit_bound(limit: Any, den: int) -> int:
    """The largest numerator a limit gives over *den* (0 for no limit): part of a column's bound."""
    if limit is None:
        return 0
    f = as_fraction(limit)
    return abs(f.numerator) * (den // f.denominator)


def limited(num: Any, den: int, k: int, limits: Any, keys: Sequence[str], cat: Any) -> Any:
    """The scores of indicator *k* held within its limits (per category for the upper one)."""
    rows = list(limits.items())
    if len({per[k] for _, per in rows}) == 1:  # the same limits for every category: one pass
        if not len(num):
            return num
        lo, hi = (limit_value(limit, den) for limit in rows[0][1][k])
        if lo is not None and num.min() < lo:
            num = numpy().where(num < lo, lo, num)
        if hi is not None and num.max() > hi:
            num = numpy().where(num > hi, hi, num)
        return num
    for c, per in rows:
        lo, hi = per[k]
        mask = None if not keys else cat == keys.index(c)
        for limit, low in ((lo, True), (hi, False)):
            if limit is None:
                continue
            f = as_fraction(limit)
            value = f.numerator * (den // f.denominator)
            bad = num < value if low else num > value
            if mask is not None:
                bad &= mask
            if bad.any():
                num = num.copy()
                num[bad] = value
    return num


def held(
    limits: Mapping[Any, Sequence[tuple[Any, Any]]],
    k: int,
    col: IntColumn,
    keys: Sequence[str],
    cat: Any,
    places: int | None,
) -> IntColumn:
    """Score column *k* held within its *limits* (per category key: each indicator's lower and upper
    limit, the upper one per category), then rounded half up to *places* (``round_scores``) where the
    scheme says so."""
    found = [lim for per in limits.values() for lim in per[k] if lim is not None]
    den = math.lcm(col.den, *(as_fraction(lim).denominator for lim in found))
    num, bound = scaled(col, den)
    bound = max([bound, *(limit_bound(lim, den) for lim in found)])
    if num.dtype != object and bound >= SAFE:
        num = as_objects(num)
    num = limited(num, den, k, limits, keys, cat)
    if places is not None:
        # round_scores: each score rounded half up, over 10**places.
        num, bound = round_half_up_column(num, den, places), bound * 10**places // den + 1
        den = 10**places
    return IntColumn(num, den, bound)
