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
    Unit,
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


# Indicators whose rule is not in the source: departments 13 (cut off after
# "良：三项") to 23, every district indicator (table 2 has no rules), every
# Xiamen indicator (the table has none). Departments 1–12 are published.
STAND_INS = {
    "shenzhen-2010-departments": {str(n) for n in range(13, 24)},
    "shenzhen-2010-districts": {str(n) for n in range(1, 33)},
    "xiamen-xiangan-2020": {str(n) for n in range(1, 42)},
}


@pytest.mark.parametrize("name", list(BUILT))
def test_stand_ins_are_marked_in_the_file_and_in_every_explanation(name):
    """stand_in is set on exactly the stand-in indicators; explain shows the marker on exactly those."""
    scheme = load(name)
    marked = {i.code for i in scheme.indicators() if i.stand_in}
    assert marked == STAND_INS[name]
    assert not any("评估标准" in i.metadata for i in scheme.indicators())  # the old STAND-IN notes are gone
    result = evaluate(scheme, sample_units(name))
    for unit in result:
        lines = result.explain(unit.unit).splitlines()
        shown = set()
        for k, line in enumerate(lines):
            if "· ※ 示例规则（原文未给出）：" in line:
                head = next(h for h in reversed(lines[:k]) if h.lstrip().startswith("- "))
                shown.add(head.lstrip()[2:].split()[0])
        # The rule's stand-ins on the indicators scored; the averaging of period rows on those given by
        # period (市戊委's 9); the spreading of a declared not-applicable weight (区财政局's 6).
        expected = {i.code for i in unit.indicators if i.applicable} & STAND_INS[name]
        expected |= {i.code for i in unit.indicators if i.periods}
        expected |= {"6"} if unit.unit == "区财政局" else set()
        assert shown == expected, unit.unit


def test_docs_page_lists_every_stand_in():
    """docs/reference/builtin-stand-ins.md has one row per stand-in, with the file's text, and no others."""
    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "reference" / "builtin-stand-ins.md").read_text(encoding="utf-8")
    sections = page.split("\n## ")[1:4]  # departments, districts, Xiamen, in that order
    for name, section in zip(BUILT, sections, strict=True):
        scheme = load(name)
        rows = [line for line in section.splitlines() if line.startswith("| ") and line[2].isdigit()]
        assert [row.split(" | ")[0][2:] for row in rows] == sorted(STAND_INS[name], key=int)
        for row in rows:
            ind = scheme.indicator(row.split(" | ")[0][2:])
            assert row.startswith(f"| {ind.code} | {ind.name} |") and row.endswith(f"| {ind.stand_in} |")
        if scheme.stand_in:
            assert f"Scheme-level: {scheme.stand_in}" in section


def test_shenzhen_overall_grading_is_a_scheme_level_stand_in():
    """The seed grades no totals: the Shenzhen schemes say their overall grading is a stand-in; Xiamen grades none."""
    for name in ("shenzhen-2010-departments", "shenzhen-2010-districts"):
        scheme = load(name)
        assert "原文未给出总分等次" in scheme.stand_in
        first = evaluate(scheme, sample_units(name)).explain(sample_units(name)[0].name).splitlines()
        assert first[1].startswith("  ※ 示例规则（原文未给出）：原文未给出总分等次")
    xiamen_scheme = load("xiamen-xiangan-2020")
    assert xiamen_scheme.stand_in == "" and xiamen_scheme.grades == ()


def test_published_rules_keep_the_published_text():
    """Rules 1–12 of table 1 are the seed's text, reasons included, and carry no stand-in."""
    departments = load("shenzhen-2010-departments")
    assert departments.indicator("1").scale.source.startswith("优:白皮书任务按时完成率=100%")
    assert not any(departments.indicator(str(n)).stand_in for n in range(1, 13))
    reasons = {p.reason for i in departments.indicators() for p in i.policies}
    assert "当期没有行政处罚案件的,默认为“优”" in reasons
    assert "因未及时回复公开申请引起投诉、经核查属实的,该月该部门的互动性得分为0" in reasons


@pytest.mark.parametrize("name", list(BUILT))
def test_no_builtin_has_a_veto_or_a_penalty_of_its_own(name):
    """No source states a veto or a per-item deduction for the built-ins: none is there."""
    from perfrules import Adjust, Default, Veto

    scheme = load(name)
    assert not scheme.policies
    kinds = {type(p) for i in scheme.indicators() for p in i.policies}
    assert Veto not in kinds and Adjust not in kinds
    defaults = {i.code for i in scheme.indicators() if any(isinstance(p, Default) for p in i.policies)}
    # the defaults the seed prints (table 1: 2, 3, 7, 8, 12; table 2 borrows 2, 3, 12 → 8)
    assert (
        defaults
        == {
            "shenzhen-2010-departments": {"2", "3", "7", "8", "12"},
            "shenzhen-2010-districts": {"2", "3", "8"},
            "xiamen-xiangan-2020": set(),
        }[name]
    )


def test_rule_12_as_printed_is_noted_as_unreachable():
    """Rule 12 is kept as printed; with 就低不就高 its 优 can never be given, and the scheme notes it."""
    for name, code in (("shenzhen-2010-departments", "12"), ("shenzhen-2010-districts", "8")):
        notes = [p.message for p in load(name).notes]
        assert any(m.startswith(f"{code} 政府督查事项: grade '优' can never be given") for m in notes), name


def test_no_case_defaults_give_a_stated_score_with_a_note():
    """7 and 8: 默认为"优" at 95 (the source says no score within 优); the note says why; not 区中值."""
    departments = load("shenzhen-2010-departments")
    for code in ("7", "8"):
        (default,) = [p for p in departments.indicator(code).policies if type(p).__name__ == "Default"]
        assert (default.grade, default.score) == ("优", 95)
        assert "未说明取优档内哪一分数" in default.note
        assert "区中值" not in default.note + default.reason


def test_xiamen_keeps_its_metadata():
    """数据采集单位, 责任科室, 责任人 and the 一级指标 text of rows 1 and 2 come through the file."""
    xm = load("xiamen-xiangan-2020")
    six = xm.indicator("6")
    assert (six.source, six.metadata["责任科室"], six.metadata["责任人"]) == (
        "区效能督查办",
        "旅游中心、执法大队",
        "许文跃、许福清",
    )
    assert all(i.applies_to is None and i.frequency is None for i in xm.indicators())
    one, two = xm.indicator("1"), xm.indicator("2")
    # named by the 二级指标名称 column (stored with the model's half-width brackets)
    assert one.name == "根据厦翔委〔2020〕8号文件及区委工作要点任务分解进行评估"
    assert two.name == "根据厦翔政办〔2020〕1号文件中各单位具体任务分工进行评估"
    assert (one.metadata["一级指标"], two.metadata["一级指标"]) == (
        "2020年区委工作任务分解",
        "2020年区政府工作任务分解",
    )
    assert xm.indicator("13").source == "区发改局（区生态文明办）、区生态环境局（区环委办）"


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
    # 盐田区: 81.5 without 12 and 24 (as 南山区); alarm rank 4 of 8 → 85 → 1.7; GDP 4% rank 5
    #   → 80 → 1.6; 教科文卫体 10/10.625 = 94% → 中 70 → 1.4 (−0.3); 13: 16 deaths against a
    #   limit of 10 → 160% → 差 30 → 1.2 (−2.6), no veto: 81.5+1.7+1.6−0.3−2.6 = 81.9 → 良
    ("shenzhen-2010-districts", "盐田区", D("81.9"), "良"),
    # Xiamen: every indicator at 90% of its points is 900; the points scheme grades no total.
    # 区文旅局: 1 30 (+3), 8 40 (+4), 13 40 (+4), 27 24 (−3) → 908
    ("xiamen-xiangan-2020", "区文旅局", D(908), None),
    # 区财政局: 6 不适用 → 差异化's other 390 points weigh ×420/390 = ×14/13; 2 earns 30 (+3):
    #   (351 + 3) × 14/13 = 4956/13; 共同性 522 + 16 20 (+2) + 37 20 (+2) = 526
    #   → 4956/13 + 526 = 11794/13 ≈ 907.23
    ("xiamen-xiangan-2020", "区财政局", Fraction(11794, 13), None),
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
        "period",
    } <= kinds
    assert not {"adjust", "veto"} & kinds  # the built-ins have none


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
    assert load("shenzhen-2010-districts").indicator("16").definition == (
        "指河流综合污染指数与参与评价污染物项数之比。这是评价河流污染程度的指标,数值越大,污染越严重。"
        "其计算公式如下:公式中:P-断面河流平均综合污染指数;Pj-断面河流综合污染指数;n-参与评价污染物项数。"
    )


def test_xiamen_sample_units_are_district_departments():
    """The sample units are (made-up) district departments, not the bureau's own sections."""
    names = [u.name for u in sample_units("xiamen-xiangan-2020")]
    assert "区文旅局" in names and len(names) == 8
    assert not {"局办", "执法大队", "旅游中心"} & set(names)


def test_xiamen_department_is_assessed_on_all_41_with_any_complete_sample():
    """区文旅局 given the data of any complete sample unit: 41 indicators, 1000 points, nothing moved."""
    from perfrules import Unit

    scheme = load("xiamen-xiangan-2020")
    samples = sample_units("xiamen-xiangan-2020")
    totals = {r.unit: r.total for r in evaluate(scheme, samples)}
    for sample in samples:
        if sample.not_applicable:
            continue
        result = evaluate(scheme, [Unit(name="区文旅局", data=sample.data)]).unit("区文旅局")
        assert [i.code for i in result.indicators if i.applicable] == [str(n) for n in range(1, 42)]
        assert all(i.weight == i.full for i in result.indicators)
        assert sum(i.weight for i in result.indicators) == 1000
        assert result.total == totals[sample.name]


def test_xiamen_not_applicable_from_the_data_still_works():
    """区财政局 declares 6 不适用 in the CSV: 6 is not scored and the 差异化 group still weighs 420."""
    result = evaluate(load("xiamen-xiangan-2020"), sample_units("xiamen-xiangan-2020")).unit("区财政局")
    assert not result.indicator("6").applicable
    differentiated = [i for i in result.indicators if int(i.code) <= 14]
    assert sum(Fraction(i.weight) for i in differentiated) == 420
    assert result.indicator("1").weight == Fraction(420, 13)


def test_xiamen_sample_ranks_differ_and_move_when_weights_move():
    """The sample units' totals differ, and reweighting the groups by 20% reorders them.

    Each indicator's contribution is its share of its points times its points;
    weighing 差异化指标 ×0.8 and 共同性指标 ×1.2 (what a ±20% perturbation of the
    weights can do) turns the top three around:
      区文旅局 (908):  差异化 389 × 0.8 + 共同性 519 × 1.2 = 311.2 + 622.8 = 934
      区财政局 (≈907.23): 4956/13 × 0.8 + 526 × 1.2 = 60852/65 ≈ 936.18
      区教育局 (904):  374 × 0.8 + 530 × 1.2 = 299.2 + 636 = 935.2
      区发改局 (906):  381 × 0.8 + 525 × 1.2 = 304.8 + 630 = 934.8
    """
    result = evaluate(load("xiamen-xiangan-2020"), sample_units("xiamen-xiangan-2020"))
    assert len({r.total for r in result}) == len(result)
    assert [r.unit for r in result.ranking()][:4] == ["区文旅局", "区财政局", "区发改局", "区教育局"]

    def reweighted(unit):
        return sum(
            Fraction(i.contribution) * (Fraction(4, 5) if int(i.code) <= 14 else Fraction(6, 5))
            for i in unit.indicators
            if i.applicable
        )

    totals = {r.unit: reweighted(r) for r in result}
    assert (totals["区文旅局"], totals["区财政局"], totals["区教育局"]) == (
        934,
        Fraction(60852, 65),
        D("935.2"),
    )
    assert totals["区发改局"] == D("934.8")
    assert sorted(totals, key=totals.__getitem__, reverse=True)[:4] == [
        "区财政局",
        "区教育局",
        "区发改局",
        "区文旅局",
    ]


def test_xiamen_names_keep_the_published_brackets_and_data_may_use_either():
    """1 and 2 are named with the published 〔2020〕; a data column spelt with 〔〕 or () is the same field."""
    scheme = load("xiamen-xiangan-2020")
    assert scheme.indicator("1").name == "根据厦翔委〔2020〕8号文件及区委工作要点任务分解进行评估"
    base = dict(sample_units("xiamen-xiangan-2020")[0].data)
    field = "根据厦翔委(2020)8号文件及区委工作要点任务分解进行评估得分"
    assert field in base
    published = {k: v for k, v in base.items() if k != field}
    published["根据厦翔委〔2020〕8号文件及区委工作要点任务分解进行评估得分"] = 17
    result = evaluate(scheme, [Unit(name="甲", data=published)]).unit("甲")
    assert result.ok and result.indicator("1").score == 17
