"""Scales with levels over words (a ``part``'s, an indicator's own after its steps) over columns where a
word is blank or is no word: the units are scored by the column program, as the per-unit program scores
them (issue 17: no unit sent back).

A ``part`` whose scale with levels grades one word (its ``of``) reads that word first: a blank word is
no value, and the default for no data takes the unit where nothing before stops it (colreach follows the
part as it follows a word scale's part). A scale with levels grades a number a ``Unit`` hands in where
it reads words as the per-unit program does, and where it graded a unit its cell stops nothing
(:mod:`perfrules.scoring.collevels`). An indicator's own scale with levels after formula steps that read
none of its words takes the default for no data where it finds no word
(:func:`perfrules.scoring.colblank.first_graded`). Each scheme is hand-worked; each outcome is the
per-unit program's field by field, every unit is explained from the column program's record as the
per-unit program explains it, and the paths (API, CLI CSV and JSON) agree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oracle import score_unit
from perfrules import Unit, evaluate, loads
from perfrules.scoring.colexplain import RECORDED
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import score_columns
from test_column_defaults import _both, _events, _first, _totals
from test_column_record import _compare

_PART = (
    '{ type = "part", target = "档分", of = "签收", scale = { levels = ["良好", "合格", "不合格"], '
    'policy = "first", bands = [{ name = "优", conditions = ["签收 >= 良好"], points = 8 }, '
    '{ name = "中", conditions = ["签收 >= 合格"], points = 5 }, '
    '{ name = "差", conditions = ["签收 >= 不合格"], points = 1 }] } }'
)

_PART_DEFAULT = _first(
    f'steps = ["调=扣分/2", {_PART}]\nscore = "档分 + 归档 - 调"\npolicies = [{{ type = "default", score = 3 }}]\n'
)


def test_a_blank_word_a_levels_part_grades_takes_the_default(tmp_path):
    """调 = 扣分/2, then 档分 grades 签收 by levels (良好 8, 合格 5, 不合格 1), score 档分 + 归档 - 调,
    default 3. 甲 良好, 归档 2, 扣分 1: 8 + 2 - 0.5 = 9.5, + 1. 乙 has no 签收: the part finds no value,
    the default 3. 丙 合格, 归档 1: 6. 丁 优秀 is no level: 指标1's error. 戊 不合格 without 归档: the score
    formula reads a blank 归档, the default 3."""
    data = "单位,签收,归档,扣分,值2\n甲,良好,2,1,1\n乙,,2,0,1\n丙,合格,1,0,1\n丁,优秀,1,0,1\n戊,不合格,,0,1\n"
    fast, _ = _both(tmp_path, _PART_DEFAULT, data)
    assert _totals(fast) == [
        (Decimal("10.5"), [Decimal("9.5"), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(7), [Decimal(6), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
    ]
    assert [e.message for e in fast[3].errors] == ["签收='优秀' is not one of the levels 良好, 合格, 不合格"]
    said = [
        _events(f, tmp_path, _PART_DEFAULT, u)[0].split("，")[0]
        for f, u in zip(fast[1::3], "乙戊", strict=True)
    ]
    assert said == ["缺少数据“签收”", "缺少数据“归档”"]


_LEVELS = (
    'scale = { levels = ["良好", "合格", "不合格"], policy = "first", bands = ['
    '{ name = "优", conditions = ["签收 == 良好 and 归档 == 良好"], points = 10 }, '
    '{ name = "中", conditions = ["签收 >= 合格 and 归档 >= 合格"], points = 6 }, '
    '{ name = "差", conditions = ["签收 >= 不合格"], points = 1 }] }\n'
)

_STEPS_LEVELS = _first(
    'steps = ["率=完成数/计划数"]\n' + _LEVELS + 'policies = [{ type = "default", score = 3 }]\n'
)


def test_a_blank_word_a_scale_with_levels_grades_after_steps_takes_the_default(tmp_path):
    """率 = 完成数/计划数 runs first, then 优 where 签收 and 归档 are both 良好 (10), 中 where both are at
    least 合格 (6), 差 where 签收 is at least 不合格 (1); default 3. 甲 良好, 良好: 10, + 1. 乙 has no 签收:
    the default. 丙 合格 without 归档: 中 reads it, the default. 丁 divides by 0 in its step: the default.
    戊 不合格 without 归档: 差 (归档 is never read), 1."""
    data = (
        "单位,签收,归档,完成数,计划数,值2\n甲,良好,良好,1,2,1\n乙,,良好,1,2,1\n丙,合格,,1,2,1\n"
        "丁,合格,合格,1,0,1\n戊,不合格,,1,2,1\n"
    )
    fast, _ = _both(tmp_path, _STEPS_LEVELS, data)
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(2), [Decimal(1), Decimal(1)]),
    ]
    said = [
        _events(f, tmp_path, _STEPS_LEVELS, u)[0].split("，")[0]
        for f, u in zip(fast[1:3], "乙丙", strict=True)
    ]
    assert said == ["缺少数据“签收”", "缺少数据“归档”"]


def test_a_blank_input_the_steps_before_a_scale_with_levels_read(tmp_path):
    """As above: 己 has no 计划数, so its step 率 = 完成数/计划数 stops there: the default 3, + 1. Without
    the default: 己's step is 指标1's error."""
    data = "单位,签收,归档,完成数,计划数,值2\n甲,良好,良好,1,2,1\n己,良好,良好,1,,1\n"
    fast, _ = _both(tmp_path, _STEPS_LEVELS, data)
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
    ]
    assert _events(fast[1], tmp_path, _STEPS_LEVELS, "己")[0].split("，")[0] == "缺少数据“计划数”"
    text = _STEPS_LEVELS.replace('policies = [{ type = "default", score = 3 }]\n', "")
    fast, _ = _both(tmp_path, text, data)
    assert [[e.message for e in f.errors] for f in fast] == [
        [],
        ["no value for '计划数' in formula '率=完成数/计划数'"],
    ]


def test_a_none_handed_in_where_the_steps_read_a_number():
    """A ``Unit`` whose 计划数 is None itself (not absent): the per-unit program refuses the None (指标1's
    error, not the default for no data); the column program gives that error too. 乙 lacks 计划数: the
    default 3."""
    for text in (_STEPS_LEVELS, _PART_DEFAULT.replace("扣分/2", "扣分/计划数")):
        scheme = loads(text, format="toml")
        plan = plan_of(scheme)
        units = [
            Unit(
                name="甲",
                data={"签收": "良好", "归档": "良好", "完成数": 1, "计划数": None, "扣分": 1, "值2": 1},
            ),
            Unit(name="乙", data={"签收": "良好", "归档": 2, "完成数": 1, "扣分": 1, "值2": 1}),
        ]
        fast = score_columns(plan, units, {})
        slow = [score_unit(plan, u, {}, detail=False) for u in units]
        assert all(f is not None for f in fast)
        assert [_outcome(f) for f in fast] == [_outcome(s) for s in slow]
        assert [f.total for f in fast if f is not None] == [None, Decimal(4)]
        formula = "率=完成数/计划数" if text is _STEPS_LEVELS else "调=扣分/计划数"
        assert [e.message for f in fast[:1] if f is not None for e in f.errors] == [
            f"计划数=None (NoneType) is not a number; give an int, float, Decimal or Fraction in formula '{formula}'"
        ]


def test_a_number_handed_in_where_a_levels_part_reads_words():
    """Through the API a number where the part grades words is graded as one, as the per-unit program
    grades it (良好 2, 合格 1, 不合格 0): 戊 2 → 优 8 + 1 - 0 = 9, + 1; 己 1.5 → 中 5 + 1 - 0.5 = 5.5, + 1; 庚 '—'
    (a word that is no level): 指标1's error; 甲 良好: 8 + 1 = 9, + 1. With and without the default."""
    for text in (_PART_DEFAULT, _PART_DEFAULT.replace('policies = [{ type = "default", score = 3 }]\n', "")):
        scheme = loads(text, format="toml")
        plan = plan_of(scheme)
        units = [
            Unit(name="戊", data={"签收": 2, "归档": 1, "扣分": 0, "值2": 1}),
            Unit(name="己", data={"签收": Decimal("1.5"), "归档": 1, "扣分": 1, "值2": 1}),
            Unit(name="庚", data={"签收": "—", "归档": 1, "扣分": 0, "值2": 1}),
            Unit(name="甲", data={"签收": "良好", "归档": 1, "扣分": 0, "值2": 1}),
        ]
        fast = score_columns(plan, units, {})
        slow = [score_unit(plan, u, {}, detail=False) for u in units]
        assert all(f is not None for f in fast)
        got = [(f.total, f.scores, [e.message for e in f.errors]) for f in fast if f is not None]
        assert got == [(s.total, s.scores, [e.message for e in s.errors]) for s in slow]
        assert [f.total for f in fast if f is not None] == [Decimal(10), Decimal("6.5"), None, Decimal(10)]
        assert got[2][2] == ["签收='—' is not one of the levels 良好, 合格, 不合格"]
        found = {r.unit: (r.total, [e.message for e in r.errors]) for r in evaluate(scheme, units)}
        assert found == {u.name: (t, m) for u, (t, _, m) in zip(units, got, strict=True)}


_THRESHOLD = """
format = "perfrules-scheme/1"
name = "门槛"
basis = "points"
total = 100
groups = [{ name = "组" }]
[[policies]]
type = "veto"
when = "事故>0"
effect = "lowest_grade"
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 100
score = "得分"
[overall]
policy = "first"
[[overall.bands]]
name = "优"
conditions = ["总分>=90 and 门槛=1"]
[[overall.bands]]
name = "良"
conditions = ["总分>=60"]
[[overall.bands]]
name = "差"
conditions = ["总分<60"]
"""


def test_a_cell_only_the_rules_on_the_total_read_that_is_no_number():
    """门槛 is read only by overall grading (优 where 总分 ≥ 90 and 门槛 = 1), 事故 only by the scheme's
    veto (事故 > 0: the lowest grade). Through the API: 甲 94, 门槛 1: 优. 乙's 门槛 '87.5分' and 丙's True
    are the total's error, worded by the per-unit program (its score 94 kept); 丁's 事故 '—' too; 戊 has
    no 门槛: the total's error. Those units are scored by the column program, not sent back."""
    scheme = loads(_THRESHOLD, format="toml")
    plan = plan_of(scheme)
    units = [
        Unit(name="甲", data={"得分": 94, "门槛": 1, "事故": 0}),
        Unit(name="乙", data={"得分": 94, "门槛": "87.5分", "事故": 0}),
        Unit(name="丙", data={"得分": 94, "门槛": True, "事故": 0}),
        Unit(name="丁", data={"得分": 94, "门槛": 1, "事故": "—"}),
        Unit(name="戊", data={"得分": 94, "事故": 0}),
    ]
    fast = score_columns(plan, units, {})
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    assert all(f is not None for f in fast), [u.name for u, f in zip(units, fast, strict=True) if f is None]
    assert [_outcome(f) for f in fast] == [_outcome(s) for s in slow]
    assert [(f.total, f.grade, f.scores) for f in fast if f is not None] == [
        (Decimal(94), "优", [Decimal(94)]),
        *[(None, None, [Decimal(94)])] * 4,
    ]
    assert [[e.message for e in f.errors] for f in fast[1:] if f is not None] == [
        [
            "门槛='87.5分' (str) is not a number; give an int, float, Decimal or Fraction in formula "
            "'总分>=90 and 门槛=1'"
        ],
        ["a truth value cannot be compared as a number in formula '总分>=90 and 门槛=1'"],
        ["事故='—' (str) is not a number; give an int, float, Decimal or Fraction in formula '事故>0'"],
        ["no value for '门槛' in formula '总分>=90 and 门槛=1'"],
    ]
    found = {r.unit: (r.total, r.grade, [e.message for e in r.errors]) for r in evaluate(scheme, units)}
    assert found == {
        u.name: (s.total, s.grade, [e.message for e in s.errors]) for u, s in zip(units, slow, strict=True)
    }
    assert set(_compare(scheme, units)) == {RECORDED}


def _outcome(o: Any) -> tuple[Any, ...]:
    return (
        o.unit.name,
        o.total,
        o.grade,
        o.vetoed,
        [(e.indicator, e.field, e.message, e.error) for e in o.errors],
        [(e.kind, e.message) for e in o.events],
        o.scores,
        o.flags,
    )
