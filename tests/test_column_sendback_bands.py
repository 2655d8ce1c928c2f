"""A blank input a default for no data takes on an indicator graded by a scale of conditions over
several values after steps, scored as columns (issue 17).

The per-unit program grades such a scale band by band, each band's conditions in turn until one
holds, and under the policy ``first`` no band after one that holds
(:func:`perfrules.grading.decide.grade_conditions`); a condition reads its names left to right, not
past the operand of ``and``/``or`` that decides. :mod:`perfrules.scoring.colreach` follows those
conditions over the steps' values, so a blank the grading reads takes the default (its words name
that blank) and one it does not read takes no part. Each scheme is hand-worked; no unit is sent back
(``score_columns`` gives every unit), each outcome is the per-unit program's, every unit is explained
from the column program's record as the per-unit program explains it, and the paths (API, CLI CSV and
JSON) agree.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import loads
from perfrules.files.data import load_units
from perfrules.scoring.colshare import ColumnShare, column_share
from perfrules.scoring.plan import plan_of
from test_column_defaults import _both, _events, _first, _totals


def _scale(policy: str, bands: list[tuple[str, list[str], int]]) -> str:
    text = (
        'steps = ["率=完成数/计划数"]\npolicies = [{ type = "default", score = 6 }]\n'
        f'[indicators.scale]\npolicy = "{policy}"\n'
    )
    for name, conditions, points in bands:
        shown = ", ".join(f'"{c}"' for c in conditions)
        text += f'[[indicators.scale.bands]]\nname = "{name}"\nconditions = [{shown}]\npoints = {points}\n'
    return _first(text)


_THREE = [
    ("优", ["率 >= 0.9 and 投诉 <= 1"], 10),
    ("良", ["率 >= 0.6 and 投诉 <= 3"], 8),
    ("差", ["率 < 0.6", "投诉 > 3"], 2),
]


def _share(tmp_path, text: str) -> ColumnShare:
    scheme = loads(text, format="toml")
    return column_share(plan_of(scheme), list(load_units(tmp_path / "d.csv", scheme=scheme)))


def test_a_blank_the_band_conditions_read_takes_the_default(tmp_path):
    """率 = 完成数/计划数, bands 优 (率 ≥ 0.9 and 投诉 ≤ 1: 10), 良 (率 ≥ 0.6 and 投诉 ≤ 3: 8), 差 (率 < 0.6,
    or 投诉 > 3: 2), the first that holds, default 6. 甲 0.95, 1: 优 10, + 3 = 13. 乙 0.9 with 投诉 blank:
    优's condition reads it: 6, + 3 = 9. 丙 0.5 with 投诉 blank: 优 and 良 stop at 率 (and), 差's first
    condition holds: 2, 投诉 never read: 5. 丁's 完成数 is blank: the step reads it first: 6. 戊's 计划数
    is 0: the step divides by it: 6. 己 0.7, 投诉 2: 优 fails on 率, 良 holds: 8 + 3 = 11."""
    text = _scale("first", _THREE)
    data = "单位,完成数,计划数,投诉,值2\n甲,19,20,1,3\n乙,9,10,,3\n丙,5,10,,3\n丁,,10,2,3\n戊,9,0,2,3\n己,7,10,2,3\n"
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal(13), [Decimal(10), Decimal(3)]),
        (Decimal(9), [Decimal(6), Decimal(3)]),
        (Decimal(5), [Decimal(2), Decimal(3)]),
        (Decimal(9), [Decimal(6), Decimal(3)]),
        (Decimal(9), [Decimal(6), Decimal(3)]),
        (Decimal(11), [Decimal(8), Decimal(3)]),
    ]
    assert _share(tmp_path, text) == ColumnShare(6, 0)
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“投诉”")
    assert _events(fast[2], tmp_path, text, "丙") == []
    assert _events(fast[3], tmp_path, text, "丁")[0].startswith("缺少数据“完成数”")
    assert _events(fast[4], tmp_path, text, "戊")[0].startswith("无数据（“计划数”= 0）")


def test_every_band_is_read_unless_the_first_that_holds_wins(tmp_path):
    """Bands 优 (率 ≥ 0.9: 10) and 差 (投诉 > 3: 2). Under ``first`` 甲 (0.95, 投诉 blank) is 优 and 差 is
    never read: 10 + 3 = 13; under ``lowest`` every band is read: 差 reads the blank 投诉: the default
    6, + 3 = 9. 乙 (0.95, 投诉 5): 优 under ``first`` (13); under ``lowest`` both hold, 差 wins: 2 + 3 = 5.
    丙 (0.5, 投诉 4) is 差 under both: 5."""
    bands = [("优", ["率 >= 0.9"], 10), ("差", ["投诉 > 3"], 2)]
    data = "单位,完成数,计划数,投诉,值2\n甲,19,20,,3\n乙,19,20,5,3\n丙,5,10,4,3\n"
    first, _ = _both(tmp_path, _scale("first", bands), data)
    assert [f.total for f in first] == [Decimal(13), Decimal(13), Decimal(5)]
    lowest_text = _scale("lowest", bands)
    lowest, _ = _both(tmp_path, lowest_text, data)
    assert [f.total for f in lowest] == [Decimal(9), Decimal(5), Decimal(5)]
    assert _share(tmp_path, lowest_text) == ColumnShare(3, 0)
    assert _events(lowest[0], tmp_path, lowest_text, "甲")[0].startswith("缺少数据“投诉”")


def test_the_conditions_of_a_band_are_read_until_one_holds(tmp_path):
    """差 has two conditions (率 < 0.6, or 投诉 > 3), ``lowest``: 甲 (0.5, 投诉 blank): 优 (率 ≥ 0.9 and
    投诉 ≤ 1) stops at 率, 良 likewise, 差's first condition holds and its second is not read: 2 + 3 = 5.
    乙 (0.7, 投诉 blank): 良 reads 投诉: the default, 6 + 3 = 9; its words name 投诉, the blank the
    condition reads. 丙 (0.7, 投诉 4, 值2 blank): 差's second condition holds (2), 指标2's error."""
    text = _scale("lowest", _THREE)
    data = "单位,完成数,计划数,投诉,值2\n甲,5,10,,3\n乙,7,10,,3\n丙,7,10,4,\n"
    fast, _ = _both(tmp_path, text, data)
    assert _totals(fast) == [
        (Decimal(5), [Decimal(2), Decimal(3)]),
        (Decimal(9), [Decimal(6), Decimal(3)]),
        (None, [Decimal(2), None]),
    ]
    assert [(e.indicator, e.error) for e in fast[2].errors] == [("2", "MissingValueError")]
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“投诉”")


def test_a_blank_before_a_grading_the_scale_refuses(tmp_path):
    """The three bands under ``exclusive``. 甲 (0.95, 投诉 1): 优 and 良 both hold: 指标1's error, as the
    per-unit program words it. 乙 (0.95, 投诉 blank): 优 reads the blank first, before the scale could
    refuse anything (the columns graded it as 0, where 优 and 良 both hold): the default 6, + 1 = 7.
    丙 (0.5, 投诉 blank): no band reads 投诉, 差: 2 + 1 = 3. 丁 (0.95, 3): 良 only: 8 + 1 = 9."""
    text = _scale("exclusive", _THREE)
    data = "单位,完成数,计划数,投诉,值2\n甲,19,20,1,1\n乙,19,20,,1\n丙,5,10,,1\n丁,19,20,3,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert [f.total for f in fast] == [None, Decimal(7), Decimal(3), Decimal(9)]
    assert [f.scores[0] for f in fast] == [None, Decimal(6), Decimal(2), Decimal(8)]
    assert [e.message for e in fast[0].errors] == [
        "grades 优, 良 all hold; the scale's policy is 'exclusive' (choose 'lowest' for 就低不就高)"
    ]
    assert _share(tmp_path, text) == ColumnShare(4, 0)
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“投诉”")
