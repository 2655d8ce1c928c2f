"""The column program's totals kept as integers: ranks, floats, values and cells, against exact Fractions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from perfrules._numbers import exact
from perfrules.pipeline.chunk import cell_number
from perfrules.scoring.coltotals import TotalColumn
from perfrules.scoring.population import rank_positions

# Numerators from small to far past 64 bits, and denominators that make ties through different
# fractions (2/6 and 1/3), values one float apart, and repeating decimals.
_small = st.integers(-(10**6), 10**6)
_big = st.integers(-(2**90), 2**90)
_dens = st.sampled_from([1, 3, 6, 7, 10, 13, 39, 1000, 3 * 2**60, 2**55 + 1])


@st.composite
def _columns(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    n = draw(st.integers(0, 90))
    nums = draw(st.lists(st.one_of(_small, _big) if draw(st.booleans()) else _small, min_size=n, max_size=n))
    dens = draw(st.lists(_dens, min_size=n, max_size=n))
    # Exact ties made through different fractions: a copy of an earlier total over twice its denominator.
    for i in draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=5)):
        if n > 1:
            j = draw(st.integers(0, n - 1))
            nums[j], dens[j] = nums[i] * 2, dens[i] * 2
    return nums, dens


def _column(nums: list[int], dens: list[int]) -> TotalColumn:
    fits = all(abs(v) < 2**62 for v in nums)
    return TotalColumn(np.array(nums, dtype=np.int64 if fits else object), np.array(dens, dtype=object))


@given(_columns())
@example(([2**53 + 1, 2**53, 2**53 + 1], [1, 1, 1]))  # one apart where floats are two apart
@example(([1, 2**60, 3], [3, 3 * 2**60, 9]))  # three spellings of 1/3
@example(([10**400, -(10**400), 1], [1, 1, 1]))  # past every float
def test_ranks_are_those_of_the_exact_totals(case: tuple[list[int], list[int]]) -> None:
    nums, dens = case
    column = _column(nums, dens)
    fractions = [Fraction(a, b) for a, b in zip(nums, dens, strict=True)]
    assert column.ranks().tolist() == rank_positions(fractions)
    assert column.ranks(descending=False).tolist() == rank_positions(fractions, descending=False)
    # By definition too: 1 + how many totals are strictly better.
    assert column.ranks().tolist() == [1 + sum(g > f for g in fractions) for f in fractions]


@given(_columns())
def test_floats_are_the_nearest_and_keep_the_order(case: tuple[list[int], list[int]]) -> None:
    nums, dens = case
    floats = _column(nums, dens).floats().tolist()
    fractions = [Fraction(a, b) for a, b in zip(nums, dens, strict=True)]
    for f, x in zip(fractions, floats, strict=True):
        if abs(f) < 2**1000:
            assert x == float(f)
    order = sorted(range(len(fractions)), key=fractions.__getitem__)
    assert [floats[i] for i in order] == sorted(floats)


@given(_columns())
def test_values_and_cells_are_those_of_exact(case: tuple[list[int], list[int]]) -> None:
    nums, dens = case
    column = _column(nums, dens)
    expected = [exact(Fraction(a, b)) for a, b in zip(nums, dens, strict=True)]
    assert column.values() == expected
    assert [type(v) for v in column.values()] == [type(v) for v in expected]
    assert [column.value(i) for i in range(len(nums))] == expected
    small = [i for i, v in enumerate(expected) if abs(v) < 10**15]
    cells = column.cells()
    assert [cells[i] for i in small] == [cell_number(expected[i]) for i in small]
