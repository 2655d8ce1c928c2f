"""Units read into columns (load_units) against the per-cell reader, and evaluate on them.

``load_units`` keeps a file's units as columns and makes each ``Unit`` when
it is read; ``evaluate`` scores such units from the columns. These tests hold
both to the old way, which they keep as the reference: the per-cell reader
(``_units_from_rows`` over ``iter_rows``) for the units, and ``evaluate`` on
a plain list of the same units for the results.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import pickle
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from perfrules import DataError, Unit, UnitList, evaluate, load_units, loads, units_from_csv
from perfrules._intcols import from_text_columns, from_text_rows, from_values
from perfrules.files.cells import CellValue, read_cell
from perfrules.files.data import _units_from_rows
from perfrules.files.tables import iter_rows
from perfrules.scoring.colbatch import score_kept
from perfrules.scoring.plan import plan_of
from test_column_program import _COLUMN_SETTINGS as _SETTINGS
from test_column_program import _EXAMPLES, cases

_CELLS = [
    "0", "95", "-3", "87.5", "0.50", "-0", "-0.0", "100.000", "12345678901234567", "1234567890123456789",
    "0.1234567890123", "", "  ", " 7", "7 ", "95%", "19件", "1,234", "abc", "—", "N/A", "1e3", "１２", "7.",
    ".5", "+4", "29/30", "0/0", "无", "5万",
]  # fmt: skip
_NAMES = ["甲局", "乙局", "丙局", "丁委", "Ａ办", "戊局 ", ""]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A data table: 单位, sometimes 类别, 期间 and 不适用, numeric columns; plain and odd cells."""
    header = ["单位"]
    if draw(st.booleans()):
        header.append("类别")
    if draw(st.integers(0, 3)) == 0:
        header.append("期间")
    if draw(st.integers(0, 3)) == 0:
        header.append("不适用")
    header += [f"值{k}" for k in range(draw(st.integers(1, 5)))]
    plain = st.sampled_from(_CELLS[:11])
    cell = st.one_of(plain, plain, plain, st.sampled_from(_CELLS))
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        row = [draw(st.sampled_from(_NAMES[:-1]) if draw(st.integers(0, 30)) else st.just(""))]
        for column in header[1:]:
            if column == "类别":
                row.append(draw(st.sampled_from(["甲类", "乙类", "", " 甲类"])))
            elif column == "期间":
                row.append(draw(st.sampled_from(["", "", "", "1季度", "2季度"])))
            elif column == "不适用":
                row.append(draw(st.sampled_from(["", "", "", "1", "指标1、2"])))
            else:
                row.append(draw(cell))
        if draw(st.integers(0, 15)) == 0:
            row = row[:-1]  # a short row: only its unit fails
        rows.append(row)
    if draw(st.integers(0, 6)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), [""] * len(header))  # an empty row, skipped
    return header, rows


def _csv_text(header: list[str], rows: list[list[str]], how: str) -> str:
    if how == "joined" and not any("," in c or '"' in c for r in rows for c in r):
        return "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if how == "crlf" else "\n")
    writer.writerows([header, *rows])
    return out.getvalue()


def _old(path: Any, scheme: Any = None) -> UnitList:
    """The per-cell reader: a Unit, and a Decimal per cell, for every row at once."""
    header, rows = iter_rows(path)
    return _units_from_rows(header, rows, scheme=scheme, origin=str(path))


def _read(fn: Any) -> Any:
    try:
        return fn()
    except DataError as exc:
        return ("DataError", str(exc))


def _unit_key(u: Unit) -> tuple[Any, ...]:
    """Everything about a unit, values by their exact text (Decimal('0.50') is not Decimal('0.5'))."""
    return (
        u.name,
        u.category,
        [(k, type(v).__name__, str(v)) for k, v in u.data.items()],
        {p: [(k, str(v)) for k, v in d.items()] for p, d in u.periods.items()},
        sorted(u.not_applicable),
        u.origin,
        u.problems,
        u.notes,
    )


def _same_units(new: Any, old: Any) -> None:
    if isinstance(old, tuple):
        assert new == old  # the same file error, word for word
        return
    assert isinstance(new, UnitList)
    assert [_unit_key(u) for u in new] == [_unit_key(u) for u in old]
    assert new == list(old) and new.notes == old.notes
    columns, rows, _ = new.kept()
    if columns is None:
        return
    # What the column program is given of a unit it may take is what that unit's data gives.
    for r in rows:
        assert r is not None
        if not columns.ok[r]:
            continue
        unit = columns.unit(r)
        assert (columns.names[r], columns.categories[r]) == (unit.name, unit.category)
        assert not (unit.problems or unit.periods or unit.not_applicable)
        assert tuple(columns.notes.get(r, ())) == unit.notes  # cells read with a note (colcells)
        for name, (col, plain) in columns.columns.items():
            want, want_plain = from_values([unit.data.get(name)])
            assert bool(plain[r]) == bool(want_plain[0])
            if plain[r]:
                assert int(col.num[r]) * want.den == int(want.num[0]) * col.den


@given(table=tables(), how=st.sampled_from(["joined", "quoted", "crlf"]), bom=st.booleans())
@_SETTINGS
def test_a_csv_file_read_as_columns_gives_the_per_cell_readers_units(tmp_path_factory, table, how, bom):
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    text = _csv_text(*table, how)
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    _same_units(_read(lambda: load_units(path)), _read(lambda: _old(path)))
    # units_from_csv reads text the same way.
    _same_units(_read(lambda: units_from_csv(text, origin=str(path))), _read(lambda: _old(path)))


@given(case=cases())
@_SETTINGS
def test_a_schemes_data_read_as_columns_gives_the_per_cell_readers_units(tmp_path_factory, case):
    """With the scheme: columns it does not read are noted, as before."""
    text, data = case
    scheme = loads(text, format="toml")
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    rows = list(csv.reader(io.StringIO(data)))
    out = io.StringIO()
    csv.writer(out).writerows([[*row, "不读" if i == 0 else str(i)] for i, row in enumerate(rows)])
    path.write_text(out.getvalue(), encoding="utf-8")
    _same_units(_read(lambda: load_units(path, scheme=scheme)), _read(lambda: _old(path, scheme)))


def _workbook_cell(text: str) -> Any:
    """A cell as a workbook may hold it: a number where the text is one, else the text."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        return text or None
    if text.strip() != text or not value.is_finite():
        return text
    return int(value) if value == value.to_integral_value() and "." not in text else float(text)


@given(table=tables())
@settings(max_examples=max(5, _EXAMPLES // 4), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_workbook_read_as_columns_gives_the_per_cell_readers_units(tmp_path_factory, table):
    openpyxl = pytest.importorskip("openpyxl")
    header, rows = table
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row[0], *map(_workbook_cell, row[1:])])
    path = tmp_path_factory.mktemp("xlsx") / "data.xlsx"
    book.save(path)
    _same_units(_read(lambda: load_units(path)), _read(lambda: _old(path)))


@pytest.mark.parametrize(
    "text",
    [
        "单位,值\n甲局,1\n\n",
        "单位,值\n\n甲局,1\n",
        "单位,值\r\n甲局,1\r乙局,2\r\n",
        "单位,值\n甲局,1,\n乙局,2\n",
        "单位,值\n甲局\n乙局,2\n",
        "单位,值\n,1\n",
        '"单位",值\n甲局,"1"\n',
        '"单位,x",值\n甲局,1\n',
        "单位,,值\n甲局,,1\n",
        "单位,值\n甲局,1\n甲局,2\n",
        "单位,值,值\n甲局,1,2\n",
        "单位,值\n甲局,\x001\n",
        "单位,值\n甲局," + "1" * 10_001 + "\n",
    ],
)
def test_texts_at_the_edge_of_the_quick_reading_are_read_as_before(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode("utf-8"))
    _same_units(_read(lambda: load_units(path)), _read(lambda: _old(path)))


def test_json_units_are_read_as_before(tmp_path):
    """JSON is read unit by unit as before (its numbers are parsed with the file); the list is a UnitList."""
    path = tmp_path / "data.json"
    path.write_text(json.dumps([{"name": "甲局", "data": {"值": 1.50}}, {"name": "乙局", "data": {}}]))
    units = load_units(path)
    assert isinstance(units, UnitList) and units.kept()[0] is None
    assert [(u.name, dict(u.data)) for u in units] == [("甲局", {"值": Decimal("1.50")}), ("乙局", {})]


def _result_key(r: Any) -> tuple[Any, ...]:
    return (r.unit, r.category, r.total, str(r.total), r.grade, r.rank, r.category_rank, r.errors,
            r.events, r.origin, r.flags, r.vetoed)  # fmt: skip


@given(case=cases(), explained=st.booleans())
@_SETTINGS
def test_evaluate_on_units_kept_as_columns_is_evaluate_on_their_list(tmp_path_factory, case, explained):
    text, data = case
    scheme = loads(text, format="toml")
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_text(data, encoding="utf-8")
    kept = load_units(path, scheme=scheme)
    plain = list(load_units(path, scheme=scheme))
    assert score_kept(plan_of(scheme), load_units(path, scheme=scheme)) is not None  # the columns' way ran
    got = evaluate(scheme, kept, explained=explained)
    want = evaluate(scheme, plain, explained=explained)
    assert [_result_key(r) for r in got] == [_result_key(r) for r in want]
    assert got == want  # every field, indicators and groups included (explained when read)
    assert [r.explain() for r in got] == [r.explain() for r in want]
    assert [r.unit for r in got.ranking()] == [r.unit for r in want.ranking()]


# Two indicators of one group (test_colload_results reads the units of this scheme).
_PLAIN_SCHEME = """
name = "列"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 60
score = "值1"
[[indicators]]
code = "2"
name = "乙"
group = "组"
weight = 40
score = "值2"
"""
# The same, with 乙 applying to two of the units only.
_SCHEME = _PLAIN_SCHEME + 'applies_to = ["甲局", "丙局"]\n'


def test_a_unit_list_behaves_as_a_list_of_its_units():
    units = units_from_csv("单位,值1,值2\n甲局,90,80\n乙局,70,x\n丙局,85,95\n")
    plain = list(units)
    assert len(units) == 3 and units == plain and plain == units and units != plain[:2]
    assert units[0] is units[0] is plain[0] and units[-1] is plain[-1] and units[1:] == plain[1:]
    assert [u.name for u in reversed(units)] == ["丙局", "乙局", "甲局"]
    assert units.index(plain[1]) == 1 and units.count(plain[2]) == 1 and plain[0] in units
    empty: list[Unit] = []
    assert units + empty == plain and empty + units == plain
    assert units * 1 == plain and units.copy() == plain
    assert repr(units) == repr(plain) and not isinstance(units, list)
    again = pickle.loads(pickle.dumps(units))
    assert again == units and isinstance(again, UnitList) and copy.copy(units) == units
    extra = Unit(name="丁局", data={"值1": 50})
    units.append(extra)
    units.insert(0, units.pop())
    assert [u.name for u in units] == ["丁局", "甲局", "乙局", "丙局"]
    units.sort(key=lambda u: u.name)
    assert [u.name for u in units] == sorted(["丁局", "甲局", "乙局", "丙局"])
    units[0:1] = []
    units.append(5)  # a list holds what it is given; a caller's int is not a position
    assert units[-1] == 5
    del units[-1]
    units.reverse()
    assert units == sorted([*plain, extra], key=lambda u: u.name)[1:][::-1]


def test_evaluate_on_a_changed_unit_list_scores_what_it_holds():
    scheme = loads(_SCHEME, format="toml")
    units = units_from_csv("单位,值1,值2\n甲局,90,80\n乙局,70,\n丙局,85,x\n戊局,60,60\n", scheme=scheme)
    units.append(Unit(name="丁局", data={"值1": Decimal("99.5")}))
    del units[3]
    units[0], units[1] = units[1], units[0]
    got = evaluate(scheme, units)
    want = evaluate(scheme, list(units))
    assert got == want and [_result_key(r) for r in got] == [_result_key(r) for r in want]
    assert [(r.unit, str(r.total), r.rank) for r in got] == [
        ("乙局", "70", 3), ("甲局", "86", 2), ("丙局", "None", None), ("丁局", "99.5", 1)
    ]  # fmt: skip
    units.append(units[0])
    with pytest.raises(ValueError, match="two units are named '乙局'"):
        evaluate(scheme, units)
    units[-1] = "乙局"
    with pytest.raises(TypeError, match="units must be Unit objects"):
        evaluate(scheme, units)


def test_results_of_units_kept_as_columns_are_made_when_read():
    scheme = loads(_SCHEME, format="toml")
    units = units_from_csv("单位,值1,值2\n甲局,90,80\n乙局,70,60\n", scheme=scheme)
    evaluation = evaluate(scheme, units, explained=False)
    assert callable(evaluation._results)  # nothing made yet
    assert [(r.unit, str(r.total), r.rank) for r in evaluation.ranking()] == [
        ("甲局", "86", 1),
        ("乙局", "70", 2),
    ]
    assert not callable(evaluation._results)
    again = pickle.loads(pickle.dumps(evaluate(scheme, units)))
    assert again == evaluate(scheme, list(units)) and again.unit("乙局").indicator("1").score == 70


_CATEGORIES = """
name = "类"
total = 100
categories = ["委", "局"]
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "甲"
group = "组"
weights = { "委" = 60, "局" = 50 }
score = "值1"
[[indicators]]
code = "2"
name = "乙"
group = "组"
weights = { "委" = 40, "局" = 50 }
score = "值2"
"""


def test_ranks_of_a_batch_scored_whole_as_columns_are_finish_batchs():
    """Every unit scored by the column program: ranks and category ranks from the integer totals,
    ties sharing the better rank, as for a list of the same units."""
    scheme = loads(_CATEGORIES, format="toml")
    text = "单位,类别,值1,值2\n甲,委,90,80\n乙,局,86,86\n丙,委,80,95\n丁,局,90.5,81.5\n戊,局,70,60\n"
    units = units_from_csv(text, scheme=scheme)
    assert not isinstance(score_kept(plan_of(scheme), units), list)  # outcomes made when read
    got = evaluate(scheme, units, explained=False)
    want = evaluate(scheme, list(units_from_csv(text, scheme=scheme)), explained=False)
    assert [_result_key(r) for r in got] == [_result_key(r) for r in want]
    # 甲 90×0.6+80×0.4 = 86; 乙 86; 丙 48+38 = 86; 丁 (90.5+81.5)/2 = 86; 戊 65: a four-way tie.
    assert [(r.unit, str(r.total), r.rank, r.category_rank) for r in got] == [
        ("甲", "86", 1, 1), ("乙", "86", 1, 1), ("丙", "86", 1, 1), ("丁", "86", 1, 1), ("戊", "65", 5, 3)
    ]  # fmt: skip


def _plain_only(data: str) -> str:
    """The data with every cell the column program would send back made plain (so that it scores
    the whole batch): odd cells become 1, an empty category the first one named."""
    rows = list(csv.reader(io.StringIO(data)))
    header = rows[0]
    named = sorted({r[1] for r in rows[1:] if r[1]}) if len(header) > 1 and header[1] == "类别" else []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows[1:]:
        cells = []
        for column, cell in zip(header, row, strict=True):
            if column == "类别":
                cells.append(cell or (named[0] if named else "甲类"))
            elif column != "单位" and (cell in _ODD or not cell):
                cells.append("1")
            else:
                cells.append(cell)
        writer.writerow(cells)
    return out.getvalue()


_ODD = {"95%", "1e3", "１２", "87.1234567890123", "123456789012345678901", "-0", "7.", "约五分"}


@given(case=cases(), explained=st.booleans())
@_SETTINGS
def test_a_batch_scored_whole_as_columns_evaluates_as_its_list(tmp_path_factory, case, explained):
    """Plain cells only: the column program scores every unit, ranks come from the integer totals."""
    text, data = case
    scheme = loads(text, format="toml")
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_text(_plain_only(data), encoding="utf-8")
    units = load_units(path, scheme=scheme)
    got = evaluate(scheme, units, explained=explained)
    want = evaluate(scheme, list(load_units(path, scheme=scheme)), explained=explained)
    assert [_result_key(r) for r in got] == [_result_key(r) for r in want]
    assert got == want
    # The program reads the kept columns themselves: scoring them again gives the same.
    assert evaluate(scheme, units, explained=explained) == want


_PLAIN = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")
_PIECES = [*"0123456789.-+ e%,１甲\r\t:/", "00", "9" * 9, "1234567890123456"]  # : and / border the digits
_BYTES = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


_EDGES = [
    "1-2", "--1", "-", "1.", ".5", "-.5", "1.2.3", "-0", "0.123456789012", "0.1234567890123", "１２",
    "123456789012345678", "1234567890123456789", "12345678901234567.8", "1234567.12345678901", " 7", "7 ",
]  # fmt: skip


@settings(deadline=None, max_examples=300)
@example([_EDGES])
@example([["0.5"], ["12345678901234567"]])
@given(st.lists(st.lists(_BYTES, min_size=1, max_size=6), min_size=1, max_size=4).filter(
    lambda cols: len({len(c) for c in cols}) == 1
))  # fmt: skip
def test_plain_decimals_parsed_at_once_are_read_cells_values(columns):
    """A cell is plain exactly when it is an optional minus, digits and optionally a point and
    digits (at most 18 digits, 12 places, fitting its column's scale); its value is read_cell's.
    Rows and columns of the same table give the same columns."""
    parsed = from_text_columns(columns)
    n = len(columns[0])
    rows = "\n".join("\n".join(row) for row in zip(*columns, strict=True)).encode("utf-8")
    if all("\n" not in c for col in columns for c in col):
        by_rows = from_text_rows(rows, len(columns), n)
        for (a, pa), (b, pb) in zip(parsed, by_rows, strict=True):
            assert (a.num.tolist(), a.den, a.bound, pa.tolist()) == (
                b.num.tolist(),
                b.den,
                b.bound,
                pb.tolist(),
            )
    for cells, (col, plain) in zip(columns, parsed, strict=True):
        for text, num, fine in zip(cells, col.num.tolist(), plain.tolist(), strict=True):
            m = _PLAIN.fullmatch(text)
            alone = m is not None and len(m[1]) + len(m[2] or "") <= 18 and len(m[2] or "") <= 12
            assert not fine or alone
            if alone and len(cells) == 1:
                assert fine
            if fine:
                got = read_cell(text)
                assert isinstance(got, CellValue) and got.note is None
                assert Fraction(num, col.den) == Fraction(got.value)
