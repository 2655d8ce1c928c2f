"""The last non-periodic forms the column program compiles that it once left to the per-unit program.

Each test writes a small scheme in one form (with boundary values and blank cells in its data),
checks that the plan compiles, that the column program sends no unit back and gives each unit the
per-unit program's outcome (total, grade, scores, errors, notes), and that every path (the API with
and without explanations, the command line's CSV and JSON) agrees (``_both``); hand-worked numbers
pin what the two agree on.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from column_cases import SCORES_FOUR as _SCORES
from column_cases import work_head
from perfrules import load, load_units
from test_column_forms2 import _both as _sent_back
from test_column_record import RECORDED, _compare
from test_column_total_errors import _both

# -- 1. a total formula reading grades of indicators with population values or results ---------------

_GRADES = (
    """
name = "总分公式等次"
basis = "points"
total = 100
groups = [{ name = "组1" }]
total_formula = "指标1得分+指标2得分+if(指标1等次=1, 5, 0)-评为差的指标数"
"""
    + _SCORES
    + """
[[indicators]]
code = "1"
name = "完成率"
group = "组1"
weight = 60
score = "分值×值1/max_of(值1)"

[[indicators]]
code = "2"
name = "日常"
group = "组1"
weight = 40
score = "值2×指标1得分/60"
"""
)


def test_a_total_formula_reading_grades_of_indicators_with_population_values_and_results(
    tmp_path: Path,
) -> None:
    """指标1 reads ``max_of(值1)`` (60), 指标2 reads 指标1得分. 甲: 60/60 × 60 = 60 (优: 100%),
    指标2 40 × 60/60 = 40 (优): 60 + 40 + 5 = 105, no indicator 差, held at full marks 100. 乙: 54 of 60 (90%: 优, on the
    boundary), 指标2 40 × 54/60 = 36 (90%: 优): 54 + 36 + 5 = 95. 丙: 30 (50%: 差), 指标2 20 × 30/60
    = 10 (25%: 差): 30 + 10 - 2 = 38. 丁: 值1 blank, 指标1's error, and with it 指标2's."""
    data = "单位,值1,值2\n甲,60,40\n乙,54,40\n丙,30,20\n丁,,30\n"
    fast, slow = _both(tmp_path, _GRADES, data)
    assert [o.total for o in slow[:3]] == [Decimal(100), Decimal(95), Decimal(38)]
    assert [o.total for o in fast[:3]] == [Decimal(100), Decimal(95), Decimal(38)]
    assert slow[3].errors and fast[3].errors == slow[3].errors


# -- 2. steps read by other indicators that read other indicators' steps -----------------------------

_CHAIN = (
    work_head("读步骤链", versioned=False)
    + """
[[indicators]]
code = "1"
name = "完成"
group = "工作"
weight = 40
steps = ["a=完成数/任务数×分值"]
score = "a"

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 30
steps = ["b=指标1·a/2+x"]
score = "min(b, 分值)"

[[indicators]]
code = "3"
name = "其他"
group = "工作"
weight = 20
steps = ["d=指标2·b+指标1得分/10"]
score = "min(d, 分值)"

[[indicators]]
code = "4"
name = "末项"
group = "工作"
weight = 10
score = "min(指标3·d/2, 分值)"
"""
)


def test_read_steps_that_read_other_read_steps(tmp_path: Path) -> None:
    """指标4 reads 指标3·d, which reads 指标2·b (reading 指标1·a) and 指标1得分. 一: a = 45/50 × 40 = 36,
    b = 18 + 3 = 21, d = 21 + 3.6 = 24.6 (held to 20), 指标4 = 12.3 held to 10: 87 (良). 二: a = 40,
    b = 20, d = 24, 指标4 12 held to 10: 90 (优, on the boundary). 三: 8, 5, 5.8, 2.9: 21.7."""
    data = "单位,完成数,任务数,x\n一,45,50,3\n二,50,50,0\n三,10,50,1\n"
    fast, _ = _both(tmp_path, _CHAIN, data)
    assert [(o.total, o.grade) for o in fast] == [
        (Decimal(87), "良"),
        (Decimal(90), "优"),
        (Decimal("21.7"), "差"),
    ]
    assert list(fast[2].scores) == [Decimal(8), Decimal(5), Decimal("5.8"), Decimal("2.9")]


def test_read_steps_over_blank_cells_give_each_reader_the_steps_error(tmp_path: Path) -> None:
    """A blank cell a read step reads (四's x, 五's 完成数) leaves the step without a value: the column
    program gives each reader the step's error, as the per-unit program does (四: 指标2's own step and
    its readers 指标3 and 指标4; 五: 指标1 itself and every reader of 指标1·a)."""
    data = "单位,完成数,任务数,x\n一,45,50,3\n四,10,50,\n五,,50,1\n"
    got = _sent_back(tmp_path, _CHAIN, data, head="")
    assert got["四"][3] == ["no value for 'x' in formula 'b=指标1·a/2+x'"] * 3
    assert (got["四"][0], got["四"][2]) == (None, [Decimal(8), None, None, None])
    assert got["五"][3][0].startswith("no value for '完成数'")
    assert len(got["五"][3]) == 4 and got["五"][2] == [None] * 4


# -- 3. a power by a data value ----------------------------------------------------------------------

_POWER = (
    work_head("按数据乘方", versioned=False)
    + """
[[indicators]]
code = "1"
name = "乘方"
group = "工作"
weight = 60
score = "min(分值, 基数^次数)"

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
score = "值2"
"""
)


def test_a_power_by_a_data_value(tmp_path: Path) -> None:
    """``基数^次数`` per row, exact and bounded as the formula bounds it: 甲 3^2 = 9; 乙 2^-1 = 0.5; 壬
    1.5^-3 = 8/27; 己 2^64 (the largest exponent) held to 60. The rows the formula refuses are the
    units' errors, not sent back: 丙 0^-1 (a division by 0), 丁 1.5 and 戊 65 (not a whole number
    within 64), 庚 (10^49)^64 (past the number limits), 辛 (no exponent)."""
    big = "1" + "0" * 49
    data = (
        "单位,基数,次数,值2\n甲,3,2,30\n乙,2,-1,30\n丙,0,-1,30\n丁,2,1.5,30\n戊,2,65,30\n己,2,64,30\n"
        f"庚,{big},64,30\n辛,2,,30\n壬,1.5,-3,40\n"
    )
    fast, _ = _both(tmp_path, _POWER, data)
    assert [o.scores[0] for o in fast] == [
        9,
        Decimal("0.5"),
        None,
        None,
        None,
        60,
        None,
        None,
        Fraction(8, 27),
    ]
    assert [o.total is None for o in fast] == [False, False, True, True, True, False, True, True, False]
    assert fast[4].errors[0].message.startswith("exponent 65 must be a whole number from -64 to 64")
    assert fast[6].errors[0].message.startswith("the power ^64 of a 163-bit number would exceed")
    assert fast[2].errors[0].message.startswith("division by zero")


# -- 4. a column of words read as a number too -------------------------------------------------------

_WORDS_AS_NUMBERS = """
name = "词数"
total = 100
groups = [{ name = "组" }]

[[indicators]]
code = "1"
name = "审计"
group = "组"
weight = 50
value = "审计结论"
[indicators.scale]
rule = "好—95分;较好—85分;一般—70分;差—40分"

[[indicators]]
code = "2"
name = "数"
group = "组"
weight = 30
score = "审计结论×10"

[[indicators]]
code = "3"
name = "其他"
group = "组"
weight = 20
score = "值3"
"""


def test_a_column_of_words_read_as_a_number_too(tmp_path: Path) -> None:
    """审计结论 is graded by a word scale, so its cells are words (8 too); 指标2 reads it as a number:
    its error on every unit, as the per-unit program's, none sent back. 甲: 好 is 95 for 指标1, 指标2's
    error; 乙: blank, both errors (no value); 丙: 8 is no word of the scale and no number; 丁: 一般 70,
    指标2's error and 指标3's (值3 blank)."""
    data = "单位,审计结论,值3\n甲,好,90\n乙,,80\n丙,8,70\n丁,一般,\n"
    fast, _ = _both(tmp_path, _WORDS_AS_NUMBERS, data)
    assert [list(o.scores) for o in fast] == [
        [95, None, 90],
        [None, None, 80],
        [None, None, 70],
        [70, None, None],
    ]
    assert [[e.indicator for e in o.errors] for o in fast] == [["2"], ["1", "2"], ["1", "2"], ["2", "3"]]
    assert fast[0].errors[0].message.startswith("审计结论='好' (str) is not a number")


# -- 5. the explanation of a word scale without value ------------------------------------------------

_UNNAMED = (
    work_head("无值词表", versioned=False)
    + """
[[indicators]]
code = "1"
name = "审计"
group = "工作"
weight = 60
scale = { bands = [{ name = "优" }, { name = "良" }, { name = "中" }, { name = "差" }] }
steps = ["a=值2×2"]
policies = [{ type = "default", grade = "中" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
score = "值2"
"""
)


def test_a_word_scale_without_value_is_explained_from_the_record(tmp_path: Path) -> None:
    """No value names what 指标1's word scale grades: every unit takes its default for no data (中's
    midpoint, 70% of 60 = 42), after its step a = 值2 × 2 (kept among its values). The explanations
    are the record's, each the per-unit program's (``_compare``): 一 42 + 30 = 72, 二 42 + 40 = 82."""
    data = "单位,审计,值2\n一,优,30\n二,,40\n"
    fast, _ = _both(tmp_path, _UNNAMED, data)
    assert [o.total for o in fast] == [Decimal(72), Decimal(82)]
    scheme = load(tmp_path / "s.toml")
    assert _compare(scheme, list(load_units(tmp_path / "d.csv", scheme=scheme))) == {RECORDED: 2}
