"""Weighted totals of a batch's score columns: each unit's exact dot product, worked out at once.

The column program (:mod:`perfrules.scoring.program`) keeps each indicator's
scores as a column over its own denominator (``num_k[i] / den_k``). A unit's
total over the weights ``coef_k / W`` is ``Σ coef_k · num_k[i] / den_k / W``:
over the common denominator ``D = lcm(den_k)`` (times ``W``) its numerator is
``Σ num_k[i] · c_k`` with ``c_k = coef_k · D / den_k`` — the weight folded
into the column's factor, one multiplication per cell. :func:`weighted_sums`
works that out:

- in 64-bit integers (one matrix product) where every product and sum fits;
- otherwise, where the factors run to thousands of bits (a min-max
  normalised index: each score ``(x − min)/(max − min)`` has its own
  denominator, and ``D`` is their least common multiple), each numerator
  and each factor is cut into 16-bit pieces. The products of pieces summed
  over the columns stay below ``2**53``, so one floating-point matrix product
  gives them exactly (every partial sum is an integer a double holds); the
  carries are passed along the pieces column-wise, and each unit's total is
  made once from its bytes. No Python integer is made per cell.

:class:`CommonScores` gives the score columns over ``D`` (what explanations
and the command line's cells read) only when they are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy

__all__ = ["CommonScores", "scaled", "weighted_sums"]

_PIECE = 16  # bits per piece
_MASK = (1 << _PIECE) - 1
_ROWS_PER_PRODUCT = 1 << 20  # pieces summed per product: 2**20 · 2**32 < 2**53 (exact in a double)


def scaled(col: IntColumn, den: int) -> tuple[Any, int]:
    """The column's numerators over *den* (a multiple of its own), and their bound.

    >>> np = numpy()
    >>> num, bound = scaled(IntColumn(np.array([3, -1]), 4, 3), 12)
    >>> num.tolist(), bound
    ([9, -3], 9)
    """
    factor = den // col.den
    bound = col.bound * factor
    if factor == 1:
        return col.num, bound
    num = col.num if bound < SAFE and factor < SAFE and col.num.dtype != object else as_objects(col.num)
    return num * factor, bound


class CommonScores(Sequence[Any]):
    """The score columns' numerators over their common denominator, each scaled when first read.

    >>> np = numpy()
    >>> scores = CommonScores([IntColumn(np.array([1, 2]), 2, 2), IntColumn(np.array([1, 1]), 3, 1)], 6)
    >>> [c.tolist() for c in scores]
    [[3, 6], [2, 2]]
    """

    def __init__(self, columns: Sequence[IntColumn], den: int) -> None:
        self.columns = list(columns)
        self.den = den
        self._made: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = k + len(self) if k < 0 else k
        made = self._made.get(k)
        if made is None:
            made = self._made[k] = scaled(self.columns[k], self.den)[0]
        return made

    def __iter__(self) -> Iterator[Any]:
        return (self[k] for k in range(len(self)))


def weighted_sums(columns: Sequence[IntColumn], factors: Sequence[int], rows: Any) -> tuple[Any, bool]:
    """``Σ_k columns[k].num[rows] · factors[k]`` for each of *rows* (None: every row), exactly; and
    whether in int64.

    Returns an int64 array where every product and partial sum fits in 64 bits, else a list of
    Python integers (see the module's docstring).

    >>> np = numpy()
    >>> cols = [IntColumn(np.array([5, -7]), 1, 7), IntColumn(np.array([2**40, 3]), 1, 2**40)]
    >>> weighted_sums(cols, [3, 1], np.arange(2))[0].tolist()
    [1099511627791, -18]
    >>> weighted_sums(cols, [3, 2**200], np.arange(2))[0] == [15 + 2**240, -21 + 3 * 2**200]
    True
    """
    np = numpy()
    used = [(col, c) for col, c in zip(columns, factors, strict=True) if c and col.bound]
    if rows is not None:
        used = [(IntColumn(col.num[rows], col.den, col.bound), c) for col, c in used]
    n = len(rows) if rows is not None else len(columns[0].num) if columns else 0
    if all(col.num.dtype != object for col, _ in used) and sum(col.bound * abs(c) for col, c in used) < SAFE:
        sums = np.zeros(n, dtype=np.int64)
        scratch = np.empty(n, dtype=np.int64)  # (a product at a time: twice as fast as an int64 matmul)
        for col, c in used:
            np.multiply(col.num, c, out=scratch)
            sums += scratch
        return sums, True
    return _by_pieces(used, n), False


def _by_pieces(used: Sequence[tuple[IntColumn, int]], n: int) -> list[int]:
    """:func:`weighted_sums` in 16-bit pieces (see the module's docstring)."""
    np = numpy()
    lefts: list[Any] = []  # per column of the left matrix: the pieces of one numerator column
    rights: list[tuple[int, int]] = []  # and its factor with the piece's place
    for col, c in used:
        count = (col.bound.bit_length() + _PIECE) // _PIECE  # |num| < 2**(16·count − 1)
        if col.num.dtype != object:
            count = min(count, 64 // _PIECE)  # int64: whatever the bound says
        lefts += _pieces(col.num, count)
        rights += [(c, j) for j in range(count)]
    factor_pieces = {c: _factor_pieces(c) for c, _ in rights}
    width = max(j + len(factor_pieces[c]) for c, j in rights)
    sums = np.zeros((width, n), dtype=np.int64)  # per place, each unit's sum of products
    for start in range(0, len(lefts), _ROWS_PER_PRODUCT):
        block = range(start, min(start + _ROWS_PER_PRODUCT, len(lefts)))
        left = np.empty((len(block), n), dtype=np.float64)
        right = np.zeros((len(block), width), dtype=np.float64)
        for r, at in enumerate(block):
            left[r] = lefts[at]
            c, j = rights[at]
            own = factor_pieces[c]
            right[r, j : j + len(own)] = own
        sums += (right.T @ left).astype(np.int64)
    return _from_pieces(sums)


def _pieces(num: Any, count: int) -> list[Any]:
    """*num* as *count* columns of pieces: ``num = Σ_j piece_j · 2**(16·j)``, the top piece signed."""
    np = numpy()
    if num.dtype != object:
        out = [(num >> (_PIECE * j)) & _MASK for j in range(count - 1)]
        return [*out, num >> (_PIECE * (count - 1))]
    offset = 1 << (_PIECE * count - 1)  # made non-negative for its bytes, taken off the top piece
    size = repeat(2 * count)
    raw = b"".join(map(int.to_bytes, (num + offset).tolist(), size, repeat("little")))  # type: ignore[arg-type]
    table = np.frombuffer(raw, dtype="<u2").reshape(len(num), count).astype(np.int64)
    table[:, -1] -= 1 << (_PIECE - 1)
    return [table[:, j] for j in range(count)]


def _factor_pieces(c: int) -> Any:
    """The 16-bit pieces of a factor, each with the factor's sign."""
    np = numpy()
    size = max(1, (abs(c).bit_length() + _PIECE - 1) // _PIECE)
    own = np.frombuffer(abs(c).to_bytes(2 * size, "little"), dtype="<u2").astype(np.float64)
    return -own if c < 0 else own


def _from_pieces(sums: Any) -> list[int]:
    """Each unit's integer ``Σ_l sums[l, i] · 2**(16·l)`` (*sums*: places × units, int64)."""
    np = numpy()
    places, n = sums.shape
    # Past the last place the carry (below 2**47) takes at most three more pieces, then the sign's.
    limbs = np.empty((places + 4, n), dtype="<u2")
    carry = np.zeros(n, dtype=np.int64)
    for place in range(places):
        v = sums[place] + carry
        limbs[place] = v & _MASK
        carry = v >> _PIECE
    used = places
    half = 1 << (_PIECE - 1)
    while ((carry < -half) | (carry >= half)).any():
        limbs[used] = carry & _MASK
        carry = carry >> _PIECE
        used += 1
    limbs[used] = carry & _MASK  # the sign's piece: from here on every piece is 0 or all ones
    used += 1
    blob = np.ascontiguousarray(limbs[:used].T).tobytes()
    step = 2 * used
    view = memoryview(blob)
    return [int.from_bytes(view[at : at + step], "little", signed=True) for at in range(0, n * step, step)]
