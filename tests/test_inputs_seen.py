"""Data read as people see it: workbooks (hidden sheets, merged cells, bounded cost), encodings, names.

Every file here is made by hand: Big5 and Shift-JIS bytes of realistic
Traditional Chinese and Japanese tables, workbooks written with openpyxl and
then edited (sheets hidden, cells merged, parts swapped for bombs).
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules.files.xlsx as xlsx
from cli_run import run
from perfrules import (
    DataError,
    Unit,
    evaluate,
    load_units,
    loads,
    normalize_name,
    units_from_csv,
    units_from_json,
)
from perfrules.files.encoding import read_text
from test_data import _scheme_file
from test_files import GOOD

openpyxl = pytest.importorskip("openpyxl")

SCHEME = loads(GOOD)  # 完成率 = 完成数/总数 (weight 60), 得分 (weight 40)


# ---------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------

BIG5_TABLE = (
    "單位,類別,完成數,總數,得分\n"
    "臺北市政府交通局,局,29,30,88\n"
    "新北市環境保護局,局,18,20,90\n"
    "高雄市經濟發展局,局,40,45,75\n"
    "臺中市政府資訊中心,辦,12,12,95\n"
)
SHIFT_JIS_TABLE = (
    "単位,区分,完成数,総数,得分\n"
    "東京都交通局,局,29,30,88\n"
    "大阪府環境農林水産部,部,18,20,90\n"
    "横浜市経済局,局,40,45,75\n"
    "札幌市総務局,局,12,12,95\n"
)


@pytest.mark.parametrize(
    ("table", "codec", "named"),
    [
        (BIG5_TABLE, "big5", "Big5"),
        (SHIFT_JIS_TABLE, "cp932", "Shift-JIS"),
        (SHIFT_JIS_TABLE, "shift_jis", "Shift-JIS"),
    ],
    ids=["big5", "cp932", "shift-jis"],
)
def test_big5_and_shift_jis_are_refused_not_scored_with_garbage_names(table, codec, named, tmp_path):
    """Both decode as GB18030 without a single error; the result is refused, naming the file and the likely encoding."""
    data = table.encode(codec)
    data.decode("gb18030")  # the trap: it decodes
    path = tmp_path / "考核数据.csv"
    path.write_bytes(data)
    with pytest.raises(DataError) as caught:
        load_units(path, scheme=SCHEME)
    (problem,) = caught.value.problems
    assert problem.path == str(path)
    assert "read as GB18030 (GBK) it gives unlikely characters" in problem.message
    assert f"it looks like {named}" in problem.message and "save it as CSV UTF-8" in problem.message
    code, out, err = run("score", str(_scheme_file(tmp_path)), str(path))
    assert code == 1 and out == "" and "考核数据.csv" in err and named in err and "Traceback" not in err
    # The same text saved as UTF-8 reads, with its real names.
    assert read_text(table.encode("utf-8"), "d.csv") == table  # the same text saved as UTF-8 reads


def test_gbk_with_rare_place_names_and_four_byte_characters_still_reads(tmp_path):
    """Level-2 characters of GB2312 (亳 谯 鄞), a GBK-only character and a four-byte one are plausible Chinese."""
    text = (
        "单位,类别,完成数,总数,得分\n"
        "亳州市谯城区财政局,局,19,20,88\n"
        "宁波市鄞州区发改局,局,18,20,90\n"
        "濮阳市交通运输委员会,委,29,30,75\n"
        "𠀾州区办公室,办,1,2,60\n"
        "喆区发展改革局,局,3,4,70\n"
    )
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("gb18030"))
    assert [u.name for u in load_units(path)] == [line.split(",")[0] for line in text.splitlines()[1:]]


GB2312_CHINESE = st.sampled_from(
    [
        ch
        for lead in range(0xB0, 0xF8)
        for trail in range(0xA1, 0xFF)
        for ch in [bytes([lead, trail]).decode("gb2312", "ignore")]
        if ch
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(GB2312_CHINESE | st.sampled_from("，、（）0123456789"), min_size=1, max_size=12), min_size=1
    )
)
def test_any_gb2312_chinese_saved_as_gbk_reads_back(names):
    """The plausibility check never refuses Chinese text in GBK's common characters."""
    text = "单位,得分\n" + "".join(f"{n},1\n" for n in names)
    assert read_text(text.encode("gbk"), "d.csv") == text


def test_json_in_big5_is_refused_too(tmp_path):
    path = tmp_path / "d.json"
    path.write_bytes(
        json.dumps([{"name": "臺北市政府交通局", "data": {"得分": 90}}], ensure_ascii=False).encode("big5")
    )
    with pytest.raises(DataError, match="looks like Big5"):
        load_units(path)


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

INVISIBLE = ["\u200b", "\ufeff", "\u00ad", "\u200c", "\u200d", "\u2060"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.characters(categories=["Lo", "Nd", "Lu"]), min_size=1, max_size=10),
    st.lists(st.tuples(st.integers(0, 10), st.sampled_from(INVISIBLE)), max_size=4),
    st.sampled_from(["", " ", "\u3000", "\t", " \u3000 "]),
)
def test_invisible_characters_and_outer_spaces_never_make_another_name(name, inserts, pad):
    """normalize_name drops format characters (U+200B, U+FEFF, U+00AD ...) and outer spaces, U+3000 included."""
    spelt = name
    for at, ch in inserts:
        spelt = spelt[:at] + ch + spelt[at:]
    assert normalize_name(pad + spelt + pad) == normalize_name(name)


@pytest.mark.parametrize("mark", ["\u200b", "\ufeff", "\u00ad"])
def test_a_unit_name_with_an_invisible_character_is_the_same_unit(mark, tmp_path):
    """Before, '甲局' + U+200B was a second unit that ranked first; now the two rows are one unit's, reported."""
    path = tmp_path / "d.csv"
    path.write_text(
        f"单位,完成数,总数,得分\n甲局,19,20,88\n乙局,18,20,90\n甲局{mark},20,20,99\n", encoding="utf-8"
    )
    units = load_units(path, scheme=SCHEME)
    assert [u.name for u in units] == ["甲局", "乙局"]
    (problem,) = units[0].problems
    assert "two rows without a period (rows 2, 4)" in problem.message
    assert f"'甲局\\u{ord(mark):04x}' (row 4)" in problem.message and "'甲局' (row 2)" in problem.message
    result = evaluate(SCHEME, units)
    assert [u.unit for u in result if u.ok] == ["乙局"]
    assert not result.unit("甲局").ok


def test_an_invisible_character_alone_is_simply_the_clean_name(tmp_path):
    """A name copied with a zero-width space, given once, is the unit's name: matched, scored, shown clean."""
    path = tmp_path / "d.csv"
    path.write_text("单位,完成数\u200b,总数\ufeff,得分\n\ufeff甲局\u00ad,19,20,88\n", encoding="utf-8")
    (unit,) = load_units(path, scheme=SCHEME)
    assert unit.name == "甲局" and dict(unit.data) == {"完成数": 19, "总数": 20, "得分": 88}
    assert evaluate(SCHEME, [unit]).unit("甲局").ok


@pytest.mark.parametrize("other", ["完成数 ", "完成数\u3000", "\u200b完成数", "完成数\u00ad"])
def test_unit_data_keys_that_become_one_name_are_an_error_naming_both(other):
    """Unit(data=...) used to keep the last of '完成数' and '完成数 ' silently."""
    with pytest.raises(ValueError, match="one name once normalised") as caught:
        Unit(name="甲局", data={"完成数": 19, other: 20})
    message = str(caught.value)
    assert "'完成数'" in message and "in 'data'" in message
    assert "\\u" in message or "'完成数 '" in message  # the other spelling, its invisible part spelt out
    with pytest.raises(ValueError, match="in period '1月'"):
        Unit(name="甲局", periods={"1月": {"完成数": 19, other: 20}})
    assert Unit(name="甲局", data={other: 20}).data == {"完成数": 20}


def test_json_keys_that_become_one_name_are_a_file_error_naming_both_and_the_unit(tmp_path):
    path = tmp_path / "d.json"
    units = [
        {"name": "甲局", "data": {"完成数": 19, "总数": 20, "得分": 88}},
        {"name": "乙局", "data": {"完成数": 19, "完成数\u3000": 20, "总数": 20, "得分": 88}},
    ]
    path.write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_units(path)
    (problem,) = caught.value.problems
    assert problem.path == "units[1]"
    assert "'完成数' and '完成数\\u3000' in 'data' are one name" in problem.message


def test_json_unit_names_that_become_one_name_name_both_spellings():
    with pytest.raises(DataError) as caught:
        units_from_json([{"name": "甲局"}, {"name": "甲局\u00ad"}])
    (problem,) = caught.value.problems
    assert problem.path == "units[1].name"
    assert (
        problem.message
        == "'甲局\\u00ad' is also the name of units[0] ('甲局'): one name once normalised ('甲局')"
    )


def test_columns_that_become_one_name_name_both_spellings(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("单位,完成数,完成数\u200b,总数\n甲局,1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_units(path)
    (problem,) = caught.value.problems
    assert problem.message == (
        "column 2 (B) and column 3 (C) are both named '完成数' (spelt '完成数' and '完成数\\u200b')"
    )


def test_scheme_names_match_data_by_the_same_normalised_form():
    """An indicator named with a zero-width space in the scheme is found by its clean name, and the reverse."""
    scheme = loads(GOOD.replace('name = "得分"', 'name = "得\u200b分"'))
    unit = Unit(name="甲局", data={"完成数\ufeff": 19, "总数": 20, "得分": 88}, not_applicable=["得分\u00ad"])
    result = evaluate(scheme, [unit]).unit("甲局")
    assert result.ok and result.indicator("得分").events[0].kind == "not_applicable"


# ---------------------------------------------------------------------------
# Workbooks: hidden sheets
# ---------------------------------------------------------------------------


def _book(path: Path, sheets: dict[str, list[list[object]]], states: dict[str, str] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = (states or {}).get(title, "visible")
    book.active = next(i for i, t in enumerate(sheets) if (states or {}).get(t, "visible") == "visible")
    book.save(path)
    return path


OLD = [["单位", "完成数", "总数", "得分"], ["甲局", 1, 20, 10], ["乙局", 20, 20, 100]]
NEW = [["单位", "完成数", "总数", "得分"], ["甲局", 19, 20, 88], ["乙局", 18, 20, 90]]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_not_scored(state, tmp_path):
    """Before, the hidden 旧数据 was scored (a plausible ranking, exit 0); now the visible sheet is, with a note."""
    path = _book(tmp_path / "d.xlsx", {"旧数据": OLD, "2020年": NEW}, {"旧数据": state})
    units = load_units(path, scheme=SCHEME)
    assert {u.name: u.data["完成数"] for u in units} == {"甲局": 19, "乙局": 18}
    (note,) = units.notes
    assert note.message == (
        f"hidden sheets not read: '旧数据' ({state}); read the first visible sheet '2020年' (choose another with --sheet)"
    )
    code, out, err = run("score", str(_scheme_file(tmp_path)), str(path))
    assert code == 0 and f"note: {path}, workbook: hidden sheets not read: '旧数据'" in err and "乙局" in out
    # Named on purpose, a hidden sheet is read, and the note says it is hidden.
    chosen = load_units(path, scheme=SCHEME, sheet="旧数据")
    assert {u.name: u.data["完成数"] for u in chosen} == {"甲局": 1, "乙局": 20}
    assert [(n.path, n.message) for n in chosen.notes] == [
        ("sheet '旧数据'", f"is {state} in the workbook; read as it was chosen")
    ]


def test_a_workbook_with_every_sheet_hidden_is_refused(tmp_path):
    path = _book(tmp_path / "d.xlsx", {"旧数据": OLD, "2020年": NEW})
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    book = re.sub(rb'\sstate="[A-Za-z]+"', b"", parts["xl/workbook.xml"])
    parts["xl/workbook.xml"] = book.replace(b"<sheet ", b'<sheet state="hidden" ')
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(
        DataError, match=r"every sheet is hidden \('旧数据' \(hidden\), '2020年' \(hidden\)\)"
    ):
        load_units(path)
    assert len(load_units(path, sheet="2020年")) == 2


# ---------------------------------------------------------------------------
# Workbooks: merged cells
# ---------------------------------------------------------------------------

PERIODS = [
    ["单位", "类别", "期间", "完成数", "总数", "得分"],
    ["市交通运输委", "委", "1月", 9, 10, 80],
    ["市交通运输委", "委", "2月", 10, 10, 90],
    ["市交通运输委", "委", "3月", 8, 10, 85],
    ["区发改局", "局", "1月", 5, 10, 60],
    ["区发改局", "局", "2月", 7, 10, 70],
]


def _merged(path: Path, rows: list[list[object]], ranges: list[str]) -> Path:
    """The workbook as a person merges it: the value stays in the top-left cell, the others are emptied."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据"
    for row in rows:
        sheet.append(row)
    for ref in ranges:
        sheet.merge_cells(ref)  # openpyxl empties the covered cells, as Excel does
    book.save(path)
    return path


def test_a_unit_and_category_merged_down_period_rows_fill_every_row(tmp_path):
    """Before, only the first period row had a unit; the next rows failed or fell to a default silently."""
    merged = _merged(tmp_path / "merged.xlsx", PERIODS, ["A2:A4", "B2:B4", "A5:A6", "B5:B6"])
    plain = _merged(tmp_path / "plain.xlsx", PERIODS, [])
    with zipfile.ZipFile(merged) as z:
        assert b"<mergeCell " in z.read("xl/worksheets/sheet1.xml")
    units = load_units(merged, scheme=SCHEME)
    assert units == load_units(plain, scheme=SCHEME)
    assert [(u.name, u.category, sorted(u.periods)) for u in units] == [
        ("市交通运输委", "委", ["1月", "2月", "3月"]),
        ("区发改局", "局", ["1月", "2月"]),
    ]
    assert all(not u.problems for u in units)
    records = [
        json.dumps(evaluate(SCHEME, load_units(p, scheme=SCHEME)).to_records(), default=str)
        for p in (merged, plain)
    ]
    assert records[0].replace(str(merged), "d") == records[1].replace(str(plain), "d")


def test_a_value_merged_down_data_rows_counts_for_each_row(tmp_path):
    rows = [
        ["单位", "完成数", "总数", "得分"],
        ["甲局", 19, 20, 88],
        ["乙局", 18, None, 90],
        ["丙局", 17, None, 70],
    ]
    units = load_units(_merged(tmp_path / "d.xlsx", rows, ["C2:C4"]), scheme=SCHEME)
    assert [u.data["总数"] for u in units] == [20, 20, 20]


def test_a_value_merged_across_columns_fails_its_unit_naming_the_range(tmp_path):
    """One value over two columns belongs to neither: its unit is not scored, the others are."""
    rows = [
        ["单位", "完成数", "总数", "得分"],
        ["甲局", 19, 20, 88],
        ["乙局", 20, None, 90],
        ["丙局", 17, 20, 70],
    ]
    units = load_units(_merged(tmp_path / "d.xlsx", rows, ["B3:C3"]), scheme=SCHEME)
    result = evaluate(SCHEME, units)
    assert result.unit("甲局").ok and result.unit("丙局").ok and not result.unit("乙局").ok
    messages = {e.field: e.message for e in units[1].problems}
    assert set(messages) == {"完成数", "总数"}
    assert (
        messages["总数"]
        == "the cells B3:C3 are merged across columns; a value belongs to one column: unmerge them"
    )


def test_merged_empty_cells_and_a_merged_header_title(tmp_path):
    """Merged empty cells stay empty; a header merged over two columns is a file error naming the range."""
    rows = [
        ["单位", "完成数", "总数", "得分", "备注"],
        ["甲局", 19, 20, 88, None],
        ["乙局", 18, 20, 90, None],
    ]
    units = load_units(_merged(tmp_path / "a.xlsx", rows, ["E2:F3"]), scheme=SCHEME)
    assert [u.problems for u in units] == [(), ()]
    titled = [["2020年度考核数据", None, None, None], *rows[:2]]
    with pytest.raises(DataError) as caught:
        load_units(_merged(tmp_path / "b.xlsx", titled, ["A1:D1"]))
    assert caught.value.problems[0].path == "row 1, column 1 (A)"
    assert "the cells A1:D1 are merged across columns" in caught.value.problems[0].message


# ---------------------------------------------------------------------------
# Workbooks: bounded cost
# ---------------------------------------------------------------------------


def _base_workbook() -> dict[str, bytes]:
    book = openpyxl.Workbook()
    book.active.title = "数据"
    for row in NEW:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def _edited(path: Path, edit: Callable[[dict[str, bytes]], None]) -> Path:
    parts = _base_workbook()
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


SHEET = "xl/worksheets/sheet1.xml"


def _refused_quickly(path: Path, match: str) -> None:
    start = time.perf_counter()
    with pytest.raises(DataError, match=match):
        load_units(path)
    assert time.perf_counter() - start < 5


def test_a_sheet_of_spaces_is_refused_from_the_zip_directory(tmp_path):
    """8 MiB of spaces zip to 8 kB: a thousandfold expansion is padding (the 1 GiB case, small)."""

    def spaces(parts: dict[str, bytes]) -> None:
        parts[SHEET] = parts[SHEET].replace(b"<sheetData>", b"<sheetData>" + b" " * (8 << 20))

    path = _edited(tmp_path / "d.xlsx", spaces)
    assert path.stat().st_size < 100_000
    _refused_quickly(path, r"unzips [\d,]+-fold .* at most 100-fold: it is padding")


def test_twenty_million_empty_rows_are_refused_before_reading(tmp_path):
    """One row numbered 20,000,000 would make openpyxl yield 20M empty rows: refused by a scan, at full scale."""

    def far(parts: dict[str, bytes]) -> None:
        parts[SHEET] = parts[SHEET].replace(
            b"</sheetData>", b'<row r="20000000"><c r="A20000000"><v>1</v></c></row></sheetData>'
        )

    _refused_quickly(
        _edited(tmp_path / "d.xlsx", far), "has rows up to row 20,000,000; the limit is 1,048,576 rows"
    )


def test_rows_without_numbers_count_too(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_XLSX_ROWS", 1000)

    def many(parts: dict[str, bytes]) -> None:
        parts[SHEET] = parts[SHEET].replace(b"</sheetData>", b"<row/>" * 2000 + b"</sheetData>")

    _refused_quickly(
        _edited(tmp_path / "d.xlsx", many), "has rows up to row 2,00[0-9]; the limit is 1,000 rows"
    )


def test_a_cell_beyond_the_column_limit_is_refused_naming_it(tmp_path):
    def wide(parts: dict[str, bytes]) -> None:
        rows = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (r, r) for r in range(4, 2000))
        parts[SHEET] = parts[SHEET].replace(b"</sheetData>", rows + b"</sheetData>")

    _refused_quickly(
        _edited(tmp_path / "d.xlsx", wide), "cell XFD4 is in column 16,384; the limit is 10,000 columns"
    )


def test_huge_shared_strings_are_refused_before_they_are_held(tmp_path, monkeypatch):
    """500M characters of shared strings would be held in memory; a part over the limit is refused unread."""
    monkeypatch.setattr(xlsx, "MAX_XLSX_HELD_BYTES", 100_000)

    def strings(parts: dict[str, bytes]) -> None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        text = "".join(f"<si><t>区发改局{i}</t></si>" for i in range(10_000)).encode()
        parts["xl/sharedStrings.xml"] = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + text + b"</sst>"
        )
        parts[SHEET] = parts[SHEET].replace(
            b"</sheetData>", b'<row r="4"><c r="A4" t="s"><v>9999</v></c></row></sheetData>'
        )

    path = _edited(tmp_path / "d.xlsx", strings)
    _refused_quickly(
        path, r"part 'xl/sharedStrings.xml'|the limit for a part read whole into memory is 0.1 MiB"
    )
    monkeypatch.undo()
    assert [u.name for u in load_units(path)][-1] == "区发改局9999"  # under the real limit it reads


def test_too_many_merged_ranges_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_XLSX_MERGES", 10)
    rows = [["单位", "完成数"]] + [[f"单位{i}", i] for i in range(30)]
    path = _merged(tmp_path / "d.xlsx", rows, [f"B{r}:C{r}" for r in range(2, 22)])
    with pytest.raises(DataError, match="has 20 merged ranges; the limit is 10"):
        load_units(path)


def test_an_ordinary_workbook_passes_every_check(tmp_path):
    """The limits leave room: typical data reads, and its sheet expands well under 100-fold."""
    rows = [["单位", "类别", "完成数", "总数", "得分"]] + [
        [f"区局{i}", "局", 19, 20, D("88.5")] for i in range(2_000)
    ]
    path = _merged(tmp_path / "d.xlsx", rows, [])
    with zipfile.ZipFile(path) as z:
        (sheet,) = [i for i in z.infolist() if i.filename == SHEET]
        assert sheet.file_size / sheet.compress_size < 30
    assert len(load_units(path, scheme=SCHEME)) == 2_000


def test_prefixed_sheet_xml_is_scanned_too(tmp_path):
    """Some writers prefix every tag (<x:row>, <x:mergeCell>): merged cells still fill, far rows are still refused."""
    path = _merged(tmp_path / "d.xlsx", PERIODS, ["A2:A4", "B2:B4"])
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = re.sub(rb"<(/?)([A-Za-z]\w*)", rb"<\1x:\2", parts[SHEET]).replace(b"xmlns=", b"xmlns:x=")
    parts[SHEET] = sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert b"<x:mergeCell " in sheet and b"<x:row " in sheet
    units = load_units(path, scheme=SCHEME)
    assert [(u.name, sorted(u.periods)) for u in units] == [
        ("市交通运输委", ["1月", "2月", "3月"]),
        ("区发改局", ["1月", "2月"]),
    ]
    parts[SHEET] = sheet.replace(
        b"</x:sheetData>", b'<x:row r="2000000"><x:c r="A2000000"><x:v>1</x:v></x:c></x:row></x:sheetData>'
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    _refused_quickly(path, "has rows up to row 2,000,000")


def test_dask_frame_columns_that_become_one_name_are_refused_naming_both():
    """A data frame's columns go through the same normalisation; two that collapse are named, none kept silently."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from perfrules import dask as perfrules_dask

    frame = pd.DataFrame(
        {"单位": ["甲局"], "完成数": ["19"], "完成数\u3000": ["20"], "总数": ["20"], "得分": ["88"]}
    )
    with pytest.raises(DataError) as caught:
        perfrules_dask.evaluate(SCHEME, dd.from_pandas(frame, npartitions=1))
    (problem,) = caught.value.problems
    assert problem.path == "column '完成数\\u3000'"
    assert problem.message == "is the column '完成数' once normalised ('完成数'); keep one"
    clean = frame.drop(columns=["完成数\u3000"]).rename(columns={"完成数": "\u200b完成数"})
    (row,) = (
        perfrules_dask.evaluate(SCHEME, dd.from_pandas(clean, npartitions=1)).compute().to_dict("records")
    )
    assert (
        row["total"]
        == evaluate(SCHEME, [Unit(name="甲局", data={"完成数": 19, "总数": 20, "得分": 88})]).results[0].total
    )


def test_period_labels_are_names_too():
    """'1月' and '1月' + U+200B were two periods (a mean over two); now they are one, reported as given twice."""
    with pytest.raises(ValueError, match=r"the keys '1月' and '1月\\u200b' in 'periods' are one name"):
        Unit(name="甲局", periods={"1月": {"完成数": 1}, "1月\u200b": {"完成数": 2}})
    units = units_from_csv("单位,期间,完成数\n甲局,1月,1\n甲局,\u200b1月,2\n乙局,１月,3\n", origin="d.csv")
    assert [str(e) for e in units[0].problems] == [
        "unit '甲局' (d.csv row 3), field '期间': period '1月' is given twice"
    ]
    assert list(units[1].periods) == ["1月"]


def test_dask_period_labels_are_normalised_too():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from perfrules import dask as perfrules_dask

    frame = pd.DataFrame(
        {
            "单位": ["甲局", "甲局"],
            "期间": ["1月", "1月\u200b"],
            "完成数": ["19", "18"],
            "总数": ["20", "20"],
            "得分": ["88", "80"],
        }
    )
    (row,) = (
        perfrules_dask.evaluate(SCHEME, dd.from_pandas(frame, npartitions=1)).compute().to_dict("records")
    )
    assert "period '1月' is given twice" in str(row["errors"])


def test_formulas_read_names_by_the_same_form():
    """A formula copied with a zero-width space reads the same names as the data (before: a syntax error)."""
    from perfrules import Formula

    formula = Formula.parse("完成率=完成\u200b数/总数\ufeff")
    assert str(formula) == "完成率 = 完成数/总数"
    assert formula.evaluate({"完成数\u00ad": 19, "总数": 20}) == D("0.95")
