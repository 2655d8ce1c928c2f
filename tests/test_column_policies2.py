"""Units the column program once left unscored under indicator policies, each pinned by hand.

Each case was a falsifying example of the generated tests (test_column_policies.py,
test_column_na_results.py …), reduced to its cause. The column program must score
every unit of the batch itself (no unit left to be re-run alone), exactly as the
per-unit program (the tests' oracle) does; ``evaluate()`` and the streamed command
line give the same, and the explanations the record gives are the per-unit program's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perfrules import evaluate
from perfrules.files.data import load_units
from perfrules.scoring.colexplain import RECORDED
from test_column_program import _both_ways, _key, _run_columns, _streamed_cells_match
from test_column_record import _compare


def _pinned(folder: Any, text: str, data: str) -> dict[str, Any]:
    """The case scored by the columns (every unit in its batch), the oracle, ``evaluate()`` and the
    command line, all alike: per unit name, its outcome."""
    fast, slow, scheme, scheme_path, data_path = _both_ways(folder, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    assert all(o is not None for o in _run_columns(scheme, folder, data))  # (none re-run alone)
    kept = evaluate(scheme, load_units(data_path, scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank, [e.message for e in r.events]) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank, [e.message for e in o.events]) for o in slow
    ]
    _streamed_cells_match(scheme_path, data_path, slow)
    by = _compare(scheme, list(load_units(data_path, scheme=scheme)))  # (explanations: the record's)
    assert set(by) == {RECORDED}, by
    return {o.unit.name: o for o in fast}


_TWO_DEFAULTS = """
name = "默认"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 100
steps = ["率=完成/计划×100"]
policies = [{ type = "default", grade = "良", when = "计划=0" }, { type = "default", grade = "优", when = "%s" }]
[indicators.scale]
rule = "优：率≥90；良：60≤率<90；中：30≤率<60；差：率<30"
domain = [0, 100]
scoring = "midpoint"
"""


def test_a_later_default_condition_is_not_worked_out_where_an_earlier_one_held(tmp_path):
    # 甲 has no plan: the first default holds (良's score band 80-90: its midpoint, 85), and the second condition, which
    # would divide by 0, is never read. 乙: 9/10 ≥ 0.9, the second holds (优's band 90-100: 95).
    # 丙: neither; 50% is 中 (band 60-80: 70).
    text = _TWO_DEFAULTS % "完成/计划≥0.9"
    found = _pinned(tmp_path, text, "单位,完成,计划\n甲,0,0\n乙,9,10\n丙,5,10\n")
    assert [found[u].total for u in "甲乙丙"] == [Decimal(85), Decimal(95), Decimal(70)]


def test_a_blank_cell_read_only_by_a_later_default_condition(tmp_path):
    # 完成 is read by the second condition and the steps: where the first default holds (甲: no plan)
    # neither reads it, and its blank cell stops nothing (85). 乙's blank 完成 is read by the second
    # condition: the indicator's error, as the per-unit program words it. 丙: 12 > 10, 优 (95).
    text = _TWO_DEFAULTS % "完成>计划"
    found = _pinned(tmp_path, text, "单位,完成,计划\n甲,,0\n乙,,10\n丙,12,10\n")
    assert found["甲"].total == Decimal(85) and found["丙"].total == Decimal(95)
    assert found["乙"].total is None
    assert [(e.indicator, e.error) for e in found["乙"].errors] == [("1", "MissingValueError")]


def test_a_blank_cell_a_veto_reads_stops_a_row_a_default_took(tmp_path):
    # A veto reads 完成 whether or not a default took the row: 甲's blank 完成 is the indicator's
    # error even though its first default holds.
    text = _TWO_DEFAULTS.replace(
        'when = "%s" }]', 'when = "完成>计划" }, { type = "veto", when = "完成<0", effect = "zero" }]'
    )
    found = _pinned(tmp_path, text, "单位,完成,计划\n甲,,0\n乙,3,0\n")
    assert found["甲"].total is None and found["甲"].errors
    assert found["乙"].total == Decimal(85)


def test_a_period_row_a_default_took_reads_no_blank_cell(tmp_path):
    # 甲's only period row gives just 标记; it reads the year's 计划 = 0, so the default holds there
    # (85) and the blank 完成 (in the period and the year) is never read. 乙's period row divides
    # 8 by 10: 80% is 良 too (85). The indicator's score is the mean of its periods'.
    text = """
name = "分期默认"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 100
frequency = "quarterly"
steps = ["率=完成/计划×100-标记"]
policies = [{ type = "default", grade = "良", when = "计划=0" }]
[indicators.scale]
rule = "优：率≥90；良：60≤率<90；中：30≤率<60；差：率<30"
domain = [0, 100]
scoring = "midpoint"
"""
    data = "单位,期间,完成,计划,标记\n甲,,,0,0\n甲,一季度,,,0\n乙,,0,0,0\n乙,一季度,8,10,0\n"
    found = _pinned(tmp_path, text, data)
    assert found["甲"].total == Decimal(85) and found["乙"].total == Decimal(85)


_READS_RESULTS = """
name = "读取结果不适用"
basis = "points"
total = 20
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 10
steps = ["率=值1/目标1"]
score = "分值×率"
[[indicators]]
code = "2"
name = "乙"
group = "组"
weight = 10
score = "值2"
policies = [{ type = "not_applicable", when = "指标1得分率>=0.8" }, { type = "not_applicable", when = "值2<0" }]
"""


def test_a_blank_cell_read_only_by_a_later_rule_after_one_reading_a_result(tmp_path):
    # 甲: 8 of 10 is 指标1得分率 0.8, so 乙 does not apply, and its second rule, which reads the blank
    # 值2, is never read: 8 points of indicator 1's 10, its weight 20 once indicator 2's moves to it
    # (16). 乙: 0.6 < 0.8, the second rule reads the blank 值2: indicator 2's error. 丙: 值2 < 0, not
    # applicable (6 of 10: 12). 丁: 6 + 5 = 11. 戊's indicator 1 divides by 0: no 得分率 to read, and indicator 2's
    # error is that read's (its rules read the result first).
    data = "单位,值1,目标1,值2\n甲,8,10,\n乙,6,10,\n丙,6,10,-1\n丁,6,10,5\n戊,1,0,\n"
    found = _pinned(tmp_path, _READS_RESULTS, data)
    assert [found[u].scores for u in "甲丙丁"] == [
        [Decimal(8), None],
        [Decimal(6), None],
        [Decimal(6), Decimal(5)],
    ]
    assert [found[u].total for u in "甲丙丁"] == [Decimal(16), Decimal(12), Decimal(11)]
    assert [(e.indicator, e.error) for e in found["乙"].errors] == [("2", "MissingValueError")]
    assert [e.indicator for e in found["戊"].errors] == ["1", "2"]


def test_a_blank_cell_an_or_does_not_get_to(tmp_path):
    # ``计划=0 or 完成>计划`` stops at 计划=0 where it holds (甲: the blank 完成 is never read, 良: 85);
    # where it does not (乙), it reads the blank 完成: the indicator's error.
    text = _TWO_DEFAULTS.replace('when = "计划=0" }, ', 'when = "计划=0 or 完成>计划" }, ') % "完成=计划"
    found = _pinned(tmp_path, text, "单位,完成,计划\n甲,,0\n乙,,10\n丙,10,10\n")
    assert found["甲"].total == Decimal(85) and found["丙"].total == Decimal(95)
    assert [(e.indicator, e.error) for e in found["乙"].errors] == [("1", "MissingValueError")]


def test_a_blank_cell_only_a_default_condition_reads_where_an_and_does_not_get_to_it(tmp_path):
    # ``计划=0 and 标记=1`` stops at 计划=0 where it fails: 甲's blank 标记 is never read, and its steps
    # score 0 of 3: 差 (band 0-60: 30). 乙's plan is 0: the condition reads the blank 标记, the
    # indicator's error. 丙: 标记 = 1 and no plan: 良 (85).
    text = _TWO_DEFAULTS.replace('when = "计划=0" }, ', 'when = "计划=0 and 标记=1" }, ') % "完成>计划"
    found = _pinned(tmp_path, text, "单位,完成,计划,标记\n甲,0,3,\n乙,0,0,\n丙,0,0,1\n")
    assert found["甲"].total == Decimal(30) and found["丙"].total == Decimal(85)
    assert [(e.indicator, e.error) for e in found["乙"].errors] == [("1", "MissingValueError")]


def test_a_blank_cell_the_steps_reach_first_takes_the_default_for_no_data(tmp_path):
    # ``0<完成<3 and 计划=0`` stops at 0<完成 where 完成 is 0 (甲): the blank 计划 is read by the steps
    # only, which stop there, and the default for no data gives 差 (band 0-60: 30). 乙: 0<1<3 holds,
    # and the condition reads the blank 计划 before any step runs: the indicator's error.
    text = _TWO_DEFAULTS.replace(
        'policies = [{ type = "default", grade = "良", when = "计划=0" }, { type = "default", grade = "优", when = "%s" }]',
        'policies = [{ type = "default", grade = "良", when = "0<完成<3 and 计划=0" }, { type = "default", grade = "差" }]',
    )
    found = _pinned(tmp_path, text, "单位,完成,计划\n甲,0,\n乙,1,\n丙,2,0\n")
    assert found["甲"].total == Decimal(30) and found["丙"].total == Decimal(85)
    assert [(e.indicator, e.error) for e in found["乙"].errors] == [("1", "MissingValueError")]


def test_a_blank_cell_a_zero_rule_reads_comes_before_a_value_outside_the_scale(tmp_path):
    # 甲: 4 of 3 is 133%, outside the scale's domain, but the zero rule on 率 reads the blank 标记
    # first: the default for no data, 差 (30). 乙's 标记 = 0: the rule does not hold, and 133% is the
    # indicator's error (outside the domain). 丙: 90% is 优 (95).
    text = """
name = "默认"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 100
steps = ["率=完成/计划×100"]
policies = [{ type = "default", grade = "良", when = "计划=0" }, { type = "default", grade = "差" }, { type = "zero", target = "率", when = "标记=1" }]
[indicators.scale]
rule = "优：率≥90；良：60≤率<90；中：30≤率<60；差：率<30"
domain = [0, 100]
scoring = "midpoint"
"""
    found = _pinned(tmp_path, text, "单位,完成,计划,标记\n甲,4,3,\n乙,4,3,0\n丙,9,10,0\n")
    assert found["甲"].total == Decimal(30) and found["丙"].total == Decimal(95)
    assert [(e.indicator, e.error) for e in found["乙"].errors] == [("1", "EvaluationError")]
