"""A rule reading another indicator's result that the unit lacks, in the column program: the reader's
error, worded by its own step (scoring/colresults blames it, scoring/colfailures words it), where the
unit went to the per-unit program whole before — on the year's row and on period rows alike (the
marks scoring/colperiods put back after every indicator came from there).

The per-unit program (scoring/indstep) reads every result a reader's rules read before it asks whether
the reader applies: a result that is missing (its indicator does not apply) is the reader's error,
unless the reader does not apply by the unit's data alone (a not-applicable rule that holds without
the result). A step another indicator reads (``指标2·率``) that reads the missing score is not worked
out either: its readers fail too. The total's rules find the result missing by their own columns
(scoring/coltotalrules). Each scheme is scored by both programs (the column program sends no unit
back, each outcome field by field the per-unit program's), by ``evaluate`` with and without
explanations and the command line's CSV and JSON (``_both``), and explained from the record where a
unit has no error.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from test_column_period_forms import _scored

_MISSING = (
    "'指标1得分': indicator 1 指标1 has no score for this unit (it does not apply, or could not be scored)"
)


def _errors(o: Any) -> list[tuple[str | None, str]]:
    return [(e.indicator, e.message) for e in o.errors]


_READERS = """
name = "读取结果"
basis = "points"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 40
score = "值1"
policies = [{ type = "not_applicable", when = "不适用1=1" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 30
steps = ["率=指标1得分/40"]
score = "值2×率"
policies = [{ type = "not_applicable", when = "不适用2=1 or 指标1得分<10" }]
[[indicators]]
code = "3"
name = "指标3"
group = "组"
weight = 30
score = "min(值3, 指标2·率×30)"
"""

_READERS_DATA = (
    "单位,不适用1,不适用2,值1,值2,值3\n甲,0,0,30,40,30\n乙,1,1,,40,20\n丙,1,0,,40,20\n丁,0,0,8,40,20\n"
)


def test_readers_of_a_score_that_does_not_apply(tmp_path):
    """甲: 30 + 40×0.75 = 30 (30 of 30 points) + min(30, 0.75×30) = 22.5: 82.5. 乙 and 丙 have no
    指标1得分: 乙's 指标2 does not apply by its data alone (不适用2=1 holds before the score is read),
    but 指标3 reads 指标2·率, a step of that score: its error; 丙's 指标2 rule reaches the score (its
    error) and so does 指标3's step. 丁's 指标1 applies with 8 < 10: 指标2 does not apply, 指标3 reads
    its step all the same (0.2×30 = 6): 8 + 6, the weights moved to 70: 20."""
    found = _scored(tmp_path, _READERS, _READERS_DATA)
    assert (found["甲"].total, found["丁"].total) == (Decimal("82.5"), Decimal(20))
    assert (found["乙"].total, _errors(found["乙"])) == (None, [("3", _MISSING)])
    assert (found["丙"].total, _errors(found["丙"])) == (None, [("2", _MISSING), ("3", _MISSING)])
    assert found["乙"].scores == [None, None, None] and found["丙"].scores == [None, None, None]


_PERIODS = """
name = "按期读取结果"
basis = "points"
total = 100
groups = [{ name = "组" }]
periods = "mean"
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 40
score = "值1"
policies = [{ type = "not_applicable", when = "不适用1=1" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 60
frequency = "quarterly"
score = "min(完成数/计划数×60, 指标1得分×2)"
"""

_PERIODS_DATA = (
    "单位,期间,不适用1,值1,完成数,计划数\n"
    "甲,,0,30,,\n甲,一季度,,,9,10\n甲,二季度,,,10,10\n"
    "乙,,1,,,\n乙,一季度,,,9,10\n乙,二季度,,,10,10\n"
    "丙,,0,20,5,10\n"
)


def test_a_reader_reported_per_period_of_a_score_that_does_not_apply(tmp_path):
    """指标2's period rows read the unit's 指标1得分. 甲: min(54, 60) and min(60, 60), mean 57, + 30 = 87;
    乙 has no 指标1得分: 指标2's error (its rows named); 丙 has no periods: min(30, 40) + 20 = 50."""
    found = _scored(tmp_path, _PERIODS, _PERIODS_DATA)
    assert (found["甲"].total, found["丙"].total) == (Decimal(87), Decimal(50))
    assert (found["乙"].total, _errors(found["乙"])) == (None, [("2", _MISSING)])
    (error,) = found["乙"].errors
    assert error.origin is not None and error.origin.endswith("rows 5, 6, 7")


_TOTAL_READS = """
name = "总分读取得分率"
basis = "points"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "一"
group = "组"
weight = 40
score = "值1"
applies_to = ["A"]
[[indicators]]
code = "2"
name = "二"
group = "组"
weight = 60
score = "min(值2, 指标1得分率×60)"
policies = [{ type = "not_applicable", when = "值2<0" }]
[[policies]]
type = "veto"
when = "指标1得分率<0.9"
effect = "lowest_grade"
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
"""


def test_a_share_read_by_an_indicator_and_a_scheme_veto(tmp_path):
    """A: 30 + min(60, 45) = 75, vetoed (30/40 < 0.9): 差. B has no 指标1得分率: 指标2's error, then the
    veto's (it reads the unit's data, where the share is not); C and D: 指标2 does not apply by their
    data, the veto cannot read the share (the total's error)."""
    found = _scored(tmp_path, _TOTAL_READS, "单位,值1,值2\nA,30,60\nB,30,60\nC,30,-1\nD,10,-1\n")
    assert (found["A"].total, found["A"].grade, found["A"].vetoed) == (Decimal(75), "差", True)
    share = (
        "'指标1得分率': indicator 1 一 has no score for this unit (it does not apply, or could not be scored)"
    )
    veto = "no value for '指标1得分率' in formula '指标1得分率<0.9'"
    assert _errors(found["B"]) == [("2", share), (None, veto)]
    for name in ("C", "D"):
        assert (found[name].total, _errors(found[name])) == (None, [(None, share), (None, veto)])


_NA_HEAD = """
name = "读取结果不适用"
basis = "points"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 40
score = "值1"
policies = [{ type = "not_applicable", when = "不适用1=1" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 30
score = "值2"
"""

_NA_TAIL = '[[indicators]]\ncode = "3"\nname = "指标3"\ngroup = "组"\nweight = 30\nscore = "值3"\n'

_NA_DATA = "单位,不适用1,不适用2,值1,值2,值3\n甲,0,0,30,20,30\n乙,1,1,,20,15\n丙,1,0,,20,15\n丁,0,1,5,20,15\n"


@pytest.mark.parametrize(
    ("policies", "alone"),
    [
        ('[{ type = "not_applicable", when = "不适用2=1 or 指标1得分<10" }]', True),
        ('[{ type = "not_applicable", when = "不适用2=1 and 指标1得分<10" }]', False),
        (
            '[{ type = "not_applicable", when = "指标1得分<10" }, { type = "not_applicable", when = "不适用2=1" }]',
            False,
        ),
        (
            '[{ type = "not_applicable", when = "不适用2=1" }, { type = "not_applicable", when = "指标1得分<10" }]',
            True,
        ),
    ],
)
def test_a_reader_whose_rule_holds_on_its_data_alone(tmp_path, policies, alone):
    """乙 and 丙 have no 指标1得分. The per-unit program asks whether 指标2 applies on the data alone,
    its rules in order: where one holds before any reaches the score (不适用2=1 first, or ``or``'s first
    operand), 指标2 does not apply and 乙 is scored on 指标3 alone (15 of 30: 50); where a rule reaches
    the score first (and ``and`` after 不适用2=1 holds), 指标2's error. 丙 (不适用2=0) reaches it
    either way. 甲: 30 + 20 + 30 = 80; 丁: 指标1's 5 < 10 (with 不适用2=1 too), 5 + 15 over 70: 200/7."""
    text = _NA_HEAD + f"policies = {policies}\n" + _NA_TAIL
    found = _scored(tmp_path, text, _NA_DATA)
    assert found["甲"].total == Decimal(80)
    assert found["丁"].total == Fraction(200, 7)
    if alone:
        assert (found["乙"].total, found["乙"].errors) == (Decimal(50), [])
    else:
        assert (found["乙"].total, _errors(found["乙"])) == (None, [("2", _MISSING)])
    assert (found["丙"].total, _errors(found["丙"])) == (None, [("2", _MISSING)])
