"""Tests for the lowest data-file layer: encodings, cells, tables, workbooks and JSON."""

from __future__ import annotations

import codecs
import sys
import time
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import NO_DATA, CellProblem, CellValue, DataError, read_cell
from perfrules.files.cells import MAX_CELL_CHARS, column_label
from perfrules.files.encoding import read_text
from perfrules.files.jsonfile import parse_json
from perfrules.files.tables import iter_rows, read_table, table_from_text

openpyxl = pytest.importorskip("openpyxl")

# ---------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------

TEXT = "单位,完成数,备注\n市甲委,19,“优”——良\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-16-be").join([codecs.BOM_UTF16_BE, b""]),
        TEXT.encode("utf-32"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16-le-bom", "utf-16-be-bom", "utf-32-bom"],
)
def test_every_encoding_excel_writes_reads_the_same(data):
    """UTF-8 (with or without BOM), UTF-16/32 with a BOM and the GB encodings all give the same text."""
    assert read_text(data, "d.csv") == TEXT


def test_gb18030_four_byte_characters_are_read():
    """Characters outside GBK (four-byte GB18030 sequences) decode exactly."""
    text = "单位\n𠀀局\n"
    assert read_text(text.encode("gb18030"), "d.csv") == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\n\x80\xff\n", "cannot read as UTF-8, UTF-16 or GB18030"),
        ("单位\n".encode("utf-16-le"), "NUL characters"),
        (b"PK\x03\x04rest", "zip file"),
        (codecs.BOM_UTF8 + b"\xff\xff", "byte-order mark"),
    ],
    ids=["undecodable", "utf-16-without-bom", "workbook-named-csv", "broken-after-bom"],
)
def test_unreadable_bytes_are_a_data_error_naming_the_file(data, message):
    """Bytes that no listed encoding reads are refused, never decoded by a guess."""
    with pytest.raises(DataError, match=message) as info:
        read_text(data, "d.csv")
    assert info.value.problems[0].path == "d.csv"


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("19", D(19)),
        (" -0.5 ", D("-0.5")),
        ("95%", D("0.95")),
        ("95 ％", D("0.95")),
        ("１９", D(19)),
        ("29/30", Fraction(29, 30)),
        ("-3/4", D("-0.75")),
        ("1.5e3", D(1500)),
        (".5", D("0.5")),
        (19, D(19)),
        (D("0.85"), D("0.85")),
        (0.85, D("0.85")),
    ],
    ids=[
        "int",
        "decimal",
        "percent",
        "full-width-percent",
        "full-width-digits",
        "fraction",
        "negative-fraction",
        "exponent",
        "leading-point",
        "workbook-int",
        "workbook-decimal",
        "float-by-repr",
    ],
)
def test_plain_numbers_are_read_exactly_without_a_note(text, value):
    """Plain numbers, percentages and fractions are exact and need no note."""
    got = read_cell(text)
    assert isinstance(got, CellValue) and got.value == value and got.note is None


@pytest.mark.parametrize(
    ("text", "value", "note"),
    [
        ("19件", D(19), "'19件' read as 19"),
        ("3 项", D(3), "'3 项' read as 3"),
        ("90分", D(90), "'90分' read as 90"),
        ("1,234", D(1234), "'1,234' read as 1234"),
        ("1,234.5", D("1234.5"), "'1,234.5' read as 1234.5"),
        ("-12,345,678", D(-12345678), "'-12,345,678' read as -12345678"),
        ("1,234人", D(1234), "'1,234人' read as 1234"),
    ],
    ids=[
        "count-word",
        "count-word-with-space",
        "points",
        "thousands",
        "thousands-decimal",
        "negative",
        "both",
    ],
)
def test_generous_reads_come_with_a_note(text, value, note):
    """Count words and thousands separators are read, and the note says what was read."""
    assert read_cell(text) == CellValue(value, note)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "—", "——", "-", "--", "–", "/", "N/A", "n/a", "NA", "#N/A", "null", "NULL", "NaN", "－", "／"],
)
def test_no_data_texts(text):
    """Empty cells, dashes, N/A and friends mean "no data", like an empty cell."""
    assert read_cell(text) is NO_DATA


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("无", "write 0 if it means none"),
        ("0/0", "divides by zero"),
        ("5/0", "divides by zero"),
        ("abc", "'abc' is not a number"),
        ("十九", "write it in digits"),
        ("5万", "magnitudes and money units are not guessed"),
        ("100元", "magnitudes and money units are not guessed"),
        ("1,23", "is not a number"),
        ("12,3456", "is not a number"),
        ("19件件", "is not a number"),
        ("95%件", "is not a number"),
        ("29/30件", "is not a number"),
        ("1.5/2", "is not a number"),
        ("1e999999999%", "outside the numbers perfrules reads"),
        ("1e-99999999", "outside the numbers perfrules reads"),
        ("9" * 5000, "too long to be a number"),
        ("9" * 60, "outside the numbers perfrules reads"),
        ("1/" + "3" * 5000, "too long to be a number"),
        (True, "truth value"),
        (1e300, "outside the limits"),
    ],
    ids=[
        "wu",
        "zero-over-zero",
        "over-zero",
        "word",
        "chinese-numerals",
        "wan",
        "yuan",
        "bad-groups",
        "bad-groups-2",
        "two-count-words",
        "percent-and-count-word",
        "fraction-and-count-word",
        "decimal-fraction",
        "huge-exponent-percent",
        "tiny-exponent",
        "5000-digits",
        "60-digits",
        "long-denominator",
        "bool",
        "huge-float",
    ],
)
def test_unreadable_cells_are_problems_quoting_the_text(text, message):
    """Anything else is a problem of the cell (and so of one unit), quoting what was found."""
    got = read_cell(text)
    assert isinstance(got, CellProblem)
    assert message in got.message


@pytest.mark.parametrize(
    "text", ["1e999999999%", "9" * 5000, "1e-99999999", "9" * 5000 + "%", "1/" + "9" * 90]
)
def test_huge_numbers_fail_fast(text):
    """Bounds are checked before any arithmetic: each of these takes well under a second."""
    start = time.perf_counter()
    for _ in range(100):
        assert isinstance(read_cell(text), CellProblem)
    assert time.perf_counter() - start < 1


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_read_cell_always_answers(text):
    """Any text is a value, no data, or a problem; nothing raises."""
    assert isinstance(read_cell(text), CellValue | CellProblem) or read_cell(text) is NO_DATA


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def test_duplicate_columns_are_a_file_error_naming_both_positions():
    """Two columns with one name (after normalising) are refused, naming both columns."""
    with pytest.raises(DataError) as info:
        table_from_text("单位,完成数,总数,完成数 \n甲,1,2,3\n", "d.csv")
    assert "column 2 (B) and column 4 (D) are both named '完成数'" in str(info.value)


def test_full_width_duplicates_are_found_too():
    """Names that differ only in full-width letters are the same column."""
    with pytest.raises(DataError, match="both named 'A类'"):
        table_from_text("单位,A类,Ａ类\n甲,1,2\n")


def test_empty_trailing_columns_and_empty_rows_are_dropped():
    """Excel's empty columns and rows carry nothing and are dropped quietly."""
    table = table_from_text("\n单位,得分,,\n甲,1,,\n,,,\n\n乙,2,,\n")
    assert table.header == ("单位", "得分")
    assert [(r.number, r.cells, r.problem) for r in table.rows] == [
        (3, ("甲", "1"), None),
        (6, ("乙", "2"), None),
    ]


def test_data_under_a_column_without_a_name_is_a_file_error():
    """A cell with data under an empty header cell means the columns are misaligned."""
    with pytest.raises(DataError) as info:
        table_from_text("单位,,得分\n甲,,1\n乙,7,2\n", "d.csv")
    (problem,) = info.value.problems
    assert problem.path == "row 3, column 2 (B)" and "'7'" in problem.message


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("甲,1", "has 2 cells; the header has 3"),
        ("甲,1,2,3", "has 4 cells; the header has 3"),
        ("甲,1,2,,", None),
    ],
    ids=["short", "long", "long-but-blank"],
)
def test_short_and_long_rows_are_kept_and_marked(line, problem):
    """A row with the wrong number of cells is kept with its problem; trailing blanks are fine."""
    (row,) = table_from_text(f"单位,a,b\n{line}\n").rows
    assert row.problem == problem


def test_a_cell_over_the_size_limit_is_a_problem_of_its_row():
    """A very long cell does not fail the file: it becomes a problem of its cell."""
    (row,) = table_from_text("单位,a\n甲," + "x" * (MAX_CELL_CHARS + 1) + "\n").rows
    assert isinstance(row.cells[1], CellProblem) and "longer than" in row.cells[1].message


def test_line_breaks_inside_a_cell_keep_spreadsheet_row_numbers():
    """Row numbers count records as a spreadsheet shows them, not physical lines."""
    rows = table_from_text('单位,备注\n甲,"第一行\n第二行"\n乙,x\n').rows
    assert [r.number for r in rows] == [2, 3]


def test_column_labels():
    """Columns are named by number and by spreadsheet letters."""
    assert [column_label(i) for i in (0, 25, 26, 701, 702)] == [
        "column 1 (A)",
        "column 26 (Z)",
        "column 27 (AA)",
        "column 702 (ZZ)",
        "column 703 (AAA)",
    ]


# ---------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------


def _workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_workbook_cells_stay_exact(tmp_path):
    """Whole numbers stay whole, decimals are read by their shortest form, text stays text."""
    path = _workbook(
        tmp_path / "d.xlsx",
        {"数据": [["单位", "a", "b", "c"], ["甲", 19, 0.85, "良好"], ["乙", 1e-7, 3.0, None]]},
    )
    header, rows = iter_rows(path)
    assert header == ("单位", "a", "b", "c")
    first, second = rows
    assert first.cells == ("甲", 19, D("0.85"), "良好") and type(first.cells[1]) is int
    assert second.cells == ("乙", D("1e-07"), D("3.0"), "")
    assert second.problem is None  # a workbook row never has "too few" cells


def test_workbook_sheet_by_name_and_unknown_sheet(tmp_path):
    """--sheet picks a sheet; an unknown one lists the sheets and suggests the closest."""
    path = _workbook(tmp_path / "d.xlsx", {"说明": [["x"]], "2020年": [["单位", "a"], ["甲", 1]]})
    assert read_table(path).header == ("x",)
    assert read_table(path, sheet="2020年").rows[0].cells == ("甲", 1)
    with pytest.raises(DataError) as info:
        read_table(path, sheet="2020")
    assert "no sheet '2020' (the sheets are: 说明, 2020年); did you mean '2020年'?" in str(info.value)


def test_formula_without_a_cached_value_fails_its_row(tmp_path):
    """A formula nobody computed is a problem of its cell, never an empty cell."""
    path = _workbook(tmp_path / "d.xlsx", {"s": [["单位", "a"], ["甲", "=1+1"], ["乙", 2]]})
    first, second = read_table(path).rows
    assert (
        isinstance(first.cells[1], CellProblem) and "'=1+1' has no computed value" in first.cells[1].message
    )
    assert second.cells == ("乙", 2)


def test_text_that_looks_like_a_formula_is_text(tmp_path):
    """A text cell beginning with '=' is text, not a formula without a value."""
    path = tmp_path / "d.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["单位", "a"])
    book.active.append(["甲", "x"])
    book.active["B2"].value = "=abc"
    book.active["B2"].data_type = "s"
    book.save(path)
    (row,) = read_table(path).rows
    assert row.cells == ("甲", "=abc")


def test_workbook_duplicate_columns_are_refused(tmp_path):
    """The same column rules hold for workbooks."""
    path = _workbook(tmp_path / "d.xlsx", {"s": [["单位", "a", "a"], ["甲", 1, 2]]})
    with pytest.raises(DataError, match="both named 'a'"):
        read_table(path)


def test_broken_and_old_workbooks_are_data_errors(tmp_path):
    """A file named .xlsx that is not one, and an old .xls, are refused with a clear message."""
    bad = tmp_path / "d.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"cannot read as an \.xlsx workbook"):
        read_table(bad)
    old = tmp_path / "d.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match=r"save it as \.xlsx"):
        read_table(old)


def test_missing_openpyxl_says_how_to_install_it(tmp_path, monkeypatch):
    """Without the excel extra, reading a workbook says which pip command to run."""
    path = _workbook(tmp_path / "d.xlsx", {"s": [["单位"]]})
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(DataError, match=r"pip install 'perfrules\[excel\]'"):
        read_table(path)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def test_json_duplicate_keys_name_the_key_and_path():
    """A key given twice is refused with its path, wherever it is."""
    with pytest.raises(DataError) as info:
        parse_json('{"units": [{"name": "甲", "data": {"a": 1, "b": 2, "a": 3}}]}', "d.json")
    (problem,) = info.value.problems
    assert (problem.path, problem.message) == ("units[0].data", "the key 'a' is given twice")


@pytest.mark.parametrize(
    "literal",
    [
        "1e-99999999",
        "1e999999999",
        "9" * 5000,
        "-" + "9" * 5000,
        "1." + "0" * 200,
        "NaN",
        "Infinity",
        "-Infinity",
    ],
    ids=[
        "tiny-exponent",
        "huge-exponent",
        "5000-digits",
        "negative-5000-digits",
        "long-decimal",
        "nan",
        "inf",
        "-inf",
    ],
)
def test_json_numbers_are_bounded_before_conversion(literal):
    """Out-of-range numbers become a problem in place, fast, so only their unit fails."""
    start = time.perf_counter()
    value = parse_json(f'{{"a": {literal}}}', "d.json")["a"]
    assert time.perf_counter() - start < 0.5
    assert isinstance(value, CellProblem)


def test_json_decimals_are_exact():
    """Decimals are Decimal, whole numbers int."""
    assert parse_json('{"a": 0.85, "b": 19}', "d.json") == {"a": D("0.85"), "b": 19}


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "not valid JSON"), ("[" * 100_000 + "]" * 100_000, "nested too deeply")],
    ids=["truncated", "deep"],
)
def test_invalid_json_is_a_data_error(text, message):
    """Broken or absurdly nested JSON is a DataError naming the file."""
    with pytest.raises(DataError, match=message):
        parse_json(text, "d.json")
