"""A grade per period (``period_grades``) in the column program, beside overall grading that reads more
than the total: each period's total and grade hand-worked, the same on every path.

The column program runs the per-unit program's period totals
(:func:`perfrules.scoring.overall.period_totals`) once per distinct input
(:mod:`perfrules.scoring.colgrades`); the input holds the period's scores, the
data cells the grading, caps and flags read (the year's and the period's own)
and the indicators' grades they read.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import oracle
from oracle import score_unit
from perfrules import Scheme, SchemeError, Unit, evaluate, load, loads
from perfrules.files.data import load_units
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_differential import assert_paths_agree

# Quarterly 经济运行 (40分, the mean of the quarters) and yearly 安全生产 (60分).
_SCHEME = """
name = "季度等次"
basis = "points"
total = 100
periods = "mean"
period_grades = true
groups = [{ name = "考核" }]

[overall]
policy = "first"
[[overall.bands]]
name = "优秀"
conditions = ["总分>=90 and 指标1得分率>=90%"]
[[overall.bands]]
name = "良好"
conditions = ["总分>=75"]
[[overall.bands]]
name = "合格"
conditions = ["总分>=60"]
[[overall.bands]]
name = "不合格"
conditions = ["总分>=0"]

[[caps]]
when = "指标1得分<20"
grade = "合格"
reason = "经济运行不足20分"

[[caps]]
when = "事故>0"
demote = 1
reason = "发生事故"

[[caps]]
when = "指标2得分<40"
max_total = 70
reason = "安全生产不足40分"

[[flags]]
label = "不能评先"
when = "事故>0"

[[indicators]]
code = "1"
name = "经济运行"
group = "考核"
weight = 40
frequency = "季度"
score = "经济"

[[indicators]]
code = "2"
name = "安全生产"
group = "考核"
weight = 60
score = "安全"
"""

_DATA = """单位,期间,经济,安全,事故
甲,,,58,0
甲,一季度,37,,
甲,二季度,34,,
甲,三季度,18,,
甲,四季度,36,,1
乙,,,50,1
乙,一季度,40,,
乙,二季度,30,,0
丙,,,39,0
丙,一季度,40,,
丙,二季度,20,,
丁,,30,55,0
"""


def _files(tmp_path: Path, scheme: str, data: str) -> tuple[Path, Path]:
    scheme_path, data_path = tmp_path / "scheme.toml", tmp_path / "data.csv"
    scheme_path.write_text(scheme, encoding="utf-8")
    data_path.write_text(data, encoding="utf-8")
    return scheme_path, data_path


def _periods(outcome: object) -> list[tuple[str, str, str | None]]:
    return [(p.period, str(p.total), p.grade) for p in outcome.periods]  # type: ignore[attr-defined]


def test_rich_overall_grading_per_period_is_hand_worked_and_compiles(tmp_path):
    """甲: 一季度 37 + 58 = 95, 37/40 = 92.5% → 优秀; 二季度 92, 85% → 良好 (the 优秀 band's share
    fails); 三季度 76 → 良好, 经济运行 18 < 20 → at best 合格; 四季度 94, 90% → 优秀, but the
    quarter's row gives 事故 1 → 降一等次 → 良好. The year: 31.25 + 58 = 89.25 → 良好 (the year's
    事故 is 0). 乙 (事故 1 on the year's row, read by every quarter that gives none of its own):
    一季度 90, 100% → 优秀 → 良好; 二季度 (事故 0 of its own) 80 → 良好; the year 35 + 50 = 85 → 良好
    → 合格, flagged 不能评先. 丙 (安全生产 39 < 40: 总分不超过70): 一季度 79 → 70 → 合格; 二季度
    59 → 不合格; the year 30 + 39 = 69 → 合格. 丁 reports no quarter: no period totals."""
    scheme_path, data_path = _files(tmp_path, _SCHEME, _DATA)
    scheme = load(scheme_path)
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    units = load_units(data_path, scheme=scheme)
    fast = {o.unit.name: o for o in program.run(units)}  # type: ignore[union-attr]
    assert all(o is not None for o in fast.values())  # the column program scored every unit
    assert _periods(fast["甲"]) == [
        ("一季度", "95", "优秀"),
        ("二季度", "92", "良好"),
        ("三季度", "76", "合格"),
        ("四季度", "94", "良好"),
    ]
    assert (str(fast["甲"].total), fast["甲"].grade, fast["甲"].flags) == ("89.25", "良好", ())
    assert _periods(fast["乙"]) == [("一季度", "90", "良好"), ("二季度", "80", "良好")]
    assert (str(fast["乙"].total), fast["乙"].grade, fast["乙"].flags) == ("85", "合格", ("不能评先",))
    assert _periods(fast["丙"]) == [("一季度", "70", "合格"), ("二季度", "59", "不合格")]
    assert (str(fast["丙"].total), fast["丙"].grade) == ("69", "合格")
    assert fast["丁"].periods == () and (str(fast["丁"].total), fast["丁"].grade) == ("85", "良好")
    # Each period's notes: the band that decided, the cap, the limit — as the per-unit program writes them.
    for o in fast.values():
        slow = score_unit(plan, o.unit, {}, detail=False)
        assert o.periods == slow.periods, o.unit.name
    third = fast["甲"].periods[2].events
    assert any("经济运行不足20分" in e.message and "最高为“合格”" in e.message for e in third)
    assert any("发生事故" in e.message for e in fast["甲"].periods[3].events)
    assert any("不超过 70" in e.message for e in fast["丙"].periods[0].events)
    assert_paths_agree(scheme, scheme_path, data_path, jobs=("1", "2"))


def test_a_period_row_cell_the_caps_read_makes_its_own_input(tmp_path):
    """Two units alike but for one quarter's 事故: the same year, different quarters' grades (the
    period's cell is part of the distinct input, not only the year's)."""
    data = "单位,期间,经济,安全,事故\n子,,,58,0\n子,一季度,37,,0\n丑,,,58,0\n丑,一季度,37,,2\n"
    scheme_path, data_path = _files(tmp_path, _SCHEME, data)
    scheme = load(scheme_path)
    found = program_of(plan_of(scheme)).run(load_units(data_path, scheme=scheme))  # type: ignore[union-attr]
    assert [_periods(o) for o in found] == [[("一季度", "95", "优秀")], [("一季度", "95", "良好")]]
    assert [(str(o.total), o.grade) for o in found] == [("95", "优秀"), ("95", "优秀")]
    assert_paths_agree(scheme, scheme_path, data_path)


def test_an_indicator_grade_read_per_period_is_the_years(tmp_path):
    """Caps that read a yearly indicator's grade (指标2等次: 1 for 优) see the year's in every quarter.
    安全生产 is graded by the scheme's ``scores``: 子's 53 of 60 (88.3%) is 良, 等次 2, which caps
    each quarter at 良好: 一季度 40 + 53 = 93 (100%) and 二季度 91 (95%) would be 优秀; the year
    39 + 53 = 92 too. 丑's 54 (90%, on the boundary) is 优: 一季度 94 stays 优秀."""
    scores = '[scores]\n"优" = [90, 100]\n"良" = [80, 90]\n"中" = [60, 80]\n"差" = [0, 60]\n\n[overall]'
    text = _SCHEME.replace("[overall]", scores, 1).replace(
        'when = "指标1得分<20"\ngrade = "合格"\nreason = "经济运行不足20分"',
        'when = "指标2等次>=2"\ngrade = "良好"\nreason = "安全生产未评为优"',
    )
    data = "单位,期间,经济,安全,事故\n子,,,53,0\n子,一季度,40,,\n子,二季度,38,,\n丑,,,54,0\n丑,一季度,40,,\n"
    scheme_path, data_path = _files(tmp_path, text, data)
    scheme = load(scheme_path)
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    found = program.run(load_units(data_path, scheme=scheme))
    assert all(o is not None for o in found)
    assert [_periods(o) for o in found] == [  # type: ignore[arg-type]
        [("一季度", "93", "良好"), ("二季度", "91", "良好")],
        [("一季度", "94", "优秀")],
    ]
    assert [(str(o.total), o.grade) for o in found] == [("92", "良好"), ("94", "优秀")]  # type: ignore[union-attr]
    assert all("安全生产未评为优" in p.events[-1].message for p in found[0].periods)  # type: ignore[union-attr]
    assert_paths_agree(scheme, scheme_path, data_path)


def test_an_indicator_veto_beside_period_grades_is_taken_by_the_column_program(tmp_path):
    """A veto on the yearly indicator that fires: the year's grade is the lowest, the quarters' totals
    and grades stand (the per-unit program's period totals do not read vetoes)."""
    text = _SCHEME.replace(
        'score = "安全"',
        'score = "安全"\npolicies = [{ type = "veto", when = "否决>0", effect = "lowest_grade" }]',
    )
    data = "单位,期间,经济,安全,事故,否决\n子,,,58,0,1\n子,一季度,37,,,\n子,二季度,34,,,\n"
    scheme_path, data_path = _files(tmp_path, text, data)
    scheme = load(scheme_path)
    found = program_of(plan_of(scheme)).run(load_units(data_path, scheme=scheme))  # type: ignore[union-attr]
    assert found[0] is not None
    assert _periods(found[0]) == [("一季度", "95", "优秀"), ("二季度", "92", "良好")]
    assert (str(found[0].total), found[0].grade, found[0].vetoed) == ("93.5", "不合格", True)
    assert_paths_agree(scheme, scheme_path, data_path)


def test_period_grades_with_periods_sum_are_refused_and_give_no_period_totals():
    """``periods = "sum"`` adds the quarters' inputs up and scores them once: validation refuses a grade
    per period then. A scheme forced past validation compiles all the same, and the column program
    gives what the per-unit program gives: the year's total on the summed inputs, no period totals."""
    text = _SCHEME.replace('periods = "mean"', 'periods = "sum"')
    with pytest.raises(SchemeError, match='periods = "sum"'):
        loads(text)
    scheme = loads(_SCHEME)
    object.__setattr__(scheme, "periods", "sum")  # (past validation: what the engine does with it)
    assert isinstance(scheme, Scheme) and attrs.has(type(scheme))
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    unit = Unit(
        name="甲", data={"安全": 50, "事故": 0}, periods={"一季度": {"经济": 15}, "二季度": {"经济": 20}}
    )
    fast = program.run([unit])[0]
    slow = score_unit(plan, unit, {}, detail=False)
    assert fast is not None and fast.periods == slow.periods == ()
    # 15 + 20 = 35 for 经济运行, + 50 = 85 → 良好.
    assert (fast.total, fast.grade) == (slow.total, slow.grade) == (Decimal(85), "良好")
    assert evaluate(scheme, [unit]).results[0].total == Decimal(85)


def test_a_period_cell_the_grading_cannot_read_is_the_units_total_error():
    """A quarter's 事故 given as a list (through the API): the columns score 子's indicators (经济运行
    37 from its quarter, 安全生产 58) and grade its year (95 → 优秀), and its quarter's total, whose
    caps read 事故 > 0 on that list, is the unit's error — its total's, as the per-unit program words
    it (coltotalerrors), with no total, the year's grading note kept. 丑 beside it: 95 → 优秀 each."""
    scheme = loads(_SCHEME)
    plan = plan_of(scheme)
    odd = Unit(name="子", data={"安全": 58, "事故": 0}, periods={"一季度": {"经济": 37, "事故": [1]}})
    fine = Unit(name="丑", data={"安全": 58, "事故": 0}, periods={"一季度": {"经济": 37, "事故": 0}})
    found = program_of(plan).run([odd, fine])  # type: ignore[union-attr]
    assert found[0] is not None and found[1] is not None  # the column program scored both units
    error = "事故=[1] (list) is not a number; give an int, float, Decimal or Fraction in formula '事故>0'"
    assert found[0].total is None and [(e.indicator, e.message) for e in found[0].errors] == [(None, error)]
    assert [str(v) for v in found[0].scores] == ["37", "58"]
    assert [e.message for e in found[0].events] == [
        "总体等次：条件“总分 >= 90 and 指标1得分率 >= 90%”成立，评为“优秀”"
    ]
    assert _periods(found[1]) == [("一季度", "95", "优秀")]
    for o in found:
        slow = score_unit(plan, o.unit, {}, detail=False)
        assert (o.total, o.errors, o.events, o.periods) == (
            slow.total,
            slow.errors,
            slow.events,
            slow.periods,
        )
    result = evaluate(scheme, [odd, fine]).results
    assert result == oracle.evaluate(scheme, [odd, fine]).results  # explained as the per-unit program does
    assert result[0].total is None and result[0].errors[0].message == error
    assert result[1].periods == found[1].periods


_OWN_WEIGHTS = """
name = "自报分值"
basis = "points"
total = 100
periods = "mean"
period_grades = true
groups = [{ name = "组1" }, { name = "组2" }]

[overall]
policy = "first"
[[overall.bands]]
name = "优"
conditions = ["组1得分>=50"]
[[overall.bands]]
name = "差"
conditions = ["总分>=0"]

[[indicators]]
code = "1"
name = "业务"
group = "组1"
weight_from = "分值1"
full = 100
frequency = "季度"
score = "值1"

[[indicators]]
code = "2"
name = "党建"
group = "组2"
weight_from = "分值2"
full = 100
score = "值2"
"""


def test_weights_read_per_unit_are_part_of_the_input_of_each_period_and_of_the_year(tmp_path):
    """Alike scores, each unit's own weights (``weight_from``). 甲 (70 and 30): 一季度 80×0.7 = 56 of
    组1 → 优, total 56 + 24 = 80; 二季度 42 → 差, 66; the year 49 + 24 = 73, 差. 乙 (30 and 70):
    一季度 24 → 差, 24 + 56 = 80. 丙 (70 and 30, no quarters): 56 → 优, 80; 丁 (30 and 70): 24 → 差, 80."""
    data = (
        "单位,期间,值1,值2,分值1,分值2\n甲,,,80,70,30\n甲,一季度,80,,,\n甲,二季度,60,,,\n"
        "乙,,,80,30,70\n乙,一季度,80,,,\n丙,,80,80,70,30\n丁,,80,80,30,70\n"
    )
    scheme_path, data_path = _files(tmp_path, _OWN_WEIGHTS, data)
    scheme = load(scheme_path)
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    found = program.run(load_units(data_path, scheme=scheme))
    assert all(o is not None for o in found)
    assert [_periods(o) for o in found] == [
        [("一季度", "80", "优"), ("二季度", "66", "差")],
        [("一季度", "80", "差")],
        [],
        [],
    ]
    assert [(str(o.total), o.grade) for o in found] == [  # type: ignore[union-attr]
        ("73", "差"),
        ("80", "差"),
        ("80", "优"),
        ("80", "差"),
    ]
    assert_paths_agree(scheme, scheme_path, data_path)
