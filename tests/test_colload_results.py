"""A file's units read from its UTF-8 bytes, and results of a batch scored whole made at once.

``load_units`` hands the CSV reader the file's bytes beside its text, and
``evaluate`` makes the results of a batch the column program scored whole from
what the batch holds, read at once (``KeptOutcomes.plain``), without an
outcome per unit. These tests hold both to the ways they stand in for: the
text read without its bytes, and each result made from its outcome.
"""

from __future__ import annotations

import codecs
import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import DataError, evaluate, load_units, loads, units_from_csv
from perfrules.files.data import _RowUnits
from perfrules.files.encoding import read_text, utf8_bytes
from perfrules.scoring.colbatch import KeptOutcomes, score_kept
from perfrules.scoring.plan import plan_of
from test_colload import _PLAIN_SCHEME as _SCHEME
from test_colload import _old, _plain_only, _read, _result_key, _same_units, tables
from test_column_program import _COLUMN_SETTINGS as _SETTINGS
from test_column_program import cases


def _one_by_one(monkeypatch: Any) -> None:
    """Results made outcome by outcome (the way the results read at once stand in for)."""
    monkeypatch.setattr(KeptOutcomes, "plain", lambda self: None)


def test_results_read_at_once_are_made_from_the_batchs_columns(tmp_path, monkeypatch):
    """甲 90×0.6+80×0.4 = 86, 乙 70×0.6+60×0.4 = 66, 丙 86: ranks 1, 3, 1; origins are the rows."""
    scheme = loads(_SCHEME, format="toml")
    path = tmp_path / "data.csv"
    path.write_text("单位,值1,值2\n甲局,90,80\n乙局,70,60\n丙局,80,95\n", encoding="utf-8")
    outcomes = score_kept(plan_of(scheme), load_units(path, scheme=scheme))
    assert isinstance(outcomes, KeptOutcomes)
    found = outcomes.plain()
    assert found is not None
    names, categories, totals, grades, ranks, category_ranks, origins = found
    assert names == ["甲局", "乙局", "丙局"] and categories == [None, None, None]
    assert [str(t) for t in totals] == ["86", "66", "86"] and grades == ["良", "中", "良"]
    assert ranks == [1, 3, 1] and category_ranks == [None, None, None]
    assert origins == [f"{path} row 2", f"{path} row 3", f"{path} row 4"]
    got = evaluate(scheme, load_units(path, scheme=scheme), explained=False)
    assert [(r.unit, str(r.total), r.grade, r.rank, r.origin) for r in got.ranking()] == [
        ("丙局", "86", "良", 1, f"{path} row 4"),
        ("甲局", "86", "良", 1, f"{path} row 2"),
        ("乙局", "66", "中", 3, f"{path} row 3"),
    ]
    _one_by_one(monkeypatch)
    assert evaluate(scheme, load_units(path, scheme=scheme), explained=False) == got


def test_an_adjustment_keeps_results_made_outcome_by_outcome(monkeypatch):
    """A step after the total that leaves an event on a unit: plain() says None, and each result
    is made from its outcome (甲 86 + 1 × 0.5 = 86.5, with the adjustment's event)."""
    adjust = 'policies = [{ type = "adjust", per = "加分", points = 0.5, cap = 2 }]\n'
    scheme = loads(_SCHEME.replace("groups = ", adjust + "groups = "), format="toml")
    text = "单位,值1,值2,加分\n甲局,90,80,1\n乙局,70,60,0\n"
    outcomes = score_kept(plan_of(scheme), units_from_csv(text, scheme=scheme))
    assert isinstance(outcomes, KeptOutcomes) and outcomes.plain() is None
    results = evaluate(scheme, units_from_csv(text, scheme=scheme), explained=False).results
    assert [(r.unit, str(r.total), [e.kind for e in r.events]) for r in results] == [
        ("甲局", "86.5", ["adjust"]),
        ("乙局", "66", []),
    ]


@given(case=cases(), explained=st.booleans())
@_SETTINGS
def test_results_read_at_once_equal_results_made_outcome_by_outcome(tmp_path_factory, case, explained):
    text, data = case
    scheme = loads(text, format="toml")
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_text(_plain_only(data), encoding="utf-8")
    got = evaluate(scheme, load_units(path, scheme=scheme), explained=explained)
    with pytest.MonkeyPatch.context() as patch:
        _one_by_one(patch)
        want = evaluate(scheme, load_units(path, scheme=scheme), explained=explained)
        assert [_result_key(r) for r in got] == [_result_key(r) for r in want]
        assert [(r.full_marks, type(r.total), r.origin) for r in got] == [
            (r.full_marks, type(r.total), r.origin) for r in want
        ]
        assert got == want  # every field (explained when read)
        assert [r.unit for r in got.ranking()] == [r.unit for r in want.ranking()]
    if explained and got.results:
        assert got.results[0].explain() == want.results[0].explain()


@given(table=tables(), bom=st.booleans())
@_SETTINGS
def test_a_csv_read_from_its_bytes_gives_the_units_its_text_gives(tmp_path_factory, table, bom):
    """``load_units`` reads a UTF-8 file's bytes; ``units_from_csv`` the text alone: the same units."""
    header, rows = table
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    text = out.getvalue()
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    try:
        from_bytes = load_units(path)
    except Exception as exc:  # the same error either way
        with pytest.raises(type(exc)) as again:
            units_from_csv(text, origin=str(path))
        assert str(again.value) == str(exc)
        return
    from_text = units_from_csv(text, origin=str(path))
    assert list(from_bytes) == list(from_text) and from_bytes.notes == from_text.notes
    assert [u.origin for u in from_bytes] == [u.origin for u in from_text]


_ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-32"]


@given(text=st.text(max_size=40), encoding=st.sampled_from(_ENCODINGS), marks=st.integers(0, 2))
@settings(max_examples=300, deadline=None)
def test_utf8_bytes_are_the_bytes_of_the_text_read_text_reads_as_utf8(text, encoding, marks):
    try:
        data = (
            codecs.BOM_UTF8 * marks + text.encode(encoding) if encoding == "utf-8" else text.encode(encoding)
        )
    except UnicodeEncodeError:
        return
    raw = utf8_bytes(data)
    try:
        want = read_text(data, "d.csv")
    except DataError:
        assert raw is None  # read_text says why not
        return
    if raw is not None:
        assert raw.decode("utf-8") == want and data.endswith(raw)
    if encoding.startswith("utf-8") and "\x00" not in text:
        assert raw is not None  # UTF-8, with or without marks: read from its bytes


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00\x00a",
        b"\xef\xbb\xbf\xff",
        b"a\xe5\x8d",
        b"PK\x03\x04a",
        "\ufeff甲".encode("utf-16"),
        b"a\x00",
    ],
)
def test_bytes_read_text_does_not_read_as_utf8_are_left_to_it(data):
    assert utf8_bytes(data) is None


def test_one_row_origins_at_once_are_each_rows_origin():
    reader = _RowUnits(["单位", "值"], scheme=None, origin="数据.csv")
    assert reader.row_origins([2, 10]) == [reader.rows_origin([2]), reader.rows_origin([10])]
    assert reader.row_origins([2]) == ["数据.csv row 2"]

    class Named(_RowUnits):
        def rows_origin(self, numbers: Any) -> str:
            return f"frame index {numbers[0]}"

    assert Named(["单位", "值"], scheme=None, origin="f").row_origins([3]) == ["frame index 3"]


@pytest.mark.parametrize(
    "text",
    [
        '单位,"值1,二"\n甲局,1\n',
        '"单位",值\n甲局,1\n',
        '"单位\n",值\n甲局,1\n',
        '单位,值"1\n甲局,1\n',
        '单位,"值""1"\n甲局,1\n',
        '单位,"值1" ,值2\n甲局,1,2\n',
        '单位,"值1\n甲局,1\n',
    ],
)
def test_a_quoted_header_read_from_the_bytes_is_read_as_before(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode("utf-8"))
    _same_units(_read(lambda: load_units(path)), _read(lambda: _old(path)))
    _same_units(_read(lambda: units_from_csv(text, origin=str(path))), _read(lambda: _old(path)))


def test_a_header_quoted_on_its_line_keeps_the_quick_reading(tmp_path, monkeypatch):
    """weighted-41's header quotes a name with a comma: its rows are still cut at once from the bytes."""
    from perfrules.files import colload

    path = tmp_path / "data.csv"
    path.write_bytes('单位,"精神,纠正“四风”得分",值2\n甲局,87.5,1\n乙局,90,2\n'.encode())
    monkeypatch.setattr(colload, "_table_rows", None)  # the per-row reader is not reached
    units = load_units(path)
    assert [(u.name, dict(u.data)) for u in units] == [
        ("甲局", {"精神,纠正“四风”得分": Decimal("87.5"), "值2": Decimal("1")}),
        ("乙局", {"精神,纠正“四风”得分": Decimal("90"), "值2": Decimal("2")}),
    ]


def test_a_cell_read_with_a_note_keeps_results_made_outcome_by_outcome():
    """'87.5分' is read as 87.5 with a note: the note's event stays on 甲局's result."""
    scheme = loads(_SCHEME, format="toml")
    text = "单位,值1,值2\n甲局,87.5分,80\n乙局,70,60\n"
    outcomes = score_kept(plan_of(scheme), units_from_csv(text, scheme=scheme))
    if isinstance(outcomes, KeptOutcomes):
        assert outcomes.plain() is None
    got = evaluate(scheme, units_from_csv(text, scheme=scheme), explained=False)
    want = evaluate(scheme, list(units_from_csv(text, scheme=scheme)), explained=False)
    assert [_result_key(r) for r in got] == [_result_key(r) for r in want]
    assert str(got.results[0].total) == "84.5" and got.results[0].events  # 87.5×0.6 + 80×0.4
