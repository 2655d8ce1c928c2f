"""Scales with levels over words where a step or the grading stops first: units the column program
left unscored, now scored as the per-unit program scores them (issue 17: one engine).

A scale with ``levels`` after formula steps is graded after every step: where a step stops first (a blank
input, a division by 0), the indicator's default for no data takes the unit and the scale never sees
its words, known or not (:mod:`perfrules.scoring.coldefaults`, ``colgraded.GRADED_LATE``). Each scheme
is hand-worked; each outcome is the per-unit program's field by field, every unit is explained from the
column program's record as the per-unit program explains it, and the paths (API, CLI CSV and JSON)
agree.
"""

from __future__ import annotations

from decimal import Decimal

from test_column_defaults import _both, _events, _totals
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
