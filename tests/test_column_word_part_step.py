"""A word ``part`` whose ``of`` is a step's number (``档=a+1``, then a part graded by words over 档).

A step's value is always a number, so the word scale refuses every unit's value, as the per-unit
program says it ("expected one of 优, 良, 差 (got Decimal('1') …)"); the column program stopped the
whole run with a ``TypeError`` instead (its lookup read the step's integer column as words).
"""

from __future__ import annotations

from pathlib import Path

from perfrules import load
from test_differential import assert_paths_agree

_SCHEME = """
name = "词档"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 100
steps = ["档=a+1", { type = "part", target = "评价分", scale = { rule = "优—6分;良—4分;差—0分" }, of = "档" }]
score = "评价分/6×100"
"""


def test_a_word_part_over_a_steps_number_is_each_units_error_on_every_path(tmp_path: Path) -> None:
    scheme_path, data_path = tmp_path / "s.toml", tmp_path / "d.csv"
    scheme_path.write_text(_SCHEME, encoding="utf-8")
    data_path.write_text("单位,a\n甲,0\n乙,1\n", encoding="utf-8")
    full = assert_paths_agree(load(scheme_path), scheme_path, data_path)
    assert [(r.unit, r.total, [e.message for e in r.errors]) for r in full] == [
        (
            unit,
            None,
            [
                f"this scale grades a category; expected one of 优, 良, 差 (got Decimal('{v}') of type Decimal)"
            ],
        )
        for unit, v in (("甲", 1), ("乙", 2))
    ]
