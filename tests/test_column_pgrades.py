"""Scales with levels over words where a step or the grading stops first: units the column program
left unscored, now scored as the per-unit program scores them (issue 17: one engine).

A scale with ``levels`` after formula steps is graded after every step: where a step stops first (a blank
input, a division by 0), the indicator's default for no data takes the unit and the scale never sees
its words, known or not (:mod:`perfrules.scoring.coldefaults`, ``colgraded.GRADED_LATE``). A ``part``
graded by levels over several words says where its conditions find no value (``collevels.PART_LACKING``),
which colreach follows as that step's stop. A ``default … when`` that takes a period row takes it before
any step reads a blank cell there (``colblank.stopping``). Each scheme
is hand-worked; each outcome is the per-unit program's field by field, every unit is explained from the
column program's record as the per-unit program explains it, and the paths (API, CLI CSV and JSON)
agree.
"""

from __future__ import annotations

from decimal import Decimal

from test_column_defaults import _both, _events, _first, _totals
from test_column_levels import _STEPS_LEVELS

_NO_DEFAULT = _STEPS_LEVELS.replace('policies = [{ type = "default", score = 3 }]\n', "")

# 签收 and 归档 graded by levels 良好 > 合格 > 不合格 after the step 率 = 完成数/计划数 (default 3).
_STOPPED = (
    "单位,签收,归档,完成数,计划数,值2\n甲,良好,良好,1,2,1\n乙,优秀,良好,1,,1\n丙,优秀,,1,,1\n"
    "丁,,优秀,1,,1\n戊,优秀,优秀,,2,1\n己,合格,优秀,1,0,1\n庚,合格,优秀,1,2,1\n"
)


def test_a_step_stopping_at_a_blank_before_a_scale_with_levels_that_refuses_the_word(tmp_path):
    """甲 良好, 良好: 优 10, + 1. 乙 优秀 (no level) but no 计划数: the step stops at the blank first, the
    default 3 (the scale never reads 优秀); 丙 also without 归档, 丁 without 签收 (归档 优秀): the same,
    3. 戊 has no 完成数: 3. 己 divides by 0 in its step (归档 优秀): the default 3 too. 庚's step runs
    (1/2), then the scale refuses 归档 优秀: 指标1's error, not the default."""
    fast, _ = _both(tmp_path, _STEPS_LEVELS, _STOPPED)
    defaulted = (Decimal(4), [Decimal(3), Decimal(1)])
    assert _totals(fast) == [
        (Decimal(11), [Decimal(10), Decimal(1)]),
        defaulted,
        defaulted,
        defaulted,
        defaulted,
        defaulted,
        (None, [None, Decimal(1)]),
    ]
    assert [e.message for e in fast[6].errors] == ["归档='优秀' is not one of the levels 良好, 合格, 不合格"]
    said = [
        _events(f, tmp_path, _STEPS_LEVELS, u)[0].split("，")[0]
        for f, u in zip(fast[1:5], "乙丙丁戊", strict=True)
    ]
    assert said == ["缺少数据“计划数”", "缺少数据“计划数”", "缺少数据“计划数”", "缺少数据“完成数”"]


def test_without_the_default_the_step_that_stops_first_is_the_error(tmp_path):
    """As above without a default: each unit's error is its step's (the blank, the division by 0),
    never the scale's refusal of 优秀, but for 庚, whose step runs."""
    fast, _ = _both(tmp_path, _NO_DEFAULT, _STOPPED)
    assert [[e.message for e in f.errors] for f in fast] == [
        [],
        ["no value for '计划数' in formula '率=完成数/计划数'"],
        ["no value for '计划数' in formula '率=完成数/计划数'"],
        ["no value for '计划数' in formula '率=完成数/计划数'"],
        ["no value for '完成数' in formula '率=完成数/计划数'"],
        ["division by zero in '率=完成数/计划数': '计划数' is 0 (with 完成数=1, 计划数=0)"],
        ["归档='优秀' is not one of the levels 良好, 合格, 不合格"],
    ]


_LEVELS_PART = (
    '{ type = "part", target = "档分", scale = { levels = ["良好", "合格", "不合格"], policy = "first", '
    'bands = [{ name = "优", conditions = ["签收 == 良好 and 归档 == 良好"], points = 8 }, '
    '{ name = "中", conditions = ["签收 >= 合格 and 归档 >= 合格"], points = 5 }, '
    '{ name = "差", conditions = ["签收 >= 不合格"], points = 1 }] } }'
)

_PART_DEFAULT = _first(
    f'steps = ["调=扣分/2", {_LEVELS_PART}]\nscore = "档分 + 加分 - 调"\n'
    'policies = [{ type = "default", score = 3 }]\n'
)

# 档分 graded by levels over 签收 and 归档 (优 8, 中 5, 差 1), after 调 = 扣分/2; score 档分 + 加分 - 调.
_PART_DATA = (
    "单位,签收,归档,加分,扣分,值2\n甲,良好,良好,1,1,1\n乙,,良好,1,0,1\n丙,良好,,1,0,1\n丁,不合格,,1,0,1\n"
    "戊,,,1,0,1\n己,合格,合格,,0,1\n庚,优秀,,1,0,1\n辛,,优秀,1,0,1\n壬,合格,,,0,1\n癸,良好,良好,1,,1\n"
    "子,优秀,良好,1,,1\n丑,,优秀,1,,1\n"
)


def test_a_levels_part_over_several_words_with_a_blank_takes_the_default(tmp_path):
    """甲 良好, 良好: 优 8 + 1 - 0.5 = 8.5, + 1. 乙 has no 签收: 优's condition reads it, the default 3;
    丙 良好 without 归档: 优 reads 归档, 3; 丁 不合格 without 归档: neither 优 nor 中 gets past 签收, 差 1 + 1
    = 2; 戊 neither word: 3. 己's words grade 中, but the score formula reads a blank 加分: 3. 庚 优秀, 辛
    归档 优秀: no level, 指标1's error (before any blank is read). 壬 合格 without 归档: 中 reads it, 3. 癸
    has no 扣分: the step before the part stops, 3; so do 子 and 丑, whose words the part would refuse."""
    fast, _ = _both(tmp_path, _PART_DEFAULT, _PART_DATA)
    defaulted = (Decimal(4), [Decimal(3), Decimal(1)])
    assert _totals(fast) == [
        (Decimal("9.5"), [Decimal("8.5"), Decimal(1)]),
        defaulted,
        defaulted,
        (Decimal(3), [Decimal(2), Decimal(1)]),
        defaulted,
        defaulted,
        (None, [None, Decimal(1)]),
        (None, [None, Decimal(1)]),
        defaulted,
        defaulted,
        defaulted,
        defaulted,
    ]
    assert [e.message for f in fast[6:8] for e in f.errors] == [
        "签收='优秀' is not one of the levels 良好, 合格, 不合格",
        "归档='优秀' is not one of the levels 良好, 合格, 不合格",
    ]
    said = [
        _events(fast[i], tmp_path, _PART_DEFAULT, u)[0].split("，")[0]
        for i, u in ((1, "乙"), (2, "丙"), (4, "戊"), (5, "己"), (8, "壬"), (9, "癸"), (11, "丑"))
    ]
    assert said == [  # (戊: the per-unit program names the first blank of 优's condition, sorted: 归档)
        "缺少数据“签收”",
        "缺少数据“归档”",
        "缺少数据“归档”",
        "缺少数据“加分”",
        "缺少数据“归档”",
        "缺少数据“扣分”",
        "缺少数据“扣分”",
    ]


def test_a_levels_part_with_a_default_naming_its_input_or_none(tmp_path):
    """The default names 签收 only: it takes a unit where 签收 is blank (乙, 戊, 丑: whatever stops first)
    or where the blank that stops it is 签收, and no other (丙's and 壬's 归档, 己's 加分, 癸's and 子's 扣分:
    the error of the step that reads it). Without a default, each blank is the error of the step that
    reads it first: 乙's the part's, 子's the step before it (not the part's refusal of 优秀)."""
    named = _PART_DEFAULT.replace("score = 3 }]", 'score = 3, missing = ["签收"] }]')
    fast, _ = _both(tmp_path, named, _PART_DATA)
    assert [f.total for f in fast] == [
        Decimal("9.5"),
        Decimal(4),  # 乙: 签收 is blank
        None,  # 丙: 归档 is not named
        Decimal(3),
        Decimal(4),  # 戊: 签收 is blank too
        None,  # 己: 加分 is not named
        None,
        None,
        None,  # 壬: 归档
        None,  # 癸: 扣分
        None,  # 子: 扣分
        Decimal(4),  # 丑: 签收 is blank
    ]
    assert [e.message for e in fast[2].errors] == [
        "no value for '归档' in formula '签收 == 良好 and 归档 == 良好'"
    ]
    bare = _PART_DEFAULT.replace('policies = [{ type = "default", score = 3 }]\n', "")
    fast, _ = _both(tmp_path, bare, _PART_DATA)
    assert [e.message for e in fast[1].errors] == [
        "no value for '签收' in formula '签收 == 良好 and 归档 == 良好'"
    ]
    assert [e.message for e in fast[10].errors] == [
        "no value for '扣分' in formula '调=扣分/2'; did you mean '加分', '分值'?"
    ]


_WHEN_PER_PERIOD = _first(
    'frequency = "季度"\nscore = "答复率×10"\npolicies = [{ type = "default", score = 8, when = "督办数=0" }]\n'
)


def test_a_default_when_that_takes_a_period_row_whose_cell_is_blank(tmp_path):
    """指标1 per quarter, 答复率×10, 8 where 督办数 = 0 (its steps do not run there). 甲's 一季度 gives 督办数
    0 and no 答复率 (nor does its year's row): 8; 二季度 0.5 → 5; the year (8 + 5)/2 = 6.5, + 4. 乙's only
    quarter 督办数 0: 8, + 4 (its year's 督办数 3 is not read there). 丁 reports no quarter: its year's
    督办数 0, 8. The blank 答复率 no step reads stops nothing."""
    data = "单位,期间,督办数,答复率,值2\n甲,,,,4\n甲,一季度,0,,\n甲,二季度,2,0.5,\n乙,,3,,4\n乙,一季度,0,,\n丁,,0,,4\n"
    fast, _ = _both(tmp_path, _WHEN_PER_PERIOD, data)
    assert _totals(fast) == [
        (Decimal("10.5"), [Decimal("6.5"), Decimal(4)]),
        (Decimal(12), [Decimal(8), Decimal(4)]),
        (Decimal(12), [Decimal(8), Decimal(4)]),
    ]


def test_a_levels_part_per_quarter_with_a_blank_word_takes_the_default(tmp_path):
    """The levels part above, reported per quarter (a quarter's blank cell reads the year's). 甲's
    一季度 合格 over the year's 良好: 中 5 + 1 - 0.5 = 5.5; 二季度 良好, 良好: 8.5; the year 7, + 1. 乙's
    quarter has no 签收 (nor has its year): the default 3. 丙's 优秀 is no level: 指标1's error. 丁's
    quarter reads the year's words (优 8) but its score formula a blank 加分: the default 3."""
    text = _PART_DEFAULT.replace('steps = ["调', 'frequency = "季度"\nsteps = ["调')
    data = (
        "单位,期间,签收,归档,加分,扣分,值2\n甲,,良好,良好,1,1,1\n甲,一季度,合格,,,,\n甲,二季度,良好,,,,\n"
        "乙,,,良好,1,0,1\n乙,一季度,,,1,,\n丙,,良好,,1,0,1\n丙,一季度,优秀,良好,,,\n丁,,良好,良好,,0,1\n"
        "丁,一季度,,,,2,\n"
    )
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal(8), [Decimal(7), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
    ]
    assert [e.message for e in fast[2].errors] == ["签收='优秀' is not one of the levels 良好, 合格, 不合格"]


def test_a_levels_part_reading_a_steps_value_as_a_number(tmp_path):
    """差 reads 签收 ≥ 不合格 and the step's 调 ≥ 0: 调 is a number the part grades as one (not a
    column of words the score formula would read as a number). 甲 良好, 良好: 8 + 1 - 0.5 = 8.5, + 1;
    乙 不合格: 差 1 + 1 - 0.5 = 1.5, + 1; 丙 without 扣分: its step stops, the default 3; 丁 without 签收:
    3. Without the default, 丙's and 丁's errors are their steps'."""
    text = _PART_DEFAULT.replace('"签收 >= 不合格"', '"签收 >= 不合格 and 调 >= 0"')
    data = "单位,签收,归档,加分,扣分,值2\n甲,良好,良好,1,1,1\n乙,不合格,良好,1,1,1\n丙,不合格,良好,1,,1\n丁,,良好,1,1,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal("9.5"), [Decimal("8.5"), Decimal(1)]),
        (Decimal("2.5"), [Decimal("1.5"), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
    ]
    fast, _ = _both(tmp_path, text.replace('policies = [{ type = "default", score = 3 }]\n', ""), data)
    assert [[e.message for e in f.errors] for f in fast[2:]] == [
        ["no value for '扣分' in formula '调=扣分/2'; did you mean '加分', '分值'?"],
        ["no value for '签收' in formula '签收 == 良好 and 归档 == 良好'"],
    ]


_RANKED_PER_PERIOD = _first(
    'frequency = "季度"\nsteps = [{ type = "rank", target = "名次", of = "完成", order = "desc", ties = "min", '
    'when = "计划>=3" }]\nscore = "分值-(名次-1)×2"\npolicies = [{ type = "default", score = 1, when = "计划=0" }]\n'
)


def test_a_default_when_takes_a_period_row_its_rank_does_not_place(tmp_path):
    """指标1 per quarter: 分值 - (名次 - 1)×2 by 完成 among the quarter's rows with 计划 ≥ 3, 1 where 计划 = 0
    (before the rank is read). 一季度: 甲 (完成 8, 计划 5) first, 10; 乙 (完成 6) second, 8; 丙's 计划 0 (its
    quarter gives none: the year's) takes the default 1, though the rank places it nowhere. + 值2."""
    data = (
        "单位,期间,完成,计划,值2\n甲,,,,3\n甲,一季度,8,5,\n乙,,,,2\n乙,一季度,6,4,\n丙,,,0,1\n丙,一季度,9,,\n"
    )
    fast, _ = _both(tmp_path, _RANKED_PER_PERIOD, data)
    assert _totals(fast) == [
        (Decimal(13), [Decimal(10), Decimal(3)]),
        (Decimal(10), [Decimal(8), Decimal(2)]),
        (Decimal(2), [Decimal(1), Decimal(1)]),
    ]
