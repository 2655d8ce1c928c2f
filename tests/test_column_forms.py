"""Forms the column program compiles that it once left to the per-unit program, with hand-worked numbers.

Each test writes a small scheme in one form, works its units' scores out by hand, and checks that
the plan compiles (``program_of`` is not None), that the column program itself scores every unit
(none is sent back) with those numbers, and that every path (the API with and without
explanations, the command line's JSON and streamed CSV) agrees (``assert_paths_agree``).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scoring import colpop
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.colsteps import BatchPopulation
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import observe as colpop_observe
from perfrules.scoring.population import population_values
from perfrules.scoring.program import program_of
from test_differential import assert_paths_agree

_HEAD = """
format = "perfrules-scheme/1"
name = "列形式"
basis = "points"
total = 100
categories = ["甲", "乙"]
groups = [{ name = "工作" }]

[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]
"""


def _scored(
    tmp_path: Path, text: str, data: str, *, sent_back: tuple[str, ...] = ()
) -> dict[str, tuple[Any, Any, list[Any]]]:
    """The column program's (total, grade, indicator scores) per unit, after checking that the plan
    compiles, that the program scores every unit itself but those named in *sent_back* (it leaves
    them to the per-unit program), and that every path agrees."""
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    scheme_path, data_path = tmp_path / "scheme.toml", tmp_path / "data.csv"
    scheme_path.write_text(text, encoding="utf-8")
    data_path.write_text(data, encoding="utf-8")
    units = load_units(data_path, scheme=scheme)
    found = program.run(units, batch_population(plan, units) if plan.has_population else None)
    sent = tuple(u.name for u, o in zip(units, found, strict=True) if o is None)
    assert sent == sent_back, f"sent to the per-unit program: {sent}"
    assert_paths_agree(scheme, scheme_path, data_path)
    return {o.unit.name: (o.total, o.grade, list(o.scores)) for o in found if o is not None}


def _d(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


# -- a grading scale whose points depend on the category ------------------------------------------

_BY_CATEGORY = (
    _HEAD
    + """
[[indicators]]
code = "1"
name = "完成率"
group = "工作"
weight = 60
fulls = { "甲" = 50, "乙" = 40 }
scale = { rule = "优：完成率≥95；良：85≤完成率<95；中：60≤完成率<85；差：完成率<60", domain = [0, 100] }

[[indicators]]
code = "2"
name = "审计"
group = "工作"
weight = 40
fulls = { "甲" = 20, "乙" = 25 }
value = "审计结论"
scale = { bands = [{ name = "优" }, { name = "良" }, { name = "中" }, { name = "差" }] }
"""
)


def test_scales_whose_points_depend_on_the_category(tmp_path: Path) -> None:
    """A threshold scale and a word scale on indicators with full points per category: the scale's
    score (0–100) becomes the indicator's points by the unit's category's ``full ÷ 100``.

    完成率 90 is 良, interpolated 80 + (90 − 85)/(95 − 85) × 10 = 85: 42.5 of 甲's 50 points, 34 of
    乙's 40; 100 is 优, 100 (40 of 40); 59 is 差, 59/60 × 60 = 59 (29.5 of 50). 审计 良 is the
    midpoint 85: 17 of 甲's 20, 21.25 of 乙's 25; 优 95 → 23.75 of 25; 差 30 → 6 of 20. The total
    weighs each score by its full points: 42.5/50 × 60 + 17/20 × 40 = 85; 29.5/50 × 60 + 6/20 × 40
    = 47.4.
    """
    data = "单位,类别,完成率,审计结论\n一,甲,90,良\n二,乙,90,良\n三,乙,100,优\n四,甲,59,差\n"
    got = _scored(tmp_path, _BY_CATEGORY, data)
    assert got == {
        "一": (Decimal(85), "良", _d("42.5", "17")),
        "二": (Decimal(85), "良", _d("34", "21.25")),
        "三": (Decimal(98), "优", _d("40", "23.75")),
        "四": (Decimal("47.4"), "差", _d("29.5", "6")),
    }


# -- a default score that depends on the category -------------------------------------------------

_DEFAULTS = (
    _HEAD
    + """
[[indicators]]
code = "1"
name = "任务完成"
group = "工作"
weights = { "甲" = 40, "乙" = 60 }
steps = ["完成率=完成数/任务数×100"]
scale = { rule = "优：完成率≥95；良：85≤完成率<95；中：60≤完成率<85；差：完成率<60", domain = [0, 100] }
policies = [{ type = "default", grade = "良", when = "任务数=0" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weights = { "甲" = 60, "乙" = 40 }
score = "分值×好评数/评价数"
policies = [{ type = "default", grade = "中" }]
"""
)


def test_defaults_whose_score_depends_on_the_category(tmp_path: Path) -> None:
    """Weights per category in a points scheme are each category's full points, so "no task → the
    midpoint of 良" is 85 × 40/100 = 34 for 甲 and 85 × 60/100 = 51 for 乙, and "no data (评价数 is 0)
    → the midpoint of 中" 70 × 60/100 = 42 for 甲 and 70 × 40/100 = 28 for 乙.

    一 (甲): 34 + 60 × 3/4 = 79; 二 (乙): 51 + 40 × 1/2 = 71; 三 (甲): 完成率 95 is 优, 90 × 0.4 = 36,
    + 42 = 78; 四 (乙): 完成率 90 is 良, 85 × 0.6 = 51, + 28 = 79.
    """
    data = "单位,类别,完成数,任务数,好评数,评价数\n一,甲,0,0,3,4\n二,乙,0,0,1,2\n三,甲,19,20,0,0\n四,乙,9,10,0,0\n"
    got = _scored(tmp_path, _DEFAULTS, data)
    assert got == {
        "一": (Decimal(79), "中", _d("34", "45")),
        "二": (Decimal(71), "中", _d("51", "20")),
        "三": (Decimal(78), "中", _d("36", "42")),
        "四": (Decimal(79), "中", _d("51", "28")),
    }


# -- count() in a score formula and in a condition ------------------------------------------------

_COUNT = """
format = "perfrules-scheme/1"
name = "计数"
basis = "points"
total = 100
groups = [{ name = "工作" }]

[[indicators]]
code = "1"
name = "达标项目"
group = "工作"
weight = 30
score = "count(甲率>=90, 乙率>=90, 丙率/丁数>=0.9)×10"
policies = [{ type = "zero", when = "count(违规>0, 投诉>2)=2" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 70
score = "日常得分"
"""


def test_count_of_conditions(tmp_path: Path) -> None:
    """每达标一项得10分: ``count(…)`` is how many of its conditions hold, a value on a cut counting.

    一: 甲率 90 holds, 乙率 89.99 does not, 丙率/丁数 = 0.9 holds: 20; one of the two violations: no
    zero; 20 + 60 = 80. 二: 20 (0.89 fails), 20 + 70 = 90. 三: all three, 30, but both violations:
    zeroed, 0 + 70 = 70. 四 divides by 丁数 = 0: the per-unit program reports the division.
    """
    data = (
        "单位,甲率,乙率,丙率,丁数,违规,投诉,日常得分\n"
        "一,90,89.99,9,10,0,3,60\n二,95,95,8.9,10,1,0,70\n三,100,100,10,10,1,3,70\n四,0,0,0,0,0,0,50\n"
    )
    got = _scored(tmp_path, _COUNT, data, sent_back=("四",))
    assert got == {
        "一": (Decimal(80), None, _d("20", "60")),
        "二": (Decimal(90), None, _d("20", "70")),
        "三": (Decimal(70), None, _d("0", "70")),
    }


# -- a population value of a step's value -----------------------------------------------------------

_GROWTH = """
format = "perfrules-scheme/1"
name = "增长"
basis = "points"
total = 100
categories = ["甲", "乙"]
groups = [{ name = "工作" }]

[[indicators]]
code = "1"
name = "收入增长"
group = "工作"
weight = 60
steps = ["增长率=(本年-上年)/上年×100"]
score = "增长率/max_of(增长率)×分值"
policies = [{ type = "default", score = 30 }]

[[indicators]]
code = "2"
name = "效率提升"
group = "工作"
weights = { "甲" = 40, "乙" = 40 }
within = "category"
steps = ["节约=旧耗-新耗", "节约率=节约/旧耗"]
score = "节约率/max_of(节约率)×分值"
"""


def test_population_values_of_a_step(tmp_path: Path) -> None:
    """``max_of`` of a step's value: the batch's population is gathered over columns with the steps
    run first; a unit whose step divides by 0 puts nothing in, has no population value, and is left
    to the per-unit program (which gives it its default).

    增长率: 一 20, 二 50, 三 10, 四 上年 = 0 (no value: the default 30); the most is 50, so 一 20/50 × 60
    = 24, 二 60, 三 12. 节约率 within each category: 甲 0.2 and 0.1 (一 40, 二 20), 乙 0.25 and 0.05
    (三 40, 四 0.05/0.25 × 40 = 8).
    """
    data = "单位,类别,本年,上年,旧耗,新耗\n一,甲,120,100,10,8\n二,甲,150,100,10,9\n三,乙,110,100,20,15\n四,乙,50,0,20,19\n"
    got = _scored(tmp_path, _GROWTH, data, sent_back=("四",))
    assert got == {
        "一": (Decimal(64), None, _d("24", "40")),
        "二": (Decimal(80), None, _d("60", "20")),
        "三": (Decimal(52), None, _d("12", "40")),
    }
    last = list(evaluate(loads(_GROWTH, format="toml"), load_units(tmp_path / "data.csv")))[3]
    assert (last.unit, last.total, [i.score for i in last.indicators]) == ("四", Decimal(38), _d("30", "8"))
    scheme = loads(_GROWTH, format="toml")
    units = load_units(tmp_path / "data.csv", scheme=scheme)
    gathered = batch_population(plan_of(scheme), units)
    assert isinstance(gathered, BatchPopulation)  # over columns, not unit by unit
    assert dict(gathered) == dict(population_values(plan_of(scheme).indicators, units))


# -- a grading scale on a value that reads population values ----------------------------------------

_RELATIVE = """
format = "perfrules-scheme/1"
name = "相对值"
basis = "points"
total = 100
groups = [{ name = "工作" }]

[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]

[[indicators]]
code = "1"
name = "相对完成"
group = "工作"
weight = 50
steps = ["相对值=完成量/max_of(完成量)×100"]
scale = { rule = "优：相对值≥90；良：80≤相对值<90；中：60≤相对值<80；差：相对值<60", domain = [0, 100], scoring = "midpoint" }

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 50
score = "日常得分"
"""


def test_scale_on_a_value_relative_to_the_best(tmp_path: Path) -> None:
    """达到最高值90%以上为优: the step reads ``max_of`` (200) as a column, and the scale grades it.

    一 200 → 100, 优, midpoint 95 × 50/100 = 47.5; 二 180 → 90 exactly, 优, 47.5; 三 179 → 89.5, 良,
    85 × 0.5 = 42.5; 四 100 → 50, 差, 30 × 0.5 = 15. Each + 40.
    """
    data = "单位,完成量,日常得分\n一,200,40\n二,180,40\n三,179,40\n四,100,40\n"
    got = _scored(tmp_path, _RELATIVE, data)
    assert got == {
        "一": (Decimal("87.5"), "良", _d("47.5", "40")),
        "二": (Decimal("87.5"), "良", _d("47.5", "40")),
        "三": (Decimal("82.5"), "良", _d("42.5", "40")),
        "四": (Decimal(55), "差", _d("15", "40")),
    }


# -- per-unit parameters beside population values ---------------------------------------------------

_PARAMETERS = """
format = "perfrules-scheme/1"
name = "难度系数"
basis = "points"
total = 100
groups = [{ name = "工作" }]

[parameters."难度系数"]
"一" = 1.2
"二" = 1
"三" = 0.8

[[indicators]]
code = "1"
name = "招商引资"
group = "工作"
weight = 60
score = "到位资金×难度系数/max_of(到位资金×难度系数)×分值"

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
score = "日常得分"
"""


def test_parameters_in_population_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``max_of`` over values a per-unit parameter (难度系数) weighs: the batch's population is
    gathered over columns with the scheme's table joined in where a unit's data gives none.

    一 100 × 1.2 = 120, 二 150 × 1 = 150, 三 200 × 0.8 = 160, 四 90 × 2 (its own cell) = 180, the most;
    一 120/180 × 60 = 40, 二 50, 三 160/3, 四 60. 五 has no 难度系数 either way: it puts nothing in,
    and the per-unit program reports it.
    """
    data = "单位,到位资金,难度系数,日常得分\n一,100,,30\n二,150,,40\n三,200,,35\n四,90,2,40\n五,10,,40\n"
    got = _scored(tmp_path, _PARAMETERS, data, sent_back=("五",))
    assert got == {
        "一": (Decimal(70), None, _d("40", "30")),
        "二": (Decimal(90), None, _d("50", "40")),
        "三": (Fraction(265, 3), None, [Fraction(160, 3), Decimal(35)]),
        "四": (Decimal(100), None, _d("60", "40")),
    }
    scheme = loads(_PARAMETERS, format="toml")
    units = load_units(tmp_path / "data.csv", scheme=scheme)
    one_by_one: list[str] = []

    def observe(plans: Any, rest: Any) -> Any:
        one_by_one.extend(u.name for u in rest)
        return colpop_observe(plans, rest)

    monkeypatch.setattr(colpop, "observe", observe)
    gathered = batch_population(plan_of(scheme), units)
    assert isinstance(gathered, BatchPopulation)
    assert one_by_one == ["五"]  # the others' parts over columns, the table's values joined in
    assert dict(gathered) == dict(population_values(plan_of(scheme).indicators, units))


# -- another indicator's share of its full points, which differ by category ------------------------

_SHARE = """
format = "perfrules-scheme/1"
name = "得分率"
basis = "points"
total = 100
categories = ["甲", "乙"]
groups = [{ name = "工作" }]

[[indicators]]
code = "1"
name = "主要任务"
group = "工作"
weights = { "甲" = 40, "乙" = 60 }
score = "任务得分"

[[indicators]]
code = "2"
name = "配套工作"
group = "工作"
weights = { "甲" = 60, "乙" = 40 }
score = "指标1得分率×分值"
"""


def test_share_of_full_points_that_differ_by_category(tmp_path: Path) -> None:
    """指标1得分率 is 指标1's score over its full points for the unit's category (甲 40, 乙 60).

    一 (甲) 30 → 0.75 × 60 = 45, 75; 二 (乙) 30 → 0.5 × 40 = 20, 50; 三 (乙) 60 → 1 × 40, 100; 四 (甲)
    reports 70, held at 40 first → 1 × 60, 100.
    """
    data = "单位,类别,任务得分\n一,甲,30\n二,乙,30\n三,乙,60\n四,甲,70\n"
    got = _scored(tmp_path, _SHARE, data)
    assert got == {
        "一": (Decimal(75), None, _d("30", "45")),
        "二": (Decimal(50), None, _d("30", "20")),
        "三": (Decimal(100), None, _d("60", "40")),
        "四": (Decimal(100), None, _d("40", "60")),
    }


# -- a zero rule and a veto reading a step's value, on an indicator graded by a scale --------------

_RATE_RULES = """
format = "perfrules-scheme/1"
name = "完成率"
basis = "points"
total = 100
groups = [{ name = "工作" }]

[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]

[[indicators]]
code = "1"
name = "任务完成"
group = "工作"
weight = 50
steps = ["完成率=完成数/计划数×100"]
scale = { rule = "优：完成率≥95；良：85≤完成率<95；中：60≤完成率<85；差：完成率<60", domain = [0, 200], scoring = "midpoint" }
policies = [{ type = "zero", when = "完成率<50" }, { type = "veto", when = "完成率<20" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 50
score = "日常得分"
"""


def test_rules_reading_a_step_beside_a_scale(tmp_path: Path) -> None:
    """完成率低于50%的不得分，低于20%的一票否决: the rules read the 完成率 the scale grades.

    一 19/20 = 95%, 优, midpoint 95 × 0.5 = 47.5 (+40 = 87.5); 二 40%: zeroed, 0 + 40 = 40; 三 110%,
    优, 87.5; 四 55%, 差, 30 × 0.5 = 15, 55; 五 10%: zeroed and vetoed, its total 0.
    """
    data = "单位,完成数,计划数,日常得分\n一,19,20,40\n二,40,100,40\n三,55,50,40\n四,55,100,40\n五,1,10,40\n"
    got = _scored(tmp_path, _RATE_RULES, data)
    assert got == {
        "一": (Decimal("87.5"), "良", _d("47.5", "40")),
        "二": (Decimal(40), "差", _d("0", "40")),
        "三": (Decimal("87.5"), "良", _d("47.5", "40")),
        "四": (Decimal(55), "差", _d("15", "40")),
        "五": (Decimal(0), "差", _d("0", "40")),
    }


# -- a default whose condition reads population values, on an indicator graded by a scale ----------

_SAME_VALUES = """
format = "perfrules-scheme/1"
name = "相同"
basis = "points"
total = 100
groups = [{ name = "工作" }]

[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]

[[indicators]]
code = "1"
name = "能耗下降"
group = "工作"
weight = 50
scale = { rule = "优：降幅≥5；良：3≤降幅<5；中：0≤降幅<3；差：降幅<0", domain = [-100, 100], scoring = "midpoint" }
policies = [{ type = "default", grade = "良", when = "max_of(降幅)=min_of(降幅)", reason = "各单位数值相同" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 50
score = "日常得分"
"""


def test_default_when_every_unit_reports_the_same_on_a_scale(tmp_path: Path) -> None:
    """各单位数值相同的，按“良”区中值: the default's condition reads ``max_of`` and ``min_of`` as the
    batch's columns. 降幅 6, 3, −1 differ: 优 95, 良 85, 差 30, × 0.5 → 47.5, 42.5, 15 (+40 each);
    two units both at 6: the default, 良 85 × 0.5 = 42.5 each, though 6 is 优.
    """
    got = _scored(tmp_path, _SAME_VALUES, "单位,降幅,日常得分\n一,6,40\n二,3,40\n三,-1,40\n")
    assert got == {
        "一": (Decimal("87.5"), "良", _d("47.5", "40")),
        "二": (Decimal("82.5"), "良", _d("42.5", "40")),
        "三": (Decimal(55), "差", _d("15", "40")),
    }
    same = _scored(tmp_path, _SAME_VALUES, "单位,降幅,日常得分\n一,6,40\n二,6,40\n")
    assert same == {
        "一": (Decimal("82.5"), "良", _d("42.5", "40")),
        "二": (Decimal("82.5"), "良", _d("42.5", "40")),
    }


# -- a step reading the full points, on an indicator graded by a scale -----------------------------

_FULL_RATE = (
    _HEAD
    + """
[[indicators]]
code = "1"
name = "督查"
group = "工作"
weights = { "甲" = 40, "乙" = 60 }
steps = ["得分率=督查得分/分值×100"]
scale = { rule = "优：得分率≥90；良：80≤得分率<90；中：60≤得分率<80；差：得分率<60", domain = [0, 100], scoring = "midpoint" }

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weights = { "甲" = 60, "乙" = 40 }
score = "日常得分"
"""
)


def test_step_reading_the_full_points_beside_a_scale(tmp_path: Path) -> None:
    """得分率 = 督查得分 ÷ 分值 (甲 40, 乙 60), graded by its midpoint in the unit's category's points.

    一 (甲) 36/40 = 90%, 优, 95 × 0.4 = 38; 二 (乙) 51/60 = 85%, 良, 85 × 0.6 = 51; 三 (乙) 30/60 = 50%,
    差, 30 × 0.6 = 18. 日常 as reported.
    """
    data = "单位,类别,督查得分,日常得分\n一,甲,36,50\n二,乙,51,30\n三,乙,30,40\n"
    got = _scored(tmp_path, _FULL_RATE, data)
    assert got == {
        "一": (Decimal(88), "良", _d("38", "50")),
        "二": (Decimal(81), "良", _d("51", "30")),
        "三": (Decimal(58), "差", _d("18", "40")),
    }


# -- overall grading that counts grades, beside an indicator graded on population values -----------

_COUNTED = """
format = "perfrules-scheme/1"
name = "优秀指标数"
basis = "points"
total = 100
groups = [{ name = "工作" }]

[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]

[overall]
bands = [
  { name = "优秀", conditions = ["总分>=85 and 评为优的指标数>=2"] },
  { name = "良好", conditions = ["总分>=70"] },
  { name = "一般", conditions = ["总分>=0"] },
]
policy = "first"

[[indicators]]
code = "1"
name = "相对完成"
group = "工作"
weight = 50
steps = ["相对值=完成量/max_of(完成量)×100"]
scale = { rule = "优：相对值≥90；良：80≤相对值<90；中：60≤相对值<80；差：相对值<60", domain = [0, 100], scoring = "midpoint" }

[[indicators]]
code = "2"
name = "满意度"
group = "工作"
weight = 50
scale = { rule = "优：满意度≥90；良：80≤满意度<90；中：60≤满意度<80；差：满意度<60", domain = [0, 100], scoring = "midpoint" }
"""


def test_grades_counted_beside_population_values(tmp_path: Path) -> None:
    """评为优的指标数 grades every indicator, 相对完成 on its population value (the most, 200) too.

    一: 100 and 92, both 优 (47.5 + 47.5 = 95), two 优: 优秀. 二: 90 优, 86 良: 90, one 优: 良好.
    三: 89.5 良, 99 优: 90, 良好. 四: 50 差 (15), 95 优: 62.5, 一般.
    """
    data = "单位,完成量,满意度\n一,200,92\n二,180,86\n三,179,99\n四,100,95\n"
    got = _scored(tmp_path, _COUNTED, data)
    assert got == {
        "一": (Decimal(95), "优秀", _d("47.5", "47.5")),
        "二": (Decimal(90), "良好", _d("47.5", "42.5")),
        "三": (Decimal(90), "良好", _d("42.5", "47.5")),
        "四": (Decimal("62.5"), "一般", _d("15", "47.5")),
    }
