"""A column of words read as a number by an indicator with population values, peer ratios, ranks or
periods: the column program compiles it (it once left every unit of such a scheme to the per-unit
program) and gives each unit the per-unit program's outcome.

审计结论 is graded by 指标1's word scale, so its cells are words (a number among them too: 8) and a
blank is no value. 指标2 reads it as a number — a population value of it, a rank or peer ratio of it,
or a rule on an indicator with such values, or an indicator reported per period — and the per-unit
program reports 指标2's error wherever that read is reached (``'好' (str) is not a number``, or no
value for a blank). ``_both`` checks the column program sends no unit back, gives each unit the
per-unit program's outcome field by field, and that the API (explained or not) and the command line
agree; the tests pin the errors' wording and the population values gathered for the batch.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from oracle import score_unit
from perfrules import evaluate, load, load_units
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import population_values
from perfrules.scoring.program import program_of, score_columns
from test_column_record import RECORDED, _compare
from test_column_total_errors import _both

_HEAD = """
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
code = "3"
name = "其他"
group = "组"
weight = 20
score = "值3"
"""

_DATA = "单位,审计结论,值2,值3\n甲,好,3,90\n乙,,4,80\n丙,8,5,70\n丁,一般,2,\n戊,差,6,88\n"

_RANK_OF_WORDS = """
[[indicators]]
code = "2"
name = "排名"
group = "组"
weight = 30
steps = [{ type = "rank", target = "名次分", of = "审计结论", points = { "1" = 30, "2" = 20 } }]
score = "名次分"
"""

_RANK_WITH_A_WORD_RULE = """
[[indicators]]
code = "2"
name = "排名"
group = "组"
weight = 30
steps = [{ type = "rank", target = "名次分", of = "值2", points = { "1" = 30, "2" = 20 } }]
score = "名次分"
policies = [{ type = "default", score = 0, when = "审计结论 = 1" }]
"""

_MAX_OF_WORDS = """
[[indicators]]
code = "2"
name = "最大"
group = "组"
weight = 30
score = "分值×审计结论/max_of(审计结论)"
"""

_MAX_OF_WITH_A_WORD_ZERO_RULE = """
[[indicators]]
code = "2"
name = "最大"
group = "组"
weight = 30
score = "分值×值2/max_of(值2)"
policies = [{ type = "default", score = 3 }, { type = "zero", when = "审计结论 > 1" }]
"""

_PEER_OF_WORDS = """
[[indicators]]
code = "2"
name = "比值"
group = "组"
weight = 30
steps = [{ type = "peer_ratio", target = "比", numerator = "审计结论", denominator = "值2", pooled = true }]
score = "min(分值, 分值×比/2)"
"""

_PEER_WITH_A_WORD_ZERO_RULE = """
[[indicators]]
code = "2"
name = "比值"
group = "组"
weight = 30
steps = [{ type = "peer_ratio", target = "比", numerator = "值2", denominator = "值3", pooled = true }]
score = "min(分值, 分值×比/2)"
policies = [{ type = "default", score = 1 }, { type = "zero", when = "审计结论 = 2" }]
"""


def _messages(outcome: object) -> list[tuple[str | None, str]]:
    return [(e.indicator, e.message) for e in outcome.errors]  # type: ignore[attr-defined]


def _not_a_number(word: str, formula: str) -> str:
    return f"审计结论='{word}' (str) is not a number; give an int, float, Decimal or Fraction in formula '{formula}'"


def _no_value(formula: str) -> str:
    return f"no value for '审计结论' in formula '{formula}'"


_NO_CATEGORY = "no value for '审计结论' in formula 'the category of 1 审计'"
_NO_8 = "no grade '8' in this scale (grades: 好, 较好, 一般, 差)"
_NO_3 = "no value for '值3' in formula '值3'"


@pytest.mark.parametrize(
    ("form", "formula", "ding"),
    [
        (_RANK_WITH_A_WORD_RULE, "审计结论 = 1", None),
        (_MAX_OF_WORDS, "分值×审计结论/max_of(审计结论)", None),
        (_MAX_OF_WITH_A_WORD_ZERO_RULE, "审计结论 > 1", None),
        # (丁 has no 值3: its peer ratio, worked out before the zero rule, is its error)
        (
            _PEER_WITH_A_WORD_ZERO_RULE,
            "审计结论 = 2",
            "'比' could not be computed for this unit against its peers",
        ),
    ],
)
def test_a_rule_or_population_value_reading_words_is_the_indicators_error(
    tmp_path: Path, form: str, formula: str, ding: str | None
) -> None:
    """Every unit reaches 指标2's read of 审计结论: its error on each (a word is no number, a blank no
    value), beside 指标1's (乙 blank, 丙 8) and 指标3's (丁: 值3 blank), none sent back."""
    fast, _ = _both(tmp_path, _HEAD + form, _DATA)
    near = "; did you mean '值2'?" if "值2" in form else ""
    assert [_messages(o) for o in fast] == [
        [("2", _not_a_number("好", formula))],
        [("1", _NO_CATEGORY), ("2", _no_value(formula))],
        [("1", _NO_8), ("2", _not_a_number("8", formula))],
        [("3", _NO_3 + near), ("2", ding or _not_a_number("一般", formula))],
        [("2", _not_a_number("差", formula))],
    ]
    assert [o.total for o in fast] == [None] * 5
    assert [o.scores[0] for o in fast] == [Decimal(95), None, None, Decimal(70), Decimal(40)]


@pytest.mark.parametrize(("form", "target"), [(_RANK_OF_WORDS, "名次分"), (_PEER_OF_WORDS, "比")])
def test_a_rank_or_peer_ratio_of_words_has_no_value_for_any_unit(
    tmp_path: Path, form: str, target: str
) -> None:
    """No unit puts a number into the rank or peer ratio of 审计结论 (words and a blank): every unit's
    指标2 error is that its step's value could not be computed, as the per-unit program says."""
    fast, _ = _both(tmp_path, _HEAD + form, _DATA)
    peers = f"'{target}' could not be computed for this unit against its peers"
    assert [[m for k, m in _messages(o) if k == "2"] for o in fast] == [[peers]] * 5
    assert [o.scores[1] for o in fast] == [Decimal(90), Decimal(80), Decimal(70), None, Decimal(88)]


def test_the_population_values_of_an_indicator_reading_words_are_gathered(tmp_path: Path) -> None:
    """The batch's population values of 指标2 (whose rule reads words) are the per-unit program's:
    the ranks of 值2 (戊 6 first: 30 points; 丙 5 second: 20) and the peer ratio 值2/值3 pooled
    (Σ值2 = 16 over the units with both, Σ值3 = 328: 甲 3/90 ÷ 16/328 = 82/135); the per-unit step
    that words 指标2's error reads them."""
    for form in (_RANK_WITH_A_WORD_RULE, _PEER_WITH_A_WORD_ZERO_RULE):
        (tmp_path / "d.csv").write_text(_DATA, encoding="utf-8")
        (tmp_path / "s.toml").write_text(_HEAD + form, encoding="utf-8")
        scheme = load(tmp_path / "s.toml")
        plan = plan_of(scheme)
        assert program_of(plan) is not None, plan.program_why
        units = list(load_units(tmp_path / "d.csv", scheme=scheme))
        gathered = batch_population(plan, units)
        oracle = population_values(plan.indicators, units)
        assert {u.name: dict(gathered.get(u.name, {})) for u in units} == {
            u.name: dict(oracle.get(u.name, {})) for u in units
        }
        if form is _RANK_WITH_A_WORD_RULE:
            assert [gathered[u.name][("2", "名次分", None)] for u in units] == [0, 0, 20, 0, 30]
    assert gathered["甲"][("2", "比", None)] == Fraction(82, 135)


_PERIODS = """
name = "词数"
total = 100
groups = [{ name = "组" }]
periods = "mean"

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
name = "季度"
group = "组"
weight = 30
frequency = "季度"
score = "值2 + 审计结论"

[[indicators]]
code = "3"
name = "其他"
group = "组"
weight = 20
score = "值3"
"""


def test_an_indicator_reported_per_period_reading_words(tmp_path: Path) -> None:
    """指标2 is reported per quarter: each period row reads 审计结论 (the year's word where the quarter
    gives none), so each unit's error is its first period row's; 丙 has no period rows (its year's
    row, 一般); 乙's quarter gives the number 7 — a word column keeps it as text, so that is its error
    too, as the per-unit program words it."""
    data = (
        "单位,期间,审计结论,值2,值3\n甲,,好,3,90\n甲,一季度,,4,\n甲,二季度,,5,\n"
        "乙,,较好,4,80\n乙,一季度,7,4,\n丙,,一般,5,70\n"
    )
    fast, _ = _both(tmp_path, _PERIODS, data)
    formula = "值2 + 审计结论"
    assert [_messages(o) for o in fast] == [
        [("2", _not_a_number("好", formula))],
        [("2", _not_a_number("7", formula))],
        [("2", _not_a_number("一般", formula))],
    ]
    assert [o.scores[0] for o in fast] == [Decimal(95), Decimal(85), Decimal(70)]


def test_a_read_not_reached_beside_population_values_is_no_error(tmp_path: Path) -> None:
    """指标2 (分值 30) reads 审计结论 only where 值3 > 85, after 分值×值2/max_of(值2) (max 6): 甲 90 and
    戊 88 reach it, their errors ('好', '差' are no numbers); 丁 has no 值3, its error too. 乙 (80) and
    丙 (70) never reach the read: the columns follow the formula past the population value and score
    指标2 there (乙 30×4/6 = 20, 丙 30×5/6 = 25; the per-unit program's 200/3 and 250/3 of 100 once
    weighed), beside 指标1's errors (乙 blank, 丙 8), as the per-unit program does."""
    form = """
[[indicators]]
code = "2"
name = "最大"
group = "组"
weight = 30
score = "分值×值2/max_of(值2) + if(值3>85, 审计结论, 0)"
"""
    fast, _ = _both(tmp_path, _HEAD + form, _DATA)
    formula = "分值×值2/max_of(值2) + if(值3>85, 审计结论, 0)"
    assert [_messages(o) for o in fast] == [
        [("2", _not_a_number("好", formula))],
        [("1", _NO_CATEGORY)],
        [("1", _NO_8)],
        [
            ("3", _NO_3 + "; did you mean '值2'?"),
            ("2", "no value for '值3' in formula '" + formula + "'; did you mean '分值', '值2'?"),
        ],
        [("2", _not_a_number("差", formula))],
    ]
    assert [o.scores[2] for o in fast] == [None, Fraction(200, 3), Fraction(250, 3), None, None]
    assert [o.total for o in fast] == [None] * 5
    assert set(_compare(load(tmp_path / "s.toml"), list(load_units(tmp_path / "d.csv"))).keys()) == {RECORDED}


# -- a word scale without value, whose default for no data names its inputs ---------------------------

_UNNAMED = """
name = "无值词表"
basis = "points"
total = 100
groups = [{{ name = "工作" }}]
{periods}
[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]

[[indicators]]
code = "1"
name = "审计"
group = "工作"
weight = 60
scale = {{ bands = [{{ name = "优" }}, {{ name = "良" }}, {{ name = "中" }}, {{ name = "差" }}] }}
steps = ["a=值2×2"]
{frequency}
policies = [{{ type = "default", grade = "中", missing = [{missing}] }}, {{ type = "adjust", per = "扣分", points = -1, cap = 3 }}]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
score = "值2"
"""


def _unnamed(missing: str = '"项目数"', periodic: bool = False) -> str:
    return _UNNAMED.format(
        periods='periods = "mean"' if periodic else "",
        frequency='frequency = "季度"' if periodic else "",
        missing=missing,
    )


_UNNAMED_DATA = "单位,审计,值2,项目数,扣分\n一,优,30,,1\n二,,40,3,0\n三,良,,,2\n四,良,,5,\n五,差,10,0,0\n"


def test_a_word_scale_without_value_with_a_default_naming_its_inputs(tmp_path: Path) -> None:
    """指标1's word scale has no value: the per-unit program's steps run (a = 值2 × 2), then it finds
    no value to grade, and the default for no data (中: 70% of 60 = 42) takes that only where an input
    it names (项目数) is blank. A file's cells a scheme reads nowhere else are not read, so 项目数 is
    blank on every unit: each takes the default, less its 扣分 (一 42 − 1 + 30 = 71, 二 42 + 40 = 82,
    五 42 + 10 = 52); 三's blank 值2 stops its step first — the default takes that too (40, beside
    指标2's error), as the per-unit program does; 四 has no 扣分: its adjustment's error."""
    fast, _ = _both(tmp_path, _unnamed(), _UNNAMED_DATA)
    assert [o.total for o in fast] == [Decimal(71), Decimal(82), None, None, Decimal(52)]
    assert [o.scores[0] for o in fast] == [Decimal(41), Decimal(42), Decimal(40), None, Decimal(42)]
    assert [[e.indicator for e in o.errors] for o in fast] == [[], [], ["2"], ["1", "2"], []]
    assert fast[3].errors[0].message.startswith("no value for '扣分' in formula 'the adjustment of 1 审计'")


def test_a_word_scale_without_value_reported_per_period(tmp_path: Path) -> None:
    """The same reported per quarter: each period row takes the default (一's 二季度 reads 值2 = 5, its
    一季度 gives nothing and is not a period it reports): 一 41 + 30 = 71; 二's quarter reads the year's
    值2; 四's quarter has no 扣分 either."""
    data = (
        "单位,期间,审计,值2,项目数,扣分\n一,,优,30,,1\n一,一季度,,,,\n一,二季度,,5,,\n二,,,40,3,0\n"
        "二,一季度,,,3,\n三,,良,,,2\n四,,良,,5,\n四,一季度,,,,\n五,,差,10,0,0\n"
    )
    fast, _ = _both(tmp_path, _unnamed(periodic=True), data)
    assert [o.total for o in fast] == [Decimal(71), Decimal(82), None, None, Decimal(52)]
    assert [[e.indicator for e in o.errors] for o in fast] == [[], [], ["2"], ["1", "2"], []]


@pytest.mark.parametrize("missing", ['"项目数"', '"项目数", "1"'])
def test_units_given_with_the_named_input(missing: str) -> None:
    """Units handed to the API keep 项目数. Where it has a value (二, 五, 七: even text, it is not
    blank) the default does not take a finished step: 指标1's error, no value for '1' (what it grades);
    三 has 项目数 and no 值2: its step's error. A default that also names the code ('1', an input no
    unit has) takes every such row (二 71 = 42 − 1 + 30; 三 41 beside 指标2's error). 四 (no 项目数)
    takes it either way; 六's 值2 is text: its step's error, whatever the default names."""
    from perfrules import loads
    from perfrules.scheme.units import Unit

    scheme = loads(_unnamed(missing), format="toml")
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    d = Decimal
    units = [
        Unit(name="一", data={"审计": "优", "值2": d(30), "扣分": d(1)}),
        Unit(name="二", data={"审计": "优", "值2": d(30), "扣分": d(1), "项目数": d(3)}),
        Unit(name="三", data={"审计": "优", "扣分": d(1), "项目数": d(3)}),
        Unit(name="四", data={"审计": "优", "扣分": d(1)}),
        Unit(name="五", data={"审计": "优", "值2": d(0), "扣分": d(1), "项目数": d(3)}),
        Unit(name="六", data={"审计": "优", "值2": "x", "扣分": d(1), "项目数": None}),
        Unit(name="七", data={"审计": "优", "值2": d(5), "扣分": d(1), "项目数": "有"}),
    ]
    fast = score_columns(plan, units, {})
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    assert all(f is not None for f in fast)
    assert [(f.total, _messages(f), f.scores) for f in fast] == [  # type: ignore[union-attr]
        (s.total, _messages(s), s.scores) for s in slow
    ]
    code = missing.endswith('"1"')
    no_code = ("1", "no value for '1' in formula 'the category of 1 审计'")
    assert [o.total for o in fast] == [
        Decimal(71),
        Decimal(71) if code else None,
        None,
        None,
        Decimal(41) if code else None,
        None,
        Decimal(46) if code else None,
    ]
    assert _messages(fast[1]) == ([] if code else [no_code])
    assert _messages(fast[2])[0][1].startswith(
        "no value for '值2' in formula " + ("'值2'" if code else "'a=值2×2'")
    )
    assert fast[2].scores[0] == (Decimal(41) if code else None)
    assert _messages(fast[3]) == [("2", "no value for '值2' in formula '值2'")]
    assert _messages(fast[5])[0][1].startswith("值2='x' (str) is not a number")
    assert [(o.total, _messages(o)) for o in evaluate(scheme, units)] == [
        (s.total, _messages(s)) for s in slow
    ]


# -- population values of the full points, or of a part grading a number ------------------------------

_ARGUMENTS = """
name = "总体值"
basis = "points"
total = 100
groups = [{ name = "组" }]
categories = ["甲类", "乙类"]

[[indicators]]
code = "9"
name = "其他"
group = "组"
weights = { "甲类" = 20, "乙类" = 40 }
score = "值3"

[[indicators]]
code = "1"
name = "甲标"
group = "组"
weights = { "甲类" = 80, "乙类" = 60 }
"""

_ARGUMENT_DATA = "单位,类别,值1,值3\n甲,甲类,3,90\n乙,乙类,5,80\n丙,乙类,,70\n丁,甲类,1,60\n"


def test_a_population_value_of_the_full_points(tmp_path: Path) -> None:
    """max_of(f) with f = 分值 × 值1: each unit's full points for its category (80 for 甲类, 60 for
    乙类) times 值1, over the batch, as the per-unit program's prerequisites give them (甲 240, 乙 300,
    丁 80; 丙 has no 值1 and puts nothing in): 甲 min(80, 240/300 × 80) = 64, 乙 60, 丁 80/300 × 80;
    丙's step is its error."""
    form = 'steps = ["f = 分值×值1"]\nscore = "min(分值, f/max_of(f)×分值)"\n'
    fast, _ = _both(tmp_path, _ARGUMENTS + form, _ARGUMENT_DATA)
    scheme = load(tmp_path / "s.toml")
    plan = plan_of(scheme)
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    gathered = batch_population(plan, units)
    assert [dict(gathered.get(u.name, {})).get(("1", "max_of(f)", None)) for u in units] == [
        Decimal(300),
        Decimal(300),
        None,
        Decimal(300),
    ]
    assert [o.scores[1] for o in fast] == [Decimal(64), Decimal(60), None, Fraction(64, 3)]
    assert _messages(fast[2])[0][1].startswith("no value for '值1' in formula 'f = 分值×值1'")


def test_a_population_value_of_a_part_grading_a_number(tmp_path: Path) -> None:
    """max_of(部), 部 a part grading 值1 by a threshold scale (≥4: 10, 2 to 4: 5, below: 0): 乙 10 the
    highest, so 甲 (5) has half its full points (40 of 80), 乙 all 60, 丁 (0) none; 丙's part is its
    error."""
    form = (
        'steps = [{ type = "part", target = "部", of = "值1", scale = { rule = "≥4，计10分；2(含)-4，计5分；<2，计0分" } }]\n'
        'score = "部/max_of(部)×分值"\n'
    )
    fast, _ = _both(tmp_path, _ARGUMENTS + form, _ARGUMENT_DATA)
    assert [o.scores[1] for o in fast] == [Decimal(40), Decimal(60), None, Decimal(0)]


# -- words read as numbers where a formula reaches them ----------------------------------------------

_IF_WORDS = """
[[indicators]]
code = "2"
name = "条件"
group = "组"
weight = 30
score = "值2 + if(值3>85, 审计结论, 0)"
"""


def test_a_column_of_words_read_only_where_a_branch_is_taken(tmp_path: Path) -> None:
    """指标2 reads 审计结论 only where 值3 > 85: 甲 (90) and 戊 (88) read a word, their error; 乙 (80) and
    丙 (70) never read it, so the columns work 指标2 out (值2 + 0: 4 and 5 of 100), beside 指标1's
    error on a blank and on 8; 丁 has no 值3, its error. None goes to the per-unit program."""
    fast, _ = _both(tmp_path, _HEAD + _IF_WORDS, _DATA)
    formula = "值2 + if(值3>85, 审计结论, 0)"
    assert [[m for k, m in _messages(o) if k == "2"] for o in fast] == [
        [_not_a_number("好", formula)],
        [],
        [],
        ["no value for '值3' in formula '值2 + if(值3>85, 审计结论, 0)'; did you mean '值2'?"],
        [_not_a_number("差", formula)],
    ]
    assert [o.scores[2] for o in fast] == [None, Decimal(4), Decimal(5), None, None]


def test_a_unit_not_reaching_its_word_is_explained_from_the_record(tmp_path: Path) -> None:
    """乙 (值3 80) and 丙 (70) never read 审计结论 as a number: each is scored whole by the columns (乙
    85 × 0.5 + 4 × 0.3 + 16, 丙 70 × 0.5 + 5 × 0.3 + 14) and explained from the record, as the per-unit
    program explains it (``_compare``); 甲 reads its word: 指标2's error."""
    data = "单位,审计结论,值2,值3\n甲,好,3,90\n乙,较好,4,80\n丙,一般,5,70\n"
    fast, _ = _both(tmp_path, _HEAD + _IF_WORDS, data)
    assert [o.total for o in fast] == [None, Decimal("59.7"), Decimal("50.5")]
    scheme = load(tmp_path / "s.toml")
    assert _compare(scheme, list(load_units(tmp_path / "d.csv", scheme=scheme))) == {RECORDED: 3}


def test_units_given_numbers_in_a_column_of_words() -> None:
    """Units handed to the API may hold a number in 审计结论: 指标2 (审计结论 × 10) reads it as the
    per-unit program does (甲 3 → 30, 丙 0.5 → 5), while 指标1 has no grade for it (its error); a word
    (乙) is 指标2's error, a blank (丁) no value."""
    from perfrules import loads
    from perfrules.scheme.units import Unit

    scheme = loads(
        _HEAD + '[[indicators]]\ncode = "2"\nname = "数"\ngroup = "组"\nweight = 30\nscore = "审计结论×10"\n'
    )
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    d = Decimal
    units = [
        Unit(name="甲", data={"审计结论": d(3), "值3": d(90)}),
        Unit(name="乙", data={"审计结论": "好", "值3": d(80)}),
        Unit(name="丙", data={"审计结论": d("0.5"), "值3": d(70)}),
        Unit(name="丁", data={"值3": d(60)}),
    ]
    fast = score_columns(plan, units, {})
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    assert all(f is not None for f in fast)
    assert [(f.total, _messages(f), f.scores) for f in fast] == [  # type: ignore[union-attr]
        (s.total, _messages(s), s.scores) for s in slow
    ]
    assert [o.scores[2] for o in fast] == [d(30), None, d(5), None]  # type: ignore[union-attr]
    assert [[k for k, _ in _messages(o)] for o in fast] == [["1"], ["2"], ["1"], ["1", "2"]]


# -- zero rules and vetoes of an indicator graded by a scale, reading population values ---------------

_SCALED = """
name = "量表总体值"
total = 100
groups = [{ name = "组" }]
periods = "mean"

[scores]
"优" = [90, 100]
"良" = [80, 90]
"差" = [0, 80]

[[indicators]]
code = "9"
name = "其他"
group = "组"
weight = 20
score = "值3"

[[indicators]]
code = "1"
name = "甲标"
group = "组"
weight = 80
"""


def test_zero_rules_and_vetoes_of_a_scale_reading_population_values(tmp_path: Path) -> None:
    """指标1 grades 值1 (≥4 优, 2 to 4 良, below 差: midpoints 95, 85, 40); its zero rule holds where 值2
    is above the batch's mean (4: 丁's 9), its veto where 值1 is below the batch's least + 1 (丁's 1).
    甲 优 95 × 0.8 + 18 = 94; 乙 优 76 + 16 = 92; 丁 zero (0 + 12), its veto gives the lowest grade;
    丙 has no 值1: its error."""
    form = (
        'value = "值1"\nscale = { rule = "≥4为优;2-4为良;<2为差", scoring = "midpoint" }\n'
        'policies = [{ type = "zero", when = "值2 > mean_of(值2)" }, '
        '{ type = "veto", when = "值1 < min_of(值1)+1", effect = "lowest_grade" }]\n'
    )
    data = "单位,值1,值2,值3\n甲,4,4,90\n乙,5,2,80\n丙,,1,70\n丁,1,9,60\n"
    fast, _ = _both(tmp_path, _SCALED + form, data)
    assert [o.total for o in fast] == [Decimal("94"), Decimal("92"), None, Decimal("12")]
    assert [o.grade for o in fast] == ["优", "优", None, "差"]
    assert _messages(fast[2])[0][1].startswith("no value for '值1'")


def test_a_zero_rule_per_period_reading_population_values(tmp_path: Path) -> None:
    """The same reported per quarter: each period row's zero rule reads that period's mean of 值2
    among the units' rows (一季度: 甲 1, 乙 3 → 2; 二季度: 甲 8 alone); a veto per period reads the
    year's row (no year value of mean_of(值1) is gathered for a unit reported per period: the per-unit
    program's error there, for 甲 and 乙); 丙 reports no quarter: its year's row, 良 85 × 0.8 + 14."""
    form = (
        'frequency = "季度"\nvalue = "值1"\nscale = { rule = "≥4为优;2-4为良;<2为差", scoring = "midpoint" }\n'
        'policies = [{ type = "zero", when = "值2 > mean_of(值2)" }, '
        '{ type = "veto", when = "值1 < mean_of(值1)", effect = "zero" }]\n'
    )
    data = "单位,期间,值1,值2,值3\n甲,,3,4,90\n甲,一季度,4,1,\n甲,二季度,1,8,\n乙,,5,2,80\n乙,一季度,2,3,\n丙,,2,1,70\n"
    fast, _ = _both(tmp_path, _SCALED + form, data)
    assert [o.total for o in fast] == [None, None, Decimal(82)]
    assert all(m.startswith("no value for 'mean_of(值1)'") for o in fast[:2] for _, m in _messages(o))


@pytest.mark.parametrize("formula", ["值1 > 3", "not 值1", "if(值2 > 3, 值1 > 2, 值1 < 0)"])
def test_a_score_formula_giving_a_truth_value_is_refused(formula: str) -> None:
    """The per-unit program failed every unit on it ('the score formula … gave a truth value', or a
    number where 'not' reads a truth value), and the column program did not compile it: the scheme's
    checks refuse it, naming the indicator. A score formula one of whose branches is a number still
    loads (a bare name may be either: the per-unit program scores the units taking that branch)."""
    from perfrules import loads
    from perfrules._errors import PerfrulesError

    head = _HEAD.replace('score = "值3"', f'score = "{formula}"') + _MAX_OF_WORDS
    with pytest.raises(PerfrulesError, match="the score formula of 3 其他 gives a truth value, not a score"):
        loads(head, format="toml")
    mixed = _HEAD.replace('score = "值3"', 'score = "if(值2 > 3, 值1 > 2, 值1)"') + _MAX_OF_WORDS
    assert loads(mixed, format="toml") is not None


# -- a zero rule where 0 is below the indicator's min_score ------------------------------------------


@pytest.mark.parametrize("periodic", [False, True])
def test_a_zero_rule_below_min_score_keeps_its_zero(tmp_path: Path, periodic: bool) -> None:
    """指标1's formula score is held within min_score 1 before its zero rule (值2 > 3) gives 0, which
    the per-unit program keeps below the limit (then an adjustment that counts holds it again, as any
    adjusted score). For the year: 甲 zero, 扣 1 → held to 1: 0.8 + 18; 乙 0.5 held to 1; 丁 zero
    (0 + 12); 戊 zero, 扣 3 → 1. Per quarter, each period row so, then the mean of their scores: 甲's
    一季度 0.5 held to 1, 扣 1 takes it below 1 and it is held again; its 二季度 zero, adjusted to 1:
    1 (18.8); 乙's one quarter zero, nothing to deduct: 0 (16); 丙 reports no quarter: its year's 0.1,
    held and adjusted to 1 (14.8)."""
    head = _SCALED if periodic else _SCALED.replace('periods = "mean"\n', "")
    form = (
        ('frequency = "季度"\n' if periodic else "")
        + 'score = "值1"\nmin_score = 1\n'
        + 'policies = [{ type = "zero", when = "值2 > 3" }, { type = "adjust", per = "扣", points = -1, cap = 3 }]\n'
    )
    if periodic:
        data = (
            "单位,期间,值1,值2,值3,扣\n甲,,3,4,90,1\n甲,一季度,0.5,1,,\n甲,二季度,2,8,,\n乙,,5,2,80,0\n"
            "乙,一季度,0.2,9,,\n丙,,0.1,1,70,2\n"
        )
        totals = [Decimal("18.8"), Decimal(16), Decimal("14.8")]
    else:
        data = "单位,值1,值2,值3,扣\n甲,3,4,90,1\n乙,0.5,2,80,0\n丙,,1,70,2\n丁,150,9,60,0\n戊,50,5,60,3\n"
        totals = [Decimal("18.8"), Decimal("16.8"), None, Decimal(12), Decimal("12.8")]
    fast, _ = _both(tmp_path, head + form, data)
    assert [o.total for o in fast] == totals


# -- not-applicable rules reading words beside 分值, or population values ----------------------------

_NA_HEAD = """
name = "不适用"
total = 100
groups = [{ name = "组" }]

[[indicators]]
code = "9"
name = "其他"
group = "组"
weight = 20
score = "值3"

[[indicators]]
code = "2"
name = "词"
group = "组"
weight = 0
value = "结论"
scale = { rule = "好—5分;差—0分" }

[[indicators]]
code = "1"
name = "甲标"
group = "组"
weight = 80
"""


def test_a_not_applicable_rule_reading_words_beside_the_full_points(tmp_path: Path) -> None:
    """指标1 does not apply where 分值 < 50 or 结论 = 1: 分值 (100) decides nothing, so every unit
    reads 结论 as a number — a word is its error (甲, 乙), a blank no value (丙, beside the word
    scale's own error). Decided by the rule's own code once per distinct input."""
    form = 'score = "值1"\npolicies = [{ type = "not_applicable", when = "分值 < 50 or 结论 = 1" }]\n'
    data = "单位,值1,值3,结论\n甲,3,90,好\n乙,5,80,差\n丙,,70,\n"
    fast, _ = _both(tmp_path, _NA_HEAD + form, data)
    formula = "分值 < 50 or 结论 = 1"
    assert [[m for k, m in _messages(o) if k == "1"] for o in fast] == [
        [f"结论='好' (str) is not a number; give an int, float, Decimal or Fraction in formula '{formula}'"],
        [f"结论='差' (str) is not a number; give an int, float, Decimal or Fraction in formula '{formula}'"],
        [f"no value for '结论' in formula '{formula}'"],
    ]


@pytest.mark.parametrize("score", ["值1", "分值×值1/max_of(值1)"])
def test_a_not_applicable_rule_reading_a_population_value(tmp_path: Path, score: str) -> None:
    """The per-unit program asks whether 指标1 applies before any population value is at hand: a rule
    that reaches mean_of(值1) is its error there (乙, 丁 … ); where 值2 > 3 decides first (甲) it does
    not apply (90 × 0.2 / 0.2 = 90); 丙 has no 值1, no value. With population values in its score too
    (max_of(值1)), the batch's are gathered the per-unit way (a unit whose rule cannot be decided is
    left out of them)."""
    form = (
        f'score = "{score}"\n'
        'policies = [{ type = "not_applicable", when = "值2 > 3 or 值1 < mean_of(值1)" }]\n'
    )
    data = "单位,值1,值2,值3,结论\n甲,3,4,90,好\n乙,5,2,80,差\n丙,,1,70,好\n丁,2,1,60,好\n"
    fast, _ = _both(tmp_path, _NA_HEAD + form, data)
    assert fast[0].total == Decimal(90)
    assert [m.startswith("no value for 'mean_of(值1)'") for o in fast[1::2] for _, m in _messages(o)] == [
        True,
        True,
    ]
    assert _messages(fast[2])[0][1].startswith("no value for '值1'")


def test_an_adjustment_cap_reading_a_population_value(tmp_path: Path) -> None:
    """The per-unit program evaluates an adjustment's cap where the adjustment counts something, on a
    scope without population values: max_of(值2) there is its error (甲 counts 4); 乙 and 丁 count
    nothing (值2 = 0) and are scored (5 × 0.8 + 16, 2 × 0.8 + 12); 丙 has no 值1."""
    form = 'score = "值1"\npolicies = [{ type = "adjust", per = "值2", points = -1, cap = "max_of(值2)" }]\n'
    data = "单位,值1,值2,值3,结论\n甲,3,4,90,好\n乙,5,0,80,差\n丙,,1,70,好\n丁,2,0,60,好\n"
    fast, _ = _both(tmp_path, _NA_HEAD + form, data)
    assert [o.total for o in fast] == [None, Decimal(20), None, Decimal("13.6")]
    assert _messages(fast[0]) == [
        (
            "1",
            "no value for 'max_of(值2)' in formula 'max_of(值2)'; it is a value over all the units scored "
            "together: evaluate() computes it, or pass it in the values under this name",
        )
    ]


def test_a_word_scale_without_value_whose_steps_read_population_values(tmp_path: Path) -> None:
    """指标1's word scale has no value and its step reads max_of(值1); its default for no data (中: 70%
    of 80 = 56, less nothing) names 项目数, which no file row gives (a column nothing else reads is not
    read): every unit takes it — 丙 too, whose blank 值1 leaves it without its share of max_of(值1)
    and stops its step first. With 指标9's 值3 held at its full points (20): 76 each."""
    head = _SCALED.replace('periods = "mean"\n', 'basis = "points"\n')
    head = head.replace('"良" = [80, 90]\n', '"良" = [80, 90]\n"中" = [60, 80]\n').replace(
        '"差" = [0, 80]', '"差" = [0, 60]'
    )
    form = (
        'steps = ["a = 值1/max_of(值1)"]\n'
        'scale = { bands = [{ name = "优" }, { name = "良" }, { name = "中" }, { name = "差" }] }\n'
        'policies = [{ type = "default", grade = "中", missing = ["项目数"] }]\n'
    )
    data = "单位,值1,值2,值3,项目数\n甲,3,4,90,\n乙,5,0,80,2\n丙,,1,70,\n丁,2,0,60,1\n"
    fast, _ = _both(tmp_path, head + form, data)
    assert [o.total for o in fast] == [Decimal(76)] * 4
    assert [o.scores[1] for o in fast] == [Decimal(56)] * 4
