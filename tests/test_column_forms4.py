"""Forms the column program once left to the per-unit program: a threshold scale with levels on a value
renamed for it, and ``round()`` to places written signed or as a percentage.

Each test writes a small scheme in the form (data on and around its boundaries, blank and bad cells),
checks that the plan compiles, that the column program sends no unit back and gives each unit the
per-unit program's outcome (total, grade, scores, errors, notes), that every path (the API with and
without explanations, the command line's CSV and JSON) agrees (``_both``), and that every unit's
explanation comes from the column program's record, field for field the per-unit program's
(``_compare``); hand-worked numbers pin what the two agree on.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from perfrules import SchemeError, evaluate, load, load_units, loads
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _both_ways, _key, _streamed_cells_match
from test_column_record import RECORDED, _compare
from test_column_total_errors import _both


def _explained(tmp_path: Path, text: str, data: str) -> None:
    """Every unit's explanation is the record's, and the per-unit program's."""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    data_path = tmp_path / "d.csv"
    data_path.write_text(data, encoding="utf-8")
    scheme = load(path)
    assert set(_compare(scheme, list(load_units(data_path, scheme=scheme)))) == {RECORDED}


# -- a threshold scale with levels on a value renamed for it ---------------------------------------

_RENAMED = """
name = "改名等级"
total = 100
groups = [{ name = "组" }]

[[indicators]]
code = "1"
name = "评价"
group = "组"
weight = 60
value = "评价值"
[indicators.scale]
rule = "优：x≥2；良：1≤x<2；差：x<1"
domain = [0, 2]
levels = { "良好" = 2, "合格" = 1, "不合格" = 0 }

[[indicators]]
code = "2"
name = "其他"
group = "组"
weight = 40
score = "y"
"""


def test_a_threshold_scale_with_levels_on_a_value_renamed_for_it(tmp_path: Path) -> None:
    """The per-unit program grades 评价值 as the scale's x (a number, as the data readers read it):
    x=2 is 优 (100), 1.5 is 良 interpolated over [80, 90) (85), 1 is 良 on its cut (80), 0.5 差 (30);
    a level's name in 评价值 is not a number (the reader's error), a blank is the indicator's error, and
    2.5 is outside the scale's domain."""
    data = (
        "单位,评价值,y\n甲,2,50\n乙,1.5,100\n丙,1,0\n丁,0.5,60\n戊,0.9999,70\n己,1.9999,80\n"
        "庚,0,90\n辛,,40\n壬,良好,30\n癸,2.5,20\n子,约五分,10\n"
    )
    fast, slow = _both(tmp_path, _RENAMED, data)
    assert [o.scores[0] for o in slow[:4]] == [Decimal(100), Decimal(85), Decimal(80), Decimal(30)]
    assert [o.total for o in fast[:4]] == [Decimal(80), Decimal(91), Decimal(48), Decimal(42)]
    for o in fast[7:]:
        assert o.total is None and o.errors
    assert fast[7].errors[0].indicator == "1"
    assert fast[9].errors[0].message == "x=2.5 is outside the scale's domain [0, 2]"
    _explained(tmp_path, _RENAMED, data)


# -- round() to places written signed or as a percentage ----------------------------------------------

_ROUNDS = """
name = "舍入位数"
basis = "points"
total = 30
groups = [{ name = "组" }]

[[indicators]]
code = "1"
name = "正号"
group = "组"
weight = 10
score = "round(x/8, +2)"

[[indicators]]
code = "2"
name = "百分数"
group = "组"
weight = 10
steps = ["a=round(y/3, 200%)"]
score = "a"

[[indicators]]
code = "3"
name = "负零"
group = "组"
weight = 10
score = "round(z/2, -0)"
"""


def test_round_to_places_written_signed_or_as_a_percentage(tmp_path: Path) -> None:
    """``+2`` and ``200%`` are 2 places, ``-0`` is 0 (the parser takes them as whole numbers), halves
    rounded away from 0: 甲 1/8 = 0.125 → 0.13, 1/3 → 0.33, 1/2 → 1: 1.46; 乙 79.96/8 = 9.995 → 10.00,
    2/3 → 0.67, 3/2 → 2: 12.67; 丙 -1/8 → -0.13 (held at 0), 0.015/3 = 0.005 → 0.01, -1/2 → -1 (held
    at 0): 0.01; 丁 80.04/8 = 10.005 → 10.01 (held at 10), 30/3 = 10, 19/2 = 9.5 → 10: 30."""
    data = (
        "单位,x,y,z\n甲,1,1,1\n乙,79.96,2,3\n丙,-1,0.015,-1\n丁,80.04,30,19\n"
        "戊,,1,1\n己,约五分,1,1\n庚,0.04,0.0149,0.9999\n"
    )
    fast, slow = _both(tmp_path, _ROUNDS, data)
    assert [o.total for o in slow[:4]] == [Decimal("1.46"), Decimal("12.67"), Decimal("0.01"), Decimal(30)]
    assert [o.total for o in fast[:4]] == [Decimal("1.46"), Decimal("12.67"), Decimal("0.01"), Decimal(30)]
    assert fast[4].errors and fast[4].errors[0].indicator == "1"
    assert fast[5].total is None and fast[5].errors
    assert fast[6].scores == [
        Decimal("0.01"),
        Decimal(0),
        Decimal(0),
    ]  # 0.005 → 0.01; 0.004966… → 0; 0.49995 → 0
    _explained(tmp_path, _ROUNDS, data)


# -- a second default for no data (the per-unit program reads the first only) ------------------------

_DEFAULTS = """
name = "两个缺省"
basis = "points"
total = 30
groups = [{ name = "组" }]

[scores]
"优" = [90, 100]
"良" = [80, 90]
"差" = [0, 80]

[[indicators]]
code = "1"
name = "步骤"
group = "组"
weight = 10
policies = [{ type = "default", score = 4 }, { type = "default", score = 7 }]
steps = ["a=x/y×10"]
score = "a"

[[indicators]]
code = "2"
name = "分档"
group = "组"
weight = 10
policies = [{ type = "default", grade = "良" }, { type = "default", grade = "优" }]
[indicators.scale]
rule = "优：z≥90；良：80≤z<90；差：z<80"
domain = [0, 100]

[[indicators]]
code = "3"
name = "常数档"
group = "组"
weight = 10
steps = [{ type = "part", target = "p", scale = { bands = [{ name = "达标", conditions = ["1>0"], points = 6 }] } }]
score = "p+w"
"""


def test_a_second_default_for_no_data_and_a_part_whose_conditions_read_no_value(tmp_path: Path) -> None:
    """指标1 is x/y×10 (held at 10). 指标2's first default is 良 (midpoint 85 of 100: 8.5 of its 10
    points, not 优's), where z is blank; z on the cuts 90 and 80 is 优 at 9 and 良 at 8, 79.99 差
    (7.999); 101 is outside the domain. 指标3's part reads no value: 6 for every unit, plus w (held at
    10). 甲 5 + 9 + 6 = 20; 乙 7.5 + 8.5 + 7 = 23; 丙 2 + 8 + 6.5 = 16.5."""
    data = "单位,x,y,z,w\n甲,1,2,90,0\n乙,3,4,,1\n丙,1,5,80,0.5\n丁,30,2,79.99,4\n戊,1,3,100,约五分\n己,1,4,101,0\n"
    fast, slow = _both(tmp_path, _DEFAULTS, data)
    assert [o.scores for o in slow[:3]] == [
        [Decimal(5), Decimal(9), Decimal(6)],
        [Decimal("7.5"), Decimal("8.5"), Decimal(7)],
        [Decimal(2), Decimal(8), Decimal("6.5")],
    ]
    assert [o.total for o in fast[:3]] == [Decimal(20), Decimal(23), Decimal("16.5")]
    assert fast[3].scores == [Decimal(10), Decimal("5.99925"), Decimal(10)]
    assert fast[4].errors and fast[5].errors
    _explained(tmp_path, _DEFAULTS, data)


def test_a_second_default_for_no_data_on_steps_is_never_taken(tmp_path: Path) -> None:
    """Where y is 0 or x blank, 指标1 takes its first default, 4, not 7 (the column program takes such
    a unit, as it does with one default on steps; every path and explanation agrees)."""
    path = tmp_path / "s.toml"
    path.write_text(_DEFAULTS, encoding="utf-8")
    data_path = tmp_path / "d.csv"
    data_path.write_text("单位,x,y,z,w\n甲,1,2,90,0\n乙,3,0,90,1\n丙,,5,80,0.5\n", encoding="utf-8")
    scheme = load(path)
    paths = _compare(scheme, list(load_units(data_path, scheme=scheme)))
    assert paths[RECORDED] == 3 and sum(paths.values()) == 3
    assert [r.indicators[0].score for r in evaluate(scheme, load_units(data_path, scheme=scheme))] == [
        Decimal(5),
        Decimal(4),
        Decimal(4),
    ]


# -- forms the column program need not take: the scheme's checks refuse them --------------------------


@pytest.mark.parametrize(
    ("total", "form", "problem"),
    [
        (
            "",
            '[indicators.scale]\nrule = "优：x≥90；良：x<90"\ndomain = [0, 100]\nscoring = "none"',
            "an indicator's scale must give scores (not scoring='none')",
        ),
        (
            "",
            'steps = [{ type = "part", target = "p", of = "x", scale = { rule = "优：x≥90；良：x<90", '
            'domain = [0, 100], scoring = "none" } }]\nscore = "p"',
            "a part's scale must give scores (not scoring='none')",
        ),
        (
            "",
            'steps = [{ type = "part", target = "p", scale = { rule = "优—6分;良—4分" } }]\nscore = "p"',
            "categorical part 'p' needs 'of' (the input to grade)",
        ),
        ('total_formula = "总分×1.1"\n', 'score = "x"', "the total formula gives 总分 and cannot read it"),
    ],
)
def test_forms_the_scheme_refuses_never_reach_the_column_program(total: str, form: str, problem: str) -> None:
    """A scale without scores (on an indicator or a part), a word part without ``of`` and a total
    formula reading the 总分 it gives: the column program does not check for them again."""
    head = f'name = "拒绝"\ntotal = 100\n{total}groups = [{{ name = "组" }}]\n'
    text = head + f'[[indicators]]\ncode = "1"\nname = "a"\ngroup = "组"\nweight = 100\n{form}\n'
    with pytest.raises(SchemeError) as info:
        loads(text, format="toml")
    assert problem in str(info.value)


_RENAMED_FORMS = """
name = "改名等级"
total = 100
categories = ["甲类", "乙类"]
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "评价"
group = "组"
weights = { "甲类" = 60, "乙类" = 50 }
full = 20
EXTRA
value = "VALUE"
[indicators.scale]
rule = "优：x≥2；良：1≤x<2；差：x<1"
domain = [0, 2]
levels = { "良好" = 2, "合格" = 1, "不合格" = 0 }
[[indicators]]
code = "2"
name = "其他"
group = "组"
weights = { "甲类" = 40, "乙类" = 50 }
score = "y"
"""

_RENAMED_ROWS = [
    ("甲类", "2", "50"),
    ("乙类", "1.5", "100"),
    ("甲类", "1", "0"),
    ("乙类", "0.5", "60"),
    ("甲类", "0.9999", "5"),
    ("乙类", "", "40"),
    ("甲类", "良好", "30"),
    ("乙类", "2.5", "20"),
    ("甲类", "约五分", "96"),
    ("乙类", "1.9999", "9"),
    ("甲类", "", "9"),
]


@pytest.mark.parametrize(
    ("extra", "value", "sent_back", "first"),
    [
        ('policies = [{ type = "default", grade = "良" }]', "评价值", 0, 80),
        ('policies = [{ type = "default", grade = "差", when = "y<10" }]', "评价值", 0, 80),
        ('steps = ["v=评价值/2"]', "v", 0, 68),
        ('policies = [{ type = "zero", when = "y>95" }]', "评价值", 0, 80),
        ('inputs = { "评价值" = "原始评价" }', "评价值", 0, 80),
    ],
    ids=["default", "default-when", "step", "zero-rule", "inputs"],
)
def test_a_renamed_value_on_a_scale_with_levels_beside_other_rules(
    tmp_path: Path, extra: str, value: str, sent_back: int, first: int
) -> None:
    """The renamed value with a category's factor (full = 20), a default for no data, a default with
    ``when`` (a blank value on a row it took stops nothing; under the default for no data a blank
    value is the default's, in columns too), a step computing it, a zero rule and ``inputs``: the column program's outcomes, the command
    line's and the record's explanations are the per-unit program's. The first unit: 评价值 2 is 优, 20
    of 20 points (60 of the total), y 50 is 20: 80; with the step 2/2 = 1 is 良 on its cut, 16 of 20:
    48 + 20 = 68. Under the default for no data U5 (乙类, 评价值 blank) is 良's midpoint, 85% of 20 =
    17 (42.5 of 50), y 40 is 20: 62.5."""
    text = _RENAMED_FORMS.replace("EXTRA", extra).replace("VALUE", value)
    data = "单位,类别,评价值,原始评价,y\n" + "".join(
        f"U{i},{c},{v},{v},{y}\n" for i, (c, v, y) in enumerate(_RENAMED_ROWS)
    )
    fast, slow, scheme, scheme_path, data_path = _both_ways(tmp_path, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    _streamed_cells_match(scheme_path, data_path, slow)
    units = list(load_units(data_path, scheme=scheme))
    found = program_of(plan_of(scheme)).run(units)  # type: ignore[union-attr]
    assert sum(f is None for f in found) == sent_back
    assert slow[0].total == first
    if extra == 'policies = [{ type = "default", grade = "良" }]':
        assert slow[5].total == Decimal("62.5")
    paths = _compare(scheme, units)
    assert paths[RECORDED] == len(units) - sent_back
