"""A division by a step's value, a power, or a condition on a step's value beside a blank input a
default for no data takes, scored as columns (issue 17).

:mod:`perfrules.scoring.colreach` follows an indicator's formulas after its steps, over their values
(the scope they leave: :func:`perfrules.scoring.colblank.leave_steps`), so it tells, row by row, what
the per-unit program meets first: a blank input read, a divisor that is 0 (a step's value too), 0 to
a negative power (its words name the exponent, as the per-unit program's do), or the branch an
``if`` on a step's value takes. Each scheme is hand-worked; no unit is sent back (``score_columns``
gives every unit, :func:`~perfrules.scoring.colshare.column_share`), each outcome is the per-unit
program's, every unit is explained from the column program's record as the per-unit program
explains it, and the paths (API, CLI CSV and JSON) agree.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import loads
from perfrules.files.data import load_units
from perfrules.scoring.colshare import ColumnShare, column_share
from perfrules.scoring.plan import plan_of
from test_column_defaults import _both, _events, _first, _totals


def _share(tmp_path, text: str) -> ColumnShare:
    scheme = loads(text, format="toml")
    return column_share(plan_of(scheme), list(load_units(tmp_path / "d.csv", scheme=scheme)))


def _said(fast, tmp_path, text: str, names: str) -> list[str]:
    """The first words of each unit's 指标1 events (the default's, where it took the unit)."""
    return [(_events(f, tmp_path, text, u) or [""])[0][:7] for f, u in zip(fast, names, strict=True)]


def test_a_division_by_a_steps_value_beside_a_blank(tmp_path):
    """率 = 完成数/计划数, score 分值×a/率 + b (held within 0–10), default 3. 甲 率 0.5: 10×1/0.5 + 1 =
    21, held at 10, + 1 = 11. 乙 (率 0, b blank): the division by 率 comes before b is read: 无数据（“率”= 0）,
    3 + 1 = 4. 丙 (率 0.5, b blank): b is read after the division: 缺少数据“b”, 4 (the columns gave 丙
    11 before: the division by a step's value was not followed, and the blank b after it was taken
    as not read). 丁 (a blank, 率 0): a is read first: 缺少数据“a”. 戊 (率 0): the division: 4."""
    text = _first(
        'steps = ["率=完成数/计划数"]\nscore = "分值×a/率 + b"\npolicies = [{ type = "default", score = 3 }]\n'
    )
    data = "单位,完成数,计划数,a,b,值2\n甲,1,2,1,1,1\n乙,0,2,1,,1\n丙,1,2,1,,1\n丁,0,2,,1,1\n戊,0,2,1,1,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert [f.total for f in fast] == [Decimal(11), Decimal(4), Decimal(4), Decimal(4), Decimal(4)]
    assert [f.scores[0] for f in fast] == [Decimal(10)] + [Decimal(3)] * 4
    assert _share(tmp_path, text) == ColumnShare(5, 0)
    assert _said(fast[1:], tmp_path, text, "乙丙丁戊") == [
        "无数据（“率”",
        "缺少数据“b”",
        "缺少数据“a”",
        "无数据（“率”",
    ]


def test_a_division_by_a_steps_value_in_a_score_formula_over_steps(tmp_path):
    """Without 分值 (a score formula over steps): 率 = 完成数/计划数, score a/率 + b, default 3. 甲: 2/0.5
    + 1 = 5, + 1 = 6. 乙 (率 0, b blank): the division first. 丙 (率 0.5, b blank): 缺少数据“b”. 丁 (计划数
    blank): the step reads it: 缺少数据“计划数”."""
    text = _first(
        'steps = ["率=完成数/计划数"]\nscore = "a/率 + b"\npolicies = [{ type = "default", score = 3 }]\n'
    )
    data = "单位,完成数,计划数,a,b,值2\n甲,1,2,2,1,1\n乙,0,2,1,,1\n丙,1,2,1,,1\n丁,1,,1,1,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal(6), [Decimal(5), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
    ]
    assert _share(tmp_path, text) == ColumnShare(4, 0)
    assert _said(fast[1:], tmp_path, text, "乙丙丁") == ["无数据（“率”", "缺少数据“b”", "缺少数据“计划"]


def test_zero_to_a_negative_power_beside_a_blank(tmp_path):
    """分值×a^k + b, default 3. 甲 10×1 + 1 = 11, held at 10, + 1. 乙 (a 0, k -1, b blank): 0^-1 divides
    by 0 before b is read: the per-unit program's words name the exponent, 无数据（“k”= 0）; 4. 丙 (b
    blank): 缺少数据“b”. 丁 (a 0, k -1): the power. 戊 (a 0, k 1, b blank): 0^1 is 0, b is read. 己 2^-1:
    10×0.5 = 5, + 1 = 6, + 1 = 7."""
    text = _first('score = "分值×a^k + b"\npolicies = [{ type = "default", score = 3 }]\n')
    data = "单位,a,k,b,值2\n甲,1,2,1,1\n乙,0,-1,,1\n丙,1,2,,1\n丁,0,-1,1,1\n戊,0,1,,1\n己,2,-1,1,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert [f.total for f in fast] == [
        Decimal(11),
        Decimal(4),
        Decimal(4),
        Decimal(4),
        Decimal(4),
        Decimal(7),
    ]
    assert _share(tmp_path, text) == ColumnShare(6, 0)
    said = _said(fast[1:5], tmp_path, text, "乙丙丁戊")
    assert said == ["无数据（“k”", "缺少数据“b”", "无数据（“k”", "缺少数据“b”"]


def test_a_branch_on_a_steps_value_beside_a_blank(tmp_path):
    """率 = 完成数/计划数, score if(率 ≥ 0.5, 分值×率, b), default 3. 甲 (率 0.8, b blank): the branch
    taken does not read b: 8, + 1 = 9. 乙 (率 0.2, b blank): the branch taken reads it: 3 + 1 = 4. 丙
    (率 0.2, b 2): 2 + 1 = 3. 丁 (计划数 0): the step divides by 0: 3, + 1."""
    text = _first(
        'steps = ["率=完成数/计划数"]\nscore = "if(率 >= 0.5, 分值×率, b)"\n'
        'policies = [{ type = "default", score = 3 }]\n'
    )
    data = "单位,完成数,计划数,b,值2\n甲,4,5,,1\n乙,1,5,,1\n丙,1,5,2,1\n丁,1,0,2,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal(9), [Decimal(8), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(3), [Decimal(2), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
    ]
    assert _share(tmp_path, text) == ColumnShare(4, 0)
    assert _said(fast, tmp_path, text, "甲乙丙丁") == ["", "缺少数据“b”", "", "无数据（“计划"]


def test_a_blank_a_zero_rule_on_a_step_reads(tmp_path):
    """率 = 完成数/计划数 with a zero rule on it (事故 > 0: 率 counts 0), score 分值×率 + b, default 3.
    甲 (0.5, 事故 0): 5 + 1 = 6, + 1 = 7. 乙 (事故 blank): the rule reads it after the step: 缺少数据“事故”,
    3 + 1 = 4. 丙 (事故 1): 率 is 0: 0 + 1 = 1, + 1 = 2. 丁 (完成数 and 事故 blank): the step reads 完成数
    first. 戊 (计划数 0, 事故 1): the step divides by 0 before the rule. 己 (b blank): the score formula
    reads it after the rule zeroed 率: 缺少数据“b”."""
    text = _first(
        'steps = ["率=完成数/计划数"]\nscore = "分值×率 + b"\n'
        'policies = [{ type = "default", score = 3 }, { type = "zero", target = "率", when = "事故 > 0" }]\n'
    )
    data = "单位,完成数,计划数,事故,b,值2\n甲,1,2,0,1,1\n乙,1,2,,1,1\n丙,1,2,1,1,1\n丁,,2,,1,1\n戊,1,0,1,1,1\n己,1,2,1,,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert [f.scores[0] for f in fast] == [
        Decimal(6),
        Decimal(3),
        Decimal(1),
        Decimal(3),
        Decimal(3),
        Decimal(3),
    ]
    assert [f.total for f in fast] == [Decimal(7), Decimal(4), Decimal(2), Decimal(4), Decimal(4), Decimal(4)]
    assert _share(tmp_path, text) == ColumnShare(6, 0)
    said = _said(fast[1:], tmp_path, text, "乙丙丁戊己")
    assert said == ["缺少数据“事故", "“事故 > 0", "缺少数据“完成", "无数据（“计划", "缺少数据“b”"]
