"""Tests for scheme files, data files and the built-in schemes."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from perfrules import (
    FormulaSyntaxError,
    SchemeError,
    dump,
    dumps,
    evaluate,
    load,
    load_units,
    loads,
    sample_units,
    schemes,
    units_from_csv,
)
from perfrules import testing as prst
from seed_schemes import BASELINE, shenzhen_departments, shenzhen_districts, xiamen

D = Decimal

# ---------------------------------------------------------------------------
# The built-in schemes
# ---------------------------------------------------------------------------

BUILT = {
    "shenzhen-2010-departments": shenzhen_departments,
    "shenzhen-2010-districts": shenzhen_districts,
    "xiamen-xiangan-2020": xiamen,
}


def test_builtin_schemes_are_listed():
    """perfrules.schemes() names the three shipped schemes."""
    assert schemes() == tuple(BUILT)


@pytest.mark.parametrize("name", list(BUILT))
def test_builtin_file_equals_the_scheme_built_in_code(name):
    """Each shipped file loads to exactly the scheme the tests build in code from the seeds."""
    assert load(name) == BUILT[name]()


@pytest.mark.parametrize(
    ("name", "count"),
    [("shenzhen-2010-departments", 23), ("shenzhen-2010-districts", 32), ("xiamen-xiangan-2020", 41)],
)
def test_builtin_schemes_have_every_indicator(name, count):
    """All 23, 32 and 41 indicators of the seeds are there, numbered as published."""
    scheme = load(name)
    assert [i.code for i in scheme.indicators()] == [str(n) for n in range(1, count + 1)]


def test_stand_in_rules_are_marked():
    """Rules the seed does not give are stand-ins, and say so; the seed's own rules do not."""
    departments = load("shenzhen-2010-departments")
    marked = {i.code for i in departments.indicators() if "STAND-IN" in i.metadata.get("评估标准", "")}
    assert marked == {str(n) for n in range(14, 24)}
    assert all("STAND-IN" in i.metadata.get("评估标准", "") for i in load("xiamen-xiangan-2020").indicators())
    assert departments.indicator("1").scale.source.startswith("优:白皮书任务按时完成率=100%")


def test_xiamen_keeps_its_metadata():
    """数据采集单位, 责任科室 and 责任人 come through the file."""
    six = load("xiamen-xiangan-2020").indicator("6")
    assert (six.source, six.metadata["责任科室"], six.metadata["责任人"]) == (
        "区效能督查办",
        "旅游中心、执法大队",
        "许文跃、许福清",
    )
    assert six.applies_to == {"旅游中心", "执法大队"}


@pytest.mark.parametrize("name", list(BUILT))
def test_sample_data_scores_without_errors(name):
    """Each sample data set has at least 8 plausible units and scores cleanly."""
    units = sample_units(name)
    assert len(units) >= 8
    result = evaluate(load(name), units)
    assert result.errors == ()
    assert sorted(r.rank for r in result) == list(range(1, len(units) + 1))


# Two units per scheme worked out by hand (the same data as tests/test_engine.py,
# which spells out every indicator; here the sums only).
HAND_WORKED = [
    # 市甲委: baseline contributions 25.5+3.4+4.25+4.2+3.4+2.55+1.75+1.7+2.7+1.8+1.7
    #   +2.55+1.9+1.8+5.28+1.8+2.55+5+2+2+3.4+4+1.7 = 86.93 → 良
    ("shenzhen-2010-departments", "市甲委", D("86.93"), "良"),
    # 市庚委: white paper per quarter 5/5, 4/5, 5/5, 5/5 → 100, 60 (80% is the bottom of 中),
    #   100, 100 → mean 90 → 27 (+1.5); 行政审批 104 → 优 95 → 3.8 (+0.4); 法治 92 → 5.52 (+0.24)
    #   86.93 + 1.5 + 0.4 + 0.24 = 89.07 → 良
    ("shenzhen-2010-departments", "市庚委", D("89.07"), "良"),
    # 南山区: 81.5 without 12 and 24; alarm rank 3 → 1.8; GDP rank 1 → 2; 教科文卫体 150 against
    #   (7×100+150)/80 = 10.625 per resident → 141% → 优 95 → 1.9 (+0.2): 85.5 → 良
    ("shenzhen-2010-districts", "南山区", D("85.5"), "良"),
    # 盐田区: 16 deaths against a limit of 10 (over 150%) → 一票否决: 0 → 差
    ("shenzhen-2010-districts", "盐田区", D(0), "差"),
    # 局办: 900 + (1.0 − 0.9) × 30 × 420/390 (6 does not apply; its 30 points spread over 差异化)
    #   = 900 + 42/13 = 11742/13 → 优
    ("xiamen-xiangan-2020", "局办", Fraction(11742, 13), "优"),
    # 图书馆: 22 does not apply; 23 weighs 20 × 110/80 = 27.5 and is assessed 70:
    #   900 − 0.2 × 27.5 = 894.5 → 良
    ("xiamen-xiangan-2020", "图书馆", D("894.5"), "良"),
]


@pytest.mark.parametrize(
    ("name", "unit", "total", "grade"), HAND_WORKED, ids=[f"{u}" for _, u, _, _ in HAND_WORKED]
)
def test_sample_units_worked_by_hand(name, unit, total, grade):
    """Two units per built-in scheme score to the totals worked out by hand."""
    result = evaluate(load(name), sample_units(name)).unit(unit)
    assert (result.total, result.grade) == (total, grade)


def test_department_samples_exercise_every_policy():
    """The department sample data makes every kind of policy fire at least once."""
    result = evaluate(load("shenzhen-2010-departments"), sample_units("shenzhen-2010-departments"))
    kinds = {e.kind for r in result for i in r.indicators for e in i.events} | {
        e.kind for r in result for e in r.events
    }
    assert {
        "default",
        "not_applicable",
        "weight_in",
        "not_assessed",
        "zero",
        "adjust",
        "veto",
        "period",
    } <= kinds


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BUILT))
@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_builtin_schemes_round_trip(name, fmt, tmp_path):
    """load → dump → load gives an equal scheme, in TOML and in JSON."""
    scheme = load(name)
    path = tmp_path / f"scheme.{fmt}"
    dump(scheme, path)
    assert load(path) == scheme
    assert loads(dumps(scheme, format=fmt), format=fmt) == scheme


@given(prst.schemes())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_schemes_round_trip(scheme):
    """Any scheme perfrules.testing generates survives dump and load, in both formats."""
    assert loads(dumps(scheme)) == scheme
    assert loads(dumps(scheme, format="json"), format="json") == scheme


# ---------------------------------------------------------------------------
# Errors in scheme files carry their paths
# ---------------------------------------------------------------------------

GOOD = """
name = "示例"
groups = [{ name = "甲组" }]

[[indicators]]
code = "1"
name = "完成率"
group = "甲组"
weight = 60
steps = ["完成率=完成数/总数"]
scale = { rule = "优：完成率=100%；良：完成率<100%", domain = [0, 1] }

[[indicators]]
code = "2"
name = "得分"
group = "甲组"
weight = 40
score = "得分"
"""


def test_a_hand_written_file_loads():
    """The small example above is a valid scheme."""
    scheme = loads(GOOD)
    assert [i.code for i in scheme.indicators()] == ["1", "2"]


def test_every_problem_in_a_file_is_reported_with_its_path():
    """Unknown keys, bad formulas, missing groups and bad policies, all at once, by path."""
    bad = GOOD.replace("weight = 60", "weigth = 60").replace('score = "得分"', 'score = "得分×"')
    bad += """
[[indicators]]
code = "3"
name = "第三"
group = "乙组"
score = "1"

[[indicators]]
code = "4"
name = "第四"
group = "甲组"
score = "1"
steps = ["a=$"]
policies = [{ type = "mystery" }]
"""
    with pytest.raises(SchemeError) as info:
        loads(bad)
    paths = {p.path for p in info.value.problems}
    text = str(info.value)
    assert "indicators[0].weigth" in paths and "did you mean 'weight'?" in text
    assert "indicators[1].score" in paths and "^" in text  # the score formula, with a caret
    assert "indicators[2].group" in paths
    assert "indicators[3].steps[0]" in paths
    assert "indicators[3].policies[0].type" in paths


def test_scheme_level_problems_point_into_the_file():
    """Problems found on the whole scheme (weights, codes) are given as file paths."""
    bad = GOOD.replace('code = "2"', 'code = "1"')
    with pytest.raises(SchemeError) as info:
        loads(bad)
    assert "indicators[1].code" in {p.path for p in info.value.problems}
    with pytest.raises(SchemeError, match="add up to 90%, not 100%"):
        loads(GOOD.replace("weight = 40", "weight = 30"))


def test_formula_errors_in_files_show_the_formula_with_a_caret():
    """A bad step formula is reported with its caret, at indicators[0].steps[0]."""
    with pytest.raises(SchemeError) as info:
        loads(GOOD.replace("完成率=完成数/总数", "完成率=完成数//总数"))
    (problem,) = info.value.problems
    assert problem.path == "indicators[0].steps[0]"
    assert "^" in problem.message


def test_invalid_toml_and_json_are_scheme_errors():
    """Syntax errors in the file itself are reported, never a parser traceback."""
    with pytest.raises(SchemeError, match="not valid TOML"):
        loads("name = ")
    with pytest.raises(SchemeError, match="not valid JSON"):
        loads("{", format="json")


def test_files_never_run_code():
    """A formula that tries to reach Python is only text that fails to parse."""
    with pytest.raises(SchemeError) as info:
        loads(GOOD.replace('score = "得分"', "score = \"__import__('os').system('true')\""))
    assert any("unexpected character" in p.message for p in info.value.problems)


def test_nesting_and_size_are_bounded(tmp_path):
    """Deeply nested data and oversized files are refused."""
    deep: object = 1
    for _ in range(40):
        deep = {"a": deep}
    with pytest.raises(SchemeError, match="nested more than"):
        loads(json.dumps({"name": "x", "groups": [], "indicators": [], "extra": deep}), format="json")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (6 * 2**20), encoding="utf-8")
    with pytest.raises(SchemeError, match="larger than"):
        load(big)


def test_missing_file_suggests_builtin_names():
    """A typo in a built-in name is answered with the right name."""
    with pytest.raises(FileNotFoundError, match="did you mean the built-in scheme 'xiamen-xiangan-2020'"):
        load("xiamen-xiangan-202")


# ---------------------------------------------------------------------------
# Unit data files
# ---------------------------------------------------------------------------

SCHEME = loads(GOOD)


def test_csv_with_bom_and_chinese_headers(tmp_path):
    """UTF-8 with Excel's BOM, Chinese headers, one row per unit."""
    path = tmp_path / "data.csv"
    path.write_text("\ufeff单位,完成数,总数,得分\n甲局,19,20,88\n乙局,20,20,90.5\n", encoding="utf-8")
    units = load_units(path, scheme=SCHEME)
    assert [u.name for u in units] == ["甲局", "乙局"]
    assert units[1].data == {"完成数": 20, "总数": 20, "得分": D("90.5")}
    result = evaluate(SCHEME, units)
    # 乙局: 100% → 优 (top) 100 × 60% + 90.5 × 40% = 60 + 36.2
    assert result.unit("乙局").total == D("96.2")


def test_csv_problems_name_row_and_column():
    """Unknown columns are a note with a hint; text in a numeric column fails only its unit, naming row and column."""
    text = "单位,完成数,总数,得份\n甲局,十九,20,88\n乙局,20,,90\n"
    units = units_from_csv(text, scheme=SCHEME, origin="d.csv")
    (note,) = units.notes
    assert note.path == "column '得份'" and "did you mean '得分'?" in note.message
    (problem,) = units[0].problems
    assert (problem.origin, problem.field, problem.message) == (
        "d.csv row 2",
        "完成数",
        "'十九' is not a number; write it in digits",
    )
    assert not units[1].problems and "得份" not in units[1].data


def test_empty_cells_are_left_out_and_reported_when_scored():
    """An empty cell is missing data: without a default, the unit gets an error naming the field."""
    units = units_from_csv("单位,完成数,总数,得分\n甲局,19,,88\n乙局,20,20,90\n", scheme=SCHEME)
    result = evaluate(SCHEME, units)
    (error,) = result.unit("甲局").errors
    assert (error.indicator, error.field) == ("1", "总数")
    assert result.unit("乙局").ok


def test_csv_periods_and_not_applicable_columns():
    """Rows with a 期间 become periods; 不适用 lists codes."""
    text = "单位,类别,期间,不适用,a\n甲,委,,3、5,1\n甲,委,1月,,2\n甲,委,2月,,3\n"
    (unit,) = units_from_csv(text)
    assert unit.category == "委" and unit.not_applicable == {"3", "5"}
    assert unit.data == {"a": 1} and unit.periods == {"1月": {"a": 2}, "2月": {"a": 3}}


def test_json_units(tmp_path):
    """JSON data files hold a list of units (or {"units": [...]})."""
    path = tmp_path / "units.json"
    path.write_text(
        json.dumps({"units": [{"name": "甲局", "data": {"完成数": 1, "总数": 2, "得分": 0.5}}]}),
        encoding="utf-8",
    )
    (unit,) = load_units(path)
    assert unit.data["得分"] == D("0.5")


def test_sample_csv_files_are_valid_utf8_csv():
    """The shipped sample files open in a spreadsheet: UTF-8, one header row."""
    from importlib.resources import files

    for stem in ("shenzhen_2010_departments", "shenzhen_2010_districts", "xiamen_xiangan_2020"):
        text = files("perfrules").joinpath("schemes", f"{stem}.csv").read_text(encoding="utf-8")
        assert text.splitlines()[0].startswith("单位")


def test_baseline_sample_values_are_read_as_exact_numbers():
    """Decimal fractions in the sample CSV come back exact (0.85, not a binary float)."""
    unit = next(u for u in sample_units("shenzhen-2010-departments") if u.name == "市甲委")
    assert unit.data["网上申请行政审批实现率"] == D("0.85")
    assert unit.data["白皮书任务总数"] == BASELINE["白皮书任务总数"]


def test_dump_writes_by_suffix(tmp_path: Path):
    """dump() picks JSON for .json and TOML otherwise."""
    dump(SCHEME, tmp_path / "a.json")
    dump(SCHEME, tmp_path / "a.toml")
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["name"] == "示例"
    assert (tmp_path / "a.toml").read_text(encoding="utf-8").startswith('format = "perfrules-scheme/1"')


def test_unknown_format_version_is_refused():
    """A file from a future format is refused, not misread."""
    with pytest.raises(SchemeError, match="unknown format"):
        loads('format = "perfrules-scheme/9"\n' + GOOD)


def test_formula_syntax_error_class_is_kept_for_direct_use():
    """Formula errors remain FormulaSyntaxError outside files."""
    from perfrules import Formula

    with pytest.raises(FormulaSyntaxError):
        Formula.parse("1+")


def test_documented_example_matches_the_example_files():
    """The format reference shows the example files exactly as they are."""
    root = Path(__file__).resolve().parent.parent
    doc = (root / "docs" / "reference" / "scheme-files.md").read_text(encoding="utf-8")
    for name in ("example-scheme.toml", "example-data.csv"):
        assert (root / "docs" / "examples" / name).read_text(encoding="utf-8") in doc


def test_errors_for_csv_units_name_the_row():
    """An empty cell that makes a unit fail is reported with the file's row and the column (field)."""
    units = units_from_csv(
        "单位,完成数,总数,得分\n甲局,19,,88\n乙局,20,20,90\n", scheme=SCHEME, origin="data.csv"
    )
    (error,) = evaluate(SCHEME, units).unit("甲局").errors
    assert str(error).startswith("unit '甲局' (data.csv row 2), indicator 1, field '总数'")
    assert units[0].origin == "data.csv row 2"


def test_shenzhen_indicators_keep_their_published_definitions():
    """Every indicator of both Shenzhen tables carries its 指标释义."""
    for name in ("shenzhen-2010-departments", "shenzhen-2010-districts"):
        assert all(i.definition for i in load(name).indicators()), name
    assert (
        load("shenzhen-2010-districts")
        .indicator("16")
        .definition.startswith("指河流综合污染指数与参与评价污染物项数之比")
    )


def test_district_samples_have_period_data():
    """龙岗区 reports 水行政违法事件处理率 monthly: 10/10 (优 95) and 13/15 (中 70) average 82.5."""
    result = evaluate(load("shenzhen-2010-districts"), sample_units("shenzhen-2010-districts")).unit("龙岗区")
    eighteen = result.indicator("18")
    assert [(p.period, p.score) for p in eighteen.periods] == [("1月", 95), ("2月", 70)]
    assert eighteen.score == D("82.5")
