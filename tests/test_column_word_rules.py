"""Rules after the indicators that read a column of words, in the column program, against the per-unit program.

A column a word scale reads (审计结论: 好, 较好 …) holds words. The formula language has no words of
its own: a condition or formula that reads such a column as a number raises on a word (``审计结论='好'
(str) is not a number``), on a blank (no value) too, and one that does not reach it (``值3 = 1 and
…``, ``if(…)``) reads nothing there; a scale with ``levels`` reads a word as its level. The column
program hands each rule's own code the words as the units' data holds them, once per distinct input:
scheme-wide vetoes and adjustments, a total formula, overall bands, caps and flags, grades per period,
and per-unit parameters joined into a column of words. Each test checks that the scheme compiles,
that the column program's outcomes are the per-unit program's field by field (totals, grades,
errors worded the same, events, flags), that every path agrees, and that explanations from the
record are the per-unit program's; hand-worked numbers pin what they agree on.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from column_cases import score_both
from oracle import score_unit
from perfrules import Unit, loads
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_column_failures import _key
from test_column_record import RECORDED, _compare

_HEAD = """
name = "词规则"
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
name = "审计"
group = "组1"
weight = 60
value = "审计结论"
[indicators.scale]
rule = "好—60分;较好—48分;一般—36分;差—24分"

[[indicators]]
code = "2"
name = "二"
group = "组1"
weight = 40
score = "值2"
"""

# 甲 好, 乙 差 (veto-free rows 值3 = 0), 丙 blank, 丁 a number written as text (no word of the scale),
# 戊 a word with spaces and full-width letters around it (the reader keeps the word), 己 一般 with
# 值3 = 0 (the rules that do not reach the word decide it).
_DATA = "单位,审计结论,值2,值3\n甲,好,30,1\n乙,差,40,0\n丙,,20,1\n丁,8,10,0\n戊, 较好 ,35,0\n己,一般,25,1\n"


def _agree(tmp_path: Path, text: str, data: str = _DATA) -> list[Any]:
    """The column program's outcomes, which are the per-unit program's field by field (none sent
    back); every path agrees and every unit is explained from the record as the per-unit program
    explains it."""
    found = score_both(tmp_path, text, data)
    fast = found.fast
    by = _compare(found.scheme, found.units)
    scored = sum(1 for f in fast if f is not None and not f.errors)
    assert by[RECORDED] >= scored, by
    return fast


def _word_error(name: str, word: str, formula: str) -> str:
    return f"{name}='{word}' (str) is not a number; give an int, float, Decimal or Fraction in formula '{formula}'"


def test_a_scheme_veto_reading_a_column_of_words(tmp_path: Path) -> None:
    """``值3 = 1 and 审计结论 = 1``: where 值3 is 0 the word is not read (乙 40 + 40 = 80 良, 丁's scale
    error, 戊 80×0.6 + 35 = 83); where 值3 is 1 the word is read as a number: the unit's error
    (甲 好, 己 一般), or for 丙 no value (beside 指标1's)."""
    when = "值3 = 1 and 审计结论 = 1"
    text = _HEAD + f'\n[[policies]]\ntype = "veto"\nwhen = "{when}"\neffect = "zero"\n'
    fast = _agree(tmp_path, text)
    assert [(o.total, o.grade) for o in fast] == [
        (None, None),
        (Decimal(64), "中"),
        (None, None),
        (None, None),
        (Decimal(83), "良"),
        (None, None),
    ]
    assert [(e.indicator, e.message) for e in fast[0].errors] == [(None, _word_error("审计结论", "好", when))]
    assert [e.indicator for e in fast[2].errors] == ["1", None]
    assert fast[2].errors[1].message.startswith("no value for '审计结论'")
    assert [e.indicator for e in fast[3].errors] == ["1"]
    assert fast[5].errors[0].message == _word_error("审计结论", "一般", when)


def test_an_adjustment_and_a_total_formula_reading_a_column_of_words(tmp_path: Path) -> None:
    """The adjustment's cap ``if(值3 = 1, 审计结论, 5)`` reads the word where 值3 is 1 (the unit's
    error), 5 elsewhere: 乙 +3 (表彰 3), 戊 +5 (capped); the total formula ``if(值3 = 0, 组1得分,
    审计结论)`` gives 组1得分 where 值3 is 0."""
    text = (
        _HEAD.replace('name = "词规则"', 'name = "词规则"\ntotal_formula = "if(值3 = 0, 组1得分, 审计结论)"')
        + '\n[[policies]]\ntype = "adjust"\nper = "表彰"\npoints = 1\ncap = "if(值3 = 1, 审计结论, 5)"\n'
    )
    data = (
        "单位,审计结论,值2,值3,表彰\n甲,好,30,1,2\n乙,差,40,0,3\n丙,,20,1,0\n戊,较好,35,0,9\n己,一般,25,1,0\n"
    )
    fast = _agree(tmp_path, text, data)
    assert [(o.total, o.grade) for o in fast] == [
        (None, None),
        (Decimal(67), "中"),
        (None, None),
        (Decimal(88), "良"),
        (None, None),
    ]
    assert fast[0].errors[0].message == _word_error("审计结论", "好", "if(值3 = 0, 组1得分, 审计结论)")
    assert [e.kind for e in fast[1].events] == ["total_formula", "adjust"]


_LEVELS = """
[overall]
policy = "first"
[overall.levels]
"好" = 3
"较好" = 2
"一般" = 1
"差" = 0
[[overall.bands]]
name = "优"
conditions = ["总分 >= 80 and 审计结论 >= 较好"]
[[overall.bands]]
name = "良"
conditions = ["总分 >= 60"]
[[overall.bands]]
name = "差"
conditions = ["总分 >= 0"]
"""


def test_overall_bands_with_levels_reading_a_column_of_words(tmp_path: Path) -> None:
    """The bands read 审计结论 by its levels: 甲 (好, 60 + 30 = 90) 优; 戊 (较好, 48 + 35 = 83) 优;
    乙 (差, 24 + 40 = 64) 良; 己 (一般 36 + 25 = 61) 良; 丙 and 丁: 指标1's error."""
    fast = _agree(tmp_path, _HEAD + _LEVELS)
    assert [(o.total, o.grade) for o in fast] == [
        (Decimal(90), "优"),
        (Decimal(64), "良"),
        (None, None),
        (None, None),
        (Decimal(83), "优"),
        (Decimal(61), "良"),
    ]


def test_a_cap_and_a_flag_reading_a_column_of_words(tmp_path: Path) -> None:
    """The cap ``值3 = 1 and 审计结论 = 0`` reads the word where 值3 is 1: the unit's error (甲, 己);
    the flag ``值3 = 0 or 审计结论 = 0`` holds where 值3 is 0 (乙, 戊: flagged) and reads the word
    elsewhere."""
    text = (
        _HEAD
        + '\n[[caps]]\nwhen = "值3 = 1 and 审计结论 = 0"\ngrade = "良"\n'
        + '\n[[flags]]\nlabel = "不能评先"\nwhen = "值3 = 0 or 审计结论 = 0"\n'
    )
    fast = _agree(tmp_path, text)
    assert [(o.total, o.grade, o.flags) for o in fast[:2]] == [
        (None, None, ()),
        (Decimal(64), "中", ("不能评先",)),
    ]
    assert (fast[4].total, fast[4].grade, fast[4].flags) == (Decimal(83), "良", ("不能评先",))
    assert fast[0].errors[0].message == _word_error("审计结论", "好", "值3 = 1 and 审计结论 = 0")


def test_a_per_unit_parameter_read_as_words(tmp_path: Path) -> None:
    """审计结论 is a parameter too: 丙 (blank) takes the table's 1, which is no word of the scale (its
    error, as the per-unit program's); 甲 keeps its own word 好 over the table's 2."""
    text = _HEAD.replace(
        'name = "词规则"', 'name = "词规则"\nparameters = { "审计结论" = { "甲" = 2, "丙" = 1 } }'
    )
    fast = _agree(tmp_path, text)
    assert (fast[0].total, fast[0].grade) == (Decimal(90), "优")
    assert [e.indicator for e in fast[2].errors] == ["1"]


def test_overall_bands_with_levels_on_a_column_no_indicator_reads(tmp_path: Path) -> None:
    """评价 is read by the overall bands' levels only (the readers keep its words): 甲 (90, 好) 优, 乙 (64)
    良, 丙 (指标1's error), 丁 ``8`` (no level: the grading's error, worded as the per-unit program's),
    戊 (83, 较好) 优, 己 (61, 一般) 良."""
    text = _HEAD + _LEVELS.replace("审计结论 >= 较好", "评价 >= 较好")
    data = "单位,审计结论,值2,评价\n甲,好,30,好\n乙,差,40,差\n丙,,20,好\n丁,一般,10,8\n戊,较好,35,较好\n己,一般,25,\n"
    fast = _agree(tmp_path, text, data)
    assert [(o.total, o.grade) for o in fast] == [
        (Decimal(90), "优"),
        (Decimal(64), "良"),
        (None, None),
        (None, None),
        (Decimal(83), "优"),
        (Decimal(61), "良"),
    ]
    assert fast[3].errors[0].message.startswith("评价='8' is not one of the levels")


_PERIODS = """
name = "季度词"
basis = "points"
total = 100
periods = "mean"
period_grades = true
groups = [{ name = "考核" }]

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


def test_a_grade_per_period_reading_a_column_of_words(tmp_path: Path) -> None:
    """Each quarter's grade reads 评价 by the levels, the quarter's own word where its row gives one
    (else the year's). 甲: 一季度 38 + 50 = 88 with 好 → 优; 二季度 36 + 50 = 86 with its own 差 → 良;
    the year (37 + 50 = 87, 好) 优. 乙 (一般): 一季度 40 + 50 = 90 with 一般 → 良; 二季度 34 + 50 = 84
    with its own 较好 → 优; the year 87 → 良."""
    text = _PERIODS + _LEVELS.replace("审计结论 >= 较好", "评价 >= 较好")
    data = (
        "单位,期间,经济,安全,评价\n甲,,,50,好\n甲,一季度,38,,\n甲,二季度,36,,差\n"
        "乙,,,50,一般\n乙,一季度,40,,\n乙,二季度,34,,较好\n"
    )
    fast = _agree(tmp_path, text, data)
    assert [(o.total, o.grade) for o in fast] == [(Decimal(87), "优"), (Decimal(87), "良")]
    assert [[(p.period, p.total, p.grade) for p in o.periods] for o in fast] == [
        [("一季度", Decimal(88), "优"), ("二季度", Decimal(86), "良")],
        [("一季度", Decimal(90), "良"), ("二季度", Decimal(84), "优")],
    ]


_NAMED = """
name = "组名"
basis = "points"
total = 100
groups = [{ name = "考核得分" }, { name = "评为先进", parent = "考核得分" }, { name = "其他" }]

[overall]
policy = "first"
[[overall.bands]]
name = "优"
conditions = ["考核得分得分率 >= 0.9 and 评为先进得分 >= 20"]
[[overall.bands]]
name = "良"
conditions = ["总分 >= 0"]

[[indicators]]
code = "1"
name = "一"
group = "考核得分"
weight = 30
score = "值1"

[[indicators]]
code = "2"
name = "二"
group = "评为先进"
weight = 30
score = "值2"

[[indicators]]
code = "3"
name = "三"
group = "其他"
weight = 40
score = "值3"
"""


def test_overall_grading_reading_groups_whose_names_end_in_a_score_or_begin_like_a_count(
    tmp_path: Path,
) -> None:
    """考核得分得分率 is the rate of the group 考核得分 (指标1 and, through 评为先进, 指标2: 60 points), not
    of a group 考核; 评为先进得分 is a group's score, not a count of grades. 甲: (30 + 24) / 60 = 90% and
    24 ≥ 20 → 优 (94); 乙: (30 + 18) / 60 = 80% → 良 (88); 丙: 值2 blank, 指标2's error."""
    data = "单位,值1,值2,值3\n甲,30,24,40\n乙,30,18,40\n丙,30,,40\n"
    fast = _agree(tmp_path, _NAMED, data)
    assert [(o.total, o.grade) for o in fast] == [(Decimal(94), "优"), (Decimal(88), "良"), (None, None)]
    assert [e.indicator for e in fast[2].errors] == ["2"]


def _not_applicable(*whens: str) -> str:
    rules = ", ".join(f'{{ type = "not_applicable", when = "{w}" }}' for w in whens)
    return _HEAD.replace('score = "值2"', f'score = "值2"\npolicies = [{rules}]')


def test_a_not_applicable_rule_reading_a_column_of_words(tmp_path: Path) -> None:
    """``值3 = 0 or 审计结论 = 1``: where 值3 is 0 the rule holds without reading the word (乙 24 of 60
    points, 指标2 not applicable: its 40 move to 指标1 → 24 × 100/60 = 40; 戊 48 → 80); where 值3 is 1
    it reads the word: 指标2's error (甲, 己; 丙 no value, beside 指标1's); 庚's 值3 is blank:
    指标2's error (no value)."""
    data = _DATA + "庚,好,30,\n"
    fast = _agree(tmp_path, _not_applicable("值3 = 0 or 审计结论 = 1"), data)
    assert [(o.total, o.grade) for o in fast] == [
        (None, None),
        (Decimal(40), "差"),
        (None, None),
        (None, None),
        (Decimal(80), "良"),
        (None, None),
        (None, None),
    ]
    assert [(e.indicator, e.message) for e in fast[0].errors] == [
        ("2", _word_error("审计结论", "好", "值3 = 0 or 审计结论 = 1"))
    ]
    assert [e.indicator for e in fast[2].errors] == ["1", "2"]
    assert [e.indicator for e in fast[6].errors] == ["2"]
    assert fast[6].errors[0].message.startswith("no value for '值3'")


def test_not_applicable_rules_in_order_the_first_that_holds_stops_the_others(tmp_path: Path) -> None:
    """The first rule (值2 >= 35) holds for 乙 (40) and 戊 (35): the second, which reads the word, is not
    read there (指标2 not applicable: 乙 24 → 40, 戊 48 → 80); the others read it: 指标2's error."""
    fast = _agree(tmp_path, _not_applicable("值2 >= 35", "审计结论 = 1"))
    assert [(o.total, o.grade) for o in fast if not o.errors] == [(Decimal(40), "差"), (Decimal(80), "良")]
    assert [o.unit.name for o in fast if not o.errors] == ["乙", "戊"]
    assert fast[0].errors[0].message == _word_error("审计结论", "好", "审计结论 = 1")


_FORMS = {
    "veto": _HEAD + '\n[[policies]]\ntype = "veto"\nwhen = "值3 = 1 and 审计结论 = 1"\neffect = "zero"\n',
    "adjustment": _HEAD
    + '\n[[policies]]\ntype = "adjust"\nper = "表彰"\npoints = 1\ncap = "if(值3 = 1, 审计结论, 5)"\n',
    "total formula": _HEAD.replace(
        'name = "词规则"', 'name = "词规则"\ntotal_formula = "if(值3 = 0, 组1得分, 审计结论)"'
    ),
    "levels": _HEAD + _LEVELS,
    "levels only": _HEAD + _LEVELS.replace("审计结论 >= 较好", "评价 >= 较好"),
    "cap and flag": _HEAD
    + '\n[[caps]]\nwhen = "值3 = 1 and 审计结论 = 0"\ngrade = "良"\n'
    + '\n[[flags]]\nlabel = "不能评先"\nwhen = "值3 = 0 or 审计结论 = 0"\n',
    "not applicable": _not_applicable("值3 = 0 or 审计结论 = 1"),
    "not applicable in order": _not_applicable("值2 >= 35", "审计结论 = 1"),
    "parameter": _HEAD.replace(
        'name = "词规则"', 'name = "词规则"\nparameters = { "审计结论" = { "u0" = 2, "u9" = 1 } }'
    ),
}

# What the API may hand in for a column of words: words, spaced or full-width, a blank text, a number
# written as text, numbers of every kind, a truth value, nothing.
_GIVEN = ["好", " 好", "好 ", "较好", "差", "ＡＢ", "", "1", None, Decimal(1), 1, Decimal("1.0"), 1.5, True]


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_every_form_on_values_the_api_hands_in(form: str) -> None:
    """Units given through the API (their cells as handed in, no reader in between): every one the
    column program scores is the per-unit program's, field by field, and none goes back to it."""
    plan = plan_of(loads(_FORMS[form]))
    assert program_of(plan) is not None, plan.program_why
    units = []
    for v in _GIVEN:
        for w in (Decimal(0), Decimal(1), None):
            data: dict[str, object] = {"值2": Decimal(30 if w is not None else 40), "表彰": Decimal(3)}
            if v is not None:
                data["审计结论"] = data["评价"] = v
            if w is not None:
                data["值3"] = w
            units.append(Unit(name=f"u{len(units)}", data=data))
    fast = score_columns(plan, units, {})
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    assert all(f is not None for f in fast), [u.data for u, f in zip(units, fast, strict=True) if f is None]
    assert [_key(f) for f in fast] == [_key(s) for s in slow]
    assert any(s.total is not None for s in slow) and any(s.errors for s in slow)


def test_overall_levels_on_every_path_when_no_indicator_reads_words(tmp_path: Path) -> None:
    """No indicator reads words; the overall bands read 评价 by its levels, and the scale reads every
    word it is given by its levels, even where a band does not reach it: 丙's ``8`` is its error
    (总分 70 < 80 stops the first band's ``and``). Every path (evaluate over the file's columns, the
    command line's CSV and JSON) gives that, as the per-unit program does; 乙 (64) 良, 丁 (blank, 46) 差."""
    head = _HEAD.replace(
        'value = "审计结论"\n[indicators.scale]\nrule = "好—60分;较好—48分;一般—36分;差—24分"',
        'score = "值1"',
    )
    data = "单位,值1,值2,评价\n甲,60,30,好\n乙,24,40,差\n丙,50,20,8\n丁,36,10,\n戊,48,35,较好\n"
    fast = _agree(tmp_path, head + _LEVELS.replace("审计结论 >= 较好", "评价 >= 较好"), data)
    assert [(o.total, o.grade) for o in fast] == [
        (Decimal(90), "优"),
        (Decimal(64), "良"),
        (None, None),
        (Decimal(46), "差"),
        (Decimal(83), "优"),
    ]
    assert fast[2].errors[0].message == "评价='8' is not one of the levels 好, 较好, 一般, 差"


_CELLS = {
    "审计结论": ["好", "较好", "一般", "差", "", " 好 ", "8", "８", "ＡＢ", "1"],
    "评价": ["好", "较好", "差", "", "9"],
    "值2": ["10", "35", "40", ""],
    "值3": ["0", "1", "2"],
    "表彰": ["0", "3", "9"],
}


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    form=st.sampled_from(sorted(_FORMS)),
    rows=st.lists(st.tuples(*(st.sampled_from(v) for v in _CELLS.values())), min_size=1, max_size=6),
)
def test_generated_files_of_words_agree_on_every_path(
    tmp_path_factory: pytest.TempPathFactory, form: str, rows: list[tuple[str, ...]]
) -> None:
    """Each form over a file of drawn cells (words spaced, full-width, unknown, numbers written as
    text, blanks): the column program takes every unit and gives the per-unit program's outcome, on
    every path, explained from the record."""
    text = _FORMS[form].replace('"u0" = 2, "u9" = 1', '"单位0" = 2, "单位2" = 1')
    lines = ["单位," + ",".join(_CELLS)]
    lines += [f"单位{i}," + ",".join(row) for i, row in enumerate(rows)]
    _agree(tmp_path_factory.mktemp("words"), text, "\n".join(lines) + "\n")
