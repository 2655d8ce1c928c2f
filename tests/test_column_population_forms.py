"""Forms reading population values (``max_of`` …) the column program compiles, with hand-worked numbers.

As in :mod:`test_column_forms`: each test writes a small scheme in one form, works its units' scores
out by hand, and checks that the plan compiles, that the column program scores the units itself
(with the batch's population values, gathered over columns where the test says so), and that every
path agrees.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from column_cases import work_head
from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scoring import colpop
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.colsteps import BatchPopulation
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import observe as colpop_observe
from perfrules.scoring.population import population_values
from test_column_forms import _d, _scored

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
    run first; a unit whose step divides by 0 puts nothing in and has no population value: the
    division stops it first, so the column program gives it its default, as the per-unit program does.

    增长率: 一 20, 二 50, 三 10, 四 上年 = 0 (no value: the default 30); the most is 50, so 一 20/50 × 60
    = 24, 二 60, 三 12. 节约率 within each category: 甲 0.2 and 0.1 (一 40, 二 20), 乙 0.25 and 0.05
    (三 40, 四 0.05/0.25 × 40 = 8).
    """
    data = "单位,类别,本年,上年,旧耗,新耗\n一,甲,120,100,10,8\n二,甲,150,100,10,9\n三,乙,110,100,20,15\n四,乙,50,0,20,19\n"
    got = _scored(tmp_path, _GROWTH, data)
    assert got == {
        "一": (Decimal(64), None, _d("24", "40")),
        "二": (Decimal(80), None, _d("60", "20")),
        "三": (Decimal(52), None, _d("12", "40")),
        "四": (Decimal(38), None, _d("30", "8")),
    }
    last = list(evaluate(loads(_GROWTH, format="toml"), load_units(tmp_path / "data.csv")))[3]
    assert (last.unit, last.total, [i.score for i in last.indicators]) == ("四", Decimal(38), _d("30", "8"))
    scheme = loads(_GROWTH, format="toml")
    units = load_units(tmp_path / "data.csv", scheme=scheme)
    gathered = batch_population(plan_of(scheme), units)
    assert isinstance(gathered, BatchPopulation)  # over columns, not unit by unit
    assert dict(gathered) == dict(population_values(plan_of(scheme).indicators, units))


# -- a grading scale on a value that reads population values ----------------------------------------

_RELATIVE = (
    work_head("相对值")
    + """
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
)


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
    and that is its error, worded by the indicator's own step.
    """
    data = "单位,到位资金,难度系数,日常得分\n一,100,,30\n二,150,,40\n三,200,,35\n四,90,2,40\n五,10,,40\n"
    got = _scored(tmp_path, _PARAMETERS, data, errored=("五",))
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


# -- a default whose condition reads population values, on an indicator graded by a scale ----------

_SAME_VALUES = (
    work_head("相同")
    + """
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
)


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


# -- overall grading that counts grades, beside an indicator graded on population values -----------

_COUNTED = (
    work_head("优秀指标数")
    + """
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
)


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


# -- population values beside an inputs mapping -------------------------------------------------------

_MAPPED = (
    work_head("映射")
    + """
[[indicators]]
code = "1"
name = "税收"
group = "工作"
weight = 50
inputs = { "税收" = "本年税收收入（万元）" }
score = "税收/max_of(税收)×分值"

[[indicators]]
code = "2"
name = "投资"
group = "工作"
weight = 50
inputs = { "投资" = "固定资产投资（万元）" }
steps = ["相对值=投资/max_of(投资)×100"]
scale = { rule = "优：相对值≥90；良：80≤相对值<90；中：60≤相对值<80；差：相对值<60", domain = [0, 100], scoring = "midpoint" }
"""
)


def test_population_values_through_an_inputs_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``max_of(税收)`` where 税收 is the data's 本年税收收入（万元）: gathered over that column.

    税收 400, 300, 100 (the most 400): 50, 37.5, 12.5. 投资 90, 100, 70 (the most 100): 90 and 100 优,
    95 × 0.5 = 47.5; 70 中, 70 × 0.5 = 35.
    """
    data = "单位,本年税收收入（万元）,固定资产投资（万元）\n一,400,90\n二,300,100\n三,100,70\n"
    got = _scored(tmp_path, _MAPPED, data)
    assert got == {
        "一": (Decimal("97.5"), "优", _d("50", "47.5")),
        "二": (Decimal(85), "良", _d("37.5", "47.5")),
        "三": (Decimal("47.5"), "差", _d("12.5", "35")),
    }
    scheme = loads(_MAPPED, format="toml")
    units = load_units(tmp_path / "data.csv", scheme=scheme)
    one_by_one: list[str] = []

    def observe(plans: Any, rest: Any) -> Any:
        one_by_one.extend(u.name for u in rest)
        return colpop_observe(plans, rest)

    monkeypatch.setattr(colpop, "observe", observe)
    assert dict(batch_population(plan_of(scheme), units)) == dict(
        population_values(plan_of(scheme).indicators, units)
    )
    assert one_by_one == []
