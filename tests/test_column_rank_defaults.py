"""A default for no data beside a rank or peer-ratio step (比上年进位: the rank this year against
last year's, 0 where last year's is missing): the column program gives the default where the score
formula reaches the blank, and the step's own error where the unit has no rank, as the per-unit
program does (the step runs first). cookbook/last-year is scored so, with and without last year's
results."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfrules import load, load_units
from perfrules.results.past import with_previous
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import score_columns
from test_column_defaults import _both

_SCHEME = """
format = "perfrules-scheme/1"
name = "进位"
basis = "points"
total = 64
groups = [{ name = "g" }]
[[indicators]]
code = "1"
name = "实绩"
group = "g"
weight = 60
score = "实绩得分"
[[indicators]]
code = "2"
name = "比上年进位"
group = "g"
weight = 4
score = "min(max(上年名次-本年名次, 0)×2, 4)"
policies = [{ type = "default", score = 0, missing = ["上年名次"], reason = "上年未参加考核" }]
[[indicators.steps]]
type = "rank"
target = "本年名次"
of = "实绩得分"
order = "desc"
"""


def test_a_rank_beside_a_default_naming_last_years_rank(tmp_path):
    """Ranks by 实绩得分: 乙 55 first, 甲 50 second, 丙 45 third; 丁 (blank) has none.
    甲: 3 − 2 = 1 place, 2分: 52. 乙: no 上年名次, the default 0: 55. 丙: 1 − 3 < 0, 0分: 45.
    丁: 实绩 blank and no rank (errors)."""
    data = "单位,实绩得分,上年名次\n甲,50,3\n乙,55,\n丙,45,1\n丁,,2\n"
    fast, _ = _both(tmp_path, _SCHEME, data)
    assert [o.total for o in fast[:3]] == [Decimal(52), Decimal(55), Decimal(45)]
    assert [o.scores[1] for o in fast[:3]] == [Decimal(2), Decimal(0), Decimal(0)]
    assert fast[3].total is None and fast[3].errors


def test_the_cookbook_recipe_is_scored_by_the_columns(tmp_path):
    here = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cookbook"
    plain = load(here / "last-year.toml")
    for scheme in (plain, with_previous(plain, here / "last-year" / "2024.csv")):
        units = list(load_units(here / "last-year.csv", scheme=scheme))
        assert None not in score_columns(plan_of(scheme), units, {})
