"""A rule on a unit's total that cannot be worked out is that unit's error in the column program, worded
by the per-unit program's own last part (scoring/unittotal, run by scoring/coltotalerrors): the same
outcome as the per-unit program's, on every path.

Each kind has a hand-made scheme and CSV (overall grading, caps and flags reading a result the unit
lacks or a blank cell, a scheme veto reading a blank, a total formula, a total past the number bounds,
weights read per unit by a unit with periods); the generated schemes of the differential tests show
that every unit whose total the columns could not finish either gets the per-unit program's error or
has none.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings

from column_cases import first_bands, recorded_run, score_both, second_indicator
from column_cases import outcome_key as _key
from perfrules.scoring.coltotalerrors import TotalFailed
from test_differential import cases

_HEAD = """
name = "总分错误"
basis = "points"
total = 100
groups = [{ name = "组1" }, { name = "组2" }]
"""

# 指标1 (60, 组1) does not apply where 不适用1 = 1; 指标2 (40, 组2) always does.
_INDICATORS = """
[[indicators]]
code = "1"
name = "指标1"
group = "组1"
weight = 60
score = "值1"
policies = [{ type = "not_applicable", when = "不适用1=1" }]
""" + second_indicator("组2")

_RATE_BANDS = "\n" + first_bands("指标1得分率>=0.9", "指标1得分率>=0.6", "指标1得分率>=0")

_DATA = "单位,不适用1,值1,值2\n甲,0,57,36\n乙,1,,30\n"


def _both(tmp_path: Path, scheme_text: str, data: str) -> tuple[list[Any], list[Any]]:
    """The column program's outcomes and the per-unit program's, for the same batch: the column
    program sends no unit back, each outcome is the per-unit program's field by field, and the
    paths (API explained and not, CLI CSV and JSON) agree."""
    found = score_both(tmp_path, scheme_text, data)
    return found.fast, found.slow


def test_overall_bands_reading_the_rate_of_an_indicator_that_does_not_apply(tmp_path):
    """乙's 指标1 does not apply, so it has no 指标1得分率 for the bands to read: its error, with the
    names of its scope that look close (results and groups), its score (30 of 40: 75 with the weight
    moved) kept; 甲: 57/60 = 0.95 优, total 57 + 36 = 93."""
    fast, _ = _both(tmp_path, _HEAD + _INDICATORS + _RATE_BANDS, _DATA)
    assert (fast[0].total, fast[0].grade) == (Decimal(93), "优")
    (error,) = fast[1].errors
    assert (error.indicator, error.error) == (None, "MissingValueError")
    assert error.message == (
        "no value for '指标1得分率' in formula '指标1得分率>=0.9'; did you mean '指标2得分率', '指标2得分', "
        "'组2得分率'?"
    )
    assert (fast[1].total, fast[1].grade, fast[1].scores) == (None, None, [None, Decimal(30)])


def test_a_flag_and_a_cap_reading_a_group_without_a_score(tmp_path):
    """组1's only indicator does not apply to 乙: no 组1得分 for the cap to read (its error); the flag
    on 指标2得分率 has not run then. 甲 (组1得分 57 > 0) is graded 良 by its total and flagged."""
    text = (
        _HEAD
        + _INDICATORS
        + """
[overall]
rule = "优：总分>=95；良：60<=总分<95；差：总分<60"
[[caps]]
when = "组1得分<=0"
grade = "差"
[[flags]]
label = "不能评先"
when = "指标2得分率<95%"
"""
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert (fast[0].total, fast[0].grade, fast[0].flags) == (Decimal(93), "良", ("不能评先",))
    (error,) = fast[1].errors
    assert error.message.startswith("no value for '组1得分' in formula '组1得分<=0'")
    assert fast[1].flags == () and fast[1].total is None


def test_a_cap_reading_a_blank_cell_keeps_the_grade_note_before_it(tmp_path):
    """乙's 事故 is blank: the cap cannot be worked out (its error, field 事故); the note of the band
    that graded it comes first, as the per-unit program gives it. 丙's 事故 is 2: one grade down."""
    text = (
        _HEAD
        + _INDICATORS
        + _RATE_BANDS
        + """
[[caps]]
when = "事故>0"
demote = 1
"""
    )
    fast, _ = _both(tmp_path, text, "单位,不适用1,值1,值2,事故\n甲,0,57,36,0\n乙,0,57,36,\n丙,0,57,36,2\n")
    (error,) = fast[1].errors
    assert (error.field, error.message) == ("事故", "no value for '事故' in formula '事故>0'")
    assert [e.kind for e in fast[1].events] == ["grade"]
    assert (fast[2].grade, [e.kind for e in fast[2].events]) == ("良", ["grade", "grade_cap"])


def test_a_scheme_veto_reading_a_blank_cell(tmp_path):
    """The scheme's veto reads 否决: blank for 乙, its error (every indicator scored: 57 and 36 kept)."""
    text = (
        _HEAD
        + '[[policies]]\ntype = "veto"\nwhen = "否决>0"\neffect = "lowest_grade"\n'
        + _INDICATORS
        + '[overall]\nrule = "优：总分>=90；良：60<=总分<90；差：总分<60"\n'
    )
    fast, _ = _both(tmp_path, text, "单位,不适用1,值1,值2,否决\n甲,0,57,36,1\n乙,0,57,36,\n")
    assert (fast[0].total, fast[0].grade, fast[0].vetoed) == (Decimal(93), "差", True)
    assert [(e.field, e.error) for e in fast[1].errors] == [("否决", "MissingValueError")]
    assert fast[1].scores == [Decimal(57), Decimal(36)] and fast[1].total is None


def test_a_scheme_adjustment_reading_a_result_the_unit_lacks(tmp_path):
    """A bonus per point of 指标1得分: 乙's 指标1 does not apply, so the adjustment cannot be made."""
    text = (
        _HEAD
        + '[[policies]]\ntype = "adjust"\nper = "指标1得分"\npoints = 0.1\ncap = 3\n'
        + _INDICATORS
        + '[overall]\nrule = "优：总分>=90；良：60<=总分<90；差：总分<60"\n'
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert fast[0].errors == [] and fast[0].grade == "优"
    assert fast[1].errors and fast[1].errors[0].indicator is None and "指标1得分" in fast[1].errors[0].message


def test_a_total_formula_reading_a_blank_cell(tmp_path):
    """总分 = 组1得分 + 组2得分 + 奖励: 乙's 奖励 is blank (its error); 甲: 57 + 36 + 2 = 95."""
    text = (
        _HEAD
        + 'total_formula = "组1得分+组2得分+奖励"\n'
        + _INDICATORS
        + '[overall]\nrule = "优：总分>=90；良：60<=总分<90；差：总分<60"\n'
    )
    fast, _ = _both(tmp_path, text, "单位,不适用1,值1,值2,奖励\n甲,0,57,36,2\n乙,0,57,36,\n")
    assert (fast[0].total, fast[0].grade) == (Decimal(95), "优")
    assert fast[1].errors[0].message.startswith("no value for '奖励'")


def test_a_total_beyond_the_number_bounds(tmp_path, monkeypatch):
    """甲's shares have 19-digit denominators: its exact total needs about 190 bits, past 128 — its
    error names the indicator where the running total leaves the bounds; 乙 is scored (50)."""
    import perfrules._numbers as numbers
    from perfrules import Limits

    text = 'name = "界限"\ngroups = [{ name = "组" }]\n'
    for i in (1, 2, 3):
        text += (
            f'[[indicators]]\ncode = "{i}"\nname = "项{i}"\ngroup = "组"\nweight = {34 if i == 1 else 33}\n'
        )
        text += f'score = "a{i}/b{i}×100"\n'
    data = (
        "单位,a1,b1,a2,b2,a3,b3\n"
        "甲,1,1234567891234567891,1,1234567891234567893,1,1234567891234567897\n"
        "乙,1,2,1,4,3,4\n"
    )
    monkeypatch.setattr(numbers, "LIMITS", Limits(max_bits=128))
    fast, _ = _both(tmp_path, text, data)
    assert fast[1].total == Decimal(50)
    (error,) = fast[0].errors
    assert (error.error, error.indicator) == ("NumberTooLargeError", "3")
    assert "outgrows the number bounds" in error.message and fast[0].scores == []


def test_weights_read_by_a_unit_with_periods(tmp_path):
    """乙 reports a quarter and leaves 值1 blank, which its quarter may give (so its columns leave it
    before its weights are read): 分值2 = 45 makes 105,
    not 100 — its error, as the per-unit program gives it before scoring any indicator."""
    text = """
name = "读权重"
basis = "points"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 60
score = "值1"
policies = [{ type = "not_applicable", missing = true }]
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight_from = "分值2"
full = 40
score = "值2"
"""
    data = "单位,期间,值1,值2,分值2\n甲,,50,30,40\n乙,,,30,45\n乙,一季度,,,\n"
    fast, _ = _both(tmp_path, text, data)
    assert fast[0].total == Decimal(80)
    (error,) = fast[1].errors
    assert error.message.startswith("the unit's weights add up to 105分, not 100分")


_CORPUS = settings(
    max_examples=int(os.environ.get("DIFF_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@given(case=cases())
@_CORPUS
def test_every_unit_whose_total_the_columns_cannot_finish_gets_the_per_unit_error(case):
    """On the differential tests' generated schemes and data, each unit whose indicators the columns all
    worked out but whose total they did not finish either has its errors from the per-unit program's
    code, and then its outcome is that program's field by field, or goes back to it, which then finds
    no error in it."""
    run = recorded_run(*case)
    if run is None:
        return
    fast, plan, scored = run.fast, run.plan, run.scored
    whole = scored.failures.whole if scored.failures is not None else None
    if whole is None:
        return
    for i in (whole & ~scored.ok).nonzero()[0].tolist():
        slow = run.per_unit(i)
        found = scored.errors.get(i)
        if isinstance(found, TotalFailed):
            event("a unit's total not finished: its error from the per-unit code")
            assert fast[i] is not None and _key(fast[i]) == _key(slow)
        elif found is None:
            event("a unit's total not finished: sent back (no error)")
            assert fast[i] is None
            assert not slow.errors or plan.periodic, run.units[i].name


def test_vetoes_beside_group_means(tmp_path):
    """Group means (a geometric mean of 指标1 and 指标2's rates) beside vetoes: 甲's 指标1 veto fires
    (lowest grade, its note before the mean's), 乙's 指标3 veto zeroes its total, 丙 the scheme's veto;
    丁's 事故1 is blank (指标1's error) and 戊's 否决 (the scheme veto's error). 己: 30 × √(0.64 × 1)
    = 24, + 15 = 39 (差)."""
    text = """
name = "平均与否决"
basis = "points"
total = 60
groups = [{ name = "质量", aggregate = "geometric", places = 2 }, { name = "满意" }]
[[policies]]
type = "veto"
when = "否决>0"
effect = "lowest_grade"
[overall]
rule = "优：总分>=50；良：40<=总分<50；差：总分<40"
[[indicators]]
code = "1"
name = "健康"
group = "质量"
weight = 15
score = "分值×率1"
policies = [{ type = "veto", when = "事故1>0", effect = "lowest_grade" }]
[[indicators]]
code = "2"
name = "教育"
group = "质量"
weight = 15
score = "分值×率2"
[[indicators]]
code = "3"
name = "满意度"
group = "满意"
weight = 30
score = "分值×率3"
policies = [{ type = "veto", when = "事故3>0", effect = "zero" }]
"""
    data = (
        "单位,率1,率2,率3,事故1,事故3,否决\n"
        "甲,1,1,1,1,0,0\n乙,1,1,1,0,1,0\n丙,1,1,1,0,0,1\n丁,1,1,1,,0,0\n戊,1,1,1,0,0,\n"
        "己,0.64,1,0.5,0,0,0\n"
    )
    fast, _ = _both(tmp_path, text, data)
    assert [(o.total, o.grade, o.vetoed) for o in fast] == [
        (Decimal(60), "差", True),
        (Decimal(0), "差", True),
        (Decimal(60), "差", True),
        (None, None, False),
        (None, None, False),
        (Decimal(39), "差", False),
    ]
    assert fast[0].events[0].kind == "veto" and fast[0].subtotals
    assert [(e.indicator, e.field) for e in fast[3].errors] == [("1", "事故1")]
    assert [(e.indicator, e.field) for e in fast[4].errors] == [(None, "否决")]
