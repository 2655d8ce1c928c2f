"""Forms of values reported per period that the column program now compiles, where the per-unit
program scored the whole scheme before.

A veto reading a step's value on an indicator reported per period (decided on the year's row with the
last period's step values, as ``IndicatorPlan.combined`` keeps them: scoring/colperiodvetoes); overall
grading reading the grades of indicators reported per period (指标1等次, 评为优的指标数: each
indicator's own scoring once per distinct input, the unit's period cells part of it and a blank year
cell no value: scoring/colindgrades); a default score outside the limits of an indicator reported per
period (kept as it is in each period's score, as the per-unit program keeps it: scoring/colpoints). Each
scheme is scored by both programs (the column program scores every unit: none is sent back), by
``evaluate`` with and without explanations and by the command line's JSON and CSV (``_both``), and the
explanations come from the column program's record.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from column_cases import first_bands, second_indicator
from perfrules import load, load_units
from test_column_record import _compare
from test_column_total_errors import _both

_HEAD = """
name = "按期"
basis = "points"
total = 100
groups = [{ name = "组" }]
periods = "{periods}"
[scores]
"优" = [90, 100]
"良" = [80, 90]
"差" = [0, 80]
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
"""

_SECOND = "\n" + second_indicator("组")


def _indicator(*lines: str) -> str:
    return "\n".join(
        [
            "[[indicators]]",
            'code = "1"',
            'name = "指标1"',
            'group = "组"',
            "weight = 60",
            'frequency = "quarterly"',
            *lines,
        ]
    )


def _scheme(periods: str, *lines: str) -> str:
    return _HEAD.replace("{periods}", periods) + _indicator(*lines) + _SECOND


def _scored(tmp_path: Path, text: str, data: str) -> dict[str, Any]:
    """Every unit scored by the column program as the per-unit program scores it, on every path, and
    explained from the record (or, with an error, by the step's words); the outcomes by unit."""
    fast, _ = _both(tmp_path, text, data)
    scheme = load(tmp_path / "s.toml")
    by = _compare(scheme, list(load_units(tmp_path / "d.csv", scheme=scheme)))
    assert set(by) <= {"record", "a unit with an indicator's error"}, by
    return {o.unit.name: o for o in fast}


def _vetoed(found: dict[str, Any]) -> dict[str, tuple[Any, Any, bool]]:
    return {name: (o.total, o.grade, o.vetoed) for name, o in found.items()}


_RATE = ['steps = ["完成率=完成数/计划数×100"]', 'score = "完成率×0.6"']
_STEP_VETO = 'policies = [{ type = "veto", when = "完成率<50", effect = "lowest_grade" }]'


def test_a_veto_on_the_last_periods_step_value(tmp_path):
    """``periods = "mean"``: the veto reads 完成率 of the last period the indicator was scored on. 甲:
    40 then 90 — not vetoed, (24 + 54)/2 = 39 + 40 = 79 良; 乙's last is 50, on the boundary (not < 50):
    (54 + 30)/2 = 42 + 40 = 82 良; 丙: 90 then 40, vetoed, 79 差; 丁 has no periods: its year's 40,
    vetoed, 24 + 30 = 54 差; 戊's 二季度 gives no 完成数, the year's 4 of 10 is read: 40, vetoed. The
    other veto reads 扣分 of the year's row (not a period's): 己's 3 zeroes its total."""
    text = _scheme(
        "mean",
        *_RATE,
        'policies = [{ type = "veto", when = "完成率<50", effect = "lowest_grade" }, '
        '{ type = "veto", when = "扣分>=3", effect = "zero" }]',
    )
    data = (
        "单位,期间,完成数,计划数,扣分,值2\n"
        "甲,,10,10,0,40\n甲,一季度,4,10,,\n甲,二季度,9,10,,\n"
        "乙,,3,10,0,40\n乙,一季度,9,10,,\n乙,二季度,5,10,,\n"
        "丙,,10,10,0,40\n丙,一季度,9,10,,\n丙,二季度,4,10,,\n"
        "丁,,4,10,0,30\n"
        "戊,,4,10,0,40\n戊,一季度,9,,,\n戊,二季度,,10,,\n"
        "己,,9,10,3,40\n己,一季度,9,10,0,\n"
    )
    found = _vetoed(_scored(tmp_path, text, data))
    assert found == {
        "甲": (Decimal(79), "良", False),
        "乙": (Decimal(82), "良", False),
        "丙": (Decimal(79), "差", True),
        "丁": (Decimal(54), "差", True),
        "戊": (Decimal(79), "差", True),
        "己": (Decimal(0), "差", True),
    }


_RATE_SCALE = (
    'scale = { bands = [{ name = "优", conditions = ["「完成率」>=90"] }, '
    '{ name = "良", conditions = ["60<=「完成率」<90"] }, { name = "差", conditions = ["「完成率」<60"] }], '
    "domain = [0, 100] }"
)


def test_a_veto_on_a_step_of_a_scale_with_the_last_period_and_a_default(tmp_path):
    """``periods = "last"``, 指标1 graded by a scale of its step 完成率, a default when 计划数 = 0. 甲's
    last 95: 优, 57 of 60 (95% of the band), + 40 = 97 优; 乙's last 45 (the earlier 95 not read): 差,
    vetoed; 丙's last row takes the default, which gives no step values: the veto cannot read 完成率 —
    the unit's error, worded by the indicator's own step; 丁's 计划数 0 is in its first period, not read."""
    text = _scheme(
        "last",
        'steps = ["完成率=完成数/计划数×100"]',
        'value = "完成率"',
        _RATE_SCALE,
        'policies = [{ type = "default", when = "计划数=0", grade = "良" }, '
        '{ type = "veto", when = "完成率<50", effect = "lowest_grade" }]',
    )
    data = (
        "单位,期间,完成数,计划数,值2\n"
        "甲,,10,10,40\n甲,一季度,4,10,\n甲,二季度,95,100,\n"
        "乙,,10,10,40\n乙,一季度,95,100,\n乙,二季度,45,100,\n"
        "丙,,10,10,40\n丙,一季度,95,100,\n丙,二季度,0,0,\n"
        "丁,,10,10,40\n丁,一季度,0,0,\n丁,二季度,10,10,\n"
    )
    found = _scored(tmp_path, text, data)
    assert (found["甲"].total, found["甲"].grade, found["甲"].vetoed) == (Decimal(97), "优", False)
    assert (found["乙"].grade, found["乙"].vetoed) == ("差", True)
    (error,) = found["丙"].errors
    assert (error.indicator, error.error, found["丙"].total) == ("1", "MissingValueError", None)
    assert "完成率" in error.message
    assert (found["丁"].total, found["丁"].vetoed) == (Decimal(100), False)


def test_a_default_in_an_earlier_period_beside_a_veto_on_a_step(tmp_path):
    """With the mean, a default in an earlier period leaves the last period's step values for the veto:
    甲's 一季度 takes 良's midpoint (51 of 60), 二季度 100 (60): 55.5 + 40 = 95.5 优, not vetoed; 乙's
    last 完成率 10 is vetoed; 丙's last period took the default: no 完成率 for the veto (its error)."""
    text = _scheme(
        "mean",
        'steps = ["完成率=完成数/计划数×100"]',
        'value = "完成率"',
        _RATE_SCALE,
        'policies = [{ type = "default", when = "计划数=0", grade = "良" }, '
        '{ type = "veto", when = "完成率<50", effect = "lowest_grade" }]',
    )
    data = (
        "单位,期间,完成数,计划数,值2\n"
        "甲,,10,10,40\n甲,一季度,0,0,\n甲,二季度,10,10,\n"
        "乙,,10,10,40\n乙,一季度,0,0,\n乙,二季度,1,10,\n"
        "丙,,10,10,40\n丙,一季度,10,10,\n丙,二季度,0,0,\n"
    )
    found = _scored(tmp_path, text, data)
    assert (found["甲"].total, found["甲"].grade, found["甲"].vetoed) == (Decimal("95.5"), "优", False)
    assert (found["乙"].grade, found["乙"].vetoed) == ("差", True)
    assert [(e.indicator, e.error) for e in found["丙"].errors] == [("1", "MissingValueError")]


def test_a_veto_on_a_step_of_the_periods_sum(tmp_path):
    """``periods = "sum"``: 完成率 of the summed inputs. 甲: (4 + 1)/(10 + 10) = 25, vetoed, though its
    year's row gives 10 of 10; 乙: (4 + 9)/20 = 65, not vetoed: 39 + 40 = 79 良; 丙 has no periods: its
    year's 100, 60 + 40 = 100 优."""
    text = _scheme("sum", *_RATE, _STEP_VETO)
    data = (
        "单位,期间,完成数,计划数,值2\n"
        "甲,,10,10,40\n甲,一季度,4,10,\n甲,二季度,1,10,\n"
        "乙,,1,10,40\n乙,一季度,4,10,\n乙,二季度,9,10,\n"
        "丙,,10,10,40\n"
    )
    found = _vetoed(_scored(tmp_path, text, data))
    assert found == {
        "甲": (Decimal(55), "差", True),
        "乙": (Decimal(79), "良", False),
        "丙": (Decimal(100), "优", False),
    }


def test_a_veto_through_an_inputs_mapping(tmp_path):
    """指标1 reads 完成数 by its own name 数 (``inputs``); its veto fires for 乙 (40) and 丙 (a last
    period's 40), not for 甲 — reported per period or not (the vetoes that fire under a mapping were
    lost over columns before)."""
    mapped = ['inputs = { "数" = "完成数" }', 'steps = ["完成率=数/计划数×100"]', 'score = "完成率×0.6"']
    data = "单位,期间,完成数,计划数,值2\n甲,,10,10,40\n乙,,4,10,40\n丙,,10,10,40\n丙,一季度,4,10,\n"
    found = _vetoed(_scored(tmp_path, _scheme("mean", *mapped, _STEP_VETO), data))
    assert [found[u][2] for u in "甲乙丙"] == [False, True, True]
    year = _scheme("mean", *mapped, _STEP_VETO).replace('frequency = "quarterly"\n', "")
    found = _vetoed(_scored(tmp_path, year, data.replace("丙,一季度,4,10,\n", "")))
    assert found == {
        "甲": (Decimal(100), "优", False),
        "乙": (Decimal(64), "差", True),
        "丙": (Decimal(100), "优", False),
    }


_GRADED = "\n" + first_bands("评为优的指标数>=2", "指标1等次<=2", "总分>=0")

_RATE1 = (
    'scale = { bands = [{ name = "优", conditions = ["「率1」>=90"] }, '
    '{ name = "良", conditions = ["60<=「率1」<90"] }, { name = "差", conditions = ["「率1」<60"] }], '
    "domain = [0, 100] }"
)

_GRADED_DATA = (
    "单位,期间,率1,值2\n"
    "甲,,,40\n甲,一季度,95,38\n甲,二季度,100,\n"
    "乙,,,40\n乙,一季度,95,\n乙,二季度,50,\n"
    "丙,,,\n"
    "丁,,90,36\n"
    "戊,,70,20\n戊,一季度,,36\n"
    "己,,0,40\n己,一季度,,40\n"
    "庚,,,40\n庚,一季度,,40\n"
)


def _graded_scheme(periods: str) -> str:
    head = _HEAD.replace("{periods}", periods).split("[overall]")[0] + _GRADED
    first = _indicator('value = "率1"', _RATE1, 'policies = [{ type = "default", grade = "良" }]')
    return head + first + _SECOND.replace("weight = 40\n", 'weight = 40\nfrequency = "quarterly"\n')


@pytest.mark.parametrize("periods", ["mean", "sum"])
def test_overall_grading_by_the_grades_of_indicators_per_period(tmp_path, periods):
    """The bands read 评为优的指标数 and 指标1等次, both indicators reported per period. With the mean:
    甲's 指标1 95 and 100 (57, 60: 58.5 优), 指标2 38 in its one period (优) — two 优, 96.5 优; 乙's
    year cells are 甲's but its periods are not: 95 and 50 (57, 30: 43.5 差), 指标2 the year's 40 (优):
    one 优 and 指标1等次 3, 83.5 差; 己's
    year 率1 is 0, graded 差 (0), 庚's is blank — no value: the default, 良's midpoint 51, so 指标1等次 2
    and 良 (91), though 0 and blank are one number in the columns; 丙 has no 值2 anywhere: its error."""
    found = _scored(tmp_path, _graded_scheme(periods), _GRADED_DATA)
    assert (found["丙"].total, [e.indicator for e in found["丙"].errors]) == (None, ["2"])
    assert (found["己"].grade, found["庚"].total, found["庚"].grade) == ("差", Decimal(91), "良")
    if periods == "mean":
        assert {u: (found[u].total, found[u].grade) for u in "甲乙"} == {
            "甲": (Decimal("96.5"), "优"),
            "乙": (Decimal("83.5"), "差"),
        }


@pytest.mark.parametrize("periods", ["mean", "last"])
def test_a_default_outside_the_limits_per_period(tmp_path, periods):
    """指标1 (0 to 60) defaults to 70 where 计划数 = 0 and to −5 where it divides by 0 otherwise (no
    data); an adjustment after a default holds the score within the limits again (扣完为止). With the
    mean: 甲's 一季度 takes 70, 二季度 54: 62 + 40 = 102, capped at 100 优; 乙's 一季度 70 − 2 held to
    60, 二季度 (the year's 完成数 3) 18: 39 + 40 = 79 良; 丙 has no periods: 70 + 30 = 100; 丁's
    一季度 gives only 扣分 (the year's 40% − 1): 23 + 30 = 53 差."""
    text = _scheme(
        periods,
        *_RATE,
        'policies = [{ type = "default", when = "计划数=0", score = 70 }, '
        '{ type = "adjust", per = "扣分", points = -1, cap = 3 }]',
    ).replace('periods = "', 'round_scores = 1\nperiods = "')
    data = (
        "单位,期间,完成数,计划数,扣分,值2\n"
        "甲,,10,10,0,40\n甲,一季度,4,0,,\n甲,二季度,9,10,,\n"
        "乙,,3,10,0,40\n乙,一季度,9,0,2,\n乙,二季度,,10,,\n"
        "丙,,4,0,0,30\n"
        "丁,,4,10,0,30\n丁,一季度,,,1,\n"
    )
    found = _vetoed(_scored(tmp_path, text, data))
    if periods == "mean":
        assert found == {
            "甲": (Decimal(100), "优", False),
            "乙": (Decimal(79), "良", False),
            "丙": (Decimal(100), "优", False),
            "丁": (Decimal(53), "差", False),
        }
    no_data = text.replace(
        '{ type = "default", when = "计划数=0", score = 70 }', '{ type = "default", score = -5 }'
    )
    if periods == "last":  # 甲's last period 54; 丙's year divides by 0: −5 + 30 = 25 差
        found = _vetoed(_scored(tmp_path, no_data, data))
        assert (found["甲"][0], found["丙"]) == (Decimal(94), (Decimal(25), "差", False))
