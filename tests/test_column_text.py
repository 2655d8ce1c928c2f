"""Whole-batch text work against the per-cell functions it stands for.

Output cells written for a whole batch at once (:mod:`perfrules._textcols`,
through :func:`perfrules._intcols.format_rows` and ``format_column``) are
the text :func:`perfrules.pipeline.chunk.cell_number` gives each value; names that
skip the per-character normalisation are what it gives them.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfrules._intcols import format_column, format_rows, numpy
from perfrules._numbers import exact
from perfrules._textcols import format_matrix
from perfrules._writers import Figure, FigureRun, csv_lines, escape_csv_text
from perfrules.formula.text import _normalize_with_origins, normalize_name
from perfrules.pipeline.chunk import cell_number
from perfrules.scoring.population import rank_positions

_DENS = [1, 2, 4, 5, 8, 10, 16, 20, 25, 100, 1000, 3, 7, 13, 30, 390, 10**6, 2**6, 5**6, 10**7]


def _cells(values: list[int], den: int) -> list[str]:
    return [cell_number(exact(Fraction(v, den))) for v in values]


@settings(deadline=None)
@given(
    rows=st.lists(
        st.lists(st.integers(-(10**12), 10**12) | st.integers(-1000, 1000), min_size=3, max_size=3),
        min_size=1,
        max_size=12,
    ),
    den=st.sampled_from(_DENS),
    hidden=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 2))),
)
def test_rows_of_cells_at_once_are_cell_number(rows, den, hidden):
    np = numpy()
    matrix = np.array(rows, dtype=np.int64)
    shown = np.ones(matrix.shape, dtype=bool)
    for r, c in hidden:
        if r < len(rows):
            shown[r, c] = False
    expected = [
        ",".join("" if not shown[r, c] else _cells([v], den)[0] for c, v in enumerate(row))
        for r, row in enumerate(rows)
    ]
    columns = [matrix[:, c] for c in range(3)]
    assert format_rows(columns, den, shown) == expected
    for c in range(3):
        got = format_column(columns[c], den, shown[:, c])
        assert got == [line.split(",")[c] for line in expected]


@settings(deadline=None)
@given(values=st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=20), den=st.sampled_from(_DENS))
def test_a_column_rounded_to_six_places_is_cell_number(values, den):
    np = numpy()
    got = format_column(np.array(values, dtype=np.int64), den, np.ones(len(values), dtype=bool))
    assert got == _cells(values, den)


def test_the_layout_is_declined_where_it_does_not_fit():
    np = numpy()
    one = np.ones((1, 1), dtype=bool)
    assert format_matrix(np.array([[1]]), 3, one) is None  # 1/3 has no six-place form
    # Laid out with the places its denominator needs (one for halves): past 64-bit integers once scaled.
    assert format_matrix(np.array([[2**60 + 1]]), 2, one) is None
    # Whole numbers need no places: 2**60 is written as it is.
    assert format_matrix(np.array([[2**60]]), 1, one) == [str(2**60)]
    assert format_matrix(np.zeros((0, 2), dtype=np.int64), 1, np.zeros((0, 2), dtype=bool)) == []
    assert format_matrix(np.array([[-7, 0]]), 1, np.ones((1, 2), dtype=bool)) == ["-7,0"]


@settings(deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xA000), max_size=12))
def test_names_read_without_the_per_character_pass_are_normalised_the_same(name):
    assert normalize_name(name) == " ".join(_normalize_with_origins(name)[0].split())


def test_every_character_the_quick_name_path_takes_is_left_as_it_is():
    for code in [*range(0x80), *range(0x4E00, 0xA000)]:
        ch = chr(code)
        assert _normalize_with_origins(ch)[0] == ch


_TEXTS = st.text(alphabet=st.sampled_from(list("甲a ,\"\r\n=+-@\t'1.")), max_size=6)
_CELLS = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    _TEXTS,
    st.builds(Figure, st.sampled_from(["-3.5", "90", "0.125", "", "1,5"])),
    st.builds(FigureRun, st.sampled_from(["87.5,90,,100", "", "1", ",,"])),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)


def _by_the_csv_module(row: list[object]) -> str:
    cells: list[object] = []
    for cell in row:
        if type(cell) is FigureRun:
            cells.extend(cell.split(",") if cell else [""])
        elif type(cell) is str:
            cells.append(escape_csv_text(cell))
        else:
            cells.append("" if cell is None else cell)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


@settings(deadline=None)
@given(st.lists(_CELLS, min_size=2, max_size=6))
def test_csv_lines_written_without_the_csv_module_are_what_it_writes(row):
    """A row of plain cells is joined as it stands; the text is what the csv module writes."""
    if any(type(c) is FigureRun for c in row) and len(row) < 2:
        return
    assert "".join(csv_lines([row])) == _by_the_csv_module(row)


_CLOSE = [Decimal("0.1"), Fraction(1, 10), Decimal("0.1000000000000000000001"), Fraction(10**20 + 1, 10**21)]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(-5, 5),
            st.decimals(min_value=-100, max_value=100, places=2),
            st.fractions(min_value=-100, max_value=100, max_denominator=30),
            st.sampled_from(_CLOSE),
        ),
        min_size=1,
        max_size=16,
    ),
    st.lists(st.integers(0, 15), min_size=64, max_size=100),
    st.booleans(),
)
def test_ranks_at_once_are_the_ranks_of_one_sort(base, picks, descending):
    """Ranks by NumPy (64 values and more) are those of the sort of exact values (ties share)."""
    values = [base[i % len(base)] for i in picks]
    got = rank_positions(values, descending=descending)
    ordered = sorted(values, reverse=descending)
    expected = [1 + sum(1 for v in ordered if (v > x if descending else v < x)) for x in values]
    assert got == expected
