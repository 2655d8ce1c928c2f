"""An indicator's veto reads what its other formulas read: ``分值`` (the indicator's full points) and
population values (``max_of`` …), besides the data and its steps' values. Both programs take it, with
the same outcome on every path (it used to be every unit's error: "no value for '分值'")."""

from __future__ import annotations

from decimal import Decimal

from perfrules import evaluate, load, load_units
from test_column_total_errors import _both

_SCHEME = """
name = "否决读分值"
basis = "points"
total = 20
groups = [{ name = "组1" }]
[overall]
rule = "优：总分>=18；良：12<=总分<18；差：总分<12"
[[indicators]]
code = "1"
name = "完成情况"
group = "组1"
weight = 10
score = "分值×完成率"
policies = [{ type = "veto", when = "分值×完成率<分值×0.6", effect = "lowest_grade", reason = "完成率低于60%" }]
[[indicators]]
code = "2"
name = "相对水平"
group = "组1"
weight = 10
score = "分值×值2/max_of(值2)"
policies = [{ type = "veto", when = "值2<max_of(值2)×0.3", effect = "zero", reason = "不足最高值的30%" }]
"""

_DATA = "单位,完成率,值2\n甲,0.5,8\n乙,0.9,10\n丙,0.6,2\n"


def test_vetoes_reading_the_full_points_and_a_population_value(tmp_path):
    """max_of(值2) = 10. 甲: 5 < 6 fires (lowest grade), 5 + 8 = 13 差. 乙: 9 + 10 = 19 优.
    丙: 6 < 6 does not fire (on the boundary); 2 < 3 fires (total 0): 6 + 2 = 8, then 0."""
    fast, _ = _both(tmp_path, _SCHEME, _DATA)
    assert [(o.total, o.grade) for o in fast] == [
        (Decimal(13), "差"),
        (Decimal(19), "优"),
        (Decimal(0), "差"),
    ]
    assert all(not o.errors for o in fast)
    scheme = load(tmp_path / "s.toml")
    result = evaluate(scheme, load_units(tmp_path / "d.csv", scheme=scheme))
    by_name = {u.unit: u for u in result.ranking()}
    assert by_name["甲"].vetoed and by_name["丙"].vetoed and not by_name["乙"].vetoed
    assert "完成率低于60%" in by_name["甲"].explain()
    assert "不足最高值的30%" in by_name["丙"].explain()


_GRADED = """
name = "否决读分值"
basis = "points"
total = 20
groups = [{ name = "组1" }]
[[indicators]]
code = "1"
name = "评价"
group = "组1"
weight = 12
scale = { rule = "优—12分;良—8分;差—0分" }
value = "评价"
policies = [{ type = "veto", when = "扣分>=分值/4", effect = "zero", reason = "扣分达分值的四分之一" }]
[[indicators]]
code = "2"
name = "其他"
group = "组1"
weight = 8
score = "值2"
"""


def test_a_veto_of_an_indicator_graded_by_a_scale_reads_its_full_points(tmp_path):
    """分值 12: 甲 扣分 3 >= 3 fires (total 0); 乙 扣分 2.9 does not: 8 + 6 = 14."""
    data = "单位,评价,扣分,值2\n甲,优,3,8\n乙,良,2.9,6\n"
    fast, _ = _both(tmp_path, _GRADED, data)
    assert [o.total for o in fast] == [Decimal(0), Decimal(14)]
