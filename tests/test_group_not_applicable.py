"""A group's score read by name (``<组>得分``, ``<组>得分率``) when one of its indicators does not
apply: the group's other indicators carry its weight, and the group still has its score."""

from __future__ import annotations

import io
from decimal import Decimal

from perfrules import Unit, evaluate, loads
from perfrules.cli.main import main
from perfrules.pipeline.parallel import score_totals

_SCHEME = """
name = "组得分"
basis = "points"
total = 100
{extra}
[[groups]]
name = "党建"
[[groups]]
name = "业务"
[overall]
policy = "first"
[[overall.bands]]
name = "好"
conditions = ["党建得分>=30 and 党建得分率>=90%"]
[[overall.bands]]
name = "差"
conditions = ["总分>=0"]
[[indicators]]
code = "1"
name = "a"
group = "党建"
weight = 20
score = "a"
[[indicators]]
code = "2"
name = "b"
group = "党建"
weight = 20
score = "b"
[[indicators]]
code = "3"
name = "c"
group = "业务"
weight = 60
score = "c"
"""

# 甲: 18 + 16 = 34 in 党建 (of 40: 85%, so 差), total 84. 乙: 指标2 does not apply, its 20 move to
# 指标1 within 党建: 18/20 × 40 = 36 (36/40 = 90%, so 好), total 36 + 50 = 86. 丙: neither 党建
# indicator applies: the group has no score, and a rule reading it fails for 丙 alone.
_UNITS = [
    Unit(name="甲", data={"a": 18, "b": 16, "c": 50}),
    Unit(name="乙", data={"a": 18, "c": 50}, not_applicable=("2",)),
    Unit(name="丙", data={"c": 50}, not_applicable=("1", "2")),
]


def test_a_group_with_an_indicator_that_does_not_apply_keeps_its_score():
    scheme = loads(_SCHEME.format(extra=""), format="toml")
    results = {r.unit: r for r in evaluate(scheme, _UNITS)}
    assert (results["甲"].total, results["甲"].grade) == (84, "差")
    assert (results["乙"].total, results["乙"].grade) == (86, "好")
    assert not results["乙"].errors
    group = results["乙"].groups[0]
    assert (group.name, group.weight, group.contribution) == ("党建", 40, 36)
    assert results["丙"].total is None
    assert "党建得分" in results["丙"].errors[0].message
    totals = {r.unit: (r.total, r.grade) for r in score_totals(scheme, _UNITS, jobs=1)}
    assert totals == {r.unit: (r.total, r.grade) for r in results.values()}
    # One unit at a time (the per-unit program) gives the same.
    for unit in _UNITS:
        alone = evaluate(scheme, [unit]).results[0]
        assert (alone.total, alone.grade) == (results[unit.name].total, results[unit.name].grade)


def test_a_total_formula_reads_the_groups_score_the_same_way(tmp_path):
    extra = 'total_formula = "党建得分+业务得分/2"'
    scheme = loads(_SCHEME.format(extra=extra), format="toml")
    results = {r.unit: r for r in evaluate(scheme, _UNITS[:2])}
    assert results["甲"].total == Decimal(34 + 25)
    assert results["乙"].total == Decimal(36 + 25)
    toml = tmp_path / "s.toml"
    toml.write_text(_SCHEME.format(extra=extra), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("单位,a,b,c,不适用\n甲,18,16,50,\n乙,18,,50,2\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(toml), str(data), "--format", "csv"], out=out, err=err) == 0, err.getvalue()
    assert "\n1,乙,,61,好," in out.getvalue()
