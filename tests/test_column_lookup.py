"""Scales over words or several values and threshold scales over columns where they refuse a value or
find none to grade: the units are scored by the column program, as the per-unit program scores them
(issue 17: no unit sent back).

A scale that refuses a value (a word it does not know, no band that holds, a value outside its domain)
is the indicator's error, worded by its own step (:mod:`perfrules.scoring.colfailures`); a ``default …
when`` that holds comes first. A word scale with no word to grade, on an indicator reported per period
with a default for no data, takes the default on those period rows and year rows
(:func:`perfrules.scoring.colblank.first_word`), as the per-unit program's grading finds no value there.
Each scheme is hand-worked; no unit is sent back, each outcome is the per-unit program's field by
field, every unit is explained from the column program's record as the per-unit program explains it,
and the paths (API, CLI CSV and JSON) agree.
"""

from __future__ import annotations

from decimal import Decimal

from oracle import score_unit
from perfrules import Unit, evaluate, loads
from perfrules.files.data import load_units
from perfrules.scoring.colshare import ColumnShare, column_share
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import score_columns
from test_column_defaults import _both, _events, _first, _totals
from test_column_failures import _key
from test_column_record import RECORDED, _compare


def _share(tmp_path, text: str) -> ColumnShare:
    scheme = loads(text, format="toml")
    return column_share(plan_of(scheme), list(load_units(tmp_path / "d.csv", scheme=scheme)))


_PERIODS = """
format = "perfrules-scheme/1"
name = "季度评价"
basis = "points"
total = 20
periods = "mean"
groups = [{ name = "g" }]

[[indicators]]
code = "1"
name = "指标1"
group = "g"
weight = 10
frequency = "季度"
value = "结论"
scale = { rule = "好—10分;较好—8分;一般—6分;差—0分" }
policies = [{ type = "default", score = 1 }, { type = "adjust", per = "扣分", points = -1, cap = 3 }]

[[indicators]]
code = "2"
name = "指标2"
group = "g"
weight = 10
score = "值2"
"""


def test_a_blank_word_on_period_rows_takes_the_default(tmp_path):
    """指标1 grades 结论 each quarter (好 10, 较好 8, 一般 6, 差 0; a quarter counts where it gives 结论
    or 扣分), less 1 per 扣分, the mean of its quarters, default 1. 甲: 好, 较好 → 9, + 5 = 14. 乙: 好
    and a quarter whose 结论 is blank (and the year's too) → the default 1 there, (10 + 1)/2 = 5.5,
    + 5 = 10.5. 丙: its one quarter has no word, nor has the year → the default 1, + 5 = 6. 丁: 很好 is
    no grade: 指标1's error. 戊: a quarter without a word reads the year's 一般 → (0 + 6)/2 = 3, + 5 = 8.
    己: the default 1, less 1 for its 扣分 → 0, + 5 = 5."""
    data = (
        "单位,期间,结论,扣分,值2\n"
        "甲,,,,5\n甲,一季度,好,0,\n甲,二季度,较好,0,\n"
        "乙,,,,5\n乙,一季度,好,0,\n乙,二季度,,0,\n"
        "丙,,,,5\n丙,一季度,,0,\n"
        "丁,,,,5\n丁,一季度,很好,0,\n"
        "戊,,一般,,5\n戊,一季度,差,0,\n戊,二季度,,0,\n"
        "己,,,,5\n己,一季度,,1,\n"
    )
    fast, _ = _both(tmp_path, _PERIODS, data)
    assert _totals(fast) == [
        (Decimal(14), [Decimal(9), Decimal(5)]),
        (Decimal("10.5"), [Decimal("5.5"), Decimal(5)]),
        (Decimal(6), [Decimal(1), Decimal(5)]),
        (None, [None, Decimal(5)]),
        (Decimal(8), [Decimal(3), Decimal(5)]),
        (Decimal(5), [Decimal(0), Decimal(5)]),
    ]
    assert [(e.indicator, e.message) for e in fast[3].errors] == [
        ("1", "no grade '很好' in this scale (grades: 好, 较好, 一般, 差)")
    ]
    assert _share(tmp_path, _PERIODS) == ColumnShare(6, 0)


_LEVELS = _first(
    'scale = { levels = ["良好", "合格", "不合格"], policy = "first", bands = ['
    '{ name = "优", conditions = ["签收 == 良好 and 归档 == 良好"], points = 10 }, '
    '{ name = "中", conditions = ["签收 >= 合格 and 归档 >= 合格"], points = 6 }] }\n'
    'policies = [{ type = "default", score = 2, when = "免评 = 1" }]\n'
)


def test_a_scale_of_levels_that_refuses_a_row(tmp_path):
    """优 where 签收 and 归档 are both 良好 (10), 中 where both are at least 合格 (6), else no grade; a
    default 2 where 免评 = 1, before the grading. 甲 良好, 良好: 10, + 1. 乙 良好, 合格: 6. 丙 合格, 不合格:
    no band holds, 指标1's error. 丁 优秀 is no level: 指标1's error. 戊 合格, 不合格 with 免评 1: the
    default 2 (the scale is not read)."""
    data = (
        "单位,签收,归档,免评,值2\n甲,良好,良好,0,1\n乙,良好,合格,0,1\n丙,合格,不合格,0,1\n"
        "丁,优秀,良好,0,1\n戊,合格,不合格,1,1\n"
    )
    fast, _ = _both(tmp_path, _LEVELS, data)
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        (Decimal(7), [Decimal(6), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(3), [Decimal(2), Decimal(1)]),
    ]
    assert [e.indicator for f in fast[2:4] for e in f.errors] == ["1", "1"]
    assert "优秀" in fast[3].errors[0].message
    assert _events(fast[4], tmp_path, _LEVELS, "戊")[0].startswith("条件“免评 = 1”成立")
    assert _share(tmp_path, _LEVELS) == ColumnShare(5, 0)


_DOMAIN = _first(
    'value = "率"\nscale = { domain = [0, 1], bands = [{ name = "优", conditions = ["率 >= 0.9"], points = 10 }, '
    '{ name = "良", conditions = ["0.6 <= 率 < 0.9"], points = 8 }, '
    '{ name = "差", conditions = ["率 < 0.6"], points = 4 }] }\n'
    'policies = [{ type = "default", score = 5, when = "核减 = 1" }]\n'
)


def test_a_value_outside_a_threshold_scales_domain(tmp_path):
    """率 graded on [0, 1] (优 ≥ 0.9: 10, 良 0.6–0.9: 8, 差 < 0.6: 4); a default 5 where 核减 = 1. 甲
    0.95: 10, + 1; 乙 0.6 (on the boundary: 良) 8, + 1; 丙 1.2 is outside the domain: 指标1's error; 丁
    1.5 with 核减 1: the default 5 (the scale is not read), + 1."""
    data = "单位,率,核减,值2\n甲,0.95,0,1\n乙,0.6,0,1\n丙,1.2,0,1\n丁,1.5,1,1\n"
    fast, _ = _both(tmp_path, _DOMAIN, data)
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        (Decimal(9), [Decimal(8), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(6), [Decimal(5), Decimal(1)]),
    ]
    assert [(e.indicator, e.message) for e in fast[2].errors] == [
        ("1", "率=1.2 is outside the scale's domain [0, 1]")
    ]
    assert _share(tmp_path, _DOMAIN) == ColumnShare(4, 0)


def _levels_default(missing: str) -> str:
    return _first(
        'scale = { levels = ["良好", "合格", "不合格"], policy = "first", bands = ['
        '{ name = "优", conditions = ["签收 == 良好 and 归档 == 良好"], points = 10 }, '
        '{ name = "中", conditions = ["签收 >= 合格 and 归档 >= 合格"], points = 6 }, '
        '{ name = "差", conditions = ["签收 >= 不合格"], points = 1 }] }\n'
        f'policies = [{{ type = "default", score = 3{missing} }}, '
        '{ type = "adjust", per = "扣分", points = -1, cap = 2 }]\n'
    )


def test_a_blank_word_a_scale_with_levels_grades_takes_the_default(tmp_path):
    """优 where 签收 and 归档 are both 良好 (10), 中 where both are at least 合格 (6), 差 where 签收 is at
    least 不合格 (1), bands read in turn, each condition left to right; default 3, less 1 per 扣分.
    甲 良好, 良好: 10, + 1. 乙 has no 签收: 优 reads it first: the default 3. 丙 合格 without 归档: 优 stops
    at 签收 == 良好, 中 reads 归档: 3, less 1 for its 扣分: 2. 戊 has neither: 3. 己 优秀 is no level:
    指标1's error. 庚 不合格 without 归档: 优 and 中 stop at 签收, 差 holds: 1 (归档 is never read). With
    the default naming 归档 only: 乙's missing 签收 is 指标1's error (归档 is there);
    丙 and 戊 stop at 归档 (戊's 签收 == 良好 reads a missing 签收 as no match: the per-unit program
    names 归档 too)."""
    data = (
        "单位,签收,归档,扣分,值2\n甲,良好,良好,0,1\n乙,,良好,0,1\n丙,合格,,1,1\n戊,,,0,1\n"
        "己,优秀,良好,0,1\n庚,不合格,,0,1\n"
    )
    fast, _ = _both(tmp_path, _levels_default(""), data)
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(3), [Decimal(2), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(2), [Decimal(1), Decimal(1)]),
    ]
    said = [
        _events(f, tmp_path, _levels_default(""), u)[0].split("，")[0]
        for f, u in zip(fast[1:4], "乙丙戊", strict=True)
    ]
    assert said == ["缺少数据“签收”", "缺少数据“归档”", "缺少数据“归档”"]
    assert _share(tmp_path, _levels_default("")) == ColumnShare(6, 0)
    named = _levels_default(', missing = ["归档"]')
    fast, _ = _both(tmp_path, named, data)
    assert [f.scores[0] for f in fast] == [Decimal(10), None, Decimal(2), Decimal(3), None, Decimal(1)]
    assert [e.message for e in fast[1].errors] == [
        "no value for '签收' in formula '签收 == 良好 and 归档 == 良好'"
    ]
    assert _share(tmp_path, named) == ColumnShare(6, 0)


def test_a_blank_word_a_scale_with_levels_does_not_reach(tmp_path):
    """Without a default: 丁 不合格 without 归档 is graded 差 (1, less 1 for its 扣分: 0; its conditions
    never read 归档), 丙 合格 without 归档 stops at 中's 归档 (指标1's error), 甲 良好, 良好: 10."""
    text = _levels_default("").replace('{ type = "default", score = 3 }, ', "")
    assert "default" not in text
    data = "单位,签收,归档,扣分,值2\n甲,良好,良好,0,1\n丙,合格,,0,1\n丁,不合格,,1,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(1), [Decimal(0), Decimal(1)]),
    ]
    assert [e.message for e in fast[1].errors] == [
        "no value for '归档' in formula '签收 >= 合格 and 归档 >= 合格'"
    ]
    assert _share(tmp_path, text) == ColumnShare(3, 0)


def _units_compared(text: str, units: list[Unit]) -> list[object]:
    """The column program's outcomes for a batch of ``Unit`` objects: none left unscored, each the
    per-unit program's field by field, ``evaluate()`` agreeing, every unit explained from the record as
    the per-unit program explains it."""
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    fast = score_columns(plan, units, {})
    assert all(f is not None for f in fast), [u.name for u, f in zip(units, fast, strict=True) if f is None]
    assert [_key(f) for f in fast] == [_key(score_unit(plan, u, {}, detail=False)) for u in units]
    found = [(r.total, [e.message for e in r.errors]) for r in evaluate(scheme, units)]
    assert found == [(f.total, [e.message for e in f.errors]) for f in fast]  # type: ignore[attr-defined]
    assert set(_compare(scheme, units)) == {RECORDED}
    return fast


def test_a_none_handed_in_where_a_blank_word_is_read_as_the_per_unit_program_reads_it():
    """A ``Unit`` whose word is None itself (not absent): the per-unit program's scope holds that None,
    so where the scale's conditions reach it they refuse it (指标1's error), where a blank takes the
    default for no data (3, less 1 per 扣分); where they never reach it, it is not read. 乙's 签收 None:
    优 reads it first, its error. 丙 has no 签收: the default 3. 丁 不合格 with 归档 None: 优 and 中 stop
    at 签收, 差 holds: 1 (归档 never read). 戊 合格 with 归档 None: 中 reads it, its error. With the
    default naming 归档 only, 己 without 签收 and with 归档 None takes the default (归档 has no value: the
    rule's case), 丙 without 签收 but with 归档 is 指标1's error."""
    units = [
        Unit(name="甲", data={"签收": "良好", "归档": "良好", "扣分": 0, "值2": 1}),
        Unit(name="乙", data={"签收": None, "归档": "良好", "扣分": 0, "值2": 1}),
        Unit(name="丙", data={"归档": "良好", "扣分": 0, "值2": 1}),
        Unit(name="丁", data={"签收": "不合格", "归档": None, "扣分": 0, "值2": 1}),
        Unit(name="戊", data={"签收": "合格", "归档": None, "扣分": 1, "值2": 1}),
        Unit(name="己", data={"归档": None, "扣分": 1, "值2": 1}),
    ]
    refused = "{}=None (NoneType) is not a number; give an int, float, Decimal or Fraction in formula '{}'"
    first, second = "签收 == 良好 and 归档 == 良好", "签收 >= 合格 and 归档 >= 合格"
    fast = _units_compared(_levels_default(""), units)
    assert [(f.total, f.scores, [e.message for e in f.errors]) for f in fast] == [  # type: ignore[attr-defined]
        (Decimal(11), [Decimal(10), Decimal(1)], []),
        (None, [None, Decimal(1)], [refused.format("签收", first)]),
        (Decimal(4), [Decimal(3), Decimal(1)], []),
        (Decimal(2), [Decimal(1), Decimal(1)], []),
        (None, [None, Decimal(1)], [refused.format("归档", second)]),
        (Decimal(3), [Decimal(2), Decimal(1)], []),
    ]
    fast = _units_compared(_levels_default(', missing = ["归档"]'), units)
    assert [f.scores[0] for f in fast] == [Decimal(10), None, None, Decimal(1), None, Decimal(2)]  # type: ignore[attr-defined]
    assert [e.message for e in fast[2].errors] == [f"no value for '签收' in formula '{first}'"]  # type: ignore[attr-defined]


def test_a_none_handed_in_a_period_row_of_a_word_scale():
    """指标1 grades 结论 each quarter (default 1 for no data, less 1 per 扣分). A period that hands in
    None itself reads that None, not the year's word, and the scale refuses it (甲, 乙); a period without
    结论 reads the year's None, refused too (丙); 丁's quarter gives 好 over the year's None: 10, less 1
    for its 扣分, + 1. With a ``missing`` rule on 结论, None is no value: 甲 and 乙 (every quarter's 结论
    None) and 丙 (its quarter reads the year's None) do not apply (指标2 alone: 1 of 10, ×2 = 2)."""
    units = [
        Unit(name="甲", data={"值2": 1}, periods={"一季度": {"结论": None}}),
        Unit(name="乙", data={"结论": "好", "值2": 1}, periods={"一季度": {"结论": None, "扣分": 0}}),
        Unit(name="丙", data={"结论": None, "值2": 1}, periods={"一季度": {"扣分": 0}}),
        Unit(name="丁", data={"结论": None, "值2": 1}, periods={"一季度": {"结论": "好", "扣分": 1}}),
    ]
    refused = "this scale grades a category; expected one of 好, 较好, 一般, 差 (got None of type NoneType)"
    fast = _units_compared(_PERIODS, units)
    assert [(f.total, [e.message for e in f.errors]) for f in fast] == [  # type: ignore[attr-defined]
        (None, [refused]),
        (None, [refused]),
        (None, [refused]),
        (Decimal(10), []),
    ]
    missing = _PERIODS.replace(
        "policies = [", 'policies = [{ type = "not_applicable", missing = ["结论"] }, '
    )
    fast = _units_compared(missing, units)
    assert [(f.total, f.scores[0]) for f in fast] == [  # type: ignore[attr-defined]
        (Decimal(2), None),
        (Decimal(2), None),
        (Decimal(2), None),
        (Decimal(10), Decimal(9)),
    ]


_SUMMED = """
format = "perfrules-scheme/1"
name = "季度合计"
basis = "points"
total = 20
periods = "{mode}"
groups = [{{ name = "g" }}]

[[indicators]]
code = "1"
name = "指标1"
group = "g"
weight = 10
frequency = "季度"
score = "完成数"
policies = [{{ type = "not_applicable", missing = ["完成数"] }}]

[[indicators]]
code = "2"
name = "指标2"
group = "g"
weight = 10
score = "值2"
"""


def test_a_none_handed_in_a_period_row_under_a_missing_rule():
    """指标1 scores 完成数 (not applicable where it has no value), reported per quarter. A period's None is
    no value there, though the year gives one: 丙 (one quarter, None; the year's 4) does not apply (指标2
    alone: 1 of 10, ×2 = 2). Added up (``periods = "sum"``), two quarters are a sum whatever they hold:
    甲 2 + 3 = 5, + 1 = 6; 乙 2 + None and 丁 None + None are 指标1's error (None is no number). Each
    quarter scored (``mean``): 乙 and 丁's None quarters are 指标1's error where read (乙), not applicable
    where every quarter has no value (丁: 2)."""
    units = [
        Unit(name="甲", data={"值2": 1}, periods={"一季度": {"完成数": 2}, "二季度": {"完成数": 3}}),
        Unit(name="乙", data={"值2": 1}, periods={"一季度": {"完成数": 2}, "二季度": {"完成数": None}}),
        Unit(name="丙", data={"值2": 1, "完成数": 4}, periods={"一季度": {"完成数": None}}),
        Unit(
            name="丁",
            data={"值2": 1, "完成数": 4},
            periods={"一季度": {"完成数": None}, "二季度": {"完成数": None}},
        ),
    ]
    refused = "完成数=None (NoneType) is not a number; give an int, float, Decimal or Fraction"
    fast = _units_compared(_SUMMED.format(mode="sum"), units)
    assert [(f.total, [e.message for e in f.errors]) for f in fast] == [  # type: ignore[attr-defined]
        (Decimal(6), []),
        (None, [refused]),
        (Decimal(2), []),
        (None, [refused]),
    ]
    fast = _units_compared(_SUMMED.format(mode="mean"), units)
    assert [(f.total, [e.message for e in f.errors]) for f in fast] == [  # type: ignore[attr-defined]
        (Decimal("3.5"), []),
        (None, [f"{refused} in formula '完成数'"]),
        (Decimal(2), []),
        (Decimal(2), []),
    ]


_STEP_LEVELS = """
format = "perfrules-scheme/1"
name = "档次"
basis = "points"
total = 20
groups = [{ name = "g" }]

[[indicators]]
code = "1"
name = "指标1"
group = "g"
weight = 10
steps = [
    "级=完成数/计划数*2",
    { type = "part", target = "档分", of = "级", scale = { levels = ["良好", "合格", "不合格"], policy = "first", bands = [
        { name = "优", conditions = ["级 >= 良好"], points = 10 },
        { name = "中", conditions = ["级 >= 合格"], points = 6 },
        { name = "差", conditions = ["级 >= 不合格"], points = 1 },
    ] } },
]
score = "档分"

[[indicators]]
code = "2"
name = "指标2"
group = "g"
weight = 10
value = "签收"
scale = { levels = ["良好", "合格", "不合格"], policy = "first", bands = [
    { name = "优", conditions = ["签收 >= 良好"], points = 10 },
    { name = "中", conditions = ["签收 >= 合格"], points = 6 },
    { name = "差", conditions = ["签收 >= 不合格"], points = 1 },
] }
"""


def test_a_number_a_scale_with_levels_grades(tmp_path):
    """指标1's part grades the step's number 级 = 完成数/计划数×2 by levels (良好 2, 合格 1, 不合格 0): 甲
    10/10 → 2 优 10; 乙 5/10 → 1 中 6; 丙 1/10 → 0.2 差 1; 丁 has no 签收: 指标2's error. Through the
    API a number where 指标2 grades words is graded as one (戊 2: 优 10; 己 1.5: 中 6), as the per-unit
    program grades it."""
    data = "单位,完成数,计划数,签收\n甲,10,10,良好\n乙,5,10,合格\n丙,1,10,不合格\n丁,0,10,\n"
    fast, _ = _both(tmp_path, _STEP_LEVELS, data)
    assert _totals(fast) == [
        (Decimal(20), [Decimal(10), Decimal(10)]),
        (Decimal(12), [Decimal(6), Decimal(6)]),
        (Decimal(2), [Decimal(1), Decimal(1)]),
        (None, [Decimal(1), None]),
    ]
    assert [e.message for e in fast[3].errors] == ["no value for '签收' in formula '签收 >= 良好'"]
    assert _share(tmp_path, _STEP_LEVELS) == ColumnShare(4, 0)
    scheme = loads(_STEP_LEVELS, format="toml")
    plan = plan_of(scheme)
    units = [
        Unit(name="戊", data={"完成数": 10, "计划数": 10, "签收": 2}),
        Unit(name="己", data={"完成数": 10, "计划数": 10, "签收": Decimal("1.5")}),
    ]
    found = score_columns(plan, units, {})
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    assert [(f.total, f.scores) for f in found] == [(s.total, s.scores) for s in slow]
    assert [f.total for f in found] == [Decimal(20), Decimal(16)]


_RANKED = """
format = "perfrules-scheme/1"
name = "名次"
basis = "points"
total = 20
groups = [{ name = "g" }]

[[indicators]]
code = "1"
name = "指标1"
group = "g"
weight = 10
steps = [
    { type = "part", target = "档", of = "率", scale = { domain = [0, 1], bands = [
        { name = "优", conditions = ["率 >= 0.9"], points = 10 },
        { name = "良", conditions = ["0.6 <= 率 < 0.9"], points = 8 },
        { name = "差", conditions = ["率 < 0.6"], points = 4 },
    ] } },
    { type = "rank", target = "名次分", of = "档", points = { "1" = 10, "2" = 6 } },
]
score = "名次分"

[[indicators]]
code = "2"
name = "指标2"
group = "g"
weight = 10
score = "值2"
"""


def test_a_value_outside_a_parts_domain_under_a_rank(tmp_path):
    """档 grades 率 on [0, 1] (优 10, 良 8, 差 4), ranked: 1st 10 points, 2nd 6. 丙's 1.5 is outside the
    domain: no 档, no rank (指标1's error), and the others are ranked without it: 甲 10, 乙 6, 丁 0."""
    data = "单位,率,值2\n甲,0.95,1\n乙,0.7,1\n丙,1.5,1\n丁,0.3,1\n"
    fast, _ = _both(tmp_path, _RANKED, data)
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        (Decimal(7), [Decimal(6), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(1), [Decimal(0), Decimal(1)]),
    ]
    assert [e.message for e in fast[2].errors] == ["率=1.5 is outside the scale's domain [0, 1]"]
    assert _share(tmp_path, _RANKED) == ColumnShare(4, 0)


def test_a_word_scale_without_a_value_to_grade(tmp_path):
    """A word scale without ``value`` finds no word for any unit: with a default for no data, 3 (its
    words name the indicator's code, as the per-unit program's); without, 指标1's error."""
    scale = 'scale = { rule = "好—10分;较好—8分;差—0分" }\n'
    text = _first(scale + 'policies = [{ type = "default", score = 3 }]\n')
    fast, _ = _both(tmp_path, text, "单位,值2\n甲,1\n乙,2\n")
    assert _totals(fast) == [(Decimal(4), [Decimal(3), Decimal(1)]), (Decimal(5), [Decimal(3), Decimal(2)])]
    assert _events(fast[0], tmp_path, text, "甲") == ["缺少数据“1”，按规定默认得 3分"]
    fast, _ = _both(tmp_path, _first(scale), "单位,值2\n甲,1\n乙,2\n")
    assert [(f.total, [e.message for e in f.errors]) for f in fast] == [
        (None, ["no value for '1' in formula 'the category of 1 指标1'"])
    ] * 2
