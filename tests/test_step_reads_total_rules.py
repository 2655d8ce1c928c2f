"""Rules on the total reading another indicator's step (``指标1·完成率``), with or without another reader.

Caps, overall grading's bands, flags, scheme-wide vetoes and adjustments and the total formula may
read an indicator's step value as a total formula does: worked out by the indicator's own rule on the
unit's (year) row. The per-unit program gave every unit "no value for '指标1·完成率'" for a cap, a flag
or a band reading one (it put only the steps policies and the total formula read in their scope, so
the cap read a step only through a data column of that name), while the column program graded with the
step's column whenever an indicator's score read the same step (and sent every unit back otherwise).
Each rule form is scored here alone and beside an indicator whose score reads the same step, on
indicators reported for the year and per period: both programs give every unit the same total, grade,
flags, events and errors (``_both``: no unit sent back; ``evaluate`` explained and not, the command
line's CSV and JSON), explanations come from the column program's record, and the totals and grades
are worked by hand.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfrules import SchemeError, evaluate, load, load_units, loads
from perfrules.scoring.plan import names_read
from test_column_record import _compare
from test_column_total_errors import _both
from test_differential import assert_paths_agree

_HEAD = """
name = "读取步骤"
basis = "points"
total = 100
groups = [{ name = "组" }]
periods = "mean"
[scores]
"优" = [90, 100]
"良" = [80, 90]
"差" = [0, 80]
"""

_OVERALL = """
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
"""

_FIRST = """
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 20
{frequency}
steps = ["完成率=完成数/计划数×100"]
score = "完成率×0.2"
"""

_SECOND = """
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 80
score = "{score}"
"""

_ALONE = "值2"
_BESIDE = "值2 + if(指标1·完成率>=100, 2, 0)"  # another reader of the same step

# 完成率: 甲 100, 乙 70, 丙 50, 丁 90. Indicator 1 scores 完成率 × 0.2: 20, 14, 10, 18; with 值2 the
# totals are 96, 92, 50, 95 (甲's indicator 2 earns 2 more beside the other reader: 98).
_DATA = "单位,期间,完成数,计划数,值2\n甲,,10,10,76\n乙,,7,10,78\n丙,,5,10,40\n丁,,9,10,77\n"

_CAP = '\n[[caps]]\nwhen = "指标1·完成率<80"\ngrade = "良"\n'

# Each rule form: its text, and per unit (total, grade, flags, vetoed) with indicator 2 reading 值2 only.
_FORMS: dict[str, tuple[str, dict[str, tuple[Decimal, str, tuple[str, ...], bool]]]] = {
    # 乙's 70 < 80: 优 capped to 良 (bites); 丙's 50 is < 80 too but 差 is below 良 (does not).
    "cap grade": (
        _OVERALL + _CAP,
        {
            "甲": (Decimal(96), "优", (), False),
            "乙": (Decimal(92), "良", (), False),
            "丙": (Decimal(50), "差", (), False),
            "丁": (Decimal(95), "优", (), False),
        },
    ),
    # One grade down for 乙 (优 → 良); 丙 stays 差, the lowest.
    "cap demote": (
        _OVERALL + '\n[[caps]]\nwhen = "指标1·完成率<80"\ndemote = 1\n',
        {
            "甲": (Decimal(96), "优", (), False),
            "乙": (Decimal(92), "良", (), False),
            "丙": (Decimal(50), "差", (), False),
            "丁": (Decimal(95), "优", (), False),
        },
    ),
    # 乙's 92 at most 89: 良; 丙's 50 is within 89 already.
    "cap max_total": (
        _OVERALL + '\n[[caps]]\nwhen = "指标1·完成率<80"\nmax_total = 89\n',
        {
            "甲": (Decimal(96), "优", (), False),
            "乙": (Decimal(89), "良", (), False),
            "丙": (Decimal(50), "差", (), False),
            "丁": (Decimal(95), "优", (), False),
        },
    ),
    # 优 needs 完成率 >= 80 beside 90 points: 乙 (70) falls to 良.
    "overall bands": (
        '\n[overall]\npolicy = "first"\n[[overall.bands]]\nname = "优"\n'
        'conditions = ["总分>=90 and 指标1·完成率>=80"]\n[[overall.bands]]\nname = "良"\n'
        'conditions = ["总分>=60"]\n[[overall.bands]]\nname = "差"\nconditions = ["总分>=0"]\n',
        {
            "甲": (Decimal(96), "优", (), False),
            "乙": (Decimal(92), "良", (), False),
            "丙": (Decimal(50), "差", (), False),
            "丁": (Decimal(95), "优", (), False),
        },
    ),
    # Flagged below 80 (乙, 丙); the grade stands.
    "flag": (
        _OVERALL + '\n[[flags]]\nlabel = "不能评先"\nwhen = "指标1·完成率<80"\n',
        {
            "甲": (Decimal(96), "优", (), False),
            "乙": (Decimal(92), "优", ("不能评先",), False),
            "丙": (Decimal(50), "差", ("不能评先",), False),
            "丁": (Decimal(95), "优", (), False),
        },
    ),
    # Vetoed below 75 (乙, 丙): the lowest grade, the total stands.
    "veto on the total": (
        _OVERALL
        + '\n[[policies]]\ntype = "veto"\nwhen = "指标1·完成率<75"\neffect = "lowest_grade"\n'
        + _CAP,
        {
            "甲": (Decimal(96), "优", (), False),
            "乙": (Decimal(92), "差", (), True),
            "丙": (Decimal(50), "差", (), True),
            "丁": (Decimal(95), "优", (), False),
        },
    ),
    # 0.01 point per point of 完成率: +1, +0.7, +0.5, +0.9; 乙's 92.7 still capped to 良.
    "adjustment": (
        _OVERALL + '\n[[policies]]\ntype = "adjust"\nper = "指标1·完成率"\npoints = 0.01\n' + _CAP,
        {
            "甲": (Decimal(97), "优", (), False),
            "乙": (Decimal("92.7"), "良", (), False),
            "丙": (Decimal("50.5"), "差", (), False),
            "丁": (Decimal("95.9"), "优", (), False),
        },
    ),
    # The total formula adds 完成率/100 as the adjustment does.
    "total formula": (
        '\ntotal_formula = "指标1得分 + 指标2得分 + 指标1·完成率/100"\n' + _OVERALL + _CAP,
        {
            "甲": (Decimal(97), "优", (), False),
            "乙": (Decimal("92.7"), "良", (), False),
            "丙": (Decimal("50.5"), "差", (), False),
            "丁": (Decimal("95.9"), "优", (), False),
        },
    ),
    # One 优 at most: 甲 (96) keeps it, 丁 (95) moves to 良; 乙 was capped to 良 before the quota.
    "quota after the cap": (
        _OVERALL + _CAP + '\n[[quotas]]\ngrade = "优"\ncount = 1\n',
        {
            "甲": (Decimal(96), "优", (), False),
            "乙": (Decimal(92), "良", (), False),
            "丙": (Decimal(50), "差", (), False),
            "丁": (Decimal(95), "良", (), False),
        },
    ),
}


def _scheme(form: str, second: str, frequency: str = "") -> str:
    # (top-level keys of a form, such as total_formula, come before the first table)
    top, _, tables = form.partition("\n[")
    return (
        top
        + _HEAD
        + ("\n[" + tables if tables else "")
        + _FIRST.replace("{frequency}", frequency)
        + _SECOND.replace("{score}", second)
    )


def _found(tmp_path: Path, text: str, data: str) -> dict[str, tuple[Any, ...]]:
    """Both programs on every path (``_both``), explained from the record, and evaluate's results."""
    _both(tmp_path, text, data)
    scheme = load(tmp_path / "s.toml")
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    by = _compare(scheme, units)
    assert set(by) == {"record"}, by
    return {r.unit: (r.total, r.grade, r.flags, r.vetoed, r.errors) for r in evaluate(scheme, units)}


@pytest.mark.parametrize("frequency", ["", 'frequency = "quarterly"'], ids=["yearly", "quarterly"])
@pytest.mark.parametrize("beside", [False, True], ids=["alone", "beside another reader"])
@pytest.mark.parametrize("form", sorted(_FORMS))
def test_a_rule_on_the_total_reads_the_step(tmp_path, form, beside, frequency):
    """Each form by hand, with the step read alone or beside indicator 2's score reading it too (甲's
    100 then earns indicator 2 two points more), on indicator 1 for the year or per quarter (units
    without period rows: scored on their year row)."""
    text, expected = _FORMS[form]
    found = _found(tmp_path, _scheme(text, _BESIDE if beside else _ALONE, frequency), _DATA)
    want = dict(expected)
    if beside:
        total, grade, flags, vetoed = want["甲"]
        want["甲"] = (total + 2, grade, flags, vetoed)
    assert {name: got[:4] for name, got in found.items()} == want
    assert all(got[4] == () for got in found.values())


def test_a_unit_per_period_reads_its_year_row(tmp_path):
    """戊 reports 60 and 80 per quarter (indicator 1: (12 + 16) / 2 = 14, + 76 = 90) but 10 of 10 on
    its year row, where the step read is worked out: 100, not capped (优), and indicator 2 earns its 2
    points (92); 己's year row gives 70 (its quarters 90 and 100: 19 + 77 = 96): capped to 良."""
    data = (
        "单位,期间,完成数,计划数,值2\n"
        "戊,,10,10,76\n戊,一季度,6,10,\n戊,二季度,8,10,\n"
        "己,,7,10,77\n己,一季度,9,10,\n己,二季度,10,10,\n"
    )
    text = _scheme(_OVERALL + _CAP, _BESIDE, 'frequency = "quarterly"')
    found = _found(tmp_path, text, data)
    assert {name: got[:2] for name, got in found.items()} == {
        "戊": (Decimal(92), "优"),
        "己": (Decimal(96), "良"),
    }


def test_a_grade_per_period_reads_the_years_step(tmp_path):
    """``period_grades``: each period is graded with the year's step value, as the step is read. 戊
    (year row 100): 一季度 12 + 76 = 88 良, 二季度 16 + 76 = 92 优, the year 14 + 76 = 90 优; 己 (year
    row 70): 一季度 18 + 77 = 95 and 二季度 20 + 77 = 97 are capped to 良, as is the year's 96."""
    data = (
        "单位,期间,完成数,计划数,值2\n"
        "戊,,10,10,76\n戊,一季度,6,10,\n戊,二季度,8,10,\n"
        "己,,7,10,77\n己,一季度,9,10,\n己,二季度,10,10,\n"
    )
    text = "period_grades = true\n" + _scheme(_OVERALL + _CAP, _ALONE, 'frequency = "quarterly"')
    _found(tmp_path, text, data)
    scheme = load(tmp_path / "s.toml")
    results = {r.unit: r for r in evaluate(scheme, list(load_units(tmp_path / "d.csv", scheme=scheme)))}
    assert (results["戊"].total, results["戊"].grade) == (Decimal(90), "优")
    assert [(p.period, p.total, p.grade) for p in results["戊"].periods] == [
        ("一季度", Decimal(88), "良"),
        ("二季度", Decimal(92), "优"),
    ]
    assert (results["己"].total, results["己"].grade) == (Decimal(96), "良")
    assert [(p.period, p.total, p.grade) for p in results["己"].periods] == [
        ("一季度", Decimal(95), "良"),
        ("二季度", Decimal(97), "良"),
    ]


@pytest.mark.parametrize("beside", [False, True], ids=["alone", "beside another reader"])
def test_a_step_that_cannot_be_worked_out(tmp_path, beside):
    """庚's 计划数 is 0: indicator 1 fails (its error, and indicator 2's beside the reader), so the unit
    has no total — the same error on every path; 甲 is scored as before."""
    data = "单位,期间,完成数,计划数,值2\n甲,,10,10,76\n庚,,10,0,70\n"
    text = _scheme(_OVERALL + _CAP, _BESIDE if beside else _ALONE)
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    scheme = load(tmp_path / "s.toml")
    found = assert_paths_agree(scheme, tmp_path / "s.toml", tmp_path / "d.csv")
    by = {r.unit: r for r in found}
    assert (by["甲"].total, by["甲"].grade) == (Decimal(96 + 2 * beside), "优")
    assert by["庚"].total is None and by["庚"].grade is None
    message = "division by zero in '完成率=完成数/计划数×100': '计划数' is 0 (with 完成数=10, 计划数=0)"
    assert [(e.indicator, e.message) for e in by["庚"].errors] == [("1", message)] + (
        [("2", message)] if beside else []
    )


def test_a_step_read_by_a_cap_is_not_a_data_column():
    """The names a scheme reads from the data: the step's inputs and 值2, not 指标1·完成率."""
    scheme = loads(_scheme(_OVERALL + _CAP, _ALONE), format="toml")
    assert sorted(names_read(scheme)) == ["值2", "完成数", "计划数"]


@pytest.mark.parametrize(
    ("where", "rule"),
    [
        ("caps[0].when", '[[caps]]\nwhen = "{name}<80"\ngrade = "良"\n'),
        ("flags[0].when", '[[flags]]\nlabel = "不能评先"\nwhen = "{name}<80"\n'),
        ("total_formula", None),
    ],
)
def test_a_step_read_that_names_nothing_is_refused(where, rule):
    """A misspelt step or code read by a rule on the total is refused when the scheme loads (it could
    only fail every unit), worded as for an indicator's rules."""
    for name, problem in [
        (
            "指标1·完成律",
            "'指标1·完成律': indicator 1 指标1 has no step '完成律' (its steps: 完成率); "
            "did you mean 指标1·完成率?",
        ),
        ("指标9·完成率", "'指标9·完成率' names no indicator (no code '9')"),
    ]:
        if rule is None:
            form = f'\ntotal_formula = "指标1得分 + 指标2得分 + {name}/100"\n' + _OVERALL
        else:
            form = _OVERALL + "\n" + rule.replace("{name}", name)
        with pytest.raises(SchemeError) as caught:
            loads(_scheme(form, _ALONE), format="toml")
        assert [(p.path, p.message) for p in caught.value.problems] == [(where, problem)]


def test_a_step_over_all_units_read_by_a_cap_is_refused():
    """A cap cannot read a value over all units (max_of): those are taken before any unit is scored."""
    text = _scheme(_OVERALL + '\n[[caps]]\nwhen = "指标1·相对<80"\ngrade = "良"\n', _ALONE).replace(
        'steps = ["完成率=完成数/计划数×100"]',
        'steps = ["完成率=完成数/计划数×100", "相对=完成率/max_of(完成率)×100"]',
    )
    with pytest.raises(SchemeError) as caught:
        loads(text, format="toml")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        (
            "caps[0].when",
            "'指标1·相对' is worked out over all units (a rank, a peer ratio, max_of …) and cannot be read "
            "by a scheme-wide rule; read 指标1得分 instead",
        )
    ]
