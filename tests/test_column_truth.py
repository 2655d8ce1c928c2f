"""Truth values as columns: steps and ``if()`` branches whose value is a truth value compile.

The per-unit program keeps a comparison's value as a truth value: a step may hold one
(``达标 = 完成数 >= 计划数``) that a condition reads as it is, and where a number is needed it
raises (its wording kept: ``the score formula of … gave a truth value``, ``… (truth value) used
where a number is needed``, ``a truth value cannot be compared as a number``). Each test writes
a scheme in such a form, checks that it compiles (it was refused before: ``program_why``), that
the column program gives every unit the per-unit program's outcome field by field with no unit
sent back, that every path agrees (``_both``), and that explanations come from the record.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from perfrules import load, load_units
from test_column_forms2 import _both as _sent_back
from test_column_record import RECORDED, _compare
from test_column_total_errors import _both

_HEAD = """
name = "真值"
basis = "points"
total = 100
groups = [{ name = "组1" }]

[scores]
"优" = [90, 100]
"差" = [0, 90]
"""

_DATA = "单位,完成数,计划数\n甲,10,10\n乙,9,10\n丙,0,10\n丁,12,10\n"


def _indicator(body: str) -> str:
    return _HEAD + f'\n[[indicators]]\ncode = "1"\nname = "完成"\ngroup = "组1"\nweight = 100\n{body}'


def _recorded(tmp_path: Path, text: str, data: str) -> None:
    """Every unit explained from the record, as the per-unit program explains it."""
    scheme = load(tmp_path / "s.toml")
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    assert _compare(scheme, units)[RECORDED] == len(units)


def _messages(outcome: object) -> list[str]:
    return [e.message for e in outcome.errors]  # type: ignore[attr-defined]


def test_a_step_holding_a_truth_value_read_by_the_score_as_a_condition(tmp_path: Path) -> None:
    """达标 = 完成数/计划数 >= 1: 甲 (10/10, on the boundary) and 丁 (12/10) 100, 乙 and 丙 50."""
    text = _indicator('steps = ["达标 = 完成数/计划数 >= 1"]\nscore = "if(达标, 100, 50)"\n')
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast] == [Decimal(100), Decimal(50), Decimal(50), Decimal(100)]
    assert [o.grade for o in fast] == ["优", "差", "差", "优"]
    _recorded(tmp_path, text, _DATA)


def test_a_truth_step_read_by_and_or_not_and_by_a_policy(tmp_path: Path) -> None:
    """达标 and 超额 steps; 丙 (nothing done) zeroed by ``not 有进展``; 丁 (12 of 10) 100 + 0 held at
    100; 乙 80 (达标 false, 有进展), 甲 100."""
    text = _indicator(
        'steps = ["达标 = 完成数 >= 计划数", "有进展 = 完成数 > 0", "超额 = 达标 and 完成数 > 计划数"]\n'
        'score = "if(超额 or 达标, 100, if(not 有进展, 60, 80))"\n'
        'policies = [{ type = "zero", when = "not 有进展" }]\n'
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast] == [Decimal(100), Decimal(80), Decimal(0), Decimal(100)]
    _recorded(tmp_path, text, _DATA)


def test_a_truth_value_used_as_a_number_is_the_indicators_error(tmp_path: Path) -> None:
    """达标×100: the per-unit program refuses a truth value in arithmetic, for every unit; the column
    program gives that error, worded as it words it (True or False named)."""
    text = _indicator('steps = ["达标 = 完成数 >= 计划数"]\nscore = "达标*100"\n')
    fast, _ = _both(tmp_path, text, _DATA)
    assert all(o.total is None for o in fast)
    assert "True (truth value) used where a number is needed" in _messages(fast[0])[0]
    assert "False (truth value) used where a number is needed" in _messages(fast[1])[0]


def test_a_truth_value_compared_as_a_number_is_the_indicators_error(tmp_path: Path) -> None:
    """达标 = 1: the per-unit program refuses comparing a truth value, for every unit."""
    text = _indicator('steps = ["达标 = 完成数 >= 计划数"]\nscore = "if(达标 = 1, 100, 50)"\n')
    fast, _ = _both(tmp_path, text, _DATA)
    assert all(o.total is None for o in fast)
    assert "a truth value cannot be compared as a number" in _messages(fast[2])[0]


def test_an_if_with_a_truth_branch_and_a_name_branch(tmp_path: Path) -> None:
    """``if(完成数 > 0, 完成数 >= 计划数, 计划数)`` as a step read by a condition: a truth value where
        something was done (甲, 丁 hold: 100; 乙 does not: 50), else the number 10, which the condition
        of ``if()`` refuses (丙's error). As the score itself: a truth value where taken (the error), 10
    where the name is (丙)."""
    text = _indicator(
        'steps = ["达标 = if(完成数 > 0, 完成数 >= 计划数, 计划数)"]\nscore = "if(达标, 100, 50)"\n'
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast] == [Decimal(100), Decimal(50), None, Decimal(100)]
    assert "(number) used where a truth value (condition) is needed" in _messages(fast[2])[0]
    text = _indicator('score = "if(完成数 > 0, 完成数 >= 计划数, 计划数)"\n')
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast] == [None, None, Decimal(10), None]
    assert "gave a truth value" in _messages(fast[0])[0]


_PERIODS = """
name = "按期真值"
basis = "points"
total = 100
groups = [{ name = "组" }]
periods = "mean"
[scores]
"优" = [90, 100]
"差" = [0, 90]

[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 60
frequency = "quarterly"
steps = ["达标 = 完成数 >= 计划数"]
score = "if(达标, 60, 30)"
policies = [{ type = "veto", when = "not 达标", effect = "lowest_grade" }]

[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 40
score = "值2"
"""


def test_a_truth_step_of_an_indicator_per_period_read_by_a_veto(tmp_path: Path) -> None:
    """Per period: 甲 meets its plan in both (60, 60: 60 + 40 = 100 优); 乙 only in the last
    ((30 + 60)/2 = 45 + 40 = 85, not vetoed: the veto reads the last period); 丙 misses the last
    (vetoed: the lowest grade); 丁 has no periods: its year's row (10 of 10: 60 + 30 = 90)."""
    data = (
        "单位,期间,完成数,计划数,值2\n"
        "甲,,10,10,40\n甲,一季度,10,10,\n甲,二季度,12,10,\n"
        "乙,,10,10,40\n乙,一季度,9,10,\n乙,二季度,10,10,\n"
        "丙,,10,10,40\n丙,一季度,10,10,\n丙,二季度,9,10,\n"
        "丁,,10,10,30\n"
    )
    fast, _ = _both(tmp_path, _PERIODS, data)
    assert [o.total for o in fast[:2]] == [Decimal(100), Decimal(85)]
    assert (fast[2].vetoed, fast[2].grade) == (True, "差")
    assert fast[3].total == Decimal(90)
    _recorded(tmp_path, _PERIODS, data)


def test_a_scale_indicator_with_a_truth_step_read_by_a_policy(tmp_path: Path) -> None:
    """The scale grades x (优 ≥ 90: the midpoint of 90–100, 95; 良: 80–90, 85); the zero rule reads the step
    达标 = x > 1: 丙's 1 (on the boundary: not > 1) is zeroed, 丁's blank x is its error."""
    text = (
        'name = "s"\ntotal = 100\ngroups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "a"\n'
        'group = "组"\nweight = 100\nsteps = ["达标 = x > 1"]\nvalue = "x"\n'
        'scale = { rule = "优：x≥90；良：x<90", scoring = "midpoint" }\n'
        'policies = [{ type = "zero", when = "not 达标" }]\n'
    )
    data = "单位,x\n甲,90\n乙,50\n丙,1\n丁,\n"
    fast, _ = _both(tmp_path, text, data)
    assert [o.total for o in fast[:3]] == [Decimal(95), Decimal(85), Decimal(0)]
    assert fast[3].total is None and fast[3].errors


_READS = (
    _HEAD
    + """
[[indicators]]
code = "1"
name = "完成"
group = "组1"
weight = 60
steps = ["达标 = 完成数 >= 计划数", "分 = if(达标, 60, 完成数/计划数*60)"]
score = "分"

[[indicators]]
code = "2"
name = "日常"
group = "组1"
weight = 40
steps = ["b = if(指标1·分 >= 60, x, x/2)"]
score = "min(b, 分值)"

[[indicators]]
code = "3"
name = "相对"
group = "组1"
weight = 0
steps = ["超 = 完成数 > 计划数", "c = if(超, 完成数, 计划数)"]
score = "c/max_of(c)*分值"
"""
)


def test_truth_steps_read_by_another_indicator_and_by_a_population_value(tmp_path: Path) -> None:
    """指标2 reads 指标1·分, a step over the truth step 达标: 甲 (10 of 10) 60 + 40; 乙 (9 of 10) 54 + 20;
    丙 0 + 20; 丁 (12 of 10) 60 + 40. 指标3 (weight 0) reads max_of(c) over a step reading the truth
    step 超."""
    data = "单位,完成数,计划数,x\n甲,10,10,40\n乙,9,10,40\n丙,0,10,40\n丁,12,10,40\n"
    fast, _ = _both(tmp_path, _READS, data)
    assert [o.total for o in fast] == [Decimal(100), Decimal(74), Decimal(20), Decimal(100)]
    _recorded(tmp_path, _READS, data)


def test_another_indicators_truth_step_read_as_a_condition_and_as_a_number(tmp_path: Path) -> None:
    """指标2 reads 指标1·达标 itself, a truth value: ``if(指标1·达标, x, x/2)`` gives 甲 and 丁 (done) 40,
    乙 and 丙 20 (so 74 and 20 with 指标1's 54 and 0); 戊's blank 完成数 is 指标1's error and 指标2's
    (the read's), and 指标3's. Read as a number (``指标1·达标*x``) it is 指标2's error for every unit,
    True or False named as the per-unit program names it."""
    text = _READS.replace("if(指标1·分 >= 60, x, x/2)", "if(指标1·达标, x, x/2)")
    data = "单位,完成数,计划数,x\n甲,10,10,40\n乙,9,10,40\n丙,0,10,40\n丁,12,10,40\n戊,,10,40\n"
    fast, _ = _both(tmp_path, text, data)
    assert [o.total for o in fast[:4]] == [Decimal(100), Decimal(74), Decimal(20), Decimal(100)]
    assert [o.scores[1] for o in fast[:4]] == [Decimal(40), Decimal(20), Decimal(20), Decimal(40)]
    assert _messages(fast[4]) == ["no value for '完成数' in formula '达标 = 完成数 >= 计划数'"] * 2 + [
        "no value for '完成数' in formula '超 = 完成数 > 计划数'"
    ]
    _recorded(tmp_path, text, data)
    text = _READS.replace("if(指标1·分 >= 60, x, x/2)", "指标1·达标*x")
    fast, _ = _both(tmp_path, text, data)
    assert [o.scores[1] for o in fast] == [None] * 5
    assert _messages(fast[0]) == [
        "True (truth value) used where a number is needed in formula 'b = 指标1·达标*x'"
    ]
    assert _messages(fast[1]) == [
        "False (truth value) used where a number is needed in formula 'b = 指标1·达标*x'"
    ]


_BLANKS = "单位,完成数,计划数,y\n甲,10,10,1\n乙,9,0,1\n丙,,10,1\n丁,12,10,\n"


def test_truth_steps_over_a_divisor_of_0_and_blank_cells(tmp_path: Path) -> None:
    """Without a policy, 乙's 计划数 of 0 and 丙's blank 完成数 are the step's errors; the default for no
    data (30) takes both, and 丁's blank y too, where ``and`` reaches it (达标 holds: 12 ≥ 10)."""
    steps = 'steps = ["达标 = 完成数/计划数 >= 1 and y > 0"]\nscore = "if(达标 or y = 1, 100, 50)"\n'
    fast, _ = _both(tmp_path, _indicator(steps), _BLANKS)
    assert (fast[0].total, fast[1].total, fast[2].total, fast[3].total) == (Decimal(100), None, None, None)
    assert _messages(fast[1]) == [
        "division by zero in '达标 = 完成数/计划数 >= 1 and y > 0': '计划数' is 0 (with y=1, 完成数=9, 计划数=0)"
    ]
    assert _messages(fast[2]) == ["no value for '完成数' in formula '达标 = 完成数/计划数 >= 1 and y > 0'"]
    default = 'policies = [{ type = "default", score = 30 }]\n'
    fast, _ = _both(tmp_path, _indicator(steps + default), _BLANKS)
    assert [o.total for o in fast] == [Decimal(100), Decimal(30), Decimal(30), Decimal(30)]


def test_a_truth_value_through_a_second_step_and_in_a_function(tmp_path: Path) -> None:
    """x = 达标 keeps the truth value; ``if(x, 计划数/完成数×10, 0)``: 甲 10, 丁
    10/12 × 10 = 25/3; 乙 (9 ≥ 0) 0/9 × 10 = 0; 丙's blank the default. ``min(达标, 100)``: the per-unit program's error
    naming the truth value (True for 甲)."""
    text = _indicator(
        'steps = ["达标 = 完成数 >= 计划数", "x = 达标"]\nscore = "if(x, 计划数/完成数*10, 0)"\n'
        'policies = [{ type = "default", score = 30 }]\n'
    )
    fast, _ = _both(tmp_path, text, _BLANKS)
    assert [o.total for o in fast] == [Decimal(10), Decimal(0), Decimal(30), Fraction(25, 3)]
    fast, _ = _both(
        tmp_path, _indicator('steps = ["达标 = 完成数 >= 计划数"]\nscore = "min(达标, 100)"\n'), _BLANKS
    )
    assert _messages(fast[0]) == [
        "True (truth value) used where a number is needed in formula 'min(达标, 100)'"
    ]


# -- population values of a part over words or several values ----------------------------------------

_POP_HEAD = _HEAD.replace('name = "真值"', 'name = "词"') + (
    '\n[[indicators]]\ncode = "1"\nname = "甲"\ngroup = "组1"\nweight = 100\n'
)
_WORDS = (
    _POP_HEAD
    + 'steps = [{ type = "part", target = "评价分", scale = { rule = "优—6分;良—4分;合格—2分;不合格—0分" }, '
    'of = "评价" }]\nscore = "评价分/max_of(评价分)*分值"\n'
)
_SEVERAL = (
    _POP_HEAD
    + 'steps = [{ type = "part", target = "p", scale = { rule = "优：a≥90 and b≥90；良：a<90 or b<90", '
    'scoring = "midpoint" } }]\nscore = "p/max_of(p)*分值"\n'
)


def test_a_population_value_of_a_part_over_words(tmp_path: Path) -> None:
    """max_of(评价分) over the words graded by the part (优 6): 甲 100, 乙 (良 4) 200/3, 丙 (合格 2)
    100/3; 丁's blank word, 戊's word not in the scale and 己's number put nothing in and are each the
    step's error. Without 优 in the batch the max is 良's 4: 甲 and 乙 100, 丙 50."""
    data = "单位,评价\n甲,优\n乙,良\n丙,合格\n丁,\n戊,不知\n己,5\n"
    fast, _ = _both(tmp_path, _WORDS, data)
    assert [o.total for o in fast[:3]] == [Decimal(100), Fraction(200, 3), Fraction(100, 3)]
    assert [_messages(o) for o in fast[3:]] == [
        ["no value for '评价' in formula '评价分 = grade of 评价'"],
        ["no grade '不知' in this scale (grades: 优, 良, 合格, 不合格)"],
        ["no grade '5' in this scale (grades: 优, 良, 合格, 不合格)"],
    ]
    fast, _ = _both(tmp_path, _WORDS, "单位,评价\n甲,良\n乙,良\n丙,合格\n")
    assert [o.total for o in fast] == [Decimal(100), Decimal(100), Decimal(50)]
    _recorded(tmp_path, _WORDS, "单位,评价\n甲,良\n乙,良\n丙,合格\n")


def test_a_population_value_of_a_part_over_several_values(tmp_path: Path) -> None:
    """max_of(p), p the midpoint of 优 (a, b ≥ 90: 95) or 良 (85): 甲 and 丁 (90, 90: on the boundary)
    100, 乙 85/95 × 100 = 1700/19; 丙's blank a is the step's error and puts nothing in."""
    data = "单位,a,b\n甲,95,90\n乙,95,80\n丙,,90\n丁,90,90\n"
    fast, _ = _both(tmp_path, _SEVERAL, data)
    assert [o.total for o in fast] == [Decimal(100), Fraction(1700, 19), None, Decimal(100)]
    assert _messages(fast[2]) == ["no value for 'a' in formula 'a>=90 and b>=90'"]


def test_a_population_value_over_a_truth_value_takes_only_numbers(tmp_path: Path) -> None:
    """max_of(if(超, 完成数, 超)): a unit whose 完成数 is not over its plan gives a truth value, which the
    per-unit program puts nothing in for: the max is 丁's 12 alone (丁 100). The others have no value
    of max_of, which they do not read (``if(超, …, 0)`` is 0 there): scored 0, as the per-unit program
    scores them. Where the formula reads it (``完成数/max_of(…)`` whatever 超), their error names it."""
    text = _indicator(
        'steps = ["超 = 完成数 > 计划数"]\nscore = "if(超, 完成数/max_of(if(超, 完成数, 超))*100, 0)"\n'
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast] == [Decimal(0), Decimal(0), Decimal(0), Decimal(100)]
    _recorded(tmp_path, text, _DATA)
    text = text.replace(
        "if(超, 完成数/max_of(if(超, 完成数, 超))*100, 0)", "完成数/max_of(if(超, 完成数, 超))*100"
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast] == [None, None, None, Decimal(100)]
    assert _messages(fast[0])[0].startswith("no value for 'max_of(if(超, 完成数, 超))' in formula")


def test_a_condition_that_raises_beside_a_default_for_no_data_is_the_indicators_error(tmp_path: Path) -> None:
    """With a default for no data, what an ``if()`` condition's comparison cannot work out (a clamp
    whose bounds are crossed, a truth value compared) is still the indicator's error — the columns
    once lost that mark and gave 1 or 2 — also before a division by 0 later in the comparison
    (乙, 戊: the per-unit program stops at the first operand), which the default takes only where it
    comes first. 丙's blank 完成数 is read before the crossed clamp() works out its bounds: the
    default (30), as in the per-unit program. A truth value compared is refused once both operands
    are worked out: 乙's and 戊's division by 0 comes first there, and 丙's blank in the step before
    (the default: 30)."""
    data = "单位,完成数,计划数\n甲,10,10\n乙,9,0\n丙,,10\n丁,12,10\n戊,0,0\n"
    default = 'policies = [{ type = "default", score = 30 }]\n'
    text = _indicator('score = "if(clamp(完成数, 5, 1) >= 完成数/计划数, 1, 2)"\n' + default)
    found = _sent_back(tmp_path, text, data, head="", sent_back=())
    assert [found[u][0] for u in "甲乙丙丁戊"] == [None, None, Decimal(30), None, None]
    assert found["乙"][3] == [
        "clamp(): lower bound 5 is above upper bound 1 in formula 'if(clamp(完成数, 5, 1) >= 完成数/计划数, 1, 2)'"
    ]
    text = _indicator('steps = ["达标 = 完成数 >= 1"]\nscore = "if(达标 >= 完成数/计划数, 1, 2)"\n' + default)
    found = _sent_back(tmp_path, text, data, head="")
    assert [found[u][0] for u in "甲乙丙丁戊"] == [None, Decimal(30), Decimal(30), None, Decimal(30)]
    assert found["甲"][3] == [
        "a truth value cannot be compared as a number in formula 'if(达标 >= 完成数/计划数, 1, 2)'"
    ]
