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

from perfrules import load, load_units
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
