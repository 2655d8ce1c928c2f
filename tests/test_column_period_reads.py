"""Rules reading what an indicator reported per period has, which the column program now compiles.

A veto on an indicator reported per period reading ``分值`` (its full points for the unit's category)
or population values (``max_of`` …): decided on the year's row as the per-unit program decides it
(scoring/colperiodvetoes), with the year's population values — which a unit scored per period with the
mean or the last period does not have (the per-unit program's error there). A total formula reading
the grade of an indicator reported per period (指标1等次): graded on the unit's periods by the
indicator's own scoring (scoring/colindgrades), where the column program read only the year's cells
before and gave a wrong grade. A grade per period (``period_grades``) whose overall grading reads such
grades: each period's own grade of the indicator (scoring/colgrades), where the column program sent the
unit back or read no grade. Each scheme is scored by both programs (no unit sent back, every field the
per-unit program's, period totals too), by ``evaluate`` with and without explanations and by the
command line (``_both``), explained from the record, and counted by ``column_share``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from column_cases import second_indicator
from perfrules import load, load_units
from perfrules.scoring.colshare import ColumnShare, column_share
from perfrules.scoring.plan import plan_of
from test_column_period_forms import _GRADED_DATA as _FORMULA_DATA
from test_column_period_forms import _HEAD, _scored


def _all_columns(tmp_path: Path, text: str, data: str) -> dict[str, Any]:
    """:func:`_scored`, and every unit counted as the column program's."""
    found = _scored(tmp_path, text, data)
    scheme = load(tmp_path / "s.toml")
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    assert column_share(plan_of(scheme), units) == ColumnShare(columns=len(units), unscored=0)
    return found


def _short(found: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        name: (o.total, o.grade, o.vetoed, [(e.indicator, e.error) for e in o.errors])
        for name, o in found.items()
    }


# The head of test_column_period_forms' schemes with two categories.
_CATEGORIES = (
    _HEAD.replace("total = 100\n", 'total = 100\ncategories = ["甲类", "乙类"]\n')
    + """[[indicators]]
code = "1"
name = "指标1"
group = "组"
weights = { "甲类" = 60, "乙类" = 50 }
frequency = "quarterly"
steps = ["完成率=完成数/计划数×100"]
score = "完成率×分值/100"
policies = [{ type = "veto", when = "扣分>=分值×0.1", effect = "lowest_grade" },
            { type = "veto", when = "完成率<分值", effect = "zero" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weights = { "甲类" = 40, "乙类" = 50 }
score = "值2"
"""
)

_CATEGORY_DATA = (
    "单位,类别,期间,完成数,计划数,扣分,值2\n"
    "甲,甲类,,10,10,0,40\n甲,甲类,一季度,4,10,,\n甲,甲类,二季度,9,10,,\n"
    "乙,乙类,,3,10,5,40\n乙,乙类,一季度,9,10,,\n乙,乙类,二季度,5,10,,\n"
    "丙,甲类,,10,10,6,40\n丙,甲类,一季度,,10,,\n"
    "丁,乙类,,4,10,0,40\n"
    "戊,甲类,,10,10,,40\n戊,甲类,一季度,9,10,9,\n"
    "己,乙类,,10,10,0,40\n己,乙类,一季度,9,0,,\n"
    "庚,甲类,,10,10,5,40\n庚,甲类,一季度,,,,\n"
)


@pytest.mark.parametrize("periods", ["mean", "last", "sum"])
def test_a_veto_per_period_reading_the_full_points_of_the_category(tmp_path, periods):
    """分值 is 60 for 甲类 and 50 for 乙类; the vetoes read the year's 扣分 and the last period's (the
    sum's) 完成率. With the mean: 甲 40 and 90 of 60 (24, 54): 39 + 40 = 79 良; 乙 (乙类) 90 and 50 of
    50: 35 + 40 = 75, its 扣分 5 on 5 = 分值×0.1 vetoes it (a boundary), its last 完成率 50 is not
    below 50 (a boundary); 丙's 一季度 gives no 完成数 (the year's 10 is read): 60 + 40, 扣分 6 vetoes
    it; 丁 has no periods: 40 of 10 × 50 = 20, 完成率 40 < 50 zeroes it; 戊's year 扣分 is blank (its
    period's 9 is not what the veto reads): the per-unit program's error; 己's period divides by 0 (its
    error); 庚's period row is blank: the year's 10 of 10, 60 + 40, 扣分 5 below 6."""
    found = _short(_all_columns(tmp_path, _CATEGORIES.replace("{periods}", periods), _CATEGORY_DATA))
    assert found["丙"] == (Decimal(100), "差", True, [])
    assert found["丁"] == (Decimal(0), "差", True, [])
    assert found["庚"] == (Decimal(100), "优", False, [])
    assert found["戊"] == (None, None, False, [("1", "MissingValueError")])
    assert found["己"] == (None, None, False, [("1", "DivisionByZeroError")])
    if periods == "mean":
        assert found["甲"] == (Decimal(79), "良", False, [])
        assert found["乙"] == (Decimal(75), "差", True, [])
    if periods == "last":  # 甲's last 90: 54 + 40; 乙's last 50 of 50: 25 + 40
        assert found["甲"] == (Decimal(94), "优", False, [])
        assert found["乙"] == (Decimal(65), "差", True, [])
    if periods == "sum":  # 甲 13 of 20: 39 + 40; 乙 14 of 20 = 70: 35 + 40
        assert found["甲"] == (Decimal(79), "良", False, [])
        assert found["乙"] == (Decimal(75), "差", True, [])


_POOLED = (
    _HEAD
    + """[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 60
frequency = "quarterly"
value = "率1"
scale = { bands = [{ name = "优", conditions = ["「率1」>=90"] }, { name = "良", conditions = ["60<=「率1」<90"] }, { name = "差", conditions = ["「率1」<60"] }], domain = [0, 300] }
policies = [{ type = "veto", when = "率1<max_of(率1)×0.5 or 扣分>分值", effect = "lowest_grade" }]
"""
    + second_indicator("组")
)

_POOLED_DATA = (
    "单位,期间,率1,扣分,值2\n"
    "甲,,95,0,40\n甲,一季度,95,,\n甲,二季度,100,,\n"
    "乙,,100,0,40\n"
    "丙,,50,0,40\n"
    "丁,,49,0,40\n"
    "戊,,95,61,40\n"
    "己,,95,0,40\n己,一季度,,,\n"
)


def test_a_veto_per_period_reading_population_values_with_the_mean(tmp_path):
    """The year's max_of(率1) is pooled among the units scored on their year's row (乙 100, 丙, 丁,
    戊, and 己, whose period row is blank: no period): half of it is 50 — 丙 on it is not vetoed (30
    of 60 + 40 = 70 良), 丁's 49 is. 甲 is scored on its periods: the per-unit program has no year's
    max_of(率1) for it, and the veto's condition says so (its error for 指标1). 戊's 扣分 61 > 分值
    60: vetoed; 乙's 100, in a band up to 300: 380/7 + 40."""
    outcomes = _all_columns(tmp_path, _POOLED.replace("{periods}", "mean"), _POOLED_DATA)
    found = _short(outcomes)
    assert found["乙"] == (Fraction(660, 7), "优", False, [])
    assert found["丙"] == (Decimal(70), "良", False, [])
    assert found["丁"] == (Decimal("69.4"), "差", True, [])
    assert found["戊"] == (Fraction(659, 7), "差", True, [])
    assert found["己"] == (Fraction(659, 7), "优", False, [])
    (error,) = outcomes["甲"].errors
    assert error.message.startswith(
        "no value for 'max_of(率1)' in formula '率1<max_of(率1)×0.5 or 扣分>分值'"
    )


def test_a_veto_per_period_reading_population_values_of_the_sum(tmp_path):
    """With ``periods = "sum"`` every unit is scored once (甲's 195 inside the domain up to 300), so
    max_of(率1) pools the sums: 甲's 195, half of it 97.5 — 乙's 100 is not vetoed, 丙, 丁, 戊 and
    己 (the year's 95) are; the veto reads the year's 率1, not the sum: 甲's 95 is vetoed too (its
    score from the sum, 57 + 40)."""
    found = _short(_all_columns(tmp_path, _POOLED.replace("{periods}", "sum"), _POOLED_DATA))
    assert found["乙"] == (Fraction(660, 7), "优", False, [])
    assert found["甲"] == (Decimal(97), "差", True, [])
    assert {u: found[u][2] for u in "甲丙丁戊己"} == dict.fromkeys("甲丙丁戊己", True)


# The head of _POOLED with a total formula after the periods.
_FORMULA = (
    _HEAD.replace(
        'periods = "{periods}"\n',
        'periods = "{periods}"\ntotal_formula = "指标1得分 + 指标2得分 + if(指标1等次<=1, 5, 0)"\n',
    )
    + """[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 60
frequency = "quarterly"
value = "率1"
scale = { bands = [{ name = "优", conditions = ["「率1」>=90"] }, { name = "良", conditions = ["60<=「率1」<90"] }, { name = "差", conditions = ["「率1」<60"] }], domain = [0, 100] }
policies = [{ type = "default", grade = "良" }]
"""
    + second_indicator("组")
)


@pytest.mark.parametrize("periods", ["mean", "last", "sum"])
def test_a_total_formula_reading_the_grade_of_an_indicator_per_period(tmp_path, periods):
    """指标1等次 is the grade of 指标1's year, made from its periods (the column program graded the
    year's cells before: 甲's blank year took the default, 良, and lost its 5). With the mean: 甲 95
    and 100 (57, 60: 58.5 优) + 40 + 5 = 103.5, capped at 100; 乙 95 and 50 (43.5 差) + 40 = 83.5
    良; 丁 has no periods: 90 is 优 on the boundary, 54 + 36 + 5 = 95; 戊's period gives no 率1: the
    year's 70 (良), 50 + 20 = 70, no 5; 己's year 0 is 差: 40; 庚's blank year and period take the
    default 良 (51): 91; 丙 has no 值2: its error. With the sum 甲's 195 and 乙's 145 are outside the
    scale's domain: their errors."""
    found = _short(_all_columns(tmp_path, _FORMULA.replace("{periods}", periods), _FORMULA_DATA))
    assert found["丙"] == (None, None, False, [("2", "MissingValueError")])
    assert found["丁"] == (Decimal(95), "优", False, [])
    assert (found["戊"], found["己"]) == ((Decimal(70), "良", False, []), (Decimal(40), "差", False, []))
    assert found["庚"] == (Decimal(91), "优", False, [])
    if periods == "mean":
        assert found["甲"] == (Decimal(100), "优", False, [])
        assert found["乙"] == (Decimal("83.5"), "良", False, [])
    if periods == "last":  # 甲's last 100 (60) + 40 + 5; 乙's last 50 (30) + 40
        assert found["甲"] == (Decimal(100), "优", False, [])
        assert found["乙"] == (Decimal(70), "良", False, [])
    if periods == "sum":
        assert [found[u][3] for u in "甲乙"] == [[("1", "EvaluationError")]] * 2


_PERIOD_GRADES_DATA = (
    "单位,期间,率1,值2\n"
    "甲,,,40\n甲,一季度,95,38\n甲,二季度,100,\n"
    "乙,,,40\n乙,一季度,95,\n乙,二季度,50,\n"
    "丙,,,\n"
    "丁,,90,36\n"
    "戊,,95,20\n戊,一季度,,36\n"
    "己,,0,40\n己,一季度,,40\n"
    "庚,,,40\n庚,一季度,,40\n"
    "辛,,89,40\n辛,一季度,90,30\n辛,二季度,,\n"
)


def _period_rows(o: Any) -> list[tuple[str, Any, Any]]:
    return [(p.period, p.total, p.grade) for p in o.periods]


@pytest.mark.parametrize("periods", ["mean", "last"])
def test_a_grade_per_period_reading_the_grades_of_indicators_per_period(tmp_path, periods):
    """Each period's bands read that period's grades of 指标1 and 指标2 (the year's of an indicator
    without that period). 甲's 一季度 has 95 (优) and 38 (优): 95 优; its 二季度 100 (优) beside
    指标2's year 40 (优): 98 优. 乙's 二季度 50 is 差: 70 差. 戊's 一季度 gives only 值2 36 (优)
    beside 指标1's year 95 (优): two 优, 93 优 (the column program read no period grade and gave
    良). 辛's 一季度 90 (优 on the boundary) and 30 (差): 指标1等次 1, 84 良; its 二季度 row is blank:
    no period (庚's 一季度 gives only 值2: 指标1's blank year takes the default, 良)."""
    found = _all_columns(tmp_path, _PERIOD_GRADES.replace("{periods}", periods), _PERIOD_GRADES_DATA)
    assert _period_rows(found["戊"]) == [("一季度", Decimal(93), "优")]
    assert found["丙"].periods == ()
    if periods == "mean":
        assert _period_rows(found["甲"]) == [("一季度", Decimal(95), "优"), ("二季度", Decimal(98), "优")]
        assert _period_rows(found["乙"]) == [("一季度", Decimal(97), "优"), ("二季度", Decimal(70), "差")]
        assert _period_rows(found["辛"]) == [("一季度", Decimal(84), "良")]
        assert _period_rows(found["庚"]) == [("一季度", Decimal(91), "良")]
    if periods == "last":  # only the last period of each indicator
        assert _period_rows(found["乙"]) == [("二季度", Decimal(70), "差")]


_POOLED_GRADES = """
name = "按期"
basis = "points"
total = 100
groups = [{ name = "组" }]
periods = "{periods}"
{settings}
[scores]
"优" = [90, 100]
"良" = [80, 90]
"差" = [0, 80]
[overall]
policy = "first"
[[overall.bands]]
name = "优"
conditions = ["评为优的指标数>=2"]
[[overall.bands]]
name = "良"
conditions = ["指标1等次<=2"]
[[overall.bands]]
name = "差"
conditions = ["总分>=0"]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 60
frequency = "quarterly"
{first}
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 40
frequency = "quarterly"
{second}
"""

# The pooled template with a grade per period, indicator 1 graded by bands with a default grade.
_PERIOD_GRADES = (
    _POOLED_GRADES.replace("{settings}", "period_grades = true")
    .replace(
        "{first}",
        'value = "率1"\n'
        'scale = { bands = [{ name = "优", conditions = ["「率1」>=90"] }, { name = "良", conditions = '
        '["60<=「率1」<90"] }, { name = "差", conditions = ["「率1」<60"] }], domain = [0, 100] }\n'
        'policies = [{ type = "default", grade = "良" }]',
    )
    .replace("{second}", 'score = "值2"')
)

_POOLED_GRADES_DATA = (
    "单位,期间,值1,值2\n"
    "甲,,,40\n甲,一季度,95,38\n甲,二季度,100,\n"
    "乙,,,40\n乙,一季度,80,\n乙,二季度,50,\n"
    "丙,,10,\n"
    "丁,,90,36\n"
    "戊,,95,20\n戊,一季度,,36\n"
    "己,,0,40\n己,一季度,,40\n"
    "庚,,100,40\n庚,一季度,70,40\n"
)

_FIRSTS = {
    "max_of": 'score = "值1/max_of(值1)×60"',
    "rank": 'steps = [{ type = "rank", target = "名次", of = "值1", order = "desc", points = { 1 = 5, 2 = 3 } }]\n'
    'score = "值1×0.5 + 名次"',
}


def _pooled_grades(periods: str, first: str, second: str = 'score = "值2"', settings: str = "") -> str:
    return (
        _POOLED_GRADES.replace("{periods}", periods)
        .replace("{settings}", settings)
        .replace("{first}", _FIRSTS[first])
        .replace("{second}", second)
    )


@pytest.mark.parametrize("periods", ["mean", "last"])
def test_grades_per_period_of_an_indicator_per_period_with_population_values(tmp_path, periods):
    """指标1 divides by max_of(值1), pooled per period among the rows giving 值1 (一季度: 甲 95, 乙 80,
    庚 70 — 95; 二季度: 甲 100, 乙 50 — 100; 戊's and 己's 一季度 give only 值2); the bands read its grade per period and for
    the year, from its scoring given every period's population values of the unit. With the mean:
    甲's 95 of 95 and 100 of 100: 60 + 38 = 98, two 优, each period too; 乙's 一季度 80 of 95 (960/19,
    84%: 良) + 40 = 1720/19 良, 二季度 50 of 100 (30: 差) + 40 = 70 差; 庚's 70 of 95 is 差."""
    found = _all_columns(
        tmp_path, _pooled_grades(periods, "max_of", settings="period_grades = true"), _POOLED_GRADES_DATA
    )
    assert (found["甲"].total, found["甲"].grade) == (Decimal(98), "优")
    assert _period_rows(found["甲"]) == [("一季度", Decimal(98), "优"), ("二季度", Decimal(98), "优")]
    assert [e.indicator for e in found["丙"].errors] == ["2"]
    if periods == "mean":
        assert _period_rows(found["乙"]) == [
            ("一季度", Fraction(1720, 19), "良"),
            ("二季度", Decimal(70), "差"),
        ]
        assert (found["庚"].total, found["庚"].grade) == (Fraction(1600, 19), "差")
    else:  # the last period only: 乙's 二季度; 庚's 一季度 70 is the only 一季度 row scored: 60 + 40
        assert _period_rows(found["乙"]) == [("二季度", Decimal(70), "差")]
        assert (found["庚"].total, found["庚"].grade) == (Decimal(100), "优")


@pytest.mark.parametrize("periods", ["mean", "sum"])
@pytest.mark.parametrize("first", ["max_of", "rank"])
def test_a_total_formula_reading_grades_per_period_with_population_values_and_results(
    tmp_path, periods, first
):
    """A total formula reads 指标1等次 and 评为优的指标数; 指标1 reads max_of(值1) or ranks 值1 (5 and 3
    points for the first two of each period), 指标2 reads 指标1得分 (a result, each period row its
    unit's year score). Every unit is scored by the columns as the per-unit program scores it."""
    text = _pooled_grades(periods, first, 'score = "值2 + 指标1得分/60"').replace(
        "[scores]",
        'total_formula = "指标1得分 + 指标2得分 + if(指标1等次<=1, 5, 0) + 评为优的指标数"\n[scores]',
    )
    found = _all_columns(tmp_path, text, _POOLED_GRADES_DATA)
    assert [e.indicator for e in found["丙"].errors] == ["2"]
    if (first, periods) == ("max_of", "mean"):  # 甲: 60 + 39 + 5 + 2 = 106, capped at 100
        assert found["甲"].total == Decimal(100)
    if (first, periods) == (
        "rank",
        "sum",
    ):  # 乙's sum 130 is first: 65 + 5 held to 60, 41 held to 40, + 5 + 2
        assert found["乙"].total == Decimal(100)
    if (first, periods) == ("rank", "mean"):  # 乙 second in both periods: 43 and 28, 35.5 (差: 指标1等次 3)
        # + 41 held to 40 (优) + 0 + 1, graded 差 by the bands
        assert (found["乙"].total, found["乙"].grade) == (Decimal("76.5"), "差")


def test_a_veto_per_period_reaching_no_missing_value(tmp_path):
    """What a veto's condition does not reach does not stop it, as in the per-unit program (``or`` stops
    at the operand that holds). With 扣分 first and the mean, 壬 is scored on its periods and has no
    year's max_of(率1), but its 扣分 70 > 60 decides first — vetoed, no error; 甲's 扣分 0 reaches
    max_of(率1): its error. With 率1 first, 癸's blank 扣分 is not reached where its 50 is below half
    the year's max_of(率1) — with the sum, half of 甲's 195 — and is reached where it is not: with the
    mean, 50 on half of 乙's 100 (a boundary), its error for 指标1."""
    data = _POOLED_DATA + "壬,,95,70,40\n壬,一季度,95,,\n癸,,50,,40\n"
    first = _POOLED.replace("率1<max_of(率1)×0.5 or 扣分>分值", "扣分>分值 or 率1<max_of(率1)×0.5")
    found = _short(_all_columns(tmp_path, first.replace("{periods}", "mean"), data))
    assert found["壬"] == (Fraction(659, 7), "差", True, [])
    assert found["甲"] == (None, None, False, [("1", "MissingValueError")])
    found = _short(_all_columns(tmp_path, _POOLED.replace("{periods}", "sum"), data))
    assert found["癸"] == (Decimal(70), "差", True, [])
    found = _short(_all_columns(tmp_path, _POOLED.replace("{periods}", "mean"), data))
    assert found["癸"] == (None, None, False, [("1", "MissingValueError")])


# The head of _POOLED with a {formula} line after the periods.
_STEP_READ = (
    _HEAD.replace('periods = "{periods}"\n', 'periods = "{periods}"\n{formula}\n')
    + """[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 60
frequency = "quarterly"
steps = ["完成率=完成数/计划数×100"]
score = "完成率×0.6"
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 40
frequency = "quarterly"
score = "值2 + if(指标1·完成率>=100, 2, 0)"
"""
)


@pytest.mark.parametrize("periods", ["mean", "sum"])
def test_rules_reading_a_step_of_an_indicator_per_period(tmp_path, periods):
    """指标2 and the total formula read 指标1·完成率, a step of an indicator reported per period: the
    per-unit program works it out on the unit's year row (its periods are not read), and so do the
    columns. 甲's year 10 of 10 is 100: 指标2 36 + 2; its periods (4 and 9 of 10: 39 with the mean)
    do not change that; 乙's year 3 of 10 gives 指标2 no 2 and the formula 0.3; 己's 指标2 has a period
    of its own (38 + 2, held to 40)."""
    data = (
        "单位,期间,完成数,计划数,值2\n"
        "甲,,10,10,36\n甲,一季度,4,10,\n甲,二季度,9,10,\n"
        "乙,,3,10,36\n乙,一季度,9,10,\n乙,二季度,5,10,\n"
        "丁,,4,10,30\n"
        "己,,10,10,36\n己,一季度,10,10,38\n"
    )
    formula = 'total_formula = "指标1得分 + 指标2得分 + 指标1·完成率/100"'
    found = _all_columns(
        tmp_path, _STEP_READ.replace("{periods}", periods).replace("{formula}", formula), data
    )
    if periods == "mean":
        assert [found[u].total for u in "甲乙"] == [Decimal(78), Decimal("78.3")]
    assert found["己"].scores == [Decimal(60), Decimal(40)]
    found = _all_columns(tmp_path, _STEP_READ.replace("{periods}", periods).replace("{formula}", ""), data)
    assert found["丁"].total == Decimal(54)
