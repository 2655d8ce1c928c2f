"""Units the column program used to send back beside a blank cell, now scored as columns.

The default for no data over columns where an indicator reads a blank input through its
``inputs``, beside population values, through a ``part`` step of one value, or as the word a word
scale grades after steps (:mod:`perfrules.scoring.colreach` follows each row to its first stop); a
divisor of 0 beside a reached blank (what the per-unit program meets first, left to right); a
blank cell under a step other indicators' rules read (``指标1·a``: each reader gets the read step's
error, worded by its own step, :mod:`perfrules.scoring.colstepreads`); and a cell that is not a
number where an indicator without a default does not read it (``colreach.Unread``). Each scheme is
hand-worked; no unit is sent back (``score_columns`` gives every unit), each outcome is the
per-unit program's, every unit is explained from the column program's record as the per-unit
program explains it, and the paths (API, CLI CSV and JSON) agree (``Unit`` objects: the API).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oracle import score_unit
from perfrules import loads
from perfrules.scheme.units import Unit
from perfrules.scoring.colexplain import RECORDED
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import score_columns
from test_column_defaults import _both, _events, _first, _totals
from test_column_failures import _key
from test_column_record import _compare


def test_a_default_takes_a_blank_input_read_through_the_inputs_mapping(tmp_path):
    """完成率 reads the column 率: 乙's is blank (the default 6, 6 + 4 = 10, its words name 完成率, the
    name the formula reads); 甲 10×0.5 = 5, 5 + 3 = 8; 丙's blank 值2 has no default: 指标2's error."""
    text = _first(
        'inputs = { "完成率" = "率" }\nscore = "分值×完成率"\npolicies = [{ type = "default", score = 6 }]\n'
    )
    fast, _ = _both(tmp_path, text, "单位,率,值2\n甲,0.5,3\n乙,,4\n丙,0.9,\n")
    assert _totals(fast) == [
        (Decimal(8), [Decimal(5), Decimal(3)]),
        (Decimal(10), [Decimal(6), Decimal(4)]),
        (None, [Decimal(9), None]),
    ]
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“完成率”")


def test_a_default_naming_an_input_read_through_the_inputs_mapping(tmp_path):
    """The default names 项目数 (the column 项目): 乙's is blank (0, 0 + 4); 丙's 完成 is blank but 项目
    is given: 指标1's error; 甲: 10×3/4 = 7.5; 丁: 完成数 reached only where 项目数 > 0 (if): 项目 0, 2."""
    text = _first(
        'inputs = { "完成数" = "完成", "项目数" = "项目" }\n'
        'score = "if(项目数>0, 分值×完成数/项目数, 2)"\n'
        'policies = [{ type = "default", score = 0, missing = ["项目数"] }]\n'
    )
    fast, _ = _both(tmp_path, text, "单位,完成,项目,值2\n甲,3,4,3\n乙,,,4\n丙,,5,1\n丁,,0,1\n")
    assert [(f.total, f.scores) for f in fast] == [
        (Decimal("10.5"), [Decimal("7.5"), Decimal(3)]),
        (Decimal(4), [Decimal(0), Decimal(4)]),
        (None, [None, Decimal(1)]),
        (Decimal(3), [Decimal(2), Decimal(1)]),
    ]
    assert [(e.indicator, e.error) for e in fast[2].errors] == [("1", "MissingValueError")]


_READS = """
format = "perfrules-scheme/1"
name = "读步骤"
basis = "points"
total = 30
groups = [{ name = "g" }]

[[indicators]]
code = "1"
name = "完成"
group = "g"
weight = 10
steps = ["a=完成数/任务数×分值"]
score = "a"

[[indicators]]
code = "2"
name = "日常"
group = "g"
weight = 10
steps = ["b=指标1·a/2+x"]
score = "min(b, 分值)"

[[indicators]]
code = "3"
name = "末项"
group = "g"
weight = 10
score = "min(指标2·b, 分值)"
"""


def test_a_blank_under_a_read_step_is_each_readers_error(tmp_path):
    """甲: a = 9/10 × 10 = 9, b = 4.5 + 3 = 7.5, 指标3 7.5: 24. 乙's x is blank: 指标2's step and its
    reader 指标3 each give b's error (指标1's 5 kept); 丙's 任务数 is 0: a's division by 0 is 指标1's
    error and each reader's (指标2 through 指标1·a, 指标3 through 指标2·b)."""
    data = "单位,完成数,任务数,x\n甲,9,10,3\n乙,5,10,\n丙,5,0,1\n"
    fast, _ = _both(tmp_path, _READS, data)
    assert (fast[0].total, fast[0].scores) == (Decimal(24), [Decimal(9), Decimal("7.5"), Decimal("7.5")])
    assert (fast[1].total, fast[1].scores) == (None, [Decimal(5), None, None])
    assert [(e.indicator, e.message) for e in fast[1].errors] == [
        ("2", "no value for 'x' in formula 'b=指标1·a/2+x'"),
        ("3", "no value for 'x' in formula 'b=指标1·a/2+x'"),
    ]
    assert (fast[2].total, fast[2].scores) == (None, [None, None, None])
    assert [(e.indicator, e.error) for e in fast[2].errors] == [("1", "DivisionByZeroError")] * 1 + [
        ("2", "DivisionByZeroError"),
        ("3", "DivisionByZeroError"),
    ]


_PARTS = (
    'steps = [\n    "率=完成数/计划数",\n'
    '    { type = "part", target = "申请分", of = "率", scale = { rule = "优：r≥0.9；良：0.6≤r<0.9；差：r<0.6",'
    ' variable = "r", domain = [0, 1], scores = { "优" = [9, 10], "良" = [6, 9], "差" = [0, 6] } } },\n'
    '    { type = "part", target = "查询分", of = "查询率", scale = { rule = "优：r≥0.9；良：0.6≤r<0.9；差：r<0.6",'
    ' variable = "r", domain = [0, 1], scores = { "优" = [9, 10], "良" = [6, 9], "差" = [0, 6] } } },\n'
    "]\n"
    'score = "(申请分+查询分)/2"\n'
    'policies = [{ type = "default", score = 5 }]\n'
)


def test_a_default_takes_a_blank_a_part_step_grades(tmp_path):
    """Two parts over a rate step, scored (申请分+查询分)/2 without policies but the default for no
    data. 甲: 率 0.95 → 优 at 9.5, 查询率 0.6 → 良 at 6: 7.75, + 3 = 10.75. 乙's 查询率 is blank (the
    second part reads it): 5, + 4 = 9. 丙's 完成数 is blank (the rate step reads it first): 5. 丁's
    计划数 is 0 (the rate divides by it): 5. 戊's 查询率 is 1.2, outside the part's domain: 指标1's
    error."""
    text = _first(_PARTS)
    data = "单位,完成数,计划数,查询率,值2\n甲,19,20,0.6,3\n乙,19,20,,4\n丙,,20,0.6,1\n丁,5,0,0.6,1\n戊,19,20,1.2,2\n"
    fast, _ = _both(tmp_path, text, data)
    assert [(f.total, f.scores) for f in fast[:4]] == [
        (Decimal("10.75"), [Decimal("7.75"), Decimal(3)]),
        (Decimal(9), [Decimal(5), Decimal(4)]),
        (Decimal(6), [Decimal(5), Decimal(1)]),
        (Decimal(6), [Decimal(5), Decimal(1)]),
    ]
    assert (fast[4].total, [e.indicator for e in fast[4].errors]) == (None, ["1"])
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“查询率”")
    assert _events(fast[2], tmp_path, text, "丙")[0].startswith("缺少数据“完成数”")
    assert _events(fast[3], tmp_path, text, "丁")[0].startswith("无数据（“计划数”= 0）")


def test_a_division_by_0_beside_a_blank_input_what_the_per_unit_program_meets_first(tmp_path):
    """分值×a/b+c, default 3: the per-unit program reads left to right, each operand before its
    operation. 甲 10×5/10 + 1 = 6. 乙 (a blank, b 0): a is read first: 缺少数据“a”. 丙 (b 0, c blank):
    the division stops it first: 无数据（“b”= 0）. 丁 (c blank): 缺少数据“c”. 戊 (b 0): the division."""
    text = _first('score = "分值×a/b+c"\npolicies = [{ type = "default", score = 3 }]\n')
    data = "单位,a,b,c,值2\n甲,5,10,1,3\n乙,,0,1,4\n丙,5,0,,1\n丁,5,10,,1\n戊,5,0,1,2\n"
    fast, _ = _both(tmp_path, text, data)
    assert [f.scores[0] for f in fast] == [Decimal(6), Decimal(3), Decimal(3), Decimal(3), Decimal(3)]
    assert [f.total for f in fast] == [Decimal(9), Decimal(7), Decimal(4), Decimal(4), Decimal(5)]
    said = [_events(f, tmp_path, text, u)[0][:7] for f, u in zip(fast[1:], "乙丙丁戊", strict=True)]
    assert said == ["缺少数据“a”", "无数据（“b”", "缺少数据“c”", "无数据（“b”"]


def test_a_division_by_0_in_the_branch_not_taken_beside_a_blank(tmp_path):
    """if(k>0, a/b, c) + d/e, default 3. 甲 (k 1): 8/4 + 6/3 = 4. 乙 (k 0, b 0, c blank): the branch
    taken reads c: 缺少数据“c”. 丙 (k 1, b 0, d blank): a/b divides by 0 before d is read. 丁 (k 0, c 2,
    e 0, d blank): d is read before the division: 缺少数据“d”. 戊 (k 0, b 0, c 2, e 1, d 1): 2 + 1 = 3,
    the division by 0 is in the branch not taken."""
    text = _first('score = "if(k>0, a/b, c) + d/e"\npolicies = [{ type = "default", score = 3 }]\n')
    data = (
        "单位,k,a,b,c,d,e,值2\n甲,1,8,4,,6,3,1\n乙,0,8,0,,6,3,1\n丙,1,8,0,2,,3,1\n丁,0,8,4,2,,0,1\n"
        "戊,0,8,0,2,1,1,1\n"
    )
    fast, _ = _both(tmp_path, text, data)
    assert [f.scores[0] for f in fast] == [Decimal(4), Decimal(3), Decimal(3), Decimal(3), Decimal(3)]
    said = [_events(f, tmp_path, text, u)[0][:7] for f, u in zip(fast[1:4], "乙丙丁", strict=True)]
    assert said == ["缺少数据“c”", "无数据（“b”", "缺少数据“d”"]
    assert _events(fast[4], tmp_path, text, "戊") == []


def _units_both(text: str, units: list[Unit]) -> list[Any]:
    """``Unit`` objects (cells as given, text too) scored by the column program, none sent back, each
    outcome the per-unit program's field by field; ``evaluate`` explains each from the record as the
    per-unit program explains it."""
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    fast = score_columns(plan, units, {})
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    assert all(f is not None for f in fast), [u.name for u, f in zip(units, fast, strict=True) if f is None]
    for f, s in zip(fast, slow, strict=True):
        assert _key(f) == _key(s)
    assert set(_compare(scheme, units)) == {RECORDED}
    return fast


def test_a_cell_that_is_not_a_number_where_the_formula_does_not_read_it(tmp_path):
    """if(k>0, a, b) without policies, cells given as text: 甲 (k 1) reads a = 5, not b '约五分': 5,
    5 + 3 = 8; 乙 (k 0) reads b = 4, not a: 8; 丙 (k 1) reads a '约五分': 指标1's error, as the per-unit
    program words it; 丁 (k 0) has a blank a it does not read: 2 + 1 = 3."""
    text = _first('score = "if(k>0, a, b)"\n')
    units = [
        Unit(name="甲", data={"k": 1, "a": 5, "b": "约五分", "值2": 3}),
        Unit(name="乙", data={"k": 0, "a": "约五分", "b": 4, "值2": 4}),
        Unit(name="丙", data={"k": 1, "a": "约五分", "b": 4, "值2": 1}),
        Unit(name="丁", data={"k": 0, "b": 2, "值2": 1}),
    ]
    fast = _units_both(text, units)
    assert [(f.total, f.scores) for f in fast] == [
        (Decimal(8), [Decimal(5), Decimal(3)]),
        (Decimal(8), [Decimal(4), Decimal(4)]),
        (None, [None, Decimal(1)]),
        (Decimal(3), [Decimal(2), Decimal(1)]),
    ]
    (error,) = fast[2].errors
    assert (error.indicator, error.message.split(";")[0]) == ("1", "a='约五分' (str) is not a number")


def test_a_cell_that_is_not_a_number_past_the_operand_of_and_that_decides(tmp_path):
    """if(a>0 and b>0, 10, 4) + c/d: 甲 (a 0: b '约五分' not read) 4 + 6/3 = 6; 乙 (b read) its error;
    丙 (d 0: the division by 0 is 指标1's error, b '约五分' not read); 丁 1 + 1: 10 + 1, held to 10."""
    text = _first('score = "if(a>0 and b>0, 10, 4) + c/d"\n')
    units = [
        Unit(name="甲", data={"a": 0, "b": "约五分", "c": 6, "d": 3, "值2": 3}),
        Unit(name="乙", data={"a": 1, "b": "约五分", "c": 6, "d": 3, "值2": 4}),
        Unit(name="丙", data={"a": 0, "b": "约五分", "c": 6, "d": 0, "值2": 1}),
        Unit(name="丁", data={"a": 1, "b": 1, "c": 1, "d": 1, "值2": 1}),
    ]
    fast = _units_both(text, units)
    assert [f.total for f in fast] == [Decimal(9), None, None, Decimal(11)]
    assert [e.error for f in fast[1:3] for e in f.errors] == ["InvalidValueError", "DivisionByZeroError"]


def test_a_default_takes_a_blank_word_a_word_scale_grades_after_steps(tmp_path):
    """A step r = a×2 (a rule reads nothing of it but the record), then 结论 graded 优 10 / 良 6 / 差 0,
    default 5. 甲 优: 10 + 3 = 13. 乙's a is blank (the step reads it first): 5. 丙's 结论 is blank: 5,
    its words name 结论. 丁's 结论 中 is not in the scale: 指标1's error, not the default."""
    text = _first(
        'steps = ["r=a×2"]\nvalue = "结论"\nscale = { rule = "优—10分;良—6分;差—0分" }\n'
        'policies = [{ type = "default", score = 5 }]\n'
    )
    data = "单位,a,结论,值2\n甲,1,优,3\n乙,,良,4\n丙,1,,1\n丁,1,中,2\n"
    fast, _ = _both(tmp_path, text, data)
    assert [(f.total, f.scores) for f in fast[:3]] == [
        (Decimal(13), [Decimal(10), Decimal(3)]),
        (Decimal(9), [Decimal(5), Decimal(4)]),
        (Decimal(6), [Decimal(5), Decimal(1)]),
    ]
    assert (fast[3].total, [e.indicator for e in fast[3].errors]) == (None, ["1"])
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“a”")
    assert _events(fast[2], tmp_path, text, "丙")[0].startswith("缺少数据“结论”")


def test_a_default_takes_a_blank_input_beside_population_values(tmp_path):
    """分值×y/max_of(x), default 6: max_of(x) = 10 over the units that give x. 甲 10×1/10 = 1, + 3 = 4.
    乙's y is blank (its population value is there: x is given): 6, + 4 = 10, its words name y. 丙
    10×5/10 = 5. 丁 gives no x, so it has no max_of(x): read after y, the default names it. 戊's y is
    blank too, read before max_of(x): the words name the formula's first blank name in sorted
    order, x, as the per-unit program's error does."""
    text = _first('score = "分值×y/max_of(x)"\npolicies = [{ type = "default", score = 6 }]\n')
    data = "单位,x,y,值2\n甲,5,1,3\n乙,8,,4\n丙,10,5,1\n丁,,5,1\n戊,,,2\n"
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal(4), [Decimal(1), Decimal(3)]),
        (Decimal(10), [Decimal(6), Decimal(4)]),
        (Decimal(6), [Decimal(5), Decimal(1)]),
        (Decimal(7), [Decimal(6), Decimal(1)]),
        (Decimal(8), [Decimal(6), Decimal(2)]),
    ]
    said = [_events(f, tmp_path, text, u)[0] for f, u in zip(fast[1:], "乙丙丁戊", strict=True) if u != "丙"]
    assert [m.split("，")[0] for m in said] == ["缺少数据“y”", "缺少数据“max_of(x)”", "缺少数据“x”"]
