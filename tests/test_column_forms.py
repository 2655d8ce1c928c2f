"""Forms the column program compiles that it once left to the per-unit program, with hand-worked numbers.

Each test writes a small scheme in one form, works its units' scores out by hand, and checks that
the plan compiles (``program_of`` is not None), that the column program itself scores every unit
(none is sent back) with those numbers, and that every path (the API with and without
explanations, the command line's JSON and streamed CSV) agrees (``assert_paths_agree``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from column_cases import compile_case, work_head
from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scoring.colpop import batch_population
from test_differential import assert_paths_agree

_HEAD = work_head("列形式", categories=True)


def _scored(
    tmp_path: Path,
    text: str,
    data: str,
    *,
    sent_back: tuple[str, ...] = (),
    errored: tuple[str, ...] = (),
) -> dict[str, tuple[Any, Any, list[Any]]]:
    """The column program's (total, grade, indicator scores) per unit, after checking that the plan
    compiles, that the program scores every unit itself but those named in *sent_back* (it leaves
    them to the per-unit program), that the units named in *errored* are the ones it gives errors
    instead of a total, and that every path agrees."""
    case = compile_case(tmp_path, text, data)
    plan, units = case.plan, case.units
    found = case.program.run(units, batch_population(plan, units) if plan.has_population else None)
    sent = tuple(u.name for u, o in zip(units, found, strict=True) if o is None)
    assert sent == sent_back, f"sent to the per-unit program: {sent}"
    failed = tuple(o.unit.name for o in found if o is not None and o.errors)
    assert failed == errored, f"units with errors: {failed}"
    assert all(o.total is None for o in found if o is not None and o.errors)
    assert_paths_agree(case.scheme, case.scheme_path, case.data_path)
    return {o.unit.name: (o.total, o.grade, list(o.scores)) for o in found if o is not None and not o.errors}


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
    zeroed, 0 + 70 = 70. 四 divides by 丁数 = 0: its error, worded by the indicator's own step.
    """
    data = (
        "单位,甲率,乙率,丙率,丁数,违规,投诉,日常得分\n"
        "一,90,89.99,9,10,0,3,60\n二,95,95,8.9,10,1,0,70\n三,100,100,10,10,1,3,70\n四,0,0,0,0,0,0,50\n"
    )
    got = _scored(tmp_path, _COUNT, data, errored=("四",))
    assert got == {
        "一": (Decimal(80), None, _d("20", "60")),
        "二": (Decimal(90), None, _d("20", "70")),
        "三": (Decimal(70), None, _d("0", "70")),
    }


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

_RATE_RULES = (
    work_head("完成率")
    + """
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
)


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


# -- an adjustment reading a step's value, beside a default ----------------------------------------

_SURPLUS = """
format = "perfrules-scheme/1"
name = "超额"
basis = "points"
total = 100
groups = [{ name = "工作" }]

[[indicators]]
code = "1"
name = "任务"
group = "工作"
weight = 50
max_score = 60
steps = ["完成率=完成数/计划数", "超额率=max(完成率-1, 0)×100"]
score = "min(完成率, 1)×分值"
policies = [{ type = "default", score = 20 }, { type = "adjust", per = "超额率", points = 0.5, cap = 10 }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 50
score = "日常得分"
"""


def test_adjustment_reading_a_step_beside_a_default(tmp_path: Path) -> None:
    """超额部分每1%加0.5分，最多加10分: the adjustment reads the step 超额率. A unit that takes the
    default (计划数 0) has no 超额率: that is its error, worded by the adjustment's own code.

    一 12/10: 50 + 0.5 × 20 = 60 (the most: max_score 60), 100; 二 5/10: 25, 65; 四 30/10: 50 + 10 (the
    cap) = 60, 100.
    """
    data = "单位,完成数,计划数,日常得分\n一,12,10,40\n二,5,10,40\n三,3,0,40\n四,30,10,40\n"
    got = _scored(tmp_path, _SURPLUS, data, errored=("三",))
    assert got == {
        "一": (Decimal(100), None, _d("60", "40")),
        "二": (Decimal(65), None, _d("25", "40")),
        "四": (Decimal(100), None, _d("60", "40")),
    }
    third = list(evaluate(loads(_SURPLUS, format="toml"), load_units(tmp_path / "data.csv")))[2]
    assert [e.message for e in third.errors] == [
        "no value for '超额率' in formula 'the adjustment of 1 任务'"
    ]
