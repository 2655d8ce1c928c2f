"""Truth-valued steps where the column program refused them: zero rules, scales, the total's rules.

A step may hold a truth value (``达标 = 完成数 >= 计划数``: :mod:`perfrules.scoring.coltruth`). The
column program once refused a scheme where such a step has a zero rule on it, is graded by a scale
or a ``part``, or is read by the total's rules (vetoes, adjustments, the total formula, the overall
grading, caps and flags); the per-unit program (the tests' oracle) scores them all. Each test checks
that the scheme compiles, that every unit gets the oracle's outcome field by field with none left
unscored, that ``evaluate()`` (explained or not) and the CLI agree (``_both``), and pins the numbers
and the oracle's words.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracle import score_unit
from perfrules import load, load_units, loads
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import score_columns
from test_column_failures import _key
from test_column_record import RECORDED, _compare
from test_column_total_errors import _both

_ONE = """
name = "真值二"
basis = "points"
total = 100
groups = [{ name = "组1" }]

[scores]
"优" = [90, 100]
"差" = [0, 90]

[[indicators]]
code = "1"
name = "完成"
group = "组1"
weight = 100
"""

_DATA = "单位,完成数,计划数\n甲,10,10\n乙,9,10\n丙,0,10\n丁,12,10\n戊,,10\n"


def _messages(outcome: object) -> list[str]:
    return [e.message for e in outcome.errors]  # type: ignore[attr-defined]


def _recorded(tmp_path: Path) -> None:
    """Every unit of the last ``_both`` run explained from the record, as the per-unit program explains it."""
    scheme = load(tmp_path / "s.toml")
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    assert _compare(scheme, units)[RECORDED] == len(units)


# -- zero rules on a truth-valued step ------------------------------------------------------------


def test_a_zero_rule_on_a_truth_step_puts_the_number_0_in_its_place(tmp_path: Path) -> None:
    """The zero rule on 达标 holds for 丁 (12 > 11): its value is then the number 0, which
    ``if(达标, …)`` refuses as a condition (丁's error); 甲 100 (10 of 10), 乙 and 丙 50; 戊's blank
    完成数 is the step's error. Read as a number (``分 = 达标 + 50``), 丁's 0 gives 50 and the others'
    truth values are the step's error."""
    text = _ONE + (
        'steps = ["达标 = 完成数 >= 计划数", "分 = if(达标, 100, 50)"]\nscore = "分"\n'
        'policies = [{ type = "zero", target = "达标", when = "完成数 > 11" }]\n'
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast[:3]] == [Decimal(100), Decimal(50), Decimal(50)]
    assert _messages(fast[3]) == [
        "0 (number) used where a truth value (condition) is needed in formula '分 = if(达标, 100, 50)'"
    ]
    assert _messages(fast[4]) == ["no value for '完成数' in formula '达标 = 完成数 >= 计划数'"]
    _recorded(tmp_path)
    fast, _ = _both(tmp_path, text.replace("if(达标, 100, 50)", "达标 + 50"), _DATA)
    assert fast[3].total == Decimal(50)
    assert _messages(fast[0]) == [
        "True (truth value) used where a number is needed in formula '分 = 达标 + 50'"
    ]
    assert _messages(fast[1]) == [
        "False (truth value) used where a number is needed in formula '分 = 达标 + 50'"
    ]


def test_a_truth_value_in_arithmetic_is_refused_once_both_operands_are_worked_out(tmp_path: Path) -> None:
    """``达标 + 完成数/计划数`` with a default for no data: the per-unit program works out both operands
    before it refuses the truth value, so 乙's and 戊's division by 0 comes first (the default: 30), as
    does 丙's blank 完成数 in the step; 甲 and 丁 have the error, naming True."""
    text = _ONE + (
        'steps = ["达标 = 完成数 >= 1"]\nscore = "达标 + 完成数/计划数"\n'
        'policies = [{ type = "default", score = 30 }]\n'
    )
    data = "单位,完成数,计划数\n甲,10,10\n乙,9,0\n丙,,10\n丁,12,10\n戊,0,0\n"
    fast, _ = _both(tmp_path, text, data)
    assert [o.total for o in fast] == [None, Decimal(30), Decimal(30), None, Decimal(30)]
    assert _messages(fast[0]) == [
        "True (truth value) used where a number is needed in formula '达标 + 完成数/计划数'"
    ]
    _recorded(tmp_path)


# -- a scale or a part grading a truth-valued step ----------------------------------------------------


def test_a_scale_grading_a_truth_step_is_the_indicators_error_where_it_holds_one(tmp_path: Path) -> None:
    """``c = if(完成数 > 5, 完成数 >= 计划数, 完成数)`` graded by the indicator's threshold scale: a
    truth value is the scale's error (甲, 乙, 丁: True or False named), which the default for no data
    does not take; 丙's number 0 is graded 差 (the midpoint of the scale's 0–60: 30), and 戊's blank
    完成数 is the default's (30)."""
    text = _ONE + (
        'steps = ["c = if(完成数 > 5, 完成数 >= 计划数, 完成数)"]\nvalue = "c"\n'
        'scale = { rule = "优：c≥1；差：c<1", scoring = "midpoint" }\n'
        'policies = [{ type = "default", score = 30 }]\n'
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast] == [None, None, Decimal(30), None, Decimal(30)]
    assert _messages(fast[0]) == ["c=True (bool) is a truth value, not a number"]
    assert _messages(fast[1]) == ["c=False (bool) is a truth value, not a number"]


def test_a_word_scale_and_a_scale_with_levels_grading_a_truth_step(tmp_path: Path) -> None:
    """A word scale handed a truth value names it (``got True of type bool``); a scale with levels
    reads it as a number: the scale's error, for every unit but 戊 (its blank 完成数 first)."""
    steps = 'steps = ["达标 = 完成数 >= 计划数"]\nvalue = "达标"\n'
    fast, _ = _both(tmp_path, _ONE + steps + 'scale = { rule = "优—100分;差—50分" }\n', _DATA)
    assert all(o.total is None for o in fast)
    assert _messages(fast[0]) == [
        "this scale grades a category; expected one of 优, 差 (got True of type bool)"
    ]
    assert _messages(fast[2]) == [
        "this scale grades a category; expected one of 优, 差 (got False of type bool)"
    ]
    levels = 'scale = { rule = "优：x≥1；差：x<1", scoring = "midpoint", levels = ["优", "差"] }\n'
    fast, _ = _both(tmp_path, _ONE + steps + levels, _DATA)
    assert [_messages(o) for o in fast[:2]] == [
        ["x=True (bool) is a truth value, not a number"],
        ["x=False (bool) is a truth value, not a number"],
    ]
    assert _messages(fast[4]) == ["no value for '完成数' in formula '达标 = 完成数 >= 计划数'"]


def test_a_part_grading_a_truth_step(tmp_path: Path) -> None:
    """A part on a threshold scale grading ``c`` (a truth value where 完成数 > 5): the scale's error
    there (甲, 乙, 丁); 丙's number 0 is graded 差 (the midpoint of the scale's 0–60: 30). (A part on a word
    scale grading a step is refused by the scheme's checks: a step's value is never a word.)"""
    part = (
        'steps = ["c = if(完成数 > 5, 完成数 >= 计划数, 完成数)", { type = "part", target = "p", of = "c", '
        'scale = { rule = "优：x≥1；差：x<1", scoring = "midpoint" } }]\nscore = "p"\n'
    )
    fast, _ = _both(tmp_path, _ONE + part, _DATA)
    assert [o.total for o in fast[:4]] == [None, None, Decimal(30), None]
    assert [_messages(o) for o in fast[:2]] == [
        ["x=True (bool) is a truth value, not a number"],
        ["x=False (bool) is a truth value, not a number"],
    ]
    _recorded(tmp_path)


# -- the total's rules reading another indicator's truth step ------------------------------------------

_TWO = """
name = "总分真值"
basis = "points"
total = 100
groups = [{ name = "组1" }, { name = "组2" }]
{rules}
[[indicators]]
code = "1"
name = "指标1"
group = "组1"
weight = 60
steps = ["达标 = 完成数 >= 计划数", "分 = if(达标, 60, 30)"]
score = "分"

[[indicators]]
code = "2"
name = "指标2"
group = "组2"
weight = 40
score = "值2"
"""

_TOTAL = '[overall]\nrule = "优：总分>=90；良：60<=总分<90；差：总分<60"\n'
_TWO_DATA = "单位,完成数,计划数,值2\n甲,10,10,40\n乙,9,10,40\n丙,0,10,30\n丁,12,10,35\n戊,,10,40\n己,10,10,\n"


def _two(rules: str, overall: str = _TOTAL) -> str:
    return _TWO.replace("{rules}", rules) + overall


def test_a_veto_and_caps_and_flags_reading_a_truth_step(tmp_path: Path) -> None:
    """``not 指标1·达标`` vetoes 乙 and 丙 (the lowest grade, 差); 甲 100 and 丁 95 优. 戊 has no
    达标 (its blank 完成数) and 己 no 指标2 score: each the total's error beside its indicator's. As a
    cap and a flag: 乙 and 丙 held at 良 (70 and 60) and flagged."""
    veto = '[[policies]]\ntype = "veto"\nwhen = "not 指标1·达标"\neffect = "lowest_grade"\n'
    fast, _ = _both(tmp_path, _two(veto), _TWO_DATA)
    assert [(o.total, o.grade, o.vetoed) for o in fast[:4]] == [
        (Decimal(100), "优", False),
        (Decimal(70), "差", True),
        (Decimal(60), "差", True),
        (Decimal(95), "优", False),
    ]
    assert _messages(fast[4])[1] == "no value for '指标1·达标' in formula 'not 指标1·达标'"
    assert _messages(fast[5]) == [
        "no value for '值2' in formula '值2'",
        "no value for '指标1·达标' in formula 'not 指标1·达标'",
    ]
    caps = '[[caps]]\nwhen = "not 指标1·达标"\ngrade = "差"\n[[flags]]\nlabel = "未达标"\nwhen = "not 指标1·达标"\n'
    fast, _ = _both(tmp_path, _two("", _TOTAL + caps), _TWO_DATA)
    assert [(o.grade, o.flags) for o in fast[:4]] == [
        ("优", ()),
        ("差", ("未达标",)),
        ("差", ("未达标",)),
        ("优", ()),
    ]


def test_an_adjustment_and_a_comparison_reading_a_truth_step_are_the_totals_error(tmp_path: Path) -> None:
    """An adjustment counting 指标1·达标 reads it as a number, and a veto comparing it (= 1) compares
    it as one: the per-unit program refuses both, for every unit that has it (its words kept)."""
    adjust = '[[policies]]\ntype = "adjust"\nper = "指标1·达标"\npoints = 2\ncap = 3\n'
    fast, _ = _both(tmp_path, _two(adjust), _TWO_DATA)
    assert all(o.total is None for o in fast)
    assert _messages(fast[0]) == ["指标1·达标=True (bool) is a truth value, not a number"]
    assert _messages(fast[1]) == ["指标1·达标=False (bool) is a truth value, not a number"]
    veto = '[[policies]]\ntype = "veto"\nwhen = "指标1·达标 = 1"\neffect = "zero"\n'
    fast, _ = _both(tmp_path, _two(veto), _TWO_DATA)
    assert _messages(fast[2]) == ["a truth value cannot be compared as a number in formula '指标1·达标 = 1'"]
    assert fast[2].scores == [Decimal(30), Decimal(30)]


def test_a_total_formula_reading_a_truth_step(tmp_path: Path) -> None:
    """``组1得分+组2得分+if(指标1·达标, 5, 0)``: 甲 and 丁 5 more (100: 105 held at the total),
    乙 70 and 丙 60 良. Added as a number it is the total formula's error (True or False named), and
    the total formula that is 指标1·达标 alone gives a truth value."""
    formula = 'total_formula = "组1得分+组2得分+if(指标1·达标, 5, 0)"\n'
    fast, _ = _both(tmp_path, _two(formula), _TWO_DATA)
    assert [(o.total, o.grade) for o in fast[:4]] == [
        (Decimal(100), "优"),
        (Decimal(70), "良"),
        (Decimal(60), "良"),
        (Decimal(100), "优"),
    ]
    fast, _ = _both(tmp_path, _two('total_formula = "组1得分+组2得分+指标1·达标"\n'), _TWO_DATA)
    assert _messages(fast[0]) == [
        "True (truth value) used where a number is needed in formula '组1得分+组2得分+指标1·达标'"
    ]
    fast, _ = _both(tmp_path, _two('total_formula = "指标1·达标"\n'), _TWO_DATA)
    assert _messages(fast[1]) == ["the total formula '指标1·达标' gave a truth value"]


def test_overall_bands_reading_a_truth_step(tmp_path: Path) -> None:
    """优 needs 指标1·达标 and 总分 ≥ 90: 甲 (100) and 丁 (95); 乙 (70) and 丙 (60) 差."""
    bands = (
        '[overall]\npolicy = "first"\n[[overall.bands]]\nname = "优"\nconditions = ["指标1·达标", "总分>=90"]\n'
        '[[overall.bands]]\nname = "差"\nconditions = ["总分>=0"]\n'
    )
    fast, _ = _both(tmp_path, _two("", bands), _TWO_DATA)
    assert [(o.total, o.grade) for o in fast[:4]] == [
        (Decimal(100), "优"),
        (Decimal(70), "差"),
        (Decimal(60), "差"),
        (Decimal(95), "优"),
    ]
    assert fast[4].total is None and fast[5].total is None


# -- population values over truth-valued steps ----------------------------------------------------------


def test_a_population_value_of_a_part_grading_a_truth_step(tmp_path: Path) -> None:
    """max_of(p), p a part grading ``c`` (a truth value where 完成数 > 5: the part's error there, so
    those units put nothing in): 丙's 差 (30) alone is the max, 丙 100; the others the part's error
    (``if(完成数 > 5, 0, …)`` reads p first, as steps run before the score). A rank by p likewise:
    丙 is first of one (99)."""
    part = (
        'steps = ["c = if(完成数 > 5, 完成数 >= 计划数, 完成数)", { type = "part", target = "p", of = "c", '
        'scale = { rule = "优：x≥1；差：x<1", scoring = "midpoint" } }'
    )
    fast, _ = _both(tmp_path, _ONE + part + ']\nscore = "if(完成数 > 5, 0, p/max_of(p)*100)"\n', _DATA)
    assert [o.total for o in fast[:4]] == [None, None, Decimal(100), None]
    assert _messages(fast[0]) == ["x=True (bool) is a truth value, not a number"]
    fast, _ = _both(
        tmp_path,
        _ONE + part + ', { type = "rank", target = "名次", of = "p" }]\nscore = "100 - 名次"\n',
        _DATA,
    )
    assert [o.total for o in fast[:4]] == [None, None, Decimal(99), None]


def test_a_population_value_over_a_step_with_a_zero_rule_on_a_truth_step(tmp_path: Path) -> None:
    """zz = if(达标, 1, 2), 达标 zeroed where 完成数 > 11: the score reads max_of(zz) (2: 乙 and 丙)
    where the unit's 达标 holds a truth value: 甲 1/2 × 100 = 50, 乙 and 丙 100; 丁's zeroed 达标 is
    the number 0, which ``if`` refuses (its error). The population's argument runs the steps without
    the zero rules: there 丁's zz is 1. Where the argument is 达标 itself (``zz = 达标``), every unit's
    is a truth value: no max; 甲, 乙 and 丙 do not read it (5), 丁 (12 > 11) does (its error)."""
    text = _ONE + (
        'steps = ["达标 = 完成数 >= 计划数", "zz = if(达标, 1, 2)"]\nscore = "zz/max_of(zz)*100"\n'
        'policies = [{ type = "zero", target = "达标", when = "完成数 > 11" }]\n'
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast[:3]] == [Decimal(50), Decimal(100), Decimal(100)]
    assert _messages(fast[3]) == [
        "0 (number) used where a truth value (condition) is needed in formula 'zz = if(达标, 1, 2)'"
    ]
    text = text.replace("if(达标, 1, 2)", "达标").replace(
        "zz/max_of(zz)*100", "if(完成数 > 11, zz/max_of(zz)*100, 5)"
    )
    fast, _ = _both(tmp_path, text, _DATA)
    assert [o.total for o in fast[:3]] == [Decimal(5), Decimal(5), Decimal(5)]
    assert _messages(fast[3])[0].startswith("no value for 'max_of(zz)' in formula")


# -- drawn schemes: truth-valued steps in every place at once -------------------------------------------

_STEPS = (
    '"达标 = 完成1 >= 计划1"',
    '"达标 = 完成1/计划1 >= 1"',
    '"达标 = if(完成1 > 9, 完成1 >= 计划1, 完成1)"',
)
_SCORES = (
    "if(达标, 60, 30)",
    "if(达标 or 完成1 = 0, 60, 30)",
    "if(达标 >= 完成1/计划1, 60, 30)",
    "达标 + 30",
)
_POLICIES = (
    '{ type = "zero", target = "达标", when = "完成1 > 11" }',
    '{ type = "default", score = 20 }',
    '{ type = "zero", when = "not 达标" }',
    '{ type = "veto", when = "not 达标", effect = "lowest_grade" }',
)
_READERS = (
    'score = "if(指标1·达标, x, x/2)"',
    'steps = ["y = 指标1·达标"]\nscore = "if(y, x, 0)"',
    'steps = ["y = 指标1·达标"]\nvalue = "y"\nscale = { rule = "优：y≥1；差：y<1", scoring = "midpoint" }',
)
_TOTALS = (
    '[[policies]]\ntype = "veto"\nwhen = "not 指标1·达标"\neffect = "lowest_grade"\n',
    'total_formula = "组1得分+组2得分+if(指标1·达标, 5, 0)"\n',
    '[[flags]]\nlabel = "未达标"\nwhen = "not 指标1·达标"\n',
)
_POPULATION = (
    '\n[[indicators]]\ncode = "3"\nname = "指标3"\ngroup = "组2"\nweight = 0\nsteps = ["超 = 完成1 > 计划1"]\n'
    'score = "if(超, 完成1/max_of(if(超, 完成1, 超))*10, 0)"\n'
)
_CELLS = ("", "0", "5", "9", "10", "12")


@st.composite
def _drawn(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme with a truth step 达标 in 指标1 (its score, policies), read by 指标2 and the total's
    rules, and a population value over a truth value; and a batch with blanks and zeros."""
    policies = draw(st.lists(st.sampled_from(_POLICIES), max_size=2, unique=True))
    # (Not drawn, as the columns still leave such units unscored whether or not a truth value is
    # involved: an indicator's veto beside its default for no data taking the unit (colpoints), and
    # a blank cell a branch not taken reads (colblank.reach_fields, colreach: beside a zero rule on a
    # step, or behind a condition on a step's value): only 完成1, read first everywhere, is blank.)
    if _POLICIES[1] in policies and _POLICIES[3] in policies:
        policies.remove(_POLICIES[3])
    total = draw(st.sampled_from(("", *_TOTALS)))
    head = total if not total.startswith("[[flags]]") else ""
    text = (
        f'name = "真值抽样"\nbasis = "points"\ntotal = 100\ngroups = [{{ name = "组1" }}, {{ name = "组2" }}]\n{head}'
        '[scores]\n"优" = [90, 100]\n"良" = [60, 90]\n"差" = [0, 60]\n'
        f'[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组1"\nweight = 60\n'
        f'steps = [{draw(st.sampled_from(_STEPS))}]\nscore = "{draw(st.sampled_from(_SCORES))}"\n'
        f"policies = [{', '.join(policies)}]\n"
        f'[[indicators]]\ncode = "2"\nname = "指标2"\ngroup = "组2"\nweight = 40\n{draw(st.sampled_from(_READERS))}\n'
        + (_POPULATION if draw(st.booleans()) else "")
        + '\n[overall]\nrule = "优：总分>=90；良：60<=总分<90；差：总分<60"\n'
        + (total if total.startswith("[[flags]]") else "")
    )
    filled = st.sampled_from(_CELLS[1:])
    cells = st.tuples(st.sampled_from(_CELLS), filled, filled)
    rows = draw(st.lists(cells, min_size=1, max_size=5))
    data = "单位,完成1,计划1,x\n" + "".join(f"单位{i},{a},{b},{c}\n" for i, (a, b, c) in enumerate(rows))
    return text, data


@given(case=_drawn())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_drawn_schemes_with_truth_steps_score_as_the_per_unit_program(case: tuple[str, str]) -> None:
    """Every unit as the per-unit program scores it, field by field, none left unscored."""
    text, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        path.write_text(data, encoding="utf-8")
        scheme = loads(text, format="toml")
        units = list(load_units(path, scheme=scheme))
    plan = plan_of(scheme)
    population = batch_population(plan, units) if plan.has_population else {}
    fast = score_columns(plan, units, population)
    assert all(f is not None for f in fast), [u.name for u, f in zip(units, fast, strict=True) if f is None]
    for f, unit in zip(fast, units, strict=True):
        assert _key(f) == _key(score_unit(plan, unit, population.get(unit.name, {}), detail=False))
