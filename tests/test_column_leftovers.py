"""The last units the census sent back to the per-unit program, now scored by the column program.

Each scheme is hand-worked; no unit is sent back, each outcome is the per-unit program's field by
field (total, grade, ranks, scores, errors' wording, events) and the paths (API explained and not,
CLI CSV and JSON) agree (``test_column_total_errors._both``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from column_cases import first_bands, first_indicator_head, second_indicator
from test_column_defaults import _both as _explained
from test_column_total_errors import _both

_PERIOD_GRADE = (
    """
name = "期评"
basis = "points"
total = 100
periods = "last"
period_grades = true
groups = [{ name = "组1" }]
[scores]
"优" = [90, 100]
"良" = [60, 90]
"差" = [0, 60]
[[indicators]]
code = "1"
name = "指标1"
group = "组1"
weight = 60
frequency = "季度"
steps = [{ type = "part", target = "评价分1", scale = { rule = "优—6分;良—4分;合格—2分;不合格—0分" }, of = "评价1" }]
score = "分值×评价分1/6"
"""
    + second_indicator()
    + first_bands("总分>=90 and 指标1等次<=1", "总分>=60", "总分>=0")
)


def test_a_blank_year_word_of_an_indicator_graded_from_its_periods(tmp_path: Path) -> None:
    """乙 and 丙 leave the year's 评价1 blank and give it per quarter: overall grading reads 指标1等次,
    which their last quarter decides (乙 优: 60 + 40 = 100, 优; 丙 良: 40 + 40 = 80, 良; 值2 held at
    指标2's 40 points) — the
    blank year cell is no value, not a cell the columns cannot read (the units were sent back)."""
    data = (
        "单位,期间,评价1,值2\n甲,,优,100\n乙,,,80\n乙,一季度,合格,\n乙,二季度,优,\n丙,,,100\n丙,一季度,良,\n"
    )
    fast, _ = _both(tmp_path, _PERIOD_GRADE, data)
    assert [(f.total, f.grade) for f in fast] == [
        (Decimal(100), "优"),
        (Decimal(100), "优"),
        (Decimal(80), "良"),
    ]
    assert [(p.period, p.total, p.grade) for p in fast[1].periods] == [("二季度", Decimal(100), "优")]
    assert [(p.period, p.total, p.grade) for p in fast[2].periods] == [("一季度", Decimal(80), "良")]


def _per_period(periods: str) -> str:
    head = first_indicator_head("期报", f'periods = "{periods}"')
    return head + 'frequency = "季度"\nscore = "if(选1=1, 值1, 备1)"\n' + second_indicator()


# 甲 has no periods; 乙 reports 值1 per quarter (20, 25); 丙 and 丁 take 备1 (选1 = 0): 丙 has none.
_PER_PERIOD_DATA = (
    "单位,期间,选1,值1,备1,值2\n甲,,1,50,,30\n乙,,1,,,20\n乙,一季度,,20,,\n乙,二季度,,25,,\n"
    "丙,,0,,,10\n丙,一季度,,30,,\n丁,,0,,,10\n丁,一季度,,30,12,\n"
)
_NO_BACKUP = "no value for '备1' in formula 'if(选1=1, 值1, 备1)'; did you mean '选1', '值1'?"


def test_a_blank_cell_an_indicator_per_period_never_reaches_summed(tmp_path: Path) -> None:
    """``if(选1=1, 值1, 备1)`` with 选1 = 1 never reads 备1: 甲 scores 50 on its year's row, 乙 the sum
    of its quarters (45); 丙 reads its blank 备1 (its error), 丁 its 12 — 甲 and 乙 were sent back."""
    fast, _ = _both(tmp_path, _per_period("sum"), _PER_PERIOD_DATA)
    assert [(f.total, f.scores) for f in fast[:2]] == [
        (Decimal(80), [Decimal(50), Decimal(30)]),
        (Decimal(65), [Decimal(45), Decimal(20)]),
    ]
    assert [e.message for e in fast[2].errors] == [_NO_BACKUP]
    assert (fast[3].total, fast[3].scores) == (Decimal(22), [Decimal(12), Decimal(10)])


def test_a_blank_cell_an_indicator_per_period_never_reaches_on_period_rows(tmp_path: Path) -> None:
    """The same per period (the mean): 乙's quarters 20 and 25 read no 备1 (22.5); 丙's quarter does."""
    fast, _ = _both(tmp_path, _per_period("mean"), _PER_PERIOD_DATA)
    assert [(f.total, f.scores) for f in fast[:2]] == [
        (Decimal(80), [Decimal(50), Decimal(30)]),
        (Decimal("42.5"), [Decimal("22.5"), Decimal(20)]),
    ]
    assert [e.message for e in fast[2].errors] == [_NO_BACKUP]
    assert (fast[3].total, fast[3].scores) == (Decimal(22), [Decimal(12), Decimal(10)])


_GROUP_FORMULA = """
name = "总分公式"
basis = "points"
total = 100
total_formula = "组1得分 + 组2得分率×20"
groups = [{ name = "组1" }, { name = "组2" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组1"
weight = 30
score = "值1"
policies = [{ type = "not_applicable", when = "不适用1=1" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组1"
weight = 50
score = "值2"
[[indicators]]
code = "3"
name = "指标3"
group = "组2"
weight = 20
score = "值3"
policies = [{ type = "not_applicable", when = "不适用3=1" }]
"""


def test_a_total_formula_reading_a_group_one_of_whose_members_does_not_apply(tmp_path: Path) -> None:
    """乙's 指标1 does not apply: its 30 move to 指标2 (40 of 50 over 80: 64), 组1得分 is what 指标2
    adds, 74 with 组2得分率 0.5 (乙 was sent back). 丙's 组2 has no member that applies: no 组2得分率,
    the formula's error, worded by the per-unit program."""
    data = "单位,不适用1,不适用3,值1,值2,值3\n甲,0,0,30,40,10\n乙,1,0,,40,10\n丙,0,1,15,50,\n"
    fast, slow = _both(tmp_path, _GROUP_FORMULA, data)
    assert [f.total for f in fast] == [Decimal(80), Decimal(74), None]
    assert [e.message for e in slow[1].events] == ["总分按公式计算：组1得分 + 组2得分率×20 = 64+0.5×20 = 74"]
    assert [e.message for e in fast[2].errors] == [
        "no value for '组2得分率' in formula '组1得分 + 组2得分率×20'; did you mean '组1得分率', '指标2得分率', "
        "'组1得分'?"
    ]


_RANK_WHEN = (
    first_indicator_head("名次")
    + """steps = [{ type = "rank", target = "名次分1", of = "值1", points = { "1" = 60, "2" = 40, "3" = 20 } }]
score = "名次分1"
policies = [{ type = "default", score = 30, when = "免评1<1" }]
"""
    + second_indicator()
)


def test_a_default_when_takes_a_unit_without_a_rank_first(tmp_path: Path) -> None:
    """丙 has no 值1, so no rank; its 免评1 = 0 takes the default (30) before the rank is read: 40 (丙 was
    sent back). 乙's 免评1 is blank too: the condition's error. 甲 (90) ranks 1st (60), 丁 (80) 2nd (40)."""
    data = "单位,免评1,值1,值2\n甲,1,90,30\n乙,,,20\n丙,0,,10\n丁,1,80,10\n"
    fast, _ = _both(tmp_path, _RANK_WHEN, data)
    assert [f.total for f in fast] == [Decimal(90), None, Decimal(40), Decimal(50)]
    assert fast[2].scores == [Decimal(30), Decimal(10)]
    assert [e.message for e in fast[1].errors] == ["no value for '免评1' in formula '免评1<1'"]


_PARAMETER_MISSING = (
    first_indicator_head("参数", 'parameters = { "系数1" = { "甲" = 0.5, "乙" = 0.8 } }')
    + """score = "分值×系数1"
policies = [{ type = "not_applicable", missing = true }]
"""
    + second_indicator()
)


def test_a_missing_rule_on_a_parameter(tmp_path: Path) -> None:
    """甲 takes 系数1 from the scheme's table (0.5: 30 + 30), 乙 and 丁 from their data (乙's 1 over the
    table's 0.8: 60 + 20; 丁 15 + 40); 丙 has it neither way: 指标1 does not apply and its weight moves
    to 指标2 (10 of 40: 25) — 丙 was sent back."""
    data = "单位,系数1,值2\n甲,,30\n乙,1,20\n丙,,10\n丁,0.25,40\n"
    fast, _ = _both(tmp_path, _PARAMETER_MISSING, data)
    assert [f.total for f in fast] == [Decimal(60), Decimal(80), Decimal(25), Decimal(55)]
    assert fast[2].scores == [None, Decimal(10)]


_RENAMED = """
name = "改名"
basis = "points"
total = 100
groups = [{ name = "组1" }]
[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]
[[indicators]]
code = "1"
name = "指标1"
group = "组1"
weight = 50
value = "率1"
scale = { rule = "优：x≥2；良：1≤x<2；差：x<1", domain = [0, 2], levels = { "良好" = 2, "合格" = 1, "不合格" = 0 } }
policies = [{ type = "default", grade = "良" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组1"
weight = 50
value = "率2"
scale = { rule = "优：x≥2；良：1≤x<2；差：x<1", domain = [0, 2] }
policies = [{ type = "default", score = 10 }]
"""


def test_a_blank_value_a_scale_grades_renamed_takes_the_default(tmp_path: Path) -> None:
    """``value`` renames the x the scales grade: a blank 率1 or 率2 has no value to grade, and the
    default for no data takes it (指标1: 良's midpoint, 85% of 50 = 42.5; 指标2: 10), explained from
    the column program's record as the per-unit program explains it (乙, 丙, 丁 were sent back)."""
    data = "单位,率1,率2\n甲,2,1.5\n乙,,0.5\n丙,1,\n丁,,\n"
    fast, _ = _explained(tmp_path, _RENAMED, data)
    assert [f.scores for f in fast] == [
        [Decimal(50), Decimal("42.5")],
        [Decimal("42.5"), Decimal(15)],
        [Decimal(40), Decimal(10)],
        [Decimal("42.5"), Decimal(10)],
    ]


_STEPS_BEFORE = (
    first_indicator_head("步骤")
    + """steps = ["甲分1=值a×2", "乙分1=值b+1"]
score = "乙分1"
policies = [
    { type = "default", score = 20 },
    { type = "veto", when = "甲分1>50", effect = "zero" },
    { type = "adjust", per = "扣分1", points = -1, cap = "甲分1/10" },
]
"""
    + second_indicator()
)


def test_rules_read_the_steps_worked_out_before_the_default_for_no_data(tmp_path: Path) -> None:
    """乙 and 丙 leave 值b blank: the default (20) takes 指标1 after 甲分1 was worked out, which its rules
    read — 乙: 20 - 1 (the cap 甲分1/10 = 2) = 19, total 39; 丙: 甲分1 = 60 > 50, the veto zeroes the
    total (both were sent back). 丁 and 戊 leave 值a blank: no 甲分1 for the rules (their errors)."""
    data = "单位,值a,值b,值2,扣分1\n甲,10,30,30,1\n乙,10,,20,1\n丙,30,,10,0\n丁,,,10,0\n戊,,5,10,2\n"
    fast, _ = _explained(tmp_path, _STEPS_BEFORE, data)
    assert [f.total for f in fast] == [Decimal(60), Decimal(39), Decimal(0), None, None]
    assert [f.scores for f in fast[1:3]] == [[Decimal(19), Decimal(20)], [Decimal(20), Decimal(10)]]
    assert [e.message for e in fast[3].errors] == [
        "no value for '甲分1' in formula '甲分1>50'; did you mean '扣分1'?"
    ]
    assert [e.message for e in fast[4].errors] == [
        "no value for '甲分1' in formula '甲分1/10'; did you mean '扣分1'?"
    ]


def test_a_blank_cell_period_rows_never_reach_beside_a_default_for_no_data(tmp_path: Path) -> None:
    """With a default for no data (5) on ``if(选1=1, 值1, 备1)`` per period: 乙's quarters read 值1 (20,
    25: 22.5), not its blank 备1; 丙's quarter reaches it, and the default takes it (5 + 10 = 15) —
    both were sent back; explained from the column program's record."""
    text = _per_period("mean").replace(
        'score = "if(选1=1, 值1, 备1)"\n',
        'score = "if(选1=1, 值1, 备1)"\npolicies = [{ type = "default", score = 5 }]\n',
    )
    fast, _ = _explained(tmp_path, text, _PER_PERIOD_DATA)
    assert [(f.total, f.scores) for f in fast] == [
        (Decimal(80), [Decimal(50), Decimal(30)]),
        (Decimal("42.5"), [Decimal("22.5"), Decimal(20)]),
        (Decimal(15), [Decimal(5), Decimal(10)]),
        (Decimal(22), [Decimal(12), Decimal(10)]),
    ]


_PERIOD_MAX = (
    first_indicator_head("期最大", 'periods = "mean"')
    + """frequency = "季度"
score = "分值×值1/max_of(值1)"
policies = [{ type = "default", score = 6 }]
"""
    + second_indicator()
)


def test_a_period_whose_max_of_is_0_takes_the_default_for_no_data(tmp_path: Path) -> None:
    """Each quarter's max_of(值1) is among that quarter's rows: 一季度 5 (甲 60 × 2.5/5 = 30, 乙 60), 二季度
    0 (a division by 0: the default, 6 each), 三季度 4 (乙 60). 甲: (30 + 6)/2 = 18, 58 in all; 乙: (60 + 6
    + 60)/3 = 42, 62; 丙's year divides by 0 too: 6 + 10 = 16 (甲 and 乙 were sent back)."""
    data = "单位,期间,值1,值2\n甲,,,40\n甲,一季度,2.5,\n甲,二季度,0,\n乙,,,20\n乙,一季度,5,\n乙,二季度,0,\n"
    data += "乙,三季度,4,\n丙,,0,10\n"
    fast, _ = _explained(tmp_path, _PERIOD_MAX, data)
    assert [(f.total, f.scores) for f in fast] == [
        (Decimal(58), [Decimal(18), Decimal(40)]),
        (Decimal(62), [Decimal(42), Decimal(20)]),
        (Decimal(16), [Decimal(6), Decimal(10)]),
    ]


_EXEMPT = (
    first_indicator_head("免评")
    + """score = "值1^2/100"
policies = [{ type = "default", score = 30, when = "免评1=1" }, { type = "zero", when = "违规1>0" }]
"""
    + second_indicator()
)


def test_blank_cells_on_a_row_a_default_when_took(tmp_path: Path) -> None:
    """乙 (免评1 = 1) leaves 值1 and 违规1 blank: the default (30) takes it before the formula and the zero
    rule, which read neither (30 + 20 = 50; 乙 was sent back). 丙's blank 值1 is read (its error); 丁's
    default comes before its zero rule too (30 + 10); 甲 50²/100 = 25, 55."""
    data = "单位,免评1,值1,违规1,值2\n甲,0,50,0,30\n乙,1,,,20\n丙,0,,0,10\n丁,1,40,1,10\n"
    fast, _ = _explained(tmp_path, _EXEMPT, data)
    assert [f.total for f in fast] == [Decimal(55), Decimal(50), None, Decimal(40)]
    assert [e.message for e in fast[2].errors] == [
        "no value for '值1' in formula '值1^2/100'; did you mean '分值', '值2'?"
    ]


_RENAMED_AFTER_A_STEP = """
name = "改名步骤"
basis = "points"
total = 100
groups = [{ name = "组1" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组1"
weight = 50
steps = ["率1=完成1/计划1×100"]
value = "率1"
scale = { rule = "得分≥90，计50分；60≤得分<90，计30分；得分<60，计10分", domain = [0, 100] }
policies = [{ type = "default", score = 5 }]
[[indicators]]
code = "2"
name = "指标2"
group = "组1"
weight = 50
score = "值2"
"""


def test_a_blank_input_of_a_step_a_renamed_scale_grades_takes_the_default(tmp_path: Path) -> None:
    """``value`` renames the 得分 the scale grades to the step's 率1 = 完成1/计划1×100 (≥ 90: 50, 60–90:
    30, < 60: 10; default 5 for no data). 甲 9/10 = 90 (on the boundary: 50), + 5 = 55. 乙's blank 完成1
    stops the step: the default 5, + 6 = 11; so does 丙's blank 计划1: 5 + 7 = 12. 丁 4/10 = 40: 10,
    + 8 = 18."""
    data = "单位,完成1,计划1,值2\n甲,9,10,5\n乙,,10,6\n丙,3,,7\n丁,4,10,8\n"
    fast, _ = _explained(tmp_path, _RENAMED_AFTER_A_STEP, data)
    assert [(f.total, f.scores) for f in fast] == [
        (Decimal(55), [Decimal(50), Decimal(5)]),
        (Decimal(11), [Decimal(5), Decimal(6)]),
        (Decimal(12), [Decimal(5), Decimal(7)]),
        (Decimal(18), [Decimal(10), Decimal(8)]),
    ]
