"""A blank input a default for no data takes under a ``part`` step over words or over several values,
scored as columns (issue 17).

The per-unit program's ``part`` over words reads its ``of`` first (a blank word: the default's
``缺少数据“改革情况”``); a ``part`` over several values grades the scope band by band, each band's
conditions in turn until one holds (:func:`perfrules.grading.decide.grade_conditions`).
:mod:`perfrules.scoring.colreach` follows both over the steps' values; a word the part's lookup found
no word for is left to the default (``colblank.PART_BLANK``) rather than sent back. Each scheme is
hand-worked; no unit is sent back (:func:`~perfrules.scoring.colshare.column_share`), each outcome is
the per-unit program's, every unit is explained from the column program's record as the per-unit
program explains it, and the paths (API, CLI CSV and JSON) agree.
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
    """The first clause of each unit's first 指标1 event (the default's, where it took the unit)."""
    return [
        (_events(f, tmp_path, text, u) or [""])[0].split("，")[0] for f, u in zip(fast, names, strict=True)
    ]


_WORDS = _first(
    "steps = [\n"
    '    { type = "part", target = "改革得分", scale = { rule = "优—6分;良—4分;合格—2分;不合格—0分" },'
    ' of = "改革情况" },\n'
    '    "总得分=改革得分+表彰数",\n]\nscore = "总得分"\npolicies = [{ type = "default", score = 3 }]\n'
)


def test_a_blank_word_under_a_part_takes_the_default(tmp_path):
    """改革得分 = the grade of 改革情况 (优 6, 良 4 …), 总得分 = 改革得分 + 表彰数, default 3. 甲 优, 2: 8, + 1 = 9.
    乙's 改革情况 is blank: the part reads it first: 缺少数据“改革情况”, 3 + 1 = 4. 丙 良 with 表彰数 blank:
    the formula step reads it: 4. 丁's word 甲 is no grade: 指标1's error, as the per-unit program words
    it. 戊 has neither: the part is read first: 缺少数据“改革情况”."""
    data = "单位,改革情况,表彰数,值2\n甲,优,2,1\n乙,,2,1\n丙,良,,1\n丁,甲,1,1\n戊,,,1\n"
    fast, _ = _both(tmp_path, _WORDS, data)
    assert _totals(fast) == [
        (Decimal(9), [Decimal(8), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
        (None, [None, Decimal(1)]),
        (Decimal(4), [Decimal(3), Decimal(1)]),
    ]
    assert [(e.indicator, e.message) for e in fast[3].errors] == [
        ("1", "no grade '甲' in this scale (grades: 优, 良, 合格, 不合格)")
    ]
    assert _share(tmp_path, _WORDS) == ColumnShare(5, 0)
    said = _said([fast[1], fast[2], fast[4]], tmp_path, _WORDS, "乙丙戊")
    assert said == ["缺少数据“改革情况”", "缺少数据“表彰数”", "缺少数据“改革情况”"]


_BANDS = _first(
    'steps = [\n    "率=完成数/计划数",\n'
    '    { type = "part", target = "质量分", scale = { policy = "first", bands = ['
    '{ name = "优", conditions = ["率 >= 0.9 and 投诉 <= 1"], points = 6 }, '
    '{ name = "良", conditions = ["率 >= 0.6 and 投诉 <= 3"], points = 4 }, '
    '{ name = "差", conditions = ["率 < 0.6", "投诉 > 3"], points = 1 }] } },\n]\n'
    'score = "质量分+加分"\npolicies = [{ type = "default", score = 3 }]\n'
)


def test_a_blank_a_part_over_several_values_reads(tmp_path):
    """率 = 完成数/计划数, 质量分 the first band that holds (优 率 ≥ 0.9 and 投诉 ≤ 1: 6, 良 率 ≥ 0.6 and
    投诉 ≤ 3: 4, 差 率 < 0.6 or 投诉 > 3: 1), score 质量分 + 加分, default 3. 甲 0.95, 1: 6 + 2 = 8, + 1. 乙
    0.9, 投诉 blank: 优 reads it: 3. 丙 0.5, 投诉 blank: 优 and 良 stop at 率, 差's first condition
    holds: 1 + 1 = 2, + 1 = 3. 丁's 完成数 blank: the rate step: 3. 戊's 计划数 0: 3. 己 0.7, 2, 加分 blank:
    the score formula reads it after the part: 3. 庚 0.7, 2: 良 4 + 1 = 5, + 1 = 6."""
    data = (
        "单位,完成数,计划数,投诉,加分,值2\n甲,19,20,1,2,1\n乙,9,10,,2,1\n丙,5,10,,1,1\n丁,,10,2,2,1\n"
        "戊,9,0,2,2,1\n己,7,10,2,,1\n庚,7,10,2,1,1\n"
    )
    fast, _ = _both(tmp_path, _BANDS, data)
    assert [f.scores[0] for f in fast] == [8, 3, 2, 3, 3, 3, 5]
    assert [f.total for f in fast] == [9, 4, 3, 4, 4, 4, 6]
    assert _share(tmp_path, _BANDS) == ColumnShare(7, 0)
    said = _said(fast[1:6], tmp_path, _BANDS, "乙丙丁戊己")
    assert said == ["缺少数据“投诉”", "", "缺少数据“完成数”", "无数据（“计划数”= 0）", "缺少数据“加分”"]
