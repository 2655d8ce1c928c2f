"""Cells the column program used to hold against a unit although the per-unit program never read
them: a blank cell an overall band reads after a condition that already failed (``总分>=90 and
门槛=1``), and a word reported in one period of an indicator whose periods are added up
(``periods = "sum"``: one period's word is the unit's; two periods' words cannot be added, the
indicator's error). The column program scores these units itself, with the per-unit program's
outcome, on every path.
"""

from __future__ import annotations

from decimal import Decimal

from column_cases import first_bands, first_indicator_head, second_indicator
from test_column_total_errors import _both

_THRESHOLD = (
    first_indicator_head("门槛")
    + """score = "值1"
"""
    + second_indicator()
    + first_bands("总分>=90 and 门槛=1", "总分>=60", "总分>=0")
)


def test_a_blank_cell_an_overall_band_does_not_reach_is_not_read(tmp_path):
    """甲 93 with 门槛 1: 优. 乙 80, 门槛 blank: 总分>=90 fails first, so 门槛 is not read: 良.
    丙 95, 门槛 blank: the band reads it (its error). 丁 93, 门槛 0: 良."""
    data = "单位,值1,值2,门槛\n甲,57,36,1\n乙,50,30,\n丙,57,38,\n丁,57,36,0\n"
    fast, _ = _both(tmp_path, _THRESHOLD, data)
    assert [(o.total, o.grade) for o in (fast[0], fast[1], fast[3])] == [
        (Decimal(93), "优"),
        (Decimal(80), "良"),
        (Decimal(93), "良"),
    ]
    (error,) = fast[2].errors
    assert error.message.startswith("no value for '门槛' in formula '总分>=90 and 门槛=1'")
    assert fast[2].grade is None


_SUMMED = (
    first_indicator_head("合计", 'periods = "sum"')
    + """frequency = "季度"
steps = [{ type = "part", target = "评价分1", scale = { rule = "优—6分;良—4分;合格—2分;不合格—0分" }, of = "评价1" }]
score = "分值×评价分1/6"
"""
    + second_indicator()
)


def test_a_word_given_in_one_period_of_summed_periods_is_the_units(tmp_path):
    """甲 reports 良 in one quarter only: 60×4/6 = 40, total 70. 乙 has no period rows: its year's
    优, 60 + 40 = 100. 丙 reports 优 and 良 in two quarters: words are not added up (指标1's error)."""
    data = "单位,期间,评价1,值2\n甲,,,30\n甲,一季度,良,\n乙,,优,40\n丙,,,20\n丙,一季度,优,\n丙,二季度,良,\n"
    fast, _ = _both(tmp_path, _SUMMED, data)
    assert [(o.total, list(o.errors)) for o in fast[:2]] == [(Decimal(70), []), (Decimal(100), [])]
    assert fast[0].scores[0] == Decimal(40)
    (error,) = fast[2].errors
    assert error.indicator == "1" and fast[2].total is None
