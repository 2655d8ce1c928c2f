"""Last year's results: [history] names (上年名次 …), --previous, read_results and perfrules compare.

The cookbook recipe docs/examples/cookbook/last-year.toml is worked by hand here: places gained
against last year's rank (每进1位加2分，最多4分), a baseline that is the lower of last year's figure
and the three-year mean, and a unit last year's results do not list.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_run import run as _run
from perfrules import (
    DataError,
    HistoryName,
    PastResults,
    PastUnit,
    SchemeError,
    Unit,
    compare_results,
    dumps,
    evaluate,
    load,
    load_units,
    loads,
    read_results,
)

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "docs" / "examples" / "cookbook"
SCHEME = FOLDER / "last-year.toml"
DATA = FOLDER / "last-year.csv"
LAST = FOLDER / "last-year" / "2024.csv"
LAST_DATA = FOLDER / "last-year" / "2024-data.csv"

# By hand (see the cookbook): 实绩得分 + 进位加分 + 36 × min(max(收入/基数 − 1, 0), 10%) ÷ 10%.
TOTALS = {
    "甲": Decimal(86),  # 50 + 0 (1st → 3rd) + 36 (99 ÷ min(100, 90) − 1 = 10%)
    "己": Decimal(81),  # 45 + 0 (not in last year's results) + 36 (44.4 ÷ min(40, 37) − 1 = 20%, capped)
    "丙": Decimal(75),  # 48 + 0 (3rd → 5th) + 27 (86 ÷ 80 − 1 = 7.5%)
    "乙": Decimal(73),  # 55 + 0 (2nd → 2nd) + 18 (105 ÷ min(100, 110) − 1 = 5%)
    "丁": Decimal("69.2"),  # 58 + min(3 × 2, 4) = 4 (4th → 1st) + 7.2 (51 ÷ 50 − 1 = 2%)
    "戊": Decimal(51),  # 49 + 2 (5th → 4th) + 0 (57 ÷ min(60, 70) − 1 < 0)
}
BONUS = {"甲": 0, "己": 0, "丙": 0, "乙": 0, "丁": 4, "戊": 2}


def _evaluate(previous: object = LAST):
    scheme = load(SCHEME)
    return evaluate(scheme, load_units(DATA, scheme=scheme), previous=previous)


def test_the_recipe_gives_the_hand_worked_totals():
    results = _evaluate()
    assert {r.unit: r.total for r in results} == TOTALS
    assert {r.unit: r.indicators[1].score for r in results} == BONUS
    assert [r.unit for r in results.ranking()] == ["甲", "己", "丙", "乙", "丁", "戊"]


def test_last_years_results_as_a_file_an_evaluation_or_past_results_agree():
    scheme = load(SCHEME)
    last_year = evaluate(scheme, load_units(LAST_DATA, scheme=scheme))
    assert [r.rank for r in last_year.ranking()] == [1, 2, 3, 4, 5]
    for previous in (LAST, str(LAST), last_year, read_results(LAST), PastResults.of(last_year)):
        assert {r.unit: r.total for r in _evaluate(previous)} == TOTALS, type(previous)


def test_the_explanation_says_where_a_previous_value_came_from():
    results = _evaluate()
    events = [e.message for e in results.unit("丁").indicators[1].events]
    assert "上年名次=4，取自上年结果“2024.csv”中本单位的排名" in events
    text = results.explain("丁")
    assert "min(max(4−1, 0)×2, 4) = 4" in text
    # 甲's data gives no 上年名次; the line is on the indicator that reads it, and no other.
    assert not any("上年名次" in e.message for e in results.unit("甲").indicators[0].events)


def test_a_unit_last_year_lacks_gets_a_note_and_its_rules_missing_data_handling():
    results = _evaluate()
    mine = results.unit("己")
    assert [e.message for e in mine.events if e.kind == "note"] == ["己: 上年结果“2024.csv”中没有本单位"]
    assert "缺少数据“上年名次”，按规定默认得 0分（上年未参加考核，不计进位加分）" in mine.explain()
    # The units last year lists have no note.
    assert not [e for e in results.unit("甲").events if e.kind == "note"]


def test_without_previous_results_the_names_come_from_the_data():
    """The same totals when 上年名次 is a data column (and a value in the data wins over the file)."""
    scheme = load(SCHEME)
    ranks = {"甲": 1, "乙": 2, "丙": 3, "丁": 4, "戊": 5}
    units = [
        Unit(name=u.name, data={**u.data, **({"上年名次": ranks[u.name]} if u.name in ranks else {})})
        for u in load_units(DATA, scheme=scheme)
    ]
    assert {r.unit: r.total for r in evaluate(scheme, units)} == TOTALS
    # With last year's file too, the data's own value is kept: 戊 said 4th, so no places gained.
    units = [Unit(name=u.name, data={**u.data, "上年名次": 4}) if u.name == "戊" else u for u in units]
    results = evaluate(scheme, units, previous=LAST)
    assert results.unit("戊").total == TOTALS["戊"] - 2
    assert not any("取自" in e.message for e in results.unit("戊").indicators[1].events)
    # ... and the unit says so where the two disagree (戊: 4 here, 5th in 2024.csv), not where they agree.
    notes = {r.unit: [e.message for e in r.events if e.kind == "note"] for r in results}
    assert notes["戊"] == ["戊: 本单位数据中的上年名次=4优先，不取上年结果“2024.csv”中的5"]
    assert notes["甲"] == notes["丁"] == []


_BASE = """
format = "perfrules-scheme/1"
name = "上年得分示例"
basis = "points"
total = 100
cap_total = false
groups = [{ name = "考核指标" }]

[[indicators]]
code = "1"
name = "工作实绩"
group = "考核指标"
weight = 100
score = "实绩得分+if(实绩得分>上年得分, 2, 0)"
"""


def test_a_declared_default_is_used_and_explained():
    scheme = loads(_BASE + '\n[history."上年得分"]\nfield = "score"\nindicator = "1"\ndefault = 90\n')
    previous = PastResults(units={"甲": PastUnit(scores={"1": 80}, rank=1)}, source="2024.json")
    results = evaluate(
        scheme,
        [Unit(name="甲", data={"实绩得分": 85}), Unit(name="乙", data={"实绩得分": 85})],
        previous=previous,
    )
    assert {r.unit: r.total for r in results} == {"甲": 87, "乙": 85}  # 85 > 80: +2; 85 < 90: 0
    events = [e.message for e in results.unit("乙").indicators[0].events]
    assert "上年得分=90：上年结果“2024.json”中没有本单位，按方案默认值" in events


def test_history_round_trips_through_toml_and_json():
    scheme = load(SCHEME)
    assert scheme.history == {"上年名次": HistoryName(field="rank")}
    assert loads(dumps(scheme)) == scheme
    assert loads(dumps(scheme, format="json"), format="json") == scheme


@pytest.mark.parametrize(
    ("history", "path", "words"),
    [
        ('[history."上年名词"]\nfield = "total"', "history.上年名词", "did you mean '上年得分'"),
        ('[history."上年得分"]\nfield = "score"', "history.上年得分.indicator", "needs the indicator's code"),
        ('[history."上年得分"]\nfield = "total"\nindicator = "1"', "history.上年得分.indicator", "only"),
        ('[history."上年得分"]\nfield = "totl"', "history.上年得分.field", "did you mean 'total'"),
        ('[history."上年得分"]\nfield = "total"\ndefault = "优"', "history.上年得分.default", "a number"),
        ('[history."上年得分"]\nfield = "total"\nfrom = "x"', "history.上年得分.from", "unknown key"),
    ],
)
def test_validate_names_a_misused_history_key(history, path, words):
    with pytest.raises(SchemeError) as info:
        loads(_BASE + "\n" + history + "\n")
    assert any(p.path == path and words in p.message for p in info.value.problems), info.value.problems


def test_a_name_that_is_also_a_parameter_is_refused():
    text = _BASE + '\n[history."上年得分"]\nfield = "total"\n\n[parameters."上年得分"]\n"甲" = 80\n'
    with pytest.raises(SchemeError) as info:
        loads(text)
    assert any(p.path == "history.上年得分" and "keep one" in p.message for p in info.value.problems)


def test_validate_on_the_command_line_gives_the_path(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(_BASE + '\n[history."上年名词"]\nfield = "total"\n', encoding="utf-8")
    code, out, err = _run("validate", str(path))
    assert code != 0
    assert "history.上年名词" in out + err and "上年得分" in out + err


def test_previous_results_need_history_names(tmp_path):
    scheme = load(FOLDER / "parameters.toml")
    with pytest.raises(ValueError, match=r"no \[history\] names"):
        evaluate(scheme, [], previous=LAST)
    code, _, err = _run(
        "score", str(FOLDER / "parameters.toml"), str(FOLDER / "parameters.csv"), "--previous", str(LAST)
    )
    assert code == 2 and "[history]" in err
    code, _, err = _run("score", str(SCHEME), str(DATA), "--previous", str(tmp_path / "none.csv"))
    assert code == 2 and "none.csv" in err


def test_score_and_explain_read_previous_on_the_command_line():
    code, out, err = _run("score", str(SCHEME), str(DATA), "--previous", str(LAST), "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert {r[1]: Decimal(r[3]) for r in rows[1:]} == TOTALS
    assert "己: 上年结果“2024.csv”中没有本单位" in err
    code, out, err = _run("explain", str(SCHEME), str(DATA), "--previous", str(LAST), "--unit", "丁")
    assert code == 0, err
    assert "上年名次=4，取自上年结果“2024.csv”中本单位的排名" in out


@pytest.mark.parametrize("command", ["validate", "check"])
def test_validate_and_check_read_previous_results_as_score_does(tmp_path, command):
    code, out, err = _run(command, str(SCHEME), str(DATA), "--previous", str(LAST))
    assert code == 0, err
    assert "last-year.csv — 6 units" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("x\n", encoding="utf-8")
    code, out, err = _run(command, str(SCHEME), str(DATA), "--previous", str(bad))
    assert code == 1 and "bad.csv" in err and "no 单位 (unit) column" in err
    code, _, err = _run(command, str(FOLDER / "parameters.toml"), str(DATA), "--previous", str(LAST))
    assert code == 2 and "[history]" in err


def test_validate_alone_checks_the_previous_results_file(tmp_path):
    assert _run("validate", str(SCHEME), "--previous", str(LAST))[0] == 0
    code, _, err = _run("validate", str(SCHEME), "--previous", str(tmp_path / "none.csv"))
    assert code == 2 and "none.csv" in err


# -- reading results files --------------------------------------------------------------------


def test_read_results_reads_csv_json_and_jsonl_alike(tmp_path):
    runs = []
    for fmt in ("csv", "json", "jsonl"):
        path = tmp_path / f"2024.{fmt}"
        assert _run("score", str(SCHEME), str(LAST_DATA), "--format", fmt, "-o", str(path))[0] == 0
        runs.append(read_results(path))
    assert runs[0].units == runs[1].units == runs[2].units
    first = runs[0].units["甲"]
    assert (first.rank, first.total, first.grade, dict(first.scores)) == (
        1,
        56,
        None,
        {"1": 56, "2": 0, "3": 0},
    )
    assert (
        runs[0].indicators == {"1": "发展实绩", "2": "比上年进位", "3": "财政收入增长"} == runs[1].indicators
    )
    assert runs[0].label == "2024" and runs[0].source == "2024.csv"


def test_read_results_reads_english_headers_and_category_ranks(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "rank,unit,category,total,grade,1 Output,errors\n2,A,x,70.5,good,70.5,\n", encoding="utf-8"
    )
    unit = read_results(path).units["A"]
    assert (unit.rank, unit.category, unit.total, unit.grade, unit.scores["1"]) == (
        2,
        "x",
        Decimal("70.5"),
        "good",
        Decimal("70.5"),
    )
    assert read_results(path).language == "en"
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps({"scheme": "s", "units": [{"unit": "A", "rank": 3, "category_rank": 1, "total": 9}]})
    )
    assert read_results(path).units["A"].category_rank == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("名称,总分\n甲,80\n", "no 单位 (unit) column"),
        # What score prints without --format: said as such, with how to write a results file.
        ("排名  单位  类别  总分  等次\n----  ----\n   1  甲  80  —\n", "the table perfrules score prints"),
        ("rank  unit  category  total  grade\n", "not a results file; write one with --format csv"),
        ("排名,单位,总分\n1,甲,80\n2,甲,70\n", "unit '甲' is listed twice"),
        ("排名,单位,总分\n1,甲,八十\n", "row 2, column '总分'"),
        ("rank,unit,total\n1,A,eighty\n", "row 2, column 'total'"),
        # A column twice: which one is meant is not known, so neither is read.
        ("排名,rank,单位,总分\n1,5,甲,80\n", "columns '排名' and 'rank' both hold the rank"),
        (
            "排名,单位,总分,总分\n1,甲,80,70\n",
            "both hold the total; keep one of them (a results file of perfrules score has each column once) @ header, column 4",
        ),
        ("排名,单位,总分,1 甲项,1 乙项\n1,甲,80,40,40\n", "both hold indicator 1's score"),
        # The same in JSON: a key given twice in one object is not read as the last of them.
        ('{"scheme": "s", "units": [{"unit": "甲", "rank": 1, "rank": 5}]}', "the key 'rank' is given twice"),
        ("排名,单位,总分\n1.5,甲,80\n", "a rank is a whole number"),
    ],
)
def test_a_file_that_is_not_a_results_file_is_refused_with_the_place(tmp_path, text, words):
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_results(path)
    assert words in str(info.value)


# -- several years side by side ---------------------------------------------------------------


def test_compare_puts_the_years_side_by_side_by_hand():
    comparison = compare_results(LAST, _evaluate(), labels=["2024", "2025"])
    rows = {r.unit: r for r in comparison.rows}
    assert [r.unit for r in comparison.rows] == ["甲", "己", "丙", "乙", "丁", "戊"]  # by this year's rank
    assert rows["丁"].ranks == (4, 5) and rows["丁"].totals == (50, Decimal("69.2"))
    assert rows["丁"].places_gained == -1 and rows["丁"].total_change == Decimal("19.2")
    # 丁: 发展实绩 50 → 58, 财政收入增长 0 → 7.2, 比上年进位 0 → 4.
    assert rows["丁"].movers == (
        ("1", "发展实绩", Decimal(8)),
        ("3", "财政收入增长", Decimal("7.2")),
        ("2", "比上年进位", Decimal(4)),
    )
    assert rows["乙"].places_gained == -2 and rows["甲"].places_gained == 0
    assert rows["己"].ranks == (None, 2) and rows["己"].places_gained is None and rows["己"].movers == ()
    assert not comparison.graded and "2024 等次" not in comparison.heads()


def test_compare_names_the_movers_from_any_run_that_names_them(tmp_path):
    """This year as JSON Lines (codes only): the indicators' names come from last year's CSV."""
    this_year = tmp_path / "2025.jsonl"
    code, _, err = _run(
        "score", str(SCHEME), str(DATA), "--previous", str(LAST), "--format", "jsonl", "-o", str(this_year)
    )
    assert code == 0, err
    rows = {r.unit: r for r in compare_results(LAST, this_year).rows}
    assert rows["丁"].movers == (
        ("1", "发展实绩", Decimal(8)),
        ("3", "财政收入增长", Decimal("7.2")),
        ("2", "比上年进位", Decimal(4)),
    )


def test_compare_on_the_command_line_as_csv(tmp_path):
    this_year = tmp_path / "2025.json"
    code, _, err = _run(
        "score", str(SCHEME), str(DATA), "--previous", str(LAST), "--format", "json", "-o", str(this_year)
    )
    assert code == 0, err
    code, out, err = _run("compare", str(LAST), str(this_year), "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0] == [
        "单位", "类别", "2024 排名", "2024 总分", "2025 排名", "2025 总分",
        "名次变化", "总分变化", "主要变化指标",
    ]  # fmt: skip
    assert rows[5] == [
        "丁",
        "",
        "4",
        "50",
        "5",
        "69.2",
        "-1",
        "19.2",
        "1 发展实绩 +8；3 财政收入增长 +7.2；2 比上年进位 +4",
    ]
    code, _, err = _run("compare", str(LAST), str(this_year), "--label", "2024")
    assert code == 2 and "--label" in err


def test_compare_with_grades_shows_the_change_of_grade():
    a = PastResults(
        units={"甲": PastUnit(rank=2, total=80, grade="良"), "乙": PastUnit(rank=1, total=90, grade="优")}
    )
    b = PastResults(
        units={"甲": PastUnit(rank=1, total=92, grade="优"), "乙": PastUnit(rank=2, total=91, grade="优")}
    )
    comparison = compare_results(a, b, labels=["2024", "2025"])
    assert comparison.heads()[-2] == "等次变化"
    assert [(r.unit, r.grade_change) for r in comparison.rows] == [("甲", "良→优"), ("乙", "")]
    frame = comparison.to_dataframe()
    assert frame.loc["甲", "名次变化"] == 1 and frame.loc["乙", "总分变化"] == 1


def test_compare_needs_two_runs_and_a_label_each():
    with pytest.raises(ValueError, match="two runs"):
        compare_results(LAST)
    with pytest.raises(ValueError, match="one label per run"):
        compare_results(LAST, LAST, labels=["2024"])


@given(
    st.dictionaries(
        st.sampled_from("甲乙丙丁戊"),
        st.tuples(st.integers(1, 9), st.integers(0, 100), st.integers(1, 9), st.integers(0, 100)),
        min_size=1,
    )
)
def test_places_gained_and_total_change_are_the_differences(units):
    """Whatever the ranks and totals: places gained = last year's rank − this year's; change = difference."""
    a = PastResults(units={u: PastUnit(rank=r, total=t) for u, (r, t, _, _) in units.items()})
    b = PastResults(units={u: PastUnit(rank=r, total=t) for u, (_, _, r, t) in units.items()})
    for row in compare_results(a, b).rows:
        r1, t1, r2, t2 = units[row.unit]
        assert (row.places_gained, row.total_change) == (r1 - r2, t2 - t1)


def test_check_does_not_ask_the_data_for_last_years_results():
    """上年名次 comes with --previous (or a column the data may add): check does not call it missing."""
    code, out, err = _run("check", str(SCHEME), str(DATA))
    assert code == 0, out + err
    assert "上年名次" not in out + err


def test_results_that_hold_nothing_a_history_name_reads_are_refused(tmp_path):
    """Another scheme's results (no indicator 9), or a file without 排名: refused, naming the name.

    Read as they are, every unit would meet the name as missing data, and the recipe's ``default``
    policy would quietly give each one 0 as if none had taken part last year.
    """
    text = SCHEME.read_text(encoding="utf-8").replace(
        '[history."上年名次"]\nfield = "rank"',
        '[history."上年名次"]\nfield = "rank"\n\n[history."上年实绩"]\nfield = "score"\nindicator = "9"',
    )
    text = text.replace('score = "实绩得分"', 'score = "实绩得分+上年实绩×0"', 1)
    other = tmp_path / "other.toml"
    other.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        evaluate(load(other), load_units(DATA, scheme=load(other)), previous=LAST)
    assert [p.path for p in info.value.problems] == ["history.上年实绩"]
    assert "indicator 9's score (they give the scores of 1, 2, 3;" in str(info.value)
    code, _, err = _run("score", str(other), str(DATA), "--previous", str(LAST))
    assert code == 1 and "history.上年实绩" in err
    bare = tmp_path / "bare.csv"  # score's CSV without its 排名 column
    bare.write_text("单位,总分\n甲,56\n乙,54\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"no unit in the results bare\.csv has its rank"):
        _evaluate(bare)
    # A file that lists some units' ranks still fits: a unit it lacks gets a note, as before.
    some = tmp_path / "some.csv"
    some.write_text("排名,单位,总分\n1,甲,56\n,乙,\n", encoding="utf-8")
    assert _evaluate(some).unit("丁").total == Decimal("65.2")  # 58 + 0 + 7.2


def test_a_unit_renamed_since_last_year_is_named_not_dropped_silently(tmp_path):
    """A unit in last year's results that this year's data lacks (丁 renamed 丁区) gets a note."""
    data = tmp_path / "data.csv"
    data.write_text(DATA.read_text(encoding="utf-8").replace("丁,", "丁区,"), encoding="utf-8")
    code, _, err = _run("score", str(SCHEME), str(data), "--previous", str(LAST), "--format", "csv")
    assert code == 0, err
    assert "2024.csv lists units the data does not have: 丁" in err
    assert "丁区: 上年结果“2024.csv”中没有本单位" in err


def test_a_bad_data_file_is_hinted_at_check_not_validate(tmp_path):
    """A data or results file error points to 'perfrules check', a scheme error to 'perfrules validate'."""
    bad = tmp_path / "r.csv"
    bad.write_text("排名,总分\n1,56\n", encoding="utf-8")
    code, _, err = _run("score", str(SCHEME), str(DATA), "--previous", str(bad))
    assert code != 0 and "perfrules check SCHEME DATA" in err and "validate" not in err


def test_three_runs_say_which_two_the_changes_are_between():
    """With more than two runs, the change columns name the last two runs they compare."""
    two = compare_results(LAST, _evaluate(), labels=["2024", "2025"]).heads()
    assert "名次变化" in two and "总分变化" in two
    three = compare_results(LAST, LAST, _evaluate(), labels=["2023", "2024", "2025"]).heads()
    assert "名次变化 2024→2025" in three and "总分变化 2024→2025" in three and "名次变化" not in three


def test_compare_notes_an_indicator_code_that_names_different_indicators(tmp_path):
    """Runs of two schemes whose indicator 1 differs: compared as one code, with a note saying so."""
    other = tmp_path / "other.csv"
    other.write_text(LAST.read_text(encoding="utf-8").replace("1 发展实绩", "1 工作实绩"), encoding="utf-8")
    comparison = compare_results(other, _evaluate(), labels=["2024", "2025"])
    assert comparison.notes == (
        "指标 1 在各次结果中名称不同（2024: 工作实绩，2025: 发展实绩），其得分仍按同一指标比较",
    )
    assert compare_results(LAST, _evaluate()).notes == ()
    code, _, err = _run("compare", str(other), str(LAST))
    assert code == 0 and "指标 1 在各次结果中名称不同" in err
