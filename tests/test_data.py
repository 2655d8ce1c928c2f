"""Tests for unit data files: every encoding and workbook reads the same, and one bad cell costs one unit."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import run
from perfrules import (
    DataError,
    PerfrulesError,
    UnitList,
    evaluate,
    load,
    load_units,
    loads,
    sample_units,
    units_from_csv,
    units_from_json,
)
from perfrules.cli.main import main
from test_files import GOOD

openpyxl = pytest.importorskip("openpyxl")

SCHEMES = Path(__file__).resolve().parent.parent / "src" / "perfrules" / "schemes"
SAMPLES = sorted(SCHEMES.glob("*.csv"))

SCHEME = loads(GOOD)  # the small hand-written scheme of test_files
HEADER = "单位,完成数,总数,得分"


def _scheme_name(sample: Path) -> str:
    return sample.stem.replace("_", "-")


def _as_cell(text: str) -> object:
    """A CSV cell as a person would type it into Excel: numbers as numbers, the rest as text."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d*\.\d+", text):
        return float(text)
    return text or None


def _save(sample: Path, folder: Path, kind: str) -> Path:
    text = sample.read_text(encoding="utf-8")
    if kind == "xlsx":
        book = openpyxl.Workbook()
        book.active.title = "数据"
        for row in csv.reader(io.StringIO(text, newline="")):
            book.active.append([_as_cell(c) for c in row])
        path = folder / f"{sample.stem}.xlsx"
        book.save(path)
        return path
    path = folder / f"{sample.stem}.{kind}.csv"
    encoding = {"gbk": "gbk", "gb18030": "gb18030", "utf-16": "utf-16", "utf-8-bom": "utf-8-sig"}[kind]
    path.write_bytes(text.encode(encoding))
    return path


KINDS = ["gbk", "gb18030", "utf-16", "utf-8-bom", "xlsx"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_sample_data_in_every_encoding_gives_the_same_units(sample, kind, tmp_path):
    """The shipped samples saved as GBK, GB18030, UTF-16, UTF-8 with BOM or .xlsx load to the same units."""
    scheme = load(_scheme_name(sample))
    expected = load_units(sample, scheme=scheme)
    got = load_units(_save(sample, tmp_path, kind), scheme=scheme)
    assert got == expected
    assert [u.origin.rsplit(" ", 1)[-1] for u in got] == [u.origin.rsplit(" ", 1)[-1] for u in expected]
    assert not any(u.problems or u.notes for u in got) and got.notes == ()


@pytest.mark.parametrize("kind", ["gbk", "utf-16", "xlsx"])
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_score_json_output_is_the_same_for_every_encoding(sample, kind, tmp_path):
    """perfrules score --format json prints the same results whatever the file's encoding or format."""
    name = _scheme_name(sample)
    code, expected, _ = run("score", name, str(sample), "--format", "json")
    assert code == 0
    code, got, err = run("score", name, str(_save(sample, tmp_path, kind)), "--format", "json")
    assert (code, err) == (0, "")
    assert got == expected


def test_sample_units_are_a_unit_list():
    """sample_units returns a UnitList: a sequence that behaves as a list of its units (not a list
    subclass, since its units are made when read), with the file's notes."""
    units = sample_units("xiamen-xiangan-2020")
    assert isinstance(units, UnitList) and not isinstance(units, list) and units.notes == ()
    plain = list(units)
    assert units == plain and plain == units and len(units) == len(plain) > 1
    assert units[0] is units[0] and units[-1] is plain[-1] and units[1:3] == plain[1:3]


# ---------------------------------------------------------------------------
# File-level errors: refused before anything is scored
# ---------------------------------------------------------------------------


def test_duplicate_columns_are_refused_before_scoring(tmp_path):
    """A CSV with a column twice is a DataError; the CLI exits 1 with no results."""
    path = tmp_path / "d.csv"
    path.write_text(f"{HEADER},总数\n甲局,19,20,88,20\n", encoding="utf-8")
    with pytest.raises(DataError, match="column 3 \\(C\\) and column 5 \\(E\\) are both named '总数'"):
        load_units(path, scheme=SCHEME)
    code, out, err = run("score", "shenzhen-2010-departments", str(path))
    assert (code, out) == (1, "") and "both named '总数'" in err


def test_json_unit_with_a_duplicate_key_is_refused_before_scoring(tmp_path):
    """A JSON unit with a key twice is a DataError naming the key and path."""
    path = tmp_path / "d.json"
    path.write_text('[{"name": "甲局", "data": {"完成数": 19, "完成数": 20, "总数": 20}}]', encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_units(path)
    assert "the key '完成数' is given twice @ [0].data" in str(info.value)
    code, out, _ = run("score", "shenzhen-2010-departments", str(path), "--format", "json")
    assert (code, out) == (1, "")


def test_a_row_without_a_unit_name_is_a_file_error():
    """A row that belongs to no unit cannot be dropped quietly."""
    with pytest.raises(DataError, match="the unit's name is empty"):
        units_from_csv(f"{HEADER}\n,19,20,88\n", scheme=SCHEME)


def test_no_size_limit_for_data_files(tmp_path):
    """Data files larger than the old 5 MiB limit are read (scheme files keep theirs)."""
    path = tmp_path / "big.csv"
    filler = "x" * 5000
    rows = "".join(f"单位{i},19,20,88,{filler}\n" for i in range(1200))
    path.write_text(f"{HEADER},备注\n{rows}", encoding="utf-8")
    assert path.stat().st_size > 5 * 2**20
    units = load_units(path, scheme=SCHEME)
    assert len(units) == 1200 and units.notes[0].path == "column '备注'"


# ---------------------------------------------------------------------------
# One bad cell costs one unit
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "ok", "expected"),
    [
        ("N/A", False, "no value for '总数'"),  # no data, and the scheme declares no default
        ("—", False, "no value for '总数'"),
        ("19件", True, "'19件' read as 19"),
        ("1,234", True, "'1,234' read as 1234"),
        ("0/0", False, "'0/0' divides by zero"),
        ("无", False, "'无' is not a number"),
        ("abc", False, "'abc' is not a number"),
    ],
    ids=["n/a", "dash", "count-word", "thousands", "zero-over-zero", "wu", "word"],
)
def test_one_bad_cell_affects_exactly_its_unit(cell, ok, expected, tmp_path):
    """A cell read generously comes with a note; an unreadable one fails only its unit, naming row, column and text."""
    path = tmp_path / "d.csv"
    quoted = f'"{cell}"' if "," in cell else cell
    path.write_text(f"{HEADER}\n甲局,19,20,88\n乙局,19,{quoted},90\n丙局,18,20,70\n", encoding="utf-8")
    units = load_units(path, scheme=SCHEME)
    result = evaluate(SCHEME, units)
    assert result.unit("甲局").ok and result.unit("丙局").ok
    second = result.unit("乙局")
    assert second.ok == ok
    if ok:
        assert [e.kind for e in second.events] == ["note"]
        assert second.events[0].message == f"row 3, column '总数': {expected}"
    else:
        (error,) = second.errors
        assert error.field == "总数" and expected in error.message
        assert error.origin == f"{path} row 3"
    code, _, err = run("score", str(_scheme_file(tmp_path)), str(path))
    assert code == (0 if ok else 1)
    assert ("note:" in err) == ok and "Traceback" not in err


def _scheme_file(folder: Path) -> Path:
    from perfrules import dump

    path = folder / "scheme.toml"
    dump(SCHEME, path)
    return path


def test_a_short_row_fails_only_its_unit(tmp_path):
    """A row with too few cells cannot be matched to the columns: its unit fails, the others are scored."""
    units = units_from_csv(f"{HEADER}\n甲局,19,20,88\n乙局,20,90\n", scheme=SCHEME, origin="d.csv")
    result = evaluate(SCHEME, units)
    assert result.unit("甲局").ok
    (error,) = result.unit("乙局").errors
    assert (error.origin, error.field) == ("d.csv row 3", None)
    assert "has 3 cells; the header has 4" in error.message


def test_a_unit_error_names_the_file_row_column_and_text():
    """The error's text reads like a pointer into the file."""
    units = units_from_csv(f"{HEADER}\n甲局,19,20,八十八\n", scheme=SCHEME, origin="d.csv")
    (error,) = evaluate(SCHEME, units).errors
    assert (
        str(error) == "unit '甲局' (d.csv row 2), field '得分': '八十八' is not a number; write it in digits"
    )


def test_the_json_output_shows_notes_and_errors(tmp_path):
    """Notes are events, errors are errors, in what --format json writes."""
    path = tmp_path / "d.csv"
    path.write_text(f"{HEADER}\n甲局,19件,20,88\n乙局,x,20,88\n", encoding="utf-8")
    code, out, _ = run("score", str(_scheme_file(tmp_path)), str(path), "--format", "json")
    assert code == 1
    by_unit = {u["unit"]: u for u in json.loads(out)["units"]}
    assert by_unit["甲局"]["events"] == [
        {"kind": "note", "message": "row 2, column '完成数': '19件' read as 19"}
    ]
    assert by_unit["乙局"]["errors"] == [
        {"indicator": None, "field": "完成数", "message": "'x' is not a number", "origin": f"{path} row 3"}
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("甲局,,19,20,88\n甲局,,20,20,88\n", "two rows without a period (rows 2, 3)"),
        ("甲局,1月,19,20,88\n甲局,1月,20,20,88\n", "period '1月' is given twice"),
    ],
    ids=["two-yearly-rows", "period-twice"],
)
def test_a_unit_listed_twice_fails_only_itself(rows, message):
    """Two rows for one unit and period are that unit's error; other units are scored."""
    units = units_from_csv(f"单位,期间,完成数,总数,得分\n{rows}乙局,,19,20,88\n", scheme=SCHEME)
    result = evaluate(SCHEME, units)
    assert result.unit("乙局").ok
    assert any(message in e.message for e in result.unit("甲局").errors)


def test_conflicting_categories_fail_the_unit():
    """Two rows of one unit naming different categories are not silently merged."""
    (unit,) = units_from_csv("单位,类别,期间,a\n甲,委,1月,1\n甲,局,2月,2\n")
    assert "category '局' differs from '委'" in unit.problems[0].message


def test_extra_columns_are_left_out_and_noted_once():
    """Columns the scheme does not read are not an error: one note, and out of the data."""
    units = units_from_csv(f"{HEADER},备注\n甲局,19,20,88,新设\n乙局,20,20,90,\n", scheme=SCHEME)
    assert [str(n) for n in units.notes] == [
        "no indicator of the scheme reads it; left out of scoring @ column '备注'"
    ]
    assert all("备注" not in u.data for u in units)
    assert all(r.ok for r in evaluate(SCHEME, units))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"{HEADER}\n甲局,{'9' * 5000},20,88\n", "5000-digit integer"),
        (f"{HEADER}\n甲局,1e999999999%,20,88\n", "huge exponent"),
        (f"{HEADER}\n甲局,1e-99999999,20,88\n", "tiny exponent"),
    ],
    ids=["5000-digits", "1e999999999%", "1e-99999999"],
)
def test_huge_numbers_in_csv_fail_their_unit_fast(text, where):
    """Absurd numbers are per-unit errors, found well under a second."""
    start = time.perf_counter()
    result = evaluate(SCHEME, units_from_csv(text + "乙局,19,20,88\n", scheme=SCHEME))
    assert time.perf_counter() - start < 1, where
    assert not result.unit("甲局").ok and result.unit("乙局").ok


@pytest.mark.parametrize("literal", ["1e-99999999", "1e999999999", "9" * 5000, "NaN"])
def test_huge_numbers_in_json_fail_their_unit_fast(literal, tmp_path):
    """Out-of-range JSON numbers fail only the unit holding them, fast."""
    path = tmp_path / "d.json"
    path.write_text(
        f'[{{"name": "甲局", "data": {{"完成数": {literal}, "总数": 20, "得分": 88}}}},'
        '{"name": "乙局", "data": {"完成数": 19, "总数": 20, "得分": 88}}]',
        encoding="utf-8",
    )
    start = time.perf_counter()
    result = evaluate(SCHEME, load_units(path))
    assert time.perf_counter() - start < 1
    (error,) = result.unit("甲局").errors
    assert error.field == "完成数" and error.origin == f"{path} units[0]"
    assert result.unit("乙局").ok


def test_json_unknown_keys_fail_their_unit():
    """A misspelt key in a JSON unit is that unit's error, with a suggestion."""
    units = units_from_json([{"name": "甲局", "catgory": "委"}, {"name": "乙局"}])
    assert "unknown key 'catgory' (did you mean 'category'?)" in units[0].problems[0].message
    assert units[1].problems == ()


def test_json_units_with_one_name_are_refused():
    """Two JSON units with one name are a file error (evaluate could not tell them apart)."""
    with pytest.raises(DataError, match="also the name of units\\[0\\]"):
        units_from_json([{"name": "甲局"}, {"name": "甲局 "}])


def test_workbook_sheet_option_on_the_command_line(tmp_path):
    """--sheet reads the named sheet of a workbook; on CSV it is a usage mistake."""
    path = tmp_path / "d.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    sheet = book.create_sheet("数据")
    for row in (["单位", "完成数", "总数", "得分"], ["甲局", 19, 20, 88.5]):
        sheet.append(row)
    book.save(path)
    scheme = str(_scheme_file(tmp_path))
    code, out, _ = run("score", scheme, str(path), "--sheet", "数据", "--format", "json")
    assert code == 0 and json.loads(out)["units"][0]["total"] == 89.1
    code, _, err = run("score", scheme, str(path), "--sheet", "数")
    assert code == 1 and "did you mean '数据'?" in err
    csv_path = tmp_path / "d.csv"
    csv_path.write_text(f"{HEADER}\n甲局,19,20,88\n", encoding="utf-8")
    assert run("score", scheme, str(csv_path), "--sheet", "数据")[0] == 2


# ---------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------

CSV_ALPHABET = "单位完成数总数得分甲乙,\n\"'—-/%件1234567890.e ,，元无NA"


@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".json", ".txt", ".xlsx"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_bytes_only_raise_perfrules_errors(data, suffix, tmp_path):
    """Whatever bytes a data file holds, load_units gives units or a PerfrulesError."""
    path = tmp_path / f"d{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(PerfrulesError):
        load_units(path, scheme=SCHEME)


@given(
    st.one_of(
        st.text(max_size=200), st.text(alphabet=CSV_ALPHABET, max_size=200).map(lambda t: f"{HEADER}\n{t}")
    )
)
@settings(max_examples=200, deadline=None)
def test_random_csv_text_is_read_and_scored_without_surprises(text):
    """Random CSV text gives a DataError, or units that evaluate scores or reports, one result each."""
    try:
        units = units_from_csv(text, scheme=SCHEME)
    except PerfrulesError:
        return
    result = evaluate(SCHEME, units)
    assert len(result) == len(units)
    for unit, got in zip(units, result, strict=True):
        assert not (unit.problems and got.ok)


def test_exact_decimal_values_survive(tmp_path):
    """Decimal cells stay exact through the new reader."""
    (unit,) = units_from_csv(f"{HEADER}\n甲局,19,20,90.50\n", scheme=SCHEME)
    assert unit.data["得分"] == D("90.5")


def test_traditional_headers_name_the_unit_category_period_and_not_applicable_columns(tmp_path):
    """單位, 類別, 期間, 不適用 are read as 单位, 类别, 期间, 不适用, on every path."""
    import perfrules
    from perfrules import check_data, evaluate, load, load_units

    source = Path(perfrules.__file__).parent / "schemes" / "shenzhen_2010_departments.csv"
    text = source.read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    assert head.startswith("单位,类别,期间,不适用,")
    traditional = tmp_path / "data.csv"
    traditional.write_text(
        head.replace("单位,类别,期间,不适用,", "單位,類別,期間,不適用,", 1) + "\n" + rest, encoding="utf-8"
    )
    scheme = load("shenzhen-2010-departments")
    want = evaluate(scheme, load_units(source, scheme=scheme))
    got = evaluate(scheme, load_units(traditional, scheme=scheme))
    assert [(r.unit, r.category, r.total, r.rank) for r in got] == [
        (r.unit, r.category, r.total, r.rank) for r in want
    ]
    assert check_data(scheme, traditional).ok == check_data(scheme, source).ok
    assert check_data(scheme, traditional).problems == check_data(scheme, source).problems
    out, err = io.StringIO(), io.StringIO()
    assert (
        main(["score", "shenzhen-2010-departments", str(traditional), "--format", "csv"], out=out, err=err)
        == 0
    )
    plain = io.StringIO()
    main(["score", "shenzhen-2010-departments", str(source), "--format", "csv"], out=plain, err=io.StringIO())
    assert out.getvalue() == plain.getvalue()
