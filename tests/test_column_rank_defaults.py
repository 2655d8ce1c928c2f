"""A default for no data beside a rank or peer-ratio step, or on a scale graded after a step, (比上年进位: the rank this year against
last year's, 0 where last year's is missing): the column program gives the default where the score
formula reaches the blank, and the step's own error where the unit has no rank, as the per-unit
program does (the step runs first). cookbook/last-year is scored so, with and without last year's
results."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfrules import load, load_units
from perfrules.results.past import with_previous
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import score_columns
from test_column_defaults import _both

_SCHEME = """
format = "perfrules-scheme/1"
name = "进位"
basis = "points"
total = 64
groups = [{ name = "g" }]
[[indicators]]
code = "1"
name = "实绩"
group = "g"
weight = 60
score = "实绩得分"
[[indicators]]
code = "2"
name = "比上年进位"
group = "g"
weight = 4
score = "min(max(上年名次-本年名次, 0)×2, 4)"
policies = [{ type = "default", score = 0, missing = ["上年名次"], reason = "上年未参加考核" }]
[[indicators.steps]]
type = "rank"
target = "本年名次"
of = "实绩得分"
order = "desc"
"""


def test_a_rank_beside_a_default_naming_last_years_rank(tmp_path):
    """Ranks by 实绩得分: 乙 55 first, 甲 50 second, 丙 45 third; 丁 (blank) has none.
    甲: 3 − 2 = 1 place, 2分: 52. 乙: no 上年名次, the default 0: 55. 丙: 1 − 3 < 0, 0分: 45.
    丁: 实绩 blank and no rank (errors)."""
    data = "单位,实绩得分,上年名次\n甲,50,3\n乙,55,\n丙,45,1\n丁,,2\n"
    fast, _ = _both(tmp_path, _SCHEME, data)
    assert [o.total for o in fast[:3]] == [Decimal(52), Decimal(55), Decimal(45)]
    assert [o.scores[1] for o in fast[:3]] == [Decimal(2), Decimal(0), Decimal(0)]
    assert fast[3].total is None and fast[3].errors


def test_the_cookbook_recipe_is_scored_by_the_columns(tmp_path):
    here = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cookbook"
    plain = load(here / "last-year.toml")
    for scheme in (plain, with_previous(plain, here / "last-year" / "2024.csv")):
        units = list(load_units(here / "last-year.csv", scheme=scheme))
        assert None not in score_columns(plan_of(scheme), units, {})


_SCALED = """
format = "perfrules-scheme/1"
name = "投资"
basis = "percent"
total = 100
groups = [{ name = "g" }]
[[indicators]]
code = "1"
name = "投资完成率"
group = "g"
weight = 50
frequency = "quarterly"
steps = ["投资完成率=(拨款额/计划额)×100%"]
policies = [{ type = "default", grade = "良", missing = ["计划额"], reason = "没有投资项目的，默认为良区中值" }]
[indicators.scale]
rule = "优:投资完成率=100%;良:90%≤投资完成率<100%;中:80%≤投资完成率<90%;差:投资完成率<80%。"
domain = [0, 1]
[[indicators]]
code = "2"
name = "其他"
group = "g"
weight = 50
score = "值2"
"""


def test_a_default_naming_an_input_of_the_step_a_scale_grades(tmp_path):
    """The scale grades 投资完成率 = 拨款额/计划额, reported per quarter. 甲 (no period rows): 计划额
    blank, the default: 良's midpoint 85, total (85 + 90)/2 = 87.5. 乙: 9/10 = 90%, 良 at its band's
    foot, 80: total 80. 丙: 一季度 10/10 = 100% 优, 100 (二季度 gives nothing: not a period it is scored
    on): total (100 + 70)/2 = 85."""
    data = "单位,期间,拨款额,计划额,值2\n甲,,,,90\n乙,,9,10,80\n丙,,,,70\n丙,一季度,10,10,\n丙,二季度,,,\n"
    fast, slow = _both(tmp_path, _SCALED, data)
    assert [(o.scores[0], o.total) for o in fast] == [
        (Decimal(85), Decimal("87.5")),
        (Decimal(80), Decimal(80)),
        (Decimal(100), Decimal(85)),
    ]
    assert [o.total for o in fast] == [o.total for o in slow]


def test_a_default_beside_a_formula_reading_no_data(tmp_path):
    """score = "分值" reads no data name: nothing for a blank to reach (hypothesis once stopped the
    column program here with a KeyError). 计划1 = 0 takes the `when` default (0); else 5."""
    text = (
        'format = "perfrules-scheme/1"\nname = "计分"\nbasis = "points"\ntotal = 5\n'
        'groups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组"\nweight = 5\n'
        'score = "分值"\npolicies = [{ type = "default", score = 0, when = "计划1=0" }, '
        '{ type = "default", score = 1 }, { type = "veto", when = "标记1=2", effect = "zero" }]\n'
    )
    fast, _ = _both(tmp_path, text, "单位,计划1,标记1\n甲,0,0\n乙,3,0\n丙,3,2\n")
    assert [o.total for o in fast] == [Decimal(0), Decimal(5), Decimal(0)]
