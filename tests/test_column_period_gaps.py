"""Blank inputs the column program now takes instead of sending the unit to the per-unit program.

A ``missing`` not-applicable rule beside period rows (the input is there where the year's cell or a
row of a period the indicator is scored on gives it: scoring/colmissing), on a column of words, and a
blank value that a ``default`` for no data takes (scoring/colblank) — on the year's row, a period's
row, or the periods' sum. Each scheme is scored by both programs (the column program scores every
unit: none is sent back), by ``evaluate`` with and without explanations and by the command line's JSON
and CSV (``assert_paths_agree``), and the explanations come from the column program's record.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from column_cases import indicator as _indicator
from column_cases import score_both
from test_column_record import _compare

_HEAD = """
name = "缺数"
basis = "points"
total = 100
groups = [{ name = "组" }]
{periods}
[scores]
"优" = [90, 100]
"良" = [80, 90]
"差" = [0, 80]
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
"""


def _head(periods: str | None = None) -> str:
    return _HEAD.replace("{periods}", f'periods = "{periods}"' if periods else "")


_SCALE = (
    'scale = { bands = [{ name = "优", conditions = ["「率1」>=90"] }, '
    '{ name = "良", conditions = ["60<=「率1」<90"] }, { name = "差", conditions = ["「率1」<60"] }], '
    "domain = [0, 100] }"
)

# 指标1 reported per quarter, graded on 率1 by _SCALE, with a default grade and deductions per 扣分1.
_GRADED_QUARTERLY = _indicator(
    "1",
    60,
    'frequency = "quarterly"',
    'value = "率1"',
    _SCALE,
    'policies = [{ type = "default", grade = "良" }, { type = "adjust", per = "扣分1", points = -1, cap = 3 }]',
)

# 指标2 reported per quarter, not applicable where 值2 is missing.
_MISSING_QUARTERLY = _indicator(
    "2",
    40,
    'frequency = "quarterly"',
    'score = "值2"',
    'policies = [{ type = "not_applicable", missing = true }]',
)


def _key(o: Any) -> tuple[Any, ...]:
    return (
        o.unit.name,
        o.total,
        o.grade,
        o.vetoed,
        [(e.indicator, e.field, e.message) for e in o.errors],
        [(e.kind, e.message) for e in o.events],
        o.periods,
    )


def _scored(tmp_path: Path, text: str, data: str) -> dict[str, Any]:
    """Every unit scored by the column program (none sent back), as the per-unit program scores it, on
    every path, explained from the record; the outcomes by unit."""
    found = score_both(tmp_path, text, data, key=_key)
    fast = found.fast
    by = _compare(
        found.scheme, found.units
    )  # explained from the record (or, with an error, by the step's words)
    assert set(by) <= {"record", "a unit with an indicator's error"}, by
    return {o.unit.name: o for o in fast if o is not None}


def test_a_missing_rule_and_a_default_beside_period_rows(tmp_path):
    """甲 gives 率1 in no row: the year's blank takes 良's midpoint, 85% of 60 = 51; 值2 is in no row
    either: 指标2 does not apply, 51 of 60 = 85 良. 乙: 一季度 100 (60), 二季度 gives only 扣分1 — its
    blank 率1 takes the default, 51 − 1 = 50 — mean 55; 值2 in 二季度 only: 50, held to 40; 95 优.
    丙: 值2 given in 二季度 alone, though the year's row and 一季度 are blank: 90, held to 40; 91 优."""
    text = _head("mean") + "\n".join(
        [
            _GRADED_QUARTERLY,
            _MISSING_QUARTERLY,
        ]
    )
    data = (
        "单位,期间,率1,扣分1,值2\n甲,,,0,\n甲,一季度,,,\n乙,,,0,\n乙,一季度,100,,\n乙,二季度,,1,50\n"
        "丙,,,0,70\n丙,一季度,,,\n丙,二季度,,,90\n"
    )
    found = _scored(tmp_path, text, data)
    assert [(found[u].total, found[u].grade) for u in "甲乙丙"] == [
        (Decimal(85), "良"),
        (Decimal(95), "优"),
        (Decimal(91), "优"),
    ]


def test_the_last_period(tmp_path):
    """``periods = "last"``: 甲's last row of 指标1 gives only 扣分1, its 率1 blank (the earlier 95 is
    not read): 51 − 2 = 49 of 60; 乙's last row gives 95, 95% of 优's 90–100 band: 57 (its 扣分1 is the
    year's 0). 指标2's missing rule reads the last row giving 值2: 乙's 一季度 80, held to 40 (97); 甲's
    none: not applicable, 49 of 60."""
    text = _head("last") + "\n".join(
        [
            _GRADED_QUARTERLY,
            _MISSING_QUARTERLY,
        ]
    )
    data = "单位,期间,率1,扣分1,值2\n甲,,,0,\n甲,一季度,95,,\n甲,二季度,,2,\n乙,,,0,\n乙,一季度,,,80\n乙,二季度,95,,\n"
    found = _scored(tmp_path, text, data)
    assert found["甲"].total == Fraction(49 * 100, 60)
    assert found["乙"].total == Decimal(97)


def test_a_default_on_the_periods_sum(tmp_path):
    """``periods = "sum"``: 甲's periods give no 率1 and its year's cell is blank: the default, 51 of 60,
    + 值2 34 = 85 良; 乙's sum 40 + 55 = 95: 优, 57, + 40 = 97 优; 丙 has no periods and a blank year:
    51 + 34 = 85 良."""
    text = _head("sum") + "\n".join(
        [
            _GRADED_QUARTERLY,
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    data = "单位,期间,率1,扣分1,值2\n甲,,,0,34\n甲,一季度,,0,\n乙,,,0,40\n乙,一季度,40,,\n乙,二季度,55,,\n丙,,,0,34\n"
    found = _scored(tmp_path, text, data)
    assert [(found[u].total, found[u].grade) for u in "甲乙丙"] == [
        (Decimal(85), "良"),
        (Decimal(97), "优"),
        (Decimal(85), "良"),
    ]


def test_a_blank_default_beside_another_indicators_error(tmp_path):
    """乙's blank 率1 takes 指标1's default (not a failure) and its blank 值2 is 指标2's error: the unit
    has that error, worded by the step, and no total — no longer sent to the per-unit program."""
    text = _head() + "\n".join(
        [
            _indicator("1", 60, 'value = "率1"', _SCALE, 'policies = [{ type = "default", grade = "良" }]'),
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    found = _scored(tmp_path, text, "单位,率1,值2\n甲,,30\n乙,,\n")
    assert (found["甲"].total, found["甲"].grade) == (Decimal(81), "良")
    assert found["乙"].total is None
    assert [e.indicator for e in found["乙"].errors] == ["2"]
    assert found["乙"].errors[0].message.startswith("no value for '值2'")


def test_a_missing_rule_on_words_beside_period_rows(tmp_path):
    """评价1 is a column of words under a missing rule: 甲's is blank, so 指标1 does not apply (its
    periods do not matter to a yearly indicator) and 值2 80 of 40 is held to 40: 100 优; 乙 says 良:
    4 of 6 × 60 = 40, + 20 = 60 良."""
    rule = "优—6分;良—4分;合格—2分;不合格—0分"
    text = _head() + "\n".join(
        [
            _indicator(
                "1",
                60,
                f'steps = [{{ type = "part", target = "评价分1", scale = {{ rule = "{rule}" }}, of = "评价1" }}]',
                'score = "分值×评价分1/6"',
                'policies = [{ type = "not_applicable", missing = true }]',
            ),
            _indicator("2", 40, 'frequency = "quarterly"', 'score = "值2"'),
        ]
    )
    data = "单位,期间,评价1,值2\n甲,,,80\n甲,一季度,,80\n乙,,良,20\n"
    found = _scored(tmp_path, text, data)
    assert [(found[u].total, found[u].grade) for u in "甲乙"] == [(Decimal(100), "优"), (Decimal(60), "良")]


def test_results_read_beside_period_rows(tmp_path):
    """指标2's zero rule reads 指标1得分 (yearly) on each period row, and 指标3 reads 指标2得分率 (its
    year's mean). 甲: 30; 指标2 (10 + 30) / 2 = 20; 指标3 reads 20/30 on its one row: 5 + 4/3; 169/3 差.
    乙: 指标1 10 < 20 zeroes 指标2, so 指标3 is 5 + 0: 15 差. 丙 has no periods: 40 + 22 + 10 + 22/30 × 2."""
    text = _head("mean") + "\n".join(
        [
            _indicator("1", 50, 'score = "值1"'),
            _indicator(
                "2",
                30,
                'frequency = "quarterly"',
                'score = "值2"',
                'policies = [{ type = "zero", when = "指标1得分<20" }]',
            ),
            _indicator("3", 20, 'frequency = "quarterly"', 'score = "值3 + 指标2得分率×2"'),
        ]
    )
    data = "单位,期间,值1,值2,值3\n甲,,30,20,10\n甲,一季度,,10,5\n甲,二季度,,30,\n乙,,10,20,10\n乙,一季度,,25,5\n丙,,40,22,10\n"
    found = _scored(tmp_path, text, data)
    assert [(found[u].total, found[u].grade) for u in "甲乙丙"] == [
        (Fraction(169, 3), "差"),
        (Decimal(15), "差"),
        (Fraction(1102, 15), "良"),
    ]


def test_a_default_when_takes_a_period_row_before_its_blank_value(tmp_path):
    """指标1 grades 率1 each quarter, 良 by default where 免评 = 1 (no default for no data). 甲: 一季度
    95 (95% of 60 = 57), 二季度 has no 率1 (nor has the year) but 免评 1: 良's midpoint, 85% of 60 =
    51 (the scale is not read), mean 54, + 40 = 94 优. 乙: its quarter has no 率1 and 免评 0: 指标1's
    error. 丙: its quarter takes the default over the year's 70: 51 + 30 = 81 良."""
    text = _head("mean") + "\n".join(
        [
            _indicator(
                "1",
                60,
                'frequency = "quarterly"',
                'value = "率1"',
                _SCALE,
                'policies = [{ type = "default", grade = "良", when = "免评 = 1" }]',
            ),
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    data = "单位,期间,率1,免评,值2\n甲,,,0,40\n甲,一季度,95,0,\n甲,二季度,,1,\n乙,,,0,30\n乙,一季度,,0,\n丙,,70,0,30\n丙,一季度,,1,\n"
    found = _scored(tmp_path, text, data)
    assert [(found[u].total, found[u].grade) for u in "甲乙丙"] == [
        (Decimal(94), "优"),
        (None, None),
        (Decimal(81), "良"),
    ]
    assert [e.indicator for e in found["乙"].errors] == ["1"]
