"""Columns of exact numbers written as text, a whole batch at once, in NumPy's bytes.

:mod:`perfrules._intcols` keeps a batch's numbers as integer columns;
:func:`format_matrix` writes them (integers over one denominator that
divides ``10**places``) as lines of comma-separated output cells without a
Python step per cell: each cell's sign, whole digits, point and places are
laid out at fixed positions in one byte array, the characters a cell does
not have are masked out, and the rest is read off as one text. It gives
exactly the text of :func:`perfrules.pipeline.chunk.cell_number` (the tests hold
it to that); where a batch does not fit the layout the caller writes the
cells one by one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["format_matrix"]

_SAFE = 2**62


def _np() -> Any:
    import numpy as np

    return np


def format_matrix(matrix: Any, den: int, shown: Any, places: int = 6) -> list[str] | None:
    """Each row of ``matrix / den`` (an int64 array, units by columns) as one line of output cells.

    A cell is the value with its places (at most *places*), trailing zeros
    dropped, whole numbers without a point; ``""`` where *shown* is False.
    None when the values do not fit the layout (*den* does not divide
    ``10**places``, or a value times ``10**places`` leaves 64-bit integers):
    the caller then writes them cell by cell.

    >>> np = _np()
    >>> format_matrix(np.array([[875, -5], [900, 1]]), 10, np.array([[True, True], [True, False]]))
    ['87.5,-0.5', '90,']
    >>> format_matrix(np.array([[1], [-120]]), 8, np.ones((2, 1), dtype=bool), 3)
    ['0.125', '-15']
    """
    np = _np()
    scale = 10**places
    if matrix.ndim != 2 or matrix.dtype == object or scale % den:
        return None
    # Values over a denominator that divides 10**p have at most p places: lay out only those.
    places = next(p for p in range(places + 1) if 10**p % den == 0)
    scale = 10**places
    n, k = matrix.shape
    if not n:
        return []
    if not k:
        return [""] * n
    top = int(np.abs(matrix).max())
    if top * scale >= _SAFE:
        return None
    value = matrix * (scale // den)
    negative = value < 0
    whole, part = np.divmod(np.abs(value), scale)
    width = len(str(top // den + 1))  # digits of the largest whole part (one spare at most)
    # A cell's characters at fixed places: sign, whole digits, point, places, separator.
    size = 1 + width + 1 + places + 1
    buf = np.empty((n, k, size), dtype=np.uint8)
    keep = np.zeros((n, k, size), dtype=bool)
    buf[:, :, 0] = 45  # "-"
    keep[:, :, 0] = negative
    digits = np.ones((n, k), dtype=np.int64)
    for i in range(1, width):
        digits += whole >= 10**i
    rest = whole
    for j in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        buf[:, :, 1 + j] = digit + 48
        keep[:, :, 1 + j] = (width - j) <= digits
    fraction = part != 0
    buf[:, :, 1 + width] = 46  # "."
    keep[:, :, 1 + width] = fraction
    # Places without trailing zeros: how many of them end in zeros.
    trailing = np.zeros((n, k), dtype=np.int64)
    for i in range(1, places):
        trailing += (part % 10**i) == 0
    rest = part
    for j in range(places - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        buf[:, :, 2 + width + j] = digit + 48
        keep[:, :, 2 + width + j] = fraction & (j < places - trailing)
    if not shown.all():
        keep[~shown] = False
    buf[:, :, size - 1] = 44  # ","
    buf[:, k - 1, size - 1] = 10  # the line's end
    keep[:, :, size - 1] = True
    text = buf[keep].tobytes().decode("ascii")
    lines: list[str] = text.split("\n")[:n]
    return lines
